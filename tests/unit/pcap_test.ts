/**
 * Tests of the pcap writer and reader: the file header, the corpus (microsecond and big-endian
 * files), truncation, a fuzz of the reader, and peers (capinfos, tshark, tcpdump) reading what
 * the writer wrote. What pcap and pcapng writers share is capture_writers_test.ts's.
 */
import assert from "node:assert/strict";
import {
  LINKTYPE_ETHERNET,
  PCAP_MAGIC_NS,
  PcapFormatError,
  type PcapRecord,
  pcapRecords,
  PcapWriter,
  readPcapFile,
  readPcapHeader,
} from "../../lib/formats/pcap.ts";
import {
  bytesEqual,
  CollectSink,
  concat,
  CORPUS,
  corpusFiles,
  type Expected,
  haveTool,
  prng,
  runSync,
  sourceBuffer,
  withTempDirSync,
} from "./helpers.ts";

/** The file holds exactly these records, with their bytes from src. */
function checkRecords(file: Uint8Array, src: Uint8Array, want: Expected[]) {
  const got = [...pcapRecords(file)];
  assert.deepEqual(
    got.map((r) => [r.sec, r.nsec, r.origLen, r.caplen]),
    want.map((w) => [w.sec, w.nsec, w.len, w.len]),
  );
  want.forEach((w, i) => {
    assert.ok(bytesEqual(got[i].data, src.subarray(w.off, w.off + w.len)), `record ${i} bytes`);
  });
}

Deno.test("writer: nanosecond magic, version 2.4, little-endian, snaplen and linktype", () => {
  const sink = new CollectSink();
  const writer = new PcapWriter(sink, { linktype: 228 });
  writer.add(new Uint8Array(60), 0, 60, 1700000000, 123456789);
  writer.close();
  const file = sink.bytes();
  assert.deepEqual([...file.subarray(0, 4)], [0x4d, 0x3c, 0xb2, 0xa1]);
  assert.equal(new DataView(file.buffer).getUint32(0, true), PCAP_MAGIC_NS);
  assert.deepEqual(readPcapHeader(file), {
    nanosecond: true,
    bigEndian: false,
    versionMajor: 2,
    versionMinor: 4,
    snaplen: 262144,
    linktype: 228,
  });
  const [r] = [...pcapRecords(file)];
  assert.equal(r.sec, 1700000000);
  assert.equal(r.nsec, 123456789);
  assert.equal(new PcapWriter(new CollectSink()).bytes, 24);
  assert.equal(LINKTYPE_ETHERNET, 1);
});

Deno.test("reader: header errors are PcapFormatError", () => {
  assert.throws(() => readPcapHeader(new Uint8Array(10)), PcapFormatError);
  assert.throws(() => readPcapHeader(new Uint8Array(24)), /bad magic 0x00000000/);
  const ng = new Uint8Array(28);
  ng.set([0x0a, 0x0d, 0x0d, 0x0a]);
  assert.throws(() => readPcapHeader(ng), /pcapng/);
  assert.throws(() => [...pcapRecords(new Uint8Array(3))], PcapFormatError);
});

const corpusPcaps = () => corpusFiles(/\.pcap$/);
const CAPINFOS = haveTool("capinfos", ["-h"]);
const TSHARK = haveTool("tshark");
const TCPDUMP = haveTool("tcpdump");
if (corpusPcaps().length === 0) {
  console.log(`pcap_test: corpus ${CORPUS} missing; corpus tests skipped`);
}
if (!CAPINFOS) console.log("pcap_test: capinfos not found in PATH; its checks are skipped");
if (!TSHARK) console.log("pcap_test: tshark not found in PATH; its checks are skipped");
if (!TCPDUMP) console.log("pcap_test: tcpdump not found in PATH; its checks are skipped");

Deno.test({
  name: "reader: every corpus pcap (microsecond, both byte orders) has capinfos' record count",
  ignore: corpusPcaps().length === 0 || !CAPINFOS,
  fn() {
    const files = corpusPcaps();
    const counts = new Map<string, number>();
    for (
      const line of runSync("capinfos", [
        "-T",
        "-r",
        "-c",
        "-M",
        ...files.map((f) => `${CORPUS}/${f}`),
      ]).split("\n")
    ) {
      const [path, n] = line.split("\t");
      if (n !== undefined) counts.set(path.slice(path.lastIndexOf("/") + 1), Number(n));
    }
    let bigEndian = 0;
    let micro = 0;
    for (const f of files) {
      const bytes = Deno.readFileSync(`${CORPUS}/${f}`);
      const h = readPcapHeader(bytes);
      if (h.bigEndian) bigEndian++;
      if (!h.nanosecond) micro++;
      assert.equal([...pcapRecords(bytes)].length, counts.get(f), f);
    }
    // The corpus holds microsecond little-endian files and two big-endian ones.
    assert.equal(bigEndian, 2);
    assert.equal(micro, files.length);
  },
});

Deno.test({
  name: "reader: big-endian and little-endian corpus files match tcpdump -tt field by field",
  ignore: corpusPcaps().length === 0 || !TCPDUMP,
  fn() {
    for (const f of ["pptp.pcap", "slow-ossp.pcap", "arp-oobr.pcap", "mptcp-v0.pcap"]) {
      const path = `${CORPUS}/${f}`;
      const { records, bigEndian } = readAll(path);
      if (f === "pptp.pcap" || f === "slow-ossp.pcap") assert.ok(bigEndian, `${f} is big-endian`);
      // -tt prints sec.usec; -e adds the wire length as "length N:".
      const lines = runSync("tcpdump", ["-n", "-tt", "-e", "-r", path]).split("\n")
        .filter((l) => /^\d+\.\d{6} /.test(l));
      assert.equal(lines.length, records.length, f);
      records.forEach((r, i) => {
        const usec = String(r.nsec / 1000).padStart(6, "0");
        assert.ok(lines[i].startsWith(`${r.sec}.${usec} `), `${f}#${i + 1}: ${lines[i]}`);
        assert.match(lines[i], new RegExp(`length ${r.origLen}[:,]`), `${f}#${i + 1}`);
        assert.equal(r.caplen, r.data.length);
      });
    }
  },
});

function readAll(path: string): { records: PcapRecord[]; bigEndian: boolean } {
  const bytes = Deno.readFileSync(path);
  return { records: [...pcapRecords(bytes)], bigEndian: readPcapHeader(bytes).bigEndian };
}

/** A file written by PcapWriter with records of the given lengths. */
function writtenFile(lengths: number[]): { file: Uint8Array; src: Uint8Array; want: Expected[] } {
  const src = sourceBuffer(1 << 14, 8);
  const sink = new CollectSink();
  const writer = new PcapWriter(sink);
  const want = lengths.map((len, i) => ({ off: i, len, sec: 1000 + i, nsec: i * 1000 + 1 }));
  for (const w of want) writer.add(src, w.off, w.len, w.sec, w.nsec);
  writer.close();
  return { file: sink.bytes(), src, want };
}

Deno.test("reader: a cut file yields the whole records, then PcapFormatError", () => {
  const { file, want } = writtenFile([60, 0, 1514, 42, 300]);
  const starts: number[] = [24];
  for (const w of want) starts.push(starts.at(-1)! + 16 + w.len);
  assert.equal(starts.at(-1), file.length);
  for (let cut = 24; cut <= file.length; cut++) {
    const whole = starts.filter((s) => s <= cut).length - 1;
    const got: PcapRecord[] = [];
    let error: unknown = null;
    try {
      for (const r of pcapRecords(file.subarray(0, cut))) got.push(r);
    } catch (e) {
      error = e;
    }
    assert.equal(got.length, whole, `cut at ${cut}`);
    if (starts.includes(cut)) {
      assert.equal(error, null, `cut at a record boundary (${cut}) is a valid file`);
    } else {
      assert.ok(error instanceof PcapFormatError, `cut at ${cut}`);
      assert.match(
        error.message,
        new RegExp(`^truncated record #${whole + 1} at offset ${starts[whole]}:`),
      );
    }
  }
});

Deno.test("reader: a corrupt captured length is rejected", () => {
  const { file } = writtenFile([60, 60]);
  const bad = file.slice();
  new DataView(bad.buffer).setUint32(24 + 16 + 60 + 8, 0x10000001, true);
  const got: PcapRecord[] = [];
  assert.throws(() => {
    for (const r of pcapRecords(bad)) got.push(r);
  }, /corrupt record #2 at offset 100/);
  assert.equal(got.length, 1);
});

Deno.test("reader fuzz: random and mutated inputs only ever end in PcapFormatError", () => {
  const rnd = prng(9);
  const { file: valid } = writtenFile([60, 0, 1514, 42, 300, 9000, 1]);
  const magics = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0xa1, 0xb2, 0x3c, 0x4d],
  ];
  let errors = 0;
  let records = 0;
  for (let n = 0; n < 4000; n++) {
    let input: Uint8Array;
    if (n % 2 === 0) {
      // Random bytes, mostly behind a valid magic so the record walk is exercised.
      input = new Uint8Array(Math.floor(rnd() * 400));
      for (let i = 0; i < input.length; i++) input[i] = Math.floor(rnd() * 256);
      if (input.length >= 4 && rnd() < 0.75) input.set(magics[n % 4]);
    } else {
      // A valid file with bytes flipped (often in record headers), cut, or extended.
      input = valid.slice();
      const flips = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < flips; k++) {
        input[Math.floor(rnd() * Math.min(input.length, 200))] = Math.floor(rnd() * 256);
      }
      if (rnd() < 0.4) input = input.subarray(0, Math.floor(rnd() * input.length));
      if (rnd() < 0.2) input = concat([input, new Uint8Array(Math.floor(rnd() * 40)).fill(0xff)]);
    }
    let count = 0;
    try {
      for (const r of pcapRecords(input)) {
        count++;
        assert.ok(r.data.length === r.caplen && r.caplen <= input.length);
      }
    } catch (e) {
      assert.ok(e instanceof PcapFormatError, `not a PcapFormatError: ${e}`);
      errors++;
    }
    // Every record takes at least its 16-byte header, so the walk always ends.
    assert.ok(count <= Math.max(0, (input.length - 24) / 16));
    records += count;
  }
  assert.ok(errors > 1000 && records > 1000, `errors ${errors}, records ${records}`);
});

Deno.test("readPcapFile: reads a written file, and is strict about truncation", async () => {
  const { file, src, want } = writtenFile([60, 1514, 0]);
  const dir = await Deno.makeTempDir({ prefix: "xskdump-pcap-" });
  try {
    await Deno.writeFile(`${dir}/ok.pcap`, file);
    const { header, records } = await readPcapFile(`${dir}/ok.pcap`);
    assert.equal(header.nanosecond, true);
    assert.equal(records.length, 3);
    checkRecords(file, src, want);
    await Deno.writeFile(`${dir}/cut.pcap`, file.subarray(0, file.length - 1));
    await assert.rejects(readPcapFile(`${dir}/cut.pcap`), PcapFormatError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Writes a file with PcapWriter for the peers to read; returns its path and records. */
function peerFile(dir: string): { path: string; want: Expected[] } {
  const { file, want } = writtenFile([60, 1514, 0, 9000, 64, 1]);
  const path = `${dir}/written.pcap`;
  Deno.writeFileSync(path, file);
  return { path, want };
}

Deno.test({
  name: "capinfos reads the written file: nanosecond pcap, record count",
  ignore: !CAPINFOS,
  fn: () =>
    withTempDirSync("xskdump-pcap-", (dir) => {
      const { path, want } = peerFile(dir);
      const count = runSync("capinfos", ["-c", "-M", path]);
      assert.match(count, new RegExp(`Number of packets:\\s+${want.length}\\b`));
      assert.match(runSync("capinfos", ["-t", path]), /nanosecond pcap/);
    }),
});

Deno.test({
  name: "tshark reads the written file: lengths and nanosecond timestamps",
  ignore: !TSHARK,
  fn: () =>
    withTempDirSync("xskdump-pcap-", (dir) => {
      const { path, want } = peerFile(dir);
      const fields = ["-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch"];
      const rows = runSync("tshark", ["-r", path, "-T", "fields", ...fields]).trim().split("\n")
        .map((l) => l.split("\t"));
      assert.equal(rows.length, want.length);
      rows.forEach(([len, cap, epoch], i) => {
        assert.equal(Number(len), want[i].len);
        assert.equal(Number(cap), want[i].len);
        assert.equal(epoch, `${want[i].sec}.${String(want[i].nsec).padStart(9, "0")}`);
      });
    }),
});

Deno.test({
  name: "tcpdump reads the written file, with nanosecond timestamps",
  ignore: !TCPDUMP,
  fn: () =>
    withTempDirSync("xskdump-pcap-", (dir) => {
      const { path, want } = peerFile(dir);
      // Continuation lines (hex dumps of the random payloads) do not start with a timestamp.
      const stamps = runSync("tcpdump", ["-n", "--nano", "-tt", "-r", path]).split("\n")
        .map((l) => /^(\d+\.\d{9}) /.exec(l)?.[1]).filter((t) => t !== undefined);
      // libpcap skips empty records ("[Invalid header: caplen==0, len==0]"); tshark reads them.
      const shown = want.filter((w) => w.len > 0);
      assert.deepEqual(stamps, shown.map((w) => `${w.sec}.${String(w.nsec).padStart(9, "0")}`));
    }),
});
