/**
 * TCP (tcpdump's print-tcp.c): ports, flags, sequence numbers, window, options (MPTCP in
 * mptcp.ts), with -v the checksum, then the payload by well-known port through the dispatch.
 *
 * @module
 */
import { tcpPortPrinter } from "./dispatch.ts";
import { mptcp } from "./mptcp.ts";
import { hex2, hex4, hexBytes, type IpInfo, type Pkt, TRUNCATED } from "./printer.ts";
import { charText } from "./text.ts";
import { transportAddrs, transportSum } from "./transport.ts";
import { cksumShouldBe } from "./verbose.ts";

/** tcpdump's "Flags [...]" text of every flags byte: FIN SYN RST PSH ACK URG ECE CWR. */
const FLAGS_TEXT: string[] = Array.from({ length: 256 }, (_, flags) => {
  let f = "";
  for (let bit = 0; bit < 8; bit++) if (flags & (1 << bit)) f += "FSRP.UEW"[bit];
  return `Flags [${f || "none"}]`;
});

const TH_SYN = 0x02;
const TH_ACK = 0x10;

const TCP_OPTION_NAMES: Record<number, string> = {
  0: "eol",
  1: "nop",
  2: "mss",
  3: "wscale",
  4: "sackOK",
  5: "sack",
  6: "echo",
  7: "echoreply",
  8: "TS",
  11: "cc",
  12: "ccnew",
  13: "",
  19: "md5",
  20: "scps",
  28: "uto",
  29: "tcp-ao",
  30: "mptcp",
  34: "tfo",
  254: "exp",
};

/** The TCP segment at `off`, `length` bytes by the IP header in front (`info`). */
export function tcp(p: Pkt, off: number, length: number, info: IpInfo): void {
  p.proto = "tcp";
  if (!p.has(off, 4)) {
    p.out += `${info.src} > ${info.dst}:`;
    throw TRUNCATED;
  }
  const sport = p.u16(off);
  const dport = p.u16(off + 2);
  p.out += transportAddrs(info, 6, sport, dport);
  p.need(off, 20);
  const hlen = (p.d[off + 12] >> 4) * 4;
  if (hlen < 20) {
    p.out += ` tcp ${length - hlen} [bad hdr length ${hlen} - too short, < 20]`;
    return;
  }
  let seq = p.u32(off + 4);
  let ack = p.u32(off + 8);
  const flags = p.d[off + 13];
  const win = p.u16(off + 14);
  const urp = p.u16(off + 18);
  if (p.quiet) {
    // tcpdump -q: the payload's length only (a C unsigned: a header longer than the segment
    // wraps), and no connection is tracked.
    p.out += `tcp ${(length - hlen) >>> 0}`;
    if (hlen > length) p.out += ` [bad hdr length ${hlen} - too long, > ${length}]`;
    return;
  }
  p.out += FLAGS_TEXT[flags];
  // Relative numbers (tcpdump without -S): counted from the connection's first segment with
  // ACK, which itself, like a SYN-ACK that starts the connection over, prints them absolute.
  let sackBase = 0;
  const table = p.tcpSeq;
  if (table !== null && flags & TH_ACK) {
    // One collating order for both directions: the lower port first (the lower address on a tie).
    const src = info.v6 ? info.at + 8 : info.at + 12;
    const dst = info.v6 ? info.at + 24 : info.at + 16;
    const alen = info.v6 ? 16 : 4;
    const rev = sport > dport || (sport === dport && compareBytes(p.d, src, dst, alen) > 0);
    if (rev) table.setKey(p.d, dst, src, alen, dport, sport);
    else table.setKey(p.d, src, dst, alen, sport, dport);
    let slot = table.find();
    if (slot < 0 || flags & TH_SYN) {
      if (slot < 0) slot = table.add();
      // Uint32Array keeps ack - 1 modulo 2^32, as tcpdump's uint32_t does.
      table.seq[slot] = rev ? ack - 1 : seq;
      table.ack[slot] = rev ? seq : ack - 1;
    } else {
      seq = (seq - (rev ? table.ack[slot] : table.seq[slot])) >>> 0;
      ack = (ack - (rev ? table.seq[slot] : table.ack[slot])) >>> 0;
    }
    sackBase = rev ? table.seq[slot] : table.ack[slot];
  }
  if (hlen > length) {
    p.out += ` [bad hdr length ${hlen} - too long, > ${length}]`;
    return;
  }
  if (p.verbose && !info.fragmented) p.out += tcpChecksum(p, off, length, info);
  const dataLen = length - hlen;
  if (dataLen > 0 || (flags & 0x07) !== 0 || p.verbosity > 1) {
    p.out += `, seq ${seq}`;
    if (dataLen > 0) p.out += `:${(seq + dataLen) >>> 0}`;
  }
  if (flags & TH_ACK) p.out += `, ack ${ack}`;
  p.out += `, win ${win}`;
  if (flags & 0x20) p.out += `, urg ${urp}`;
  if (hlen > 20 && !tcpOptions(p, off + 20, hlen - 20, flags, off + length, sackBase)) {
    return;
  }
  p.out += `, length ${dataLen}`;
  if (dataLen === 0) return;
  if (!p.has(off, hlen)) {
    p.out += ` [remaining caplen(${Math.max(0, p.end - off)}) < header length(${hlen})]`;
    throw TRUNCATED;
  }
  // tcpdump -v shows the text a reset carries instead of decoding it.
  if (flags & 0x04 && p.verbose) return rstData(p, off + hlen, dataLen);
  const app = tcpPortPrinter(sport, dport);
  if (app !== undefined) app(p, off + hlen, dataLen, info, sport, dport);
}

/** tcpdump's print_tcp_rst_data: ` [RST text]` (`!RST` when cut), at most 30 characters. */
function rstData(p: Pkt, at: number, length: number): void {
  p.out += p.has(at, length) ? " [RST" : " [!RST";
  if (length > 30) {
    length = 30;
    p.out += "+";
  }
  p.out += " ";
  while (length && at < p.end) {
    p.out += charText(p.u8(at++));
    length--;
  }
  p.out += "]";
}

/** memcmp of `n` bytes at `a` and `b`: negative, 0 or positive. */
function compareBytes(d: Uint8Array, a: number, b: number, n: number): number {
  for (let i = 0; i < n; i++) if (d[a + i] !== d[b + i]) return d[a + i] - d[b + i];
  return 0;
}

/**
 * Prints ", options [...]" the way tcpdump walks them, including its handling of bad lengths
 * (`[len N]` when an option's length differs from its type's, `[bad opt]` when it cannot go on).
 * SACK blocks are printed less `sackBase` (relative numbers, or 0). Returns false after
 * `[bad opt]`, where tcpdump ends the line.
 */
function tcpOptions(
  p: Pkt,
  cp: number,
  left: number,
  flags: number,
  dataEnd: number,
  sackBase: number,
): boolean {
  p.out += ", options [";
  let sep = "";
  while (left > 0) {
    p.out += sep;
    const opt = p.u8(cp++);
    let len = 1;
    if (opt > 1) {
      len = p.u8(cp++);
      if (len < 2 || len > left) return badOption(p, sep);
      left--;
    }
    left--;
    p.out += TCP_OPTION_NAMES[opt] ?? `unknown-${opt}`;
    let datalen = 0;
    // tcpdump's LENCHECK: the option's data must fit in the header and in the capture.
    const fits = (n: number): boolean => {
      if (n > left) return false;
      if (!p.has(cp, n)) {
        if (sep !== "") p.truncSuffix = ">";
        throw TRUNCATED;
      }
      return true;
    };
    switch (opt) {
      case 0:
      case 1:
      case 4:
        break;
      case 2:
        datalen = 2;
        if (!fits(2)) return badOption(p, sep);
        p.out += ` ${p.u16(cp)}`;
        break;
      case 3:
        datalen = 1;
        if (!fits(1)) return badOption(p, sep);
        p.out += ` ${p.u8(cp)}`;
        break;
      case 5:
        datalen = len - 2;
        if (datalen % 8 !== 0) {
          p.out += " invalid sack";
        } else {
          p.out += ` ${datalen / 8} `;
          for (let i = 0; i < datalen; i += 8) {
            if (!fits(i + 4)) return badOption(p, sep);
            const s = (p.u32(cp + i) - sackBase) >>> 0;
            if (!fits(i + 8)) return badOption(p, sep);
            p.out += `{${s}:${(p.u32(cp + i + 4) - sackBase) >>> 0}}`;
          }
        }
        break;
      case 6:
      case 7:
      case 11:
      case 12:
      case 13:
        datalen = 4;
        if (!fits(4)) return badOption(p, sep);
        p.out += ` ${p.u32(cp)}`;
        break;
      case 8:
        datalen = 8;
        if (!fits(8)) return badOption(p, sep);
        p.out += ` val ${p.u32(cp)} ecr ${p.u32(cp + 4)}`;
        break;
      case 19:
        datalen = 16;
        if (!fits(16)) return badOption(p, sep);
        // tcpdump cannot check the signature: it says why (segment not all captured, or no -M).
        p.out += dataEnd > p.end ? " snaplen too short," : " shared secret not supplied with -M,";
        p.out += ` can't check - ${hexBytes(p.d, cp, 16, "")}`;
        break;
      case 20:
        datalen = 2;
        if (!fits(2)) return badOption(p, sep);
        p.out += ` cap ${hex2(p.u8(cp))} id ${p.u8(cp + 1)}`;
        break;
      case 28: {
        datalen = 2;
        if (!fits(2)) return badOption(p, sep);
        const uto = p.u16(cp);
        p.out += ` 0x${uto.toString(16)} ${uto & 1 ? (uto >> 1) * 60 : uto >> 1}`;
        break;
      }
      case 29:
        datalen = len - 2;
        if (len < 4) {
          p.out += " (invalid)";
        } else {
          if (!fits(1)) return badOption(p, sep);
          p.out += ` keyid ${p.u8(cp)}`;
          if (!fits(2)) return badOption(p, sep);
          p.out += ` rnextkeyid ${p.u8(cp + 1)}`;
          if (datalen > 2) {
            p.out += " mac 0x";
            for (let i = 2; i < datalen; i++) {
              if (!fits(i + 1)) return badOption(p, sep);
              p.out += hex2(p.u8(cp + i));
            }
          }
        }
        break;
      case 30:
        datalen = len - 2;
        if (!fits(datalen)) return badOption(p, sep);
        if (!mptcp(p, cp - 2, len, flags)) return badOption(p, sep);
        break;
      case 34:
        datalen = len - 2;
        if (!fits(datalen)) return badOption(p, sep);
        p.out += " ";
        fastOpen(p, cp, datalen, false);
        break;
      case 254: {
        datalen = len - 2;
        if (!fits(datalen)) return badOption(p, sep);
        if (datalen < 2) return badOption(p, sep);
        const magic = p.u16(cp);
        p.out += "-";
        if (magic === 0xf989) fastOpen(p, cp + 2, datalen - 2, true);
        else p.out += hex4(magic);
        break;
      }
      default:
        datalen = len - 2;
        if (datalen > 0) p.out += " 0x";
        for (let i = 0; i < datalen; i++) {
          if (!fits(i + 1)) return badOption(p, sep);
          p.out += hex2(p.u8(cp + i));
        }
    }
    // Like tcpdump: step over the data the option's type implies, and flag a differing length.
    cp += datalen;
    left -= datalen;
    const expected = datalen + (opt > 1 ? 2 : 1);
    if (expected !== len) p.out += `[len ${len}]`;
    sep = ",";
    if (opt === 0) break;
  }
  p.out += "]";
  return true;
}

function badOption(p: Pkt, sep: string): false {
  p.out += "[bad opt]";
  if (sep !== "") p.out += "]";
  return false;
}

function fastOpen(p: Pkt, cp: number, datalen: number, experimental: boolean): void {
  if (experimental) p.out += "tfo";
  if (datalen === 0) {
    p.out += " cookiereq";
  } else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) {
    p.out += " (invalid)";
  } else {
    p.out += ` cookie ${hexBytes(p.d, cp, datalen, "")}`;
  }
}

/** tcpdump -v's ", cksum 0x1234 (correct)" after the TCP flags, when the segment is all there. */
function tcpChecksum(p: Pkt, off: number, length: number, info: IpInfo): string {
  // A zero IPv6 payload length (a jumbogram) is not checked, as in tcpdump.
  if (info.v6 && p.u16(info.at + 4) === 0) return "";
  if (!p.has(off, length)) return "";
  const sum = transportSum(p, off, length, 6, info);
  const carried = p.u16(off + 16);
  return `, cksum 0x${hex4(carried)}` +
    (sum === 0 ? " (correct)" : ` (incorrect -> 0x${hex4(cksumShouldBe(carried, sum))})`);
}
