/**
 * Small UDP services (tcpdump's print-syslog.c and print-tftp.c): syslog on UDP 514 (facility
 * and severity; -v the message) and TFTP on UDP 69 (the request with file, mode and options,
 * block numbers, errors), SOME/IP on UDP 30490 (print-someip.c: the header's fields).
 *
 * @module
 */
import { CUT, type IpInfo, type Pkt } from "./printer.ts";
import { printn, printztn, tok, toks } from "./text.ts";

const SEVERITIES = toks("0=emergency|1=alert|2=critical|3=error|4=warning|5=notice|6=info|7=debug");
const FACILITIES = toks(
  "0=kernel|1=user|2=mail|3=daemon|4=auth|5=syslog|6=lpr|7=news|8=uucp|9=cron|10=authpriv|" +
    "11=ftp|12=ntp|13=security|14=console|15=cron|16=local0|17=local1|18=local2|19=local3|" +
    "20=local4|21=local5|22=local6|23=local7",
);

/** UDP 514. */
export function syslog(p: Pkt, bp: number, len: number, _info: IpInfo): void {
  p.proto = "syslog";
  if (p.u8(bp) !== 0x3c) {
    p.out += " (invalid)";
    return;
  }
  let off = 1;
  let pri = 0;
  while (off <= 3 && p.u8(bp + off) >= 0x30 && p.u8(bp + off) <= 0x39) {
    pri = pri * 10 + p.u8(bp + off) - 0x30;
    off++;
  }
  if (p.u8(bp + off) !== 0x3e) {
    p.out += " (invalid)";
    return;
  }
  off++;
  const facility = (pri & 0x3f8) >> 3;
  const severity = pri & 7;
  const f = tok(FACILITIES, facility, "unknown (%u)");
  const s = tok(SEVERITIES, severity, "unknown (%u)");
  if (!p.verbose) {
    p.out += `SYSLOG ${f}.${s}, length: ${len}`;
    return;
  }
  p.out += `SYSLOG, length: ${len}\n\tFacility ${f} (${facility}), Severity ${s} (${severity})` +
    "\n\tMsg: ";
  if (len > off) printn(p, bp + off, len - off, false);
  if (p.verbosity > 1) p.unknownData(bp, len, "\n\t");
}

const OPS = toks("1=RRQ|2=WRQ|3=DATA|4=ACK|5=ERROR|6=OACK");
const ERRORS = toks(
  "0=EUNDEF|1=ENOTFOUND|2=EACCESS|3=ENOSPACE|4=EBADOP|5=EBADID|6=EEXISTS|7=ENOUSER",
);

/** UDP 69. */
export function tftp(p: Pkt, bp: number, length: number, _info: IpInfo): void {
  p.proto = "tftp";
  p.out += `TFTP, length ${length}`;
  if (length < 2) throw CUT;
  const op = p.u16(bp);
  p.out += `, ${tok(OPS, op, "tftp-#%u")}`;
  if (op < 1 || op > 6) return;
  bp += 2;
  length -= 2;
  /** A NUL-terminated string; the bytes it took (0: cut, the line ends truncated). */
  const z = () => {
    const n = printztn(p, bp, length);
    if (n === 0) throw CUT;
    bp += n;
    length -= n;
  };
  const options = () => {
    while (length !== 0) {
      if (p.u8(bp) !== 0) p.out += " ";
      z();
    }
  };
  switch (op) {
    case 1:
    case 2: {
      if (length === 0) throw CUT;
      p.out += ' "';
      const n = printztn(p, bp, length);
      p.out += '"';
      if (n === 0) throw CUT;
      bp += n;
      length -= n;
      if (length === 0) throw CUT;
      p.out += " ";
      z();
      options();
      break;
    }
    case 6:
      options();
      break;
    case 3:
    case 4:
      if (length < 2) throw CUT;
      p.out += ` block ${p.u16(bp)}`;
      break;
    case 5: {
      if (length < 2) throw CUT;
      p.out += ` ${tok(ERRORS, p.u16(bp), 'tftp-err-#%u "')}`;
      bp += 2;
      length -= 2;
      if (length === 0) throw CUT;
      p.out += ' "';
      const n = printztn(p, bp, length);
      p.out += '"';
      if (n === 0) throw CUT;
    }
  }
}

const SOMEIP_TYPES = toks(
  "0=REQUEST|1=REQUEST_NO_RETURN|2=NOTIFICATION|128=RESPONSE|129=ERROR|32=TP_REQUEST|" +
    "33=TP_REQUEST_NO_RETURN|34=TP_NOTIFICATION|160=TP_RESPONSE|161=TP_ERROR",
);
const SOMEIP_CODES = toks(
  "0=E_OK|1=E_NOT_OK|2=E_UNKNOWN_SERVICE|3=E_UNKNOWN_METHOD|4=E_NOT_READY|5=E_NOT_REACHABLE|" +
    "6=E_TIMEOUT|7=E_WRONG_PROTOCOL_VERSION|8=E_WRONG_INTERFACE_VERSION|9=E_MALFORMED_MESSAGE|" +
    "10=E_WRONG_MESSAGE_TYPE|11=E_E2E_REPEATED|12=E_E2E_WRONG_SEQUENCE|13=E_E2E|" +
    "14=E_E2E_NOT_AVAILABLE|15=E_E2E_NO_NEW_DATA",
);

/** UDP 30490: the SOME/IP header, whatever the verbosity (tcpdump ends it with a newline). */
export function someip(p: Pkt, bp: number, len: number, _info: IpInfo): void {
  p.proto = "someip";
  p.out += "SOMEIP";
  if (len < 16) {
    p.out += " (invalid)";
    return;
  }
  const id = p.u32(bp);
  p.out += `, service ${id >>> 16}, ${id & 0x8000 ? "event" : "method"} ${id & 0x7fff}`;
  p.out += `, len ${p.u32(bp + 4)}`;
  p.out += `, client ${p.u16(bp + 8)}, session ${p.u16(bp + 10)}`;
  p.out += `, pver ${p.u8(bp + 12)}`;
  p.out += `, iver ${p.u8(bp + 13)}`;
  p.out += `, msgtype ${tok(SOMEIP_TYPES, p.u8(bp + 14), "Unknown")}`;
  p.out += `, retcode ${tok(SOMEIP_CODES, p.u8(bp + 15), "Unknown")}\n`;
}
