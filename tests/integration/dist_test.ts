// The builds that travel, end to end on a veth pair: cli/dist_main.ts under `deno run` (the
// embedded shim, no XSKDUMP_SHIM, another working directory, only the dist permissions), the
// bundle from `make bundle` copied alone into an empty directory, and the compiled binary from
// `make dist` when a denort is at hand. Each captures the whole corpus, every frame identical
// and in order, with the shim mapped from a memfd and from no file. What the bundle needs as
// user nobody (capabilities) is reliability_privileges_test.ts's.
import assert from "node:assert/strict";
import {
  captureWhile,
  firstMismatch,
  framesOf,
  isRoot,
  mergedCorpus,
  replay,
  rootOnly,
  run,
  startCapture,
  wholeRecords,
  withTempDir,
  withVethPair,
  xdpAttached,
} from "../../testbed/mod.ts";
import type { VethPair } from "../../testbed/netns.ts";

const repo = new URL("../../", import.meta.url).pathname;
const ignore = rootOnly("dist");

/** The Makefile's DIST_PERMS: what the single binary and the bundle are granted. */
async function distPerms(): Promise<string[]> {
  return (await run(["make", "-s", "dist-perms"], { cwd: repo, check: true })).stdout.trim()
    .split(/\s+/);
}

/** Builds `make TARGET DIST=dir` and returns the file it made. */
async function makeInto(target: "bundle" | "dist", dir: string, file: string): Promise<string> {
  await run(["make", "-s", target, `DIST=${dir}`], { cwd: repo, check: true });
  return `${dir}/${file}`;
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

/**
 * Runs `argv -i xc0 -w - -c FRAMES` in the capture namespace (cwd `cwd`, no XSKDUMP_SHIM),
 * replays the corpus, and checks the pcap on stdout against it frame by frame.
 */
async function captureCorpus(pair: VethPair, cwd: string, argv: string[], env: string[] = []) {
  const corpus = await mergedCorpus();
  const noShim = ["env", "-u", "XSKDUMP_SHIM", "-C", cwd, ...env];
  const io = ["-i", pair.captureIf, "--json", "-w", "-", "-c", String(corpus.frames)];
  let maps: string[] = [];
  const { cap, status } = await captureWhile(
    startCapture(pair, [...noShim, ...argv, ...io], { stdout: true }),
    async (cap) => {
      // `ip netns exec` and `env` exec in place (so do the bundle's sh lines): this is deno.
      maps = await shimMappings(cap.pid);
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
}

Deno.test({
  name: "dist: cli/dist_main.ts under deno run, elsewhere, opens the embedded shim and captures",
  ignore,
  async fn() {
    const perms = await distPerms();
    await withTempDir("xskt-dist-", async (dir) => {
      const cwd = `${dir}/cwd`;
      await Deno.mkdir(cwd);
      await withVethPair((pair) =>
        captureCorpus(pair, cwd, [
          Deno.execPath(),
          "run",
          "--quiet",
          ...perms,
          `${repo}cli/dist_main.ts`,
        ])
      );
    });
  },
});

Deno.test({
  name: "dist: the bundle, copied alone into an empty directory, runs and captures",
  ignore,
  async fn() {
    await withTempDir("xskt-dist-", async (dir) => {
      const built = await makeInto("bundle", `${dir}/build`, "xskdump.js");
      const cwd = `${dir}/host`;
      await Deno.mkdir(cwd);
      await Deno.copyFile(built, `${cwd}/xskdump.js`);
      await Deno.chmod(`${cwd}/xskdump.js`, 0o755);
      await withVethPair((pair) =>
        captureCorpus(pair, cwd, ["./xskdump.js"], [`XSKDUMP_DENO=${Deno.execPath()}`])
      );
    });
  },
});

const denortAt = Deno.env.get("DENORT_BIN");
const denortMissing = !denortAt
  ? "no DENORT_BIN (denort cannot be downloaded here; see make dist)"
  : undefined;
if (isRoot && denortMissing) console.log(`dist: compiled binary test skipped, ${denortMissing}`);

Deno.test({
  name: "dist: the compiled binary, copied alone into an empty directory, runs and captures",
  ignore: ignore || denortMissing !== undefined,
  async fn() {
    await withTempDir("xskt-dist-", async (dir) => {
      const built = await makeInto("dist", `${dir}/build`, "xskdump");
      const cwd = `${dir}/host`;
      await Deno.mkdir(cwd);
      await Deno.copyFile(built, `${cwd}/xskdump`);
      await Deno.chmod(`${cwd}/xskdump`, 0o755);
      await withVethPair((pair) => captureCorpus(pair, cwd, ["./xskdump"]));
    });
  },
});
