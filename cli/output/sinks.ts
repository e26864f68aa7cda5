/**
 * Where the CLI's packets and bytes go: {@link Output}, the packet sink every output is (text
 * lines, files), and the byte sinks under the file writers. Files are written in whole records
 * only: when a write fails (disk full, a closed pipe), {@link TrackedSink} cuts the file back to
 * its last whole record (the kernel may have taken part of a chunk before ENOSPC) and says how
 * many packets the file holds.
 * @module
 */
import type { PacketSink } from "../../lib/capture/session.ts";
import type { FileRecord, WriterRecord } from "../../lib/capture/stats.ts";
import type { ByteSink } from "../../lib/formats/pcap.ts";
import type { PcapngInterface, PcapngWriterStats } from "../../lib/formats/pcapng.ts";
import type { CaptureRecord } from "../../lib/formats/capture_file.ts";
import { isClosedPipe, OutputFailure, writeFailure } from "./errors.ts";

/** One interface of an output with several (`xskdump fleet`: one per host and interface). */
export interface OutputInterface extends PcapngInterface {
  /** What its text lines start with, e.g. `web1: `. */
  label: string;
  /** pcapng: its counters, for the statistics block of each file at its close. */
  stats?: () => PcapngWriterStats | undefined;
}

/** A sink the CLI can also feed file records to, close, and ask what it wrote. */
export interface Output extends PacketSink {
  /**
   * A packet read from a file (`-r`) or a stream: its captured bytes, wire length, time, queue,
   * flags; with interfaces added (see addInterface), `r.interfaceId` names one of them.
   */
  addRecord(r: CaptureRecord): void;
  /**
   * Adds an interface and returns its id, for the records of an output with several (pcapng:
   * an interface description per interface, and statistics at the end; text: the label and a
   * decoder of its own). Until one is added, every record counts as of the one interface.
   */
  addInterface(i: OutputInterface): number;
  /** Flushes and closes; later calls do nothing. */
  close(): void;
  /** Packets handed in (written or printed). */
  readonly packets: number;
  /** Their wire lengths, summed. */
  readonly bytes: number;
  /** Files written so far (for the JSON summary); empty for text. */
  files(): FileRecord[];
  /** Files opened so far (a -W ring reuses names). */
  readonly filesOpened: number;
  /**
   * For an output that writes behind the capture (the shim's writer): ends the last file and
   * waits until every byte is written (the event loop turns meanwhile). Throws OutputFailure.
   * Called before close().
   */
  finish?(): Promise<void>;
  /** The shim's writer, for the summary (outputs that write through it). */
  writerStats?(): WriterRecord;
}

/** Writes every byte of each chunk (short writes loop). */
export function fileSink(file: { writeSync(p: Uint8Array): number }): ByteSink {
  return {
    write(chunk: Uint8Array) {
      for (let off = 0; off < chunk.length;) off += file.writeSync(chunk.subarray(off));
    },
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * What a file holds after a failed write, as the end of the failure's line: cut back to its
 * last whole record (`bytes` long, `packets` in it), not cut (why), or, for what cannot be cut
 * (a pipe), this many bytes of a record at its end.
 */
export function keptText(
  k:
    | { kind: "cut"; bytes: number; packets: number }
    | { kind: "cut_failed"; why: string }
    | { kind: "partial"; bytes: number },
): string {
  switch (k.kind) {
    case "cut":
      return k.bytes > 0
        ? `; it holds the ${plural(k.packets, "packet")} written before, ending on a whole record`
        : "; nothing could be written to it";
    case "cut_failed":
      return `; could not cut it back to its last whole record (${k.why})`;
    case "partial":
      return k.bytes > 0 ? `; the last record is incomplete (${k.bytes} bytes)` : "";
  }
}

/** What a sink needs to know of its writer: everything it has produced so far. */
export interface WriterProgress {
  /** File bytes produced (written or buffered), headers included. */
  readonly bytes: number;
  /** Packets produced. */
  readonly packets: number;
}

/**
 * A file's bytes as they go out, able to cut the file back to its last whole record when a write
 * fails part-way. Nothing is parsed while writes succeed. The writers hand over either a flush
 * (whole records from a record boundary: it then ends where the writer's byte count is) or the
 * pieces of one record too large for their buffer (which starts at the writer's byte count); on
 * a failure the flushed chunk is walked record by record to the last one that got out whole.
 */
export class TrackedSink implements ByteSink {
  readonly #file: { writeSync(p: Uint8Array): number; truncateSync?(len?: number): void };
  readonly #path: string;
  readonly #pcapng: boolean;
  readonly #canTruncate: boolean;
  /** Bytes in the file. */
  written = 0;
  /** End of the last whole record in the file (after a failure), and the packets up to it. */
  #whole = 0;
  #wholePackets = 0;
  /** Set once a write failed: nothing more is written. */
  failed = false;
  /** Called once, when a write fails. */
  onFail: () => void = () => {};
  /** The writer feeding this sink; set right after it is made (before it writes). */
  writer: WriterProgress = { bytes: 0, packets: 0 };

  constructor(
    file: { writeSync(p: Uint8Array): number; truncateSync?(len?: number): void },
    path: string,
    pcapng: boolean,
    canTruncate: boolean,
  ) {
    this.#file = file;
    this.#path = path;
    this.#pcapng = pcapng;
    this.#canTruncate = canTruncate;
  }

  write(chunk: Uint8Array): void {
    if (this.failed) throw new OutputFailure("write", `${this.#path}: written after a failure`);
    const c0 = this.written;
    let off = 0;
    try {
      while (off < chunk.length) off += this.#file.writeSync(chunk.subarray(off));
    } catch (e) {
      this.written = c0 + off;
      this.#findWhole(chunk, c0);
      this.failed = true;
      const failure = this.#failure(e);
      this.onFail();
      throw failure;
    }
    this.written = c0 + chunk.length;
  }

  /** After a failed write of `chunk` (at file offset c0): the last whole record's end. */
  #findWhole(chunk: Uint8Array, c0: number): void {
    const produced = this.writer.bytes;
    const c1 = c0 + chunk.length;
    if (c1 !== produced) {
      // A piece of one large record: the file was whole up to where that record starts.
      this.#whole = produced;
      this.#wholePackets = this.writer.packets;
      return;
    }
    // A flush: whole records from c0 on (the file header first, for a new file).
    const v = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    let whole = 0;
    let inChunk = 0;
    let wholeInChunk = 0;
    if (!this.#pcapng && c0 === 0) {
      at = 24; // the pcap file header (no length field)
      if (this.written >= 24) whole = 24;
    }
    const field = this.#pcapng ? 4 : 8;
    while (at + field + 4 <= chunk.length) {
      const len = v.getUint32(at + field, true);
      const end = this.#pcapng ? at + len : at + 16 + len;
      if (end <= at) break; // never with our writers: never loop
      if (!this.#pcapng || v.getUint32(at, true) === 6) inChunk++;
      if (c0 + end <= this.written) {
        whole = end;
        wholeInChunk = inChunk;
      }
      at = end;
    }
    this.#whole = c0 + whole;
    this.#wholePackets = this.writer.packets - inChunk + wholeInChunk;
  }

  /** Packets in the file's whole records (after a failure: what the file holds). */
  get keptPackets(): number {
    return this.#wholePackets;
  }

  #failure(e: unknown): OutputFailure {
    if (isClosedPipe(e)) return writeFailure(e, this.#path);
    let kept = "";
    if (this.#canTruncate && this.#file.truncateSync) {
      try {
        if (this.written > this.#whole) this.#file.truncateSync(this.#whole);
        this.written = this.#whole;
        kept = keptText({ kind: "cut", bytes: this.#whole, packets: this.#wholePackets });
      } catch (t) {
        kept = keptText({ kind: "cut_failed", why: t instanceof Error ? t.message : String(t) });
      }
    } else if (this.written > this.#whole) {
      kept = keptText({ kind: "partial", bytes: this.written - this.#whole });
    }
    return writeFailure(e, this.#path, kept);
  }
}
