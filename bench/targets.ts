/**
 * Issue 15's targets, each one row computed from one run's trials: xskdump against the C limit,
 * tcpdump and what the machine can write, as the issue words them. And the machine's ceiling
 * for writing new pages on a file system, measured beside the rows with dd (the new-page cost
 * depends on the state of memory: free or reclaimed, the memory cgroup; so it is measured in the
 * same run, never taken from another day).
 * @module
 */

/** What a target needs of a trial (report.ts's TrialResult has it all). */
export interface TrialLike {
  phase: "matrix" | "sweep" | "soak" | "pairs";
  round?: number;
  bpfStats?: boolean;
  tapNsPerPkt?: number;
  profile: string;
  generator: string;
  tool: string;
  offered: number;
  lost: number;
  offeredPps: number;
  capturedPps: number;
  lossPct: number;
  /** File bytes written per second of traffic (file outputs only). */
  writtenBps?: number;
  disturbed: boolean;
  report: { error?: string; drops?: Record<string, number> };
  /** The stream rows: what the file held of the stream. */
  stream?: StreamResult;
}

/** What one tool's file held of a stream row's TCP stream, and how fast the stream went. */
export interface StreamResult {
  /** Stream bytes sent, and the transfer's time (the server's, accept to end). */
  bytes: number;
  seconds: number;
  /** Stream bytes per second. */
  throughputBps: number;
  /** The stream's data packets in the file, those bigger than a 4 KiB frame, the largest. */
  packets: number;
  over4KiB: number;
  biggest: number;
  /** Data packets by frame length: up to each bound in STREAM_SIZE_BOUNDS, and above. */
  sizes: Record<string, number>;
  /** Stream bytes no packet in the file covers; the first byte that differs from the sent. */
  missingBytes: number;
  wrongByte: number;
  /** Every byte of the stream in the file, each as sent. */
  complete: boolean;
}

/** The frame lengths the size distribution is cut at: an MTU's frame, a 4 KiB UMEM frame, GSO's. */
export const STREAM_SIZE_BOUNDS = [1514, 4096, 16384, 65549];

/** A stream row's result from what the file held (testbed's reassemble) and the transfer. */
export function streamResult(
  held: { lengths: number[]; missingBytes: number; biggest: number; over4KiB: number },
  wrongByte: number,
  transfer: { bytes: number; seconds: number },
): StreamResult {
  const sizes: Record<string, number> = {};
  for (const b of STREAM_SIZE_BOUNDS) sizes[`<=${b}`] = 0;
  sizes[`>${STREAM_SIZE_BOUNDS.at(-1)}`] = 0;
  for (const len of held.lengths) {
    const b = STREAM_SIZE_BOUNDS.find((x) => len <= x);
    sizes[b === undefined ? `>${STREAM_SIZE_BOUNDS.at(-1)}` : `<=${b}`]++;
  }
  return {
    bytes: transfer.bytes,
    seconds: transfer.seconds,
    throughputBps: transfer.seconds > 0 ? Math.round(transfer.bytes / transfer.seconds) : 0,
    packets: held.lengths.length,
    over4KiB: held.over4KiB,
    biggest: held.biggest,
    sizes,
    missingBytes: held.missingBytes,
    wrongByte,
    complete: held.missingBytes === 0 && wrongByte < 0,
  };
}

/** The highest loss-free offered rate of a sweep tool (report.ts computes it). */
export interface LossFreeLike {
  tool: string;
  lossFreePps: number;
  lowerBound: boolean;
  kernelBoundAt?: number;
  /** Each sweep round's, when there were several (lossFreePps is the median round's). */
  rounds?: number[];
}

/**
 * The mix's file rows against tcpdump's, by file system: [fs, xskdump's row, tcpdump's]. The
 * pairs phase runs each such pair in rounds (bench/run.ts).
 */
export const MIX_PEERS = [
  ["tmpfs", "xskdump-tmpfs-native", "tcpdump"],
  ["disk", "xskdump-disk-native", "tcpdump-disk"],
] as const;

/**
 * The mix to /dev/null against the C loop, in pairs too: the C limit that holds the most in
 * these rows (the nap's; the target itself takes the best limit of the matrix when there are
 * no pairs).
 */
export const NULL_PEER = ["xskdump-null-native", "limit-nap-native"] as const;

/**
 * The pairs phase's captured ratios of `num` over `den` on one profile and generator, one per
 * round both finished (the BPF statistics' round left out), in round order.
 */
export function pairRatios(
  results: TrialLike[],
  profile: string,
  generator: string,
  num: string,
  den: string,
): number[] {
  const mine = results.filter((r) =>
    r.phase === "pairs" && r.profile === profile && r.generator === generator &&
    !r.report.error && !r.bpfStats
  );
  const of = (t: string, round: number) => mine.find((r) => r.tool === t && r.round === round);
  const ratios: number[] = [];
  for (const i of [...new Set(mine.map((r) => r.round!))].sort((a, b) => a - b)) {
    const a = of(num, i), b = of(den, i);
    if (a && b && b.capturedPps > 0) ratios.push(a.capturedPps / b.capturedPps);
  }
  return ratios;
}

/** The two tools udp64-lossfree compares: the sweep runs them in rounds (bench/run.ts). */
export const LOSS_FREE_TOOLS = ["xskdump-tmpfs-native", "limit-nap-native"] as const;

/** One dd of new pages: a new file, `bs` blocks, on the capturer's CPU. */
export interface DdResult {
  fs: "tmpfs" | "disk";
  bs: string;
  bytes: number;
  seconds: number;
  bytesPerSec: number;
  /** When in the run (before or after the mix rows). */
  when: string;
}

/** The best dd rate of a file system in this run: the ceiling a writer is held to. */
export function ceilingOf(dd: DdResult[], fs: DdResult["fs"]): number | undefined {
  const rates = dd.filter((d) => d.fs === fs).map((d) => d.bytesPerSec);
  return rates.length ? Math.max(...rates) : undefined;
}

/**
 * Writes `mb` MiB of new pages into a new file in `dir` with dd, pinned to `cpu` when given (the
 * capturer's CPU: its writes happen there), once per block size: 1 MiB (xskdump's writes) and
 * 4 KiB (tcpdump's: stdio's buffer). The file is removed after each.
 */
export async function ddNewPages(
  fs: DdResult["fs"],
  dir: string,
  when: string,
  cpu: number | undefined,
  mb = 1024,
): Promise<DdResult[]> {
  const out: DdResult[] = [];
  for (const [bs, count] of [["1M", mb], ["4k", mb * 256]] as const) {
    const path = `${dir}/xskbench-dd-${Deno.pid}`;
    const dd = ["dd", "if=/dev/zero", `of=${path}`, `bs=${bs}`, `count=${count}`];
    const cmd = cpu === undefined ? dd : ["taskset", "-c", String(cpu), ...dd];
    try {
      const r = await new Deno.Command(cmd[0], { args: cmd.slice(1), stderr: "piped" }).output();
      const text = new TextDecoder().decode(r.stderr);
      // "1073741824 bytes (1.1 GB, 1.0 GiB) copied, 0.412 s, 2.6 GB/s"
      const m = text.match(/^(\d+) bytes .* copied, ([\d.]+) s/m);
      if (r.code === 0 && m) {
        const bytes = Number(m[1]);
        const seconds = Number(m[2]);
        out.push({ fs, bs, bytes, seconds, bytesPerSec: Math.round(bytes / seconds), when });
      }
    } finally {
      await Deno.remove(path).catch(() => {});
    }
  }
  return out;
}

/** One target of the issue, as this run measured it. */
export interface Target {
  id: string;
  /** What is compared, in the issue's words. */
  what: string;
  /** The measured ratio (or value), undefined when a row it needs is missing. */
  value?: number;
  /** The target: value >= target (or <= for `atMost`). */
  target: number;
  atMost?: boolean;
  met?: boolean;
  /** The numbers behind it, and a peer's figure shown beside. */
  detail: string;
}

/** A target with its verdict: met when the value is on the target's side (undefined: not measured). */
function judged(t: Omit<Target, "met">): Target {
  const met = t.value === undefined
    ? undefined
    : t.atMost
    ? t.value <= t.target + 1e-9
    : t.value >= t.target - 1e-9;
  return { ...t, met };
}

const mpps = (pps: number) => (pps / 1e6).toFixed(3);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * A ratio target's value and detail: the median of the pairs phase's rounds where the run has
 * them (the matrix's single trials then stay in the detail), else the single trials' ratio.
 */
function pairedOrSingle(
  rounds: number[],
  single: number | undefined,
  singleDetail: string,
): { value: number | undefined; detail: string } {
  if (!rounds.length) return { value: single, detail: singleDetail };
  return {
    value: Math.round(median(rounds) * 1000) / 1000,
    detail: `${roundsText(rounds)}; the matrix's trials ${singleDetail}`,
  };
}

/** "rounds 0.912 0.903 ...": every round's ratio, in round order. */
const roundsText = (rounds: number[]) => `rounds ${rounds.map((x) => x.toFixed(3)).join(" ")}`;
const gbs = (bps: number) => (bps / 1e9).toFixed(2);

/**
 * The issue's targets from one run: loss-free and full-speed udp64 against the C limit, the mix
 * to tmpfs and disk against tcpdump (both generators) and against dd's new-page ceiling, the
 * mix to /dev/null against the C limit, trafgen's loss against tcpdump's, the jumbo mix loss-free
 * with multi-buffer and the TCP stream with GRO whole in the file (issue 17), and the soak's RSS.
 */
export function targets(
  results: TrialLike[],
  lossFree: LossFreeLike[],
  dd: DdResult[],
  limits: string[],
  soak?: { growthKiBPerMin: number; rssStartKiB?: number; rssEndKiB?: number },
): Target[] {
  const out: Target[] = [];
  const cell = (p: string, g: string, t: string) =>
    results.find((r) =>
      r.phase === "matrix" && r.profile === p && r.generator === g && r.tool === t &&
      !r.report.error
    );
  const bestLimit = (p: string, g: string) =>
    limits.map((t) => cell(p, g, t)).filter((r): r is TrialLike => r !== undefined)
      .sort((a, b) => b.capturedPps - a.capturedPps)[0];
  const add = (t: Omit<Target, "met">) => out.push(judged(t));
  const ratio = (a?: number, b?: number) =>
    a !== undefined && b !== undefined && b > 0 ? Math.round((a / b) * 1000) / 1000 : undefined;

  const lf = (t: string) => lossFree.find((l) => l.tool === t);
  const [x, c] = LOSS_FREE_TOOLS.map(lf);
  const tcp = lf("tcpdump");
  const swept = (l?: LossFreeLike) => l?.rounds ? ` (sweeps ${l.rounds.map(mpps).join(" ")})` : "";
  add({
    id: "udp64-lossfree",
    what: "udp64, highest loss-free offered rate to tmpfs, xskdump / C limit (nap)" +
      (x?.rounds || c?.rounds ? ", median of each one's sweeps" : ""),
    value: ratio(x?.lossFreePps, c?.lossFreePps),
    target: 0.9,
    detail: `xskdump ${x ? mpps(x.lossFreePps) : "-"}${swept(x)}, C limit ${
      c ? mpps(c.lossFreePps) : "-"
    }${swept(c)}${c?.lowerBound ? " (never lost: a lower bound)" : ""}; tcpdump ${
      tcp ? mpps(tcp.lossFreePps) : "-"
    }${tcp?.kernelBoundAt ? " (its kernel path held the generator)" : ""} Mpps`,
  });
  {
    const a = cell("udp64", "xdpgen", "xskdump-tmpfs-native");
    const b = bestLimit("udp64", "xdpgen");
    add({
      id: "udp64-fullspeed",
      what: "udp64, xdp_gen full speed, captured, xskdump -w tmpfs / best C limit",
      value: ratio(a?.capturedPps, b?.capturedPps),
      target: 0.95,
      detail: `${a ? mpps(a.capturedPps) : "-"} / ${
        b ? `${mpps(b.capturedPps)} (${b.tool})` : "-"
      }`,
    });
  }
  for (const g of ["xdpgen", "trafgen"]) {
    for (const [fs, xs, td] of MIX_PEERS) {
      const a = cell("mix", g, xs);
      const b = cell("mix", g, td);
      const single = `${a ? mpps(a.capturedPps) : "-"} / ${b ? mpps(b.capturedPps) : "-"} Mpps` +
        (a && b ? ` (offered ${mpps(a.offeredPps)} / ${mpps(b.offeredPps)})` : "");
      // Adjacent pairs in rounds where the run has them (the pairs phase): one trial apart the
      // generator's rate moves more than the tools differ.
      const rounds = pairRatios(results, "mix", g, xs, td);
      add({
        id: `mix-${fs}-${g}`,
        what: `mix to ${fs}, ${g}: captured, xskdump / tcpdump` +
          (rounds.length ? ` (median of ${rounds.length} rounds)` : ""),
        target: 1,
        ...pairedOrSingle(rounds, ratio(a?.capturedPps, b?.capturedPps), single),
      });
    }
  }
  for (const [fs, xs, td] of MIX_PEERS) {
    const a = cell("mix", "xdpgen", xs);
    const b = cell("mix", "xdpgen", td);
    const ceiling = ceilingOf(dd, fs);
    // What the testbed can deliver at all: the C limit (no copy, no write) at the same bytes
    // per record. Below the dd ceiling, the target cannot be met on this testbed.
    const limit = bestLimit("mix", "xdpgen");
    const delivered = a?.writtenBps && a.capturedPps && limit
      ? (a.writtenBps / a.capturedPps) * limit.capturedPps
      : undefined;
    add({
      id: `mix-${fs}-bytes`,
      what: `mix to ${fs}, xdp_gen: bytes written per second / dd's new pages (best of this run)`,
      value: ratio(a?.writtenBps, ceiling),
      target: 0.9,
      detail: `xskdump ${a?.writtenBps ? gbs(a.writtenBps) : "-"}, tcpdump ${
        b?.writtenBps ? gbs(b.writtenBps) : "-"
      }, dd ${ceiling ? gbs(ceiling) : "-"} GB/s; the C limit receives ${
        delivered ? gbs(delivered) : "-"
      } GB/s of such records`,
    });
  }
  for (const g of ["xdpgen", "trafgen"]) {
    const a = cell("mix", g, NULL_PEER[0]);
    const b = bestLimit("mix", g);
    const single = `${a ? mpps(a.capturedPps) : "-"} / ${
      b ? `${mpps(b.capturedPps)} (${b.tool})` : "-"
    }`;
    const rounds = pairRatios(results, "mix", g, ...NULL_PEER);
    add({
      id: `mix-null-${g}`,
      what: rounds.length
        ? `mix to /dev/null, ${g}: captured, xskdump / ${
          NULL_PEER[1]
        } (median of ${rounds.length} rounds)`
        : `mix to /dev/null, ${g}: captured, xskdump / best C limit`,
      target: 0.95,
      ...pairedOrSingle(rounds, ratio(a?.capturedPps, b?.capturedPps), single),
    });
  }
  {
    const a = cell("mix", "trafgen", "xskdump-tmpfs-native");
    const b = cell("mix", "trafgen", "tcpdump");
    add({
      id: "mix-trafgen-loss",
      what: "mix to tmpfs, trafgen: loss %, xskdump - tcpdump (no higher)",
      value: a && b ? Math.round((a.lossPct - b.lossPct) * 1000) / 1000 : undefined,
      target: 0,
      atMost: true,
      detail: `${a ? a.lossPct : "-"}% against ${b ? b.lossPct : "-"}%`,
    });
  }
  // Issue 17: the jumbo mix (MTU 9000, trafgen) whole with multi-buffer; without it (generic)
  // what is bigger than a frame drops, and tcpdump is shown beside.
  for (const mode of ["native", "generic"]) {
    const a = cell("jumbo", "trafgen", `xskdump-tmpfs-${mode}`);
    const off = cell("jumbo", "trafgen", "xskdump-nosg-tmpfs-generic");
    const b = cell("jumbo", "trafgen", "tcpdump");
    add({
      id: `jumbo-lossfree-${mode}`,
      what: `jumbo mix to tmpfs, trafgen full speed, ${mode}, multi-buffer: loss %`,
      value: a?.lossPct,
      target: 0,
      atMost: true,
      detail: `multi-buffer off (generic) ${off ? off.lossPct : "-"}%, tcpdump ${
        b ? b.lossPct : "-"
      }%`,
    });
  }
  // Issue 17: the TCP row, generic mode with GRO at the receiver: every byte of the stream in
  // xskdump's file (the share of the stream it holds); without multi-buffer and tcpdump beside.
  {
    const stream = (t: string) => cell("tcp-gro", "tcp", t)?.stream;
    const a = stream("xskdump-tmpfs-generic");
    const held = (s?: StreamResult) =>
      s ? Math.floor((1 - s.missingBytes / s.bytes) * 1e4) / 1e4 : undefined;
    const say = (s?: StreamResult) =>
      s
        ? `${s.complete ? "whole" : `${s.missingBytes} bytes missing`}` +
          `${s.wrongByte >= 0 ? `, byte ${s.wrongByte} differs` : ""}, ${s.packets} packets (` +
          `${s.over4KiB} > 4 KiB)`
        : "-";
    const off = cell("tcp-gro", "tcp", "xskdump-nosg-tmpfs-generic");
    add({
      id: "tcp-gro-generic-complete",
      what:
        "TCP stream, GRO at the receiver, generic, multi-buffer: share of the stream in the file",
      // A byte that differs from what was sent: the file does not hold the stream at all.
      value: a && a.wrongByte >= 0 ? 0 : held(a),
      target: 1,
      detail: `xskdump ${say(a)}; multi-buffer off ${say(off?.stream)}${
        off?.report.drops?.xskTooBig ? ` (${off.report.drops.xskTooBig} larger than a frame)` : ""
      }; tcpdump ${say(stream("tcpdump"))}`,
    });
  }
  add({
    id: "soak-rss",
    what: "soak: RSS growth after warm-up, KiB per minute (flat: at most 128)",
    value: soak?.growthKiBPerMin,
    target: 128,
    atMost: true,
    detail: soak
      ? `${((soak.rssStartKiB ?? 0) / 1024).toFixed(1)} -> ${
        ((soak.rssEndKiB ?? 0) / 1024).toFixed(1)
      } MiB`
      : "no soak in this run",
  });
  return out;
}

/**
 * Issue 20's target: the tap with process attribution captures within 10% of the same tap
 * without, per hook (XDP native, tc), profile and generator. The value is the median of the
 * pairs phase's rounds (attribution on / off, adjacent trials); the detail gives every round
 * and, from the round with the kernel's BPF statistics on, what the tap's programs cost per
 * packet without and with attribution.
 */
export function attributionTargets(results: TrialLike[]): Target[] {
  const out: Target[] = [];
  for (const hook of ["native", "tc"]) {
    for (const profile of ["udp64", "mix"]) {
      for (const g of ["xdpgen", "trafgen"]) {
        const ratios = pairRatios(results, profile, g, `tap-attr-${hook}`, `tap-${hook}`);
        if (!ratios.length) continue;
        const stats = (t: string) =>
          results.find((r) =>
            r.phase === "pairs" && r.profile === profile && r.generator === g && r.tool === t &&
            r.bpfStats && !r.report.error
          )?.tapNsPerPkt;
        const [nsOff, nsOn] = [stats(`tap-${hook}`), stats(`tap-attr-${hook}`)];
        out.push(judged({
          id: `attr-${hook}-${profile}-${g}`,
          what: `${profile}, ${g}, tap ${hook === "tc" ? "at tc" : "at XDP native"}: ` +
            `captured, attribution on / off (median of ${ratios.length} rounds)`,
          value: Math.round(median(ratios) * 1000) / 1000,
          target: 0.9,
          detail: `${roundsText(ratios)}; the tap's programs ` +
            `${nsOff ?? "-"} -> ${nsOn ?? "-"} ns per packet (BPF statistics on)`,
        }));
      }
    }
  }
  return out;
}
