// Opens the shim the way the CLI does and prints, as one JSON line, where it came from (for
// api_loader_test.ts), then stays alive until its stdin closes so that the test can read its
// /proc/PID/maps (Deno gives /proc/self/maps only to --allow-all). With "embedded" as the
// first argument it first imports ffi/embedded.ts, as cli/dist_main.ts does.
import { loadShim, shimOrigin } from "../../ffi/loader.ts";

try {
  if (Deno.args[0] === "embedded") await import("../../ffi/embedded.ts");
  const abi = loadShim().xsk_abi_version();
  console.log(JSON.stringify({ origin: shimOrigin(), abi }));
} catch (e) {
  console.log(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
}
for await (const _ of Deno.stdin.readable) {
  // Until the test is done with our maps.
}
