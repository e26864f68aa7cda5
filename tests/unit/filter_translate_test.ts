// The cBPF -> eBPF translator against libpcap's own interpreter (bpf_filter through the shim; no
// root needed): every expression of filter_cases.ts, hand-written programs for every cBPF
// opcode, and random programs, run in the eBPF model of filter_vm.ts on synthetic frames.

import assert from "node:assert/strict";
import { COUNTER, FILTER_MAP, STAGE } from "../../ffi/abi.ts";
import { pcapCompile, pcapMatch } from "../../ffi/filter.ts";
import { XskError } from "../../ffi/xsk.ts";
import {
  ALU,
  type CbpfInsn,
  CLASS,
  decodeCbpf,
  encodeCbpf,
  formatCbpf,
  insn,
  JMP,
  MISC,
  MODE,
  RVAL,
  SIZE,
  SRC,
} from "../../lib/filter/cbpf.ts";
import {
  MAX_BACKWARD_JUMPS,
  TranslateError,
  translate,
} from "../../lib/filter/translate.ts";
import { EXPRESSIONS, prng, syntheticFrames } from "./filter_cases.ts";
import { runEbpf } from "./filter_vm.ts";

const SNAPLEN = 262144;
const XDP_PASS = 2;
const XDP_TX = 3;
const frames = syntheticFrames();

/** The model's verdict for a test-mode program: true = match. Checks the counters too. */
function modelVerdict(ebpf: Uint8Array, frame: Uint8Array): boolean {
  const r = runEbpf(ebpf, frame);
  if (r.action === XDP_TX) {
    assert.equal(r.counters[COUNTER.filtered], 0);
    return true;
  }
  assert.equal(r.action, XDP_PASS, `unexpected action ${r.action}`);
  assert.equal(r.counters[COUNTER.filtered], 1, "a rejected packet is counted as filtered");
  return false;
}

function libpcapVerdict(cbpf: Uint8Array<ArrayBuffer>, frame: Uint8Array<ArrayBuffer>): boolean {
  return pcapMatch(cbpf, frame) !== 0;
}

function hex(b: Uint8Array): string {
  return Array.from(b.subarray(0, 64), (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Structural checks the verifier makes before it simulates anything. */
function assertWellFormed(ebpf: Uint8Array): void {
  const v = new DataView(ebpf.buffer, ebpf.byteOffset, ebpf.byteLength);
  const n = ebpf.length / 8;
  const wide = new Set<number>();
  for (let i = 0; i < n; i++) if (v.getUint8(i * 8) === 0x18) wide.add(i++);
  const reached = new Uint8Array(n);
  const todo = [0];
  while (todo.length) {
    let pc = todo.pop()!;
    for (; pc < n && !reached[pc]; pc++) {
      reached[pc] = 1;
      const code = v.getUint8(pc * 8);
      const cls = code & 7;
      if (wide.has(pc)) {
        reached[++pc] = 1;
        continue;
      }
      if (cls !== 5 && cls !== 6) continue;
      const op = code & 0xf0;
      if (op === 0x90) break; // exit
      if (op === 0x80) continue; // call
      const to = pc + 1 + v.getInt16(pc * 8 + 2, true);
      assert.ok(to >= 0 && to < n && !wide.has(to - 1), `insn ${pc} jumps to ${to} of ${n}`);
      assert.ok(to > pc || (code === 0x05 && to < pc), `insn ${pc}: only ja may jump back`);
      todo.push(to);
      if (op === 0x00) break;
    }
    assert.ok(pc < n, "a path runs off the end of the program");
  }
  const dead = [...reached.keys()].filter((i) => !reached[i]);
  assert.deepEqual(dead, [], "unreachable instructions (the verifier refuses them)");
}

Deno.test("filter_translate: every expression agrees with libpcap on every synthetic frame", () => {
  let comparisons = 0;
  let matches = 0;
  for (const expr of EXPRESSIONS) {
    const cbpf = pcapCompile(expr, SNAPLEN);
    const ebpf = translate(decodeCbpf(cbpf), { accept: "test" });
    assertWellFormed(ebpf);
    assertWellFormed(translate(decodeCbpf(cbpf)));
    for (const f of frames) {
      const want = libpcapVerdict(cbpf, f);
      let got: boolean;
      try {
        got = modelVerdict(ebpf, f);
      } catch (e) {
        throw new Error(`'${expr}' on ${hex(f)}: ${(e as Error).message}`);
      }
      assert.equal(got, want, `'${expr}' on ${f.length}-byte frame ${hex(f)}`);
      comparisons++;
      if (want) matches++;
    }
  }
  console.log(
    `  ${EXPRESSIONS.length} expressions x ${frames.length} frames: ${comparisons} agree ` +
      `(${matches} matches)`,
  );
  assert.ok(matches > 1000 && comparisons - matches > 1000, "frames must exercise both verdicts");
});

// One program per cBPF opcode form; each loads packet bytes so the verdict depends on the frame.
const A_FROM_PKT = [insn(CLASS.ld | SIZE.h | MODE.abs, 14)];
const X_FROM_PKT = [insn(CLASS.ldx | SIZE.b | MODE.msh, 14)];
const RET_A = insn(CLASS.ret | RVAL.a);
const RET_0 = insn(CLASS.ret | RVAL.k, 0);
const RET_1 = insn(CLASS.ret | RVAL.k, 1);
const alu = (op: number, src: number, k = 0) => insn(CLASS.alu | op | src, k);
const jmp = (op: number, src: number, k: number, jt: number, jf: number) =>
  insn(CLASS.jmp | op | src, k, jt, jf);

const OPCODE_PROGRAMS: Record<string, CbpfInsn[]> = {
  "ld w abs": [insn(CLASS.ld | SIZE.w | MODE.abs, 12), RET_A],
  "ld h abs": [insn(CLASS.ld | SIZE.h | MODE.abs, 13), RET_A],
  "ld b abs": [insn(CLASS.ld | SIZE.b | MODE.abs, 15), RET_A],
  "ld w ind": [...X_FROM_PKT, insn(CLASS.ld | SIZE.w | MODE.ind, 10), RET_A],
  "ld h ind": [...X_FROM_PKT, insn(CLASS.ld | SIZE.h | MODE.ind, 14), RET_A],
  "ld b ind": [...X_FROM_PKT, insn(CLASS.ld | SIZE.b | MODE.ind, 16), RET_A],
  "ld b ind, k beyond a 16-bit offset": [...X_FROM_PKT, insn(CLASS.ld | SIZE.b | MODE.ind, 40000),
    RET_1],
  "ldx msh": [...X_FROM_PKT, insn(CLASS.misc | MISC.txa), RET_A],
  "ld len": [insn(CLASS.ld | SIZE.w | MODE.len), jmp(JMP.jgt, SRC.k, 60, 0, 1), RET_1, RET_0],
  "ldx len": [insn(CLASS.ldx | SIZE.w | MODE.len), insn(CLASS.misc | MISC.txa), alu(ALU.sub, SRC.k, 70),
    RET_A],
  "ld imm": [insn(CLASS.ld | MODE.imm, 0xdeadbeef), RET_A],
  "ldx imm": [insn(CLASS.ldx | MODE.imm, 7), insn(CLASS.misc | MISC.txa), RET_A],
  "st, ld mem": [...A_FROM_PKT, insn(CLASS.st, 3), insn(CLASS.ld | MODE.imm, 0),
    insn(CLASS.ld | MODE.mem, 3), RET_A],
  "stx, ldx mem": [...X_FROM_PKT, insn(CLASS.stx, 15), insn(CLASS.ldx | MODE.imm, 0),
    insn(CLASS.ldx | MODE.mem, 15), insn(CLASS.misc | MISC.txa), RET_A],
  "ld mem before any st reads 0": [insn(CLASS.ld | MODE.mem, 5), RET_A],
  "tax, txa": [...A_FROM_PKT, insn(CLASS.misc | MISC.tax), insn(CLASS.ld | MODE.imm, 0),
    insn(CLASS.misc | MISC.txa), RET_A],
  "ret k": [RET_1],
  "ret 0": [RET_0],
  "ja": [insn(CLASS.jmp | JMP.ja, 1), RET_0, ...A_FROM_PKT, RET_A],
  "falls off the end": [...A_FROM_PKT],
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
OPCODE_PROGRAMS["lsh x, any count"] = [insn(CLASS.ld | SIZE.b | MODE.abs, 20),
  insn(CLASS.misc | MISC.tax),
  insn(CLASS.ld | SIZE.w | MODE.abs, 26), alu(ALU.lsh, SRC.x), RET_A];
OPCODE_PROGRAMS["rsh x, any count"] = [insn(CLASS.ld | SIZE.b | MODE.abs, 21),
  insn(CLASS.misc | MISC.tax), insn(CLASS.ld | MODE.imm, 0xffffffff), alu(ALU.rsh, SRC.x), RET_A];
OPCODE_PROGRAMS["div x by 0 returns 0"] = [insn(CLASS.ldx | MODE.imm, 0),
  insn(CLASS.ld | MODE.imm, 9), alu(ALU.div, SRC.x), RET_1];
OPCODE_PROGRAMS["mod x by 0 returns 0"] = [insn(CLASS.ldx | MODE.imm, 0),
  insn(CLASS.ld | MODE.imm, 9), alu(ALU.mod, SRC.x), RET_1];
OPCODE_PROGRAMS["div x from the packet"] = [insn(CLASS.ld | SIZE.b | MODE.abs, 22),
  insn(CLASS.misc | MISC.tax), insn(CLASS.ld | SIZE.w | MODE.abs, 26), alu(ALU.div, SRC.x),
  RET_A];
OPCODE_PROGRAMS["mod x from the packet"] = [insn(CLASS.ld | SIZE.b | MODE.abs, 22),
  insn(CLASS.misc | MISC.tax), insn(CLASS.ld | SIZE.w | MODE.abs, 26), alu(ALU.mod, SRC.x),
  RET_A];
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
const VALID_OPCODES = [
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

Deno.test("filter_translate: every cBPF opcode agrees with libpcap", () => {
  const covered = new Set<number>();
  for (const [name, prog] of Object.entries(OPCODE_PROGRAMS)) {
    for (const i of prog) covered.add(i.code);
    const cbpf = encodeCbpf(prog);
    const ebpf = translate(prog, { accept: "test" });
    assertWellFormed(ebpf);
    for (const f of frames) {
      const want = libpcapVerdict(cbpf, f);
      assert.equal(modelVerdict(ebpf, f), want, `${name} on ${hex(f)}`);
    }
  }
  const missing = VALID_OPCODES.filter((c) => !covered.has(c)).map((c) => `0x${c.toString(16)}`);
  assert.deepEqual(missing, [], "opcodes without a test program");
});

Deno.test("filter_translate: loads far into a big packet and far past it", () => {
  const big = new Uint8Array(40_100);
  big[12] = 0x08;
  big[40_000] = 1;
  big[40_001 + 7] = 9;
  for (const expr of ["ether[40000] == 1", "ether[70000] == 0", "ether[40000:4] == 0x01000000"]) {
    const cbpf = pcapCompile(expr, SNAPLEN);
    const ebpf = translate(decodeCbpf(cbpf), { accept: "test" });
    assert.equal(modelVerdict(ebpf, big), libpcapVerdict(cbpf, big), expr);
  }
  const ind = OPCODE_PROGRAMS["ld b ind, k beyond a 16-bit offset"];
  const ebpf = translate(ind, { accept: "test" });
  assert.equal(modelVerdict(ebpf, big), libpcapVerdict(encodeCbpf(ind), big));
});

/** A random valid cBPF program: forward jumps only, any opcode, edge-case constants. */
function randomProgram(rnd: () => number): CbpfInsn[] {
  const n = 3 + Math.floor(rnd() * 30);
  const ks = [0, 1, 2, 12, 13, 14, 20, 23, 31, 32, 33, 40, 0x7fff, 0xffff, 0x10000, 0xffffffff];
  const k = () => rnd() < 0.5 ? ks[Math.floor(rnd() * ks.length)] : Math.floor(rnd() * 2 ** 32);
  const off = () => Math.floor(rnd() * 70);
  const prog: CbpfInsn[] = [];
  for (let pc = 0; pc < n - 1; pc++) {
    const left = n - pc - 2; // instructions after this one, before the final ret
    const code = VALID_OPCODES[Math.floor(rnd() * VALID_OPCODES.length)];
    const cls = code & 7;
    const mode = code & 0xe0;
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

Deno.test("filter_translate: random cBPF programs agree with libpcap", () => {
  const rnd = prng(42);
  const sample = frames.filter((_, i) => i % 7 === 0);
  let comparisons = 0;
  for (let p = 0; p < 400; p++) {
    const prog = randomProgram(rnd);
    const cbpf = encodeCbpf(prog);
    const ebpf = translate(prog, { accept: "test" });
    assertWellFormed(ebpf);
    for (const f of sample) {
      const want = libpcapVerdict(cbpf, f);
      assert.equal(
        modelVerdict(ebpf, f),
        want,
        `program ${p}:\n${formatCbpf(prog).join("\n")}\non ${hex(f)}`,
      );
      comparisons++;
    }
  }
  console.log(`  400 random programs: ${comparisons} verdicts agree`);
});

Deno.test("filter_translate: capture mode tail-calls the capture stage, or passes and counts", () => {
  const prog = decodeCbpf(pcapCompile("udp", SNAPLEN));
  const ebpf = translate(prog); // accept: "capture"
  const udp = frames.find((f) => libpcapVerdict(encodeCbpf(prog), f))!;
  const other = frames.find((f) => !libpcapVerdict(encodeCbpf(prog), f))!;
  const hit = runEbpf(ebpf, udp, { stages: [STAGE.capture] });
  assert.equal(hit.tailCall, STAGE.capture);
  assert.deepEqual(hit.counters, [0, 0, 0, 0, 0]);
  const lost = runEbpf(ebpf, udp, { stages: [] });
  assert.equal(lost.action, XDP_PASS, "no capture stage: the packet goes to the stack");
  assert.equal(lost.counters[COUNTER.passed], 1);
  const miss = runEbpf(ebpf, other, { stages: [STAGE.capture] });
  assert.equal(miss.action, XDP_PASS);
  assert.equal(miss.tailCall, undefined);
  assert.equal(miss.counters[COUNTER.filtered], 1);
  assert.equal(FILTER_MAP.stages, 0);
});

Deno.test("filter_translate: constant verdicts leave out the unused epilogue", () => {
  for (const prog of [[RET_0], [RET_1], decodeCbpf(pcapCompile("ip and not ip", SNAPLEN))]) {
    const ebpf = translate(prog);
    assertWellFormed(ebpf);
  }
  const all = translate([RET_1]);
  const none = translate([RET_0]);
  const f = frames[0];
  assert.equal(runEbpf(all, f, { stages: [STAGE.capture] }).tailCall, STAGE.capture);
  assert.equal(runEbpf(none, f).counters[COUNTER.filtered], 1);
});

Deno.test("filter_translate: protochain loops stop after MAX_BACKWARD_JUMPS", () => {
  const cbpf = pcapCompile("ip6 protochain 6", SNAPLEN);
  const ebpf = translate(decodeCbpf(cbpf), { accept: "test" });
  const chain = (headers: number) => {
    const f = new Uint8Array(14 + 40 + headers * 8 + 20);
    f[12] = 0x86;
    f[13] = 0xdd;
    f[20] = 0; // hop-by-hop options follow
    for (let i = 0; i < headers; i++) f[54 + i * 8] = i === headers - 1 ? 6 : 0;
    return f;
  };
  // Each extension header is one trip round the loop.
  for (const n of [1, 10, MAX_BACKWARD_JUMPS]) {
    assert.equal(modelVerdict(ebpf, chain(n)), true, `${n} headers`);
    assert.equal(libpcapVerdict(cbpf, chain(n)), true);
  }
  // libpcap 1.10.3 follows any chain (and loops forever on a crafted AH header); newer
  // libpcap and this translation give up after MAX_BACKWARD_JUMPS.
  assert.equal(modelVerdict(ebpf, chain(MAX_BACKWARD_JUMPS + 1)), false);
});

Deno.test("filter_translate: refuses what libpcap's validator refuses", () => {
  const bad: Record<string, CbpfInsn[]> = {
    "division by the constant 0": [insn(CLASS.alu | ALU.div, 0), RET_A],
    "modulo by the constant 0": [insn(CLASS.alu | ALU.mod, 0), RET_A],
    "no scratch word": [insn(CLASS.ld | MODE.mem, 16), RET_A],
    "no scratch word for st": [insn(CLASS.st, 99), RET_A],
    "conditional jump past the end": [jmp(JMP.jeq, SRC.k, 0, 0, 5), RET_A],
    "ja past the end": [insn(CLASS.jmp | JMP.ja, 3), RET_A],
    "ja to itself": [insn(CLASS.jmp | JMP.ja, 0xffffffff), RET_A],
    "unknown opcode": [insn(0xc4), RET_A],
    "ldx abs": [insn(CLASS.ldx | SIZE.w | MODE.abs, 0), RET_A],
    "ret x": [insn(CLASS.ret | 0x08)],
  };
  for (const [name, prog] of Object.entries(bad)) {
    assert.throws(() => translate(prog), TranslateError, name);
    assert.throws(() => pcapMatch(encodeCbpf(prog), frames[0]), XskError, `libpcap: ${name}`);
  }
  assert.throws(() => translate([]), /empty/);
  assert.throws(
    () => translate([insn(CLASS.alu | ALU.div, 0), RET_A]),
    /instruction 0 \(div\s+#0\): division by the constant 0/,
  );
});

Deno.test("filter_translate: pcapCompile reports the expression and libpcap's reason", () => {
  assert.throws(() => pcapCompile("tcp prot 80", SNAPLEN), (e: unknown) => {
    assert.ok(e instanceof XskError);
    assert.equal(e.code, "EINVAL");
    assert.match(e.message, /^filter 'tcp prot 80': .*syntax error/);
    return true;
  });
  assert.throws(() => pcapCompile("ip broadcast", SNAPLEN), /netmask not known/);
  assert.equal(pcapCompile("", SNAPLEN).length, 8, "an empty expression accepts everything");
});

Deno.test("filter_translate: the listing matches tcpdump -d", async () => {
  let tcpdump: string;
  try {
    tcpdump = (await new Deno.Command("which", { args: ["tcpdump"] }).output()).success
      ? "tcpdump"
      : "";
  } catch {
    tcpdump = "";
  }
  if (!tcpdump) {
    console.log("  skipped: tcpdump is not installed");
    return;
  }
  for (const expr of EXPRESSIONS.filter((_, i) => i % 4 === 0)) {
    const out = await new Deno.Command(tcpdump, { args: ["-d", expr], stderr: "null" }).output();
    assert.ok(out.success, `tcpdump -d '${expr}' failed`);
    const want = new TextDecoder().decode(out.stdout).trimEnd().split("\n");
    assert.deepEqual(formatCbpf(decodeCbpf(pcapCompile(expr, SNAPLEN))), want, expr);
  }
});
