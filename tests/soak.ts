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
  isRoot,
  type NsChild,
  nsExec,
  pollUntil,
  run,
  spawnInNs,
  type VethPair,
  withVethPair,
} from "./integration/netns.ts";
import { bin, parseSummary, type Summary } from "./integration/reliability_helpers.ts";

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
  summary: Summary;
  /** seen by the XDP program = received by filter + passed to the stack. */
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

async function linkStats(ns: string, ifname: string) {
  const r = await nsExec(ns, ["ip", "-s", "-j", "link", "show", "dev", ifname], { check: true });
  const s = JSON.parse(r.stdout)[0].stats64;
  return { rx: Number(s.rx.packets), tx: Number(s.tx.packets) };
}

async function macOf(ns: string, ifname: string): Promise<string> {
  const r = await nsExec(ns, ["ip", "-j", "link", "show", "dev", ifname], { check: true });
  return JSON.parse(r.stdout)[0].address;
}

function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Starts trafgen in a session of its own, so one signal reaches every sender it forks. */
function startTrafgen(pair: VethPair, cfg: string, cpus: number, rate?: number): NsChild {
  const args = ["setsid", "trafgen", "-o", pair.senderIf, "-i", cfg, "--cpus", String(cpus)];
  if (rate) args.push("-b", `${rate}pps`);
  return spawnInNs(pair.senderNs, args, undefined, { collectStdout: true });
}

/** Stops trafgen (SIGINT to its process group) and returns its count of frames sent. */
async function stopTrafgen(pair: VethPair, gen: NsChild): Promise<number> {
  await run(["kill", "-INT", "--", `-${gen.pid}`]);
  try {
    await gen.waitExit(10_000);
  } finally {
    // A sender that ignored SIGINT would stay in the namespace: nothing may.
    for (const pid of (await run(["ip", "netns", "pids", pair.senderNs])).stdout.split(/\s+/)) {
      if (pid) await run(["kill", "-KILL", pid]);
    }
    await gen.stop();
  }
  const out = new TextDecoder().decode(gen.stdoutBytes()) + gen.stderrText();
  const m = /(\d+) packets outgoing/.exec(out);
  if (!m) throw new Error(`trafgen printed no count:\n${out}`);
  return Number(m[1]);
}

/** Runs one soak on a fresh veth pair and reports; `failures` says what did not hold. */
export async function soak(opts: SoakOptions): Promise<SoakReport> {
  const mode = opts.mode ?? "native";
  const cpus = opts.cpus ?? 1;
  const log = opts.log ?? (() => {});
  const warmup = Math.min(opts.warmup ?? 5, opts.seconds / 3);
  const growthLimit = (opts.rssGrowthMiB ?? 32) * MiB;
  const dir = await Deno.makeTempDir({ prefix: "xskt-soak-" });
  try {
    return await withVethPair(async (pair) => {
      const dst = await macOf(pair.captureNs, pair.captureIf);
      const src = await macOf(pair.senderNs, pair.senderIf);
      const cfg = `${dir}/udp60.cfg`;
      await Deno.writeTextFile(
        cfg,
        `{ eth(da=${dst}, sa=${src}), ipv4(saddr=10.199.0.2, daddr=10.199.0.1, ttl=64), ` +
          `udp(sp=4000, dp=5000), fill(0x41, ${FRAME - 14 - 20 - 8}) }\n`,
      );
      // xskdump with stdout piped to us: a pcap stream walked as it comes, never stored.
      const child = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          pair.captureNs,
          // No SSH exclusion rule: the soak is about the capture path, not the filter.
          "env",
          "-u",
          "SSH_CONNECTION",
          bin,
          "-i",
          pair.captureIf,
          "-w",
          "-",
          "--mode",
          mode,
        ],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const walker = new PcapWalker();
      const reading = (async () => {
        for await (const chunk of child.stdout) walker.push(chunk);
      })();
      let stderr = "";
      let ready = () => {};
      const isReady = new Promise<void>((r) => ready = r);
      const readingErr = (async () => {
        const dec = new TextDecoder();
        for await (const chunk of child.stderr) {
          stderr += dec.decode(chunk, { stream: true });
          if (/^listening on /m.test(stderr)) ready();
        }
      })();
      let gen: NsChild | undefined;
      let status: Deno.CommandStatus | undefined;
      let exitedAt: number | undefined;
      let diedAfter: number | undefined;
      child.status.then(() => exitedAt ??= performance.now());
      const samples: number[] = [];
      let sent = 0;
      let elapsed = 0;
      const before = {
        snd: await linkStats(pair.senderNs, pair.senderIf),
        cap: await linkStats(pair.captureNs, pair.captureIf),
      };
      let after = before;
      try {
        const timeout = setTimeout(() => ready(), 20_000);
        await isReady;
        clearTimeout(timeout);
        if (!/^listening on /m.test(stderr)) throw new Error(`xskdump did not start:\n${stderr}`);
        samples.push(rssKiB(child.pid));
        const t0 = performance.now();
        gen = startTrafgen(pair, cfg, cpus, opts.rate);
        log(
          `soak: ${opts.seconds} s, trafgen --cpus ${cpus}` +
            `${opts.rate ? ` -b ${opts.rate}pps` : " full speed"} into xskdump (${mode})`,
        );
        // One RSS sample a second: the run's clock, not a stand-in for an event.
        for (let s = 1; s <= opts.seconds && exitedAt === undefined; s++) {
          await new Promise((r) => setTimeout(r, t0 + s * 1000 - performance.now()));
          if (exitedAt !== undefined) break; // it must not: the report says how it ended
          samples.push(rssKiB(child.pid));
          if (s % 10 === 0 || s === opts.seconds) {
            log(
              `  ${s} s: RSS ${(samples.at(-1)! / MiB).toFixed(1)} MiB, ` +
                `${walker.records} records so far`,
            );
          }
        }
        if (exitedAt !== undefined) diedAfter = Math.round((exitedAt - t0) / 1000);
        sent = await stopTrafgen(pair, gen);
        elapsed = (performance.now() - t0) / 1000;
        gen = undefined;
        // Every frame xs0 sent has been through xc0's receive path (and XDP) before the stop.
        const senderTx = (await linkStats(pair.senderNs, pair.senderIf)).tx - before.snd.tx;
        await pollUntil(
          async () =>
            (await linkStats(pair.captureNs, pair.captureIf)).rx - before.cap.rx >= senderTx,
          5000,
          20,
        );
        if (exitedAt === undefined) child.kill("SIGINT");
        status = await child.status;
        await Promise.all([reading, readingErr]);
        after = {
          snd: await linkStats(pair.senderNs, pair.senderIf),
          cap: await linkStats(pair.captureNs, pair.captureIf),
        };
      } finally {
        if (gen) await stopTrafgen(pair, gen).catch(() => 0);
        if (!status) {
          try {
            child.kill("SIGKILL");
          } catch {
            // exited already
          }
          status = await child.status;
          await Promise.all([reading, readingErr]).catch(() => {});
        }
      }
      const failures: string[] = [];
      let summary: Summary = {
        captured: 0,
        received: 0,
        dropped: 0,
        passed: 0,
        filtered: 0,
        notKept: 0,
      };
      try {
        summary = parseSummary(stderr);
      } catch (e) {
        failures.push(`no summary: ${e instanceof Error ? e.message : e}`);
      }
      const unexpected = stderr.split("\n").filter((l) =>
        l && !/^listening on /.test(l) &&
        !/^\d+ packets? (captured|received by filter|dropped by kernel|passed to the stack)/.test(
          l,
        )
      );
      const seen = summary.received + summary.passed;
      const base = samples[Math.round(warmup)] ?? samples[0];
      const report: SoakReport = {
        seconds: opts.seconds,
        mode,
        cpus,
        sent,
        offeredPps: elapsed ? Math.round(sent / elapsed) : 0,
        veth: {
          senderTx: after.snd.tx - before.snd.tx,
          captureRx: after.cap.rx - before.cap.rx,
        },
        summary,
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
      if (walker.records !== summary.captured) {
        failures.push(`stream holds ${walker.records} records, summary says ${summary.captured}`);
      }
      if (sent === 0) failures.push("trafgen sent nothing");
      if (sent !== seen) failures.push(`trafgen sent ${sent}, the XDP program saw ${seen}`);
      if (report.veth.captureRx !== sent) {
        failures.push(`trafgen sent ${sent}, xc0 received ${report.veth.captureRx}`);
      }
      const accounted = summary.captured + summary.dropped + summary.notKept + summary.passed;
      if (accounted !== seen) {
        failures.push(
          `seen ${seen} != captured ${summary.captured} + dropped ${summary.dropped} + ` +
            `not kept ${summary.notKept} + passed ${summary.passed} = ${accounted}`,
        );
      }
      return report;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
    `sent ${r.sent} = seen ${r.seen} = captured ${s.captured} + dropped ${s.dropped} + ` +
    `not kept ${s.notKept} + passed ${s.passed}; stream ${r.records} records; ` +
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
