/**
 * Capture files as the tests see them: the tcpdump corpus merged into one pcap to replay, a tiny
 * classic-pcap reader independent of lib/ (the ground truth a capture is compared with), the
 * whole records of a file a capture may have left cut (lib's readers, which stop at the cut),
 * the first difference between two frame lists, and a pcap writer for crafted frames.
 * @module
 */
import { captureRecords } from "../lib/formats/capture_file.ts";
import { run } from "./netns.ts";
import { writeFrames } from "./pcap_file.ts";

export interface Frame {
  sec: number;
  /** Sub-second part in nanoseconds, whatever the file's precision. */
  nsec: number;
  caplen: number;
  origLen: number;
  data: Uint8Array;
}

// ---------------------------------------------------------------------------
// Corpus

export interface Corpus {
  path: string;
  frames: number;
  files: number;
  maxFrameLen: number;
}

let corpusPromise: Promise<Corpus> | undefined;

/** The corpus of real captures: XSKDUMP_CORPUS, else shared/ beside the checkout. */
export function corpusDir(): string {
  const override = Deno.env.get("XSKDUMP_CORPUS");
  if (override) return override;
  // The repository is checked out beside shared/ (work/main next to work/shared).
  return new URL("../../shared/corpus/tcpdump/", import.meta.url).pathname;
}

/**
 * The whole corpus as one classic pcap (files concatenated in name order), built once per
 * process in a temp dir; mergecap also converts the pcapng and big-endian members.
 *
 * Facts for the default corpus (206 files): 6120 frames, 25..1514 bytes, every one with
 * caplen == wire length. 1514 is exactly what a veth with the default MTU of 1500 carries
 * (VLAN-tagged frames may even be 4 bytes longer), and tcpreplay reports all 6120 sent and
 * 0 failed. So the expected capture is the whole file, in order; tests still assert
 * sent == frames and failed == 0, since tcpreplay's counts cannot say WHICH frames failed.
 */
export function mergedCorpus(dir: string = corpusDir()): Promise<Corpus> {
  corpusPromise ??= (async () => {
    const files: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /\.(pcap|pcapng|cap)$/.test(e.name)) files.push(e.name);
    }
    // Code-unit order, the same as `LC_ALL=C ls`.
    files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (files.length === 0) throw new Error(`no capture files in ${dir}`);
    const tmp = await Deno.makeTempDir({ prefix: "xskt-corpus-" });
    removeAtExit(tmp);
    const path = `${tmp}/corpus.pcap`;
    await run(["mergecap", "-a", "-F", "pcap", "-w", path, ...files.map((f) => `${dir}/${f}`)], {
      check: true,
    });
    const frames = framesOf(path);
    return {
      path,
      frames: frames.length,
      files: files.length,
      maxFrameLen: frames.reduce((m, f) => Math.max(m, f.origLen), 0),
    };
  })();
  return corpusPromise;
}

/** Removes a temporary directory when this process exits (temp files left are harmless). */
export function removeAtExit(dir: string): void {
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // A temp dir left behind is harmless.
    }
  });
}

// ---------------------------------------------------------------------------
// Reading captures

/** All frames of a classic pcap file (µs or ns timestamps, either byte order). */
export function framesOf(pcapPath: string): Frame[] {
  const bytes = Deno.readFileSync(pcapPath);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24) throw new Error(`${pcapPath}: ${bytes.length} bytes, no pcap header`);
  const magicLE = view.getUint32(0, true);
  const magicBE = view.getUint32(0, false);
  let le: boolean;
  let nsScale: number;
  if (magicLE === 0xa1b2c3d4 || magicBE === 0xa1b2c3d4) {
    le = magicLE === 0xa1b2c3d4;
    nsScale = 1000;
  } else if (magicLE === 0xa1b23c4d || magicBE === 0xa1b23c4d) {
    le = magicLE === 0xa1b23c4d;
    nsScale = 1;
  } else {
    throw new Error(`${pcapPath}: not a classic pcap (magic 0x${magicBE.toString(16)})`);
  }
  const frames: Frame[] = [];
  let at = 24;
  while (at < bytes.length) {
    if (at + 16 > bytes.length) throw new Error(`${pcapPath}: truncated record header at ${at}`);
    const caplen = view.getUint32(at + 8, le);
    if (at + 16 + caplen > bytes.length) {
      throw new Error(`${pcapPath}: truncated record (${caplen} bytes) at ${at}`);
    }
    frames.push({
      sec: view.getUint32(at, le),
      nsec: view.getUint32(at + 4, le) * nsScale,
      caplen,
      origLen: view.getUint32(at + 12, le),
      data: bytes.subarray(at + 16, at + 16 + caplen),
    });
    at += 16 + caplen;
  }
  return frames;
}

/** What a capture file holds up to its last complete record, and whether a cut one follows. */
export interface WholeRecords {
  frames: Frame[];
  /** The reader's complaint about the bytes after the last complete record, if any. */
  tail?: string;
}

/**
 * The records of a pcap or pcapng file (or of its bytes) up to its last complete one, read
 * with lib/formats: what a capture that was killed, or whose reader went away, left behind.
 */
export function wholeRecords(file: string | Uint8Array): WholeRecords {
  const frames: Frame[] = [];
  try {
    const bytes = typeof file === "string" ? Deno.readFileSync(file) : file;
    for (const r of captureRecords(bytes)) {
      frames.push({ sec: r.sec, nsec: r.nsec, caplen: r.caplen, origLen: r.origLen, data: r.data });
    }
  } catch (e) {
    return { frames, tail: e instanceof Error ? e.message : String(e) };
  }
  return { frames };
}

/** Polls until the capture file at `path` holds at least `n` complete records. */
export async function waitForRecords(path: string, n: number, timeoutMs: number): Promise<number> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const got = wholeRecords(path).frames.length;
    if (got >= n) return got;
    if (performance.now() > end) {
      throw new Error(`${path} holds ${got} records, not ${n}, after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 25)); // polling a growing file, with a deadline
  }
}

function hexPrefix(b: Uint8Array | undefined, n = 32): string {
  if (!b) return "(none)";
  const hex = Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex}${b.length > n ? "..." : ""} (${b.length} bytes)`;
}

/**
 * Describes the first difference between two frame lists (count, bytes, or wire length),
 * or returns undefined when they match byte for byte and in order.
 */
export function firstMismatch(
  expected: readonly Pick<Frame, "data" | "origLen">[],
  actual: readonly Pick<Frame, "data" | "origLen">[],
): string | undefined {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (!e || !a || !bytesEqual(e.data, a.data) || e.origLen !== a.origLen) {
      return `frame ${i} of ${expected.length} expected / ${actual.length} captured differs\n` +
        `  expected: ${hexPrefix(e?.data)} wire ${e?.origLen}\n` +
        `  captured: ${hexPrefix(a?.data)} wire ${a?.origLen}`;
    }
  }
  return undefined;
}

/** The same bytes, in the same order. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A frame's bytes as a key: frames from several queues interleave, so compare multisets. */
export const frameKey = (f: { data: Uint8Array }): string => f.data.join(",");

/** Whole frames of known bytes, as a capture of them would read (wire length = length). */
export function asFrames(datas: readonly Uint8Array[]): Frame[] {
  return datas.map((data) => ({
    sec: 0,
    nsec: 0,
    caplen: data.length,
    origLen: data.length,
    data,
  }));
}

/** Writes whole frames as a pcap, 1 ms apart: crafted traffic to replay. */
export function writePcap(path: string, frames: readonly Uint8Array[]): void {
  writeFrames(path, asFrames(frames), 1_700_000_000, 1_000_000);
}
