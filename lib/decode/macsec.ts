/**
 * The 802.1AE MACsec SecTAG (tcpdump's print-macsec.c), which Ethernet (ether.ts) takes apart
 * before VLAN tags: with -e its fields; an encrypted payload is named and dumped in hex, a
 * cleartext one decoded by the type field that follows the SecTAG, without the ICV.
 *
 * @module
 */
import { hexBytes, type Pkt } from "./printer.ts";
import { type BitNames, bitNames, u64Hex } from "./tokens.ts";

const FLAGS: BitNames = [[0x08, "E"], [0x04, "C"], [0x40, "S"], [0x10, "B"], [0x20, "I"]];
const ICV_LEN = 16;

/** What {@link macsec} found: stop (printed), or an encrypted payload to dump. */
export const MACSEC_DONE = -1;
export const MACSEC_ENCRYPTED = -2;

/** Captured bytes of a cleartext payload after {@link macsec}, by tcpdump's count. */
export let macsecCaplen = 0;

/** The SecTAG's length: 14 with a secure channel id, else 6. */
export function sectagLength(p: Pkt, off: number): number {
  return p.d[off] & 0x20 ? 14 : 6;
}

function header(p: Pkt, off: number, shortLength: number): void {
  const tci = p.u8(off);
  p.out += `an ${tci & 3}, pn ${p.u32(off + 2)}, flags ${bitNames(FLAGS, tci & 0x7c, "none", "")}`;
  if (shortLength !== 0) p.out += `, sl ${shortLength}`;
  if (tci & 0x20) p.out += `, sci ${u64Hex(p, off + 6).padStart(16, "0")}`;
  p.out += ", ";
}

/**
 * The SecTAG at `off` of the frame at `frame`, `length` bytes on from it. Returns the cleartext
 * payload's length (it follows the SecTAG, the capture now ends before the ICV; its captured
 * length by tcpdump's count is {@link macsecCaplen}), or {@link MACSEC_DONE} or
 * {@link MACSEC_ENCRYPTED}.
 */
export function macsec(p: Pkt, frame: number, off: number, length: number): number {
  const caplen = Math.max(0, p.end - off);
  if (caplen < 6 || length < 6) return truncated(p);
  const tci = p.u8(off);
  const taglen = tci & 0x20 ? 14 : 6;
  if (caplen < taglen || length < taglen) return truncated(p);
  const sl = p.u8(off + 1);
  if ((sl & ~0x3f) !== 0 || tci & 0x80) {
    p.out += " (invalid)";
    return MACSEC_DONE;
  }
  const shortLength = sl & 0x3f;
  if (p.link) header(p, off, shortLength);
  length -= taglen;
  const left = caplen - taglen;
  if (tci & 0x0c) {
    if (!p.link) {
      p.out += `${hexBytes(p.d, frame + 6, 6, ":")} > ${hexBytes(p.d, frame, 6, ":")} `;
      p.out += "802.1AE MACsec, ";
      header(p, off, shortLength);
    }
    return MACSEC_ENCRYPTED;
  }
  if (length < ICV_LEN || left < ICV_LEN) return truncated(p);
  length -= ICV_LEN;
  p.end -= ICV_LEN;
  macsecCaplen = left - ICV_LEN;
  if (shortLength !== 0) {
    if (shortLength > length || shortLength > macsecCaplen) return truncated(p);
    if (length > shortLength) length = shortLength;
    // tcpdump narrows its count of captured bytes, not the end of the capture it reads to.
    if (macsecCaplen > shortLength) macsecCaplen = shortLength;
  }
  return length;
}

function truncated(p: Pkt): number {
  p.out += " [|macsec]";
  return MACSEC_DONE;
}
