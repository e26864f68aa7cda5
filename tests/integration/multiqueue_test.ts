// --queue all on a veth with 4 RX queues: the corpus, spread over several queues by the sender's
// flow hash, is captured completely (count and bytes), and every queue's share is counted: by
// the JSON summary in native mode, by the human summary (this is the test of its words) in
// generic mode. --queue 1,3 takes only those queues; the others pass to the stack.
import assert from "node:assert/strict";
import {
  type Capture,
  captureWhile,
  frameKey,
  framesOf,
  mergedCorpus,
  replay,
  rootOnly,
  startXskdump,
  withPairAndDir,
  withVethPair,
} from "../../testbed/mod.ts";

const ignore = rootOnly("multiqueue");
const QUEUES = { rxQueues: 4, txQueues: 4 };

/**
 * Packets per queue from the human summary of a capture of `total` packets on queues 0-3 that
 * ended at its count: every line checked word for word.
 */
function humanPerQueue(cap: Capture, total: number): number[] {
  const lines = cap.stderr().trimEnd().split("\n").slice(1);
  const perQueue = lines.slice(4).map((l) => Number(/^queue \d: (\d+) /.exec(l)?.[1]));
  const packets = (k: number) => `${k} packet${k === 1 ? "" : "s"}`;
  assert.deepEqual(lines, [
    `${total} packets captured`,
    `${total} packets received by filter`,
    "0 packets dropped by kernel (rx ring full 0, no free frame 0, invalid 0)",
    "0 packets passed to the stack",
    ...perQueue.map((k, q) => `queue ${q}: ${packets(k)} captured, 0 dropped`),
  ]);
  return perQueue;
}

for (const [mode, json] of [["native", true], ["generic", false]] as const) {
  Deno.test({
    name: `multiqueue: --queue all captures every frame sent over 4 queues (${mode}; the ` +
      `${json ? "JSON" : "human"} summary counts each queue's share)`,
    ignore,
    async fn() {
      const corpus = await mergedCorpus();
      const sent = framesOf(corpus.path);
      await withPairAndDir("xskt-out-", async (pair, dir) => {
        const out = `${dir}/all.pcap`;
        const { cap, status } = await captureWhile(
          startXskdump(pair, [
            "--queue",
            "all",
            "-w",
            out,
            "-c",
            String(sent.length),
            "--mode",
            mode,
          ], {
            json,
          }),
          () => replay(pair, corpus.path),
        );
        assert.equal(status.code, 0, cap.stderr());
        assert.match(cap.readyLine, / queues 0,1,2,3, /);
        const got = framesOf(out);
        assert.equal(got.length, sent.length);
        const bytes = (fs: { data: Uint8Array }[]) => fs.reduce((n, f) => n + f.data.length, 0);
        assert.equal(bytes(got), bytes(sent));
        // Queues interleave, so compare as multisets.
        assert.deepEqual(got.map(frameKey).sort(), sent.map(frameKey).sort());
        const perQueue = json
          ? cap.summary().per_queue.map((q) => q.captured)
          : humanPerQueue(cap, sent.length);
        assert.equal(perQueue.length, 4);
        assert.equal(perQueue.reduce((a, b) => a + b, 0), sent.length);
        assert.ok(perQueue.filter((n) => n > 0).length >= 2, `one queue took all: ${perQueue}`);
        console.log(`  ${mode}: per queue ${perQueue.join(" / ")}`);
      }, QUEUES);
    },
  });
}

Deno.test({
  name: "multiqueue: --queue 1,3 takes only those queues; the others pass to the stack",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withVethPair(async (pair) => {
      const args = [
        "--queue",
        "1,3",
        "-w",
        "/dev/null",
        "--mode",
        "generic",
        "--stats-interval",
        "0.1",
      ];
      const { cap, status } = await captureWhile(startXskdump(pair, args), async (cap) => {
        await replay(pair, corpus.path);
        await cap.seen(corpus.frames);
      }, "SIGINT");
      assert.equal(status.code, 0, cap.stderr());
      assert.match(cap.readyLine, / queues 1,3, mode generic/);
      const s = cap.summary();
      assert.equal(s.seen, corpus.frames);
      assert.equal(s.received, s.captured);
      assert.equal(s.captured + s.passed, corpus.frames, JSON.stringify(s));
      assert.deepEqual(s.per_queue.map((q) => q.queue), [1, 3]);
      assert.ok(s.per_queue.every((q) => q.dropped === 0), JSON.stringify(s));
      assert.ok(s.captured > 0 && s.passed > 0, JSON.stringify(s));
    }, QUEUES);
  },
});
