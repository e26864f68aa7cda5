/**
 * BGP NLRI and next hops by address family (tcpdump's bgp_nlri_print and the decoders it calls
 * in print-bgp.c): IPv4 and IPv6 unicast/multicast, labeled (RFC 3107), VPN (RFC 4364),
 * route-target constraints (RFC 4684), multicast VPN (RFC 6514), MDT, L2VPN/VPLS and CLNP.
 *
 * @module
 */
import { formatIp6, type Pkt } from "./printer.ts";
import { ADDRESS_FAMILIES, decodePrefix, prefixText, unknownData } from "./tlv.ts";

/** Where tcpdump ends a message as cut and goes on with the next one ("goto trunc"). */
export class BgpCut {}
export const BGP_CUT = new BgpCut();

/** SAFI names (tcpdump's bgp_safi_values). */
export const SAFIS: Record<number, string> = {
  0: "Reserved",
  1: "Unicast",
  2: "Multicast",
  3: "Unicast+Multicast",
  4: "labeled Unicast",
  5: "Multicast VPN",
  64: "Tunnel",
  65: "VPLS",
  66: "MDT",
  70: "EVPN",
  128: "labeled VPN Unicast",
  129: "labeled VPN Multicast",
  130: "labeled VPN Unicast+Multicast",
  132: "Route Target Routing Information",
};
const MVPN_ROUTES = [
  "Unknown",
  "Intra-AS I-PMSI",
  "Inter-AS I-PMSI",
  "S-PMSI",
  "Intra-AS Segment-Leaf",
  "Source-Active",
  "Shared Tree Join",
  "Source Tree Join",
];

/** The (AFI << 8 | SAFI) pairs tcpdump decodes NLRI of. */
const KNOWN_AF = new Set([
  0x101,
  0x102,
  0x103,
  0x104,
  0x184,
  0x180,
  0x181,
  0x182,
  0x105,
  0x142,
  0x201,
  0x202,
  0x203,
  0x204,
  0x280,
  0x281,
  0x282,
  0x301,
  0x302,
  0x303,
  0x380,
  0x381,
  0x382,
  0xc480,
  0xc481,
  0xc482,
  0x1941,
]);

const addrBuf = new Uint8Array(20);

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** Copies `n` bytes at `at` (all there, or the line ends) zero-filled, last one masked. */
function copyPrefix(p: Pkt, at: number, plen: number, size: number): void {
  const n = (plen + 7) >> 3;
  p.need(at, n);
  addrBuf.fill(0, 0, size);
  addrBuf.set(p.d.subarray(at, at + n));
  if (plen % 8) addrBuf[n - 1] &= (0xff00 >> (plen % 8)) & 0xff;
}

function v4Text(): string {
  return `${addrBuf[0]}.${addrBuf[1]}.${addrBuf[2]}.${addrBuf[3]}`;
}

function v6Text(): string {
  return formatIp6(addrBuf.subarray(0, 16));
}

/** tcpdump's isonsap_string of `n` bytes of the scratch buffer. */
function nsapText(n: number): string {
  if (n < 1 || n > 20) return "isonsap_string: illegal length";
  let s = "";
  for (let i = 0; i < n; i++) {
    s += hex2(addrBuf[i]);
    if ((i & 1) === 0 && i + 1 < n) s += ".";
  }
  return s;
}

/** A route distinguisher (tcpdump's bgp_vpn_rd_print). */
export function rdText(p: Pkt, at: number): string {
  switch (p.u16(at)) {
    case 0:
      return `${p.u16(at + 2)}:${p.u32(at + 4)} (= ${p.u8(at + 4)}.${p.u8(at + 5)}.${
        p.u8(at + 6)
      }.${p.u8(at + 7)})`;
    case 1:
      return `${p.u8(at + 2)}.${p.u8(at + 3)}.${p.u8(at + 4)}.${p.u8(at + 5)}:${p.u16(at + 6)}`;
    case 2:
      return `${p.u32(at + 2)}:${p.u16(at + 6)} (${p.u8(at + 2)}.${p.u8(at + 3)}.${p.u8(at + 4)}.${
        p.u8(at + 5)
      }:${p.u16(at + 6)})`;
    default:
      return "unknown RD format";
  }
}

/** A label and its bottom-of-stack bit, as tcpdump prints them after a prefix. */
function label(p: Pkt, at: number): string {
  return `label:${((p.u8(at + 1) << 16) | p.u16(at + 2)) >> 4} ${
    (p.u8(at + 3) & 1) === 0 ? "(BOGUS: Bottom of Stack NOT set!)" : "(bottom)"
  }`;
}

/** The text of the last NLRI decoded. */
let nlriText = "";

/**
 * One NLRI (tcpdump's bgp_nlri_print): the bytes it took, -1 to stop quietly, or -2 where
 * tcpdump ends the message as cut. `len` is the whole attribute's length, as tcpdump passes it.
 */
function nlri(p: Pkt, afsafi: number, at: number, len: number, ap4: boolean, ap6: boolean): number {
  let rc: number;
  switch (afsafi) {
    case 0x101:
    case 0x102:
    case 0x103:
    case 0x201:
    case 0x202:
    case 0x203: {
      const v6 = afsafi >= 0x200;
      const ap = v6 ? ap6 : ap4;
      let id = 0;
      if (ap) {
        id = p.u32(at);
        at += 4;
      }
      rc = decodePrefix(p, at, len, v6);
      if (rc === -1) p.out += "\n\t    (illegal prefix length)";
      else if (rc === -2) return -2;
      else p.out += `\n\t      ${prefixText}`;
      if (ap) {
        p.out += `   Path Id: ${id}`;
        rc += 4;
      }
      return rc;
    }
    case 0x104:
    case 0x204:
      rc = labeledPrefix(p, at, len, afsafi === 0x204);
      if (rc === -1) p.out += "\n\t    (illegal prefix length)";
      else if (rc === -2 || rc === -3) return -2;
      else p.out += `\n\t      ${nlriText}`;
      return rc;
    case 0x180:
    case 0x181:
    case 0x182:
    case 0x280:
    case 0x281:
    case 0x282:
    case 0x380:
    case 0x381:
    case 0x382:
      rc = vpnPrefix(p, at, afsafi >> 8);
      p.out += rc === -1 ? "\n\t    (illegal prefix length)" : `\n\t      ${nlriText}`;
      return rc;
    case 0x184:
      return rtRoutingInfo(p, at);
    case 0x105:
    case 0x205:
      rc = multicastVpn(p, at);
      if (rc === -2) return -2;
      p.out += `\n\t      ${nlriText.slice(0, NLRI_BUF - 1)}`;
      return rc;
    case 0x142:
      rc = mdtVpn(p, at);
      if (rc === -1) p.out += "\n\t    (illegal prefix length)";
      else if (rc === -2) return -2;
      else p.out += `\n\t      ${nlriText}`;
      return rc;
    case 0x1941:
    case 0xc480:
    case 0xc481:
    case 0xc482:
      rc = l2vpn(p, at);
      if (rc === -2) return -2;
      p.out += `\n\t      ${nlriText}`;
      return rc;
    case 0x301:
    case 0x302:
    case 0x303: {
      const plen = p.u8(at);
      if (plen > 152) {
        p.out += "\n\t    (illegal prefix length)";
        return -1;
      }
      copyPrefix(p, at + 4, plen, 19);
      p.out += `\n\t      ${nsapText((plen + 7) >> 3)}/${plen}`;
      return 1 + ((plen + 7) >> 3);
    }
  }
  p.out += `\n\t    ERROR: no AFI ${afsafi >> 8} / SAFI ${afsafi & 0xff} decoder`;
  return -4;
}

/** A labeled IPv4/IPv6 prefix (RFC 3107): -2 when not captured, -3 when too short. */
function labeledPrefix(p: Pkt, at: number, itemLen: number, v6: boolean): number {
  if (!p.has(at, 4)) return -2;
  if (itemLen < 4) return -3;
  let plen = p.u8(at);
  if (plen < 24) return -1;
  plen -= 24;
  if (plen > (v6 ? 128 : 32)) return -1;
  const bytes = (plen + 7) >> 3;
  if (!v6 && itemLen - 4 < bytes) return -3;
  copyPrefix(p, at + 4, plen, 16);
  nlriText = `${v6 ? v6Text() : v4Text()}/${plen}, ${label(p, at)}`;
  return 4 + bytes;
}

/** A labeled VPN prefix of family 1, 2 or 3 (IPv4, IPv6, NSAP). */
function vpnPrefix(p: Pkt, at: number, af: number): number {
  let plen = p.u8(at);
  if (plen < 88) return -1;
  plen -= 88;
  if (plen > (af === 1 ? 32 : af === 2 ? 128 : 152)) return -1;
  copyPrefix(p, at + 12, plen, af === 3 ? 19 : 16);
  const a = af === 1 ? v4Text() : af === 2 ? v6Text() : nsapText((plen + 7) >> 3);
  nlriText = `RD: ${rdText(p, at + 4)}, ${a}/${plen}, ${label(p, at)}`;
  return 12 + ((plen + 7) >> 3);
}

/** A route-target constraint (RFC 4684); prints itself. */
function rtRoutingInfo(p: Pkt, at: number): number {
  let plen = p.u8(at);
  if (plen === 0) {
    p.out += "\n\t      default route target";
    return 1;
  }
  if (plen < 32) {
    p.out += "\n\t      (illegal prefix length)";
    return -1;
  }
  const originAs = p.u32(at + 1);
  plen -= 32;
  if (plen > 64) {
    p.out += "\n\t      (illegal prefix length)";
    return -1;
  }
  const n = (plen + 7) >> 3;
  copyPrefix(p, at + 5, plen, 8);
  p.out += `\n\t      origin AS: ${originAs}, ${rtPrefix(plen)}`;
  return 5 + n;
}

/** The route target of a constraint, from the scratch buffer (tcpdump's bgp_rt_prefix_print). */
function rtPrefix(plen: number): string {
  if (plen === 0) return "route-target: 0:0/0";
  const n = (plen + 7) >> 3;
  let hex = "";
  for (let i = 0; i < n; i++) hex += hex2(addrBuf[i]) + (i % 2 === 1 && i < n - 1 ? " " : "");
  if (plen < 16) return `route-target: partial-type: (${hex}/${plen})`;
  const b = addrBuf;
  const type = (b[0] << 8) | b[1];
  const u16 = (i: number) => (b[i] << 8) | b[i + 1];
  const u32 = (i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  switch (type) {
    case 0x0002:
      return `route-target: ${u16(2)}:${u32(4)}/${plen} (${hex})`;
    case 0x0102:
      return `route-target: ${b[2]}.${b[3]}.${b[4]}.${b[5]}:${u16(6)}/${plen} (${hex})`;
    case 0x0202:
      return `route-target: ${u32(2)}:${u16(6)}/${plen} (${hex})`;
    default:
      return `route target: unknown-type(${type.toString(16).padStart(4, "0")}) (${hex}/${plen})`;
  }
}

/** An IPv4 or IPv6 address by its length in bits (tcpdump's bgp_vpn_ip_print). */
function vpnIp(p: Pkt, at: number, bits: number): string {
  return bits === 32 ? p.ip4(at) : bits === 128 ? p.ip6(at) : `bogus address length ${bits}`;
}

/** A multicast source and group (tcpdump's bgp_vpn_sg_print): the bytes it took. */
function vpnSg(p: Pkt, at: number): number {
  let total = 0;
  for (const what of [", Source ", ", Group "]) {
    const bits = p.u8(at++);
    if (!p.has(at, bits >> 3)) return total;
    total += (bits >> 3) + 1;
    if (bits) {
      nlriText += what + vpnIp(p, at, bits);
      at += bits >> 3;
    }
  }
  return total;
}

/** A multicast VPN route (RFC 6514). */
function multicastVpn(p: Pkt, at: number): number {
  const type = p.u8(at);
  const len = p.u8(at + 1);
  at += 2;
  nlriText = `Route-Type: ${MVPN_ROUTES[type] ?? "Unknown"} (${type}), length: ${len}`;
  switch (type) {
    case 1:
      if (!p.has(at, 8)) return -2;
      nlriText += `, RD: ${rdText(p, at)}, Originator ${vpnIp(p, at + 8, ((len - 8) << 3) >>> 0)}`;
      break;
    case 2:
    case 6:
    case 7:
      if (!p.has(at, 12)) return -2;
      nlriText += `, RD: ${rdText(p, at)}, Source-AS ${p.u32(at + 8)}`;
      if (type !== 2) vpnSg(p, at + 12);
      break;
    case 3: {
      if (!p.has(at, 8)) return -2;
      nlriText += `, RD: ${rdText(p, at)}`;
      at += 8;
      const addrLen = (len - vpnSg(p, at)) >>> 0;
      if (!p.has(at, addrLen)) return -2;
      nlriText += `, Originator ${vpnIp(p, at, (addrLen << 3) >>> 0)}`;
      break;
    }
    case 5:
      if (!p.has(at, 8)) return -2;
      nlriText += `, RD: ${rdText(p, at)}`;
      vpnSg(p, at + 8);
      break;
  }
  return len + 2;
}

/** An MDT VPN NLRI: RD, address and group. */
function mdtVpn(p: Pkt, at: number): number {
  if (p.u8(at) !== 128) return -1;
  if (!p.has(at + 1, 8)) return -2;
  nlriText = `RD: ${rdText(p, at + 1)}, VPN IP Address: ${p.ip4(at + 9)}, MC Group Address: ${
    p.ip4(at + 13)
  }`;
  return 17;
}

/**
 * tcpdump's NLRI text buffer: MAXHOSTNAMELEN + 100 bytes, so at most 163 characters; what
 * does not fit is cut, as snprintf cuts it.
 */
const NLRI_BUF = 164;
let bufLeft = NLRI_BUF;

/** snprintf into the buffer and tcpdump's UPDATE_BUF_BUFLEN after it. */
function bufAppend(s: string): void {
  if (bufLeft > 0) nlriText += s.slice(0, bufLeft - 1);
  bufLeft = s.length > bufLeft ? 0 : bufLeft - s.length;
}

/** An L2VPN/VPLS NLRI (RFC 4761 or auto-discovery). */
function l2vpn(p: Pkt, at: number): number {
  const plen = p.u16(at);
  at += 2;
  nlriText = "";
  bufLeft = NLRI_BUF;
  if (plen === 12) {
    if (!p.has(at, 12)) return -2;
    bufAppend(`RD: ${rdText(p, at)}, BGPNH: ${p.ip4(at + 8)}`);
    return plen + 2;
  }
  if (plen <= 17) return -2;
  if (!p.has(at, 15)) return -2;
  bufAppend(
    `RD: ${rdText(p, at)}, CE-ID: ${p.u16(at + 8)}, Label-Block Offset: ${
      p.u16(at + 10)
    }, Label Base ${((p.u8(at + 12) << 16) | p.u16(at + 13)) >> 4}`,
  );
  at += 15;
  let tlen = plen - 15;
  while (tlen !== 0) {
    if (tlen < 3) {
      if (bufLeft !== 0) bufAppend("\n\t\tran past the end");
      return plen + 2;
    }
    const type = p.u8(at);
    const bits = p.u16(at + 1);
    let bytes = (bits + 7) >> 3;
    at += 3;
    if (type === 1) {
      if (bufLeft !== 0) bufAppend(`\n\t\tcircuit status vector (${type}) length: ${bits}: 0x`);
      while (bytes !== 0) {
        if (tlen < 1) {
          if (bufLeft !== 0) bufAppend(" (ran past the end)");
          return plen + 2;
        }
        if (!p.has(at, 1)) return -2;
        // tcpdump's cursor moves only while the buffer has room.
        if (bufLeft !== 0) bufAppend(hex2(p.u8(at++)));
        bytes--;
        tlen--;
      }
    } else {
      if (bufLeft !== 0) bufAppend(`\n\t\tunknown TLV #${type}, length: ${bits}`);
      if (tlen < bytes) {
        if (bufLeft !== 0) bufAppend(" (ran past the end)");
        return plen + 2;
      }
      tlen -= bytes;
    }
  }
  return plen + 2;
}

/** tcpdump's check_add_path: whether NLRI look like they carry path identifiers. */
export function addPath(p: Pkt, at: number, length: number, max: number): boolean {
  if (length < 5) return false;
  let off = 0;
  while (off < length) {
    off += 4;
    if (!p.has(at + off, 1)) break;
    const plen = p.d[at + off];
    if (plen > max) return false;
    off += 1 + ((plen + 7) >> 3);
  }
  if (off > length) return false;
  for (off = 0; off < length;) {
    if (!p.has(at + off, 1)) break;
    const plen = p.d[at + off];
    if (plen < 1 || plen > max) return true;
    off += 1 + ((plen + 7) >> 3);
  }
  return off > length;
}

/** A next hop for this AFI/SAFI; returns the bytes it took (tcpdump's MP_REACH cases). */
export function nextHop(p: Pkt, afsafi: number, t: number, left: number): number {
  const need = (n: number): boolean => {
    if (left >= n) return true;
    p.out += "invalid len";
    return false;
  };
  switch (afsafi) {
    case 0x101:
    case 0x102:
    case 0x103:
    case 0x104:
    case 0x184:
    case 0x105:
    case 0x142:
    case 0x1941:
    case 0xc480:
    case 0xc481:
    case 0xc482:
      if (!need(4)) return left;
      p.out += p.ip4(t);
      return 4;
    case 0x180:
    case 0x181:
    case 0x182:
      if (!need(12)) return left;
      p.out += `RD: ${rdText(p, t)}, ${p.ip4(t + 8)}`;
      return 12;
    case 0x201:
    case 0x202:
    case 0x203:
    case 0x204:
      if (!need(16)) return left;
      p.out += p.ip6(t);
      return 16;
    case 0x280:
    case 0x281:
    case 0x282:
      if (!need(24)) return left;
      p.out += `RD: ${rdText(p, t)}, ${p.ip6(t + 8)}`;
      return 24;
    case 0x301:
    case 0x302:
    case 0x303:
      p.need(t, left);
      addrBuf.set(p.d.subarray(t, t + Math.min(left, 20)));
      p.out += nsapText(left);
      return left;
    case 0x380:
    case 0x381:
    case 0x382:
      if (!need(9)) return left;
      if (!p.has(t, left)) throw BGP_CUT;
      addrBuf.set(p.d.subarray(t + 8, t + 8 + Math.min(left - 8, 20)));
      p.out += `RD: ${rdText(p, t)}, ${nsapText(left - 8)}`;
      if (p.u32(t + 8) === 0x47000601) p.out += ` = ${p.ip4(t + 12)}`;
      else if (((p.u8(t + 8) << 16) | p.u16(t + 9)) === 0x350000) p.out += ` = ${p.ip6(t + 11)}`;
      return left;
  }
  return left;
}

/**
 * The AFI/SAFI line of MP reach/unreach: the pair, or -1 when tcpdump has no decoder for it
 * (then it dumped the attribute).
 */
export function mpAf(p: Pkt, t: number, tlen: number): number {
  const af = p.u16(t);
  const safi = p.u8(t + 2);
  p.out += `\n\t    AFI: ${ADDRESS_FAMILIES[af] ?? "Unknown AFI"} (${af}), ${
    safi > 128 ? "vendor specific " : ""
  }SAFI: ${SAFIS[safi] ?? "Unknown SAFI"} (${safi})`;
  const pair = (af << 8) | safi;
  if (KNOWN_AF.has(pair)) return pair;
  if (!p.has(t, tlen)) throw BGP_CUT;
  p.out += `\n\t    no AFI ${af} / SAFI ${safi} decoder`;
  if (p.verbosity <= 1) unknownData(p, t, tlen, "\n\t    ");
  return -1;
}

/** NLRI from `t` to the attribute's end. */
export function nlris(p: Pkt, pair: number, t: number, at: number, len: number): void {
  const ap4 = addPath(p, t, len - (t - at), 32);
  const ap6 = addPath(p, t, len - (t - at), 128);
  while (t < at + len) {
    const rc = nlri(p, pair, t, len, ap4, ap6);
    if (rc === -2) throw BGP_CUT;
    if (rc < 0) break;
    t += rc;
  }
}
