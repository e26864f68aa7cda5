/**
 * ARP and RARP (tcpdump's print-arp.c), also Frame Relay (Q.922 DLCI) and ATM ARP (RFC 2225).
 *
 * @module
 */
import { ETHERTYPES } from "./ethertypes.ts";
import { hex4, hexBytes, type Pkt } from "./printer.ts";

const ARP_HARDWARE: Record<number, string> = {
  1: "Ethernet",
  6: "TokenRing",
  7: "ArcNet",
  15: "FrameRelay",
  19: "ATM",
  23: "Strip",
  24: "IEEE 1394",
  32: "InfiniBand",
};

const ARP_OPS: Record<number, string> = {
  1: "Request",
  2: "Reply",
  3: "Reverse Request",
  4: "Reverse Reply",
  8: "Inverse Request",
  9: "Inverse Reply",
  10: "NACK Reply",
};

export function arp(p: Pkt, off: number, length: number): void {
  p.proto = "arp";
  p.need(off, 8);
  const hrd = p.u16(off);
  // ATM ARP (RFC 2225) lays its addresses out differently.
  if (hrd === 19) {
    atmArp(p, off, length);
    return;
  }
  const pro = p.u16(off + 2);
  const hln = p.u8(off + 4);
  const pln = p.u8(off + 5);
  const op = p.u16(off + 6);
  const sha = off + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  p.need(tpa, pln);
  if (!p.link) p.out += "ARP, ";
  const ipv4Like = (pro === 0x0800 || pro === 0x1000) && pln === 4;
  if (!ipv4Like || hln === 0 || p.verbose) {
    p.out += `${ARP_HARDWARE[hrd] ?? `Unknown Hardware (${hrd})`} (len ${hln}), ` +
      `${ETHERTYPES[pro] ?? `Unknown Protocol (0x${hex4(pro)})`} (len ${pln})`;
    // Without -v tcpdump stops at addresses it does not know how to print; -v goes on.
    if (!p.verbose) {
      p.out += `, length ${length}`;
      return;
    }
    p.out += ", ";
  }
  const hw = (i: number): string => linkAddr(p, hrd, i, hln);
  const ip = (i: number): string =>
    pro !== 0x0800 && pro !== 0x1000 ? "<wrong proto type>" : pln !== 4 ? "<wrong len>" : p.ip4(i);
  p.out += `${ARP_OPS[op] ?? `Unknown (${op})`} `;
  switch (op) {
    case 1: {
      let zero = true;
      for (let k = 0; k < hln; k++) if (p.d[tha + k] !== 0) zero = false;
      p.out += `who-has ${ip(tpa)}${zero ? "" : ` (${hw(tha)})`} tell ${ip(spa)}`;
      break;
    }
    case 2:
      p.out += `${ip(spa)} is-at ${hw(sha)}`;
      break;
    case 3:
    case 8:
      p.out += `who-is ${hw(tha)} tell ${hw(sha)}`;
      break;
    case 4:
      p.out += `${hw(tha)} at ${ip(tpa)}`;
      break;
    case 9:
      p.out += `${hw(sha)} at ${ip(spa)}`;
      break;
    default:
      p.defaultPrint(off, p.end - off, true);
      return;
  }
  p.out += `, length ${length}`;
}

/** ATM ARP (RFC 2225): type/length bytes for ATM number, subaddress and protocol address. */
function atmArp(p: Pkt, off: number, length: number): void {
  p.need(off, 12);
  const pro = p.u16(off + 2);
  const shl = p.d[off + 4] & 0x3f;
  const ssl = p.d[off + 5] & 0x3f;
  const op = p.u16(off + 6);
  const spl = p.d[off + 8];
  const thl = p.d[off + 9] & 0x3f;
  const tsl = p.d[off + 10] & 0x3f;
  const tpl = p.d[off + 11];
  const sha = off + 12;
  const ssa = sha + shl;
  const spa = ssa + ssl;
  const tha = spa + spl;
  const tsa = tha + thl;
  const tpa = tsa + tsl;
  p.need(tpa, tpl);
  if (!p.link) p.out += "ARP, ";
  const ipLike = pro === 0x0800 || pro === 0x1000;
  if (!ipLike || spl !== 4 || tpl !== 4) {
    p.out += `ATM, ${ETHERTYPES[pro] ?? `Unknown Protocol (0x${hex4(pro)})`} ` +
      `(len ${spl}/${tpl}), length ${length}`;
    return;
  }
  const atm = (ha: number, hl: number, sa: number, sl: number): string => {
    if (hl === 0) return "<No address>";
    return hexBytes(p.d, ha, hl, ":") + (sl !== 0 ? `,${hexBytes(p.d, sa, sl, ":")}` : "");
  };
  p.out += `${ARP_OPS[op] ?? `Unknown (${op})`} `;
  switch (op) {
    case 1:
      p.out += `who-has ${p.ip4(tpa)}${thl !== 0 ? ` (${atm(tha, thl, tsa, tsl)})` : ""} tell ` +
        p.ip4(spa);
      break;
    case 2:
      p.out += `${p.ip4(spa)} is-at ${atm(sha, shl, ssa, ssl)}`;
      break;
    case 8:
      p.out += `who-is ${atm(tha, thl, tsa, tsl)} tell ${atm(sha, shl, ssa, ssl)}`;
      break;
    case 9:
      p.out += `${atm(sha, shl, ssa, ssl)}at ${p.ip4(spa)}`; // sic: tcpdump omits the space
      break;
    case 10:
      p.out += `for ${p.ip4(spa)}`;
      break;
    default:
      p.defaultPrint(off, p.end - off, true);
      return;
  }
  p.out += `, length ${length}`;
}

/** A hardware address in an ARP packet: Frame Relay DLCI, or hex bytes. */
function linkAddr(p: Pkt, hrd: number, i: number, n: number): string {
  p.need(i, n);
  if (n === 0) return "<empty>";
  if (hrd === 15) return q922(p.d, i, n);
  return hexBytes(p.d, i, n, ":");
}

/** A Frame Relay (Q.922) address, 2 to 4 bytes ended by the EA bit, as "DLCI n". */
function q922(d: Uint8Array, i: number, n: number): string {
  const invalid = "<Invalid DLCI>";
  const short = "<Truncated>";
  if (n < 1) return short;
  if (d[i] & 0x01) return invalid;
  if (n < 2) return short;
  let dlci = ((d[i] & 0xfc) << 2) | ((d[i + 1] & 0xf0) >> 4);
  if (d[i + 1] & 0x01) return `DLCI ${dlci}`;
  let k = i + 2;
  let left = n - 2;
  if (left < 1) return short;
  if ((d[k] & 0x01) === 0) {
    dlci = (dlci << 7) | (d[k] >> 1);
    k++;
    left--;
  }
  if (left < 1) return short;
  if ((d[k] & 0x01) === 0) return invalid;
  return `DLCI ${(dlci << 6) | (d[k] >> 2)}`;
}
