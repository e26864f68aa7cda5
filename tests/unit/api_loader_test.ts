// How the shim is found and opened (ffi/loader.ts), with the scoped permissions the builds
// use, from a working directory outside the checkout: the embedded bytes through a memfd (the
// single binary and the bundle), the XSKDUMP_SHIM override, the checkout's build/, and the
// errors that name the missing grant. Also what `make dist` grants and how it refuses to
// build without a denort. No root needed.
import assert from "node:assert/strict";
import { LIBC_PATHS, MEMFD_DIR } from "../../ffi/loader.ts";

const repo = new URL("../../", import.meta.url).pathname;
const probe = `${repo}tests/unit/loader_probe.ts`;
const shimFile = `${repo}build/libxskdump.so`;
const dec = new TextDecoder();

interface ProbeResult {
  origin?: { kind: string; path: string };
  abi?: number;
  error?: string;
  /** Paths /proc/PID/maps shows for the shim. */
  maps: string[];
}

/** Runs the probe from a temporary directory with exactly these flags and environment. */
async function runProbe(
  flags: string[],
  opts: { embedded?: boolean; env?: Record<string, string> } = {},
): Promise<ProbeResult> {
  const cwd = await Deno.makeTempDir({ prefix: "xskt-loader-" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        `--config=${repo}deno.json`,
        ...flags,
        probe,
        ...(opts.embedded ? ["embedded"] : []),
      ],
      cwd,
      clearEnv: true,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...opts.env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
    const maps = await Deno.readTextFile(`/proc/${child.pid}/maps`).catch(() => "");
    await child.stdin.close();
    reader.releaseLock();
    await child.stdout.cancel();
    const stderr = dec.decode(await new Response(child.stderr).arrayBuffer());
    await child.status;
    assert.ok(text.trim(), `the probe printed nothing: ${stderr}`);
    const shimMaps = maps.split("\n").filter((l) => l.includes("libxskdump"))
      .map((l) => l.replace(/^\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+/, ""));
    return { ...JSON.parse(text), maps: [...new Set(shimMaps)] };
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

/** What `make dist` and `make bundle` grant (the Makefile's DIST_PERMS). */
async function distPerms(): Promise<string[]> {
  const r = await new Deno.Command("make", { args: ["-s", "dist-perms"], cwd: repo }).output();
  assert.equal(r.code, 0, dec.decode(r.stderr));
  return dec.decode(r.stdout).trim().split(/\s+/);
}

async function distFfiFlag(): Promise<string> {
  const ffi = (await distPerms()).find((f) => f.startsWith("--allow-ffi="));
  assert.ok(ffi, "dist grants --allow-ffi");
  return ffi;
}

Deno.test("loader: embedded bytes open from a memfd with only libc and /proc/self/fd", async () => {
  const r = await runProbe([await distFfiFlag()], { embedded: true });
  assert.equal(r.error, undefined);
  assert.equal(r.origin?.kind, "embedded");
  assert.match(r.origin?.path ?? "", /^\/proc\/self\/fd\/\d+$/);
  assert.ok(r.abi! > 0);
  // Mapped from the anonymous memfd only, never from a file on disk.
  assert.deepEqual(r.maps, ["/memfd:libxskdump.so (deleted)"]);
});

Deno.test("loader: XSKDUMP_SHIM is not seen without --allow-env: the embedded shim opens", async () => {
  const r = await runProbe([await distFfiFlag()], {
    embedded: true,
    env: { XSKDUMP_SHIM: "/nonexistent/libxskdump.so" },
  });
  assert.equal(r.error, undefined);
  assert.equal(r.origin?.kind, "embedded");
});

Deno.test("loader: XSKDUMP_SHIM, when readable, wins over the embedded bytes", async () => {
  const r = await runProbe(
    [`${await distFfiFlag()},${shimFile}`, "--allow-env=XSKDUMP_SHIM"],
    { embedded: true, env: { XSKDUMP_SHIM: shimFile } },
  );
  assert.equal(r.error, undefined);
  assert.deepEqual(r.origin, { kind: "override", path: shimFile });
  assert.deepEqual(r.maps, [shimFile]);
});

Deno.test("loader: an override outside --allow-ffi says which grant is missing", async () => {
  const r = await runProbe([await distFfiFlag(), "--allow-env=XSKDUMP_SHIM"], {
    embedded: true,
    env: { XSKDUMP_SHIM: shimFile },
  });
  assert.equal(
    r.error,
    `cannot load XSKDUMP_SHIM (${shimFile}): --allow-ffi does not cover ${shimFile}`,
  );
});

Deno.test("loader: without libc in --allow-ffi the error lists the paths to grant", async () => {
  const r = await runProbe([`--allow-ffi=${MEMFD_DIR}`], { embedded: true });
  assert.match(r.error ?? "", /memfd_create needs libc, and --allow-ffi allows none of /);
  for (const p of LIBC_PATHS) assert.ok(r.error?.includes(p), p);
});

Deno.test("loader: without /proc/self/fd in --allow-ffi the error names it", async () => {
  const r = await runProbe([`--allow-ffi=${LIBC_PATHS.join(",")}`], { embedded: true });
  assert.match(r.error ?? "", /^cannot load the embedded shim \(\/proc\/self\/fd\/\d+\): /);
  assert.match(r.error ?? "", /--allow-ffi does not cover \/proc\/self\/fd$/);
});

Deno.test("loader: a checkout without embedded bytes opens build/libxskdump.so", async () => {
  const r = await runProbe([`--allow-ffi=${shimFile}`]);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.origin, { kind: "build", path: shimFile });
  const denied = await runProbe([`--allow-ffi=${MEMFD_DIR}`]);
  assert.match(denied.error ?? "", /\(run `make build`\).*does not cover .*build\/libxskdump\.so/);
});

Deno.test("dist: grants bin/xskdump's permissions with --allow-ffi scoped to libc and the memfd", async () => {
  const perms = await distPerms();
  assert.ok(!perms.some((f) => f === "-A" || f === "--allow-all" || f === "--allow-ffi"));
  const ffi = perms.filter((f) => f.startsWith("--allow-ffi"));
  assert.deepEqual(ffi, [`--allow-ffi=${[...LIBC_PATHS, MEMFD_DIR].join(",")}`]);
  const bin = (await Deno.readTextFile(`${repo}bin/xskdump`)).split("\n")
    .filter((l) => !/^\s*#/.test(l)).join("\n");
  const binFlags = [...bin.matchAll(/--allow-[a-z]+(=[^\s"\\]+)?/g)].map((m) => m[0])
    .filter((f) => !f.startsWith("--allow-ffi"));
  assert.ok(binFlags.length > 0);
  for (const f of binFlags) assert.ok(perms.includes(f), `dist lacks ${f}`);
  assert.ok(perms.includes("--no-prompt"));
});

Deno.test("dist: make dist without a denort says what is missing and builds nothing", async () => {
  const denoDir = await Deno.makeTempDir({ prefix: "xskt-denodir-" });
  const out = await Deno.makeTempDir({ prefix: "xskt-dist-" });
  try {
    const env: Record<string, string> = { ...Deno.env.toObject(), DENO_DIR: denoDir };
    delete env.DENORT_BIN;
    const r = await new Deno.Command("make", {
      args: ["-s", "dist", `DIST=${out}`],
      cwd: repo,
      clearEnv: true,
      env,
    }).output();
    const err = dec.decode(r.stderr);
    assert.notEqual(r.code, 0);
    assert.match(err, /deno compile needs denort 2\.9\.\d+ for x86_64-unknown-linux-gnu/);
    assert.ok(err.includes(`${denoDir}/dl/release/v`), err);
    assert.match(err, /DENORT_BIN/);
    assert.match(err, /make onefile/);
    assert.match(err, /make bundle/);
    assert.deepEqual([...Deno.readDirSync(out)], []);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dist: make dist refuses a full deno given as DENORT_BIN", async () => {
  const out = await Deno.makeTempDir({ prefix: "xskt-dist-" });
  try {
    const r = await new Deno.Command("make", {
      args: ["-s", "dist", `DIST=${out}`],
      cwd: repo,
      env: { DENORT_BIN: Deno.execPath() },
    }).output();
    assert.notEqual(r.code, 0);
    assert.match(dec.decode(r.stderr), /answers 'deno 2\.9\.\d+ .*' to --version: .*not a denort/);
    assert.deepEqual([...Deno.readDirSync(out)], [], "no binary is left behind");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
