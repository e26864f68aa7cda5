/**
 * The capture session: attach, open the socket, run the receive loop into a
 * sink, stop cleanly on every exit path. The CLI and the library API are both
 * built on it.
 * @module
 */
import {
  DEFAULT_BUFFER_BYTES,
  DEFAULT_FRAMES,
  DESC_WORDS,
  type ModeName,
  QCOUNT,
  QCOUNT_ROWS,
  QCOUNT_WORDS,
  RX_OFFSET,
  STAT,
} from "../../ffi/abi.ts";
import { ifaceMtu, XdpProgram, XskError, XskSocket } from "../../ffi/xsk.ts";
import { GUARD_KINDS, type GuardContext, type GuardFinding, type GuardKind } from "./integrity.ts";
import { compileFilter, installFilter } from "./filter.ts";

/** Where captured packets go. add() is the hot path: no allocation there. */
export interface PacketSink {
  /** One packet: src[off..off+len) (a UMEM view), its wall-clock time and RX queue. */
  add(src: Uint8Array, off: number, len: number, sec: number, nsec: number, queue: number): void;
  /** Pushes buffered output out (called when the ring is idle and at the end). */
  flush(): void;
}

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
  /** RX descriptors that broke the ring contract, by kind (never captured). */
  integrity: Record<GuardKind, number>;
  /** Per RX queue, in socket order. */
  queues: QueueStats[];
}

export { DEFAULT_BUFFER_BYTES, DEFAULT_FRAMES };
/** Fewer frames than this leave no room for batches in flight and a nap. */
const MIN_FRAMES = 256;
/** XDP_PACKET_HEADROOM: the kernel keeps it in front of every packet in a frame. */
const HEADROOM = 256;

/**
 * The frame size for a capture: 2 KiB when the largest frame the interface can receive (MTU,
 * Ethernet header, two VLAN tags) fits behind the headroom, which doubles the frames a buffer
 * holds; 4 KiB otherwise, and always in generic mode, where the stack can hand XDP packets
 * bigger than the MTU (GRO).
 */
export function frameSizeFor(mode: string, mtu: number): number {
  return mode === "native" && mtu + 14 + 8 <= 2048 - HEADROOM ? 2048 : 4096;
}

/**
 * Frames per queue by default: DEFAULT_FRAMES shared among the queues captured (RSS spreads the
 * traffic, so each queue sees a share of the rate), at least 4096 each: `-q all` on a 16-queue
 * NIC locks 16 x 8 or 16 MiB, not 16 x 32 or 64.
 */
export function defaultFrames(queues: number): number {
  return Math.max(4096, 2 ** Math.floor(Math.log2(DEFAULT_FRAMES / Math.max(1, queues))));
}

/** The power-of-two frame count that fits in `bytes`; RangeError below MIN_FRAMES. */
export function framesFor(bytes: number, frameSize: number): number {
  const n = Math.floor(bytes / frameSize);
  if (!Number.isFinite(n) || n < MIN_FRAMES) {
    throw new RangeError(
      `a buffer of ${Math.floor(bytes / 1024)} KiB holds fewer than ${MIN_FRAMES} frames of ` +
        `${frameSize} bytes`,
    );
  }
  return 2 ** Math.floor(Math.log2(Math.min(n, 2 ** 20)));
}

/** How long the loop may run synchronous batches before it lets the event loop turn. */
const YIELD_MS = 5;
/** How often the interface is checked for being gone or down. */
const CHECK_MS = 1000;
/** Longest single wait when idle, so stop requests and deadlines are seen. */
const IDLE_WAIT_MS = 50;
/** How stale buffered output may get when the ring runs empty: flushing on every empty ring
 * cost ~400 ns per packet at moderate rates (many small writes; bench/README.md). */
const FLUSH_MS = 50;
/** The nap after a busy pass runs dry. */
const NAP_MS = 1;
/**
 * What a nap may really take: Deno's setTimeout(1) (and setTimeout(0)) took 2.1 ms at the
 * median here and up to 11 ms (2000 tries on a pinned CPU). The nap is skipped when packets
 * arriving meanwhile at the rate just seen could fill half the UMEM (16384 frames: above
 * ~1 Mpps); the poll then returns as soon as data is in.
 */
const NAP_WORST_MS = 8;
const nap = () => new Promise<void>((resolve) => setTimeout(resolve, NAP_MS));
/**
 * The sleep when the rate is too high for a timer: precise (nanosleep on the FFI thread pool)
 * and, unlike a poll, nothing the receiving softirq has to wake, so it does not slow the host's
 * receive path. 250 us is 4096 frames' worth at 16 Mpps.
 */
const DOZE_US = 250;

/** What a receive loop does after a pass over its rings (see {@link Pacer}). */
const enum Step {
  /** Take the next batch now. */
  Go,
  /** Await a NAP_MS timer, then take the next batch. */
  Nap,
  /** Await a DOZE_US sleep on the FFI thread pool, then take the next batch. */
  Doze,
  /** Await a poll of the sockets (off the JS thread), with the timeout Pacer.waitMs gives. */
  Wait,
}

/**
 * The pacing both receive loops share (docs/DESIGN.md, the hot path): run batches back to back
 * while there are packets, letting the event loop turn every YIELD_MS; when a busy ring runs
 * dry, nap NAP_MS, or doze DOZE_US when the rate just seen could fill half the UMEM during a
 * late timer; when the ring stays dry, poll.
 */
class Pacer {
  readonly #frames: number;
  #lastYield: number;
  #lastCheck: number;
  #busy = false;
  // When the loop last went to sleep, and the packets taken since: everything that arrived
  // over the last sleep and the drain after it, so their ratio is the arrival rate.
  #sleptAt: number;
  #pkts = 0;

  constructor(frames: number, now: number) {
    this.#frames = frames;
    this.#lastYield = this.#lastCheck = this.#sleptAt = now;
  }

  /** After a pass that took `n` packets; `now` is performance.now(). */
  next(n: number, now: number): Step {
    this.#pkts += n;
    if (n > 0 && now - this.#lastYield < YIELD_MS) {
      this.#busy = true;
      return Step.Go;
    }
    const wasBusy = this.#busy;
    this.#busy = n > 0;
    // Traffic was flowing a moment ago: a short timer lets the ring fill a batch for a few
    // microseconds of event-loop work, where a poll on the FFI thread pool costs a thread round
    // trip, usually finds data already there, and makes the kernel wake us on every flush
    // (bench/README.md). When the ring could overflow during a late timer at the rate just
    // seen, a precise doze instead. (Spinning on the ring cost more CPU and kept no more.)
    const napFits = this.#pkts * NAP_WORST_MS < (now - this.#sleptAt) * this.#frames / 2;
    this.#slept(now);
    if (n === 0 && wasBusy) return napFits ? Step.Nap : Step.Doze;
    return Step.Wait;
  }

  /** The loop goes to sleep (nap or poll): the arrival rate is measured from here. */
  #slept(now: number): void {
    this.#sleptAt = now;
    this.#pkts = 0;
  }

  /** The poll's timeout: 0 under load, else up to IDLE_WAIT_MS and never past the deadline. */
  waitMs(n: number, now: number, deadline: number): number {
    return n > 0 ? 0 : Math.ceil(Math.max(0, Math.min(IDLE_WAIT_MS, deadline - now)));
  }

  /** After a nap or a poll. */
  woke(now: number): void {
    this.#lastYield = now;
  }

  /** True once every CHECK_MS: time to look at the interface. */
  checkDue(now: number): boolean {
    if (now - this.#lastCheck < CHECK_MS) return false;
    this.#lastCheck = now;
    return true;
  }
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
  /** The first socket: a single-queue capture waits on it alone. */
  readonly #sock: XskSocket;
  readonly #socks: XskSocket[];
  readonly #capturedBy: number[];
  readonly #handles: Int32Array<ArrayBuffer>;
  readonly #descs: Uint32Array<ArrayBuffer>;
  readonly #batch: number;
  #captured = 0;
  #closed = false;
  /** Unregistered at the end of a run or receive loop: no new packets come. */
  #stopped = false;
  /** Socket of the last batch receive() yielded. */
  #current = 0;
  #final?: CaptureStats;
  /** Ring-integrity violations per socket as last heard (from its fill, or when idle). */
  readonly #guardBy: number[];
  #guardSeen = 0;
  #reported = new Set<string>();

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
    this.#sock = socks[0];
    this.#capturedBy = socks.map(() => 0);
    this.#guardBy = socks.map(() => 0);
    this.#handles = new Int32Array(socks.map((s) => s.handle));
    this.#batch = batch;
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
   * The receive loop: drains the RX ring in batches into the sink, gives the
   * frames back, and awaits a nonblocking wait when idle (and every few ms
   * under load, so signals and timers run). Returns why it stopped; the sink
   * is flushed, the socket stays open for stats() until close().
   */
  async run(sink: PacketSink, limits: RunLimits = {}): Promise<CaptureResult> {
    const socks = this.#socks;
    const descs = this.#descs;
    const count = limits.count ?? Infinity;
    const signal = limits.signal;
    const start = performance.now();
    const deadline = limits.durationMs === undefined ? Infinity : start + limits.durationMs;
    const pacer = new Pacer(this.#frameCount, start);
    let lastFlush = start;
    // This run's own count: a capture may run (or be read by receive()) more than once.
    let taken = 0;
    let reason: StopReason = "signal";
    let error: unknown;
    try {
      run: while (!signal?.aborted) {
        // One batch per queue per pass: a busy queue cannot starve the others.
        let n = 0;
        for (let k = 0; k < socks.length; k++) {
          const sock = socks[k];
          const got = sock.rxBatch(descs, Math.min(this.#batch, count - taken));
          if (got > 0) {
            const umem = sock.umem;
            const queue = sock.queue;
            for (let j = 0; j < got * DESC_WORDS; j += DESC_WORDS) {
              sink.add(umem, descs[j], descs[j + 1], descs[j + 2], descs[j + 3], queue);
            }
            // Counted before the frames go back: a failing fill must not lose them.
            this.#captured += got;
            this.#capturedBy[k] += got;
            taken += got;
            n += got;
            this.#guardBy[k] = sock.fill(descs, got);
          } else {
            this.#guardBy[k] = sock.guardTotal(); // a batch may have been refused whole
          }
          // The fill (idle: one fast call) says whether something new broke; only then is the
          // report read.
          if (this.#guardChanged() && this.#newViolations(limits)) {
            reason = "integrity";
            break run;
          }
          if (taken >= count) {
            reason = "count";
            break run;
          }
        }
        const now = performance.now();
        if (now >= deadline) {
          reason = "duration";
          break;
        }
        if (pacer.checkDue(now)) socks[0].check(); // one socket tells: the interface is the same
        const step = pacer.next(n, now);
        if (step === Step.Go) continue;
        if (step === Step.Wait && n === 0 && now - lastFlush >= FLUSH_MS) {
          sink.flush(); // idle: readers of a pipe see packets within FLUSH_MS + IDLE_WAIT_MS
          lastFlush = now;
        }
        await this.#pause(step, pacer.waitMs(n, now, deadline));
        pacer.woke(performance.now());
      }
    } catch (e) {
      reason = "error";
      error = e;
    }
    try {
      if (reason === "signal" || reason === "duration") this.#drain(sink);
      sink.flush();
    } catch (e) {
      if (reason !== "error") [reason, error] = ["error", e];
    }
    return { reason, error };
  }

  /**
   * The receive loop turned inside out, for the library API: takes up to
   * `descs.length / DESC_WORDS` descriptors (UMEM offset, length, sec, nsec each) of one queue
   * into `descs` and yields how many; {@link Capture.umem} and {@link Capture.batchQueue} say
   * which queue. Their frames stay the caller's until it asks for the next batch or leaves the
   * loop; then they go back to the fill ring. One batch per queue per pass, as run(). Stops
   * like run() (a count of packets yielded, duration, signal, strict integrity) and when
   * closed. A duration or signal stop drains the rings first and ends the capture: a later
   * loop yields nothing. Errors are thrown.
   */
  async *receive(
    descs: Uint32Array<ArrayBuffer>,
    limits: RunLimits = {},
  ): AsyncGenerator<number, void, void> {
    const socks = this.#socks;
    const batch = Math.floor(descs.length / DESC_WORDS);
    const count = limits.count ?? Infinity;
    const start = performance.now();
    const deadline = limits.durationMs === undefined ? Infinity : start + limits.durationMs;
    const pacer = new Pacer(this.#frameCount, start);
    let taken = 0;
    let held = 0;
    let draining = false;
    if (this.#stopped) return;
    try {
      while (!this.#closed && taken < count) {
        if (!draining && (limits.signal?.aborted || performance.now() >= deadline)) {
          for (const sock of socks) sock.stop(); // as run(): new packets go to the stack
          this.#stopped = draining = true;
        }
        let got = 0;
        for (let k = 0; k < socks.length && taken < count; k++) {
          const n = socks[k].rxBatch(descs, Math.min(batch, count - taken));
          if (n === 0) {
            this.#guardBy[k] = socks[k].guardTotal(); // a batch may have been refused whole
            continue;
          }
          this.#current = k;
          held = n;
          taken += n;
          got += n;
          this.#captured += n;
          this.#capturedBy[k] += n;
          yield n;
          held = 0;
          if (this.#closed) return;
          this.#guardBy[k] = socks[k].fill(descs, n);
        }
        if (this.#guardChanged() && this.#newViolations(limits)) return;
        if (draining) {
          if (got === 0) return;
          continue;
        }
        const now = performance.now();
        if (pacer.checkDue(now)) socks[0].check(); // one socket tells: the interface is the same
        const step = pacer.next(got, now);
        if (step === Step.Go) continue;
        await this.#pause(step, pacer.waitMs(got, now, deadline));
        pacer.woke(performance.now());
      }
    } finally {
      // The caller left mid-batch: its frames go back.
      if (held > 0 && !this.#closed) socks[this.#current].fill(descs, held);
    }
  }

  /** The UMEM the last batch of {@link Capture.receive} points into (empty after close()). */
  get umem(): Uint8Array {
    return this.#socks[this.#current].umem;
  }

  /** The RX queue the last batch of {@link Capture.receive} came from. */
  get batchQueue(): number {
    return this.#socks[this.#current].queue;
  }

  /** The sleep a Pacer step asks for; `waitMs` is the poll's timeout (Step.Wait). */
  #pause(step: Step, waitMs: number): Promise<unknown> {
    return step === Step.Nap
      ? nap()
      : step === Step.Doze
      ? XskSocket.doze(this.#prog, DOZE_US)
      : this.#wait(waitMs);
  }

  /** Waits for RX data on any socket, off the JS thread. */
  #wait(ms: number): Promise<boolean> {
    return this.#socks.length === 1
      ? this.#sock.wait(ms)
      : XskSocket.waitAny(this.#prog, this.#handles, ms);
  }

  /** Guard violations so far on every socket, as last heard. */
  #guardTotal(): number {
    let t = 0;
    for (const v of this.#guardBy) t += v;
    return t;
  }

  #guardChanged(): boolean {
    return this.#guardTotal() !== this.#guardSeen;
  }

  /** Reports kinds seen for the first time on a queue; true when a strict capture must stop. */
  #newViolations(limits: RunLimits): boolean {
    this.#guardSeen = this.#guardTotal();
    for (const f of this.#findings()) {
      const key = `${f.queue}:${f.kind}`;
      if (f.count === 0 || this.#reported.has(key)) continue;
      this.#reported.add(key);
      limits.onViolation?.(f);
    }
    return limits.strict === true && this.#guardSeen > 0;
  }

  /** Findings of every queue, each kind once per queue. */
  #findings(): GuardFinding[] {
    return this.#socks.flatMap((s) =>
      s.guardReport().map(([count, firstAddr, firstDescriptor], k) => ({
        kind: GUARD_KINDS[k],
        count,
        firstAddr,
        firstDescriptor,
        queue: s.queue,
      }))
    );
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

  /** At a stop: unregister (new packets go to the stack), then keep what the ring holds. */
  #drain(sink: PacketSink): void {
    const descs = this.#descs;
    for (const sock of this.#socks) sock.stop();
    this.#stopped = true;
    this.#socks.forEach((sock, k) => {
      for (let n = sock.rxBatch(descs); n > 0; n = sock.rxBatch(descs)) {
        for (let j = 0; j < n * DESC_WORDS; j += DESC_WORDS) {
          sink.add(sock.umem, descs[j], descs[j + 1], descs[j + 2], descs[j + 3], sock.queue);
        }
        this.#captured += n;
        this.#capturedBy[k] += n;
        sock.fill(descs, n);
      }
    });
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
    for (const f of this.#findings()) integrity[f.kind] += f.count;
    // Descriptors the guard refused came off the ring too (a duplicate is the same descriptor
    // seen twice, a clobbered frame was still handed over).
    const refused = integrity.misaligned + integrity.foreign + integrity.overheld;
    return {
      captured: this.#captured,
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
      notKept: s[STAT.rxPackets] - this.#captured - refused,
      userHeld: s[STAT.userHeld],
      noMeta: s[STAT.noMeta],
      integrity,
      queues: per.map((v, k) => ({
        queue: this.#socks[k].queue,
        captured: this.#capturedBy[k],
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
