/**
 * MPLS (tcpdump's print-mpls.c), ethertypes 0x8847 and 0x8848, MPLS in UDP (6635) and in PPP:
 * the label stack, then the payload guessed as tcpdump guesses it (explicit-null labels, else
 * the first byte: IPv4, IPv6 or OSI), or dumped in hex.
 *
 * @module
 */
import { etherTypePrinter } from "./dispatch.ts";
import { isoclns } from "./isis.ts";
import type { Pkt } from "./printer.ts";

/** Names of the reserved labels 0-15 (printed with -v). */
const LABEL_NAMES = [
  "IPv4 explicit NULL",
  "router alert",
  "IPv6 explicit NULL",
  "implicit NULL",
  ...new Array<string>(12).fill("rsvd"),
];

/** An MPLS label stack and its payload at `off`, `length` bytes. */
export function mpls(p: Pkt, off: number, length: number): void {
  p.proto = "mpls";
  p.out += "MPLS";
  let entry = 0;
  let depth = 0;
  do {
    if (length < 4) {
      p.out += " (invalid)";
      p.need(off, length);
      return;
    }
    entry = p.u32(off);
    const label = entry >>> 12;
    p.out += `${depth && p.verbose ? "\n\t" : " "}(label ${label}`;
    depth++;
    if (p.verbose && label < LABEL_NAMES.length) p.out += ` (${LABEL_NAMES[label]})`;
    p.out += `, tc ${(entry >> 9) & 7}`;
    if (entry & 0x100) p.out += ", [S]";
    p.out += `, ttl ${entry & 0xff})`;
    off += 4;
    length -= 4;
  } while (!(entry & 0x100));
  const label = entry >>> 12;
  // 0 IPv4, 1 IPv6, 2 OSI, -1 unknown.
  let kind = -1;
  if (label === 0 || label === 3) kind = 0;
  else if (label === 2) kind = 1;
  else {
    if (length < 1) return;
    const first = p.u8(off);
    if (first >= 0x45 && first <= 0x4f) kind = 0;
    else if (first >= 0x60 && first <= 0x6f) kind = 1;
    else if (first >= 0x81 && first <= 0x83) kind = 2;
  }
  if (kind < 0) {
    p.defaultPrint(off, length);
    return;
  }
  p.out += p.verbose ? "\n\t" : " ";
  if (kind === 2) {
    isoclns(p, off, length);
    return;
  }
  etherTypePrinter(kind === 0 ? 0x0800 : 0x86dd)?.(p, off, length);
}
