/**
 * OpenFlow 1.0's structures as tcpdump prints them (print-openflow-1.0.c): physical ports,
 * queues and their properties, flow matches and action lists, with the tables of names and
 * bits they use. The messages that carry them are openflow10.ts's and openflow10_stats.ts's.
 *
 * @module
 */
import { hex, invalid, vendorAction } from "./openflow_vendor.ts";
import { hexBytes, type Pkt } from "./printer.ts";
import { type BitTok, bitTok, bitToks, printjnp, type Tok, tok, toks } from "./text.ts";

/** A body printer: the message's bytes after the header. */
export type BodyPrinter = (p: Pkt, cp: number, len: number) => void;

/** tcpdump's of_bitmap_print: the names of the assigned bits set, " (bogus)" for the others. */
export function bitmap(p: Pkt, t: BitTok, v: number, unassigned: number): void {
  if ((v & ~unassigned) !== 0) p.out += ` (${bitTok(t, v, "")})`;
  if ((v & unassigned) !== 0) p.out += " (bogus)";
}

/** The bits of `t` as a mask of the others (the C's OFP*_U macros). */
export function unassignedOf(t: BitTok): number {
  let m = 0;
  for (const [b] of t) m |= b;
  return ~m;
}

export const PORT_CONFIG = bitToks(
  "1=PORT_DOWN|2=NO_STP|4=NO_RECV|8=NO_RECV_STP|16=NO_FLOOD|32=NO_FWD|64=NO_PACKET_IN",
);
export const PORT_CONFIG_U = unassignedOf(PORT_CONFIG);
const STP_STATE = toks("0=STP_LISTEN|0x100=STP_LEARN|0x200=STP_FORWARD|0x300=STP_BLOCK");
const PORT_STATE_U = ~(1 | 0x300);
const PORTS = toks(
  "0xff00=MAX|0xfff8=IN_PORT|0xfff9=TABLE|0xfffa=NORMAL|0xfffb=FLOOD|0xfffc=ALL|" +
    "0xfffd=CONTROLLER|0xfffe=LOCAL|0xffff=NONE",
);
export const PORT_FEATURES = bitToks(
  "1=10MB_HD|2=10MB_FD|4=100MB_HD|8=100MB_FD|16=1GB_HD|32=1GB_FD|64=10GB_FD|128=COPPER|" +
    "256=FIBER|512=AUTONEG|1024=PAUSE|2048=PAUSE_ASYM",
);
export const PORT_FEATURES_U = unassignedOf(PORT_FEATURES);
const QUEUE_PROPS = toks("0=NONE|1=MIN_RATE");
export const WILDCARDS = bitToks(
  "1=IN_PORT|2=DL_VLAN|4=DL_SRC|8=DL_DST|16=DL_TYPE|32=NW_PROTO|64=TP_SRC|128=TP_DST|" +
    "0x100000=DL_VLAN_PCP|0x200000=NW_TOS",
);
export const WILDCARDS_U = ~((1 << 22) - 1);
const ACTION_NAMES = [
  "OUTPUT",
  "SET_VLAN_VID",
  "SET_VLAN_PCP",
  "STRIP_VLAN",
  "SET_DL_SRC",
  "SET_DL_DST",
  "SET_NW_SRC",
  "SET_NW_DST",
  "SET_NW_TOS",
  "SET_TP_SRC",
  "SET_TP_DST",
  "ENQUEUE",
];
const ACTIONS: Tok = { ...ACTION_NAMES, 0xffff: "VENDOR" };
export const ACTION_BITS: BitTok = ACTION_NAMES.map((n, i) => [1 << i, n] as const);
export const ACTION_BITS_U = unassignedOf(ACTION_BITS);
export const QUEUE_ID: Tok = { [0xffffffff]: "ALL" };

export const u64 = (p: Pkt, i: number) => (BigInt(p.u32(i)) << 32n) | BigInt(p.u32(i + 4));
export const u64hex = (p: Pkt, i: number) => u64(p, i).toString(16).padStart(16, "0");
export const port = (v: number) => tok(PORTS, v, "%u");

/** A MAC address, 6 bytes, that must have been captured. */
export function mac(p: Pkt, i: number): string {
  p.need(i, 6);
  return hexBytes(p.d, i, 6, ":");
}

/** tcpdump's vlan_str. */
function vlan(vid: number): string {
  if (vid === 0xffff) return "NONE";
  return `${vid}${vid > 0 && vid < 0x0fff ? "" : " (bogus)"}`;
}

/** tcpdump's pcp_str. */
function pcp(v: number): string {
  return `${v}${v <= 7 ? "" : " (bogus)"}`;
}

/** `len` bytes as a quoted string up to a NUL ('Table 0'). */
export function quoted(p: Pkt, cp: number, len: number): void {
  p.out += "'";
  printjnp(p, cp, len);
  p.out += "'";
}

/** A physical port (tcpdump's of10_phy_port_print), 48 bytes. */
export function phyPort(p: Pkt, cp: number): void {
  p.out += `\n\t  port_no ${port(p.u16(cp))}`;
  p.out += `, hw_addr ${mac(p, cp + 2)}`;
  p.out += ", name ";
  quoted(p, cp + 8, 16);
  cp += 24;
  if (p.verbosity < 2) return p.need(cp, 24);
  p.out += `\n\t   config 0x${hex(p.u32(cp), 8)}`;
  bitmap(p, PORT_CONFIG, p.u32(cp), PORT_CONFIG_U);
  const state = p.u32(cp + 4);
  p.out += `\n\t   state 0x${hex(state, 8)} (${STP_STATE[state & 0x300]}${
    state & 1 ? ", LINK_DOWN" : ""
  })${state & PORT_STATE_U ? " (bogus)" : ""}`;
  const features = ["curr", "advertised", "supported", "peer"];
  for (let k = 0; k < 4; k++) {
    const v = p.u32(cp + 8 + 4 * k);
    p.out += `\n\t   ${features[k]} 0x${hex(v, 8)}`;
    bitmap(p, PORT_FEATURES, v, PORT_FEATURES_U);
  }
}

/** Queue properties (tcpdump's of10_queue_props_print). */
function queueProps(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 8) return invalid(p, cp, len);
    const property = p.u16(cp);
    p.out += `\n\t   property ${tok(QUEUE_PROPS, property, "invalid (0x%04x)")}`;
    const plen = p.u16(cp + 2);
    cp += 4;
    len -= 4;
    p.out += `, len ${plen}`;
    if (plen < 8 || plen > len + 4) return invalid(p, cp, len);
    p.need(cp, 4);
    cp += 4;
    len -= 4;
    let skip = property !== 0 && property !== 1;
    if (!skip && plen !== (property === 0 ? 8 : 16)) {
      p.out += " (bogus)";
      skip = true;
    }
    if (skip) {
      p.need(cp, plen - 8);
      cp += plen - 8;
      len -= plen - 8;
      continue;
    }
    if (property === 1) {
      const rate = p.u16(cp);
      cp += 2;
      len -= 2;
      p.out += rate > 1000 ? ", rate disabled" : `, rate ${Math.floor(rate / 10)}.${rate % 10}%`;
      p.need(cp, 6);
      cp += 6;
      len -= 6;
    }
  }
}

/** Queues (tcpdump's of10_queues_print). */
export function queues(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 8) return invalid(p, cp, len);
    p.out += `\n\t  queue_id ${p.u32(cp)}`;
    const desclen = p.u16(cp + 4);
    cp += 6;
    len -= 6;
    p.out += `, len ${desclen}`;
    if (desclen < 8 || desclen > len + 6) return invalid(p, cp, len);
    p.need(cp, 2);
    cp += 2;
    len -= 2;
    if (p.verbosity >= 2) queueProps(p, cp, desclen - 8);
    else p.need(cp, desclen - 8);
    cp += desclen - 8;
    len -= desclen - 8;
  }
}

/** A flow match, 40 bytes (tcpdump's of10_match_print); each field on a line of `pfx`. */
export function match(p: Pkt, pfx: string, cp: number): void {
  const w = p.u32(cp);
  if (w & WILDCARDS_U) p.out += `${pfx}wildcards 0x${hex(w, 8)} (bogus)`;
  if (!(w & 1)) p.out += `${pfx}match in_port ${port(p.u16(cp + 4))}`;
  if (!(w & 4)) p.out += `${pfx}match dl_src ${mac(p, cp + 6)}`;
  if (!(w & 8)) p.out += `${pfx}match dl_dst ${mac(p, cp + 12)}`;
  if (!(w & 2)) p.out += `${pfx}match dl_vlan ${vlan(p.u16(cp + 18))}`;
  if (!(w & 0x100000)) p.out += `${pfx}match dl_vlan_pcp ${pcp(p.u8(cp + 20))}`;
  const dlType = p.u16(cp + 22);
  if (!(w & 16)) p.out += `${pfx}match dl_type 0x${hex(dlType, 4)}`;
  if (!(w & 0x200000)) p.out += `${pfx}match nw_tos 0x${hex(p.u8(cp + 24), 2)}`;
  const nwProto = p.u8(cp + 25);
  if (!(w & 32)) {
    const name = !(w & 16) && dlType === 0x0806 ? "arp_opcode" : "nw_proto";
    p.out += `${pfx}match ${name} ${nwProto}`;
  }
  let bits = (w >>> 8) & 0x3f;
  if (bits < 32) p.out += `${pfx}match nw_src ${p.ip4(cp + 28)}/${32 - bits}`;
  bits = (w >>> 14) & 0x3f;
  if (bits < 32) p.out += `${pfx}match nw_dst ${p.ip4(cp + 32)}/${32 - bits}`;
  const icmp = !(w & 16) && dlType === 0x0800 && !(w & 32) && nwProto === 1;
  if (!(w & 64)) p.out += `${pfx}match ${icmp ? "icmp_type" : "tp_src"} ${p.u16(cp + 36)}`;
  if (!(w & 128)) p.out += `${pfx}match ${icmp ? "icmp_code" : "tp_dst"} ${p.u16(cp + 38)}`;
  else p.need(cp + 38, 2);
}

/** An action list (tcpdump's of10_actions_print); each action on a line of `pfx`. */
export function actions(p: Pkt, pfx: string, cp: number, len: number): void {
  while (len) {
    if (len < 8) return invalid(p, cp, len);
    const type = p.u16(cp);
    p.out += `${pfx}action type ${tok(ACTIONS, type, "invalid (0x%04x)")}`;
    const alen = p.u16(cp + 2);
    cp += 4;
    len -= 4;
    p.out += `, len ${alen}`;
    if (alen < 8 || alen > len + 4) return invalid(p, cp, len);
    let want = -1;
    if (type <= 10) want = type === 4 || type === 5 ? 16 : 8;
    else if (type === 11) want = 16;
    let skip = want < 0 && type !== 0xffff;
    if ((want >= 0 && alen !== want) || (type === 0xffff && alen % 8 !== 0)) {
      p.out += " (bogus)";
      skip = true;
    }
    if (skip) {
      p.need(cp, alen - 4);
      cp += alen - 4;
      len -= alen - 4;
      continue;
    }
    switch (type) {
      case 0: { // OUTPUT
        const out = p.u16(cp);
        p.out += `, port ${port(out)}`;
        if (out === 0xfffd) p.out += `, max_len ${p.u16(cp + 2)}`;
        else p.need(cp + 2, 2);
        break;
      }
      case 1: // SET_VLAN_VID
        p.out += `, vlan_vid ${vlan(p.u16(cp))}`;
        p.need(cp + 2, 2);
        break;
      case 2: // SET_VLAN_PCP
        p.out += `, vlan_pcp ${pcp(p.u8(cp))}`;
        p.need(cp + 1, 3);
        break;
      case 4: // SET_DL_SRC
      case 5: // SET_DL_DST
        p.out += `, dl_addr ${mac(p, cp)}`;
        p.need(cp + 6, 6);
        break;
      case 6: // SET_NW_SRC
      case 7: // SET_NW_DST
        p.out += `, nw_addr ${p.ip4(cp)}`;
        break;
      case 8: // SET_NW_TOS
        p.out += `, nw_tos 0x${hex(p.u8(cp), 2)}`;
        p.need(cp + 1, 3);
        break;
      case 9: // SET_TP_SRC
      case 10: // SET_TP_DST
        p.out += `, tp_port ${p.u16(cp)}`;
        p.need(cp + 2, 2);
        break;
      case 11: // ENQUEUE
        p.out += `, port ${port(p.u16(cp))}`;
        p.out += `, queue_id ${tok(QUEUE_ID, p.u32(cp + 8), "%u")}`;
        break;
      case 0xffff:
        vendorAction(p, cp, alen - 4);
        break;
      case 3: // STRIP_VLAN
        p.need(cp, 4);
        break;
    }
    cp += alen - 4;
    len -= alen - 4;
  }
}
