// Privileges (issue 9): without a capability xskdump needs, one line that names it, exit 1,
// nothing attached; with exactly the needed set it captures.
//
// dist_test.ts already runs the bundle as user nobody with the capabilities as ambient ones:
// the four needed ones suffice, each one is needed (and named), a port filter needs
// CAP_PERFMON, and file capabilities (setcap, as the README documents) work. Here: nobody with
// no capability at all, root with one capability cut from its bounding set (capsh --drop:
// CAP_SYS_ADMIN goes too, since it stands in for CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON),
// root cut down to exactly the needed set, and joining another capture (CAP_SYS_ADMIN).
import assert from "node:assert/strict";
import { isRoot, run, spawnInNs, type VethPair, withVethPair, xdpAttached } from "./netns.ts";
import { bin, READY_MS } from "./reliability_helpers.ts";

const repo = new URL("../../", import.meta.url).pathname;
const READY = /^listening on xc0, queue \d+, mode (native|generic)/;
const NEEDED = ["cap_net_admin", "cap_net_raw", "cap_bpf", "cap_ipc_lock"];
const UMEM = 4096 * 4096;
const ignore = !isRoot;
if (ignore) console.log("reliability_privileges: skipped, needs root (namespaces, capsh)");

/** RLIMIT_MEMLOCK (soft) of this process in bytes; Infinity when unlimited. */
function memlockLimit(): number {
  const line = Deno.readTextFileSync("/proc/self/limits").split("\n")
    .find((l) => l.startsWith("Max locked memory"));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === "unlimited" ? Infinity : Number(soft);
}

/** Every capability this kernel knows, by capsh's names. */
async function allCaps(): Promise<string[]> {
  const r = await run(["capsh", "--print"], { check: true });
  const bounding = /^Bounding set =(.*)$/m.exec(r.stdout)?.[1] ?? "";
  return bounding.split(",").map((c) => c.trim()).filter(Boolean);
}

/** A short capture in the capture namespace under `wrapper` (a command that execs the rest). */
async function captureUnder(pair: VethPair, wrapper: string[], argv: string[]) {
  const r = await run([
    "ip",
    "netns",
    "exec",
    pair.captureNs,
    ...wrapper,
    // No SSH_CONNECTION: over SSH the CLI adds an exclusion filter of its own.
    "env",
    "-u",
    "SSH_CONNECTION",
    ...argv,
    "-i",
    pair.captureIf,
    "--duration",
    "0.2",
    "-w",
    "/dev/null",
  ]);
  return { code: r.code, stderr: r.stderr.trim() };
}

/** Root with `caps` removed from the bounding set (capsh --drop), running bin/xskdump. */
function withoutCaps(pair: VethPair, caps: string[], extra: string[] = []) {
  return captureUnder(pair, ["capsh", `--drop=${caps.join(",")}`, "--", "-c", 'exec "$@"', "--"], [
    bin,
    ...extra,
  ]);
}

function assertNamed(r: { code: number; stderr: string }, cap: string, what: string): void {
  assert.equal(r.code, 1, `${what}: ${r.stderr}`);
  assert.equal(r.stderr.split("\n").length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^xskdump: .*${cap.toUpperCase()}(, which)? is missing`), what);
}

/** The hint after a missing capability (a filter the verifier refuses has none of its own). */
const GRANT_HINT = /run as root, or grant it \(see README: Privileges\)$/;

Deno.test({
  name: "privileges: user nobody with no capability: one line naming CAP_BPF, exit 1",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "xskt-priv-" });
    try {
      // The bundle and a copy of this Deno where nobody can read them (the checkout and the
      // Deno cache may not be readable).
      await run(["make", "-s", "bundle", `DIST=${dir}`], { cwd: repo, check: true });
      await Deno.copyFile(Deno.execPath(), `${dir}/deno`);
      await Deno.mkdir(`${dir}/denodir`);
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(`${dir}/deno`, 0o755);
      await Deno.chmod(`${dir}/denodir`, 0o777);
      const env = [`HOME=${dir}/denodir`, `DENO_DIR=${dir}/denodir`, `XSKDUMP_DENO=${dir}/deno`];
      await withVethPair(async (pair) => {
        for (
          const wrapper of [
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"],
            ["runuser", "-u", "nobody", "--"],
          ]
        ) {
          const r = await captureUnder(pair, wrapper, [...env, `${dir}/xskdump.js`]);
          assertNamed(r, "cap_bpf", wrapper[0]);
          assert.match(r.stderr, GRANT_HINT);
        }
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "privileges: root without one needed capability (capsh --drop): one line naming it",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      for (const cap of NEEDED) {
        if (cap === "cap_ipc_lock" && memlockLimit() >= UMEM) {
          console.log(`  (memlock limit ${memlockLimit()} holds the UMEM: IPC_LOCK not needed)`);
          continue;
        }
        const r = await withoutCaps(pair, [cap, "cap_sys_admin"]);
        assertNamed(r, cap, `without ${cap}`);
        assert.match(r.stderr, GRANT_HINT);
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false, cap);
      }
      // A filter that reads at a variable offset (a port) needs CAP_PERFMON; `udp` does not.
      const port = await withoutCaps(pair, ["cap_perfmon", "cap_sys_admin"], ["udp port 53"]);
      assertNamed(port, "cap_perfmon", "port filter without cap_perfmon");
      assert.match(port.stderr, /rejected by the kernel verifier: .*prohibited for !root/);
      const udp = await withoutCaps(pair, ["cap_perfmon", "cap_sys_admin"], ["udp"]);
      assert.equal(udp.code, 0, udp.stderr);
    });
  },
});

Deno.test({
  name: "privileges: root cut down to exactly the needed set captures (+CAP_PERFMON: a port)",
  ignore,
  async fn() {
    const all = await allCaps();
    assert.ok(all.includes("cap_bpf"), `capsh knows no cap_bpf: ${all}`);
    const keep = (set: string[]) => all.filter((c) => !set.includes(c));
    await withVethPair(async (pair) => {
      const ok = await withoutCaps(pair, keep(NEEDED));
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, READY);
      const port = await withoutCaps(pair, keep([...NEEDED, "cap_perfmon"]), ["udp port 53"]);
      assert.equal(port.code, 0, port.stderr);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    });
  },
});

Deno.test({
  name: "privileges: joining another capture on the interface needs CAP_SYS_ADMIN",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const first = spawnInNs(pair.captureNs, [
        bin,
        "-i",
        pair.captureIf,
        "--queue",
        "0",
        "-w",
        "/dev/null",
      ]);
      try {
        await first.waitForStderrLine(READY, READY_MS);
        const r = await withoutCaps(pair, ["cap_sys_admin"], ["--queue", "1"]);
        assertNamed(r, "cap_sys_admin", "second capture without cap_sys_admin");
        assert.match(r.stderr, GRANT_HINT);
        assert.match(
          r.stderr,
          /^xskdump: xc0 already has XDP program \d+ attached \((native|generic) mode\); sharing it/,
        );
        // The first one is untouched.
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), true);
        first.signal("SIGINT");
        assert.equal((await first.waitExit(10_000)).code, 0, first.stderrText());
      } finally {
        await first.stop();
      }
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    }, { rxQueues: 2, txQueues: 2 });
  },
});
