/**
 * Hand-built frames of the link-layer family on LLC (LLC/SNAP, STP, IS-IS, CLNP, ES-IS, CDP,
 * DTP, VTP, UDLD) and the builders of them all (the others: decode_l2_frames_eth.ts): each
 * protocol's message types and options, including the ones the corpus lacks.
 * decode_l2_test.ts holds the decoder to tcpdump's text for every one of them and every cut of
 * them.
 *
 * @module
 */
import { hex } from "./helpers.ts";
import type { Frame } from "./tcpdump_frames.ts";

/** The source MAC address of the frames. */
export const SRC = "001122334455";
const BRIDGES = "0180c2000000";
const CISCO = "01000ccccccc";
export const BCAST = "ffffffffffff";

/** Hex of a 16-bit big-endian value. */
export function be16(n: number): string {
  return (n & 0xffff).toString(16).padStart(4, "0");
}

/** Hex of a 32-bit big-endian value. */
export function be32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** Hex of a byte. */
export function u8(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

/** Hex of ASCII text. */
export function ascii(s: string): string {
  return [...s].map((c) => u8(c.charCodeAt(0))).join("");
}

/** Bytes in hex text. */
export function bytes(h: string): number {
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

/** An IPv4 UDP datagram (a bad header checksum, as tcpdump -v shows). */
export const IP_UDP = "450000240001000040117ae50a0000010a00000204d2162e00100000" +
  "0102030405060708";

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
