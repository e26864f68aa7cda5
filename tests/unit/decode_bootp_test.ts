// BOOTP/DHCP as tcpdump 4.99 prints it, on crafted messages: requests and replies, the header
// fields -v shows, every kind of RFC 1048 option (addresses, numbers, strings, the special
// cases and their errors), CMU vendor areas, padding at -vvv, and cut captures.
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

function bootp(
  op: number,
  htype: number,
  hlen: number,
  flags: number,
  vend: number[],
  sname = "",
  file = "",
) {
  const fixed = [op, htype, hlen, 1, ...be32(0x1234abcd), ...be16(3), ...be16(flags)];
  fixed.push(0, 0, 0, 0, 10, 0, 0, 9, 10, 0, 0, 1, 0, 0, 0, 0);
  fixed.push(...hex("020000000001"), ...Array(10).fill(0));
  const pad = (s: string, n: number) => [...ascii(s), ...Array(n - s.length).fill(0)];
  return [...fixed, ...pad(sname, 64), ...pad(file, 128), ...vend];
}

const opt = (tag: number, body: number[]) => [tag, body.length, ...body];
const COOKIE = [99, 130, 83, 99];

export function frames(): Frame[] {
  const opts = [
    ...opt(53, [1]),
    ...opt(53, [99]),
    0,
    0,
    0,
    ...opt(1, [255, 255, 255, 0]),
    ...opt(2, be32(-3600 >>> 0)),
    ...opt(3, [10, 0, 0, 1, 10, 0, 0, 2]),
    ...opt(12, ascii("host\x01name")),
    ...opt(13, be16(100)),
    ...opt(19, [0, 1, 2]),
    ...opt(21, [10, 0, 0, 0, 255, 0, 0, 0]),
    ...opt(23, [64]),
    ...opt(51, be32(86400)),
    ...opt(55, [1, 3, 6, 15, 119, 252, 44, 46, 47, 200]),
    ...opt(61, [1, ...hex("020000000001")]),
    ...opt(61, [0, ...ascii("cid")]),
    ...opt(61, []),
    ...opt(46, [8]),
    ...opt(46, [3, 1]),
    ...opt(52, [3]),
    ...opt(81, [0x15, 0, 0, ...ascii("pc.example")]),
    ...opt(81, [0, 1, 2]),
    ...opt(81, [1]),
    ...opt(82, [1, 3, ...ascii("eth"), 2, 2, 1, 2, 9, 2, 7, 7, 5, 9, 1]),
    ...opt(121, [24, 192, 168, 1, 10, 0, 0, 1, 0, 10, 0, 0, 2, 8, 10]),
    ...opt(121, [33, 1, 2, 3, 4]),
    ...opt(249, [1, 2]),
    ...opt(77, [3, ...ascii("abc"), 2, ...ascii("de")]),
    ...opt(77, [0, 1]),
    ...opt(77, [5, 1]),
    ...opt(200, [1, 2, 3]),
    ...opt(201, [1, 2]),
    ...opt(202, [1, 2, 3, 4, 5, 6, 7, 8]),
    ...opt(1, [1, 2, 3]),
    ...opt(33, [1, 2, 3, 4, 5, 6, 7, 8]),
    ...opt(116, [0, 1, 2]),
    ...opt(43, [1, 2]),
    ...opt(99, [1]),
    255,
    0,
    0,
  ];
  const cmu = [
    ...ascii("CMU"),
    0,
    0,
    0,
    0,
    3,
    255,
    255,
    0,
    0,
    10,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    10,
    0,
    0,
    53,
    ...Array(40).fill(0),
  ];
  const cases: [string, number[], number[]][] = [
    ["discover", bootp(1, 1, 6, 0x8000, [...COOKIE, ...opts]), [8, 30, 60, 240, 260, 300]],
    ["reply named", bootp(2, 1, 6, 0, [...COOKIE, 255], "server", "boot/file"), [50, 120]],
    ["request other hw", bootp(1, 6, 8, 0x0001, [...COOKIE, 255]), []],
    ["cmu", bootp(2, 1, 6, 0, cmu), [250]],
    ["vendor other", bootp(2, 1, 6, 0, [1, 2, 3, 4]), []],
    ["vendor zero", bootp(2, 1, 6, 0, [0, 0, 0, 0]), []],
    ["op 9", bootp(9, 1, 6, 0, [...COOKIE, 255]), []],
    ["sname unterminated", bootp(1, 1, 6, 0, [...COOKIE, 255], "x".repeat(64)), []],
  ];
  return cases.flatMap(([name, msg, cuts]) =>
    withCuts(frame(name, udp(68, 67, msg)), UDP4_PAYLOAD, cuts)
  );
}

sameAsTcpdump(
  "bootp: crafted BOOTP/DHCP identical to tcpdump at default, -v, -vv, -vvv, -e",
  frames,
);
