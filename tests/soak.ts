/**
 * Soak (issue 9): xskdump captures for a long time at a high offered rate, and must not crash,
 * must keep its memory bounded, and must account for every packet.
 *
 * A veth pair joins two network namespaces (made here, always removed). trafgen floods 60-byte
 * UDP frames from the sender side (`--cpus 1` at full speed unless --rate); bin/xskdump writes
 * pcap to stdout (`-w -`), which this script reads as it comes and walks record by record. Every
 * second it samples the xskdump process's resident memory (/proc/PID/status VmRSS). At the end
 * trafgen is stopped, xskdump is interrupted, and:
 *
 * - xskdump exited 0 with its summary and no error or ring integrity line (no crash);
 * - RSS grew by at most --rss-growth MiB after the warm-up (the first --warmup seconds);
 * - the stream is a valid pcap of exactly `captured` 60-byte records;
 * - sent by trafgen = seen by the XDP program (received by filter + passed to the stack)
 *                   = captured + dropped by the kernel (each reason) + not kept + passed,
 *   and the veth's own receive count says the same.
 *
 * `make soak` runs 600 s (not in CI); tests/integration/reliability_soak_test.ts runs 30 s.
 *
 * Usage (root): deno run -A tests/soak.ts [--seconds N] [--rate PPS] [--mode native|generic]
 *   [--cpus N] [--rss-growth MIB] [--warmup S] [--json]
 * @module
 */
import {
  type Capture,
  isRoot,
  linkCounters,
  macOf,
  pollUntil,
  type Sender,
  startSender,
  startXskdump,
  trafgenConfig,
  trafgenSent,
  withPairAndDir,
  type XskdumpSummary,
} from "../testbed/mod.ts";

export interface SoakOptions {
  /** Seconds of traffic. */
  seconds: number;
  /** XDP mode (default native). */
  mode?: "native" | "generic";
  /** trafgen sender CPUs (default 1). */
  cpus?: number;
  /** Packets per second (trafgen -b); full speed when undefined. */
  rate?: number;
  /** Seconds before the RSS baseline is taken (default 5, at most a third of the run). */
  warmup?: number;
  /** Largest RSS growth after the warm-up, MiB (default 32). */
  rssGrowthMiB?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface SoakReport {
  seconds: number;
  mode: string;
  cpus: number;
  /** trafgen's own count of frames sent, and that over the time it ran. */
  sent: number;
  offeredPps: number;
  /** The veth pair's counters over the run: what xs0 sent and xc0 received. */
  veth: { senderTx: number; captureRx: number };
  /** xskdump's --json summary. */
  summary: XskdumpSummary;
  /** Packets the XDP program ran on: received by filter + passed to the stack. */
  seen: number;
  /** Records walked in the pcap stream on stdout, and malformed ones. */
  records: number;
  badRecords: number;
  rssKiB: { start: number; afterWarmup: number; max: number; end: number; samples: number[] };
  exit: { code: number; signal: string | null };
  /** stderr lines that are neither the listening line nor the summary. */
  unexpected: string[];
  /** What does not hold; empty when the soak passed. */
  failures: string[];
}

const FRAME = 60;
const MiB = 1024;

/** Walks a pcap stream as it arrives: counts records, checks each is a whole FRAME-byte one. */
class PcapWalker {
  records = 0;
  bad = 0;
  #header = 24; // bytes of the file header still to skip
  #rec = new Uint8Array(16);
  #recGot = 0;
  #skip = 0; // packet bytes still to skip

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#header > 0) {
        const n = Math.min(this.#header, chunk.length - at);
        this.#header -= n;
        at += n;
      } else if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - at);
        this.#skip -= n;
        at += n;
      } else {
        const n = Math.min(16 - this.#recGot, chunk.length - at);
        this.#rec.set(chunk.subarray(at, at + n), this.#recGot);
        this.#recGot += n;
        at += n;
        if (this.#recGot === 16) {
          const v = new DataView(this.#rec.buffer);
          const caplen = v.getUint32(8, true);
          const orig = v.getUint32(12, true);
          if (caplen !== FRAME || orig !== FRAME) this.bad++;
          this.records++;
          this.#skip = caplen;
          this.#recGot = 0;
        }
      }
    }
  }

  /** True when the stream ended on a record boundary. */
  get whole(): boolean {
    return this.#header === 0 && this.#skip === 0 && this.#recGot === 0;
  }
}

function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Stops trafgen (every sender it forked) and returns its count of frames sent. */
async function stopTrafgen(gen: Sender): Promise<number> {
  const out = await gen.stop();
  const sent = trafgenSent(out);
  if (sent === undefined) throw new Error(`trafgen printed no count:\n${out}`);
  return sent;
}

/** Runs one soak on a fresh veth pair and reports; `failures` says what did not hold. */
export function soak(opts: SoakOptions): Promise<SoakReport> {
  const mode = opts.mode ?? "native";
  const cpus = opts.cpus ?? 1;
  const log = opts.log ?? (() => {});
  const warmup = Math.min(opts.warmup ?? 5, opts.seconds / 3);
  const growthLimit = (opts.rssGrowthMiB ?? 32) * MiB;
  return withPairAndDir("xskt-soak-", async (pair, dir) => {
    const link = async () => ({
      snd: await linkCounters(pair.senderNs, pair.senderIf),
      cap: await linkCounters(pair.captureNs, pair.captureIf),
    });
    const cfg = `${dir}/udp60.cfg`;
    const [src, dst] = [
      await macOf(pair.senderNs, pair.senderIf),
      await macOf(pair.captureNs, pair.captureIf),
    ];
    await Deno.writeTextFile(cfg, trafgenConfig([FRAME], src, dst));
    const before = await link();
    // xskdump's pcap on stdout is walked as it comes, never stored.
    const walker = new PcapWalker();
    const cap: Capture = await startXskdump(pair, ["-w", "-", "--mode", mode], {
      stdout: (chunk) => walker.push(chunk),
    });
    let gen: Sender | undefined;
    let status: Deno.CommandStatus | undefined;
    let exitedAt: number | undefined;
    let diedAfter: number | undefined;
    cap.child.status.then(() => exitedAt ??= performance.now());
    const samples: number[] = [rssKiB(cap.pid)];
    let sent = 0;
    let elapsed = 0;
    let after = before;
    try {
      const t0 = performance.now();
      gen = startSender(pair, [
        ...["trafgen", "-o", pair.senderIf, "-i", cfg, "--cpus", String(cpus)],
        ...(opts.rate ? ["-b", `${opts.rate}pps`] : []),
      ]);
      log(
        `soak: ${opts.seconds} s, trafgen --cpus ${cpus}` +
          `${opts.rate ? ` -b ${opts.rate}pps` : " full speed"} into xskdump (${mode})`,
      );
      // One RSS sample a second: the run's clock, not a stand-in for an event.
      for (let s = 1; s <= opts.seconds && exitedAt === undefined; s++) {
        await new Promise((r) => setTimeout(r, t0 + s * 1000 - performance.now()));
        if (exitedAt !== undefined) break; // it must not: the report says how it ended
        samples.push(rssKiB(cap.pid));
        if (s % 10 === 0 || s === opts.seconds) {
          log(
            `  ${s} s: RSS ${(samples.at(-1)! / MiB).toFixed(1)} MiB, ` +
              `${walker.records} records so far`,
          );
        }
      }
      if (exitedAt !== undefined) diedAfter = Math.round((exitedAt - t0) / 1000);
      sent = await stopTrafgen(gen);
      elapsed = (performance.now() - t0) / 1000;
      gen = undefined;
      // Every frame xs0 sent has been through xc0's receive path (and XDP) before the stop.
      const senderTx = (await link()).snd.txPackets - before.snd.txPackets;
      await pollUntil(
        async () => (await link()).cap.rxPackets - before.cap.rxPackets >= senderTx,
        5000,
        20,
      );
      status = exitedAt === undefined ? await cap.interrupt("SIGINT", 30_000) : await cap.exit();
      after = await link();
    } finally {
      if (gen) await stopTrafgen(gen).catch(() => 0);
      status ??= await cap.stop();
    }
    const stderr = cap.stderr();
    const failures: string[] = [];
    let summary: XskdumpSummary | undefined;
    try {
      summary = cap.summary();
    } catch (e) {
      failures.push(`no summary: ${e instanceof Error ? e.message : e}`);
    }
    const s = summary ?? {
      captured: 0,
      received: 0,
      dropped: { total: 0 },
      passed: 0,
      filtered: 0,
      not_kept: 0,
    } as XskdumpSummary;
    const unexpected = stderr.split("\n").filter((l) =>
      l && l !== cap.readyLine && !l.startsWith('{"type":"summary"')
    );
    const toStack = s.passed + s.filtered;
    const seen = s.received + toStack;
    const base = samples[Math.round(warmup)] ?? samples[0];
    const report: SoakReport = {
      seconds: opts.seconds,
      mode,
      cpus,
      sent,
      offeredPps: elapsed ? Math.round(sent / elapsed) : 0,
      veth: {
        senderTx: after.snd.txPackets - before.snd.txPackets,
        captureRx: after.cap.rxPackets - before.cap.rxPackets,
      },
      summary: s,
      seen,
      records: walker.records,
      badRecords: walker.bad,
      rssKiB: {
        start: samples[0],
        afterWarmup: base,
        max: Math.max(...samples),
        end: samples.at(-1)!,
        samples,
      },
      exit: { code: status.code, signal: status.signal },
      unexpected,
      failures,
    };
    if (diedAfter !== undefined) failures.push(`xskdump ended by itself after ${diedAfter} s`);
    if (status.code !== 0) failures.push(`xskdump exited ${status.code} (${status.signal})`);
    if (unexpected.length) failures.push(`unexpected output: ${unexpected.join(" | ")}`);
    const growth = Math.max(...samples.slice(Math.round(warmup))) - base;
    if (growth > growthLimit) {
      failures.push(`RSS grew by ${(growth / MiB).toFixed(1)} MiB after the warm-up`);
    }
    if (!walker.whole) failures.push("the pcap stream ends inside a record");
    if (walker.bad) failures.push(`${walker.bad} records are not ${FRAME}-byte frames`);
    if (walker.records !== s.captured) {
      failures.push(`stream holds ${walker.records} records, summary says ${s.captured}`);
    }
    if (sent === 0) failures.push("trafgen sent nothing");
    if (sent !== seen) failures.push(`trafgen sent ${sent}, the XDP program saw ${seen}`);
    if (report.veth.captureRx !== sent) {
      failures.push(`trafgen sent ${sent}, xc0 received ${report.veth.captureRx}`);
    }
    const accounted = s.captured + s.dropped.total + s.not_kept + toStack;
    if (accounted !== seen) {
      failures.push(
        `seen ${seen} != captured ${s.captured} + dropped ${s.dropped.total} + ` +
          `not kept ${s.not_kept} + passed ${toStack} = ${accounted}`,
      );
    }
    return report;
  });
}

/** One paragraph for people: rate, duration, memory, where every packet went. */
export function describeSoak(r: SoakReport): string {
  const mib = (k: number) => `${(k / MiB).toFixed(1)} MiB`;
  const s = r.summary;
  return [
    `soak ${r.seconds} s, ${r.mode} mode, trafgen --cpus ${r.cpus}: offered ${r.offeredPps} pps ` +
    `(${r.sent} frames of ${FRAME} bytes)`,
    `RSS ${mib(r.rssKiB.start)} at start, ${mib(r.rssKiB.afterWarmup)} after warm-up, ` +
    `max ${mib(r.rssKiB.max)}, ${mib(r.rssKiB.end)} at end`,
    `sent ${r.sent} = seen ${r.seen} = captured ${s.captured} + dropped ${s.dropped.total} + ` +
    `not kept ${s.not_kept} + passed ${s.passed + s.filtered}; stream ${r.records} records; ` +
    `xc0 received ${r.veth.captureRx}`,
    r.failures.length ? `FAILED: ${r.failures.join("; ")}` : "ok",
  ].join("\n");
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (import.meta.main) {
  if (!isRoot) {
    console.error("soak: needs root (network namespaces, veth, XDP)");
    Deno.exit(2);
  }
  const args = Deno.args;
  const num = (name: string) => {
    const v = flag(args, name);
    return v === undefined ? undefined : Number(v);
  };
  const mode = flag(args, "--mode");
  if (mode !== undefined && mode !== "native" && mode !== "generic") {
    console.error(`soak: --mode native|generic, not ${mode}`);
    Deno.exit(2);
  }
  const report = await soak({
    seconds: num("--seconds") ?? 600,
    mode,
    cpus: num("--cpus"),
    rate: num("--rate"),
    warmup: num("--warmup"),
    rssGrowthMiB: num("--rss-growth"),
    log: (l) => console.error(l),
  });
  if (args.includes("--json")) console.log(JSON.stringify(report, null, 2));
  else console.log(describeSoak(report));
  Deno.exit(report.failures.length ? 1 : 0);
}
