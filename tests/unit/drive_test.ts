// The CLI's loop (lib/capture/drive.ts): runLoop into a batch sink, and the warm-up that runs it
// over synthetic batches before the capture starts, touching no record, file or count of the
// capture. The real sources' warm modes (the shim's) are covered by the integration tests
// (api_capture: a socket opened to start later).
import assert from "node:assert/strict";
import { DESC_WORDS } from "../../ffi/abi.ts";
import { type BatchSink, ReceiveCore, type Source, type Waits } from "../../lib/capture/core.ts";
import { runLoop, warmUp } from "../../lib/capture/drive.ts";

/** A ring of `records` records; warm: as many synthetic ones as asked, the ring untouched. */
class RingFake implements Source {
  readonly view = new Uint8Array(64);
  readonly queue = 0;
  ring: number;
  warmOn = false;
  /** "warm", "cold", "take", "give": warm-mode calls and ring calls. */
  events: string[] = [];
  warmTakes = 0;
  warmBatches = 0;
  held = 0;
  failAt = -1;

  constructor(records: number) {
    this.ring = records;
  }

  take(_descs: Uint32Array, max: number): number {
    if (this.warmOn) {
      if (++this.warmTakes === this.failAt) throw new Error("rx failed");
      // As the shim's warm rings (WARM_DRY, csrc/sock.h): the last two of every 256 take nothing.
      if (this.warmTakes % 256 === 0 || this.warmTakes % 256 === 255) return 0;
      this.held = max;
      this.warmBatches++;
      return max;
    }
    this.events.push("take");
    const n = Math.min(max, this.ring);
    this.ring -= n;
    this.held = n;
    return n;
  }

  give(_descs: Uint32Array, n: number): number {
    assert.equal(n, this.held, "gives back what the last take took");
    this.held = 0;
    if (!this.warmOn) this.events.push("give");
    return 0;
  }

  violations(): number {
    return 0;
  }

  findings() {
    return [];
  }

  stop(): void {}

  warm(on: boolean): void {
    assert.equal(this.held, 0, "warm changes only while nothing is held");
    this.warmOn = on;
    this.events.push(on ? "warm" : "cold");
  }
}

/** Waits that answer at once (as warm sources' do), and the timeouts the loop asked for. */
class LogWaits implements Waits {
  waitsMs: number[] = [];
  naps = 0;
  wait(ms: number): Promise<void> {
    this.waitsMs.push(ms);
    return Promise.resolve();
  }
  nap(): void {
    this.naps++;
  }
  check(): void {}
}
const waits = new LogWaits();

/** A batch sink that counts what it is given, and what it was given while warm. */
class CountSink implements BatchSink {
  records = 0;
  warmRecords = 0;
  warmOn = false;
  events: string[] = [];
  /** Called at each flush while warm. */
  onWarmFlush = () => {};
  putBatch(_src: Source, _descs: Uint32Array, from: number, n: number): number {
    if (this.warmOn) this.warmRecords += n - from;
    else this.records += n - from;
    return n - from;
  }
  waitRoom(): Promise<void> {
    return Promise.resolve();
  }
  warm(on: boolean): void {
    this.warmOn = on;
    this.events.push(on ? "warm" : "cold");
  }
  add(): void {
    throw new Error("a batch sink gets batches");
  }
  flush(): void {
    if (this.warmOn) this.onWarmFlush();
  }
}

Deno.test("warmUp: rounds of 3000 batches over synthetic records; the ring and the counts untouched", async () => {
  const src = new RingFake(1000);
  const sink = new CountSink();
  const descs = new Uint32Array(64 * DESC_WORDS);
  const log = new LogWaits();
  // A flush right after the source's second dry take is the idle pass's (runLoop flushes at
  // its end too).
  let idleFlushes = 0;
  sink.onWarmFlush = () => {
    if (src.warmTakes % 256 === 0) idleFlushes++;
  };
  const warmCore = new ReceiveCore([src], log, 4096);
  const w = await warmUp(warmCore, sink, descs);
  assert.ok(w.rounds.length >= 3 && w.rounds.length <= 10, `rounds ${w.rounds.length}`);
  assert.equal(src.warmBatches, w.rounds.length * 3000, "3000 batches a round");
  assert.equal(sink.warmRecords, w.rounds.length * 3000 * 64);
  // The idle branches ran too, each round: the nap after the ring ran dry, then the idle
  // pass's flush and poll (V8 drops compiled code at a branch it never saw run).
  assert.ok(log.naps >= w.rounds.length, `naps ${log.naps}`);
  assert.ok(idleFlushes >= w.rounds.length, `idle flushes ${idleFlushes}`);
  assert.ok(log.waitsMs.some((ms) => ms > 0), "an idle poll");
  assert.deepEqual(src.events, ["warm", "cold"], "no ring call while warm");
  assert.deepEqual(sink.events, ["warm", "cold"]);
  assert.equal(src.ring, 1000, "nothing taken off the ring");
  assert.equal(warmCore.captured, 0, "the counts forgotten");
  assert.equal(warmCore.capturedBy[0], 0);
  // The capture's loop afterwards, on the same core: exactly the ring's records.
  const r = await runLoop(warmCore, sink, descs, { count: 1000 });
  assert.equal(r.reason, "count");
  assert.equal(sink.records, 1000);
  assert.equal(warmCore.captured, 1000);
});

Deno.test("warmUp: a failure is thrown, and the source and sink are back to normal", async () => {
  const src = new RingFake(10);
  src.failAt = 5;
  const sink = new CountSink();
  await assert.rejects(
    warmUp(new ReceiveCore([src], waits, 4096), sink, new Uint32Array(8 * DESC_WORDS)),
    /rx failed/,
  );
  assert.equal(src.warmOn, false);
  assert.equal(sink.warmOn, false);
});
