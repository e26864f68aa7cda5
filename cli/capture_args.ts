/**
 * What the default command's flags ask for: a live capture (`-i`), a file read (`-r`), the
 * compiled filter (`-d`) or a list (`-D`, `-L`), as plain options. flags.ts makes them.
 * @module
 */
import type { ModeName } from "../ffi/abi.ts";
import type { ProcessOptions } from "../lib/capture/session.ts";
import type { TimestampFormat, TimestampPrecision } from "../lib/decode/timestamp.ts";

/** How text lines look. */
export interface PrintArgs {
  /** -e: the link-level header. */
  link: boolean;
  /** -v, -vv, -vvv: how many (0 without). */
  verbosity: number;
  /** -q (1), -qq (2): tcpdump's quick (quiet) lines; 0 without. */
  quiet: number;
  /** -x/-xx (ascii false) or -X/-XX (ascii true): level 1 without the link header, 2 with. */
  hex: { level: number; ascii: boolean };
  /** -A (1), -AA (2): the packet in ASCII, without or with its link header (-x/-X win). */
  ascii: number;
  /** -#: the packet's number at the start of its line. */
  number: boolean;
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
  /** --print: text lines on stdout even with -w. */
  printToo: boolean;
  /** -U: each packet out as soon as it is written or printed (a capture: each batch). */
  packetBuffered: boolean;
  /** -l: text lines out line by line (a capture: each batch). */
  lineBuffered: boolean;
  /** -s: bytes kept per packet. */
  snaplen: number;
  /** How text lines look (-e, -v, -q, -x/-X, -A, -#, -S, -t, --nano). */
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
  /** --quiet (not -q): no live status or periodic statistics (-r: no "reading from" line). */
  noStatus: boolean;
  /** --json: the summary (and periodic statistics) as JSON lines on stderr. */
  json: boolean;
  /** -Z: the user to become once the sockets (-r: the file) and the output are open. */
  user?: string;
}

/** A live capture. */
export interface CaptureArgs extends PacketArgs {
  kind: "capture";
  iface: string;
  /** RX queues (--queue): one, a list, or every queue; undefined: divert 0, tap all. */
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
  /** Divert: gather packets bigger than a frame; tap: frags programs (off: --no-multi-buffer). */
  multiBuffer: boolean;
  /** -j: whose clock gives the packets' times. */
  timeStampType: "host" | "adapter_unsynced";
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
  /** --count: print only how many packets (matched the filter), as tcpdump. */
  countOnly: boolean;
}

/** `-d`, `-dd`, `-ddd`: print the compiled filter like tcpdump and exit. */
export interface DumpArgs {
  kind: "dump";
  /** 1 (-d): tcpdump's listing, 2 (-dd): a C fragment, 3 (-ddd): decimal numbers. */
  level: number;
  expression?: string;
  captureSsh: boolean;
  snaplen: number;
}

/** `-D`: the interfaces, as tcpdump -D lists them, with what each can do with XDP. */
export interface ListInterfacesArgs {
  kind: "list-interfaces";
}

/** `-L -i IFACE`: the data link types of an interface, as tcpdump -L lists them. */
export interface ListLinkTypesArgs {
  kind: "list-linktypes";
  iface: string;
}

/** What the default command's flags ask for. */
export type CaptureCommandArgs =
  | CaptureArgs
  | ReadArgs
  | DumpArgs
  | ListInterfacesArgs
  | ListLinkTypesArgs;
