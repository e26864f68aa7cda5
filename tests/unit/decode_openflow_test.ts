/**
 * The OpenFlow printer against tcpdump 4.99 on crafted frames: message headers (versions 1.0
 * and 1.3) at default flags and -e, and every OpenFlow 1.0 body tcpdump decodes (ports,
 * matches, actions, flow and port modifications, statistics, queues, errors, vendor messages) at
 * -v to -vvv, for whole packets and for every truncation of them.
 */
import { tcpdumpSuite } from "./tcpdump_frames.ts";
import { allCuts, eth, fixSum, frames, h16, h32, hexBytes, ip4, tcp } from "./ip_frames.ts";
import { hexOf } from "./helpers.ts";

const { same, sameCut } = tcpdumpSuite("OpenFlow printer vs tcpdump", "decode_openflow_test");

const ofAll = [
  tcp(6653, 40000, "01 00 0008 00000001 04 02 000c 00000002 61626364"),
  tcp(6633, 40000, "01 05 0009 00000003 ff 04 1d 0008 00000004 01 05 0008 00000005"),
  tcp(40000, 6653, "04 0a 0020 00000006 0000000000000000 0000000000000000 0000000000000000"),
  tcp(40000, 6653, "07 63 0008 00000007 01 00 0004 00000008"),
  tcp(40000, 6653, "01 00 0100 00000009 0102"),
  tcp(40000, 6653, "01 00 00"),
  tcp(40000, 6653, "04"),
];
same("OpenFlow message headers", frames(...ofAll), [[], ["-e"]]);
sameCut("OpenFlow headers truncated at every byte", allCuts(ofAll[1]), [[]]);

/** An OpenFlow 1.0 message of this type around `body`. */
const of10 = (type: number, body: string, xid = 1) =>
  `01 ${type.toString(16).padStart(2, "0")} ${h16(8 + hexBytes(body))} ${h32(xid)} ${body}`;
const ofTcp = (...msgs: string[]) => tcp(6653, 40000, msgs.join(" "));
const zeros = (n: number) => "00".repeat(n);
const text = (s: string, n: number) =>
  [...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("") +
  zeros(n - s.length);
/** A physical port: number, MAC, name, config, state, curr, advertised, supported, peer. */
const phyPort = (no: string, name: string, cfg: string, state: string, feat: string) =>
  `${no} 0a0b0c0d0e0f ${text(name, 16)} ${cfg} ${state} ${feat} ${feat} ${feat} ${feat}`;
/** A match with these wildcards on every field. */
const match = (w: string, dlType = "0800", proto = "06") =>
  `${w} 0003 001122334455 66778899aabb 0064 05 00 ${dlType} 2c ${proto} 0000 0a000001 ` +
  "c0a80000 0050 01bb";
const action = (type: number, body: string) => `${h16(type)} ${h16(4 + hexBytes(body))} ${body}`;
const actionsAll = [
  action(0, "0005 0000"),
  action(0, "fffd 0080"),
  action(1, "0064 0000"),
  action(1, "ffff 0000"),
  action(1, "0fff 0000"),
  action(2, "05 000000"),
  action(2, "09 000000"),
  action(3, "00000000"),
  action(4, "001122334455 000000000000"),
  action(5, "66778899aabb 000000000000"),
  action(6, "0a000001"),
  action(7, "0a000002"),
  action(8, "b8 000000"),
  action(9, "0050 0000"),
  action(10, "01bb 0000"),
  action(11, "fffe 000000000000 ffffffff"),
  action(11, "0002 000000000000 00000007"),
  action(0xffff, "005c16c7 00000001 00000015 81005abc 01 000000"),
  action(0xffff, "005c16c7 00000001 00000015 00000000 07 000000"),
  action(0xffff, "005c16c7 00000001 00000015 88a80001 00 000000"),
  action(0xffff, "005c16c7 00000002 00000000 00000000 00000000"),
  action(0xffff, "005c16c7 00000001 00000015 000000000000"),
  action(0xffff, "00002320 0000000000000001"),
  action(0x20, "00000000"),
  action(1, "0064 0000 00000000"),
];
const bsn = (subtype: number, body: string) => of10(4, `005c16c7 ${h32(subtype)} ${body}`);
const icmpEcho = hexOf(eth(fixSum(ip4(1, "0800 0000 1234 0001 6162636465666768"), 2, false)));
const ofBodies = [
  ofTcp(of10(0, "0102030405"), of10(2, "61626364"), of10(3, "")),
  ofTcp(
    of10(1, "0000 0001 0102"),
    of10(1, "0001 0008"),
    of10(1, "0002 0004 01020304"),
    of10(1, "0003 0005"),
    of10(1, "0004 0001"),
    of10(1, "0005 0002"),
    of10(1, "0005 0009"),
    of10(1, "0009 0000"),
  ),
  ofTcp(
    bsn(0, "01 000000 ffffff00"),
    bsn(1, "02 00000000000000"),
    bsn(2, "03 000000 ffff0000"),
    bsn(3, "01 000000"),
    bsn(5, "07 000000"),
    bsn(9, ""),
    bsn(13, "00"),
    bsn(17, "0000002a"),
    bsn(6, "00000001 73686f770a"),
    bsn(7, "6f6b"),
    bsn(8, "deadbeef"),
    bsn(0x63, "01020304"),
    bsn(0, "01"),
  ),
  ofTcp(
    of10(4, "00002320 0102030405"),
    of10(4, "ff000002 01"),
    of10(4, "12345678"),
    of10(4, "005c16c7 0000"),
  ),
  ofTcp(
    of10(
      6,
      "0000000000abcdef 00000100 fe 000000 000000ff 00000fff " +
        phyPort("0001", "eth1", "00000011", "00000201", "000002a0") +
        phyPort("fffe", "local\u0001", "00000080", "00000301", "00001000"),
    ),
    of10(6, "0000000000000001 00000000 01 000000 000001ff 0000f000 0102"),
  ),
  ofTcp(
    of10(8, "0000 0080"),
    of10(9, "0001 ffff"),
    of10(9, "0002 0000"),
    of10(9, "0007 0000"),
    of10(8, "0000"),
  ),
  ofTcp(
    of10(
      13,
      `ffffffff 0001 ${h16(24)} ${action(0, "0005 0000")} ${action(8, "b8 000000")} ` +
        action(0, "fffd 0080"),
    ),
    of10(13, "00000105 fffd 0010 " + action(0, "0005 0000")),
    of10(13, "00000105 fffd 0100 0000"),
  ),
  ofTcp(
    of10(
      11,
      match("00000000") + " 0000000000000002 7918 02 00 00000035 3b023380 003c 0000 " +
        "0000000000000007 00000000000003e8",
    ),
    of10(
      11,
      match("00000000", "0800", "01") + " 0000000000000003 0000 00 00 00000001 " +
        "00000002 0000 0000 0000000000000000 0000000000000000",
    ),
    of10(
      11,
      match("00000000", "0806", "02") + " 0000000000000003 0000 07 00 00000001 " +
        "00000002 0000 0000 0000000000000000 0000000000000000",
    ),
    of10(
      11,
      match("ffc00000") + " 0000000000000003 0000 01 00 00000001 " +
        "00000002 0000 0000 0000000000000000 0000000000000000",
    ),
    of10(
      11,
      match("003820ee") + " 0000000000000003 0000 01 00 00000001 " +
        "00000002 0000 0000 0000000000000000 0000000000000000",
    ),
  ),
  ofTcp(
    of10(12, "00 00000000000000 " + phyPort("0003", "port3", "00000000", "00000100", "00000000")),
    of10(12, "07 00000000000000 " + phyPort("0003", "port3", "80000000", "80000001", "00000000")),
  ),
  ofTcp(
    of10(
      14,
      `${match("00000000")} 0000000000000001 0000 003c 0078 8000 ffffffff ffff 0001 ` +
        actionsAll.slice(0, 12).join(" "),
    ),
    of10(
      14,
      `${match("003fffff")} 00000000000000aa 0003 0000 0000 0000 00000100 0005 0006 ` +
        actionsAll.slice(12).join(" "),
    ),
    of10(14, `${match("003fffff")} 00000000000000aa 0009 0000 0000 0000 00000100 0005 0000`),
    of10(
      14,
      `${match("003fffff")} 00000000000000aa 0004 0000 0000 0000 00000100 fffb 0000 ` +
        "0000 0010 0005 0000",
    ),
  ),
  ofTcp(
    of10(15, "0004 0a0b0c0d0e0f 00000005 0000007f 00000fff 00000000"),
    of10(15, "ff00 0a0b0c0d0e0f 00000080 ffffffff 00001000 00000000"),
  ),
  ofTcp(
    of10(16, "0000 0000"),
    of10(16, "0003 0001"),
    of10(16, "0000 0000 00"),
    of10(16, `0001 0000 ${match("00000000")} ff 00 ffff`),
    of10(16, `0002 0000 ${match("003fffff")} 03 00 0002`),
    of10(16, "0004 0000 fffc 000000000000"),
    of10(16, "0005 0000 0002 0000 ffffffff"),
    of10(16, "0005 0000 0002"),
    of10(16, "ffff 0000 00002320 0102"),
    of10(16, "ffff 0000 0023"),
    of10(16, "0009 0000 01020304"),
  ),
  ofTcp(of10(
    17,
    `0000 0000 ${text("Maker", 256)} ${text("Hardware", 256)} ` +
      `${text("Software 1.0", 256)} ${text("SN1234", 32)} ${text("datapath", 256)}`,
  )),
  ofTcp(
    of10(17, "0000 0001 0102"),
    of10(
      17,
      `0001 0001 ${h16(96)} 00 00 ${match("00000000")} 00000035 3b023380 7918 003c 0078 ` +
        `000000000000 0000000000000002 0000000000000007 00000000000003e8 ${action(0, "0005 0000")}`,
    ),
    of10(
      17,
      `0001 0000 ${h16(200)} 00 00 ${match("00000000")} 00000035 3b023380 7918 003c 0078 ` +
        "000000000000 0000000000000002 0000000000000007 00000000000003e8",
    ),
    of10(17, "0002 0000 0000000000000064 000000000000c350 0000000a 00000000"),
    of10(17, "0002 0000 0000000000000064"),
    of10(
      17,
      `0003 0000 fe 000000 ${text("emerg", 32)} 00300001 00000400 00000002 ` +
        "0000000000000009 0000000000000003",
    ),
    of10(17, "0003 0002 00"),
  ),
  ofTcp(
    of10(
      17,
      `0004 0000 0001 000000000000 ${zeros(96).replace(/00$/, "07")} ` +
        `fffe 000000000000 ${zeros(96)}`,
    ),
    of10(17, "0005 0000 0002 0000 00000001 0000000000000400 0000000000000010 0000000000000001"),
    of10(17, "ffff 0000 005c16c7 0102"),
    of10(17, "0006 0000 0102"),
  ),
  ofTcp(
    of10(20, "0007 0000"),
    of10(20, "fff8 0000 00"),
    of10(
      21,
      "0007 000000000000 00000001 0028 0000 0000 0008 00000000 0001 0010 00000000 01f4 " +
        "000000000000 0001 0010 00000000 03e9 000000000000",
    ),
    of10(21, "0007 000000000000 00000002 0018 0000 0000 000c 00000000 0002 0008 00000000"),
    of10(21, "0007 000000000000 00000003 0010 0000 0001 0008 00000000"),
    of10(21, "0007 000000000000 00000004 0020 0000"),
  ),
  ofTcp(of10(11, "00"), of10(12, "00"), of10(18, "00"), of10(14, "00")),
  ofTcp(of10(10, "ffffffff 0040 0003 01 00")),
  ofTcp(of10(10, "00000100 0040 0003 00 00 " + icmpEcho)),
  ofTcp(of10(13, "ffffffff fffd 0008 " + action(0, "0003 0000") + " " + icmpEcho)),
];
same("OpenFlow 1.0 bodies", frames(...ofBodies), [["-v"], ["-vv"], ["-vvv"], ["-e", "-vvv"]]);
sameCut("OpenFlow 1.0 bodies truncated at every byte", allCuts(ofBodies[4], ofBodies[12]), [[
  "-v",
]]);
