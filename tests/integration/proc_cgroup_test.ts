// Which processes a capture keeps (issue 20), by where they run: --cgroup and --container with a
// child cgroup in a private cgroup2 mount (one sender in it) and with cgroup v1 paths, --pname by
// the command name.

import assert from "node:assert/strict";
import { pcapngRecords } from "../../lib/formats/pcapng_reader.ts";
import { type Capture, type NsChild, run, spawnInNs, startXskdump } from "../../testbed/mod.ts";
import {
  closed,
  deno,
  finish,
  PEER,
  peer,
  PEER_ADDR,
  procTest,
  READY_MS,
  runSenders,
  TCP_PORT,
  UDP_PORT,
} from "./proc_helpers.ts";

/**
 * A child cgroup, named like a container's scope, in a private cgroup2 mount (this host may have
 * none mounted); removed with the mount afterwards, also on failure.
 */
async function withChildCgroup<T>(
  fn: (mount: string, path: string, id: string) => Promise<T>,
): Promise<T> {
  const mount = await Deno.makeTempDir({ prefix: "xskdump-cg2-" });
  const id = crypto.randomUUID().replaceAll("-", "").repeat(2);
  const rel = `/xskdump-test-${id.slice(0, 8)}/docker-${id}.scope`;
  await run(["mount", "-t", "cgroup2", "none", mount], { check: true });
  try {
    await Deno.mkdir(`${mount}${rel}`, { recursive: true });
    return await fn(mount, rel, id);
  } finally {
    for (const d of [`${mount}${rel}`, `${mount}${rel.slice(0, rel.lastIndexOf("/"))}`]) {
      await Deno.remove(d).catch(() => {});
    }
    await run(["umount", mount]);
    await Deno.remove(mount);
  }
}

procTest("proc: --cgroup, --container and --pname select their sender", async (pair, dir) => {
  await withChildCgroup(async (mount, rel, id) => {
    // The UDP sender starts in the child cgroup (its socket is made there); the TCP one, in the
    // root cgroup, runs under another command name.
    const udp = await peer(
      pair.captureNs,
      ["udp-send", PEER_ADDR, String(UDP_PORT), "5"],
      (argv) => ["sh", "-c", `echo $$ > ${mount}${rel}/cgroup.procs && exec "$@"`, "sh", ...argv],
    );
    await Deno.symlink(deno, `${dir}/tcpsender`);
    const tcp = await peer(
      pair.captureNs,
      ["tcp-send", PEER_ADDR, String(TCP_PORT), "5"],
      (argv) => [`${dir}/tcpsender`, ...argv.slice(1)],
    );
    const caps: Capture[] = [];
    try {
      const parent = rel.slice(0, rel.lastIndexOf("/"));
      const start = (name: string, args: string[]) =>
        startXskdump(pair, [...args, "-w", `${dir}/${name}.pcapng`]).then((c) => caps.push(c));
      await start("cg", ["--cgroup", parent]);
      await start("ct", ["--container", id.slice(0, 12), "--pname", "deno"]);
      await start("pn", ["--pname", "tcpsender"]);
      await runSenders([udp, tcp]);
      await closed(pair);
      for (const c of caps) await finish(c);
      const read = (name: string) => [...pcapngRecords(Deno.readFileSync(`${dir}/${name}.pcapng`))];
      for (const name of ["cg", "ct"]) {
        const recs = read(name);
        assert.equal(recs.length, 10, `${name}: the 5 datagrams and 5 echoes`);
        assert.deepEqual(recs.filter((r) => r.processId !== udp.pid), [], name);
        const where = `cgroup ${rel} container ${id.slice(0, 12)} `;
        assert.ok(recs.every((r) => r.comment?.includes(where)), `${name}: ${recs[0].comment}`);
      }
      const pn = read("pn");
      assert.ok(pn.length >= 15, `--pname: the TCP sender's packets (${pn.length})`);
      assert.deepEqual(pn.filter((r) => r.processId !== tcp.pid), []);
      assert.match(pn[0].comment ?? "", new RegExp(`^pid ${tcp.pid} tid \\d+ tcpsender cgroup / `));
    } finally {
      await udp.stop();
      await tcp.stop();
      for (const c of caps) await c.stop();
    }
  });
});

/** The mount point of a cgroup v1 hierarchy of this host, undefined when it has none. */
function cgroupV1Mount(): string | undefined {
  const line = Deno.readTextFileSync("/proc/self/mountinfo").split("\n")
    .find((l) => / - cgroup /.test(l) && l.split(" ")[3] === "/");
  return line?.split(" ")[4];
}

procTest(
  "proc: --cgroup and --container with cgroup v1 paths (a host without cgroup2 in use)",
  async (pair, dir) => {
    const v1 = cgroupV1Mount();
    if (v1 === undefined) {
      console.log("skipped: this host mounts no cgroup v1 hierarchy");
      return;
    }
    const id = crypto.randomUUID().replaceAll("-", "").repeat(2);
    const rel = `/xskdump-v1-${id.slice(0, 8)}/docker-${id}`;
    await Deno.mkdir(`${v1}${rel}`, { recursive: true });
    const caps: Capture[] = [];
    const spawned: NsChild[] = [];
    try {
      // `ip netns exec` hides /sys/fs/cgroup's v1 mounts from its command: the test moves the
      // sender, which waits for a line before it makes its socket.
      const udp = spawnInNs(pair.captureNs, [
        ...["sh", "-c", 'read x && exec "$@"', "sh"],
        ...[deno, "run", "-A", PEER, "udp-send", PEER_ADDR, String(UDP_PORT), "5"],
      ], { stdin: true });
      spawned.push(udp);
      await Deno.writeTextFile(`${v1}${rel}/cgroup.procs`, `${udp.pid}\n`);
      await udp.send("start");
      await udp.waitForStderrLine(/^ready$/, READY_MS);
      spawned.push(await peer(pair.captureNs, ["tcp-send", PEER_ADDR, String(TCP_PORT), "5"]));
      const start = (name: string, args: string[]) =>
        startXskdump(pair, [...args, "-w", `${dir}/${name}.pcapng`]).then((c) => caps.push(c));
      await start("cg", ["--cgroup", rel.slice(0, rel.lastIndexOf("/"))]);
      await start("ct", ["--container", id.slice(0, 12)]);
      await runSenders(spawned);
      await closed(pair);
      for (const c of caps) await finish(c);
      for (const name of ["cg", "ct"]) {
        const recs = [...pcapngRecords(Deno.readFileSync(`${dir}/${name}.pcapng`))];
        assert.equal(recs.length, 10, `${name}: the 5 datagrams and 5 echoes`);
        assert.deepEqual(recs.filter((r) => r.processId !== spawned[0].pid), [], name);
      }
    } finally {
      for (const c of spawned) await c.stop();
      for (const c of caps) await c.stop();
      await Deno.remove(`${v1}${rel}`).catch(() => {});
      await Deno.remove(`${v1}${rel.slice(0, rel.lastIndexOf("/"))}`).catch(() => {});
    }
  },
  true,
);
