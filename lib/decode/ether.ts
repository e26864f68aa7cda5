/**
 * Ethernet (tcpdump's print-ether.c): the MAC header with -e, 802.1Q/QinQ tags (0x8100, 0x88a8,
 * 0x9100, 0x9200), then the payload by ethertype through the dispatch, or LLC (llc.ts) when the
 * type field is an 802.3 length.
 *
 * @module
 */
import { etherTypePrinter } from "./dispatch.ts";
import { ethertypeText } from "./ethertypes.ts";
import { llc } from "./llc.ts";
import { hexBytes, type Pkt } from "./printer.ts";

/** Whether an ethertype is a VLAN tag's. */
export function isVlanType(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100 || t === 0x9200;
}

/** "source > destination" of the Ethernet header at `off`. */
export function macPair(p: Pkt, off: number): string {
  return `${hexBytes(p.d, off + 6, 6, ":")} > ${hexBytes(p.d, off, 6, ":")}`;
}

/** The Ethernet frame at `off`, `wireLen` bytes long on the wire. */
export function ether(p: Pkt, off: number, wireLen: number): void {
  const frame = off;
  p.proto = "ether";
  p.need(off, 14);
  if (p.link) p.out += `${macPair(p, frame)}, `;
  let type = p.u16(off + 12);
  off += 14;
  let length = wireLen - 14;
  let printedLength = false;
  while (isVlanType(type)) {
    p.proto = "vlan";
    p.need(off, 4);
    if (p.link) {
      const tci = p.u16(off);
      p.out += ethertypeText(type) + (printedLength ? ", " : `, length ${wireLen}: `);
      printedLength = true;
      p.out += `vlan ${tci & 0xfff}, p ${tci >> 13}${tci & 0x1000 ? ", DEI" : ""}, `;
    }
    type = p.u16(off + 2);
    off += 4;
    length -= 4;
  }
  if (type <= 1500) {
    llc(p, frame, off, type < length ? type : length, printedLength);
    return;
  }
  if (p.link) p.out += ethertypeText(type) + (printedLength ? ", " : `, length ${wireLen}: `);
  const printer = etherTypePrinter(type);
  if (printer !== undefined) {
    printer(p, off, length);
    return;
  }
  // Not decoded here (tcpdump may know it): name the type, then the payload in hex.
  if (!p.link) p.out += `${macPair(p, frame)}, ${ethertypeText(type)}, length ${wireLen}: `;
  p.defaultPrint(off, p.end - off);
}
