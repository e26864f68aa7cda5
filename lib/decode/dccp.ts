/**
 * DCCP (IP protocol 33; tcpdump's print-dccp.c, RFC 4340): ports, packet type with its service
 * code, reset code and acknowledgement number; at -v the CCVal, checksum coverage and checksum;
 * at -vv the sequence number and options.
 *
 * @module
 */
import { CUT, hex4, type IpInfo, type Pkt } from "./printer.ts";
import { transportSum } from "./transport.ts";
import { cksumShouldBe } from "./verbose.ts";

const TYPES = [
  "DCCP-Request",
  "DCCP-Response",
  "DCCP-Data",
  "DCCP-Ack",
  "DCCP-DataAck",
  "DCCP-CloseReq",
  "DCCP-Close",
  "DCCP-Reset",
  "DCCP-Sync",
  "DCCP-SyncAck",
];
/** How many bytes each type adds to the generic header. */
const TYPE_LENGTHS = [4, 12, 0, 8, 8, 8, 8, 12, 8, 8];
const RESET_CODES = [
  "unspecified",
  "closed",
  "aborted",
  "no_connection",
  "packet_error",
  "option_error",
  "mandatory_error",
  "connection_refused",
  "bad_service_code",
  "too_busy",
  "bad_init_cookie",
  "aggression_penalty",
];
const FEATURES = [
  "reserved",
  "ccid",
  "allow_short_seqno",
  "sequence_window",
  "ecn_incapable",
  "ack_ratio",
  "send_ack_vector",
  "send_ndp_count",
  "minimum checksum coverage",
  "check data checksum",
];
const OPTIONS: Record<number, string> = {
  0: "nop",
  1: "mandatory",
  2: "slowreceiver",
  32: "change_l",
  33: "confirm_l",
  34: "change_r",
  35: "confirm_r",
  36: "initcookie",
  37: "ndp_count",
  38: "ack_vector0",
  39: "ack_vector1",
  40: "data_dropped",
  41: "timestamp",
  42: "timestamp_echo",
  43: "elapsed_time",
  44: "data_checksum",
};

/** A 48-bit number at `at`. */
function u48(p: Pkt, at: number): number {
  return p.u16(at) * 4294967296 + p.u32(at + 2);
}

/** DCCP (tcpdump's dccp_print). */
export function dccp(p: Pkt, off: number, len: number, info: IpInfo): void {
  p.proto = "dccp";
  if (!p.has(off, 12)) throw CUT;
  if (len < 12) {
    p.out += `truncated-dccp - ${12 - len} bytes missing!`;
    return;
  }
  const x = p.d[off + 8] & 1;
  let fixed = x ? 16 : 12;
  if (len < fixed) {
    p.out += `truncated-dccp - ${fixed - len} bytes missing!`;
    return;
  }
  p.check(off, fixed);
  let hlen = p.d[off + 4] * 4;
  p.out += `${info.src}.${p.u16(off)} > ${info.dst}.${p.u16(off + 2)}: DCCP`;
  if (p.quiet) {
    // tcpdump -q: the payload's length only (a C unsigned: a header longer than the packet wraps).
    p.out += ` ${(len - hlen) >>> 0}`;
    if (hlen > len) p.out += ` [bad hdr length ${hlen} - too long, > ${len}]`;
    return;
  }
  const cscov = p.d[off + 5] & 0x0f;
  if (p.verbose) {
    p.out += ` (CCVal ${p.d[off + 5] >> 4}, CsCov ${cscov}`;
    if (p.has(off, len)) {
      const carried = p.u16(off + 6);
      p.out += `, cksum 0x${hex4(carried)} `;
      const cov = cscov === 0 ? len : Math.min(len, (p.d[off + 4] + cscov - 1) * 4);
      const sum = transportSum(p, off, len, 33, info, cov);
      p.out += sum !== 0 ? `(incorrect -> 0x${hex4(cksumShouldBe(carried, sum))})` : "(correct)";
    }
    p.out += ")";
  }
  p.out += " ";
  const type = (p.d[off + 8] >> 1) & 0x0f;
  const name = TYPES[type];
  if (name === undefined) {
    p.out += `unknown-type-${type} `;
  } else {
    fixed += TYPE_LENGTHS[type];
    if (len < fixed) {
      p.out += `truncated-${name} - ${fixed - len} bytes missing!`;
      return;
    }
    const body = off + (x ? 16 : 12);
    if (type === 0 || type === 1) {
      const at = body + (type === 1 ? 8 : 0);
      p.check(body, TYPE_LENGTHS[type]);
      p.out += `${name} (service=${p.u32(at)}) `;
    } else if (type === 7) {
      p.check(body, 12);
      const code = p.d[body + 8];
      p.out += `${name} (code=${RESET_CODES[code] ?? "invalid"}) `;
    } else {
      p.out += `${name} `;
    }
  }
  if (type !== 2 && type !== 0) {
    const ack = off + (x ? 16 : 12);
    p.out += `(ack=${x ? u48(p, ack + 2) : (p.u8(ack + 1) << 16) | p.u16(ack + 2)}) `;
  }
  if (p.verbosity < 2) return;
  p.out += `seq ${x ? u48(p, off + 10) : (p.u8(off + 9) << 16) | p.u16(off + 10)}`;
  if (hlen > fixed) {
    let cp = off + fixed;
    p.out += " <";
    hlen -= fixed;
    for (;;) {
      const used = option(p, cp, hlen);
      if (!used || hlen <= used) break;
      hlen -= used;
      cp += used;
      p.out += ", ";
    }
    p.out += ">";
  }
}

/** One option: its length, or 0 where tcpdump stops. */
function option(p: Pkt, o: number, hlen: number): number {
  const type = p.u8(o);
  const name = type >= 128 ? `CCID option ${type}` : OPTIONS[type] ?? `Option ${type}`;
  let len = 1;
  if (type >= 32) {
    len = p.u8(o + 1);
    if (len < 2) {
      p.out += `${name} optlen too short`;
      return 0;
    }
  }
  if (hlen < len) {
    p.out += `${name} optlen goes past header length`;
    return 0;
  }
  if (!p.has(o, len)) {
    p.trunc();
    return 0;
  }
  p.out += name;
  if (type >= 128) {
    if (len === 4) p.out += ` ${p.u16(o + 2)}`;
    else if (len === 6) p.out += ` ${p.u32(o + 2)}`;
    return len;
  }
  const bytes = (from: number, sep: string) => {
    let s = "";
    for (let i = from; i < len; i++) s += sep + p.d[o + i].toString(16).padStart(2, "0");
    return s;
  };
  switch (type) {
    case 32:
    case 33:
    case 34:
    case 35:
      if (len < 3) {
        p.out += " optlen too short";
        return len;
      }
      if (p.d[o + 2] < 10) {
        p.out += ` ${FEATURES[p.d[o + 2]]}`;
        for (let i = 3; i < len; i++) p.out += ` ${p.d[o + i]}`;
      }
      break;
    case 36:
    case 38:
    case 39:
    case 40:
      if (len > 2) p.out += ` 0x${bytes(2, "")}`;
      break;
    case 37:
      for (let i = 2; i < len; i++) p.out += ` ${p.d[o + i]}`;
      break;
    case 41:
      p.out += len === 6 ? ` ${p.u32(o + 2)}` : " [optlen != 6]";
      break;
    case 42:
      if (len === 6 || len === 8 || len === 10) {
        p.out += ` ${p.u32(o + 2)}`;
        if (len > 6) p.out += ` (elapsed time ${len === 8 ? p.u16(o + 6) : p.u32(o + 6)})`;
      } else {
        p.out += " [optlen != 6 or 8 or 10]";
      }
      break;
    case 43:
      p.out += len === 6
        ? ` ${p.u32(o + 2)}`
        : len === 4
        ? ` ${p.u16(o + 2)}`
        : " [optlen != 4 or 6]";
      break;
    case 44:
      if (len > 2) p.out += ` ${bytes(2, "")}`;
      break;
  }
  return len;
}
