// Privileges (issues 9 and the README's "Privileges"): without a capability xskdump needs, one
// line that names it, exit 1, nothing attached; with exactly the needed set it captures.
//
// As user nobody, with the bundle (`make bundle`) and a copy of this Deno in a directory
// nobody can read (the checkout may not be): no capability at all; the four needed ones as
// ambient capabilities suffice, and each one is needed (and named); a port filter needs
// CAP_PERFMON too; file capabilities (setcap, as the README documents) work. As root: one
// capability cut from the bounding set (capsh --drop: CAP_SYS_ADMIN goes too, since it stands
// in for CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON), cut down to exactly the needed set, and
// joining another capture (CAP_SYS_ADMIN).
import assert from "node:assert/strict";
import {
  AS_NOBODY,
  readyPattern,
  removeAtExit,
  rootOnly,
  run,
  runUnder,
  startXskdump,
  type VethPair,
  withCapture,
  withTempDir,
  withVethPair,
  xdpAttached,
  XSKDUMP,
} from "../../testbed/mod.ts";

const repo = new URL("../../", import.meta.url).pathname;
const READY = readyPattern("xskdump", "xc0");
const NEEDED = ["cap_net_admin", "cap_net_raw", "cap_bpf", "cap_ipc_lock"];
/** A filter the verifier accepts only with CAP_PERFMON (variable-offset packet reads). */
const PORT_FILTER = "udp port 53";
const UMEM = 4096 * 4096;
const ignore = rootOnly("reliability_privileges", "namespaces, capsh");

/** RLIMIT_MEMLOCK (soft) of this process in bytes; Infinity when unlimited. */
function memlockLimit(): number {
  const line = Deno.readTextFileSync("/proc/self/limits").split("\n")
    .find((l) => l.startsWith("Max locked memory"));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === "unlimited" ? Infinity : Number(soft);
}

/** Whether CAP_IPC_LOCK is needed at all: not when the memlock limit holds the UMEM. */
function ipcLockNeeded(): boolean {
  if (memlockLimit() < UMEM) return true;
  console.log(`  (memlock limit ${memlockLimit()} holds the UMEM: IPC_LOCK not needed)`);
  return false;
}

/** Every capability this kernel knows, by capsh's names. */
async function allCaps(): Promise<string[]> {
  const r = await run(["capsh", "--print"], { check: true });
  const bounding = /^Bounding set =(.*)$/m.exec(r.stdout)?.[1] ?? "";
  return bounding.split(",").map((c) => c.trim()).filter(Boolean);
}

interface Kit {
  bundle: string;
  deno: string;
  /** env(1) assignments that make the bundle run on the kit's deno, with its own DENO_DIR. */
  env: string[];
}

let kitBuilt: Promise<Kit> | undefined;

/** A directory nobody can read holding xskdump.js and a deno, plus a writable DENO_DIR; built
 * once per test process. */
function nobodyKit(): Promise<Kit> {
  kitBuilt ??= (async () => {
    const kit = await Deno.makeTempDir({ prefix: "xskt-priv-" });
    removeAtExit(kit);
    await Deno.mkdir(`${kit}/denodir`);
    await run(["make", "-s", "bundle", `DIST=${kit}`], { cwd: repo, check: true });
    await Deno.copyFile(Deno.execPath(), `${kit}/deno`);
    await Deno.chmod(kit, 0o755);
    await Deno.chmod(`${kit}/deno`, 0o755);
    await Deno.chmod(`${kit}/denodir`, 0o777);
    return {
      bundle: `${kit}/xskdump.js`,
      deno: `${kit}/deno`,
      env: [`HOME=${kit}/denodir`, `DENO_DIR=${kit}/denodir`, `XSKDUMP_DENO=${kit}/deno`],
    };
  })();
  return kitBuilt;
}

/** Root with `caps` removed from the bounding set (capsh --drop), running bin/xskdump. */
function withoutCaps(pair: VethPair, caps: string[], extra: string[] = []) {
  const capsh = ["capsh", `--drop=${caps.join(",")}`, "--", "-c", 'exec "$@"', "--"];
  return runUnder(pair, capsh, [XSKDUMP, ...extra]);
}

/** The bundle as nobody with exactly these capabilities, as ambient ones (and a filter). */
async function asNobodyWith(pair: VethPair, caps: string[], filter: string[] = []) {
  const kit = await nobodyKit();
  const list = caps.join(",");
  const capsh = [
    ...["capsh", `--caps=${list}+eip cap_setpcap,cap_setuid,cap_setgid+ep`, "--keep=1"],
    ...["--user=nobody", `--addamb=${list}`, "--", "-c", 'exec "$@"', "--"],
  ];
  return runUnder(pair, capsh, [...kit.env, kit.bundle, ...filter]);
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
    const kit = await nobodyKit();
    await withVethPair(async (pair) => {
      for (
        const wrapper of [
          [...AS_NOBODY, "--inh-caps=-all"],
          ["runuser", "-u", "nobody", "--"],
        ]
      ) {
        const r = await runUnder(pair, wrapper, [...kit.env, kit.bundle]);
        assertNamed(r, "cap_bpf", wrapper[0]);
        assert.match(r.stderr, GRANT_HINT);
      }
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    });
  },
});

Deno.test({
  name: "privileges: nobody with exactly NET_ADMIN, NET_RAW, BPF and IPC_LOCK captures; " +
    "without any one of them it fails in one line",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const ok = await asNobodyWith(pair, NEEDED);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, READY);
      for (const missing of NEEDED) {
        if (missing === "cap_ipc_lock" && !ipcLockNeeded()) continue;
        const r = await asNobodyWith(pair, NEEDED.filter((c) => c !== missing));
        assertNamed(r, missing, `without ${missing}`);
        assert.match(r.stderr, /^xskdump: .*(Operation not permitted|No buffer space)/);
      }
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    });
  },
});

Deno.test({
  name: "privileges: a port filter needs CAP_PERFMON as well",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const no = await asNobodyWith(pair, NEEDED, [PORT_FILTER]);
      assert.notEqual(no.code, 0, no.stderr);
      assert.match(no.stderr, /rejected by the kernel verifier: .*prohibited for !root/);
      assert.match(
        no.stderr,
        /CAP_PERFMON is missing: Permission denied; run as root, or grant it/,
      );
      const ok = await asNobodyWith(pair, [...NEEDED, "cap_perfmon"], [PORT_FILTER]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, READY);
    });
  },
});

Deno.test({
  name: "privileges: setcap on the runtime lets nobody capture with a filter (file capabilities)",
  ignore,
  async fn() {
    const kit = await nobodyKit();
    await withTempDir("xskt-setcap-", async (dir) => {
      // A deno of its own: file capabilities on the kit's would grant them to the other tests.
      const deno = `${dir}/deno`;
      await Deno.copyFile(kit.deno, deno);
      await Deno.chmod(dir, 0o755);
      await run(["setcap", `${[...NEEDED, "cap_perfmon"].join(",")}+ep`, deno], { check: true });
      await withVethPair(async (pair) => {
        const r = await runUnder(pair, AS_NOBODY, [
          ...[...kit.env, `XSKDUMP_DENO=${deno}`, kit.bundle, PORT_FILTER],
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, READY);
      });
    });
  },
});

Deno.test({
  name: "privileges: root without one needed capability (capsh --drop): one line naming it",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      for (const cap of NEEDED) {
        if (cap === "cap_ipc_lock" && !ipcLockNeeded()) continue;
        const r = await withoutCaps(pair, [cap, "cap_sys_admin"]);
        assertNamed(r, cap, `without ${cap}`);
        assert.match(r.stderr, GRANT_HINT);
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false, cap);
      }
      // A filter that reads at a variable offset (a port) needs CAP_PERFMON; `udp` does not.
      const port = await withoutCaps(pair, ["cap_perfmon", "cap_sys_admin"], [PORT_FILTER]);
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
      const port = await withoutCaps(pair, keep([...NEEDED, "cap_perfmon"]), [PORT_FILTER]);
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
      await withCapture(startXskdump(pair, ["--queue", "0", "-w", "/dev/null"]), async (first) => {
        const r = await withoutCaps(pair, ["cap_sys_admin"], ["--queue", "1"]);
        assertNamed(r, "cap_sys_admin", "second capture without cap_sys_admin");
        assert.match(r.stderr, GRANT_HINT);
        assert.match(
          r.stderr,
          /^xskdump: xc0 already has XDP program \d+ attached \((native|generic) mode\); sharing it/,
        );
        // The first one is untouched: it holds the program until it ends.
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), true);
        assert.equal((await first.interrupt("SIGINT")).code, 0, first.stderr());
      });
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    }, { rxQueues: 2, txQueues: 2 });
  },
});
