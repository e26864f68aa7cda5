// Tap mode on the host, on the real kernel, each test on its own veth pair in namespaces:
// - kill -9: no XDP program and no tcx link left (a clsact filter is, by design: restore);
// - the automatic choice: an address means tap, none divert; --divert says what it does.
// tap_test.ts has the packets a tap captures.

import assert from "node:assert/strict";
import {
  addAddress,
  bpfIdsHeldBy,
  framesOf,
  nsExec,
  pollUntil,
  run,
  stackReachable,
  startXskdump,
  type VethPair,
  xdpAttached,
  XSKDUMP,
} from "../../testbed/mod.ts";
import { CAPTURE_ADDR, EXIT_MS, SENDER_ADDR, tapTest } from "./tap_helpers.ts";

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

tapTest(
  "tap kill -9: no XDP program and no tcx link left; a clsact filter is restored",
  async (pair, dir) => {
    // tcx: the kernel removes the links with the process.
    const tcx = await startXskdump(pair, ["-w", `${dir}/a.pcap`], { json: false });
    const during = await bpfIdsHeldBy(tcx.pid, "link");
    assert.equal(during.length, 2, "an XDP link (incoming) and a tcx link (outgoing)");
    assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), true);
    tcx.child.signal("SIGKILL");
    assert.equal((await tcx.exit(EXIT_MS)).signal, "SIGKILL");
    const after = await linkIds();
    assert.deepEqual(during.filter((id) => after.includes(id)), [], "tcx link left");
    assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false, "XDP left");
    assert.equal(await tcFilters(pair, "egress"), "");
    assert.ok((await stackReachable(pair, CAPTURE_ADDR)).reached, "the stack answers");

    // clsact (no tcx, forced): the filter outlives kill -9, recorded; restore removes it and
    // the clsact qdisc this capture added.
    const env = { XSKDUMP_TC: "clsact", XSKDUMP_STATE_DIR: `${dir}/state` };
    const cls = await startXskdump(pair, ["-w", `${dir}/b.pcap`, "-Q", "out"], {
      env,
      json: false,
    });
    assert.match(cls.readyLine, /outgoing at tc \(clsact\)/);
    assert.match(await tcFilters(pair, "egress"), /tap_tc_out/);
    cls.child.signal("SIGKILL");
    await cls.exit(EXIT_MS);
    assert.match(await tcFilters(pair, "egress"), /tap_tc_out/, "a clsact filter outlives it");
    assert.equal([...Deno.readDirSync(`${dir}/state`)].length, 1, "and it is recorded");
    const r = await nsExec(pair.captureNs, [XSKDUMP, "restore", "-i", pair.captureIf], { env });
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
    const clean = await startXskdump(pair, ["-w", `${dir}/c.pcap`], { env, json: false });
    assert.match(clean.readyLine, /incoming at XDP native, outgoing at tc \(clsact\)/);
    await clean.finish(EXIT_MS);
    assert.equal(await tcFilters(pair, "egress"), "");
    assert.equal(await hasClsact(pair), true, "a qdisc xskdump did not add stays");
    assert.deepEqual([...Deno.readDirSync(`${dir}/state`)], []);
    assert.ok((await stackReachable(pair, CAPTURE_ADDR)).reached, "the stack answers");
  },
  { addresses: true },
);

tapTest(
  "tap auto choice: an address means tap, none divert; --divert on one says what it does",
  async (pair, dir) => {
    const start = (args: string[]) => startXskdump(pair, args, { json: false });
    const bare = await start(["-w", `${dir}/a.pcap`]);
    assert.match(
      bare.readyLine,
      /^listening on xc0, queue 0, mode native, divert \(it has no address: a capture port; captured packets do not reach the host stack\)/,
    );
    await bare.finish(EXIT_MS);
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
    const v6ll = await start(["-w", `${dir}/ll.pcap`]);
    assert.match(v6ll.readyLine, /, divert \(it has no address: a capture port;/);
    await v6ll.finish(EXIT_MS);
    await nsExec(pair.captureNs, [
      ..."ip -6 addr add 2001:db8::1/64 nodad dev".split(" "),
      pair.captureIf,
    ], { check: true });
    const v6 = await start(["-w", `${dir}/v6.pcap`]);
    assert.match(v6.readyLine, /, tap in and out \(it has an IPv6 address;/);
    await v6.finish(EXIT_MS);
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
    const port = await start(["-w", `${dir}/br.pcap`]);
    assert.match(port.readyLine, /, tap in and out \(it is a port of a bridge, bond or team;/);
    await port.finish(EXIT_MS);
    await nsExec(pair.captureNs, ["ip", "link", "set", pair.captureIf, "nomaster"], {
      check: true,
    });
    await addAddress(pair.captureNs, pair.captureIf, `${CAPTURE_ADDR}/24`);
    await addAddress(pair.senderNs, pair.senderIf, `${SENDER_ADDR}/24`);
    const used = await start(["-w", `${dir}/b.pcap`]);
    assert.match(
      used.readyLine,
      /^listening on xc0, tap in and out \(it has an IPv4 address; packets go on to the host stack\)/,
    );
    await used.finish(EXIT_MS);
    // --divert where the host uses it: a warning, and the packets are taken.
    const div = await start(["-w", `${dir}/c.pcap`, "--divert"]);
    assert.match(
      div.stderr(),
      /warning: xc0 is in use by the host \(it has an IPv4 address\): with --divert the packets captured do not reach its stack/,
    );
    assert.match(
      div.readyLine,
      /divert \(asked for; captured packets do not reach the host stack\)/,
    );
    const probe = await stackReachable(pair, CAPTURE_ADDR, 2);
    assert.equal(probe.reached, false, `the stack answered though divert takes its packets`);
    await div.finish(EXIT_MS);
    assert.ok(framesOf(`${dir}/c.pcap`).length >= 2, "divert captured what it took");
    assert.ok((await stackReachable(pair, CAPTURE_ADDR)).reached, "and gives it back after");
  },
);
