// The capture bar from DESIGN.md: replay the whole tcpdump corpus onto a veth pair and get
// every frame back, byte for byte and in order, in native and in generic mode, with no XDP
// program left behind.

import assert from "node:assert/strict";
import {
  capturerKind,
  firstMismatch,
  type Frame,
  framesOf,
  leftoverNamespaces,
  mergedCorpus,
  type Mode,
  replay,
  rootOnly,
  startCapturer,
  withCapture,
  withVethPair,
  xdpAttached,
  xdpModes,
} from "../../testbed/mod.ts";

const MODES: Mode[] = ["native", "generic"];
// After tcpreplay returns, every frame is already in flight: this only bounds a stuck capturer.
const DRAIN_MS = 10_000;

const ignore = rootOnly("capture_corpus");

function framesOrNote(path: string): Frame[] | string {
  try {
    return framesOf(path);
  } catch (err) {
    return `unreadable capture: ${(err as Error).message}`;
  }
}

for (const mode of MODES) {
  Deno.test({
    name:
      `capture_corpus: every corpus frame arrives identical and in order (${mode}, ${capturerKind})`,
    ignore,
    async fn() {
      const corpus = await mergedCorpus();
      const expected = framesOf(corpus.path);
      // Ethernet header on top of the MTU; the default corpus needs no more than the default.
      const mtu = Math.max(1500, corpus.maxFrameLen - 14);
      const outDir = await Deno.makeTempDir({ prefix: "xskt-out-" });
      const outPath = `${outDir}/capture.pcap`;
      let passed = false;
      try {
        await withVethPair(async (pair) => {
          let stopNote = "";
          let replaySeconds = 0;
          const start = startCapturer(pair, mode, outPath, corpus.frames);
          const [cap, status] = await withCapture(start, async (cap) => {
            if (capturerKind === "xskdump") {
              const modes = await xdpModes(pair.captureNs, pair.captureIf);
              assert.ok(modes.includes(mode), `asked for ${mode}, xc0 has XDP ${modes}`);
            }
            const sent = await replay(pair, corpus.path);
            assert.equal(sent.failed, 0, `tcpreplay failed to send some frames:\n${sent.output}`);
            assert.equal(
              sent.sent,
              corpus.frames,
              `tcpreplay sent a different count:\n${sent.output}`,
            );
            replaySeconds = sent.seconds;
            // -c COUNT makes the capturer exit on its own once it has everything. If it does
            // not, stop it cleanly so the comparison below names the first missing frame.
            try {
              return [cap, await cap.exit(DRAIN_MS)] as const;
            } catch {
              stopNote = `did not exit on -c ${corpus.frames} within ${DRAIN_MS} ms; sent SIGINT\n`;
              return [cap, await cap.interrupt("SIGINT")] as const;
            }
          });
          const captured = framesOrNote(outPath);
          if (typeof captured === "string") {
            assert.fail(`${stopNote}${captured}\n${cap.stderr()}`);
          }
          const mismatch = firstMismatch(expected, captured);
          if (mismatch) assert.fail(`${stopNote}${mismatch}\nstderr:\n${cap.stderr()}`);
          assert.equal(stopNote, "", stopNote);
          console.log(
            `  ${mode}: ${captured.length} of ${corpus.frames} frames identical and in order ` +
              `(${corpus.files} files, max ${corpus.maxFrameLen} bytes, MTU ${mtu}, ` +
              `replayed in ${replaySeconds} s)`,
          );
          assert.equal(status.code, 0, `capturer exited ${status.code}:\n${cap.stderr()}`);
          assert.equal(
            await xdpAttached(pair.captureNs, pair.captureIf),
            false,
            "an XDP program is still attached to xc0 after the capturer exited",
          );
        }, { mtu });
        assert.deepEqual(await leftoverNamespaces(), [], "test namespaces left behind");
        passed = true;
      } finally {
        if (passed) await Deno.remove(outDir, { recursive: true });
        else console.log(`capture_corpus (${mode}): kept the capture in ${outDir}`);
      }
    },
  });
}
