/**
 * BFD (tcpdump's print-bfd.c; RFC 5880): control packets on UDP ports 3784 (single hop), 4784
 * (multihop) and 6784 (LAG), version 0 and 1, with at -v the timers and authentication; echo
 * packets on port 3785.
 *
 * @module
 */
import type { IpInfo, Pkt } from "./printer.ts";
import { type BitTok, bitTok, printn } from "./text.ts";
import { unknownData } from "./tlv.ts";

const DIAGS = [
  "No Diagnostic",
  "Control Detection Time Expired",
  "Echo Function Failed",
  "Neighbor Signaled Session Down",
  "Forwarding Plane Reset",
  "Path Down",
  "Concatenated Path Down",
  "Administratively Down",
  "Reverse Concatenated Path Down",
];
const PORTS: Record<number, string> = { 3784: "Control", 4784: "Multihop", 6784: "Lag" };
const V0_FLAGS: BitTok = [
  [0x80, "I Hear You"],
  [0x40, "Demand"],
  [0x20, "Poll"],
  [0x10, "Final"],
  [0x08, "Control Plane Independent"],
  [0x04, "Authentication Present"],
  [0x02, "Reserved"],
  [0x01, "Reserved"],
];
const V1_FLAGS: BitTok = [
  [0x20, "Poll"],
  [0x10, "Final"],
  [0x08, "Control Plane Independent"],
  [0x04, "Authentication Present"],
  [0x02, "Demand"],
  [0x01, "Multipoint"],
];
const STATES = ["AdminDown", "Down", "Init", "Up"];
const AUTH_TYPES = [
  "",
  "Simple Password",
  "Keyed MD5",
  "Meticulous Keyed MD5",
  "Keyed SHA1",
  "Meticulous Keyed SHA1",
];

/** BFD on its UDP ports (tcpdump's bfd_print, told the destination port). */
export function bfd(
  p: Pkt,
  off: number,
  len: number,
  _info: IpInfo,
  _sport: number,
  port: number,
): void {
  p.proto = "bfd";
  if (port !== 3784 && port !== 4784 && port !== 6784) {
    p.out += port === 3785 ? `BFD, Echo, length: ${len}` : `BFD, unknown (${port}), length: ${len}`;
    if (p.verbose) unknownData(p, off, len, "\n\t");
    return;
  }
  p.need(off, 24);
  const vd = p.d[off];
  const version = vd >> 5;
  const flags = p.d[off + 1];
  const diag = vd & 0x1f;
  const diagText = `${DIAGS[diag] ?? "unknown"} (0x${diag.toString(16).padStart(2, "0")})`;
  if (version === 0) {
    if (!p.verbose) {
      p.out += `BFDv0, Control, Flags: [${bitTok(V0_FLAGS, flags, "none")}], length: ${len}`;
      return;
    }
    p.out += `BFDv0, length: ${len}\n\tControl, Flags: [${
      bitTok(V0_FLAGS, flags, "none")
    }], Diagnostic: ${diagText}`;
  } else if (version === 1) {
    const head = `${PORTS[port]}, State ${STATES[flags >> 6]}, Flags: [${
      bitTok(V1_FLAGS, flags & 0x3f, "none")
    }]`;
    if (!p.verbose) {
      p.out += `BFDv1, ${head}, length: ${len}`;
      return;
    }
    p.out += `BFDv1, length: ${len}\n\t${head}, Diagnostic: ${diagText}`;
  } else {
    p.out += `BFDv${version}, Control, length: ${len}`;
    if (p.verbose) unknownData(p, off, len, "\n\t");
    return;
  }
  const mult = p.d[off + 2];
  const tx = p.u32(off + 12);
  // tcpdump multiplies in 32 bits.
  p.out += `\n\tDetection Timer Multiplier: ${mult} (${
    Math.floor(((mult * tx) % 4294967296) / 1000)
  } ms Detection time), BFD Length: ${p.d[off + 3]}`;
  p.out += `\n\tMy Discriminator: 0x${hex8(p.u32(off + 4))}`;
  p.out += `, Your Discriminator: 0x${hex8(p.u32(off + 8))}`;
  p.out += `\n\t  Desired min Tx Interval:    ${ms(tx)} ms`;
  p.out += `\n\t  Required min Rx Interval:   ${ms(p.u32(off + 16))} ms`;
  p.out += `\n\t  Required min Echo Interval: ${ms(p.u32(off + 20))} ms`;
  if (flags & 0x04) auth(p, off + 24);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** Microseconds as "%4u" milliseconds. */
function ms(us: number): string {
  return String(Math.floor(us / 1000)).padStart(4);
}

/** The authentication section after the 24-byte header (tcpdump's auth_print). */
function auth(p: Pkt, a: number): void {
  p.need(a, 4);
  const type = p.d[a];
  const len = p.d[a + 1];
  p.out += `\n\tAuthentication: ${AUTH_TYPES[type] || "Unknown"} (${type}), length: ${len}`;
  p.out += `\n\t  Auth Key ID: ${p.u8(a + 2)}`;
  switch (type) {
    case 1:
      if (len < 4 || len > 19) {
        p.out += `[invalid length ${len}]`;
        return;
      }
      p.out += ", Password: ";
      printn(p, a + 3, len - 3, false);
      return;
    case 2:
    case 3:
    case 4:
    case 5: {
      const hash = type < 4 ? 16 : 20;
      if (len !== hash + 8) {
        p.out += `[invalid length ${len}]`;
        return;
      }
      p.out += `, Sequence Number: 0x${hex8(p.u32(a + 4))}`;
      p.need(a + 8, hash);
      p.out += hash === 16 ? "\n\t  Digest: " : "\n\t  Hash: ";
      for (let i = 0; i < hash; i++) p.out += p.d[a + 8 + i].toString(16).padStart(2, "0");
    }
  }
}
