/**
 * `xskdump fleet`, running: starts every host's capture over ssh (pushing the one file first
 * with --push), says `listening on N hosts` once each host listens or has failed, merges their
 * pcapng streams in time order (lib/formats/merge.ts) into one output (pcapng, one interface per
 * host and interface, or text lines with the host in front), stops them all on Ctrl-C, SIGTERM,
 * a closed output or (with --strict) the first host that fails, and prints one summary per host
 * and the total.
 * @module
 */
import { CaptureMerge } from "../../lib/formats/merge.ts";
import type { CaptureRecord } from "../../lib/formats/capture_file.ts";
import { CaptureStreamReader } from "../../lib/formats/reader.ts";
import type { PcapngWriterStats } from "../../lib/formats/pcapng.ts";
import meta from "../../deno.json" with { type: "json" };
import type { CaptureArgs } from "../capture_args.ts";
import { fileOutput, type Output, OutputFailure, textOutput } from "../output/mod.ts";
import { describeError, EXIT_FAIL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, say } from "../report.ts";
import { type HostListener, HostSession, pushFile } from "./host.ts";
import { type HostFailure, remoteCommand, type SshOptions, type SudoMode } from "./plan.ts";

/** What `xskdump fleet` was asked to do. */
export interface FleetArgs {
  kind: "fleet";
  hosts: string[];
  ssh: SshOptions;
  /** The program the hosts run (--remote-command; default `xskdump` on their PATH). */
  program: string;
  sudo: SudoMode;
  /** --push: this file is copied to each host and run there. */
  push?: string;
  strict: boolean;
  /** The longest a packet waits for a silent host before it is written, ms. */
  mergeDelayMs: number;
  /** The capture's arguments as the capture reads them (the local output, the text flags). */
  capture: CaptureArgs;
  /** What each host's xskdump gets. */
  remoteArgs: string[];
}

/** A host's lookahead in the merge: reached, its packets stop waiting for silent hosts. */
const LOOKAHEAD_BYTES = 4 << 20;
/** Bytes a queued record holds beyond its data (the record object, its share of a batch). */
const RECORD_OVERHEAD = 64;
/** After a stop, how long the hosts get to end by themselves before ssh is ended. */
const STOP_GRACE_MS = 15_000;
/** How often buffered output reaches its file or pipe while packets come in. */
const FLUSH_MS = 50;

/** One host's part of the run. */
interface Host {
  name: string;
  index: number;
  session?: HostSession;
  failure?: HostFailure;
  /** Packets of it that went into the output. */
  merged: number;
  /** Whether its capture listened (or it is over: failed or ended). */
  settled: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function num(x: unknown): number {
  return typeof x === "number" ? x : 0;
}

function dropped(summary: Record<string, unknown> | undefined): number {
  return num((summary?.dropped as Record<string, unknown> | undefined)?.total);
}

/** A host's counters for its interfaces' statistics blocks. */
function hostStats(h: Host): PcapngWriterStats | undefined {
  const s = h.session?.summary;
  if (!s) return { usrDeliv: h.merged };
  return {
    ifRecv: num(s.seen),
    ifDrop: dropped(s),
    filterAccept: num(s.received),
    usrDeliv: h.merged,
  };
}

/** The merged output: a pcapng file (or stdout), or text lines. */
function openMergedOutput(c: CaptureArgs): Output {
  if (c.write === undefined) return textOutput({ snaplen: c.snaplen, ...c.print });
  return fileOutput({
    path: c.write,
    format: "pcapng",
    snaplen: c.snaplen,
    userAppl: `xskdump ${meta.version} fleet`,
    rotation: c.output,
    severalInterfaces: true,
  });
}

/** Runs the fleet; resolves to the exit code. */
export async function runFleet(a: FleetArgs): Promise<number> {
  let out: Output;
  try {
    out = openMergedOutput(a.capture);
  } catch (e) {
    say(`xskdump: cannot write ${a.capture.write}: ${describeError(e)}`);
    return EXIT_FAIL;
  }
  const hosts: Host[] = a.hosts.map((name, index) => ({ name, index, merged: 0, settled: false }));
  const merge = new CaptureMerge<CaptureRecord>({
    sources: hosts.length,
    delayMs: a.mergeDelayMs,
    maxQueuedBytes: LOOKAHEAD_BYTES,
  });
  let outputError: unknown;
  let stopping = false;
  let announced = false;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    flushTimer = undefined;
    if (outputError !== undefined) return;
    try {
      out.flush();
    } catch (e) {
      failOutput(e);
    }
  };
  const emit = (r: CaptureRecord, source: number) => {
    hosts[source].merged++;
    out.addRecord(r);
  };
  const drain = () => {
    if (drainTimer !== undefined) clearTimeout(drainTimer);
    drainTimer = undefined;
    let wait: number | undefined;
    try {
      wait = merge.drain(performance.now(), outputError === undefined ? emit : () => {});
    } catch (e) {
      failOutput(e);
      wait = merge.drain(performance.now(), () => {});
    }
    if (wait !== undefined) drainTimer = setTimeout(drain, Math.ceil(wait));
    flushTimer ??= setTimeout(flush, FLUSH_MS);
  };
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const h of hosts) h.session?.stop();
    // Hosts that do not end by themselves: end ssh (the remote capture then sees its input end).
    graceTimer = setTimeout(() => {
      for (const h of hosts) h.session?.kill();
    }, STOP_GRACE_MS);
  };
  function failOutput(e: unknown) {
    if (outputError !== undefined) return;
    outputError = e;
    stopAll();
  }
  const announce = () => {
    if (announced || !hosts.every((h) => h.settled)) return;
    announced = true;
    const n = hosts.filter((h) => h.session?.listeningLine !== undefined && !h.failure).length;
    if (n > 0) say(`listening on ${plural(n, "host")}`);
  };
  const fail = (h: Host, f: HostFailure) => {
    h.failure = f;
    say(`xskdump: ${h.name}: ${f.kind}: ${f.message}`);
    if (a.strict && !stopping) {
      say(`xskdump: --strict: stopping every host`);
      stopAll();
    }
  };

  let interrupts = 0;
  const onInt = () => {
    if (++interrupts > 1) {
      // ssh ends, the connections drop, each remote capture sees its input end and stops.
      for (const h of hosts) h.session?.kill();
      Deno.exit(EXIT_INTERRUPTED);
    }
    stopAll();
  };
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", stopAll);

  const json = a.capture.json;
  const runHost = async (h: Host) => {
    let program = a.program;
    if (a.push !== undefined) {
      const pushed = await pushFile(a.ssh, h.name, a.push);
      if (typeof pushed !== "string") {
        h.settled = true;
        merge.end(h.index);
        fail(h, pushed);
        return;
      }
      program = pushed;
    }
    if (stopping) {
      h.settled = true;
      merge.end(h.index);
      return;
    }
    const listener: HostListener = {
      listening: (line) => {
        say(`${h.name}: ${line}`);
        h.settled = true;
        announce();
      },
      json: (record) => {
        if (json) say(JSON.stringify({ ...record, host: h.name }));
      },
      line: (line) => say(`${h.name}: ${line}`),
    };
    const command = remoteCommand(program, a.remoteArgs, a.sudo, a.push !== undefined);
    const session = new HostSession(a.ssh, h.name, command, program, listener);
    h.session = session;
    if (stopping) session.stop();
    const streamed = readStream(h, session);
    const code = await session.exited;
    const streamProblem = await streamed;
    merge.end(h.index);
    drain();
    h.settled = true;
    const f = session.failure(code) ??
      (streamProblem ? { kind: "capture failed" as const, message: streamProblem } : undefined);
    if (f) fail(h, f);
    announce();
  };

  /** Reads a host's stream into the merge; a problem with the stream as a message. */
  const readStream = async (h: Host, session: HostSession): Promise<string | undefined> => {
    let reader: CaptureStreamReader;
    try {
      reader = await CaptureStreamReader.open(session.stream);
    } catch (e) {
      await discard(session);
      // Nothing at all: the host failed before its capture began, and ssh's status says why.
      return /0-byte file/.test(describeError(e)) ? undefined : `its stream: ${describeError(e)}`;
    }
    const ids = new Map<string, number>();
    const idOf = (iface: number): number => {
      const key = `${reader.sections}:${iface}`;
      let id = ids.get(key);
      if (id === undefined) {
        const info = reader.interfaces[iface];
        id = out.addInterface({
          name: `${h.name}:${info?.name ?? `if${iface}`}`,
          description: h.name,
          filter: info?.filter,
          linktype: info?.linktype,
          snaplen: info?.snaplen || undefined,
          label: `${h.name}: `,
          // The host's counters go with its first interface (a capture has one).
          stats: ids.size === 0 ? () => hostStats(h) : undefined,
        });
        ids.set(key, id);
      }
      return id;
    };
    try {
      for (let i = 0; i < reader.interfaces.length; i++) idOf(i);
      for await (const batch of reader.batches()) {
        const now = performance.now();
        for (const r of batch) {
          r.interfaceId = idOf(r.interfaceId);
          merge.push(h.index, r, r.caplen + RECORD_OVERHEAD, now);
        }
        drain();
      }
    } catch (e) {
      session.stop();
      await discard(session);
      return `its stream: ${describeError(e)}`;
    }
    return undefined;
  };

  try {
    await Promise.all(hosts.map(runHost));
  } finally {
    Deno.removeSignalListener("SIGINT", onInt);
    Deno.removeSignalListener("SIGTERM", stopAll);
    clearTimeout(graceTimer);
    clearTimeout(drainTimer);
    clearTimeout(flushTimer);
  }
  drain();
  clearTimeout(drainTimer);
  clearTimeout(flushTimer);
  try {
    out.close();
  } catch (e) {
    if (outputError === undefined) outputError = e;
  }
  return summarize(hosts, merge, out, outputError, json);
}

/** Reads what is left of a stream and throws it away (ssh must not block on a full pipe). */
async function discard(session: HostSession): Promise<void> {
  const buf = new Uint8Array(1 << 16);
  try {
    while (await session.stream.read(buf) !== null) {
      // nothing to keep
    }
  } catch {
    // closed: nothing left to read
  }
}

/** Prints one summary per host that captured and the total; returns the exit code. */
function summarize(
  hosts: Host[],
  merge: CaptureMerge<CaptureRecord>,
  out: Output,
  outputError: unknown,
  json: boolean,
): number {
  const captured = hosts.filter((h) => !h.failure || h.session?.summary);
  const total = { captured: 0, received: 0, seen: 0, dropped: 0, merged: 0, late: 0 };
  for (const h of captured) {
    const s = h.session?.summary;
    const late = merge.late(h.index);
    total.captured += num(s?.captured);
    total.received += num(s?.received);
    total.seen += num(s?.seen);
    total.dropped += dropped(s);
    total.merged += h.merged;
    total.late += late;
    if (json) {
      say(JSON.stringify({ ...s, type: "summary", host: h.name, merged: h.merged, late }));
    } else {
      say(
        `${h.name}: ${plural(num(s?.captured), "packet")} captured, ${num(s?.received)} ` +
          `received by filter, ${dropped(s)} dropped by kernel, ${h.merged} merged` +
          (late ? `, ${late} out of time order (its host was slower than the delay)` : ""),
      );
    }
  }
  const failed = hosts.filter((h) => h.failure);
  let exitCode = failed.length > 0 ? EXIT_FAIL : EXIT_OK;
  if (failed.length > 0 && failed.length === hosts.length) {
    // Every host refused the capture's arguments alike: a usage error, as for one capture.
    if (failed.every((h) => h.failure?.kind === "interface missing")) exitCode = EXIT_USAGE;
  }
  let line: string | undefined;
  let stop = failed.length > 0 ? "host_failed" : "end";
  if (outputError instanceof OutputFailure) {
    line = `xskdump: ${outputError.message}`;
    stop = outputError.kind;
    if (outputError.kind !== "output_closed") exitCode = EXIT_FAIL;
  } else if (outputError !== undefined) {
    line = `xskdump: ${describeError(outputError)}`;
    stop = "error";
    exitCode = EXIT_FAIL;
  }
  const of = failed.length > 0 ? `${captured.length} of ${hosts.length}` : `${hosts.length}`;
  if (json) {
    say(JSON.stringify({
      type: "fleet_summary",
      hosts: hosts.length,
      failed: failed.map((h) => ({
        host: h.name,
        reason: h.failure!.kind,
        message: h.failure!.message,
      })),
      ...total,
      written: out.packets,
      stop,
      exit_code: exitCode,
    }));
  } else {
    say(
      `${of} hosts: ${plural(total.captured, "packet")} captured, ${total.received} received ` +
        `by filter, ${total.dropped} dropped by kernel, ${total.merged} merged` +
        (total.late ? `, ${total.late} out of time order` : ""),
    );
  }
  if (line) say(line);
  return exitCode;
}
