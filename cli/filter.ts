/**
 * The CLI's side of filtering: which expression a capture installs (the
 * user's, plus the SSH pass rule unless --capture-ssh), and `-d`.
 * @module
 */
import { compileFilter, FilterError } from "../lib/capture/filter.ts";
import { formatCbpf, formatCbpfC, formatCbpfDecimal } from "../lib/filter/cbpf.ts";
import {
  combineFilter,
  SshConnectionError,
  type SshRule,
  sshRule,
} from "../lib/filter/expression.ts";
import { UsageError } from "./command.ts";

/** What a capture filters on. */
export interface FilterPlan {
  /** The expression to install; undefined captures everything. */
  expression?: string;
  /** The SSH session left out of the capture, when there is one. */
  ssh?: SshRule;
}

/** The part of the arguments that decides the filter. */
export interface FilterArgs {
  /** The user's expression (trailing arguments or -F). */
  expression?: string;
  /** --capture-ssh: no pass rule for the SSH session. */
  captureSsh: boolean;
}

/** SSH_CONNECTION, or a UsageError when it cannot be read (fail closed: it may be set). */
function sshConnection(): string | undefined {
  try {
    return Deno.env.get("SSH_CONNECTION");
  } catch {
    throw new UsageError(
      "cannot read SSH_CONNECTION (no --allow-env for it), so the SSH session cannot be " +
        "kept out of the capture; allow it, or pass --capture-ssh",
    );
  }
}

/**
 * The expression to install. `sshEnv` gives SSH_CONNECTION (read only without
 * --capture-ssh). Throws UsageError for an unreadable SSH_CONNECTION and
 * FilterError ("syntax") when the user's expression does not compile on its
 * own; both are usage errors (exit 2).
 */
export function planFilter(
  args: FilterArgs,
  sshEnv: () => string | undefined = sshConnection,
): FilterPlan {
  const user = args.expression?.trim() ? args.expression.trim() : undefined;
  // Alone first, so an error names what the user typed, and so nothing the user
  // typed can reach into the SSH rule (`tcp) or (tcp` does not compile alone).
  if (user !== undefined) compileFilter(user);
  let ssh: SshRule | undefined;
  try {
    ssh = args.captureSsh ? undefined : sshRule(sshEnv());
  } catch (e) {
    if (e instanceof SshConnectionError) {
      throw new UsageError(`${e.message}; pass --capture-ssh to capture without the rule`);
    }
    throw e;
  }
  return { expression: combineFilter(user, ssh), ssh };
}

/** The forms of `-d` (1), `-dd` (2) and `-ddd` (3), as tcpdump's bpf_dump() prints them. */
const DUMP_FORMATS = [formatCbpf, formatCbpfC, formatCbpfDecimal];

/** `-d`, `-dd`, `-ddd`: the program a capture would install, as tcpdump prints it. */
export function dumpFilter(args: FilterArgs, snaplen: number, level = 1): string[] {
  const plan = planFilter(args);
  const format = DUMP_FORMATS[Math.min(Math.max(level, 1), 3) - 1];
  return format(compileFilter(plan.expression ?? "", snaplen).cbpf);
}

/** Whether a filter failure is the user's input (exit 2) rather than the host's (exit 1). */
export function isFilterUsageError(e: unknown): boolean {
  return e instanceof FilterError && e.kind === "syntax";
}
