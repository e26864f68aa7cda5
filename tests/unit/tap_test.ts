// Tap mode's pieces that need no kernel: the path choice, the ring buffer's size, what the
// writers make of a tap's record (captured below the wire length, its direction), the text
// line's direction word, and the clsact state file that outlives a SIGKILL. The ring buffer
// reader itself is tested in C (tests/c/test_ringbuf.c); live taps in
// tests/integration/tap_*_test.ts.
import assert from "node:assert/strict";
import { DESC_WORDS } from "../../ffi/abi.ts";
import { ringBytesFor } from "../../lib/capture/geometry.ts";
import type { CaptureStats } from "../../lib/capture/session.ts";
import { formatStatusLine, liveRecord } from "../../lib/capture/stats.ts";
import { formatSummary } from "../../lib/capture/summary.ts";
import { isbStats } from "../../cli/output/mod.ts";
import { ringRecords } from "../../lib/capture/tap_source.ts";
import { pathFor } from "../../lib/host/path.ts";
import { restoreRecorded } from "../../lib/host/channels.ts";
import { clsactHandle, recordClsact } from "../../lib/host/tc_state.ts";
import { concat } from "../../lib/formats/bytecopy.ts";
import { pcapRecords, PcapWriter } from "../../lib/formats/pcap.ts";
import {
  EPB_DIRECTION_INBOUND,
  EPB_DIRECTION_OUTBOUND,
  PcapngWriter,
} from "../../lib/formats/pcapng.ts";
import { pcapngRecords } from "../../lib/formats/pcapng_reader.ts";
import { directionWord } from "../../cli/output/mod.ts";
import { captureStats, drops } from "./helpers.ts";

const none = { ipv4: 0, ipv6: 0, enslaved: false };

Deno.test("tap path: tap on an interface the host uses, divert on a capture port", () => {
  assert.deepEqual(pathFor(none, false), {
    path: "divert",
    reason: "it has no address: a capture port",
  });
  assert.equal(pathFor({ ...none, ipv4: 1 }, false).path, "tap");
  assert.equal(pathFor({ ...none, ipv6: 2 }, false).path, "tap");
  assert.equal(pathFor({ ...none, enslaved: true }, false).path, "tap");
  assert.match(pathFor(none, true).reason, /SSH session/);
  assert.match(pathFor({ ...none, ipv4: 1 }, false).reason, /IPv4 address/);
});

Deno.test("tap ring buffer: a power of two from -B, 32 MiB by default, at least 16 KiB", () => {
  assert.equal(ringBytesFor(), 32 << 20);
  assert.equal(ringBytesFor(1_000_000), 1 << 19);
  assert.equal(ringBytesFor(16384), 16384);
  assert.equal(
    ringBytesFor(4 * 2 ** 30),
    1 << 30,
    "offsets are 32-bit and the data is mapped twice",
  );
  assert.throws(() => ringBytesFor(16383), RangeError);
  assert.equal(ringRecords(32 << 20), 262144, "small packets' records, for the pacing");
});

/** A ByteSink that keeps every chunk. */
function collect(): { write(b: Uint8Array): void; bytes(): Uint8Array } {
  const parts: Uint8Array[] = [];
  return { write: (b) => parts.push(b.slice()), bytes: () => concat(parts) };
}

Deno.test("tap records in pcapng: the wire length, the direction, no queue when outgoing", () => {
  const sink = collect();
  const w = new PcapngWriter(sink, { ifName: "xc0" });
  const view = new Uint8Array(256).map((_, i) => i);
  // Incoming on queue 2, cut to 96 of 1500 bytes in the kernel; outgoing whole.
  w.add(view, 8, 96, 10, 20, 2, 1500, EPB_DIRECTION_INBOUND);
  w.add(view, 120, 60, 11, 21, 0, 60, EPB_DIRECTION_OUTBOUND);
  w.close();
  const [a, b] = [...pcapngRecords(sink.bytes())];
  assert.deepEqual([a.caplen, a.origLen, a.flags, a.queue], [96, 1500, 1, 2]);
  assert.deepEqual(a.data, view.subarray(8, 104));
  assert.deepEqual([b.caplen, b.origLen, b.flags, b.queue], [60, 60, 2, undefined]);
  assert.deepEqual([b.sec, b.nsec], [11, 21]);
});

Deno.test("tap records in pcap: the wire length kept, never below the captured one", () => {
  const sink = collect();
  const w = new PcapWriter(sink, { snaplen: 64 });
  const view = new Uint8Array(256).fill(7);
  w.add(view, 0, 96, 1, 2, 0, 1500);
  w.add(view, 0, 40, 1, 2, 0, 10); // a wire length below the bytes: the bytes win
  w.add(view, 0, 30, 1, 2); // without one: the bytes
  w.close();
  const got = [...pcapRecords(sink.bytes())].map((r) => [r.caplen, r.origLen]);
  assert.deepEqual(got, [[64, 1500], [40, 40], [30, 30]]);
});

Deno.test("--print-direction: tcpdump's cooked-line words, nothing when unknown", () => {
  assert.equal(directionWord(1), "In  ");
  assert.equal(directionWord(2), "Out ");
  assert.equal(directionWord(undefined), "");
  assert.equal(DESC_WORDS, 6);
});

Deno.test("clsact record: written before, restored when its process is gone, left when alive", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "xskt-tc-" });
  const saved = Deno.env.get("XSKDUMP_STATE_DIR");
  Deno.env.set("XSKDUMP_STATE_DIR", dir);
  try {
    assert.equal(clsactHandle(0x12345), 0x58442345);
    const rec = recordClsact("xsknosuch0");
    const files = () => [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(files().length, 1);
    const path = `${dir}/${files()[0]}`;
    const state = JSON.parse(Deno.readTextFileSync(path));
    assert.deepEqual([state.kind, state.iface, state.handle, state.qdiscCreated], [
      "tc",
      "xsknosuch0",
      rec.handle,
      false,
    ]);
    rec.attached(true);
    assert.equal(JSON.parse(Deno.readTextFileSync(path)).qdiscCreated, true);
    // A process of another xskdump that still runs: left alone.
    const live = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      const start = Deno.readTextFileSync(`/proc/${live.pid}/stat`).split(" ")[21];
      Deno.writeTextFileSync(path, JSON.stringify({ ...state, pid: live.pid, pidStart: start }));
      const kept = restoreRecorded("xsknosuch0");
      assert.equal(kept.length, 1);
      assert.equal(kept[0].restored, false);
      assert.match(kept[0].message, new RegExp(`in use by xskdump pid ${live.pid}`));
    } finally {
      live.kill();
      await live.status;
    }
    // Its process gone (the interface too, and with it the filters): restored, record removed.
    const done = restoreRecorded("xsknosuch0");
    assert.equal(done.length, 1);
    assert.equal(done[0].restored, true);
    assert.match(done[0].message, /removed the clsact filter \(handle 0x5844/);
    assert.deepEqual(files(), []);
    rec.release(); // already gone: fine
  } finally {
    if (saved === undefined) Deno.env.delete("XSKDUMP_STATE_DIR");
    else Deno.env.set("XSKDUMP_STATE_DIR", saved);
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("tap counts: summary, status line, JSON and ISB say ring buffer full per direction", () => {
  const dir = (seen: number, copied: number, ringFull: number, filtered: number) => ({
    seen,
    copied,
    ringFull,
    filtered,
    passed: seen - copied - ringFull - filtered,
    procFiltered: 0,
    attributed: 0,
    unattributed: 0,
  });
  const s = captureStats({
    path: "tap",
    captured: 90,
    seen: 130,
    received: 100,
    passed: 0,
    filtered: 20,
    dropped: drops({ total: 10, ringBufferFull: 10 }),
    fillRingEmpty: 0,
    notKept: 10,
    userHeld: 0,
    queues: [],
    directions: { in: dir(100, 70, 10, 20), out: dir(30, 30, 0, 0) },
  });
  assert.deepEqual(formatSummary(s).slice(0, 4), [
    "90 packets captured",
    "100 packets received by filter",
    "10 packets dropped by kernel (ring buffer full: in 10, out 0)",
    "130 packets seen (in 100, out 30), every one left to the host stack (20 filtered out)",
  ]);
  assert.equal(
    formatStatusLine(s, { pps: 0, bps: 0 }),
    "90 packets, 0 pkt/s, 0 bit/s, 10 dropped (ring buffer full: in 10, out 0)",
  );
  const ctx = {
    iface: "eth0",
    queues: [],
    mode: "native",
    direction: "inout",
    elapsedMs: 1000,
    bytes: 0,
    rate: { pps: 0, bps: 0 },
    files: [],
    filesOpened: 0,
  };
  const j = liveRecord("summary", s, ctx);
  assert.deepEqual([j.path, j.direction], ["tap", "inout"]);
  assert.deepEqual((j.dropped as Record<string, unknown>).ring_buffer_full, { in: 10, out: 0 });
  assert.deepEqual((j.directions as Record<string, unknown>).in, {
    seen: 100,
    copied: 70,
    ring_full: 10,
    filtered: 20,
    proc_filtered: 0,
    passed: 0,
  });
  assert.deepEqual(isbStats(s), { ifRecv: 130, ifDrop: 10, filterAccept: 100, usrDeliv: 90 });
  assert.equal(j.process, undefined, "no process attribution: no process record");

  // With process attribution: one more summary line, and the JSON's process record.
  const table = { sockets: 9, owned: 4, added: 3 };
  const p: CaptureStats = {
    ...s,
    process: { attributed: 60, unattributed: 10, filtered: 5, table },
  };
  assert.ok(
    formatSummary(p).includes(
      "60 packets with a process, 10 without one, 5 of other processes left out " +
        "(3 sockets from before the start)",
    ),
  );
  const jp = liveRecord("summary", p, ctx);
  assert.deepEqual(jp.process, { attributed: 60, unattributed: 10, filtered: 5, table });
});
