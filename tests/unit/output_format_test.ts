// The pure pieces of tcpdump-grade output: strftime names, rotation steps (-C/-G/-W as tcpdump
// numbers files), hex dumps, the live status and JSON formatters, the flags that choose them.
import assert from "node:assert/strict";
import { parseArgs } from "../../cli/args.ts";
import { formatFor } from "../../cli/output/mod.ts";
import { captureEnding, statusMode } from "../../cli/status.ts";
import { OutputFailure, OutputStop } from "../../cli/output/mod.ts";
import { captureStats, drops } from "./helpers.ts";
import { formatSummary } from "../../lib/capture/summary.ts";
import { hexAsciiLines, hexDump, hexLines, linkHeaderLength } from "../../lib/decode/hexdump.ts";
import { fileNumberWidth, Rotation, rotationName } from "../../lib/formats/rotation.ts";
import {
  formatBits,
  formatStatsLine,
  formatStatusLine,
  JSON_SCHEMA,
  liveRecord,
  rateBetween,
  readRecord,
} from "../../lib/capture/stats.ts";
import { hasTimeConversion, strftime } from "../../lib/formats/strftime.ts";

Deno.test("strftime: the conversions tcpdump's -G names use, in local time (TZ=UTC here)", () => {
  // 2024-02-29 (a leap day, a Thursday) 07:08:09 UTC.
  const d = new Date(Date.UTC(2024, 1, 29, 7, 8, 9));
  const tz = Deno.env.get("TZ");
  if (tz !== undefined && tz !== "UTC") return; // make test sets TZ=UTC
  assert.equal(strftime("cap-%Y%m%d-%H%M%S.pcap", d), "cap-20240229-070809.pcap");
  assert.equal(
    strftime("%F %T %j %a %A %b %B %e %y %C %p %I %l %k", d),
    "2024-02-29 07:08:09 060 Thu Thursday Feb February 29 24 20 AM 07  7  7",
  );
  assert.equal(
    strftime("%s %u %w %U %W %V %G %g %D %R %r %%", d),
    "1709190489 4 4 08 09 09 2024 24 02/29/24 07:08 07:08:09 AM %",
  );
  assert.equal(strftime("%z %Z", d), "+0000 UTC");
  assert.equal(
    strftime("%Q stays, %Ey and %OH are %y and %H, a trailing %", d),
    "%Q stays, 24 and 07 are 24 and 07, a trailing %",
  );
  // ISO weeks at year ends: 2021-01-03 is in week 53 of 2020; 2024-12-30 in week 1 of 2025.
  assert.equal(strftime("%G-%V", new Date(Date.UTC(2021, 0, 3, 12))), "2020-53");
  assert.equal(strftime("%G-%V", new Date(Date.UTC(2024, 11, 30, 12))), "2025-01");
  assert.ok(hasTimeConversion("x-%H.pcap"));
  assert.ok(!hasTimeConversion("plain.pcap"));
});

Deno.test("strftime agrees with date(1) on a spread of times", () => {
  if ((Deno.env.get("TZ") ?? "UTC") !== "UTC") return;
  const fmt = "%Y-%m-%d %H:%M:%S %j %a %b %e %U %W %V %G %u %w %I %p";
  for (const t of [0, 951782400, 1230768000, 1609459200, 1704067199, 1735603200, 2000000000]) {
    const out = new Deno.Command("date", {
      args: ["-u", "-d", `@${t}`, `+${fmt}`],
      stdout: "piped",
    }).outputSync();
    assert.equal(strftime(fmt, new Date(t * 1000)), new TextDecoder().decode(out.stdout).trim());
  }
});

Deno.test("rotation names: tcpdump's numbering, zero-padded to the width of W-1", () => {
  assert.equal(fileNumberWidth(undefined), 0);
  assert.equal(fileNumberWidth(1), 0);
  assert.equal(fileNumberWidth(3), 1);
  assert.equal(fileNumberWidth(10), 1);
  assert.equal(fileNumberWidth(11), 2);
  assert.equal(fileNumberWidth(101), 3);
  const t = new Date(0);
  assert.equal(rotationName("out.pcap", false, 0, 0, t), "out.pcap");
  assert.equal(rotationName("out.pcap", false, 2, 0, t), "out.pcap2");
  assert.equal(rotationName("out.pcap", false, 0, 2, t), "out.pcap00");
  assert.equal(
    rotationName("c-%H.pcap", true, 3, 1, new Date(Date.UTC(2020, 0, 1, 5))),
    "c-05.pcap3",
  );
});

Deno.test("rotation -C: a new file once the current one is larger than the limit", () => {
  const r = new Rotation({ template: "o.pcap", sizeLimit: 100 }, 0);
  assert.equal(r.current, "o.pcap");
  assert.deepEqual(r.step(0, 100), { kind: "keep" }, "not larger yet");
  assert.deepEqual(r.step(0, 101), { kind: "rotate", name: "o.pcap1" });
  assert.deepEqual(r.step(0, 150), { kind: "rotate", name: "o.pcap2" });
  const ring = new Rotation({ template: "o.pcap", sizeLimit: 10, maxFiles: 3 }, 0);
  const names = [ring.current];
  for (let i = 0; i < 5; i++) names.push((ring.step(0, 11) as { name: string }).name);
  assert.deepEqual(names, ["o.pcap0", "o.pcap1", "o.pcap2", "o.pcap0", "o.pcap1", "o.pcap2"]);
});

Deno.test("rotation -G: by time, strftime names, -W stops after W files; with -C numbers restart", () => {
  const at = (s: number) => Date.UTC(2020, 0, 1, 0, 0, 0) / 1000 + s;
  const g = new Rotation({ template: "c-%M%S.pcap", seconds: 2, maxFiles: 3 }, at(0));
  assert.equal(g.current, "c-0000.pcap");
  assert.deepEqual(g.step(at(1), 9999), { kind: "keep" });
  assert.deepEqual(g.step(at(2), 0), { kind: "rotate", name: "c-0002.pcap" });
  assert.deepEqual(g.step(at(3), 0), { kind: "keep" });
  assert.deepEqual(g.step(at(7), 0), { kind: "rotate", name: "c-0007.pcap" });
  assert.deepEqual(g.step(at(9), 0), { kind: "stop", files: 3 });
  const gc = new Rotation(
    { template: "c-%S.pcap", seconds: 5, sizeLimit: 10, maxFiles: 20 },
    at(0),
  );
  assert.equal(gc.current, "c-00.pcap00");
  assert.deepEqual(gc.step(at(1), 11), { kind: "rotate", name: "c-00.pcap01" });
  assert.deepEqual(gc.step(at(6), 11), { kind: "rotate", name: "c-06.pcap00" }, "time first");
  assert.deepEqual(gc.step(at(6), 11), { kind: "rotate", name: "c-06.pcap01" });
});

Deno.test("hex dumps: tcpdump's layout for -x and -X, odd lengths, link header skipping", () => {
  const d = Uint8Array.from({ length: 35 }, (_, i) => (i * 7 + 0x1f) & 0xff);
  assert.equal(
    hexLines(d, 30),
    "\n\t0x0000:  " + "f1f8 ff06 0d",
  );
  assert.equal(
    hexAsciiLines(Uint8Array.from([0x41, 0x20, 0x7e, 0x7f, 0x00])),
    "\n\t0x0000:  4120 7e7f 00" + " ".repeat(40 - 13) + "  A.~..",
  );
  // Ethernet + 802.1Q + IPv4: -x skips 18 bytes; -xx dumps everything.
  const f = new Uint8Array(40);
  f.set([0x81, 0x00, 0x00, 0x64, 0x08, 0x00], 12);
  assert.equal(linkHeaderLength(f), 18);
  assert.equal(hexDump(f, { level: 1, ascii: false }).split("\n").length, 3);
  assert.equal(hexDump(f, { level: 2, ascii: false }).split("\n").length, 4);
  assert.ok(hexDump(f, { level: 1, ascii: false }, true).startsWith("\n\t0x0000:  0000"));
  assert.equal(hexDump(f, { level: 0, ascii: false }), "");
  // 802.3 + LLC (U format: 3 bytes) and SNAP (8 bytes).
  const llc = new Uint8Array(30);
  llc.set([0x00, 0x10, 0x42, 0x42, 0x03], 12);
  assert.equal(linkHeaderLength(llc), 17);
  llc.set([0xaa, 0xaa, 0x03], 14);
  assert.equal(linkHeaderLength(llc), 22);
  assert.equal(linkHeaderLength(new Uint8Array(10)), 10, "too short: nothing to dump");
});

const stats = captureStats;

Deno.test("status and stats lines: packets, rates, drops by reason, frames held", () => {
  assert.equal(formatBits(999), "999 bit/s");
  assert.equal(formatBits(12_345), "12.3 kbit/s");
  assert.equal(formatBits(512_340_000), "512.3 Mbit/s");
  assert.equal(formatBits(2.5e9), "2.5 Gbit/s");
  const rate = rateBetween({ at: 0, captured: 0, bytes: 0 }, {
    at: 2000,
    captured: 1500,
    bytes: 1_000_000,
  });
  assert.deepEqual(rate, { pps: 750, bps: 4_000_000 });
  assert.deepEqual(
    rateBetween({ at: 5, captured: 0, bytes: 0 }, { at: 5, captured: 9, bytes: 9 }),
    {
      pps: 0,
      bps: 0,
    },
  );
  const line = formatStatusLine(stats(), rate);
  assert.equal(
    line,
    "1500 packets, 750 pkt/s, 4.0 Mbit/s, 50 dropped (ring full 30, no free frame 20, " +
      "invalid 0), 64 frames held",
  );
  assert.equal(formatStatusLine(stats(), rate, 20), line.slice(0, 20));
  assert.match(
    formatStatusLine(stats({ integrity: { ...stats().integrity, foreign: 2 } }), rate),
    /, 2 ring violations$/,
  );
  assert.equal(
    formatStatsLine(stats(), rate, 12_340),
    "stats 12.3s: 1500 packets captured, 750 pkt/s, 4.0 Mbit/s, 50 dropped (ring full 30, " +
      "no free frame 20, invalid 0), 64 frames held",
  );
  // rx_dropped beyond the times the fill ring was empty: packets larger than a frame.
  const big = stats({ dropped: drops({ total: 7, rxDropped: 7, tooBig: 7 }) });
  assert.match(
    formatStatusLine(big, rate),
    /7 dropped \(ring full 0, no free frame 0, larger than a frame 7, invalid 0\)/,
  );
  assert.ok(
    formatSummary(big).includes(
      "7 packets dropped by kernel (rx ring full 0, no free frame 0, larger than a frame 7, " +
        "invalid 0)",
    ),
    formatSummary(big).join("\n"),
  );
});

Deno.test("JSON records: the documented fields, types and units", () => {
  const rec = liveRecord("summary", stats(), {
    iface: "eth1",
    queues: [0, 1],
    mode: "native",
    elapsedMs: 2000.4,
    bytes: 1_000_000,
    rate: { pps: 750, bps: 4e6 },
    files: [{ path: "a.pcap", packets: 1500, bytes: 1_024_000 }],
    filesOpened: 1,
    writer: { waits: 3, longestWriteMs: 1.23456 },
  }, { stop: "signal", exitCode: 0 });
  const parsed = JSON.parse(JSON.stringify(rec));
  assert.deepEqual(Object.keys(parsed), [
    "type",
    "schema",
    "source",
    "time",
    "elapsed_s",
    "interface",
    "queues",
    "mode",
    "path",
    "direction",
    "captured",
    "bytes",
    "received",
    "seen",
    "dropped",
    "passed",
    "filtered",
    "not_kept",
    "no_meta",
    "no_hw_timestamp",
    "fill_ring_empty",
    "user_held",
    "integrity",
    "per_queue",
    "longest_gap_ms",
    "rate",
    "files",
    "files_opened",
    "writer",
    "stop",
    "exit_code",
  ]);
  assert.deepEqual(parsed.writer, { waits: 3, longest_write_ms: 1.235 });
  assert.equal(parsed.schema, JSON_SCHEMA);
  assert.equal(parsed.elapsed_s, 2);
  assert.match(parsed.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(parsed.dropped, {
    total: 50,
    rx_ring_full: 30,
    no_free_frame: 20,
    too_big: 0,
    invalid: 0,
    ring_buffer_full: { in: 0, out: 0 },
  });
  assert.deepEqual([parsed.path, parsed.direction], ["divert", "in"]);
  assert.deepEqual(parsed.per_queue[1], { queue: 1, captured: 500, dropped: 0 });
  assert.equal(parsed.longest_gap_ms, 0);
  assert.equal(parsed.integrity.clobber, 0);
  const read = readRecord({
    file: "in.pcap",
    format: "pcapng",
    read: 10,
    captured: 4,
    bytes: 400,
    elapsedMs: 1000,
    files: [],
    filesOpened: 0,
  }, { stop: "error", error: "truncated", exitCode: 1 });
  assert.equal(read.source, "file");
  assert.deepEqual(read.rate, { pps: 4, bps: 3200 });
  assert.equal(read.error, "truncated");
  assert.ok(
    !("error" in liveRecord("stats", stats(), {
      iface: "x",
      queues: [0],
      mode: "generic",
      elapsedMs: 1,
      bytes: 0,
      rate: { pps: 0, bps: 0 },
      files: [],
      filesOpened: 0,
    })),
  );
});

Deno.test("status mode: terminal status, periodic lines, JSON, quiet", () => {
  const base = { quiet: false, json: false, textOnTerminal: false, stderrIsTerminal: true };
  assert.equal(statusMode(base), "terminal");
  assert.equal(statusMode({ ...base, textOnTerminal: true }), "none", "lines would overwrite it");
  assert.equal(statusMode({ ...base, stderrIsTerminal: false }), "none");
  assert.equal(statusMode({ ...base, stderrIsTerminal: false, statsIntervalMs: 500 }), "lines");
  assert.equal(statusMode({ ...base, json: true, statsIntervalMs: 500 }), "json");
  assert.equal(statusMode({ ...base, quiet: true, statsIntervalMs: 500 }), "none");
});

Deno.test("capture endings: exit codes and the line after the summary", () => {
  const d = (e: unknown) => String(e);
  assert.deepEqual(captureEnding("count", undefined, d), { stop: "count", exitCode: 0 });
  assert.equal(captureEnding("integrity", undefined, d).exitCode, 3);
  const full = captureEnding("error", new OutputFailure("disk_full", "disk full writing x"), d);
  assert.deepEqual(full, {
    stop: "disk_full",
    error: "disk full writing x",
    exitCode: 1,
    line: "xskdump: disk full writing x",
  });
  const closed = captureEnding("error", new OutputFailure("output_closed", "output closed"), d);
  assert.equal(closed.exitCode, 0);
  assert.equal(closed.stop, "output_closed");
  assert.equal(captureEnding("error", new Deno.errors.BrokenPipe("x"), d).exitCode, 0);
  const limit = captureEnding("error", new OutputStop("Maximum file limit reached: 3"), d);
  assert.deepEqual(limit, {
    stop: "file_limit",
    exitCode: 0,
    line: "xskdump: Maximum file limit reached: 3",
  });
  assert.equal(captureEnding("error", new Error("gone"), d).exitCode, 1);
});

Deno.test("flags: -e -v -x/-X -n, -r, --format and rotation, stats flags", () => {
  const a = parseArgs(["-i", "eth0", "-n", "-e", "-vv", "-xx", "--quiet", "--json"]);
  if (a.kind !== "capture") throw new Error("expected a capture");
  assert.deepEqual(a.print, {
    direction: false,
    process: false,
    link: true,
    verbosity: 2,
    quiet: 0,
    hex: { level: 2, ascii: false },
    ascii: 0,
    number: false,
    absoluteSeq: false,
    timestamps: "time",
    precision: "micro",
  });
  assert.equal(a.noStatus, true);
  assert.equal(a.json, true);
  const x = parseArgs(["-i", "eth0", "-x", "-X"]);
  if (x.kind === "capture") assert.deepEqual(x.print.hex, { level: 1, ascii: true });
  const w = parseArgs(["-i", "e", "-w", "c-%H.pcap", "-G", "60", "-C", "2.5", "-W", "4"]);
  if (w.kind !== "capture") throw new Error("expected a capture");
  assert.deepEqual(w.output, { format: undefined, sizeLimit: 2_500_000, seconds: 60, maxFiles: 4 });
  const s = parseArgs(["-i", "e", "--stats-interval", "0.5"]);
  if (s.kind === "capture") assert.equal(s.statsIntervalMs, 500);
  const r = parseArgs(["-r", "-", "-w", "out", "--format", "pcapng", "-s", "96", "-c", "7", "udp"]);
  assert.equal(r.kind, "read");
  if (r.kind === "read") {
    assert.equal(r.file, "-");
    assert.equal(r.snaplen, 96);
    assert.equal(r.count, 7);
    assert.equal(r.expression, "udp");
    assert.equal(r.output.format, "pcapng");
  }
  const bad: [string[], RegExp][] = [
    [["-i", "e", "-C", "1"], /give -w FILE/],
    [["-i", "e", "-w", "-", "-C", "1"], /not stdout/],
    [["-i", "e", "-w", "f", "-W", "2"], /-W limits the files of -C or -G/],
    [["-i", "e", "--format", "pcapng"], /give -w too/],
    [["-i", "e", "-w", "f", "--format", "ng"], /ng/],
    [["-i", "e", "-w", "f", "-G", "0"], /-G must be in/],
    [["-i", "e", "-w", "f", "-C", "0"], /-C needs a positive number/],
    [["-i", "e", "--stats-interval", "0"], /--stats-interval needs/],
    [["-r", "f", "-i", "e"], /give one of them/],
    [["-r", ""], /-r needs a file name/],
  ];
  for (const [argv, re] of bad) assert.throws(() => parseArgs(argv), re, argv.join(" "));
  assert.equal(formatFor("x.pcapng"), "pcapng");
  assert.equal(formatFor("X.PCAPNG"), "pcapng");
  assert.equal(formatFor("x.pcap"), "pcap");
  assert.equal(formatFor("-"), "pcap");
  assert.equal(formatFor("-", "pcapng"), "pcapng");
});
