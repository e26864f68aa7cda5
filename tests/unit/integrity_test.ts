// The guard's words: each kind says what broke, and the diagnosis names the generic-receive
// race exactly when it can be the cause.
import assert from "node:assert/strict";
import {
  describeViolation,
  diagnosis,
  GUARD_KINDS,
  type GuardContext,
} from "../../lib/capture/integrity.ts";

const ctx: GuardContext = {
  iface: "eth0",
  queue: 2,
  mode: "generic",
  queueCount: 4,
  frameSize: 4096,
  frameCount: 4096,
  rxOffset: 256,
};

Deno.test("diagnosis names bf0bdd13 and --single-queue for generic mode on several queues", () => {
  const d = diagnosis(ctx);
  assert.match(d, /bf0bdd13/);
  assert.match(d, /xdp: fix race on generic receive path/);
  assert.match(d, /--single-queue/);
  assert.match(d, /ethtool -L eth0 rx 1/);
  assert.match(d, /4 RX queues/);
});

Deno.test("diagnosis does not blame the race on one queue or in native mode", () => {
  assert.doesNotMatch(diagnosis({ ...ctx, queueCount: 1 }), /bf0bdd13/);
  assert.doesNotMatch(diagnosis({ ...ctx, mode: "native" }), /bf0bdd13/);
  assert.match(diagnosis({ ...ctx, mode: "native" }), /native mode/);
});

Deno.test("each kind is described with the descriptor, the queue and the address", () => {
  const lines = GUARD_KINDS.map((kind) =>
    describeViolation({ kind, count: 1, firstAddr: 0x63000, firstDescriptor: 100 }, ctx)
  );
  for (const [i, line] of lines.entries()) {
    assert.match(line, new RegExp(`^ring integrity: ${GUARD_KINDS[i]} RX descriptor #100 `));
    assert.match(line, /on eth0 queue 2/);
    assert.equal(line.split("\n").length, 1);
  }
  assert.match(lines[0], /offset 0 of frame 99; the kernel puts packets at offset 256/);
  assert.match(lines[1], /0x63000 was never put on the fill ring/);
  assert.match(lines[2], /frame 99 .* came out of RX while xskdump still held it/);
  assert.match(lines[3], /more frames than the 4096 the UMEM has/);
  assert.match(lines[4], /written to while xskdump owned it/);
  assert.match(lines[4], /may be captured corrupted/);
  assert.match(lines[0], /the packet was not captured/);
});
