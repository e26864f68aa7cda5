/**
 * IS-IS reachability (tcpdump's print-isoclns.c): the old-style metric blocks and IPv4 entries,
 * extended IS and IP reachability entries with their sub-TLVs (traffic engineering, segment
 * routing, SPB), and prefix neighbors. isis.ts walks the TLVs; isis_tlv.ts holds the rest.
 *
 * @module
 */
import { IDENT, isisId, nsap } from "./isis_tlv.ts";
import { formatIp6, hex4, type Pkt, TRUNCATED } from "./printer.ts";
import { GMPLS_ENCODING, GMPLS_LINK_PROTECTION, GMPLS_SWITCH_CAP } from "./tlv.ts";
import { type BitNames, bitNames, fixed } from "./tokens.ts";

function metricText(b: number): string {
  return `${b & 0x3f}, ${b & 0x40 ? "External" : "Internal"}`;
}

/** The four metrics of the old-style TLVs; the last three only where supported. */
export function metricBlock(p: Pkt, off: number): string {
  let s = `, Default Metric: ${metricText(p.u8(off))}`;
  const names = ["Delay", "Expense", "Error"];
  for (let i = 0; i < 3; i++) {
    const b = p.u8(off + 1 + i);
    if (!(b & 0x80)) s += `\n\t\t  ${names[i]} Metric: ${metricText(b)}`;
  }
  return s;
}

/** Prefix length of a contiguous netmask, or -1 (tcpdump's mask2plen). */
function maskLength(mask: number): number {
  for (let len = 32; len >= 0; len--) {
    const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    if (m === mask) return len;
  }
  return -1;
}

/**
 * The old-style IPv4 reachability entries of TLVs 128 and 130; false where tcpdump stops
 * decoding the PDU (an entry cut short).
 */
export function ipReach(p: Pkt, off: number, length: number): boolean {
  const ident = "\n\t      ";
  for (; length > 0; length -= 12, off += 12) {
    if (length < 12) {
      p.out += `short IPv4 Reachability (${length} vs 12)`;
      return false;
    }
    if (!p.has(off, 12)) return false;
    const plen = maskLength(p.u32(off + 8));
    p.out += plen === -1
      ? `${ident}IPv4 prefix: ${p.ip4(off + 4)} mask ${p.ip4(off + 8)}`
      : `${ident}IPv4 prefix: ${p.ip4(off + 4).padStart(15)}/${plen}`;
    const b = p.u8(off);
    p.out += `, Distribution: ${b & 0x80 ? "down" : "up"}, Metric: ${metricText(b)}`;
    const names = ["Delay", "Expense", "Error"];
    for (let i = 0; i < 3; i++) {
      const m = p.u8(off + 1 + i);
      if (!(m & 0x80)) p.out += `${ident}  ${names[i]} Metric: ${metricText(m)}`;
    }
  }
  return true;
}

const IS_REACH_SUBTLVS: Record<number, string> = {
  3: "Administrative groups",
  4: "Link Local/Remote Identifier",
  5: "Link Remote Identifier",
  6: "IPv4 interface address",
  8: "IPv4 neighbor address",
  9: "Maximum link bandwidth",
  10: "Reservable link bandwidth",
  11: "Unreserved bandwidth",
  18: "Traffic Engineering Metric",
  19: "Link Attribute",
  20: "Link Protection Type",
  21: "Interface Switching Capability",
  12: "Bandwidth Constraints (old)",
  22: "Bandwidth Constraints",
  32: "LAN Adjacency Segment Identifier",
  29: "SPB Metric",
  250: "Reserved for cisco specific extensions",
  251: "Reserved for cisco specific extensions",
  252: "Reserved for cisco specific extensions",
  253: "Reserved for cisco specific extensions",
  254: "Reserved for cisco specific extensions",
  255: "Reserved for future expansion",
};
const BC_MODELS: Record<number, string> = {
  0: "Russian dolls",
  1: "Maximum allocation",
  2: "Maximum allocation with E-LSP support",
};
const LINK_ATTRIBUTES: BitNames = [
  [0x01, "Local Protection Available"],
  [0x02, "Link excluded from local protection path"],
  [0x04, "Local maintenance required"],
];
const LAN_ADJ_SID_FLAGS: BitNames = [
  [0x80, "Address family IPv6"],
  [0x40, "Backup"],
  [0x20, "Value"],
  [0x10, "Local significance"],
  [0x08, "Set of adjacencies"],
  [0x04, "Persistent"],
];

const floatView = new DataView(new ArrayBuffer(4));

/** A bandwidth in bytes per second (an IEEE float), as tcpdump prints it in single precision. */
function mbps(p: Pkt, off: number): string {
  floatView.setUint32(0, p.u32(off));
  const f = Math.fround(Math.fround(floatView.getFloat32(0) * 8) / 1000000);
  return `${fixed(f, 3)} Mbps`;
}

/**
 * An extended IS reachability entry (TLVs 22, 24, 222) at `off`: the bytes it takes. A neighbor
 * cut short ends the PDU as truncated (throws).
 */
export function extIsReach(
  p: Pkt,
  off: number,
  ident: string,
  tlvType: number,
  remaining: number,
): number {
  p.need(off, 7);
  if (remaining < 7) throw TRUNCATED;
  p.out += `${ident}IS Neighbor: ${isisId(p, off, 7)}`;
  let at = off + 7;
  remaining -= 7;
  if (tlvType !== 24) {
    p.need(at, 3);
    if (remaining < 3) throw TRUNCATED;
    p.out += `, Metric: ${p.u16(at) * 256 + p.u8(at + 2)}`;
    at += 3;
    remaining -= 3;
  }
  p.need(at, 1);
  if (remaining < 1) throw TRUNCATED;
  let sum = p.u8(at);
  at++;
  remaining--;
  p.out += `, ${sum ? "" : "no "}sub-TLVs present`;
  if (sum === 0) return at - off;
  p.out += ` (${sum})`;
  const sub = ident + "  ";
  while (sum !== 0) {
    p.need(at, 2);
    if (remaining < 2) {
      p.out += `${sub}Remaining data in TLV shorter than a subTLV header`;
      return at - off + remaining;
    }
    if (sum < 2) {
      p.out += `${sub}Remaining data in subTLVs shorter than a subTLV header`;
      return at - off + sum;
    }
    const type = p.u8(at);
    const len = p.u8(at + 1);
    at += 2;
    remaining -= 2;
    sum -= 2;
    p.out += `${sub}${IS_REACH_SUBTLVS[type] ?? "unknown"} subTLV #${type}, length: ${len}`;
    if (sum < len) {
      p.out += " (remaining data in subTLVs shorter than the current subTLV)";
      return at - off + sum;
    }
    if (remaining < len) {
      p.out += " (> remaining tlv length)";
      return at - off + remaining;
    }
    p.need(at, len);
    isReachSubTlv(p, at, type, len, sub);
    at += len;
    remaining -= len;
    sum -= len;
  }
  return at - off;
}

function isReachSubTlv(p: Pkt, at: number, type: number, len: number, ident: string): void {
  switch (type) {
    case 3:
    case 4:
    case 5:
      if (len >= 4) {
        p.out += `, 0x${p.u32(at).toString(16).padStart(8, "0")}`;
        if (len === 8) p.out += `, 0x${p.u32(at + 4).toString(16).padStart(8, "0")}`;
      }
      return;
    case 6:
    case 8:
      if (len >= 4) p.out += `, ${p.ip4(at)}`;
      return;
    case 9:
    case 10:
      if (len >= 4) p.out += `, ${mbps(p, at)}`;
      return;
    case 11:
      if (len >= 32) {
        for (let c = 0; c < 8; c++) p.out += `${ident}  TE-Class ${c}: ${mbps(p, at + 4 * c)}`;
      }
      return;
    case 12:
    case 22: {
      if (len === 0) return;
      const model = p.u8(at);
      p.out += `${ident}Bandwidth Constraints Model ID: ${
        BC_MODELS[model] ?? "unknown"
      } (${model})`;
      for (let c = 0, i = 1; len - i >= 4; c++, i += 4) {
        p.out += `${ident}  Bandwidth constraint CT${c}: ${mbps(p, at + i)}`;
      }
      return;
    }
    case 18:
      if (len >= 3) p.out += `, ${p.u16(at) * 256 + p.u8(at + 2)}`;
      return;
    case 19:
      if (len === 2) {
        const v = p.u16(at);
        p.out += `, [ ${bitNames(LINK_ATTRIBUTES, v, "Unknown")} ] (0x${hex4(v)})`;
      }
      return;
    case 20:
      if (len >= 2) {
        p.out += `, ${bitNames(GMPLS_LINK_PROTECTION, p.u8(at), "none")}, Priority ${p.u8(at + 1)}`;
      }
      return;
    case 29:
      if (len >= 6) {
        p.out += `, LM: ${p.u16(at) * 256 + p.u8(at + 2)}, P: ${p.u8(at + 3)}, P-ID: ${
          p.u16(at + 4)
        }`;
      }
      return;
    case 21:
      if (len >= 36) switchingCapability(p, at, len, ident);
      return;
    case 32:
      if (len >= 8) lanAdjSid(p, at, len, ident);
      return;
    default:
      p.unknownData(at, len, "\n\t\t    ");
  }
}

function switchingCapability(p: Pkt, at: number, len: number, ident: string): void {
  const cap = p.u8(at);
  p.out += `${ident}  Interface Switching Capability:${GMPLS_SWITCH_CAP[cap] ?? "Unknown"}`;
  p.out += `, LSP Encoding: ${GMPLS_ENCODING[p.u8(at + 1)] ?? "Unknown"}`;
  p.out += `${ident}  Max LSP Bandwidth:`;
  for (let i = 0; i < 8; i++) {
    p.out += `${ident}    priority level ${i}: ${mbps(p, at + 4 + 4 * i)}`;
  }
  const rest = at + 36;
  const left = len - 36;
  if (cap >= 1 && cap <= 4) {
    if (left < 6) return;
    p.out += `${ident}  Min LSP Bandwidth: ${mbps(p, rest)}`;
    p.out += `${ident}  Interface MTU: ${p.u16(rest + 4)}`;
  } else if (cap === 100) {
    if (left < 8) return;
    p.out += `${ident}  Min LSP Bandwidth: ${mbps(p, rest)}`;
    const ind = p.u8(rest + 4);
    p.out += `${ident}  Indication ${
      ind === 0 ? "Standard SONET/SDH" : ind === 1 ? "Arbitrary SONET/SDH" : `Unknown (${ind})`
    }`;
  } else if (left !== 0) {
    p.unknownData(rest, left, "\n\t\t    ");
  }
}

function lanAdjSid(p: Pkt, at: number, len: number, ident: string): void {
  const flags = p.u8(at);
  p.out += `${ident}  Flags: [${bitNames(LAN_ADJ_SID_FLAGS, flags, "none")}]`;
  p.out += `${ident}  Weight: ${p.u8(at + 1)}`;
  const id = at + 2;
  if (len - 2 >= 6) p.out += `${ident}  Neighbor System-ID: ${isisId(p, id, 6)}`;
  const v = flags & 0x20;
  const l = flags & 0x10;
  if (v && l) p.out += `${ident}  Label: ${p.u16(id + 6) * 256 + p.u8(id + 8)}`;
  else if (!v && !l) p.out += `${ident}  Index: ${p.u32(id + 6)}`;
  else p.out += " (invalid)";
}

const IP_REACH_SUBTLVS: Record<number, string> = {
  1: "32-Bit Administrative tag",
  2: "64-Bit Administrative tag",
  3: "Prefix SID",
  117: "Management Prefix Color",
};
const PREFIX_SID_FLAGS: BitNames = [
  [0x80, "Readvertisement"],
  [0x40, "Node"],
  [0x20, "No-PHP"],
  [0x10, "Explicit NULL"],
  [0x08, "Value"],
  [0x04, "Local"],
];

/** tcpdump marks a cut IP reachability sub-TLV there, and again where the entry's caller stops. */
function cutSubTlv(p: Pkt): never {
  p.out += " [|isis]";
  throw TRUNCATED;
}

/** A sub-TLV of an extended IP reachability entry; a cut one ends the PDU as truncated. */
function ipReachSubTlv(p: Pkt, at: number, type: number, len: number, ident: string): void {
  p.out += `${ident}${IP_REACH_SUBTLVS[type] ?? "unknown"} subTLV #${type}, length: ${len}`;
  if (!p.has(at, len)) cutSubTlv(p);
  switch (type) {
    case 117:
    case 1:
      for (let i = 0; len - i >= 4; i += 4) {
        const v = p.u32(at + i);
        p.out += `, 0x${v.toString(16).padStart(8, "0")} (=${v})`;
      }
      return;
    case 2:
      for (let i = 0; len - i >= 8; i += 8) {
        p.out += `, 0x${p.u32(at + i).toString(16).padStart(8, "0")}${
          p.u32(at + i + 4).toString(16).padStart(8, "0")
        }`;
      }
      return;
    case 3: {
      const flags = p.u8(at);
      const algo = p.u8(at + 1);
      let sid: number;
      if (flags & 0x08) {
        if (len < 5) cutSubTlv(p);
        sid = p.u16(at + 2) * 256 + p.u8(at + 4);
      } else {
        if (len < 6) cutSubTlv(p);
        sid = p.u32(at + 2);
      }
      p.out += `, Flags [${bitNames(PREFIX_SID_FLAGS, flags, "None")}], Algo ${
        algo === 0 ? "SPF" : algo === 1 ? "strict-SPF" : "Unknown"
      } (${algo}), ${flags & 0x08 ? "label" : "index"} ${sid}`;
      return;
    }
    default:
      p.unknownData(at, len, "\n\t\t    ");
  }
}

const prefixScratch = new Uint8Array(16);

/**
 * An extended IPv4 (`v6` false) or IPv6 reachability entry (TLVs 135, 235, 236, 237) at `off`:
 * the bytes it takes. A bad prefix length or a cut entry ends the PDU as truncated (throws).
 */
export function extIpReach(p: Pkt, off: number, ident: string, v6: boolean): number {
  const metric = p.u32(off);
  let at = off + 4;
  const status = p.u8(at);
  let bits: number;
  if (!v6) {
    bits = status & 0x3f;
    at++;
    if (bits > 32) {
      p.out += `${ident}IPv4 prefix: bad bit length ${bits}`;
      throw TRUNCATED;
    }
  } else {
    bits = p.u8(at + 1);
    if (bits > 128) {
      p.out += `${ident}IPv6 prefix: bad bit length ${bits}`;
      throw TRUNCATED;
    }
    at += 2;
  }
  const bytes = (bits + 7) >> 3;
  p.need(at, bytes);
  prefixScratch.fill(0);
  prefixScratch.set(p.d.subarray(at, at + bytes));
  at += bytes;
  const s = prefixScratch;
  p.out += v6
    ? `${ident}IPv6 prefix: ${formatIp6(s, 0)}/${bits}`
    : `${ident}IPv4 prefix: ${`${s[0]}.${s[1]}.${s[2]}.${s[3]}`.padStart(15)}/${bits}`;
  p.out += `, Distribution: ${status & 0x80 ? "down" : "up"}, Metric: ${metric}`;
  const hasSub = v6 ? status & 0x20 : status & 0x40;
  if (!v6 && hasSub) p.out += ", sub-TLVs present";
  else if (v6) {
    p.out += `, ${status & 0x40 ? "External" : "Internal"}${hasSub ? ", sub-TLVs present" : ""}`;
  }
  if (!hasSub) return at - off;
  let sublen = p.u8(at);
  at++;
  const processed = at - off + sublen;
  p.out += ` (${sublen})`;
  while (sublen > 0) {
    const type = p.u8(at);
    const len = p.u8(at + 1);
    at += 2;
    ipReachSubTlv(p, at, type, len, ident + "  ");
    at += len;
    sublen = (sublen - (len + 2)) >>> 0; // tcpdump's unsigned count wraps on a bad length
  }
  return processed;
}

/** The prefix neighbors TLV (5). */
export function prefixNeighbors(p: Pkt, at: number, len: number): void {
  if (len < 4) return;
  p.need(at, 4);
  p.out += `${IDENT}Metric Block${metricBlock(p, at)}`;
  at += 4;
  len -= 4;
  while (len !== 0) {
    const plen = p.u8(at);
    at++;
    len--;
    if (plen < 2) {
      p.out += `\n\t\tAddress: prefix length ${plen} < 2`;
      return;
    }
    if (len < plen >> 1) return;
    p.out += `\n\t\tAddress: ${nsap(p, at, plen >> 1)}/${plen * 4}`;
    at += plen >> 1;
    len -= plen >> 1;
  }
}
