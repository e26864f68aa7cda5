// The CLI's live behaviour on a real veth pair: pcap on stdout, text lines, --duration, and
// SIGINT under full load (flushes, detaches, summarises, exit 0).
import assert from "node:assert/strict";
import { Decoder } from "../../lib/decode/decode.ts";
import {
  captureWhile,
  firstMismatch,
  flood,
  frameKey,
  framesOf,
  mergedCorpus,
  replay,
  rootOnly,
  run,
  startXskdump,
  wholeRecords,
  withCapture,
  withPairAndDir,
  withVethPair,
  xdpAttached,
} from "../../testbed/mod.ts";

const ignore = rootOnly("cli_live");

Deno.test({
  name: "cli_live: -w - streams a pcap on stdout that holds every replayed frame",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withVethPair(async (pair) => {
      const { cap, status } = await captureWhile(
        startXskdump(pair, ["-w", "-", "-c", String(corpus.frames)], { stdout: true }),
        () => replay(pair, corpus.path),
      );
      assert.equal(status.code, 0, cap.stderr());
      const { frames, tail } = wholeRecords(cap.stdout());
      assert.equal(tail, undefined, "the stream ends on a whole record");
      const mismatch = firstMismatch(framesOf(corpus.path), frames);
      assert.equal(mismatch, undefined, mismatch);
      assert.equal(cap.summary().captured, corpus.frames);
    });
  },
});

Deno.test({
  name: "cli_live: without -w, one tcpdump-style line per packet on stdout",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const count = 200;
    await withPairAndDir("xskt-out-", async (pair, dir) => {
      // The first 200 corpus frames as their own file.
      const head = `${dir}/head.pcap`;
      await run(["editcap", "-F", "pcap", "-r", corpus.path, head, `1-${count}`], { check: true });
      const { cap, status } = await captureWhile(
        startXskdump(pair, ["-c", String(count)], { env: { TZ: "UTC" }, stdout: true }),
        () => replay(pair, head),
      );
      assert.equal(status.code, 0, cap.stderr());
      const text = cap.stdoutText();
      assert.ok(text.endsWith("\n"), "output ends with a newline");
      // A packet's text starts with its timestamp; hex dumps of what is not decoded follow it.
      const packets = text.slice(0, -1).split(/\n(?=\d\d:\d\d:\d\d\.\d{6} )/);
      const frames = framesOf(head);
      assert.equal(packets.length, count);
      // One decoder for the capture, as the CLI has (relative TCP numbers need it).
      const decoder = new Decoder();
      for (let i = 0; i < count; i++) {
        const m = /^\d\d:\d\d:\d\d\.\d{6} ([\s\S]*)$/.exec(packets[i]);
        assert.ok(m, `packet ${i} has no microsecond timestamp: ${packets[i]}`);
        assert.equal(m[1], decoder.describe(frames[i].data, frames[i].origLen), `packet ${i}`);
      }
    });
  },
});

Deno.test({
  name: "cli_live: --duration stops by itself, exit 0, program detached, empty pcap valid",
  ignore,
  async fn() {
    await withPairAndDir("xskt-out-", async (pair, dir) => {
      const out = `${dir}/idle.pcap`;
      const { cap, status } = await captureWhile(
        startXskdump(pair, ["-w", out, "--duration", "0.5"]),
      );
      assert.equal(status.code, 0, cap.stderr());
      assert.equal(cap.summary().captured, 0);
      assert.equal(cap.summary().stop, "duration");
      assert.deepEqual(framesOf(out), []);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    });
  },
});

Deno.test({
  name: "cli_live: SIGINT under full load flushes a valid pcap, detaches and exits 0",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-out-", async (pair, dir) => {
      const out = `${dir}/load.pcap`;
      let latencyMs = 0;
      const cap = await withCapture(startXskdump(pair, ["-w", out]), async (cap) => {
        // Full speed, bounded: tcpreplay stops after 20 s at the latest.
        const load = flood(pair, corpus.path, 20);
        try {
          // Wait until packets are flowing into the file, then interrupt.
          await waitForFileSize(out, 1 << 20, 15_000);
          const t0 = performance.now();
          const status = await cap.interrupt("SIGINT", 5_000);
          latencyMs = performance.now() - t0;
          assert.equal(status.code, 0, cap.stderr());
        } finally {
          await load.stop();
        }
        return cap;
      });
      const { captured, stop } = cap.summary();
      assert.equal(stop, "signal");
      const frames = framesOf(out);
      assert.equal(frames.length, captured, "the summary counts what the file holds");
      // Under full load the kernel may drop (and counts it): every frame kept must be a corpus
      // frame, intact.
      const known = new Set(framesOf(corpus.path).map(frameKey));
      const foreign = frames.findIndex((f) => !known.has(frameKey(f)));
      assert.equal(foreign, -1, `frame ${foreign} is not a corpus frame`);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      console.log(`  SIGINT to exit under load: ${latencyMs.toFixed(0)} ms, ${captured} packets`);
    });
  },
});

async function waitForFileSize(path: string, size: number, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const st = await Deno.stat(path).catch(() => undefined);
    if (st && st.size >= size) return;
    await new Promise((r) => setTimeout(r, 20)); // polling a file that grows, not a sync stand-in
  }
  throw new Error(`${path} did not reach ${size} bytes in ${timeoutMs} ms`);
}
