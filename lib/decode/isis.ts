/**
 * OSI network layer protocols by NLPID (tcpdump's isoclns_print) and IS-IS (its isis_print):
 * at default verbosity the PDU type and ids on one line, with -v the header fields and every
 * TLV on lines of their own, with -vv hex dumps of each. Carried by LLC SAP 0xfe and the
 * Cisco ethertype 0xfefe. Shared TLV parts: isis_tlv.ts.
 *
 * @module
 */
import { clnp, esis } from "./clnp.ts";
import { etherTypePrinter } from "./dispatch.ts";
import {
  adjacency,
  auth,
  checksumVerdict,
  IDENT,
  idrp,
  isisId,
  mtCapSubTlvs,
  mtId,
  NLPIDS,
  nsap,
  portCapSubTlvs,
  purgeOriginator,
  restart,
  routerCapSubTlvs,
  sharedRiskGroup,
} from "./isis_tlv.ts";
import { extIpReach, extIsReach, ipReach, metricBlock, prefixNeighbors } from "./isis_reach.ts";
import { OUIS } from "./llc.ts";
import { ppp } from "./ppp.ts";
import { hex2, hex4, type Pkt, TRUNCATED } from "./printer.ts";
import { type BitNames, bitNames, printUpToNul } from "./tokens.ts";

const PDU_TYPES: Record<number, string> = {
  15: "L1 Lan IIH",
  16: "L2 Lan IIH",
  17: "p2p IIH",
  18: "L1 LSP",
  20: "L2 LSP",
  24: "L1 CSNP",
  25: "L2 CSNP",
  26: "L1 PSNP",
  27: "L2 PSNP",
};

const TLVS: Record<number, string> = {
  1: "Area address(es)",
  2: "IS Reachability",
  3: "ES Neighbor(s)",
  4: "Partition DIS",
  5: "Prefix Neighbors",
  6: "IS Neighbor(s)",
  7: "Instance Identifier",
  8: "Padding",
  9: "LSP entries",
  10: "Authentication",
  12: "Checksum",
  13: "Purge Originator Identifier",
  14: "LSP Buffersize",
  22: "Extended IS Reachability",
  24: "IS Alias ID",
  42: "DECnet Phase IV",
  66: "Lucent Proprietary",
  128: "IPv4 Internal Reachability",
  129: "Protocols supported",
  130: "IPv4 External Reachability",
  131: "Inter-Domain Information Type",
  132: "IPv4 Interface address(es)",
  133: "IPv4 authentication (deprecated)",
  134: "Traffic Engineering Router ID",
  135: "Extended IPv4 Reachability",
  138: "Shared Risk Link Group",
  143: "Multi-Topology-Aware Port Capability",
  144: "Multi-Topology Capability",
  176: "Nortel Proprietary",
  177: "Nortel Proprietary",
  137: "Hostname",
  211: "Restart Signaling",
  222: "Multi Topology IS Reachability",
  229: "Multi Topology",
  232: "IPv6 Interface address(es)",
  235: "Multi-Topology IPv4 Reachability",
  236: "IPv6 reachability",
  237: "Multi-Topology IP6 Reachability",
  240: "Point-to-point Adjacency State",
  241: "Hello PDU Sequence Number",
  242: "IS-IS Router Capability",
  250: "Vendor Private",
};

const CIRCUIT_TYPES: Record<number, string> = {
  1: "Level 1 only",
  2: "Level 2 only",
  3: "Level 1, Level 2",
};
const IS_TYPES = ["Unused 0x0 (invalid)", "L1 IS", "Unused 0x2 (invalid)", "L2 IS"];
const ROUTER_CAP_FLAGS: BitNames = [[0x01, "S bit"], [0x02, "D bit"]];

/** Fixed header lengths after the 8-byte common header, by PDU type. */
const HEADER_LEN: Record<number, number> = {
  15: 19,
  16: 19,
  17: 12,
  18: 19,
  20: 19,
  24: 25,
  25: 25,
  26: 9,
  27: 9,
};

/** The OSI packet at `off` by its NLPID (tcpdump's isoclns_print). */
export function isoclns(p: Pkt, off: number, length: number): void {
  p.proto = "isoclns";
  const nlpid = p.u8(off);
  if (p.link) p.out += `OSI NLPID ${NLPIDS[nlpid] ?? "Unknown"} (0x${hex2(nlpid)}): `;
  const sep = p.link ? "" : ", ";
  switch (nlpid) {
    case 0x81:
      if (!clnp(p, off, length)) p.unknownData(off, length, "\n\t");
      return;
    case 0x82:
      return esis(p, off, length);
    case 0x83:
      if (!isis(p, off, length)) p.unknownData(off, length, "\n\t");
      return;
    case 0x00:
      p.out += `${sep}length: ${length}`;
      return;
    case 0xcf:
      return ppp(p, off + 1, length - 1);
    case 0xcc:
    case 0x8e: {
      const printer = etherTypePrinter(nlpid === 0xcc ? 0x0800 : 0x86dd);
      if (printer !== undefined) return printer(p, off + 1, length - 1);
    }
  }
  if (!p.link) p.out += `OSI NLPID 0x${hex2(nlpid)} unknown`;
  p.out += `${sep}length: ${length}`;
  if (length > 1) p.unknownData(off, length, "\n\t");
}

/** OSI over Cisco's ethertype 0xfefe: one byte, then the NLPID. */
export function isoEthertype(p: Pkt, off: number, length: number): void {
  if (length === 0 || p.end <= off) {
    p.proto = "isoclns";
    throw TRUNCATED;
  }
  isoclns(p, off + 1, length - 1);
}

/**
 * An IS-IS PDU at `off`, `length` bytes; false when tcpdump gives up on its header (the caller
 * then dumps it).
 */
export function isis(p: Pkt, off: number, length: number): boolean {
  p.proto = "isis";
  p.need(off, 8);
  if (length < 8) throw TRUNCATED;
  if (!p.link) p.out += "IS-IS";
  const version = p.u8(off + 2);
  if (version !== 1) return notSupported(p, `version ${version} packet not supported`);
  const idLen = p.u8(off + 3);
  if (idLen !== 6 && idLen !== 0) {
    return notSupported(p, `system ID length of ${idLen} is not supported`);
  }
  const pduVersion = p.u8(off + 5);
  if (pduVersion !== 1) return notSupported(p, `version ${pduVersion} packet not supported`);
  const fixedLen = p.u8(off + 1);
  if (length < fixedLen) {
    return notSupported(p, `fixed header length ${fixedLen} > packet length ${length}`);
  }
  if (fixedLen < 8) {
    return notSupported(p, `fixed header length ${fixedLen} < minimum header size 8`);
  }
  const maxAreaField = p.u8(off + 7);
  if (maxAreaField === 255) return notSupported(p, "bad packet -- 255 areas");
  const type = p.u8(off + 4);
  const sep = p.link ? "" : ", ";
  if (!p.verbose) {
    p.out += `${sep}${PDU_TYPES[type] ?? `unknown PDU-Type ${type}`}`;
  } else {
    p.out += `${sep}length ${length}`;
    p.out += `\n\t${PDU_TYPES[type] ?? `unknown, type ${type}`}, hlen: ${fixedLen}, v: ${version}` +
      `, pdu-v: ${pduVersion}, sys-id-len: 6 (${idLen}), max-area: ${
        maxAreaField === 0 ? 3 : maxAreaField
      } (${maxAreaField})`;
    if (p.verbosity > 1) p.unknownData(off, 8, "\n\t");
  }
  const hdr = off + 8;
  const hdrLen = HEADER_LEN[type];
  if (hdrLen === undefined) {
    if (!p.verbose) {
      p.out += `, length ${length}`;
      return true;
    }
    p.unknownData(hdr, length, "\n\t  ");
    return false;
  }
  if (fixedLen !== 8 + hdrLen) {
    const want = type === 18 || type === 20 ? hdrLen : 8 + hdrLen;
    p.out += `${type >= 26 ? "- " : ", "}bogus fixed header length ${fixedLen} should be ${want}`;
    return false;
  }
  p.need(hdr, hdrLen);
  if (length < 8 + hdrLen) throw TRUNCATED;
  if (!p.verbose) {
    p.out += briefHeader(p, type, hdr) + `, length ${length}`;
    return true;
  }
  const pduLen = p.u16(type <= 17 ? hdr + 9 : hdr);
  let packetLen = length;
  if (packetLen > pduLen) {
    packetLen = pduLen;
    length = pduLen;
  }
  verboseHeader(p, type, hdr, pduLen, off, length);
  if (p.verbosity > 1) p.unknownData(hdr, hdrLen, "\n\t  ");
  if (packetLen < 8 + hdrLen) {
    p.out += ` [packet length ${packetLen} < ${8 + hdrLen}] (invalid)`;
    return true;
  }
  tlvs(p, off, hdr + hdrLen, packetLen - 8 - hdrLen, length);
  return true;
}

function notSupported(p: Pkt, text: string): false {
  p.out += text;
  return false;
}

/** The default line's ids after the PDU type. */
function briefHeader(p: Pkt, type: number, hdr: number): string {
  switch (type) {
    case 15:
    case 16:
      return `, src-id ${isisId(p, hdr + 1, 6)}, lan-id ${isisId(p, hdr + 12, 7)}, prio ${
        p.u8(hdr + 11)
      }`;
    case 17:
      return `, src-id ${isisId(p, hdr + 1, 6)}`;
    case 18:
    case 20:
      return `, lsp-id ${isisId(p, hdr + 4, 8)}, seq 0x${
        p.u32(hdr + 12).toString(16).padStart(8, "0")
      }, lifetime ${String(p.u16(hdr + 2)).padStart(5)}s`;
    default:
      return `, src-id ${isisId(p, hdr + 2, 7)}`;
  }
}

function circuitType(c: number): string {
  return CIRCUIT_TYPES[c] ?? `unknown circuit type 0x${hex2(c)}`;
}

function verboseHeader(
  p: Pkt,
  type: number,
  hdr: number,
  pduLen: number,
  off: number,
  length: number,
): void {
  switch (type) {
    case 15:
    case 16:
      p.out += `\n\t  source-id: ${isisId(p, hdr + 1, 6)},  holding time: ${
        p.u16(hdr + 7)
      }s, Flags: [${circuitType(p.u8(hdr))}]`;
      p.out += `\n\t  lan-id:    ${isisId(p, hdr + 12, 7)}, Priority: ${
        p.u8(hdr + 11) & 0x7f
      }, PDU length: ${pduLen}`;
      return;
    case 17:
      p.out += `\n\t  source-id: ${isisId(p, hdr + 1, 6)}, holding time: ${
        p.u16(hdr + 7)
      }s, Flags: [${circuitType(p.u8(hdr))}]`;
      p.out += `\n\t  circuit-id: 0x${hex2(p.u8(hdr + 11))}, PDU length: ${pduLen}`;
      return;
    case 18:
    case 20: {
      const cksum = p.u16(hdr + 16);
      p.out += `\n\t  lsp-id: ${isisId(p, hdr + 4, 8)}, seq: 0x${
        p.u32(hdr + 12).toString(16).padStart(8, "0")
      }, lifetime: ${String(p.u16(hdr + 2)).padStart(5)}s\n\t  chksum: 0x${hex4(cksum)}`;
      p.out += checksumVerdict(p, off + 12, cksum, 12, length - 12);
      const tb = p.u8(hdr + 18);
      p.out += `, PDU length: ${pduLen}, Flags: [ ${tb & 0x4 ? "Overload bit set, " : ""}`;
      if (tb & 0x78) {
        p.out += (tb & 0x8 ? "default " : "") + (tb & 0x10 ? "delay " : "") +
          (tb & 0x20 ? "expense " : "") + (tb & 0x40 ? "error " : "") + "ATT bit set, ";
      }
      p.out += `${tb & 0x80 ? "P bit set, " : ""}${IS_TYPES[tb & 3]} ]`;
      return;
    }
    case 24:
    case 25:
      p.out += `\n\t  source-id:    ${isisId(p, hdr + 2, 7)}, PDU length: ${pduLen}`;
      p.out += `\n\t  start lsp-id: ${isisId(p, hdr + 9, 8)}`;
      p.out += `\n\t  end lsp-id:   ${isisId(p, hdr + 17, 8)}`;
      return;
    default:
      p.out += `\n\t  source-id:    ${isisId(p, hdr + 2, 7)}, PDU length: ${pduLen}`;
  }
}

/** The TLVs at `at`, `left` bytes; `off` and `length` are the PDU's (for checksums). */
function tlvs(p: Pkt, off: number, at: number, left: number, length: number): void {
  while (left > 0) {
    p.need(at, 2);
    if (left < 2) throw TRUNCATED;
    const type = p.u8(at);
    const len = p.u8(at + 1);
    at += 2;
    left -= 2;
    p.out += `\n\t    ${TLVS[type] ?? "unknown"} TLV #${type}, length: ${len}`;
    if (left < len) throw TRUNCATED;
    if (!tlv(p, type, at, len, off, length)) return;
    if (p.verbosity > 1) p.unknownData(at, len, "\n\t      ");
    at += len;
    left -= len;
  }
}

/**
 * The extended reachability entries of a TLV (IS entries for TLVs 22, 24 and 222, IPv4 for 135
 * and 235, IPv6 for 236 and 237); a cut entry ends the PDU as truncated (throws).
 */
function entries(p: Pkt, type: number, at: number, len: number): void {
  while (len !== 0) {
    const used = type === 22 || type === 24 || type === 222
      ? extIsReach(p, at, IDENT, type, len)
      : extIpReach(p, at, IDENT, type === 236 || type === 237);
    if (len < used) {
      p.out += ` [remaining tlv length ${len} < ${used}] (invalid)`;
      return;
    }
    len -= used;
    at += used;
  }
}

/** One TLV's value; false where tcpdump stops decoding the PDU without a mark. */
function tlv(p: Pkt, type: number, at: number, len: number, off: number, length: number): boolean {
  switch (type) {
    case 1:
      while (len !== 0) {
        const alen = p.u8(at);
        at++;
        len--;
        if (len < alen) break;
        p.out += `${IDENT}Area address (length: ${alen}): ${nsap(p, at, alen)}`;
        at += alen;
        len -= alen;
      }
      break;
    case 6:
      for (; len >= 6; at += 6, len -= 6) p.out += `${IDENT}SNPA: ${isisId(p, at, 6)}`;
      break;
    case 7: {
      if (len < 4) break;
      const n = (len - 2) >> 1;
      p.out += `${IDENT}Instance ID: ${p.u16(at)}, ITIDs(${n})${n ? ":" : ""} `;
      for (let i = 0; i < n; i++) p.out += `${p.u16(at + 2 + 2 * i)}${i < n - 1 ? ", " : ""}`;
      break;
    }
    case 222:
    case 235:
    case 237: {
      const used = mtId(p, at, IDENT, len);
      if (used === 0) throw TRUNCATED;
      entries(p, type, at + used, len - used);
      break;
    }
    case 22:
    case 24:
      entries(p, type, at, len);
      break;
    case 135:
    case 236:
      entries(p, type, at, len);
      break;
    case 2: {
      if (len < 1) break;
      const v = p.u8(at);
      p.out += `${IDENT}${
        v === 0 ? "IsNotVirtual" : v === 1 ? "IsVirtual" : `bogus virtual flag 0x${hex2(v)}`
      }`;
      for (at++, len--; len >= 11; at += 11, len -= 11) {
        p.need(at, 11);
        p.out += `${IDENT}IS Neighbor: ${isisId(p, at + 4, 7)}${metricBlock(p, at)}`;
      }
      break;
    }
    case 3:
      for (; len >= 10; at += 10, len -= 10) {
        p.need(at, 10);
        p.out += `${IDENT}ES Neighbor: ${isisId(p, at + 4, 6)}${metricBlock(p, at)}`;
      }
      break;
    case 128:
    case 130:
      if (!ipReach(p, at, len)) return false;
      break;
    case 232:
      for (; len >= 16; at += 16, len -= 16) {
        p.out += `${IDENT}IPv6 interface address: ${p.ip6(at)}`;
      }
      break;
    case 10:
      return auth(p, at, len);
    case 240:
      adjacency(p, at, len);
      break;
    case 129:
      p.out += `${IDENT}NLPID(s): `;
      for (; len !== 0; at++, len--) {
        const n = p.u8(at);
        p.out += `${NLPIDS[n] ?? "unknown"} (0x${hex2(n)})${len > 1 ? ", " : ""}`;
      }
      break;
    case 143: {
      if (len < 2) break;
      const v = p.u16(at);
      p.out += `\n\t       RES: ${v >> 12}, MTID(s): ${v & 0xfff}`;
      if (len > 2) portCapSubTlvs(p, at + 2, len - 2);
      break;
    }
    case 144: {
      if (len < 2) break;
      const v = p.u16(at);
      p.out += `${IDENT}O: ${(v >> 15) & 1}, RES: ${(v >> 12) & 7}, MTID(s): ${v & 0xfff}`;
      if (len > 2) mtCapSubTlvs(p, at + 2, len - 2);
      break;
    }
    case 134:
      if (len >= 4) p.out += `${IDENT}Traffic Engineering Router ID: ${p.ip4(at)}`;
      break;
    case 132:
      for (; len >= 4; at += 4, len -= 4) p.out += `${IDENT}IPv4 interface address: ${p.ip4(at)}`;
      break;
    case 137:
      p.out += `${IDENT}Hostname: `;
      printUpToNul(p, at, len);
      break;
    case 138:
      sharedRiskGroup(p, at, len);
      break;
    case 9:
      for (; len >= 16; at += 16, len -= 16) {
        p.need(at + 9, 1);
        p.out += `${IDENT}lsp-id: ${isisId(p, at + 2, 8)}`;
        p.out += `, seq: 0x${p.u32(at + 10).toString(16).padStart(8, "0")}`;
        p.out += `, lifetime: ${String(p.u16(at)).padStart(5)}s`;
        p.out += `, chksum: 0x${hex4(p.u16(at + 14))}`;
      }
      break;
    case 12:
      if (len < 2) break;
      p.need(at, 2);
      p.out += `${IDENT}checksum: 0x${hex4(p.u16(at))} ` +
        checksumVerdict(p, off, p.u16(at), at - off, length);
      break;
    case 13:
      purgeOriginator(p, at, len);
      break;
    case 229:
      while (len !== 0) {
        if (len === 1) {
          p.out += `${IDENT}invalid MT-ID`;
          break;
        }
        const used = mtId(p, at, IDENT, len);
        if (used === 0) throw TRUNCATED;
        at += used;
        len -= used;
      }
      break;
    case 211:
      restart(p, at, len);
      break;
    case 131:
      return idrp(p, at, len);
    case 14:
      if (len >= 2) p.out += `${IDENT}LSP Buffersize: ${p.u16(at)}`;
      break;
    case 4:
      for (; len >= 6; at += 6, len -= 6) p.out += `${IDENT}${isisId(p, at, 6)}`;
      break;
    case 5:
      prefixNeighbors(p, at, len);
      break;
    case 241:
      if (len >= 4) p.out += `${IDENT}Sequence number: ${p.u32(at)}`;
      break;
    case 242:
      if (len < 5) {
        p.out += ` [object length ${len} < 5] (invalid)`;
        break;
      }
      p.out += `${IDENT}Router-ID ${p.ip4(at)}`;
      p.out += `, Flags [${bitNames(ROUTER_CAP_FLAGS, p.u8(at + 4), "none")}]`;
      if (len > 5) routerCapSubTlvs(p, at + 5, len - 5);
      break;
    case 250: {
      if (len < 3) break;
      const vendor = p.u16(at) * 256 + p.u8(at + 2);
      p.out += `${IDENT}Vendor: ${OUIS[vendor] ?? "Unknown"} (${vendor})`;
      if (len > 3) p.unknownData(at + 3, len - 3, "\n\t\t");
      break;
    }
    case 8:
      break;
    default:
      if (p.verbosity <= 1) p.unknownData(at, len, "\n\t\t");
  }
  return true;
}
