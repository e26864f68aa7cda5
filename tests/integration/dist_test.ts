// The builds that travel, end to end on a veth pair: cli/dist_main.ts under `deno run` (the
// embedded shim, no XSKDUMP_SHIM, another working directory, only the dist permissions), the
// bundle from `make bundle` copied alone into an empty directory, and the compiled binary from
// `make dist` when a denort is at hand (the one file of `make onefile`: onefile_test.ts). Each captures the whole corpus, every frame identical
// and in order, with the shim mapped from a memfd and from no file. Then the privileges the
// README promises, checked as user nobody: CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF and CAP_IPC_LOCK
// suffice and each one is needed; a port filter needs CAP_PERFMON too; file capabilities work.
import assert from "node:assert/strict";
import { captureAsNobody, captureCorpus, READY, withTempDir as tempDir } from "./dist_capture.ts";
import { isRoot, run, type VethPair, withVethPair, xdpAttached } from "./netns.ts";

const repo = new URL("../../", import.meta.url).pathname;
const ignore = !isRoot;
if (ignore) console.log("dist: skipped, needs root (network namespaces, veth, XDP)");

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

function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  return tempDir("xskt-dist-", fn);
}

/** Captures the corpus with argv run from cwd (no XSKDUMP_SHIM): see dist_capture.ts. */
async function captureFrom(pair: VethPair, cwd: string, argv: string[], env: string[] = []) {
  await captureCorpus(pair, {
    argv: ["env", "-u", "XSKDUMP_SHIM", "-C", cwd, ...env, ...argv],
    out: `${cwd}/../got.pcap`,
  });
}

Deno.test({
  name: "dist: cli/dist_main.ts under deno run, elsewhere, opens the embedded shim and captures",
  ignore,
  async fn() {
    const perms = await distPerms();
    await withTempDir(async (dir) => {
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
    await withTempDir(async (dir) => {
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
    await withTempDir(async (dir) => {
      const built = await makeInto("dist", `${dir}/build`, "xskdump-compiled");
      const cwd = `${dir}/host`;
      await Deno.mkdir(cwd);
      await Deno.copyFile(built, `${cwd}/xskdump-compiled`);
      await Deno.chmod(`${cwd}/xskdump-compiled`, 0o755);
      await withVethPair((pair) => captureFrom(pair, cwd, ["./xskdump-compiled"]));
    });
  },
});

// ---------------------------------------------------------------------------
// Privileges, as user nobody, with the bundle and a copy of this Deno in a directory nobody
// can read (the checkout may not be).

const ALL_CAPS = ["cap_net_admin", "cap_net_raw", "cap_bpf", "cap_ipc_lock"];
/** A filter the verifier accepts only with CAP_PERFMON (variable-offset packet reads). */
const PORT_FILTER = "udp port 53";

/** RLIMIT_MEMLOCK (soft) of this process in bytes; Infinity when unlimited. */
function memlockLimit(): number {
  const line = Deno.readTextFileSync("/proc/self/limits").split("\n")
    .find((l) => l.startsWith("Max locked memory"));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === "unlimited" ? Infinity : Number(soft);
}

/** A directory readable by nobody holding xskdump.js and a deno, plus a writable DENO_DIR. */
async function nobodyKit(dir: string): Promise<{ bundle: string; deno: string; env: string[] }> {
  const kit = `${dir}/kit`;
  await Deno.mkdir(`${kit}/denodir`, { recursive: true });
  await makeInto("bundle", kit, "xskdump.js");
  await Deno.copyFile(Deno.execPath(), `${kit}/deno`);
  await Deno.chmod(dir, 0o755);
  await Deno.chmod(kit, 0o755);
  await Deno.chmod(`${kit}/deno`, 0o755);
  await Deno.chmod(`${kit}/denodir`, 0o777);
  return {
    bundle: `${kit}/xskdump.js`,
    deno: `${kit}/deno`,
    env: [`HOME=${kit}/denodir`, `DENO_DIR=${kit}/denodir`, `XSKDUMP_DENO=${kit}/deno`],
  };
}

/** Runs a short idle capture as nobody with these ambient capabilities (and filter). */
async function asNobodyWith(
  pair: VethPair,
  caps: string[],
  kit: { bundle: string; env: string[] },
  filter = "",
) {
  const list = caps.join(",");
  const r = await run([
    "ip",
    "netns",
    "exec",
    pair.captureNs,
    "capsh",
    `--caps=${list}+eip cap_setpcap,cap_setuid,cap_setgid+ep`,
    "--keep=1",
    "--user=nobody",
    `--addamb=${list}`,
    "--",
    "-c",
    // No SSH_CONNECTION: over SSH the CLI adds an exclusion filter of its own.
    `cd / && exec env -u SSH_CONNECTION ${kit.env.join(" ")} ${kit.bundle} -i ${pair.captureIf} ` +
    `--duration 0.2 -w /dev/null ${filter}`,
  ]);
  return { code: r.code, stderr: r.stderr.trim() };
}

Deno.test({
  name: "privileges: nobody with exactly NET_ADMIN, NET_RAW, BPF and IPC_LOCK captures; " +
    "without any one of them it fails in one line",
  ignore,
  async fn() {
    await withTempDir(async (dir) => {
      const kit = await nobodyKit(dir);
      await withVethPair(async (pair) => {
        const ok = await asNobodyWith(pair, ALL_CAPS, kit);
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(ok.stderr, READY);
        const umem = 4096 * 4096;
        for (const missing of ALL_CAPS) {
          if (missing === "cap_ipc_lock" && memlockLimit() > umem) {
            console.log(`  (memlock limit ${memlockLimit()} holds the UMEM: IPC_LOCK not needed)`);
            continue;
          }
          const r = await asNobodyWith(pair, ALL_CAPS.filter((c) => c !== missing), kit);
          assert.equal(r.code, 1, `without ${missing}: ${r.stderr}`);
          assert.equal(r.stderr.split("\n").length, 1, r.stderr);
          assert.match(r.stderr, /^xskdump: .*(Operation not permitted|No buffer space)/);
          // The one capability missing is named (the shim knows which step needs which).
          assert.match(r.stderr, new RegExp(`${missing.toUpperCase()} is missing`), r.stderr);
        }
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      });
    });
  },
});

Deno.test({
  name: "privileges: a port filter needs CAP_PERFMON as well",
  ignore,
  async fn() {
    await withTempDir(async (dir) => {
      const kit = await nobodyKit(dir);
      await withVethPair(async (pair) => {
        const no = await asNobodyWith(pair, ALL_CAPS, kit, `'${PORT_FILTER}'`);
        assert.notEqual(no.code, 0, no.stderr);
        assert.match(no.stderr, /rejected by the kernel verifier: .*prohibited for !root/);
        assert.match(
          no.stderr,
          /CAP_PERFMON is missing: Permission denied; run as root, or grant it/,
        );
        const ok = await asNobodyWith(pair, [...ALL_CAPS, "cap_perfmon"], kit, `'${PORT_FILTER}'`);
        assert.equal(ok.code, 0, ok.stderr);
        assert.match(ok.stderr, READY);
      });
    });
  },
});

Deno.test({
  name: "privileges: setcap on the runtime lets nobody capture with a filter (file capabilities)",
  ignore,
  async fn() {
    await withTempDir(async (dir) => {
      const kit = await nobodyKit(dir);
      await run(["setcap", `${[...ALL_CAPS, "cap_perfmon"].join(",")}+ep`, kit.deno], {
        check: true,
      });
      await withVethPair(async (pair) => {
        const r = await captureAsNobody(pair, [...kit.env, kit.bundle], PORT_FILTER);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, READY);
      });
    });
  },
});
