/**
 * LLDP (IEEE 802.1AB, tcpdump's print-lldp.c), ethertype 0x88cc: at default verbosity the
 * length and the system name, with -v every TLV on lines of its own, including the 802.1,
 * 802.3, TIA (LLDP-MED), IANA and DCBX organisation-specific ones (lldp_org.ts); with -vv a hex
 * dump of each.
 *
 * @module
 */
import { OUIS } from "./llc.ts";
import { lldpDcbx } from "./lldp_dcbx.ts";
import { lldpIana, lldpIeee8021, lldpIeee8023, lldpTia } from "./lldp_org.ts";
import { hexBytes, type Pkt, TRUNCATED } from "./printer.ts";
import { ADDRESS_FAMILIES, type BitNames, bitNames, printUpToNul } from "./tokens.ts";

const TLV_NAMES: Record<number, string> = {
  0: "End",
  1: "Chassis ID",
  2: "Port ID",
  3: "Time to Live",
  4: "Port Description",
  5: "System Name",
  6: "System Description",
  7: "System Capabilities",
  8: "Management Address",
  127: "Organization specific",
};

const CHASSIS_SUBTYPES: Record<number, string> = {
  1: "Chassis component",
  2: "Interface alias",
  3: "Port component",
  4: "MAC address",
  5: "Network address",
  6: "Interface name",
  7: "Local",
};

const PORT_SUBTYPES: Record<number, string> = {
  1: "Interface alias",
  2: "Port component",
  3: "MAC address",
  4: "Network Address",
  5: "Interface Name",
  6: "Agent circuit ID",
  7: "Local",
};

const CAPABILITIES: BitNames = [
  [1 << 0, "Other"],
  [1 << 1, "Repeater"],
  [1 << 2, "Bridge"],
  [1 << 3, "WLAN AP"],
  [1 << 4, "Router"],
  [1 << 5, "Telephone"],
  [1 << 6, "Docsis"],
  [1 << 7, "Station Only"],
];

const INTERFACE_NUMBERINGS: Record<number, string> = {
  2: "Interface Index",
  3: "System Port Number",
};

/** `AFI IPv4 (1): 10.0.0.1`, or null where tcpdump gives up (too short). */
function networkAddress(p: Pkt, at: number, len: number): string | null {
  if (len < 1) return null;
  len--;
  const af = p.u8(at);
  const name = `AFI ${ADDRESS_FAMILIES[af] ?? "Unknown"} (${af})`;
  switch (af) {
    case 1:
      return len < 4 ? null : `${name}: ${p.ip4(at + 1)}`;
    case 2:
      return len < 16 ? null : `${name}: ${p.ip6(at + 1)}`;
    case 6:
      if (len < 6) return null;
      p.need(at + 1, 6);
      return `${name}: ${hexBytes(p.d, at + 1, 6, ":")}`;
  }
  return `${name}, no AF printer !`;
}

/** The chassis or port id TLV's value; false where tcpdump gives up (a truncation). */
function idTlv(p: Pkt, at: number, len: number, names: Record<number, string>, mac: number) {
  if (len < 2) throw TRUNCATED;
  const subtype = p.u8(at);
  p.out += `\n\t  Subtype ${names[subtype] ?? "Unknown"} (${subtype}): `;
  if (subtype === mac) {
    if (len < 7) throw TRUNCATED;
    p.need(at + 1, 6);
    p.out += hexBytes(p.d, at + 1, 6, ":");
  } else if (subtype === mac + 1) {
    const addr = networkAddress(p, at + 1, len - 1);
    if (addr === null) throw TRUNCATED;
    p.out += addr;
  } else if (subtype >= 1 && subtype <= 7) {
    printUpToNul(p, at + 1, len - 1);
  } else {
    return true;
  }
  return false;
}

function managementAddress(p: Pkt, at: number, len: number): void {
  if (len < 1) throw TRUNCATED;
  const alen = p.u8(at);
  at++;
  len--;
  if (len < alen) throw TRUNCATED;
  const addr = networkAddress(p, at, alen);
  if (addr === null) throw TRUNCATED;
  p.out += `\n\t  Management Address length ${alen}, ${addr}`;
  at += alen;
  len -= alen;
  if (len < 5) throw TRUNCATED;
  const numbering = p.u8(at);
  p.out += `\n\t  ${
    INTERFACE_NUMBERINGS[numbering] ?? "Unknown"
  } Interface Numbering (${numbering}): ${p.u32(at + 1)}`;
  at += 5;
  len -= 5;
  if (len === 0) return;
  const oidLen = p.u8(at);
  if (len < 1 + oidLen) throw TRUNCATED;
  if (oidLen) {
    p.out += `\n\t  OID length ${oidLen}`;
    printUpToNul(p, at + 1, oidLen);
  }
}

/** The value of one TLV; true when tcpdump (-v) then dumps it in hex. */
function tlvValue(p: Pkt, type: number, at: number, len: number): boolean {
  switch (type) {
    case 1:
      return p.verbose && idTlv(p, at, len, CHASSIS_SUBTYPES, 4);
    case 2:
      return p.verbose && idTlv(p, at, len, PORT_SUBTYPES, 3);
    case 3:
      if (!p.verbose) return false;
      if (len < 2) throw TRUNCATED;
      p.out += `: TTL ${p.u16(at)}s`;
      return false;
    case 4:
      if (!p.verbose) return false;
      p.out += ": ";
      printUpToNul(p, at, len);
      return false;
    case 5:
      // The system name is printed at default verbosity too.
      p.out += ": ";
      printUpToNul(p, at, len);
      return false;
    case 6:
      if (!p.verbose) return false;
      p.out += "\n\t  ";
      printUpToNul(p, at, len);
      return false;
    case 7: {
      if (!p.verbose) return false;
      if (len < 4) throw TRUNCATED;
      const cap = p.u16(at);
      const enabled = p.u16(at + 2);
      p.out += `\n\t  System  Capabilities [${bitNames(CAPABILITIES, cap, "none")}] (0x${
        cap.toString(16).padStart(4, "0")
      })`;
      p.out += `\n\t  Enabled Capabilities [${bitNames(CAPABILITIES, enabled, "none")}] (0x${
        enabled.toString(16).padStart(4, "0")
      })`;
      return false;
    }
    case 8:
      if (p.verbose) managementAddress(p, at, len);
      return false;
    case 127: {
      if (!p.verbose) return false;
      if (len < 3) throw TRUNCATED;
      const oui = p.u16(at) * 256 + p.u8(at + 2);
      p.out += `: OUI ${OUIS[oui] ?? "Unknown"} (0x${oui.toString(16).padStart(6, "0")})`;
      switch (oui) {
        case 0x0080c2:
          return lldpIeee8021(p, at, len);
        case 0x00120f:
          return lldpIeee8023(p, at, len);
        case 0x00005e:
          return lldpIana(p, at, len);
        case 0x0012bb:
          return lldpTia(p, at, len);
        case 0x001b21:
          return lldpDcbx(p, at, len);
      }
      return true;
    }
  }
  return true;
}

/** An LLDP frame at `off`, `len` bytes. */
export function lldp(p: Pkt, off: number, len: number): void {
  p.proto = "lldp";
  p.out += `LLDP, length ${len}`;
  let at = off;
  let left = len;
  while (left >= 2) {
    p.need(at, 2);
    const tlv = p.u16(at);
    const type = tlv >> 9;
    const tlen = tlv & 0x1ff;
    left -= 2;
    at += 2;
    if (p.verbose) p.out += `\n\t${TLV_NAMES[type] ?? "Unknown"} TLV (${type}), length ${tlen}`;
    if (type === 0 || tlen === 0) break;
    p.need(at, tlen);
    if (left < tlen) throw TRUNCATED;
    const hexdump = tlvValue(p, type, at, tlen);
    if (p.verbosity > 1 || (p.verbose && hexdump)) p.unknownData(at, tlen, "\n\t  ");
    left -= tlen;
    at += tlen;
  }
}
