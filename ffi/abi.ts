/**
 * Numbers shared with C: mirrors bpf/xskdump_abi.h and the #defines of
 * csrc/shim.h. Change all together.
 * @module
 */

/** Attach modes (XSKDUMP_MODE_*). */
export const MODE = { auto: 0, native: 1, generic: 2 } as const;
/** A mode name as the CLI and API spell it. */
export type ModeName = keyof typeof MODE;
/** Mode name by number, for what the shim reports back. */
export const MODE_NAME: Record<number, ModeName> = { 0: "auto", 1: "native", 2: "generic" };

/** u32 words per RX descriptor and their slots (XSKDUMP_DESC_*). */
export const DESC_WORDS = 4;
export const DESC_ADDR = 0;
export const DESC_LEN = 1;
export const DESC_SEC = 2;
export const DESC_NSEC = 3;

/** Slots of xsk_sock_stats() (XSKDUMP_STAT_*). */
export const STAT = {
  rxDropped: 0,
  rxInvalid: 1,
  rxRingFull: 2,
  rxFillEmpty: 3,
  rxPackets: 4,
  rxBytes: 5,
  userHeld: 6,
  noMeta: 7,
} as const;
export const STAT_COUNT = 8;

/** Slots of the XDP program's counters (enum xskdump_counter). */
export const COUNTER = { seen: 0, redirected: 1, passed: 2, filtered: 3, noMeta: 4 } as const;
export const COUNTER_COUNT = 5;
