/**
 * The opaque LSAs OSPFv2 and OSPFv3 share (tcpdump's ospf_te_lsa_print and
 * ospf_grace_lsa_print in print-ospf.c): traffic engineering (RFC 3630, with GMPLS and
 * Diffserv-TE sub-TLVs) and graceful restart (RFC 3623) TLVs.
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { bitTok } from "./text.ts";
import {
  DIFFSERV_TE_BC,
  fixed,
  GMPLS_ENCODING,
  GMPLS_LINK_PROTECTION,
  GMPLS_SWITCH_CAP,
  mbps,
  unknownData,
} from "./tlv.ts";

const TE_LINK_SUBTLVS: Record<number, string> = {
  1: "Link Type",
  2: "Link ID",
  3: "Local Interface IP address",
  4: "Remote Interface IP address",
  5: "Traffic Engineering Metric",
  6: "Maximum Bandwidth",
  7: "Maximum Reservable Bandwidth",
  8: "Unreserved Bandwidth",
  9: "Administrative Group",
  11: "Link Local/Remote Identifier",
  14: "Link Protection Type",
  15: "Interface Switching Capability",
  16: "Shared Risk Link Group",
  17: "Bandwidth Constraints",
};
const GRACE_TLVS = ["", "Grace Period", "Graceful restart Reason", "IPv4 interface address"];
const GRACE_REASONS = [
  "Unknown",
  "Software Restart",
  "Software Reload/Upgrade",
  "Control Processor Switch",
];

/** A bandwidth, as tcpdump prints it: "%.3f Mbps". */
function bw(p: Pkt, at: number): string {
  return `${fixed(mbps(p.u32(at)), 3)} Mbps`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/**
 * Whether a TLV header fits at `t` in the `left` bytes of the LSA. tcpdump's checks here end the
 * LSA, not the packet.
 */
function headerFits(p: Pkt, t: number, left: number): boolean {
  if (!p.has(t, 4)) return false;
  if (left < 4) {
    p.out += `\n\t    Remaining LS length ${left} < 4`;
    return false;
  }
  return true;
}

/** Whether a TLV's value of `len` bytes fits in the `left` of the LSA, and is one to decode. */
function valueFits(p: Pkt, type: number, len: number, left: number): boolean {
  if (len > left) {
    p.out += `\n\t    Bogus length ${len} > ${left}`;
    return false;
  }
  return type !== 0 && len !== 0;
}

/** Graceful restart TLVs (tcpdump's ospf_grace_lsa_print); false where it gives up. */
export function graceLsa(p: Pkt, t: number, left: number): boolean {
  while (left > 0) {
    if (!headerFits(p, t, left)) return false;
    const type = p.u16(t);
    let len = p.u16(t + 2);
    t += 4;
    left -= 4;
    p.out += `\n\t    ${GRACE_TLVS[type] || "unknown"} TLV (${type}), length ${len}, value: `;
    if (!valueFits(p, type, len, left)) return false;
    if (!p.has(t, len)) return false;
    switch (type) {
      case 1:
        if (len !== 4) return bogus(p, len, 4);
        p.out += `${p.u32(t)}s`;
        break;
      case 2: {
        if (len !== 1) return bogus(p, len, 1);
        const r = p.u8(t);
        p.out += `${GRACE_REASONS[r] ?? "Unknown"} (${r})`;
        break;
      }
      case 3:
        if (len !== 4) return bogus(p, len, 4);
        p.out += p.ip4(t);
        break;
      default:
        if (p.verbosity <= 1 && !unknownData(p, t, len, "\n\t      ")) return false;
    }
    // Everything in OSPF is 32-bit aligned, TLVs too.
    if (len % 4 !== 0) len += 4 - (len % 4);
    left -= len;
    t += len;
  }
  return true;
}

function bogus(p: Pkt, len: number, want: number): false {
  p.out += `\n\t    Bogus length ${len} != ${want}`;
  return false;
}

/** Traffic engineering TLVs (tcpdump's ospf_te_lsa_print); false where it gives up. */
export function teLsa(p: Pkt, t: number, left: number): boolean {
  while (left !== 0) {
    if (!headerFits(p, t, left)) return false;
    const type = p.u16(t);
    let len = p.u16(t + 2);
    t += 4;
    left -= 4;
    p.out += `\n\t    ${
      type === 1 ? "Router Address" : type === 2 ? "Link" : "unknown"
    } TLV (${type}), length: ${len}`;
    if (!valueFits(p, type, len, left)) return false;
    if (type === 2) {
      // tcpdump walks the link's sub-TLVs with the TLV's own cursor and length: afterwards the
      // LSA's remaining length still counts them.
      const walked = teLink(p, t, len);
      if (walked < 0) return false;
      t += walked;
      len = 0;
    } else if (type === 1) {
      if (len < 4) {
        p.out += `\n\t    TLV length ${len} < 4`;
        return false;
      }
      p.out += `, ${p.ip4(t)}`;
    } else if (p.verbosity <= 1 && !unknownData(p, t, len, "\n\t      ")) {
      return false;
    }
    if (len % 4 !== 0) len += 4 - (len % 4);
    if (len > left) {
      p.out += `\n\t    Bogus padded length ${len} > ${left}`;
      return false;
    }
    left -= len;
    t += len;
  }
  return true;
}

/** The sub-TLVs of a TE link TLV: how far tcpdump's cursor moved, or -1 where it gives up. */
function teLink(p: Pkt, t: number, left: number): number {
  const start = t;
  const invalid = (what: string): number => {
    p.out += `${what} (invalid)`;
    return -1;
  };
  while (left !== 0) {
    if (left < 4) {
      p.out += `\n\t    Remaining TLV length ${left} < 4`;
      return -1;
    }
    const st = p.u16(t);
    let sl = p.u16(t + 2);
    t += 4;
    left -= 4;
    if (st === 0 || sl === 0) return invalid("");
    p.out += `\n\t      ${TE_LINK_SUBTLVS[st] ?? "unknown"} subTLV (${st}), length: ${sl}`;
    if (left < sl) {
      p.out += `\n\t    Remaining TLV length ${left + 4} < ${sl + 4}`;
      return -1;
    }
    if (!p.has(t, sl)) return -1;
    switch (st) {
      case 9:
        if (sl !== 4) return invalid(" != 4");
        p.out += `, 0x${hex8(p.u32(t))}`;
        break;
      case 2:
      case 11:
        if (sl !== 4 && sl !== 8) return invalid(" != 4 && != 8");
        p.out += `, ${p.ip4(t)} (0x${hex8(p.u32(t))})`;
        if (sl === 8) p.out += `, ${p.ip4(t + 4)} (0x${hex8(p.u32(t + 4))})`;
        break;
      case 3:
      case 4:
        if (sl !== 4) return invalid(" != 4");
        p.out += `, ${p.ip4(t)}`;
        break;
      case 6:
      case 7:
        if (sl !== 4) return invalid(" != 4");
        p.out += `, ${bw(p, t)}`;
        break;
      case 8:
        if (sl !== 32) return invalid(" != 32");
        for (let c = 0; c < 8; c++) p.out += `\n\t\tTE-Class ${c}: ${bw(p, t + 4 * c)}`;
        break;
      case 17: {
        if (sl < 4) return invalid(" < 4");
        const model = p.u8(t);
        p.out += `\n\t\tBandwidth Constraints Model ID: ${
          DIFFSERV_TE_BC[model] ?? "unknown"
        } (${model})`;
        if (sl % 4 !== 0) return invalid(`\n\t\tlength ${sl} != N x 4`);
        if (sl > 36) return invalid(`\n\t\tlength ${sl} > 36`);
        for (let c = 0; c < (sl - 4) / 4; c++) {
          p.out += `\n\t\t  Bandwidth constraint CT${c}: ${bw(p, t + 4 + 4 * c)}`;
        }
        break;
      }
      case 5:
        if (sl !== 4) return invalid(" != 4");
        p.out += `, Metric ${p.u32(t)}`;
        break;
      case 14:
        if (sl !== 4) return invalid(" != 4");
        p.out += `, ${bitTok(GMPLS_LINK_PROTECTION, p.u8(t), "none")}`;
        break;
      case 15: {
        if (sl < 36) return invalid(" < 36");
        p.out += `\n\t\tInterface Switching Capability: ${GMPLS_SWITCH_CAP[p.u8(t)] ?? "Unknown"}`;
        p.out += `\n\t\tLSP Encoding: ${
          GMPLS_ENCODING[p.u8(t + 1)] ?? "Unknown"
        }\n\t\tMax LSP Bandwidth:`;
        for (let l = 0; l < 8; l++) p.out += `\n\t\t  priority level ${l}: ${bw(p, t + 4 + 4 * l)}`;
        break;
      }
      case 1: {
        if (sl !== 1) return invalid(" != 1");
        const lt = p.u8(t);
        p.out += `, ${lt === 1 ? "Point-to-point" : lt === 2 ? "Multi-Access" : "unknown"} (${lt})`;
        break;
      }
      case 16: {
        if (sl % 4 !== 0) return invalid(" != N x 4");
        let n = sl / 4;
        if (n !== 0) p.out += "\n\t\t  Shared risk group: ";
        // tcpdump's cursor moves over the groups, and then over the sub-TLV again.
        for (; n > 0; t += 4) {
          p.out += `${p.u32(t)}`;
          n--;
          if (n > 0) p.out += ", ";
        }
        break;
      }
      default:
        if (p.verbosity <= 1 && !unknownData(p, t, sl, "\n\t\t")) return -1;
    }
    if (sl % 4 !== 0) sl += 4 - (sl % 4);
    if (left < sl) {
      p.out += `\n\t    Remaining TLV length ${left + 4} < ${sl + 4}`;
      return -1;
    }
    left -= sl;
    t += sl;
  }
  return t - start;
}
