import {
  ALU,
  type CbpfInsn,
  CLASS,
  insn,
  JMP,
  MISC,
  MODE,
  RVAL,
  SIZE,
  SRC,
} from "../../lib/filter/cbpf.ts";
import { concat } from "../../lib/formats/bytecopy.ts";
import { MAX_SNAPLEN } from "../../lib/formats/magic.ts";

// Filter expressions and packets shared by the translator's unit tests and the kernel
// differential test: every expression must get the same verdict from libpcap's interpreter,
// from the translated eBPF in the test model, and from the kernel.

/** The snapshot length the filters run with (tcpdump's default). */
export const SNAPLEN = MAX_SNAPLEN;
/** What a translated program returns: XDP's pass and tx, and tcx's next (-1) as a u32. */
export const XDP_PASS = 2;
export const XDP_TX = 3;
export const TC_NEXT = 0xffffffff;

/** tcpdump expressions, grouped by what they exercise. */
export const EXPRESSIONS: readonly string[] = [
  // protocols
  "ip",
  "ip6",
  "arp",
  "rarp",
  "tcp",
  "udp",
  "icmp",
  "icmp6",
  "igmp",
  "sctp",
  "ip proto 47",
  "ip6 proto 58",
  "stp",
  "ipx",
  "decnet",
  "iso",
  "atalk",
  "llc",
  "mpls",
  "pppoes",
  // hosts and nets
  "host 192.168.1.1",
  "src host 10.0.0.1",
  "dst host 10.0.0.2",
  "net 192.168.0.0/16",
  "src net 10.0.0.0/8",
  "dst net 172.16.0.0/12",
  "host fe80::1",
  "ip6 net fe80::/10",
  "src net 2001:db8::/32",
  "ip dst 224.0.0.251 and udp port 5353",
  // ports
  "port 53",
  "tcp port 80",
  "udp dst port 53",
  "src port 1024",
  "portrange 1-1023",
  "tcp portrange 8000-9000",
  "udp src portrange 1024-65535",
  "udp port 67 or udp port 68",
  "port domain",
  "tcp dst port 443 and tcp[tcpflags] == tcp-syn",
  // link layer
  "ether host ff:ff:ff:ff:ff:ff",
  "ether src 00:11:22:33:44:55",
  "ether dst 01:00:5e:00:00:fb",
  "ether broadcast",
  "ether multicast",
  "ether proto 0x0806",
  "ether[0] & 1 != 0",
  "ip multicast",
  "ip6 multicast",
  // VLAN
  "vlan",
  "vlan 100",
  "vlan and udp",
  "vlan and tcp port 80",
  "vlan 100 and vlan 200",
  "vlan and vlan",
  // ICMP
  "icmp[icmptype] == icmp-echo",
  "icmp[icmptype] == icmp-echoreply",
  "icmp[0] == 3",
  "icmp6 and ip6[40] == 135",
  "icmp6 and ip6[40] == 128",
  // IPv6 combinations
  "ip6 and tcp",
  "ip6 and udp port 546",
  "ip6 protochain 6",
  "ip protochain 17",
  // TCP flags
  "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0",
  "tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0",
  "tcp[13] == 0x12",
  "tcp[tcpflags] & tcp-rst != 0",
  "tcp[tcpflags] & tcp-push != 0",
  // byte tests and arithmetic
  "ip[2:2] > 100",
  "ip[8] < 64",
  "ip[6:2] & 0x1fff != 0",
  "ip[0] & 0xf > 5",
  "udp[4:2] > 100",
  "tcp[12] >> 4 > 5",
  "ip[1] * 2 + 1 > 10",
  "ip[2:2] / 4 > 100",
  "ip[2:2] % 7 == 3",
  "ip[2:2] - ip[0] > 30",
  "(ip[0] << 2) & 0xff == 0x14",
  "ip[6] >> 5 == 2",
  "ip[2:2] ^ 0xffff > 0",
  "ip[0] | 1 == 0x45",
  "ip[2:2] / ip[8] > 10",
  "tcp[0:2] % (tcp[2] & 1) == 0",
  "ip[0] << (ip[1] & 0x3f) != 0",
  "ip[2:2] >> (ip[8] & 0x3f) > 0",
  "tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420",
  "udp[8:4] == 0x12345678",
  "ip[ip[0] & 0xf] == 0",
  "ether[40000] == 1",
  "ether[70000] == 0",
  "arp and arp[6:2] == 1",
  "arp[7] == 2",
  "ip[8] == 64 or ip6[7] == 64",
  // length
  "greater 200",
  "less 100",
  "len >= 60 and len <= 128",
  "len == 60",
  "len - 14 > ip[2:2]",
  // negations and combinations
  "not tcp",
  "not ip and not arp",
  "!udp",
  "tcp or udp",
  "tcp and not port 22",
  "(tcp port 80 or tcp port 443) and host 10.0.0.1",
  "udp and not port 53 and not port 123",
  "ip and (tcp or icmp)",
  "not (ip or ip6 or arp)",
  "geneve",
];

// One program per cBPF opcode form; each loads packet bytes so the verdict depends on the frame.
export const A_FROM_PKT = [insn(CLASS.ld | SIZE.h | MODE.abs, 14)];
const X_FROM_PKT = [insn(CLASS.ldx | SIZE.b | MODE.msh, 14)];
export const RET_A = insn(CLASS.ret | RVAL.a);
export const RET_0 = insn(CLASS.ret | RVAL.k, 0);
export const RET_1 = insn(CLASS.ret | RVAL.k, 1);
const alu = (op: number, src: number, k = 0) => insn(CLASS.alu | op | src, k);
export const jmp = (op: number, src: number, k: number, jt: number, jf: number) =>
  insn(CLASS.jmp | op | src, k, jt, jf);

export const OPCODE_PROGRAMS: Record<string, CbpfInsn[]> = {
  "ld w abs": [insn(CLASS.ld | SIZE.w | MODE.abs, 12), RET_A],
  "ld h abs": [insn(CLASS.ld | SIZE.h | MODE.abs, 13), RET_A],
  "ld b abs": [insn(CLASS.ld | SIZE.b | MODE.abs, 15), RET_A],
  "ld w ind": [...X_FROM_PKT, insn(CLASS.ld | SIZE.w | MODE.ind, 10), RET_A],
  "ld h ind": [...X_FROM_PKT, insn(CLASS.ld | SIZE.h | MODE.ind, 14), RET_A],
  "ld b ind": [...X_FROM_PKT, insn(CLASS.ld | SIZE.b | MODE.ind, 16), RET_A],
  "ld b ind, k beyond a 16-bit offset": [
    ...X_FROM_PKT,
    insn(CLASS.ld | SIZE.b | MODE.ind, 40000),
    RET_1,
  ],
  "ldx msh": [...X_FROM_PKT, insn(CLASS.misc | MISC.txa), RET_A],
  "ld len": [insn(CLASS.ld | SIZE.w | MODE.len), jmp(JMP.jgt, SRC.k, 60, 0, 1), RET_1, RET_0],
  "ldx len": [
    insn(CLASS.ldx | SIZE.w | MODE.len),
    insn(CLASS.misc | MISC.txa),
    alu(ALU.sub, SRC.k, 70),
    RET_A,
  ],
  "ld imm": [insn(CLASS.ld | MODE.imm, 0xdeadbeef), RET_A],
  "ldx imm": [insn(CLASS.ldx | MODE.imm, 7), insn(CLASS.misc | MISC.txa), RET_A],
  "st, ld mem": [
    ...A_FROM_PKT,
    insn(CLASS.st, 3),
    insn(CLASS.ld | MODE.imm, 0),
    insn(CLASS.ld | MODE.mem, 3),
    RET_A,
  ],
  "stx, ldx mem": [
    ...X_FROM_PKT,
    insn(CLASS.stx, 15),
    insn(CLASS.ldx | MODE.imm, 0),
    insn(CLASS.ldx | MODE.mem, 15),
    insn(CLASS.misc | MISC.txa),
    RET_A,
  ],
  "tax, txa": [
    ...A_FROM_PKT,
    insn(CLASS.misc | MISC.tax),
    insn(CLASS.ld | MODE.imm, 0),
    insn(CLASS.misc | MISC.txa),
    RET_A,
  ],
  "ret k": [RET_1],
  "ret 0": [RET_0],
  "ja": [insn(CLASS.jmp | JMP.ja, 1), RET_0, ...A_FROM_PKT, RET_A],
  "neg": [...A_FROM_PKT, alu(ALU.neg, SRC.k), jmp(JMP.jgt, SRC.k, 0xffff0000, 0, 1), RET_1, RET_0],
};
for (const [name, op] of Object.entries(ALU)) {
  if (op === ALU.neg) continue;
  for (const [src, sname] of [[SRC.k, "k"], [SRC.x, "x"]] as const) {
    const k = op === ALU.lsh || op === ALU.rsh ? 3 : op === ALU.div || op === ALU.mod ? 7 : 0x1234;
    OPCODE_PROGRAMS[`${name} ${sname}`] = [
      ...X_FROM_PKT,
      insn(CLASS.ld | SIZE.w | MODE.abs, 26),
      alu(op, src, k),
      RET_A,
    ];
  }
}
// X as shift count or divisor straight from the packet: 0, and 32 or more, are in there.
/** X set by `setX`, A by `loadA`, then A = A op X, and `ret`. */
const withX = (setX: CbpfInsn[], loadA: CbpfInsn, op: number, ret = RET_A) => [
  ...setX,
  loadA,
  alu(op, SRC.x),
  ret,
];
/** X = the packet's byte at `at`. */
const xFromByte = (
  at: number,
) => [insn(CLASS.ld | SIZE.b | MODE.abs, at), insn(CLASS.misc | MISC.tax)];
const LD_W26 = insn(CLASS.ld | SIZE.w | MODE.abs, 26);
OPCODE_PROGRAMS["lsh x, any count"] = withX(xFromByte(20), LD_W26, ALU.lsh);
OPCODE_PROGRAMS["rsh x, any count"] = withX(
  xFromByte(21),
  insn(CLASS.ld | MODE.imm, 0xffffffff),
  ALU.rsh,
);
for (const [name, op] of [["div", ALU.div], ["mod", ALU.mod]] as const) {
  const nine = insn(CLASS.ld | MODE.imm, 9);
  OPCODE_PROGRAMS[`${name} x by 0 returns 0`] = withX(
    [insn(CLASS.ldx | MODE.imm, 0)],
    nine,
    op,
    RET_1,
  );
  OPCODE_PROGRAMS[`${name} x from the packet`] = withX(xFromByte(22), LD_W26, op);
}
OPCODE_PROGRAMS["lsh k 31"] = [...A_FROM_PKT, alu(ALU.lsh, SRC.k, 31), RET_A];
for (const [name, op] of Object.entries(JMP)) {
  if (op === JMP.ja) continue;
  for (const [src, sname] of [[SRC.k, "k"], [SRC.x, "x"]] as const) {
    for (const [jt, jf] of [[0, 1], [1, 0], [1, 2], [2, 2]]) {
      OPCODE_PROGRAMS[`${name} ${sname} jt ${jt} jf ${jf}`] = [
        ...(src === SRC.x ? [insn(CLASS.ldx | MODE.imm, 0x0800)] : []),
        insn(CLASS.ld | SIZE.h | MODE.abs, 12),
        jmp(op, src, 0x0800, jt, jf),
        RET_0,
        RET_1,
        insn(CLASS.ld | MODE.imm, 2),
        RET_A,
      ];
    }
  }
}

/** Every valid cBPF opcode (libpcap's list), to prove the table covers them all. */
export const VALID_OPCODES = [
  CLASS.ret | RVAL.k,
  CLASS.ret | RVAL.a,
  ...[SIZE.w, SIZE.h, SIZE.b].flatMap((s) => [CLASS.ld | s | MODE.abs, CLASS.ld | s | MODE.ind]),
  CLASS.ld | SIZE.w | MODE.len,
  CLASS.ldx | SIZE.w | MODE.len,
  CLASS.ldx | SIZE.b | MODE.msh,
  CLASS.ld | MODE.imm,
  CLASS.ldx | MODE.imm,
  CLASS.ld | MODE.mem,
  CLASS.ldx | MODE.mem,
  CLASS.st,
  CLASS.stx,
  CLASS.jmp | JMP.ja,
  ...[JMP.jeq, JMP.jgt, JMP.jge, JMP.jset].flatMap((j) => [CLASS.jmp | j, CLASS.jmp | j | SRC.x]),
  ...Object.values(ALU).flatMap((op) =>
    op === ALU.neg ? [CLASS.alu | op] : [CLASS.alu | op, CLASS.alu | op | SRC.x]
  ),
  CLASS.misc | MISC.tax,
  CLASS.misc | MISC.txa,
];

/** A random valid cBPF program: forward jumps only, any opcode, edge-case constants. */
export function randomProgram(rnd: () => number): CbpfInsn[] {
  const n = 3 + Math.floor(rnd() * 30);
  const ks = [0, 1, 2, 12, 13, 14, 20, 23, 31, 32, 33, 40, 0x7fff, 0xffff, 0x10000, 0xffffffff];
  const k = () => rnd() < 0.5 ? ks[Math.floor(rnd() * ks.length)] : Math.floor(rnd() * 2 ** 32);
  const off = () => Math.floor(rnd() * 70);
  // libpcap 1.10.3 leaves M[] uninitialised (a program that reads a word before writing it
  // sees stack garbage there), so every word is written first.
  const prog: CbpfInsn[] = [insn(CLASS.ld | MODE.imm, 0)];
  for (let m = 0; m < 16; m++) prog.push(insn(CLASS.st, m));
  prog.push(insn(CLASS.ld | MODE.imm, k()));
  for (let pc = 0; pc < n - 1; pc++) {
    const left = n - pc - 2; // instructions after this one, before the final ret
    const code = VALID_OPCODES[Math.floor(rnd() * VALID_OPCODES.length)];
    const cls = code & 7;
    const mode = cls === CLASS.ld || cls === CLASS.ldx ? code & 0xe0 : -1;
    let i: CbpfInsn;
    if (cls === CLASS.jmp) {
      const t = () => Math.floor(rnd() * Math.min(left + 1, 256));
      i = code === (CLASS.jmp | JMP.ja) ? insn(code, t()) : insn(code, k(), t(), t());
    } else if (cls === CLASS.st || cls === CLASS.stx || mode === MODE.mem) {
      i = insn(code, Math.floor(rnd() * 16));
    } else if (mode === MODE.abs || mode === MODE.ind || mode === MODE.msh) {
      i = insn(code, rnd() < 0.95 ? off() : k());
    } else if (cls === CLASS.alu && ((code & 0xf0) === ALU.div || (code & 0xf0) === ALU.mod)) {
      i = insn(code, (code & SRC.x) ? 0 : 1 + Math.floor(rnd() * 300));
    } else if (cls === CLASS.alu && ((code & 0xf0) === ALU.lsh || (code & 0xf0) === ALU.rsh)) {
      i = insn(code, (code & SRC.x) ? 0 : Math.floor(rnd() * 32));
    } else if (cls === CLASS.ret) {
      i = insn(code, rnd() < 0.5 ? 0 : k());
    } else {
      i = insn(code, k());
    }
    prog.push(i);
  }
  prog.push(rnd() < 0.5 ? RET_A : insn(CLASS.ret | RVAL.k, k()));
  return prog;
}

/** A deterministic PRNG (mulberry32), so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bytes = (...parts: (number[] | Uint8Array)[]) => concat(parts);

const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];

/** Synthetic frames that hit the expressions' interesting paths, plus random and cut ones. */
export function syntheticFrames(seed = 1): Uint8Array<ArrayBuffer>[] {
  const rnd = prng(seed);
  const rb = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const macs = [
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    [0x00, 0x11, 0x22, 0x33, 0x44, 0x55],
    [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb],
    [0x02, 0x00, 0x00, 0x00, 0x00, 0x01],
  ];
  const v4 = [[192, 168, 1, 1], [10, 0, 0, 1], [10, 0, 0, 2], [172, 16, 5, 4], [224, 0, 0, 251]];
  const v6 = [
    [0xfe, 0x80, ...new Array(13).fill(0), 1],
    [0x20, 0x01, 0x0d, 0xb8, ...rb(12)],
    [0xff, 0x02, ...new Array(13).fill(0), 0xfb],
  ];
  const ports = [22, 53, 67, 68, 80, 123, 443, 546, 1024, 5353, 8080, 8500, 65535];
  const l4 = (proto: number): number[] => {
    if (proto === 6) {
      const hl = pick([5, 6, 8]);
      return [
        ...u16(pick(ports)),
        ...u16(pick(ports)),
        ...rb(8),
        hl << 4,
        pick([0x02, 0x12, 0x10, 0x01, 0x04, 0x18, 0x11]),
        ...rb(6),
        ...rb((hl - 5) * 4),
        ...pick([[0x47, 0x45, 0x54, 0x20], rb(4)]),
        ...rb(Math.floor(rnd() * 40)),
      ];
    }
    if (proto === 17) {
      const payload = pick([[0x12, 0x34, 0x56, 0x78], rb(4)]);
      const extra = rb(Math.floor(rnd() * 200));
      return [
        ...u16(pick(ports)),
        ...u16(pick(ports)),
        ...u16(8 + 4 + extra.length),
        0,
        0,
        ...payload,
        ...extra,
      ];
    }
    if (proto === 1) return [pick([0, 3, 8, 11]), 0, 0, 0, ...rb(24)];
    if (proto === 58) return [pick([128, 129, 135, 136]), 0, 0, 0, ...rb(24)];
    return rb(Math.floor(rnd() * 30));
  };
  const ipv4 = (): number[] => {
    const proto = pick([6, 17, 1, 2, 47, 132, 50]);
    const ihl = pick([5, 5, 5, 6]);
    const payload = l4(proto);
    const total = ihl * 4 + payload.length;
    const frag = pick([0, 0, 0, 0x2000, 0x0010]);
    return [
      0x40 | ihl,
      pick([0, 0x10]),
      ...u16(total),
      ...rb(2),
      ...u16(frag),
      pick([1, 64, 128, 255, 0]),
      proto,
      0,
      0,
      ...pick(v4),
      ...pick(v4),
      ...rb((ihl - 5) * 4),
      ...payload,
    ];
  };
  const ipv6 = (): number[] => {
    let next = pick([6, 17, 58, 0, 44]);
    const ext: number[] = [];
    if (next === 0 || next === 44) {
      const after = pick([6, 17, 58]);
      ext.push(after, 0, ...rb(6));
    }
    const payloadProto = ext.length ? ext[0] : next;
    const payload = [...ext, ...l4(payloadProto)];
    if (!ext.length) next = payloadProto;
    return [
      0x60,
      0,
      0,
      0,
      ...u16(payload.length),
      next,
      pick([1, 64, 255]),
      ...pick(v6),
      ...pick(v6),
      ...payload,
    ];
  };
  const arp = (): number[] => [
    0,
    1,
    8,
    0,
    6,
    4,
    0,
    pick([1, 2]),
    ...rb(6),
    ...pick(v4),
    ...rb(6),
    ...pick(v4),
  ];
  const frames: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < 400; i++) {
    const kind = pick(["ip", "ip", "ip6", "ip6", "arp", "vlan", "qinq", "raw", "llc"]);
    let body: number[];
    let type: number;
    switch (kind) {
      case "ip":
        [type, body] = [0x0800, ipv4()];
        break;
      case "ip6":
        [type, body] = [0x86dd, ipv6()];
        break;
      case "arp":
        [type, body] = [0x0806, arp()];
        break;
      case "vlan": {
        const inner = pick([0x0800, 0x86dd]);
        [type, body] = [0x8100, [
          ...u16(pick([100, 200, 5])),
          ...u16(inner),
          ...(inner === 0x0800 ? ipv4() : ipv6()),
        ]];
        break;
      }
      case "qinq":
        [type, body] = [0x88a8, [...u16(100), 0x81, 0x00, ...u16(200), 0x08, 0x00, ...ipv4()]];
        break;
      case "llc": {
        const payload = [
          pick([0x42, 0xe0, 0xfe, 0xf0]),
          pick([0x42, 0xe0, 0xfe, 0xf0]),
          3,
          ...rb(40),
        ];
        [type, body] = [payload.length, payload];
        break;
      }
      default:
        [type, body] = [Math.floor(rnd() * 0x10000), rb(Math.floor(rnd() * 60))];
    }
    const frame = bytes(pick(macs), pick(macs), u16(type), body);
    frames.push(frame);
  }
  // Cut frames: every length of a few of them, so each bounds check is crossed.
  for (const f of frames.slice(0, 6)) {
    for (let len = 14; len < f.length; len++) frames.push(f.slice(0, len));
  }
  return frames.filter((f) => f.length >= 14);
}

function ipBytes(a: string): number[] {
  if (!a.includes(":")) return a.split(".").map(Number);
  const [head, tail = ""] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = a.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
}

/** An Ethernet frame with a TCP (or UDP) header between two endpoints. */
export function tcpFrame(
  src: string,
  sport: number,
  dst: string,
  dport: number,
  proto = 6,
): Uint8Array<ArrayBuffer> {
  const l4 = proto === 6
    ? [
      sport >> 8,
      sport & 255,
      dport >> 8,
      dport & 255,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0x50,
      0x18,
      1,
      0,
      0,
      0,
      0,
      0,
    ]
    : [sport >> 8, sport & 255, dport >> 8, dport & 255, 0, 8, 0, 0];
  const v6 = src.includes(":");
  const ip = v6 ? [0x60, 0, 0, 0, 0, l4.length, proto, 64, ...ipBytes(src), ...ipBytes(dst)] : [
    0x45,
    0,
    0,
    20 + l4.length,
    0,
    1,
    0x40,
    0,
    64,
    proto,
    0,
    0,
    ...ipBytes(src),
    ...ipBytes(dst),
  ];
  return new Uint8Array([
    2,
    0,
    0,
    0,
    0,
    1,
    2,
    0,
    0,
    0,
    0,
    2,
    ...(v6 ? [0x86, 0xdd] : [8, 0]),
    ...ip,
    ...l4,
  ]);
}
