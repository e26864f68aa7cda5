/**
 * The capture session: choose the path (divert or tap), attach, open one socket per queue (or
 * the tap's ring buffer), drive the receive core (core.ts) into a sink or as batches, count,
 * stop cleanly on every exit path. The CLI and the library API are both built on it.
 * @module
 */
import { DESC_WORDS, RX_OFFSET, TAP_MAX_SNAP } from "../../ffi/abi.ts";
import { type SocketTable, type TapHooks, TapProgram } from "../../ffi/tap.ts";
import {
  DEFAULT_GATHER_BYTES,
  ifaceMtu,
  ifaceRxMetadata,
  XdpProgram,
  XskError,
  XskSocket,
} from "../../ffi/xsk.ts";
import { type CapturePath, choosePath } from "../host/path.ts";
import { type ClsactRecord, recordClsact } from "../host/tc_state.ts";
import type { GuardContext } from "./integrity.ts";
import { type CompiledFilter, compileFilter, installFilter, installTapFilter } from "./filter.ts";
import {
  type BatchSink,
  type PacketSink,
  ReceiveCore,
  type RunLimits,
  type Source,
  Step,
  type Waits,
} from "./core.ts";
import { runLoop, type WarmUp, warmUp } from "./drive.ts";
import {
  DEFAULT_BUFFER_BYTES,
  DEFAULT_FRAMES,
  defaultFrames,
  framesFor,
  frameSizeFor,
  ringBytesFor,
} from "./geometry.ts";
import { ringRecords, RingSource, RingWaits } from "./tap_source.ts";
import { XskSource, XskWaits } from "./xsk_source.ts";
import type { CaptureOptions, CaptureResult, CaptureStats, Direction } from "./options.ts";
import { processWanted } from "./process_select.ts";
import { divertStats, programCounts, tapStats } from "./counters.ts";

export type { BatchSink, PacketSink, RunLimits, Source, StopReason } from "./core.ts";
export type { WarmUp } from "./drive.ts";
export type { CapturePath } from "../host/path.ts";
export { DEFAULT_BUFFER_BYTES, DEFAULT_FRAMES };
export { divertNotKept } from "./counters.ts";
export type {
  CaptureOptions,
  CaptureResult,
  CaptureStats,
  Direction,
  DirectionStats,
  ProcessOptions,
  ProcessStats,
  QueueStats,
} from "./options.ts";

/** The driver's XDP RX metadata, 0 when it cannot be asked (it only words the listening line). */
function rxMetadataOf(iface: string, shim: XdpProgram["shim"]): number {
  try {
    return ifaceRxMetadata(iface, shim);
  } catch {
    return 0;
  }
}

/** The snap length asked for (default the largest); RangeError outside 1..TAP_MAX_SNAP. */
function snaplenOf(opts: CaptureOptions): number {
  const snaplen = opts.snaplen ?? TAP_MAX_SNAP;
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > TAP_MAX_SNAP) {
    throw new RangeError(`snaplen must be an integer in 1..${TAP_MAX_SNAP}, got ${snaplen}`);
  }
  return snaplen;
}

/** The parts of one path: what the session drives and closes. */
interface Parts {
  sources: Source[];
  waits: Waits;
  /** Records a source holds at most, for the pacing. */
  records: number;
  prog?: XdpProgram;
  socks?: XskSocket[];
  tap?: TapProgram;
  clsact?: ClsactRecord;
  /** The socket table at start (process attribution on). */
  table?: SocketTable;
  frameCount?: number;
  frameSize?: number;
}

/**
 * One capture on one interface. Divert: one AF_XDP socket per RX queue captured. Tap: the tap
 * programs and their one ring buffer, every queue (or those asked for), both directions.
 */
export class Capture implements AsyncDisposable {
  readonly iface: string;
  /** The path, and why it was chosen (the caller's, or what the interface is used for). */
  readonly path: CapturePath;
  readonly pathReason: string;
  /** The directions captured: divert "in"; a tap what it was asked. */
  readonly direction: Direction;
  /** The first (or only) queue captured (divert; a tap: the first asked for, else 0). */
  readonly queue: number;
  /** Every queue captured, in socket order (divert); a tap: those asked for, [] for all. */
  readonly queues: number[];
  /** The XDP mode (divert, and a tap's incoming hook at XDP); "tc" for a tap hooked at tc only. */
  readonly mode: "native" | "generic" | "tc";
  readonly zerocopy: boolean;
  /**
   * Divert: every socket gathers packets bigger than a frame (XDP_USE_SG). Tap: its XDP programs
   * have frags support.
   */
  readonly multiBuffer: boolean;
  /** Divert: VLAN tags from the driver's RX metadata are put back into the frames. */
  readonly vlan: boolean;
  /** Divert: the packets' times are the NIC's RX timestamps, where it gives one. */
  readonly hwTimestamp: boolean;
  /** Divert: the driver's XDP RX metadata (RX_META bits), what `vlan` needs. */
  readonly rxMetadata: number;
  /** Divert: the UMEM frame size (0 for a tap). */
  readonly frameSize: number;
  /** Tap: where each direction is hooked. */
  readonly hooks?: TapHooks;
  /** Tap with process attribution: the sockets found at start. */
  get socketTable(): SocketTable | undefined {
    return this.#parts.table;
  }
  /**
   * True when another xskdump had attached the XDP program to the interface and this capture
   * joined it, on other queues (with the same filter); `sharedWith` names it, when it can.
   */
  readonly shared: boolean;
  readonly sharedWith: string;
  readonly #parts: Parts;
  /** The receive core over the sources (divert: one per socket, in socket order; tap: one). */
  readonly #core: ReceiveCore;
  /** run()'s batch: descriptors of DESC_WORDS u32. */
  readonly #descs: Uint32Array<ArrayBuffer>;
  #closed = false;
  #started: boolean;
  #final?: CaptureStats;

  private constructor(
    iface: string,
    parts: Parts,
    batch: number,
    choice: { path: CapturePath; reason: string },
    direction: Direction,
    queues: number[],
    deferred: boolean,
  ) {
    this.#parts = parts;
    this.#core = new ReceiveCore(parts.sources, parts.waits, parts.records);
    this.#descs = new Uint32Array(batch * DESC_WORDS);
    this.#started = !deferred;
    this.iface = iface;
    this.path = choice.path;
    this.pathReason = choice.reason;
    this.direction = direction;
    this.queues = queues;
    this.queue = queues[0] ?? 0;
    const { prog, socks, tap } = parts;
    this.hooks = tap?.hooks;
    this.mode = prog ? prog.mode as "native" | "generic" : tap?.hooks.xdpMode ?? "tc";
    this.zerocopy = socks !== undefined && socks.every((s) => s.zerocopy);
    this.multiBuffer = tap
      ? tap.hooks.multiBuffer
      : socks !== undefined && socks.every((s) => s.multiBuffer);
    this.vlan = prog?.vlan ?? false;
    this.hwTimestamp = prog?.hwTimestamp ?? false;
    this.rxMetadata = prog ? rxMetadataOf(iface, prog.shim) : 0;
    this.frameSize = parts.frameSize ?? 0;
    this.shared = prog?.shared ?? false;
    this.sharedWith = prog?.sharedWith ?? "";
  }

  /**
   * Chooses the path, attaches and opens the socket(s) or the tap's ring buffer. Throws
   * XskError (FilterError for the filter, RangeError for bad options).
   */
  static open(opts: CaptureOptions): Capture {
    const batch = opts.batchSize ?? 64;
    if (!Number.isInteger(batch) || batch < 1 || batch > 4096) {
      throw new RangeError(`batch size ${batch} is not in 1..4096`);
    }
    const choice = opts.path === "tap" || opts.path === "divert"
      ? { path: opts.path, reason: "asked for" }
      : choosePath(opts.iface, opts.carriesSsh === true);
    const direction = opts.direction ?? (choice.path === "tap" ? "inout" : "in");
    if (choice.path === "divert" && direction !== "in") {
      throw new RangeError(
        `divert captures incoming packets only (-Q ${direction} needs the tap path: --tap)`,
      );
    }
    if (choice.path === "divert" && opts.process) {
      throw new RangeError(
        "which process a packet belongs to is known on the tap path only (--tap): divert takes " +
          "packets before any socket",
      );
    }
    // Compiled before anything is attached: a bad expression changes nothing.
    const filter = opts.filter?.trim() ? compileFilter(opts.filter.trim()) : undefined;
    return choice.path === "tap"
      ? Capture.#openTap(opts, batch, choice, direction, filter)
      : Capture.#openDivert(opts, batch, choice, filter);
  }

  static #openDivert(
    opts: CaptureOptions,
    batch: number,
    choice: { path: CapturePath; reason: string },
    filter: CompiledFilter | undefined,
  ): Capture {
    const multiBuffer = opts.multiBuffer ?? true;
    const snaplen = snaplenOf(opts);
    const prog = XdpProgram.attach(opts.iface, opts.mode ?? "auto", {
      multiBuffer,
      vlan: opts.vlan,
      hwTimestamp: opts.timeStampType === "adapter_unsynced",
    });
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
          socks.push(
            XskSocket.open(
              prog,
              q,
              frameCount,
              frameSize,
              multiBuffer ? DEFAULT_GATHER_BYTES : 0,
              snaplen,
              opts.deferStart === true,
            ),
          );
          if (opts.guard === false) socks[socks.length - 1].setGuard(false);
        }
      } catch (e) {
        for (const s of socks) s.close();
        throw e;
      }
      const parts: Parts = {
        sources: socks.map((s) => new XskSource(s)),
        waits: new XskWaits(prog, socks),
        records: frameCount,
        prog,
        socks,
        frameCount,
        frameSize,
      };
      return new Capture(
        prog.iface,
        parts,
        batch,
        choice,
        "in",
        socks.map((s) => s.queue),
        opts.deferStart === true,
      );
    } catch (e) {
      prog.detach();
      throw e;
    }
  }

  static #openTap(
    opts: CaptureOptions,
    batch: number,
    choice: { path: CapturePath; reason: string },
    direction: Direction,
    filter: CompiledFilter | undefined,
  ): Capture {
    const snaplen = snaplenOf(opts);
    const queues = opts.queues === "all" || (opts.queues === undefined && opts.queue === undefined)
      ? undefined
      : opts.queues ?? [opts.queue ?? 0];
    if (queues && (!queues.length || new Set(queues).size !== queues.length)) {
      throw new RangeError(`queues must be distinct and at least one: ${queues.join(",")}`);
    }
    if (queues?.some((q) => !Number.isInteger(q) || q < 0 || q > 255)) {
      throw new RangeError(`a tap captures RX queues 0..255: ${queues.join(",")}`);
    }
    const want = processWanted(opts.process);
    const open = (tcHandle: number) =>
      TapProgram.open(opts.iface, {
        in: direction !== "out",
        out: direction !== "in",
        mode: opts.mode ?? "auto",
        snaplen,
        ringBytes: ringBytesFor(opts.bufferBytes),
        queues,
        tcHandle,
        multiBuffer: opts.multiBuffer,
        attribute: opts.process !== undefined,
        procFilter: want.kinds,
      });
    let tap: TapProgram;
    let clsact: ClsactRecord | undefined;
    try {
      tap = open(0);
    } catch (e) {
      // No tcx: a clsact filter, which outlives a SIGKILL, so it is recorded first.
      if (!(e instanceof XskError && e.code === "ENOLINK")) throw e;
      clsact = recordClsact(opts.iface);
      try {
        tap = open(clsact.handle);
        clsact.attached(tap.hooks.qdiscCreated);
      } catch (e2) {
        clsact.release();
        throw e2;
      }
    }
    let table: SocketTable | undefined;
    try {
      if (opts.process) {
        // The hooks first, then the table: a socket created in between is in one or both.
        tap.attachProc();
        table = tap.socketTable();
        tap.want("pid", want.pids);
        tap.want("comm", want.comms);
        tap.want("cgroup", want.cgroups);
        tap.want("cgroupPids", want.cgroupPids);
      }
      // Before the copy stages exist, so no packet is ever copied unfiltered.
      if (filter) installTapFilter(tap, filter);
      tap.mapRing();
      if (!opts.deferStart) tap.start();
    } catch (e) {
      tap.close();
      clsact?.release();
      throw e;
    }
    const parts: Parts = {
      sources: [new RingSource(tap)],
      waits: new RingWaits(tap),
      records: ringRecords(tap.hooks.ringSize),
      tap,
      clsact,
      table,
    };
    return new Capture(
      opts.iface,
      parts,
      batch,
      choice,
      direction,
      queues ?? [],
      opts.deferStart === true,
    );
  }

  /**
   * The CLI's loop: drives the receive core, every batch into the sink (whole, for a sink that
   * takes batches). Returns why it stopped; the sink is flushed, the socket stays open for
   * stats() until close().
   */
  async run(sink: PacketSink, limits: RunLimits = {}): Promise<CaptureResult> {
    this.start();
    return await runLoop(this.#core, sink, this.#descs, limits);
  }

  /** False between `open({ deferStart: true })` and start(): no packet comes yet. */
  get started(): boolean {
    return this.#started;
  }

  /**
   * Packets come from now on (divert: the sockets join the XSKMAP; a tap: its copy stages go
   * in). Only needed after `open({ deferStart: true })`: run() and receive() start too.
   * Idempotent.
   */
  start(): void {
    if (this.#started) return;
    const { socks, tap } = this.#parts;
    for (const s of socks ?? []) s.start();
    tap?.start();
    this.#started = true;
  }

  /**
   * Before start() (`open({ deferStart: true })`): runs run()'s loop into `sink` over synthetic
   * batches, so that V8 has compiled it before the first packet (drive.ts says why). Nothing is
   * read from the rings, written to the sink's file or counted. Returns each round's time.
   */
  async warmUp(sink: BatchSink): Promise<WarmUp> {
    if (this.#started) throw new Error("a warm-up comes before the capture starts");
    return await warmUp(this.#core, sink, this.#descs);
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
    this.start();
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

  /** What a diagnosis of this capture's ring needs (divert: a tap has no ledger). */
  get guardContext(): GuardContext {
    const p = this.#parts;
    return {
      iface: this.iface,
      queue: this.queue,
      mode: this.mode === "tc" ? "generic" : this.mode,
      queueCount: p.prog?.queueCount ?? 0,
      frameSize: p.frameSize ?? 0,
      frameCount: p.frameCount ?? 0,
      rxOffset: RX_OFFSET,
    };
  }

  /** Counters so far (and the final ones after close()). */
  stats(): CaptureStats {
    if (this.#final) return this.#final;
    return this.#parts.tap ? tapStats(this.#parts.tap, this.#core, this.#parts.table) : divertStats(
      this.#parts.socks ?? [],
      this.#core,
      programCounts(this.#parts.prog!, this.queues),
    );
  }

  /** Stops capturing, closes the sockets (or the ring buffer) and detaches. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#core.closed = true;
    try {
      this.#final = this.#parts.tap
        ? tapStats(this.#parts.tap, this.#core, this.#parts.table, true)
        : this.stats();
    } catch (e) {
      if (!(e instanceof XskError)) throw e;
    }
    const { prog, socks, tap, clsact } = this.#parts;
    if (tap) {
      try {
        tap.close();
      } finally {
        clsact?.release();
      }
      return;
    }
    try {
      for (const s of socks ?? []) s.close();
    } finally {
      prog?.detach();
    }
  }

  /** `await using cap = Capture.open(...)` closes it at scope end. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}
