/**
 * OSPF version 2 (tcpdump's print-ospf.c): the message type line, and at -v the header, the
 * authentication data, every message type (hello, database description, LS request, update and
 * acknowledgement) with its LSAs (router, network, summary, external, NSSA, multicast group,
 * opaque: traffic engineering, graceful restart, router information) and the link-local
 * signalling block after the message. OSPFv3 is ospf6.ts.
 *
 * @module
 */
import { type IpInfo, type Pkt, TRUNCATED } from "./printer.ts";
import { type BitTok, bitTok, printjnp } from "./text.ts";
import { graceLsa, teLsa } from "./ospf_te.ts";
import { plural, unknownData } from "./tlv.ts";
import { ospf6 } from "./ospf6.ts";

const OPTIONS: BitTok = [
  [0x01, "MultiTopology"],
  [0x02, "External"],
  [0x04, "Multicast"],
  [0x08, "NSSA"],
  [0x10, "LLS"],
  [0x20, "Demand Circuit"],
  [0x40, "Opaque"],
  [0x80, "Up/Down"],
];
const AUTH_TYPES = ["none", "simple", "MD5"];
const RLA_FLAGS: BitTok = [
  [0x01, "ABR"],
  [0x02, "ASBR"],
  [0x04, "Virtual"],
  [0x08, "Wildcard"],
  [0x10, "Nt"],
  [0x80, "Host"],
];
const TYPES = ["", "Hello", "Database Description", "LS-Request", "LS-Update", "LS-Ack"];
const LSA_TYPES: Record<number, string> = {
  1: "Router",
  2: "Network",
  3: "Summary",
  4: "ASBR Summary",
  5: "External",
  6: "Multicast Group",
  7: "NSSA",
  9: "Link Local Opaque",
  10: "Area Local Opaque",
  11: "Domain Wide Opaque",
};
const DD_FLAGS: BitTok = [[0x04, "Init"], [0x02, "More"], [0x01, "Master"], [0x08, "OOBResync"]];
const OPAQUE_TYPES: Record<number, string> = {
  1: "Traffic Engineering",
  3: "Graceful restart",
  4: "Router Information",
};
const RI_CAPS: BitTok = [
  [1, "Reserved"],
  [2, "Reserved"],
  [4, "Reserved"],
  [8, "Reserved"],
  [16, "graceful restart capable"],
  [32, "graceful restart helper"],
  [64, "Stub router support"],
  [128, "Traffic engineering"],
  [256, "p2p over LAN"],
  [512, "path computation server"],
];
const TOPOLOGIES = ["default", "multicast", "management"];
const LLS_EO: BitTok = [[1, "LSDB resync"], [2, "Restart"]];

/** OSPF over IPv4 or IPv6 (IP protocol 89): tcpdump's ospf_print or ospf6_print. */
export function ospf(p: Pkt, off: number, length: number, info: IpInfo): void {
  if (info.v6) {
    ospf6(p, off, length);
    return;
  }
  p.proto = "ospf2";
  // The MD5 digest trails the message: not part of it, and not to be decoded.
  if (p.u16(off + 14) === 2) {
    length -= 16;
    p.end -= 16;
  }
  const type = p.u8(off + 1);
  const name = TYPES[type] || `unknown LS-type ${type}`;
  p.out += `OSPFv${p.u8(off)}, ${name}, length ${length}`;
  if (!TYPES[type] || !p.verbose) return;
  const olen = p.u16(off + 2);
  if (length !== olen) p.out += ` [len ${olen}]`;
  const dataEnd = off + (length > olen ? olen : length);
  p.out += `\n\tRouter-ID ${p.ip4(off + 4)}`;
  p.out += p.u32(off + 8) !== 0 ? `, Area ${p.ip4(off + 8)}` : ", Backbone Area";
  p.need(off + 16, 8);
  const auth = p.u16(off + 14);
  p.out += `, Authentication Type: ${AUTH_TYPES[auth] ?? "unknown"} (${auth})`;
  switch (auth) {
    case 0:
      break;
    case 1:
      p.out += "\n\tSimple text password: ";
      printjnp(p, off + 16, 8);
      break;
    case 2:
      p.out += `\n\tKey-ID: ${p.u8(off + 18)}, Auth-Length: ${p.u8(off + 19)}, ` +
        `Crypto Sequence Number: 0x${hex8(p.u32(off + 20))}`;
      break;
    default:
      return;
  }
  if (p.u8(off) !== 2) {
    p.out += ` ospf [version ${p.d[off]}]`;
    return;
  }
  decodeV2(p, off, type, dataEnd);
  if (length > olen) lls(p, off, type, length);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function decodeV2(p: Pkt, off: number, type: number, dataEnd: number): void {
  const body = off + 24;
  switch (type) {
    case 1: {
      p.out += `\n\tOptions [${bitTok(OPTIONS, p.u8(body + 6), "none")}]`;
      p.out += `\n\t  Hello Timer ${p.u16(body + 4)}s, Dead Timer ${p.u32(body + 8)}s, Mask ${
        p.ip4(body)
      }, Priority ${p.u8(body + 7)}`;
      if (p.u32(body + 12) !== 0) p.out += `\n\t  Designated Router ${p.ip4(body + 12)}`;
      if (p.u32(body + 16) !== 0) p.out += `, Backup Designated Router ${p.ip4(body + 16)}`;
      let ap = body + 20;
      if (ap < dataEnd) p.out += "\n\t  Neighbor List:";
      for (; ap < dataEnd; ap += 4) p.out += `\n\t    ${p.ip4(ap)}`;
      return;
    }
    case 2: {
      p.out += `\n\tOptions [${bitTok(OPTIONS, p.u8(body + 2), "none")}]`;
      p.out += `, DD Flags [${bitTok(DD_FLAGS, p.u8(body + 3), "none")}]`;
      const mtu = p.u16(body);
      if (mtu) p.out += `, MTU: ${mtu}`;
      p.out += `, Sequence: 0x${hex8(p.u32(body + 4))}`;
      for (let h = body + 8; h < dataEnd && lsaHeader(p, h) !== -1; h += 20);
      return;
    }
    case 3:
      for (let r = body; r < dataEnd; r += 12) {
        p.need(r, 12);
        const lsType = p.u32(r);
        p.out += `\n\t  Advertising Router: ${p.ip4(r + 8)}, ${
          LSA_TYPES[lsType] ?? "unknown"
        } LSA (${lsType})`;
        if (lsType >= 9 && lsType <= 11) {
          const ot = p.u8(r + 4);
          p.out += `, Opaque-Type: ${OPAQUE_TYPES[ot] ?? "unknown"} LSA (${ot}), Opaque-ID: ${
            u24(p, r + 5)
          }`;
        } else {
          p.out += `, LSA-ID: ${p.ip4(r + 4)}`;
        }
      }
      return;
    case 4: {
      const count = p.u32(body);
      p.out += `, ${count} LSA${plural(count)}`;
      let lsa = body + 4;
      for (let i = 1; i <= count; i++) {
        p.out += `\n\t  LSA #${i}`;
        lsa = printLsa(p, lsa);
      }
      return;
    }
    case 5:
      // tcpdump goes on until a header is bogus or the packet ends.
      for (let h = body; lsaHeader(p, h) !== -1; h += 20);
      return;
  }
}

function u24(p: Pkt, at: number): number {
  return (p.u8(at) << 16) | p.u16(at + 1);
}

/** An LSA header (tcpdump's ospf_print_lshdr): its length, or -1 when bogus. */
function lsaHeader(p: Pkt, h: number): number {
  const len = p.u16(h + 18);
  if (len < 20) {
    p.out += `\n\t    Bogus length ${len} < header (20)`;
    return -1;
  }
  p.out += `\n\t  Advertising Router ${p.ip4(h + 8)}, seq 0x${hex8(p.u32(h + 12))}, age ${
    p.u16(h)
  }s, length ${len - 20}`;
  const type = p.u8(h + 3);
  if (type >= 9 && type <= 11) {
    const ot = p.u8(h + 4);
    p.out += `\n\t    ${LSA_TYPES[type]} LSA (${type}), Opaque-Type ${
      OPAQUE_TYPES[ot] ?? "unknown"
    } LSA (${ot}), Opaque-ID ${u24(p, h + 5)}`;
  } else {
    p.out += `\n\t    ${LSA_TYPES[type] ?? "unknown"} LSA (${type}), LSA-ID: ${p.ip4(h + 4)}`;
  }
  p.out += `\n\t    Options: [${bitTok(OPTIONS, p.u8(h + 2), "none")}]`;
  return len;
}

/** "topology NAME (N)" of a multi-topology id. */
function topology(t: number): string {
  return `${TOPOLOGIES[t] ?? "Unknown"} (${t})`;
}

/** One LSA (tcpdump's ospf_print_lsa); returns where the next starts. */
function printLsa(p: Pkt, lsa: number): number {
  const len = lsaHeader(p, lsa);
  if (len < 0) throw TRUNCATED;
  const end = lsa + len;
  const lsLen = len - 20;
  const b = lsa + 20;
  const type = p.u8(lsa + 3);
  switch (type) {
    case 1: {
      p.out += `\n\t    Router LSA Options: [${bitTok(RLA_FLAGS, p.u8(b), "none")}]`;
      const count = p.u16(b + 2);
      p.need(b + 4, 12);
      let rl = b + 4;
      for (let i = count; i !== 0; i--) {
        p.need(rl, 12);
        const lt = p.u8(rl + 8);
        const what = lt === 4
          ? "Virtual Link: Neighbor Router-ID: %, Interface Address: "
          : lt === 1
          ? "Neighbor Router-ID: %, Interface Address: "
          : lt === 2
          ? "Neighbor Network-ID: %, Interface Address: "
          : lt === 3
          ? "Stub Network: %, Mask: "
          : "";
        if (what === "") {
          p.out += `\n\t      Unknown Router Link Type (${lt})`;
          return end;
        }
        p.out += `\n\t      ${what.replace("%", p.ip4(rl))}${p.ip4(rl + 4)}`;
        // The link's own metric, then its extra topologies.
        const tosCount = p.u8(rl + 9);
        for (let t = 0; t <= tosCount; t++) {
          const m = rl + 8 + 4 * t;
          const tt = t ? p.u8(m) : 0;
          p.out += `\n\t\ttopology ${topology(tt)}, metric ${p.u16(m + 2)}`;
        }
        rl += 12 + 4 * tosCount;
      }
      break;
    }
    case 2:
      p.out += `\n\t    Mask ${p.ip4(b)}\n\t    Connected Routers:`;
      for (let a = b + 4; a < end; a += 4) p.out += `\n\t      ${p.ip4(a)}`;
      break;
    case 3:
    case 4:
      if (type === 3) {
        p.need(b, 4);
        p.out += `\n\t    Mask ${p.ip4(b)}`;
      }
      p.need(b + 4, 4);
      for (let m = b + 4; m < end; m += 4) {
        const ul = p.u32(m);
        p.out += `\n\t\ttopology ${topology((ul >>> 24) & 0x7f)} metric ${ul & 0xffffff}`;
      }
      break;
    case 5:
    case 7:
      p.need(b, 4);
      p.out += `\n\t    Mask ${p.ip4(b)}`;
      p.need(b + 4, 4);
      for (let m = b + 4; m < end; m += 12) {
        const ul = p.u32(m);
        p.out += `\n\t\ttopology ${topology((ul >>> 24) & 0x7f)}, type ${
          ul & 0x80000000 ? 2 : 1
        }, metric`;
        p.out += (ul & 0xffffff) === 0xffffff ? " infinite" : ` ${ul & 0xffffff}`;
        if (p.u32(m + 4) !== 0) p.out += `, forward ${p.ip4(m + 4)}`;
        if (p.u32(m + 8) !== 0) p.out += `, tag ${p.ip4(m + 8)}`;
      }
      break;
    case 6:
      for (let m = b; m < end; m += 8) {
        const vt = p.u32(m);
        p.out += vt === 1
          ? `\n\t    Router Router-ID ${p.ip4(m + 4)}`
          : vt === 2
          ? `\n\t    Network Designated Router ${p.ip4(m + 4)}`
          : `\n\t    unknown VertexType (${vt})`;
      }
      break;
    case 9:
    case 10:
    case 11:
      switch (p.u8(lsa + 4)) {
        case 4:
          if (!routerInfo(p, b, lsLen)) return end;
          break;
        case 3:
          if (!graceLsa(p, b, lsLen)) return end;
          break;
        case 1:
          if (!teLsa(p, b, lsLen)) return end;
          break;
        default:
          if (p.verbosity <= 1 && !unknownData(p, b, lsLen, "\n\t    ")) return end;
      }
  }
  if (p.verbosity > 1 && !unknownData(p, b, lsLen, "\n\t    ")) return end;
  return end;
}

/** Router information TLVs; false where tcpdump stops the LSA. */
function routerInfo(p: Pkt, t: number, left: number): boolean {
  while (left !== 0) {
    p.need(t, 4);
    if (left < 4) {
      p.out += `\n\t    Remaining LS length ${left} < 4`;
      return false;
    }
    const type = p.u16(t);
    const len = p.u16(t + 2);
    t += 4;
    left -= 4;
    p.out += `\n\t    ${
      type === 1 ? "Router Capabilities" : "unknown"
    } TLV (${type}), length: ${len}, value: `;
    if (len > left) {
      p.out += `\n\t    Bogus length ${len} > remaining LS length ${left}`;
      return false;
    }
    p.need(t, len);
    if (type === 1) {
      if (len !== 4) {
        p.out += `\n\t    Bogus length ${len} != 4`;
        return false;
      }
      p.out += `Capabilities: ${bitTok(RI_CAPS, p.u32(t), "Unknown")}`;
    } else if (p.verbosity <= 1 && !unknownData(p, t, len, "\n\t      ")) {
      return false;
    }
    t += len;
    left -= len;
  }
  return true;
}

/** The link-local signalling block after a hello or DD message (RFC 5613). */
function lls(p: Pkt, off: number, type: number, length: number): void {
  if (type === 1) {
    if (!(p.u8(off + 30) & 0x10)) return;
  } else if (type === 2) {
    if (!(p.u8(off + 26) & 0x10)) return;
  } else {
    return;
  }
  let len2 = p.u16(off + 2);
  let d = off + len2;
  const dataEnd = off + length;
  if (p.u16(off + 14) === 2) {
    d += p.u8(off + 19);
    len2 += p.u8(off + 19);
  }
  if (len2 >= length) {
    p.out += "\n\t[LLS truncated]";
    return;
  }
  p.out += `\n\t  LLS: checksum: 0x${p.u16(d).toString(16).padStart(4, "0")}`;
  d += 2;
  p.out += `, length: ${p.u16(d)}`;
  d += 2;
  while (d < dataEnd) {
    const t = p.u16(d);
    p.out += `\n\t    ${
      t === 1 ? "Extended Options" : t === 2 ? "MD5 Authentication" : "Unknown TLV"
    } (${t})`;
    d += 2;
    let l = p.u16(d);
    p.out += `, length: ${l}`;
    d += 2;
    if (t === 1) {
      if (l !== 4) {
        p.out += " [should be 4]";
        l = 4;
      }
      const f = p.u32(d);
      p.out += `\n\t      Options: 0x${hex8(f)} [${bitTok(LLS_EO, f, "?")}]`;
    } else if (t === 2) {
      if (l !== 20) {
        p.out += " [should be 20]";
        l = 20;
      }
      p.out += `\n\t      Sequence number: 0x${hex8(p.u32(d))}`;
    }
    d += l;
  }
}
