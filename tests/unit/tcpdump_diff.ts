/**
 * The strict differential harness: `tcpdump -n -r FILE [flags]` (4.99) beside xskdump's decoder
 * on every record of every file of the corpus (tcpdump_run.ts runs both sides). A record agrees
 * only when its whole text is identical: the line and, for the flags that print them, its
 * continuation lines.
 *
 * Timestamps: both sides are compared twice, as the whole record (timestamp included, in
 * one time zone) and as the text after the timestamp (the default timestamp, "HH:MM:SS.frac " or
 * tcpdump's "[Error converting time] ", stripped the same way from both). The second is the
 * protocol decoder's own rate; the first is what a user sees.
 *
 * Records are grouped by the protocol key protocol_key.ts reads from the frame's bytes; the
 * records that differ are broken down by diff_category.ts's categories.
 *
 * Also a script: `deno run -A tests/unit/tcpdump_diff.ts [-v|-e|-S ...] [--show KEY] [FILE...]`
 * prints the table (and with --show, the differing records of one key, or of ALL);
 * `--floors` prints the floors decode_corpus_test.ts holds, as measured now.
 *
 * @module
 */
import { type Category, lenientCategory } from "./diff_category.ts";
import { protocolKey } from "./protocol_key.ts";
import {
  afterTimestamp,
  corpusFiles,
  fileRecords,
  FLAG_SETS,
  tcpdumpRecords,
  timestampOf,
  xskdumpDecoder,
} from "./tcpdump_run.ts";

/** Counts of one protocol key (or of all). */
export interface Count {
  records: number;
  /** The whole record identical, timestamp included. */
  identical: number;
  /** Identical after the timestamp. */
  identicalText: number;
}

/** One record that differs, for the report. */
export interface Difference {
  where: string;
  key: string;
  ours: string;
  theirs: string;
}

/** Result of one flag set over the files. */
export interface Tally {
  flags: string[];
  total: Count;
  byKey: Record<string, Count>;
  differences: Difference[];
  /** Files where tcpdump printed another number of records than the file holds. */
  countMismatch: string[];
  /** The records that differ, by {@link lenientCategory}. */
  breakdown: Record<Category, number>;
  /** Records whose timestamps differ (whatever their text). */
  timestampsDiffer: string[];
}

/** Runs one flag set over the files. */
export function differential(files: string[], flags: string[], decoder = xskdumpDecoder): Tally {
  const tally: Tally = {
    flags,
    total: { records: 0, identical: 0, identicalText: 0 },
    byKey: {},
    differences: [],
    countMismatch: [],
    breakdown: { exact: 0, firstLine: 0, appDecode: 0, undecoded: 0, mismatch: 0 },
    timestampsDiffer: [],
  };
  for (const path of files) {
    const records = fileRecords(path);
    const theirs = tcpdumpRecords(path, flags);
    const ours = decoder(records, flags);
    if (theirs.length !== records.length) tally.countMismatch.push(path);
    const n = Math.min(theirs.length, records.length);
    for (let i = 0; i < n; i++) {
      const key = protocolKey(records[i].data);
      const c = tally.byKey[key] ??= { records: 0, identical: 0, identicalText: 0 };
      c.records++;
      tally.total.records++;
      if (ours[i] === theirs[i]) {
        c.identical++;
        tally.total.identical++;
      }
      if (timestampOf(ours[i]) !== timestampOf(theirs[i])) {
        tally.timestampsDiffer.push(
          `${path.replace(/.*\//, "")}#${i + 1}: ${timestampOf(ours[i])} ${timestampOf(theirs[i])}`,
        );
      }
      const o = afterTimestamp(ours[i]);
      const t = afterTimestamp(theirs[i]);
      if (o === t) {
        c.identicalText++;
        tally.total.identicalText++;
      } else {
        tally.breakdown[lenientCategory(o, t)]++;
        tally.differences.push({
          where: `${path.replace(/.*\//, "")}#${i + 1}`,
          key,
          ours: o,
          theirs: t,
        });
      }
    }
  }
  return tally;
}

function pct(n: number, d: number): string {
  return d === 0 ? "-" : `${(100 * n / d).toFixed(1)}%`;
}

/**
 * The table of several flag sets: one row per protocol key (most records first), the identical
 * rate after the timestamp per flag set, and the whole-record rate of the first set.
 */
export function report(tallies: Tally[]): string {
  const keys = new Set<string>();
  for (const t of tallies) for (const k of Object.keys(t.byKey)) keys.add(k);
  const first = tallies[0];
  const rows = [...keys].sort((a, b) =>
    (first.byKey[b]?.records ?? 0) - (first.byKey[a]?.records ?? 0) || (a < b ? -1 : 1)
  );
  const head = ["protocol".padEnd(18), "records".padStart(7)];
  for (const t of tallies) head.push((t.flags.join(" ") || "default").padStart(16));
  head.push("whole(default)".padStart(16));
  const lines = [head.join(" ")];
  const row = (name: string, get: (t: Tally) => Count | undefined) => {
    const cells = [name.padEnd(18), String(get(first)?.records ?? 0).padStart(7)];
    for (const t of tallies) {
      const c = get(t);
      cells.push(`${c?.identicalText ?? 0} ${pct(c?.identicalText ?? 0, c?.records ?? 0)}`
        .padStart(16));
    }
    const c = get(first);
    cells.push(`${c?.identical ?? 0} ${pct(c?.identical ?? 0, c?.records ?? 0)}`.padStart(16));
    lines.push(cells.join(" "));
  };
  for (const k of rows) row(k, (t) => t.byKey[k]);
  row("ALL", (t) => t.total);
  return lines.join("\n");
}

/** The measured counts as decode_corpus_test.ts writes its floors. */
function floors(tallies: Tally[]): string {
  const keys = new Set<string>();
  for (const t of tallies) {
    for (const [k, c] of Object.entries(t.byKey)) if (c.identicalText > 0) keys.add(k);
  }
  const lines = [
    `const FLOOR = { ${
      tallies.map((t) => `"${t.flags.join(" ") || "default"}": ${t.total.identicalText}`).join(", ")
    } };`,
    `const WHOLE_FLOOR = { ${
      tallies.map((t) => `"${t.flags.join(" ") || "default"}": ${t.total.identical}`).join(", ")
    } };`,
    "const KEY_FLOOR = {",
  ];
  for (const k of [...keys].sort()) {
    lines.push(`  "${k}": [${tallies.map((t) => t.byKey[k]?.identicalText ?? 0).join(", ")}],`);
  }
  lines.push("};");
  return lines.join("\n");
}

if (import.meta.main) {
  const args = [...Deno.args];
  const wantFloors = args.includes("--floors");
  if (wantFloors) args.splice(args.indexOf("--floors"), 1);
  let show: string | undefined;
  const i = args.indexOf("--show");
  if (i >= 0) {
    show = args[i + 1];
    args.splice(i, 2);
  }
  const flags = args.filter((a) => a.startsWith("-"));
  const named = args.filter((a) => !a.startsWith("-"));
  const files = named.length ? named : corpusFiles();
  const sets = flags.length ? [flags] : Object.values(FLAG_SETS);
  const tallies = sets.map((f) => differential(files, f));
  console.log(wantFloors ? floors(tallies) : report(tallies));
  for (const t of tallies) {
    console.log(`${t.flags.join(" ") || "default"}: differing records by kind:`, t.breakdown);
    if (t.countMismatch.length) console.log(`record counts differ: ${t.countMismatch.join(" ")}`);
    if (show === undefined) continue;
    for (const d of t.differences) {
      if (show !== "ALL" && d.key !== show) continue;
      console.log(
        `${t.flags.join(" ")} ${d.where} [${d.key}]\n  ours:    ${
          d.ours.replaceAll("\n", "\n           ")
        }\n  tcpdump: ${d.theirs.replaceAll("\n", "\n           ")}`,
      );
    }
  }
}
