/**
 * RIP (UDP port 520; tcpdump's print-rip.c): version 1 and 2 with, at -v, their routes and
 * authentication entries; and RIPng (UDP port 521; print-ripng.c).
 *
 * @module
 */
import { CUT, type Pkt } from "./printer.ts";
import { printjnp } from "./text.ts";
import { unknownData } from "./tlv.ts";

const COMMANDS = ["", "Request", "Response", "Trace on", "Trace off", "Poll", "Poll Entry"];
const BSD_AF: Record<number, string> = {
  2: "IPv4",
  6: "NS",
  7: "ISO",
  16: "Appletalk",
  23: "IPX",
  24: "IPv6",
  28: "IPv6",
  30: "IPv6",
};

/** The prefix length of a contiguous netmask, or -1 (tcpdump's mask2plen). */
function maskLength(mask: number): number {
  for (let n = 32; n >= 0; n--) {
    const m = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
    if (m === mask) return n;
  }
  return -1;
}

/** RIP v1/v2 (tcpdump's rip_print). */
export function rip(p: Pkt, off: number, length: number): void {
  p.proto = "rip";
  if (p.end < off) throw CUT;
  let len = Math.min(p.end - off, length);
  if (len < 4) throw CUT;
  len -= 4;
  const vers = p.u8(off + 1);
  p.out += `${p.verbose ? "\n\t" : ""}RIPv${vers}`;
  if (vers === 0) {
    unknownData(p, off, length, "\n\t");
    return;
  }
  const cmd = p.u8(off);
  p.out += `, ${COMMANDS[cmd] || `unknown command (${cmd})`}, length: ${length}`;
  if (!p.verbose) return;
  switch (cmd) {
    case 1:
    case 2:
      if (vers === 1 || vers === 2) {
        p.out += `, routes: ${Math.floor(length / 20)}${vers === 2 ? " or less" : ""}`;
        for (let e = off + 4; len !== 0;) {
          const size = vers === 1 ? entryV1(p, e, len) : entryV2(p, e, len);
          if (size === 0) {
            p.trunc();
            break;
          }
          if (len < size) {
            p.out += ` [remaining entries length ${len} < ${size}] (invalid)`;
            break;
          }
          e += size;
          len -= size;
        }
      } else {
        p.out += ", unknown version";
      }
      break;
    case 4:
    case 5:
    case 6:
      break;
    default:
      if (p.verbosity <= 1 && !unknownData(p, off, length, "\n\t")) return;
  }
  if (p.verbosity > 1) unknownData(p, off, length, "\n\t");
}

/** A RIPv1 route: its size, or 0 when cut. */
function entryV1(p: Pkt, e: number, left: number): number {
  if (left < 20 || !p.has(e, 20)) return 0;
  const family = p.u16(e);
  if (family !== 2 && family !== 0) {
    p.out += `\n\t AFI ${BSD_AF[family] ?? `Unknown (${family})`}, `;
    unknownData(p, e + 4, 16, "\n\t  ");
    return 20;
  }
  if (p.u16(e + 2) || p.u32(e + 8) || p.u32(e + 12)) {
    unknownData(p, e, 20, "\n\t  ");
    return 20;
  }
  p.out += `\n\t  ${family === 0 ? "AFI 0, " : ""}${p.ip4(e + 4)}, metric: ${p.u32(e + 16)}`;
  return 20;
}

/** A RIPv2 entry (route or authentication): its size, or 0 when cut. */
function entryV2(p: Pkt, e: number, left: number): number {
  if (left < 4 || !p.has(e, 4)) return 0;
  const family = p.u16(e);
  if (family === 0xffff) {
    const type = p.u16(e + 2);
    const a = e + 4;
    const rest = left - 4;
    if (type === 2) {
      p.out += "\n\t  Simple Text Authentication data: ";
      printjnp(p, a, 16);
    } else if (type === 3) {
      if (!p.has(a, 16) || rest < 16) return 0;
      p.out += "\n\t  Auth header:";
      p.out += ` Packet Len ${p.u16(a)},`;
      p.out += ` Key-ID ${p.u8(a + 2)},`;
      p.out += ` Auth Data Len ${p.u8(a + 3)},`;
      p.out += ` SeqNo ${p.u32(a + 4)},`;
      p.out += ` MBZ ${p.u32(a + 8)},`;
      p.out += ` MBZ ${p.u32(a + 12)}`;
    } else {
      p.out += type === 1 ? "\n\t  Auth trailer:" : `\n\t  Unknown (${type}) Authentication data:`;
      unknownData(p, a, rest, "\n\t  ");
      // It runs to the end of the packet.
      return left;
    }
  } else if (family !== 2 && family !== 0) {
    p.out += `\n\t  AFI ${BSD_AF[family] ?? `Unknown (${family})`}`;
    unknownData(p, e + 4, 16, "\n\t  ");
  } else {
    if (!p.has(e, 20) || left < 20) return 0;
    const plen = maskLength(p.u32(e + 8));
    p.out += `\n\t  AFI ${BSD_AF[family] ?? `${family}`}, ${p.ip4(e + 4).padStart(15)}/${
      String(plen).padEnd(2)
    }, tag 0x${p.u16(e + 2).toString(16).padStart(4, "0")}, metric: ${p.u32(e + 16)}, next-hop: `;
    p.out += p.u32(e + 12) ? p.ip4(e + 12) : "self";
  }
  return 20;
}

/** RIPng (tcpdump's ripng_print). */
export function ripng(p: Pkt, off: number, length: number): void {
  p.proto = "ripng";
  const vers = p.u8(off + 1);
  if (vers !== 1) {
    p.out += ` [vers ${vers}] (invalid)`;
    return;
  }
  const cmd = p.u8(off);
  if (cmd !== 1 && cmd !== 2) {
    p.out += ` ripng-${cmd} ?? ${length} (invalid)`;
    return;
  }
  if (length < 4) {
    p.out += " (invalid)";
    return;
  }
  let left = length - 4;
  const n = Math.floor(left / 20);
  const name = cmd === 1 ? "req" : "resp";
  if (cmd === 1 && n === 1 && p.u8(off + 23) === 16 && unspecified(p, off + 4)) {
    p.out += " ripng-req dump";
    return;
  }
  p.out += n * 20 !== left ? ` ripng-${name} ${n}[${length}]:` : ` ripng-${name} ${n}:`;
  for (let e = off + 4; left >= 20; left -= 20, e += 20) {
    p.out += p.verbosity > 1 ? "\n\t" : " ";
    p.out += `${p.ip6(e)}/${p.u8(e + 18)}`;
    const tag = p.u16(e + 16);
    if (tag) p.out += ` [${tag}]`;
    const metric = p.u8(e + 19);
    if (metric && cmd === 2) p.out += ` (${metric})`;
  }
  if (left !== 0) p.out += " (invalid)";
}

function unspecified(p: Pkt, at: number): boolean {
  for (let i = 0; i < 16; i++) if (p.d[at + i] !== 0) return false;
  return true;
}
