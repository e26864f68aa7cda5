/**
 * Entry point of the one file (`make onefile`, launcher/): the CLI, with the shim in the memfd
 * the launcher filled and named in XSKDUMP_LAUNCHER_SHIM. Not inlined in the bundle as
 * `cli/dist_main.ts` has it: a megabyte of base64 that Deno parses twice at every start, with
 * no cache to keep the work in (docs/DESIGN.md, "The one file").
 * @module
 */
import { embedShimFile } from "../ffi/loader.ts";
import { main } from "./main.ts";

const shim = Deno.env.get("XSKDUMP_LAUNCHER_SHIM");
if (shim) embedShimFile(shim);
Deno.exit(await main(Deno.args));
