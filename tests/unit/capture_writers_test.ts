/**
 * What the pcap and the pcapng writer promise alike, checked on both by their own readers:
 * round trips of every size, bit-exact copies once the JIT has optimised the copy loop, sources
 * at odd offsets, the snaplen, buffer boundaries (a record that fills the buffer exactly, one
 * bigger than it), bad arguments and use after close. What only one format has is in
 * pcap_test.ts, pcapng_write_test.ts and pcapng_read_test.ts.
 */
import assert from "node:assert/strict";
import { pcapRecords, PcapWriter, readPcapHeader } from "../../lib/formats/pcap.ts";
import { EPB_DIRECTION_INBOUND, PcapngWriter } from "../../lib/formats/pcapng.ts";
import { pcapngRecords, readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";
import { bytesEqual, CollectSink, type Expected, prng, sourceBuffer } from "./helpers.ts";

/** The writer calls both formats have (pcap ignores a queue). */
interface Writer {
  add(src: Uint8Array, off: number, len: number, sec: number, nsec: number, queue?: number): void;
  flush(): void;
  close(): void;
  readonly packets: number;
  readonly bytes: number;
}

interface Format {
  name: string;
  make(sink: CollectSink, opts?: { snaplen?: number; bufferSize?: number }): Writer;
  /** The records as the format's own reader yields them. */
  records(file: Uint8Array): {
    sec: number;
    nsec: number;
    origLen: number;
    caplen: number;
    data: Uint8Array;
    queue?: number;
    flags?: number;
  }[];
  snaplen(file: Uint8Array): number;
  /** Whether a record carries its RX queue. */
  queues: boolean;
  /** Bytes of a record of `len` captured bytes in the file (and in the buffer). */
  recordBytes(len: number, queue?: number): number;
  /** The writes of a record bigger than the buffer, after the buffer's own. */
  straightThrough(len: number, queue?: number): number[];
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;
/** EPB: header 28, flags option 8, queue option 8, end of options 4, trailing length 4. */
const epbTail = (len: number, queue?: number) => pad4(len) + 8 + (queue === undefined ? 0 : 8) + 8;

const FORMATS: Format[] = [
  {
    name: "pcap",
    make: (sink, opts) => new PcapWriter(sink, opts),
    records: (file) => [...pcapRecords(file)],
    snaplen: (file) => readPcapHeader(file).snaplen,
    queues: false,
    recordBytes: (len) => 16 + len,
    straightThrough: (len) => [16, len],
  },
  {
    name: "pcapng",
    make: (sink, opts) => new PcapngWriter(sink, { ifName: "xsk0", ...opts }),
    records: (file) => [...pcapngRecords(file)],
    snaplen: (file) => readPcapngInfo(file).sections[0].interfaces[0].snaplen,
    queues: true,
    recordBytes: (len, queue) => 28 + len + epbTail(len, queue),
    straightThrough: (len, queue) => [28, len, epbTail(len, queue)],
  },
];

function checkRecords(
  f: Format,
  file: Uint8Array,
  src: Uint8Array,
  want: Expected[],
  snaplen: number,
): void {
  const got = f.records(file);
  assert.equal(got.length, want.length);
  want.forEach((w, i) => {
    const r = got[i];
    const caplen = Math.min(w.len, snaplen);
    assert.equal(r.sec, w.sec, `record ${i} sec`);
    assert.equal(r.nsec, w.nsec, `record ${i} nsec`);
    assert.equal(r.origLen, w.len, `record ${i} origLen`);
    assert.equal(r.caplen, caplen, `record ${i} caplen`);
    if (f.queues) {
      assert.equal(r.queue, w.queue, `record ${i} queue`);
      assert.equal(r.flags, EPB_DIRECTION_INBOUND, `record ${i} flags`);
    }
    assert.ok(bytesEqual(r.data, src.subarray(w.off, w.off + caplen)), `record ${i} bytes`);
  });
}

/** A queue for the formats that keep one (pcap's records have none). */
const queued = (f: Format, q: number | undefined) => (f.queues ? q : undefined);

for (const f of FORMATS) {
  Deno.test(`${f.name} writer/reader round trip: sizes 0..9000, every chunk ends on a record`, () => {
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
      w.sec = Math.floor(rnd() * 0x100000000);
      w.nsec = Math.floor(rnd() * 1e9);
      if (rnd() < 0.7) w.queue = queued(f, Math.floor(rnd() * 64));
    }
    want[5].queue = queued(f, 0xffffffff);
    const sink = new CollectSink();
    const writer = f.make(sink, { bufferSize: 32768 });
    for (const w of want) writer.add(src, w.off, w.len, w.sec, w.nsec, w.queue);
    writer.close();
    const file = sink.bytes();
    checkRecords(f, file, src, want, 262144);
    assert.equal(writer.packets, want.length);
    assert.equal(writer.bytes, file.length);
    assert.ok(sink.chunks.length > 100, "the buffer filled and flushed many times");
    // The file is valid at every flush boundary: each prefix of chunks parses without error.
    for (let k = 1; k <= sink.chunks.length; k++) f.records(sink.bytes(k));
  });

  Deno.test(`${f.name} writer: copies stay bit-exact once the copy loop is optimised`, () => {
    // 100k records through the hot path: the JIT optimises add(); bytes must not change.
    const src = sourceBuffer(1 << 16, 3);
    const rnd = prng(4);
    const want: Expected[] = [];
    for (let n = 0; n < 100000; n++) {
      const len = 8 + Math.floor(rnd() * 200);
      const queue = queued(f, n % 3 !== 0 ? n % 7 : undefined);
      want.push({ off: Math.floor(rnd() * (src.length - len)), len, sec: n, nsec: n, queue });
    }
    const sink = new CollectSink();
    const writer = f.make(sink);
    for (const w of want) writer.add(src, w.off, w.len, w.sec, w.nsec, w.queue);
    writer.close();
    checkRecords(f, sink.bytes(), src, want, 262144);
  });

  Deno.test(`${f.name} writer: source views at odd byte offsets, padding always zero`, () => {
    const base = sourceBuffer(4096, 5);
    const want: Expected[] = [];
    const sink = new CollectSink();
    // A small buffer, so it is reused many times and stale bytes could leak into padding.
    const writer = f.make(sink, { bufferSize: 4096 });
    for (let shift = 0; shift < 8; shift++) {
      const view = base.subarray(shift, shift + 2000);
      for (const len of [1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 1500]) {
        writer.add(view, 3, len, shift, len);
        want.push({ off: shift + 3, len, sec: shift, nsec: len });
      }
    }
    writer.close();
    const file = sink.bytes();
    checkRecords(f, file, base, want, 262144);
    // The records are back to back; pcapng pads each block to 4 bytes, with zeros.
    let at = file.length - want.reduce((n, w) => n + f.recordBytes(w.len), 0);
    const v = new DataView(file.buffer);
    for (const w of want) {
      if (f.queues) {
        assert.equal(v.getUint32(at + 20, true), w.len, `EPB at ${at}`);
        for (let i = 28 + w.len; i % 4 !== 0; i++) assert.equal(file[at + i], 0, `pad at ${at}`);
      }
      at += f.recordBytes(w.len);
    }
    assert.equal(at, file.length);
  });

  Deno.test(`${f.name} writer: snaplen truncates, origLen keeps the wire length`, () => {
    const src = sourceBuffer(4096, 6);
    const sink = new CollectSink();
    const writer = f.make(sink, { snaplen: 100 });
    const want: Expected[] = [0, 1, 99, 100, 101, 1500, 4000].map((len) => ({
      off: 10,
      len,
      sec: 1,
      nsec: 2,
      queue: queued(f, len),
    }));
    for (const w of want) writer.add(src, w.off, w.len, w.sec, w.nsec, w.queue);
    writer.close();
    const file = sink.bytes();
    assert.equal(f.snaplen(file), 100);
    checkRecords(f, file, src, want, 100);
  });

  Deno.test(`${f.name} writer: records that exactly fill the buffer, and ones bigger`, () => {
    const src = sourceBuffer(1 << 14, 7);
    const header = f.make(new CollectSink()).bytes;
    const sink = new CollectSink();
    // Room for the file header and exactly three records of 100 bytes (no queue).
    const writer = f.make(sink, { bufferSize: header + 3 * f.recordBytes(100) });
    const want: Expected[] = [];
    const add = (off: number, len: number, queue?: number) => {
      writer.add(src, off, len, want.length, 0, queue);
      want.push({ off, len, sec: want.length, nsec: 0, queue: queued(f, queue) });
    };
    add(0, 100);
    add(1, 100);
    add(2, 100);
    assert.equal(sink.chunks.length, 0, "three records fit exactly: nothing written yet");
    add(3, 100);
    assert.deepEqual(sink.chunks.map((c) => c.length), [header + 3 * f.recordBytes(100)]);
    // Larger than the whole buffer: flushed, then written straight through.
    add(4, 5000, 9);
    const big = f.straightThrough(5000, queued(f, 9));
    assert.deepEqual(sink.chunks.slice(-1 - big.length).map((c) => c.length), [
      f.recordBytes(100),
      ...big,
    ]);
    add(5, 5001);
    const bigger = f.straightThrough(5001);
    assert.deepEqual(sink.chunks.slice(-bigger.length).map((c) => c.length), bigger);
    add(6, 10, 1);
    writer.flush();
    writer.flush(); // nothing buffered: no empty write
    add(7, 0);
    writer.close();
    writer.close(); // idempotent
    assert.ok(sink.chunks.every((c) => c.length > 0));
    checkRecords(f, sink.bytes(), src, want, 262144);
    assert.equal(writer.packets, 8);
    assert.equal(writer.bytes, sink.bytes().length);
  });

  Deno.test(`${f.name} writer: bad arguments and use after close`, () => {
    const w = f.make(new CollectSink());
    const src = new Uint8Array(10);
    assert.throws(() => w.add(src, 5, 6, 0, 0), RangeError);
    assert.throws(() => w.add(src, -1, 2, 0, 0), RangeError);
    assert.throws(() => w.add(src, 0.5, 2, 0, 0), RangeError);
    assert.throws(() => f.make(new CollectSink(), { snaplen: 0 }), RangeError);
    assert.throws(() => f.make(new CollectSink(), { bufferSize: -1 }), RangeError);
    w.add(src, 0, 1, 0, 0);
    w.close();
    assert.throws(() => w.add(src, 0, 1, 0, 0), /after close/);
  });
}
