/**
 * What `tcpdump -v` adds to a line, for the decoder (lib/decode.ts): protocol names, the IPv4
 * header's fields and options, Internet checksums with their pseudo-headers, and the forms
 * tcpdump prints a checksum verdict in. Pure functions over the frame's bytes; the decoder
 * decides where their text goes.
 *
 * Checksums follow RFC 1071 as tcpdump's in_cksum does; "should be" values are tcpdump's
 * in_cksum_shouldbe (the checksum the packet would need).
 *
 * @module
 */

/** tcpdump's names of IP protocol numbers (netdissect's ipproto_values), as -v prints them. */
const IP_PROTO_NAMES: Record<number, string> = {
  0: "Options",
  1: "ICMP",
  2: "IGMP",
  4: "IPIP",
  6: "TCP",
  8: "EGP",
  9: "IGRP",
  17: "UDP",
  33: "DCCP",
  41: "IPv6",
  43: "Routing",
  44: "Fragment",
  46: "RSVP",
  47: "GRE",
  50: "ESP",
  51: "AH",
  55: "Mobile IP",
  58: "ICMPv6",
  62: "Mobile IP (old)",
  88: "EIGRP",
  89: "OSPF",
  103: "PIM",
  108: "Compressed IP",
  112: "VRRP",
  113: "PGM",
  132: "SCTP",
  135: "Mobility",
  143: "Ethernet",
};

/** "TCP (6)", "unknown (99)": an IP protocol as tcpdump -v names it. */
export function ipProtoText(proto: number): string {
  return `${IP_PROTO_NAMES[proto] ?? "unknown"} (${proto})`;
}

/** Adds the 16-bit big-endian words of d[off..off+len) to `sum` (an odd tail byte padded). */
export function sumWords(d: Uint8Array, off: number, len: number, sum = 0): number {
  let i = off;
  const end = off + len;
  for (; i + 1 < end; i += 2) sum += (d[i] << 8) | d[i + 1];
  if (i < end) sum += d[i] << 8;
  // Fold now and then so the sum stays an exact small integer.
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/** The one's complement of a folded sum: 0 when the covered bytes hold a correct checksum. */
export function finishSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return ~sum & 0xffff;
}

/** The checksum the packet should carry, given the one it carries and the computed result. */
export function cksumShouldBe(carried: number, computed: number): number {
  let s = carried + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s;
}

function u16(d: Uint8Array, i: number): number {
  return (d[i] << 8) | d[i + 1];
}

/**
 * The destination an IPv4 pseudo-header uses: the last hop of a source route (LSRR/SSRR) in
 * the options of the header at `ip`, else the header's destination (tcpdump's ip_finddst).
 * Returns the offset of those 4 bytes.
 */
function ip4FinalDst(d: Uint8Array, ip: number, end: number): number {
  const hlen = (d[ip] & 0x0f) * 4;
  let cp = ip + 20;
  let left = hlen - 20;
  while (left > 0) {
    if (cp >= end) break;
    const type = d[cp];
    let len: number;
    if (type === 0) break;
    if (type === 1) {
      len = 1;
    } else {
      if (cp + 1 >= end) break;
      len = d[cp + 1];
      if (len < 2) break;
    }
    if (left < len || cp + len > end) break;
    if ((type === 0x89 || type === 0x83) && len >= 7) return cp + len - 4;
    cp += len;
    left -= len;
  }
  return ip + 16;
}

/** Sum of the IPv4 pseudo-header of the header at `ip` for `proto` and `len` bytes. */
export function ip4PseudoSum(
  d: Uint8Array,
  ip: number,
  end: number,
  proto: number,
  len: number,
): number {
  const dst = (d[ip] & 0x0f) === 5 ? ip + 16 : ip4FinalDst(d, ip, end);
  let s = sumWords(d, ip + 12, 4);
  s = sumWords(d, dst, 4, s);
  return s + proto + (len & 0xffff);
}

/**
 * The destination an IPv6 pseudo-header uses: past hop-by-hop, destination options, mobility
 * and fragment headers, the last address of a type 0 or 2 routing header or the first segment
 * of a type 4 one, else the header's destination (tcpdump's ip6_finddst). Returns the offset.
 */
function ip6FinalDst(d: Uint8Array, ip: number, end: number): number {
  let nh = d[ip + 6];
  switch (nh) {
    case 0:
    case 60:
    case 62:
    case 135:
    case 44:
    case 43:
      break;
    default:
      return ip + 24;
  }
  let cp = ip;
  let advance = 40;
  let dst = ip + 24;
  while (cp < end) {
    cp += advance;
    switch (nh) {
      case 0:
      case 60:
      case 62:
      case 135:
        if (cp + 2 > end) return dst;
        advance = (d[cp + 1] + 1) << 3;
        nh = d[cp];
        break;
      case 44:
        if (cp + 1 > end) return dst;
        advance = 8;
        nh = d[cp];
        break;
      case 43: {
        if (cp + 4 > end) return dst;
        const len = d[cp + 1];
        const type = d[cp + 2];
        if (type === 0 || type === 2) {
          if (len % 2 === 1) return dst;
          let p = cp + 8;
          for (let i = 0; i < len >> 1; i++) {
            if (p + 16 > end) return dst;
            dst = p;
            p += 16;
          }
        } else if (type === 4) {
          if (cp + 8 + 16 <= end) dst = cp + 8;
        }
        return dst;
      }
      default:
        return dst;
    }
  }
  return dst;
}

/** Sum of the IPv6 pseudo-header of the header at `ip` for `proto` and `len` bytes. */
export function ip6PseudoSum(
  d: Uint8Array,
  ip: number,
  end: number,
  proto: number,
  len: number,
): number {
  let s = sumWords(d, ip + 8, 16);
  s = sumWords(d, ip6FinalDst(d, ip, end), 16, s);
  return s + Math.floor(len / 65536) + (len & 0xffff) + proto;
}

/** IPv4 option names (tcpdump's ip_option_values). */
const IP_OPTION_NAMES: Record<number, string> = {
  0: "EOL",
  1: "NOP",
  0x44: "timestamp",
  0x82: "security",
  7: "RR",
  0x89: "SSRR",
  0x83: "LSRR",
  0x94: "RA",
  0x52: "traceroute",
};

function ip4(d: Uint8Array, i: number): string {
  return `${d[i]}.${d[i + 1]}.${d[i + 2]}.${d[i + 3]}`;
}

/** A recorded or source route option (RR, LSRR, SSRR); null when the capture ends inside. */
function routeOption(d: Uint8Array, cp: number, length: number, end: number): string | null {
  if (length < 3) return ` [bad length ${length}]`;
  let s = "";
  if ((length + 1) & 3) s += ` [bad length ${length}]`;
  if (cp + 3 > end) return null;
  const ptr = d[cp + 2] - 1;
  if (ptr < 3 || ((ptr + 1) & 3) || ptr > length + 1) s += ` [bad ptr ${d[cp + 2]}]`;
  for (let len = 3; len < length; len += 4) {
    if (cp + len + 4 > end) return null;
    s += ` ${ip4(d, cp + len)}`;
    if (ptr > len) s += ",";
  }
  return s;
}

/** The timestamp option; null when the capture ends inside. */
function timestampOption(d: Uint8Array, cp: number, length: number, end: number): string | null {
  if (length < 4) return `[bad length ${length}]`;
  if (cp + 4 > end) return null;
  let s = " TS{";
  const flag = d[cp + 3] & 0xf;
  const hoplen = flag !== 0 ? 8 : 4;
  if ((length - 4) & (hoplen - 1)) s += `[bad length ${length}]`;
  const ptr = d[cp + 2] - 1;
  let len = 0;
  if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) || ptr > length + 1) s += `[bad ptr ${d[cp + 2]}]`;
  let known = true;
  switch (flag) {
    case 0:
      s += "TSONLY";
      break;
    case 1:
      s += "TS+ADDR";
      break;
    case 3:
      s += "PRESPEC";
      break;
    default:
      s += `[bad ts type ${flag}]`;
      known = false;
  }
  if (known) {
    let type = " ";
    for (len = 4; len < length; len += hoplen) {
      if (ptr === len) type = " ^ ";
      if (cp + len + hoplen > end) return null;
      const at = cp + len + hoplen - 4;
      const t = ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;
      s += `${type}${t}@${hoplen !== 8 ? "" : ip4(d, cp + len)}`;
      type = " ";
    }
  }
  s += ptr === len ? " ^ " : "";
  s += d[cp + 3] >> 4 ? ` [${d[cp + 3] >> 4} hops not recorded]} ` : "}";
  return s;
}

/** Result of {@link ipOptionsText}. */
export interface OptionsText {
  text: string;
  /** The options run past the captured bytes (tcpdump: " [truncated-option]"). */
  truncated: boolean;
  /** A read past the captured bytes that tcpdump makes outside its checks: the frame ends. */
  outOfBytes: boolean;
}

/** tcpdump -v's text of the IPv4 options in d[cp..cp+length) ("RA", "NOP,RR 1.2.3.4, ..."). */
export function ipOptionsText(d: Uint8Array, cp: number, length: number, end: number): OptionsText {
  let text = "";
  let sep = "";
  let optionLen: number;
  for (; length > 0; cp += optionLen, length -= optionLen) {
    text += sep;
    sep = ",";
    if (cp >= end) return { text, truncated: false, outOfBytes: true };
    const code = d[cp];
    text += IP_OPTION_NAMES[code] ?? `unknown ${code}`;
    if (code === 0 || code === 1) {
      optionLen = 1;
    } else {
      if (cp + 1 >= end) return { text, truncated: false, outOfBytes: true };
      optionLen = d[cp + 1];
      if (optionLen < 2) return { text: text + ` [bad length ${optionLen}]`, ...ok };
    }
    if (optionLen > length) return { text: text + ` [bad length ${optionLen}]`, ...ok };
    if (cp + optionLen > end) return { text, truncated: true, outOfBytes: false };
    let part: string | null = "";
    switch (code) {
      case 0:
        return { text, ...ok };
      case 0x44:
        part = timestampOption(d, cp, optionLen, end);
        break;
      case 7:
      case 0x89:
      case 0x83:
        part = routeOption(d, cp, optionLen, end);
        break;
      case 0x94:
        if (optionLen < 4) {
          part = ` [bad length ${optionLen}]`;
        } else if (u16(d, cp + 2) !== 0) {
          part = ` value ${u16(d, cp + 2)}`;
        }
        break;
    }
    if (part === null) return { text, truncated: true, outOfBytes: false };
    text += part;
  }
  return { text, ...ok };
}

const ok = { truncated: false, outOfBytes: false };

/** IPv4 flags as tcpdump -v shows them: "DF", "+", "+, DF, rsvd", "none". */
export function ipFlagsText(frag: number): string {
  const parts: string[] = [];
  if (frag & 0x2000) parts.push("+");
  if (frag & 0x4000) parts.push("DF");
  if (frag & 0x8000) parts.push("rsvd");
  return parts.length ? parts.join(", ") : "none";
}

/** "tos 0x10" plus the ECN codepoint (",ECT(1)", ",ECT(0)", ",CE"). */
export function tosText(tos: number): string {
  const ecn = ["", ",ECT(1)", ",ECT(0)", ",CE"][tos & 3];
  return `tos 0x${tos.toString(16)}${ecn}`;
}

/** "(class 0x.., flowlabel 0x....., hlim N, next-header X (N) payload length: N) " of IPv6. */
export function ip6HeaderText(d: Uint8Array, ip: number): string {
  const flow = ((d[ip] << 24) | (d[ip + 1] << 16) | (d[ip + 2] << 8) | d[ip + 3]) >>> 0;
  let s = "(";
  if (flow & 0x0ff00000) {
    s += `class 0x${((flow & 0x0ff00000) >>> 20).toString(16).padStart(2, "0")}, `;
  }
  if (flow & 0x000fffff) s += `flowlabel 0x${(flow & 0x000fffff).toString(16).padStart(5, "0")}, `;
  return s +
    `hlim ${d[ip + 7]}, next-header ${ipProtoText(d[ip + 6])} payload length: ${u16(d, ip + 4)}) `;
}
