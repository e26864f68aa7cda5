// The check every build that travels must pass (dist_test.ts, onefile_test.ts): it captures
// the whole corpus on a veth pair, every frame identical and in order, with the shim mapped
// from a memfd and from no file, and leaves no XDP program behind.
import assert from "node:assert/strict";
import {
  type Capture,
  captureWhile,
  firstMismatch,
  framesOf,
  mergedCorpus,
  replay,
  startCapture,
  type VethPair,
  wholeRecords,
  xdpAttached,
} from "../../testbed/mod.ts";

/** The shim's mappings in a process: paths from /proc/PID/maps. */
async function shimMappings(pid: number): Promise<string[]> {
  const maps = await Deno.readTextFile(`/proc/${pid}/maps`);
  return [
    ...new Set(
      maps.split("\n").filter((l) => l.includes("libxskdump")).map((l) =>
        l.replace(/^(\S+\s+){5}/, "")
      ),
    ),
  ];
}

export interface CorpusCapture {
  /** argv before `-i CAPTURE_IF --json -w - -c FRAMES`, run in the capture namespace. */
  argv: string[];
  /** Environment added to ours. */
  env?: Record<string, string>;
  /**
   * The pid that runs Deno, given the one started (default: the same: `ip netns exec`, `env`
   * and the bundle's sh lines all exec in place).
   */
  denoPid?: (started: number) => Promise<number>;
}

/**
 * Runs the capture, replays the corpus, and checks the pcap on stdout against it frame by
 * frame. Returns the capture, ended (its stdout the pcap, its stderr with the summary).
 */
export async function captureCorpus(pair: VethPair, c: CorpusCapture): Promise<Capture> {
  const corpus = await mergedCorpus();
  const io = ["-i", pair.captureIf, "--json", "-w", "-", "-c", String(corpus.frames)];
  let maps: string[] = [];
  const { cap, status } = await captureWhile(
    startCapture(pair, [...c.argv, ...io], { env: c.env, stdout: true }),
    async (cap) => {
      maps = await shimMappings(c.denoPid ? await c.denoPid(cap.pid) : cap.pid);
      const sent = await replay(pair, corpus.path);
      assert.equal(sent.failed, 0, sent.output);
    },
  );
  assert.equal(status.code, 0, cap.stderr());
  assert.deepEqual(maps, ["/memfd:libxskdump.so (deleted)"], "the shim comes from a memfd only");
  const mismatch = firstMismatch(framesOf(corpus.path), wholeRecords(cap.stdout()).frames);
  assert.equal(mismatch, undefined, mismatch);
  assert.equal(cap.summary().captured, corpus.frames);
  assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
  return cap;
}
