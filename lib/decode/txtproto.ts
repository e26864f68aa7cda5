/**
 * Text protocols as tcpdump prints them (print-http.c, print-ftp.c, print-smtp.c,
 * print-whois.c, print-rtsp.c, print-sip.c with util-print.c's txtproto_print, and
 * print-ssh.c): the protocol's name and first line (`HTTP: GET / HTTP/1.1`), with -v every text
 * line; SSH's version banner.
 *
 * @module
 */
import type { IpInfo, Pkt } from "./printer.ts";
import { latin1, RESP_CODE_SECOND_TOKEN, txtproto } from "./text.ts";

const HTTP_CMDS = (
  "GET|PUT|COPY|HEAD|LOCK|MOVE|POLL|POST|BCOPY|BMOVE|MKCOL|TRACE|LABEL|MERGE|DELETE|SEARCH|" +
  "UNLOCK|REPORT|UPDATE|NOTIFY|BDELETE|CONNECT|OPTIONS|CHECKIN|PROPFIND|CHECKOUT|CCM_POST|" +
  "SUBSCRIBE|PROPPATCH|BPROPFIND|BPROPPATCH|UNCHECKOUT|MKACTIVITY|MKWORKSPACE|UNSUBSCRIBE|" +
  "RPC_CONNECT|VERSION-CONTROL|BASELINE-CONTROL"
).split("|");
const RTSP_CMDS = (
  "DESCRIBE|ANNOUNCE|GET_PARAMETER|OPTIONS|PAUSE|PLAY|RECORD|REDIRECT|SETUP|SET_PARAMETER|" +
  "TEARDOWN"
).split("|");
const SIP_CMDS = (
  "ACK|BYE|CANCEL|DO|INFO|INVITE|MESSAGE|NOTIFY|OPTIONS|PRACK|QAUTH|REFER|REGISTER|SPRACK|" +
  "SUBSCRIBE|UPDATE|PUBLISH"
).split("|");

/** TCP 80 and 8080. */
export function http(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.out += ": ";
  p.proto = "http";
  txtproto(p, off, len, HTTP_CMDS, RESP_CODE_SECOND_TOKEN);
}

/** TCP 554 and 8554. */
export function rtsp(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.out += ": ";
  p.proto = "rtsp";
  txtproto(p, off, len, RTSP_CMDS, RESP_CODE_SECOND_TOKEN);
}

/** TCP 21. */
export function ftp(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.out += ": ";
  p.proto = "ftp";
  txtproto(p, off, len, null);
}

/** TCP 25. */
export function smtp(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.out += ": ";
  p.proto = "smtp";
  txtproto(p, off, len, null);
}

/** TCP 43. */
export function whois(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.out += ": ";
  p.proto = "whois";
  txtproto(p, off, len, null);
}

/** UDP 5060. */
export function sip(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.proto = "sip";
  txtproto(p, off, len, SIP_CMDS, RESP_CODE_SECOND_TOKEN);
}

/** TCP 22: the version banner (`: SSH: SSH-2.0-OpenSSH_9.6`), else nothing. */
export function ssh(p: Pkt, off: number, len: number, _info: IpInfo): void {
  p.proto = "ssh";
  for (let i = 0; i < 4; i++) if (p.u8(off + i) !== "SSH-".charCodeAt(i)) return;
  for (let idx = 4; idx < len; idx++) {
    const c = p.u8(off + idx);
    if (c === 0x0a || (c === 0x0d && idx + 1 < len && p.u8(off + idx + 1) === 0x0a)) {
      p.out += `: SSH: ${latin1(p.d, off, off + idx)}`;
      return;
    }
    if (c === 0x0d || c < 0x20 || c > 0x7e) return;
  }
}
