/**
 * Reads a pcap or pcapng stream as it arrives (a file, or a pipe such as `xskdump -w - | xskdump
 * -r -`, or a remote capture over SSH), record by record or in batches of what has arrived, with
 * memory bounded by the largest record rather than the file. A record is handed out as soon as
 * its bytes are there: the reader waits for more input only when it has nothing whole to give.
 *
 * pcap records are parsed here. pcapng is split into whole blocks here and each run of blocks is
 * handed, behind its section's header and interface descriptions, to {@link pcapngRecords}, so
 * option, timestamp and interface handling are that reader's; offsets in its messages are mapped
 * back to offsets in the stream.
 *
 * Like the in-memory readers it yields every good record, then throws {@link PcapFormatError} on
 * truncation or corruption (naming the record or block and its offset), and throws nothing else
 * for any input; every step consumes input, so it always ends.
 *
 * @module
 */
import {
  hex32,
  MAX_RECORD,
  PCAP_FILE_HEADER_LEN,
  PCAP_MAGICS,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_BYTE_ORDER_SWAPPED,
  PCAPNG_IDB,
  PCAPNG_SHB,
} from "./magic.ts";
import { concat } from "./bytecopy.ts";
import { effectiveSnaplen, PcapFormatError, readPcapHeader } from "./pcap.ts";
import type { CaptureRecord } from "./capture_file.ts";
import { type PcapngInterfaceInfo, pcapngRecords, readPcapngInfo } from "./pcapng_reader.ts";

/** Where bytes come from: `Deno.FsFile`, `Deno.stdin`. `null` at the end. */
export interface ByteSource {
  read(p: Uint8Array): Promise<number | null>;
}

/** What the stream says about itself before the first packet. */
export interface StreamInfo {
  format: "pcap" | "pcapng";
  /** Link-layer type of the file (pcap) or of the first interface (pcapng); -1 if none. */
  linktype: number;
  /** Snapshot length of the file or the first interface (0: not given). */
  snaplen: number;
  /** pcapng if_name of the first interface. */
  ifName?: string;
  /** pcapng if_filter of the first interface. */
  filter?: string;
}

/** Bytes of records or blocks gathered, at most, into one batch (parsed together). */
const WINDOW = 1 << 20;

/**
 * The buffered part of the stream: bytes from stream offset `lo` to `hi` sit in `buf` from index
 * `lo - base`. Positions are stream offsets; bytes before the oldest position still needed are
 * released, so memory follows the largest record (or block run), not the stream.
 */
class Input {
  readonly #src: ByteSource;
  buf: Uint8Array;
  /** A view of all of buf (made again when buf is). */
  dv: DataView;
  /** Stream offset of buf[0]. */
  base = 0;
  /** Stream offsets of the first and one past the last buffered byte. */
  lo = 0;
  hi = 0;
  eof = false;

  constructor(src: ByteSource, size: number) {
    this.#src = src;
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Index in buf of stream offset `pos` (which must be buffered). */
  at(pos: number): number {
    return pos - this.base;
  }

  /** Bytes buffered from `pos` on. */
  avail(pos: number): number {
    return Math.max(0, this.hi - pos);
  }

  /** Reads until the stream is buffered up to offset `upto`, or ends; true when it is. */
  async fill(upto: number): Promise<boolean> {
    while (this.hi < upto && !this.eof) {
      if (this.buf.length - (this.hi - this.base) < 65536) this.#makeRoom(upto);
      const got = await this.#src.read(this.buf.subarray(this.hi - this.base));
      if (got === null) this.eof = true;
      else this.hi += got;
    }
    return this.hi >= upto;
  }

  /** Moves the live bytes to the front of buf, growing it (doubling) when they fill half. */
  #makeRoom(upto: number): void {
    const live = this.hi - this.lo;
    let size = this.buf.length;
    // Grow only as far as the bytes actually there (and a read's worth) call for.
    while (size < Math.min(upto - this.lo, live * 2 + 65536)) size *= 2;
    if (live + 65536 > size) size *= 2;
    const next = size === this.buf.length ? this.buf : new Uint8Array(size);
    next.set(this.buf.subarray(this.lo - this.base, this.hi - this.base), 0);
    if (next !== this.buf) this.dv = new DataView(next.buffer);
    this.buf = next;
    this.base = this.lo;
  }

  /** Bytes before `pos` are no longer needed. */
  release(pos: number): void {
    if (pos > this.lo) this.lo = Math.min(pos, this.hi);
  }

  /** Whether the 12-byte head at `pos` (pcap: 16) and `len` bytes from `pos` are buffered. */
  has(pos: number, len: number): boolean {
    return this.hi - pos >= len;
  }

  /** A copy of the stream bytes [from, to) (to clipped to what is buffered). */
  copy(from: number, to: number): Uint8Array {
    return this.buf.slice(this.at(from), this.at(Math.min(to, this.hi)));
  }

  /** A view of the stream bytes [from, to), valid until the next fill. */
  view(from: number, to: number): Uint8Array {
    return this.buf.subarray(this.at(from), this.at(to));
  }
}

/** A piece of the stream inside a buffer given to pcapngRecords, for mapping offsets back. */
interface Segment {
  /** Offset in the buffer. */
  at: number;
  /** Offset in the stream. */
  stream: number;
  length: number;
}

/** Re-issues an error of pcapngRecords over `segments` with stream offsets. */
function mapped(e: unknown, segments: Segment[]): unknown {
  if (!(e instanceof PcapFormatError)) return e;
  const message = e.message.replace(/offset (\d+)/g, (_, o: string) => {
    const n = Number(o);
    const s = segments.findLast((s) => s.at <= n) ?? segments[0];
    return `offset ${s.stream + (n - s.at)}`;
  });
  return new PcapFormatError(message);
}

/**
 * A capture stream being read. {@link CaptureStreamReader.open} reads the header (and for
 * pcapng the interface descriptions after it); {@link CaptureStreamReader.records} yields
 * packets, {@link CaptureStreamReader.batches} the same packets in arrays of those that arrived
 * together. Each record's `data` is a view into a copy of its batch's bytes that the reader never
 * touches again: it stays valid as long as the caller keeps it.
 */
export class CaptureStreamReader {
  readonly info: StreamInfo;
  /**
   * pcapng: the interfaces of the current section so far, indexed by the records' interfaceId
   * (interfaces described later in the stream join before the first record that names them).
   * pcap: none.
   */
  interfaces: PcapngInterfaceInfo[] = [];
  /** pcapng: sections begun so far (a record's interfaceId is within the current one). */
  sections = 0;
  readonly #in: Input;
  /** Stream offset of the next record or block. */
  #pos: number;
  /** pcap: byte order and timestamp scale. */
  readonly #le: boolean;
  readonly #scale: number;
  /** pcapng: the current section's header and interface blocks, with their stream offsets. */
  #prefix: { bytes: Uint8Array; stream: number }[] = [];
  /** pcapng: byte order of the current section. */
  #sectionLe = true;

  private constructor(input: Input, pos: number, info: StreamInfo, le: boolean, scale: number) {
    this.#in = input;
    this.#pos = pos;
    this.info = info;
    this.#le = le;
    this.#scale = scale;
  }

  /**
   * Reads the start of a stream. Throws PcapFormatError when it is neither format or its
   * header is bad; I/O errors of the source pass through.
   */
  static async open(src: ByteSource, chunkSize = 1 << 20): Promise<CaptureStreamReader> {
    const input = new Input(src, Math.max(chunkSize, 65536));
    await input.fill(PCAP_FILE_HEADER_LEN);
    const have = input.avail(0);
    if (have < 4) throw new PcapFormatError(`not a pcap or pcapng file: ${have}-byte file`);
    const v = new DataView(input.buf.buffer, 0, have);
    const magic = v.getUint32(0, true);
    if (magic === PCAPNG_SHB) {
      const r = new CaptureStreamReader(
        input,
        0,
        { format: "pcapng", linktype: -1, snaplen: 0 },
        true,
        1,
      );
      await r.#readHeaderBlocks();
      return r;
    }
    if (!PCAP_MAGICS.includes(magic)) {
      throw new PcapFormatError(`not a pcap or pcapng file: magic ${hex32(v.getUint32(0, false))}`);
    }
    const h = readPcapHeader(input.view(0, Math.min(have, PCAP_FILE_HEADER_LEN)));
    input.release(PCAP_FILE_HEADER_LEN);
    return new CaptureStreamReader(
      input,
      PCAP_FILE_HEADER_LEN,
      { format: "pcap", linktype: h.linktype, snaplen: h.snaplen },
      !h.bigEndian,
      h.nanosecond ? 1 : 1000,
    );
  }

  /** Every packet, then at most one PcapFormatError. */
  async *records(): AsyncGenerator<CaptureRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  /**
   * Every packet, in arrays of those whose bytes arrived together (at most about 1 MiB of them),
   * then at most one PcapFormatError (after a batch of the good records before the fault). No
   * batch is empty.
   */
  batches(): AsyncGenerator<CaptureRecord[]> {
    return this.info.format === "pcap" ? this.#pcap() : this.#pcapng();
  }

  /** Waits for the pcap record at `off` (number `index`) to be whole; its captured length, or
   * undefined at a clean end. */
  async #pcapRecord(off: number, index: number): Promise<number | undefined> {
    const input = this.#in;
    await input.fill(off + 16);
    const have = input.avail(off);
    if (have === 0) return undefined;
    if (have < 16) {
      throw new PcapFormatError(
        `truncated record #${index} at offset ${off}: ${have} of 16 header bytes`,
      );
    }
    const caplen = this.#pcapCaplen(off, index);
    if (!await input.fill(off + 16 + caplen)) {
      throw new PcapFormatError(
        `truncated record #${index} at offset ${off}: ${
          input.avail(off + 16)
        } of ${caplen} data bytes`,
      );
    }
    return caplen;
  }

  /** The captured length in the (buffered) pcap record header at `off`, checked. */
  #pcapCaplen(off: number, index: number): number {
    const v = new DataView(this.#in.buf.buffer, this.#in.at(off), 16);
    const caplen = v.getUint32(8, this.#le);
    if (caplen > MAX_RECORD) {
      throw new PcapFormatError(
        `corrupt record #${index} at offset ${off}: captured length ${caplen} exceeds ${MAX_RECORD}`,
      );
    }
    return caplen;
  }

  async *#pcap(): AsyncGenerator<CaptureRecord[]> {
    const input = this.#in;
    const le = this.#le;
    const linktype = this.info.linktype;
    const snaplen = effectiveSnaplen(this.info.snaplen);
    for (let index = 1;;) {
      const start = this.#pos;
      input.release(start);
      const first = await this.#pcapRecord(start, index);
      if (first === undefined) return;
      // The first record is whole; take every record after it that is whole already.
      const ends = [start + 16 + first];
      let problem: unknown;
      while (ends.at(-1)! - start < WINDOW) {
        const off = ends.at(-1)!;
        if (!input.has(off, 16)) break;
        let caplen;
        try {
          caplen = this.#pcapCaplen(off, index + ends.length);
        } catch (e) {
          problem = e;
          break;
        }
        if (!input.has(off, 16 + caplen)) break;
        ends.push(off + 16 + caplen);
      }
      const bytes = input.copy(start, ends.at(-1)!);
      const v = new DataView(bytes.buffer);
      const batch: CaptureRecord[] = [];
      for (let i = 0, at = 0; i < ends.length; i++) {
        const end = ends[i] - start;
        // libpcap keeps no more than the file's snapshot length of a longer record.
        const kept = Math.min(end - at - 16, snaplen);
        batch.push({
          sec: v.getUint32(at, le),
          nsec: v.getUint32(at + 4, le) * this.#scale,
          caplen: kept,
          origLen: v.getUint32(at + 12, le),
          data: bytes.subarray(at + 16, at + 16 + kept),
          interfaceId: 0,
          linktype,
          queue: undefined,
          flags: undefined,
        });
        at = end;
      }
      index += ends.length;
      this.#pos = ends.at(-1)!;
      yield batch;
      if (problem !== undefined) throw problem;
    }
  }

  /** Type and length of the block at `pos` (12 bytes there); a section header sets the order. */
  #blockHead(pos: number): { type: number; len: number } {
    const v = this.#in.dv;
    const at = this.#in.at(pos);
    let type = v.getUint32(at, this.#sectionLe);
    if (type === PCAPNG_SHB || v.getUint32(at, true) === PCAPNG_SHB) {
      type = PCAPNG_SHB;
      const magic = v.getUint32(at + 8, true);
      if (magic === PCAPNG_BYTE_ORDER_MAGIC) this.#sectionLe = true;
      else if (magic === PCAPNG_BYTE_ORDER_SWAPPED) this.#sectionLe = false;
    }
    return { type, len: v.getUint32(at + 4, this.#sectionLe) };
  }

  /**
   * Hands what is buffered of the block at `pos` (up to `len` bytes), behind the prefix, to
   * pcapngRecords, so its own checks say what is wrong, and throws that.
   */
  #failAt(pos: number, len: number): never {
    // At least the 12-byte head: a length below 12 is corruption there, not a short block.
    const tail = this.#in.copy(pos, pos + Math.max(len, 12));
    const { buf, segments } = this.#window(tail, pos);
    try {
      for (const _ of pcapngRecords(buf)) {
        // The records before this block were yielded already.
      }
    } catch (e) {
      throw mapped(e, segments);
    }
    throw new PcapFormatError(`corrupt pcapng block at offset ${pos}`);
  }

  /** The prefix and `blocks` as one buffer, with the segments that map it to the stream. */
  #window(blocks: Uint8Array, stream: number): { buf: Uint8Array; segments: Segment[] } {
    const segments: Segment[] = [];
    let at = 0;
    for (const p of this.#prefix) {
      segments.push({ at, stream: p.stream, length: p.bytes.length });
      at += p.bytes.length;
    }
    segments.push({ at, stream, length: blocks.length });
    return { buf: concat([...this.#prefix.map((p) => p.bytes), blocks]), segments };
  }

  /**
   * Makes the whole block at `pos` buffered and returns its head; undefined at a clean end.
   * Anything wrong with its framing is thrown.
   */
  async #wholeBlock(pos: number): Promise<{ type: number; len: number } | undefined> {
    const input = this.#in;
    await input.fill(pos + 12);
    const have = input.avail(pos);
    if (have === 0) return undefined;
    if (have < 12) this.#failAt(pos, have);
    const head = this.#blockHead(pos);
    if (head.len > MAX_RECORD) {
      throw new PcapFormatError(
        `corrupt pcapng block (type ${hex32(head.type)}) at offset ${pos}: ` +
          `block length ${head.len} exceeds ${MAX_RECORD}`,
      );
    }
    if (head.len < 12 || (head.len & 3) !== 0) this.#failAt(pos, head.len);
    if (!await input.fill(pos + head.len)) this.#failAt(pos, head.len);
    return head;
  }

  /** Takes the section header and interface descriptions at the current position. */
  async #readHeaderBlocks(): Promise<void> {
    for (;;) {
      const pos = this.#pos;
      const head = await this.#wholeBlock(pos);
      if (!head) return;
      if (head.type !== PCAPNG_SHB && head.type !== PCAPNG_IDB) return;
      if (head.type === PCAPNG_SHB) {
        this.#prefix = [];
        this.sections++;
      }
      this.#prefix.push({ bytes: this.#in.copy(pos, pos + head.len), stream: pos });
      // Checked (and described) by the in-memory reader.
      const { buf, segments } = this.#window(new Uint8Array(0), pos + head.len);
      try {
        this.interfaces = readPcapngInfo(buf).sections.at(-1)?.interfaces ?? [];
        const first = this.interfaces[0];
        if (first && this.info.linktype === -1) {
          this.info.linktype = first.linktype;
          this.info.snaplen = first.snaplen;
          this.info.ifName = first.name;
          this.info.filter = first.filter;
        }
      } catch (e) {
        throw mapped(e, segments);
      }
      this.#pos = pos + head.len;
      this.#in.release(this.#pos);
    }
  }

  /** The head of the block at `pos` when the whole block is buffered already (no reading). */
  #bufferedBlock(pos: number): { type: number; len: number } | undefined {
    if (!this.#in.has(pos, 12)) return undefined;
    const head = this.#blockHead(pos);
    // A bad length is #wholeBlock's to describe, at the start of the next batch.
    if (head.len < 12 || (head.len & 3) !== 0 || head.len > MAX_RECORD) return undefined;
    return this.#in.has(pos, head.len) ? head : undefined;
  }

  async *#pcapng(): AsyncGenerator<CaptureRecord[]> {
    const input = this.#in;
    for (;;) {
      // Gather whole blocks other than section headers and interface descriptions: the first
      // one waited for, then those already buffered, up to about WINDOW bytes; then parse them
      // together behind the prefix.
      const start = this.#pos;
      input.release(start);
      let pos = start;
      let problem: unknown;
      let ended = false;
      while (pos - start < WINDOW) {
        let head;
        try {
          head = pos === start ? await this.#wholeBlock(pos) : this.#bufferedBlock(pos);
        } catch (e) {
          problem = e;
          break;
        }
        if (!head) {
          ended = pos === start;
          break;
        }
        if (head.type === PCAPNG_SHB || head.type === PCAPNG_IDB) break;
        pos += head.len;
      }
      if (pos > start) {
        // One copy (the window): the records' data stay valid whatever the input does next.
        const { buf, segments } = this.#window(input.view(start, pos), start);
        const batch: CaptureRecord[] = [];
        try {
          for (const r of pcapngRecords(buf)) batch.push(r);
        } catch (e) {
          problem = mapped(e, segments);
        }
        this.#pos = pos;
        if (batch.length > 0) yield batch;
      }
      if (problem !== undefined) throw problem;
      if (ended) return;
      if (pos === start) await this.#readHeaderBlocks();
    }
  }
}
