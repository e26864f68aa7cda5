/**
 * Tests of the pcapng reader: hand-built files (both byte orders, several sections and
 * interfaces, every timestamp resolution, SPB and the obsolete PB), truncation and corruption,
 * a fuzz, detecting either format, and the corpus's pcapng files against tshark and editcap.
 * The writer is pcapng_write_test.ts's.
 */
import assert from "node:assert/strict";
import { PcapFormatError, pcapRecords, PcapWriter } from "../../lib/formats/pcap.ts";
import { PcapngWriter } from "../../lib/formats/pcapng.ts";
import { CaptureStreamReader } from "../../lib/formats/reader.ts";
import { captureRecords, detectCaptureFormat } from "../../lib/formats/capture_file.ts";
import { pcapngRecords, readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";
import {
  block,
  blockStarts,
  Bytes,
  epb,
  expectTime,
  handBuilt,
  idb,
  pick,
  shb,
} from "./pcapng_blocks.ts";
import {
  bytesEqual,
  CollectSink,
  concat,
  CORPUS,
  corpusFiles,
  epoch,
  haveTool,
  prng,
  runSync,
  sourceBuffer,
  tsharkFields,
  withTempDirSync,
} from "./helpers.ts";

const TWO32 = 4294967296;
const IF = { ifName: "xsk0" };

Deno.test("reader: hand-built file: both byte orders, sections, interfaces, every block", () => {
  const { file, want } = handBuilt();
  assert.deepEqual([...pcapngRecords(file)].map(pick), want);
  const info = readPcapngInfo(file);
  assert.equal(info.packets, 8);
  assert.equal(info.sections.length, 2);
  const [a, b] = info.sections;
  assert.equal(a.bigEndian, true);
  assert.equal(a.os, "Plan 9");
  assert.equal(a.comment, "first section");
  assert.equal(a.userAppl, undefined);
  assert.deepEqual(a.interfaces.map((i) => [i.name, i.description, i.filter, i.linktype]), [
    ["eth0", "uplink", "tcp", 1],
    ["wlan0", undefined, undefined, 105],
    [undefined, undefined, undefined, 1], // a BPF program filter is not a string
  ]);
  assert.deepEqual(a.interfaces.map((i) => [i.tsresol, i.ticksPerSecond, i.tsoffset]), [
    [6, 1e6, 0],
    [0x94, 2 ** 20, -100],
    [3, 1e3, 0],
  ]);
  assert.deepEqual(a.interfaces.map((i) => [i.snaplen, i.packets]), [[0, 3], [96, 1], [4, 2]]);
  assert.deepEqual(a.interfaces[2].stats, {
    ...expectTime(1000n, 3),
    startTime: expectTime(10n, 3),
    endTime: expectTime(999n, 3),
    ifRecv: 10n,
    ifDrop: 2n ** 63n + 1n,
  });
  assert.equal(b.bigEndian, false);
  assert.equal(b.userAppl, "other app");
  assert.deepEqual(b.interfaces.map((i) => [i.tsresol, i.packets]), [[9, 2]]);
});

Deno.test("reader: every timestamp resolution converts exactly (vs BigInt)", () => {
  const rnd = prng(11);
  const resols = [
    0,
    1,
    3,
    6,
    7,
    9,
    10,
    12,
    15,
    19,
    20,
    127,
    0x80,
    0x8a,
    0x94,
    0x9e,
    0xa0,
    0xbf,
    0xff,
  ];
  for (const le of [true, false]) {
    for (const r of resols) {
      const ticks: bigint[] = [0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 999999999n, 1000000000n];
      for (let i = 0; i < 300; i++) {
        const hi = BigInt(Math.floor(rnd() * TWO32)) >> BigInt(Math.floor(rnd() * 33));
        ticks.push((hi << 32n) | BigInt(Math.floor(rnd() * TWO32)));
      }
      const parts = [...shb(le), ...idb(le, 1, 0, [[9, (b) => b.u8(r)]])];
      for (const t of ticks) parts.push(...epb(le, 0, t, [], 0));
      const got = [...pcapngRecords(new Uint8Array(parts))];
      ticks.forEach((t, i) => {
        const want = expectTime(t, r);
        // Past 2^53 seconds a number cannot hold every value: compare as the number would round.
        assert.equal(got[i].sec, want.sec, `tsresol ${r} ticks ${t}`);
        assert.equal(got[i].nsec, want.nsec, `tsresol ${r} ticks ${t}`);
        assert.ok(got[i].nsec >= 0 && got[i].nsec < 1e9);
      });
    }
  }
});

Deno.test("reader: if_tsoffset shifts seconds, in either byte order", () => {
  for (const le of [true, false]) {
    for (const off of [0n, 1n, -1n, 1700000000n, -(2n ** 40n), 2n ** 40n + 7n]) {
      const parts = [
        ...shb(le),
        ...idb(le, 1, 0, [[14, (b) => b.u64(off)], [9, (b) => b.u8(9)]]),
        ...epb(le, 0, 5000000001n, [], 0),
      ];
      const [r] = [...pcapngRecords(new Uint8Array(parts))];
      assert.deepEqual([r.sec, r.nsec], [Number(5n + off), 1], `offset ${off}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Truncation, corruption, fuzz.

/** Records yielded before the error (or the end), and the error. */
function drain(bytes: Uint8Array): { count: number; error: unknown } {
  let count = 0;
  try {
    for (const _ of pcapngRecords(bytes)) count++;
  } catch (e) {
    return { count, error: e };
  }
  return { count, error: null };
}

function writtenFile(): Uint8Array {
  const source = sourceBuffer(1 << 14, 8);
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, { ...IF, filter: "ip" });
  [60, 0, 1514, 42, 301].forEach((len, i) =>
    writer.add(source, i, len, 1000 + i, i, i % 2 ? i : undefined)
  );
  writer.close({ ifRecv: 5, ifDrop: 0 });
  return sink.bytes();
}

Deno.test("reader: a cut file yields the whole packets, then PcapFormatError", () => {
  const file = writtenFile();
  const starts = blockStarts(file); // SHB, IDB, 5 EPBs, ISB, end
  assert.equal(starts.length, 9);
  for (let cut = 0; cut <= file.length; cut++) {
    const { count, error } = drain(file.subarray(0, cut));
    const whole = starts.filter((s) => s <= cut).length - 1; // blocks wholly inside the cut
    assert.equal(count, Math.max(0, Math.min(whole - 2, 5)), `cut at ${cut}`);
    if (cut > 0 && starts.includes(cut)) {
      assert.equal(error, null, `cut at a block boundary (${cut}) is a valid file`);
      continue;
    }
    assert.ok(error instanceof PcapFormatError, `cut at ${cut}: ${error}`);
    const at = starts[whole];
    if (cut < 4) {
      assert.match(error.message, /^not a pcapng file/);
    } else if (cut - at < 4) {
      assert.match(error.message, new RegExp(`^truncated pcapng block header at offset ${at}:`));
    } else {
      const m = new RegExp(
        `^truncated pcapng [a-z ]+ block \\(type 0x0000000[156]\\) at offset ${at}:`,
      );
      if (at > 0) assert.match(error.message, m, `cut at ${cut}`);
      else {assert.match(
          error.message,
          /^truncated pcapng section header block \(type 0x0a0d0d0a\)/,
        );}
    }
  }
});

Deno.test("reader: corrupt blocks are PcapFormatError naming the block and offset", () => {
  const file = writtenFile();
  const starts = blockStarts(file);
  const epb1 = starts[2];
  const epb2 = starts[3];
  const cases: [string, (v: DataView, b: Uint8Array) => void, number, RegExp][] = [
    [
      "block length 8",
      (v) => v.setUint32(epb2 + 4, 8, true),
      1,
      /enhanced packet block \(type 0x00000006\) at offset \d+: block length 8$/,
    ],
    ["length not a multiple of 4", (v) => v.setUint32(epb2 + 4, 41, true), 1, /block length 41/],
    ["length under the EPB minimum", (v) => v.setUint32(epb2 + 4, 28, true), 1, /block length 28/],
    [
      "trailing length differs",
      (v) => v.setUint32(epb2 + 4, 48, true),
      1,
      /trailing length \d+ != 48/,
    ],
    [
      "captured length too big",
      (v) => v.setUint32(epb2 + 20, 1000, true),
      1,
      /captured length 1000 exceeds/,
    ],
    [
      "unknown interface",
      (v) => v.setUint32(epb1 + 8, 1, true),
      0,
      /at offset \d+: interface 1 not described \(1 in section\)/,
    ],
    [
      "option past the end",
      (v) => v.setUint16(epb1 + 28 + 60 + 2, 200, true),
      0,
      /option 2 at offset \d+ runs past/,
    ],
    [
      "bad byte-order magic",
      (v) => v.setUint32(8, 0x1a2b3c4e, true),
      0,
      /section header block .* at offset 0: bad byte-order magic 0x1a2b3c4e/,
    ],
    ["version 2", (v) => v.setUint16(12, 2, true), 0, /unsupported version 2/],
    [
      "not pcapng",
      (v) => v.setUint32(0, 0xa1b2c3d4, true),
      0,
      /^not a pcapng file: magic 0xd4c3b2a1/,
    ],
    [
      "IDB option past the end",
      (v) => v.setUint16(starts[1] + 16 + 2, 5000, true),
      0,
      /interface description block .* option 2/,
    ],
  ];
  for (const [name, mutate, count, re] of cases) {
    const bad = file.slice();
    mutate(new DataView(bad.buffer), bad);
    const got = drain(bad);
    assert.ok(got.error instanceof PcapFormatError, `${name}: ${got.error}`);
    assert.match(got.error.message, re, name);
    assert.equal(got.count, count, name);
    assert.throws(() => readPcapngInfo(bad), PcapFormatError, name);
  }
  assert.throws(() => readPcapngInfo(new Uint8Array(0)), /not a pcapng file: 0-byte file/);
  // An SPB before any interface.
  const spb = new Uint8Array([...shb(true), ...block(true, 3, (b) => b.u32(0))]);
  assert.throws(() => [...pcapngRecords(spb)], /simple packet block .* no interface described/);
});

Deno.test("reader fuzz: random and mutated inputs end in PcapFormatError or nothing", () => {
  const rnd = prng(12);
  const written = writtenFile();
  const built = handBuilt().file;
  const shbLE = new Uint8Array(shb(true));
  let errors = 0;
  let records = 0;
  let clean = 0;
  const started = Date.now();
  for (let n = 0; n < 6000; n++) {
    let input: Uint8Array;
    const kind = n % 3;
    if (kind === 0) {
      // Random blocks behind a valid SHB: lengths and types mostly small, so blocks parse.
      const parts: number[] = [...shbLE];
      const blocks = Math.floor(rnd() * 6);
      for (let k = 0; k < blocks; k++) {
        const len = rnd() < 0.8 ? 12 + 4 * Math.floor(rnd() * 12) : Math.floor(rnd() * 80);
        const b = new Bytes(rnd() < 0.8).u32([1, 2, 3, 5, 6, 4][Math.floor(rnd() * 6)]).u32(len);
        for (let i = 8; i < len - 4; i++) b.u8(rnd() < 0.5 ? 0 : Math.floor(rnd() * 256));
        parts.push(...b.u32(len).out);
      }
      input = new Uint8Array(parts);
      if (rnd() < 0.3) input = input.subarray(0, Math.floor(rnd() * input.length));
    } else {
      // A valid file with bytes flipped (often in headers and options), cut, or extended.
      input = (kind === 1 ? written : built).slice();
      const flips = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < flips; k++) {
        input[Math.floor(rnd() * input.length)] = rnd() < 0.5 ? Math.floor(rnd() * 256) : 0;
      }
      if (rnd() < 0.4) input = input.subarray(0, Math.floor(rnd() * input.length));
      if (rnd() < 0.2) input = concat([input, new Uint8Array(Math.floor(rnd() * 40)).fill(0xff)]);
    }
    let count = 0;
    try {
      for (const r of pcapngRecords(input)) {
        count++;
        assert.ok(r.data.length === r.caplen && r.caplen <= input.length);
        assert.ok(Number.isFinite(r.sec) && r.nsec >= 0 && r.nsec < 1e9, `${r.sec}.${r.nsec}`);
      }
      clean++;
    } catch (e) {
      assert.ok(e instanceof PcapFormatError, `not a PcapFormatError: ${e}`);
      errors++;
    }
    for (const read of [() => readPcapngInfo(input), () => [...captureRecords(input)]]) {
      try {
        read();
      } catch (e) {
        assert.ok(e instanceof PcapFormatError, `not a PcapFormatError: ${e}`);
      }
    }
    // Every packet takes a whole block of at least 12 bytes, so the walk always ends.
    assert.ok(count <= input.length / 12);
    records += count;
  }
  assert.ok(errors > 1000 && records > 1000 && clean > 300, `${errors} ${records} ${clean}`);
  assert.ok(Date.now() - started < 60000, "the fuzz took over a minute");
});

// ---------------------------------------------------------------------------------------------
// Either format.

Deno.test("detectCaptureFormat and captureRecords: pcap, pcapng, neither", () => {
  const source = sourceBuffer(4096, 13);
  const pcapSink = new CollectSink();
  const pw = new PcapWriter(pcapSink, { linktype: 113 });
  pw.add(source, 5, 100, 7, 8);
  pw.add(source, 6, 0, 9, 10);
  pw.close();
  const pcap = pcapSink.bytes();
  const ng = writtenFile();
  assert.equal(detectCaptureFormat(pcap), "pcap");
  assert.equal(detectCaptureFormat(ng), "pcapng");
  assert.equal(detectCaptureFormat(new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1])), "pcap");
  assert.equal(detectCaptureFormat(new Uint8Array([0xa1, 0xb2, 0x3c, 0x4d])), "pcap");
  assert.equal(detectCaptureFormat(new Uint8Array([0x0a, 0x0d, 0x0d])), undefined);
  assert.equal(detectCaptureFormat(new Uint8Array(24)), undefined);
  const p = [...captureRecords(pcap)];
  assert.deepEqual(
    p.map(pick),
    [
      { sec: 7, nsec: 8, caplen: 100, origLen: 100, data: [...source.subarray(5, 105)] },
      { sec: 9, nsec: 10, caplen: 0, origLen: 0, data: [] },
    ].map((r) => ({ ...r, interfaceId: 0, linktype: 113, queue: undefined, flags: undefined })),
  );
  assert.deepEqual([...captureRecords(ng)].map(pick), [...pcapngRecords(ng)].map(pick));
  assert.throws(
    () => [...captureRecords(new Uint8Array(30))],
    /not a pcap or pcapng file: magic 0x00000000/,
  );
  assert.throws(() => [...captureRecords(new Uint8Array(2))], /not a pcap or pcapng file: 2-byte/);
  assert.throws(() => [...captureRecords(pcap.subarray(0, 30))], PcapFormatError);
  // A view into a larger buffer, at an offset.
  const shifted = concat([new Uint8Array(3), ng]).subarray(3);
  assert.equal(detectCaptureFormat(shifted), "pcapng");
  assert.equal([...captureRecords(shifted)].length, 5);
});

// ---------------------------------------------------------------------------------------------
// Peers: the corpus, tshark, editcap.

const TSHARK = haveTool("tshark");
const EDITCAP = haveTool("editcap", ["-h"]);
const haveCorpus = corpusFiles().length > 0;
if (!haveCorpus) console.log(`pcapng_read_test: corpus ${CORPUS} missing; corpus tests skipped`);
if (!TSHARK) console.log("pcapng_read_test: tshark not found in PATH; its checks are skipped");
if (!EDITCAP) console.log("pcapng_read_test: editcap not found in PATH; its checks are skipped");

/** The corpus's pcapng files, by content (some classic pcap files could be named otherwise). */
function corpusPcapngs(): string[] {
  return [...Deno.readDirSync(CORPUS)].filter((e) => e.isFile).map((e) => e.name).sort()
    .filter((n) => {
      const f = Deno.openSync(`${CORPUS}/${n}`);
      try {
        const head = new Uint8Array(4);
        return f.readSync(head) === 4 && detectCaptureFormat(head) === "pcapng";
      } finally {
        f.close();
      }
    });
}

Deno.test({
  name: "corpus: every pcapng file matches tshark (lengths, times, interface) and editcap's bytes",
  ignore: !haveCorpus || !TSHARK || !EDITCAP,
  fn: () =>
    withTempDirSync("xskdump-pcapng-", (dir) => {
      const files = corpusPcapngs();
      assert.equal(files.length, 15, files.join(" "));
      for (const f of files) {
        const path = `${CORPUS}/${f}`;
        const bytes = Deno.readFileSync(path);
        const got = [...pcapngRecords(bytes)];
        const rows = tsharkFields(path, [
          "frame.len",
          "frame.cap_len",
          "frame.time_epoch",
          "frame.interface_id",
          "frame.interface_name",
        ]);
        assert.equal(got.length, rows.length, `${f}: frame count`);
        // tshark says "unknown" for an interface without if_name.
        const names = readPcapngInfo(bytes).sections[0].interfaces.map((i) => i.name ?? "unknown");
        got.forEach((r, i) => {
          const [len, cap, time, id, name] = rows[i];
          assert.equal(r.origLen, Number(len), `${f}#${i + 1} frame.len`);
          assert.equal(r.caplen, Number(cap), `${f}#${i + 1} frame.cap_len`);
          assert.equal(epoch(r.sec, r.nsec), time, `${f}#${i + 1} frame.time_epoch`);
          assert.equal(r.interfaceId, Number(id), `${f}#${i + 1} interface`);
          assert.equal(names[r.interfaceId], name, `${f}#${i + 1} interface name`);
        });
        // Bytes: editcap rewrites the file as nanosecond pcap; lib/formats/pcap.ts reads that.
        const out = `${dir}/${f}.pcap`;
        runSync("editcap", ["-F", "nsecpcap", path, out]);
        const ref = [...pcapRecords(Deno.readFileSync(out))];
        assert.equal(ref.length, got.length, f);
        ref.forEach((p, i) => {
          const r = got[i];
          assert.deepEqual([r.sec, r.nsec, r.origLen], [p.sec, p.nsec, p.origLen], `${f}#${i + 1}`);
          assert.ok(bytesEqual(r.data, p.data), `${f}#${i + 1} bytes`);
        });
        assert.deepEqual([...captureRecords(bytes)].map(pick), got.map(pick), f);
      }
    }),
});

Deno.test({
  name: "corpus: interface statistics match Wireshark's pcapng block dissector",
  ignore: !haveCorpus || !TSHARK,
  fn() {
    // Wireshark's "MIME Files Format" reader dissects the file's own blocks as one frame.
    const fields = ["received", "dropped"].map((f) => `pcapng.options.option.data.interface.${f}`);
    let withStats = 0;
    for (const f of corpusPcapngs()) {
      const path = `${CORPUS}/${f}`;
      const info = readPcapngInfo(Deno.readFileSync(path));
      const stats = info.sections.flatMap((s) => s.interfaces).filter((i) => i.stats);
      const [row] = tsharkFields(path, fields, ["-X", "read_format:MIME Files Format"]);
      const want = row.map((c) => c.split(",").filter((x) => x !== ""));
      assert.deepEqual(stats.flatMap((i) => i.stats?.ifRecv ?? []).map(String), want[0], f);
      assert.deepEqual(stats.flatMap((i) => i.stats?.ifDrop ?? []).map(String), want[1], f);
      withStats += stats.length;
    }
    assert.ok(withStats >= 1, "the corpus has an ISB (dhcp-option-108.pcapng)");
  },
});

/** A little-endian microsecond pcap file with one 60-byte record under a 20-byte snaplen. */
function overSnaplenPcap(): Uint8Array {
  const b = new Bytes(true).u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(20).u32(1);
  const data = Array.from({ length: 60 }, (_, i) => i);
  return new Uint8Array(b.u32(1).u32(2).u32(60).u32(60).raw(data).out);
}

Deno.test("snaplen: a pcap record longer than the file's snaplen is cut to it, as libpcap reads it", async () => {
  const file = overSnaplenPcap();
  const want = Array.from({ length: 20 }, (_, i) => i);
  const [r] = [...pcapRecords(file)];
  assert.deepEqual([r.caplen, r.origLen, [...r.data]], [20, 60, want]);
  const [c] = [...captureRecords(file)];
  assert.deepEqual([c.caplen, [...c.data]], [20, want]);
  // The stream reader (-r) the same, from a source that hands out a few bytes at a time.
  let at = 0;
  const src = {
    read(p: Uint8Array): Promise<number | null> {
      if (at >= file.length) return Promise.resolve(null);
      const n = Math.min(p.length, 7, file.length - at);
      p.set(file.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
  };
  const reader = await CaptureStreamReader.open(src, 65536);
  const got = [];
  for await (const s of reader.records()) got.push([s.caplen, s.origLen, [...s.data]]);
  assert.deepEqual(got, [[20, 60, want]]);
  // tcpdump agrees: it prints the 20 bytes it keeps.
  if (haveTool("tcpdump")) {
    withTempDirSync("xskdump-snaplen-", (dir) => {
      Deno.writeFileSync(`${dir}/s.pcap`, file);
      const out = runSync("tcpdump", ["-nn", "-xx", "-r", `${dir}/s.pcap`]);
      assert.match(out, /0x0010: {2}1011 1213\s*$/m);
    });
  } else console.log("snaplen: tcpdump not installed, its reading not compared");
});

Deno.test("snaplen: a pcapng packet longer than its interface's snaplen is an error, as libpcap's", () => {
  const le = true;
  const file = new Uint8Array([
    ...shb(le),
    ...idb(le, 1, 20),
    ...epb(le, 0, 1n, Array.from({ length: 60 }, (_, i) => i), 60),
  ]);
  assert.throws(
    () => [...pcapngRecords(file)],
    new PcapFormatError("invalid packet capture length 60, bigger than snaplen of 20"),
  );
});
