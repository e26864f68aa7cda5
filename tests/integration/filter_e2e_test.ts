// A filter end to end on a veth pair: while the corpus is replayed, xskdump (with an expression)
// captures exactly the frames `tcpdump -r corpus EXPR` selects, byte for byte and in order, and
// a tcpdump on the same interface at the same time sees exactly the rest: they were passed to
// the stack (AF_PACKET sees packets after XDP, so it sees only what XDP_PASSed).

import assert from "node:assert/strict";
import {
  firstMismatch,
  type Frame,
  framesOf,
  isRoot,
  leftoverNamespaces,
  mergedCorpus,
  type NsChild,
  replay,
  run,
  spawnInNs,
  withVethPair,
  xdpAttached,
} from "./netns.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const READY_MS = 20_000;
const EXIT_MS = 15_000;
const CASES: { expr: string; mode: "native" | "generic" }[] = [
  { expr: "udp", mode: "native" },
  { expr: "tcp port 80", mode: "generic" },
  { expr: "not arp", mode: "native" },
  { expr: "vlan and udp", mode: "generic" },
];

if (!isRoot) console.log("filter_e2e: skipped, needs root (network namespaces, veth, XDP)");

/** The frames of `file` that `expr` selects, as tcpdump -r writes them. */
async function selected(file: string, expr: string, out: string): Promise<Frame[]> {
  await run(["tcpdump", "-r", file, "-Z", "root", "-w", out, expr], { check: true });
  return framesOf(out);
}

async function exitOrStop(child: NsChild, what: string): Promise<Deno.CommandStatus> {
  try {
    return await child.waitExit(EXIT_MS);
  } catch {
    child.signal("SIGINT");
    const s = await child.waitExit(5_000);
    assert.fail(
      `${what} did not exit on its -c count; stopped it (exit ${s.code})\n` +
        child.stderrText(),
    );
  }
}

for (const { expr, mode } of CASES) {
  Deno.test({
    name: `filter_e2e: '${expr}' (${mode}): xskdump takes the matches, the stack gets the rest`,
    ignore: !isRoot,
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
          const xsk = spawnInNs(pair.captureNs, [
            bin,
            "-i",
            pair.captureIf,
            "-w",
            `${dir}/xskdump.pcap`,
            "-c",
            String(want.length),
            "--mode",
            mode,
            expr,
          ], { SSH_CONNECTION: "" });
          const tcpdump = spawnInNs(pair.captureNs, [
            "tcpdump",
            "-i",
            pair.captureIf,
            "-Q",
            "in",
            "-Z",
            "root",
            "-w",
            `${dir}/stack.pcap`,
            "-c",
            String(rest.length),
            "--immediate-mode",
            "-U",
            // 32 MiB of socket buffer: a busy CPU must not make the bystander drop.
            "-B",
            "32768",
          ]);
          try {
            const ready = new RegExp(`^listening on xc0, queue 0, mode ${mode}\\b`);
            await xsk.waitForStderrLine(ready, READY_MS);
            await tcpdump.waitForStderrLine(/listening on xc0\b/, READY_MS);
            const sent = await replay(pair, corpus.path);
            assert.equal(sent.sent, corpus.frames, sent.output);
            assert.equal(sent.failed, 0, sent.output);
            const xs = await exitOrStop(xsk, "xskdump");
            assert.equal(xs.code, 0, xsk.stderrText());
            const ts = await exitOrStop(tcpdump, "tcpdump");
            assert.equal(ts.code, 0, tcpdump.stderrText());
          } finally {
            await xsk.stop();
            await tcpdump.stop();
          }
          const captured = framesOf(`${dir}/xskdump.pcap`);
          const passed = framesOf(`${dir}/stack.pcap`);
          const m1 = firstMismatch(want, captured);
          if (m1) assert.fail(`xskdump against tcpdump -r '${expr}': ${m1}\n${xsk.stderrText()}`);
          const m2 = firstMismatch(rest, passed);
          if (m2) assert.fail(`the stack against tcpdump -r 'not (${expr})': ${m2}`);
          const stderr = xsk.stderrText();
          assert.match(stderr, new RegExp(`^${want.length} packets captured$`, "m"));
          assert.match(stderr, /^0 packets dropped by kernel/m);
          // Counters add up: what was redirected is what was captured; what the filter said no
          // to went to the stack (until xskdump stopped at its count, when the rest passed
          // with no XDP program at all).
          assert.match(stderr, new RegExp(`^${want.length} packets received by filter$`, "m"));
          const byFilter = stderr.match(/passed to the stack \((\d+) by the filter\)$/m);
          assert.ok(byFilter, stderr);
          assert.ok(Number(byFilter[1]) > 0 && Number(byFilter[1]) <= rest.length, stderr);
          assert.doesNotMatch(stderr, /ssh session excluded/);
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
