/**
 * Classic BPF (cBPF), the language libpcap compiles tcpdump expressions into:
 * opcodes, the 8-byte wire form the shim hands out, and tcpdump -d's listing.
 * Pure TypeScript.
 * @module
 */

/** One cBPF instruction (struct bpf_insn): `k` is an unsigned 32-bit number. */
export interface CbpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** The instruction classes eBPF kept from classic BPF (code & 0x07). */
export const BASE_CLASS = {
  ld: 0x00,
  ldx: 0x01,
  st: 0x02,
  stx: 0x03,
  alu: 0x04,
  jmp: 0x05,
} as const;
/** Instruction classes (code & 0x07). */
export const CLASS = { ...BASE_CLASS, ret: 0x06, misc: 0x07 } as const;
/** Load sizes (code & 0x18). */
export const SIZE = { w: 0x00, h: 0x08, b: 0x10 } as const;
/** Load modes (code & 0xe0). */
export const MODE = { imm: 0x00, abs: 0x20, ind: 0x40, mem: 0x60, len: 0x80, msh: 0xa0 } as const;
/** ALU operations (code & 0xf0). */
export const ALU = {
  add: 0x00,
  sub: 0x10,
  mul: 0x20,
  div: 0x30,
  or: 0x40,
  and: 0x50,
  lsh: 0x60,
  rsh: 0x70,
  neg: 0x80,
  mod: 0x90,
  xor: 0xa0,
} as const;
/** Jump operations (code & 0xf0). */
export const JMP = { ja: 0x00, jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40 } as const;
/** Operand source (code & 0x08): the constant k or the X register. */
export const SRC = { k: 0x00, x: 0x08 } as const;
/** Return value source (code & 0x18). */
export const RVAL = { k: 0x00, a: 0x10 } as const;
/** Misc operations (code & 0xf8). */
export const MISC = { tax: 0x00, txa: 0x80 } as const;
/** Scratch memory words M[0..15]. */
export const MEMWORDS = 16;
/** Bytes per instruction in the wire form. */
export const INSN_SIZE = 8;

const hostLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads host-order 8-byte records {u16 code, u8 jt, u8 jf, u32 k}. */
export function decodeCbpf(bytes: Uint8Array): CbpfInsn[] {
  if (bytes.length % INSN_SIZE) {
    throw new RangeError(`cBPF program of ${bytes.length} bytes is not whole instructions`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: CbpfInsn[] = [];
  for (let at = 0; at < bytes.length; at += INSN_SIZE) {
    out.push({
      code: v.getUint16(at, hostLE),
      jt: v.getUint8(at + 2),
      jf: v.getUint8(at + 3),
      k: v.getUint32(at + 4, hostLE),
    });
  }
  return out;
}

/** Writes instructions as host-order 8-byte records (the inverse of decodeCbpf). */
export function encodeCbpf(insns: readonly CbpfInsn[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(insns.length * INSN_SIZE);
  const v = new DataView(bytes.buffer);
  insns.forEach((i, n) => {
    v.setUint16(n * INSN_SIZE, i.code, hostLE);
    v.setUint8(n * INSN_SIZE + 2, i.jt);
    v.setUint8(n * INSN_SIZE + 3, i.jf);
    v.setUint32(n * INSN_SIZE + 4, i.k >>> 0, hostLE);
  });
  return bytes;
}

/** Shorthand for hand-written programs and tests. */
export function insn(code: number, k = 0, jt = 0, jf = 0): CbpfInsn {
  return { code, jt, jf, k: k >>> 0 };
}

const hex = (k: number) => `#0x${(k >>> 0).toString(16)}`;
const dec = (k: number) => `#${k | 0}`;

/** Mnemonic and operand of one instruction as libpcap's bpf_image() writes them. */
function image(i: CbpfInsn, pc: number): [string, string] {
  const k = i.k >>> 0;
  const cls = i.code & 0x07;
  switch (i.code) {
    case CLASS.ret | RVAL.k:
      return ["ret", dec(k)];
    case CLASS.ret | RVAL.a:
      return ["ret", ""];
    case CLASS.ld | SIZE.w | MODE.abs:
      return ["ld", `[${k | 0}]`];
    case CLASS.ld | SIZE.h | MODE.abs:
      return ["ldh", `[${k | 0}]`];
    case CLASS.ld | SIZE.b | MODE.abs:
      return ["ldb", `[${k | 0}]`];
    case CLASS.ld | SIZE.w | MODE.len:
      return ["ld", "#pktlen"];
    case CLASS.ld | SIZE.w | MODE.ind:
      return ["ld", `[x + ${k | 0}]`];
    case CLASS.ld | SIZE.h | MODE.ind:
      return ["ldh", `[x + ${k | 0}]`];
    case CLASS.ld | SIZE.b | MODE.ind:
      return ["ldb", `[x + ${k | 0}]`];
    case CLASS.ld | MODE.imm:
      return ["ld", hex(k)];
    case CLASS.ldx | MODE.imm:
      return ["ldx", hex(k)];
    case CLASS.ldx | SIZE.b | MODE.msh:
      return ["ldxb", `4*([${k | 0}]&0xf)`];
    case CLASS.ld | MODE.mem:
      return ["ld", `M[${k | 0}]`];
    case CLASS.ldx | MODE.mem:
      return ["ldx", `M[${k | 0}]`];
    case CLASS.ldx | SIZE.w | MODE.len:
      return ["ldx", "#pktlen"];
    case CLASS.st:
      return ["st", `M[${k | 0}]`];
    case CLASS.stx:
      return ["stx", `M[${k | 0}]`];
    case CLASS.jmp | JMP.ja:
      return ["ja", `${(pc + 1 + (k | 0)) | 0}`];
    case CLASS.misc | MISC.tax:
      return ["tax", ""];
    case CLASS.misc | MISC.txa:
      return ["txa", ""];
    case CLASS.alu | ALU.neg:
      return ["neg", ""];
  }
  if (cls === CLASS.jmp) {
    const names: Record<number, string> = {
      [JMP.jeq]: "jeq",
      [JMP.jgt]: "jgt",
      [JMP.jge]: "jge",
      [JMP.jset]: "jset",
    };
    const name = names[i.code & 0xf0];
    if (name) return [name, (i.code & SRC.x) ? "x" : hex(k)];
  }
  if (cls === CLASS.alu) {
    const names: Record<number, [string, boolean]> = {
      [ALU.add]: ["add", false],
      [ALU.sub]: ["sub", false],
      [ALU.mul]: ["mul", false],
      [ALU.div]: ["div", false],
      [ALU.mod]: ["mod", false],
      [ALU.and]: ["and", true],
      [ALU.or]: ["or", true],
      [ALU.xor]: ["xor", true],
      [ALU.lsh]: ["lsh", false],
      [ALU.rsh]: ["rsh", false],
    };
    const entry = names[i.code & 0xf0];
    if (entry) return [entry[0], (i.code & SRC.x) ? "x" : entry[1] ? hex(k) : dec(k)];
  }
  return ["unimp", `0x${i.code.toString(16)}`];
}

/** The program as `tcpdump -dd` prints it: the initialisers of a C array of struct bpf_insn. */
export function formatCbpfC(insns: readonly CbpfInsn[]): string[] {
  return insns.map((i) =>
    `{ 0x${i.code.toString(16)}, ${i.jt}, ${i.jf}, 0x${
      (i.k >>> 0).toString(16).padStart(8, "0")
    } },`
  );
}

/** The program as `tcpdump -ddd` prints it: its length, then each instruction in decimal. */
export function formatCbpfDecimal(insns: readonly CbpfInsn[]): string[] {
  return [String(insns.length), ...insns.map((i) => `${i.code} ${i.jt} ${i.jf} ${i.k >>> 0}`)];
}

/** The program as `tcpdump -d` lists it, one line per instruction. */
export function formatCbpf(insns: readonly CbpfInsn[]): string[] {
  return insns.map((i, pc) => {
    const [op, operand] = image(i, pc);
    const line = `(${String(pc).padStart(3, "0")}) ${op.padEnd(8)} `;
    const isCond = (i.code & 0x07) === CLASS.jmp && (i.code & 0xf0) !== JMP.ja;
    if (isCond) {
      return `${line}${operand.padEnd(16)} jt ${pc + 1 + i.jt}\tjf ${pc + 1 + i.jf}`;
    }
    return line + operand;
  });
}
