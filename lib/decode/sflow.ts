/**
 * sFlow version 5 (tcpdump's print-sflow.c) on UDP 6343: the agent line; with -v the datagram
 * header and each flow or counter sample with its records (interface, Ethernet, 100BaseVG,
 * VLAN and processor counters; raw packet, Ethernet frame and switch flow records).
 *
 * @module
 */
import { type IpInfo, type Pkt, TRUNCATED } from "./printer.ts";
import { tok, toks } from "./text.ts";

const FORMATS = toks(
  "1=flow sample|2=counter sample|3=expanded flow sample|4=expanded counter sample",
);
const FLOW_TYPES = toks(
  "1=Raw packet|2=Ethernet frame|3=IPv4 Data|4=IPv6 Data|1001=Extended Switch data|" +
    "1002=Extended Router data|1003=Extended Gateway data|1004=Extended User data|" +
    "1005=Extended URL data|1006=Extended MPLS data|1007=Extended NAT data|" +
    "1008=Extended MPLS tunnel|1009=Extended MPLS VC|1010=Extended MPLS FEC|" +
    "1011=Extended MPLS LVP FEC|1012=Extended VLAN Tunnel",
);
const COUNTER_TYPES = toks(
  "1=Generic counter|2=Ethernet counter|3=Token ring counter|4=100 BaseVG counter|" +
    "5=Vlan counter|1001=Processor counter",
);
const DIRECTIONS = toks("0=unknown|1=full-duplex|2=half-duplex|3=in|4=out");
const RAW_PROTOCOLS = toks("1=Ethernet|11=IPv4|12=IPv6");

/**
 * A record's text from a template: `{N}` is the 32-bit word at byte N, `{N:8}` the 64-bit one,
 * read (as tcpdump's GET macros) before anything of it is printed.
 */
function fill(p: Pkt, at: number, template: string): string {
  return template.replace(/\{(\d+)(:8)?\}/g, (_m, n: string, wide?: string) => {
    const o = at + Number(n);
    if (!wide) return `${p.u32(o)}`;
    return `${BigInt(p.u32(o)) * 4294967296n + BigInt(p.u32(o + 4))}`;
  });
}

/** Counter records by type: their least length and text. */
const COUNTERS: Record<number, [number, string]> = {
  1: [
    88,
    "\n\t      ifindex {0}, iftype {4}, ifspeed {8:8}, ifdirection {16} (DIR)" +
    "\n\t      ifstatus {20}, adminstatus: ADMIN, operstatus: OPER" +
    "\n\t      In octets {24:8}, unicast pkts {32}, multicast pkts {36}, broadcast pkts {40}, discards {44}" +
    "\n\t      In errors {48}, unknown protos {52}" +
    "\n\t      Out octets {56:8}, unicast pkts {64}, multicast pkts {68}, broadcast pkts {72}, discards {76}" +
    "\n\t      Out errors {80}, promisc mode {84}",
  ],
  2: [
    52,
    "\n\t      align errors {0}, fcs errors {4}, single collision {8}, multiple collision {12}, test error {16}" +
    "\n\t      deferred {20}, late collision {24}, excessive collision {28}, mac trans error {32}" +
    "\n\t      carrier error {36}, frames too long {40}, mac receive errors {44}, symbol errors {48}",
  ],
  3: [0, ""],
  4: [
    80,
    "\n\t      in high prio frames {0}, in high prio octets {4:8}" +
    "\n\t      in norm prio frames {12}, in norm prio octets {16:8}" +
    "\n\t      in ipm errors {24}, oversized {28}, in data errors {32}, null addressed frames {36}" +
    "\n\t      out high prio frames {40}, out high prio octets {44:8}, trans into frames {52}" +
    "\n\t      in hc high prio octets {56:8}, in hc norm prio octets {64:8}, out hc high prio octets {72:8}",
  ],
  5: [
    28,
    "\n\t      vlan_id {0}, octets {4:8}, unicast_pkt {12}, multicast_pkt {16}, broadcast_pkt {20}, discards {24}",
  ],
  1001: [28, "\n\t      5sec {0}, 1min {4}, 5min {8}, total_mem {12:8}, total_mem {20:8}"],
};

/** Flow records by type. */
const FLOWS: Record<number, [number, string]> = {
  1: [16, "\n\t      protocol PROTO ({0}), length {4}, stripped bytes {8}, header_size {12}"],
  2: [24, "\n\t      frame len {0}, type {20}"],
  1001: [16, "\n\t      src vlan {0}, src pri {4}, dst vlan {8}, dst pri {12}"],
};
const UNDECODED_FLOWS = new Set([
  3,
  4,
  1002,
  1003,
  1004,
  1005,
  1006,
  1007,
  1008,
  1009,
  1010,
  1011,
  1012,
]);

/** The records of a sample; false where tcpdump calls the sample invalid. */
function records(p: Pkt, at: number, len: number, n: number, counters: boolean): boolean {
  for (; n > 0; n--) {
    if (len < 8) return false;
    let type = p.u32(at);
    const enterprise = counters ? type >>> 20 : type >>> 12;
    type &= 0xfff;
    const rlen = p.u32(at + 4);
    const names = counters ? COUNTER_TYPES : FLOW_TYPES;
    p.out += `\n\t    enterprise ${enterprise}${counters ? "," : ""} ${
      enterprise === 0 ? tok(names, type, "Unknown") : "Unknown"
    } (${type}) length ${rlen}`;
    at += 8;
    len -= 8;
    if (len < rlen) return false;
    if (enterprise === 0) {
      const known = (counters ? COUNTERS : FLOWS)[type];
      if (known) {
        if (len < known[0]) return false;
        // Line by line, as tcpdump prints them (each read before its line is printed).
        for (const line of known[1].split("\n").slice(1)) {
          let text = "\n" + fill(p, at, line);
          if (counters && type === 1) {
            const status = p.u32(at + 20);
            text = text.replace("DIR", tok(DIRECTIONS, p.u32(at + 16), "Unknown"))
              .replace("ADMIN", status & 1 ? "up" : "down")
              .replace("OPER", (status >> 1) & 1 ? "up" : "down");
          }
          if (!counters && type === 1) {
            text = text.replace("PROTO", tok(RAW_PROTOCOLS, p.u32(at), "Unknown"));
          }
          p.out += text;
        }
      } else if ((counters || !UNDECODED_FLOWS.has(type)) && p.verbosity <= 1) {
        p.unknownData(at, rlen, "\n\t\t");
      }
    }
    at += rlen;
    len -= rlen;
  }
  return true;
}

/** A sample's header line; false where tcpdump calls it invalid. */
function sample(p: Pkt, type: number, at: number, len: number): boolean {
  const heads: Record<number, [number, string]> = {
    1: [
      32,
      " seqnum {0}, type TYPE, idx INDEX, rate {8}, pool {12}, drops {16}, input {20} output {24} records {28}",
    ],
    2: [12, " seqnum {0}, type TYPE, idx INDEX, records {8}"],
    3: [44, " seqnum {0}, type {4}, idx {8}, rate {12}, pool {16}, drops {20}, records {40}"],
    4: [16, " seqnum {0}, type {4}, idx {8}, records {12}"],
  };
  const [size, template] = heads[type];
  if (len < size) return false;
  const n = p.u32(at + size - 4);
  let text = fill(p, at, template);
  if (type <= 2) {
    text = text.replace("TYPE", `${p.u8(at + 4)}`).replace(
      "INDEX",
      `${(p.u8(at + 5) << 16) | p.u16(at + 6)}`,
    );
  }
  p.out += text;
  return records(p, at + size, len - size, n, type === 2 || type === 4);
}

/** UDP 6343. */
export function sflow(p: Pkt, bp: number, len: number, _info: IpInfo): void {
  p.proto = "sflow";
  const ipv = p.u32(bp + 4);
  if ((len < 28 && ipv === 1) || (len < 40 && ipv === 2)) {
    p.out += `sFlowv${p.u32(bp)} [length ${len} < 28] (invalid)`;
    return;
  }
  p.need(bp, 28);
  const version = p.u32(bp);
  if (version !== 5) {
    p.out += `sFlow version ${version} packet not supported`;
    return;
  }
  const v4 = ipv === 1;
  const agent = v4 ? p.ip4(bp + 8) : p.ip6(bp + 8);
  const base = v4 ? bp + 12 : bp + 24;
  if (!p.verbose) {
    p.out += `sFlowv5, ${v4 ? "IPv4" : "IPv6"} agent ${agent}, agent-id ${
      p.u32(base)
    }, length ${len}`;
    return;
  }
  let n = p.u32(base + 12);
  p.out += `sFlowv5, ${v4 ? "IPv4" : "IPv6"} agent ${agent}, agent-id ${p.u32(base)}, seqnum ${
    p.u32(base + 4)
  }, uptime ${p.u32(base + 8)}, samples ${n}, length ${len}`;
  let at = base + 16;
  let left = len - (at - bp);
  if (left < 0) return invalid(p, bp, len);
  while (n > 0 && left > 0) {
    const type = p.u32(at) & 0xfff;
    const slen = p.u32(at + 4);
    if (left < 8) return invalid(p, at, left);
    at += 8;
    left -= 8;
    p.out += `\n\t${tok(FORMATS, type, "Unknown")} (${type}), length ${slen},`;
    if (type === 0 || slen === 0) return;
    if (left < slen) return invalid(p, at, left);
    p.need(at, slen);
    if (type >= 1 && type <= 4) {
      if (!sample(p, type, at, left)) return invalid(p, at, left);
    } else if (p.verbosity <= 1) {
      p.unknownData(at, slen, "\n\t    ");
    }
    at += slen;
    left -= slen;
    n--;
  }
}

function invalid(p: Pkt, at: number, left: number): void {
  p.out += " (invalid)";
  if (!p.has(at, left)) throw TRUNCATED;
}
