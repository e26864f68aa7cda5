/**
 * IGMP (tcpdump's print-igmp.c): queries v1 to v3, reports, leaves, multicast traceroute, with
 * DVMRP (print-dvmrp.c) and PIM version 1 (pim.ts) inside, and at -v the checksum verdict and
 * IGMPv3's group records.
 *
 * @module
 */
import { pimv1 } from "./pim.ts";
import type { IpInfo, Pkt } from "./printer.ts";
import { relts } from "./text.ts";
import { finishSum, sumWords } from "./verbose.ts";

const V3_RECORDS = ["", "is_in", "is_ex", "to_in", "to_ex", "allow", "block"];

/** IGMP (IP protocol 2), over IPv4 only. */
export function igmp(p: Pkt, off: number, len: number, info: IpInfo): void {
  if (info.v6) {
    p.out += "[IGMP requires IPv4] (invalid)";
    return;
  }
  p.proto = "igmp";
  if (p.quiet) {
    // tcpdump -q names the protocol alone, before reading the type.
    p.out += "igmp";
    return;
  }
  const type = p.u8(off);
  switch (type) {
    case 0x11:
      p.out += "igmp query";
      if (len >= 12) {
        v3Query(p, off, len);
      } else {
        const mrt = p.u8(off + 1);
        if (mrt) {
          p.out += " v2";
          if (mrt !== 100) p.out += ` [max resp time ${mrt}]`;
        } else {
          p.out += " v1";
        }
        if (p.u32(off + 4)) p.out += ` [gaddr ${p.ip4(off + 4)}]`;
        if (len !== 8) p.out += ` [len ${len}]`;
      }
      break;
    case 0x12:
      p.out += `igmp v1 report ${p.ip4(off + 4)}`;
      if (len !== 8) p.out += ` [len ${len}]`;
      break;
    case 0x16:
      p.out += `igmp v2 report ${p.ip4(off + 4)}`;
      break;
    case 0x22:
      p.out += "igmp v3 report";
      v3Report(p, off, len);
      break;
    case 0x17:
      p.out += `igmp leave ${p.ip4(off + 4)}`;
      break;
    case 0x13:
      p.out += "igmp dvmrp";
      if (len < 8) p.out += ` [len ${len}]`;
      else dvmrp(p, off, len);
      break;
    case 0x14:
      p.out += "igmp pimv1";
      pimv1(p, off, len);
      break;
    case 0x1e:
      mtrace(p, "mresp", off, len);
      break;
    case 0x1f:
      mtrace(p, "mtrace", off, len);
      break;
    default:
      p.out += `igmp-${type}`;
  }
  if (p.verbose && len >= 4 && p.has(off, len) && finishSum(sumWords(p.d, off, len)) !== 0) {
    p.out += ` bad igmp cksum ${p.u16(off + 2).toString(16)}!`;
  }
}

function mtrace(p: Pkt, name: string, off: number, len: number): void {
  if (len < 8 + 16) {
    p.out += ` [invalid len ${len}]`;
    return;
  }
  const q = off + 8;
  p.out += `${name} ${(p.u8(q + 13) << 16) | p.u16(q + 14)}: ${p.ip4(q)} to ${p.ip4(q + 4)}` +
    ` reply-to ${p.ip4(q + 8)}`;
  if ((p.u32(q + 8) & 0xf0000000) >>> 0 === 0xe0000000) p.out += ` with-ttl ${p.u8(q + 12)}`;
}

function v3Report(p: Pkt, off: number, len: number): void {
  if (len < 16 || len & 3) {
    p.out += ` [invalid len ${len}]`;
    return;
  }
  const ngroups = p.u16(off + 6);
  p.out += `, ${ngroups} group record(s)`;
  if (!p.verbose) return;
  let group = 8;
  for (let i = 0; i < ngroups; i++) {
    if (len < group + 8) {
      p.out += " [invalid number of groups]";
      return;
    }
    p.out += ` [gaddr ${p.ip4(off + group + 4)}`;
    const t = p.u8(off + group);
    p.out += ` ${V3_RECORDS[t] || ` [v3-report-#${t}]`}`;
    const nsrcs = p.u16(off + group + 2);
    if (len < group + 8 + nsrcs * 4) {
      p.out += ` [invalid number of sources ${nsrcs}]`;
      return;
    }
    if (p.verbosity === 1) {
      p.out += `, ${nsrcs} source(s)`;
    } else {
      p.out += " {";
      for (let j = 0; j < nsrcs; j++) p.out += ` ${p.ip4(off + group + 8 + 4 * j)}`;
      p.out += " }";
    }
    group += 8 + nsrcs * 4;
    p.out += "]";
  }
}

function v3Query(p: Pkt, off: number, len: number): void {
  p.out += " v3";
  if (len < 12 || len & 3) {
    p.out += ` [invalid len ${len}]`;
    return;
  }
  const mrc = p.u8(off + 1);
  const mrt = mrc < 128 ? mrc : ((mrc & 0x0f) | 0x10) << (((mrc & 0x70) >> 4) + 3);
  if (mrc !== 100) {
    p.out += ` [max resp time ${
      mrt < 600 ? `${(mrt * 0.1).toFixed(1)}s` : relts(Math.floor(mrt / 10))
    }]`;
  }
  if (p.u32(off + 4) === 0) return;
  p.out += ` [gaddr ${p.ip4(off + 4)}`;
  const nsrcs = p.u16(off + 10);
  if (nsrcs > 0) {
    if (len < 12 + nsrcs * 4) {
      p.out += " [invalid number of sources]";
    } else if (p.verbosity > 1) {
      p.out += " {";
      for (let i = 0; i < nsrcs; i++) p.out += ` ${p.ip4(off + 12 + 4 * i)}`;
      p.out += " }";
    } else {
      p.out += `, ${nsrcs} source(s)`;
    }
  }
  p.out += "]";
}

const DVMRP_TYPES = [
  "",
  "Probe",
  "Report",
  "Ask-neighbors(old)",
  "Neighbors(old)",
  "Ask-neighbors2",
  "Neighbors2",
  "Prune",
  "Graft",
  "Graft-ACK",
];

/** DVMRP inside IGMP (tcpdump's dvmrp_print); `len` is at least 8. */
function dvmrp(p: Pkt, off: number, len: number): void {
  p.proto = "dvmrp";
  const type = p.u8(off + 1);
  let cp = off + 8;
  len -= 8;
  p.out += ` ${DVMRP_TYPES[type] || `[type ${type}]`}`;
  switch (type) {
    case 1:
      if (!p.verbose) return;
      if (len < 4) {
        p.out += ` [full length ${len} < 4] (invalid)`;
        return;
      }
      p.out += p.verbosity > 1 ? "\n\t" : " ";
      p.out += `genid ${p.u32(cp)}`;
      if (p.verbosity < 2) return;
      for (cp += 4, len -= 4; len > 0; cp += 4, len -= 4) {
        if (len < 4) {
          p.out += `[remaining length ${len} < 4] (invalid)`;
          return;
        }
        p.out += `\n\tneighbor ${p.ip4(cp)}`;
      }
      return;
    case 2:
      if (p.verbosity > 1) dvmrpReport(p, cp, len);
      return;
    case 4:
    case 6: {
      const v2 = type === 6;
      if (v2) p.out += ` (v ${p.u8(cp - 1)}.${p.u8(cp - 2)}):`;
      const head = v2 ? 8 : 7;
      while (len > 0) {
        if (len < head) {
          p.out += ` [length ${len} < ${head}] (invalid)`;
          return;
        }
        const laddr = cp;
        const metric = p.u8(cp + 4);
        const thresh = p.u8(cp + 5);
        const flags = v2 ? p.u8(cp + 6) : 0;
        let ncount = p.u8(cp + head - 1);
        cp += head;
        len -= head;
        while (--ncount >= 0 && (!v2 || len > 0)) {
          if (len < 4) {
            p.out += ` [length ${len} < 4] (invalid)`;
            return;
          }
          p.out += v2 ? ` [${p.ip4(laddr)} -> ` : ` [${p.ip4(laddr)} ->`;
          p.out += v2
            ? `${p.ip4(cp)} (${metric}/${thresh}`
            : ` ${p.ip4(cp)}, (${metric}/${thresh})]`;
          if (v2) {
            if (flags & 0x01) p.out += "/tunnel";
            if (flags & 0x02) p.out += "/srcrt";
            if (flags & 0x40) p.out += "/querier";
            if (flags & 0x20) p.out += "/disabled";
            if (flags & 0x10) p.out += "/down";
            p.out += ")]";
          }
          cp += 4;
          len -= 4;
        }
        if (v2 && ncount !== -1) {
          p.out += " [invalid ncount] (invalid)";
          return;
        }
      }
      return;
    }
    case 7:
      p.out += ` src ${p.ip4(cp)} grp ${p.ip4(cp + 4)}`;
      p.out += " timer ";
      p.out += relts(p.u32(cp + 8));
      return;
    case 8:
    case 9:
      p.out += ` src ${p.ip4(cp)} grp ${p.ip4(cp + 4)}`;
  }
}

/** DVMRP route reports (-vv): masks, then origins and metrics. */
function dvmrpReport(p: Pkt, cp: number, len: number): void {
  while (len > 0) {
    if (len < 3) {
      p.out += ` [length ${len} < 3] (invalid)`;
      return;
    }
    const m = [p.u8(cp), p.u8(cp + 1), p.u8(cp + 2)];
    const width = m[2] ? 4 : m[1] ? 3 : m[0] ? 2 : 1;
    p.out += `\n\tMask 255.${m[0]}.${m[1]}.${m[2]}`;
    cp += 3;
    len -= 3;
    let done = 0;
    do {
      if (len < width + 1) {
        p.out += "\n\t  [Truncated Report] (invalid)";
        return;
      }
      const o = [0, 0, 0, 0];
      for (let i = 0; i < width; i++) o[i] = p.u8(cp++);
      const metric = p.u8(cp++);
      done = metric & 0x80;
      p.out += `\n\t  ${o.join(".")} metric ${metric & 0x7f}`;
      len -= width + 1;
    } while (!done);
  }
}
