/**
 * What `xskdump fleet` runs, worked out before anything runs (pure, no I/O but -H's and -F's
 * files): the hosts, the capture's arguments split into what stays here (the merged output,
 * -w and its format, text flags) and what every host gets, the remote command line under the
 * host's shell (sudo or not, the program or the pushed file), the ssh command, and how a failed
 * host's ssh exit status and stderr read as one reason.
 * @module
 */
import type { Option } from "commander";
import { captureArgs } from "../capture.ts";
import { UsageError } from "../command.ts";
import type { CaptureArgs } from "../capture_args.ts";

/** How the remote capture gets root. */
export type SudoMode = "auto" | "always" | "never";

/** The flags a capture takes as stop signal over SSH and the stream it writes back. */
export const REMOTE_OUTPUT = ["-w", "-", "--format", "pcapng", "--json", "--stop-on-eof"];

/**
 * Options of the capture that concern the local output (the merged file or text lines): they
 * are not passed on. -F is read here and its expression passed instead.
 */
const LOCAL_OPTIONS = new Set([
  "write",
  "format",
  "C",
  "G",
  "W",
  "json",
  "filterFile",
  "stopOnEof",
  // --print: text lines here, beside the merged file; a host's stdout is its pcapng stream.
  "print",
]);

/** The hosts of the command line and of -H FILE (one a line, `#` comments), checked. */
export function hostList(operands: string[], file?: string): string[] {
  const hosts: string[] = [];
  if (file !== undefined) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch (e) {
      throw new UsageError(`-H ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const line of text.split("\n")) {
      const host = line.replace(/#.*/, "").trim();
      if (host === "") continue;
      if (/\s/.test(host)) throw new UsageError(`-H ${file}: one host a line, got '${host}'`);
      hosts.push(host);
    }
  }
  hosts.push(...operands);
  if (hosts.length === 0) {
    throw new UsageError("no host given: name hosts before `--`, or give -H FILE");
  }
  for (const h of hosts) {
    // ssh would take a leading '-' as an option: never let a host name be one.
    if (h.startsWith("-")) {
      throw new UsageError(
        `'${h}' is not a host: fleet options come before the hosts, and \`--\` before the ` +
          "capture's arguments",
      );
    }
  }
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h)) throw new UsageError(`host ${h} is named twice`);
    seen.add(h);
  }
  return hosts;
}

/**
 * The fleet command's operands split at `--`: hosts before, the capture's arguments after.
 * commander keeps a `--` after the first operand and drops one that comes first (then there
 * are no hosts on the command line: they come from -H).
 */
export function splitOperands(operands: string[]): { hosts: string[]; capture: string[] } {
  if (operands.length > 0 && operands[0].startsWith("-")) return { hosts: [], capture: operands };
  const at = operands.indexOf("--");
  if (at < 0) {
    throw new UsageError(
      "give the capture's arguments after `--`: xskdump fleet HOST... -- -i IFACE ...",
    );
  }
  return { hosts: operands.slice(0, at), capture: operands.slice(at + 1) };
}

/** What the capture's arguments ask of the fleet: the local side, and each host's arguments. */
export interface CapturePlan {
  /** The capture's arguments as the capture command reads them (checked here). */
  capture: CaptureArgs;
  /** What every host's xskdump gets: `capture`, the arguments minus the local ones, then
   * {@link REMOTE_OUTPUT} and the filter expression. */
  remoteArgs: string[];
}

/** Parses and splits the capture's arguments (UsageError when they are bad or do not fit). */
export function planCapture(words: string[]): CapturePlan {
  let cmd, parsed;
  try {
    ({ cmd, args: parsed } = captureArgs(words));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    throw new UsageError(`in the capture's arguments: ${e.message}`);
  }
  if (parsed.kind !== "capture") {
    throw new UsageError(
      `fleet captures live on every host: ${parsed.kind === "read" ? "-r" : "-d"} has no place`,
    );
  }
  if (parsed.output.format === "pcap") {
    throw new UsageError("the merged output is pcapng (one interface per host): not --format pcap");
  }
  const kept = keptWords(words, cmd.options as readonly Option[]);
  const expression = parsed.expression === undefined ? [] : ["--", parsed.expression];
  return {
    capture: { ...parsed, output: { ...parsed.output, format: "pcapng" } },
    remoteArgs: ["capture", ...kept, ...REMOTE_OUTPUT, ...expression],
  };
}

/**
 * The option words of `words` that every host gets, in their order: each option of the
 * capture's parser kept whole (with its value), minus the local ones; operands (the filter
 * expression) dropped (the caller passes the expression, also one read from -F, as one word).
 */
function keptWords(words: string[], options: readonly Option[]): string[] {
  const kept: string[] = [];
  const takesValue = (o: Option) => o.required || o.optional;
  const local = (o: Option) => LOCAL_OPTIONS.has(o.attributeName());
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === "--") break; // the rest is the expression
    if (w.startsWith("--")) {
      const eq = w.indexOf("=");
      const name = eq < 0 ? w : w.slice(0, eq);
      const o = options.find((o) => o.long === name);
      if (!o) throw new UsageError(`in the capture's arguments: unknown option '${name}'`);
      const option = eq < 0 && takesValue(o) ? [w, words[++i]] : [w];
      if (!local(o)) kept.push(...option);
    } else if (w.startsWith("-") && w.length > 1) {
      // A cluster of short flags (-nv, -vvc5); a flag that takes a value takes the rest of the
      // word, or the next word.
      for (let j = 1; j < w.length; j++) {
        const o = options.find((o) => o.short === `-${w[j]}`);
        if (!o) throw new UsageError(`in the capture's arguments: unknown option '-${w[j]}'`);
        if (takesValue(o)) {
          const value = j + 1 < w.length ? w.slice(j + 1) : words[++i];
          if (!local(o)) kept.push(`-${w[j]}`, value);
          break;
        }
        if (!local(o)) kept.push(`-${w[j]}`);
      }
    }
  }
  return kept;
}

/** A word quoted for a POSIX shell (the remote login shell runs what ssh sends). */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * sudo keeps SSH_CONNECTION, which the capture reads to leave its own SSH session alone (its
 * default env_reset drops it).
 */
const SUDO = "sudo -n --preserve-env=SSH_CONNECTION";

/**
 * The command line the host's shell runs: `program` (a name on the remote PATH, a path, or a
 * pushed file, which is removed afterwards) with `args`, as root: with `sudo -n` where the login
 * is not root (auto), always, or never.
 */
export function remoteCommand(
  program: string,
  args: string[],
  sudo: SudoMode,
  pushed = false,
): string {
  const line = [program, ...args].map(shellQuote).join(" ");
  if (pushed) {
    // No exec: the shell stays to remove the file once the capture ends, however it ends.
    const run = sudo === "never"
      ? line
      : sudo === "always"
      ? `${SUDO} ${line}`
      : `if [ "$(id -u)" -eq 0 ]; then ${line}; else ${SUDO} ${line}; fi`;
    return `${run}; rc=$?; rm -f ${shellQuote(program)}; exit $rc`;
  }
  if (sudo === "never") return `exec ${line}`;
  if (sudo === "always") return `exec ${SUDO} ${line}`;
  return `if [ "$(id -u)" -eq 0 ]; then exec ${line}; else exec ${SUDO} ${line}; fi`;
}

/** The shell command that receives a pushed file on stdin and prints where it put it. */
export const PUSH_COMMAND = `umask 077; f=$(mktemp "\${TMPDIR:-/tmp}/xskdump.XXXXXX") && ` +
  `cat > "$f" && chmod 700 "$f" && echo "$f"`;

/** ssh's options as fleet gives them. */
export interface SshOptions {
  /** -F FILE. */
  configFile?: string;
  /** -o OPTION, in order. */
  options: string[];
}

/**
 * The ssh command for `host` running `command`. The user's -o come first (ssh keeps the first
 * value it gets for an option), then fleet's defaults: no prompts (no terminal to answer them:
 * keys and the agent only), and a connect timeout so an unreachable host fails in seconds.
 */
export function sshArgs(ssh: SshOptions, host: string, command: string): string[] {
  return [
    "-T",
    ...(ssh.configFile === undefined ? [] : ["-F", ssh.configFile]),
    ...ssh.options.flatMap((o) => ["-o", o]),
    ...["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"],
    "--",
    host,
    command,
  ];
}

/** Why a host failed, in a word, and the line that says it. */
export interface HostFailure {
  kind:
    | "unreachable"
    | "auth"
    | "host key"
    | "no sudo"
    | "not installed"
    | "interface missing"
    | "capture failed"
    | "ssh";
  message: string;
}

/**
 * What a host's ssh exit status and stderr say went wrong (status 0: nothing). ssh exits 255 for
 * its own failures, else with the remote command's status; the shell's 127 means a program was
 * not found; sudo and xskdump say what failed in lines that start with their names.
 */
export function hostFailure(
  code: number,
  stderrLines: string[],
  program: string,
): HostFailure | undefined {
  if (code === 0) return undefined;
  const lines = stderrLines.map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("{"));
  const last = (re: RegExp) => lines.findLast((l) => re.test(l));
  const sudo = last(/^sudo: /);
  if (code === 255) {
    const line = last(/./) ?? `ssh exited ${code}`;
    if (/Permission denied|Too many authentication failures/i.test(line)) {
      return { kind: "auth", message: line };
    }
    if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(line)) {
      return { kind: "host key", message: line };
    }
    if (
      /Could not resolve|Connection refused|timed out|No route|unreachable|Connection closed|Connection reset/i
        .test(line)
    ) {
      return { kind: "unreachable", message: line };
    }
    return { kind: "ssh", message: line };
  }
  if (code === 127) {
    const missing = last(/not found|No such file/) ?? `exit status 127`;
    if (/\bsudo\b/.test(missing) && !missing.includes(program)) {
      return { kind: "no sudo", message: `${missing} (and the login is not root)` };
    }
    return {
      kind: "not installed",
      message: `${missing}; give --push, or --remote-command PATH`,
    };
  }
  if (sudo) return { kind: "no sudo", message: sudo };
  const said = last(/^xskdump: /) ?? last(/./) ?? `exit status ${code}`;
  if (/No such device|does not exist/.test(said)) {
    return { kind: "interface missing", message: said };
  }
  return { kind: "capture failed", message: said };
}
