// DHCPv6 as tcpdump 4.99 prints it, on crafted messages: every option tcpdump decodes (DUIDs,
// IAs with nested addresses and prefixes, status codes, authentication, relayed messages, name
// lists, NTP servers, AFTR names), bad lengths and cut captures, at default to -vvv.
import {
  ascii,
  be16,
  be32,
  dnsName,
  type Frame,
  frame,
  hex,
  sameAsTcpdump,
  udp,
  UDP6_PAYLOAD,
  withCuts,
} from "./decode_craft.ts";

const A6 = hex("20010db8000000000000000000000001");
const o = (type: number, body: number[]) => [...be16(type), ...be16(body.length), ...body];

export function frames(): Frame[] {
  const iaAddr = o(5, [...A6, ...be32(3600), ...be32(7200), ...o(13, [0, 0, ...ascii("ok")])]);
  const opts = [
    ...o(1, [0, 1, 0, 1, ...be32(12345), ...hex("020000000001")]),
    ...o(2, [0, 2, ...be32(9), 1, 2, 3, 4]),
    ...o(1, [0, 3, 0, 1, ...hex("020000000001")]),
    ...o(1, [0, 9, 1]),
    ...o(2, [0, 1, 1]),
    ...o(1, [0]),
    ...o(3, [...be32(1), ...be32(1800), ...be32(2880), ...iaAddr]),
    ...o(4, [...be32(2), ...iaAddr]),
    ...o(25, [...be32(3), ...be32(0), ...be32(0), ...o(26, [...be32(1), ...be32(2), 56, ...A6])]),
    ...o(6, [0, 23, 0, 24, 0, 99]),
    ...o(6, [0]),
    ...o(7, [255]),
    ...o(8, be16(500)),
    ...o(8, [1]),
    ...o(11, [
      2,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      9,
      9,
      ...be32(7),
      ...be32(1),
      ...be32(2),
      ...be32(3),
      ...be32(4),
    ]),
    ...o(11, [3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, ...be32(1), ...be32(2), ...be32(3), ...be32(4)]),
    ...o(11, [4, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1]),
    ...o(11, [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 5]),
    ...o(14, []),
    ...o(18, ascii("eth0-interface-name")),
    ...o(19, [5]),
    ...o(19, [7]),
    ...o(20, []),
    ...o(23, [...A6, ...A6]),
    ...o(23, [1, 2]),
    ...o(24, [...dnsName("example.com"), ...dnsName("lan")]),
    ...o(13, [0, 2]),
    ...o(13, [1, 0]),
    ...o(32, be32(86400)),
    ...o(37, [...be32(9), ...ascii("remote-id-long-value")]),
    ...o(44, [1, ...A6, ...o(6, [0, 23])]),
    ...o(45, o(46, be32(5))),
    ...o(47, [...A6, 1, 2, 3]),
    ...o(56, [...o(1, A6), ...o(3, dnsName("ntp.example")), ...o(9, [1])]),
    ...o(64, [...dnsName("aftr.example.net")]),
    ...o(64, [5, ...ascii("ab")]),
    ...o(41, ascii("EST5EDT")),
    ...o(112, ascii("https://x/")),
    ...o(200, [1]),
  ];
  const sol = [1, 0x12, 0x34, 0x56, ...opts];
  const inner = [1, 0xab, 0xcd, 0xef, ...o(8, be16(0))];
  const relay = [12, 1, ...A6, ...A6, ...o(9, inner), ...o(18, [1, 2])];
  const cases: [string, number[]][] = [
    ["solicit", sol],
    ["relay", relay],
    ["relay-reply cut", [13, 0, ...A6]],
    ["type 99", [99, 0, 0, 1]],
    ["option past end", [3, 0, 0, 1, 0, 1, 0, 9, 1]],
    ["short", [1, 2]],
  ];
  return cases.flatMap(([name, msg]) =>
    withCuts(frame(name, udp(546, 547, msg, true)), UDP6_PAYLOAD, [3, 10, 30, 60, 120, 200])
  );
}

sameAsTcpdump("dhcp6: crafted DHCPv6 identical to tcpdump at default, -v, -vv, -vvv, -e", frames);
