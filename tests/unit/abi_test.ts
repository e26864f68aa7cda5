// The ABI's copies held together: csrc/shim.h is the one source, and ffi/symbols.ts (names,
// order, parameter and result types), csrc/libxskdump.map (the exported names), ffi/abi.ts (the
// constants) and the layer order of csrc/ (shim.h's opening comment, its sections, the Makefile,
// every #include) must agree with it. Text only: no root, no shim. Every failure names the symbol
// or constant and both sides.
import assert from "node:assert/strict";
import * as abi from "../../ffi/abi.ts";
import { ABI_VERSION, symbols } from "../../ffi/symbols.ts";
import { GUARD_KINDS } from "../../lib/capture/integrity.ts";

const root = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, root));

/**
 * C text without comments and attributes, each replaced by as many spaces (line breaks kept), so
 * offsets and columns stay those of the source.
 */
function stripComments(src: string): string {
  const blank = (c: string) => c.replace(/[^\n]/g, " ");
  return src.replace(/\/\*[\s\S]*?\*\//g, blank).replace(/\/\/[^\n]*/g, blank).replace(
    /__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g,
    blank,
  );
}

/** A C function prototype, its types as Deno's FFI spells them. */
interface Prototype {
  name: string;
  parameters: string[];
  result: string;
  /** Offset in the source, to place it in a section. */
  at: number;
}

const FFI_TYPE: Record<string, string> = {
  int8_t: "i8",
  uint8_t: "u8",
  int16_t: "i16",
  uint16_t: "u16",
  int32_t: "i32",
  uint32_t: "u32",
  int64_t: "i64",
  uint64_t: "u64",
  void: "void",
};

/** The FFI type of a C parameter or result type: any pointer is a "buffer". */
function ffiType(decl: string, where: string): string {
  const t = decl.replace(/\bconst\b/g, " ").trim();
  if (t.includes("*")) return "buffer";
  const base = t.split(/\s+/)[0];
  const ffi = FFI_TYPE[base];
  if (!ffi) throw new Error(`${where}: C type '${decl.trim()}' has no FFI mapping in abi_test.ts`);
  return ffi;
}

/** Every function prototype of a header (multi-line ones too), in order. */
function prototypes(src: string): Prototype[] {
  const text = stripComments(src);
  const out: Prototype[] = [];
  const re = /^([A-Za-z_][\w \t*]*?)\b(\w+)\s*\(([^)]*)\)\s*;/gm;
  for (const m of text.matchAll(re)) {
    const [, ret, name, params] = m;
    const list = params.trim() === "void" ? [] : params.split(",").map((p) =>
      // Drop the parameter's name: the last identifier, unless the type is all there is.
      p.trim().replace(/\s*\b\w+$/, (n) => (FFI_TYPE[n.trim()] ? n : ""))
    );
    out.push({
      name,
      parameters: list.map((p) => ffiType(p, `${name}()`)),
      result: ffiType(ret, `${name}()`),
      at: m.index!,
    });
  }
  return out;
}

/** Evaluates a C constant expression: numbers, known names, ( ) + - * << |. */
function evalC(expr: string, known: Map<string, number>, where: string): number {
  const tokens = expr.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|\w+|<<|[()+\-*|]/g) ?? [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${where}: cannot evaluate '${expr}': ${why}`);
  };
  const atom = (): number => {
    const t = tokens[i++];
    if (t === undefined) return fail("it ends early");
    if (t === "(") {
      const v = or();
      if (tokens[i++] !== ")") fail("a parenthesis is not closed");
      return v;
    }
    if (t === "-") return -atom();
    if (/^\d/.test(t)) return Number(t.replace(/[uUlL]+$/, ""));
    const v = known.get(t);
    return v === undefined ? fail(`'${t}' is not a known constant`) : v;
  };
  const product = (): number => {
    let v = atom();
    while (tokens[i] === "*") {
      i++;
      v *= atom();
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[i] === "+" || tokens[i] === "-") {
      v = tokens[i++] === "+" ? v + product() : v - product();
    }
    return v;
  };
  const shift = (): number => {
    let v = sum();
    while (tokens[i] === "<<") {
      i++;
      v *= 2 ** sum();
    }
    return v;
  };
  const or = (): number => {
    let v = shift();
    while (tokens[i] === "|") {
      i++;
      v = (v | shift()) >>> 0;
    }
    return v;
  };
  const v = or();
  if (i !== tokens.length) fail(`'${tokens[i]}' is left over`);
  return v;
}

/** Numeric constants of C headers: object-like #defines and enum members, by name. */
function constants(...sources: [string, string][]): Map<string, number> {
  const known = new Map<string, number>();
  for (const [path, src] of sources) {
    const text = stripComments(src);
    for (const m of text.matchAll(/^#define\s+(\w+)[ \t]+([^\n]+)$/gm)) {
      const value = m[2].trim();
      if (value.startsWith('"')) continue; // a string, not a number
      known.set(m[1], evalC(value, known, `${path}: ${m[1]}`));
    }
    for (const m of text.matchAll(/\benum\s+\w+\s*\{([^}]*)\}/g)) {
      let next = 0;
      for (const item of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
        const [name, value] = item.split("=").map((s) => s.trim());
        next = value === undefined ? next : evalC(value, known, `${path}: ${name}`);
        known.set(name, next++);
      }
    }
  }
  return known;
}

/**
 * shim.h as the compiler reads it: each `#include "shim_*.h"` line replaced by that header's text
 * (the ABI's sections live in them), so prototypes, constants and sections keep their order.
 */
function withSections(path: string): string {
  return read(path).replace(/^#include "(shim_\w+\.h)"$/gm, (_, h) => withSections(`csrc/${h}`));
}

const shimH = withSections("csrc/shim.h");
const abiH = read("bpf/xskdump_abi.h");
const shimProtos = prototypes(shimH);
const C = constants(["csrc/shim.h", shimH], ["bpf/xskdump_abi.h", abiH]);

Deno.test("abi: the parser reads what it must (multi-line prototypes, pointers, void)", () => {
  const p = prototypes(
    "int32_t a(void);\n/* b(int x); */\nint32_t b(const char *s, uint8_t *buf,\n\t\tuint64_t len);\n",
  );
  assert.deepEqual(p.map(({ name, parameters, result }) => ({ name, parameters, result })), [
    { name: "a", parameters: [], result: "i32" },
    { name: "b", parameters: ["buffer", "buffer", "u64"], result: "i32" },
  ]);
  assert.throws(() => prototypes("int32_t c(size_t n);"), /c\(\): C type 'size_t'/);
  const k = constants(["t.h", "#define A 4\n#define B (A + 1)\nenum e { X = 0, Y, Z = B * 2 };"]);
  assert.deepEqual([...k], [["A", 4], ["B", 5], ["X", 0], ["Y", 1], ["Z", 10]]);
  assert.ok(shimProtos.length >= 40, `only ${shimProtos.length} prototypes found in shim.h`);
  // Every section header is read: shim.h includes each csrc/shim_*.h once (a csrc/ file that
  // includes one itself fails the include rule below).
  const parts = [...Deno.readDirSync(new URL("csrc/", root))].map((e) => e.name).filter((n) =>
    /^shim_\w+\.h$/.test(n)
  ).sort();
  const included = [...read("csrc/shim.h").matchAll(/^#include "(shim_\w+\.h)"$/gm)].map((m) =>
    m[1]
  );
  assert.deepEqual([...included].sort(), parts, "shim.h includes every csrc/shim_*.h, once");
});

Deno.test("abi: ffi/symbols.ts has shim.h's functions, in its order, with its types", () => {
  const bad: string[] = [];
  const ts = Object.entries(symbols) as [
    string,
    { parameters: readonly string[]; result: string },
  ][];
  const n = Math.max(ts.length, shimProtos.length);
  for (let i = 0; i < n; i++) {
    const c = shimProtos[i]?.name ?? "(nothing)";
    const t = ts[i]?.[0] ?? "(nothing)";
    if (c !== t) bad.push(`entry ${i}: csrc/shim.h has ${c}, ffi/symbols.ts has ${t}`);
  }
  const byName = new Map(ts);
  for (const p of shimProtos) {
    const t = byName.get(p.name);
    if (!t) continue; // reported above
    const want = JSON.stringify(p.parameters), got = JSON.stringify(t.parameters);
    if (want !== got) bad.push(`${p.name} parameters: csrc/shim.h ${want}, ffi/symbols.ts ${got}`);
    if (p.result !== t.result) {
      bad.push(`${p.name} result: csrc/shim.h ${p.result}, ffi/symbols.ts ${t.result}`);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("abi: csrc/libxskdump.map exports exactly shim.h's functions", () => {
  const map = stripComments(read("csrc/libxskdump.map"));
  const global = map.match(/global:([\s\S]*?)local:/)?.[1] ?? "";
  const exported = new Set(global.split(";").map((s) => s.trim()).filter(Boolean));
  const declared = new Set(shimProtos.map((p) => p.name));
  const bad = [
    ...[...declared].filter((n) => !exported.has(n)).map((n) => `${n}: in shim.h, not in the map`),
    ...[...exported].filter((n) => !declared.has(n)).map((n) => `${n}: in the map, not in shim.h`),
  ];
  assert.deepEqual(bad, []);
});

/**
 * How ffi/abi.ts names what it mirrors: a number NAME is XSKDUMP_NAME (NAME_COUNT is
 * XSKDUMP_NAME__COUNT), a table's entry TABLE.someName is XSKDUMP_TABLE_SOME_NAME, with TABLE
 * spelled as PREFIX says where C's prefix is shorter. RENAMED lists the names that follow no rule.
 */
const PREFIX: Record<string, string> = {
  COUNTER: "CNT",
  TAP_COUNTER: "TAP",
  XDP_OWNER: "XDP",
  XDP_FEATURE: "XDP",
  FILE_MODE: "FILE",
  FILE_FORMAT: "FILE",
  WRITER_STOP: "WRITER",
  PROC_HOW: "PROC",
  CGROUP_ROOT: "CGROUP",
};
const RENAMED: Record<string, string> = {
  "XDP_OWNER.xskdump": "XSKDUMP_XDP_OURS",
  COUNTER_COUNT: "XSKDUMP_CNT__MAX",
  TAP_COUNTER_COUNT: "XSKDUMP_TAP_CNT__MAX",
  GUARD_KIND_COUNT: "XSKDUMP_GUARD_KINDS",
};
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/** Every mirror: its TypeScript name (ffi/abi.ts unless said), its value, its C name. */
function mirrors(): { table: [ts: string, value: number, c: string][]; bad: string[] } {
  const table: [string, number, string][] = [
    ["ABI_VERSION (ffi/symbols.ts)", ABI_VERSION, "XSKDUMP_ABI_VERSION"],
    ...GUARD_KINDS.map((k, i): [string, number, string] => [
      `GUARD_KINDS[${i}] (lib/capture/integrity.ts, "${k}")`,
      i,
      `XSKDUMP_GUARD_${k.toUpperCase()}`,
    ]),
    ["PROC_PROBES (its length)", abi.PROC_PROBES.length, "XSKDUMP_PROC_PROBES"],
  ];
  const bad: string[] = [];
  for (const [k, v] of Object.entries(abi)) {
    if (k in TS_ONLY) continue;
    if (typeof v === "number") {
      table.push([k, v, RENAMED[k] ?? `XSKDUMP_${k.replace(/_COUNT$/, "__COUNT")}`]);
      continue;
    }
    const entries = v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.entries(v)
      : [];
    if (!entries.length || entries.some(([, n]) => typeof n !== "number")) {
      bad.push(`ffi/abi.ts ${k}: not a number or a table of numbers, and not in TS_ONLY`);
    }
    for (const [f, n] of entries) {
      const ts = `${k}.${f}`;
      table.push([ts, n as number, RENAMED[ts] ?? `XSKDUMP_${PREFIX[k] ?? k}_${snake(f)}`]);
    }
  }
  return { table, bad };
}

/** C constants TypeScript has no use for, and why. */
const NOT_MIRRORED: Record<string, string> = {
  XSKDUMP_META_MAGIC: "only the shim reads the metadata in front of a packet",
  XSKDUMP_STAGE__MAX: "sizes the prog array in C; TypeScript names single slots",
  XSKDUMP_TAP_REC_VERSION: "only the shim reads a tap record's header",
  XSKDUMP_META_VLAN: "only the XDP program reads the metadata's flags",
  XSKDUMP_META_HW_TIMESTAMP: "only the XDP program and the shim read the metadata's flags",
  XSKDUMP_MAX_SNAPLEN: "the bound MAX_SNAPLEN of lib/formats/magic.ts is, which -s checks first",
  XSKDUMP_TAP_REC_VERSION_PROC: "only the shim reads a tap record's header",
  XSKDUMP_PROC_HOW_MASK: "the shim folds how into DESC_FLAGS (DESC_PROC_HOW_MAX)",
  XSKDUMP_PROC_CLOSED: "the shim folds it into DESC_FLAGS (DESC_PROC_CLOSED)",
  XSKDUMP_PROC_CNT_CREATE: "read through xsk_proc_counters (PROC_STAT)",
  XSKDUMP_PROC_CNT_USE: "read through xsk_proc_counters (PROC_STAT)",
  XSKDUMP_PROC_CNT_RELEASE: "read through xsk_proc_counters (PROC_STAT)",
  XSKDUMP_PROC_CNT_MAP_FULL: "read through xsk_proc_counters (PROC_STAT)",
  XSKDUMP_PROC_CNT__MAX: "sizes the counters map in C",
  XSKDUMP_PROCS_MAX: "sizes a BPF map",
  XSKDUMP_PROCS_CLOSED_MAX: "sizes a BPF map",
  XSKDUMP_TAP_SCRATCH_MIN: "sizes the tap programs' scratch record in the shim",
  XSKDUMP_PROC_CACHE_NS: "the flow cache's default age, set by the shim (XSKDUMP_PROC_CACHE_NS)",
};

/** ffi/abi.ts exports that mirror nothing in C, and why. */
const TS_ONLY: Record<string, string> = {
  MODE_NAME: "MODE turned around (checked below)",
  DEFAULT_FRAMES: "a default of the TypeScript side; the shim takes any power of two",
  DEFAULT_BUFFER_BYTES: "derived from DEFAULT_FRAMES",
  DESC_QUEUE_MASK: "the DESC_FLAGS bits below DESC_DIR_SHIFT",
  PROC_BYTES: "sizeof(struct xskdump_proc), which the tests check against its fields",
  PROC_FIELD: "offsets in struct xskdump_proc",
  PROC_PROBES: "names, in xsk_proc_probe's order; its length is mirrored",
  HOOK_NAME: "HOOK turned around",
};

const MIRRORS = mirrors();

Deno.test("abi: every constant mirrored in TypeScript equals its C value", () => {
  const bad = [...MIRRORS.bad];
  for (const [ts, value, c] of MIRRORS.table) {
    const want = C.get(c);
    if (want === undefined) bad.push(`${ts}: mirrors ${c}, which no C header defines`);
    else if (want !== value) bad.push(`${ts} is ${value}, but ${c} is ${want}`);
  }
  for (const [n, k] of Object.entries(abi.MODE)) {
    if (abi.MODE_NAME[k] !== n) bad.push(`MODE_NAME[${k}] is ${abi.MODE_NAME[k]}, not ${n}`);
  }
  assert.deepEqual(bad, []);
});

Deno.test("abi: the mirrors' names follow C's (a renamed one is listed), each C name once", () => {
  assert.equal(snake("noHwTimestamp"), "NO_HW_TIMESTAMP");
  const named = new Map<string, string>();
  const bad: string[] = [];
  for (const [ts, , c] of MIRRORS.table) {
    if (named.has(c)) bad.push(`${ts} and ${named.get(c)} both mirror ${c}`);
    named.set(c, ts);
  }
  const used = new Set(MIRRORS.table.map(([ts]) => ts));
  for (const ts of Object.keys(RENAMED)) {
    if (!used.has(ts)) bad.push(`RENAMED lists ${ts}: no such mirror`);
  }
  for (const k of Object.keys(PREFIX)) {
    if (!(k in abi)) bad.push(`PREFIX lists ${k}: not in ffi/abi.ts`);
  }
  assert.deepEqual(bad, []);
});

Deno.test("abi: every C constant is mirrored, or the table says why TypeScript needs none", () => {
  const mirrored = new Set(MIRRORS.table.map(([, , c]) => c));
  const bad: string[] = [];
  for (const c of C.keys()) {
    if (!mirrored.has(c) && !(c in NOT_MIRRORED)) {
      bad.push(`${c} (${C.get(c)}): no mirror in ffi/abi.ts and no reason in NOT_MIRRORED`);
    }
  }
  for (const c of Object.keys(NOT_MIRRORED)) {
    if (!C.has(c)) bad.push(`NOT_MIRRORED lists ${c}, which no C header defines`);
    if (mirrored.has(c)) bad.push(`NOT_MIRRORED lists ${c}, which ffi/abi.ts mirrors`);
  }
  for (const k of Object.keys(TS_ONLY)) {
    if (!(k in abi)) bad.push(`TS_ONLY lists ${k}: not in ffi/abi.ts`);
  }
  assert.deepEqual(bad, []);
});

// The layers of csrc/, as shim.h's opening comment states them.
const layerOf = new Map<string, number>(
  [...shimH.matchAll(/^ \*\s+(\d+) (\w+\.c)\s/gm)].map((m) => [m[2], Number(m[1])]),
);
const glue = (shimH.match(/link glue only: ([^\n]*)\./)?.[1] ?? "").split(/,\s*/);
const cFiles = [...Deno.readDirSync(new URL("csrc/", root))].map((e) => e.name).filter((n) =>
  n.endsWith(".c")
).sort();
const layered = [...layerOf.keys()];
const src = new Map(layered.map((f) => [f, stripComments(read(`csrc/${f}`))]));
const headerOf = (f: string) => f.replace(/\.c$/, ".h");

Deno.test("abi: shim.h states the layers of csrc/, and the Makefile builds them in order", () => {
  assert.ok(layered.length >= 8, `shim.h lists ${layered.length} layered files`);
  const bad: string[] = [];
  for (const f of cFiles) {
    if (!layerOf.has(f) && !glue.includes(f)) bad.push(`csrc/${f}: in no layer of shim.h`);
  }
  for (const f of [...layered, ...glue]) {
    if (!cFiles.includes(f) && !f.endsWith(".S")) bad.push(`shim.h lists ${f}, not in csrc/`);
  }
  const m = read("Makefile").match(/^SHIM_SRCS := \$\(addprefix csrc\/,([^)]*)\)/m);
  const make = (m?.[1] ?? "").replace(/\\\n/g, " ").split(/\s+/).filter(Boolean);
  const want = [...layered, ...glue.filter((g) => g.endsWith(".c"))];
  if (make.join(" ") !== want.join(" ")) {
    bad.push(`Makefile SHIM_SRCS is '${make.join(" ")}', shim.h's order is '${want.join(" ")}'`);
  }
  assert.deepEqual(bad, []);
});

Deno.test("abi: each csrc/ file includes only its own header and those of lower layers", () => {
  const bad: string[] = [];
  const own = new Map(layered.map((f) => [headerOf(f), f]));
  const check = (path: string, layer: number, mine: string | undefined) => {
    for (const m of read(path).matchAll(/^#include "([^"]+)"/gm)) {
      const h = m[1];
      if (h === "shim.h" || h === "../bpf/xskdump_abi.h" || h === mine) continue;
      if (h === "../bpf/uapi_next.h") continue; // kernel constants, no code
      const owner = own.get(h);
      if (owner === undefined) bad.push(`${path} includes ${h}, the header of no layered file`);
      else if (layerOf.get(owner)! >= layer) {
        bad.push(`${path} (layer ${layer}) includes ${h} of layer ${layerOf.get(owner)}`);
      }
    }
  };
  for (const f of layered) {
    check(`csrc/${f}`, layerOf.get(f)!, headerOf(f));
    try {
      check(`csrc/${headerOf(f)}`, layerOf.get(f)!, undefined);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e; // no header: nothing internal to share
    }
  }
  assert.deepEqual(bad, []);
});

/** The file of a layer that defines function `name` (a body follows its parameter list). */
function definedIn(name: string): string | undefined {
  const re = new RegExp(`^[A-Za-z_][^;{}]*\\b${name}\\s*\\([^;{}]*\\)\\s*\\{`, "m");
  return layered.find((f) => re.test(src.get(f)!));
}

Deno.test("abi: each header declares only what its own file defines", () => {
  const bad: string[] = [];
  for (const f of layered) {
    let h: string;
    try {
      h = read(`csrc/${headerOf(f)}`);
    } catch {
      continue;
    }
    for (const p of prototypesLoose(h)) {
      const at = definedIn(p);
      if (at !== f) bad.push(`${headerOf(f)} declares ${p}, defined in ${at ?? "no layered file"}`);
    }
    for (const m of stripComments(h).matchAll(/^extern\b[^;(]*?\b(\w+)\s*(\[[^\]]*\])?\s*;/gm)) {
      const def = new RegExp(`^(?!extern)[A-Za-z_][^;(]*\\b${m[1]}\\b\\s*(\\[|;|=)`, "m");
      if (!def.test(src.get(f)!)) bad.push(`${headerOf(f)} declares ${m[1]}, not defined in ${f}`);
    }
  }
  // A file's own prototypes of others' functions would dodge the include rule.
  for (const f of layered) {
    const re =
      /^(?!static\b|_Static_assert\b|extern\b)[A-Za-z_][^;{}#\n]*?\b(\w+)\s*\([^;{}]*\)\s*;/gm;
    for (const m of src.get(f)!.matchAll(re)) bad.push(`${f} declares ${m[1]} itself`);
  }
  assert.deepEqual(bad, []);
});

/** Names of the function prototypes of an internal header (any types). */
function prototypesLoose(h: string): string[] {
  const re = /^(?!#)[A-Za-z_][^;{}()\n]*?\b(\w+)\s*\([^;{}]*\)\s*;/gm;
  return [...stripComments(h).matchAll(re)].map((m) => m[1]);
}

Deno.test("abi: shim.h's sections follow the layers, each function in its file's section", () => {
  const bad: string[] = [];
  const sections = [...shimH.matchAll(/^\/\* ==== ([\w., ]+): [^=]* ==== \*\/$/gm)].map((m) => ({
    files: m[1].split(/,\s*/),
    at: m.index!,
  }));
  const order = sections.flatMap((s) => s.files).filter((f) => layerOf.has(f));
  if (order.join(" ") !== layered.join(" ")) {
    bad.push(`sections are '${order.join(" ")}', the layers '${layered.join(" ")}'`);
  }
  for (const s of sections) {
    for (const f of s.files) if (!layerOf.has(f)) bad.push(`section of ${f}: not a layered file`);
  }
  for (const p of shimProtos) {
    const section = sections.filter((s) => s.at < p.at).pop();
    const at = definedIn(p.name);
    if (!section) bad.push(`${p.name}: before the first section of shim.h`);
    else if (!at || !section.files.includes(at)) {
      bad.push(`${p.name}: in the section of ${section.files.join(", ")}, defined in ${at}`);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("abi: no csrc/ file calls a shim.h function of a higher layer", () => {
  const bad: string[] = [];
  const home = new Map(shimProtos.map((p) => [p.name, definedIn(p.name)]));
  for (const f of layered) {
    for (const [name, at] of home) {
      if (!at || at === f || layerOf.get(at)! < layerOf.get(f)!) continue;
      if (new RegExp(`\\b${name}\\s*\\(`).test(src.get(f)!)) {
        bad.push(
          `${f} (layer ${layerOf.get(f)}) calls ${name} of ${at} (layer ${layerOf.get(at)})`,
        );
      }
    }
  }
  assert.deepEqual(bad, []);
});
