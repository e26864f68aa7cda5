// The library API's pieces that need no kernel: a PacketBatch reading descriptors and UMEM in
// place, openCapture's argument checks, and what mod.ts exports. Live capture through the
// API is in tests/integration/api_capture_test.ts.
import assert from "node:assert/strict";
import { DESC_WORDS } from "../../ffi/abi.ts";
import { BatchView } from "../../lib/capture/live.ts";
import * as mod from "../../mod.ts";

/** A fake UMEM with three packets at offsets 256, 4352 and 8448, and their descriptors. */
function sample(snaplen = 262144): BatchView {
  const umem = new Uint8Array(3 * 4096);
  const packets = [
    { off: 256, len: 60, sec: 1_700_000_000, nsec: 5 },
    { off: 4096 + 256, len: 1514, sec: 1_700_000_000, nsec: 999_999_999 },
    { off: 8192 + 256, len: 100, sec: 4_000_000_000, nsec: 0 },
  ];
  const descs = new Uint32Array(4 * DESC_WORDS);
  packets.forEach((p, i) => {
    for (let k = 0; k < p.len; k++) umem[p.off + k] = (i * 50 + k) & 255;
    // [offset, captured length, wire length, sec, nsec, queue | direction << 16]
    descs.set([p.off, p.len, p.len, p.sec, p.nsec, 2 | 1 << 16], i * DESC_WORDS);
  });
  const b = new BatchView(2, descs, umem, snaplen);
  b.length = 3;
  return b;
}

Deno.test("api batch: reads offsets, lengths and times straight from the descriptors", () => {
  const b = sample();
  assert.equal(b.queue, 2);
  assert.deepEqual([0, 1, 2].map((i) => b.offset(i)), [256, 4352, 8448]);
  assert.deepEqual([0, 1, 2].map((i) => b.wireLength(i)), [60, 1514, 100]);
  assert.deepEqual([0, 1, 2].map((i) => b.captureLength(i)), [60, 1514, 100]);
  assert.equal(b.sec(1), 1_700_000_000);
  assert.equal(b.nsec(1), 999_999_999);
  assert.equal(b.timestampNs(1), 1_700_000_000_999_999_999n);
  assert.equal(b.timestampNs(2), 4_000_000_000_000_000_000n, "u32 seconds past 2038");
});

Deno.test("api batch: data(i) is a view into the UMEM, not a copy", () => {
  const b = sample();
  const d = b.data(1);
  assert.equal(d.buffer, b.umem.buffer);
  assert.equal(d.byteOffset, b.umem.byteOffset + 4352);
  assert.equal(d.length, 1514);
  assert.equal(d[0], 50);
  b.umem[4352] = 7;
  assert.equal(d[0], 7, "a later write to the frame shows through");
});

Deno.test("api batch: the snaplen cuts captureLength and data, not wireLength", () => {
  const b = sample(64);
  assert.deepEqual([0, 1, 2].map((i) => b.captureLength(i)), [60, 64, 64]);
  assert.deepEqual([0, 1, 2].map((i) => b.wireLength(i)), [60, 1514, 100]);
  assert.equal(b.data(1).length, 64);
});

Deno.test("api batch: a tap's record: captured bytes below the wire length, its direction", () => {
  const view = new Uint8Array(4096);
  const descs = new Uint32Array(2 * DESC_WORDS);
  // Incoming on queue 3, cut by the tap to 96 of 1500 bytes; outgoing whole.
  descs.set([40, 96, 1500, 10, 20, 3 | 1 << 16], 0);
  descs.set([200, 60, 60, 11, 21, 2 << 16], DESC_WORDS);
  const b = new BatchView(-1, descs, view, 262144);
  b.length = 2;
  assert.deepEqual([b.captureLength(0), b.wireLength(0), b.data(0).length], [96, 1500, 96]);
  assert.deepEqual([b.direction(0), b.rxQueue(0)], ["in", 3]);
  assert.deepEqual([b.direction(1), b.rxQueue(1), b.captureLength(1)], ["out", 0, 60]);
  assert.equal(b.timestampNs(1), 11_000_000_021n);
});

Deno.test("api batch: an index outside the batch throws, also once the batch is over", () => {
  const b = sample();
  for (const i of [-1, 3, 1.5, NaN]) {
    assert.throws(() => b.data(i), RangeError, String(i));
    assert.throws(() => b.offset(i), RangeError, String(i));
  }
  b.length = 0; // what the loop does when it moves on or ends
  assert.throws(() => b.wireLength(0), /packet 0 is not in this batch of 0/);
});

Deno.test("api: openCapture rejects a bad snaplen before touching the kernel", async () => {
  for (const snaplen of [0, -1, 1.5, 262145]) {
    await assert.rejects(mod.openCapture({ iface: "lo", snaplen }), RangeError, String(snaplen));
  }
});

Deno.test("api: openCapture on a missing interface rejects with an XskError naming it", async () => {
  const e = await mod.openCapture({ iface: "xsknosuch0" }).then(
    () => assert.fail("opened a missing interface"),
    (e) => e,
  );
  assert.ok(e instanceof mod.XskError, String(e));
  assert.equal(e.code, "ENODEV");
  assert.match(e.message, /xsknosuch0/);
  assert.match(e.hint, /ip link/);
});

Deno.test("api: mod.ts exports the capture, pcap and decoder API and nothing internal", () => {
  const names = Object.keys(mod).sort();
  for (
    const n of [
      "openCapture",
      "PcapWriter",
      "pcapRecords",
      "readPcapFile",
      "describeFrame",
      "Decoder",
      "formatLine",
      "XskError",
    ]
  ) {
    assert.ok(names.includes(n), `mod.ts exports ${n}`);
  }
  for (const n of ["Capture", "BatchView", "LiveCapture", "loadShim"]) {
    assert.ok(!names.includes(n), `mod.ts keeps ${n} internal`);
  }
});
