/**
 * IEEE 802.2 LLC and SNAP (tcpdump's print-llc.c), the payload of an 802.3 frame: the LLC
 * header (with -e: `LLC, dsap STP (0x42) Individual, ssap ... , ctrl 0x03: `), then the
 * protocol its SAPs announce (STP, IPX, OSI, IP) or its SNAP header (an ethertype, a Cisco
 * protocol, a bridged frame), through the dispatch; what is not decoded gets tcpdump's
 * `src SSAP > dst DSAP Unnumbered, ui, Flags [Command], length N` and a hex dump.
 *
 * @module
 */
import { etherTypePrinter, llcSapPrinter, snapPrinter } from "./dispatch.ts";
import { ether } from "./ether.ts";
import { ETHERTYPES } from "./ethertypes.ts";
import { hex2, hex4, hexBytes, type Pkt } from "./printer.ts";

const SAPS: Record<number, string> = {
  0x00: "Null",
  0xff: "Global",
  0x02: "802.1B I",
  0x03: "802.1B G",
  0x06: "IP",
  0x04: "SNA",
  0x0e: "ProWay NM",
  0x42: "STP",
  0x4e: "RS511",
  0x7e: "ISO8208",
  0x8e: "ProWay",
  0xaa: "SNAP",
  0xe0: "IPX",
  0xf0: "NetBeui",
  0xfe: "OSI",
};

const U_COMMANDS: Record<number, string> = {
  0x03: "ui",
  0xe3: "test",
  0xaf: "xid",
  0x63: "ua",
  0x43: "disc",
  0x0f: "dm",
  0x6f: "sabme",
  0x87: "frmr",
};

/** tcpdump's llc_flag_values, by the SSAP's response bit or'ed with the poll/final bit. */
const FLAGS: Record<number, string> = {
  0: "Command",
  1: "Response",
  0x10: "Poll",
  0x11: "Final",
  0x100: "Poll",
  0x101: "Final",
};

const SUPERVISORY = ["Receiver Ready", "Receiver not Ready", "Reject"];

/** Organisation codes as tcpdump names them (its oui_values). */
export const OUIS: Record<number, string> = {
  0x000000: "Ethernet",
  0x00000c: "Cisco",
  0x00005e: "IANA",
  0x000081: "Nortel Networks SONMP",
  0x0000f8: "Cisco bridged",
  0x0080c2: "Ethernet bridged",
  0x00a03e: "ATM Forum",
  0x00e02f: "DOCSIS Spanning Tree",
  0x080007: "Appletalk",
  0x009069: "Juniper",
  0x080009: "Hewlett-Packard",
  0x00120f: "IEEE 802.3 Private",
  0x0012bb: "ANSI/TIA",
  0x001b21: "DCBX",
  0x002320: "Nicira Networks",
  0x5c16c7: "Big Switch Networks",
  0xb0d2f5: "Vello Systems",
  0x002481: "HP",
  0x0004ea: "HP-Labs",
  0x748771: "Infoblox Inc",
  0xa42305: "Open Networking Lab",
  0x00049f: "Freescale",
  0x0015ad: "Netronome",
  0x001018: "Broadcom",
  0x00e004: "PMC-Sierra",
  0xd0f0db: "Ericsson",
};

const CISCO_PIDS: Record<number, string> = {
  0x2000: "CDP",
  0x2003: "VTP",
  0x2004: "DTP",
  0x0111: "UDLD",
  0x010b: "PVST",
  0x010c: "VLAN Bridge",
};

const BRIDGED_PIDS: Record<number, string> = {
  0x0001: "Ethernet + FCS",
  0x0007: "Ethernet w/o FCS",
  0x0002: "802.4 + FCS",
  0x0008: "802.4 w/o FCS",
  0x0003: "Token Ring + FCS",
  0x0009: "Token Ring w/o FCS",
  0x0004: "FDDI + FCS",
  0x000a: "FDDI w/o FCS",
  0x0005: "802.6 + FCS",
  0x000b: "802.6 w/o FCS",
  0x000e: "BPDU",
};

/** The PID's name under an organisation code (tcpdump's oui_to_struct_tok). */
function pidName(oui: number, pid: number): string {
  let name: string | undefined;
  if (oui === 0x000000 || oui === 0x0000f8 || oui === 0x080007) name = ETHERTYPES[pid];
  else if (oui === 0x00000c) name = CISCO_PIDS[pid];
  else if (oui === 0x0080c2) name = BRIDGED_PIDS[pid];
  return name ?? "Unknown";
}

/**
 * The 802.3 frame's LLC payload at `off`, `length` bytes (the length field, or what the frame
 * holds if less), in the Ethernet frame at `frame`; `printedLength`: -e already printed the
 * frame's length (a VLAN tag's line), so tcpdump prints "802.3" alone.
 */
export function llc(p: Pkt, frame: number, off: number, length: number, printedLength: boolean) {
  // tcpdump cuts the capture at the end the length field gives.
  if (p.end > off + length) p.end = off + length;
  if (p.link) p.out += "802.3" + (printedLength ? "" : `, length ${length}: `);
  llcPayload(p, frame, off, length);
}

/**
 * The LLC header at `off` and what it carries (tcpdump's llc_print with the hex dump its caller
 * adds when the payload is unknown). Also what an Ethernet "Jumbo" (0x8870) type carries.
 */
export function llcPayload(p: Pkt, frame: number, off: number, length: number): void {
  if (llcHeader(p, frame, off, length) < 0) p.defaultPrint(off, Math.max(0, p.end - off));
}

/** Prints tcpdump's " [|llc]" and dumps what there is (even with -x, as tcpdump does). */
function llcTruncated(p: Pkt, off: number, caplen: number): void {
  p.out += " [|llc]";
  p.defaultPrint(off, caplen, true);
}

/**
 * tcpdump's llc_print: the header's length when it printed the payload, its negative when the
 * payload is unknown (the caller dumps it).
 */
function llcHeader(p: Pkt, frame: number, off: number, length: number): number {
  p.proto = "llc";
  const caplen = Math.max(0, p.end - off);
  if (caplen < 3 || length < 3) {
    llcTruncated(p, off, caplen);
    return 1;
  }
  const dsapField = p.u8(off);
  const ssapField = p.u8(off + 1);
  let control = p.u8(off + 2);
  const isU = (control & 3) === 3;
  let hdrlen = 3;
  if (!isU) {
    if (caplen < 4 || length < 4) {
      llcTruncated(p, off, caplen);
      return 1;
    }
    control = control | (p.u8(off + 3) << 8); // little-endian
    hdrlen = 4;
  }
  if (dsapField === 0xff && ssapField === 0xff) {
    // Novell "raw" 802.3: IPX right after the length field, no LLC header (registered as the
    // global SAP's printer).
    const raw = llcSapPrinter(0xff);
    if (raw !== undefined) {
      raw(p, off, length);
      return 0;
    }
  }
  const dsap = dsapField & 0xfe;
  const ssap = ssapField & 0xfe;
  if (p.link) {
    p.out +=
      `LLC, dsap ${SAPS[dsap] ?? "Unknown"} (0x${hex2(dsap)}) ${
        dsapField & 1 ? "Group" : "Individual"
      }, ssap ${SAPS[ssap] ?? "Unknown"} (0x${hex2(ssap)}) ${
        ssapField & 1 ? "Response" : "Command"
      }` +
      (isU ? `, ctrl 0x${hex2(control)}: ` : `, ctrl 0x${hex4(control)}: `);
  }
  const at = off + hdrlen;
  const rest = length - hdrlen;
  if (ssap === dsap && control === 0x03) {
    if (dsap === 0xaa) return snap(p, frame, at, rest) ? hdrlen + 5 : -(hdrlen + 5);
    const printer = llcSapPrinter(dsap);
    if (printer !== undefined) {
      printer(p, at, rest);
      return hdrlen;
    }
  }
  if (!p.link) {
    const src = hexBytes(p.d, frame + 6, 6, ":");
    const dst = hexBytes(p.d, frame, 6, ":");
    p.out += ssap === dsap
      ? `${src} > ${dst} ${SAPS[dsap] ?? `Unknown DSAP 0x${hex2(dsap)}`} `
      : `${src} ${SAPS[ssap] ?? `Unknown SSAP 0x${hex2(ssap)}`} > ${dst} ${
        SAPS[dsap] ?? `Unknown DSAP 0x${hex2(dsap)}`
      } `;
  }
  if (isU) {
    const cmd = control & 0xef;
    p.out += `Unnumbered, ${U_COMMANDS[cmd] ?? hex2(cmd)}, Flags [${
      FLAGS[(ssapField & 1) | (control & 0x10)]
    }], length ${length}`;
    if (cmd === 0xaf) return xid(p, at, rest, hdrlen);
    return -hdrlen;
  }
  const flags = FLAGS[(ssapField & 1) | (control & 0x100)];
  const nr = (control >> 9) & 0x7f;
  if (control & 1) {
    p.out += `Supervisory, ${
      SUPERVISORY[(control >> 2) & 3] ?? "?"
    }, rcv seq ${nr}, Flags [${flags}], length ${length}`;
    return hdrlen;
  }
  p.out += `Information, send seq ${
    (control >> 1) & 0x7f
  }, rcv seq ${nr}, Flags [${flags}], length ${length}`;
  return -hdrlen;
}

/** An XID frame's payload: tcpdump prints the two bytes after the IEEE format identifier. */
function xid(p: Pkt, at: number, length: number, hdrlen: number): number {
  if (length === 0) return hdrlen;
  const caplen = Math.max(0, p.end - at);
  if (caplen < 1) {
    p.out += " [|llc]";
    return hdrlen;
  }
  if (p.d[at] !== 0x81) return -hdrlen;
  if (caplen < 3 || length < 3) llcTruncated(p, at, caplen);
  else p.out += `: ${hex2(p.d[at + 1])} ${hex2(p.d[at + 2])}`;
  return hdrlen;
}

/**
 * The SNAP header at `off` and what it announces (tcpdump's snap_print); false when that is
 * unknown, after printing the header (the caller dumps the frame).
 */
function snap(p: Pkt, frame: number, off: number, length: number): boolean {
  p.proto = "snap";
  if (!p.has(off, 5) || length < 5) {
    p.out += " [|snap]";
    return true;
  }
  const oui = (p.d[off] << 16) | (p.d[off + 1] << 8) | p.d[off + 2];
  const pid = p.u16(off + 3);
  if (p.link) {
    p.out += `oui ${OUIS[oui] ?? "Unknown"} (0x${oui.toString(16).padStart(6, "0")}), ${
      oui === 0 ? "ethertype" : "pid"
    } ${pidName(oui, pid)} (0x${hex4(pid)}), length ${length - 5}: `;
  }
  const at = off + 5;
  const rest = length - 5;
  if (oui === 0x000000 || oui === 0x0000f8 || (oui === 0x080007 && pid === 0x809b)) {
    const printer = etherTypePrinter(pid);
    if (printer !== undefined) {
      printer(p, at, rest);
      return true;
    }
  } else if (oui === 0x0080c2 && (pid === 0x0001 || pid === 0x0007)) {
    // A bridged Ethernet frame (RFC 2684), after two bytes of padding.
    p.need(at, 2);
    ether(p, at + 2, rest - 2);
    return true;
  } else {
    const printer = snapPrinter(oui, pid);
    if (printer !== undefined) {
      printer(p, at, rest);
      return true;
    }
  }
  if (!p.link) {
    p.out += `${hexBytes(p.d, frame + 6, 6, ":")} > ${hexBytes(p.d, frame, 6, ":")} `;
    p.out += oui === 0
      ? `SNAP, ethertype ${ETHERTYPES[pid] ?? "Unknown"} (0x${hex4(pid)}), length ${rest}: `
      : `SNAP, oui ${OUIS[oui] ?? "Unknown"} (0x${oui.toString(16).padStart(6, "0")}), pid ${
        pidName(oui, pid)
      } (0x${hex4(pid)}), length ${rest}: `;
  }
  return false;
}
