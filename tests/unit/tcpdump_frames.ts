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
import { PcapWriter } from "../../lib/formats/pcap.ts";
import { afterTimestamp, type FileRecord, tcpdumpRecords, xskdumpDecoder } from "./tcpdump_diff.ts";

/** One crafted frame: its captured bytes and, when longer, its length on the wire. */
export interface Frame {
  data: Uint8Array;
  origLen?: number;
}

/** Bytes from hex text; anything but hex digits (spaces, dots) is ignored. */
export function hex(s: string): Uint8Array {
  const h = s.replace(/[^0-9a-fA-F]/g, "");
  const b = new Uint8Array(h.length >> 1);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

/** Hex text of bytes. */
export function hexOf(d: Uint8Array): string {
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** An Ethernet frame from hex: destination, source, type or length, payload. */
export function ethFrame(dst: string, src: string, type: number, payload: string): Uint8Array {
  return hex(dst + src + type.toString(16).padStart(4, "0") + payload);
}

/**
 * An 802.3 frame: the length field counts the payload (hex), padded to 60 bytes as on the wire
 * unless `pad` is false.
 */
export function dot3Frame(dst: string, src: string, payload: string, pad = true): Uint8Array {
  const body = hex(payload);
  const f = ethFrame(dst, src, body.length, payload);
  if (!pad || f.length >= 60) return f;
  const out = new Uint8Array(60);
  out.set(f);
  return out;
}

function writeAll(file: Deno.FsFile, chunk: Uint8Array): void {
  let off = 0;
  while (off < chunk.length) off += file.writeSync(chunk.subarray(off));
}

/** Writes frames to a pcap file (timestamps 0), with their wire lengths. */
export function writeFrames(path: string, frames: Frame[]): void {
  const file = Deno.openSync(path, { write: true, create: true, truncate: true });
  try {
    const w = new PcapWriter({ write: (c) => writeAll(file, c) });
    for (const f of frames) w.add(f.data, 0, f.data.length, 0, 0);
    w.close();
  } finally {
    file.close();
  }
  // The writer records the captured length as the wire length; patch in the longer ones.
  const bytes = Deno.readFileSync(path);
  const v = new DataView(bytes.buffer);
  let off = 24;
  for (const f of frames) {
    v.setUint32(off + 12, Math.max(f.origLen ?? 0, f.data.length), true);
    off += 16 + f.data.length;
  }
  Deno.writeFileSync(path, bytes);
}

/** One frame whose text differs from tcpdump's. */
export interface FrameDifference {
  flags: string;
  frame: string;
  ours: string;
  theirs: string;
}

/** tcpdump's and the decoder's text (after the timestamp) of frames at these flags. */
export function bothSides(frames: Frame[], flags: string[]): { ours: string[]; theirs: string[] } {
  const dir = Deno.makeTempDirSync({ prefix: "xskdump-frames-" });
  try {
    const path = `${dir}/frames.pcap`;
    writeFrames(path, frames);
    const theirs = tcpdumpRecords(path, flags).map(afterTimestamp);
    const records: FileRecord[] = frames.map((f) => ({
      data: f.data,
      origLen: Math.max(f.origLen ?? 0, f.data.length),
      sec: 0,
      nsec: 0,
    }));
    const ours = xskdumpDecoder(records, flags).map(afterTimestamp);
    return { ours, theirs };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
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

/** A difference list as readable text (for an assertion's message). */
export function explain(diffs: FrameDifference[], max = 8): string {
  return diffs.slice(0, max).map((d) =>
    `[${d.flags}] ${d.frame}\n  ours:    ${d.ours.replaceAll("\n", "\n           ")}\n  tcpdump: ${
      d.theirs.replaceAll("\n", "\n           ")
    }`
  ).join("\n") + (diffs.length > max ? `\n... ${diffs.length - max} more` : "");
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
