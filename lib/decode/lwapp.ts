/**
 * LWAPP (tcpdump's print-lwapp.c): control messages on UDP 12223 (with the AP's identity when
 * sent to the controller) and data on UDP 12222: the transport header, with -v its fields and
 * each control message's header, or the data in hex.
 *
 * @module
 */
import { hexBytes, type IpInfo, type Pkt } from "./printer.ts";
import { bitTok, bitToks, tok, toks } from "./text.ts";

const BITS = bitToks("0x01=Last Fragment Bit|0x02=Fragment Bit|0x04=Control Bit");
const MESSAGES = toks(
  "1=Discovery req|2=Discovery resp|3=Join req|4=Join resp|5=Join ack|6=Join confirm|" +
    "10=Configure req|11=Configure resp|12=Update req|13=Update resp|14=WTP event req|" +
    "15=WTP event resp|16=Change state event req|17=Change state event resp|22=Echo req|" +
    "23=Echo resp|24=Image data req|25=Image data resp|26=Channel status req|" +
    "27=Channel status resp|30=Key update req|31=Key update resp|32=Primary discovery req|" +
    "33=Primary discovery resp|34=Data transfer req|35=Data transfer resp|" +
    "36=Clear config ind|37=Wlan config req|38=Wlan config resp|39=Mobile config req|" +
    "40=Mobile config resp",
);

/** The transport header's version byte; false when the version is not 0 (said so). */
function version(p: Pkt, at: number): number {
  const v = p.u8(at);
  if (v >> 6 !== 0) p.out += `LWAPP version ${v >> 6} packet not supported`;
  return v;
}

function kind(v: number): string {
  return v & 0x04 ? "Control" : "Data";
}

function control(p: Pkt, bp: number, len: number, apIdent: boolean): void {
  p.proto = "lwapp_control";
  if (apIdent) p.check(bp, 6);
  const th = apIdent ? bp + 6 : bp;
  p.check(th, 6);
  const v = version(p, th);
  if (v >> 6 !== 0) return;
  const flags = bitTok(BITS, v & 7, "none");
  if (!p.verbose) {
    p.out += `LWAPPv0, ${kind(v)} frame, Flags [${flags}], length ${len}`;
    return;
  }
  let tlen = p.u16(th + 2);
  p.out += `LWAPPv0, ${kind(v)} frame, Radio-id ${(v & 0x38) >> 3}, Flags [${flags}], Frag-id ${
    p.u8(th + 1)
  }, length ${tlen}`;
  if (apIdent) p.out += `\n\tAP identity: ${hexBytes(p.d, bp, 6, ":")}`;
  let at = th + 6;
  while (tlen !== 0) {
    p.check(at, 8);
    const mlen = p.u16(at + 2);
    if (tlen < 8 || tlen < 8 + mlen) {
      p.out += "\n\t  Msg goes past end of PDU";
      break;
    }
    const type = p.u8(at);
    p.out += `\n\t  Msg type: ${tok(MESSAGES, type, "Unknown")} (${type}), Seqnum: ${
      p.u8(at + 1)
    }, Msg len: ${mlen}, Session: 0x${p.u32(at + 4).toString(16).padStart(8, "0")}`;
    p.check(at, mlen);
    at += 8 + mlen;
    tlen -= 8 + mlen;
  }
}

/** UDP 12223 as destination: from the AP, with its identity. */
export function lwappToController(p: Pkt, bp: number, len: number, _info: IpInfo): void {
  control(p, bp, len, true);
}

/** UDP 12223 as source. */
export function lwappFromController(p: Pkt, bp: number, len: number, _info: IpInfo): void {
  control(p, bp, len, false);
}

/** UDP 12222. */
export function lwappData(p: Pkt, bp: number, len: number, _info: IpInfo): void {
  p.proto = "lwapp_data";
  p.check(bp, 6);
  const v = version(p, bp);
  if (v >> 6 !== 0) return;
  const flags = bitTok(BITS, v & 7, "none");
  if (!p.verbose) {
    p.out += `LWAPPv0, ${kind(v)} frame, Flags [${flags}], length ${len}`;
    return;
  }
  const tlen = p.u16(bp + 2);
  const head = `LWAPPv0, ${kind(v)} frame, Radio-id  ${(v & 0x38) >> 3}, Flags [${flags}]`;
  if (tlen < 6) {
    p.out += `${head}, length ${tlen} < transport header length`;
    return;
  }
  p.out += `${head}, Frag-id  ${p.u8(bp + 1)}, length ${tlen}`;
  p.unknownData(bp + 6, tlen - 6);
}
