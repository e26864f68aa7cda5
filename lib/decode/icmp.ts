/**
 * ICMP (tcpdump's print-icmp.c): every type's summary, and with -v the checksum, the datagram an
 * error quotes (printed by ip.ts) and RFC 4884 extensions (MPLS label stacks).
 *
 * @module
 */
import { hexLines } from "./hexdump.ts";
import { ipv4 } from "./ip.ts";
import { hex4, type IpInfo, type Pkt } from "./printer.ts";
import { cksumShouldBe, finishSum, sumWords } from "./verbose.ts";

const ICMP_UNREACH: Record<number, (dst: string) => string> = {
  5: (a) => `${a} unreachable - source route failed`,
  6: (a) => `net ${a} unreachable - unknown`,
  7: (a) => `host ${a} unreachable - unknown`,
  8: (a) => `${a} unreachable - source host isolated`,
  9: (a) => `net ${a} unreachable - admin prohibited`,
  10: (a) => `host ${a} unreachable - admin prohibited`,
  11: (a) => `net ${a} unreachable - tos prohibited`,
  12: (a) => `host ${a} unreachable - tos prohibited`,
  13: (a) => `host ${a} unreachable - admin prohibited filter`,
  14: (a) => `host ${a} unreachable - host precedence violation`,
  15: (a) => `host ${a} unreachable - precedence cutoff`,
};

const ICMP_NAMES: Record<number, string> = {
  0: "echo reply",
  4: "source quench",
  8: "echo request",
  10: "router solicitation",
  13: "time stamp request",
  14: "time stamp reply",
  15: "information request",
  16: "information reply",
  17: "address mask request",
};

/** Milliseconds since midnight, as tcpdump prints ICMP timestamps (hours may exceed 23). */
function icmpTime(ms: number): string {
  const msec = ms % 1000;
  let sec = Math.floor(ms / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(hrs)}:${two(min)}:${two(sec)}.${String(msec).padStart(3, "0")}`;
}

/** The ICMP message at `off`, `length` bytes by the IP header in front (`info`). */
export function icmp(p: Pkt, off: number, length: number, info: IpInfo): void {
  if (info.v6) {
    p.out += "[ICMP requires IPv4] (invalid)";
    return;
  }
  p.proto = "icmp";
  const type = p.u8(off);
  const code = p.u8(off + 1);
  // Built whole before printing: when bytes run out midway tcpdump prints none of it.
  let s: string;
  const innerDst = () => p.ip4(off + 8 + 16);
  switch (type) {
    case 0:
    case 8:
      s = `echo ${type === 8 ? "request" : "reply"}, id ${p.u16(off + 4)}, seq ${p.u16(off + 6)}`;
      break;
    case 3:
      switch (code) {
        case 0:
          s = `net ${innerDst()} unreachable`;
          break;
        case 1:
          s = `host ${innerDst()} unreachable`;
          break;
        case 2:
          s = `${innerDst()} protocol ${p.u8(off + 8 + 9)} unreachable`;
          break;
        case 3: {
          const ihl = (p.u8(off + 8) & 0x0f) * 4;
          const dport = p.u16(off + 8 + ihl + 2);
          const proto = p.u8(off + 8 + 9);
          const dst = innerDst();
          s = proto === 6
            ? `${dst} tcp port ${dport} unreachable`
            : proto === 17
            ? `${dst} udp port ${dport} unreachable`
            : `${dst} protocol ${proto} port ${dport} unreachable`;
          break;
        }
        case 4: {
          const mtu = p.u16(off + 6);
          s = `${innerDst()} unreachable - need to frag${mtu ? ` (mtu ${mtu})` : ""}`;
          break;
        }
        default: {
          const f = ICMP_UNREACH[code];
          s = f ? f(innerDst()) : `${innerDst()} unreachable - #${code}`;
        }
      }
      break;
    case 5: {
      const dst = innerDst();
      const gw = p.ip4(off + 4);
      s = code === 0
        ? `redirect ${dst} to net ${gw}`
        : code === 1
        ? `redirect ${dst} to host ${gw}`
        : code === 2
        ? `redirect-tos ${dst} to net ${gw}`
        : code === 3
        ? `redirect-tos ${dst} to host ${gw}`
        : `redirect-#${code} ${dst} to ${gw}`;
      break;
    }
    case 9: {
      const num = p.u8(off + 4);
      const size = p.u8(off + 5);
      const life = p.u16(off + 6);
      const two = (n: number) => String(n).padStart(2, "0");
      s = "router advertisement lifetime " +
        (life < 60
          ? `${life}`
          : life < 3600
          ? `${Math.floor(life / 60)}:${two(life % 60)}`
          : `${Math.floor(life / 3600)}:${two(Math.floor((life % 3600) / 60))}:${two(life % 60)}`);
      s += ` ${num}:`;
      if (size !== 2) {
        s += ` [size ${size}]`;
      } else {
        for (let k = 0; k < num; k++) {
          s += ` {${p.ip4(off + 8 + 8 * k)} ${p.u32(off + 12 + 8 * k)}}`;
        }
      }
      break;
    }
    case 11:
      p.need(off + 8 + 16, 4);
      s = code === 0
        ? "time exceeded in-transit"
        : code === 1
        ? "ip reassembly time exceeded"
        : `time exceeded-#${code}`;
      break;
    case 12:
      s = code ? `parameter problem - code ${code}` : `parameter problem - octet ${p.u8(off + 4)}`;
      break;
    case 13:
      s = `time stamp query id ${p.u16(off + 4)} seq ${p.u16(off + 6)}`;
      break;
    case 14:
      s = `time stamp reply id ${p.u16(off + 4)} seq ${p.u16(off + 6)}: org ${
        icmpTime(p.u32(off + 8))
      }, recv ${icmpTime(p.u32(off + 12))}, xmit ${icmpTime(p.u32(off + 16))}`;
      break;
    case 18:
      s = `address mask is 0x${p.u32(off + 8).toString(16).padStart(8, "0")}`;
      break;
    default:
      s = ICMP_NAMES[type] ?? `type-#${type}`;
  }
  p.out += `ICMP ${s}, length ${length}`;
  if (p.verbose) icmpVerbose(p, off, length, info.fragmented, type);
}

/** ICMP types that quote the datagram they are about. */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** tcpdump -v after an ICMP line: a wrong checksum, then the datagram an error quotes. */
function icmpVerbose(p: Pkt, off: number, length: number, fragmented: boolean, type: number): void {
  if (!fragmented && p.has(off, length)) {
    const sum = finishSum(sumWords(p.d, off, length));
    if (sum !== 0) {
      const carried = p.u16(off + 2);
      p.out += ` (wrong icmp cksum ${carried.toString(16)} (->${
        cksumShouldBe(carried, sum).toString(16)
      })!)`;
    }
  }
  if (!ICMP_ERRORS.has(type)) return;
  const inner = off + 8;
  p.out += "\n\t";
  const ipLen = p.u16(inner + 2);
  const end = p.end;
  // The quoted datagram ends where its own header says (ICMP extensions may follow it).
  if (inner + ipLen < p.end) p.end = inner + ipLen;
  ipv4(p, inner, ipLen);
  p.end = end;
  p.proto = "icmp";
  if ((type === 3 || type === 11 || type === 12) && length > ICMP_EXT_OFFSET) {
    icmpExtensions(p, off, length);
  }
}

/** Where RFC 4884 extensions start in an ICMP message: 128 bytes of original datagram on. */
const ICMP_EXT_OFFSET = 136;

/**
 * tcpdump -v's RFC 4884 multi-part extensions of an ICMP error (MPLS label stacks and other
 * objects). Without a length field, a bad checksum over them says there are none, silently.
 */
function icmpExtensions(p: Pkt, off: number, length: number): void {
  // tcpdump first wants the fixed part of its extension struct (141 bytes) captured.
  if (!p.has(off, ICMP_EXT_OFFSET + 5)) {
    p.out += " [|icmp]";
    return;
  }
  const ext = off + ICMP_EXT_OFFSET;
  let hlen = length - ICMP_EXT_OFFSET;
  if (p.d[off + 5] === 0 && p.has(ext, hlen) && finishSum(sumWords(p.d, ext, hlen)) !== 0) return;
  const version = p.d[ext] >> 4;
  p.out += `\n\tICMP Multi-Part extension v${version}`;
  if (version !== 2) {
    p.out += " packet not supported";
    return;
  }
  if (p.has(ext, hlen)) {
    const correct = finishSum(sumWords(p.d, ext, hlen)) === 0;
    p.out += `, checksum 0x${hex4(p.u16(ext + 2))} (${correct ? "" : "in"}correct), length ${hlen}`;
  }
  hlen -= 4;
  let obj = ext + 4;
  while (hlen > 4) {
    if (!p.has(obj, 4)) {
      p.out += " [|icmp]";
      return;
    }
    let tlen = p.u16(obj);
    const cls = p.d[obj + 2];
    const ctype = p.d[obj + 3];
    obj += 4;
    const name = cls === 1
      ? "MPLS Stack Entry"
      : cls === 2
      ? "Interface Identification"
      : "unknown";
    p.out += `\n\t  ${name} Object (${cls}), Class-Type: ${ctype}, length ${tlen}`;
    hlen -= 4;
    if (cls === 0 || tlen < 4) return;
    tlen -= 4;
    if (cls === 1 && ctype === 1) {
      const raw = p.u32(obj);
      p.out +=
        `\n\t    label ${raw >>> 12}, tc ${(raw >> 9) & 7}${(raw >> 8) & 1 ? ", [S]" : ""}, ` +
        `ttl ${raw & 0xff}`;
    } else {
      // tcpdump's print_unknown_data: the object's captured bytes in hex.
      const n = Math.min(tlen, Math.max(0, p.end - obj));
      p.out += hexLines(p.d.subarray(obj, obj + n), 0, "\n\t    ");
    }
    if (hlen < tlen) break;
    hlen -= tlen;
    obj += tlen;
  }
}
