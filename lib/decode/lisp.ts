/**
 * LISP control messages (UDP port 4342; tcpdump's print-lisp.c): map-register and map-notify
 * with their EID records and locators (other types are only named), and at -v the flags,
 * authentication data, TTLs and locator weights.
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { type BitTok, bitTok } from "./text.ts";
import { hexPrint } from "./tlv.ts";

const TYPES: Record<number, string> = {
  0: "LISP-Reserved",
  1: "LISP-Map-Request",
  2: "LISP-Map-Reply",
  3: "LISP-Map-Register",
  4: "LISP-Map-Notify",
  8: "LISP-Encapsulated-Contol-Message",
};
const REGISTER_FLAGS: BitTok = [
  [0x08000000, "P-Proxy-Map-Reply"],
  [0x04000000, "S-LISP-SEC-Capable"],
  [0x02000000, "I-xTR-ID-Present"],
  [0x01000000, "R-Build-For-RTR"],
  [0x00000100, "M-Want-Map-Notify"],
];
const NOTIFY_FLAGS: BitTok = [[0x08000000, "I-xTR-ID-Present"], [0x04000000, "R-Build-For-RTR"]];
const AUTH_TYPES = ["None", "SHA1", "SHA256"];
const ACTIONS = ["No-Action", "Natively-Forward", "Send-Map-Request", "Drop"];
const LOC_FLAGS: BitTok = [[0x0004, "Local-Locator"], [0x0002, "RLoc-Probed"], [
  0x0001,
  "Reachable",
]];

/** LISP on UDP port 4342 (tcpdump's lisp_print). */
export function lisp(p: Pkt, off: number, length: number): void {
  p.proto = "lisp";
  p.check(off, 16);
  const tf = p.d[off];
  const type = tf >> 4;
  p.out += `${TYPES[type] ?? `unknown-type-${type}`},`;
  if (p.verbose) {
    if (type === 3) p.out += ` flags [${bitTok(REGISTER_FLAGS, p.u32(off), "none")}],`;
    else if (type === 4) p.out += ` flags [${bitTok(NOTIFY_FLAGS, p.u32(off), "none")}],`;
  }
  if (type !== 3 && type !== 4) return;
  const xtr = type === 3 ? tf & 2 : tf & 8;
  const authLen = p.u16(off + 14);
  // tcpdump keeps the offset in 16 bits.
  let at = 16;
  let records = p.u8(off + 3);
  if (p.verbose) {
    const key = p.u16(off + 12);
    p.out += `\n    ${records} record(s), `;
    p.out += `Authentication ${AUTH_TYPES[key] ?? "unknown-type"},`;
    hexPrint(p, off + at, authLen, "\n    Authentication-Data: ");
  } else {
    p.out += ` ${records} record(s),`;
  }
  at = (at + authLen) & 0xffff;
  if (records === 0) {
    p.out += " (invalid)";
    return;
  }
  while (length > at && records !== 0) {
    records--;
    p.check(off + at, 12);
    p.out += "\n";
    const eid = off + at;
    at += 12;
    const mask = p.u8(eid + 5);
    const afi = p.u16(eid + 10);
    let locs = p.u8(eid + 4);
    if (p.verbose) {
      p.out += `      Record TTL ${p.u32(eid)},`;
      const aai = p.u8(eid + 6);
      p.out += aai & 0x10 ? " Authoritative," : " Non-Authoritative,";
      p.out += ` ${ACTIONS[aai >> 5] ?? "unknown"},`;
      p.out += ` Map Version: ${p.u16(eid + 8) & 0x0fff},`;
    }
    if (afi === 1) {
      p.out += ` EID ${p.ip4(off + at)}/${mask},`;
      at += 4;
    } else if (afi === 2) {
      p.out += ` EID ${p.ip6(off + at)}/${mask},`;
      at += 16;
    } else {
      return;
    }
    p.out += ` ${locs} locator(s)`;
    while (locs !== 0) {
      locs--;
      p.check(off + at, 8);
      const loc = off + at;
      at += 8;
      const lafi = p.u16(loc + 6);
      if (p.verbose) p.out += "\n       ";
      if (lafi === 1) {
        p.check(off + at, 4);
        p.out += ` LOC ${p.ip4(loc + 8)}`;
        at += 4;
      } else if (lafi === 2) {
        p.check(off + at, 16);
        p.out += ` LOC ${p.ip6(loc + 8)}`;
        at += 16;
      }
      if (p.verbose) {
        p.out += `\n          Priority/Weight ${p.u8(loc)}/${p.u8(loc + 1)},` +
          ` Multicast Priority/Weight ${p.u8(loc + 2)}/${p.u8(loc + 3)},`;
        p.out += ` flags [${bitTok(LOC_FLAGS, p.u16(loc + 4), "none")}],`;
      }
    }
  }
  if (xtr) {
    if (!p.has(off + at, 24)) {
      p.out += " (invalid)";
      return;
    }
    hexPrint(p, off + at, 16, "\n    xTR-ID: ");
    p.out += `\n    SITE-ID: ${
      (BigInt(p.u32(off + at + 16)) << 32n) | BigInt(p.u32(off + at + 20))
    }`;
  } else if (off + at < p.end) {
    hexPrint(p, off + at, p.end - off - at, "\n    Data: ");
  }
}
