// A script on the library API, run by api_capture_test.ts inside the capture namespace (a
// process cannot move itself into a network namespace): one scenario per run, "ready IFACE" on
// stderr once the capture is open, a JSON summary on stdout at the end, captured frames into
// files under OUTDIR. Where the test checks the kernel's state while a capture is open, the
// driver waits for a word on stdin before it goes on, so that state cannot change under the
// check. Run with scoped permissions only: the shim, OUTDIR.
//
//   api_driver.ts SCENARIO IFACE OUTDIR [N [K]]
import { DESC_ADDR, DESC_LEN, DESC_NSEC, DESC_SEC, DESC_WORDS, RX_OFFSET } from "../../ffi/abi.ts";
import { TapProgram } from "../../ffi/tap.ts";
import { XdpProgram, XskSocket } from "../../ffi/xsk.ts";
import { openCapture, type PacketBatch, type PcapWriter } from "../../mod.ts";
import { pcapFile } from "../../testbed/pcap_file.ts";
import { programCounts } from "../../lib/capture/counters.ts";

const [scenario, iface, outDir, arg1, arg2] = Deno.args;
const n = Number(arg1);

/** Adds a batch to the writer through data(i), checking what a batch promises on the way. */
function record(b: PacketBatch, w: PcapWriter, checks: { zeroCopy: boolean; tsOk: boolean }) {
  const now = Date.now() / 1000;
  for (let i = 0; i < b.length; i++) {
    const d = b.data(i);
    checks.zeroCopy &&= d.buffer === b.umem.buffer && d.byteOffset === b.umem.byteOffset +
          b.offset(i) &&
      d.length === b.captureLength(i);
    checks.tsOk &&= Math.abs(b.sec(i) + b.nsec(i) / 1e9 - now) < 60 &&
      b.timestampNs(i) === BigInt(b.sec(i)) * 1_000_000_000n + BigInt(b.nsec(i));
    w.add(d, 0, d.length, b.sec(i), b.nsec(i));
  }
}

let heard = "";

/** Waits until the test says `word` on stdin (reading only while it waits, so no read is left
 * pending to keep the process alive afterwards). */
async function told(word: string): Promise<void> {
  const buf = new Uint8Array(256);
  const dec = new TextDecoder();
  for (;;) {
    const lines = heard.split("\n");
    const at = lines.indexOf(word);
    if (at >= 0 && at < lines.length - 1) {
      heard = lines.slice(at + 1).join("\n");
      return;
    }
    const n = await Deno.stdin.read(buf);
    if (n === null) throw new Error(`stdin closed before the test said ${word}`);
    heard += dec.decode(buf.subarray(0, n), { stream: true });
  }
}

const out: Record<string, unknown> = { scenario };
const ready = () => console.error(`ready ${iface}`);

switch (scenario) {
  case "batches": {
    await using cap = await openCapture({ iface });
    const f = pcapFile(`${outDir}/out.pcap`);
    const checks = { zeroCopy: true, tsOk: true };
    let batches = 0;
    ready();
    for await (const b of cap.batches({ count: n })) {
      record(b, f.writer, checks);
      batches++;
    }
    f.close();
    Object.assign(out, checks, { batches, captured: cap.stats().captured });
    break;
  }
  case "queues": {
    // Every RX queue: each batch comes from one queue and views that queue's UMEM.
    await using cap = await openCapture({ iface, queues: "all" });
    const f = pcapFile(`${outDir}/out.pcap`);
    const checks = { zeroCopy: true, tsOk: true };
    const perQueue: Record<number, number> = {};
    ready();
    for await (const b of cap.batches({ count: n })) {
      record(b, f.writer, checks);
      perQueue[b.queue] = (perQueue[b.queue] ?? 0) + b.length;
    }
    f.close();
    const stats = cap.stats();
    Object.assign(out, checks, {
      queues: cap.queues,
      perQueue,
      statsPerQueue: Object.fromEntries(stats.queues.map((q) => [q.queue, q.captured])),
      captured: stats.captured,
    });
    break;
  }
  case "packets": {
    await using cap = await openCapture({ iface, snaplen: Number(arg2) });
    const pkts = [];
    ready();
    for await (const p of cap.packets({ count: n })) {
      pkts.push({
        length: p.length,
        data: Array.from(p.data),
        ts: String(p.timestampNs),
        queue: p.queue,
        own: p.data.byteOffset === 0 && p.data.buffer.byteLength === p.data.length,
      });
    }
    Deno.writeTextFileSync(`${outDir}/packets.json`, JSON.stringify(pkts));
    out.captured = cap.stats().captured;
    break;
  }
  case "resume": {
    // Leave the loop at a batch boundary after K packets, then iterate again for the rest.
    await using cap = await openCapture({ iface, batchSize: 16 });
    const f = pcapFile(`${outDir}/out.pcap`);
    const checks = { zeroCopy: true, tsOk: true };
    let first = 0;
    ready();
    for await (const b of cap.batches()) {
      record(b, f.writer, checks);
      first += b.length;
      if (first >= Number(arg2)) break;
    }
    let second = 0;
    for await (const b of cap.batches({ count: n - first })) {
      record(b, f.writer, checks);
      second += b.length;
    }
    f.close();
    Object.assign(out, { first, second, captured: cap.stats().captured });
    break;
  }
  case "signal": {
    // Abort inside the first batch: the loop still yields what the ring holds, then ends the
    // capture, so a second loop yields nothing.
    await using cap = await openCapture({ iface, batchSize: 4 });
    const stop = new AbortController();
    let first = 0;
    let batches = 0;
    ready();
    for await (const b of cap.batches({ signal: stop.signal })) {
      first += b.length;
      batches++;
      stop.abort();
    }
    let second = 0;
    for await (const b of cap.batches({ durationMs: 200 })) second += b.length;
    Object.assign(out, { first, batches, second, captured: cap.stats().captured });
    break;
  }
  case "duration": {
    await using cap = await openCapture({ iface });
    ready();
    const t0 = performance.now();
    let got = 0;
    for await (const p of cap.packets({ durationMs: n })) got += p.length;
    Object.assign(out, { elapsedMs: performance.now() - t0, got });
    break;
  }
  case "busy": {
    await using cap = await openCapture({ iface });
    ready();
    const a = cap.batches({ durationMs: 100 });
    const pending = a.next(); // the loop body runs up to its first wait
    try {
      await cap.packets().next();
      out.busyError = null;
    } catch (e) {
      out.busyError = (e as Error).message;
    }
    await pending;
    await a.return();
    break;
  }
  case "run": {
    await using cap = await openCapture({ iface });
    const f = pcapFile(`${outDir}/out.pcap`);
    ready();
    const result = await cap.run(f.writer, { count: n });
    f.close();
    Object.assign(out, { reason: result.reason, captured: cap.stats().captured });
    break;
  }
  case "tap": {
    // The tap path by name: both directions, each packet with its own; the stack keeps them.
    await using cap = await openCapture({ iface, path: "tap" });
    const pkts = [];
    let batchQueue = 0;
    let zeroCopy = true;
    ready();
    for await (const b of cap.batches({ count: n })) {
      batchQueue = b.queue;
      for (let i = 0; i < b.length; i++) {
        const d = b.data(i);
        zeroCopy &&= d.buffer === b.umem.buffer && d.length === b.captureLength(i);
        pkts.push({ direction: b.direction(i), length: b.wireLength(i), data: Array.from(d) });
      }
    }
    Object.assign(out, {
      path: cap.path,
      pathReason: cap.pathReason,
      direction: cap.direction,
      batchQueue,
      zeroCopy,
      pkts,
      stats: cap.stats(),
    });
    break;
  }
  case "tap-process": {
    // The packets' processes through the library: packet.process, and the counts.
    await using cap = await openCapture({ iface, path: "tap", process: {} });
    const pkts = [];
    ready();
    for await (const p of cap.packets({ count: n })) {
      const proc = p.process &&
        { pid: p.process.pid, comm: p.process.comm, source: p.process.source };
      pkts.push({ direction: p.direction, data: Array.from(p.data), process: proc });
    }
    const { attributed, unattributed } = cap.stats().process!;
    Object.assign(out, { pkts, process: { attributed, unattributed } });
    break;
  }
  case "dispose": {
    // `await using` detaches at the end of the scope, before the process exits. The scope
    // ends when the test says so (it checks the program is attached first), and the process
    // when it says so again (it checks the program is gone while the process lives).
    {
      await using cap = await openCapture({ iface });
      ready();
      out.mode = cap.mode;
      await told("leave");
    }
    console.error("closed");
    await told("exit");
    break;
  }
  case "warm": {
    // A socket that starts later (XskSocket.open's defer) and warms up first: synthetic records
    // that touch no ring, the queue's packets to the stack until start(), then n packets taken.
    const prog = XdpProgram.attach(iface);
    const sock = XskSocket.open(prog, 0, 4096, 4096, 0, 0, true);
    const descs = new Uint32Array(64 * DESC_WORDS);
    const refused = (f: () => void) => {
      try {
        f();
        return "";
      } catch (e) {
        return String(e);
      }
    };
    sock.warm(true);
    const warmTaken = sock.rxBatch(descs, 64);
    const warmRecords = Array.from(
      { length: warmTaken },
      (_, i) =>
        descs[i * DESC_WORDS + DESC_ADDR] === RX_OFFSET && descs[i * DESC_WORDS + DESC_LEN] === 60,
    ).every(Boolean);
    const startWhileWarm = refused(() => sock.start());
    out.warmFill = sock.fill(descs, warmTaken);
    // The next 255 batches: the 255th and 256th of all take nothing, as a ring that ran dry
    // and stayed idle; a warm socket's poll answers at once (a real one would time out here).
    const empty: number[] = [];
    for (let i = 2; i <= 256; i++) {
      const got = sock.rxBatch(descs, 64);
      if (got === 0) empty.push(i);
      else sock.fill(descs, got);
    }
    out.warmEmpty = empty;
    out.warmWait = await sock.wait(10_000);
    sock.warm(false);
    ready();
    await told("sent"); // the test replayed n frames: not ours yet
    // The receiving side's softirq may still be at them: wait until the program saw them all.
    for (const until = Date.now() + 5000; Date.now() < until;) {
      if (programCounts(prog, [0]).seen >= n) break;
      await sock.wait(10);
    }
    Object.assign(out, {
      warmTaken,
      warmRecords,
      startWhileWarm,
      beforeStart: sock.rxBatch(descs, 64),
      countsBeforeStart: programCounts(prog, [0]),
      statsBeforeStart: sock.stats(),
    });
    sock.start();
    out.warmAfterStart = refused(() => sock.warm(true));
    const f = pcapFile(`${outDir}/out.pcap`);
    let received = 0;
    const deadline = Date.now() + 10_000;
    console.error("started");
    while (received < n && Date.now() < deadline) {
      const got = sock.rxBatch(descs, Math.min(64, n - received));
      if (got === 0) {
        await sock.wait(100);
        continue;
      }
      for (let i = 0; i < got; i++) {
        const d = descs.subarray(i * DESC_WORDS);
        f.writer.add(sock.umem, d[DESC_ADDR], d[DESC_LEN], d[DESC_SEC], d[DESC_NSEC]);
      }
      received += got;
      sock.fill(descs, got);
    }
    f.close();
    out.received = received;
    sock.close();
    prog.detach();
    break;
  }
  case "tap-warm": {
    // A tap not started yet, warm: synthetic records off no ring, none at the 255th and 256th
    // batch (a ring that ran dry, then idle), and a poll that answers at once (a real one
    // would time out here: nothing is copied before start).
    const tap = TapProgram.open(iface, {
      in: true,
      out: false,
      mode: "auto",
      snaplen: 262144,
      ringBytes: 1 << 20,
      tcHandle: 0,
    });
    try {
      tap.mapRing();
      const descs = new Uint32Array(64 * DESC_WORDS);
      tap.warm(true);
      const empty: number[] = [];
      let records = 0;
      for (let i = 1; i <= 256; i++) {
        const got = tap.batch(descs, 64);
        if (got === 0) empty.push(i);
        records += got;
        tap.give();
      }
      out.tapWarmEmpty = empty;
      out.tapWarmRecords = records;
      out.tapWarmWait = await tap.wait(10_000);
      tap.warm(false);
      out.tapColdBatch = tap.batch(descs, 64);
    } finally {
      tap.close();
    }
    ready();
    break;
  }
  case "fill": {
    // The ring calls alone (ffi/xsk.ts): what each fill returns, until n packets came through
    // or 10 s passed.
    const prog = XdpProgram.attach(iface);
    const sock = XskSocket.open(prog, 0);
    const descs = new Uint32Array(64 * DESC_WORDS);
    const fills: number[] = [];
    let received = 0;
    const deadline = Date.now() + 10_000;
    ready();
    while (received < n && Date.now() < deadline) {
      const got = sock.rxBatch(descs);
      if (got === 0) {
        await sock.wait(100);
        continue;
      }
      received += got;
      fills.push(sock.fill(descs, got));
    }
    Object.assign(out, { received, fills, guardTotal: sock.guardTotal() });
    sock.close();
    prog.detach();
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
console.log(JSON.stringify(out));
