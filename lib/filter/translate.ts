/**
 * cBPF (what libpcap compiles a tcpdump expression into) to an eBPF XDP
 * program with the same verdict on every packet. Pure TypeScript: unit tested
 * without root against libpcap's own interpreter; the kernel check is the
 * differential test (tests/integration/filter_differential_test.ts).
 *
 * The generated program is the filter stage of bpf/xskdump.bpf.c. It runs the
 * cBPF program with classic semantics:
 *
 * - A and X are 32-bit registers that start at 0 (r7, r8); M[0..15] are
 *   stack words (read-before-write reads 0). All arithmetic is 32-bit.
 * - Every packet load is bounds-checked against data_end first; a load past
 *   the end makes the program return 0 (no match), as in bpf_filter(). Words
 *   and halfwords are big-endian (network order). A load that would end past
 *   64 KiB (the verifier's MAX_PACKET_OFF) is past the end of any frame XDP
 *   sees, and becomes a plain `no match`.
 * - `len` is the frame's length (bpf_xdp_get_buff_len, called once, first).
 * - Division or modulo by X == 0 returns 0; by a constant 0 is refused at
 *   translation (libpcap's validator refuses it too). Shifts by X >= 32 give
 *   0; by a constant >= 32 are refused (as Linux's cBPF checker does).
 * - `ret` with a non-zero value accepts, 0 rejects. The snapshot length a
 *   `ret` carries is not used: -s applies in user space. A program must end
 *   with a `ret` (as libpcap's validator demands), so none runs off the end.
 * - A backward `ja` (libpcap's `protochain` loop) counts iterations and
 *   rejects the packet after MAX_BACKWARD_JUMPS, which bounds the loop for
 *   the verifier (newer libpcap interpreters stop at the same count).
 *
 * Registers: r6 ctx, r7 A, r8 X, r9 data, r5 data_end, r4 loop count,
 * r0..r3 scratch. No helper is called between the prologue and a verdict.
 *
 * Verdicts (the epilogue):
 * - no match: count XSKDUMP_CNT_FILTERED in the counters map, tail call the reject stage
 *   (XDP capture only; its slot is empty but in the program that re-inserts VLAN tags), XDP_PASS;
 * - match, accept "capture": tail call the capture stage of the prog array; if
 *   that ever falls through, count XSKDUMP_CNT_PASSED and XDP_PASS;
 * - match, accept "test": return XDP_TX. Only for BPF_PROG_TEST_RUN, where
 *   XDP_TX against XDP_PASS tells the two verdicts apart; never attached.
 *
 * Maps are named by placeholder (FILTER_MAP); the shim puts in the fds.
 *
 * For tc (tap mode's outgoing packets, and incoming ones when the XDP hook is
 * taken; `context: "skb"`) the same program runs on a struct __sk_buff: `len`
 * is skb->len, the direct loads cover the skb's linear part, and a load past it
 * (but within the packet) goes through bpf_skb_load_bytes, so a payload in the
 * skb's fragments is seen as bpf_filter() would see it. A program with a loop
 * (protochain) loads everything through the helper: two paths per load in a
 * loop are more states than the verifier follows (a million instructions for
 * `ip6 protochain 6`); the helper costs 43 ns against 16 for `tcp port 80`
 * (BPF_PROG_TEST_RUN here), so only there. Every "XDP_PASS" is
 * TCX_NEXT (-1: the packet goes on, to the next tc program). A VLAN tag the
 * kernel took out of the frame (offload, or skb_vlan_untag before tc ingress)
 * is not in the bytes the filter reads, as it is not for a Linux socket filter.
 *
 * Why TypeScript rather than C in the shim: the translation is a pure
 * function from bytes to bytes, so here it is unit tested (against libpcap
 * through the shim, in an eBPF model) with no root and no kernel, and it
 * keeps the C ABI to "compile" and "load".
 * @module
 */
import { CBPF_MAX_INSNS, COUNTER, FILTER_MAP, STAGE } from "../../ffi/abi.ts";
import {
  ALU,
  type CbpfInsn,
  CLASS,
  formatCbpf,
  JMP,
  MEMWORDS,
  MISC,
  MODE,
  RVAL,
  SIZE,
  SRC,
} from "./cbpf.ts";
import {
  Assembler,
  HELPER,
  J,
  type Label,
  OP,
  R0,
  R1,
  R10,
  R2,
  R3,
  R4,
  R5,
  R6,
  R7,
  R8,
  R9,
  SKB,
  SZ,
  TCX_NEXT,
  XDP,
  XDP_MD,
} from "./ebpf.ts";

/** What a match does: the capture tail call, or XDP_TX for BPF_PROG_TEST_RUN. */
export type AcceptAction = "capture" | "test";

/** Where the program runs: an XDP program (struct xdp_md) or a tc program (struct __sk_buff). */
export type FilterContext = "xdp" | "skb";

export interface TranslateOptions {
  /** Default "capture". */
  accept?: AcceptAction;
  /** Default "xdp". */
  context?: FilterContext;
  /**
   * skb: "direct" loads the linear part directly (bpf_skb_load_bytes past it), "helper" loads
   * everything through bpf_skb_load_bytes. Default: direct, helper for a program that loops.
   */
  skbLoads?: "direct" | "helper";
}

/** A cBPF program this translator cannot (or must not) turn into eBPF. */
export class TranslateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TranslateError";
  }
}

/** Iterations of backward jumps before the packet is rejected (libpcap's MAX_BACKWARD_JUMPS). */
export const MAX_BACKWARD_JUMPS = 64;
/** No packet an XDP program sees is longer (the verifier's MAX_PACKET_OFF). */
const MAX_PACKET_OFF = 0xffff;
/**
 * Longest program accepted, in cBPF instructions (the shim's XSKDUMP_CBPF_MAX_INSNS). The real
 * bound is eBPF's 16-bit jump offsets: assemble() refuses a program whose jumps do not fit.
 */
export const MAX_CBPF_INSNS = CBPF_MAX_INSNS;

// Stack (r10-relative): M[k] words, the packet length, the map key, and (skb) the bytes of a
// load past the linear part and the saved loop count.
const MEM_BASE = -64;
const LEN_SLOT = -68;
const KEY_SLOT = -72;
const BYTES_SLOT = -76;
/** A whole 8-byte slot: the verifier restores a spilled register exactly only from one. */
const LOOP_SLOT = -88;

const memOff = (k: number) => MEM_BASE + 4 * k;

/** Number of bytes a cBPF load size reads. */
function bytesOf(code: number): 1 | 2 | 4 {
  switch (code & 0x18) {
    case SIZE.w:
      return 4;
    case SIZE.h:
      return 2;
    case SIZE.b:
      return 1;
  }
  throw new TranslateError(`bad load size in opcode 0x${code.toString(16)}`);
}

const ebpfLoadSize = { 1: SZ.b, 2: SZ.h, 4: SZ.w } as const;

/** The eBPF ALU operation of a cBPF one (same numbers for these). */
const ALU_OPS: Record<number, number> = {
  [ALU.add]: OP.add,
  [ALU.sub]: OP.sub,
  [ALU.mul]: OP.mul,
  [ALU.div]: OP.div,
  [ALU.mod]: OP.mod,
  [ALU.and]: OP.and,
  [ALU.or]: OP.or,
  [ALU.xor]: OP.xor,
  [ALU.lsh]: OP.lsh,
  [ALU.rsh]: OP.rsh,
};

/** Conditional jumps: the eBPF op, and its negation where eBPF has one. */
const JUMPS: Record<number, { op: number; not?: number }> = {
  [JMP.jeq]: { op: J.jeq, not: J.jne },
  [JMP.jgt]: { op: J.jgt, not: J.jle },
  [JMP.jge]: { op: J.jge, not: J.jlt },
  [JMP.jset]: { op: J.jset },
};

function where(prog: readonly CbpfInsn[], pc: number): string {
  return `instruction ${pc} (${formatCbpf(prog)[pc].replace(/^\(\d+\)\s+/, "").trim()})`;
}

/** Checks what libpcap's validator checks, with the reasons spelled out. */
function validate(prog: readonly CbpfInsn[]): { backward: boolean; lenUsed: boolean } {
  const n = prog.length;
  if (n === 0) throw new TranslateError("empty cBPF program");
  if (n > MAX_CBPF_INSNS) {
    throw new TranslateError(`cBPF program of ${n} instructions (at most ${MAX_CBPF_INSNS})`);
  }
  if ((prog[n - 1].code & 0x07) !== CLASS.ret) {
    throw new TranslateError(`${where(prog, n - 1)}: the last instruction is not a ret`);
  }
  let backward = false;
  let lenUsed = false;
  prog.forEach((i, pc) => {
    const cls = i.code & 0x07;
    const bad = (why: string) => new TranslateError(`${where(prog, pc)}: ${why}`);
    if (!Number.isInteger(i.k) || i.k < 0 || i.k > 0xffffffff) throw bad("k is not a u32");
    if (i.code > 0xff || i.jt > 0xff || i.jf > 0xff) throw bad("not a cBPF instruction");
    switch (cls) {
      case CLASS.ld:
      case CLASS.ldx: {
        const mode = i.code & 0xe0;
        if (mode === MODE.mem && i.k >= MEMWORDS) throw bad(`no scratch word M[${i.k}]`);
        if (mode === MODE.len) lenUsed = true;
        break;
      }
      case CLASS.st:
      case CLASS.stx:
        if (i.k >= MEMWORDS) throw bad(`no scratch word M[${i.k}]`);
        break;
      case CLASS.alu: {
        const op = i.code & 0xf0;
        if ((op === ALU.div || op === ALU.mod) && !(i.code & SRC.x) && i.k === 0) {
          throw bad("division by the constant 0");
        }
        if ((op === ALU.lsh || op === ALU.rsh) && !(i.code & SRC.x) && i.k >= 32) {
          throw bad("shift by 32 or more"); // as Linux's cBPF checker and newer libpcap
        }
        break;
      }
      case CLASS.jmp: {
        if ((i.code & 0xf0) === JMP.ja) {
          const to = pc + 1 + (i.k | 0);
          if (to < 0 || to >= n) throw bad(`jump to ${to}, outside the program`);
          if (to <= pc) {
            if (to === pc) throw bad("jump to itself (an endless loop)");
            backward = true;
          }
        } else if (pc + 1 + i.jt >= n || pc + 1 + i.jf >= n) {
          throw bad("conditional jump past the end of the program");
        }
        break;
      }
    }
  });
  return { backward, lenUsed };
}

/**
 * Translates a cBPF program into an XDP program (8-byte eBPF instructions,
 * host order, map placeholders unresolved). Throws TranslateError for a
 * program libpcap's validator would refuse or one too large for eBPF jumps.
 */
export function translate(
  prog: readonly CbpfInsn[],
  opts: TranslateOptions = {},
): Uint8Array<ArrayBuffer> {
  const accept = opts.accept ?? "capture";
  const skb = opts.context === "skb";
  const { backward, lenUsed } = validate(prog);
  const asm = new Assembler();
  const reject = asm.label();
  const matched = asm.label();
  const at = prog.map(() => asm.label());

  // --- prologue ---
  asm.alu64X(OP.mov, R6, R1);
  if (lenUsed && skb) {
    asm.load(SZ.w, R0, R6, SKB.len);
    asm.store(SZ.w, R10, LEN_SLOT, R0);
  } else if (lenUsed) {
    // The packet length as the capture sees it: helper calls clobber r1..r5,
    // so this comes before data_end is loaded into r5.
    asm.call(HELPER.xdpGetBuffLen);
    asm.store(SZ.w, R10, LEN_SLOT, R0);
  }
  const dataEnd = skb ? SKB.dataEnd : XDP_MD.dataEnd;
  asm.load(SZ.w, R9, R6, skb ? SKB.data : XDP_MD.data);
  asm.load(SZ.w, R5, R6, dataEnd);
  asm.alu32K(OP.mov, R7, 0);
  asm.alu32K(OP.mov, R8, 0);
  const memRead = new Set<number>();
  for (const i of prog) {
    const cls = i.code & 0x07;
    if ((cls === CLASS.ld || cls === CLASS.ldx) && (i.code & 0xe0) === MODE.mem) memRead.add(i.k);
  }
  for (const k of [...memRead].sort((a, b) => a - b)) asm.storeImm(SZ.w, R10, memOff(k), 0);
  if (backward) asm.alu32K(OP.mov, R4, 0);

  const helperLoads = skb &&
    (opts.skbLoads === "helper" || (opts.skbLoads === undefined && backward));
  /**
   * dst = `size` bytes at packet offset k (+ X) through bpf_skb_load_bytes: it fails past the
   * packet's end (no match, as in bpf_filter()). It clobbers r1..r5: the loop count is kept on
   * the stack; r9 stays valid (the helper changes no packet data).
   */
  const skbLoad = (size: 1 | 2 | 4, k: number, indirect: boolean, dst: number) => {
    if (backward) asm.store(SZ.dw, R10, LOOP_SLOT, R4);
    asm.alu64X(OP.mov, R1, R6);
    if (indirect) {
      asm.alu64X(OP.mov, R2, R8);
      asm.alu64K(OP.add, R2, k);
    } else {
      asm.alu64K(OP.mov, R2, k);
    }
    asm.alu64X(OP.mov, R3, R10);
    asm.alu64K(OP.add, R3, BYTES_SLOT);
    asm.alu64K(OP.mov, R4, size);
    asm.call(HELPER.skbLoadBytes);
    asm.jmpK(J.jne, R0, 0, reject);
    asm.load(ebpfLoadSize[size], dst, R10, BYTES_SLOT);
    if (backward) asm.load(SZ.dw, R4, R10, LOOP_SLOT);
  };

  /** dst = big-endian load of `size` bytes at packet offset k (+ X when indirect). */
  const packetLoad = (size: 1 | 2 | 4, k: number, indirect: boolean, dst: number) => {
    if (k + size > MAX_PACKET_OFF) {
      asm.ja(reject); // past the end of any packet XDP can see
      return;
    }
    let base = R9;
    if (indirect) {
      // r2 = data + X, with X bounded so the verifier can follow the pointer.
      asm.alu64X(OP.mov, R1, R8);
      asm.jmpK(J.jgt, R1, MAX_PACKET_OFF - size - k, reject);
      asm.alu64X(OP.mov, R2, R9);
      asm.alu64X(OP.add, R2, R1);
      base = R2;
    }
    if (skb && helperLoads) {
      skbLoad(size, k, indirect, dst);
      if (size > 1) asm.toBigEndian(dst, size === 4 ? 32 : 16);
      return;
    }
    // Past the linear part: no match in XDP; the slow load in an skb.
    const slow = skb ? asm.label() : reject;
    const loaded = asm.label();
    asm.alu64X(OP.mov, R0, base);
    asm.alu64K(OP.add, R0, k + size);
    asm.jmpX(J.jgt, R0, R5, slow);
    if (k <= 0x7fff) {
      asm.load(ebpfLoadSize[size], dst, base, k);
    } else {
      // Beyond a 16-bit load offset: move the pointer instead.
      if (base === R9) {
        asm.alu64X(OP.mov, R2, R9);
        base = R2;
      }
      asm.alu64K(OP.add, base, k);
      asm.load(ebpfLoadSize[size], dst, base, 0);
    }
    if (skb) {
      asm.ja(loaded);
      asm.bind(slow);
      skbLoad(size, k, indirect, dst);
      asm.load(SZ.w, R5, R6, dataEnd);
    }
    asm.bind(loaded);
    if (size > 1) asm.toBigEndian(dst, size === 4 ? 32 : 16);
  };

  /** cBPF conditional jump: A op (k or X), to pc+1+jt / pc+1+jf. */
  const condJump = (pc: number, i: CbpfInsn) => {
    const j = JUMPS[i.code & 0xf0];
    const t = at[pc + 1 + i.jt];
    const f = at[pc + 1 + i.jf];
    const byX = (i.code & SRC.x) !== 0;
    const jump = (op: number, to: Label) => {
      if (byX) asm.jmp32X(op, R7, R8, to);
      else asm.jmp32K(op, R7, i.k, to);
    };
    if (i.jt === i.jf) {
      asm.ja(t);
    } else if (i.jf === 0) {
      jump(j.op, t);
    } else if (i.jt === 0 && j.not !== undefined) {
      jump(j.not, f);
    } else {
      jump(j.op, t);
      asm.ja(f);
    }
  };

  // --- body ---
  prog.forEach((i, pc) => {
    asm.bind(at[pc]);
    const cls = i.code & 0x07;
    const k = i.k >>> 0;
    const unsupported = () => new TranslateError(`${where(prog, pc)}: unknown opcode`);
    switch (cls) {
      case CLASS.ld:
      case CLASS.ldx: {
        const dst = cls === CLASS.ld ? R7 : R8;
        const mode = i.code & 0xe0;
        if (cls === CLASS.ldx && mode === MODE.msh) {
          if ((i.code & 0x18) !== SIZE.b) throw unsupported();
          packetLoad(1, k, false, R8);
          asm.alu32K(OP.and, R8, 0xf);
          asm.alu32K(OP.lsh, R8, 2);
        } else if (mode === MODE.imm) {
          if ((i.code & 0x18) !== SIZE.w) throw unsupported();
          asm.alu32K(OP.mov, dst, k);
        } else if (mode === MODE.mem) {
          if ((i.code & 0x18) !== SIZE.w) throw unsupported();
          asm.load(SZ.w, dst, R10, memOff(k));
        } else if (mode === MODE.len) {
          if ((i.code & 0x18) !== SIZE.w) throw unsupported();
          asm.load(SZ.w, dst, R10, LEN_SLOT);
        } else if (cls === CLASS.ld && (mode === MODE.abs || mode === MODE.ind)) {
          packetLoad(bytesOf(i.code), k, mode === MODE.ind, R7);
        } else {
          throw unsupported();
        }
        break;
      }
      case CLASS.st:
      case CLASS.stx:
        if (i.code !== cls) throw unsupported();
        asm.store(SZ.w, R10, memOff(k), cls === CLASS.st ? R7 : R8);
        break;
      case CLASS.alu: {
        const op = i.code & 0xf0;
        const byX = (i.code & SRC.x) !== 0;
        if (op === ALU.neg) {
          if (i.code !== (CLASS.alu | ALU.neg)) throw unsupported();
          asm.alu32K(OP.neg, R7, 0);
          break;
        }
        const eop = ALU_OPS[op];
        if (eop === undefined) throw unsupported();
        if ((op === ALU.lsh || op === ALU.rsh) && byX) {
          // eBPF masks the shift count; cBPF shifts everything out.
          const zero = asm.label();
          const done = asm.label();
          asm.jmp32K(J.jge, R8, 32, zero);
          asm.alu32X(eop, R7, R8);
          asm.ja(done);
          asm.bind(zero);
          asm.alu32K(OP.mov, R7, 0);
          asm.bind(done);
        } else if ((op === ALU.div || op === ALU.mod) && byX) {
          asm.jmp32K(J.jeq, R8, 0, reject); // bpf_filter() returns 0
          asm.alu32X(eop, R7, R8);
        } else if (byX) {
          asm.alu32X(eop, R7, R8);
        } else {
          asm.alu32K(eop, R7, k);
        }
        break;
      }
      case CLASS.jmp: {
        const op = i.code & 0xf0;
        if (op === JMP.ja) {
          if (i.code !== (CLASS.jmp | JMP.ja)) throw unsupported();
          const to = pc + 1 + (i.k | 0);
          if (to < pc) {
            asm.alu32K(OP.add, R4, 1);
            asm.jmp32K(J.jgt, R4, MAX_BACKWARD_JUMPS, reject);
          }
          asm.ja(at[to]);
        } else if (JUMPS[op]) {
          condJump(pc, i);
        } else {
          throw unsupported();
        }
        break;
      }
      case CLASS.ret: {
        const src = i.code & 0x18;
        if (i.code !== (CLASS.ret | src)) throw unsupported();
        if (src === RVAL.k) {
          asm.ja(k === 0 ? reject : matched);
        } else if (src === RVAL.a) {
          asm.jmp32K(J.jeq, R7, 0, reject);
          asm.ja(matched);
        } else {
          throw unsupported();
        }
        break;
      }
      case CLASS.misc: {
        if (i.code === (CLASS.misc | MISC.tax)) asm.alu32X(OP.mov, R8, R7);
        else if (i.code === (CLASS.misc | MISC.txa)) asm.alu32X(OP.mov, R7, R8);
        else throw unsupported();
        break;
      }
    }
  });

  // --- epilogue ---
  const countAndPass = (counter: number, rejectStage = false) => {
    const done = asm.label();
    asm.storeImm(SZ.w, R10, KEY_SLOT, counter);
    asm.loadMap(R1, FILTER_MAP.counters);
    asm.alu64X(OP.mov, R2, R10);
    asm.alu64K(OP.add, R2, KEY_SLOT);
    asm.call(HELPER.mapLookupElem);
    asm.jmpK(J.jeq, R0, 0, done);
    asm.load(SZ.dw, R1, R0, 0);
    asm.alu64K(OP.add, R1, 1);
    asm.store(SZ.dw, R0, 0, R1); // per-CPU slot: no atomic needed
    asm.bind(done);
    if (rejectStage) {
      // The reject stage (the VLAN variant's: the tag it put in goes out again) passes the
      // packet itself; an empty slot falls through to XDP_PASS here.
      asm.alu64X(OP.mov, R1, R6);
      asm.loadMap(R2, FILTER_MAP.stages);
      asm.alu32K(OP.mov, R3, STAGE.reject);
      asm.call(HELPER.tailCall);
    }
    if (skb) asm.alu64K(OP.mov, R0, TCX_NEXT);
    else asm.alu32K(OP.mov, R0, XDP.pass);
    asm.exit();
  };
  asm.bind(reject);
  countAndPass(COUNTER.filtered, accept === "capture" && !skb);
  asm.bind(matched);
  if (accept === "test") {
    asm.alu32K(OP.mov, R0, XDP.tx);
    asm.exit();
  } else {
    asm.alu64X(OP.mov, R1, R6);
    asm.loadMap(R2, FILTER_MAP.stages);
    asm.alu32K(OP.mov, R3, STAGE.capture);
    asm.call(HELPER.tailCall);
    countAndPass(COUNTER.passed); // only if the capture stage is missing
  }
  try {
    return asm.assemble();
  } catch (e) {
    if (e instanceof RangeError) {
      throw new TranslateError(`filter too large for eBPF jumps (${prog.length} instructions)`);
    }
    throw e;
  }
}
