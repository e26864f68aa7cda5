/**
 * The RPKI-to-router protocol (TCP port 323; tcpdump's print-rpki-rtr.c): ", RPKI-RTR" after
 * the TCP summary.
 *
 * @module
 */
import type { Pkt } from "./printer.ts";

/** RPKI-RTR on TCP port 323 (tcpdump's rpki_rtr_print). */
export function rpkiRtr(p: Pkt): void {
  p.proto = "rpki_rtr";
  p.out += ", RPKI-RTR";
}
