// The library API (mod.ts) on a real veth pair: zero-copy batches, copied packets, leaving
// and resuming a loop, stopping by signal and duration, run() into a PcapWriter, one loop at
// a time, and `await using` detaching. Each scenario runs api_driver.ts inside the capture
// namespace with scoped permissions (the shim and one output directory).
import assert from "node:assert/strict";
import { padded, udpFrame } from "./craft.ts";
import { STAT } from "../../ffi/abi.ts";
import {
  addAddress,
  type Capture,
  captureWhile,
  firstMismatch,
  frameKey,
  framesOf,
  mergedCorpus,
  nsExec,
  replay,
  rootOnly,
  startCapture,
  type StartOptions,
  STOP_MS,
  type VethPair,
  withCapture,
  withPairAndDir,
  writePcap,
  xdpAttached,
} from "../../testbed/mod.ts";

const repo = new URL("../../", import.meta.url).pathname;
const driver = `${repo}tests/integration/api_driver.ts`;
const ignore = rootOnly("api_capture");

/** Starts the driver for one scenario inside the capture namespace; ready once it captures. */
function startDriver(
  pair: VethPair,
  outDir: string,
  scenario: string,
  args: number[] = [],
  opts: StartOptions = {},
): Promise<Capture> {
  return startCapture(pair, [
    Deno.execPath(),
    "run",
    "--quiet",
    "--no-prompt",
    `--allow-ffi=${repo}build/libxskdump.so`,
    `--allow-write=${outDir}`,
    driver,
    scenario,
    pair.captureIf,
    outDir,
    ...args.map(String),
  ], { ...opts, ready: "driver", stdout: true });
}

/** The driver's JSON summary: the last line of its stdout, once it exited 0. */
function summaryOf({ cap, status }: { cap: Capture; status: Deno.CommandStatus }) {
  assert.equal(status.code, 0, cap.stderr());
  return JSON.parse(cap.stdoutText().trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
}

/** Runs one scenario, replaying `pcap` (if any) once it captures; its summary when it ended. */
async function scenario(
  pair: VethPair,
  outDir: string,
  name: string,
  args: number[],
  pcap?: string,
  env?: Record<string, string>,
): Promise<Record<string, unknown>> {
  const during = pcap ? () => replay(pair, pcap) : undefined;
  return summaryOf(await captureWhile(startDriver(pair, outDir, name, args, { env }), during));
}

/**
 * Runs the tap scenario `name` (stopping after `count` packets) on a pair addressed 10.9.0.1
 * (capture side) and 10.9.0.2 (sender) while `traffic` runs, then `check` on its summary.
 */
function withTapSummary(
  name: string,
  count: number,
  traffic: (pair: VethPair) => Promise<void>,
  check: (s: Record<string, unknown>, pair: VethPair) => Promise<void> | void,
): Promise<void> {
  return withPairAndDir("xskt-api-", async (pair, dir) => {
    await addAddress(pair.captureNs, pair.captureIf, "10.9.0.1/24");
    await addAddress(pair.senderNs, pair.senderIf, "10.9.0.2/24");
    const s = summaryOf(
      await captureWhile(startDriver(pair, dir, name, [count]), () => traffic(pair)),
    );
    await check(s, pair);
  });
}

/** 40 small UDP frames of distinct lengths (60..255 bytes), numbered in their payload. */
function numberedFrames(count = 40): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    padded(
      udpFrame({ src: "10.9.0.2", dst: "10.9.0.1", sport: 4000, dport: 5000, payload: [i] }),
      60 + i * 5,
    ));
}

/**
 * Runs fn with a veth pair, a temp dir, and in it in.pcap: the numbered frames (and their
 * list), the traffic most scenarios replay.
 */
function withNumbered(
  fn: (pair: VethPair, dir: string, frames: Uint8Array[], pcap: string) => Promise<void>,
): Promise<void> {
  return withPairAndDir("xskt-api-", (pair, dir) => {
    const frames = numberedFrames();
    writePcap(`${dir}/in.pcap`, frames);
    return fn(pair, dir, frames, `${dir}/in.pcap`);
  });
}

Deno.test({
  name: "api: batches() yields zero-copy views of every corpus frame, identical and in order",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const s = await scenario(pair, dir, "batches", [corpus.frames], corpus.path);
      assert.equal(s.zeroCopy, true, "data(i) is a view into the UMEM at offset(i)");
      assert.equal(s.tsOk, true, "timestamps are the XDP program's, near now");
      assert.equal(s.captured, corpus.frames);
      assert.ok((s.batches as number) < corpus.frames, "several packets per batch");
      const mismatch = firstMismatch(framesOf(corpus.path), framesOf(`${dir}/out.pcap`));
      assert.equal(mismatch, undefined, mismatch);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    });
  },
});

Deno.test({
  name: 'api: queues "all" yields batches from every queue, each a view of its queue\'s UMEM',
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const s = await scenario(pair, dir, "queues", [corpus.frames], corpus.path);
      assert.deepEqual(s.queues, [0, 1, 2, 3]);
      assert.equal(s.zeroCopy, true);
      assert.equal(s.captured, corpus.frames);
      const perQueue = s.perQueue as Record<string, number>;
      assert.deepEqual(
        perQueue,
        Object.fromEntries(
          Object.entries(s.statsPerQueue as Record<string, number>).filter(([, n]) => n > 0),
        ),
        "stats count per queue what the batches carried",
      );
      assert.ok(
        Object.keys(perQueue).length >= 2,
        `one queue took all: ${JSON.stringify(perQueue)}`,
      );
      // Queues interleave: compare as multisets.
      assert.deepEqual(
        framesOf(`${dir}/out.pcap`).map(frameKey).sort(),
        framesOf(corpus.path).map(frameKey).sort(),
      );
    }, { rxQueues: 4, txQueues: 4 });
  },
});

Deno.test({
  name: "api: packets() copies each packet, cut to the snaplen, with its wire length and time",
  ignore,
  async fn() {
    await withNumbered(async (pair, dir, frames, pcap) => {
      const snaplen = 100;
      const s = await scenario(pair, dir, "packets", [frames.length, snaplen], pcap);
      assert.equal(s.captured, frames.length);
      const pkts = JSON.parse(await Deno.readTextFile(`${dir}/packets.json`)) as {
        length: number;
        data: number[];
        ts: string;
        queue: number;
        own: boolean;
      }[];
      assert.equal(pkts.length, frames.length);
      let lastTs = 0n;
      pkts.forEach((p, i) => {
        assert.equal(p.length, frames[i].length, `packet ${i}: wire length`);
        assert.deepEqual(p.data, Array.from(frames[i].subarray(0, snaplen)), `packet ${i}`);
        assert.equal(p.queue, 0);
        assert.ok(p.own, `packet ${i}: data is a copy of its own`);
        assert.ok(BigInt(p.ts) >= lastTs, `packet ${i}: time goes forward`);
        lastTs = BigInt(p.ts);
      });
      const nowNs = BigInt(Date.now()) * 1_000_000n;
      assert.ok(nowNs - lastTs < 60_000_000_000n && lastTs <= nowNs + 1_000_000_000n);
    });
  },
});

Deno.test({
  name: "api: leaving a loop gives its frames back; a new loop goes on with the next packet",
  ignore,
  async fn() {
    await withNumbered(async (pair, dir, frames, pcap) => {
      const s = await scenario(pair, dir, "resume", [frames.length, 10], pcap);
      assert.ok((s.first as number) >= 10 && (s.second as number) > 0, JSON.stringify(s));
      assert.equal((s.first as number) + (s.second as number), frames.length);
      assert.equal(s.captured, frames.length);
      const got = framesOf(`${dir}/out.pcap`).map((f) => f.data);
      assert.deepEqual(got, frames, "every frame once, in order, across both loops");
    });
  },
});

Deno.test({
  name: "api: a signal ends the loop after what the ring holds, and ends the capture",
  ignore,
  async fn() {
    await withNumbered(async (pair, dir, _frames, pcap) => {
      const s = await scenario(pair, dir, "signal", [], pcap);
      assert.ok((s.first as number) >= 1, JSON.stringify(s));
      assert.equal(s.second, 0, "no packet after the stop");
      assert.equal(s.captured, s.first);
    });
  },
});

Deno.test({
  name: "api: durationMs ends an idle loop on time",
  ignore,
  async fn() {
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const s = await scenario(pair, dir, "duration", [300]);
      assert.equal(s.got, 0);
      assert.ok((s.elapsedMs as number) >= 300 && (s.elapsedMs as number) < 2000, `${s.elapsedMs}`);
    });
  },
});

Deno.test({
  name: "api: run() pushes every packet into a PcapWriter",
  ignore,
  async fn() {
    await withNumbered(async (pair, dir, frames, pcap) => {
      const s = await scenario(pair, dir, "run", [frames.length], pcap);
      assert.equal(s.reason, "count");
      assert.equal(s.captured, frames.length);
      assert.deepEqual(framesOf(`${dir}/out.pcap`).map((f) => f.data), frames);
    });
  },
});

Deno.test({
  name: "api: xsk_fill returns the socket's guard violations so far (fault on descriptor #5)",
  ignore,
  async fn() {
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const frames = numberedFrames(20);
      writePcap(`${dir}/in.pcap`, frames);
      // The fifth descriptor is made foreign: refused, counted, its packet lost.
      const s = await scenario(pair, dir, "fill", [frames.length - 1], `${dir}/in.pcap`, {
        XSKDUMP_FAULT: "foreign@5",
      });
      const fills = s.fills as number[];
      assert.equal(s.received, frames.length - 1, JSON.stringify(s));
      assert.equal(s.guardTotal, 1, JSON.stringify(s));
      // 0 until the batch that held descriptor #5, 1 from then on: never more, never back.
      assert.equal(fills[fills.length - 1], 1, JSON.stringify(s));
      assert.ok(
        fills.every((t, i) => (t === 0 || t === 1) && t >= (fills[i - 1] ?? 0)),
        JSON.stringify(s),
      );
    });
  },
});

Deno.test({
  name: "api: a socket opened to start later warms up on synthetic records, passes its queue's " +
    "packets to the stack until start(), then takes every packet",
  ignore,
  async fn() {
    await withNumbered(async (pair, dir, frames, pcap) => {
      const start = startDriver(pair, dir, "warm", [frames.length], { stdin: true });
      await withCapture(start, async (d) => {
        await replay(pair, pcap); // before start: to the stack
        await d.send("sent");
        await d.child.waitForStderrLine(/^started$/, STOP_MS);
        await replay(pair, pcap);
        const s = summaryOf({ cap: d, status: await d.exit() });
        const why = JSON.stringify(s);
        assert.equal(s.warmTaken, 64, why);
        assert.equal(s.warmRecords, true, why);
        assert.equal(s.warmFill, 0, why);
        assert.deepEqual(s.warmEmpty, [255, 256], why);
        assert.equal(s.warmWait, true, why);
        assert.match(String(s.startWhileWarm), /warming up/, why);
        assert.equal(s.beforeStart, 0, why);
        const counts = s.countsBeforeStart as { redirected: number; passed: number };
        assert.equal(counts.redirected, 0, why);
        assert.ok(counts.passed >= frames.length, why);
        assert.equal((s.statsBeforeStart as number[])[STAT.rxPackets], 0, why);
        assert.match(String(s.warmAfterStart), /has started/, why);
        assert.equal(s.received, frames.length, why);
        assert.deepEqual(framesOf(`${dir}/out.pcap`).map((f) => f.data), frames);
      });
    });
  },
});

Deno.test({
  name: "api: a tap not started yet warms up: synthetic batches, two dry ones in 256, an " +
    "idle poll answered at once, then the empty ring",
  ignore,
  async fn() {
    await withTapSummary("tap-warm", 1, () => Promise.resolve(), (s) => {
      const why = JSON.stringify(s);
      assert.deepEqual(s.tapWarmEmpty, [255, 256], why);
      assert.equal(s.tapWarmRecords, 254 * 64, why);
      assert.equal(s.tapWarmWait, true, why);
      assert.equal(s.tapColdBatch, 0, "cold, nothing started: the ring is empty");
    });
  },
});

Deno.test({
  name: "api: one loop at a time: a second one while the first runs throws",
  ignore,
  async fn() {
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const s = await scenario(pair, dir, "busy", []);
      assert.match(String(s.busyError), /already being read/);
    });
  },
});

Deno.test({
  name: "api: `await using` detaches the XDP program at the end of the scope",
  ignore,
  async fn() {
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const start = startDriver(pair, dir, "dispose", [], { stdin: true });
      await withCapture(start, async (d) => {
        // The driver holds its scope until told to leave it.
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), true);
        await d.send("leave");
        await d.child.waitForStderrLine(/^closed$/, STOP_MS);
        // The driver still runs (until told to exit): the scope's end detached the program.
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
        await d.send("exit");
        const s = summaryOf({ cap: d, status: await d.exit() });
        assert.match(String(s.mode), /^(native|generic)$/);
      });
    });
  },
});

Deno.test({
  name: 'api: path "tap" sees both directions, each packet marked, and the stack keeps them',
  ignore,
  async fn() {
    // ARP request and reply, then three echo requests (in) and replies (out).
    await withTapSummary("tap", 8, async (pair) => {
      const ping = await nsExec(pair.senderNs, ["ping", "-c", "3", "-i", "0.2", "10.9.0.1"]);
      assert.equal(ping.code, 0, `the stack did not answer through the tap:\n${ping.stdout}`);
    }, async (s, pair) => {
      assert.equal(s.path, "tap");
      assert.equal(s.pathReason, "asked for");
      assert.equal(s.direction, "inout");
      assert.equal(s.batchQueue, -1, "a tap's batches mix queues");
      assert.equal(s.zeroCopy, true, "data(i) is a view into the ring buffer");
      const pkts = s.pkts as { direction: string; length: number; data: number[] }[];
      const icmp = pkts.filter((p) => p.data[12] === 8 && p.data[13] === 0 && p.data[23] === 1);
      assert.deepEqual(
        icmp.map((p) => `${p.direction} ${p.data[34] === 8 ? "request" : "reply"}`),
        ["in request", "out reply", "in request", "out reply", "in request", "out reply"],
      );
      const stats = s.stats as { path: string; captured: number };
      assert.equal(stats.path, "tap");
      assert.equal(stats.captured, 8);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    });
  },
});

Deno.test({
  name: "api: a tap with process: {} tells each packet's process",
  ignore,
  async fn() {
    // ARP request (out) and reply (in), then one UDP datagram bash sends (out).
    await withTapSummary("tap-process", 3, async (pair) => {
      const r = await nsExec(pair.captureNs, ["bash", "-c", "echo x > /dev/udp/10.9.0.2/9"]);
      assert.equal(r.code, 0, r.stderr);
    }, (s) => {
      const pkts = s.pkts as {
        direction: string;
        data: number[];
        process?: { pid: number; comm: string; source: string };
      }[];
      const udp = pkts.filter((p) => p.data[12] === 8 && p.data[13] === 0 && p.data[23] === 17);
      assert.equal(udp.length, 1);
      assert.equal(udp[0].direction, "out");
      assert.equal(udp[0].process?.comm, "bash");
      assert.equal(udp[0].process?.source, "hook");
      const arp = pkts.filter((p) => p.data[12] === 8 && p.data[13] === 6);
      assert.deepEqual(arp.map((p) => p.process), [undefined, undefined], "ARP has no process");
      const p = s.process as { attributed: number; unattributed: number };
      assert.deepEqual([p.attributed >= 1, p.unattributed >= 2], [true, true]);
    });
  },
});
