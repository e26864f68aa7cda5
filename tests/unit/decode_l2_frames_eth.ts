/**
 * Hand-built frames of the link-layer family that ride on their own ethertypes: LLDP, slow
 * protocols, EAPOL, MACsec, PTP, IPX, PPPoE/PPP, MPLS, loopback, CFM, AoE, DECnet and GeoNet
 * (the LLC ones: decode_l2_frames.ts, with the builders).
 *
 * @module
 */
import type { Frame } from "./tcpdump_frames.ts";
import { ascii, BCAST, be16, be32, bytes, dot3, eth, IP_UDP, SRC, u8 } from "./decode_l2_frames.ts";

const SLOW = "0180c2000002";

// ---------------------------------------------------------------------------------------------
// LLDP

function lldpTlv(type: number, value: string): string {
  return be16((type << 9) | bytes(value)) + value;
}

function org(oui: string, subtype: number, value: string): string {
  return lldpTlv(127, oui + u8(subtype) + value);
}

const IEEE1 = "0080c2";
const IEEE3 = "00120f";
const TIA = "0012bb";

export const LLDP_FRAMES: Frame[] = [
  eth(
    0x88cc,
    lldpTlv(1, "04" + SRC) + lldpTlv(2, "05" + ascii("eth0")) + lldpTlv(3, be16(120)) +
      lldpTlv(4, ascii("uplink")) + lldpTlv(5, ascii("host-a")) + lldpTlv(6, ascii("Linux 6")) +
      lldpTlv(7, be16(0x14) + be16(0x10)) +
      lldpTlv(8, "05" + "01" + "0a000001" + "02" + be32(2) + "03" + "2b0601") +
      lldpTlv(8, "07" + "06" + SRC + "03" + be32(1) + "00") +
      lldpTlv(8, "11" + "02" + "fe80" + "00".repeat(13) + "01" + "02" + be32(3)) +
      org(IEEE1, 1, be16(10)) + org(IEEE1, 2, "06" + be16(20)) +
      org(IEEE1, 3, be16(5) + "04" + ascii("data")) +
      org(IEEE1, 4, "02" + "88cc") + org(IEEE1, 7, "03" + be32(5)) + org(IEEE1, 99, "00") +
      org(IEEE3, 1, "03" + be16(0x6c01) + be16(16)) + org(IEEE3, 2, "07" + "01" + "03") +
      org(IEEE3, 3, "01" + be32(0)) + org(IEEE3, 4, be16(9000)) +
      lldpTlv(127, "00005e" + "01" + ascii("https://x.example/mud")) +
      lldpTlv(127, "abcdef" + "01") +
      lldpTlv(99, "0102") + lldpTlv(0, ""),
    "0180c200000e",
  ),
  eth(
    0x88cc,
    lldpTlv(1, "07" + ascii("chassis")) + lldpTlv(2, "03" + SRC) + lldpTlv(3, be16(0)) +
      lldpTlv(1, "05" + "01" + "0a000002") + lldpTlv(2, "04" + "06" + SRC) + lldpTlv(1, "09aa") +
      org(TIA, 1, be16(0x33) + "03") + org(TIA, 2, "01" + "4064" + "0a" + "2e") +
      org(TIA, 3, "01" + "0000000000" + "0000000000" + "1100000000" + "01") +
      org(
        TIA,
        3,
        "02" + "0b" + "02" + ascii("US") + "01" + "02" + ascii("CA") + "06" + "03" + ascii("abc"),
      ) +
      org(TIA, 3, "03" + ascii("911")) + org(TIA, 3, "09" + "0102") +
      org(TIA, 4, "51" + be16(154)) + org(TIA, 4, "92" + be16(2000)) + org(TIA, 5, ascii("1.0")) +
      org(TIA, 11, ascii("asset")) + org(TIA, 99, "00") +
      org(IEEE1, 8, "0f" + "f0") +
      org(IEEE1, 9, "83" + "01234567" + "0a141e28" + "0a0a0a0a" + "0002000200000000") +
      org(IEEE1, 10, "00" + "76543210" + "0c0c0c0c" + "0c0c0c0c" + "0000000000000002") +
      org(IEEE1, 11, "c8" + "81") + org(IEEE1, 12, "00" + "61" + be16(3260) + "a4" + be16(80)) +
      org(IEEE1, 13, "07" + "0f" + "65" + "c5" + "47") +
      org(IEEE1, 14, "80" + "00" + be16(0x0002) + "001002" + "002003") +
      org(
        "001b21",
        2,
        lldpTlv(1, "00" + "00" + be32(1) + be32(2)) +
          lldpTlv(
            2,
            "00" + "00" + "80" + "00" + be32(0x01234567) + "0a141e28" + "0a0a0a0a" + "08",
          ) +
          lldpTlv(3, "00" + "00" + "40" + "00" + "81" + "08") +
          lldpTlv(
            4,
            "00" + "00" + "20" + "00" + be16(0x8906) + "000000" + "08" + be16(3260) + "4011a2" +
              "10",
          ) +
          lldpTlv(9, "00"),
      ) + org("001b21", 1, "00"),
    "0180c200000e",
  ),
  eth(0x88cc, lldpTlv(1, "04" + SRC) + lldpTlv(3, "00")),
  eth(0x88cc, lldpTlv(8, "07" + "06" + SRC)),
  eth(0x88cc, lldpTlv(5, ascii("x")) + be16(0x0a40)),
];

// ---------------------------------------------------------------------------------------------
// Slow protocols, EAPOL, MACsec, PTP

const ACTOR = "0114" + be16(0x8000) + SRC + be16(1) + be16(0xff) + be16(1) + "3d" + "000000";

export const SLOW_FRAMES: Frame[] = [
  eth(
    0x8809,
    "0101" + ACTOR + ACTOR.replace("0114", "0214") + "0310" + be16(5) + "00".repeat(12) +
      "0000" + "00".repeat(50),
    SLOW,
  ),
  eth(0x8809, "0101" + "0113" + "00".repeat(17) + "0208" + "00".repeat(6) + "0500", SLOW),
  eth(0x8809, "0201" + "0110" + be16(3) + SRC + be32(0x12345678) + "0000" + "0000", SLOW),
  eth(0x8809, "0102", SLOW),
  eth(0x8809, "07", SLOW),
  eth(
    0x8809,
    "03" + be16(0x0058) + "00" + "0110" + "01" + be16(1) + "05" + "1f" + be16(1500) +
      "00000c" + be32(7) + "0210" + "01" + be16(1) + "00" + "00" + be16(0) + "000000" + be32(0) +
      "fe05" + "001b21aa" + "0000",
    SLOW,
  ),
  eth(
    0x8809,
    "03" + be16(0x0001) + "01" + be16(9) + "0128" + be16(10) + "00".repeat(6) + "01" +
      "00".repeat(7) + "02" + "00".repeat(7) + "03" + "00".repeat(7) + "04" + be32(5) + "0303" +
      "00",
    SLOW,
  ),
  eth(0x8809, "03" + be16(0x0000) + "04" + "01", SLOW),
  eth(0x8809, "03" + be16(0x0000) + "02" + "0102", SLOW),
  eth(0x8809, "03", SLOW),
];

export const EAPOL_FRAMES: Frame[] = [
  eth(0x888e, "0101" + be16(0), "0180c2000003"),
  eth(0x888e, "0102" + be16(0)),
  eth(0x888e, "0103" + be16(4) + "01020304"),
  eth(0x888e, "0100" + be16(10) + "01" + "01" + be16(10) + "01" + ascii("alice")),
  eth(0x888e, "0200" + be16(5) + "02" + "02" + be16(5) + "01"),
  eth(0x888e, "0100" + be16(7) + "01" + "03" + be16(7) + "02" + ascii("hi")),
  eth(0x888e, "0100" + be16(7) + "02" + "04" + be16(7) + "03" + "0415"),
  eth(0x888e, "0100" + be16(10) + "01" + "05" + be16(10) + "0d" + "80" + be32(1000)),
  eth(0x888e, "0100" + be16(6) + "01" + "05" + be16(6) + "15" + "21"),
  eth(0x888e, "0100" + be16(6) + "01" + "05" + be16(6) + "2b" + "a1"),
  eth(0x888e, "0100" + be16(8) + "01" + "05" + be16(8) + "17" + "01" + "0000"),
  eth(0x888e, "0100" + be16(4) + "03" + "06" + be16(4)),
  eth(0x888e, "0100" + be16(9) + "01" + "06" + be16(4)),
  eth(0x888e, "0100" + be16(0)),
  eth(0x888e, "0100" + be16(5) + "01" + "07" + be16(5) + "0d"),
];

export const MACSEC_FRAMES: Frame[] = [
  eth(0x88e5, "0c" + "00" + be32(1) + "0011223344550001" + "00".repeat(32)), // encrypted, SCI
  eth(0x88e5, "20" + "00" + be32(2) + SRC + "0001" + "0800" + IP_UDP + "00".repeat(16)), // clear
  eth(0x88e5, "00" + "0c" + be32(3) + "88b5" + "0102030405060708" + "00".repeat(18)), // short
  eth(0x88e5, "00" + "3f" + be32(4) + "88b5" + "0102" + "00".repeat(16)), // SL too large
  eth(0x88e5, "80" + "00" + be32(5) + "00".repeat(30)), // version bit
  eth(0x88e5, "00" + "00" + be32(6) + "8100" + "0064" + "0800" + IP_UDP + "00".repeat(16)),
  eth(0x88e5, "24" + "00" + be32(7)), // SCI missing
];

const PTP_HDR = (type: number, len: number) =>
  u8(type) + "02" + be16(len) + "2c00" + be16(0x0608) + "000000000002" + be16(0x8000) +
  be32(0) + "0011223344556677" + be16(1) + be16(42) + u8(type < 6 ? type : 5) + "fd";

export const PTP_FRAMES: Frame[] = [
  eth(0x88f7, PTP_HDR(0, 44) + "000061a8b3c4" + be32(999)),
  eth(0x88f7, PTP_HDR(1, 44) + "00".repeat(10)),
  eth(0x88f7, PTP_HDR(2, 54) + "00".repeat(10) + "0011223344556677" + be16(2)),
  eth(0x88f7, PTP_HDR(3, 54) + "00".repeat(10) + "0011223344556677" + be16(3)),
  eth(0x88f7, PTP_HDR(8, 44) + "000000000001" + be32(5)),
  eth(0x88f7, PTP_HDR(9, 54) + "00".repeat(10) + "8011223344556677" + be16(4)),
  eth(0x88f7, PTP_HDR(0xa, 54) + "00".repeat(10) + "0011223344556677" + be16(5)),
  eth(
    0x88f7,
    PTP_HDR(0xb, 64) + "00".repeat(10) + be16(37) + "00" + "80" + "f8" + "fe" +
      be16(0xffff) + "80" + "0011223344556677" + be16(1) + "a0",
  ),
  eth(0x88f7, PTP_HDR(0xc, 44) + "0011223344556677" + be16(6)),
  eth(0x88f7, PTP_HDR(0xd, 48) + "0011223344556677" + be16(7) + "01020304"),
  eth(0x88f7, PTP_HDR(0x1f, 44) + "00".repeat(10)), // reserved type, v1 compat bit
  eth(0x88f7, "0001" + "00".repeat(40)), // version 1
  eth(0x88f7, "0003" + "00".repeat(40)), // version 3
  eth(0x88f7, "0002" + "00".repeat(10)), // too short
  eth(
    0x0800,
    "45000048" + "0001" + "4000" + "4011" + "0000" + "0a000001" + "0a000002" + be16(319) +
      be16(319) + be16(52) + "0000" + PTP_HDR(0, 44) + "00".repeat(10),
  ),
];

// ---------------------------------------------------------------------------------------------
// IPX

function ipxPacket(dstSocket: number, data: string): string {
  return "ffff" + be16(30 + bytes(data)) + "00" + "04" + be32(0) + BCAST + be16(dstSocket) +
    be32(0x12) + SRC + be16(0x4008) + data;
}

const SAP_ENTRY = be16(0x0004) + ascii("FILESERVER").padEnd(96, "0") + be32(0x12) + SRC +
  be16(0x0451) + be16(1);

export const IPX_FRAMES: Frame[] = [
  eth(0x8137, ipxPacket(0x0452, be16(1) + be16(0x0004))),
  dot3("e0e003" + ipxPacket(0x0452, be16(2) + SAP_ENTRY + SAP_ENTRY), BCAST),
  dot3(ipxPacket(0x0453, be16(1) + be32(0xffffffff) + be16(0xffff) + be16(0xffff)), BCAST),
  dot3(
    ipxPacket(0x0453, be16(2) + be32(0x12) + be16(1) + be16(2) + be32(0x13) + be16(2) + be16(3)),
    BCAST,
  ),
  eth(0x8137, ipxPacket(0x0451, "0102")),
  eth(0x8137, ipxPacket(0x0455, "0102")),
  eth(0x8137, ipxPacket(0x0456, "0102")),
  eth(0x8137, ipxPacket(0x0553, "0102")),
  eth(0x8137, ipxPacket(0x4444, "0102")),
  eth(0x8137, ipxPacket(0x0452, be16(3) + be16(0x0278))),
  eth(0x8137, ipxPacket(0x0452, be16(9))),
  eth(0x8137, ipxPacket(0x0453, be16(7))),
  eth(0x8137, ipxPacket(0x0453, be16(1) + "0102")),
  eth(0x8137, ipxPacket(0x0452, be16(4) + be16(4) + ascii("x"))),
  eth(0x8137, "ffff" + be16(20) + "00".repeat(26)),
];

// ---------------------------------------------------------------------------------------------
// PPPoE and PPP

function session(ppp: string, id = 0x0011): Frame {
  return eth(0x8864, "11" + "00" + be16(id) + be16(bytes(ppp)) + ppp);
}

function cp(proto: number, code: number, id: number, body: string): string {
  return be16(proto) + u8(code) + u8(id) + be16(4 + bytes(body)) + body;
}

const LCP_OPTIONS = "0104" + be16(1492) + "0206" + be32(0) + "0304" + "c023" + "0305" + "c223" +
  "05" + "0506" + be32(0x12345678) + "0702" + "0802" + "0d0306" + "1104" + be16(1500) +
  "1303" + "00" + "1307" + "02" + "0a000001" + "1309" + "03" + SRC + "1704" + be16(7) +
  "0404" + "c025" + "0a03" + "01" + "0006" + "00000c" + "01" + "3303" + "00" + "0304c227" +
  "0306" + "1234" + "0000";

export const PPP_FRAMES: Frame[] = [
  eth(0x8863, "1109" + be16(0) + be16(12) + "0101" + be16(0) + "0103" + be16(4) + "12345678"),
  eth(
    0x8863,
    "1107" + be16(0) + be16(28) + "0102" + be16(6) + ascii("isp-ac") + "0104" +
      be16(4) + "00010203" + "0101" + be16(0) + "0000" + be16(0),
  ),
  eth(0x8863, "1165" + be16(0x0011) + be16(4) + "0203" + be16(0)),
  eth(0x8863, "11a7" + be16(0x0011) + be16(0)),
  eth(0x8863, "2109" + be16(0) + be16(2000)),
  eth(0x8863, "1133" + be16(0) + be16(0)),
  session(cp(0xc021, 1, 1, LCP_OPTIONS)),
  session(cp(0xc021, 2, 1, "0104" + be16(1492) + "0503" + "00")),
  session(cp(0xc021, 9, 2, be32(0x12345678) + "0102")),
  session(cp(0xc021, 10, 2, be32(0x12345678))),
  session(cp(0xc021, 5, 3, "")),
  session(cp(0xc021, 8, 4, "8021" + "0102")),
  session(cp(0xc021, 12, 5, be32(1) + ascii("hello"))),
  session(cp(0xc021, 13, 6, be32(1) + be32(3600))),
  session(cp(0xc021, 0, 7, be32(1) + "00000c" + "01")),
  session(cp(0xc021, 99, 8, "0102")),
  session(be16(0xc021) + "0101" + be16(2)),
  session(be16(0xc021) + "01"),
  session(cp(
    0x8021,
    1,
    1,
    "0306" + "0a000001" + "8106" + "08080808" + "0206" + "002d0f01" +
      "0210" + "0061" + be16(15) + be16(1) + be16(2) + be16(3) + be16(4) + "0102" + "0a0a" +
      "010a" + "02" + "0000" + "03" + "0000",
  )),
  session(cp(0x8057, 1, 1, "010a" + "0011223344556677" + "0202")),
  session(cp(0x80fd, 1, 1, "1503" + "2f" + "1804" + "a501" + "1a04" + "7800" + "1102" + "ff02")),
  session(cp(0xc02b, 1, 1, "0106" + be32(7) + "0202")),
  session(cp(0x8023, 1, 1, "0102")),
  session(
    be16(0xc223) + "01" + "01" + be16(21) + "10" + "00112233445566778899aabbccddeeff" + ascii("r"),
  ),
  session(be16(0xc223) + "03" + "01" + be16(8) + ascii("okay")),
  session(be16(0xc223) + "02"),
  session(be16(0xc023) + "01" + "01" + be16(13) + "04" + ascii("user") + "03" + ascii("pwd")),
  session(be16(0xc023) + "02" + "01" + be16(8) + "03" + ascii("yes")),
  session(be16(0xc023) + "01" + "01" + be16(200) + "00"),
  session(be16(0x0021) + IP_UDP),
  session("21" + IP_UDP),
  session(
    be16(0x0057) + "6000000000083a40" + "fe80" + "00".repeat(13) + "01" + "ff02" +
      "00".repeat(13) + "01" + "8000" + "0000" + "00000001",
  ),
  session(be16(0x003d) + "c001" + "0102"),
  session(be16(0x00fd) + "0102"),
  session(be16(0x002b) + ipxPacket(0x0451, "")),
  session(be16(0x0281) + "00001140" + IP_UDP),
  session(be16(0x0023) + "8300"),
  session(be16(0xc227) + "0102"),
  session(be16(0x4321) + "0102"),
  session(be16(0x7e21) + "7d01"),
  session("ff03" + be16(0xc021) + "0101" + be16(4)),
  eth(0x880b, "ff03" + be16(0xc021) + "0901" + be16(8) + be32(5)),
];

// ---------------------------------------------------------------------------------------------
// MPLS

const IP6_ICMP = "6000000000083a40" + "20010db8" + "00".repeat(11) + "01" + "20010db8" +
  "00".repeat(11) + "02" + "8000" + "0000" + "00010002";

export const MPLS_FRAMES: Frame[] = [
  eth(0x8847, be32((100 << 12) | (5 << 9) | 0x40) + be32((0 << 12) | 0x100 | 0x3f) + IP_UDP),
  eth(0x8847, be32((2 << 12) | 0x100 | 0x40) + IP6_ICMP),
  eth(0x8847, be32((16 << 12) | 0x100 | 0x40) + IP_UDP),
  eth(0x8847, be32((16 << 12) | 0x100 | 0x40) + IP6_ICMP),
  eth(0x8848, be32((17 << 12) | 0x100 | 0x40) + "8308"),
  eth(0x8847, be32((18 << 12) | 0x100 | 0x40) + "00112233445566778899"),
  eth(0x8847, be32((1 << 12) | 0x40) + be32((3 << 12) | 0x100) + IP_UDP),
  eth(0x8847, be32(0x40)),
  eth(0x8847, "0000"),
  eth(
    0x0800,
    "45000030" + "0001" + "0000" + "4011" + "0000" + "0a000001" + "0a000002" +
      be16(6635) + be16(6635) + be16(28) + "0000" + be32((20 << 12) | 0x100 | 0x40) +
      "0102030405060708" + "45000000",
  ),
];

// ---------------------------------------------------------------------------------------------
// Loopback, CFM, AoE, DECnet, GeoNet

function le16(n: number): string {
  return u8(n) + u8(n >> 8);
}

/** A DECnet packet: short routing header (`flags`, 1.2 to 1.1, no visits), then an NSP message. */
function decnetShort(flags: string, nsp: string): Frame {
  return eth(0x6003, le16(6 + bytes(nsp)) + flags + le16(0x0401) + le16(0x0402) + "00" + nsp);
}

function cfmTlv(type: number, value: string): string {
  return u8(type) + be16(bytes(value)) + value;
}

export const OTHER_FRAMES: Frame[] = [
  eth(0x9000, le16(0) + le16(1) + le16(7) + "0102030405"),
  eth(0x9000, le16(8) + "00".repeat(8) + le16(2) + SRC + le16(1) + le16(0)),
  eth(0x9000, le16(3) + "000000" + le16(5)),
  eth(0x9000, le16(200)),
  eth(0x9000, le16(0) + le16(2) + "0011"),
  eth(
    0x8902,
    "00" + "01" + "05" + "46" + be32(7) + be16(1) + "04" + "03" + ascii("dom") + "02" + "02" +
      ascii("ma") + "00".repeat(56) + cfmTlv(2, "02") + cfmTlv(3, "01") +
      cfmTlv(1, "07" + "04" + SRC + "03" + "2b0601" + "02" + "0102") +
      cfmTlv(1, "05" + "05" + "01" + "0a000001" + "00") + cfmTlv(31, "00000c" + "01" + "aa") +
      cfmTlv(4, "0102") + "00",
  ),
  eth(
    0x8902,
    "20" + "01" + "87" + "46" + be32(1) + be16(2) + "01" + "03" + "06" + SRC + "00".repeat(53) +
      "00",
  ),
  eth(0x8902, "00" + "03" + "00" + "04" + be32(9) + "00"),
  eth(0x8902, "00" + "05" + "80" + "11" + be32(9) + "40" + SRC + "0011223344aa" + "00"),
  eth(0x8902, "00" + "04" + "e0" + "06" + be32(9) + "3f" + "02" + cfmTlv(5, "01" + SRC) + "00"),
  eth(0x8902, "01" + "01" + "00" + "00"),
  eth(0x8902, "00" + "01" + "00" + "ff"),
  eth(0x8902, "00" + "01" + "00" + "04"),
  eth(0x8902, "00" + "09" + "00" + "00" + cfmTlv(2, "")),
  eth(0xabcd, "00" + "02" + "00" + "04" + be32(1)),
  eth(
    0x88a2,
    "10" + "00" + be16(0x1234) + "05" + "00" + be32(0x11223344) + "50" + "00" + "02" +
      "ec" + "000000000000" + "0000" + "00".repeat(8),
  ),
  eth(
    0x88a2,
    "18" + "00" + be16(1) + "00" + "01" + be32(1) + be16(16) + be16(0x4001) + "02" + "21" +
      be16(5) + ascii("hello"),
  ),
  eth(
    0x88a2,
    "1c" + "03" + be16(1) + "00" + "02" + be32(1) + "00" + "01" + "00" + "02" + "00" + "01" +
      SRC + "00" + "02" + "0011223344aa",
  ),
  eth(0x88a2, "18" + "00" + be16(1) + "00" + "03" + be32(1) + "01" + "02" + SRC + "0011223344aa"),
  eth(0x88a2, "1f" + "09" + be16(1) + "00" + "07" + be32(1)),
  eth(0x88a2, "10" + "00" + be16(1) + "00" + "00" + be32(1) + "00"),
  eth(0x88a2, "20"),
  eth(
    0x6003,
    le16(38) + "0d" + "02" + "00" + "00" + "aa0004000104" + "03" + le16(1498) + "00" +
      "00".repeat(8) + "aa0004000204" + le16(10) + "00" + "aa",
  ),
  eth(
    0x6003,
    le16(18) + "0b" + "02" + "00" + "00" + "aa0004000104" + "02" + le16(1498) + "40" +
      "00" + le16(15) + "00",
  ),
  eth(
    0x6003,
    le16(12) + "01" + le16(0x0401) + "0b" + le16(576) + "02" + "00" + "00" + le16(15) + "00",
  ),
  eth(0x6003, le16(6) + "03" + le16(0x0401) + "07" + "0000"),
  eth(0x6003, le16(6) + "05" + le16(0x0401) + "aa" + "0000"),
  eth(0x6003, le16(16) + "07" + le16(0x0401) + "00" + le16(2) + le16(1) + le16(0x0805) + le16(0)),
  eth(0x6003, le16(16) + "09" + le16(0x0401) + "00" + le16(1) + le16(3) + le16(0x1c0a) + le16(0)),
  eth(0x6003, le16(6) + "0f" + "0000000000"),
  decnetShort("3a", "60" + le16(0x2003) + le16(0x2004) + le16(0x8001) + le16(0xa002) + le16(3)),
  eth(
    0x6003,
    le16(30) + "86" + "00" + "00" + "aa0004000104" + "00" + "00" + "aa0004000204" + "00" +
      "05" + "00" + "00" + "04" + le16(0x2003) + le16(0x2004) + le16(0x9001) + le16(0xb002),
  ),
  eth(
    0x6003,
    le16(30) + "8306" + "00" + "00" + "aa0004000104" + "00" + "00" + "aa0004000204" + "00" +
      "05" + "00" + "00" + "04" + le16(0x2003) + le16(0x2004) + le16(0x9001) + le16(0xb002),
  ),
  decnetShort("02", "10" + le16(0x2003) + le16(0x2004) + le16(0x8001) + le16(0x2002) + "04" + "05"),
  decnetShort("02", "10" + le16(0x2003) + le16(0x2004) + le16(1) + le16(0) + "07" + "05"),
  decnetShort("02", "30" + le16(0x2003) + le16(0x2004) + le16(0x9005) + le16(0xa001) + le16(4)),
  decnetShort("02", "30" + le16(0x2003) + le16(0x2004) + le16(5)),
  decnetShort("02", "04" + le16(0x2003) + le16(0x2004) + le16(0x8001) + le16(0xb002)),
  decnetShort("02", "14" + le16(0x2003) + le16(0x2004) + le16(0x9001) + le16(0x2002)),
  decnetShort("02", "24" + le16(0x2003)),
  decnetShort("02", "34" + le16(0x2003) + le16(0x2004)),
  decnetShort("02", "18" + le16(0) + le16(0x2004) + "04" + "02" + le16(1000)),
  decnetShort("02", "68" + le16(0) + le16(0x2004) + "08" + "01" + le16(1000)),
  decnetShort("02", "28" + le16(0x2003) + le16(0x2004) + "00" + "03" + le16(1000) + "05"),
  decnetShort("02", "38" + le16(0x2003) + le16(0x2004) + le16(42) + "01"),
  decnetShort("02", "38" + le16(0x2003) + le16(0x2004) + le16(77) + "00"),
  decnetShort("02", "48" + le16(0x2003) + le16(0x2004) + le16(41)),
  decnetShort("02", "78" + le16(0x2003) + le16(0x2004)),
  decnetShort("02", "0c" + le16(0x2003) + le16(0x2004)),
  decnetShort("02", "50" + le16(0x2003) + le16(0x2004)),
  decnetShort("02", "60" + le16(0x2003)),
  decnetShort("02", "40" + le16(0x2003)),
  decnetShort("02", "10" + le16(0x2003) + le16(0x2004) + le16(0x8001) + "0000" + "00" + "ff"),
  eth(0x6003, le16(10) + "46" + "00".repeat(8)),
  eth(0x6003, le16(10) + "04" + "00".repeat(8)),
  eth(0x6003, le16(200) + "06"),
  eth(0x6003, le16(2) + "06"),
  eth(
    0x8947,
    "11" + "51" + "00" + "00" + be16(8) + "00" + "02" + "0000000c426d54db" + "00000000" +
      be32(514775183) + be32(56605966) + "0000" + "0000" + "00000000" + "00".repeat(32) +
      be16(2001) + be16(2002) + "01" + "00",
  ),
  eth(
    0x8947,
    "01" + "10" + "00" + "00" + be16(0) + "00" + "01" + "0000000c426d54db" + "00".repeat(20),
  ),
  eth(
    0x8947,
    "22" + "21" + "00" + "00" + be16(0) + "00" + "01" + "0000000c426d54db" + "00".repeat(30),
  ),
  eth(
    0x0707,
    "11" + "50" + "00" + "00" + be16(8) + "00" + "01" + "0000000c426d54db" + "00".repeat(20) +
      be16(2001),
  ),
  eth(0x8947, "11" + "10"),
  eth(0x1111, "0102" + "0304"),
  eth(0x1111, "01"),
];
