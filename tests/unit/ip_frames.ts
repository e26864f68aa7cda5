/**
 * Builders of IP packets for the crafted-frame tests of the IP-level printers (GRE, IPsec,
 * routing protocols...): IPv4 and IPv6 headers with correct lengths and checksums, UDP and TCP
 * with theirs, in an Ethernet frame; and the truncated variants of a frame, so the tests hold
 * the printers to tcpdump's text for cut packets too.
 *
 * @module
 */
import { concat, hex } from "./helpers.ts";
import type { Frame } from "./tcpdump_frames.ts";

export { hex };

/** Concatenated byte arrays; strings are hex. */
export function cat(...parts: (Uint8Array | string)[]): Uint8Array {
  return concat(parts.map((x) => typeof x === "string" ? hex(x) : x));
}

/** The one's complement sum of `d` (a 16-bit Internet checksum when finished). */
function sum16(d: Uint8Array, sum = 0): number {
  for (let i = 0; i < d.length; i += 2) sum += (d[i] << 8) | (i + 1 < d.length ? d[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum of `d` (with a pseudo-header's sum). */
export function cksum(d: Uint8Array, pseudo = 0): number {
  return ~sum16(d, pseudo) & 0xffff;
}

function put16(d: Uint8Array, at: number, v: number): void {
  d[at] = v >> 8;
  d[at + 1] = v & 0xff;
}

function addr4(a: string): Uint8Array {
  return new Uint8Array(a.split(".").map(Number));
}

function addr6(a: string): Uint8Array {
  const [head, tail] = a.includes("::") ? a.split("::") : [a, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => put16(out, 2 * i, parseInt(g, 16)));
  return out;
}

/** Fields of an IPv4 header. */
export interface Ip4Opts {
  src?: string;
  dst?: string;
  ttl?: number;
  tos?: number;
  id?: number;
  /** Flags and fragment offset (the 16 bits). */
  frag?: number;
  /** Total length as the header states it (default: the real one). */
  totalLength?: number;
}

/** An IPv4 packet around `payload` with a correct header checksum. */
export function ip4(proto: number, payload: Uint8Array | string, o: Ip4Opts = {}): Uint8Array {
  const body = typeof payload === "string" ? hex(payload) : payload;
  const h = new Uint8Array(20);
  h[0] = 0x45;
  h[1] = o.tos ?? 0;
  put16(h, 2, o.totalLength ?? 20 + body.length);
  put16(h, 4, o.id ?? 1);
  put16(h, 6, o.frag ?? 0);
  h[8] = o.ttl ?? 64;
  h[9] = proto;
  h.set(addr4(o.src ?? "10.0.0.1"), 12);
  h.set(addr4(o.dst ?? "10.0.0.2"), 16);
  put16(h, 10, cksum(h));
  return cat(h, body);
}

/** Fields of an IPv6 header. */
export interface Ip6Opts {
  src?: string;
  dst?: string;
  hlim?: number;
}

/** An IPv6 packet around `payload`. */
export function ip6(nh: number, payload: Uint8Array | string, o: Ip6Opts = {}): Uint8Array {
  const body = typeof payload === "string" ? hex(payload) : payload;
  const h = new Uint8Array(40);
  h[0] = 0x60;
  put16(h, 4, body.length);
  h[6] = nh;
  h[7] = o.hlim ?? 64;
  h.set(addr6(o.src ?? "fe80::1"), 8);
  h.set(addr6(o.dst ?? "fe80::2"), 24);
  return cat(h, body);
}

/** The pseudo-header sum of an IP packet `ip` (v4 or v6) for `proto` over `len` bytes. */
function pseudoSum(ip: Uint8Array, proto: number, len: number): number {
  const v6 = ip[0] >> 4 === 6;
  const addrs = v6 ? ip.subarray(8, 40) : ip.subarray(12, 20);
  return sum16(addrs, proto + len);
}

/**
 * Puts the Internet checksum of the transport segment at `ip`'s payload into the payload at
 * `at` (with the pseudo-header, or without it for the protocols that have none).
 */
export function fixSum(ip: Uint8Array, at: number, pseudo = true): Uint8Array {
  const hl = ip[0] >> 4 === 6 ? 40 : (ip[0] & 15) * 4;
  const proto = ip[0] >> 4 === 6 ? ip[6] : ip[9];
  const seg = ip.subarray(hl);
  put16(seg, at, 0);
  put16(seg, at, cksum(seg, pseudo ? pseudoSum(ip, proto, seg.length) : 0));
  return ip;
}

/** A UDP datagram (header and checksum) in IPv4 (`v6` false) or IPv6. */
export function udp(
  sport: number,
  dport: number,
  payload: Uint8Array | string,
  v6 = false,
  o: Ip4Opts & Ip6Opts = {},
): Uint8Array {
  const body = typeof payload === "string" ? hex(payload) : payload;
  const h = new Uint8Array(8);
  put16(h, 0, sport);
  put16(h, 2, dport);
  put16(h, 4, 8 + body.length);
  const ip = v6 ? ip6(17, cat(h, body), o) : ip4(17, cat(h, body), o);
  return fixSum(ip, 6);
}

/** A TCP segment with ACK|PSH (header, no options, checksum) carrying `payload`. */
export function tcp(
  sport: number,
  dport: number,
  payload: Uint8Array | string,
  v6 = false,
  o: Ip4Opts & Ip6Opts & { seq?: number; ack?: number; flags?: number } = {},
): Uint8Array {
  const body = typeof payload === "string" ? hex(payload) : payload;
  const h = new Uint8Array(20);
  put16(h, 0, sport);
  put16(h, 2, dport);
  new DataView(h.buffer).setUint32(4, o.seq ?? 1000);
  new DataView(h.buffer).setUint32(8, o.ack ?? 2000);
  h[12] = 0x50;
  h[13] = o.flags ?? 0x18;
  put16(h, 14, 8192);
  const ip = v6 ? ip6(6, cat(h, body), o) : ip4(6, cat(h, body), o);
  return fixSum(ip, 16);
}

/** An Ethernet frame of this type around `payload` (IPv4 when the packet says 4, else IPv6). */
export function eth(payload: Uint8Array, type?: number): Uint8Array {
  const t = type ?? (payload[0] >> 4 === 6 ? 0x86dd : 0x0800);
  return cat("0200000000020200000000 01", hex(t.toString(16).padStart(4, "0")), payload);
}

/** Frames of packets, each whole. */
export function frames(...packets: Uint8Array[]): Frame[] {
  return packets.map((p) => ({ data: eth(p) }));
}

/**
 * The frame cut after each of the given numbers of bytes past `from` (or every byte from
 * `from` on), keeping its length on the wire: what a short snap length captures.
 */
export function cuts(frame: Uint8Array, from = 14, every = 1): Frame[] {
  const out: Frame[] = [];
  for (let n = from; n < frame.length; n += every) {
    out.push({ data: frame.slice(0, n), origLen: frame.length });
  }
  return out;
}

/** Every truncation of these packets' frames past the IP header. */
export function allCuts(...packets: Uint8Array[]): Frame[] {
  return packets.flatMap((p) => cuts(eth(p), p[0] >> 4 === 6 ? 54 : 34));
}

/** A 16-bit field in hex (4 digits), for the hex strings the builders take. */
export const h16 = (n: number) => n.toString(16).padStart(4, "0");
/** A 32-bit field in hex (8 digits). */
export const h32 = (n: number) => n.toString(16).padStart(8, "0");
/** How many bytes a hex string holds (spaces and other separators not counted). */
export const hexBytes = (hex: string) => hex.replace(/[^0-9a-f]/gi, "").length / 2;
