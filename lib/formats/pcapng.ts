/**
 * pcapng (the pcap "next generation" block format) writer and reader, in pure TypeScript, plus a
 * reader of either capture format for `-r`.
 *
 * The writer follows {@link PcapWriter}'s rules: {@link PcapngWriter.add} appends one Enhanced
 * Packet Block to a large, pre-touched buffer with no allocation, and only whole blocks reach the
 * sink, so the file is valid at every flush boundary. It writes one little-endian section with one
 * Ethernet interface and nanosecond timestamps; each packet carries its direction (inbound, or
 * outbound for a tap's outgoing packets) and, when known, the RX queue it arrived on.
 *
 * The reader walks a whole file held in memory: any byte order (per section), several sections
 * and interfaces, any timestamp resolution. Like {@link pcapRecords} it yields every good record,
 * then throws {@link PcapFormatError} on truncation or corruption, and throws nothing else.
 *
 * Block and option codes are those of the pcapng specification (IETF draft-ietf-opsawg-pcapng).
 *
 * @module
 */
import { type ByteCopier, outputBuffer, writerOptions } from "./bytecopy.ts";
import { MAX_RECORD, PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_IDB, PCAPNG_SHB } from "./magic.ts";

import {
  type ByteSink,
  LINKTYPE_ETHERNET,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_US,
  PcapFormatError,
  pcapRecords,
  readPcapHeader,
} from "./pcap.ts";

// Block types.
const SHB = PCAPNG_SHB;
const IDB = PCAPNG_IDB;
const PB = 2; // obsolete Packet Block
const SPB = 3;
const NRB = 4;
const ISB = 5;
const EPB = 6;
const DSB = 0x0a;
const BYTE_ORDER_MAGIC = PCAPNG_BYTE_ORDER_MAGIC;

// Option codes (each block type has its own code space; 0 and 1 are common to all).
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_FILTER = 11;
const IF_OS = 12;
const IF_TSOFFSET = 14;
const EPB_FLAGS = 2; // also pack_flags in the obsolete PB
const EPB_QUEUE = 6;
const ISB_STARTTIME = 2;
const ISB_ENDTIME = 3;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;
const ISB_FILTERACCEPT = 6;
const ISB_OSDROP = 7;
const ISB_USRDELIV = 8;

/** epb_flags bits 0-1 = 01: the packet was received. */
export const EPB_DIRECTION_INBOUND = 1;
/** epb_flags bits 0-1 = 10: the packet was sent (tap mode's outgoing packets). */
export const EPB_DIRECTION_OUTBOUND = 2;

/** if_tsresol 9: timestamps count nanoseconds. */
const TSRESOL_NS = 9;
/** if_filter's first byte 0: the rest is a libpcap filter string. */
const FILTER_LIBPCAP = 0;
/** Largest snaplen the writer accepts, as for pcap. */
const MAX_SNAPLEN = MAX_RECORD;

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

const TWO32 = 4294967296;
/** 1e9 / 512: sec * 1953125 stays below 2^53 for every u32 sec, so it is exact in a double. */
const NS_PER_SEC_ODD = 1953125;
/** 2^23: (sec * 1953125) * 512 / 2^32 = (sec * 1953125) / 2^23. */
const TWO23 = 8388608;

/** Stands in for the source-buffer view until the first packet arrives. */
/** Int32Array stores use host byte order; reading words in that order keeps bytes as they are. */

const encoder = new TextEncoder();

/** Options of {@link PcapngWriter}. */
export interface PcapngWriterOptions {
  /** Name of the capture interface (if_name), e.g. `eth0`. */
  ifName: string;
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

/** One option while the header blocks are built (not on the hot path). */
interface Opt {
  code: number;
  value: Uint8Array;
}

function pad4(n: number): number {
  return n + ((4 - (n & 3)) & 3);
}

function stringOpt(code: number, text: string | undefined, what: string): Opt[] {
  if (text === undefined || text === "") return [];
  const value = encoder.encode(text);
  if (value.length > 0xffff) throw new RangeError(`${what} is longer than 65535 bytes`);
  return [{ code, value }];
}

/** A whole little-endian block: type, length, `body`, options and opt_endofopt, length. */
function buildBlock(type: number, body: Uint8Array, opts: Opt[]): Uint8Array {
  let len = 12 + body.length;
  for (const o of opts) len += 4 + pad4(o.value.length);
  if (opts.length > 0) len += 4;
  const out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, len, true);
  out.set(body, 8);
  let p = 8 + body.length;
  for (const o of opts) {
    v.setUint16(p, o.code, true);
    v.setUint16(p + 2, o.value.length, true);
    out.set(o.value, p + 4);
    p += 4 + pad4(o.value.length);
  }
  if (opts.length > 0) p += 4; // opt_endofopt: already zero
  v.setUint32(p, len, true);
  return out;
}

/** The SHB and the IDB that start every file the writer makes. */
function buildHeader(opts: PcapngWriterOptions, snaplen: number, linktype: number): Uint8Array {
  const shbBody = new Uint8Array(16);
  const sv = new DataView(shbBody.buffer);
  sv.setUint32(0, BYTE_ORDER_MAGIC, true);
  sv.setUint16(4, 1, true); // version 1.0
  sv.setUint16(6, 0, true);
  // Section length -1 (unknown): the file is streamed, its size is not known up front.
  sv.setInt32(8, -1, true);
  sv.setInt32(12, -1, true);
  const shb = buildBlock(SHB, shbBody, [
    ...stringOpt(SHB_HARDWARE, opts.hardware, "hardware"),
    ...stringOpt(SHB_OS, opts.os, "os"),
    ...stringOpt(SHB_USERAPPL, opts.userAppl ?? "xskdump", "userAppl"),
  ]);
  const idbBody = new Uint8Array(8);
  const iv = new DataView(idbBody.buffer);
  iv.setUint16(0, linktype, true);
  iv.setUint32(4, snaplen, true);
  const idbOpts = stringOpt(IF_NAME, opts.ifName, "ifName");
  if (opts.filter !== undefined && opts.filter !== "") {
    const text = encoder.encode(opts.filter);
    if (text.length > 0xfffe) throw new RangeError("filter is longer than 65534 bytes");
    const value = new Uint8Array(1 + text.length);
    value[0] = FILTER_LIBPCAP;
    value.set(text, 1);
    idbOpts.push({ code: IF_FILTER, value });
  }
  idbOpts.push({ code: IF_TSRESOL, value: new Uint8Array([TSRESOL_NS]) });
  const idb = buildBlock(IDB, idbBody, idbOpts);
  const out = new Uint8Array(shb.length + idb.length);
  out.set(shb);
  out.set(idb, shb.length);
  return out;
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
 * Writes a little-endian pcapng stream into a {@link ByteSink}: a Section Header Block, one
 * Interface Description Block (interface 0, nanosecond timestamps) and an Enhanced Packet Block
 * per packet; {@link PcapngWriter.close} can add an Interface Statistics Block.
 *
 * Blocks are appended to one buffer allocated (and touched) up front and handed to the sink only
 * whole, when the buffer is full or on {@link PcapngWriter.flush}.
 */
export class PcapngWriter {
  readonly #sink: ByteSink;
  readonly #buf: Uint8Array;
  readonly #copier: ByteCopier;
  readonly #view: DataView;
  /** The output buffer as 32-bit words: every block starts 4-aligned, so packet data does too. */
  readonly #snaplen: number;
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
      MAX_SNAPLEN,
      16,
      LINKTYPE_ETHERNET,
    );
    if (typeof opts.ifName !== "string") throw new TypeError("ifName must be a string");
    const header = buildHeader(opts, snaplen, linktype);
    this.#sink = sink;
    this.#snaplen = snaplen;
    // Whole words (blocks are word multiples), and room for the header or the largest ISB, so
    // both always fit in an empty buffer whatever the caller asked for.
    const size = pad4(Math.max(bufferSize, header.length, ISB_MAX, 64));
    ({ buf: this.#buf, view: this.#view, copier: this.#copier } = outputBuffer(size));
    this.#buf.set(header);
    this.#pos = header.length;
    this.#bytes = header.length;
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
   * when given (as an unsigned 32-bit value); an outbound packet has none.
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
  ): void {
    if (this.#closed) throw new Error("PcapngWriter.add after close");
    if (
      !Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 ||
      off + len > src.length
    ) {
      throw new RangeError(`bad packet range off=${off} len=${len} in ${src.length} bytes`);
    }
    const incl = len < this.#snaplen ? len : this.#snaplen;
    const wire = wireLen > len ? wireLen : len;
    const padded = pad4(incl);
    const q = direction === EPB_DIRECTION_OUTBOUND ? undefined : queue;
    const need = q === undefined ? EPB_FIXED + padded : EPB_FIXED + 8 + padded;
    if (this.#pos + need > this.#buf.length) {
      this.flush();
      if (need > this.#buf.length) {
        this.#writeDirect(src, off, incl, wire, sec, nsec, q, need, direction);
        return;
      }
    }
    const pos = this.#pos;
    this.#putHead(pos, need, incl, wire, sec, nsec);
    const v = this.#view;
    // The buffer is reused, so the padding must be cleared; the data then overwrites its front.
    if (padded !== incl) v.setInt32(pos + EPB_HEAD + padded - 4, 0);
    this.#copier.copy(src, off, incl, pos + EPB_HEAD);
    this.#putTail(pos + EPB_HEAD + padded, need, q, direction);
    this.#pos = pos + need;
    this.#packets++;
    this.#bytes += need;
  }

  /**
   * Appends a packet read from another file: `data` holds the captured bytes (cut again to the
   * snaplen here), `origLen` the packet's length on the wire (taken as at least the captured
   * length), `queue` and `flags` its epb_queue and epb_flags when known (flags default to
   * inbound). Not the capture hot path; {@link PcapngWriter.add} is.
   */
  addRecord(
    data: Uint8Array,
    origLen: number,
    sec: number,
    nsec: number,
    queue?: number,
    flags: number = EPB_DIRECTION_INBOUND,
  ): void {
    if (this.#closed) throw new Error("PcapngWriter.addRecord after close");
    const incl = data.length < this.#snaplen ? data.length : this.#snaplen;
    const wire = origLen > incl ? origLen : incl;
    const padded = pad4(incl);
    const need = queue === undefined ? EPB_FIXED + padded : EPB_FIXED + 8 + padded;
    if (this.#pos + need > this.#buf.length) {
      this.flush();
      if (need > this.#buf.length) {
        this.#writeDirect(data, 0, incl, wire, sec, nsec, queue, need, flags);
        return;
      }
    }
    const pos = this.#pos;
    this.#putHead(pos, need, incl, wire, sec, nsec);
    if (padded !== incl) this.#view.setInt32(pos + EPB_HEAD + padded - 4, 0);
    this.#buf.set(data.subarray(0, incl), pos + EPB_HEAD);
    this.#putTail(pos + EPB_HEAD + padded, need, queue, flags);
    this.#pos = pos + need;
    this.#packets++;
    this.#bytes += need;
  }

  /** The 28 bytes before the data. */
  #putHead(pos: number, need: number, incl: number, len: number, sec: number, nsec: number): void {
    const v = this.#view;
    v.setUint32(pos, EPB, true);
    v.setUint32(pos + 4, need, true);
    v.setUint32(pos + 8, 0, true); // interface 0, the only one
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

  /** epb_flags, epb_queue when given, opt_endofopt and the trailing length, from `p` on. */
  #putTail(
    p: number,
    need: number,
    queue: number | undefined,
    flags: number = EPB_DIRECTION_INBOUND,
  ): void {
    const v = this.#view;
    v.setUint32(p, FLAGS_OPT_WORD, true);
    v.setUint32(p + 4, flags >>> 0, true);
    if (queue !== undefined) {
      v.setUint32(p + 8, QUEUE_OPT_WORD, true);
      v.setUint32(p + 12, queue >>> 0, true);
      p += 8;
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
    flags: number = EPB_DIRECTION_INBOUND,
  ): void {
    this.#putHead(0, need, incl, len, sec, nsec);
    this.#sink.write(this.#buf.subarray(0, EPB_HEAD));
    this.#sink.write(src.subarray(off, off + incl));
    const padding = pad4(incl) - incl;
    this.#view.setUint32(0, 0); // the padding bytes
    this.#putTail(padding, need, queue, flags);
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
    if (stats !== undefined) this.#addIsb(stats);
    this.#closed = true;
    this.flush();
  }

  #addIsb(stats: PcapngWriterStats): void {
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
    v.setUint32(pos + 8, 0, true); // interface 0
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

// ---------------------------------------------------------------------------------------------
// Reader

/**
 * One packet of a capture file: the fields of a classic pcap record (so it can stand in for one)
 * plus where it came from. `queue` and `flags` are always present as keys (`undefined` when the
 * file does not say), so every record has the same shape.
 */
export interface PcapngRecord {
  /** Timestamp, seconds (0 for Simple Packet Blocks, which have none). */
  sec: number;
  /** Timestamp, nanoseconds within the second (coarser resolutions scaled up, finer truncated). */
  nsec: number;
  /** Bytes captured (`data.length`). */
  caplen: number;
  /** Length of the packet on the wire. */
  origLen: number;
  /** The captured bytes: a view into the input, not a copy. */
  data: Uint8Array;
  /** Interface the packet was captured on: an index into its section's interfaces. */
  interfaceId: number;
  /** Link-layer type of that interface (LINKTYPE_*). */
  linktype: number;
  /** epb_queue: the receive queue the packet arrived on. */
  queue: number | undefined;
  /**
   * epb_flags (or the obsolete pack_flags): bits 0-1 are the direction (1 inbound, 2 outbound),
   * bits 2-4 the reception type, 5-8 the FCS length, 16-31 link-layer errors.
   */
  flags: number | undefined;
}

/** A record of either format, as {@link captureRecords} yields them (pcap: interface 0). */
export type CaptureRecord = PcapngRecord;

/** A point in time, as the reader gives timestamps. */
export interface PcapngTime {
  /** Seconds since the epoch (if_tsoffset included). */
  sec: number;
  /** Nanoseconds within `sec`, truncated from finer resolutions. */
  nsec: number;
}

/** The last Interface Statistics Block of an interface. 64-bit counters stay exact as bigints. */
export interface PcapngInterfaceStats extends PcapngTime {
  /** isb_starttime: when the capture started. */
  startTime?: PcapngTime;
  /** isb_endtime: when the capture ended. */
  endTime?: PcapngTime;
  /** isb_ifrecv: packets received by the interface. */
  ifRecv?: bigint;
  /** isb_ifdrop: packets the interface dropped for lack of resources. */
  ifDrop?: bigint;
  /** isb_filteraccept: packets the capture filter accepted. */
  filterAccept?: bigint;
  /** isb_osdrop: packets the operating system dropped. */
  osDrop?: bigint;
  /** isb_usrdeliv: packets delivered to the user. */
  usrDeliv?: bigint;
}

/** An Interface Description Block, plus what the rest of the file said about that interface. */
export interface PcapngInterfaceInfo {
  /** Link-layer type (LINKTYPE_*). */
  linktype: number;
  /** Snapshot length; 0 means no limit. */
  snaplen: number;
  /** if_name. */
  name?: string;
  /** if_description. */
  description?: string;
  /** if_filter when it is a libpcap filter string. */
  filter?: string;
  /** if_os. */
  os?: string;
  /** The if_tsresol byte: 10^-n seconds, or 2^-(n & 0x7f) when bit 7 is set. Default 6. */
  tsresol: number;
  /** Timestamp units per second that `tsresol` means (1e6 by default, 1e9 for nanoseconds). */
  ticksPerSecond: number;
  /** if_tsoffset: seconds added to every timestamp. Default 0. */
  tsoffset: number;
  /** Packet blocks for this interface in the file. */
  packets: number;
  /** The last Interface Statistics Block for this interface, if any. */
  stats?: PcapngInterfaceStats;
}

/** A section: a Section Header Block and the blocks after it. */
export interface PcapngSectionInfo {
  /** The section is big-endian. */
  bigEndian: boolean;
  /** Format major version (1). */
  versionMajor: number;
  /** Format minor version (0). */
  versionMinor: number;
  /** Section length in bytes, or -1 when the writer did not say. */
  sectionLength: number;
  /** shb_hardware. */
  hardware?: string;
  /** shb_os. */
  os?: string;
  /** shb_userappl. */
  userAppl?: string;
  /** The first opt_comment of the SHB. */
  comment?: string;
  /** Interfaces, indexed by the interface IDs of the section's packets. */
  interfaces: PcapngInterfaceInfo[];
}

/** What {@link readPcapngInfo} finds in a file. */
export interface PcapngInfo {
  /** Sections in file order. */
  sections: PcapngSectionInfo[];
  /** Packet blocks (EPB, SPB, PB) in the whole file. */
  packets: number;
}

/** Reader state of an interface: its info and how to turn its timestamps into sec/nsec. */
interface IfState {
  info: PcapngInterfaceInfo;
  /** 10^n for resolutions 10^-n with n <= 9 (the fast, exact number path); 0 otherwise. */
  div: number;
  /** 10^(9-n): one tick in nanoseconds, with `div`. */
  nsPerTick: number;
  /** Ticks per second for the other resolutions, done with bigints (rare). */
  big: bigint;
}

const decoder = new TextDecoder(); // not fatal: bad UTF-8 becomes U+FFFD, never an exception

function hex32(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}

function blockName(type: number): string {
  switch (type) {
    case SHB:
      return "section header";
    case IDB:
      return "interface description";
    case PB:
      return "packet (obsolete)";
    case SPB:
      return "simple packet";
    case NRB:
      return "name resolution";
    case ISB:
      return "interface statistics";
    case EPB:
      return "enhanced packet";
    case DSB:
      return "decryption secrets";
    default:
      return "unknown";
  }
}

function corrupt(type: number, off: number, what: string): PcapFormatError {
  return new PcapFormatError(
    `corrupt pcapng ${blockName(type)} block (type ${hex32(type)}) at offset ${off}: ${what}`,
  );
}

function truncated(type: number, off: number, have: number, need: number): PcapFormatError {
  return new PcapFormatError(
    `truncated pcapng ${blockName(type)} block (type ${hex32(type)}) at offset ${off}: ` +
      `${have} of ${need} bytes`,
  );
}

function text(bytes: Uint8Array, p: number, len: number): string {
  // The spec's strings are not NUL-terminated, but some writers add one.
  let e = p + len;
  while (e > p && bytes[e - 1] === 0) e--;
  return decoder.decode(bytes.subarray(p, e));
}

/**
 * Calls `visit(code, valueOffset, valueLength)` for each option in `[p, stop)` until
 * opt_endofopt or `stop`; an option running past `stop` is corruption.
 */
function eachOption(
  v: DataView,
  le: boolean,
  p: number,
  stop: number,
  type: number,
  blockOff: number,
  visit: (code: number, at: number, len: number) => void,
): void {
  while (stop - p >= 4) {
    const code = v.getUint16(p, le);
    const len = v.getUint16(p + 2, le);
    if (code === OPT_ENDOFOPT) return;
    if (pad4(len) > stop - p - 4) {
      throw corrupt(type, blockOff, `option ${code} at offset ${p} runs past the block's end`);
    }
    visit(code, p + 4, len);
    p += 4 + pad4(len);
  }
}

function ifState(info: PcapngInterfaceInfo): IfState {
  const r = info.tsresol;
  const exp = r & 0x7f;
  if (r & 0x80) {
    info.ticksPerSecond = 2 ** exp;
    return { info, div: 0, nsPerTick: 0, big: 1n << BigInt(exp) };
  }
  info.ticksPerSecond = 10 ** exp;
  if (exp <= 9) return { info, div: 10 ** exp, nsPerTick: 10 ** (9 - exp), big: 0n };
  return { info, div: 0, nsPerTick: 0, big: 10n ** BigInt(exp) };
}

// Results of convertTime: two numbers, without an object per packet.
let outSec = 0;
let outNsec = 0;

/**
 * Turns a 64-bit tick count (`hi`, `lo`) of interface `s` into outSec/outNsec. Resolutions of
 * 10^-n, n <= 9 (nearly every file), use long division in 16-bit steps so every intermediate
 * stays below 2^53 and exact; the rest use bigints.
 */
function convertTime(s: IfState, hi: number, lo: number): void {
  const d = s.div;
  if (d !== 0) {
    const qh = Math.floor(hi / d);
    const x1 = (hi - qh * d) * 65536 + (lo >>> 16);
    const q1 = Math.floor(x1 / d);
    const x2 = (x1 - q1 * d) * 65536 + (lo & 0xffff);
    const q2 = Math.floor(x2 / d);
    // The low part is exact; only seconds past 2^53 (nonsense in practice) get rounded.
    outSec = qh * TWO32 + (q1 * 65536 + q2) + s.info.tsoffset;
    outNsec = (x2 - q2 * d) * s.nsPerTick;
  } else {
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const sec = t / s.big;
    outSec = Number(sec) + s.info.tsoffset;
    outNsec = Number(((t - sec * s.big) * 1000000000n) / s.big);
  }
}

/** Minimum total length of each block type the reader looks into. */
function minLength(type: number): number {
  switch (type) {
    case SHB:
      return 28;
    case IDB:
      return 20;
    case PB:
    case EPB:
      return 32;
    case SPB:
      return 16;
    case ISB:
      return 24;
    default:
      return 12;
  }
}

/**
 * Walks the blocks of `bytes`, filling `sections` and yielding packets. Every block is checked
 * against its own length and the file's end before anything in it is read, and every step
 * advances by at least 12 bytes, so it ends on any input.
 */
function* walk(bytes: Uint8Array, sections: PcapngSectionInfo[]): Generator<PcapngRecord> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  if (end < 4 || v.getUint32(0, true) !== SHB) {
    const magic = end < 4 ? `${end}-byte file` : `magic ${hex32(v.getUint32(0, false))}`;
    throw new PcapFormatError(`not a pcapng file: ${magic}, expected a section header block`);
  }
  let le = true;
  let ifs: IfState[] = [];
  let section: PcapngSectionInfo | undefined;
  let off = 0;
  while (off < end) {
    const have = end - off;
    const type = have >= 4 ? v.getUint32(off, le) : -1;
    if (have < 12) {
      if (type === -1) {
        throw new PcapFormatError(
          `truncated pcapng block header at offset ${off}: ${have} of 12 bytes`,
        );
      }
      throw truncated(type, off, have, 12);
    }
    if (type === SHB) {
      // The type reads the same in either order; the byte-order magic says which this is.
      const magic = v.getUint32(off + 8, true);
      if (magic === BYTE_ORDER_MAGIC) le = true;
      else if (magic === 0x4d3c2b1a) le = false;
      else throw corrupt(type, off, `bad byte-order magic ${hex32(magic)}`);
    }
    const len = v.getUint32(off + 4, le);
    if (len < minLength(type) || (len & 3) !== 0) {
      throw corrupt(type, off, `block length ${len}`);
    }
    if (len > have) throw truncated(type, off, have, len);
    if (v.getUint32(off + len - 4, le) !== len) {
      throw corrupt(type, off, `trailing length ${v.getUint32(off + len - 4, le)} != ${len}`);
    }
    const stop = off + len - 4; // where the options end
    switch (type) {
      case SHB: {
        const major = v.getUint16(off + 12, le);
        if (major !== 1) throw corrupt(type, off, `unsupported version ${major}`);
        const lenHi = v.getInt32(off + (le ? 20 : 16), le);
        const lenLo = v.getUint32(off + (le ? 16 : 20), le);
        section = {
          bigEndian: !le,
          versionMajor: major,
          versionMinor: v.getUint16(off + 14, le),
          sectionLength: lenHi * TWO32 + lenLo,
          interfaces: [],
        };
        const sec = section;
        eachOption(v, le, off + 24, stop, type, off, (code, at, n) => {
          if (code === SHB_HARDWARE) sec.hardware = text(bytes, at, n);
          else if (code === SHB_OS) sec.os = text(bytes, at, n);
          else if (code === SHB_USERAPPL) sec.userAppl = text(bytes, at, n);
          else if (code === OPT_COMMENT && sec.comment === undefined) {
            sec.comment = text(bytes, at, n);
          }
        });
        sections.push(section);
        ifs = [];
        break;
      }
      case IDB: {
        const info: PcapngInterfaceInfo = {
          linktype: v.getUint16(off + 8, le),
          snaplen: v.getUint32(off + 12, le),
          tsresol: 6,
          ticksPerSecond: 1e6,
          tsoffset: 0,
          packets: 0,
        };
        eachOption(v, le, off + 16, stop, type, off, (code, at, n) => {
          if (code === IF_NAME) info.name = text(bytes, at, n);
          else if (code === IF_DESCRIPTION) info.description = text(bytes, at, n);
          else if (code === IF_OS) info.os = text(bytes, at, n);
          else if (code === IF_FILTER && n >= 1 && bytes[at] === FILTER_LIBPCAP) {
            info.filter = text(bytes, at + 1, n - 1);
          } else if (code === IF_TSRESOL && n === 1) info.tsresol = bytes[at];
          else if (code === IF_TSOFFSET && n === 8) {
            info.tsoffset = v.getInt32(at + (le ? 4 : 0), le) * TWO32 +
              v.getUint32(at + (le ? 0 : 4), le);
          }
        });
        ifs.push(ifState(info));
        section!.interfaces.push(info);
        break;
      }
      case EPB:
      case PB: {
        const id = type === EPB ? v.getUint32(off + 8, le) : v.getUint16(off + 8, le);
        if (id >= ifs.length) {
          throw corrupt(type, off, `interface ${id} not described (${ifs.length} in section)`);
        }
        const caplen = v.getUint32(off + 20, le);
        if (caplen > len - 32) {
          throw corrupt(type, off, `captured length ${caplen} exceeds the block's ${len - 32}`);
        }
        const origLen = v.getUint32(off + 24, le);
        const s = ifs[id];
        convertTime(s, v.getUint32(off + 12, le), v.getUint32(off + 16, le));
        let queue: number | undefined;
        let flags: number | undefined;
        // Inline rather than eachOption: this runs per packet, and a closure would too.
        let p = off + 28 + pad4(caplen);
        while (stop - p >= 4) {
          const code = v.getUint16(p, le);
          const n = v.getUint16(p + 2, le);
          if (code === OPT_ENDOFOPT) break;
          if (pad4(n) > stop - p - 4) {
            throw corrupt(type, off, `option ${code} at offset ${p} runs past the block's end`);
          }
          if (code === EPB_FLAGS && n === 4) flags = v.getUint32(p + 4, le);
          else if (code === EPB_QUEUE && n === 4 && type === EPB) queue = v.getUint32(p + 4, le);
          p += 4 + pad4(n);
        }
        s.info.packets++;
        yield {
          sec: outSec,
          nsec: outNsec,
          caplen,
          origLen,
          data: bytes.subarray(off + 28, off + 28 + caplen),
          interfaceId: id,
          linktype: s.info.linktype,
          queue,
          flags,
        };
        break;
      }
      case SPB: {
        if (ifs.length === 0) throw corrupt(type, off, "no interface described before it");
        const s = ifs[0];
        const origLen = v.getUint32(off + 8, le);
        // No captured length in the block: the packet, cut to the snaplen, fills its body.
        let caplen = Math.min(origLen, len - 16);
        if (s.info.snaplen !== 0 && s.info.snaplen < caplen) caplen = s.info.snaplen;
        s.info.packets++;
        yield {
          sec: 0,
          nsec: 0,
          caplen,
          origLen,
          data: bytes.subarray(off + 12, off + 12 + caplen),
          interfaceId: 0,
          linktype: s.info.linktype,
          queue: undefined,
          flags: undefined,
        };
        break;
      }
      case ISB: {
        const id = v.getUint32(off + 8, le);
        if (id >= ifs.length) {
          throw corrupt(type, off, `interface ${id} not described (${ifs.length} in section)`);
        }
        const s = ifs[id];
        convertTime(s, v.getUint32(off + 12, le), v.getUint32(off + 16, le));
        const stats: PcapngInterfaceStats = { sec: outSec, nsec: outNsec };
        eachOption(v, le, off + 20, stop, type, off, (code, at, n) => {
          if (n !== 8) return;
          if (code === ISB_STARTTIME || code === ISB_ENDTIME) {
            convertTime(s, v.getUint32(at, le), v.getUint32(at + 4, le));
            const t = { sec: outSec, nsec: outNsec };
            if (code === ISB_STARTTIME) stats.startTime = t;
            else stats.endTime = t;
            return;
          }
          const x = v.getBigUint64(at, le);
          if (code === ISB_IFRECV) stats.ifRecv = x;
          else if (code === ISB_IFDROP) stats.ifDrop = x;
          else if (code === ISB_FILTERACCEPT) stats.filterAccept = x;
          else if (code === ISB_OSDROP) stats.osDrop = x;
          else if (code === ISB_USRDELIV) stats.usrDeliv = x;
        });
        s.info.stats = stats;
        break;
      }
      default:
        // Name resolution, decryption secrets, custom and unknown blocks: nothing for us.
        break;
    }
    off += len;
  }
}

/**
 * Yields every packet (Enhanced, Simple and obsolete Packet Blocks) of a pcapng file held in
 * memory: any byte order, several sections and interfaces, timestamps converted with each
 * interface's if_tsresol and if_tsoffset (Simple Packet Blocks have none: 0). After the last good
 * record it throws {@link PcapFormatError} if the file is truncated or corrupt (the message names
 * the block type and offset). It throws nothing else on any input, and always ends.
 */
export function* pcapngRecords(bytes: Uint8Array): Generator<PcapngRecord> {
  yield* walk(bytes, []);
}

/**
 * Reads the sections, interfaces (name, filter, link type, snaplen, timestamp resolution) and
 * interface statistics of a pcapng file. Strict: throws {@link PcapFormatError} if any block is
 * truncated or corrupt, and nothing else.
 */
export function readPcapngInfo(bytes: Uint8Array): PcapngInfo {
  const sections: PcapngSectionInfo[] = [];
  let packets = 0;
  for (const _ of walk(bytes, sections)) packets++;
  return { sections, packets };
}

/** Which capture format `bytes` starts with, by its magic number; undefined for neither. */
export function detectCaptureFormat(bytes: Uint8Array): "pcap" | "pcapng" | undefined {
  if (bytes.length < 4) return undefined;
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (magic === SHB) return "pcapng";
  switch (magic) {
    case PCAP_MAGIC_US:
    case PCAP_MAGIC_NS:
    case 0xd4c3b2a1: // the two, big-endian
    case 0x4d3cb2a1:
      return "pcap";
  }
  return undefined;
}

/**
 * Yields the packets of a classic pcap or a pcapng file, whichever `bytes` is, in one shape
 * (pcap records: interface 0, the file's link type, no queue or flags). Errors as
 * {@link pcapRecords} and {@link pcapngRecords}: every good record, then at most a
 * {@link PcapFormatError}, also for a file that is neither format.
 */
export function* captureRecords(bytes: Uint8Array): Generator<CaptureRecord> {
  const format = detectCaptureFormat(bytes);
  if (format === "pcapng") {
    yield* pcapngRecords(bytes);
    return;
  }
  if (format === undefined) {
    const what = bytes.length < 4
      ? `${bytes.length}-byte file`
      : `magic ${hex32(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false))}`;
    throw new PcapFormatError(`not a pcap or pcapng file: ${what}`);
  }
  const linktype = readPcapHeader(bytes).linktype;
  for (const r of pcapRecords(bytes)) {
    yield {
      sec: r.sec,
      nsec: r.nsec,
      caplen: r.caplen,
      origLen: r.origLen,
      data: r.data,
      interfaceId: 0,
      linktype,
      queue: undefined,
      flags: undefined,
    };
  }
}
