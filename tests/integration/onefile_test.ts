// The one file (`make onefile`, dist/xskdump) on a bare host. Built for real here, copied alone
// into an empty directory of a mount namespace that hides the checkout, its .tools and the Deno
// running these tests (an empty read-only tmpfs over each), with /tmp read-only, no Deno on
// PATH and HOME and DENO_DIR empty read-only directories. There it captures the corpus on a
// veth pair (identical and in order), reads the capture back with -r, runs doctor, --help and
// --version, each under strace: exactly one exec of Deno, from a memfd; no path of the checkout
// or the tools touched; nothing written or created; no connection opened. Then damaged copies
// (cut short, a bit flipped in each part): one line, exit 1, nothing executed. kill -9: the
// launcher became Deno (same pid, no child), so the kernel detaches the XDP program. setcap on
// the file works for nobody. A host that forbids executable memfds gets one line.
import assert from "node:assert/strict";
import {
  AS_NOBODY,
  mergedCorpus,
  nsExec,
  readyPattern,
  rootOnly,
  run,
  runUnder,
  startCapture,
  type VethPair,
  withCapture,
  withTempDir,
  withVethPair,
  xdpAttached,
} from "../../testbed/mod.ts";
import { captureCorpus } from "./dist_capture.ts";

const repo = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const ignore = rootOnly("onefile", "namespaces, veth, XDP, mounts");

/** `make onefile DIST=dir`: the real build. Returns the file. */
async function buildOnefile(dir: string): Promise<string> {
  await run(["make", "-s", "onefile", `DIST=${dir}`], { cwd: repo, check: true });
  return `${dir}/xskdump`;
}

/** Every place a Deno or the checkout could be reached through, deepest first. */
async function hiddenPaths(): Promise<string[]> {
  const paths = new Set([
    repo,
    await Deno.realPath(`${repo}/.tools`),
    (await Deno.realPath(Deno.execPath())).replace(/\/[^/]+$/, ""),
  ]);
  return [...paths].sort((a, b) => b.length - a.length);
}

/**
 * Runs in a new mount namespace: hides HIDE, puts the one file alone in /tmp/host on a fresh
 * tmpfs over /tmp (then read-only), and execs it there under strace, with nothing of the
 * environment but PATH, HOME, DENO_DIR and TZ. The trace goes to fd 4 (TRACE, opened before
 * the mounts); INPUT, when set, becomes stdin.
 */
const BARE_HOST = `set -eu
exec 3<"$STAGE/xskdump" 4>"$TRACE"
if [ -n "\${INPUT:-}" ]; then exec 5<"$INPUT"; else exec 5</dev/null; fi
for d in $HIDE; do mount -t tmpfs -o ro,size=4k,mode=755 xskt-hidden "$d"; done
mount -t tmpfs -o size=256m,mode=755 xskt-host /tmp
mkdir /tmp/host /tmp/home /tmp/denodir
cat <&3 >/tmp/host/xskdump
exec 3<&-
chmod 755 /tmp/host/xskdump /tmp/home /tmp/denodir
mount -o remount,ro /tmp
cd /tmp/host
[ "$(ls -A /tmp/host)" = xskdump ] || { echo "not alone: $(ls -A)" >&2; exit 99; }
if command -v deno >/dev/null; then echo "a deno on PATH: $(command -v deno)" >&2; exit 99; fi
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
  HOME=/tmp/home DENO_DIR=/tmp/denodir TZ=UTC \\
  strace -f --seccomp-bpf -qq -o /proc/self/fd/4 \\
  -e trace=execve,execveat,open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,connect \\
  ./xskdump "$@" <&5`;

interface Stage {
  dir: string;
  hide: string;
  traces: string[];
}

/** argv and env that run the one file on the bare host with args (trace saved as name). */
function bareHost(stage: Stage, name: string, args: string[], input?: string) {
  const trace = `${stage.dir}/trace-${name}`;
  stage.traces.push(trace);
  return {
    argv: [
      "unshare",
      "-m",
      "--propagation",
      "private",
      "sh",
      "-c",
      BARE_HOST,
      "xskt-bare",
      ...args,
    ],
    env: { STAGE: stage.dir, HIDE: stage.hide, TRACE: trace, INPUT: input ?? "" },
  };
}

async function runBare(stage: Stage, ns: string, name: string, args: string[], input?: string) {
  const b = bareHost(stage, name, args, input);
  return await nsExec(ns, b.argv, { env: b.env });
}

/** The checkout's launcher, same namespace and environment, for the comparison. */
async function runCheckout(ns: string, args: string[]) {
  return await nsExec(ns, [
    "env",
    "-i",
    `PATH=${Deno.env.get("PATH")}`,
    "TZ=UTC",
    `${repo}/bin/xskdump`,
    ...args,
  ]);
}

/** A syscall's first string argument (the path), for the lines that start a call. */
function pathOf(line: string): string | undefined {
  return line.match(/^\d+ +\w+\((?:AT_FDCWD, |\d+, )?"([^"]*)"/)?.[1];
}

/**
 * What strace saw: one exec of the file, one of Deno from a memfd, nothing else run; no path
 * of the checkout, the tools or the test's Deno; nothing created, written or removed (Deno's
 * caches fail at the launcher's DENO_DIR, /dev/null/..., which no file system can hold); HOME
 * only read and DENO_DIR never looked at; no connection.
 */
async function checkTrace(trace: string, hidden: string[]) {
  const lines = (await Deno.readTextFile(trace)).split("\n").filter((l) => l !== "");
  const starts = lines.filter((l) => !l.includes("resumed>"));
  const execs = starts.filter((l) => /^\d+ +execve(at)?\(/.test(l));
  assert.equal(execs.length, 2, `exactly two execs:\n${execs.join("\n")}`);
  assert.match(execs[0], /^\d+ +execve\("\.\/xskdump", /);
  assert.match(execs[1], /^\d+ +execveat\(\d+, "", \["xskdump", "run", /);
  assert.match(execs[1], /AT_EMPTY_PATH\) = 0$/);
  assert.doesNotMatch(execs[1], /--allow-all|"-A"/);
  for (const h of hidden) {
    const seen = lines.filter((l) => l.includes(h));
    assert.deepEqual(seen, [], `a path under ${h} was reached for`);
  }
  const writes = starts.filter((l) =>
    /^\d+ +(creat|mkdir|mkdirat|rename|renameat2?|unlink|unlinkat)\(/.test(l) ||
    (/^\d+ +open(at)?\(/.test(l) && /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(l))
  ).filter((l) => !pathOf(l)?.startsWith("/dev/null/"));
  assert.deepEqual(writes, [], "nothing is created, written or removed");
  assert.deepEqual(lines.filter((l) => l.includes("/tmp/denodir")), [], "DENO_DIR is unused");
  const home = starts.filter((l) => l.includes("/tmp/home"));
  assert.ok(home.every((l) => /O_RDONLY/.test(l)), `HOME is only read:\n${home.join("\n")}`);
  const connects = starts.filter((l) => /^\d+ +connect\(.*AF_INET6?\b/.test(l));
  assert.deepEqual(connects, [], "no network connection");
}

/** The start of a text record: its time (or tcpdump's text for a time it cannot convert). */
const RECORD_START = /^(\d\d:\d\d:\d\d\.\d+|\[Error converting time\]) /;

async function withStage<T>(fn: (stage: Stage, built: string) => Promise<T>): Promise<T> {
  return await withTempDir("xskt-onefile-", async (dir) => {
    const built = await buildOnefile(`${dir}/build`);
    await Deno.copyFile(built, `${dir}/xskdump`);
    const stage = { dir, hide: (await hiddenPaths()).join(" "), traces: [] };
    return await fn(stage, built);
  });
}

/** The child of a process (strace runs the one file as its only child). */
async function onlyChild(pid: number): Promise<number> {
  const kids = (await Deno.readTextFile(`/proc/${pid}/task/${pid}/children`)).trim();
  assert.match(kids, /^\d+$/, `one child of ${pid}: '${kids}'`);
  return Number(kids);
}

Deno.test({
  name: "onefile: alone on a bare host (checkout hidden, no Deno, read-only HOME, DENO_DIR " +
    "and /tmp) it captures the corpus, reads it back, runs doctor, --help and --version",
  ignore,
  async fn() {
    await withStage(async (stage) => {
      const hidden = await hiddenPaths();
      await withVethPair(async (pair: VethPair) => {
        const ns = pair.captureNs;
        const out = `${stage.dir}/got.pcap`;
        const cap = bareHost(stage, "capture", []);
        const captured = await captureCorpus(pair, {
          argv: cap.argv,
          env: cap.env,
          denoPid: async (started) => {
            const deno = await onlyChild(started);
            // The launcher became Deno: a memfd is what runs.
            assert.equal(await Deno.readLink(`/proc/${deno}/exe`), "/memfd:xskdump (deleted)");
            return deno;
          },
        });
        assert.doesNotMatch(captured.stderr(), /warning|error/i, captured.stderr());
        await Deno.writeFile(out, captured.stdout());

        // -r from stdin (Deno reads no /proc path without --allow-all): the same lines as the
        // checkout's, one per frame (and indented hex where nothing is decoded, as tcpdump).
        const corpus = await mergedCorpus();
        const read = await runBare(stage, ns, "read", ["-r", "-"], out);
        assert.equal(read.code, 0, read.stderr);
        const want = await runCheckout(ns, ["-r", out]);
        assert.equal(want.code, 0, want.stderr);
        assert.equal(read.stdout, want.stdout);
        // A record starts with its time; a tunnel's inner packet starts a line of its own too.
        const records = read.stdout.split("\n").filter((l) => RECORD_START.test(l));
        assert.equal(records.length, corpus.frames);

        for (const args of [["doctor", "-i", pair.captureIf], ["--help"], ["--version"]]) {
          const name = args[0].replace(/^-+/, "");
          const got = await runBare(stage, ns, name, args);
          const checkout = await runCheckout(ns, args);
          assert.equal(got.code, checkout.code, `${args}: ${got.stderr}`);
          assert.equal(got.stdout, checkout.stdout, `${args}: the same as the checkout's`);
          assert.notEqual(got.stdout, "");
        }
        const version = (await runBare(stage, ns, "version2", ["--version"])).stdout;
        assert.match(version, /^xskdump \d+\.\d+\.\d+ \(Deno 2\.9\.6, shim ABI \d+\)\n$/);
      });
      for (const trace of stage.traces) await checkTrace(trace, hidden);
    });
  },
});

/** The trailer's payload offsets and sizes (launcher/onefile.h): Deno, the bundle, the shim. */
function payloads(file: Uint8Array): { offset: number; size: number }[] {
  const t = new DataView(file.buffer, file.byteOffset + file.length - 104, 104);
  return [0, 24, 48].map((at) => ({
    offset: Number(t.getBigUint64(at, true)),
    size: Number(t.getBigUint64(at + 8, true)),
  }));
}

Deno.test({
  name: "onefile: a cut or bit-flipped copy says so in one line, exits 1 and runs nothing",
  ignore,
  async fn() {
    await withStage(async (stage, built) => {
      const good = await Deno.readFile(built);
      const [deno, bundle, shim] = payloads(good);
      const flip = (at: number) => {
        const b = good.slice();
        b[at] ^= 0x10;
        return b;
      };
      const copies: [string, () => Uint8Array, RegExp][] = [
        ["one byte short", () => good.slice(0, good.length - 1), /does not end in its trailer/],
        ["cut in Deno", () => good.slice(0, deno.offset + 1000), /does not end in its trailer/],
        ["one byte more", () => {
          const b = new Uint8Array(good.length + 1);
          b.set(good);
          return b;
        }, /does not end in its trailer/],
        ["a bit of Deno", () => flip(deno.offset + (deno.size >> 1)), /Deno runtime fails/],
        ["Deno's last bit", () => flip(deno.offset + deno.size - 1), /Deno runtime fails/],
        ["a bit of the CLI", () => flip(bundle.offset + 12345), /bundled CLI fails/],
        ["a bit of the shim", () => flip(shim.offset + (shim.size >> 1)), /the shim fails/],
        ["a bit of the trailer", () => flip(good.length - 60), /trailer fails its checksum/],
        ["a bit of the launcher", () => flip(deno.offset - 1), /launcher fails its checksum/],
      ];
      for (const [what, make, reason] of copies) {
        const path = `${stage.dir}/damaged`;
        await Deno.writeFile(path, make(), { mode: 0o755 });
        const trace = `${stage.dir}/trace-damaged`;
        const r = await run([
          "strace",
          "-f",
          "-qq",
          "-o",
          trace,
          "-e",
          "trace=execve,execveat",
          path,
        ]);
        assert.equal(r.code, 1, `${what}: ${r.stderr}`);
        assert.equal(r.stdout, "", what);
        assert.match(r.stderr, /^xskdump: \S+ is damaged \(.*\): copy it again\n$/, what);
        assert.match(r.stderr, reason, what);
        const execs = (await Deno.readTextFile(trace)).split("\n").filter((l) => /exec/.test(l));
        assert.equal(execs.length, 1, `${what}: only the file itself ran:\n${execs.join("\n")}`);
        await Deno.remove(path);
      }
    });
  },
});

Deno.test({
  name: "onefile: kill -9 of a capture leaves no XDP program (the launcher execs, no child)",
  ignore,
  async fn() {
    await withStage(async (_stage, built) => {
      await withVethPair(async (pair) => {
        const start = startCapture(pair, [built, "-i", pair.captureIf, "-w", "/dev/null"]);
        await withCapture(start, async (cap) => {
          // The pid that was started runs Deno from the memfd, and has no child.
          assert.equal(await Deno.readLink(`/proc/${cap.pid}/exe`), "/memfd:xskdump (deleted)");
          const tasks = [...Deno.readDirSync(`/proc/${cap.pid}/task`)].map((t) => t.name);
          for (const t of tasks) {
            const kids = await Deno.readTextFile(`/proc/${cap.pid}/task/${t}/children`);
            assert.equal(kids.trim(), "", `thread ${t} has children: ${kids}`);
          }
          assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), true);
          assert.equal((await cap.interrupt("SIGKILL")).signal, "SIGKILL", cap.stderr());
        });
        // Its files (the link among them) are released before its parent learns of the exit.
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      });
    });
  },
});

Deno.test({
  name: "onefile: setcap on the file lets nobody capture with a port filter (the launcher " +
    "hands its file capabilities on to Deno as ambient ones)",
  ignore,
  async fn() {
    await withStage(async (stage, built) => {
      const dir = `${stage.dir}/nobody`;
      await Deno.mkdir(dir);
      await Deno.copyFile(built, `${dir}/xskdump`);
      for (const [p, mode] of [[stage.dir, 0o755], [dir, 0o755], [`${dir}/xskdump`, 0o755]]) {
        await Deno.chmod(p as string, mode as number);
      }
      const caps = "cap_net_admin,cap_net_raw,cap_bpf,cap_perfmon,cap_ipc_lock";
      const asNobody = (pair: VethPair) =>
        runUnder(pair, AS_NOBODY, [`${dir}/xskdump`, "udp port 53"]);
      await withVethPair(async (pair) => {
        const without = await asNobody(pair);
        assert.equal(without.code, 1, without.stderr);
        assert.match(without.stderr, /is missing/);
        await run(["setcap", `${caps}+ep`, `${dir}/xskdump`], { check: true });
        const r = await asNobody(pair);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, readyPattern("xskdump", pair.captureIf));
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      });
    });
  },
});

Deno.test({
  name: "onefile: where executable memfds are forbidden (vm.memfd_noexec=2) it says so in one " +
    "line and exits 1",
  ignore,
  async fn() {
    await withStage(async (_stage, built) => {
      // The setting belongs to a pid namespace (inherited, only ever made stricter): this one's.
      const r = await run([
        "unshare",
        "--pid",
        "--fork",
        "--mount-proc",
        "sh",
        "-c",
        'sysctl -q -w vm.memfd_noexec=2 && exec "$0" --version',
        built,
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^xskdump: cannot start: .*vm\.memfd_noexec=2.*\n$/);
    });
  },
});
