// Two xskdump processes on one interface (issue 9). The interface has one XDP program; the
// second capture joins the first one's (csrc/share.c) and captures other queues. The same
// queue stays refused, in one line that names the other process. Each process holds the
// program's BPF link, so kill -9 of either leaves the other capturing, and the program goes
// with the last one. A joined capture shares the filter: a different one is refused.
import assert from "node:assert/strict";
import { pcapCompile, pcapMatch } from "../../ffi/filter.ts";
import {
  addAddress,
  type Capture,
  firstMismatch,
  frameKey,
  framesOf,
  mergedCorpus,
  pollUntil,
  replay,
  rootOnly,
  runXskdump,
  stackReachable,
  startXskdump,
  type VethPair,
  wholeRecords,
  withCapture,
  withPairAndDir,
  withVethPair,
  xdpAttached,
  xdpModes,
  type XskdumpSummary,
} from "../../testbed/mod.ts";

const ignore = rootOnly("reliability_shared");

const QUEUES = { rxQueues: 4, txQueues: 4 };

/**
 * Starts `xskdump -i xc0 --queue QUEUES -w OUT ...`, ready once it listens, with statistics every
 * 0.1 s (so {@link Capture.seen} can tell when every packet went through its program).
 */
function start(pair: VethPair, queues: string, out: string, extra: string[] = []) {
  // --divert: captures sharing one XDP program on different queues are the divert path's (one
  // test gives the interface an address, which would mean tap).
  return startXskdump(pair, [
    "--divert",
    "--queue",
    queues,
    "-w",
    out,
    "--stats-interval",
    "0.1",
    ...extra,
  ]);
}

/** SIGINT, exit 0, and the summary. */
async function finish(cap: Capture): Promise<XskdumpSummary> {
  assert.equal((await cap.interrupt("SIGINT")).code, 0, cap.stderr());
  return cap.summary();
}

/** Packets the capture's program gave to the stack: no socket on their queue, or the filter. */
const toStack = (s: XskdumpSummary) => s.passed + s.filtered;

Deno.test({
  name: "shared: a second xskdump on the same queue fails in one line naming the first, " +
    "which keeps capturing every frame",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-shared-", async (pair, dir) => {
      const out = `${dir}/first.pcap`;
      await withCapture(start(pair, "0", out, ["-c", String(corpus.frames)]), async (first) => {
        for (const mode of ["auto", "native"]) {
          const r = await runXskdump(pair, ["--mode", mode, "-w", `${dir}/second.pcap`]);
          assert.equal(r.code, 1, r.stderr);
          assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
          assert.match(
            r.stderr,
            new RegExp(
              `^xskdump: queue 0 of xc0 is taken: another AF_XDP socket is bound to it.*` +
                `xskdump pid ${first.pid}\\b`,
            ),
          );
        }
        const sent = await replay(pair, corpus.path);
        assert.equal(sent.failed, 0, sent.output);
        assert.equal((await first.exit()).code, 0, first.stderr());
      });
      const mismatch = firstMismatch(framesOf(corpus.path), framesOf(out));
      assert.equal(mismatch, undefined, mismatch);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    });
  },
});

/** Runs fn with two captures sharing the program: queues 0,1 (the first) and 2,3 (joined). */
function withTwo<T>(
  pair: VethPair,
  [out1, out2]: string[],
  [args1, args2]: string[][],
  fn: (first: Capture, second: Capture) => Promise<T>,
): Promise<T> {
  return withCapture(
    start(pair, "0,1", out1, args1),
    (first) => withCapture(start(pair, "2,3", out2, args2), (second) => fn(first, second)),
  );
}

Deno.test({
  name: "shared: two xskdumps on different queues both capture; together every frame, " +
    "and each one's counters add up",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const want = framesOf(corpus.path);
    await withPairAndDir("xskt-shared-", async (pair, dir) => {
      const [out1, out2] = [`${dir}/q01.pcap`, `${dir}/q23.pcap`];
      const [s1, s2] = await withTwo(pair, [out1, out2], [[], []], async (first, second) => {
        assert.match(
          second.readyLine,
          new RegExp(`XDP program shared with xskdump pid ${first.pid}$`),
        );
        assert.doesNotMatch(first.readyLine, /shared/);
        const sent = await replay(pair, corpus.path);
        assert.equal(sent.failed, 0, sent.output);
        const total = () => wholeRecords(out1).frames.length + wholeRecords(out2).frames.length;
        assert.ok(await pollUntil(() => total() >= want.length, 10_000), `${total()} records`);
        const s2 = await finish(second);
        return [await finish(first), s2];
      });
      const got1 = framesOf(out1);
      const got2 = framesOf(out2);
      assert.equal(got1.length, s1.captured);
      assert.equal(got2.length, s2.captured);
      assert.ok(got1.length > 0 && got2.length > 0, `${got1.length} / ${got2.length}`);
      assert.deepEqual([...got1, ...got2].map(frameKey).sort(), want.map(frameKey).sort());
      // Each counts its own queues: every packet there was its to take (no queue was left
      // to the stack), none dropped.
      for (const s of [s1, s2]) {
        assert.equal(s.received, s.captured, JSON.stringify(s));
        assert.equal(s.dropped.total, 0);
        assert.equal(toStack(s), 0);
      }
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      console.log(`  queues 0,1: ${s1.captured} packets, queues 2,3: ${s2.captured}`);
    }, QUEUES);
  },
});

for (const killed of ["first", "second"] as const) {
  Deno.test({
    name: `shared: kill -9 of the ${killed} xskdump leaves the other capturing; ` +
      "the program goes with the last one",
    ignore,
    async fn() {
      const corpus = await mergedCorpus();
      const known = new Set(framesOf(corpus.path).map(frameKey));
      await withPairAndDir("xskt-shared-", async (pair, dir) => {
        const mode = killed === "first" ? "generic" : "native";
        const outs = [`${dir}/q01.pcap`, `${dir}/q23.pcap`];
        const out = killed === "first" ? outs[1] : outs[0];
        const args = [["--mode", mode], ["--mode", "auto"]];
        const summary = await withTwo(pair, outs, args, async (first, second) => {
          const [victim, survivor] = killed === "first" ? [first, second] : [second, first];
          assert.equal((await victim.interrupt("SIGKILL")).signal, "SIGKILL");
          assert.deepEqual(
            await xdpModes(pair.captureNs, pair.captureIf),
            [mode],
            "the survivor keeps the program attached",
          );
          const sent = await replay(pair, corpus.path);
          assert.equal(sent.failed, 0, sent.output);
          // The dead one's queues count as the survivor's now (no capture has them).
          await survivor.seen(corpus.frames);
          return await finish(survivor);
        });
        // The dead one's queues pass to the stack now; the survivor counts them there.
        const got = framesOf(out);
        assert.equal(got.length, summary.captured);
        assert.ok(got.length > 0, "the survivor captured");
        assert.equal(got.findIndex((f) => !known.has(frameKey(f))), -1);
        assert.ok(summary.passed > 0, JSON.stringify(summary));
        assert.equal(summary.captured + toStack(summary), corpus.frames, JSON.stringify(summary));
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      }, QUEUES);
    },
  });
}

Deno.test({
  name: "shared: kill -9 of the first keeps its filter in force for the capture that joined",
  ignore,
  async fn() {
    // The kernel empties a prog array when its last user reference goes: the joined capture
    // holds the stages map so the filter stage survives, and nothing is captured unfiltered.
    const corpus = await mergedCorpus();
    const udp = pcapCompile("udp", 262144);
    await withPairAndDir("xskt-shared-", async (pair, dir) => {
      const out = `${dir}/q23.pcap`;
      const outs = ["/dev/null", out];
      const summary = await withTwo(pair, outs, [["udp"], ["udp"]], async (first, second) => {
        await first.interrupt("SIGKILL");
        await replay(pair, corpus.path);
        await second.seen(corpus.frames);
        return await finish(second);
      });
      const got = framesOf(out);
      assert.ok(got.length > 0);
      const notUdp = got.findIndex((f) => pcapMatch(udp, new Uint8Array(f.data)) === 0);
      assert.equal(notUdp, -1, `frame ${notUdp} is not udp`);
      assert.ok(summary.filtered > 0, JSON.stringify(summary));
      assert.equal(summary.captured + toStack(summary), corpus.frames, JSON.stringify(summary));
    }, QUEUES);
  },
});

Deno.test({
  name: "shared: kill -9 of both leaves no XDP program and the stack reachable",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      await addAddress(pair.captureNs, pair.captureIf, "10.199.0.1/24");
      await addAddress(pair.senderNs, pair.senderIf, "10.199.0.2/24");
      await withTwo(pair, ["/dev/null", "/dev/null"], [[], []], async (first, second) => {
        for (const cap of [first, second]) {
          assert.equal((await cap.interrupt("SIGKILL")).signal, "SIGKILL");
        }
      });
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      const probe = await stackReachable(pair, "10.199.0.1");
      assert.ok(probe.reached, `xc0's stack does not answer: ${probe.outcomes}`);
    }, QUEUES);
  },
});

Deno.test({
  name: "shared: a second capture must ask for the same filter and a compatible mode",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const second = (args: string[]) => runXskdump(pair, ["-w", "/dev/null", ...args]);
      const refused = async (args: string[], re: RegExp) => {
        const r = await second(args);
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        assert.match(r.stderr, re);
      };
      await withCapture(start(pair, "0", "/dev/null", ["--mode", "generic"]), async (plain) => {
        const by = `xc0 is captured by xskdump pid ${plain.pid}`;
        await refused(["--queue", "1", "udp"], new RegExp(`^xskdump: ${by} without a filter`));
        await refused(
          ["--queue", "1", "--mode", "native"],
          new RegExp(`^xskdump: ${by} in generic mode: .*use --mode generic or auto`),
        );
        await finish(plain);
      });
      await withCapture(start(pair, "0", "/dev/null", ["udp"]), async (udp) => {
        const by = `xc0 is captured by xskdump pid ${udp.pid}`;
        await refused(["--queue", "1"], new RegExp(`^xskdump: ${by} with a filter`));
        await refused(["--queue", "1", "tcp"], new RegExp(`^xskdump: ${by} with another filter`));
        // The same filter shares.
        const same = await second(["--queue", "1", "--duration", "0.2", "udp"]);
        assert.equal(same.code, 0, same.stderr);
        assert.match(same.stderr, new RegExp(`shared with xskdump pid ${udp.pid}$`, "m"));
        await finish(udp);
      });
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    }, QUEUES);
  },
});
