/**
 * The routing control protocols over TCP and UDP (BGP, RPKI-RTR, LDP, RIP and RIPng, LISP)
 * against tcpdump 4.99 on crafted frames: each frame's text identical at default flags, -v and
 * -e, for whole packets and for every truncation of them. OpenFlow is decode_openflow_test.ts's;
 * the routing and redundancy printers are decode_routing_test.ts's.
 */
import { tcpdumpSuite } from "./tcpdump_frames.ts";
import { allCuts, frames, h16, h32, hexBytes, tcp, udp } from "./ip_frames.ts";

const { same, sameCut } = tcpdumpSuite(
  "routing control printers vs tcpdump",
  "decode_control_test",
);

// ---------------------------------------------------------------------------------------------
// TCP-borne routing protocols: BGP, RPKI-RTR (their first line)

const bgpAll = [
  tcp(179, 40000, "ffffffffffffffffffffffffffffffff 0013 04"),
  tcp(40000, 179, "0102030405"),
  tcp(323, 40000, "01 02 0000 00000008"),
];
same("BGP and RPKI-RTR message headers", frames(...bgpAll), [[], ["-e"]]);

// ---------------------------------------------------------------------------------------------
// LDP

const lTlv = (type: number, body: string) => `${h16(type)} ${h16(hexBytes(body))} ${body}`;
const lMsg = (type: number, body: string) =>
  `${h16(type)} ${h16(4 + hexBytes(body))} 00000007 ${body}`;
const lPdu = (msgs: string, version = "0001") =>
  `${version} ${h16(6 + hexBytes(msgs))} c0a80002 0000 ${msgs}`;
const ldpAll = [
  udp(
    646,
    646,
    lPdu(
      lMsg(
        0x100,
        lTlv(0x400, "000f 8000") + lTlv(0x403, "20010db8000000000000000000000001") +
          lTlv(0x402, "00000003"),
      ),
    ),
    false,
    { dst: "224.0.0.2" },
  ),
  tcp(
    646,
    40000,
    lPdu(
      lMsg(
        0x200,
        lTlv(0x500, "0001 001e 0000 c000 c0a80001 0000") +
          lTlv(0x503, "800f 0000 00000064 00000000") + lTlv(0x601, "05dc"),
      ),
    ),
  ),
  tcp(
    646,
    40000,
    lPdu(
      lMsg(
        0x400,
        lTlv(0x100, "80 0005 0e 00000001 00000064 0104 05dc 030a 6c696e6b2d6f6e65 0c04 0307") +
          lTlv(0x200, "00000010"),
      ) +
        lMsg(
          0x400,
          lTlv(0x100, "80 8004 00 00000002") + lTlv(0x100, "02 0002 40 20010db800000000") +
            lTlv(0x100, "02 0001 21 0a000001") + lTlv(0x100, "02 0005 08 0a"),
        ) +
        lMsg(
          0x402,
          lTlv(0x100, "01") + lTlv(0x100, "03") + lTlv(0x100, "80 0005 03 00000001 00000064") +
            lTlv(0x100, "02 00") + lTlv(0x100, "80 00"),
        ),
    ),
  ),
  tcp(
    646,
    40000,
    lPdu(
      lMsg(
        0x301,
        lTlv(0x101, "0001 0a000001 0a000002") + lTlv(0x101, "0009 0102") + lTlv(0x101, "00"),
      ) + lMsg(0x401, "01020304") + lMsg(0x3f01, "0102"),
    ),
  ),
  tcp(
    646,
    40000,
    lPdu(
      lMsg(0x001, lTlv(0x300, "c000000a 00000005") + lTlv(0xc301, "0102") + "0300 0010 00000000"),
    ),
  ),
  tcp(646, 40000, lPdu(lMsg(0x001, "") + "0001 0002")),
  tcp(646, 40000, lPdu(lMsg(0x100, lTlv(0x400, "000f")), "0002")),
  tcp(646, 40000, "0001 0003 c0a80002 0000 0000 0000 00000000"),
  tcp(646, 40000, lPdu(lMsg(0x201, "")) + "0001 0010 c0a80002 0000" + lMsg(0x201, "")),
];
same("LDP messages and TLVs", frames(...ldpAll), [[], ["-v"]]);
// (-vv over UDP adds IPv4's UDP checksum verdict, another printer's business.)
same("LDP messages and TLVs at -vv", frames(...ldpAll.slice(1)), [["-vv"]]);
sameCut("LDP truncated at every byte", allCuts(ldpAll[2]), [["-v"]]);

// ---------------------------------------------------------------------------------------------
// RIP and RIPng

const ripTo = { dst: "224.0.0.9", ttl: 1 };
const ripAll = [
  udp(
    520,
    520,
    "01 01 0000 0002 0000 0a010000 00000000 00000000 00000001 0000 0000 0a020000 00000000 00000000 00000010",
    false,
    ripTo,
  ),
  udp(
    520,
    520,
    "02 01 0000 0006 0000 0a010000 00000000 00000000 00000001 0002 0001 0a020000 00000000 00000000 00000002",
    false,
    ripTo,
  ),
  udp(
    520,
    520,
    "02 02 0000 ffff 0002 70617373776f7264000000000000000000 0002 0007 0a010000 ffffff00 0a000001 00000001" +
      " 0000 0000 0a020000 ffff00ff 00000000 00000002 0006 0000 00000000 00000000 00000000 00000000",
    false,
    ripTo,
  ),
  udp(
    520,
    520,
    "02 02 0000 ffff 0003 0030 01 10 00000005 00000000 00000000 0002 0000 0a010000 ffffff00 00000000 00000001" +
      " ffff 0001 00112233445566778899aabbccddeeff",
    false,
    ripTo,
  ),
  udp(520, 520, "02 02 0000 ffff 0009 0102 0002 0000 0a010000", false, ripTo),
  udp(520, 520, "01 03 0000 2f746d702f74726163650000", false, ripTo),
  udp(520, 520, "01 05 0000", false, ripTo),
  udp(520, 520, "01 09 0000 01020304", false, ripTo),
  udp(520, 520, "03 01 0000 0002 0000 0a010000", false, ripTo),
  udp(520, 520, "00 01 0000 0002 0000 0a010000", false, ripTo),
  udp(520, 520, "01 01 0000 0002 0000 0a010000 00000000 00000000 00000001 0002", false, ripTo),
];
const ripngTo = { dst: "ff02::9", hlim: 255 };
const ripngAll = [
  udp(521, 521, "01 01 0000 00000000000000000000000000000000 0000 00 10", true, ripngTo),
  udp(
    521,
    521,
    "01 01 0000 20010db8000000000000000000000000 0000 40 01 20010db8000100000000000000000000 0007 40 01",
    true,
    ripngTo,
  ),
  udp(
    521,
    521,
    "02 01 0000 20010db8000000000000000000000000 0007 40 03 20010db8000100000000000000000000 0000 30 00 0102",
    true,
    ripngTo,
  ),
  udp(521, 521, "02 02 0000", true, ripngTo),
  udp(521, 521, "07 01 0000", true, ripngTo),
];
same("RIP v1 and v2, authentication, other commands", frames(...ripAll), [[], ["-v"]]);
same("RIPng requests and responses", frames(...ripngAll), [[], ["-v"], ["-vv"]]);
sameCut("RIP and RIPng truncated at every byte", allCuts(ripAll[2], ripAll[3], ripngAll[2]), [[
  "-v",
]]);

// ---------------------------------------------------------------------------------------------
// LISP

const lispRec4 =
  "00000005 02 18 50 00 0003 0001 0a010000 01 02 03 04 0005 0001 c0a80001 01 01 00 00 0006 0002 20010db8000000000000000000000001";
const lispRec6 = "0000000a 00 30 f0 00 0001 0002 20010db8000100000000000000000000";
const lispAll = [
  udp(
    4342,
    4342,
    `3a 00 01 02 0102030405060708 0001 0014 00112233445566778899aabbccddeeff00112233 ${lispRec4} ${lispRec6} 000102030405060708090a0b0c0d0e0f 0000000000000007`,
  ),
  udp(4342, 4342, `48 00 00 01 0102030405060708 0002 0000 ${lispRec4} 0000`),
  udp(4342, 4342, "10 00 00 01 0102030405060708 0000 0000"),
  udp(4342, 4342, "30 00 00 00 0102030405060708 0000 0000"),
  udp(4342, 4342, `30 00 00 01 0102030405060708 0000 0000 00000005 00 18 00 00 0000 4003 0a010000`),
  udp(4342, 4342, `32 00 00 01 0102030405060708 0000 0000 ${lispRec6} 0001`),
  udp(4342, 4342, "f0 00 00 01 0102030405060708 0000 0000"),
];
same("LISP map-register, map-notify and others", frames(...lispAll));
sameCut("LISP truncated at every byte", allCuts(lispAll[0]), [[], ["-v"]]);

// ---------------------------------------------------------------------------------------------
// BGP at -v: every message type, and the path attributes and NLRI tcpdump decodes

const bgpMsg = (type: number, body: string) =>
  `${"ff".repeat(16)} ${h16(19 + hexBytes(body))} 0${type} ${body}`;
/** A path attribute: flags, type, value (hex); the extended-length flag picks the length size. */
const attr = (flags: number, type: number, value: string) =>
  `${flags.toString(16).padStart(2, "0")} ${type.toString(16).padStart(2, "0")} ${
    flags & 0x10 ? h16(hexBytes(value)) : hexBytes(value).toString(16).padStart(2, "0")
  } ${value}`;
const updateMsg = (withdrawn: string, attrs: string, nlri = "") =>
  bgpMsg(2, `${h16(hexBytes(withdrawn))} ${withdrawn} ${h16(hexBytes(attrs))} ${attrs} ${nlri}`);
const cap = (code: number, value: string) =>
  `${code.toString(16).padStart(2, "0")} ${hexBytes(value).toString(16).padStart(2, "0")} ${value}`;
const caps = (...cs: string[]) => {
  const body = cs.join(" ");
  return `02 ${hexBytes(body).toString(16).padStart(2, "0")} ${body}`;
};
const openMsg = (opts: string) =>
  bgpMsg(1, `04 fde8 00b4 0a000001 ${hexBytes(opts).toString(16).padStart(2, "0")} ${opts}`);
const bgpSeg = (...msgs: string[]) => tcp(179, 40000, msgs.join(" "));
const bgpVerbose = [
  bgpSeg(
    openMsg(
      caps(
        cap(1, "0001 00 01"),
        cap(2, ""),
        cap(128, ""),
        cap(64, "8078 0001 01 80 0002 01 00"),
        cap(65, "00010001"),
      ) +
        " " +
        caps(
          cap(69, "0001 01 01 0002 01 03 0001 04 07"),
          cap(8, "0001 04 02"),
          cap(70, ""),
          cap(71, ""),
          cap(99, "0102"),
        ) +
        " 01 02 0102 " + caps(cap(69, "")) + " " + caps(cap(1, "00")) + " 02 09 00",
    ),
    bgpMsg(4, ""),
  ),
  bgpSeg(
    updateMsg(
      "18 0a0102 20 0a010203",
      attr(0x40, 1, "00") + attr(0x40, 2, "02 02 fde8 fde9 01 01 0064") +
        attr(0x40, 3, "0a000001") +
        attr(0x80, 4, "00000064") + attr(0x40, 5, "000000c8") + attr(0x40, 6, "") +
        attr(0xc0, 7, "fde8 0a000002") +
        attr(0xc0, 8, "fde80001 ffffff01 ffffff02 ffffff03") + attr(0x80, 9, "0a000003") +
        attr(0x80, 10, "0a000004 0a000005") +
        attr(0xc0, 32, "0000fde8 00000001 00000002"),
      "18 0a0300 10 0a04",
    ),
    updateMsg(
      "",
      attr(0x40, 2, "02 01 00010001 01 02 00000064 00000065") +
        attr(0xc0, 17, "03 01 00010001 04 01 00000002") + attr(0xc0, 18, "00010001 0a000002"),
    ),
    updateMsg("", ""),
  ),
  bgpSeg(
    updateMsg(
      "",
      attr(
        0x90,
        14,
        "0002 01 20 20010db8000000000000000000000001 fe800000000000000000000000000001 00 40 20010db800010000 80 20010db8000200000000000000000000",
      ) +
        attr(0x90, 15, "0001 01 18 0a0700 18 0a0800") +
        attr(
          0xc0,
          16,
          "0002fde800000064 01020a000001000a 02020001000a0064 4004fde84cbebc20 03060000000a0501 800a0500010005dc 0009fde800000000 030c00000000000a 0107 0a000005 0000 7777000000000001",
        ),
    ),
    updateMsg("", attr(0x90, 15, "0001 01")),
    updateMsg(
      "",
      attr(0x90, 14, "0001 04 04 0a000001 00 38 000641 0a0100 38 000031 0a0200") +
        attr(0x90, 14, "0002 04 10 20010db8000000000000000000000001 00 58 000651 20010db8000000"),
    ),
    updateMsg(
      "",
      attr(
        0x90,
        14,
        "0001 80 0c 0000000000000000 0a000001 00 70 000641 0000fde800000064 0a0100 70 000651 00010a00000100c8 0a0200",
      ),
    ),
    updateMsg(
      "",
      attr(
        0x90,
        14,
        "0002 80 18 0002000100000064 20010db8000000000000000000000001 00 98 000641 0000fde800000064 20010db800010000",
      ),
    ),
    updateMsg(
      "",
      attr(
        0x90,
        14,
        "0001 84 04 0a000001 00 00 60 0000fde8 0002fde800000064 48 0000fde8 000203 20 0000fde8 10 00",
      ),
    ),
    updateMsg(
      "",
      attr(
        0x90,
        14,
        "0001 05 04 0a000001 00 01 0c 0000fde800000064 0a000001 02 0c 0000fde800000064 0000fde9 05 12 0000fde800000064 20 0a000001 20 e1020304 04 00 03 16 0000fde800000064 20 0a000001 20 e1020304 0a000002",
      ),
    ),
    updateMsg(
      "",
      attr(0x90, 14, "0001 42 04 0a000001 00 80 0000fde800000064 0a000001 e1020304 40 00"),
    ),
    updateMsg(
      "",
      attr(
        0x90,
        14,
        "0019 41 04 0a000001 00 000c 0000fde800000064 0a000001 0013 0000fde800000064 0001 0002 000011 01 0008 ff",
      ),
    ),
    updateMsg(
      "",
      attr(0x90, 14, "0003 01 08 470006010a000001 00 40 0000000049000001") +
        attr(0x90, 14, "0005 01 04 0a000001 00"),
    ),
    updateMsg(
      "",
      attr(0xc0, 22, "01 03 000640 0a000001 00000007") + attr(0xc0, 22, "00 06 000100 0a000002") +
        attr(0xc0, 22, "00 09 000100 0a000002") +
        attr(0x80, 26, "01 000b 0000000000000064 02 0005 0102") + attr(0xc0, 99, "0102") +
        attr(0x40, 1, "07") + attr(0x40, 1, "0001") + attr(0x40, 2, "020100"),
    ),
    updateMsg(
      "",
      attr(0xc0, 128, "0000fde8 40 01 01 00 40 02 06 02 02 fde8 fde9 c0 80 04 00000001"),
    ),
    updateMsg("01", "", ""),
    updateMsg("", attr(0x40, 1, "00"), "21 0a000001 05"),
    updateMsg(
      "",
      attr(0x40, 2, "05 01 0064") + attr(0x40, 3, "0a00") + attr(0xc0, 8, "0001") +
        attr(0x80, 10, "01") + attr(0xc0, 32, "0102") + attr(0xc0, 16, "01"),
    ),
  ),
  bgpSeg(
    bgpMsg(
      3,
      "06 02 23 546869732069732061207465737420666f72207468652073687574646f776e20636f6d6d756e69636174696f6e2e 0102",
    ),
    bgpMsg(3, "06 04 00 010203"),
    bgpMsg(3, "06 01 0001 01 00001000"),
    bgpMsg(3, "06 02 ff"),
    bgpMsg(3, "01 02"),
    bgpMsg(3, "02 06"),
    bgpMsg(3, "03 0b"),
    bgpMsg(3, "05 02"),
    bgpMsg(3, "07 04"),
    bgpMsg(3, "04 00"),
    bgpMsg(3, "09 09"),
  ),
  bgpSeg(bgpMsg(5, "0001 00 01"), bgpMsg(5, "0002 00 80"), bgpMsg(7, "0102")),
  bgpSeg("0102 ffff", bgpMsg(4, ""), "ffffffffffffffffffffffffffffffff 0010 04"),
  bgpSeg(bgpMsg(4, ""), "ffffffffffffffffffffffffffffffff 0040 02 0000"),
];
same("BGP messages, attributes and NLRI", frames(...bgpVerbose), [["-v"], ["-vv"]]);
sameCut("BGP truncated at every byte", allCuts(bgpVerbose[0], bgpVerbose[1]), [["-v"]]);

// ---------------------------------------------------------------------------------------------
// RPKI-RTR at -v

const rpkiPdu = (type: number, sess: string, body: string) =>
  `00 ${type.toString(16).padStart(2, "0")} ${sess} ${h32(8 + hexBytes(body))} ${body}`;
const rpkiAll = [
  tcp(
    323,
    40000,
    rpkiPdu(0, "0007", "00000009") + rpkiPdu(1, "0007", "0000000a") + rpkiPdu(2, "0000", "") +
      rpkiPdu(3, "0007", ""),
  ),
  tcp(
    323,
    40000,
    rpkiPdu(4, "0000", "01 18 18 00 0a010000 0000fde8") +
      rpkiPdu(6, "0000", "00 30 40 00 20010db8000000000000000000000000 0000fde9") +
      rpkiPdu(7, "0007", "0000000b") + rpkiPdu(8, "0000", ""),
  ),
  tcp(
    323,
    40000,
    rpkiPdu(10, "0002", `0000000c ${rpkiPdu(1, "0007", "0000000a")} 00000005 6f6f707321`) +
      rpkiPdu(10, "0009", "00000000 00000000"),
  ),
  tcp(
    323,
    40000,
    rpkiPdu(10, "0005", `00000014 ${rpkiPdu(10, "0003", "00000000 00000000")} 00000000`),
  ),
  tcp(323, 40000, rpkiPdu(9, "0000", "0102") + rpkiPdu(0, "0007", "0000")),
  tcp(323, 40000, rpkiPdu(4, "0000", "01 18 18 00 0a010000")),
  tcp(323, 40000, "01 00 0000 00000008"),
  tcp(323, 40000, "00 00 0000 0000"),
  tcp(323, 40000, "00 00 0000 00000040 00000000"),
  tcp(323, 40000, rpkiPdu(10, "0002", "000000ff 0000")),
];
same("RPKI-RTR PDUs", frames(...rpkiAll), [[], ["-v"], ["-vv"]]);
sameCut("RPKI-RTR truncated at every byte", allCuts(rpkiAll[2]), [["-v"]]);
