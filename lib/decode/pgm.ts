/**
 * PGM (IP protocol 113; tcpdump's print-pgm.c, RFC 3208): ports and length, and at -v the
 * global source id, each packet type's fields and the options.
 *
 * @module
 */
import { CUT, type IpInfo, type Pkt } from "./printer.ts";
import { transportAddrs } from "./transport.ts";

/** An NLA (address with its family, 1 or 2) at `at`, or null for another family. */
function nla(p: Pkt, afi: number, at: number): string | null {
  if (afi === 1) {
    p.check(at, 4);
    return p.ip4(at);
  }
  if (afi === 2) {
    p.check(at, 16);
    return p.ip6(at);
  }
  return null;
}

/** The size of an NLA of this family (tcpdump goes on only for 1 and 2). */
function nlaSize(afi: number): number {
  return afi === 1 ? 4 : 16;
}

/** PGM (tcpdump's pgm_print). */
export function pgm(p: Pkt, off: number, length: number, info: IpInfo): void {
  p.proto = "pgm";
  if (!p.has(off + 2, 2)) {
    p.out += `${info.src} > ${info.dst}:`;
    throw CUT;
  }
  p.out += transportAddrs(info, 113, p.u16(off), p.u16(off + 2));
  p.check(off, 16);
  p.out += `PGM, length ${p.u16(off + 14)}`;
  if (!p.verbose) return;
  const type = p.d[off + 4];
  let gsid = "";
  for (let i = 0; i < 6; i++) gsid += p.d[off + 8 + i].toString(16).padStart(2, "0");
  p.out += ` 0x${gsid} `;
  const b = off + 16;
  let bp = b;
  switch (type) {
    case 0: {
      p.check(b, 16);
      const a = nla(p, p.u16(b + 12), b + 16);
      if (a === null) throw CUT;
      bp = b + 16 + nlaSize(p.u16(b + 12));
      p.out += `SPM seq ${p.u32(b)} trail ${p.u32(b + 4)} lead ${p.u32(b + 8)} nla ${a}`;
      break;
    }
    case 1: {
      p.check(b, 12);
      const afi = p.u16(b + 8);
      const a = nla(p, afi, b + 12);
      if (a === null) throw CUT;
      bp = b + 12 + nlaSize(afi);
      const ivl = p.u32(bp);
      const rnd = p.u32(bp + 4);
      const mask = p.u32(bp + 8);
      bp += 12;
      p.out += `POLL seq ${p.u32(b)} round ${p.u16(b + 4)} nla ${a} ivl ${ivl} rnd 0x${
        hex8(rnd)
      } mask 0x${hex8(mask)}`;
      break;
    }
    case 2:
      p.check(b, 8);
      p.out += `POLR seq ${p.u32(b)} round ${p.u16(b + 4)}`;
      bp = b + 8;
      break;
    case 4:
    case 5:
      p.check(b, 8);
      p.out += `${type === 4 ? "ODATA" : "RDATA"} trail ${p.u32(b + 4)} seq ${p.u32(b)}`;
      bp = b + 8;
      break;
    case 8:
    case 9:
    case 10: {
      p.check(b, 8);
      const safi = p.u16(b + 4);
      const source = nla(p, safi, b + 8);
      if (source === null) throw CUT;
      // tcpdump skips the group's family field and takes the family from the address.
      bp = b + 8 + nlaSize(safi) + 4;
      const gafi = p.u16(bp);
      const group = nla(p, gafi, bp);
      if (group === null) throw CUT;
      bp += nlaSize(gafi);
      p.out += type === 8 ? "NAK " : type === 9 ? "NNAK " : "NCF ";
      p.out += `(${source} -> ${group}), seq ${p.u32(b)}`;
      break;
    }
    case 11:
      p.check(b, 8);
      p.out += `ACK seq ${p.u32(b)}`;
      bp = b + 8;
      break;
    case 12:
      p.out += "SPMR";
      break;
    default:
      p.out += `UNKNOWN type 0x${type.toString(16).padStart(2, "0")}`;
  }
  if (p.u8(off + 5) & 1 && !options(p, bp)) return;
  p.out += ` [${length}]`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** Fixed option lengths by type, and their text before the values. */
const FIXED: Record<number, number> = {
  0: 4,
  1: 16,
  3: 8,
  4: 12,
  5: 12,
  8: 8,
  9: 8,
  10: 8,
  11: 4,
  13: 4,
  14: 4,
  15: 4,
  17: 4,
};
const NAMES: Record<number, string> = {
  0: "OPT_LENGTH",
  1: "OPT_FRAGMENT",
  3: "OPT_JOIN",
  4: "OPT_NAK_BO_IVL",
  5: "OPT_NAK_BO_RNG",
  8: "OPT_PARITY_PRM",
  9: "OPT_PARITY_GRP",
  10: "OPT_CURR_TGSIZE",
  11: "OPT_NBR_UNREACH",
  13: "OPT_SYN",
  14: "OPT_FIN",
  15: "OPT_RST",
  17: "OPT_CRQST",
};

/** The options at `bp`; false where tcpdump stops the line without the length. */
function options(p: Pkt, bp: number): boolean {
  p.check(bp, 4);
  let t = p.u8(bp++);
  if ((t & 0x7f) !== 0) {
    p.out += `[First option bad, should be PGM_OPT_LENGTH, is ${t & 0x7f}]`;
    return false;
  }
  let l = p.u8(bp++);
  if (l !== 4) {
    p.out += `[Bad OPT_LENGTH option, length ${l} != 4]`;
    return false;
  }
  let total = p.u16(bp);
  bp += 2;
  if (total < 4) {
    p.out += `[Bad total option length ${total} < 4]`;
    return false;
  }
  p.out += ` OPTS LEN ${total}`;
  total -= 4;
  const noRoom = "[Total option length leaves no room for final option]";
  while (total) {
    if (total < 4) {
      p.out += noRoom;
      return false;
    }
    t = p.u8(bp++);
    l = p.u8(bp++);
    if (l < 4) {
      p.out += `[Bad option, length ${l} < 4]`;
      break;
    }
    if (total < l) {
      p.out += noRoom;
      return false;
    }
    p.check(bp, l - 2);
    const kind = t & 0x7f;
    const fixed = FIXED[kind];
    if (fixed !== undefined && l !== fixed) {
      p.out += `[Bad ${NAMES[kind]} option, length ${l} != ${fixed}]`;
      return false;
    }
    // Each case leaves `bp` where tcpdump's does (sometimes past the option) and takes from
    // `total` what tcpdump takes (sometimes less than the option).
    switch (kind) {
      case 0:
        p.out += ` OPTS LEN (extra?) ${p.u16(bp)}`;
        bp += 2;
        break;
      case 1:
        p.out += ` FRAG seq ${p.u32(bp + 2)} off ${p.u32(bp + 6)} len ${p.u32(bp + 10)}`;
        bp += 14;
        break;
      case 2: {
        bp += 2;
        let n = l - 4;
        p.out += " NAK LIST";
        while (n) {
          if (n < 4) {
            p.out += "[Option length not a multiple of 4]";
            return false;
          }
          p.out += ` ${p.u32(bp)}`;
          bp += 4;
          n -= 4;
          total = (total - 4) >>> 0;
        }
        if (t & 0x80) return true;
        continue;
      }
      case 3:
        p.out += ` JOIN ${p.u32(bp + 2)}`;
        bp += 6;
        break;
      case 4:
      case 5:
        p.out += kind === 4
          ? ` BACKOFF ivl ${p.u32(bp + 2)} ivlseq ${p.u32(bp + 6)}`
          : ` BACKOFF max ${p.u32(bp + 2)} min ${p.u32(bp + 6)}`;
        bp += 10;
        break;
      case 7:
      case 18:
      case 19: {
        const name = kind === 7
          ? "OPT_REDIRECT"
          : kind === 18
          ? "OPT_PGMCC_DATA"
          : "PGM_OPT_PGMCC_FEEDBACK";
        const head = kind === 7 ? 8 : 12;
        if (l < head) {
          p.out += `[Bad ${name} option, length ${l} < ${head}]`;
          return false;
        }
        bp += 2;
        let value = 0;
        if (kind !== 7) {
          value = p.u32(bp);
          bp += 4;
        }
        const afi = p.u16(bp);
        bp += 4;
        if (afi !== 1 && afi !== 2) throw CUT;
        if (l !== head + nlaSize(afi)) {
          p.out += `[Bad ${
            kind === 19 ? "OPT_PGMCC_FEEDBACK" : name
          } option, length ${l} != ${head} + address size]`;
          return false;
        }
        const a = nla(p, afi, bp);
        bp += nlaSize(afi);
        total -= head + nlaSize(afi);
        p.out += kind === 7
          ? ` REDIRECT ${a}`
          : ` PGMCC ${kind === 18 ? "DATA" : "FEEDBACK"} ${value} ${a}`;
        if (t & 0x80) return true;
        continue;
      }
      case 8:
        p.out += ` PARITY MAXTGS ${p.u32(bp + 2)}`;
        bp += 6;
        break;
      case 9:
        p.out += ` PARITY GROUP ${p.u32(bp + 2)}`;
        bp += 6;
        break;
      case 10:
        p.out += ` PARITY ATGS ${p.u32(bp + 2)}`;
        bp += 6;
        break;
      case 11:
      case 13:
      case 14:
      case 15:
      case 17:
        p.out += kind === 11
          ? " NBR_UNREACH"
          : kind === 13
          ? " SYN"
          : kind === 14
          ? " FIN"
          : kind === 15
          ? " RST"
          : " CRQST";
        bp += 2;
        break;
      case 12:
        p.out += ` PATH_NLA [${l}]`;
        bp += l;
        total -= l;
        if (t & 0x80) return true;
        continue;
      case 16:
        p.out += " CR";
        bp += l;
        total -= l;
        if (t & 0x80) return true;
        continue;
      default:
        p.out += ` OPT_${t.toString(16).padStart(2, "0").toUpperCase()} [${l}] `;
        bp += l;
        total -= l;
        if (t & 0x80) return true;
        continue;
    }
    total -= l;
    if (t & 0x80) break;
  }
  return true;
}
