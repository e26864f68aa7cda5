/**
 * tcpdump's small text helpers that many printers share: names of the bits set in a flags field
 * (its bittok2str), printable text of packet bytes (its nd_printjnp and friends, which escape
 * what is not printable ASCII as `M-x` and `^X`, appended byte by byte as tcpdump prints them), durations (unsigned_relts_print), and C's
 * `%.Nf` rounding.
 *
 * @module
 */
import { hexBytes, type Pkt } from "./printer.ts";

/** A flags table: bit masks and their names, in the order tcpdump's table lists them. */
export type BitNames = readonly (readonly [number, string])[];

/**
 * tcpdump's bittok2str: the names of every mask wholly set in `v`, joined by `sep`, or `none`
 * when there is none.
 */
export function bitNames(table: BitNames, v: number, none: string, sep = ", "): string {
  let s = "";
  let first = true;
  for (const [mask, name] of table) {
    if (mask !== 0 && (v & mask) === mask) {
      s += first ? name : sep + name;
      first = false;
    }
  }
  return first ? none : s;
}

/** "#%08x", bittok2str's text when it has no other. */
export function hashHex8(v: number): string {
  return "#" + (v >>> 0).toString(16).padStart(8, "0");
}

/** One byte as tcpdump's fn_print_char prints it: `M-` for the high bit, `^` for controls. */
export function printableChar(c: number): string {
  let s = "";
  if (c >= 0x80) {
    c &= 0x7f;
    s = "M-";
  }
  if (c < 0x20 || c === 0x7f) return s + "^" + String.fromCharCode(c ^ 0x40);
  return s + String.fromCharCode(c);
}

/**
 * Appends up to `n` bytes at `off` as text, stopping before a NUL (tcpdump's nd_printjnp). Like
 * tcpdump it prints byte by byte, so a byte beyond the capture throws after the text before it.
 */
export function printUpToNul(p: Pkt, off: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const c = p.u8(off + i);
    if (c === 0) return;
    p.out += printableChar(c);
  }
}

/** Appends exactly `n` bytes at `off` as text, NULs included (tcpdump's nd_printn). */
export function printN(p: Pkt, off: number, n: number): void {
  for (let i = 0; i < n; i++) p.out += printableChar(p.u8(off + i));
}

const UNITS = ["y", "w", "d", "h", "m", "s"];
const UNIT_SECONDS = [31536000, 604800, 86400, 3600, 60, 1];

/** A duration as tcpdump's unsigned_relts_print: `1h2m3s`, `0s`. */
export function relTime(secs: number): string {
  if (secs === 0) return "0s";
  let s = "";
  for (let i = 0; i < UNITS.length && secs > 0; i++) {
    if (secs >= UNIT_SECONDS[i]) {
      const n = Math.floor(secs / UNIT_SECONDS[i]);
      s += `${n}${UNITS[i]}`;
      secs -= n * UNIT_SECONDS[i];
    }
  }
  return s;
}

/**
 * C's `%.Nf`: like toFixed, except that an exact tie rounds to even, as glibc's printf does
 * (toFixed rounds it up).
 */
export function fixed(x: number, digits: number): string {
  const scale = 10 ** digits;
  const scaled = Math.abs(x) * scale;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5 && floor % 2 === 0) {
    return (x < 0 ? "-" : "") + (floor / scale).toFixed(digits);
  }
  return x.toFixed(digits);
}

/** `n` captured bytes at `off` in hex (tcpdump's `%02x` loops); throws past the capture. */
export function hexRun(p: Pkt, off: number, n: number, sep = ""): string {
  p.need(off, n);
  return hexBytes(p.d, off, n, sep);
}

/** The unsigned 64-bit number at `off` in decimal (`%PRIu64`). */
export function u64Text(p: Pkt, off: number): string {
  const hi = p.u32(off);
  const lo = p.u32(off + 4);
  if (hi < 0x200000) return String(hi * 0x100000000 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** The unsigned 64-bit number at `off` in hex without leading zeros (`%PRIx64`). */
export function u64Hex(p: Pkt, off: number): string {
  const hi = p.u32(off);
  const lo = p.u32(off + 4);
  return hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, "0");
}

/** The MAC address at `off`, colon-separated (tcpdump's etheraddr_string with -n). */
export function macText(p: Pkt, off: number): string {
  p.need(off, 6);
  return hexBytes(p.d, off, 6, ":");
}

/** Address family numbers (tcpdump's af_values). */
export const ADDRESS_FAMILIES: Record<number, string> = {
  0: "Reserved",
  1: "IPv4",
  2: "IPv6",
  3: "NSAP",
  4: "HDLC",
  5: "BBN 1822",
  6: "802",
  7: "E.163",
  8: "E.164",
  9: "F.69",
  10: "X.121",
  11: "Novell IPX",
  12: "Appletalk",
  13: "Decnet IV",
  14: "Banyan Vines",
  15: "E.164 with NSAP subaddress",
  196: "Layer-2 VPN",
  25: "VPLS",
};
