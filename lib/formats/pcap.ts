/**
 * Classic pcap (libpcap "tcpdump" format) writer and reader, in pure TypeScript.
 *
 * The writer sits on the capture hot path: {@link PcapWriter.add} appends one record to a large,
 * pre-touched buffer with no allocation, and only whole records ever reach the sink, so a file is
 * valid at every flush boundary. The reader parses a whole file held in memory and is strict about
 * truncation and corruption, which is what tests and the integrity checks need.
 *
 * @module
 */
import { type ByteCopier, checkPacketRange, outputBuffer, writerOptions } from "./bytecopy.ts";
import {
  hex32,
  LINKTYPE_ETHERNET,
  MAX_RECORD,
  MAX_SNAPLEN,
  PCAP_FILE_HEADER_LEN,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_NS_SWAPPED,
  PCAP_MAGIC_US,
  PCAP_MAGIC_US_SWAPPED,
  PCAP_RECORD_HEADER_LEN,
  PCAPNG_SHB,
} from "./magic.ts";

/**
 * Where finished bytes go. `write` must consume the whole chunk synchronously (e.g. a
 * `Deno.FsFile` `writeSync` loop): the writer reuses the chunk's memory as soon as it returns.
 */
export interface ByteSink {
  /** Consume all of `chunk` before returning. */
  write(chunk: Uint8Array): void;
}

export { LINKTYPE_ETHERNET, PCAP_MAGIC_NS, PCAP_MAGIC_US };

/** Options of {@link PcapWriter}. */
export interface PcapWriterOptions {
  /** Bytes kept of each packet; longer packets are truncated. Default 262144. */
  snaplen?: number;
  /** Link-layer type of the file. Default {@link LINKTYPE_ETHERNET}. */
  linktype?: number;
  /** Size of the output buffer: the usual size of one sink write. Default 1 MiB. */
  bufferSize?: number;
}

/**
 * Writes a nanosecond-resolution, little-endian pcap stream (version 2.4) into a {@link ByteSink}.
 *
 * Records are appended to one buffer allocated (and touched) up front and handed to the sink only
 * whole, when the buffer is full or on {@link PcapWriter.flush}.
 */
export class PcapWriter {
  readonly #sink: ByteSink;
  readonly #buf: Uint8Array;
  readonly #copier: ByteCopier;
  readonly #view: DataView;
  /** Bytes kept of each packet. */
  readonly #snaplen: number;
  #pos = 0;
  #packets = 0;
  #bytes = 0;
  #closed = false;

  /**
   * Allocates the output buffer, touches every page of it (so the hot path takes no page faults)
   * and puts the file header into it.
   */
  constructor(sink: ByteSink, opts: PcapWriterOptions = {}) {
    const { snaplen, linktype, bufferSize } = writerOptions(
      opts,
      MAX_RECORD,
      32,
      LINKTYPE_ETHERNET,
    );
    this.#sink = sink;
    this.#snaplen = snaplen;
    // Room for at least the file header plus one small record, whatever the caller asked for.
    ({ buf: this.#buf, view: this.#view, copier: this.#copier } = outputBuffer(
      Math.max(bufferSize, 64),
    ));
    const v = this.#view;
    v.setUint32(0, PCAP_MAGIC_NS, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setUint32(8, 0, true); // thiszone: timestamps are UTC
    v.setUint32(12, 0, true); // sigfigs
    v.setUint32(16, snaplen, true);
    v.setUint32(20, linktype, true);
    this.#pos = PCAP_FILE_HEADER_LEN;
    this.#bytes = PCAP_FILE_HEADER_LEN;
  }

  /** Records added so far (buffered or already handed to the sink). */
  get packets(): number {
    return this.#packets;
  }

  /** File bytes produced so far, header included (buffered or already handed to the sink). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Hot path: appends one record holding `src[off .. off+len)`, cut to the snaplen; the
   * record's original length is `wireLen` (default `len`; taken as at least `len`). Does not
   * allocate. Flushes first when the record does not fit in the buffer; a record larger than
   * the whole buffer goes straight to the sink. (`queue` and `direction`, which a classic pcap
   * record cannot hold, make the signature {@link PacketSink}'s.)
   *
   * `sec` and `nsec` are stored as unsigned 32-bit values (`nsec` should be below 1e9).
   */
  add(
    src: Uint8Array,
    off: number,
    len: number,
    sec: number,
    nsec: number,
    _queue?: number,
    wireLen: number = len,
  ): void {
    if (this.#closed) throw new Error("PcapWriter.add after close");
    checkPacketRange(src, off, len);
    const incl = len < this.#snaplen ? len : this.#snaplen;
    this.#put(src, off, incl, wireLen > len ? wireLen : len, sec, nsec);
  }

  /**
   * Appends a record read from another file: `data` holds the captured bytes (cut again to the
   * snaplen here), `origLen` the packet's length on the wire (taken as at least the captured
   * length). Not the capture hot path; {@link PcapWriter.add} is.
   */
  addRecord(data: Uint8Array, origLen: number, sec: number, nsec: number): void {
    if (this.#closed) throw new Error("PcapWriter.addRecord after close");
    const incl = data.length < this.#snaplen ? data.length : this.#snaplen;
    this.#put(data, 0, incl, origLen > incl ? origLen : incl, sec, nsec);
  }

  /**
   * One record of `incl` bytes from `src[off..]`, `wire` long on the wire: into the buffer,
   * flushed first when it does not fit, or straight to the sink when it is larger than the buffer.
   */
  #put(src: Uint8Array, off: number, incl: number, wire: number, sec: number, nsec: number): void {
    const need = PCAP_RECORD_HEADER_LEN + incl;
    if (this.#pos + need > this.#buf.length) {
      this.flush();
      if (need > this.#buf.length) {
        this.#writeDirect(src, off, incl, wire, sec, nsec);
        return;
      }
    }
    const pos = this.#pos;
    this.#putHeader(pos, sec, nsec, incl, wire);
    this.#copier.copy(src, off, incl, pos + PCAP_RECORD_HEADER_LEN);
    this.#pos = pos + need;
    this.#packets++;
    this.#bytes += need;
  }

  /** A record header at `pos`: the timestamp, the captured and the wire length. */
  #putHeader(pos: number, sec: number, nsec: number, incl: number, wire: number): void {
    const v = this.#view;
    v.setUint32(pos, sec, true);
    v.setUint32(pos + 4, nsec, true);
    v.setUint32(pos + 8, incl, true);
    v.setUint32(pos + 12, wire, true);
  }

  /** Rare path for a record larger than the buffer: header via the (empty) buffer, then data. */
  #writeDirect(
    src: Uint8Array,
    off: number,
    incl: number,
    len: number,
    sec: number,
    nsec: number,
  ): void {
    this.#putHeader(0, sec, nsec, incl, len);
    this.#sink.write(this.#buf.subarray(0, PCAP_RECORD_HEADER_LEN));
    this.#sink.write(src.subarray(off, off + incl));
    this.#packets++;
    this.#bytes += PCAP_RECORD_HEADER_LEN + incl;
  }

  /** Hands every buffered record (whole records only) to the sink. */
  flush(): void {
    if (this.#pos === 0) return;
    const n = this.#pos;
    // Reset first: if the sink throws (disk full), the bytes are reported lost, not written twice.
    this.#pos = 0;
    this.#sink.write(this.#buf.subarray(0, n));
  }

  /** Flushes; later calls do nothing. The sink itself is left to the caller to close. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.flush();
  }
}

/** One record of a pcap file. */
export interface PcapRecord {
  /** Timestamp, seconds. */
  sec: number;
  /** Timestamp, nanoseconds within the second (microsecond files are scaled up). */
  nsec: number;
  /** Bytes captured (`data.length`). */
  caplen: number;
  /** Length of the packet on the wire. */
  origLen: number;
  /** The captured bytes: a view into the input, not a copy. */
  data: Uint8Array;
}

/** The file header of a pcap file. */
export interface PcapHeader {
  /** Timestamps are in nanoseconds (magic 0xa1b23c4d) rather than microseconds. */
  nanosecond: boolean;
  /** The file was written big-endian. */
  bigEndian: boolean;
  /** Snapshot length declared by the writer. */
  snaplen: number;
  /** Link-layer type (the low 16 bits of the field; the upper bits carry FCS information). */
  linktype: number;
  /** Format major version (2). */
  versionMajor: number;
  /** Format minor version (4). */
  versionMinor: number;
}

/** The input is not a well-formed classic pcap file. */
export class PcapFormatError extends Error {
  /** `message` says what is wrong and where. */
  constructor(message: string) {
    super(message);
    this.name = "PcapFormatError";
  }
}

/** Reads and checks the 24-byte file header; throws {@link PcapFormatError} when it is not pcap. */
export function readPcapHeader(bytes: Uint8Array): PcapHeader {
  if (bytes.length < PCAP_FILE_HEADER_LEN) {
    throw new PcapFormatError(
      `short file: ${bytes.length} bytes, a pcap header needs ${PCAP_FILE_HEADER_LEN}`,
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint32(0, true);
  let nanosecond: boolean;
  let bigEndian: boolean;
  switch (magic) {
    case PCAP_MAGIC_US:
      nanosecond = false;
      bigEndian = false;
      break;
    case PCAP_MAGIC_NS:
      nanosecond = true;
      bigEndian = false;
      break;
    case PCAP_MAGIC_US_SWAPPED:
      nanosecond = false;
      bigEndian = true;
      break;
    case PCAP_MAGIC_NS_SWAPPED:
      nanosecond = true;
      bigEndian = true;
      break;
    case PCAPNG_SHB:
      throw new PcapFormatError("this is a pcapng file; only classic pcap is supported here");
    default:
      throw new PcapFormatError(`bad magic ${hex32(magic)}: not a pcap file`);
  }
  const le = !bigEndian;
  return {
    nanosecond,
    bigEndian,
    versionMajor: v.getUint16(4, le),
    versionMinor: v.getUint16(6, le),
    snaplen: v.getUint32(16, le),
    linktype: v.getUint32(20, le) & 0xffff,
  };
}

/**
 * The snapshot length libpcap reads a pcap file with: the header's, or the largest Ethernet one
 * (262144) when the header's is 0 or above it. A record longer than this is cut to it.
 */
export function effectiveSnaplen(snaplen: number): number {
  return snaplen === 0 || snaplen > MAX_SNAPLEN ? MAX_SNAPLEN : snaplen;
}

/**
 * Yields every complete record of a classic pcap file held in memory (microsecond or nanosecond
 * magic, either byte order; timestamps come out in nanoseconds). After the last complete record it
 * throws {@link PcapFormatError} if trailing bytes form an incomplete record, or as soon as a
 * record header is corrupt (captured length above 256 MiB). It throws nothing else on any input.
 */
export function* pcapRecords(bytes: Uint8Array): Generator<PcapRecord> {
  const header = readPcapHeader(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = !header.bigEndian;
  const scale = header.nanosecond ? 1 : 1000;
  const snaplen = effectiveSnaplen(header.snaplen);
  const end = bytes.length;
  let off = PCAP_FILE_HEADER_LEN;
  let index = 1;
  while (off < end) {
    if (end - off < PCAP_RECORD_HEADER_LEN) {
      throw new PcapFormatError(
        `truncated record #${index} at offset ${off}: ${
          end - off
        } of ${PCAP_RECORD_HEADER_LEN} header bytes`,
      );
    }
    const sec = v.getUint32(off, le);
    const frac = v.getUint32(off + 4, le);
    const caplen = v.getUint32(off + 8, le);
    const origLen = v.getUint32(off + 12, le);
    if (caplen > MAX_RECORD) {
      throw new PcapFormatError(
        `corrupt record #${index} at offset ${off}: captured length ${caplen} exceeds ${MAX_RECORD}`,
      );
    }
    const start = off + PCAP_RECORD_HEADER_LEN;
    if (end - start < caplen) {
      throw new PcapFormatError(
        `truncated record #${index} at offset ${off}: ${end - start} of ${caplen} data bytes`,
      );
    }
    // libpcap keeps no more than the file's snapshot length of a longer record.
    const kept = caplen > snaplen ? snaplen : caplen;
    yield {
      sec,
      nsec: frac * scale,
      caplen: kept,
      origLen,
      data: bytes.subarray(start, start + kept),
    };
    off = start + caplen;
    index++;
  }
}

/** Reads a whole pcap file; strict: throws {@link PcapFormatError} on any truncation. */
export async function readPcapFile(
  path: string,
): Promise<{ header: PcapHeader; records: PcapRecord[] }> {
  const bytes = await Deno.readFile(path);
  const header = readPcapHeader(bytes);
  return { header, records: [...pcapRecords(bytes)] };
}
