/**
 * LLDP's DCBX TLVs (version 1.01) as tcpdump -v prints them (print-lldp.c): control, priority
 * groups, priority flow control and application sub-TLVs.
 *
 * @module
 */
import { hex, subtypeLine } from "./lldp_org.ts";
import type { Pkt } from "./printer.ts";

const DCBX_SUBTYPES: Record<number, string> = {
  1: "DCB Capability Exchange Protocol Rev 1",
  2: "DCB Capability Exchange Protocol Rev 1.01",
};

function dcbxFeature(p: Pkt, at: number): void {
  p.out += `\n\t      Oper_Version: ${p.u8(at)}`;
  p.out += `\n\t      Max_Version: ${p.u8(at + 1)}`;
  const info = p.u8(at + 2);
  p.out += `\n\t      Info block(0x${hex(info, 2).toUpperCase()}): `;
  p.out += `Enable bit: ${info & 0x80 ? 1 : 0}, Willing bit: ${info & 0x40 ? 1 : 0}, Error Bit: ${
    info & 0x20 ? 1 : 0
  }`;
  p.out += `\n\t      SubType: ${p.u8(at + 3)}`;
}

/** DCBX (version 1.01) TLVs; version 1 is only named. */
export function lldpDcbx(p: Pkt, at: number, len: number): boolean {
  if (len < 4) return false;
  if (subtypeLine(p, at, DCBX_SUBTYPES) === 1) return true;
  let hexdump = false;
  let t = at + 4;
  let left = len - 4;
  while (left >= 2) {
    // tcpdump's DCBX printer ends quietly where a sub-TLV runs out; the TLV goes on.
    if (!p.has(t, 2)) return false;
    const tlv = p.u16(t);
    const type = tlv >> 9;
    const tlen = tlv & 0x1ff;
    hexdump = false;
    left -= 2;
    t += 2;
    if (type === 0 || tlen === 0) break;
    if (!p.has(t, tlen) || left < tlen) return false;
    const known = dcbxTlv(p, type, t, tlen);
    if (known < 0) return false;
    hexdump = known === 0;
    if (p.verbosity > 1 || hexdump) p.unknownData(t, tlen, "\n\t    ");
    left -= tlen;
    t += tlen;
  }
  return hexdump;
}

/** One DCBX TLV: 1 printed, 0 unknown (dumped in hex), -1 too short (tcpdump stops there). */
function dcbxTlv(p: Pkt, type: number, t: number, tlen: number): number {
  switch (type) {
    case 1:
      if (tlen < 10) return -1;
      p.out += `\n\t    Control - Protocol Control (type 0x1, length ${tlen})`;
      p.out += `\n\t      Oper_Version: ${p.u8(t)}`;
      p.out += `\n\t      Max_Version: ${p.u8(t + 1)}`;
      p.out += `\n\t      Sequence Number: ${p.u32(t + 2)}`;
      p.out += `\n\t      Acknowledgement Number: ${p.u32(t + 6)}`;
      return 1;
    case 2: {
      if (tlen < 17) return -1;
      p.out += `\n\t    Feature - Priority Group (type 0x2, length ${tlen})`;
      dcbxFeature(p, t);
      p.out += "\n\t      Priority Allocation";
      const pg = p.u32(t + 4);
      for (let i = 0; i <= 7; i++) {
        p.out += `\n\t          PgId_${i}: ${(pg >>> (28 - 4 * i)) & 0xf}`;
      }
      p.out += "\n\t      Priority Group Allocation";
      for (let i = 0; i <= 7; i++) p.out += `\n\t          Pg percentage[${i}]: ${p.u8(t + 8 + i)}`;
      p.out += `\n\t      NumTCsSupported: ${p.u8(t + 16)}`;
      return 1;
    }
    case 3: {
      if (tlen < 6) return -1;
      p.out += "\n\t    Feature - Priority Flow Control";
      p.out += ` (type 0x3, length ${tlen})`;
      dcbxFeature(p, t);
      const v = p.u8(t + 4);
      p.out += `\n\t      PFC Config (0x${hex(v, 2).toUpperCase()})`;
      for (let i = 0; i <= 7; i++) {
        p.out += `\n\t          Priority Bit ${i}: ${v & (1 << i) ? "Enabled" : "Disabled"}`;
      }
      p.out += `\n\t      NumTCPFCSupported: ${p.u8(t + 5)}`;
      return 1;
    }
    case 4: {
      if (tlen < 4) return -1;
      p.out += `\n\t    Feature - Application (type 0x4, length ${tlen})`;
      dcbxFeature(p, t);
      for (let left = tlen - 4, m = t + 4; left >= 6; left -= 6, m += 6) {
        p.out += "\n\t      Application Value";
        p.out += `\n\t          Application Protocol ID: 0x${hex(p.u16(m), 4)}`;
        const u = p.u16(m + 2) * 256 + p.u8(m + 4);
        p.out += `\n\t          SF (0x${(u >> 22).toString(16)}) Application Protocol ID is ${
          u >> 22 ? "Socket Number" : "L2 EtherType"
        }`;
        p.out += `\n\t          OUI: 0x${hex(u & 0x3fffff, 6)}`;
        p.out += `\n\t          User Priority Map: 0x${hex(p.u8(m + 5), 2)}`;
      }
      return 1;
    }
  }
  return 0;
}
