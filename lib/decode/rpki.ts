/**
 * The RPKI-to-router protocol (TCP port 323; tcpdump's print-rpki-rtr.c, RFC 6810): ",
 * RPKI-RTR" after the TCP summary, and at -v every PDU (serial notify and query, cache
 * response, IPv4 and IPv6 prefixes, end of data, error reports with the PDU they quote).
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { printn } from "./text.ts";
import { unknownData } from "./tlv.ts";

const PDUS: Record<number, string> = {
  0: "Serial Notify",
  1: "Serial Query",
  2: "Reset Query",
  3: "Cache Response",
  4: "IPV4 Prefix",
  6: "IPV6 Prefix",
  7: "End of Data",
  8: "Cache Reset",
  10: "Error Report",
};
const ERRORS = [
  "Corrupt Data",
  "Internal Error",
  "No Data Available",
  "Invalid Request",
  "Unsupported Protocol Version",
  "Unsupported PDU Type",
  "Withdrawal of Unknown Record",
  "Duplicate Announcement Received",
];

/** tcpdump's indent_string: a newline, a tab per 8 columns, a space per other column. */
function indent(n: number): string {
  return "\n" + "\t".repeat(n >> 3) + " ".repeat(n & 7);
}

/** RPKI-RTR on TCP port 323 (tcpdump's rpki_rtr_print). */
export function rpkiRtr(p: Pkt, off: number, len: number): void {
  p.proto = "rpki_rtr";
  if (!p.verbose) {
    p.out += ", RPKI-RTR";
    return;
  }
  while (len) {
    const used = pdu(p, off, len, true, 8);
    len -= used;
    off += used;
  }
}

/** One PDU: the bytes it takes (tcpdump's rpki_rtr_pdu_print). */
function pdu(p: Pkt, t: number, len: number, recurse: boolean, ind: number): number {
  const version = p.u8(t);
  if (version !== 0) {
    p.out += `${indent(8)}RPKI-RTRv${version} (unknown)`;
    return len;
  }
  const invalid = (): number => {
    p.out += " (invalid)";
    p.need(t, len);
    return len;
  };
  if (len < 8) {
    p.out += `(${len} bytes is too few to decode)`;
    return invalid();
  }
  p.need(t, 8);
  const type = p.d[t + 1];
  const pduLen = p.u32(t + 4);
  p.out += `${indent(8)}RPKI-RTRv${version}, ${
    PDUS[type] ?? "Unknown"
  } PDU (${type}), length: ${pduLen}`;
  if (pduLen < 8 || pduLen > len) return invalid();
  let hexdump = false;
  switch (type) {
    case 0:
    case 1:
    case 7:
      if (pduLen !== 12) return invalid();
      p.out += `${indent(ind + 2)}Session ID: 0x${
        p.u16(t + 2).toString(16).padStart(4, "0")
      }, Serial: ${p.u32(t + 8)}`;
      break;
    case 2:
    case 8:
      if (pduLen !== 8) return invalid();
      break;
    case 3:
      if (pduLen !== 8) return invalid();
      p.out += `${indent(ind + 2)}Session ID: 0x${p.u16(t + 2).toString(16).padStart(4, "0")}`;
      break;
    case 4:
    case 6: {
      const v6 = type === 6;
      if (pduLen !== (v6 ? 32 : 20)) return invalid();
      const a = v6 ? p.ip6(t + 12) : p.ip4(t + 12);
      p.out += `${indent(ind + 2)}IPv${v6 ? 6 : 4} Prefix ${a}/${p.u8(t + 9)}-${
        p.u8(t + 10)
      }, origin-as ${p.u32(t + (v6 ? 28 : 16))}, flags 0x${
        p.u8(t + 8).toString(16).padStart(2, "0")
      }`;
      break;
    }
    case 10: {
      let tlen = 8;
      if (pduLen < tlen + 4) return invalid();
      p.need(t, tlen + 4);
      const encLen = p.u32(t + 8);
      tlen += 4;
      const code = p.u16(t + 2);
      p.out += `${indent(ind + 2)}Error code: ${
        ERRORS[code] ?? "Unknown"
      } (${code}), Encapsulated PDU length: ${encLen}`;
      if (encLen) {
        if (pduLen < tlen + encLen) return invalid();
        if (!recurse) {
          p.need(t, tlen + encLen);
        } else {
          p.out += `${indent(ind + 4)}-----encapsulated PDU-----`;
          pdu(p, t + tlen, encLen, false, ind + 2);
        }
        tlen += encLen;
      }
      if (pduLen < tlen + 4) return invalid();
      p.need(t, tlen + 4);
      const textLen = p.u32(t + tlen);
      tlen += 4;
      if (textLen) {
        if (pduLen < tlen + textLen) return invalid();
        p.out += `${indent(ind + 2)}Error text: `;
        printn(p, t + tlen, textLen, false);
      }
      break;
    }
    default:
      p.need(t, pduLen);
      hexdump = true;
  }
  if (p.verbosity > 1 || hexdump) unknownData(p, t, pduLen, "\n\t  ");
  return pduLen;
}
