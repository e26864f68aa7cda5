// The receive core (lib/capture/core.ts) over fake sources: what it calls per batch and per
// pass, round robin, -c limits, the stop and drain, the guard, and handing batches back. The
// AF_XDP sources themselves are covered by the integration tests (api_capture, integrity,
// multiqueue, cli_live).
import assert from "node:assert/strict";
import {
  DESC_ADDR,
  DESC_LEN,
  DESC_NSEC,
  DESC_SEC,
  DESC_WIRELEN,
  DESC_WORDS,
} from "../../ffi/abi.ts";
import {
  type PacketSink,
  ReceiveCore,
  type Source,
  Step,
  toSink,
  type Waits,
} from "../../lib/capture/core.ts";
import type { GuardFinding } from "../../lib/capture/integrity.ts";
import { NAP_MAX_US, NAP_MIN_US, Pacer } from "../../lib/capture/pacer.ts";

/** Records waiting in a fake ring: their "addresses" are numbers, given back by give(). */
class FakeSource implements Source {
  readonly view = new Uint8Array(8);
  readonly queue: number;
  /** Records still in the ring. */
  ring: number[] = [];
  /** Every call, in order: "take", "give", "violations", "findings", "stop". */
  calls: string[] = [];
  /** Records taken and not given back yet, and every record given back. */
  held: number[] = [];
  given: number[] = [];
  /** The max each take was asked for. */
  maxes: number[] = [];
  total = 0;
  kinds: GuardFinding[] = [];
  stopped = false;

  constructor(queue: number, records = 0, first = 0) {
    this.queue = queue;
    for (let i = 0; i < records; i++) this.ring.push(first + i);
  }

  take(descs: Uint32Array, max: number): number {
    this.calls.push("take");
    this.maxes.push(max);
    const n = Math.min(max, this.ring.length, descs.length / DESC_WORDS);
    for (let i = 0; i < n; i++) {
      const r = this.ring.shift()!;
      // A tap-like record: captured below wire length, the queue and a direction in the flags.
      const dir = r % 2 ? 2 : 1;
      descs.set(
        [r, 60 + (r % 7), 100 + r, 1000 + r, r * 3, this.queue | dir << 16],
        i * DESC_WORDS,
      );
      this.held.push(r);
    }
    return n;
  }

  give(descs: Uint32Array, n: number): number {
    this.calls.push("give");
    const back = Array.from({ length: n }, (_, i) => descs[i * DESC_WORDS + DESC_ADDR]);
    assert.deepEqual(back, this.held.slice(0, n), "gives back exactly what it took");
    this.held.splice(0, n);
    this.given.push(...back);
    return this.total;
  }

  violations(): number {
    this.calls.push("violations");
    return this.total;
  }

  findings(): GuardFinding[] {
    this.calls.push("findings");
    return this.kinds;
  }

  stop(): void {
    this.calls.push("stop");
    this.stopped = true;
  }

  warm(on: boolean): void {
    this.calls.push(on ? "warm" : "cold");
  }

  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }
}

const waits = (): Waits & { checks: number; sleeps: number } => ({
  checks: 0,
  sleeps: 0,
  wait() {
    this.sleeps++;
    return Promise.resolve();
  },
  nap() {
    this.sleeps++;
  },
  check() {
    this.checks++;
  },
});

/** One pass: the batch sizes next() returned, then endPass()'s step. */
function pass(core: ReceiveCore, each?: (n: number) => void): { sizes: number[]; step: Step } {
  const sizes: number[] = [];
  for (let n = core.next(); n > 0; n = core.next()) {
    sizes.push(n);
    each?.(n);
  }
  return { sizes, step: core.endPass() };
}

/** Runs passes the way Capture.run() does until the core stops; returns the batch sizes. */
async function drive(core: ReceiveCore, each?: (n: number) => void): Promise<number[]> {
  const sizes: number[] = [];
  for (;;) {
    const p = pass(core, each);
    sizes.push(...p.sizes);
    if (p.step === Step.Stop) return sizes;
    if (p.step !== Step.Go) await core.pause(p.step);
  }
}

const descs = (batch: number) => new Uint32Array(batch * DESC_WORDS);

Deno.test("core: per batch exactly one take and one give; the guard total only before a sleep", () => {
  const a = new FakeSource(0, 200);
  const b = new FakeSource(1, 64);
  const core = new ReceiveCore([a, b], waits(), 4096);
  core.begin(descs(64));
  const ring = (src: FakeSource) => src.calls.filter((c) => c === "take" || c === "give");
  // A busy pass: a batch from each source, each taken once and given once.
  const first = pass(core);
  assert.deepEqual(first.sizes, [64, 64]);
  assert.deepEqual(ring(a), ["take", "give"]);
  assert.deepEqual(ring(b), ["take", "give"]);
  const second = pass(core);
  assert.deepEqual(second.sizes, [64]);
  assert.deepEqual(ring(a), ["take", "give", "take", "give"]);
  assert.deepEqual(ring(b), ["take", "give", "take"], "an empty take costs one call, no give");
  // Passes until the rings run dry: the totals are read only when the loop is about to sleep
  // (a pass that took nothing, or every few ms under load), one call per source.
  let sleeps = [first, second].filter((p) => p.step !== Step.Go).length;
  for (let p = second; p.sizes.length > 0;) {
    p = pass(core);
    assert.notEqual(p.step, Step.Stop);
    if (p.step !== Step.Go) sleeps++;
  }
  assert.ok(sleeps >= 1);
  assert.equal(a.count("take") - 1, a.count("give"), "every batch given back, the last take empty");
  assert.equal(a.count("violations"), sleeps);
  assert.equal(b.count("violations"), sleeps);
  assert.equal(a.count("findings") + b.count("findings"), 0, "no report while nothing changed");
  assert.equal(core.captured, 264);
  assert.deepEqual(core.capturedBy, [200, 64]);
  assert.equal(a.given.length, 200);
});

Deno.test("core: one batch per source per pass, so a busy source cannot starve the others", () => {
  const busy = new FakeSource(0, 1000);
  const quiet = new FakeSource(1, 3, 5000);
  const core = new ReceiveCore([busy, quiet], waits(), 4096);
  core.begin(descs(16));
  const p = pass(core);
  assert.deepEqual(p.sizes, [16, 3]);
  assert.deepEqual(quiet.given, [5000, 5001, 5002]);
  assert.equal(core.source, 1);
});

Deno.test("core: a count limit lets exactly N records through, across sources", async () => {
  const a = new FakeSource(0, 100);
  const b = new FakeSource(1, 100, 1000);
  const core = new ReceiveCore([a, b], waits(), 4096);
  core.begin(descs(8), { count: 21 });
  const sizes = await drive(core);
  assert.equal(core.reason, "count");
  assert.equal(sizes.reduce((x, y) => x + y, 0), 21);
  assert.deepEqual(sizes, [8, 8, 5], "the last take asks for what is left");
  assert.deepEqual(a.maxes, [8, 5]);
  assert.deepEqual(b.maxes, [8]);
  assert.equal(a.given.length + b.given.length, 21, "the last batch went back too");
  assert.equal(a.stopped || b.stopped, false, "a count stop does not stop the sources");
  // The next loop counts its own.
  core.begin(descs(8), { count: 3 });
  assert.deepEqual(await drive(core), [3]);
  assert.equal(core.captured, 24);
});

Deno.test("core: a signal stops the sources, then drains what they hold", async () => {
  const a = new FakeSource(0, 30);
  const b = new FakeSource(1, 10, 100);
  const abort = new AbortController();
  const core = new ReceiveCore([a, b], waits(), 4096);
  core.begin(descs(8), { signal: abort.signal });
  assert.deepEqual(pass(core).sizes, [8, 8]);
  abort.abort();
  assert.equal(a.stopped, false);
  const sizes = await drive(core);
  assert.ok(a.stopped && b.stopped && core.stopped);
  assert.equal(core.reason, "signal");
  assert.equal(sizes.reduce((x, y) => x + y, 0), 24, "everything left in the rings");
  assert.equal(a.ring.length + b.ring.length, 0);
  assert.equal(a.given.length + b.given.length, 40);
  assert.ok(a.calls.indexOf("stop") < a.calls.lastIndexOf("take"), "drained after the stop");
  assert.ok(a.count("violations") >= 1, "the drain's end looks at the guard");
});

Deno.test("core: a duration stop drains too, and keeps the count", async () => {
  const a = new FakeSource(0, 50);
  const core = new ReceiveCore([a], waits(), 4096);
  core.begin(descs(8), { durationMs: 0, count: 12 });
  const sizes = await drive(core);
  assert.equal(sizes.reduce((x, y) => x + y, 0), 12);
  assert.equal(core.reason, "duration", "the stop's reason, even when the drain met the count");
  assert.ok(a.stopped);
});

Deno.test("core: a new violation comes with the give; reported once per kind; strict stops", async () => {
  const a = new FakeSource(0, 100);
  const b = new FakeSource(1, 100, 1000);
  const seen: GuardFinding[] = [];
  const core = new ReceiveCore([a, b], waits(), 4096);
  core.begin(descs(8), { onViolation: (f) => seen.push(f) });
  pass(core);
  b.total = 2;
  b.kinds = [{ kind: "foreign", count: 2, firstAddr: 4096, firstDescriptor: 9, queue: 1 }];
  const p = pass(core);
  assert.deepEqual(p.sizes, [8, 8]);
  assert.equal(b.count("findings"), 1, "the report is read when the total changed");
  assert.equal(a.count("findings"), 0);
  assert.deepEqual(seen.map((f) => [f.queue, f.kind]), [[1, "foreign"]]);
  b.total = 3;
  b.kinds = [{ ...b.kinds[0], count: 3 }];
  pass(core);
  assert.equal(seen.length, 1, "a kind already reported is not reported again");

  core.begin(descs(8), { strict: true });
  a.total = 1;
  a.kinds = [{ kind: "clobber", count: 1, firstAddr: 0, firstDescriptor: 20, queue: 0 }];
  const sizes = await drive(core);
  assert.equal(core.reason, "integrity");
  assert.deepEqual(sizes, [8], "stops right after the batch whose give told");
  assert.equal(b.held.length + a.held.length, 0);
});

Deno.test("core: violations with no record to give back are found before the next sleep", () => {
  const a = new FakeSource(0, 0);
  const core = new ReceiveCore([a], waits(), 4096);
  const seen: GuardFinding[] = [];
  core.begin(descs(8), { strict: true, onViolation: (f) => seen.push(f) });
  a.total = 1; // e.g. every descriptor of a batch refused: take returned 0, nothing to give
  a.kinds = [{ kind: "misaligned", count: 1, firstAddr: 0, firstDescriptor: 1, queue: 0 }];
  const p = pass(core);
  assert.deepEqual(p.sizes, []);
  assert.equal(p.step, Step.Stop);
  assert.equal(core.reason, "integrity");
  assert.equal(seen.length, 1);
});

Deno.test("core: release() gives a held batch back; a closed core touches nothing", () => {
  const a = new FakeSource(0, 20);
  const core = new ReceiveCore([a], waits(), 4096);
  core.begin(descs(8));
  assert.equal(core.next(), 8);
  core.release();
  assert.equal(a.given.length, 8);
  core.release();
  assert.equal(a.given.length, 8, "given back once");
  // A loop left without release(): the next begin() gives its batch back.
  core.begin(descs(8));
  assert.equal(core.next(), 8);
  core.begin(descs(8));
  assert.equal(a.given.length, 16);
  assert.equal(core.next(), 4);
  const calls = a.calls.length;
  core.closed = true;
  assert.equal(core.next(), 0);
  core.release();
  assert.equal(a.calls.length, calls, "no call on a closed source");
  assert.equal(core.endPass(), Step.Stop);
});

Deno.test("core: idle passes poll; the first flushes the sink, the others at most every 50 ms", async () => {
  const a = new FakeSource(0, 0);
  const w = waits();
  const flushes: number[] = [];
  let sleeps = 0;
  const sleptBefore: number[] = [];
  const core = new ReceiveCore([a], w, 4096);
  const abort = new AbortController();
  core.begin(descs(8), { signal: abort.signal }, () => {
    flushes.push(performance.now());
    sleptBefore.push(sleeps);
  });
  const t0 = performance.now();
  while (flushes.length < 3 && performance.now() - t0 < 10_000) {
    const p = pass(core);
    assert.equal(p.step, Step.Wait, "an idle source: poll");
    await core.pause(p.step);
    sleeps++;
  }
  assert.equal(w.sleeps, sleeps);
  assert.equal(flushes.length, 3);
  // The first idle pass flushes at once (so a warm-up runs that branch too); after it, the
  // core times each flush from the one before: 50 ms on its own clock, read before the
  // callback reads ours, so the difference of two of ours may be short of 50 by the delay of
  // the first (a GC, say). Idle passes here come microseconds apart: 40 ms is "not each pass".
  assert.equal(sleptBefore[0], 0, "the first pass flushed");
  assert.ok(sleptBefore[1] > 1, `polls before the second flush: ${sleptBefore}`);
  assert.ok(flushes[1] - flushes[0] >= 40 && flushes[2] - flushes[1] >= 40, `${flushes}`);
  abort.abort();
  assert.equal(pass(core).step, Step.Go, "the stop starts the drain");
  assert.equal(pass(core).step, Step.Stop);
  assert.equal(core.reason, "signal");
});

Deno.test("core: a nap while packets flow is a gap, from the last pass that took them", async () => {
  const a = new FakeSource(0, 64);
  const w = waits();
  // The nap's sleep ends 30 ms late (a halted vCPU woken late by its host, say).
  const lateNap: Waits = {
    ...w,
    nap() {
      const until = performance.now() + 30;
      while (performance.now() < until);
    },
  };
  const core = new ReceiveCore([a], lateNap, 4096);
  core.begin(descs(64));
  const steps: Step[] = [];
  for (let i = 0; i < 3 && !steps.includes(Step.Nap); i++) {
    const p = pass(core);
    steps.push(p.step);
    if (p.step !== Step.Go) await core.pause(p.step);
  }
  assert.deepEqual(steps, [Step.Go, Step.Nap], "a batch, then the ring ran dry: a nap");
  assert.ok(core.longestGapMs >= 30, `the late nap is a gap: ${core.longestGapMs}`);
});

Deno.test("toSink: each record's words by their DESC_* slot, its queue and direction", () => {
  const src = new FakeSource(3, 2, 10);
  const d = descs(4);
  const n = src.take(d, 4);
  const got: unknown[][] = [];
  const sink: PacketSink = {
    add: (view, off, len, sec, nsec, queue, wireLen, direction) =>
      got.push([view === src.view, off, len, sec, nsec, queue, wireLen, direction]),
    flush() {},
  };
  toSink(sink, src, d, n);
  const w = DESC_WORDS;
  assert.deepEqual(got, [
    [true, 10, d[DESC_LEN], d[DESC_SEC], d[DESC_NSEC], 3, d[DESC_WIRELEN], 1],
    [true, 11, d[w + DESC_LEN], d[w + DESC_SEC], d[w + DESC_NSEC], 3, d[w + DESC_WIRELEN], 2],
  ]);
  assert.ok(d[DESC_WIRELEN] > d[DESC_LEN], "the wire length is its own word");
});

Deno.test("pacer: a busy ring that runs dry naps, at most a quarter of the UMEM at the rate seen", () => {
  const frames = 16384;
  const p = new Pacer(frames, 0);
  // 64 packets per 0.1 ms: 0.64 packets/us, so 1 ms fills 640 frames: the full nap.
  let now = 0;
  for (let i = 0; i < 10; i++) assert.equal(p.next(64, now += 0.1), Step.Go);
  assert.equal(p.next(0, now += 0.1), Step.Nap);
  assert.equal(p.napUs, NAP_MAX_US);
  // 8192 packets per 0.5 ms (16.4 per us): a quarter of the UMEM lasts 250 us.
  assert.equal(p.next(8192, now += 0.5), Step.Go);
  assert.equal(p.next(0, now), Step.Nap);
  assert.ok(p.napUs * (8192 / 500) <= frames / 4 && p.napUs >= NAP_MIN_US, `${p.napUs}`);
  // A dry ring after a dry pass (or after a nap that brought nothing): poll.
  assert.equal(p.next(0, now += 1), Step.Wait);
  assert.equal(p.waitMs(0, now, Infinity), 50);
});

Deno.test("pacer: the first pass checks the interface, then once a second", () => {
  const p = new Pacer(4096, 1000);
  assert.equal(p.checkDue(1000), true, "at once: a warm-up's loop runs that branch too");
  assert.equal(p.checkDue(1999), false);
  assert.equal(p.checkDue(2000), true);
});

Deno.test("pacer: under load the event loop turns every 5 ms; a nap does not count as a turn", () => {
  const p = new Pacer(16384, 0);
  let now = 0;
  const steps: Step[] = [];
  // Packets in every pass, with a nap now and then: no turn for 5 ms, then a poll of 0 ms.
  while (now < 5) {
    steps.push(p.next(64, now += 0.5));
    steps.push(p.next(0, now));
  }
  assert.ok(steps.includes(Step.Nap));
  assert.equal(steps.at(-2), Step.Wait, "a turn due: poll, though packets came");
  assert.equal(p.waitMs(64, now, Infinity), 0);
  p.woke(now);
  assert.equal(p.next(64, now += 0.5), Step.Go, "the turn happened: go on");
});

Deno.test("core: longestGapMs is the longest pass that took records, sleeps after it included", async () => {
  const a = new FakeSource(0, 100);
  const w = waits();
  const slowWait: Waits = {
    ...w,
    // A poll under load returns at once; an idle one (up to 50 ms asked) takes 300 ms here,
    // but nothing was flowing before it, so it is not a gap.
    wait: (ms: number) => new Promise((r) => setTimeout(r, ms > 0 ? 300 : 0)),
  };
  const core = new ReceiveCore([a], slowWait, 4096);
  const abort = new AbortController();
  core.begin(descs(64), { signal: abort.signal });
  let passes = 0;
  for (; passes < 6; passes++) {
    const p = pass(core, () => {
      // A batch step that takes 20 ms (a slow write, say).
      const until = performance.now() + 20;
      while (performance.now() < until);
    });
    if (p.step === Step.Stop) break;
    if (p.step !== Step.Go) await core.pause(p.step);
  }
  assert.equal(core.captured, 100);
  assert.ok(core.longestGapMs >= 20, `${core.longestGapMs}`);
  assert.ok(core.longestGapMs < 300, `an idle poll is not a gap: ${core.longestGapMs}`);
  abort.abort();
});
