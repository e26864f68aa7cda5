/**
 * Live statistics of a capture as people and scripts read them: the one-line terminal status,
 * the periodic plain line (`--stats-interval`), and the JSON objects of `--json` (schema below and
 * in README.md). Pure: the CLI samples the counters and writes the text.
 *
 * JSON (one object per line on stderr; `schema` is bumped when a field changes meaning or goes):
 *
 * - `type`: `"stats"` (periodic) or `"summary"` (once, at the end); `schema`: 1.
 * - `source`: `"live"` (a capture) or `"file"` (`-r`).
 * - `time`: wall clock, ISO 8601 UTC; `elapsed_s`: seconds since the capture started listening
 *   (or the file was opened).
 * - `interface`, `queues` (RX queues; `[]` for a tap on every queue), `mode`
 *   (`native`/`generic`, `tc` for a tap hooked at tc only), `path` (`divert` or `tap`),
 *   `direction` (`in`, `out`, `inout`): live only; `file`, `format`: `-r` only.
 * - `captured`: packets handed to the output; `bytes`: their length on the wire, summed.
 * - `received`: packets the XDP program redirected to xskdump, or the tap copied (tcpdump's
 *   "received by filter"); `seen`: packets the kernel program ran on, on every queue (a tap: in
 *   both directions); `passed`: divert: passed to the stack because no socket of ours was on
 *   their queue; tap: not captured (before the start, after the stop, another queue);
 *   `filtered`: left out by the filter.
 * - `dropped`: `{total, rx_ring_full, no_free_frame, too_big, invalid, ring_buffer_full}`, the
 *   kernel's drops by reason (`ring_buffer_full`: a tap's, `{in, out}`).
 * - `directions` (a tap only): `{in, out}`, each `{seen, copied, ring_full, filtered,
 *   proc_filtered, passed}`: per direction, seen = copied + ring_full + filtered + proc_filtered +
 *   passed.
 * - `process` (a tap with process attribution): `attributed` and `unattributed` (records read with
 *   a process and without: the shim counts them as it reads, not the kernel), `filtered` (left out by the process filter), `table` (`{sockets,
 *   owned, added}`: the socket table at start), and in the summary `maps` (`{create, use,
 *   release, map_full, live, closed}`: the hooks' counts and the maps' entries at the end).
 * - `not_kept` (delivered but not captured: a tap's left in its ring buffer after -c; divert: 0,
 *   the guard's refusals are in `integrity`), `no_meta` (timestamped in user space),
 *   `no_hw_timestamp` (-j adapter_unsynced: packets the driver gave no timestamp, host time),
 *   `fill_ring_empty` (times the kernel found no free frame), `user_held` (frames xskdump holds
 *   at that moment), `integrity` (`{misaligned, foreign, duplicate, overheld, clobber,
 *   unterminated}`: RX descriptors that broke the ring contract).
 * - `per_queue`: `[{queue, captured, dropped}]`.
 * - `longest_gap_ms`: the longest time the receive loop went without taking from the ring while
 *   packets were arriving (ms, 3 decimals): what a slow step or a late wakeup cost; past the
 *   time the UMEM lasts at the arrival rate, the kernel drops.
 * - `rate`: `{pps, bps}`, packets and bits (wire bytes x 8) per second: over the last interval in
 *   `stats`, over the whole run in `summary`.
 * - `writer` (summary, `-w` of a live capture): `{waits, longest_write_ms}`: batches that found
 *   every chunk of the shim's writer waiting for the file (the loop held them until it had room),
 *   and the longest single write(2) of a chunk.
 * - `files`: `[{path, packets, bytes}]`, every file written (path `-` for stdout; `bytes` is the
 *   file's size, headers included), in the order opened; `files_opened` counts openings (a ring
 *   of -W files reuses names).
 * - `summary` only: `stop` (why it ended: `count`, `duration`, `signal`, `file_limit`,
 *   `output_closed`, `disk_full`, `integrity`, `error`, `end` for a file read to its end),
 *   `error` (the message, when one stopped it), `exit_code`.
 *
 * @module
 */
import type { CaptureStats } from "./session.ts";

/** Version of the JSON objects' layout. */
export const JSON_SCHEMA = 1;

/** A point-in-time reading of a capture's counters plus what the output saw. */
export interface StatsSample {
  /** performance.now() when taken, ms. */
  at: number;
  /** Counters of the capture. */
  stats: CaptureStats;
  /** Wire bytes of the packets handed to the output so far. */
  bytes: number;
}

/** Packets and bits per second between two samples (0 for no time). */
export interface Rate {
  pps: number;
  bps: number;
}

/** The rate between `prev` and `cur` (or from the start, with `prev` at zero counts). */
export function rateBetween(
  prev: { at: number; captured: number; bytes: number },
  cur: { at: number; captured: number; bytes: number },
): Rate {
  const s = (cur.at - prev.at) / 1000;
  if (!(s > 0)) return { pps: 0, bps: 0 };
  return {
    pps: (cur.captured - prev.captured) / s,
    bps: ((cur.bytes - prev.bytes) * 8) / s,
  };
}

/** "512.3 Mbit/s", "12.0 kbit/s", "800 bit/s". */
export function formatBits(bps: number): string {
  const units: [number, string][] = [[1e9, "Gbit/s"], [1e6, "Mbit/s"], [1e3, "kbit/s"]];
  for (const [scale, unit] of units) {
    if (bps >= scale) return `${(bps / scale).toFixed(1)} ${unit}`;
  }
  return `${Math.round(bps)} bit/s`;
}

/** "1234 pkt/s" (whole packets). */
export function formatPps(pps: number): string {
  return `${Math.round(pps)} pkt/s`;
}

/** ", 12 frames held": the UMEM frames a divert capture holds (a tap holds no frames). */
function held(s: CaptureStats): string {
  return s.path === "tap" ? "" : `, ${s.userHeld} frames held`;
}

/** "0 dropped (ring full 0, no free frame 0, invalid 0)". */
function drops(s: CaptureStats): string {
  return `${s.dropped.total} dropped (${dropReasons(s, "ring full")})`;
}

/**
 * The kernel's drops by reason, for the status line and the summary (which names the ring
 * differently): "ring full 0, no free frame 0, invalid 0", with "larger than a frame N" only
 * when there were packets too big for a UMEM frame; a tap's "ring buffer full: in 0, out 0".
 */
export function dropReasons(s: CaptureStats, ring: string): string {
  const d = s.dropped;
  if (s.directions) {
    return `ring buffer full: in ${s.directions.in.ringFull}, out ${s.directions.out.ringFull}`;
  }
  return `${ring} ${d.rxRingFull}, no free frame ${d.noFreeFrame}, ` +
    (d.tooBig ? `larger than a frame ${d.tooBig}, ` : "") + `invalid ${d.rxInvalid}`;
}

/**
 * The terminal status line (no newline; the CLI rewrites it in place):
 * `1234 packets, 456 pkt/s, 3.2 Mbit/s, 0 dropped (ring full 0, no free frame 0, invalid 0),
 * 12 frames held`, plus the integrity count when there is one. Cut to `width` columns.
 */
export function formatStatusLine(s: CaptureStats, rate: Rate, width = Infinity): string {
  let line = `${s.captured} packets, ${formatPps(rate.pps)}, ${formatBits(rate.bps)}, ` +
    `${drops(s)}${held(s)}`;
  const broken = Object.values(s.integrity).reduce((a, b) => a + b, 0);
  if (broken) line += `, ${broken} ring violations`;
  return line.length > width ? line.slice(0, Math.max(0, width)) : line;
}

/**
 * The periodic line for a log (`--stats-interval` without a terminal): `stats 12.0s: 1234
 * packets captured, 456 pkt/s, 3.2 Mbit/s, 0 dropped (...), 12 frames held`.
 */
export function formatStatsLine(s: CaptureStats, rate: Rate, elapsedMs: number): string {
  return `stats ${(elapsedMs / 1000).toFixed(1)}s: ${s.captured} packets captured, ` +
    `${formatPps(rate.pps)}, ${formatBits(rate.bps)}, ${drops(s)}${held(s)}`;
}

/** One output file as the JSON lists it. */
export interface FileRecord {
  path: string;
  packets: number;
  bytes: number;
}

/** What a live JSON object says besides the counters. */
export interface LiveContext {
  iface: string;
  queues: readonly number[];
  mode: string;
  /** The directions captured (default "in"). */
  direction?: string;
  elapsedMs: number;
  bytes: number;
  rate: Rate;
  files: FileRecord[];
  filesOpened: number;
  /** What the shim's writer says, when it wrote the files. */
  writer?: WriterRecord;
}

/** The shim's writer as the summary reports it. */
export interface WriterRecord {
  /** Batches that found every chunk waiting for the file. */
  waits: number;
  /** The longest write(2) of one chunk, ms. */
  longestWriteMs: number;
}

/** How a capture or read ended, for the summary object. */
export interface Ending {
  stop: string;
  error?: string;
  exitCode: number;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The JSON object (`type` stats or summary) of a live capture. */
export function liveRecord(
  type: "stats" | "summary",
  s: CaptureStats,
  ctx: LiveContext,
  ending?: Ending,
): Record<string, unknown> {
  const d = s.dropped;
  const rec: Record<string, unknown> = {
    type,
    schema: JSON_SCHEMA,
    source: "live",
    time: new Date().toISOString(),
    elapsed_s: round(ctx.elapsedMs / 1000, 3),
    interface: ctx.iface,
    queues: [...ctx.queues],
    mode: ctx.mode,
    path: s.path,
    direction: ctx.direction ?? "in",
    captured: s.captured,
    bytes: ctx.bytes,
    received: s.received,
    seen: s.seen,
    dropped: {
      total: d.total,
      rx_ring_full: d.rxRingFull,
      no_free_frame: d.noFreeFrame,
      too_big: d.tooBig,
      invalid: d.rxInvalid,
      ring_buffer_full: {
        in: s.directions?.in.ringFull ?? 0,
        out: s.directions?.out.ringFull ?? 0,
      },
    },
    passed: s.passed,
    filtered: s.filtered,
    not_kept: s.notKept,
    no_meta: s.noMeta,
    no_hw_timestamp: s.noHwTimestamp,
    fill_ring_empty: s.fillRingEmpty,
    user_held: s.userHeld,
    integrity: { ...s.integrity },
    per_queue: s.queues.map((q) => ({ queue: q.queue, captured: q.captured, dropped: q.dropped })),
    longest_gap_ms: round(s.longestGapMs, 3),
    ...(s.directions ? { directions: directionsRecord(s.directions) } : {}),
    ...(s.process ? { process: processRecord(s.process) } : {}),
    rate: { pps: round(ctx.rate.pps, 1), bps: round(ctx.rate.bps, 1) },
    files: ctx.files,
    files_opened: ctx.filesOpened,
  };
  if (ctx.writer) {
    rec.writer = {
      waits: ctx.writer.waits,
      longest_write_ms: round(ctx.writer.longestWriteMs, 3),
    };
  }
  if (ending) addEnding(rec, ending);
  return rec;
}

function directionsRecord(d: NonNullable<CaptureStats["directions"]>): Record<string, unknown> {
  const one = (x: typeof d.in) => ({
    seen: x.seen,
    copied: x.copied,
    ring_full: x.ringFull,
    filtered: x.filtered,
    proc_filtered: x.procFiltered,
    passed: x.passed,
  });
  return { in: one(d.in), out: one(d.out) };
}

function processRecord(p: NonNullable<CaptureStats["process"]>): Record<string, unknown> {
  return {
    attributed: p.attributed,
    unattributed: p.unattributed,
    filtered: p.filtered,
    table: { ...p.table },
    ...(p.maps
      ? {
        maps: {
          create: p.maps.create,
          use: p.maps.use,
          release: p.maps.release,
          map_full: p.maps.mapFull,
          live: p.maps.live,
          closed: p.maps.closed,
        },
      }
      : {}),
  };
}

/** What the summary of `-r` says. */
export interface ReadContext {
  file: string;
  format: string;
  /** Packets read from the file (before any filter). */
  read: number;
  /** Packets printed or written (after the filter and -c). */
  captured: number;
  bytes: number;
  elapsedMs: number;
  files: FileRecord[];
  filesOpened: number;
}

/** The JSON summary of `-r`. */
export function readRecord(ctx: ReadContext, ending: Ending): Record<string, unknown> {
  const s = ctx.elapsedMs / 1000;
  const rec: Record<string, unknown> = {
    type: "summary",
    schema: JSON_SCHEMA,
    source: "file",
    time: new Date().toISOString(),
    elapsed_s: round(s, 3),
    file: ctx.file,
    format: ctx.format,
    read: ctx.read,
    captured: ctx.captured,
    bytes: ctx.bytes,
    rate: {
      pps: round(s > 0 ? ctx.captured / s : 0, 1),
      bps: round(s > 0 ? (ctx.bytes * 8) / s : 0, 1),
    },
    files: ctx.files,
    files_opened: ctx.filesOpened,
  };
  addEnding(rec, ending);
  return rec;
}

function addEnding(rec: Record<string, unknown>, e: Ending): void {
  rec.stop = e.stop;
  if (e.error !== undefined) rec.error = e.error;
  rec.exit_code = e.exitCode;
}
