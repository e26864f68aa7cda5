/**
 * The protocol key of a frame, read from its bytes here, independently of the decoder (so a
 * decoder bug cannot move a record to another group): the ethertype or LLC SAP, then the IP
 * protocol, then a well-known port (`UDP/DNS`, `TCP/BGP`). The differential report groups
 * records by it.
 *
 * @module
 */

const ETHERTYPE_KEYS: Record<number, string> = {
  0x0806: "ARP",
  0x8035: "RARP",
  0x8847: "MPLS",
  0x8848: "MPLS",
  0x8863: "PPPoE-D",
  0x8864: "PPPoE-S",
  0x880b: "PPP",
  0x88cc: "LLDP",
  0x888e: "EAPOL",
  0x8809: "Slow (LACP)",
  0x88e5: "MACsec",
  0x88f7: "PTP",
  0x8137: "IPX",
  0x9000: "Loopback",
  0x8902: "CFM",
  0x88a2: "AoE",
  0x6003: "DECnet",
  0x6004: "LAT",
  0x0707: "GeoNet",
  0x8947: "GeoNet",
  0x894f: "NSH",
  0x6558: "TEB",
  0x8808: "MPCP",
  0x22e9: "DCBX/CFM",
  0x8940: "EVB",
  0x88b5: "local-exp",
};

const IP_PROTO_KEYS: Record<number, string> = {
  1: "ICMP",
  2: "IGMP",
  4: "IP-in-IP",
  33: "DCCP",
  41: "IPv6-in-IP",
  46: "RSVP",
  47: "GRE",
  50: "ESP",
  51: "AH",
  58: "ICMPv6",
  59: "no-next-header",
  88: "EIGRP",
  89: "OSPF",
  103: "PIM",
  112: "VRRP",
  113: "PGM",
  132: "SCTP",
};

const UDP_PORTS: Record<number, string> = {
  53: "DNS",
  5353: "mDNS",
  5355: "LLMNR",
  67: "DHCP",
  68: "DHCP",
  546: "DHCPv6",
  547: "DHCPv6",
  123: "NTP",
  161: "SNMP",
  162: "SNMP",
  514: "syslog",
  69: "TFTP",
  1645: "RADIUS",
  1646: "RADIUS",
  1700: "RADIUS",
  1812: "RADIUS",
  1813: "RADIUS",
  3799: "RADIUS",
  500: "ISAKMP",
  4500: "ISAKMP",
  443: "QUIC",
  5060: "SIP",
  4789: "VXLAN",
  4790: "VXLAN-GPE",
  6081: "Geneve",
  3784: "BFD",
  3785: "BFD",
  4784: "BFD",
  7784: "BFD",
  520: "RIP",
  521: "RIPng",
  137: "NetBIOS",
  138: "NetBIOS",
  319: "PTP",
  320: "PTP",
  6343: "sFlow",
  2055: "cflow",
  6696: "Babel",
  8231: "HNCP",
  1985: "HSRP",
  698: "OLSR",
  654: "AODV",
  4341: "LISP",
  4342: "LISP",
  6635: "MPLS-in-UDP",
  646: "LDP",
  701: "LMP",
  7000: "AFS",
  7001: "AFS",
  7002: "AFS",
  7003: "AFS",
  7004: "AFS",
  7005: "AFS",
  7006: "AFS",
  7007: "AFS",
  7008: "AFS",
  7009: "AFS",
  12222: "LWAPP",
  12223: "LWAPP",
  30490: "SOME/IP",
  921: "LWRES",
  2152: "GTP",
  2123: "GTP",
  1701: "L2TP",
  3503: "LSP-ping",
  8053: "DNS-8053",
};

const TCP_PORTS: Record<number, string> = {
  179: "BGP",
  80: "HTTP",
  8080: "HTTP",
  53: "DNS",
  8053: "DNS-8053",
  22: "SSH",
  21: "FTP",
  23: "telnet",
  25: "SMTP",
  139: "SMB",
  445: "SMB",
  646: "LDP",
  1723: "PPTP",
  6633: "OpenFlow",
  6653: "OpenFlow",
  323: "RPKI-RTR",
  43: "WHOIS",
  5060: "SIP",
  2049: "NFS",
  111: "RPC",
  443: "TLS",
  110: "POP3",
  143: "IMAP",
};

function u16(d: Uint8Array, i: number): number {
  return i + 2 <= d.length ? (d[i] << 8) | d[i + 1] : -1;
}

function portKey(base: string, table: Record<number, string>, d: Uint8Array, at: number): string {
  const sport = u16(d, at);
  const dport = u16(d, at + 2);
  if (sport < 0 || dport < 0) return base;
  const app = table[dport] || table[sport];
  return app ? `${base}/${app}` : base;
}

function ipProtoKey(proto: number, d: Uint8Array, at: number): string {
  if (proto === 6) return portKey("TCP", TCP_PORTS, d, at);
  if (proto === 17) return portKey("UDP", UDP_PORTS, d, at);
  if (proto === 58 && at < d.length && d[at] >= 133 && d[at] <= 137) return "ICMPv6/ND";
  return IP_PROTO_KEYS[proto] ?? `ip-proto-${proto}`;
}

function ip4Key(d: Uint8Array, at: number): string {
  if (at + 20 > d.length) return "IPv4";
  if ((d[at] >> 4) !== 4) return "IPv4";
  if ((u16(d, at + 6) & 0x1fff) !== 0) return "IPv4 fragment";
  return ipProtoKey(d[at + 9], d, at + (d[at] & 0x0f) * 4);
}

function ip6Key(d: Uint8Array, at: number): string {
  if (at + 40 > d.length) return "IPv6";
  let nh = d[at + 6];
  let cp = at + 40;
  for (let n = 0; n < 8 && cp + 8 <= d.length; n++) {
    if (nh === 0 || nh === 43 || nh === 60) {
      nh = d[cp];
      cp += (d[cp + 1] + 1) * 8;
    } else if (nh === 44) {
      if ((u16(d, cp + 2) & 0xfff8) !== 0) return "IPv6 fragment";
      nh = d[cp];
      cp += 8;
    } else {
      break;
    }
  }
  return ipProtoKey(nh, d, cp);
}

function etherTypeKey(type: number, d: Uint8Array, at: number): string {
  if (type === 0x0800) return ip4Key(d, at);
  if (type === 0x86dd) return ip6Key(d, at);
  return ETHERTYPE_KEYS[type] ?? `ethertype 0x${type.toString(16).padStart(4, "0")}`;
}

function llcKey(d: Uint8Array, at: number): string {
  if (at + 3 > d.length) return "LLC";
  const dsap = d[at];
  const ssap = d[at + 1];
  if (dsap === 0xff && ssap === 0xff) return "IPX";
  if (dsap === 0x42) return "STP";
  if (dsap === 0xe0) return "IPX";
  if (dsap === 0xf0) return "NetBIOS";
  if (dsap === 0xfe) return at + 3 < d.length && d[at + 3] === 0x83 ? "IS-IS" : "OSI";
  if (dsap === 0xaa && at + 8 <= d.length) {
    const oui = (d[at + 3] << 16) | (d[at + 4] << 8) | d[at + 5];
    const pid = u16(d, at + 6);
    if (oui === 0) return etherTypeKey(pid, d, at + 8);
    if (oui === 0x00000c) {
      const cisco: Record<number, string> = {
        0x2000: "CDP",
        0x2004: "DTP",
        0x0111: "UDLD",
        0x010b: "STP",
        0x2003: "VTP",
      };
      return cisco[pid] ?? "SNAP";
    }
    return "SNAP";
  }
  return "LLC";
}

/** The protocol key of an Ethernet frame (see the module comment). */
export function protocolKey(d: Uint8Array): string {
  if (d.length < 14) return "short frame";
  let type = u16(d, 12);
  let at = 14;
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) {
    if (at + 4 > d.length) return "VLAN";
    type = u16(d, at + 2);
    at += 4;
  }
  return type <= 1500 ? llcKey(d, at) : etherTypeKey(type, d, at);
}
