// launcher/wrap.ts: the bundle of the one file becomes one string that V8 compiles and Deno
// does not parse. The wrapped module runs as the bundle would (its require(), its import.meta,
// its top-level await), and a bundle written otherwise than wrap.ts expects fails the build.
import assert from "node:assert/strict";
import { wrap } from "../../launcher/wrap.ts";

const REQUIRE_IMPORT = 'import{createRequire as __deno_internal_createRequire} from "node:module";';

/** Runs a module's text with `deno run` (no permissions) and returns its stdout. */
async function runModule(text: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "xskt-wrap-" });
  try {
    await Deno.writeTextFile(`${dir}/m.js`, text);
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-config", "--no-prompt", `${dir}/m.js`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 0, err);
    return new TextDecoder().decode(r.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("onefile wrap: the wrapped bundle requires, sees its import.meta.url and awaits", async () => {
  const bundle = REQUIRE_IMPORT +
    'var r=__deno_internal_createRequire(import.meta.url);var ev=r("node:events");' +
    "var u=import.meta.url;" +
    'const s=await Promise.resolve("awaited");' +
    'console.log(typeof ev.EventEmitter, u.startsWith("file:///"), s, (function(){return this})());';
  const text = wrap(bundle);
  assert.equal(text.split("import.meta").length - 1, 1, "only the wrapper's own import.meta");
  // Strict, as the module was: a plain function's `this` is undefined.
  assert.equal(await runModule(text), "function true awaited undefined\n");
});

Deno.test("onefile wrap: a bundle written otherwise is refused", () => {
  assert.throws(() => wrap("console.log(1);"), /createRequire import once, found 0/);
  assert.throws(
    () => wrap(REQUIRE_IMPORT + REQUIRE_IMPORT),
    /createRequire import once, found 2/,
  );
  assert.throws(
    () => wrap(REQUIRE_IMPORT + "if (import.meta.main) f();"),
    /import\.meta other than its url: import\.meta\.main/,
  );
});
