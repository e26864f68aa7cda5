/**
 * Overlays over UDP (tcpdump's print-vxlan.c, print-geneve.c, print-vxlan-gpe.c, print-otv.c):
 * VXLAN (4789) and OTV (8472) with the inner Ethernet frame on the next line, Geneve (6081)
 * with its options and the inner packet by ethertype, VXLAN-GPE (4790) by next protocol.
 *
 * @module
 */
import { etherTypePrinter } from "./dispatch.ts";
import { ether } from "./ether.ts";
import { ETHERTYPES } from "./ethertypes.ts";
import { CUT, hex2, type IpInfo, type Pkt } from "./printer.ts";
import { bitTok, bitToks, tok, toks } from "./text.ts";

const GENEVE_FLAGS = bitToks("0x80=O|0x40=C|0x20=R1|0x10=R2|0x08=R3|0x04=R4|0x02=R5|0x01=R6");
const GPE_FLAGS = bitToks("0x08=I|0x04=P|0x02=B|0x01=O");

/**
 * An inner Ethernet frame (tcpdump's ether_print from a tunnel): a frame shorter by its length
 * than what was captured is invalid, one shorter than its header cut.
 */
function innerEther(p: Pkt, off: number, len: number): void {
  p.proto = "ether";
  const caplen = Math.max(0, p.end - off);
  if (len < caplen) {
    p.out += `[length ${len} < caplen ${caplen}] (invalid)`;
    return;
  }
  if (caplen < 14) throw CUT;
  ether(p, off, len);
}

function u24(p: Pkt, at: number): number {
  return (p.u8(at) << 16) | p.u16(at + 1);
}

/** VXLAN (UDP 4789): flags, VNI, then the inner Ethernet frame on a line of its own. */
export function vxlan(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.proto = "vxlan";
  p.out += "VXLAN";
  if (len < 8) {
    p.out += " (invalid)";
    return;
  }
  const flags = p.u8(off);
  p.out += `, flags [${bitTok([[0x08, "I"]], flags, "invalid", "")}] (0x${hex2(flags)}), `;
  p.out += `vni ${u24(p, off + 4)}\n`;
  p.need(off + 7, 1);
  innerEther(p, off + 8, len - 8);
}

/** OTV (UDP 8472): like VXLAN, with overlay and instance. */
export function otv(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.proto = "otv";
  p.out += "OTV, ";
  if (len < 8) {
    p.out += `[length ${len} < 8] (invalid)`;
    p.need(off, len);
    return;
  }
  const flags = p.u8(off);
  p.out += `flags [${flags & 0x08 ? "I" : "."}] (0x${hex2(flags)}), `;
  p.out += `overlay ${u24(p, off + 1)}, `;
  p.out += `instance ${u24(p, off + 4)}\n`;
  p.need(off + 7, 1);
  innerEther(p, off + 8, len - 8);
}

function optionClass(c: number): string {
  switch (c) {
    case 0x0100:
      return "Linux";
    case 0x0101:
      return "Open vSwitch";
    case 0x0102:
      return "Open Virtual Networking (OVN)";
    case 0x0103:
      return "In-band Network Telemetry (INT)";
    case 0x0104:
      return "VMware";
  }
  return c <= 0xff ? "Standard" : c >= 0xfff0 ? "Experimental" : "Unknown";
}

function geneveOptions(p: Pkt, at: number, len: number): void {
  let sep = "";
  while (len > 0) {
    p.out += sep;
    sep = ", ";
    const cls = p.u16(at);
    const type = p.u8(at + 2);
    const olen = 4 + (p.u8(at + 3) & 0x1f) * 4;
    p.out += `class ${optionClass(cls)} (0x${cls.toString(16)}) type 0x${type.toString(16)}` +
      `${type & 0x80 ? "(C)" : ""} len ${olen}`;
    if (olen > len) {
      p.out += " [bad length]";
      return;
    }
    if (p.verbosity > 1 && olen > 4) {
      p.out += " data";
      for (let i = 4; i < olen; i += 4) p.out += ` ${p.u32(at + i).toString(16).padStart(8, "0")}`;
    }
    at += olen;
    len -= olen;
  }
}

/** Geneve (UDP 6081): flags, VNI, options, then the inner packet by its protocol type. */
export function geneve(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.proto = "geneve";
  p.out += "Geneve";
  if (len < 8) {
    p.out += ` [length ${len} < 8] (invalid)`;
    return;
  }
  p.check(off, 8);
  const verOpt = p.d[off];
  if (verOpt >> 6 !== 0) {
    p.out += ` ERROR: unknown-version ${verOpt >> 6}`;
    return;
  }
  const flags = p.d[off + 1];
  const proto = p.u16(off + 2);
  const vni = u24(p, off + 4);
  const reserved = p.d[off + 7];
  p.out += `, Flags [${bitTok(GENEVE_FLAGS, flags, "none", "")}], vni 0x${vni.toString(16)}`;
  if (reserved) p.out += `, rsvd 0x${reserved.toString(16)}`;
  if (p.link) {
    p.out += `, proto ${ETHERTYPES[proto] ?? "unknown"} (0x${proto.toString(16).padStart(4, "0")})`;
  }
  len -= 8;
  const optsLen = (verOpt & 0x3f) * 4;
  if (len < optsLen) {
    p.out += ` truncated-geneve - ${optsLen - len} bytes missing`;
    return;
  }
  p.check(off + 8, optsLen);
  if (optsLen > 0) {
    p.out += ", options [";
    if (p.verbose) geneveOptions(p, off + 8, optsLen);
    else p.out += `${optsLen} bytes`;
    p.out += "]";
  }
  off += 8 + optsLen;
  len -= optsLen;
  p.out += p.verbose ? "\n\t" : ": ";
  const printer = etherTypePrinter(proto);
  if (printer !== undefined) printer(p, off, len);
  else if (proto === 0x6558) innerEther(p, off, len);
  else p.out += `geneve-proto-0x${proto.toString(16)}`;
}

/** VXLAN-GPE (UDP 4790): flags, VNI, then IPv4, IPv6, Ethernet or NSH. */
export function vxlanGpe(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.proto = "vxlan_gpe";
  p.out += "VXLAN-GPE, ";
  if (len < 8) {
    p.out += ` (len ${len} < 8) (invalid)`;
    return;
  }
  p.out += `flags [${bitTok(GPE_FLAGS, p.u8(off), "none", "")}], `;
  const next = p.u8(off + 3);
  const vni = u24(p, off + 4);
  p.need(off + 7, 1);
  p.out += `vni ${vni}`;
  p.out += p.verbose ? "\n    " : ": ";
  const type = [0, 0x0800, 0x86dd, 0, 0x894f][next] ?? 0;
  if (next === 3) {
    innerEther(p, off + 8, len - 8);
    return;
  }
  if (next === 4) return nsh(p, off + 8, len - 8);
  const printer = type ? etherTypePrinter(type) : undefined;
  if (printer !== undefined) printer(p, off + 8, len - 8);
  else if (next < 1 || next > 4) p.out += "ERROR: unknown-next-protocol (invalid)";
}

const NSH_PROTOCOLS = toks(
  "1=IPv4|2=IPv6|3=Ethernet|4=NSH|5=MPLS|254=Experiment 1|255=Experiment 2",
);
const MD_TYPES = toks("0=reserved|1=1|2=2|15=experimental");

/**
 * NSH (tcpdump's print-nsh.c), as VXLAN-GPE carries it: flags, service path and index (-vv
 * the version and next protocol, -vvv TTL, length, MD type and the context headers), then the
 * packet by next protocol. (Its ethertype, 0x894f, is the link layer's to register.)
 */
export function nsh(p: Pkt, bp: number, len: number): void {
  p.proto = "nsh";
  if (len < 8) {
    p.out += ` (packet length ${len} < 8) (invalid)`;
    return;
  }
  const base = p.u32(bp);
  const ver = base >>> 30;
  const length = (base >> 16) & 0x3f;
  const md = (base >> 8) & 0xf;
  const next = base & 0xff;
  p.out += "NSH, ";
  if (p.verbosity > 1) p.out += `ver ${ver}, `;
  if (ver !== 0) return;
  p.out += `flags [${(base >> 28) & 2 ? "O" : "none"}], `;
  if (p.verbosity > 2) {
    p.out += `TTL ${(base >> 22) & 0x3f}, length ${length}, md type ${
      tok(MD_TYPES, md, "unknown (0x%02x)")
    }, `;
  }
  if (p.verbosity > 1) p.out += `next-protocol ${tok(NSH_PROTOCOLS, next, "unknown (0x%02x)")}, `;
  if (len < length * 4) {
    p.out += ` (too many headers for packet length ${len}) (invalid)`;
    return;
  }
  p.out += `service-path-id 0x${u24(p, bp + 4).toString(16).padStart(6, "0")}, `;
  p.out += `service-index 0x${p.u8(bp + 7).toString(16)}`;
  if (length < 2) {
    p.out += " (less than two headers) (invalid)";
    return;
  }
  let at = bp + 8;
  let past = false;
  if (p.verbosity > 2 && md === 1) {
    if (length !== 6) {
      p.out += " (invalid length for the MD type) (invalid)";
      return;
    }
    for (let n = 0; n < 4; n++, at += 4) {
      p.out += `\n        Context[${String(n).padStart(2, "0")}]: 0x${
        p.u32(at).toString(16).padStart(8, "0")
      }`;
    }
    past = true;
  } else if (p.verbosity > 2 && md === 2) {
    for (let n = 0; n < length - 2;) {
      const cls = p.u16(at);
      const type = p.u8(at + 2);
      const tlen = p.u8(at + 3) & 0x7f;
      at += 4;
      const padded = (tlen + 3) & ~3;
      p.out += `\n        TLV Class ${cls}, Type ${type}, Len ${tlen}`;
      n++;
      if (length - 2 < n + padded / 4) {
        p.out += " (length too big) (invalid)";
        return;
      }
      if (tlen) {
        p.out += "\n            Value: ";
        for (let v = 0; v < tlen; v++) p.out += `${v ? ":" : "0x"}${hex2(p.u8(at++))}`;
        p.need(at, padded - tlen);
        at += padded - tlen;
        n += padded / 4;
      }
    }
    past = true;
  }
  if (!past) {
    p.need(at, (length - 2) * 4);
    at += (length - 2) * 4;
  }
  p.out += p.verbose ? "\n    " : ": ";
  const nextLen = len - length * 4;
  if (next === 3) return innerEther(p, at, nextLen);
  const printer = next === 1 || next === 2
    ? etherTypePrinter(next === 1 ? 0x0800 : 0x86dd)
    : undefined;
  if (printer !== undefined) printer(p, at, nextLen);
  else p.out += "ERROR: unknown-next-protocol";
}
