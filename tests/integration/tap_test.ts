// Tap mode on the real kernel: packets are copied into a ring buffer and go on to the host's
// stack, in both directions. Each test makes its own veth pair in namespaces:
// - corpus: every corpus frame captured identical and in order (native and generic XDP), while
//   tcpdump beside it (the stack side) also sees every one, and a UDP socket gets its datagrams;
// - both directions: ping and a TCP transfer from the host, each direction in tcpdump's order,
//   directions marked; -Q in and -Q out (running beside it: the XDP hook is taken, so at tc
//   ingress) each hold exactly their half;
// - queues: one ring buffer for every RX queue, --queue keeps those;
// - a ring buffer overflow on purpose: counted exactly, the file valid, the counters add up.
// tap_host_test.ts has what a tap leaves on the host and when the tap is chosen.

import assert from "node:assert/strict";
import { pcapngRecords } from "../../lib/formats/pcapng_reader.ts";
import {
  bytesEqual,
  type Capture,
  firstMismatch,
  type Frame,
  frameKey,
  framesOf,
  macOf,
  mergedCorpus,
  type NsChild,
  nsExec,
  pollUntil,
  READY_MS,
  replay,
  spawnInNs,
  startCapture,
  startXskdump,
  streamClosed,
  tcpdumpRingFor,
  untilTimeWait,
  type VethPair,
  waitForRecords,
  wholeRecords,
  writePcap,
} from "../../testbed/mod.ts";
import { CAPTURE_ADDR, EXIT_MS, SENDER_ADDR, tapTest } from "./tap_helpers.ts";

const deno = Deno.execPath();

/** tcpdump on the capture interface, both directions unless `extra` says, writing a pcap. */
function tcpdump(pair: VethPair, path: string, extra: string[] = []): Promise<Capture> {
  return startCapture(pair, [
    ...["tcpdump", "-i", pair.captureIf, "-Z", "root", "-w", path, "--immediate-mode", "-U"],
    ...extra,
  ], { ready: "tcpdump" });
}

/** argv run on CPU 0 only (taskset). */
function onCpu0(...argv: string[]): string[] {
  return ["taskset", "-c", "0", ...argv];
}

/** A pcapng file's packets with their direction (1 in, 2 out). */
function ngFrames(path: string): (Frame & { dir: number })[] {
  return [...pcapngRecords(Deno.readFileSync(path))].map((r) => ({
    sec: r.sec,
    nsec: r.nsec,
    caplen: r.caplen,
    origLen: r.origLen,
    data: r.data,
    dir: (r.flags ?? 0) & 3,
  }));
}

/** A UDP socket on the capture side: how many datagrams reached it. */
function udpListener(pair: VethPair, port: number, ms: number): NsChild {
  const src =
    `const s = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: ${port} });
console.error("bound");
let n = 0;
const t = setTimeout(() => { console.log(n); Deno.exit(0); }, ${ms});
for await (const _ of s) { n++; if (n === Number(Deno.args[0])) { clearTimeout(t); console.log(n); Deno.exit(0); } }`;
  return spawnInNs(pair.captureNs, [deno, "eval", "--no-config", "--unstable-net", src, "40"], {
    collectStdout: true,
  });
}

function udpSend(pair: VethPair, host: string, port: number, count: number) {
  const src = `const s = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 });
for (let i = 0; i < ${count}; i++) {
  await s.send(new TextEncoder().encode("probe " + i), { transport: "udp", hostname: "${host}", port: ${port} });
  await new Promise((r) => setTimeout(r, 5));
}
s.close();`;
  return nsExec(pair.senderNs, [deno, "eval", "--no-config", "--unstable-net", src], {
    cwd: "/",
    check: true,
  });
}

for (const mode of ["native", "generic"] as const) {
  tapTest(
    `tap corpus: every frame identical and in order, and the stack gets them too (${mode})`,
    async (pair, dir) => {
      const corpus = await mergedCorpus();
      const expected = framesOf(corpus.path);
      // GRO off: with it (veth does GRO once an XDP program is attached natively, as a NIC
      // does anyway), the stack gets TCP segments merged and reordered, and tcpdump could
      // not show each frame as the wire had it.
      await nsExec(pair.captureNs, ["ethtool", "-K", pair.captureIf, "gro", "off"], {
        check: true,
      });
      // -Q in: the stack's own answers (if any) are not part of the corpus.
      const cap = await startXskdump(pair, ["-w", `${dir}/tap.pcap`, "--mode", mode, "-Q", "in"]);
      let stack: Capture | undefined;
      let udp: NsChild | undefined;
      try {
        assert.match(
          cap.readyLine,
          new RegExp(`tap in \\(it has an IPv4 address; .*incoming at XDP ${mode}`),
        );
        stack = await tcpdump(pair, `${dir}/stack.pcap`, ["-Q", "in", "-B", "65536"]);
        const sent = await replay(pair, corpus.path);
        assert.equal(sent.failed, 0, sent.output);
        assert.equal(sent.sent, corpus.frames, sent.output);
        // A socket of the host: datagrams to it arrive while the tap runs.
        udp = udpListener(pair, 5353, 10_000);
        await udp.waitForStderrLine(/bound/, READY_MS);
        await udpSend(pair, CAPTURE_ADDR, 5353, 40);
        assert.equal((await udp.waitExit(15_000)).code, 0);
        assert.equal(new TextDecoder().decode(udp.stdoutBytes()).trim(), "40");
        // tcpdump has written the corpus before its SIGINT (what is in its ring then is lost).
        await waitForRecords(`${dir}/stack.pcap`, expected.length, EXIT_MS);
      } catch (e) {
        await cap.stop();
        throw e;
      } finally {
        await udp?.stop();
        await stack?.interrupt("SIGINT", EXIT_MS);
      }
      await cap.finish(EXIT_MS);
      const captured = framesOf(`${dir}/tap.pcap`);
      // The corpus, then the 40 datagrams (and ARP for them): the corpus part is identical.
      const m = firstMismatch(expected, captured.slice(0, expected.length));
      if (m) assert.fail(`${m}\n${cap.stderr()}`);
      const seenByStack = framesOf(`${dir}/stack.pcap`);
      const m2 = firstMismatch(expected, seenByStack.slice(0, expected.length));
      if (m2) {
        assert.fail(`the stack (tcpdump) did not see every frame: ${m2}\n${stack?.stderr()}`);
      }
      const probes = captured.filter((f) => new TextDecoder().decode(f.data).includes("probe "));
      assert.equal(probes.length, 40, "the datagrams the socket got are in the capture too");
      const s = cap.summary();
      assert.equal(s.path, "tap");
      assert.equal(s.captured, captured.length);
      assert.equal(s.dropped.total, 0);
      assert.equal(s.directions!.in.seen, s.captured, "every packet seen was captured");
      console.log(
        `  ${mode}: ${expected.length} corpus frames identical in the tap and at the stack ` +
          `(tcpdump); 40/40 datagrams reached the socket`,
      );
    },
    { corpus: true, addresses: true },
  );
}

/** IPv4 ICMP, or TCP to or from port 5001: the traffic of the test below. */
function ofTest({ data }: { data: Uint8Array }): boolean {
  if (data.length < 34 || data[12] !== 0x08 || data[13] !== 0x00) return false;
  if (data[23] === 1) return true;
  const l4 = 14 + (data[14] & 15) * 4;
  if (data[23] !== 6 || data.length < l4 + 4) return false;
  const port = (k: number) => (data[l4 + k] << 8) | data[l4 + k + 1];
  return port(0) === 5001 || port(2) === 5001;
}

tapTest(
  "tap both directions: ping and TCP, each direction in tcpdump's order, marked; -Q in and out their halves",
  async (pair, dir) => {
    const both = await startXskdump(pair, ["-w", `${dir}/both.pcapng`], { json: false });
    // Two more taps on the same interface: the XDP hook is the first one's, so these take
    // incoming packets at tc ingress, each with its own ring buffer.
    const incoming = await startXskdump(pair, ["-w", `${dir}/in.pcapng`, "-Q", "in"], {
      json: false,
    });
    const outgoing = await startXskdump(pair, ["-w", `${dir}/out.pcapng`, "-Q", "out"], {
      json: false,
    });
    // A ring for every frame of the test (64 KiB GSO packets out): tcpdump's default 2 MiB has
    // 8 slots of 256 KiB, which a loaded host overflowed (90 frames in the taps, 82 in tcpdump's).
    const stack = await tcpdump(pair, `${dir}/tcpdump.pcap`, tcpdumpRingFor(512, 65536));
    try {
      assert.match(
        both.readyLine,
        /tap in and out .*incoming at XDP native, outgoing at tc \(tcx\)/,
      );
      assert.match(incoming.readyLine, /tap in .*incoming at tc \(tcx\),/);
      assert.doesNotMatch(incoming.readyLine, /outgoing/);
      assert.match(outgoing.readyLine, /tap out .*outgoing at tc \(tcx\),/);
      assert.doesNotMatch(outgoing.readyLine, /incoming/);
      // Everything on CPU 0: the order of packets is the order of events on one CPU, the
      // same for every hook and for tcpdump.
      const ping = await nsExec(
        pair.captureNs,
        onCpu0("ping", "-c", "4", "-i", "0.2", SENDER_ADDR),
      );
      assert.equal(ping.code, 0, `ping lost packets through the tap:\n${ping.stdout}`);
      const server = spawnInNs(
        pair.senderNs,
        onCpu0(
          deno,
          "eval",
          "--no-config",
          `const l = Deno.listen({ port: 5001 }); console.error("listening");
const c = await l.accept(); let n = 0; const b = new Uint8Array(65536);
for (;;) { const r = await c.read(b); if (r === null) break; n += r; }
console.log(n); c.close(); l.close();`,
        ),
        { collectStdout: true },
      );
      await server.waitForStderrLine(/listening/, READY_MS);
      const client = `const c = await Deno.connect({ hostname: "${SENDER_ADDR}", port: 5001 });
const b = new Uint8Array(256 * 1024).map((_, i) => i * 7);
for (let i = 0; i < 8; i++) for (let o = 0; o < b.length;) o += await c.write(b.subarray(o));
c.close();`;
      await nsExec(pair.captureNs, onCpu0(deno, "eval", "--no-config", client), {
        cwd: "/",
        check: true,
      });
      assert.equal((await server.waitExit(EXIT_MS)).code, 0);
      assert.equal(new TextDecoder().decode(server.stdoutBytes()).trim(), String(8 * 256 * 1024));
      // The server's exit does not pin the last frame: the client's ACK of the server's FIN
      // goes out when its socket enters TIME-WAIT. Stopping tcpdump before that let the taps,
      // stopped later, hold one frame more (96 against 95, under load).
      await untilTimeWait(pair.captureNs, `${SENDER_ADDR}:5001`, EXIT_MS);
      // And tcpdump has written it: what is still in its ring at a SIGINT is left unwritten.
      const written = await pollUntil(
        () => streamClosed(wholeRecords(`${dir}/tcpdump.pcap`).frames, 5001),
        EXIT_MS,
      );
      assert.ok(written, "tcpdump never wrote the client's last ACK");
    } finally {
      await stack.interrupt("SIGINT", EXIT_MS);
    }
    for (const c of [both, incoming, outgoing]) await c.finish(EXIT_MS);
    assert.match(
      stack.stderr(),
      /\b0 packets dropped by kernel/,
      "tcpdump, the reference, lost none",
    );
    // The test's traffic: the pings and the TCP connection. The host's own frames (ARP, IPv6
    // neighbour discovery, MLD) come when they will, also between one capture's stop and
    // another's, so they are no part of the comparison.
    const reference = framesOf(`${dir}/tcpdump.pcap`).filter(ofTest);
    const all = ngFrames(`${dir}/both.pcapng`).filter(ofTest);
    // Directions: a frame from our own MAC went out.
    const mac = new Uint8Array(
      (await macOf(pair.captureNs, pair.captureIf)).split(":").map((h) => parseInt(h, 16)),
    );
    // Each direction in tcpdump's order. Across directions the hooks see a different
    // interleaving: XDP takes a NAPI poll's incoming frames before GRO hands them to the stack
    // (where tcpdump sees them), and the stack answers some of them (ACKs going out) in
    // between; how many frames one poll takes depends on the load.
    const sent = (f: { data: Uint8Array }) => bytesEqual(f.data.subarray(6, 12), mac);
    assert.equal(all.length, reference.length, "as many frames as tcpdump");
    for (const [name, wanted] of [["in", false], ["out", true]] as const) {
      const m = firstMismatch(
        reference.filter((f) => sent(f) === wanted),
        all.filter((f) => sent(f) === wanted),
      );
      if (m) assert.fail(`the tap and tcpdump differ, ${name}: ${m}`);
    }
    const wrong = all.findIndex((f) => f.dir !== (sent(f) ? 2 : 1));
    assert.equal(wrong, -1, `frame ${wrong}: direction ${all[wrong]?.dir}`);
    const m2 = firstMismatch(
      all.filter((f) => f.dir === 1),
      ngFrames(`${dir}/in.pcapng`).filter(ofTest),
    );
    if (m2) assert.fail(`-Q in: ${m2}`);
    const m3 = firstMismatch(
      all.filter((f) => f.dir === 2),
      ngFrames(`${dir}/out.pcapng`).filter(ofTest),
    );
    if (m3) assert.fail(`-Q out: ${m3}`);
    const outs = all.filter((f) => f.dir === 2);
    const big = Math.max(...outs.map((f) => f.origLen));
    assert.ok(outs.length >= 8 && all.length - outs.length >= 8, "both directions carried");
    console.log(
      `  ${all.length} frames as tcpdump has them (${outs.length} out, up to ${big} bytes; ` +
        `${all.length - outs.length} in); -Q in and -Q out: exactly their halves`,
    );
  },
  { addresses: true },
);

tapTest(
  "tap queues: one ring buffer for every RX queue; --queue keeps the incoming packets of those",
  async (pair, dir) => {
    const corpus = await mergedCorpus();
    const all = await startXskdump(pair, ["--tap", "-Q", "in", "-w", `${dir}/all.pcapng`]);
    const one = await startXskdump(pair, [
      ...["--tap", "-Q", "in", "--queue", "1", "-w", `${dir}/one.pcapng`],
    ]);
    assert.match(one.readyLine, /, queues 1,/);
    const sent = await replay(pair, corpus.path);
    assert.equal(sent.sent, corpus.frames, sent.output);
    await all.finish(EXIT_MS);
    await one.finish(EXIT_MS);
    const [sAll, sOne] = [all.summary(), one.summary()];
    const everything = ngFrames(`${dir}/all.pcapng`);
    // Every queue, in one file: the corpus, each frame once (queues interleave).
    assert.deepEqual(everything.map(frameKey).sort(), framesOf(corpus.path).map(frameKey).sort());
    const queues = new Set(
      [...pcapngRecords(Deno.readFileSync(`${dir}/all.pcapng`))].map((r) => r.queue),
    );
    assert.ok(queues.size >= 2, `the corpus came on queues ${[...queues]}`);
    const q1 = [...pcapngRecords(Deno.readFileSync(`${dir}/one.pcapng`))];
    assert.ok(q1.length > 0 && q1.every((r) => r.queue === 1), "--queue 1: queue 1 only");
    const d = sOne.directions!.in;
    assert.equal(d.seen, corpus.frames);
    assert.equal(sOne.captured, q1.length);
    assert.equal(d.copied + d.passed, d.seen, "the other queues' packets count as passed");
    assert.equal(sAll.captured, corpus.frames);
    console.log(
      `  all queues: ${sAll.captured} frames from queues ${[...queues].sort()}; --queue 1: ` +
        `${q1.length}, the other ${d.passed} passed`,
    );
  },
  { corpus: true, rxQueues: 4, txQueues: 4 },
);

/** `n` UDP frames of `size` bytes, numbered in their last bytes. */
function burst(n: number, size: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const f = new Uint8Array(size);
    f.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00]); // broadcast-free, IPv4
    f.set([0x45, 0, (size - 14) >> 8, (size - 14) & 255, 0, 0, 0, 0, 64, 17], 14);
    new DataView(f.buffer).setUint32(size - 4, i);
    return f;
  });
}

tapTest(
  "tap ring buffer full on purpose: counted exactly, the file valid, the counters add up",
  async (pair, dir) => {
    const N = 4000;
    writePcap(`${dir}/burst.pcap`, burst(N, 1400));
    // A 1 MiB ring buffer (the smallest -B) holds some 700 of these. xskdump is stopped
    // (SIGSTOP) while they come, so it cannot drain it meanwhile: the kernel keeps copying
    // until the ring buffer is full and counts the rest.
    const cap = await startXskdump(pair, [
      ...["--tap", "-Q", "in", "-B", "1024", "-w", `${dir}/cap.pcap`],
    ]);
    cap.child.signal("SIGSTOP");
    let sent: { code: number; stderr: string };
    try {
      sent = await nsExec(pair.senderNs, [
        "tcpreplay",
        "-q",
        "--topspeed",
        "-i",
        pair.senderIf,
        `${dir}/burst.pcap`,
      ]);
    } finally {
      cap.child.signal("SIGCONT");
    }
    assert.equal(sent.code, 0, sent.stderr);
    await cap.finish(EXIT_MS);
    const s = cap.summary();
    const d = s.directions!.in;
    // framesOf throws on a record cut short: the file is valid to its end.
    const records = framesOf(`${dir}/cap.pcap`).map((f) => f.data);
    assert.equal(records.length, s.captured, "the file holds what the summary says");
    assert.equal(d.seen, N, "every frame of the burst was seen");
    assert.ok(d.ring_full > 0, `the ring buffer never filled (${JSON.stringify(d)})`);
    assert.equal(s.dropped.ring_buffer_full.in, d.ring_full);
    assert.equal(s.dropped.total, d.ring_full);
    assert.equal(s.captured + d.ring_full + d.filtered + d.passed, d.seen, "counters add up");
    // What was captured is a subsequence of the burst, in order.
    const numbers = records.map((r) =>
      new DataView(r.buffer, r.byteOffset).getUint32(r.length - 4)
    );
    assert.ok(numbers.every((x, i) => i === 0 || x > numbers[i - 1]), "in order");
    console.log(
      `  ${N} sent: ${s.captured} captured, ${d.ring_full} lost to a full ring buffer ` +
        `(counted), seen ${d.seen}`,
    );
  },
);
