/**
 * pcapng files built by hand, block by block, in either byte order (the reader's tests), and the
 * offsets of a well-formed file's blocks.
 * @module
 */
import type { PcapngRecord } from "../../lib/formats/pcapng_reader.ts";

/** Offsets of the blocks of a well-formed little-endian file, and the file's end. */
export function blockStarts(file: Uint8Array): number[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const starts = [];
  for (let off = 0; off < file.length; off += v.getUint32(off + 4, true)) starts.push(off);
  starts.push(file.length);
  return starts;
}

/** Bytes in one section's byte order. */
export class Bytes {
  out: number[] = [];
  constructor(readonly le: boolean) {}
  u8(x: number): this {
    this.out.push(x & 0xff);
    return this;
  }
  u16(x: number): this {
    const b = [x & 0xff, (x >>> 8) & 0xff];
    this.out.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u32(x: number): this {
    const b = [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff];
    this.out.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u64(x: bigint): this {
    const b: number[] = [];
    for (let i = 0n; i < 64n; i += 8n) b.push(Number((BigInt.asUintN(64, x) >> i) & 0xffn));
    this.out.push(...(this.le ? b : b.reverse()));
    return this;
  }
  ts(ticks: bigint): this {
    return this.u32(Number(ticks >> 32n)).u32(Number(ticks & 0xffffffffn));
  }
  raw(b: ArrayLike<number>): this {
    this.out.push(...Array.from(b));
    return this;
  }
  pad(): this {
    while (this.out.length % 4) this.out.push(0);
    return this;
  }
}

export type Opt = [code: number, value: (b: Bytes) => void];

export const str = (s: string) => (b: Bytes) => b.raw(new TextEncoder().encode(s));

/** One block: `body` then options (and opt_endofopt when there are any). */
export function block(
  le: boolean,
  type: number,
  body: (b: Bytes) => void,
  opts: Opt[] = [],
): number[] {
  const inner = new Bytes(le);
  body(inner);
  for (const [code, value] of opts) {
    const v = new Bytes(le);
    value(v);
    inner.u16(code).u16(v.out.length).raw(v.out).pad();
  }
  if (opts.length > 0) inner.u32(0);
  const len = 12 + inner.out.length;
  return new Bytes(le).u32(type).u32(len).raw(inner.out).u32(len).out;
}

export function shb(le: boolean, opts: Opt[] = []): number[] {
  return block(le, 0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u64(-1n), opts);
}

export function idb(le: boolean, linktype: number, snaplen: number, opts: Opt[] = []): number[] {
  return block(le, 1, (b) => b.u16(linktype).u16(0).u32(snaplen), opts);
}

export function epb(
  le: boolean,
  id: number,
  ticks: bigint,
  data: number[],
  orig: number,
  opts: Opt[] = [],
) {
  return block(
    le,
    6,
    (b) => b.u32(id).ts(ticks).u32(data.length).u32(orig).raw(data).pad(),
    opts,
  );
}

/** What the reader should make of `ticks` at a resolution byte and offset (with bigints). */
export function expectTime(
  ticks: bigint,
  tsresol: number,
  offset = 0n,
): { sec: number; nsec: number } {
  const per = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  return {
    sec: Number(ticks / per + offset),
    nsec: Number(((ticks % per) * 1000000000n) / per),
  };
}

export function pick(r: PcapngRecord) {
  return {
    sec: r.sec,
    nsec: r.nsec,
    caplen: r.caplen,
    origLen: r.origLen,
    data: [...r.data],
    interfaceId: r.interfaceId,
    linktype: r.linktype,
    queue: r.queue,
    flags: r.flags,
  };
}

/**
 * Two sections: a big-endian one with three interfaces (default microseconds, 2^-20 with an
 * offset, 10^-3) and every packet block type, then a little-endian one (nanoseconds).
 */
export function handBuilt(): { file: Uint8Array; want: ReturnType<typeof pick>[] } {
  const be = false;
  const le = true;
  const t = 0x0123456789abcdefn;
  const parts = [
    ...shb(be, [[3, str("Plan 9")], [1, str("first section")], [1, str("second comment")]]),
    ...idb(be, 1, 0, [[2, str("eth0")], [3, str("uplink")], [11, (b) => b.u8(0).raw(str0("tcp"))]]),
    ...idb(be, 105, 96, [[9, (b) => b.u8(0x94)], [14, (b) => b.u64(-100n)], [2, str("wlan0\0")]]),
    ...idb(be, 1, 4, [[9, (b) => b.u8(3)], [11, (b) => b.u8(1).raw([1, 2, 3])]]),
    ...block(be, 4, (b) => b.u16(1).u16(9).raw([10, 0, 0, 1]).raw(str0("host\0")).pad().u32(0)),
    ...epb(be, 0, t, [1, 2, 3, 4, 5], 60, [[2, (b) => b.u32(2)], [6, (b) => b.u32(7)]]),
    ...epb(be, 1, 5n << 20n | 1n, [9], 1, [[1, str("a comment")]]),
    ...block(be, 3, (b) => b.u32(3).raw([7, 8, 9]).pad()), // SPB: origLen 3
    ...block(be, 3, (b) => b.u32(1500).raw([1, 2, 3, 4, 5, 6, 7, 8])), // cut by the body
    ...block(be, 2, (b) => b.u16(2).u16(0).ts(1234567n).u32(2).u32(9).raw([6, 6]).pad(), [
      [2, (b) => b.u32(1)],
    ]),
    ...block(be, 5, (b) => b.u32(2).ts(1000n), [
      [2, (b) => b.ts(10n)],
      [3, (b) => b.ts(999n)],
      [4, (b) => b.u64(10n)],
      [5, (b) => b.u64(2n ** 63n + 1n)],
      [9, (b) => b.u64(1n)], // unknown: ignored
    ]),
    ...block(be, 0x0a, (b) => b.u32(0x544c534b).u32(3).raw([1, 2, 3]).pad()), // DSB
    ...block(be, 0x40000bad, (b) => b.u32(32473).raw([1, 2, 3, 4])), // custom
    ...epb(be, 2, 1700000000123n, [], 0),
    ...shb(le, [[4, str("other app")]]),
    ...idb(le, 1, 262144, [[9, (b) => b.u8(9)]]),
    ...epb(le, 0, t, [0xaa, 0xbb], 2, [[6, (b) => b.u32(0xffffffff)], [2, (b) => b.u32(0x41)]]),
    ...block(le, 6, (b) => b.u32(0).ts(0n).u32(0).u32(0)), // EPB without options
  ];
  const want = [
    { ...expectTime(t, 6), caplen: 5, origLen: 60, data: [1, 2, 3, 4, 5], interfaceId: 0 },
    { ...expectTime(5n << 20n | 1n, 0x94, -100n), caplen: 1, origLen: 1, data: [9] },
    { sec: 0, nsec: 0, caplen: 3, origLen: 3, data: [7, 8, 9], interfaceId: 0 },
    { sec: 0, nsec: 0, caplen: 8, origLen: 1500, data: [1, 2, 3, 4, 5, 6, 7, 8] },
    { ...expectTime(1234567n, 3), caplen: 2, origLen: 9, data: [6, 6], interfaceId: 2 },
    { ...expectTime(1700000000123n, 3), caplen: 0, origLen: 0, data: [], interfaceId: 2 },
    { ...expectTime(t, 9), caplen: 2, origLen: 2, data: [0xaa, 0xbb], interfaceId: 0 },
    { sec: 0, nsec: 0, caplen: 0, origLen: 0, data: [], interfaceId: 0 },
  ].map((w, i) => ({
    interfaceId: [0, 1, 0, 0, 2, 2, 0, 0][i],
    linktype: [1, 105, 1, 1, 1, 1, 1, 1][i],
    queue: [7, undefined, undefined, undefined, undefined, undefined, 0xffffffff, undefined][i],
    flags: [2, undefined, undefined, undefined, 1, undefined, 0x41, undefined][i],
    ...w,
  }));
  return { file: new Uint8Array(parts), want };
}

export function str0(s: string): number[] {
  return [...new TextEncoder().encode(s)];
}
