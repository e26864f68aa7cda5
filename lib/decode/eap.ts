/**
 * EAP packets (tcpdump's print-eap.c eap_print), as RADIUS's EAP-Message attribute carries
 * them: code, id, length and the request/response type with what tcpdump decodes of it.
 *
 * @module
 */
import { hex2, type Pkt } from "./printer.ts";
import { bitTok, bitToks, printjnp, tok, toks } from "./text.ts";

const CODES = toks("1=Request|2=Response|3=Success|4=Failure");
const TYPES = toks(
  "0=No proposed|1=Identity|2=Notification|3=Nak|4=MD5-challenge|5=OTP|6=GTC|13=TLS|18=SIM|" +
    "21=TTLS|23=AKA|43=FAST|254=Expanded types|255=Experimental",
);
const TLS_FLAGS = bitToks("0x80=L bit|0x40=More fragments bit|0x20=Start bit");
const AKA_SUBTYPES = toks(
  "1=Challenge|2=Auth reject|4=Sync failure|5=Identity|10=Start|11=Challenge|" +
    "12=Notification|13=Reauth|14=Client error",
);

/** The EAP packet at `cp`, `length` bytes by its carrier. */
export function eap(p: Pkt, cp: number, length: number): void {
  const code = p.u8(cp);
  const len = p.u16(cp + 2);
  if (len !== length) {
    p.out += "EAP fragment?";
    return;
  }
  p.out += `${tok(CODES, code, "unknown")} (${code}), id ${p.u8(cp + 1)}, len ${len}`;
  if (len < 4) {
    p.out += " (too short for EAP header)";
    return;
  }
  if (!p.has(cp, len)) {
    p.trunc();
    return;
  }
  if (code !== 1 && code !== 2) return;
  if (len < 5) {
    p.out += " (too short for EAP request/response)";
    return;
  }
  const type = p.u8(cp + 4);
  p.out += `\n\t\t Type ${tok(TYPES, type, "unknown")} (${type})`;
  const short = (what: string) => {
    if (len >= 6) return false;
    p.out += ` (too short for EAP ${what} request/response)`;
    return true;
  };
  switch (type) {
    case 1:
      if (len > 5) {
        p.out += ", Identity: ";
        printjnp(p, cp + 5, len - 5);
      }
      break;
    case 2:
      if (short("Notification")) return;
      p.out += ", Notification: ";
      printjnp(p, cp + 5, len - 5);
      break;
    case 3:
      if (short("Legacy NAK")) return;
      for (let i = 5; i < len; i++) {
        const t = p.u8(cp + i);
        p.out += `${i > 5 ? "," : ""} ${tok(TYPES, t, "unknown")} (${t})`;
      }
      break;
    case 13:
    case 21:
    case 43: {
      if (short(type === 43 ? "FAST" : "TLS/TTLS")) return;
      const f = p.u8(cp + 5);
      if (type !== 13) p.out += ` ${type === 21 ? "TTLS" : "FAST"}v${f & 7}`;
      p.out += ` flags [${bitTok(TLS_FLAGS, f, "none")}] 0x${hex2(f)}`;
      if (f & 0x80) {
        if (len < 10) {
          p.out += ` (too short for EAP ${type === 43 ? "FAST" : "TLS/TTLS"} request/response` +
            " with length)";
          return;
        }
        p.out += `, len ${p.u32(cp + 6)}`;
      }
      break;
    }
    case 18:
    case 23: {
      if (short("SIM/AKA")) return;
      const s = p.u8(cp + 5);
      p.out += ` subtype [${tok(AKA_SUBTYPES, s, "unknown")}] 0x${hex2(s)}`;
      break;
    }
  }
}
