/**
 * What TCP, UDP and the other transports share: the address-and-port prefix of their line, and
 * the Internet checksum over the IPv4 or IPv6 pseudo-header.
 *
 * @module
 */
import type { IpInfo, Pkt } from "./printer.ts";
import { finishSum, ip4PseudoSum, ip6PseudoSum, sumWords } from "./verbose.ts";

/**
 * The Internet checksum of `len` transport bytes at `off` with the IP pseudo-header; of the
 * first `covered` of them only, where the protocol limits its coverage (DCCP).
 */
export function transportSum(
  p: Pkt,
  off: number,
  len: number,
  proto: number,
  info: IpInfo,
  covered = len,
): number {
  const pseudo = info.v6
    ? ip6PseudoSum(p.d, info.at, p.end, proto, len)
    : ip4PseudoSum(p.d, info.at, p.end, proto, len);
  return finishSum(sumWords(p.d, off, covered, pseudo));
}

/**
 * The "src.sport > dst.dport: " in front of a TCP/UDP summary. Like tcpdump, addresses are left
 * out when the IP header's own protocol field is not this transport (IPv6 extension headers in
 * between), and ports when they could not be read.
 */
export function transportAddrs(info: IpInfo, proto: number, sport: number, dport: number): string {
  if (info.firstProto === proto) {
    return sport < 0
      ? `${info.src} > ${info.dst}: `
      : `${info.src}.${sport} > ${info.dst}.${dport}: `;
  }
  return sport < 0 ? "" : `${sport} > ${dport}: `;
}
