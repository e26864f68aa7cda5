/**
 * PPTP's control connection (TCP port 1723; tcpdump's print-pptp.c, RFC 2637): the control
 * message type and every field of it, with at -v the header fields and the names of result and
 * error codes. The data channel is GRE version 1 (gre.ts).
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { printjnp } from "./text.ts";

const TYPES = [
  "NOT_DEFINED",
  "SCCRQ",
  "SCCRP",
  "StopCCRQ",
  "StopCCRP",
  "ECHORQ",
  "ECHORP",
  "OCRQ",
  "OCRP",
  "ICRQ",
  "ICRP",
  "ICCN",
  "CCRQ",
  "CDN",
  "WEN",
  "SLI",
];
const ERRORS = [
  "None",
  "Not-Connected",
  "Bad-Format",
  "Bad-Value",
  "No-Resource",
  "Bad-Call-ID",
  "PAC-Error",
];
const ECHO_RESULTS = ["", "OK", "General Error"];
/** Result code names by control message type. */
const RESULTS: Record<number, string[]> = {
  2: [
    "",
    "Successful channel establishment",
    "General error",
    "Command channel already exists",
    "Requester is not authorized to establish a command channel",
    "The protocol version of the requester is not supported",
  ],
  4: ECHO_RESULTS,
  6: ECHO_RESULTS,
  8: [
    "",
    "Connected",
    "General Error",
    "No Carrier",
    "Busy",
    "No Dial Tone",
    "Time-out",
    "Do Not Accept",
  ],
  10: ["", "Connect", "General Error", "Do Not Accept"],
  13: ["", "Lost Carrier", "General Error", "Admin Shutdown", "Request"],
};
const BEARER_TYPES = ["?", "A", "D", "Any"];
const FRAMING_TYPES = ["?", "A", "S", "E"];
const STOP_REASONS = ["?", "None", "Stop-Protocol", "Stop-Local-Shutdown"];

/**
 * The fields of each control message in order: a field kind and its offset past the 12-byte
 * header. Kinds name tcpdump's field printers; `r1`/`r2` are reserved fields it complains about
 * when not zero.
 */
const FIELDS: Record<number, readonly (readonly [string, number])[]> = {
  1: [["ver", 0], ["r2", 2], ["fcap", 4], ["bcap", 8], ["maxch", 12], ["firm", 14], [
    "host",
    16,
  ], ["vendor", 80]],
  2: [
    ["ver", 0],
    ["result", 2],
    ["err", 3],
    ["fcap", 4],
    ["bcap", 8],
    ["maxch", 12],
    [
      "firm",
      14,
    ],
    ["host", 16],
    ["vendor", 80],
  ],
  3: [["reason", 0], ["r1", 1], ["r2", 2]],
  4: [["result", 0], ["err", 1], ["r2", 2]],
  5: [["id", 0]],
  6: [["id", 0], ["result", 4], ["err", 5], ["r2", 6]],
  7: [
    ["call", 0],
    ["ser", 2],
    ["minbps", 4],
    ["maxbps", 8],
    ["btype", 12],
    ["ftype", 16],
    [
      "win",
      20,
    ],
    ["delay", 22],
    ["phonelen", 24],
    ["r2", 26],
    ["phone", 28],
    ["subaddr", 92],
  ],
  8: [
    ["call", 0],
    ["peer", 2],
    ["result", 4],
    ["err", 5],
    ["cause", 6],
    ["speed", 8],
    [
      "win",
      12,
    ],
    ["delay", 14],
    ["phy", 16],
  ],
  9: [
    ["call", 0],
    ["ser", 2],
    ["btype", 4],
    ["phy", 8],
    ["dialedlen", 12],
    ["dialinglen", 14],
    [
      "dialed",
      16,
    ],
    ["dialing", 80],
    ["subaddr", 144],
  ],
  10: [["call", 0], ["peer", 2], ["result", 4], ["err", 5], ["win", 6], ["delay", 8], ["r2", 10]],
  11: [["peer", 0], ["r2", 2], ["speed", 4], ["win", 8], ["delay", 10], ["ftype", 12]],
  12: [["call", 0], ["r2", 2]],
  13: [["call", 0], ["result", 2], ["err", 3], ["cause", 4], ["r2", 6], ["stats", 8]],
  14: [["peer", 0], ["r2", 2], ["crc", 4], ["framing", 8], ["hw", 12], ["buf", 16], [
    "timeout",
    20,
  ], ["align", 24]],
  15: [["peer", 0], ["r2", 2], ["saccm", 4], ["raccm", 8]],
};

/** Fields printed as " NAME(%u)" of a 16-bit (u16) or 32-bit (u32) number. */
const NUMBERS: Record<string, readonly [string, 2 | 4]> = {
  maxch: ["MAX_CHAN", 2],
  firm: ["FIRM_REV", 2],
  id: ["ID", 4],
  call: ["CALL_ID", 2],
  ser: ["CALL_SER_NUM", 2],
  minbps: ["MIN_BPS", 4],
  maxbps: ["MAX_BPS", 4],
  win: ["RECV_WIN", 2],
  delay: ["PROC_DELAY", 2],
  phonelen: ["PHONE_NO_LEN", 2],
  peer: ["PEER_CALL_ID", 2],
  cause: ["CAUSE_CODE", 2],
  speed: ["CONN_SPEED", 4],
  phy: ["PHY_CHAN_ID", 4],
  dialedlen: ["DIALED_NO_LEN", 2],
  dialinglen: ["DIALING_NO_LEN", 2],
  crc: ["CRC_ERR", 4],
  framing: ["FRAMING_ERR", 4],
  hw: ["HARDWARE_OVERRUN", 4],
  buf: ["BUFFER_OVERRUN", 4],
  timeout: ["TIMEOUT_ERR", 4],
  align: ["ALIGN_ERR", 4],
};

/** PPTP on TCP port 1723 (tcpdump's pptp_print). */
export function pptp(p: Pkt, off: number): void {
  p.proto = "pptp";
  p.out += ": pptp";
  if (p.verbose) {
    p.out += ` Length=${p.u16(off)}`;
    const mt = p.u16(off + 2);
    p.out += mt === 1 ? " CTRL-MSG" : mt === 2 ? " MGMT-MSG" : " UNKNOWN-MSG-TYPE";
  }
  const mc = p.u32(off + 4);
  const cookie = mc.toString(16).padStart(8, "0");
  if (mc !== 0x1a2b3c4d) p.out += ` UNEXPECTED Magic-Cookie!!(${cookie})`;
  if (p.verbose || mc !== 0x1a2b3c4d) p.out += ` Magic-Cookie=${cookie}`;
  const type = p.u16(off + 8);
  p.out += type < 16 ? ` CTRL_MSGTYPE=${TYPES[type]}` : ` UNKNOWN_CTRL_MSGTYPE(${type})`;
  reserved(p, off + 10, 2);
  const fields = FIELDS[type];
  if (fields === undefined) return;
  const d = off + 12;
  for (const [kind, at] of fields) field(p, type, kind, d, d + at);
}

function reserved(p: Pkt, at: number, size: 1 | 2): void {
  const v = size === 1 ? p.u8(at) : p.u16(at);
  if (v) p.out += ` [ERROR: reserved=${v} must be zero]`;
}

/** A string field of at most `n` bytes up to a NUL: " NAME(...)". */
function text(p: Pkt, name: string, at: number, n: number): void {
  p.out += ` ${name}(`;
  printjnp(p, at, n);
  p.out += ")";
}

function field(p: Pkt, type: number, kind: string, d: number, at: number): void {
  const num = NUMBERS[kind];
  if (num !== undefined) {
    p.out += ` ${num[0]}(${num[1] === 2 ? p.u16(at) : p.u32(at)})`;
    return;
  }
  switch (kind) {
    case "r1":
      return reserved(p, at, 1);
    case "r2":
      return reserved(p, at, 2);
    case "ver": {
      const v = p.u16(at);
      p.out += ` PROTO_VER(${v >> 8}.${v & 0xff})`;
      return;
    }
    case "fcap": {
      p.out += " FRAME_CAP(";
      const f = p.u32(at);
      p.out += `${f & 1 ? "A" : ""}${f & 2 ? "S" : ""})`;
      return;
    }
    case "bcap": {
      const b = p.u32(at);
      p.out += ` BEARER_CAP(${b & 2 ? "D" : ""}${b & 1 ? "A" : ""})`;
      return;
    }
    case "btype":
      p.out += ` BEARER_TYPE(${BEARER_TYPES[p.u32(at)] ?? "?"})`;
      return;
    case "ftype":
      p.out += ` FRAME_TYPE(${FRAMING_TYPES[p.u32(at)] ?? "?"})`;
      return;
    case "result": {
      const r = p.u8(at);
      p.out += ` RESULT_CODE(${r}`;
      const names = RESULTS[type];
      if (p.verbose && names !== undefined) p.out += `:${names[r] || "?"}`;
      p.out += ")";
      return;
    }
    case "err": {
      const e = p.u8(at);
      p.out += ` ERR_CODE(${e}`;
      if (p.verbose) p.out += `:${ERRORS[e] ?? "?"}`;
      p.out += ")";
      return;
    }
    case "reason": {
      const r = p.u8(at);
      p.out += ` REASON(${r}`;
      if (p.verbose) p.out += `:${STOP_REASONS[r] ?? "?"}`;
      p.out += ")";
      return;
    }
    case "host":
      return text(p, "HOSTNAME", at, 64);
    case "vendor":
      return text(p, "VENDOR", at, 64);
    case "subaddr":
      return text(p, "SUB_ADDR", at, 64);
    case "stats":
      return text(p, "CALL_STATS", at, 128);
    case "phone":
      return text(p, "PHONE_NO", at, Math.min(64, p.u16(d + 24)));
    case "dialed":
      return text(p, "DIALED_NO", at, Math.min(64, p.u16(d + 12)));
    case "dialing":
      return text(p, "DIALING_NO", at, Math.min(64, p.u16(d + 14)));
    case "saccm":
      p.out += ` SEND_ACCM(0x${p.u32(at).toString(16).padStart(8, "0")})`;
      return;
    case "raccm":
      p.out += ` RECV_ACCM(0x${p.u32(at).toString(16).padStart(8, "0")})`;
      return;
  }
}
