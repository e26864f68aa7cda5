/**
 * Entry point of the single binary and the bundle: the CLI with the shim embedded (see
 * ffi/embedded.ts). The source checkout runs cli/main.ts, which opens build/libxskdump.so.
 * @module
 */
import "../ffi/embedded.ts";
import { main } from "./main.ts";

Deno.exit(await main(Deno.args));
