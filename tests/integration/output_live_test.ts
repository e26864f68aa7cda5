// tcpdump-grade output on a real veth pair: pcapng that tshark and capinfos read (interface,
// filter, queue, direction, statistics), rotation by size (-C, -W ring) and by time (-G with
// strftime names), periodic statistics as lines and JSON, the live status on a terminal (a pty
// from script(1)), a disk that fills up (a 256 KiB tmpfs) and a reader that goes away
// (`| head -c`): each stops cleanly, says so in one line and leaves whole records behind.
import assert from "node:assert/strict";
import { readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";
import {
  captureWhile,
  firstMismatch,
  type Frame,
  framesOf,
  mergedCorpus,
  READY_MS,
  readyPattern,
  replay,
  rootOnly,
  run,
  startCapture,
  startXskdump,
  type VethPair,
  wholeRecords,
  withCapture,
  withPairAndDir,
  xdpAttached,
  XSKDUMP,
  type XskdumpOptions,
  xskdumpSummary,
} from "../../testbed/mod.ts";

const ignore = rootOnly("output_live", "network namespaces, veth, XDP, mount");

/** The frames of a pcap or pcapng file (every whole record; a cut tail is ignored). */
const framesIn = (path: string): Frame[] => wholeRecords(path).frames;

function sameFrames(got: Frame[], want: Frame[], what: string): void {
  const mismatch = firstMismatch(want, got);
  assert.equal(mismatch, undefined, `${what}: ${mismatch}`);
}

async function capinfos(path: string): Promise<string> {
  const r = await run(["capinfos", path]);
  assert.equal(r.code, 0, `capinfos ${path}: ${r.stderr}`);
  return r.stdout;
}

/** Runs a capture, replays `file` into it at `pps` and waits for its exit, code 0. */
async function captureReplay(
  pair: VethPair,
  args: string[],
  file: string,
  pps = 5000,
  opts: XskdumpOptions = {},
) {
  const { cap, status } = await captureWhile(startXskdump(pair, args, opts), async () => {
    const sent = await replay(pair, file, pps);
    assert.equal(sent.failed, 0);
  });
  assert.equal(status.code, 0, cap.stderr());
  return cap;
}

Deno.test({
  name: "output_live: pcapng with a filter: tshark and capinfos read the interface, filter, " +
    "queue, direction and statistics",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-ng-", async (pair, dir) => {
      const udp = `${dir}/udp.pcap`;
      await run(["tcpdump", "-r", corpus.path, "-w", udp, "udp"], { check: true });
      const want = framesOf(udp);
      const out = `${dir}/cap.pcapng`;
      await captureReplay(pair, ["-w", out, "-c", String(want.length), "udp"], corpus.path);
      assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      sameFrames(framesIn(out), want, "udp frames");
      const info = await capinfos(out);
      assert.match(info, /File type:\s+Wireshark\/\.\.\. - pcapng/);
      assert.match(info, /Name = xc0/);
      assert.match(info, /Filter string = udp/);
      assert.match(info, /Time precision = nanoseconds \(9\)/);
      assert.match(info, /Number of stat entries = 1/);
      assert.match(info, new RegExp(`Number of packets = ${want.length}\\b`));
      const fields = ["frame.interface_name", "frame.interface_queue", "frame.p2p_dir"];
      const t = await run([
        "tshark",
        "-r",
        out,
        "-T",
        "fields",
        ...fields.flatMap((f) => ["-e", f]),
      ]);
      assert.equal(t.code, 0, t.stderr);
      const rows = t.stdout.trim().split("\n");
      assert.equal(rows.length, want.length);
      assert.ok(rows.every((r) => r === "xc0\t0\t1"), `tshark: ${rows[0]}`);
      // The statistics block: all it saw, what the filter took, the drops, what was written.
      const stats = readPcapngInfo(Deno.readFileSync(out)).sections[0].interfaces[0].stats!;
      assert.equal(stats.usrDeliv, BigInt(want.length));
      assert.ok(stats.filterAccept! >= BigInt(want.length), `${stats.filterAccept}`);
      assert.ok(stats.ifRecv! > stats.filterAccept!, "the filter passed the other frames");
      assert.equal(stats.ifDrop, 0n);
    });
  },
});

Deno.test({
  name: "output_live: -C 1: files of just over 1 MB that concatenate to the whole corpus",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-c-", async (pair, dir) => {
      await captureReplay(
        pair,
        ["-w", `${dir}/c.pcap`, "-C", "1", "-c", `${corpus.frames}`],
        corpus.path,
      );
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.deepEqual(names, ["c.pcap", "c.pcap1"]);
      const first = Deno.statSync(`${dir}/c.pcap`).size;
      assert.ok(first > 1_000_000 && first <= 1_000_000 + 16 + corpus.maxFrameLen, `${first}`);
      const all = names.flatMap((n) => framesIn(`${dir}/${n}`));
      sameFrames(all, framesOf(corpus.path), "c.pcap + c.pcap1");
      for (const n of names) assert.match(await capinfos(`${dir}/${n}`), /Number of packets:/);
    });
  },
});

Deno.test({
  name: "output_live: -C -W 3: a ring of three files holding the end of the capture",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-ring-", async (pair, dir) => {
      const args = ["-w", `${dir}/r.pcapng`, "-C", "0.3", "-W", "3", "-c", `${corpus.frames}`];
      const summary = (await captureReplay(pair, args, corpus.path)).summary();
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.deepEqual(names, ["r.pcapng0", "r.pcapng1", "r.pcapng2"]);
      // Opened more often than there are names: the ring wrapped.
      assert.ok(summary.files_opened > 3, `opened ${summary.files_opened}`);
      assert.equal(summary.files.length, 3);
      // In the order last opened, they hold the capture's last frames, in order.
      const kept = summary.files.flatMap((f) => framesIn(f.path));
      const want = framesOf(corpus.path);
      sameFrames(kept, want.slice(want.length - kept.length), "ring");
      for (const f of summary.files) {
        assert.equal(Deno.statSync(f.path).size, f.bytes);
        assert.match(await capinfos(f.path), /Number of stat entries = 1/);
      }
    });
  },
});

Deno.test({
  name: "output_live: -G 1 with strftime names: a file per second of arrival, all in order",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-g-", async (pair, dir) => {
      // About 3 s of traffic at 2000 pps.
      const args = ["-w", `${dir}/g-%Y%m%d-%H%M%S.pcap`, "-G", "1", "-c", `${corpus.frames}`];
      await captureReplay(pair, args, corpus.path, 2000, { env: { TZ: "UTC" } });
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.ok(names.length >= 2, `files: ${names.join(" ")}`);
      const all: Frame[] = [];
      for (const n of names) {
        const m = /^g-(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)\.pcap$/.exec(n);
        assert.ok(m, n);
        const start = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
        const frames = framesIn(`${dir}/${n}`);
        // Every packet arrived in its file's second (the first file opens before any arrive).
        if (n !== names[0]) assert.ok(frames.every((f) => f.sec === start), n);
        else assert.ok(frames.every((f) => f.sec >= start && f.sec < start + 1), n);
        all.push(...frames);
      }
      sameFrames(all, framesOf(corpus.path), "files in name order");
    });
  },
});

Deno.test({
  name: "output_live: --stats-interval prints periodic lines (JSON with --json; the summary " +
    "becomes one JSON object)",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-stats-", async (pair) => {
      const args = ["-w", "/dev/null", "-c", String(corpus.frames), "--stats-interval", "0.2"];
      const text = (await captureReplay(pair, args, corpus.path, 3000, { json: false })).stderr();
      const lines = text.split("\n").filter((l) => l.startsWith("xskdump: stats "));
      assert.ok(lines.length >= 3, text);
      for (const l of lines) {
        assert.match(
          l,
          /^xskdump: stats \d+\.\ds: \d+ packets captured, \d+ pkt\/s, [\d.]+ [kMG]?bit\/s, \d+ dropped \(ring full \d+, no free frame \d+, invalid \d+\), \d+ frames held$/,
        );
      }
      assert.match(text, new RegExp(`^${corpus.frames} packets captured$`, "m"));

      const json = await captureReplay(pair, args, corpus.path, 3000);
      const err = json.stderr().trim().split("\n");
      assert.equal(err[0], json.readyLine);
      const objects = err.slice(1).map((l) => JSON.parse(l));
      const stats = objects.filter((o) => o.type === "stats");
      const summary = objects.at(-1);
      assert.ok(stats.length >= 3);
      assert.equal(summary.type, "summary");
      assert.equal(objects.filter((o) => o.type === "summary").length, 1);
      assert.ok(!/packets captured$/m.test(json.stderr()), "no human summary with --json");
      for (const o of [...stats, summary]) {
        assert.equal(o.schema, 1);
        assert.equal(o.source, "live");
        assert.equal(o.interface, "xc0");
        assert.deepEqual(o.queues, [0]);
        assert.equal(typeof o.rate.pps, "number");
        assert.equal(typeof o.dropped.rx_ring_full, "number");
        assert.equal(typeof o.user_held, "number");
      }
      assert.ok(stats.some((o) => o.rate.pps > 0), "a rate while packets flowed");
      assert.equal(summary.captured, corpus.frames);
      assert.equal(summary.received, corpus.frames + summary.not_kept + summary.dropped.total);
      assert.equal(summary.stop, "count");
      assert.equal(summary.exit_code, 0);
      assert.deepEqual(summary.files.map((f: { path: string }) => f.path), ["/dev/null"]);
      assert.ok(summary.bytes > 1_000_000);
    });
  },
});

Deno.test({
  name: "output_live: on a terminal, one status line rewritten in place, cleared before the " +
    "summary (a pty from script(1))",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-tty-", async (pair, dir) => {
      const cmd = `${XSKDUMP} -i ${pair.captureIf} -w ${dir}/t.pcap -c ${corpus.frames}`;
      const child = new Deno.Command("ip", {
        args: ["netns", "exec", pair.captureNs, "script", "-qfec", cmd, "/dev/null"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let text = "";
      const reading = (async () => {
        const dec = new TextDecoder();
        for await (const c of child.stdout) text += dec.decode(c, { stream: true });
      })();
      try {
        const deadline = performance.now() + READY_MS;
        const ready = readyPattern("xskdump", pair.captureIf);
        while (!text.split(/\r?\n/).some((l) => ready.test(l))) {
          assert.ok(performance.now() < deadline, `no listening line: ${text}`);
          await new Promise((r) => setTimeout(r, 20)); // polling the pty's output
        }
        // About 3 s at 2000 pps: the status line shows at least twice.
        await replay(pair, corpus.path, 2000);
        const status = await child.status;
        await reading;
        assert.equal(status.code, 0, text);
      } finally {
        try {
          child.kill("SIGKILL");
        } catch {
          // Exited.
        }
        await child.status;
      }
      const shown = [...text.matchAll(
        // deno-lint-ignore no-control-regex
        /\r(\d+) packets, \d+ pkt\/s, [\d.]+ [kMG]?bit\/s, \d+ dropped \(ring full \d+, no free frame \d+, invalid \d+\), \d+ frames held\x1b\[K/g,
      )];
      assert.ok(shown.length >= 2, JSON.stringify(text));
      // Cleared, then the summary on a clean line.
      assert.match(text, new RegExp(`\\r\\x1b\\[K${corpus.frames} packets captured\\r?\\n`));
    });
  },
});

/** Runs fn with a tmpfs of `size` mounted on a new temp dir; always unmounted and removed. */
async function withTinyDisk(size: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "xskt-full-" });
  try {
    await run(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { check: true });
    try {
      await fn(dir);
    } finally {
      await run(["umount", dir]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const ext of ["pcap", "pcapng"]) {
  Deno.test({
    name: `output_live: disk full (256 KiB tmpfs, ${ext}): one line, exit 1, the file ends on ` +
      "a whole record",
    ignore,
    async fn() {
      const corpus = await mergedCorpus();
      await withTinyDisk("256k", async (disk) => {
        const out = `${disk}/out.${ext}`;
        await withPairAndDir("xskt-disk-", async (pair) => {
          const { cap, status } = await captureWhile(
            startXskdump(pair, ["-w", out]),
            () => replay(pair, corpus.path, 5000),
          );
          assert.equal(status.code, 1, cap.stderr());
          const err = cap.stderr();
          const line = err.trim().split("\n").at(-1)!;
          const m = new RegExp(
            `^xskdump: disk full writing ${out} \\(No space left on device.*\\); it holds the ` +
              `(\\d+) packets written before, ending on a whole record$`,
          ).exec(line);
          assert.ok(m, err);
          assert.equal(cap.summary().stop, "disk_full", "the summary is there too");
          // Whole records only: the strict reader finds nothing cut.
          const { frames, tail } = wholeRecords(out);
          assert.equal(tail, undefined);
          assert.equal(frames.length, Number(m[1]));
          assert.ok(frames.length > 100);
          sameFrames(frames, framesOf(corpus.path).slice(0, frames.length), "kept frames");
          assert.match(
            await capinfos(out),
            new RegExp(`Number of packets:\\s+${frames.length}\\b`),
          );
          assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
        });
      });
    },
  });
}

Deno.test({
  name: "output_live: a closed pipe (| head -c 100000): stops, says so, exit 0; text | head too",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withPairAndDir("xskt-pipe-", async (pair, dir) => {
      for (
        const [mode, head, name] of [["-w -", "head -c 100000", "p.pcap"], [
          "",
          "head -n 5",
          "p.txt",
        ]]
      ) {
        const script =
          `${XSKDUMP} -i ${pair.captureIf} --json ${mode} | ${head} > ${dir}/${name}; ` +
          'echo "xskdump exit ${PIPESTATUS[0]}" >&2';
        const err = await withCapture(startCapture(pair, ["bash", "-c", script]), async (cap) => {
          await replay(pair, corpus.path, 5000);
          assert.equal((await cap.exit()).code, 0, cap.stderr());
          return cap.stderr();
        });
        assert.match(err, /^xskdump exit 0$/m, err);
        assert.match(err, /^xskdump: output closed by the reader$/m, err);
        assert.equal(xskdumpSummary(err).stop, "output_closed");
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
        if (name === "p.pcap") {
          const bytes = Deno.readFileSync(`${dir}/${name}`);
          assert.equal(bytes.length, 100_000);
          // head cut the stream mid-record; every whole record before the cut is a corpus frame.
          const { frames, tail } = wholeRecords(bytes);
          assert.match(tail ?? "", /truncated record/);
          sameFrames(frames, framesOf(corpus.path).slice(0, frames.length), "before the cut");
        } else {
          assert.equal(Deno.readTextFileSync(`${dir}/${name}`).split("\n").length, 6);
        }
      }
    });
  },
});
