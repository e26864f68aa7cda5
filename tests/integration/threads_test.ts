// The capture loop's CPU (csrc/threads.c): once xskdump says it listens, every thread of its
// process but the loop's yields to the loop: V8's compiler threads SCHED_IDLE, the shim's
// writer SCHED_BATCH, the loop's own thread as it was (SCHED_OTHER).
import assert from "node:assert/strict";
import { rootOnly, startXskdump, withPairAndDir } from "../../testbed/mod.ts";

const ignore = rootOnly("threads");

/** sched(7)'s policy numbers, as /proc/PID/task/TID/sched shows them. */
const POLICY = { other: 0, batch: 3, idle: 5 } as const;

/** Each thread of process pid: its name and scheduling policy. */
function threadsOf(pid: number): { tid: number; name: string; policy: number }[] {
  return [...Deno.readDirSync(`/proc/${pid}/task`)].map(({ name: tid }) => {
    const dir = `/proc/${pid}/task/${tid}`;
    const sched = Deno.readTextFileSync(`${dir}/sched`);
    const policy = sched.match(/^policy\s*:\s*(\d+)/m);
    assert.ok(policy, `no policy line in ${dir}/sched`);
    return {
      tid: Number(tid),
      name: Deno.readTextFileSync(`${dir}/comm`).trim(),
      policy: Number(policy[1]),
    };
  });
}

for (const path of ["--divert", "--tap"]) {
  Deno.test({
    name: `threads: ${path}: V8's threads idle, the writer batch, the loop's own as it was`,
    ignore,
    async fn() {
      await withPairAndDir("xskt-thr-", async (pair, dir) => {
        const cap = await startXskdump(pair, [path, "-w", `${dir}/x.pcap`]);
        try {
          const threads = threadsOf(cap.pid);
          const loop = threads.find((t) => t.tid === cap.pid);
          assert.equal(loop?.name, "deno", JSON.stringify(threads));
          assert.equal(loop.policy, POLICY.other);
          const v8 = threads.filter((t) => t.name.startsWith("V8 "));
          assert.ok(v8.length > 0, `no V8 thread: ${JSON.stringify(threads)}`);
          assert.deepEqual(v8.filter((t) => t.policy !== POLICY.idle), []);
          const writer = threads.filter((t) => t.name === "xskdump-writer");
          assert.equal(writer.length, 1, JSON.stringify(threads));
          assert.equal(writer[0].policy, POLICY.batch);
          assert.equal((await cap.interrupt()).code, 0, cap.stderr());
        } finally {
          await cap.stop();
        }
      });
    },
  });
}
