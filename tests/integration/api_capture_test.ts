// The library API (mod.ts) on a real veth pair: zero-copy batches, copied packets, leaving
// and resuming a loop, stopping by signal and duration, run() into a PcapWriter, one loop at
// a time, and `await using` detaching. Each scenario runs api_driver.ts inside the capture
// namespace with scoped permissions (the shim and one output directory).
import assert from "node:assert/strict";
import { padded, udpFrame, writePcap } from "./craft.ts";
import {
  firstMismatch,
  framesOf,
  isRoot,
  mergedCorpus,
  type NsChild,
  replay,
  spawnInNs,
  type VethPair,
  withPairAndDir,
  xdpAttached,
} from "./netns.ts";

const repo = new URL("../../", import.meta.url).pathname;
const driver = `${repo}tests/integration/api_driver.ts`;
const READY_MS = 20_000;
const ignore = !isRoot;
if (ignore) console.log("api_capture: skipped, needs root (network namespaces, veth, XDP)");

/** Starts the driver for one scenario inside the capture namespace. */
function startDriver(
  pair: VethPair,
  outDir: string,
  scenario: string,
  args: number[] = [],
  env?: Record<string, string>,
) {
  return spawnInNs(
    pair.captureNs,
    [
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
    ],
    env,
    { collectStdout: true },
  );
}

/** Waits for the driver to finish, checks exit 0 and returns its JSON summary. */
async function summary(d: NsChild): Promise<Record<string, unknown>> {
  const status = await d.waitExit(15_000);
  assert.equal(status.code, 0, d.stderrText());
  const text = new TextDecoder().decode(d.stdoutBytes()).trim();
  return JSON.parse(text.split("\n").pop() ?? "{}");
}

/** Runs one scenario over the frames of `pcap`: ready, replay, and its JSON summary. */
async function replayThrough(
  pair: VethPair,
  outDir: string,
  pcap: string,
  scenario: string,
  args: number[],
  env?: Record<string, string>,
): Promise<Record<string, unknown>> {
  const d = startDriver(pair, outDir, scenario, args, env);
  try {
    await d.waitForStderrLine(/^ready/, READY_MS);
    await replay(pair, pcap);
    return await summary(d);
  } finally {
    await d.stop();
  }
}

/** 40 small UDP frames of distinct lengths (60..255 bytes), numbered in their payload. */
function numberedFrames(count = 40): Uint8Array[] {
  return Array.from({ length: count }, (_, i) =>
    padded(
      udpFrame({ src: "10.9.0.2", dst: "10.9.0.1", sport: 4000, dport: 5000, payload: [i] }),
      60 + i * 5,
    ));
}

Deno.test({
  name: "api: batches() yields zero-copy views of every corpus frame, identical and in order",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const d = startDriver(pair, dir, "batches", [corpus.frames]);
      try {
        await d.waitForStderrLine(/^ready/, READY_MS);
        await replay(pair, corpus.path);
        const s = await summary(d);
        assert.equal(s.zeroCopy, true, "data(i) is a view into the UMEM at offset(i)");
        assert.equal(s.tsOk, true, "timestamps are the XDP program's, near now");
        assert.equal(s.captured, corpus.frames);
        assert.ok((s.batches as number) < corpus.frames, "several packets per batch");
      } finally {
        await d.stop();
      }
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
      const s = await replayThrough(pair, dir, corpus.path, "queues", [corpus.frames]);
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
      const key = (f: { data: Uint8Array }) => f.data.join(",");
      assert.deepEqual(
        framesOf(`${dir}/out.pcap`).map(key).sort(),
        framesOf(corpus.path).map(key).sort(),
      );
    }, { rxQueues: 4, txQueues: 4 });
  },
});

Deno.test({
  name: "api: packets() copies each packet, cut to the snaplen, with its wire length and time",
  ignore,
  async fn() {
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const frames = numberedFrames();
      writePcap(`${dir}/in.pcap`, frames);
      const snaplen = 100;
      const d = startDriver(pair, dir, "packets", [frames.length, snaplen]);
      try {
        await d.waitForStderrLine(/^ready/, READY_MS);
        await replay(pair, `${dir}/in.pcap`);
        assert.equal((await summary(d)).captured, frames.length);
      } finally {
        await d.stop();
      }
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
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const frames = numberedFrames();
      writePcap(`${dir}/in.pcap`, frames);
      const s = await replayThrough(pair, dir, `${dir}/in.pcap`, "resume", [frames.length, 10]);
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
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const frames = numberedFrames();
      writePcap(`${dir}/in.pcap`, frames);
      const d = startDriver(pair, dir, "signal");
      let s;
      try {
        await d.waitForStderrLine(/^ready/, READY_MS);
        await replay(pair, `${dir}/in.pcap`);
        s = await summary(d);
      } finally {
        await d.stop();
      }
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
      const d = startDriver(pair, dir, "duration", [300]);
      let s;
      try {
        await d.waitForStderrLine(/^ready/, READY_MS);
        s = await summary(d);
      } finally {
        await d.stop();
      }
      assert.equal(s.got, 0);
      assert.ok((s.elapsedMs as number) >= 300 && (s.elapsedMs as number) < 2000, `${s.elapsedMs}`);
    });
  },
});

Deno.test({
  name: "api: run() pushes every packet into a PcapWriter",
  ignore,
  async fn() {
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const frames = numberedFrames();
      writePcap(`${dir}/in.pcap`, frames);
      const s = await replayThrough(pair, dir, `${dir}/in.pcap`, "run", [frames.length]);
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
      const s = await replayThrough(pair, dir, `${dir}/in.pcap`, "fill", [frames.length - 1], {
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
  name: "api: one loop at a time: a second one while the first runs throws",
  ignore,
  async fn() {
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const d = startDriver(pair, dir, "busy");
      let s;
      try {
        await d.waitForStderrLine(/^ready/, READY_MS);
        s = await summary(d);
      } finally {
        await d.stop();
      }
      assert.match(String(s.busyError), /already being read/);
    });
  },
});

Deno.test({
  name: "api: `await using` detaches the XDP program at the end of the scope",
  ignore,
  async fn() {
    await withPairAndDir("xskt-api-", async (pair, dir) => {
      const d = startDriver(pair, dir, "dispose");
      try {
        await d.waitForStderrLine(/^ready/, READY_MS);
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), true);
        d.signal("SIGUSR1"); // the scope ends
        await d.waitForStderrLine(/^closed$/, 10_000);
        // The driver is still running: the scope's end detached it, not the process's exit.
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
        d.signal("SIGTERM");
        await summary(d);
      } finally {
        await d.stop();
      }
    });
  },
});
