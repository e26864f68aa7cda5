/**
 * ICMPv6 (tcpdump's print-icmp6.c): errors with the port they quote, echo, MLD v1/v2, neighbour
 * discovery, with -v the checksum, MLDv2 records, router advertisement fields and the neighbour
 * discovery options on lines of their own (nd.ts).
 *
 * @module
 */
import { nodeInfo, rpl } from "./icmp6_info.ts";
import { ndOptions, routerAdvert } from "./nd.ts";
import { hex4, type IpInfo, type Pkt, TRUNCATED } from "./printer.ts";
import { transportSum } from "./transport.ts";
import { cksumShouldBe } from "./verbose.ts";

const ICMP6_NAMES: Record<number, string> = {
  1: "destination unreachable",
  2: "packet too big",
  3: "time exceeded in-transit",
  4: "parameter problem",
  128: "echo request",
  129: "echo reply",
  130: "multicast listener query",
  131: "multicast listener report",
  132: "multicast listener done",
  133: "router solicitation",
  134: "router advertisement",
  135: "neighbor solicitation",
  136: "neighbor advertisement",
  137: "redirect",
  138: "router renumbering",
  139: "who-are-you request",
  140: "who-are-you reply",
  141: "inverse neighbor solicitation",
  142: "inverse neighbor advertisement",
  143: "multicast listener report v2",
  144: "ha discovery request",
  145: "ha discovery reply",
  146: "mobile router solicitation",
  147: "mobile router advertisement",
  155: "RPL",
  200: "mtrace response",
  201: "mtrace message",
};

const ICMP6_UNREACH: Record<number, string> = {
  0: "unreachable route",
  1: " unreachable prohibited",
  2: "beyond scope",
  3: "unreachable address",
  4: "unreachable port",
};

/** The transport header inside an ICMPv6 error, past the quoted IPv6 extension headers. */
function upperLayer(p: Pkt, ip: number): { proto: number; at: number } | null {
  if (!p.has(ip + 6, 1)) return null;
  let nh = p.d[ip + 6];
  let hlen = 40;
  let cp = ip;
  while (cp < p.end) {
    cp += hlen;
    switch (nh) {
      case 6:
      case 17:
        return p.has(cp + 2, 2) ? { proto: nh, at: cp } : null;
      case 0:
      case 60:
      case 43:
        if (!p.has(cp + 1, 1)) return null;
        nh = p.d[cp];
        hlen = (p.d[cp + 1] + 1) << 3;
        break;
      case 44:
        if (!p.has(cp + 2, 2)) return null;
        if ((((p.d[cp + 2] << 8) | p.d[cp + 3]) & 0xfff8) !== 0) return null;
        nh = p.d[cp];
        hlen = 8;
        break;
      case 51:
        if (!p.has(cp + 1, 1)) return null;
        nh = p.d[cp];
        hlen = (p.d[cp + 1] + 2) << 2;
        break;
      default:
        return null;
    }
  }
  return null;
}

/** The ICMPv6 message at `off`, `length` bytes by the IP header in front (`info`). */
export function icmp6(p: Pkt, off: number, length: number, info: IpInfo): void {
  if (!info.v6) {
    p.out += "[ICMPv6 requires IPv6] (invalid)";
    return;
  }
  p.proto = "icmp6";
  if (length === 0) {
    p.out += "ICMP6, length 0 (invalid)";
    return;
  }
  if (p.verbose && !info.fragmented && p.has(off, length)) {
    const sum = transportSum(p, off, length, 58, info);
    const carried = p.u16(off + 2);
    p.out += sum === 0
      ? "[icmp6 sum ok] "
      : `[bad icmp6 cksum 0x${hex4(carried)} -> 0x${hex4(cksumShouldBe(carried, sum))}!] `;
  }
  const type = p.u8(off);
  p.out += `ICMP6, ${ICMP6_NAMES[type] ?? `unknown icmp6 type (${type})`}`;
  // tcpdump -v prints the length of neighbour discovery messages here, of others not at all.
  if (p.verbose && ICMP6_LENGTH_FIRST.has(type)) p.out += `, length ${length}`;
  const code = p.u8(off + 1);
  const oip = off + 8;
  switch (type) {
    case 1:
      p.out += `, ${ICMP6_UNREACH[code] ?? `unknown unreach code (${code})`}`;
      switch (code) {
        case 0:
        case 1:
        case 3:
          p.out += ` ${p.ip6(oip + 24)}`;
          break;
        case 2:
          p.out += ` ${p.ip6(oip + 24)}, source address ${p.ip6(oip + 8)}`;
          break;
        case 4: {
          const up = upperLayer(p, oip);
          if (up === null) throw TRUNCATED;
          const dport = p.u16(up.at + 2);
          const dst = p.ip6(oip + 24);
          p.out += up.proto === 6 ? `, ${dst} tcp port ${dport}` : `, ${dst} udp port ${dport}`;
          break;
        }
        default:
          // The rest in hex, without a length (tcpdump -vv goes on instead).
          p.unknownData(off, length);
          return;
      }
      break;
    case 2:
      p.out += `, mtu ${p.u32(off + 4)}`;
      break;
    case 3:
      if (code === 0) p.out += ` for ${p.ip6(oip + 24)}`;
      else if (code === 1) p.out += " (reassembly)";
      else p.out += `, unknown code (${code})`;
      break;
    case 4: {
      p.need(oip + 24, 16);
      const ptr = p.u32(off + 4);
      p.out += code === 0
        ? `, erroneous - octet ${ptr}`
        : code === 1
        ? `, next header - octet ${ptr}`
        : code === 2
        ? `, option - octet ${ptr}`
        : code === 3
        ? `, incomplete header chain - octet ${ptr}`
        : `, code-#${code}`;
      break;
    }
    case 128:
    case 129:
      p.out += `, id ${p.u16(off + 4)}, seq ${p.u16(off + 6)}`;
      break;
    case 130:
      if (length === 24) {
        p.out += mld1(p, off);
      } else if (length >= 28) {
        // Printed piece by piece, like tcpdump, so a cut packet shows how far it got.
        p.out += " v2";
        const mrc = p.u16(off + 4); // max response code, read before the group address
        if (p.verbose) {
          const mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
          p.out += ` [max resp delay=${mrt}]`;
        }
        p.out += ` [gaddr ${p.ip6(off + 8)}`;
        if (p.verbose) {
          const flags = p.u8(off + 24);
          const code = p.u8(off + 25);
          if (flags & 0x08) p.out += " sflag";
          if (flags & 0x07) p.out += ` robustness=${flags & 0x07}`;
          const qqi = code < 128 ? code : ((code & 0x0f) | 0x10) << (((code & 0x70) >> 4) + 3);
          p.out += ` qqi=${qqi}`;
        }
        const nsrcs = p.u16(off + 26);
        if (nsrcs && length < 28 + 16 * nsrcs) p.out += " [invalid number of sources]";
        else if (nsrcs) p.out += `, ${nsrcs} source(s)`;
        p.out += "]";
      } else {
        p.out += ` unknown-version (len ${length}) `;
      }
      break;
    case 131:
    case 132:
      p.out += mld1(p, off);
      break;
    case 133:
      if (p.verbose) ndOptions(p, off + 8, length - 8);
      break;
    case 135:
      p.out += `, who has ${p.ip6(off + 8)}`;
      if (p.verbose) ndOptions(p, off + 24, length - 24);
      break;
    case 136:
      p.out += `, tgt is ${p.ip6(off + 8)}`;
      if (p.verbose) {
        const f = p.u8(off + 4);
        const names = [[0x80, "router"], [0x40, "solicited"], [0x20, "override"]] as const;
        const set = names.filter(([bit]) => f & bit).map(([, name]) => name);
        p.out += `, Flags [${set.length ? set.join(", ") : "none"}]`;
        ndOptions(p, off + 24, length - 24);
      }
      break;
    case 137: {
      const dst = p.ip6(off + 24);
      p.out += `, ${dst} to ${p.ip6(off + 8)}`;
      if (p.verbose) ndOptions(p, off + 40, length - 40);
      break;
    }
    case 143:
      if (length < 8) p.out += ` [invalid len ${length}]`;
      else p.out += `, ${p.u16(off + 6)} group record(s)`;
      if (p.verbose && length >= 8) mld2Records(p, off, length);
      break;
    case 144:
    case 146:
      p.out += `, id 0x${hex4(p.u16(off + 4))}`;
      break;
    case 134:
      if (p.verbose) routerAdvert(p, off, length);
      break;
    case 145:
      if (p.verbose) {
        p.out += `, id 0x${hex4(p.u16(off + 4))}`;
        for (let a = off + 8; a < off + length; a += 16) p.out += `, ${p.ip6(a)}`;
      }
      break;
    case 147:
      if (p.verbose) {
        p.out += `, id 0x${hex4(p.u16(off + 4))}`;
        const flags = p.u16(off + 6);
        if (flags & 0xc000) p.out += " ";
        if (flags & 0x8000) p.out += "M";
        if (flags & 0x4000) p.out += "O";
        ndOptions(p, off + 8, length - 8);
      }
      break;
    case 139:
    case 140:
      nodeInfo(p, off, length);
      break;
    case 155:
      rpl(p, code, off + 4, length - 4);
      break;
    case 138:
    case 141:
    case 142:
      break;
    default:
      // A type tcpdump does not know: its length, then the message in hex.
      p.out += `, length ${length}`;
      p.unknownData(off, length);
      return;
  }
  // -v leaves the length out (or printed it above).
  if (!p.verbose) p.out += `, length ${length}`;
}

/** ICMPv6 types whose length tcpdump -v prints right after the name (neighbour discovery). */
const ICMP6_LENGTH_FIRST = new Set([133, 134, 135, 136, 137, 145, 147]);

/** MLDv2 record types. */
const MLD2_RECORDS: Record<number, string> = {
  1: "is_in",
  2: "is_ex",
  3: "to_in",
  4: "to_ex",
  5: "allow",
  6: "block",
};

/** tcpdump -v's MLDv2 report records: " [gaddr G to_ex, 0 source(s)]" each. */
function mld2Records(p: Pkt, off: number, length: number): void {
  const n = p.u16(off + 6);
  let group = 8;
  for (let i = 0; i < n; i++) {
    if (length < group + 20) {
      p.out += " [invalid number of groups]";
      return;
    }
    p.out += ` [gaddr ${p.ip6(off + group + 4)}`;
    const type = p.u8(off + group);
    p.out += ` ${MLD2_RECORDS[type] ?? ` [v2-report-#${type}]`}`;
    const nsrcs = p.u16(off + group + 2);
    if (length < group + 20 + nsrcs * 16) {
      p.out += ` [invalid number of sources ${nsrcs}]`;
      return;
    }
    p.out += `, ${nsrcs} source(s)]`;
    // Like tcpdump, the auxiliary data length is not skipped.
    group += 20 + nsrcs * 16;
  }
}

/** MLDv1 body; tcpdump prints it with no separator after the type name. */
function mld1(p: Pkt, off: number): string {
  // tcpdump prints the body only when all 24 bytes are there, and says nothing otherwise.
  if (!p.has(off, 24)) return "";
  const delay = p.u16(off + 4);
  return `max resp delay: ${delay} addr: ${p.ip6(off + 8)}`;
}
