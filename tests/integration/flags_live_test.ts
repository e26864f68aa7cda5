// tcpdump's flags on a live capture (issue 19), on veth pairs: -Z gives up root once the sockets
// and the -w file are open (every thread's ids and capabilities while listening, the file's
// owner beside tcpdump -Z's, the statistics still read), -D and -L without any capability, -i by
// -D's number, --print with -w, and -U / -l writing after every batch (write calls counted with
// strace, batches of 4).
import assert from "node:assert/strict";
import {
  captureWhile,
  framesOf,
  mergedCorpus,
  nsExec,
  replay,
  rootOnly,
  run,
  runXskdump,
  startCapture,
  startXskdump,
  straceWrites,
  type VethPair,
  withPairAndDir,
  withVethPair,
  xdpAttached,
  XSKDUMP,
} from "../../testbed/mod.ts";

const NOBODY = 65534;
const ignore = rootOnly("flags_live");

/** The first `n` frames of the corpus as a pcap of their own, in `dir`. */
async function corpusHead(dir: string, n: number): Promise<string> {
  const corpus = await mergedCorpus();
  const head = `${dir}/head.pcap`;
  await run(["editcap", "-F", "pcap", "-r", corpus.path, head, `1-${n}`], { check: true });
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

/** The frames of a pcap file equal the first frames of another, every byte. */
function assertSameFrames(got: string, sent: string, n: number): void {
  const g = framesOf(got);
  const s = framesOf(sent);
  assert.equal(g.length, n);
  for (let i = 0; i < n; i++) assert.deepEqual(g[i].data, s[i].data, `frame ${i}`);
}

Deno.test({
  name:
    "flags_live: -Z nobody: every thread is nobody once listening, the file nobody's as tcpdump's",
  ignore,
  async fn() {
    await withPairAndDir("xskt-z-", async (pair, dir) => {
      // The directory is root's alone (mode 0700): the file can only be made before the drop.
      assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
      const n = 20;
      const head = await corpusHead(dir, n);
      const ours = `${dir}/ours.pcap`;
      let creds: string[] = [];
      const { cap, status } = await captureWhile(
        startXskdump(pair, ["-Z", "nobody", "-w", ours, "-c", String(n)]),
        async (cap) => {
          creds = await threadCredentials(cap.pid);
          await replay(pair, head);
        },
      );
      assert.equal(status.code, 0, cap.stderr());
      const ids = `${NOBODY} ${NOBODY} ${NOBODY} ${NOBODY}`;
      assert.deepEqual(creds, [
        `Uid: ${ids}; Gid: ${ids}; Groups: ${NOBODY}; CapEff: 0000000000000000`,
      ]);
      // The counters are still read after the drop (BPF maps and socket stats by fd).
      const summary = cap.summary();
      assert.equal(summary.captured, n);
      assert.ok(summary.received >= n && summary.seen >= n, cap.stderr());
      assertSameFrames(ours, head, n);
      const st = await Deno.stat(ours);
      assert.deepEqual([st.uid, st.gid], [NOBODY, NOBODY]);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      // tcpdump -Z nobody makes its file the same way, in the same root-only directory.
      const theirs = `${dir}/theirs.pcap`;
      const tcpdump = ["tcpdump", "-i", pair.captureIf, "-Z", "nobody", "-w", theirs, "-c", `${n}`];
      const t = await captureWhile(
        startCapture(pair, tcpdump, { ready: "tcpdump" }),
        () => replay(pair, head),
      );
      assert.equal(t.status.code, 0, t.cap.stderr());
      const ts = await Deno.stat(theirs);
      assert.deepEqual([st.uid, st.gid, st.mode], [ts.uid, ts.gid, ts.mode]);
    });
  },
});

Deno.test({
  name: "flags_live: -Z nobody -C: every file made by nobody; a root-only directory fails at once",
  ignore,
  async fn() {
    await withPairAndDir("xskt-z-", async (pair, dir) => {
      // Root-only: with -C the user makes even the first file, so it cannot, as with tcpdump.
      const refused = await runXskdump(pair, ["-Z", "nobody", "-w", `${dir}/r.pcap`, "-C", "1"]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /^xskdump: cannot write .*r\.pcap: .*[Pp]ermission denied/);
      assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      const tcpdump = await nsExec(pair.captureNs, [
        ...["tcpdump", "-i", pair.captureIf, "-Z", "nobody", "-w", `${dir}/t.pcap`, "-C", "1"],
      ]);
      assert.equal(tcpdump.code, 1, tcpdump.stderr);
      // A directory nobody may write to: every file of the rotation is nobody's.
      const open = `${dir}/open`;
      await Deno.mkdir(open);
      await Deno.chmod(open, 0o777);
      await Deno.chmod(dir, 0o711); // nobody may pass through to it
      const n = 40;
      const head = await corpusHead(dir, n);
      const args = ["-Z", "nobody", "-w", `${open}/rot.pcap`, "-C", "0.002", "-c", `${n}`];
      const r = await captureWhile(startXskdump(pair, args), () => replay(pair, head));
      assert.equal(r.status.code, 0, r.cap.stderr());
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
      const r = await runXskdump(pair, ["-Z", "xsknosuchuser", "-c", "1"]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, "xskdump: -Z xsknosuchuser: no such user\n");
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
    });
  },
});

/** Runs bin/xskdump in the capture namespace as root with no capability at all. */
function withoutAnyCapability(pair: VethPair, args: string[]) {
  return nsExec(pair.captureNs, [
    ...["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all", "--"],
    XSKDUMP,
    ...args,
  ]);
}

Deno.test({
  name: "flags_live: -D and -L need no capability; -D: native XDP, 4 RX queues; -i by number",
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
      const byNumber = await nsExec(pair.captureNs, [XSKDUMP, "-i", m[1], "--duration", "0.2"]);
      assert.equal(byNumber.code, 0, byNumber.stderr);
      assert.match(byNumber.stderr, /^listening on xc0, queue 0, /m);
      const past = await nsExec(pair.captureNs, [XSKDUMP, "-i", "99", "-c", "1"]);
      assert.equal(past.code, 2);
      assert.equal(past.stderr, "xskdump: -i 99: no interface has that number (-D lists 2)\n");
    }, { rxQueues: 4, txQueues: 4 });
  },
});

Deno.test({
  name: "flags_live: --print -# -A with -w: the file holds every frame, stdout the lines of -r",
  ignore,
  async fn() {
    await withPairAndDir("xskt-print-", async (pair, dir) => {
      const n = 100;
      const head = await corpusHead(dir, n);
      const out = `${dir}/p.pcap`;
      const r = await captureWhile(
        startXskdump(pair, ["-w", out, "--print", "-#", "-A", "-c", String(n)], {
          stdout: true,
          env: { TZ: "UTC" },
        }),
        () => replay(pair, head),
      );
      assert.equal(r.status.code, 0, r.cap.stderr());
      assertSameFrames(out, head, n);
      const reread = await run([XSKDUMP, "-#", "-A", "-r", out], {
        env: { TZ: "UTC" },
        check: true,
      });
      const printed = r.cap.stdoutText();
      assert.equal(printed, reread.stdout);
      assert.match(printed, new RegExp(`^ {2}${n} {2}\\d\\d:`, "m"));
    });
  },
});

Deno.test({
  name: "flags_live: -U and -l write after every batch (--batch 4: a write per 4 packets or less)",
  ignore,
  async fn() {
    await withPairAndDir("xskt-u-", async (pair, dir) => {
      const n = 200;
      const head = await corpusHead(dir, n);
      const runs: [string[], RegExp][] = [
        [["-U", "-w", `${dir}/u.pcap`], /u\.pcap$/],
        [["-l"], /^pipe:/],
      ];
      for (const [flags, target] of runs) {
        const log = `${dir}/strace.log`;
        const strace = ["strace", "-f", "-qq", "-y", "--seccomp-bpf", "-e", "trace=write"];
        const argv = [...strace, "-o", log, XSKDUMP, "-i", pair.captureIf, "--batch", "4"];
        const r = await captureWhile(
          startCapture(pair, [...argv, ...flags, "-c", String(n)], { stdout: true }),
          () => replay(pair, head),
        );
        assert.equal(r.status.code, 0, r.cap.stderr());
        const writes = straceWrites(await Deno.readTextFile(log), target);
        assert.ok(writes >= n / 4, `${flags.join(" ")}: ${writes} writes for ${n} packets`);
      }
      assertSameFrames(`${dir}/u.pcap`, head, n);
    });
  },
});

Deno.test({
  name: "flags_live: -w /dev/shm/FILE, /dev/stdout, /proc/self/fd/4: every frame of a capture",
  ignore,
  async fn() {
    await withPairAndDir("xskt-paths-", async (pair, dir) => {
      const n = 50;
      const head = await corpusHead(dir, n);
      const shm = `/dev/shm/xskt-live-${Deno.pid}.pcap`;
      try {
        const r = await captureWhile(
          startXskdump(pair, ["-w", shm, "-c", String(n)]),
          () => replay(pair, head),
        );
        assert.equal(r.status.code, 0, r.cap.stderr());
        assertSameFrames(shm, head, n);
        // -Z gives a file there to the user too (chown by name, through the shim).
        const z = await captureWhile(
          startXskdump(pair, ["-Z", "nobody", "-w", shm, "-c", String(n)]),
          () => replay(pair, head),
        );
        assert.equal(z.status.code, 0, z.cap.stderr());
        const st = await Deno.stat(shm);
        assert.deepEqual([st.uid, st.gid], [NOBODY, NOBODY]);
      } finally {
        await Deno.remove(shm).catch(() => {});
      }
      const out = await captureWhile(
        startXskdump(pair, ["-w", "/dev/stdout", "-c", String(n)], { stdout: true }),
        () => replay(pair, head),
      );
      assert.equal(out.status.code, 0, out.cap.stderr());
      await Deno.writeFile(`${dir}/stdout.pcap`, out.cap.stdout());
      assertSameFrames(`${dir}/stdout.pcap`, head, n);
      const fd4 = await captureWhile(
        startCapture(pair, [
          "sh",
          "-c",
          `exec "$0" -i xc0 -w /proc/self/fd/4 -c ${n} 4> ${dir}/fd4.pcap`,
          XSKDUMP,
        ]),
        () => replay(pair, head),
      );
      assert.equal(fd4.status.code, 0, fd4.cap.stderr());
      assertSameFrames(`${dir}/fd4.pcap`, head, n);
      for (const c of [fd4.cap.stderr(), out.cap.stderr()]) {
        assert.doesNotMatch(c, /--allow|allow-all/);
      }
    });
  },
});

Deno.test({
  name: "flags_live: -r -Z nobody -w: the file (root-only directory) is nobody's, as tcpdump's",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "xskt-rz-" });
    try {
      const corpus = await mergedCorpus();
      const ours = await run([XSKDUMP, "-r", corpus.path, "-Z", "nobody", "-w", `${dir}/o.pcap`]);
      assert.equal(ours.code, 0, ours.stderr);
      const theirs = await run([
        "tcpdump",
        "-r",
        corpus.path,
        "-Z",
        "nobody",
        "-w",
        `${dir}/t.pcap`,
      ]);
      assert.equal(theirs.code, 0, theirs.stderr);
      const [o, t] = [await Deno.stat(`${dir}/o.pcap`), await Deno.stat(`${dir}/t.pcap`)];
      assert.deepEqual([o.uid, o.gid], [NOBODY, NOBODY]);
      assert.deepEqual([o.uid, o.gid, o.mode], [t.uid, t.gid, t.mode]);
      assert.equal(framesOf(`${dir}/o.pcap`).length, corpus.frames);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
