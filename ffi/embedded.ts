/**
 * The shim inside the module graph: importing this module (first, for its side effect) makes
 * `loadShim()` (ffi/loader.ts) open the shim from a memfd holding these bytes instead of from
 * build/.
 * The one file, the single binary (`deno compile`) and the bundle (`deno bundle`) start here,
 * through `cli/dist_main.ts`; a script of your own can import it too, to compile or bundle into
 * one file. The shim already carries the XDP object (csrc/embed.S), so this is all that travels.
 *
 * The shim travels stripped and as base64 text, decoded natively: a bundle inlines a `bytes`
 * import as base64 too, but decodes it with a JavaScript loop at every start, and the literal is
 * a fifth longer with the symbol table. Measured: ~45 ms less CPU per start (docs/DESIGN.md).
 *
 * Needs `make build` first (build/libxskdump.embed.b64) and `"unstable": ["raw-imports"]`
 * (deno.json) or `--unstable-raw-imports`.
 * @module
 */
import shimBase64 from "../build/libxskdump.embed.b64" with { type: "text" };
import { embedShim } from "./loader.ts";

embedShim(Uint8Array.fromBase64(shimBase64));
