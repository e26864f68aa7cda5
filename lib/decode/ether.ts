/**
 * Ethernet (tcpdump's print-ether.c): the MAC header with -e, 802.1Q/QinQ tags (0x8100, 0x88a8,
 * 0x9100, 0x9200), then the payload by ethertype through the dispatch, or LLC (llc.ts) when the
 * type field is an 802.3 length.
 *
 * @module
 */
import { etherTypePrinter } from "./dispatch.ts";
import { ETHERTYPES, ethertypeText } from "./ethertypes.ts";
import { llc, llcPayload } from "./llc.ts";
import { macsec, MACSEC_DONE, MACSEC_ENCRYPTED, macsecCaplen, sectagLength } from "./macsec.ts";
import { hex4, hexBytes, type Pkt } from "./printer.ts";

/** Whether an ethertype is a VLAN tag's. */
export function isVlanType(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100 || t === 0x9200;
}

/** The ethertype as the Ethernet header names it: -q names it alone (tcpdump's ether_type_print). */
function typeText(p: Pkt, t: number): string {
  return p.quiet ? ETHERTYPES[t] ?? `Unknown Ethertype (0x${hex4(t)})` : ethertypeText(t);
}

/** "source > destination" of the Ethernet header at `off`. */
export function macPair(p: Pkt, off: number): string {
  return `${hexBytes(p.d, off + 6, 6, ":")} > ${hexBytes(p.d, off, 6, ":")}`;
}

/** Offset of the Ethernet frame being decoded (the innermost one), for its addresses. */
let currentFrame = 0;

/** Offset of the Ethernet header being decoded, for printers that name its source address. */
export function etherSource(): number {
  return currentFrame;
}

/** The Ethernet frame at `off`, `wireLen` bytes long on the wire. */
export function ether(p: Pkt, off: number, wireLen: number): void {
  const frame = off;
  currentFrame = off;
  p.proto = "ether";
  p.need(off, 14);
  if (p.link) p.out += `${macPair(p, frame)}, `;
  let type = p.u16(off + 12);
  off += 14;
  let length = wireLen - 14;
  let printedLength = false;
  // Where tcpdump's count of captured bytes ends (before the end of the capture after MACsec).
  let capEnd = p.end;
  if (type === 0x88e5) {
    if (p.link) p.out += `${typeText(p, type)}, length ${wireLen}: `;
    printedLength = true;
    const saved = p.proto;
    p.proto = "macsec";
    const payload = macsec(p, frame, off, length);
    p.proto = saved;
    if (payload === MACSEC_DONE) return;
    off += sectagLength(p, off);
    if (payload === MACSEC_ENCRYPTED) {
      p.defaultPrint(off, Math.max(0, p.end - off));
      return;
    }
    length = payload;
    type = p.u16(off);
    if (macsecCaplen < 2) {
      p.out += ` [caplen ${macsecCaplen} < 2]`;
      return;
    }
    capEnd = off + macsecCaplen;
    off += 2;
    length -= 2;
  }
  while (isVlanType(type)) {
    p.proto = "vlan";
    p.need(off, 4);
    if (p.link) {
      const tci = p.u16(off);
      p.out += typeText(p, type) + (printedLength ? ", " : `, length ${wireLen}: `);
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
  if (type === 0x8870) {
    // Alteon jumbo frames: an LLC header follows the type, which tcpdump does not name.
    llcPayload(p, frame, off, length);
    return;
  }
  if (p.link) p.out += typeText(p, type) + (printedLength ? ", " : `, length ${wireLen}: `);
  const printer = etherTypePrinter(type);
  if (printer !== undefined) {
    printer(p, off, length);
    return;
  }
  // Not decoded here (tcpdump may know it): name the type, then the payload in hex.
  if (!p.link) p.out += `${macPair(p, frame)}, ${typeText(p, type)}, length ${wireLen}: `;
  p.defaultPrint(off, Math.max(0, Math.min(p.end, capEnd) - off));
}
