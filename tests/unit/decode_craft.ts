/**
 * Crafted frames for the protocol tests: Ethernet + IPv4/IPv6 + UDP/TCP around a payload (with
 * correct checksums), truncated variants, and the comparison with `tcpdump -n` itself, frame by
 * frame, at the flag sets asked: a frame agrees only when its whole text is identical.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Decoder } from "../../lib/decode/decode.ts";
import { dumpsWholeFrame, hexDump } from "../../lib/decode/hexdump.ts";
import { ttTexts, writeFrames } from "./helpers.ts";
import { decoderOptions, haveTcpdump499 } from "./tcpdump_run.ts";

export const TCPDUMP = haveTcpdump499();
if (!TCPDUMP) console.log("decode_craft: tcpdump 4.99 not found; the crafted comparisons skip");

/**
 * Corpus files of the application family (DNS, AFS, ISAKMP, DHCP, NTP, overlays...), for the
 * fuzz of its printers.
 */
export const APP_FILES =
  /dns|mdns|afs|rx_|isakmp|ikev|esp|geneve|vxlan|nsh|dhcp|bootp|ntp|sflow|krb|radius|hncp|lwapp|ssh|http|whois|syslog|snmp|tftp|icmpv6|timed|ahcp|dcb_/i;

/** One frame: the captured bytes and the length on the wire. */
export interface Frame {
  data: Uint8Array;
  origLen: number;
  /** What the test calls it (printed when it differs). */
  name: string;
}

/** Bytes from hex text (white space ignored). */
export function hex(s: string): number[] {
  const t = s.replace(/\s+/g, "");
  const out: number[] = [];
  for (let i = 0; i < t.length; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
  return out;
}

/** ASCII bytes of a string. */
export function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0) & 0xff);
}

export const be16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
export const be32 = (v: number): number[] => [v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255];

/** A DNS-style name: labels with their lengths, then 0. */
export function dnsName(name: string): number[] {
  const out: number[] = [];
  for (const l of name.split(".").filter((x) => x !== "")) out.push(l.length, ...ascii(l));
  out.push(0);
  return out;
}

function sum16(bytes: number[], from: number, to: number, init = 0): number {
  let s = init;
  for (let i = from; i < to; i += 2) s += (bytes[i] << 8) | (i + 1 < to ? bytes[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

const ETH_SRC = hex("020000000001");
const ETH_DST = hex("020000000002");

/** Options of the IP frames. */
export interface IpOpts {
  src?: number[];
  dst?: number[];
  ttl?: number;
}

/** Ethernet + IPv4 carrying `proto` with `payload` (checksum set). */
export function ip4(proto: number, payload: number[], o: IpOpts = {}): number[] {
  const src = o.src ?? [10, 0, 0, 1];
  const dst = o.dst ?? [10, 0, 0, 2];
  const h = [0x45, 0, ...be16(20 + payload.length), 0x12, 0x34, 0, 0, o.ttl ?? 64, proto, 0, 0];
  h.push(...src, ...dst);
  const c = ~sum16(h, 0, 20) & 0xffff;
  h[10] = c >> 8;
  h[11] = c & 255;
  return [...ETH_DST, ...ETH_SRC, 8, 0, ...h, ...payload];
}

/** Ethernet + IPv6 carrying `nh` with `payload`. */
export function ip6(nh: number, payload: number[], o: IpOpts = {}): number[] {
  const src = o.src ?? hex("fe800000000000000000000000000001");
  const dst = o.dst ?? hex("fe800000000000000000000000000002");
  const h = [0x60, 0, 0, 0, ...be16(payload.length), nh, o.ttl ?? 64, ...src, ...dst];
  return [...ETH_DST, ...ETH_SRC, 0x86, 0xdd, ...h, ...payload];
}

/** The transport checksum over the pseudo-header of the IP header at 14 in `f`. */
function transportChecksum(f: number[], at: number, proto: number, cksumAt: number): void {
  const v6 = f[14] >> 4 === 6;
  const len = f.length - at;
  let s = v6 ? sum16(f, 22, 54) : sum16(f, 26, 34);
  s = sum16([0, proto, ...be16(len)], 0, 4, s);
  s = sum16(f, at, f.length, s);
  const c = ~s & 0xffff || (proto === 17 ? 0xffff : 0);
  f[cksumAt] = c >> 8;
  f[cksumAt + 1] = c & 255;
}

/** A UDP datagram over IPv4 (or IPv6 with `v6`), checksums right. */
export function udp(sport: number, dport: number, payload: number[], v6 = false, o: IpOpts = {}) {
  const u = [...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0, ...payload];
  const f = v6 ? ip6(17, u, o) : ip4(17, u, o);
  const at = v6 ? 54 : 34;
  transportChecksum(f, at, 17, at + 6);
  return f;
}

/** A TCP segment (PSH|ACK by default) over IPv4 or IPv6, checksums right. */
export function tcp(
  sport: number,
  dport: number,
  payload: number[],
  v6 = false,
  flags = 0x18,
  seq = 1000,
  ack = 2000,
): number[] {
  const t = [...be16(sport), ...be16(dport), ...be32(seq), ...be32(ack), 0x50, flags];
  t.push(...be16(8192), 0, 0, 0, 0, ...payload);
  const f = v6 ? ip6(6, t) : ip4(6, t);
  const at = v6 ? 54 : 34;
  transportChecksum(f, at, 6, at + 16);
  return f;
}

/** A frame as captured whole. */
export function frame(name: string, bytes: number[]): Frame {
  return { name, data: new Uint8Array(bytes), origLen: bytes.length };
}

/**
 * The frame and copies cut short at each of `cuts` bytes from the end of its headers (`from`:
 * where the payload starts), as a capture with a small snaplen holds them.
 */
export function withCuts(f: Frame, from: number, cuts: number[]): Frame[] {
  const out = [f];
  for (const c of cuts) {
    const n = from + c;
    if (n < f.data.length) {
      out.push({ name: `${f.name} cut@${c}`, data: f.data.slice(0, n), origLen: f.origLen });
    }
  }
  return out;
}

/** Payload offsets of the frames made here. */
export const UDP4_PAYLOAD = 42;
export const UDP6_PAYLOAD = 62;
export const TCP4_PAYLOAD = 54;

/** tcpdump's text of each frame (timestamp removed, continuation lines joined by "\n"). */
export function tcpdumpTexts(frames: Frame[], flags: string[]): string[] {
  const dir = Deno.makeTempDirSync({ prefix: "xskt-craft-" });
  try {
    const path = `${dir}/f.pcap`;
    // Frame i at i + 1 seconds.
    writeFrames(path, frames, 1, 1e9);
    const out = new Deno.Command("tcpdump", {
      args: ["-tt", "-n", ...flags, "-r", path],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    return ttTexts(new TextDecoder().decode(out.stdout), frames.length).texts;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/**
 * Our text of each frame, one Decoder for them all, as `xskdump -r` decodes a file; with -x the
 * hex dump after it, as the CLI prints it (which tells a truncation tcpdump gave up on).
 */
export function ourTexts(frames: Frame[], flags: string[]): string[] {
  const hex = flags.includes("-x");
  const d = new Decoder({ ...decoderOptions(flags), undecodedHex: !hex });
  return frames.map((f) => {
    const line = d.describe(f.data, f.origLen);
    if (!hex) return line;
    return line +
      hexDump(f.data, { level: 1, ascii: false }, dumpsWholeFrame(line, f.data, d.gaveUp));
  });
}

/**
 * The frames whose text differs from tcpdump's at each flag set, as readable reports (empty when
 * all agree).
 */
export function differences(frames: Frame[], flagSets: string[][]): string[] {
  const out: string[] = [];
  for (const flags of flagSets) {
    const theirs = tcpdumpTexts(frames, flags);
    const ours = ourTexts(frames, flags);
    frames.forEach((f, i) => {
      if (ours[i] !== theirs[i]) {
        out.push(
          `[${flags.join(" ") || "default"}] ${f.name}\n  ours:    ${
            ours[i].replaceAll("\n", "\n           ")
          }\n  tcpdump: ${theirs[i].replaceAll("\n", "\n           ")}`,
        );
      }
    });
  }
  return out;
}

/** The flag sets every crafted case is compared at (-x: the hex dump too). */
export const FLAG_SETS = [[], ["-v"], ["-vv"], ["-vvv"], ["-e"], ["-x"], ["-v", "-x"]];

/**
 * Registers the test that holds `frames()` to tcpdump's text at every one of {@link FLAG_SETS}:
 * a frame agrees only when its whole text is identical. Ignored where tcpdump 4.99 is missing
 * (this module says so once).
 */
export function sameAsTcpdump(name: string, frames: () => Frame[]): void {
  Deno.test({
    name,
    ignore: !TCPDUMP,
    fn() {
      assert.deepEqual(differences(frames(), FLAG_SETS), []);
    },
  });
}
