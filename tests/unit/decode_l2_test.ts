/**
 * The link-layer family of the decoder against tcpdump 4.99, strictly: hand-built frames of
 * every protocol (decode_l2_frames.ts) and every cut of them print exactly tcpdump's text at
 * default verbosity, -v, -vv and -e; mutated frames never throw and never hang.
 */
import assert from "node:assert/strict";
import { Decoder } from "../../lib/decode/decode.ts";
import { haveTcpdump499 } from "./tcpdump_run.ts";
import { differences, explain, type Frame, hexDumpDifferences } from "./tcpdump_frames.ts";
import * as l2 from "./decode_l2_frames.ts";
import * as l2eth from "./decode_l2_frames_eth.ts";
import { prng } from "./helpers.ts";

const TCPDUMP = haveTcpdump499();
if (!TCPDUMP) console.log("decode_l2_test: tcpdump 4.99 not found; differential tests skipped");

/**
 * The frames of each protocol, and whether to compare at -vv too (not where IPv4 rides along:
 * its -vv checksums belong to the IP family).
 */
const FAMILIES: Record<string, { frames: Frame[]; vv: boolean }> = {
  "LLC/SNAP": { frames: l2.LLC_FRAMES, vv: false },
  "STP": { frames: l2.STP_FRAMES, vv: true },
  "IS-IS": { frames: l2.ISIS_FRAMES, vv: true },
  "CDP/DTP/VTP/UDLD": { frames: l2.CISCO_FRAMES, vv: true },
  "LLDP": { frames: l2eth.LLDP_FRAMES, vv: true },
  "LACP/marker/OAM": { frames: l2eth.SLOW_FRAMES, vv: true },
  "802.1X/EAPOL": { frames: l2eth.EAPOL_FRAMES, vv: true },
  "MACsec": { frames: l2eth.MACSEC_FRAMES, vv: false },
  "PTP": { frames: l2eth.PTP_FRAMES, vv: false },
  "IPX": { frames: l2eth.IPX_FRAMES, vv: true },
  "PPPoE/PPP": { frames: l2eth.PPP_FRAMES, vv: false },
  "MPLS": { frames: l2eth.MPLS_FRAMES, vv: false },
  "Loopback/CFM/AoE/DECnet/GeoNet": { frames: l2eth.OTHER_FRAMES, vv: true },
};

/** Every cut of each frame from just past the Ethernet header on, the wire length kept. */
function cuts(frames: Frame[]): Frame[] {
  const out: Frame[] = [];
  for (const f of frames) {
    const wire = Math.max(f.origLen ?? 0, f.data.length);
    for (let n = 14; n < f.data.length; n++) {
      out.push({ data: f.data.subarray(0, n), origLen: wire });
    }
  }
  return out;
}

for (const [family, { frames, vv }] of Object.entries(FAMILIES)) {
  Deno.test({
    name: `${family}: crafted frames print exactly as tcpdump (default, -v, ${
      vv ? "-vv, " : ""
    }-e)`,
    ignore: !TCPDUMP,
    fn() {
      const diffs = differences(frames, [[], ["-v"], ["-e"], ...(vv ? [["-vv"]] : [])]);
      assert.equal(diffs.length, 0, explain(diffs));
    },
  });
  Deno.test({
    name: `${family}: every cut of the crafted frames prints exactly as tcpdump`,
    ignore: !TCPDUMP,
    fn() {
      const diffs = differences(cuts(frames), [[], ["-v"], ["-e"]]);
      assert.equal(diffs.length, 0, explain(diffs));
    },
  });
}

Deno.test({
  name: "link-layer printers: -x and -X print exactly tcpdump's dumps after the crafted frames",
  ignore: !TCPDUMP,
  fn() {
    const all = Object.values(FAMILIES).flatMap((f) => f.frames);
    for (const ascii of [false, true]) {
      const diffs = hexDumpDifferences(all, ascii);
      assert.equal(diffs.length, 0, explain(diffs));
    }
  },
});

Deno.test({
  name: "link-layer printers: -x after every cut of the crafted frames (>= 99.5% as tcpdump)",
  ignore: !TCPDUMP,
  fn() {
    // Whether tcpdump gives up on a cut packet (and dumps it all) or returns (and skips the
    // link-level header) depends on the field that ran out, which the line does not always
    // tell; measured 25 of 15134 differ.
    const frames = cuts(Object.values(FAMILIES).flatMap((f) => f.frames));
    const diffs = hexDumpDifferences(frames, false);
    assert.ok(diffs.length <= frames.length * 0.005, `${diffs.length}\n${explain(diffs)}`);
  },
});

/** `count` frames of the families with a few bytes past the Ethernet header changed. */
function mutated(count: number, seed: number): Frame[] {
  const rnd = prng(seed);
  const all = Object.values(FAMILIES).flatMap((f) => f.frames);
  const out: Frame[] = [];
  for (let n = 0; n < count; n++) {
    const d = all[n % all.length].data.slice();
    for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
      const at = 14 + Math.floor(rnd() * Math.min(80, d.length - 14));
      d[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : d[at] ^ (1 << Math.floor(rnd() * 8));
    }
    out.push({ data: d });
  }
  return out;
}

Deno.test({
  name: "link-layer printers: mutated frames print exactly as tcpdump (default, -v, -e)",
  ignore: !TCPDUMP,
  fn() {
    const diffs = differences(mutated(3000, 23), [[], ["-v"], ["-e"]]);
    assert.equal(diffs.length, 0, explain(diffs));
  },
});

Deno.test("link-layer printers: mutated frames never throw, never hang", () => {
  const rnd = prng(19);
  const all = Object.values(FAMILIES).flatMap((f) => f.frames);
  const decoders = [0, 1, 2, 3].map((v) =>
    new Decoder({ verbosity: v, link: v === 3, connections: 8 })
  );
  const t0 = performance.now();
  for (let n = 0; n < 20000; n++) {
    const base = all[n % all.length].data;
    const d = base.slice(0, 14 + Math.floor(rnd() * (base.length - 13)));
    for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) {
      const at = 14 + Math.floor(rnd() * Math.max(1, d.length - 14));
      if (at < d.length) d[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : d[at] ^ (1 << (n % 8));
    }
    const origLen = d.length + Math.floor(rnd() * 3) * 40;
    for (const dec of decoders) {
      const text = dec.describe(d, origLen);
      assert.ok(!text.includes("[|decode error]"), `decoder bug: ${text}`);
    }
  }
  const ms = performance.now() - t0;
  assert.ok(ms < 20000, `mutated frames took ${ms.toFixed(0)} ms`);
});
