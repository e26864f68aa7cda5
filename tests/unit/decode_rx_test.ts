// AFS Rx and Kerberos as tcpdump 4.99 prints them, on crafted packets: calls of every AFS service
// with arguments, the replies that name their call (the capture's call cache), Ubik, aborts,
// acknowledgements with acked/nacked ranges, Kerberos 4 and 5, and cut captures.
import {
  ascii,
  be16,
  be32,
  type Frame,
  frame,
  sameAsTcpdump,
  udp,
  UDP4_PAYLOAD,
  withCuts,
} from "./decode_craft.ts";

const CLIENT = { src: [10, 0, 0, 1], dst: [10, 0, 0, 2] };
const SERVER = { src: [10, 0, 0, 2], dst: [10, 0, 0, 1] };

/** An Rx header: call number, seq, type, flags, service id. */
function rxh(call: number, seq: number, type: number, flags: number, service = 1): number[] {
  return [
    ...be32(0x12345678),
    ...be32(0xabcdef01),
    ...be32(call),
    ...be32(seq),
    ...be32(seq + 100),
    type,
    flags,
    0,
    2,
    0,
    0,
    ...be16(service),
  ];
}

const str = (s: string) => {
  const b = ascii(s);
  while (b.length % 4) b.push(0);
  return [...be32(s.length), ...b];
};
const vec = (s: string, n: number) =>
  Array.from({ length: n }, (_, i) => be32(i < s.length ? s.charCodeAt(i) : 0)).flat();
const words = (...v: number[]) => v.flatMap(be32);
const fidw = (a: number, b: number, c: number) => words(a, b, c);

let call = 1;

/** A call to `port` and its reply (data, or abort with `abort`), each a frame. */
function exchange(
  name: string,
  port: number,
  op: number,
  args: number[],
  reply: number[],
  abort = false,
): Frame[] {
  call++;
  const c = udp(7001, port, [...rxh(call, 1, 1, 3), ...be32(op), ...args], false, CLIENT);
  const r = udp(port, 7001, [...rxh(call, 1, abort ? 4 : 1, 0), ...reply], false, SERVER);
  return [
    ...withCuts(frame(`${name} call`, c), UDP4_PAYLOAD, [20, 30, 36, 44, 60]),
    frame(`${name} reply`, r),
  ];
}

export function frames(): Frame[] {
  const out: Frame[] = [];
  const status = words(1 | 2 | 4 | 8 | 16 | 1024, 946684800, 5, 6, 0o4755, 65536);
  out.push(...exchange("fs fetch-data", 7000, 130, [...fidw(1, 2, 3), ...words(0, 4096)], []));
  out.push(
    ...exchange("fs store-data", 7000, 133, [...fidw(1, 2, 3), ...status, ...words(0, 10, 10)], []),
  );
  out.push(
    ...exchange("fs store-acl", 7000, 134, [
      ...fidw(1, 2, 3),
      ...str("2 1\nuser1 127\nuser2 9\nbad 1\n"),
    ], []),
  );
  out.push(...exchange("fs fetch-acl", 7000, 131, fidw(1, 2, 3), str("1 0\nsystem:anyuser 8\n")));
  out.push(
    ...exchange("fs create", 7000, 137, [
      ...fidw(1, 2, 3),
      ...str("file.txt"),
      ...words(0, 0, 0, 0, 0, 0),
    ], fidw(7, 8, 9)),
  );
  out.push(
    ...exchange("fs rename", 7000, 138, [
      ...fidw(1, 2, 3),
      ...str("a"),
      ...fidw(4, 5, 6),
      ...str("b"),
    ], []),
  );
  out.push(
    ...exchange("fs symlink", 7000, 139, [...fidw(1, 2, 3), ...str("l"), ...str("target")], []),
  );
  out.push(
    ...exchange("fs link", 7000, 140, [...fidw(1, 2, 3), ...str("l"), ...fidw(4, 5, 6)], []),
  );
  out.push(
    ...exchange("fs bulk-stat", 7000, 155, [...words(2), ...fidw(1, 2, 3), ...fidw(4, 5, 6)], []),
  );
  out.push(...exchange("fs bulk-stat none", 7000, 65536, words(0), []));
  out.push(
    ...exchange("fs fetch-data-64", 7000, 65537, [...fidw(1, 2, 3), ...words(1, 0, 0, 5)], []),
  );
  out.push(...exchange("fs get-rootvl", 7000, 151, [], str("root.afs")));
  out.push(...exchange("fs get-time", 7000, 153, [], words(946684800)));
  out.push(...exchange("fs error", 7000, 132, fidw(1, 2, 3), words(0xffffff9c), true));
  out.push(...exchange("fs error unknown", 7000, 132, fidw(1, 2, 3), words(7), true));
  out.push(...exchange("fs long name", 7000, 136, [...fidw(1, 2, 3), ...be32(300)], []));
  out.push(
    ...exchange("cb callback", 7001, 204, [
      ...words(1),
      ...fidw(1, 2, 3),
      ...words(1, 5, 946684800, 1),
    ], []),
  );
  out.push(...exchange("cb probeuuid", 7001, 214, words(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), []));
  out.push(...exchange("cb initcb3", 7001, 213, [], words(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)));
  out.push(...exchange("cb error", 7001, 206, [], words(5), true));
  out.push(
    ...exchange(
      "pt name-to-id",
      7002,
      504,
      [...words(2), ...vec("alice", 64), ...vec("bob", 64)],
      words(2, 5, -7),
    ),
  );
  out.push(
    ...exchange("pt id-to-name", 7002, 505, words(1, 5), [...words(1), ...vec("alice", 64)]),
  );
  out.push(...exchange("pt new-user", 7002, 500, [...str("carol"), ...words(5, -1)], []));
  out.push(...exchange("pt get-cps", 7002, 508, words(5), words(3, 1, 2, 3)));
  out.push(...exchange("pt list-max", 7002, 510, [], words(100, -200)));
  out.push(...exchange("pt ubik beacon", 7002, 10000, words(1, 946684800, 1, 2, 3, 4), []));
  out.push(...exchange("pt ubik lock", 7002, 20002, words(1, 2, 3, 4, 5, 1), []));
  out.push(...exchange("pt ubik getversion", 7002, 20004, [], words(7, 8)));
  out.push(
    ...exchange(
      "vldb beacon yes",
      7003,
      10000,
      words(0, 946684800, 1, 2, 3, 4),
      words(946684800),
      true,
    ),
  );
  out.push(...exchange("vldb by-id", 7003, 503, words(536870912, 0), []));
  out.push(
    ...exchange("vldb by-name", 7003, 504, str("root.cell"), [
      ...vec("root.cell", 65),
      0,
      0,
      0,
      0,
      ...words(2, 0x0a000001, 0x0a000002, 0, 0, 0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0, 0),
      ...words(0, 0, 0, 0, 0, 0, 0, 0),
      ...words(1, 2, 3),
    ]),
  );
  out.push(
    ...exchange("vldb by-name-n", 7003, 519, str("v"), [
      ...vec("v", 65),
      ...words(1),
      ...Array(13).fill(0).flatMap(() => be32(0x0a000003)),
      ...words(1, ...Array(12).fill(0)),
      ...Array(13).fill(0).flatMap(() => be32(0)),
      ...words(4, 5, 6),
    ]),
  );
  out.push(...exchange("vldb new-id", 7003, 505, words(1), words(99)));
  out.push(...exchange("kauth authenticate", 7004, 21, [...str("admin"), ...str("")], []));
  out.push(
    ...exchange(
      "kauth get-ticket",
      7004,
      23,
      [...words(3), ...str("CELL"), ...words(4, 0), ...str("afs"), ...str("")],
      words(9),
      true,
    ),
  );
  out.push(
    ...exchange("vol list-one", 7005, 121, words(1, 536870912), [
      ...words(1),
      ...vec("users.x", 32),
      ...words(536870912),
      ...Array(21).fill(0).flatMap(() => be32(0)),
    ]),
  );
  out.push(
    ...exchange("vol forward-multiple", 7005, 128, words(1, 946684800, 2, 1, 2, 3, 4, 5, 6), []),
  );
  out.push(
    ...exchange(
      "vol get-status",
      7005,
      113,
      [],
      words(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 946684800, 946684800, 946684800, 0, 0, 0),
    ),
  );
  out.push(...exchange("bos create-bnode", 7007, 80, [...str("simple"), ...str("fs")], []));
  out.push(...exchange("bos error", 7007, 83, str("fs"), words(3), true));
  out.push(...exchange("port 7008 call", 7008, 1, [], []));
  // Acknowledgements and others.
  const ackBody = [
    ...be16(32),
    ...be16(0),
    ...words(10, 0, 77),
    1,
    8,
    1,
    1,
    1,
    0,
    1,
    0,
    0,
    1,
    0,
    0,
    0,
    ...words(1444, 1444, 32, 4),
  ];
  out.push(
    ...withCuts(
      frame("ack ranges", udp(7000, 7001, [...rxh(5, 0, 2, 0x20), ...ackBody])),
      UDP4_PAYLOAD,
      [20, 30, 40, 50, 56, 60],
    ),
  );
  out.push(
    frame(
      "ack no acks",
      udp(7000, 7001, [...rxh(5, 0, 2, 0), ...be16(32), ...be16(0), ...words(10, 0, 77), 99, 0]),
    ),
  );
  out.push(frame("data seq 2", udp(7001, 7000, [...rxh(6, 2, 1, 0x27), 1, 2, 3])));
  out.push(frame("challenge", udp(7000, 7001, [...rxh(6, 0, 6, 0), 1, 2, 3, 4])));
  out.push(frame("type 99", udp(7000, 7001, [...rxh(6, 0, 99, 0xff)])));
  out.push(frame("short", udp(7000, 7001, [1, 2, 3])));
  // Kerberos.
  const krb4 = (type: number, body: number[]) => udp(40000, 88, [4, type, ...body]);
  const names = [...ascii("user\0inst\0REALM\0")];
  out.push(
    ...withCuts(
      frame("krb4 kdc request", krb4(2, [...names, 1, 2, 3, 4, 12, ...ascii("krbtgt\0REALM\0")])),
      UDP4_PAYLOAD,
      [3, 10, 20, 26],
    ),
  );
  out.push(frame("krb4 kdc reply le", krb4(5, [...names, ...Array(10).fill(0), 0x34, 0x12])));
  out.push(frame("krb4 appl request", krb4(6, [7, ...ascii("REALM\0"), 3, 4])));
  out.push(
    frame("krb4 err reply", krb4(10, [...names, 0, 0, 0, 0, 0, 8, 0, 0, ...ascii("no such\0")])),
  );
  out.push(frame("krb4 die", krb4(126, [])));
  out.push(frame("krb v5", udp(88, 40000, [107, 1, 2])));
  out.push(frame("krb v2", udp(750, 40000, [2])));
  out.push(frame("krb other", udp(40000, 88, [0x30, 1])));
  return out;
}

sameAsTcpdump(
  "rx, krb: crafted packets identical to tcpdump at default, -v, -vv, -vvv, -e",
  frames,
);
