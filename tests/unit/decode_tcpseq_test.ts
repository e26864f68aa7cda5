/**
 * TCP relative sequence numbers (tcpdump's default; -S absolute): a handshake, a connection seen
 * mid-stream, wrap-around, two connections with the same ports one after the other, equal ports,
 * SACK blocks, IPv6, and the bounded connection table. Each sequence has the lines written out,
 * and where tcpdump 4.99 is installed, the same frames are read by `tcpdump -n -r` and must give
 * the same lines.
 */
import assert from "node:assert/strict";
import { Decoder } from "../../lib/decode/decode.ts";
import { TcpSeqTable } from "../../lib/decode/tcpseq.ts";
import { writeFrames } from "./helpers.ts";
import { afterTimestamp, haveTcpdump499, tcpdumpRecords } from "./tcpdump_run.ts";

const TCPDUMP = haveTcpdump499();
if (!TCPDUMP) console.log("decode_tcpseq_test: tcpdump 4.99 not found; comparisons skipped");

const SYN = 0x02;
const FIN = 0x01;
const PSH = 0x08;
const ACK = 0x10;

interface Seg {
  from: "c" | "s";
  flags: number;
  seq: number;
  ack?: number;
  data?: number;
  /** SACK blocks (left, right edges) in an option. */
  sack?: [number, number][];
}

interface Conn {
  v6?: boolean;
  /** Client and server address, last byte (10.0.0.x or 2001:db8::x). */
  c?: number;
  s?: number;
  cport?: number;
  sport?: number;
}

function be16(v: number): number[] {
  return [(v >> 8) & 255, v & 255];
}

function be32(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

/** An Ethernet frame of one segment of a connection. */
function frame(conn: Conn, seg: Seg): Uint8Array {
  const c = conn.c ?? 1;
  const s = conn.s ?? 2;
  const [src, dst] = seg.from === "c" ? [c, s] : [s, c];
  const cport = conn.cport ?? 50000;
  const sport = conn.sport ?? 5001;
  const [p1, p2] = seg.from === "c" ? [cport, sport] : [sport, cport];
  const opts: number[] = [];
  if (seg.sack) {
    opts.push(1, 1, 5, 2 + 8 * seg.sack.length);
    for (const [l, r] of seg.sack) opts.push(...be32(l), ...be32(r));
  }
  const payload = new Array(seg.data ?? 0).fill(0x61);
  const tcp = [
    ...be16(p1),
    ...be16(p2),
    ...be32(seg.seq),
    ...be32(seg.ack ?? 0),
    (5 + opts.length / 4) << 4,
    seg.flags,
    ...be16(502),
    0,
    0,
    0,
    0,
    ...opts,
    ...payload,
  ];
  const macs = [2, 0, 0, 0, 0, dst, 2, 0, 0, 0, 0, src];
  if (conn.v6) {
    const addr = (x: number) => [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), x];
    const ip = [0x60, 0, 0, 0, ...be16(tcp.length), 6, 64, ...addr(src), ...addr(dst)];
    return new Uint8Array([...macs, 0x86, 0xdd, ...ip, ...tcp]);
  }
  const ip = [0x45, 0, ...be16(20 + tcp.length), 0, 1, 0x40, 0, 64, 6, 0, 0];
  ip.push(10, 0, 0, src, 10, 0, 0, dst);
  return new Uint8Array([...macs, 0x08, 0x00, ...ip, ...tcp]);
}

/** The text after the addresses of our lines for these segments. */
function decodeAll(conn: Conn, segs: Seg[], decoder = new Decoder()): string[] {
  return segs.map((seg) => {
    const f = frame(conn, seg);
    return decoder.describe(f, f.length).replace(/^IP6? [^ ]+ > [^ ]+: /, "");
  });
}

/** tcpdump's lines for the same frames (without -S unless `absolute`), same cut. */
function tcpdumpAll(conn: Conn, segs: Seg[], absolute: boolean): string[] {
  const dir = Deno.makeTempDirSync({ prefix: "xskdump-tcpseq-" });
  try {
    const path = `${dir}/seq.pcap`;
    const frames = segs.map((seg) => frame(conn, seg)).map((f) => ({ data: f, origLen: f.length }));
    // Segment i at 1700000000 + i seconds.
    writeFrames(path, frames, 1700000000, 1e9);
    return tcpdumpRecords(path, absolute ? ["-S"] : []).map((r) =>
      afterTimestamp(r).replace(/^IP6? [^ ]+ > [^ ]+: /, "")
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Checks our lines against the expected ones, and tcpdump's against ours. */
function check(conn: Conn, segs: Seg[], want: string[], absolute = false): void {
  assert.deepEqual(decodeAll(conn, segs, new Decoder({ absoluteSeq: absolute })), want);
  if (TCPDUMP) assert.deepEqual(tcpdumpAll(conn, segs, absolute), want);
}

const HANDSHAKE: Seg[] = [
  { from: "c", flags: SYN, seq: 1000 },
  { from: "s", flags: SYN | ACK, seq: 5000, ack: 1001 },
  { from: "c", flags: ACK, seq: 1001, ack: 5001 },
  { from: "c", flags: PSH | ACK, seq: 1001, ack: 5001, data: 10 },
  { from: "s", flags: PSH | ACK, seq: 5001, ack: 1011, data: 20 },
  { from: "c", flags: FIN | ACK, seq: 1011, ack: 5021 },
  { from: "s", flags: FIN | ACK, seq: 5021, ack: 1012 },
  { from: "c", flags: ACK, seq: 1012, ack: 5022 },
];

/** HANDSHAKE as tcpdump prints it: the first segment with ACK sets the base and prints absolute numbers. */
const HANDSHAKE_LINES = [
  "Flags [S], seq 1000, win 502, length 0",
  "Flags [S.], seq 5000, ack 1001, win 502, length 0",
  "Flags [.], ack 1, win 502, length 0",
  "Flags [P.], seq 1:11, ack 1, win 502, length 10",
  "Flags [P.], seq 1:21, ack 11, win 502, length 20",
  "Flags [F.], seq 11, ack 21, win 502, length 0",
  "Flags [F.], seq 21, ack 12, win 502, length 0",
  "Flags [.], ack 22, win 502, length 0",
];

Deno.test("tcp relative numbers: a handshake counts from each side's first number", () => {
  check({}, HANDSHAKE, HANDSHAKE_LINES);
});

Deno.test("tcp -S (absoluteSeq): numbers as on the wire", () => {
  check({}, HANDSHAKE, [
    "Flags [S], seq 1000, win 502, length 0",
    "Flags [S.], seq 5000, ack 1001, win 502, length 0",
    "Flags [.], ack 5001, win 502, length 0",
    "Flags [P.], seq 1001:1011, ack 5001, win 502, length 10",
    "Flags [P.], seq 5001:5021, ack 1011, win 502, length 20",
    "Flags [F.], seq 1011, ack 5021, win 502, length 0",
    "Flags [F.], seq 5021, ack 1012, win 502, length 0",
    "Flags [.], ack 5022, win 502, length 0",
  ], true);
});

Deno.test("tcp relative numbers: a connection seen mid-stream counts from its first segment", () => {
  check({}, [
    { from: "c", flags: PSH | ACK, seq: 7000, ack: 9000, data: 5 },
    { from: "s", flags: ACK, seq: 9000, ack: 7005 },
    { from: "c", flags: PSH | ACK, seq: 7005, ack: 9000, data: 5 },
    { from: "s", flags: PSH | ACK, seq: 9000, ack: 7010, data: 3 },
  ], [
    "Flags [P.], seq 7000:7005, ack 9000, win 502, length 5",
    "Flags [.], ack 5, win 502, length 0",
    "Flags [P.], seq 5:10, ack 1, win 502, length 5",
    // The base of the server's side is one before the first ack seen (9000 - 1).
    "Flags [P.], seq 1:4, ack 10, win 502, length 3",
  ]);
});

Deno.test("tcp relative numbers: sequence numbers wrapping past 2^32", () => {
  const isn = 0xfffffff0;
  const after = (n: number) => (isn + 1 + n) >>> 0;
  check({}, [
    { from: "c", flags: SYN, seq: isn },
    { from: "s", flags: SYN | ACK, seq: 0xffffffff, ack: after(0) },
    { from: "c", flags: ACK, seq: after(0), ack: 0 },
    { from: "c", flags: PSH | ACK, seq: after(0), ack: 0, data: 32 },
    { from: "s", flags: PSH | ACK, seq: 0, ack: after(32), data: 8 },
    { from: "c", flags: PSH | ACK, seq: after(32), ack: 8, data: 32 },
  ], [
    "Flags [S], seq 4294967280, win 502, length 0",
    "Flags [S.], seq 4294967295, ack 4294967281, win 502, length 0",
    "Flags [.], ack 1, win 502, length 0",
    "Flags [P.], seq 1:33, ack 1, win 502, length 32",
    "Flags [P.], seq 1:9, ack 33, win 502, length 8",
    "Flags [P.], seq 33:65, ack 9, win 502, length 32",
  ]);
});

Deno.test("tcp relative numbers: a new connection on the same ports starts over at its SYN", () => {
  const second: Seg[] = [
    { from: "c", flags: SYN, seq: 300000 },
    { from: "s", flags: SYN | ACK, seq: 800000, ack: 300001 },
    { from: "c", flags: ACK, seq: 300001, ack: 800001 },
    { from: "c", flags: PSH | ACK, seq: 300001, ack: 800001, data: 7 },
    { from: "s", flags: ACK, seq: 800001, ack: 300008 },
  ];
  const lines = [
    ...HANDSHAKE_LINES,
    "Flags [S], seq 300000, win 502, length 0",
    "Flags [S.], seq 800000, ack 300001, win 502, length 0",
    "Flags [.], ack 1, win 502, length 0",
    "Flags [P.], seq 1:8, ack 1, win 502, length 7",
    "Flags [.], ack 8, win 502, length 0",
  ];
  check({}, [...HANDSHAKE, ...second], lines);
});

Deno.test("tcp relative numbers: equal ports, the direction collated by address", () => {
  // Peers both on one port (as BGP speakers on 179): the lower address is the key's first side.
  check({ c: 9, s: 3, cport: 7777, sport: 7777 }, [
    { from: "c", flags: PSH | ACK, seq: 100, ack: 200, data: 19 },
    { from: "s", flags: PSH | ACK, seq: 200, ack: 119, data: 19 },
    { from: "c", flags: ACK, seq: 119, ack: 219 },
  ], [
    "Flags [P.], seq 100:119, ack 200, win 502, length 19",
    "Flags [P.], seq 1:20, ack 19, win 502, length 19",
    "Flags [.], ack 20, win 502, length 0",
  ]);
});

Deno.test("tcp relative numbers: SACK blocks count from the acknowledged side's base", () => {
  check({}, [
    { from: "c", flags: SYN, seq: 1000 },
    { from: "s", flags: SYN | ACK, seq: 5000, ack: 1001 },
    { from: "s", flags: PSH | ACK, seq: 5001, ack: 1001, data: 100 },
    { from: "c", flags: ACK, seq: 1001, ack: 5001, sack: [[5101, 5201], [5301, 5401]] },
    { from: "s", flags: ACK, seq: 5001, ack: 1001, sack: [[1101, 1201]] },
  ], [
    "Flags [S], seq 1000, win 502, length 0",
    "Flags [S.], seq 5000, ack 1001, win 502, length 0",
    "Flags [P.], seq 1:101, ack 1, win 502, length 100",
    "Flags [.], ack 1, win 502, options [nop,nop,sack 2 {101:201}{301:401}], length 0",
    "Flags [.], ack 1, win 502, options [nop,nop,sack 1 {101:201}], length 0",
  ]);
});

Deno.test("tcp relative numbers: IPv6", () => {
  check({ v6: true }, HANDSHAKE.slice(0, 5), [
    "Flags [S], seq 1000, win 502, length 0",
    "Flags [S.], seq 5000, ack 1001, win 502, length 0",
    "Flags [.], ack 1, win 502, length 0",
    "Flags [P.], seq 1:11, ack 1, win 502, length 10",
    "Flags [P.], seq 1:21, ack 11, win 502, length 20",
  ]);
});

Deno.test("tcp relative numbers: IPv4 and IPv6 connections with the same ports are apart", () => {
  const d = new Decoder();
  const mid: Seg[] = [
    { from: "c", flags: PSH | ACK, seq: 7000, ack: 9000, data: 5 },
    { from: "c", flags: PSH | ACK, seq: 7005, ack: 9000, data: 5 },
  ];
  // Same ports, same last address byte: the address family keeps the keys apart.
  assert.deepEqual(decodeAll({}, mid.slice(0, 1), d), [
    "Flags [P.], seq 7000:7005, ack 9000, win 502, length 5",
  ]);
  assert.deepEqual(decodeAll({ v6: true }, mid.slice(0, 1), d), [
    "Flags [P.], seq 7000:7005, ack 9000, win 502, length 5",
  ]);
  assert.deepEqual(decodeAll({}, mid.slice(1), d), [
    "Flags [P.], seq 5:10, ack 1, win 502, length 5",
  ]);
});

Deno.test("tcp relative numbers: the table holds at most its capacity, least recent out", () => {
  const d = new Decoder({ connections: 2 });
  const seg = (seq: number): Seg => ({ from: "c", flags: PSH | ACK, seq, ack: 9000, data: 5 });
  const a = { cport: 40001 };
  const b = { cport: 40002 };
  const c = { cport: 40003 };
  assert.deepEqual(decodeAll(a, [seg(100)], d), [
    "Flags [P.], seq 100:105, ack 9000, win 502, length 5",
  ]);
  assert.deepEqual(decodeAll(b, [seg(200)], d), [
    "Flags [P.], seq 200:205, ack 9000, win 502, length 5",
  ]);
  // a is used again, so b is the least recent when c comes.
  assert.deepEqual(decodeAll(a, [seg(105)], d), ["Flags [P.], seq 5:10, ack 1, win 502, length 5"]);
  assert.deepEqual(decodeAll(c, [seg(300)], d), [
    "Flags [P.], seq 300:305, ack 9000, win 502, length 5",
  ]);
  assert.deepEqual(decodeAll(a, [seg(110)], d), [
    "Flags [P.], seq 10:15, ack 1, win 502, length 5",
  ]);
  // b was forgotten: it starts over, absolute once.
  assert.deepEqual(decodeAll(b, [seg(205)], d), [
    "Flags [P.], seq 205:210, ack 9000, win 502, length 5",
  ]);
  assert.deepEqual(decodeAll(b, [seg(210)], d), ["Flags [P.], seq 5:10, ack 1, win 502, length 5"]);
});

Deno.test("TcpSeqTable: bounded whatever the traffic, and finds what it holds", () => {
  const t = new TcpSeqTable(64);
  const addrs = new Uint8Array(8);
  const key = (i: number) => {
    addrs.set([10, 0, (i >> 8) & 255, i & 255, 10, 1, 0, 1]);
    t.setKey(addrs, 0, 4, 4, 80, 1024 + (i % 50000));
  };
  for (let i = 0; i < 10000; i++) {
    key(i);
    if (t.find() < 0) t.seq[t.add()] = i;
    assert.ok(t.size <= 64);
  }
  assert.equal(t.size, 64);
  // The last 64 are held with their numbers; older ones are gone.
  for (let i = 10000 - 64; i < 10000; i++) {
    key(i);
    const s = t.find();
    assert.ok(s >= 0, `connection ${i} held`);
    assert.equal(t.seq[s], i);
  }
  key(10000 - 65);
  assert.equal(t.find(), -1);
  assert.throws(() => new TcpSeqTable(0), RangeError);
});
