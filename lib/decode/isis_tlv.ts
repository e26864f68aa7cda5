/**
 * The parts of IS-IS TLVs that several TLVs share (tcpdump's print-isoclns.c): system, node and
 * LSP ids, NSAP addresses, metric blocks, extended IS and IP reachability entries with their
 * sub-TLVs (traffic engineering, segment routing), multi-topology ids, the SPB sub-TLVs of the
 * port and MT capability TLVs, and the router capability sub-TLVs. isis.ts walks the TLVs.
 *
 * @module
 */
import { formatIp6, hex2, hex4, type Pkt, TRUNCATED } from "./printer.ts";
import { type BitNames, bitNames, fixed, printUpToNul } from "./tokens.ts";

/** A system id (6 bytes), node id (7) or LSP id (8): `1921.6800.1001.00-00`. */
export function isisId(p: Pkt, off: number, len: number): string {
  p.need(off, len);
  const d = p.d;
  let s = "";
  for (let i = 0; i < Math.min(6, len); i++) {
    s += hex2(d[off + i]);
    if (i === 1 || i === 3) s += ".";
  }
  if (len >= 7) s += "." + hex2(d[off + 6]);
  if (len === 8) s += "-" + hex2(d[off + 7]);
  return s;
}

/** An OSI NSAP address as tcpdump prints it: `49.0001.1921.6800.1001`. */
export function nsap(p: Pkt, off: number, len: number): string {
  p.need(off, len);
  if (len < 1 || len > 20) return "isonsap_string: illegal length";
  let s = "";
  for (let i = 0; i < len; i++) {
    s += hex2(p.d[off + i]);
    if ((i & 1) === 0 && i + 1 < len) s += ".";
  }
  return s;
}

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

const MT_NAMES: Record<number, string> = {
  0: "IPv4 unicast",
  1: "In-Band Management",
  2: "IPv6 unicast",
  3: "Multicast",
  4095: "Development, Experimental or Proprietary",
};
const MT_FLAGS: BitNames = [[0x4000, "ATT bit set"], [0x8000, "Overload bit set"]];

/** A multi-topology id: its length (2), or 0 when it does not fit. */
export function mtId(p: Pkt, off: number, ident: string, remaining: number): number {
  if (remaining < 2) return 0;
  const v = p.u16(off);
  p.out += `${ident}${MT_NAMES[v & 0xfff] ?? "Reserved for IETF Consensus"}`;
  p.out += ` Topology (0x${(v & 0xfff).toString(16).padStart(3, "0")}), Flags: [${
    bitNames(MT_FLAGS, v & 0xf000, "none")
  }]`;
  return 2;
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
const LINK_PROTECTION: BitNames = [
  [0x01, "Extra Traffic"],
  [0x02, "Unprotected"],
  [0x04, "Shared"],
  [0x08, "Dedicated 1:1"],
  [0x10, "Dedicated 1+1"],
  [0x20, "Enhanced"],
  [0x40, "Reserved"],
  [0x80, "Reserved"],
];
const SWITCH_CAPS: Record<number, string> = {
  1: "Packet-Switch Capable-1",
  2: "Packet-Switch Capable-2",
  3: "Packet-Switch Capable-3",
  4: "Packet-Switch Capable-4",
  51: "Layer-2 Switch Capable",
  100: "Time-Division-Multiplex",
  150: "Lambda-Switch Capable",
  200: "Fiber-Switch Capable",
};
const ENCODINGS: Record<number, string> = {
  1: "Packet",
  2: "Ethernet V2/DIX",
  3: "ANSI/ETSI PDH",
  4: "Reserved",
  5: "SDH ITU-T G.707/SONET ANSI T1.105",
  6: "Reserved",
  7: "Digital Wrapper",
  8: "Lambda (photonic)",
  9: "Fiber",
  10: "Reserved",
  11: "FiberChannel",
};
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
        p.out += `, ${bitNames(LINK_PROTECTION, p.u8(at), "none")}, Priority ${p.u8(at + 1)}`;
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
  p.out += `${ident}  Interface Switching Capability:${SWITCH_CAPS[cap] ?? "Unknown"}`;
  p.out += `, LSP Encoding: ${ENCODINGS[p.u8(at + 1)] ?? "Unknown"}`;
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

const PORT_CAP_SUBTLVS: Record<number, string> = { 4: "SPB MCID", 5: "SPB Digest", 6: "SPB BVID" };
const MT_CAP_SUBTLVS: Record<number, string> = {
  1: "SPB Instance",
  3: "SPBM Service Identifier and Unicast Address",
};

function mcid(p: Pkt, at: number): void {
  if (!p.has(at, 51)) {
    p.out += " [|isis]";
    return;
  }
  p.out += `ID: ${p.u8(at)}, Name: `;
  printUpToNul(p, at + 1, 32);
  p.out += `\n\t              Lvl: ${p.u16(at + 33)}, Digest: `;
  for (let i = 0; i < 16; i++) p.out += hex2(p.d[at + 35 + i]) + " ";
}

/**
 * The sub-TLVs of a port capability TLV (143). Like tcpdump, a problem ends the sub-TLVs with a
 * note (` (too short)`, ` [|isis]`) and the TLVs go on.
 */
export function portCapSubTlvs(p: Pkt, at: number, len: number): void {
  while (len > 2) {
    const type = p.u8(at);
    let slen = p.u8(at + 1);
    p.out += `\n\t       ${PORT_CAP_SUBTLVS[type] ?? "unknown"} subTLV #${type}, length: ${slen}`;
    at += 2;
    len -= 2;
    if (len < slen) return void (p.out += " (> containing TLV length)");
    if (!p.has(at, slen)) return void (p.out += " [|isis]");
    if (type === 4) {
      if (slen < 102) return void (p.out += " (too short)");
      p.out += "\n\t         MCID: ";
      mcid(p, at);
      p.out += "\n\t         AUX-MCID: ";
      mcid(p, at + 51);
      at += 102;
      len -= 102;
      slen -= 102;
    } else if (type === 5) {
      if (slen < 33) return void (p.out += " (too short)");
      const b = p.u8(at);
      p.out += `\n\t        RES: ${b >> 5} V: ${(b >> 4) & 1} A: ${(b >> 2) & 3} D: ${b & 3}`;
      p.out += "\n\t         Digest: ";
      for (let i = 1; i <= 8; i++) {
        p.out += p.u32(at + 1 + 4 * (i - 1)).toString(16).padStart(8, "0") + " ";
        if (i % 4 === 0 && i !== 8) p.out += "\n\t                 ";
      }
      at += 33;
      len -= 33;
      slen -= 33;
    } else if (type === 6) {
      while (slen !== 0) {
        if (slen < 4) return void (p.out += " (too short)");
        p.out += `\n\t           ECT: ${p.u32(at).toString(16).padStart(8, "0")}`;
        at += 4;
        len -= 4;
        slen -= 4;
        if (slen < 2) return void (p.out += " (too short)");
        const v = p.u16(at);
        p.out += ` BVID: ${v >> 4}, U:${(v >> 3) & 1} M:${(v >> 2) & 1} `;
        at += 2;
        len -= 2;
        slen -= 2;
      }
    }
    at += slen;
    len -= slen;
  }
}

function hex8(p: Pkt, off: number): string {
  return p.u32(off).toString(16).padStart(8, "0");
}

/** The sub-TLVs of an MT capability TLV (144), ended like {@link portCapSubTlvs}. */
export function mtCapSubTlvs(p: Pkt, at: number, len: number): void {
  while (len > 2) {
    const type = p.u8(at);
    let slen = p.u8(at + 1);
    at += 2;
    len -= 2;
    p.out += `\n\t      ${MT_CAP_SUBTLVS[type] ?? "unknown"} subTLV #${type}, length: ${slen}`;
    if (len < slen) return void (p.out += " (> containing TLV length)");
    if (!p.has(at, slen)) return void (p.out += " [|isis]");
    if (type === 1) {
      if (slen < 19) return void (p.out += " (too short)");
      p.out += `\n\t        CIST Root-ID: ${hex8(p, at)} ${hex8(p, at + 4)}, Path Cost: ${
        hex8(p, at + 8)
      }, Prio: ${p.u16(at + 12)}`;
      p.out += `\n\t        RES: ${p.u16(at + 14) >> 5}, V: ${(p.u16(at + 14) >> 4) & 1}` +
        `, SPSource-ID: ${p.u32(at + 14) & 0xfffff}, No of Trees: ${p.u8(at + 18).toString(16)}`;
      let trees = p.u8(at + 18);
      at += 19;
      len -= 19;
      slen -= 19;
      for (; trees > 0; trees--) {
        if (slen < 8) return void (p.out += " [|isis]");
        const b = p.u8(at);
        p.out += `\n\t         U:${b >> 7}, M:${(b >> 6) & 1}, A:${(b >> 5) & 1}, RES:${b & 0x1f}`;
        p.out += `, ECT: ${hex8(p, at + 1)}`;
        const v = p.u16(at + 5) * 256 + p.u8(at + 7);
        p.out += `, BVID: ${(v >> 12) & 0xfff}, SPVID: ${v & 0xfff}`;
        at += 8;
        len -= 8;
        slen -= 8;
      }
    } else if (type === 3) {
      if (slen < 8) return void (p.out += " [|isis]");
      p.out += `\n\t        BMAC: ${p.u32(at).toString(16).padStart(8, "0")}${hex4(p.u16(at + 4))}`;
      const v = p.u16(at + 6);
      p.out += `, RES: ${v >> 12}, VID: ${v & 0xfff}`;
      at += 8;
      len -= 8;
      slen -= 8;
      for (; slen >= 4; at += 4, len -= 4, slen -= 4) {
        const w = p.u32(at);
        p.out += `\n\t        T: ${w >>> 31}, R: ${(w >> 30) & 1}, RES: ${(w >> 24) & 0x3f}` +
          `, ISID: ${w & 0xffffff}`;
      }
    }
    at += slen;
    len -= slen;
  }
}

/** The sub-TLVs of a router capability TLV (242). */
export function routerCapSubTlvs(p: Pkt, at: number, len: number): void {
  while (len >= 2) {
    const type = p.u8(at);
    const slen = p.u8(at + 1);
    len -= 2;
    at += 2;
    p.out += `\n\t\t${type === 2 ? "SR-Capabilities" : "unknown"} subTLV #${type}, length: ${slen}`;
    // tcpdump stops quietly where a sub-TLV is not captured.
    if (slen > len || !p.has(at, slen)) return;
    if (type === 2) {
      const flags = p.u8(at);
      p.out += `, Flags [${bitNames([[0x80, "ipv4"], [0x40, "ipv6"]], flags, "None")}], Range ${
        p.u16(at + 1) * 256 + p.u8(at + 3)
      }`;
      let sp = at + 4;
      let stlen = (slen - 4) & 0xff; // tcpdump's uint8_t
      while (stlen >= 5) {
        const st = p.u8(sp);
        const sl = p.u8(sp + 1);
        stlen -= 2;
        sp += 2;
        if (sl > stlen) break;
        if (st === 1) {
          if (sl === 3) p.out += `, SID value ${p.u16(sp) * 256 + p.u8(sp + 2)}`;
          else if (sl === 4) p.out += `, SID value ${p.u32(sp)}`;
          else p.out += `, Unknown SID length${sl}`;
        } else {
          p.unknownData(sp, sl, "\n\t\t  ");
        }
        sp += sl;
        stlen -= sl;
      }
    } else {
      p.unknownData(at, slen, "\n\t\t");
    }
    len -= slen;
    at += slen;
  }
}

/** Network layer protocol ids (tcpdump's nlpid_values). */
export const NLPIDS: Record<number, string> = {
  0x00: "NULL",
  0x08: "Q.933",
  0x09: "LMI",
  0x80: "SNAP",
  0x81: "CLNP",
  0x82: "ES-IS",
  0x83: "IS-IS",
  0x84: "CONS",
  0x85: "IDRP",
  0xc1: "ISIS_SPB",
  0xb1: "FRF.15",
  0xcc: "IPv4",
  0xcf: "PPP",
  0x8a: "X25 ES-IS",
  0x8e: "IPv6",
};

/** The OSI checksum of `len` bytes at `off` with the checksum at `at` (tcpdump's create_osi_cksum). */
function osiChecksum(d: Uint8Array, off: number, at: number, len: number): number {
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < len; i++) {
    if (i !== at && i !== at + 1) c0 += d[off + i];
    c1 += c0;
  }
  c0 %= 255;
  c1 %= 255;
  const mul = ((len - at) * c0) >>> 0;
  let x = (mul - c0 - c1) | 0;
  let y = (c1 - mul - 1) | 0;
  if (y >= 0) y++;
  if (x < 0) x--;
  x %= 255;
  y %= 255;
  if (x === 0) x = 255;
  if (y === 0) y = 255;
  return ((x << 8) | (y & 0xff)) & 0xffff;
}

/** tcpdump's osi_print_cksum verdict. */
export function checksumVerdict(
  p: Pkt,
  off: number,
  carried: number,
  at: number,
  len: number,
): string {
  if (carried === 0 || at < 0 || !p.has(off + at, 2) || at > len || !p.has(off, len)) {
    return " (unverified)";
  }
  const computed = osiChecksum(p.d, off, at, len);
  return computed === carried ? " (correct)" : ` (incorrect should be 0x${hex4(computed)})`;
}
