/**
 * What the unit tests share: a seeded PRNG, a sink that keeps what a writer wrote, a UMEM-like
 * source of bytes, the corpus's files, and whether a peer tool is at hand.
 * @module
 */
import { GUARD_KINDS } from "../../lib/capture/integrity.ts";
import type { CaptureStats } from "../../lib/capture/session.ts";
import type { ByteSink } from "../../lib/formats/pcap.ts";
import { concat } from "../../lib/formats/bytecopy.ts";
import { captureRecords } from "../../lib/formats/capture_file.ts";
import { bytesEqual, corpusDir } from "../../testbed/pcap.ts";
import { pcapFile, type WireFrame, writeFrames } from "../../testbed/pcap_file.ts";

export { bytesEqual, concat, pcapFile, type WireFrame, writeFrames };

/** The corpus of real captures (XSKDUMP_CORPUS, else shared/ beside the checkout). */
export const CORPUS: string = corpusDir();

/** A small deterministic PRNG (LCG), so random tests are reproducible. */
/** A capture's integrity counts with no violation of any kind. */
export function noViolations(): CaptureStats["integrity"] {
  return Object.fromEntries(GUARD_KINDS.map((k) => [k, 0])) as CaptureStats["integrity"];
}

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/** Keeps a copy of every chunk, as a file would. */
export class CollectSink implements ByteSink {
  chunks: Uint8Array[] = [];
  write(chunk: Uint8Array): void {
    this.chunks.push(chunk.slice());
  }
  /** The first `upTo` chunks (all by default) as one array. */
  bytes(upTo = this.chunks.length): Uint8Array {
    return concat(this.chunks.slice(0, upTo));
  }
}

/**
 * A UMEM-like source: random bytes, with signalling-NaN float64 patterns at every alignment
 * (a copy through float64 values would silently change them).
 */
export function sourceBuffer(size: number, seed: number): Uint8Array {
  const rnd = prng(seed);
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = Math.floor(rnd() * 256);
  for (let i = 0; i + 8 <= size; i += 61) b.set([1, 2, 3, 4, 5, 6, 0xf4, 0xff], i);
  for (let i = size >> 1; i + 8 <= size; i += 8) b.set([1, 0, 0, 0, 0, 0, 0xf0, 0x7f], i);
  return b;
}

/** The corpus's capture files whose names match (all of them by default), in name order. */
export function corpusFiles(names = /\.(pcap|pcapng|cap)$/): string[] {
  try {
    return [...Deno.readDirSync(CORPUS)].map((e) => e.name).filter((n) => names.test(n))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch {
    return [];
  }
}

/** The first line a command prints for `--version`, or null when it cannot be run. */
export function versionOf(cmd: string): string | null {
  try {
    const out = new Deno.Command(cmd, { args: ["--version"], stdout: "piped", stderr: "null" })
      .outputSync();
    return new TextDecoder().decode(out.stdout).split("\n")[0];
  } catch {
    return null;
  }
}

/** Whether a command runs at all (with args that make it print and exit). */
export function haveTool(name: string, args: string[] = ["--version"]): boolean {
  try {
    new Deno.Command(name, { args, stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to its end and returns its stdout; throws with its stderr if it failed. */
export function runSync(cmd: string, args: string[]): string {
  const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr);
    throw new Error(`${cmd} ${args.join(" ")} failed: ${err}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Runs fn with a new temporary directory, always removed afterwards. */
export function withTempDirSync(prefix: string, fn: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix });
  try {
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** tshark's per-frame fields, tab-separated, one row per frame. */
export function tsharkFields(path: string, fields: string[], extra: string[] = []): string[][] {
  const out = runSync("tshark", [
    ...["-r", path, ...extra, "-T", "fields"],
    ...fields.flatMap((f) => ["-e", f]),
  ]);
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

/** A time as tshark's frame.time_epoch prints it (nanoseconds). */
export function epoch(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, "0")}`;
}

/** Seeds of the random tests; set XSKDUMP_FUZZ_SEED to explore further. */
export const SEED = Number(Deno.env.get("XSKDUMP_FUZZ_SEED") ?? 1);

/** Bytes from hex digits (anything else, like spaces, is skipped). */
export function hex(s: string): Uint8Array {
  const h = s.replace(/[^0-9a-fA-F]/g, "");
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

/** Bytes as hex digits. */
export function hexOf(d: Uint8Array): string {
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every Ethernet frame of the corpus's pcap files (truncated captures included). */
export function corpusFrames(): WireFrame[] {
  const out: WireFrame[] = [];
  for (const name of corpusFiles(/\.pcap$/)) {
    try {
      for (const r of captureRecords(Deno.readFileSync(`${CORPUS}/${name}`))) {
        if (r.linktype === 1 && r.caplen > 0) out.push({ data: r.data, origLen: r.origLen });
      }
    } catch {
      // A damaged corpus file: its good frames are in.
    }
  }
  return out;
}

/** The corpus frames whose (outer) ethertype the one-line decoder handles. */
export function decodableFrames(): WireFrame[] {
  return corpusFrames().filter((f) => {
    const t = f.data.length >= 14 ? (f.data[12] << 8) | f.data[13] : 0;
    return [0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8].includes(t);
  });
}

/** A record a writer test adds: `len` bytes of the source at `off`, its time, its queue. */
export interface Expected {
  off: number;
  len: number;
  sec: number;
  nsec: number;
  queue?: number;
}

/** A capture's drop counts: the ones given, the rest 0. */
export function drops(over: Partial<CaptureStats["dropped"]> = {}): CaptureStats["dropped"] {
  return {
    total: 0,
    ringBufferFull: 0,
    rxDropped: 0,
    noFreeFrame: 0,
    tooBig: 0,
    rxRingFull: 0,
    rxInvalid: 0,
    ...over,
  };
}

/** A capture's counters, made up: the ones given, the rest plausible (two queues). */
export function captureStats(over: Partial<CaptureStats> = {}): CaptureStats {
  return {
    path: "divert",
    captured: 1500,
    seen: 1600,
    received: 1550,
    passed: 40,
    filtered: 10,
    dropped: drops({ total: 50, rxDropped: 20, noFreeFrame: 20, rxRingFull: 30 }),
    fillRingEmpty: 3,
    notKept: 0,
    userHeld: 64,
    noMeta: 0,
    noHwTimestamp: 0,
    longestGapMs: 0,
    integrity: noViolations(),
    queues: [{ queue: 0, captured: 1000, dropped: 50 }, { queue: 1, captured: 500, dropped: 0 }],
    ...over,
  };
}

/**
 * tcpdump -tt's text per frame of a file whose frame i has the time i + 1 seconds (as the
 * harnesses write them, so a line is matched to its frame whatever tcpdump prints): the time
 * removed, continuation lines joined with "\n", empty ones too (a text may end in a newline, as
 * SOME/IP's does). `count` is how many frames the file holds; a frame tcpdump printed nothing
 * for has "" (`printed` says how many it printed, in order).
 */
export function ttTexts(stdout: string, count: number): { texts: string[]; printed: number } {
  const texts: string[] = new Array(count).fill("");
  let cur = -1;
  const lines = stdout.split("\n");
  lines.pop(); // the text after the last newline is not a line
  for (const l of lines) {
    const m = /^(\d+)\.\d{6} /.exec(l);
    if (m && Number(m[1]) === cur + 2) {
      cur++;
      texts[cur] = l.slice(m[0].length);
    } else if (cur >= 0) texts[cur] += "\n" + l;
  }
  return { texts, printed: cur + 1 };
}
