/**
 * The MPTCP option of TCP (RFC 6824 / 8684; tcpdump's print-mptcp.c).
 *
 * @module
 */
import { hexBytes, type Pkt } from "./printer.ts";

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
export function mptcp(p: Pkt, cp: number, len: number, flags: number): boolean {
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
