/**
 * What the tools the bench runs print, read into one report per tool: xskdump's `--json`
 * summary, tcpdump's and xdpdump's summary lines, xsk_limit's JSON line, and what the
 * generators say they sent (xdp_gen's JSON, trafgen's count). Pure: tests/unit/bench_parse_test.ts
 * feeds it real outputs.
 * @module
 */
import { trafgenSent, xskdumpSummary } from "../testbed/mod.ts";
import type { ToolKind } from "./catalog.ts";

/** What a tool said about its own run. */
export interface ToolReport {
  captured: number;
  /** Redirected to the AF_XDP socket (xskdump, limit) or seen by the filter (tcpdump). */
  received?: number;
  /** Packets the XDP program ran on (xskdump and xsk_limit report it). */
  seen?: number;
  /** Kernel drop counts by reason, as the tool reports them. */
  drops: Record<string, number>;
  passedToStack?: number;
  /** Packets captured per RX queue (xskdump). */
  perQueue?: Record<number, number>;
  exitCode?: number;
  fileBytes?: number;
  /** xsk_limit: fills refused with -ENOSPC (FQ full for a moment). */
  fillEnospc?: number;
  /** xskdump: the longest time its loop went without a take while packets arrived (ms). */
  longestGapMs?: number;
  /** xskdump -w: batches that found the writer's chunks all waiting for the file. */
  writerWaits?: number;
  error?: string;
}

/** The first number a pattern captures in text, if it matches. */
function num(re: RegExp, text: string): number | undefined {
  const m = text.match(re);
  return m ? Number(m[1]) : undefined;
}

const tail = (text: string) => text.trim().slice(-300);

/** A tool's report from what it printed (its stderr and stdout once it ended). */
export function toolReport(kind: ToolKind, stderr: string, stdout: string): ToolReport {
  switch (kind) {
    case "limit": {
      const line = stdout.trim().split("\n").pop() ?? "";
      let j: Record<string, number>;
      try {
        j = JSON.parse(line);
      } catch {
        return { captured: 0, drops: {}, error: `no result: ${tail(stderr)}` };
      }
      return {
        captured: j.captured,
        received: j.redirected,
        seen: j.seen,
        passedToStack: j.passed,
        drops: {
          xskNoFreeFrame: j.rx_dropped,
          xskRxRingFull: j.rx_ring_full,
          xskInvalid: j.rx_invalid,
        },
        fillEnospc: j.fill_enospc,
      };
    }
    case "xskdump": {
      let s;
      try {
        s = xskdumpSummary(stderr);
      } catch {
        return { captured: 0, drops: {}, error: `no summary: ${tail(stderr)}` };
      }
      const broken = Object.values(s.integrity).reduce((a, b) => a + b, 0);
      return {
        captured: s.captured,
        received: s.received,
        seen: s.seen,
        passedToStack: s.passed + s.filtered,
        drops: {
          xskRxRingFull: s.dropped.rx_ring_full,
          xskNoFreeFrame: s.dropped.no_free_frame,
          xskInvalid: s.dropped.invalid,
          ...(s.dropped.too_big ? { xskTooBig: s.dropped.too_big } : {}),
          ...(broken ? { ringContract: broken } : {}),
        },
        perQueue: Object.fromEntries(s.per_queue.map((q) => [q.queue, q.captured])),
        longestGapMs: s.longest_gap_ms,
        writerWaits: s.writer?.waits,
        error: s.error,
      };
    }
    case "tap": {
      let s;
      try {
        s = xskdumpSummary(stderr);
      } catch {
        return { captured: 0, drops: {}, error: `no summary: ${tail(stderr)}` };
      }
      const full = s.dropped.ring_buffer_full;
      return {
        captured: s.captured,
        received: s.received,
        seen: s.seen,
        drops: { tapRingFull: full.in + full.out },
        error: s.error,
      };
    }
    case "tcpdump": {
      const captured = num(/^(\d+) packets? captured$/m, stderr);
      return {
        captured: captured ?? 0,
        received: num(/^(\d+) packets? received by filter$/m, stderr),
        drops: { afPacketKernel: num(/^(\d+) packets? dropped by kernel$/m, stderr) ?? NaN },
        error: captured === undefined ? `no summary: ${tail(stderr)}` : undefined,
      };
    }
    case "xdpdump": {
      const captured = num(/^(\d+) packets? captured$/m, stderr);
      return {
        captured: captured ?? 0,
        drops: { perfRing: num(/^(\d+) packets? dropped by perf ring$/m, stderr) ?? NaN },
        error: captured === undefined ? `no summary: ${tail(stderr)}` : undefined,
      };
    }
    case "sink":
      return { captured: 0, drops: {} };
  }
}

/** What a generator says it sent: xdp_gen's `frames`, trafgen's packets outgoing. */
export function generatorSent(kind: "xdpgen" | "trafgen", output: string): number | undefined {
  return kind === "xdpgen" ? num(/"frames":(\d+)/, output) : trafgenSent(output);
}
