// UDP services as tcpdump 4.99 prints them, on crafted datagrams: SNMP v1/v2c/v3 (BER with
// long lengths, every PDU type, traps, errors), NTP (time and control messages), timed,
// syslog, TFTP, RADIUS with EAP, LWAPP, HNCP, sFlow, AHCP, SOME/IP; bad
// lengths and cut captures.
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

/** A BER element: tag, content. */
function ber(tag: number, body: number[]): number[] {
  const n = body.length;
  const len = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255];
  return [tag, ...len, ...body];
}
const int = (v: number) => ber(2, v < 128 && v >= 0 ? [v] : be32(v >>> 0));
const str = (s: string) => ber(4, ascii(s));
const oid = (...sub: number[]) =>
  ber(6, [
    sub[0] * 40 + sub[1],
    ...sub.slice(2).flatMap((x) => x < 128 ? [x] : [0x80 | (x >> 7), x & 127]),
  ]);
const seq = (...items: number[][]) => ber(0x30, items.flat());
const vb = (o: number[], v: number[]) => seq(o, v);

function snmpFrames(): Frame[] {
  const sys = oid(1, 3, 6, 1, 2, 1, 1, 5, 0);
  const ent = oid(1, 3, 6, 1, 4, 1, 9999, 1);
  const pdu = (type: number, ...items: number[][]) => ber(0xa0 + type, items.flat());
  const v1 = (comm: string, p: number[]) => seq(int(0), str(comm), p);
  const v2 = (p: number[]) => seq(int(1), str("public"), p);
  const bindings = seq(
    vb(sys, ber(5, [])),
    vb(oid(1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 2), ber(0x41, [1, 2, 3, 4])),
    vb(oid(1, 3, 6, 1, 2, 1, 4, 20, 1, 1), ber(0x40, [10, 0, 0, 1])),
    vb(oid(1, 3, 6, 1, 2, 1, 1, 3, 0), ber(0x43, [0, 0x98, 0x96, 0x80])),
    vb(oid(1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6), ber(0x46, [1, 0, 0, 0, 0, 0, 0, 0, 0])),
    vb(oid(1, 3, 6, 1, 2, 1, 1, 1, 0), str("Linux host\x01")),
    vb(oid(1, 3, 6, 1, 2, 1, 1, 2, 0), ber(0x80, [])),
    vb(oid(1, 3, 6, 1, 2, 1, 1, 4, 0), ber(0x82, [])),
    vb(oid(1, 3, 6, 1, 2, 1, 1, 6, 0), ber(0x44, [1, 2])),
    vb(oid(2, 100, 3), ber(1, [1])),
  );
  const longBindings = Array.from(
    { length: 20 },
    (_, i) => vb(oid(1, 3, 6, 1, 2, 1, 2, 2, 1, 2, i), ber(5, [])),
  );
  const getBindings = seq(vb(sys, ber(5, [])), vb(ent, int(1)));
  const msgs: [string, number[]][] = [
    ["get v1", v1("public", pdu(0, int(1234), int(0), int(0), getBindings))],
    ["getnext community", v1("secret", pdu(1, int(7), int(0), int(0), seq(vb(sys, ber(5, [])))))],
    ["response", v2(pdu(2, int(1234), int(2), int(1), bindings))],
    ["response no errindex", v2(pdu(2, int(9), int(5), int(0), seq()))],
    ["response errindex alone", v2(pdu(2, int(9), int(0), int(3), seq()))],
    ["set errors", v2(pdu(3, int(9), int(25), int(2), seq(vb(sys, int(-5)))))],
    ["bulk", v2(pdu(5, int(9), int(0), int(10), seq(vb(sys, ber(5, [])))))],
    [
      "trap v1",
      v1(
        "public",
        pdu(
          4,
          ent,
          ber(0x40, [10, 0, 0, 9]),
          int(6),
          int(17),
          ber(0x43, [0, 100]),
          seq(vb(sys, str("x"))),
        ),
      ),
    ],
    [
      "trap v1 linkdown",
      v1("public", pdu(4, ent, ber(0x40, [10, 0, 0, 9]), int(2), int(1), ber(0x43, [5]), seq())),
    ],
    ["v2trap", v2(pdu(7, int(1), int(0), int(0), bindings))],
    ["trap in v2", v2(pdu(4, ent))],
    ["bulk in v1", v1("public", pdu(5, int(1), int(0), int(0), seq()))],
    [
      "v3",
      seq(
        int(3),
        seq(int(99), int(65507), str("\x03"), int(3)),
        ber(4, seq(str("\x80\x00\x1f\x88"), int(5), int(1234), str("user"), str(""), str(""))),
        seq(str("\x80\x00"), str("ctx"), pdu(0, int(1), int(0), int(0), seq(vb(sys, ber(5, []))))),
      ),
    ],
    ["v3 model 2", seq(int(3), seq(int(99), int(1500), str("\x00"), int(2)), str(""))],
    ["v3 bad flags", seq(int(3), seq(int(99), int(1500), str("\x02"), int(3)), str(""))],
    ["version 9", seq(int(9), str("public"))],
    ["not a sequence", str("hello")],
    [
      "long length",
      seq(int(0), str("public"), pdu(0, int(1), int(0), int(0), seq(...longBindings))),
    ],
    ["bad length", [0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 2, 1, 0]],
    ["extended tag", [0x3f, 0x81, 0x01, 0, 2, 1, 0]],
    ["empty", []],
  ];
  return msgs.flatMap(([name, m]) =>
    withCuts(
      frame(`snmp ${name}`, udp(40000, name.includes("trap") ? 162 : 161, m)),
      UDP4_PAYLOAD,
      [1, 4, 12, 25, 40],
    )
  );
}

function ntpFrames(): Frame[] {
  const ts = (s: number, f: number) => [...be32(s), ...be32(f)];
  const time = (status: number, stratum: number, refid: number[], extra: number[] = []) => [
    status,
    stratum,
    6,
    0xec,
    0,
    0,
    0x0f,
    0x5c,
    0,
    1,
    0x80,
    0,
    ...refid,
    ...ts(3900000000, 0x80000000),
    ...ts(3900000100, 0x40000000),
    ...ts(3900000099, 0xc0000000),
    ...ts(3900000101, 0x10000000),
    ...extra,
  ];
  const cases: [string, number[]][] = [
    ["client", time(0x23, 2, [10, 0, 0, 1])],
    ["server gps", time(0x24, 1, ascii("GPS\0"))],
    ["unsync", time(0xe4, 0, [0, 0, 0, 0])],
    ["info query", time(0x1b, 62, [10, 0, 0, 2])],
    ["key id", time(0x1b, 3, [1, 2, 3, 4], be32(7))],
    ["md5", time(0x1b, 3, [1, 2, 3, 4], [...be32(7), ...Array(16).fill(0xaa)])],
    ["sha1", time(0x1b, 3, [1, 2, 3, 4], [...be32(7), ...Array(20).fill(0xbb)])],
    ["extra", time(0x1b, 3, [1, 2, 3, 4], Array(10).fill(0))],
    ["short", [0x1b, 1, 2]],
    ["control", [0x16, 0x82, 0, 1, 0x06, 0x15, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]],
    ["control error", [0x16, 0xe1, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0]],
    ["control bad count", [0x16, 0x02, 0, 3, 0, 0, 0, 0, 0, 0, 0, 9]],
    ["private", [0x17, 0, 0, 0]],
  ];
  return cases.flatMap(([name, m]) =>
    withCuts(frame(`ntp ${name}`, udp(123, 123, m)), UDP4_PAYLOAD, [2, 6, 14, 20, 30, 50])
  );
}

function otherFrames(): Frame[] {
  const out: Frame[] = [];
  const add = (name: string, bytes: number[], cuts: number[] = []) =>
    out.push(...withCuts(frame(name, bytes), UDP4_PAYLOAD, cuts));
  // timed
  add("timed loop", udp(525, 525, [24, 1, 0, 9, 10, 0, 0, 0, 0, 0, 0, 0, ...ascii("host\0")]));
  add("timed settime", udp(525, 525, [5, 1, 0, 9, ...be32(-2 >>> 0), ...be32(5), ...ascii("h\0")]));
  add("timed other", udp(525, 525, [99, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, ...ascii("x\0")]));
  // syslog
  add("syslog", udp(40000, 514, ascii("<134>Jan  1 00:00:00 host app: hello\x01")), [3, 10]);
  add("syslog bad", udp(40000, 514, ascii("<1x>oops")));
  add("syslog no bracket", udp(40000, 514, ascii("plain")));
  add("syslog big pri", udp(40000, 514, ascii("<999>x")));
  // tftp
  add("tftp rrq", udp(40000, 69, [0, 1, ...ascii("file.bin\0octet\0blksize\x001428\0")]), [
    3,
    8,
    14,
  ]);
  add("tftp data", udp(40000, 69, [0, 3, 0, 7, 1, 2, 3]));
  add("tftp ack", udp(40000, 69, [0, 4, 0, 7]));
  add("tftp error", udp(40000, 69, [0, 5, 0, 1, ...ascii("not found\0")]), [4, 7]);
  add("tftp error 99", udp(40000, 69, [0, 5, 0, 99, ...ascii("x\0")]));
  add("tftp oack", udp(40000, 69, [0, 6, ...ascii("tsize\x00100\0")]));
  add("tftp op 9", udp(40000, 69, [0, 9]));
  add("tftp short", udp(40000, 69, [0]));
  // RADIUS with EAP
  const attr = (t: number, v: number[]) => [t, v.length + 2, ...v];
  const eapId = [2, 5, 0, 10, 1, ...ascii("alice")];
  const rad = (
    code: number,
    attrs: number[],
  ) => [code, 9, ...be16(20 + attrs.length), ...Array(16).fill(0x11), ...attrs];
  add(
    "radius request",
    udp(
      40000,
      1812,
      rad(1, [
        ...attr(1, ascii("alice")),
        ...attr(4, [10, 0, 0, 1]),
        ...attr(5, be32(7)),
        ...attr(6, be32(2)),
        ...attr(8, be32(0xfffffffe)),
        ...attr(27, be32(3700)),
        ...attr(61, be32(15)),
        ...attr(64, [1, 0, 0, 13]),
        ...attr(55, be32(946684800)),
        ...attr(26, [...be32(9), 1, 5, ...ascii("abc")]),
        ...attr(79, eapId),
        ...attr(79, [1, 6, 0, 6, 13, 0xa0]),
        ...attr(79, [3, 6, 0, 4]),
        ...attr(97, [0, 64, ...hex("20010db800000000")]),
        ...attr(101, be32(404)),
        ...attr(70, Array(16).fill(1)),
        ...attr(200, [1, 2]),
        ...attr(1, []),
      ]),
    ),
    [10, 24, 40, 60],
  );
  add("radius bogus attr", udp(40000, 1813, rad(4, [1, 1, 2, 50, 1])));
  add("radius short len", udp(40000, 1645, [1, 1, 0, 5, ...Array(16).fill(0)]));
  // LWAPP
  add(
    "lwapp control to controller",
    udp(40000, 12223, [
      ...hex("020000000001"),
      0x04,
      0,
      0,
      16,
      0,
      0,
      1,
      7,
      0,
      4,
      0,
      0,
      0,
      9,
      1,
      2,
      3,
      4,
      22,
      8,
      0,
      0,
      0,
      0,
      0,
      1,
    ]),
    [4, 8, 14],
  );
  add(
    "lwapp control from controller",
    udp(12223, 40000, [0x04, 0, 0, 12, 0, 0, 2, 1, 0, 4, 0, 0, 0, 9, 1, 2, 3, 4]),
  );
  add("lwapp data", udp(12222, 12222, [0x00, 3, 0, 10, 0, 0, 1, 2, 3, 4]));
  add("lwapp version 1", udp(12222, 12222, [0x40, 3, 0, 10, 0, 0]));
  // HNCP
  const tlv = (t: number, v: number[]) => {
    const pad = (4 - (v.length % 4)) % 4;
    return [...be16(t), ...be16(v.length), ...v, ...Array(pad).fill(0)];
  };
  add(
    "hncp",
    udp(8231, 8231, [
      ...tlv(3, [0x31, 0xda, 0x78, 0xd2, 0, 0, 0, 3]),
      ...tlv(4, Array(8).fill(0xab)),
      ...tlv(1, []),
      ...tlv(2, [1, 2, 3, 4]),
      ...tlv(5, [
        1,
        2,
        3,
        4,
        0,
        0,
        0,
        9,
        0,
        0,
        1,
        0,
        ...Array(8).fill(1),
        ...tlv(8, Array(12).fill(2)),
        ...tlv(32, [0, 0, 0x12, 0x34, ...ascii("hnetd")]),
        ...tlv(33, tlv(34, [0, 0, 1, 0, 0, 0, 2, 0, 56, ...hex("20010db8000000")])),
        ...tlv(35, [0, 0, 0, 1, 0x0f, 64, ...hex("20010db800000001")]),
        ...tlv(36, [0, 0, 0, 1, ...hex("00000000000000000000ffff0a000001")]),
        ...tlv(41, [...hex("20010db8000000000000000000000001"), 3, ...ascii("rtr")]),
        ...tlv(39, [...hex("20010db8000000000000000000000001"), 7, 3, ...ascii("lan"), 0]),
        ...tlv(40, [4, ...ascii("home"), 0]),
        ...tlv(43, [0]),
        ...tlv(600, [1]),
      ]),
      ...tlv(9, [0, 0, 0, 1, 0, 0, 0x4e, 0x20]),
      ...tlv(3, [1]),
    ]),
    [4, 10, 30, 60],
  );
  // sFlow
  const counter = [
    ...be32(1),
    ...be32(88),
    ...be32(2),
    ...be32(6),
    0,
    0,
    0,
    0,
    ...be32(1000000000),
    ...be32(1),
    ...be32(3),
    ...Array(64).fill(0),
  ];
  const flowRec = [
    ...be32(1),
    ...be32(16),
    ...be32(1),
    ...be32(128),
    ...be32(4),
    ...be32(64),
    ...be32(1001),
    ...be32(16),
    ...be32(10),
    0,
    0,
    0,
    1,
    ...be32(20),
    0,
    0,
    0,
    2,
  ];
  const sample = (fmt: number, body: number[]) => [...be32(fmt), ...be32(body.length), ...body];
  add(
    "sflow",
    udp(40000, 6343, [
      ...be32(5),
      ...be32(1),
      10,
      0,
      0,
      1,
      ...be32(7),
      ...be32(99),
      ...be32(12345),
      ...be32(3),
      ...sample(2, [...be32(5), 0, 0, 0, 3, ...be32(1), ...counter]),
      ...sample(1, [
        ...be32(6),
        0,
        0,
        0,
        3,
        ...be32(512),
        ...be32(1000),
        ...be32(0),
        ...be32(3),
        ...be32(4),
        ...be32(2),
        ...flowRec,
      ]),
      ...sample(9, [1, 2, 3, 4]),
    ]),
    [10, 30, 60, 120],
  );
  add("sflow v4", udp(40000, 6343, [...be32(4), ...be32(1), 10, 0, 0, 1, ...Array(16).fill(0)]));
  add("sflow short", udp(40000, 6343, [...be32(5), ...be32(1), 10, 0, 0, 1]));
  // AHCP
  const ahcpHeader = [
    43,
    1,
    1,
    2,
    ...be32(0x7ce31135),
    ...Array(8).fill(0x6a),
    ...Array(8).fill(255),
  ];
  const opt = (n: number, v: number[]) => [n, v.length, ...v];
  const a6 = hex("20010db8000000000000000000000001");
  const ahcpOptions = [
    0,
    1,
    ...opt(2, be32(1300000000)),
    ...opt(3, be32(3600)),
    ...opt(4, a6),
    ...opt(5, [10, 0, 0, 1, 10, 0, 0, 2]),
    ...opt(6, [...a6, 64]),
    ...opt(7, [10, 0, 0, 0, 8]),
    ...opt(8, [...a6, ...a6]),
    ...opt(9, [192, 0, 2, 1]),
    ...opt(10, [...a6, 48]),
    ...opt(11, [10, 0, 0, 0, 8, 10, 1, 0, 0, 16]),
    ...opt(12, a6),
    ...opt(13, a6),
    ...opt(99, [1, 2, 3]),
    ...opt(2, [1, 2]),
    ...opt(3, [1]),
    ...opt(9, [1, 2, 3]),
    ...opt(6, [...a6]),
  ];
  const ahcpBody = (type: number, mbz: number, opts: number[], extra: number[] = []) => [
    type,
    mbz,
    ...be16(opts.length),
    ...opts,
    ...extra,
  ];
  add("ahcp", udp(5359, 5359, [...ahcpHeader, ...ahcpBody(0, 0, ahcpOptions)]), [
    1,
    2,
    10,
    24,
    27,
    40,
    80,
  ]);
  add("ahcp mbz", udp(5359, 5359, [...ahcpHeader, ...ahcpBody(9, 3, [0, 5, 2], [7, 7])]));
  add("ahcp no value", udp(5359, 5359, [...ahcpHeader, ...ahcpBody(1, 0, [0, 4, 20, 1])]));
  add("ahcp long body", udp(5359, 5359, [...ahcpHeader, 2, 0, 0, 9, 1, 1]));
  add("ahcp no body", udp(5359, 5359, ahcpHeader));
  add("ahcp short", udp(40000, 5359, [43, 1, 1, 2, 3]));
  add("ahcp magic", udp(5359, 40000, [42, 1, ...Array(30).fill(0)]));
  add("ahcp v2", udp(5359, 5359, [43, 2, 1, 2, 3]), [3]);
  add("ahcp byte", udp(5359, 5359, [43]));
  // SOME/IP
  const someip = (id: number, type: number, code: number) => [
    ...be32(id),
    ...be32(8),
    ...be32(0x00080005),
    1,
    1,
    type,
    code,
  ];
  add("someip", udp(56001, 30490, someip(0x00010002, 1, 0)), [3, 6, 9, 13, 15]);
  add("someip event", udp(30490, 56001, [...someip(0xfffe8001, 0xa1, 0x0f), 1, 2, 3]));
  add("someip unknown", udp(30490, 30490, someip(0x12345678, 0x7f, 0x10)));
  add("someip short", udp(30490, 30490, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]));
  return out;
}

export function frames(): Frame[] {
  return [...snmpFrames(), ...ntpFrames(), ...otherFrames()];
}

sameAsTcpdump(
  "udp services: crafted SNMP, NTP, timed, syslog, TFTP, RADIUS, LWAPP, HNCP, sFlow, AHCP, SOME/IP identical to tcpdump",
  frames,
);
