/**
 * Tests of what `xskdump fleet` merges with, without hosts: the k-way merge (time order, a silent
 * source's bounded delay, the lookahead's bound, late records), the pcapng writer with several
 * interfaces and their statistics (read back, and by tshark), and the stream reader handing out
 * what has arrived without waiting for more.
 */
import assert from "node:assert/strict";
import { CaptureMerge, type Timed } from "../../lib/formats/merge.ts";
import { PcapngWriter } from "../../lib/formats/pcapng.ts";
import { pcapngRecords, readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";
import { type ByteSource, CaptureStreamReader } from "../../lib/formats/reader.ts";
import { CollectSink, haveTool, prng, tsharkFields, withTempDirSync } from "./helpers.ts";

interface Rec extends Timed {
  source: number;
  n: number;
}

function merge(sources: number, delayMs = 1000, maxQueuedBytes = 1 << 20) {
  return new CaptureMerge<Rec>({ sources, delayMs, maxQueuedBytes });
}

/** Drains into a list of records. */
function drained(m: CaptureMerge<Rec>, now: number): { out: Rec[]; wait: number | undefined } {
  const out: Rec[] = [];
  const wait = m.drain(now, (r, s) => {
    assert.equal(r.source, s, "emitted with its source");
    out.push(r);
  });
  return { out, wait };
}

const before = (a: Timed, b: Timed) => a.sec < b.sec || (a.sec === b.sec && a.nsec <= b.nsec);

Deno.test("merge: random streams in random batches come out whole, in time order", () => {
  const rnd = prng(7);
  for (let run = 0; run < 50; run++) {
    const k = 1 + Math.floor(rnd() * 6);
    // Each source's own records in time order (as a capture writes them), ties across sources.
    const streams: Rec[][] = Array.from({ length: k }, (_, s) => {
      let sec = 1000;
      let nsec = 0;
      return Array.from({ length: Math.floor(rnd() * 300) }, (_, n) => {
        nsec += Math.floor(rnd() * 3) * 400_000_000;
        if (nsec >= 1e9) [sec, nsec] = [sec + 1, nsec - 1e9];
        return { sec, nsec, source: s, n };
      });
    });
    // A delay no run reaches: only records of every source decide what goes.
    const m = merge(k, 1e9);
    const at = new Array(k).fill(0);
    const out: Rec[] = [];
    let now = 0;
    while (at.some((a, s) => a <= streams[s].length)) {
      const s = Math.floor(rnd() * k);
      if (at[s] > streams[s].length) continue;
      const take = Math.floor(rnd() * 20);
      for (let i = 0; i < take && at[s] < streams[s].length; i++) {
        m.push(s, streams[s][at[s]++], 1, now);
      }
      if (at[s] === streams[s].length && rnd() < 0.3) {
        m.end(s);
        at[s]++;
      }
      now += rnd() * 10;
      out.push(...drained(m, now).out);
    }
    assert.equal(drained(m, now).wait, undefined);
    out.push(...drained(m, now).out);
    assert.ok(m.done);
    assert.equal(out.length, streams.reduce((n, s) => n + s.length, 0), `run ${run}: all out`);
    for (let i = 1; i < out.length; i++) {
      assert.ok(before(out[i - 1], out[i]), `run ${run}: record ${i} in order`);
      const [a, b] = [out[i - 1], out[i]];
      if (a.sec === b.sec && a.nsec === b.nsec && a.source === b.source) assert.ok(a.n < b.n);
      if (a.sec === b.sec && a.nsec === b.nsec) assert.ok(a.source <= b.source, "ties: by source");
    }
    for (let s = 0; s < k; s++) assert.equal(m.late(s), 0);
  }
});

Deno.test("merge: a source with nothing holds records back for the delay after they came", () => {
  const m = merge(2, 1000);
  const r = (source: number, sec: number) => ({ sec, nsec: 0, source, n: sec });
  m.push(0, r(0, 5), 1, 100);
  let d = drained(m, 200);
  assert.deepEqual(d.out, [], "source 1 could still send something earlier");
  assert.equal(d.wait, 900, "until 1000 ms after the record came");
  assert.deepEqual([drained(m, 1099).out.length, drained(m, 1099).wait], [0, 1]);
  assert.equal(drained(m, 1100).out.length, 1);
  // Each record waits its own delay while source 1 sends nothing.
  m.push(0, r(0, 6), 1, 1101);
  assert.deepEqual(drained(m, 1101).wait, 1000);
  assert.equal(drained(m, 2101).out.length, 1);
  // Source 1's first record is older than what went out: it goes out late.
  m.push(1, r(1, 4), 1, 2200);
  assert.equal(drained(m, 2200).wait, 1000, "now source 0 has nothing");
  assert.equal(drained(m, 3200).out.length, 1);
  assert.equal(m.late(1), 1);
  // Both have something: the earlier goes at once, the other waits for source 0 again.
  m.push(0, r(0, 7), 1, 3300);
  m.push(1, r(1, 8), 1, 3300);
  d = drained(m, 3300);
  assert.deepEqual([d.out.map((x) => x.sec), d.wait], [[7], 1000]);
  m.end(0);
  assert.deepEqual(drained(m, 3301).out.map((x) => x.sec), [8], "an ended source holds nothing");
  assert.equal(m.late(0), 0);
  assert.ok(m.done === false, "source 1 may still send");
  m.end(1);
  assert.ok(m.done);
});

Deno.test("merge: a full lookahead lets records go without waiting; memory stays bounded", () => {
  const m = merge(2, 60_000, 100);
  for (let n = 0; n < 1000; n++) {
    m.push(0, { sec: n, nsec: 0, source: 0, n }, 10, 1);
    drained(m, 1);
    assert.ok(m.queued(0) <= 10, `at most 100 bytes queued (${m.queued(0)} records)`);
  }
  assert.equal(m.queued(0), 9, "below the bound, records wait for source 1 again");
  const d = drained(m, 2);
  assert.deepEqual([d.out.length, d.wait], [0, 60_000 - 1]);
});

Deno.test("merge: bad options and unknown sources are refused", () => {
  assert.throws(() => merge(0), RangeError);
  assert.throws(() => merge(2, -1), RangeError);
  assert.throws(() => merge(2, 1, 0), RangeError);
  const m = merge(1);
  assert.throws(() => m.push(1, { sec: 0, nsec: 0, source: 1, n: 0 }, 1, 0), RangeError);
  m.end(0);
  assert.throws(() => m.push(0, { sec: 0, nsec: 0, source: 0, n: 0 }, 1, 0), /ended/);
});

Deno.test("pcapng writer: several interfaces, added up front and later, each with statistics", () => {
  const sink = new CollectSink();
  const w = new PcapngWriter(sink, {
    interfaces: [{ name: "web1:eth0", description: "web1", filter: "udp" }],
    snaplen: 1000,
  });
  assert.equal(w.interfaces, 1);
  const frame = new Uint8Array(120).map((_, i) => i);
  w.addRecord(frame, 120, 10, 1, 0, undefined, 0);
  assert.equal(w.addInterface({ name: "web2:eth0", description: "web2", snaplen: 64 }), 1);
  w.addRecord(frame, 120, 10, 2, 3, undefined, 1);
  w.add(frame, 0, 120, 10, 3, undefined, 120, undefined, 0);
  assert.throws(() => w.addRecord(frame, 120, 10, 4, undefined, undefined, 2), /interface 2/);
  w.addStatistics(1, { ifRecv: 7, usrDeliv: 1, sec: 11, nsec: 0 });
  w.close({ ifRecv: 9, usrDeliv: 2, sec: 11, nsec: 0 });
  const file = sink.bytes();
  const info = readPcapngInfo(file);
  const ifs = info.sections[0].interfaces;
  assert.deepEqual(
    ifs.map((i) => [i.name, i.description, i.filter, i.snaplen, i.packets]),
    [["web1:eth0", "web1", "udp", 1000, 2], ["web2:eth0", "web2", undefined, 64, 1]],
  );
  assert.deepEqual([ifs[0].stats?.ifRecv, ifs[1].stats?.ifRecv], [9n, 7n]);
  const recs = [...pcapngRecords(file)];
  assert.deepEqual(recs.map((r) => [r.interfaceId, r.nsec, r.caplen, r.origLen]), [
    [0, 1, 120, 120],
    [1, 2, 64, 120],
    [0, 3, 120, 120],
  ]);
  assert.deepEqual(recs[1].data, frame.subarray(0, 64), "cut to its interface's snaplen");
  if (!haveTool("tshark")) return console.log("  tshark missing: not read by tshark");
  withTempDirSync("xskt-merge-", (dir) => {
    Deno.writeFileSync(`${dir}/m.pcapng`, file);
    const rows = tsharkFields(`${dir}/m.pcapng`, ["frame.interface_name", "frame.interface_id"]);
    assert.deepEqual(rows, [["web1:eth0", "0"], ["web2:eth0", "1"], ["web1:eth0", "0"]]);
  });
});

/** A source that hands out `bytes` up to `until`, then blocks until released. */
function stalling(bytes: Uint8Array, until: number) {
  let at = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  const src: ByteSource = {
    async read(p) {
      if (at >= until) await released;
      if (at >= bytes.length) return null;
      const end = at < until ? until : bytes.length;
      const n = Math.min(p.length, end - at);
      p.set(bytes.subarray(at, at + n));
      at += n;
      return n;
    },
  };
  return { src, release };
}

Deno.test("stream reader: what has arrived comes out at once, also when more is due", async () => {
  for (const format of ["pcapng", "pcap"] as const) {
    const sink = new CollectSink();
    const w = new PcapngWriter(sink, { ifName: "xc0" });
    for (let i = 0; i < 50; i++) w.add(new Uint8Array(100).fill(i), 0, 100, 1, i);
    w.close();
    let bytes = sink.bytes();
    if (format === "pcap") {
      // The same packets as classic pcap (nanosecond magic), with the lib's own pcap writer
      // standing in for a remote pcap stream.
      const { PcapWriter } = await import("../../lib/formats/pcap.ts");
      const ps = new CollectSink();
      const pw = new PcapWriter(ps, {});
      for (const r of pcapngRecords(bytes)) pw.addRecord(r.data, r.origLen, r.sec, r.nsec);
      pw.close();
      bytes = ps.bytes();
    }
    // Cut inside record 31: 30 whole ones are there, the rest is due but not sent yet.
    const recordLen = format === "pcap" ? 116 : 144;
    const headLen = bytes.length - 50 * recordLen;
    const { src, release } = stalling(bytes, headLen + 30 * recordLen + 50);
    const reader = await CaptureStreamReader.open(src, 65536);
    const it = reader.batches();
    const first = await it.next();
    assert.equal(first.done, false);
    assert.equal(first.value!.length, 30, `${format}: the whole records that arrived`);
    assert.deepEqual(first.value!.map((r) => r.nsec), [...Array(30).keys()]);
    release();
    const rest: number[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) {
      rest.push(...r.value.map((x) => x.nsec));
    }
    assert.deepEqual(rest, [...Array(20).keys()].map((i) => i + 30));
    // Batches keep their bytes: the first batch's data is intact after the rest was read.
    assert.deepEqual(first.value![29].data, new Uint8Array(100).fill(29));
    if (format === "pcapng") {
      assert.deepEqual(reader.interfaces.map((i) => i.name), ["xc0"]);
      assert.equal(reader.sections, 1);
    }
  }
});
