// The UMEM geometry a capture picks: frame size from the mode and the MTU, frame count from the
// buffer size (-B), and the CLI's checks of -B.
import assert from "node:assert/strict";
import {
  DEFAULT_BUFFER_BYTES,
  defaultFrames,
  framesFor,
  frameSizeFor,
} from "../../lib/capture/geometry.ts";
import { parseArgs, UsageError } from "../../cli/args.ts";

Deno.test("frameSizeFor: 2 KiB frames only in native mode and only when the MTU fits one", () => {
  assert.equal(frameSizeFor("native", 1500), 2048);
  // 1770 + 14 (Ethernet) + 8 (two VLAN tags) = 1792 = 2048 - 256 (XDP headroom).
  assert.equal(frameSizeFor("native", 1770), 2048);
  assert.equal(frameSizeFor("native", 1771), 4096);
  assert.equal(frameSizeFor("native", 9000), 4096);
  assert.equal(frameSizeFor("generic", 1500), 4096);
});

Deno.test("framesFor: the power of two that fits, and a floor of 256 frames", () => {
  assert.equal(framesFor(DEFAULT_BUFFER_BYTES, 2048), 16384);
  assert.equal(framesFor(DEFAULT_BUFFER_BYTES, 4096), 8192);
  assert.equal(framesFor(3 << 20, 2048), 1024); // 1536 frames round down
  assert.equal(framesFor(1 << 20, 4096), 256);
  assert.throws(() => framesFor((1 << 20) - 1, 4096), /holds fewer than 256 frames of 4096/);
  assert.throws(() => framesFor(NaN, 2048), RangeError);
});

Deno.test("defaultFrames: 16384 shared among the queues, at least 4096 each", () => {
  assert.equal(defaultFrames(1), 16384);
  assert.equal(defaultFrames(2), 8192);
  assert.equal(defaultFrames(3), 4096);
  assert.equal(defaultFrames(4), 4096);
  assert.equal(defaultFrames(64), 4096);
});

Deno.test("-B: KiB per queue, at least 1 MiB; the default is a frame count", () => {
  const parse = (argv: string[]) => parseArgs(argv);
  const dflt = parse(["-i", "lo"]);
  assert.equal(dflt.kind, "capture");
  if (dflt.kind === "capture") {
    assert.equal(dflt.bufferKiB, undefined); // DEFAULT_FRAMES, whatever the frame size
    assert.equal(dflt.frames, undefined);
  }
  const big = parse(["-i", "lo", "-B", "131072"]);
  if (big.kind === "capture") assert.equal(big.bufferKiB, 131072);
  assert.throws(() => parse(["-i", "lo", "-B", "512"]), UsageError);
  assert.throws(() => parse(["-i", "lo", "-B", "lots"]), UsageError);
});
