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

// ---------------------------------------------------------------------------------------------
// IGMP (with DVMRP and PIM v1 inside) and PIM v2

const igmpTo = { dst: "224.0.0.1", ttl: 1 };
/** An IGMP message with a correct checksum (it sits at offset 2). */
const igmpMsg = (hex: string) => fixSum(ip4(2, hex, igmpTo), 2, false);
const igmpAll = [
  igmpMsg("11 00 0000 00000000"),
  igmpMsg("11 64 0000 e0000001"),
  igmpMsg("11 32 0000 e0000005 00000000"),
  igmpMsg("11 64 0000 00000000 0200 0000"),
  igmpMsg("11 c8 0000 e1020304 0a7d 0002 0a000001 0a000002"),
  igmpMsg("11 0a 0000 e1020304 0a7d 0005 0a000001 0a000002"),
  igmpMsg("11 0a 0000 e1020304 0a7d 0000 0000"),
  igmpMsg("12 00 0000 e1020304"),
  igmpMsg("12 00 0000 e1020304 00000000"),
  igmpMsg("16 00 0000 e1020304"),
  igmpMsg("17 00 0000 e1020304"),
  igmpMsg("22 00 0000 0000 0002 01 00 0002 e1020304 0a000001 0a000002 04 00 0000 e1020305"),
  igmpMsg("22 00 0000 0000 0002 09 00 0000 e1020304 05 00 0009 e1020305"),
  igmpMsg("22 00 0000 0000 0003 09 00 0000 e1020304"),
  igmpMsg("22 00 0000 0000 0001 01 00"),
  igmpMsg("1f 10 0000 e1020304 ac102801 ac101401 ac102801 20 000007"),
  igmpMsg("1e 10 0000 e1020304 ac102801 ac101401 e0000102 20 000008 0000000000000000"),
  igmpMsg("1f 10 0000 e1020304 ac102801"),
  igmpMsg("33 00 0000 00000000"),
  ip4(2, "16 00 dead e1020304", igmpTo),
  ip6(2, "16 00 0000 e1020304"),
  // DVMRP: probe with neighbors, report, neighbors (old and 2), prune, graft, ack, others
  igmpMsg("13 01 0000 00000305 00000007 0a000001 0a000002"),
  igmpMsg("13 01 0000 00000305 000000"),
  igmpMsg("13 02 0000 00000305 ffff00 0a0101 05 0a0102 85 ff0000 0b 81"),
  igmpMsg("13 02 0000 00000305 ffff00 0a01"),
  igmpMsg("13 04 0000 00000305 0a000001 01 02 02 0a000002 0a000003"),
  igmpMsg("13 06 0000 00000305 0a000001 01 02 73 01 0a000002 0a000001 01 02 00 02 0a000009"),
  igmpMsg("13 07 0000 00000305 0a000001 e1020304 00000e10"),
  igmpMsg("13 08 0000 00000305 0a000001 e1020304"),
  igmpMsg("13 09 0000 00000305 0a000001 e1020304"),
  igmpMsg("13 0c 0000 00000305"),
  igmpMsg("13 01 0000"),
  // PIM v1: query, register, register-stop, join/prune (one line, and several), RP-reachable,
  // assert, graft, an unknown type, another version
  igmpMsg("14 00 0000 00000000 10 00 0069 00000000"),
  igmpMsg("14 01 0000 00000000 450000140000000040110000 0a000001 e1020304"),
  igmpMsg("14 02 0000 10000000 0a000001 e1020304"),
  igmpMsg(
    "14 03 0000 10000000 0a000002 0000 00b4 00000001 e1020304 ffffffff 0001 0000 01 20 0a000009",
  ),
  igmpMsg(
    "14 03 0000 10000000 0a000002 0000 0078 00000001 e1020304 ffff0000 0000 0001 00 c8 0a000009",
  ),
  igmpMsg(
    "14 06 0000 10000000 0a000002 0000 00b4 00000002 e1020304 ffffffff 0001 0001 01 20 0a000009 00 c0 0a00000a" +
      " e1020305 ffffff00 0000 0000",
  ),
  igmpMsg("14 04 0000 10000000 e1020304 ffffffff 01010101 0000 010e"),
  igmpMsg("14 05 0000 10000000 e1020304 ffffff00 0a000001 80000064 0000000a"),
  igmpMsg("14 09 0000 20000000"),
];
same("IGMP v1 to v3, mtrace, DVMRP, PIM v1", frames(...igmpAll), [[], ["-v"], ["-vv"]]);
same("IGMP truncated at every byte", allCuts(...igmpAll.filter((_, i) => i % 3 === 0)), [
  [],
  ["-v"],
  ["-vv"],
]);

const pimTo = { dst: "224.0.0.13", ttl: 1 };
/** A PIM v2 message (type, then the body) with a correct checksum. */
const pim2 = (type: number, body: string, rsv = "00") =>
  fixSum(ip4(103, `2${type.toString(16)} ${rsv} 0000 ${body}`, pimTo), 2, false);
const pimAll = [
  pim2(
    0,
    "0001 0002 0069 0002 0004 81f4 09c4 0013 0004 00000001 0014 0004 d76852f6 0015 0004 01 3c 0000",
  ),
  pim2(0, "0012 0000 0016 0000 0018 000c 0100 0a000001 0100 0a000002 0063 0003 010203"),
  pim2(0, "0001 0003 000102"),
  pim2(0, "0013 0002 0001"),
  pim2(0, "0001 0002"),
  pim2(1, "00000000 450000140000000040110000 0a000001 e1020304"),
  pim2(1, "40000000 000000000000000000000000 0a000001 e1020304"),
  pim2(
    1,
    "80000000 60000000 0000 3b40 fe800000000000000000000000000001 ff020000000000000000000000000005",
  ),
  pim2(1, "00000000 30"),
  pim2(2, "0100 0020 e1020304 0100 0a000001"),
  pim2(
    3,
    "0100 0a000002 00 02 00d2 0100 0020 e17b7b7b 0001 0001 0100 0420 ac10280a 0100 0320 ac10280b 0100 0018 e17b7b00 0000 0000",
  ),
  pim2(6, "0100 0a000002 00 01 ffff 0100 0020 e17b7b7b 0000 0001 0100 ff20 ac10280a"),
  pim2(7, "00 01 ffff 0100 0020 e17b7b7b 0000 0000"),
  pim2(4, "1234 1e c0 0100 0a000001 0100 0004 e0000000 02 01 0000 0100 0a000002 0096 05 00"),
  pim2(5, "0100 0020 e1020304 0100 0a000001 80000064 0000000a"),
  pim2(8, "02 c0 0096 0100 0a000001 0100 0004 e0000000 0100 0008 e1000000"),
  pim2(9, "0100 0a000001 0100 0020 e1020304 0100 0a000002 00d2"),
  pim2(10, "0100 0a000001 00000064 0000000a", "10"),
  pim2(10, "0100 0a000001 00000064 0000000a 0100 0a000002 00000065 0000000b 0032", "30"),
  pim2(10, "0100 0a000001 00000064 0000000a 0100 0a000002 00000065 0000000b", "40"),
  pim2(12, "00000000"),
  pim2(2, "0a000001 e1020304", "04"),
  pim2(2, "0900 0020 e1020304 0100 0a000001"),
  ip4(103, "20 00 beef 0001 0002 0069", pimTo),
  ip4(103, "20 00 0000 0001 0002 0069", pimTo),
  ip4(103, "10 00 0000 0001 0002 0069", pimTo),
  fixSum(ip6(103, "20 00 0000 0001 0002 0069 0014 0004 00000001", { dst: "ff02::d" }), 2),
  fixSum(
    ip6(
      103,
      "22 00 0000 0200 0020 ff0e0000000000000000000000000001 0200 2001 0db8 00000000000000000000000000000001",
    ),
    2,
  ),
];
same("PIM v2 messages", frames(...pimAll), [[], ["-v"], ["-vv"]]);
same("PIM v2 truncated at every byte", allCuts(...pimAll.filter((_, i) => i % 2 === 0)), [[], [
  "-v",
]]);

const autoRp = udp(
  496,
  496,
  "12 02 00b4 00000000 0a000001 03 02 00 04 e0000000 03 08 e1000000 0a000002 fe 01 00 04 e0000000",
);
same("Cisco auto-RP", [...frames(autoRp), ...allCuts(autoRp)]);
