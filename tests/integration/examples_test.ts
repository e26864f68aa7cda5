// The examples, run the way the README says (`deno task top-talkers`, `deno task dns-queries`)
// inside the capture namespace of a veth pair, on crafted traffic whose answer is known and on
// the whole tcpdump corpus.
import assert from "node:assert/strict";
import { arpFrame, dnsMessage, padded, udpFrame } from "./craft.ts";
import { FILTER } from "../../examples/dns_queries.ts";
import {
  captureWhile,
  framesOf,
  mergedCorpus,
  replay,
  rootOnly,
  run,
  startCapture,
  type VethPair,
  withTempDir,
  withVethPair,
  writePcap,
  xdpAttached,
} from "../../testbed/mod.ts";

const ignore = rootOnly("examples");
/** The project's deno.json, where the tasks are. */
const config = new URL("../../deno.json", import.meta.url).pathname;

/** Runs `deno task NAME ARGS` in the capture namespace, replays `pcap` once it listens. */
async function runTask(
  pair: VethPair,
  task: string,
  args: string[],
  pcap?: string,
): Promise<string[]> {
  const argv = [Deno.execPath(), "task", "--quiet", "--config", config, task];
  const { cap, status } = await captureWhile(
    startCapture(pair, [...argv, "-i", pair.captureIf, ...args], { stdout: true }),
    async () => {
      if (!pcap) return;
      const sent = await replay(pair, pcap);
      assert.equal(sent.failed, 0, sent.output);
    },
  );
  assert.equal(status.code, 0, cap.stderr());
  // `deno task` waited for the example, so its link is gone with it.
  assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
  return cap.stdoutText().trimEnd().split("\n");
}

/** Splits a table row into its whitespace-separated cells. */
function cells(line: string): string[] {
  return line.trim().split(/\s+/);
}

/** Interleaves groups of frames round-robin, as traffic from several sources arrives. */
function interleave(groups: Uint8Array[][]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; out.length < groups.reduce((n, g) => n + g.length, 0); i++) {
    for (const g of groups) if (i < g.length) out.push(g[i]);
  }
  return out;
}

function times(n: number, frame: Uint8Array): Uint8Array[] {
  return Array.from({ length: n }, () => frame);
}

Deno.test({
  name: "examples: deno task top-talkers ranks IP sources by bytes (IPv4, VLAN, IPv6, non-IP)",
  ignore,
  async fn() {
    await withTempDir("xskt-ex-", async (dir) => {
      const udp = (src: string, size: number, vlan?: number) =>
        padded(
          udpFrame({
            src,
            dst: src.includes(":") ? "2001:db8::99" : "10.0.0.99",
            sport: 1000,
            dport: 2000,
            payload: [],
            vlan,
          }),
          size,
        );
      const frames = interleave([
        times(30, udp("10.0.0.1", 100)),
        times(20, udp("10.0.0.2", 200)),
        times(7, udp("10.0.0.3", 300, 7)),
        times(5, udp("2001:db8::1", 150)),
        times(3, arpFrame()),
      ]);
      writePcap(`${dir}/talkers.pcap`, frames);
      await withVethPair(async (pair) => {
        const lines = await runTask(
          pair,
          "top-talkers",
          ["--count", String(frames.length), "--seconds", "30"],
          `${dir}/talkers.pcap`,
        );
        assert.match(lines[0], /^top talkers on xc0 over [\d.]+ s: 65 packets, 10030 bytes$/);
        assert.deepEqual(lines.slice(2).map(cells), [
          ["10.0.0.2", "20", "4000"],
          ["10.0.0.1", "30", "3000"],
          ["10.0.0.3", "7", "2100"],
          ["2001:db8::1", "5", "750"],
          ["(not", "IP)", "3", "180"],
        ]);
      });
    });
  },
});

Deno.test({
  name: "examples: top-talkers over the whole corpus counts every frame and byte",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const bytes = framesOf(corpus.path).reduce((n, f) => n + f.origLen, 0);
    await withVethPair(async (pair) => {
      const lines = await runTask(
        pair,
        "top-talkers",
        ["--count", String(corpus.frames), "--seconds", "60", "--top", "3"],
        corpus.path,
      );
      assert.match(
        lines[0],
        new RegExp(`^top talkers on xc0 over [\\d.]+ s: ${corpus.frames} packets, ${bytes} bytes$`),
      );
      assert.equal(lines.length, 2 + 3);
      const rowBytes = lines.slice(2).map((l) => Number(cells(l).at(-1)));
      assert.deepEqual(rowBytes, [...rowBytes].sort((a, b) => b - a), "most bytes first");
    });
  },
});

Deno.test({
  name: "examples: top-talkers stops after --seconds with nothing to count",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const lines = await runTask(pair, "top-talkers", ["--seconds", "0.3"]);
      assert.match(lines[0], /^top talkers on xc0 over 0\.[3-9]\d s: 0 packets, 0 bytes$/);
      assert.equal(lines.length, 2);
    });
  },
});

Deno.test({
  name: "examples: deno task dns-queries counts queries by name and type, not responses; " +
    "the kernel filter takes only UDP to port 53",
  ignore,
  async fn() {
    await withTempDir("xskt-ex-", async (dir) => {
      const dns = (src: string, payload: number[], opts: { sport?: number; vlan?: number } = {}) =>
        udpFrame({
          src,
          dst: src.includes(":") ? "2001:db8::53" : "10.0.0.53",
          sport: opts.sport ?? 3333,
          dport: 53,
          payload,
          vlan: opts.vlan,
        });
      const frames = interleave([
        times(5, dns("10.0.0.1", dnsMessage("example.com", "A"))),
        times(3, dns("2001:db8::1", dnsMessage("example.com", "AAAA"))),
        times(2, dns("10.0.0.2", dnsMessage("deno.land", "A"), { vlan: 5 })),
        // A response (QR set), even sent to port 53, is not a query.
        [dns("10.0.0.3", dnsMessage("example.com", "A", true), { sport: 53 })],
        times(
          4,
          udpFrame({ src: "10.0.0.4", dst: "10.0.0.5", sport: 53, dport: 1234, payload: [1] }),
        ),
        [arpFrame()],
      ]);
      const toPort53 = 11; // what the kernel filter lets through: the rest reaches the stack
      writePcap(`${dir}/dns.pcap`, frames);
      await withVethPair(async (pair) => {
        const lines = await runTask(
          pair,
          "dns-queries",
          ["--count", String(toPort53), "--seconds", "30"],
          `${dir}/dns.pcap`,
        );
        assert.match(
          lines[0],
          /^dns queries on xc0 over [\d.]+ s: 10 queries, 3 distinct, 11 packets captured$/,
        );
        assert.deepEqual(lines.slice(2).map(cells), [
          ["5", "A", "example.com"],
          ["3", "AAAA", "example.com"],
          ["2", "A", "deno.land"],
        ]);
      });
    });
  },
});

Deno.test({
  name: "examples: dns-queries over the whole corpus finds the queries tshark finds",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const t = await run([
      "tshark",
      "-r",
      corpus.path,
      "-Y",
      "udp.dstport == 53 && dns.flags.response == 0",
    ], { check: true });
    const expected = t.stdout.split("\n").filter((l) => l.trim()).length;
    assert.ok(expected > 0, "the corpus holds DNS queries");
    // What the kernel filter takes: libpcap's own verdict on every frame of the file.
    const td = await run(["tcpdump", "-r", corpus.path, FILTER], { check: true });
    const matching = td.stdout.split("\n").filter((l) => l.trim()).length;
    await withVethPair(async (pair) => {
      const lines = await runTask(
        pair,
        "dns-queries",
        ["--count", String(matching), "--seconds", "60"],
        corpus.path,
      );
      assert.match(
        lines[0],
        new RegExp(`: ${expected} queries, \\d+ distinct, ${matching} packets`),
      );
      const listed = lines.slice(2).reduce((n, l) => n + Number(cells(l)[0]), 0);
      assert.equal(listed, expected, "the rows add up to the total");
    });
  },
});

Deno.test({
  name: "examples: a usage error exits 2 before anything is attached",
  async fn() {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "--config", config, "top-talkers", "--seconds", "x"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 2);
    assert.match(new TextDecoder().decode(r.stderr), /^top_talkers: no interface given/m);
  },
});
