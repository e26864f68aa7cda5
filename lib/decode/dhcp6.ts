/**
 * DHCPv6 (tcpdump's print-dhcp6.c) on UDP 546/547: the message type; with -v the transaction
 * id (or a relay's addresses) and every option in parentheses, nested options and relayed
 * messages inside theirs.
 *
 * @module
 */
import { fqdn } from "./dns.ts";
import { hex2, type IpInfo, type Pkt } from "./printer.ts";
import { printjnp, tok, toks } from "./text.ts";

const MESSAGES = toks(
  "1=solicit|2=advertise|3=request|4=confirm|5=renew|6=rebind|7=reply|8=release|9=decline|" +
    "10=reconfigure|11=inf-req|12=relay-fwd|13=relay-reply|14=leasequery|15=leasequery-reply",
);
const OPTIONS = toks(
  "1=client-ID|2=server-ID|3=IA_NA|4=IA_TA|5=IA_ADDR|6=option-request|7=preference|" +
    "8=elapsed-time|9=relay-message|11=authentication|12=server-unicast|13=status-code|" +
    "14=rapid-commit|15=user-class|16=vendor-class|17=vendor-specific-info|18=interface-ID|" +
    "19=reconfigure-message|20=reconfigure-accept|21=SIP-servers-domain|" +
    "22=SIP-servers-address|23=DNS-server|24=DNS-search-list|25=IA_PD|26=IA_PD-prefix|" +
    "31=SNTP-servers|32=lifetime|27=NIS-server|28=NIS+-server|29=NIS-domain-name|" +
    "30=NIS+-domain-name|33=BCMCS-domain-name|34=BCMCS-server|36=Geoconf-Civic|" +
    "37=Remote-ID|38=Subscriber-ID|39=Client-FQDN|40=PANA-agent|41=POSIX-timezone|" +
    "42=POSIX-tz-database|43=Echo-request-option|44=Lease-query|45=LQ-client-data|" +
    "46=Clt-time|47=LQ-relay-data|48=LQ-client-link|56=NTP-server|64=AFTR-Name|112=MUD-URL",
);
const STATUS = toks(
  "0=Success|1=UnspecFail|2=NoAddrsAvail|3=NoBinding|4=NotOnLink|5=UseMulticast|" +
    "6=NoPrefixAvail|7=UnknownQueryType|8=MalformedQuery|9=NotConfigured|10=NotAllowed",
);

function hexRun(p: Pkt, at: number, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += hex2(p.u8(at + i));
  return s;
}

function hex32(v: number): string {
  return v.toString(16).padStart(8, "0");
}

/** The options from `cp` to `ep` (tcpdump's dhcp6opt_print); a cut one ends them. */
function options(p: Pkt, cp: number, ep: number): void {
  while (cp < ep) {
    if (ep < cp + 4 || !p.has(cp, 4)) return cut(p);
    const len = p.u16(cp + 2);
    if (ep < cp + 4 + len) return cut(p);
    const type = p.u16(cp);
    p.out += ` (${tok(OPTIONS, type, "opt_%u")}`;
    if (!p.has(cp + 4, len)) return cut(p);
    const tp = cp + 4;
    const bad = () => p.out += " ?)";
    switch (type) {
      case 1:
      case 2: {
        if (len < 2) {
          bad();
          break;
        }
        const duid = p.u16(tp);
        if (duid === 1 && len >= 8) {
          p.out += ` hwaddr/time type ${p.u16(tp + 2)} time ${p.u32(tp + 4)} ${
            hexRun(p, tp, 8, len)
          })`;
        } else if (duid === 2 && len >= 10) p.out += ` vid ${hexRun(p, tp, 2, 10)})`;
        else if (duid === 3 && len >= 4) {
          p.out += ` hwaddr type ${p.u16(tp + 2)} ${hexRun(p, tp, 4, len)})`;
        } else if (duid >= 1 && duid <= 3) bad();
        else p.out += ` type ${duid})`;
        break;
      }
      case 5:
        if (len < 24) {
          bad();
          break;
        }
        p.out += ` ${p.ip6(tp)}`;
        p.out += ` pltime:${p.u32(tp + 16)} vltime:${p.u32(tp + 20)}`;
        if (len > 24) options(p, tp + 24, tp + len);
        p.out += ")";
        break;
      case 6:
      case 43:
        if (len % 2) {
          bad();
          break;
        }
        for (let i = 0; i < len; i += 2) p.out += ` ${tok(OPTIONS, p.u16(tp + i), "opt_%u")}`;
        p.out += ")";
        break;
      case 7:
        if (len !== 1) bad();
        else p.out += ` ${p.u8(tp)})`;
        break;
      case 8:
        if (len !== 2) bad();
        else p.out += ` ${p.u16(tp)})`;
        break;
      case 9: {
        p.out += " (";
        const saved = p.end;
        p.end = Math.min(tp + len, p.end);
        dhcp6(p, tp, len);
        p.end = saved;
        p.out += ")";
        break;
      }
      case 11:
        if (len < 11) bad();
        else auth(p, tp, len);
        break;
      case 14:
      case 20:
        p.out += ")";
        break;
      case 18:
      case 38:
        p.out += ` ${hexRun(p, tp, 0, Math.min(len, 10))}...)`;
        break;
      case 19: {
        if (len !== 1) {
          bad();
          break;
        }
        const t = p.u8(tp);
        p.out += t === 5 ? " for renew)" : t === 11 ? " for inf-req)" : ` for ???(${hex2(t)}))`;
        break;
      }
      case 22:
      case 23:
      case 31:
      case 27:
      case 28:
      case 34:
      case 40:
      case 48:
        if (len % 16) {
          bad();
          break;
        }
        for (let i = 0; i < len; i += 16) p.out += ` ${p.ip6(tp + i)}`;
        p.out += ")";
        break;
      case 21:
      case 24: {
        let at = tp;
        while (at < tp + len) {
          p.out += " ";
          at = fqdn(p, at, tp + len);
          if (at < 0) return cut(p);
        }
        p.out += ")";
        break;
      }
      case 13:
        if (len < 2) bad();
        else {
          const code = p.u16(tp);
          p.out += ` ${code > 255 ? "INVALID code" : tok(STATUS, code, "code%u")})`;
        }
        break;
      case 3:
      case 25:
      case 4: {
        const head = type === 4 ? 4 : 12;
        if (len < head) {
          bad();
          break;
        }
        p.out += type === 4
          ? ` IAID:${p.u32(tp)}`
          : ` IAID:${p.u32(tp)} T1:${p.u32(tp + 4)} T2:${p.u32(tp + 8)}`;
        if (len > head) options(p, tp + head, tp + len);
        p.out += ")";
        break;
      }
      case 26:
        if (len < 25) {
          bad();
          break;
        }
        p.out += ` ${p.ip6(tp + 9)}/${p.u8(tp + 8)}`;
        p.out += ` pltime:${p.u32(tp)} vltime:${p.u32(tp + 4)}`;
        if (len > 25) options(p, tp + 25, tp + len);
        p.out += ")";
        break;
      case 32:
      case 46:
        if (len !== 4) bad();
        else p.out += ` ${p.u32(tp)})`;
        break;
      case 37:
        if (len < 4) bad();
        else p.out += ` ${p.u32(tp)} ${hexRun(p, tp, 4, Math.min(len, 14))}...)`;
        break;
      case 44: {
        if (len < 17) {
          bad();
          break;
        }
        const q = p.u8(tp);
        p.out += q === 1 ? " by-address" : q === 2 ? " by-clientID" : ` type_${q}`;
        p.out += ` ${p.ip6(tp + 1)}`;
        if (len > 17) options(p, tp + 17, tp + len);
        p.out += ")";
        break;
      }
      case 45:
        if (len > 0) options(p, tp, tp + len);
        p.out += ")";
        break;
      case 47:
        if (len < 16) bad();
        else p.out += ` ${p.ip6(tp)} ${hexRun(p, tp, 16, Math.min(len, 26))}...)`;
        break;
      case 56:
        if (len < 4) bad();
        else if (!ntpServer(p, tp, cp + 4 + len)) return cut(p);
        break;
      case 64:
        if (len < 3) bad();
        else aftr(p, tp, len);
        break;
      case 41:
      case 42:
      case 112:
        if (len < 5) bad();
        else {
          p.out += " ";
          printjnp(p, tp, len);
          p.out += ")";
        }
        break;
      default:
        p.out += ")";
    }
    cp += 4 + len;
  }
}

function cut(p: Pkt): void {
  p.out += " [|dhcp6]";
}

function auth(p: Pkt, tp: number, len: number): void {
  const proto = p.u8(tp);
  p.out += proto === 2
    ? " proto: delayed"
    : proto === 3
    ? " proto: reconfigure"
    : ` proto: ${proto}`;
  const alg = p.u8(tp + 1);
  p.out += alg === 1 ? ", alg: HMAC-MD5" : `, alg: ${alg}`;
  const rdm = p.u8(tp + 2);
  p.out += rdm === 0 ? ", RDM: mono" : `, RDM: ${rdm}`;
  p.out += ", RD:";
  for (let i = 0; i < 4; i++) p.out += ` ${p.u16(tp + 3 + 2 * i).toString(16).padStart(4, "0")}`;
  let at = tp + 11;
  const info = len - 11;
  if (proto === 2) {
    if (info !== 0) {
      if (info < 20) p.out += " ??";
      else {
        if (info - 20 > 0) p.out += ", realm: ";
        for (let i = 0; i < info - 20; i++) p.out += hex2(p.u8(at++));
        p.out += `, key ID: ${hex32(p.u32(at))}`;
        at += 4;
        p.out += ", HMAC-MD5:";
        for (let i = 0; i < 4; i++, at += 4) p.out += ` ${hex32(p.u32(at))}`;
      }
    }
  } else if (proto === 3) {
    if (info !== 17) p.out += " ??";
    else {
      const t = p.u8(at++);
      p.out += t === 1 ? " reconfig-key" : t === 2 ? " type: HMAC-MD5" : " type: ??";
      p.out += " value:";
      for (let i = 0; i < 4; i++, at += 4) p.out += ` ${hex32(p.u32(at))}`;
    }
  } else {
    p.out += " ??";
  }
  p.out += ")";
}

/** The NTP server option's sub-options; false when one runs past the option. */
function ntpServer(p: Pkt, tp: number, end: number): boolean {
  while (tp < end - 4) {
    const code = p.u16(tp);
    const len = p.u16(tp + 2);
    tp += 4;
    if (tp + len > end) return false;
    p.out += ` subopt:${code}`;
    if (code === 1 || code === 2) {
      p.out += len !== 16 ? " ?" : ` ${p.ip6(tp)}`;
    } else if (code === 3) {
      p.out += " ";
      if (fqdn(p, tp, tp + len) < 0) return false;
    } else p.out += " ?";
    tp += len;
  }
  p.out += ")";
  return true;
}

function aftr(p: Pkt, tp: number, len: number): void {
  let remain = len;
  p.out += " ";
  while (remain && p.u8(tp)) {
    const label = p.u8(tp++);
    if (label < remain - 1) {
      printjnp(p, tp, label);
      tp += label;
      remain -= label + 1;
      if (p.u8(tp)) p.out += ".";
    } else {
      p.out += " ?";
      break;
    }
  }
  p.out += ")";
}

/** tcpdump's dhcp6_print. */
function dhcp6(p: Pkt, cp: number, length: number): void {
  p.proto = "dhcp6";
  p.out += "dhcp6";
  const ep = Math.min(p.end, cp + length);
  if (!p.has(cp, 4)) return cut(p);
  const type = p.d[cp];
  const name = tok(MESSAGES, type, "msgtype-%u");
  if (!p.verbose) {
    p.out += ` ${name}`;
    return;
  }
  p.out += ` ${name} (`;
  if (type !== 12 && type !== 13) {
    p.out += `xid=${(p.u32(cp) & 0xffffff).toString(16)}`;
    options(p, cp + 4, ep);
  } else {
    p.out += `linkaddr=${p.ip6(cp + 2)}`;
    p.out += ` peeraddr=${p.ip6(cp + 18)}`;
    options(p, cp + 34, ep);
  }
  p.out += ")";
}

/** UDP 546 and 547. */
export function dhcp6Udp(p: Pkt, off: number, length: number, _info: IpInfo): void {
  dhcp6(p, off, length);
}
