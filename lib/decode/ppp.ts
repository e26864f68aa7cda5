/**
 * PPP (tcpdump's print-ppp.c) as PPPoE sessions, GRE and the PPP ethertype (0x880b) carry it:
 * the protocol field, then LCP, IPCP, IP6CP, CCP and BACP (code and id; with -v the options),
 * CHAP, PAP, multilink, or the network packet (IPv4, IPv6, IPX, OSI, MPLS). HDLC-escaped frames
 * are unescaped first, as tcpdump does.
 *
 * @module
 */
import { etherTypePrinter } from "./dispatch.ts";
import { ipx } from "./ipx.ts";
import { isoclns } from "./isis.ts";
import { OUIS } from "./llc.ts";
import { mpls } from "./mpls.ts";
import { hex2, hex4, type Pkt, TRUNCATED } from "./printer.ts";
import { type BitNames, bitNames, macText, printableChar, printN } from "./tokens.ts";

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

const CP_CODES = [
  "Vendor-Extension",
  "Conf-Request",
  "Conf-Ack",
  "Conf-Nack",
  "Conf-Reject",
  "Term-Request",
  "Term-Ack",
  "Code-Reject",
  "Prot-Reject",
  "Echo-Request",
  "Echo-Reply",
  "Disc-Req",
  "Ident",
  "Time-Rem",
  "Reset-Req",
  "Reset-Ack",
];

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
const ML_FLAGS: BitNames = [[0x80, "begin"], [0x40, "end"]];

/** A PPP frame at `off`, `length` bytes (the address and control fields optional). */
export function ppp(p: Pkt, off: number, length: number): void {
  p.proto = "ppp";
  const orig = length;
  if (length < 2) throw TRUNCATED;
  const header = p.u16(off);
  if (header === 0x0003 || header === 0x0103 || header === 0xff03) {
    if (p.link && header !== 0xff03) p.out += header === 0x0003 ? "In  " : "Out ";
    off += 2;
    length -= 2;
  }
  if (length < 2) throw TRUNCATED;
  let proto: number;
  if (p.u8(off) % 2) {
    proto = p.u8(off);
    off++;
    length--;
  } else {
    proto = p.u16(off);
    off += 2;
    length -= 2;
  }
  if (p.link) {
    const name = PPP_PROTOCOLS[proto];
    p.out += `${name ?? "unknown"} (0x${hex4(proto)}), length ${orig}`;
    if (name === undefined) return;
    p.out += ": ";
  }
  handle(p, proto, off, length);
}

/** PPP in an Ethernet frame (ethertype 0x880b). */
export function pppEthertype(p: Pkt, off: number, length: number): void {
  if (length === 0) return;
  p.out += ": ";
  ppp(p, off, length);
}

/** A PPP payload of protocol `proto` at `off` (tcpdump's handle_ppp). */
function handle(p: Pkt, proto: number, off: number, length: number): void {
  if ((proto & 0xff00) === 0x7e00) return hdlc(p, off - 1, length);
  switch (proto) {
    case 0xc021:
    case 0x8021:
    case 0x8023:
    case 0x8281:
    case 0x8057:
    case 0x80fd:
    case 0xc02b:
      return controlProtocol(p, proto, off, length);
    case 0x003d:
      return multilink(p, off, length);
    case 0xc223:
      return chap(p, off, length);
    case 0xc023:
      return pap(p, off, length);
    case 0xc02d:
      return;
    case 0x0800:
    case 0x002f:
    case 0x0021:
      return etherTypePrinter(0x0800)?.(p, off, length);
    case 0x86dd:
    case 0x0057:
      return etherTypePrinter(0x86dd)?.(p, off, length);
    case 0x8137:
    case 0x002b:
      return ipx(p, off, length);
    case 0x0023:
      return isoclns(p, off, length);
    case 0x0281:
    case 0x0283:
      return mpls(p, off, length);
    case 0x00fd:
      p.out += "compressed PPP data";
      return;
  }
  p.out += `${PPP_PROTOCOLS[proto] ?? `unknown PPP protocol (0x${hex4(proto)})`} `;
  p.unknownData(off, length, "\n\t");
}

/** Unescaped HDLC-like frames (RFC 1662), reused across frames. */
const unescaped = new Uint8Array(65536 + 64);

/** An HDLC-escaped frame: unescaped into a scratch buffer, then decoded from there. */
function hdlc(p: Pkt, off: number, length: number): void {
  const caplen = Math.max(0, p.end - off);
  if (caplen === 0 || length === 0) return;
  let n = 0;
  for (let i = off, left = Math.min(caplen, unescaped.length); left !== 0; left--) {
    let c = p.d[i++];
    if (c === 0x7d) {
      if (left <= 1) break;
      left--;
      c = p.d[i++] ^ 0x20;
    }
    unescaped[n++] = c;
  }
  const savedData = p.d;
  const savedEnd = p.end;
  p.d = unescaped;
  p.end = n;
  try {
    unescapedFrame(p, n);
  } finally {
    p.d = savedData;
    p.end = savedEnd;
  }
}

function unescapedFrame(p: Pkt, length: number): void {
  if (length < 1) throw TRUNCATED;
  let proto = p.u8(0);
  if (proto === 0x21) return etherTypePrinter(0x0800)?.(p, 1, length - 1);
  if (proto === 0x57) return etherTypePrinter(0x86dd)?.(p, 1, length - 1);
  if (length < 2) throw TRUNCATED;
  proto = p.u16(0);
  let at = 2;
  if (proto === 0xff03) {
    if (length < 4) throw TRUNCATED;
    proto = p.u16(2);
    at = 4;
  }
  if ((proto & 0xff00) === 0x7e00) p.out += `(protocol 0x${hex4(proto)} invalid)`;
  else handle(p, proto, at, length - at);
}

/** LCP, IPCP, IP6CP, CCP, BACP and the other control protocols (tcpdump's handle_ctrl_proto). */
function controlProtocol(p: Pkt, proto: number, off: number, length: number): void {
  const name = PPP_PROTOCOLS[proto] ?? `unknown ctrl-proto (0x${hex4(proto)})`;
  p.out += `${name}, `;
  if (length < 4 || !p.has(off, 2)) {
    p.out += `[|${name}]`;
    return;
  }
  const code = p.u8(off);
  p.out += `${CP_CODES[code] ?? "Unknown Opcode"} (0x${hex2(code)}), id ${p.u8(off + 1)}, length ${
    length + 2
  }`;
  if (!p.verbose) return;
  const len = p.u16(off + 2);
  let at = off + 4;
  if (len < 4) {
    p.out += `\n\tencoded length ${len} (< 4))`;
    return;
  }
  if (len > length) {
    p.out += `\n\tencoded length ${len} (> packet length ${length}))`;
    return;
  }
  length = len;
  p.out += `\n\tencoded length ${len} (=Option(s) length ${len - 4})`;
  if (length === 4) return;
  if (p.verbosity > 1) p.unknownData(off - 2, 6, "\n\t");
  switch (code) {
    case 0:
      if (length < 11) return;
      p.out += `\n\t  Magic-Num 0x${p.u32(at).toString(16).padStart(8, "0")}`;
      at += 4;
      p.out += ` Vendor: ${OUIS[p.u16(at) * 256 + p.u8(at + 2)] ?? "Unknown"} (${
        p.u16(at) * 256 + p.u8(at + 2)
      })`;
      return;
    case 1:
    case 2:
    case 3:
    case 4: {
      if (
        proto !== 0xc021 && proto !== 0x8021 && proto !== 0x8057 && proto !== 0x80fd &&
        proto !== 0xc02b
      ) return;
      let left = len - 4;
      do {
        const advance = option(p, proto, at, len);
        if (advance === 0) return;
        if (left < advance) {
          p.out += ` [remaining options length ${left} < ${advance}] (invalid)`;
          return;
        }
        left -= advance;
        at += advance;
      } while (left !== 0);
      return;
    }
    case 5:
    case 6:
    case 7:
      return;
    case 8: {
      if (length < 6) return;
      const rejected = p.u16(at);
      p.out += `\n\t  Rejected ${PPP_PROTOCOLS[rejected] ?? "unknown"} Protocol (0x${
        hex4(rejected)
      })`;
      if (len > 6) {
        p.out += "\n\t  Rejected Packet";
        p.unknownData(at + 2, len - 2, "\n\t    ");
      }
      return;
    }
    case 9:
    case 10:
    case 11:
      if (length < 8) return;
      p.out += `\n\t  Magic-Num 0x${p.u32(at).toString(16).padStart(8, "0")}`;
      if (len > 8) {
        p.out += "\n\t  -----trailing data-----";
        if (!p.has(at + 4, len - 8)) {
          p.out += `[|${name}]`;
          return;
        }
        p.unknownData(at + 4, len - 8, "\n\t  ");
      }
      return;
    case 12:
      if (length < 8) return;
      p.out += `\n\t  Magic-Num 0x${p.u32(at).toString(16).padStart(8, "0")}`;
      if (len > 8) {
        p.out += "\n\t  Message\n\t    ";
        const n = Math.min(len - 4, Math.max(0, p.end - (at + 4)));
        printN(p, at + 4, n);
        if (n < len - 4) p.out += `[|${name}]`;
      }
      return;
    case 13:
      if (length < 12) return;
      p.out += `\n\t  Magic-Num 0x${p.u32(at).toString(16).padStart(8, "0")}`;
      p.out += `, Seconds-Remaining ${p.u32(at + 4)}s`;
      return;
  }
  if (p.verbosity <= 1) p.unknownData(off - 2, length + 2, "\n\t  ");
}

/** One configuration option; the bytes it takes, or 0 to stop. */
function option(p: Pkt, proto: number, at: number, length: number): number {
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

function multilink(p: Pkt, off: number, length: number): void {
  if (!p.link) p.out += "MLPPP, ";
  if (length < 2 || !p.has(off, 2)) {
    p.out += "[|mlppp]";
    return;
  }
  p.out += `seq 0x${(p.u16(off) & 0xfff).toString(16).padStart(3, "0")}, Flags [${
    bitNames(ML_FLAGS, p.u8(off) & 0xc0, "none")
  }], length ${length}`;
}

/** `n` bytes as tcpdump's fn_print_char prints them, byte by byte. */
function chars(p: Pkt, at: number, n: number): void {
  for (let i = 0; i < n; i++) p.out += printableChar(p.u8(at + i));
}

function chap(p: Pkt, off: number, length: number): void {
  if (length < 1) {
    p.out += "[|chap]";
    return;
  }
  if (length < 4) {
    p.out += `[|chap 0x${hex2(p.u8(off))}]`;
    return;
  }
  const code = p.u8(off);
  const names = ["unknown", "Challenge", "Response", "Success", "Fail"];
  p.out += `CHAP, ${names[code] ?? "unknown"} (0x${hex2(code)})`;
  p.out += `, id ${p.u8(off + 1)}`;
  const len = p.u16(off + 2);
  let at = off + 4;
  if (code === 1 || code === 2) {
    if (length - (at - off) < 1) return;
    const vsize = p.u8(at);
    at++;
    if (length - (at - off) < vsize) return;
    p.out += ", Value ";
    for (let i = 0; i < vsize; i++, at++) p.out += hex2(p.u8(at));
    p.out += ", Name ";
    chars(p, at, (len - (at - off)) >>> 0);
  } else if (code === 3 || code === 4) {
    p.out += ", Msg ";
    chars(p, at, (len - (at - off)) >>> 0);
  }
}

function pap(p: Pkt, off: number, length: number): void {
  if (length < 1) {
    p.out += "[|pap]";
    return;
  }
  if (length < 4) {
    p.out += `[|pap 0x${hex2(p.u8(off))}]`;
    return;
  }
  const code = p.u8(off);
  const names = ["unknown", "Auth-Req", "Auth-ACK", "Auth-NACK"];
  p.out += `PAP, ${names[code] ?? "unknown"} (0x${hex2(code)})`;
  p.out += `, id ${p.u8(off + 1)}`;
  const len = p.u16(off + 2);
  let at = off + 4;
  if (len > length) {
    p.out += `, length ${len} > packet size`;
    return;
  }
  length = len;
  if (length < 4) {
    p.out += `, length ${length} < PAP header length`;
    return;
  }
  if (code === 1) {
    if (len < 6) {
      p.out += "[|pap]";
      return;
    }
    if (length - (at - off) < 1) return;
    const peer = p.u8(at);
    at++;
    if (length - (at - off) < peer) return;
    p.out += ", Peer ";
    chars(p, at, peer);
    at += peer;
    if (length - (at - off) < 1) return;
    const passwd = p.u8(at);
    at++;
    if (length - (at - off) < passwd) return;
    p.out += ", Name ";
    chars(p, at, passwd);
  } else if (code === 2 || code === 3) {
    if (len < 5) {
      p.out += "[|pap]";
      return;
    }
    if (length - (at - off) < 1) return;
    const msg = p.u8(at);
    at++;
    if (length - (at - off) < msg) return;
    p.out += ", Msg ";
    chars(p, at, msg);
  }
}
