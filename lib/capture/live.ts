/**
 * The library's live capture: {@link openCapture} and what it returns, a thin layer over the
 * session ({@link Capture}) that the CLI runs on too. Packets come as zero-copy batches, as
 * copied packets, or pushed into a sink such as a PcapWriter.
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
  DIR,
} from "../../ffi/abi.ts";
import { MAX_SNAPLEN } from "../formats/magic.ts";
import { type PacketProcess, processOf } from "./process.ts";
import {
  Capture,
  type CaptureOptions,
  type CapturePath,
  type CaptureResult,
  type CaptureStats,
  type Direction,
  type PacketSink,
  type RunLimits,
} from "./session.ts";

/** How {@link openCapture} sets up a capture: {@link CaptureOptions} plus the snapshot length. */
export interface OpenCaptureOptions extends CaptureOptions {
  /**
   * Bytes kept of each packet by {@link PacketBatch.data} and {@link LiveCapture.packets}
   * (default 262144, tcpdump's); the wire length is always reported whole. A tap copies no more
   * than this in the kernel.
   */
  snaplen?: number;
}

/** One packet, copied out of the capture's memory: yours to keep. */
export interface Packet {
  /** The captured bytes, cut to the snapshot length. */
  data: Uint8Array;
  /** Length of the packet on the wire (may exceed `data.length`). */
  length: number;
  /** When it arrived (stamped in the kernel by the XDP program), ns since the Unix epoch. */
  timestampNs: bigint;
  /** RX queue it arrived on (0 for an outgoing packet). */
  queue: number;
  /** "in" (received) or "out" (sent: a tap sees both). */
  direction: "in" | "out";
  /** Its process, by its socket (a tap opened with `process`), when one is known. */
  process?: PacketProcess;
}

/**
 * The packets of one receive call, read in place: the object, `descs` and `umem` are reused,
 * and every view into the UMEM is valid only until the loop asks for the next batch (the
 * frames then go back to the kernel and are overwritten by later packets). Copy what you keep.
 *
 * Allocation-free use reads `umem` at {@link PacketBatch.offset} for
 * {@link PacketBatch.captureLength} bytes; {@link PacketBatch.data} is the convenient form and
 * allocates one view per call. Every method throws a RangeError for an index outside
 * `0 .. length-1`.
 */
export interface PacketBatch {
  /** Packets in this batch. */
  readonly length: number;
  /**
   * RX queue of these packets with the divert path (with several queues, each batch comes from
   * one of them); -1 with the tap, whose batches mix queues and directions: see
   * {@link PacketBatch.rxQueue} and {@link PacketBatch.direction}.
   */
  readonly queue: number;
  /**
   * The raw descriptors: 6 u32 per packet, `[offset, captureLength, wireLength, sec, nsec,
   * flags]` (flags: the queue in bits 0-15, the direction, 1 in or 2 out, from bit 16), for
   * `length` packets. Slots past `length` are stale.
   */
  readonly descs: Uint32Array<ArrayBuffer>;
  /**
   * The memory every packet's bytes live in, at their descriptor's offset: the queue's UMEM
   * (divert) or the tap's ring buffer. A tap's ring buffer is read-only memory: writing into
   * it kills the process (SIGSEGV); copy first.
   */
  readonly umem: Uint8Array;
  /** Snapshot length applied by captureLength() and data(). */
  readonly snaplen: number;
  /** Where packet i starts in `umem`. */
  offset(i: number): number;
  /** Length of packet i on the wire. */
  wireLength(i: number): number;
  /** Bytes of packet i there are to read: its wire length cut to the snapshot length. */
  captureLength(i: number): number;
  /** Arrival time of packet i (stamped by the XDP program): seconds since the Unix epoch. */
  sec(i: number): number;
  /** Arrival time of packet i: nanoseconds within the second. */
  nsec(i: number): number;
  /** Arrival time of packet i in ns since the Unix epoch (allocates a bigint). */
  timestampNs(i: number): bigint;
  /** "in" when packet i was received, "out" when it was sent (tap). */
  direction(i: number): "in" | "out";
  /** The RX queue packet i arrived on (0 for an outgoing packet). */
  rxQueue(i: number): number;
  /**
   * The process packet i belongs to, by its socket (a tap opened with `process`); undefined
   * when none is known (forwarded, ARP, ICMP errors) or attribution is off. Allocates.
   */
  process(i: number): PacketProcess | undefined;
  /**
   * Packet i's captured bytes: a view into the UMEM, not a copy, valid until the next batch.
   * Allocates the view; use offset() and captureLength() to read without allocating.
   */
  data(i: number): Uint8Array;
}

/** The one PacketBatch a loop reuses. Not part of the public API (mod.ts); tests build it. */
export class BatchView implements PacketBatch {
  readonly descs: Uint32Array<ArrayBuffer>;
  readonly snaplen: number;
  /** Packets in this batch, their queue and its UMEM: set by the loop before each yield. */
  length = 0;
  queue: number;
  umem: Uint8Array;

  constructor(queue: number, descs: Uint32Array<ArrayBuffer>, umem: Uint8Array, snaplen: number) {
    this.queue = queue;
    this.descs = descs;
    this.umem = umem;
    this.snaplen = snaplen;
  }

  #slot(i: number): number {
    if (!(i >= 0 && i < this.length && Number.isInteger(i))) {
      throw new RangeError(`packet ${i} is not in this batch of ${this.length}`);
    }
    return i * DESC_WORDS;
  }

  offset(i: number): number {
    return this.descs[this.#slot(i) + DESC_ADDR];
  }

  wireLength(i: number): number {
    return this.descs[this.#slot(i) + DESC_WIRELEN];
  }

  captureLength(i: number): number {
    const len = this.descs[this.#slot(i) + DESC_LEN];
    return len < this.snaplen ? len : this.snaplen;
  }

  sec(i: number): number {
    return this.descs[this.#slot(i) + DESC_SEC];
  }

  nsec(i: number): number {
    return this.descs[this.#slot(i) + DESC_NSEC];
  }

  timestampNs(i: number): bigint {
    const j = this.#slot(i);
    return BigInt(this.descs[j + DESC_SEC]) * 1_000_000_000n + BigInt(this.descs[j + DESC_NSEC]);
  }

  direction(i: number): "in" | "out" {
    const flags = this.descs[this.#slot(i) + DESC_FLAGS];
    return ((flags >>> DESC_DIR_SHIFT) & DESC_DIR_MASK) === DIR.out ? "out" : "in";
  }

  /** The packet's process (a tap opened with `process`), undefined when none is known. */
  process(i: number): PacketProcess | undefined {
    const j = this.#slot(i);
    return processOf(this.umem, this.descs[j + DESC_ADDR], this.descs[j + DESC_FLAGS]);
  }

  rxQueue(i: number): number {
    return this.descs[this.#slot(i) + DESC_FLAGS] & DESC_QUEUE_MASK;
  }

  data(i: number): Uint8Array {
    const off = this.offset(i);
    return this.umem.subarray(off, off + this.captureLength(i));
  }
}

/**
 * A live capture on an interface, opened by {@link openCapture}. With the divert path (AF_XDP:
 * one socket and UMEM per RX queue), packets on its queues (that match its filter) are
 * redirected to it and do not reach the host's stack; with the tap path they are copied into a
 * ring buffer and go on, in both directions. Close it (or open it with `await using`) to detach
 * the programs; the kernel also detaches them if the process dies. One loop at a time:
 * batches(), packets() or run().
 */
export class LiveCapture implements AsyncDisposable {
  /** Interface name. */
  readonly iface: string;
  /** "tap" or "divert", and why. */
  readonly path: CapturePath;
  readonly pathReason: string;
  /** The directions captured. */
  readonly direction: Direction;
  /** The first (or only) RX queue captured. */
  readonly queue: number;
  /** Every RX queue captured ([] for a tap on every queue). */
  readonly queues: readonly number[];
  /** XDP attach mode the kernel accepted ("tc" for a tap hooked at tc only). */
  readonly mode: "native" | "generic" | "tc";
  /** The socket is bound in zero-copy mode (the driver supports it). */
  readonly zerocopy: boolean;
  /** Bytes kept of each packet. */
  readonly snaplen: number;
  readonly #cap: Capture;
  readonly #descs: Uint32Array<ArrayBuffer>;
  #busy = false;

  /** @ignore Made by {@link openCapture}. */
  constructor(cap: Capture, snaplen: number, batchSize: number) {
    this.#cap = cap;
    this.#descs = new Uint32Array(batchSize * DESC_WORDS);
    this.iface = cap.iface;
    this.path = cap.path;
    this.pathReason = cap.pathReason;
    this.direction = cap.direction;
    this.queue = cap.queue;
    this.queues = cap.queues;
    this.mode = cap.mode;
    this.zerocopy = cap.zerocopy;
    this.snaplen = snaplen;
  }

  /**
   * Receives in batches, zero-copy: yields one reused {@link PacketBatch} whose views are valid
   * until the next iteration. Leaving the loop (break, return, throw) gives the batch's frames
   * back, read or not; iterating again goes on with the next packet.
   *
   * Ends by itself at `limits.count` packets, after `limits.durationMs`, when `limits.signal`
   * aborts (those two first yield what the ring still holds, then end the capture for good),
   * or when closed. Under load it still lets timers and signal listeners run every few ms.
   *
   * ```ts
   * for await (const batch of cap.batches({ durationMs: 5000 })) {
   *   for (let i = 0; i < batch.length; i++) bytes += batch.wireLength(i);
   * }
   * ```
   */
  async *batches(limits: RunLimits = {}): AsyncGenerator<PacketBatch, void, void> {
    this.#enter();
    try {
      const batch = new BatchView(this.queue, this.#descs, this.#cap.umem, this.snaplen);
      try {
        for await (const n of this.#cap.receive(this.#descs, limits)) {
          batch.length = n;
          batch.queue = this.#cap.batchQueue;
          batch.umem = this.#cap.umem;
          yield batch;
        }
      } finally {
        batch.length = 0; // a batch kept past the loop holds no packet
      }
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Receives packet by packet, each copied out (allocates per packet: for high rates use
   * {@link LiveCapture.batches}). Ends like batches(); leaving the loop early also drops the
   * rest of the receive batch the packet came in (up to `batchSize - 1` packets).
   *
   * ```ts
   * for await (const pkt of cap.packets({ count: 10 })) console.log(pkt.length, pkt.timestampNs);
   * ```
   */
  async *packets(limits: RunLimits = {}): AsyncGenerator<Packet, void, void> {
    for await (const batch of this.batches(limits)) {
      for (let i = 0; i < batch.length; i++) {
        const off = batch.offset(i);
        yield {
          data: batch.umem.slice(off, off + batch.captureLength(i)),
          length: batch.wireLength(i),
          timestampNs: batch.timestampNs(i),
          queue: batch.rxQueue(i),
          direction: batch.direction(i),
          process: batch.process(i),
        };
      }
    }
  }

  /**
   * Pushes every packet into a sink (a {@link PacketSink}, e.g. a PcapWriter) on the CLI's hot
   * path: no allocation per packet. Returns why it stopped; an error (interface gone, the sink
   * threw) comes back in the result rather than thrown. The sink is flushed, not closed. The
   * snapshot length is the sink's business (PcapWriter has its own).
   */
  async run(sink: PacketSink, limits: RunLimits = {}): Promise<CaptureResult> {
    this.#enter();
    try {
      return await this.#cap.run(sink, limits);
    } finally {
      this.#busy = false;
    }
  }

  #enter(): void {
    if (this.#busy) throw new Error("this capture is already being read by another loop");
    this.#busy = true;
  }

  /**
   * Counters: packets captured, seen by the XDP program, dropped by the kernel (by reason),
   * ring integrity findings. After close(), the final ones.
   */
  stats(): CaptureStats {
    return this.#cap.stats();
  }

  /** Detaches the XDP program and closes the socket; packets flow to the stack again. Idempotent. */
  close(): void {
    this.#cap.close();
  }

  /** `await using cap = await openCapture(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/**
 * Opens a live capture on `opts.iface`, by the path `opts.path` names or, without one, the path
 * the interface's use calls for (tap where the host uses it, divert on a capture port). Divert
 * attaches xskdump's XDP program (with a BPF link) and an AF_XDP socket to each RX queue asked for
 * (`queue`, default 0, or `queues`: a list or "all"); tap attaches the tap programs (XDP, tc) and
 * maps their ring buffer (`direction`, default "inout"). Needs root, or CAP_NET_ADMIN, CAP_BPF and
 * CAP_PERFMON (divert: CAP_NET_RAW and CAP_IPC_LOCK too); rejects with an XskError (errno, hint)
 * when the kernel refuses, a FilterError for a filter it cannot use.
 *
 * ```ts
 * await using cap = await openCapture({ iface: "eth0" });
 * for await (const pkt of cap.packets({ count: 10 })) console.log(pkt.length);
 * ```
 */
export function openCapture(opts: OpenCaptureOptions): Promise<LiveCapture> {
  try {
    const snaplen = opts.snaplen ?? MAX_SNAPLEN;
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > MAX_SNAPLEN) {
      throw new RangeError(`snaplen must be an integer in 1..${MAX_SNAPLEN}, got ${snaplen}`);
    }
    const batchSize = opts.batchSize ?? 64;
    const cap = Capture.open({ ...opts, batchSize, snaplen });
    return Promise.resolve(new LiveCapture(cap, snaplen, batchSize));
  } catch (e) {
    return Promise.reject(e);
  }
}
