/**
 * IPv6 (tcpdump's print-ip6.c and the extension headers of print-frag6.c, print-rt6.c and
 * print-ip6opts.c): the header (with -v its fields), hop-by-hop and destination options (with
 * jumbograms), routing and fragment headers, then the payload by next header through the
 * dispatch.
 *
 * @module
 */
import { ipDemux, printsOwnAddresses } from "./dispatch.ts";
import { hex2, hex4, type Pkt, TRUNCATED } from "./printer.ts";
import { ip6HeaderText } from "./verbose.ts";

/** The IPv6 packet at `off`, `length` bytes on the wire (tcpdump's ip6_print). */
export function ipv6(p: Pkt, off: number, length: number): void {
  p.proto = "ip6";
  p.need(off, 40);
  if (!p.link) p.out += "IP6 ";
  const v = p.d[off] >> 4;
  if (v !== 6) {
    p.out += `version error: ${v} != 6`;
    return;
  }
  const plen = p.u16(off + 4);
  let nh = p.d[off + 6];
  // A zero payload length announces a jumbogram, whose length is in the hop-by-hop header; until
  // one is found the frame's length stands in.
  let len = length;
  if (plen !== 0) {
    len = plen + 40;
    // Like tcpdump, upper layers are told the header's length even when the frame is shorter.
    if (len > length) p.out += `truncated-ip6 - ${len - length} bytes missing!`;
    if (off + len < p.end) p.end = off + len;
  }
  if (p.verbose) p.out += ip6HeaderText(p.d, off);
  const info = p.ipLayer(true, p.ip6(off + 8), p.ip6(off + 24), nh, off, false);
  let cp = off;
  let advance = 40;
  let foundHbh = false;
  let jumboLen = -1;
  while (cp < p.end && advance > 0) {
    if (len < advance) {
      p.proto = "ip6";
      throw TRUNCATED;
    }
    cp += advance;
    len -= advance;
    if (cp === off + 40 && !printsOwnAddresses(nh)) {
      p.out += `${info.src} > ${info.dst}: `;
    }
    switch (nh) {
      case 0: {
        // RFC 8200: at most one hop-by-hop header, right after the IPv6 header.
        if (foundHbh) {
          p.out += "[The Hop-by-Hop Options header was already found] (invalid)";
          return;
        }
        if (cp !== off + 40) {
          p.out += "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)";
          return;
        }
        foundHbh = true;
        p.proto = "hbhopt";
        advance = (p.u8(cp + 1) + 1) << 3;
        let ok = p.has(cp, advance);
        if (ok) {
          p.out += "HBH ";
          const jumbo = { len: -1 };
          ok = ip6Options(p, cp + 2, advance - 2, plen === 0, jumbo);
          if (jumbo.len >= 0) {
            jumboLen = jumbo.len;
            len = jumbo.len;
          }
        }
        // tcpdump notes the truncation, then still judges the jumbogram before stopping.
        if (!ok) p.out += " [|hbhopt]";
        if (plen === 0 && jumboLen < 0) {
          p.out += "[No valid Jumbo Payload Hop-by-Hop option found] (invalid)";
          return;
        }
        if (!ok) return;
        nh = p.d[cp];
        break;
      }
      case 60:
        p.proto = "dstopt";
        advance = (p.u8(cp + 1) + 1) << 3;
        p.need(cp, advance);
        p.out += "DSTOPT ";
        // -v names the options (tcpdump's dstopt_print); a malformed list ends the line.
        if (p.verbose && !ip6Options(p, cp + 2, advance - 2, false, { len: -1 })) {
          p.out += " [|dstopt]";
          return;
        }
        nh = p.d[cp];
        break;
      case 44: {
        p.proto = "frag6";
        const fragOff = p.u16(cp + 2) & 0xfff8;
        // tcpdump computes the fragment's length from the header's payload length, in a 64-bit
        // unsigned type (so a bogus header shows a huge number).
        const fragLen = plen + 40 - (cp - off) - 8;
        // -v adds the identification, as tcpdump does.
        const ident = p.verbose ? `0x${p.u32(cp + 4).toString(16).padStart(8, "0")}:` : "";
        p.out += `frag (${ident}${fragOff}|${
          fragLen >= 0 ? fragLen : (1n << 64n) + BigInt(fragLen)
        })`;
        // A later fragment carries no next header to decode.
        if (fragOff !== 0) return;
        p.out += " ";
        advance = 8;
        info.fragmented = true;
        nh = p.d[cp];
        if (p.end <= cp + advance) return;
        break;
      }
      case 43:
        p.need(cp, 1); // checked before the routing header's own decoder takes over
        p.proto = "rt6";
        advance = routing6(p, cp);
        if (advance < 0) return;
        nh = p.d[cp];
        break;
      default:
        if (jumboLen >= 0) {
          const total = jumboLen + 40;
          const headers = cp - off;
          if (total < headers) {
            p.proto = "ip6";
            throw TRUNCATED;
          }
          if (total > length) p.out += `truncated-ip6 - ${total - length} bytes missing!`;
        } else if (plen === 0) {
          // Zero payload length and no jumbogram: as tcpdump, an upper layer right after the
          // header gets no bytes, and one after extension headers is cut off.
          if (cp !== off + 40) {
            p.proto = "ip6";
            throw TRUNCATED;
          }
          len = 0;
        }
        if (cp + len < p.end) p.end = cp + len;
        ipDemux(p, nh, cp, len, info);
        return;
    }
    p.proto = "ip6";
  }
}

/**
 * Checks the options of a hop-by-hop header the way tcpdump does even when not verbose, printing
 * its complaints; false when they are malformed. A valid Jumbo Payload option (RFC 2675: only
 * with a zero payload length, and above 65535) met on the way is stored in `jumbo.len`.
 */
function ip6Options(
  p: Pkt,
  start: number,
  len: number,
  zeroPayloadLen: boolean,
  jumbo: { len: number },
): boolean {
  let seenJumbo = false;
  let optLen: number;
  for (let i = 0; i < len; i += optLen) {
    const type = p.u8(start + i);
    if (type === 0) {
      optLen = 1;
    } else {
      if (i + 1 >= len) return false;
      optLen = p.u8(start + i + 1) + 2;
    }
    if (i + optLen > len) return false;
    const dataLen = optLen - 2;
    // -v names every option (tcpdump's ip6_opt_print); without it only errors show.
    if (p.verbose && !verboseIp6Option(p, start + i, type, optLen, seenJumbo, zeroPayloadLen)) {
      return false;
    }
    switch (type) {
      case 0x05: // router alert
        if (len - i < 4) {
          p.out += "(rtalert: trunc)";
          return false;
        }
        if (dataLen !== 2) {
          p.out += `(rtalert: invalid len ${dataLen})`;
          return false;
        }
        break;
      case 0xc2: // jumbo payload
        if (len - i < 6) {
          p.out += "(jumbo: trunc)";
          return false;
        }
        if (dataLen !== 4) {
          p.out += `(jumbo: invalid len ${dataLen})`;
          return false;
        }
        if (!seenJumbo) {
          seenJumbo = true;
          const j = p.u32(start + i + 2);
          if (zeroPayloadLen && j > 65535) jumbo.len = j;
        }
        break;
      case 0xc9: // home address
        if (len - i < 18) {
          p.out += "(homeaddr: trunc)";
          return false;
        }
        if (dataLen < 16) {
          p.out += `(homeaddr: invalid len ${dataLen})`;
          return false;
        }
        break;
    }
  }
  if (p.verbose) p.out += " ";
  return true;
}

/**
 * tcpdump -v's text of one IPv6 option ("(padn)", "(rtalert: 0x0000) ", ...), printed before
 * the checks above; false where tcpdump stops (an address cut by the capture).
 */
function verboseIp6Option(
  p: Pkt,
  at: number,
  type: number,
  optLen: number,
  seenJumbo: boolean,
  zeroPayloadLen: boolean,
): boolean {
  const dataLen = optLen - 2;
  switch (type) {
    case 0:
      p.out += "(pad1)";
      return true;
    case 1:
      p.out += "(padn)";
      return true;
    case 0x05:
      if (optLen >= 4 && dataLen === 2) p.out += `(rtalert: 0x${hex4(p.u16(at + 2))}) `;
      return true;
    case 0xc2: {
      if (optLen < 6 || dataLen !== 4) return true;
      const j = p.u32(at + 2);
      p.out += seenJumbo
        ? `(jumbo: ${j} - already seen) `
        : !zeroPayloadLen
        ? `(jumbo: ${j} - payload len != 0) `
        : j < 65536
        ? `(jumbo: ${j} - < 65536) `
        : `(jumbo: ${j}) `;
      return true;
    }
    case 0xc9: {
      if (optLen < 18 || dataLen < 16) return true;
      p.out += `(homeaddr: ${p.ip6(at + 2)}`;
      // Sub-options after the address.
      let sl: number;
      for (let i = 18; i < optLen; i += sl) {
        const t = p.u8(at + i);
        if (t === 0) {
          sl = 1;
          p.out += ", pad1";
          continue;
        }
        if (i + 1 >= optLen) return false;
        sl = p.u8(at + i + 1) + 2;
        if (i + sl > optLen) return false;
        p.out += t === 1 ? ", padn" : `, sopt_type 0x${hex2(t)}: len=${sl - 2}`;
      }
      p.out += ")";
      return true;
    }
    default:
      p.out += `(opt_type 0x${hex2(type)}: len=${dataLen})`;
      return true;
  }
}

/**
 * The IPv6 routing header, printed field by field as tcpdump does (so a cut header shows how far
 * it got); returns its length, or -1 when malformed.
 */
function routing6(p: Pkt, cp: number): number {
  p.out += "RT6";
  const len = p.u8(cp + 1);
  p.out += ` (len=${len}`;
  const type = p.u8(cp + 2);
  p.out += `, type=${type}${type === 0 ? " [Deprecated]" : ""}`;
  p.out += `, segleft=${p.u8(cp + 3)}`;
  if (type === 0 || type === 2) {
    const rsv = p.u32(cp + 4);
    if (rsv !== 0 || p.verbose) p.out += `, rsv=0x${rsv.toString(16)}`;
  } else if (type === 4) {
    p.out += `, last-entry=${p.u8(cp + 4)}`;
    const flags = p.u8(cp + 5);
    if (flags !== 0 || p.verbose) p.out += `, flags=0x${flags.toString(16)}`;
    p.out += `, tag=${p.u16(cp + 6).toString(16)}`;
  } else {
    p.out += " (unknown type) (invalid)";
    return -1;
  }
  if (len % 2 === 1) {
    p.out += ` (invalid length ${len}) (invalid)`;
    return -1;
  }
  for (let k = 0; k < len >> 1; k++) p.out += `, [${k}]${p.ip6(cp + 8 + 16 * k)}`;
  p.out += ") ";
  return (len + 1) << 3;
}

/** Next header 59: nothing follows. */
export function noNextHeader(p: Pkt): void {
  p.out += "no next header";
}
