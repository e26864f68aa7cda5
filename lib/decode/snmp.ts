/**
 * SNMP (tcpdump's print-snmp.c, without libsmi) on UDP 161/162: the BER-encoded message as
 * tcpdump prints it with -n: community (when not "public"), PDU type and size, request id,
 * errors, and the variable bindings with numeric OIDs (`.1.3.6.1.2.1.1.5.0="host"`); -v adds
 * the version, braces and request ids; SNMPv3 messages with their USM parameters.
 *
 * @module
 */
import type { IpInfo, Pkt } from "./printer.ts";
import { printn } from "./text.ts";

const UNIVERSAL = [
  "U-0",
  "Boolean",
  "Integer",
  "Bitstring",
  "String",
  "Null",
  "ObjID",
  "ObjectDes",
  "U-8",
  "U-9",
  "U-10",
  "U-11",
  "U-12",
  "U-13",
  "U-14",
  "U-15",
  "Sequence",
  "Set",
];
const APPLICATION = ["IpAddress", "Counter", "Gauge", "TimeTicks", "Opaque", "C-5", "Counter64"];
const CONTEXT = [
  "GetRequest",
  "GetNextRequest",
  "GetResponse",
  "SetRequest",
  "Trap",
  "GetBulk",
  "Inform",
  "V2Trap",
  "Report",
];
const EXCEPTIONS = ["noSuchObject", "noSuchInstance", "endOfMibView"];
const CLASSES = [UNIVERSAL, APPLICATION, CONTEXT, ["P-0"], EXCEPTIONS];
const ERROR_STATUS = (
  "noError|tooBig|noSuchName|badValue|readOnly|genErr|noAccess|wrongType|wrongLength|" +
  "wrongEncoding|wrongValue|noCreation|inconsistentValue|resourceUnavailable|commitFailed|" +
  "undoFailed|authorizationError|notWritable|inconsistentName"
).split("|");
const GENERIC_TRAPS = [
  "coldStart",
  "warmStart",
  "linkDown",
  "linkUp",
  "authenticationFailure",
  "egpNeighborLoss",
  "enterpriseSpecific",
];
const VERSIONS = ["SNMPv1", "SNMPv2c", "SNMPv2u", "SNMPv3"];

const GETREQ = 0;
const GETNEXTREQ = 1;
const SETREQ = 3;
const TRAP = 4;
const GETBULKREQ = 5;
const INFORMREQ = 6;
const V2TRAP = 7;
const REPORT = 8;

/** Element types (tcpdump's BE_*). */
const enum T {
  OCTET,
  NULL,
  OID,
  INT,
  UNS,
  STR,
  SEQ,
  INETADDR,
  PDU,
  UNS64,
  NOSUCH,
  ANY,
}

/** The element asn1_parse fills in (one at a time, reused). */
const e = { type: T.ANY, asnlen: 0, at: 0, id: 0, int: 0, uns64: 0n };

/** tcpdump's asn1_parse: the element at `p`; its whole length, or -1 (said why). */
function parse(pk: Pkt, p: number, len: number): number {
  e.asnlen = 0;
  e.type = T.ANY;
  if (len < 1) {
    pk.out += "[nothing to parse]";
    return -1;
  }
  const b = pk.u8(p);
  let id = b & 0x1f;
  const form = (b & 0x20) >> 5;
  const cls = (b & 0xc0) >> 6;
  e.id = id;
  p++;
  len--;
  let hdr = 1;
  if (id === 0x1f) {
    id = 0;
    while (pk.u8(p) & 0x80) {
      if (len < 1) {
        pk.out += "[Xtagfield?]";
        return -1;
      }
      id = ((id << 7) | (pk.u8(p) & 0x7f)) & 0xff;
      len--;
      hdr++;
      p++;
    }
    if (len < 1) {
      pk.out += "[Xtagfield?]";
      return -1;
    }
    e.id = id = ((id << 7) | pk.u8(p)) & 0xff;
    len--;
    hdr++;
    p++;
  }
  if (len < 1) {
    pk.out += "[no asnlen]";
    return -1;
  }
  e.asnlen = pk.u8(p);
  p++;
  len--;
  hdr++;
  if (e.asnlen & 0x80) {
    let noct = e.asnlen % 0x80;
    e.asnlen = 0;
    if (len < noct) {
      pk.out += `[asnlen? ${len}<${noct}]`;
      return -1;
    }
    if (!pk.has(p, noct)) return cut(pk);
    for (; noct !== 0; len--, hdr++, noct--) e.asnlen = ((e.asnlen * 256) + pk.u8(p++)) >>> 0;
  }
  if (len < e.asnlen) {
    pk.out += `[len${len}<asnlen${e.asnlen}]`;
    return -1;
  }
  if (id >= CLASSES[cls].length) {
    pk.out += `[id?${form ? "C" : "P"}/x/${id}]`;
    return -1;
  }
  if (!pk.has(p, e.asnlen)) return cut(pk);
  e.at = p;
  const name = CLASSES[cls][id];
  if (form === 0) {
    if (cls === 0) {
      if (id === 4) e.type = T.STR;
      else if (id === 2) {
        e.type = T.INT;
        if (e.asnlen === 0) {
          pk.out += "[asnlen=0]";
          return -1;
        }
        let v = pk.u8(p) & 0x80 ? -1 : 0;
        for (let i = 0; i < e.asnlen; i++) v = (v << 8) | pk.u8(p + i);
        e.int = v;
      } else if (id === 6) e.type = T.OID;
      else if (id === 5) e.type = T.NULL;
      else {
        e.type = T.OCTET;
        pk.out += `[P/U/${name}]`;
      }
    } else if (cls === 1) {
      if (id === 0) e.type = T.INETADDR;
      else if (id >= 1 && id <= 3) {
        e.type = T.UNS;
        let v = 0;
        for (let i = 0; i < e.asnlen; i++) v = (Math.imul(v, 256) + pk.u8(p + i)) >>> 0;
        e.int = v;
      } else if (id === 6) {
        e.type = T.UNS64;
        let v = 0n;
        for (let i = 0; i < e.asnlen; i++) {
          v = ((v << 8n) + BigInt(pk.u8(p + i))) & 0xffffffffffffffffn;
        }
        e.uns64 = v;
      } else {
        e.type = T.OCTET;
        pk.out += `[P/A/${name}]`;
      }
    } else if (cls === 2) {
      if (id <= 2) {
        e.type = T.NOSUCH;
        e.id = id;
      }
    } else {
      pk.out += `[P/x/${name}]`;
      e.type = T.OCTET;
    }
  } else if (cls === 0) {
    if (id === 16) e.type = T.SEQ;
    else {
      e.type = T.OCTET;
      pk.out += `C/U/${name}`;
    }
  } else if (cls === 2) {
    e.type = T.PDU;
  } else {
    e.type = T.OCTET;
    pk.out += `C/x/${name}`;
  }
  return e.asnlen + hdr;
}

/** nd_print_trunc inside asn1 printing, and -1. */
function cut(pk: Pkt): number {
  pk.trunc();
  return -1;
}

function octets(pk: Pkt): number {
  if (!pk.has(e.at, e.asnlen)) return cut(pk);
  for (let i = 0; i < e.asnlen; i++) pk.out += `_${hex2(pk.u8(e.at + i))}`;
  return 0;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

function string(pk: Pkt): number {
  if (!pk.has(e.at, e.asnlen)) return cut(pk);
  let printable = true;
  for (let i = 0; printable && i < e.asnlen; i++) {
    const c = pk.u8(e.at + i);
    printable = c >= 0x20 && c <= 0x7e;
  }
  if (printable) {
    pk.out += '"';
    if (printn(pk, e.at, e.asnlen)) {
      pk.out += '"';
      return cut(pk);
    }
    pk.out += '"';
  } else {
    for (let i = 0; i < e.asnlen; i++) pk.out += (i ? "_" : "") + hex2(pk.u8(e.at + i));
  }
  return 0;
}

/** tcpdump's asn1_print: the element's value; -1 when it ran out. */
function print(pk: Pkt): number {
  switch (e.type) {
    case T.OCTET:
      return octets(pk);
    case T.NULL:
      break;
    case T.OID: {
      let o = 0;
      let first = -1;
      for (let i = 0; i < e.asnlen; i++) {
        const b = pk.u8(e.at + i);
        o = ((o << 7) + (b & 0x7f)) | 0;
        if (b & 0x80) continue;
        if (first < 0) {
          first = 0;
          const s = Math.min(Math.trunc(o / 40), 2);
          pk.out += `.${s >>> 0}`;
          o -= s * 40;
        }
        pk.out += `.${o >>> 0}`;
        if (--first < 0) first = 0;
        o = 0;
      }
      break;
    }
    case T.INT:
      pk.out += `${e.int}`;
      break;
    case T.UNS:
      pk.out += `${e.int >>> 0}`;
      break;
    case T.UNS64:
      pk.out += `${e.uns64}`;
      break;
    case T.STR:
      return string(pk);
    case T.SEQ:
      pk.out += `Seq(${e.asnlen})`;
      break;
    case T.INETADDR:
      if (e.asnlen !== 4) pk.out += "[inetaddr len!=4]";
      if (!pk.has(e.at, e.asnlen)) return cut(pk);
      for (let i = 0; i < e.asnlen; i++) pk.out += `${i ? "." : ""}${pk.u8(e.at + i)}`;
      break;
    case T.NOSUCH:
      pk.out += `[${EXCEPTIONS[e.id]}]`;
      break;
    case T.PDU:
      pk.out += `${CONTEXT[e.id]}(${e.asnlen})`;
      break;
    default:
      pk.out += "[BE_ANY!?]";
  }
  return 0;
}

/** Parses the next element and checks its type; prints `[what]` and it otherwise. */
function expect(pk: Pkt, p: number, len: number, type: T, what: string): number {
  const n = parse(pk, p, len);
  if (n < 0) return -1;
  if (e.type !== type) {
    pk.out += `[${what}]`;
    print(pk);
    return -1;
  }
  return n;
}

const isRequest = (id: number) => id === GETREQ || id === GETNEXTREQ || id === GETBULKREQ;
const noErrors = (id: number) =>
  id === GETREQ || id === GETNEXTREQ || id === SETREQ || id === INFORMREQ || id === V2TRAP ||
  id === REPORT;

function varbinds(pk: Pkt, pdu: number, np: number, length: number): void {
  let n = expect(pk, np, length, T.SEQ, "!SEQ of varbind");
  if (n < 0) return;
  if (n < length) pk.out += `[${length - n} extra after SEQ of varbind]`;
  length = e.asnlen;
  np = e.at;
  while (length) {
    pk.out += " ";
    n = expect(pk, np, length, T.SEQ, "!varbind");
    if (n < 0) return;
    const vbend = np + n;
    const vblength = length - n;
    length = e.asnlen;
    np = e.at;
    n = expect(pk, np, length, T.OID, "objName!=OID");
    if (n < 0 || print(pk) < 0) return;
    length -= n;
    np += n;
    if (!isRequest(pdu)) pk.out += "=";
    n = parse(pk, np, length);
    if (n < 0) return;
    if (isRequest(pdu)) {
      if (e.type !== T.NULL) {
        pk.out += "[objVal!=NULL]";
        if (print(pk) < 0) return;
      }
    } else if (e.type !== T.NULL && print(pk) < 0) return;
    length = vblength;
    np = vbend;
  }
}

function snmpPdu(pk: Pkt, pdu: number, np: number, length: number): void {
  let n = expect(pk, np, length, T.INT, "reqId!=INT");
  if (n < 0) return;
  if (pk.verbose) pk.out += `R=${e.int} `;
  length -= n;
  np += n;
  n = expect(pk, np, length, T.INT, "errorStatus!=INT");
  if (n < 0) return;
  const err = (v: number) => v >= 0 && v < ERROR_STATUS.length ? ERROR_STATUS[v] : `err=${v >>> 0}`;
  let status = 0;
  if (noErrors(pdu) && e.int !== 0) pk.out += `[errorStatus(${err(e.int)})!=0]`;
  else if (pdu === GETBULKREQ) pk.out += ` N=${e.int}`;
  else if (e.int !== 0) {
    pk.out += ` ${err(e.int)}`;
    status = e.int;
  }
  length -= n;
  np += n;
  n = expect(pk, np, length, T.INT, "errorIndex!=INT");
  if (n < 0) return;
  if (noErrors(pdu) && e.int !== 0) pk.out += `[errorIndex(${e.int})!=0]`;
  else if (pdu === GETBULKREQ) pk.out += ` M=${e.int}`;
  else if (e.int !== 0) {
    pk.out += status ? `@${e.int}` : `[errorIndex(${e.int}) w/o errorStatus]`;
  } else if (status) pk.out += "[errorIndex==0]";
  length -= n;
  np += n;
  varbinds(pk, pdu, np, length);
}

function trapPdu(pk: Pkt, np: number, length: number): void {
  pk.out += " ";
  let n = expect(pk, np, length, T.OID, "enterprise!=OID");
  if (n < 0 || print(pk) < 0) return;
  length -= n;
  np += n;
  pk.out += " ";
  n = expect(pk, np, length, T.INETADDR, "agent-addr!=INETADDR");
  if (n < 0 || print(pk) < 0) return;
  length -= n;
  np += n;
  n = expect(pk, np, length, T.INT, "generic-trap!=INT");
  if (n < 0) return;
  const generic = e.int;
  pk.out += ` ${generic >= 0 && generic < 7 ? GENERIC_TRAPS[generic] : `gt=${generic}`}`;
  length -= n;
  np += n;
  n = expect(pk, np, length, T.INT, "specific-trap!=INT");
  if (n < 0) return;
  if (generic !== 6) {
    if (e.int !== 0) pk.out += `[specific-trap(${e.int})!=0]`;
  } else pk.out += ` s=${e.int}`;
  length -= n;
  np += n;
  pk.out += " ";
  n = expect(pk, np, length, T.UNS, "time-stamp!=TIMETICKS");
  if (n < 0 || print(pk) < 0) return;
  length -= n;
  np += n;
  varbinds(pk, TRAP, np, length);
}

function pduPrint(pk: Pkt, np: number, length: number, version: number): void {
  const n = parse(pk, np, length);
  if (n < 0) return;
  if (e.type !== T.PDU) {
    pk.out += "[no PDU]";
    return;
  }
  if (n < length) pk.out += `[${length - n} extra after PDU]`;
  if (pk.verbose) pk.out += "{ ";
  if (print(pk) < 0) return;
  pk.out += " ";
  const id = e.id;
  length = e.asnlen;
  np = e.at;
  if (version === 0 && (id === GETBULKREQ || id === INFORMREQ || id === V2TRAP || id === REPORT)) {
    pk.out += "[v2 PDU in v1 message]";
    return;
  }
  if (version === 1 && id === TRAP) {
    pk.out += "[v1 PDU in v2 message]";
    return;
  }
  if (id === TRAP) trapPdu(pk, np, length);
  else if (id <= REPORT) snmpPdu(pk, id, np, length);
  if (pk.verbose) pk.out += " } ";
}

function community(pk: Pkt, np: number, length: number, version: number): void {
  const n = expect(pk, np, length, T.STR, "comm!=STR");
  if (n < 0) return;
  let isPublic = e.asnlen === 6;
  for (let i = 0; isPublic && i < 6; i++) isPublic = pk.d[e.at + i] === "public".charCodeAt(i);
  if (!isPublic) {
    pk.out += "C=";
    if (string(pk) < 0) return;
    pk.out += " ";
  }
  pduPrint(pk, np + n, length - n, version);
}

function scopedPdu(pk: Pkt, np: number, length: number): void {
  let n = expect(pk, np, length, T.SEQ, "!scoped PDU");
  if (n < 0) return;
  length = e.asnlen;
  np = e.at;
  n = expect(pk, np, length, T.STR, "contextEngineID!=STR");
  if (n < 0) return;
  length -= n;
  np += n;
  pk.out += "E=";
  if (octets(pk) < 0) return;
  pk.out += " ";
  n = expect(pk, np, length, T.STR, "contextName!=STR");
  if (n < 0) return;
  length -= n;
  np += n;
  pk.out += "C=";
  if (string(pk) < 0) return;
  pk.out += " ";
  pduPrint(pk, np, length, 3);
}

function usm(pk: Pkt, np: number, length: number): void {
  let n = expect(pk, np, length, T.SEQ, "!usm");
  if (n < 0) return;
  length = e.asnlen;
  np = e.at;
  const steps: [T, string, string][] = [
    [T.STR, "msgAuthoritativeEngineID!=STR", ""],
    [T.INT, "msgAuthoritativeEngineBoots!=INT", "B"],
    [T.INT, "msgAuthoritativeEngineTime!=INT", "T"],
    [T.STR, "msgUserName!=STR", "U"],
    [T.STR, "msgAuthenticationParameters!=STR", ""],
    [T.STR, "msgPrivacyParameters!=STR", ""],
  ];
  for (const [type, what, label] of steps) {
    n = expect(pk, np, length, type, what);
    if (n < 0) return;
    length -= n;
    np += n;
    if (label === "U") {
      pk.out += "U=";
      if (string(pk) < 0) return;
      pk.out += " ";
    } else if (label && pk.verbose) pk.out += `${label}=${e.int} `;
  }
  if (n < length) pk.out += `[${length - n} extra after usm SEQ]`;
}

function v3msg(pk: Pkt, np: number, length: number): void {
  const xnp = np;
  const xlength = length;
  let n = expect(pk, np, length, T.SEQ, "!message");
  if (n < 0) return;
  length = e.asnlen;
  np = e.at;
  if (pk.verbose) pk.out += "{ ";
  for (const what of ["msgID!=INT", "msgMaxSize!=INT"]) {
    n = expect(pk, np, length, T.INT, what);
    if (n < 0) return;
    length -= n;
    np += n;
  }
  n = expect(pk, np, length, T.STR, "msgFlags!=STR");
  if (n < 0) return;
  if (e.asnlen !== 1) {
    pk.out += `[msgFlags size ${e.asnlen}]`;
    return;
  }
  const flags = pk.u8(e.at);
  if (![0, 1, 3, 4, 5, 7].includes(flags)) {
    pk.out += `[msgFlags=0x${hex2(flags).toUpperCase()}]`;
    return;
  }
  length -= n;
  np += n;
  pk.out += `F=${flags & 1 ? "a" : ""}${flags & 2 ? "p" : ""}${flags & 4 ? "r" : ""} `;
  n = expect(pk, np, length, T.INT, "msgSecurityModel!=INT");
  if (n < 0) return;
  const model = e.int;
  length -= n;
  np += n;
  if (n < length) pk.out += `[${length - n} extra after message SEQ]`;
  if (pk.verbose) pk.out += "} ";
  if (model !== 3) {
    pk.out += `[security model ${model}]`;
    return;
  }
  if (pk.verbose) pk.out += "{ USM ";
  length = xlength - (np - xnp);
  n = expect(pk, np, length, T.STR, "msgSecurityParameters!=STR");
  if (n < 0) return;
  length -= n;
  np += n;
  usm(pk, e.at, e.asnlen);
  if (pk.verbose) pk.out += "} ";
  if (pk.verbose) pk.out += "{ ScopedPDU ";
  scopedPdu(pk, np, length);
  if (pk.verbose) pk.out += "} ";
}

/** UDP 161 and 162. */
export function snmp(pk: Pkt, np: number, length: number, _info: IpInfo): void {
  pk.proto = "snmp";
  pk.out += " ";
  let n = parse(pk, np, length);
  if (n < 0) return;
  if (e.type !== T.SEQ) {
    pk.out += "[!init SEQ]";
    print(pk);
    return;
  }
  if (n < length) pk.out += `[${length - n} extra after iSEQ]`;
  length = e.asnlen;
  np = e.at;
  n = expect(pk, np, length, T.INT, "version!=INT");
  if (n < 0) return;
  const version = e.int;
  if (version !== 0 && version !== 1 && version !== 3) {
    pk.out += `SNMP [version = ${version}]`;
    return;
  }
  if (pk.verbose) pk.out += `{ ${VERSIONS[version]} `;
  length -= n;
  np += n;
  if (version === 3) v3msg(pk, np, length);
  else community(pk, np, length, version);
  if (pk.verbose) pk.out += "} ";
}
