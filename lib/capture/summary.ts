/**
 * The end-of-capture summary, tcpdump's three lines plus where every other
 * packet went, so the counts add up.
 * @module
 */
import type { CaptureStats } from "./session.ts";
import { dropReasons } from "./stats.ts";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Lines for stderr at the end of a capture. */
export function formatSummary(s: CaptureStats): string[] {
  const d = s.dropped;
  const lines = [
    `${plural(s.captured, "packet")} captured`,
    `${plural(s.received, "packet")} received by filter`,
    `${plural(d.total, "packet")} dropped by kernel` +
    ` (${dropReasons(s, "rx ring full")})`,
    s.directions
      ? `${plural(s.seen, "packet")} seen (in ${s.directions.in.seen}, out ` +
        `${s.directions.out.seen}), every one left to the host stack` +
        (s.filtered ? ` (${s.filtered} filtered out)` : "")
      : `${plural(s.passed + s.filtered, "packet")} passed to the stack` +
        (s.filtered ? ` (${s.filtered} by the filter)` : ""),
  ];
  if (s.process) {
    const p = s.process;
    lines.push(
      `${plural(p.attributed, "packet")} with a process, ${p.unattributed} without one` +
        (p.filtered ? `, ${p.filtered} of other processes left out` : "") +
        ` (${plural(p.table.added, "socket")} from before the start)`,
    );
  }
  if (s.notKept) {
    lines.push(`${plural(s.notKept, "packet")} received after the count was reached, not kept`);
  }
  if (s.noMeta) lines.push(`${plural(s.noMeta, "packet")} timestamped in user space`);
  if (s.noHwTimestamp) {
    lines.push(
      `${
        plural(s.noHwTimestamp, "packet")
      } without a hardware timestamp from the driver (host time)`,
    );
  }
  const broken = Object.values(s.integrity).reduce((a, b) => a + b, 0);
  if (broken) {
    const byKind = Object.entries(s.integrity).map(([k, n]) => `${k} ${n}`).join(", ");
    lines.push(`${plural(broken, "RX descriptor")} broke the ring contract (${byKind})`);
  }
  if (s.queues.length > 1) {
    for (const q of s.queues) {
      lines.push(
        `queue ${q.queue}: ${plural(q.captured, "packet")} captured, ${q.dropped} dropped`,
      );
    }
  }
  return lines;
}
