// The bench's TCP row without a kernel: the stream reassembled by sequence numbers from crafted
// segments (testbed/tcp_stream.ts), its size distribution and completeness (bench/targets.ts
// streamResult), the target tcp-gro-generic-complete, and BENCH_ROWS picking the row.
import assert from "node:assert/strict";
import { selectRows } from "../../bench/catalog.ts";
import { streamResult, targets, type TrialLike } from "../../bench/targets.ts";
import { firstWrongByte, reassemble, STREAM_PORT, streamByte } from "../../testbed/mod.ts";
import { tcp } from "./decode_craft.ts";

const SYN = 0x02, ACK = 0x10, PSH_ACK = 0x18, FIN_ACK = 0x11;

/** The stream's bytes [from, to) as a payload. */
const bytesOf = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => streamByte(from + k));

/** A segment to the stream's port: seq is relative to `isn`, as TCP's arithmetic wraps. */
function segment(isn: number, at: number, payload: number[], flags = PSH_ACK) {
  return {
    data: new Uint8Array(tcp(40000, STREAM_PORT, payload, false, flags, (isn + 1 + at) >>> 0)),
  };
}

/** SYN, then the stream cut at `cuts`, then a FIN; the segments listed in `drop` left out. */
function stream(isn: number, size: number, cuts: number[], drop: number[] = []) {
  const edges = [0, ...cuts, size];
  const data = edges.slice(1).map((end, i) => segment(isn, edges[i], bytesOf(edges[i], end)));
  return [
    { data: new Uint8Array(tcp(40000, STREAM_PORT, [], false, SYN, isn)) },
    ...data.filter((_, i) => !drop.includes(i)),
    segment(isn, size, [], FIN_ACK),
    // An answer the other way (to another port) is not the stream's.
    { data: new Uint8Array(tcp(STREAM_PORT, 40000, [], false, ACK, 7)) },
  ];
}

Deno.test("stream: every byte placed by sequence number, across a wrap of 2^32", () => {
  const size = 20000;
  // A GSO-sized segment among MTU-sized ones; the ISN a few bytes below 2^32.
  const frames = stream(0xffffff00, size, [1448, 2896, 12896]);
  const held = reassemble(frames, size);
  assert.equal(held.missing, -1);
  assert.equal(held.missingBytes, 0);
  assert.equal(firstWrongByte(held), -1);
  assert.deepEqual(held.lengths, [1502, 1502, 10054, 7158]);
  assert.equal(held.over4KiB, 2);
  assert.equal(held.biggest, 10054);
  assert.ok(held.syn && held.fin);
  const r = streamResult(held, firstWrongByte(held), { bytes: size, seconds: 0.5 });
  assert.equal(r.complete, true);
  assert.equal(r.throughputBps, 40000);
  assert.deepEqual(r.sizes, { "<=1514": 2, "<=4096": 0, "<=16384": 2, "<=65549": 0, ">65549": 0 });
});

Deno.test("stream: a segment missing is counted, a byte that differs is found", () => {
  const size = 6000;
  const frames = stream(1000, size, [1000, 3000], [1]);
  const held = reassemble(frames, size);
  assert.equal(held.missing, 1000);
  assert.equal(held.missingBytes, 2000);
  // Missing bytes are not "wrong" ones: only bytes the file holds are compared.
  assert.equal(firstWrongByte(held), -1);
  assert.equal(streamResult(held, -1, { bytes: size, seconds: 1 }).complete, false);
  frames[2].data[frames[2].data.length - 1] ^= 1; // the last byte of the segment at 3000
  const bad = reassemble(frames, size);
  assert.equal(firstWrongByte(bad), size - 1);
  // Data before the SYN cannot be placed: missing, not misplaced.
  assert.equal(reassemble(frames.slice(1), size).missingBytes, size);
});

function row(tool: string, s?: ReturnType<typeof streamResult>, drops = {}): TrialLike {
  return {
    phase: "matrix",
    profile: "tcp-gro",
    generator: "tcp",
    tool,
    offered: 100,
    lost: 0,
    offeredPps: 100,
    capturedPps: 100,
    lossPct: 0,
    disturbed: false,
    report: { drops },
    stream: s,
  };
}

Deno.test("target tcp-gro-generic-complete: met only with every byte in the file, as sent", () => {
  const size = 10000;
  const whole = reassemble(stream(5, size, [3000]), size);
  const part = reassemble(stream(5, size, [3000], [0]), size);
  const t = { bytes: size, seconds: 1 };
  const at = (rows: TrialLike[]) =>
    targets(rows, [], [], []).find((x) => x.id === "tcp-gro-generic-complete")!;
  const ok = at([
    row("xskdump-tmpfs-generic", streamResult(whole, -1, t)),
    row("xskdump-nosg-tmpfs-generic", streamResult(part, -1, t), { xskTooBig: 1 }),
    row("tcpdump", streamResult(part, -1, t)),
  ]);
  assert.equal(ok.value, 1);
  assert.equal(ok.met, true);
  assert.match(ok.detail, /^xskdump whole, 2 packets \(1 > 4 KiB\); multi-buffer off 3000 bytes/);
  assert.match(ok.detail, /\(1 larger than a frame\); tcpdump 3000 bytes missing/);
  const missing = at([row("xskdump-tmpfs-generic", streamResult(part, -1, t))]);
  assert.equal(missing.value, 0.7);
  assert.equal(missing.met, false);
  const wrong = at([row("xskdump-tmpfs-generic", streamResult(whole, 17, t))]);
  assert.equal(wrong.value, 0, "a byte unlike the sent one: not the stream");
  assert.equal(wrong.met, false);
  assert.equal(at([]).met, undefined, "no row: not measured");
});

Deno.test("bench rows: the TCP row's tools, from its own generator only", () => {
  const ids = (spec: string) =>
    selectRows(spec).map((r) => `${r.tool.id}:${r.profile.id}:${r.gen.id}`);
  assert.deepEqual(ids("xskdump,tcpdump:tcp-gro"), [
    "xskdump-tmpfs-generic:tcp-gro:tcp",
    "xskdump-nosg-tmpfs-generic:tcp-gro:tcp",
    "tcpdump:tcp-gro:tcp",
  ]);
  assert.deepEqual(ids("tcpdump::tcp"), ["tcpdump:tcp-gro:tcp"], "the stream is the tcp's alone");
  assert.deepEqual(ids("tcpdump:tcp-gro:trafgen"), []);
});
