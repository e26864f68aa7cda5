// The ring integrity guard on a real socket: XSKDUMP_FAULT makes the shim corrupt descriptor
// #100 exactly as the generic-receive race would; the guard must count it once, explain it
// once, keep it out of the capture, and capture every other corpus frame intact.
import assert from "node:assert/strict";
import {
  firstMismatch,
  framesOf,
  isRoot,
  mergedCorpus,
  replay,
  spawnInNs,
  withPairAndDir,
} from "./netns.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const READY = /^listening on xc0, queue 0, mode (native|generic)/;
const ignore = !isRoot;
if (ignore) console.log("integrity: skipped, needs root (network namespaces, veth, XDP)");

// Kinds whose descriptor is refused (its packet is lost) vs. reported after delivery.
const cases: { kind: string; mode: string; lost: boolean; descriptor: number }[] = [
  { kind: "misaligned", mode: "native", lost: true, descriptor: 100 },
  { kind: "foreign", mode: "generic", lost: true, descriptor: 100 },
  // The fake second post of frame #100's frame is descriptor #101 to the ledger.
  { kind: "duplicate", mode: "native", lost: false, descriptor: 101 },
  { kind: "overheld", mode: "generic", lost: true, descriptor: 100 },
  { kind: "clobber", mode: "native", lost: false, descriptor: 100 },
];

for (const c of cases) {
  Deno.test({
    name: `integrity: ${c.kind} on descriptor #100 is counted, explained and kept out (${c.mode})`,
    ignore,
    async fn() {
      const corpus = await mergedCorpus();
      const want = framesOf(corpus.path);
      const expected = c.lost ? want.filter((_, i) => i !== 99) : want;
      await withPairAndDir("xskt-out-", async (pair, dir) => {
        const out = `${dir}/cap.pcap`;
        const cap = spawnInNs(pair.captureNs, [
          bin,
          "-i",
          pair.captureIf,
          "-w",
          out,
          "-c",
          String(expected.length),
          "--mode",
          c.mode,
        ], { XSKDUMP_FAULT: c.kind });
        try {
          await cap.waitForStderrLine(READY, 20_000);
          await replay(pair, corpus.path);
          assert.equal((await cap.waitExit(10_000)).code, 0, cap.stderrText());
        } finally {
          await cap.stop();
        }
        const err = cap.stderrText();
        const said = err.split("\n").filter((l) => l.includes("ring integrity:"));
        assert.equal(said.length, 1, err);
        assert.match(said[0], new RegExp(`${c.kind} RX descriptor #${c.descriptor} on xc0`));
        assert.match(said[0], /Diagnosis: /);
        assert.match(
          err,
          new RegExp(`^1 RX descriptor broke the ring contract \\(.*${c.kind} 1`, "m"),
        );
        assert.match(err, new RegExp(`^${expected.length} packets captured$`, "m"));
        assert.equal(firstMismatch(expected, framesOf(out)), undefined);
      });
    },
  });
}

Deno.test({
  name: "integrity: --strict stops with exit 3 on the first violation, file valid",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const want = framesOf(corpus.path);
    await withPairAndDir("xskt-out-", async (pair, dir) => {
      const out = `${dir}/cap.pcap`;
      const cap = spawnInNs(
        pair.captureNs,
        [bin, "-i", pair.captureIf, "-w", out, "--strict"],
        { XSKDUMP_FAULT: "foreign@50" },
      );
      try {
        await cap.waitForStderrLine(READY, 20_000);
        await replay(pair, corpus.path);
        assert.equal((await cap.waitExit(10_000)).code, 3, cap.stderrText());
      } finally {
        await cap.stop();
      }
      assert.match(cap.stderrText(), /foreign RX descriptor #50/);
      assert.match(cap.stderrText(), /stopped by --strict/);
      // Everything before the bad descriptor is there and intact.
      const got = framesOf(out);
      assert.ok(got.length >= 49, `only ${got.length} frames`);
      assert.equal(firstMismatch(want.slice(0, 49), got.slice(0, 49)), undefined);
    });
  },
});

Deno.test({
  name: "integrity: --no-guard checks nothing, even with a fault injected",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-out-", async (pair, dir) => {
      const out = `${dir}/cap.pcap`;
      const cap = spawnInNs(pair.captureNs, [
        bin,
        "-i",
        pair.captureIf,
        "-w",
        out,
        "-c",
        String(corpus.frames),
        "--no-guard",
      ], { XSKDUMP_FAULT: "misaligned@10" });
      try {
        await cap.waitForStderrLine(READY, 20_000);
        await replay(pair, corpus.path);
        assert.equal((await cap.waitExit(10_000)).code, 0, cap.stderrText());
      } finally {
        await cap.stop();
      }
      // With the guard off nothing is checked, so nothing is reported.
      assert.doesNotMatch(cap.stderrText(), /ring integrity|ring contract/);
    });
  },
});
