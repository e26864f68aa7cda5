/**
 * ICMPv6 node information queries and replies (RFC 4620) and RPL control messages (RFC 6550),
 * as tcpdump's print-icmp6.c prints them after "ICMP6, node information query" or "ICMP6, RPL".
 *
 * @module
 */
import { formatIp6, type Pkt } from "./printer.ts";
import { charText } from "./text.ts";
import { hexPrint } from "./tlv.ts";

/** The flags of a node-addresses query or reply, as tcpdump lists them. */
function addrFlags(f: number, truncate: boolean): string {
  return `${f & 0x40 ? "a" : ""}${f & 0x20 ? "G" : ""}${f & 0x10 ? "S" : ""}${f & 0x08 ? "L" : ""}${
    f & 0x04 ? "C" : ""
  }${f & 0x02 ? "A" : ""}${truncate && f & 0x01 ? "T" : ""}`;
}

/** A DNS name without compression from `cp` to `ep` (tcpdump's dnsname_print). */
function dnsName(p: Pkt, cp: number, ep: number): void {
  p.out += ', "';
  while (cp < ep) {
    let i = p.u8(cp++);
    if (i) {
      if (i > ep - cp) {
        p.out += "???";
        break;
      }
      while (i-- && cp < ep) p.out += charText(p.u8(cp++));
      if (cp + 1 < ep && p.u8(cp)) p.out += ".";
    } else {
      if (cp === ep) p.out += ".";
      else if (!(cp + 1 === ep && p.u8(cp) === 0)) p.out += "???";
      break;
    }
  }
  p.out += '"';
}

/** A Pascal string to the end of the capture, as the draft 03 encoding has it. */
function pascal(p: Pkt, cp: number, ep: number): boolean {
  if (p.u8(cp) !== ep - cp - 1) return false;
  if (p.verbose) p.out += ", 03 draft";
  cp++;
  p.out += ', "';
  while (cp < ep) p.out += charText(p.u8(cp++));
  p.out += '"';
  return true;
}

/** The capture ends the node information, not the ICMPv6 line (its length follows). */
function cut(p: Pkt): void {
  p.trunc();
}

/** Node information (ICMPv6 types 139, 140; tcpdump's icmp6_nodeinfo_print). */
export function nodeInfo(p: Pkt, off: number, length: number): void {
  const ep = p.end;
  if (ep < off) return;
  const siz = ep - off;
  const type = p.u8(off);
  if (type === 139) {
    if (siz === 12) {
      p.out += " who-are-you request";
      return;
    }
    p.out += " node information query";
    if (!p.has(off, 16)) return cut(p);
    p.out += " (";
    const qtype = p.u16(off + 4);
    const flags = p.u16(off + 6);
    if (qtype === 0) p.out += "noop";
    else if (qtype === 1) p.out += `supported qtypes${flags ? ` [${flags & 1 ? "C" : ""}]` : ""}`;
    else if (qtype === 2) p.out += "DNS name";
    else if (qtype === 3) p.out += `node addresses${flags ? ` [${addrFlags(flags, false)}]` : ""}`;
    else p.out += "unknown";
    if (qtype === 0 || qtype === 1) {
      if (siz !== 16 && p.verbose) p.out += ", invalid len";
      p.out += ")";
      return;
    }
    if (siz === 16) {
      p.out += ", 03 draft)";
      return;
    }
    const cp = off + 16;
    switch (p.u8(off + 1)) {
      case 0:
        if (!p.has(off, 32)) break;
        if (siz !== 32) {
          if (p.verbose) p.out += ", invalid subject len";
          break;
        }
        p.out += `, subject=${p.ip6(cp)}`;
        break;
      case 1:
        p.out += ", subject=DNS name";
        if (!pascal(p, cp, ep)) dnsName(p, cp, ep);
        break;
      case 2:
        if (!p.has(off, 20)) break;
        if (siz !== 20) {
          if (p.verbose) p.out += ", invalid subject len";
          break;
        }
        p.out += `, subject=${p.ip4(cp)}`;
        break;
      default:
        p.out += ", unknown subject";
    }
    p.out += ")";
    return;
  }
  // A reply.
  if (length > siz || !p.has(off, 16)) return cut(p);
  p.out += " node information reply (";
  const code = p.u8(off + 1);
  let comma = false;
  if (code === 0) {
    if (p.verbose) {
      p.out += "success";
      comma = true;
    }
  } else if (code === 1 || code === 2) {
    p.out += code === 1 ? "refused" : "unknown";
    comma = true;
    if (siz !== 16 && p.verbose) p.out += ", invalid length";
  }
  if (code !== 0) {
    p.out += ")";
    return;
  }
  const sep = comma ? ", " : "";
  const qtype = p.u16(off + 4);
  switch (qtype) {
    case 0:
      p.out += `${sep}noop`;
      if (siz !== 16 && p.verbose) p.out += ", invalid length";
      break;
    case 1: {
      p.out += `${sep}supported qtypes`;
      const f = p.u16(off + 6);
      if (f) p.out += ` [${f & 1 ? "C" : ""}]`;
      break;
    }
    case 2: {
      p.out += `${sep}DNS name`;
      const cp = off + 20;
      if (!pascal(p, cp, ep)) dnsName(p, cp, ep);
      if (p.u16(off + 6) & 1) p.out += ` [TTL=${p.u32(off + 16)}]`;
      break;
    }
    case 3: {
      p.out += `${sep}node addresses`;
      for (let i = 16; i < siz && i + 20 <= siz; i += 20) {
        p.out += ` ${p.ip6(off + i + 4)}(${p.u32(off + i)})`;
      }
      const f = p.u16(off + 6);
      if (f) p.out += ` [${addrFlags(f, true)}]`;
      break;
    }
    default:
      p.out += `${sep}unknown`;
  }
  p.out += ")";
}

const MOPS = ["nonstoring", "storing", "nonstoring-multicast", "storing-multicast"];
const RPL_OPTIONS: Record<number, string> = {
  0: "pad1",
  1: "padN",
  2: "metrics",
  3: "routinginfo",
  4: "config",
  5: "rpltarget",
  6: "transitinfo",
  8: "destprefix",
  9: "rpltargetdesc",
};
const dagid = new Uint8Array(16);

/** RPL (ICMPv6 type 155; tcpdump's rpl_print), its body at `bp`, `length` bytes. */
export function rpl(p: Pkt, code: number, bp: number, length: number): void {
  if (code & 0x80) {
    p.out += ", (SEC) [worktodo]";
    return;
  }
  p.out += ", (CLR)";
  switch (code) {
    case 0:
      p.out += "DODAG Information Solicitation";
      return;
    case 1:
      p.out += "DODAG Information Object";
      if (!p.verbose) return;
      if (length < 24) {
        p.out += ` [length ${length} < 24] (invalid)`;
        return;
      }
      {
        const mp = p.u8(bp + 4);
        p.out += ` [dagid:${p.ip6(bp + 8)},seq:${p.u8(bp + 5)},instance:${p.u8(bp)},rank:${
          p.u16(bp + 2)
        },${mp & 0x80 ? "grounded," : ""}mop:${MOPS[(mp >> 3) & 7] ?? `mop${(mp >> 3) & 7}`},prf:${
          mp & 7
        }]`;
      }
      if (p.verbosity > 1) rplOptions(p, bp + 24, length - 24);
      return;
    case 2:
    case 3: {
      p.out += code === 2
        ? "Destination Advertisement Object"
        : "Destination Advertisement Object Ack";
      if (!p.verbose) return;
      // A DAO is checked with room for its DODAG id, an acknowledgement without.
      p.check(bp, code === 2 ? 20 : 4);
      if (length < 4) {
        p.out += code === 2 ? " [|length too short]" : " [|dao-length too short]";
        return;
      }
      let at = bp + 4;
      let left = length - 4;
      const flags = p.u8(bp + 1);
      let id = "<elided>";
      if ((code === 2 && flags & 0x40) || (code === 3 && flags & 0x80)) {
        p.check(bp + 4, 16);
        if (left < 16) {
          p.out += code === 2 ? " [|length too short]" : " [|dao-length too short]";
          return;
        }
        dagid.set(p.d.subarray(bp + 4, bp + 20));
        id = formatIp6(dagid);
        at += 16;
        left -= 16;
      }
      if (code === 2) {
        p.out += ` [dagid:${id},seq:${p.u8(bp + 3)},instance:${p.u8(bp)}${
          flags & 0x80 ? ",acK" : ""
        }${flags & 0x40 ? ",Dagid" : ""},${flags.toString(16).padStart(2, "0")}]`;
      } else {
        p.out += ` [dagid:${id},seq:${p.u8(bp + 2)},instance:${p.u8(bp)},status:${p.u8(bp + 3)}]`;
      }
      if (p.verbosity > 1) rplOptions(p, at, left);
      return;
    }
    default:
      p.out += `RPL message, unknown code ${code}`;
  }
}

/** RPL options at -vv (their contents in hex at -vvv). */
function rplOptions(p: Pkt, o: number, length: number): void {
  while (length !== 0) {
    const type = p.u8(o);
    let len = 1;
    if (type === 0) {
      p.out += " opt:pad1";
    } else {
      if (length < 2) {
        p.trunc();
        return;
      }
      len = p.u8(o + 1) + 2;
      p.out += ` opt:${RPL_OPTIONS[type] ?? `subopt:${type}`} len:${len} `;
      if (!p.has(o, len) || length < len) {
        p.trunc();
        return;
      }
      if (p.verbosity > 2) hexPrint(p, o + 2, len - 2, " ");
    }
    o += len;
    length -= len;
  }
}
