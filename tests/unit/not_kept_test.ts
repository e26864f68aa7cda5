// The summary's not_kept of a divert capture: packets off the RX rings, less those the guard
// refused (counted per packet by the shim), less those captured. It went below 0 when the guard's
// findings, which count descriptors, stood in for refused packets.

import assert from "node:assert/strict";
import { STAT, STAT_COUNT } from "../../ffi/abi.ts";
import { divertNotKept } from "../../lib/capture/session.ts";

/** xsk_sock_stats words with the given packet counts, every other word a distinct decoy. */
function stats(rxPackets: number, rxRefused: number): number[] {
  const v = Array.from({ length: STAT_COUNT }, (_, i) => 1000 + i);
  v[STAT.rxPackets] = rxPackets;
  v[STAT.rxRefused] = rxRefused;
  return v;
}

Deno.test("not_kept: a chain broken on two pieces is one refused packet, not_kept stays 0", () => {
  // 40 packets off the ring: 39 captured, 1 chain refused (its two foreign pieces are two
  // findings of the guard; the old arithmetic subtracted both and said -1).
  assert.equal(divertNotKept(stats(40, 1), 39), 0);
});

Deno.test("not_kept: what was taken off the ring and neither kept nor refused", () => {
  assert.equal(divertNotKept(stats(50, 2), 40), 8);
  assert.equal(divertNotKept(stats(0, 0), 0), 0);
});
