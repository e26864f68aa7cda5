/**
 * The configuration options of PPP's control protocols (tcpdump's print-ppp.c: LCP, IPCP,
 * IP6CP, CCP and BACP options, printed with -v), and PPP's protocol names. ppp.ts walks them.
 *
 * @module
 */
import { OUIS } from "./llc.ts";
import { hex2, hex4, type Pkt } from "./printer.ts";
import { macText } from "./tokens.ts";

/** PPP protocol names (tcpdump's ppptype2str). */
export const PPP_PROTOCOLS: Record<number, string> = {
  0x0021: "IP",
  0x0023: "OSI",
  0x0025: "NS",
  0x0027: "DECNET",
  0x0029: "APPLE",
  0x002b: "IPX",
  0x002d: "VJC IP",
  0x002f: "VJNC IP",
  0x0031: "BRPDU",
  0x0033: "STII",
  0x0035: "VINES",
  0x0281: "MPLS",
  0x0283: "MPLS",
  0x00fd: "Compressed",
  0x003d: "MLPPP",
  0x0057: "IP6",
  0x0201: "HELLO",
  0x0231: "LUXCOM",
  0x0233: "SNS",
  0x8021: "IPCP",
  0x8023: "OSICP",
  0x8025: "NSCP",
  0x8027: "DECNETCP",
  0x8029: "APPLECP",
  0x802b: "IPXCP",
  0x8033: "STIICP",
  0x8035: "VINESCP",
  0x8057: "IP6CP",
  0x8281: "MPLSCP",
  0xc021: "LCP",
  0xc023: "PAP",
  0xc025: "LQM",
  0xc223: "CHAP",
  0xc227: "EAP",
  0xc027: "SPAP",
  0xc123: "Old-SPAP",
  0xc02b: "BACP",
  0xc02d: "BAP",
  0xc03d: "MLPPP-CP",
  0x80fd: "CCP",
};

const LCP_OPTIONS = [
  "Vend-Ext",
  "MRU",
  "ACCM",
  "Auth-Prot",
  "Qual-Prot",
  "Magic-Num",
  "deprecated(6)",
  "PFC",
  "ACFC",
  "FCS-Alt",
  "SDP",
  "Num-Mode",
  "deprecated(12)",
  "Call-Back",
  "deprecated(14)",
  "deprecated(15)",
  "deprecated(16)",
  "MRRU",
  "12-Bit seq #",
  "End-Disc",
  "Proprietary",
  "DCE-Id",
  "MP+",
  "Link-Disc",
  "LCP-Auth-Opt",
  "COBS",
  "Prefix-elision",
  "Multilink-header-Form",
  "I18N",
  "SDL-over-SONET/SDH",
  "PPP-Muxing",
];

const CCP_OPTIONS: Record<number, string> = {
  0: "OUI",
  1: "Pred-1",
  2: "Pred-2",
  3: "Puddle",
  16: "HP-PPC",
  17: "Stac-LZS",
  18: "MPPC",
  19: "Gand-FZA",
  20: "V.42bis",
  21: "BSD-Comp",
  23: "LZS-DCP",
  24: "MVRCA",
  25: "DEC",
  26: "Deflate",
  255: "Reserved",
};
const IPCP_OPTIONS: Record<number, string> = {
  1: "IP-Addrs",
  2: "IP-Comp",
  3: "IP-Addr",
  4: "Home-Addr",
  129: "Pri-DNS",
  130: "Pri-NBNS",
  131: "Sec-DNS",
  132: "Sec-NBNS",
};
const AUTH_ALGORITHMS: Record<number, string> = {
  5: "MD5",
  128: "MS-CHAPv1",
  129: "MS-CHAPv2",
};
const CALLBACKS: Record<number, string> = {
  0: "UserAuth",
  1: "DialString",
  2: "LocalID",
  3: "E.164",
  4: "X.500",
  6: "CBCP",
};
/** One configuration option; the bytes it takes, or 0 to stop. */
export function configOption(p: Pkt, proto: number, at: number, length: number): number {
  if (length < 2) return 0;
  const what = proto === 0xc021
    ? "lcp"
    : proto === 0x8021
    ? "ipcp"
    : proto === 0x8057
    ? "ip6cp"
    : proto === 0x80fd
    ? "ccp"
    : "bacp";
  if (!p.has(at, 2)) {
    p.out += `[|${what}]`;
    return 0;
  }
  const opt = p.u8(at);
  const len = p.u8(at + 1);
  if (length < len) return 0;
  let name: string;
  if (proto === 0xc021) {
    if (opt >= LCP_OPTIONS.length) {
      p.out += `\n\tunknown LCP option 0x${hex2(opt)}`;
      return len < 2 ? 0 : len;
    }
    name = LCP_OPTIONS[opt];
  } else if (proto === 0x8021) name = IPCP_OPTIONS[opt] ?? "unknown";
  else if (proto === 0x8057) name = opt === 1 ? "Interface-ID" : "unknown";
  else if (proto === 0x80fd) name = CCP_OPTIONS[opt] ?? "Unknown";
  else name = opt === 1 ? "Favored-Peer" : "Unknown";
  p.out += `\n\t  ${name} Option (0x${hex2(opt)}), length ${len}`;
  if (len < 2) {
    p.out += " (length bogus, should be >= 2)";
    return 0;
  }
  let r: number;
  if (proto === 0xc021) r = lcpOption(p, opt, at, len);
  else if (proto === 0x8021) r = ipcpOption(p, opt, at, len);
  else if (proto === 0x8057) r = ip6cpOption(p, opt, at, len);
  else if (proto === 0x80fd) r = ccpOption(p, opt, at, len);
  else r = bacpOption(p, opt, at, len);
  // A bogus length: tcpdump returns without the dump, its length (negated here) or 0.
  if (r !== len) return r < 0 ? -r : r;
  if (p.verbosity > 1) p.unknownData(at + 2, len - 2, "\n\t    ");
  return len;
}

/** ` (length bogus, should be ...)`, returning what tcpdump returns then. */
function bogus(p: Pkt, should: string, ret: number): number {
  p.out += ` (length bogus, should be ${should})`;
  return ret;
}

/** The option's value dumped in hex where tcpdump does not decode it (below -vv). */
function unknownOption(p: Pkt, at: number, len: number): number {
  if (p.verbosity < 2) p.unknownData(at + 2, len - 2, "\n\t    ");
  return len;
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, "0");
}

function lcpOption(p: Pkt, opt: number, at: number, len: number): number {
  switch (opt) {
    case 0: {
      if (len < 6) return bogus(p, ">= 6", -len);
      const oui = p.u16(at + 2) * 256 + p.u8(at + 4);
      p.out += `: Vendor: ${OUIS[oui] ?? "Unknown"} (${oui})`;
      return len;
    }
    case 1:
      if (len !== 4) return bogus(p, "= 4", -len);
      p.out += `: ${p.u16(at + 2)}`;
      return len;
    case 2:
      if (len !== 6) return bogus(p, "= 6", -len);
      p.out += `: 0x${hex8(p.u32(at + 2))}`;
      return len;
    case 3: {
      if (len < 4) return bogus(p, ">= 4", -len);
      const auth = p.u16(at + 2);
      p.out += `: ${PPP_PROTOCOLS[auth] ?? "Unknown Auth Proto (0x04x)"}`;
      if (auth === 0xc223) {
        const alg = p.u8(at + 4);
        p.out += `, ${AUTH_ALGORITHMS[alg] ?? `Unknown Auth Alg ${alg}`}`;
      } else if (auth !== 0xc023 && auth !== 0xc227 && auth !== 0xc027 && auth !== 0xc123) {
        p.unknownData(at, len, "\n\t");
      }
      return len;
    }
    case 4:
      if (len < 4) return bogus(p, ">= 4", 0);
      p.out += p.u16(at + 2) === 0xc025 ? ": LQR" : ": unknown";
      return len;
    case 5:
      if (len !== 6) return bogus(p, "= 6", 0);
      p.out += `: 0x${hex8(p.u32(at + 2))}`;
      return len;
    case 7:
    case 8:
      return len;
    case 23:
      if (len !== 4) return bogus(p, "= 4", 0);
      p.out += `: 0x${hex4(p.u16(at + 2))}`;
      return len;
    case 13: {
      if (len < 3) return bogus(p, ">= 3", 0);
      p.out += ": ";
      const op = p.u8(at + 2);
      p.out += `: Callback Operation ${CALLBACKS[op] ?? "Unknown"} (${op})`;
      return len;
    }
    case 17:
      if (len !== 4) return bogus(p, "= 4", 0);
      p.out += `: ${p.u16(at + 2)}`;
      return len;
    case 19:
      return endpointDiscriminator(p, at, len);
  }
  return unknownOption(p, at, len);
}

function endpointDiscriminator(p: Pkt, at: number, len: number): number {
  if (len < 3) return bogus(p, ">= 3", 0);
  const cls = p.u8(at + 2);
  switch (cls) {
    case 0:
      p.out += ": Null";
      break;
    case 1:
      p.out += ": Local";
      break;
    case 2:
      if (len !== 7) return bogus(p, "= 7", 0);
      p.out += `: IPv4 ${p.ip4(at + 3)}`;
      break;
    case 3:
      if (len !== 9) return bogus(p, "= 9", 0);
      p.out += `: MAC ${macText(p, at + 3)}`;
      break;
    case 4:
      p.out += ": Magic-Num-Block";
      break;
    case 5:
      p.out += ": PSNDN";
      break;
    default:
      p.out += `: Unknown class ${cls}`;
  }
  return len;
}

function ipcpOption(p: Pkt, opt: number, at: number, len: number): number {
  switch (opt) {
    case 1:
      if (len !== 10) return bogus(p, "= 10", -len);
      p.out += `: src ${p.ip4(at + 2)}, dst ${p.ip4(at + 6)}`;
      return len;
    case 2:
      return ipcpCompression(p, at, len);
    case 3:
    case 4:
    case 129:
    case 130:
    case 131:
    case 132:
      if (len !== 6) return bogus(p, "= 6", 0);
      p.out += `: ${p.ip4(at + 2)}`;
      return len;
  }
  return unknownOption(p, at, len);
}

function ipcpCompression(p: Pkt, at: number, len: number): number {
  if (len < 4) return bogus(p, ">= 4", 0);
  const proto = p.u16(at + 2);
  const name = proto === 0x002d ? "VJ-Comp" : proto === 0x61 ? "IP Header Compression" : "Unknown";
  p.out += `: ${name} (0x${hex2(proto)}):`;
  if (proto !== 0x61) return len;
  if (len < 14) return bogus(p, ">= 14", 0);
  if (!p.has(at + 2, 14)) {
    p.out += "[|ipcp]";
    return 0;
  }
  p.out += `\n\t    TCP Space ${p.u16(at + 4)}, non-TCP Space ${p.u16(at + 6)}, maxPeriod ${
    p.u16(at + 8)
  }, maxTime ${p.u16(at + 10)}, maxHdr ${p.u16(at + 12)}`;
  if (len <= 14) return len;
  let total = len - 14;
  let sub = at + 14;
  p.out += `\n\t      Suboptions, length ${total}`;
  while (total >= 2) {
    if (!p.has(sub, 2)) {
      p.out += "[|ipcp]";
      return 0;
    }
    const so = p.u8(sub);
    const slen = p.u8(sub + 1);
    if (so === 0 || slen === 0) break;
    p.out += `\n\t\t${
      so === 1 ? "RTP-Compression" : so === 2 ? "Enhanced RTP-Compression" : "Unknown"
    } Suboption #${so}, length ${slen}`;
    if (total < slen) {
      p.out += ` [remaining suboptions length ${total} < ${slen}] (invalid)`;
      break;
    }
    total -= slen;
    sub += slen;
  }
  return len;
}

function ip6cpOption(p: Pkt, opt: number, at: number, len: number): number {
  if (opt !== 1) return unknownOption(p, at, len);
  if (len !== 10) return bogus(p, "= 10", -len);
  if (!p.has(at + 2, 8)) {
    p.out += "[|ip6cp]";
    return 0;
  }
  p.out += `: ${hex4(p.u16(at + 2))}:${hex4(p.u16(at + 4))}:${hex4(p.u16(at + 6))}:${
    hex4(p.u16(at + 8))
  }`;
  return len;
}

function ccpOption(p: Pkt, opt: number, at: number, len: number): number {
  switch (opt) {
    case 21: {
      if (len < 3) return bogus(p, ">= 3", -len);
      const v = p.u8(at + 2);
      p.out += `: Version: ${v >> 5}, Dictionary Bits: ${v & 0x1f}`;
      return len;
    }
    case 24: {
      if (len < 4) return bogus(p, ">= 4", -len);
      const v = p.u8(at + 2);
      p.out += `: Features: ${(v & 0xc0) >> 6}, PxP: ${v & 0x20 ? "Enabled" : "Disabled"}` +
        `, History: ${v & 0x1f}, #CTX-ID: ${p.u8(at + 3)}`;
      return len;
    }
    case 26: {
      if (len < 4) return bogus(p, ">= 4", -len);
      const v = p.u8(at + 2);
      const w = p.u8(at + 3);
      p.out += `: Window: ${(v & 0xf0) >> 4}K, Method: ${(v & 0x0f) === 8 ? "zlib" : "unknown"}` +
        ` (0x${(v & 0x0f).toString(16)}), MBZ: ${(w & 0xfc) >> 2}, CHK: ${w & 3}`;
      return len;
    }
  }
  return unknownOption(p, at, len);
}

function bacpOption(p: Pkt, opt: number, at: number, len: number): number {
  if (opt !== 1) return unknownOption(p, at, len);
  if (len !== 6) return bogus(p, "= 6", -len);
  p.out += `: Magic-Num 0x${hex8(p.u32(at + 2))}`;
  return len;
}
