/**
 * What the tools the tests and the bench run print, read back: xskdump's `--json` summary (the
 * schema of README.md "Live statistics and JSON"), tcpreplay's counts and trafgen's. Pure: text
 * in, numbers out, so tests/unit checks it on real outputs without root.
 * @module
 */

/** xskdump's drops by reason (`dropped` of the JSON). */
export interface XskdumpDrops {
  total: number;
  rx_ring_full: number;
  no_free_frame: number;
  too_big: number;
  invalid: number;
  /** A tap's full ring buffer, per direction. */
  ring_buffer_full: { in: number; out: number };
}

/** The summary object `xskdump --json` prints on stderr at the end of a live capture. */
export interface XskdumpSummary {
  type: "summary";
  schema: number;
  source: "live";
  interface: string;
  queues: number[];
  mode: string;
  /** "tap" or "divert". */
  path: string;
  /** "in", "out" or "inout". */
  direction: string;
  captured: number;
  bytes: number;
  received: number;
  seen: number;
  dropped: XskdumpDrops;
  passed: number;
  filtered: number;
  not_kept: number;
  no_meta: number;
  fill_ring_empty: number;
  user_held: number;
  no_hw_timestamp?: number;
  integrity: Record<string, number>;
  per_queue: { queue: number; captured: number; dropped: number }[];
  /** The longest time the receive loop went without a take while packets arrived, ms. */
  longest_gap_ms: number;
  /** A tap's counts per direction. */
  directions?: Record<
    "in" | "out",
    { seen: number; copied: number; ring_full: number; filtered: number; passed: number }
  >;
  rate: { pps: number; bps: number };
  files: { path: string; packets: number; bytes: number }[];
  files_opened: number;
  /** -w through the shim's writer: batches that waited for the file, the longest write. */
  writer?: { waits: number; longest_write_ms: number };
  stop: string;
  error?: string;
  exit_code: number;
}

/** The JSON objects among stderr's lines (every JSON line starts with `{`). */
export function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

/** The live summary of `xskdump --json` in its stderr; throws, quoting stderr, without one. */
export function xskdumpSummary(stderr: string): XskdumpSummary {
  const s = jsonLines(stderr).findLast((o) => o.type === "summary");
  if (!s) throw new Error(`no JSON summary in xskdump's stderr:\n${stderr}`);
  if (s.schema !== 1 || s.source !== "live") {
    throw new Error(`a summary of schema ${s.schema}, source ${s.source}: not read here`);
  }
  return s as unknown as XskdumpSummary;
}

/** What tcpreplay says it did. */
export interface TcpreplayCounts {
  /** Frames sent successfully. */
  sent: number;
  /** Frames the kernel refused (e.g. larger than the MTU allows). */
  failed: number;
  truncated: number;
  seconds: number;
}

/** tcpreplay's counts from its output (stdout and stderr). */
export function tcpreplayCounts(output: string): TcpreplayCounts {
  const num = (re: RegExp): number => {
    const m = output.match(re);
    if (!m) throw new Error(`tcpreplay output lacks ${re}:\n${output}`);
    return Number(m[1]);
  };
  return {
    sent: num(/Successful packets:\s+(\d+)/),
    failed: num(/Failed packets:\s+(\d+)/),
    truncated: num(/Truncated packets:\s+(\d+)/),
    seconds: num(/sent in ([\d.]+) seconds/),
  };
}

/** The frames trafgen says it sent ("N packets outgoing"), if it said. */
export function trafgenSent(output: string): number | undefined {
  const m = /^\s*(\d+) packets outgoing$/m.exec(output);
  return m ? Number(m[1]) : undefined;
}

/**
 * The write(2) calls an `strace -y -e trace=write` log holds to descriptors whose path (strace's
 * `<...>` after the fd, `pipe:[...]` for a pipe) matches `target`: how -U and -l are seen to write
 * per packet or per batch.
 */
export function straceWrites(log: string, target: RegExp): number {
  return log.split("\n").filter((l) => {
    const m = /\bwrite\(\d+<([^>]*)>/.exec(l);
    return m !== null && target.test(m[1]);
  }).length;
}
