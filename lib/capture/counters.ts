/**
 * A capture's counters (CaptureStats) from what counts them: a tap's programs and ring buffer
 * reader, a divert capture's sockets (XDP_STATISTICS and the shim's own) and its XDP program's
 * per-queue counters, and the receive core.
 * @module
 */
import {
  QCOUNT,
  QCOUNT_ROWS,
  QCOUNT_WORDS,
  STAT,
  TAP_COUNTER,
  TAP_COUNTER_COUNT,
} from "../../ffi/abi.ts";
import type { SocketTable, TapProgram } from "../../ffi/tap.ts";
import type { XdpProgram, XskSocket } from "../../ffi/xsk.ts";
import type { ReceiveCore } from "./core.ts";
import { GUARD_KINDS, type GuardKind } from "./integrity.ts";
import type { CaptureStats, DirectionStats, ProcessStats } from "./options.ts";

/** What an XDP program counted for one capture's queues. */
export interface ProgramCounts {
  seen: number;
  redirected: number;
  passed: number;
  filtered: number;
}

/**
 * A divert capture's packets taken off its RX rings that it neither kept nor had refused by the
 * guard, from its sockets' summed xsk_sock_stats words (STAT). Packets only, a chain being one:
 * the guard's findings count descriptors (a chain can break on several pieces, and the pieces
 * after a broken chain are found too), so they never enter it; the shim counts the refused
 * packets itself. The core takes no more than -c from the rings: 0 unless the books are wrong.
 */
export function divertNotKept(stat: ArrayLike<number>, captured: number): number {
  return stat[STAT.rxPackets] - stat[STAT.rxRefused] - captured;
}

/** A tap's counts: the programs' per direction, the ring buffer reader's own (`final`: and
 * the process attribution's maps, walked). */
export function tapStats(
  tap: TapProgram,
  core: ReceiveCore,
  table: SocketTable | undefined,
  final = false,
): CaptureStats {
  const v = tap.counters();
  const dir = (base: number): DirectionStats => ({
    seen: Number(v[base + TAP_COUNTER.seen]),
    copied: Number(v[base + TAP_COUNTER.copied]),
    ringFull: Number(v[base + TAP_COUNTER.ringFull]),
    filtered: Number(v[base + TAP_COUNTER.filtered]),
    passed: Number(v[base + TAP_COUNTER.passed]) + Number(v[base + TAP_COUNTER.otherQueue]),
    procFiltered: Number(v[base + TAP_COUNTER.procFiltered]),
    attributed: Number(v[base + TAP_COUNTER.attributed]),
    unattributed: Number(v[base + TAP_COUNTER.unattributed]),
  });
  const d = { in: dir(0), out: dir(TAP_COUNTER_COUNT) };
  const sum = (k: keyof DirectionStats) => d.in[k] + d.out[k];
  const ringBufferFull = sum("ringFull");
  const process: ProcessStats | undefined = table && {
    attributed: sum("attributed"),
    unattributed: sum("unattributed"),
    filtered: sum("procFiltered"),
    table,
    maps: final ? tap.procCounts() : undefined,
  };
  return {
    path: "tap",
    captured: core.captured,
    seen: sum("seen"),
    received: sum("copied"),
    passed: sum("passed"),
    filtered: sum("filtered"),
    dropped: {
      total: ringBufferFull,
      ringBufferFull,
      rxDropped: 0,
      noFreeFrame: 0,
      tooBig: 0,
      rxRingFull: 0,
      rxInvalid: 0,
    },
    fillRingEmpty: 0,
    // Copied but never handed on: left in the ring buffer after -c (or taken past it).
    notKept: sum("copied") - core.captured,
    userHeld: 0, // records are held only between two calls of the core
    noMeta: 0,
    noHwTimestamp: 0,
    longestGapMs: core.longestGapMs,
    integrity: Object.fromEntries(GUARD_KINDS.map((k) => [k, 0])) as Record<GuardKind, number>,
    queues: [],
    directions: d,
    process,
  };
}

/** A divert capture's counts: its sockets', its XDP program's (`c`) and the core's. */
export function divertStats(socks: XskSocket[], core: ReceiveCore, c: ProgramCounts): CaptureStats {
  const per = socks.map((sock) => sock.stats());
  const s = per.reduce((sum, v) => sum.map((x, i) => x + v[i]));
  const rxDropped = s[STAT.rxDropped];
  // The kernel counts both in rx_dropped; an empty fill ring is also counted on its own.
  const noFreeFrame = Math.min(rxDropped, s[STAT.rxFillEmpty]);
  const rxRingFull = s[STAT.rxRingFull];
  const rxInvalid = s[STAT.rxInvalid];
  const integrity = Object.fromEntries(GUARD_KINDS.map((k) => [k, 0])) as Record<
    GuardKind,
    number
  >;
  for (const f of core.findings()) integrity[f.kind] += f.count;
  return {
    path: "divert",
    captured: core.captured,
    seen: c.seen,
    received: c.redirected,
    passed: c.passed,
    filtered: c.filtered,
    dropped: {
      total: rxDropped + rxRingFull + rxInvalid,
      ringBufferFull: 0,
      rxDropped,
      noFreeFrame,
      tooBig: rxDropped - noFreeFrame,
      rxRingFull,
      rxInvalid,
    },
    fillRingEmpty: s[STAT.rxFillEmpty],
    notKept: divertNotKept(s, core.captured),
    userHeld: s[STAT.userHeld],
    noMeta: s[STAT.noMeta],
    noHwTimestamp: s[STAT.noHwTimestamp],
    longestGapMs: core.longestGapMs,
    integrity,
    queues: per.map((v, k) => ({
      queue: socks[k].queue,
      captured: core.capturedBy[k],
      dropped: v[STAT.rxDropped] + v[STAT.rxRingFull] + v[STAT.rxInvalid],
    })),
  };
}

/**
 * The XDP program's counts for this capture, from its per-queue counters since the attach
 * (or join): the rows of its own queues, plus those of queues no capture had (their packets
 * passed to the stack). A queue where another capture sharing the program took or filtered
 * packets is that capture's to count. Per queue, filtered = seen - redirected - passed.
 */
export function programCounts(prog: XdpProgram, queues: readonly number[]): ProgramCounts {
  const rows = prog.queueCounters();
  const own = new Set(queues);
  const t = { seen: 0, redirected: 0, passed: 0, filtered: 0 };
  for (let r = 0; r < QCOUNT_ROWS; r++) {
    const at = r * QCOUNT_WORDS;
    const seen = Number(rows[at + QCOUNT.seen]);
    if (seen === 0) continue;
    const redirected = Number(rows[at + QCOUNT.redirected]);
    const passed = Number(rows[at + QCOUNT.passed]);
    const filtered = seen - redirected - passed;
    if (!own.has(r) && redirected + filtered > 0) continue;
    t.seen += seen;
    t.redirected += redirected;
    t.passed += passed;
    t.filtered += filtered;
  }
  return t;
}
