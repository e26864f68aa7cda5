// bench/targets.ts: issue 15's target rows from one run's trials (ratios, verdicts, what is
// missing), dd's ceiling, and a real dd of new pages into a temp dir. No root.
import assert from "node:assert/strict";
import {
  attributionTargets,
  ceilingOf,
  ddNewPages,
  targets,
  type TrialLike,
} from "../../bench/targets.ts";
import { summarize, type TrialResult } from "../../bench/report.ts";

function row(
  profile: string,
  generator: string,
  tool: string,
  capturedPps: number,
  more: Partial<TrialLike> = {},
): TrialLike {
  return {
    phase: "matrix",
    profile,
    generator,
    tool,
    offered: 1000,
    lost: 0,
    offeredPps: 2 * capturedPps,
    capturedPps,
    lossPct: 0,
    disturbed: false,
    report: {},
    ...more,
  };
}

Deno.test("targets: each of issue 15's rows from the same run, met or not, or not measured", () => {
  const results = [
    row("udp64", "xdpgen", "limit-nap-native", 3_000_000),
    row("udp64", "xdpgen", "limit-spin-native", 3_100_000),
    row("udp64", "xdpgen", "xskdump-tmpfs-native", 2_900_000),
    row("mix", "xdpgen", "limit-nap-native", 1_000_000),
    row("mix", "xdpgen", "xskdump-tmpfs-native", 900_000, { writtenBps: 0.9e9 }),
    row("mix", "xdpgen", "tcpdump", 950_000, { writtenBps: 0.95e9 }),
    row("mix", "xdpgen", "xskdump-null-native", 960_000),
    row("mix", "trafgen", "xskdump-tmpfs-native", 600_000, { lossPct: 5 }),
    row("mix", "trafgen", "tcpdump", 580_000, { lossPct: 6 }),
    row("mix", "trafgen", "tcpdump-disk", 1, { report: { error: "exit 1" } }),
  ];
  const lossFree = [
    { tool: "xskdump-tmpfs-native", lossFreePps: 2_800_000, lowerBound: false },
    { tool: "limit-nap-native", lossFreePps: 3_000_000, lowerBound: true },
  ];
  const dd = [
    { fs: "tmpfs" as const, bs: "1M", bytes: 1, seconds: 1, bytesPerSec: 1.0e9, when: "before" },
    { fs: "tmpfs" as const, bs: "4k", bytes: 1, seconds: 1, bytesPerSec: 0.4e9, when: "before" },
  ];
  const limits = ["limit-native", "limit-spin-native", "limit-nap-native"];
  const t = Object.fromEntries(
    targets(results, lossFree, dd, limits, { growthKiBPerMin: 30 }).map((x) => [x.id, x]),
  );
  assert.equal(t["udp64-lossfree"].value, 0.933);
  assert.equal(t["udp64-lossfree"].met, true);
  assert.match(t["udp64-lossfree"].detail, /never lost: a lower bound/);
  // The best C limit of the cell: spin, 3.1 Mpps.
  assert.equal(t["udp64-fullspeed"].value, 0.935);
  assert.equal(t["udp64-fullspeed"].met, false);
  assert.match(t["udp64-fullspeed"].detail, /limit-spin-native/);
  assert.equal(t["mix-tmpfs-xdpgen"].value, 0.947);
  assert.equal(t["mix-tmpfs-xdpgen"].met, false);
  assert.equal(t["mix-tmpfs-trafgen"].met, true);
  // A row that failed or never ran: not measured, not a verdict.
  assert.equal(t["mix-disk-trafgen"].value, undefined);
  assert.equal(t["mix-disk-trafgen"].met, undefined);
  assert.equal(t["mix-tmpfs-bytes"].value, 0.9, "against the best dd of the run");
  assert.equal(t["mix-tmpfs-bytes"].met, true);
  assert.match(t["mix-tmpfs-bytes"].detail, /the C limit receives 1\.00 GB\/s/);
  assert.equal(t["mix-null-xdpgen"].value, 0.96);
  assert.equal(t["mix-trafgen-loss"].value, -1);
  assert.equal(t["mix-trafgen-loss"].met, true, "lower loss than tcpdump's");
  assert.equal(t["soak-rss"].met, true);
  assert.equal(ceilingOf(dd, "tmpfs"), 1.0e9);
  assert.equal(ceilingOf(dd, "disk"), undefined);
});

Deno.test("attribution targets: the median round of adjacent pairs, the BPF statistics' round apart", () => {
  const pair = (round: number, off: number, on: number, more: Partial<TrialLike> = {}) => [
    row("udp64", "xdpgen", "tap-native", off, { phase: "pairs", round, ...more }),
    row("udp64", "xdpgen", "tap-attr-native", on, { phase: "pairs", round, ...more }),
  ];
  const results = [
    // A matrix trial far apart in time is not a round.
    row("udp64", "xdpgen", "tap-attr-native", 1_000_000),
    ...pair(0, 3_000_000, 2_700_000), // 0.9
    ...pair(1, 2_000_000, 1_600_000), // 0.8
    ...pair(2, 2_500_000, 2_450_000), // 0.98
    // With the statistics on every program pays: its rates never make a round.
    ...pair(3, 1_000_000, 100_000, { bpfStats: true }),
    // A round one side of which failed counts for nothing.
    row("udp64", "xdpgen", "tap-native", 2_000_000, { phase: "pairs", round: 4 }),
    row("udp64", "xdpgen", "tap-attr-native", 1, {
      phase: "pairs",
      round: 4,
      report: { error: "exit 1" },
    }),
    // tc: two rounds, the median their mean; no statistics round.
    row("mix", "trafgen", "tap-tc", 1_000_000, { phase: "pairs", round: 0 }),
    row("mix", "trafgen", "tap-attr-tc", 800_000, { phase: "pairs", round: 0 }),
    row("mix", "trafgen", "tap-tc", 1_000_000, { phase: "pairs", round: 1 }),
    row("mix", "trafgen", "tap-attr-tc", 990_000, { phase: "pairs", round: 1 }),
  ];
  results[7].tapNsPerPkt = 104.5;
  results[8].tapNsPerPkt = 131.2;
  const t = Object.fromEntries(attributionTargets(results).map((x) => [x.id, x]));
  assert.deepEqual(Object.keys(t).sort(), ["attr-native-udp64-xdpgen", "attr-tc-mix-trafgen"]);
  const x = t["attr-native-udp64-xdpgen"];
  assert.equal(x.value, 0.9);
  assert.equal(x.met, true);
  assert.match(x.what, /median of 3 rounds/);
  assert.match(x.detail, /rounds 0\.900 0\.800 0\.980; the tap's programs 104\.5 -> 131\.2 ns/);
  const y = t["attr-tc-mix-trafgen"];
  assert.equal(y.value, 0.895);
  assert.equal(y.met, false);
  assert.match(y.detail, /- -> - ns per packet/);
});

Deno.test("dd of new pages: both block sizes, a rate, the file removed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "xskt-dd-" });
  try {
    const r = await ddNewPages("disk", dir, "test", undefined, 1);
    assert.deepEqual(r.map((d) => [d.fs, d.bs, d.bytes, d.when]), [
      ["disk", "1M", 1 << 20, "test"],
      ["disk", "4k", 1 << 20, "test"],
    ]);
    assert.ok(r.every((d) => d.bytesPerSec > 0 && d.seconds > 0));
    assert.deepEqual([...Deno.readDirSync(dir)], [], "dd's file is gone");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("udp64-lossfree: the median of each tool's sweep rounds, every round listed", () => {
  const step = (tool: string, mpps: number, lost: number, round?: number) =>
    row("udp64", `rate${mpps * 1000}k`, tool, mpps * 1e6, {
      phase: "sweep",
      offeredPps: mpps * 1e6,
      offered: mpps * 3e6,
      lost,
      round,
    });
  const x = "xskdump-tmpfs-native";
  const c = "limit-nap-native";
  const results = [
    row("udp64", "xdpgen", x, 3_500_000, { offeredPps: 3_900_000, lost: 99 }),
    // Round 1 loses at once, round 2 never, round 3 from 2 Mpps on: the median is round 3.
    step(x, 1, 5, 1),
    step(x, 2, 0, 1),
    step(x, 1, 0, 2),
    step(x, 2, 0, 2),
    step(x, 3, 0, 2),
    step(x, 1, 0, 3),
    step(x, 2, 7, 3),
    step(x, 3, 0, 3),
    // Swept once (no round): as before.
    step(c, 1, 0),
    step(c, 2, 0),
    step(c, 3, 4),
  ] as unknown as TrialResult[];
  const s = summarize(results);
  const lx = s.lossFree.find((l) => l.tool === x)!;
  assert.equal(lx.lossFreePps, 1e6);
  assert.equal(lx.firstLossPps, 2e6, "the median round's own first loss");
  assert.deepEqual(lx.rounds, [0, 3e6, 1e6]);
  const lc = s.lossFree.find((l) => l.tool === c)!;
  assert.equal(lc.lossFreePps, 2e6);
  assert.equal(lc.rounds, undefined);
  const t = s.targets.find((t) => t.id === "udp64-lossfree")!;
  assert.equal(t.value, 0.5);
  assert.match(t.what, /median of each one's sweeps/);
  assert.match(t.detail, /xskdump 1\.000 \(sweeps 0\.000 3\.000 1\.000\), C limit 2\.000;/);
});

Deno.test("mix against tcpdump: the median of the pairs' rounds where the run has them", () => {
  const pair = (g: string, round: number, x: number, td: number) => [
    row("mix", g, "xskdump-tmpfs-native", x, { phase: "pairs", round }),
    row("mix", g, "tcpdump", td, { phase: "pairs", round }),
  ];
  const results = [
    // The matrix's single trials say 0.9 (trafgen's rate moved between them)...
    row("mix", "trafgen", "xskdump-tmpfs-native", 520_000),
    row("mix", "trafgen", "tcpdump", 578_000),
    // ...the adjacent rounds 1.1, 0.95 and 1.05: the median 1.05.
    ...pair("trafgen", 0, 550_000, 500_000),
    ...pair("trafgen", 1, 570_000, 600_000),
    ...pair("trafgen", 2, 630_000, 600_000),
    // Disk has no pairs here: the single trials decide, as before.
    row("mix", "trafgen", "xskdump-disk-native", 700_000),
    row("mix", "trafgen", "tcpdump-disk", 500_000),
  ];
  const t = Object.fromEntries(targets(results, [], [], []).map((x) => [x.id, x]));
  assert.equal(t["mix-tmpfs-trafgen"].value, 1.05);
  assert.equal(t["mix-tmpfs-trafgen"].met, true);
  assert.match(t["mix-tmpfs-trafgen"].what, /median of 3 rounds/);
  assert.match(
    t["mix-tmpfs-trafgen"].detail,
    /^rounds 1\.100 0\.950 1\.050; the matrix's trials 0\.520 \/ 0\.578/,
  );
  assert.equal(t["mix-disk-trafgen"].value, 1.4);
  assert.doesNotMatch(t["mix-disk-trafgen"].what, /rounds/);
});

Deno.test("mix to /dev/null: the median of the pairs with the nap's C loop where the run has them", () => {
  const results = [
    row("mix", "trafgen", "xskdump-null-native", 535_000),
    row("mix", "trafgen", "limit-nap-native", 588_000),
    ...[[0, 600_000, 590_000], [1, 560_000, 600_000], [2, 610_000, 600_000]].flatMap((
      [round, x, c],
    ) => [
      row("mix", "trafgen", "xskdump-null-native", x, { phase: "pairs", round }),
      row("mix", "trafgen", "limit-nap-native", c, { phase: "pairs", round }),
    ]),
  ];
  const t = Object.fromEntries(
    targets(results, [], [], ["limit-nap-native"]).map((x) => [x.id, x]),
  );
  assert.equal(t["mix-null-trafgen"].value, 1.017);
  assert.match(t["mix-null-trafgen"].what, /limit-nap-native \(median of 3 rounds\)/);
  assert.match(t["mix-null-trafgen"].detail, /the matrix's trials 0\.535 \/ 0\.588 \(limit-nap/);
});
