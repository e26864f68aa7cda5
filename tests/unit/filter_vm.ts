// A small eBPF interpreter for the translator's unit tests: it runs a translated XDP filter on a
// packet without the kernel, and is stricter than it needs to be where that catches translator
// bugs. Registers carry a type (scalar, ctx, packet, packet end, stack, map, map value) like the
// verifier's; it throws on what the verifier would refuse on the executed path: reading an
// uninitialised register or stack slot, pointer arithmetic other than pointer +/- scalar, and a
// packet load that no earlier `ptr <= data_end` comparison on this path has proved in bounds.
// Only what the translator emits (and the helpers it calls) is implemented.

import { COUNTER_COUNT, FILTER_MAP } from "../../ffi/abi.ts";

type Val =
  | { t: "uninit" }
  | { t: "scalar"; v: bigint }
  | { t: "ctx" }
  | { t: "pkt"; off: bigint }
  | { t: "pkt_end" }
  | { t: "stack"; off: bigint }
  | { t: "map"; id: number }
  | { t: "mapval"; key: number; off: bigint };

/** How a run ended. */
export interface VmResult {
  /** XDP action returned (for a tail call: the slot it went to is in tailCall). */
  action: number;
  /** Slot of the prog array a successful tail call entered. */
  tailCall?: number;
  /** The counters map after the run. */
  counters: number[];
  /** Instructions executed. */
  steps: number;
}

export interface VmOptions {
  /** Prog array slots that hold a program (a tail call there succeeds). */
  stages?: number[];
  /**
   * "skb": run it as a tc program on a struct __sk_buff (len at 0, data at 76, data_end at 80,
   * bpf_skb_load_bytes) instead of XDP's struct xdp_md.
   */
  context?: "xdp" | "skb";
  /** skb: bytes of the packet in its linear part (data_end); the rest only the helper reads. */
  linear?: number;
  /** Give up after this many instructions. */
  maxSteps?: number;
}

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;
const STACK = 512;
const hostLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

class VmError extends Error {
  constructor(pc: number, msg: string) {
    super(`eBPF insn ${pc}: ${msg}`);
    this.name = "VmError";
  }
}

function sx32(v: bigint): bigint {
  return BigInt.asIntN(32, v) & M64;
}

function bswap(v: bigint, bits: number): bigint {
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Runs prog (8-byte host-order eBPF instructions) on packet as an XDP (or tc) program. */
export function runEbpf(
  prog: Uint8Array,
  packet: Uint8Array,
  opts: VmOptions = {},
): VmResult {
  if (!hostLE) throw new Error("the eBPF model assumes a little-endian host");
  const v = new DataView(prog.buffer, prog.byteOffset, prog.byteLength);
  const n = prog.length / 8;
  const regs: Val[] = Array.from({ length: 11 }, () => ({ t: "uninit" }));
  regs[1] = { t: "ctx" };
  regs[10] = { t: "stack", off: 0n };
  const stack = new Uint8Array(STACK);
  const stackInit = new Uint8Array(STACK);
  const counters = new Array<bigint>(COUNTER_COUNT).fill(0n);
  const stages = new Set(opts.stages ?? []);
  const maxSteps = opts.maxSteps ?? 1_000_000;
  const len = BigInt(packet.length);
  const skb = opts.context === "skb";
  // Where data_end points: the end of the linear part for an skb.
  const end = skb ? BigInt(Math.min(opts.linear ?? packet.length, packet.length)) : len;
  let proven = 0n; // packet bytes [0, proven) shown to exist on this path
  let steps = 0;

  const done = (action: number, tailCall?: number): VmResult => ({
    action,
    tailCall,
    counters: counters.map(Number),
    steps,
  });

  let pc = 0;
  for (;;) {
    if (pc < 0 || pc >= n) throw new VmError(pc, "ran off the program");
    if (++steps > maxSteps) throw new VmError(pc, `more than ${maxSteps} steps`);
    const o = pc * 8;
    const code = v.getUint8(o);
    const regByte = v.getUint8(o + 1);
    const dst = regByte & 0xf;
    const src = regByte >> 4;
    const off = v.getInt16(o + 2, hostLE);
    const imm = v.getInt32(o + 4, hostLE);
    const cls = code & 0x07;
    const fail = (msg: string): never => {
      throw new VmError(pc, msg);
    };
    const read = (r: number): Val => {
      if (r > 10) fail(`no register r${r}`);
      if (regs[r].t === "uninit") fail(`r${r} read before it is written`);
      return regs[r];
    };
    const scalar = (r: number): bigint => {
      const x = read(r);
      return x.t === "scalar" ? x.v : fail(`r${r} is a ${x.t} pointer, not a number`);
    };
    if (dst > 10) fail(`no register r${dst}`);

    if (cls === 0x04 || cls === 0x07) {
      // ALU (32-bit) / ALU64
      const is64 = cls === 0x07;
      const op = code & 0xf0;
      const useX = (code & 0x08) !== 0;
      if (dst === 10) fail("r10 is read-only");
      if (op === 0xd0) {
        // BPF_END: to big-endian (the X bit) swaps on a little-endian host
        if (is64) fail("64-bit BPF_END not expected");
        const x = scalar(dst);
        const bits = imm;
        if (bits !== 16 && bits !== 32 && bits !== 64) fail(`bad BPF_END width ${bits}`);
        const mask = (1n << BigInt(bits)) - 1n;
        regs[dst] = { t: "scalar", v: useX ? bswap(x & mask, bits) : x & mask };
        pc++;
        continue;
      }
      if (op === 0xb0) {
        // mov
        if (useX) {
          const s = read(src);
          if (is64) regs[dst] = { ...s };
          else if (s.t === "scalar") regs[dst] = { t: "scalar", v: s.v & M32 };
          else fail("32-bit move of a pointer");
        } else {
          regs[dst] = { t: "scalar", v: is64 ? sx32(BigInt(imm)) : BigInt(imm) & M32 };
        }
        pc++;
        continue;
      }
      const d = read(dst);
      const operand: Val = useX ? read(src) : { t: "scalar", v: sx32(BigInt(imm)) };
      if (d.t !== "scalar" || operand.t !== "scalar") {
        // pointer +/- scalar, 64-bit only
        if (!is64 || (op !== 0x00 && op !== 0x10)) fail(`ALU op 0x${op.toString(16)} on a pointer`);
        if (d.t === "scalar" && op === 0x00 && operand.t !== "scalar") {
          // scalar += pointer
          regs[dst] = movePtr(operand, BigInt.asIntN(64, d.v), pc);
        } else if (operand.t === "scalar") {
          const delta = BigInt.asIntN(64, operand.v);
          regs[dst] = movePtr(d, op === 0x00 ? delta : -delta, pc);
        } else {
          fail("pointer arithmetic between two pointers");
        }
        pc++;
        continue;
      }
      const a = is64 ? d.v : d.v & M32;
      const b = is64 ? operand.v : operand.v & M32;
      const mask = is64 ? M64 : M32;
      const bits = is64 ? 63n : 31n;
      let r: bigint;
      switch (op) {
        case 0x00:
          r = a + b;
          break;
        case 0x10:
          r = a - b;
          break;
        case 0x20:
          r = a * b;
          break;
        case 0x30:
          r = b === 0n ? 0n : a / b;
          break;
        case 0x90:
          r = b === 0n ? a : a % b;
          break;
        case 0x40:
          r = a | b;
          break;
        case 0x50:
          r = a & b;
          break;
        case 0xa0:
          r = a ^ b;
          break;
        case 0x60:
          r = a << (b & bits);
          break;
        case 0x70:
          r = a >> (b & bits);
          break;
        case 0x80:
          r = -a;
          break;
        default:
          return fail(`ALU op 0x${op.toString(16)} not modelled`);
      }
      regs[dst] = { t: "scalar", v: r & mask };
      pc++;
      continue;
    }

    if (cls === 0x01) {
      // LDX MEM
      if ((code & 0xe0) !== 0x60) fail("LDX mode not modelled");
      const size = sizeOf(code);
      const base = read(src);
      const at = BigInt(off);
      if (base.t === "ctx") {
        if (size !== 4) fail("ctx field read with the wrong size");
        if (skb && at === 0n) regs[dst] = { t: "scalar", v: len };
        else if (at === (skb ? 76n : 0n)) regs[dst] = { t: "pkt", off: 0n };
        else if (at === (skb ? 80n : 4n)) regs[dst] = { t: "pkt_end" };
        else if (!skb && at === 16n) regs[dst] = { t: "scalar", v: 0n };
        else fail(`ctx offset ${at} not modelled`);
      } else if (base.t === "pkt") {
        const start = base.off + at;
        if (start < 0n || start + BigInt(size) > end) fail(`packet read past the end at ${start}`);
        if (start + BigInt(size) > proven) {
          fail(`packet read of [${start}, ${start + BigInt(size)}) not proven by a bounds check`);
        }
        let x = 0n;
        for (let i = 0; i < size; i++) x |= BigInt(packet[Number(start) + i]) << BigInt(8 * i);
        regs[dst] = { t: "scalar", v: x };
      } else if (base.t === "stack") {
        const start = Number(base.off + at) + STACK;
        if (start < 0 || start + size > STACK) fail("stack read out of range");
        let x = 0n;
        for (let i = 0; i < size; i++) {
          if (!stackInit[start + i]) fail(`uninitialised stack read at ${start - STACK + i}`);
          x |= BigInt(stack[start + i]) << BigInt(8 * i);
        }
        regs[dst] = { t: "scalar", v: x };
      } else if (base.t === "mapval") {
        if (size !== 8 || base.off + at !== 0n) fail("map value read not modelled");
        regs[dst] = { t: "scalar", v: counters[base.key] };
      } else {
        fail(`load through a ${base.t}`);
      }
      pc++;
      continue;
    }

    if (cls === 0x02 || cls === 0x03) {
      // ST / STX MEM
      if ((code & 0xe0) !== 0x60) fail("store mode not modelled");
      const size = sizeOf(code);
      const base = read(dst);
      const value = cls === 0x02 ? sx32(BigInt(imm)) : scalar(src);
      const at = BigInt(off);
      if (base.t === "stack") {
        const start = Number(base.off + at) + STACK;
        if (start < 0 || start + size > STACK) fail("stack write out of range");
        for (let i = 0; i < size; i++) {
          stack[start + i] = Number((value >> BigInt(8 * i)) & 0xffn);
          stackInit[start + i] = 1;
        }
      } else if (base.t === "mapval") {
        if (size !== 8 || base.off + at !== 0n) fail("map value write not modelled");
        counters[base.key] = value & M64;
      } else {
        fail(`store through a ${base.t}`);
      }
      pc++;
      continue;
    }

    if (cls === 0x00) {
      // LD_IMM64
      if (code !== 0x18 || pc + 1 >= n) fail("LD mode not modelled");
      const imm2 = v.getInt32(o + 12, hostLE);
      if (src === 1) {
        if (imm !== FILTER_MAP.stages && imm !== FILTER_MAP.counters) {
          fail(`unknown map placeholder ${imm}`);
        }
        regs[dst] = { t: "map", id: imm };
      } else if (src === 0) {
        regs[dst] = {
          t: "scalar",
          v: ((BigInt(imm2) & M32) << 32n) | (BigInt(imm) & M32),
        };
      } else {
        fail(`pseudo source ${src} not modelled`);
      }
      pc += 2;
      continue;
    }

    if (cls === 0x05 || cls === 0x06) {
      const op = code & 0xf0;
      const is32 = cls === 0x06;
      if (op === 0x90) {
        if (is32) fail("JMP32 exit");
        const r0 = scalar(0);
        return done(Number(r0 & M32));
      }
      if (op === 0x80) {
        if (is32) fail("JMP32 call");
        const r1 = regs[1];
        let r0: Val;
        if (imm === 1) {
          // map_lookup_elem(map, key)
          const map = read(1);
          const key = read(2);
          if (map.t !== "map" || map.id !== FILTER_MAP.counters) fail("lookup in a non-array map");
          if (key.t !== "stack") fail("map key not on the stack");
          const start = Number((key as { off: bigint }).off) + STACK;
          let k = 0;
          for (let i = 0; i < 4; i++) {
            if (!stackInit[start + i]) fail("map key uninitialised");
            k |= stack[start + i] << (8 * i);
          }
          r0 = k >= 0 && k < COUNTER_COUNT
            ? { t: "mapval", key: k, off: 0n }
            : { t: "scalar", v: 0n };
        } else if (imm === 12) {
          // tail_call(ctx, prog_array, index)
          const map = read(2);
          if (r1.t !== "ctx") fail("tail call without ctx in r1");
          if (map.t !== "map" || map.id !== FILTER_MAP.stages) {
            fail("tail call into a non-prog-array");
          }
          const slot = Number(scalar(3) & M32);
          if (stages.has(slot)) return done(-1, slot);
          r0 = { t: "scalar", v: 0n };
        } else if (imm === 188 && !skb) {
          // xdp_get_buff_len(ctx)
          if (r1.t !== "ctx") fail("xdp_get_buff_len without ctx in r1");
          r0 = { t: "scalar", v: len };
        } else if (imm === 26 && skb) {
          // skb_load_bytes(ctx, offset, to, len): -EFAULT past the packet's end
          if (r1.t !== "ctx") fail("skb_load_bytes without ctx in r1");
          const at = scalar(2) & M32;
          const to = read(3);
          const n = scalar(4);
          if (to.t !== "stack") fail("skb_load_bytes into a non-stack pointer");
          const start = Number((to as { off: bigint }).off) + STACK;
          if (n < 1n || n > 4n || start < 0 || start + Number(n) > STACK) {
            fail(`skb_load_bytes of ${n} bytes to stack offset ${start - STACK}`);
          }
          if (at + n > len) {
            r0 = { t: "scalar", v: sx32(-14n) };
          } else {
            for (let i = 0; i < Number(n); i++) {
              stack[start + i] = packet[Number(at) + i];
              stackInit[start + i] = 1;
            }
            r0 = { t: "scalar", v: 0n };
          }
        } else {
          return fail(`helper ${imm} not modelled`);
        }
        for (let r = 1; r <= 5; r++) regs[r] = { t: "uninit" };
        regs[0] = r0;
        pc++;
        continue;
      }
      if (op === 0x00) {
        if (is32) fail("gotol not expected");
        pc += 1 + off;
        continue;
      }
      const a = read(dst);
      const b: Val = (code & 0x08) ? read(src) : { t: "scalar", v: sx32(BigInt(imm)) };
      let taken: boolean;
      if (a.t === "scalar" && b.t === "scalar") {
        taken = compare(op, is32 ? a.v & M32 : a.v, is32 ? b.v & M32 : b.v, is32 ? 32 : 64, pc);
      } else if (!is32 && a.t === "pkt" && b.t === "pkt_end") {
        taken = compare(op, a.off, end, 64, pc);
        // The fall-through or the branch, whichever proves a.off <= len.
        const provesIfTaken = op === 0xb0 || op === 0xa0; // jle, jlt
        const provesIfNot = op === 0x20 || op === 0x30; // jgt, jge
        if (((taken && provesIfTaken) || (!taken && provesIfNot)) && a.off > proven) {
          proven = a.off;
        }
      } else if (!is32 && a.t === "mapval" && b.t === "scalar" && b.v === 0n) {
        taken = compare(op, 1n, 0n, 64, pc); // a non-null pointer
      } else {
        return fail(`comparison of ${a.t} with ${b.t}`);
      }
      pc += taken ? 1 + off : 1;
      continue;
    }
    fail(`instruction class ${cls} not modelled`);
  }
}

function movePtr(p: Val, delta: bigint, pc: number): Val {
  switch (p.t) {
    case "pkt":
      return { t: "pkt", off: p.off + delta };
    case "stack":
      return { t: "stack", off: p.off + delta };
    case "mapval":
      return { t: "mapval", key: p.key, off: p.off + delta };
    default:
      throw new VmError(pc, `arithmetic on a ${p.t} pointer`);
  }
}

function sizeOf(code: number): number {
  return ({ 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 } as Record<number, number>)[code & 0x18];
}

function compare(op: number, a: bigint, b: bigint, bits: number, pc: number): boolean {
  const sa = BigInt.asIntN(bits, a);
  const sb = BigInt.asIntN(bits, b);
  switch (op) {
    case 0x10:
      return a === b;
    case 0x50:
      return a !== b;
    case 0x20:
      return a > b;
    case 0x30:
      return a >= b;
    case 0xa0:
      return a < b;
    case 0xb0:
      return a <= b;
    case 0x40:
      return (a & b) !== 0n;
    case 0x60:
      return sa > sb;
    case 0x70:
      return sa >= sb;
    case 0xc0:
      return sa < sb;
    case 0xd0:
      return sa <= sb;
  }
  throw new VmError(pc, `jump op 0x${op.toString(16)} not modelled`);
}
