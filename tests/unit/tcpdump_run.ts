/**
 * The two sides of the differential tests, record by record: `tcpdump -n -r FILE [flags]` (4.99)
 * and xskdump's decoder on a capture file's records, each record's whole text (its line and,
 * for the flags that print them, its continuation lines); where the corpus is, the flag sets
 * measured, and the timestamp cut both sides share ("HH:MM:SS.frac " or tcpdump's
 * "[Error converting time] ").
 *
 * @module
 */
import { Decoder, type DecoderOptions, TIMESTAMP_FORMATS } from "../../lib/decode/decode.ts";
import { dumpsWholeFrame, hexDump, type HexOptions } from "../../lib/decode/hexdump.ts";
import { captureRecords } from "../../lib/formats/capture_file.ts";

export const CORPUS = Deno.env.get("XSKDUMP_CORPUS") ??
  new URL("../../../shared/corpus/tcpdump/", import.meta.url).pathname;

/** The flag sets the issue measures, as tcpdump takes them (xskdump takes the same). */
export const FLAG_SETS: Record<string, string[]> = {
  default: [],
  "-v": ["-v"],
  "-e": ["-e"],
  "-S": ["-S"],
};

/** Every capture file of the corpus, sorted. */
export function corpusFiles(dir = CORPUS): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name)
      .filter((n) => /\.(pcap|pcapng)$/.test(n)).sort()
      .map((n) => `${dir.replace(/\/$/, "")}/${n}`);
  } catch {
    return [];
  }
}

/** tcpdump's version line, or null when it cannot be run. */
export function tcpdumpVersion(): string | null {
  try {
    const out = new Deno.Command("tcpdump", {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return new TextDecoder().decode(out.stdout).split("\n")[0];
  } catch {
    return null;
  }
}

/** Whether the tcpdump here is the 4.99 series the decoder follows. */
export function haveTcpdump499(): boolean {
  return tcpdumpVersion()?.startsWith("tcpdump version 4.99.") === true;
}

const TIME = /^(\d\d:\d\d:\d\d\.\d+|\[Error converting time\]) /;

/**
 * tcpdump's text per record of a file: a record starts with its timestamp (the default format),
 * continuation lines (which start with white space or a tab, or are empty) are joined to it
 * with "\n". tcpdump
 * runs in this process's time zone (TZ), as the decoder does.
 */
export function tcpdumpRecords(path: string, flags: string[]): string[] {
  const out = new Deno.Command("tcpdump", {
    args: ["-n", ...flags, "-r", path],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const records: string[] = [];
  const text = new TextDecoder().decode(out.stdout);
  const lines = text.split("\n");
  // The text after the last newline is not a line.
  lines.pop();
  for (const l of lines) {
    if (TIME.test(l)) records.push(l);
    // An empty line is a record's text ending in a newline (some printers end so): kept.
    else if (records.length > 0) records[records.length - 1] += "\n" + l;
  }
  return records;
}

/** A record's text after its timestamp (the same cut on both sides). */
export function afterTimestamp(record: string): string {
  const m = TIME.exec(record);
  return m ? record.slice(m[0].length) : record;
}

/** A record's timestamp ("" when it has none). */
export function timestampOf(record: string): string {
  return TIME.exec(record)?.[1] ?? "";
}

/** One record as read from a file. */
export interface FileRecord {
  data: Uint8Array;
  origLen: number;
  sec: number;
  nsec: number;
}

/** Every record of a capture file (pcap or pcapng), up to the first error. */
export function fileRecords(path: string): FileRecord[] {
  const out: FileRecord[] = [];
  try {
    for (const r of captureRecords(Deno.readFileSync(path))) out.push(r);
  } catch {
    // A truncated file: tcpdump stops at the same record.
  }
  return out;
}

/**
 * xskdump's text for every record of a file with these tcpdump flags (-v, -e and -S), as
 * `xskdump -n -r FILE` prints it.
 */
export type FileDecoder = (records: FileRecord[], flags: string[]) => string[];

/** How often a one-letter flag is given (`-v -v`, `-vv`). */
function flagCount(flags: string[], letter: string): number {
  return flags.reduce((n, f) => n + (new RegExp(`^-${letter}+$`).test(f) ? f.length - 1 : 0), 0);
}

/** The decoder options of tcpdump flags: -e, -v (to -vvv), -q, -S, -t to -ttttt, --nano. */
export function decoderOptions(flags: string[]): DecoderOptions {
  const t = flags.find((f) => /^-t+$/.test(f));
  return {
    link: flags.includes("-e"),
    verbose: flagCount(flags, "v") > 0,
    verbosity: flagCount(flags, "v"),
    quiet: flagCount(flags, "q"),
    absoluteSeq: flags.includes("-S"),
    timestamps: t === undefined ? "time" : TIMESTAMP_FORMATS[t.length - 1],
    precision: flags.includes("--nano") ? "nano" : "micro",
    // tcpdump dumps nothing of its own (an unknown payload) when it dumps every packet.
    undecodedHex: hexOptions(flags) === null,
  };
}

/** The hex dump of -x, -xx, -X or -XX, or null. */
function hexOptions(flags: string[]): HexOptions | null {
  const x = flags.find((f) => /^-(x+|X+)$/.test(f));
  return x === undefined ? null : { level: Math.min(2, x.length - 1), ascii: x[1] === "X" };
}

/** The decoder as the CLI runs it: one {@link Decoder} per file, and the hex dump it adds. */
export const xskdumpDecoder: FileDecoder = (records, flags) => {
  const decoder = new Decoder(decoderOptions(flags));
  const hex = hexOptions(flags);
  return records.map((r) => {
    const line = decoder.line(r.sec, r.nsec, r.data, r.origLen);
    if (hex === null) return line;
    return line + hexDump(r.data, hex, dumpsWholeFrame(line, r.data, decoder.gaveUp));
  });
};
