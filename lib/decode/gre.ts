/**
 * IP tunnels: GRE (tcpdump's print-gre.c): version 0 (RFC 2784/2890: checksum, key, sequence number, the
 * source routes of RFC 1701) and version 1 (PPTP's enhanced GRE, RFC 2637: call id, sequence
 * and acknowledgement numbers), then what it carries: IPv4, IPv6, MPLS, an Ethernet frame
 * (transparent Ethernet bridging, printed as tcpdump prints any frame) or PPP. tcpdump 4.99
 * decodes no other payload (ERSPAN, NHRP, WCCP are `gre-proto-0x88be` and the like), and
 * neither does this. Also Ethernet straight in IPv6 (IP protocol 143, as segment routing carries
 * it) and minimal IP-in-IP encapsulation (RFC 2004, print-mobile.c).
 *
 * @module
 */
import { etherTypePrinter } from "./dispatch.ts";
import { ether } from "./ether.ts";
import { ETHERTYPES } from "./ethertypes.ts";
import { ipv4 } from "./ip.ts";
import { ipv6 } from "./ip6.ts";
import { CUT, hex4, type IpInfo, type Pkt } from "./printer.ts";
import { finishSum, sumWords } from "./verbose.ts";
import { type BitTok, bitTok } from "./text.ts";

const GRE_CP = 0x8000;
const GRE_RP = 0x4000;
const GRE_KP = 0x2000;
const GRE_SP = 0x1000;
const GRE_AP = 0x0080;

const GRE_FLAGS: BitTok = [
  [GRE_CP, "checksum present"],
  [GRE_RP, "routing present"],
  [GRE_KP, "key present"],
  [GRE_SP, "sequence# present"],
  [0x0800, "source routing present"],
  [GRE_AP, "ack present"],
];

/** The GRE packet at `off`, `length` bytes (tcpdump's gre_print). */
export function gre(p: Pkt, off: number, length: number): void {
  p.proto = "gre";
  p.check(off, 2);
  if (length < 2) throw CUT;
  const flags = p.u16(off);
  const version = flags & 7;
  p.out += `GREv${version}`;
  if (version === 0) gre0(p, off, length, flags);
  else if (version === 1) gre1(p, off, length, flags);
  else p.out += " ERROR: unknown-version";
}

/** A read position in a GRE header: the offset and the bytes left from it. */
interface Cursor {
  cp: number;
  len: number;
}

/**
 * Takes `n` more header bytes at `c` (cut, tcpdump's goto trunc, when they were not captured or
 * the packet is shorter); returns their offset, `c` moved past them.
 */
function take(p: Pkt, c: Cursor, n: number): number {
  p.check(c.cp, n);
  if (c.len < n) throw CUT;
  c.cp += n;
  c.len -= n;
  return c.cp - n;
}

function gre0(p: Pkt, off: number, length: number, flags: number): void {
  if (p.verbose) p.out += `, Flags [${bitTok(GRE_FLAGS, flags, "none")}]`;
  const c = { cp: off + 2, len: length - 2 };
  const proto = p.u16(take(p, c, 2));
  if (flags & (GRE_CP | GRE_RP)) {
    let at = take(p, c, 2);
    if (p.verbose) p.out += `, sum 0x${p.u16(at).toString(16)}`;
    at = take(p, c, 2);
    p.out += `, off 0x${p.u16(at).toString(16)}`;
  }
  if (flags & GRE_KP) p.out += `, key=0x${p.u32(take(p, c, 4)).toString(16)}`;
  if (flags & GRE_SP) p.out += `, seq ${p.u32(take(p, c, 4))}`;
  if (flags & GRE_RP) {
    for (;;) {
      const at = take(p, c, 4);
      const af = p.u16(at);
      const sreOff = p.d[at + 2];
      const sreLen = p.d[at + 3];
      if (af === 0 && sreLen === 0) break;
      sourceRoute(p, af, sreOff, sreLen, c.cp, c.len);
      if (c.len < sreLen) throw CUT;
      c.cp += sreLen;
      c.len -= sreLen;
    }
  }
  if (p.link) p.out += `, proto ${ETHERTYPES[proto] ?? "unknown"} (0x${hex4(proto)})`;
  p.out += `, length ${length}`;
  p.out += p.verbose ? "\n\t" : ": ";
  switch (proto) {
    case 0x0800:
      ipv4(p, c.cp, c.len);
      return;
    case 0x86dd:
      ipv6(p, c.cp, c.len);
      return;
    case 0x6558:
      teb(p, c.cp, c.len);
      return;
    case 0x8847: {
      const mpls = etherTypePrinter(proto);
      if (mpls !== undefined) {
        mpls(p, c.cp, c.len);
        return;
      }
    }
  }
  p.out += `gre-proto-0x${proto.toString(16)}`;
}

/** Transparent Ethernet bridging: the frame inside, as tcpdump's ether_print takes it. */
function teb(p: Pkt, off: number, len: number): void {
  const caplen = Math.max(0, p.end - off);
  p.proto = "ether";
  if (len < caplen) {
    p.out += `[length ${len} < caplen ${caplen}] (invalid)`;
    return;
  }
  if (caplen < 14) throw CUT;
  ether(p, off, len);
}

/** One source route entry of RFC 1701 (tcpdump's gre_sre_print); throws when cut. */
function sourceRoute(
  p: Pkt,
  af: number,
  sreOff: number,
  sreLen: number,
  cp: number,
  len: number,
): void {
  const ip = af === 0x0800;
  if (!ip && af !== 0xfffe) {
    p.out += `, (rtaf=0x${af.toString(16)})`;
    return;
  }
  p.out += ip ? ", (rtaf=ip" : ", (rtaf=asn";
  // Entries of 4 bytes (IPv4 addresses) or 2 (AS numbers); `*` marks the current one.
  const size = ip ? 4 : 2;
  if (sreOff & (size - 1)) p.out += `, badoffset=${sreOff}`;
  else if (sreLen & (size - 1)) p.out += `, badlength=${sreLen}`;
  else if (sreOff >= sreLen) p.out += `, badoff/len=${sreOff}/${sreLen}`;
  else {
    for (let at = 0; at < sreLen; at += size) {
      // tcpdump closes the parenthesis before it gives up on a short packet.
      if (!p.has(cp + at, size) || len - at < size) {
        p.out += ")";
        throw CUT;
      }
      const mark = at === sreOff ? "*" : "";
      p.out += ip ? ` ${mark}${p.ip4(cp + at)}` : ` ${mark}${p.u16(cp + at).toString(16)}`;
    }
  }
  p.out += ")";
}

function gre1(p: Pkt, off: number, length: number, flags: number): void {
  const c = { cp: off + 2, len: length - 2 };
  if (p.verbose) p.out += `, Flags [${bitTok(GRE_FLAGS, flags, "none")}]`;
  const proto = p.u16(take(p, c, 2));
  if (flags & GRE_KP) p.out += `, call ${p.u16(take(p, c, 4) + 2)}`;
  if (flags & GRE_SP) p.out += `, seq ${p.u32(take(p, c, 4))}`;
  if (flags & GRE_AP) p.out += `, ack ${p.u32(take(p, c, 4))}`;
  if ((flags & GRE_SP) === 0) p.out += ", no-payload";
  if (p.link) p.out += `, proto ${ETHERTYPES[proto] ?? "unknown"} (0x${hex4(proto)})`;
  p.out += `, length ${length}`;
  if ((flags & GRE_SP) === 0) return;
  p.out += p.verbose ? "\n\t" : ": ";
  p.out += `gre-proto-0x${proto.toString(16)}`;
}

/** Ethernet in IPv6 (IP protocol 143): the frame, as tcpdump prints any. */
export function ipEthernet(p: Pkt, off: number, length: number, info: IpInfo): void {
  if (!info.v6) {
    p.out += "[Ethernet requires IPv6] (invalid)";
    return;
  }
  teb(p, off, length);
}

/** Minimal IP-in-IP encapsulation (IP protocol 55, RFC 2004): tcpdump's mobile_print. */
export function mobile(p: Pkt, off: number, length: number): void {
  p.proto = "mobile";
  if (length < 8 || !p.has(off, 12)) throw CUT;
  p.out += "mobile: ";
  const proto = p.u16(off);
  const withSource = (proto & 0x80) !== 0;
  if (withSource) {
    p.out += "[S] ";
    if (p.verbose) p.out += `${p.ip4(off + 8)} `;
  } else {
    p.out += "[] ";
  }
  if (p.verbose) p.out += `> ${p.ip4(off + 4)} (oproto=${proto >> 8})`;
  if (finishSum(sumWords(p.d, off, withSource ? 12 : 8)) !== 0) {
    p.out += ` (bad checksum ${p.u16(off + 2)})`;
  }
}

const BCM_DIRECTIONS = ["unknown", "unused", "egress", "ingress"];
const BCM_TYPES: Record<number, string> = { 4: "undecided", 5: "ipv4", 6: "ipv6", 7: "ethernet" };
const BCM_SUBTYPES = ["unknown", "single VLAN tag", "double VLAN tag", "untagged"];

/**
 * Broadcom's lawful-intercept shim (UDP from port 49152, tcpdump's print-bcm-li.c): the shim,
 * and at -v the packet it carries.
 */
export function bcmLi(p: Pkt, off: number, length: number): void {
  p.proto = "bcm_li";
  if (length < 4) {
    p.out += ` (length ${length} < 4) (invalid)`;
    return;
  }
  const shim = p.u32(off);
  const type = (shim >>> 25) & 0xf;
  const nl = p.verbose ? "\n    " : "";
  p.out += `${nl}BCM-LI-SHIM: direction ${BCM_DIRECTIONS[(shim >>> 29) & 7] ?? "unknown"}, ` +
    `pkt-type ${BCM_TYPES[type] ?? "unknown"}, pkt-subtype ${
      BCM_SUBTYPES[(shim >>> 22) & 7] ?? "unknown"
    }, li-id ${shim & 0x3fffff}${nl}`;
  off += 4;
  length -= 4;
  if (!p.verbose) {
    p.need(off, length);
    return;
  }
  const v = type === 4 ? p.u8(off) >> 4 : 0;
  if (type === 7) teb(p, off, length);
  else if (type === 5 || v === 4) ipv4(p, off, length);
  else if (type === 6 || v === 6) ipv6(p, off, length);
  else if (type === 4) p.out += "unknown payload";
  else p.out += " (invalid)";
}
