/**
 * Command-line parsing: tcpdump's flags for a capture, turned into plain
 * options. Every bad input becomes a UsageError (exit 2) before anything is
 * attached or written.
 * @module
 */
import { Command, CommanderError, Option } from "commander";
import meta from "../deno.json" with { type: "json" };
import { DEFAULT_FRAMES, MAX_QUEUES, type ModeName } from "../ffi/abi.ts";
import {
  TIMESTAMP_FORMATS,
  type TimestampFormat,
  type TimestampPrecision,
} from "../lib/decode/timestamp.ts";
import { filterFromFile } from "../lib/filter/expression.ts";
import { MAX_SNAPLEN } from "../lib/formats/magic.ts";

/** tcpdump's default and maximum snapshot length. */
export { MAX_SNAPLEN };

/** A mistake in the command line: one line to print, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What the user asked for. */
export interface CaptureArgs {
  kind: "capture";
  iface: string;
  /** RX queues: one, a list, or every queue of the interface. */
  queues: number[] | "all";
  mode: ModeName;
  /** Output path, "-" for stdout, undefined for one text line per packet. */
  write?: string;
  count?: number;
  durationMs?: number;
  snaplen: number;
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
  /** tcpdump filter expression (trailing arguments or -F FILE); undefined captures all. */
  expression?: string;
  /** Capture the SSH session xskdump runs under too (no pass rule for it). */
  captureSsh: boolean;
  /** How text lines look (-e, -v, -x/-X). */
  print: PrintArgs;
  /** -w's format and rotation (--format, -C, -G, -W). */
  output: WriteArgs;
  /** --stats-interval: periodic statistics on stderr, ms. */
  statsIntervalMs?: number;
  /** --quiet: no live status or periodic statistics. */
  quiet: boolean;
  /** --json: the summary (and periodic statistics) as JSON lines on stderr. */
  json: boolean;
}

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

/** `-r FILE`: read a pcap or pcapng file (no interface, no privileges). */
export interface ReadArgs {
  kind: "read";
  /** The file, "-" for stdin. */
  file: string;
  /** -w: convert into this file ("-" = stdout) instead of printing lines. */
  write?: string;
  count?: number;
  snaplen: number;
  /** A tcpdump filter expression, run by libpcap on each packet read. */
  expression?: string;
  print: PrintArgs;
  output: WriteArgs;
  quiet: boolean;
  json: boolean;
}

/** `-d`: print the compiled filter like `tcpdump -d` and exit. */
export interface DumpArgs {
  kind: "dump";
  expression?: string;
  captureSsh: boolean;
  snaplen: number;
}

/** `xskdump restore [-i IFACE]`: undo channel changes a killed xskdump left. */
export interface RestoreArgs {
  kind: "restore";
  iface?: string;
}

/** `xskdump doctor [-i IFACE] [--json]`: preflight checks. */
export interface DoctorArgs {
  kind: "doctor";
  iface?: string;
  json: boolean;
}

/** --help or --version: print and exit 0. */
export interface InfoArgs {
  kind: "info";
  text: string;
}

function integer(flag: string, min: number, max: number) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new UsageError(`${flag} needs a whole number, got '${v}'`);
    const n = Number(v);
    if (n < min || n > max) throw new UsageError(`${flag} must be in ${min}..${max}, got ${v}`);
    return n;
  };
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

function buildProgram(out: { text: string }): Command {
  const program = new Command("xskdump")
    .description("Capture packets with AF_XDP, tcpdump style.")
    .usage(
      "-i IFACE [options]\n       xskdump restore [-i IFACE]\n       xskdump doctor [-i IFACE] [--json]",
    )
    .version(`xskdump ${meta.version}`, "--version", "print the version and exit")
    .helpOption("-h, --help", "print this help and exit")
    .option("-i, --interface <iface>", "interface to capture on")
    .option(
      "-w, --write <file>",
      "write pcap or pcapng ('-' for stdout) instead of text lines; with -G a strftime pattern",
    )
    .option("-r, --read <file>", "read packets from a pcap or pcapng file ('-' for stdin)")
    .addOption(
      new Option("--format <format>", "file format of -w (default: pcapng for *.pcapng, else pcap)")
        .choices(["pcap", "pcapng"]),
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
    )
    .option("-n", "print numbers, not names (always so; accepted as in tcpdump)")
    .option("-e", "print the link-level header on each line")
    .option("-v", "verbose lines: IP header fields, options, checksums (like tcpdump -v)", count, 0)
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
    .option("-x", "print each packet in hex, without (-xx: with) its link-level header", count, 0)
    .option(
      "-X",
      "print each packet in hex and ASCII, without (-XX: with) its link header",
      count,
      0,
    )
    .option(
      "--stats-interval <seconds>",
      "print statistics on stderr this often (JSON with --json)",
      statsInterval,
    )
    .option("--quiet", "no live status line and no periodic statistics")
    .option("--json", "the summary (and --stats-interval statistics) as JSON lines on stderr")
    .option("-c, --count <n>", "stop after n packets", integer("-c", 1, Number.MAX_SAFE_INTEGER))
    .option("--duration <seconds>", "stop after this many seconds", seconds)
    .option(
      "-s, --snaplen <bytes>",
      `bytes kept per packet (0 = ${MAX_SNAPLEN})`,
      integer("-s", 0, MAX_SNAPLEN),
    )
    .option(
      "-q, --queue <n|list|all>",
      "RX queue(s) to capture: 0 (default), 0,2,3, or all",
      queueList,
    )
    .addOption(
      new Option("--mode <mode>", "XDP attach mode").choices(["auto", "native", "generic"])
        .default("auto"),
    )
    .option(
      "-B, --buffer-size <KiB>",
      `capture buffer (UMEM) per queue in KiB (default ${DEFAULT_FRAMES} frames, shared ` +
        `among -q queues: ${DEFAULT_FRAMES * 2 >> 10} MiB, ${DEFAULT_FRAMES * 4 >> 10} MiB with ` +
        "4 KiB frames)",
      integer("-B", 1024, 4 << 20),
    )
    .option(
      "--frames <n>",
      "UMEM frames (power of two; default: as many as -B holds)",
      powerOfTwo("--frames", 64, 1 << 20),
    )
    .option("--single-queue", "set the interface to one RX queue while capturing (restored after)")
    .option("--strict", "stop with exit code 3 on the first ring integrity violation")
    .option("--no-guard", "skip the ring integrity checks (for measuring their cost)")
    .option("-F, --filter-file <file>", "read the filter expression from file ('#' comments)")
    .option("-d, --dump-filter", "print the compiled filter (cBPF, like tcpdump -d) and exit")
    .option("--capture-ssh", "capture the SSH session xskdump runs under too (see README)")
    .addOption(
      new Option("--batch <n>", "descriptors per ring call").argParser(
        integer("--batch", 1, 4096),
      ).hideHelp(),
    )
    .argument("[expression...]", "tcpdump filter expression, run in the kernel")
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.text += s,
      writeErr: (s) => out.text += s,
      outputError: () => {},
    });
  return program;
}

function checkIface(iface: string | undefined): void {
  if (iface !== undefined && !/^[^\s/:]{1,15}$/.test(iface)) {
    throw new UsageError(`'${iface}' is not a valid interface name`);
  }
}

/** Runs commander; --help/--version come back as text. */
function run(program: Command, argv: string[], out: { text: string }): InfoArgs | undefined {
  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return { kind: "info", text: out.text };
      throw new UsageError(e.message.replace(/^error: /, ""));
    }
    throw e;
  }
}

function subcommand(name: string, description: string, out: { text: string }): Command {
  return new Command(`xskdump ${name}`)
    .description(description)
    .helpOption("-h, --help", "print this help and exit")
    .option("-i, --interface <iface>", "only this interface")
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.text += s,
      writeErr: (s) => out.text += s,
      outputError: () => {},
    });
}

/** Parses argv (without the program name). Throws UsageError on bad input. */
export function parseArgs(
  argv: string[],
): CaptureArgs | InfoArgs | RestoreArgs | DoctorArgs | DumpArgs | ReadArgs {
  const out = { text: "" };
  if (argv[0] === "restore") {
    const cmd = subcommand(
      "restore",
      "Put back interface channel counts that a killed xskdump left changed.",
      out,
    );
    const info = run(cmd, argv.slice(1), out);
    if (info) return info;
    checkIface(cmd.opts().interface);
    return { kind: "restore", iface: cmd.opts().interface };
  }
  if (argv[0] === "doctor") {
    const cmd = subcommand("doctor", "Check whether this host can capture with xskdump.", out)
      .option("--json", "one JSON object for scripts");
    const info = run(cmd, argv.slice(1), out);
    if (info) return info;
    checkIface(cmd.opts().interface);
    return { kind: "doctor", iface: cmd.opts().interface, json: cmd.opts().json === true };
  }
  const program = buildProgram(out);
  const info = run(program, argv, out);
  if (info) return info;
  const o = program.opts();
  const expression = filterExpression(o.filterFile, program.args);
  const snaplen = !o.snaplen ? MAX_SNAPLEN : o.snaplen;
  const captureSsh = o.captureSsh === true;
  if (o.dumpFilter) return { kind: "dump", expression, captureSsh, snaplen };
  const print: PrintArgs = {
    link: o.e === true,
    verbose: (o.v ?? 0) > 0,
    hex: (o.X ?? 0) > 0
      ? { level: Math.min(o.X, 2), ascii: true }
      : { level: Math.min(o.x ?? 0, 2), ascii: false },
    absoluteSeq: o.absoluteTcpSequenceNumbers === true,
    timestamps: timestampFormat(o.t ?? 0),
    precision: timestampPrecision(o, argv),
  };
  const output = writeArgs(o);
  if (o.read !== undefined) {
    if (o.read === "") throw new UsageError("-r needs a file name or '-'");
    if (o.interface !== undefined) {
      throw new UsageError("-r reads a file and -i captures from an interface: give one of them");
    }
    if (o.write === "") throw new UsageError("-w needs a file name or '-'");
    return {
      kind: "read",
      file: o.read,
      write: o.write,
      count: o.count,
      snaplen,
      expression,
      print,
      output,
      quiet: o.quiet === true,
      json: o.json === true,
    };
  }
  if (!o.interface) throw new UsageError("no interface given: use -i IFACE");
  checkIface(o.interface);
  if (o.write === "") throw new UsageError("-w needs a file name or '-'");
  return {
    kind: "capture",
    iface: o.interface,
    queues: o.queue ?? [0],
    mode: o.mode as ModeName,
    write: o.write,
    count: o.count,
    durationMs: o.duration,
    snaplen,
    frames: o.frames,
    bufferKiB: o.bufferSize,
    batch: o.batch ?? 64,
    guard: o.guard !== false,
    strict: o.strict === true,
    singleQueue: o.singleQueue === true,
    expression,
    captureSsh,
    print,
    output,
    statsIntervalMs: o.statsInterval,
    quiet: o.quiet === true,
    json: o.json === true,
  };
}

/** -t counted: tcpdump knows up to five. */
function timestampFormat(n: number): TimestampFormat {
  const format = TIMESTAMP_FORMATS[n];
  if (format === undefined) {
    throw new UsageError("only -t, -tt, -ttt, -tttt and -ttttt are supported");
  }
  return format;
}

/** --micro, --nano and --time-stamp-precision: the last given wins, as in tcpdump. */
function timestampPrecision(o: Record<string, unknown>, argv: string[]): TimestampPrecision {
  let precision: TimestampPrecision = "micro";
  for (const a of argv) {
    if (a === "--") break;
    if (a === "--micro") precision = "micro";
    else if (a === "--nano") precision = "nano";
    else if (a === "--time-stamp-precision" || a.startsWith("--time-stamp-precision=")) {
      precision = o.timeStampPrecision as TimestampPrecision;
    }
  }
  return precision;
}

/** --format, -C, -G, -W, checked against -w. */
function writeArgs(o: Record<string, unknown>): WriteArgs {
  const write = o.write as string | undefined;
  const w: WriteArgs = {
    format: o.format as WriteArgs["format"],
    sizeLimit: o.C as number | undefined,
    seconds: o.G as number | undefined,
    maxFiles: o.W as number | undefined,
  };
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
  return w;
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
