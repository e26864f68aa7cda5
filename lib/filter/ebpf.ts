/**
 * Just enough of eBPF to write XDP programs from TypeScript: opcodes, an
 * instruction list with symbolic jump targets, and the assembler that drops
 * unreachable code (the verifier refuses it) and resolves offsets.
 * Pure TypeScript.
 * @module
 */
import { ALU, BASE_CLASS, JMP } from "./cbpf.ts";

/** Instruction classes: classic BPF's first six, and two more. */
export const CLS = { ...BASE_CLASS, jmp32: 0x06, alu64: 0x07 } as const;
/** Memory access sizes. */
export const SZ = { w: 0x00, h: 0x08, b: 0x10, dw: 0x18 } as const;
/** Memory access modes. */
export const MEM = 0x60;
export const IMM = 0x00;
/** ALU operations: classic BPF's encodings, and three more. */
export const OP = {
  ...ALU,
  mov: 0xb0,
  arsh: 0xc0,
  end: 0xd0,
} as const;
/** Jump operations: classic BPF's encodings, and more. */
export const J = {
  ...JMP,
  jne: 0x50,
  jsgt: 0x60,
  jsge: 0x70,
  call: 0x80,
  exit: 0x90,
  jlt: 0xa0,
  jle: 0xb0,
  jslt: 0xc0,
  jsle: 0xd0,
} as const;
/** Operand source: imm (K) or src register (X). For OP.end: TO_LE (K) / TO_BE (X). */
export const K = 0x00;
export const X = 0x08;
/** src_reg of a BPF_LD_IMM64 whose imm is a map fd. */
export const PSEUDO_MAP_FD = 1;

/** Helper function ids (enum bpf_func_id). */
export const HELPER = {
  mapLookupElem: 1,
  tailCall: 12,
  skbLoadBytes: 26,
  xdpGetBuffLen: 188,
} as const;
/** XDP actions. */
export const XDP = { aborted: 0, drop: 1, pass: 2, tx: 3, redirect: 4 } as const;
/** struct xdp_md field offsets. */
export const XDP_MD = {
  data: 0,
  dataEnd: 4,
  dataMeta: 8,
  ingressIfindex: 12,
  rxQueue: 16,
} as const;

/** struct __sk_buff field offsets (tc programs). */
export const SKB = { len: 0, data: 76, dataEnd: 80 } as const;
/** What a tc program returns to let the packet go on (TCX_NEXT; TC_ACT_UNSPEC for clsact). */
export const TCX_NEXT = -1;

/** Registers. */
export const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5;
export const R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;

/** A place in the program that jumps can name before it is emitted. */
export type Label = { readonly id: number };

/** One instruction; a jump names its target by label, resolved by assemble(). */
export interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** For BPF_LD_IMM64: the upper 32 bits (second slot). */
  imm2?: number;
  target?: Label;
}

/** Bytes per eBPF instruction slot (a BPF_LD_IMM64 takes two). */
export const EBPF_INSN_SIZE = 8;

const hostLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Longest eBPF jump a single instruction can make (signed 16-bit offset). */
const MAX_JUMP = 0x7fff;

/** Builds an eBPF program instruction by instruction. */
export class Assembler {
  readonly #items: (Insn | Label)[] = [];
  #labels = 0;

  /** A fresh label, placed later with bind(). */
  label(): Label {
    return { id: this.#labels++ };
  }

  /** Places a label at the current end of the program. */
  bind(l: Label): void {
    this.#items.push(l);
  }

  /** Appends a raw instruction. */
  emit(i: Insn): void {
    this.#items.push(i);
  }

  // --- ALU ---------------------------------------------------------------

  /** 32-bit `dst op= imm` (the upper half of dst becomes zero). */
  alu32K(op: number, dst: number, imm: number): void {
    this.emit({ code: CLS.alu | op | K, dst, src: 0, off: 0, imm: imm | 0 });
  }
  /** 32-bit `dst op= src`. */
  alu32X(op: number, dst: number, src: number): void {
    this.emit({ code: CLS.alu | op | X, dst, src, off: 0, imm: 0 });
  }
  /** 64-bit `dst op= imm` (imm sign-extended). */
  alu64K(op: number, dst: number, imm: number): void {
    this.emit({ code: CLS.alu64 | op | K, dst, src: 0, off: 0, imm: imm | 0 });
  }
  /** 64-bit `dst op= src`. */
  alu64X(op: number, dst: number, src: number): void {
    this.emit({ code: CLS.alu64 | op | X, dst, src, off: 0, imm: 0 });
  }
  /** `dst = be<bits>(dst)`: network to host order on a little-endian CPU, nothing on big. */
  toBigEndian(dst: number, bits: 16 | 32): void {
    this.emit({ code: CLS.alu | OP.end | X, dst, src: 0, off: 0, imm: bits });
  }

  // --- memory ------------------------------------------------------------

  /** `dst = *(size *)(src + off)`, zero-extended. */
  load(size: number, dst: number, src: number, off: number): void {
    this.emit({ code: CLS.ldx | MEM | size, dst, src, off, imm: 0 });
  }
  /** `*(size *)(dst + off) = src`. */
  store(size: number, dst: number, off: number, src: number): void {
    this.emit({ code: CLS.stx | MEM | size, dst, src, off, imm: 0 });
  }
  /** `*(size *)(dst + off) = imm`. */
  storeImm(size: number, dst: number, off: number, imm: number): void {
    this.emit({ code: CLS.st | MEM | size, dst, src: 0, off, imm: imm | 0 });
  }
  /** `dst = map` by placeholder: a BPF_LD_IMM64 with src BPF_PSEUDO_MAP_FD. */
  loadMap(dst: number, placeholder: number): void {
    this.emit({
      code: CLS.ld | SZ.dw | IMM,
      dst,
      src: PSEUDO_MAP_FD,
      off: 0,
      imm: placeholder,
      imm2: 0,
    });
  }

  // --- control -----------------------------------------------------------

  /** `goto target`. */
  ja(target: Label): void {
    this.emit({ code: CLS.jmp | J.ja, dst: 0, src: 0, off: 0, imm: 0, target });
  }
  /** 32-bit `if (dst op imm) goto target` (imm compared as 32 bits). */
  jmp32K(op: number, dst: number, imm: number, target: Label): void {
    this.emit({ code: CLS.jmp32 | op | K, dst, src: 0, off: 0, imm: imm | 0, target });
  }
  /** 32-bit `if (dst op src) goto target`. */
  jmp32X(op: number, dst: number, src: number, target: Label): void {
    this.emit({ code: CLS.jmp32 | op | X, dst, src, off: 0, imm: 0, target });
  }
  /** 64-bit `if (dst op imm) goto target` (imm sign-extended). */
  jmpK(op: number, dst: number, imm: number, target: Label): void {
    this.emit({ code: CLS.jmp | op | K, dst, src: 0, off: 0, imm: imm | 0, target });
  }
  /** 64-bit `if (dst op src) goto target`. */
  jmpX(op: number, dst: number, src: number, target: Label): void {
    this.emit({ code: CLS.jmp | op | X, dst, src, off: 0, imm: 0, target });
  }
  /** Calls a helper: arguments in R1..R5, result in R0, R1..R5 clobbered. */
  call(helper: number): void {
    this.emit({ code: CLS.jmp | J.call, dst: 0, src: 0, off: 0, imm: helper });
  }
  /** Returns R0. */
  exit(): void {
    this.emit({ code: CLS.jmp | J.exit, dst: 0, src: 0, off: 0, imm: 0 });
  }

  /**
   * The finished program as 8-byte host-order instructions. Code that no path
   * reaches is left out (the verifier refuses unreachable instructions), as
   * are jumps to the very next instruction. Throws RangeError when a jump
   * would not fit its 16-bit offset.
   */
  assemble(): Uint8Array<ArrayBuffer> {
    const insns = this.#live();
    const at = new Map<number, number>(); // label id -> slot
    let slot = 0;
    for (const it of insns) {
      if ("id" in it) at.set(it.id, slot);
      else slot += it.code === (CLS.ld | SZ.dw | IMM) ? 2 : 1;
    }
    const bytes = new Uint8Array(slot * 8);
    const v = new DataView(bytes.buffer);
    slot = 0;
    const put = (code: number, dst: number, src: number, off: number, imm: number) => {
      const o = slot * 8;
      v.setUint8(o, code);
      v.setUint8(o + 1, hostLE ? (src << 4) | dst : (dst << 4) | src);
      v.setInt16(o + 2, off, hostLE);
      v.setInt32(o + 4, imm, hostLE);
      slot++;
    };
    for (const it of insns) {
      if ("id" in it) continue;
      let off = it.off;
      if (it.target) {
        off = at.get(it.target.id)! - slot - 1;
        if (off > MAX_JUMP || off < -MAX_JUMP - 1) {
          throw new RangeError(`jump of ${off} instructions does not fit eBPF's 16-bit offset`);
        }
      }
      put(it.code, it.dst, it.src, off, it.imm);
      if (it.code === (CLS.ld | SZ.dw | IMM)) put(0, 0, 0, 0, it.imm2 ?? 0);
    }
    return bytes;
  }

  /** Instructions (and labels) some path from the first instruction reaches. */
  #live(): (Insn | Label)[] {
    const items = this.#items;
    const pos = new Map<number, number>(); // label id -> item index
    items.forEach((it, i) => {
      if ("id" in it) pos.set(it.id, i);
    });
    for (const it of items) {
      if (!("id" in it) && it.target && !pos.has(it.target.id)) {
        throw new Error(`jump to label ${it.target.id}, which is never placed`);
      }
    }
    const reached = new Uint8Array(items.length);
    const todo = [0];
    while (todo.length) {
      let i = todo.pop()!;
      for (; i < items.length && !reached[i]; i++) {
        reached[i] = 1;
        const it = items[i];
        if ("id" in it) continue;
        const cls = it.code & 0x07;
        const op = it.code & 0xf0;
        if (cls !== CLS.jmp && cls !== CLS.jmp32) continue;
        if (op === J.exit) break;
        if (op === J.call) continue;
        todo.push(pos.get(it.target!.id)!);
        if (op === J.ja) break;
      }
    }
    const live = items.filter((_, i) => reached[i]);
    // A `goto` whose target is the next instruction does nothing.
    return live.filter((it, i) => {
      if ("id" in it || it.code !== (CLS.jmp | J.ja) || !it.target) return true;
      for (let j = i + 1; j < live.length; j++) {
        const next = live[j];
        if (!("id" in next)) return true;
        if (next.id === it.target.id) return false;
      }
      return true;
    });
  }
}
