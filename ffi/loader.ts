/**
 * Finds and opens the shim once per process: XSKDUMP_SHIM if set, else the
 * build output next to the sources.
 * @module
 */
import { ABI_VERSION, type Shim, symbols } from "./symbols.ts";

let shim: Shim | undefined;

/** Where the shim is looked for: the override or build/libxskdump.so. */
export function shimPath(): string {
  const override = Deno.env.get("XSKDUMP_SHIM");
  if (override) return override;
  return new URL("../build/libxskdump.so", import.meta.url).pathname;
}

/** Opens the shim (once) and checks its ABI version. */
export function loadShim(): Shim {
  if (shim) return shim;
  const path = shimPath();
  let lib: Deno.DynamicLibrary<typeof symbols>;
  try {
    lib = Deno.dlopen(path, symbols);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot load the shim ${path}: ${why} (run \`make build\`)`);
  }
  const v = lib.symbols.xsk_abi_version();
  if (v !== ABI_VERSION) {
    lib.close();
    throw new Error(`shim ${path} has ABI ${v}, this code needs ${ABI_VERSION}: rebuild it`);
  }
  shim = lib.symbols;
  return shim;
}
