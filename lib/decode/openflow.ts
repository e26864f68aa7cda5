/**
 * OpenFlow (TCP ports 6653 and 6633; tcpdump's print-openflow.c): every message's header
 * (version, type, length, transaction id) with tcpdump's length checks for versions 1.0 and
 * 1.3, and at -v the bodies: all of version 1.0's (openflow10.ts and the files it names), and
 * of version 1.3's those that need no type-specific decoder (echo data). The other 1.3 bodies tcpdump decodes at -v
 * (hello elements, errors, features, ports, roles...) are not decoded: the message's header line
 * ends there.
 *
 * @module
 */
import { OF10_BODIES } from "./openflow10.ts";
import type { BodyPrinter } from "./openflow10_struct.ts";
import { dataPrint } from "./openflow_vendor.ts";
import type { Pkt } from "./printer.ts";

const VERSIONS = ["", "1.0", "1.1", "1.2", "1.3", "1.4", "1.5"];

/**
 * A message type: its name, whether its length is fixed (true) or a minimum (false; null: not
 * checked), the body length that goes with it, and how tcpdump decodes its body at -v: with a
 * printer, not at all (null), or with a decoder not ported ("other").
 */
type MsgType = readonly [string, boolean | null, number, BodyPrinter | null | "other"];

const OF10: readonly MsgType[] = ([
  ["HELLO", false, 0],
  ["ERROR", false, 4],
  ["ECHO_REQUEST", false, 0],
  ["ECHO_REPLY", false, 0],
  ["VENDOR", false, 4],
  ["FEATURES_REQUEST", true, 0],
  ["FEATURES_REPLY", false, 24],
  ["GET_CONFIG_REQUEST", true, 0],
  ["GET_CONFIG_REPLY", true, 4],
  ["SET_CONFIG", true, 4],
  ["PACKET_IN", false, 10],
  ["FLOW_REMOVED", true, 80],
  ["PORT_STATUS", true, 56],
  ["PACKET_OUT", false, 8],
  ["FLOW_MOD", false, 64],
  ["PORT_MOD", true, 24],
  ["STATS_REQUEST", false, 4],
  ["STATS_REPLY", false, 4],
  ["BARRIER_REQUEST", true, 0],
  ["BARRIER_REPLY", true, 0],
  ["QUEUE_GET_CONFIG_REQUEST", true, 4],
  ["QUEUE_GET_CONFIG_REPLY", false, 8],
] as const).map(([name, fixed, want], type) => [name, fixed, want, OF10_BODIES[type]]);

const OF13: readonly MsgType[] = [
  ["HELLO", false, 0, "other"],
  ["ERROR", false, 4, "other"],
  ["ECHO_REQUEST", false, 0, dataPrint],
  ["ECHO_REPLY", false, 0, dataPrint],
  ["EXPERIMENTER", false, 8, "other"],
  ["FEATURES_REQUEST", true, 0, null],
  ["FEATURES_REPLY", true, 24, "other"],
  ["GET_CONFIG_REQUEST", true, 0, null],
  ["GET_CONFIG_REPLY", true, 4, "other"],
  ["SET_CONFIG", true, 4, "other"],
  ["PACKET_IN", null, 0, null],
  ["FLOW_REMOVED", null, 0, null],
  ["PORT_STATUS", true, 72, "other"],
  ["PACKET_OUT", null, 0, null],
  ["FLOW_MOD", null, 0, null],
  ["GROUP_MOD", null, 0, null],
  ["PORT_MOD", true, 32, "other"],
  ["TABLE_MOD", true, 8, "other"],
  ["MULTIPART_REQUEST", null, 0, null],
  ["MULTIPART_REPLY", null, 0, null],
  ["BARRIER_REQUEST", true, 0, null],
  ["BARRIER_REPLY", true, 0, null],
  ["QUEUE_GET_CONFIG_REQUEST", true, 8, "other"],
  ["QUEUE_GET_CONFIG_REPLY", null, 0, null],
  ["ROLE_REQUEST", true, 16, "other"],
  ["ROLE_REPLY", true, 16, "other"],
  ["GET_ASYNC_REQUEST", true, 0, null],
  ["GET_ASYNC_REPLY", true, 24, "other"],
  ["SET_ASYNC", true, 24, "other"],
  ["METER_MOD", null, 0, null],
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
    } else if (p.verbose && typeof decoder === "function") {
      return decoder(p, cp, len);
    }
    // At -v tcpdump also decodes the "other" bodies; those are not ported (see the module).
  }
  p.need(cp, len);
}
