/**
 * Where the CLI's packets go: pcap or pcapng into a file (rotated with -C/-G/-W like tcpdump) or
 * stdout, or one text line per packet on stdout (tcpdump -n style, with -e, -v, -x/-X).
 *
 * Files are written in whole records only. When a write fails (disk full, a closed pipe), the
 * output stops: a file is cut back to its last whole record (the kernel may have taken part of
 * a chunk before ENOSPC), and an {@link OutputFailure} says what happened and how many packets
 * the file holds. -G with -W ends the capture with {@link OutputStop} once the files are done.
 *
 * @module
 */
import meta from "../deno.json" with { type: "json" };
import type { CaptureStats, PacketSink } from "../lib/capture/session.ts";
import type { CaptureArgs } from "./args.ts";
import { Decoder, type TimestampFormat, type TimestampPrecision } from "../lib/decode/decode.ts";
import { dumpsWholeFrame, hexDump, type HexOptions } from "../lib/decode/hexdump.ts";
import { type ByteSink, LINKTYPE_ETHERNET, PcapWriter } from "../lib/formats/pcap.ts";
import { PcapngWriter, type PcapngWriterStats } from "../lib/formats/pcapng.ts";
import type { CaptureRecord } from "../lib/formats/pcapng_reader.ts";
import { Rotation, type RotationOptions } from "../lib/formats/rotation.ts";
import type { FileRecord, WriterRecord } from "../lib/capture/stats.ts";

/** A sink the CLI can also feed file records to, close, and ask what it wrote. */
export interface Output extends PacketSink {
  /** A packet read from a file (`-r`): its captured bytes, wire length, time, queue, flags. */
  addRecord(r: CaptureRecord): void;
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

/** Why writing stopped for good. */
export type FailureKind = "disk_full" | "output_closed" | "write";

/** Writing failed; the message is the line to print. */
export class OutputFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.name = "OutputFailure";
    this.kind = kind;
  }
}

/** The output is complete (-G with -W wrote its files); not an error: exit 0. */
export class OutputStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputStop";
  }
}

/**
 * The failure a write error `e` into `path` ("stdout" for stdout) is; `kept` ends the message
 * with what the file holds now. A closed pipe is worded alone: the reader left, nothing is lost.
 */
export function writeFailure(e: unknown, path: string, kept = ""): OutputFailure {
  if (isClosedPipe(e)) return new OutputFailure("output_closed", "output closed by the reader");
  const why = e instanceof Error ? e.message : String(e);
  if (isDiskFull(e)) {
    return new OutputFailure("disk_full", `disk full writing ${path} (${why})${kept}`);
  }
  return new OutputFailure("write", `cannot write ${path}: ${why}${kept}`);
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

/** Writes every byte of each chunk (short writes loop). */
export function fileSink(file: { writeSync(p: Uint8Array): number }): ByteSink {
  return {
    write(chunk: Uint8Array) {
      for (let off = 0; off < chunk.length;) off += file.writeSync(chunk.subarray(off));
    },
  };
}

function errorCode(e: unknown): string | undefined {
  return e !== null && typeof e === "object" && "code" in e ? String(e.code) : undefined;
}

/** Whether `e` is a write into a closed pipe or socket. */
export function isClosedPipe(e: unknown): boolean {
  return e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset ||
    errorCode(e) === "EPIPE";
}

/** Whether `e` says the disk (or quota) is full. */
export function isDiskFull(e: unknown): boolean {
  const code = errorCode(e);
  return code === "ENOSPC" || code === "EDQUOT" ||
    (e instanceof Error && /No space left|quota exceeded/i.test(e.message));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
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

/** pcap or pcapng, for `-w`. */
export type FileFormat = "pcap" | "pcapng";

/** The format `-w PATH` gets without --format: pcapng for a .pcapng name, else pcap (stdout too). */
export function formatFor(path: string, format?: FileFormat): FileFormat {
  if (format) return format;
  return /\.pcapng$/i.test(path) ? "pcapng" : "pcap";
}

/** How to write files. */
export interface FileOutputOptions {
  /** `-w`: a path, `-` for stdout, a strftime(3) pattern with -G. */
  path: string;
  format: FileFormat;
  snaplen: number;
  /** Link-layer type of the packets (default Ethernet). */
  linktype?: number;
  /** pcapng if_name. */
  ifName?: string;
  /** pcapng if_filter: the capture filter text. */
  filter?: string;
  /** pcapng shb_userappl. */
  userAppl?: string;
  /** -C (bytes), -G (seconds), -W. */
  rotation?: Omit<RotationOptions, "template">;
  /** Time the first file is named by with -G (epoch seconds; default now). */
  startSec?: number;
  /** pcapng: the counters for each file's Interface Statistics Block, taken at its close. */
  stats?: () => PcapngWriterStats | undefined;
}

/** One open file (or stdout) with its writer. */
interface OpenFile {
  record: FileRecord;
  sink: TrackedSink;
  file: Deno.FsFile | typeof Deno.stdout;
  pcap?: PcapWriter;
  ng?: PcapngWriter;
}

/** Brings a file's entry up to date: its size, and the packets in it (only whole ones after a
 * failed write). */
function sync(f: OpenFile): void {
  f.record.bytes = f.sink.written;
  f.record.packets = f.sink.failed ? f.sink.keptPackets : (f.ng ?? f.pcap)!.packets;
}

/**
 * The TypeScript writer of one file as `opts` asks for it, its header in its buffer (the shim's
 * writer takes its headers and statistics blocks from these too: one source for those bytes).
 * `bufferSize` is its output buffer (default 1 MiB).
 */
export function fileWriter(
  o: FileOutputOptions,
  sink: ByteSink,
  bufferSize?: number,
): PcapWriter | PcapngWriter {
  if (o.format === "pcapng") {
    return new PcapngWriter(sink, {
      ifName: o.ifName ?? "",
      filter: o.filter,
      snaplen: o.snaplen,
      linktype: o.linktype ?? LINKTYPE_ETHERNET,
      userAppl: o.userAppl ?? "xskdump",
      os: `${Deno.build.os} (${Deno.build.arch})`,
      bufferSize,
    });
  }
  return new PcapWriter(sink, { snaplen: o.snaplen, linktype: o.linktype, bufferSize });
}

/** The rotation -C/-G ask for (the first file's name is its `current`); undefined for none. */
export function rotationFor(opts: FileOutputOptions): Rotation | undefined {
  const rot = opts.rotation;
  if (!rot || (rot.sizeLimit === undefined && rot.seconds === undefined)) return undefined;
  const start = opts.startSec ?? Math.floor(Date.now() / 1000);
  return new Rotation({ ...rot, template: opts.path }, start);
}

/** The counters for a file's Interface Statistics Block now; none when they cannot be read. */
export function isbNow(o: FileOutputOptions): PcapngWriterStats | undefined {
  try {
    return o.stats?.();
  } catch {
    return undefined; // counters unavailable (capture closed): no statistics block
  }
}

/** pcap/pcapng into a file or stdout, rotated as asked. Files are created only when called. */
export function fileOutput(opts: FileOutputOptions): Output {
  return new FileOutput(opts);
}

class FileOutput implements Output {
  readonly #opts: FileOutputOptions;
  readonly #rotation?: Rotation;
  #cur: OpenFile | undefined;
  readonly #files = new Map<string, FileRecord>();
  packets = 0;
  bytes = 0;
  filesOpened = 0;

  constructor(opts: FileOutputOptions) {
    this.#opts = opts;
    this.#rotation = rotationFor(opts);
    this.#cur = this.#open(this.#rotation?.current ?? opts.path);
  }

  #open(path: string): OpenFile {
    const o = this.#opts;
    const stdout = path === "-";
    const file = stdout
      ? Deno.stdout
      : Deno.openSync(path, { write: true, create: true, truncate: true });
    const sink = new TrackedSink(file, stdout ? "stdout" : path, o.format === "pcapng", !stdout);
    const record: FileRecord = { path, packets: 0, bytes: 0 };
    this.#files.delete(path); // a reused name moves to the end
    this.#files.set(path, record);
    this.filesOpened++;
    const f: OpenFile = { record, sink, file };
    sink.onFail = () => {
      sync(f);
      this.#abandon(f);
    };
    try {
      const w = fileWriter(o, sink);
      if (w instanceof PcapngWriter) f.ng = w;
      else f.pcap = w;
      sink.writer = w;
      w.flush(); // the headers are there even if nothing arrives
    } catch (e) {
      if (!sink.failed && !stdout) file.close();
      this.#cur = undefined;
      throw e;
    }
    sync(f);
    return f;
  }

  /** Before each packet: rotate when due; throws OutputStop when -G -W is done. */
  #rotate(sec: number, cur: OpenFile): OpenFile {
    const step = this.#rotation!.step(sec, cur.ng ? cur.ng.bytes : cur.pcap!.bytes);
    if (step.kind === "keep") return cur;
    this.#finish(cur);
    if (step.kind === "stop") {
      this.#cur = undefined;
      throw new OutputStop(`Maximum file limit reached: ${step.files}`);
    }
    this.#cur = this.#open(step.name);
    return this.#cur;
  }

  add(src: Uint8Array, off: number, len: number, sec: number, nsec: number, queue: number): void {
    let cur = this.#cur;
    if (cur === undefined) return; // closed after a failure or the last file
    if (this.#rotation !== undefined) cur = this.#rotate(sec, cur);
    if (cur.ng !== undefined) cur.ng.add(src, off, len, sec, nsec, queue);
    else cur.pcap!.add(src, off, len, sec, nsec);
    this.packets++;
    this.bytes += len;
  }

  addRecord(r: CaptureRecord): void {
    let cur = this.#cur;
    if (cur === undefined) return;
    if (this.#rotation !== undefined) cur = this.#rotate(r.sec, cur);
    if (cur.ng !== undefined) cur.ng.addRecord(r.data, r.origLen, r.sec, r.nsec, r.queue, r.flags);
    else cur.pcap!.addRecord(r.data, r.origLen, r.sec, r.nsec);
    this.packets++;
    this.bytes += Math.max(r.origLen, r.caplen);
  }

  flush(): void {
    const cur = this.#cur;
    if (cur === undefined || cur.sink.failed) return;
    try {
      if (cur.ng) cur.ng.flush();
      else cur.pcap!.flush();
    } finally {
      sync(cur);
      if (cur.sink.failed) this.#abandon(cur);
    }
  }

  /** Closes a finished file: the pcapng statistics block, flush, close. */
  #finish(f: OpenFile): void {
    try {
      if (!f.sink.failed) {
        if (f.ng) {
          f.ng.close(isbNow(this.#opts));
        } else {
          f.pcap!.close();
        }
      }
    } finally {
      sync(f);
      if (f.file !== Deno.stdout) {
        try {
          f.file.close();
        } catch {
          // Already closed.
        }
      }
    }
  }

  #abandon(f: OpenFile): void {
    if (this.#cur === f) this.#cur = undefined;
    if (f.file !== Deno.stdout) {
      try {
        f.file.close();
      } catch {
        // Already closed.
      }
    }
  }

  close(): void {
    const cur = this.#cur;
    this.#cur = undefined;
    if (cur !== undefined) this.#finish(cur);
  }

  files(): FileRecord[] {
    const cur = this.#cur;
    if (cur) sync(cur);
    return [...this.#files.values()].map((f) => ({ ...f }));
  }
}

/** What text lines show. */
export interface TextOptions {
  snaplen: number;
  /** -e: link-level header. */
  link?: boolean;
  /** -v. */
  verbose?: boolean;
  /** -x/-xx/-X/-XX. */
  hex?: HexOptions;
  /** -S: absolute TCP sequence numbers. */
  absoluteSeq?: boolean;
  /** -t ... -ttttt (default: the time of day). */
  timestamps?: TimestampFormat;
  /** --nano (default: microseconds). */
  precision?: TimestampPrecision;
}

/** Names of link-layer types, as `tcpdump -r` says them. */
export function linktypeName(linktype: number): string {
  const names: Record<number, string> = {
    0: "NULL (BSD loopback)",
    1: "EN10MB (Ethernet)",
    101: "RAW (Raw IP)",
    105: "IEEE802_11 (802.11)",
    113: "LINUX_SLL (Linux cooked v1)",
    127: "IEEE802_11_RADIO (802.11 plus radiotap header)",
    228: "IPV4 (Raw IPv4)",
    229: "IPV6 (Raw IPv6)",
    276: "LINUX_SLL2 (Linux cooked v2)",
  };
  return names[linktype] ?? `LINKTYPE_${linktype}`;
}

/**
 * tcpdump -n style lines on stdout, from one Decoder for the whole capture or file (relative TCP
 * numbers and -ttt need the packets before); a line allocates its text.
 */
export function textOutput(options: TextOptions | number): Output {
  const opts = typeof options === "number" ? { snaplen: options } : options;
  const out = fileSink(Deno.stdout);
  const enc = new TextEncoder();
  const buf = new Uint8Array(1 << 16);
  const snaplen = opts.snaplen;
  const hex = opts.hex ?? { level: 0, ascii: false };
  const decoder = new Decoder({
    link: opts.link === true,
    verbose: opts.verbose === true,
    absoluteSeq: opts.absoluteSeq === true,
    timestamps: opts.timestamps,
    precision: opts.precision,
    // tcpdump leaves out its dumps of what it does not decode when -x/-X dump every packet.
    undecodedHex: hex.level === 0,
  });
  let used = 0;
  let failed = false;
  const write = (bytes: Uint8Array) => {
    if (failed) return;
    try {
      out.write(bytes);
    } catch (e) {
      failed = true;
      if (isClosedPipe(e)) throw new OutputFailure("output_closed", "output closed by the reader");
      if (isDiskFull(e)) {
        throw new OutputFailure(
          "disk_full",
          `disk full writing stdout (${e instanceof Error ? e.message : e})`,
        );
      }
      throw new OutputFailure(
        "write",
        `cannot write stdout: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  };
  const flush = () => {
    if (used) {
      const n = used;
      used = 0;
      write(buf.subarray(0, n));
    }
  };
  const emit = (line: string) => {
    if (used + line.length * 3 > buf.length) flush();
    if (line.length * 3 > buf.length) return write(enc.encode(line));
    used += enc.encodeInto(line, buf.subarray(used)).written;
  };
  const lineOf = (data: Uint8Array, origLen: number, sec: number, nsec: number) => {
    const time = decoder.timestamp(sec, nsec);
    const text = decoder.describe(data, origLen);
    const dump = hex.level > 0 ? hexDump(data, hex, dumpsWholeFrame(text, data)) : "";
    return `${time}${text}${dump}\n`;
  };
  const o: Output & { packets: number; bytes: number } = {
    packets: 0,
    bytes: 0,
    filesOpened: 0,
    add(src, off, len, sec, nsec) {
      if (failed) return;
      o.packets++;
      o.bytes += len;
      emit(lineOf(src.subarray(off, off + Math.min(len, snaplen)), len, sec, nsec));
    },
    addRecord(r) {
      if (failed) return;
      o.packets++;
      o.bytes += Math.max(r.origLen, r.caplen);
      const data = r.data.length > snaplen ? r.data.subarray(0, snaplen) : r.data;
      if (r.linktype !== LINKTYPE_ETHERNET) {
        emit(
          `${decoder.timestamp(r.sec, r.nsec)}[link-type ${
            linktypeName(r.linktype)
          } not decoded], length ${r.origLen}\n`,
        );
        return;
      }
      emit(lineOf(data, r.origLen, r.sec, r.nsec));
    },
    flush,
    close: () => {
      try {
        flush();
      } finally {
        failed = true;
      }
    },
    files: () => [],
  };
  return o;
}

/** What a capture's output needs to know about the capture. */
export interface CaptureInfo {
  iface: string;
  stats(): CaptureStats;
}

/**
 * The pcapng statistics of a capture, as each file's Interface Statistics Block holds them (the
 * counts since the capture started): isb_ifrecv the packets the XDP program saw (every packet
 * the interface received while attached), isb_filteraccept those it redirected to xskdump (the
 * filter accepted them, "received by filter"), isb_ifdrop the kernel's drops for lack of ring
 * space or free frames, isb_usrdeliv the packets handed to the output.
 */
export function isbStats(s: CaptureStats): PcapngWriterStats {
  return {
    ifRecv: s.seen,
    ifDrop: s.dropped.total,
    filterAccept: s.received,
    usrDeliv: s.captured,
  };
}

/**
 * The output of a live capture: text lines, or -w with its format and rotation, made by `files`
 * (the CLI's: the shim's writer, cli/live_files.ts).
 */
export function captureOutput(
  args: CaptureArgs,
  cap: CaptureInfo,
  filter: string | undefined,
  files: (opts: FileOutputOptions) => Output = fileOutput,
): Output {
  if (args.write === undefined) return textOutput({ snaplen: args.snaplen, ...args.print });
  return files({
    path: args.write,
    format: formatFor(args.write, args.output.format),
    snaplen: args.snaplen,
    ifName: cap.iface,
    filter,
    userAppl: `xskdump ${meta.version}`,
    rotation: args.output,
    stats: () => isbStats(cap.stats()),
  });
}
