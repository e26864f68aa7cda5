/**
 * Time protocols (tcpdump's print-ntp.c, ntp.c, print-timed.c): NTP on UDP 123 (version, mode,
 * length; -v the stratum, poll, precision, root delay and dispersion, reference id and the
 * four timestamps, or a control message's header) and BSD timed on UDP 525.
 *
 * @module
 */
import type { IpInfo, Pkt } from "./printer.ts";
import { printjnp, printn, tok, toks } from "./text.ts";

const MODES = toks(
  "0=unspecified|1=symmetric active|2=symmetric passive|3=Client|4=Server|5=Broadcast|" +
    "6=Control Message|7=Reserved",
);
const LEAP = toks("0=|64=+1s|128=-1s|192=clock unsynchronized");

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** An NTP timestamp: seconds.nanoseconds and the UTC date (tcpdump's p_ntp_time). */
export function ntpTime(p: Pkt, at: number): string {
  const i = p.u32(at);
  const f = Math.trunc((p.u32(at + 4) / 4294967296) * 1e9);
  let s = `${i}.${String(f).padStart(9, "0")}`;
  if (i) {
    const t = new Date((i - 2208988800) * 1000);
    s += ` (${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())}T${
      two(t.getUTCHours())
    }:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}Z)`;
  }
  return s;
}

/** tcpdump's p_ntp_delta: the signed difference of two timestamps. */
function delta(p: Pkt, old: number, now: number): string {
  const u = p.u32(now);
  const ou = p.u32(old);
  const uf = p.u32(now + 4);
  const ouf = p.u32(old + 4);
  if (ou === 0 && ouf === 0) return ntpTime(p, now);
  let neg: boolean;
  let i: number;
  let f: number;
  if (u > ou) {
    neg = false;
    i = u - ou;
    f = (uf - ouf) >>> 0;
    if (ouf > uf) i = (i - 1) >>> 0;
  } else if (u < ou) {
    neg = true;
    i = ou - u;
    f = (ouf - uf) >>> 0;
    if (uf > ouf) i = (i - 1) >>> 0;
  } else {
    i = 0;
    neg = !(uf > ouf);
    f = neg ? ouf - uf : uf - ouf;
  }
  const ns = Math.trunc((f / 4294967296) * 1e9);
  return `${neg ? "-" : "+"}${i}.${String(ns).padStart(9, "0")}`;
}

/** A 16.16 fixed-point value in six decimals (tcpdump's p_sfix). */
function sfix(p: Pkt, at: number): string {
  const f = Math.trunc((p.u16(at + 2) / 65536) * 1e6);
  return `${p.u16(at)}.${String(f).padStart(6, "0")}`;
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, "0");
}

function timeMessage(p: Pkt, bp: number, length: number): void {
  if (length < 48) {
    p.out += " (invalid)";
    p.check(bp, length);
    return;
  }
  const stratum = p.u8(bp + 1);
  const kind = stratum >= 2 && stratum <= 15 ? "secondary reference" : "reserved";
  p.out += `, Stratum ${stratum} (${
    tok({ 0: "unspecified", 1: "primary reference" }, stratum, kind)
  })`;
  const poll = (p.u8(bp + 2) << 24) >> 24;
  p.out += `, poll ${poll}`;
  if (poll > -32 && poll < 32) p.out += poll >= 0 ? ` (${2 ** poll}s)` : ` (1/${2 ** -poll}s)`;
  p.out += `, precision ${(p.u8(bp + 3) << 24) >> 24}`;
  if (!p.has(bp + 4, 4)) return trunc(p);
  p.out += `\n\tRoot Delay: ${sfix(p, bp + 4)}`;
  if (!p.has(bp + 8, 4)) return trunc(p);
  p.out += `, Root dispersion: ${sfix(p, bp + 8)}`;
  if (!p.has(bp + 12, 4)) return trunc(p);
  p.out += ", Reference-ID: ";
  switch (stratum) {
    case 0:
      p.out += "(unspec)";
      break;
    case 1:
      if (printn(p, bp + 12, 4)) return trunc(p);
      break;
    case 62:
    case 63:
      p.out += `${p.ip4(bp + 12)} ${stratum === 62 ? "INFO_QUERY" : "INFO_REPLY"}`;
      return;
    default:
      p.out += `0x${hex8(p.u32(bp + 12))}`;
  }
  const stamps = [
    "\n\t  Reference Timestamp:  ",
    "\n\t  Originator Timestamp: ",
    "\n\t  Receive Timestamp:    ",
    "\n\t  Transmit Timestamp:   ",
  ];
  for (let k = 0; k < 4; k++) {
    if (!p.has(bp + 16 + 8 * k, 8)) return trunc(p);
    p.out += stamps[k] + ntpTime(p, bp + 16 + 8 * k);
  }
  p.out += `\n\t    Originator - Receive Timestamp:  ${delta(p, bp + 24, bp + 32)}`;
  p.out += `\n\t    Originator - Transmit Timestamp: ${delta(p, bp + 24, bp + 40)}`;
  if (length === 52) {
    p.out += `\n\tKey id: ${p.u32(bp + 48)}`;
  } else if (length === 68 || length === 72) {
    p.out += `\n\tKey id: ${p.u32(bp + 48)}`;
    const words = length === 68 ? 4 : 5;
    if (!p.has(bp + 52, words * 4)) return trunc(p);
    p.out += "\n\tAuthentication: ";
    for (let k = 0; k < words; k++) p.out += hex8(p.u32(bp + 52 + 4 * k));
  } else if (length > 48) {
    p.out += `\n\t(${length - 48} more bytes after the header)`;
  }
}

function trunc(p: Pkt): void {
  p.out += " [|ntp]";
}

function controlMessage(p: Pkt, bp: number, length: number): void {
  if (length < 12) {
    p.out += " (invalid)";
    p.check(bp, length);
    return;
  }
  const c = p.u8(bp + 1);
  p.out += `, ${c & 0x80 ? "Response" : "Request"}, ${c & 0x40 ? "Error" : "OK"}, ` +
    `${c & 0x20 ? "More" : "Last"}, OpCode=${c & 0x1f}\n`;
  p.out += `\tSequence=${p.u16(bp + 2)}`;
  const status = p.u16(bp + 4);
  p.out += `, Status=${status ? `0x${status.toString(16)}` : "0"}`;
  p.out += `, Assoc.=${p.u16(bp + 6)}`;
  p.out += `, Offset=${p.u16(bp + 8)}`;
  const count = p.u16(bp + 10);
  p.out += `, Count=${count}`;
  if (12 + count > length) {
    p.out += " (invalid)";
    p.check(bp, length);
    return;
  }
  if (count !== 0) {
    if (!p.has(bp + 12, count)) return trunc(p);
    p.out += "\n\tTO-BE-DONE: data not interpreted";
  }
}

/** UDP 123. */
export function ntp(p: Pkt, bp: number, length: number, _info: IpInfo): void {
  p.proto = "ntp";
  const status = p.u8(bp);
  const mode = status & 7;
  p.out += `NTPv${(status & 0x38) >> 3}, ${tok(MODES, mode, "Unknown mode")}, length ${length}`;
  if (!p.verbose) return;
  const leap = status & 0xc0;
  p.out += `\n\tLeap indicator: ${tok(LEAP, leap, "Unknown")} (${leap})`;
  if (mode <= 5) timeMessage(p, bp, length);
  else if (mode === 6) controlMessage(p, bp, length);
}

const TSP_TYPES = (
  "TSP_ANY|TSP_ADJTIME|TSP_ACK|TSP_MASTERREQ|TSP_MASTERACK|TSP_SETTIME|TSP_MASTERUP|" +
  "TSP_SLAVEUP|TSP_ELECTION|TSP_ACCEPT|TSP_REFUSE|TSP_CONFLICT|TSP_RESOLVE|TSP_QUIT|" +
  "TSP_DATE|TSP_DATEREQ|TSP_DATEACK|TSP_TRACEON|TSP_TRACEOFF|TSP_MSITE|TSP_MSITEREQ|TSP_TEST|" +
  "TSP_SETDATE|TSP_SETDATEREQ|TSP_LOOP"
).split("|");

/** BSD timed on UDP 525 (tcpdump's timed_print). */
export function timed(p: Pkt, bp: number, _length: number, _info: IpInfo): void {
  p.proto = "timed";
  const type = p.u8(bp);
  p.out += TSP_TYPES[type] ?? `(tsp_type ${type ? `0x${type.toString(16)}` : "0"})`;
  p.out += ` vers ${p.u8(bp + 1)}`;
  p.out += ` seq ${p.u16(bp + 2)}`;
  if (type === 24) {
    p.out += ` hopcnt ${p.u8(bp + 4)}`;
  } else if (type === 1 || type === 5 || type === 22 || type === 23) {
    let sec = p.u32(bp + 4) | 0;
    let usec = p.u32(bp + 8) | 0;
    if (usec < 0) return;
    p.out += " time ";
    if (sec < 0 && usec !== 0) {
      sec++;
      if (sec === 0) p.out += "-";
      usec = 1000000 - usec;
    }
    p.out += `${sec}.${String(usec).padStart(6, "0")}`;
  }
  p.out += " name ";
  printjnp(p, bp + 12, 256);
}
