/**
 * HNCP/DNCP (tcpdump's print-hncp.c) on UDP 8231: the TLV types on one line at default (`Node
 * endpoint, Network state (x2)`); with -v each TLV on a line of its own with its fields, the
 * nested ones listed inline, all of them from -vvv.
 *
 * @module
 */
import { fqdn } from "./dns.ts";
import { formatIp6, hex2, type IpInfo, type Pkt } from "./printer.ts";
import { printjnp, tok, toks } from "./text.ts";

const TYPES = toks(
  "1=Request network state|2=Request node state|3=Node endpoint|4=Network state|" +
    "5=Node state|8=Peer|9=Keep-alive interval|10=Trust-Verdict|32=HNCP-Version|" +
    "33=External-Connection|34=Delegated-Prefix|43=Prefix-Policy|37=DHCPv4-Data|" +
    "38=DHCPv6-Data|35=Assigned-Prefix|36=Node-Address|39=DNS-Delegated-Zone|" +
    "40=Domain-Name|41=Node-Name|42=Managed-PSK|65536=Reserved|65537=Unassigned|" +
    "65538=Private use|65539=Future use",
);
const DH4_OPTIONS = toks("6=DNS-server|42=NTP-server|119=DNS-search");
const DH6_OPTIONS = toks("23=DNS-server|24=DNS-search-list|31=SNTP-servers");

class Invalid {}
const INVALID = new Invalid();

const up4 = (n: number) => (n + 3) & ~3;

function nid(p: Pkt, at: number): string {
  return `${hex2(p.u8(at))}:${hex2(p.u8(at + 1))}:${hex2(p.u8(at + 2))}:${hex2(p.u8(at + 3))}`;
}

function hex64(p: Pkt, at: number): string {
  return p.u32(at).toString(16).padStart(8, "0") + p.u32(at + 4).toString(16).padStart(8, "0");
}

function interval(n: number): string {
  return `${Math.floor(n / 1000)}.${String(n % 1000).padStart(3, "0")}s`;
}

function mapped(p: Pkt, at: number): boolean {
  for (let i = 0; i < 10; i++) if (p.d[at + i] !== 0) return false;
  return p.d[at + 10] === 0xff && p.d[at + 11] === 0xff;
}

function address(p: Pkt, at: number): string {
  return mapped(p, at) ? p.ip4(at + 12) : p.ip6(at);
}

const prefixBytes = new Uint8Array(16);

/** tcpdump's print_prefix: the bytes used, or -1 (bad length), -2/-3 (does not fit). */
function prefix(p: Pkt, at: number, max: number): number {
  prefixBytes.fill(0);
  const plen0 = p.u8(at);
  if (plen0 >= 96 && max >= 13 && mapped(p, at + 1)) {
    const plen = plen0 - 96;
    if (plen > 32) return -1;
    const n = (plen + 7) >> 3;
    if (max - 1 < n + 12) return -3;
    prefixBytes.set(p.d.subarray(at + 13, at + 13 + n));
    if (plen % 8) prefixBytes[n - 1] &= (0xff00 >> (plen % 8)) & 0xff;
    p.out += `${prefixBytes[0]}.${prefixBytes[1]}.${prefixBytes[2]}.${prefixBytes[3]}/${plen}`;
    return n + 13;
  }
  if (max < 1) return -2;
  if (plen0 > 128) return -1;
  const n = (plen0 + 7) >> 3;
  if (max - 1 < n) return -2;
  p.need(at + 1, n);
  prefixBytes.set(p.d.subarray(at + 1, at + 1 + n));
  if (plen0 % 8) prefixBytes[n - 1] &= (0xff00 >> (plen0 % 8)) & 0xff;
  p.out += `${formatIp6(prefixBytes)}/${plen0}`;
  return n + 1;
}

/** tcpdump's print_dns_label: the bytes used, or -1 (after `[|DNS]`). */
function label(p: Pkt, at: number, max: number): number {
  let len = 0;
  while (len < max) {
    const l = p.u8(at + len);
    len++;
    if (l === 0) return len;
    if (len > 1) p.out += ".";
    if (len + l > max) {
      printjnp(p, at + len, max - len);
      break;
    }
    printjnp(p, at + len, l);
    len += l;
  }
  p.out += "[|DNS]";
  return -1;
}

function indentOf(n: number): string {
  return "\n" + "\t".repeat(n);
}

/** The options of DHCPv4-Data or DHCPv6-Data (`v6`); false where tcpdump gives up. */
function dhcpData(p: Pkt, at: number, length: number, indent: number, v6: boolean): boolean {
  const head = v6 ? 4 : 2;
  for (let i = 0; i < length;) {
    if (i + head > length) return false;
    const type = v6 ? p.u16(at + i) : p.u8(at + i);
    const len = v6 ? p.u16(at + i + 2) : p.u8(at + i + 1);
    const value = at + i + head;
    p.out += indentOf(indent) + tok(v6 ? DH6_OPTIONS : DH4_OPTIONS, type, "Unknown") +
      ` (${len + head})`;
    if (i + head + len > length) return false;
    if (type === (v6 ? 23 : 6) || type === (v6 ? 31 : 42)) {
      const size = v6 ? 16 : 4;
      if (v6 ? len % 16 !== 0 : len < 4 || len % 4 !== 0) {
        if (v6) p.out += " (invalid)";
        return false;
      }
      for (let t = 0; t < len; t += size) p.out += ` ${v6 ? p.ip6(value + t) : p.ip4(value + t)}`;
    } else if (type === (v6 ? 24 : 119)) {
      for (let tp = value; tp < value + len;) {
        p.out += " ";
        tp = fqdn(p, tp, value + len);
        if (tp < 0) return false;
      }
    }
    i += head + len;
  }
  return true;
}

/** tcpdump's hncp_print_rec: the TLVs from `cp`, at nesting `indent`. */
function tlvs(p: Pkt, cp: number, length: number, indent: number): void {
  const inline = indent - 1 >= p.verbosity && p.verbosity < 3;
  let first = true;
  let lastMask = 0xffffffff;
  let lastCount = -1;
  const flush = () => {
    if (lastCount <= 0) return;
    if (first) {
      first = false;
      p.out += indent > 1 ? indentOf(indent) : " ";
    } else p.out += ", ";
    p.out += tok(TYPES, lastMask, "Easter Egg");
    if (lastCount > 1) p.out += ` (x${lastCount})`;
  };
  try {
    for (let i = 0; i < length;) {
      const tlv = cp + i;
      if (!inline) p.out += indentOf(indent);
      if (!p.has(tlv, 4)) {
        p.out += " [|hncp]";
        return;
      }
      if (i + 4 > length) throw INVALID;
      const type = p.u16(tlv);
      const bodylen = p.u16(tlv + 2);
      const value = tlv + 4;
      if (!p.has(value, bodylen)) {
        p.out += " [|hncp]";
        return;
      }
      if (i + bodylen + 4 > length) throw INVALID;
      let mask = type === 0
        ? 65536
        : type >= 44 && type <= 511
        ? 65537
        : type >= 768 && type <= 1023
        ? 65538
        : 65539;
      if (type === 6 || type === 7) mask = 65539;
      if (TYPES[type] !== undefined && type > 0) mask = type;
      i += 4 + up4(bodylen);
      if (inline) {
        if (lastMask === mask) lastCount++;
        else {
          flush();
          lastMask = mask;
          lastCount = 1;
        }
        continue;
      }
      p.out += tok(TYPES, mask, "Easter Egg (42)");
      if (mask > 0xffff) p.out += `: type=${type}`;
      p.out += ` (${bodylen + 4})`;
      tlv1(p, mask, value, bodylen, indent);
    }
    flush();
  } catch (e) {
    if (e !== INVALID) throw e;
    p.out += " (invalid)";
  }
}

/** One TLV's fields (multi-line form). */
function tlv1(p: Pkt, type: number, value: number, len: number, indent: number): void {
  const invalid = (): void => {
    p.out += " (invalid)";
  };
  const nested = (l: number) => {
    if (len >= l) tlvs(p, value + l, len - l, indent + 1);
  };
  switch (type) {
    case 1:
      if (len !== 0) invalid();
      break;
    case 2:
      if (len !== 4) invalid();
      else p.out += ` NID: ${nid(p, value)}`;
      break;
    case 3:
      if (len !== 8) invalid();
      else {p.out += ` NID: ${nid(p, value)} EPID: ${
          p.u32(value + 4).toString(16).padStart(8, "0")
        }`;}
      break;
    case 4:
      if (len !== 8) invalid();
      else p.out += ` hash: ${hex64(p, value)}`;
      break;
    case 5:
      if (len < 20) return invalid();
      p.out += ` NID: ${nid(p, value)} seqno: ${p.u32(value + 4)} ${
        interval(p.u32(value + 8))
      } hash: ${hex64(p, value + 12)}`;
      tlvs(p, value + 20, len - 20, indent + 1);
      break;
    case 8:
      if (len !== 12) invalid();
      else {
        p.out += ` Peer-NID: ${nid(p, value)} Peer-EPID: ${
          p.u32(value + 4).toString(16).padStart(8, "0")
        } Local-EPID: ${p.u32(value + 8).toString(16).padStart(8, "0")}`;
      }
      break;
    case 9:
      if (len < 8) invalid();
      else {
        p.out += ` EPID: ${p.u32(value).toString(16).padStart(8, "0")} Interval: ${
          interval(p.u32(value + 4))
        }`;
      }
      break;
    case 10:
      if (len <= 36) return invalid();
      p.out +=
        ` Verdict: ${p.u8(value)} Fingerprint: ${hex64(p, value + 4)}${hex64(p, value + 12)}` +
        `${hex64(p, value + 20)}${hex64(p, value + 28)} Common Name: `;
      printjnp(p, value + 36, len - 36);
      break;
    case 32: {
      if (len < 5) return invalid();
      const c = p.u16(value + 2);
      p.out += ` M: ${(c >> 12) & 15} P: ${(c >> 8) & 15} H: ${(c >> 4) & 15} L: ${c & 15}` +
        " User-agent: ";
      printjnp(p, value + 4, len - 4);
      break;
    }
    case 33:
      tlvs(p, value, len, indent + 1);
      break;
    case 34: {
      if (len < 9 || len < 9 + ((p.u8(value + 8) + 7) >> 3)) return invalid();
      p.out += ` VLSO: ${interval(p.u32(value))} PLSO: ${interval(p.u32(value + 4))} Prefix: `;
      let l = prefix(p, value + 8, len - 8);
      if (l === -1) {
        p.out += "(length is invalid)";
        return;
      }
      if (l < 0) return invalid();
      l += 8 + (-l & 3);
      nested(l);
      break;
    }
    case 43: {
      if (len < 1) return invalid();
      const policy = p.u8(value);
      p.out += " type: ";
      if (policy === 0) {
        if (len !== 1) return invalid();
        p.out += "Internet connectivity";
      } else if (policy <= 128) {
        p.out += "Dest-Prefix: ";
        const l = prefix(p, value, len);
        if (l === -1) p.out += "(length is invalid)";
        else if (l < 0) invalid();
      } else if (policy === 129) {
        p.out += "DNS domain: ";
        label(p, value + 1, len - 1);
      } else if (policy === 130) {
        p.out += "Opaque UTF-8: ";
        printjnp(p, value + 1, len - 1);
      } else if (policy === 131) {
        if (len !== 1) return invalid();
        p.out += "Restrictive assignment";
      } else p.out += `Unknown (${policy})`;
      break;
    }
    case 37:
      if (len === 0) return invalid();
      if (!dhcpData(p, value, len, indent + 1, false)) throw INVALID;
      break;
    case 38:
      if (len === 0) return invalid();
      if (!dhcpData(p, value, len, indent + 1, true)) invalid();
      break;
    case 35: {
      if (len < 6 || len < 6 + ((p.u8(value + 5) + 7) >> 3)) return invalid();
      p.out += ` EPID: ${p.u32(value).toString(16).padStart(8, "0")} Prty: ${p.u8(value + 4) & 15}`;
      p.out += " Prefix: ";
      let l = prefix(p, value + 5, len - 5);
      if (l < 0) return invalid();
      l += 5;
      l += -l & 3;
      nested(l);
      break;
    }
    case 36:
      if (len < 20) return invalid();
      p.out += ` EPID: ${p.u32(value).toString(16).padStart(8, "0")} IP Address: ${
        address(p, value + 4)
      }`;
      tlvs(p, value + 20, len - 20, indent + 1);
      break;
    case 39: {
      if (len < 17) return invalid();
      const f = p.u8(value + 16);
      p.out += ` IP-Address: ${address(p, value)} ${f & 4 ? "l" : "-"}${f & 2 ? "b" : "-"}${
        f & 1 ? "s" : "-"
      } `;
      let l = label(p, value + 17, len - 17);
      if (l < 0) return invalid();
      l += 17;
      l += -l & 3;
      nested(l);
      break;
    }
    case 40:
      if (len === 0) return invalid();
      p.out += " Domain: ";
      label(p, value, len);
      break;
    case 41: {
      if (len < 17) return invalid();
      const l = p.u8(value + 16);
      if (len < 17 + l) return invalid();
      p.out += ` IP-Address: ${address(p, value)} Name: `;
      if (l < 64) {
        p.out += '"';
        printjnp(p, value + 17, l);
        p.out += '"';
      } else invalid();
      nested(up4(l + 17));
      break;
    }
    case 42:
      if (len < 32) return invalid();
      p.out += ` PSK: ${hex64(p, value)}${hex64(p, value + 8)}${hex64(p, value + 16)}${
        hex64(p, value + 24)
      }`;
      tlvs(p, value + 32, len - 32, indent + 1);
      break;
  }
}

/** UDP 8231. */
export function hncp(p: Pkt, bp: number, length: number, _info: IpInfo): void {
  p.proto = "hncp";
  p.out += `hncp (${length})`;
  tlvs(p, bp, length, 1);
}
