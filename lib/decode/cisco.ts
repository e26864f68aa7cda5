/**
 * Cisco's link-layer protocols on SNAP (OUI 00:00:0c), as tcpdump prints them: CDP
 * (print-cdp.c), DTP (print-dtp.c), VTP (print-vtp.c) and UDLD (print-udld.c). Like tcpdump,
 * after a malformed part each checks that the rest was captured (` (invalid) [|cdp]` if not).
 *
 * @module
 */
import { hex2, hex4, type Pkt } from "./printer.ts";
import {
  type BitNames,
  bitNames,
  fixed,
  macText,
  printableChar,
  printN,
  printUpToNul,
} from "./tokens.ts";

function plural(n: number): string {
  return n === 1 ? "" : "s";
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, "0");
}

/** tcpdump's `invalid:` label: the mark, then the rest must have been captured. */
function invalid(p: Pkt, at: number, left: number): void {
  p.out += " (invalid)";
  p.need(at, left);
}

// ---------------------------------------------------------------------------------------------
// CDP

const CDP_CAPABILITIES: BitNames = [
  [0x01, "Router"],
  [0x02, "Transparent Bridge"],
  [0x04, "Source Route Bridge"],
  [0x08, "L2 Switch"],
  [0x10, "L3 capable"],
  [0x20, "IGMP snooping"],
  [0x40, "L1 capable"],
];

/**
 * Per TLV type up to 0x17: name (null: unnamed), minimum and maximum value length (-1: none,
 * 0 for the unnamed ones, which tcpdump's table leaves zeroed).
 */
const CDP_TLVS: readonly (readonly [string | null, number, number])[] = [
  [null, 0, 0],
  ["Device-ID", -1, -1],
  ["Address", -1, -1],
  ["Port-ID", -1, -1],
  ["Capability", 4, 4],
  ["Version String", -1, -1],
  ["Platform", -1, -1],
  ["Prefixes", -1, -1],
  ["Protocol-Hello option", -1, -1],
  ["VTP Management Domain", -1, -1],
  ["Native VLAN ID", 2, 2],
  ["Duplex", 1, 1],
  [null, 0, 0],
  [null, 0, 0],
  ["ATA-186 VoIP VLAN assignment", 3, 3],
  ["ATA-186 VoIP VLAN request", 2, 3],
  ["power consumption", 1, 3],
  ["MTU", 4, 4],
  ["AVVID trust bitmap", 1, 1],
  ["AVVID untrusted ports CoS", 1, 1],
  ["System Name", -1, -1],
  ["System Object ID (not decoded)", -1, -1],
  ["Management Addresses", 4, -1],
  ["Physical Location", 1, -1],
];

/** A CDP frame at `off`, `length` bytes. */
export function cdp(p: Pkt, off: number, length: number): void {
  p.proto = "cdp";
  const orig = length;
  let at = off;
  if (length < 4) {
    p.out += ` (packet length ${length} < 4)`;
    return invalid(p, at, length);
  }
  p.out += `CDPv${p.u8(at)}, ttl: ${p.u8(at + 1)}s`;
  const checksum = p.u16(at + 2);
  if (p.verbose) p.out += `, checksum: 0x${hex4(checksum)} (unverified), length ${orig}`;
  at += 4;
  length -= 4;
  while (length) {
    if (length < 4) {
      p.out += ` (remaining packet length ${length} < 4)`;
      return invalid(p, at, length);
    }
    const type = p.u16(at);
    let len = p.u16(at + 2);
    const info = type < CDP_TLVS.length ? CDP_TLVS[type] : undefined;
    const name = info?.[0] ?? "unknown field type";
    if (len < 4) {
      p.out += p.verbose
        ? `\n\t${name} (0x${hex2(type)}), TLV length: ${len} byte${plural(len)} (too short)`
        : `, ${name} TLV length ${len} too short`;
      return invalid(p, at, length);
    }
    if (len > length) {
      p.out += ` (TLV length ${len} > ${length})`;
      return invalid(p, at, length);
    }
    at += 4;
    length -= 4;
    len -= 4;
    if (!p.verbose && type === 1) p.out += ", Device-ID ";
    else if (p.verbose) {
      p.out += `\n\t${name} (0x${hex2(type)}), value length: ${len} byte${plural(len)}: `;
    }
    let covered = false;
    if (info !== undefined) {
      if ((info[1] > 0 && len < info[1]) || (info[2] > 0 && len > info[2])) {
        p.out += " (malformed TLV)";
      } else if (p.verbose || type === 1) {
        cdpValue(p, type, at, len);
        covered = true;
      }
    }
    if (!covered) {
      p.need(at, len);
      p.unknownData(at, len, "\n\t  ");
    }
    at += len;
    length -= len;
  }
  if (!p.verbose) p.out += `, length ${orig}`;
}

function cdpValue(p: Pkt, type: number, at: number, len: number): void {
  switch (type) {
    case 1:
    case 3:
    case 6:
    case 9:
    case 20:
      p.out += "'";
      printN(p, at, len);
      p.out += "'";
      return;
    case 2:
    case 22:
      return cdpAddresses(p, at, len);
    case 4: {
      const v = p.u32(at);
      p.out += `(0x${hex8(v)}): ${bitNames(CDP_CAPABILITIES, v, "none")}`;
      return;
    }
    case 5:
      p.out += "\n\t  ";
      for (let i = 0; i < len; i++) {
        const c = p.u8(at + i);
        p.out += c === 0x0a ? "\n\t  " : printableChar(c);
      }
      return;
    case 7:
      return cdpPrefixes(p, at, len);
    case 10:
      p.out += `${p.u16(at)}`;
      return;
    case 11:
      p.out += p.u8(at) ? "full" : "half";
      return;
    case 14:
    case 15:
      p.out += len === 2
        ? `unknown 0x${hex4(p.u16(at))}`
        : `app ${p.u8(at)}, vlan ${p.u16(at + 1)}`;
      return;
    case 16: {
      const v = len === 1 ? p.u8(at) : len === 2 ? p.u16(at) : p.u16(at) * 256 + p.u8(at + 2);
      p.out += `${fixed(v / 1000, 2)}W`;
      return;
    }
    case 17:
      p.out += `${p.u32(at)} bytes`;
      return;
    case 18:
    case 19:
      p.out += `0x${hex2(p.u8(at))}`;
      return;
    case 23:
      p.out += `0x${hex2(p.u8(at))}`;
      if (len > 1) {
        p.out += "/";
        printN(p, at + 1, len - 1);
      }
      return;
    default:
      // Named but without a printer: nothing shown, but it must have been captured.
      p.need(at, len);
  }
}

const IPV6_LLC = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd];

function cdpAddresses(p: Pkt, at: number, l: number): void {
  if (l < 4) {
    p.out += " (not enough space for num)";
    return p.need(at, l);
  }
  let num = p.u32(at);
  at += 4;
  l -= 4;
  while (num) {
    if (l < 2) {
      p.out += " (not enough space for PT+PL)";
      return p.need(at, l);
    }
    const pt = p.u8(at);
    let pl = p.u8(at + 1);
    at += 2;
    l -= 2;
    if (l < pl + 2) {
      p.out += " (not enough space for P+AL)";
      return p.need(at, l);
    }
    let al = p.u16(at + pl);
    if (pt === 1 && pl === 1 && p.u8(at) === 0xcc && al === 4) {
      at += pl + 2;
      l -= pl + 2;
      if (l < al) {
        p.out += " (not enough space for A)";
        return p.need(at, l);
      }
      p.out += `IPv4 (${num}) ${p.ip4(at)}`;
      at += al;
      l -= al;
    } else if (pt === 2 && pl === 8 && isIpv6Llc(p, at) && al === 16) {
      at += pl + 2;
      l -= pl + 2;
      if (l < al) {
        p.out += " (not enough space for A)";
        return p.need(at, l);
      }
      p.out += `IPv6 (${num}) ${p.ip6(at)}`;
      at += al;
      l -= al;
    } else {
      p.out += `pt=0x${hex2(pt)}, pl=${pl}, pb=`;
      for (; pl !== 0; pl--, at++, l--) p.out += ` ${hex2(p.u8(at))}`;
      p.out += `, al=${al}, a=`;
      at += 2;
      l -= 2;
      if (l < al) {
        p.out += " (not enough space for A)";
        return p.need(at, l);
      }
      for (; al !== 0; al--, at++, l--) p.out += ` ${hex2(p.u8(at))}`;
    }
    num--;
    if (num) p.out += " ";
  }
  if (l) p.out += ` (${l} bytes of stray data)`;
}

function isIpv6Llc(p: Pkt, at: number): boolean {
  if (!p.has(at, 8)) return false;
  for (let i = 0; i < 8; i++) if (p.d[at + i] !== IPV6_LLC[i]) return false;
  return true;
}

function cdpPrefixes(p: Pkt, at: number, l: number): void {
  if (l % 5) {
    p.out += ` [length ${l} is not a multiple of 5]`;
    return p.need(at, l);
  }
  p.out += ` IPv4 Prefixes (${l / 5}):`;
  for (; l > 0; l -= 5, at += 5) {
    p.out += ` ${p.u8(at)}.${p.u8(at + 1)}.${p.u8(at + 2)}.${p.u8(at + 3)}/${p.u8(at + 4)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// DTP

const DTP_TLVS: Record<number, string> = {
  1: "Domain",
  2: "Status",
  3: "DTP type",
  4: "Neighbor",
};

/** A DTP frame at `off`, `length` bytes. */
export function dtp(p: Pkt, off: number, length: number): void {
  p.proto = "dtp";
  let at = off;
  if (length < 1) {
    p.out += "[zero packet length]";
    return invalid(p, at, length);
  }
  p.out += `DTPv${p.u8(at)}, length ${length}`;
  if (!p.verbose) return;
  at++;
  length--;
  while (length) {
    if (length < 4) {
      p.out += `[${length} bytes remaining]`;
      return invalid(p, at, length);
    }
    const type = p.u16(at);
    const len = p.u16(at + 2);
    if (type === 0) return;
    p.out += `\n\t${DTP_TLVS[type] ?? "Unknown"} (0x${hex4(type)}) TLV, length ${len}`;
    if (len < 4 || len > length) {
      p.out += `[invalid TLV length ${len}]`;
      return invalid(p, at, length);
    }
    switch (type) {
      case 1:
        p.out += ", ";
        printUpToNul(p, at + 4, len - 4);
        break;
      case 2:
      case 3:
        if (len !== 5) return invalid(p, at, length);
        p.out += `, 0x${p.u8(at + 4).toString(16)}`;
        break;
      case 4:
        if (len !== 10) return invalid(p, at, length);
        p.out += `, ${macText(p, at + 4)}`;
        break;
      default:
        p.need(at, len);
    }
    at += len;
    length -= len;
  }
}

// ---------------------------------------------------------------------------------------------
// UDLD

const UDLD_TLVS: Record<number, string> = {
  1: "Device-ID TLV",
  2: "Port-ID TLV",
  3: "Echo TLV",
  4: "Message Interval TLV",
  5: "Timeout Interval TLV",
  6: "Device Name TLV",
  7: "Sequence Number TLV",
};
const UDLD_CODES = ["Reserved", "Probe message", "Echo message", "Flush message"];
const UDLD_FLAGS: BitNames = [
  [1 << 0, "RT"],
  [1 << 1, "RSY"],
  [1 << 2, "MBZ-2"],
  [1 << 3, "MBZ-3"],
  [1 << 4, "MBZ-4"],
  [1 << 5, "MBZ-5"],
  [1 << 6, "MBZ-6"],
  [1 << 7, "MBZ-7"],
];

/** A UDLD frame at `off`, `length` bytes. */
export function udld(p: Pkt, off: number, length: number): void {
  p.proto = "udld";
  let at = off;
  if (length < 4) return invalid(p, at, length);
  const first = p.u8(at);
  const code = first & 0x1f;
  const flags = p.u8(at + 1);
  at += 2;
  length -= 2;
  p.out += `UDLDv${first >> 5}, Code ${UDLD_CODES[code] ?? "Reserved"} (${
    code.toString(16)
  }), Flags [${bitNames(UDLD_FLAGS, flags, "none")}] (0x${hex2(flags)}), length ${length + 2}`;
  if (!p.verbose) return p.need(at, length);
  p.out += `\n\tChecksum 0x${hex4(p.u16(at))} (unverified)`;
  at += 2;
  length -= 2;
  while (length) {
    if (length < 4) return invalid(p, at, length);
    const type = p.u16(at);
    let len = p.u16(at + 2);
    at += 4;
    length -= 4;
    p.out += `\n\t${UDLD_TLVS[type] ?? "Unknown"} (0x${hex4(type)}) TLV, length ${len}`;
    if (len <= 4) return invalid(p, at, length);
    len -= 4;
    if (length < len) return invalid(p, at, length);
    switch (type) {
      case 1:
      case 2:
      case 6:
        p.out += ", ";
        printUpToNul(p, at, len);
        break;
      case 3:
        p.out += ", ";
        printN(p, at, len);
        break;
      case 4:
      case 5:
        if (len !== 1) return invalid(p, at, length);
        p.out += `, ${p.u8(at)}s`;
        break;
      case 7:
        if (len !== 4) return invalid(p, at, length);
        p.out += `, ${p.u32(at)}`;
        break;
      default:
        p.need(at, len);
    }
    at += len;
    length -= len;
  }
}

// ---------------------------------------------------------------------------------------------
// VTP

const VTP_MESSAGES: Record<number, string> = {
  1: "Summary advertisement",
  2: "Subset advertisement",
  3: "Advertisement request",
  4: "Join message",
};
const VTP_HEADER_FIELDS: Record<number, string> = {
  1: "Followers",
  2: "Seq number",
  3: "Rsvd",
  4: "Rsvd",
};
const VLAN_TYPES: Record<number, string> = {
  1: "Ethernet",
  2: "FDDI",
  3: "TrCRF",
  4: "FDDI-net",
  5: "TrBRF",
};
const VLAN_TLVS: Record<number, string> = {
  1: "Source-Routing Ring Number TLV",
  2: "Source-Routing Bridge Number TLV",
  3: "STP type TLV",
  4: "Parent VLAN TLV",
  5: "Translationally bridged VLANs TLV",
  6: "Pruning TLV",
  7: "Bridge Type TLV",
  8: "Max ARP Hop Count TLV",
  9: "Max STE Hop Count TLV",
  10: "Backup CRF Mode TLV",
};
const STP_TYPES: Record<number, string> = { 1: "SRT", 2: "SRB", 3: "Auto" };

/** A VTP frame at `off`, `length` bytes. */
export function vtp(p: Pkt, off: number, length: number): void {
  p.proto = "vtp";
  if (length < 36) return invalid(p, off, length);
  p.need(off, 36);
  const type = p.u8(off + 1);
  p.out += `VTPv${p.u8(off)}, Message ${VTP_MESSAGES[type] ?? "Unknown message type"} (0x${
    hex2(type)
  }), length ${length}`;
  if (!p.verbose) return p.need(off, length);
  p.out += "\n\tDomain name: ";
  const dlen = p.u8(off + 3);
  if (dlen < 1 || dlen > 32) {
    p.out += ` [invalid MgmtD Len ${dlen}]`;
    return invalid(p, off, length);
  }
  printUpToNul(p, off + 4, dlen);
  p.out += `, ${VTP_HEADER_FIELDS[type] ?? "Unknown"}: ${p.u8(off + 2)}`;
  const at = off + 36;
  switch (type) {
    case 1:
      p.out += `\n\t  Config Rev ${p.u32(at).toString(16)}, Updater ${p.ip4(at + 4)}`;
      p.out += `, Timestamp 0x${hex8(p.u32(at + 8))} 0x${hex8(p.u32(at + 12))} 0x${
        hex8(p.u32(at + 16))
      }`;
      p.out += `, MD5 digest: ${hex8(p.u32(at + 20))}${hex8(p.u32(at + 24))}${
        hex8(p.u32(at + 28))
      }${hex8(p.u32(at + 32))}`;
      return;
    case 2:
      p.out += `, Config Rev ${p.u32(at).toString(16)}`;
      return vlans(p, off, at + 4, length);
    case 3:
      p.out += `\n\tStart value: ${p.u32(at)}`;
      return;
  }
}

function vlans(p: Pkt, off: number, at: number, length: number): void {
  while (at - off < length) {
    let len = p.u8(at);
    if (len === 0) return;
    p.need(at, len);
    if (len < 12) return invalid(p, off, length);
    const status = p.u8(at + 1);
    p.out += `\n\tVLAN info status ${
      status === 0 ? "Operational" : status === 1 ? "Suspended" : "Unknown"
    }, type ${VLAN_TYPES[p.u8(at + 2)] ?? "Unknown"}, VLAN-id ${p.u16(at + 4)}, MTU ${
      p.u16(at + 6)
    }, SAID 0x${hex8(p.u32(at + 8))}, Name `;
    const nameLen = p.u8(at + 3);
    len -= 12;
    at += 12;
    const padded = 4 * ((nameLen + 3) >> 2);
    if (len < padded) return invalid(p, off, length);
    printUpToNul(p, at, nameLen);
    len -= padded;
    at += padded;
    while (len > 0) {
      if (len < 2) return invalid(p, off, length);
      const type = p.u8(at);
      const tlen = p.u8(at + 1);
      p.out += `\n\t\t${VLAN_TLVS[type] ?? "Unknown"} (0x${hex4(type)}) TLV`;
      if (len < tlen * 2 + 2) {
        p.out += " (TLV goes past the end of the packet)";
        return invalid(p, off, length);
      }
      p.need(at, tlen * 2 + 2);
      if (tlen !== 1) {
        p.out += ` (invalid TLV length ${tlen} != 1)`;
        return invalid(p, off, length);
      }
      const v = p.u16(at + 2);
      switch (type) {
        case 9:
          p.out += `, ${v}`;
          break;
        case 6:
          p.out += `, ${v === 1 ? "Enabled" : "Disabled"} (${v})`;
          break;
        case 3:
          p.out += `, ${STP_TYPES[v] ?? "Unknown"} (${v})`;
          break;
        case 7:
          p.out += `, ${v === 1 ? "SRB" : "SRT"} (${v})`;
          break;
        case 10:
          p.out += `, ${v === 1 ? "Backup" : "Not backup"} (${v})`;
          break;
        default:
          p.unknownData(at, 2 + tlen * 2, "\n\t\t  ");
      }
      len -= 2 + tlen * 2;
      at += 2 + tlen * 2;
    }
  }
}
