// The test bed checks itself: the integration tests and the bench are only as good as the
// probes they assert with (XDP detection, reachability, frame comparison, cleanup, children).

import assert from "node:assert/strict";
import {
  addAddress,
  attachXdp,
  detachXdp,
  firstMismatch,
  type Frame,
  framesOf,
  isRoot,
  leftoverNamespaces,
  oneActionProgram,
  run,
  spawnInNs,
  stackReachable,
  tcpProbe,
  withTempDir,
  withVethPair,
  XDP_DROP,
  xdpAttached,
  xdpModes,
} from "../../testbed/mod.ts";

if (!isRoot) console.log("testbed: namespace tests skipped, need root");

function pcapBytes(bigEndian: boolean, nanos: boolean, records: Frame[]): Uint8Array {
  const size = 24 + records.reduce((n, r) => n + 16 + r.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  const le = !bigEndian;
  v.setUint32(0, nanos ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, 262144, le);
  v.setUint32(20, 1, le);
  let at = 24;
  for (const r of records) {
    v.setUint32(at, r.sec, le);
    v.setUint32(at + 4, nanos ? r.nsec : r.nsec / 1000, le);
    v.setUint32(at + 8, r.data.length, le);
    v.setUint32(at + 12, r.origLen, le);
    out.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return out;
}

Deno.test("framesOf reads both byte orders and both precisions; firstMismatch names the frame", async () => {
  const records: Frame[] = [
    { sec: 7, nsec: 123_456_000, caplen: 3, origLen: 3, data: new Uint8Array([1, 2, 3]) },
    { sec: 8, nsec: 5_000, caplen: 2, origLen: 60, data: new Uint8Array([0xaa, 0xbb]) },
  ];
  const dir = await Deno.makeTempDir({ prefix: "xskt-unit-" });
  try {
    for (const bigEndian of [false, true]) {
      for (const nanos of [false, true]) {
        const path = `${dir}/f.pcap`;
        await Deno.writeFile(path, pcapBytes(bigEndian, nanos, records));
        const got = framesOf(path);
        assert.deepEqual(got.map((f) => ({ ...f, data: [...f.data] })), [
          ...records.map((f) => ({ ...f, data: [...f.data] })),
        ]);
        assert.equal(firstMismatch(records, got), undefined);
      }
    }
    const changed = [records[0], { ...records[1], data: new Uint8Array([0xaa, 0xbc]) }];
    assert.match(firstMismatch(records, changed) ?? "", /^frame 1 .*\n.*aabb.*\n.*aabc/);
    assert.match(
      firstMismatch(records, records.slice(0, 1)) ?? "",
      /^frame 1 .*captured: \(none\)/s,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "withVethPair: ends up with IPv6 off, namespaces gone even when the body throws",
  ignore: !isRoot,
  async fn() {
    let names: string[] = [];
    await assert.rejects(
      withVethPair(async (p) => {
        names = [p.captureNs, p.senderNs];
        for (const [ns, ifname] of [[p.captureNs, p.captureIf], [p.senderNs, p.senderIf]]) {
          const link = JSON.parse(
            (await run(["ip", "-n", ns, "-j", "link", "show", "dev", ifname], { check: true }))
              .stdout,
          )[0];
          assert.ok(link.flags.includes("UP"), `${ifname} is not up`);
          assert.equal(link.mtu, 1400);
          const sysctl = await run(
            ["ip", "netns", "exec", ns, "sysctl", "-n", `net.ipv6.conf.${ifname}.disable_ipv6`],
            { check: true },
          );
          assert.equal(sysctl.stdout.trim(), "1", `IPv6 is on for ${ifname}`);
          const ethtool = await run(["ip", "netns", "exec", ns, "ethtool", "-l", ifname], {
            check: true,
          });
          assert.match(ethtool.stdout, /Current hardware settings:\s+RX:\s+2\s+TX:\s+3/);
        }
        throw new Error("body failed");
      }, { mtu: 1400, rxQueues: 2, txQueues: 3 }),
      /body failed/,
    );
    assert.equal(names.length, 2);
    const left = await leftoverNamespaces();
    assert.deepEqual(left.filter((n) => names.includes(n)), []);
  },
});

Deno.test({
  name: "spawnInNs: ready line, timeout and early exit all settle with the stderr so far",
  ignore: !isRoot,
  async fn() {
    await withVethPair(async (p) => {
      const early = spawnInNs(p.captureNs, ["sh", "-c", "echo starting >&2; exit 3"]);
      await assert.rejects(early.waitForStderrLine(/ready/, 10_000), /exited[^]*starting/);
      assert.equal((await early.status).code, 3);

      const slow = spawnInNs(
        p.captureNs,
        [
          "sh",
          "-c",
          "echo one >&2; printf 'ready now\\n' >&2; echo out; exec sleep 30",
        ],
        { collectStdout: true },
      );
      try {
        assert.equal(await slow.waitForStderrLine(/^ready/, 10_000), "ready now");
        // A line that already went by still counts.
        assert.equal(await slow.waitForStderrLine(/^one$/, 10), "one");
        await assert.rejects(slow.waitForStderrLine(/never/, 100), /within 100 ms[^]*ready now/);
        await assert.rejects(slow.waitExit(100), /still running/);
        slow.signal("SIGTERM");
        assert.equal((await slow.waitExit(10_000)).signal, "SIGTERM");
        assert.equal(new TextDecoder().decode(slow.stdoutBytes()), "out\n");
      } finally {
        await slow.stop();
      }
    });
  },
});

const hasClang = isRoot && (await run(["sh", "-c", "command -v clang"])).code === 0;
if (isRoot && !hasClang) console.log("testbed: XDP probe test skipped, clang not found");

Deno.test({
  name: "xdpAttached and stackReachable tell an interface with XDP from a clear one",
  ignore: !hasClang,
  async fn() {
    await withTempDir("xskt-bpf-", async (dir) => {
      // It stands in for a capture that steals everything, so the probes must tell it apart
      // from a clear path.
      const drop = await oneActionProgram(dir, "drop", XDP_DROP);
      await withVethPair(async (p) => {
        await addAddress(p.captureNs, p.captureIf, "10.199.0.1/24");
        await addAddress(p.senderNs, p.senderIf, "10.199.0.2/24");
        assert.equal(await xdpAttached(p.captureNs, p.captureIf), false);
        assert.ok((await stackReachable(p, "10.199.0.1")).reached);

        for (const mode of ["generic", "native"] as const) {
          await attachXdp(p.captureNs, p.captureIf, mode, drop);
          assert.deepEqual(await xdpModes(p.captureNs, p.captureIf), [mode]);
          // A fresh neighbour entry would still need ARP, which the program drops too.
          await run(["ip", "-n", p.senderNs, "neigh", "flush", "dev", p.senderIf]);
          assert.equal(await tcpProbe(p.senderNs, "10.199.0.1", 9, 500), "timeout");
          await detachXdp(p.captureNs, p.captureIf, [mode]);
          assert.equal(await xdpAttached(p.captureNs, p.captureIf), false);
          assert.ok((await stackReachable(p, "10.199.0.1")).reached);
        }
      });
    });
  },
});
