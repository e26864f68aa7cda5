/**
 * The decode row of `make bench` (issue 19): the text decoder's cost as a user meets it,
 * `xskdump -n -r FILE > /dev/null` beside `tcpdump -n -r FILE > /dev/null` on the same file, the
 * merged corpus repeated (every protocol the corpus holds, about 300 000 records), in packets per
 * second of wall time and of CPU time (user + system: GNU time). Each runs alone on the capturer's
 * CPU, the best of three runs (the fastest is the least disturbed). Startup is in the figures, as
 * a user pays it: Deno's is about 0.1 s of CPU.
 * @module
 */
import { mergedCorpus, run } from "../testbed/mod.ts";
import { onCpu, RX_CPU } from "./host.ts";

/** One tool's decode figures. */
export interface DecodeResult {
  tool: "xskdump" | "tcpdump";
  command: string;
  packets: number;
  /** Wall seconds of each run, in order. */
  runs: number[];
  /** The fastest run: wall seconds, CPU seconds (user + system). */
  wallSeconds: number;
  cpuSeconds: number;
  /** Packets over the fastest run's wall and CPU time. */
  pps: number;
  cpuPps: number;
}

const RUNS = 3;

/** The merged corpus `times` times over in one pcap file in `dir`: its path and packet count. */
export async function repeatedCorpus(
  dir: string,
  times: number,
): Promise<{ path: string; packets: number }> {
  const corpus = await mergedCorpus();
  const bytes = await Deno.readFile(corpus.path);
  const header = bytes.subarray(0, 24); // pcap: records follow the 24-byte file header
  const records = bytes.subarray(24);
  const path = `${dir}/decode-corpus-x${times}.pcap`;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    await file.write(header);
    for (let i = 0; i < times; i++) {
      for (let off = 0; off < records.length;) off += await file.write(records.subarray(off));
    }
  } finally {
    file.close();
  }
  return { path, packets: corpus.frames * times };
}

/** GNU time's "%e %U %S" (wall, user, system seconds) from the last line of stderr. */
export function parseTime(stderr: string): { wall: number; cpu: number } {
  const m = /(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(stderr);
  if (!m) throw new Error(`no timing in: ${stderr.slice(-300)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
}

/** `cmd` on the capturer's CPU with its stdout to /dev/null, timed by GNU time. */
async function timed(cmd: string[]): Promise<{ wall: number; cpu: number }> {
  const quoted = cmd.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const r = await run(
    onCpu(RX_CPU, ["sh", "-c", `/usr/bin/time -f '%e %U %S' ${quoted} >/dev/null`]),
  );
  if (r.code !== 0) throw new Error(`${cmd.join(" ")} exited ${r.code}: ${r.stderr.slice(-300)}`);
  return parseTime(r.stderr);
}

/** Decodes `file` (`packets` records) with xskdump and tcpdump, RUNS times each. */
export async function decodeRow(
  xskdump: string,
  file: { path: string; packets: number },
): Promise<DecodeResult[]> {
  const tools: [DecodeResult["tool"], string[]][] = [
    ["xskdump", [xskdump, "-n", "-r", file.path]],
    ["tcpdump", ["tcpdump", "-n", "-r", file.path]],
  ];
  const results: DecodeResult[] = [];
  for (const [tool, cmd] of tools) {
    const times: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await timed(cmd));
    const best = times.reduce((a, b) => (b.wall < a.wall ? b : a));
    results.push({
      tool,
      command: `${cmd.join(" ")} > /dev/null`,
      packets: file.packets,
      runs: times.map((t) => t.wall),
      wallSeconds: best.wall,
      cpuSeconds: best.cpu,
      pps: Math.round(file.packets / Math.max(best.wall, 0.001)),
      cpuPps: Math.round(file.packets / Math.max(best.cpu, 0.001)),
    });
  }
  return results;
}

/** The decode table, with xskdump's rate as a share of tcpdump's. */
export function printDecode(results: DecodeResult[]): void {
  if (results.length === 0) return;
  console.log(
    `\n== decode: -n -r of the corpus repeated (${results[0].packets} packets) > /dev/null`,
  );
  for (const r of results) {
    console.log(
      `${r.tool.padEnd(8)} ${(r.pps / 1000).toFixed(0).padStart(6)} kpps wall ` +
        `(${r.wallSeconds.toFixed(2)} s), ${(r.cpuPps / 1000).toFixed(0).padStart(6)} kpps CPU ` +
        `(${r.cpuSeconds.toFixed(2)} s)`,
    );
  }
  const x = results.find((r) => r.tool === "xskdump");
  const t = results.find((r) => r.tool === "tcpdump");
  if (x && t) {
    console.log(
      `xskdump / tcpdump: ${(x.pps / t.pps).toFixed(2)} of its rate (wall), ` +
        `${(x.cpuPps / t.cpuPps).toFixed(2)} (CPU)`,
    );
  }
}
