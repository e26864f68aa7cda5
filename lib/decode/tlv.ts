/**
 * Helpers the routing-protocol printers share (from tcpdump's util-print.c and gmpls.c): its
 * print_unknown_data with the complaint it prints past the end of the packet, printf's `%.Nf`
 * of IEEE floats (traffic-engineering bandwidths), and the GMPLS names OSPF and BGP print.
 *
 * @module
 */
import { hexAsciiLines } from "./hexdump.ts";
import { formatIp6, type Pkt, TRUNCATED } from "./printer.ts";

/** Address family numbers (tcpdump's af_values), for the routing printers that import them here. */
export { ADDRESS_FAMILIES } from "./tokens.ts";

/**
 * tcpdump's print_unknown_data: at most `len` captured bytes at `off` in hex, each line
 * starting with `indent`; false (after saying so) when `off` is already past the capture.
 */
export function unknownData(p: Pkt, off: number, len: number, indent: string): boolean {
  if (off > p.end) {
    p.out += `${indent}Dissector error: print_unknown_data called with pointer past end of packet`;
    return false;
  }
  p.unknownData(off, len, indent);
  return true;
}

/**
 * tcpdump's hex_and_ascii_print with an indent: `len` bytes at `off` in hex and ASCII, each line
 * starting with `indent`; when the capture ends first, what there is, then the truncation.
 */
export function hexAsciiIndented(p: Pkt, off: number, len: number, indent: string): string {
  const have = Math.max(0, Math.min(len, p.end - off));
  const text = hexAsciiLines(p.d.subarray(off, off + have)).replaceAll("\n\t0x", `${indent}0x`);
  if (have < len) {
    p.out += text;
    throw TRUNCATED;
  }
  return text;
}

/**
 * tcpdump's hex_print: `len` bytes at `off` in hex, each line of 16 starting with `indent`;
 * when the capture ends first, what there is, then the truncation.
 */
export function hexPrint(p: Pkt, off: number, len: number, indent: string): void {
  const have = Math.max(0, Math.min(len, p.end - off));
  p.unknownData(off, have, indent);
  if (have < len) throw TRUNCATED;
}

const f32 = new DataView(new ArrayBuffer(4));

/** The IEEE single-precision float of these 32 bits. */
export function float32(bits: number): number {
  f32.setUint32(0, bits);
  return f32.getFloat32(0);
}

/** Bits per second of a bandwidth in bytes per second (a float), in Mbps as C computes it. */
export function mbps(bits: number): number {
  return Math.fround(Math.fround(float32(bits) * 8) / 1000000);
}

/**
 * printf's `%.{digits}f`: like toFixed, but a value exactly halfway rounds to even (glibc), and
 * infinities and NaN print as C does.
 */
export function fixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) {
    return Number.isNaN(x) ? (x < 0 ? "-nan" : "nan") : x < 0 ? "-inf" : "inf";
  }
  const s = x.toFixed(digits);
  // toFixed rounds a tie away from zero; glibc rounds it to even. A tie is exact in binary.
  const scaled = Math.abs(x) * 10 ** digits;
  if (scaled - Math.floor(scaled) !== 0.5 || !Number.isSafeInteger(Math.floor(scaled))) return s;
  if (!isExactTie(Math.abs(x), digits)) return s;
  const down = Math.floor(scaled);
  const even = down % 2 === 0 ? down : down + 1;
  const body = (even / 10 ** digits).toFixed(digits);
  return x < 0 ? `-${body}` : body;
}

/** Whether x * 10^digits is exactly an integer plus one half (checked in exact arithmetic). */
function isExactTie(x: number, digits: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = exp - 1075;
  if (exp === 0) e = -1074;
  else mant |= 1n << 52n;
  // x = mant * 2^e; is 2 * x * 10^digits an odd integer?
  let num = mant * 2n * 10n ** BigInt(digits);
  if (e >= 0) num <<= BigInt(e);
  else {
    const d = 1n << BigInt(-e);
    if (num % d !== 0n) return false;
    num /= d;
  }
  return num % 2n === 1n;
}

/** "s" unless n is 1 (tcpdump's PLURAL_SUFFIX). */
export function plural(n: number): string {
  return n !== 1 ? "s" : "";
}

/** GMPLS link protection bits (RFC 3471), for bittok2str. */
export const GMPLS_LINK_PROTECTION: readonly (readonly [number, string])[] = [
  [0x01, "Extra Traffic"],
  [0x02, "Unprotected"],
  [0x04, "Shared"],
  [0x08, "Dedicated 1:1"],
  [0x10, "Dedicated 1+1"],
  [0x20, "Enhanced"],
  [0x40, "Reserved"],
  [0x80, "Reserved"],
];

/** GMPLS switching capabilities (RFC 3471). */
export const GMPLS_SWITCH_CAP: Record<number, string> = {
  1: "Packet-Switch Capable-1",
  2: "Packet-Switch Capable-2",
  3: "Packet-Switch Capable-3",
  4: "Packet-Switch Capable-4",
  51: "Layer-2 Switch Capable",
  100: "Time-Division-Multiplex",
  150: "Lambda-Switch Capable",
  200: "Fiber-Switch Capable",
};

/** GMPLS LSP encodings (RFC 3471). */
export const GMPLS_ENCODING: Record<number, string> = {
  1: "Packet",
  2: "Ethernet V2/DIX",
  3: "ANSI/ETSI PDH",
  4: "Reserved",
  5: "SDH ITU-T G.707/SONET ANSI T1.105",
  6: "Reserved",
  7: "Digital Wrapper",
  8: "Lambda (photonic)",
  9: "Fiber",
  10: "Reserved",
  11: "FiberChannel",
};

/** Diffserv-TE bandwidth constraint models. */
export const DIFFSERV_TE_BC: Record<number, string> = {
  0: "Russian dolls",
  1: "Maximum allocation",
  254: "Maximum allocation with E-LSP support",
};

/** The text of the last prefix {@link decodePrefix} decoded. */
export let prefixText = "";
const prefixBuf = new Uint8Array(16);

/**
 * tcpdump's decode_prefix4 and decode_prefix6 (BGP's NLRI encoding: a length in bits, then as
 * many bytes as it needs): the bytes it took, with its text in {@link prefixText}; -1 for a
 * length past the address, -2 when `itemLen` is too short.
 */
export function decodePrefix(p: Pkt, at: number, itemLen: number, v6: boolean): number {
  if (itemLen < 1) return -2;
  const plen = p.u8(at);
  if (plen > (v6 ? 128 : 32)) return -1;
  const bytes = (plen + 7) >> 3;
  if (itemLen - 1 < bytes) return -2;
  p.need(at + 1, bytes);
  prefixBuf.fill(0);
  prefixBuf.set(p.d.subarray(at + 1, at + 1 + bytes));
  if (plen % 8) prefixBuf[bytes - 1] &= (0xff00 >> (plen % 8)) & 0xff;
  const a = v6
    ? formatIp6(prefixBuf)
    : `${prefixBuf[0]}.${prefixBuf[1]}.${prefixBuf[2]}.${prefixBuf[3]}`;
  prefixText = `${a}/${plen}`;
  return 1 + bytes;
}
