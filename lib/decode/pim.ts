/**
 * PIM (tcpdump's print-pim.c): version 2 (IP protocol 103) with, at -v, its checksum and every
 * message type's fields (hello options, join/prune groups and sources, register with the packet
 * inside, bootstrap, assert, candidate RP, DF election); version 1 inside IGMP (igmp.ts); and
 * Cisco's auto-RP (UDP port 496).
 *
 * @module
 */
import { ipv4 } from "./ip.ts";
import { ipv6 } from "./ip6.ts";
import { CUT, type IpInfo, type Pkt } from "./printer.ts";
import { relts } from "./text.ts";
import { transportSum } from "./transport.ts";
import { finishSum, sumWords } from "./verbose.ts";

const V1_TYPES = [
  "Query",
  "Register",
  "Register-Stop",
  "Join/Prune",
  "RP-reachable",
  "Assert",
  "Graft",
  "Graft-ACK",
];

/** PIM version 1 inside IGMP, after "igmp pimv1" (tcpdump's pimv1_print). */
export function pimv1(p: Pkt, off: number, len: number): void {
  p.proto = "pimv1";
  const type = p.u8(off + 1);
  p.out += ` ${V1_TYPES[type] ?? `[type ${type}]`}`;
  switch (type) {
    case 0:
      if (p.has(off + 8, 1)) {
        const mode = p.d[off + 8] >> 4;
        p.out += mode === 0
          ? " Dense-mode"
          : mode === 1
          ? " Sparse-mode"
          : mode === 2
          ? " Sparse-Dense-mode"
          : ` mode-${mode}`;
      }
      if (p.verbose) p.out += ` (Hold-time ${relts(p.u16(off + 10))})`;
      break;
    case 1:
      p.check(off + 8, 20);
      p.out += ` for ${p.ip4(off + 20)} > ${p.ip4(off + 24)}`;
      break;
    case 2:
      p.out += ` for ${p.ip4(off + 8)} > ${p.ip4(off + 12)}`;
      break;
    case 4:
      if (p.verbose) {
        p.out += ` group ${p.ip4(off + 8)}`;
        if (p.u32(off + 12) !== 0xffffffff) p.out += `/${p.ip4(off + 12)}`;
        p.out += ` RP ${p.ip4(off + 16)} hold `;
        p.out += relts(p.u16(off + 22));
      }
      break;
    case 5: {
      const src = p.ip4(off + 16);
      p.out += ` for ${src} > ${p.ip4(off + 8)}`;
      if (p.u32(off + 12) !== 0xffffffff) p.out += `/${p.ip4(off + 12)}`;
      p.out += ` ${p.u8(off + 20) & 0x80 ? "RP-tree" : "SPT"} pref ${
        p.u32(off + 20) & 0x7fffffff
      } metric ${p.u32(off + 24)}`;
      break;
    }
    case 3:
    case 6:
    case 7:
      if (p.verbose) {
        if (len < 8) throw CUT;
        v1JoinPrune(p, off + 8, len - 8);
      }
      break;
  }
  if (p.u8(off + 4) >> 4 !== 1) p.out += ` [v${p.d[off + 4] >> 4}]`;
}

function v1JoinPrune(p: Pkt, bp: number, len: number): void {
  // One group with one source: a one-line summary.
  if (p.has(bp, 30) && p.d[bp + 11] === 1) {
    const njoin = p.u16(bp + 20);
    if (njoin + p.u16(bp + 22) === 1) {
      p.out += ` RPF ${p.ip4(bp)} `;
      const hold = p.u16(bp + 6);
      if (hold !== 180) p.out += `Hold ${relts(hold)}`;
      p.out += `${njoin ? "Join" : "Prune"} (${p.ip4(bp + 26)}/${p.d[bp + 25] & 0x3f}, ${
        p.ip4(bp + 12)
      }`;
      if (p.u32(bp + 16) !== 0xffffffff) p.out += `/${p.ip4(bp + 16)}`;
      p.out += `) ${p.d[bp + 24] & 1 ? "Sparse" : "Dense"}${p.d[bp + 25] & 0x80 ? " WC" : ""} ${
        p.d[bp + 25] & 0x40 ? "RP" : "SPT"
      }`;
      return;
    }
  }
  const vv = p.verbosity > 1;
  if (len < 4) throw CUT;
  if (vv) p.out += "\n";
  p.out += ` Upstream Nbr: ${p.ip4(bp)}`;
  bp += 4;
  len -= 4;
  if (len < 4) throw CUT;
  if (vv) p.out += "\n";
  p.out += " Hold time: ";
  p.out += relts(p.u16(bp + 2));
  if (!vv) return;
  bp += 4;
  len -= 4;
  if (len < 4) throw CUT;
  let ngroups = p.u8(bp + 3);
  bp += 4;
  len -= 4;
  for (; ngroups !== 0; ngroups--) {
    if (len < 4) throw CUT;
    p.out += `\n\tGroup: ${p.ip4(bp)}`;
    bp += 4;
    len -= 4;
    if (len < 4) throw CUT;
    if (p.u32(bp) !== 0xffffffff) p.out += `/${p.ip4(bp)}`;
    bp += 4;
    len -= 4;
    if (len < 4) throw CUT;
    const njoin = p.u16(bp);
    const nprune = p.u16(bp + 2);
    p.out += ` joined: ${njoin} pruned: ${nprune}`;
    bp += 4;
    len -= 4;
    for (let i = 0; i < njoin + nprune; i++) {
      if (len < 6) throw CUT;
      const f0 = p.u8(bp);
      const f1 = p.u8(bp + 1);
      p.out += `\n\t${i < njoin ? "Join " : "Prune"} ${f0 & 1 ? "Sparse " : "Dense "}${
        f1 & 0x80 ? "WC " : ""
      }${f1 & 0x40 ? "RP " : "SPT "}${p.ip4(bp + 2)}/${f1 & 0x3f}`;
      bp += 6;
      len -= 6;
    }
  }
}

/** Cisco auto-RP (tcpdump's cisco_autorp_print), on UDP port 496. */
export function autoRp(p: Pkt, off: number, len: number): void {
  p.proto = "cisco_autorp";
  if (len < 8) throw CUT;
  p.out += " auto-rp ";
  const type = p.u8(off);
  p.out += type === 0x11
    ? "candidate-advert"
    : type === 0x12
    ? "mapping"
    : `type-0x${type.toString(16).padStart(2, "0")}`;
  let numrps = p.u8(off + 1);
  p.out += " Hold ";
  const hold = p.u16(off + 2);
  p.out += hold ? relts(hold) : "FOREVER";
  let bp = off + 8;
  len -= 8;
  for (; numrps !== 0; numrps--) {
    if (len < 4) throw CUT;
    p.out += ` RP ${p.ip4(bp)}`;
    bp += 4;
    len -= 4;
    if (len < 1) throw CUT;
    const v = p.u8(bp);
    p.out += [" PIMv?", " PIMv1", " PIMv2", " PIMv1+2"][v & 3];
    if (v & 0xfc) p.out += ` [rsvd=0x${(v & 0xfc).toString(16).padStart(2, "0")}]`;
    bp++;
    len--;
    if (len < 1) throw CUT;
    let n = p.u8(bp);
    bp++;
    len--;
    let sep = " ";
    for (; n !== 0; n--) {
      if (len < 6) throw CUT;
      const f = p.u8(bp);
      const addr = p.ip4(bp + 2);
      p.out += `${sep}${f & 1 ? "!" : ""}${addr}/${p.u8(bp + 1)}`;
      if (f & 2) p.out += " bidir";
      if (f & 0xfc) p.out += `[rsvd=0x${(f & 0xfc).toString(16).padStart(2, "0")}]`;
      sep = ",";
      bp += 6;
      len -= 6;
    }
  }
}

const V2_TYPES = [
  "Hello",
  "Register",
  "Register Stop",
  "Join / Prune",
  "Bootstrap",
  "Assert",
  "Graft",
  "Graft Acknowledgement",
  "Candidate RP Advertisement",
  "Prune Refresh",
  "DF Election",
  "ECMP Redirect",
];

/** PIM (IP protocol 103): tcpdump's pim_print. */
export function pim(p: Pkt, off: number, len: number, info: IpInfo): void {
  p.proto = "pim";
  const tv = p.u8(off);
  const version = tv >> 4;
  if (version !== 2) {
    p.out += `PIMv${version}, length ${len}`;
    return;
  }
  const name = V2_TYPES[tv & 0x0f] ?? "Unknown Type";
  if (!p.verbose) {
    p.out += `PIMv2, ${name}, length ${len}`;
    return;
  }
  p.out += `PIMv2, length ${len}\n\t${name}`;
  pimv2(p, off, len, info);
}

/**
 * An encoded address (RFC 7761 4.9; or RFC 2117's bare ones when the header gives a length):
 * printed, and its size returned. Where tcpdump gives up (an unknown family, too few bytes),
 * the line ends as truncated.
 */
function addr(p: Pkt, bp: number, len: number, kind: "u" | "g" | "s", addrLen: number): number {
  let hdr = 0;
  let v6: boolean;
  if (addrLen === 0) {
    if (len < 2) throw CUT;
    const af = p.u8(bp);
    if ((af !== 1 && af !== 2) || p.u8(bp + 1) !== 0) throw CUT;
    v6 = af === 2;
    addrLen = v6 ? 16 : 4;
    hdr = 2;
  } else {
    if (addrLen !== 4 && addrLen !== 16) throw CUT;
    v6 = addrLen === 16;
  }
  bp += hdr;
  len -= hdr;
  if (kind === "u") {
    if (len < addrLen) throw CUT;
    p.check(bp, addrLen);
    p.out += v6 ? p.ip6(bp) : p.ip4(bp);
    return hdr + addrLen;
  }
  if (len < addrLen + 2) throw CUT;
  p.check(bp, addrLen + 2);
  p.out += v6 ? p.ip6(bp + 2) : p.ip4(bp + 2);
  const mask = p.d[bp + 1];
  if (mask !== (v6 ? 128 : 32)) p.out += `/${mask}`;
  const f = p.d[bp];
  if (f) {
    if (kind === "g") {
      p.out += `(0x${f.toString(16).padStart(2, "0")})`;
    } else {
      p.out += `(${f & 4 ? "S" : ""}${f & 2 ? "W" : ""}${f & 1 ? "R" : ""}`;
      if (f & 0xf8) p.out += `+0x${(f & 0xf8).toString(16).padStart(2, "0")}`;
      p.out += ")";
    }
  }
  return hdr + 2 + addrLen;
}

/** A read position in a message: the offset and the bytes left from it. */
interface Cursor {
  bp: number;
  len: number;
}

/** `label`, then the encoded address at `c` ({@link addr}); `c` moves past it. */
function nextAddr(p: Pkt, c: Cursor, label: string, kind: "u" | "g" | "s", al: number): void {
  p.out += label;
  const a = addr(p, c.bp, c.len, kind, al);
  c.bp += a;
  c.len -= a;
}

/** Whether the checksum over `len` bytes verifies: true, false, or null when not all captured. */
function checksumOk(p: Pkt, off: number, len: number, info: IpInfo): boolean | null {
  if (!p.has(off, len)) return null;
  const sum = info.v6 ? transportSum(p, off, len, 103, info) : finishSum(sumWords(p.d, off, len));
  return sum === 0;
}

const HELLO_OPTIONS: Record<number, string> = {
  1: "Hold Time",
  2: "LAN Prune Delay",
  18: "DR Priority (Old)",
  19: "DR Priority",
  20: "Generation ID",
  21: "State Refresh Capability",
  22: "Bi-Directional Capability",
  24: "Address List",
  65001: "Address List (Old)",
};

function pimv2(p: Pkt, off: number, len: number, info: IpInfo): void {
  p.proto = "pimv2";
  if (len < 2) {
    p.out += `[length ${len} < 2] (invalid)`;
    return;
  }
  const type = p.u8(off) & 0x0f;
  const rsv = p.u8(off + 1);
  const al = rsv & 0x0f;
  if (al !== 0) p.out += ", RFC2117-encoding";
  if (len < 4) {
    p.out += `[length ${len} < 4] (invalid)`;
    return;
  }
  const carried = p.u16(off + 2);
  p.out += `, cksum 0x${carried.toString(16).padStart(4, "0")} `;
  if (carried === 0) {
    p.out += "(unverified)";
  } else {
    // A register's checksum covers its header only (or, from some senders, the whole message).
    let ok = checksumOk(p, off, type === 1 ? 8 : len, info);
    if (type === 1 && ok === false) ok = checksumOk(p, off, len, info);
    p.out += ok === null ? "(unverified)" : ok ? "(correct)" : "(incorrect)";
  }
  let bp = off + 4;
  len -= 4;
  switch (type) {
    case 0:
      while (len > 0) {
        if (len < 4) throw CUT;
        const otype = p.u16(bp);
        const olen = p.u16(bp + 2);
        p.out += `\n\t  ${
          HELLO_OPTIONS[otype] ?? "Unknown"
        } Option (${otype}), length ${olen}, Value: `;
        bp += 4;
        len -= 4;
        if (len < olen) throw CUT;
        p.check(bp, olen);
        if (!helloOption(p, bp, len, otype, olen, al)) return;
        if (p.verbosity > 1) p.unknownData(bp, olen, "\n\t    ");
        bp += olen;
        len -= olen;
      }
      return;
    case 1: {
      if (len < 4) throw CUT;
      p.check(bp, 4);
      const flags = p.u32(bp);
      const fname = flags === 0x80000000 ? "Border" : flags === 0x40000000 ? "Null" : "none";
      p.out += `, Flags [ ${fname} ]\n\t`;
      bp += 4;
      len -= 4;
      if (len === 0) throw CUT;
      const v = p.u8(bp) >> 4;
      if (v === 0) p.out += `IP-Null-header ${p.ip4(bp + 12)} > ${p.ip4(bp + 16)}`;
      else if (v === 4) ipv4(p, bp, len);
      else if (v === 6) ipv6(p, bp, len);
      else p.out += `IP ver ${v}`;
      return;
    }
    case 2: {
      p.out += " group=";
      const a = addr(p, bp, len, "g", al);
      p.out += " source=";
      addr(p, bp + a, len - a, "u", al);
      return;
    }
    case 3:
    case 6:
    case 7:
      joinPrune(p, bp, len, type, al);
      return;
    case 4:
      bootstrap(p, bp, len, al);
      return;
    case 5: {
      const c = { bp, len };
      nextAddr(p, c, " group=", "g", al);
      nextAddr(p, c, " src=", "u", al);
      if (c.len < 8) throw CUT;
      p.check(c.bp, 8);
      if (p.d[c.bp] & 0x80) p.out += " RPT";
      p.out += ` pref=${p.u32(c.bp) & 0x7fffffff} metric=${p.u32(c.bp + 4)}`;
      return;
    }
    case 8: {
      if (len < 1) throw CUT;
      const pfxcnt = p.u8(bp);
      p.out += ` prefix-cnt=${pfxcnt}`;
      if (len < 2) throw CUT;
      p.out += ` prio=${p.u8(bp + 1)}`;
      if (len < 4) throw CUT;
      p.out += " holdtime=";
      p.out += relts(p.u16(bp + 2));
      const c = { bp: bp + 4, len: len - 4 };
      nextAddr(p, c, " RP=", "u", al);
      for (let i = 0; i < pfxcnt && c.len > 0; i++) nextAddr(p, c, ` Group${i}=`, "g", al);
      return;
    }
    case 9: {
      const c = { bp, len };
      nextAddr(p, c, " src=", "u", al);
      nextAddr(p, c, " grp=", "g", al);
      nextAddr(p, c, " forwarder=", "u", al);
      if (c.len < 2) throw CUT;
      p.out += " TUNR ";
      p.out += relts(p.u16(c.bp));
      return;
    }
    case 10:
      dfElection(p, bp, len, rsv >> 4, al);
      return;
    default:
      p.out += ` [type ${type}]`;
  }
}

/** One hello option's value; false where tcpdump ends the packet as invalid. */
function helloOption(
  p: Pkt,
  bp: number,
  len: number,
  otype: number,
  olen: number,
  al: number,
): boolean {
  const wrongLength = (want: number): boolean => {
    p.out += `[option length ${olen} != ${want}] (invalid)`;
    return false;
  };
  switch (otype) {
    case 1:
      if (olen !== 2) return wrongLength(2);
      p.out += relts(p.u16(bp));
      return true;
    case 2: {
      if (olen !== 4) return wrongLength(4);
      const delay = p.u16(bp);
      p.out += `\n\t    T-bit=${delay >> 15}, LAN delay ${delay & 0x7fff}ms, Override interval ${
        p.u16(bp + 2)
      }ms`;
      return true;
    }
    case 18:
    case 19:
      if (olen === 0) p.out += "Bi-Directional Capability (Old)";
      else if (olen === 4) p.out += `${p.u32(bp)}`;
      else return wrongLength(4);
      return true;
    case 20:
      if (olen !== 4) return wrongLength(4);
      p.out += `0x${p.u32(bp).toString(16).padStart(8, "0")}`;
      return true;
    case 21:
      if (olen !== 4) return wrongLength(4);
      p.out += `v${p.u8(bp)}`;
      if (p.u8(bp + 1) !== 0) p.out += `, interval ${relts(p.d[bp + 1])}`;
      if (p.u16(bp + 2) !== 0) p.out += ` ?0x${p.u16(bp + 2).toString(16).padStart(4, "0")}?`;
      return true;
    case 22:
      return true;
    case 24:
    case 65001:
      if (p.verbosity > 1) {
        for (let at = bp; at < bp + olen;) {
          p.out += "\n\t    ";
          const a = addr(p, at, len - (at - bp), "u", al);
          at += a;
        }
      }
      return true;
    default:
      if (p.verbosity <= 1) p.unknownData(bp, olen, "\n\t    ");
      return true;
  }
}

function joinPrune(p: Pkt, bp: number, len: number, type: number, al: number): void {
  const c = { bp, len };
  if (type !== 7) nextAddr(p, c, ", upstream-neighbor: ", "u", al);
  if (c.len < 4) throw CUT;
  p.check(c.bp, 4);
  const ngroup = p.d[c.bp + 1];
  const holdtime = p.u16(c.bp + 2);
  p.out += `\n\t  ${ngroup} group(s)`;
  if (type !== 7) p.out += `, holdtime: ${holdtime === 0xffff ? "infinite" : relts(holdtime)}`;
  c.bp += 4;
  c.len -= 4;
  for (let i = 0; i < ngroup; i++) {
    nextAddr(p, c, `\n\t    group #${i + 1}: `, "g", al);
    if (c.len < 4) throw CUT;
    p.check(c.bp, 4);
    const njoin = p.u16(c.bp);
    const nprune = p.u16(c.bp + 2);
    p.out += `, joined sources: ${njoin}, pruned sources: ${nprune}`;
    c.bp += 4;
    c.len -= 4;
    for (let j = 0; j < njoin + nprune; j++) {
      const label = j < njoin
        ? `\n\t      joined source #${j + 1}: `
        : `\n\t      pruned source #${j - njoin + 1}: `;
      nextAddr(p, c, label, "s", al);
    }
  }
}

function bootstrap(p: Pkt, bp: number, len: number, al: number): void {
  if (len < 2) throw CUT;
  p.out += ` tag=${p.u16(bp).toString(16)}`;
  bp += 2;
  len -= 2;
  if (len < 1) throw CUT;
  p.out += ` hashmlen=${p.u8(bp)}`;
  if (len < 2) throw CUT;
  p.check(bp + 2, 1);
  p.out += ` BSRprio=${p.u8(bp + 1)}`;
  const c = { bp: bp + 2, len: len - 2 };
  nextAddr(p, c, " BSR=", "u", al);
  for (let i = 0; c.len > 0; i++) {
    nextAddr(p, c, ` (group${i}: `, "g", al);
    if (c.len < 1) throw CUT;
    p.out += ` RPcnt=${p.u8(c.bp)}`;
    if (c.len < 2) throw CUT;
    const frpcnt = p.u8(c.bp + 1);
    p.out += ` FRPcnt=${frpcnt}`;
    if (c.len < 4) throw CUT;
    c.bp += 4;
    c.len -= 4;
    for (let j = 0; j < frpcnt && c.len > 0; j++) {
      nextAddr(p, c, ` RP${j}=`, "u", al);
      if (c.len < 2) throw CUT;
      p.out += ",holdtime=";
      p.out += relts(p.u16(c.bp));
      if (c.len < 3) throw CUT;
      p.out += `,prio=${p.u8(c.bp + 2)}`;
      if (c.len < 4) throw CUT;
      c.bp += 4;
      c.len -= 4;
    }
    p.out += ")";
  }
}

const DF_SUBTYPES = ["Unknown", "Offer", "Winner", "Backoff", "Pass"];

function dfElection(p: Pkt, bp: number, len: number, subtype: number, al: number): void {
  const c = { bp, len };
  nextAddr(p, c, `\n\t  ${DF_SUBTYPES[subtype] ?? "Unknown"}, rpa=`, "u", al);
  p.out += ` sender pref=${p.u32(c.bp)}`;
  p.out += ` sender metric=${p.u32(c.bp + 4)}`;
  c.bp += 8;
  // tcpdump's length is unsigned: past the end it wraps around.
  c.len = (c.len - 8) >>> 0;
  if (subtype !== 3 && subtype !== 4) return;
  const who = subtype === 3 ? "offer" : "new winner";
  nextAddr(p, c, `\n\t  ${who} addr=`, "u", al);
  p.out += ` ${who} pref=${p.u32(c.bp)}`;
  p.out += ` ${who} metric=${p.u32(c.bp + 4)}`;
  if (subtype === 3) p.out += ` interval ${p.u16(c.bp + 8)}ms`;
}
