/**
 * Tests of the pcapng writer and reader: round trips, buffer boundaries, 64-bit timestamps against
 * BigInt, hand-built files (both byte orders, several sections and interfaces, every timestamp
 * resolution, SPB and the obsolete PB), truncation and corruption, a fuzz of the reader, the
 * corpus's pcapng files against tshark and editcap, and Wireshark's tools reading what the writer
 * wrote (interface name, nanosecond resolution, filter, queue, statistics).
 */
import assert from "node:assert/strict";
import { type ByteSink, PcapFormatError, pcapRecords, PcapWriter } from "../../lib/formats/pcap.ts";
import {
  EPB_DIRECTION_INBOUND,
  PcapngWriter,
  type PcapngWriterOptions,
} from "../../lib/formats/pcapng.ts";
import {
  captureRecords,
  detectCaptureFormat,
  type PcapngInfo,
  type PcapngRecord,
  pcapngRecords,
  readPcapngInfo,
} from "../../lib/formats/pcapng_reader.ts";

const CORPUS = Deno.env.get("XSKDUMP_CORPUS") ?? "/work/shared/corpus/tcpdump";
const TWO32 = 4294967296;

/** Keeps a copy of every chunk, as a file would. */
class CollectSink implements ByteSink {
  chunks: Uint8Array[] = [];
  write(chunk: Uint8Array): void {
    this.chunks.push(chunk.slice());
  }
  bytes(upTo = this.chunks.length): Uint8Array {
    return concat(this.chunks.slice(0, upTo));
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A small deterministic PRNG (LCG), so random tests are reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/**
 * A UMEM-like source: random bytes, with signalling-NaN float64 patterns at every alignment
 * (a copy through float64 values would silently change them).
 */
function sourceBuffer(size: number, seed: number): Uint8Array {
  const rnd = prng(seed);
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = Math.floor(rnd() * 256);
  for (let i = 0; i + 8 <= size; i += 61) b.set([1, 2, 3, 4, 5, 6, 0xf4, 0xff], i);
  for (let i = size >> 1; i + 8 <= size; i += 8) b.set([1, 0, 0, 0, 0, 0, 0xf0, 0x7f], i);
  return b;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Expected {
  off: number;
  len: number;
  sec: number;
  nsec: number;
  queue?: number;
}

const IF = { ifName: "xsk0" } satisfies PcapngWriterOptions;

function checkRecords(file: Uint8Array, src: Uint8Array, want: Expected[], snaplen: number) {
  const got = [...pcapngRecords(file)];
  assert.equal(got.length, want.length);
  want.forEach((w, i) => {
    const r = got[i];
    const caplen = Math.min(w.len, snaplen);
    assert.equal(r.sec, w.sec, `record ${i} sec`);
    assert.equal(r.nsec, w.nsec, `record ${i} nsec`);
    assert.equal(r.origLen, w.len, `record ${i} origLen`);
    assert.equal(r.caplen, caplen, `record ${i} caplen`);
    assert.equal(r.queue, w.queue, `record ${i} queue`);
    assert.equal(r.flags, EPB_DIRECTION_INBOUND, `record ${i} flags`);
    assert.equal(r.interfaceId, 0);
    assert.equal(r.linktype, 1);
    assert.ok(equalBytes(r.data, src.subarray(w.off, w.off + caplen)), `record ${i} bytes`);
  });
}

/** Offsets of the blocks of a well-formed little-endian file, and the file's end. */
function blockStarts(file: Uint8Array): number[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const starts = [];
  for (let off = 0; off < file.length; off += v.getUint32(off + 4, true)) starts.push(off);
  starts.push(file.length);
  return starts;
}

function header(opts: PcapngWriterOptions = IF): number {
  return new PcapngWriter(new CollectSink(), opts).bytes;
}

Deno.test("writer/reader round trip: sizes 0..9000, queues, every chunk ends on a block", () => {
  const src = sourceBuffer(1 << 16, 1);
  const rnd = prng(2);
  const want: Expected[] = [];
  for (let len = 0; len <= 300; len++) want.push({ off: 0, len, sec: 0, nsec: 0 });
  for (let n = 0; n < 700; n++) {
    want.push({ off: 0, len: Math.floor(rnd() * 9001), sec: 0, nsec: 0 });
  }
  want.push({ off: 0, len: 9000, sec: 0, nsec: 0 });
  for (const w of want) {
    w.off = Math.floor(rnd() * (src.length - w.len)); // any alignment
    w.sec = Math.floor(rnd() * TWO32);
    w.nsec = Math.floor(rnd() * 1e9);
    if (rnd() < 0.7) w.queue = Math.floor(rnd() * 64);
  }
  want[5].queue = 0xffffffff;
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, { ...IF, bufferSize: 32768 });
  for (const w of want) writer.add(src, w.off, w.len, w.sec, w.nsec, w.queue);
  writer.close();
  const file = sink.bytes();
  checkRecords(file, src, want, 262144);
  assert.equal(writer.packets, want.length);
  assert.equal(writer.bytes, file.length);
  assert.ok(sink.chunks.length > 100, "the buffer filled and flushed many times");
  // The file is valid at every flush boundary: each prefix of chunks parses without error.
  for (let k = 1; k <= sink.chunks.length; k++) [...pcapngRecords(sink.bytes(k))];
});

Deno.test("writer: copies stay bit-exact once the copy loop is optimised", () => {
  // 100k records through the hot path: the JIT optimises add(); bytes must not change.
  const src = sourceBuffer(1 << 16, 3);
  const rnd = prng(4);
  const want: Expected[] = [];
  for (let n = 0; n < 100000; n++) {
    const len = 8 + Math.floor(rnd() * 200);
    const w: Expected = { off: Math.floor(rnd() * (src.length - len)), len, sec: n, nsec: n };
    if (n % 3 !== 0) w.queue = n % 7;
    want.push(w);
  }
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, IF);
  for (const w of want) writer.add(src, w.off, w.len, w.sec, w.nsec, w.queue);
  writer.close();
  checkRecords(sink.bytes(), src, want, 262144);
});

Deno.test("writer: source views at odd byte offsets, padding always zero", () => {
  const base = sourceBuffer(4096, 5);
  const want: Expected[] = [];
  const sink = new CollectSink();
  // A small buffer, so it is reused many times and stale bytes could leak into padding.
  const writer = new PcapngWriter(sink, { ...IF, bufferSize: 4096 });
  for (let shift = 0; shift < 8; shift++) {
    const view = base.subarray(shift, shift + 2000);
    for (const len of [1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 1500]) {
      writer.add(view, 3, len, shift, len);
      want.push({ off: shift + 3, len, sec: shift, nsec: len });
    }
  }
  writer.close();
  const file = sink.bytes();
  checkRecords(file, base, want, 262144);
  const starts = blockStarts(file);
  const v = new DataView(file.buffer);
  for (const off of starts.slice(2, -1)) {
    const caplen = v.getUint32(off + 20, true);
    for (let i = 28 + caplen; i % 4 !== 0; i++) assert.equal(file[off + i], 0, `pad at ${off}`);
  }
});

Deno.test("writer: snaplen truncates, origLen keeps the wire length", () => {
  const source = sourceBuffer(4096, 6);
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, { ...IF, snaplen: 100 });
  const want: Expected[] = [0, 1, 99, 100, 101, 1500, 4000].map((len) => ({
    off: 10,
    len,
    sec: 1,
    nsec: 2,
    queue: len,
  }));
  for (const w of want) writer.add(source, w.off, w.len, w.sec, w.nsec, w.queue);
  writer.close();
  const file = sink.bytes();
  assert.equal(readPcapngInfo(file).sections[0].interfaces[0].snaplen, 100);
  checkRecords(file, source, want, 100);
});

Deno.test("writer: blocks that exactly fill the buffer, and ones bigger than the buffer", () => {
  const source = sourceBuffer(1 << 14, 7);
  const h = header();
  const sink = new CollectSink();
  // Room for the header and exactly three EPBs of 100 bytes without a queue (44 + 100 each).
  const writer = new PcapngWriter(sink, { ...IF, bufferSize: h + 3 * 144 });
  const want: Expected[] = [];
  const add = (off: number, len: number, queue?: number) => {
    writer.add(source, off, len, want.length, 0, queue);
    want.push({ off, len, sec: want.length, nsec: 0, queue });
  };
  add(0, 100);
  add(1, 100);
  add(2, 100);
  assert.equal(sink.chunks.length, 0, "three blocks fit exactly: nothing written yet");
  add(3, 100);
  assert.deepEqual(sink.chunks.map((c) => c.length), [h + 3 * 144]);
  // Larger than the whole buffer: flushed, then head, data and tail straight through.
  add(4, 5000, 9);
  assert.deepEqual(sink.chunks.slice(-4).map((c) => c.length), [144, 28, 5000, 8 + 8 + 4 + 4]);
  add(5, 5001);
  assert.deepEqual(sink.chunks.slice(-3).map((c) => c.length), [28, 5001, 3 + 8 + 4 + 4]);
  add(6, 10, 1);
  writer.flush();
  writer.flush(); // nothing buffered: no empty write
  add(7, 0);
  writer.close();
  writer.close(); // idempotent
  assert.ok(sink.chunks.every((c) => c.length > 0));
  checkRecords(sink.bytes(), source, want, 262144);
  assert.equal(writer.packets, 8);
  assert.equal(writer.bytes, sink.bytes().length);
});

Deno.test("writer: section header and interface description as the spec lays them out", () => {
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, {
    ifName: "enp1s0f0",
    filter: "udp and port 53",
    snaplen: 65535,
    hardware: "Intel X710",
    os: "Linux 6.1",
    userAppl: "xskdump 0.1.0",
  });
  writer.add(new Uint8Array(60), 0, 60, 1700000000, 123456789, 2);
  writer.close();
  const file = sink.bytes();
  const v = new DataView(file.buffer);
  assert.deepEqual([...file.subarray(0, 4)], [0x0a, 0x0d, 0x0d, 0x0a]);
  assert.deepEqual([...file.subarray(8, 12)], [0x4d, 0x3c, 0x2b, 0x1a], "byte-order magic, LE");
  assert.equal(v.getUint16(12, true), 1);
  assert.equal(v.getUint16(14, true), 0);
  assert.equal(v.getBigInt64(16, true), -1n, "section length unknown");
  const info = readPcapngInfo(file);
  assert.deepEqual(
    info,
    {
      packets: 1,
      sections: [{
        bigEndian: false,
        versionMajor: 1,
        versionMinor: 0,
        sectionLength: -1,
        hardware: "Intel X710",
        os: "Linux 6.1",
        userAppl: "xskdump 0.1.0",
        interfaces: [{
          linktype: 1,
          snaplen: 65535,
          name: "enp1s0f0",
          filter: "udp and port 53",
          tsresol: 9,
          ticksPerSecond: 1e9,
          tsoffset: 0,
          packets: 1,
        }],
      }],
    } satisfies PcapngInfo,
  );
  // The defaults: no filter option, userAppl "xskdump", no hardware or os.
  const plain = new CollectSink();
  new PcapngWriter(plain, IF).close();
  const s = readPcapngInfo(plain.bytes()).sections[0];
  assert.equal(s.userAppl, "xskdump");
  assert.equal(s.hardware, undefined);
  assert.equal(s.interfaces[0].filter, undefined);
  assert.equal(s.interfaces[0].name, "xsk0");
  assert.equal(s.interfaces[0].snaplen, 262144);
});

Deno.test("writer: bad arguments and use after close", () => {
  const w = new PcapngWriter(new CollectSink(), IF);
  const buf = new Uint8Array(10);
  assert.throws(() => w.add(buf, 5, 6, 0, 0), RangeError);
  assert.throws(() => w.add(buf, -1, 2, 0, 0), RangeError);
  assert.throws(() => w.add(buf, 0.5, 2, 0, 0), RangeError);
  assert.throws(() => new PcapngWriter(new CollectSink(), { ...IF, snaplen: 0 }), RangeError);
  assert.throws(() => new PcapngWriter(new CollectSink(), { ...IF, bufferSize: -1 }), RangeError);
  assert.throws(() => new PcapngWriter(new CollectSink(), { ...IF, linktype: 65536 }), RangeError);
  assert.throws(
    () => new PcapngWriter(new CollectSink(), { ...IF, filter: "x".repeat(70000) }),
    RangeError,
  );
  // A bad counter leaves the writer open; a good close still works.
  assert.throws(() => w.close({ ifRecv: -1 }), RangeError);
  assert.throws(() => w.close({ ifDrop: 2 ** 53 }), RangeError);
  assert.throws(() => w.close({ osDrop: 1n << 64n }), RangeError);
  w.add(buf, 0, 1, 0, 0);
  w.close();
  assert.throws(() => w.add(buf, 0, 1, 0, 0), /after close/);
});

/** Every EPB's raw 64-bit timestamp, as a bigint. */
function rawTimestamps(file: Uint8Array): bigint[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: bigint[] = [];
  for (const off of blockStarts(file).slice(0, -1)) {
    if (v.getUint32(off, true) !== 6) continue;
    out.push((BigInt(v.getUint32(off + 12, true)) << 32n) | BigInt(v.getUint32(off + 16, true)));
  }
  return out;
}

Deno.test("writer: 64-bit nanosecond timestamps are exact (vs BigInt), up to year 2106", () => {
  const max = TWO32 - 1;
  // u32 seconds end at 2106-02-07 06:28:15 UTC.
  assert.equal(new Date(max * 1000).toISOString(), "2106-02-07T06:28:15.000Z");
  const secs = [0, 1, 2, 511, 512, 4294, 4295, 2 ** 23, 2 ** 31 - 1, 2 ** 31, 1700000000];
  secs.push(max, max - 1, 4294967, 4294968, 8589934, 2147483647);
  const nsecs = [0, 1, 511, 512, 999999999, 999999488, 294967295, 294967296, 705032704];
  const stamps: [number, number][] = [];
  for (const s of secs) for (const n of nsecs) stamps.push([s, n]);
  const rnd = prng(10);
  for (let i = 0; i < 100000; i++) {
    stamps.push([Math.floor(rnd() * TWO32), Math.floor(rnd() * 1e9)]);
  }
  // Seconds whose low 23 bits of sec * 1953125 are near the top: the low word carries.
  for (let s = 0, found = 0; found < 2000; s++) {
    if ((s * 1953125) % 2 ** 23 > 8388000) {
      stamps.push([s, 999999999], [max - s, 999999999]);
      found++;
    }
  }
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, IF);
  const empty = new Uint8Array(0);
  for (const [s, n] of stamps) writer.add(empty, 0, 0, s, n);
  writer.close();
  const file = sink.bytes();
  const raw = rawTimestamps(file);
  assert.equal(raw.length, stamps.length);
  let i = 0;
  for (const r of pcapngRecords(file)) {
    const [s, n] = stamps[i];
    assert.equal(raw[i], BigInt(s) * 1000000000n + BigInt(n), `raw ${s}.${n}`);
    assert.equal(r.sec, s, `sec ${s}.${n}`);
    assert.equal(r.nsec, n, `nsec ${s}.${n}`);
    i++;
  }
  assert.equal(raw.at(secs.indexOf(max) * nsecs.length + 4), 4294967295999999999n);
});

Deno.test("writer: sec and nsec are taken as u32, like PcapWriter's setUint32", () => {
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, IF);
  const cases: [number, number][] = [
    [TWO32, 5], // wraps to 0
    [-1, 0], // 2^32 - 1
    [7, TWO32 - 1], // nsec past 1e9 carries into the seconds
    [TWO32 - 1, TWO32 - 1], // the largest count the writer can make
    [3.9, 2.5], // fractions truncated
  ];
  for (const [s, n] of cases) writer.add(new Uint8Array(0), 0, 0, s, n);
  writer.close();
  assert.deepEqual(
    rawTimestamps(sink.bytes()),
    cases.map(([s, n]) => BigInt(s >>> 0) * 1000000000n + BigInt(n >>> 0)),
  );
});

Deno.test("writer: close(stats) adds an interface statistics block", () => {
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, IF);
  writer.add(new Uint8Array(64), 0, 64, 1, 2, 0);
  writer.close({
    ifRecv: 2n ** 64n - 1n,
    ifDrop: 3,
    filterAccept: 2 ** 53 - 1,
    osDrop: 0,
    sec: 1700000000,
    nsec: 42,
  });
  const file = sink.bytes();
  assert.equal(writer.bytes, file.length);
  const ifc = readPcapngInfo(file).sections[0].interfaces[0];
  assert.deepEqual(ifc.stats, {
    sec: 1700000000,
    nsec: 42,
    ifRecv: 2n ** 64n - 1n,
    ifDrop: 3n,
    filterAccept: 2n ** 53n - 1n,
    osDrop: 0n,
  });
  assert.equal([...pcapngRecords(file)].length, 1);
  // Without stats there is no ISB; with empty stats, an ISB without options, timed now.
  const none = new CollectSink();
  new PcapngWriter(none, IF).close();
  assert.equal(readPcapngInfo(none.bytes()).sections[0].interfaces[0].stats, undefined);
  const bare = new CollectSink();
  const before = Date.now() / 1000;
  new PcapngWriter(bare, IF).close({});
  const st = readPcapngInfo(bare.bytes()).sections[0].interfaces[0].stats!;
  assert.ok(st.sec >= Math.floor(before) && st.sec <= Date.now() / 1000 + 1, `${st.sec}`);
  assert.deepEqual(Object.keys(st).sort(), ["nsec", "sec"]);
});

Deno.test("writer: the statistics block flushes a full buffer first", () => {
  const h = header();
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, { ...IF, bufferSize: h + 144 });
  writer.add(new Uint8Array(100), 0, 100, 0, 0);
  writer.close({ ifRecv: 1, ifDrop: 0, filterAccept: 1, osDrop: 0, usrDeliv: 1 });
  assert.deepEqual(sink.chunks.map((c) => c.length), [h + 144, 88]);
  assert.equal(readPcapngInfo(sink.bytes()).sections[0].interfaces[0].stats?.usrDeliv, 1n);
});

// ---------------------------------------------------------------------------------------------
// Hand-built files: both byte orders, every block the reader knows.

/** Bytes in one section's byte order. */
class Bytes {
  out: number[] = [];
  constructor(readonly le: boolean) {}
  u8(x: number): this {
    this.out.push(x & 0xff);
    return this;
  }
  u16(x: number): this {
    const b = [x & 0xff, (x >>> 8) & 0xff];
    this.out.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u32(x: number): this {
    const b = [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff];
    this.out.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u64(x: bigint): this {
    const b: number[] = [];
    for (let i = 0n; i < 64n; i += 8n) b.push(Number((BigInt.asUintN(64, x) >> i) & 0xffn));
    this.out.push(...(this.le ? b : b.reverse()));
    return this;
  }
  ts(ticks: bigint): this {
    return this.u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn));
  }
  raw(b: ArrayLike<number>): this {
    this.out.push(...Array.from(b));
    return this;
  }
  pad(): this {
    while (this.out.length % 4) this.out.push(0);
    return this;
  }
}

type Opt = [code: number, value: (b: Bytes) => void];

const str = (s: string) => (b: Bytes) => b.raw(new TextEncoder().encode(s));

/** One block: `body` then options (and opt_endofopt when there are any). */
function block(le: boolean, type: number, body: (b: Bytes) => void, opts: Opt[] = []): number[] {
  const inner = new Bytes(le);
  body(inner);
  for (const [code, value] of opts) {
    const v = new Bytes(le);
    value(v);
    inner.u16(code).u16(v.out.length).raw(v.out).pad();
  }
  if (opts.length > 0) inner.u32(0);
  const len = 12 + inner.out.length;
  return new Bytes(le).u32(type).u32(len).raw(inner.out).u32(len).out;
}

function shb(le: boolean, opts: Opt[] = []): number[] {
  return block(le, 0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u64(-1n), opts);
}

function idb(le: boolean, linktype: number, snaplen: number, opts: Opt[] = []): number[] {
  return block(le, 1, (b) => b.u16(linktype).u16(0).u32(snaplen), opts);
}

function epb(
  le: boolean,
  id: number,
  ticks: bigint,
  data: number[],
  orig: number,
  opts: Opt[] = [],
) {
  return block(
    le,
    6,
    (b) => b.u32(id).ts(ticks).u32(data.length).u32(orig).raw(data).pad(),
    opts,
  );
}

/** What the reader should make of `ticks` at a resolution byte and offset (with bigints). */
function expectTime(ticks: bigint, tsresol: number, offset = 0n): { sec: number; nsec: number } {
  const per = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  return {
    sec: Number(ticks / per + offset),
    nsec: Number(((ticks % per) * 1000000000n) / per),
  };
}

function pick(r: PcapngRecord) {
  return {
    sec: r.sec,
    nsec: r.nsec,
    caplen: r.caplen,
    origLen: r.origLen,
    data: [...r.data],
    interfaceId: r.interfaceId,
    linktype: r.linktype,
    queue: r.queue,
    flags: r.flags,
  };
}

/**
 * Two sections: a big-endian one with three interfaces (default microseconds, 2^-20 with an
 * offset, 10^-3) and every packet block type, then a little-endian one (nanoseconds).
 */
function handBuilt(): { file: Uint8Array; want: ReturnType<typeof pick>[] } {
  const be = false;
  const le = true;
  const t = 0x0123456789abcdefn;
  const parts = [
    ...shb(be, [[3, str("Plan 9")], [1, str("first section")], [1, str("second comment")]]),
    ...idb(be, 1, 0, [[2, str("eth0")], [3, str("uplink")], [11, (b) => b.u8(0).raw(str0("tcp"))]]),
    ...idb(be, 105, 96, [[9, (b) => b.u8(0x94)], [14, (b) => b.u64(-100n)], [2, str("wlan0\0")]]),
    ...idb(be, 1, 4, [[9, (b) => b.u8(3)], [11, (b) => b.u8(1).raw([1, 2, 3])]]),
    ...block(be, 4, (b) => b.u16(1).u16(9).raw([10, 0, 0, 1]).raw(str0("host\0")).pad().u32(0)),
    ...epb(be, 0, t, [1, 2, 3, 4, 5], 60, [[2, (b) => b.u32(2)], [6, (b) => b.u32(7)]]),
    ...epb(be, 1, 5n << 20n | 1n, [9], 1, [[1, str("a comment")]]),
    ...block(be, 3, (b) => b.u32(3).raw([7, 8, 9]).pad()), // SPB: origLen 3
    ...block(be, 3, (b) => b.u32(1500).raw([1, 2, 3, 4, 5, 6, 7, 8])), // cut by the body
    ...block(be, 2, (b) => b.u16(2).u16(0).ts(1234567n).u32(2).u32(9).raw([6, 6]).pad(), [
      [2, (b) => b.u32(1)],
    ]),
    ...block(be, 5, (b) => b.u32(2).ts(1000n), [
      [2, (b) => b.ts(10n)],
      [3, (b) => b.ts(999n)],
      [4, (b) => b.u64(10n)],
      [5, (b) => b.u64(2n ** 63n + 1n)],
      [9, (b) => b.u64(1n)], // unknown: ignored
    ]),
    ...block(be, 0x0a, (b) => b.u32(0x544c534b).u32(3).raw([1, 2, 3]).pad()), // DSB
    ...block(be, 0x40000bad, (b) => b.u32(32473).raw([1, 2, 3, 4])), // custom
    ...epb(be, 2, 1700000000123n, [], 0),
    ...shb(le, [[4, str("other app")]]),
    ...idb(le, 1, 262144, [[9, (b) => b.u8(9)]]),
    ...epb(le, 0, t, [0xaa, 0xbb], 2, [[6, (b) => b.u32(0xffffffff)], [2, (b) => b.u32(0x41)]]),
    ...block(le, 6, (b) => b.u32(0).ts(0n).u32(0).u32(0)), // EPB without options
  ];
  const want = [
    { ...expectTime(t, 6), caplen: 5, origLen: 60, data: [1, 2, 3, 4, 5], interfaceId: 0 },
    { ...expectTime(5n << 20n | 1n, 0x94, -100n), caplen: 1, origLen: 1, data: [9] },
    { sec: 0, nsec: 0, caplen: 3, origLen: 3, data: [7, 8, 9], interfaceId: 0 },
    { sec: 0, nsec: 0, caplen: 8, origLen: 1500, data: [1, 2, 3, 4, 5, 6, 7, 8] },
    { ...expectTime(1234567n, 3), caplen: 2, origLen: 9, data: [6, 6], interfaceId: 2 },
    { ...expectTime(1700000000123n, 3), caplen: 0, origLen: 0, data: [], interfaceId: 2 },
    { ...expectTime(t, 9), caplen: 2, origLen: 2, data: [0xaa, 0xbb], interfaceId: 0 },
    { sec: 0, nsec: 0, caplen: 0, origLen: 0, data: [], interfaceId: 0 },
  ].map((w, i) => ({
    interfaceId: [0, 1, 0, 0, 2, 2, 0, 0][i],
    linktype: [1, 105, 1, 1, 1, 1, 1, 1][i],
    queue: [7, undefined, undefined, undefined, undefined, undefined, 0xffffffff, undefined][i],
    flags: [2, undefined, undefined, undefined, 1, undefined, 0x41, undefined][i],
    ...w,
  }));
  return { file: new Uint8Array(parts), want };
}

function str0(s: string): number[] {
  return [...new TextEncoder().encode(s)];
}

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
// Peers: the corpus, tshark, capinfos, editcap.

function haveCorpus(): boolean {
  try {
    return Deno.statSync(CORPUS).isDirectory;
  } catch {
    return false;
  }
}

function haveTool(name: string, args: string[] = ["--version"]): boolean {
  try {
    new Deno.Command(name, { args, stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[]): string {
  const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${cmd} ${args.join(" ")} failed: ${err}`);
  return new TextDecoder().decode(out.stdout);
}

const CAPINFOS = haveTool("capinfos", ["-h"]);
const TSHARK = haveTool("tshark");
const EDITCAP = haveTool("editcap", ["-h"]);
if (!haveCorpus()) console.log(`pcapng_test: corpus ${CORPUS} missing; corpus tests skipped`);
if (!CAPINFOS) console.log("pcapng_test: capinfos not found in PATH; its checks are skipped");
if (!TSHARK) console.log("pcapng_test: tshark not found in PATH; its checks are skipped");
if (!EDITCAP) console.log("pcapng_test: editcap not found in PATH; its checks are skipped");

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

function withTempDir(fn: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "xskdump-pcapng-" });
  try {
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** tshark's per-frame fields, tab-separated, one row per frame. */
function tsharkFields(path: string, fields: string[], extra: string[] = []): string[][] {
  const out = run("tshark", [
    "-r",
    path,
    ...extra,
    "-T",
    "fields",
    ...fields.flatMap((f) => ["-e", f]),
  ]);
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

function epoch(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, "0")}`;
}

Deno.test({
  name: "corpus: every pcapng file matches tshark (lengths, times, interface) and editcap's bytes",
  ignore: !haveCorpus() || !TSHARK || !EDITCAP,
  fn: () =>
    withTempDir((dir) => {
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
        run("editcap", ["-F", "nsecpcap", path, out]);
        const ref = [...pcapRecords(Deno.readFileSync(out))];
        assert.equal(ref.length, got.length, f);
        ref.forEach((p, i) => {
          const r = got[i];
          assert.deepEqual([r.sec, r.nsec, r.origLen], [p.sec, p.nsec, p.origLen], `${f}#${i + 1}`);
          assert.ok(equalBytes(r.data, p.data), `${f}#${i + 1} bytes`);
        });
        assert.deepEqual([...captureRecords(bytes)].map(pick), got.map(pick), f);
      }
    }),
});

Deno.test({
  name: "corpus: interface statistics match Wireshark's pcapng block dissector",
  ignore: !haveCorpus() || !TSHARK,
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

/** A file for the peers: packets with and without queues, a filter, statistics. */
function peerFile(dir: string): { path: string; want: Expected[]; prefix: string } {
  const source = sourceBuffer(1 << 14, 14);
  const sink = new CollectSink();
  const writer = new PcapngWriter(sink, {
    ifName: "veth-xsk0",
    filter: "udp port 4789 or icmp",
    bufferSize: 4096,
    userAppl: "xskdump test",
  });
  const want: Expected[] = [60, 1514, 0, 9000, 64, 1, 3000, 3000].map((len, i) => ({
    off: i,
    len,
    sec: 1700000000 + i,
    nsec: i * 111111111,
    queue: i % 3 === 2 ? undefined : i,
  }));
  want.push({ off: 0, len: 60, sec: TWO32 - 1, nsec: 999999999, queue: 63 });
  for (const w of want) writer.add(source, w.off, w.len, w.sec, w.nsec, w.queue);
  writer.close({ ifRecv: 1234567890123n, ifDrop: 17, filterAccept: 1000, osDrop: 3, usrDeliv: 9 });
  const path = `${dir}/written.pcapng`;
  Deno.writeFileSync(path, sink.bytes());
  // What was on disk after the first flush: a shorter file that must be valid too.
  const prefix = `${dir}/prefix.pcapng`;
  Deno.writeFileSync(prefix, sink.bytes(1));
  return { path, want, prefix };
}

Deno.test({
  name: "capinfos reads the written file: pcapng, interface name, nanoseconds, filter, stats",
  ignore: !CAPINFOS,
  fn: () =>
    withTempDir((dir) => {
      const { path, want } = peerFile(dir);
      const out = run("capinfos", [path]);
      assert.match(out, /File type:\s+Wireshark\/\.\.\. - pcapng/);
      assert.match(out, new RegExp(`Number of packets:\\s+${want.length}\\b`));
      assert.match(out, /File timestamp precision:\s+nanoseconds \(9\)/);
      assert.match(out, /Capture application:\s+xskdump test/);
      assert.match(out, /Number of interfaces in file: 1\b/);
      assert.match(out, /Name = veth-xsk0\n/);
      assert.match(out, /Encapsulation = Ethernet \(1 - ether\)/);
      assert.match(out, /Time precision = nanoseconds \(9\)/);
      assert.match(out, /Time ticks per second = 1000000000\n/);
      assert.match(out, /Filter string = udp port 4789 or icmp\n/);
      assert.match(out, /Number of stat entries = 1\n/);
    }),
});

Deno.test({
  name: "tshark reads the written file: name, queue, direction, lengths, ns times, ISB counts",
  ignore: !TSHARK,
  fn: () =>
    withTempDir((dir) => {
      const { path, want, prefix } = peerFile(dir);
      const rows = tsharkFields(path, [
        "frame.interface_name",
        "frame.interface_queue",
        "frame.packet_flags_direction",
        "frame.len",
        "frame.cap_len",
        "frame.time_epoch",
      ]);
      assert.equal(rows.length, want.length);
      rows.forEach(([name, queue, dir, len, cap, time], i) => {
        const w = want[i];
        assert.equal(name, "veth-xsk0");
        assert.equal(queue, w.queue === undefined ? "" : String(w.queue), `#${i + 1} queue`);
        assert.equal(Number(dir), 1, `#${i + 1} direction inbound`);
        assert.equal(Number(len), w.len);
        assert.equal(Number(cap), w.len);
        assert.equal(time, epoch(w.sec, w.nsec));
      });
      // The block dissector shows the IDB's options and the ISB's counters as written.
      const opt = "pcapng.options.option.data.";
      const [row] = tsharkFields(path, [
        `${opt}interface.name`,
        `${opt}interface.timestamp_resolution`,
        `${opt}interface.filter.type`,
        `${opt}interface.filter.string`,
        `${opt}interface.received`,
        `${opt}interface.dropped`,
        `${opt}interface.accepted_by_filter`,
        `${opt}interface.dropped_by_os`,
        `${opt}interface.delivered_to_user`,
        `${opt}user_application`,
      ], ["-X", "read_format:MIME Files Format"]);
      assert.deepEqual(row, [
        "veth-xsk0",
        "0x09",
        "0",
        "udp port 4789 or icmp",
        "1234567890123",
        "17",
        "1000",
        "3",
        "9",
        "xskdump test",
      ]);
      // The file as it stood after the first flush opens cleanly too.
      const partial = tsharkFields(prefix, ["frame.len"]);
      assert.ok(partial.length >= 1 && partial.length < want.length, `${partial.length}`);
    }),
});
