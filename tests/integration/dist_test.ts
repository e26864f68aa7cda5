// The builds that travel, end to end on a veth pair: cli/dist_main.ts under `deno run` (the
// embedded shim, no XSKDUMP_SHIM, another working directory, only the dist permissions), the
// bundle from `make bundle` copied alone into an empty directory, and the compiled binary from
// `make dist` when a denort is at hand. Each captures the whole corpus, every frame identical
// and in order, with the shim mapped from a memfd and from no file. Then the privileges the
// README promises, checked as user nobody: CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF and CAP_IPC_LOCK
// suffice and each one is needed; a port filter needs CAP_PERFMON too; file capabilities work.
import assert from "node:assert/strict";
import {
  firstMismatch,
  framesOf,
  isRoot,
  mergedCorpus,
  type NsChild,
  replay,
  run,
  spawnInNs,
  type VethPair,
  withVethPair,
  xdpAttached,
} from "./netns.ts";

const repo = new URL("../../", import.meta.url).pathname;
const READY = /^listening on xc0, queue 0, mode (native|generic)/;
const READY_MS = 20_000;
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

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "xskt-dist-" });
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

/**
 * Runs `argv -i xc0 -w - -c FRAMES` in the capture namespace (cwd `cwd`, no XSKDUMP_SHIM),
 * replays the corpus, and checks the pcap on stdout against it frame by frame.
 */
async function captureCorpus(pair: VethPair, cwd: string, argv: string[], env: string[] = []) {
  const corpus = await mergedCorpus();
  const cap: NsChild = spawnInNs(
    pair.captureNs,
    [
      "env",
      "-u",
      "XSKDUMP_SHIM",
      "-C",
      cwd,
      ...env,
      ...argv,
      "-i",
      pair.captureIf,
      "-w",
      "-",
      "-c",
      String(corpus.frames),
    ],
    undefined,
    { collectStdout: true },
  );
  let maps: string[];
  try {
    await cap.waitForStderrLine(READY, READY_MS);
    // `ip netns exec` and `env` exec in place (so do the bundle's sh lines): this is deno.
    maps = await shimMappings(cap.pid);
    const sent = await replay(pair, corpus.path);
    assert.equal(sent.failed, 0, sent.output);
    assert.equal((await cap.waitExit(15_000)).code, 0, cap.stderrText());
  } finally {
    await cap.stop();
  }
  assert.deepEqual(maps, ["/memfd:libxskdump.so (deleted)"], "the shim comes from a memfd only");
  const out = `${cwd}/../got.pcap`;
  await Deno.writeFile(out, cap.stdoutBytes());
  const mismatch = firstMismatch(framesOf(corpus.path), framesOf(out));
  assert.equal(mismatch, undefined, mismatch);
  assert.match(cap.stderrText(), new RegExp(`^${corpus.frames} packets captured$`, "m"));
  assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
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
    await withTempDir(async (dir) => {
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
    await withTempDir(async (dir) => {
      const built = await makeInto("dist", `${dir}/build`, "xskdump");
      const cwd = `${dir}/host`;
      await Deno.mkdir(cwd);
      await Deno.copyFile(built, `${cwd}/xskdump`);
      await Deno.chmod(`${cwd}/xskdump`, 0o755);
      await withVethPair((pair) => captureCorpus(pair, cwd, ["./xskdump"]));
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
        const r = await run([
          "ip",
          "netns",
          "exec",
          pair.captureNs,
          "setpriv",
          "--reuid=nobody",
          "--regid=nogroup",
          "--clear-groups",
          "env",
          "-u",
          "SSH_CONNECTION",
          "-C",
          "/",
          ...kit.env,
          kit.bundle,
          "-i",
          pair.captureIf,
          "--duration",
          "0.2",
          "-w",
          "/dev/null",
          PORT_FILTER,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, READY);
      });
    });
  },
});
