// The builds that travel, end to end on a veth pair: cli/dist_main.ts under `deno run` (the
// embedded shim, no XSKDUMP_SHIM, another working directory, only the dist permissions), the
// bundle from `make bundle` copied alone into an empty directory, and the compiled binary from
// `make dist` when a denort is at hand (the one file of `make onefile`: onefile_test.ts). Each
// captures the whole corpus, every frame identical and in order, with the shim mapped from a
// memfd and from no file (dist_capture.ts). What the bundle needs as user nobody
// (capabilities) is reliability_privileges_test.ts's.
import {
  isRoot,
  rootOnly,
  run,
  type VethPair,
  withTempDir,
  withVethPair,
} from "../../testbed/mod.ts";
import { captureCorpus } from "./dist_capture.ts";

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

/** Captures the corpus with argv run from cwd, no XSKDUMP_SHIM (see dist_capture.ts). */
async function captureFrom(pair: VethPair, cwd: string, argv: string[], env: string[] = []) {
  await captureCorpus(pair, { argv: ["env", "-u", "XSKDUMP_SHIM", "-C", cwd, ...env, ...argv] });
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
        captureFrom(pair, cwd, [
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
        captureFrom(pair, cwd, ["./xskdump.js"], [`XSKDUMP_DENO=${Deno.execPath()}`])
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
      const built = await makeInto("dist", `${dir}/build`, "xskdump-compiled");
      const cwd = `${dir}/host`;
      await Deno.mkdir(cwd);
      await Deno.copyFile(built, `${cwd}/xskdump-compiled`);
      await Deno.chmod(`${cwd}/xskdump-compiled`, 0o755);
      await withVethPair((pair) => captureFrom(pair, cwd, ["./xskdump-compiled"]));
    });
  },
});
