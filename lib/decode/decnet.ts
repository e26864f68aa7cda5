/**
 * DECnet phase IV routing and NSP (ethertype 0x6003, tcpdump's print-decnet.c): addresses as
 * `area.node`, routing control messages (hellos, routing updates) and NSP messages.
 *
 * @module
 */
import type { Pkt } from "./printer.ts";

function le16(p: Pkt, at: number): number {
  return p.u8(at) | (p.u8(at + 1) << 8);
}

/** A DECnet address as tcpdump -n prints it: `area.node`. */
function dnaddr(a: number): string {
  return `${(a & 0xfc00) >> 10}.${a & 0x3ff}`;
}

const INVALID = " (invalid)";

/** A DECnet packet at `off`, `length` bytes (its 2-byte length field first). */
export function decnet(p: Pkt, off: number, length: number): void {
  p.proto = "decnet";
  let caplen = Math.max(0, p.end - off);
  if (length < 6) return void (p.out += ` (length ${length} < 6)${INVALID}`);
  const pktlen = le16(p, off);
  if (pktlen < 6) return void (p.out += ` (pktlen ${pktlen} < 6)${INVALID}`);
  if (pktlen > length) return void (p.out += ` (pktlen ${pktlen} > ${length})${INVALID}`);
  length = pktlen;
  let ap = off;
  let flags = p.u8(ap + 2);
  if (flags & 0x80) {
    const pad = flags & 0x7f;
    if (p.verbose) p.out += `[pad:${pad}] `;
    if (length < pad + 2) return void (p.out += ` (length ${length} < ${pad + 2})${INVALID}`);
    p.need(ap + 2, pad);
    ap += pad;
    length -= pad;
    caplen -= pad;
    flags = p.u8(ap + 2);
  }
  const rh = ap + 2;
  if (flags & 0x40) {
    p.out += "future-version-decnet";
    p.defaultPrint(ap, Math.min(length, caplen), true);
    return;
  }
  if (flags & 1) {
    if (!control(p, rh, flags, length, caplen)) p.out += INVALID;
    return;
  }
  let dst: number;
  let src: number;
  let hops: number;
  let nsp: number;
  let nsplen: number;
  switch (flags & 7) {
    case 6:
      if (length < 21) return void (p.out += ` (length ${length} < 21)${INVALID}`);
      p.need(rh, 21);
      dst = le16(p, rh + 7);
      src = le16(p, rh + 15);
      hops = p.u8(rh + 18);
      nsp = ap + 2 + 21;
      nsplen = length - 21;
      break;
    case 2:
      dst = le16(p, rh + 1);
      src = le16(p, rh + 3);
      hops = (p.u8(rh + 5) & 0x3f) + 1;
      nsp = ap + 2 + 6;
      nsplen = length - 6;
      break;
    default:
      p.out += "unknown message flags under mask";
      p.defaultPrint(ap, Math.min(length, caplen), true);
      return;
  }
  p.out += `${dnaddr(src)} > ${dnaddr(dst)} ${pktlen} `;
  if (p.verbose) {
    if (flags & 0x08) p.out += "RQR ";
    if (flags & 0x10) p.out += "RTS ";
    if (flags & 0x20) p.out += "IE ";
    p.out += `${hops} hops `;
  }
  if (!nspMessage(p, nsp, nsplen)) p.out += INVALID;
}

function nodeType(p: Pkt, info: number, init: boolean): void {
  p.out += ["reserved-ntype? ", "l2rout ", "l1rout ", "endnode "][info & 3];
  if (info & 4) p.out += "verif ";
  if (!init && info & 0x20) p.out += "nomcast ";
  if (info & (init ? 0x08 : 0x40)) p.out += "blo ";
}

/** A routing control message; false when it is too short (invalid). */
function control(p: Pkt, rh: number, flags: number, length: number, caplen: number): boolean {
  switch (flags & 0x0f) {
    case 1: {
      p.out += "init ";
      if (length < 12) return false;
      p.need(rh, 12);
      nodeType(p, p.u8(rh + 3), true);
      p.out += `src ${dnaddr(le16(p, rh + 1))}blksize ${le16(p, rh + 4)} vers ${p.u8(rh + 6)} eco ${
        p.u8(rh + 7)
      } ueco ${p.u8(rh + 8)} hello ${le16(p, rh + 9)}`;
      return true;
    }
    case 3:
      p.out += "verification ";
      if (length < 4) return false;
      p.out += `src ${dnaddr(le16(p, rh + 1))} fcnval ${p.u8(rh + 3).toString(8)}`;
      return true;
    case 5:
      p.out += "test ";
      if (length < 4) return false;
      p.out += `src ${dnaddr(le16(p, rh + 1))} data ${p.u8(rh + 3).toString(8)}`;
      return true;
    case 7:
    case 9: {
      const l2 = (flags & 0x0f) === 9;
      p.out += l2 ? "lev-2-routing " : "lev-1-routing ";
      if (length < 4) return false;
      p.need(rh, 4);
      p.out += `src ${dnaddr(le16(p, rh + 1))} `;
      routes(p, rh + 4, length - 4, l2 ? "areas" : "ids");
      return true;
    }
    case 11: {
      p.out += "router-hello ";
      if (length < 18) return false;
      p.need(rh, 18);
      nodeType(p, p.u8(rh + 10), false);
      p.out += `vers ${p.u8(rh + 1)} eco ${p.u8(rh + 2)} ueco ${p.u8(rh + 3)} src ${
        dnaddr(le16(p, rh + 8))
      } blksize ${le16(p, rh + 11)} pri ${p.u8(rh + 13)} hello ${le16(p, rh + 15)}`;
      return true;
    }
    case 13: {
      p.out += "endnode-hello ";
      if (length < 32) return false;
      const vers = p.u8(rh + 1);
      const eco = p.u8(rh + 2);
      const ueco = p.u8(rh + 3);
      const src = le16(p, rh + 8);
      const info = p.u8(rh + 10);
      const blksize = le16(p, rh + 11);
      const rtr = le16(p, rh + 26);
      const hello = le16(p, rh + 28);
      const data = p.u8(rh + 31);
      nodeType(p, info, false);
      p.out += `vers ${vers} eco ${eco} ueco ${ueco} src ${dnaddr(src)} blksize ${blksize} rtr ${
        dnaddr(rtr)
      } hello ${hello} data ${data.toString(8)}`;
      return true;
    }
  }
  p.out += "unknown control message";
  p.defaultPrint(rh, Math.min(length, caplen), true);
  return true;
}

function routes(p: Pkt, at: number, len: number, what: string): void {
  // The last 16-bit word is a checksum.
  for (; len > 6; at += 6, len -= 6) {
    p.need(at, 6);
    const count = le16(p, at);
    if (count > 1024) return;
    const id = le16(p, at + 2);
    const info = le16(p, at + 4);
    p.out += `{${what} ${id}-${id + count} cost ${info & 0x1ff} hops ${(info >> 10) & 0x1f}} `;
  }
}

/**
 * The acknowledgement words of a segment at `at` (`left` bytes, `minLen` before them), the
 * second named `other` (`nakOther` when negative); the word after them, or -1 when short.
 * `minLen` 0: an acknowledgement message, which has no word after them.
 */
function acks(
  p: Pkt,
  at: number,
  left: number,
  other: string,
  nakOther: string,
  minLen: number,
): number {
  let off = minLen || 7;
  let ack = le16(p, at + 5);
  if (ack & 0x8000) {
    p.out += `${(ack & 0x9000) === 0x9000 ? "nak" : "ack"} ${ack & 0xfff} `;
    off += 2;
    if (left < off) return -1;
    ack = le16(p, at + 7);
    if (ack & 0xa000) {
      p.out += `${(ack & 0xb000) === 0xb000 ? nakOther : other} ${ack & 0xfff} `;
      if (minLen === 0) return 0; // acknowledgement messages end here
      off += 2;
      if (left < off) return -1;
      ack = le16(p, at + 9);
    }
  }
  return ack;
}

const REASONS: Record<number, string> = {
  0: "object rejected connect",
  1: "insufficient resources",
  2: "unrecognized node name",
  3: "node is shutting down",
  4: "unrecognized object",
  5: "invalid object name format",
  6: "object too busy",
  7: "protocol error discovered",
  8: "third party abort",
  9: "user abort",
  10: "invalid node name format",
  11: "local node shutting down",
  32: "insufficient local resources",
  33: "insufficient remote user resources",
  34: "invalid access control information",
  36: "bad ACCOUNT information",
  38: "no response from object",
  39: "node unreachable",
  41: "no link terminate",
  42: "disconnect complete",
  43: "bad image data in connect",
  54: "cryptographic service mismatch",
};

const VERSIONS = ["ver 3.2 ", "ver 3.1 ", "ver 4.0 ", "ver 4.1 "];

function services(p: Pkt, at: number): void {
  const s = p.u8(at + 5) & 0x0c;
  const info = p.u8(at + 6);
  const segsize = le16(p, at + 7);
  if (s === 4) p.out += "seg ";
  else if (s === 8) p.out += "msg ";
  p.out += VERSIONS[info & 3];
  p.out += `segsize ${segsize} `;
}

/** An NSP message; false when it is too short (invalid). */
function nspMessage(p: Pkt, at: number, len: number): boolean {
  if (len < 5) {
    p.out += ` (nsplen ${len} < 5)`;
    return false;
  }
  const flags = p.u8(at);
  const dst = le16(p, at + 1);
  const src = le16(p, at + 3);
  const sub = flags & 0x70;
  const hexFlags = flags.toString(16);
  switch (flags & 0x0c) {
    case 0:
      if (sub === 0x20 || sub === 0 || sub === 0x40 || sub === 0x60) {
        p.out += `data ${src}>${dst} `;
        if (len < 7) return false;
        const ack = acks(p, at, len, "oack", "onak", 7);
        if (ack < 0) return false;
        p.out += `seg ${ack & 0xfff} `;
      } else if (sub === 0x30) {
        p.out += "intr ";
        if (len < 7) return false;
        const ack = acks(p, at, len, "ackdat", "nakdat", 7);
        if (ack < 0) return false;
        p.out += `seg ${ack & 0xfff} `;
      } else if (sub === 0x10) {
        p.out += `link-service ${src}>${dst} `;
        if (len < 13) return false;
        const ack = acks(p, at, 1 << 30, "ackdat", "nakdat", 7);
        p.out += `seg ${ack & 0xfff} `;
        const lsflags = p.u8(at + 11);
        const fcval = p.u8(at + 12);
        if ((lsflags & 0x0c) === 0) {
          p.out += `dat seg count ${fcval} `;
          const mod = lsflags & 3;
          if (mod === 1) p.out += "donotsend-data ";
          else if (mod === 2) p.out += "send-data ";
          else if (mod === 3) p.out += `reserved-fcmod? ${lsflags.toString(16)}`;
        } else if ((lsflags & 0x0c) === 4) {
          p.out += `intr req count ${fcval} `;
        } else {
          p.out += `reserved-fcval-int? ${lsflags.toString(16)}`;
        }
      } else {
        p.out += `reserved-subtype? ${hexFlags} ${src} > ${dst}`;
      }
      return true;
    case 4:
      if (sub === 0 || sub === 0x10) {
        p.out += `${sub === 0 ? "data-ack" : "ils-ack"} ${src}>${dst} `;
        if (len < 9) return false;
        p.need(at, 9);
        if (sub === 0) acks(p, at, 1 << 30, "oack", "onak", 0);
        else acks(p, at, 1 << 30, "ackdat", "nakdat", 0);
      } else if (sub === 0x20) {
        p.out += `conn-ack ${dst}`;
      } else {
        p.out += `reserved-acktype? ${hexFlags} ${src} > ${dst}`;
      }
      return true;
    case 8:
      if (sub === 0x10 || sub === 0x60) {
        p.out += sub === 0x10 ? "conn-initiate " : "retrans-conn-initiate ";
        p.out += `${src}>${dst} `;
        if (len < 9) return false;
        services(p, at);
      } else if (sub === 0x20) {
        p.out += `conn-confirm ${src}>${dst} `;
        if (len < 10) return false;
        const optlen = p.u8(at + 9);
        services(p, at);
        if (optlen) p.out += `optlen ${optlen} `;
      } else if (sub === 0x30) {
        p.out += `disconn-initiate ${src}>${dst} `;
        if (len < 8) return false;
        const reason = le16(p, at + 5);
        const optlen = p.u8(at + 7);
        p.out += `${REASONS[reason] ?? `reason-${reason}`} `;
        if (optlen) p.out += `optlen ${optlen} `;
      } else if (sub === 0x40) {
        p.out += `disconn-confirm ${src}>${dst} `;
        const reason = le16(p, at + 5);
        p.out += `${REASONS[reason] ?? `reason-${reason}`} `;
      } else {
        p.out += `reserved-ctltype? ${hexFlags} ${src} > ${dst}`;
      }
      return true;
  }
  p.out += `reserved-type? ${hexFlags} ${src} > ${dst}`;
  return true;
}
