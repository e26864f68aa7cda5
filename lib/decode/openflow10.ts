/**
 * OpenFlow 1.0 message bodies at -v (tcpdump's print-openflow-1.0.c): switch features and
 * ports, configuration, flow matches and actions, flow and port modifications, statistics
 * requests and replies, queues, errors (the vendor parts, Big Switch Networks' extensions among
 * them, are openflow_vendor.ts's). With
 * -vvv the Ethernet frame a PACKET_IN or PACKET_OUT carries is decoded in turn, at the
 * verbosity less three, as tcpdump does.
 *
 * Every function takes the body after the common 8-byte header (`cp`, `len`) and prints what
 * tcpdump prints; lengths it finds wrong print " (invalid)" and skip the rest of the body.
 *
 * @module
 */
import { ether } from "./ether.ts";
import {
  dataPrint,
  hex,
  invalid,
  vendorAction,
  vendorData,
  vendorMessage,
} from "./openflow_vendor.ts";
import { hexBytes, type Pkt } from "./printer.ts";
import { type BitTok, bitTok, bitToks, printjnp, type Tok, tok, toks } from "./text.ts";

export { dataPrint, vendorName } from "./openflow_vendor.ts";

/** A body printer: the message's bytes after the header. */
export type BodyPrinter = (p: Pkt, cp: number, len: number) => void;

/** tcpdump's of_bitmap_print: the names of the assigned bits set, " (bogus)" for the others. */
function bitmap(p: Pkt, t: BitTok, v: number, unassigned: number): void {
  if ((v & ~unassigned) !== 0) p.out += ` (${bitTok(t, v, "")})`;
  if ((v & unassigned) !== 0) p.out += " (bogus)";
}

/** The bits of `t` as a mask of the others (the C's OFP*_U macros). */
function unassignedOf(t: BitTok): number {
  let m = 0;
  for (const [b] of t) m |= b;
  return ~m;
}

const PORT_CONFIG = bitToks(
  "1=PORT_DOWN|2=NO_STP|4=NO_RECV|8=NO_RECV_STP|16=NO_FLOOD|32=NO_FWD|64=NO_PACKET_IN",
);
const PORT_CONFIG_U = unassignedOf(PORT_CONFIG);
const STP_STATE = toks("0=STP_LISTEN|0x100=STP_LEARN|0x200=STP_FORWARD|0x300=STP_BLOCK");
const PORT_STATE_U = ~(1 | 0x300);
const PORTS = toks(
  "0xff00=MAX|0xfff8=IN_PORT|0xfff9=TABLE|0xfffa=NORMAL|0xfffb=FLOOD|0xfffc=ALL|" +
    "0xfffd=CONTROLLER|0xfffe=LOCAL|0xffff=NONE",
);
const PORT_FEATURES = bitToks(
  "1=10MB_HD|2=10MB_FD|4=100MB_HD|8=100MB_FD|16=1GB_HD|32=1GB_FD|64=10GB_FD|128=COPPER|" +
    "256=FIBER|512=AUTONEG|1024=PAUSE|2048=PAUSE_ASYM",
);
const PORT_FEATURES_U = unassignedOf(PORT_FEATURES);
const QUEUE_PROPS = toks("0=NONE|1=MIN_RATE");
const WILDCARDS = bitToks(
  "1=IN_PORT|2=DL_VLAN|4=DL_SRC|8=DL_DST|16=DL_TYPE|32=NW_PROTO|64=TP_SRC|128=TP_DST|" +
    "0x100000=DL_VLAN_PCP|0x200000=NW_TOS",
);
const WILDCARDS_U = ~((1 << 22) - 1);
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
const ACTION_BITS: BitTok = ACTION_NAMES.map((n, i) => [1 << i, n] as const);
const ACTION_BITS_U = unassignedOf(ACTION_BITS);
const CAPABILITIES = bitToks(
  "1=FLOW_STATS|2=TABLE_STATS|4=PORT_STATS|8=STP|16=RESERVED|32=IP_REASM|64=QUEUE_STATS|" +
    "128=ARP_MATCH_IP",
);
const CAPABILITIES_U = ~(1 | 2 | 4 | 8 | 32 | 64 | 128);
const CONFIG_FLAGS = toks("0=FRAG_NORMAL|1=FRAG_DROP|2=FRAG_REASM");
const FLOW_COMMANDS = toks("0=ADD|1=MODIFY|2=MODIFY_STRICT|3=DELETE|4=DELETE_STRICT");
const BUFFER_ID: Tok = { [0xffffffff]: "NONE" };
const FLOW_MOD_FLAGS = bitToks("1=SEND_FLOW_REM|2=CHECK_OVERLAP|4=EMERG");
const FLOW_MOD_FLAGS_U = unassignedOf(FLOW_MOD_FLAGS);
const STATS_TYPES = toks("0=DESC|1=FLOW|2=AGGREGATE|3=TABLE|4=PORT|5=QUEUE|0xffff=VENDOR");
const TABLE_ID = toks("0xfe=EMERG|0xff=ALL");
const QUEUE_ID: Tok = { [0xffffffff]: "ALL" };
const REPLY_FLAGS = bitToks("1=MORE");
const REPLY_FLAGS_U = ~1;
const PACKET_IN_REASONS = toks("0=NO_MATCH|1=ACTION");
const FLOW_REMOVED_REASONS = toks("0=IDLE_TIMEOUT|1=HARD_TIMEOUT|2=DELETE");
const PORT_STATUS_REASONS = toks("0=ADD|1=DELETE|2=MODIFY");
const ERROR_TYPES = toks(
  "0=HELLO_FAILED|1=BAD_REQUEST|2=BAD_ACTION|3=FLOW_MOD_FAILED|4=PORT_MOD_FAILED|" +
    "5=QUEUE_OP_FAILED",
);
const ERROR_CODES: readonly Tok[] = [
  toks("0=INCOMPATIBLE|1=EPERM"),
  toks(
    "0=BAD_VERSION|1=BAD_TYPE|2=BAD_STAT|3=BAD_VENDOR|4=BAD_SUBTYPE|5=EPERM|6=BAD_LEN|" +
      "7=BUFFER_EMPTY|8=BUFFER_UNKNOWN",
  ),
  toks(
    "0=BAD_TYPE|1=BAD_LEN|2=BAD_VENDOR|3=BAD_VENDOR_TYPE|4=BAD_OUT_PORT|5=BAD_ARGUMENT|" +
      "6=EPERM|7=TOO_MANY|8=BAD_QUEUE",
  ),
  toks(
    "0=ALL_TABLES_FULL|1=OVERLAP|2=EPERM|3=BAD_EMERG_TIMEOUT|4=BAD_COMMAND|5=UNSUPPORTED",
  ),
  toks("0=BAD_PORT|1=BAD_HW_ADDR"),
  toks("0=BAD_PORT|1=BAD_QUEUE|2=EPERM"),
];

const u64 = (p: Pkt, i: number) => (BigInt(p.u32(i)) << 32n) | BigInt(p.u32(i + 4));
const u64hex = (p: Pkt, i: number) => u64(p, i).toString(16).padStart(16, "0");
const port = (v: number) => tok(PORTS, v, "%u");

function mac(p: Pkt, i: number): string {
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
function quoted(p: Pkt, cp: number, len: number): void {
  p.out += "'";
  printjnp(p, cp, len);
  p.out += "'";
}

/**
 * The frame a PACKET_IN or PACKET_OUT carries (tcpdump's of10_packet_data_print): its length,
 * and with -vvv the frame itself, decoded at the verbosity less three within the message.
 */
function packetData(p: Pkt, cp: number, len: number): void {
  if (len === 0) return;
  p.out += `\n\t data (${len} octets)`;
  if (p.verbosity < 3) return p.need(cp, len);
  p.out += ", frame decoding below\n";
  // tcpdump lowers ndo_vflag by three and narrows the snapshot end for the nested frame.
  const state = p as { verbose: boolean; verbosity: number };
  const end = p.end;
  state.verbosity -= 3;
  state.verbose = state.verbosity > 0;
  p.end = Math.min(cp + len, end);
  try {
    ether(p, cp, len);
  } finally {
    p.end = end;
    state.verbosity += 3;
    state.verbose = true;
  }
}

/** A physical port (tcpdump's of10_phy_port_print), 48 bytes. */
function phyPort(p: Pkt, cp: number): void {
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
function queues(p: Pkt, cp: number, len: number): void {
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
function match(p: Pkt, pfx: string, cp: number): void {
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
function actions(p: Pkt, pfx: string, cp: number, len: number): void {
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

/** FEATURES_REPLY (tcpdump's of10_features_reply_print). */
function featuresReply(p: Pkt, cp: number, len: number): void {
  p.out += `\n\t dpid 0x${u64hex(p, cp)}`;
  p.out += `, n_buffers ${p.u32(cp + 8)}`;
  p.out += `, n_tables ${p.u8(cp + 12)}`;
  const caps = p.u32(cp + 16);
  p.out += `\n\t capabilities 0x${hex(caps, 8)}`;
  bitmap(p, CAPABILITIES, caps, CAPABILITIES_U);
  const acts = p.u32(cp + 20);
  p.out += `\n\t actions 0x${hex(acts, 8)}`;
  bitmap(p, ACTION_BITS, acts, ACTION_BITS_U);
  cp += 24;
  len -= 24;
  while (len) {
    if (len < 48) return invalid(p, cp, len);
    phyPort(p, cp);
    cp += 48;
    len -= 48;
  }
}

/** GET_CONFIG_REPLY, SET_CONFIG (tcpdump's of10_switch_config_msg_print). */
function switchConfig(p: Pkt, cp: number): void {
  p.out += `\n\t flags ${tok(CONFIG_FLAGS, p.u16(cp), "invalid (0x%04x)")}`;
  p.out += `, miss_send_len ${p.u16(cp + 2)}`;
}

/** A 16-bit field printed only when not zero. */
function nonZero(p: Pkt, name: string, at: number): void {
  const v = p.u16(at);
  if (v) p.out += `, ${name} ${v}`;
}

/** FLOW_MOD (tcpdump's of10_flow_mod_print). */
function flowMod(p: Pkt, cp: number, len: number): void {
  match(p, "\n\t ", cp);
  p.out += `\n\t cookie 0x${u64hex(p, cp + 40)}`;
  const command = p.u16(cp + 48);
  p.out += `, command ${tok(FLOW_COMMANDS, command, "invalid (0x%04x)")}`;
  nonZero(p, "idle_timeout", cp + 50);
  nonZero(p, "hard_timeout", cp + 52);
  nonZero(p, "priority", cp + 54);
  if (command <= 2) p.out += `, buffer_id ${tok(BUFFER_ID, p.u32(cp + 56), "0x%08x")}`;
  if (command === 3 || command === 4) p.out += `, out_port ${port(p.u16(cp + 60))}`;
  const flags = p.u16(cp + 62);
  p.out += `, flags 0x${hex(flags, 4)}`;
  bitmap(p, FLOW_MOD_FLAGS, flags, FLOW_MOD_FLAGS_U);
  actions(p, "\n\t ", cp + 64, len - 64);
}

/** PORT_MOD (tcpdump's of10_port_mod_print). */
function portMod(p: Pkt, cp: number): void {
  p.out += `\n\t port_no ${port(p.u16(cp))}`;
  p.out += `, hw_addr ${mac(p, cp + 2)}`;
  const names = ["config", "mask", "advertise"];
  for (let k = 0; k < 3; k++) {
    const v = p.u32(cp + 8 + 4 * k);
    p.out += `\n\t ${names[k]} 0x${hex(v, 8)}`;
    if (k < 2) bitmap(p, PORT_CONFIG, v, PORT_CONFIG_U);
    else bitmap(p, PORT_FEATURES, v, PORT_FEATURES_U);
  }
  p.need(cp + 20, 4);
}

/** QUEUE_GET_CONFIG_REQUEST. */
function queueGetConfigRequest(p: Pkt, cp: number): void {
  p.out += `\n\t port ${port(p.u16(cp))}`;
  p.need(cp + 2, 2);
}

/** QUEUE_GET_CONFIG_REPLY. */
function queueGetConfigReply(p: Pkt, cp: number, len: number): void {
  p.out += `\n\t port ${port(p.u16(cp))}`;
  p.need(cp + 2, 6);
  queues(p, cp + 8, len - 8);
}

/** STATS_REQUEST (tcpdump's of10_stats_request_print). */
function statsRequest(p: Pkt, cp: number, len: number): void {
  const type = p.u16(cp);
  p.out += `\n\t type ${tok(STATS_TYPES, type, "invalid (0x%04x)")}`;
  const flags = p.u16(cp + 2);
  p.out += `, flags 0x${hex(flags, 4)}${flags ? " (bogus)" : ""}`;
  cp += 4;
  len -= 4;
  switch (type) {
    case 0: // DESC
    case 3: // TABLE
      if (len) invalid(p, cp, len);
      return;
    case 1: // FLOW
    case 2: // AGGREGATE
      if (len !== 44) return invalid(p, cp, len);
      match(p, "\n\t ", cp);
      p.out += `\n\t table_id ${tok(TABLE_ID, p.u8(cp + 40), "%u")}`;
      p.out += `, out_port ${port(p.u16(cp + 42))}`;
      return;
    case 4: // PORT
      if (len !== 8) return invalid(p, cp, len);
      p.out += `\n\t port_no ${port(p.u16(cp))}`;
      p.need(cp + 2, 6);
      return;
    case 5: // QUEUE
      if (len !== 8) return invalid(p, cp, len);
      p.out += `\n\t port_no ${port(p.u16(cp))}`;
      p.out += `, queue_id ${tok(QUEUE_ID, p.u32(cp + 4), "%u")}`;
      return;
    case 0xffff:
      return vendorData(p, cp, len);
  }
}

/** The DESC statistics reply. */
function descStats(p: Pkt, cp: number, len: number): void {
  if (len !== 1056) return invalid(p, cp, len);
  const fields: [string, number][] = [
    ["mfr_desc", 256],
    ["hw_desc", 256],
    ["sw_desc", 256],
    ["serial_num", 32],
    ["dp_desc", 256],
  ];
  for (const [name, n] of fields) {
    p.out += `\n\t  ${name} `;
    quoted(p, cp, n);
    cp += n;
  }
}

/** The FLOW statistics reply's entries. */
function flowStats(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 88) return invalid(p, cp, len);
    const entryLen = p.u16(cp);
    p.out += `\n\t length ${entryLen}`;
    if (entryLen < 88 || entryLen > len) return invalid(p, cp, len);
    p.out += `, table_id ${tok(TABLE_ID, p.u8(cp + 2), "%u")}`;
    match(p, "\n\t  ", cp + 4);
    p.out += `\n\t  duration_sec ${p.u32(cp + 44)}`;
    p.out += `, duration_nsec ${p.u32(cp + 48)}`;
    p.out += `, priority ${p.u16(cp + 52)}`;
    p.out += `, idle_timeout ${p.u16(cp + 54)}`;
    p.out += `, hard_timeout ${p.u16(cp + 56)}`;
    p.out += `, cookie 0x${u64hex(p, cp + 64)}`;
    p.out += `, packet_count ${u64(p, cp + 72)}`;
    p.out += `, byte_count ${u64(p, cp + 80)}`;
    actions(p, "\n\t  ", cp + 88, entryLen - 88);
    cp += entryLen;
    len -= entryLen;
  }
}

/** The AGGREGATE statistics reply. */
function aggregateStats(p: Pkt, cp: number, len: number): void {
  if (len !== 24) return invalid(p, cp, len);
  p.out += `\n\t packet_count ${u64(p, cp)}`;
  p.out += `, byte_count ${u64(p, cp + 8)}`;
  p.out += `, flow_count ${p.u32(cp + 16)}`;
  p.need(cp + 20, 4);
}

/** The TABLE statistics reply's entries. */
function tableStats(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 64) return invalid(p, cp, len);
    p.out += `\n\t table_id ${tok(TABLE_ID, p.u8(cp), "%u")}`;
    p.out += ", name ";
    quoted(p, cp + 4, 32);
    const w = p.u32(cp + 36);
    p.out += `\n\t  wildcards 0x${hex(w, 8)}`;
    bitmap(p, WILDCARDS, w, WILDCARDS_U);
    p.out += `\n\t  max_entries ${p.u32(cp + 40)}`;
    p.out += `, active_count ${p.u32(cp + 44)}`;
    p.out += `, lookup_count ${u64(p, cp + 48)}`;
    p.out += `, matched_count ${u64(p, cp + 56)}`;
    cp += 64;
    len -= 64;
  }
}

const PORT_COUNTERS = [
  "rx_packets",
  "tx_packets",
  "rx_bytes",
  "tx_bytes",
  "rx_dropped",
  "tx_dropped",
  "rx_errors",
  "tx_errors",
  "rx_frame_err",
  "rx_over_err",
  "rx_crc_err",
  "collisions",
];

/** The PORT statistics reply's entries (counters from -vv). */
function portStats(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 104) return invalid(p, cp, len);
    p.out += `\n\t  port_no ${port(p.u16(cp))}`;
    if (p.verbosity < 2) p.need(cp + 2, 102);
    else {
      PORT_COUNTERS.forEach((name, k) => p.out += `, ${name} ${u64(p, cp + 8 + 8 * k)}`);
    }
    cp += 104;
    len -= 104;
  }
}

/** The QUEUE statistics reply's entries. */
function queueStats(p: Pkt, cp: number, len: number): void {
  while (len) {
    if (len < 32) return invalid(p, cp, len);
    p.out += `\n\t  port_no ${port(p.u16(cp))}`;
    p.out += `, queue_id ${p.u32(cp + 4)}`;
    p.out += `, tx_bytes ${u64(p, cp + 8)}`;
    p.out += `, tx_packets ${u64(p, cp + 16)}`;
    p.out += `, tx_errors ${u64(p, cp + 24)}`;
    cp += 32;
    len -= 32;
  }
}

const STATS_REPLIES: Record<number, BodyPrinter> = {
  0: descStats,
  1: flowStats,
  2: aggregateStats,
  3: tableStats,
  4: portStats,
  5: queueStats,
  0xffff: vendorData,
};

/** STATS_REPLY (tcpdump's of10_stats_reply_print). */
function statsReply(p: Pkt, cp: number, len: number): void {
  const type = p.u16(cp);
  p.out += `\n\t type ${tok(STATS_TYPES, type, "invalid (0x%04x)")}`;
  const flags = p.u16(cp + 2);
  p.out += `, flags 0x${hex(flags, 4)}`;
  bitmap(p, REPLY_FLAGS, flags, REPLY_FLAGS_U);
  const decoder = STATS_REPLIES[type];
  if (decoder !== undefined) decoder(p, cp + 4, len - 4);
  else p.need(cp + 4, len - 4);
}

/** PACKET_OUT (tcpdump's of10_packet_out_print). */
function packetOut(p: Pkt, cp: number, len: number): void {
  p.out += `\n\t buffer_id 0x${hex(p.u32(cp), 8)}`;
  p.out += `, in_port ${port(p.u16(cp + 4))}`;
  const actionsLen = p.u16(cp + 6);
  cp += 8;
  len -= 8;
  if (actionsLen > len) return invalid(p, cp, len);
  actions(p, "\n\t ", cp, actionsLen);
  packetData(p, cp + actionsLen, len - actionsLen);
}

/** PACKET_IN (tcpdump's of10_packet_in_print). */
function packetIn(p: Pkt, cp: number, len: number): void {
  p.out += `\n\t buffer_id ${tok(BUFFER_ID, p.u32(cp), "0x%08x")}`;
  p.out += `, total_len ${p.u16(cp + 4)}`;
  p.out += `, in_port ${port(p.u16(cp + 6))}`;
  p.out += `, reason ${tok(PACKET_IN_REASONS, p.u8(cp + 8), "invalid (0x%02x)")}`;
  cp += 9;
  len -= 9;
  p.need(cp, 1);
  packetData(p, cp + 1, len - 1);
}

/** FLOW_REMOVED (tcpdump's of10_flow_removed_print). */
function flowRemoved(p: Pkt, cp: number): void {
  match(p, "\n\t ", cp);
  p.out += `\n\t cookie 0x${u64hex(p, cp + 40)}`;
  nonZero(p, "priority", cp + 48);
  p.out += `, reason ${tok(FLOW_REMOVED_REASONS, p.u8(cp + 50), "unknown (0x%02x)")}`;
  p.out += `, duration_sec ${p.u32(cp + 52)}`;
  p.out += `, duration_nsec ${p.u32(cp + 56)}`;
  nonZero(p, "idle_timeout", cp + 60);
  p.out += `, packet_count ${u64(p, cp + 64)}`;
  p.out += `, byte_count ${u64(p, cp + 72)}`;
}

/** PORT_STATUS (tcpdump's of10_port_status_print). */
function portStatus(p: Pkt, cp: number): void {
  p.out += `\n\t reason ${tok(PORT_STATUS_REASONS, p.u8(cp), "invalid (0x%02x)")}`;
  phyPort(p, cp + 8);
}

/** ERROR (tcpdump's of10_error_print). */
function errorMessage(p: Pkt, cp: number, len: number): void {
  const type = p.u16(cp);
  p.out += `\n\t type ${tok(ERROR_TYPES, type, "invalid (0x%04x)")}`;
  const code = p.u16(cp + 2);
  const codes = ERROR_CODES[type];
  p.out += `, code ${codes ? tok(codes, code, "invalid (0x%04x)") : `invalid (0x${hex(code, 4)})`}`;
  dataPrint(p, cp + 4, len - 4);
}

/**
 * The body printers of OpenFlow 1.0 by message type, for -v (null: no body to decode). The
 * message's length has been checked against the type's before one is called.
 */
export const OF10_BODIES: readonly (BodyPrinter | null)[] = [
  dataPrint, // HELLO
  errorMessage,
  dataPrint, // ECHO_REQUEST
  dataPrint, // ECHO_REPLY
  vendorMessage,
  null, // FEATURES_REQUEST
  featuresReply,
  null, // GET_CONFIG_REQUEST
  switchConfig,
  switchConfig, // SET_CONFIG
  packetIn,
  flowRemoved,
  portStatus,
  packetOut,
  flowMod,
  portMod,
  statsRequest,
  statsReply,
  null, // BARRIER_REQUEST
  null, // BARRIER_REPLY
  queueGetConfigRequest,
  queueGetConfigReply,
];
