/**
 * `make bench`: xskdump beside its peers and the C limit, on the same traffic, in one run.
 *
 * A veth pair joins two network namespaces made here (and always removed). xdp_gen (XDP live
 * frames, bench/xdp_gen.c) or trafgen sends from the sender namespace on CPU 0; each capture
 * tool in turn listens on the receiving end, alone on CPU 1. For every (traffic profile,
 * generator) the same set of tools runs for the same bounded time (bench/catalog.ts lists them:
 * the XDP drop sink, the C limit, xskdump to /dev/null, tmpfs and disk, on 1 and on 4 RX queues,
 * tcpdump, xdpdump). Then a rate sweep (xdp_gen -r) finds the highest offered rate each tool
 * keeps without loss, the pairs phase runs each tap row with process attribution beside the
 * same tap without, in rounds of adjacent trials, and a soak run samples xskdump's RSS over
 * time. The TCP row (profile tcp-gro) runs a bounded TCP transfer instead, on a veth pair of its
 * own, and reports what each tool's file holds of the stream. First of all, the decode row times
 * the text decoder beside tcpdump's (`-n -r` of the corpus to /dev/null). Results:
 * bench/results/<stamp>.json, tables on stdout and bench/results/<stamp>.png.
 *
 * This file runs the phases and the trials; host.ts is the host (pinning, counters, veth,
 * generators), run_tools.ts the tools, parse.ts what they print, report.ts the results,
 * decode.ts the decode row.
 *
 * Environment (bench/README.md): BENCH_ROWS (a subset: TOOLS[:PROFILES[:GENERATORS]], or
 * `decode` for the decode row of bench/decode.ts; then the sweep and the soak run only when asked), BENCH_DURATION (seconds per trial, 3), BENCH_SOAK
 * (seconds, 30; 0 skips), BENCH_SWEEP (0 skips, 1 forces), BENCH_XSKDUMP_ARGS, BENCH_DISK_DIR,
 * BENCH_TMPFS_DIR, BENCH_OUT, BENCH_RETRIES, BENCH_QUIET_WAIT, BENCH_PAIRS, BENCH_SWEEP_ROUNDS, XSKDUMP_BIN.
 * @module
 */
import {
  firstWrongByte,
  framesOf,
  have,
  reassemble,
  run,
  withVethPair,
  XSKDUMP,
} from "../testbed/mod.ts";
import {
  ALL_TOOLS,
  type Generator,
  GENERATORS,
  type Profile,
  PROFILES,
  ratedGenerator,
  type Row,
  selectRows,
  selectsDecode,
  SWEEP_TOOLS,
  type Tool,
} from "./catalog.ts";
import {
  type Bed,
  bpfStats,
  FOREIGN_CPU_MAX,
  GEN_BIN,
  GEN_CPU,
  GEN_OBJ,
  MAX_QUEUES,
  PINNED,
  quietLimits,
  rssKiB,
  RX_CPU,
  setupBed,
  setupStreamBed,
  sleep,
  snapshot,
  startGenerator,
  stopSenders,
  tapProgStats,
  useMtu,
  useQueues,
  waitForQuiet,
} from "./host.ts";
import type { ToolReport } from "./parse.ts";
import {
  LOSS_FREE,
  mpps,
  printReport,
  round,
  summarize,
  type TrialResult,
  trialResult,
} from "./report.ts";
import { plot } from "./plot.ts";
import { detachSink, LIMIT_BIN, outputPath, SINK_OBJ, startTool } from "./run_tools.ts";
import {
  ddNewPages,
  type DdResult,
  LOSS_FREE_TOOLS,
  MIX_PEERS,
  NULL_PEER,
  streamResult,
} from "./targets.ts";
import { type DecodeResult, decodeRow, printDecode, repeatedCorpus } from "./decode.ts";

const ROOT = new URL("../", import.meta.url).pathname;

// ---------------------------------------------------------------------------
// Configuration

function envNumber(name: string, dflt: number): number {
  const v = Deno.env.get(name);
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got '${v}'`);
  return n;
}

const ROWS = Deno.env.get("BENCH_ROWS") ?? "";
/** A subset of rows runs the sweep and the soak only when they are asked for. */
const SUBSET = ROWS.trim() !== "";
const DURATION_S = envNumber("BENCH_DURATION", 3);
const SOAK_S = envNumber("BENCH_SOAK", SUBSET ? 0 : 30);
const SWEEP = Deno.env.get("BENCH_SWEEP") === "1" ||
  (!SUBSET && Deno.env.get("BENCH_SWEEP") !== "0");
const XSKDUMP_EXTRA = (Deno.env.get("BENCH_XSKDUMP_ARGS") ?? "").split(/\s+/).filter(Boolean);
const DIRS = {
  disk: Deno.env.get("BENCH_DISK_DIR") ?? "/var/tmp",
  tmpfs: Deno.env.get("BENCH_TMPFS_DIR") ?? "/dev/shm",
};
const OUT_DIR = Deno.env.get("BENCH_OUT") ?? `${ROOT}bench/results`;
/** MiB each dd of new pages writes beside the mix rows (0 skips them). */
const DD_MB = envNumber("BENCH_DD_MB", 1024);
/** Rounds of the pairs phase (attribution on and off, adjacent trials); 0 skips it. */
const PAIR_ROUNDS = envNumber("BENCH_PAIRS", 5);
/**
 * Rounds of the sweep of the two tools the loss-free target compares (the rest sweep once): one
 * sweep's verdict turns on a single lost packet, which a hiccup of this host gives either tool
 * now and then; the target takes each tool's median round.
 */
const SWEEP_ROUNDS = envNumber("BENCH_SWEEP_ROUNDS", 3);
/** Offered rates of the sweep (packets/s, xdp_gen -r). */
const SWEEP_RATES = [250, 500, 1000, 1500, 2000, 2500, 3000, 4000].map((k) => k * 1000);
/** How many times the decode row's file holds the merged corpus (6120 records here). */
const DECODE_REPEAT = 50;
/** Soak load: steady, below every tool's ceiling, so RSS growth is not queueing. */
const SOAK_RATE = 1_000_000;
/** Runs of one trial after a disturbed one, and in all (keeps the run bounded). */
const MAX_RETRIES = 2;
let retriesLeft = envNumber("BENCH_RETRIES", 12);
quietLimits(envNumber("BENCH_QUIET_WAIT", 10));

// ---------------------------------------------------------------------------
// One trial: one tool, one profile, one generator, bounded time

interface TrialSpec extends Row {
  phase: TrialResult["phase"];
  seconds: number;
  /** RSS sampling period during traffic, ms. */
  rssEveryMs?: number;
  /** Which round (the pairs phase, the sweep), and whether the kernel's BPF statistics are on. */
  round?: number;
  bpfStats?: boolean;
}

async function trial(bed: Bed, spec: TrialSpec): Promise<TrialResult> {
  const { profile, gen, tool } = spec;
  const { pair } = bed;
  const out = outputPath(tool, `${profile.id}-${gen.id}-${tool.id}`, DIRS);
  await detachSink(pair);
  await useQueues(bed, tool.queues);
  await useMtu(bed, profile.mtu ?? 1500);
  const running = await startTool(pair, tool, out, XSKDUMP_EXTRA);
  const pid = running.pid;
  let report: ToolReport | undefined;
  try {
    // On once the tool's programs are loaded: what they ran before is left out below anyway.
    if (spec.bpfStats) await bpfStats(true);
    await sleep(200);
    const before = await snapshot(pair, pid);
    const progsBefore = spec.bpfStats ? await tapProgStats() : undefined;
    const rssSamples: [number, number][] = [];
    if (before.rssKiB !== undefined) rssSamples.push([0, before.rssKiB]);
    const generator = startGenerator(bed, profile, gen);
    const t0 = performance.now();
    const every = spec.rssEveryMs ?? 500;
    // A stream runs until it is sent (bounded by the generator); frames for the trial's time.
    let ended = false;
    generator.ended?.then(() => ended = true, () => ended = true);
    const left = () =>
      generator.ended ? (ended ? 0 : every) : spec.seconds * 1000 - (performance.now() - t0);
    while (left() > 0) {
      await Promise.race([
        sleep(Math.min(every, left())),
        ...(generator.ended ? [generator.ended] : []),
      ])
        .catch(() => {});
      if (pid !== undefined) {
        const r = await rssKiB(pid);
        if (r !== undefined) rssSamples.push([(performance.now() - t0) / 1000, r]);
      }
    }
    const sent = await generator.stop();
    const trafficSec = (performance.now() - t0) / 1000;
    // Let the receiver drain what is in flight before reading the counters again.
    // tcpdump hands packets over in TPACKET_V3 blocks that retire after its 1 s timeout.
    await sleep(tool.kind === "tcpdump" ? 1200 : 400);
    const after = await snapshot(pair, pid);
    const progsAfter = spec.bpfStats ? await tapProgStats() : undefined;
    report = await running.stop();
    const r = trialResult(spec, before, after, report, sent, trafficSec, rssSamples);
    if (spec.round !== undefined) r.round = spec.round;
    if (spec.bpfStats) r.bpfStats = true;
    if (progsBefore && progsAfter && progsAfter.runs > progsBefore.runs) {
      r.tapNsPerPkt = round(
        (progsAfter.ns - progsBefore.ns) / (progsAfter.runs - progsBefore.runs),
        1,
      );
    }
    if (profile.streamBytes && sent.stream && out) {
      const held = reassemble(framesOf(out), profile.streamBytes);
      r.stream = streamResult(held, firstWrongByte(held), sent.stream);
    }
    return r;
  } finally {
    if (spec.bpfStats) await bpfStats(false).catch(() => {});
    if (!report) {
      await running.stop().catch(() => {});
      await stopSenders(bed);
    }
    if (out && out !== "/dev/null") await Deno.remove(out).catch(() => {});
    await detachSink(pair);
  }
}

// ---------------------------------------------------------------------------
// Main

async function version(cmd: string[]): Promise<string> {
  try {
    const r = await run(cmd);
    return (r.stdout + r.stderr).split("\n").find((l) => l.trim())?.trim() ?? "";
  } catch {
    return "not installed";
  }
}

async function gitState(): Promise<{ commit: string; dirty: boolean }> {
  const repo = Deno.env.get("BENCH_REPO") ?? ROOT;
  const c = await run(["git", "-C", repo, "rev-parse", "--short", "HEAD"]);
  const d = await run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"]);
  return { commit: c.stdout.trim(), dirty: d.stdout.trim() !== "" };
}

/**
 * Whether this guest gives freed memory back to its host (free page reporting): then a new page
 * may cost a fault in the host, and how much a file row meets depends on how much it writes
 * (bench/README.md, facts). undefined where the kernel has none.
 */
async function pageReporting(): Promise<{ order: number; reportedKiB?: number } | undefined> {
  const read = (f: string) =>
    Deno.readTextFile(`/sys/module/page_reporting/parameters/${f}`).then(
      (t) => Number(t.trim()),
      () => undefined,
    );
  const order = await read("page_reporting_order");
  // reported_kib: this host's kernel counts what it gave back (not every kernel does).
  return order === undefined ? undefined : { order, reportedKiB: await read("reported_kib") };
}

/** The run's settings and the host it ran on, for the JSON. */
async function describeRun(haveXdpdump: boolean) {
  return {
    date: new Date().toISOString(),
    kernel: (await run(["uname", "-r"])).stdout.trim(),
    cpus: navigator.hardwareConcurrency,
    layout: PINNED
      ? `generator and the receiving softirq on CPU ${GEN_CPU}; capturer on CPU ${RX_CPU}`
      : "one CPU: nothing pinned",
    lossFreeFraction: LOSS_FREE,
    loadavgBefore: (await Deno.readTextFile("/proc/loadavg")).trim(),
    git: await gitState(),
    deno: Deno.version.deno,
    trafgen: await version(["trafgen", "-v"]),
    tcpdump: await version(["tcpdump", "--version"]),
    xdpdump: haveXdpdump ? await version(["xdpdump", "--version"]) : "not installed",
    wmemDefault: (await Deno.readTextFile("/proc/sys/net/core/wmem_default")).trim(),
    pageReporting: await pageReporting(),
    rows: ROWS || "all",
    trialSeconds: DURATION_S,
    soakSeconds: SOAK_S,
    sweep: SWEEP,
    xskdumpExtraArgs: XSKDUMP_EXTRA,
    tmpfsDir: DIRS.tmpfs,
    diskDir: DIRS.disk,
  };
}

/**
 * Runs one trial, again (a bounded number of times) when other work on the host disturbed
 * it, and keeps the least disturbed attempt, marked when it still was. A failure is a note.
 */
async function measure(
  bed: Bed,
  spec: TrialSpec,
  results: TrialResult[],
  notes: string[],
): Promise<TrialResult | undefined> {
  const label = `${spec.phase} ${spec.profile.id} ${spec.gen.id} ${spec.tool.id}`;
  try {
    let best: TrialResult | undefined;
    for (let attempt = 1; attempt <= 1 + MAX_RETRIES; attempt++) {
      if (!(await waitForQuiet()) && !notes.includes(`${label}: the host was busy before`)) {
        notes.push(`${label}: the host was busy before`);
      }
      const r = await trial(bed, spec);
      r.attempts = attempt;
      r.disturbed = r.foreignCpuSec > FOREIGN_CPU_MAX * r.seconds;
      if (!best || r.foreignCpuSec < best.foreignCpuSec) best = r;
      if (!r.disturbed || spec.phase === "soak" || retriesLeft <= 0) break;
      if (attempt > MAX_RETRIES) break;
      retriesLeft--;
      console.error(`  ${label}: disturbed (${r.foreignCpuSec} CPU-s of other work), again`);
    }
    const r = best!;
    results.push(r);
    console.error(
      `  ${label}: offered ${mpps(r.offeredPps)} Mpps, captured ${mpps(r.capturedPps)} ` +
        `Mpps, loss ${r.lossPct}%${r.disturbed ? " (DISTURBED)" : ""}` +
        `${r.report.error ? `, ERROR ${r.report.error}` : ""}`,
    );
    return r;
  } catch (e) {
    const msg = e instanceof Error
      ? e.message.split("\n").filter(Boolean).slice(0, 3).join(" | ")
      : String(e);
    console.error(`  ${label}: FAILED ${msg}`);
    notes.push(`${label}: failed: ${msg}`);
    return undefined;
  }
}

/**
 * dd's new pages on the tmpfs and the disk, on the capturer's CPU: the ceiling a file's bytes
 * per second are held to, measured beside the rows that write the most.
 */
async function ddBeside(dd: DdResult[], when: string): Promise<void> {
  if (DD_MB <= 0) return;
  for (const [fs, dir] of [["tmpfs", DIRS.tmpfs], ["disk", DIRS.disk]] as const) {
    dd.push(...await ddNewPages(fs, dir, when, PINNED ? RX_CPU : undefined, DD_MB));
  }
}

/** Each tap row with process attribution and the same tap's row without, as selected. */
function attributionPairs(rows: Row[]): [Row, Row][] {
  const out: [Row, Row][] = [];
  for (const attr of rows.filter((r) => r.tool.id.startsWith("tap-attr-"))) {
    const base = rows.find((r) =>
      r.tool.id === `tap-${attr.tool.id.slice("tap-attr-".length)}` &&
      r.profile.id === attr.profile.id && r.gen.id === attr.gen.id
    );
    if (base) out.push([attr, base]);
  }
  return out;
}

/**
 * Issue 15's mix rows against tcpdump's (MIX_PEERS) and against the C loop (NULL_PEER), where the
 * run has both, per generator.
 */
function mixPeerPairs(rows: Row[]): [Row, Row][] {
  const out: [Row, Row][] = [];
  for (const [xs, td] of [...MIX_PEERS.map(([, x, t]) => [x, t]), NULL_PEER]) {
    for (const a of rows.filter((r) => r.tool.id === xs && r.profile.id === "mix")) {
      const b = rows.find((r) =>
        r.tool.id === td && r.profile.id === "mix" && r.gen.id === a.gen.id
      );
      if (b) out.push([a, b]);
    }
  }
  return out;
}

/**
 * Ratios of two rows whose difference is smaller than the host's: one trial apart, the
 * generator's rate moves by 10-40% here (xdp_gen and trafgen alike), more than attribution
 * costs (issue 20) and more than xskdump and tcpdump differ on a row neither loses on (issue
 * 15's mix to a file with trafgen). So each pair runs in rounds of two adjacent trials, the
 * order alternating, and the target takes the median round; for attribution, one more round
 * with the kernel's BPF statistics on gives what the tap's programs themselves cost per packet.
 */
async function pairsPhase(rows: Row[], go: (spec: TrialSpec) => Promise<unknown>) {
  if (PAIR_ROUNDS <= 0) return;
  const rounds = async (a: Row, b: Row) => {
    for (let i = 0; i < PAIR_ROUNDS; i++) {
      for (const row of i % 2 ? [a, b] : [b, a]) {
        await go({ ...row, phase: "pairs", seconds: DURATION_S, round: i });
      }
    }
  };
  for (const [attr, base] of attributionPairs(rows)) {
    await rounds(attr, base);
    for (const row of [base, attr]) {
      await go({ ...row, phase: "pairs", seconds: DURATION_S, round: PAIR_ROUNDS, bpfStats: true });
    }
  }
  for (const [xs, td] of mixPeerPairs(rows)) await rounds(xs, td);
}

/** The phases: the matrix rows (dd beside the mix's), the rate sweep, the pairs, the soak. */
async function phases(
  bed: Bed,
  rows: Row[],
  results: TrialResult[],
  dd: DdResult[],
  notes: string[],
) {
  const go = (spec: TrialSpec) => measure(bed, spec, results, notes);
  const firstMix = rows.findIndex((r) => r.profile.id === "mix");
  const lastMix = rows.findLastIndex((r) => r.profile.id === "mix");
  for (const [i, row] of rows.entries()) {
    if (i === firstMix) await ddBeside(dd, "before the mix rows");
    // On veth the RX queue of an XDP frame is the sending CPU's: xdp_gen's, from one CPU,
    // would all reach one queue. The rows on several queues take trafgen's spread flows.
    if (row.tool.queues > 1 && row.gen.kind === "xdpgen") {
      notes.push(`${row.tool.id} ${row.profile.id} xdpgen: not run, one sending CPU is one queue`);
      continue;
    }
    await go({ ...row, phase: "matrix", seconds: DURATION_S });
    if (i === lastMix) await ddBeside(dd, "after the mix rows");
  }
  const tools = [...new Set(rows.map((r) => r.tool))];
  if (SWEEP && rows.some((r) => r.profile.id === "udp64")) {
    const sweep = async (tool: Tool, round: number) => {
      let lossy = 0;
      for (const rate of SWEEP_RATES) {
        const spec = { phase: "sweep", profile: PROFILES[0], tool, seconds: DURATION_S } as const;
        const r = await go({ ...spec, gen: ratedGenerator(rate), round });
        // Two lossy steps in a row: higher rates only lose more.
        lossy = r && r.lost > r.offered * LOSS_FREE && !r.disturbed ? lossy + 1 : 0;
        if (lossy >= 2) break;
      }
    };
    for (const tool of SWEEP_TOOLS.flatMap((id) => tools.filter((t) => t.id === id))) {
      await sweep(tool, 1);
    }
    // The target's two tools again, in turn, the order alternating: a slow spell of the host
    // then falls on both.
    const pair = LOSS_FREE_TOOLS.flatMap((id) => tools.filter((t) => t.id === id));
    for (let round = 2; pair.length > 0 && round <= SWEEP_ROUNDS; round++) {
      for (const tool of round % 2 === 0 ? [...pair].reverse() : pair) await sweep(tool, round);
    }
  }
  await pairsPhase(rows, go);
  if (SOAK_S > 0) {
    const tool = ALL_TOOLS.find((t) => t.id === "xskdump-null-native")!;
    const gen: Generator = ratedGenerator(SOAK_RATE, `soak${SOAK_RATE / 1000}k`);
    const profile: Profile = PROFILES[0];
    console.error(`  soak: ${SOAK_S} s of ${SOAK_RATE} pps into ${tool.id}`);
    await go({ phase: "soak", profile, gen, tool, seconds: SOAK_S, rssEveryMs: 1000 });
  }
}

/** The decode row: the text decoder beside tcpdump's on the corpus repeated (bench/decode.ts). */
async function decodePhase(decode: DecodeResult[], notes: string[]): Promise<void> {
  const dir = await Deno.makeTempDir({ dir: DIRS.tmpfs, prefix: "decode-" });
  try {
    await waitForQuiet();
    const file = await repeatedCorpus(dir, DECODE_REPEAT);
    console.error(`  decode: ${file.packets} packets, -n -r > /dev/null, xskdump and tcpdump`);
    decode.push(...await decodeRow(XSKDUMP, file));
  } catch (e) {
    notes.push(`decode: failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function main(): Promise<number> {
  if (Deno.uid() !== 0) {
    console.error("bench: needs root (network namespaces, XDP)");
    return 1;
  }
  for (const f of [LIMIT_BIN, SINK_OBJ, GEN_BIN, GEN_OBJ, XSKDUMP]) {
    if (!(await Deno.stat(f).then((s) => s.size > 0, () => false))) {
      console.error(`bench: ${f} is missing: run \`make bench\` (it builds it)`);
      return 1;
    }
  }
  let rows: Row[];
  try {
    rows = selectRows(ROWS);
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 2;
  }
  const haveXdpdump = await have("xdpdump");
  const notes: string[] = [];
  if (!haveXdpdump) notes.push("xdpdump not installed (xdp-tools): not measured");
  rows = rows.filter((r) => r.tool.kind !== "xdpdump" || haveXdpdump);

  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  await Deno.mkdir(OUT_DIR, { recursive: true });
  const stem = `${OUT_DIR}/${stamp}`;
  const meta = await describeRun(haveXdpdump);
  console.log(
    `xskdump bench: ${meta.kernel}, ${meta.cpus} CPUs, load ${meta.loadavgBefore}, ` +
      `git ${meta.git.commit}${meta.git.dirty ? " (dirty)" : ""}; ${rows.length} rows, ` +
      `${DURATION_S} s per trial`,
  );

  // The harness and everything it runs (ip, ps, ethtool) stay off the capturer's CPU.
  if (PINNED) {
    await run(["taskset", "-a", "-pc", String(GEN_CPU), String(Deno.pid)], { check: true });
  }
  const results: TrialResult[] = [];
  const dd: DdResult[] = [];
  const decode: DecodeResult[] = [];
  const cfgDir = await Deno.makeTempDir({ prefix: "xskbench-" });
  const started = performance.now();
  try {
    if (selectsDecode(ROWS)) await decodePhase(decode, notes);
    const frameRows = rows.filter((r) => !r.profile.streamBytes);
    if (frameRows.length > 0) {
      await withVethPair(async (pair) => {
        const bed = await setupBed(pair, PROFILES, cfgDir);
        await phases(bed, frameRows, results, dd, notes);
      }, { rxQueues: MAX_QUEUES, txQueues: MAX_QUEUES });
    }
    // The stream rows on a pair of their own: the bridge they need would carry the frames too.
    const streamRows = rows.filter((r) => r.profile.streamBytes);
    if (streamRows.length > 0) {
      await withVethPair(async (pair) => {
        const bed = await setupStreamBed(pair);
        for (const row of streamRows) {
          await measure(bed, { ...row, phase: "matrix", seconds: DURATION_S }, results, notes);
        }
      });
    }
  } finally {
    await Deno.remove(cfgDir, { recursive: true }).catch(() => {});
  }

  const summary = summarize(results, dd);
  const png = await plot(results, dd, stem);
  const tools: Tool[] = ALL_TOOLS;
  const doc = {
    meta: { ...meta, wallSeconds: Math.round((performance.now() - started) / 1000) },
    profiles: PROFILES,
    generators: GENERATORS,
    tools,
    results,
    decode,
    summary,
    plot: png,
    notes,
  };
  await Deno.writeTextFile(`${stem}.json`, JSON.stringify(doc, null, 1) + "\n");
  if (results.length > 0) printReport(results, summary);
  printDecode(decode);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`\nresults: ${stem}.json${png ? `\nplot:    ${png}` : ""}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
