/**
 * BGP path attributes (tcpdump's bgp_attr_print in print-bgp.c): origin, AS paths (2- or 4-byte
 * AS numbers, guessed as tcpdump guesses), next hop, MED, local preference, aggregator,
 * communities, originator and cluster list, multiprotocol reach/unreach (their NLRI in
 * bgp_nlri.ts), extended and large communities, PMSI tunnels, AIGP and attribute sets.
 *
 * @module
 */
import { BGP_CUT, mpAf, nextHop, nlris } from "./bgp_nlri.ts";
import type { Pkt } from "./printer.ts";
import { type BitTok, bitTok } from "./text.ts";
import { fixed, mbps, unknownData } from "./tlv.ts";

const ORIGINS = ["IGP", "EGP", "Incomplete"];
const SEGMENT_OPEN = ["?", "{ ", "", "( ", "({ "];
const SEGMENT_CLOSE = ["?", "}", "", ")", "})"];
const EXT_FLAGS: BitTok = [[0x8000, "vendor-specific"], [0x4000, "non-transitive"]];
const EXT_TYPES: Record<number, string> = {
  0x0002: "target",
  0x0102: "target",
  0x0202: "target",
  0x0003: "origin",
  0x0103: "origin",
  0x0203: "origin",
  0x4004: "link-BW",
  0x0005: "ospf-domain",
  0x0105: "ospf-domain",
  0x0205: "ospf-domain",
  0x8005: "ospf-domain",
  0x0306: "ospf-route-type",
  0x8000: "ospf-route-type",
  0x030c: "encapsulation",
  0x0107: "ospf-router-id",
  0x8001: "ospf-router-id",
  0x800a: "layer2-info",
  0x8800: "eigrp-general-route (flag, tag)",
  0x8801: "eigrp-route-metric (AS, delay)",
  0x8802: "eigrp-route-metric (reliability, nexthop, bandwidth)",
  0x8803: "eigrp-route-metric (load, MTU)",
  0x8804: "eigrp-external-route (remote-AS, remote-ID)",
  0x8805: "eigrp-external-route (remote-proto, remote-metric)",
  0x0009: "source-AS",
  0x010b: "vrf-route-import",
  0x000a: "l2vpn-id",
  0xf10a: "l2vpn-id",
};
const ENCAP_TUNNELS = [
  "unknown encaps",
  "L2TPv3 over IP",
  "GRE",
  "Transmit Tunnel",
  "IPsec",
  "IP in IP with IPsec",
  "MPLS in IP with IPsec",
  "IP in IP",
  "VXLAN",
  "NVGRE",
  "MPLS",
  "MPLS in GRE",
  "VXLAN GPE",
  "MPLS in UDP",
  "IPv6",
  "SR TE",
  "Bare",
  "SR",
];
const OSPF_ROUTE_TYPES: Record<number, string> = {
  1: "Router",
  2: "Network",
  3: "Summary",
  5: "External",
  7: "NSSA External",
  129: "MPLS-VPN Sham",
};
const L2VPN_ENCAPS: Record<number, string> = {
  0: "Reserved",
  1: "Frame Relay",
  2: "ATM AAL5 SDU VCC transport",
  3: "ATM transparent cell transport",
  4: "Ethernet (VLAN) Tagged Mode",
  5: "Ethernet Raw Mode",
  6: "Cisco HDLC",
  7: "PPP",
  8: "SONET/SDH Circuit Emulation Service over MPLS",
  9: "ATM n-to-one VCC cell transport",
  10: "ATM n-to-one VPC cell transport",
  11: "IP layer 2 transport",
  15: "Frame Relay Port mode",
  17: "Structure-agnostic E1 over packet",
  18: "Structure-agnostic T1 (DS1) over packet",
  19: "VPLS",
  20: "Structure-agnostic T3 (DS3) over packet",
  21: "Nx64kbit/s Basic Service using Structure-aware",
  25: "Frame Relay DLCI",
  40: "Structure-agnostic E3 over packet",
  41: "Octet-aligned playload for Structure-agnostic DS1 circuits",
  42: "E1 Nx64kbit/s with CAS using Structure-aware",
  43: "DS1 (ESF) Nx64kbit/s with CAS using Structure-aware",
  44: "DS1 (SF) Nx64kbit/s with CAS using Structure-aware",
};
const PMSI_TUNNELS = [
  "Unknown",
  "RSVP-TE P2MP LSP",
  "LDP P2MP LSP",
  "PIM-SSM Tree",
  "PIM-SM Tree",
  "PIM-Bidir Tree",
  "Ingress Replication",
  "LDP MP2MP LSP",
];
function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** An extended community's value (tcpdump's bgp_extended_community_print). */
function extCommunity(p: Pkt, at: number): string {
  const type = p.u16(at);
  switch (type) {
    case 0x0002:
    case 0x0003:
    case 0x000a:
      return `${p.u16(at + 2)}:${p.u32(at + 4)} (= ${p.ip4(at + 4)})`;
    case 0x0102:
    case 0x0103:
    case 0xf10a:
    case 0x010b:
      return `${p.ip4(at + 2)}:${p.u16(at + 6)}`;
    case 0x0202:
    case 0x0203:
      return `${p.u32(at + 2)}:${p.u16(at + 6)}`;
    case 0x4004:
      return `bandwidth: ${fixed(mbps(p.u32(at + 4)), 3)} Mbps`;
    case 0x0005:
    case 0x0105:
    case 0x0205:
    case 0x8005:
    case 0x0107:
    case 0x8001:
      return p.ip4(at + 2);
    case 0x0306:
    case 0x8000: {
      const rt = p.u8(at + 6);
      return `area:${p.ip4(at + 2)}, router-type:${
        OSPF_ROUTE_TYPES[rt] ?? `unknown (0x${hex2(rt)})`
      }, metric-type:${p.u8(at + 7) & 1 ? "E2" : ""}${rt === 5 || rt === 7 ? "E1" : ""}`;
    }
    case 0x800a:
      return `${L2VPN_ENCAPS[p.u8(at + 2)] ?? "unknown encaps"} Control Flags [0x${
        hex2(p.u8(at + 3))
      }]:MTU ${p.u16(at + 4)}`;
    case 0x0009:
      return `AS ${p.u16(at + 2)}`;
    case 0x030c:
      return `Tunnel type: ${ENCAP_TUNNELS[p.u16(at + 6)] ?? "unknown encaps"}`;
    default: {
      let s = "";
      for (let i = 2; i < 8; i++) s += hex2(p.u8(at + i));
      return s;
    }
  }
}

/** Whether an AS path holds 2-byte AS numbers, as tcpdump guesses (bgp_attr_get_as_size). */
function asSize(p: Pkt, type: number, at: number, len: number): number {
  if (type === 17) return 4;
  let t = at;
  while (t < at + len) {
    const seg = p.u8(t);
    if (seg < 1 || seg > 4) return 4;
    t += 2 + p.u8(t + 1) * 2;
  }
  return t === at + len ? 2 : 4;
}

/** "NAME (type), length: N, Flags [OTPE+x]" and what follows the flags. */
export function attributeHead(
  p: Pkt,
  indent: string,
  type: number,
  len: number,
  flags: number,
  close: string,
): void {
  p.out += `${indent}${ATTRIBUTE_NAMES[type] ?? "Unknown Attribute"} (${type}), length: ${len}`;
  if (flags) {
    p.out += `, Flags [${flags & 0x80 ? "O" : ""}${flags & 0x40 ? "T" : ""}${
      flags & 0x20 ? "P" : ""
    }${flags & 0x10 ? "E" : ""}`;
    if (flags & 0xf) p.out += `+${(flags & 0xf).toString(16)}`;
    p.out += close;
  }
}

/** Path attribute names (tcpdump's bgp_attr_values). */
export const ATTRIBUTE_NAMES: Record<number, string> = {
  1: "Origin",
  2: "AS Path",
  17: "AS4 Path",
  3: "Next Hop",
  4: "Multi Exit Discriminator",
  5: "Local Preference",
  6: "Atomic Aggregate",
  7: "Aggregator",
  18: "Aggregator4",
  8: "Community",
  9: "Originator ID",
  10: "Cluster List",
  11: "DPA",
  12: "Advertisers",
  13: "RCID Path / Cluster ID",
  14: "Multi-Protocol Reach NLRI",
  15: "Multi-Protocol Unreach NLRI",
  16: "Extended Community",
  22: "PMSI Tunnel",
  23: "Tunnel Encapsulation",
  24: "Traffic Engineering",
  25: "IPv6 Extended Community",
  26: "Accumulated IGP Metric",
  27: "PE Distinguisher Label",
  28: "Entropy Label",
  32: "Large Community",
  128: "Attribute Set",
  255: "Reserved for development",
};

/**
 * One path attribute's value (tcpdump's bgp_attr_print); throws {@link BGP_CUT} where tcpdump
 * gives up on the message.
 */
export function attribute(p: Pkt, type: number, at: number, len: number, level: number): void {
  let t = at;
  let tlen = len;
  switch (type) {
    case 1:
      p.out += len !== 1 ? "invalid len" : ORIGINS[p.u8(t)] ?? "Unknown Origin Typecode";
      break;
    case 2:
    case 17: {
      if (len % 2) {
        p.out += "invalid len";
        break;
      }
      if (!len) {
        p.out += "empty";
        break;
      }
      const size = asSize(p, type, at, len);
      while (t < at + len) {
        const seg = p.u8(t);
        p.out += SEGMENT_OPEN[seg] ?? "?";
        for (let i = 0; i < p.u8(t + 1) * size; i += size) {
          if (!p.has(t + 2 + i, size)) throw BGP_CUT;
          p.out += `${size === 2 ? p.u16(t + i + 2) : p.u32(t + i + 2)} `;
        }
        p.out += SEGMENT_CLOSE[seg] ?? "?";
        t += 2 + p.u8(t + 1) * size;
      }
      break;
    }
    case 3:
    case 9:
      p.out += len !== 4 ? "invalid len" : p.ip4(t);
      break;
    case 4:
    case 5:
      p.out += len !== 4 ? "invalid len" : `${p.u32(t)}`;
      break;
    case 6:
      if (len !== 0) p.out += "invalid len";
      break;
    case 7:
    case 18:
      if ((type === 7 && len !== 6 && len !== 8) || (type === 18 && len !== 8)) {
        p.out += "invalid len";
        break;
      }
      if (type === 7 && !p.has(t, len)) throw BGP_CUT;
      p.out += len === 6
        ? ` AS #${p.u16(t)}, origin ${p.ip4(t + 2)}`
        : ` AS #${p.u32(t)}, origin ${p.ip4(t + 4)}`;
      break;
    case 8:
      if (len % 4) {
        p.out += "invalid len";
        break;
      }
      for (; tlen !== 0; tlen -= 4, t += 4) {
        if (!p.has(t, 4)) throw BGP_CUT;
        const c = p.u32(t);
        p.out += c === 0xffffff01
          ? " NO_EXPORT"
          : c === 0xffffff02
          ? " NO_ADVERTISE"
          : c === 0xffffff03
          ? " NO_EXPORT_SUBCONFED"
          : `${c >>> 16}:${c & 0xffff}${tlen > 4 ? ", " : ""}`;
      }
      break;
    case 10:
      if (len % 4) {
        p.out += "invalid len";
        break;
      }
      for (; tlen !== 0; tlen -= 4, t += 4) p.out += `${p.ip4(t)}${tlen > 4 ? ", " : ""}`;
      break;
    case 14: {
      if (!p.has(t, 3) || tlen < 3) throw BGP_CUT;
      const pair = mpAf(p, t, tlen);
      if (pair < 0) break;
      t += 3;
      tlen -= 3;
      if (!p.has(t, 1) || tlen < 1) throw BGP_CUT;
      const nhlen = p.u8(t);
      t++;
      tlen--;
      if (nhlen) {
        if (tlen < nhlen) throw BGP_CUT;
        p.out += "\n\t    nexthop: ";
        for (let left = nhlen, n = 0; left !== 0; n++) {
          if (n > 0) p.out += ", ";
          const used = nextHop(p, pair, t, left);
          t += used;
          tlen -= used;
          left -= used;
        }
      }
      p.out += `, nh-length: ${nhlen}`;
      if (tlen < 1) throw BGP_CUT;
      let snpa = p.u8(t);
      t++;
      tlen--;
      if (snpa) {
        p.out += `\n\t    ${snpa} SNPA`;
        for (; snpa !== 0; snpa--) {
          if (tlen < 1) throw BGP_CUT;
          const sl = p.u8(t);
          p.out += `\n\t      ${sl} bytes`;
          t++;
          tlen--;
          if (tlen < sl || !p.has(t, sl)) throw BGP_CUT;
          t += sl;
          tlen -= sl;
        }
      } else {
        p.out += ", no SNPA";
      }
      nlris(p, pair, t, at, len);
      break;
    }
    case 15: {
      if (!p.has(t, 3)) throw BGP_CUT;
      const pair = mpAf(p, t, tlen);
      if (pair < 0) break;
      if (len === 3) p.out += "\n\t      End-of-Rib Marker (empty NLRI)";
      nlris(p, pair, t + 3, at, len);
      break;
    }
    case 16:
      if (len % 8) {
        p.out += "invalid len";
        break;
      }
      for (; tlen !== 0; tlen -= 8, t += 8) {
        if (!p.has(t, 2) || tlen < 2) throw BGP_CUT;
        const ec = p.u16(t);
        p.out += `\n\t    ${EXT_TYPES[ec] ?? "unknown extd community typecode"} (0x${
          ec.toString(16).padStart(4, "0")
        }), Flags [${bitTok(EXT_FLAGS, ec, "none")}]`;
        if (!p.has(t, 8) || tlen < 8) throw BGP_CUT;
        p.out += ": ";
        p.out += extCommunity(p, t);
      }
      break;
    case 22: {
      if (!p.has(t, 5) || tlen < 5) throw BGP_CUT;
      const flags = p.u8(t);
      const tt = p.u8(t + 1);
      p.out += `\n\t    Tunnel-type ${PMSI_TUNNELS[tt] ?? "Unknown"} (${tt}), Flags [${
        flags & 1 ? "Leaf Information required" : "none"
      }], MPLS Label ${((p.u8(t + 2) << 16) | p.u16(t + 3)) >> 4}`;
      t += 5;
      tlen -= 5;
      switch (tt) {
        case 4:
        case 5:
          p.out += `\n\t      Sender ${p.ip4(t)}, P-Group ${p.ip4(t + 4)}`;
          break;
        case 3:
          p.out += `\n\t      Root-Node ${p.ip4(t)}, P-Group ${p.ip4(t + 4)}`;
          break;
        case 6:
          p.out += `\n\t      Tunnel-Endpoint ${p.ip4(t)}`;
          break;
        case 2:
        case 7:
          p.out += `\n\t      Root-Node ${p.ip4(t)}, LSP-ID 0x${
            p.u32(t + 4).toString(16).padStart(8, "0")
          }`;
          break;
        case 1:
          p.out += `\n\t      Extended-Tunnel-ID ${p.ip4(t)}, P2MP-ID 0x${
            p.u32(t + 4).toString(16).padStart(8, "0")
          }`;
          break;
        default:
          if (p.verbosity <= 1) unknownData(p, t, tlen, "\n\t      ");
      }
      break;
    }
    case 26:
      while (tlen >= 3) {
        const at2 = p.u8(t);
        let l = p.u16(t + 1);
        t += 3;
        tlen -= 3;
        p.out += `\n\t    ${at2 === 1 ? "AIGP" : "Unknown"} TLV (${at2}), length ${l}`;
        if (l < 3) throw BGP_CUT;
        l -= 3;
        if (tlen < l) throw BGP_CUT;
        if (at2 === 1) {
          if (l < 8) throw BGP_CUT;
          p.out += `, metric ${(BigInt(p.u32(t)) << 32n) | BigInt(p.u32(t + 4))}`;
        } else if (p.verbosity <= 1) {
          unknownData(p, t, l, "\n\t      ");
        }
        t += l;
        tlen -= l;
      }
      break;
    case 128:
      attributeSet(p, at, len, level);
      return;
    case 32:
      if (len === 0 || len % 12) {
        p.out += "invalid len";
        break;
      }
      p.out += "\n\t    ";
      for (; tlen !== 0; tlen -= 12, t += 12) {
        p.out += `${p.u32(t)}:${p.u32(t + 4)}:${p.u32(t + 8)}${tlen > 12 ? ", " : ""}`;
      }
      // tcpdump counted the attribute's own length down: no dump at -vv.
      return;
    default:
      if (!p.has(at, len)) throw BGP_CUT;
      p.out += `\n\t    no Attribute ${type} decoder`;
      if (p.verbosity <= 1) unknownData(p, at, len, "\n\t    ");
  }
  if (p.verbosity > 1 && len) {
    if (!p.has(at, len)) throw BGP_CUT;
    unknownData(p, at, len, "\n\t    ");
  }
}

/** An attribute set (RFC 6368): its origin AS, then its attributes. */
function attributeSet(p: Pkt, at: number, len: number, level: number): void {
  let t = at;
  if (!p.has(t, 4) || len < 4) throw BGP_CUT;
  p.out += `\n\t    Origin AS: ${p.u32(t)}`;
  t += 4;
  len -= 4;
  while (len) {
    if (!p.has(t, 2)) throw BGP_CUT;
    if (len < 2) {
      p.out += " [path attr too short]";
      break;
    }
    const flags = p.d[t];
    const type = p.d[t + 1];
    t += 2;
    len -= 2;
    const lenLen = flags & 0x10 ? 2 : 1;
    if (!p.has(t, lenLen)) throw BGP_CUT;
    if (len < lenLen) {
      p.out += " [path attr too short]";
      break;
    }
    const alen = lenLen === 2 ? p.u16(t) : p.d[t];
    t += lenLen;
    len -= lenLen;
    attributeHead(p, "\n\t      ", type, alen, flags, "]");
    p.out += ": ";
    if (len < alen) {
      p.out += " [path attr too short]";
      break;
    }
    if (level === 10) p.out += "(too many nested levels, not recursing)";
    else attribute(p, type, t, alen, level + 1);
    t += alen;
    len -= alen;
  }
  // tcpdump's hex dump at -vv covers what is left of the attribute's length.
  if (p.verbosity > 1 && len) {
    if (!p.has(at, len)) throw BGP_CUT;
    unknownData(p, at, len, "\n\t    ");
  }
}
