/**
 * ISAKMP, IKEv1 and IKEv2 (tcpdump's print-isakmp.c) on UDP 500 (also 7500, 8500), and UDP 4500
 * with NAT traversal (RFC 3948): `NONESP-encap:` IKE, `UDP-encap:` ESP, keep-alives. The line
 * names the phase, the side (initiator or responder, from the initiator cookies a capture has
 * seen, as tcpdump remembers them) and the exchange; -v adds the payloads on lines of their
 * own, -vv the cookies, -vvv payload bytes in hex. IKEv2 payloads are in ikev2.ts.
 *
 * @module
 */
import {
  AH_IDS,
  attrs,
  ESP_IDS,
  IPCOMP_IDS,
  IPSEC_ATTRS,
  npName,
  NULL,
  OAKLEY_ATTRS,
  protoName,
  raw,
  someData,
  strOrId,
} from "./ike.ts";
import { v2Payload } from "./ikev2.ts";
import { CUT, hex2, type IpInfo, type Pkt } from "./printer.ts";
import { charText } from "./text.ts";

/** Transform id names per protocol id of a v1 proposal (ISAKMP, AH, ESP, IPComp). */
const TRANSFORM_IDS = [null, [null, "ike"], AH_IDS, ESP_IDS, IPCOMP_IDS];

const EXCHANGES: (string | null)[] = [
  "none",
  "base",
  "ident",
  "auth",
  "agg",
  "inf",
  ...Array(26).fill(null),
  "oakley-quick",
  "oakley-newgroup",
  "ikev2_init",
  "ikev2_auth",
  "child_sa",
  "inf2",
];
const ID_TYPES = [
  null,
  "IPv4",
  "FQDN",
  "user FQDN",
  "IPv4net",
  "IPv6",
  "IPv6net",
  "IPv4range",
  "IPv6range",
  "ASN1 DN",
  "ASN1 GN",
  "keyid",
];
const CERT_TYPES = [
  "none",
  "pkcs7",
  "pgp",
  "dns",
  "x509sign",
  "x509ke",
  "kerberos",
  "crl",
  "arl",
  "spki",
  "x509attr",
];
const NOTIFY_ERRORS = (
  "|INVALID-PAYLOAD-TYPE|DOI-NOT-SUPPORTED|SITUATION-NOT-SUPPORTED|INVALID-COOKIE|" +
  "INVALID-MAJOR-VERSION|INVALID-MINOR-VERSION|INVALID-EXCHANGE-TYPE|INVALID-FLAGS|" +
  "INVALID-MESSAGE-ID|INVALID-PROTOCOL-ID|INVALID-SPI|INVALID-TRANSFORM-ID|" +
  "ATTRIBUTES-NOT-SUPPORTED|NO-PROPOSAL-CHOSEN|BAD-PROPOSAL-SYNTAX|PAYLOAD-MALFORMED|" +
  "INVALID-KEY-INFORMATION|INVALID-ID-INFORMATION|INVALID-CERT-ENCODING|INVALID-CERTIFICATE|" +
  "CERT-TYPE-UNSUPPORTED|INVALID-CERT-AUTHORITY|INVALID-HASH-INFORMATION|" +
  "AUTHENTICATION-FAILED|INVALID-SIGNATURE|ADDRESS-NOTIFICATION|NOTIFY-SA-LIFETIME|" +
  "CERTIFICATE-UNAVAILABLE|UNSUPPORTED-EXCHANGE-TYPE|UNEQUAL-PAYLOAD-LENGTHS"
).split("|");

/** The initiator cookies of one capture (tcpdump's cookiecache of 20), per Decoder. */
class Cookies {
  readonly cookie = new Uint8Array(20 * 8);
  readonly version = new Uint8Array(20);
  readonly iaddr = new Uint8Array(20 * 16);
  readonly raddr = new Uint8Array(20 * 16);
  next = 0;

  find(d: Uint8Array, at: number): number {
    for (let i = 0; i < 20; i++) {
      let k = 0;
      while (k < 8 && this.cookie[i * 8 + k] === d[at + k]) k++;
      if (k === 8) return i;
    }
    return -1;
  }

  record(d: Uint8Array, at: number, info: IpInfo): void {
    const i = this.find(d, at);
    if (i >= 0) {
      this.next = (i + 1) % 20;
      return;
    }
    const n = this.next;
    const len = info.v6 ? 16 : 4;
    const src = info.at + (info.v6 ? 8 : 12);
    this.version[n] = info.v6 ? 6 : 4;
    this.iaddr.set(d.subarray(src, src + len), n * 16);
    this.raddr.set(d.subarray(src + len, src + 2 * len), n * 16);
    this.cookie.set(d.subarray(at, at + 8), n * 8);
    this.next = (n + 1) % 20;
  }

  /** Whether the datagram's source is entry `i`'s initiator (or responder). */
  side(i: number, d: Uint8Array, info: IpInfo, initiator: boolean): boolean {
    if (this.version[i] !== (info.v6 ? 6 : 4)) return false;
    const len = info.v6 ? 16 : 4;
    const src = info.at + (info.v6 ? 8 : 12);
    const table = initiator ? this.iaddr : this.raddr;
    for (let k = 0; k < len; k++) if (table[i * 16 + k] !== d[src + k]) return false;
    return true;
  }
}
const cookieTables = new WeakMap<Pkt, Cookies>();

/** ` [|name]` for a payload that ran out, and NULL. */
function cut(p: Pkt, np: number): number {
  p.out += ` [|${npName(np)}]`;
  return NULL;
}

/** `len=N` (with `prefix`) and the bytes at -vvv: IKEv1's hash, sig, vid, ke payloads. */
function lenOnly(p: Pkt, np: number, ext: number, len: number, prefix = ""): number {
  if (!p.has(ext, 4)) return cut(p, np);
  p.out += ` ${prefix}len=${len - 4}`;
  if (p.verbosity > 2 && len > 4) {
    p.out += " ";
    if (!raw(p, ext + 4, len - 4)) return cut(p, np);
  }
  return ext + len;
}

/** An IKEv1 payload (tcpdump's npfunc for 1-13); `proto` is the proposal's, for transforms. */
function v1Payload(
  p: Pkt,
  np: number,
  ext: number,
  len: number,
  phase: number,
  proto: number,
  depth: number,
): number {
  p.out += `${npName(np)}:`;
  switch (np) {
    case 1: {
      if (!p.has(ext, 12)) return cut(p, 1);
      const doi = p.u32(ext + 4);
      const sit = p.u32(ext + 8);
      if (doi !== 1) {
        p.out += ` doi=${doi} situation=${sit}`;
        return ext + 12;
      }
      p.out += " doi=ipsec situation=";
      const names = [];
      if (sit & 1) names.push("identity");
      if (sit & 2) names.push("secrecy");
      if (sit & 4) names.push("integrity");
      p.out += names.join("+");
      let next = ext + 12;
      if (sit !== 1) {
        // tcpdump reads the "ident" where the DOI is.
        p.out += ` ident=${p.u32(ext + 4)}`;
        next += 4;
      }
      if (!p.has(next, 4)) return cut(p, 1);
      return v1Items(p, 2, next, phase, proto, depth);
    }
    case 2: {
      if (!p.has(ext, 8)) return cut(p, 2);
      const protoId = p.d[ext + 5];
      p.out += ` #${p.d[ext + 4]} protoid=${protoName(protoId)} transform=${p.d[ext + 7]}`;
      const spi = p.d[ext + 6];
      if (spi) {
        p.out += " spi=";
        if (!raw(p, ext + 8, spi)) return cut(p, 2);
      }
      if (!p.has(ext + 8 + spi, 4)) return cut(p, 2);
      return v1Items(p, 3, ext + 8 + spi, phase, protoId, depth);
    }
    case 3: {
      if (!p.has(ext, 8)) return cut(p, 3);
      const tid = p.d[ext + 5];
      const ids = TRANSFORM_IDS[proto] ?? null;
      p.out += ` #${p.d[ext + 4]} id=${ids ? strOrId(tid, ids) : tid} `;
      const map = proto === 1 ? OAKLEY_ATTRS : proto >= 2 && proto <= 4 ? IPSEC_ATTRS : null;
      const cp = attrs(p, ext + 8, ext + len, map);
      return cp === NULL ? cut(p, 3) : cp;
    }
    case 4:
      return lenOnly(p, np, ext, len, "key ");
    case 5:
      return v1Id(p, ext, len);
    case 6:
    case 7:
      if (!p.has(ext, 6)) return cut(p, np);
      p.out += ` len=${len - 4} type=${strOrId(p.d[ext + 4], CERT_TYPES)}`;
      if (p.verbosity > 2 && len > 4) {
        p.out += " ";
        if (!raw(p, ext + 4, len - 4)) return cut(p, np);
      }
      return ext + len;
    case 10:
      if (!p.has(ext, 4)) return cut(p, np);
      p.out += ` n len=${len - 4}`;
      if (len > 4 && p.verbosity > 1) {
        p.out += " ";
        if (p.verbosity > 2 ? !raw(p, ext + 4, len - 4) : !someData(p, ext + 4)) {
          return cut(p, np);
        }
      }
      return ext + len;
    case 11:
      return v1Notify(p, ext, len);
    case 12: {
      if (!p.has(ext, 12)) return cut(p, np);
      const doi = p.u32(ext + 4);
      const protoId = p.d[ext + 8];
      p.out += doi !== 1
        ? ` doi=${doi} proto=${protoId}`
        : ` doi=ipsec proto=${protoName(protoId)}`;
      const spi = p.d[ext + 9];
      const n = p.u16(ext + 10);
      p.out += ` spilen=${spi} nspi=${n} spi=`;
      let q = ext + 12;
      for (let i = 0; i < n; i++) {
        if (i !== 0) p.out += ",";
        if (!raw(p, q, spi)) return cut(p, np);
        q += spi;
      }
      return q;
    }
    default:
      return lenOnly(p, np, ext, len);
  }
}

function v1Id(p: Pkt, ext: number, itemLen: number): number {
  if (!p.has(ext, 8)) return cut(p, 5);
  let len = itemLen > 8 ? itemLen - 8 : 0;
  const data = ext + 8;
  const type = p.d[ext + 4];
  p.out += ` idtype=${strOrId(type, ID_TYPES)} protoid=${p.d[ext + 5]} port=${p.u16(ext + 6)}`;
  if (len) {
    if (!p.has(data, len)) return cut(p, 5);
    const need = [0, 4, 0, 0, 8, 16, 32, 8, 32][type] ?? 0;
    if (type >= 1 && type <= 8) {
      if (len < need) p.out += ` len=${len} [bad: < ${need}]`;
      else if (type === 1) p.out += ` len=${len} ${p.ip4(data)}`;
      else if (type === 2 || type === 3) {
        p.out += ` len=${len} `;
        for (let i = 0; i < len; i++) p.out += charText(p.d[data + i]);
      } else if (type === 4) {
        p.out += ` len=${len} ${p.ip4(data)}/${p.d[data + 4]}.${p.d[data + 5]}.${p.d[data + 6]}.${
          p.d[data + 7]
        }`;
      } else if (type === 5) p.out += ` len=${len} ${p.ip6(data)}`;
      else if (type === 6) {
        let mask = "";
        for (let i = 0; i < 16; i++) mask += hex2(p.d[data + 16 + i]);
        p.out += ` len=${len} ${p.ip6(data)}/0x${mask}`;
      } else if (type === 7) p.out += ` len=${len} ${p.ip4(data)}-${p.ip4(data + 4)}`;
      else p.out += ` len=${len} ${p.ip6(data)}-${p.ip6(data + 16)}`;
      len = 0;
    }
  }
  if (len) {
    p.out += ` len=${len}`;
    if (p.verbosity > 2) {
      p.out += " ";
      if (!raw(p, data, len)) return cut(p, 5);
    }
  }
  return ext + itemLen;
}

function v1Notify(p: Pkt, ext: number, len: number): number {
  if (!p.has(ext, 12)) return cut(p, 11);
  const doi = p.u32(ext + 4);
  const proto = p.d[ext + 8];
  const type = p.u16(ext + 10);
  const spi = p.d[ext + 9];
  p.out += doi !== 1 ? ` doi=${doi} proto=${proto}` : ` doi=ipsec proto=${protoName(proto)}`;
  let name = `#${type}`;
  if (type < 8192) name = strOrId(type, NOTIFY_ERRORS);
  else if (type >= 16384 && type < 24576) name = strOrId(type - 16384, ["CONNECTED"]);
  else if (doi === 1 && type < 16384) name = strOrId(type - 8192, ["RESERVED"]);
  else if (doi === 1 && type < 32768) {
    name = strOrId(type - 24576, ["RESPONDER-LIFETIME", "REPLAY-STATUS", "INITIAL-CONTACT"]);
  }
  p.out += ` type=${name}`;
  if (spi) {
    p.out += " spi=";
    if (!raw(p, ext + 12, spi)) return cut(p, 11);
  }
  if (doi !== 1) return ext + 12 + spi;
  const cp = ext + 12 + spi;
  if (cp < p.end) {
    if (type === 24576) {
      p.out += " attrs=(";
      const end = attrs(p, cp, ext + len, OAKLEY_ATTRS, false);
      p.out += ")";
      if (end === NULL) return cut(p, 11);
    } else if (type === 24577) {
      p.out += " status=(";
      p.out += `replay detection ${p.u32(cp) ? "en" : "dis"}abled)`;
    } else if (p.verbosity > 3) {
      p.out += " data=(";
      if (!raw(p, cp, p.end - cp)) return cut(p, 11);
      p.out += ")";
    } else if (!someData(p, cp)) return cut(p, 11);
  }
  return ext + len;
}

/**
 * One payload in parentheses (tcpdump's ike_sub0_print; `v2`: ikev2_sub0_print, which alone
 * decodes the encrypted payload).
 */
function payload(
  p: Pkt,
  np: number,
  ext: number,
  phase: number,
  proto: number,
  depth: number,
  v2: boolean,
): number {
  if (!p.has(ext, 4)) {
    p.out += " [|isakmp]";
    return NULL;
  }
  const len = p.u16(ext + 2);
  if (len <= 4) return NULL;
  if (np >= 1 && np <= 13) return v1Payload(p, np, ext, len, phase, proto, depth);
  if (np >= 33 && np <= 48 && (np !== 46 || v2)) return v2Payload(p, np, ext, len, depth);
  p.out += npName(np);
  return ext + len;
}

/** The chain of payloads from `ext`, each on a line at `depth` + 1 (ikev1/ikev2_sub_print). */
function v1Items(
  p: Pkt,
  np: number,
  ext: number,
  phase: number,
  proto: number,
  depth: number,
  v2 = false,
): number {
  let cp = ext;
  while (np) {
    if (!p.has(ext, 4) || !p.has(ext, p.u16(ext + 2))) return cut(p, np);
    p.out += `\n${"    ".repeat(depth + 1)}(`;
    cp = payload(p, np, ext, phase, proto, depth + 1, v2);
    p.out += ")";
    if (cp === NULL) return NULL;
    np = p.u8(ext);
    ext = cp;
  }
  return cp;
}

/** The ISAKMP message at `off` (tcpdump's isakmp_print). */
function isakmp(p: Pkt, off: number, length: number, info: IpInfo): void {
  p.proto = "isakmp";
  if (p.end < off + 28) throw CUT;
  p.out += "isakmp";
  const d = p.d;
  const major = d[off + 17] >> 4;
  if (p.verbose) {
    p.out += ` ${major}.${d[off + 17] & 0xf} msgid `;
    for (let i = 20; i < 24; i++) p.out += hex2(d[off + i]);
  }
  if (p.verbosity > 1) {
    p.out += " cookie ";
    for (let i = 0; i < 8; i++) p.out += hex2(d[off + i]);
    p.out += "->";
    for (let i = 8; i < 16; i++) p.out += hex2(d[off + i]);
  }
  p.out += ":";
  if (major !== 1 && major !== 2) return;
  const phase = p.u32(off + 20) === 0 ? 1 : 2;
  const flags = d[off + 19];
  if (major === 1) {
    p.out += phase === 1 ? " phase 1" : " phase 2/others";
    let cookies = cookieTables.get(p);
    if (cookies === undefined) cookieTables.set(p, cookies = new Cookies());
    const i = cookies.find(d, off);
    if (i < 0) {
      let zero = true;
      for (let k = 8; k < 16; k++) if (d[off + k]) zero = false;
      if (zero) {
        p.out += " I";
        cookies.record(d, off, info);
      } else p.out += " ?";
    } else if (cookies.side(i, d, info, true)) p.out += " I";
    else if (cookies.side(i, d, info, false)) p.out += " R";
    else p.out += " ?";
    p.out += ` ${strOrId(d[off + 18], EXCHANGES)}`;
    if (flags) p.out += `[${flags & 1 ? "E" : ""}${flags & 2 ? "C" : ""}]`;
  } else {
    p.out += phase === 1 ? " parent_sa" : " child_sa ";
    p.out += ` ${strOrId(d[off + 18], EXCHANGES)}`;
    if (flags) p.out += `[${flags & 8 ? "I" : ""}${flags & 16 ? "V" : ""}${flags & 32 ? "R" : ""}]`;
  }
  if (!p.verbose) return;
  p.out += ":";
  const np = d[off + 16];
  if (flags & 1) p.out += ` [encrypted ${npName(np)}]`;
  else v1Items(p, np, off + 28, phase, 0, 0, major === 2);
  const declared = p.u32(off + 24);
  if (declared !== length) p.out += ` (len mismatch: isakmp ${declared}/ip ${length})`;
}

/** UDP 500, 7500, 8500. */
export function isakmpUdp(p: Pkt, off: number, length: number, info: IpInfo): void {
  isakmp(p, off, length, info);
}

/** UDP 4500: IKE behind a zero marker, ESP, or a NAT keep-alive (RFC 3948). */
export function natTraversal(p: Pkt, off: number, length: number, info: IpInfo): void {
  p.proto = "isakmp_rfc3948";
  if (length === 1 && p.u8(off) === 0xff) {
    p.out += "isakmp-nat-keep-alive";
    return;
  }
  if (length < 4) throw CUT;
  if (p.u32(off) === 0) {
    p.out += "NONESP-encap: ";
    isakmp(p, off + 4, length - 4, info);
    return;
  }
  p.out += "UDP-encap: ";
  p.proto = "esp";
  if (off + 8 >= p.end) throw CUT;
  p.out += `ESP(spi=0x${p.u32(off).toString(16).padStart(8, "0")},seq=0x${
    p.u32(off + 4).toString(16)
  }), length ${length}`;
}
