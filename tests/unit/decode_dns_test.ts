// DNS, mDNS, LLMNR and DNS over TCP as tcpdump 4.99 prints them, on crafted messages: every
// record type tcpdump decodes, compression (good and bad pointers), EDNS options, mDNS's QU and
// cache-flush bits, odd counts and cut captures, at default and -v to -vvv.
import {
  ascii,
  be16,
  be32,
  dnsName,
  type Frame,
  frame,
  hex,
  sameAsTcpdump,
  tcp,
  TCP4_PAYLOAD,
  udp,
  UDP4_PAYLOAD,
  withCuts,
} from "./decode_craft.ts";

/** A resource record: name (bytes), type, class, ttl, rdata. */
function rr(name: number[], type: number, rdata: number[], cls = 1, ttl = 3600): number[] {
  return [...name, ...be16(type), ...be16(cls), ...be32(ttl), ...be16(rdata.length), ...rdata];
}

function msg(
  id: number,
  flags: number,
  counts: number[],
  body: number[],
): number[] {
  return [...be16(id), ...be16(flags), ...counts.flatMap(be16), ...body];
}

const Q_EXAMPLE = [...dnsName("www.example.com"), 0, 1, 0, 1];
const PTR_NAME = [0xc0, 12]; // the question's name

function messages(): [string, number[]][] {
  const opt = [0, ...be16(41), ...be16(1232), 0, 0, 0x80, 0, ...be16(0)];
  const optWith = (
    opts: number[],
  ) => [0, ...be16(41), ...be16(4096), 1, 0, 0, 0, ...be16(opts.length), ...opts];
  const soa = [
    ...dnsName("ns1.example.com"),
    0xc0,
    16,
    ...be32(2024010101),
    ...be32(7200),
    ...be32(3600),
    ...be32(1209600),
    ...be32(300),
  ];
  return [
    ["query A", msg(0x1234, 0x0100, [1, 0, 0, 0], Q_EXAMPLE)],
    [
      "query AAAA +cd",
      msg(7, 0x0110, [1, 0, 0, 1], [...dnsName("example.org"), 0, 28, 0, 1, ...opt]),
    ],
    [
      "query 2q odd class",
      msg(9, 0x0000, [2, 0, 0, 0], [...Q_EXAMPLE, ...dnsName("a.b"), 0, 16, 0, 3]),
    ],
    ["iquery", msg(10, 0x0800, [0, 1, 0, 0], rr([0], 1, [1, 2, 3, 4]))],
    [
      "update",
      msg(11, 0x2800, [1, 1, 1, 0], [
        ...Q_EXAMPLE,
        ...rr(PTR_NAME, 1, [1, 2, 3, 4]),
        ...rr(PTR_NAME, 255, [], 255, 0),
      ]),
    ],
    ["query weird bits", msg(12, 0x06cf, [1, 0, 0, 0], Q_EXAMPLE)],
    [
      "response A",
      msg(0x1234, 0x8180, [1, 1, 0, 0], [...Q_EXAMPLE, ...rr(PTR_NAME, 1, [93, 184, 216, 34])]),
    ],
    [
      "response CNAME+A aa",
      msg(2, 0x8580, [1, 2, 0, 0], [
        ...Q_EXAMPLE,
        ...rr(PTR_NAME, 5, dnsName("web.example.com")),
        ...rr(PTR_NAME, 1, [10, 1, 2, 3]),
      ]),
    ],
    [
      "response NXDomain soa",
      msg(3, 0x8183, [1, 0, 1, 0], [...Q_EXAMPLE, ...rr([0xc0, 16], 6, soa)]),
    ],
    [
      "response mx txt srv",
      msg(4, 0x8400, [1, 3, 0, 0], [
        ...Q_EXAMPLE,
        ...rr(PTR_NAME, 15, [0, 10, ...dnsName("mail.example.com")]),
        ...rr(PTR_NAME, 16, [5, ...ascii("hello"), 3, ...ascii("a\x01\xff")]),
        ...rr(PTR_NAME, 33, [0, 1, 0, 2, 0x1f, 0x90, ...dnsName("srv.example.com")]),
      ]),
    ],
    [
      "response aaaa ptr ns dname",
      msg(5, 0x81a0, [1, 4, 0, 0], [
        ...Q_EXAMPLE,
        ...rr(PTR_NAME, 28, hex("20010db8000000000000000000000001")),
        ...rr(PTR_NAME, 12, PTR_NAME),
        ...rr(PTR_NAME, 2, dnsName("ns.x")),
        ...rr(PTR_NAME, 39, dnsName("y")),
      ]),
    ],
    ["response tc refused", msg(6, 0x8385, [1, 0, 0, 0], Q_EXAMPLE)],
    [
      "response opt ext rcode",
      msg(13, 0x8181, [1, 0, 0, 1], [...Q_EXAMPLE, 0, ...be16(41), ...be16(512), 1, 0, 0, 0, 0, 0]),
    ],
    [
      "response rcode 23",
      msg(14, 0x8187, [1, 0, 0, 1], [...Q_EXAMPLE, 0, ...be16(41), ...be16(512), 1, 0, 0, 0, 0, 0]),
    ],
    ["response opcode notify", msg(15, 0xa400, [1, 0, 0, 0], Q_EXAMPLE)],
    [
      "edns options",
      msg(16, 0x0100, [1, 0, 0, 1], [
        ...Q_EXAMPLE,
        ...optWith([
          ...be16(8),
          ...be16(7),
          0,
          1,
          24,
          0,
          192,
          0,
          2,
          ...be16(10),
          ...be16(8),
          1,
          2,
          3,
          4,
          5,
          6,
          7,
          8,
          ...be16(11),
          ...be16(2),
          0,
          15,
          ...be16(9),
          ...be16(4),
          0,
          0,
          1,
          0,
          ...be16(12),
          ...be16(3),
          0,
          0,
          0,
          ...be16(14),
          ...be16(4),
          0,
          1,
          0,
          2,
          ...be16(5),
          ...be16(3),
          8,
          13,
          99,
          ...be16(6),
          ...be16(1),
          2,
          ...be16(7),
          ...be16(1),
          1,
          ...be16(13),
          ...be16(5),
          3,
          99,
          111,
          109,
          0,
          ...be16(3),
          ...be16(2),
          0xab,
          0xcd,
          ...be16(99),
          ...be16(0),
        ]),
      ]),
    ],
    [
      "edns bad options",
      msg(17, 0x0100, [1, 0, 0, 1], [
        ...Q_EXAMPLE,
        ...optWith([
          ...be16(8),
          ...be16(3),
          0,
          1,
          24,
          ...be16(8),
          ...be16(6),
          0,
          3,
          8,
          0,
          1,
          2,
          ...be16(10),
          ...be16(9),
          1,
          2,
          3,
          4,
          5,
          6,
          7,
          8,
          9,
          ...be16(11),
          ...be16(1),
          0,
          ...be16(14),
          ...be16(3),
          0,
          1,
          0,
          ...be16(8),
          ...be16(20),
          0,
          2,
          128,
          0,
          ...hex("20010db8000000000000000000000001"),
        ]),
      ]),
    ],
    [
      "response a6 uri tsig unspeca",
      msg(18, 0x8180, [1, 5, 0, 0], [
        ...Q_EXAMPLE,
        ...rr(PTR_NAME, 38, [64, ...hex("0000000000000001"), ...dnsName("pfx.example")]),
        ...rr(PTR_NAME, 38, [200]),
        ...rr(PTR_NAME, 256, [0, 1, 0, 2, ...ascii("http://x/")]),
        ...rr(PTR_NAME, 104, ascii("text\n")),
        ...rr(PTR_NAME, 250, [
          ...dnsName("key"),
          0,
          0,
          0,
          0,
          0,
          1,
          1,
          44,
          0,
          2,
          9,
          9,
          0,
          7,
          0,
          0,
          0,
          0,
        ]),
      ]),
    ],
    [
      "response -vv sections",
      msg(19, 0x8180, [1, 1, 1, 2], [
        ...Q_EXAMPLE,
        ...rr(PTR_NAME, 1, [1, 1, 1, 1]),
        ...rr([0xc0, 16], 2, dnsName("ns1.example.com"), 1, 86400 * 9 + 3661),
        ...rr([0xc0, 0x40], 1, [2, 2, 2, 2]),
        ...opt,
      ]),
    ],
    [
      "bad pointer",
      msg(20, 0x8180, [1, 1, 0, 0], [...Q_EXAMPLE, ...rr([0xc0, 200], 1, [1, 2, 3, 4])]),
    ],
    [
      "forward pointer in question",
      msg(21, 0x0100, [1, 0, 0, 0], [0xc0, 14, 3, ...ascii("abc"), 0, 0, 1, 0, 1]),
    ],
    ["bit label", msg(22, 0x0100, [1, 0, 0, 0], [0x41, 12, 0xab, 0xc0, 0, 0, 12, 0, 1])],
    ["elt label", msg(23, 0x0100, [1, 0, 0, 0], [0x42, 0, 0, 1, 0, 1])],
    ["reserved label", msg(24, 0x0100, [1, 0, 0, 0], [0x80, 0, 0, 1, 0, 1])],
    [
      "long name",
      msg(25, 0x0100, [1, 0, 0, 0], [
        ...Array.from({ length: 5 }, () => [63, ...Array(63).fill(0x61)]).flat(),
        0,
        0,
        1,
        0,
        1,
      ]),
    ],
    ["root query", msg(26, 0x0100, [1, 0, 0, 0], [0, 0, 2, 0, 1])],
    ["short", [1, 2, 3, 4, 5]],
    [
      "counts beyond data",
      msg(27, 0x8180, [1, 3, 2, 1], [...Q_EXAMPLE, ...rr(PTR_NAME, 1, [1, 2, 3, 4])]),
    ],
    ["unknown type", msg(28, 0x8180, [1, 1, 0, 0], [...Q_EXAMPLE, ...rr(PTR_NAME, 65280, [1, 2])])],
  ];
}

function mdns(): [string, number[]][] {
  return [
    ["mdns query QU", msg(0, 0, [1, 0, 0, 0], [...dnsName("_http._tcp.local"), 0, 12, 0x80, 1])],
    [
      "mdns response cache flush",
      msg(0, 0x8400, [0, 2, 0, 0], [
        ...rr(dnsName("host.local"), 1, [192, 168, 1, 5], 0x8001, 120),
        ...rr(dnsName("x.local"), 16, [0], 0x8001, 4500),
      ]),
    ],
  ];
}

export function frames(): Frame[] {
  const out: Frame[] = [];
  for (const [name, m] of messages()) {
    out.push(
      ...withCuts(frame(`udp ${name}`, udp(40000, 53, m)), UDP4_PAYLOAD, [
        0,
        5,
        12,
        14,
        20,
        33,
        40,
        60,
      ]),
    );
  }
  for (const [name, m] of mdns()) {
    out.push(...withCuts(frame(`mdns ${name}`, udp(5353, 5353, m, true)), 62, [0, 12, 20, 30]));
    out.push(frame(`llmnr ${name}`, udp(5355, 40000, m)));
  }
  const q = msg(0x1234, 0x0100, [1, 0, 0, 0], Q_EXAMPLE);
  out.push(
    ...withCuts(frame("tcp query", tcp(40000, 53, [...be16(q.length), ...q])), TCP4_PAYLOAD, [
      1,
      5,
      20,
    ]),
  );
  out.push(frame("tcp bad prefix", tcp(40000, 53, [...be16(3), ...q])));
  out.push(frame("tcp one byte", tcp(53, 40000, [7])));
  out.push(frame("udp 8053 (not dns)", udp(8053, 40000, q)));
  return out;
}

sameAsTcpdump("dns: crafted messages identical to tcpdump at default, -v, -vv, -vvv, -e", frames);
