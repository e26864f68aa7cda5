/**
 * Hand-built frames of the link-layer family (LLC/SNAP, STP, IS-IS, CDP, DTP, VTP, UDLD,
 * LLDP, slow protocols, EAPOL, MACsec, PTP, IPX, PPPoE/PPP, MPLS, loopback, CFM, AoE, DECnet,
 * GeoNet): each protocol's message types and options, including the ones the corpus lacks.
 * decode_l2_test.ts holds the decoder to tcpdump's text for every one of them and every cut of
 * them.
 *
 * @module
 */
import { type Frame, hex } from "./tcpdump_frames.ts";

const SRC = "001122334455";
const BRIDGES = "0180c2000000";
const CISCO = "01000ccccccc";
const SLOW = "0180c2000002";
const BCAST = "ffffffffffff";

/** Hex of a 16-bit big-endian value. */
export function be16(n: number): string {
  return (n & 0xffff).toString(16).padStart(4, "0");
}

/** Hex of a 32-bit big-endian value. */
export function be32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function u8(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

/** Hex of ASCII text. */
export function ascii(s: string): string {
  return [...s].map((c) => u8(c.charCodeAt(0))).join("");
}

function bytes(h: string): number {
  return h.replace(/[^0-9a-fA-F]/g, "").length / 2;
}

function frame(h: string): Frame {
  const data = hex(h);
  if (data.length >= 60) return { data };
  const padded = new Uint8Array(60);
  padded.set(data);
  return { data: padded };
}

/** An Ethernet II frame, padded to 60 bytes. */
export function eth(type: number, payload: string, dst = BCAST, src = SRC): Frame {
  return frame(dst + src + be16(type) + payload);
}

/** An 802.3 frame whose length field counts `payload`, padded to 60 bytes. */
export function dot3(payload: string, dst = BRIDGES, src = SRC): Frame {
  return frame(dst + src + be16(bytes(payload)) + payload);
}

/** An 802.3 frame with an LLC UI header and a SNAP header. */
export function snap(oui: number, pid: number, payload: string, dst = CISCO): Frame {
  return dot3("aaaa03" + oui.toString(16).padStart(6, "0") + be16(pid) + payload, dst);
}

// ---------------------------------------------------------------------------------------------
// LLC and SNAP

const IP_UDP = "450000240001000040117ae50a0000010a00000204d2162e00100000" + "0102030405060708";

export const LLC_FRAMES: Frame[] = [
  dot3("441034000102030405060708090a0b0c0d0e0f10", "0cc47a08e912"), // I frame, unknown SAPs
  dot3("04040300112233"), // UI, SNA
  dot3("0405af810100"), // XID with the IEEE format
  dot3("0405bf8101"), // XID, final, too short for its fields
  dot3("0405af01"), // XID without the format identifier
  dot3("0404e3"), // TEST
  dot3("0405f3"), // TEST, final
  dot3("040501020000"), // RR
  dot3("040505030000"), // RNR, final
  dot3("04050a030000"), // REJ
  dot3("0404870000"), // FRMR
  dot3("0404ff"), // unknown U command
  dot3("aaaa03123456000102030405"), // SNAP, unknown OUI
  dot3("aaaa030000000800" + IP_UDP), // SNAP, IPv4
  dot3("aaaa030000001234aabbccdd"), // SNAP, unknown ethertype
  dot3("aaaa030000f80800" + IP_UDP), // Cisco bridged, IPv4
  dot3("aaaa0300000c9999aabb"), // Cisco, unknown PID
  dot3("aaaa030080c20007" + "0000" + BCAST + SRC + "0800" + IP_UDP), // bridged Ethernet
  dot3("f0f003ffef0800000000"), // NetBEUI
  dot3("060603" + IP_UDP), // IP SAP
  dot3("fefe03" + "cc" + IP_UDP), // IPv4 by OSI NLPID
  dot3("aaaa0300"), // SNAP cut short
  dot3("05"), // LLC cut short
  dot3("1011"), // two bytes
  eth(0x8870, "0404e3"), // jumbo type: LLC follows
];

// ---------------------------------------------------------------------------------------------
// STP

const ROOT = "8001" + "00190600b880";
const BRIDGE = "8002" + "00190600b885";

function stpCommon(version: number, type: number, flags: number): string {
  return "0000" + u8(version) + u8(type) + u8(flags) + ROOT + be32(4) + BRIDGE + be16(0x8005) +
    be16(0x100) + be16(0x1400) + be16(0x200) + be16(0xf00);
}

function mstp(version: number, mstis: number): string {
  const name = ascii("region-1").padEnd(64, "0");
  const config = "00" + name + be16(7) + "0123456789abcdef0123456789abcdef";
  let s = stpCommon(version, 2, 0x7c) + "00" + be16(64 + 16 * mstis) + config + be32(20000) +
    BRIDGE + "14";
  for (let i = 1; i <= mstis; i++) {
    s += u8(i % 2 ? 0x7c : 0x01) + be16(0x8000 + i) + "00190600b880" + be32(i * 100) + "80" +
      "80" + "13";
  }
  return s;
}

function spb(): string {
  const aux = "00" + ascii("aux").padEnd(64, "0") + be16(3) + "00112233445566778899aabbccddeeff";
  const v4 = aux + "d5" + "00" + "12" + "34" + be16(7) + be32(0) + be32(0) +
    "000102030405060708090a0b0c0d0e0f1011121314";
  return mstp(4, 1) + be16(bytes(v4)) + v4;
}

export const STP_FRAMES: Frame[] = [
  dot3("424203" + stpCommon(0, 0, 0x81).slice(0, 70)), // 802.1D config, TC and TC ACK
  dot3("424203" + stpCommon(2, 2, 0x3e) + "00"), // RSTP, proposal, designated
  dot3("424203" + stpCommon(2, 2, 0x3e)), // RSTP one byte short: invalid
  dot3("424203" + "00000080"), // topology change notification
  dot3("424203" + "00000700"), // unknown version
  dot3("424203" + "12340000"), // not STP
  dot3("424203" + "0000"), // too short
  dot3("424203" + "000002f0"), // RSTP, unknown BPDU type
  dot3("424203" + mstp(3, 2)), // MSTP with two MSTIs
  dot3("424203" + mstp(3, 0).slice(0, 180)), // MSTP too short
  dot3("424203" + spb()), // SPB
  snap(0x00000c, 0x010b, stpCommon(2, 2, 0x0c) + "00" + "00000200020000", "01000ccccccd"), // PVST+
  snap(0x0080c2, 0x000e, stpCommon(0, 0, 0)), // bridged BPDU
];

// ---------------------------------------------------------------------------------------------
// IS-IS

const SYS1 = "192168001001";
const SYS2 = "192168001002";

function tlv(type: number, value: string): string {
  return u8(type) + u8(bytes(value)) + value;
}

/** An IS-IS PDU on LLC: the common header, the PDU's own header (`{len}` is the PDU length). */
function isis(type: number, header: string, tlvs: string, dst = "0180c2000014"): Frame {
  const fixed = 8 + bytes(header.replace("{len}", "0000"));
  const total = fixed + bytes(tlvs);
  const pdu = "83" + u8(fixed) + "01" + "00" + u8(type) + "01" + "00" + "00" +
    header.replace("{len}", be16(total)) + tlvs;
  return dot3("fefe03" + pdu, dst);
}

const LAN_IIH = "01" + SYS1 + "001e" + "{len}" + "40" + SYS2 + "01";
const P2P_IIH = "03" + SYS1 + "001e" + "{len}" + "01";
const LSP_ID = SYS1 + "0000";

function lsp(type: number, flags: string, cksum: number, tlvs: string): Frame {
  return isis(type, "{len}" + "04b0" + LSP_ID + be32(0x1f) + be16(cksum) + flags, tlvs);
}

const IS_SUBTLVS = tlv(3, be32(0xff)) + tlv(6, "0a000001") + tlv(8, "0a000002") +
  tlv(9, "4cee6b28") + tlv(10, "4c3ebc20") + tlv(11, "4c3ebc20".repeat(8)) + tlv(18, "00000a") +
  tlv(19, "0003") + tlv(20, "0407") + tlv(22, "00" + "4c3ebc20" + "4b3ebc20") +
  tlv(29, "000014" + "05" + "0001") + tlv(32, "30" + "0a" + SYS2 + "000010") +
  tlv(21, "01" + "02" + "0000" + "4c3ebc20".repeat(8) + "4b3ebc20" + "05dc") + tlv(250, "0102");
const EXT_IS = SYS2 + "00" + "00000a" + u8(bytes(IS_SUBTLVS)) + IS_SUBTLVS;

const IP_SUBTLVS = tlv(1, be32(100)) + tlv(2, be32(1) + be32(2)) +
  tlv(3, "40" + "00" + be32(16000)) + tlv(3, "88" + "01" + "003e80") + tlv(9, "aa");
const EXT_IP = be32(10) + "18" + "0a0102" + be32(20) + "58" + "c0a812" + u8(bytes(IP_SUBTLVS)) +
  IP_SUBTLVS;

const IP6_SUBTLVS = tlv(1, be32(7)) + tlv(117, be32(9));
const IP6_REACH = be32(10) + "00" + "40" + "20010db800010002" + be32(30) + "60" + "30" +
  "20010db80000" + u8(bytes(IP6_SUBTLVS)) + IP6_SUBTLVS;

const SPB_MCID = "00" + ascii("mcid").padEnd(64, "0") + be16(1) + "00".repeat(16);

/** A CLNP PDU: header (type byte with flags), addresses, then `rest` (segment part, options). */
function clnpPdu(type: number, rest: string, data: string, cksum = 0): string {
  const addrs = "03" + "490001" + "05" + "4900011921";
  const li = 9 + bytes(addrs) + bytes(rest);
  return "81" + u8(li) + "01" + "1f" + u8(type) + be16(li + bytes(data)) + be16(cksum) + addrs +
    rest +
    data;
}

function esisPdu(type: number, body: string): string {
  return "82" + u8(9 + bytes(body)) + "01" + "00" + u8(type) + be16(30) + be16(0) + body;
}

const OSI_FRAMES: Frame[] = [
  dot3("fefe03" + clnpPdu(0x1c, "", "0102030405")),
  dot3(
    "fefe03" + clnpPdu(
      0xbc,
      be16(7) + be16(0) + be16(40) + "cd0105" + "c30180" + "c301c7" +
        "c5020101" + "c101a1" + "c1010b" + "cc0200" + "c8070101" + "03490001" + "cb030002" + "00" +
        "ff020102",
      "aa",
      0x1234,
    ),
  ),
  dot3("fefe03" + clnpPdu(0x01, "c10181", clnpPdu(0x1e, "", "0102"))),
  dot3("fefe03" + clnpPdu(0x1f, "", "ab")),
  dot3("fefe03" + clnpPdu(0x1e, "c1", "")),
  dot3("fefe03" + "8106010000000000"),
  dot3("fefe03" + "81ff01"),
  dot3("fefe03" + "8110020000000000"),
  dot3("fefe03" + "810a010000000a000000"),
  dot3(
    "fefe03" + esisPdu(
      2,
      "02" + "03" + "490001" + "05" + "4900011921" + "8102cc8e" + "c6020005" +
        "c5010a",
    ),
  ),
  dot3("fefe03" + esisPdu(4, "05" + "4900011921" + "c603000102")),
  dot3("fefe03" + esisPdu(6, "03" + "490001" + "06" + SRC + "05" + "4900011921")),
  dot3("fefe03" + esisPdu(6, "03" + "490001" + "02" + "0102" + "00")),
  dot3("fefe03" + esisPdu(9, "0102")),
  dot3("fefe03" + esisPdu(2, "05")),
  dot3("fefe03" + "820801" + "0000000000"),
  dot3("fefe03" + "820b02" + "0000000000000000"),
  dot3("fefe03" + "82"),
  dot3("fefe03" + "00" + "0102"), // NULL NLPID
  dot3("fefe03" + "99" + "0102"), // unknown NLPID
  dot3("fefe03" + "cf" + "c021" + "0101" + be16(4)), // PPP by NLPID
];

export const ISIS_FRAMES: Frame[] = [
  isis(
    15,
    LAN_IIH,
    tlv(1, "03490001") + tlv(129, "cc8e81") + tlv(132, "0a000001") + tlv(6, SRC + "0011223344aa") +
      tlv(211, "01001e") + tlv(211, "02001e" + SYS2) + tlv(229, "00004002") +
      tlv(232, "fe80" + "00".repeat(12) + "0001") +
      tlv(10, "01" + ascii("secret")) + tlv(241, be32(42)) + tlv(8, "00".repeat(20)) +
      tlv(99, "abcd"),
  ),
  isis(
    17,
    P2P_IIH,
    tlv(1, "0d490001") + tlv(240, "02" + be32(1) + SYS2 + be32(7)) + tlv(240, "00") +
      tlv(7, be16(1) + be16(2) + be16(3)) + tlv(137, ascii("router-a")) +
      tlv(10, "36" + "00".repeat(16)) + tlv(10, "03" + be16(5) + "aabb") + tlv(10, "ff0102"),
  ),
  isis(
    17,
    P2P_IIH,
    tlv(
      143,
      be16(0x0001) + tlv(4, SPB_MCID + SPB_MCID) + tlv(5, "14" + "00112233".repeat(8)) +
        tlv(6, be32(0x0080c201) + be16(0x0640)),
    ) +
      tlv(
        144,
        be16(0x8000) + tlv(
          1,
          "00".repeat(8) + be32(10) + be16(0x8000) + be32(0x1234) + "01" +
            "c0" + be32(0x0080c201) + "001002",
        ) + tlv(3, SRC + be16(0x1064) + be32(0x80000064)),
      ),
  ),
  lsp(
    20,
    "03",
    0,
    tlv(137, ascii("r1")) + tlv(129, "cc") + tlv(22, EXT_IS) + tlv(135, EXT_IP) +
      tlv(236, IP6_REACH) + tlv(134, "0a0000ff") +
      tlv(222, "0002" + SYS2 + "00" + "000005" + "00") +
      tlv(235, "4000" + be32(5) + "20" + "0a000000") +
      tlv(237, "0002" + be32(5) + "00" + "00") + tlv(24, SYS2 + "01" + "00") +
      tlv(242, "0a0000ff" + "01" + tlv(2, "c0" + "000100" + "0103" + "003e80") + tlv(9, "00")),
  ),
  lsp(
    18,
    "bb",
    0x1234,
    tlv(2, "00" + "0a8080a0" + SYS2 + "00" + "4a808080" + SYS1 + "01") + tlv(3, "0a000000" + SYS2) +
      tlv(128, "0a808080" + "0a000000" + "ffffff00" + "ca000000" + "0a000000" + "ff00ff00") +
      tlv(130, "4a808080" + "c0a80000" + "ffff0000") + tlv(12, "0000") +
      tlv(13, "02" + SYS1 + SYS2) + tlv(14, be16(1492)) + tlv(250, "00000c" + "0102") +
      tlv(138, SYS2 + "01" + "01" + "0a000001" + "0a000002" + be32(1)) + tlv(4, SYS2) +
      tlv(5, "00808080" + "06" + "490001" + "01") + tlv(131, "02" + be16(65000)) +
      tlv(131, "01" + "aabb"),
  ),
  isis(
    24,
    "{len}" + SYS1 + "00" + "00".repeat(8) + "ff".repeat(8),
    tlv(9, "04b0" + LSP_ID + be32(3) + be16(0x1234)) + tlv(12, "1234"),
  ),
  isis(27, "{len}" + SYS1 + "00", tlv(9, "0000" + LSP_ID + be32(1) + be16(0))),
  isis(16, LAN_IIH.replace("01" + SYS1, "02" + SYS1), tlv(1, "03490001")),
  isis(99, "", ""), // unknown PDU type
  dot3("fefe03" + "8308020006010000"), // version 2
  dot3("fefe03" + "831b0100070100ff" + "00".repeat(19)), // sys id length 7
  dot3("fefe03" + "83ff0100000100ff"), // fixed length beyond the PDU
  dot3("fefe03" + "8304010000010000"), // fixed length too small
  dot3("fefe03" + "831b010000010000" + "00".repeat(19)), // LAN IIH with a bogus fixed length
  ...OSI_FRAMES,
  eth(0xfefe, "00" + "8314010000110100" + "03" + SYS1 + "001e" + "0014" + "01"), // Cisco OSI type
];

// ---------------------------------------------------------------------------------------------
// Cisco: CDP, DTP, VTP, UDLD

function cdpTlv(type: number, value: string): string {
  return be16(type) + be16(4 + bytes(value)) + value;
}

const CDP_TLVS = cdpTlv(1, ascii("switch-1")) +
  cdpTlv(
    2,
    be32(2) + "01" + "01" + "cc" + be16(4) + "0a000001" + "02" + "08" + "aaaa0300000086dd" +
      be16(16) + "20010db8" + "00".repeat(11) + "01",
  ) +
  cdpTlv(3, ascii("Gi0/1")) + cdpTlv(4, be32(0x29)) +
  cdpTlv(5, ascii("IOS\nVersion 15")) + cdpTlv(6, ascii("cisco WS-C3560")) +
  cdpTlv(7, "0a000000" + "08" + "c0a80000" + "10") + cdpTlv(8, "0102") + cdpTlv(9, ascii("vtp")) +
  cdpTlv(10, be16(1)) + cdpTlv(11, "01") + cdpTlv(14, "01" + be16(100)) + cdpTlv(15, be16(0x2000)) +
  cdpTlv(16, be16(6300)) + cdpTlv(17, be32(1500)) + cdpTlv(18, "00") + cdpTlv(19, "00") +
  cdpTlv(20, ascii("sys")) + cdpTlv(21, "0102") +
  cdpTlv(22, be32(1) + "03" + "01" + "ff" + be16(2) + "abcd") + cdpTlv(23, "01" + ascii("lab")) +
  cdpTlv(12, "00") + cdpTlv(99, "0102") + cdpTlv(11, "0102");

export const CISCO_FRAMES: Frame[] = [
  snap(0x00000c, 0x2000, "02b4" + "1234" + CDP_TLVS),
  snap(0x00000c, 0x2000, "01b4" + "1234" + cdpTlv(1, ascii("x")) + be16(3) + be16(2)),
  snap(0x00000c, 0x2000, "01b4" + "1234" + cdpTlv(1, "") + be16(1) + be16(200)),
  snap(0x00000c, 0x2000, "01b4"),
  snap(
    0x00000c,
    0x2004,
    "01" + be16(1) + be16(9) + ascii("dom\0\0") + be16(2) + be16(5) + "81" +
      be16(3) + be16(5) + "a5" + be16(4) + be16(10) + SRC + be16(0) + be16(0),
  ),
  snap(0x00000c, 0x2004, "01" + be16(2) + be16(6) + "81"),
  snap(0x00000c, 0x2004, "01" + be16(9) + be16(2)),
  snap(0x00000c, 0x2004, ""),
  snap(
    0x00000c,
    0x0111,
    "21" + "03" + be16(0x1234) + be16(1) + be16(12) + ascii("FOC1234X") +
      be16(2) + be16(9) + ascii("Gi0/1") + be16(3) + be16(12) + ascii("ab\0d") + "00000001" +
      be16(4) + be16(5) + "07" + be16(5) + be16(5) + "05" + be16(6) + be16(8) + ascii("sw-a") +
      be16(7) + be16(8) + be32(99) + be16(9) + be16(6) + "0102",
  ),
  snap(0x00000c, 0x0111, "42" + "ff" + be16(0) + be16(4) + be16(5) + "0708"),
  snap(0x00000c, 0x0111, "21"),
  snap(
    0x00000c,
    0x2003,
    "01" + "01" + "02" + "03" + ascii("lab").padEnd(64, "0") + be32(7) +
      "0a000001" + ascii("930301000000") + "00".repeat(16),
  ),
  snap(
    0x00000c,
    0x2003,
    "01" + "02" + "01" + "03" + ascii("lab").padEnd(64, "0") + be32(7) +
      "14" + "00" + "01" + "07" + be16(1) + be16(1500) + be32(0x186a1) + ascii("default") + "00" +
      "14" + "01" + "02" + "04" + be16(2) + be16(1500) + be32(0x186a2) + ascii("vl02") +
      "0301" + be16(3),
  ),
  snap(
    0x00000c,
    0x2003,
    "01" + "02" + "01" + "03" + ascii("lab").padEnd(64, "0") + be32(7) +
      "18" + "00" + "01" + "04" + be16(1) + be16(1500) + be32(0x186a1) + ascii("vl01") +
      "0601" + be16(1) + "0701" + be16(1) + "0a01" + be16(0) + "0901" + be16(7) + "0401" + be16(3),
  ),
  snap(0x00000c, 0x2003, "01" + "03" + "00" + "03" + ascii("lab").padEnd(64, "0") + be32(1)),
  snap(0x00000c, 0x2003, "01" + "04" + "00" + "00" + "00".repeat(32)),
  snap(0x00000c, 0x2003, "01" + "01"),
];

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
