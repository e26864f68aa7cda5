// IPv6 neighbour discovery with its options, as tcpdump 4.99 prints them at -v (and -vv, which
// dumps each option in hex), on crafted messages: every option tcpdump decodes, unknown ones,
// bad lengths and cut captures.
import {
  be16,
  be32,
  dnsName,
  type Frame,
  frame,
  hex,
  ip6,
  sameAsTcpdump,
  withCuts,
} from "./decode_craft.ts";

const LL = hex("020000000001");
const ADDR = hex("20010db8000000000000000000000001");

const opt = (type: number, body: number[]) => [type, (body.length + 2) / 8, ...body];

const OPTS = {
  sll: opt(1, LL),
  tll: opt(2, LL),
  prefix: opt(3, [64, 0xc0, ...be32(2592000), ...be32(0xffffffff), 0, 0, 0, 0, ...ADDR]),
  prefixRouter: opt(3, [48, 0x20, ...be32(1), ...be32(2), 0, 0, 0, 0, ...ADDR]),
  mtu: opt(5, [0, 0, ...be32(1500)]),
  rdnss: opt(25, [0, 0, ...be32(600), ...ADDR, ...ADDR]),
  dnssl: opt(31, [
    0,
    0,
    ...be32(600),
    ...dnsName("example.com"),
    ...dnsName("lan"),
    0,
    0,
    0,
    0,
    0,
    0,
  ]),
  adv: opt(7, [0, 0, ...be32(5000)]),
  ha: opt(8, [0, 0, ...be16(7), ...be16(1800)]),
  route1: opt(24, [0, 0x08, ...be32(100)]),
  route2: opt(24, [48, 0x18, ...be32(0xffffffff), ...ADDR.slice(0, 8)]),
  route3: opt(24, [128, 0x10, ...be32(9), ...ADDR]),
  unknown: opt(38, [1, 2, 3, 4, 5, 6]),
  redirected: opt(4, [0, 0, 0, 0, 0, 0, ...hex("6000000000083a40")]),
};

/** An ICMPv6 message with a correct checksum, in an IPv6 frame with hop limit 255. */
function icmp6(type: number, code: number, body: number[]): number[] {
  const src = hex("fe800000000000000000000000000001");
  const dst = hex("ff020000000000000000000000000001");
  const msg = [type, code, 0, 0, ...body];
  let s = 0;
  const words = [...src, ...dst, ...be32(msg.length), 0, 0, 0, 58, ...msg];
  for (let i = 0; i < words.length; i += 2) s += (words[i] << 8) | (words[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff;
  msg[2] = c >> 8;
  msg[3] = c & 255;
  return ip6(58, msg, { src, dst, ttl: 255 });
}

export function frames(): Frame[] {
  const o = OPTS;
  const ra = [64, 0xc8, ...be16(1800), ...be32(30000), ...be32(1000)];
  const cases: [string, number[]][] = [
    ["rs", icmp6(133, 0, [0, 0, 0, 0, ...o.sll])],
    ["rs no options", icmp6(133, 0, [0, 0, 0, 0])],
    [
      "ra all",
      icmp6(134, 0, [
        ...ra,
        ...o.sll,
        ...o.mtu,
        ...o.prefix,
        ...o.prefixRouter,
        ...o.rdnss,
        ...o.dnssl,
        ...o.adv,
        ...o.ha,
        ...o.route1,
        ...o.route2,
        ...o.route3,
      ]),
    ],
    ["ra unknown then mtu", icmp6(134, 0, [...ra, ...o.unknown, ...o.mtu])],
    ["ra flags ipv6only low", icmp6(134, 0, [0, 0x1a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    ["ra zero-length option", icmp6(134, 0, [...ra, 1, 0, ...LL])],
    ["ra option past end", icmp6(134, 0, [...ra, 1, 4, ...LL])],
    ["ra bad lengths", icmp6(134, 0, [...ra, 5, 2, 0, 0, ...be32(9000), 0, 0, 0, 0, 0, 0, 0, 0])],
    ["ra route info too long", icmp6(134, 0, [...ra, 24, 4, ...Array(30).fill(0)])],
    ["ns", icmp6(135, 0, [0, 0, 0, 0, ...ADDR, ...o.sll])],
    ["na", icmp6(136, 0, [0xe0, 0, 0, 0, ...ADDR, ...o.tll])],
    ["na no flags", icmp6(136, 0, [0, 0, 0, 0, ...ADDR])],
    ["redirect", icmp6(137, 0, [0, 0, 0, 0, ...ADDR, ...ADDR, ...o.tll, ...o.redirected])],
    ["ha discovery reply", icmp6(145, 0, [0x12, 0x34, 0, 0, ...ADDR, ...ADDR])],
    ["mobile prefix advert", icmp6(147, 0, [0x12, 0x34, 0xc0, 0, ...o.prefix])],
    ["mobile prefix advert no flags", icmp6(147, 0, [0x12, 0x34, 0, 0])],
    [
      "dnssl bad pointer",
      icmp6(134, 0, [...ra, ...opt(31, [0, 0, ...be32(1), 0xc0, 40, 0, 0, 0, 0, 0, 0])]),
    ],
  ];
  return cases.flatMap(([name, bytes]) =>
    withCuts(frame(name, bytes), 62, [1, 4, 9, 17, 20, 30, 41, 50, 70])
  );
}

sameAsTcpdump(
  "nd: neighbour discovery options identical to tcpdump at default, -v, -vv, -vvv, -e",
  frames,
);
