// A filter end to end on a veth pair: while the corpus is replayed, xskdump (with an expression)
// captures exactly the frames `tcpdump -r corpus EXPR` selects, byte for byte and in order, and
// a tcpdump on the same interface at the same time sees exactly the rest: they were passed to
// the stack (AF_PACKET sees packets after XDP, so it sees only what XDP_PASSed).

import assert from "node:assert/strict";
import {
  capturesWhile,
  firstMismatch,
  type Frame,
  framesOf,
  leftoverNamespaces,
  mergedCorpus,
  replay,
  rootOnly,
  run,
  startTcpdump,
  startXskdump,
  tcpdumpRingFor,
  withVethPair,
  xdpAttached,
} from "../../testbed/mod.ts";

const CASES: { expr: string; mode: "native" | "generic" }[] = [
  { expr: "udp", mode: "native" },
  { expr: "tcp port 80", mode: "generic" },
  { expr: "not arp", mode: "native" },
  { expr: "vlan and udp", mode: "generic" },
];

const ignore = rootOnly("filter_e2e");

/** The frames of `file` that `expr` selects, as tcpdump -r writes them. */
async function selected(file: string, expr: string, out: string): Promise<Frame[]> {
  await run(["tcpdump", "-r", file, "-Z", "root", "-w", out, expr], { check: true });
  return framesOf(out);
}

for (const { expr, mode } of CASES) {
  Deno.test({
    name: `filter_e2e: '${expr}' (${mode}): xskdump takes the matches, the stack gets the rest`,
    ignore,
    async fn() {
      const corpus = await mergedCorpus();
      const dir = await Deno.makeTempDir({ prefix: "xskt-filter-" });
      let ok = false;
      try {
        const want = await selected(corpus.path, expr, `${dir}/want.pcap`);
        const rest = await selected(corpus.path, `not (${expr})`, `${dir}/rest.pcap`);
        assert.equal(want.length + rest.length, corpus.frames);
        assert.ok(want.length > 0 && rest.length > 0, `'${expr}' splits the corpus`);
        await withVethPair(async (pair) => {
          const xskArgs = ["-w", `${dir}/xskdump.pcap`, "-c", `${want.length}`, "--mode", mode];
          const [{ cap: xsk, status: xs }, { cap: tcpdump, status: ts }] = await capturesWhile(
            [
              startXskdump(pair, [...xskArgs, expr]),
              // A ring that holds every frame of the rest: a busy CPU that keeps the bystander
              // waiting for the whole replay must not make it drop (tcpdumpRingFor says why).
              startTcpdump(
                pair,
                `${dir}/stack.pcap`,
                rest.length,
                tcpdumpRingFor(rest.length, corpus.maxFrameLen),
              ),
            ],
            async () => {
              const sent = await replay(pair, corpus.path);
              assert.equal(sent.sent, corpus.frames, sent.output);
              assert.equal(sent.failed, 0, sent.output);
            },
          );
          assert.equal(xs.code, 0, xsk.stderr());
          assert.equal(ts.code, 0, tcpdump.stderr());
          const captured = framesOf(`${dir}/xskdump.pcap`);
          const passed = framesOf(`${dir}/stack.pcap`);
          const m1 = firstMismatch(want, captured);
          if (m1) assert.fail(`xskdump against tcpdump -r '${expr}': ${m1}\n${xsk.stderr()}`);
          const m2 = firstMismatch(rest, passed);
          if (m2) assert.fail(`the stack against tcpdump -r 'not (${expr})': ${m2}`);
          const s = xsk.summary();
          assert.equal(s.captured, want.length);
          assert.equal(s.dropped.total, 0);
          // Counters add up: what was redirected is what was captured; what the filter said no
          // to went to the stack (until xskdump stopped at its count, when the rest passed
          // with no XDP program at all).
          assert.equal(s.received, want.length);
          assert.ok(s.filtered > 0 && s.filtered <= rest.length, JSON.stringify(s));
          assert.doesNotMatch(xsk.readyLine, /ssh session excluded/);
          assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
          console.log(
            `  '${expr}' (${mode}): ${captured.length} captured = tcpdump -r, ` +
              `${passed.length} reached the stack = the rest, of ${corpus.frames}`,
          );
        }, { mtu: Math.max(1500, corpus.maxFrameLen - 14) });
        assert.deepEqual(await leftoverNamespaces(), []);
        ok = true;
      } finally {
        if (ok) await Deno.remove(dir, { recursive: true });
        else console.log(`filter_e2e '${expr}': kept the captures in ${dir}`);
      }
    },
  });
}
