/**
 * Babel (tcpdump's print-babel.c; RFC 8966, HMAC and source-specific extensions), on UDP port
 * 6696 (and the old 6697): the TLV names in one line, and at -v each TLV on a line of its own
 * with its fields, prefixes and sub-TLVs.
 *
 * @module
 */
import { formatIp6, type Pkt } from "./printer.ts";

/** A Babel message in which tcpdump found what it calls invalid (it prints " (invalid)"). */
class Invalid {}
const INVALID = new Invalid();

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

// Scratch buffers of one message: the prefix just decoded, a source prefix, and the last
// prefixes updates set as the default for those that omit their first bytes.
const prefix = new Uint8Array(16);
const srcPrefix = new Uint8Array(16);
const lastV4 = new Uint8Array(16);
const lastV6 = new Uint8Array(16);

/** Babel (tcpdump's babel_print). */
export function babel(p: Pkt, off: number, length: number): void {
  p.proto = "babel";
  p.out += "babel";
  p.check(off, 4);
  if (p.d[off] !== 42) {
    p.out += " invalid header";
    return;
  }
  const version = p.d[off + 1];
  p.out += ` ${version}`;
  if (version !== 2) {
    p.out += " unknown version";
    return;
  }
  try {
    if (length < 4) throw INVALID;
    const bodyLen = p.u16(off + 2);
    p.out += ` (${bodyLen})`;
    length -= 4;
    off += 4;
    if (length < bodyLen) throw INVALID;
    tlvs(p, off, bodyLen, length);
    length -= bodyLen;
    off += bodyLen;
    if (length !== 0) {
      p.out += p.verbose ? "\n\t----" : " |";
      tlvs(p, off, length, length);
    }
  } catch (e) {
    if (e !== INVALID) throw e;
    p.out += " (invalid)";
  }
}

/** "%02x:..." of the 8-byte router id at `at`. */
function routerId(p: Pkt, at: number): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += (i ? ":" : "") + p.u8(at + i).toString(16).padStart(2, "0");
  return s;
}

function interval(i: number): string {
  return i === 0 ? "0.0s (bogus)" : `${Math.floor(i / 100)}.${String(i % 100).padStart(2, "0")}s`;
}

function intervalUpdate(i: number): string {
  return i === 0xffff ? "infinity" : interval(i);
}

function timestamp(t: number): string {
  return `${Math.floor(t / 1000000)}.${String(t % 1000000).padStart(6, "0")}s`;
}

/** Whether the first 12 bytes of `a` are the IPv4-mapped prefix. */
function isV4(a: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (a[i] !== V4_PREFIX[i]) return false;
  return true;
}

function v4Text(a: Uint8Array): string {
  return `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
}

/** tcpdump's format_prefix: `plen` is a byte (so +96 wraps, as in tcpdump). */
function prefixText(a: Uint8Array, plen: number): string {
  if (plen >= 96 && isV4(a)) return `${v4Text(a)}/${plen - 96}`;
  return `${formatIp6(a)}/${plen}`;
}

function addressText(a: Uint8Array): string {
  return isV4(a) ? v4Text(a) : formatIp6(a);
}

/**
 * tcpdump's network_prefix: decodes a prefix of address encoding `ae` into `out`, the first
 * `omitted` bytes from `dflt`; returns the bytes it took from the packet, or -1.
 */
function networkPrefix(
  p: Pkt,
  ae: number,
  plen: number,
  omitted: number,
  at: number,
  dflt: Uint8Array | null,
  len: number,
  out: Uint8Array,
): number {
  const pb = plen >= 0 ? (plen + 7) >> 3 : ae === 1 ? 4 : 16;
  if (pb > 16) return -1;
  out.fill(0);
  let consumed = 0;
  switch (ae) {
    case 0:
      break;
    case 1:
    case 2: {
      // IPv4 sits in the last 4 bytes of the IPv4-mapped IPv6 address.
      const base = ae === 1 ? 12 : 0;
      const size = ae === 1 ? 4 : 16;
      if (omitted > size || pb > size || (pb > omitted && len < pb - omitted)) return -1;
      if (ae === 1) out.set(V4_PREFIX);
      if (omitted) {
        if (dflt === null) return -1;
        out.set(dflt.subarray(0, base + omitted));
      }
      if (pb > omitted) {
        consumed = pb - omitted;
        out.set(p.d.subarray(at, at + consumed), base + omitted);
      }
      break;
    }
    case 3:
      if (pb > 8 && len < pb - 8) return -1;
      out[0] = 0xfe;
      out[1] = 0x80;
      if (pb > 8) {
        consumed = pb - 8;
        out.set(p.d.subarray(at, at + consumed), 8);
      }
      break;
    default:
      return -1;
  }
  return consumed;
}

/** A prefix as tcpdump's network_prefix takes it, or "invalid". */
function takePrefix(...args: Parameters<typeof networkPrefix>): number {
  const rc = networkPrefix(...args);
  if (rc < 0) throw INVALID;
  return rc;
}

/** Sub-TLVs from `cp` to `ep` of a TLV of `type`; invalid ones end them, not the message. */
function subTlvs(p: Pkt, cp: number, ep: number, type: number): void {
  while (cp < ep) {
    const st = p.u8(cp++);
    if (st === 0) {
      p.out += " sub-pad1";
      continue;
    }
    if (st & 0x80) p.out += " (M)";
    if (cp === ep) return subInvalid(p);
    let sl = p.u8(cp++);
    if (cp + sl > ep) return subInvalid(p);
    switch (st) {
      case 1:
        p.out += " sub-padn";
        cp += sl;
        break;
      case 2: {
        p.out += " sub-diversity";
        if (sl === 0) {
          p.out += " empty";
          break;
        }
        let sep = " ";
        for (; sl; sl--) {
          const c = p.u8(cp++);
          p.out += sep + (c === 0 ? "reserved" : c === 255 ? "all" : `${c}`);
          sep = "-";
        }
        if (type !== 8 && type !== 13) p.out += " (bogus)";
        break;
      }
      case 3:
        p.out += " sub-timestamp";
        if (type === 4) {
          if (sl < 4) return subInvalid(p);
          p.out += ` ${timestamp(p.u32(cp))}`;
        } else if (type === 5) {
          if (sl < 8) return subInvalid(p);
          p.out += ` ${timestamp(p.u32(cp))}`;
          p.out += `|${timestamp(p.u32(cp + 4))}`;
        } else {
          p.out += " (bogus)";
        }
        cp += sl;
        break;
      default:
        p.out += ` sub-unknown-0x${st.toString(16).padStart(2, "0")}`;
        cp += sl;
    }
  }
}

function subInvalid(p: Pkt): void {
  p.out += " (invalid)";
}

const NAMES = [
  "",
  "",
  "ack-req",
  "ack",
  "hello",
  "ihu",
  "router-id",
  "nh",
  "update",
  "route-request",
  "seqno-request",
  "tspc",
  "hmac",
  "ss-update",
  "ss-request",
  "ss-mh-request",
  "mac",
  "pc",
  "challenge_request",
  "challenge_reply",
];

/** The TLVs of a body or trailer (tcpdump's babel_print_v2_tlvs). */
function tlvs(p: Pkt, cp: number, tlvsLen: number, remaining: number): void {
  lastV4.fill(0);
  lastV4.set(V4_PREFIX);
  lastV6.fill(0);
  const icheck = (i: number, l: number) => {
    if (i + l > tlvsLen || i + l > remaining) throw INVALID;
  };
  for (let i = 0; i < tlvsLen;) {
    const m = cp + i;
    icheck(i, 1);
    const type = p.u8(m);
    if (type === 0) {
      p.out += p.verbose ? "\n\tPad 1" : " pad1";
      i += 1;
      continue;
    }
    icheck(i, 2);
    p.check(m, 2);
    const len = p.d[m + 1];
    icheck(i, 2 + len);
    p.check(m, 2 + len);
    if (!p.verbose) {
      if (type === 1) p.out += " padN";
      else if (type === 8) {
        p.out += " update";
        if (len < 10) throw INVALID;
        p.out += updateFlags(p.u8(m + 3));
      } else p.out += ` ${NAMES[type] || "unknown"}`;
    } else {
      tlvVerbose(p, m, type, len);
    }
    i += len + 2;
  }
}

function updateFlags(f: number): string {
  return `${f & 0x80 ? "/prefix" : ""}${f & 0x40 ? "/id" : ""}${f & 0x3f ? "/unknown" : ""}`;
}

/** One TLV at -v, on its own line. */
function tlvVerbose(p: Pkt, m: number, type: number, len: number): void {
  switch (type) {
    case 1:
      p.out += `\n\tPad ${len + 2}`;
      return;
    case 2:
      p.out += "\n\tAcknowledgment Request ";
      if (len < 6) throw INVALID;
      p.out += `${p.u16(m + 4).toString(16).padStart(4, "0")} ${interval(p.u16(m + 6))}`;
      return;
    case 3:
      p.out += "\n\tAcknowledgment ";
      if (len < 2) throw INVALID;
      p.out += p.u16(m + 2).toString(16).padStart(4, "0");
      return;
    case 4: {
      p.out += "\n\tHello ";
      if (len < 6) throw INVALID;
      const unicast = p.u16(m + 2) & 0x8000;
      const seqno = p.u16(m + 4);
      const intvl = p.u16(m + 6);
      if (unicast) p.out += "(Unicast) ";
      p.out += `seqno ${seqno} `;
      p.out += intvl !== 0 ? `interval ${interval(intvl)}` : "unscheduled";
      if (len > 6) subTlvs(p, m + 8, m + 2 + len, type);
      return;
    }
    case 5: {
      p.out += "\n\tIHU ";
      if (len < 6) throw INVALID;
      const rxcost = p.u16(m + 4);
      const intvl = p.u16(m + 6);
      const ae = p.u8(m + 2);
      const rc = networkPrefix(p, ae, -1, 0, m + 8, null, len - 6, prefix);
      if (rc < 0) {
        // tcpdump says the packet is cut, and goes on with the next TLV.
        p.trunc();
        return;
      }
      p.out += `${ae === 0 ? "any" : addressText(prefix)} rxcost ${rxcost} interval ${
        interval(intvl)
      }`;
      if (rc < len - 6) subTlvs(p, m + 8 + rc, m + 2 + len, type);
      return;
    }
    case 6:
      p.out += "\n\tRouter Id";
      if (len < 10) throw INVALID;
      p.out += ` ${routerId(p, m + 4)}`;
      return;
    case 7: {
      p.out += "\n\tNext Hop";
      if (len < 2) throw INVALID;
      const ae = p.u8(m + 2);
      takePrefix(p, ae, -1, 0, m + 4, null, len - 2, prefix);
      p.out += ` ${ae === 0 ? "invalid AE 0" : addressText(prefix)}`;
      return;
    }
    case 8: {
      p.out += "\n\tUpdate";
      if (len < 10) throw INVALID;
      const ae = p.u8(m + 2);
      const flags = p.u8(m + 3);
      const plen = (p.u8(m + 4) + (ae === 1 ? 96 : 0)) & 0xff;
      const rc = takePrefix(
        p,
        ae,
        p.u8(m + 4),
        p.u8(m + 5),
        m + 12,
        ae === 1 ? lastV4 : lastV6,
        len - 10,
        prefix,
      );
      p.out += `${updateFlags(flags)} ${ae === 0 ? "any" : prefixText(prefix, plen)} metric ${
        p.u16(m + 10)
      } seqno ${p.u16(m + 8)} interval ${intervalUpdate(p.u16(m + 6))}`;
      if (flags & 0x80) (ae === 1 ? lastV4 : lastV6).set(prefix);
      if (rc < len - 10) subTlvs(p, m + 12 + rc, m + 2 + len, type);
      return;
    }
    case 9: {
      p.out += "\n\tRoute Request ";
      if (len < 2) throw INVALID;
      const ae = p.u8(m + 2);
      const plen = (p.u8(m + 3) + (ae === 1 ? 96 : 0)) & 0xff;
      takePrefix(p, ae, p.u8(m + 3), 0, m + 4, null, len - 2, prefix);
      p.out += `for ${ae === 0 ? "any" : prefixText(prefix, plen)}`;
      return;
    }
    case 10: {
      p.out += "\n\tSeqno Request ";
      if (len < 14) throw INVALID;
      const ae = p.u8(m + 2);
      const seqno = p.u16(m + 4);
      takePrefix(p, ae, p.u8(m + 3), 0, m + 16, null, len - 14, prefix);
      const plen = (p.u8(m + 3) + (ae === 1 ? 96 : 0)) & 0xff;
      p.out += `(${p.u8(m + 6)} hops) for ${
        ae === 0 ? "invalid AE 0" : prefixText(prefix, plen)
      } seqno ${seqno} id ${routerId(p, m + 8)}`;
      return;
    }
    case 11:
      p.out += "\n\tTS/PC ";
      if (len < 6) throw INVALID;
      p.out += `timestamp ${p.u32(m + 4)} packetcounter ${p.u16(m + 2)}`;
      return;
    case 12: {
      p.out += "\n\tHMAC ";
      if (len < 18) throw INVALID;
      p.out += `key-id ${p.u16(m + 2)} digest-${len - 2} `;
      for (let j = 0; j < len - 2; j++) {
        p.out += p.u8(m + 4 + j).toString(16).padStart(2, "0").toUpperCase();
      }
      return;
    }
    case 13:
      ssUpdate(p, m, len);
      return;
    case 14: {
      p.out += "\n\tSS-Request ";
      if (len < 3) throw INVALID;
      const ae = p.u8(m + 2);
      sourceSpecific(p, m, len, ae, p.u8(m + 3), p.u8(m + 4), 3, 0, null);
      p.out += ae === 0 ? "for any" : `for (${destText}, `;
      if (ae !== 0) p.out += `${srcText})`;
      return;
    }
    case 15: {
      p.out += "\n\tSS-MH-Request ";
      if (len < 14) throw INVALID;
      const seqno = p.u16(m + 4);
      const hopc = p.u8(m + 6);
      sourceSpecific(p, m, len, p.u8(m + 2), p.u8(m + 3), p.u8(m + 7), 14, 0, null);
      p.out += `(${hopc} hops) for (${destText}, `;
      p.out += `${srcText}) seqno ${seqno} id ${routerId(p, m + 8)}`;
      return;
    }
    case 16:
      p.out += "\n\tMAC ";
      p.out += `len ${len}`;
      return;
    case 17:
      p.out += "\n\tPC";
      if (len < 4) throw INVALID;
      p.out += ` value ${p.u32(m + 2)}`;
      p.out += ` index len ${len - 4}`;
      return;
    case 18:
    case 19:
      p.out += type === 18 ? "\n\tChallenge Request" : "\n\tChallenge Reply";
      if (len > 192) throw INVALID;
      p.out += ` len ${len}`;
      return;
    default:
      p.out += `\n\tUnknown message type ${type}`;
  }
}

/** The texts of the two prefixes {@link sourceSpecific} decoded. */
let destText = "";
let srcText = "";

/**
 * The destination and source prefixes of a source-specific TLV, from `parsed` bytes past its
 * type and length: their texts in {@link destText} and {@link srcText}; the bytes parsed.
 */
function sourceSpecific(
  p: Pkt,
  m: number,
  len: number,
  ae: number,
  plen: number,
  srcPlen: number,
  parsed: number,
  omitted: number,
  dflt: Uint8Array | null,
): number {
  parsed += takePrefix(p, ae, plen, omitted, m + 2 + parsed, dflt, len - parsed, prefix);
  parsed += takePrefix(p, ae, srcPlen, 0, m + 2 + parsed, null, len - parsed, srcPrefix);
  // Prefix lengths are bytes in tcpdump: +96 for IPv4 wraps.
  destText = prefixText(prefix, ae === 1 ? (plen + 96) & 0xff : plen);
  srcText = prefixText(srcPrefix, ae === 1 ? (srcPlen + 96) & 0xff : srcPlen);
  return parsed;
}

/** A source-specific update (type 13) at -v. */
function ssUpdate(p: Pkt, m: number, len: number): void {
  p.out += "\n\tSS-Update";
  if (len < 10) throw INVALID;
  const ae = p.u8(m + 2);
  const intvl = p.u16(m + 6);
  const seqno = p.u16(m + 8);
  const metric = p.u16(m + 10);
  const dflt = ae === 1 ? lastV4 : lastV6;
  const parsed = sourceSpecific(p, m, len, ae, p.u8(m + 4), p.u8(m + 3), 10, p.u8(m + 5), dflt);
  p.out += ` ${destText} from`;
  p.out += ` ${srcText} metric ${metric} seqno ${seqno} interval ${intervalUpdate(intvl)}`;
  if (parsed < len) subTlvs(p, m + 2 + parsed, m + 2 + len, 13);
}
