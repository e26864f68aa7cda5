// Tap mode on the real kernel: packets are copied into a ring buffer and go on to the host's
// stack, in both directions. Each test makes its own veth pair in namespaces:
// - corpus: every corpus frame captured identical and in order (native and generic XDP), while
//   tcpdump beside it (the stack side) also sees every one, and a UDP socket gets its datagrams;
// - both directions: ping and a TCP transfer from the host, each direction in tcpdump's order,
//   directions marked; -Q in and -Q out (running beside it: the XDP hook is taken, so at tc ingress) each
//   hold exactly their half;
// - kill -9: no XDP program and no tcx link left (a clsact filter is, by design: restore);
// - the automatic choice: an address means tap, none divert; --divert says what it does;
// - a ring buffer overflow on purpose: counted exactly, the file valid, the counters add up.

import assert from "node:assert/strict";
import { pcapngRecords } from "../../lib/formats/pcapng_reader.ts";
import {
  addAddress,
  firstMismatch,
  type Frame,
  framesOf,
  leftoverNamespaces,
  macOf,
  mergedCorpus,
  type NsChild,
  nsExec,
  pollUntil,
  replay,
  rootOnly,
  run,
  spawnInNs,
  stackReachable,
  streamClosed,
  untilTimeWait,
  type VethPair,
  waitForRecords,
  wholeRecords,
  withPairAndDir,
  xdpAttached,
  XSKDUMP,
} from "../../testbed/mod.ts";

const bin = XSKDUMP;
const deno = Deno.execPath();
const READY_MS = 20_000;
const EXIT_MS = 20_000;
const CAPTURE_ADDR = "10.88.0.1";
const SENDER_ADDR = "10.88.0.2";

const skip = rootOnly("tap", "network namespaces, veth, XDP, tc") ? "no root" : undefined;

/** Starts xskdump in the capture namespace and waits for its `listening on` line. */
async function xskdump(
  pair: VethPair,
  args: string[],
  env: Record<string, string> = {},
  collectStdout = false,
): Promise<{ child: NsChild; line: string }> {
  const child = spawnInNs(pair.captureNs, [bin, "-i", pair.captureIf, ...args], {
    env: { SSH_CONNECTION: "", ...env },
    collectStdout,
  });
  try {
    const line = await child.waitForStderrLine(/^listening on /, READY_MS);
    return { child, line };
  } catch (e) {
    await child.stop();
    throw e;
  }
}

/** Stops a capture with SIGINT and checks it exits 0; its stderr. */
async function finish(child: NsChild): Promise<string> {
  child.signal("SIGINT");
  const status = await child.waitExit(EXIT_MS);
  assert.equal(status.code, 0, `xskdump exited ${status.code}:\n${child.stderrText()}`);
  return child.stderrText();
}

/** tcpdump on the capture interface, writing a pcap, ready when it says so. */
async function tcpdump(pair: VethPair, path: string, extra: string[] = []): Promise<NsChild> {
  const child = spawnInNs(pair.captureNs, [
    "tcpdump",
    "-i",
    pair.captureIf,
    "-Z",
    "root",
    "-w",
    path,
    "--immediate-mode",
    "-U",
    ...extra,
  ]);
  await child.waitForStderrLine(/listening on /, READY_MS);
  return child;
}

/** The summary's JSON object on stderr (--json). */
function summary(stderr: string): Record<string, unknown> & {
  captured: number;
  seen: number;
  received: number;
  filtered: number;
  dropped: { total: number; ring_buffer_full: { in: number; out: number } };
  directions: Record<"in" | "out", Record<string, number>>;
} {
  const line = stderr.split("\n").find((l) => l.startsWith('{"type":"summary"'));
  assert.ok(line, `no JSON summary in:\n${stderr}`);
  return JSON.parse(line);
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
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
  Deno.test({
    name: `tap corpus: every frame identical and in order, and the stack gets them too (${mode})`,
    ignore: skip !== undefined,
    async fn() {
      const corpus = await mergedCorpus();
      const expected = framesOf(corpus.path);
      const mtu = Math.max(1500, corpus.maxFrameLen - 14);
      await withPairAndDir("xskt-tap-", async (pair, dir) => {
        await addAddress(pair.captureNs, pair.captureIf, `${CAPTURE_ADDR}/24`);
        await addAddress(pair.senderNs, pair.senderIf, `${SENDER_ADDR}/24`);
        // GRO off: with it (veth does GRO once an XDP program is attached natively, as a NIC
        // does anyway), the stack gets TCP segments merged and reordered, and tcpdump could
        // not show each frame as the wire had it.
        await nsExec(pair.captureNs, ["ethtool", "-K", pair.captureIf, "gro", "off"], {
          check: true,
        });
        // -Q in: the stack's own answers (if any) are not part of the corpus.
        const { child, line } = await xskdump(pair, [
          "-w",
          `${dir}/tap.pcap`,
          "--mode",
          mode,
          "-Q",
          "in",
          "--json",
        ]);
        let stack: NsChild | undefined;
        let udp: NsChild | undefined;
        try {
          assert.match(
            line,
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
          await child.stop();
          throw e;
        } finally {
          await udp?.stop();
          if (stack) {
            stack.signal("SIGINT");
            await stack.waitExit(EXIT_MS);
          }
        }
        const stderr = await finish(child);
        const captured = framesOf(`${dir}/tap.pcap`);
        // The corpus, then the 40 datagrams (and ARP for them): the corpus part is identical.
        const m = firstMismatch(expected, captured.slice(0, expected.length));
        if (m) assert.fail(`${m}\n${stderr}`);
        const seenByStack = framesOf(`${dir}/stack.pcap`);
        const m2 = firstMismatch(expected, seenByStack.slice(0, expected.length));
        if (m2) {
          assert.fail(`the stack (tcpdump) did not see every frame: ${m2}\n${stack?.stderrText()}`);
        }
        const probes = captured.filter((f) => new TextDecoder().decode(f.data).includes("probe "));
        assert.equal(probes.length, 40, "the datagrams the socket got are in the capture too");
        const s = summary(stderr);
        assert.equal(s.path, "tap");
        assert.equal(s.captured, captured.length);
        assert.equal(s.dropped.total, 0);
        assert.equal(s.directions.in.seen, s.captured, "every packet seen was captured");
        console.log(
          `  ${mode}: ${expected.length} corpus frames identical in the tap and at the stack ` +
            `(tcpdump); 40/40 datagrams reached the socket`,
        );
      }, { mtu });
      assert.deepEqual(await leftoverNamespaces(), []);
    },
  });
}

Deno.test({
  name:
    "tap both directions: ping and TCP, each direction in tcpdump's order, marked; -Q in and out their halves",
  ignore: skip !== undefined,
  async fn() {
    await withPairAndDir("xskt-tap-", async (pair, dir) => {
      await addAddress(pair.captureNs, pair.captureIf, `${CAPTURE_ADDR}/24`);
      await addAddress(pair.senderNs, pair.senderIf, `${SENDER_ADDR}/24`);
      const both = await xskdump(pair, ["-w", `${dir}/both.pcapng`]);
      // Two more taps on the same interface: the XDP hook is the first one's, so these take
      // incoming packets at tc ingress, each with its own ring buffer.
      const incoming = await xskdump(pair, ["-w", `${dir}/in.pcapng`, "-Q", "in"]);
      const outgoing = await xskdump(pair, ["-w", `${dir}/out.pcapng`, "-Q", "out"]);
      const stack = await tcpdump(pair, `${dir}/tcpdump.pcap`);
      try {
        assert.match(both.line, /tap in and out .*incoming at XDP native, outgoing at tc \(tcx\)/);
        assert.match(incoming.line, /tap in .*incoming at tc \(tcx\),/);
        assert.doesNotMatch(incoming.line, /outgoing/);
        assert.match(outgoing.line, /tap out .*outgoing at tc \(tcx\),/);
        assert.doesNotMatch(outgoing.line, /incoming/);
        // Everything on CPU 0: the order of packets is the order of events on one CPU, the
        // same for every hook and for tcpdump.
        const ping = await nsExec(pair.captureNs, [
          "taskset",
          "-c",
          "0",
          "ping",
          "-c",
          "4",
          "-i",
          "0.2",
          SENDER_ADDR,
        ]);
        assert.equal(ping.code, 0, `ping lost packets through the tap:\n${ping.stdout}`);
        const server = spawnInNs(
          pair.senderNs,
          [
            "taskset",
            "-c",
            "0",
            deno,
            "eval",
            "--no-config",
            `const l = Deno.listen({ port: 5001 }); console.error("listening");
const c = await l.accept(); let n = 0; const b = new Uint8Array(65536);
for (;;) { const r = await c.read(b); if (r === null) break; n += r; }
console.log(n); c.close(); l.close();`,
          ],
          { collectStdout: true },
        );
        await server.waitForStderrLine(/listening/, READY_MS);
        await nsExec(pair.captureNs, [
          "taskset",
          "-c",
          "0",
          deno,
          "eval",
          "--no-config",
          `const c = await Deno.connect({ hostname: "${SENDER_ADDR}", port: 5001 });
const b = new Uint8Array(256 * 1024).map((_, i) => i * 7);
for (let i = 0; i < 8; i++) for (let o = 0; o < b.length;) o += await c.write(b.subarray(o));
c.close();`,
        ], { cwd: "/", check: true });
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
        stack.signal("SIGINT");
        await stack.waitExit(EXIT_MS);
      }
      for (const c of [both, incoming, outgoing]) await finish(c.child);
      const reference = framesOf(`${dir}/tcpdump.pcap`);
      const all = ngFrames(`${dir}/both.pcapng`);
      // Directions: a frame from our own MAC went out.
      const mac = new Uint8Array(
        (await macOf(pair.captureNs, pair.captureIf)).split(":").map((h) => parseInt(h, 16)),
      );
      // Each direction in tcpdump's order. Across directions the hooks see a different
      // interleaving: XDP takes a NAPI poll's incoming frames before GRO hands them to the stack
      // (where tcpdump sees them), and the stack answers some of them (ACKs going out) in
      // between; how many frames one poll takes depends on the load.
      const sent = (f: { data: Uint8Array }) => sameBytes(f.data.subarray(6, 12), mac);
      assert.equal(all.length, reference.length, "as many frames as tcpdump");
      for (const [name, wanted] of [["in", false], ["out", true]] as const) {
        const m = firstMismatch(
          reference.filter((f) => sent(f) === wanted),
          all.filter((f) => sent(f) === wanted),
        );
        if (m) assert.fail(`the tap and tcpdump differ, ${name}: ${m}`);
      }
      const wrong = all.findIndex((f) =>
        f.dir !== (sameBytes(f.data.subarray(6, 12), mac) ? 2 : 1)
      );
      assert.equal(wrong, -1, `frame ${wrong}: direction ${all[wrong]?.dir}`);
      const m2 = firstMismatch(all.filter((f) => f.dir === 1), ngFrames(`${dir}/in.pcapng`));
      if (m2) assert.fail(`-Q in: ${m2}`);
      const m3 = firstMismatch(all.filter((f) => f.dir === 2), ngFrames(`${dir}/out.pcapng`));
      if (m3) assert.fail(`-Q out: ${m3}`);
      const outs = all.filter((f) => f.dir === 2);
      const big = Math.max(...outs.map((f) => f.origLen));
      assert.ok(outs.length >= 8 && all.length - outs.length >= 8, "both directions carried");
      console.log(
        `  ${all.length} frames as tcpdump has them (${outs.length} out, up to ${big} bytes; ` +
          `${all.length - outs.length} in); -Q in and -Q out: exactly their halves`,
      );
    });
    assert.deepEqual(await leftoverNamespaces(), []);
  },
});

Deno.test({
  name:
    "tap queues: one ring buffer for every RX queue; --queue keeps the incoming packets of those",
  ignore: skip !== undefined,
  async fn() {
    const corpus = await mergedCorpus();
    const mtu = Math.max(1500, corpus.maxFrameLen - 14);
    await withPairAndDir("xskt-tap-", async (pair, dir) => {
      const all = await xskdump(pair, ["--tap", "-Q", "in", "-w", `${dir}/all.pcapng`, "--json"]);
      const one = await xskdump(pair, [
        "--tap",
        "-Q",
        "in",
        "--queue",
        "1",
        "-w",
        `${dir}/one.pcapng`,
        "--json",
      ]);
      assert.match(one.line, /, queues 1,/);
      const sent = await replay(pair, corpus.path);
      assert.equal(sent.sent, corpus.frames, sent.output);
      const sAll = summary(await finish(all.child));
      const sOne = summary(await finish(one.child));
      const everything = ngFrames(`${dir}/all.pcapng`);
      // Every queue, in one file: the corpus, each frame once (queues interleave).
      const key = (f: { data: Uint8Array }) => f.data.join(",");
      assert.deepEqual(
        everything.map(key).sort(),
        framesOf(corpus.path).map(key).sort(),
      );
      const queues = new Set(
        [...pcapngRecords(Deno.readFileSync(`${dir}/all.pcapng`))].map((r) => r.queue),
      );
      assert.ok(queues.size >= 2, `the corpus came on queues ${[...queues]}`);
      const q1 = [...pcapngRecords(Deno.readFileSync(`${dir}/one.pcapng`))];
      assert.ok(q1.length > 0 && q1.every((r) => r.queue === 1), "--queue 1: queue 1 only");
      const d = sOne.directions.in;
      assert.equal(d.seen, corpus.frames);
      assert.equal(sOne.captured, q1.length);
      assert.equal(d.copied + d.passed, d.seen, "the other queues' packets count as passed");
      assert.equal(sAll.captured, corpus.frames);
      console.log(
        `  all queues: ${sAll.captured} frames from queues ${[...queues].sort()}; --queue 1: ` +
          `${q1.length}, the other ${d.passed} passed`,
      );
    }, { mtu, rxQueues: 4, txQueues: 4 });
    assert.deepEqual(await leftoverNamespaces(), []);
  },
});

/**
 * Ids of the BPF links a process holds (its fds' fdinfo): only its own, so the tap tests of
 * other captures running on the machine at the same time cannot change the count.
 */
async function linksHeldBy(pid: number): Promise<number[]> {
  const ids: number[] = [];
  for await (const e of Deno.readDir(`/proc/${pid}/fdinfo`)) {
    const info = await Deno.readTextFile(`/proc/${pid}/fdinfo/${e.name}`).catch(() => "");
    const m = info.match(/^link_id:\s+(\d+)$/m);
    if (m) ids.push(Number(m[1]));
  }
  return ids;
}

/** Ids of every BPF link on the host. */
async function linkIds(): Promise<number[]> {
  const links = JSON.parse((await run(["bpftool", "-j", "link", "show"], { check: true })).stdout);
  return (links as { id: number }[]).map((l) => l.id);
}

async function tcFilters(pair: VethPair, dir: "ingress" | "egress"): Promise<string> {
  return (await run(["tc", "-n", pair.captureNs, "filter", "show", "dev", pair.captureIf, dir]))
    .stdout.trim();
}

async function hasClsact(pair: VethPair): Promise<boolean> {
  const r = await run(["tc", "-n", pair.captureNs, "qdisc", "show", "dev", pair.captureIf]);
  return /clsact/.test(r.stdout);
}

Deno.test({
  name: "tap kill -9: no XDP program and no tcx link left; a clsact filter is restored",
  ignore: skip !== undefined,
  async fn() {
    await withPairAndDir("xskt-tap-", async (pair, dir) => {
      await addAddress(pair.captureNs, pair.captureIf, `${CAPTURE_ADDR}/24`);
      await addAddress(pair.senderNs, pair.senderIf, `${SENDER_ADDR}/24`);
      // tcx: the kernel removes the links with the process.
      const tcx = await xskdump(pair, ["-w", `${dir}/a.pcap`]);
      const during = await linksHeldBy(tcx.child.pid);
      assert.equal(during.length, 2, "an XDP link (incoming) and a tcx link (outgoing)");
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), true);
      tcx.child.signal("SIGKILL");
      assert.equal((await tcx.child.waitExit(EXIT_MS)).signal, "SIGKILL");
      const after = await linkIds();
      assert.deepEqual(during.filter((id) => after.includes(id)), [], "tcx link left");
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false, "XDP left");
      assert.equal(await tcFilters(pair, "egress"), "");
      assert.ok((await stackReachable(pair, CAPTURE_ADDR)).reached, "the stack answers");

      // clsact (no tcx, forced): the filter outlives kill -9, recorded; restore removes it and
      // the clsact qdisc this capture added.
      const env = { XSKDUMP_TC: "clsact", XSKDUMP_STATE_DIR: `${dir}/state` };
      const cls = await xskdump(pair, ["-w", `${dir}/b.pcap`, "-Q", "out"], env);
      assert.match(cls.line, /outgoing at tc \(clsact\)/);
      assert.match(await tcFilters(pair, "egress"), /tap_tc_out/);
      cls.child.signal("SIGKILL");
      await cls.child.waitExit(EXIT_MS);
      assert.match(await tcFilters(pair, "egress"), /tap_tc_out/, "a clsact filter outlives it");
      assert.equal([...Deno.readDirSync(`${dir}/state`)].length, 1, "and it is recorded");
      const r = await nsExec(pair.captureNs, [bin, "restore", "-i", pair.captureIf], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /removed the clsact filter \(handle 0x5844[0-9a-f]+\) that pid \d+ left on xc0, and its empty clsact qdisc/,
      );
      assert.equal(await tcFilters(pair, "egress"), "");
      assert.equal(await hasClsact(pair), false, "the qdisc it added is gone");
      assert.deepEqual([...Deno.readDirSync(`${dir}/state`)], []);

      // A clean exit removes it on its own, and leaves a clsact qdisc that was there alone.
      await run(["tc", "-n", pair.captureNs, "qdisc", "add", "dev", pair.captureIf, "clsact"], {
        check: true,
      });
      const clean = await xskdump(pair, ["-w", `${dir}/c.pcap`], env);
      assert.match(clean.line, /incoming at XDP native, outgoing at tc \(clsact\)/);
      await finish(clean.child);
      assert.equal(await tcFilters(pair, "egress"), "");
      assert.equal(await hasClsact(pair), true, "a qdisc xskdump did not add stays");
      assert.deepEqual([...Deno.readDirSync(`${dir}/state`)], []);
      assert.ok((await stackReachable(pair, CAPTURE_ADDR)).reached, "the stack answers");
    });
    assert.deepEqual(await leftoverNamespaces(), []);
  },
});

Deno.test({
  name: "tap auto choice: an address means tap, none divert; --divert on one says what it does",
  ignore: skip !== undefined,
  async fn() {
    await withPairAndDir("xskt-tap-", async (pair, dir) => {
      const bare = await xskdump(pair, ["-w", `${dir}/a.pcap`]);
      assert.match(
        bare.line,
        /^listening on xc0, queue 0, mode native, divert \(it has no address: a capture port; captured packets do not reach the host stack\)/,
      );
      await finish(bare.child);
      // IPv6 on: the port gets an fe80:: address, which every IPv6 port has: still divert. A
      // global one makes it the host's.
      await nsExec(pair.captureNs, [
        "sysctl",
        "-q",
        "-w",
        "net.ipv6.conf.all.disable_ipv6=0",
        `net.ipv6.conf.${pair.captureIf}.disable_ipv6=0`,
      ], { check: true });
      const linkLocal = await pollUntil(async () =>
        /inet6 fe80::/.test(
          (await run(["ip", "-n", pair.captureNs, "-6", "addr", "show", "dev", pair.captureIf]))
            .stdout,
        ), EXIT_MS);
      assert.ok(linkLocal, "no fe80:: address came");
      const v6ll = await xskdump(pair, ["-w", `${dir}/ll.pcap`]);
      assert.match(v6ll.line, /, divert \(it has no address: a capture port;/);
      await finish(v6ll.child);
      await nsExec(pair.captureNs, [
        ..."ip -6 addr add 2001:db8::1/64 nodad dev".split(" "),
        pair.captureIf,
      ], { check: true });
      const v6 = await xskdump(pair, ["-w", `${dir}/v6.pcap`]);
      assert.match(v6.line, /, tap in and out \(it has an IPv6 address;/);
      await finish(v6.child);
      await nsExec(pair.captureNs, [
        ..."ip -6 addr del 2001:db8::1/64 dev".split(" "),
        pair.captureIf,
      ], { check: true });
      // A bridge port has no address of its own, yet the host's traffic crosses it: tap.
      // (The bridge lives in the capture namespace and goes with it.)
      await nsExec(pair.captureNs, [..."ip link add xbr0 type bridge".split(" ")], { check: true });
      await nsExec(pair.captureNs, ["ip", "link", "set", pair.captureIf, "master", "xbr0"], {
        check: true,
      });
      const port = await xskdump(pair, ["-w", `${dir}/br.pcap`]);
      assert.match(port.line, /, tap in and out \(it is a port of a bridge, bond or team;/);
      await finish(port.child);
      await nsExec(pair.captureNs, ["ip", "link", "set", pair.captureIf, "nomaster"], {
        check: true,
      });
      await addAddress(pair.captureNs, pair.captureIf, `${CAPTURE_ADDR}/24`);
      await addAddress(pair.senderNs, pair.senderIf, `${SENDER_ADDR}/24`);
      const used = await xskdump(pair, ["-w", `${dir}/b.pcap`]);
      assert.match(
        used.line,
        /^listening on xc0, tap in and out \(it has an IPv4 address; packets go on to the host stack\)/,
      );
      await finish(used.child);
      // --divert where the host uses it: a warning, and the packets are taken.
      const div = await xskdump(pair, ["-w", `${dir}/c.pcap`, "--divert"]);
      assert.match(
        div.child.stderrText(),
        /warning: xc0 is in use by the host \(it has an IPv4 address\): with --divert the packets captured do not reach its stack/,
      );
      assert.match(div.line, /divert \(asked for; captured packets do not reach the host stack\)/);
      const probe = await stackReachable(pair, CAPTURE_ADDR, 2);
      assert.equal(probe.reached, false, `the stack answered though divert takes its packets`);
      await finish(div.child);
      assert.ok(framesOf(`${dir}/c.pcap`).length >= 2, "divert captured what it took");
      assert.ok((await stackReachable(pair, CAPTURE_ADDR)).reached, "and gives it back after");
    });
    assert.deepEqual(await leftoverNamespaces(), []);
  },
});

/** A classic pcap of `n` UDP frames of `size` bytes, numbered in their last bytes. */
function burst(n: number, size: number): Uint8Array {
  const out = new Uint8Array(24 + n * (16 + size));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  for (let i = 0; i < n; i++) {
    const at = 24 + i * (16 + size);
    v.setUint32(at + 8, size, true);
    v.setUint32(at + 12, size, true);
    const f = out.subarray(at + 16, at + 16 + size);
    f.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00]); // broadcast-free, IPv4
    f.set([0x45, 0, (size - 14) >> 8, (size - 14) & 255, 0, 0, 0, 0, 64, 17], 14);
    v.setUint32(at + 16 + size - 4, i);
  }
  return out;
}

Deno.test({
  name: "tap ring buffer full on purpose: counted exactly, the file valid, the counters add up",
  ignore: skip !== undefined,
  async fn() {
    await withPairAndDir("xskt-tap-", async (pair, dir) => {
      const N = 4000;
      Deno.writeFileSync(`${dir}/burst.pcap`, burst(N, 1400));
      // A 1 MiB ring buffer (the smallest -B) holds some 700 of these. xskdump is stopped
      // (SIGSTOP) while they come, so it cannot drain it meanwhile: the kernel keeps copying
      // until the ring buffer is full and counts the rest.
      const { child } = await xskdump(pair, [
        "--tap",
        "-Q",
        "in",
        "-B",
        "1024",
        "-w",
        `${dir}/cap.pcap`,
        "--json",
      ]);
      child.signal("SIGSTOP");
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
        child.signal("SIGCONT");
      }
      assert.equal(sent.code, 0, sent.stderr);
      const stderr = await finish(child);
      const s = summary(stderr);
      const d = s.directions.in;
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
    });
    assert.deepEqual(await leftoverNamespaces(), []);
  },
});
