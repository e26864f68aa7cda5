/**
 * The shim's capture-file writer (csrc/writer.c): one call per batch formats its records into
 * chunks with memcpy, and a thread of the writer's own writes the chunks to the file, so the
 * capture loop never waits for the file while a chunk is free. A thin typed wrapper, no policy:
 * the CLI's file output (rotation, messages) decides.
 * @module
 */
import { FILE_FORMAT, WFAIL, WFAIL_COUNT, WRITER_STOP, WSTAT, WSTAT_COUNT } from "./abi.ts";
import { loadShim } from "./loader.ts";
import type { Shim } from "./symbols.ts";
import { check, cString } from "./xsk.ts";

const NONE = 0xffffffffffffffffn;
const EAGAIN = 11;

/** How a writer's write failed, and what its file holds now. */
export interface WriterFailure {
  /** Positive errno of the failed write(2). */
  errno: number;
  /** Its strerror, as Deno words OS errors: "No space left on device (os error 28)". */
  text: string;
  /** The number of the file it failed on (what startFile returned). */
  file: number;
  /** That file's size now. */
  size: number;
  /** Packets in its whole records. */
  kept: number;
  /** Cutting it back to its last whole record failed with this errno (0: it did not). */
  cutErrno: number;
  /** Bytes of a cut record at its end (a pipe or terminal, which cannot be cut back). */
  partial: number;
}

/** Counters of a writer (see XSKDUMP_WSTAT_*). */
export interface WriterStats {
  packets: number;
  /** Wire lengths of the packets, summed. */
  bytes: number;
  /** The current file's number, bytes and packets so far (buffered or written). */
  file: number;
  fileBytes: number;
  filePackets: number;
  /** Puts that found every chunk waiting for the thread. */
  full: number;
  /** Bytes the thread wrote, all files. */
  written: number;
  /** Chunks waiting for the thread now. */
  queued: number;
  /** The longest write(2) of one chunk, ms. */
  writeMaxMs: number;
}

/** A capture-file writer in the shim. */
export class FileWriter {
  readonly handle: number;
  readonly #shim: Shim;
  readonly #stats = new BigUint64Array(WSTAT_COUNT);
  readonly #fail = new BigUint64Array(WFAIL_COUNT);
  #open = true;

  private constructor(shim: Shim, handle: number) {
    this.#shim = shim;
    this.handle = handle;
  }

  /**
   * A writer of `format` files cutting packets to `snaplen`, with `chunks` chunks of `chunkSize`
   * bytes between the loop and its thread. Throws XskError.
   */
  static open(
    format: keyof typeof FILE_FORMAT,
    snaplen: number,
    chunkSize: number,
    chunks: number,
    shim: Shim = loadShim(),
  ): FileWriter {
    const h = check(
      shim,
      shim.xsk_writer_open(FILE_FORMAT[format], snaplen, chunkSize, chunks),
      "open writer",
    );
    return new FileWriter(shim, h);
  }

  /**
   * Starts the next file: `path`, or `fd` (stdout) when path is undefined. The file before it
   * ends with `trailer` (its pcapng ISB; empty for none), the new one starts with `header`. Puts
   * stop before a record once the file holds more than `sizeLimit` bytes or when a record's
   * second is `secLimit` or later. Returns the file's number, or undefined, having done nothing,
   * when too few chunks are free (wait(), then again). Throws XskError (a file that cannot be
   * opened, or the writer's failure).
   */
  startFile(
    path: string | undefined,
    fd: number,
    trailer: Uint8Array<ArrayBuffer>,
    header: Uint8Array<ArrayBuffer>,
    sizeLimit?: number,
    secLimit?: number,
  ): number | undefined {
    const r = this.#shim.xsk_writer_file(
      this.handle,
      cString(path ?? ""),
      fd,
      trailer,
      trailer.length,
      header,
      header.length,
      sizeLimit === undefined ? NONE : BigInt(sizeLimit),
      secLimit === undefined ? NONE : BigInt(secLimit),
    );
    if (r === -EAGAIN) return undefined;
    return check(this.#shim, r, `open ${path ?? `fd ${fd}`}`);
  }

  /**
   * Hot path: the records of descs[0..n) (DESC_WORDS u32 each, their queue and direction in
   * DESC_FLAGS) whose bytes are in `src`. Returns how many it took (fewer than n: see
   * stopped()), or a negative errno once the writer failed (see failure()).
   */
  put(src: Uint8Array<ArrayBuffer>, descs: Uint32Array<ArrayBuffer>, n: number): number {
    const len = src.length > 0xffffffff ? 0xffffffff : src.length;
    return this.#shim.xsk_writer_put(this.handle, src, len, descs, n);
  }

  /** on: put() takes every record and writes nothing (a warm-up's, before the capture starts). */
  warm(on: boolean): void {
    check(this.#shim, this.#shim.xsk_writer_warm(this.handle, on ? 1 : 0), "warm-up");
  }

  /** Why the last put stopped short: "rotate", "full", or "done" (it did not). */
  stopped(): "done" | "rotate" | "full" {
    this.#readStats();
    const why = Number(this.#stats[WSTAT.stopped]);
    return why === WRITER_STOP.rotate ? "rotate" : why === WRITER_STOP.full ? "full" : "done";
  }

  /** Appends a block (a pcapng ISB) to the current file: false when no chunk is free. */
  putBlock(block: Uint8Array<ArrayBuffer>): boolean {
    const r = this.#shim.xsk_writer_bytes(this.handle, block, block.length);
    if (r === -EAGAIN) return false;
    check(this.#shim, r, "write block");
    return true;
  }

  /** Hands the chunk being filled to the thread. Returns a negative errno once failed. */
  flush(): number {
    return this.#shim.xsk_writer_flush(this.handle);
  }

  /** Waits up to `ms` for a free chunk, off the JS thread: true when there is one. */
  async wait(ms: number): Promise<boolean> {
    return check(this.#shim, await this.#shim.xsk_writer_wait(this.handle, ms), "wait") > 0;
  }

  /** Sleeps `usec` in this thread: for a caller that cannot await a free chunk. */
  napUs(usec: number): void {
    check(this.#shim, this.#shim.xsk_doze(usec), "nap");
  }

  /** Waits up to `ms` until every chunk handed over is written: true when it is. */
  async drain(ms: number): Promise<boolean> {
    return check(this.#shim, await this.#shim.xsk_writer_drain(this.handle, ms), "drain") > 0;
  }

  #readStats(): void {
    check(
      this.#shim,
      this.#shim.xsk_writer_stats(this.handle, this.#stats, this.#stats.length),
      "writer stats",
    );
  }

  /** The writer's counters. */
  stats(): WriterStats {
    this.#readStats();
    const s = this.#stats;
    return {
      packets: Number(s[WSTAT.packets]),
      bytes: Number(s[WSTAT.bytes]),
      file: Number(s[WSTAT.file]),
      fileBytes: Number(s[WSTAT.fileBytes]),
      filePackets: Number(s[WSTAT.filePackets]),
      full: Number(s[WSTAT.full]),
      written: Number(s[WSTAT.written]),
      queued: Number(s[WSTAT.queued]),
      writeMaxMs: Number(s[WSTAT.writeMaxNs]) / 1e6,
    };
  }

  /** The failure that stopped the writer, or undefined while it is fine. */
  failure(): WriterFailure | undefined {
    const text = new Uint8Array(160);
    const e = this.#shim.xsk_writer_failure(
      this.handle,
      this.#fail,
      this.#fail.length,
      text,
      text.length,
    );
    if (e <= 0) return undefined;
    const f = this.#fail;
    const end = text.indexOf(0);
    return {
      errno: e,
      text: new TextDecoder().decode(text.subarray(0, end < 0 ? text.length : end)),
      file: Number(f[WFAIL.file]),
      size: Number(f[WFAIL.size]),
      kept: Number(f[WFAIL.kept]),
      cutErrno: Number(f[WFAIL.cutErrno]),
      partial: Number(f[WFAIL.partial]),
    };
  }

  /**
   * Ends the current file, lets the thread write what it was handed and frees the writer.
   * Blocks until then: drain() first. Idempotent; the failure, if any, is not thrown here.
   */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#shim.xsk_writer_close(this.handle);
  }
}
