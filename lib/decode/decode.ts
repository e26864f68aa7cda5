/**
 * One-line packet decoder in the style of `tcpdump -n -S` (tcpdump 4.99), for Ethernet frames.
 *
 * Decoded: Ethernet, 802.1Q/QinQ tags (0x8100, 0x88a8, 0x9100, 0x9200), ARP/RARP (also Frame
 * Relay and ATM ARP), IPv4 (fragments, IP-in-IP), IPv6 (hop-by-hop, routing, fragment and
 * destination-options headers, jumbograms), ICMP, ICMPv6, TCP (flags, seq/ack, window, options
 * including MPTCP) and UDP. The line is what tcpdump 4.99.3 prints, byte for byte, including its
 * quirks; the tests hold it to that against tcpdump itself.
 *
 * Deliberate differences:
 * - Application protocols are not decoded. Where tcpdump goes on after the TCP summary (`...,
 *   length 32: HTTP`) the line stops at `length 32`; where it replaces `UDP, length N` by an
 *   application decode (DNS on port 53, ...), the line keeps `UDP, length N`.
 * - Sequence numbers are absolute, like `tcpdump -S`: relative ones need per-connection state
 *   across a whole file, which a one-line decoder does not have.
 * - Where tcpdump hex-dumps what it cannot decode, the line is tcpdump's first line (so it may end
 *   in ": " or a space), e.g. `aa:.. > bb:.., ethertype Unknown (0x88b5), length 60: `.
 * - Ethertypes and IP protocols not listed above get a fallback instead of tcpdump's decode:
 *   `src > dst, ethertype LLDP (0x88cc), length 60: `, `src > dst, 802.3, length 38` (LLC),
 *   `IP 1.2.3.4 > 5.6.7.8:  ip-proto-89 40`; a few ICMPv6 types (router renumbering, node
 *   information, RPL) are only named.
 * - Without {@link DescribeOptions.link}, VLAN tags are not shown, exactly as tcpdump does
 *   without `-e`; with it, the line is `tcpdump -e`'s (`vlan 100, p 0, ethertype IPv4, ...`).
 *
 * - With {@link DescribeOptions.verbose}, the text is `tcpdump -v`'s for these protocols (multi-line
 *   for IPv4, as tcpdump prints it), except that neighbour discovery options and router
 *   advertisement fields, which tcpdump puts on lines of their own, are left out.
 *
 * Truncated or malformed input never throws: the line carries what could be decoded, then
 * ` [|proto]` where the captured bytes ran out, as tcpdump puts it.
 *
 * @module
 */
import {
  cksumShouldBe,
  finishSum,
  ip4PseudoSum,
  ip6HeaderText,
  ip6PseudoSum,
  ipFlagsText,
  ipOptionsText,
  ipProtoText,
  sumWords,
  tosText,
} from "./verbose.ts";
import { hexLines } from "./hexdump.ts";

/** Options of {@link describeFrame}. */
export interface DescribeOptions {
  /**
   * Print the link-layer header like `tcpdump -e`: MAC addresses, ethertype, frame length and
   * every VLAN tag (`vlan 100, p 0, ethertype IPv4 (0x0800), ...`). Default false, like
   * `tcpdump -n` without `-e`, which prints nothing of the link layer (not even VLAN tags) for
   * the protocols it decodes.
   */
  link?: boolean;
  /**
   * Add what `tcpdump -v` adds: the IPv4 header's fields and options in parentheses (the rest
   * of the packet then follows on a new line indented by 4 spaces, as tcpdump prints it), the
   * IPv6 header's fields, the fragment identification of IPv6 fragments, the checksum verdicts
   * of IPv4 headers, TCP, UDP over IPv6, ICMP and ICMPv6, and the packet an ICMP error quotes.
   */
  verbose?: boolean;
}

/** Thrown inside the decoder when a read passes the end of the captured (or declared) bytes. */
class Truncated {}
const TRUNCATED = new Truncated();

/** Decoding state of one frame: the bytes, how far they may be read, and the line so far. */
class Pkt {
  readonly d: Uint8Array;
  /** End of readable bytes: the capture, narrowed to the declared length by IP layers. */
  end: number;
  out = "";
  /** Protocol named in ` [|proto]` when bytes run out (tcpdump's ndo_protocol). */
  proto = "ether";
  /** Printed after ` [|proto]`: tcpdump adds ">" when TCP options run out mid-list. */
  truncSuffix = "";
  readonly link: boolean;
  readonly verbose: boolean;

  constructor(d: Uint8Array, link: boolean, verbose = false) {
    this.d = d;
    this.end = d.length;
    this.link = link;
    this.verbose = verbose;
  }

  has(i: number, n: number): boolean {
    return i >= 0 && i + n <= this.end;
  }

  need(i: number, n: number): void {
    if (!this.has(i, n)) throw TRUNCATED;
  }

  u8(i: number): number {
    this.need(i, 1);
    return this.d[i];
  }

  u16(i: number): number {
    this.need(i, 2);
    return (this.d[i] << 8) | this.d[i + 1];
  }

  u32(i: number): number {
    this.need(i, 4);
    return ((this.d[i] << 24) | (this.d[i + 1] << 16) | (this.d[i + 2] << 8) | this.d[i + 3]) >>>
      0;
  }

  ip4(i: number): string {
    this.need(i, 4);
    const d = this.d;
    return `${d[i]}.${d[i + 1]}.${d[i + 2]}.${d[i + 3]}`;
  }

  ip6(i: number): string {
    this.need(i, 16);
    return formatIp6(this.d, i);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}

/** Colon-separated hex bytes, as tcpdump prints link addresses of any length. */
function hexBytes(d: Uint8Array, i: number, n: number, sep: string): string {
  let s = "";
  for (let k = 0; k < n; k++) s += (k > 0 ? sep : "") + hex2(d[i + k]);
  return s;
}

/**
 * RFC 5952 text form of the IPv6 address at `d[i..i+16)`: lowercase, no leading zeros, the
 * longest run (the first, on a tie) of two or more zero groups as "::", and the embedded IPv4
 * forms `::a.b.c.d` / `::ffff:a.b.c.d` (what tcpdump and inet_ntop print). Throws RangeError
 * when fewer than 16 bytes follow `i`.
 */
export function formatIp6(d: Uint8Array, i = 0): string {
  if (!(i >= 0 && i + 16 <= d.length)) throw new RangeError(`no IPv6 address at ${i}`);
  const w: number[] = [];
  for (let k = 0; k < 8; k++) w.push((d[i + 2 * k] << 8) | d[i + 2 * k + 1]);
  let bestBase = -1;
  let bestLen = 0;
  for (let k = 0; k < 8;) {
    if (w[k] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && w[j] === 0) j++;
    if (j - k > bestLen) {
      bestBase = k;
      bestLen = j - k;
    }
    k = j;
  }
  if (bestLen < 2) bestBase = -1;
  if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    const v4 = `${d[i + 12]}.${d[i + 13]}.${d[i + 14]}.${d[i + 15]}`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  let s = "";
  for (let k = 0; k < 8; k++) {
    if (k === bestBase) {
      s += "::";
      k += bestLen - 1;
      continue;
    }
    if (s !== "" && !s.endsWith(":")) s += ":";
    s += w[k].toString(16);
  }
  return s;
}

/** Ethertype names as tcpdump prints them (its ethertype_values table). */
const ETHERTYPES: Record<number, string> = {
  0x00fe: "GRE-OSI",
  0x0200: "PUP",
  0x0500: "Sprite",
  0x0600: "NS",
  0x0707: "GeoNet (old)",
  0x0800: "IPv4",
  0x0806: "ARP",
  0x1000: "Trail",
  0x1111: "CALM FAST",
  0x6001: "MOP DL",
  0x6002: "MOP RC",
  0x6003: "DN",
  0x6004: "LAT",
  0x6007: "SCA",
  0x6558: "TEB",
  0x8035: "Reverse ARP",
  0x8038: "Lanbridge",
  0x803c: "DEC DNS",
  0x803e: "DEC DTS",
  0x805b: "VEXP",
  0x805c: "VPROD",
  0x809b: "Appletalk",
  0x80f3: "Appletalk ARP",
  0x8100: "802.1Q",
  0x8137: "IPX",
  0x86dd: "IPv6",
  0x8808: "MPCP",
  0x8809: "Slow Protocols",
  0x880b: "PPP",
  0x8847: "MPLS unicast",
  0x8848: "MPLS multicast",
  0x8863: "PPPoE D",
  0x8864: "PPPoE S",
  0x886f: "MS NLB heartbeat",
  0x8870: "Jumbo",
  0x888e: "EAPOL",
  0x8899: "Realtek protocols",
  0x88a2: "AoE",
  0x88a8: "802.1Q-QinQ",
  0x88ca: "TIPC",
  0x88cc: "LLDP",
  0x88e5: "802.1AE MACsec",
  0x88f7: "PTP",
  0x8902: "CFM",
  0x893a: "IEEE1905.1",
  0x8947: "GeoNet",
  0x894f: "NSH",
  0x9000: "Loopback",
  0x9100: "802.1Q-9100",
  0x9200: "802.1Q-9200",
  0xabcd: "CFM (old)",
  0xd28b: "Arista Vendor Specific Protocol",
  0xfefe: "OSI",
};

function ethertypeText(t: number): string {
  return `ethertype ${ETHERTYPES[t] ?? "Unknown"} (0x${hex4(t)})`;
}

function isVlanType(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100 || t === 0x9200;
}

function macPair(p: Pkt): string {
  return `${hexBytes(p.d, 6, 6, ":")} > ${hexBytes(p.d, 0, 6, ":")}`;
}

function ether(p: Pkt, wireLen: number): void {
  p.proto = "ether";
  p.need(0, 14);
  if (p.link) p.out += `${macPair(p)}, `;
  let type = p.u16(12);
  let off = 14;
  let length = wireLen - 14;
  let printedLength = false;
  while (isVlanType(type)) {
    p.proto = "vlan";
    p.need(off, 4);
    if (p.link) {
      const tci = p.u16(off);
      p.out += ethertypeText(type) + (printedLength ? ", " : `, length ${wireLen}: `);
      printedLength = true;
      p.out += `vlan ${tci & 0xfff}, p ${tci >> 13}${tci & 0x1000 ? ", DEI" : ""}, `;
    }
    type = p.u16(off + 2);
    off += 4;
    length -= 4;
  }
  if (type <= 1500) {
    // An 802.3 length field: the payload is LLC, which this decoder does not take apart.
    const llcLen = type < length ? type : length;
    if (p.link) p.out += "802.3" + (printedLength ? "" : `, length ${llcLen}`);
    else p.out += `${macPair(p)}, 802.3, length ${llcLen}`;
    return;
  }
  if (p.link) p.out += ethertypeText(type) + (printedLength ? ", " : `, length ${wireLen}: `);
  switch (type) {
    case 0x0800:
      ipv4(p, off, length);
      return;
    case 0x86dd:
      ipv6(p, off, length);
      return;
    case 0x0806:
    case 0x8035:
      arp(p, off, length);
      return;
  }
  // Not decoded here (tcpdump may know it): name the type, as tcpdump does before its hex dump.
  if (!p.link) p.out += `${macPair(p)}, ${ethertypeText(type)}, length ${wireLen}: `;
}

const ARP_HARDWARE: Record<number, string> = {
  1: "Ethernet",
  6: "TokenRing",
  7: "ArcNet",
  15: "FrameRelay",
  19: "ATM",
  23: "Strip",
  24: "IEEE 1394",
  32: "InfiniBand",
};

const ARP_OPS: Record<number, string> = {
  1: "Request",
  2: "Reply",
  3: "Reverse Request",
  4: "Reverse Reply",
  8: "Inverse Request",
  9: "Inverse Reply",
  10: "NACK Reply",
};

function arp(p: Pkt, off: number, length: number): void {
  p.proto = "arp";
  p.need(off, 8);
  const hrd = p.u16(off);
  // ATM ARP (RFC 2225) lays its addresses out differently.
  if (hrd === 19) {
    atmArp(p, off, length);
    return;
  }
  const pro = p.u16(off + 2);
  const hln = p.u8(off + 4);
  const pln = p.u8(off + 5);
  const op = p.u16(off + 6);
  const sha = off + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  p.need(tpa, pln);
  if (!p.link) p.out += "ARP, ";
  const ipv4Like = (pro === 0x0800 || pro === 0x1000) && pln === 4;
  if (!ipv4Like || hln === 0 || p.verbose) {
    p.out += `${ARP_HARDWARE[hrd] ?? `Unknown Hardware (${hrd})`} (len ${hln}), ` +
      `${ETHERTYPES[pro] ?? `Unknown Protocol (0x${hex4(pro)})`} (len ${pln})`;
    // Without -v tcpdump stops at addresses it does not know how to print; -v goes on.
    if (!p.verbose) {
      p.out += `, length ${length}`;
      return;
    }
    p.out += ", ";
  }
  const hw = (i: number): string => linkAddr(p, hrd, i, hln);
  const ip = (i: number): string =>
    pro !== 0x0800 && pro !== 0x1000 ? "<wrong proto type>" : pln !== 4 ? "<wrong len>" : p.ip4(i);
  p.out += `${ARP_OPS[op] ?? `Unknown (${op})`} `;
  switch (op) {
    case 1: {
      let zero = true;
      for (let k = 0; k < hln; k++) if (p.d[tha + k] !== 0) zero = false;
      p.out += `who-has ${ip(tpa)}${zero ? "" : ` (${hw(tha)})`} tell ${ip(spa)}`;
      break;
    }
    case 2:
      p.out += `${ip(spa)} is-at ${hw(sha)}`;
      break;
    case 3:
    case 8:
      p.out += `who-is ${hw(tha)} tell ${hw(sha)}`;
      break;
    case 4:
      p.out += `${hw(tha)} at ${ip(tpa)}`;
      break;
    case 9:
      p.out += `${hw(sha)} at ${ip(spa)}`;
      break;
    default:
      // tcpdump hex-dumps unknown operations on the following lines; the line ends here.
      return;
  }
  p.out += `, length ${length}`;
}

/** ATM ARP (RFC 2225): type/length bytes for ATM number, subaddress and protocol address. */
function atmArp(p: Pkt, off: number, length: number): void {
  p.need(off, 12);
  const pro = p.u16(off + 2);
  const shl = p.d[off + 4] & 0x3f;
  const ssl = p.d[off + 5] & 0x3f;
  const op = p.u16(off + 6);
  const spl = p.d[off + 8];
  const thl = p.d[off + 9] & 0x3f;
  const tsl = p.d[off + 10] & 0x3f;
  const tpl = p.d[off + 11];
  const sha = off + 12;
  const ssa = sha + shl;
  const spa = ssa + ssl;
  const tha = spa + spl;
  const tsa = tha + thl;
  const tpa = tsa + tsl;
  p.need(tpa, tpl);
  if (!p.link) p.out += "ARP, ";
  const ipLike = pro === 0x0800 || pro === 0x1000;
  if (!ipLike || spl !== 4 || tpl !== 4) {
    p.out += `ATM, ${ETHERTYPES[pro] ?? `Unknown Protocol (0x${hex4(pro)})`} ` +
      `(len ${spl}/${tpl}), length ${length}`;
    return;
  }
  const atm = (ha: number, hl: number, sa: number, sl: number): string => {
    if (hl === 0) return "<No address>";
    return hexBytes(p.d, ha, hl, ":") + (sl !== 0 ? `,${hexBytes(p.d, sa, sl, ":")}` : "");
  };
  p.out += `${ARP_OPS[op] ?? `Unknown (${op})`} `;
  switch (op) {
    case 1:
      p.out += `who-has ${p.ip4(tpa)}${thl !== 0 ? ` (${atm(tha, thl, tsa, tsl)})` : ""} tell ` +
        p.ip4(spa);
      break;
    case 2:
      p.out += `${p.ip4(spa)} is-at ${atm(sha, shl, ssa, ssl)}`;
      break;
    case 8:
      p.out += `who-is ${atm(tha, thl, tsa, tsl)} tell ${atm(sha, shl, ssa, ssl)}`;
      break;
    case 9:
      p.out += `${atm(sha, shl, ssa, ssl)}at ${p.ip4(spa)}`; // sic: tcpdump omits the space
      break;
    case 10:
      p.out += `for ${p.ip4(spa)}`;
      break;
    default:
      // tcpdump hex-dumps other operations on the following lines; the line ends here.
      return;
  }
  p.out += `, length ${length}`;
}

/** A hardware address in an ARP packet: Frame Relay DLCI, or hex bytes. */
function linkAddr(p: Pkt, hrd: number, i: number, n: number): string {
  p.need(i, n);
  if (n === 0) return "<empty>";
  if (hrd === 15) return q922(p.d, i, n);
  return hexBytes(p.d, i, n, ":");
}

/** A Frame Relay (Q.922) address, 2 to 4 bytes ended by the EA bit, as "DLCI n". */
function q922(d: Uint8Array, i: number, n: number): string {
  const invalid = "<Invalid DLCI>";
  const short = "<Truncated>";
  if (n < 1) return short;
  if (d[i] & 0x01) return invalid;
  if (n < 2) return short;
  let dlci = ((d[i] & 0xfc) << 2) | ((d[i + 1] & 0xf0) >> 4);
  if (d[i + 1] & 0x01) return `DLCI ${dlci}`;
  let k = i + 2;
  let left = n - 2;
  if (left < 1) return short;
  if ((d[k] & 0x01) === 0) {
    dlci = (dlci << 7) | (d[k] >> 1);
    k++;
    left--;
  }
  if (left < 1) return short;
  if ((d[k] & 0x01) === 0) return invalid;
  return `DLCI ${(dlci << 6) | (d[k] >> 2)}`;
}

/** What the transport decoders need to know about the IP header in front of them. */
interface IpInfo {
  v6: boolean;
  /** Source and destination, printed. */
  src: string;
  dst: string;
  /** The protocol field of the IP header itself (IPv6: the first next-header). */
  firstProto: number;
  /** Offset of the IP header (for checksums' pseudo-headers). */
  at: number;
}

function ipv4(p: Pkt, off: number, length: number): void {
  p.proto = "ip";
  const v = p.u8(off) >> 4;
  if (v !== 4) {
    p.out += v === 6 ? "IP6, wrong link-layer encapsulation (invalid)" : `IP${v} (invalid)`;
    return;
  }
  if (!p.link) p.out += "IP ";
  p.need(off, 20);
  const hlen = (p.d[off] & 0x0f) * 4;
  if (hlen < 20) {
    p.out += `bad-hlen ${hlen}`;
    return;
  }
  const ipLen = p.u16(off + 2);
  // Like tcpdump, upper layers are told the header's length even when the frame is shorter.
  if (ipLen > length) p.out += `truncated-ip - ${ipLen - length} bytes missing! `;
  if (ipLen < hlen) {
    p.out += `bad-len ${ipLen}`;
    return;
  }
  // Bytes past the IP total length (Ethernet padding) are not the upper layer's.
  if (off + ipLen < p.end) p.end = off + ipLen;
  const frag = p.u16(off + 6);
  const proto = p.d[off + 9];
  const info: IpInfo = {
    v6: false,
    src: p.ip4(off + 12),
    dst: p.ip4(off + 16),
    firstProto: proto,
    at: off,
  };
  if (p.verbose) ipv4Verbose(p, off, hlen, frag, proto, info);
  if ((frag & 0x1fff) !== 0) {
    // A later fragment: no transport header to decode.
    p.out += `${info.src} > ${info.dst}: ip-proto-${proto}`;
    return;
  }
  if (proto !== 6 && proto !== 17 && proto !== 33 && proto !== 132) {
    p.out += `${info.src} > ${info.dst}: `;
  }
  if (!p.has(off, hlen)) {
    p.out += ` [remaining caplen(${p.end - off}) < header length(${hlen})]`;
    throw TRUNCATED;
  }
  demux(p, proto, off + hlen, ipLen - hlen, (frag & 0x2000) !== 0, info);
}

function ipv6(p: Pkt, off: number, length: number): void {
  p.proto = "ip6";
  p.need(off, 40);
  if (!p.link) p.out += "IP6 ";
  const v = p.d[off] >> 4;
  if (v !== 6) {
    p.out += `version error: ${v} != 6`;
    return;
  }
  const plen = p.u16(off + 4);
  let nh = p.d[off + 6];
  // A zero payload length announces a jumbogram, whose length is in the hop-by-hop header; until
  // one is found the frame's length stands in.
  let len = length;
  if (plen !== 0) {
    len = plen + 40;
    // Like tcpdump, upper layers are told the header's length even when the frame is shorter.
    if (len > length) p.out += `truncated-ip6 - ${len - length} bytes missing!`;
    if (off + len < p.end) p.end = off + len;
  }
  if (p.verbose) p.out += ip6HeaderText(p.d, off);
  const info: IpInfo = {
    v6: true,
    src: p.ip6(off + 8),
    dst: p.ip6(off + 24),
    firstProto: nh,
    at: off,
  };
  let cp = off;
  let advance = 40;
  let fragmented = false;
  let foundHbh = false;
  let jumboLen = -1;
  while (cp < p.end && advance > 0) {
    if (len < advance) {
      p.proto = "ip6";
      throw TRUNCATED;
    }
    cp += advance;
    len -= advance;
    if (cp === off + 40 && nh !== 6 && nh !== 17 && nh !== 33 && nh !== 132) {
      p.out += `${info.src} > ${info.dst}: `;
    }
    switch (nh) {
      case 0: {
        // RFC 8200: at most one hop-by-hop header, right after the IPv6 header.
        if (foundHbh) {
          p.out += "[The Hop-by-Hop Options header was already found] (invalid)";
          return;
        }
        if (cp !== off + 40) {
          p.out += "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)";
          return;
        }
        foundHbh = true;
        p.proto = "hbhopt";
        advance = (p.u8(cp + 1) + 1) << 3;
        let ok = p.has(cp, advance);
        if (ok) {
          p.out += "HBH ";
          const jumbo = { len: -1 };
          ok = ip6Options(p, cp + 2, advance - 2, plen === 0, jumbo);
          if (jumbo.len >= 0) {
            jumboLen = jumbo.len;
            len = jumbo.len;
          }
        }
        // tcpdump notes the truncation, then still judges the jumbogram before stopping.
        if (!ok) p.out += " [|hbhopt]";
        if (plen === 0 && jumboLen < 0) {
          p.out += "[No valid Jumbo Payload Hop-by-Hop option found] (invalid)";
          return;
        }
        if (!ok) return;
        nh = p.d[cp];
        break;
      }
      case 60:
        p.proto = "dstopt";
        advance = (p.u8(cp + 1) + 1) << 3;
        p.need(cp, advance);
        p.out += "DSTOPT ";
        // -v names the options (tcpdump's dstopt_print); a malformed list ends the line.
        if (p.verbose && !ip6Options(p, cp + 2, advance - 2, false, { len: -1 })) {
          p.out += " [|dstopt]";
          return;
        }
        nh = p.d[cp];
        break;
      case 44: {
        p.proto = "frag6";
        const fragOff = p.u16(cp + 2) & 0xfff8;
        // tcpdump computes the fragment's length from the header's payload length, in a 64-bit
        // unsigned type (so a bogus header shows a huge number).
        const fragLen = plen + 40 - (cp - off) - 8;
        // -v adds the identification, as tcpdump does.
        const ident = p.verbose ? `0x${p.u32(cp + 4).toString(16).padStart(8, "0")}:` : "";
        p.out += `frag (${ident}${fragOff}|${
          fragLen >= 0 ? fragLen : (1n << 64n) + BigInt(fragLen)
        })`;
        // A later fragment carries no next header to decode.
        if (fragOff !== 0) return;
        p.out += " ";
        advance = 8;
        fragmented = true;
        nh = p.d[cp];
        if (p.end <= cp + advance) return;
        break;
      }
      case 43:
        p.need(cp, 1); // checked before the routing header's own decoder takes over
        p.proto = "rt6";
        advance = routing6(p, cp);
        if (advance < 0) return;
        nh = p.d[cp];
        break;
      default:
        if (jumboLen >= 0) {
          const total = jumboLen + 40;
          const headers = cp - off;
          if (total < headers) {
            p.proto = "ip6";
            throw TRUNCATED;
          }
          if (total > length) p.out += `truncated-ip6 - ${total - length} bytes missing!`;
        } else if (plen === 0) {
          // Zero payload length and no jumbogram: as tcpdump, an upper layer right after the
          // header gets no bytes, and one after extension headers is cut off.
          if (cp !== off + 40) {
            p.proto = "ip6";
            throw TRUNCATED;
          }
          len = 0;
        }
        if (cp + len < p.end) p.end = cp + len;
        demux(p, nh, cp, len, fragmented, info);
        return;
    }
    p.proto = "ip6";
  }
}

/**
 * Checks the options of a hop-by-hop header the way tcpdump does even when not verbose, printing
 * its complaints; false when they are malformed. A valid Jumbo Payload option (RFC 2675: only
 * with a zero payload length, and above 65535) met on the way is stored in `jumbo.len`.
 */
function ip6Options(
  p: Pkt,
  start: number,
  len: number,
  zeroPayloadLen: boolean,
  jumbo: { len: number },
): boolean {
  let seenJumbo = false;
  let optLen: number;
  for (let i = 0; i < len; i += optLen) {
    const type = p.u8(start + i);
    if (type === 0) {
      optLen = 1;
    } else {
      if (i + 1 >= len) return false;
      optLen = p.u8(start + i + 1) + 2;
    }
    if (i + optLen > len) return false;
    const dataLen = optLen - 2;
    // -v names every option (tcpdump's ip6_opt_print); without it only errors show.
    if (p.verbose && !verboseIp6Option(p, start + i, type, optLen, seenJumbo, zeroPayloadLen)) {
      return false;
    }
    switch (type) {
      case 0x05: // router alert
        if (len - i < 4) {
          p.out += "(rtalert: trunc)";
          return false;
        }
        if (dataLen !== 2) {
          p.out += `(rtalert: invalid len ${dataLen})`;
          return false;
        }
        break;
      case 0xc2: // jumbo payload
        if (len - i < 6) {
          p.out += "(jumbo: trunc)";
          return false;
        }
        if (dataLen !== 4) {
          p.out += `(jumbo: invalid len ${dataLen})`;
          return false;
        }
        if (!seenJumbo) {
          seenJumbo = true;
          const j = p.u32(start + i + 2);
          if (zeroPayloadLen && j > 65535) jumbo.len = j;
        }
        break;
      case 0xc9: // home address
        if (len - i < 18) {
          p.out += "(homeaddr: trunc)";
          return false;
        }
        if (dataLen < 16) {
          p.out += `(homeaddr: invalid len ${dataLen})`;
          return false;
        }
        break;
    }
  }
  if (p.verbose) p.out += " ";
  return true;
}

/**
 * tcpdump -v's text of one IPv6 option ("(padn)", "(rtalert: 0x0000) ", ...), printed before
 * the checks above; false where tcpdump stops (an address cut by the capture).
 */
function verboseIp6Option(
  p: Pkt,
  at: number,
  type: number,
  optLen: number,
  seenJumbo: boolean,
  zeroPayloadLen: boolean,
): boolean {
  const dataLen = optLen - 2;
  switch (type) {
    case 0:
      p.out += "(pad1)";
      return true;
    case 1:
      p.out += "(padn)";
      return true;
    case 0x05:
      if (optLen >= 4 && dataLen === 2) p.out += `(rtalert: 0x${hex4(p.u16(at + 2))}) `;
      return true;
    case 0xc2: {
      if (optLen < 6 || dataLen !== 4) return true;
      const j = p.u32(at + 2);
      p.out += seenJumbo
        ? `(jumbo: ${j} - already seen) `
        : !zeroPayloadLen
        ? `(jumbo: ${j} - payload len != 0) `
        : j < 65536
        ? `(jumbo: ${j} - < 65536) `
        : `(jumbo: ${j}) `;
      return true;
    }
    case 0xc9: {
      if (optLen < 18 || dataLen < 16) return true;
      p.out += `(homeaddr: ${p.ip6(at + 2)}`;
      // Sub-options after the address.
      let sl: number;
      for (let i = 18; i < optLen; i += sl) {
        const t = p.u8(at + i);
        if (t === 0) {
          sl = 1;
          p.out += ", pad1";
          continue;
        }
        if (i + 1 >= optLen) return false;
        sl = p.u8(at + i + 1) + 2;
        if (i + sl > optLen) return false;
        p.out += t === 1 ? ", padn" : `, sopt_type 0x${hex2(t)}: len=${sl - 2}`;
      }
      p.out += ")";
      return true;
    }
    default:
      p.out += `(opt_type 0x${hex2(type)}: len=${dataLen})`;
      return true;
  }
}

/**
 * The IPv6 routing header, printed field by field as tcpdump does (so a cut header shows how far
 * it got); returns its length, or -1 when malformed.
 */
function routing6(p: Pkt, cp: number): number {
  p.out += "RT6";
  const len = p.u8(cp + 1);
  p.out += ` (len=${len}`;
  const type = p.u8(cp + 2);
  p.out += `, type=${type}${type === 0 ? " [Deprecated]" : ""}`;
  p.out += `, segleft=${p.u8(cp + 3)}`;
  if (type === 0 || type === 2) {
    const rsv = p.u32(cp + 4);
    if (rsv !== 0 || p.verbose) p.out += `, rsv=0x${rsv.toString(16)}`;
  } else if (type === 4) {
    p.out += `, last-entry=${p.u8(cp + 4)}`;
    const flags = p.u8(cp + 5);
    if (flags !== 0 || p.verbose) p.out += `, flags=0x${flags.toString(16)}`;
    p.out += `, tag=${p.u16(cp + 6).toString(16)}`;
  } else {
    p.out += " (unknown type) (invalid)";
    return -1;
  }
  if (len % 2 === 1) {
    p.out += ` (invalid length ${len}) (invalid)`;
    return -1;
  }
  for (let k = 0; k < len >> 1; k++) p.out += `, [${k}]${p.ip6(cp + 8 + 16 * k)}`;
  p.out += ") ";
  return (len + 1) << 3;
}

/** Hands an IP payload to its protocol's decoder (tcpdump's ip_demux_print). */
function demux(
  p: Pkt,
  proto: number,
  off: number,
  len: number,
  fragmented: boolean,
  info: IpInfo,
): void {
  switch (proto) {
    case 6:
      tcp(p, off, len, info, fragmented);
      return;
    case 17:
      udp(p, off, len, fragmented, info);
      return;
    case 1:
      if (info.v6) p.out += "[ICMP requires IPv4] (invalid)";
      else icmp(p, off, len, fragmented);
      return;
    case 58:
      if (!info.v6) p.out += "[ICMPv6 requires IPv6] (invalid)";
      else icmp6(p, off, len, fragmented, info);
      return;
    case 4:
      ipv4(p, off, len);
      return;
    case 41:
      ipv6(p, off, len);
      return;
    case 59:
      p.out += "no next header";
      return;
  }
  p.out += ` ip-proto-${proto} ${len}`;
}

/**
 * tcpdump -v's "(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)" after
 * "IP ", with the options and a bad header checksum; the rest of the packet goes on a new line
 * indented by 4 spaces. Options cut by the capture end the line the way tcpdump ends it.
 */
function ipv4Verbose(
  p: Pkt,
  off: number,
  hlen: number,
  frag: number,
  proto: number,
  info: IpInfo,
): void {
  const d = p.d;
  p.out += `(${tosText(d[off + 1])}`;
  if (d[off + 8] >= 1) p.out += `, ttl ${d[off + 8]}`;
  p.out += `, id ${p.u16(off + 4)}, offset ${(frag & 0x1fff) * 8}, flags [${
    ipFlagsText(frag)
  }], proto ${ipProtoText(proto)}, length ${p.u16(off + 2)}`;
  let truncated = false;
  if (hlen > 20) {
    const o = ipOptionsText(d, off + 20, hlen - 20, p.end);
    p.out += `, options (${o.text}`;
    if (o.outOfBytes) throw TRUNCATED;
    if (o.truncated) {
      p.out += " [truncated-option]";
      truncated = true;
    }
    p.out += ")";
  }
  if (off + hlen <= p.end) {
    const sum = finishSum(sumWords(d, off, hlen));
    if (sum !== 0) {
      const carried = p.u16(off + 10);
      p.out += `, bad cksum ${carried.toString(16)} (->${
        cksumShouldBe(carried, sum).toString(16)
      })!`;
    }
  }
  p.out += ")\n    ";
  if (truncated) {
    p.out += `${info.src} > ${info.dst}: `;
    throw TRUNCATED;
  }
}

/** The Internet checksum of `len` transport bytes at `off` with the IP pseudo-header. */
function transportSum(p: Pkt, off: number, len: number, proto: number, info: IpInfo): number {
  const pseudo = info.v6
    ? ip6PseudoSum(p.d, info.at, p.end, proto, len)
    : ip4PseudoSum(p.d, info.at, p.end, proto, len);
  return finishSum(sumWords(p.d, off, len, pseudo));
}

/** tcpdump -v's ", cksum 0x1234 (correct)" after the TCP flags, when the segment is all there. */
function tcpChecksum(p: Pkt, off: number, length: number, info: IpInfo): string {
  // A zero IPv6 payload length (a jumbogram) is not checked, as in tcpdump.
  if (info.v6 && p.u16(info.at + 4) === 0) return "";
  if (!p.has(off, length)) return "";
  const sum = transportSum(p, off, length, 6, info);
  const carried = p.u16(off + 16);
  return `, cksum 0x${hex4(carried)}` +
    (sum === 0 ? " (correct)" : ` (incorrect -> 0x${hex4(cksumShouldBe(carried, sum))})`);
}

/** ICMP types that quote the datagram they are about. */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** tcpdump -v after an ICMP line: a wrong checksum, then the datagram an error quotes. */
function icmpVerbose(p: Pkt, off: number, length: number, fragmented: boolean, type: number): void {
  if (!fragmented && p.has(off, length)) {
    const sum = finishSum(sumWords(p.d, off, length));
    if (sum !== 0) {
      const carried = p.u16(off + 2);
      p.out += ` (wrong icmp cksum ${carried.toString(16)} (->${
        cksumShouldBe(carried, sum).toString(16)
      })!)`;
    }
  }
  if (!ICMP_ERRORS.has(type)) return;
  const inner = off + 8;
  p.out += "\n\t";
  const ipLen = p.u16(inner + 2);
  const end = p.end;
  // The quoted datagram ends where its own header says (ICMP extensions may follow it).
  if (inner + ipLen < p.end) p.end = inner + ipLen;
  ipv4(p, inner, ipLen);
  p.end = end;
  p.proto = "icmp";
  if ((type === 3 || type === 11 || type === 12) && length > ICMP_EXT_OFFSET) {
    icmpExtensions(p, off, length);
  }
}

/** Where RFC 4884 extensions start in an ICMP message: 128 bytes of original datagram on. */
const ICMP_EXT_OFFSET = 136;

/**
 * tcpdump -v's RFC 4884 multi-part extensions of an ICMP error (MPLS label stacks and other
 * objects). Without a length field, a bad checksum over them says there are none, silently.
 */
function icmpExtensions(p: Pkt, off: number, length: number): void {
  // tcpdump first wants the fixed part of its extension struct (141 bytes) captured.
  if (!p.has(off, ICMP_EXT_OFFSET + 5)) {
    p.out += " [|icmp]";
    return;
  }
  const ext = off + ICMP_EXT_OFFSET;
  let hlen = length - ICMP_EXT_OFFSET;
  if (p.d[off + 5] === 0 && p.has(ext, hlen) && finishSum(sumWords(p.d, ext, hlen)) !== 0) return;
  const version = p.d[ext] >> 4;
  p.out += `\n\tICMP Multi-Part extension v${version}`;
  if (version !== 2) {
    p.out += " packet not supported";
    return;
  }
  if (p.has(ext, hlen)) {
    const correct = finishSum(sumWords(p.d, ext, hlen)) === 0;
    p.out += `, checksum 0x${hex4(p.u16(ext + 2))} (${correct ? "" : "in"}correct), length ${hlen}`;
  }
  hlen -= 4;
  let obj = ext + 4;
  while (hlen > 4) {
    if (!p.has(obj, 4)) {
      p.out += " [|icmp]";
      return;
    }
    let tlen = p.u16(obj);
    const cls = p.d[obj + 2];
    const ctype = p.d[obj + 3];
    obj += 4;
    const name = cls === 1
      ? "MPLS Stack Entry"
      : cls === 2
      ? "Interface Identification"
      : "unknown";
    p.out += `\n\t  ${name} Object (${cls}), Class-Type: ${ctype}, length ${tlen}`;
    hlen -= 4;
    if (cls === 0 || tlen < 4) return;
    tlen -= 4;
    if (cls === 1 && ctype === 1) {
      const raw = p.u32(obj);
      p.out +=
        `\n\t    label ${raw >>> 12}, tc ${(raw >> 9) & 7}${(raw >> 8) & 1 ? ", [S]" : ""}, ` +
        `ttl ${raw & 0xff}`;
    } else {
      // tcpdump's print_unknown_data: the object's captured bytes in hex.
      const n = Math.min(tlen, Math.max(0, p.end - obj));
      p.out += hexLines(p.d.subarray(obj, obj + n), 0, "\n\t    ");
    }
    if (hlen < tlen) break;
    hlen -= tlen;
    obj += tlen;
  }
}

/**
 * The "src.sport > dst.dport: " in front of a TCP/UDP summary. Like tcpdump, addresses are left
 * out when the IP header's own protocol field is not this transport (IPv6 extension headers in
 * between), and ports when they could not be read.
 */
function transportAddrs(info: IpInfo, proto: number, sport: number, dport: number): string {
  if (info.firstProto === proto) {
    return sport < 0
      ? `${info.src} > ${info.dst}: `
      : `${info.src}.${sport} > ${info.dst}.${dport}: `;
  }
  return sport < 0 ? "" : `${sport} > ${dport}: `;
}

function udp(p: Pkt, off: number, length: number, fragmented: boolean, info: IpInfo): void {
  p.proto = "udp";
  if (!p.has(off, 4)) {
    p.out += transportAddrs(info, 17, -1, -1);
    throw TRUNCATED;
  }
  const sport = p.u16(off);
  const dport = p.u16(off + 2);
  const addrs = transportAddrs(info, 17, sport, dport);
  if (length < 8) {
    p.out += `${addrs}truncated-udp ${length}`;
    return;
  }
  if (!p.has(off + 4, 2)) {
    p.out += addrs;
    throw TRUNCATED;
  }
  let ulen = p.u16(off + 4);
  if (ulen === 0 && length > 65535) ulen = length; // IPv6 jumbogram
  if (ulen < 8) {
    p.out += `${addrs}truncated-udplength ${ulen}`;
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  p.out += addrs;
  p.need(off, 8);
  // tcpdump -v checks UDP checksums over IPv6 only (over IPv4 from -vv on).
  if (p.verbose && !fragmented && info.v6 && p.has(off + 8, length)) {
    const sum = transportSum(p, off, length + 8, 17, info);
    const carried = p.u16(off + 6);
    p.out += sum === 0
      ? "[udp sum ok] "
      : `[bad udp cksum 0x${hex4(carried)} -> 0x${hex4(cksumShouldBe(carried, sum))}!] `;
  }
  p.out += ulen > length && !fragmented
    ? `UDP, bad length ${ulen} > ${length}`
    : `UDP, length ${ulen}`;
}

/** TCP flag letters in tcpdump's order: FIN SYN RST PSH ACK URG ECE CWR. */
const TCP_FLAGS: [number, string][] = [
  [0x01, "F"],
  [0x02, "S"],
  [0x04, "R"],
  [0x08, "P"],
  [0x10, "."],
  [0x20, "U"],
  [0x40, "E"],
  [0x80, "W"],
];

const TCP_OPTION_NAMES: Record<number, string> = {
  0: "eol",
  1: "nop",
  2: "mss",
  3: "wscale",
  4: "sackOK",
  5: "sack",
  6: "echo",
  7: "echoreply",
  8: "TS",
  11: "cc",
  12: "ccnew",
  13: "",
  19: "md5",
  20: "scps",
  28: "uto",
  29: "tcp-ao",
  30: "mptcp",
  34: "tfo",
  254: "exp",
};

function tcp(p: Pkt, off: number, length: number, info: IpInfo, fragmented = false): void {
  p.proto = "tcp";
  if (!p.has(off, 4)) {
    p.out += `${info.src} > ${info.dst}:`;
    throw TRUNCATED;
  }
  const sport = p.u16(off);
  const dport = p.u16(off + 2);
  p.out += transportAddrs(info, 6, sport, dport);
  p.need(off, 20);
  const hlen = (p.d[off + 12] >> 4) * 4;
  if (hlen < 20) {
    p.out += ` tcp ${length - hlen} [bad hdr length ${hlen} - too short, < 20]`;
    return;
  }
  const seq = p.u32(off + 4);
  const ack = p.u32(off + 8);
  const flags = p.d[off + 13];
  const win = p.u16(off + 14);
  const urp = p.u16(off + 18);
  let f = "";
  for (const [bit, ch] of TCP_FLAGS) if (flags & bit) f += ch;
  p.out += `Flags [${f || "none"}]`;
  if (hlen > length) {
    p.out += ` [bad hdr length ${hlen} - too long, > ${length}]`;
    return;
  }
  if (p.verbose && !fragmented) p.out += tcpChecksum(p, off, length, info);
  const dataLen = length - hlen;
  if (dataLen > 0 || (flags & 0x07) !== 0) {
    p.out += `, seq ${seq}`;
    if (dataLen > 0) p.out += `:${(seq + dataLen) >>> 0}`;
  }
  if (flags & 0x10) p.out += `, ack ${ack}`;
  p.out += `, win ${win}`;
  if (flags & 0x20) p.out += `, urg ${urp}`;
  if (hlen > 20 && !tcpOptions(p, off + 20, hlen - 20, flags, off + length)) return;
  p.out += `, length ${dataLen}`;
}

/**
 * Prints ", options [...]" the way tcpdump walks them, including its handling of bad lengths
 * (`[len N]` when an option's length differs from its type's, `[bad opt]` when it cannot go on).
 * Returns false after `[bad opt]`, where tcpdump ends the line.
 */
function tcpOptions(
  p: Pkt,
  cp: number,
  left: number,
  flags: number,
  dataEnd: number,
): boolean {
  p.out += ", options [";
  let sep = "";
  while (left > 0) {
    p.out += sep;
    const opt = p.u8(cp++);
    let len = 1;
    if (opt > 1) {
      len = p.u8(cp++);
      if (len < 2 || len > left) return badOption(p, sep);
      left--;
    }
    left--;
    p.out += TCP_OPTION_NAMES[opt] ?? `unknown-${opt}`;
    let datalen = 0;
    // tcpdump's LENCHECK: the option's data must fit in the header and in the capture.
    const fits = (n: number): boolean => {
      if (n > left) return false;
      if (!p.has(cp, n)) {
        if (sep !== "") p.truncSuffix = ">";
        throw TRUNCATED;
      }
      return true;
    };
    switch (opt) {
      case 0:
      case 1:
      case 4:
        break;
      case 2:
        datalen = 2;
        if (!fits(2)) return badOption(p, sep);
        p.out += ` ${p.u16(cp)}`;
        break;
      case 3:
        datalen = 1;
        if (!fits(1)) return badOption(p, sep);
        p.out += ` ${p.u8(cp)}`;
        break;
      case 5:
        datalen = len - 2;
        if (datalen % 8 !== 0) {
          p.out += " invalid sack";
        } else {
          p.out += ` ${datalen / 8} `;
          for (let i = 0; i < datalen; i += 8) {
            if (!fits(i + 4)) return badOption(p, sep);
            const s = p.u32(cp + i);
            if (!fits(i + 8)) return badOption(p, sep);
            p.out += `{${s}:${p.u32(cp + i + 4)}}`;
          }
        }
        break;
      case 6:
      case 7:
      case 11:
      case 12:
      case 13:
        datalen = 4;
        if (!fits(4)) return badOption(p, sep);
        p.out += ` ${p.u32(cp)}`;
        break;
      case 8:
        datalen = 8;
        if (!fits(8)) return badOption(p, sep);
        p.out += ` val ${p.u32(cp)} ecr ${p.u32(cp + 4)}`;
        break;
      case 19:
        datalen = 16;
        if (!fits(16)) return badOption(p, sep);
        // tcpdump cannot check the signature: it says why (segment not all captured, or no -M).
        p.out += dataEnd > p.end ? " snaplen too short," : " shared secret not supplied with -M,";
        p.out += ` can't check - ${hexBytes(p.d, cp, 16, "")}`;
        break;
      case 20:
        datalen = 2;
        if (!fits(2)) return badOption(p, sep);
        p.out += ` cap ${hex2(p.u8(cp))} id ${p.u8(cp + 1)}`;
        break;
      case 28: {
        datalen = 2;
        if (!fits(2)) return badOption(p, sep);
        const uto = p.u16(cp);
        p.out += ` 0x${uto.toString(16)} ${uto & 1 ? (uto >> 1) * 60 : uto >> 1}`;
        break;
      }
      case 29:
        datalen = len - 2;
        if (len < 4) {
          p.out += " (invalid)";
        } else {
          if (!fits(1)) return badOption(p, sep);
          p.out += ` keyid ${p.u8(cp)}`;
          if (!fits(2)) return badOption(p, sep);
          p.out += ` rnextkeyid ${p.u8(cp + 1)}`;
          if (datalen > 2) {
            p.out += " mac 0x";
            for (let i = 2; i < datalen; i++) {
              if (!fits(i + 1)) return badOption(p, sep);
              p.out += hex2(p.u8(cp + i));
            }
          }
        }
        break;
      case 30:
        datalen = len - 2;
        if (!fits(datalen)) return badOption(p, sep);
        if (!mptcp(p, cp - 2, len, flags)) return badOption(p, sep);
        break;
      case 34:
        datalen = len - 2;
        if (!fits(datalen)) return badOption(p, sep);
        p.out += " ";
        fastOpen(p, cp, datalen, false);
        break;
      case 254: {
        datalen = len - 2;
        if (!fits(datalen)) return badOption(p, sep);
        if (datalen < 2) return badOption(p, sep);
        const magic = p.u16(cp);
        p.out += "-";
        if (magic === 0xf989) fastOpen(p, cp + 2, datalen - 2, true);
        else p.out += hex4(magic);
        break;
      }
      default:
        datalen = len - 2;
        if (datalen > 0) p.out += " 0x";
        for (let i = 0; i < datalen; i++) {
          if (!fits(i + 1)) return badOption(p, sep);
          p.out += hex2(p.u8(cp + i));
        }
    }
    // Like tcpdump: step over the data the option's type implies, and flag a differing length.
    cp += datalen;
    left -= datalen;
    const expected = datalen + (opt > 1 ? 2 : 1);
    if (expected !== len) p.out += `[len ${len}]`;
    sep = ",";
    if (opt === 0) break;
  }
  p.out += "]";
  return true;
}

function badOption(p: Pkt, sep: string): false {
  p.out += "[bad opt]";
  if (sep !== "") p.out += "]";
  return false;
}

function fastOpen(p: Pkt, cp: number, datalen: number, experimental: boolean): void {
  if (experimental) p.out += "tfo";
  if (datalen === 0) {
    p.out += " cookiereq";
  } else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) {
    p.out += " (invalid)";
  } else {
    p.out += ` cookie ${hexBytes(p.d, cp, datalen, "")}`;
  }
}

const MPTCP_SUBTYPES = [
  "capable",
  "join",
  "dss",
  "add-addr",
  "rem-addr",
  "prio",
  "fail",
  "fast-close",
];

const TH_SYN = 0x02;
const TH_ACK = 0x10;

/** An unsigned 64-bit field in hex without leading zeros (C's %" PRIx64 "). */
function u64hex(p: Pkt, i: number): string {
  return ((BigInt(p.u32(i)) << 32n) | BigInt(p.u32(i + 4))).toString(16);
}

function u64dec(p: Pkt, i: number): string {
  return ((BigInt(p.u32(i)) << 32n) | BigInt(p.u32(i + 4))).toString();
}

/**
 * MPTCP option (RFC 6824 / 8684) at `cp` (its kind byte), printed as tcpdump 4.99 does; returns
 * false where tcpdump declares the option bad (wrong length for the subtype or TCP flags).
 */
function mptcp(p: Pkt, cp: number, len: number, flags: number): boolean {
  // tcpdump names MPTCP in a later truncation too: it never switches back to "tcp".
  p.proto = "mptcp";
  if (len < 3) return false;
  const subEtc = p.u8(cp + 2);
  const subtype = subEtc >> 4;
  const low = subEtc & 0x0f;
  p.out += ` ${len} ${MPTCP_SUBTYPES[subtype] ?? "unknown"}`;
  switch (subtype) {
    case 0: {
      if (
        !((len === 12 || len === 4) && flags & TH_SYN) &&
        !((len === 20 || len === 22) && (flags & (TH_SYN | TH_ACK)) === TH_ACK)
      ) return false;
      if (low > 1) {
        p.out += ` Unknown Version (${low})`;
        return true;
      }
      p.out += ` v${low}`;
      if (p.u8(cp + 3) & 0x80) p.out += " csum";
      if (len === 12 || len >= 20) {
        p.out += ` {0x${u64hex(p, cp + 4)}`;
        if (len >= 20) p.out += `,0x${u64hex(p, cp + 12)}`;
        p.out += "}";
      }
      return true;
    }
    case 1:
      if (
        !(len === 12 && flags & TH_SYN) &&
        !(len === 16 && (flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) &&
        !(len === 24 && flags & TH_ACK)
      ) return false;
      if (len !== 24) p.out += `${low & 1 ? " backup" : ""} id ${p.u8(cp + 3)}`;
      if (len === 12) {
        p.out += ` token 0x${p.u32(cp + 4).toString(16)} nonce 0x${p.u32(cp + 8).toString(16)}`;
      } else if (len === 16) {
        p.out += ` hmac 0x${u64hex(p, cp + 4)} nonce 0x${p.u32(cp + 12).toString(16)}`;
      } else {
        p.out += ` hmac 0x${hexBytes(p.d, cp + 4, 20, "")}`;
      }
      return true;
    case 2:
      return mptcpDss(p, cp, len, flags);
    case 3: {
      const v4 = len === 8 || len === 10 || len === 16 || len === 18;
      if (!v4 && len !== 20 && len !== 22 && len !== 28 && len !== 30) return false;
      p.out += low === 0
        ? " v1"
        : low === 1
        ? " v1-echo"
        : low === 4 || low === 6
        ? ` v0-ip${low}`
        : " [bad version/echo]";
      p.out += ` id ${p.u8(cp + 3)} `;
      let i = cp + 4;
      p.out += v4 ? p.ip4(i) : p.ip6(i);
      i += v4 ? 4 : 16;
      const rest = cp + len - i;
      if (rest === 2 || rest === 10) {
        p.out += `:${p.u16(i)}`;
        i += 2;
      }
      if (rest >= 8) p.out += ` hmac 0x${u64hex(p, i)}`;
      return true;
    }
    case 4:
      if (len < 4) return false;
      p.out += " id";
      for (let i = cp + 3; i < cp + len; i++) p.out += ` ${p.u8(i)}`;
      return true;
    case 5:
      if (len !== 3 && len !== 4) return false;
      p.out += low & 1 ? " backup" : " non-backup";
      if (len === 4) p.out += ` id ${p.u8(cp + 3)}`;
      return true;
    case 6:
      if (len !== 12) return false;
      p.out += ` seq ${u64dec(p, cp + 4)}`;
      return true;
    case 7:
      if (len !== 12) return false;
      p.out += ` key 0x${u64hex(p, cp + 4)}`;
      return true;
  }
  return true;
}

/** MPTCP DSS: printed field by field, so a short option shows what fitted before [bad opt]. */
function mptcpDss(p: Pkt, cp: number, len: number, flags: number): boolean {
  if (len < 4 || flags & TH_SYN) return false;
  const f = p.u8(cp + 3);
  if (f & 0x10) p.out += " fin";
  let i = cp + 4;
  let left = len - 4;
  const field = (wide: boolean): boolean => {
    if (left < (wide ? 8 : 4)) return false;
    p.out += wide ? u64dec(p, i) : `${p.u32(i)}`;
    i += wide ? 8 : 4;
    left -= wide ? 8 : 4;
    return true;
  };
  if (f & 0x01) {
    p.out += " ack ";
    if (!field((f & 0x02) !== 0)) return false;
  }
  if (f & 0x04) {
    p.out += " seq ";
    if (!field((f & 0x08) !== 0)) return false;
    if (left < 4) return false;
    p.out += ` subseq ${p.u32(i)}`;
    i += 4;
    left -= 4;
    if (left < 2) return false;
    p.out += ` len ${p.u16(i)}`;
    i += 2;
    left -= 2;
    if (left >= 2) {
      p.out += ` csum 0x${p.u16(i).toString(16)}`;
      left -= 2;
    }
  }
  return left === 0;
}

const ICMP_UNREACH: Record<number, (dst: string) => string> = {
  5: (a) => `${a} unreachable - source route failed`,
  6: (a) => `net ${a} unreachable - unknown`,
  7: (a) => `host ${a} unreachable - unknown`,
  8: (a) => `${a} unreachable - source host isolated`,
  9: (a) => `net ${a} unreachable - admin prohibited`,
  10: (a) => `host ${a} unreachable - admin prohibited`,
  11: (a) => `net ${a} unreachable - tos prohibited`,
  12: (a) => `host ${a} unreachable - tos prohibited`,
  13: (a) => `host ${a} unreachable - admin prohibited filter`,
  14: (a) => `host ${a} unreachable - host precedence violation`,
  15: (a) => `host ${a} unreachable - precedence cutoff`,
};

const ICMP_NAMES: Record<number, string> = {
  0: "echo reply",
  4: "source quench",
  8: "echo request",
  10: "router solicitation",
  13: "time stamp request",
  14: "time stamp reply",
  15: "information request",
  16: "information reply",
  17: "address mask request",
};

/** Milliseconds since midnight, as tcpdump prints ICMP timestamps (hours may exceed 23). */
function icmpTime(ms: number): string {
  const msec = ms % 1000;
  let sec = Math.floor(ms / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(hrs)}:${two(min)}:${two(sec)}.${String(msec).padStart(3, "0")}`;
}

function icmp(p: Pkt, off: number, length: number, fragmented = false): void {
  p.proto = "icmp";
  const type = p.u8(off);
  const code = p.u8(off + 1);
  // Built whole before printing: when bytes run out midway tcpdump prints none of it.
  let s: string;
  const innerDst = () => p.ip4(off + 8 + 16);
  switch (type) {
    case 0:
    case 8:
      s = `echo ${type === 8 ? "request" : "reply"}, id ${p.u16(off + 4)}, seq ${p.u16(off + 6)}`;
      break;
    case 3:
      switch (code) {
        case 0:
          s = `net ${innerDst()} unreachable`;
          break;
        case 1:
          s = `host ${innerDst()} unreachable`;
          break;
        case 2:
          s = `${innerDst()} protocol ${p.u8(off + 8 + 9)} unreachable`;
          break;
        case 3: {
          const ihl = (p.u8(off + 8) & 0x0f) * 4;
          const dport = p.u16(off + 8 + ihl + 2);
          const proto = p.u8(off + 8 + 9);
          const dst = innerDst();
          s = proto === 6
            ? `${dst} tcp port ${dport} unreachable`
            : proto === 17
            ? `${dst} udp port ${dport} unreachable`
            : `${dst} protocol ${proto} port ${dport} unreachable`;
          break;
        }
        case 4: {
          const mtu = p.u16(off + 6);
          s = `${innerDst()} unreachable - need to frag${mtu ? ` (mtu ${mtu})` : ""}`;
          break;
        }
        default: {
          const f = ICMP_UNREACH[code];
          s = f ? f(innerDst()) : `${innerDst()} unreachable - #${code}`;
        }
      }
      break;
    case 5: {
      const dst = innerDst();
      const gw = p.ip4(off + 4);
      s = code === 0
        ? `redirect ${dst} to net ${gw}`
        : code === 1
        ? `redirect ${dst} to host ${gw}`
        : code === 2
        ? `redirect-tos ${dst} to net ${gw}`
        : code === 3
        ? `redirect-tos ${dst} to host ${gw}`
        : `redirect-#${code} ${dst} to ${gw}`;
      break;
    }
    case 9: {
      const num = p.u8(off + 4);
      const size = p.u8(off + 5);
      const life = p.u16(off + 6);
      const two = (n: number) => String(n).padStart(2, "0");
      s = "router advertisement lifetime " +
        (life < 60
          ? `${life}`
          : life < 3600
          ? `${Math.floor(life / 60)}:${two(life % 60)}`
          : `${Math.floor(life / 3600)}:${two(Math.floor((life % 3600) / 60))}:${two(life % 60)}`);
      s += ` ${num}:`;
      if (size !== 2) {
        s += ` [size ${size}]`;
      } else {
        for (let k = 0; k < num; k++) {
          s += ` {${p.ip4(off + 8 + 8 * k)} ${p.u32(off + 12 + 8 * k)}}`;
        }
      }
      break;
    }
    case 11:
      p.need(off + 8 + 16, 4);
      s = code === 0
        ? "time exceeded in-transit"
        : code === 1
        ? "ip reassembly time exceeded"
        : `time exceeded-#${code}`;
      break;
    case 12:
      s = code ? `parameter problem - code ${code}` : `parameter problem - octet ${p.u8(off + 4)}`;
      break;
    case 13:
      s = `time stamp query id ${p.u16(off + 4)} seq ${p.u16(off + 6)}`;
      break;
    case 14:
      s = `time stamp reply id ${p.u16(off + 4)} seq ${p.u16(off + 6)}: org ${
        icmpTime(p.u32(off + 8))
      }, recv ${icmpTime(p.u32(off + 12))}, xmit ${icmpTime(p.u32(off + 16))}`;
      break;
    case 18:
      s = `address mask is 0x${p.u32(off + 8).toString(16).padStart(8, "0")}`;
      break;
    default:
      s = ICMP_NAMES[type] ?? `type-#${type}`;
  }
  p.out += `ICMP ${s}, length ${length}`;
  if (p.verbose) icmpVerbose(p, off, length, fragmented, type);
}

const ICMP6_NAMES: Record<number, string> = {
  1: "destination unreachable",
  2: "packet too big",
  3: "time exceeded in-transit",
  4: "parameter problem",
  128: "echo request",
  129: "echo reply",
  130: "multicast listener query",
  131: "multicast listener report",
  132: "multicast listener done",
  133: "router solicitation",
  134: "router advertisement",
  135: "neighbor solicitation",
  136: "neighbor advertisement",
  137: "redirect",
  138: "router renumbering",
  139: "who-are-you request",
  140: "who-are-you reply",
  141: "inverse neighbor solicitation",
  142: "inverse neighbor advertisement",
  143: "multicast listener report v2",
  144: "ha discovery request",
  145: "ha discovery reply",
  146: "mobile router solicitation",
  147: "mobile router advertisement",
  155: "RPL",
  200: "mtrace response",
  201: "mtrace message",
};

const ICMP6_UNREACH: Record<number, string> = {
  0: "unreachable route",
  1: " unreachable prohibited",
  2: "beyond scope",
  3: "unreachable address",
  4: "unreachable port",
};

/** The transport header inside an ICMPv6 error, past the quoted IPv6 extension headers. */
function upperLayer(p: Pkt, ip: number): { proto: number; at: number } | null {
  if (!p.has(ip + 6, 1)) return null;
  let nh = p.d[ip + 6];
  let hlen = 40;
  let cp = ip;
  while (cp < p.end) {
    cp += hlen;
    switch (nh) {
      case 6:
      case 17:
        return p.has(cp + 2, 2) ? { proto: nh, at: cp } : null;
      case 0:
      case 60:
      case 43:
        if (!p.has(cp + 1, 1)) return null;
        nh = p.d[cp];
        hlen = (p.d[cp + 1] + 1) << 3;
        break;
      case 44:
        if (!p.has(cp + 2, 2)) return null;
        if ((((p.d[cp + 2] << 8) | p.d[cp + 3]) & 0xfff8) !== 0) return null;
        nh = p.d[cp];
        hlen = 8;
        break;
      case 51:
        if (!p.has(cp + 1, 1)) return null;
        nh = p.d[cp];
        hlen = (p.d[cp + 1] + 2) << 2;
        break;
      default:
        return null;
    }
  }
  return null;
}

function icmp6(
  p: Pkt,
  off: number,
  length: number,
  fragmented = false,
  info?: IpInfo,
): void {
  p.proto = "icmp6";
  if (length === 0) {
    p.out += "ICMP6, length 0 (invalid)";
    return;
  }
  if (p.verbose && !fragmented && info && p.has(off, length)) {
    const sum = transportSum(p, off, length, 58, info);
    const carried = p.u16(off + 2);
    p.out += sum === 0
      ? "[icmp6 sum ok] "
      : `[bad icmp6 cksum 0x${hex4(carried)} -> 0x${hex4(cksumShouldBe(carried, sum))}!] `;
  }
  const type = p.u8(off);
  p.out += `ICMP6, ${ICMP6_NAMES[type] ?? `unknown icmp6 type (${type})`}`;
  // tcpdump -v prints the length of neighbour discovery messages here, of others not at all.
  if (p.verbose && ICMP6_LENGTH_FIRST.has(type)) p.out += `, length ${length}`;
  const code = p.u8(off + 1);
  const oip = off + 8;
  switch (type) {
    case 1:
      p.out += `, ${ICMP6_UNREACH[code] ?? `unknown unreach code (${code})`}`;
      switch (code) {
        case 0:
        case 1:
        case 3:
          p.out += ` ${p.ip6(oip + 24)}`;
          break;
        case 2:
          p.out += ` ${p.ip6(oip + 24)}, source address ${p.ip6(oip + 8)}`;
          break;
        case 4: {
          const up = upperLayer(p, oip);
          if (up === null) throw TRUNCATED;
          const dport = p.u16(up.at + 2);
          const dst = p.ip6(oip + 24);
          p.out += up.proto === 6 ? `, ${dst} tcp port ${dport}` : `, ${dst} udp port ${dport}`;
          break;
        }
        default:
          // tcpdump hex-dumps the rest on the following lines, without a length.
          return;
      }
      break;
    case 2:
      p.out += `, mtu ${p.u32(off + 4)}`;
      break;
    case 3:
      if (code === 0) p.out += ` for ${p.ip6(oip + 24)}`;
      else if (code === 1) p.out += " (reassembly)";
      else p.out += `, unknown code (${code})`;
      break;
    case 4: {
      p.need(oip + 24, 16);
      const ptr = p.u32(off + 4);
      p.out += code === 0
        ? `, erroneous - octet ${ptr}`
        : code === 1
        ? `, next header - octet ${ptr}`
        : code === 2
        ? `, option - octet ${ptr}`
        : code === 3
        ? `, incomplete header chain - octet ${ptr}`
        : `, code-#${code}`;
      break;
    }
    case 128:
    case 129:
      p.out += `, id ${p.u16(off + 4)}, seq ${p.u16(off + 6)}`;
      break;
    case 130:
      if (length === 24) {
        p.out += mld1(p, off);
      } else if (length >= 28) {
        // Printed piece by piece, like tcpdump, so a cut packet shows how far it got.
        p.out += " v2";
        const mrc = p.u16(off + 4); // max response code, read before the group address
        if (p.verbose) {
          const mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
          p.out += ` [max resp delay=${mrt}]`;
        }
        p.out += ` [gaddr ${p.ip6(off + 8)}`;
        if (p.verbose) {
          const flags = p.u8(off + 24);
          const code = p.u8(off + 25);
          if (flags & 0x08) p.out += " sflag";
          if (flags & 0x07) p.out += ` robustness=${flags & 0x07}`;
          const qqi = code < 128 ? code : ((code & 0x0f) | 0x10) << (((code & 0x70) >> 4) + 3);
          p.out += ` qqi=${qqi}`;
        }
        const nsrcs = p.u16(off + 26);
        if (nsrcs && length < 28 + 16 * nsrcs) p.out += " [invalid number of sources]";
        else if (nsrcs) p.out += `, ${nsrcs} source(s)`;
        p.out += "]";
      } else {
        p.out += ` unknown-version (len ${length}) `;
      }
      break;
    case 131:
    case 132:
      p.out += mld1(p, off);
      break;
    case 135:
      p.out += `, who has ${p.ip6(off + 8)}`;
      break;
    case 136:
      p.out += `, tgt is ${p.ip6(off + 8)}`;
      if (p.verbose) {
        const f = p.u8(off + 4);
        const names = [[0x80, "router"], [0x40, "solicited"], [0x20, "override"]] as const;
        const set = names.filter(([bit]) => f & bit).map(([, name]) => name);
        p.out += `, Flags [${set.length ? set.join(", ") : "none"}]`;
      }
      break;
    case 137: {
      const dst = p.ip6(off + 24);
      p.out += `, ${dst} to ${p.ip6(off + 8)}`;
      break;
    }
    case 143:
      if (length < 8) p.out += ` [invalid len ${length}]`;
      else p.out += `, ${p.u16(off + 6)} group record(s)`;
      if (p.verbose && length >= 8) mld2Records(p, off, length);
      break;
    case 144:
    case 146:
      p.out += `, id 0x${hex4(p.u16(off + 4))}`;
      break;
    case 134:
      // -v shows the advertisement's fields on a line of their own; tcpdump reads them first.
      if (p.verbose) p.need(off, 16);
      break;
    case 133:
    case 138:
    case 139:
    case 140:
    case 141:
    case 142:
    case 145:
    case 147:
    case 155:
      break;
    default:
      // tcpdump hex-dumps unknown types on the following lines.
      break;
  }
  // -v leaves the length out, except for types tcpdump does not know (or printed it above).
  if (!p.verbose || ICMP6_NAMES[type] === undefined) p.out += `, length ${length}`;
}

/** ICMPv6 types whose length tcpdump -v prints right after the name (neighbour discovery). */
const ICMP6_LENGTH_FIRST = new Set([133, 134, 135, 136, 137, 145, 147]);

/** MLDv2 record types. */
const MLD2_RECORDS: Record<number, string> = {
  1: "is_in",
  2: "is_ex",
  3: "to_in",
  4: "to_ex",
  5: "allow",
  6: "block",
};

/** tcpdump -v's MLDv2 report records: " [gaddr G to_ex, 0 source(s)]" each. */
function mld2Records(p: Pkt, off: number, length: number): void {
  const n = p.u16(off + 6);
  let group = 8;
  for (let i = 0; i < n; i++) {
    if (length < group + 20) {
      p.out += " [invalid number of groups]";
      return;
    }
    p.out += ` [gaddr ${p.ip6(off + group + 4)}`;
    const type = p.u8(off + group);
    p.out += ` ${MLD2_RECORDS[type] ?? ` [v2-report-#${type}]`}`;
    const nsrcs = p.u16(off + group + 2);
    if (length < group + 20 + nsrcs * 16) {
      p.out += ` [invalid number of sources ${nsrcs}]`;
      return;
    }
    p.out += `, ${nsrcs} source(s)]`;
    // Like tcpdump, the auxiliary data length is not skipped.
    group += 20 + nsrcs * 16;
  }
}

/** MLDv1 body; tcpdump prints it with no separator after the type name. */
function mld1(p: Pkt, off: number): string {
  // tcpdump prints the body only when all 24 bytes are there, and says nothing otherwise.
  if (!p.has(off, 24)) return "";
  const delay = p.u16(off + 4);
  return `max resp delay: ${delay} addr: ${p.ip6(off + 8)}`;
}

/**
 * The rest of `tcpdump -n -S`'s line for an Ethernet frame (everything after the timestamp).
 * `data` is the captured bytes, `origLen` the length on the wire (≥ `data.length`; a smaller
 * value is taken as `data.length`). Never throws.
 */
export function describeFrame(
  data: Uint8Array,
  origLen: number,
  opts: DescribeOptions = {},
): string {
  const wireLen = Number.isFinite(origLen) && origLen > data.length
    ? Math.floor(origLen)
    : data.length;
  const p = new Pkt(data, opts.link === true, opts.verbose === true);
  try {
    ether(p, wireLen);
  } catch (e) {
    // Only running out of bytes is expected; anything else is a decoder bug, and a capture line
    // must still come out, so it is shown the same way.
    if (!(e instanceof Truncated)) p.out += " [|decode error]";
    else p.out += ` [|${p.proto}]${p.truncSuffix}`;
  }
  return p.out;
}

/**
 * "HH:MM:SS.nnnnnnnnn" in local time (like tcpdump, whose default format this is, with nanosecond
 * precision). Tests run with TZ=UTC.
 */
export function formatTimestamp(sec: number, nsec: number): string {
  const t = new Date(sec * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  const frac = String(Math.max(0, Math.min(999999999, Math.floor(nsec)))).padStart(9, "0");
  return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}.${frac}`;
}

/** {@link formatTimestamp} + " " + {@link describeFrame}. */
export function formatLine(
  sec: number,
  nsec: number,
  data: Uint8Array,
  origLen: number,
  opts: DescribeOptions = {},
): string {
  return `${formatTimestamp(sec, nsec)} ${describeFrame(data, origLen, opts)}`;
}
