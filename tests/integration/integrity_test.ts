// The ring integrity guard on a real socket: XSKDUMP_FAULT makes the shim corrupt descriptor
// #100 exactly as the generic-receive race would; the guard must count it once, explain it
// once, keep it out of the capture, and capture every other corpus frame intact.
import assert from "node:assert/strict";
import {
  captureWhile,
  type Corpus,
  firstMismatch,
  framesOf,
  mergedCorpus,
  replay,
  rootOnly,
  startXskdump,
  type VethPair,
  withPairAndDir,
} from "../../testbed/mod.ts";

const ignore = rootOnly("integrity");

// Kinds whose descriptor is refused (its packet is lost) vs. reported after delivery.
const cases: { kind: string; mode: string; lost: boolean; descriptor: number }[] = [
  { kind: "misaligned", mode: "native", lost: true, descriptor: 100 },
  { kind: "foreign", mode: "generic", lost: true, descriptor: 100 },
  // The fake second post of frame #100's frame is descriptor #101 to the ledger.
  { kind: "duplicate", mode: "native", lost: false, descriptor: 101 },
  { kind: "overheld", mode: "generic", lost: true, descriptor: 100 },
  { kind: "clobber", mode: "native", lost: false, descriptor: 100 },
];

/** Captures the replayed corpus into dir/cap.pcap with a fault injected; the ended capture. */
function faulty(pair: VethPair, corpus: Corpus, out: string, fault: string, args: string[]) {
  const start = startXskdump(pair, ["-w", out, ...args], { env: { XSKDUMP_FAULT: fault } });
  return captureWhile(start, () => replay(pair, corpus.path));
}

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
        const args = ["-c", String(expected.length), "--mode", c.mode];
        const { cap, status } = await faulty(pair, corpus, out, c.kind, args);
        assert.equal(status.code, 0, cap.stderr());
        const said = cap.stderr().split("\n").filter((l) => l.includes("ring integrity:"));
        assert.equal(said.length, 1, cap.stderr());
        assert.match(said[0], new RegExp(`${c.kind} RX descriptor #${c.descriptor} on xc0`));
        assert.match(said[0], /Diagnosis: /);
        const s = cap.summary();
        assert.deepEqual(
          Object.entries(s.integrity).filter(([, n]) => n > 0),
          [[c.kind, 1]],
          "counted once",
        );
        assert.equal(s.captured, expected.length);
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
      const { cap, status } = await faulty(pair, corpus, out, "foreign@50", ["--strict"]);
      assert.equal(status.code, 3, cap.stderr());
      assert.match(cap.stderr(), /foreign RX descriptor #50/);
      assert.match(cap.stderr(), /stopped by --strict/);
      assert.equal(cap.summary().stop, "integrity");
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
      const args = ["-c", String(corpus.frames), "--no-guard"];
      const { cap, status } = await faulty(pair, corpus, `${dir}/cap.pcap`, "misaligned@10", args);
      assert.equal(status.code, 0, cap.stderr());
      // With the guard off nothing is checked, so nothing is reported.
      assert.doesNotMatch(cap.stderr(), /ring integrity|ring contract/);
      assert.ok(Object.values(cap.summary().integrity).every((n) => n === 0));
    });
  },
});
