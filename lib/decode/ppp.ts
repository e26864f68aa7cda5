/**
 * PPP (tcpdump's print-ppp.c) as PPPoE sessions, GRE and the PPP ethertype (0x880b) carry it:
 * the protocol field, then LCP, IPCP, IP6CP, CCP and BACP (code and id; with -v the options),
 * CHAP, PAP, multilink, or the network packet (IPv4, IPv6, IPX, OSI, MPLS). HDLC-escaped frames
 * are unescaped first, as tcpdump does.
 *
 * @module
 */
import { etherTypePrinter } from "./dispatch.ts";
import { ipx } from "./ipx.ts";
import { isoclns } from "./isis.ts";
import { OUIS } from "./llc.ts";
import { mpls } from "./mpls.ts";
import { configOption, PPP_PROTOCOLS } from "./ppp_options.ts";
import { hex2, hex4, type Pkt, TRUNCATED } from "./printer.ts";
import { type BitNames, bitNames, printableChar, printN } from "./tokens.ts";

const CP_CODES = [
  "Vendor-Extension",
  "Conf-Request",
  "Conf-Ack",
  "Conf-Nack",
  "Conf-Reject",
  "Term-Request",
  "Term-Ack",
  "Code-Reject",
  "Prot-Reject",
  "Echo-Request",
  "Echo-Reply",
  "Disc-Req",
  "Ident",
  "Time-Rem",
  "Reset-Req",
  "Reset-Ack",
];

const ML_FLAGS: BitNames = [[0x80, "begin"], [0x40, "end"]];

/** A PPP frame at `off`, `length` bytes (the address and control fields optional). */
export function ppp(p: Pkt, off: number, length: number): void {
  p.proto = "ppp";
  const orig = length;
  if (length < 2) throw TRUNCATED;
  const header = p.u16(off);
  if (header === 0x0003 || header === 0x0103 || header === 0xff03) {
    if (p.link && header !== 0xff03) p.out += header === 0x0003 ? "In  " : "Out ";
    off += 2;
    length -= 2;
  }
  if (length < 2) throw TRUNCATED;
  let proto: number;
  if (p.u8(off) % 2) {
    proto = p.u8(off);
    off++;
    length--;
  } else {
    proto = p.u16(off);
    off += 2;
    length -= 2;
  }
  if (p.link) {
    const name = PPP_PROTOCOLS[proto];
    p.out += `${name ?? "unknown"} (0x${hex4(proto)}), length ${orig}`;
    if (name === undefined) return;
    p.out += ": ";
  }
  handle(p, proto, off, length);
}

/** PPP in an Ethernet frame (ethertype 0x880b). */
export function pppEthertype(p: Pkt, off: number, length: number): void {
  if (length === 0) return;
  p.out += ": ";
  ppp(p, off, length);
}

/** A PPP payload of protocol `proto` at `off` (tcpdump's handle_ppp). */
function handle(p: Pkt, proto: number, off: number, length: number): void {
  if ((proto & 0xff00) === 0x7e00) return hdlc(p, off - 1, length);
  switch (proto) {
    case 0xc021:
    case 0x8021:
    case 0x8023:
    case 0x8281:
    case 0x8057:
    case 0x80fd:
    case 0xc02b:
      return controlProtocol(p, proto, off, length);
    case 0x003d:
      return multilink(p, off, length);
    case 0xc223:
      return chap(p, off, length);
    case 0xc023:
      return pap(p, off, length);
    case 0xc02d:
      return;
    case 0x0800:
    case 0x002f:
    case 0x0021:
      return etherTypePrinter(0x0800)?.(p, off, length);
    case 0x86dd:
    case 0x0057:
      return etherTypePrinter(0x86dd)?.(p, off, length);
    case 0x8137:
    case 0x002b:
      return ipx(p, off, length);
    case 0x0023:
      return isoclns(p, off, length);
    case 0x0281:
    case 0x0283:
      return mpls(p, off, length);
    case 0x00fd:
      p.out += "compressed PPP data";
      return;
  }
  p.out += `${PPP_PROTOCOLS[proto] ?? `unknown PPP protocol (0x${hex4(proto)})`} `;
  p.unknownData(off, length, "\n\t");
}

/** Unescaped HDLC-like frames (RFC 1662), reused across frames. */
const unescaped = new Uint8Array(65536 + 64);

/** An HDLC-escaped frame: unescaped into a scratch buffer, then decoded from there. */
function hdlc(p: Pkt, off: number, length: number): void {
  const caplen = Math.max(0, p.end - off);
  if (caplen === 0 || length === 0) return;
  let n = 0;
  for (let i = off, left = Math.min(caplen, unescaped.length); left !== 0; left--) {
    let c = p.d[i++];
    if (c === 0x7d) {
      if (left <= 1) break;
      left--;
      c = p.d[i++] ^ 0x20;
    }
    unescaped[n++] = c;
  }
  const savedData = p.d;
  const savedEnd = p.end;
  p.d = unescaped;
  p.end = n;
  try {
    unescapedFrame(p, n);
  } finally {
    p.d = savedData;
    p.end = savedEnd;
  }
}

function unescapedFrame(p: Pkt, length: number): void {
  if (length < 1) throw TRUNCATED;
  let proto = p.u8(0);
  if (proto === 0x21) return etherTypePrinter(0x0800)?.(p, 1, length - 1);
  if (proto === 0x57) return etherTypePrinter(0x86dd)?.(p, 1, length - 1);
  if (length < 2) throw TRUNCATED;
  proto = p.u16(0);
  let at = 2;
  if (proto === 0xff03) {
    if (length < 4) throw TRUNCATED;
    proto = p.u16(2);
    at = 4;
  }
  if ((proto & 0xff00) === 0x7e00) p.out += `(protocol 0x${hex4(proto)} invalid)`;
  else handle(p, proto, at, length - at);
}

/** LCP, IPCP, IP6CP, CCP, BACP and the other control protocols (tcpdump's handle_ctrl_proto). */
function controlProtocol(p: Pkt, proto: number, off: number, length: number): void {
  const name = PPP_PROTOCOLS[proto] ?? `unknown ctrl-proto (0x${hex4(proto)})`;
  p.out += `${name}, `;
  if (length < 4 || !p.has(off, 2)) {
    p.out += `[|${name}]`;
    return;
  }
  const code = p.u8(off);
  p.out += `${CP_CODES[code] ?? "Unknown Opcode"} (0x${hex2(code)}), id ${p.u8(off + 1)}, length ${
    length + 2
  }`;
  if (!p.verbose) return;
  const len = p.u16(off + 2);
  let at = off + 4;
  if (len < 4) {
    p.out += `\n\tencoded length ${len} (< 4))`;
    return;
  }
  if (len > length) {
    p.out += `\n\tencoded length ${len} (> packet length ${length}))`;
    return;
  }
  length = len;
  p.out += `\n\tencoded length ${len} (=Option(s) length ${len - 4})`;
  if (length === 4) return;
  if (p.verbosity > 1) p.unknownData(off - 2, 6, "\n\t");
  switch (code) {
    case 0:
      if (length < 11) return;
      p.out += `\n\t  Magic-Num 0x${p.u32(at).toString(16).padStart(8, "0")}`;
      at += 4;
      p.out += ` Vendor: ${OUIS[p.u16(at) * 256 + p.u8(at + 2)] ?? "Unknown"} (${
        p.u16(at) * 256 + p.u8(at + 2)
      })`;
      return;
    case 1:
    case 2:
    case 3:
    case 4: {
      if (
        proto !== 0xc021 && proto !== 0x8021 && proto !== 0x8057 && proto !== 0x80fd &&
        proto !== 0xc02b
      ) return;
      let left = len - 4;
      do {
        const advance = configOption(p, proto, at, len);
        if (advance === 0) return;
        if (left < advance) {
          p.out += ` [remaining options length ${left} < ${advance}] (invalid)`;
          return;
        }
        left -= advance;
        at += advance;
      } while (left !== 0);
      return;
    }
    case 5:
    case 6:
    case 7:
      return;
    case 8: {
      if (length < 6) return;
      const rejected = p.u16(at);
      p.out += `\n\t  Rejected ${PPP_PROTOCOLS[rejected] ?? "unknown"} Protocol (0x${
        hex4(rejected)
      })`;
      if (len > 6) {
        p.out += "\n\t  Rejected Packet";
        p.unknownData(at + 2, len - 2, "\n\t    ");
      }
      return;
    }
    case 9:
    case 10:
    case 11:
      if (length < 8) return;
      p.out += `\n\t  Magic-Num 0x${p.u32(at).toString(16).padStart(8, "0")}`;
      if (len > 8) {
        p.out += "\n\t  -----trailing data-----";
        if (!p.has(at + 4, len - 8)) {
          p.out += `[|${name}]`;
          return;
        }
        p.unknownData(at + 4, len - 8, "\n\t  ");
      }
      return;
    case 12:
      if (length < 8) return;
      p.out += `\n\t  Magic-Num 0x${p.u32(at).toString(16).padStart(8, "0")}`;
      if (len > 8) {
        p.out += "\n\t  Message\n\t    ";
        const n = Math.min(len - 4, Math.max(0, p.end - (at + 4)));
        printN(p, at + 4, n);
        if (n < len - 4) p.out += `[|${name}]`;
      }
      return;
    case 13:
      if (length < 12) return;
      p.out += `\n\t  Magic-Num 0x${p.u32(at).toString(16).padStart(8, "0")}`;
      p.out += `, Seconds-Remaining ${p.u32(at + 4)}s`;
      return;
  }
  if (p.verbosity <= 1) p.unknownData(off - 2, length + 2, "\n\t  ");
}

function multilink(p: Pkt, off: number, length: number): void {
  if (!p.link) p.out += "MLPPP, ";
  if (length < 2 || !p.has(off, 2)) {
    p.out += "[|mlppp]";
    return;
  }
  p.out += `seq 0x${(p.u16(off) & 0xfff).toString(16).padStart(3, "0")}, Flags [${
    bitNames(ML_FLAGS, p.u8(off) & 0xc0, "none")
  }], length ${length}`;
}

/** `n` bytes as tcpdump's fn_print_char prints them, byte by byte. */
function chars(p: Pkt, at: number, n: number): void {
  for (let i = 0; i < n; i++) p.out += printableChar(p.u8(at + i));
}

/**
 * The header CHAP and PAP share (tcpdump's print_chap and print_pap): code and id; the code,
 * or -1 where the packet is too short for the header.
 */
function authHeader(
  p: Pkt,
  off: number,
  length: number,
  name: "chap" | "pap",
  codes: readonly string[],
): number {
  if (length < 1) {
    p.out += `[|${name}]`;
    return -1;
  }
  if (length < 4) {
    p.out += `[|${name} 0x${hex2(p.u8(off))}]`;
    return -1;
  }
  const code = p.u8(off);
  p.out += `${name.toUpperCase()}, ${codes[code] ?? "unknown"} (0x${hex2(code)})`;
  p.out += `, id ${p.u8(off + 1)}`;
  return code;
}

const CHAP_CODES = ["unknown", "Challenge", "Response", "Success", "Fail"];
const PAP_CODES = ["unknown", "Auth-Req", "Auth-ACK", "Auth-NACK"];

function chap(p: Pkt, off: number, length: number): void {
  const code = authHeader(p, off, length, "chap", CHAP_CODES);
  if (code < 0) return;
  const len = p.u16(off + 2);
  let at = off + 4;
  if (code === 1 || code === 2) {
    if (length - (at - off) < 1) return;
    const vsize = p.u8(at);
    at++;
    if (length - (at - off) < vsize) return;
    p.out += ", Value ";
    for (let i = 0; i < vsize; i++, at++) p.out += hex2(p.u8(at));
    p.out += ", Name ";
    chars(p, at, (len - (at - off)) >>> 0);
  } else if (code === 3 || code === 4) {
    p.out += ", Msg ";
    chars(p, at, (len - (at - off)) >>> 0);
  }
}

function pap(p: Pkt, off: number, length: number): void {
  const code = authHeader(p, off, length, "pap", PAP_CODES);
  if (code < 0) return;
  const len = p.u16(off + 2);
  const at = off + 4;
  if (len > length) {
    p.out += `, length ${len} > packet size`;
    return;
  }
  length = len;
  if (length < 4) {
    p.out += `, length ${length} < PAP header length`;
    return;
  }
  const end = off + length;
  if (code === 1) {
    if (len < 6) {
      p.out += "[|pap]";
      return;
    }
    const name = counted(p, at, end, ", Peer ");
    if (name >= 0) counted(p, name, end, ", Name ");
  } else if (code === 2 || code === 3) {
    if (len < 5) {
      p.out += "[|pap]";
      return;
    }
    counted(p, at, end, ", Msg ");
  }
}

/**
 * `label` and the string at `at` that its length byte leads: the offset past it, or -1 (nothing
 * printed) where it does not fit before `end`.
 */
function counted(p: Pkt, at: number, end: number, label: string): number {
  if (end - at < 1) return -1;
  const n = p.u8(at);
  at++;
  if (end - at < n) return -1;
  p.out += label;
  chars(p, at, n);
  return at + n;
}
