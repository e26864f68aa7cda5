/**
 * LDP (TCP and UDP port 646; tcpdump's print-ldp.c, RFC 5036): the PDU header, and at -v its
 * messages and their TLVs (hello parameters, addresses, FECs with Martini pseudowires, labels,
 * status, session parameters).
 *
 * @module
 */
import { type Pkt, TRUNCATED } from "./printer.ts";
import { type BitTok, bitTok, charText } from "./text.ts";
import { ADDRESS_FAMILIES, decodePrefix, prefixText, unknownData } from "./tlv.ts";

const MESSAGES: Record<number, string> = {
  0x0001: "Notification",
  0x0100: "Hello",
  0x0200: "Initialization",
  0x0201: "Keepalive",
  0x0300: "Address",
  0x0301: "Address Withdraw",
  0x0400: "Label Mapping",
  0x0401: "Label Request",
  0x0402: "Label Withdraw",
  0x0403: "Label Release",
  0x0404: "Label Abort Request",
};
/** Messages whose TLVs tcpdump decodes. */
const WITH_TLVS = new Set([0x0001, 0x0100, 0x0200, 0x0201, 0x0300, 0x0400, 0x0301, 0x0402]);
const TLVS: Record<number, string> = {
  0x0100: "FEC",
  0x0101: "Address List",
  0x0103: "Hop Count",
  0x0104: "Path Vector",
  0x0200: "Generic Label",
  0x0201: "ATM Label",
  0x0202: "Frame-Relay Label",
  0x0300: "Status",
  0x0301: "Extended Status",
  0x0302: "Returned PDU",
  0x0303: "Returned Message",
  0x0400: "Common Hello Parameters",
  0x0401: "IPv4 Transport Address",
  0x0402: "Configuration Sequence Number",
  0x0403: "IPv6 Transport Address",
  0x0500: "Common Session Parameters",
  0x0501: "ATM Session Parameters",
  0x0502: "Frame-Relay Session Parameters",
  0x0503: "Fault-Tolerant Session Parameters",
  0x0600: "Label Request Message ID",
  0x0601: "MTU",
};
const FECS: Record<number, string> = {
  1: "Wildcard",
  2: "Prefix",
  3: "Host address",
  0x80: "Martini VC",
};
const IF_PARAMS: Record<number, string> = { 1: "MTU", 3: "Description", 0x0c: "VCCV" };
const VCCV_CC: BitTok = [
  [0x01, "PWE3 control word"],
  [0x02, "MPLS Router Alert Label"],
  [0x04, "MPLS inner label TTL = 1"],
];
const VCCV_CV: BitTok = [[0x01, "ICMP Ping"], [0x02, "LSP Ping"], [0x04, "BFD"]];
/** MPLS pseudowire types (tcpdump's mpls_pw_types_values). */
const PW_TYPES: Record<number, string> = {
  0x0000: "Reserved",
  0x0001: "Frame Relay DLCI (Martini Mode)",
  0x0002: "ATM AAL5 SDU VCC transport",
  0x0003: "ATM transparent cell transport",
  0x0004: "Ethernet VLAN",
  0x0005: "Ethernet",
  0x0006: "Cisco-HDLC",
  0x0007: "PPP",
  0x0008: "SONET/SDH Circuit Emulation Service over MPLS",
  0x0009: "ATM n-to-one VCC cell transport",
  0x000a: "ATM n-to-one VPC cell transport",
  0x000b: "IP Layer2 Transport",
  0x000c: "ATM one-to-one VCC Cell Mode",
  0x000d: "ATM one-to-one VPC Cell Mode",
  0x000e: "ATM AAL5 PDU VCC transport",
  0x000f: "Frame-Relay Port mode",
  0x0010: "SONET/SDH Circuit Emulation over Packet",
  0x0011: "Structure-agnostic E1 over Packet",
  0x0012: "Structure-agnostic T1 (DS1) over Packet",
  0x0013: "Structure-agnostic E3 over Packet",
  0x0014: "Structure-agnostic T3 (DS3) over Packet",
  0x0015: "CESoPSN basic mode",
  0x0016: "TDMoIP basic mode",
  0x0017: "CESoPSN TDM with CAS",
  0x0018: "TDMoIP TDM with CAS",
  0x0019: "Frame Relay DLCI",
  0x0040: "IP-interworking",
};

function hex(n: number, w: number): string {
  return n.toString(16).padStart(w, "0");
}

/** LDP on TCP or UDP port 646 (tcpdump's ldp_print). */
export function ldp(p: Pkt, off: number, len: number): void {
  p.proto = "ldp";
  while (len > 18) {
    const processed = pdu(p, off);
    if (processed === 0) return;
    if (len < processed) {
      p.out += ` [remaining length ${len} < ${processed}] (invalid)`;
      return;
    }
    len -= processed;
    off += processed;
  }
}

/** One PDU: the bytes it takes, or 0 where tcpdump stops (always at default flags). */
function pdu(p: Pkt, off: number): number {
  p.need(off, 10);
  const nl = p.verbose ? "\n\t" : "";
  const version = p.u16(off);
  if (version !== 1) {
    p.out += `${nl}LDP version ${version} packet not supported`;
    return 0;
  }
  const pduLen = p.u16(off + 2);
  if (pduLen < 6) {
    p.out += `${nl}LDP, pdu-length: ${pduLen} (too short, < 6)`;
    return 0;
  }
  p.out += `${nl}LDP, Label-Space-ID: ${p.ip4(off + 4)}:${p.u16(off + 8)}, pdu-length: ${pduLen}`;
  if (!p.verbose) return 0;
  let t = off + 10;
  // tcpdump's lengths here are 16 bits: a message longer than the PDU wraps around.
  let tlen = pduLen - 6;
  while (tlen > 0) {
    p.need(t, 8);
    const msgLen = p.u16(t + 2);
    const rawType = p.u16(t);
    const type = rawType & 0x7fff;
    if (msgLen < 4) {
      p.out +=
        `\n\t  ${MESSAGES[type] ?? "Unknown"} Message (0x${hex(type, 4)}), length: ${msgLen}` +
        " (too short, < 4)";
      return 0;
    }
    p.out += `\n\t  ${MESSAGES[type] ?? "Unknown"} Message (0x${hex(type, 4)}), length: ${msgLen}` +
      `, Message ID: 0x${hex(p.u32(t + 4), 8)}, Flags: [${
        rawType & 0x8000 ? "continue processing" : "ignore"
      } if unknown]`;
    let m = t + 8;
    let mlen = msgLen - 4;
    p.need(t, msgLen);
    if (WITH_TLVS.has(type)) {
      while (mlen >= 4) {
        const used = tlv(p, m, mlen);
        if (used === 0) break;
        mlen -= used;
        m += used;
      }
    } else if (p.verbosity <= 1) {
      unknownData(p, m, mlen, "\n\t  ");
    }
    if (p.verbosity > 1) unknownData(p, t + 8, msgLen, "\n\t  ");
    t += msgLen + 4;
    tlen = (tlen - (msgLen + 4)) & 0xffff;
  }
  return pduLen + 4;
}

/** One TLV: the bytes it takes, or 0 when it runs past the message. */
function tlv(p: Pkt, t: number, msgLen: number): number {
  p.need(t, 4);
  const len = p.u16(t + 2);
  if (len + 4 > msgLen) {
    p.out += "\n\t\t TLV contents go past end of message";
    return 0;
  }
  const raw = p.u16(t);
  const type = raw & 0x3fff;
  p.out += `\n\t    ${TLVS[type] ?? "Unknown"} TLV (0x${hex(type, 4)}), length: ${len}, Flags: [${
    raw & 0x8000 ? "continue processing" : "ignore"
  } and ${raw & 0x4000 ? "do" : "don't"} forward if unknown]`;
  let v = t + 4;
  let vl = len;
  const short = (min: number) => tooShort(p, vl, min);
  switch (type) {
    case 0x0400: {
      if (short(4)) break;
      const f = p.u16(v + 2);
      p.out += `\n\t      Hold Time: ${p.u16(v)}s, Flags: [${
        f & 0x8000 ? "Targeted" : "Link"
      } Hello${f & 0x4000 ? ", Request for targeted Hellos" : ""}]`;
      break;
    }
    case 0x0401:
      if (short(4)) break;
      p.out += `\n\t      IPv4 Transport Address: ${p.ip4(v)}`;
      break;
    case 0x0403:
      if (short(16)) break;
      p.out += `\n\t      IPv6 Transport Address: ${p.ip6(v)}`;
      break;
    case 0x0402:
      if (short(4)) break;
      p.out += `\n\t      Sequence Number: ${p.u32(v)}`;
      break;
    case 0x0101: {
      if (short(2)) break;
      const af = p.u16(v);
      v += 2;
      vl -= 2;
      p.out += `\n\t      Address Family: ${ADDRESS_FAMILIES[af] ?? `Unknown (${af})`}, addresses`;
      const size = af === 1 ? 4 : af === 2 ? 16 : 0;
      for (; size && vl >= size; vl -= size, v += size) {
        p.out += ` ${size === 4 ? p.ip4(v) : p.ip6(v)}`;
      }
      break;
    }
    case 0x0500: {
      if (short(8)) break;
      const f = p.u16(v + 6);
      p.out += `\n\t      Version: ${p.u16(v)}, Keepalive: ${p.u16(v + 2)}s, Flags: [Downstream ${
        f & 0x8000 ? "On Demand" : "Unsolicited"
      }, Loop Detection ${f & 0x4000 ? "Enabled" : "Disabled"}]`;
      break;
    }
    case 0x0100:
      fec(p, v, vl);
      break;
    case 0x0200:
      if (short(4)) break;
      p.out += `\n\t      Label: ${p.u32(v) & 0xfffff}`;
      break;
    case 0x0300: {
      if (short(8)) break;
      const s = p.u32(v);
      p.out += `\n\t      Status: 0x${hex(s & 0x3fffffff, 2)}, Flags: [${
        s & 0x80000000 ? "Fatal error" : "Advisory Notification"
      } and ${s & 0x40000000 ? "do" : "don't"} forward]`;
      const id = p.u32(v + 4);
      if (id) p.out += `, causing Message ID: 0x${hex(id, 8)}`;
      break;
    }
    case 0x0503: {
      if (short(12)) break;
      const f = p.u16(v);
      p.out += `\n\t      Flags: [${f & 0x8000 ? "" : "No "}Reconnect, ${
        f & 0x8 ? "" : "Don't "
      }Save State, ${f & 0x4 ? "" : "No "}All-Label Protection, ${
        f & 0x2 ? "Sequence Numbered Label" : "All Labels"
      } Checkpoint, ${f & 0x1 ? "" : "Don't "}Re-Learn State]`;
      const reconnect = p.u32(v + 4);
      if (reconnect) p.out += `, Reconnect Timeout: ${reconnect}ms`;
      const recovery = p.u32(v + 8);
      if (recovery) p.out += `, Recovery Time: ${recovery}ms`;
      break;
    }
    case 0x0601:
      if (short(2)) break;
      p.out += `\n\t      MTU: ${p.u16(v)}`;
      break;
    default:
      if (p.verbosity <= 1) unknownData(p, v, vl, "\n\t      ");
  }
  return len + 4;
}

/** tcpdump's TLV_TCHECK: a value of `vl` bytes shorter than `min` ends the TLV as invalid. */
function tooShort(p: Pkt, vl: number, min: number): boolean {
  if (vl >= min) return false;
  p.out += ` [tlv length ${vl} < ${min}] (invalid)`;
  return true;
}

/** A FEC TLV's value. */
function fec(p: Pkt, v: number, vl: number): void {
  const short = (min: number) => tooShort(p, vl, min);
  if (short(1)) return;
  const type = p.u8(v);
  p.out += `\n\t      ${FECS[type] ?? "Unknown"} FEC (0x${hex(type, 2)})`;
  v += 1;
  vl -= 1;
  if (type === 2) {
    if (short(2)) return;
    const af = p.u16(v);
    v += 2;
    vl -= 2;
    if (af === 1 || af === 2) {
      const rc = decodePrefix(p, v, vl, af === 2);
      if (rc === -2) throw TRUNCATED;
      const name = af === 1 ? "IPv4" : "IPv6";
      p.out += rc === -1 ? `: ${name} prefix (invalid length)` : `: ${name} prefix ${prefixText}`;
    } else {
      p.out += `: Address family ${af} prefix`;
    }
    return;
  }
  if (type !== 0x80) return;
  if (short(7)) return;
  let info = p.u8(v + 2);
  const pw = p.u16(v);
  const cw = pw & 0x8000 ? "" : "no ";
  if (info === 0) {
    p.out += `: ${PW_TYPES[pw & 0x7fff] ?? "Unknown"}, ${cw}control word, group-ID ${
      p.u32(v + 3)
    }, VC-info-length: ${info}`;
    return;
  }
  if (short(11)) return;
  p.out += `: ${PW_TYPES[pw & 0x7fff] ?? "Unknown"}, ${cw}control word, group-ID ${
    p.u32(v + 3)
  }, VC-ID ${p.u32(v + 7)}, VC-info-length: ${info}`;
  if (info < 4) {
    p.out += " (invalid, < 4";
    return;
  }
  info -= 4;
  v += 11;
  vl -= 11;
  if (short(info)) return;
  while (info > 2) {
    const it = p.u8(v);
    const il = p.u8(v + 1);
    if (il < 2 || info < il) break;
    p.out += `\n\t\tInterface Parameter: ${IF_PARAMS[it] ?? "Unknown"} (0x${
      hex(it, 2)
    }), len ${il}`;
    switch (it) {
      case 1:
        p.out += `: ${p.u16(v + 2)}`;
        break;
      case 3:
        p.out += ": ";
        for (let i = 2; i < il; i++) p.out += charText(p.u8(v + i));
        break;
      case 0x0c: {
        const cc = p.u8(v + 2);
        p.out += `\n\t\t  Control Channels (0x${hex(cc, 2)}) = [${bitTok(VCCV_CC, cc, "none")}]`;
        const cv = p.u8(v + 3);
        p.out += `\n\t\t  CV Types (0x${hex(cv, 2)}) = [${bitTok(VCCV_CV, cv, "none")}]`;
        break;
      }
      default:
        unknownData(p, v + 2, il - 2, "\n\t\t  ");
    }
    info -= il;
    v += il;
  }
}
