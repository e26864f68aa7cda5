/**
 * pcap or pcapng into a file or stdout for `-w`, rotated with -C/-G/-W like tcpdump. A failed
 * write stops the output (see {@link TrackedSink}); -G with -W ends the capture with
 * {@link OutputStop} once the files are done.
 * @module
 */
import type { ProcessLabels } from "../../lib/capture/process.ts";
import type { FileRecord } from "../../lib/capture/stats.ts";
import { type ByteSink, LINKTYPE_ETHERNET, PcapWriter } from "../../lib/formats/pcap.ts";
import { PcapngWriter, type PcapngWriterStats } from "../../lib/formats/pcapng.ts";
import type { CaptureRecord } from "../../lib/formats/capture_file.ts";
import { Rotation, type RotationOptions } from "../../lib/formats/rotation.ts";
import { isStdout, openForWrite, type WritableFile } from "../paths.ts";
import { OutputStop } from "./errors.ts";
import { type Output, type OutputInterface, TrackedSink } from "./sinks.ts";

/** pcap or pcapng, for `-w`. */
export type FileFormat = "pcap" | "pcapng";

/** The format `-w PATH` gets without --format: pcapng for a .pcapng name, else pcap (stdout too). */
export function formatFor(path: string, format?: FileFormat): FileFormat {
  if (format) return format;
  return /\.pcapng$/i.test(path) ? "pcapng" : "pcap";
}

/** How to write files. */
export interface FileOutputOptions {
  /** `-w`: a path, `-` (or /dev/stdout) for stdout, a strftime(3) pattern with -G. */
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
  /** pcapng: each packet's process into its options (a tap with process attribution). */
  processes?: ProcessLabels;
  /** -U: each record out as it is added (a file's); a capture's after each batch. */
  packetBuffered?: boolean;
  /** Called with each file's path once it is created (-Z gives it to the user). */
  created?: (path: string) => void;
  /**
   * pcapng only: no interface up front (ifName, filter and stats unused); interfaces come with
   * {@link Output.addInterface}, each file describes all of them, records name theirs.
   */
  severalInterfaces?: boolean;
}

/** One open file (or stdout) with its writer. */
interface OpenFile {
  record: FileRecord;
  sink: TrackedSink;
  file: WritableFile | typeof Deno.stdout;
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
 * `bufferSize` is its output buffer (default 1 MiB); `interfaces`, with `severalInterfaces`, the
 * interfaces every file describes.
 */
export function fileWriter(
  o: FileOutputOptions,
  sink: ByteSink,
  bufferSize?: number,
  interfaces?: OutputInterface[],
): PcapWriter | PcapngWriter {
  if (o.format === "pcapng") {
    return new PcapngWriter(sink, {
      ifName: o.ifName ?? "",
      interfaces: o.severalInterfaces ? interfaces : undefined,
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
  return counters(o.stats);
}

/** The counters `stats` gives, or undefined when it has none or fails (a capture closed). */
function counters(
  stats: (() => PcapngWriterStats | undefined) | undefined,
): PcapngWriterStats | undefined {
  try {
    return stats?.();
  } catch {
    return undefined;
  }
}

/** pcap/pcapng into a file or stdout, rotated as asked. Files are created only when called. */
export function fileOutput(opts: FileOutputOptions): Output {
  return new FileOutput(opts);
}

class FileOutput implements Output {
  readonly #opts: FileOutputOptions;
  readonly #rotation?: Rotation;
  readonly #processes?: ProcessLabels;
  #cur: OpenFile | undefined;
  readonly #files = new Map<string, FileRecord>();
  /** Interfaces added (addInterface): each pcapng file describes them all. */
  readonly #interfaces: OutputInterface[] = [];
  packets = 0;
  bytes = 0;
  filesOpened = 0;
  readonly packetBuffered: boolean;

  constructor(opts: FileOutputOptions) {
    this.#opts = opts;
    this.#processes = opts.format === "pcapng" ? opts.processes : undefined;
    this.packetBuffered = opts.packetBuffered === true;
    this.#rotation = rotationFor(opts);
    this.#cur = this.#open(this.#rotation?.current ?? opts.path);
  }

  #open(path: string): OpenFile {
    const o = this.#opts;
    const stdout = isStdout(path);
    const opened = stdout ? { file: Deno.stdout, regular: false } : openForWrite(path);
    const file = opened.file;
    if (!stdout && o.created) {
      try {
        o.created(path);
      } catch (e) {
        file.close();
        throw e;
      }
    }
    const sink = new TrackedSink(
      file,
      stdout ? "stdout" : path,
      o.format === "pcapng",
      opened.regular,
    );
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
      const w = fileWriter(o, sink, undefined, this.#interfaces);
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

  add(
    src: Uint8Array,
    off: number,
    len: number,
    sec: number,
    nsec: number,
    queue: number,
    wireLen: number,
    direction: number,
    flags?: number,
  ): void {
    let cur = this.#cur;
    if (cur === undefined) return; // closed after a failure or the last file
    if (this.#rotation !== undefined) cur = this.#rotate(sec, cur);
    if (cur.ng !== undefined) {
      const options = this.#processes !== undefined && flags
        ? this.#processes.of(src, off, flags)?.options
        : undefined;
      cur.ng.add(src, off, len, sec, nsec, queue, wireLen, direction, 0, options);
    } else {
      cur.pcap!.add(src, off, len, sec, nsec, queue, wireLen);
    }
    this.packets++;
    this.bytes += wireLen;
  }

  addInterface(i: OutputInterface): number {
    // Callers ask for this only with severalInterfaces (and so pcapng).
    if (!this.#opts.severalInterfaces) throw new Error("this output has one interface");
    this.#interfaces.push(i);
    const cur = this.#cur;
    if (cur?.ng && !cur.sink.failed) cur.ng.addInterface(i);
    return this.#interfaces.length - 1;
  }

  addRecord(r: CaptureRecord): void {
    let cur = this.#cur;
    if (cur === undefined) return;
    if (this.#rotation !== undefined) cur = this.#rotate(r.sec, cur);
    const iface = this.#opts.severalInterfaces ? r.interfaceId : 0;
    if (cur.ng !== undefined) {
      cur.ng.addRecord(r.data, r.origLen, r.sec, r.nsec, r.queue, r.flags, iface);
    } else cur.pcap!.addRecord(r.data, r.origLen, r.sec, r.nsec);
    this.packets++;
    this.bytes += Math.max(r.origLen, r.caplen);
    if (this.packetBuffered) this.flush();
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
          if (this.#opts.severalInterfaces) {
            this.#interfaces.forEach((i, id) => {
              const stats = counters(i.stats);
              if (stats) f.ng!.addStatistics(id, stats);
            });
          }
          f.ng.close(this.#opts.severalInterfaces ? undefined : counters(this.#opts.stats));
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
