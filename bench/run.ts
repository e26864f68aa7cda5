/**
 * `make bench`: xskdump beside its peers and the C limit, on the same traffic, in one run.
 *
 * A veth pair joins two network namespaces made here (and always removed). xdp_gen (XDP live
 * frames, bench/xdp_gen.c) or trafgen sends from the sender namespace on CPU 0; each capture
 * tool in turn listens on the receiving end, on CPU 1 beside the veth's NAPI thread. For every
 * (traffic profile, generator) the same set of tools runs for the same bounded time:
 *
 *   sink      an XDP program that drops everything: the rate the generator can offer
 *   limit     bench/xsk_limit.c over the shim: rx_batch + fill, no copy (the C limit)
 *   limit-w   the same, copying every packet into a pcap file on tmpfs (C copy + write)
 *   xskdump   -w /dev/null, -w tmpfs file, -w disk file; native and generic XDP
 *   tcpdump   -w tmpfs file (AF_PACKET, TPACKET_V3)
 *   xdpdump   -w tmpfs file (xdp-tools; perf ring), when installed
 *
 * Then a rate sweep (xdp_gen -r) finds the highest offered rate each tool keeps without
 * loss, and a soak run samples xskdump's RSS over time. Results: bench/results/<stamp>.json,
 * a table on stdout and bench/results/<stamp>.png (captured against offered rate).
 *
 * Environment: BENCH_DURATION (seconds of traffic per trial, default 3), BENCH_SOAK (soak
 * seconds, default 30; 300 for the 5-minute RSS check; 0 skips it), BENCH_SWEEP=0 skips the
 * sweep, BENCH_TOOLS (comma list of tool ids to run, default all), BENCH_PROFILES (udp64,mix),
 * BENCH_GENERATORS (xdpgen,trafgen), BENCH_XSKDUMP_ARGS (extra xskdump flags, e.g. --batch 256),
 * BENCH_DISK_DIR (default /var/tmp), BENCH_TMPFS_DIR (default /dev/shm), BENCH_OUT
 * (default bench/results).
 * @module
 */
import { ceilingOf, ddNewPages, type DdResult, type Target, targets } from "./targets.ts";
import {
  type NsChild,
  nsExec,
  run,
  spawnInNs,
  type VethPair,
  withVethPair,
} from "../tests/integration/netns.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const BUILD = `${ROOT}build/`;
const LIMIT_BIN = `${BUILD}xsk_limit`;
const SINK_OBJ = `${BUILD}xdp_sink.bpf.o`;
const GEN_BIN = `${BUILD}xdp_gen`;
const GEN_OBJ = `${BUILD}xdp_gen.bpf.o`;
const XSKDUMP_BIN = Deno.env.get("XSKDUMP_BIN") ?? `${ROOT}bin/xskdump`;

// ---------------------------------------------------------------------------
// Configuration

function envNumber(name: string, dflt: number): number {
  const v = Deno.env.get(name);
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got '${v}'`);
  return n;
}

function envList(name: string): string[] | undefined {
  const v = Deno.env.get(name);
  return v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
}

const DURATION_S = envNumber("BENCH_DURATION", 3);
const SOAK_S = envNumber("BENCH_SOAK", 30);
const SWEEP = Deno.env.get("BENCH_SWEEP") !== "0";
const ONLY_TOOLS = envList("BENCH_TOOLS");
const XSKDUMP_EXTRA = (Deno.env.get("BENCH_XSKDUMP_ARGS") ?? "").split(/\s+/).filter(Boolean);
const DISK_DIR = Deno.env.get("BENCH_DISK_DIR") ?? "/var/tmp";
const TMPFS_DIR = Deno.env.get("BENCH_TMPFS_DIR") ?? "/dev/shm";
const OUT_DIR = Deno.env.get("BENCH_OUT") ?? `${ROOT}bench/results`;
/** MiB each dd of new pages writes beside the mix rows (0 skips them). */
const DD_MB = envNumber("BENCH_DD_MB", 1024);
/** Offered rates of the sweep (packets/s, xdp_gen -r). */
const SWEEP_RATES = [
  250_000,
  500_000,
  1_000_000,
  1_500_000,
  2_000_000,
  2_500_000,
  3_000_000,
  4_000_000,
];
/** Soak load: steady, below every tool's ceiling, so RSS growth is not queueing. */
const SOAK_RATE = 1_000_000;
/** Loss at or below this fraction still counts as loss-free (0: not one packet). */
const LOSS_FREE = 0;
/**
 * The CPU layout (2 CPUs or more): the generator on GEN_CPU, where veth also runs the receiving
 * side's softirq (XDP, the copy into the UMEM or the skb path up to AF_PACKET): the "interrupt
 * CPU" of a NIC; the capturer alone on RX_CPU, as AF_XDP wants it. What a tool costs in the
 * kernel therefore lowers the rate the generator reaches (measured: "offered"); what it costs
 * in its own process decides whether it keeps up. (Putting the NAPI on RX_CPU as a thread
 * instead starves the capturer under overload: receive livelock, measured and dropped.)
 */
const GEN_CPU = 0;
const RX_CPU = 1;
const PINNED = navigator.hardwareConcurrency >= 2;
/** CPUs' worth of other work on the host above which a trial counts as disturbed. */
const FOREIGN_CPU_MAX = 0.25;
/** Runs of one trial after a disturbed one, and in all (keeps the run bounded). */
const MAX_RETRIES = 2;
let retriesLeft = envNumber("BENCH_RETRIES", 12);
/** How long to wait for the host to go quiet before a trial. */
const QUIET_WAIT_S = envNumber("BENCH_QUIET_WAIT", 10);
/** All the waiting for quiet one run may do, so a busy host cannot stretch it without end. */
let quietBudgetMs = 90_000;

/**
 * Waits until the host is quiet: less than FOREIGN_CPU_MAX CPUs busy over half a second while
 * nothing of ours runs. Returns false when it never was within QUIET_WAIT_S.
 */
async function waitForQuiet(): Promise<boolean> {
  const deadline = performance.now() + Math.min(QUIET_WAIT_S * 1000, quietBudgetMs);
  const start = performance.now();
  try {
    for (;;) {
      const a = await procStatCpu();
      await sleep(500);
      const b = await procStatCpu();
      if ((b.busy - a.busy) / CLK_TCK / 0.5 < FOREIGN_CPU_MAX) return true;
      if (performance.now() >= deadline) return false;
      await sleep(500);
    }
  } finally {
    quietBudgetMs -= Math.max(0, performance.now() - start - 500);
  }
}

// ---------------------------------------------------------------------------
// Traffic

interface Profile {
  id: string;
  label: string;
  /** Frame lengths without FCS, sent round robin. */
  frames: number[];
}

const PROFILES: Profile[] = [
  { id: "udp64", label: "64-byte UDP frames (60 B + FCS)", frames: [60] },
  {
    id: "mix",
    label: "1500-byte mix: 60, 590, 1514, 1514 B round robin (avg 920 B)",
    frames: [60, 590, 1514, 1514],
  },
];

interface Generator {
  id: string;
  label: string;
  /** xdp_gen (bench/xdp_gen.c: XDP live frames) or trafgen (PF_PACKET TX ring). */
  kind: "xdpgen" | "trafgen";
  /** Packets per second, or undefined for full speed. */
  rate?: number;
}

/** Full speed, one CPU each: xdp_gen offers ~12 Mpps of udp64 here, trafgen ~0.6. */
const GENERATORS: Generator[] = [
  { id: "xdpgen", label: "xdp_gen (XDP live frames), 1 CPU, full speed", kind: "xdpgen" },
  { id: "trafgen", label: "trafgen --cpus 1, full speed", kind: "trafgen" },
];

function ratedGenerator(rate: number, id = `rate${rate / 1000}k`): Generator {
  return { id, label: `xdp_gen -r ${rate}`, kind: "xdpgen", rate };
}

function trafgenConfig(p: Profile, dst: string, src: string): string {
  return p.frames.map((len) => {
    const payload = len - 14 - 20 - 8;
    return `{ eth(da=${dst}, sa=${src}), ipv4(saddr=10.99.0.2, daddr=10.99.0.1, ttl=64), ` +
      `udp(sp=4000, dp=5000), fill(0x41, ${payload}) }`;
  }).join("\n") + "\n";
}

// ---------------------------------------------------------------------------
// Tools

type ToolKind = "sink" | "limit" | "xskdump" | "tcpdump" | "xdpdump";
type Mode = "native" | "generic";
type OutputKind = "none" | "null" | "tmpfs" | "disk";

interface Tool {
  id: string;
  kind: ToolKind;
  label: string;
  mode?: Mode;
  output: OutputKind;
}

const ALL_TOOLS: Tool[] = [
  {
    id: "sink-native",
    kind: "sink",
    label: "XDP drop sink (native)",
    mode: "native",
    output: "none",
  },
  {
    id: "sink-generic",
    kind: "sink",
    label: "XDP drop sink (generic)",
    mode: "generic",
    output: "none",
  },
  {
    id: "limit-native",
    kind: "limit",
    label: "C limit rx-drop (native)",
    mode: "native",
    output: "none",
  },
  {
    id: "limit-generic",
    kind: "limit",
    label: "C limit rx-drop (generic)",
    mode: "generic",
    output: "none",
  },
  {
    id: "limit-spin-native",
    kind: "limit",
    label: "C limit rx-drop, spinning (native)",
    mode: "native",
    output: "none",
  },
  {
    id: "limit-nap-native",
    kind: "limit",
    label: "C limit rx-drop, 1 ms nap when empty (native)",
    mode: "native",
    output: "none",
  },
  {
    id: "limit-w-native",
    kind: "limit",
    label: "C copy+write pcap, tmpfs (native)",
    mode: "native",
    output: "tmpfs",
  },
  {
    id: "xskdump-null-native",
    kind: "xskdump",
    label: "xskdump -w /dev/null (native)",
    mode: "native",
    output: "null",
  },
  {
    id: "xskdump-null-generic",
    kind: "xskdump",
    label: "xskdump -w /dev/null (generic)",
    mode: "generic",
    output: "null",
  },
  {
    id: "xskdump-tmpfs-native",
    kind: "xskdump",
    label: "xskdump -w tmpfs (native)",
    mode: "native",
    output: "tmpfs",
  },
  {
    id: "xskdump-tmpfs-generic",
    kind: "xskdump",
    label: "xskdump -w tmpfs (generic)",
    mode: "generic",
    output: "tmpfs",
  },
  {
    id: "xskdump-disk-native",
    kind: "xskdump",
    label: "xskdump -w disk (native)",
    mode: "native",
    output: "disk",
  },
  { id: "tcpdump", kind: "tcpdump", label: "tcpdump -w tmpfs (AF_PACKET)", output: "tmpfs" },
  { id: "tcpdump-disk", kind: "tcpdump", label: "tcpdump -w disk (AF_PACKET)", output: "disk" },
  {
    id: "xdpdump",
    kind: "xdpdump",
    label: "xdpdump -w tmpfs (native)",
    mode: "native",
    output: "tmpfs",
  },
];

/**
 * The tools of the rate sweep: the sink (the testbed's own loss floor), the C limit, xskdump to
 * a file in both modes, tcpdump and xdpdump.
 */
const SWEEP_TOOLS = [
  "sink-native",
  "limit-nap-native",
  "xskdump-tmpfs-native",
  "xskdump-tmpfs-generic",
  "tcpdump",
  "xdpdump",
];
/** The C limit variants: "the limit" of a cell is the best of those in the same mode. */
const LIMITS: Record<Mode, string[]> = {
  native: ["limit-native", "limit-spin-native", "limit-nap-native"],
  generic: ["limit-generic"],
};

/** What a tool said about its own run. */
interface ToolReport {
  captured: number;
  /** Redirected to the AF_XDP socket (xskdump, limit) or seen by the filter (tcpdump). */
  received?: number;
  /** Packets the XDP program ran on (xsk_limit reports it). */
  seen?: number;
  /** Kernel drop counts by reason, as the tool reports them. */
  drops: Record<string, number>;
  passedToStack?: number;
  exitCode?: number;
  fileBytes?: number;
  /** xsk_limit: fills refused with -ENOSPC (FQ full for a moment). */
  fillEnospc?: number;
  /** xskdump: the longest time its loop went without a take while packets arrived (ms). */
  longestGapMs?: number;
  /** xskdump -w: batches that found the writer's chunks all waiting for the file. */
  writerWaits?: number;
  error?: string;
}

interface Snapshot {
  t: number;
  txPackets: number;
  txDropped: number;
  rxPackets: number;
  rxDropped: number;
  /** /proc/stat aggregate "cpu" line, in clock ticks. */
  cpu: { busy: number; softirq: number; system: number; user: number; total: number };
  /** The tool's utime + stime in clock ticks, when it has a process. */
  procTicks?: number;
  rssKiB?: number;
  /** ksoftirqd threads' utime + stime, clock ticks: receive work deferred out of the sender. */
  ksoftirqdTicks: number;
  /** Packets the per-CPU backlog queues dropped (/proc/net/softnet_stat, all CPUs). */
  backlogDropped: number;
}

interface TrialResult {
  phase: "matrix" | "sweep" | "soak";
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
}

// ---------------------------------------------------------------------------
// Small helpers

const CLK_TCK = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads an interface counter from inside a namespace (sysfs is per namespace). */
async function ifCounters(ns: string, ifname: string): Promise<Record<string, number>> {
  const names = ["tx_packets", "tx_dropped", "rx_packets", "rx_dropped"];
  const r = await nsExec(ns, [
    "sh",
    "-c",
    names.map((n) => `cat /sys/class/net/${ifname}/statistics/${n}`).join(";"),
  ], { check: true });
  const vals = r.stdout.trim().split("\n").map(Number);
  return Object.fromEntries(names.map((n, i) => [n, vals[i]]));
}

/** pids of the ksoftirqd threads, found once. */
let ksoftirqdPids: number[] | undefined;

async function ksoftirqdTicks(): Promise<number> {
  if (!ksoftirqdPids) {
    ksoftirqdPids = [];
    for await (const e of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      const comm = await Deno.readTextFile(`/proc/${e.name}/comm`).catch(() => "");
      if (comm.startsWith("ksoftirqd/")) ksoftirqdPids.push(Number(e.name));
    }
  }
  let t = 0;
  for (const pid of ksoftirqdPids) t += (await procTicks(pid)) ?? 0;
  return t;
}

async function backlogDropped(): Promise<number> {
  const lines = (await Deno.readTextFile("/proc/net/softnet_stat")).trim().split("\n");
  return lines.reduce((sum, l) => sum + parseInt(l.trim().split(/\s+/)[1], 16), 0);
}

async function procStatCpu(): Promise<Snapshot["cpu"]> {
  const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
  const total = user + nice + system + idle + iowait + irq + softirq + (steal ?? 0);
  return { busy: total - idle - iowait, softirq, system, user: user + nice, total };
}

async function procTicks(pid: number): Promise<number | undefined> {
  try {
    const s = await Deno.readTextFile(`/proc/${pid}/stat`);
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  } catch {
    return undefined;
  }
}

async function rssKiB(pid: number): Promise<number | undefined> {
  try {
    const m = (await Deno.readTextFile(`/proc/${pid}/status`)).match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function snapshot(pair: VethPair, pid?: number): Promise<Snapshot> {
  const [snd, rcv, cpu, ksoft, backlog] = await Promise.all([
    ifCounters(pair.senderNs, pair.senderIf),
    ifCounters(pair.captureNs, pair.captureIf),
    procStatCpu(),
    ksoftirqdTicks(),
    backlogDropped(),
  ]);
  return {
    t: performance.now(),
    txPackets: snd.tx_packets,
    txDropped: snd.tx_dropped,
    rxPackets: rcv.rx_packets,
    rxDropped: rcv.rx_dropped,
    cpu,
    ksoftirqdTicks: ksoft,
    backlogDropped: backlog,
    procTicks: pid === undefined ? undefined : await procTicks(pid),
    rssKiB: pid === undefined ? undefined : await rssKiB(pid),
  };
}

function num(re: RegExp, text: string): number | undefined {
  const m = text.match(re);
  return m ? Number(m[1]) : undefined;
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return undefined;
  }
}

async function version(cmd: string[]): Promise<string> {
  try {
    const r = await run(cmd);
    return (r.stdout + r.stderr).split("\n").find((l) => l.trim())?.trim() ?? "";
  } catch {
    return "not installed";
  }
}

async function which(name: string): Promise<boolean> {
  return (await run(["sh", "-c", `command -v ${name}`])).code === 0;
}

// ---------------------------------------------------------------------------
// The generator

interface RunningGenerator {
  child: NsChild;
  /** Stops every sender; returns trafgen's own count and the senders' CPU seconds. */
  stop(): Promise<{ sent?: number; cpuSec: number }>;
}

/** The veth pair and what the generators need to address it. */
interface Testbed {
  pair: VethPair;
  /** trafgen configurations, one per profile. */
  cfgDir: string;
  src: string;
  dst: string;
}

/** Runs cmd on one CPU when the layout is pinned (taskset execs it: the pid stays). */
const onCpu = (cpu: number, cmd: string[]) => PINNED ? ["taskset", "-c", String(cpu), ...cmd] : cmd;

/**
 * Starts the generator in the sender namespace in a session of its own (setsid keeps the pid),
 * so one signal reaches every forked sender; whatever is still in the namespace afterwards is
 * SIGKILLed (a trafgen child can outlive its parent).
 */
function startGenerator(bed: Testbed, profile: Profile, gen: Generator): RunningGenerator {
  const { pair } = bed;
  const args = gen.kind === "xdpgen"
    ? [
      GEN_BIN,
      "-o",
      GEN_OBJ,
      "-i",
      pair.senderIf,
      "-s",
      bed.src,
      "-m",
      bed.dst,
      "-l",
      profile.frames.join(","),
      ...(gen.rate ? ["-r", String(gen.rate)] : []),
    ]
    : [
      "trafgen",
      "-o",
      pair.senderIf,
      "-i",
      `${bed.cfgDir}/${profile.id}.cfg`,
      "--cpus",
      "1",
      ...(gen.rate ? ["-b", `${gen.rate}pps`] : []),
    ];
  const child = spawnInNs(pair.senderNs, ["setsid", ...onCpu(GEN_CPU, args)], undefined, {
    collectStdout: true,
  });
  return {
    child,
    async stop() {
      // CPU of every sender process, read while they still run (forked ones included).
      let ticks = 0;
      const pids = (await run(["ip", "netns", "pids", pair.senderNs])).stdout.split(/\s+/);
      for (const p of pids.filter(Boolean)) ticks += (await procTicks(Number(p))) ?? 0;
      await run(["kill", "-INT", "--", `-${child.pid}`]);
      try {
        await child.waitExit(3000);
      } catch {
        // Some sender did not stop on SIGINT: the sweep below ends it.
      }
      await killNamespace(pair.senderNs);
      await child.stop();
      const out = new TextDecoder().decode(child.stdoutBytes()) + child.stderrText();
      const sent = gen.kind === "xdpgen"
        ? num(/"frames":(\d+)/, out)
        : num(/(\d+) packets outgoing/, out);
      return { sent, cpuSec: ticks / CLK_TCK };
    },
  };
}

async function killNamespace(ns: string): Promise<void> {
  const pids = (await run(["ip", "netns", "pids", ns])).stdout.split(/\s+/).filter(Boolean);
  for (const pid of pids) {
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  for (let i = 0; i < 50; i++) {
    if ((await run(["ip", "netns", "pids", ns])).stdout.trim() === "") return;
    await sleep(20);
  }
}

/**
 * Makes every generator reach the receiving veth the same way: GRO on gives it a NAPI context
 * with or without an XDP program (xdp_gen's frames need one; veth refuses them otherwise), and
 * TSO off on the sender stops veth from handing trafgen's skbs to the sending CPU's backlog
 * instead. That NAPI runs in softirq on the sending CPU (GEN_CPU).
 */
async function setupReceiver(pair: VethPair): Promise<void> {
  await nsExec(pair.senderNs, ["ethtool", "-K", pair.senderIf, "tso", "off", "gso", "off"], {
    check: true,
  });
  await nsExec(pair.captureNs, ["ethtool", "-K", pair.captureIf, "gro", "on"], { check: true });
}

// ---------------------------------------------------------------------------
// Running one tool

interface RunningTool {
  pid?: number;
  stop(): Promise<ToolReport>;
}

function outputPath(tool: Tool, tag: string): string | undefined {
  switch (tool.output) {
    case "null":
      return "/dev/null";
    case "tmpfs":
      return `${TMPFS_DIR}/xskbench-${Deno.pid}-${tag}.pcap`;
    case "disk":
      return `${DISK_DIR}/xskbench-${Deno.pid}-${tag}.pcap`;
    default:
      return undefined;
  }
}

async function detachXdp(pair: VethPair): Promise<void> {
  for (const m of ["xdpdrv", "xdpgeneric"]) {
    await run(["ip", "-n", pair.captureNs, "link", "set", "dev", pair.captureIf, m, "off"]);
  }
}

async function startTool(pair: VethPair, tool: Tool, out?: string): Promise<RunningTool> {
  const ifname = pair.captureIf;
  if (tool.kind === "sink") {
    const how = tool.mode === "native" ? "xdpdrv" : "xdpgeneric";
    await run(
      [
        "ip",
        "-n",
        pair.captureNs,
        "link",
        "set",
        "dev",
        ifname,
        how,
        "obj",
        SINK_OBJ,
        "sec",
        "xdp",
      ],
      { check: true },
    );
    return {
      async stop() {
        await detachXdp(pair);
        return { captured: 0, drops: {} };
      },
    };
  }
  let cmd: string[];
  let ready: RegExp;
  switch (tool.kind) {
    case "limit":
      cmd = [
        LIMIT_BIN,
        "-i",
        ifname,
        "-m",
        tool.mode!,
        ...(out ? ["-w", out] : []),
        ...(tool.id.includes("spin") ? ["-s"] : []),
        ...(tool.id.includes("nap") ? ["-u", "1000"] : []),
        // xskdump's default UMEM in that mode (16384 frames; lib/capture/session.ts frameSizeFor).
        ...(tool.mode === "generic"
          ? ["-f", "16384", "-F", "4096"]
          : ["-f", "16384", "-F", "2048"]),
      ];
      ready = new RegExp(`^listening on ${ifname}, queue \\d+, mode ${tool.mode}`);
      break;
    case "xskdump":
      cmd = [
        XSKDUMP_BIN,
        "-i",
        ifname,
        "-w",
        out!,
        "--mode",
        tool.mode!,
        "--json",
        ...XSKDUMP_EXTRA,
      ];
      ready = new RegExp(`^listening on ${ifname}, queue \\d+, mode ${tool.mode}`);
      break;
    case "tcpdump":
      // tcpdump's defaults (2 MiB buffer, TPACKET_V3); -Z root writes into root's files.
      cmd = ["tcpdump", "-i", ifname, "-n", "-Z", "root", "-w", out!];
      ready = new RegExp(`listening on ${ifname}\\b`);
      break;
    case "xdpdump":
      cmd = [
        "xdpdump",
        "-i",
        ifname,
        "--load-xdp-program",
        "--load-xdp-mode",
        tool.mode === "native" ? "native" : "skb",
        "-w",
        out!,
      ];
      ready = new RegExp(`^listening on ${ifname}`);
      break;
    default:
      throw new Error(`unknown tool kind ${tool.kind}`);
  }
  const env = { PATH: `${ROOT}.tools/node_modules/.bin:${Deno.env.get("PATH") ?? ""}` };
  const child = spawnInNs(pair.captureNs, onCpu(RX_CPU, cmd), env, {
    collectStdout: tool.kind === "limit",
  });
  try {
    await child.waitForStderrLine(ready, 20000);
  } catch (e) {
    await child.stop();
    throw e;
  }
  return {
    pid: child.pid,
    async stop() {
      child.signal("SIGINT");
      let exitCode: number | undefined;
      try {
        exitCode = (await child.waitExit(30000)).code;
      } catch {
        exitCode = (await child.stop()).code;
      }
      const err = child.stderrText();
      const report = parseReport(tool, err, new TextDecoder().decode(child.stdoutBytes()));
      report.exitCode = exitCode;
      if (out && out !== "/dev/null") report.fileBytes = await fileSize(out);
      if (exitCode !== 0 && !report.error) {
        report.error = `exit ${exitCode}: ${err.trim().split("\n").slice(-3).join(" | ")}`;
      }
      return report;
    },
  };
}

function parseReport(tool: Tool, stderr: string, stdout: string): ToolReport {
  switch (tool.kind) {
    case "limit": {
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        const j = JSON.parse(line) as Record<string, number>;
        return {
          captured: j.captured,
          received: j.redirected,
          seen: j.seen,
          passedToStack: j.passed,
          drops: {
            xskNoFreeFrame: j.rx_dropped,
            xskRxRingFull: j.rx_ring_full,
            xskInvalid: j.rx_invalid,
          },
          fillEnospc: j.fill_enospc,
        };
      } catch {
        return { captured: 0, drops: {}, error: `no result: ${stderr.trim().slice(-300)}` };
      }
    }
    case "xskdump": {
      // --json: the summary is one JSON object, the last line of stderr.
      const json = stderr.trim().split("\n").reverse().find((l) =>
        l.startsWith('{"type":"summary"')
      );
      if (json) {
        const j = JSON.parse(json);
        const broken = Object.values(j.integrity as Record<string, number>).reduce(
          (a, b) => a + b,
          0,
        );
        return {
          captured: j.captured,
          received: j.received,
          passedToStack: j.passed,
          drops: {
            xskRxRingFull: j.dropped.rx_ring_full,
            xskNoFreeFrame: j.dropped.no_free_frame,
            xskInvalid: j.dropped.invalid,
            ...(broken ? { ringContract: broken } : {}),
          },
          longestGapMs: j.longest_gap_ms,
          writerWaits: j.writer?.waits,
          error: j.error,
        };
      }
      const captured = num(/(\d+) packets? captured/, stderr);
      const m = stderr.match(
        /(\d+) packets? dropped by kernel \(rx ring full (\d+), no free frame (\d+), invalid (\d+)\)/,
      );
      const integrity = num(/(\d+) RX descriptors? broke the ring contract/, stderr);
      return {
        captured: captured ?? 0,
        received: num(/(\d+) packets? received by filter/, stderr),
        passedToStack: num(/(\d+) packets? passed to the stack/, stderr),
        drops: {
          xskRxRingFull: m ? Number(m[2]) : NaN,
          xskNoFreeFrame: m ? Number(m[3]) : NaN,
          xskInvalid: m ? Number(m[4]) : NaN,
          ...(integrity ? { ringContract: integrity } : {}),
        },
        error: captured === undefined ? `no summary: ${stderr.trim().slice(-300)}` : undefined,
      };
    }
    case "tcpdump": {
      const captured = num(/(\d+) packets? captured/, stderr);
      return {
        captured: captured ?? 0,
        received: num(/(\d+) packets? received by filter/, stderr),
        drops: { afPacketKernel: num(/(\d+) packets? dropped by kernel/, stderr) ?? NaN },
        error: captured === undefined ? `no summary: ${stderr.trim().slice(-300)}` : undefined,
      };
    }
    case "xdpdump": {
      const captured = num(/(\d+) packets? captured/, stderr);
      return {
        captured: captured ?? 0,
        drops: { perfRing: num(/(\d+) packets? dropped by perf ring/, stderr) ?? NaN },
        error: captured === undefined ? `no summary: ${stderr.trim().slice(-300)}` : undefined,
      };
    }
    default:
      return { captured: 0, drops: {} };
  }
}

// ---------------------------------------------------------------------------
// One trial: one tool, one profile, one generator, bounded time

interface TrialSpec {
  phase: TrialResult["phase"];
  profile: Profile;
  gen: Generator;
  tool: Tool;
  seconds: number;
  /** RSS sampling period during traffic, ms. */
  rssEveryMs?: number;
}

async function trial(bed: Testbed, spec: TrialSpec): Promise<TrialResult> {
  const { profile, gen, tool } = spec;
  const { pair } = bed;
  const tag = `${profile.id}-${gen.id}-${tool.id}`;
  const out = outputPath(tool, tag);
  await detachXdp(pair);
  const running = await startTool(pair, tool, out);
  const pid = running.pid;
  let report: ToolReport | undefined;
  try {
    await sleep(200);
    const before = await snapshot(pair, pid);
    const rssSamples: [number, number][] = [];
    if (before.rssKiB !== undefined) rssSamples.push([0, before.rssKiB]);
    const generator = startGenerator(bed, profile, gen);
    const t0 = performance.now();
    const every = spec.rssEveryMs ?? 500;
    while (performance.now() - t0 < spec.seconds * 1000) {
      await sleep(Math.min(every, spec.seconds * 1000 - (performance.now() - t0)));
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
    report = await running.stop();
    if (out && out !== "/dev/null") await Deno.remove(out).catch(() => {});

    const seconds = (after.t - before.t) / 1000;
    const offered = after.txPackets - before.txPackets + after.txDropped - before.txDropped;
    const arrived = after.rxPackets - before.rxPackets;
    const captured = tool.kind === "sink" ? arrived : report.captured;
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
    const procSec = pid !== undefined && after.procTicks !== undefined &&
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
  } finally {
    if (!report) {
      await running.stop().catch(() => {});
      await killNamespace(pair.senderNs);
      if (out && out !== "/dev/null") await Deno.remove(out).catch(() => {});
    }
    await detachXdp(pair);
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ---------------------------------------------------------------------------
// Output: table, ratios, plot

const mpps = (pps: number) => (pps / 1e6).toFixed(3);

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function lpad(s: string, n: number): string {
  return s.length >= n ? s : " ".repeat(n - s.length) + s;
}

function printTable(results: TrialResult[]): void {
  const head = [
    pad("tool", 22),
    lpad("offered Mpps", 12),
    lpad("captured Mpps", 13),
    lpad("loss %", 8),
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
    if (r.phase === "sweep") continue;
    if (g !== group) {
      console.log(`\n== ${g}`);
      console.log(head);
      group = g;
    }
    const drops = Object.entries(r.dropsByReason).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`)
      .join(", ");
    console.log([
      pad(r.tool, 22),
      lpad(mpps(r.offeredPps), 12),
      lpad(mpps(r.capturedPps), 13),
      lpad(r.lossPct.toFixed(2), 8),
      lpad(r.procCpuNsPerPkt?.toString() ?? "-", 11),
      lpad(r.sysCpuNsPerPkt.toString(), 10),
      lpad(r.rssMaxKiB ? (r.rssMaxKiB / 1024).toFixed(1) : "-", 8),
      lpad(r.foreignCpuSec.toFixed(2) + (r.disturbed ? "!" : ""), 9),
      "  " + (r.report.error ? `ERROR ${r.report.error}` : drops || "-"),
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
  ];
  for (const p of PROFILES) {
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
}

function lossFreeRates(results: TrialResult[]): LossFree[] {
  const out: LossFree[] = [];
  for (const id of SWEEP_TOOLS) {
    // Disturbed trials say more about the host than about the tool: left out here.
    const pts = results.filter((r) =>
      r.tool === id && r.profile === "udp64" && (r.phase === "sweep" || r.phase === "matrix") &&
      !r.report.error && !r.disturbed
    ).sort((a, b) => a.offeredPps - b.offeredPps);
    if (!pts.length) continue;
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
    out.push({
      tool: id,
      lossFreePps: best,
      firstLossPps: firstLoss,
      lowerBound: firstLoss === undefined,
      kernelBoundAt: firstLoss === undefined && held.length
        ? Math.max(...held.map((p) => p.requestedRate!))
        : undefined,
    });
  }
  return out;
}

/** The tools on the plot (all are in the JSON and the table; more lines would hide these). */
const PLOTTED = [
  "sink-native",
  "sink-generic",
  "limit-nap-native",
  "limit-generic",
  "xskdump-tmpfs-native",
  "xskdump-tmpfs-generic",
  "xskdump-disk-native",
  "tcpdump",
  "tcpdump-disk",
  "xdpdump",
];

async function plot(
  results: TrialResult[],
  dd: DdResult[],
  stem: string,
): Promise<string | undefined> {
  if (!(await which("gnuplot"))) return undefined;
  const dir = await Deno.makeTempDir({ prefix: "xskbench-plot-" });
  try {
    const series: { file: string; title: string; profile: string }[] = [];
    const tools = [...new Set(results.filter((r) => r.phase !== "soak").map((r) => r.tool))]
      .filter((t) => PLOTTED.includes(t));
    for (const profile of PROFILES.map((p) => p.id)) {
      for (const t of tools) {
        const pts = results.filter((r) =>
          r.tool === t && r.profile === profile && r.phase !== "soak" && !r.report.error
        ).sort((a, b) => a.offeredPps - b.offeredPps);
        if (!pts.length) continue;
        const file = `${dir}/${profile}-${t}.dat`;
        await Deno.writeTextFile(
          file,
          pts.map((p) => `${p.offeredPps / 1e6} ${p.capturedPps / 1e6}`).join("\n") + "\n",
        );
        series.push({ file, title: t, profile });
      }
    }
    const png = `${stem}.png`;
    // Where the tools differ: offered on a log scale (the sweep's 0.25 Mpps to the generator's
    // 10+), captured up to the best capturer, not to the drop sink's 13-22 Mpps.
    const panel = (profile: Profile) => {
      const s = series.filter((x) => x.profile === profile.id);
      const mine = results.filter((r) => r.profile === profile.id && r.phase !== "soak");
      const capturers = mine.filter((r) => !r.tool.startsWith("sink"));
      const maxX = Math.max(0.5, ...mine.map((r) => r.offeredPps / 1e6)) * 1.3;
      const maxY = Math.max(0.1, ...capturers.map((r) => r.capturedPps / 1e6)) * 1.15;
      return [
        `set title "${profile.label}"`,
        `set logscale x`,
        `set xtics (0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24)`,
        `set xrange [0.2:${maxX}]`,
        `set yrange [0:${maxY}]`,
        `set xlabel "offered (Mpps, measured on the sender veth; log scale)"`,
        `set ylabel "captured (Mpps)"`,
        `set key top left font ",8"`,
        `plot x title "captured = offered" with lines dashtype 2 lc rgb "#888888", ` +
        s.map((x) => `"${x.file}" using 1:2 title "${x.title}" with linespoints`).join(", "),
        `unset logscale x`,
        `set xtics autofreq`,
      ].join("\n");
    };
    // The file rows of the mix with xdp_gen: bytes written per second, dd's new pages beside.
    const writers = results.filter((r) =>
      r.phase === "matrix" && r.profile === "mix" && r.generator === "xdpgen" && r.writtenBps
    );
    await Deno.writeTextFile(
      `${dir}/bytes.dat`,
      writers.map((r, i) => `${i} "${r.tool}" ${r.writtenBps! / 1e9}`).join("\n") + "\n",
    );
    const ceilings = (["tmpfs", "disk"] as const).map((fs) => [fs, ceilingOf(dd, fs)] as const)
      .filter(([, c]) => c !== undefined);
    const bytesPanel = writers.length
      ? [
        `set title "mix, xdp_gen: file bytes written per second (lines: dd of new pages)"`,
        `set style fill solid 0.5`,
        `set boxwidth 0.6`,
        `set xrange [-0.7:${writers.length - 0.3}]`,
        `set yrange [0:${
          Math.max(
            ...writers.map((r) => r.writtenBps! / 1e9),
            ...ceilings.map(([, c]) => c! / 1e9),
          ) *
          1.15
        }]`,
        `set xtics rotate by -30 font ",8"`,
        `set xlabel ""`,
        `set ylabel "GB/s"`,
        `plot "${dir}/bytes.dat" using 1:3:xtic(2) with boxes notitle` +
        ceilings.map(([fs, c]) =>
          `, ${c! / 1e9} title "dd ${fs} ${(c! / 1e9).toFixed(2)} GB/s" with lines dashtype 2`
        ).join(""),
      ].join("\n")
      : "";
    const shown = PROFILES.filter((p) => series.some((x) => x.profile === p.id));
    const script = [
      `set terminal png size ${700 * (shown.length + (bytesPanel ? 1 : 0))},750 font ",10"`,
      `set termoption noenhanced`,
      `set output "${png}"`,
      `set multiplot layout 1,${
        shown.length + (bytesPanel ? 1 : 0)
      } title "xskdump bench: captured vs offered ` +
      `rate (veth; ${new Date().toISOString().slice(0, 16)})"`,
      `set grid`,
      ...shown.map(panel),
      bytesPanel,
      `unset multiplot`,
    ].join("\n");
    await Deno.writeTextFile(`${dir}/plot.gp`, script);
    const r = await run(["gnuplot", `${dir}/plot.gp`]);
    if (r.code !== 0) {
      console.error(`gnuplot failed: ${r.stderr.trim()}`);
      return undefined;
    }
    return png;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
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
    rate: SOAK_RATE,
    warmSeconds,
    rssStartKiB: warm[0]?.[1] ?? soak.rssStartKiB,
    rssEndKiB: soak.rssEndKiB,
    rssMaxKiB: soak.rssMaxKiB,
    growthKiBPerMin: Math.round(slope * 60),
    lossPct: soak.lossPct,
  };
}

// ---------------------------------------------------------------------------
// Main

async function macOf(ns: string, ifname: string): Promise<string> {
  const r = await run(["ip", "-n", ns, "-j", "link", "show", "dev", ifname], { check: true });
  return (JSON.parse(r.stdout) as { address: string }[])[0].address;
}

async function gitState(): Promise<{ commit: string; dirty: boolean }> {
  const repo = Deno.env.get("BENCH_REPO") ?? ROOT;
  const c = await run(["git", "-C", repo, "rev-parse", "--short", "HEAD"]);
  const d = await run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"]);
  return { commit: c.stdout.trim(), dirty: d.stdout.trim() !== "" };
}

async function main(): Promise<number> {
  if (Deno.uid() !== 0) {
    console.error("bench: needs root (network namespaces, XDP)");
    return 1;
  }
  for (const f of [LIMIT_BIN, SINK_OBJ, GEN_BIN, GEN_OBJ, XSKDUMP_BIN]) {
    if (!(await fileSize(f))) {
      console.error(`bench: ${f} is missing: run \`make bench\` (it builds it)`);
      return 1;
    }
  }
  const haveXdpdump = await which("xdpdump");
  const profiles = PROFILES.filter((p) => envList("BENCH_PROFILES")?.includes(p.id) ?? true);
  const generators = GENERATORS.filter((g) => envList("BENCH_GENERATORS")?.includes(g.id) ?? true);
  const tools = ALL_TOOLS.filter((t) =>
    (ONLY_TOOLS?.includes(t.id) ?? true) && (t.kind !== "xdpdump" || haveXdpdump)
  );
  const notes: string[] = [];
  if (!haveXdpdump) notes.push("xdpdump not installed (xdp-tools): not measured");

  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  await Deno.mkdir(OUT_DIR, { recursive: true });
  const stem = `${OUT_DIR}/${stamp}`;
  const meta = {
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
    trialSeconds: DURATION_S,
    soakSeconds: SOAK_S,
    xskdumpExtraArgs: XSKDUMP_EXTRA,
    tmpfsDir: TMPFS_DIR,
    diskDir: DISK_DIR,
  };
  console.log(
    `xskdump bench: ${meta.kernel}, ${meta.cpus} CPUs, load ${meta.loadavgBefore}, ` +
      `git ${meta.git.commit}${meta.git.dirty ? " (dirty)" : ""}; ${DURATION_S} s per trial`,
  );

  // The harness and everything it runs (ip, ps, ethtool) stay off the capturer's CPU.
  if (PINNED) {
    await run(["taskset", "-a", "-pc", String(GEN_CPU), String(Deno.pid)], { check: true });
  }
  const results: TrialResult[] = [];
  const dd: DdResult[] = [];
  const cfgDir = await Deno.makeTempDir({ prefix: "xskbench-" });
  const started = performance.now();
  try {
    await withVethPair(async (pair) => {
      const dst = await macOf(pair.captureNs, pair.captureIf);
      const src = await macOf(pair.senderNs, pair.senderIf);
      for (const p of PROFILES) {
        await Deno.writeTextFile(`${cfgDir}/${p.id}.cfg`, trafgenConfig(p, dst, src));
      }
      await setupReceiver(pair);
      const bed: Testbed = { pair, cfgDir, src, dst };
      const go = async (spec: TrialSpec) => {
        const label = `${spec.phase} ${spec.profile.id} ${spec.gen.id} ${spec.tool.id}`;
        try {
          // A trial that other work on the host disturbed is run again (a bounded number of
          // times); the least disturbed attempt is kept, and marked when it still was.
          let best: TrialResult | undefined;
          for (let attempt = 1; attempt <= 1 + MAX_RETRIES; attempt++) {
            const quiet = await waitForQuiet();
            if (!quiet && !notes.includes(`${label}: the host was busy before the trial`)) {
              notes.push(`${label}: the host was busy before the trial`);
            }
            const r = await trial(bed, spec);
            r.attempts = attempt;
            r.disturbed = r.foreignCpuSec > FOREIGN_CPU_MAX * r.seconds;
            if (!best || r.foreignCpuSec < best.foreignCpuSec) best = r;
            if (!r.disturbed || spec.phase === "soak" || retriesLeft <= 0) break;
            if (attempt > MAX_RETRIES) break;
            retriesLeft--;
            console.error(
              `  ${label}: disturbed (${r.foreignCpuSec} CPU-s of other work), again`,
            );
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
      };

      for (const profile of profiles) {
        // What the machine writes into new pages, beside the rows that write the most.
        const ddNow = async (when: string) => {
          if (profile.id !== "mix" || DD_MB <= 0) return;
          for (const [fs, dir] of [["tmpfs", TMPFS_DIR], ["disk", DISK_DIR]] as const) {
            dd.push(...await ddNewPages(fs, dir, when, PINNED ? RX_CPU : undefined, DD_MB));
          }
        };
        await ddNow("before the mix rows");
        for (const gen of generators) {
          for (const tool of tools) {
            await go({ phase: "matrix", profile, gen, tool, seconds: DURATION_S });
          }
        }
        await ddNow("after the mix rows");
      }

      if (SWEEP && profiles.some((p) => p.id === "udp64")) {
        const udp64 = PROFILES[0];
        for (const id of SWEEP_TOOLS) {
          const tool = tools.find((t) => t.id === id);
          if (!tool) continue;
          let lossy = 0;
          for (const rate of SWEEP_RATES) {
            const gen = ratedGenerator(rate);
            const r = await go({ phase: "sweep", profile: udp64, gen, tool, seconds: DURATION_S });
            // Two lossy steps in a row: higher rates only lose more.
            lossy = r && r.lost > r.offered * LOSS_FREE && !r.disturbed ? lossy + 1 : 0;
            if (lossy >= 2) break;
          }
        }
      }

      if (SOAK_S > 0) {
        const tool = ALL_TOOLS.find((t) => t.id === "xskdump-null-native")!;
        const gen = ratedGenerator(SOAK_RATE, `soak${SOAK_RATE / 1000}k`);
        console.error(`  soak: ${SOAK_S} s of ${SOAK_RATE} pps into ${tool.id}`);
        await go({
          phase: "soak",
          profile: PROFILES[0],
          gen,
          tool,
          seconds: SOAK_S,
          rssEveryMs: 1000,
        });
      }
    }, {});
  } finally {
    await Deno.remove(cfgDir, { recursive: true }).catch(() => {});
  }

  const ratioList = ratios(results);
  const lossFree = lossFreeRates(results);
  const tcpLf = lossFree.find((l) => l.tool === "tcpdump");
  const soak = results.find((r) => r.phase === "soak");
  const summary = {
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
    soak: soak ? soakSummary(soak) : undefined,
    ceilings: dd,
    targets: [] as Target[],
  };
  summary.targets = targets(results, lossFree, dd, LIMITS.native, summary.soak);
  const png = await plot(results, dd, stem);
  const doc = {
    meta: { ...meta, wallSeconds: Math.round((performance.now() - started) / 1000) },
    profiles: PROFILES,
    generators: GENERATORS,
    tools: ALL_TOOLS,
    results,
    summary,
    plot: png,
    notes,
  };
  await Deno.writeTextFile(`${stem}.json`, JSON.stringify(doc, null, 1) + "\n");

  printTable(results);
  console.log("\n== ratios (captured rate, same run, same load)");
  for (const r of ratioList) {
    console.log(
      `${pad(`${r.profile} ${r.generator}`, 14)} ${pad(`${r.numerator} / ${r.denominator}`, 44)} ` +
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
          : `, first loss at ${mpps(l.firstLossPps!)} Mpps`),
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
  if (dd.length) {
    console.log(
      "\n== new pages, dd on the capturer's CPU (the ceiling for a file's bytes per second)",
    );
    for (const d of dd) {
      console.log(
        `${pad(`${d.fs} bs=${d.bs}`, 14)} ${(d.bytesPerSec / 1e9).toFixed(2)} GB/s (${d.when})`,
      );
    }
  }
  console.log("\n== targets (issue 15), this run");
  for (const t of summary.targets) {
    const v = t.value === undefined ? "-" : String(t.value);
    const verdict = t.met === undefined ? "not measured" : t.met ? "met" : "NOT MET";
    console.log(
      `${pad(t.id, 20)} ${lpad(v, 7)} ${t.atMost ? "<=" : ">="} ${pad(String(t.target), 5)} ` +
        `${pad(verdict, 12)} ${t.what}: ${t.detail}`,
    );
  }
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`\nresults: ${stem}.json${png ? `\nplot:    ${png}` : ""}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
