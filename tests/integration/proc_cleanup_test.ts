// What the process attribution (issue 20) holds in the kernel: the map of live sockets does not
// grow over 100,000 sockets opened and closed, and kill -9 leaves no hook, link, program or
// mount of it.

import assert from "node:assert/strict";
import { bpfIdsHeldBy, pollUntil, run, spawnInNs, startXskdump } from "../../testbed/mod.ts";
import { deno, finish, PEER, processOf, procTest, READY_MS } from "./proc_helpers.ts";

/**
 * The bytes the kernel counts for the map of live sockets ("procs") of the capture `pid`: its
 * memory in use. By its holder, since other captures on a shared machine have theirs.
 */
async function procsMapBytes(pid: number): Promise<number> {
  const maps = JSON.parse(
    (await run(["bpftool", "-j", "map", "show"], { check: true })).stdout,
  ) as {
    id: number;
    name: string;
    bytes_memlock: number;
  }[];
  const held = await bpfIdsHeldBy(pid, "map");
  const procs = maps.filter((m) => m.name === "procs" && held.includes(m.id));
  assert.equal(procs.length, 1, `one map of live sockets held by the capture (pid ${pid})`);
  return procs[0].bytes_memlock;
}

procTest(
  "proc: 100,000 sockets opened and closed: the map of live sockets does not grow",
  async (pair) => {
    const cap = await startXskdump(pair, ["--attribute", "-w", "/dev/null", "--format", "pcapng"]);
    try {
      const before = await procsMapBytes(cap.pid);
      const churn = spawnInNs(pair.captureNs, [deno, "run", "-A", PEER, "sockets", "100000"]);
      await churn.waitForStderrLine(/^done$/, 300_000);
      assert.equal((await churn.waitExit(READY_MS)).code, 0, churn.stderrText());
      const after = await procsMapBytes(cap.pid);
      const sum = await finish(cap);
      const m = processOf(sum).maps!;
      console.log(
        `procs map ${before} bytes before, ${after} after 100000 sockets; live ${m.live}, ` +
          `closed ${m.closed}, created ${m.create}, released ${m.release}, map full ${m.map_full}`,
      );
      assert.ok(m.create >= 100_000 && m.release >= 100_000, JSON.stringify(m));
      assert.ok(m.closed <= 16384, `closed: ${m.closed}`);
      // Live entries are the host's sockets (every process: the machine is shared), not these.
      assert.ok(m.live < 20_000, `live: ${m.live}`);
      assert.equal(m.map_full, 0);
      assert.ok(after < before + (4 << 20), `the map grew from ${before} to ${after} bytes`);
    } finally {
      await cap.stop();
    }
  },
  false,
);

/**
 * The attribution's BPF objects on the host: its programs (proc_*) and the links to them; with
 * `pid`, only the links that process holds and their programs (other captures on a shared
 * machine have theirs).
 */
async function procObjects(pid?: number): Promise<{ progs: number[]; links: number[] }> {
  const json = async (what: string) =>
    JSON.parse((await run(["bpftool", "-j", what, "show"], { check: true })).stdout || "[]") as {
      id: number;
      name?: string;
      prog_id?: number;
      type?: string;
    }[];
  const held = pid === undefined ? undefined : await bpfIdsHeldBy(pid, "link");
  const progs = (await json("prog")).filter((p) => p.name?.startsWith("proc_")).map((p) => p.id);
  const links = (await json("link")).filter((l) =>
    progs.includes(l.prog_id ?? -1) && (held === undefined || held.includes(l.id))
  );
  return {
    progs: held === undefined ? progs : [...new Set(links.map((l) => l.prog_id!))],
    links: links.map((l) => l.id),
  };
}

/** xskdump's private cgroup2 mounts in our mount namespace, and mount points it may have left. */
async function cgroupMounts(): Promise<string[]> {
  const mounts = Deno.readTextFileSync("/proc/self/mountinfo").split("\n")
    .filter((l) => /\/xskdump-cgroup[12]\./.test(l));
  const dirs: string[] = [];
  for await (const e of Deno.readDir("/tmp")) {
    if (/^xskdump-cgroup[12]\./.test(e.name)) dirs.push(`/tmp/${e.name}`);
  }
  return [...mounts, ...dirs];
}

procTest(
  "proc: kill -9 leaves no hook, link, program or mount of the attribution",
  async (pair) => {
    const mountsBefore = await cgroupMounts();
    const cap = await startXskdump(pair, ["--attribute"], { json: false });
    let during: { progs: number[]; links: number[] };
    try {
      during = await procObjects(cap.pid);
      assert.equal(during.progs.length, 8, "eight cgroup hooks loaded");
      assert.ok(during.links.length >= 8, `their links: ${during.links}`);
      assert.deepEqual(await cgroupMounts(), mountsBefore, "the private mount is detached at once");
      cap.child.signal("SIGKILL");
      await cap.exit();
    } finally {
      await cap.stop();
    }
    // The kernel frees a program once its last link and fd are gone (after an RCU grace period).
    const left = async () => {
      const now = await procObjects();
      return {
        progs: during.progs.filter((id) => now.progs.includes(id)),
        links: during.links.filter((id) => now.links.includes(id)),
      };
    };
    const gone = await pollUntil(async () => {
      const l = await left();
      return l.progs.length === 0 && l.links.length === 0;
    }, 10_000);
    assert.ok(gone, `left behind: ${JSON.stringify(await left())}`);
    assert.deepEqual(await cgroupMounts(), mountsBefore);
    // bpftool cgroup tree: one line per attached program, its id first.
    const tree = (await run(["bpftool", "cgroup", "tree"])).stdout;
    const attached = during.progs.filter((id) => new RegExp(`^\\s*${id}\\s`, "m").test(tree));
    assert.deepEqual(attached, [], "no hook of it attached");
  },
  false,
);
