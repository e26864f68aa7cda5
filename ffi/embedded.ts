/**
 * The shim inside the module graph: importing this module (first, for its side effect) makes
 * `loadShim()` (ffi/loader.ts) open the shim from a memfd holding these bytes instead of from
 * build/.
 * The single binary (`deno compile`) and the bundle (`deno bundle`) start here, through
 * `cli/dist_main.ts`; a script of your own can import it too, to compile or bundle into one
 * file. The shim already carries the XDP object (csrc/embed.S), so this is all that travels.
 *
 * Needs `make build` first (the bytes are build/libxskdump.so) and `"unstable":
 * ["raw-imports"]` (deno.json) or `--unstable-raw-imports`.
 * @module
 */
import shimBytes from "../build/libxskdump.so" with { type: "bytes" };
import { embedShim } from "./loader.ts";

embedShim(shimBytes);
