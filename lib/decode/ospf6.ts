/**
 * OSPF version 3 (tcpdump's print-ospf6.c): the message type line, and at -v the header, hello
 * and database description fields, with -vv the LSAs (router, network, inter-area prefix,
 * external, link, intra-area prefix, grace, TE), then the trailing link-local signalling block
 * and authentication trailer (RFC 6506).
 *
 * @module
 */
import { graceLsa, teLsa } from "./ospf_te.ts";
import { CUT, formatIp6, type Pkt } from "./printer.ts";
import { type BitTok, bitTok } from "./text.ts";
import { unknownData } from "./tlv.ts";

const OPTIONS: BitTok = [
  [0x01, "V6"],
  [0x02, "External"],
  [0x04, "Deprecated"],
  [0x08, "NSSA"],
  [0x10, "Router"],
  [0x20, "Demand Circuit"],
  [0x100, "AFs Support"],
  [0x200, "LLS"],
  [0x400, "Authentication Trailer"],
];
const RLA_FLAGS: BitTok = [
  [0x01, "ABR"],
  [0x02, "External"],
  [0x04, "Virtual-Link Endpoint"],
  [0x08, "Deprecated"],
  [0x10, "NSSA Translator"],
];
const ASLA_FLAGS: BitTok = [
  [0x80000000, "External Type 2"],
  [0x02000000, "Forwarding"],
  [0x01000000, "Tag"],
];
const TYPES = ["", "Hello", "Database Description", "LS-Request", "LS-Update", "LS-Ack"];
const LSA_TYPES = [
  "",
  "Router",
  "Network",
  "Inter-Area Prefix",
  "Inter-Area Router",
  "External",
  "Deprecated",
  "NSSA",
  "Link",
  "Intra-Area Prefix",
  "Intra-Area TE",
  "Grace",
  "Router Information",
  "Inter-AS-TE",
  "Layer 1 VPN",
];
const SCOPES = ["Link Local", "Area Local", "Domain Wide", "Unknown"];
const DD_FLAGS: BitTok = [[0x04, "Init"], [0x02, "More"], [0x01, "Master"], [0x10, "IPv6 MTU"]];
const PREFIX_OPTIONS: BitTok = [
  [0x01, "No Unicast"],
  [0x02, "Local address"],
  [0x04, "Deprecated"],
  [0x08, "Propagate"],
  [0x10, "Down"],
  [0x20, "N-bit"],
];

/** A prefix is copied here, zero-filled, to print it as an address. */
const prefixScratch = new Uint8Array(16);

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** OSPFv3 (IP protocol 89 over IPv6): tcpdump's ospf6_print. */
export function ospf6(p: Pkt, off: number, length: number): void {
  p.proto = "ospf3";
  const type = p.u8(off + 1);
  const name = TYPES[type] || `unknown packet type (${type})`;
  p.out += `OSPFv${p.u8(off)}, ${name}, length ${length}`;
  if (!TYPES[type] || !p.verbose) return;
  const dataLen = p.u16(off + 2);
  if (dataLen > length) {
    p.out += ` [len ${dataLen}]`;
    return;
  }
  const dataEnd = off + dataLen;
  p.out += `\n\tRouter-ID ${p.ip4(off + 4)}`;
  p.out += p.u32(off + 8) !== 0 ? `, Area ${p.ip4(off + 8)}` : ", Backbone Area";
  const instance = p.u8(off + 14);
  if (instance) p.out += `, Instance ${instance}`;
  if (p.d[off] !== 3) return;
  if (!decodeV3(p, off, type, dataEnd) || !trailer(p, off, type, dataEnd, length - dataLen)) {
    throw CUT;
  }
}

function lsType(p: Pkt, type: number, stateId: number): void {
  p.out += `\n\t    ${LSA_TYPES[type & 0x1fff] || "Unknown"} LSA (${type & 0x1fff}), ${
    SCOPES[(type & 0x6000) >> 13]
  } Scope${type & 0x8000 ? ", transitive" : ""}, LSA-ID ${p.ip4(stateId)}`;
}

/** An LSA header; false when it does not fit before `dataEnd`. */
function lsaHeader(p: Pkt, h: number, dataEnd: number): boolean {
  if (h + 20 > dataEnd) return false;
  p.out += `\n\t  Advertising Router ${p.ip4(h + 8)}, seq 0x${hex8(p.u32(h + 12))}, age ${
    p.u16(h)
  }s, length ${p.u16(h + 18) - 20}`;
  lsType(p, p.u16(h + 2), h + 4);
  return true;
}

/** One prefix: its length in bytes, or -1 where tcpdump gives up. */
function prefix(p: Pkt, t: number, left: number): number {
  if (left < 4) return -1;
  left -= 4;
  p.check(t, 4);
  const plen = p.u8(t);
  const words = Math.floor((plen + 31) / 32);
  if (words * 4 > 16) {
    p.out += ` bogus prefixlen /${plen}`;
    return -1;
  }
  if (left < words * 4) return -1;
  p.need(t + 4, words * 4);
  prefixScratch.fill(0);
  prefixScratch.set(p.d.subarray(t + 4, t + 4 + words * 4));
  p.out += `\n\t\t${formatIp6(prefixScratch)}/${plen}`;
  const opt = p.u8(t + 1);
  if (opt) p.out += `, Options [${bitTok(PREFIX_OPTIONS, opt, "none")}]`;
  p.out += `, metric ${p.u16(t + 2)}`;
  return 4 + words * 4;
}

/** Prints `n` prefixes (or, with n < 0, until `left` runs out); false where tcpdump gives up. */
function prefixes(p: Pkt, t: number, left: number, n: number): boolean {
  while (n < 0 ? left !== 0 : n > 0) {
    const used = prefix(p, t, left);
    if (used < 0) return false;
    left -= used;
    t += used;
    n--;
  }
  return true;
}

/** One LSA; false where tcpdump stops (truncated). */
function lsa(p: Pkt, l: number, dataEnd: number): boolean {
  if (!lsaHeader(p, l, dataEnd)) return false;
  const length = p.u16(l + 18);
  if (length < 20 || l + length > dataEnd) return false;
  let left = length - 20;
  const b = l + 20;
  switch (p.u16(l + 2)) {
    case 0x2001: {
      if (left < 4) return false;
      left -= 4;
      p.out += `\n\t      Options [${bitTok(OPTIONS, p.u32(b), "none")}]`;
      p.out += `, RLA-Flags [${bitTok(RLA_FLAGS, p.u8(b), "none")}]`;
      for (let r = b + 4; left !== 0; r += 16) {
        if (left < 16) return false;
        left -= 16;
        p.check(r, 16);
        const lt = p.u8(r);
        const what = lt === 4
          ? "Virtual Link: Neighbor Router-ID"
          : lt === 1
          ? "Neighbor Router-ID"
          : lt === 2
          ? "Neighbor Network-ID"
          : "";
        if (what === "") {
          p.out += `\n\t      Unknown Router Links Type 0x${lt.toString(16).padStart(2, "0")}`;
          return true;
        }
        p.out += `\n\t      ${what} ${p.ip4(r + 12)}\n\t      Neighbor Interface-ID ${
          p.ip4(r + 8)
        }, Interface ${p.ip4(r + 4)}`;
        p.out += `, metric ${p.u16(r + 2)}`;
      }
      return true;
    }
    case 0x2002:
      if (left < 4) return false;
      left -= 4;
      p.out += `\n\t      Options [${bitTok(OPTIONS, p.u32(b), "none")}]`;
      p.out += "\n\t      Connected Routers:";
      for (let a = b + 4; left !== 0; a += 4) {
        if (left < 4) return false;
        left -= 4;
        p.out += `\n\t\t${p.ip4(a)}`;
      }
      return true;
    case 0x2003:
      if (left < 4) return false;
      p.out += `, metric ${p.u32(b) & 0xffffff}`;
      return prefixes(p, b + 4, left - 4, -1);
    case 0x4005: {
      if (left < 4) return false;
      left -= 4;
      const flags = p.u32(b);
      p.out += `\n\t     Flags [${bitTok(ASLA_FLAGS, flags, "none")}]`;
      p.out += ` metric ${p.u32(b) & 0xffffff}`;
      let t = b + 4;
      const pfx = t;
      const used = prefix(p, t, left);
      if (used < 0) return false;
      left -= used;
      t += used;
      if (flags & 0x02000000) {
        if (left < 16) return false;
        left -= 16;
        p.out += ` forward ${p.ip6(t)}`;
        t += 16;
      }
      if (flags & 0x01000000) {
        if (left < 4) return false;
        left -= 4;
        p.out += ` tag ${p.ip4(t)}`;
        t += 4;
      }
      // tcpdump tests the first byte of the prefix's metric field for a referenced LS ID.
      if (p.u8(pfx + 2)) {
        if (left < 4) return false;
        p.out += ` RefLSID: ${p.ip4(t)}`;
      }
      return true;
    }
    case 0x0008: {
      if (left < 4) return false;
      left -= 4;
      p.check(b, 4);
      p.out += `\n\t      Options [${bitTok(OPTIONS, p.u32(b), "none")}]`;
      if (left < 20) return false;
      left -= 20;
      const n = p.u32(b + 20);
      p.out += `\n\t      Priority ${p.u8(b)}, Link-local address ${p.ip6(b + 4)}, Prefixes ${n}:`;
      return prefixes(p, b + 24, left, n);
    }
    case 0x2009: {
      // tcpdump counts 6 of the 12 fixed bytes against the length.
      if (left < 4) return false;
      left -= 4;
      p.check(b + 8, 4);
      lsType(p, p.u16(b + 2), b + 4);
      if (left < 2) return false;
      left -= 2;
      const n = p.u16(b);
      p.out += `\n\t      Prefixes ${n}:`;
      return prefixes(p, b + 12, left, n);
    }
    case 0x000b:
      return graceLsa(p, b, left);
    case 0x000a:
      return teLsa(p, b, left);
    default:
      return unknownData(p, b, left, "\n\t      ");
  }
}

/** The message body; false where tcpdump stops (truncated). */
function decodeV3(p: Pkt, off: number, type: number, dataEnd: number): boolean {
  const b = off + 16;
  const vv = p.verbosity > 1;
  switch (type) {
    case 1:
      p.out += `\n\tOptions [${bitTok(OPTIONS, p.u32(b + 4), "none")}]`;
      p.out += `\n\t  Hello Timer ${p.u16(b + 8)}s, Dead Timer ${p.u16(b + 10)}s, Interface-ID ${
        p.ip4(b)
      }, Priority ${p.u8(b + 4)}`;
      if (p.u32(b + 12) !== 0) p.out += `\n\t  Designated Router ${p.ip4(b + 12)}`;
      if (p.u32(b + 16) !== 0) p.out += `, Backup Designated Router ${p.ip4(b + 16)}`;
      if (vv) {
        p.out += "\n\t  Neighbor List:";
        for (let a = b + 20; a < dataEnd; a += 4) p.out += `\n\t    ${p.ip4(a)}`;
      }
      return true;
    case 2:
      p.out += `\n\tOptions [${bitTok(OPTIONS, p.u32(b), "none")}]`;
      p.out += `, DD Flags [${bitTok(DD_FLAGS, p.u8(b + 7), "none")}]`;
      p.out += `, MTU ${p.u16(b + 4)}, DD-Sequence 0x${hex8(p.u32(b + 8))}`;
      if (vv) {
        for (let h = b + 12; h < dataEnd; h += 20) if (!lsaHeader(p, h, dataEnd)) return false;
      }
      return true;
    case 3:
      if (vv) {
        for (let r = b; r < dataEnd; r += 12) {
          p.check(r, 12);
          p.out += `\n\t  Advertising Router ${p.ip4(r + 8)}`;
          lsType(p, p.u16(r + 2), r + 4);
        }
      }
      return true;
    case 4:
      if (vv) {
        let n = p.u32(b) | 0;
        for (let l = b + 4; l < dataEnd && n-- !== 0; l += p.u16(l + 18)) {
          if (!lsa(p, l, dataEnd)) return false;
        }
      }
      return true;
    case 5:
      if (vv) {
        for (let h = b; h < dataEnd; h += 20) if (!lsaHeader(p, h, dataEnd)) return false;
      }
      return true;
  }
  return true;
}

/** The link-local signalling block and authentication trailer after the message. */
function trailer(p: Pkt, off: number, type: number, cp: number, len: number): boolean {
  let llsLen = 0;
  const lls = (type === 1 && (p.u32(off + 20) & 0x200) !== 0) ||
    (type === 2 && (p.u32(off + 16) & 0x200) !== 0);
  if (lls && len !== 0) {
    if (len < 4) return false;
    p.out += `\n\tLLS Checksum 0x${p.u16(cp).toString(16).padStart(4, "0")}`;
    llsLen = p.u16(cp + 2);
    p.out += `, Data Length ${llsLen}`;
    if (llsLen < 4 || llsLen > len) return false;
    p.check(cp + 4, llsLen - 4);
  }
  cp += llsLen;
  len -= llsLen;
  if (len === 0) return true;
  if (len < 16) return false;
  const at = p.u16(cp);
  p.out += `\n\tAuthentication Type ${
    at === 1 ? "HMAC" : `unknown (0x${at.toString(16).padStart(4, "0")})`
  }`;
  const authLen = p.u16(cp + 2);
  p.out += `, Length ${authLen}`;
  if (authLen < 16 || authLen > len) return false;
  p.out += `, SAID ${p.u16(cp + 6)}`;
  p.out += `, CSN 0x${hex8(p.u32(cp + 8))}`;
  p.out += `:${hex8(p.u32(cp + 12))}`;
  p.check(cp + 16, authLen - 16);
  if (p.verbosity > 1) unknownData(p, cp + 16, authLen - 16, "\n\tAuthentication Data ");
  return true;
}
