/**
 * What a bench run reports: one result per trial (the JSON's schema), the tables on stdout, the
 * ratios of captured rates in one cell (xskdump over the C limit, over tcpdump, 4 queues over
 * 1...), each sweep tool's highest loss-free offered rate and the soak's RSS (the plot is
 * plot.ts).
 * @module
 */
import {
  type Generator,
  GENERATORS,
  LIMITS,
  type Mode,
  type OutputKind,
  type Profile,
  PROFILES,
  SWEEP_TOOLS,
  type Tool,
} from "./catalog.ts";
import { CLK_TCK, type Snapshot } from "./host.ts";
import type { ToolReport } from "./parse.ts";
import {
  attributionTargets,
  type DdResult,
  type StreamResult,
  type Target,
  targets,
} from "./targets.ts";

/** Loss at or below this fraction still counts as loss-free (0: not one packet). */
export const LOSS_FREE = 0;

export interface TrialResult {
  phase: "matrix" | "sweep" | "soak" | "pairs";
  /** The round of the pairs phase (attribution on and off in adjacent trials) or of the sweep. */
  round?: number;
  /** The kernel's BPF statistics were on (the pairs phase's last round): every program paid. */
  bpfStats?: boolean;
  /** Then: the tap's entry programs' run time per run (their tail calls included), ns. */
  tapNsPerPkt?: number;
  profile: string;
  generator: string;
  requestedRate?: number;
  tool: string;
  toolLabel: string;
  mode?: Mode;
  output: OutputKind;
  /** The measurement window (counters and CPU): traffic plus the drain after it. */
  seconds: number;
  /** How long the generator ran: rates are packets over this. */
  trafficSeconds: number;
  /** Packets the generator put on the sender veth (tx_packets + tx_dropped). */
  offered: number;
  /** Packets the receiving veth counted (before XDP and everything else). */
  arrived: number;
  /** Packets the tool kept (for the sink: packets dropped at XDP, i.e. arrived). */
  captured: number;
  /**
   * Packets the host's IP stack received meanwhile (Ip InReceives of the capture namespace):
   * every one for a tool that leaves them to the stack (tap, tcpdump, xdpdump), none diverted.
   */
  stackReceived: number;
  stackPps: number;
  lost: number;
  lossPct: number;
  dropsByReason: Record<string, number>;
  offeredPps: number;
  capturedPps: number;
  /** The tool's own CPU time (utime + stime of all its threads) per captured packet, ns. */
  procCpuNsPerPkt?: number;
  procCpuSec?: number;
  /** Whole-machine busy CPU (all processes, softirq included) per offered packet, ns. */
  sysCpuNsPerPkt: number;
  sysCpuSec: number;
  softirqSec: number;
  rssStartKiB?: number;
  rssEndKiB?: number;
  rssMaxKiB?: number;
  rssSamples?: [number, number][];
  /** File bytes written per second of traffic (tools writing a file). */
  writtenBps?: number;
  /** What the generator says it sent (trafgen's count, xdp_gen's frames). */
  generatorSent?: number;
  /** CPU seconds of the trafgen processes (softirq work done in their context included). */
  generatorCpuSec: number;
  /** CPU seconds of the ksoftirqd threads (receive work the sender deferred). */
  ksoftirqdCpuSec: number;
  /** Busy CPU that neither the tool, the generator nor ksoftirqd accounts for: other processes
   * on the machine (a loaded host shows here), kernel threads, softirq work in idle time. */
  otherCpuSec: number;
  /** otherCpuSec less all softirq time (a lower bound of other processes' CPU): the
   * disturbance measure. */
  foreignCpuSec: number;
  /** Runs it took (a disturbed trial is run again). */
  attempts: number;
  /** Other work on the host took more than FOREIGN_CPU_MAX CPUs even in the kept attempt. */
  disturbed: boolean;
  report: ToolReport;
  /** A stream row's: what the tool's file held of the TCP stream. */
  stream?: StreamResult;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** What one trial measured, from the counters before and after and what the tool said. */
export function trialResult(
  spec: { phase: TrialResult["phase"]; profile: Profile; gen: Generator; tool: Tool },
  before: Snapshot,
  after: Snapshot,
  report: ToolReport,
  sent: { sent?: number; cpuSec: number },
  trafficSec: number,
  rssSamples: [number, number][],
): TrialResult {
  const { profile, gen, tool } = spec;
  const seconds = (after.t - before.t) / 1000;
  const offered = after.txPackets - before.txPackets + after.txDropped - before.txDropped;
  const arrived = after.rxPackets - before.rxPackets;
  const captured = tool.kind === "sink" ? arrived : report.captured;
  const stackReceived = after.stackReceived - before.stackReceived;
  const lost = Math.max(0, offered - captured);
  const drops: Record<string, number> = {
    beforeReceiver: Math.max(0, offered - arrived),
    backlogQueue: after.backlogDropped - before.backlogDropped,
    ...report.drops,
  };
  if (report.passedToStack) drops.passedToStack = report.passedToStack;
  const known = Object.values(drops).filter(Number.isFinite).reduce((a, b) => a + b, 0);
  if (tool.kind !== "sink" && lost > known) drops.unaccounted = lost - known;
  const busy = (after.cpu.busy - before.cpu.busy) / CLK_TCK;
  const ksoft = (after.ksoftirqdTicks - before.ksoftirqdTicks) / CLK_TCK;
  const softirq = (after.cpu.softirq - before.cpu.softirq) / CLK_TCK;
  const procSec = after.procTicks !== undefined &&
      before.procTicks !== undefined
    ? (after.procTicks - before.procTicks) / CLK_TCK
    : undefined;
  const rssVals = rssSamples.map((s) => s[1]);
  if (after.rssKiB !== undefined) rssVals.push(after.rssKiB);
  return {
    phase: spec.phase,
    profile: profile.id,
    generator: gen.id,
    requestedRate: gen.rate,
    tool: tool.id,
    toolLabel: tool.label,
    mode: tool.mode,
    output: tool.output,
    seconds: round(seconds, 3),
    offered,
    arrived,
    captured,
    lost,
    lossPct: offered ? round((100 * lost) / offered, 3) : 0,
    dropsByReason: drops,
    trafficSeconds: round(trafficSec, 3),
    offeredPps: Math.round(offered / trafficSec),
    capturedPps: Math.round(captured / trafficSec),
    writtenBps: report.fileBytes ? Math.round(report.fileBytes / trafficSec) : undefined,
    stackReceived,
    stackPps: Math.round(stackReceived / trafficSec),
    procCpuSec: procSec,
    procCpuNsPerPkt: procSec !== undefined && captured
      ? Math.round((procSec * 1e9) / captured)
      : undefined,
    sysCpuSec: round(busy, 2),
    softirqSec: round(softirq, 2),
    sysCpuNsPerPkt: offered ? Math.round((busy * 1e9) / offered) : 0,
    rssStartKiB: rssVals[0],
    rssEndKiB: rssVals.at(-1),
    rssMaxKiB: rssVals.length ? Math.max(...rssVals) : undefined,
    rssSamples: spec.phase === "soak" ? rssSamples : undefined,
    generatorSent: sent.sent,
    generatorCpuSec: sent.cpuSec,
    ksoftirqdCpuSec: round(ksoft, 2),
    otherCpuSec: round(busy - sent.cpuSec - (procSec ?? 0) - ksoft, 2),
    foreignCpuSec: round(
      Math.max(0, busy - softirq - sent.cpuSec - (procSec ?? 0) - ksoft),
      2,
    ),
    attempts: 1,
    disturbed: false,
    report,
  };
}

// ---------------------------------------------------------------------------
// Output: table, ratios

export const mpps = (pps: number) => (pps / 1e6).toFixed(3);

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function lpad(s: string, n: number): string {
  return s.length >= n ? s : " ".repeat(n - s.length) + s;
}

export function printTable(results: TrialResult[]): void {
  const head = [
    pad("tool", 22),
    lpad("offered Mpps", 12),
    lpad("captured Mpps", 13),
    lpad("loss %", 8),
    lpad("stack Mpps", 10),
    lpad("proc ns/pkt", 11),
    lpad("sys ns/pkt", 10),
    lpad("RSS MiB", 8),
    lpad("foreign s", 9),
    "  drops",
  ].join(" ");
  let group = "";
  for (const r of results) {
    const g = `${r.phase} ${r.profile} ${r.generator}${
      r.requestedRate ? ` @${r.requestedRate}pps` : ""
    }`;
    // The stream rows have a table of their own (printStreams): their rates are TCP's.
    if (r.phase === "sweep" || r.stream) continue;
    if (g !== group) {
      console.log(`\n== ${g}`);
      console.log(head);
      group = g;
    }
    const perQueue = Object.values(r.report.perQueue ?? {});
    const drops = [
      ...Object.entries(r.dropsByReason).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`),
      ...(perQueue.length > 1 ? [`per queue ${perQueue.join("/")}`] : []),
    ].join(", ");
    console.log([
      pad(r.tool, 22),
      lpad(mpps(r.offeredPps), 12),
      lpad(mpps(r.capturedPps), 13),
      lpad(r.lossPct.toFixed(2), 8),
      lpad(mpps(r.stackPps), 10),
      lpad(r.procCpuNsPerPkt?.toString() ?? "-", 11),
      lpad(r.sysCpuNsPerPkt.toString(), 10),
      lpad(r.rssMaxKiB ? (r.rssMaxKiB / 1024).toFixed(1) : "-", 8),
      lpad(r.foreignCpuSec.toFixed(2) + (r.disturbed ? "!" : ""), 9),
      "  " + (r.report.error ? `ERROR ${r.report.error}` : drops || "-"),
    ].join(" "));
  }
}

/**
 * The stream rows, one line per tool: the transfer's throughput, the stream's packets in the
 * file and their sizes, and whether every byte of the stream is there.
 */
export function printStreams(results: TrialResult[]): void {
  const rows = results.filter((r) => r.stream);
  if (!rows.length) return;
  console.log(`\n== the TCP stream rows: what each file holds of the stream`);
  console.log([
    pad("tool", 27),
    lpad("MB/s", 7),
    lpad("packets", 8),
    lpad("> 4 KiB", 8),
    lpad("largest", 8),
    "  sizes (frame bytes)",
    "  in the file",
  ].join(" "));
  for (const r of rows) {
    const s = r.stream!;
    const tooBig = r.report.drops.xskTooBig;
    console.log([
      pad(r.tool, 27),
      lpad((s.throughputBps / 1e6).toFixed(1), 7),
      lpad(String(s.packets), 8),
      lpad(String(s.over4KiB), 8),
      lpad(String(s.biggest), 8),
      "  " + Object.entries(s.sizes).filter(([, n]) => n).map(([k, n]) => `${k}: ${n}`).join(", "),
      "  " + (s.complete ? "every byte" : `${s.missingBytes} of ${s.bytes} bytes missing`) +
      (s.wrongByte >= 0 ? `, byte ${s.wrongByte} differs` : "") +
      (tooBig ? ` (${tooBig} larger than a frame)` : "") +
      (r.report.error ? `, ERROR ${r.report.error}` : ""),
    ].join(" "));
  }
}

interface Ratio {
  profile: string;
  generator: string;
  what: string;
  numerator: string;
  denominator: string;
  capturedRatio: number;
  cpuPerPacketRatio?: number;
}

function ratios(results: TrialResult[]): Ratio[] {
  const out: Ratio[] = [];
  const find = (p: string, g: string, t: string) =>
    results.find((r) =>
      r.phase === "matrix" && r.profile === p && r.generator === g && r.tool === t
    );
  // "limit:MODE" is the best C limit variant of that mode in the same cell.
  const bestLimit = (p: string, g: string, mode: Mode) =>
    LIMITS[mode].map((t) => find(p, g, t)).filter((r) => r && !r.report.error)
      .sort((a, b) => b!.capturedPps - a!.capturedPps)[0];
  const pairs: [string, string, string][] = [
    ["xskdump/limit", "xskdump-tmpfs-native", "limit:native"],
    ["xskdump/limit", "xskdump-tmpfs-generic", "limit:generic"],
    ["xskdump/limit", "xskdump-null-native", "limit:native"],
    ["xskdump/limit", "xskdump-null-generic", "limit:generic"],
    ["xskdump/C copy+write", "xskdump-tmpfs-native", "limit-w-native"],
    ["xskdump/tcpdump", "xskdump-tmpfs-native", "tcpdump"],
    ["xskdump/tcpdump", "xskdump-disk-native", "tcpdump-disk"],
    ["xskdump/tcpdump", "xskdump-tmpfs-generic", "tcpdump"],
    ["xskdump/xdpdump", "xskdump-tmpfs-native", "xdpdump"],
    ["4 queues/1 queue", "xskdump-q4-tmpfs-native", "xskdump-tmpfs-native"],
    ["tap/tcpdump", "tap-native", "tcpdump"],
    ["tap/tcpdump", "tap-generic", "tcpdump"],
    ["tap/tcpdump", "tap-tc", "tcpdump"],
    ["tap/xdpdump", "tap-native", "xdpdump"],
    ["attribution/tap", "tap-attr-native", "tap-native"],
    ["attribution/tap", "tap-attr-tc", "tap-tc"],
  ];
  for (const p of PROFILES.filter((p) => !p.streamBytes)) {
    for (const g of GENERATORS) {
      for (const [what, a, b] of pairs) {
        const x = find(p.id, g.id, a);
        const y = b.startsWith("limit:")
          ? bestLimit(p.id, g.id, b.slice(6) as Mode)
          : find(p.id, g.id, b);
        if (!x || !y || !y.capturedPps) continue;
        out.push({
          profile: p.id,
          generator: g.id,
          what,
          numerator: a,
          denominator: y.tool,
          capturedRatio: round(x.capturedPps / y.capturedPps, 3),
          cpuPerPacketRatio: x.procCpuNsPerPkt && y.procCpuNsPerPkt
            ? round(x.procCpuNsPerPkt / y.procCpuNsPerPkt, 2)
            : undefined,
        });
      }
    }
  }
  return out;
}

interface LossFree {
  tool: string;
  /** Highest offered rate (pps, measured) with no packet lost; 0 when even the lowest lost. */
  lossFreePps: number;
  /** The lowest measured offered rate at which it lost packets, if any. */
  firstLossPps?: number;
  /** Whether the loss-free rate is only a lower bound (nothing lost at the top rate tried). */
  lowerBound: boolean;
  /**
   * The generator asked for more than it could send while this tool listened, without loss:
   * the tool's kernel path saturated the receiving softirq (on CPU 0, shared with the
   * generator here; a NIC would drop above that rate instead). The highest rate asked for.
   */
  kernelBoundAt?: number;
  /** Each sweep round's loss-free rate, when the tool swept more than once (the figure above
   * is the median round's; an even count takes the lower middle). */
  rounds?: number[];
}

function lossFreeRates(results: TrialResult[]): LossFree[] {
  const out: LossFree[] = [];
  for (const id of SWEEP_TOOLS) {
    // Disturbed trials say more about the host than about the tool: left out here.
    const mine = results.filter((r) =>
      r.tool === id && r.profile === "udp64" && (r.phase === "sweep" || r.phase === "matrix") &&
      !r.report.error && !r.disturbed
    );
    if (!mine.length) continue;
    // Each sweep round with the full-speed trial; the tool's figure is its median round.
    const rounds = [...new Set(mine.filter((r) => r.phase === "sweep").map((r) => r.round ?? 1))]
      .sort((a, b) => a - b);
    const each = (rounds.length ? rounds : [1]).map((k) =>
      lossFreeOf(id, mine.filter((r) => r.phase === "matrix" || (r.round ?? 1) === k))
    );
    const median = [...each].sort((a, b) => a.lossFreePps - b.lossFreePps)[
      Math.floor((each.length - 1) / 2)
    ];
    out.push(each.length > 1 ? { ...median, rounds: each.map((l) => l.lossFreePps) } : median);
  }
  return out;
}

/** The highest loss-free offered rate in one set of trials of a tool (one sweep round). */
function lossFreeOf(tool: string, trials: TrialResult[]): LossFree {
  const pts = [...trials].sort((a, b) => a.offeredPps - b.offeredPps);
  let best = 0;
  let firstLoss: number | undefined;
  for (const p of pts) {
    const ok = p.lost <= p.offered * LOSS_FREE;
    if (!ok && firstLoss === undefined) firstLoss = p.offeredPps;
    if (ok && firstLoss === undefined) best = p.offeredPps;
  }
  const held = pts.filter((p) =>
    p.requestedRate && p.offeredPps < 0.9 * p.requestedRate && p.lost <= p.offered * LOSS_FREE
  );
  return {
    tool,
    lossFreePps: best,
    firstLossPps: firstLoss,
    lowerBound: firstLoss === undefined,
    kernelBoundAt: firstLoss === undefined && held.length
      ? Math.max(...held.map((p) => p.requestedRate!))
      : undefined,
  };
}

/**
 * The soak's RSS: where it stands once warmed up (V8's heap and the touched UMEM and output
 * buffer grow over the first seconds: at a quarter of the run, at most 60 s), at the end, and
 * the least-squares slope after warm-up, which is what "flat" is about.
 */
function soakSummary(soak: TrialResult) {
  const samples = soak.rssSamples ?? [];
  const warmSeconds = Math.min(60, Math.round(soak.seconds / 4));
  const warm = samples.filter((s) => s[0] >= warmSeconds);
  let slope = 0;
  if (warm.length >= 2) {
    const n = warm.length;
    const mt = warm.reduce((a, s) => a + s[0], 0) / n;
    const mv = warm.reduce((a, s) => a + s[1], 0) / n;
    const cov = warm.reduce((a, s) => a + (s[0] - mt) * (s[1] - mv), 0);
    const vt = warm.reduce((a, s) => a + (s[0] - mt) ** 2, 0);
    slope = vt > 0 ? cov / vt : 0;
  }
  return {
    seconds: soak.seconds,
    rate: soak.requestedRate,
    warmSeconds,
    rssStartKiB: warm[0]?.[1] ?? soak.rssStartKiB,
    rssEndKiB: soak.rssEndKiB,
    rssMaxKiB: soak.rssMaxKiB,
    growthKiBPerMin: Math.round(slope * 60),
    lossPct: soak.lossPct,
  };
}

/**
 * The run's summary: ratios, loss-free rates (and against tcpdump's), the soak's RSS, the dd
 * ceilings and issue 15's targets (bench/targets.ts).
 */
export function summarize(results: TrialResult[], dd: DdResult[] = []) {
  const ratioList = ratios(results);
  const lossFree = lossFreeRates(results);
  const tcpLf = lossFree.find((l) => l.tool === "tcpdump");
  const soak = results.find((r) => r.phase === "soak");
  const soakRss = soak ? soakSummary(soak) : undefined;
  const targetList: Target[] = [
    ...targets(results, lossFree, dd, LIMITS.native, soakRss),
    ...attributionTargets(results),
  ];
  return {
    ratios: ratioList,
    lossFree,
    lossFreeVsTcpdump: tcpLf && tcpLf.lossFreePps
      ? lossFree.filter((l) => l.tool !== "tcpdump").map((l) => ({
        tool: l.tool,
        ratio: round(l.lossFreePps / tcpLf.lossFreePps, 2),
        // Both rates are only lower bounds when neither lost a packet: then the ratio says
        // where the generator stopped, not which tool is better. A tool whose kernel path held
        // the generator below the rate asked for has its ceiling there (a NIC would drop).
        bound: l.kernelBoundAt && tcpLf.kernelBoundAt
          ? "both at their kernel path's ceiling"
          : tcpLf.kernelBoundAt
          ? (l.lowerBound
            ? "at least; tcpdump at its kernel path's ceiling"
            : "tcpdump at its kernel path's ceiling")
          : l.lowerBound && tcpLf.lowerBound
          ? "neither lost: generator-bound"
          : l.lowerBound
          ? "at least"
          : tcpLf.lowerBound
          ? "at most"
          : "exact",
      }))
      : [],
    soak: soakRss,
    ceilings: dd,
    targets: targetList,
  };
}

/** Prints the tables, the ratios, the loss-free rates and the soak for people. */
export function printReport(results: TrialResult[], summary: ReturnType<typeof summarize>) {
  const { ratios: ratioList, lossFree } = summary;
  printTable(results);
  printStreams(results);
  console.log("\n== ratios (captured rate, same run, same load)");
  for (const r of ratioList) {
    console.log(
      `${pad(`${r.profile} ${r.generator}`, 14)} ${pad(`${r.numerator} / ${r.denominator}`, 50)} ` +
        `captured ${r.capturedRatio.toFixed(3)}` +
        (r.cpuPerPacketRatio ? `, CPU/packet ${r.cpuPerPacketRatio.toFixed(2)}` : ""),
    );
  }
  console.log(
    "\n== highest loss-free offered rate, udp64 (sweep + full-speed runs, undisturbed trials)",
  );
  for (const l of lossFree) {
    console.log(
      `${pad(l.tool, 24)} ${lpad(mpps(l.lossFreePps), 6)} Mpps` +
        (l.kernelBoundAt
          ? ` (no loss; asked for up to ${
            mpps(l.kernelBoundAt)
          } Mpps, its kernel path held the generator to this: the receive CPU's ceiling)`
          : l.lowerBound
          ? " (no loss at the highest rate offered: a lower bound)"
          : `, first loss at ${mpps(l.firstLossPps!)} Mpps`) +
        (l.rounds ? `; median of ${l.rounds.length} sweeps: ${l.rounds.map(mpps).join(" ")}` : ""),
    );
  }
  for (const x of summary.lossFreeVsTcpdump) {
    console.log(`${pad(x.tool, 24)} ${x.ratio}x tcpdump's (${x.bound})`);
  }
  if (summary.soak) {
    const s = summary.soak;
    const mib = (k?: number) => ((k ?? 0) / 1024).toFixed(1);
    console.log(
      `\n== soak: xskdump -w /dev/null, ${s.seconds} s at ${s.rate} pps: RSS ${
        mib(s.rssStartKiB)
      } MiB at ${s.warmSeconds} s (warmed up) -> ${mib(s.rssEndKiB)} MiB at the end (max ${
        mib(s.rssMaxKiB)
      }; ${s.growthKiBPerMin} KiB/min after warm-up), loss ${s.lossPct}%`,
    );
  }
  if (summary.ceilings.length) {
    console.log(
      "\n== new pages, dd on the capturer's CPU (the ceiling for a file's bytes per second)",
    );
    for (const d of summary.ceilings) {
      console.log(
        `${pad(`${d.fs} bs=${d.bs}`, 14)} ${(d.bytesPerSec / 1e9).toFixed(2)} GB/s (${d.when})`,
      );
    }
  }
  console.log("\n== targets (issues 15, 17 and 20), this run");
  for (const t of summary.targets) {
    const v = t.value === undefined ? "-" : String(t.value);
    const verdict = t.met === undefined ? "not measured" : t.met ? "met" : "NOT MET";
    console.log(
      `${pad(t.id, 20)} ${lpad(v, 7)} ${t.atMost ? "<=" : ">="} ${pad(String(t.target), 5)} ` +
        `${pad(verdict, 12)} ${t.what}: ${t.detail}`,
    );
  }
}
