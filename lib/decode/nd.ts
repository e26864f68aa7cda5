/**
 * IPv6 neighbour discovery as tcpdump -v prints it (print-icmp6.c's icmp6_opt_print): a router
 * advertisement's fields, and each option on a line of its own (`\n\t  source link-address
 * option (1), length 8 (1): 02:00:00:00:00:01`): link-layer addresses, prefix information, MTU,
 * RDNSS, DNSSL, advertisement interval, home agent information, route information; others in
 * hex. With -vv every option is also dumped in hex.
 *
 * @module
 */
import { fqdn } from "./dns.ts";
import { CUT, formatIp6, hex2, type Pkt } from "./printer.ts";
import { bitTok, bitToks, toks } from "./text.ts";

const OPTION_NAMES = toks(
  "1=source link-address|2=destination link-address|3=prefix info|4=redirected header|5=mtu|" +
    "25=rdnss|31=dnssl|7=advertisement interval|8=homeagent information|24=route info",
);

const RA_FLAGS = bitToks("0x80=managed|0x40=other stateful|0x20=home agent|0x02=ipv6 only");
const PREFIX_FLAGS = bitToks("0x80=onlink|0x40=auto|0x20=router");
const PREFERENCES = ["medium", "high", "rsv", "low"];

/** tcpdump's get_rtpref: a router or route preference from its flags byte. */
function preference(flags: number): string {
  return PREFERENCES[(flags & 0x18) >> 3];
}

/** tcpdump's get_lifetime. */
function lifetime(v: number): string {
  return v === 0xffffffff ? "infinity" : `${v}s`;
}

/** -v's line of router advertisement fields, then its options. */
export function routerAdvert(p: Pkt, off: number, length: number): void {
  const flags = p.u8(off + 5);
  const line = `\n\thop limit ${p.u8(off + 4)}, Flags [${bitTok(RA_FLAGS, flags, "none")}]` +
    `, pref ${preference(flags)}, router lifetime ${p.u16(off + 6)}s, reachable time ${
      p.u32(off + 8)
    }ms, retrans timer ${p.u32(off + 12)}ms`;
  p.out += line;
  ndOptions(p, off + 16, length - 16);
}

/** Scratch for a route information option's prefix. */
const routePrefix = new Uint8Array(16);

/**
 * The options from `bp` on, `resid` bytes by the message's length (tcpdump's icmp6_opt_print);
 * what runs out ends the line as truncated.
 */
export function ndOptions(p: Pkt, bp: number, resid: number): void {
  let cp = bp;
  while (cp < p.end) {
    p.check(cp + 1, 1);
    if (resid <= 0) return;
    const type = p.d[cp];
    const len = p.d[cp + 1];
    if (len === 0 || cp + len * 8 > p.end) throw CUT;
    const bytes = len * 8;
    p.out += `\n\t  ${
      OPTION_NAMES[type] ?? "unknown"
    } option (${type}), length ${bytes} (${len}): `;
    switch (type) {
      case 1:
      case 2:
        for (let i = 0; i < bytes - 2; i++) p.out += (i > 0 ? ":" : "") + hex2(p.u8(cp + 2 + i));
        break;
      case 3: {
        const prefix = p.ip6(cp + 16);
        const plen = p.u8(cp + 2);
        const flags = p.u8(cp + 3);
        const valid = p.u32(cp + 4);
        p.out += `${prefix}/${plen}${len !== 4 ? "badlen" : ""}, Flags [${
          bitTok(PREFIX_FLAGS, flags, "none")
        }], valid time ${lifetime(valid)}`;
        p.out += `, pref. time ${lifetime(p.u32(cp + 8))}`;
        break;
      }
      case 4:
        // tcpdump dumps from the first option on, not from this one.
        p.unknownData(bp, bytes, "\n\t    ");
        break;
      case 5:
        p.out += ` ${p.u32(cp + 4)}${len !== 1 ? "bad option length" : ""}`;
        break;
      case 25: {
        p.out += ` lifetime ${p.u32(cp + 4)}s,`;
        const n = (len - 1) >> 1;
        for (let i = 0; i < n; i++) p.out += ` addr: ${p.ip6(cp + 8 + 16 * i)}`;
        break;
      }
      case 31: {
        p.out += ` lifetime ${p.u32(cp + 4)}s, domain(s):`;
        let dom = cp + 8;
        while (dom < cp + bytes && p.u8(dom) !== 0) {
          p.out += " ";
          dom = fqdn(p, dom, bp);
          if (dom < 0) throw CUT;
        }
        break;
      }
      case 7:
        p.out += ` ${p.u32(cp + 4)}ms`;
        break;
      case 8:
        p.out += ` preference ${p.u16(cp + 4)}, lifetime ${p.u16(cp + 6)}`;
        break;
      case 24: {
        p.check(cp + 4, 4);
        if (len > 3) throw CUT;
        routePrefix.fill(0);
        if (len > 1) {
          p.need(cp + 8, len === 2 ? 8 : 16);
          routePrefix.set(p.d.subarray(cp + 8, cp + 8 + (len === 2 ? 8 : 16)));
        }
        p.out += ` ${formatIp6(routePrefix)}/${p.u8(cp + 2)}`;
        p.out += `, pref=${preference(p.u8(cp + 3))}`;
        p.out += `, lifetime=${lifetime(p.u32(cp + 4))}`;
        break;
      }
      default:
        if (p.verbosity <= 1) {
          p.unknownData(cp + 2, bytes - 2, "\n\t  ");
          return;
        }
    }
    if (p.verbosity > 1) p.unknownData(cp + 2, bytes - 2, "\n\t    ");
    cp += bytes;
    resid -= bytes;
  }
}
