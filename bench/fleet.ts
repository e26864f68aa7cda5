/**
 * What `xskdump fleet`'s merge costs: three hosts (testbed/fleet.ts: namespaces running sshd),
 * each fed by trafgen (64-byte UDP frames, at a rate per host or `top`: as fast as it can; not
 * pinned: the hosts share the machine) for a while, their captures merged by one fleet into
 * /dev/null. Reports per offered rate what the fleet merged, the fleet process's
 * CPU per merged packet (the reader, the merge, the writer; ssh's decryption is ssh's, given
 * beside it), and its resident memory at its peak, plus what the hosts dropped.
 *
 *   make build
 *   sudo .tools/node_modules/.bin/deno run -A bench/fleet.ts [--seconds 10] [RATE-PER-HOST|top...]
 *
 * Not part of `make bench` (it measures the fleet's machinery, not capture).
 * @module
 */
import {
  macOf,
  pidsIn,
  startFleet,
  startSender,
  trafgenConfig,
  trafgenSent,
  withFleet,
} from "../testbed/mod.ts";
import { CLK_TCK, procTicks, rssKiB, sleep } from "./host.ts";

const args = [...Deno.args];
let seconds = 10;
const at = args.indexOf("--seconds");
if (at >= 0) seconds = Number(args.splice(at, 2)[1]);
const rates: (number | "top")[] = args.length
  ? args.map((a) => a === "top" ? "top" : Number(a))
  : [20_000, 50_000, 100_000, "top"];

/** CPU ticks of the processes in `ns` whose command line matches `re`. */
async function ticksOf(ns: string, re: RegExp): Promise<number> {
  let t = 0;
  for (const pid of await pidsIn(ns)) {
    const cmd = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (re.test(cmd.replaceAll("\0", " "))) t += (await procTicks(pid)) ?? 0;
  }
  return t;
}

interface Row {
  offeredPerHost: number | "top";
  /** What the three trafgens said they sent, per second, all together. */
  sentPps: number;
  /** What the hosts' XDP programs saw, per second, all three together. */
  seenPps: number;
  merged: number;
  mergedPps: number;
  fleetNsPerPacket: number;
  fleetPeakRssMiB: number;
  sshNsPerPacket: number;
  droppedByHosts: number;
}

const SSH = /^(\S*\/)?ssh /;
const rows: Row[] = [];
await withFleet({ hosts: 3 }, async (f) => {
  for (const [k, h] of f.hosts.entries()) {
    const dst = await macOf(h.pair.captureNs, h.pair.captureIf);
    const src = await macOf(h.pair.senderNs, h.pair.senderIf);
    await Deno.writeTextFile(`${f.dir}/gen${k}.cfg`, trafgenConfig([60], src, dst));
  }
  for (const rate of rates) {
    const fleet = startFleet(f, [
      ...["h1", "h2", "h3", "--", "-i", "xc0", "-w", "/dev/null", "--json"],
      ...["--duration", String(seconds + 4), "--quiet"],
    ]);
    await fleet.waitForStderrLine(/^listening on 3 hosts$/, 60_000);
    const gens = f.hosts.map((h, k) =>
      startSender(h.pair, [
        ...["trafgen", "-o", h.pair.senderIf, "--cpus", "1", "-i", `${f.dir}/gen${k}.cfg`],
        ...(rate === "top" ? [] : ["-b", `${rate}pps`]),
      ])
    );
    const t0 = await procTicks(fleet.pid) ?? 0;
    const s0 = await ticksOf(f.clientNs, SSH);
    // Read the fleet's CPU and memory until it is gone (the last reading is at most 100 ms old).
    let exited = false;
    const status = fleet.status.then(() => exited = true);
    let t1 = t0;
    let s1 = s0;
    let peak = 0;
    const sample = (async () => {
      while (!exited) {
        t1 = (await procTicks(fleet.pid)) ?? t1;
        s1 = Math.max(s1, await ticksOf(f.clientNs, SSH));
        peak = Math.max(peak, (await rssKiB(fleet.pid)) ?? 0);
        await sleep(100);
      }
    })();
    await sleep(seconds * 1000);
    let sent = 0;
    for (const g of gens) sent += trafgenSent(await g.stop()) ?? 0;
    // The captures end by their --duration, the fleet with them.
    await Promise.race([status, sleep(60_000)]);
    exited = true;
    await sample;
    await fleet.stop();
    const summary = fleet.stderrText().split("\n").filter((l) => l.includes('"fleet_summary"'))
      .map((l) => JSON.parse(l))[0];
    const seen = summary?.seen ?? 0;
    const ticks = t1 - t0;
    rows.push({
      offeredPerHost: rate,
      sentPps: sent / seconds,
      seenPps: seen / seconds,
      merged: summary?.merged ?? 0,
      mergedPps: (summary?.merged ?? 0) / seconds,
      fleetNsPerPacket: (ticks / CLK_TCK) * 1e9 / Math.max(1, summary?.merged ?? 0),
      fleetPeakRssMiB: peak / 1024,
      sshNsPerPacket: ((s1 - s0) / CLK_TCK) * 1e9 / Math.max(1, summary?.merged ?? 0),
      droppedByHosts: summary?.dropped ?? 0,
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
});

console.table(rows);
