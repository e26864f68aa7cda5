/**
 * BGP (TCP port 179; tcpdump's print-bgp.c): ": BGP" after the TCP summary, and at -v every
 * message of the segment: open (with capabilities), update (withdrawn routes, path attributes
 * in bgp_attr.ts, NLRI), notification (with RFC 9003 shutdown communications), keepalive and
 * route refresh.
 *
 * @module
 */
import { attribute, attributeHead } from "./bgp_attr.ts";
import { addPath, BGP_CUT, BgpCut, SAFIS } from "./bgp_nlri.ts";
import type { Pkt } from "./printer.ts";
import { printn } from "./text.ts";
import { ADDRESS_FAMILIES, decodePrefix, hexPrint, prefixText, unknownData } from "./tlv.ts";

const MESSAGES = ["", "Open", "Update", "Notification", "Keepalive", "Route Refresh"];
const CAPABILITIES: Record<number, string> = {
  1: "Multiprotocol Extensions",
  2: "Route Refresh",
  3: "Cooperative Route Filtering",
  4: "Multiple Routes to a Destination",
  5: "Extended Next Hop Encoding",
  8: "Multiple Labels",
  64: "Graceful Restart",
  65: "32-Bit AS Number",
  67: "Dynamic Capability",
  68: "Multisession BGP",
  69: "Multiple Paths",
  70: "Enhanced Route Refresh",
  71: "Long-lived Graceful Restart",
  128: "Route Refresh (Cisco)",
};
const MAJORS = [
  "",
  "Message Header Error",
  "OPEN Message Error",
  "UPDATE Message Error",
  "Hold Timer Expired",
  "Finite State Machine Error",
  "Cease",
  "Capability Message Error",
];
/** Subcode names by error code; the separator in front of them is tcpdump's. */
const MINORS: Record<number, readonly [string, Record<number, string>]> = {
  1: [", ", { 1: "Connection Not Synchronized", 2: "Bad Message Length", 3: "Bad Message Type" }],
  2: [", ", {
    1: "Unsupported Version Number",
    2: "Bad Peer AS",
    3: "Bad BGP Identifier",
    4: "Unsupported Optional Parameter",
    5: "Authentication Failure",
    6: "Unacceptable Hold Time",
    7: "Capability Message Error",
  }],
  3: [", ", {
    1: "Malformed Attribute List",
    2: "Unrecognized Well-known Attribute",
    3: "Missing Well-known Attribute",
    4: "Attribute Flags Error",
    5: "Attribute Length Error",
    6: "Invalid ORIGIN Attribute",
    7: "AS Routing Loop",
    8: "Invalid NEXT_HOP Attribute",
    9: "Optional Attribute Error",
    10: "Invalid Network Field",
    11: "Malformed AS_PATH",
  }],
  5: [" ", {
    0: "Unspecified Error",
    1: "In OpenSent State",
    2: "In OpenConfirm State",
    3: "In Established State",
  }],
  7: [" ", {
    1: "Invalid Action Value",
    2: "Invalid Capability Length",
    3: "Malformed Capability Value",
    4: "Unsupported Capability Code",
  }],
  6: [", ", {
    1: "Maximum Number of Prefixes Reached",
    2: "Administrative Shutdown",
    3: "Peer Unconfigured",
    4: "Administrative Reset",
    5: "Connection Rejected",
    6: "Other Configuration Change",
    7: "Connection Collision Resolution",
  }],
};
const ADD_PATH = ["", "Receive", "Send", "Both"];

function afi(n: number): string {
  return `${ADDRESS_FAMILIES[n] ?? "Unknown"} (${n})`;
}

function safi(n: number): string {
  return `${SAFIS[n] ?? "Unknown"} (${n})`;
}

/** BGP on TCP port 179 (tcpdump's bgp_print). */
export function bgp(p: Pkt, off: number): void {
  p.proto = "bgp";
  p.out += ": BGP";
  if (!p.verbose) return;
  let at = off;
  let start = at;
  while (at < p.end) {
    if (p.d[at] !== 0xff) {
      at++;
      continue;
    }
    if (!p.has(at, 16)) break;
    if (!isMarker(p, at)) {
      at++;
      continue;
    }
    p.check(at, 19);
    // Bytes skipped before a marker were part of a message the segment did not start with.
    if (start !== at) p.trunc();
    const hlen = p.u16(at + 16);
    if (hlen < 19) {
      p.out += `\nmessage length ${hlen} < 19 (invalid)`;
      return;
    }
    if (!p.has(at, hlen)) {
      const type = p.d[at + 18];
      p.out += `\n[|BGP ${MESSAGES[type] || "Unknown Message Type"}]`;
      return;
    }
    pdu(p, at, hlen);
    at += hlen;
    start = at;
  }
}

function isMarker(p: Pkt, at: number): boolean {
  for (let i = 0; i < 16; i++) if (p.d[at + i] !== 0xff) return false;
  return true;
}

/** One message, all captured (tcpdump's bgp_pdu_print). */
function pdu(p: Pkt, m: number, length: number): void {
  const type = p.d[m + 18];
  p.out += `\n\t${MESSAGES[type] || "Unknown"} Message (${type}), length: ${length}`;
  try {
    switch (type) {
      case 1:
        open(p, m, length);
        break;
      case 2:
        update(p, m, length);
        break;
      case 3:
        notification(p, m, length);
        break;
      case 4:
        break;
      case 5:
        routeRefresh(p, m, length);
        break;
      default:
        p.out += `\n\t  no Message ${type} decoder`;
        unknownData(p, m, length, "\n\t  ");
    }
  } catch (e) {
    // tcpdump's message printers end a message they cannot finish and go on with the next.
    if (!(e instanceof BgpCut)) throw e;
    p.trunc();
  }
}

function open(p: Pkt, m: number, length: number): void {
  if (length < 29) throw BGP_CUT;
  p.out += `\n\t  Version ${p.u8(m + 19)}, `;
  p.out += `my AS ${p.u16(m + 20)}, `;
  p.out += `Holdtime ${p.u16(m + 22)}s, `;
  p.out += `ID ${p.ip4(m + 24)}`;
  const optsLen = p.u8(m + 28);
  p.out += `\n\t  Optional parameters, length: ${optsLen}`;
  const opts = m + 29;
  length -= 29;
  for (let i = 0; i < optsLen;) {
    if (!p.has(opts + i, 2) || length < 2 + i) throw BGP_CUT;
    const type = p.d[opts + i];
    const len = p.d[opts + i + 1];
    if (2 + i + len > optsLen) {
      p.out += `\n\t     Option ${type}, length: ${len}, goes past the end of the options`;
      break;
    }
    p.out += `\n\t    Option ${
      type === 1
        ? "Authentication Information"
        : type === 2
        ? "Capabilities Advertisement"
        : "Unknown"
    } (${type}), length: ${len}`;
    if (type === 2) capabilities(p, opts + 2 + i, len);
    else p.out += `\n\t      no decoder for option ${type}`;
    i += 2 + len;
  }
}

/** The capabilities of an open message's option (tcpdump's bgp_capabilities_print). */
function capabilities(p: Pkt, c: number, capsLen: number): void {
  for (let i = 0; i < capsLen;) {
    if (!p.has(c + i, 2)) throw BGP_CUT;
    const type = p.d[c + i];
    const len = p.d[c + i + 1];
    p.out += `\n\t      ${CAPABILITIES[type] ?? "Unknown"} (${type}), length: ${len}`;
    if (!p.has(c + 2 + i, len)) throw BGP_CUT;
    const v = c + i + 2;
    switch (type) {
      case 1:
        if (len < 4) {
          p.out += " (too short, < 4)";
          return;
        }
        p.out += `\n\t\tAFI ${afi(p.u16(v))}, SAFI ${safi(p.u8(v + 3))}`;
        break;
      case 8:
        for (let o = v, left = len; left >= 4; left -= 4, o += 4) {
          p.out += `\n\t\tAFI ${afi(p.u16(o))}, SAFI ${safi(p.u8(o + 2))}, Count: ${p.u8(o + 3)}`;
        }
        break;
      case 64:
        if (len < 2) {
          p.out += " (too short, < 2)";
          return;
        }
        p.out += `\n\t\tRestart Flags: [${p.u8(v) & 0x80 ? "R" : "none"}], Restart Time ${
          p.u16(v) & 0xfff
        }s`;
        for (let o = v + 2, left = len - 2; left >= 4; left -= 4, o += 4) {
          p.out += `\n\t\t  AFI ${afi(p.u16(o))}, SAFI ${
            safi(p.u8(o + 2))
          }, Forwarding state preserved: ${p.u8(o + 3) & 0x80 ? "yes" : "no"}`;
        }
        break;
      case 2:
      case 71:
      case 128:
        break;
      case 65:
        if (len < 4) {
          p.out += " (too short, < 4)";
          return;
        }
        p.out += `\n\t\t 4 Byte AS ${p.u32(v)}`;
        break;
      case 69:
        if (len === 0) {
          p.out += " (bogus)";
          break;
        }
        for (let o = v, left = len; left !== 0; left -= 4, o += 4) {
          if (left < 4) {
            p.out += " (invalid)";
            break;
          }
          const sr = p.u8(o + 3);
          p.out += `\n\t\tAFI ${afi(p.u16(o))}, SAFI ${safi(p.u8(o + 2))}, Send/Receive: ${
            ADD_PATH[sr] || `Bogus (0x${sr.toString(16).padStart(2, "0")})`
          }`;
        }
        break;
      default:
        p.out += `\n\t\tno decoder for Capability ${type}`;
        if (p.verbosity <= 1) unknownData(p, v, len, "\n\t\t");
    }
    if (p.verbosity > 1 && len !== 0) unknownData(p, v, len, "\n\t\t");
    i += 2 + len;
  }
}

/** Route bytes tcpdump had not consumed when it stopped (see {@link routes}). */
let routesLeft = 0;

/**
 * IPv4 routes (withdrawn ones, or those after the attributes), with path ids where tcpdump
 * sees add-path: where tcpdump's cursor stopped, its count of bytes left in {@link routesLeft}.
 * A path id cut short ends withdrawn routes quietly and updated ones as a cut message.
 */
function routes(p: Pkt, at: number, len: number, withdrawn: boolean): number {
  const ap = addPath(p, at, len, 32);
  while (len !== 0) {
    let id = 0;
    if (ap) {
      if (withdrawn && len < 4) {
        at += len;
        break;
      }
      if (!withdrawn && (!p.has(at, 4) || len < 4)) throw BGP_CUT;
      id = p.u32(at);
      at += 4;
      len -= 4;
    }
    const rc = decodePrefix(p, at, len, false);
    if (rc === -1) {
      p.out += "\n\t    (illegal prefix length)";
      break;
    }
    if (rc === -2) throw BGP_CUT;
    p.out += `\n\t    ${prefixText}`;
    if (ap) p.out += `   Path Id: ${id}`;
    at += rc;
    len -= rc;
  }
  routesLeft = len;
  return at;
}

function update(p: Pkt, m: number, length: number): void {
  let at = m + 19;
  length -= 19;
  if (!p.has(at, 2) || length < 2) throw BGP_CUT;
  let withdrawn = p.u16(at);
  at += 2;
  length -= 2;
  if (!p.has(at, withdrawn) || length < withdrawn) throw BGP_CUT;
  if (withdrawn > 1) {
    p.out += "\n\t  Withdrawn routes:";
    const stop = routes(p, at, withdrawn, true);
    withdrawn = routesLeft;
    length -= stop - at;
    at = stop;
  } else {
    at += withdrawn;
    length -= withdrawn;
  }
  if (!p.has(at, 2) || length < 2) throw BGP_CUT;
  let attrLen = p.u16(at);
  at += 2;
  length -= 2;
  if (withdrawn === 0 && attrLen === 0 && length === 0) {
    p.out += "\n\t  End-of-Rib Marker (empty NLRI)";
    return;
  }
  if (attrLen) {
    if (length < attrLen) throw BGP_CUT;
    while (attrLen) {
      if (!p.has(at, 2) || length < 2) throw BGP_CUT;
      if (attrLen < 2) {
        p.out += "\n\t  [path attrs too short]";
        at += attrLen;
        length -= attrLen;
        break;
      }
      const flags = p.d[at];
      const type = p.d[at + 1];
      at += 2;
      attrLen -= 2;
      length -= 2;
      const lenLen = flags & 0x10 ? 2 : 1;
      if (!p.has(at, lenLen) || length < lenLen) throw BGP_CUT;
      if (attrLen < lenLen) {
        p.out += "\n\t  [path attrs too short]";
        at += attrLen;
        length -= attrLen;
        break;
      }
      const alen = lenLen === 2 ? p.u16(at) : p.d[at];
      at += lenLen;
      attrLen -= lenLen;
      length -= lenLen;
      attributeHead(p, "\n\t  ", type, alen, flags, "]: ");
      if (attrLen < alen) {
        p.out += " [path attrs too short]";
        at += attrLen;
        length -= attrLen;
        break;
      }
      if (length < alen) throw BGP_CUT;
      attribute(p, type, at, alen, 0);
      at += alen;
      attrLen -= alen;
      length -= alen;
    }
  }
  if (length) {
    p.out += "\n\t  Updated routes:";
    routes(p, at, length, false);
  }
}

function notification(p: Pkt, m: number, length: number): void {
  if (!p.has(m, 21)) throw BGP_CUT;
  if (length < 21) return;
  const major = p.d[m + 19];
  const minor = p.d[m + 20];
  p.out += `, ${MAJORS[major] || "Unknown Error"} (${major})`;
  const sub = MINORS[major];
  if (sub === undefined) return;
  p.out += `${sub[0]}subcode ${sub[1][minor] ?? "Unknown"} (${minor})`;
  if (major !== 6) return;
  const t = m + 21;
  if (minor === 1 && length >= 28) {
    p.out += `, AFI ${afi(p.u16(t))}, SAFI ${safi(p.u8(t + 2))}, Max Prefixes: ${p.u32(t + 3)}`;
  }
  if ((minor === 2 || minor === 4) && length >= 22) {
    const commLen = p.u8(t);
    let rest = 0;
    if (commLen > length - 22) {
      p.out += ", invalid Shutdown Communication length";
    } else if (commLen === 0) {
      p.out += ", empty Shutdown Communication";
      rest = 1;
    } else {
      p.out += `, Shutdown Communication (length: ${commLen}): "`;
      printn(p, t + 1, commLen, false);
      p.out += '"';
      rest = commLen + 1;
    }
    const data = length - (rest + 21);
    if (data > 0) {
      p.out += `, Data: (length: ${data})`;
      hexPrint(p, t + rest, data, "\n\t\t");
    }
  }
}

function routeRefresh(p: Pkt, m: number, len: number): void {
  if (!p.has(m, 23)) throw BGP_CUT;
  if (len < 23) return;
  p.out += `\n\t  AFI ${afi(p.u16(m + 19))}, SAFI ${safi(p.u8(m + 22))}`;
  if (p.verbosity > 1) {
    if (!p.has(m, len)) throw BGP_CUT;
    unknownData(p, m, len, "\n\t  ");
  }
}
