/**
 * ATA over Ethernet (ethertype 0x88a2, tcpdump's print-aoe.c): the version and flags, with -v
 * the header and the command's arguments.
 *
 * @module
 */
import { hex2, hex4, type Pkt } from "./printer.ts";
import { type BitNames, bitNames, macText, printN } from "./tokens.ts";

const COMMANDS = [
  "Issue ATA Command",
  "Query Config Information",
  "MAC Mask List",
  "Reserve/Release",
];
const FLAGS: BitNames = [[0x08, "Response"], [0x04, "Error"], [0x02, "MBZ-1"], [0x01, "MBZ-0"]];
const ERRORS = [
  "",
  "Unrecognized command code",
  "Bad argument parameter",
  "Device unavailable",
  "Config string present",
  "Unsupported version",
  "Target is reserved",
];
const AFLAGS: BitNames = [
  [0x80, "MBZ-7"],
  [0x40, "Ext48"],
  [0x20, "MBZ-5"],
  [0x10, "Device"],
  [0x08, "MBZ-3"],
  [0x04, "MBZ-2"],
  [0x02, "Async"],
  [0x01, "Write"],
];
const CCMDS = [
  "read config string",
  "test config string",
  "test config string prefix",
  "set config string",
  "force set config string",
];
const MCMDS = ["Read Mac Mask List", "Edit Mac Mask List"];
const MERRORS = ["", "Unspecified Error", "Bad DCmd directive", "Mask list full"];
const DCMDS = ["No Directive", "Add mac address to mask list", "Delete mac address from mask list"];
const RCMDS = ["Read reserve list", "Set reserve list", "Force set reserve list"];

/** A name from a table, or `Unknown (0xNN)`. */
function named(table: string[], v: number): string {
  return table[v] || `Unknown (0x${hex2(v)})`;
}

function invalid(p: Pkt, at: number, len: number): void {
  p.out += " (invalid)";
  p.need(at, len);
}

/** An AoE frame at `off`, `len` bytes. */
export function aoe(p: Pkt, off: number, len: number): void {
  p.proto = "aoe";
  p.out += `AoE length ${len}`;
  if (len < 1) return invalid(p, off, len);
  const ver = p.u8(off) >> 4;
  p.out += `, Ver ${ver}`;
  if (ver === 1) version1(p, off, len);
}

function version1(p: Pkt, at: number, len: number): void {
  if (len < 10) return invalid(p, at, len);
  const flags = p.u8(at) & 0x0f;
  p.out += `, Flags: [${bitNames(FLAGS, flags, "none")}]`;
  if (!p.verbose) return;
  if (flags & 0x04) {
    const e = p.u8(at + 1);
    p.out += `\n\tError: ${ERRORS[e] || `Invalid (${e})`}`;
  }
  p.out += `\n\tMajor: 0x${hex4(p.u16(at + 2))}`;
  p.out += `, Minor: 0x${hex2(p.u8(at + 4))}`;
  const command = p.u8(at + 5);
  p.out += `, Command: ${named(COMMANDS, command)}`;
  p.out += `, Tag: 0x${p.u32(at + 6).toString(16).padStart(8, "0")}`;
  at += 10;
  len -= 10;
  if (command === 0) issue(p, at, len);
  else if (command === 1) query(p, at, len);
  else if (command === 2) macMask(p, at, len);
  else if (command === 3) reserve(p, at, len);
}

function issue(p: Pkt, at: number, len: number): void {
  if (len < 12) return invalid(p, at, len);
  p.out += `\n\tAFlags: [${bitNames(AFLAGS, p.u8(at), "none")}]`;
  p.out += `, Err/Feature: ${p.u8(at + 1)}`;
  p.out += `, Sector Count: ${p.u8(at + 2)}`;
  p.out += `, Cmd/Status: ${p.u8(at + 3)}`;
  p.out += `\n\tlba0: ${p.u8(at + 4)}`;
  for (let i = 1; i <= 5; i++) p.out += `, lba${i}: ${p.u8(at + 4 + i)}`;
  p.need(at + 10, 2);
  if (len > 12) p.out += `\n\tData: ${len - 12} bytes`;
}

function query(p: Pkt, at: number, len: number): void {
  if (len < 8) return invalid(p, at, len);
  p.out += `\n\tBuffer Count: ${p.u16(at)}`;
  p.out += `, Firmware Version: ${p.u16(at + 2)}`;
  p.out += `, Sector Count: ${p.u8(at + 4)}`;
  const b = p.u8(at + 5);
  p.out += `, AoE: ${b >> 4}, CCmd: ${CCMDS[b & 0x0f] ?? "Unknown (0x02x)"}`;
  const cslen = p.u16(at + 6);
  at += 8;
  len -= 8;
  if (cslen > 1024 || cslen > len) return invalid(p, at, len);
  if (cslen) {
    p.out += `\n\tConfig String (length ${cslen}): `;
    printN(p, at, cslen);
  }
}

function macMask(p: Pkt, at: number, len: number): void {
  if (len < 4) return invalid(p, at, len);
  p.out += `\n\tMCmd: ${named(MCMDS, p.u8(at + 1))}`;
  p.out += `, MError: ${named(MERRORS, p.u8(at + 2))}`;
  const count = p.u8(at + 3);
  at += 4;
  len -= 4;
  p.out += `, Dir Count: ${count}`;
  if (count * 8 > len) return invalid(p, at, len);
  for (let i = 0; i < count; i++, at += 8) {
    p.out += `\n\t DCmd: ${named(DCMDS, p.u8(at + 1))}`;
    p.out += `, Ethernet Address: ${macText(p, at + 2)}`;
  }
}

function reserve(p: Pkt, at: number, len: number): void {
  if (len < 2 || (len - 2) % 6) return invalid(p, at, len);
  p.out += `\n\tRCmd: ${named(RCMDS, p.u8(at))}`;
  const n = p.u8(at + 1);
  at += 2;
  len -= 2;
  p.out += `, NMacs: ${n}`;
  if (n * 6 !== len) return invalid(p, at, len);
  for (let i = 0; i < n; i++, at += 6) p.out += `\n\tEthernet Address ${i}: ${macText(p, at)}`;
}
