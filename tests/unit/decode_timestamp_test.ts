/**
 * Timestamps in front of each line: every format (default, -t, -tt, -ttt, -tttt, -ttttt) in both
 * precisions, on a microsecond pcap and a nanosecond pcapng, against lines written out here and,
 * where tcpdump 4.99 is installed, against `tcpdump -n [flags] -r` on the same files. The times
 * cover a zero first timestamp, steps back, midnight, and the 2038 limit tcpdump 4.99 has.
 */
import assert from "node:assert/strict";
import {
  Decoder,
  formatTimestamp,
  TIMESTAMP_FORMATS,
  type TimestampFormat,
  type TimestampPrecision,
} from "../../lib/decode/decode.ts";
import { PcapngWriter } from "../../lib/formats/pcapng.ts";
import { CollectSink } from "./helpers.ts";
import { haveTcpdump499 } from "./tcpdump_run.ts";

const TCPDUMP = haveTcpdump499();
if (!TCPDUMP) console.log("decode_timestamp_test: tcpdump 4.99 not found; comparisons skipped");
const UTC = new Date(0).getTimezoneOffset() === 0 && Deno.env.get("TZ") === "UTC";
if (!UTC) console.log("decode_timestamp_test: TZ is not UTC; local-time lines not checked");

/** A UDP frame: "IP 10.0.0.1.1234 > 10.0.0.2.4660: UDP, length 8". */
const FRAME = new Uint8Array([
  ...[0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 8, 0],
  ...[0x45, 0, 0, 36, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2],
  ...[0x04, 0xd2, 0x12, 0x34, 0, 16, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7],
]);
const TEXT = "IP 10.0.0.1.1234 > 10.0.0.2.4660: UDP, length 8";

/** [seconds, nanoseconds] of the microsecond file (whole microseconds). */
const MICRO_TIMES: [number, number][] = [
  [0, 0], // a first timestamp of 0.0 leaves -ttt's reference unset, as in tcpdump
  [1, 500000000],
  [1700000000, 123456000],
  [1700000001, 123457000],
  [1700000000, 999999000], // a step back
  [1700006399, 999999000],
  [1700006400, 1000], // midnight UTC
  [2147483647, 1000],
  [2147483648, 0], // bit 31: tcpdump 4.99 cannot convert it
  [2147483647, 999999000],
];
/**
 * libpcap reads a pcap record's seconds as a signed 32-bit number (the format says unsigned), so
 * tcpdump's -ttt and -ttttt count 2147483648 as 1901; xskdump counts it as 2038. Those two
 * formats are compared on the records before it.
 */
const MICRO_BEFORE_2038 = 8;

/** [seconds, nanoseconds] of the nanosecond file. */
const NANO_TIMES: [number, number][] = [
  [1700000000, 123456789],
  [1700000000, 123456999],
  [1700000001, 1],
  [1699999999, 999999999],
  [2147483648, 500000000],
  [4294967295, 7],
  [4294967296, 9], // the seconds modulo 2^32: 0
];

/** A classic pcap with microsecond timestamps (magic a1b2c3d4, little-endian). */
function microPcap(path: string, times: [number, number][]): void {
  const rec = 16 + FRAME.length;
  const b = new Uint8Array(24 + rec * times.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  times.forEach(([sec, nsec], i) => {
    const at = 24 + rec * i;
    v.setUint32(at, sec, true);
    v.setUint32(at + 4, nsec / 1000, true);
    v.setUint32(at + 8, FRAME.length, true);
    v.setUint32(at + 12, FRAME.length, true);
    b.set(FRAME, at + 16);
  });
  Deno.writeFileSync(path, b);
}

/** A pcapng file with nanosecond timestamps (if_tsresol 9), as xskdump writes them. */
function nanoPcapng(path: string, times: [number, number][]): void {
  const sink = new CollectSink();
  const w = new PcapngWriter(sink, { ifName: "veth0" });
  for (const [sec, nsec] of times) w.add(FRAME, 0, FRAME.length, sec, nsec);
  w.close();
  Deno.writeFileSync(path, sink.bytes());
}

function ours(
  times: [number, number][],
  timestamps: TimestampFormat,
  precision: TimestampPrecision,
): string[] {
  const d = new Decoder({ timestamps, precision });
  return times.map(([sec, nsec]) => d.line(sec, nsec, FRAME, FRAME.length));
}

function tcpdumpLines(path: string, flags: string[]): string[] {
  const out = new Deno.Command("tcpdump", {
    args: ["-n", ...flags, "-r", path],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

/** The tcpdump flags of a format and precision. */
function flagsOf(format: TimestampFormat, precision: TimestampPrecision): string[] {
  const n = TIMESTAMP_FORMATS.indexOf(format);
  return [...(n > 0 ? ["-" + "t".repeat(n)] : []), ...(precision === "nano" ? ["--nano"] : [])];
}

let dir: string | undefined;
function files(): { micro: string; nano: string } {
  dir ??= Deno.makeTempDirSync({ prefix: "xskdump-ts-" });
  const micro = `${dir}/micro.pcap`;
  const nano = `${dir}/nano.pcapng`;
  microPcap(micro, MICRO_TIMES);
  nanoPcapng(nano, NANO_TIMES);
  return { micro, nano };
}

for (const format of TIMESTAMP_FORMATS) {
  for (const precision of ["micro", "nano"] as const) {
    Deno.test({
      name: `timestamps ${format} (${flagsOf(format, precision).join(" ") || "default"}) ` +
        "on a microsecond pcap and a nanosecond pcapng vs tcpdump",
      ignore: !TCPDUMP,
      fn() {
        const f = files();
        try {
          const n = format === "delta" || format === "elapsed"
            ? MICRO_BEFORE_2038
            : MICRO_TIMES.length;
          assert.deepEqual(
            ours(MICRO_TIMES, format, precision).slice(0, n),
            tcpdumpLines(f.micro, flagsOf(format, precision)).slice(0, n),
          );
          assert.deepEqual(
            ours(NANO_TIMES, format, precision),
            tcpdumpLines(f.nano, flagsOf(format, precision)),
          );
        } finally {
          Deno.removeSync(dir!, { recursive: true });
          dir = undefined;
        }
      },
    });
  }
}

Deno.test("timestamps: each format's text, written out", () => {
  const at = (format: TimestampFormat, precision: TimestampPrecision, times: [number, number][]) =>
    ours(times, format, precision).map((l) => l.slice(0, l.length - TEXT.length));
  assert.deepEqual(at("none", "micro", MICRO_TIMES.slice(0, 2)), ["", ""]);
  assert.deepEqual(at("epoch", "micro", MICRO_TIMES.slice(2, 4)), [
    "1700000000.123456 ",
    "1700000001.123457 ",
  ]);
  assert.deepEqual(at("epoch", "nano", NANO_TIMES.slice(0, 2)), [
    "1700000000.123456789 ",
    "1700000000.123456999 ",
  ]);
  // 0.0 leaves the reference unset: the next packet becomes it.
  assert.deepEqual(at("delta", "micro", MICRO_TIMES.slice(0, 5)), [
    " 00:00:00.000000 ",
    " 00:00:00.000000 ",
    " 22:13:18.623456 ",
    " 00:00:01.000001 ",
    "-00:00:00.123458 ",
  ]);
  assert.deepEqual(at("delta", "nano", NANO_TIMES.slice(0, 4)), [
    " 00:00:00.000000000 ",
    " 00:00:00.000000210 ",
    " 00:00:00.876543002 ",
    "-00:00:01.000000002 ",
  ]);
  assert.deepEqual(at("elapsed", "micro", NANO_TIMES), [
    " 00:00:00.000000 ",
    " 00:00:00.000000 ",
    " 00:00:00.876544 ",
    "-00:00:00.123457 ",
    // 447483648 s later: under 2^31, so a time of day.
    " 05:00:48.376544 ",
    " [Error converting time] ",
    "-22:13:20.123456 ",
  ]);
  assert.deepEqual(at("elapsed", "micro", [[1, 0], [2147483650, 0]]), [
    " 00:00:00.000000 ",
    " [Error converting time] ",
  ]);
  // Seconds count modulo 2^32, as libpcap's pcapng reader gives them (2106 wraps to 1970).
  assert.deepEqual(at("epoch", "nano", [[4294967296, 9]]), ["0.000000009 "]);
  assert.deepEqual(at("elapsed", "nano", [[1700000000, 1], [4294967296, 9]]), [
    " 00:00:00.000000000 ",
    "-22:13:19.999999992 ",
  ]);
  assert.equal(at("time", "micro", [[2147483648, 0]])[0], "[Error converting time] ");
  assert.equal(at("epoch", "micro", [[2147483648, 0]])[0], "[Error converting time] ");
  if (!UTC) return;
  assert.deepEqual(at("time", "micro", MICRO_TIMES.slice(5, 8)), [
    "23:59:59.999999 ",
    "00:00:00.000001 ",
    "03:14:07.000001 ",
  ]);
  assert.deepEqual(at("date", "nano", NANO_TIMES.slice(2, 4)), [
    "2023-11-14 22:13:21.000000001 ",
    "2023-11-14 22:13:19.999999999 ",
  ]);
  assert.equal(formatTimestamp(1700000000, 123456789), "22:13:20.123456");
  assert.equal(formatTimestamp(1700000000, 123456789, "nano"), "22:13:20.123456789");
});
