/**
 * The default command's flags, group by group: each group makes its commander options and reads
 * them back into plain options side by side, so a new flag is one option and one line in the same
 * group. Each value's check is in flag_values.ts; what the groups become together, and the rules
 * across them, in flags.ts.
 * @module
 */
import { Option, type OptionValues } from "commander";
import { DEFAULT_FRAMES, type ModeName } from "../ffi/abi.ts";
import type { ProcessOptions } from "../lib/capture/session.ts";
import { MAX_SNAPLEN } from "../lib/formats/magic.ts";
import type { CaptureArgs, OutputArgs, PrintArgs, WriteArgs } from "./capture_args.ts";
import { integer, UsageError } from "./command.ts";
import {
  collect,
  counted,
  fileSize,
  filterExpression,
  linkType,
  pidList,
  powerOfTwo,
  queueList,
  seconds,
  statsInterval,
  timestampFormat,
  userName,
} from "./flag_values.ts";
import { isStdout } from "./paths.ts";

/** A group of flags: its commander options and what they become. */
export interface FlagGroup<T> {
  /** Its options (--help orders them by help_order.ts). */
  options(): Option[];
  /** `o`: commander's values; `operands`: the arguments that are no option. */
  read(o: OptionValues, operands: string[]): T;
}

/** -i, -r, -I, -p, -y, -D, -L: where packets come from, and the lists of what there is. */
export const source: FlagGroup<
  { iface?: string; file?: string; listInterfaces: boolean; listLinkTypes: boolean }
> = {
  options: () => [
    new Option("-i, --interface <iface>", "interface to capture on (a name, or its number in -D)"),
    new Option("-r, --read <file>", "read packets from a pcap or pcapng file ('-' for stdin)"),
    new Option("-D, --list-interfaces", "list the interfaces (with their XDP support) and exit"),
    new Option("-L, --list-data-link-types", "list the data link types of -i IFACE and exit"),
    new Option("-y, --linktype <type>", "data link type: EN10MB, the only one (see -L)")
      .argParser(linkType),
    new Option("-I, --monitor-mode", "monitor mode: refused, XDP sees no 802.11 headers"),
    new Option("-p, --no-promiscuous-mode", "accepted: xskdump never turns promiscuous mode on"),
    new Option("--immediate-mode", "accepted: each packet is read as soon as it arrives"),
  ],
  read: (o) => {
    if (o.monitorMode === true) {
      throw new UsageError(
        "-I: monitor mode is for 802.11 radio headers, and XDP sees frames only after the " +
          "driver made them Ethernet: xskdump cannot capture in monitor mode",
      );
    }
    return {
      iface: o.interface,
      file: o.read,
      listInterfaces: o.listInterfaces === true,
      listLinkTypes: o.listDataLinkTypes === true,
    };
  },
};

/** -w, --print, -U, -l, --count, --format, -C, -G, -W: files, and what goes to stdout. */
export const output: FlagGroup<
  Pick<OutputArgs, "write" | "output" | "printToo" | "packetBuffered" | "lineBuffered"> & {
    countOnly: boolean;
  }
> = {
  options: () => [
    new Option(
      "-w, --write <file>",
      "write pcap or pcapng ('-' for stdout) instead of text lines; with -G a strftime pattern",
    ),
    new Option("--print", "with -w: print the text lines on stdout too"),
    new Option(
      "-U, --packet-buffered",
      "each packet out as soon as it is written or printed (a capture: each batch)",
    ),
    new Option("-l", "stdout line buffered (a capture: each batch of lines as it is read)"),
    new Option("--count", "with -r: print only how many packets there are (that match)"),
    new Option("--format <format>", "file format of -w (default: pcapng for *.pcapng, else pcap)")
      .choices(["pcap", "pcapng"]),
    new Option("-C <size>", "with -w: new file once one is larger than size million bytes")
      .argParser(fileSize),
    new Option(
      "-G <seconds>",
      "with -w: new file every this many seconds (-w may hold strftime conversions)",
    ).argParser(integer("-G", 1, 1e9)),
    new Option("-W <count>", "with -C: a ring of this many files; with -G: stop after this many")
      .argParser(integer("-W", 1, 1e6)),
  ],
  read: (o) => {
    const write = o.write as string | undefined;
    const w: WriteArgs = { format: o.format, sizeLimit: o.C, seconds: o.G, maxFiles: o.W };
    const rotating = w.sizeLimit !== undefined || w.seconds !== undefined;
    if (w.format !== undefined && write === undefined) {
      throw new UsageError("--format is the format of -w FILE: give -w too");
    }
    if ((rotating || w.maxFiles !== undefined) && (write === undefined || isStdout(write))) {
      throw new UsageError("-C, -G and -W rotate the file of -w: give -w FILE (not stdout)");
    }
    if (w.maxFiles !== undefined && !rotating) {
      throw new UsageError("-W limits the files of -C or -G: give one of them too");
    }
    const printToo = o.print === true;
    const countOnly = o.count === true;
    if (write !== undefined && isStdout(write) && (printToo || countOnly)) {
      throw new UsageError(
        `${printToo ? "--print" : "--count"} and -w ${write} would both write to stdout: ` +
          "give -w a file",
      );
    }
    return {
      write,
      output: w,
      printToo,
      packetBuffered: o.packetBuffered === true,
      lineBuffered: o.l === true,
      countOnly,
    };
  },
};

/** -n, -N, -f, -e, -v, -q, -S, -t, --nano, -#, -x, -X, -A: how text lines look. */
export const print: FlagGroup<PrintArgs> = {
  options: () => [
    new Option("-n", "print numbers, not names (always so; accepted as in tcpdump)"),
    new Option("-N", "names without their domain (xskdump prints no names; accepted)"),
    new Option("-f", "foreign IPv4 addresses as numbers (all are; accepted)"),
    new Option("-e", "print the link-level header on each line"),
    counted("-v", "verbose lines: -v header fields, options, checksums; -vv, -vvv more"),
    counted("-q", "quick (quiet) lines: less protocol information, as tcpdump -q (-qq: less)"),
    new Option(
      "-S, --absolute-tcp-sequence-numbers",
      "print absolute TCP sequence numbers (default: relative to each connection's first)",
    ),
    counted(
      "-t",
      "timestamps: -t none, -tt seconds since 1970, -ttt since the previous packet, " +
        "-tttt date and time, -ttttt since the first packet",
    ),
    new Option("--time-stamp-precision <precision>", "timestamps in micro- or nanoseconds")
      .choices(["micro", "nano"]),
    new Option("--micro", "timestamps in microseconds (the default)"),
    new Option("--nano", "timestamps in nanoseconds"),
    new Option(
      "--print-direction",
      "print In or Out after the time of each line (as tcpdump -i any)",
    ),
    new Option(
      "--print-process",
      "end each line with [pid N command], the packet's process (tap; -r: a pcapng's)",
    ),
    new Option("-#, --number", "print each packet's number at the start of its line"),
    counted("-x", "print each packet in hex, without (-xx: with) its link-level header"),
    counted("-X", "print each packet in hex and ASCII, without (-XX: with) its link header"),
    counted("-A", "print each packet in ASCII, without (-AA: with) its link-level header"),
  ],
  read: (o) => ({
    link: o.e === true,
    verbosity: o.v ?? 0,
    quiet: o.q ?? 0,
    hex: (o.X ?? 0) > 0
      ? { level: Math.min(o.X, 2), ascii: true }
      : { level: Math.min(o.x ?? 0, 2), ascii: false },
    ascii: Math.min(o.A ?? 0, 2),
    number: o.number === true,
    absoluteSeq: o.absoluteTcpSequenceNumbers === true,
    timestamps: timestampFormat(o.t ?? 0),
    precision: o.timeStampPrecision ?? "micro",
    direction: o.printDirection === true,
    process: o.printProcess === true,
  }),
};

/** -Z: whom to become. */
export const privileges: FlagGroup<{ user?: string }> = {
  options: () => [
    new Option(
      "-Z, --relinquish-privileges <user>",
      "as root: become user once the sockets and the output are open",
    ).argParser(userName),
  ],
  read: (o) => ({ user: o.relinquishPrivileges }),
};

/** --stats-interval, --quiet, --json: what goes to stderr. */
export const status: FlagGroup<Pick<CaptureArgs, "statsIntervalMs" | "noStatus" | "json">> = {
  options: () => [
    new Option(
      "--stats-interval <seconds>",
      "print statistics on stderr this often (JSON with --json)",
    ).argParser(statsInterval),
    new Option("--quiet", "no live status line and no periodic statistics (not -q)"),
    new Option("--json", "the summary (and --stats-interval statistics) as JSON lines on stderr"),
  ],
  read: (o) => ({
    statsIntervalMs: o.statsInterval,
    noStatus: o.quiet === true,
    json: o.json === true,
  }),
};

/** -c, --duration, --stop-on-eof, -s: how much is kept. */
export const limits: FlagGroup<
  Pick<CaptureArgs, "count" | "durationMs" | "snaplen" | "stopOnEof">
> = {
  options: () => [
    new Option("-c <count>", "stop after count packets")
      .argParser(integer("-c", 1, Number.MAX_SAFE_INTEGER)),
    new Option("--duration <seconds>", "stop after this many seconds").argParser(seconds),
    new Option(
      "--stop-on-eof",
      "stop when standard input ends (over SSH: when the session closes; see fleet)",
    ),
    new Option("-s, --snapshot-length <bytes>", `bytes kept per packet (0 = ${MAX_SNAPLEN})`)
      .argParser(integer("-s", 0, MAX_SNAPLEN)),
  ],
  read: (o) => ({
    count: o.c,
    durationMs: o.duration,
    snaplen: !o.snapshotLength ? MAX_SNAPLEN : o.snapshotLength,
    stopOnEof: o.stopOnEof === true,
  }),
};

/** --tap, --divert, -Q: the capture path and the directions. */
export const path: FlagGroup<Pick<CaptureArgs, "path" | "direction">> = {
  options: () => [
    new Option(
      "--tap",
      "copy packets and let them go on to the host stack, both directions (default on an " +
        "interface with an address, or a bridge, bond or team port)",
    ),
    new Option(
      "--divert",
      "take packets with AF_XDP: fastest, but they do not reach the host stack (default on " +
        "an interface with no address: a capture port)",
    ),
    new Option("-Q, --direction <dir>", "directions to capture (tap): in, out or inout")
      .choices(["in", "out", "inout"]),
  ],
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
  | "queues"
  | "mode"
  | "frames"
  | "bufferKiB"
  | "batch"
  | "guard"
  | "multiBuffer"
  | "timeStampType"
  | "strict"
  | "singleQueue"
>;

/** --queue, --mode, -B, --frames, ...: the queues, the sockets and their rings. */
export const sockets: FlagGroup<SocketArgs> = {
  options: () => [
    new Option(
      "-B, --buffer-size <KiB>",
      `capture buffer in KiB: divert, the UMEM per queue (default ${DEFAULT_FRAMES} frames, ` +
        `shared among the queues: ${DEFAULT_FRAMES * 2 >> 10} MiB, ` +
        `${DEFAULT_FRAMES * 4 >> 10} MiB with 4 KiB frames); tap, the ring buffer (32 MiB)`,
    ).argParser(integer("-B", 1024, 4 << 20)),
    new Option(
      "--queue <n|list|all>",
      "RX queue(s) to capture: 0,2,3 or all (default: divert 0, tap all)",
    ).argParser(queueList),
    new Option("--mode <mode>", "XDP attach mode").choices(["auto", "native", "generic"])
      .default("auto"),
    new Option("--frames <n>", "UMEM frames (power of two; default: as many as -B holds)")
      .argParser(powerOfTwo("--frames", 64, 1 << 20)),
    new Option(
      "--single-queue",
      "set the interface to one RX queue while capturing (restored after)",
    ),
    new Option("--strict", "stop with exit code 3 on the first ring integrity violation"),
    new Option("--no-guard", "skip the ring integrity checks (for measuring their cost)"),
    new Option(
      "-j, --time-stamp-type <type>",
      "host, or adapter_unsynced: the NIC's RX timestamps (divert, native, where the " +
        "driver gives them in its XDP metadata)",
    ).choices(["host", "adapter_unsynced"]).default("host"),
    new Option(
      "--no-multi-buffer",
      "divert: no XDP_USE_SG, packets bigger than a frame are dropped as before Linux 6.6; " +
        "tap: XDP programs without frags support (also XSKDUMP_MULTI_BUFFER=off)",
    ),
    new Option("--batch <n>", "descriptors per ring call (for measurements)")
      .argParser(integer("--batch", 1, 4096)).hideHelp(),
  ],
  read: (o) => ({
    queues: o.queue,
    mode: o.mode as ModeName,
    frames: o.frames,
    bufferKiB: o.bufferSize,
    batch: o.batch ?? 64,
    guard: o.guard !== false,
    multiBuffer: o.multiBuffer !== false,
    timeStampType: o.timeStampType as "host" | "adapter_unsynced",
    strict: o.strict === true,
    singleQueue: o.singleQueue === true,
  }),
};

/** -F, -d, --capture-ssh and the trailing expression: what is kept. */
export const filter: FlagGroup<{ expression?: string; captureSsh: boolean; dump: number }> = {
  options: () => [
    new Option("-F, --filter-file <file>", "read the filter expression from file ('#' comments)"),
    counted(
      "-d, --dump-filter",
      "print the compiled filter (cBPF) like tcpdump -d and exit (-dd: as C, -ddd: decimal)",
    ),
    new Option("--capture-ssh", "capture the SSH session xskdump runs under too (see README)"),
  ],
  read: (o, operands) => ({
    expression: filterExpression(o.filterFile, operands),
    captureSsh: o.captureSsh === true,
    dump: Math.min(o.dumpFilter ?? 0, 3),
  }),
};

/** --attribute, --pid, --pname, --cgroup, --container: which process (tap). */
export const processes: FlagGroup<{ process?: ProcessOptions }> = {
  options: () => [
    new Option(
      "--attribute",
      "find each packet's process by its socket (tap; pcapng keeps it: pid, thread, command, " +
        "cgroup); implied by the options below and --print-process",
    ),
    new Option(
      "--pid <pid,...>",
      "capture only the packets of these processes (and the expression's)",
    ).argParser(pidList),
    new Option(
      "--pname <command>",
      "capture only the packets of processes with this command name (repeatable)",
    ).argParser(collect),
    new Option(
      "--cgroup <path>",
      "capture only the packets of processes in this cgroup (v2 path) or below (repeatable)",
    ).argParser(collect),
    new Option(
      "--container <id>",
      "capture only the packets of this container (its id, or its start; repeatable)",
    ).argParser(collect),
  ],
  read: (o) => {
    const p: ProcessOptions = {
      pids: o.pid,
      comms: o.pname,
      cgroups: o.cgroup,
      containers: o.container,
    };
    const any = o.attribute === true || Object.values(p).some((v) => v !== undefined);
    for (const c of p.comms ?? []) {
      if (c === "") throw new UsageError("--pname needs a command name");
    }
    return { process: any ? p : undefined };
  },
};
