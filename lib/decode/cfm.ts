/**
 * IEEE 802.1ag connectivity fault management (tcpdump's print-cfm.c), ethertypes 0x8902 and
 * 0xabcd: the opcode and MD level, with -v the message and its TLVs.
 *
 * @module
 */
import { OUIS } from "./llc.ts";
import { hex2, hex4, type Pkt } from "./printer.ts";
import {
  ADDRESS_FAMILIES,
  type BitNames,
  bitNames,
  fixed,
  macText,
  printUpToNul,
} from "./tokens.ts";

const OPCODES: Record<number, string> = {
  1: "Continuity Check Message",
  2: "Loopback Reply",
  3: "Loopback Message",
  4: "Linktrace Reply",
  5: "Linktrace Message",
};
const CCM_INTERVALS = [0, 0.003333, 0.01, 0.1, 1, 10, 60, 600].map(Math.fround);
const MD_FORMATS: Record<number, string> = {
  0: "IEEE 802.1",
  1: "No MD Name present",
  2: "DNS string",
  3: "MAC + 16Bit Integer",
  4: "Character string",
};
const MA_FORMATS: Record<number, string> = {
  0: "IEEE 802.1",
  1: "Primary VID",
  2: "Character string",
  3: "16Bit Integer",
  4: "RFC2685 VPN-ID",
};
const LTM_FLAGS: BitNames = [[0x80, "Use Forwarding-DB only"]];
const LTR_FLAGS: BitNames = [[0x80, "UseFDB Only"], [0x40, "FwdYes"], [0x20, "Terminal MEP"]];
const REPLAY_ACTIONS: Record<number, string> = {
  1: "Exact Match",
  2: "Filtering DB",
  3: "MIP CCM DB",
};
const TLVS: Record<number, string> = {
  0: "End",
  1: "Sender ID",
  2: "Port status",
  3: "Interface status",
  4: "Data",
  5: "Reply Ingress",
  6: "Reply Egress",
  31: "Organization Specific",
};
const PORT_STATUS: Record<number, string> = { 1: "Blocked", 2: "Up" };
const INTERFACE_STATUS: Record<number, string> = {
  1: "Up",
  2: "Down",
  3: "Testing",
  5: "Dormant",
  6: "not present",
  7: "lower Layer down",
};
const CHASSIS_ID_TYPES: Record<number, string> = {
  0: "Reserved",
  1: "Chassis component",
  2: "Interface alias",
  3: "Port component",
  4: "MAC address",
  5: "Network address",
  6: "Interface name",
  7: "Locally assigned",
};

const TOO_SHORT = "\n\t\t packet is too short";

/** A CFM PDU at `off`, `length` bytes. */
export function cfm(p: Pkt, off: number, length: number): void {
  p.proto = "cfm";
  if (length < 4) return void (p.out += TOO_SHORT);
  p.need(off, 4);
  const first = p.u8(off);
  const version = first & 0x1f;
  if (version !== 0) {
    p.out += `CFMv${version} not supported, length ${length}`;
    return;
  }
  const opcode = p.u8(off + 1);
  p.out += `CFMv${version} ${OPCODES[opcode] ?? `unknown (${opcode})`}, MD Level ${
    first >> 5
  }, length ${length}`;
  if (!p.verbose) return;
  const flags = p.u8(off + 2);
  const firstTlv = p.u8(off + 3);
  p.out += `\n\tFirst TLV offset ${firstTlv}`;
  let at = off + 4;
  let left = length - 4;
  if (firstTlv > left) {
    p.out += ` (too large, must be <= ${left})`;
    return;
  }
  if (!message(p, opcode, flags, firstTlv, at, left)) return;
  at += firstTlv;
  left -= firstTlv;
  tlvs(p, at, left);
}

/** The message before the TLVs; false where tcpdump stops. */
function message(
  p: Pkt,
  opcode: number,
  flags: number,
  firstTlv: number,
  at: number,
  left: number,
): boolean {
  // tcpdump's own numbering of the messages in its "too small" text.
  const fits = (n: number, size: number): boolean => {
    if (firstTlv < size) {
      p.out += ` (too small ${n}, must be >= ${size})`;
      return false;
    }
    if (left < size) {
      p.out += TOO_SHORT;
      return false;
    }
    p.need(at, size);
    return true;
  };
  switch (opcode) {
    case 1:
      return fits(1, 70) && ccm(p, flags, at);
    case 5:
      if (!fits(4, 17)) return false;
      linkTrace(p, LTM_FLAGS, flags, at);
      p.out += `\n\t  Original-MAC ${macText(p, at + 5)}, Target-MAC ${macText(p, at + 11)}`;
      return true;
    case 4: {
      if (!fits(5, 6)) return false;
      linkTrace(p, LTR_FLAGS, flags, at);
      const action = p.u8(at + 5);
      p.out += `\n\t  Replay-Action ${REPLAY_ACTIONS[action] ?? "Unknown"} (${action})`;
      return true;
    }
  }
  p.unknownData(at, left - firstTlv, "\n\t  ");
  return true;
}

/** The flags, transaction id and TTL a linktrace message or reply starts with. */
function linkTrace(p: Pkt, names: BitNames, flags: number, at: number): void {
  p.out += `, Flags [${bitNames(names, flags, "none")}]`;
  p.out += `\n\t  Transaction-ID 0x${p.u32(at).toString(16).padStart(8, "0")}, ttl ${p.u8(at + 4)}`;
}

function ccm(p: Pkt, flags: number, at: number): boolean {
  const interval = flags & 7;
  p.out += `, Flags [CCM Interval ${interval}${flags & 0x80 ? ", RDI" : ""}]`;
  if (interval) {
    const base = CCM_INTERVALS[interval];
    p.out += `\n\t  CCM Interval ${fixed(base, 3)}s, min CCM Lifetime ${
      fixed(base * 3.25, 3)
    }s, max CCM Lifetime ${fixed(base * 3.5, 3)}s`;
  }
  p.out += `\n\t  Sequence Number 0x${p.u32(at).toString(16).padStart(8, "0")}, MA-End-Point-ID 0x${
    hex4(p.u16(at + 4))
  }`;
  let names = at + 6;
  let remaining = 48;
  const mdFormat = p.u8(names);
  names++;
  remaining--;
  if (mdFormat !== 1) {
    const mdLen = p.u8(names);
    names++;
    remaining--;
    p.out += `\n\t  MD Name Format ${
      MD_FORMATS[mdFormat] ?? "Unknown"
    } (${mdFormat}), MD Name length ${mdLen}`;
    if (mdLen > remaining - 3) {
      p.out += ` (too large, must be <= ${remaining - 2})`;
      return false;
    }
    p.out += "\n\t  MD Name: ";
    if (mdFormat === 2 || mdFormat === 4) printUpToNul(p, names, mdLen);
    else if (mdFormat === 3) {
      p.out += mdLen === 6 ? `\n\t  MAC ${macText(p, names)}` : "\n\t  MAC (length invalid)";
    } else p.unknownData(names, mdLen, "\n\t    ");
    names += mdLen;
    remaining -= mdLen;
  } else {
    p.out += `\n\t  MD Name Format ${MD_FORMATS[mdFormat]} (${mdFormat})`;
  }
  const maFormat = p.u8(names);
  const maLen = p.u8(names + 1);
  names += 2;
  remaining -= 2;
  p.out += `\n\t  MA Name-Format ${
    MA_FORMATS[maFormat] ?? "Unknown"
  } (${maFormat}), MA name length ${maLen}`;
  if (maLen > remaining) {
    p.out += ` (too large, must be <= ${remaining})`;
    return false;
  }
  p.out += "\n\t  MA Name: ";
  if (maFormat === 2) printUpToNul(p, names, maLen);
  else p.unknownData(names, maLen, "\n\t    ");
  return true;
}

function tlvs(p: Pkt, at: number, left: number): void {
  while (left > 0) {
    const type = p.u8(at);
    p.out += `\n\t${TLVS[type] ?? "Unknown"} TLV (0x${hex2(type)})`;
    if (type === 0) return;
    if (left < 3) return void (p.out += TOO_SHORT);
    p.need(at, 3);
    let len = p.u16(at + 1);
    p.out += `, length ${len}`;
    at += 3;
    left -= 3;
    const value = at;
    if (left < len) return void (p.out += TOO_SHORT);
    p.need(at, len);
    let hexdump = false;
    switch (type) {
      case 2:
      case 3: {
        if (len < 1) return void (p.out += " (too short, must be >= 1)");
        const s = p.u8(at);
        p.out += `, Status: ${
          (type === 2 ? PORT_STATUS : INTERFACE_STATUS)[s] ?? "Unknown"
        } (${s})`;
        break;
      }
      case 31: {
        if (len < 4) return void (p.out += " (too short, must be >= 4)");
        const oui = p.u16(at) * 256 + p.u8(at + 2);
        p.out += `, Vendor: ${OUIS[oui] ?? "Unknown"} (${oui}), Sub-Type ${p.u8(at + 3)}`;
        hexdump = true;
        break;
      }
      case 1: {
        if (len < 1) {
          p.out += " (too short, must be >= 1)";
          at += len;
          left -= len;
          continue;
        }
        const r = senderId(p, at, left, len);
        if (r === STOP) return;
        at = senderAt;
        left = senderLeft;
        len = senderLen;
        if (r === NEXT) {
          at += len;
          left -= len;
          continue;
        }
        hexdump = r === DUMP;
        break;
      }
      default:
        hexdump = true;
    }
    if (hexdump || p.verbosity > 1) p.unknownData(value, len, "\n\t  ");
    at += len;
    left -= len;
  }
}

// The sender ID TLV moves tcpdump's pointer, remaining length and TLV length as it goes; these
// carry them back to the TLV loop.
let senderAt = 0;
let senderLeft = 0;
let senderLen = 0;

const NO_DUMP = 0;
const DUMP = 1;
/** tcpdump's `goto next_tlv`: no dump. */
const NEXT = 2;
const STOP = -1;

function sender(at: number, left: number, len: number, result: number): number {
  senderAt = at;
  senderLeft = left;
  senderLen = len;
  return result;
}

/** The sender ID TLV: {@link DUMP}, {@link NO_DUMP}, {@link NEXT} or {@link STOP}. */
function senderId(p: Pkt, at: number, left: number, len: number): number {
  let hexdump = false;
  const chassisLen = p.u8(at);
  at++;
  left--;
  len--;
  if (chassisLen) {
    if (len < 1) {
      p.out += "\n\t  (TLV too short)";
      return sender(at, left, len, NEXT);
    }
    const type = p.u8(at);
    len--;
    p.out += `\n\t  Chassis-ID Type ${
      CHASSIS_ID_TYPES[type] ?? "Unknown"
    } (${type}), Chassis-ID length ${chassisLen}`;
    if (len < chassisLen) {
      p.out += "\n\t  (TLV too short)";
      return sender(at, left, len, NEXT);
    }
    switch (type) {
      case 4:
        if (chassisLen !== 6) {
          p.out += " (invalid MAC address length)";
          hexdump = true;
        } else p.out += `\n\t  MAC ${macText(p, at + 1)}`;
        break;
      case 5:
        hexdump = networkAddress(p, at + 1, chassisLen) || hexdump;
        break;
      case 1:
      case 2:
      case 3:
      case 6:
      case 7:
        printUpToNul(p, at + 1, chassisLen);
        break;
      default:
        hexdump = true;
    }
    len -= chassisLen;
    at += 1 + chassisLen;
    left -= 1 + chassisLen;
  }
  const dump = hexdump ? DUMP : NO_DUMP;
  if (len === 0) return sender(at, left, len, dump);
  let mlen = p.u8(at);
  at++;
  left--;
  len--;
  p.out += `\n\t  Management Address Domain Length ${mlen}`;
  if (!mlen) return sender(at, left, len, dump);
  if (len < mlen) {
    p.out += "\n\t  (TLV too short)";
    return sender(at, left, len, NEXT);
  }
  len -= mlen;
  p.unknownData(at, mlen, "\n\t  Management Address Domain: ");
  at += mlen;
  left -= mlen;
  if (len < 1) {
    p.out += " (Management Address Length is missing)";
    return sender(at, left, len, DUMP);
  }
  mlen = p.u8(at);
  at++;
  left--;
  len--;
  p.out += `\n\t  Management Address Length ${mlen}`;
  if (mlen) {
    if (len < mlen) {
      p.out += "\n\t  (TLV too short)";
      return STOP;
    }
    len -= mlen;
    p.unknownData(at, mlen, "\n\t  Management Address: ");
    at += mlen;
    left -= mlen;
  }
  return sender(at, left, len, dump);
}

function networkAddress(p: Pkt, at: number, length: number): boolean {
  if (length < 1) {
    p.out += "\n\t  Network Address Type (invalid, no data";
    return false;
  }
  const type = p.u8(at);
  p.out += `\n\t  Network Address Type ${ADDRESS_FAMILIES[type] ?? "Unknown"} (${type})`;
  if (type === 1) {
    if (length !== 5) {
      p.out += `(invalid IPv4 address length ${length - 1})`;
      return true;
    }
    p.out += `, ${p.ip4(at + 1)}`;
    return false;
  }
  if (type === 2) {
    if (length !== 17) {
      p.out += `(invalid IPv6 address length ${length - 1})`;
      return true;
    }
    p.out += `, ${p.ip6(at + 1)}`;
    return false;
  }
  return true;
}
