// The CLI's file outputs without a capture: a write that fails part-way (disk full, as the
// kernel does it: part of a chunk, then ENOSPC) leaves a file cut back to its last whole record;
// a closed pipe stops quietly; pcapng files carry the interface, the filter, nanosecond
// timestamps, queue and direction per packet, and statistics at each file's close.
import assert from "node:assert/strict";
import {
  fileOutput,
  isbStats,
  OutputFailure,
  OutputStop,
  TrackedSink,
} from "../../cli/output/mod.ts";
import { captureStats } from "./helpers.ts";
import { PcapFormatError, pcapRecords, PcapWriter } from "../../lib/formats/pcap.ts";
import { PcapngWriter } from "../../lib/formats/pcapng.ts";
import { captureRecords } from "../../lib/formats/capture_file.ts";
import { readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";

/** A file that takes `limit` bytes, then writes part of a chunk once, then fails. */
class FullDisk {
  data = new Uint8Array(0);
  truncatedTo?: number;
  constructor(readonly limit: number, readonly error: Error) {}
  writeSync(p: Uint8Array): number {
    const room = this.limit - this.data.length;
    if (room <= 0) throw this.error;
    const n = Math.min(room, p.length);
    const next = new Uint8Array(this.data.length + n);
    next.set(this.data);
    next.set(p.subarray(0, n), this.data.length);
    this.data = next;
    return n;
  }
  truncateSync(len = 0): void {
    this.truncatedTo = len;
    this.data = this.data.slice(0, len);
  }
}

function enospc(): Error {
  return Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
}

/** Packets of varied sizes. */
function packets(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const p = new Uint8Array(60 + ((i * 37) % 1400));
    p.fill(i & 0xff);
    p[12] = 0x08;
    return p;
  });
}

for (const format of ["pcap", "pcapng"] as const) {
  Deno.test(`disk full part-way through a chunk: the ${format} file ends on a whole record`, () => {
    // A 64-byte buffer makes most packets go out in pieces (header, data, tail) of their own.
    for (
      const [limit, bufferSize] of [10, 23, 24, 100, 5000, 33333, 65536, 99999].flatMap((l) => [
        [l, 4096],
        [l, 64],
      ])
    ) {
      const disk = new FullDisk(limit, enospc());
      const sink = new TrackedSink(disk, "/x/out", format === "pcapng", true);
      const w = format === "pcap"
        ? new PcapWriter(sink, { bufferSize })
        : new PcapngWriter(sink, { ifName: "xc0", bufferSize });
      sink.writer = w;
      let failure: unknown;
      try {
        w.flush();
        for (const p of packets(200)) w.add(p, 0, p.length, 1, 2, 3);
        w.close();
      } catch (e) {
        failure = e;
      }
      assert.ok(failure instanceof OutputFailure, `limit ${limit}: ${failure}`);
      assert.equal(failure.kind, "disk_full");
      assert.match(failure.message, /^disk full writing \/x\/out \(No space left on device/);
      // Cut back when the disk took part of a record (not needed when it stopped on one).
      if (disk.truncatedTo === undefined) assert.equal(disk.data.length, limit);
      if (limit < (format === "pcap" ? 24 : 64)) {
        // Not even the file header fit: nothing is left that could mislead a reader.
        assert.equal(disk.data.length, 0);
        assert.match(failure.message, /nothing could be written to it$/);
      } else {
        // Every record is whole: the readers find no truncation.
        const kept = [...captureRecords(disk.data)].length;
        assert.match(failure.message, new RegExp(`holds the ${kept} packets? written before`));
      }
      assert.equal(sink.written, disk.data.length);
      assert.throws(() => sink.write(new Uint8Array(4)), OutputFailure, "nothing after a failure");
    }
  });
}

Deno.test("a closed pipe is output_closed; other errors name the file and keep it whole", () => {
  const pipe = new FullDisk(100, new Deno.errors.BrokenPipe("Broken pipe (os error 32)"));
  const s1 = new TrackedSink(pipe, "stdout", false, false);
  const w1 = new PcapWriter(s1, { bufferSize: 64 });
  s1.writer = w1;
  assert.throws(() => {
    for (const p of packets(5)) w1.add(p, 0, p.length, 0, 0);
  }, (e: unknown) => e instanceof OutputFailure && e.kind === "output_closed");
  assert.equal(pipe.truncatedTo, undefined, "stdout is not cut");

  const eio = new FullDisk(300, Object.assign(new Error("Input/output error"), { code: "EIO" }));
  const s2 = new TrackedSink(eio, "/x/f", false, true);
  const w2 = new PcapWriter(s2, { bufferSize: 64 });
  s2.writer = w2;
  let err: unknown;
  try {
    for (const p of packets(5)) w2.add(p, 0, p.length, 0, 0);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof OutputFailure && err.kind === "write");
  const kept = [...pcapRecords(eio.data)].length;
  assert.equal(
    err.message,
    `cannot write /x/f: Input/output error; it holds the ${kept} packets written before, ` +
      "ending on a whole record",
  );
});

const stats = (n: number) => captureStats({ captured: n, seen: n + 10, received: n + 2 });

Deno.test("pcapng output: interface, filter, ns timestamps, queue and direction, ISB per file", () => {
  const dir = Deno.makeTempDirSync({ prefix: "xskt-ng-" });
  try {
    let delivered = 0;
    const out = fileOutput({
      path: `${dir}/cap.pcapng`,
      format: "pcapng",
      snaplen: 262144,
      ifName: "xc0",
      filter: "udp port 53",
      userAppl: "xskdump test",
      rotation: { sizeLimit: 20_000 },
      stats: () => isbStats(stats(delivered)),
    });
    const umem = new Uint8Array(65536);
    const ps = packets(40);
    ps.forEach((p, i) => {
      umem.set(p, 4096);
      out.add(umem, 4096, p.length, 1_700_000_000 + i, 123_456_789, i % 3, p.length, 1);
      delivered++;
    });
    out.close();
    const files = out.files();
    assert.ok(files.length >= 2, `rotated: ${files.length}`);
    assert.deepEqual(files.map((f) => f.path), [
      `${dir}/cap.pcapng`,
      ...files.slice(1).map((_, i) => `${dir}/cap.pcapng${i + 1}`),
    ]);
    let seen = 0;
    for (const f of files) {
      const bytes = Deno.readFileSync(f.path);
      assert.equal(f.bytes, bytes.length);
      const info = readPcapngInfo(bytes);
      const ifc = info.sections[0].interfaces[0];
      assert.equal(ifc.name, "xc0");
      assert.equal(ifc.filter, "udp port 53");
      assert.equal(ifc.tsresol, 9);
      assert.equal(info.sections[0].userAppl, "xskdump test");
      assert.equal(info.packets, f.packets);
      // Statistics as of this file's close: cumulative counts of the capture.
      assert.equal(ifc.stats?.usrDeliv, BigInt(seen + f.packets));
      assert.equal(ifc.stats?.ifRecv, BigInt(seen + f.packets + 10));
      assert.equal(ifc.stats?.filterAccept, BigInt(seen + f.packets + 2));
      assert.equal(ifc.stats?.ifDrop, BigInt(stats(0).dropped.total));
      for (const r of captureRecords(bytes)) {
        assert.equal(r.queue, seen % 3);
        assert.equal(r.flags, 1, "inbound");
        assert.equal(r.sec, 1_700_000_000 + seen);
        assert.equal(r.nsec, 123_456_789);
        assert.deepEqual(r.data, ps[seen]);
        seen++;
      }
    }
    assert.equal(seen, 40);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("-G with -W: OutputStop after W files, the last packet not written", () => {
  const dir = Deno.makeTempDirSync({ prefix: "xskt-g-" });
  try {
    const out = fileOutput({
      path: `${dir}/g-%s.pcap`,
      format: "pcap",
      snaplen: 100,
      rotation: { seconds: 10, maxFiles: 2 },
      startSec: 1000,
    });
    const p = packets(3)[2]; // 134 bytes
    out.add(p, 0, p.length, 1001, 0, 0, p.length, 1);
    out.add(p, 0, p.length, 1010, 0, 0, p.length, 1);
    assert.throws(() => out.add(p, 0, p.length, 1020, 0, 0, p.length, 1), OutputStop);
    out.add(p, 0, p.length, 1021, 0, 0, p.length, 1); // ignored: the output is done
    out.close();
    assert.deepEqual(out.files().map((f) => [f.path.slice(dir.length + 1), f.packets]), [
      ["g-1000.pcap", 1],
      ["g-1010.pcap", 1],
    ]);
    assert.equal(out.packets, 2);
    for (const f of out.files()) {
      const recs = [...pcapRecords(Deno.readFileSync(f.path))];
      assert.equal(recs.length, 1);
      assert.equal(recs[0].caplen, 100, "snaplen applied");
    }
    assert.ok(new PcapFormatError("x"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
