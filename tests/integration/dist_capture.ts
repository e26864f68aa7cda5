// The check every build that travels must pass (dist_test.ts, onefile_test.ts): it captures
// the whole corpus on a veth pair, every frame identical and in order, with the shim mapped
// from a memfd and from no file, and leaves no XDP program behind.
import assert from "node:assert/strict";
import {
  firstMismatch,
  framesOf,
  mergedCorpus,
  type NsChild,
  replay,
  run,
  type RunResult,
  spawnInNs,
  type VethPair,
  xdpAttached,
} from "./netns.ts";

export const READY = /^listening on xc0, queue 0, mode (native|generic)/;
export const READY_MS = 20_000;

export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

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
  /** argv before `-i xc0 -w - -c N`, run in the capture namespace. */
  argv: string[];
  env?: Record<string, string>;
  /** Where the pcap from stdout is written (for a later `-r`). */
  out: string;
  /** The pid that runs Deno, given the spawned one (default: the same: everything execs). */
  denoPid?: (spawned: number) => Promise<number>;
}

/**
 * Runs the capture, replays the corpus, and checks the pcap on stdout against it frame by
 * frame. Returns the capture's stderr.
 */
export async function captureCorpus(pair: VethPair, c: CorpusCapture): Promise<string> {
  const corpus = await mergedCorpus();
  const cap: NsChild = spawnInNs(
    pair.captureNs,
    [...c.argv, "-i", pair.captureIf, "-w", "-", "-c", String(corpus.frames)],
    c.env,
    { collectStdout: true },
  );
  let maps: string[];
  try {
    await cap.waitForStderrLine(READY, READY_MS);
    maps = await shimMappings(c.denoPid ? await c.denoPid(cap.pid) : cap.pid);
    const sent = await replay(pair, corpus.path);
    assert.equal(sent.failed, 0, sent.output);
    assert.equal((await cap.waitExit(15_000)).code, 0, cap.stderrText());
  } finally {
    await cap.stop();
  }
  assert.deepEqual(maps, ["/memfd:libxskdump.so (deleted)"], "the shim comes from a memfd only");
  await Deno.writeFile(c.out, cap.stdoutBytes());
  const mismatch = firstMismatch(framesOf(corpus.path), framesOf(c.out));
  assert.equal(mismatch, undefined, mismatch);
  assert.match(cap.stderrText(), new RegExp(`^${corpus.frames} packets captured$`, "m"));
  assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
  return cap.stderrText();
}

/**
 * argv (a build, with any `VAR=value` before it) as user nobody, with no supplementary groups,
 * in the capture namespace: a 0.2 s capture into /dev/null, with the filter if one is given.
 */
export function captureAsNobody(
  pair: VethPair,
  argv: string[],
  filter?: string,
): Promise<RunResult> {
  return run([
    "ip",
    "netns",
    "exec",
    pair.captureNs,
    "setpriv",
    "--reuid=nobody",
    "--regid=nogroup",
    "--clear-groups",
    "env",
    // No SSH_CONNECTION: over SSH the CLI adds an exclusion filter of its own.
    "-u",
    "SSH_CONNECTION",
    "-C",
    "/",
    ...argv,
    "-i",
    pair.captureIf,
    "--duration",
    "0.2",
    "-w",
    "/dev/null",
    ...(filter ? [filter] : []),
  ]);
}
