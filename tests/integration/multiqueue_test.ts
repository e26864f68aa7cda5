// --queue all on a veth with 4 RX queues: the corpus, spread over several queues by the sender's
// flow hash, is captured completely (count and bytes), and every queue's share is counted.
import assert from "node:assert/strict";
import {
  framesOf,
  isRoot,
  mergedCorpus,
  replay,
  spawnInNs,
  withPairAndDir,
  withVethPair,
} from "./netns.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const ignore = !isRoot;
if (ignore) console.log("multiqueue: skipped, needs root (network namespaces, veth, XDP)");

for (const mode of ["native", "generic"]) {
  Deno.test({
    name: `multiqueue: --queue all captures every frame sent over 4 queues (${mode})`,
    ignore,
    async fn() {
      const corpus = await mergedCorpus();
      const sent = framesOf(corpus.path);
      await withPairAndDir("xskt-out-", async (pair, dir) => {
        const out = `${dir}/all.pcap`;
        const cap = spawnInNs(pair.captureNs, [
          bin,
          "-i",
          pair.captureIf,
          "--queue",
          "all",
          "-w",
          out,
          "-c",
          String(sent.length),
          "--mode",
          mode,
        ]);
        try {
          await cap.waitForStderrLine(/^listening on xc0, queues 0,1,2,3, mode /, 20_000);
          await replay(pair, corpus.path);
          assert.equal((await cap.waitExit(10_000)).code, 0, cap.stderrText());
        } finally {
          await cap.stop();
        }
        const got = framesOf(out);
        assert.equal(got.length, sent.length);
        const bytes = (fs: { data: Uint8Array }[]) => fs.reduce((n, f) => n + f.data.length, 0);
        assert.equal(bytes(got), bytes(sent));
        // Queues interleave, so compare as multisets.
        const key = (f: { data: Uint8Array }) => f.data.join(",");
        assert.deepEqual(got.map(key).sort(), sent.map(key).sort());
        const perQueue = [...cap.stderrText().matchAll(/^queue (\d): (\d+) packets? captured/gm)]
          .map((m) => Number(m[2]));
        assert.equal(perQueue.length, 4, cap.stderrText());
        assert.equal(perQueue.reduce((a, b) => a + b, 0), sent.length);
        assert.ok(perQueue.filter((n) => n > 0).length >= 2, `one queue took all: ${perQueue}`);
        console.log(`  ${mode}: per queue ${perQueue.join(" / ")}`);
      }, { rxQueues: 4, txQueues: 4 });
    },
  });
}

Deno.test({
  name: "multiqueue: --queue 1,3 takes only those queues; the others pass to the stack",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withVethPair(async (pair) => {
      const cap = spawnInNs(pair.captureNs, [
        bin,
        "-i",
        pair.captureIf,
        "--queue",
        "1,3",
        "-w",
        "/dev/null",
        "--mode",
        "generic",
      ]);
      try {
        await cap.waitForStderrLine(/^listening on xc0, queues 1,3, mode generic/, 20_000);
        await replay(pair, corpus.path);
        cap.signal("SIGINT");
        assert.equal((await cap.waitExit(10_000)).code, 0, cap.stderrText());
      } finally {
        await cap.stop();
      }
      const err = cap.stderrText();
      const captured = Number(/^(\d+) packets? captured$/m.exec(err)?.[1]);
      const passed = Number(/^(\d+) packets? passed to the stack/m.exec(err)?.[1]);
      assert.equal(captured + passed, corpus.frames, err);
      assert.ok(captured > 0 && passed > 0, err);
      assert.match(err, /^queue 1: \d+ packets? captured/m);
      assert.match(err, /^queue 3: \d+ packets? captured/m);
    }, { rxQueues: 4, txQueues: 4 });
  },
});
