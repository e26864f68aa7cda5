/**
 * tcpdump's hex dumps (-x, -xx, -X, -XX) of a packet, as the lines that follow its one-line
 * decode: `\n\t0x0000:  4500 0054 ...` (16 bytes a line, in pairs), with -X also the bytes as
 * ASCII (printable 0x21..0x7e, else "."), the hex padded so the ASCII column lines up; and its
 * ASCII dump (-A, -AA), the bytes as text.
 *
 * -x and -X leave out the link-level header, which for Ethernet is the 14-byte header, every
 * VLAN tag, and for 802.3 frames the LLC header (and SNAP), as tcpdump counts it; -xx and -XX
 * dump every captured byte. Padding after the IP datagram is part of the dump, as in tcpdump.
 *
 * @module
 */

/** -x (1), -xx (2), -X (1), -XX (2): what to dump. */
export interface HexOptions {
  /** 0 none, 1 without the link-level header, 2 with it. */
  level: number;
  /** Add the ASCII column (-X). */
  ascii: boolean;
}

const BYTES_PER_LINE = 16;
/** Width of a full line of hex: 8 groups of " xxxx". */
const HEX_WIDTH = 40;

function hex2(n: number): string {
  return (n < 16 ? "0" : "") + n.toString(16);
}

function isVlanType(t: number): boolean {
  return t === 0x8100 || t === 0x88a8 || t === 0x9100 || t === 0x9200;
}

/**
 * Length of the link-level header tcpdump skips for -x/-X in an Ethernet frame: 14 bytes, 4 per
 * VLAN tag, and for an 802.3 (length) frame its LLC header: 3 bytes (U format) or 4, or 8 with
 * a SNAP header. A frame too short for its header gives its captured length (nothing to dump).
 */
export function linkHeaderLength(data: Uint8Array): number {
  if (data.length < 14) return data.length;
  let off = 12;
  let type = (data[off] << 8) | data[off + 1];
  off += 2;
  if (type === 0x88e5) {
    const end = macsecHeaderLength(data, off);
    if (end < 0) return -end; // tcpdump stops after the SecTAG
    off = end;
    if (off >= data.length) return data.length;
    type = (data[off] << 8) | data[off + 1];
    off += 2;
  }
  while (isVlanType(type)) {
    if (data.length < off + 4) return data.length;
    type = (data[off + 2] << 8) | data[off + 3];
    off += 4;
  }
  // An LLC header follows an 802.3 length, and the "jumbo" type (0x8870).
  if (type > 1500 && type !== 0x8870) return off;
  const caplen = type > 1500 ? data.length - off : Math.min(type, data.length - off);
  const length = type > 1500 ? caplen : type;
  // A cut LLC header: tcpdump counts what there is of it (of the length, when that is less).
  if (caplen < 3) return off + caplen;
  if (length < 3) return off + length;
  // DSAP, SSAP, control (1 byte for U format, else 2), checked in tcpdump's order.
  const dsap = data[off];
  const ssap = data[off + 1];
  const control = data[off + 2];
  const u = (control & 3) === 3;
  if (!u && caplen < 4) return off + caplen;
  if (!u && length < 4) return off + length;
  // Novell "raw" 802.3 carries IPX right after the length: no LLC header.
  if (dsap === 0xff && ssap === 0xff) return off;
  if (!u) return off + 4;
  if (dsap === 0xaa && ssap === 0xaa && control === 0x03) return Math.min(data.length, off + 8);
  return off + 3;
}

/**
 * Where tcpdump's link-level header ends after a MACsec SecTAG at `off`: at the type field that
 * follows a cleartext payload, past the SecTAG of an encrypted one (negated: there it stops), or
 * (a SecTAG cut short or malformed) at the end of the capture, where tcpdump dumps nothing.
 */
function macsecHeaderLength(data: Uint8Array, off: number): number {
  const caplen = data.length - off;
  if (caplen < 6) return data.length;
  const tci = data[off];
  const tag = tci & 0x20 ? 14 : 6;
  if (caplen < tag || (data[off + 1] & 0xc0) !== 0 || tci & 0x80) return data.length;
  if (tci & 0x0c) return -(off + tag);
  const sl = data[off + 1] & 0x3f;
  const left = caplen - tag - 16;
  if (left < 0 || sl > left) return data.length;
  // Without room for the next type field tcpdump stops there ("[caplen 1 < 2]").
  return (sl !== 0 ? sl : left) < 2 ? -(off + tag) : off + tag;
}

/** -x: the hex lines of `data[from..]`, offsets counted from 0, each starting with `indent`. */
export function hexLines(data: Uint8Array, from = 0, indent = "\n\t"): string {
  let out = "";
  const n = data.length - from;
  for (let line = 0; line < n; line += BYTES_PER_LINE) {
    out += indent + "0x" + line.toString(16).padStart(4, "0") + ": ";
    const end = Math.min(n, line + BYTES_PER_LINE);
    for (let i = line; i < end; i += 2) {
      out += " " + hex2(data[from + i]);
      if (i + 1 < end) out += hex2(data[from + i + 1]);
    }
  }
  return out;
}

/** -X: hex and ASCII lines of `data[from..]`, offsets counted from 0, each starting `indent`. */
export function hexAsciiLines(data: Uint8Array, from = 0, indent = "\n\t"): string {
  let out = "";
  const n = data.length - from;
  for (let line = 0; line < n; line += BYTES_PER_LINE) {
    const end = Math.min(n, line + BYTES_PER_LINE);
    let hex = "";
    let ascii = "";
    for (let i = line; i < end; i += 2) {
      const a = data[from + i];
      hex += " " + hex2(a);
      ascii += a > 0x20 && a < 0x7f ? String.fromCharCode(a) : ".";
      if (i + 1 < end) {
        const b = data[from + i + 1];
        hex += hex2(b);
        ascii += b > 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
      }
    }
    out += indent + "0x" + line.toString(16).padStart(4, "0") + ": " + hex.padEnd(HEX_WIDTH) +
      "  " +
      ascii;
  }
  return out;
}

/**
 * The dump tcpdump prints after a packet's line for -x/-xx/-X/-XX (empty for level 0, and for
 * -x/-X when nothing follows the link-level header). `truncated`: the decode ran out of bytes
 * (its line ends in ` [|proto]`); tcpdump then dumps the whole frame even for -x/-X.
 */
export function hexDump(data: Uint8Array, opts: HexOptions, truncated = false): string {
  if (opts.level <= 0) return "";
  const from = opts.level >= 2 || truncated ? 0 : linkHeaderLength(data);
  if (from >= data.length) return "";
  return opts.ascii ? hexAsciiLines(data, from) : hexLines(data, from);
}

/**
 * -A/-AA: the packet as text after its line, as tcpdump's ascii_print: a newline, then each byte
 * as itself when printable (0x21..0x7e), a tab, space or newline, else "."; a carriage return
 * is left out before a newline and at the end (the last byte or the one before it), "." elsewhere.
 * Level 1 leaves out the link-level header (whole frame when `truncated`, as hexDump); empty
 * when nothing follows the header.
 */
export function asciiDump(data: Uint8Array, level: number, truncated = false): string {
  if (level <= 0) return "";
  const from = level >= 2 || truncated ? 0 : linkHeaderLength(data);
  if (from >= data.length) return "";
  let out = "\n";
  for (let i = from; i < data.length; i++) {
    const c = data[i];
    if (c === 0x0d) {
      // tcpdump: "." only when more than one byte follows and the next is no newline.
      if (data.length - i - 1 > 1 && data[i + 1] !== 0x0a) out += ".";
    } else {
      out += (c > 0x20 && c < 0x7f) || c === 0x09 || c === 0x20 || c === 0x0a
        ? String.fromCharCode(c)
        : ".";
    }
  }
  return out;
}

/**
 * Whether tcpdump dumps the whole frame for -x/-X after this decoded line. When one of its
 * printers gives up on a packet by a bounds-checked read (the packet "longjmps out"), tcpdump
 * no longer knows the link header's length and dumps everything; where a printer checks the
 * length itself and ends the line, it skips the link header as usual. Which of the two happened
 * is judged from where our line ran out (` [|proto]`), as measured against tcpdump 4.99 on 60000
 * cut corpus frames: ARP, IPv6 extension headers, ICMP, ICMPv6 and TCP option lists give up,
 * a cut Ethernet, VLAN, IPv4 or IPv6 header, UDP header or TCP header does not. For the other
 * protocols, `gaveUp` (the Decoder's) says it when given: their printers tell a read
 * past the end from a check of their own, as tcpdump's do.
 */
export function dumpsWholeFrame(line: string, data?: Uint8Array, gaveUp?: boolean): boolean {
  const m = / \[\|([a-z0-9_]+)\]>?$/.exec(line);
  if (!m) return false;
  switch (m[1]) {
    case "ether":
      // The type after a MACsec SecTAG, read without a check: tcpdump gives up.
      return data !== undefined && data.length >= 14 && data[12] === 0x88 && data[13] === 0xe5;
    case "vlan":
    case "udp":
    case "hbhopt":
    case "ip6":
    case "macsec":
    // The link-layer printers that mostly end a cut packet with their own mark and return, as
    // measured against tcpdump 4.99 on every cut of the link-layer test frames.
    case "llc":
    case "snap":
    case "isis":
    case "esis":
    case "clnp":
    case "lldp":
    case "eap":
    case "cfm":
    case "mlppp":
      return false;
    case "ip":
      // The version byte itself missing (also of an IPv4 packet inside a tunnel: what the
      // Decoder's gaveUp says), or the header shorter than its length field says.
      if (line.includes("[remaining caplen(")) return true;
      return gaveUp ?? (data !== undefined && data.length <= linkHeaderLength(data));
    case "tcp":
      // An option's kind byte: read without a check. The rest are checked (tcpdump's LENCHECK).
      return /options \[([^\]]*,)? \[\|tcp\]$/.test(line);
    default:
      return gaveUp ?? true;
  }
}
