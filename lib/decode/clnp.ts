/**
 * The OSI connectionless network protocol (CLNP) and the ES-IS routeing exchange, as tcpdump's
 * print-isoclns.c prints them (isis.ts dispatches by NLPID): addresses and PDU type at default
 * verbosity, the header fields and options with -v.
 *
 * @module
 */
import { checksumVerdict, NLPIDS, nsap } from "./isis_tlv.ts";
import { hex2, hex4, hexBytes, type Pkt, TRUNCATED } from "./printer.ts";
import { type BitNames, bitNames } from "./tokens.ts";

const CLNP_PDUS: Record<number, string> = {
  1: "Error Report",
  29: "MD",
  28: "Data",
  30: "Echo Request",
  31: "Echo Response",
};
const CLNP_FLAGS: BitNames = [
  [0x80, "Segmentation permitted"],
  [0x40, "more Segments"],
  [0x20, "request Error Report"],
];
const CLNP_OPTIONS: Record<number, string> = {
  193: "Discard Reason",
  205: "Priority",
  195: "QoS Maintenance",
  197: "Security",
  200: "Source Routing",
  203: "Route Recording",
  204: "Padding",
};
const DISCARD_CLASSES: Record<number, string> = {
  0x0: "General",
  0x8: "Address",
  0x9: "Source Routeing",
  0xa: "Lifetime",
  0xb: "PDU Discarded",
  0xc: "Reassembly",
};
/** Discard reasons per class (tcpdump's clnp_option_rfd_error_class). */
const DISCARD_REASONS: Record<number, string[]> = {
  0x0: [
    "Reason not specified",
    "Protocol procedure error",
    "Incorrect checksum",
    "PDU discarded due to congestion",
    "Header syntax error (cannot be parsed)",
    "Segmentation needed but not permitted",
    "Incomplete PDU received",
    "Duplicate option",
  ],
  0x8: ["Destination address unreachable", "Destination address unknown"],
  0x9: [
    "Unspecified source routeing error",
    "Syntax error in source routeing field",
    "Unknown address in source routeing field",
    "Path not acceptable",
  ],
  0xa: ["Lifetime expired while data unit in transit", "Lifetime expired during reassembly"],
  0xb: [
    "Unsupported option not specified",
    "Unsupported protocol version",
    "Unsupported security option",
    "Unsupported source routeing option",
    "Unsupported recording of route option",
  ],
  0xc: ["Reassembly interference"],
};
const SCOPES: Record<number, string> = {
  0x40: "Source Address Specific",
  0x80: "Destination Address Specific",
  0xc0: "Globally unique",
};
const QOS_GLOBAL: BitNames = [
  [0x20, "reserved"],
  [0x10, "sequencing vs. delay"],
  [0x08, "congested"],
  [0x04, "delay vs. cost"],
  [0x02, "error vs. delay"],
  [0x01, "error vs. cost"],
];

/** Appends `text`: where tcpdump gives up (false). */
function stop(p: Pkt, text: string): false {
  p.out += text;
  return false;
}

/** Appends `text`: where tcpdump gives up on a redirect (-1). */
function stopAt(p: Pkt, text: string): -1 {
  p.out += text;
  return -1;
}

/** tcpdump's dump of every captured byte after a too-short length indicator. */
function rest(p: Pkt, at: number): void {
  for (; at < p.end; at++) p.out += hex2(p.d[at]).toUpperCase();
}

/** A CLNP PDU at `off`; false where tcpdump gives up on its header (the caller dumps it). */
export function clnp(p: Pkt, off: number, length: number): boolean {
  p.proto = "clnp";
  p.need(off, 9);
  const li = p.u8(off + 1);
  if (!p.link) p.out += "CLNP";
  const version = p.u8(off + 2);
  if (version !== 1) {
    p.out += `version ${version} packet not supported`;
    return false;
  }
  if (li > length) {
    p.out += ` length indicator(${li}) > PDU size (${length})!`;
    return false;
  }
  if (li < 9) {
    p.out += ` length indicator ${li} < min PDU size:`;
    rest(p, off);
    return false;
  }
  const type = p.u8(off + 4) & 0x1f;
  const flags = p.u8(off + 4) & 0xe0;
  let at = off + 9;
  let left = li - 9;
  const short = "li < size of fixed part of CLNP header and addresses";
  if (left < 1) return stop(p, short);
  const dlen = p.u8(at);
  at++;
  left--;
  if (left < dlen) return stop(p, short);
  p.need(at, dlen);
  const dst = at;
  at += dlen;
  left -= dlen;
  if (left < 1) return stop(p, short);
  const slen = p.u8(at);
  at++;
  left--;
  if (left < slen) return stop(p, short);
  p.need(at, slen);
  const src = at;
  at += slen;
  left -= slen;
  const sep = p.link ? "" : ", ";
  const name = CLNP_PDUS[type] ?? `unknown (${type})`;
  if (!p.verbose) {
    p.out += `${sep}${nsap(p, src, slen)} > ${nsap(p, dst, dlen)}, ${name}, length ${length}`;
    return true;
  }
  p.out += `${sep}length ${length}`;
  const lifetime = p.u8(off + 3);
  const cksum = p.u16(off + 7);
  p.out += `\n\t${name} PDU, hlen: ${li}, v: ${version}, lifetime: ${lifetime >> 1}.${
    (lifetime % 2) * 5
  }s, Segment PDU length: ${p.u16(off + 5)}, checksum: 0x${hex4(cksum)}`;
  p.out += checksumVerdict(p, off, cksum, 7, li);
  p.out += `\n\tFlags [${bitNames(CLNP_FLAGS, flags, "none")}]`;
  p.out += `\n\tsource address (length ${slen}): ${
    nsap(p, src, slen)
  }\n\tdest   address (length ${dlen}): ${nsap(p, dst, dlen)}`;
  if (flags & 0x80) {
    if (left < 6) {
      p.out += "li < size of fixed part of CLNP header, addresses, and segment part";
      return false;
    }
    p.need(at, 6);
    p.out += `\n\tData Unit ID: 0x${hex4(p.u16(at))}, Segment Offset: ${
      p.u16(at + 2)
    }, Total PDU Length: ${p.u16(at + 4)}`;
    at += 6;
    left -= 6;
  }
  while (left !== 0) {
    if (left < 2) return stop(p, ", bad opts/li");
    const op = p.u8(at);
    const oplen = p.u8(at + 1);
    at += 2;
    left -= 2;
    if (oplen > left) return stop(p, `, opt (${op}) too long`);
    p.need(at, oplen);
    left -= oplen;
    p.out += `\n\t  ${CLNP_OPTIONS[op] ?? "Unknown"} Option #${op}, length ${oplen}, value: `;
    if (!clnpOption(p, op, at, oplen)) return false;
    if (p.verbosity > 1) p.unknownData(at, oplen, "\n\t  ");
    at += oplen;
  }
  if ((type === 1 || type === 31) && p.u8(at) === 0x81) {
    p.out += "\n\t-----original packet-----\n\t";
    clnp(p, at, length - li);
    return true;
  }
  if (length > at - off) {
    p.out += `\n\t  undecoded non-header data, length ${length - li}`;
    p.unknownData(at, length - (at - off), "\n\t  ");
  }
  return true;
}

/** One CLNP option's value; false where tcpdump stops (a bad length). */
function clnpOption(p: Pkt, op: number, at: number, len: number): boolean {
  switch (op) {
    case 203:
    case 200: {
      if (len < 2) return stop(p, ", bad opt len");
      const kind = p.u8(at);
      p.out += `${kind === 0 ? "partial" : kind === 1 ? "complete" : "Unknown"} ${
        op === 200 ? "source routing" : "recording of route in progress"
      }`;
      let offset = p.u8(at + 1);
      if (offset === 0) return !stop(p, " Bad NSAP offset (0)");
      offset -= 1;
      if (offset > len) return !stop(p, " Bad NSAP offset (past end of option)");
      // tcpdump reads every address from the same byte (it does not move its pointer).
      const first = at + offset;
      for (let left = len - offset; left > 0;) {
        const alen = p.u8(first);
        if (left < alen + 1) {
          p.out += "\n\t    NSAP address goes past end of option";
          break;
        }
        if (alen > 0) p.out += `\n\t    NSAP address (length ${alen}): ${nsap(p, first + 1, alen)}`;
        left -= alen + 1;
      }
      return true;
    }
    case 205:
      if (len < 1) return stop(p, ", bad opt len");
      p.out += `0x${(p.u8(at) & 0x0f).toString(16)}`;
      return true;
    case 195: {
      if (len < 1) return stop(p, ", bad opt len");
      const v = p.u8(at);
      p.out += `\n\t    Format Code: ${SCOPES[v & 0xc0] ?? "Reserved"}`;
      if ((v & 0xc0) === 0xc0) {
        p.out += `\n\t    QoS Flags [${bitNames(QOS_GLOBAL, v & 0x3f, "none")}]`;
      }
      return true;
    }
    case 197:
      if (len < 2) return stop(p, ", bad opt len");
      p.out += `\n\t    Format Code: ${SCOPES[p.u8(at) & 0xc0] ?? "Reserved"}, Security-Level ${
        p.u8(at + 1)
      }`;
      return true;
    case 193: {
      if (len < 1) return stop(p, ", bad opt len");
      const e = p.u8(at);
      const major = e >> 4;
      const minor = e & 0x0f;
      p.out += `\n\t    Class: ${DISCARD_CLASSES[major] ?? "Unknown"} Error (0x${
        major.toString(16)
      }), ${DISCARD_REASONS[major]?.[minor] ?? "Unknown"} (0x${minor.toString(16)})`;
      return true;
    }
    case 204:
      p.out += "padding data";
      return true;
  }
  p.unknownData(at, len, "\n\t  ");
  return true;
}

const ESIS_PDUS: Record<number, string> = { 6: "redirect", 2: "ESH", 4: "ISH" };
const ESIS_OPTIONS: Record<number, string> = {
  129: "Protocols supported",
  195: "QoS Maintenance",
  197: "Security",
  198: "ES Configuration Time",
  205: "Priority",
  225: "Addressk Mask",
  226: "SNPA Mask",
};

/** An ES-IS PDU at `off`, `length` bytes. */
export function esis(p: Pkt, off: number, length: number): void {
  p.proto = "esis";
  if (!p.link) p.out += "ES-IS";
  if (length <= 2) return void (p.out += "no header at all!");
  p.need(off, 9);
  let li = p.u8(off + 1);
  const nlpid = p.u8(off);
  if (nlpid !== 0x82) return void (p.out += ` nlpid 0x${hex2(nlpid)} packet not supported`);
  const version = p.u8(off + 2);
  if (version !== 1) return void (p.out += ` version ${version} packet not supported`);
  if (li > length) return void (p.out += ` length indicator(${li}) > PDU size (${length})!`);
  if (li < 11) {
    p.out += ` length indicator ${li} < min PDU size:`;
    return rest(p, off);
  }
  const type = p.u8(off + 4) & 0x1f;
  const sep = p.link ? "" : ", ";
  if (!p.verbose) {
    p.out += `${sep}${ESIS_PDUS[type] ?? `unknown type (${type})`}, length ${length}`;
    return;
  }
  p.out += `${sep}length ${length}\n\t${ESIS_PDUS[type] ?? `unknown type: ${type}`} (${type})`;
  p.out += `, v: ${version}`;
  const cksum = p.u16(off + 7);
  p.out += `, checksum: 0x${hex4(cksum)}`;
  p.out += checksumVerdict(p, off, cksum, 7, li);
  p.out += `, holding time: ${p.u16(off + 5)}s, length indicator: ${li}`;
  if (p.verbosity > 1) p.unknownData(off, 9, "\n\t");
  let at = off + 9;
  li -= 9;
  if (type === 6) {
    const r = redirect(p, at, li);
    if (r < 0) return;
    at = r;
    li = redirectLeft;
  } else if (type === 2) {
    p.need(at, 1);
    if (li < 1) return void (p.out += ", bad esh/li");
    let n = p.u8(at);
    at++;
    li--;
    p.out += `\n\t  Number of Source Addresses: ${n}`;
    for (; n > 0; n--) {
      const size = net(p, at, li);
      if (size < 0) return void (p.out += ", bad esh/li");
      at += size;
      li -= size;
    }
  } else if (type === 4) {
    const size = net(p, at, li);
    if (size < 0) return void (p.out += ", bad ish/li");
    at += size;
    li -= size;
  } else {
    if (p.verbosity <= 1 && p.has(at, 1)) p.unknownData(at, p.end - at, "\n\t  ");
    return;
  }
  esisOptions(p, at, li);
}

/**
 * One NET of an ESH or ISH at `at` (its length, then the address) in the `li` bytes left of the
 * header: printed; its size, or -1 where the header is too short for it.
 */
function net(p: Pkt, at: number, li: number): number {
  p.need(at, 1);
  if (li < 1) return -1;
  const alen = p.u8(at);
  p.need(at + 1, alen);
  if (li - 1 < alen) return -1;
  p.out += `\n\t  NET (length: ${alen}): ${nsap(p, at + 1, alen)}`;
  return 1 + alen;
}

/** What is left of the header after a redirect (set by {@link redirect}). */
let redirectLeft = 0;

/** A redirect's addresses: the offset after them, or -1 where tcpdump stops. */
function redirect(p: Pkt, at: number, li: number): number {
  const bad = ", bad redirect/li";
  p.need(at, 1);
  if (li < 1) return stopAt(p, bad);
  const dstl = p.u8(at);
  at++;
  li--;
  p.need(at, dstl);
  if (li < dstl) return stopAt(p, bad);
  const dst = at;
  at += dstl;
  li -= dstl;
  p.out += `\n\t  ${nsap(p, dst, dstl)}`;
  p.need(at, 1);
  if (li < 1) return stopAt(p, bad);
  const snpal = p.u8(at);
  at++;
  li--;
  p.need(at, snpal);
  if (li < snpal) return stopAt(p, bad);
  const snpa = at;
  at += snpal;
  li -= snpal;
  p.need(at, 1);
  if (li < 1) return stopAt(p, bad);
  const netal = p.u8(at);
  at++;
  p.need(at, netal);
  if (li < netal) return stopAt(p, bad);
  const neta = at;
  at += netal;
  li -= netal;
  p.out += `\n\t  SNPA (length: ${snpal}): ${
    snpal === 0 ? "<empty>" : hexBytes(p.d, snpa, snpal, ":")
  }`;
  if (netal !== 0) p.out += `\n\t  NET (length: ${netal}) ${nsap(p, neta, netal)}`;
  redirectLeft = li;
  return at;
}

function esisOptions(p: Pkt, at: number, li: number): void {
  while (li !== 0) {
    if (li < 2) return void (p.out += ", bad opts/li");
    const op = p.u8(at);
    let oplen = p.u8(at + 1);
    at += 2;
    li -= 2;
    if (oplen > li) return void (p.out += `, opt (${op}) too long`);
    li -= oplen;
    // tcpdump counts the protocol list's length down as it prints it, and then moves on by
    // what is left of it: nothing.
    const len = op === 129 ? 0 : oplen;
    p.out += `\n\t  ${ESIS_OPTIONS[op] ?? "Unknown"} Option #${op}, length ${oplen}, value: `;
    if (op === 198) {
      if (oplen === 2) {
        if (!p.has(at, 2)) throw TRUNCATED;
        p.out += `${p.u16(at)}s`;
      } else p.out += "(bad length)";
    } else if (op === 129) {
      for (let t = at; oplen > 0; t++, oplen--) {
        const n = p.u8(t);
        p.out += `${NLPIDS[n] ?? "unknown"} (0x${hex2(n)})${oplen > 1 ? ", " : ""}`;
      }
    } else {
      p.unknownData(at, oplen, "\n\t  ");
    }
    if (p.verbosity > 1) p.unknownData(at, len, "\n\t  ");
    at += len;
  }
}
