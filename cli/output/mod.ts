/**
 * Where the CLI's packets go: pcap or pcapng into a file (rotated with -C/-G/-W like tcpdump) or
 * stdout, or one text line per packet on stdout (tcpdump -n style, with -e, -v, -x/-X). A live
 * capture and `-r` open theirs the same way ({@link openOutput}); they differ only in what the
 * packets' source tells a file about them.
 *
 * errors.ts: how writing ends; sinks.ts: the packet and byte sinks; files.ts: `-w` with
 * rotation; text.ts: text lines.
 * @module
 */
import meta from "../../deno.json" with { type: "json" };
import type { ProcessLabels } from "../../lib/capture/process.ts";
import type { CaptureStats } from "../../lib/capture/session.ts";
import type { PcapngWriterStats } from "../../lib/formats/pcapng.ts";
import type { OutputArgs } from "../capture_args.ts";
import { fileOutput, type FileOutputOptions, formatFor } from "./files.ts";
import type { Output } from "./sinks.ts";
import { textOutput } from "./text.ts";

export {
  type FailureKind,
  isClosedPipe,
  isDiskFull,
  OutputFailure,
  OutputStop,
  writeFailure,
} from "./errors.ts";
export {
  fileSink,
  keptText,
  type Output,
  type OutputInterface,
  TrackedSink,
  type WriterProgress,
} from "./sinks.ts";
export {
  type FileFormat,
  fileOutput,
  type FileOutputOptions,
  fileWriter,
  formatFor,
  isbNow,
  rotationFor,
} from "./files.ts";
export { directionWord, linktypeName, type TextOptions, textOutput } from "./text.ts";

/** What the packets' source tells a file about them (pcapng's interface block and statistics,
 * the link-layer type, the time -G names the first file by). */
export type OutputSource = Pick<
  FileOutputOptions,
  "linktype" | "ifName" | "filter" | "startSec" | "stats" | "created" | "processes"
>;

/**
 * The output -w (or its absence), --print and the print flags ask for. Files are created here,
 * by `files` (a live capture's: the shim's writer, live_files.ts); `source.created` hears of each.
 */
export function openOutput(
  args: OutputArgs,
  source: OutputSource,
  files: (opts: FileOutputOptions) => Output = fileOutput,
): Output {
  const text = () =>
    textOutput({
      snaplen: args.snaplen,
      ...args.print,
      packetBuffered: args.packetBuffered || args.lineBuffered,
    });
  if (args.write === undefined) return text();
  const file = files({
    ...source,
    path: args.write,
    format: formatFor(args.write, args.output.format),
    snaplen: args.snaplen,
    userAppl: `xskdump ${meta.version}`,
    rotation: args.output,
    packetBuffered: args.packetBuffered,
  });
  return args.printToo ? fileAndText(file, text()) : file;
}

/** --count without -w: the packets are counted, nothing else. */
export function countOutput(): Output {
  const o: Output & { packets: number; bytes: number } = {
    packets: 0,
    bytes: 0,
    filesOpened: 0,
    add(_src, _off, _len, _sec, _nsec, _queue, wireLen) {
      o.packets++;
      o.bytes += wireLen;
    },
    addRecord(r) {
      o.packets++;
      o.bytes += Math.max(r.origLen, r.caplen);
    },
    // Counting tells no interface from another.
    addInterface: () => 0,
    flush: () => {},
    close: () => {},
    files: () => [],
  };
  return o;
}

/** --print with -w: each packet into the file, then as a text line (tcpdump's order). */
function fileAndText(file: Output, text: Output): Output {
  return {
    get packets() {
      return file.packets;
    },
    get bytes() {
      return file.bytes;
    },
    get filesOpened() {
      return file.filesOpened;
    },
    packetBuffered: file.packetBuffered === true || text.packetBuffered === true,
    add(src, off, len, sec, nsec, queue, wireLen, direction, flags) {
      // flags: both find the packet's process by them (the pcapng's options, the line's suffix).
      file.add(src, off, len, sec, nsec, queue, wireLen, direction, flags);
      text.add(src, off, len, sec, nsec, queue, wireLen, direction, flags);
    },
    addRecord(r) {
      file.addRecord(r);
      text.addRecord(r);
    },
    addInterface(i) {
      text.addInterface(i);
      return file.addInterface(i);
    },
    flush() {
      try {
        file.flush();
      } finally {
        text.flush();
      }
    },
    close() {
      try {
        file.close();
      } finally {
        text.close();
      }
    },
    files: () => file.files(),
  };
}

/** What a capture's output needs to know about the capture. */
export interface CaptureInfo {
  iface: string;
  stats(): CaptureStats;
  /** Labels of the packets' processes (a tap with process attribution). */
  processes?: ProcessLabels;
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
 * The output of a live capture: text lines, or -w with its format, rotation and statistics,
 * made by `files` (the CLI's: the shim's writer, live_files.ts).
 */
export function captureOutput(
  args: OutputArgs,
  cap: CaptureInfo,
  filter: string | undefined,
  files: (opts: FileOutputOptions) => Output = fileOutput,
  created?: (path: string) => void,
): Output {
  return openOutput(
    args,
    {
      ifName: cap.iface,
      filter,
      stats: () => isbStats(cap.stats()),
      created,
      processes: cap.processes,
    },
    files,
  );
}
