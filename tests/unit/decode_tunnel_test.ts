/**
 * The tunnel printers (GRE and what it carries, IPsec's ESP and AH) against tcpdump 4.99 on
 * crafted frames: each frame's text identical at default flags, -v and -e, for whole packets
 * and for every truncation of them.
 */
import { type Frame, tcpdumpSuite } from "./tcpdump_frames.ts";
import { cat, cuts, eth, fixSum, frames, ip4, ip6, tcp, udp } from "./ip_frames.ts";

const { same, sameCut } = tcpdumpSuite("tunnel printers vs tcpdump", "decode_tunnel_test");

const echo = "0800f7fe00010001"; // ICMP echo request, id 1, seq 1
const inner4 = ip4(1, echo, { src: "192.168.1.1", dst: "192.168.1.2" });
const inner6 = ip6(58, "8000 7ffe 0001 0001", { src: "2001:db8::1", dst: "2001:db8::2" });

/** A GRE packet: flags+version, protocol, then the optional fields (hex) and the payload. */
function gre(flags: number, proto: number, fields: string, payload: Uint8Array | string) {
  const head = flags.toString(16).padStart(4, "0") + proto.toString(16).padStart(4, "0");
  return ip4(47, cat(head + fields, payload), { src: "20.1.1.1", dst: "30.1.1.2" });
}

const greIp = gre(0xb000, 0x0800, "1234 0000 0000002a 00000007", inner4);
const greIp6 = gre(0x2000, 0x86dd, "00000001", inner6);
const teb = gre(
  0x0000,
  0x6558,
  "",
  eth(udp(1234, 5678, "68656c6c6f", false, { src: "10.9.9.1", dst: "10.9.9.2" })),
);
const tebArp = gre(
  0x1000,
  0x6558,
  "00000003",
  cat(
    "ffffffffffff 020000000003 0806",
    "0001 0800 0604 0001 020000000003 0a000001 000000000000 0a000002",
  ),
);
const routed = gre(
  0x4000,
  0x0800,
  "0000 0004 0800 04 0c 01020304 05060708 090a0b0c fffe 00 04 0001 0002 0000 00 00",
  inner4,
);
const badRoutes = gre(
  0xc000,
  0x0800,
  "abcd 0000 0800 01 08 0102030405060708 0800 00 06 010203040506 fffe 03 04 00010002 " +
    "fffe 02 03 000100 0800 08 08 0102030405060708 1234 00 02 0000 0000 00 00",
  inner4,
);
const erspan = gre(0x1000, 0x88be, "00000009", "100100010000000000112233445566778899aabb");
const nhrp = gre(0x2000, 0x2001, "00000002", "00010800000000000014000100ff000000");
const pptpAck = gre(0x2081, 0x880b, "0000 0005 00000009", "");
const v2 = gre(0x0002, 0x0800, "", inner4);
const overV6 = ip6(47, cat("00000800", inner4), { src: "2001:db8::a", dst: "2001:db8::b" });

same("GRE v0 with checksum, key and sequence number carrying IPv4", frames(greIp, greIp6, overV6));
same("GRE v0 carrying Ethernet (TEB)", frames(teb, tebArp));
same("GRE v0 source routes, good and bad", frames(routed, badRoutes));
same("GRE v0 payloads tcpdump 4.99 does not decode (ERSPAN, NHRP)", frames(erspan, nhrp));
same("GRE v1 (PPTP) and an unknown version", frames(pptpAck, v2));
sameCut(
  "GRE truncated at every byte",
  [greIp, teb, routed, badRoutes, pptpAck].flatMap((p) => cuts(eth(p), 34)),
);

const espV4 = ip4(50, "d1234567 00000001 00112233445566778899aabbccddeeff");
const espV6 = ip6(50, "00000100 0000001e 00112233445566778899aabbccddeeff");
const udpInAh = udp(7777, 7777, "0102030405060708");
// AH (next header UDP, 4 words: 12 bytes of ICV) in front of the UDP datagram above.
const ah = ip4(51, cat("11 04 0000 00000100 0000001e 0a6ab0b271917e05f7a01c58", udpInAh.slice(20)));
const ahReserved = ip4(51, cat("01 03 abcd 00000200 00000001 0102030405060708", echo));
const ahV6 = ip6(51, cat("3a 03 0000 00000300 00000002 1122334455667788", "8000 7ffe 0001 0001"));
const ahLong = ip4(51, "06 ff 0000 00000300 00000002 1122334455667788");
const ipcomp = ip4(108, "04 00 1234 0102030405060708");

same("ESP over IPv4 and IPv6", frames(espV4, espV6));
same("AH and what it protects, IPComp", frames(ah, ahReserved, ahV6, ahLong, ipcomp));
sameCut(
  "IPsec truncated at every byte",
  [espV4, ah, ahV6, ipcomp].flatMap((p) => cuts(eth(p), 34)),
);

const etherInV6 = ip6(
  143,
  eth(ip6(58, "8000 7ffe 0001 0001", { src: "a::2", dst: "e::2" })),
  { src: "a::1", dst: "c::2" },
);
const etherInV4 = ip4(143, eth(inner4));
const mobileShort = ip4(55, cat("0100 0000 c0a80102", echo.slice(0)));
const mobileSource = ip4(55, cat("0180 0000 c0a80102 c0a80101", echo));

same(
  "Ethernet in IPv6, minimal IP-in-IP encapsulation",
  frames(etherInV6, etherInV4, mobileShort, mobileSource),
);
sameCut(
  "Ethernet in IPv6, minimal encapsulation truncated at every byte",
  [etherInV6, mobileSource].flatMap((p) => cuts(eth(p), 34)),
);

/** A PPTP control message: its type, then its body (hex). */
function pptpCtrl(type: number, body: string, cookie = "1a2b3c4d", reserved = "0000") {
  const len = 12 + body.replace(/\s/g, "").length / 2;
  const head = `${len.toString(16).padStart(4, "0")} 0001 ${cookie} ${
    type.toString(16).padStart(4, "0")
  } ${reserved}`;
  return tcp(1723, 40000, `${head} ${body}`);
}
const name64 = (s: string) =>
  [...s].map((c) => c.charCodeAt(0).toString(16)).join("").padEnd(128, "0");
const pptpAll = [
  pptpCtrl(1, `0100 0000 00000003 00000001 0000 0870 ${name64("host")} ${name64("Vendor")}`),
  pptpCtrl(2, `0100 01 00 00000001 00000002 0001 0001 ${name64("local")} ${name64("MoretonBay")}`),
  pptpCtrl(3, "02 01 0005"),
  pptpCtrl(4, "01 03 0000"),
  pptpCtrl(5, "00000007"),
  pptpCtrl(6, "00000007 02 00 0000"),
  pptpCtrl(
    7,
    `0001 7828 0000012c 05f5e100 00000003 00000003 0040 0000 0004 0000 ${name64("5551234")} ${
      name64("")
    }`,
  ),
  pptpCtrl(8, "0001 0002 01 00 0000 05f5e100 0040 0000 00000000"),
  pptpCtrl(
    9,
    `0001 0002 00000001 00000007 0003 0002 ${name64("123")} ${name64("45")} ${name64("sub")}`,
  ),
  pptpCtrl(10, "0001 0002 03 05 0040 0000 0001"),
  pptpCtrl(11, "0002 0000 05f5e100 0040 0000 00000002"),
  pptpCtrl(12, "0002 0000"),
  pptpCtrl(13, `0002 04 06 0000 0000 ${name64("stats").padEnd(256, "0")}`),
  pptpCtrl(14, "0002 0000 00000001 00000002 00000003 00000004 00000005 00000006"),
  pptpCtrl(15, "0002 0000 ffffffff ffffffff"),
  pptpCtrl(16, "00000000"),
  pptpCtrl(5, "00000007", "deadbeef", "0001"),
];
same("PPTP control messages", frames(...pptpAll));
sameCut(
  "PPTP truncated at every byte",
  [pptpAll[6], pptpAll[8]].flatMap((p) => cuts(eth(p), 54, 5)),
);

// ---------------------------------------------------------------------------------------------
// PGM

const pgmHead = (type: number, opts: number) =>
  `04d2 162e ${type.toString(16).padStart(2, "0")} ${
    opts.toString(16).padStart(2, "0")
  } 0000 83f2d6491cb3 0010`;
const pgmOpts = (body: string) => {
  const n = 4 + body.replace(/\s/g, "").length / 2;
  return `00 04 ${n.toString(16).padStart(4, "0")} ${body}`;
};
const pgmTo = { dst: "239.255.194.10", ttl: 1 };
const pgmAll = [
  ip4(113, `${pgmHead(0, 0)} 00000001 00000002 00000003 0001 0000 0a00020f`, pgmTo),
  ip4(
    113,
    `${pgmHead(0, 0)} 00000001 00000002 00000003 0002 0000 20010db8000000000000000000000001`,
    pgmTo,
  ),
  ip4(
    113,
    `${pgmHead(1, 0)} 00000004 0001 0000 0001 0000 0a00020f 00000005 00000006 00000007`,
    pgmTo,
  ),
  ip4(113, `${pgmHead(2, 0)} 00000004 0001 0000`, pgmTo),
  ip4(
    113,
    `${pgmHead(4, 1)} 00000009 00000008 ${
      pgmOpts(
        "01 10 0000 00000001 00000002 00000003 02 0c 0000 00000005 00000006 03 08 0000 00000007" +
          " 04 0c 0000 00000001 00000002 05 0c 0000 00000003 00000004 07 0c 0000 0001 0000 0a000001" +
          " 08 08 0000 00000009 09 08 0000 0000000a 0a 08 0000 0000000b 0b 04 0000 0c 06 0000 0102" +
          " 0d 04 0000 0e 04 0000 0f 04 0000 10 05 0000 00 11 04 0000 12 10 0000 00000005 0001 0000 0a000002" +
          " 13 10 0000 00000006 0001 0000 0a000003 33 04 0000 80 04 0000",
      )
    }`,
    pgmTo,
  ),
  ip4(113, `${pgmHead(5, 1)} 00000009 00000008 ${pgmOpts("8d 04 0000")}`, pgmTo),
  ip4(
    113,
    `${pgmHead(4, 1)} 00000009 00000008 ${
      pgmOpts(
        "0d 04 0000 0e 04 0000 0f 04 0000 11 04 0000 12 10 0000 00000005 0001 0000 0a000002" +
          " 13 10 0000 00000006 0001 0000 0a000003 00 04 0010 33 04 0000 10 06 0000 0000 b0 04 0000",
      )
    }`,
    pgmTo,
  ),
  ip4(113, `${pgmHead(8, 0)} 00000011 0001 0000 0a00020f 0001 0000 efffc20a`, pgmTo),
  ip4(113, `${pgmHead(9, 0)} 00000011 0001 0000 0a00020f 0001 0000 0001c20a`, pgmTo),
  ip4(113, `${pgmHead(10, 0)} 00000011 0003 0000 0a00020f`, pgmTo),
  ip4(113, `${pgmHead(11, 0)} 00000012 ffffffff`, pgmTo),
  ip4(113, `${pgmHead(12, 0)}`, pgmTo),
  ip4(113, `${pgmHead(99, 0)}`, pgmTo),
  ip4(113, `${pgmHead(2, 1)} 00000004 0001 0000 01 04 0000`, pgmTo),
  ip4(113, `${pgmHead(2, 1)} 00000004 0001 0000 00 05 0000`, pgmTo),
  ip4(113, `${pgmHead(2, 1)} 00000004 0001 0000 00 04 0002`, pgmTo),
  ip4(113, `${pgmHead(2, 1)} 00000004 0001 0000 ${pgmOpts("01 10 0000")}`, pgmTo),
  ip4(113, `${pgmHead(2, 1)} 00000004 0001 0000 ${pgmOpts("02 07 0000 000000")}`, pgmTo),
  ip6(113, `${pgmHead(2, 0)} 00000004 0001 0000`),
];
same("PGM packet types and options", frames(...pgmAll));
sameCut("PGM truncated at every byte", allCuts(pgmAll[4], pgmAll[6]), [["-v"]]);

/** Every truncation of these packets' frames past the IP header. */
function allCuts(...packets: Uint8Array[]): Frame[] {
  return packets.flatMap((p) => cuts(eth(p), p[0] >> 4 === 6 ? 54 : 34));
}

// ---------------------------------------------------------------------------------------------
// DCCP

/**
 * A DCCP packet with a correct checksum: type, extended sequence numbers (x), the body after
 * the generic header (hex: type-specific fields, then options); the data offset counts the
 * header with options, `opts` bytes of which are options.
 */
function dccpPkt(type: number, x: boolean, body: string, opts = 0, ccCs = "00", v6 = false) {
  const hdr = (x ? 16 : 12) + [4, 12, 0, 8, 8, 8, 8, 12, 8, 8][type] + opts;
  const seq = x ? "00 000000000009" : "000009";
  const head = `1388 0fa2 ${(hdr / 4).toString(16).padStart(2, "0")} ${ccCs} 0000 ${
    ((type << 1) | (x ? 1 : 0)).toString(16).padStart(2, "0")
  } ${seq}`;
  const pkt = v6 ? ip6(33, `${head} ${body}`) : ip4(33, `${head} ${body}`);
  return fixSum(pkt, 6);
}
const dccpAll = [
  dccpPkt(0, false, "00000007"),
  dccpPkt(0, true, "00000008 20 04 00 01 02 00 00 00", 8),
  dccpPkt(
    1,
    true,
    "0000 00000000000a 00000020 00 00 00 01 25 04 0102 22 04 01 02 29 06 00000064 2a 08 00000065 0007 2b 04 0009 00",
    28,
  ),
  dccpPkt(2, false, "24 05 aabbcc 26 04 1122 00 00 00 00", 12),
  dccpPkt(
    3,
    false,
    "00 000002 00000000 2a 0a 00000001 00000002 2c 06 01020304 80 04 0102 00 00",
    24,
    "21",
  ),
  dccpPkt(4, true, "0000 00000000000b 07 01 02 03 2b 06 00000001 86 06 00000005 90 03 00", 20),
  dccpPkt(5, false, "00 000003 00000000"),
  dccpPkt(6, false, "00 000003 00000000"),
  dccpPkt(7, false, "00 000004 00000000 05 01 02 03"),
  dccpPkt(7, false, "00 000004 00000000 63 01 02 03"),
  dccpPkt(8, false, "00 000005 00000000 00 01 20 01", 4),
  dccpPkt(9, false, "00 000005 00000000 20 01 29 09", 4),
  dccpPkt(9, false, "00 000005 00000000 29 05 000000", 8),
  dccpPkt(0, false, "00000007", 0, "00", true),
  ip4(33, "1388 0fa2 03 00 0000 00 000001"),
  ip4(33, "1388 0fa2 05 00 0000 08 000001"),
  ip4(33, "1388 0fa2 05 00 0000 01 000001 0000"),
];
same("DCCP packet types and options", frames(...dccpAll), [[], ["-v"], ["-vv"]]);
sameCut("DCCP truncated at every byte", allCuts(dccpAll[2], dccpAll[4]), [["-vv"]]);

// ---------------------------------------------------------------------------------------------
// ICMPv6 node information and RPL

/** An ICMPv6 message with a correct checksum. */
const icmp6Msg = (hex: string) => fixSum(ip6(58, hex, { src: "fe80::1", dst: "fe80::2" }), 2);
const nonce = "0102030405060708";
const icmp6All = [
  icmp6Msg(`8b 00 0000 0003 0002 ${nonce} fe800000000000000000000000000002`),
  icmp6Msg(`8b 00 0000 0003 007e ${nonce} fe800000000000000000000000000002`),
  icmp6Msg(`8b 00 0000 0000 0000 ${nonce}`),
  icmp6Msg(`8b 00 0000 0001 0001 ${nonce} 00`),
  icmp6Msg(`8b 01 0000 0002 0000 ${nonce} 04686f7374076578616d706c6500`),
  icmp6Msg(`8b 01 0000 0002 0000 ${nonce} 04686f7374`),
  icmp6Msg(`8b 02 0000 0004 0000 ${nonce} 0a000001`),
  icmp6Msg(`8b 02 0000 0004 0000 ${nonce} 0a00000102`),
  icmp6Msg(`8b 07 0000 0002 0000 ${nonce} 00`),
  icmp6Msg(`8b 00 0000 0009 0000 ${nonce} fe800000000000000000000000000002`),
  icmp6Msg("8b 00 0000 0003 0002"),
  icmp6Msg(
    `8c 00 0000 0003 003f ${nonce} 00000078 fe800000000000000000000000000002 0000003c 20010db8000000000000000000000001`,
  ),
  icmp6Msg(`8c 00 0000 0002 0001 ${nonce} 0000012c 04686f737400`),
  icmp6Msg(`8c 00 0000 0001 0001 ${nonce}`),
  icmp6Msg(`8c 00 0000 0000 0000 ${nonce} 00`),
  icmp6Msg(`8c 01 0000 0000 0000 ${nonce}`),
  icmp6Msg(`8c 02 0000 0000 0000 ${nonce} 01`),
  icmp6Msg(`8c 00 0000 0009 0000 ${nonce}`),
  icmp6Msg("9b 00 0000 0000 0000"),
  icmp6Msg(
    "9b 01 0000 01 02 0100 88 05 00 00 20010db8000000000000000000000001 00 04 0102 03 02 0a0b",
  ),
  icmp6Msg("9b 01 0000 01 02 0100 88 05 00 00 20010db8"),
  icmp6Msg("9b 02 0000 2a c0 00 07 20010db8000000000000000000000001 05 03 010203 00"),
  icmp6Msg("9b 02 0000 2a 00 00 07 06 02 0102"),
  icmp6Msg("9b 02 0000 2a 40 00 07 2001"),
  icmp6Msg("9b 03 0000 2a 80 07 01 20010db8000000000000000000000001"),
  icmp6Msg("9b 03 0000 2a 00 07 01 01 04 00"),
  icmp6Msg("9b 07 0000 0000"),
  icmp6Msg("9b 80 0000 0000"),
];
same("ICMPv6 node information and RPL", frames(...icmp6All), [[], ["-v"], ["-vv"], ["-vvv"]]);
sameCut(
  "ICMPv6 node information and RPL truncated at every byte",
  allCuts(icmp6All[0], icmp6All[11], icmp6All[21]),
  [["-vv"]],
);
