/**
 * `xskdump fleet [OPTIONS] HOST... -- CAPTURE-ARGS`: the capture on many hosts at once over the
 * system's ssh (its config, agent, ProxyJump and known_hosts apply), merged into one pcapng in
 * time order (one interface per host) or text lines with the host in front. The options and
 * what they become are here; cli/fleet/plan.ts works out the commands, cli/fleet/host.ts runs
 * one host, cli/fleet/run.ts runs them all.
 * @module
 */
import { type CliCommand, UsageError } from "./command.ts";
import { hostList, planCapture, splitOperands } from "./fleet/plan.ts";
import { type FleetArgs, runFleet } from "./fleet/run.ts";

export type { FleetArgs };

/** -o, repeatable. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function mergeDelay(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v)) {
    throw new UsageError(`--merge-delay needs a number of seconds, got '${v}'`);
  }
  return Math.round(Number(v) * 1000);
}

/**
 * The one file --push copies: $XSKDUMP_ONEFILE, else what `make onefile` built in this checkout
 * (dist/xskdump), else the bundle of `make bundle` (dist/xskdump.js; the host then needs Deno).
 */
function fileToPush(): string {
  const named = Deno.env.get("XSKDUMP_ONEFILE");
  const candidates = named
    ? [named]
    : ["../dist/xskdump", "../dist/xskdump.js"].map((p) => new URL(p, import.meta.url))
      .filter((u) => u.protocol === "file:").map((u) => u.pathname);
  for (const path of candidates) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not there: the next one
    }
  }
  throw new UsageError(
    named
      ? `--push: XSKDUMP_ONEFILE=${named} is no file`
      : "--push: no one file to copy: run `make onefile` in the checkout (dist/xskdump), " +
        "or set XSKDUMP_ONEFILE to it",
  );
}

export const fleetCommand: CliCommand<FleetArgs> = {
  name: "fleet",
  description: "Capture on many hosts at once over ssh, merged into one pcapng in time order.",
  synopsis: "[options] HOST... -- -i IFACE [capture options]",
  define: (cmd) =>
    cmd
      .usage("[options] HOST... -- -i IFACE [capture options] [expression]")
      .passThroughOptions()
      .option("-H, --hosts-file <file>", "more hosts, one a line ('#' comments)")
      .option("-F, --ssh-config <file>", "ssh's configuration file (ssh -F)")
      .option("-o, --ssh-option <option>", "an ssh option (ssh -o), repeatable", collect)
      .option(
        "--remote-command <path>",
        "the program the hosts run (default: xskdump on their PATH)",
      )
      .option("--sudo", "run it with sudo -n on every host")
      .option("--no-sudo", "never use sudo (default: sudo -n where the login is not root)")
      .option("--push", "copy this xskdump (one file) to each host, run it there, remove it")
      .option("--strict", "the first host that fails stops them all")
      .option(
        "--merge-delay <seconds>",
        "the longest a packet waits for a silent host (default 1)",
        mergeDelay,
      )
      .argument("[hosts...]", "hosts (ssh destinations), then -- and the capture's arguments"),
  parse: (cmd) => {
    const o = cmd.opts();
    const { hosts, capture } = splitOperands(cmd.args);
    const plan = planCapture(capture);
    if (o.push && o.remoteCommand !== undefined) {
      throw new UsageError("--push runs the file it copies: no --remote-command with it");
    }
    return {
      kind: "fleet",
      hosts: hostList(hosts, o.hostsFile),
      ssh: { configFile: o.sshConfig, options: o.sshOption ?? [] },
      program: o.remoteCommand ?? "xskdump",
      sudo: o.sudo === undefined ? "auto" : o.sudo ? "always" : "never",
      push: o.push ? fileToPush() : undefined,
      strict: o.strict === true,
      mergeDelayMs: o.mergeDelay ?? 1000,
      capture: plan.capture,
      remoteArgs: plan.remoteArgs,
    };
  },
  run: (args) => runFleet(args),
};
