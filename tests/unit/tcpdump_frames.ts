/**
 * Crafted frames beside tcpdump: writes frames to a pcap, reads it back with `tcpdump -n -r`
 * (4.99) at some flags, and compares every record's text (after the timestamp, continuation lines
 * included) with the decoder's, strictly. For protocols the corpus holds few or none of.
 *
 * Also a script: `deno run -A tests/unit/tcpdump_frames.ts [-v] [-e] HEX...` prints both sides
 * of each frame given in hex (a trailing `/N` gives a longer wire length).
 *
 * @module
 */
import { hex, hexOf, type WireFrame, writeFrames } from "./helpers.ts";
import {
  afterTimestamp,
  type FileRecord,
  haveTcpdump499,
  tcpdumpRecords,
  xskdumpDecoder,
} from "./tcpdump_run.ts";

/** One crafted frame: its captured bytes and, when longer, its length on the wire. */
export interface Frame {
  data: Uint8Array;
  origLen?: number;
}

/** One frame whose text differs from tcpdump's. */
export interface FrameDifference {
  flags: string;
  frame: string;
  ours: string;
  theirs: string;
}

/** A frame with its wire length (at least its captured length). */
function wire(f: Frame): WireFrame {
  return { data: f.data, origLen: Math.max(f.origLen ?? 0, f.data.length) };
}

/** tcpdump's text (after the timestamp) of frames at these flags. */
function tcpdumpText(frames: Frame[], flags: string[]): string[] {
  const dir = Deno.makeTempDirSync({ prefix: "xskdump-frames-" });
  try {
    const path = `${dir}/frames.pcap`;
    writeFrames(path, frames.map(wire));
    return tcpdumpRecords(path, flags).map(afterTimestamp);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** tcpdump's and the decoder's text (after the timestamp) of frames at these flags. */
export function bothSides(frames: Frame[], flags: string[]): { ours: string[]; theirs: string[] } {
  const records: FileRecord[] = frames.map((f) => ({ ...wire(f), sec: 0, nsec: 0 }));
  const ours = xskdumpDecoder(records, flags).map(afterTimestamp);
  return { ours, theirs: tcpdumpText(frames, flags) };
}

/**
 * The frames whose text differs from tcpdump's at any of the flag sets (default: none, -v, -e,
 * -vv). An empty list means every frame's text is identical at every set.
 */
export function differences(
  frames: Frame[],
  flagSets: string[][] = [[], ["-v"], ["-e"], ["-vv"]],
): FrameDifference[] {
  const out: FrameDifference[] = [];
  for (const flags of flagSets) {
    const { ours, theirs } = bothSides(frames, flags);
    if (theirs.length !== frames.length) {
      out.push({
        flags: flags.join(" "),
        frame: `${frames.length} frames`,
        ours: "",
        theirs: `${theirs.length} records`,
      });
      continue;
    }
    frames.forEach((f, i) => {
      if (ours[i] !== theirs[i]) {
        out.push({
          flags: flags.join(" "),
          frame: hexOf(f.data),
          ours: ours[i],
          theirs: theirs[i],
        });
      }
    });
  }
  return out;
}

/**
 * The frames whose text with `-x` (or `-X`: `ascii`) differs from tcpdump's: the line the CLI
 * prints for them (no dumps of the decoder's own) and the dump after it, as the CLI makes it.
 */
export function hexDumpDifferences(frames: Frame[], ascii: boolean): FrameDifference[] {
  const flag = ascii ? "-X" : "-x";
  const { ours, theirs } = bothSides(frames, [flag]);
  const out: FrameDifference[] = [];
  frames.forEach((f, i) => {
    if (ours[i] !== theirs[i]) {
      out.push({ flags: flag, frame: hexOf(f.data), ours: ours[i], theirs: theirs[i] });
    }
  });
  return out;
}

/**
 * Registers Deno tests that hold crafted frames to tcpdump's text (named `${family}: ...`,
 * skipped with a note when tcpdump 4.99 is missing): `same` at these flag sets (default: none,
 * -v, -e), `sameCut` for truncated frames also with -x, since where a line ends at a cut tcpdump
 * dumps the whole frame when its printer gave up at a read and from the IP header when its own
 * check found the bytes missing, and so must we.
 */
export function tcpdumpSuite(family: string, file: string): {
  same: (name: string, fs: Frame[], flagSets?: string[][]) => void;
  sameCut: (name: string, fs: Frame[], flagSets?: string[][]) => void;
} {
  const have = haveTcpdump499();
  if (!have) console.log(`${file}: tcpdump 4.99 not found; skipped`);
  const same = (name: string, fs: Frame[], flagSets = [[], ["-v"], ["-e"]]) => {
    Deno.test({
      name: `${family}: ${name}`,
      ignore: !have,
      fn() {
        const d = differences(fs, flagSets);
        if (d.length !== 0) throw new Error(explain(d));
      },
    });
  };
  const sameCut = (name: string, fs: Frame[], flagSets = [[], ["-v"], ["-e"]]) =>
    same(name, fs, [...flagSets, ...flagSets.map((f) => [...f, "-x"])]);
  return { same, sameCut };
}

/** Where two texts first differ, from the start of that line, at most `n` characters each. */
function firstDifference(a: string, b: string, n = 400): [string, string] {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const line = Math.max(a.lastIndexOf("\n", i - 1), b.lastIndexOf("\n", i - 1)) + 1;
  const cut = (s: string) => (line > 0 ? "…" : "") + s.slice(line, line + n);
  return [cut(a), cut(b)];
}

/** A difference list as readable text (for an assertion's message): where each first differs. */
export function explain(diffs: FrameDifference[], max = 8): string {
  return diffs.slice(0, max).map((d) => {
    const [ours, theirs] = firstDifference(d.ours, d.theirs);
    return `[${d.flags}] ${d.frame}\n  ours:    ${ours.replaceAll("\n", "\n           ")}` +
      `\n  tcpdump: ${theirs.replaceAll("\n", "\n           ")}`;
  }).join("\n") + (diffs.length > max ? `\n... ${diffs.length - max} more` : "");
}

if (import.meta.main) {
  const flags = Deno.args.filter((a) => a.startsWith("-"));
  const frames = Deno.args.filter((a) => !a.startsWith("-")).map((a) => {
    const [h, wire] = a.split("/");
    return { data: hex(h), origLen: wire ? Number(wire) : undefined };
  });
  const { ours, theirs } = bothSides(frames, flags);
  frames.forEach((_, i) => {
    const same = ours[i] === theirs[i] ? "same" : "DIFF";
    console.log(`#${i + 1} ${same}\n  ours:    ${ours[i]}\n  tcpdump: ${theirs[i]}`);
  });
}
