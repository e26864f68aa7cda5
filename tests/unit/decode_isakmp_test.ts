// ISAKMP/IKEv1, IKEv2 and RFC 3948 NAT traversal as tcpdump 4.99 prints them, on crafted
// messages: every payload type of both versions, the initiator/responder cookie memory, the
// NON-ESP marker, ESP in UDP, keep-alives, bad lengths and cut captures, at default to -vvv.
import {
  ascii,
  be16,
  be32,
  type Frame,
  frame,
  hex,
  sameAsTcpdump,
  udp,
  UDP4_PAYLOAD,
  withCuts,
} from "./decode_craft.ts";

const A = { src: [10, 0, 0, 1], dst: [10, 0, 0, 2] };
const B = { src: [10, 0, 0, 2], dst: [10, 0, 0, 1] };

/** A payload: next payload, flags, body. */
const pl = (np: number, body: number[], crit = 0) => [np, crit, ...be16(body.length + 4), ...body];

/** An ISAKMP message: cookies, first payload, version, exchange, flags, msgid, payloads. */
function msg(
  ic: number,
  rc: number,
  np: number,
  ver: number,
  ex: number,
  flags: number,
  msgid: number,
  body: number[],
  len?: number,
): number[] {
  return [
    ...be32(0x11111111),
    ...be32(ic),
    ...be32(rc ? 0x22222222 : 0),
    ...be32(rc),
    np,
    ver,
    ex,
    flags,
    ...be32(msgid),
    ...be32(len ?? body.length + 28),
    ...body,
  ];
}

function v1(): Frame[] {
  const attrsOakley = [
    0x80,
    1,
    0,
    7,
    0x80,
    14,
    0,
    128,
    0x80,
    2,
    0,
    2,
    0x80,
    4,
    0,
    2,
    0x80,
    3,
    0,
    1,
    0x80,
    11,
    0,
    1,
    0,
    12,
    0,
    4,
    0,
    1,
    0x51,
    0x80,
    0x80,
    99,
    0,
    1,
  ];
  const t1 = pl(0, [1, 1, 0, 0, ...attrsOakley]);
  const p1 = pl(0, [1, 1, 0, 1, ...t1]);
  const sa = pl(4, [0, 0, 0, 1, 0, 0, 0, 1, ...p1]);
  const tEsp = pl(0, [1, 12, 0, 0, 0x80, 1, 0, 1, 0x80, 4, 0, 1, 0x80, 5, 0, 2, 0x80, 6, 1, 0]);
  const pEsp = pl(0, [1, 3, 4, 1, 0xde, 0xad, 0xbe, 0xef, ...tEsp]);
  const saQuick = pl(10, [0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 9, ...pEsp]);
  const ke = pl(10, Array(16).fill(0xab));
  const nonce = pl(5, Array(24).fill(0xcd));
  const ids = [
    pl(5, [1, 17, 0x01, 0xf4, 192, 0, 2, 1]),
    pl(5, [2, 0, 0, 0, ...ascii("vpn.example.com")]),
    pl(5, [4, 6, 0, 80, 10, 0, 0, 0, 255, 255, 255, 0]),
    pl(5, [5, 0, 0, 0, ...hex("20010db8000000000000000000000001")]),
    pl(5, [6, 0, 0, 0, ...hex("20010db8000000000000000000000000ffffffffffffffff0000000000000000")]),
    pl(5, [7, 0, 0, 0, 10, 0, 0, 1, 10, 0, 0, 9]),
    pl(5, [8, 0, 0, 0, ...Array(32).fill(1)]),
    pl(5, [1, 0, 0, 0, 1, 2]),
    pl(6, [11, 0, 0, 0, 1, 2, 3]),
  ];
  const cert = pl(7, [4, 1, 2, 3]);
  const cr = pl(8, [4]);
  const hash = pl(9, Array(20).fill(7));
  const sig = pl(11, [1, 2, 3, 4]);
  const n1 = pl(12, [0, 0, 0, 1, 1, 0, ...be16(14)]);
  const n2 = pl(11, [
    0,
    0,
    0,
    1,
    3,
    4,
    ...be16(24576),
    1,
    2,
    3,
    4,
    0x80,
    11,
    0,
    1,
    0,
    12,
    0,
    4,
    0,
    0,
    0x0e,
    0x10,
  ]);
  const n3 = pl(11, [0, 0, 0, 1, 3, 0, ...be16(24577), 0, 0, 0, 1]);
  const n4 = pl(11, [0, 0, 0, 1, 3, 0, ...be16(24578), ...Array(40).fill(9)]);
  const n5 = pl(12, [0, 0, 0, 2, 3, 2, ...be16(16384), 1, 2]);
  const del = pl(13, [0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8]);
  const vid = pl(0, ascii("vendor"));
  const cases: [string, number[], typeof A][] = [
    [
      "main 1",
      msg(0x100, 0, 1, 0x10, 2, 0, 0, [
        ...sa,
        ...ke,
        ...nonce,
        ...ids[0],
        ...ids[8],
        ...cert,
        ...cr,
        ...hash,
        ...sig,
        ...n1,
        ...del,
        ...vid,
      ]),
      A,
    ],
    [
      "main 2 responder",
      msg(0x100, 0x200, 8, 0x10, 2, 0, 0, [
        ...hash.slice(0, 1).concat([0]).slice(0, 0),
        ...pl(0, [1, 2, 3]),
      ]),
      B,
    ],
    ["main 3 initiator", msg(0x100, 0x200, 4, 0x10, 2, 0, 0, [...pl(0, [5, 6])]), A],
    ["quick", msg(0x100, 0x200, 1, 0x10, 32, 1, 9, Array(40).fill(0)), A],
    [
      "quick clear",
      msg(0x100, 0x200, 8, 0x10, 32, 0, 9, [
        ...hash.slice(0, 4),
        ...Array(20).fill(7).slice(0, 0),
        ...saQuick.slice(0, 0),
        ...pl(1, [9, 9]),
        ...saQuick,
        ...nonce.slice(0, 0),
        ...pl(5, [1, 2, 3]),
        ...ids[1],
        ...ids[2],
        ...ids[3],
        ...ids[4],
        ...ids[5],
        ...ids[6],
        ...ids[7],
        ...pl(0, [0]),
      ]),
      A,
    ],
    [
      "informational",
      msg(0x100, 0x200, 11, 0x10, 5, 2, 5, [
        ...n2,
        ...n3,
        ...n4,
        ...n5,
        ...pl(0, [0, 0, 0, 2, 0, 0, 0, 0]),
      ]),
      B,
    ],
    ["unknown cookie", msg(0x300, 0x400, 13, 0x10, 4, 3, 0, vid), A],
    ["len mismatch", msg(0x100, 0x200, 13, 0x10, 2, 0, 0, vid, 99), A],
    ["payload len 4", msg(0x500, 0, 13, 0x10, 2, 0, 0, [0, 0, 0, 4, 1, 2]), A],
    ["unknown payload", msg(0x600, 0, 20, 0x10, 2, 0, 0, pl(0, [1, 2])), A],
    ["sa doi 2", msg(0x700, 0, 1, 0x10, 2, 0, 0, pl(0, [0, 0, 0, 2, 0, 0, 0, 1])), A],
    ["v0 major", msg(0x800, 0, 1, 0x30, 2, 0, 0, []), A],
  ];
  const out: Frame[] = [];
  for (const [name, m, ip] of cases) {
    out.push(
      ...withCuts(frame(`v1 ${name}`, udp(500, 500, m, false, ip)), UDP4_PAYLOAD, [
        10,
        28,
        32,
        40,
        60,
        80,
      ]),
    );
  }
  return out;
}

function v2(): Frame[] {
  const attrs = [0x80, 14, 0, 128];
  const ts = [
    pl(3, [1, 0, ...be16(12), ...attrs]),
    pl(3, [2, 0, ...be16(2)]),
    pl(3, [3, 0, ...be16(12)]),
    pl(3, [4, 0, ...be16(14)]),
    pl(0, [5, 0, ...be16(1)]),
  ].flat();
  const prop = pl(2, [1, 1, 0, 5, ...ts]);
  const prop2 = pl(0, [2, 3, 4, 1, 1, 2, 3, 4, ...pl(0, [9, 0, 0, 1])]);
  const sa = pl(34, [...prop, ...prop2]);
  const ke = pl(40, [0, 14, 0, 0, ...Array(32).fill(1)]);
  const nonce = pl(41, Array(32).fill(2));
  const n = (next: number, type: number, spi: number[], data: number[]) =>
    pl(next, [1, spi.length, ...be16(type), ...spi, ...data]);
  const body = [
    ...sa,
    ...ke,
    ...nonce,
    ...n(41, 16388, [], Array(20).fill(3)),
    ...n(41, 16390, [1, 2, 3, 4], Array(8).fill(4)),
    ...n(41, 1, [1], []),
    ...n(41, 50000, [], [1]),
    ...n(43, 9000, [], []),
    ...pl(35, ascii("strongSwan\x01")),
    ...pl(36, [2, 0, 0, 0, ...ascii("alice@example")]),
    ...pl(39, [1, 0, 0, 0, 10, 0, 0, 2]),
    ...pl(37, [2, 0, 0, 0, ...Array(24).fill(5)]),
    ...pl(38, [1, 2, 3]),
    ...pl(42, [4]),
    ...pl(44, [1, 2, 3, 0]),
    ...pl(45, [5]),
    ...pl(47, [6, 7]),
    ...pl(48, [8]),
    ...pl(46, Array(20).fill(0xee)),
  ];
  const out: Frame[] = [];
  const cases: [string, number[]][] = [
    ["init", msg(0x900, 0, 33, 0x20, 34, 0x08, 0, body)],
    ["auth encrypted", msg(0x900, 0xa00, 46, 0x20, 35, 0x20, 1, pl(0, Array(40).fill(0xee)))],
    ["flags E", msg(0x900, 0xa00, 46, 0x20, 37, 0x39, 2, pl(0, [1, 2, 3]))],
    ["critical", msg(0x900, 0xa00, 40, 0x20, 36, 0x08, 3, pl(0, [1, 2], 0x80))],
    ["ke short", msg(0x900, 0xa00, 34, 0x20, 34, 0x08, 0, pl(0, [0, 2]))],
    ["sa bad proposal", msg(0x900, 0xa00, 33, 0x20, 34, 0x08, 0, pl(0, [0, 0, 0, 40, 1, 1, 0, 1]))],
    ["auth short", msg(0x900, 0xa00, 39, 0x20, 35, 0x08, 3, pl(0, [2, 0, 0, 0]))],
  ];
  for (const [name, m] of cases) {
    out.push(
      ...withCuts(frame(`v2 ${name}`, udp(500, 500, m, false, A)), UDP4_PAYLOAD, [
        28,
        36,
        50,
        70,
        90,
        130,
      ]),
    );
  }
  return out;
}

function natt(): Frame[] {
  const ike = msg(0xb00, 0, 13, 0x10, 2, 0, 0, pl(0, ascii("v")));
  return [
    frame("keepalive", udp(4500, 4500, [0xff], false, A)),
    ...withCuts(frame("nonesp", udp(4500, 4500, [0, 0, 0, 0, ...ike], false, A)), UDP4_PAYLOAD, [
      2,
      4,
      20,
    ]),
    ...withCuts(
      frame(
        "esp",
        udp(4500, 4500, [0x12, 0x34, 0x56, 0x78, 0, 0, 0, 5, ...Array(32).fill(1)], false, A),
      ),
      UDP4_PAYLOAD,
      [2, 6, 8, 9],
    ),
    frame("short", udp(4500, 4500, [1, 2], false, A)),
    frame("isakmp 7500", udp(7500, 40000, ike, false, A)),
  ];
}

export function frames(): Frame[] {
  return [...v1(), ...v2(), ...natt()];
}

sameAsTcpdump(
  "isakmp: crafted IKEv1, IKEv2 and NAT-T identical to tcpdump at default, -v, -vv, -vvv, -e",
  frames,
);
