/**
 * OpenFlow 1.0 message bodies at -v (tcpdump's print-openflow-1.0.c): switch features,
 * configuration, flow and port modifications, queue configuration, packets in and out, flow
 * removals, port status and errors, and the table of body printers by message type. The
 * structures they carry (ports, queues, matches, actions) are openflow10_struct.ts's, the
 * statistics messages openflow10_stats.ts's, the vendor parts (Big Switch Networks' extensions
 * among them) openflow_vendor.ts's. With -vvv the Ethernet frame a PACKET_IN or PACKET_OUT
 * carries is decoded in turn, at the verbosity less three, as tcpdump does.
 *
 * Every function takes the body after the common 8-byte header (`cp`, `len`) and prints what
 * tcpdump prints; lengths it finds wrong print " (invalid)" and skip the rest of the body.
 *
 * @module
 */
import { ether } from "./ether.ts";
import { dataPrint, hex, invalid, vendorMessage } from "./openflow_vendor.ts";
import {
  ACTION_BITS,
  ACTION_BITS_U,
  actions,
  bitmap,
  type BodyPrinter,
  mac,
  match,
  phyPort,
  port,
  PORT_CONFIG,
  PORT_CONFIG_U,
  PORT_FEATURES,
  PORT_FEATURES_U,
  queues,
  u64,
  u64hex,
  unassignedOf,
} from "./openflow10_struct.ts";
import { statsReply, statsRequest } from "./openflow10_stats.ts";
import type { Pkt } from "./printer.ts";
import { bitToks, type Tok, tok, toks } from "./text.ts";

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
