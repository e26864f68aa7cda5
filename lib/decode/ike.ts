/**
 * What the ISAKMP/IKEv1 and IKEv2 printers share (tcpdump's print-isakmp.c): payload and
 * protocol names, hex of payload bytes, the data sample (`data=(...)`), and transform attributes
 * with their names.
 *
 * @module
 */
import { hex2, type Pkt } from "./printer.ts";

/** A payload printer's result where tcpdump's would return NULL. */
export const NULL = -1;

const NP_NAMES = (
  "none|sa|p|t|ke|id|cert|cr|hash|sig|nonce|n|d|vid|pay14|pay15|pay16|pay17|pay18|pay19|" +
  "pay20|pay21|pay22|pay23|pay24|pay25|pay26|pay27|pay28|pay29|pay30|pay31|pay32|v2sa|v2ke|" +
  "v2IDi|v2IDr|v2cert|v2cr|v2auth|v2nonce|v2n|v2d|v2vid|v2TSi|v2TSr|v2e|v2cp|v2eap"
).split("|");
const PROTO_IDS = ["", "isakmp", "ipsec-ah", "ipsec-esp", "ipcomp"];

/** tcpdump's STR_OR_ID: the name at `x` of `table`, or `#x`. */
export function strOrId(x: number, table: readonly (string | null)[]): string {
  const s = x < table.length ? table[x] : null;
  return s ? s : `#${x}`;
}

/** A payload type's name (`sa`, `v2n`, `#99`). */
export function npName(np: number): string {
  return strOrId(np, NP_NAMES);
}

/** A protocol id's name (`isakmp`, `ipsec-esp`). */
export function protoName(id: number): string {
  return strOrId(id, PROTO_IDS);
}

/** tcpdump's rawprint: `len` bytes in hex; false (nothing printed) when they are not all there. */
export function raw(p: Pkt, at: number, len: number): boolean {
  // A negative length is tcpdump's unsigned underflow: never all there.
  if (len < 0 || !p.has(at, len)) return false;
  for (let i = 0; i < len; i++) p.out += hex2(p.d[at + i]);
  return true;
}

/** tcpdump's ike_show_somedata: ` data=(` the first 10 bytes `...` the last 20 `)`. */
export function someData(p: Pkt, cp: number): boolean {
  const ep = p.end;
  let end = ep - 20;
  let elen = 20;
  const len = Math.min(ep - cp, 10);
  if (end < cp + len) {
    end = cp + len;
    elen = ep - end;
  }
  p.out += " data=(";
  if (!raw(p, cp, len)) return false;
  p.out += "...";
  if (elen && !raw(p, end, elen)) return false;
  p.out += ")";
  return true;
}

/** Transform ids of ESP (IKEv1 and IKEv2's encryption transforms), AH and IPComp. */
export const ESP_IDS = [
  null,
  "1des-iv64",
  "1des",
  "3des",
  "rc5",
  "idea",
  "cast",
  "blowfish",
  "3idea",
  "1des-iv32",
  "rc4",
  "null",
  "aes",
];
export const AH_IDS = [
  null,
  "(reserved)",
  "md5",
  "sha",
  "1des",
  "sha2-256",
  "sha2-384",
  "sha2-512",
];
export const IPCOMP_IDS = [null, "oui", "deflate", "lzs"];

/** An attribute map: per attribute type, its name, how many values are named, their names. */
export type AttrMap = readonly (readonly [string, number, readonly (string | null)[]] | null)[];

const GROUPS: (string | null)[] = [
  null,
  "modp768",
  "modp1024",
  "EC2N 2^155",
  "EC2N 2^185",
  "modp1536",
  "iana-grp06",
  "iana-grp07",
  "iana-grp08",
  "iana-grp09",
  "iana-grp10",
  "iana-grp11",
  "iana-grp12",
  "iana-grp13",
  "modp2048",
  "modp3072",
  "modp4096",
  "modp6144",
  "modp8192",
];
export { GROUPS as DH_GROUPS };

export const IPSEC_ATTRS: AttrMap = [
  null,
  ["lifetype", 3, [null, "sec", "kb"]],
  ["life", 0, []],
  ["group desc", 18, GROUPS],
  ["enc mode", 3, [null, "tunnel", "transport"]],
  ["auth", 5, [null, "hmac-md5", "hmac-sha1", "1des-mac", "keyed"]],
  ["keylen", 0, []],
  ["rounds", 0, []],
  ["dictsize", 0, []],
  ["privalg", 0, []],
];

export const OAKLEY_ATTRS: AttrMap = [
  null,
  ["enc", 8, [null, "1des", "idea", "blowfish", "rc5", "3des", "cast", "aes"]],
  ["hash", 7, [null, "md5", "sha1", "tiger", "sha2-256", "sha2-384", "sha2-512"]],
  ["auth", 6, [null, "preshared", "dss", "rsa sig", "rsa enc", "rsa enc revised"]],
  ["group desc", 18, GROUPS],
  ["group type", 4, [null, "MODP", "ECP", "EC2N"]],
  ["group prime", 0, []],
  ["group gen1", 0, []],
  ["group gen2", 0, []],
  ["group curve A", 0, []],
  ["group curve B", 0, []],
  ["lifetype", 3, [null, "sec", "kb"]],
  ["lifeduration", 0, []],
  ["prf", 0, []],
  ["keylen", 0, []],
  ["field", 0, []],
  ["order", 0, []],
];

export const ENCR_ATTRS: AttrMap = [...Array(14).fill(null), ["keylen", 14, []]];

/**
 * One transform attribute (tcpdump's ikev1_attrmap_print, or ikev1_attr_print without a map)
 * at `at`, the transform ending at `ep2`: `(type=enc value=aes)`. Returns the offset past it,
 * past `ep2` when it does not fit (`[|attr]`), or NULL when its value is not captured.
 */
export function attr(p: Pkt, at: number, ep2: number, map: AttrMap | null): number {
  const tv = (p.u8(at) & 0x80) !== 0;
  const total = tv ? 4 : 4 + p.u16(at + 2);
  if (ep2 < at + total) {
    p.out += "[|attr]";
    return ep2 + 1;
  }
  p.out += "(";
  const t = p.u16(at) & 0x7fff;
  const entry = map !== null && t < map.length ? map[t] : null;
  p.out += entry ? `type=${entry[0]} ` : `type=#${t} `;
  if (tv) {
    p.out += "value=";
    const v = p.u16(at + 2);
    const name = entry && v < entry[1] ? entry[2][v] : null;
    if (name) p.out += name;
    else if (!raw(p, at + 2, 2)) {
      p.out += ")";
      return NULL;
    }
  } else {
    p.out += `len=${total - 4} value=`;
    if (!raw(p, at + 4, total - 4)) {
      p.out += ")";
      return NULL;
    }
  }
  p.out += ")";
  return at + total;
}

/**
 * The attributes from `cp` to `ep2`; for a transform (`dots`) `...` when the capture ends
 * first.
 */
export function attrs(p: Pkt, cp: number, ep2: number, map: AttrMap | null, dots = true): number {
  while (cp < p.end && cp < ep2) {
    cp = attr(p, cp, ep2, map);
    if (cp === NULL) return NULL;
  }
  if (dots && p.end < ep2) p.out += "...";
  return cp;
}
