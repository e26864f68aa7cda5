/**
 * The capture session: attach, open one socket per queue, drive the receive core (core.ts)
 * into a sink or as batches, count, stop cleanly on every exit path. The CLI and the library
 * API are both built on it.
 * @module
 */
import {
  DESC_WORDS,
  type ModeName,
  QCOUNT,
  QCOUNT_ROWS,
  QCOUNT_WORDS,
  RX_OFFSET,
  STAT,
} from "../../ffi/abi.ts";
import { ifaceMtu, XdpProgram, XskError, XskSocket } from "../../ffi/xsk.ts";
import { GUARD_KINDS, type GuardContext, type GuardKind } from "./integrity.ts";
import { compileFilter, installFilter } from "./filter.ts";
import {
  type PacketSink,
  ReceiveCore,
  type RunLimits,
  Step,
  type StopReason,
  takesBatches,
  toSink,
} from "./core.ts";
import {
  DEFAULT_BUFFER_BYTES,
  DEFAULT_FRAMES,
  defaultFrames,
  framesFor,
  frameSizeFor,
} from "./geometry.ts";
import { XskSource, XskWaits } from "./xsk_source.ts";

/** Longest single wait for room in a slow output, so the loop looks up now and then. */
const ROOM_WAIT_MS = 100;

export type { BatchSink, PacketSink, RunLimits, Source, StopReason } from "./core.ts";
export { DEFAULT_BUFFER_BYTES, DEFAULT_FRAMES };

/** How a capture is set up. */
export interface CaptureOptions {
  /** Interface name. */
  iface: string;
  /** RX queue (default 0). */
  queue?: number;
  /** Several RX queues, one socket (and UMEM) each, or "all"; overrides `queue`. */
  queues?: number[] | "all";
  /** XDP attach mode (default auto: native, else generic). */
  mode?: ModeName;
  /**
   * UMEM bytes per captured queue: what the kernel can hold for xskdump while it is busy
   * elsewhere. Rounded down to a power-of-two frame count. Default: {@link DEFAULT_FRAMES}
   * frames (32 MiB with 2 KiB frames, 64 MiB with 4 KiB).
   */
  bufferBytes?: number;
  /** UMEM frames, a power of two; overrides `bufferBytes`. */
  frameCount?: number;
  /**
   * UMEM frame size, 2048 or 4096 (default: 2048 when the interface's MTU fits one in native
   * mode, else 4096; see {@link frameSizeFor}).
   */
  frameSize?: number;
  /** Descriptors taken per rx call (default 64). */
  batchSize?: number;
  /** Check every descriptor against the frame-ownership ledger (default true). */
  guard?: boolean;
  /**
   * tcpdump filter expression, run in the kernel: only matching packets are
   * redirected, the rest go to the stack untouched. Undefined (or empty)
   * captures everything. A bad or refused filter throws FilterError.
   */
  filter?: string;
}

/** What run() ended with. */
export interface CaptureResult {
  /** Why it stopped. */
  reason: StopReason;
  /** The error that stopped the capture (interface gone, output failed). */
  error?: unknown;
}

/** Counters of one capture; every packet the XDP program saw is in exactly one bucket. */
export interface CaptureStats {
  /** Packets handed to the sink. */
  captured: number;
  /** Packets the XDP program ran on. */
  seen: number;
  /** Redirected to our socket ("received by filter" in tcpdump's words). */
  received: number;
  /** Passed to the stack: not ours to take (no socket on the queue). */
  passed: number;
  /** Passed to the stack by the filter. */
  filtered: number;
  /** Dropped by the kernel, by reason (XDP_STATISTICS). */
  dropped: {
    total: number;
    /** The kernel's rx_dropped: the two below together. */
    rxDropped: number;
    /** No free frame on the fill ring (rx_dropped, at most the times it found the ring empty). */
    noFreeFrame: number;
    /** The rest of rx_dropped: packets larger than a frame (e.g. GSO/GRO skbs in generic mode). */
    tooBig: number;
    rxRingFull: number;
    rxInvalid: number;
  };
  /** Times the kernel found the fill ring empty. */
  fillRingEmpty: number;
  /** Taken off the RX ring intact but not handed to the sink (after -c was reached). */
  notKept: number;
  /** Frames the user side holds right now. */
  userHeld: number;
  /** Packets without our XDP timestamp (time taken in user space instead). */
  noMeta: number;
  /**
   * The longest time, ms, the receive loop went without taking from the ring while packets
   * were arriving (from the start of a pass that took packets to the start of the next).
   */
  longestGapMs: number;
  /** RX descriptors that broke the ring contract, by kind (never captured). */
  integrity: Record<GuardKind, number>;
  /** Per RX queue, in socket order. */
  queues: QueueStats[];
}

/** Per RX queue counters. */
export interface QueueStats {
  /** The RX queue. */
  queue: number;
  /** Packets taken from it. */
  captured: number;
  /** Dropped by the kernel on this queue (XDP_STATISTICS). */
  dropped: number;
}

/** One AF_XDP capture on one interface: one socket per RX queue captured. */
export class Capture implements AsyncDisposable {
  readonly iface: string;
  /** The first (or only) queue captured. */
  readonly queue: number;
  /** Every queue captured, in socket order. */
  readonly queues: number[];
  readonly mode: "native" | "generic";
  readonly zerocopy: boolean;
  /**
   * True when another xskdump had attached the XDP program to the interface and this capture
   * joined it, on other queues (with the same filter); `sharedWith` names it, when it can.
   */
  readonly shared: boolean;
  readonly sharedWith: string;
  readonly #prog: XdpProgram;
  readonly #socks: XskSocket[];
  /** The receive core over the sockets (one source each, in socket order). */
  readonly #core: ReceiveCore;
  /** run()'s batch: descriptors of DESC_WORDS u32. */
  readonly #descs: Uint32Array<ArrayBuffer>;
  #closed = false;
  #final?: CaptureStats;

  readonly #frameSize: number;
  readonly #frameCount: number;

  private constructor(
    prog: XdpProgram,
    socks: XskSocket[],
    batch: number,
    frameCount: number,
    frameSize: number,
  ) {
    this.#frameCount = frameCount;
    this.#frameSize = frameSize;
    this.#prog = prog;
    this.#socks = socks;
    this.#core = new ReceiveCore(
      socks.map((s) => new XskSource(s)),
      new XskWaits(prog, socks),
      frameCount,
    );
    this.#descs = new Uint32Array(batch * DESC_WORDS);
    this.iface = prog.iface;
    this.queue = socks[0].queue;
    this.queues = socks.map((s) => s.queue);
    this.mode = prog.mode as "native" | "generic";
    this.zerocopy = socks.every((s) => s.zerocopy);
    this.shared = prog.shared;
    this.sharedWith = prog.sharedWith;
  }

  /** Attaches our XDP program and opens the socket. Throws XskError (FilterError for the filter). */
  static open(opts: CaptureOptions): Capture {
    const batch = opts.batchSize ?? 64;
    if (!Number.isInteger(batch) || batch < 1 || batch > 4096) {
      throw new RangeError(`batch size ${batch} is not in 1..4096`);
    }
    // Compiled before anything is attached: a bad expression changes nothing.
    const filter = opts.filter?.trim() ? compileFilter(opts.filter.trim()) : undefined;
    const prog = XdpProgram.attach(opts.iface, opts.mode ?? "auto");
    try {
      // Before the socket exists, so no packet is ever redirected unfiltered.
      if (filter) installFilter(prog, filter);
      const queues = opts.queues === "all"
        ? Array.from({ length: prog.queueCount }, (_, i) => i)
        : opts.queues ?? [opts.queue ?? 0];
      if (!queues.length || new Set(queues).size !== queues.length) {
        throw new RangeError(`queues must be distinct and at least one: ${queues.join(",")}`);
      }
      const frameSize = opts.frameSize ?? frameSizeFor(prog.mode, ifaceMtu(opts.iface));
      const frameCount = opts.frameCount ??
        (opts.bufferBytes === undefined
          ? defaultFrames(queues.length)
          : framesFor(opts.bufferBytes, frameSize));
      const socks: XskSocket[] = [];
      try {
        for (const q of queues) {
          socks.push(XskSocket.open(prog, q, frameCount, frameSize));
          if (opts.guard === false) socks[socks.length - 1].setGuard(false);
        }
      } catch (e) {
        for (const s of socks) s.close();
        throw e;
      }
      return new Capture(prog, socks, batch, frameCount, frameSize);
    } catch (e) {
      prog.detach();
      throw e;
    }
  }

  /**
   * The CLI's loop: drives the receive core, every batch into the sink (whole, for a sink that
   * takes batches). Returns why it stopped; the sink is flushed, the socket stays open for
   * stats() until close().
   */
  async run(sink: PacketSink, limits: RunLimits = {}): Promise<CaptureResult> {
    const core = this.#core;
    const descs = this.#descs;
    const sources = core.sources;
    const batches = takesBatches(sink) ? sink : undefined;
    let result: CaptureResult;
    try {
      core.begin(descs, limits, () => sink.flush());
      for (;;) {
        for (let n = core.next(); n > 0; n = core.next()) {
          const src = sources[core.source];
          if (batches === undefined) {
            toSink(sink, src, descs, n);
            continue;
          }
          // A file slower than the capture: the batch stays held (once the UMEM is all
          // held the kernel counts drops) until the writer has room again.
          for (let done = batches.putBatch(src, descs, 0, n); done < n;) {
            await batches.waitRoom(ROOM_WAIT_MS);
            done += batches.putBatch(src, descs, done, n);
          }
        }
        const step = core.endPass();
        if (step === Step.Stop) break;
        if (step !== Step.Go) await core.pause(step);
      }
      result = { reason: core.reason ?? "signal" };
    } catch (e) {
      result = { reason: "error", error: e };
    }
    try {
      core.release(); // the sink threw: its batch goes back
      sink.flush();
    } catch (e) {
      if (result.reason !== "error") result = { reason: "error", error: e };
    }
    return result;
  }

  /**
   * The library's loop: drives the receive core, yielding the size of each batch it takes
   * into `descs` (up to `descs.length / DESC_WORDS` descriptors: UMEM offset, length, sec,
   * nsec each); {@link Capture.umem} and {@link Capture.batchQueue} say which queue. Its frames
   * stay the caller's until it asks for the next batch or leaves the loop; then they go back to
   * the fill ring. Stops like run() (a count of packets yielded, duration, signal, strict
   * integrity) and when closed. A duration or signal stop drains the rings first and ends the
   * capture: a later loop yields nothing. Errors are thrown.
   */
  async *receive(
    descs: Uint32Array<ArrayBuffer>,
    limits: RunLimits = {},
  ): AsyncGenerator<number, void, void> {
    const core = this.#core;
    if (core.stopped) return;
    core.begin(descs, limits);
    try {
      for (;;) {
        for (let n = core.next(); n > 0; n = core.next()) yield n;
        const step = core.endPass();
        if (step === Step.Stop) return;
        if (step !== Step.Go) await core.pause(step);
      }
    } finally {
      core.release(); // the caller left mid-batch: its frames go back
    }
  }

  /** The UMEM the last batch of {@link Capture.receive} points into (empty after close()). */
  get umem(): Uint8Array {
    return this.#core.sources[this.#core.source].view;
  }

  /** The RX queue the last batch of {@link Capture.receive} came from. */
  get batchQueue(): number {
    return this.#core.sources[this.#core.source].queue;
  }

  /** What a diagnosis of this capture's ring needs (for one of its queues). */
  guardContextFor(queue: number): GuardContext {
    return { ...this.guardContext, queue };
  }

  /** What a diagnosis of this capture's ring needs. */
  get guardContext(): GuardContext {
    return {
      iface: this.iface,
      queue: this.queue,
      mode: this.mode,
      queueCount: this.#prog.queueCount,
      frameSize: this.#frameSize,
      frameCount: this.#frameCount,
      rxOffset: RX_OFFSET,
    };
  }

  /** Counters so far (and the final ones after close()). */
  stats(): CaptureStats {
    if (this.#final) return this.#final;
    const per = this.#socks.map((sock) => sock.stats());
    const s = per.reduce((sum, v) => sum.map((x, i) => x + v[i]));
    const c = this.#programCounters();
    const rxDropped = s[STAT.rxDropped];
    // The kernel counts both in rx_dropped; an empty fill ring is also counted on its own.
    const noFreeFrame = Math.min(rxDropped, s[STAT.rxFillEmpty]);
    const rxRingFull = s[STAT.rxRingFull];
    const rxInvalid = s[STAT.rxInvalid];
    const integrity = Object.fromEntries(GUARD_KINDS.map((k) => [k, 0])) as Record<
      GuardKind,
      number
    >;
    for (const f of this.#core.findings()) integrity[f.kind] += f.count;
    // Descriptors the guard refused came off the ring too (a duplicate is the same descriptor
    // seen twice, a clobbered frame was still handed over).
    const refused = integrity.misaligned + integrity.foreign + integrity.overheld;
    return {
      captured: this.#core.captured,
      seen: c.seen,
      received: c.redirected,
      passed: c.passed,
      filtered: c.filtered,
      dropped: {
        total: rxDropped + rxRingFull + rxInvalid,
        rxDropped,
        noFreeFrame,
        tooBig: rxDropped - noFreeFrame,
        rxRingFull,
        rxInvalid,
      },
      fillRingEmpty: s[STAT.rxFillEmpty],
      notKept: s[STAT.rxPackets] - this.#core.captured - refused,
      userHeld: s[STAT.userHeld],
      noMeta: s[STAT.noMeta],
      longestGapMs: this.#core.longestGapMs,
      integrity,
      queues: per.map((v, k) => ({
        queue: this.#socks[k].queue,
        captured: this.#core.capturedBy[k],
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
  #programCounters(): {
    seen: number;
    redirected: number;
    passed: number;
    filtered: number;
  } {
    const rows = this.#prog.queueCounters();
    const own = new Set(this.queues);
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

  /** Stops redirecting, closes the socket and detaches the program. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#core.closed = true;
    try {
      this.#final = this.stats();
    } catch (e) {
      if (!(e instanceof XskError)) throw e;
    }
    try {
      for (const s of this.#socks) s.close();
    } finally {
      this.#prog.detach();
    }
  }

  /** `await using cap = Capture.open(...)` closes it at scope end. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
