// The CLI's live behaviour on a real veth pair: pcap on stdout, text lines, --duration, and
// SIGINT under full load (flushes, detaches, summarises, exit 0).
import assert from "node:assert/strict";
import { Decoder } from "../../lib/decode/decode.ts";
import { pcapRecords } from "../../lib/formats/pcap.ts";
import {
  framesOf,
  isRoot,
  mergedCorpus,
  replay,
  run,
  spawnInNs,
  withPairAndDir,
  withVethPair,
  xdpAttached,
} from "./netns.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const READY = /^listening on xc0, queue 0, mode (native|generic)/;
const READY_MS = 20_000;
const ignore = !isRoot;
if (ignore) console.log("cli_live: skipped, needs root (network namespaces, veth, XDP)");

Deno.test({
  name: "cli_live: -w - streams a pcap on stdout that holds every replayed frame",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withVethPair(async (pair) => {
      const cap = spawnInNs(
        pair.captureNs,
        [bin, "-i", pair.captureIf, "-w", "-", "-c", String(corpus.frames)],
        undefined,
        { collectStdout: true },
      );
      try {
        await cap.waitForStderrLine(READY, READY_MS);
        await replay(pair, corpus.path);
        const status = await cap.waitExit(10_000);
        assert.equal(status.code, 0, cap.stderrText());
      } finally {
        await cap.stop();
      }
      const got = [...pcapRecords(cap.stdoutBytes())].map((r) => ({
        data: r.data,
        origLen: r.origLen,
      }));
      const want = framesOf(corpus.path);
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++) {
        assert.deepEqual(got[i].data, want[i].data, `frame ${i} differs`);
      }
      assert.match(cap.stderrText(), new RegExp(`^${corpus.frames} packets captured$`, "m"));
    });
  },
});

Deno.test({
  name: "cli_live: without -w, one tcpdump-style line per packet on stdout",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const count = 200;
    const dir = await Deno.makeTempDir({ prefix: "xskt-out-" });
    try {
      // The first 200 corpus frames as their own file.
      const head = `${dir}/head.pcap`;
      const r = await run(["editcap", "-F", "pcap", "-r", corpus.path, head, `1-${count}`]);
      assert.equal(r.code, 0, r.stderr);
      await withVethPair(async (pair) => {
        const cap = spawnInNs(
          pair.captureNs,
          [bin, "-i", pair.captureIf, "-c", String(count)],
          { TZ: "UTC" },
          { collectStdout: true },
        );
        try {
          await cap.waitForStderrLine(READY, READY_MS);
          await replay(pair, head);
          assert.equal((await cap.waitExit(10_000)).code, 0, cap.stderrText());
        } finally {
          await cap.stop();
        }
        const text = new TextDecoder().decode(cap.stdoutBytes());
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
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "cli_live: --duration stops by itself, exit 0, program detached, empty pcap valid",
  ignore,
  async fn() {
    await withPairAndDir("xskt-out-", async (pair, dir) => {
      const out = `${dir}/idle.pcap`;
      const cap = spawnInNs(pair.captureNs, [
        bin,
        "-i",
        pair.captureIf,
        "-w",
        out,
        "--duration",
        "0.5",
      ]);
      try {
        await cap.waitForStderrLine(READY, READY_MS);
        assert.equal((await cap.waitExit(10_000)).code, 0, cap.stderrText());
      } finally {
        await cap.stop();
      }
      assert.match(cap.stderrText(), /^0 packets captured$/m);
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
      const cap = spawnInNs(pair.captureNs, [bin, "-i", pair.captureIf, "-w", out]);
      await cap.waitForStderrLine(READY, READY_MS);
      // Full speed, bounded: tcpreplay stops after 20 s at the latest.
      const load = spawnInNs(pair.senderNs, [
        "tcpreplay",
        "-q",
        "--topspeed",
        "--no-flow-stats",
        "--loop=0",
        "--duration=20",
        "-i",
        pair.senderIf,
        corpus.path,
      ]);
      let latencyMs = 0;
      try {
        // Wait until packets are flowing into the file, then interrupt.
        await waitForFileSize(out, 1 << 20, 15_000);
        const t0 = performance.now();
        cap.signal("SIGINT");
        const status = await cap.waitExit(5_000);
        latencyMs = performance.now() - t0;
        assert.equal(status.code, 0, cap.stderrText());
      } finally {
        load.signal("SIGKILL");
        await load.stop();
        await cap.stop();
      }
      const captured = Number(/^(\d+) packets captured$/m.exec(cap.stderrText())?.[1]);
      const frames = framesOf(out);
      assert.equal(frames.length, captured, "the summary counts what the file holds");
      // Under full load the kernel may drop (and counts it): every frame kept must be a corpus
      // frame, intact.
      const known = new Set(framesOf(corpus.path).map((f) => f.data.join(",")));
      const foreign = frames.findIndex((f) => !known.has(f.data.join(",")));
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
