/**
 * The receive core: the one loop under both Capture.run() (the CLI's, into a PacketSink) and
 * Capture.receive() (the library's zero-copy batches). Synchronous per batch and per pass;
 * the only awaits are the sleeps between passes (docs/DESIGN.md, the hot path).
 *
 * A driver runs passes: `next()` until it returns 0 (each n > 0 is one batch of the source
 * `source`, held until the next call), then `endPass()`, and `await pause(step)` when the step
 * is a sleep. The core takes one batch per source per pass (round robin: a busy source cannot
 * starve the others), gives it back on the following call, counts, keeps `limits.count`, stops
 * and drains the sources at a signal or duration stop, and watches the ring integrity guard.
 * What happens to a batch is the driver's one step ({@link toSink} for the CLI); the core never
 * reads the records.
 * @module
 */
import {
  DESC_ADDR,
  DESC_DIR_MASK,
  DESC_DIR_SHIFT,
  DESC_FLAGS,
  DESC_LEN,
  DESC_NSEC,
  DESC_QUEUE_MASK,
  DESC_SEC,
  DESC_WIRELEN,
  DESC_WORDS,
} from "../../ffi/abi.ts";
import type { GuardFinding } from "./integrity.ts";
import { FLUSH_MS, Pacer, Step } from "./pacer.ts";

export { Step };

/**
 * Where records come from: an AF_XDP socket (divert, xsk_source.ts) or a tap's BPF ring buffer
 * (tap_source.ts). Each batch costs exactly two calls, take and give; the rest is for idle
 * passes and reports. Every record carries its own queue and direction (DESC_FLAGS).
 */
export interface Source {
  /** The one view every record of this source points into (a UMEM, a ring buffer). */
  readonly view: Uint8Array;
  /** The RX queue its records arrived on (an AF_XDP socket's), or -1 when they vary. */
  readonly queue: number;
  /** Takes up to `max` records into `descs` (DESC_WORDS u32 each); returns how many. */
  take(descs: Uint32Array<ArrayBuffer>, max: number): number;
  /** Gives the records of descs[0..n) back; returns the running total of integrity violations. */
  give(descs: Uint32Array<ArrayBuffer>, n: number): number;
  /** The running total of integrity violations (what give returns), without giving. */
  violations(): number;
  /** Violations by kind, each kind once (read only when the total changed). */
  findings(): GuardFinding[];
  /** No new records from now on; those already in flight can still be taken. */
  stop(): void;
  /**
   * Only before the source starts: on, take() makes synthetic records (as many as asked) and
   * give() takes them back, so the loop runs, and V8 compiles it, before the first packet.
   */
  warm(on: boolean): void;
}

/** The sleeps and the health check of a set of sources: what the loop awaits between passes. */
export interface Waits {
  /** Waits up to `ms` for records on any source, off the JS thread. */
  wait(ms: number): Promise<unknown>;
  /** Sleeps `usec` microseconds in this thread (synchronous), with nothing for the kernel to wake. */
  nap(usec: number): void;
  /** Throws when the sources' interface is gone or down (called every CHECK_MS). */
  check(): void;
}

/** Where captured packets go. add() is the hot path: no allocation there. */
export interface PacketSink {
  /**
   * One packet: its captured bytes src[off..off+len) (a view into a UMEM or a ring buffer),
   * its wall-clock time, its RX queue, its length on the wire (at least len; more when a tap
   * cut it to the snap length) and its direction (DIR: 1 in, 2 out). `flags`: the record's
   * DESC_FLAGS whole, for a sink that wants the packet's process (process.ts reads it from `src`
   * right before `off` when they say it is there).
   */
  add(
    src: Uint8Array,
    off: number,
    len: number,
    sec: number,
    nsec: number,
    queue: number,
    wireLen: number,
    direction: number,
    flags?: number,
  ): void;
  /** Pushes buffered output out (called when the ring is idle and at the end). */
  flush(): void;
  /**
   * Flush after every batch too (tcpdump's -U and -l: each packet out as it comes; a batch is
   * the packets one ring call took together).
   */
  readonly packetBuffered?: boolean;
}

/**
 * A sink that takes whole batches (the CLI's file output, into the shim's writer): one call per
 * batch, no JS per packet. It may take fewer records than it was given when it has no room
 * (its file is slower than the capture); the batch then stays held (its frames are not given
 * back) until waitRoom() says it has room again.
 */
export interface BatchSink extends PacketSink {
  /** Takes the records descs[from..n) of `src`; returns how many it took, in order. */
  putBatch(src: Source, descs: Uint32Array<ArrayBuffer>, from: number, n: number): number;
  /** Resolves when putBatch() can take more, or after `ms`. */
  waitRoom(ms: number): Promise<unknown>;
  /** on: putBatch() takes every record, writes nothing and counts nothing (a warm-up's). */
  warm?(on: boolean): void;
}

/** Whether `sink` takes whole batches. */
export function takesBatches(sink: PacketSink): sink is BatchSink {
  return typeof (sink as Partial<BatchSink>).putBatch === "function";
}

/** When run() stops on its own. */
export interface RunLimits {
  /** Stop after this many packets (exactly this many reach the sink). */
  count?: number;
  /** Stop after this many milliseconds. */
  durationMs?: number;
  /** Stop when aborted (SIGINT, SIGTERM, a caller). */
  signal?: AbortSignal;
  /** Called once per kind, on the first ring integrity violation of that kind. */
  onViolation?: (finding: GuardFinding) => void;
  /** Stop (reason "integrity") on the first ring integrity violation. */
  strict?: boolean;
}

/** Why run() returned. "error" comes with CaptureResult.error. */
export type StopReason = "count" | "duration" | "signal" | "error" | "integrity";

/**
 * What happens to a batch on the CLI's path: every record of descs[0..n) into the sink. The
 * step to replace when the record copy moves elsewhere.
 */
export function toSink(sink: PacketSink, src: Source, descs: Uint32Array, n: number): void {
  const view = src.view;
  for (let j = 0; j < n * DESC_WORDS; j += DESC_WORDS) {
    const flags = descs[j + DESC_FLAGS];
    sink.add(
      view,
      descs[j + DESC_ADDR],
      descs[j + DESC_LEN],
      descs[j + DESC_SEC],
      descs[j + DESC_NSEC],
      flags & DESC_QUEUE_MASK,
      descs[j + DESC_WIRELEN],
      (flags >>> DESC_DIR_SHIFT) & DESC_DIR_MASK,
      flags,
    );
  }
}

/** The receive core over a fixed set of sources. One loop at a time. */
export class ReceiveCore {
  readonly sources: readonly Source[];
  /** Records handed on, in all and per source, over every loop. */
  captured = 0;
  readonly capturedBy: number[];
  /** The sources were stopped (a signal or duration stop): no new records come. */
  stopped = false;
  /** The sources are closed: a loop must not touch them again. */
  closed = false;
  /** Index in `sources` of the batch next() returned last. */
  source = 0;
  /** Why the loop ends; set when endPass() returns Step.Stop. */
  reason: StopReason | undefined;
  /**
   * The longest time, ms, from the start of a pass that took records to the start of the next
   * one, or across the empty pass and the nap after it (a nap comes only while records flow):
   * how long the sources went without a take while records were arriving (the batch steps, a
   * writer that made the loop wait, the sleeps and their late wakeups). Over every loop.
   */
  longestGapMs = 0;

  readonly #waits: Waits;
  readonly #frames: number;
  /** Violation totals already looked at, per source, and the kinds reported per queue. */
  readonly #seen: number[];
  readonly #reported = new Set<string>();

  // This loop's.
  #descs = new Uint32Array(0);
  #batch = 0;
  // The limits, each in a field of its own: the hot path sees the same shapes whatever object
  // the caller passed (a warm-up's, run()'s).
  #signal: AbortSignal | undefined;
  #strict = false;
  #onViolation: ((finding: GuardFinding) => void) | undefined;
  #count = Infinity;
  #deadline = Infinity;
  #pacer: Pacer;
  #onIdle: (() => void) | undefined;
  #lastFlush = 0;
  #waitMs = 0;
  /** The next source of this pass, and what the pass took. */
  #k = 0;
  #got = 0;
  /** Records of the last batch, still the driver's. */
  #held = 0;
  #taken = 0;
  /** Why the sources were stopped, while draining. */
  #draining: StopReason | undefined;
  /** When this pass started, whether the one before it took records, and when the last pass
   * that took records started. */
  #passStart = 0;
  #lastGot = 0;
  #tookAt = 0;

  /** `frames`: records a source holds at most (the UMEM's frames), for the Pacer. */
  constructor(sources: readonly Source[], waits: Waits, frames: number) {
    this.sources = sources;
    this.#waits = waits;
    this.#frames = frames;
    this.capturedBy = sources.map(() => 0);
    this.#seen = sources.map(() => 0);
    this.#pacer = new Pacer(frames, performance.now());
  }

  /**
   * Starts a loop taking up to `descs.length / DESC_WORDS` records per batch; `onIdle` runs
   * when the sources have been dry for FLUSH_MS (a sink's flush).
   */
  begin(descs: Uint32Array<ArrayBuffer>, limits: RunLimits = {}, onIdle?: () => void): void {
    this.release(); // a loop left without finishing still held its last batch
    const now = performance.now();
    this.#descs = descs;
    this.#batch = Math.floor(descs.length / DESC_WORDS);
    this.#signal = limits.signal;
    this.#strict = limits.strict === true;
    this.#onViolation = limits.onViolation;
    // This loop's own count: a capture may run (or be read) more than once.
    this.#count = limits.count ?? Infinity;
    this.#deadline = limits.durationMs === undefined ? Infinity : now + limits.durationMs;
    this.#pacer = new Pacer(this.#frames, now);
    this.#onIdle = onIdle;
    // The first idle pass flushes (there is nothing to flush yet): a warm-up's loop then runs
    // that branch, and V8 compiles it with the rest instead of dropping the compiled pass at
    // the capture's first idle moment, right before the traffic (a --log-deopt showed it).
    this.#lastFlush = now - FLUSH_MS;
    this.#k = this.#got = this.#taken = 0;
    this.#draining = this.reason = undefined;
    this.#passStart = this.#tookAt = now;
    this.#lastGot = 0;
  }

  /**
   * Gives the last batch back and takes the next one of this pass: its size, its source at
   * `source`. 0 when the pass is over (or the loop must end); then call endPass().
   */
  next(): number {
    if (this.closed) {
      this.#held = 0;
      this.reason ??= "signal";
      return 0;
    }
    if (this.#held > 0) this.#give();
    const sources = this.sources;
    while (this.reason === undefined && this.#k < sources.length) {
      const left = this.#count - this.#taken;
      if (left <= 0) {
        this.reason = this.#draining ?? "count";
        break;
      }
      const k = this.#k++;
      const n = sources[k].take(this.#descs, left < this.#batch ? left : this.#batch);
      if (n > 0) {
        this.source = k;
        this.#held = n;
        this.#taken += n;
        this.#got += n;
        this.captured += n;
        this.capturedBy[k] += n;
        return n;
      }
    }
    return 0;
  }

  /**
   * After next() returned 0: what to do next. Step.Go: another pass now. Step.Stop: the loop
   * ends, `reason` says why. A sleep: await pause(step), then another pass.
   */
  endPass(): Step {
    const got = this.#got;
    this.#k = this.#got = 0;
    if (this.#taken >= this.#count) this.reason ??= this.#draining ?? "count";
    if (this.reason !== undefined) return Step.Stop;
    if (this.#draining) {
      if (got > 0) return Step.Go;
      this.#checkGuard();
      this.reason ??= this.#draining;
      return Step.Stop;
    }
    const now = performance.now();
    if (this.#signal?.aborted || now >= this.#deadline) {
      this.#draining = this.#signal?.aborted ? "signal" : "duration";
      this.stop(); // new packets go to the stack; what the sources hold is taken first
      return Step.Go;
    }
    if (this.#pacer.checkDue(now)) this.#waits.check();
    const step = this.#pacer.next(got, now);
    this.#lastGot = got;
    if (step === Step.Go) {
      this.#startPass(now);
      return step;
    }
    // Before any sleep (every pass when idle, every YIELD_MS under load): a source whose
    // violations came with no record to give back tells here.
    this.#checkGuard();
    if (this.reason !== undefined) return Step.Stop;
    if (step === Step.Wait && got === 0 && now - this.#lastFlush >= FLUSH_MS) {
      this.#onIdle?.(); // readers of a pipe see packets within FLUSH_MS + IDLE_WAIT_MS
      this.#lastFlush = now;
    }
    this.#waitMs = this.#pacer.waitMs(got, now, this.#deadline);
    return step;
  }

  /** The sleep endPass() asked for: a nap is synchronous, a poll awaits. */
  async pause(step: Step): Promise<void> {
    if (step === Step.Nap) {
      this.#waits.nap(this.#pacer.napUs);
      this.#startPass(performance.now(), true);
      return;
    }
    await this.#waits.wait(this.#waitMs);
    const now = performance.now();
    this.#pacer.woke(now);
    this.#startPass(now);
  }

  /**
   * A pass starts at `now`: after one that took records, or after a nap (the pass before the
   * nap's empty one took records), the time since the last pass that took records began is a
   * gap. A nap can end late (a halted vCPU whose host wakes it ~10 ms after its 1 ms timer:
   * bench/README.md), and the packets keep coming meanwhile.
   */
  #startPass(now: number, napped = false): void {
    if (this.#lastGot > 0) this.#tookAt = this.#passStart;
    if ((this.#lastGot > 0 || napped) && now - this.#tookAt > this.longestGapMs) {
      this.longestGapMs = now - this.#tookAt;
    }
    this.#passStart = now;
  }

  /**
   * The counts start again (after a warm-up: Capture.warmUp runs this core over synthetic
   * records, so that the code V8 compiles for it is the code the capture runs).
   */
  forget(): void {
    this.captured = 0;
    this.capturedBy.fill(0);
    this.longestGapMs = 0;
    this.reason = undefined;
  }

  /** The driver leaves the loop: the batch it still holds goes back. */
  release(): void {
    if (this.#held > 0 && !this.closed) this.#give();
    this.#held = 0;
  }

  /** Stops every source: new packets go to the stack, what is in flight can still be taken. */
  stop(): void {
    for (const s of this.sources) s.stop();
    this.stopped = true;
  }

  /** Findings of every source, each kind once per source. */
  findings(): GuardFinding[] {
    return this.sources.flatMap((s) => s.findings());
  }

  #give(): void {
    const k = this.source;
    const n = this.#held;
    this.#held = 0; // a give that throws is not tried again
    const total = this.sources[k].give(this.#descs, n);
    if (total !== this.#seen[k]) this.#violated(k, total);
  }

  /** Looks at every source's violation total (one call each: not per batch). */
  #checkGuard(): void {
    for (let k = 0; k < this.sources.length; k++) {
      const total = this.sources[k].violations();
      if (total !== this.#seen[k]) this.#violated(k, total);
    }
  }

  /** Source k's total changed: reports kinds new on its queue; a strict loop stops. */
  #violated(k: number, total: number): void {
    this.#seen[k] = total;
    for (const f of this.sources[k].findings()) {
      const key = `${f.queue}:${f.kind}`;
      if (f.count === 0 || this.#reported.has(key)) continue;
      this.#reported.add(key);
      this.#onViolation?.(f);
    }
    if (this.#strict && total > 0) this.reason = "integrity";
  }
}
