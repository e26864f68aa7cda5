/**
 * The host under the bench: where each process runs (CPU pinning), what the kernel counts
 * (interface counters, CPU time, softirq backlog drops, RSS), whether other work disturbs a
 * trial, how the veth pair is set up (GRO, TSO, queues), and the generators (xdp_gen, trafgen).
 * @module
 */
import {
  killAllIn,
  linkCounters,
  macOf,
  mirrorForStream,
  nsExec,
  pidsIn,
  run,
  type Sender,
  setQueues,
  startSender,
  streamTransfer,
  trafgenConfig,
  type Transfer,
  type VethPair,
} from "../testbed/mod.ts";
import type { Generator, Profile } from "./catalog.ts";
import { generatorSent } from "./parse.ts";

const BUILD = new URL("../build/", import.meta.url).pathname;
export const GEN_BIN = `${BUILD}xdp_gen`;
export const GEN_OBJ = `${BUILD}xdp_gen.bpf.o`;

/**
 * The CPU layout (2 CPUs or more): the generator on GEN_CPU, where veth also runs the receiving
 * side's softirq (XDP, the copy into the UMEM or the skb path up to AF_PACKET): the "interrupt
 * CPU" of a NIC; the capturer alone on RX_CPU, as AF_XDP wants it. What a tool costs in the
 * kernel therefore lowers the rate the generator reaches (measured: "offered"); what it costs
 * in its own process decides whether it keeps up. (Putting the NAPI on RX_CPU as a thread
 * instead starves the capturer under overload: receive livelock, measured and dropped.)
 */
export const GEN_CPU = 0;
export const RX_CPU = 1;
export const PINNED = navigator.hardwareConcurrency >= 2;

/** Runs cmd on one CPU when the layout is pinned (taskset execs it: the pid stays). */
export const onCpu = (cpu: number, cmd: string[]) =>
  PINNED ? ["taskset", "-c", String(cpu), ...cmd] : cmd;

export const CLK_TCK = 100;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// What the kernel counts

export interface Snapshot {
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
  /** IP packets the capture namespace's stack received (Ip InReceives, /proc/net/snmp). */
  stackReceived: number;
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

/** A process's utime + stime (all its threads), clock ticks. */
export async function procTicks(pid: number): Promise<number | undefined> {
  try {
    const s = await Deno.readTextFile(`/proc/${pid}/stat`);
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
  } catch {
    return undefined;
  }
}

export async function rssKiB(pid: number): Promise<number | undefined> {
  try {
    const m = (await Deno.readTextFile(`/proc/${pid}/status`)).match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Ip InReceives of a namespace: the IP packets its stack received. */
async function ipInReceives(ns: string): Promise<number> {
  const lines = (await nsExec(ns, ["cat", "/proc/net/snmp"], { check: true })).stdout.split("\n")
    .filter((l) => l.startsWith("Ip: "));
  const names = lines[0].split(/\s+/);
  return Number(lines[1].split(/\s+/)[names.indexOf("InReceives")]);
}

/** The counters a trial reads before and after its traffic (and the tool's, given its pid). */
export async function snapshot(pair: VethPair, pid?: number): Promise<Snapshot> {
  const [snd, rcv, cpu, ksoft, backlog, stack] = await Promise.all([
    linkCounters(pair.senderNs, pair.senderIf),
    linkCounters(pair.captureNs, pair.captureIf),
    procStatCpu(),
    ksoftirqdTicks(),
    backlogDropped(),
    ipInReceives(pair.captureNs),
  ]);
  return {
    t: performance.now(),
    txPackets: snd.txPackets,
    txDropped: snd.txDropped,
    rxPackets: rcv.rxPackets,
    rxDropped: rcv.rxDropped,
    cpu,
    ksoftirqdTicks: ksoft,
    backlogDropped: backlog,
    stackReceived: stack,
    procTicks: pid === undefined ? undefined : await procTicks(pid),
    rssKiB: pid === undefined ? undefined : await rssKiB(pid),
  };
}

// ---------------------------------------------------------------------------
// Other work on the host

/** CPUs' worth of other work on the host above which a trial counts as disturbed. */
export const FOREIGN_CPU_MAX = 0.25;

/** How long to wait for the host to go quiet before a trial, and in all one run may. */
const quiet = { waitS: 10, budgetMs: 90_000 };

export function quietLimits(waitS: number): void {
  quiet.waitS = waitS;
}

/**
 * Waits until the host is quiet: less than FOREIGN_CPU_MAX CPUs busy over half a second while
 * nothing of ours runs. Returns false when it never was within the wait (10 s, BENCH_QUIET_WAIT;
 * 90 s in all, so a busy host cannot stretch a run without end).
 */
export async function waitForQuiet(): Promise<boolean> {
  const deadline = performance.now() + Math.min(quiet.waitS * 1000, quiet.budgetMs);
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
    quiet.budgetMs -= Math.max(0, performance.now() - start - 500);
  }
}

// ---------------------------------------------------------------------------
// The veth pair and the generators

/** The veth pair and what the generators need to address it. */
export interface Bed {
  pair: VethPair;
  /** trafgen configurations, one per profile. */
  cfgDir: string;
  src: string;
  dst: string;
  /** RX (and TX) queues both ends have now. */
  queues: number;
  /** The MTU both ends have now. */
  mtu: number;
  /** A stream bed's own pair (the receiver on xc0), where `pair` is its captured copy. */
  streamPair?: VethPair;
}

/** RX queues the veth is made with: the 4-queue row's; the others run on one. */
export const MAX_QUEUES = 4;
/** UDP source ports trafgen counts through, so the flow hash can spread them over queues. */
const FLOWS = 64;

/**
 * Makes every generator reach the receiving veth the same way: GRO on gives it a NAPI context
 * with or without an XDP program (xdp_gen's frames need one; veth refuses them otherwise), and
 * TSO off on the sender stops veth from handing trafgen's skbs to the sending CPU's backlog
 * instead. That NAPI runs in softirq on the sending CPU (GEN_CPU). One queue to start with.
 */
export async function setupBed(pair: VethPair, profiles: Profile[], cfgDir: string) {
  await nsExec(pair.senderNs, ["ethtool", "-K", pair.senderIf, "tso", "off", "gso", "off"], {
    check: true,
  });
  await nsExec(pair.captureNs, ["ethtool", "-K", pair.captureIf, "gro", "on"], { check: true });
  await setQueues(pair, 1);
  const dst = await macOf(pair.captureNs, pair.captureIf);
  const src = await macOf(pair.senderNs, pair.senderIf);
  for (const p of profiles.filter((p) => p.frames.length > 0)) {
    await Deno.writeTextFile(`${cfgDir}/${p.id}.cfg`, trafgenConfig(p.frames, src, dst, FLOWS));
  }
  return { pair, cfgDir, src, dst, queues: 1, mtu: 1500 } satisfies Bed;
}

/**
 * The bed of the stream rows, on a veth pair of its own: the flooding bridge of
 * testbed/tcp_stream.ts, TSO at the sender, GRO at the captured xc1, one queue. `pair` is the
 * captured copy (xs1 to xc1): the tools listen there and its counters are the trial's.
 */
export async function setupStreamBed(pair: VethPair): Promise<Bed> {
  const mirrored = await mirrorForStream(pair);
  const [src, dst] = [
    await macOf(pair.senderNs, "br0"),
    await macOf(pair.captureNs, pair.captureIf),
  ];
  return { pair: mirrored, cfgDir: "", src, dst, queues: 1, mtu: 1500, streamPair: pair };
}

/** Gives both ends of the veth an MTU of `mtu` (no XDP program may be attached). */
export async function useMtu(bed: Bed, mtu: number): Promise<void> {
  if (bed.mtu === mtu) return;
  for (
    const [ns, ifname] of [[bed.pair.captureNs, bed.pair.captureIf], [
      bed.pair.senderNs,
      bed.pair.senderIf,
    ]]
  ) {
    await nsExec(ns, ["ip", "link", "set", "dev", ifname, "mtu", String(mtu)], { check: true });
  }
  bed.mtu = mtu;
}

/** Gives both ends of the veth `n` RX and TX queues (no XDP program may be attached). */
export async function useQueues(bed: Bed, n: number): Promise<void> {
  if (bed.queues === n) return;
  await setQueues(bed.pair, n);
  bed.queues = n;
}

export interface RunningGenerator {
  /** Settles when the generator ends by itself (a stream, once sent); else it runs until stopped. */
  ended?: Promise<unknown>;
  /**
   * Stops every sender; returns what it says it sent and the senders' CPU seconds (and the
   * stream's account, for a stream).
   */
  stop(): Promise<{ sent?: number; cpuSec: number; stream?: Transfer }>;
}

/** A stream's transfer time is bounded: 20 MiB take about a second here, unloaded. */
const STREAM_TIMEOUT_MS = 60_000;

/**
 * The TCP stream of a profile with `streamBytes` (testbed/tcp_stream.ts), on a bed made by
 * {@link setupStreamBed}: its client and server on GEN_CPU, where the receiving softirq runs.
 */
function startStream(bed: Bed, profile: Profile): RunningGenerator {
  const transfer = streamTransfer(bed.streamPair!, {
    bytes: profile.streamBytes!,
    wrap: (cmd) => onCpu(GEN_CPU, cmd),
    timeoutMs: STREAM_TIMEOUT_MS,
  });
  return {
    ended: transfer,
    async stop() {
      const stream = await transfer;
      return { cpuSec: stream.cpuSec, stream };
    },
  };
}

/**
 * Starts the generator in the sender namespace, pinned to GEN_CPU. trafgen takes the qdisc
 * path with the UDP source port counting through FLOWS values: the flow hash then picks the TX
 * queue, which on veth is the receiver's RX queue, so on several queues the traffic spreads
 * (trafgen's default qdisc bypass would pick the sending CPU's queue instead). On one queue it
 * is the same traffic. xdp_gen's XDP frames reach the RX queue of the sending CPU, whatever
 * their flow: from one CPU, one queue.
 */
export function startGenerator(bed: Bed, profile: Profile, gen: Generator): RunningGenerator {
  const kind = gen.kind;
  if (kind === "tcp") return startStream(bed, profile);
  const { pair } = bed;
  const args = gen.kind === "xdpgen"
    ? [
      ...[GEN_BIN, "-o", GEN_OBJ, "-i", pair.senderIf, "-s", bed.src, "-m", bed.dst],
      ...["-l", profile.frames.join(","), ...(gen.rate ? ["-r", String(gen.rate)] : [])],
    ]
    : [
      ...["trafgen", "-o", pair.senderIf, "--cpus", "1", "--qdisc-path"],
      // Its TX ring's slots are 2 KiB unless told: -J makes room for jumbo frames.
      ...(profile.frames.some((l) => l > 2048 - 64) ? ["-J"] : []),
      ...["-i", `${bed.cfgDir}/${profile.id}.cfg`, ...(gen.rate ? ["-b", `${gen.rate}pps`] : [])],
    ];
  const sender: Sender = startSender(pair, onCpu(GEN_CPU, args));
  return {
    async stop() {
      // CPU of every sender process, read while they still run (forked ones included).
      let ticks = 0;
      for (const p of await pidsIn(pair.senderNs)) ticks += (await procTicks(p)) ?? 0;
      const out = await sender.stop();
      return { sent: generatorSent(kind, out), cpuSec: ticks / CLK_TCK };
    },
  };
}

/** Ends whatever still sends (after a failed trial). */
export function stopSenders(bed: Bed): Promise<void> {
  return killAllIn(bed.pair.senderNs);
}

// ---------------------------------------------------------------------------
// The tap's own kernel cost

/** The tap's entry programs: the copy stages are tail calls, whose time the kernel counts here. */
const TAP_ENTRIES = ["tap_xdp", "tap_tc_in", "tap_tc_out"];

/** Run time and runs, summed over the tap's entry programs now loaded (bpftool prog show). */
export async function tapProgStats(): Promise<{ ns: number; runs: number }> {
  const r = await run(["bpftool", "-j", "prog", "show"]);
  const progs = JSON.parse(r.stdout) as { name?: string; run_time_ns?: number; run_cnt?: number }[];
  let ns = 0, runs = 0;
  for (const p of progs) {
    if (!TAP_ENTRIES.includes(p.name ?? "")) continue;
    ns += p.run_time_ns ?? 0;
    runs += p.run_cnt ?? 0;
  }
  return { ns, runs };
}

const BPF_STATS = "/proc/sys/kernel/bpf_stats_enabled";
/** kernel.bpf_stats_enabled as the bench found it: put back after each trial that turns it on. */
let bpfStatsFound: string | undefined;

/**
 * Turns the kernel's BPF run-time statistics on, or back to what they were before the bench
 * (kernel.bpf_stats_enabled). They cost every BPF program on the host two clock reads a run, so
 * only the trials that report them run with them on.
 */
export async function bpfStats(on: boolean): Promise<void> {
  bpfStatsFound ??= (await Deno.readTextFile(BPF_STATS)).trim();
  await Deno.writeTextFile(BPF_STATS, on ? "1" : bpfStatsFound);
}
