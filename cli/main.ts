/**
 * xskdump's command line: parse, capture, summarise, exit with tcpdump's
 * conventions (0 done, 1 runtime failure, 2 usage error, 130 interrupted twice).
 * @module
 */
import { Capture, type CaptureResult, DEFAULT_BUFFER_BYTES } from "../lib/capture/session.ts";
import { describeViolation } from "../lib/capture/integrity.ts";
import { formatSummary } from "../lib/capture/summary.ts";
import { XskError } from "../ffi/xsk.ts";
import { type CaptureArgs, type DumpArgs, parseArgs, UsageError } from "./args.ts";
import { dumpFilter, type FilterPlan, isFilterUsageError, planFilter } from "./filter.ts";
import { type ChannelChange, restoreRecorded, singleQueue } from "../lib/host/channels.ts";
import { doctor } from "./doctor.ts";
import { captureOutput, type Output } from "./output.ts";
import { liveFileOutput } from "./live_files.ts";
import { readCapture } from "./read.ts";
import { captureEnding, LiveStatus, statusMode } from "./status.ts";
import { liveRecord, rateBetween } from "../lib/capture/stats.ts";

const EXIT_OK = 0;
const EXIT_FAIL = 1;
const EXIT_USAGE = 2;
const EXIT_INTEGRITY = 3;
const EXIT_INTERRUPTED = 130;

function say(line: string): void {
  const bytes = new TextEncoder().encode(line + "\n");
  try {
    for (let off = 0; off < bytes.length;) off += Deno.stderr.writeSync(bytes.subarray(off));
  } catch {
    // stderr gone (closed terminal): nothing left to tell
  }
}

/** One line for an error a user can act on; no stack trace for expected failures. */
export function describeError(e: unknown): string {
  if (e instanceof XskError) return `${e.message}${e.hint ? `; ${e.hint}` : ""}`;
  if (e instanceof Deno.errors.BrokenPipe) return "output closed by the reader";
  if (e instanceof Error && e.name === "FilesystemLoop") return e.message;
  if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
    return e.message;
  }
  if (e instanceof Error && /No space left/.test(e.message)) {
    return `disk full: ${e.message}; the file is valid up to the last packet written`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Errors caused by what the user typed rather than by the host. */
function isBadInput(e: unknown): boolean {
  return (e instanceof XskError && (e.code === "ENODEV" || /out of range/.test(e.message))) ||
    e instanceof UsageError || isFilterUsageError(e);
}

async function capture(
  args: CaptureArgs,
  plan: FilterPlan,
  change?: ChannelChange,
): Promise<number> {
  let cap: Capture;
  try {
    cap = Capture.open({
      filter: plan.expression,
      iface: args.iface,
      queues: args.queues,
      mode: args.mode,
      frameCount: args.frames,
      bufferBytes: args.bufferKiB === undefined ? undefined : args.bufferKiB * 1024,
      batchSize: args.batch,
      guard: args.guard,
    });
  } catch (e) {
    say(`xskdump: ${describeError(e)}`);
    return isBadInput(e) ? EXIT_USAGE : EXIT_FAIL;
  }

  let output: Output;
  try {
    output = captureOutput(args, cap, plan.expression, liveFileOutput);
  } catch (e) {
    cap.close();
    say(`xskdump: cannot write ${args.write}: ${describeError(e)}`);
    return EXIT_FAIL;
  }

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

  say(
    `listening on ${cap.iface}, ${
      cap.queues.length === 1 ? `queue ${cap.queue}` : `queues ${cap.queues.join(",")}`
    }, mode ${cap.mode}` +
      `${cap.zerocopy ? " zero-copy" : ""}, snapshot length ${args.snaplen} bytes` +
      (plan.ssh ? `, ssh session excluded (${plan.ssh.description})` : "") +
      (cap.shared ? `, XDP program shared with ${cap.sharedWith || "another xskdump"}` : ""),
  );
  const started = performance.now();
  const status = new LiveStatus(
    statusMode({
      quiet: args.quiet,
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
    },
    args.statsIntervalMs ?? 1000,
    writeErr,
  );
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
  const ending = captureEnding(result.reason, result.error, describeError);
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

/** Writes text on stderr as is (the status line rewrites itself with \r). */
function writeErr(text: string): void {
  const bytes = new TextEncoder().encode(text);
  try {
    for (let off = 0; off < bytes.length;) off += Deno.stderr.writeSync(bytes.subarray(off));
  } catch {
    // stderr gone: nothing left to tell
  }
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
async function captureOnQueues(args: CaptureArgs): Promise<number> {
  let change: ChannelChange | undefined;
  let plan: FilterPlan;
  try {
    plan = planFilter(args); // before anything on the host changes
  } catch (e) {
    say(`xskdump: ${describeError(e)}`);
    return isBadInput(e) ? EXIT_USAGE : EXIT_FAIL;
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
    say(`xskdump: ${describeError(e)}`);
    return isBadInput(e) ? EXIT_USAGE : EXIT_FAIL;
  }
  try {
    return await capture(args, plan, change);
  } finally {
    restoreOrSay(change);
  }
}

/** `-d`: the filter a capture would install, as tcpdump -d lists it. */
function dump(args: DumpArgs): number {
  let lines: string[];
  try {
    lines = dumpFilter(args, args.snaplen);
  } catch (e) {
    say(`xskdump: ${describeError(e)}`);
    return isBadInput(e) ? EXIT_USAGE : EXIT_FAIL;
  }
  const bytes = new TextEncoder().encode(lines.join("\n") + "\n");
  for (let off = 0; off < bytes.length;) off += Deno.stdout.writeSync(bytes.subarray(off));
  return EXIT_OK;
}

function restore(iface: string | undefined): number {
  const outcomes = restoreRecorded(iface);
  const lines = outcomes.length
    ? outcomes.map((r) => r.message)
    : [`nothing to restore${iface ? ` on ${iface}` : ""}`];
  Deno.stdout.writeSync(new TextEncoder().encode(lines.join("\n") + "\n"));
  return EXIT_OK;
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    say(`xskdump: ${e.message} (see --help)`);
    return EXIT_USAGE;
  }
  if (args.kind === "info") {
    await Deno.stdout.write(new TextEncoder().encode(args.text));
    return EXIT_OK;
  }
  // Files need no interface, no privileges and no shim (a filter expression loads it).
  if (args.kind === "read") return await readCapture(args, say);
  try {
    if (args.kind === "dump") return dump(args);
    if (args.kind === "restore") return restore(args.iface);
    if (args.kind === "doctor") return doctor(args.iface, args.json, DEFAULT_BUFFER_BYTES);
  } catch (e) {
    say(`xskdump: ${describeError(e)}`);
    return EXIT_FAIL;
  }
  return await captureOnQueues(args);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
