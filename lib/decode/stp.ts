/**
 * Spanning tree BPDUs (tcpdump's print-stp.c): 802.1D, RSTP (802.1w), MSTP (802.1s) and SPB
 * (802.1aq), carried by LLC SAP 0x42, Cisco's PVST+ SNAP header or a bridged-BPDU SNAP header.
 *
 * @module
 */
import { hex2, hex4, type Pkt } from "./printer.ts";
import { type BitNames, bitNames, fixed, printUpToNul } from "./tokens.ts";

const VERSIONS: Record<number, string> = { 0: "802.1d", 2: "802.1w", 3: "802.1s", 4: "802.1aq" };
const BPDU_TYPES: Record<number, string> = {
  0x00: "Config",
  0x02: "Rapid STP",
  0x80: "Topology Change",
};
const FLAGS: BitNames = [
  [0x01, "Topology change"],
  [0x02, "Proposal"],
  [0x10, "Learn"],
  [0x20, "Forward"],
  [0x40, "Agreement"],
  [0x80, "Topology change ACK"],
];
const ROLES = ["Unknown", "Alternate", "Root", "Designated"];

/** Length of the common BPDU (RSTP's, with the version 1 length byte). */
const BPDU_LEN = 36;
const MSTP_MIN_LEN = 102;
const SPB_MIN_LEN = 87;
/** Offset of MSTP's version 3 length. */
const V3LEN = 36;

/** A bridge id: priority, then MAC address: `8001.00:19:06:ea:b8:80`. */
function bridgeId(p: Pkt, off: number): string {
  p.need(off, 8);
  const d = p.d;
  return `${hex2(d[off])}${hex2(d[off + 1])}.${hex2(d[off + 2])}:${hex2(d[off + 3])}:${
    hex2(d[off + 4])
  }:${hex2(d[off + 5])}:${hex2(d[off + 6])}:${hex2(d[off + 7])}`;
}

/** A time in 1/256 seconds. */
function stpTime(p: Pkt, off: number): string {
  return fixed(p.u16(off) / 256, 2) + "s";
}

function timers(p: Pkt, off: number): string {
  return `\n\tmessage-age ${stpTime(p, off + 27)}, max-age ${stpTime(p, off + 29)}` +
    `, hello-time ${stpTime(p, off + 31)}, forwarding-delay ${stpTime(p, off + 33)}`;
}

function configBpdu(p: Pkt, off: number, length: number): void {
  const flags = p.u8(off + 4);
  p.out += `, Flags [${bitNames(FLAGS, flags, "none")}]`;
  p.out += `, bridge-id ${bridgeId(p, off + 17)}.${hex4(p.u16(off + 25))}, length ${length}`;
  if (!p.verbose) return;
  p.out += timers(p, off);
  p.out += `\n\troot-id ${bridgeId(p, off + 5)}, root-pathcost ${p.u32(off + 13)}`;
  if (p.u8(off + 2) === 2) p.out += `, port-role ${ROLES[(flags >> 2) & 3]}`;
}

// The verbose parts print field group by field group, as tcpdump's ND_PRINTs do, so that a BPDU
// cut short prints what came before the cut.

function mstpBpdu(p: Pkt, off: number, length: number): void {
  const flags = p.u8(off + 4);
  p.out += `, CIST Flags [${bitNames(FLAGS, flags, "none")}], length ${length}`;
  if (!p.verbose) return;
  p.out += `\n\tport-role ${ROLES[(flags >> 2) & 3]}, `;
  p.out += `CIST root-id ${bridgeId(p, off + 5)}, CIST ext-pathcost ${p.u32(off + 13)}`;
  p.out += `\n\tCIST regional-root-id ${bridgeId(p, off + 17)}, `;
  p.out += `CIST port-id ${hex4(p.u16(off + 25))},`;
  p.out += timers(p, off);
  p.out += `\n\tv3len ${p.u16(off + V3LEN)}, `;
  p.out += "MCID Name ";
  printUpToNul(p, off + 39, 32);
  p.out += `, rev ${p.u16(off + 71)},\n\t\tdigest ${digest(p, off + 73, 4)}, `;
  p.out += `CIST int-root-pathcost ${p.u32(off + 89)},`;
  p.out += `\n\tCIST bridge-id ${bridgeId(p, off + 93)}, `;
  p.out += `CIST remaining-hops ${p.u8(off + 101)}`;
  const v3len = p.u16(off + V3LEN);
  if (v3len <= 64) return;
  for (let len = v3len - 64, at = off + 102; len >= 16; len -= 16, at += 16) {
    const mflags = p.u8(at);
    p.out += `\n\tMSTI ${p.u16(at + 1) & 0xfff}, Flags [${bitNames(FLAGS, mflags, "none")}]` +
      `, port-role ${ROLES[(mflags >> 2) & 3]}`;
    p.out += `\n\t\tMSTI regional-root-id ${bridgeId(p, at + 1)}, pathcost ${p.u32(at + 9)}`;
    p.out += `\n\t\tMSTI bridge-prio ${p.u8(at + 13) >> 4}, port-prio ${p.u8(at + 14) >> 4}, hops ${
      p.u8(at + 15)
    }`;
  }
}

/** `words` 32-bit words at `off` in hex, as one run. */
function digest(p: Pkt, off: number, words: number): string {
  let s = "";
  for (let i = 0; i < words; i++) s += p.u32(off + 4 * i).toString(16).padStart(8, "0");
  return s;
}

function spbBpdu(p: Pkt, at: number): void {
  if (!p.verbose) return;
  p.out += `\n\tv4len ${p.u16(at)}, `;
  p.out += "AUXMCID Name ";
  printUpToNul(p, at + 3, 32);
  p.out += `, Rev ${p.u16(at + 35)},\n\t\tdigest ${digest(p, at + 37, 4)}`;
  const agreement = p.u8(at + 53);
  const format = p.u8(at + 55);
  const convention = p.u8(at + 56);
  p.out +=
    `\n\tAgreement num ${agreement >> 6}, Discarded Agreement num ${
      (agreement >> 4) & 3
    }, Agreement valid-flag ${(agreement >> 3) & 1},\n\tRestricted role-flag: ${
      (agreement >> 2) & 1
    }, Format id ${format >> 4} cap ${format}, Convention id ${
      convention >> 4
    } cap ${convention},` +
    `\n\tEdge count ${p.u16(at + 57)}, Agreement digest ${digest(p, at + 67, 5)}`;
}

/** The BPDU at `off`, `length` bytes. */
export function stp(p: Pkt, off: number, length: number): void {
  p.proto = "stp";
  if (length < 4) {
    p.out += " (invalid)";
    return;
  }
  if (p.u16(off) !== 0) {
    p.out += `unknown STP version, length ${length}`;
    return;
  }
  const version = p.u8(off + 2);
  p.out += `STP ${VERSIONS[version] ?? `Unknown STP protocol (0x${hex2(version)})`}`;
  if (VERSIONS[version] === undefined) return;
  const type = p.u8(off + 3);
  p.out += `, ${BPDU_TYPES[type] ?? `Unknown BPDU Type (0x${hex2(type)})`}`;
  if (type === 0x00) {
    if (length < BPDU_LEN - 1) p.out += " (invalid)";
    else configBpdu(p, off, length);
  } else if (type === 0x02) {
    if (version === 2) {
      if (length < BPDU_LEN) p.out += " (invalid)";
      else configBpdu(p, off, length);
    } else if (version === 3 || version === 4) {
      if (length < MSTP_MIN_LEN || p.u8(off + 35) !== 0) {
        p.out += " (invalid)";
        return;
      }
      const mstpLen = p.u16(off + V3LEN) + 2;
      if (length < BPDU_LEN + mstpLen) {
        p.out += " (invalid)";
        return;
      }
      mstpBpdu(p, off, length);
      if (version === 4) {
        const spbLen = p.u16(off + V3LEN + mstpLen) + 2;
        if (length < BPDU_LEN + mstpLen + spbLen || spbLen < SPB_MIN_LEN) {
          p.out += " (invalid)";
          return;
        }
        spbBpdu(p, off + BPDU_LEN + mstpLen);
      }
    }
  }
}
