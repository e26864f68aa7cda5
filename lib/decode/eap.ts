/**
 * 802.1X EAPOL (ethertype 0x888e) and the EAP packets it carries (tcpdump's print-eap.c). At
 * default verbosity the EAPOL header; with -v the EAP code, id and type. {@link eap} serves
 * other carriers of EAP too.
 *
 * @module
 */
import { hex2, type Pkt, TRUNCATED } from "./printer.ts";
import { type BitNames, bitNames, printUpToNul } from "./tokens.ts";

const FRAME_TYPES: Record<number, string> = {
  0: "EAP packet",
  1: "EAPOL start",
  2: "EAPOL logoff",
  3: "EAPOL key",
  4: "Encapsulated ASF alert",
};
const CODES: Record<number, string> = { 1: "Request", 2: "Response", 3: "Success", 4: "Failure" };
const TYPES: Record<number, string> = {
  0: "No proposed",
  1: "Identity",
  2: "Notification",
  3: "Nak",
  4: "MD5-challenge",
  5: "OTP",
  6: "GTC",
  13: "TLS",
  18: "SIM",
  21: "TTLS",
  23: "AKA",
  43: "FAST",
  254: "Expanded types",
  255: "Experimental",
};
const TLS_FLAGS: BitNames = [
  [1 << 7, "L bit"],
  [1 << 6, "More fragments bit"],
  [1 << 5, "Start bit"],
];
const AKA_SUBTYPES: Record<number, string> = {
  1: "Challenge",
  2: "Auth reject",
  4: "Sync failure",
  5: "Identity",
  10: "Start",
  11: "Challenge",
  12: "Notification",
  13: "Reauth",
  14: "Client error",
};

/** An EAPOL frame at `off`. */
export function eapol(p: Pkt, off: number, _length: number): void {
  p.proto = "eap";
  p.need(off, 4);
  const type = p.u8(off + 1);
  const len = p.u16(off + 2);
  p.out += `${FRAME_TYPES[type] ?? "unknown"} (${type}) v${p.u8(off)}, len ${len}`;
  if (!p.verbose || type !== 0) return;
  if (len === 0) throw TRUNCATED;
  p.out += ", ";
  eap(p, off + 4, len);
}

/** An EAP packet at `off`, `length` bytes by its carrier. */
export function eap(p: Pkt, off: number, length: number): void {
  const code = p.u8(off);
  const len = p.u16(off + 2);
  if (len !== length) {
    p.out += "EAP fragment?";
    return;
  }
  p.out += `${CODES[code] ?? "unknown"} (${code}), id ${p.u8(off + 1)}, len ${len}`;
  if (len < 4) {
    p.out += " (too short for EAP header)";
    return;
  }
  // tcpdump's ND_TCHECK with `goto trunc`: the carrier goes on after it (RADIUS's attributes).
  if (!p.has(off, len)) {
    p.trunc();
    return;
  }
  if (code !== 1 && code !== 2) return;
  if (len < 5) {
    p.out += " (too short for EAP request/response)";
    return;
  }
  const type = p.u8(off + 4);
  p.out += `\n\t\t Type ${TYPES[type] ?? "unknown"} (${type})`;
  switch (type) {
    case 1:
      if (len > 5) {
        p.out += ", Identity: ";
        printUpToNul(p, off + 5, len - 5);
      }
      return;
    case 2:
      if (len < 6) {
        p.out += " (too short for EAP Notification request/response)";
        return;
      }
      p.out += ", Notification: ";
      printUpToNul(p, off + 5, len - 5);
      return;
    case 3:
      if (len < 6) {
        p.out += " (too short for EAP Legacy NAK request/response)";
        return;
      }
      for (let i = 5; i < len; i++) {
        const t = p.u8(off + i);
        p.out += `${i > 5 ? "," : ""} ${TYPES[t] ?? "unknown"} (${t})`;
      }
      return;
    case 13:
    case 21:
    case 43: {
      const what = type === 43 ? "FAST" : "TLS/TTLS";
      if (len < 6) {
        p.out += ` (too short for EAP ${what} request/response)`;
        return;
      }
      const flags = p.u8(off + 5);
      if (type !== 13) p.out += ` ${type === 21 ? "TTLS" : "FAST"}v${flags & 7}`;
      p.out += ` flags [${bitNames(TLS_FLAGS, flags, "none")}] 0x${hex2(flags)}`;
      if (flags & 0x80) {
        if (len < 10) {
          p.out += ` (too short for EAP ${what} request/response with length)`;
          return;
        }
        p.out += `, len ${p.u32(off + 6)}`;
      }
      return;
    }
    case 18:
    case 23: {
      if (len < 6) {
        p.out += " (too short for EAP SIM/AKA request/response)";
        return;
      }
      const sub = p.u8(off + 5);
      p.out += ` subtype [${AKA_SUBTYPES[sub] ?? "unknown"}] 0x${hex2(sub)}`;
    }
  }
}
