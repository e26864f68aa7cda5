// The SSH session xskdump runs under is never captured: with SSH_CONNECTION naming a flow
// between the two test addresses, replayed packets of that flow (both directions) are not
// captured and reach the stack (a tcpdump on the same interface sees exactly them), while the
// other traffic between the same hosts is captured. With --capture-ssh everything is captured.
// In tap mode too (where everything reaches the stack): the session is left out of the file.

import assert from "node:assert/strict";
import { tcpFrame } from "../unit/filter_cases.ts";
import {
  firstMismatch,
  type Frame,
  framesOf,
  isRoot,
  leftoverNamespaces,
  replay,
  spawnInNs,
  type VethPair,
  withVethPair,
  xdpAttached,
} from "./netns.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const READY_MS = 20_000;
const EXIT_MS = 15_000;
const CLIENT = "10.77.0.2"; // the sender side plays the SSH client
const SERVER = "10.77.0.1"; // the capture side is the host xskdump runs on
const SSH_CONNECTION = `${CLIENT} 50022 ${SERVER} 22`;

if (!isRoot) console.log("filter_ssh: skipped, needs root (network namespaces, veth, XDP)");

/** Minimum Ethernet frame: the stack would pad shorter ones on the way out. */
function padded(f: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  if (f.length >= 60) return f;
  const out = new Uint8Array(60);
  out.set(f);
  return out;
}

/** The session's frames both ways, interleaved with other flows between the same hosts. */
function traffic(): { all: Uint8Array<ArrayBuffer>[]; session: boolean[] } {
  const all: Uint8Array<ArrayBuffer>[] = [];
  const session: boolean[] = [];
  for (let i = 0; i < 40; i++) {
    const [frame, mine] = [
      [tcpFrame(CLIENT, 50022, SERVER, 22), true],
      [tcpFrame(SERVER, 22, CLIENT, 50022), true],
      [tcpFrame(CLIENT, 50023, SERVER, 22), false], // a second SSH connection: not ours
      [tcpFrame(CLIENT, 50022, SERVER, 80), false],
      [tcpFrame(SERVER, 50022, CLIENT, 22), false], // our ports, the other way round
      [tcpFrame(CLIENT, 50022, SERVER, 22, 17), false], // UDP
    ][i % 6] as [Uint8Array<ArrayBuffer>, boolean];
    frame[frame.length - 1] = i; // tell them apart in a mismatch
    all.push(padded(frame));
    session.push(mine);
  }
  return { all, session };
}

function writePcap(path: string, frames: Uint8Array[]): void {
  const parts: Uint8Array[] = [];
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, true);
  head.setUint16(4, 2, true);
  head.setUint16(6, 4, true);
  head.setUint32(16, 262144, true);
  head.setUint32(20, 1, true);
  parts.push(new Uint8Array(head.buffer));
  frames.forEach((f, i) => {
    const rec = new DataView(new ArrayBuffer(16));
    rec.setUint32(0, 1_700_000_000 + i, true);
    rec.setUint32(8, f.length, true);
    rec.setUint32(12, f.length, true);
    parts.push(new Uint8Array(rec.buffer), f);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  Deno.writeFileSync(path, out);
}

const asFrames = (fs: Uint8Array[]): Frame[] =>
  fs.map((data) => ({ sec: 0, nsec: 0, caplen: data.length, origLen: data.length, data }));

/** tcpdump on the capture side: what reached its stack, `count` frames into `path`. */
function stackCapture(pair: VethPair, path: string, count: number) {
  return spawnInNs(pair.captureNs, [
    "tcpdump",
    "-i",
    pair.captureIf,
    "-Q",
    "in",
    "-Z",
    "root",
    "-w",
    path,
    "-c",
    String(count),
    "--immediate-mode",
    "-U",
  ]);
}

async function exitCode(child: { waitExit(ms: number): Promise<Deno.CommandStatus> }) {
  return (await child.waitExit(EXIT_MS)).code;
}

Deno.test({
  name: "filter_ssh: the SSH session's packets are not captured and reach the stack",
  ignore: !isRoot,
  async fn() {
    const { all, session } = traffic();
    const ours = all.filter((_, i) => session[i]);
    const others = all.filter((_, i) => !session[i]);
    const dir = await Deno.makeTempDir({ prefix: "xskt-ssh-" });
    let ok = false;
    try {
      writePcap(`${dir}/traffic.pcap`, all);
      await withVethPair(async (pair) => {
        // 1. Under "SSH": the session stays out, the rest (with a filter that matches all of
        //    it, and the session too) is captured.
        const xsk = spawnInNs(pair.captureNs, [
          bin,
          "-i",
          pair.captureIf,
          "-w",
          `${dir}/captured.pcap`,
          "-c",
          String(others.length),
          "tcp or udp",
        ], { SSH_CONNECTION });
        const tcpdump = stackCapture(pair, `${dir}/stack.pcap`, ours.length);
        try {
          const line = await xsk.waitForStderrLine(/^listening on xc0, queue 0, mode /, READY_MS);
          assert.match(
            line,
            new RegExp(
              `, ssh session excluded \\(${CLIENT.replaceAll(".", "\\.")}:50022 <-> ` +
                `${SERVER.replaceAll(".", "\\.")}:22\\)$`,
            ),
          );
          await tcpdump.waitForStderrLine(/listening on xc0\b/, READY_MS);
          const sent = await replay(pair, `${dir}/traffic.pcap`, 1000);
          assert.equal(sent.sent, all.length, sent.output);
          assert.equal(await exitCode(xsk), 0, xsk.stderrText());
          assert.equal(await exitCode(tcpdump), 0, tcpdump.stderrText());
        } finally {
          await xsk.stop();
          await tcpdump.stop();
        }
        const m1 = firstMismatch(asFrames(others), framesOf(`${dir}/captured.pcap`));
        if (m1) assert.fail(`captured: ${m1}\n${xsk.stderrText()}`);
        const m2 = firstMismatch(asFrames(ours), framesOf(`${dir}/stack.pcap`));
        if (m2) assert.fail(`reached the stack: ${m2}`);
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);

        // 2. --capture-ssh: everything is captured, and the startup line says nothing of SSH.
        const all2 = spawnInNs(pair.captureNs, [
          bin,
          "-i",
          pair.captureIf,
          "-w",
          `${dir}/everything.pcap`,
          "-c",
          String(all.length),
          "--capture-ssh",
        ], { SSH_CONNECTION });
        try {
          const line = await all2.waitForStderrLine(/^listening on xc0, queue 0, mode /, READY_MS);
          assert.doesNotMatch(line, /ssh/);
          await replay(pair, `${dir}/traffic.pcap`, 1000);
          assert.equal(await exitCode(all2), 0, all2.stderrText());
        } finally {
          await all2.stop();
        }
        const m3 = firstMismatch(asFrames(all), framesOf(`${dir}/everything.pcap`));
        if (m3) assert.fail(`--capture-ssh: ${m3}\n${all2.stderrText()}`);

        // 3. Tap: the same rule, on both directions' filter; the stack gets everything.
        const tap = spawnInNs(pair.captureNs, [
          bin,
          "-i",
          pair.captureIf,
          "--tap",
          "-w",
          `${dir}/tap.pcap`,
          "-c",
          String(others.length),
          "tcp or udp",
        ], { SSH_CONNECTION });
        const tapStack = stackCapture(pair, `${dir}/tap-stack.pcap`, all.length);
        try {
          const line = await tap.waitForStderrLine(/^listening on xc0, tap in and out /, READY_MS);
          assert.match(line, /, ssh session excluded \(/);
          await tapStack.waitForStderrLine(/listening on xc0\b/, READY_MS);
          await replay(pair, `${dir}/traffic.pcap`, 1000);
          assert.equal(await exitCode(tap), 0, tap.stderrText());
          assert.equal(await exitCode(tapStack), 0, tapStack.stderrText());
        } finally {
          await tap.stop();
          await tapStack.stop();
        }
        const m4 = firstMismatch(asFrames(others), framesOf(`${dir}/tap.pcap`));
        if (m4) assert.fail(`tap: ${m4}\n${tap.stderrText()}`);
        const m5 = firstMismatch(asFrames(all), framesOf(`${dir}/tap-stack.pcap`));
        if (m5) assert.fail(`tap, at the stack: ${m5}`);
        console.log(
          `  session excluded: ${others.length} captured, ${ours.length} session frames ` +
            `reached the stack; --capture-ssh: all ${all.length} captured; tap: the session ` +
            `left out, all ${all.length} at the stack`,
        );
      });
      assert.deepEqual(await leftoverNamespaces(), []);
      ok = true;
    } finally {
      if (ok) await Deno.remove(dir, { recursive: true });
      else console.log(`filter_ssh: kept the captures in ${dir}`);
    }
  },
});
