/**
 * The bench's gnuplot plot: captured against offered rate, one panel per profile, and the bytes
 * each file writer wrote per second beside dd's ceilings. Without gnuplot there is no plot.
 * @module
 */
import { have, run } from "../testbed/mod.ts";
import { type Profile, PROFILES } from "./catalog.ts";
import type { TrialResult } from "./report.ts";
import { ceilingOf, type DdResult } from "./targets.ts";

/** The trials a plot shows: one of each (no soak, no pairs, the sweep's first round only). */
function plotted(r: TrialResult): boolean {
  return r.phase !== "soak" && r.phase !== "pairs" && !(r.phase === "sweep" && (r.round ?? 1) > 1);
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

export async function plot(
  results: TrialResult[],
  dd: DdResult[],
  stem: string,
): Promise<string | undefined> {
  if (!(await have("gnuplot"))) return undefined;
  const dir = await Deno.makeTempDir({ prefix: "xskbench-plot-" });
  try {
    const series: { file: string; title: string; profile: string }[] = [];
    const tools = [
      ...new Set(
        results.filter(plotted).map((r) => r.tool),
      ),
    ]
      .filter((t) => PLOTTED.includes(t));
    // A stream's packets are whatever TCP made of it: no rate to plot against another.
    for (const profile of PROFILES.filter((p) => !p.streamBytes).map((p) => p.id)) {
      for (const t of tools) {
        const pts = results.filter((r) =>
          r.tool === t && r.profile === profile && plotted(r) && !r.report.error
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
      const mine = results.filter((r) => r.profile === profile.id && plotted(r));
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
    const top = Math.max(
      ...writers.map((r) => r.writtenBps! / 1e9),
      ...ceilings.map(([, c]) => c! / 1e9),
    ) * 1.15;
    const bytesPanel = writers.length
      ? [
        `set title "mix, xdp_gen: file bytes written per second (lines: dd of new pages)"`,
        `set style fill solid 0.5`,
        `set boxwidth 0.6`,
        `set xrange [-0.7:${writers.length - 0.3}]`,
        `set yrange [0:${top}]`,
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
    const panels = shown.length + (bytesPanel ? 1 : 0);
    const script = [
      `set terminal png size ${700 * Math.max(1, panels)},750 font ",10"`,
      `set termoption noenhanced`,
      `set output "${png}"`,
      `set multiplot layout 1,${Math.max(1, panels)} title "xskdump bench: captured vs offered ` +
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
