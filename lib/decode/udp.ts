/**
 * UDP (tcpdump's print-udp.c): ports, length checks, the IPv6 checksum with -v, then the payload
 * by well-known port through the dispatch, or `UDP, length N`.
 *
 * @module
 */
import { udpPortPrinter } from "./dispatch.ts";
import { hex4, type IpInfo, type Pkt, TRUNCATED } from "./printer.ts";
import { transportAddrs, transportSum } from "./transport.ts";
import { cksumShouldBe } from "./verbose.ts";

/** The UDP datagram at `off`, `length` bytes by the IP header in front (`info`). */
export function udp(p: Pkt, off: number, length: number, info: IpInfo): void {
  p.proto = "udp";
  if (!p.has(off, 4)) {
    p.out += transportAddrs(info, 17, -1, -1);
    throw TRUNCATED;
  }
  const sport = p.u16(off);
  const dport = p.u16(off + 2);
  const addrs = transportAddrs(info, 17, sport, dport);
  if (length < 8) {
    p.out += `${addrs}truncated-udp ${length}`;
    return;
  }
  if (!p.has(off + 4, 2)) {
    p.out += addrs;
    throw TRUNCATED;
  }
  let ulen = p.u16(off + 4);
  if (ulen === 0 && length > 65535) ulen = length; // IPv6 jumbogram
  if (ulen < 8) {
    p.out += `${addrs}truncated-udplength ${ulen}`;
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  p.out += addrs;
  p.need(off, 8);
  // tcpdump -v checks UDP checksums over IPv6 only (over IPv4 from -vv on, where 0 is none).
  if (p.verbose && !info.fragmented && (info.v6 || p.verbosity > 1)) {
    const carried = p.u16(off + 6);
    if (!info.v6 && carried === 0) {
      p.out += "[no cksum] ";
    } else if (p.has(off + 8, length)) {
      const sum = transportSum(p, off, length + 8, 17, info);
      p.out += sum === 0
        ? "[udp sum ok] "
        : `[bad udp cksum 0x${hex4(carried)} -> 0x${hex4(cksumShouldBe(carried, sum))}!] `;
    }
  }
  // tcpdump -q names no application.
  const app = p.quiet ? undefined : udpPortPrinter(sport, dport);
  if (app !== undefined) {
    app(p, off + 8, length, info, sport, dport);
    return;
  }
  p.out += ulen > length && !info.fragmented
    ? `UDP, bad length ${ulen} > ${length}`
    : `UDP, length ${ulen}`;
}
