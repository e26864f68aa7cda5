/**
 * tcpdump's flags, the options of the default command, and what they become: a live capture
 * (`-i`), a file read (`-r`) or the compiled filter (`-d`). Each group of flags below adds its
 * commander options and reads them back into plain options side by side, so a new flag is one
 * `.option()` and one line in the same group. Every bad input becomes a UsageError (exit 2)
 * before anything is attached or written.
 * @module
 */
import { type Command, Option, type OptionValues } from "commander";
import { DEFAULT_FRAMES, MAX_QUEUES, type ModeName } from "../ffi/abi.ts";
import type { ProcessOptions } from "../lib/capture/session.ts";
import {
  TIMESTAMP_FORMATS,
  type TimestampFormat,
  type TimestampPrecision,
} from "../lib/decode/timestamp.ts";
import { filterFromFile } from "../lib/filter/expression.ts";
import { MAX_SNAPLEN } from "../lib/formats/magic.ts";
import { integer, interfaceName, UsageError } from "./command.ts";

/** How text lines look. */
export interface PrintArgs {
  /** -e: the link-level header. */
  link: boolean;
  /** -v (-vv and more are taken as -v). */
  verbose: boolean;
  /** -x/-xx (ascii false) or -X/-XX (ascii true): level 1 without the link header, 2 with. */
  hex: { level: number; ascii: boolean };
  /** -S: absolute TCP sequence numbers (default: relative, as tcpdump). */
  absoluteSeq: boolean;
  /** -t, -tt, -ttt, -tttt, -ttttt (default: the time of day). */
  timestamps: TimestampFormat;
  /** --nano/--micro/--time-stamp-precision: digits of the timestamps. */
  precision: TimestampPrecision;
  /** --print-direction: "In"/"Out" after the time, as tcpdump's cooked lines. */
  direction: boolean;
  /** --print-process: " [pid N comm]" at the end of each line with a known process. */
  process: boolean;
}

/** The format and rotation of -w. */
export interface WriteArgs {
  /** --format; undefined: by the file name (.pcapng), else pcap. */
  format?: "pcap" | "pcapng";
  /** -C, in bytes (the flag takes millions of bytes, as tcpdump's). */
  sizeLimit?: number;
  /** -G, seconds. */
  seconds?: number;
  /** -W. */
  maxFiles?: number;
}

/** Where packets go and how they look: the same for a capture and for `-r`. */
export interface OutputArgs {
  /** Output path, "-" for stdout, undefined for one text line per packet. */
  write?: string;
  /** -s: bytes kept per packet. */
  snaplen: number;
  /** How text lines look (-e, -v, -x/-X). */
  print: PrintArgs;
  /** -w's format and rotation (--format, -C, -G, -W). */
  output: WriteArgs;
}

/** What a capture and `-r` share. */
export interface PacketArgs extends OutputArgs {
  /** -c. */
  count?: number;
  /** tcpdump filter expression (trailing arguments or -F FILE); undefined keeps all. */
  expression?: string;
  /** --quiet: no live status or periodic statistics (-r: no "reading from" line). */
  quiet: boolean;
  /** --json: the summary (and periodic statistics) as JSON lines on stderr. */
  json: boolean;
}

/** A live capture. */
export interface CaptureArgs extends PacketArgs {
  kind: "capture";
  iface: string;
  /** RX queues: one, a list, or every queue of the interface; undefined: divert 0, tap all. */
  queues?: number[] | "all";
  mode: ModeName;
  /** --tap / --divert; "auto" when neither: by how the host uses the interface. */
  path: "tap" | "divert" | "auto";
  /** -Q: the directions (tap); undefined when not given. */
  direction?: "in" | "out" | "inout";
  durationMs?: number;
  /** UMEM frames (--frames), or undefined: as many as bufferKiB holds. */
  frames?: number;
  /** UMEM per queue in KiB (-B, tcpdump's "capture buffer size"); undefined: the default. */
  bufferKiB?: number;
  batch: number;
  /** Check every RX descriptor against the frame-ownership ledger. */
  guard: boolean;
  /** Stop with exit 3 on the first ring integrity violation. */
  strict: boolean;
  /** Switch the interface to one RX queue for the capture. */
  singleQueue: boolean;
  /** Capture the SSH session xskdump runs under too (no pass rule for it). */
  captureSsh: boolean;
  /** --stats-interval: periodic statistics on stderr, ms. */
  statsIntervalMs?: number;
  /**
   * --attribute, --pid, --pname, --cgroup, --container, --print-process: which process each
   * packet belongs to (tap), and which to capture; undefined when none is given.
   */
  process?: ProcessOptions;
  /** --stop-on-eof: stop when standard input ends (how `fleet` stops a remote capture). */
  stopOnEof: boolean;
  /**
   * Nothing on stderr unless it fails (no `listening on` line, no summary): what a Wireshark
   * extcap capture must be, since Wireshark shows any of it as an error. No flag sets it.
   */
  silent?: boolean;
}

/** `-r FILE`: read a pcap or pcapng file (no interface, no privileges). */
export interface ReadArgs extends PacketArgs {
  kind: "read";
  /** The file, "-" for stdin. */
  file: string;
}

/** `-d`: print the compiled filter like `tcpdump -d` and exit. */
export interface DumpArgs {
  kind: "dump";
  expression?: string;
  captureSsh: boolean;
  snaplen: number;
}

/** What the default command's flags ask for. */
export type CaptureCommandArgs = CaptureArgs | ReadArgs | DumpArgs;

/** A group of flags: the commander options it adds (in help order) and what they become. */
interface FlagGroup<T> {
  add(cmd: Command): Command;
  /** `o`: commander's values; `operands`: the arguments that are no option. */
  read(o: OptionValues, operands: string[]): T;
}

/** -i and -r: where packets come from. */
const source: FlagGroup<{ iface?: string; file?: string }> = {
  add: (cmd) =>
    cmd
      .option("-i, --interface <iface>", "interface to capture on")
      .option("-r, --read <file>", "read packets from a pcap or pcapng file ('-' for stdin)"),
  read: (o) => ({ iface: o.interface, file: o.read }),
};

/** -w, --format, -C, -G, -W: files instead of text lines. */
const output: FlagGroup<Pick<OutputArgs, "write" | "output">> = {
  add: (cmd) =>
    cmd
      .option(
        "-w, --write <file>",
        "write pcap or pcapng ('-' for stdout) instead of text lines; with -G a strftime pattern",
      )
      .addOption(
        new Option(
          "--format <format>",
          "file format of -w (default: pcapng for *.pcapng, else pcap)",
        ).choices(["pcap", "pcapng"]),
      )
      .option("-C <size>", "with -w: new file once one is larger than size million bytes", fileSize)
      .option(
        "-G <seconds>",
        "with -w: new file every this many seconds (-w may hold strftime conversions)",
        integer("-G", 1, 1e9),
      )
      .option(
        "-W <count>",
        "with -C: a ring of this many files; with -G: stop after this many",
        integer("-W", 1, 1e6),
      ),
  read: (o) => {
    const write = o.write as string | undefined;
    const w: WriteArgs = { format: o.format, sizeLimit: o.C, seconds: o.G, maxFiles: o.W };
    const rotating = w.sizeLimit !== undefined || w.seconds !== undefined;
    if (w.format !== undefined && write === undefined) {
      throw new UsageError("--format is the format of -w FILE: give -w too");
    }
    if ((rotating || w.maxFiles !== undefined) && (write === undefined || write === "-")) {
      throw new UsageError("-C, -G and -W rotate the file of -w: give -w FILE (not stdout)");
    }
    if (w.maxFiles !== undefined && !rotating) {
      throw new UsageError("-W limits the files of -C or -G: give one of them too");
    }
    return { write, output: w };
  },
};

/** -n, -e, -v, -S, -t, --nano, -x, -X: how text lines look. */
const print: FlagGroup<PrintArgs> = {
  add: (cmd) =>
    cmd
      .option("-n", "print numbers, not names (always so; accepted as in tcpdump)")
      .option("-e", "print the link-level header on each line")
      .option(
        "-v",
        "verbose lines: IP header fields, options, checksums (like tcpdump -v)",
        count,
        0,
      )
      .option(
        "-S, --absolute-tcp-sequence-numbers",
        "print absolute TCP sequence numbers (default: relative to each connection's first)",
      )
      .option(
        "-t",
        "timestamps: -t none, -tt seconds since 1970, -ttt since the previous packet, " +
          "-tttt date and time, -ttttt since the first packet",
        count,
        0,
      )
      .addOption(
        new Option("--time-stamp-precision <precision>", "timestamps in micro- or nanoseconds")
          .choices(["micro", "nano"]),
      )
      .option("--micro", "timestamps in microseconds (the default)")
      .option("--nano", "timestamps in nanoseconds")
      // The last of --micro, --nano and --time-stamp-precision wins, as in tcpdump: commander
      // handles options in command-line order, so both words set the precision's value too.
      .on("option:micro", () => cmd.setOptionValue("timeStampPrecision", "micro"))
      .on("option:nano", () => cmd.setOptionValue("timeStampPrecision", "nano"))
      .option(
        "--print-direction",
        "print In or Out after the time of each line (as tcpdump -i any)",
      )
      .option(
        "--print-process",
        "end each line with [pid N command], the packet's process (tap; -r: a pcapng's)",
      )
      .option("-x", "print each packet in hex, without (-xx: with) its link-level header", count, 0)
      .option(
        "-X",
        "print each packet in hex and ASCII, without (-XX: with) its link header",
        count,
        0,
      ),
  read: (o) => ({
    link: o.e === true,
    verbose: (o.v ?? 0) > 0,
    hex: (o.X ?? 0) > 0
      ? { level: Math.min(o.X, 2), ascii: true }
      : { level: Math.min(o.x ?? 0, 2), ascii: false },
    absoluteSeq: o.absoluteTcpSequenceNumbers === true,
    timestamps: timestampFormat(o.t ?? 0),
    precision: o.timeStampPrecision ?? "micro",
    direction: o.printDirection === true,
    process: o.printProcess === true,
  }),
};

/** --attribute, --pid, --pname, --cgroup, --container: which process (tap). */
const processes: FlagGroup<{ process?: ProcessOptions; attribute: boolean }> = {
  add: (cmd) =>
    cmd
      .option(
        "--attribute",
        "find each packet's process by its socket (tap; pcapng keeps it: pid, thread, " +
          "command, cgroup); implied by the options below and --print-process",
      )
      .option(
        "--pid <pid,...>",
        "capture only the packets of these processes (and the expression's)",
        pidList,
      )
      .option(
        "--pname <command>",
        "capture only the packets of processes with this command name (repeatable)",
        collect,
      )
      .option(
        "--cgroup <path>",
        "capture only the packets of processes in this cgroup (v2 path) or below (repeatable)",
        collect,
      )
      .option(
        "--container <id>",
        "capture only the packets of this container (its id, or its start; repeatable)",
        collect,
      ),
  read: (o) => {
    const p: ProcessOptions = {
      pids: o.pid,
      comms: o.pname,
      cgroups: o.cgroup,
      containers: o.container,
    };
    const attribute = o.attribute === true;
    const any = attribute || Object.values(p).some((v) => v !== undefined);
    for (const c of p.comms ?? []) {
      if (c === "") throw new UsageError("--pname needs a command name");
    }
    return { process: any ? p : undefined, attribute };
  },
};

/** --stats-interval, --quiet, --json: what goes to stderr. */
const status: FlagGroup<Pick<CaptureArgs, "statsIntervalMs" | "quiet" | "json">> = {
  add: (cmd) =>
    cmd
      .option(
        "--stats-interval <seconds>",
        "print statistics on stderr this often (JSON with --json)",
        statsInterval,
      )
      .option("--quiet", "no live status line and no periodic statistics")
      .option("--json", "the summary (and --stats-interval statistics) as JSON lines on stderr"),
  read: (o) => ({
    statsIntervalMs: o.statsInterval,
    quiet: o.quiet === true,
    json: o.json === true,
  }),
};

/** -c, --duration, --stop-on-eof, -s: how much is kept. */
const limits: FlagGroup<Pick<CaptureArgs, "count" | "durationMs" | "snaplen" | "stopOnEof">> = {
  add: (cmd) =>
    cmd
      .option("-c, --count <n>", "stop after n packets", integer("-c", 1, Number.MAX_SAFE_INTEGER))
      .option("--duration <seconds>", "stop after this many seconds", seconds)
      .option(
        "--stop-on-eof",
        "stop when standard input ends (over SSH: when the session closes; see fleet)",
      )
      .option(
        "-s, --snaplen <bytes>",
        `bytes kept per packet (0 = ${MAX_SNAPLEN})`,
        integer("-s", 0, MAX_SNAPLEN),
      ),
  read: (o) => ({
    count: o.count,
    durationMs: o.duration,
    snaplen: !o.snaplen ? MAX_SNAPLEN : o.snaplen,
    stopOnEof: o.stopOnEof === true,
  }),
};

/** --tap, --divert, -Q: the capture path and the directions. */
const path: FlagGroup<Pick<CaptureArgs, "path" | "direction">> = {
  add: (cmd) =>
    cmd
      .option(
        "--tap",
        "copy packets and let them go on to the host stack, both directions (default on an " +
          "interface with an address, or a bridge, bond or team port)",
      )
      .option(
        "--divert",
        "take packets with AF_XDP: fastest, but they do not reach the host stack (default on " +
          "an interface with no address: a capture port)",
      )
      .addOption(
        new Option("-Q, --direction <dir>", "directions to capture (tap): in, out or inout")
          .choices(["in", "out", "inout"]),
      ),
  read: (o) => {
    if (o.tap && o.divert) throw new UsageError("--tap and --divert: give one of them");
    if (o.divert && o.direction !== undefined && o.direction !== "in") {
      throw new UsageError(
        `-Q ${o.direction}: divert sees incoming packets only (the tap path sees both: --tap)`,
      );
    }
    return { path: o.tap ? "tap" : o.divert ? "divert" : "auto", direction: o.direction };
  },
};

type SocketArgs = Pick<
  CaptureArgs,
  "queues" | "mode" | "frames" | "bufferKiB" | "batch" | "guard" | "strict" | "singleQueue"
>;

/** -q, --mode, -B, --frames, ...: the queues, the sockets and their rings. */
const sockets: FlagGroup<SocketArgs> = {
  add: (cmd) =>
    cmd
      .option(
        "-q, --queue <n|list|all>",
        "RX queue(s) to capture: 0,2,3 or all (default: divert 0, tap all)",
        queueList,
      )
      .addOption(
        new Option("--mode <mode>", "XDP attach mode").choices(["auto", "native", "generic"])
          .default("auto"),
      )
      .option(
        "-B, --buffer-size <KiB>",
        `capture buffer in KiB: divert, the UMEM per queue (default ${DEFAULT_FRAMES} frames, ` +
          `shared among -q queues: ${DEFAULT_FRAMES * 2 >> 10} MiB, ` +
          `${DEFAULT_FRAMES * 4 >> 10} MiB with 4 KiB frames); tap, the ring buffer (32 MiB)`,
        integer("-B", 1024, 4 << 20),
      )
      .option(
        "--frames <n>",
        "UMEM frames (power of two; default: as many as -B holds)",
        powerOfTwo("--frames", 64, 1 << 20),
      )
      .option(
        "--single-queue",
        "set the interface to one RX queue while capturing (restored after)",
      )
      .option("--strict", "stop with exit code 3 on the first ring integrity violation")
      .option("--no-guard", "skip the ring integrity checks (for measuring their cost)")
      .addOption(
        new Option("--batch <n>", "descriptors per ring call (for measurements)")
          .argParser(integer("--batch", 1, 4096)).hideHelp(),
      ),
  read: (o) => ({
    queues: o.queue,
    mode: o.mode as ModeName,
    frames: o.frames,
    bufferKiB: o.bufferSize,
    batch: o.batch ?? 64,
    guard: o.guard !== false,
    strict: o.strict === true,
    singleQueue: o.singleQueue === true,
  }),
};

/** -F, -d, --capture-ssh and the trailing expression: what is kept. */
const filter: FlagGroup<{ expression?: string; captureSsh: boolean; dump: boolean }> = {
  add: (cmd) =>
    cmd
      .option("-F, --filter-file <file>", "read the filter expression from file ('#' comments)")
      .option("-d, --dump-filter", "print the compiled filter (cBPF, like tcpdump -d) and exit")
      .option("--capture-ssh", "capture the SSH session xskdump runs under too (see README)")
      .argument("[expression...]", "tcpdump filter expression, run in the kernel"),
  read: (o, operands) => ({
    expression: filterExpression(o.filterFile, operands),
    captureSsh: o.captureSsh === true,
    dump: o.dumpFilter === true,
  }),
};

const GROUPS: FlagGroup<unknown>[] = [
  source,
  output,
  print,
  status,
  limits,
  path,
  processes,
  sockets,
  filter,
];

/** Adds every flag of the default command to `cmd`, in help order. */
export function addFlags(cmd: Command): Command {
  return GROUPS.reduce((c, g) => g.add(c), cmd);
}

/** What the flags of a parsed default command ask for. */
export function readFlags(o: OptionValues, operands: string[]): CaptureCommandArgs {
  const { expression, captureSsh, dump } = filter.read(o, operands);
  const { count, durationMs, snaplen, stopOnEof } = limits.read(o, operands);
  if (dump) return { kind: "dump", expression, captureSsh, snaplen };
  const { write, output: w } = output.read(o, operands);
  const { statsIntervalMs, quiet, json } = status.read(o, operands);
  const packets: PacketArgs = {
    write,
    snaplen,
    print: print.read(o, operands),
    output: w,
    count,
    expression,
    quiet,
    json,
  };
  const { iface, file } = source.read(o, operands);
  if (file !== undefined) {
    if (file === "") throw new UsageError("-r needs a file name or '-'");
    if (iface !== undefined) {
      throw new UsageError("-r reads a file and -i captures from an interface: give one of them");
    }
    checkWrite(write);
    if (processes.read(o, operands).process) {
      throw new UsageError(
        "--attribute, --pid, --pname, --cgroup and --container act on a live capture (-i); -r " +
          "shows a pcapng's processes with --print-process",
      );
    }
    return { kind: "read", file, ...packets };
  }
  if (!iface) throw new UsageError("no interface given: use -i IFACE");
  interfaceName(iface);
  checkWrite(write);
  const route = path.read(o, operands);
  let { process } = processes.read(o, operands);
  if (packets.print.process) process ??= {};
  if (process && route.path === "divert") {
    throw new UsageError(
      "which process a packet belongs to is known on the tap path only: --divert takes packets " +
        "before any socket sees them",
    );
  }
  return {
    kind: "capture",
    iface,
    ...packets,
    ...route,
    ...sockets.read(o, operands),
    durationMs,
    stopOnEof,
    captureSsh,
    statsIntervalMs,
    process,
  };
}

function checkWrite(write: string | undefined): void {
  if (write === "") throw new UsageError("-w needs a file name or '-'");
}

/** -t counted: tcpdump knows up to five. */
function timestampFormat(n: number): TimestampFormat {
  const format = TIMESTAMP_FORMATS[n];
  if (format === undefined) {
    throw new UsageError("only -t, -tt, -ttt, -tttt and -ttttt are supported");
  }
  return format;
}

function queueList(v: string): number[] | "all" {
  if (v === "all") return "all";
  const one = integer("-q", 0, MAX_QUEUES - 1);
  const list = v.split(",").map((q) => one(q.trim()));
  if (new Set(list).size !== list.length) throw new UsageError(`-q lists a queue twice: '${v}'`);
  return list;
}

function seconds(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) {
    throw new UsageError(`--duration needs a positive number of seconds, got '${v}'`);
  }
  return Math.round(Number(v) * 1000);
}

function statsInterval(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) < 0.1) {
    throw new UsageError(`--stats-interval needs a number of seconds (0.1 or more), got '${v}'`);
  }
  return Math.round(Number(v) * 1000);
}

/** -C: millions of bytes, like tcpdump (fractions allowed), as bytes. */
function fileSize(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) * 1e6 < 1) {
    throw new UsageError(`-C needs a positive number of millions of bytes, got '${v}'`);
  }
  return Math.round(Number(v) * 1e6);
}

/** A flag that may be given more than once: every value, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** --pid 4321 or --pid 4321,4322 (repeatable): process ids. */
function pidList(value: string, previous: number[] | undefined): number[] {
  const one = integer("--pid", 1, 0x3fffffff);
  return [...(previous ?? []), ...value.split(",").map((p) => one(p.trim()))];
}

/** A flag that counts its repeats (-v, -x -x, -xx). */
function count(_value: unknown, previous: number): number {
  return previous + 1;
}

function powerOfTwo(flag: string, min: number, max: number) {
  const parse = integer(flag, min, max);
  return (v: string): number => {
    const n = parse(v);
    if (n & (n - 1)) throw new UsageError(`${flag} must be a power of two, got ${v}`);
    return n;
  };
}

/** The expression from -F FILE (which then must stand alone, as in tcpdump) or the arguments. */
function filterExpression(file: string | undefined, args: string[]): string | undefined {
  if (file === undefined) return args.length ? args.join(" ") : undefined;
  if (args.length) {
    throw new UsageError(
      `-F ${file} and a filter expression on the command line ('${args.join(" ")}'): ` +
        "give one or the other",
    );
  }
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    throw new UsageError(`-F ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return filterFromFile(text);
}
