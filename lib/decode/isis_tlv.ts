/**
 * IS-IS TLV parts (tcpdump's print-isoclns.c): system, node and LSP ids, NSAP addresses, NLPIDs,
 * the OSI checksum, multi-topology ids, the SPB sub-TLVs of the port and MT capability TLVs,
 * the router capability sub-TLVs, and the TLVs that stand alone (authentication, adjacency
 * state, shared risk link group, purge originator, restart, IDRP). isis.ts walks the TLVs;
 * reachability is in isis_reach.ts.
 *
 * @module
 */
import { hex2, hex4, type Pkt } from "./printer.ts";
import { type BitNames, bitNames, printUpToNul } from "./tokens.ts";

/** A system id (6 bytes), node id (7) or LSP id (8): `1921.6800.1001.00-00`. */
export function isisId(p: Pkt, off: number, len: number): string {
  p.need(off, len);
  const d = p.d;
  let s = "";
  for (let i = 0; i < Math.min(6, len); i++) {
    s += hex2(d[off + i]);
    if (i === 1 || i === 3) s += ".";
  }
  if (len >= 7) s += "." + hex2(d[off + 6]);
  if (len === 8) s += "-" + hex2(d[off + 7]);
  return s;
}

/** An OSI NSAP address as tcpdump prints it: `49.0001.1921.6800.1001`. */
export function nsap(p: Pkt, off: number, len: number): string {
  p.need(off, len);
  if (len < 1 || len > 20) return "isonsap_string: illegal length";
  let s = "";
  for (let i = 0; i < len; i++) {
    s += hex2(p.d[off + i]);
    if ((i & 1) === 0 && i + 1 < len) s += ".";
  }
  return s;
}

const MT_NAMES: Record<number, string> = {
  0: "IPv4 unicast",
  1: "In-Band Management",
  2: "IPv6 unicast",
  3: "Multicast",
  4095: "Development, Experimental or Proprietary",
};
const MT_FLAGS: BitNames = [[0x4000, "ATT bit set"], [0x8000, "Overload bit set"]];

/** A multi-topology id: its length (2), or 0 when it does not fit. */
export function mtId(p: Pkt, off: number, ident: string, remaining: number): number {
  if (remaining < 2) return 0;
  const v = p.u16(off);
  p.out += `${ident}${MT_NAMES[v & 0xfff] ?? "Reserved for IETF Consensus"}`;
  p.out += ` Topology (0x${(v & 0xfff).toString(16).padStart(3, "0")}), Flags: [${
    bitNames(MT_FLAGS, v & 0xf000, "none")
  }]`;
  return 2;
}

const PORT_CAP_SUBTLVS: Record<number, string> = { 4: "SPB MCID", 5: "SPB Digest", 6: "SPB BVID" };
const MT_CAP_SUBTLVS: Record<number, string> = {
  1: "SPB Instance",
  3: "SPBM Service Identifier and Unicast Address",
};

function mcid(p: Pkt, at: number): void {
  if (!p.has(at, 51)) {
    p.out += " [|isis]";
    return;
  }
  p.out += `ID: ${p.u8(at)}, Name: `;
  printUpToNul(p, at + 1, 32);
  p.out += `\n\t              Lvl: ${p.u16(at + 33)}, Digest: `;
  for (let i = 0; i < 16; i++) p.out += hex2(p.d[at + 35 + i]) + " ";
}

/**
 * The sub-TLVs of a port capability TLV (143). Like tcpdump, a problem ends the sub-TLVs with a
 * note (` (too short)`, ` [|isis]`) and the TLVs go on.
 */
export function portCapSubTlvs(p: Pkt, at: number, len: number): void {
  while (len > 2) {
    const type = p.u8(at);
    let slen = p.u8(at + 1);
    p.out += `\n\t       ${PORT_CAP_SUBTLVS[type] ?? "unknown"} subTLV #${type}, length: ${slen}`;
    at += 2;
    len -= 2;
    if (len < slen) return void (p.out += " (> containing TLV length)");
    if (!p.has(at, slen)) return void (p.out += " [|isis]");
    if (type === 4) {
      if (slen < 102) return void (p.out += " (too short)");
      p.out += "\n\t         MCID: ";
      mcid(p, at);
      p.out += "\n\t         AUX-MCID: ";
      mcid(p, at + 51);
      at += 102;
      len -= 102;
      slen -= 102;
    } else if (type === 5) {
      if (slen < 33) return void (p.out += " (too short)");
      const b = p.u8(at);
      p.out += `\n\t        RES: ${b >> 5} V: ${(b >> 4) & 1} A: ${(b >> 2) & 3} D: ${b & 3}`;
      p.out += "\n\t         Digest: ";
      for (let i = 1; i <= 8; i++) {
        p.out += p.u32(at + 1 + 4 * (i - 1)).toString(16).padStart(8, "0") + " ";
        if (i % 4 === 0 && i !== 8) p.out += "\n\t                 ";
      }
      at += 33;
      len -= 33;
      slen -= 33;
    } else if (type === 6) {
      while (slen !== 0) {
        if (slen < 4) return void (p.out += " (too short)");
        p.out += `\n\t           ECT: ${p.u32(at).toString(16).padStart(8, "0")}`;
        at += 4;
        len -= 4;
        slen -= 4;
        if (slen < 2) return void (p.out += " (too short)");
        const v = p.u16(at);
        p.out += ` BVID: ${v >> 4}, U:${(v >> 3) & 1} M:${(v >> 2) & 1} `;
        at += 2;
        len -= 2;
        slen -= 2;
      }
    }
    at += slen;
    len -= slen;
  }
}

function hex8(p: Pkt, off: number): string {
  return p.u32(off).toString(16).padStart(8, "0");
}

/** The sub-TLVs of an MT capability TLV (144), ended like {@link portCapSubTlvs}. */
export function mtCapSubTlvs(p: Pkt, at: number, len: number): void {
  while (len > 2) {
    const type = p.u8(at);
    let slen = p.u8(at + 1);
    at += 2;
    len -= 2;
    p.out += `\n\t      ${MT_CAP_SUBTLVS[type] ?? "unknown"} subTLV #${type}, length: ${slen}`;
    if (len < slen) return void (p.out += " (> containing TLV length)");
    if (!p.has(at, slen)) return void (p.out += " [|isis]");
    if (type === 1) {
      if (slen < 19) return void (p.out += " (too short)");
      p.out += `\n\t        CIST Root-ID: ${hex8(p, at)} ${hex8(p, at + 4)}, Path Cost: ${
        hex8(p, at + 8)
      }, Prio: ${p.u16(at + 12)}`;
      p.out += `\n\t        RES: ${p.u16(at + 14) >> 5}, V: ${(p.u16(at + 14) >> 4) & 1}` +
        `, SPSource-ID: ${p.u32(at + 14) & 0xfffff}, No of Trees: ${p.u8(at + 18).toString(16)}`;
      let trees = p.u8(at + 18);
      at += 19;
      len -= 19;
      slen -= 19;
      for (; trees > 0; trees--) {
        if (slen < 8) return void (p.out += " [|isis]");
        const b = p.u8(at);
        p.out += `\n\t         U:${b >> 7}, M:${(b >> 6) & 1}, A:${(b >> 5) & 1}, RES:${b & 0x1f}`;
        p.out += `, ECT: ${hex8(p, at + 1)}`;
        const v = p.u16(at + 5) * 256 + p.u8(at + 7);
        p.out += `, BVID: ${(v >> 12) & 0xfff}, SPVID: ${v & 0xfff}`;
        at += 8;
        len -= 8;
        slen -= 8;
      }
    } else if (type === 3) {
      if (slen < 8) return void (p.out += " [|isis]");
      p.out += `\n\t        BMAC: ${p.u32(at).toString(16).padStart(8, "0")}${hex4(p.u16(at + 4))}`;
      const v = p.u16(at + 6);
      p.out += `, RES: ${v >> 12}, VID: ${v & 0xfff}`;
      at += 8;
      len -= 8;
      slen -= 8;
      for (; slen >= 4; at += 4, len -= 4, slen -= 4) {
        const w = p.u32(at);
        p.out += `\n\t        T: ${w >>> 31}, R: ${(w >> 30) & 1}, RES: ${(w >> 24) & 0x3f}` +
          `, ISID: ${w & 0xffffff}`;
      }
    }
    at += slen;
    len -= slen;
  }
}

/** The sub-TLVs of a router capability TLV (242). */
export function routerCapSubTlvs(p: Pkt, at: number, len: number): void {
  while (len >= 2) {
    const type = p.u8(at);
    const slen = p.u8(at + 1);
    len -= 2;
    at += 2;
    p.out += `\n\t\t${type === 2 ? "SR-Capabilities" : "unknown"} subTLV #${type}, length: ${slen}`;
    // tcpdump stops quietly where a sub-TLV is not captured.
    if (slen > len || !p.has(at, slen)) return;
    if (type === 2) {
      const flags = p.u8(at);
      p.out += `, Flags [${bitNames([[0x80, "ipv4"], [0x40, "ipv6"]], flags, "None")}], Range ${
        p.u16(at + 1) * 256 + p.u8(at + 3)
      }`;
      let sp = at + 4;
      let stlen = (slen - 4) & 0xff; // tcpdump's uint8_t
      while (stlen >= 5) {
        const st = p.u8(sp);
        const sl = p.u8(sp + 1);
        stlen -= 2;
        sp += 2;
        if (sl > stlen) break;
        if (st === 1) {
          if (sl === 3) p.out += `, SID value ${p.u16(sp) * 256 + p.u8(sp + 2)}`;
          else if (sl === 4) p.out += `, SID value ${p.u32(sp)}`;
          else p.out += `, Unknown SID length${sl}`;
        } else {
          p.unknownData(sp, sl, "\n\t\t  ");
        }
        sp += sl;
        stlen -= sl;
      }
    } else {
      p.unknownData(at, slen, "\n\t\t");
    }
    len -= slen;
    at += slen;
  }
}

/** Network layer protocol ids (tcpdump's nlpid_values). */
export const NLPIDS: Record<number, string> = {
  0x00: "NULL",
  0x08: "Q.933",
  0x09: "LMI",
  0x80: "SNAP",
  0x81: "CLNP",
  0x82: "ES-IS",
  0x83: "IS-IS",
  0x84: "CONS",
  0x85: "IDRP",
  0xc1: "ISIS_SPB",
  0xb1: "FRF.15",
  0xcc: "IPv4",
  0xcf: "PPP",
  0x8a: "X25 ES-IS",
  0x8e: "IPv6",
};

/** The OSI checksum of `len` bytes at `off` with the checksum at `at` (tcpdump's create_osi_cksum). */
function osiChecksum(d: Uint8Array, off: number, at: number, len: number): number {
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < len; i++) {
    if (i !== at && i !== at + 1) c0 += d[off + i];
    c1 += c0;
  }
  c0 %= 255;
  c1 %= 255;
  const mul = ((len - at) * c0) >>> 0;
  let x = (mul - c0 - c1) | 0;
  let y = (c1 - mul - 1) | 0;
  if (y >= 0) y++;
  if (x < 0) x--;
  x %= 255;
  y %= 255;
  if (x === 0) x = 255;
  if (y === 0) y = 255;
  return ((x << 8) | (y & 0xff)) & 0xffff;
}

/** tcpdump's osi_print_cksum verdict. */
export function checksumVerdict(
  p: Pkt,
  off: number,
  carried: number,
  at: number,
  len: number,
): string {
  if (carried === 0 || at < 0 || !p.has(off + at, 2) || at > len || !p.has(off, len)) {
    return " (unverified)";
  }
  const computed = osiChecksum(p.d, off, at, len);
  return computed === carried ? " (correct)" : ` (incorrect should be 0x${hex4(computed)})`;
}

/** The indent of a TLV's lines. */
export const IDENT = "\n\t      ";

const ADJACENCY_STATES: Record<number, string> = { 0: "Up", 1: "Initializing", 2: "Down" };
const AUTH_TYPES: Record<number, string> = {
  1: "simple text password",
  3: "Generic Crypto key-id",
  54: "HMAC-MD5 password",
  255: "Routing Domain private password",
};
const IDRP_TYPES: Record<number, string> = {
  0: "Reserved",
  1: "Routing-Domain Specific",
  2: "AS Number Tag",
};
const RESTART_FLAGS: BitNames = [
  [0x1, "Restart Request"],
  [0x2, "Restart Acknowledgement"],
  [0x4, "Suppress adjacency advertisement"],
];

/** The authentication TLV (10). */
export function auth(p: Pkt, at: number, len: number): boolean {
  if (len < 1) return true;
  const kind = p.u8(at);
  at++;
  len--;
  p.out += `${IDENT}${AUTH_TYPES[kind] ?? `unknown Authentication type 0x${hex2(kind)}`}: `;
  if (kind === 1) {
    printUpToNul(p, at, len);
  } else if (kind === 54) {
    for (let i = 0; i < len; i++) p.out += hex2(p.u8(at + i));
    if (len !== 16) p.out += ", (invalid subTLV) ";
    // Verifying the signature needs a secret (tcpdump's -M), which is never given here.
    p.out += " (unchecked)";
  } else if (kind === 3) {
    if (len < 2) return true;
    p.out += `${p.u16(at)}, password: `;
    for (let i = 2; i < len; i++) p.out += hex2(p.u8(at + i));
  } else {
    p.unknownData(at, len, "\n\t\t  ");
  }
  return true;
}

/** The point-to-point adjacency state TLV (240). */
export function adjacency(p: Pkt, at: number, len: number): void {
  if (len >= 1) {
    const s = p.u8(at);
    p.out += `${IDENT}Adjacency State: ${ADJACENCY_STATES[s] ?? "unknown"} (${s})`;
    len--;
  }
  if (len > 4) {
    p.out += `${IDENT}Extended Local circuit-ID: 0x${p.u32(at + 1).toString(16).padStart(8, "0")}`;
    len -= 4;
  }
  if (len >= 6) {
    p.out += `${IDENT}Neighbor System-ID: ${isisId(p, at + 5, 6)}`;
    len -= 6;
  }
  if (len >= 4) {
    p.out += `${IDENT}Neighbor Extended Local circuit-ID: 0x${
      p.u32(at + 11).toString(16).padStart(8, "0")
    }`;
  }
}

/** The shared risk link group TLV (138). */
export function sharedRiskGroup(p: Pkt, at: number, len: number): void {
  if (len < 7) return;
  p.out += `${IDENT}IS Neighbor: ${isisId(p, at, 7)}`;
  at += 7;
  len -= 7;
  if (len < 1) return;
  p.out += `, Flags: [${p.u8(at) & 1 ? "numbered" : "unnumbered"}]`;
  at++;
  len--;
  if (len < 4) return;
  p.out += `${IDENT}IPv4 interface address: ${p.ip4(at)}`;
  at += 4;
  len -= 4;
  if (len < 4) return;
  p.out += `${IDENT}IPv4 neighbor address: ${p.ip4(at)}`;
  at += 4;
  len -= 4;
  for (; len >= 4; at += 4, len -= 4) {
    p.out += `${IDENT}Link-ID: 0x${p.u32(at).toString(16).padStart(8, "0")}`;
  }
}

/** The purge originator identification TLV (13). */
export function purgeOriginator(p: Pkt, at: number, len: number): void {
  if (len < 1) return;
  const n = p.u8(at);
  at++;
  len--;
  if (n === 0) {
    p.out += " No system IDs supplied";
    return;
  }
  if (len < 6) return;
  p.out += `${IDENT}Purge Originator System-ID: ${isisId(p, at, 6)}`;
  if (n > 1 && len - 6 >= 6) {
    p.need(at + 6, 13);
    p.out += `${IDENT}Received from System-ID: ${isisId(p, at + 6, 6)}`;
  }
}

/** The restart signaling TLV (211). */
export function restart(p: Pkt, at: number, len: number): void {
  if (len < 1) return;
  p.out += `${IDENT}Flags [${bitNames(RESTART_FLAGS, p.u8(at), "none")}]`;
  if (len === 1 || len < 3) return;
  p.out += `, Remaining holding time ${p.u16(at + 1)}s`;
  if (len - 3 === 6) p.out += `, for ${isisId(p, at + 3, 6)}`;
}

/** The inter-domain routing protocol information TLV (131). */
export function idrp(p: Pkt, at: number, len: number): boolean {
  if (len < 1) return true;
  const kind = p.u8(at);
  p.out += `${IDENT}Inter-Domain Information Type: ${
    IDRP_TYPES[kind] ?? `Unknown (0x${hex2(kind)})`
  }`;
  if (kind === 2) {
    if (len - 1 >= 2) p.out += `AS Number: ${p.u16(at + 1)}`;
  } else {
    p.unknownData(at + 1, len - 1, IDENT);
  }
  return true;
}
