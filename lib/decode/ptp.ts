/**
 * The Precision Time Protocol (IEEE 1588, tcpdump's print-ptp.c), over Ethernet (0x88f7) and
 * UDP (ports 319 and 320). tcpdump prints version 2 headers field by field on one line, and
 * only names other versions.
 *
 * @module
 */
import type { Pkt } from "./printer.ts";
import { type BitNames, bitNames, u64Hex } from "./tokens.ts";

const HEADER_LEN = 34;

const MESSAGE_TYPES: Record<number, string> = {
  0x0: "sync msg",
  0x1: "delay req msg",
  0x2: "peer delay req msg",
  0x3: "peer delay resp msg",
  0x8: "follow up msg",
  0x9: "delay resp msg",
  0xa: "pdelay resp fup msg",
  0xb: "announce msg",
  0xc: "signalling msg",
  0xd: "management msg",
};

const CONTROLS = ["Sync", "Delay_Req", "Follow_Up", "Delay_Resp", "Management", "Other"];

const FLAGS: BitNames = [
  [0x1, "l1 61"],
  [0x2, "l1 59"],
  [0x4, "utc reasonable"],
  [0x8, "timescale"],
  [0x10, "time tracable"],
  [0x20, "frequency tracable"],
  [0x100, "alternate master"],
  [0x200, "two step"],
  [0x400, "unicast"],
  [0x1000, "profile specific 1"],
  [0x2000, "profile specific 2"],
  [0x4000, "security mask"],
  [0x18c0, "unknown"],
];

/** A 48-bit unsigned number. */
function u48(p: Pkt, off: number): number {
  return p.u16(off) * 0x100000000 + p.u32(off + 2);
}

// Field by field, as tcpdump's ND_PRINTs go, so a message cut short prints what came before.

function timestamp(p: Pkt, off: number, name: string): void {
  p.out += `, ${name} :`;
  p.out += ` ${u48(p, off)} seconds,`;
  p.out += ` ${p.u32(off + 6)} nanoseconds`;
}

function portIdentity(p: Pkt, off: number): void {
  p.out += `, port identity : 0x${u64Hex(p, off)}`;
  p.out += `, port id : ${p.u16(off + 8)}`;
}

function announce(p: Pkt, off: number): void {
  p.out += ", originTimeStamp :";
  p.out += ` ${u48(p, off)} seconds`;
  p.out += ` ${p.u32(off + 6)} nanoseconds`;
  p.out += `, origin cur utc :${p.u16(off + 10)}`;
  p.out += `, rsvd : ${p.u8(off + 12)}`;
  p.out += `, gm priority_1 : ${p.u8(off + 13)}`;
  p.out += `, gm clock class : ${p.u8(off + 14)}`;
  p.out += `, gm clock accuracy : ${p.u8(off + 15)}`;
  p.out += `, gm clock variance : ${p.u16(off + 16)}`;
  p.out += `, gm priority_2 : ${p.u8(off + 18)}`;
  p.out += `, gm clock id : 0x${u64Hex(p, off + 19)}`;
  p.out += `, steps removed : ${p.u16(off + 27)}`;
  p.out += `, time source : 0x${p.u8(off + 29).toString(16)}`;
}

function management(p: Pkt, off: number): void {
  portIdentity(p, off);
  // tcpdump reads all four fields from the message's first byte, and names each with a
  // leading ", " of its own.
  const b = p.u8(off);
  const x = b.toString(16);
  p.out += `, , start boundary hops  ${b}, , boundary hops  ${b}, , flags  0x${x}` +
    `, , reserved  0x${x}`;
}

function version2(p: Pkt, off: number): void {
  const first = p.u8(off);
  const type = first & 0x0f;
  p.out += `, v1 compat : ${first & 0x10 ? "yes" : "no"}`;
  p.out += `, msg type : ${MESSAGE_TYPES[type] ?? "Reserved"}`;
  p.out += `, length : ${p.u16(off + 2)}`;
  p.out += `, domain : ${p.u16(off + 4) >> 8}`;
  p.out += `, reserved1 : ${p.u8(off + 5)}`;
  p.out += `, Flags [${bitNames(FLAGS, p.u16(off + 6), "none")}]`;
  p.out += `, NS correction : ${u48(p, off + 8)}`;
  p.out += `, sub NS correction : ${p.u16(off + 14)}`;
  p.out += `, reserved2 : ${p.u32(off + 16)}`;
  p.out += `, clock identity : 0x${u64Hex(p, off + 20)}`;
  p.out += `, port id : ${p.u16(off + 28)}`;
  p.out += `, seq id : ${p.u16(off + 30)}`;
  const control = p.u8(off + 32);
  p.out += `, control : ${control} (${CONTROLS[control] ?? "Reserved"})`;
  p.out += `, log message interval : ${p.u8(off + 33)}`;
  const body = off + HEADER_LEN;
  switch (type) {
    case 0x0:
    case 0x1:
      return timestamp(p, body, "originTimeStamp");
    case 0x8:
      return timestamp(p, body, "preciseOriginTimeStamp");
    case 0x2:
    case 0xa:
      timestamp(p, body, "preciseOriginTimeStamp");
      return portIdentity(p, body + 10);
    case 0x3:
    case 0x9:
      timestamp(p, body, "receiveTimeStamp");
      return portIdentity(p, body + 10);
    case 0xb:
      return announce(p, body);
    case 0xc:
      return portIdentity(p, body);
    case 0xd:
      return management(p, body);
  }
}

/** A PTP message at `off`, `length` bytes (the Ethernet payload). */
export function ptp(p: Pkt, off: number, length: number): void {
  p.proto = "ptp";
  if (length < HEADER_LEN) {
    p.out += ` [length ${length} < ${HEADER_LEN}] (invalid)`;
    return;
  }
  const version = p.u16(off) & 0xff;
  p.out += `PTPv${version}`;
  if (version === 1) p.out += " (not implemented)";
  else if (version === 2) version2(p, off);
}
