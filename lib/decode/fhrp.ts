/**
 * First-hop redundancy protocols (tcpdump's print-vrrp.c and print-hsrp.c): VRRP v2 and v3 (IP
 * protocol 112) with, at -v, the checksum verdict, the virtual addresses and v2's simple
 * password; Cisco's HSRP v0 (UDP port 1985).
 *
 * @module
 */
import type { IpInfo, Pkt } from "./printer.ts";
import { printjnp, relts } from "./text.ts";
import { transportSum } from "./transport.ts";
import { finishSum, sumWords } from "./verbose.ts";

const VRRP_AUTH = ["none", "simple", "ah"];

/** VRRP (tcpdump's vrrp_print). */
export function vrrp(p: Pkt, off: number, len: number, info: IpInfo): void {
  p.proto = "vrrp";
  p.out += "VRRP";
  const b0 = p.u8(off);
  const version = b0 >> 4;
  const type = b0 & 0x0f;
  p.out += `v${version}, ${type === 1 ? "Advertisement" : `unknown type (${type})`}`;
  const ttl = p.d[info.v6 ? info.at + 7 : info.at + 8];
  if (ttl !== 255) p.out += `, (ttl ${ttl})`;
  if (version < 2 || version > 3 || type !== 1) return;
  p.out += `, vrid ${p.u8(off + 1)}, prio ${p.u8(off + 2)}`;
  let auth = 0;
  if (version === 2) {
    auth = p.u8(off + 4);
    p.out += `, authtype ${VRRP_AUTH[auth] ?? `#${auth}`}`;
    p.out += `, intvl ${p.u8(off + 5)}s, length ${len}`;
  } else {
    const intvl = ((p.u8(off + 4) & 0x0f) << 8) | p.u8(off + 5);
    p.out += `, intvl ${intvl}cs, length ${len}`;
  }
  if (!p.verbose) return;
  const naddrs = p.u8(off + 3);
  if (p.has(off, len)) {
    // v2 sums the message alone, v3 with the IP pseudo-header.
    const bad = version === 2
      ? finishSum(sumWords(p.d, off, len)) !== 0
      : transportSum(p, off, len, 112, info) !== 0;
    if (bad) p.out += `, (bad vrrp cksum ${p.u16(off + 6).toString(16)})`;
  }
  p.out += ", addrs";
  if (naddrs > 1) p.out += `(${naddrs})`;
  p.out += ":";
  let cp = off + 8;
  for (let i = 0; i < naddrs; i++) {
    // The separator is printed with the address, so not when the address is cut.
    const a = info.v6 ? p.ip6(cp) : p.ip4(cp);
    p.out += (i === 0 ? " " : ",") + a;
    cp += info.v6 ? 16 : 4;
  }
  if (version === 2 && auth === 1) {
    p.out += ' auth "';
    printjnp(p, cp, 8);
    p.out += '"';
  }
}

const HSRP_OPS = ["hello", "coup", "resign"];
const HSRP_STATES: Record<number, string> = {
  0: "initial",
  1: "learn",
  2: "listen",
  4: "speak",
  8: "standby",
  16: "active",
};

/** HSRP (tcpdump's hsrp_print), on UDP port 1985. */
export function hsrp(p: Pkt, off: number, len: number): void {
  p.proto = "hsrp";
  const version = p.u8(off);
  p.out += `HSRPv${version}`;
  if (version !== 0) return;
  p.out += "-";
  const op = p.u8(off + 1);
  p.out += `${HSRP_OPS[op] ?? `unknown (${op})`} ${len}: `;
  const state = p.u8(off + 2);
  p.out += `state=${HSRP_STATES[state] ?? `Unknown (${state})`} `;
  p.out += `group=${p.u8(off + 6)} `;
  const reserved = p.u8(off + 7);
  if (reserved !== 0) p.out += `[reserved=${reserved}!] `;
  p.out += `addr=${p.ip4(off + 16)}`;
  if (!p.verbose) return;
  p.out += ` hellotime=${relts(p.u8(off + 3))} holdtime=${relts(p.u8(off + 4))}`;
  p.out += ` priority=${p.u8(off + 5)} auth="`;
  printjnp(p, off + 8, 8);
  p.out += '"';
}
