/**
 * The IEEE 802.3 slow protocols (tcpdump's print-slow.c), ethertype 0x8809: LACP, the marker
 * protocol and OAM. At default verbosity one line (`LACPv1, length 110`), with -v the TLVs.
 *
 * @module
 */
import { OUIS } from "./llc.ts";
import type { Pkt } from "./printer.ts";
import { type BitNames, bitNames, macText, u64Text } from "./tokens.ts";

const SUBTYPES: Record<number, string> = { 1: "LACP", 2: "MARKER", 3: "OAM" };

const TLV_NAMES: Record<number, string> = {
  0x100: "Terminator",
  0x101: "Actor Information",
  0x102: "Partner Information",
  0x103: "Collector Information",
  0x200: "Terminator",
  0x201: "Marker Information",
};

const ACTOR_STATE: BitNames = [
  [0x01, "Activity"],
  [0x02, "Timeout"],
  [0x04, "Aggregation"],
  [0x08, "Synchronization"],
  [0x10, "Collecting"],
  [0x20, "Distributing"],
  [0x40, "Default"],
  [0x80, "Expired"],
];

const OAM_FLAGS: BitNames = [
  [0x0001, "Link Fault"],
  [0x0002, "Dying Gasp"],
  [0x0004, "Critical Event"],
  [0x0008, "Local Evaluating"],
  [0x0010, "Local Stable"],
  [0x0020, "Remote Evaluating"],
  [0x0040, "Remote Stable"],
];
const OAM_CODES: Record<number, string> = {
  0x00: "Information",
  0x01: "Event Notification",
  0x02: "Variable Request",
  0x03: "Variable Response",
  0x04: "Loopback Control",
  0xfe: "Vendor Private",
};
const OAM_INFO_TYPES: Record<number, string> = {
  0x00: "End of TLV marker",
  0x01: "Local",
  0x02: "Remote",
  0xfe: "Organization specific",
};
const PARSER_ACTIONS = ["forwarding", "looping back", "discarding", "reserved"];
const OAM_CONFIG: BitNames = [
  [0x01, "Active"],
  [0x02, "Unidirectional"],
  [0x04, "Remote-Loopback"],
  [0x08, "Link-Events"],
  [0x10, "Variable-Retrieval"],
];
const LINK_EVENTS: Record<number, string> = {
  0x00: "End of TLV marker",
  0x01: "Errored Symbol Period Event",
  0x02: "Errored Frame Event",
  0x03: "Errored Frame Period Event",
  0x04: "Errored Frame Seconds Summary Event",
  0xfe: "Organization specific",
};
const LOOPBACK_COMMANDS: Record<number, string> = {
  0x01: "Enable OAM Remote Loopback",
  0x02: "Disable OAM Remote Loopback",
};

const TOO_SHORT = "\n\t\t packet is too short";

/** A slow protocols frame at `off`, `len` bytes. */
export function slow(p: Pkt, off: number, len: number): void {
  p.proto = "slow";
  if (len < 1) return tooShort(p);
  const subtype = p.u8(off);
  let version = -1;
  if (subtype === 1 || subtype === 2) {
    if (len < 2) return tooShort(p);
    version = p.u8(off + 1);
    if (version !== 1) {
      p.out += `${SUBTYPES[subtype]} version ${version} packet not supported`;
      return;
    }
  }
  const name = SUBTYPES[subtype] ?? `unknown (${subtype})`;
  if (version === 1) p.out += `${name}v${version}, length ${len}`;
  else p.out += `${name}, length ${len}`;
  if (subtype < 1 || subtype > 3) {
    p.unknownData(off, len, "\n\t");
    return;
  }
  if (!p.verbose) return;
  if (subtype === 3) oam(p, off + 1, len - 1);
  else lacpMarker(p, off + 2, len - 2, subtype);
}

function tooShort(p: Pkt): void {
  p.out += p.verbose ? TOO_SHORT : " (packet is too short)";
}

function lacpMarker(p: Pkt, at: number, left: number, subtype: number): void {
  while (left > 0) {
    if (left < 2) return void (p.out += TOO_SHORT);
    const type = p.u8(at);
    const len = p.u8(at + 1);
    const key = (subtype << 8) + type;
    p.out += `\n\t${TLV_NAMES[key] ?? "Unknown"} TLV (0x${type.toString(16).padStart(2, "0")})` +
      `, length ${len}`;
    if (type === 0) return;
    if (len < 2) return void (p.out += "\n\t    ERROR: illegal length - should be >= 2");
    if (left < len) return void (p.out += TOO_SHORT);
    p.need(at, len);
    const v = at + 2;
    const vlen = len - 2;
    if (key === 0x101 || key === 0x102) {
      if (vlen !== 18) p.out += "\n\t    ERROR: illegal length - should be 20";
      else {
        p.out += `\n\t  System ${macText(p, v + 2)}, System Priority ${p.u16(v)}, Key ${
          p.u16(v + 8)
        }, Port ${p.u16(v + 12)}, Port Priority ${p.u16(v + 10)}\n\t  State Flags [${
          bitNames(ACTOR_STATE, p.u8(v + 14), "none")
        }]`;
      }
    } else if (key === 0x103) {
      if (vlen !== 14) p.out += "\n\t    ERROR: illegal length - should be 16";
      else p.out += `\n\t  Max Delay ${p.u16(v)}`;
    } else if (key === 0x201) {
      if (vlen !== 14) p.out += "\n\t    ERROR: illegal length - should be 16";
      else {
        p.out += `\n\t  Request System ${macText(p, v + 2)}, Request Port ${
          p.u16(v)
        }, Request Transaction ID 0x${p.u32(v + 8).toString(16).padStart(8, "0")}`;
      }
    } else if (p.verbosity <= 1) {
      p.unknownData(v, vlen, "\n\t  ");
    }
    if (p.verbosity > 1) p.unknownData(v, vlen, "\n\t  ");
    at += len;
    left -= len;
  }
}

function oam(p: Pkt, at: number, left: number): void {
  if (left < 3) return void (p.out += TOO_SHORT);
  p.need(at, 3);
  const code = p.u8(at + 2);
  p.out += `\n\tCode ${OAM_CODES[code] ?? `Unknown (${code})`} OAM PDU, Flags [${
    bitNames(OAM_FLAGS, p.u16(at), "none")
  }]`;
  at += 3;
  left -= 3;
  switch (code) {
    case 0x00:
      return oamTlvs(p, at, left, false);
    case 0x01:
      if (left < 2) return void (p.out += TOO_SHORT);
      p.out += `\n\t  Sequence Number ${p.u16(at)}`;
      return oamTlvs(p, at + 2, left - 2, true);
    case 0x04: {
      if (left < 1) return void (p.out += TOO_SHORT);
      const cmd = p.u8(at);
      p.out += `\n\t  Command ${LOOPBACK_COMMANDS[cmd] ?? "Unknown"} (${cmd})`;
      return;
    }
  }
  if (p.verbosity <= 1) p.unknownData(at, left, "\n\t  ");
}

/** The information TLVs (`events` false) or link event TLVs of an OAM PDU. */
function oamTlvs(p: Pkt, at: number, left: number, events: boolean): void {
  while (left > 0) {
    if (left < 2) return void (p.out += TOO_SHORT);
    if (!events) p.need(at, 2);
    const type = p.u8(at);
    const len = p.u8(at + 1);
    p.out += events
      ? `\n\t  ${LINK_EVENTS[type] ?? "Reserved"} Link Event Type (${type}), length ${len}`
      : `\n\t  ${OAM_INFO_TYPES[type] ?? "Reserved"} Information Type (${type}), length ${len}`;
    if (type === 0) return;
    if (len < 2) return void (p.out += "\n\t    ERROR: illegal length - should be >= 2");
    if (left < len) return void (p.out += TOO_SHORT);
    p.need(at, len);
    const hexdump = events ? linkEvent(p, at, type) : information(p, at, type);
    if (p.verbosity > 1 || hexdump) p.unknownData(at, len, "\n\t  ");
    left -= len;
    at += len;
  }
}

/** An information TLV's value; true when tcpdump then dumps it. */
function information(p: Pkt, at: number, type: number): boolean {
  if (type !== 1 && type !== 2) return true;
  if (p.u8(at + 1) !== 16) {
    p.out += "\n\t    ERROR: illegal length - should be 16";
    return true;
  }
  p.out += `\n\t    OAM-Version ${p.u8(at + 2)}, Revision ${p.u16(at + 3)}`;
  const state = p.u8(at + 5);
  p.out += `\n\t    State-Parser-Action ${PARSER_ACTIONS[state & 3]}, State-MUX-Action ${
    state & 4 ? "discarding" : "forwarding"
  }`;
  p.out += `\n\t    OAM-Config Flags [${
    bitNames(OAM_CONFIG, p.u8(at + 6), "none")
  }], OAM-PDU-Config max-PDU size ${p.u16(at + 7) & 0x7ff}`;
  const oui = p.u16(at + 9) * 256 + p.u8(at + 11);
  p.out += `\n\t    OUI ${OUIS[oui] ?? "Unknown"} (0x${oui.toString(16).padStart(6, "0")})` +
    `, Vendor-Private 0x${p.u32(at + 12).toString(16).padStart(8, "0")}`;
  return false;
}

/** A link event TLV's value; true when tcpdump then dumps it. */
function linkEvent(p: Pkt, at: number, type: number): boolean {
  if (type < 1 || type > 4) return true;
  if (p.u8(at + 1) !== 40) {
    p.out += "\n\t    ERROR: illegal length - should be 40";
    return true;
  }
  p.out += `\n\t    Timestamp ${p.u16(at + 2) * 100} ms, Errored Window ${u64Text(p, at + 4)}` +
    `\n\t    Errored Threshold ${u64Text(p, at + 12)}\n\t    Errors ${u64Text(p, at + 20)}` +
    `\n\t    Error Running Total ${u64Text(p, at + 28)}\n\t    Event Running Total ${
      p.u32(at + 36)
    }`;
  return false;
}
