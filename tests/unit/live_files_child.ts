// For live_files_test.ts: writes COUNT packets of 1000 bytes through the shim's writer to PATH
// (`-` for stdout) in FORMAT, the way Capture.run() drives it, and prints the failure's line
// on stderr when the output fails (exit 0 either way).
import { DESC_WORDS } from "../../ffi/abi.ts";
import { liveFileOutput } from "../../cli/output/live_files.ts";
import { OutputFailure } from "../../cli/output/mod.ts";
import type { Source } from "../../lib/capture/core.ts";

const [format, path, count] = Deno.args;
const out = liveFileOutput({
  path,
  format: format as "pcap" | "pcapng",
  snaplen: 2048,
  chunkBytes: 16384,
  chunks: 4,
});
const umem = new Uint8Array(8 * 2048).fill(0x41);
const src = { view: umem, queue: 0 } as unknown as Source;
const descs = new Uint32Array(8 * DESC_WORDS);
try {
  for (let i = 0; i < Number(count); i += 8) {
    for (let j = 0; j < 8; j++) descs.set([j * 2048 + 256, 1000, 1000 + i, j], j * DESC_WORDS);
    for (let done = out.putBatch(src, descs, 0, 8); done < 8;) {
      await out.waitRoom(100);
      done += out.putBatch(src, descs, done, 8);
    }
  }
  await out.finish!();
} catch (e) {
  if (!(e instanceof OutputFailure)) throw e;
  console.error(e.message);
}
out.close();
