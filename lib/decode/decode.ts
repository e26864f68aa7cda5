/**
 * The packet decoder in the style of `tcpdump -n` (tcpdump 4.99), for Ethernet frames: a
 * {@link Decoder} per capture or file (it keeps what lines depend on across packets: the TCP
 * connections relative sequence numbers count from), and the stateless {@link describeFrame}
 * (absolute numbers, like `tcpdump -S`).
 *
 * Decoded: Ethernet, 802.1Q/QinQ tags (0x8100, 0x88a8, 0x9100, 0x9200), ARP/RARP (also Frame
 * Relay and ATM ARP), IPv4 (fragments, IP-in-IP), IPv6 (hop-by-hop, routing, fragment and
 * destination-options headers, jumbograms), ICMP, ICMPv6, TCP (flags, seq/ack, window, options
 * including MPTCP) and UDP; the link-layer family: LLC/SNAP, STP/RSTP/MSTP/SPB, IS-IS, CLNP,
 * ES-IS, CDP, DTP, VTP, UDLD, LLDP, LACP/marker/OAM, EAPOL, MACsec, CFM, PTP, MPLS, PPPoE, PPP,
 * IPX, DECnet, loopback, AoE, GeoNet and CALM FAST (README: Text lines). The line is what tcpdump 4.99.3 prints, byte for byte, including its
 * quirks; the tests hold it to that against tcpdump itself.
 *
 * Deliberate differences:
 * - Applications over UDP and TCP are decoded on the ports tcpdump decodes them (DNS, AFS,
 *   ISAKMP, DHCP, DHCPv6, NTP, SNMP, RADIUS, sFlow, the overlays, the text protocols...; the
 *   README lists them). Where tcpdump decodes one that is not among them, the line keeps `UDP,
 *   length N` or stops at the TCP summary's `length N`.
 * - Some lines depend on the packets before, as tcpdump's do: an AFS reply names the call it
 *   answers, an ISAKMP message its side. A {@link Decoder} remembers those as tcpdump does (the
 *   last 64 AFS calls, 20 ISAKMP initiators); {@link describeFrame} has no memory of them.
 * - A {@link Decoder} remembers at most {@link DecoderOptions.connections} TCP connections for
 *   relative sequence numbers (tcpdump: all it ever saw); one forgotten starts over as if seen
 *   mid-stream, with one segment in absolute numbers.
 * - What is not decoded is dumped in hex on the lines that follow, as tcpdump does, e.g.
 *   `aa:.. > bb:.., ethertype Unknown (0x88b5), length 60: ` and `\n\t0x0000:  0102 ...`; where
 *   tcpdump decodes it, that is a difference.
 * - Ethertypes and IP protocols not listed above get a fallback instead of tcpdump's decode:
 *   `src > dst, ethertype NSH (0x894f), length 60: ` and a hex dump,
 *   `IP 1.2.3.4 > 5.6.7.8:  ip-proto-89 40`; a few ICMPv6 types (router renumbering, node
 *   information, RPL) are only named.
 * - Without {@link DescribeOptions.link}, VLAN tags are not shown, exactly as tcpdump does
 *   without `-e`; with it, the line is `tcpdump -e`'s (`vlan 100, p 0, ethertype IPv4, ...`).
 *
 * - With {@link DescribeOptions.verbose}, the text is `tcpdump -v`'s for these protocols (multi-line
 *   for IPv4, neighbour discovery options on lines of their own, as tcpdump prints them).
 *
 * The printers are one module per protocol family (like tcpdump's print-*.c), connected by
 * dispatch.ts, which says how to add one; printer.ts holds the state they share.
 *
 * Truncated or malformed input never throws: the line carries what could be decoded, then
 * ` [|proto]` where the captured bytes ran out, as tcpdump puts it.
 *
 * @module
 */
import { ether } from "./ether.ts";
import { Cut, Pkt, Truncated } from "./printer.ts";
import { TCP_SEQ_CONNECTIONS, TcpSeqTable } from "./tcpseq.ts";
import {
  formatTimestamp,
  TimestampClock,
  type TimestampFormat,
  type TimestampPrecision,
} from "./timestamp.ts";

export { formatIp6 } from "./printer.ts";
export {
  formatTimestamp,
  TIMESTAMP_FORMATS,
  type TimestampFormat,
  type TimestampPrecision,
} from "./timestamp.ts";

/** Options of {@link describeFrame}. */
export interface DescribeOptions {
  /**
   * Print the link-layer header like `tcpdump -e`: MAC addresses, ethertype, frame length and
   * every VLAN tag (`vlan 100, p 0, ethertype IPv4 (0x0800), ...`). Default false, like
   * `tcpdump -n` without `-e`, which prints nothing of the link layer (not even VLAN tags) for
   * the protocols it decodes.
   */
  link?: boolean;
  /**
   * Add what `tcpdump -v` adds: the IPv4 header's fields and options in parentheses (the rest
   * of the packet then follows on a new line indented by 4 spaces, as tcpdump prints it), the
   * IPv6 header's fields, the fragment identification of IPv6 fragments, the checksum verdicts
   * of IPv4 headers, TCP, UDP over IPv6, ICMP and ICMPv6, and the packet an ICMP error quotes.
   */
  verbose?: boolean;
  /**
   * How verbose, as tcpdump counts -v (1), -vv (2) and -vvv (3); where given it wins over
   * {@link verbose}. Printers that differ between the levels follow it.
   */
  verbosity?: number;
  /**
   * Dump in hex (and ASCII) on the lines that follow what is not decoded, as tcpdump does
   * (an unknown ethertype's payload, an unknown ARP operation, ICMPv6 types it does not know).
   * Default true; false for a caller that dumps every packet itself (`-x`, `-X`), as tcpdump
   * leaves these dumps out then.
   */
  undecodedHex?: boolean;
  /**
   * tcpdump's quick (quiet) lines, `-q` (true or 1) or `-qq` (2): less protocol information,
   * as tcpdump leaves it out (TCP as `tcp N`, UDP as `UDP, length N` without its application,
   * ethertypes by name alone with -e, no hex of what is not decoded; `-qq` also prints nothing
   * after `IP ` for a later IPv4 fragment).
   */
  quiet?: boolean | number;
}

/** Options of a {@link Decoder}. */
export interface DecoderOptions extends DescribeOptions {
  /**
   * Print TCP sequence and acknowledgement numbers as they are on the wire, like `tcpdump -S`.
   * Default false: relative to the first of each direction of a connection, as tcpdump does.
   */
  absoluteSeq?: boolean;
  /** How many TCP connections to remember for relative numbers (default 16384). */
  connections?: number;
  /**
   * The timestamp of {@link Decoder.line}: "time" (default, HH:MM:SS.ffffff local), "none" (-t),
   * "epoch" (-tt), "delta" since the previous packet (-ttt), "date" and time (-tttt), "elapsed"
   * since the first packet (-ttttt).
   */
  timestamps?: TimestampFormat;
  /** "micro" (default, 6 digits) or "nano" (9 digits: --nano). */
  precision?: TimestampPrecision;
}

/** The printer state of these options. */
function newPkt(opts: DescribeOptions, table: TcpSeqTable | null): Pkt {
  const verbosity = opts.verbosity ?? (opts.verbose === true ? 1 : 0);
  const p = new Pkt(
    opts.link === true,
    verbosity > 0,
    table,
    opts.undecodedHex !== false,
    verbosity,
  );
  p.quiet = opts.quiet === true ? 1 : Math.max(0, Math.floor(Number(opts.quiet) || 0));
  return p;
}

/** Runs the printers over one frame; never throws. */
function decode(p: Pkt, data: Uint8Array, origLen: number): string {
  const wireLen = Number.isFinite(origLen) && origLen > data.length
    ? Math.floor(origLen)
    : data.length;
  p.reset(data);
  try {
    ether(p, 0, wireLen);
  } catch (e) {
    if (e instanceof Cut) {
      p.trunc();
      return p.out;
    }
    // Only running out of bytes is expected; anything else is a decoder bug, and a capture line
    // must still come out, so it is shown the same way.
    if (!(e instanceof Truncated)) p.out += " [|decode error]";
    else p.out += ` [|${p.proto}]${p.truncSuffix}`;
    p.gaveUp = true;
  }
  return p.out;
}

/**
 * Decodes the frames of one capture or file in order, as `tcpdump -n` prints them. It keeps what
 * a line depends on beyond its own frame (TCP connections, in a bounded table), and per frame
 * allocates nothing but the text: make one per capture and feed it every frame.
 */
export class Decoder {
  readonly #p: Pkt;
  readonly #clock: TimestampClock;

  constructor(opts: DecoderOptions = {}) {
    const table = opts.absoluteSeq === true
      ? null
      : new TcpSeqTable(opts.connections ?? TCP_SEQ_CONNECTIONS);
    this.#p = newPkt(opts, table);
    this.#clock = new TimestampClock(opts.timestamps, opts.precision);
  }

  /**
   * The timestamp in front of the next packet's line, its separating space included ("" with
   * "none"). Counts as that packet for "delta": call it once per packet.
   */
  timestamp(sec: number, nsec: number): string {
    return this.#clock.next(sec, nsec);
  }

  /** The next packet's whole line: {@link timestamp} and {@link describe}. */
  line(sec: number, nsec: number, data: Uint8Array, origLen: number): string {
    return this.#clock.next(sec, nsec) + decode(this.#p, data, origLen);
  }

  /**
   * Whether the last frame's decode gave up at a read past its captured bytes (as tcpdump's
   * longjmp), for {@link dumpsWholeFrame}'s choice of what -x/-X dump.
   */
  get gaveUp(): boolean {
    return this.#p.gaveUp;
  }

  /**
   * The text of the next frame after its timestamp. `data` is the captured bytes, `origLen` the
   * length on the wire (≥ `data.length`; a smaller value is taken as `data.length`).
   */
  describe(data: Uint8Array, origLen: number): string {
    return decode(this.#p, data, origLen);
  }
}

/**
 * The rest of `tcpdump -n -S`'s line for an Ethernet frame (everything after the timestamp),
 * for a frame on its own: sequence numbers are absolute. `data` is the captured bytes, `origLen`
 * the length on the wire (≥ `data.length`; a smaller value is taken as `data.length`). Never
 * throws.
 */
export function describeFrame(
  data: Uint8Array,
  origLen: number,
  opts: DescribeOptions = {},
): string {
  const p = newPkt(opts, null);
  return decode(p, data, origLen);
}

/** {@link formatTimestamp} + " " + {@link describeFrame}. */
export function formatLine(
  sec: number,
  nsec: number,
  data: Uint8Array,
  origLen: number,
  opts: DescribeOptions = {},
): string {
  return `${formatTimestamp(sec, nsec)} ${describeFrame(data, origLen, opts)}`;
}
