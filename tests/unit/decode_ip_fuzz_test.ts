/**
 * Mutated frames of the IP-level family (tunnels, IPsec, routing and redundancy protocols)
 * through the decoder at every verbosity, with and without the link header: never an exception
 * (a line ending in "[|decode error]"), never a hang. The frames are the corpus's records of
 * those protocols, their bytes past the Ethernet header flipped, their lengths fields made odd,
 * and cut anywhere.
 */
import assert from "node:assert/strict";
import { Decoder } from "../../lib/decode/decode.ts";
import { hexOf, prng } from "./helpers.ts";
import { protocolKey } from "./protocol_key.ts";
import { corpusFiles, fileRecords } from "./tcpdump_run.ts";

/** The protocol keys of this family (tests/unit/protocol_key.ts names them). */
const FAMILY = new Set([
  "GRE",
  "ESP",
  "AH",
  "VRRP",
  "UDP/HSRP",
  "UDP/Babel",
  "OSPF",
  "PIM",
  "IGMP",
  "UDP/BFD",
  "EIGRP",
  "TCP/BGP",
  "TCP/OpenFlow",
  "PGM",
  "DCCP",
  "UDP/RIP",
  "UDP/RIPng",
  "TCP/LDP",
  "UDP/LDP",
  "TCP/RPKI-RTR",
  "TCP/PPTP",
  "UDP/LISP",
  "ICMPv6",
  "IP-in-IP",
  "IPv6-in-IP",
  "ip-proto-143",
]);

function familyFrames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of corpusFiles()) {
    for (const r of fileRecords(f)) if (FAMILY.has(protocolKey(r.data))) out.push(r.data);
  }
  return out;
}

const frames = familyFrames();
if (frames.length === 0) console.log("decode_ip_fuzz: corpus not found; skipped");

Deno.test({
  name: "IP-level printers: 12000 mutated frames at every verbosity, no exception, no hang",
  ignore: frames.length === 0,
  fn() {
    const rnd = prng(1919);
    const int = (n: number) => Math.floor(rnd() * n);
    const decoders = [0, 1, 2, 3].flatMap((verbosity) => [
      new Decoder({ verbose: verbosity > 0, verbosity, connections: 8 }),
      new Decoder({ verbose: verbosity > 0, verbosity, link: true, connections: 8 }),
    ]);
    let slowest = 0;
    for (let n = 0; n < 12000; n++) {
      const base = frames[int(frames.length)];
      let d = base.slice();
      switch (n % 4) {
        case 0: // bytes past the Ethernet header replaced
          for (let k = 1 + int(6); k > 0; k--) d[14 + int(Math.max(1, d.length - 14))] = int(256);
          break;
        case 1: // a 16-bit field (a length, a type, a count) made extreme
          if (d.length > 16) {
            const at = 14 + int(d.length - 15);
            const v = [0, 1, 0xff, 0xffff, 0x8000, 3][int(6)];
            d[at] = v >> 8;
            d[at + 1] = v & 0xff;
          }
          break;
        case 2: // cut anywhere
          d = d.slice(0, int(d.length + 1));
          break;
        default: // both
          for (let k = 1 + int(4); k > 0; k--) d[int(d.length)] ^= 1 << int(8);
          d = d.slice(0, int(d.length + 1));
      }
      const origLen = d.length + int(3) * 64;
      const t0 = performance.now();
      for (const dec of decoders) {
        const text = dec.describe(d, origLen);
        assert.ok(!text.includes("[|decode error]"), `decoder bug on ${hexOf(d)}: ${text}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    console.log(`  ${frames.length} family frames, slowest mutation ${slowest.toFixed(1)} ms`);
    assert.ok(slowest < 1000, `one frame took ${slowest.toFixed(0)} ms`);
  },
});
