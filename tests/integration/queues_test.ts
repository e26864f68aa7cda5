// --single-queue on a veth with 4 RX queues: one queue while capturing, the original counts
// afterwards on every exit path; a SIGKILL leaves a state file that `xskdump restore` and the
// next run on the interface use to put it back. And `xskdump doctor` on a real interface.
import assert from "node:assert/strict";
import {
  attachXdp,
  detachXdp,
  nsExec,
  oneActionProgram,
  rootOnly,
  runXskdump,
  rxQueues,
  startXskdump,
  type VethPair,
  withCapture,
  withPairAndDir,
  withTempDir,
  withVethPair,
  XDP_PASS,
  XSKDUMP,
} from "../../testbed/mod.ts";

const ignore = rootOnly("queues", "network namespaces, veth, XDP, ethtool");
const QUEUES = { rxQueues: 4, txQueues: 4 };

/** Runs fn with a veth pair of 4 queues and a state directory of xskdump's own (its env). */
function withPairAndState(
  fn: (pair: VethPair, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  return withTempDir(
    "xskt-state-",
    (dir) => withVethPair((pair) => fn(pair, { XSKDUMP_STATE_DIR: dir }), QUEUES),
  );
}

async function stateFiles(env: Record<string, string>): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(env.XSKDUMP_STATE_DIR)) names.push(e.name);
  return names;
}

/** A --single-queue capture, ended by SIGKILL once it listens: the change stays recorded. */
async function killedSingleQueue(pair: VethPair, env: Record<string, string>): Promise<void> {
  const args = ["-w", "/dev/null", "--single-queue", "--mode", "generic"];
  await withCapture(startXskdump(pair, args, { env }), async (cap) => {
    assert.equal((await cap.interrupt("SIGKILL")).signal, "SIGKILL");
  });
  assert.equal(await rxQueues(pair.captureNs, pair.captureIf), 1, "SIGKILL cannot restore");
}

Deno.test({
  name: "queues: --single-queue shows 1 RX queue while capturing, 4 again after SIGINT",
  ignore,
  async fn() {
    await withPairAndState(async (pair, env) => {
      assert.equal(await rxQueues(pair.captureNs, pair.captureIf), 4);
      const args = ["-w", "/dev/null", "--single-queue", "--mode", "generic"];
      await withCapture(startXskdump(pair, args, { env }), async (cap) => {
        // The change is made and recorded before the capture listens.
        assert.match(cap.stderr(), /set to one RX queue \(like `ethtool -L xc0 rx 1`\)/);
        assert.equal(await rxQueues(pair.captureNs, pair.captureIf), 1);
        assert.equal((await stateFiles(env)).length, 1, "the change is recorded");
        assert.equal((await cap.interrupt("SIGINT")).code, 0, cap.stderr());
      });
      assert.equal(await rxQueues(pair.captureNs, pair.captureIf), 4);
      assert.deepEqual(await stateFiles(env), [], "the record is gone once restored");
    });
  },
});

Deno.test({
  name: "queues: after SIGKILL, `xskdump restore` puts the original channels back",
  ignore,
  async fn() {
    await withPairAndState(async (pair, env) => {
      await killedSingleQueue(pair, env);
      const r = await nsExec(pair.captureNs, [XSKDUMP, "restore", "-i", pair.captureIf], {
        env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /restored the channels of xc0 .*\(ethtool -L xc0 rx 4/);
      assert.equal(await rxQueues(pair.captureNs, pair.captureIf), 4);
      assert.deepEqual(await stateFiles(env), []);
      const again = await nsExec(pair.captureNs, [XSKDUMP, "restore"], { env });
      assert.match(again.stdout, /^nothing to restore$/m);
    });
  },
});

Deno.test({
  name: "queues: after SIGKILL, the next run on the interface restores it first",
  ignore,
  async fn() {
    await withPairAndState(async (pair, env) => {
      await killedSingleQueue(pair, env);
      // A plain capture (no --single-queue) on the same interface undoes the old change.
      const next = await runXskdump(pair, [
        ...["-w", "/dev/null", "--duration", "0.2", "--mode", "generic"],
      ], env);
      assert.equal(next.code, 0, next.stderr);
      assert.match(next.stderr, /restored the channels of xc0 left changed by pid \d+/);
      assert.equal(await rxQueues(pair.captureNs, pair.captureIf), 4);
    });
  },
});

Deno.test({
  name: "doctor: real interface, XDP already attached, missing interface, --json",
  ignore,
  async fn() {
    await withPairAndDir("xskt-doc-", async (pair, dir) => {
      const doctor = (iface: string, json = false) =>
        nsExec(pair.captureNs, [XSKDUMP, "doctor", "-i", iface, ...(json ? ["--json"] : [])]);
      const xdpCheck = (stdout: string) =>
        JSON.parse(stdout).checks.find((c: { name: string }) => c.name === "XDP program");
      const ok = await doctor(pair.captureIf);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /^ok +native XDP +the driver of xc0 runs XDP natively/m);
      assert.match(ok.stdout, /^ok +RX queues +4 RX queues/m);
      assert.match(ok.stdout, /^ok +XDP program +none attached to xc0/m);
      assert.match(ok.stdout, /^ok +GRO +native XDP sees packets before GRO/m);
      // Someone else's program on the hook: doctor must say so and fail.
      const pass = await oneActionProgram(dir, "pass", XDP_PASS);
      await attachXdp(pair.captureNs, pair.captureIf, "generic", pass);
      const busy = await doctor(pair.captureIf, true);
      assert.equal(busy.code, 1);
      assert.equal(xdpCheck(busy.stdout).status, "fail");
      assert.match(
        xdpCheck(busy.stdout).detail,
        /already has XDP program \d+ attached \(generic\)/,
      );
      await detachXdp(pair.captureNs, pair.captureIf, ["generic"]);
      // Another xskdump's program: a capture can join it on other queues, so a warning.
      const args = ["--mode", "generic", "-w", "/dev/null", "--quiet"];
      await withCapture(startXskdump(pair, args), async (cap) => {
        const shared = await doctor(pair.captureIf, true);
        assert.equal(xdpCheck(shared.stdout).status, "warn", shared.stdout);
        assert.match(
          xdpCheck(shared.stdout).detail,
          /another xskdump captures on xc0 \(program \d+, generic\)/,
        );
        // --single-queue must not take the queues from under it.
        const second = await runXskdump(pair, [
          ...["--queue", "1", "--single-queue", "-c", "1", "-w", "/dev/null"],
        ]);
        assert.notEqual(second.code, 0);
        assert.match(second.stderr, /another xskdump captures on xc0 .*--single-queue would/);
        assert.equal(await rxQueues(pair.captureNs, pair.captureIf), 4);
        assert.equal((await cap.interrupt("SIGINT")).code, 0, cap.stderr());
      });
      const missing = await doctor("xsknope0");
      assert.equal(missing.code, 1);
      assert.match(missing.stdout, /^fail interface +xsknope0 does not exist/m);
    }, QUEUES);
  },
});
