// xskdump as a Wireshark capture interface, through tshark itself: a link to xskdump in the
// personal extcap folder of a HOME made for the test (tshark 4.0 reads ~/.config/wireshark/extcap;
// WIRESHARK_EXTCAP_DIR it does not), `tshark -D` lists the namespace's interfaces, and
// `tshark -i xskdump_xc0 -c N -w FILE` captures replayed frames, identical and in order, with the
// filter field, the filter option and the mode option applied; the capture ends with tshark and
// leaves no XDP program.

import assert from "node:assert/strict";
import { pcapngRecords } from "../../lib/formats/pcapng_reader.ts";
import {
  type Frame,
  type NsChild,
  nsExec,
  pollUntil,
  rootOnly,
  run,
  spawnInNs,
  type VethPair,
  withPairAndDir,
  writeFrames,
  xdpInterfaces,
  xdpModes,
  XSKDUMP,
} from "../../testbed/mod.ts";

const ignore = rootOnly("extcap", "network namespaces, veth, XDP, tshark");
/** tshark runs every extcap it finds twice or more before it captures: slow on a busy machine. */
const TSHARK_MS = 120_000;

/** A HOME whose Wireshark extcap folder holds a link to xskdump, and what tshark needs with it. */
async function extcapHome(dir: string): Promise<Record<string, string>> {
  const folder = `${dir}/home/.config/wireshark/extcap`;
  await Deno.mkdir(folder, { recursive: true });
  await Deno.symlink(XSKDUMP, `${folder}/xskdump`);
  // bin/xskdump's Deno finds its npm cache under HOME unless told where it is.
  const info = await run([
    `${new URL("../../", import.meta.url).pathname}.tools/node_modules/.bin/deno`,
    "info",
    "--json",
  ]);
  const denoDir = (JSON.parse(info.stdout) as { denoDir: string }).denoDir;
  return { HOME: `${dir}/home`, DENO_DIR: denoDir };
}

/** A UDP frame to `port`, told apart by `n` (IP id and payload). */
function udp(port: number, n: number): Frame {
  const data = new Uint8Array(64);
  data.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
  data.set([0x45, 0, 0, 50, n >> 8, n & 0xff, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  data.set([0x13, 0x88, port >> 8, port & 0xff, 0, 30, 0, 0, n >> 8, n & 0xff], 34);
  return { sec: 0, nsec: 0, caplen: 64, origLen: 64, data };
}

/**
 * 40 UDP frames to port 5000, each after one to port 5001 (the filter option drops those),
 * replayed round and round from the sender side: a capture starts somewhere in the loop.
 */
function replayLoop(pair: VethPair, dir: string): { kept: Frame[]; sender: NsChild } {
  const kept = Array.from({ length: 40 }, (_, n) => udp(5000, n));
  const frames = kept.flatMap((f, n) => [f, udp(5001, 1000 + n)]);
  writeFrames(`${dir}/frames.pcap`, frames, 1_700_000_000, 1_000_000);
  const sender = spawnInNs(pair.senderNs, [
    ...["tcpreplay", "-q", "--loop=0", "--pps", "2000", "-i", pair.senderIf],
    `${dir}/frames.pcap`,
  ]);
  return { kept, sender };
}

Deno.test({
  name: "extcap: tshark -D lists every interface of the host through the link to xskdump",
  ignore,
  async fn() {
    await withPairAndDir("xskt-extcap-", async (pair, dir) => {
      const env = await extcapHome(dir);
      const r = await nsExec(pair.captureNs, ["tshark", "-D"], { env });
      assert.equal(r.code, 0, r.stderr);
      for (const name of ["lo", pair.captureIf]) {
        assert.match(
          r.stdout,
          new RegExp(`^\\d+\\. xskdump_${name} \\(xskdump: ${name} \\(AF_XDP\\)\\)$`, "m"),
        );
      }
      const config = await nsExec(pair.captureNs, [
        XSKDUMP,
        ...["--extcap-config", "--extcap-interface", `xskdump_${pair.captureIf}`],
      ]);
      assert.equal(config.code, 0, config.stderr);
      for (const call of ["--filter", "--queue", "--mode"]) {
        assert.match(config.stdout, new RegExp(`^arg \\{number=\\d+\\}\\{call=${call}\\}`, "m"));
      }
      const bad = await nsExec(pair.captureNs, [
        ...[XSKDUMP, "--extcap-capture-filter", "udp port", "--extcap-interface", "xskdump_lo"],
      ]);
      assert.match(bad.stdout, /syntax error/, "a bad filter: why, on stdout");
      const good = await nsExec(pair.captureNs, [
        ...[XSKDUMP, "--extcap-capture-filter", "udp port 53", "--extcap-interface", "xskdump_lo"],
      ]);
      assert.deepEqual([good.code, good.stdout], [0, ""], "a good filter: nothing");
    });
  },
});

Deno.test({
  name: "extcap: tshark -i xskdump_xc0 -c N -w FILE holds the replayed frames, filtered, in order",
  ignore,
  async fn() {
    await withPairAndDir("xskt-extcap-", async (pair, dir) => {
      const env = await extcapHome(dir);
      const { kept, sender } = replayLoop(pair, dir);
      const out = `${dir}/out.pcapng`;
      const iface = `xskdump_${pair.captureIf}`;
      const tshark = spawnInNs(pair.captureNs, [
        ...["tshark", "-i", iface, "-c", String(kept.length), "-w", out, "-f", "udp"],
        ...["-o", `extcap.${iface}.filter:dst port 5000`, "-o", `extcap.${iface}.mode:generic`],
      ], { env });
      try {
        const attached = await pollUntil(
          async () => (await xdpInterfaces(pair.captureNs)).length > 0,
          TSHARK_MS,
        );
        assert.ok(attached, `no XDP program while tshark captures:\n${tshark.stderrText()}`);
        assert.deepEqual(await xdpModes(pair.captureNs, pair.captureIf), ["generic"]);
        const status = await tshark.waitExit(TSHARK_MS);
        assert.equal(status.code, 0, tshark.stderrText());
        assert.doesNotMatch(tshark.stderrText(), /Error by extcap pipe/);
      } finally {
        await tshark.stop();
        await sender.stop();
      }
      // The extcap ended with tshark: its program is gone (the link goes with the process).
      assert.ok(
        await pollUntil(async () => (await xdpInterfaces(pair.captureNs)).length === 0, 2000),
      );
      const got = [...pcapngRecords(await Deno.readFile(out))];
      assert.equal(got.length, kept.length);
      // Consecutive frames of the loop, starting wherever the capture began.
      const start = kept.findIndex((f) => f.data.join() === got[0].data.join());
      assert.ok(start >= 0, "the first frame captured is one of those replayed");
      got.forEach((r, i) => {
        assert.deepEqual(r.data, kept[(start + i) % kept.length].data, `frame ${i}`);
      });
    });
  },
});

Deno.test({
  name: "extcap: the protocol step by step as Wireshark runs it; --capture --fifo feeds tshark " +
    "until SIGTERM, and tshark reads every frame",
  ignore,
  async fn() {
    await withPairAndDir("xskt-extcap-", async (pair, dir) => {
      const iface = `xskdump_${pair.captureIf}`;
      const extcap = (args: string[]) => nsExec(pair.captureNs, [XSKDUMP, ...args]);
      // 1. What interfaces there are (Wireshark passes its version with `=`).
      const list = await extcap(["--extcap-interfaces", "--extcap-version=4.0"]);
      assert.equal(list.code, 0, list.stderr);
      const lines = list.stdout.trim().split("\n");
      assert.match(lines[0], /^extcap \{version=[^{}]+\}\{display=xskdump: AF_XDP capture\}$/);
      assert.ok(lines.includes(`interface {value=${iface}}{display=xskdump: xc0 (AF_XDP)}`));
      assert.equal(list.stderr, "");
      // 2. Its link-layer types, 3. its options.
      const dlts = await extcap(["--extcap-dlts", "--extcap-interface", iface]);
      assert.deepEqual([dlts.code, dlts.stdout], [
        0,
        "dlt {number=1}{name=EN10MB}{display=Ethernet}\n",
      ]);
      const config = await extcap(["--extcap-config", "--extcap-interface", iface]);
      assert.equal(config.code, 0, config.stderr);
      const args = config.stdout.trim().split("\n");
      assert.deepEqual(
        args.filter((l) => l.startsWith("arg ")).map((l) => l.match(/^arg \{number=(\d+)\}/)?.[1]),
        ["0", "1", "2", "3", "4"],
      );
      assert.deepEqual(
        args.filter((l) => l.startsWith("value ")).map((l) => l.match(/\{value=(\w+)\}/)?.[1]),
        ["auto", "native", "generic", "auto", "tap", "divert", "inout", "in", "out"],
      );
      const unknown = await extcap(["--extcap-dlts", "--extcap-interface", "eth0"]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /^xskdump: extcap: eth0 is not an xskdump interface\n$/);
      // 4. The capture into a fifo Wireshark made, with the capture filter field and options.
      const fifo = `${dir}/fifo`;
      await run(["mkfifo", fifo], { check: true });
      const capture = spawnInNs(pair.captureNs, [
        ...[XSKDUMP, "--capture", "--extcap-interface", iface, "--fifo", fifo],
        ...["--extcap-capture-filter", "udp", "--filter", "dst port 5000", "--mode", "generic"],
      ]);
      const tshark = spawnInNs(pair.captureNs, [
        ...["tshark", "-l", "-r", fifo, "-T", "fields", "-E", "separator=,"],
        ...["-e", "frame.interface_name", "-e", "frame.len", "-e", "udp.dstport", "-e", "ip.id"],
      ], { collectStdout: true });
      const { kept, sender } = replayLoop(pair, dir);
      const rows = () =>
        new TextDecoder().decode(tshark.stdoutBytes()).split("\n").filter((l) => l !== "");
      try {
        // Round and round until tshark has shown the 40 kept frames at least once.
        const enough = await pollUntil(() => rows().length >= kept.length, TSHARK_MS);
        assert.ok(
          enough,
          `tshark saw ${rows().length}:\n${capture.stderrText()}\n${tshark.stderrText()}`,
        );
        assert.deepEqual(await xdpModes(pair.captureNs, pair.captureIf), ["generic"]);
        // Wireshark's stop: SIGTERM to the extcap, then the end of the fifo for its reader.
        capture.signal("SIGTERM");
        const status = await capture.waitExit(TSHARK_MS);
        assert.equal(status.code, 0, capture.stderrText());
        assert.equal(capture.stderrText(), "", "nothing on stderr: Wireshark shows it as an error");
        const read = await tshark.waitExit(TSHARK_MS);
        assert.equal(read.code, 0, tshark.stderrText());
      } finally {
        await sender.stop();
        await capture.stop();
        await tshark.stop();
      }
      assert.deepEqual(await xdpInterfaces(pair.captureNs), []);
      // Every frame tshark read is one of the kept, whole, and they follow the loop's order.
      const got = rows().map((r) => r.split(","));
      assert.ok(got.length >= kept.length);
      const ids = got.map((r) => Number(r[3]));
      for (const r of got) assert.deepEqual(r.slice(0, 3), [pair.captureIf, "64", "5000"]);
      ids.forEach((id, i) => {
        if (i > 0) assert.equal(id, (ids[i - 1] + 1) % kept.length, `frame ${i + 1}: ip.id`);
      });
    });
  },
});
