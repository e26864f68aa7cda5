/**
 * OpenFlow (TCP ports 6653 and 6633; tcpdump's print-openflow.c): every message's header
 * (version, type, length, transaction id) with tcpdump's length checks for versions 1.0 and
 * 1.3, and at -v the bodies that need no type-specific decoder (hello, echo data). The
 * type-specific bodies tcpdump decodes at -v (features, flow mods, ports, statistics...) are not
 * decoded: the message's header line ends there.
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { hexAsciiIndented } from "./tlv.ts";

const VERSIONS = ["", "1.0", "1.1", "1.2", "1.3", "1.4", "1.5"];

/**
 * A message type: its name, whether its length is fixed (true) or a minimum (false; null: not
 * checked), the body length that goes with it, and whether tcpdump decodes its body at -v.
 */
type MsgType = readonly [string, boolean | null, number, Decoder];
/** How tcpdump decodes a body at -v: not at all, as plain data, or with a decoder not ported. */
type Decoder = "none" | "data" | "other";

const OF10: readonly MsgType[] = [
  ["HELLO", false, 0, "data"],
  ["ERROR", false, 4, "other"],
  ["ECHO_REQUEST", false, 0, "data"],
  ["ECHO_REPLY", false, 0, "data"],
  ["VENDOR", false, 4, "other"],
  ["FEATURES_REQUEST", true, 0, "none"],
  ["FEATURES_REPLY", false, 24, "other"],
  ["GET_CONFIG_REQUEST", true, 0, "none"],
  ["GET_CONFIG_REPLY", true, 4, "other"],
  ["SET_CONFIG", true, 4, "other"],
  ["PACKET_IN", false, 10, "other"],
  ["FLOW_REMOVED", true, 80, "other"],
  ["PORT_STATUS", true, 56, "other"],
  ["PACKET_OUT", false, 8, "other"],
  ["FLOW_MOD", false, 64, "other"],
  ["PORT_MOD", true, 24, "other"],
  ["STATS_REQUEST", false, 4, "other"],
  ["STATS_REPLY", false, 4, "other"],
  ["BARRIER_REQUEST", true, 0, "none"],
  ["BARRIER_REPLY", true, 0, "none"],
  ["QUEUE_GET_CONFIG_REQUEST", true, 4, "other"],
  ["QUEUE_GET_CONFIG_REPLY", false, 8, "other"],
];

const OF13: readonly MsgType[] = [
  ["HELLO", false, 0, "other"],
  ["ERROR", false, 4, "other"],
  ["ECHO_REQUEST", false, 0, "data"],
  ["ECHO_REPLY", false, 0, "data"],
  ["EXPERIMENTER", false, 8, "other"],
  ["FEATURES_REQUEST", true, 0, "none"],
  ["FEATURES_REPLY", true, 24, "other"],
  ["GET_CONFIG_REQUEST", true, 0, "none"],
  ["GET_CONFIG_REPLY", true, 4, "other"],
  ["SET_CONFIG", true, 4, "other"],
  ["PACKET_IN", null, 0, "none"],
  ["FLOW_REMOVED", null, 0, "none"],
  ["PORT_STATUS", true, 72, "other"],
  ["PACKET_OUT", null, 0, "none"],
  ["FLOW_MOD", null, 0, "none"],
  ["GROUP_MOD", null, 0, "none"],
  ["PORT_MOD", true, 32, "other"],
  ["TABLE_MOD", true, 8, "other"],
  ["MULTIPART_REQUEST", null, 0, "none"],
  ["MULTIPART_REPLY", null, 0, "none"],
  ["BARRIER_REQUEST", true, 0, "none"],
  ["BARRIER_REPLY", true, 0, "none"],
  ["QUEUE_GET_CONFIG_REQUEST", true, 8, "other"],
  ["QUEUE_GET_CONFIG_REPLY", null, 0, "none"],
  ["ROLE_REQUEST", true, 16, "other"],
  ["ROLE_REPLY", true, 16, "other"],
  ["GET_ASYNC_REQUEST", true, 0, "none"],
  ["GET_ASYNC_REPLY", true, 24, "other"],
  ["SET_ASYNC", true, 24, "other"],
  ["METER_MOD", null, 0, "none"],
];

/** OpenFlow on its TCP ports: the messages of one segment (tcpdump's openflow_print). */
export function openflow(p: Pkt, cp: number, len: number): void {
  p.proto = "openflow";
  p.out += ": OpenFlow";
  while (len) {
    const version = p.u8(cp);
    cp++;
    len--;
    p.out += `\n\tversion ${
      VERSIONS[version] || `unknown (0x${version.toString(16).padStart(2, "0")})`
    }`;
    if (len < 1) return partial(p, cp, len);
    const type = p.u8(cp);
    cp++;
    len--;
    const table = version === 1 ? OF10 : version === 4 ? OF13 : null;
    const mti = table?.[type];
    p.out += mti ? `, type ${mti[0]}` : `, type unknown (0x${type.toString(16).padStart(2, "0")})`;
    if (len < 2) return partial(p, cp, len);
    const length = p.u16(cp);
    cp += 2;
    len -= 2;
    p.out += `, length ${length}${length < 8 ? " (too short!)" : ""}`;
    if (len < 4) return partial(p, cp, len);
    p.out += `, xid 0x${p.u32(cp).toString(16).padStart(8, "0")}`;
    cp += 4;
    len -= 4;
    if (length < 8) {
      p.out += " (invalid)";
      p.need(cp, len);
      return;
    }
    const body = length - 8;
    message(p, cp, body, mti);
    if (body > len) break;
    cp += body;
    len -= body;
  }
}

/** The header ended with the segment. */
function partial(p: Pkt, cp: number, len: number): void {
  p.out += " (end of TCP payload)";
  p.need(cp, len);
}

/** One message's body (tcpdump's of_message_print). */
function message(p: Pkt, cp: number, len: number, mti: MsgType | undefined): void {
  if (mti !== undefined) {
    const [, fixed, want, decoder] = mti;
    if ((fixed === true && len !== want) || (fixed === false && len < want)) {
      p.out += " (invalid)";
    } else if (p.verbose && decoder === "data") {
      if (len === 0) return;
      p.out += `\n\t data (${len} octets)`;
      if (p.verbosity >= 2) p.out += hexAsciiIndented(p, cp, len, "\n\t  ");
      else p.need(cp, len);
      return;
    }
    // At -v tcpdump also decodes the "other" bodies; those are not ported (see the module).
  }
  p.need(cp, len);
}
