/**
 * Build step of `make onefile`: turns the minified bundle of `cli/onefile_main.ts` into the
 * module the one file runs, whose code is one string literal that V8 compiles as the body of an
 * async function. Deno parses every module it loads (swc, for its imports) before V8 compiles
 * it, and keeps what it learnt in DENO_DIR, which the one file cannot have: for the 0.55 MB
 * bundle that parse cost ~120 ms of CPU and 18 MB of fresh memory at every start, about as much
 * as the rest of Deno's start-up. A string literal it only scans (docs/DESIGN.md, "The one
 * file").
 *
 * The bundle is a module in three places only, and each is checked here so that a Deno whose
 * bundler writes otherwise fails the build instead of the start: the import of `createRequire`
 * that `deno bundle` adds (commander is CommonJS), `import.meta` (becomes a parameter: the
 * wrapper's own, `file:///proc/self/fd/N` as before) and the top-level `await` of the entry (the
 * body of an async function may await). Any other import or export would be a SyntaxError when
 * V8 compiles the body, which the Makefile's `--version` run of the new file catches.
 *
 *   deno run --allow-read=BUNDLE --allow-write=OUT launcher/wrap.ts BUNDLE OUT
 * @module
 */

const REQUIRE_IMPORT = 'import{createRequire as __deno_internal_createRequire} from "node:module";';

export function wrap(bundle: string): string {
  const imports = bundle.split(REQUIRE_IMPORT).length - 1;
  if (imports !== 1) throw new Error(`expected the createRequire import once, found ${imports}`);
  const metas = bundle.match(/import\.meta\b[.\w]*/g) ?? [];
  const others = metas.filter((m) => m !== "import.meta.url");
  if (others.length) throw new Error(`import.meta other than its url: ${others.join(", ")}`);
  const body = '"use strict";' +
    bundle.replace(REQUIRE_IMPORT, "").replaceAll("import.meta", "__import_meta");
  return `// The one file's CLI (launcher/wrap.ts): a string, so that Deno does not parse it.
import { createRequire as __deno_internal_createRequire } from "node:module";
const AsyncFunction = (async () => {}).constructor;
await new AsyncFunction("__deno_internal_createRequire", "__import_meta", ${
    JSON.stringify(body)
  })(__deno_internal_createRequire, import.meta);
`;
}

if (import.meta.main) {
  const [input, output] = Deno.args;
  if (!input || !output) {
    console.error("usage: wrap.ts BUNDLE OUT");
    Deno.exit(2);
  }
  try {
    Deno.writeTextFileSync(output, wrap(Deno.readTextFileSync(input)));
  } catch (e) {
    console.error(`wrap: ${input}: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
