/**
 * pcapng reader, in pure TypeScript (capture_file.ts reads either format).
 *
 * It walks a whole file held in memory: any byte order (per section), several sections and
 * interfaces, any timestamp resolution. Like {@link pcapRecords} it yields every good record, then
 * throws {@link PcapFormatError} on truncation or corruption, and throws nothing else.
 *
 * @module
 */
import { hex32, PCAPNG_BYTE_ORDER_SWAPPED } from "./magic.ts";
import { effectiveSnaplen, PcapFormatError } from "./pcap.ts";
import {
  BYTE_ORDER_MAGIC,
  DSB,
  EPB,
  EPB_FLAGS,
  EPB_PROCESSID_THREADID,
  EPB_QUEUE,
  FILTER_LIBPCAP,
  IDB,
  IF_DESCRIPTION,
  IF_FILTER,
  IF_NAME,
  IF_OS,
  IF_TSOFFSET,
  IF_TSRESOL,
  ISB,
  ISB_ENDTIME,
  ISB_FILTERACCEPT,
  ISB_IFDROP,
  ISB_IFRECV,
  ISB_OSDROP,
  ISB_STARTTIME,
  ISB_USRDELIV,
  NRB,
  OPT_COMMENT,
  OPT_ENDOFOPT,
  pad4,
  PB,
  SHB,
  SHB_HARDWARE,
  SHB_OS,
  SHB_USERAPPL,
  SPB,
  TWO32,
} from "./pcapng_blocks.ts";

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
  /**
   * epb_processid_threadid: the process and thread that sent or received the packet. Present
   * only on records whose block has the option (the usual records keep the shape above).
   */
  processId?: number;
  threadId?: number;
  /** The block's first opt_comment, when it has one (same: present only then). */
  comment?: string;
}

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
      else if (magic === PCAPNG_BYTE_ORDER_SWAPPED) le = false;
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
        // libpcap refuses a packet longer than its interface's snapshot length (tcpdump ends there).
        const snaplen = effectiveSnaplen(s.info.snaplen);
        if (caplen > snaplen) {
          throw new PcapFormatError(
            `invalid packet capture length ${caplen}, bigger than snaplen of ${snaplen}`,
          );
        }
        convertTime(s, v.getUint32(off + 12, le), v.getUint32(off + 16, le));
        let queue: number | undefined;
        let flags: number | undefined;
        let pidAt = -1;
        let commentAt = -1;
        let commentLen = 0;
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
          else if (code === EPB_PROCESSID_THREADID && n === 8 && type === EPB) pidAt = p + 4;
          else if (code === OPT_COMMENT && commentAt < 0) {
            commentAt = p + 4;
            commentLen = n;
          }
          p += 4 + pad4(n);
        }
        s.info.packets++;
        const rec: PcapngRecord = {
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
        if (pidAt >= 0) {
          rec.processId = v.getUint32(pidAt, le);
          rec.threadId = v.getUint32(pidAt + 4, le);
        }
        if (commentAt >= 0) {
          rec.comment = decoder.decode(bytes.subarray(commentAt, commentAt + commentLen));
        }
        yield rec;
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
