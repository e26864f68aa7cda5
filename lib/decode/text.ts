/**
 * The text helpers tcpdump's application printers share (its util-print.c): strings from the
 * packet with unprintable bytes escaped, token tables, relative times, and the line printer of
 * text protocols (HTTP, FTP, SIP...). Each appends to `p.out` and reads through Pkt's
 * bounds-checked reads, so running out of bytes ends the line as tcpdump's GET_ macros do.
 *
 * @module
 */
import type { Pkt } from "./printer.ts";

/** A value-to-name table (tcpdump's struct tok). */
export type Tok = Record<number, string>;

/** tcpdump's fn_print_char: ASCII printable as is, else `M-` for the high bit, `^` + char. */
export function charText(c: number): string {
  let s = "";
  if (c > 0x7f) {
    c &= 0x7f;
    s = "M-";
  }
  if (c < 0x20 || c === 0x7f) return `${s}^${String.fromCharCode(c ^ 0x40)}`;
  return s + String.fromCharCode(c);
}

/**
 * tcpdump's nd_printn: `n` bytes at `off` as text, stopping at the end of the capture (when
 * `stop`). Returns true when it stopped short.
 */
export function printn(p: Pkt, off: number, n: number, stop = true): boolean {
  while (n > 0 && (!stop || off < p.end)) {
    n--;
    p.out += charText(p.u8(off++));
  }
  return n !== 0;
}

/** tcpdump's nd_printjnp: at most `n` bytes at `off`, up to a NUL; a cut ends the line. */
export function printjnp(p: Pkt, off: number, n: number): void {
  while (n > 0) {
    const c = p.u8(off);
    if (c === 0) break;
    p.out += charText(c);
    n--;
    off++;
  }
}

/**
 * tcpdump's nd_printztn: a NUL-terminated string in at most `n` bytes at `off`, stopping at the
 * end of the capture. Returns the bytes used with the NUL, or 0 when no NUL came first.
 */
export function printztn(p: Pkt, off: number, n: number): number {
  let bytes = 0;
  for (;;) {
    if (n === 0 || off >= p.end) return 0;
    const c = p.u8(off++);
    bytes++;
    n--;
    if (c === 0) return bytes;
    p.out += charText(c);
  }
}

/**
 * A table from its compact text `"1=A|2=NS|0x10=TXT"` (numbers in decimal or hex), the form
 * long tables are written in here.
 */
export function toks(spec: string): Tok {
  const t: Tok = {};
  for (const e of spec.split("|")) {
    const eq = e.indexOf("=");
    t[Number(e.slice(0, eq))] = e.slice(eq + 1);
  }
  return t;
}

/** {@link toks} for {@link bitTok}: `"0x80=managed|0x40=other stateful"`, order kept. */
export function bitToks(spec: string): BitTok {
  return spec.split("|").map((e) => {
    const eq = e.indexOf("=");
    return [Number(e.slice(0, eq)), e.slice(eq + 1)] as const;
  });
}

/** tcpdump's tok2str: the name of `v`, or `fmt` with `%u`/`%d`/`%x`... replaced by `v`. */
export function tok(table: Tok, v: number, fmt: string): string {
  return table[v] ?? fmtNumber(fmt, v);
}

/** Replaces the first printf conversion in `fmt` by `v` (`%u`, `%d`, `%x`, `%02x`, `%04x`). */
export function fmtNumber(fmt: string, v: number): string {
  return fmt.replace(/%(0?\d*)(u|d|x|X)/, (_m, width: string, conv: string) => {
    let s = conv === "x" ? v.toString(16) : conv === "X" ? v.toString(16).toUpperCase() : `${v}`;
    if (width !== "") s = s.padStart(Number(width), width.startsWith("0") ? "0" : " ");
    return s;
  });
}

/** Bits and their names in tcpdump's order (its struct tok for bittok2str). */
export type BitTok = readonly (readonly [number, string])[];

/**
 * tcpdump's bittok2str (separator ", ") and bittok2str_nosep (""): the names of the bit
 * masks wholly set in `v`, in table order, or `none` (a printf format of `v`) when none is.
 */
export function bitTok(table: BitTok, v: number, none: string, sep = ", "): string {
  let s = "";
  let any = false;
  for (const [bits, name] of table) {
    if (bits !== 0 && (v & bits) >>> 0 === bits >>> 0) {
      s += (any ? sep : "") + name;
      any = true;
    }
  }
  return any ? s : fmtNumber(none, v);
}

const RELTS_UNITS = ["y", "w", "d", "h", "m", "s"];
const RELTS_SECONDS = [31536000, 604800, 86400, 3600, 60, 1];

/** tcpdump's unsigned_relts_print: `1h2m3s`, `0s`. */
export function relts(secs: number): string {
  if (secs === 0) return "0s";
  let s = "";
  for (let i = 0; i < 6 && secs > 0; i++) {
    if (secs >= RELTS_SECONDS[i]) {
      s += `${Math.floor(secs / RELTS_SECONDS[i])}${RELTS_UNITS[i]}`;
      secs %= RELTS_SECONDS[i];
    }
  }
  return s;
}

/** tcpdump's signed_relts_print. */
export function signedRelts(secs: number): string {
  return secs < 0 ? `-${relts(-secs)}` : relts(secs);
}

/** A printable ASCII byte (tcpdump's ND_ASCII_ISPRINT: 0x20..0x7e). */
function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/**
 * tcpdump's fetch_token: the token at `idx` (printable ASCII up to white space), into
 * `tokenOut[0]`, and the index past it and the blanks after it; 0 when there is none.
 */
function fetchToken(p: Pkt, off: number, idx: number, len: number, tokenOut: string[]): number {
  let t = "";
  for (; idx < len; idx++) {
    if (!p.has(off + idx, 1)) return 0;
    const c = p.d[off + idx];
    if (c > 0x7f) return 0;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) return 0;
    if (t.length + 2 > 129) return 0;
    t += String.fromCharCode(c);
  }
  if (t === "") return 0;
  tokenOut[0] = t;
  for (; idx < len; idx++) {
    if (!p.has(off + idx, 1)) break;
    const c = p.d[off + idx];
    if (c === 0x0d || c === 0x0a || !isPrint(c)) break;
    if (c !== 0x20 && c !== 0x09) break;
  }
  return idx;
}

/**
 * tcpdump's print_txt_line: the line at `idx` after `prefix` when it is printable text ending
 * in LF or CR-LF; returns the index after it, or 0 (binary, or no line end: then a printable
 * tail is printed and marked truncated).
 */
function txtLine(p: Pkt, prefix: string, off: number, idx: number, len: number): number {
  const start = idx;
  while (idx < len) {
    const c = p.u8(off + idx);
    if (c === 0x0a) {
      p.out += prefix + latin1(p.d, off + start, off + idx);
      return idx + 1;
    }
    if (c === 0x0d) {
      if (idx + 1 >= len) return 0;
      if (p.u8(off + idx + 1) !== 0x0a) return 0;
      p.out += prefix + latin1(p.d, off + start, off + idx);
      return idx + 2;
    }
    if (!isPrint(c) && c !== 0x09) return 0;
    idx++;
  }
  p.out += `${prefix}${latin1(p.d, off + start, off + idx)} [|${p.proto}]`;
  return 0;
}

/** Bytes [from, to) as one char each (they are printable ASCII here). */
export function latin1(d: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += String.fromCharCode(d[i]);
  return s;
}

/** txtproto: the response code is the second token (RTSP/HTTP/SIP status lines). */
export const RESP_CODE_SECOND_TOKEN = 1;

/**
 * tcpdump's txtproto_print for a text protocol named `p.proto` (printed in capitals): with
 * `cmds`, only a payload starting with one of them or a 3-digit response code is printed;
 * without -v its first line (`: GET / HTTP/1.1`), with -v `, length: N` and every text line.
 */
export function txtproto(
  p: Pkt,
  off: number,
  len: number,
  cmds: readonly string[] | null,
  flags = 0,
): void {
  let printThis = cmds === null;
  if (cmds !== null) {
    const t = [""];
    let idx = fetchToken(p, off, 0, len, t);
    if (idx !== 0) {
      const up = t[0].toUpperCase();
      if (cmds.includes(up)) printThis = true;
      if (flags & RESP_CODE_SECOND_TOKEN) idx = fetchToken(p, off, idx, len, t);
      if (idx !== 0 && /^\d\d\d$/.test(t[0])) printThis = true;
    }
  }
  p.out += p.proto.toUpperCase();
  if (!printThis) return;
  if (p.verbose) {
    p.out += `, length: ${len}`;
    for (let idx = 0; idx < len;) {
      const eol = txtLine(p, "\n\t", off, idx, len);
      if (eol === 0) break;
      idx = eol;
    }
  } else {
    txtLine(p, ": ", off, 0, len);
  }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * A time in seconds since the epoch as local time, strftime's `%Y{sep}%m{sep}%d %H:%M:%S`
 * (tcpdump prints dates of AFS, NTP... this way, in the local time zone).
 */
export function localTime(secs: number, sep = "-"): string {
  const t = new Date(secs * 1000);
  return `${t.getFullYear()}${sep}${two(t.getMonth() + 1)}${sep}${two(t.getDate())} ` +
    `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
}
