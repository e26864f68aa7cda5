/**
 * Tests of the pcapng writer: the section header and interface description as the spec lays
 * them out, 64-bit nanosecond timestamps, the statistics block, and Wireshark's tools (capinfos,
 * tshark) reading what it wrote. What pcap and pcapng writers share is capture_writers_test.ts's;
 * the reader is pcapng_read_test.ts's.
 */
import assert from "node:assert/strict";
import {
  epbProcessOptions,
  PcapngWriter,
  type PcapngWriterOptions,
} from "../../lib/formats/pcapng.ts";
import { type PcapngInfo, pcapngRecords, readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";
import { blockStarts } from "./pcapng_blocks.ts";
import { CollectSink, type Expected, prng, sourceBuffer } from "./helpers.ts";
import { epoch, haveTool, runSync, tsharkFields, withTempDirSync } from "./helpers.ts";

const TWO32 = 4294967296;
const IF = { ifName: "xsk0" } satisfies PcapngWriterOptions;

function header(opts: PcapngWriterOptions = IF): number {
  return new PcapngWriter(new CollectSink(), opts).bytes;
}

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

Deno.test("writer: bad pcapng options and statistics", () => {
  const w = new PcapngWriter(new CollectSink(), IF);
  const buf = new Uint8Array(10);
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
// Peers: capinfos and tshark read the written file.

const CAPINFOS = haveTool("capinfos", ["-h"]);
const TSHARK = haveTool("tshark");
if (!CAPINFOS) console.log("pcapng_write_test: capinfos not found in PATH; its checks are skipped");
if (!TSHARK) console.log("pcapng_write_test: tshark not found in PATH; its checks are skipped");

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
    withTempDirSync("xskdump-pcapng-", (dir) => {
      const { path, want } = peerFile(dir);
      const out = runSync("capinfos", [path]);
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
    withTempDirSync("xskdump-pcapng-", (dir) => {
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

Deno.test("writer: a packet's process as epb_processid_threadid and a comment, read back", () => {
  const sink = new CollectSink();
  const w = new PcapngWriter(sink, { snaplen: 65535, ifName: "eth0" });
  const pkt = new Uint8Array(61).map((_, i) => i);
  const comment = "pid 4321 tid 4322 nginx cgroup /system.slice/nginx.service (socket hook)";
  w.add(pkt, 0, 61, 1, 2, 0, 61, 2, 0, epbProcessOptions(4321, 4322, comment));
  w.add(pkt, 0, 60, 3, 4, 0, 60, 1, 0, epbProcessOptions(7, 8)); // no comment
  w.add(pkt, 0, 59, 5, 6, 0); // none
  // Larger than the buffer: the direct path writes the options too.
  const big = new Uint8Array(70000);
  const sink2 = new CollectSink();
  const w2 = new PcapngWriter(sink2, { snaplen: 262144, ifName: "eth0", bufferSize: 4096 });
  w.close();
  w2.add(big, 0, big.length, 7, 8, undefined, big.length, 2, 0, epbProcessOptions(9, 10, "x"));
  w2.close();
  const [a, b, c] = [...pcapngRecords(sink.bytes())];
  assert.deepEqual([a.processId, a.threadId, a.comment, a.flags], [4321, 4322, comment, 2]);
  assert.deepEqual([b.processId, b.threadId, b.comment], [7, 8, undefined]);
  assert.deepEqual([c.processId, c.threadId, c.comment], [undefined, undefined, undefined]);
  assert.deepEqual([...a.data], [...pkt]);
  const [d] = [...pcapngRecords(sink2.bytes())];
  assert.deepEqual([d.processId, d.threadId, d.comment, d.caplen], [9, 10, "x", 70000]);
});

Deno.test({
  name: "writer: tshark shows the process comment",
  ignore: !haveTool("tshark"),
}, () => {
  withTempDirSync("xskdump-ngproc-", (dir) => {
    const sink = new CollectSink();
    const w = new PcapngWriter(sink, { snaplen: 65535, ifName: "eth0" });
    const pkt = new Uint8Array(60);
    w.add(pkt, 0, 60, 1, 0, 0, 60, 1, 0, epbProcessOptions(1, 2, "pid 1 tid 2 init cgroup /"));
    w.close();
    Deno.writeFileSync(`${dir}/p.pcapng`, sink.bytes());
    assert.deepEqual(tsharkFields(`${dir}/p.pcapng`, ["frame.comment"]), [[
      "pid 1 tid 2 init cgroup /",
    ]]);
  });
});
