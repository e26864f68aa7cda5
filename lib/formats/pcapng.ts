/**
 * pcapng (the pcap "next generation" block format) writer, in pure TypeScript.
 *
 * It follows {@link PcapWriter}'s rules: {@link PcapngWriter.add} appends one Enhanced Packet Block
 * to a large, pre-touched buffer with no allocation, and only whole blocks reach the sink, so the
 * file is valid at every flush boundary. It writes one little-endian section with nanosecond
 * timestamps: one interface (a capture), or several, each with its own description, added up front
 * or as they appear ({@link PcapngWriter.addInterface}: `xskdump fleet` merges hosts so) and each
 * with its own statistics block at the end. Each packet carries its interface, its direction
 * (inbound, or outbound for a tap's outgoing packets) and, when known, the RX queue it arrived on.
 * The reader is pcapng_reader.ts.
 *
 * @module
 */
import { type ByteCopier, checkPacketRange, outputBuffer, writerOptions } from "./bytecopy.ts";
import { MAX_RECORD } from "./magic.ts";
import { type ByteSink, LINKTYPE_ETHERNET } from "./pcap.ts";
import {
  EPB,
  EPB_FLAGS,
  EPB_PROCESSID_THREADID,
  EPB_QUEUE,
  ISB,
  ISB_FILTERACCEPT,
  ISB_IFDROP,
  ISB_IFRECV,
  ISB_OSDROP,
  ISB_USRDELIV,
  OPT_COMMENT,
  OPT_ENDOFOPT,
  pad4,
  TWO32,
} from "./pcapng_blocks.ts";
import { buildIdb, buildShb } from "./pcapng_headers.ts";

/** epb_flags bits 0-1 = 01: the packet was received. */
export const EPB_DIRECTION_INBOUND = 1;
/** epb_flags bits 0-1 = 10: the packet was sent (tap mode's outgoing packets). */
export const EPB_DIRECTION_OUTBOUND = 2;

/**
 * The fixed part of an EPB as written: block type, length, interface, timestamp (2 words),
 * captured and original lengths (28 bytes), then epb_flags (8), opt_endofopt (4) and the trailing
 * length (4). The padded data and an optional epb_queue (8) come on top.
 */
const EPB_HEAD = 28;
const EPB_FIXED = EPB_HEAD + 8 + 4 + 4;
/** epb_flags and epb_queue option headers (code | length << 16), little-endian words. */
const FLAGS_OPT_WORD = EPB_FLAGS | (4 << 16);
const QUEUE_OPT_WORD = EPB_QUEUE | (4 << 16);
/** Largest ISB the writer builds: 20-byte head, five u64 options, opt_endofopt, trailer. */
const ISB_MAX = 20 + 5 * 12 + 4 + 4;

/** 1e9 / 512: sec * 1953125 stays below 2^53 for every u32 sec, so it is exact in a double. */
const NS_PER_SEC_ODD = 1953125;
/** 2^23: (sec * 1953125) * 512 / 2^32 = (sec * 1953125) / 2^23. */
const TWO23 = 8388608;

/** One interface of the file: its Interface Description Block. */
export interface PcapngInterface {
  /** if_name, e.g. `eth0` (`web1:eth0` in a merged capture). */
  name: string;
  /** if_description; omitted when absent or empty. */
  description?: string;
  /** Capture filter text (if_filter, as a libpcap filter string); omitted when absent or empty. */
  filter?: string;
  /** Link-layer type. Default: the writer's `linktype`. */
  linktype?: number;
  /** Bytes kept of each of its packets. Default: the writer's `snaplen` (and never more). */
  snaplen?: number;
}

/** Options of {@link PcapngWriter}. */
export interface PcapngWriterOptions {
  /**
   * Name of the one capture interface (if_name), e.g. `eth0`: interface 0, described by `filter`,
   * `snaplen` and `linktype`. Needed unless `interfaces` is given.
   */
  ifName?: string;
  /** The interfaces to describe up front instead of `ifName`'s one (possibly none: see
   * {@link PcapngWriter.addInterface}). */
  interfaces?: readonly PcapngInterface[];
  /** Capture filter text (if_filter, as a libpcap filter string); omitted when absent or empty. */
  filter?: string;
  /** Bytes kept of each packet; longer packets are truncated. Default 262144. */
  snaplen?: number;
  /** Link-layer type of the interface. Default {@link LINKTYPE_ETHERNET}. */
  linktype?: number;
  /** Size of the output buffer: the usual size of one sink write. Default 1 MiB. */
  bufferSize?: number;
  /** Hardware description for the section header (shb_hardware). */
  hardware?: string;
  /** Operating system for the section header (shb_os). */
  os?: string;
  /** Writing application (shb_userappl). Default `"xskdump"`; callers add their version. */
  userAppl?: string;
}

/** A 64-bit counter: a `bigint`, or a non-negative safe-integer `number`. */
export type PcapngCounter = bigint | number;

/**
 * Capture statistics for the Interface Statistics Block written by {@link PcapngWriter.close}.
 * Counters left undefined are not written.
 */
export interface PcapngWriterStats {
  /** Packets received by the interface (isb_ifrecv). */
  ifRecv?: PcapngCounter;
  /** Packets dropped by the interface for lack of resources (isb_ifdrop). */
  ifDrop?: PcapngCounter;
  /** Packets accepted by the capture filter (isb_filteraccept). */
  filterAccept?: PcapngCounter;
  /** Packets dropped by the operating system (isb_osdrop). */
  osDrop?: PcapngCounter;
  /** Packets delivered to the user (isb_usrdeliv). */
  usrDeliv?: PcapngCounter;
  /** When the counters were taken, seconds; default: now. */
  sec?: number;
  /** When the counters were taken, nanoseconds within `sec`; default: now (or 0 with `sec`). */
  nsec?: number;
}

/** Checks a counter for the ISB; RangeError when it cannot be a u64. */
function checkCounter(name: string, x: PcapngCounter | undefined): void {
  if (x === undefined) return;
  if (typeof x === "bigint") {
    if (x < 0n || x > 0xffffffffffffffffn) {
      throw new RangeError(`${name} must fit in 64 unsigned bits, got ${x}`);
    }
  } else if (!Number.isSafeInteger(x) || x < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer or a bigint, got ${x}`);
  }
}

/**
 * Writes a little-endian pcapng stream into a {@link ByteSink}: a Section Header Block, an
 * Interface Description Block per interface (interface 0 alone for a capture; nanosecond
 * timestamps) and an Enhanced Packet Block per packet; {@link PcapngWriter.addStatistics} and
 * {@link PcapngWriter.close} add Interface Statistics Blocks.
 *
 * Blocks are appended to one buffer allocated (and touched) up front and handed to the sink only
 * whole, when the buffer is full or on {@link PcapngWriter.flush}.
 */
export class PcapngWriter {
  readonly #sink: ByteSink;
  readonly #buf: Uint8Array;
  readonly #copier: ByteCopier;
  readonly #view: DataView;
  /** The writer's snaplen and link type: the defaults of every interface. */
  readonly #snaplen: number;
  readonly #linktype: number;
  /** Per interface id: the bytes kept of its packets. Its length is the interface count. */
  readonly #snaplens: number[] = [];
  #pos = 0;
  #packets = 0;
  #bytes = 0;
  #closed = false;

  /**
   * Allocates the output buffer, touches every page of it (so the hot path takes no page faults)
   * and puts the section header and interface description into it.
   */
  constructor(sink: ByteSink, opts: PcapngWriterOptions) {
    // The IDB has 16 bits for the link type, unlike the classic pcap header.
    const { snaplen, linktype, bufferSize } = writerOptions(
      opts,
      MAX_RECORD,
      16,
      LINKTYPE_ETHERNET,
    );
    const first = opts.interfaces ??
      [{ name: opts.ifName as string, filter: opts.filter, snaplen, linktype }];
    if (opts.interfaces === undefined && typeof opts.ifName !== "string") {
      throw new TypeError("ifName must be a string");
    }
    const shb = buildShb(opts);
    this.#sink = sink;
    this.#snaplen = snaplen;
    this.#linktype = linktype;
    // Whole words (blocks are word multiples), and room for the header or the largest ISB, so
    // both always fit in an empty buffer whatever the caller asked for; an IDB that does not fit
    // an empty buffer goes to the sink alone.
    const size = pad4(Math.max(bufferSize, shb.length, ISB_MAX, 64));
    ({ buf: this.#buf, view: this.#view, copier: this.#copier } = outputBuffer(size));
    this.#buf.set(shb);
    this.#pos = shb.length;
    this.#bytes = shb.length;
    for (const i of first) this.addInterface(i);
  }

  /** Interfaces described so far: packets name one by its id, 0 up to this count. */
  get interfaces(): number {
    return this.#snaplens.length;
  }

  /**
   * Describes one more interface (an Interface Description Block, written in the stream here,
   * before any packet that names it) and returns its id. Not the hot path.
   */
  addInterface(i: PcapngInterface): number {
    if (this.#closed) throw new Error("PcapngWriter.addInterface after close");
    const { snaplen, linktype } = writerOptions(
      { snaplen: i.snaplen ?? this.#snaplen, linktype: i.linktype ?? this.#linktype },
      MAX_RECORD,
      16,
      LINKTYPE_ETHERNET,
    );
    const idb = buildIdb(i, snaplen, linktype);
    if (this.#pos + idb.length > this.#buf.length) this.flush();
    if (idb.length > this.#buf.length) {
      this.#sink.write(idb);
    } else {
      this.#buf.set(idb, this.#pos);
      this.#pos += idb.length;
    }
    this.#bytes += idb.length;
    return this.#snaplens.push(Math.min(snaplen, this.#snaplen)) - 1;
  }

  /** The bytes kept of a packet of interface `iface` (RangeError for an undescribed one). */
  #keep(iface: number): number {
    const keep = this.#snaplens[iface];
    if (keep === undefined) {
      throw new RangeError(`interface ${iface} is not described (${this.#snaplens.length} are)`);
    }
    return keep;
  }

  /** Packets added so far (buffered or already handed to the sink). */
  get packets(): number {
    return this.#packets;
  }

  /** File bytes produced so far, header included (buffered or already handed to the sink). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Hot path: appends one Enhanced Packet Block holding `src[off .. off+len)`, cut to the
   * snaplen; the packet's original length is `len`. Does not allocate. Flushes first when the
   * block does not fit in the buffer; a block larger than the whole buffer goes straight to the
   * sink.
   *
   * `sec` and `nsec` are taken as unsigned 32-bit values (`nsec` should be below 1e9) and stored
   * as one 64-bit nanosecond count. `wireLen` is the packet's length on the wire (default
   * `len`, taken as at least `len`). `direction` (1 inbound, the default, or 2 outbound) goes
   * into epb_flags. `queue`, the RX queue an inbound packet came from, is stored as epb_queue
   * when given (as an unsigned 32-bit value); an outbound packet has none. `iface` is the
   * interface's id (default 0). `options`: more EPB options, encoded (whole TLVs, a multiple of 4
   * bytes: {@link epbProcessOptions}), after those.
   */
  add(
    src: Uint8Array,
    off: number,
    len: number,
    sec: number,
    nsec: number,
    queue?: number,
    wireLen: number = len,
    direction: number = EPB_DIRECTION_INBOUND,
    iface = 0,
    options?: Uint8Array,
  ): void {
    if (this.#closed) throw new Error("PcapngWriter.add after close");
    checkPacketRange(src, off, len);
    const keep = this.#keep(iface);
    const incl = len < keep ? len : keep;
    const wire = wireLen > len ? wireLen : len;
    const q = direction === EPB_DIRECTION_OUTBOUND ? undefined : queue;
    this.#put(src, off, incl, wire, sec, nsec, q, direction, iface, options);
  }

  /**
   * Appends a packet read from another file: `data` holds the captured bytes (cut again to the
   * snaplen here), `origLen` the packet's length on the wire (taken as at least the captured
   * length), `queue` and `flags` its epb_queue and epb_flags when known (flags default to
   * inbound), `iface` its interface's id here (default 0). Not the capture hot path;
   * {@link PcapngWriter.add} is.
   */
  addRecord(
    data: Uint8Array,
    origLen: number,
    sec: number,
    nsec: number,
    queue?: number,
    flags: number = EPB_DIRECTION_INBOUND,
    iface = 0,
  ): void {
    if (this.#closed) throw new Error("PcapngWriter.addRecord after close");
    const keep = this.#keep(iface);
    const incl = data.length < keep ? data.length : keep;
    const wire = origLen > incl ? origLen : incl;
    this.#put(data, 0, incl, wire, sec, nsec, queue, flags, iface, undefined);
  }

  /**
   * One EPB of `incl` bytes from `src[off..]`, `wire` long on the wire, with epb_flags `flags`,
   * epb_queue `queue` when given and the encoded `options`: into the buffer, flushed first when
   * it does not fit, or straight to the sink when it is larger than the buffer.
   */
  #put(
    src: Uint8Array,
    off: number,
    incl: number,
    wire: number,
    sec: number,
    nsec: number,
    queue: number | undefined,
    flags: number,
    iface: number,
    options: Uint8Array | undefined,
  ): void {
    const padded = pad4(incl);
    const extra = options === undefined ? 0 : options.length;
    const need = (queue === undefined ? EPB_FIXED + padded : EPB_FIXED + 8 + padded) + extra;
    if (this.#pos + need > this.#buf.length) {
      this.flush();
      if (need > this.#buf.length) {
        this.#writeDirect(src, off, incl, wire, sec, nsec, queue, need, iface, flags, options);
        return;
      }
    }
    const pos = this.#pos;
    this.#putHead(pos, need, incl, wire, sec, nsec, iface);
    // The buffer is reused, so the padding must be cleared; the data then overwrites its front.
    if (padded !== incl) this.#view.setInt32(pos + EPB_HEAD + padded - 4, 0);
    this.#copier.copy(src, off, incl, pos + EPB_HEAD);
    this.#putTail(pos + EPB_HEAD + padded, need, queue, flags, options);
    this.#pos = pos + need;
    this.#packets++;
    this.#bytes += need;
  }

  /** The 28 bytes before the data. */
  #putHead(
    pos: number,
    need: number,
    incl: number,
    len: number,
    sec: number,
    nsec: number,
    iface: number,
  ): void {
    const v = this.#view;
    v.setUint32(pos, EPB, true);
    v.setUint32(pos + 4, need, true);
    v.setUint32(pos + 8, iface, true);
    this.#putTime(pos + 12, sec, nsec);
    v.setUint32(pos + 20, incl, true);
    v.setUint32(pos + 24, len, true);
  }

  /**
   * A timestamp as the EPB and ISB hold it: the 64-bit nanosecond count sec * 1e9 + nsec, high
   * word first. The count can reach 2^62, past the 2^53 a double holds exactly, so it is built
   * as two 32-bit halves without BigInt (which would allocate): with m = sec * 1e9 / 512 (below
   * 2^53, so exact), sec * 1e9 = floor(m / 2^23) * 2^32 + (m mod 2^23) * 512.
   */
  #putTime(p: number, sec: number, nsec: number): void {
    const m = (sec >>> 0) * NS_PER_SEC_ODD;
    let hi = Math.floor(m / TWO23);
    let lo = (m - hi * TWO23) * 512 + (nsec >>> 0);
    if (lo >= TWO32) {
      lo -= TWO32;
      hi++;
    }
    this.#view.setUint32(p, hi, true);
    this.#view.setUint32(p + 4, lo, true);
  }

  /**
   * epb_flags, epb_queue when given, the encoded `options`, opt_endofopt and the trailing
   * length, from `p` on.
   */
  #putTail(
    p: number,
    need: number,
    queue: number | undefined,
    flags: number = EPB_DIRECTION_INBOUND,
    options?: Uint8Array,
  ): void {
    const v = this.#view;
    v.setUint32(p, FLAGS_OPT_WORD, true);
    v.setUint32(p + 4, flags >>> 0, true);
    if (queue !== undefined) {
      v.setUint32(p + 8, QUEUE_OPT_WORD, true);
      v.setUint32(p + 12, queue >>> 0, true);
      p += 8;
    }
    if (options !== undefined) {
      this.#buf.set(options, p + 8);
      p += options.length;
    }
    v.setUint32(p + 8, OPT_ENDOFOPT, true);
    v.setUint32(p + 12, need, true);
  }

  /** Rare path for a block larger than the buffer: head via the (empty) buffer, data, tail. */
  #writeDirect(
    src: Uint8Array,
    off: number,
    incl: number,
    len: number,
    sec: number,
    nsec: number,
    queue: number | undefined,
    need: number,
    iface: number,
    flags: number = EPB_DIRECTION_INBOUND,
    options?: Uint8Array,
  ): void {
    this.#putHead(0, need, incl, len, sec, nsec, iface);
    this.#sink.write(this.#buf.subarray(0, EPB_HEAD));
    this.#sink.write(src.subarray(off, off + incl));
    const padding = pad4(incl) - incl;
    this.#view.setUint32(0, 0); // the padding bytes
    this.#putTail(padding, need, queue, flags, options);
    this.#sink.write(this.#buf.subarray(0, need - EPB_HEAD - incl));
    this.#packets++;
    this.#bytes += need;
  }

  /** Hands every buffered block (whole blocks only) to the sink. */
  flush(): void {
    if (this.#pos === 0) return;
    const n = this.#pos;
    // Reset first: if the sink throws (disk full), the bytes are reported lost, not written twice.
    this.#pos = 0;
    this.#sink.write(this.#buf.subarray(0, n));
  }

  /**
   * Appends an Interface Statistics Block for interface 0 when `stats` is given, then flushes;
   * later calls do nothing. The sink itself is left to the caller to close. Throws RangeError
   * (and stays open) when a counter cannot be stored as a u64.
   */
  close(stats?: PcapngWriterStats): void {
    if (this.#closed) return;
    if (stats !== undefined) this.addStatistics(0, stats);
    this.#closed = true;
    this.flush();
  }

  /**
   * Appends an Interface Statistics Block for interface `iface` (buffered like a packet). Throws
   * RangeError, writing nothing, when a counter cannot be stored as a u64 or the interface is not
   * described.
   */
  addStatistics(iface: number, stats: PcapngWriterStats): void {
    if (this.#closed) throw new Error("PcapngWriter.addStatistics after close");
    this.#keep(iface);
    const counters: [number, PcapngCounter | undefined, string][] = [
      [ISB_IFRECV, stats.ifRecv, "ifRecv"],
      [ISB_IFDROP, stats.ifDrop, "ifDrop"],
      [ISB_FILTERACCEPT, stats.filterAccept, "filterAccept"],
      [ISB_OSDROP, stats.osDrop, "osDrop"],
      [ISB_USRDELIV, stats.usrDeliv, "usrDeliv"],
    ];
    for (const [, x, name] of counters) checkCounter(name, x);
    let sec = stats.sec;
    let nsec = stats.nsec ?? 0;
    if (sec === undefined) {
      const ms = Date.now();
      sec = Math.floor(ms / 1000);
      if (stats.nsec === undefined) nsec = (ms - sec * 1000) * 1e6;
    }
    const present = counters.filter(([, x]) => x !== undefined);
    const len = 20 + present.length * 12 + (present.length > 0 ? 4 : 0) + 4;
    if (this.#pos + len > this.#buf.length) this.flush();
    const pos = this.#pos;
    const v = this.#view;
    v.setUint32(pos, ISB, true);
    v.setUint32(pos + 4, len, true);
    v.setUint32(pos + 8, iface, true);
    this.#putTime(pos + 12, sec, nsec);
    let p = pos + 20;
    for (const [code, x] of present) {
      v.setUint16(p, code, true);
      v.setUint16(p + 2, 8, true);
      if (typeof x === "bigint") {
        v.setBigUint64(p + 4, x, true);
      } else {
        const n = x as number;
        v.setUint32(p + 4, n % TWO32, true);
        v.setUint32(p + 8, Math.floor(n / TWO32), true);
      }
      p += 12;
    }
    if (present.length > 0) {
      v.setUint32(p, OPT_ENDOFOPT, true);
      p += 4;
    }
    v.setUint32(p, len, true);
    this.#pos = pos + len;
    this.#bytes += len;
  }
}

/**
 * EPB options naming a packet's process, encoded for {@link PcapngWriter.add}:
 * epb_processid_threadid (code 8: pid, then tid, u32 each, little-endian as the writer's files)
 * and, when `comment` is given, an opt_comment with it (tshark shows comments; it has no field
 * for the pid option).
 */
export function epbProcessOptions(pid: number, tid: number, comment?: string): Uint8Array {
  const text = comment === undefined ? new Uint8Array(0) : new TextEncoder().encode(comment);
  if (text.length > 0xffff) throw new RangeError("an opt_comment holds at most 65535 bytes");
  const out = new Uint8Array(12 + (text.length ? 4 + pad4(text.length) : 0));
  const v = new DataView(out.buffer);
  v.setUint16(0, EPB_PROCESSID_THREADID, true);
  v.setUint16(2, 8, true);
  v.setUint32(4, pid >>> 0, true);
  v.setUint32(8, tid >>> 0, true);
  if (text.length) {
    v.setUint16(12, OPT_COMMENT, true);
    v.setUint16(14, text.length, true);
    out.set(text, 16);
  }
  return out;
}
