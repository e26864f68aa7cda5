/**
 * LLDP's organisation-specific TLVs as tcpdump -v prints them (print-lldp.c): IEEE 802.1 (VLANs,
 * link aggregation, DCB: congestion notification, ETS, PFC, application priority, EVB, CDCP),
 * IEEE 802.3 (MAC/PHY, power via MDI, MTU), IANA (MUD URL) and TIA LLDP-MED (DCBX:
 * lldp_dcbx.ts). Each returns whether tcpdump then dumps the TLV in hex. `at` is the TLV's value
 * (the OUI first).
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { type BitNames, bitNames, fixed, printN, printUpToNul } from "./tokens.ts";

const IEEE8021_SUBTYPES: Record<number, string> = {
  1: "Port VLAN Id",
  2: "Port and Protocol VLAN ID",
  3: "VLAN name",
  4: "Protocol Identity",
  7: "Link aggregation",
  8: "Congestion Notification",
  9: "ETS Configuration",
  10: "ETS Recommendation",
  11: "Priority Flow Control Configuration",
  12: "Application Priority",
  13: "EVB",
  14: "CDCP",
};
const PROTOCOL_VLAN_FLAGS: BitNames = [[1 << 1, "supported"], [1 << 2, "enabled"]];
const AGGREGATION: BitNames = [[1 << 0, "supported"], [1 << 1, "enabled"]];
const EVB_MODES = [
  "Not Supported",
  "EVB Bridge",
  "EVB Station",
  "Reserved for future Standardization",
];

/** Link aggregation's status and port ID (802.1's TLV 7 and 802.3's TLV 3 carry the same). */
function aggregation(p: Pkt, at: number): void {
  p.out += `\n\t    aggregation status [${
    bitNames(AGGREGATION, p.u8(at + 4), "none")
  }], aggregation port ID ${p.u32(at + 5)}`;
}

/** The subtype line of an organisation-specific TLV; its subtype. */
export function subtypeLine(p: Pkt, at: number, names: Record<number, string>): number {
  const subtype = p.u8(at + 3);
  p.out += `\n\t  ${names[subtype] ?? "unknown"} Subtype (${subtype})`;
  return subtype;
}

/** `%-Nd` */
function left(n: number, width: number): string {
  return String(n).padEnd(width);
}

/** Eight values as tcpdump's `%-3d` table rows. */
function row8(p: Pkt, at: number): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += (i ? " " : "") + left(p.u8(at + i), 3);
  return s;
}

/** A title, then the eight bits of `v` as a priority table. */
function priorityBits(p: Pkt, title: string, v: number): void {
  p.out += title;
  p.out += "\n\t     Priority : 0  1  2  3  4  5  6  7";
  p.out += "\n\t     Value    : ";
  for (let i = 0; i < 8; i++) p.out += left((v >> i) & 1, 2) + " ";
}

function etsTables(p: Pkt, at: number): void {
  p.out += "\n\t    Priority Assignment Table";
  p.out += "\n\t     Priority : 0   1   2   3   4   5   6   7";
  let s = "";
  for (let i = 0; i < 4; i++) {
    const b = p.u8(at + i);
    s += (i ? " " : "") + left(b >> 4, 3) + " " + left(b & 0x0f, 3);
  }
  p.out += `\n\t     Value    : ${s}`;
  p.out += "\n\t    TC Bandwidth Table";
  p.out += "\n\t     TC%   : 0   1   2   3   4   5   6   7";
  p.out += `\n\t     Value : ${row8(p, at + 4)}`;
  p.out += "\n\t    TSA Assignment Table";
  p.out += "\n\t     Traffic Class: 0   1   2   3   4   5   6   7";
  p.out += `\n\t     Value        : ${row8(p, at + 12)}`;
}

/** IEEE 802.1 TLVs (802.1AB annex E and DCB). */
export function lldpIeee8021(p: Pkt, at: number, len: number): boolean {
  if (len < 4) return false;
  const subtype = subtypeLine(p, at, IEEE8021_SUBTYPES);
  switch (subtype) {
    case 1:
      if (len >= 6) p.out += `\n\t    port vlan id (PVID): ${p.u16(at + 4)}`;
      return false;
    case 2:
      if (len < 7) return false;
      p.out += `\n\t    port and protocol vlan id (PPVID): ${p.u16(at + 5)}, flags [${
        bitNames(PROTOCOL_VLAN_FLAGS, p.u8(at + 4), "none")
      }] (0x${p.u8(at + 4).toString(16).padStart(2, "0")})`;
      return false;
    case 3: {
      if (len < 6) return false;
      p.out += `\n\t    vlan id (VID): ${p.u16(at + 4)}`;
      if (len < 7) return false;
      const n = p.u8(at + 6);
      if (len < 7 + n) return false;
      p.out += "\n\t    vlan name: ";
      printUpToNul(p, at + 7, n);
      return false;
    }
    case 4: {
      if (len < 5) return false;
      const n = p.u8(at + 4);
      if (len < 5 + n) return false;
      p.out += "\n\t    protocol identity: ";
      printUpToNul(p, at + 5, n);
      return false;
    }
    case 7:
      if (len >= 9) aggregation(p, at);
      return false;
    case 8:
      if (len < 6) return false;
      priorityBits(p, "\n\t    Pre-Priority CNPV Indicator", p.u8(at + 4));
      priorityBits(p, "\n\t    Pre-Priority Ready Indicator", p.u8(at + 5));
      return false;
    case 9: {
      if (len < 25) return false;
      const v = p.u8(at + 4);
      p.out += `\n\t    Willing:${v >> 7}, CBS:${(v >> 6) & 0x02}, RES:${
        (v >> 3) & 0x07
      }, Max TCs:${v & 0x07}`;
      etsTables(p, at + 5);
      return false;
    }
    case 10:
      if (len < 25) return false;
      p.out += `\n\t    RES: ${p.u8(at + 4)}`;
      etsTables(p, at + 5);
      return false;
    case 11: {
      if (len < 6) return false;
      const v = p.u8(at + 4);
      p.out += `\n\t    Willing: ${v >> 7}, MBC: ${(v >> 6) & 1}, RES: ${(v >> 4) & 3}, PFC cap:${
        v & 0x0f
      } `;
      priorityBits(p, "\n\t    PFC Enable", p.u8(at + 5));
      return false;
    }
    case 12: {
      if (len < 5) return false;
      p.out += `\n\t    RES: ${p.u8(at + 4)}`;
      if (len <= 5) return false;
      const n = len - 5;
      if (n % 3 !== 0) return false;
      p.out += "\n\t    Application Priority Table";
      for (let i = 0; i < n; i += 3) {
        const v = p.u8(at + i + 5);
        p.out += `\n\t      Priority: ${v >> 5}, RES: ${(v >> 3) & 3}, Sel: ${
          v & 7
        }, Protocol ID: ${p.u16(at + i + 6)}`;
      }
      return false;
    }
    case 13: {
      if (len < 9) return false;
      p.out += "\n\t    EVB Bridge Status";
      let v = p.u8(at + 4);
      p.out += `\n\t      RES: ${v >> 3}, BGID: ${(v >> 2) & 1}, RRCAP: ${(v >> 1) & 1}, RRCTR: ${
        v & 1
      }`;
      p.out += "\n\t    EVB Station Status";
      v = p.u8(at + 5);
      p.out += `\n\t      RES: ${v >> 4}, SGID: ${(v >> 3) & 1}, RRREQ: ${(v >> 2) & 1},RRSTAT: ${
        v & 3
      }`;
      v = p.u8(at + 6);
      p.out += `\n\t    R: ${v >> 5}, RTE: ${v & 0x1f}, `;
      v = p.u8(at + 7);
      p.out += `EVB Mode: ${EVB_MODES[v >> 6]} [${v >> 6}]`;
      p.out += `\n\t    ROL: ${(v >> 5) & 1}, RWD: ${v & 0x1f}, `;
      v = p.u8(at + 8);
      p.out += `RES: ${v >> 6}, ROL: ${(v >> 5) & 1}, RKA: ${v & 0x1f}`;
      return false;
    }
    case 14: {
      if (len < 8) return false;
      const v = p.u8(at + 4);
      p.out += `\n\t    Role: ${v >> 7}, RES: ${(v >> 4) & 7}, Scomp: ${(v >> 3) & 1} `;
      p.out += `ChnCap: ${p.u16(at + 6) & 0x0fff}`;
      const n = len - 8;
      if (n % 3 !== 0) return false;
      for (let i = 0; i < n; i += 3) {
        const w = p.u16(at + i + 8) * 256 + p.u8(at + i + 10);
        p.out += `\n\t    SCID: ${w >> 12}, SVID: ${w & 0xfff}`;
      }
      return false;
    }
  }
  return true;
}

const IEEE8023_SUBTYPES: Record<number, string> = {
  1: "MAC/PHY configuration/status",
  2: "Power via MDI",
  3: "Link aggregation",
  4: "Max frame size",
};
const AUTONEGOTIATION: BitNames = [[1 << 0, "supported"], [1 << 1, "enabled"]];
const PMD_CAPABILITIES: BitNames = [
  [1 << 14, "10BASE-T hdx"],
  [1 << 13, "10BASE-T fdx"],
  [1 << 12, "100BASE-T4"],
  [1 << 11, "100BASE-TX hdx"],
  [1 << 10, "100BASE-TX fdx"],
  [1 << 9, "100BASE-T2 hdx"],
  [1 << 8, "100BASE-T2 fdx"],
  [1 << 7, "Pause for fdx links"],
  [1 << 6, "Asym PAUSE for fdx"],
  [1 << 5, "Sym PAUSE for fdx"],
  [1 << 4, "Asym and Sym PAUSE for fdx"],
  [1 << 3, "1000BASE-{X LX SX CX} hdx"],
  [1 << 2, "1000BASE-{X LX SX CX} fdx"],
  [1 << 1, "1000BASE-T hdx"],
  [1 << 0, "1000BASE-T fdx"],
];
const MAU_TYPES = [
  "Unknown",
  "AUI",
  "10BASE_5",
  "FOIRL",
  "10BASE2",
  "10BASET duplex mode unknown",
  "10BASEFP",
  "10BASEFB",
  "10BASEFL duplex mode unknown",
  "10BROAD36",
  "10BASET hdx",
  "10BASET fdx",
  "10BASEFL hdx",
  "10BASEFL fdx",
  "100BASET4",
  "100BASETX hdx",
  "100BASETX fdx",
  "100BASEFX hdx",
  "100BASEFX fdx",
  "100BASET2 hdx",
  "100BASET2 fdx",
  "1000BASEX hdx",
  "1000BASEX fdx",
  "1000BASELX hdx",
  "1000BASELX fdx",
  "1000BASESX hdx",
  "1000BASESX fdx",
  "1000BASECX hdx",
  "1000BASECX fdx",
  "1000BASET hdx",
  "1000BASET fdx",
  "10GBASEX",
  "10GBASELX4",
  "10GBASER",
  "10GBASEER",
  "10GBASELR",
  "10GBASESR",
  "10GBASEW",
  "10GBASEEW",
  "10GBASELW",
  "10GBASESW",
];
const MDI_FLAGS: BitNames = [
  [1 << 0, "PSE"],
  [1 << 1, "supported"],
  [1 << 2, "enabled"],
  [1 << 3, "can be controlled"],
];
const POWER_PAIRS: Record<number, string> = { 1: "signal", 2: "spare" };
const POWER_CLASSES: Record<number, string> = {
  1: "class0",
  2: "class1",
  3: "class2",
  4: "class3",
  5: "class4",
};

/** `v` in hex, `width` digits. */
export function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, "0");
}

/** IEEE 802.3 TLVs. */
export function lldpIeee8023(p: Pkt, at: number, len: number): boolean {
  if (len < 4) return false;
  switch (subtypeLine(p, at, IEEE8023_SUBTYPES)) {
    case 1: {
      if (len < 9) return false;
      const an = p.u8(at + 4);
      p.out += `\n\t    autonegotiation [${bitNames(AUTONEGOTIATION, an, "none")}] (0x${
        hex(an, 2)
      })`;
      const pmd = p.u16(at + 5);
      p.out += `\n\t    PMD autoneg capability [${bitNames(PMD_CAPABILITIES, pmd, "unknown")}] (0x${
        hex(pmd, 4)
      })`;
      const mau = p.u16(at + 7);
      p.out += `\n\t    MAU type ${MAU_TYPES[mau] ?? "unknown"} (0x${hex(mau, 4)})`;
      return false;
    }
    case 2:
      if (len < 7) return false;
      p.out += `\n\t    MDI power support [${
        bitNames(MDI_FLAGS, p.u8(at + 4), "none")
      }], power pair ${POWER_PAIRS[p.u8(at + 5)] ?? "unknown"}, power class ${
        POWER_CLASSES[p.u8(at + 6)] ?? "unknown"
      }`;
      return false;
    case 3:
      if (len >= 9) aggregation(p, at);
      return false;
    case 4:
      if (len >= 6) p.out += `\n\t    MTU size ${p.u16(at + 4)}`;
      return false;
  }
  return true;
}

/** IANA TLVs (the MUD URL). */
export function lldpIana(p: Pkt, at: number, len: number): boolean {
  if (len < 8) return false;
  const subtype = p.u8(at + 3);
  p.out += `\n\t  ${subtype === 1 ? "MUD-URL" : "unknown"} Subtype (${subtype})`;
  if (subtype !== 1) return true;
  p.out += "\n\t  MUD-URL=";
  printN(p, at + 4, len - 4);
  return false;
}

const TIA_SUBTYPES: Record<number, string> = {
  1: "LLDP-MED Capabilities",
  2: "Network policy",
  3: "Location identification",
  4: "Extended power-via-MDI",
  5: "Inventory - hardware revision",
  6: "Inventory - firmware revision",
  7: "Inventory - software revision",
  8: "Inventory - serial number",
  9: "Inventory - manufacturer name",
  10: "Inventory - model name",
  11: "Inventory - asset ID",
};
const TIA_INVENTORY: Record<number, string> = {
  5: "Hardware revision",
  6: "Firmware revision",
  7: "Software revision",
  8: "Serial number",
  9: "Manufacturer name",
  10: "Model name",
  11: "Asset ID",
};
const MED_CAPABILITIES: BitNames = [
  [1 << 0, "LLDP-MED capabilities"],
  [1 << 1, "network policy"],
  [1 << 2, "location identification"],
  [1 << 3, "extended power via MDI-PSE"],
  [1 << 4, "extended power via MDI-PD"],
  [1 << 5, "Inventory"],
];
const DEVICE_TYPES: Record<number, string> = {
  1: "endpoint class 1",
  2: "endpoint class 2",
  3: "endpoint class 3",
  4: "network connectivity",
};
const APPLICATION_TYPES: Record<number, string> = {
  1: "voice",
  2: "voice signaling",
  3: "guest voice",
  4: "guest voice signaling",
  5: "softphone voice",
  6: "video conferencing",
  7: "streaming video",
  8: "video signaling",
};
const POLICY_FLAGS: BitNames = [[1 << 7, "Unknown"], [1 << 6, "Tagged"], [1 << 5, "reserved"]];
const LOCATION_FORMATS: Record<number, string> = {
  1: "coordinate-based LCI",
  2: "civic address LCI",
  3: "ECS ELIN",
};
const ALTITUDE_TYPES: Record<number, string> = { 1: "meters", 2: "floors" };
const DATUMS: Record<number, string> = {
  1: "World Geodesic System 1984",
  2: "North American Datum 1983 (NAVD88)",
  3: "North American Datum 1983 (MLLW)",
};
const CA_TYPES: Record<number, string> = {
  1: "national subdivisions (state,canton,region,province,prefecture)",
  2: "county, parish, gun, district",
  3: "city, township, shi",
  4: "city division, borough, city district, ward chou",
  5: "neighborhood, block",
  6: "street",
};
const LCI_WHAT: Record<number, string> = {
  0: "location of DHCP server",
  1: "location of the network element believed to be closest to the client",
  2: "location of the client",
};
const POWER_SOURCES: Record<number, string> = {
  1: "PSE - primary power source",
  2: "local - backup power source",
  3: "PSE+local - reserved",
};
const POWER_PRIORITIES: Record<number, string> = { 1: "critical", 2: "high", 3: "low" };

/** 34 bits of a latitude or longitude. */
function latlon(p: Pkt, at: number): number {
  return (p.u8(at) & 3) * 0x100000000 + p.u32(at + 1);
}

function location(p: Pkt, at: number, len: number): boolean {
  if (len < 5) return false;
  const format = p.u8(at + 4);
  p.out += `\n\t    Location data format ${LOCATION_FORMATS[format] ?? "unknown"} (0x${
    hex(format, 2)
  })`;
  switch (format) {
    case 1: {
      if (len < 21) return false;
      p.out += `\n\t    Latitude resolution ${p.u8(at + 5) >> 2}, latitude value ${
        latlon(p, at + 5)
      }`;
      p.out += `\n\t    Longitude resolution ${p.u8(at + 10) >> 2}, longitude value ${
        latlon(p, at + 10)
      }`;
      const alt = p.u8(at + 15) >> 4;
      p.out += `\n\t    Altitude type ${ALTITUDE_TYPES[alt] ?? "unknown"} (${alt})`;
      p.out += `\n\t    Altitude resolution ${(p.u16(at + 15) >> 6) & 0x3f}, altitude value 0x${
        (p.u32(at + 16) & 0x3fffffff).toString(16)
      }`;
      const datum = p.u8(at + 20);
      p.out += `\n\t    Datum ${DATUMS[datum] ?? "unknown"} (0x${hex(datum, 2)})`;
      return false;
    }
    case 2: {
      if (len < 6) return false;
      let lci = p.u8(at + 5);
      if (lci < 3 || len < 7 + lci) return false;
      const what = p.u8(at + 6);
      p.out += `\n\t    LCI length ${lci}, LCI what ${LCI_WHAT[what] ?? "unknown"} (0x${
        hex(what, 2)
      }), Country-code `;
      printUpToNul(p, at + 7, 2);
      lci -= 3;
      let ca = at + 9;
      while (lci > 0) {
        if (lci < 2) return false;
        const type = p.u8(ca);
        const calen = p.u8(ca + 1);
        ca += 2;
        lci -= 2;
        p.out += `\n\t      CA type '${CA_TYPES[type] ?? "unknown"}' (${type}), length ${calen}: `;
        if (type === 0 || calen === 0 || lci < calen) return false;
        printUpToNul(p, ca, calen);
        ca += calen;
        lci -= calen;
      }
      return false;
    }
    case 3:
      p.out += "\n\t    ECS ELIN id ";
      printUpToNul(p, at + 5, len - 5);
      return false;
  }
  p.out += "\n\t    Location ID ";
  p.unknownData(at + 5, len - 5, "\n\t      ");
  return false;
}

/** TIA LLDP-MED TLVs. */
export function lldpTia(p: Pkt, at: number, len: number): boolean {
  if (len < 4) return false;
  const subtype = subtypeLine(p, at, TIA_SUBTYPES);
  switch (subtype) {
    case 1: {
      if (len < 7) return false;
      const caps = p.u16(at + 4);
      p.out += `\n\t    Media capabilities [${bitNames(MED_CAPABILITIES, caps, "none")}] (0x${
        hex(caps, 4)
      })`;
      const type = p.u8(at + 6);
      p.out += `\n\t    Device type [${DEVICE_TYPES[type] ?? "unknown"}] (0x${hex(type, 2)})`;
      return false;
    }
    case 2: {
      if (len < 8) return false;
      const app = p.u8(at + 4);
      p.out += `\n\t    Application type [${APPLICATION_TYPES[app] ?? "none"}] (0x${hex(app, 2)})`;
      p.out += `, Flags [${bitNames(POLICY_FLAGS, p.u8(at + 5), "none")}]`;
      p.out += `\n\t    Vlan id ${(p.u16(at + 5) & 0x1ffe) >> 1}`;
      p.out += `, L2 priority ${(p.u16(at + 6) & 0x01ff) >> 6}`;
      p.out += `, DSCP value ${p.u16(at + 6) & 0x003f}`;
      return false;
    }
    case 3:
      return location(p, at, len);
    case 4: {
      if (len < 7) return false;
      const b = p.u8(at + 4);
      // tcpdump's mask is `0xC0 >> 6`, which C reads as 0x03.
      p.out += `\n\t    Power type [${b & 0x03 ? "PD device" : "PSE device"}]`;
      p.out += `, Power source [${POWER_SOURCES[(b & 0x30) >> 4] ?? "none"}]`;
      p.out += `\n\t    Power priority [${POWER_PRIORITIES[b & 0x0f] ?? "none"}] (0x${
        hex(b & 0x0f, 2)
      })`;
      const power = p.u16(at + 5);
      p.out += power < 1024
        ? `, Power ${fixed(Math.fround(power / 10), 1)} Watts`
        : `, Power ${power} (Reserved)`;
      return false;
    }
    case 5:
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
      p.out += `\n\t  ${TIA_INVENTORY[subtype]} `;
      printUpToNul(p, at + 4, len - 4);
      return false;
  }
  return true;
}
