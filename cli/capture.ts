/**
 * The default command: capture live (`-i`), read a file (`-r`, read.ts), print the compiled
 * filter (`-d`) or list the interfaces (`-D`) or data link types (`-L`, lists.ts). A live
 * capture: set up the channels and the filter, capture (giving up root for -Z once the sockets
 * and output are open), summarise, and restore the channels on every way out.
 * @module
 */
import { RX_META, RX_OFFSET } from "../ffi/abi.ts";
import { Capture, type CaptureResult } from "../lib/capture/session.ts";
import { takesBatches } from "../lib/capture/core.ts";
import { describeViolation } from "../lib/capture/integrity.ts";
import { formatSummary } from "../lib/capture/summary.ts";
import { liveRecord, rateBetween } from "../lib/capture/stats.ts";
import { type ChannelChange, restoreRecorded, singleQueue } from "../lib/host/channels.ts";
import { choosePath, type PathChoice } from "../lib/host/path.ts";
import { XskError } from "../ffi/xsk.ts";
import { calmThreads } from "../ffi/host.ts";
import { Command, CommanderError } from "commander";
import { type CliCommand, UsageError } from "./command.ts";
import { dumpFilter, type FilterPlan, isFilterUsageError, planFilter } from "./filter.ts";
import type { CaptureArgs, CaptureCommandArgs, DumpArgs } from "./capture_args.ts";
import { addFlags, readFlags } from "./flags.ts";
import { captureOutput, fileOutput, formatFor, type Output } from "./output/mod.ts";
import { liveFileOutput } from "./output/live_files.ts";
import { ProcessLabels } from "../lib/capture/process.ts";
import { cgroupPath } from "../ffi/tap.ts";
import { interfaceByNumber, interfaceLines, linkTypeLines } from "./lists.ts";
import { dropsBeforeOutput, type Relinquish, relinquish } from "./privileges.ts";
import { readCapture } from "./read.ts";
import {
  describeError,
  EXIT_FAIL,
  EXIT_INTEGRITY,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USAGE,
  reported,
  say,
  writeErr,
  writeOut,
} from "./report.ts";
import { captureEnding, LiveStatus, statusMode } from "./status.ts";

/** How often the capture's threads are set again (csrc/threads.c): new pool threads. */
const CALM_MS = 1000;

/** `xskdump [capture] -i IFACE ...`, `-r FILE`, `-d`, `-D`, `-L`. */
export const captureCommand: CliCommand<CaptureCommandArgs> = {
  name: "capture",
  description: "Capture packets with AF_XDP, tcpdump style.",
  synopsis: "-i IFACE [options]",
  define: addFlags,
  parse: (cmd) => readFlags(cmd.opts(), cmd.args),
  run: async (args) => {
    // Files need no interface, no privileges and no shim (a filter expression loads it).
    if (args.kind === "read") return await readCapture(args, say);
    if (args.kind === "dump") return await reported(() => dump(args));
    if (args.kind === "list-interfaces") {
      return await reported(() => listed(() => writeOut(lines(interfaceLines()))));
    }
    if (args.kind === "list-linktypes") {
      return await reported(() => listed(() => writeErr(lines(linkTypeLines(args.iface)))));
    }
    return await captureOnQueues(args);
  },
};

function lines(l: string[]): string {
  return l.map((x) => x + "\n").join("");
}

/** -D, -L: print, exit 0; a usage error (no such interface) is one line and exit 2. */
function listed(print: () => void): number {
  try {
    print();
  } catch (e) {
    return refused(e);
  }
  return EXIT_OK;
}

/** The capture's commander program, alone: to read a capture's arguments given elsewhere
 * (`fleet`'s, an extcap's), with its errors quiet. */
export function captureProgram(): Command {
  return captureCommand.define(
    new Command("capture").exitOverride().configureOutput({
      writeOut: () => {},
      writeErr: () => {},
      outputError: () => {},
    }).helpOption(false).allowExcessArguments(false),
  );
}

/** A capture's arguments read as `xskdump capture WORDS` would; UsageError when they are bad. */
export function captureArgs(words: string[]): { cmd: Command; args: CaptureCommandArgs } {
  const cmd = captureProgram();
  try {
    cmd.parse(words, { from: "user" });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    throw new UsageError(e.message.replace(/^error: /, ""));
  }
  return { cmd, args: captureCommand.parse(cmd) };
}

/** Errors caused by what the user typed rather than by the host. */
function isBadInput(e: unknown): boolean {
  return (e instanceof XskError &&
    (e.code === "ENODEV" || /queue \d+ out of range/.test(e.message))) ||
    e instanceof UsageError || e instanceof RangeError || isFilterUsageError(e);
}

/** One line for a failure before anything was captured; exit 2 when the user's input caused it. */
function refused(e: unknown): number {
  say(`xskdump: ${describeError(e)}`);
  return isBadInput(e) ? EXIT_USAGE : EXIT_FAIL;
}

/** -w with the packets' processes into a format that keeps them (pcapng; pcap has no place). */
function processesInFile(args: CaptureArgs): boolean {
  return args.process !== undefined && args.write !== undefined &&
    formatFor(args.write, args.output.format) === "pcapng";
}

/** -Z: becomes the user; on failure says so, closes what is open and returns false. */
function becomeUser(user: Relinquish, cap: Capture, output?: Output): boolean {
  try {
    user.drop();
    return true;
  } catch (e) {
    say(`xskdump: -Z: ${describeError(e)}`);
    try {
      output?.close();
    } finally {
      cap.close();
    }
    return false;
  }
}

async function capture(
  args: CaptureArgs,
  plan: FilterPlan,
  user: Relinquish,
  change?: ChannelChange,
): Promise<number> {
  let cap: Capture;
  let usual: PathChoice | undefined;
  // The shim's writer opens its files itself and writes whole chunks behind the loop: -Z
  // (files given to the user as they are made) and -U (each batch out at once) take the
  // TypeScript writer, which does both; so does pcapng with the packets' processes (their
  // options and comment need the cgroup paths only TypeScript resolves).
  const shimWriter = args.user === undefined && !args.packetBuffered && !processesInFile(args);
  // -w into the shim's writer: the loop is compiled before the first packet (warmUp below).
  const warm = args.write !== undefined && shimWriter;
  try {
    const carriesSsh = carriesSshSession(args.iface);
    usual = args.path === "divert" ? choosePath(args.iface, carriesSsh) : undefined;
    // -Q out or inout, and the packets' processes, ask for what only the tap sees.
    const path = args.path === "auto" &&
        ((args.direction !== undefined && args.direction !== "in") || args.process)
      ? "tap"
      : args.path;
    cap = Capture.open({
      filter: plan.expression,
      iface: args.iface,
      queues: args.queues,
      mode: args.mode,
      frameCount: args.frames,
      bufferBytes: args.bufferKiB === undefined ? undefined : args.bufferKiB * 1024,
      batchSize: args.batch,
      guard: args.guard,
      multiBuffer: args.multiBuffer,
      timeStampType: args.timeStampType,
      // The SSH rule matches the session's untagged frames: a tag put back would hide it.
      vlan: plan.ssh ? false : undefined,
      path,
      direction: args.direction,
      snaplen: args.snaplen,
      carriesSsh,
      process: args.process,
      deferStart: warm,
    });
  } catch (e) {
    return refused(e);
  }

  // -Z: root is given up once the sockets are open, and the output file (given to the user)
  // with it; before the first file when -C/-G make more later.
  const dropEarly = dropsBeforeOutput(args);
  if (dropEarly && !becomeUser(user, cap)) return EXIT_FAIL;
  let output: Output;
  try {
    const processes = args.process ? new ProcessLabels((id) => cgroupPath(id)) : undefined;
    const files = shimWriter ? liveFileOutput : fileOutput;
    output = captureOutput(
      args,
      { iface: cap.iface, stats: () => cap.stats(), processes },
      plan.expression,
      files,
      (path) => user.created(path),
    );
  } catch (e) {
    cap.close();
    say(`xskdump: cannot write ${args.write}: ${describeError(e)}`);
    return EXIT_FAIL;
  }
  if (!dropEarly && !becomeUser(user, cap, output)) return EXIT_FAIL;

  const stop = new AbortController();
  let interrupts = 0;
  const onInt = () => {
    if (++interrupts > 1) {
      restoreOrSay(change); // the BPF link dies with us; channels need us
      Deno.exit(EXIT_INTERRUPTED);
    }
    stop.abort();
  };
  const onTerm = () => stop.abort();
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  let inputEnded = false;
  if (args.stopOnEof) {
    stopAtEndOfInput(stop.signal).then((ended) => {
      inputEnded = ended;
      if (ended) stop.abort();
    });
  }

  if (cap.path === "divert" && usual?.path === "tap") {
    say(
      `xskdump: warning: ${cap.iface} is in use by the host (${usual.reason}): with --divert ` +
        "the packets captured do not reach its stack",
    );
  }
  if (args.process && args.write !== undefined && !processesInFile(args)) {
    say(
      "xskdump: pcap has no place for a packet's process: the packets are written without it " +
        "(pcapng keeps it: -w FILE.pcapng or --format pcapng)",
    );
  }
  try {
    if (warm && takesBatches(output)) await cap.warmUp(output);
    cap.start();
  } catch (e) {
    say(`xskdump: ${describeError(e)}`);
    try {
      output.close();
    } finally {
      cap.close();
    }
    return EXIT_FAIL;
  }
  // The loop runs on this thread: the others (V8's compilers, the runtime's pool, the writer)
  // yield to it (csrc/threads.c), from before the listening line.
  calmThreads();
  if (!args.silent) say(listeningLine(cap, args.snaplen, plan));
  if (args.timeStampType === "adapter_unsynced" && !cap.hwTimestamp) say(noHwTimestamps(cap));
  const started = performance.now();
  const status = new LiveStatus(
    statusMode({
      quiet: args.noStatus,
      json: args.json,
      statsIntervalMs: args.statsIntervalMs,
      textOnTerminal: args.write === undefined && Deno.stdout.isTerminal(),
      stderrIsTerminal: Deno.stderr.isTerminal(),
    }),
    {
      stats: () => cap.stats(),
      bytes: () => output.bytes,
      files: () => output.files(),
      filesOpened: () => output.filesOpened,
      iface: cap.iface,
      queues: cap.queues,
      mode: cap.mode,
      direction: cap.direction,
    },
    args.statsIntervalMs ?? 1000,
    writeErr,
  );
  // Again every second: the runtime starts pool threads when it needs them.
  const calm = setInterval(calmThreads, CALM_MS);
  let result: CaptureResult;
  try {
    result = await cap.run(output, {
      count: args.count,
      durationMs: args.durationMs,
      signal: stop.signal,
      strict: args.strict,
      onViolation: (f) =>
        say(`xskdump: ${describeViolation(f, cap.guardContextFor(f.queue ?? cap.queue))}`),
    });
    // A file written behind the capture is finished while the signals still count: a second
    // interrupt leaves even a stuck output.
    try {
      await output.finish?.();
    } catch (e) {
      if (result.reason !== "error") result = { reason: "error", error: e };
    }
  } finally {
    clearInterval(calm);
    Deno.removeSignalListener("SIGINT", onInt);
    Deno.removeSignalListener("SIGTERM", onTerm);
    status.stop();
  }
  try {
    output.close();
  } catch (e) {
    if (result.reason !== "error") result = { reason: "error", error: e };
  }
  cap.close();
  const reason = result.reason === "signal" && inputEnded && interrupts === 0
    ? "input_closed"
    : result.reason;
  const ending = captureEnding(reason, result.error, describeError);
  if (args.silent) {
    if (ending.line && ending.exitCode !== 0) say(ending.line);
    return ending.stop === "integrity" ? EXIT_INTEGRITY : ending.exitCode;
  }
  if (args.json) {
    const elapsedMs = performance.now() - started;
    const stats = cap.stats();
    const rate = rateBetween({ at: 0, captured: 0, bytes: 0 }, {
      at: elapsedMs,
      captured: stats.captured,
      bytes: output.bytes,
    });
    say(JSON.stringify(liveRecord("summary", stats, {
      iface: cap.iface,
      queues: cap.queues,
      mode: cap.mode,
      direction: cap.direction,
      elapsedMs,
      bytes: output.bytes,
      rate,
      files: output.files(),
      filesOpened: output.filesOpened,
      writer: output.writerStats?.(),
    }, ending)));
  } else {
    for (const line of formatSummary(cap.stats())) say(line);
  }
  if (ending.line) say(ending.line);
  return ending.stop === "integrity" ? EXIT_INTEGRITY : ending.exitCode;
}

/**
 * Resolves true when standard input ends (EOF, or an error reading it: the other side is gone),
 * false once `done` is aborted first. Over SSH stdin is the session's channel: `xskdump fleet`
 * closes it to stop a remote capture, and it ends too when the connection drops (ssh carries no
 * signal to a command without a terminal). What arrives on it is read and ignored.
 */
async function stopAtEndOfInput(done: AbortSignal): Promise<boolean> {
  const buf = new Uint8Array(4096);
  try {
    while (!done.aborted) {
      if (await Deno.stdin.read(buf) === null) return !done.aborted;
    }
    return false;
  } catch {
    return !done.aborted;
  }
}

/** Whether SSH_CONNECTION's server address is on `iface` (as doctor finds it). */
function carriesSshSession(iface: string): boolean {
  let server: string | undefined;
  try {
    server = Deno.env.get("SSH_CONNECTION")?.trim().split(/\s+/)[2]?.replace(/%.*$/, "");
  } catch {
    return false; // no --allow-env for it: the SSH rule (planFilter) says so already
  }
  if (!server) return false;
  try {
    return Deno.networkInterfaces().some((n) => n.name === iface && n.address === server);
  } catch {
    return false;
  }
}

/** Where each direction of a tap is taken, in words. */
function hookWords(cap: Capture): string {
  const h = cap.hooks;
  if (!h) return "";
  const where = (hook: string) =>
    hook === "xdp" ? `XDP ${cap.mode}` : hook === "tcx" ? "tc (tcx)" : "tc (clsact)";
  const parts = [];
  if (h.in !== "none") {
    // Without frags the kernel linearizes a GSO skb first, or refuses a jumbo MTU natively.
    const mb = h.in === "xdp" && !cap.multiBuffer ? " (no multi-buffer)" : "";
    parts.push(`incoming at ${where(h.in)}${mb}`);
  }
  if (h.out !== "none") parts.push(`outgoing at ${where(h.out)}`);
  return parts.join(", ");
}

/** -j adapter_unsynced where the capture cannot give the NIC's timestamps: why, in one line. */
function noHwTimestamps(cap: Capture): string {
  const why = cap.path === "tap"
    ? "tap mode takes none"
    : cap.mode === "generic"
    ? "generic mode has no XDP metadata"
    : !(cap.rxMetadata & RX_META.timestamp)
    ? `the driver of ${cap.iface} gives none in its XDP metadata`
    : "the shared program does not take them";
  return `xskdump: no hardware timestamps (${why}): packets carry the host's time`;
}

/** Divert: whether VLAN tags a NIC took out of the frame (rx-vlan offload) come back. */
function vlanWords(cap: Capture, plan: FilterPlan): string {
  if (cap.vlan) return "VLAN tags put back from the driver's XDP metadata";
  const why = cap.mode === "generic"
    ? "generic mode has no XDP metadata"
    : !(cap.rxMetadata & RX_META.vlanTag)
    ? "the driver gives no XDP VLAN metadata"
    : plan.ssh
    ? "the ssh rule reads the session's frames untagged"
    : "the shared program does not put them back";
  return `VLAN tags the NIC takes out stay out (${why})`;
}

/** The `listening on` line: where, which path and what it does to the host, how much. */
export function listeningLine(cap: Capture, snaplen: number, plan: FilterPlan): string {
  const tail = `, snapshot length ${snaplen} bytes` +
    (plan.ssh ? `, ssh session excluded (${plan.ssh.description})` : "") +
    (cap.shared ? `, XDP program shared with ${cap.sharedWith || "another xskdump"}` : "");
  if (cap.path === "tap") {
    const dirs = cap.direction === "inout" ? "in and out" : cap.direction;
    const queues = cap.queues.length ? `, queues ${cap.queues.join(",")}` : "";
    const t = cap.socketTable;
    const procs = t ? `, processes by socket (${t.added} from before the start)` : "";
    return `listening on ${cap.iface}, tap ${dirs} (${cap.pathReason}; packets go on to the ` +
      `host stack), ${hookWords(cap)}${queues}${procs}${tail}`;
  }
  return `listening on ${cap.iface}, ${
    cap.queues.length === 1 ? `queue ${cap.queue}` : `queues ${cap.queues.join(",")}`
  }, mode ${cap.mode}${cap.zerocopy ? " zero-copy" : ""}, divert (${cap.pathReason}; ` +
    `captured packets do not reach the host stack), ${
      cap.multiBuffer
        ? "multi-buffer"
        : `no multi-buffer (packets over ${cap.frameSize - RX_OFFSET} bytes are dropped)`
    }, ${vlanWords(cap, plan)}${
      cap.hwTimestamp ? ", the NIC's RX timestamps (adapter_unsynced)" : ""
    }${tail}`;
}

function restoreOrSay(change: ChannelChange | undefined): void {
  try {
    change?.restore();
  } catch (e) {
    say(
      `xskdump: could not restore the channels of ${change?.iface} (${describeError(e)}); ` +
        `run \`xskdump restore -i ${change?.iface}\` or \`${change?.undo}\``,
    );
  }
}

/** Capture with the channel bookkeeping around it: undo a killed run's change, apply
 * --single-queue, and restore on every way out of the capture. */
async function captureOnQueues(given: CaptureArgs): Promise<number> {
  let change: ChannelChange | undefined;
  let plan: FilterPlan;
  let user: Relinquish;
  let args: CaptureArgs;
  try {
    args = { ...given, iface: interfaceByNumber(given.iface) };
    plan = planFilter(args); // before anything on the host changes
    user = await relinquish(args.user);
  } catch (e) {
    return refused(e);
  }
  try {
    for (const r of restoreRecorded(args.iface)) say(`xskdump: ${r.message}`);
    if (args.singleQueue) {
      change = singleQueue(args.iface);
      say(
        change
          ? `xskdump: ${args.iface} set to one RX queue (like \`${change.command}\`); ` +
            `restored on exit (\`${change.undo}\`)`
          : `xskdump: ${args.iface} already has one RX queue`,
      );
    }
  } catch (e) {
    return refused(e);
  }
  try {
    return await capture(args, plan, user, change);
  } finally {
    restoreOrSay(change);
  }
}

/** `-d`, `-dd`, `-ddd`: the filter a capture would install, as tcpdump lists it. */
function dump(args: DumpArgs): number {
  let lines: string[];
  try {
    lines = dumpFilter(args, args.snaplen, args.level);
  } catch (e) {
    return refused(e);
  }
  writeOut(lines.join("\n") + "\n");
  return EXIT_OK;
}
