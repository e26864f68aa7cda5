/**
 * The printer state every protocol module shares (tcpdump's netdissect_options and its GET_*
 * macros): the packet cursor {@link Pkt} with bounds-checked reads, which throw
 * {@link TRUNCATED} where tcpdump's would longjmp out and print ` [|proto]`; what a transport
 * needs to know of the IP header in front of it ({@link IpInfo}); and the text helpers every
 * printer uses.
 *
 * A printer appends to `p.out`, sets `p.proto` to its own name first (so a truncation names
 * it), and reads the frame only through `p.u8`/`p.u16`/`p.u32`/`p.ip4`/`p.ip6` or after
 * `p.need`/`p.has`.
 *
 * @module
 */
import { hexAsciiLines, hexLines } from "./hexdump.ts";
import type { TcpSeqTable } from "./tcpseq.ts";

/** Thrown inside the decoder when a read passes the end of the captured (or declared) bytes. */
export class Truncated {}
export const TRUNCATED = new Truncated();

/**
 * Thrown by a printer whose own check finds bytes missing, where tcpdump's does `goto trunc`
 * (nd_print_trunc, no longjmp): the line ends with ` [|proto]` as for {@link TRUNCATED}, but
 * the frame does not count as given up ({@link Pkt.gaveUp}).
 */
export class Cut {}
export const CUT = new Cut();

/**
 * Decoding state of one frame: the bytes, how far they may be read, and the line so far. One
 * Pkt serves every frame of a capture ({@link Pkt.reset}), so a frame costs no objects but its
 * text.
 */
export class Pkt {
  d: Uint8Array = new Uint8Array(0);
  /** End of readable bytes: the capture, narrowed to the declared length by IP layers. */
  end = 0;
  out = "";
  /** Protocol named in ` [|proto]` when bytes run out (tcpdump's ndo_protocol). */
  proto = "ether";
  /** Printed after ` [|proto]`: tcpdump adds ">" when TCP options run out mid-list. */
  truncSuffix = "";
  /**
   * tcpdump's -q count (ndo_qflag): 0, 1 (-q) or 2 (-qq). A printer leaves out what tcpdump's
   * leaves out when it is set; {@link defaultPrint} prints nothing then.
   */
  quiet = 0;
  /**
   * The frame's decode ended at a bounds-checked read ({@link TRUNCATED} reached the top: what
   * tcpdump's GET macros longjmp on), rather than at a printer's own truncation check
   * ({@link trunc}). tcpdump then hex-dumps the whole frame for -x/-X.
   */
  gaveUp = false;
  readonly link: boolean;
  /** -v or more (tcpdump's ndo_vflag != 0). */
  readonly verbose: boolean;
  /** tcpdump's -v count (0..3): where printers differ between -v, -vv and -vvv. */
  readonly verbosity: number;
  /**
   * Dump what no printer decodes (tcpdump's default_print); false when the caller dumps every
   * packet itself (-x, -X) or lines are quiet (-q), as tcpdump suppresses it then.
   */
  readonly undecodedHex: boolean;
  /** Connections for relative TCP sequence numbers; null prints them absolute (-S). */
  readonly tcpSeq: TcpSeqTable | null;
  /** The IP layers of this frame (IP in IP, a datagram an ICMP error quotes), reused. */
  readonly #ips: IpInfo[] = [];
  #ipDepth = 0;

  constructor(
    link: boolean,
    verbose = false,
    tcpSeq: TcpSeqTable | null = null,
    undecodedHex = true,
    verbosity = verbose ? 1 : 0,
  ) {
    this.link = link;
    this.verbose = verbose;
    this.verbosity = verbose ? Math.max(1, verbosity) : 0;
    this.tcpSeq = tcpSeq;
    this.undecodedHex = undecodedHex;
  }

  /**
   * tcpdump's ND_DEFAULTPRINT for what a printer does not decode: `length` bytes at `off` in hex
   * and ASCII on the lines that follow (`\n\t0x0000:  4500 ...  E...`), unless
   * {@link undecodedHex} is off or lines are {@link quiet} (tcpdump's ndo_suppress_default_print),
   * but `always` where tcpdump calls it without asking (its LLC printer on a cut header,
   * print-arp.c). Like tcpdump, when the capture ends first it dumps what there is and then ends
   * the line as truncated (throws {@link TRUNCATED}).
   */
  defaultPrint(off: number, length: number, always = false): void {
    if (!always && (!this.undecodedHex || this.quiet)) return;
    const have = Math.max(0, this.end - off);
    this.out += hexAsciiLines(this.d.subarray(off, off + Math.min(length, have)));
    if (length > have) throw TRUNCATED;
  }

  /**
   * tcpdump's hex_and_ascii_print: `length` bytes at `off` in hex and ASCII, each line starting
   * with `indent`, printed whatever -x says; a capture that ends first ends the line as
   * truncated after what there is.
   */
  hexAscii(off: number, length: number, indent: string): void {
    const have = Math.max(0, this.end - off);
    this.out += hexAsciiLines(this.d.subarray(off, off + Math.min(length, have)), 0, indent);
    if (length > have) throw TRUNCATED;
  }

  /**
   * tcpdump's print_unknown_data: at most `length` captured bytes at `off` in hex, each line
   * starting with `indent`. Printed whatever -x says, and never a truncation.
   */
  unknownData(off: number, length: number, indent = "\n\t"): void {
    const n = Math.min(length, Math.max(0, this.end - off));
    this.out += hexLines(this.d.subarray(off, off + n), 0, indent);
  }

  /**
   * ` [|proto]`, where a printer's own check finds the bytes missing and it ends there (tcpdump's
   * nd_print_trunc after `goto trunc`), unlike a read past the end (which throws).
   */
  trunc(): void {
    this.out += ` [|${this.proto}]`;
  }

  /** Starts the next frame. */
  reset(d: Uint8Array): void {
    this.d = d;
    this.end = d.length;
    this.out = "";
    this.proto = "ether";
    this.truncSuffix = "";
    this.gaveUp = false;
    this.#ipDepth = 0;
  }

  /**
   * The facts of the next IP layer of this frame. Layers only nest within a frame, so each gets
   * its own object, kept for the frames that follow.
   */
  ipLayer(
    v6: boolean,
    src: string,
    dst: string,
    firstProto: number,
    at: number,
    fragmented: boolean,
  ): IpInfo {
    let info = this.#ips[this.#ipDepth];
    if (info === undefined) {
      info = { v6, src, dst, firstProto, at, fragmented };
      this.#ips.push(info);
    } else {
      info.v6 = v6;
      info.src = src;
      info.dst = dst;
      info.firstProto = firstProto;
      info.at = at;
      info.fragmented = fragmented;
    }
    this.#ipDepth++;
    return info;
  }

  has(i: number, n: number): boolean {
    return i >= 0 && i + n <= this.end;
  }

  need(i: number, n: number): void {
    if (!this.has(i, n)) throw TRUNCATED;
  }

  /** tcpdump's ND_TCHECK with a `trunc:` label: throws {@link CUT} when bytes are missing. */
  check(i: number, n: number): void {
    if (!this.has(i, n)) throw CUT;
  }

  u8(i: number): number {
    this.need(i, 1);
    return this.d[i];
  }

  u16(i: number): number {
    this.need(i, 2);
    return (this.d[i] << 8) | this.d[i + 1];
  }

  u32(i: number): number {
    this.need(i, 4);
    return ((this.d[i] << 24) | (this.d[i + 1] << 16) | (this.d[i + 2] << 8) | this.d[i + 3]) >>>
      0;
  }

  ip4(i: number): string {
    this.need(i, 4);
    const d = this.d;
    return `${d[i]}.${d[i + 1]}.${d[i + 2]}.${d[i + 3]}`;
  }

  ip6(i: number): string {
    this.need(i, 16);
    return formatIp6(this.d, i);
  }
}

export function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}

/** Colon-separated hex bytes, as tcpdump prints link addresses of any length. */
export function hexBytes(d: Uint8Array, i: number, n: number, sep: string): string {
  let s = "";
  for (let k = 0; k < n; k++) s += (k > 0 ? sep : "") + hex2(d[i + k]);
  return s;
}

/**
 * RFC 5952 text form of the IPv6 address at `d[i..i+16)`: lowercase, no leading zeros, the
 * longest run (the first, on a tie) of two or more zero groups as "::", and the embedded IPv4
 * forms `::a.b.c.d` / `::ffff:a.b.c.d` (what tcpdump and inet_ntop print). Throws RangeError
 * when fewer than 16 bytes follow `i`.
 */
export function formatIp6(d: Uint8Array, i = 0): string {
  if (!(i >= 0 && i + 16 <= d.length)) throw new RangeError(`no IPv6 address at ${i}`);
  const w: number[] = [];
  for (let k = 0; k < 8; k++) w.push((d[i + 2 * k] << 8) | d[i + 2 * k + 1]);
  let bestBase = -1;
  let bestLen = 0;
  for (let k = 0; k < 8;) {
    if (w[k] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && w[j] === 0) j++;
    if (j - k > bestLen) {
      bestBase = k;
      bestLen = j - k;
    }
    k = j;
  }
  if (bestLen < 2) bestBase = -1;
  if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    const v4 = `${d[i + 12]}.${d[i + 13]}.${d[i + 14]}.${d[i + 15]}`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  let s = "";
  for (let k = 0; k < 8; k++) {
    if (k === bestBase) {
      s += "::";
      k += bestLen - 1;
      continue;
    }
    if (s !== "" && !s.endsWith(":")) s += ":";
    s += w[k].toString(16);
  }
  return s;
}

/** What the transport decoders need to know about the IP header in front of them. */
export interface IpInfo {
  v6: boolean;
  /** Source and destination, printed. */
  src: string;
  dst: string;
  /** The protocol field of the IP header itself (IPv6: the first next-header). */
  firstProto: number;
  /** Offset of the IP header (for checksums' pseudo-headers). */
  at: number;
  /** The payload is a fragment (IPv4 more-fragments set, or behind an IPv6 fragment header). */
  fragmented: boolean;
}
