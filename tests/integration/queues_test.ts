// --single-queue on a veth with 4 RX queues: one queue while capturing, the original counts
// afterwards on every exit path; a SIGKILL leaves a state file that `xskdump restore` and the
// next run on the interface use to put it back. And `xskdump doctor` on a real interface.
import assert from "node:assert/strict";
import { isRoot, nsExec, run, spawnInNs, withVethPair } from "./netns.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const READY = /^listening on xc0, queue 0, mode generic/;
const ignore = !isRoot;
if (ignore) console.log("queues: skipped, needs root (network namespaces, veth, XDP, ethtool)");

async function rxChannels(ns: string, ifname: string): Promise<number> {
  const r = await nsExec(ns, ["ethtool", "-l", ifname], { check: true });
  const current = r.stdout.slice(r.stdout.indexOf("Current hardware settings"));
  return Number(/^RX:\s+(\d+)/m.exec(current)?.[1]);
}

async function withStateDir<T>(fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "xskt-state-" });
  try {
    return await fn({ XSKDUMP_STATE_DIR: dir });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function stateFiles(env: Record<string, string>): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(env.XSKDUMP_STATE_DIR)) names.push(e.name);
  return names;
}

const capture = (ifname: string) =>
  [bin, "-i", ifname, "-w", "/dev/null", "--single-queue"].concat(
    ["--mode", "generic"],
  );

Deno.test({
  name: "queues: --single-queue shows 1 RX queue while capturing, 4 again after SIGINT",
  ignore,
  async fn() {
    await withStateDir(async (env) => {
      await withVethPair(async (pair) => {
        assert.equal(await rxChannels(pair.captureNs, pair.captureIf), 4);
        const cap = spawnInNs(pair.captureNs, capture(pair.captureIf), env);
        try {
          await cap.waitForStderrLine(READY, 20_000);
          assert.match(cap.stderrText(), /set to one RX queue \(like `ethtool -L xc0 rx 1`\)/);
          assert.equal(await rxChannels(pair.captureNs, pair.captureIf), 1);
          assert.equal((await stateFiles(env)).length, 1, "the change is recorded");
          cap.signal("SIGINT");
          assert.equal((await cap.waitExit(10_000)).code, 0, cap.stderrText());
        } finally {
          await cap.stop();
        }
        assert.equal(await rxChannels(pair.captureNs, pair.captureIf), 4);
        assert.deepEqual(await stateFiles(env), [], "the record is gone once restored");
      }, { rxQueues: 4, txQueues: 4 });
    });
  },
});

Deno.test({
  name: "queues: after SIGKILL, `xskdump restore` puts the original channels back",
  ignore,
  async fn() {
    await withStateDir(async (env) => {
      await withVethPair(async (pair) => {
        const cap = spawnInNs(pair.captureNs, capture(pair.captureIf), env);
        try {
          await cap.waitForStderrLine(READY, 20_000);
          cap.signal("SIGKILL");
          await cap.waitExit(10_000);
        } finally {
          await cap.stop();
        }
        assert.equal(await rxChannels(pair.captureNs, pair.captureIf), 1, "SIGKILL cannot restore");
        const r = await nsExec(pair.captureNs, [bin, "restore", "-i", pair.captureIf], { env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /restored the channels of xc0 .*\(ethtool -L xc0 rx 4/);
        assert.equal(await rxChannels(pair.captureNs, pair.captureIf), 4);
        assert.deepEqual(await stateFiles(env), []);
        const again = await nsExec(pair.captureNs, [bin, "restore"], { env });
        assert.match(again.stdout, /^nothing to restore$/m);
      }, { rxQueues: 4, txQueues: 4 });
    });
  },
});

Deno.test({
  name: "queues: after SIGKILL, the next run on the interface restores it first",
  ignore,
  async fn() {
    await withStateDir(async (env) => {
      await withVethPair(async (pair) => {
        const first = spawnInNs(pair.captureNs, capture(pair.captureIf), env);
        try {
          await first.waitForStderrLine(READY, 20_000);
          first.signal("SIGKILL");
          await first.waitExit(10_000);
        } finally {
          await first.stop();
        }
        // A plain capture (no --single-queue) on the same interface undoes the old change.
        const next = spawnInNs(pair.captureNs, [
          bin,
          "-i",
          pair.captureIf,
          "-w",
          "/dev/null",
          "--duration",
          "0.2",
          "--mode",
          "generic",
        ], env);
        try {
          assert.equal((await next.waitExit(20_000)).code, 0, next.stderrText());
        } finally {
          await next.stop();
        }
        assert.match(next.stderrText(), /restored the channels of xc0 left changed by pid \d+/);
        assert.equal(await rxChannels(pair.captureNs, pair.captureIf), 4);
      }, { rxQueues: 4, txQueues: 4 });
    });
  },
});

Deno.test({
  name: "doctor: real interface, XDP already attached, missing interface, --json",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const ok = await nsExec(pair.captureNs, [bin, "doctor", "-i", pair.captureIf]);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /^ok +native XDP +the driver of xc0 runs XDP natively/m);
      assert.match(ok.stdout, /^ok +RX queues +4 RX queues/m);
      assert.match(ok.stdout, /^ok +XDP program +none attached to xc0/m);
      assert.match(ok.stdout, /^ok +GRO +native XDP sees packets before GRO/m);
      // Someone else's program on the hook: doctor must say so and fail.
      const obj = `${await Deno.makeTempDir({ prefix: "xskt-doc-" })}/pass.o`;
      try {
        await Deno.writeTextFile(obj.replace(/\.o$/, ".c"), PASS_PROG);
        await run(["clang", "-O2", "-target", "bpf", "-c", obj.replace(/\.o$/, ".c"), "-o", obj], {
          check: true,
        });
        await nsExec(pair.captureNs, [
          "ip",
          "link",
          "set",
          "dev",
          pair.captureIf,
          "xdpgeneric",
          "obj",
          obj,
          "sec",
          "xdp",
        ], { check: true });
        const busy = await nsExec(pair.captureNs, [bin, "doctor", "-i", pair.captureIf, "--json"]);
        assert.equal(busy.code, 1);
        const report = JSON.parse(busy.stdout);
        const xdp = report.checks.find((c: { name: string }) => c.name === "XDP program");
        assert.equal(xdp.status, "fail");
        assert.match(xdp.detail, /already has XDP program \d+ attached \(generic\)/);
      } finally {
        await Deno.remove(obj.slice(0, obj.lastIndexOf("/")), { recursive: true });
      }
      await nsExec(pair.captureNs, [
        "ip",
        "link",
        "set",
        "dev",
        pair.captureIf,
        "xdpgeneric",
        "off",
      ], {
        check: true,
      });
      // Another xskdump's program: a capture can join it on other queues, so a warning.
      const cap = spawnInNs(pair.captureNs, [
        bin,
        "-i",
        pair.captureIf,
        "--mode",
        "generic",
        "-w",
        "/dev/null",
        "--quiet",
      ]);
      try {
        await cap.waitForStderrLine(READY, 20_000);
        const shared = await nsExec(pair.captureNs, [
          bin,
          "doctor",
          "-i",
          pair.captureIf,
          "--json",
        ]);
        const xdp = JSON.parse(shared.stdout).checks.find((c: { name: string }) =>
          c.name === "XDP program"
        );
        assert.equal(xdp.status, "warn", shared.stdout);
        assert.match(xdp.detail, /another xskdump captures on xc0 \(program \d+, generic\)/);
        // --single-queue must not take the queues from under it.
        const second = await nsExec(pair.captureNs, [
          bin,
          "-i",
          pair.captureIf,
          "--queue",
          "1",
          "--single-queue",
          "-c",
          "1",
          "-w",
          "/dev/null",
        ]);
        assert.notEqual(second.code, 0);
        assert.match(second.stderr, /another xskdump captures on xc0 .*--single-queue would/);
        assert.equal(await rxChannels(pair.captureNs, pair.captureIf), 4);
        cap.signal("SIGINT");
        assert.equal((await cap.waitExit(10_000)).code, 0, cap.stderrText());
      } finally {
        await cap.stop();
      }
      const missing = await nsExec(pair.captureNs, [bin, "doctor", "-i", "xsknope0"]);
      assert.equal(missing.code, 1);
      assert.match(missing.stdout, /^fail interface +xsknope0 does not exist/m);
    }, { rxQueues: 4, txQueues: 4 });
  },
});

// XDP_PASS is 2; no headers, so any clang with the bpf target builds it.
const PASS_PROG = `
__attribute__((section("xdp"), used)) int pass(void *ctx) { return 2; }
char _license[] __attribute__((section("license"), used)) = "GPL";
`;
