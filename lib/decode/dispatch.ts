/**
 * Which printer decodes what a header announces: by ethertype, by IP protocol, and by well-known
 * UDP or TCP port (tcpdump's ethertype_print, ip_demux_print and the port chains of udp_print and
 * tcp_print). One module per protocol family holds the printers; this one only connects them.
 *
 * Adding a protocol is one new module and one registration line:
 *   1. Write `lib/decode/<family>.ts` exporting a printer of the type its carrier calls:
 *      {@link EtherPrinter} (an ethertype's payload), {@link IpPrinter} (an IP payload) or
 *      {@link PortPrinter} (a UDP or TCP payload). It appends tcpdump's text to `p.out`, sets
 *      `p.proto` to its name first (a truncation prints ` [|name]`), reads the frame only through
 *      Pkt's bounds-checked reads (printer.ts), and allocates nothing but its text. Without -e
 *      (`p.link` false) an ethertype's printer also prints its own prefix (`ARP, `, `IP `), as
 *      tcpdump's printers do. Where tcpdump's printer calls ND_DEFAULTPRINT or
 *      print_unknown_data on what it does not decode, call `p.defaultPrint` or `p.unknownData`.
 *      State across packets (like TCP's connections) lives in the Decoder, reached through `p`.
 *   2. Add one line to the registrations at the bottom of this file:
 *      `ethertype(0x88cc, lldp)`, `ipProtocol(47, gre)`, `udpPort(53, dns)`,
 *      `tcpPort(179, bgp)`; what an LLC header carries: `llcSap(0x42, stp)` (both SAPs, a UI
 *      frame) and `snapProtocol(0x00000c, 0x2000, cdp)` (a SNAP header's OUI and PID; OUI 0
 *      takes the ethertype registrations). UDP and TCP ports are tried in the order of tcpdump's
 *      if-chains (udp_print, tcp_print: {@link UDP_CHAIN}, {@link TCP_CHAIN}), whatever order
 *      they are registered in: the first port of the chain matching the source or destination
 *      port wins (`{ side: "dst" }` or `"src"` where tcpdump tests one port only), even one no
 *      printer here decodes. A port tcpdump does not test comes after those it does, in the
 *      order registered.
 *   3. Add frames of it to the tests: tests/unit/decode_corpus_test.ts measures the corpus per
 *      protocol; add the protocol's floors there.
 *
 * A printer is reached only from here, so the modules import this one and not each other
 * (except for headers they quote or carry: ICMP quotes IPv4, a tunnel carries Ethernet).
 *
 * @module
 */
import { ahcp } from "./ahcp.ts";
import { aoe } from "./aoe.ts";
import { arp } from "./arp.ts";
import { babel } from "./babel.ts";
import { bfd } from "./bfd.ts";
import { bgp } from "./bgp.ts";
import { bootp } from "./bootp.ts";
import { cfm } from "./cfm.ts";
import { cdp, dtp, udld, vtp } from "./cisco.ts";
import { dccp } from "./dccp.ts";
import { decnet } from "./decnet.ts";
import { dhcp6Udp } from "./dhcp6.ts";
import { dnsTcp, dnsUdp, mdnsUdp } from "./dns.ts";
import { eapol } from "./eap.ts";
import { eigrp } from "./eigrp.ts";
import { hsrp, vrrp } from "./fhrp.ts";
import { calmFast, geonet } from "./geonet.ts";
import { bcmLi, gre, ipEthernet, mobile } from "./gre.ts";
import { hncp } from "./hncp.ts";
import { icmp } from "./icmp.ts";
import { icmp6 } from "./icmp6.ts";
import { igmp } from "./igmp.ts";
import { ipv4 } from "./ip.ts";
import { ipv6, noNextHeader } from "./ip6.ts";
import { ah, esp, ipcomp } from "./ipsec.ts";
import { ipx8022, ipx8023, ipxEthertype } from "./ipx.ts";
import { isakmpUdp, natTraversal } from "./isakmp.ts";
import { isoclns, isoEthertype } from "./isis.ts";
import { krb } from "./krb.ts";
import { ldp } from "./ldp.ts";
import { lisp } from "./lisp.ts";
import { lldp } from "./lldp.ts";
import { loopback } from "./loopback.ts";
import { lwappData, lwappFromController, lwappToController } from "./lwapp.ts";
import { mpls } from "./mpls.ts";
import { ntp, timed } from "./ntp.ts";
import { openflow } from "./openflow.ts";
import { ospf } from "./ospf.ts";
import { geneve, otv, vxlan, vxlanGpe } from "./overlay.ts";
import { pgm } from "./pgm.ts";
import { autoRp, pim } from "./pim.ts";
import { pppEthertype } from "./ppp.ts";
import { pppoe } from "./pppoe.ts";
import { pptp } from "./pptp.ts";
import type { IpInfo, Pkt } from "./printer.ts";
import { ptp } from "./ptp.ts";
import { radius } from "./radius.ts";
import { rip, ripng } from "./rip.ts";
import { rpkiRtr } from "./rpki.ts";
import { rx } from "./rx.ts";
import { sflow } from "./sflow.ts";
import { slow } from "./slow.ts";
import { snmp } from "./snmp.ts";
import { stp } from "./stp.ts";
import { tcp } from "./tcp.ts";
import { ftp, http, rtsp, sip, smtp, ssh, whois } from "./txtproto.ts";
import { udp } from "./udp.ts";
import { someip, syslog, tftp } from "./udpapps.ts";

/** Prints the payload an ethertype announces at `off`, `length` bytes on the wire. */
export type EtherPrinter = (p: Pkt, off: number, length: number) => void;

/** Prints an IP payload at `off`, `length` bytes by the IP header `info` in front of it. */
export type IpPrinter = (p: Pkt, off: number, length: number, info: IpInfo) => void;

/**
 * Prints a UDP or TCP payload at `off` (past the transport header), `length` bytes. It is
 * called after the transport printed `src.sport > dst.dport: ` (UDP) or its summary up to
 * `, length N` (TCP, only when the segment carries data), as tcpdump calls its printers.
 */
export type PortPrinter = (
  p: Pkt,
  off: number,
  length: number,
  info: IpInfo,
  sport: number,
  dport: number,
) => void;

/** Which port of a datagram a registration tests (tcpdump: IS_SRC_OR_DST_PORT, or one). */
export interface PortMatch {
  side?: "either" | "src" | "dst";
}

const byEthertype = new Map<number, EtherPrinter>();
const bySap = new Map<number, EtherPrinter>();
const bySnap = new Map<number, EtherPrinter>();
const byIpProtocol: (IpPrinter | undefined)[] = new Array(256).fill(undefined);
/**
 * IP protocols whose printer prints the addresses itself (`src.port > dst.port: `), so the IP
 * printer leaves them out (tcpdump: TCP, UDP, DCCP and SCTP).
 */
const ownAddresses = new Set([6, 17, 33, 132]);

/**
 * The ports udp_print tests, in its order (tcpdump 4.99.3, print-udp.c; 7000-7009 is AFS/rx).
 * A port's printer ranks by its place here, so two printers whose ports both match a datagram
 * are chosen as tcpdump chooses.
 */
export const UDP_CHAIN = [
  53,
  5353,
  525,
  69,
  68,
  67,
  520,
  654,
  500,
  4500,
  7500,
  8500,
  161,
  162,
  123,
  88,
  750,
  1701,
  137,
  138,
  3456,
  2103,
  2104,
  7000,
  7001,
  7002,
  7003,
  7004,
  7005,
  7006,
  7007,
  7008,
  7009,
  521,
  546,
  547,
  5359,
  6696,
  6697,
  8231,
  4567,
  496,
  1645,
  1812,
  1646,
  1813,
  1700,
  3799,
  1985,
  921,
  646,
  698,
  3503,
  49152,
  3784,
  4784,
  6784,
  3785,
  701,
  1589,
  6343,
  12223,
  12222,
  5060,
  514,
  8472,
  4789,
  6081,
  4342,
  4790,
  17754,
  6635,
  319,
  320,
  30490,
];

/** The ports tcp_print tests, in its order (tcpdump 4.99.3, print-tcp.c). */
export const TCP_CHAIN = [
  23,
  25,
  43,
  179,
  1723,
  6379,
  22,
  139,
  445,
  10288,
  6633,
  6653,
  21,
  80,
  8080,
  554,
  8554,
  53,
  639,
  323,
  646,
  2049,
];

/** A port table: per port, the rank (place in tcpdump's chain) of its printer for each side. */
class PortTable {
  readonly printers: PortPrinter[] = [];
  readonly ranks: number[] = [];
  readonly srcRank = new Map<number, number>();
  readonly dstRank = new Map<number, number>();
  readonly #chain: Map<number, number>;

  constructor(chain: number[]) {
    this.#chain = new Map(chain.map((port, i) => [port, i]));
  }

  add(port: number, printer: PortPrinter, side: PortMatch["side"] = "either"): void {
    const index = this.printers.length;
    this.printers.push(printer);
    this.ranks.push(this.#chain.get(port) ?? this.#chain.size + index);
    // A port registered earlier keeps its printer: tcpdump's first test wins.
    if (side !== "dst" && !this.srcRank.has(port)) this.srcRank.set(port, index);
    if (side !== "src" && !this.dstRank.has(port)) this.dstRank.set(port, index);
  }

  /**
   * The printer of the first port in tcpdump's chain that matches. A chain port without a
   * printer here still wins over the ports after it (tcpdump would print its protocol, not
   * theirs): then there is none, and the transport's generic line stands.
   */
  find(sport: number, dport: number): PortPrinter | undefined {
    const s = this.srcRank.get(sport);
    const d = this.dstRank.get(dport);
    const rs = s === undefined ? this.#unclaimedRank(sport) : this.ranks[s];
    const rd = d === undefined ? this.#unclaimedRank(dport) : this.ranks[d];
    // On a tie (LWAPP's control port, tested as destination first) the destination wins.
    if (rs < rd) return s === undefined ? undefined : this.printers[s];
    return d === undefined ? undefined : this.printers[d];
  }

  /** The chain rank of a port no printer here decodes (one tested on one side only: none). */
  #unclaimedRank(port: number): number {
    if (this.srcRank.has(port) || this.dstRank.has(port)) return Infinity;
    return this.#chain.get(port) ?? Infinity;
  }
}

const udpPorts = new PortTable(UDP_CHAIN);
const tcpPorts = new PortTable(TCP_CHAIN);

/** Registers the printer of an ethertype (also what SNAP and GRE headers announce). */
export function ethertype(type: number, printer: EtherPrinter): void {
  byEthertype.set(type, printer);
}

/** Registers the printer of an IP protocol (IPv4 protocol, IPv6 next header). */
export function ipProtocol(proto: number, printer: IpPrinter): void {
  byIpProtocol[proto] = printer;
}

/** Registers a UDP port's printer, after those registered before it. */
export function udpPort(port: number, printer: PortPrinter, match: PortMatch = {}): void {
  udpPorts.add(port, printer, match.side);
}

/** Registers a TCP port's printer, after those registered before it. */
export function tcpPort(port: number, printer: PortPrinter, match: PortMatch = {}): void {
  tcpPorts.add(port, printer, match.side);
}

/**
 * Registers the printer of what an LLC header with these SAPs (source and destination alike,
 * a UI frame) carries; 0xff (global): Novell's raw 802.3 IPX, which has no LLC header.
 */
export function llcSap(sap: number, printer: EtherPrinter): void {
  bySap.set(sap, printer);
}

/**
 * Registers the printer of a SNAP header's protocol under an organisation code other than the
 * ethertype ones (0x000000 and Cisco's 0x0000f8 carry ethertypes: see {@link ethertype}).
 */
export function snapProtocol(oui: number, pid: number, printer: EtherPrinter): void {
  bySnap.set(oui * 0x10000 + pid, printer);
}

/** The printer of an LLC SAP, if one is registered. */
export function llcSapPrinter(sap: number): EtherPrinter | undefined {
  return bySap.get(sap);
}

/** The printer of a SNAP protocol, if one is registered. */
export function snapPrinter(oui: number, pid: number): EtherPrinter | undefined {
  return bySnap.get(oui * 0x10000 + pid);
}

/** The printer of an ethertype, if one is registered. */
export function etherTypePrinter(type: number): EtherPrinter | undefined {
  return byEthertype.get(type);
}

/** The printer of a UDP payload between these ports, if any. */
export function udpPortPrinter(sport: number, dport: number): PortPrinter | undefined {
  return udpPorts.find(sport, dport);
}

/** The printer of a TCP payload between these ports, if any. */
export function tcpPortPrinter(sport: number, dport: number): PortPrinter | undefined {
  return tcpPorts.find(sport, dport);
}

/** Whether the printer of this IP protocol prints the addresses itself. */
export function printsOwnAddresses(proto: number): boolean {
  return ownAddresses.has(proto);
}

/** Hands an IP payload to its protocol's printer (tcpdump's ip_demux_print). */
export function ipDemux(p: Pkt, proto: number, off: number, len: number, info: IpInfo): void {
  const printer = byIpProtocol[proto];
  if (printer !== undefined) printer(p, off, len, info);
  else p.out += ` ip-proto-${proto} ${len}`;
}

// ---------------------------------------------------------------------------------------------
// Registrations: one line per protocol. Ports in tcpdump's order (print-udp.c, print-tcp.c).

ethertype(0x0800, ipv4);
ethertype(0x86dd, ipv6);
ethertype(0x0806, arp);
ethertype(0x8035, arp);

ipProtocol(1, icmp);
ipProtocol(4, ipv4);
ipProtocol(6, tcp);
ipProtocol(17, udp);
ipProtocol(41, ipv6);
ipProtocol(58, icmp6);
ipProtocol(59, noNextHeader);

// IP-level protocols, tunnels and routing (gre.ts ...).
ipProtocol(47, gre);
ipProtocol(55, mobile);
ipProtocol(143, ipEthernet);
ipProtocol(50, esp);
ipProtocol(51, ah);
ipProtocol(108, ipcomp);
ipProtocol(112, vrrp);
udpPort(1985, hsrp, { side: "dst" });
ipProtocol(2, igmp);
ipProtocol(103, pim);
udpPort(496, autoRp);
ipProtocol(89, ospf);
udpPort(6696, babel);
udpPort(6697, babel);
udpPort(49152, bcmLi, { side: "src" });
udpPort(3784, bfd, { side: "dst" });
udpPort(4784, bfd, { side: "dst" });
udpPort(6784, bfd, { side: "dst" });
udpPort(3785, bfd, { side: "dst" });
ipProtocol(88, eigrp);
tcpPort(179, bgp);
tcpPort(1723, pptp);
tcpPort(6633, openflow);
tcpPort(6653, openflow);
tcpPort(323, rpkiRtr);
tcpPort(646, ldp);
udpPort(646, ldp);
udpPort(520, rip);
udpPort(521, ripng);
udpPort(4342, lisp);
ipProtocol(113, pgm);
ipProtocol(33, dccp);

// Link layer (llc.ts and the modules of what rides on it or on its own ethertype). LLC SAPs
// (both the same, a UI frame), then SNAP protocols, then ethertypes, then UDP ports.
llcSap(0x06, ipv4);
llcSap(0x42, stp);
llcSap(0xe0, ipx8022);
llcSap(0xfe, isoclns);
llcSap(0xff, ipx8023); // Novell raw 802.3: no LLC header
snapProtocol(0x00000c, 0x0111, udld);
snapProtocol(0x00000c, 0x010b, stp); // Cisco PVST+
snapProtocol(0x00000c, 0x010c, stp); // Cisco VLAN bridge
snapProtocol(0x00000c, 0x2000, cdp);
snapProtocol(0x00000c, 0x2003, vtp);
snapProtocol(0x00000c, 0x2004, dtp);
snapProtocol(0x0080c2, 0x000e, stp); // bridged BPDUs (RFC 2684)
ethertype(0x0707, geonet); // the old GeoNetworking type
ethertype(0x1111, calmFast);
ethertype(0x3c12, pppoe); // 3Com's discovery and session types
ethertype(0x3c13, pppoe);
ethertype(0x6003, decnet);
ethertype(0x8137, ipxEthertype);
ethertype(0x8809, slow);
ethertype(0x880b, pppEthertype);
ethertype(0x8847, mpls);
ethertype(0x8848, mpls);
ethertype(0x8863, pppoe);
ethertype(0x8864, pppoe);
ethertype(0x888e, eapol);
ethertype(0x88a2, aoe);
ethertype(0x88cc, lldp);
ethertype(0x88f7, ptp);
ethertype(0x8902, cfm);
ethertype(0x8947, geonet);
ethertype(0x9000, loopback);
ethertype(0xabcd, cfm); // CFM's old type
ethertype(0xfefe, isoEthertype); // OSI in Cisco HDLC
udpPort(6635, mpls); // late in tcpdump's chain, as registered last here
udpPort(319, ptp);
udpPort(320, ptp);

// Applications over UDP and TCP, overlays (DNS, AFS, ISAKMP, DHCP, NTP, VXLAN, Geneve, ...).
udpPort(53, dnsUdp);
udpPort(5353, mdnsUdp);
tcpPort(53, dnsTcp);
for (let port = 7000; port <= 7009; port++) udpPort(port, rx);
udpPort(88, krb);
udpPort(750, krb);
udpPort(500, isakmpUdp);
udpPort(4500, natTraversal);
udpPort(7500, isakmpUdp);
udpPort(8500, isakmpUdp);
udpPort(4789, vxlan);
udpPort(6081, geneve);
udpPort(4790, vxlanGpe);
udpPort(8472, otv);
tcpPort(21, ftp);
tcpPort(22, ssh);
tcpPort(25, smtp);
tcpPort(43, whois);
tcpPort(80, http);
tcpPort(8080, http);
tcpPort(554, rtsp);
tcpPort(8554, rtsp);
udpPort(5060, sip);
udpPort(67, bootp);
udpPort(68, bootp);
udpPort(546, dhcp6Udp);
udpPort(547, dhcp6Udp);
udpPort(123, ntp);
udpPort(525, timed);
udpPort(6343, sflow);
for (const port of [1645, 1812, 1646, 1813, 1700, 3799]) udpPort(port, radius);
udpPort(514, syslog);
udpPort(69, tftp);
udpPort(12223, lwappToController, { side: "dst" });
udpPort(12223, lwappFromController, { side: "src" });
udpPort(12222, lwappData);
udpPort(8231, hncp);
udpPort(161, snmp);
udpPort(162, snmp);
udpPort(5359, ahcp);
udpPort(30490, someip);
