// Multi-buffer in divert mode: packets bigger than a UMEM frame come from the kernel as chains of
// descriptors (XDP_USE_SG, XDP_PKT_CONTD) and must land in the file whole, one record each.
// Jumbo frames on an MTU 9000 veth (native and generic), and the ring integrity guard on
// chains (a chain that never ends, a piece outside the UMEM).
import assert from "node:assert/strict";
import { padded, udpFrame } from "./craft.ts";
import {
  addAddress,
  asFrames,
  type Capture,
  capturesWhile,
  captureWhile,
  firstMismatch,
  firstWrongByte,
  frameKey,
  framesOf,
  mirrorForStream,
  ofStream,
  pollUntil,
  reassemble,
  replay,
  rootOnly,
  run,
  runXskdump,
  startCapture,
  startXskdump,
  STREAM_ADDR,
  streamClosed,
  streamOffloads,
  streamTransfer,
  type VethPair,
  wholeRecords,
  withPairAndDir,
  withTempDir,
  withVethPair,
  writePcap,
} from "../../testbed/mod.ts";

const ignore = rootOnly("multibuffer");

/** Frames from 60 bytes to 9014 (MTU 9000 and the Ethernet header), each its own payload. */
function jumboFrames(n: number): Uint8Array[] {
  const sizes = [60, 1514, 2100, 3900, 4200, 8000, 8100, 9014];
  return Array.from({ length: n }, (_, i) => {
    const size = sizes[i % sizes.length];
    const payload = Array.from({ length: 64 }, (_, k) => (i * 7 + k) & 255);
    const f = padded(
      udpFrame({ src: "10.9.0.2", dst: "10.9.0.1", sport: 4000 + i, dport: 9, payload }),
      size,
    );
    // Every byte of the pad differs by frame and place: a piece out of order shows.
    for (let k = 120; k < f.length; k++) f[k] = (k * 31 + i * 17) & 255;
    return f;
  });
}

/** Captures the replayed frames with xskdump in `mode`, extra args after; its file's frames. */
async function captureJumbo(
  mode: "native" | "generic",
  frames: Uint8Array[],
  args: string[],
  env: Record<string, string> = {},
  path = "--divert",
) {
  return await withTempDir("xskt-mb-", async (dir) => {
    const sent = `${dir}/sent.pcap`;
    writePcap(sent, frames);
    return await withPairAndDir("xskt-mb-", async (pair, out) => {
      const file = `${out}/cap.pcap`;
      const start = startXskdump(pair, [path, "--mode", mode, "-w", file, ...args], {
        env,
      });
      const { cap, status } = await captureWhile(start, () => replay(pair, sent, 2000));
      return { status, stderr: cap.stderr(), summary: cap.summary(), got: framesOf(file) };
    }, { mtu: 9000 });
  });
}

for (const mode of ["native", "generic"] as const) {
  Deno.test({
    name: `multibuffer: 9014-byte frames on an MTU 9000 veth, ${mode}: every one whole, identical`,
    ignore,
    async fn() {
      const frames = jumboFrames(48);
      const r = await captureJumbo(mode, frames, ["-c", String(frames.length)]);
      assert.equal(r.status.code, 0, r.stderr);
      assert.match(r.stderr, /, multi-buffer,/);
      assert.equal(r.summary.captured, frames.length);
      assert.equal(r.summary.dropped.too_big, 0);
      const sent = asFrames(frames);
      assert.equal(firstMismatch(sent, r.got), undefined);
      // Wire length and captured length agree: nothing was cut.
      assert.ok(r.got.every((f) => f.caplen === f.origLen), "whole");
    },
  });
}

Deno.test({
  name: "multibuffer: -s cuts a gathered chain at the snap length, the wire length stays",
  ignore,
  async fn() {
    const frames = jumboFrames(16);
    const r = await captureJumbo("generic", frames, ["-c", "16", "-s", "5000"]);
    assert.equal(r.status.code, 0, r.stderr);
    assert.equal(r.got.length, 16);
    for (const [i, f] of r.got.entries()) {
      assert.equal(f.origLen, frames[i].length);
      assert.equal(f.caplen, Math.min(5000, frames[i].length));
      assert.deepEqual(f.data, frames[i].subarray(0, f.caplen));
    }
  },
});

Deno.test({
  name: "multibuffer: --no-multi-buffer drops what is bigger than a frame, says so, counts it",
  ignore,
  async fn() {
    const frames = jumboFrames(16);
    const small = frames.filter((f) => f.length <= 4096 - 256);
    const r = await captureJumbo("generic", frames, [
      "-c",
      String(small.length),
      "--no-multi-buffer",
    ]);
    assert.equal(r.status.code, 0, r.stderr);
    assert.match(r.stderr, /no multi-buffer \(packets over 3840 bytes are dropped\)/);
    assert.ok(r.summary.dropped.too_big > 0, "counted as larger than a frame");
    assert.equal(firstMismatch(asFrames(small), r.got), undefined);
  },
});

// The guard on chains. 9014-byte frames in 4 KiB frames are 3 descriptors each (3840 + 3840 +
// 1334): descriptor #7 is the first piece of the third frame, #8 its middle one.
const chainCases = [
  { fault: "unterminated@7", kind: "unterminated" },
  { fault: "foreign@8", kind: "foreign" },
];
for (const c of chainCases) {
  Deno.test({
    name: `multibuffer: a chain with a fault (${c.kind}) is counted, its frames go back, ` +
      "capture goes on",
    ignore,
    async fn() {
      const frames = jumboFrames(80).map((f) => padded(f.subarray(0, 60), 9014));
      for (const [i, f] of frames.entries()) for (let k = 60; k < f.length; k++) f[k] = i;
      const r = await captureJumbo(
        "generic",
        frames,
        ["--frames", "256", "-c", "40"],
        { XSKDUMP_FAULT: c.fault },
      );
      assert.equal(r.status.code, 0, r.stderr);
      const counted = Object.entries(r.summary.integrity).filter(([, n]) => n > 0);
      assert.equal(counted.length, 1, JSON.stringify(r.summary.integrity));
      assert.equal(counted[0][0], c.kind);
      assert.match(r.stderr, new RegExp(`ring integrity: ${c.kind} RX descriptor`));
      // What was captured is whole and in order; the packets lost are the broken chain's.
      const byFirst = new Map(frames.map((f, i) => [f[100], i]));
      const idx = r.got.map((f) => byFirst.get(f.data[100]) ?? -1);
      assert.ok(idx.every((v, k) => v >= 0 && (k === 0 || v > idx[k - 1])), String(idx));
      for (const [k, f] of r.got.entries()) assert.deepEqual(f.data, frames[idx[k]]);
      assert.ok(!idx.includes(2), "the faulty packet is not in the file");
      // 256 frames and 80 packets of 3 pieces: only frames refilled exactly once keep it going.
      assert.equal(r.summary.captured, 40);
      assert.equal(r.summary.user_held, 0);
      // The broken chain is refused once, whatever its pieces were found to be.
      assert.equal(r.summary.not_kept, 0);
    },
  });
}

// A TCP bulk transfer in generic mode, through the flooding bridge of testbed/tcp_stream.ts (divert
// takes what it captures away from the stack): up to 18 descriptors of a 4 KiB frame each.
const STREAM_BYTES = 20 << 20;

/** Whether two captures hold the same packets in another order, or which one lacks what. */
function sameMultiset(a: { data: Uint8Array }[], b: { data: Uint8Array }[]): string {
  const count = (fs: { data: Uint8Array }[]) => {
    const m = new Map<string, number>();
    for (const f of fs) m.set(frameKey(f), (m.get(frameKey(f)) ?? 0) + 1);
    return m;
  };
  const [ca, cb] = [count(a), count(b)];
  const onlyA = [...ca].filter(([k, n]) => (cb.get(k) ?? 0) < n).length;
  const onlyB = [...cb].filter(([k, n]) => (ca.get(k) ?? 0) < n).length;
  return onlyA + onlyB === 0
    ? "the same packets in another order"
    : `${onlyA} packets only tcpdump has, ${onlyB} only xskdump has`;
}

/** A FIN to the stream's port is among the frames. */
function hasFin(frames: { data: Uint8Array }[]): boolean {
  return reassemble(frames, 0).fin;
}

/**
 * The 20 MB stream from the sender namespace to the receiver on xc0, captured by `start` into
 * `file` (ended with SIGINT once the client's FIN is in the file: one RX queue keeps the order,
 * so every data packet before it is there too; with tcpdump beside, once both files hold the
 * stream's last packet). Asserts every byte is in the file, whole, and
 * some packets were bigger than a 4 KiB frame; returns the capture's summary.
 */
async function bulkTransfer(
  pair: VethPair,
  file: string,
  start: Promise<Capture>,
  beside?: { start: Promise<Capture>; file: string },
) {
  const files = beside ? [file, beside.file] : [file];
  let waited = "not started";
  const [{ cap, status }, other] = await capturesWhile([
    start,
    ...(beside ? [beside.start] : []),
  ], async () => {
    await streamTransfer(pair, { bytes: STREAM_BYTES });
    // Compared with tcpdump, both files must hold the stream's very last packet before the
    // SIGINT: tcpdump leaves what is still in its ring at a SIGINT unwritten (the client's last
    // ACK goes out as the server exits; a fresh clone's CI once had it in xskdump's file only).
    // A file being written may end in a cut record: what is whole so far counts.
    const ended = beside ? streamClosed : hasFin;
    waited = await pollUntil(() => files.every((f) => ended(wholeRecords(f).frames)), 20_000, 200)
      ? ""
      : `the stream's ${beside ? "last ACK" : "client's FIN"} never reached the files`;
  }, "SIGINT");
  assert.equal(status.code, 0, cap.stderr());
  assert.equal(waited, "", `${waited}\n${cap.stderr()}`);
  const frames = framesOf(file);
  if (beside) {
    // What tcpdump saw of the stream leaving the sender is what xskdump has: the same packets,
    // the same sizes (the stream starts once both listen; IGMP and the like may come before).
    assert.equal(other.status.code, 0, other.cap.stderr());
    const seen = framesOf(beside.file).filter(ofStream);
    const kept = frames.filter(ofStream);
    const differs = firstMismatch(seen, kept);
    if (differs) {
      // What tells a kernel's drop or reorder between the two places from xskdump's own loss.
      const links = await run(["ip", "-n", pair.senderNs, "-s", "link", "show", "xs1"]);
      const peer = await run(["ip", "-n", pair.captureNs, "-s", "link", "show", "xc1"]);
      assert.fail(
        `${differs}\n${sameMultiset(seen, kept)}\ntcpdump: ${other.cap.stderr()}\n` +
          `xskdump: ${cap.stderr()}\n${links.stdout}${peer.stdout}` +
          `softnet: ${Deno.readTextFileSync("/proc/net/softnet_stat")}`,
      );
    }
  }
  assert.ok(frames.every((f) => f.caplen === f.origLen), "every packet whole");
  const got = reassemble(frames, STREAM_BYTES);
  assert.ok(got.biggest > 4096, `the largest packet is ${got.biggest} bytes: no GSO skbs came`);
  assert.equal(got.missing, -1, `stream byte ${got.missing} is not in the file`);
  assert.equal(firstWrongByte(got), -1, "a stream byte differs");
  return cap.summary();
}

Deno.test({
  name: "multibuffer: generic mode, GRO and TSO, a 20 MB TCP transfer: every byte in the file, " +
    "0 larger than a frame, the same packets tcpdump sees leaving the sender",
  ignore,
  async fn() {
    await withTempDir("xskt-mb-", async (dir) => {
      await withVethPair(async (pair) => {
        const mirrored = await mirrorForStream(pair);
        const file = `${dir}/tcp.pcap`;
        // tcpdump beside, on the copies leaving the bridge for xc1 (divert leaves it nothing to
        // see on xc1 itself).
        const byTcpdump = `${dir}/tcpdump.pcap`;
        const tcpdump = startCapture(
          { ...pair, captureNs: pair.senderNs, captureIf: "xs1" },
          [
            ...["tcpdump", "-i", "xs1", "-Q", "out", "-Z", "root", "-B", "65536"],
            ...["-w", byTcpdump, "--immediate-mode", "-U"],
          ],
          { ready: "tcpdump" },
        );
        const s = await bulkTransfer(
          pair,
          file,
          // No filter: every copy the bridge floods to xc1.
          startXskdump(mirrored, ["--divert", "--mode", "generic", "-w", file]),
          { start: tcpdump, file: byTcpdump },
        );
        assert.equal(s.dropped.too_big, 0);
        assert.equal(s.not_kept, 0);
        assert.equal(s.dropped.total, 0);
      });
    });
  },
});

// Tap mode keeps the packets flowing, so the stream runs through the captured interface itself.
// Generic mode: XDP sees the stack's skbs, the GSO ones whole (native XDP on veth sees the wire's
// frames: the 9014-byte test below is its multi-buffer case).
Deno.test({
  name: "multibuffer: tap, generic, GRO and TSO, a 20 MB TCP transfer through the captured " +
    "interface: every byte in the file",
  ignore,
  async fn() {
    await withTempDir("xskt-mb-", async (dir) => {
      await withVethPair(async (pair) => {
        await addAddress(pair.captureNs, "xc0", `${STREAM_ADDR}/24`);
        await addAddress(pair.senderNs, "xs0", "10.7.0.2/24");
        await streamOffloads(pair, ["xs0"], "xc0");
        const file = `${dir}/tcp.pcap`;
        const s = await bulkTransfer(
          pair,
          file,
          startXskdump(pair, ["--tap", "-Q", "in", "--mode", "generic", "-w", file]),
        );
        assert.equal(s.dropped.total, 0);
      });
    });
  },
});

// --no-multi-buffer reaches the tap's XDP load: veth refuses a program without frags natively at
// MTU 9000 (ERANGE), the same attach the test above makes with them; generic mode still attaches
// (the kernel linearizes instead) and says so.
Deno.test({
  name: "multibuffer: tap --no-multi-buffer loads its XDP programs without frags",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const args = ["--tap", "--no-multi-buffer", "-w", "/dev/null", "--mode"];
      const native = await runXskdump(pair, [...args, "native"], { SSH_CONNECTION: "" });
      // The kernel refused it (ERANGE): a failure of the host's, exit 1, not a usage error.
      assert.equal(native.code, 1, native.stderr);
      assert.match(
        native.stderr,
        /attach the tap XDP program to xc0: Numerical result out of range/,
      );
      const generic = await startXskdump(pair, [...args, "generic"]);
      try {
        assert.match(generic.readyLine, /incoming at XDP generic \(no multi-buffer\)/);
        assert.equal((await generic.interrupt()).code, 0, generic.stderr());
      } finally {
        await generic.stop();
      }
    }, { mtu: 9000 });
  },
});

Deno.test({
  name: "multibuffer: tap, native, 9014-byte frames on an MTU 9000 veth: every one whole",
  ignore,
  async fn() {
    const frames = jumboFrames(48);
    const r = await captureJumbo("native", frames, ["-c", String(frames.length)], {}, "--tap");
    assert.equal(r.status.code, 0, r.stderr);
    assert.equal(firstMismatch(asFrames(frames), r.got), undefined);
  },
});
