/**
 * The routing and redundancy printers (VRRP, HSRP, ...) against tcpdump 4.99 on crafted frames:
 * each frame's text identical at default flags, -v and -e, for whole packets and for every
 * truncation of them.
 */
import assert from "node:assert/strict";
import { differences, explain, type Frame } from "./tcpdump_frames.ts";
import { haveTcpdump499 } from "./tcpdump_diff.ts";
import { cuts, eth, fixSum, frames, ip4, ip6, udp } from "./ip_frames.ts";

const TCPDUMP = haveTcpdump499();
if (!TCPDUMP) console.log("decode_routing_test: tcpdump 4.99 not found; skipped");

const FLAGS = [[], ["-v"], ["-e"]];

function same(name: string, fs: Frame[], flagSets = FLAGS): void {
  Deno.test({
    name: `routing printers vs tcpdump: ${name}`,
    ignore: !TCPDUMP,
    fn() {
      const d = differences(fs, flagSets);
      assert.equal(d.length, 0, explain(d));
    },
  });
}

/** Every truncation of these packets' frames past the IP header. */
function allCuts(...packets: Uint8Array[]): Frame[] {
  return packets.flatMap((p) => cuts(eth(p), p[0] >> 4 === 6 ? 54 : 34));
}

// ---------------------------------------------------------------------------------------------
// VRRP and HSRP

const vrrpTo = { dst: "224.0.0.18", ttl: 255 };
const vrrp2Simple = fixSum(
  ip4(112, "21 2a bf 03 01 0a 0000 0a042a01 0a042a02 0a042a03 6162636465666768", vrrpTo),
  6,
  false,
);
const vrrp2None = fixSum(
  ip4(112, "21 2b bf 01 00 0a 0000 0a042b96 0000000000000000", vrrpTo),
  6,
  false,
);
const vrrp2Ah = ip4(112, "21 2c 64 01 02 01 1234 0a042c01 0000000000000000", { ttl: 254 });
const vrrp3 = fixSum(ip4(112, "31 2c bf 02 03e8 0000 0a042c64 0a042cc8", vrrpTo), 6);
const vrrp3Bad = ip4(112, "31 2c bf 02 03e8 beef 0a042c64 0a042cc8", vrrpTo);
const vrrp3v6 = fixSum(
  ip6(112, "31 01 64 01 0064 0000 fe800000000000000000000000000001", {
    dst: "ff02::12",
    hlim: 255,
  }),
  6,
);
const vrrpOther = ip4(112, "12 01 64 01 0064 0000", vrrpTo);
const vrrpV1 = ip4(112, "11 01 64 01 0064 0000", vrrpTo);

same(
  "VRRP v2 and v3, IPv4 and IPv6, checksums good and bad",
  frames(vrrp2Simple, vrrp2None, vrrp2Ah, vrrp3, vrrp3Bad, vrrp3v6, vrrpOther, vrrpV1),
);
same("VRRP truncated at every byte", allCuts(vrrp2Simple, vrrp3v6));

const hsrpTo = { dst: "224.0.0.2", ttl: 1 };
const hsrp = (hex: string) => udp(1985, 1985, hex, false, hsrpTo);
const hsrpHello = hsrp("00 00 10 03 0a 64 01 00 636973636f000000 c0a80001");
const hsrpCoup = hsrp("00 01 08 03 0a 78 02 07 6369736369736369 c0a80101");
const hsrpOdd = hsrp("00 07 03 01 01 01 ff 00 0000000000000000 0a000001");
const hsrpV1 = hsrp("01 00 10 03 0a 64 01 00 636973636f000000 c0a80001");
const hsrpFromPort = udp(1985, 2000, "00 00 10 03 0a 64 01 00 636973636f000000 c0a80001");

same(
  "HSRP v0 hello, coup, odd values, v1, wrong port",
  frames(hsrpHello, hsrpCoup, hsrpOdd, hsrpV1, hsrpFromPort),
);
same("HSRP truncated at every byte", allCuts(hsrpCoup));
