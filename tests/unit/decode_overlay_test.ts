// VXLAN, Geneve, VXLAN-GPE and OTV as tcpdump 4.99 prints them, on crafted datagrams: the inner
// Ethernet frame on the next line, Geneve options (-v) and their data (-vv), inner protocols by
// ethertype, bad versions and lengths, and cut captures.
import assert from "node:assert/strict";
import {
  be16,
  differences,
  FLAG_SETS,
  type Frame,
  frame,
  hex,
  ip4,
  TCPDUMP,
  udp,
  UDP4_PAYLOAD,
  withCuts,
} from "./decode_craft.ts";

/** An inner frame: ICMP echo over IPv4 in Ethernet. */
function inner(): number[] {
  return ip4(1, [8, 0, 0xf7, 0xfd, 0, 1, 0, 1], { src: [192, 168, 0, 1], dst: [192, 168, 0, 2] });
}

/** The inner packet without its Ethernet header. */
const innerIp = () => inner().slice(14);

export function frames(): Frame[] {
  const vx = (flags: number, body: number[]) => [flags, 0, 0, 0, 0, 0x12, 0x34, 0, ...body];
  const gen = (optWords: number, flags: number, proto: number, opts: number[], body: number[]) => [
    optWords,
    flags,
    ...be16(proto),
    0,
    0,
    42,
    0,
    ...opts,
    ...body,
  ];
  const opt = (
    cls: number,
    type: number,
    data: number[],
  ) => [...be16(cls), type, data.length / 4, ...data];
  const cases: [string, number[]][] = [
    ["vxlan", udp(40000, 4789, vx(0x08, inner()))],
    ["vxlan flags 0", udp(40000, 4789, vx(0x00, inner()))],
    ["vxlan short", udp(40000, 4789, [8, 0, 0])],
    ["otv", udp(40000, 8472, vx(0x08, inner()))],
    ["otv no I", udp(40000, 8472, vx(0x00, inner()))],
    ["geneve ipv4", udp(40000, 6081, gen(0, 0, 0x0800, [], innerIp()))],
    ["geneve teb", udp(40000, 6081, gen(0, 0x40, 0x6558, [], inner()))],
    [
      "geneve options",
      udp(
        40000,
        6081,
        gen(6, 0xc0, 0x0800, [
          ...opt(0x0100, 0x80, [1, 2, 3, 4]),
          ...opt(0xfff1, 0x01, [5, 6, 7, 8, 9, 10, 11, 12]),
          ...opt(0x0200, 0x02, []),
        ], innerIp()),
      ),
    ],
    [
      "geneve bad option length",
      udp(40000, 6081, gen(1, 0, 0x0800, opt(0x0101, 1, [1, 2, 3, 4]), innerIp())),
    ],
    ["geneve unknown proto", udp(40000, 6081, gen(0, 0x3f, 0x1234, [], [1, 2, 3]))],
    ["geneve reserved", udp(40000, 6081, [0, 0, 8, 0, 0, 0, 1, 9, ...innerIp()])],
    ["geneve version 1", udp(40000, 6081, gen(0x40, 0, 0x0800, [], innerIp()))],
    ["geneve short", udp(40000, 6081, [0, 0, 8])],
    ["geneve missing options", udp(40000, 6081, gen(8, 0, 0x0800, [], [1, 2, 3, 4]))],
    ["gpe ipv4", udp(40000, 4790, [0x0c, 0, 0, 1, 0, 0, 7, 0, ...innerIp()])],
    ["gpe ethernet", udp(40000, 4790, [0x08, 0, 0, 3, 0, 0, 7, 0, ...inner()])],
    [
      "gpe ipv6",
      udp(40000, 4790, [
        0x08,
        0,
        0,
        2,
        0,
        0,
        7,
        0,
        ...hex("6000000000003b40"),
        ...Array(32).fill(0),
      ]),
    ],
    ["gpe unknown", udp(40000, 4790, [0x00, 0, 0, 9, 0, 0, 7, 0, 1])],
  ];
  return cases.flatMap(([name, bytes]) =>
    withCuts(frame(name, bytes), UDP4_PAYLOAD, [3, 7, 8, 12, 20, 30])
  );
}

/**
 * Whether a case's -x dump is compared: an inner IPv4 header cut within its first bytes is
 * dumped whole by tcpdump, which the decoder's line cannot tell from an outer one (see the
 * report of issue 19); everything else is.
 */
function innerIpCut(f: Frame): boolean {
  return /(ipv4|reserved|bad option length) cut@(8|12)$/.test(f.name);
}

Deno.test({
  name:
    "overlays: crafted VXLAN, Geneve, VXLAN-GPE, OTV identical to tcpdump at default to -vvv, -e",
  ignore: !TCPDUMP,
  fn() {
    const all = frames();
    const text = FLAG_SETS.filter((f) => !f.includes("-x"));
    const hex = FLAG_SETS.filter((f) => f.includes("-x"));
    assert.deepEqual(differences(all, text), []);
    assert.deepEqual(differences(all.filter((f) => !innerIpCut(f)), hex), []);
  },
});
