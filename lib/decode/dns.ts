/**
 * DNS and multicast DNS (tcpdump's print-domain.c), over UDP and TCP: the compact form
 * (`1234+ A? example.com. (29)`, `1234 1/0/0 A 1.2.3.4 (45)`), with -v the answers' names,
 * with -vv the question of a response and the authority and additional sections, with -vvv the
 * TTLs. Also the domain-name printer other protocols use (ND's DNSSL option, DHCPv6...).
 *
 * @module
 */
import { CUT, formatIp6, type IpInfo, type Pkt } from "./printer.ts";
import { printn, relts, type Tok, tok, toks } from "./text.ts";

const MAXCDNAME = 255;
const T_OPT = 41;
const C_IN = 1;

/** An offset tcpdump's functions would return as NULL. */
const NULL = -1;

const OPCODES = (
  "| inv_q| stat| op3| notify| update| op6| op7| op8| updateA| updateD| updateDA|" +
  " updateM| updateMA| zoneInit| zoneRef"
).split("|");

// tcpdump's table, its missing spaces included.
const RCODES = (
  "| FormErr| ServFail| NXDomain| NotImp| Refused| YXDomain| YXRRSet| NXRRSet|" +
  " NotAuth| NotZone| Resp11| Resp12| Resp13| Resp14| NoChange| BadVers|Resp17|" +
  " Resp18| Resp19| Resp20|Resp21| Resp22| BadCookie"
).split("|");

/** Resource record types, as tcpdump names them. */
export const DNS_TYPES = toks(
  "1=A|2=NS|3=MD|4=MF|5=CNAME|6=SOA|7=MB|8=MG|9=MR|10=NULL|11=WKS|12=PTR|13=HINFO|" +
    "14=MINFO|15=MX|16=TXT|17=RP|18=AFSDB|19=X25|20=ISDN|21=RT|22=NSAP|23=NSAP_PTR|" +
    "24=SIG|25=KEY|26=PX|27=GPOS|28=AAAA|29=LOC|30=NXT|31=EID|32=NIMLOC|33=SRV|" +
    "34=ATMA|35=NAPTR|36=KX|37=CERT|38=A6|39=DNAME|40=SINK|41=OPT|42=APL|43=DS|" +
    "44=SSHFP|45=IPSECKEY|46=RRSIG|47=NSEC|48=DNSKEY|99=SPF|100=UINFO|101=UID|102=GID|" +
    "103=UNSPEC|104=UNSPECA|249=TKEY|250=TSIG|251=IXFR|252=AXFR|253=MAILB|254=MAILA|" +
    "255=ANY|256=URI",
);

const CLASSES: Tok = { 1: "IN", 3: "CHAOS", 4: "HS", 255: "ANY" };

const EDNS_OPTS = toks(
  "1=LLQ|2=UL|3=NSID|5=DAU|6=DHU|7=N3U|8=ECS|9=EXPIRE|10=COOKIE|11=KEEPALIVE|" +
    "12=PADDING|13=CHAIN|14=KEY-TAG|16=CLIENT-TAG|17=SERVER-TAG",
);

const DAU_ALGS = toks(
  "0=DELETE|1=RSAMD5|2=DH|3=DS|5=RSASHA1|6=DSA-NSEC3-SHA1|7=RSASHA1-NSEC3-SHA1|" +
    "8=RSASHA256|10=RSASHA512|12=ECC-GOST|13=ECDSAP256SHA256|14=ECDSAP384SHA384|" +
    "15=ED25519|16=ED448|252=INDIRECT|253=PRIVATEDNS|254=PRIVATEOID",
);
const DHU_ALGS: Tok = { 1: "SHA-1", 2: "SHA-256", 3: "GOST_R_34.11-94", 4: "SHA-384" };
const N3U_ALGS: Tok = { 1: "SHA-1" };

/** tcpdump's ns_nskip: the offset past the name at `cp`, or NULL. */
function nsSkip(p: Pkt, cp: number): number {
  if (!p.has(cp, 1)) return NULL;
  let i = p.d[cp++];
  while (i) {
    switch (i & 0xc0) {
      case 0xc0:
        return cp + 1;
      case 0x40: {
        if ((i & 0x3f) !== 1) return NULL;
        if (!p.has(cp, 1)) return NULL;
        const bitlen = p.d[cp] || 256;
        cp += 1 + ((bitlen + 7) >> 3);
        break;
      }
      case 0x80:
        return NULL;
      default:
        cp += i;
    }
    if (!p.has(cp, 1)) return NULL;
    i = p.d[cp++];
  }
  return cp;
}

/** tcpdump's labellen: the length the label at `cp` takes, or -1 (after saying why). */
function labelLen(p: Pkt, cp: number): number {
  if (!p.has(cp, 1)) return -1;
  const i = p.d[cp];
  switch (i & 0xc0) {
    case 0x40: {
      const elt = i & 0x3f;
      if (elt !== 1) {
        p.out += `<ELT ${elt}>`;
        return -1;
      }
      if (!p.has(cp + 1, 1)) return -1;
      return (((p.d[cp + 1] || 256) + 7) >> 3) + 1;
    }
    case 0xc0:
    case 0x00:
      return i;
    default:
      p.out += "<BAD LABEL TYPE>";
      return -1;
  }
}

/** tcpdump's blabel_print: an EDNS0 bit label `\[x0a/12]`; the offset past it. */
function bitLabel(p: Pkt, cp: number): number {
  if (!p.has(cp, 1)) return NULL;
  const bitlen = p.d[cp] || 256;
  const lim = cp + 1 + ((bitlen + 3) >> 2);
  p.out += "\\[x";
  let bp = cp + 1;
  let b = bitlen;
  for (; bp < lim && b > 7; b -= 8, bp++) p.out += p.u8(bp).toString(16).padStart(2, "0");
  if (b > 4) {
    p.out += (p.u8(bp) & (0xff << (8 - b)) & 0xff).toString(16).padStart(2, "0");
  } else if (b > 0) {
    p.out += (((p.u8(bp) >> 4) & 0x0f) & (0x0f << (4 - b))).toString(16);
  }
  p.out += `/${bitlen}]`;
  return lim;
}

/**
 * tcpdump's fqdn_print: the domain name at `cp` (`example.com.`), compression pointers
 * counted from `bp`, the message start. Returns the offset past the name where it is in the
 * message, or -1 where tcpdump gives up (having printed what it could).
 */
export function fqdn(p: Pkt, cp: number, bp: number): number {
  let l = labelLen(p, cp);
  if (l === -1 || !p.has(cp, 1)) return NULL;
  // Unsigned, as in tcpdump: a name before its base (DHCPv6, EDNS CHAIN) may point anywhere.
  let maxOffset = (cp - bp) >>> 0;
  let i = p.d[cp++];
  let rp = NULL;
  let compress = false;
  if ((i & 0xc0) !== 0xc0) rp = cp + l;
  if (i === 0) {
    p.out += ".";
    return rp;
  }
  let chars = 0;
  while (i && cp < p.end) {
    switch (i & 0xc0) {
      case 0xc0: {
        if (!compress) {
          rp = cp + 1;
          compress = true;
        }
        if (!p.has(cp, 1)) return NULL;
        const offset = ((i << 8) | p.d[cp]) & 0x3fff;
        // Pointers must go backwards (as BIND requires), which also ends loops.
        if (offset >= maxOffset) {
          p.out += "<BAD PTR>";
          return NULL;
        }
        maxOffset = offset;
        cp = bp + offset;
        if (!p.has(cp, 1)) return NULL;
        i = p.d[cp];
        l = labelLen(p, cp);
        if (l === -1) return NULL;
        cp++;
        continue;
      }
      case 0x40: {
        const elt = i & 0x3f;
        if (elt !== 1) {
          p.out += `<ELT ${elt}>`;
          return NULL;
        }
        if (bitLabel(p, cp) === NULL) return NULL;
        break;
      }
      case 0x80:
        p.out += "<BAD LABEL TYPE>";
        return NULL;
      default:
        if (chars + l <= MAXCDNAME) {
          if (printn(p, cp, l)) return NULL;
        } else if (chars < MAXCDNAME) {
          if (printn(p, cp, MAXCDNAME - chars)) return NULL;
        }
        chars += l;
    }
    cp += l;
    if (chars <= MAXCDNAME) p.out += ".";
    chars++;
    if (!p.has(cp, 1)) return NULL;
    i = p.d[cp];
    l = labelLen(p, cp);
    if (l === -1) return NULL;
    cp++;
    if (!compress) rp += l + 1;
  }
  if (chars > MAXCDNAME) p.out += "<DOMAIN NAME TOO LONG>";
  return rp;
}

/** tcpdump's ns_cprint: a <character-string>; the offset past it, or NULL. */
function charString(p: Pkt, cp: number): number {
  if (!p.has(cp, 1)) return NULL;
  const n = p.d[cp];
  return printn(p, cp + 1, n) ? NULL : cp + 1 + n;
}

/** An EDNS client-subnet option's text (tcpdump's print_eopt_ecs). */
function ecs(p: Pkt, cp: number, len: number): void {
  if (len < 4) {
    p.out += " (invalid)";
    return;
  }
  const family = p.u16(cp);
  const src = p.u8(cp + 2);
  const scope = p.u8(cp + 3);
  const bits = family === 1 ? 32 : family === 2 ? 128 : 0;
  if (
    bits === 0 || len - 4 > bits / 8 || src > bits || scope > bits || (src + 7) >> 3 !== len - 4
  ) {
    p.out += " (invalid)";
    return;
  }
  const a = new Uint8Array(16);
  a.set(p.d.subarray(cp + 4, cp + len));
  p.out += family === 1
    ? `${a[0]}.${a[1]}.${a[2]}.${a[3]}/${src}/${scope}`
    : `${formatIp6(a, 0)}/${src}/${scope}`;
}

/** tcpdump's eopt_print: one EDNS option; the offset past it, or NULL. */
function ednsOption(p: Pkt, cp: number): number {
  if (!p.has(cp, 2)) return NULL;
  const opt = p.u16(cp);
  p.out += tok(EDNS_OPTS, opt, "Opt%u");
  if (!p.has(cp + 2, 2)) return NULL;
  const len = p.u16(cp + 2);
  cp += 4;
  if (!p.has(cp, len)) return NULL;
  if (len === 0) return cp;
  p.out += " ";
  const algs = (table: Tok) => {
    for (let i = 0; i < len; i++) p.out += (i > 0 ? " " : "") + tok(table, p.d[cp + i], "Alg_%u");
  };
  switch (opt) {
    case 8:
      ecs(p, cp, len);
      break;
    case 10:
      if (len < 8 || (len > 8 && len < 16) || len > 40) p.out += " (invalid)";
      else {
        for (let i = 0; i < len; i++) p.out += (i === 8 ? " " : "") + hex2(p.d[cp + i]);
      }
      break;
    case 11:
      p.out += len !== 2 ? " (invalid)" : `${(p.u16(cp) / 10).toFixed(1)} sec`;
      break;
    case 9:
      p.out += len !== 4 ? " (invalid)" : `${p.u32(cp)} sec`;
      break;
    case 12:
      p.out += `(${len})`;
      break;
    case 14:
      if (len % 2 !== 0) p.out += " (invalid)";
      else for (let i = 0; i < len; i += 2) p.out += (i > 0 ? " " : "") + p.u16(cp + i);
      break;
    case 5:
      algs(DAU_ALGS);
      break;
    case 6:
      algs(DHU_ALGS);
      break;
    case 7:
      algs(N3U_ALGS);
      break;
    case 13:
      fqdn(p, cp, cp + len);
      break;
    default:
      for (let i = 0; i < len; i++) p.out += hex2(p.d[cp + i]);
  }
  return cp + len;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** tcpdump's ns_qprint: a question (` A? name.`); the offset past it, or NULL. */
function question(p: Pkt, cp: number, bp: number, mdns: boolean): number {
  const np = cp;
  cp = nsSkip(p, cp);
  if (cp === NULL || !p.has(cp, 4)) return NULL;
  p.out += ` ${tok(DNS_TYPES, p.u16(cp), "Type%u")}`;
  const i = p.u16(cp + 2);
  const cls = mdns ? i & 0x7fff : i;
  if (cls !== C_IN) p.out += ` ${tok(CLASSES, cls, "(Class %u)")}`;
  if (mdns) p.out += i & 0x8000 ? " (QU)" : " (QM)";
  p.out += "? ";
  const end = fqdn(p, np, bp);
  return end === NULL ? NULL : end + 4;
}

/** tcpdump's ns_rprint: a resource record; the offset past it, or NULL. */
function record(p: Pkt, cp: number, bp: number, mdns: boolean): number {
  if (p.verbose) {
    p.out += " ";
    cp = fqdn(p, cp, bp);
    if (cp === NULL) return NULL;
  } else {
    cp = nsSkip(p, cp);
  }
  if (cp === NULL || !p.has(cp, 10)) return p.end;
  const typ = p.u16(cp);
  const i = p.u16(cp + 2);
  const cls = mdns ? i & 0x7fff : i;
  if (cls !== C_IN && typ !== T_OPT) p.out += ` ${tok(CLASSES, cls, "(Class %u)")}`;
  if (mdns && i & 0x8000) p.out += " (Cache flush)";
  let optFlags = 0;
  if (typ === T_OPT) optFlags = p.u16(cp + 6);
  else if (p.verbosity > 2) p.out += ` [${relts(p.u32(cp + 4))}]`;
  const len = p.u16(cp + 8);
  cp += 10;
  const rp = cp + len;
  p.out += ` ${tok(DNS_TYPES, typ, "Type%u")}`;
  if (rp > p.end) return NULL;
  switch (typ) {
    case 1:
      if (!p.has(cp, 4)) return NULL;
      p.out += ` ${p.ip4(cp)}`;
      break;
    case 2:
    case 5:
    case 12:
    case 39:
      p.out += " ";
      if (fqdn(p, cp, bp) === NULL) return NULL;
      break;
    case 6:
      if (!p.verbose) break;
      p.out += " ";
      cp = fqdn(p, cp, bp);
      if (cp === NULL) return NULL;
      p.out += " ";
      cp = fqdn(p, cp, bp);
      if (cp === NULL || !p.has(cp, 20)) return NULL;
      for (let k = 0; k < 5; k++) p.out += ` ${p.u32(cp + 4 * k)}`;
      break;
    case 15:
      p.out += " ";
      if (!p.has(cp, 2)) return NULL;
      if (fqdn(p, cp + 2, bp) === NULL) return NULL;
      p.out += ` ${p.u16(cp)}`;
      break;
    case 16:
      while (cp < rp) {
        p.out += ' "';
        cp = charString(p, cp);
        if (cp === NULL) return NULL;
        p.out += '"';
      }
      break;
    case 33:
      p.out += " ";
      if (!p.has(cp, 6)) return NULL;
      if (fqdn(p, cp + 6, bp) === NULL) return NULL;
      p.out += `:${p.u16(cp + 4)} ${p.u16(cp)} ${p.u16(cp + 2)}`;
      break;
    case 28:
      if (!p.has(cp, 16)) return NULL;
      p.out += ` ${p.ip6(cp)}`;
      break;
    case 38: {
      if (!p.has(cp, 1)) return NULL;
      const pbit = p.d[cp];
      const pbyte = (pbit & ~7) >> 3;
      if (pbit > 128) {
        p.out += ` ${pbit}(bad plen)`;
        break;
      } else if (pbit < 128) {
        p.need(cp + 1, 16 - pbyte);
        const a = new Uint8Array(16);
        a.set(p.d.subarray(cp + 1, cp + 1 + 16 - pbyte), pbyte);
        p.out += ` ${pbit} ${formatIp6(a, 0)}`;
      }
      if (pbit > 0) {
        p.out += " ";
        if (fqdn(p, cp + 1 + 16 - pbyte, bp) === NULL) return NULL;
      }
      break;
    }
    case 256:
      if (!p.has(cp, len)) return NULL;
      p.out += ` ${p.u16(cp)} ${p.u16(cp + 2)} `;
      if (printn(p, cp + 4, (len - 4) >>> 0)) return NULL;
      break;
    case T_OPT:
      p.out += ` UDPsize=${cls}`;
      if (optFlags & 0x8000) p.out += " DO";
      if (cp < rp) {
        p.out += " [";
        while (cp < rp) {
          cp = ednsOption(p, cp);
          if (cp === NULL) return NULL;
          if (cp < rp) p.out += ",";
        }
        p.out += "]";
      }
      break;
    case 104:
      if (!p.has(cp, len)) return NULL;
      if (printn(p, cp, len)) return NULL;
      break;
    case 250: {
      if (cp + len > p.end) return NULL;
      if (!p.verbose) break;
      p.out += " ";
      cp = fqdn(p, cp, bp);
      if (cp === NULL) return NULL;
      cp += 6;
      if (!p.has(cp, 2)) return NULL;
      p.out += ` fudge=${p.u16(cp)}`;
      cp += 2;
      if (!p.has(cp, 2)) return NULL;
      p.out += ` maclen=${p.u16(cp)}`;
      cp += 2 + p.u16(cp);
      for (const name of ["origid", "error", "otherlen"]) {
        if (!p.has(cp, 2)) return NULL;
        p.out += ` ${name}=${p.u16(cp)}`;
        cp += 2;
      }
      break;
    }
  }
  return rp;
}

/**
 * The `n` records of one section after `lead` (` ns:`, ` ar:`; the answers have none), as
 * tcpdump loops over them: a section it cannot finish ends the line as truncated.
 */
function section(p: Pkt, cp: number, bp: number, mdns: boolean, n: number, lead: string): number {
  if (n === 0) return cp;
  // tcpdump starts the authority and additional sections only before the end of the capture.
  if (lead !== "" && cp >= p.end) throw CUT;
  p.out += lead;
  cp = record(p, cp, bp, mdns);
  if (cp === NULL) throw CUT;
  n--;
  while (cp < p.end && n) {
    p.out += ",";
    cp = record(p, cp, bp, mdns);
    if (cp === NULL) throw CUT;
    n--;
  }
  if (n) throw CUT;
  return cp;
}

/** The rcode with the extended bits of an OPT record in the additional section. */
function extendedRcode(p: Pkt, bp: number, flags: number, counts: number[]): number {
  const rcode = flags & 0xf;
  let cp = bp + 12;
  for (let i = 0; i < counts[0]; i++) {
    if ((cp = nsSkip(p, cp)) === NULL) return rcode;
    cp += 4;
    if (cp >= p.end) return rcode;
  }
  for (let i = 0; i < counts[1] + counts[2]; i++) {
    if ((cp = nsSkip(p, cp)) === NULL) return rcode;
    cp += 8;
    if (cp + 2 > p.end) return rcode;
    cp += 2 + p.u16(cp);
    if (cp >= p.end) return rcode;
  }
  for (let i = 0; i < counts[3]; i++) {
    if ((cp = nsSkip(p, cp)) === NULL) return rcode;
    if (cp + 2 > p.end) return rcode;
    const type = p.u16(cp);
    cp += 4;
    if (cp + 1 > p.end) return rcode;
    if (type === T_OPT) return rcode | (p.u8(cp) << 4);
    cp += 4;
    if (cp + 2 > p.end) return rcode;
    cp += 2 + p.u16(cp);
    if (cp >= p.end) return rcode;
  }
  return rcode;
}

const counts = [0, 0, 0, 0];

/** tcpdump's domain_print: the DNS message at `bp`, `length` bytes. */
export function domain(p: Pkt, bp: number, length: number, overTcp: boolean, mdns: boolean): void {
  p.proto = "domain";
  if (overTcp) {
    if (length < 2) {
      p.out += ` [DNS over TCP: length ${length} < 2] (invalid)`;
      return;
    }
    length -= 2;
    const prefix = p.u16(bp);
    if (prefix !== length) {
      p.out += ` [prefix length(${prefix}) != length(${length})] (invalid)`;
      return;
    }
    bp += 2;
    p.out += " ";
  }
  if (length < 12) {
    p.out += `domain [length ${length} < 12] (invalid)`;
    return;
  }
  p.check(bp, 12);
  const id = p.u16(bp);
  const flags = p.u16(bp + 2);
  counts[0] = p.u16(bp + 4);
  counts[1] = p.u16(bp + 6);
  counts[2] = p.u16(bp + 8);
  counts[3] = p.u16(bp + 10);
  const [an, ns, ar] = [counts[1], counts[2], counts[3]];
  let qd = counts[0];
  const rcode = extendedRcode(p, bp, flags, counts);
  const opcode = (flags >> 11) & 0xf;
  let cp = bp + 12;
  if (flags & 0x8000) {
    p.out += `${id}${OPCODES[opcode]}${rcode < RCODES.length ? RCODES[rcode] : ` Resp${rcode}`}` +
      `${flags & 0x0400 ? "*" : ""}${flags & 0x80 ? "" : "-"}${flags & 0x200 ? "|" : ""}` +
      `${flags & 0x20 ? "$" : ""}`;
    if (qd !== 1) p.out += ` [${qd}q]`;
    for (let i = 0; i < qd; i++) {
      if (i !== 0) p.out += ",";
      if (p.verbosity > 1) {
        p.out += " q:";
        cp = question(p, cp, bp, mdns);
      } else {
        cp = nsSkip(p, cp);
        if (cp !== NULL) cp += 4;
      }
      if (cp === NULL) throw CUT;
    }
    p.out += ` ${an}/${ns}/${ar}`;
    cp = section(p, cp, bp, mdns, an, "");
    if (p.verbosity > 1) {
      cp = section(p, cp, bp, mdns, ns, " ns:");
      section(p, cp, bp, mdns, ar, " ar:");
    }
  } else {
    p.out += `${id}${OPCODES[opcode]}${flags & 0x100 ? "+" : ""}${flags & 0x10 ? "%" : ""}`;
    if (flags & 0x6cf) p.out += ` [b2&3=0x${flags.toString(16)}]`;
    if (opcode === 1) {
      if (qd) p.out += ` [${qd}q]`;
      if (an !== 1) p.out += ` [${an}a]`;
    } else {
      if (an) p.out += ` [${an}a]`;
      if (qd !== 1) p.out += ` [${qd}q]`;
    }
    if (ns) p.out += ` [${ns}n]`;
    if (ar) p.out += ` [${ar}au]`;
    if (qd) {
      cp = question(p, cp, bp, mdns);
      if (cp === NULL) throw CUT;
      qd--;
      while (cp < p.end && qd) {
        cp = question(p, cp, bp, mdns);
        if (cp === NULL) throw CUT;
        qd--;
      }
    }
    if (qd) throw CUT;
    if (p.verbosity > 1) {
      cp = section(p, cp, bp, mdns, an, "");
      cp = section(p, cp, bp, mdns, ns, " ns:");
      section(p, cp, bp, mdns, ar, " ar:");
    }
  }
  p.out += ` (${length})`;
}

/** UDP port 53. */
export function dnsUdp(p: Pkt, off: number, length: number, _info: IpInfo): void {
  domain(p, off, length, false, false);
}

/** UDP port 5353. */
export function mdnsUdp(p: Pkt, off: number, length: number, _info: IpInfo): void {
  domain(p, off, length, false, true);
}

/** TCP port 53. */
export function dnsTcp(p: Pkt, off: number, length: number, _info: IpInfo): void {
  domain(p, off, length, true, false);
}
