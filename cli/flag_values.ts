/**
 * The values of the default command's flags, each checked by one parser that commander calls
 * (or the reading of the flags, for -F and -w): a bad one is a UsageError that names its flag.
 * @module
 */
import { Option } from "commander";
import { MAX_QUEUES } from "../ffi/abi.ts";
import { TIMESTAMP_FORMATS, type TimestampFormat } from "../lib/decode/timestamp.ts";
import { filterFromFile } from "../lib/filter/expression.ts";
import { integer, UsageError } from "./command.ts";
import { readTextSync } from "./paths.ts";

/** A flag that counts its repeats (-v, -vv, -x -x). */
export function counted(flags: string, description: string): Option {
  return new Option(flags, description).argParser(count).default(0);
}

/** A flag that may be given more than once: every value, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** --pid 4321 or --pid 4321,4322 (repeatable): process ids. */
export function pidList(value: string, previous: number[] | undefined): number[] {
  const one = integer("--pid", 1, 0x3fffffff);
  return [...(previous ?? []), ...value.split(",").map((p) => one(p.trim()))];
}

export function checkWrite(write: string | undefined): void {
  if (write === "") throw new UsageError("-w needs a file name or '-'");
}

/** -y: the data link types xskdump captures: Ethernet only (pcap's names, any case). */
export function linkType(v: string): string {
  if (v.toUpperCase() === "EN10MB") return "EN10MB";
  throw new UsageError(
    `-y ${v}: AF_XDP delivers Ethernet frames, so the one data link type is EN10MB (see -L)`,
  );
}

/** -Z: a user name as getpwnam takes it (looked up when it is used). */
export function userName(v: string): string {
  if (!/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/.test(v) || v.length > 256) {
    throw new UsageError(`-Z needs a user name, got '${v}'`);
  }
  return v;
}

/** -t counted: tcpdump knows up to five. */
export function timestampFormat(n: number): TimestampFormat {
  const format = TIMESTAMP_FORMATS[n];
  if (format === undefined) {
    throw new UsageError("only -t, -tt, -ttt, -tttt and -ttttt are supported");
  }
  return format;
}

export function queueList(v: string): number[] | "all" {
  if (v === "all") return "all";
  const one = integer("--queue", 0, MAX_QUEUES - 1);
  const list = v.split(",").map((q) => one(q.trim()));
  if (new Set(list).size !== list.length) {
    throw new UsageError(`--queue lists a queue twice: '${v}'`);
  }
  return list;
}

export function seconds(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) {
    throw new UsageError(`--duration needs a positive number of seconds, got '${v}'`);
  }
  return Math.round(Number(v) * 1000);
}

export function statsInterval(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) < 0.1) {
    throw new UsageError(`--stats-interval needs a number of seconds (0.1 or more), got '${v}'`);
  }
  return Math.round(Number(v) * 1000);
}

/** -C: millions of bytes, like tcpdump (fractions allowed), as bytes. */
export function fileSize(v: string): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) * 1e6 < 1) {
    throw new UsageError(`-C needs a positive number of millions of bytes, got '${v}'`);
  }
  return Math.round(Number(v) * 1e6);
}

/** A flag that counts its repeats (-v, -x -x, -xx). */
function count(_value: unknown, previous: number): number {
  return previous + 1;
}

export function powerOfTwo(flag: string, min: number, max: number) {
  const parse = integer(flag, min, max);
  return (v: string): number => {
    const n = parse(v);
    if (n & (n - 1)) throw new UsageError(`${flag} must be a power of two, got ${v}`);
    return n;
  };
}

/** The expression from -F FILE (which then must stand alone, as in tcpdump) or the arguments. */
export function filterExpression(file: string | undefined, args: string[]): string | undefined {
  if (file === undefined) return args.length ? args.join(" ") : undefined;
  if (args.length) {
    throw new UsageError(
      `-F ${file} and a filter expression on the command line ('${args.join(" ")}'): ` +
        "give one or the other",
    );
  }
  let text: string;
  try {
    text = readTextSync(file);
  } catch (e) {
    throw new UsageError(`-F ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return filterFromFile(text);
}
