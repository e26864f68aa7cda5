/**
 * The routing and redundancy printers (VRRP, HSRP, ...) against tcpdump 4.99 on crafted frames:
 * each frame's text identical at default flags, -v and -e, for whole packets and for every
 * truncation of them.
 */
import { tcpdumpSuite } from "./tcpdump_frames.ts";
import { allCuts, fixSum, frames, h16, hexBytes, ip4, ip6, udp } from "./ip_frames.ts";

const { same, sameCut } = tcpdumpSuite("routing printers vs tcpdump", "decode_routing_test");

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
sameCut("VRRP truncated at every byte", allCuts(vrrp2Simple, vrrp3v6));

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
sameCut("HSRP truncated at every byte", allCuts(hsrpCoup));

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
sameCut("IGMP truncated at every byte", allCuts(...igmpAll.filter((_, i) => i % 3 === 0)), [
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
sameCut("PIM v2 truncated at every byte", allCuts(...pimAll.filter((_, i) => i % 2 === 0)), [[], [
  "-v",
]]);

const autoRp = udp(
  496,
  496,
  "12 02 00b4 00000000 0a000001 03 02 00 04 e0000000 03 08 e1000000 0a000002 fe 01 00 04 e0000000",
);
same("Cisco auto-RP", [...frames(autoRp), ...allCuts(autoRp)]);

// ---------------------------------------------------------------------------------------------
// OSPF v2 and v3

/** An OSPFv2 packet: type, body (hex); authentication type and data; trailing bytes. */
function ospf2(
  type: number,
  body: string,
  auth = "0000 0000000000000000",
  trailer = "",
  to = "224.0.0.5",
) {
  const len = 24 + hexBytes(body);
  return ip4(89, `02 0${type} ${h16(len)} c0a8ff0f 00000000 0000 ${auth} ${body} ${trailer}`, {
    dst: to,
    ttl: 1,
    tos: 0xc0,
  });
}

/** An LSA: header fields, then the body (hex). */
function lsa2(type: number, id: string, body: string, opts = 0x22, age = 3600) {
  const len = 20 + hexBytes(body);
  return `${h16(age)} ${opts.toString(16).padStart(2, "0")} ${
    type.toString(16).padStart(2, "0")
  } ${id} c0a8ff0b 80000012 abcd ${h16(len)} ${body}`;
}

const teLinkBody = "0001 0001 01000000" + // link type: point-to-point
  " 0002 0004 0a000001" + // link ID
  " 0003 0004 0a000002 0004 0004 0a000003" + // local, remote addresses
  " 0005 0004 0000000a" + // TE metric
  " 0006 0004 4cbebc20 0007 0004 4c3ebc20" + // max and reservable bandwidth (floats)
  " 0009 0004 000000ff" + // admin group
  " 000b 0008 00000001 00000002" + // local/remote identifiers
  " 000e 0004 02000000" + // protection
  " 0010 0008 00000005 00000006"; // shared risk groups
const teLink2Body =
  "0008 0020 4cbebc20 4cbebc20 4c3ebc20 4c3ebc20 00000000 3f800000 7f800000 3dcccccd" +
  " 0011 000c 01000000 4cbebc20 4c3ebc20" + // bandwidth constraints
  " 0063 0002 abcd0000"; // unknown sub-TLV, padded
const teLink = `0002 ${h16(hexBytes(teLinkBody))} ${teLinkBody}`;
const teLink2 = `0002 ${h16(hexBytes(teLink2Body))} ${teLink2Body}`;

const ospf2All = [
  ospf2(
    1,
    "ffffff00 000a 12 01 00000028 c0a87904 c0a87905 c0a8ff0b c0a8ff0e",
    "0001 7365637265740000",
  ),
  ospf2(1, "ffffff00 000a 02 01 00000028 00000000 00000000", "0005 0000000000000000"),
  ospf2(
    2,
    `05dc 52 07 00000081 ${lsa2(1, "c0a8ff0b", "").slice(0, 60)} ${
      lsa2(10, "01000005", "").slice(0, 60)
    }`,
    "0000 0000000000000000",
    "fff6 0003 0001 0004 00000001",
  ),
  ospf2(3, "00000001 c0a8ff0b c0a8ff0b 0000000a 04000003 c0a8ff0e 00000063 01020304 c0a8ff0e"),
  ospf2(
    4,
    "00000008 " +
      lsa2(
        1,
        "c0a8ff0b",
        "03 00 0003 c0a8ff0e c0a87904 01 01 000a 02 00 0014 c0a87900 ffffff00 03 00 0001 0a000000 00000000 04 00 0005",
      ) +
      lsa2(2, "c0a87904", "ffffff00 c0a8ff0b c0a8ff0e") +
      lsa2(3, "0a010000", "ffff0000 0000000a 01000014") +
      lsa2(4, "c0a8ff63", "00000000 0000000a") +
      lsa2(5, "0a020000", "ffff0000 80ffffff 0a000001 00000000 02000064 00000000 0000002a") +
      lsa2(7, "0a030000", "ffffff00 00000014 00000000 00000000") +
      lsa2(6, "e1020304", "00000001 c0a8ff0b 00000002 c0a87904 00000009 00000000") +
      lsa2(
        9,
        "03000000",
        "0001 0004 00000078 0002 0001 01000000 0003 0004 c0a87904 0009 0002 abcd0000",
      ),
  ),
  ospf2(
    4,
    "00000004 " +
      lsa2(10, "01000001", `0001 0004 c0a8ff0b ${teLink}`) +
      lsa2(10, "01000002", teLink2) +
      lsa2(10, "04000000", "0001 0004 000003f0 0007 0003 010203 00") +
      lsa2(11, "07000000", "01020304"),
  ),
  ospf2(4, "00000002 " + lsa2(1, "c0a8ff0b", "00 00 0001 c0a8ff0e c0a87904 09 00 000a")),
  ospf2(4, "00000002 0e10 22 01 c0a8ff0b c0a8ff0b 80000001 0000 0010"),
  ospf2(5, `${lsa2(1, "c0a8ff0b", "").slice(0, 60)} ${lsa2(2, "c0a87904", "").slice(0, 60)}`),
  ospf2(9, "00000000"),
  ospf2(
    1,
    "ffffff00 000a 12 01 00000028 c0a87904 c0a87905",
    "0002 0000 0110 5a834112",
    "00112233445566778899aabbccddeeff",
  ),
  ospf2(
    1,
    "ffffff00 000a 12 01 00000028 c0a87904 c0a87905",
    "0002 0000 0110 5a834112",
    "00112233445566778899aabbccddeeff 0000 0009 0001 0004 00000001 0002 0014 5a834112 00112233445566778899aabbccddeeff",
  ),
];
ospf2All.push(ip4(89, "03 01 0018 c0a8ff0f 00000000 0000 0000 0000000000000000", { ttl: 1 }));
same("OSPFv2 messages and LSAs", frames(...ospf2All), [[], ["-v"], ["-vv"]]);
sameCut(
  "OSPFv2 truncated at every byte",
  allCuts(ospf2All[0], ospf2All[2], ospf2All[5], ospf2All[11]),
  [["-v"]],
);

/** An OSPFv3 packet: type, body (hex), trailing bytes. */
function ospf3(type: number, body: string, trailer = "", instance = 0) {
  const len = 16 + hexBytes(body);
  return ip6(
    89,
    `03 0${type} ${h16(len)} 01010101 00000000 0000 ${
      instance.toString(16).padStart(2, "0")
    } 00 ${body} ${trailer}`,
    {
      dst: "ff02::5",
      hlim: 1,
    },
  );
}

function lsa3(type: number, id: string, body: string) {
  return `0e10 ${h16(type)} ${id} 01010102 80000003 0000 ${h16(20 + hexBytes(body))} ${body}`;
}

const ospf3All = [
  ospf3(
    1,
    "00000005 01000213 000a 0028 01010101 01010102 01010103 01010104",
    "fff6 0004 0001 0000 00000000000000010000000200112233",
  ),
  ospf3(1, "00000005 01000013 000a 0028 00000000 00000000"),
  ospf3(2, `00000013 05dc 00 07 00001234 ${lsa3(0x2001, "00000000", "").slice(0, 60)}`),
  ospf3(3, "0000 2001 00000000 01010102 0000 2009 00000001 01010103"),
  ospf3(
    4,
    "00000009 " +
      lsa3(
        0x2001,
        "00000000",
        "01000033 01 00 000a 00000005 00000006 01010103 02 00 0001 00000007 00000008 01010104",
      ) +
      lsa3(0x2002, "00000005", "00000033 01010101 01010102") +
      lsa3(
        0x2003,
        "00000001",
        "0000000a 40 00 0000 20010db8 00000000 80 02 0000 20010db8 00000000 00000001 00000000",
      ) +
      lsa3(
        0x4005,
        "00000002",
        "03000014 30 00 0100 20010db8 0001 0000 fe800000000000000000000000000001 0000002a 0a000001",
      ) +
      lsa3(
        0x0008,
        "00000005",
        "01000033 fe800000000000000000000000000001 00000001 40 00 0000 20010db8 00000000",
      ) +
      lsa3(
        0x2009,
        "00000000",
        "0002 2001 00000000 01010102 40 00 000a 20010db8 00000000 80 00 0001 20010db8 00000000 00000000 00000001",
      ) +
      lsa3(0x000b, "00000000", "0001 0004 00000078 0002 0001 01000000") +
      lsa3(0x000a, "00000001", "0001 0004 0a000001") +
      lsa3(0x2004, "00000003", "00000033 0000000a 01010109"),
  ),
  ospf3(4, "00000001 " + lsa3(0x2003, "00000001", "0000000a 90 00 0000 20010db8")),
  ospf3(
    5,
    `${lsa3(0x2001, "00000000", "").slice(0, 60)} ${lsa3(0x0008, "00000005", "").slice(0, 60)}`,
    "",
    1,
  ),
  ospf3(5, "", "0001 0020 0000 0003 00000000 00000001 00112233445566778899aabbccddeeff"),
  ospf3(1, "00000005 01000213 000a 0028 00000000 00000000", "fff6 0002"),
  ospf3(7, "00000000"),
];
same("OSPFv3 messages and LSAs", frames(...ospf3All), [[], ["-v"], ["-vv"]]);
sameCut("OSPFv3 truncated at every byte", allCuts(ospf3All[0], ospf3All[4]), [["-vv"]]);

// ---------------------------------------------------------------------------------------------
// Babel

/** A Babel packet over IPv6 with this body (hex) and trailer. */
const babelMsg = (body: string, trailer = "", magic = "2a 02") =>
  udp(6696, 6696, `${magic} ${h16(hexBytes(body))} ${body} ${trailer}`, true, { dst: "ff02::1:6" });
/** A TLV (or sub-TLV): type, then its body (hex) with the length in front. */
const tlv = (type: number, body: string) =>
  `${type.toString(16).padStart(2, "0")} ${(hexBytes(body)).toString(16).padStart(2, "0")} ${body}`;
const babelAll = [
  babelMsg(
    "00 " + tlv(1, "0000") + tlv(2, "0000 1234 0190") + tlv(3, "abcd") + tlv(4, "8000 0005 0190") +
      tlv(4, "0000 0006 0000" + tlv(3, "0001e240") + tlv(2, "01ff") + "00" + tlv(0x85, "")) +
      tlv(5, "02 00 0100 0190 fe80000000000000" + tlv(3, "00000001 00000002") + tlv(1, "00")) +
      tlv(5, "01 00 0100 0190 0a000001" + tlv(3, "00000001")) + tlv(5, "00 00 0100 0190") +
      tlv(6, "0000 0102030405060708") + tlv(7, "01 00 0a000001") + tlv(7, "00 00") +
      tlv(7, "03 00 0200000000000001"),
  ),
  babelMsg(
    tlv(8, "01 c0 18 00 ffff 0005 0100 0a0102" + tlv(2, "01ff80") + "00") +
      tlv(8, "01 00 18 03 0190 0006 0100") +
      tlv(8, "02 40 40 00 0190 0007 0010 20010db800000000") +
      tlv(8, "02 80 40 04 0190 0007 0010 0000000a") + tlv(8, "00 3f 00 00 0000 0008 0000") +
      tlv(8, "01 00 c8 00 0190 0007 0010 0a") + tlv(9, "00 00") + tlv(9, "01 18 0a0101") +
      tlv(9, "02 40 20010db800000000"),
  ),
  babelMsg(
    tlv(10, "01 18 0005 03 00 0102030405060708 0a0101") + "00" + tlv(11, "0003 00000064") +
      tlv(12, "0001 00112233445566778899aabbccddeeff") +
      tlv(13, "01 10 18 00 0190 0009 0100 0a0102 0a01" + tlv(2, "05")) +
      tlv(14, "01 18 10 0a0102 0a01") + tlv(14, "00 00 00") +
      tlv(15, "01 18 0005 03 10 0102030405060708 0a0102 0a01"),
  ),
  babelMsg(
    tlv(16, "01020304") + tlv(17, "00000007 01020304") + tlv(18, "01020304") + tlv(19, "0102") +
      tlv(0x63, "0102") + tlv(17, "0102"),
  ),
  babelMsg(tlv(4, "0000 0005 0190"), tlv(12, "0001 00112233445566778899aabbccddeeff")),
  babelMsg(tlv(4, "0000 0005 0190 03 04 00")),
  babelMsg(tlv(5, "07 00 0100 0190")),
  babelMsg(tlv(8, "01 00 38 00 0190 0005 0100")),
  babelMsg("04 06 0000"),
  babelMsg(tlv(4, "0000 0005 0190"), "", "2a 01"),
  babelMsg(tlv(4, "0000 0005 0190"), "", "2b 02"),
];
same("Babel TLVs and sub-TLVs", frames(...babelAll));
sameCut("Babel truncated at every byte", allCuts(babelAll[0], babelAll[2]));

// ---------------------------------------------------------------------------------------------
// BFD and the lawful-intercept shim that shares its ports' neighbourhood

const bfdHead = (vd: string, flags: string, len: string) =>
  `${vd} ${flags} 03 ${len} 80000001 80000002 000186a0 000186a0 00000000`;
const bfdAll = [
  udp(49152, 3784, bfdHead("20", "c8", "18"), false, { ttl: 255 }),
  udp(3785, 3784, bfdHead("21", "04", "1d") + " 01 05 07 736563726574"),
  udp(
    3785,
    4784,
    bfdHead("27", "3e", "30") + " 02 18 01 00 00000005 00112233445566778899aabbccddeeff",
  ),
  udp(
    3785,
    6784,
    bfdHead("28", "bf", "34") + " 05 1c 02 00 00000006 00112233445566778899aabbccddeeff00112233",
  ),
  udp(3785, 3784, bfdHead("21", "44", "1c") + " 04 17 07 00"),
  udp(3785, 3784, bfdHead("1f", "fc", "18") + " 01 03 01"),
  udp(3785, 3784, bfdHead("00", "a5", "18")),
  udp(3785, 3784, bfdHead("40", "00", "18")),
  udp(3785, 3785, "0102030405060708"),
  udp(49152, 2000, "4b000001 450000140000000040110000 0a000001 0a000002"),
  udp(
    49152,
    2000,
    "8f000002 0200000000020200000000010800 450000140000000040110000 0a000001 0a000002",
  ),
  udp(49152, 2000, "09000003 60"),
  udp(49152, 2000, "ff000004"),
  udp(49152, 2000, "ff00"),
];
same("BFD control and echo, authentication; the BCM-LI shim", frames(...bfdAll));
sameCut("BFD truncated at every byte", allCuts(bfdAll[1], bfdAll[2], bfdAll[9]));

// ---------------------------------------------------------------------------------------------
// EIGRP

const eigrpTo = { dst: "224.0.0.10", ttl: 2 };
const eigrpMsg = (op: number, tlvs: string, version = "02") =>
  ip4(
    88,
    `${version} ${
      op.toString(16).padStart(2, "0")
    } abcd 00000001 00000005 00000004 0000 0064 ${tlvs}`,
    eigrpTo,
  );
const eTlv = (type: number, body: string) => `${h16(type)} ${h16(4 + hexBytes(body))} ${body}`;
const eigrpAll = [
  eigrpMsg(5, eTlv(1, "01 00 01 00 00 00 000f") + eTlv(4, "0c04 0102")),
  eigrpMsg(
    1,
    eTlv(0x102, "00000000 00000a00 00000100 0005dc 01 ff 01 0000 18 0a0102") +
      eTlv(0x102, "0a000001 00000a00 00000100 0005dc 01 ff 01 0000 20 0a010203") +
      eTlv(
        0x103,
        "0a000002 0a000003 00000064 0000002a 00000005 0000 06 40 00000a00 00000100 0005dc 02 ff 01 0000 10 0a01",
      ),
  ),
  eigrpMsg(
    3,
    eTlv(0x204, "0001 0005 00000007") +
      eTlv(0x202, "00000000 00000a00 00000100 0005dc 01 ff 01 0000 0001 0005") +
      eTlv(
        0x203,
        "00010002 00000007 00000064 0000002a 04 00 0005 00000a00 00000100 0005dc 01 ff 01 0000 0003 0004",
      ),
  ),
  eigrpMsg(
    4,
    eTlv(2, "0002 0010 00112233") +
      eTlv(0x102, "00000000 00000a00 00000100 0005dc 01 ff 01 0000 28 0a01020304"),
  ),
  eigrpMsg(4, eTlv(1, "0100") + eTlv(0x102, "00") + eTlv(0x999, "0102")),
  eigrpMsg(4, "0001 0002 0000"),
  eigrpMsg(4, "0001 0040 0000"),
  eigrpMsg(9, ""),
  eigrpMsg(5, "", "03"),
];
same("EIGRP messages and TLVs", frames(...eigrpAll), [[], ["-v"], ["-vv"]]);
sameCut("EIGRP truncated at every byte", allCuts(eigrpAll[1], eigrpAll[2]), [["-v"]]);
