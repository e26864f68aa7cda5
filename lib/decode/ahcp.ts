/**
 * AHCP, the ad-hoc configuration protocol (UDP 5359; tcpdump's print-ahcp.c): the version at
 * default verbosity, the header and message type at -v, the options at -vv.
 *
 * @module
 */
import { hexBytes, type IpInfo, type Pkt } from "./printer.ts";
import { tok, toks } from "./text.ts";

const MAGIC = 43;
/** The version 1 header after magic and version: hop counts, nonce, source and destination. */
const V1_HEADER = 22;
const MESSAGES = toks("0=Discover|1=Offer|2=Request|3=Ack|4=Nack|5=Release");
const OPTIONS = toks(
  "0=Pad|1=Mandatory|2=Origin Time|3=Expires|4=My-IPv6-Address|5=My-IPv4-Address|" +
    "6=IPv6 Prefix|7=IPv4 Prefix|8=IPv6 Address|9=IPv4 Address|10=IPv6 Prefix Delegation|" +
    "11=IPv4 Prefix Delegation|12=Name Server|13=NTP Server",
);

/** How an option's value prints, per option number (tcpdump's data_decoders). */
const NONE = 0;
const TIME = 1;
const SECONDS = 2;
const IP6 = 3;
const IP4 = 4;
const PREFIX6 = 5;
const PREFIX4 = 6;
const VALUES = [
  NONE,
  NONE,
  TIME,
  SECONDS,
  IP6,
  IP4,
  PREFIX6,
  NONE, // tcpdump has no printer for the IPv4 prefix option
  IP6,
  IP4,
  PREFIX6,
  PREFIX4,
  IP6,
  IP6,
];

/** ` (invalid)`, then tcpdump's ND_TCHECK_LEN of what is left (a give-up when it is not there). */
function invalid(p: Pkt, off: number, len: number): void {
  p.out += " (invalid)";
  p.need(off, len);
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** UDP 5359. */
export function ahcp(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.proto = "ahcp";
  p.out += "AHCP";
  if (len < 2 || p.u8(off) !== MAGIC) return invalid(p, off, len);
  const version = p.u8(off + 1);
  off += 2;
  len -= 2;
  if (version !== 1) {
    p.out += ` Version ${version} (unknown)`;
    p.need(off, len);
    return;
  }
  p.out += " Version 1";
  if (len < V1_HEADER) return invalid(p, off, len);
  if (!p.verbose) {
    p.need(off, V1_HEADER);
  } else {
    p.out += `\n\tHopcount ${p.u8(off)}`;
    p.out += `, Original Hopcount ${p.u8(off + 1)}`;
    p.out += `, Nonce 0x${p.u32(off + 2).toString(16).padStart(8, "0")}`;
    p.need(off + 6, 8);
    p.out += `, Source Id ${hexBytes(p.d, off + 6, 8, ":")}`;
    p.need(off + 14, 8);
    p.out += `, Destination Id ${hexBytes(p.d, off + 14, 8, ":")}`;
  }
  body(p, off + V1_HEADER, len - V1_HEADER);
}

function body(p: Pkt, off: number, len: number): void {
  if (len < 4) return invalid(p, off, len);
  const type = p.u8(off);
  const mbz = p.u8(off + 1);
  const bodyLen = p.u16(off + 2);
  off += 4;
  len -= 4;
  if (p.verbose) {
    p.out += `\n\t${tok(MESSAGES, type, "Unknown-%u")}`;
    if (mbz !== 0) p.out += `, MBZ ${mbz}`;
    p.out += `, Length ${bodyLen}`;
  }
  if (bodyLen > len) return invalid(p, off, len);
  // The body's own length, not the datagram's: data after it is ignored, as by tcpdump.
  if (p.verbosity >= 2) options(p, off, bodyLen);
  else p.need(off, bodyLen);
}

function options(p: Pkt, off: number, len: number): void {
  while (len > 0) {
    const option = p.u8(off);
    off++;
    len--;
    p.out += `\n\t ${tok(OPTIONS, option, "Unknown-%u")}`;
    if (option <= 1) continue;
    if (len === 0) return invalid(p, off, len);
    const optLen = p.u8(off);
    off++;
    len--;
    if (optLen > len) return invalid(p, off, len);
    value(p, VALUES[option] ?? NONE, off, optLen);
    off += optLen;
    len -= optLen;
  }
}

/** Size of one item of a list value (addresses, prefixes); 0 for the other kinds. */
const ITEM = [0, 0, 0, 16, 4, 17, 5];

function value(p: Pkt, kind: number, off: number, len: number): void {
  switch (kind) {
    case NONE:
      p.out += ` (Length ${len})`;
      p.need(off, len);
      return;
    case TIME: {
      if (len !== 4) return invalid(p, off, len);
      const t = new Date(p.u32(off) * 1000);
      p.out += `: ${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())} ` +
        `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} UTC`;
      return;
    }
    case SECONDS:
      if (len !== 4) return invalid(p, off, len);
      p.out += `: ${p.u32(off)}s`;
      return;
  }
  const size = ITEM[kind];
  let sep = ": ";
  while (len > 0) {
    if (len < size) return invalid(p, off, len);
    if (kind === IP6) p.out += sep + p.ip6(off);
    else if (kind === IP4) p.out += sep + p.ip4(off);
    else if (kind === PREFIX6) p.out += `${sep}${p.ip6(off)}/${p.u8(off + 16)}`;
    else p.out += `${sep}${p.ip4(off)}/${p.u8(off + 4)}`;
    off += size;
    len -= size;
    sep = ", ";
  }
}
