/**
 * The Ethernet configuration testing protocol (ethertype 0x9000, tcpdump's
 * print-loopback.c): the skip count and the first message (reply or forward).
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { macText } from "./tokens.ts";

function le16(p: Pkt, at: number): number {
  return p.u8(at) | (p.u8(at + 1) << 8);
}

function invalid(p: Pkt, at: number, len: number): void {
  p.out += " (invalid)";
  p.need(at, len);
}

/** A loopback frame at `off`, `len` bytes. */
export function loopback(p: Pkt, off: number, len: number): void {
  p.proto = "loopback";
  p.out += "Loopback";
  if (len < 2) return invalid(p, off, len);
  const skip = le16(p, off);
  let at = off + 2;
  len -= 2;
  p.out += `, skipCount ${skip}`;
  if (skip % 8) p.out += " (bogus)";
  if (skip > len) return invalid(p, at, len);
  p.need(at, skip);
  at += skip;
  len -= skip;
  if (len < 2) return invalid(p, at, len);
  const fn = le16(p, at);
  at += 2;
  len -= 2;
  p.out += `, ${fn === 1 ? "Reply" : fn === 2 ? "Forward Data" : ` invalid (${fn})`}`;
  if (fn === 1) {
    if (len < 2) return invalid(p, at, len);
    p.out += `, receipt number ${le16(p, at)}`;
    at += 2;
    len -= 2;
    p.out += `, data (${len} octets)`;
  } else if (fn === 2) {
    if (len < 6) return invalid(p, at, len);
    p.out += `, forwarding address ${macText(p, at)}`;
    at += 6;
    len -= 6;
    p.out += `, data (${len} octets)`;
  }
  p.need(at, len);
}
