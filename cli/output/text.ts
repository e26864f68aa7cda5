/**
 * One tcpdump -n style line per packet on stdout (with -e, -v, -q, -S, -t..-ttttt, --nano, -#,
 * -x/-X, -A).
 * @module
 */
import { Decoder, type TimestampFormat, type TimestampPrecision } from "../../lib/decode/decode.ts";
import { asciiDump, dumpsWholeFrame, hexDump, type HexOptions } from "../../lib/decode/hexdump.ts";
import { ProcessLabels } from "../../lib/capture/process.ts";
import { LINKTYPE_ETHERNET } from "../../lib/formats/pcap.ts";
import type { CaptureRecord } from "../../lib/formats/capture_file.ts";
import { writeFailure } from "./errors.ts";
import { fileSink, type Output, type OutputInterface } from "./sinks.ts";

/** What text lines show. */
export interface TextOptions {
  snaplen: number;
  /** -e: link-level header. */
  link?: boolean;
  /** -v (1), -vv (2), -vvv (3). */
  verbosity?: number;
  /** -q (1), -qq (2). */
  quiet?: number;
  /** -x/-xx/-X/-XX. */
  hex?: HexOptions;
  /** -A (1), -AA (2): the packet in ASCII (-x/-X win, as in tcpdump). */
  ascii?: number;
  /** -#: the packet's number first. */
  number?: boolean;
  /** -S: absolute TCP sequence numbers. */
  absoluteSeq?: boolean;
  /** -t ... -ttttt (default: the time of day). */
  timestamps?: TimestampFormat;
  /** --nano (default: microseconds). */
  precision?: TimestampPrecision;
  /**
   * -U, -l: each line out as soon as it is made (a file's packets); a capture's lines go out
   * after each batch (the packets one ring call took together).
   */
  packetBuffered?: boolean;
  /** --print-direction: "In " or "Out" after the time, as tcpdump's cooked (-i any) lines. */
  direction?: boolean;
  /** --print-process: " [pid N command]" at the end of a line whose process is known. */
  process?: boolean;
}

/**
 * The --print-process suffix of a packet read from a file: its epb_processid_threadid, and the
 * command from xskdump's comment ("pid N tid N COMMAND cgroup ...") when it has one.
 */
export function recordProcessSuffix(r: CaptureRecord): string {
  if (r.processId === undefined) return "";
  const comm = r.comment === undefined
    ? undefined
    : /^pid \d+ tid \d+ (.*?) cgroup /.exec(r.comment);
  return ` [pid ${r.processId}${comm ? ` ${comm[1]}` : ""}]`;
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
 * The direction word of --print-direction, padded like tcpdump's cooked lines ("In  IP ...",
 * "Out IP ..."); nothing when the direction is not known (a file without epb_flags).
 */
export function directionWord(direction: number | undefined): string {
  return direction === 2 ? "Out " : direction === 1 ? "In  " : "";
}

/**
 * tcpdump -n style lines on stdout, from one Decoder for the whole capture or file (relative TCP
 * numbers and -ttt need the packets before); a line allocates its text. With interfaces added
 * (`xskdump fleet`), each has a Decoder of its own and its lines start with its label.
 */
export function textOutput(options: TextOptions | number): Output {
  const opts = typeof options === "number" ? { snaplen: options } : options;
  const out = fileSink(Deno.stdout);
  const enc = new TextEncoder();
  const buf = new Uint8Array(1 << 16);
  const snaplen = opts.snaplen;
  const hex = opts.hex ?? { level: 0, ascii: false };
  const ascii = hex.level > 0 ? 0 : opts.ascii ?? 0;
  const number = opts.number === true;
  const eachPacket = opts.packetBuffered === true;
  const newDecoder = () =>
    new Decoder({
      link: opts.link === true,
      verbosity: opts.verbosity ?? 0,
      quiet: opts.quiet ?? 0,
      absoluteSeq: opts.absoluteSeq === true,
      timestamps: opts.timestamps,
      precision: opts.precision,
      // tcpdump leaves out its dumps of what it does not decode when -x/-X dump every packet.
      undecodedHex: hex.level === 0,
    });
  const decoder = newDecoder();
  /** Interfaces added: their decoders and labels, by id. */
  const interfaces: { decoder: Decoder; label: string }[] = [];
  let used = 0;
  let failed = false;
  const write = (bytes: Uint8Array) => {
    if (failed) return;
    try {
      out.write(bytes);
    } catch (e) {
      failed = true;
      throw writeFailure(e, "stdout");
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
  /** tcpdump's "%5u  " in front of the timestamp (-#). */
  const numbered = (n: number) => number ? `${String(n).padStart(5)}  ` : "";
  const showDirection = opts.direction === true;
  // Only the pid and command go on a line: no cgroup path to resolve.
  const labels = opts.process === true ? new ProcessLabels(() => undefined) : undefined;
  const lineOf = (
    data: Uint8Array,
    origLen: number,
    sec: number,
    nsec: number,
    n: number,
    direction: number | undefined,
    d = decoder,
    label = "",
    suffix = "",
  ) => {
    const time = d.timestamp(sec, nsec) + (showDirection ? directionWord(direction) : "");
    const text = d.describe(data, origLen);
    const dump = hex.level > 0
      ? hexDump(data, hex, dumpsWholeFrame(text, data, d.gaveUp))
      : ascii > 0
      ? asciiDump(data, ascii, dumpsWholeFrame(text, data, d.gaveUp))
      : "";
    return `${numbered(n)}${label}${time}${text}${suffix}${dump}\n`;
  };
  const o: Output & { packets: number; bytes: number } = {
    packets: 0,
    bytes: 0,
    filesOpened: 0,
    packetBuffered: eachPacket,
    add(src, off, len, sec, nsec, _queue, wireLen, direction, flags) {
      if (failed) return;
      o.packets++;
      o.bytes += wireLen;
      const data = src.subarray(off, off + Math.min(len, snaplen));
      const suffix = labels && flags ? labels.of(src, off, flags)?.suffix ?? "" : "";
      emit(lineOf(data, wireLen, sec, nsec, o.packets, direction, decoder, "", suffix));
    },
    addRecord(r) {
      if (failed) return;
      o.packets++;
      o.bytes += Math.max(r.origLen, r.caplen);
      const data = r.data.length > snaplen ? r.data.subarray(0, snaplen) : r.data;
      const iface = interfaces.length > 0 ? interfaces[r.interfaceId] : undefined;
      const d = iface?.decoder ?? decoder;
      const label = iface?.label ?? "";
      if (r.linktype !== LINKTYPE_ETHERNET) {
        emit(
          `${numbered(o.packets)}${label}${d.timestamp(r.sec, r.nsec)}[link-type ${
            linktypeName(r.linktype)
          } not decoded], length ${r.origLen}\n`,
        );
      } else {
        const direction = r.flags === undefined ? undefined : r.flags & 3;
        const suffix = labels ? recordProcessSuffix(r) : "";
        emit(lineOf(data, r.origLen, r.sec, r.nsec, o.packets, direction, d, label, suffix));
      }
      if (eachPacket) flush();
    },
    addInterface(i: OutputInterface) {
      return interfaces.push({ decoder: newDecoder(), label: i.label }) - 1;
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
