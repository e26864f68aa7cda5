/**
 * PPPoE (tcpdump's print-pppoe.c): discovery (0x8863) with its tags, and sessions (0x8864) with
 * the PPP frame they carry (ppp.ts).
 *
 * @module
 */
import { ppp } from "./ppp.ts";
import type { Pkt } from "./printer.ts";

const CODES: Record<number, string> = {
  0x09: "PADI",
  0x07: "PADO",
  0x19: "PADR",
  0x65: "PADS",
  0xa7: "PADT",
  0: "",
};
const TAGS: Record<number, string> = {
  0: "EOL",
  0x0101: "Service-Name",
  0x0102: "AC-Name",
  0x0103: "Host-Uniq",
  0x0104: "AC-Cookie",
  0x0105: "Vendor-Specific",
  0x0110: "Relay-Session-ID",
  0x0120: "PPP-Max-Payload",
  0x0201: "Service-Name-Error",
  0x0202: "AC-System-Error",
  0x0203: "Generic-Error",
};
const MAX_TAG_TEXT = 79;

/** A PPPoE packet at `off`, `length` bytes. */
export function pppoe(p: Pkt, off: number, length: number): void {
  p.proto = "pppoe";
  if (length < 6) {
    p.out += ` (length ${length} < 6) (invalid)`;
    return;
  }
  length -= 6;
  p.need(off, 6);
  const first = p.u8(off);
  const code = p.u8(off + 1);
  const session = p.u16(off + 2);
  let plen = p.u16(off + 4);
  if (first >> 4 !== 1) p.out += ` [ver ${first >> 4}]`;
  if ((first & 0x0f) !== 1) p.out += ` [type ${first & 0x0f}]`;
  p.out += `PPPoE ${CODES[code] ?? `PAD-${code.toString(16)}`}`;
  if (code === 0x09 && plen > 1484 - 6) p.out += ` [len ${plen}!]`;
  if (plen > length) {
    p.out += ` [len ${plen} > ${length}!]`;
    plen = length;
  }
  if (session) p.out += ` [ses 0x${session.toString(16)}]`;
  const payload = off + 6;
  if (code === 0) {
    p.out += " ";
    ppp(p, payload, plen);
    return;
  }
  let type = 0xffff;
  for (let at = payload; type && at < payload + plen;) {
    type = p.u16(at);
    const tlen = p.u16(at + 2);
    at += 4;
    const name = TAGS[type] ?? `TAG-0x${type.toString(16)}`;
    if (tlen) tag(p, name, at, tlen);
    else p.out += ` [${name}]`;
    at += tlen;
  }
}

/** A tag's value: as text when mostly printable (at most 79 characters), else in hex. */
function tag(p: Pkt, name: string, at: number, len: number): void {
  p.need(at, len);
  let text = "";
  let ascii = 0;
  for (let i = 0; i < len && i < MAX_TAG_TEXT; i++) {
    const c = p.d[at + i];
    if (c >= 0x20 && c <= 0x7e) {
      text += String.fromCharCode(c);
      ascii++;
    } else {
      text += ".";
    }
  }
  if (ascii > text.length - ascii) {
    p.out += ` [${name} "${text}"]`;
    return;
  }
  p.out += ` [${name} 0x`;
  for (let i = 0; i < len; i++) p.out += p.d[at + i].toString(16).padStart(2, "0").toUpperCase();
  p.out += "]";
}
