/**
 * BOOTP and DHCP (tcpdump's print-bootp.c) on UDP 67/68: the request or reply and the client's
 * MAC address; -v adds the header's fields and the vendor area, RFC 1048 options one a line,
 * each printed by its type (addresses, numbers, strings, the special cases), or CMU's.
 *
 * @module
 */
import { CUT, hex2, hexBytes, type IpInfo, type Pkt } from "./printer.ts";
import { printn, printztn, tok, toks } from "./text.ts";

/**
 * Options: the first character says how the value prints (i address, p address pairs, l
 * unsigned, L signed, s 16-bit, b bytes, x hex bytes, a text, B yes/no, $ its own code).
 */
const TAGS = toks(
  "0= PAD|1=iSubnet-Mask|2=LTime-Zone|3=iDefault-Gateway|4=iTime-Server|5=iIEN-Name-Server|" +
    "6=iDomain-Name-Server|7=iLOG|8=iCS|9=iLPR-Server|10=iIM|11=iRL|12=aHostname|13=sBS|" +
    "255= END|14=aDP|15=aDomain-Name|16=iSS|17=aRP|18=aEP|19=BIPF|20=BSRT|21=pPF|22=sRSZ|" +
    "23=bTTL|24=lMTU-Timeout|25=sMTU-Table|26=sMTU|27=BLSN|28=iBR|29=BMD|30=BMS|" +
    "31=BRouter-Discovery|32=iRSA|33=pStatic-Route|34=BUT|35=lAT|36=BIE|37=bTT|38=lKI|" +
    "39=BKG|40=aYD|41=iYS|42=iNTP|43=bVendor-Option|44=iNetbios-Name-Server|45=iWDD|" +
    "46=$Netbios-Node|47=aNetbios-Scope|48=iXFS|49=iXDM|64=sN+D|65=iN+S|68=iMH|69=iSMTP|" +
    "70=iPOP3|71=iNNTP|72=iWWW|73=iFG|74=iIRC|75=iSTS|76=iSTDA|50=iRequested-IP|" +
    "51=lLease-Time|52=$OO|66=aTFTP|67=aBF|53= DHCP-Message|54=iServer-ID|" +
    "55=bParameter-Request|56=aMSG|57=sMSZ|58=lRN|59=lRB|60=aVendor-Class|61=$Client-ID|" +
    "98=aUAP|116=BNOAUTO|78=bSLP-DA|79=bSLP-SCOPE|117=sNSSEARCH|77=$User-Class|" +
    "118=iSUBNET|121=$Classless-Static-Route|249=$Classless-Static-Route-Microsoft|" +
    "150=iTFTP-Server-Address|80=aSLP-NA|81=$FQDN|82=$Agent-Information|83=bARMT|" +
    "88=aTZSTR|89=bFQDNS|90=bAUTH|91=LLast-Transaction-Time|92=iAssociated-IP|93=sARCH|" +
    "94=bNDI|97=bGUID|95=aLDAP|100=aPOSIX-TZ|101=aTZ-Name|112=iNI|113=aNITAG|114=aURL|" +
    "161=aMUD-URL",
);
const DHCP_MESSAGES = toks(
  "1=Discover|2=Offer|3=Request|4=Decline|5=ACK|6=NACK|7=Release|8=Inform|10=LeaseQuery|" +
    "11=LeaseUnassigned|12=LeaseUnknown|13=LeaseActive",
);
const OVERLOAD = toks("1=file|2=sname|3=file+sname");
const NETBIOS_NODES = toks("1=b-node|2=p-node|4=m-node|8=h-node");
const HW_TYPES = toks("1=ether|6=ieee802|7=arcnet|15=frelay|23=strip|24=ieee1394");
const AGENT_SUBOPTS = toks("1=Circuit-ID|2=Remote-ID|6=Subscriber-ID");

/** UDP 67 and 68. */
export function bootp(p: Pkt, bp: number, length: number, _info: IpInfo): void {
  p.proto = "bootp";
  const op = p.u8(bp);
  p.out += `BOOTP/DHCP, ${tok({ 1: "Request", 2: "Reply" }, op, "unknown (0x%02x)")}`;
  const htype = p.u8(bp + 1);
  const hlen = p.u8(bp + 2);
  const ether = htype === 1 && hlen === 6;
  if (ether && op === 1) p.out += ` from ${mac(p, bp + 28)}`;
  p.out += `, length ${length}`;
  if (!p.verbose) return;
  p.check(bp + 8, 2);
  if (htype !== 1) p.out += `, htype ${htype}`;
  if (!ether) p.out += `, hlen ${hlen}`;
  if (p.u8(bp + 3)) p.out += `, hops ${p.u8(bp + 3)}`;
  if (p.u32(bp + 4)) p.out += `, xid 0x${p.u32(bp + 4).toString(16)}`;
  if (p.u16(bp + 8)) p.out += `, secs ${p.u16(bp + 8)}`;
  const flags = p.u16(bp + 10);
  p.out += `, Flags [${flags & 0x8000 ? "Broadcast" : "none"}]`;
  if (p.verbosity > 1) p.out += ` (0x${flags.toString(16).padStart(4, "0")})`;
  const addrs = ["Client-IP", "Your-IP", "Server-IP", "Gateway-IP"];
  for (let i = 0; i < 4; i++) {
    if (p.u32(bp + 12 + 4 * i)) p.out += `\n\t  ${addrs[i]} ${p.ip4(bp + 12 + 4 * i)}`;
  }
  if (ether) p.out += `\n\t  Client-Ethernet-Address ${mac(p, bp + 28)}`;
  for (const [name, at, size] of [["sname", 44, 64], ["file", 108, 128]] as const) {
    if (!p.u8(bp + at)) continue;
    p.out += `\n\t  ${name} "`;
    const n = printztn(p, bp + at, size);
    p.out += '"';
    if (n === 0) throw CUT;
  }
  const vend = bp + 236;
  p.check(vend, 4);
  const magic = p.u32(vend);
  if (magic === 0x63825363) rfc1048(p, vend);
  else if (magic === 0x434d5500) cmu(p, vend);
  else if (magic !== 0) p.out += `\n\t  Vendor-#0x${magic.toString(16)}`;
}

function mac(p: Pkt, at: number): string {
  p.need(at, 6);
  return hexBytes(p.d, at, 6, ":");
}

function cmu(p: Pkt, v: number): void {
  p.out += " vend-cmu";
  p.check(v + 4, 4);
  const flags = p.d[v + 4];
  if (flags & ~1) p.out += ` F:0x${flags.toString(16)}`;
  const fields: [number, string][] = [
    [12, "DG"],
    [8, flags & 1 ? "SM" : "SM*"],
    [16, "NS1"],
    [20, "NS2"],
    [24, "IEN1"],
    [28, "IEN2"],
    [32, "TS1"],
    [36, "TS2"],
  ];
  for (const [at, name] of fields) {
    p.check(v + at, 4);
    if (p.u32(v + at)) p.out += ` ${name}:${p.ip4(v + at)}`;
  }
}

/** The RFC 1048 options after the magic cookie at `bp`. */
function rfc1048(p: Pkt, bp: number): void {
  p.out += `\n\t  Vendor-rfc1048 Extensions\n\t    Magic Cookie 0x${
    p.u32(bp).toString(16).padStart(8, "0")
  }`;
  bp += 4;
  while (p.has(bp, 1)) {
    const tag = p.d[bp++];
    if ((tag === 0 || tag === 255) && p.verbosity < 3) {
      if (tag === 255) return;
      continue;
    }
    const spec = TAGS[tag] ?? "?Unknown";
    let c = spec[0];
    const name = spec.slice(1);
    let len = 0;
    if (tag !== 0 && tag !== 255) len = p.u8(bp++);
    p.out += `\n\t    ${name} (${tag}), length ${len}${len > 0 ? ": " : ""}`;
    if (tag === 0) {
      let n = 1;
      while (p.has(bp, 1) && p.d[bp] === 0) {
        bp++;
        n++;
      }
      if (n > 1) p.out += `, occurs ${n}`;
    }
    p.check(bp, len);
    if (tag === 53 && len === 1) {
      p.out += tok(DHCP_MESSAGES, p.u8(bp++), "Unknown (%u)");
      continue;
    }
    if (tag === 55) {
      for (let idx = 0; len > 0; idx++, len--) {
        const inner = p.u8(bp++);
        p.out += `${idx % 4 === 0 ? "\n\t      " : ", "}${
          (TAGS[inner] ?? "?Unknown").slice(1)
        } (${inner})`;
      }
      continue;
    }
    if (c === "?") c = len & 1 ? "b" : len & 2 ? "s" : "l";
    let first = true;
    const sep = () => {
      if (!first) p.out += ",";
      first = false;
    };
    switch (c) {
      case "a":
        p.out += '"';
        if (printn(p, bp, len)) {
          p.out += '"';
          throw CUT;
        }
        p.out += '"';
        bp += len;
        len = 0;
        break;
      case "i":
      case "l":
      case "L":
        for (; len >= 4; bp += 4, len -= 4) {
          sep();
          p.out += c === "i" ? p.ip4(bp) : c === "L" ? `${p.u32(bp) | 0}` : `${p.u32(bp)}`;
        }
        break;
      case "p":
        for (; len >= 8; bp += 8, len -= 8) {
          sep();
          p.out += `(${p.ip4(bp)}:`;
          p.out += `${p.ip4(bp + 4)})`;
        }
        break;
      case "s":
        for (; len >= 2; bp += 2, len -= 2) {
          sep();
          p.out += `${p.u16(bp)}`;
        }
        break;
      case "B":
        for (; len > 0; bp++, len--) {
          sep();
          const v = p.u8(bp);
          p.out += v === 0 ? "N" : v === 1 ? "Y" : `${v}?`;
        }
        break;
      case "$":
        [bp, len] = special(p, tag, bp, len);
        break;
      default:
        for (; len > 0; bp++, len--) {
          if (!first) p.out += c === "x" ? ":" : ".";
          first = false;
          p.out += c === "x" ? hex2(p.u8(bp)) : `${p.u8(bp)}`;
        }
    }
    if (len) {
      p.out += `\n\t  trailing data length ${len}`;
      bp += len;
    }
  }
}

/** The options tcpdump prints with code of their own; returns where they left off. */
function special(p: Pkt, tag: number, bp: number, len: number): [number, number] {
  const need = (n: number) => {
    if (len >= n) return true;
    p.out += `[ERROR: length < ${n} bytes]`;
    return false;
  };
  const text = (n: number) => {
    p.out += '"';
    if (printn(p, bp, n)) {
      p.out += '"';
      throw CUT;
    }
    p.out += '"';
  };
  switch (tag) {
    case 46:
    case 52:
      if (!need(1)) return [bp, len];
      p.out += tok(tag === 46 ? NETBIOS_NODES : OVERLOAD, p.u8(bp), "#%d");
      return [bp + 1, len - 1];
    case 81: {
      if (!need(3)) return [bp + len, 0];
      const f = p.u8(bp);
      if (f & 0xf0) p.out += `[ERROR: MBZ nibble 0x${(f >> 4).toString(16)} != 0] `;
      if (f & 0x0f) {
        p.out += `[${f & 1 ? "S" : ""}${f & 2 ? "O" : ""}${f & 4 ? "E" : ""}${f & 8 ? "N" : ""}] `;
      }
      if (p.u8(bp + 1) || p.u8(bp + 2)) p.out += `${p.u8(bp + 1)}/${p.u8(bp + 2)} `;
      bp += 3;
      text(len - 3);
      return [bp + len - 3, 0];
    }
    case 61: {
      if (!need(1)) return [bp, len];
      const type = p.u8(bp++);
      len--;
      if (type === 0) {
        text(len);
        return [bp + len, 0];
      }
      p.out += `${tok(HW_TYPES, type, "hardware-type %u,")} `;
      for (let first = true; len > 0; bp++, len--, first = false) {
        p.out += `${first ? "" : ":"}${hex2(p.u8(bp))}`;
      }
      return [bp, len];
    }
    case 82:
      while (len >= 2) {
        const sub = p.u8(bp);
        const slen = p.u8(bp + 1);
        bp += 2;
        len -= 2;
        const sname = tok(AGENT_SUBOPTS, sub, "Unknown");
        if (slen > len) {
          p.out +=
            `\n\t      ${sname} SubOption ${sub}, length ${slen}: length goes past end of option`;
          return [bp + len, 0];
        }
        p.out += `\n\t      ${sname} SubOption ${sub}, length ${slen}: `;
        if (sub === 1 || sub === 2 || sub === 6) {
          if (printn(p, bp, slen)) throw CUT;
        } else p.unknownData(bp, slen, "\n\t\t");
        len -= slen;
        bp += slen;
      }
      return [bp, len];
    case 121:
    case 249:
      if (!need(5)) return [bp + len, 0];
      for (let first = true; len > 0; first = false) {
        if (!first) p.out += ",";
        const width = p.u8(bp++);
        len--;
        if (width > 32) {
          p.out += `[ERROR: Mask width (${width}) > 32]`;
          return [bp + len, 0];
        }
        const octets = (width + 7) >> 3;
        if (len < octets + 4) {
          p.out += `[ERROR: Remaining length (${len}) < ${octets + 4} bytes]`;
          return [bp + len, 0];
        }
        p.out += "(";
        if (width === 0) p.out += "default";
        else {
          for (let i = 0; i < octets; i++) p.out += `${i > 0 ? "." : ""}${p.u8(bp++)}`;
          for (let i = octets; i < 4; i++) p.out += ".0";
          p.out += `/${width}`;
        }
        p.out += `:${p.ip4(bp)})`;
        bp += 4;
        len -= octets + 4;
      }
      return [bp, len];
    case 77:
      if (len < 2) {
        p.out += "[ERROR: length < 2 bytes]";
        return [bp + len, 0];
      }
      for (let n = 1; len > 0; n++) {
        const slen = p.u8(bp++);
        len--;
        p.out += `\n\t      instance#${n}: `;
        if (slen === 0) {
          p.out += "[ERROR: suboption length must be non-zero]";
          return [bp + len, 0];
        }
        if (len < slen) {
          p.out += "[ERROR: invalid option]";
          return [bp + len, 0];
        }
        text(slen);
        p.out += `, length ${slen}`;
        len -= slen;
        bp += slen;
      }
      return [bp, len];
  }
  p.out += `[unknown special tag ${tag}, size ${len}]`;
  return [bp + len, 0];
}
