/**
 * OpenFlow's vendor (experimenter) parts as tcpdump prints them: vendor names, the data left
 * in a message, and Big Switch Networks' messages and actions of OpenFlow 1.0
 * (print-openflow.c, print-openflow-1.0.c). openflow10.ts prints the rest of 1.0.
 *
 * @module
 */
import { OUIS } from "./llc.ts";
import type { Pkt } from "./printer.ts";
import { printn, type Tok, tok, toks } from "./text.ts";
import { hexAsciiIndented } from "./tlv.ts";

/** ONF experimenter IDs (tcpdump's onf_exp_str). */
const ONF_EXPERIMENTERS: Tok = {
  0x4f4e4600: "ONF Extensions",
  [0xff000001]: "Budapest University of Technology and Economics",
  [0xff000002]: "NoviFlow",
  [0xff000003]: "L3+ Extensions, Vendor Neutral",
  [0xff000004]: "L4-L7 Extensions",
  [0xff000005]: "Wireless and Mobility Extensions",
  [0xff000006]: "Forwarding Abstractions Extensions",
  [0xff000007]: "Optical Transport Extensions",
  [0xff000008]: "Network Benchmarking Lab, NCTU",
  [0xff000009]: "Mobile Packet Core Extensions",
  [0xff00000a]: "MPLS-TP OpenFlow Extensions for SPTN",
};

/** tcpdump's of_vendor_name: an OUI when the top byte is 0, else an ONF experimenter. */
export function vendorName(vendor: number): string {
  return ((vendor & 0xff000000) === 0 ? OUIS : ONF_EXPERIMENTERS)[vendor] ?? "unknown";
}

/** tcpdump's of_data_print: the length of what is left, in hex and ASCII from -vv. */
export function dataPrint(p: Pkt, cp: number, len: number): void {
  if (len === 0) return;
  p.out += `\n\t data (${len} octets)`;
  if (p.verbosity >= 2) p.out += hexAsciiIndented(p, cp, len, "\n\t  ");
  else p.need(cp, len);
}

/** `v` in hex, `w` digits. */
export const hex = (v: number, w: number) => v.toString(16).padStart(w, "0");

/** " (invalid)", and the rest must have been captured. */
export function invalid(p: Pkt, cp: number, len: number): void {
  p.out += " (invalid)";
  p.need(cp, len);
}

const OUI_BSN = 0x5c16c7;
const BSN_SUBTYPES: Tok = {
  ...[
    "SET_IP_MASK",
    "GET_IP_MASK_REQUEST",
    "GET_IP_MASK_REPLY",
    "SET_MIRRORING",
    "GET_MIRRORING_REQUEST",
    "GET_MIRRORING_REPLY",
    "SHELL_COMMAND",
    "SHELL_OUTPUT",
    "SHELL_STATUS",
    "GET_INTERFACES_REQUEST",
    "GET_INTERFACES_REPLY",
    "SET_PKTIN_SUPPRESSION_REQUEST",
    "SET_L2_TABLE_REQUEST",
    "GET_L2_TABLE_REQUEST",
    "GET_L2_TABLE_REPLY",
    "VIRTUAL_PORT_CREATE_REQUEST",
    "VIRTUAL_PORT_CREATE_REPLY",
    "VIRTUAL_PORT_REMOVE_REQUEST",
    "BW_ENABLE_SET_REQUEST",
    "BW_ENABLE_GET_REQUEST",
    "BW_ENABLE_GET_REPLY",
    "BW_CLEAR_DATA_REQUEST",
    "BW_CLEAR_DATA_REPLY",
    "BW_ENABLE_SET_REPLY",
    "SET_L2_TABLE_REPLY",
    "SET_PKTIN_SUPPRESSION_REPLY",
    "VIRTUAL_PORT_REMOVE_REPLY",
    "HYBRID_GET_REQUEST",
    "HYBRID_GET_REPLY",
  ],
  31: "PDU_TX_REQUEST",
  32: "PDU_TX_REPLY",
  33: "PDU_RX_REQUEST",
  34: "PDU_RX_REPLY",
  35: "PDU_RX_TIMEOUT",
};
const BSN_ACTIONS = toks("1=MIRROR|2=SET_TUNNEL_DST|4=CHECKSUM");
const BSN_COPY_STAGE = toks("0=INGRESS|1=EGRESS");
const ON_OFF = toks("0=OFF|1=ON");

/** A Big Switch Networks vendor message (tcpdump's of10_bsn_message_print). */
function bsnMessage(p: Pkt, cp: number, len: number): void {
  if (len < 4) return invalid(p, cp, len);
  const subtype = p.u32(cp);
  cp += 4;
  len -= 4;
  p.out += `\n\t subtype ${tok(BSN_SUBTYPES, subtype, "unknown (0x%08x)")}`;
  switch (subtype) {
    case 1: // GET_IP_MASK_REQUEST
      if (len !== 8) return invalid(p, cp, len);
      p.out += `, index ${p.u8(cp)}`;
      p.need(cp + 1, 7);
      return;
    case 0: // SET_IP_MASK
    case 2: // GET_IP_MASK_REPLY
      if (len !== 8) return invalid(p, cp, len);
      p.out += `, index ${p.u8(cp)}`;
      p.out += `, mask ${p.ip4(cp + 4)}`;
      return;
    case 3: // SET_MIRRORING
    case 4: // GET_MIRRORING_REQUEST
    case 5: // GET_MIRRORING_REPLY
      if (len !== 4) return invalid(p, cp, len);
      p.out += `, report_mirror_ports ${tok(ON_OFF, p.u8(cp), "bogus (%u)")}`;
      p.need(cp + 1, 3);
      return;
    case 9: // GET_INTERFACES_REQUEST
    case 13: // GET_L2_TABLE_REQUEST
    case 19: // BW_ENABLE_GET_REQUEST
    case 21: // BW_CLEAR_DATA_REQUEST
    case 27: // HYBRID_GET_REQUEST
      if (len) return invalid(p, cp, len);
      return;
    case 17: // VIRTUAL_PORT_REMOVE_REQUEST
      if (len !== 4) return invalid(p, cp, len);
      p.out += `, vport_no ${p.u32(cp)}`;
      return;
    case 6: // SHELL_COMMAND
      if (len < 4) return invalid(p, cp, len);
      p.out += `, service ${p.u32(cp)}`;
      cp += 4;
      len -= 4;
      p.out += ", data '";
      printn(p, cp, len, false);
      p.out += "'";
      return;
    case 7: // SHELL_OUTPUT
      p.out += ", data '";
      printn(p, cp, len, false);
      p.out += "'";
      return;
    case 8: // SHELL_STATUS
      if (len !== 4) return invalid(p, cp, len);
      p.out += `, status 0x${hex(p.u32(cp), 8)}`;
      return;
    default:
      p.need(cp, len);
  }
}

/** A Big Switch Networks vendor action (tcpdump's of10_bsn_actions_print). */
function bsnAction(p: Pkt, cp: number, len: number): void {
  if (len < 4) return invalid(p, cp, len);
  const subtype = p.u32(cp);
  cp += 4;
  len -= 4;
  p.out += `\n\t  subtype ${tok(BSN_ACTIONS, subtype, "unknown (0x%08x)")}`;
  if (subtype !== 1) return p.need(cp, len);
  if (len !== 12) return invalid(p, cp, len);
  p.out += `, dest_port ${p.u32(cp)}`;
  const tag = p.u32(cp + 4);
  const tpid = tag >>> 16;
  if (tpid === 0) p.out += ", vlan_tag none";
  else if (tpid === 0x8100) {
    const tci = tag & 0xffff;
    p.out += `, vlan_tag 802.1Q (vlan ${tci & 0xfff}, p ${tci >> 13}${
      tci & 0x1000 ? ", DEI" : ""
    })`;
  } else p.out += `, vlan_tag unknown (0x${hex(tpid, 4)})`;
  p.out += `, copy_stage ${tok(BSN_COPY_STAGE, p.u8(cp + 8), "unknown (%u)")}`;
  p.need(cp + 9, 3);
}

/** A vendor action (tcpdump's of10_vendor_action_print). */
export function vendorAction(p: Pkt, cp: number, len: number): void {
  if (len < 4) return invalid(p, cp, len);
  const vendor = p.u32(cp);
  p.out += `, vendor 0x${hex(vendor, 8)} (${vendorName(vendor)})`;
  (vendor === OUI_BSN ? bsnAction : dataPrint)(p, cp + 4, len - 4);
}

/** VENDOR (tcpdump's of10_vendor_message_print). */
export function vendorMessage(p: Pkt, cp: number, len: number): void {
  const vendor = p.u32(cp);
  p.out += `, vendor 0x${hex(vendor, 8)} (${vendorName(vendor)})`;
  (vendor === OUI_BSN ? bsnMessage : dataPrint)(p, cp + 4, len - 4);
}

/** A vendor ID then data (tcpdump's of10_vendor_data_print). */
export function vendorData(p: Pkt, cp: number, len: number): void {
  if (len < 4) return invalid(p, cp, len);
  const vendor = p.u32(cp);
  p.out += `, vendor 0x${hex(vendor, 8)} (${vendorName(vendor)})`;
  dataPrint(p, cp + 4, len - 4);
}
