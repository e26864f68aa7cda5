/**
 * BGP (TCP port 179; tcpdump's print-bgp.c): ": BGP" after the TCP summary.
 *
 * @module
 */
import type { Pkt } from "./printer.ts";

/** BGP on TCP port 179 (tcpdump's bgp_print). */
export function bgp(p: Pkt): void {
  p.proto = "bgp";
  p.out += ": BGP";
}
