/**
 * Cisco's EIGRP (IP protocol 88; tcpdump's print-eigrp.c): the opcode line, and at -v the
 * header and its TLVs (parameters, software version, IPv4 and AppleTalk routes).
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { type BitTok, bitTok } from "./text.ts";
import { unknownData } from "./tlv.ts";

const OPCODES: Record<number, string> = {
  1: "Update",
  3: "Query",
  4: "Reply",
  5: "Hello",
  6: "IPX SAP",
  7: "Probe",
};
const FLAGS: BitTok = [
  [0x01, "Init"],
  [0x02, "Conditionally Received"],
  [0x04, "Restart"],
  [0x08, "End-of-Table"],
];
const TLVS: Record<number, string> = {
  0x0001: "General Parameters",
  0x0002: "Authentication",
  0x0003: "Sequence",
  0x0004: "Software Version",
  0x0005: "Next Multicast Sequence",
  0x0102: "IP Internal routes",
  0x0103: "IP External routes",
  0x0202: "AppleTalk Internal routes",
  0x0203: "AppleTalk External routes",
  0x0204: "AppleTalk Cable setup",
  0x0302: "IPX Internal routes",
  0x0303: "IPX External routes",
};
const EXT_PROTOCOLS = [
  "unknown",
  "IGRP",
  "EIGRP",
  "Static",
  "RIP",
  "Hello",
  "OSPF",
  "IS-IS",
  "EGP",
  "BGP",
  "IDRP",
  "Connected",
];
/** The fixed size of each TLV type's body (for tcpdump's "too short" check). */
const BODY_SIZES: Record<number, number> = {
  0x0001: 8,
  0x0004: 4,
  0x0102: 22,
  0x0103: 42,
  0x0204: 8,
  0x0202: 24,
  0x0203: 40,
};

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** EIGRP (tcpdump's eigrp_print). */
export function eigrp(p: Pkt, off: number, len: number): void {
  p.proto = "eigrp";
  p.check(off, 20);
  const version = p.d[off];
  if (version !== 2) {
    p.out += `EIGRP version ${version} packet not supported`;
    return;
  }
  const op = p.d[off + 1];
  if (!p.verbose) {
    p.out += `EIGRP ${OPCODES[op] ?? `unknown (${op})`}, length: ${len}`;
    return;
  }
  if (len < 20) {
    p.out += `EIGRP ${OPCODES[op] ?? `unknown (${op})`}, length: ${len} (too short, < 20)`;
    return;
  }
  let tlen = len - 20;
  p.out += `\n\tEIGRP v${version}, opcode: ${OPCODES[op] ?? `unknown, type: ${op}`} (${op}), ` +
    `chksum: 0x${p.u16(off + 2).toString(16).padStart(4, "0")}, Flags: [${
      bitTok(FLAGS, p.u32(off + 4), "none")
    }]\n\tseq: 0x${hex8(p.u32(off + 8))}, ack: 0x${hex8(p.u32(off + 12))}, VRID: ${
      p.u16(off + 16)
    }, AS: ${p.u16(off + 18)}, length: ${tlen}`;
  let t = off + 20;
  while (tlen > 0) {
    p.check(t, 4);
    const tl = p.u16(t + 2);
    const type = p.u16(t);
    if (tl < 4 || tl > tlen) {
      unknownData(p, t + 4, tlen, "\n\t    ");
      return;
    }
    p.out += `\n\t  ${TLVS[type] ?? "Unknown"} TLV (0x${
      type.toString(16).padStart(4, "0")
    }), length: ${tl}`;
    const v = t + 4;
    const vl = tl - 4;
    p.check(t, tl);
    const size = BODY_SIZES[type];
    if (size !== undefined && vl < size) {
      p.out += ` (too short, < ${size + 4})`;
    } else {
      tlvBody(p, type, v, vl);
    }
    if (p.verbosity > 1) unknownData(p, v, vl, "\n\t    ");
    t += tl;
    tlen -= tl;
  }
}

function tlvBody(p: Pkt, type: number, v: number, vl: number): void {
  switch (type) {
    case 0x0001:
      p.out += `\n\t    holdtime: ${p.u16(v + 6)}s, k1 ${p.u8(v)}, k2 ${p.u8(v + 1)}, k3 ${
        p.u8(v + 2)
      }, k4 ${p.u8(v + 3)}, k5 ${p.u8(v + 4)}`;
      return;
    case 0x0004:
      p.out += `\n\t    IOS version: ${p.u8(v)}.${p.u8(v + 1)}, EIGRP version ${p.u8(v + 2)}.${
        p.u8(v + 3)
      }`;
      return;
    case 0x0102:
    case 0x0103: {
      const ext = type === 0x0103;
      const m = ext ? v + 20 : v; // the metric block
      const bits = p.u8(m + 20);
      if (bits > 32) {
        p.out += `\n\t    illegal prefix length ${bits}`;
        return;
      }
      const bytes = (bits + 7) >> 3;
      p.need(m + 21, bytes);
      const a = [0, 0, 0, 0];
      for (let i = 0; i < bytes; i++) a[i] = p.d[m + 21 + i];
      p.out += `\n\t    IPv4 prefix: ${a.join(".").padStart(15)}/${bits}, nexthop: `;
      p.out += p.u32(v) === 0 ? "self" : p.ip4(v);
      if (ext) {
        p.out += `\n\t      origin-router ${p.ip4(v + 4)}, origin-as ${
          p.u32(v + 8)
        }, origin-proto ${EXT_PROTOCOLS[p.u8(v + 22)] ?? "unknown"}, flags [0x${
          p.u8(v + 23).toString(16).padStart(2, "0")
        }], tag 0x${hex8(p.u32(v + 12))}, metric ${p.u32(v + 16)}`;
      }
      metrics(p, ext ? v + 24 : v + 4);
      return;
    }
    case 0x0204:
      p.out += `\n\t    Cable-range: ${p.u16(v)}-${p.u16(v + 2)}, Router-ID ${p.u32(v + 4)}`;
      return;
    case 0x0202:
    case 0x0203: {
      const ext = type === 0x0203;
      const cable = ext ? v + 36 : v + 20;
      p.out += `\n\t     Cable-Range: ${p.u16(cable)}-${p.u16(cable + 2)}, nexthop: `;
      p.out += p.u32(v) === 0 ? "self" : `${p.u16(v)}.${p.u16(v + 2)}`;
      if (ext) {
        p.out += `\n\t      origin-router ${p.u32(v + 4)}, origin-as ${
          p.u32(v + 8)
        }, origin-proto ${EXT_PROTOCOLS[p.u8(v + 16)] ?? "unknown"}, flags [0x${
          p.u8(v + 17).toString(16).padStart(2, "0")
        }], tag 0x${hex8(p.u32(v + 12))}, metric ${p.u16(v + 18)}`;
      }
      metrics(p, ext ? v + 20 : v + 4);
      return;
    }
    default:
      if (p.verbosity <= 1) unknownData(p, v, vl, "\n\t    ");
  }
}

/** Delay, bandwidth, MTU, hops, reliability and load at `m`. */
function metrics(p: Pkt, m: number): void {
  p.out += `\n\t      delay ${Math.floor(p.u32(m) / 100)} ms, bandwidth ${p.u32(m + 4)} Kbps, mtu ${
    (p.u8(m + 8) << 16) | p.u16(m + 9)
  }, hop ${p.u8(m + 11)}, reliability ${p.u8(m + 12)}, load ${p.u8(m + 13)}`;
}
