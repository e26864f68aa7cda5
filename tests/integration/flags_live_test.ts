// tcpdump's flags on a live capture (issue 19), on veth pairs: -Z gives up root once the sockets
// and the -w file are open (every thread's ids and capabilities while listening, the file's
// owner beside tcpdump -Z's, the statistics still read), -D and -L without any capability, -i by
// -D's number, --print with -w, and -U / -l writing after every batch (write calls counted with
// strace, batches of 4).
import assert from "node:assert/strict";
import {
  framesOf,
  isRoot,
  mergedCorpus,
  nsExec,
  replay,
  run,
  spawnInNs,
  type VethPair,
  withPairAndDir,
  withVethPair,
  xdpAttached,
} from "./netns.ts";
import { parseSummary } from "./reliability_helpers.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const READY = /^listening on xc0, queue 0, mode (native|generic)/;
const READY_MS = 20_000;
const NOBODY = 65534;
const ignore = !isRoot;
if (ignore) console.log("flags_live: skipped, needs root (network namespaces, veth, XDP, -Z)");

/** The first `n` frames of the corpus as a pcap of their own, in `dir`. */
async function corpusHead(dir: string, n: number): Promise<string> {
  const corpus = await mergedCorpus();
  const head = `${dir}/head.pcap`;
  const r = await run(["editcap", "-F", "pcap", "-r", corpus.path, head, `1-${n}`]);
  assert.equal(r.code, 0, r.stderr);
  return head;
}

/** Uid, Gid, Groups and CapEff of every thread of a process, one string per distinct set. */
async function threadCredentials(pid: number): Promise<string[]> {
  const seen = new Set<string>();
  for await (const t of Deno.readDir(`/proc/${pid}/task`)) {
    const status = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/status`);
    seen.add(
      status.split("\n").filter((l) => /^(Uid|Gid|Groups|CapEff):/.test(l))
        .map((l) => l.replace(/\s+/g, " ").trim()).join("; "),
    );
  }
  return [...seen];
}

/** Runs a capturer until it has `frames` packets, replaying `file` once it listens. */
async function captureReplayed(
  pair: VethPair,
  argv: string[],
  ready: RegExp,
  file: string,
  onReady: (pid: number) => Promise<void> = async () => {},
): Promise<{ code: number; stderr: string; stdout: Uint8Array }> {
  const cap = spawnInNs(pair.captureNs, argv, { TZ: "UTC" }, { collectStdout: true });
  try {
    await cap.waitForStderrLine(ready, READY_MS);
    await onReady(cap.pid);
    await replay(pair, file);
    const status = await cap.waitExit(20_000);
    return { code: status.code, stderr: cap.stderrText(), stdout: cap.stdoutBytes() };
  } finally {
    await cap.stop();
  }
}

Deno.test({
  name:
    "flags_live: -Z nobody: every thread nobody once listening, the -w file nobody's (as tcpdump)",
  ignore,
  async fn() {
    await withPairAndDir("xskt-z-", async (pair, dir) => {
      // The directory is root's alone (mode 0700): the file can only be made before the drop.
      assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
      const n = 20;
      const head = await corpusHead(dir, n);
      const ours = `${dir}/ours.pcap`;
      let creds: string[] = [];
      const r = await captureReplayed(
        pair,
        [bin, "-i", pair.captureIf, "-Z", "nobody", "-w", ours, "-c", String(n)],
        READY,
        head,
        async (pid) => {
          creds = await threadCredentials(pid);
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(creds, [
        `Uid: ${NOBODY} ${NOBODY} ${NOBODY} ${NOBODY}; Gid: ${NOBODY} ${NOBODY} ${NOBODY} ${NOBODY}; ` +
        `Groups: ${NOBODY}; CapEff: 0000000000000000`,
      ]);
      // The counters are still read after the drop (BPF maps and socket stats by fd).
      const summary = parseSummary(r.stderr);
      assert.equal(summary.captured, n);
      assert.ok(summary.received >= n, r.stderr);
      const got = framesOf(ours);
      const sent = framesOf(head);
      assert.equal(got.length, n);
      for (let i = 0; i < n; i++) assert.deepEqual(got[i].data, sent[i].data, `frame ${i}`);
      const st = await Deno.stat(ours);
      assert.deepEqual([st.uid, st.gid], [NOBODY, NOBODY]);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      // tcpdump -Z nobody makes its file the same way, in the same root-only directory.
      const theirs = `${dir}/theirs.pcap`;
      const t = await captureReplayed(
        pair,
        ["tcpdump", "-i", pair.captureIf, "-Z", "nobody", "-w", theirs, "-c", String(n)],
        /listening on xc0/,
        head,
      );
      assert.equal(t.code, 0, t.stderr);
      const ts = await Deno.stat(theirs);
      assert.deepEqual([st.uid, st.gid, st.mode], [ts.uid, ts.gid, ts.mode]);
    });
  },
});

Deno.test({
  name:
    "flags_live: -Z nobody with -C: every file made by nobody; a root-only directory fails at once",
  ignore,
  async fn() {
    await withPairAndDir("xskt-z-", async (pair, dir) => {
      // Root-only: with -C the user makes even the first file, so it cannot, as with tcpdump.
      const refused = await nsExec(pair.captureNs, [
        bin,
        "-i",
        pair.captureIf,
        "-Z",
        "nobody",
        "-w",
        `${dir}/r.pcap`,
        "-C",
        "1",
        "-c",
        "1",
      ]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /^xskdump: cannot write .*r\.pcap: .*[Pp]ermission denied/);
      assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      const tcpdump = await nsExec(pair.captureNs, [
        "tcpdump",
        "-i",
        pair.captureIf,
        "-Z",
        "nobody",
        "-w",
        `${dir}/t.pcap`,
        "-C",
        "1",
        "-c",
        "1",
      ]);
      assert.equal(tcpdump.code, 1, tcpdump.stderr);
      // A directory nobody may write to: every file of the rotation is nobody's.
      const open = `${dir}/open`;
      await Deno.mkdir(open);
      await Deno.chmod(open, 0o777);
      await Deno.chmod(dir, 0o711); // nobody may pass through to it
      const n = 40;
      const head = await corpusHead(dir, n);
      const r = await captureReplayed(
        pair,
        [bin, "-i", pair.captureIf, "-Z", "nobody", "-w", `${open}/rot.pcap`, "-C", "0.002"]
          .concat(["-c", String(n)]),
        READY,
        head,
      );
      assert.equal(r.code, 0, r.stderr);
      const files = [...Deno.readDirSync(open)].map((e) => e.name).sort();
      assert.ok(files.length >= 3, files.join(" "));
      let frames = 0;
      for (const f of files) {
        const st = await Deno.stat(`${open}/${f}`);
        assert.deepEqual([st.uid, st.gid], [NOBODY, NOBODY], f);
        frames += framesOf(`${open}/${f}`).length;
      }
      assert.equal(frames, n);
    });
  },
});

Deno.test({
  name: "flags_live: -Z with no such user: one line, exit 2, nothing attached",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const r = await nsExec(pair.captureNs, [
        bin,
        "-i",
        pair.captureIf,
        "-Z",
        "xsknosuchuser",
        "-c",
        "1",
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, "xskdump: -Z xsknosuchuser: no such user\n");
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    });
  },
});

/** Runs bin/xskdump in the capture namespace as root with no capability at all. */
function withoutAnyCapability(pair: VethPair, args: string[]) {
  return nsExec(pair.captureNs, [
    "setpriv",
    "--bounding-set=-all",
    "--inh-caps=-all",
    "--ambient-caps=-all",
    "--",
    bin,
    ...args,
  ]);
}

Deno.test({
  name:
    "flags_live: -D and -L need no capability; -D says native XDP and 4 RX queues; -i by number",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const ours = await withoutAnyCapability(pair, ["-D"]);
      assert.equal(ours.code, 0, ours.stderr);
      const theirs = await nsExec(pair.captureNs, ["tcpdump", "-D"], { check: true });
      const line = ours.stdout.split("\n").find((l) => /^\d+\.xc0 /.test(l));
      assert.ok(line, ours.stdout);
      const m = /^(\d+)\.(xc0 .*), native XDP, 4 RX queues$/.exec(line);
      assert.ok(m, line);
      const tcpdumpLine = theirs.stdout.split("\n").find((l) => /^\d+\.xc0 /.test(l));
      assert.equal(m[2], tcpdumpLine?.replace(/^\d+\./, ""));
      assert.match(ours.stdout, /^\d+\.lo \[.*Loopback\], generic XDP only, 1 RX queue$/m);
      assert.equal(ours.stdout.trim().split("\n").length, 2, ours.stdout); // xc0 and lo
      const l = await withoutAnyCapability(pair, ["-L", "-i", pair.captureIf]);
      assert.equal(l.code, 0, l.stderr);
      assert.equal(
        l.stderr,
        "Data link types for xc0 (use option -y to set):\n  EN10MB (Ethernet)\n",
      );
      // -i takes the number -D gave xc0, as tcpdump does.
      const byNumber = await nsExec(pair.captureNs, [bin, "-i", m[1], "--duration", "0.2"]);
      assert.equal(byNumber.code, 0, byNumber.stderr);
      assert.match(byNumber.stderr, READY);
      const past = await nsExec(pair.captureNs, [bin, "-i", "99", "-c", "1"]);
      assert.equal(past.code, 2);
      assert.equal(past.stderr, "xskdump: -i 99: no interface has that number (-D lists 2)\n");
    }, { rxQueues: 4, txQueues: 4 });
  },
});

Deno.test({
  name: "flags_live: --print -# with -w: the file holds every frame, stdout the lines of -r -#",
  ignore,
  async fn() {
    await withPairAndDir("xskt-print-", async (pair, dir) => {
      const n = 100;
      const head = await corpusHead(dir, n);
      const out = `${dir}/p.pcap`;
      const r = await captureReplayed(
        pair,
        [bin, "-i", pair.captureIf, "-w", out, "--print", "-#", "-A", "-c", String(n)],
        READY,
        head,
      );
      assert.equal(r.code, 0, r.stderr);
      const got = framesOf(out);
      const sent = framesOf(head);
      assert.equal(got.length, n);
      for (let i = 0; i < n; i++) assert.deepEqual(got[i].data, sent[i].data, `frame ${i}`);
      const reread = await run([bin, "-#", "-A", "-r", out], { env: { TZ: "UTC" }, check: true });
      const printed = new TextDecoder().decode(r.stdout);
      assert.equal(printed, reread.stdout);
      assert.match(printed, new RegExp(`^ {2}${n} {2}\\d\\d:`, "m"));
    });
  },
});

/** The write(2) calls a run made to file descriptors whose path matches `target` (strace -y). */
function writesIn(log: string, target: RegExp): number {
  return Deno.readTextFileSync(log).split("\n").filter((l) => {
    const m = /\bwrite\(\d+<([^>]*)>/.exec(l);
    return m !== null && target.test(m[1]);
  }).length;
}

Deno.test({
  name: "flags_live: -U and -l write after every batch (--batch 4: a write per 4 packets or less)",
  ignore,
  async fn() {
    await withPairAndDir("xskt-u-", async (pair, dir) => {
      const n = 200;
      const head = await corpusHead(dir, n);
      for (
        const [flags, target] of [[["-U", "-w", `${dir}/u.pcap`], /u\.pcap$/], [
          ["-l"],
          /^pipe:/,
        ]] as const
      ) {
        const log = `${dir}/strace.log`;
        const r = await captureReplayed(
          pair,
          [
            "strace",
            "-f",
            "-qq",
            "-y",
            "--seccomp-bpf",
            "-e",
            "trace=write",
            "-o",
            log,
            bin,
            "-i",
            pair.captureIf,
            "--batch",
            "4",
            ...flags,
            "-c",
            String(n),
          ],
          READY,
          head,
        );
        assert.equal(r.code, 0, r.stderr);
        const writes = writesIn(log, target);
        assert.ok(writes >= n / 4, `${flags.join(" ")}: ${writes} writes for ${n} packets`);
      }
      assert.equal(framesOf(`${dir}/u.pcap`).length, n);
    });
  },
});
