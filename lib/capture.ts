/**
 * The capture session: attach, open the socket, run the receive loop into a
 * sink, stop cleanly on every exit path. The CLI and the library API are both
 * built on it.
 * @module
 */
import { COUNTER, DESC_WORDS, type ModeName, RX_OFFSET, STAT } from "../ffi/abi.ts";
import { XdpProgram, XskError, XskSocket } from "../ffi/xsk.ts";
import { GUARD_KINDS, type GuardContext, type GuardFinding, type GuardKind } from "./integrity.ts";
import { compileFilter, installFilter } from "./capture_filter.ts";

/** Where captured packets go. add() is the hot path: no allocation there. */
export interface PacketSink {
  /** One packet: src[off..off+len) (the UMEM view), with its wall-clock time. */
  add(src: Uint8Array, off: number, len: number, sec: number, nsec: number): void;
  /** Pushes buffered output out (called when the ring is idle and at the end). */
  flush(): void;
}

/** How a capture is set up. */
export interface CaptureOptions {
  /** Interface name. */
  iface: string;
  /** RX queue (default 0). */
  queue?: number;
  /** XDP attach mode (default auto: native, else generic). */
  mode?: ModeName;
  /** UMEM frames, a power of two (default 4096). */
  frameCount?: number;
  /** UMEM frame size, a power of two >= 2048 (default 4096). */
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
  dropped: { total: number; rxDropped: number; rxRingFull: number; rxInvalid: number };
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
}

/** How long the loop may run synchronous batches before it lets the event loop turn. */
const YIELD_MS = 5;
/** How often the interface is checked for being gone or down. */
const CHECK_MS = 1000;
/** Longest single wait when idle, so stop requests and deadlines are seen. */
const IDLE_WAIT_MS = 50;

/** One AF_XDP capture on one interface queue. */
export class Capture implements AsyncDisposable {
  readonly iface: string;
  readonly queue: number;
  readonly mode: "native" | "generic";
  readonly zerocopy: boolean;
  readonly #prog: XdpProgram;
  readonly #sock: XskSocket;
  readonly #descs: Uint32Array<ArrayBuffer>;
  readonly #batch: number;
  #captured = 0;
  #closed = false;
  /** Unregistered at the end of a run or receive loop: no new packets come. */
  #stopped = false;
  #final?: CaptureStats;
  #guardSeen = 0;
  #reported = new Set<GuardKind>();

  readonly #frameSize: number;
  readonly #frameCount: number;

  private constructor(
    prog: XdpProgram,
    sock: XskSocket,
    batch: number,
    frameCount: number,
    frameSize: number,
  ) {
    this.#frameCount = frameCount;
    this.#frameSize = frameSize;
    this.#prog = prog;
    this.#sock = sock;
    this.#batch = batch;
    this.#descs = new Uint32Array(batch * DESC_WORDS);
    this.iface = prog.iface;
    this.queue = sock.queue;
    this.mode = prog.mode as "native" | "generic";
    this.zerocopy = sock.zerocopy;
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
      const frameCount = opts.frameCount ?? 4096;
      const frameSize = opts.frameSize ?? 4096;
      const sock = XskSocket.open(prog, opts.queue ?? 0, frameCount, frameSize);
      try {
        if (opts.guard === false) sock.setGuard(false);
      } catch (e) {
        sock.close();
        throw e;
      }
      return new Capture(prog, sock, batch, frameCount, frameSize);
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
    const sock = this.#sock;
    const descs = this.#descs;
    const count = limits.count ?? Infinity;
    const signal = limits.signal;
    const start = performance.now();
    const deadline = limits.durationMs === undefined ? Infinity : start + limits.durationMs;
    let lastYield = start;
    let lastCheck = start;
    let reason: StopReason = "signal";
    let error: unknown;
    try {
      while (!signal?.aborted) {
        const want = Math.min(this.#batch, count - this.#captured);
        const n = sock.rxBatch(descs, want);
        if (n > 0) {
          const umem = sock.umem;
          for (let j = 0; j < n * DESC_WORDS; j += DESC_WORDS) {
            sink.add(umem, descs[j], descs[j + 1], descs[j + 2], descs[j + 3]);
          }
          sock.fill(descs, n);
          this.#captured += n;
        }
        // One fast call per batch; the report is read only when something new broke.
        if (sock.guardTotal() !== this.#guardSeen && this.#newViolations(limits)) {
          reason = "integrity";
          break;
        }
        if (this.#captured >= count) {
          reason = "count";
          break;
        }
        const now = performance.now();
        if (now >= deadline) {
          reason = "duration";
          break;
        }
        if (now - lastCheck >= CHECK_MS) {
          sock.check();
          lastCheck = now;
        }
        if (n > 0 && now - lastYield < YIELD_MS) continue;
        if (n === 0) sink.flush(); // idle: readers of a pipe see packets promptly
        await sock.wait(n > 0 ? 0 : Math.ceil(Math.max(0, Math.min(IDLE_WAIT_MS, deadline - now))));
        lastYield = performance.now();
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
   * `descs.length / DESC_WORDS` descriptors (UMEM offset, length, sec, nsec each) into `descs`
   * and yields how many. Their frames stay the caller's, readable in {@link Capture.umem},
   * until it asks for the next batch or leaves the loop; then they go back to the fill ring.
   * Stops like run() (a count of packets yielded, duration, signal, strict integrity) and when
   * closed. A duration or signal stop drains the ring first and ends the capture: a later loop
   * yields nothing. Errors are thrown.
   */
  async *receive(
    descs: Uint32Array<ArrayBuffer>,
    limits: RunLimits = {},
  ): AsyncGenerator<number, void, void> {
    const sock = this.#sock;
    const batch = Math.floor(descs.length / DESC_WORDS);
    const count = limits.count ?? Infinity;
    const start = performance.now();
    const deadline = limits.durationMs === undefined ? Infinity : start + limits.durationMs;
    let lastYield = start;
    let lastCheck = start;
    let taken = 0;
    let held = 0;
    let draining = false;
    if (this.#stopped) return;
    try {
      while (!this.#closed && taken < count) {
        if (!draining && (limits.signal?.aborted || performance.now() >= deadline)) {
          sock.stop(); // as run(): new packets go to the stack, keep what the ring holds
          this.#stopped = draining = true;
        }
        const n = sock.rxBatch(descs, Math.min(batch, count - taken));
        if (n > 0) {
          held = n;
          taken += n;
          this.#captured += n;
          yield n;
          held = 0;
          if (this.#closed) return;
          sock.fill(descs, n);
        }
        if (sock.guardTotal() !== this.#guardSeen && this.#newViolations(limits)) return;
        if (draining) {
          if (n === 0) return;
          continue;
        }
        const now = performance.now();
        if (now - lastCheck >= CHECK_MS) {
          sock.check();
          lastCheck = now;
        }
        if (n > 0 && now - lastYield < YIELD_MS) continue;
        await sock.wait(n > 0 ? 0 : Math.ceil(Math.max(0, Math.min(IDLE_WAIT_MS, deadline - now))));
        lastYield = performance.now();
      }
    } finally {
      if (held > 0 && !this.#closed) sock.fill(descs, held); // the caller left mid-batch
    }
  }

  /** The UMEM the descriptors of {@link Capture.receive} point into (empty after close()). */
  get umem(): Uint8Array {
    return this.#sock.umem;
  }

  /** Reports kinds seen for the first time; true when a strict capture must stop. */
  #newViolations(limits: RunLimits): boolean {
    this.#guardSeen = this.#sock.guardTotal();
    for (const f of this.#findings()) {
      if (f.count === 0 || this.#reported.has(f.kind)) continue;
      this.#reported.add(f.kind);
      limits.onViolation?.(f);
    }
    return limits.strict === true && this.#guardSeen > 0;
  }

  #findings(): GuardFinding[] {
    return this.#sock.guardReport().map(([count, firstAddr, firstDescriptor], k) => ({
      kind: GUARD_KINDS[k],
      count,
      firstAddr,
      firstDescriptor,
    }));
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
    const sock = this.#sock;
    const descs = this.#descs;
    sock.stop();
    this.#stopped = true;
    for (let n = sock.rxBatch(descs); n > 0; n = sock.rxBatch(descs)) {
      for (let j = 0; j < n * DESC_WORDS; j += DESC_WORDS) {
        sink.add(sock.umem, descs[j], descs[j + 1], descs[j + 2], descs[j + 3]);
      }
      sock.fill(descs, n);
      this.#captured += n;
    }
  }

  /** Counters so far (and the final ones after close()). */
  stats(): CaptureStats {
    if (this.#final) return this.#final;
    const s = this.#sock.stats();
    const c = this.#prog.counters();
    const rxDropped = s[STAT.rxDropped];
    const rxRingFull = s[STAT.rxRingFull];
    const rxInvalid = s[STAT.rxInvalid];
    const integrity = Object.fromEntries(this.#findings().map((f) => [f.kind, f.count])) as Record<
      GuardKind,
      number
    >;
    // Descriptors the guard refused came off the ring too (a duplicate is the same descriptor
    // seen twice, a clobbered frame was still handed over).
    const refused = integrity.misaligned + integrity.foreign + integrity.overheld;
    return {
      captured: this.#captured,
      seen: c[COUNTER.seen],
      received: c[COUNTER.redirected],
      passed: c[COUNTER.passed],
      filtered: c[COUNTER.filtered],
      dropped: { total: rxDropped + rxRingFull + rxInvalid, rxDropped, rxRingFull, rxInvalid },
      fillRingEmpty: s[STAT.rxFillEmpty],
      notKept: s[STAT.rxPackets] - this.#captured - refused,
      userHeld: s[STAT.userHeld],
      noMeta: s[STAT.noMeta],
      integrity,
    };
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
      this.#sock.close();
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
