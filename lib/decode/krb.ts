/**
 * Kerberos (tcpdump's print-krb.c) on UDP ports 88 and 750: the protocol version, and for
 * Kerberos 4 the message type and principal names. Kerberos 5 is only named (` v5`), as tcpdump
 * leaves its ASN.1 undecoded.
 *
 * @module
 */
import { charText, tok, toks } from "./text.ts";
import { CUT, type IpInfo, type Pkt } from "./printer.ts";

const TYPES = toks(
  "2=KDC_REQUEST|4=KDC_REPLY|6=APPL_REQUEST|8=APPL_REQUEST_MUTUAL|10=ERR_REPLY|12=PRIVATE|" +
    "14=SAFE|16=APPL_ERR|126=DIE",
);
const ERRORS = toks(
  "0=OK|1=NAME_EXP|2=SERVICE_EXP|3=AUTH_EXP|4=PKT_VER|5=NAME_MAST_KEY_VER|" +
    "6=SERV_MAST_KEY_VER|7=BYTE_ORDER|8=PRINCIPAL_UNKNOWN|9=PRINCIPAL_NOT_UNIQUE|10=NULL_KEY",
);

/** tcpdump's c_print: a NUL-terminated string; the offset past it, or -1 when cut. */
function cString(p: Pkt, s: number): number {
  while (s < p.end) {
    const c = p.u8(s++);
    if (c === 0) return s;
    p.out += charText(c);
  }
  return -1;
}

/** name.instance@realm after the 2-byte header; the offset past it, or -1. */
function principal(p: Pkt, cp: number): number {
  cp = cString(p, cp + 2);
  if (cp < 0) return -1;
  p.out += ".";
  cp = cString(p, cp);
  if (cp < 0) return -1;
  p.out += "@";
  return cString(p, cp);
}

function krb4(p: Pkt, off: number): void {
  const t = p.u8(off + 1);
  const le = (t & 1) !== 0;
  const type = t & 0xfe;
  const u16 = (at: number) => le ? p.u8(at) | (p.u8(at + 1) << 8) : p.u16(at);
  p.out += ` ${le ? "le" : "be"} ${tok(TYPES, type, "#%d")}: `;
  let cp = off;
  switch (type) {
    case 2:
      if ((cp = principal(p, cp)) < 0) break;
      cp += 4;
      p.out += ` ${p.u8(cp) * 5}min `;
      if ((cp = cString(p, cp + 1)) < 0) break;
      p.out += ".";
      if ((cp = cString(p, cp)) < 0) break;
      return;
    case 6:
      p.out += `v${p.u8(cp + 2)} `;
      if ((cp = cString(p, cp + 3)) < 0) break;
      p.out += ` (${p.u8(cp)})`;
      p.out += ` (${p.u8(cp + 1)})`;
      return;
    case 4:
      if ((cp = principal(p, cp)) < 0) break;
      p.out += ` (${u16(cp + 10)})`;
      return;
    case 10:
      if ((cp = principal(p, cp)) < 0) break;
      p.out += ` ${tok(ERRORS, u16(cp + 4), "#%d")} `;
      if (cString(p, cp + 8) < 0) break;
      return;
    default:
      p.out += "(unknown)";
      return;
  }
  p.out += " [|krb]";
}

/** Kerberos on UDP 88 (and 750). */
export function krb(p: Pkt, off: number, _length: number, _info: IpInfo): void {
  p.proto = "krb";
  if (off >= p.end) throw CUT;
  const pvno = p.u8(off);
  if (pvno >= 1 && pvno <= 4) p.out += ` v${pvno}`;
  if (pvno === 4) krb4(p, off);
  else if (pvno === 106 || pvno === 107) p.out += " v5";
}
