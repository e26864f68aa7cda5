/**
 * IEEE 802.2 LLC, the payload of an 802.3 frame (tcpdump's print-llc.c). Not taken apart yet:
 * the line is the fallback `src > dst, 802.3, length N` (with -e: `802.3, length N`), where
 * tcpdump goes on with the LLC header and the protocol its SAPs or SNAP header announce.
 *
 * @module
 */
import { macPair } from "./ether.ts";
import type { Pkt } from "./printer.ts";

/**
 * The LLC frame at `off` of `length` bytes (the 802.3 length field, or what the frame holds if
 * less), in the Ethernet frame at `frame`; `printedLength`: -e already printed a length (VLAN).
 */
export function llc(
  p: Pkt,
  frame: number,
  _off: number,
  length: number,
  printedLength: boolean,
): void {
  if (p.link) p.out += "802.3" + (printedLength ? "" : `, length ${length}`);
  else p.out += `${macPair(p, frame)}, 802.3, length ${length}`;
}
