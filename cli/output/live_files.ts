/**
 * `-w` of a live capture, written by the shim (ffi/writer.ts): the files {@link fileOutput}
 * makes (pcap or pcapng, stdout, -C/-G/-W rotation, whole records after a failed write), but
 * the receive loop hands over whole batches, one FFI call each, the records are framed in C,
 * and a thread of the writer's own does the writes. So no JS runs per packet, and the loop never
 * waits for the file while the writer has a free chunk: a slow file costs chunks, not UMEM
 * frames. File headers and statistics blocks come from the TypeScript writers
 * ({@link fileWriter}): both paths write the same bytes (tests/unit/live_files_test.ts).
 *
 * Writes happen behind the capture, so a failure is seen a little after it happened: the next
 * batch, flush or the final finish() throws the OutputFailure, and the writer has cut the file
 * back to its last whole record by then.
 * @module
 */
import {
  DESC_ADDR,
  DESC_DIR_MASK,
  DESC_DIR_SHIFT,
  DESC_FLAGS,
  DESC_LEN,
  DESC_NO_QUEUE,
  DESC_NSEC,
  DESC_SEC,
  DESC_WIRELEN,
  DESC_WORDS,
  DIR,
} from "../../ffi/abi.ts";
import { FileWriter, type WriterFailure } from "../../ffi/writer.ts";
import { errnoCode, XskError } from "../../ffi/xsk.ts";
import type { BatchSink, Source } from "../../lib/capture/core.ts";
import type { FileRecord, WriterRecord } from "../../lib/capture/stats.ts";
import { concat } from "../../lib/formats/bytecopy.ts";
import type { ByteSink } from "../../lib/formats/pcap.ts";
import { PcapngWriter } from "../../lib/formats/pcapng.ts";
import type { CaptureRecord } from "../../lib/formats/capture_file.ts";
import type { Rotation } from "../../lib/formats/rotation.ts";
import { OutputFailure, OutputStop, writeFailure } from "./errors.ts";
import { type FileOutputOptions, fileWriter, isbNow, rotationFor } from "./files.ts";
import { keptText, type Output, type OutputInterface } from "./sinks.ts";

/**
 * One chunk: the size of one write(2). On one CPU each chunk is a hop to the writer's thread:
 * per mix packet into new tmpfs pages 419-424 ns with 1 MiB chunks, 478-493 with 256 KiB,
 * 674-852 with 64 KiB (process CPU, same run; the JS writer with 1 MiB writeSync: 648-1339).
 * Grown to hold a record of the snapshot length.
 */
export const CHUNK_BYTES = 1 << 20;
/**
 * Chunks between the loop and the file: 4 MiB, about 4500 records of the 920-byte mix or 52000
 * of 64-byte frames beyond what the UMEM holds. Not more: a capture faster than its file keeps
 * every chunk queued, and the thread then writes the oldest, long out of the cache (per mix
 * packet under overload, one CPU: 1 MiB x 4 661-675 ns on tmpfs and 394-404 on ext4, x 16
 * 682-785 and 463-490, x 2 694-704 and 398-429).
 */
export const CHUNKS = 4;
/** Longest single wait for the writer, so the event loop turns now and then. */
const WAIT_MS = 100;

/** How the shim's writer is sized (the defaults above). */
export interface LiveFileOptions extends FileOutputOptions {
  chunkBytes?: number;
  chunks?: number;
}

/** One file the writer started. */
interface LiveFile {
  record: FileRecord;
  /** The writer's number for it. */
  number: number;
  /** Its TypeScript writer, for the statistics block at its end (pcapng), and where that goes. */
  ng?: PcapngWriter;
  collect: Collect;
}

/** A ByteSink that keeps what it is given, for header and statistics bytes. */
class Collect implements ByteSink {
  parts: Uint8Array[] = [];
  write(chunk: Uint8Array): void {
    this.parts.push(chunk.slice());
  }
  take(): Uint8Array<ArrayBuffer> {
    const out = concat(this.parts);
    this.parts = [];
    return out;
  }
}

const EMPTY = new Uint8Array(0);

/** -w of a live capture through the shim's writer. Throws XskError when it cannot start. */
export function liveFileOutput(opts: LiveFileOptions): Output & BatchSink {
  // The shim frames no process options: a pcapng with the packets' processes is fileOutput's.
  if (opts.processes !== undefined && opts.format === "pcapng") {
    throw new RangeError("the shim's writer cannot keep the packets' processes: use fileOutput");
  }
  return new LiveFileOutput(opts);
}

class LiveFileOutput implements Output, BatchSink {
  readonly #opts: LiveFileOptions;
  readonly #rotation?: Rotation;
  readonly #writer: FileWriter;
  #cur: LiveFile | undefined;
  /**
   * A rotation decided but not started: the writer had too few free chunks, or the name is
   * one this run wrote before (a -W ring) and the writer is not done with it yet.
   */
  #pending: { name: string; trailer: Uint8Array<ArrayBuffer>; reuse: boolean } | undefined;
  /** Nothing more goes in: the writer failed, or -G -W wrote its files. */
  #done = false;
  #failure: OutputFailure | undefined;
  #finished = false;
  #closed = false;
  readonly #files = new Map<string, FileRecord>();
  readonly #started: LiveFile[] = [];
  #wireBytes = 0;
  #writerRecord: WriterRecord = { waits: 0, longestWriteMs: 0 };
  packets = 0;
  filesOpened = 0;
  /** The counts before a warm-up, restored after it. */
  #warmFrom: { packets: number; file: number } | undefined;
  /** add() and addRecord(): one descriptor at a time through the batch path. */
  readonly #one = new Uint32Array(DESC_WORDS);

  constructor(opts: LiveFileOptions) {
    this.#opts = opts;
    this.#rotation = rotationFor(opts);
    // Every chunk holds a whole record of the snapshot length (and a pcapng header).
    const chunk = Math.max(opts.chunkBytes ?? CHUNK_BYTES, (opts.snaplen + 64 + 4095) & ~4095);
    this.#writer = FileWriter.open(opts.format, opts.snaplen, chunk, opts.chunks ?? CHUNKS);
    try {
      // A new writer has every chunk free: the first file starts.
      this.#cur = this.#start(this.#rotation?.current ?? opts.path, EMPTY)!;
    } catch (e) {
      this.#writer.close();
      throw e;
    }
  }

  /** Starts file `path` after `trailer`; undefined when the writer has too few free chunks. */
  #start(path: string, trailer: Uint8Array<ArrayBuffer>): LiveFile | undefined {
    const collect = new Collect();
    // A small buffer: it holds only the header (and, for pcapng, later the statistics block).
    const tw = fileWriter(this.#opts, collect, 64);
    tw.flush();
    const header = collect.take();
    const number = this.#writer.startFile(
      path === "-" ? undefined : path,
      1,
      trailer,
      header,
      this.#rotation?.options.sizeLimit,
      this.#rotation?.dueSec,
    );
    if (number === undefined) return undefined;
    const record: FileRecord = { path, packets: 0, bytes: header.length };
    this.#files.delete(path); // a reused name moves to the end
    this.#files.set(path, record);
    this.filesOpened++;
    const f: LiveFile = {
      record,
      number,
      ng: tw instanceof PcapngWriter ? tw : undefined,
      collect,
    };
    // A failed write is on a file the writer still had chunks of: one of the last few started
    // (each needs a chunk of its own). Older ones are done with.
    this.#started.push(f);
    if (this.#started.length > 2 * (this.#opts.chunks ?? CHUNKS) + 2) this.#started.shift();
    return f;
  }

  /** The current file's statistics block (pcapng), taken now; empty for pcap. */
  #trailer(): Uint8Array<ArrayBuffer> {
    const cur = this.#cur;
    if (!cur?.ng) return EMPTY;
    // Its buffer is empty (the header went out): close() hands over just the ISB.
    cur.ng.close(isbNow(this.#opts));
    return cur.collect.take();
  }

  /** Starts the pending rotation's file: false while the writer has too few free chunks. */
  #rotateNow(): boolean {
    const p = this.#pending!;
    const old = this.#cur!;
    const s = this.#writer.stats();
    // Opening the name again truncates it: the thread must be done writing it first.
    if (p.reuse && s.queued > 0) return false;
    const before = s.fileBytes;
    const next = this.#start(p.name, p.trailer);
    if (next === undefined) return false;
    old.record.bytes = before + p.trailer.length;
    this.#cur = next;
    this.#pending = undefined;
    return true;
  }

  /** Every record carries its queue and direction (DESC_FLAGS): any source's batch goes whole. */
  putBatch(src: Source, descs: Uint32Array<ArrayBuffer>, from: number, n: number): number {
    return this.#put(src.view as Uint8Array<ArrayBuffer>, descs, from, n) - from;
  }

  /** Puts descs[from..n); returns where it stopped (n when it took them all). */
  #put(
    view: Uint8Array<ArrayBuffer>,
    descs: Uint32Array<ArrayBuffer>,
    from: number,
    n: number,
  ): number {
    if (this.#done) return n; // after a failure or the last -G file the rest is not written
    if (this.#pending !== undefined && !this.#rotateNow()) return from;
    const w = this.#writer;
    while (from < n) {
      const d = from === 0 ? descs : descs.subarray(from * DESC_WORDS);
      const r = w.put(view, d, n - from);
      if (r < 0) throw this.#fail();
      from += r;
      this.packets += r;
      this.#cur!.record.packets += r;
      if (from === n) break;
      if (w.stopped() === "full") return from;
      // The record at `from` is due in a new file (-C or -G), as Rotation decides it.
      const step = this.#rotation!.step(descs[from * DESC_WORDS + DESC_SEC], w.stats().fileBytes);
      if (step.kind === "keep") {
        throw new Error("the writer stopped for a rotation that the rotation does not see");
      }
      if (step.kind === "stop") {
        this.#done = true; // the last file's statistics block goes in at finish()
        throw new OutputStop(`Maximum file limit reached: ${step.files}`);
      }
      this.#pending = {
        name: step.name,
        trailer: this.#trailer(),
        reuse: this.#files.has(step.name),
      };
      if (!this.#rotateNow()) return from;
    }
    return n;
  }

  async waitRoom(ms: number): Promise<void> {
    try {
      if (this.#pending?.reuse) await this.#writer.drain(ms);
      else await this.#writer.wait(ms);
    } catch (e) {
      if (!(e instanceof XskError)) throw e;
    }
  }

  /** A warm-up's puts (Capture.warmUp) write nothing; their counts are taken back at the end. */
  warm(on: boolean): void {
    this.#writer.warm(on);
    if (on) {
      this.#warmFrom = { packets: this.packets, file: this.#cur?.record.packets ?? 0 };
      return;
    }
    if (this.#warmFrom === undefined) return;
    this.packets = this.#warmFrom.packets;
    if (this.#cur) this.#cur.record.packets = this.#warmFrom.file;
    this.#warmFrom = undefined;
  }

  add(
    src: Uint8Array,
    off: number,
    len: number,
    sec: number,
    nsec: number,
    queue: number,
    wireLen: number,
    direction: number,
  ): void {
    this.#putOne(src as Uint8Array<ArrayBuffer>, off, len, wireLen, sec, nsec, queue, direction);
  }

  /**
   * A record read from a file, as a descriptor: its wire length, direction (epb_flags bits 0-1:
   * DESC_FLAGS has no room for the rest, the process attribution is above the direction) and
   * queue. As for add(), an outgoing record gets no epb_queue.
   */
  addRecord(r: CaptureRecord): void {
    const data = r.data.byteOffset === 0 && r.data.buffer instanceof ArrayBuffer
      ? r.data as Uint8Array<ArrayBuffer>
      : r.data.slice();
    const queue = r.queue ?? DESC_NO_QUEUE;
    this.#putOne(data, 0, data.length, r.origLen, r.sec, r.nsec, queue, r.flags ?? DIR.in);
  }

  /**
   * The shim's writer frames records of one interface, a live capture's; several (a fleet's
   * merge) go through {@link fileOutput}.
   */
  addInterface(_i: OutputInterface): number {
    throw new Error("the shim's writer writes one interface; several need fileOutput");
  }

  /** One record, synchronously: a full writer is waited for here (not the hot path). */
  #putOne(
    view: Uint8Array<ArrayBuffer>,
    off: number,
    len: number,
    wireLen: number,
    sec: number,
    nsec: number,
    queue: number,
    flags: number,
  ): void {
    const d = this.#one;
    d[DESC_ADDR] = off;
    d[DESC_LEN] = len;
    d[DESC_WIRELEN] = wireLen;
    d[DESC_SEC] = sec;
    d[DESC_NSEC] = nsec;
    d[DESC_FLAGS] = (queue & DESC_NO_QUEUE) | (flags & DESC_DIR_MASK) << DESC_DIR_SHIFT;
    while (this.#put(view, d, 0, 1) === 0) {
      // No chunk free: this path cannot await; the writer's thread frees one soon.
      this.#writer.napUs(200);
    }
  }

  flush(): void {
    if (this.#done) return;
    if (this.#writer.flush() < 0) throw this.#fail();
  }

  async finish(): Promise<void> {
    if (this.#finished || this.#closed) return;
    this.#finished = true;
    const w = this.#writer;
    try {
      if (this.#failure === undefined) {
        // A rotation still pending ends its file only: no record came for the next one.
        const trailer = this.#pending?.trailer ?? this.#trailer();
        this.#pending = undefined;
        if (trailer.length > 0) {
          while (!w.putBlock(trailer)) await w.wait(WAIT_MS);
        }
        if (this.#cur) this.#cur.record.bytes = w.stats().fileBytes;
        w.flush();
        while (!(await w.drain(WAIT_MS)));
      }
    } catch (e) {
      if (!(e instanceof XskError)) throw e;
    }
    if (this.#failure === undefined && w.failure()) throw this.#fail();
  }

  close(): void {
    if (this.#closed) return;
    this.#wireBytes = this.bytes;
    this.#writerRecord = this.writerStats();
    this.#closed = true;
    this.#writer.close();
  }

  writerStats(): WriterRecord {
    if (this.#closed) return this.#writerRecord;
    const s = this.#writer.stats();
    return { waits: s.full, longestWriteMs: s.writeMaxMs };
  }

  /** Wire bytes of the packets written (buffered or in the file). */
  get bytes(): number {
    return this.#closed ? this.#wireBytes : this.#writer.stats().bytes;
  }

  files(): FileRecord[] {
    if (!this.#closed && !this.#finished && this.#cur && this.#failure === undefined) {
      this.#cur.record.bytes = this.#writer.stats().fileBytes;
    }
    return [...this.#files.values()].map((f) => ({ ...f }));
  }

  /** The writer failed: what the files hold, and the one line that says so. */
  #fail(): OutputFailure {
    if (this.#failure) return this.#failure;
    this.#done = true;
    const f = this.#writer.failure();
    if (f === undefined) {
      return this.#failure = new OutputFailure("write", "the writer stopped without a reason");
    }
    const failed = this.#started.find((s) => s.number === f.file);
    // Files started after it got nothing, and the writer removed them.
    for (const s of this.#started) {
      if (s.number > f.file && this.#files.get(s.record.path) === s.record) {
        this.#files.delete(s.record.path);
      }
    }
    const path = failed?.record.path ?? this.#opts.path;
    if (failed) {
      failed.record.bytes = f.size;
      failed.record.packets = f.kept;
    }
    return this.#failure = writeFailure(
      Object.assign(new Error(f.text), { code: errnoCode(f.errno) }),
      path === "-" ? "stdout" : path,
      keptOf(f, path === "-"),
    );
  }
}

/** What a failed file holds, as the end of the failure's line. */
function keptOf(f: WriterFailure, stdout: boolean): string {
  if (stdout) return keptText({ kind: "partial", bytes: f.partial });
  if (f.cutErrno) return keptText({ kind: "cut_failed", why: errnoCode(f.cutErrno) });
  return keptText({ kind: "cut", bytes: f.size, packets: f.kept });
}
