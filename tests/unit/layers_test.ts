// The layer rule of docs/DESIGN.md, checked: each folder imports only the folders it may (the
// bench, for one, nothing from tests/), and the pure folders (formats, decode, filter) reach no
// module that opens the shim, directly or through another module. A move that breaks the rule
// fails here, naming the import.
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);

/** What each folder may import (paths relative to the repository root, by prefix). */
const ALLOWED: Record<string, string[]> = {
  "ffi/": ["ffi/", "build/libxskdump.embed.b64"],
  "lib/formats/": ["lib/formats/"],
  "lib/decode/": ["lib/decode/"],
  // The translator needs the map placeholders and slot numbers the C side uses: ffi/abi.ts is
  // constants only (checked below), so it is the one ffi/ module a pure folder may reach.
  "lib/filter/": ["lib/filter/", "ffi/abi.ts"],
  "lib/host/": ["lib/host/", "ffi/"],
  "lib/capture/": ["lib/capture/", "lib/filter/", "lib/formats/", "lib/host/", "ffi/"],
  "cli/": ["cli/", "lib/", "ffi/", "deno.json", "npm:commander", "commander"],
  "examples/": ["examples/", "mod.ts", "node:"],
  // The test bed: veth pairs, namespaces, captures started and read back. It drives the tools
  // as a user would, so it may read what they write with lib/ (and name the CLI's files).
  "testbed/": ["testbed/", "lib/", "ffi/", "mod.ts", "cli/", "node:"],
  // The bench runs on the test bed, never on the tests' own scaffolding.
  "bench/": ["bench/", "testbed/", "node:"],
  "tests/": [
    "tests/",
    "testbed/",
    "bench/",
    "lib/",
    "ffi/",
    "cli/",
    "mod.ts",
    "examples/",
    "launcher/wrap.ts",
    "node:",
  ],
};

/** Folders whose whole import closure must stay clear of the shim. */
const PURE = ["lib/formats/", "lib/decode/", "lib/filter/"];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(new URL(dir, root))) {
    const p = dir + e.name;
    if (e.isDirectory) out.push(...walk(p + "/"));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

/** A module's import specifiers, resolved to repository paths (bare ones as written). */
function importsOf(path: string): string[] {
  const src = Deno.readTextFileSync(new URL(path, root));
  const specs = [...src.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/g)]
    .map((m) => m[1]);
  specs.push(...[...src.matchAll(/import\s*\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]));
  specs.push(...[...src.matchAll(/(?:^|\n)\s*import\s*"([^"]+)"/g)].map((m) => m[1]));
  return specs.map((s) =>
    s.startsWith(".") ? new URL(s, new URL(path, root)).href.slice(root.href.length) : s
  );
}

/** Modules that reach the shim themselves: they open it or call into it. */
function opensShim(path: string): boolean {
  if (!path.endsWith(".ts")) return path.endsWith(".so");
  const src = Deno.readTextFileSync(new URL(path, root));
  return /Deno\.dlopen|\bloadShim\b|\.symbols\b|UnsafePointer/.test(src);
}

const modules = ["ffi/", "lib/", "cli/", "examples/", "testbed/", "bench/", "tests/"].flatMap(walk);

Deno.test("layers: every folder imports only the folders docs/DESIGN.md allows it", () => {
  const bad: string[] = [];
  for (const m of modules) {
    const folder = Object.keys(ALLOWED).filter((f) =>
      m.startsWith(f)
    ).sort((a, b) => b.length - a.length)[0];
    assert.ok(folder, `${m}: in no folder of the layer table; add it to docs/DESIGN.md and here`);
    for (const i of importsOf(m)) {
      if (!ALLOWED[folder].some((a) => i === a || i.startsWith(a))) bad.push(`${m} imports ${i}`);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("layers: formats, decode and filter reach no module that opens the shim", () => {
  const bad: string[] = [];
  for (const m of modules.filter((p) => PURE.some((f) => p.startsWith(f)))) {
    const seen = new Set<string>();
    const stack: string[][] = [[m]];
    while (stack.length) {
      const chain = stack.pop()!;
      const at = chain[chain.length - 1];
      if (seen.has(at)) continue;
      seen.add(at);
      if (opensShim(at)) {
        bad.push(chain.join(" -> "));
        continue;
      }
      if (!at.endsWith(".ts") || !at.match(/^(lib|ffi)\//)) continue;
      for (const i of importsOf(at)) stack.push([...chain, i]);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("layers: ffi/abi.ts, the constants the C side shares, imports nothing and calls nothing", () => {
  assert.deepEqual(importsOf("ffi/abi.ts"), []);
  assert.equal(opensShim("ffi/abi.ts"), false);
});

Deno.test("layers: the check sees a forbidden import (a pure module that imports ffi/xsk.ts)", () => {
  // The rule above must be able to fail: ffi/xsk.ts opens the shim through loader.ts.
  assert.equal(opensShim("ffi/loader.ts"), true);
  assert.ok(importsOf("ffi/xsk.ts").includes("ffi/loader.ts"));
  assert.ok(!ALLOWED["lib/formats/"].some((a) => "ffi/xsk.ts".startsWith(a)));
});
