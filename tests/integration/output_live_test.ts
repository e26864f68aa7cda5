// tcpdump-grade output on a real veth pair: pcapng that tshark and capinfos read (interface,
// filter, queue, direction, statistics), rotation by size (-C, -W ring) and by time (-G with
// strftime names), periodic statistics as lines and JSON, the live status on a terminal (a pty
// from script(1)), a disk that fills up (a 256 KiB tmpfs) and a reader that goes away
// (`| head -c`): each stops cleanly, says so in one line and leaves whole records behind.
import assert from "node:assert/strict";
import { pcapRecords } from "../../lib/formats/pcap.ts";
import { captureRecords, readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";
import {
  type Frame,
  framesOf,
  isRoot,
  mergedCorpus,
  replay,
  run,
  spawnInNs,
  type VethPair,
  withPairAndDir,
  withVethPair,
  xdpAttached,
} from "./netns.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const READY = /^listening on xc0, queue 0, mode (native|generic)/m;
const READY_MS = 20_000;
const ignore = !isRoot;
if (ignore) console.log("output_live: skipped, needs root (network namespaces, veth, XDP, mount)");

/** The frames of a pcap or pcapng file (every whole record; a cut tail is ignored). */
function framesIn(path: string): Frame[] {
  const out: Frame[] = [];
  try {
    for (const r of captureRecords(Deno.readFileSync(path))) {
      out.push({ sec: r.sec, nsec: r.nsec, caplen: r.caplen, origLen: r.origLen, data: r.data });
    }
  } catch {
    // A cut tail: the whole records before it are what counts here.
  }
  return out;
}

function sameFrames(got: Frame[], want: Frame[], what: string): void {
  assert.equal(got.length, want.length, `${what}: frame count`);
  for (let i = 0; i < want.length; i++) {
    assert.deepEqual(got[i].data, want[i].data, `${what}: frame ${i}`);
  }
}

async function capinfos(path: string): Promise<string> {
  const r = await run(["capinfos", path]);
  assert.equal(r.code, 0, `capinfos ${path}: ${r.stderr}`);
  return r.stdout;
}

/** Runs a capture, replays `file` into it at `pps`, waits for its exit; returns the child. */
async function captureWhile(
  pair: VethPair,
  args: string[],
  file: string,
  pps = 5000,
  opts: { env?: Record<string, string>; stdout?: boolean; exitMs?: number } = {},
) {
  const cap = spawnInNs(pair.captureNs, [bin, "-i", pair.captureIf, ...args], opts.env, {
    collectStdout: opts.stdout,
  });
  try {
    await cap.waitForStderrLine(READY, READY_MS);
    const sent = await replay(pair, file, pps);
    assert.equal(sent.failed, 0);
    const status = await cap.waitExit(opts.exitMs ?? 15_000);
    return { cap, status, sent };
  } finally {
    await cap.stop();
  }
}

Deno.test({
  name: "output_live: pcapng with a filter: tshark and capinfos read the interface, filter, " +
    "queue, direction and statistics",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const dir = await Deno.makeTempDir({ prefix: "xskt-ng-" });
    try {
      const udp = `${dir}/udp.pcap`;
      const f = await run(["tcpdump", "-r", corpus.path, "-w", udp, "udp"]);
      assert.equal(f.code, 0, f.stderr);
      const want = framesOf(udp);
      const out = `${dir}/cap.pcapng`;
      await withVethPair(async (pair) => {
        const { cap, status } = await captureWhile(pair, [
          "-w",
          out,
          "-c",
          String(want.length),
          "--capture-ssh",
          "udp",
        ], corpus.path);
        assert.equal(status.code, 0, cap.stderrText());
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      });
      sameFrames(framesIn(out), want, "udp frames");
      const info = await capinfos(out);
      assert.match(info, /File type:\s+Wireshark\/\.\.\. - pcapng/);
      assert.match(info, /Name = xc0/);
      assert.match(info, /Filter string = udp/);
      assert.match(info, /Time precision = nanoseconds \(9\)/);
      assert.match(info, /Number of stat entries = 1/);
      assert.match(info, new RegExp(`Number of packets = ${want.length}\\b`));
      const t = await run([
        "tshark",
        "-r",
        out,
        "-T",
        "fields",
        "-e",
        "frame.interface_name",
        "-e",
        "frame.interface_queue",
        "-e",
        "frame.p2p_dir",
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
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "output_live: -C 1: files of just over 1 MB that concatenate to the whole corpus",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const dir = await Deno.makeTempDir({ prefix: "xskt-c-" });
    try {
      await withVethPair(async (pair) => {
        const { cap, status } = await captureWhile(pair, [
          "-w",
          `${dir}/c.pcap`,
          "-C",
          "1",
          "-c",
          String(corpus.frames),
        ], corpus.path);
        assert.equal(status.code, 0, cap.stderrText());
      });
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.deepEqual(names, ["c.pcap", "c.pcap1"]);
      const first = Deno.statSync(`${dir}/c.pcap`).size;
      assert.ok(first > 1_000_000 && first <= 1_000_000 + 16 + corpus.maxFrameLen, `${first}`);
      const all = names.flatMap((n) => framesIn(`${dir}/${n}`));
      sameFrames(all, framesOf(corpus.path), "c.pcap + c.pcap1");
      for (const n of names) assert.match(await capinfos(`${dir}/${n}`), /Number of packets:/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "output_live: -C -W 3: a ring of three files holding the end of the capture",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const dir = await Deno.makeTempDir({ prefix: "xskt-ring-" });
    try {
      let summary: Record<string, unknown> = {};
      await withVethPair(async (pair) => {
        const { cap, status } = await captureWhile(pair, [
          "-w",
          `${dir}/r.pcapng`,
          "-C",
          "0.3",
          "-W",
          "3",
          "-c",
          String(corpus.frames),
          "--json",
        ], corpus.path);
        assert.equal(status.code, 0, cap.stderrText());
        summary = JSON.parse(cap.stderrText().trim().split("\n").at(-1)!);
      });
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
      assert.deepEqual(names, ["r.pcapng0", "r.pcapng1", "r.pcapng2"]);
      // Opened more often than there are names: the ring wrapped.
      assert.ok((summary.files_opened as number) > 3, `opened ${summary.files_opened}`);
      const files = summary.files as { path: string; packets: number; bytes: number }[];
      assert.equal(files.length, 3);
      // In the order last opened, they hold the capture's last frames, in order.
      const kept = files.flatMap((f) => framesIn(f.path));
      const want = framesOf(corpus.path);
      sameFrames(kept, want.slice(want.length - kept.length), "ring");
      for (const f of files) {
        assert.equal(Deno.statSync(f.path).size, f.bytes);
        assert.match(await capinfos(f.path), /Number of stat entries = 1/);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "output_live: -G 1 with strftime names: a file per second of arrival, all in order",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const dir = await Deno.makeTempDir({ prefix: "xskt-g-" });
    try {
      await withVethPair(async (pair) => {
        // About 3 s of traffic at 2000 pps.
        const { cap, status } = await captureWhile(
          pair,
          [
            "-w",
            `${dir}/g-%Y%m%d-%H%M%S.pcap`,
            "-G",
            "1",
            "-c",
            String(corpus.frames),
          ],
          corpus.path,
          2000,
          { env: { TZ: "UTC" } },
        );
        assert.equal(status.code, 0, cap.stderrText());
      });
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
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "output_live: --stats-interval prints periodic lines (JSON with --json; the summary " +
    "becomes one JSON object)",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    await withVethPair(async (pair) => {
      const plain = await captureWhile(
        pair,
        [
          "-w",
          "/dev/null",
          "-c",
          String(corpus.frames),
          "--stats-interval",
          "0.2",
        ],
        corpus.path,
        3000,
      );
      assert.equal(plain.status.code, 0, plain.cap.stderrText());
      const text = plain.cap.stderrText();
      const lines = text.split("\n").filter((l) => l.startsWith("xskdump: stats "));
      assert.ok(lines.length >= 3, text);
      for (const l of lines) {
        assert.match(
          l,
          /^xskdump: stats \d+\.\ds: \d+ packets captured, \d+ pkt\/s, [\d.]+ [kMG]?bit\/s, \d+ dropped \(ring full \d+, no free frame \d+, invalid \d+\), \d+ frames held$/,
        );
      }
      assert.match(text, new RegExp(`^${corpus.frames} packets captured$`, "m"));

      const json = await captureWhile(
        pair,
        [
          "-w",
          "/dev/null",
          "-c",
          String(corpus.frames),
          "--stats-interval",
          "0.2",
          "--json",
        ],
        corpus.path,
        3000,
      );
      assert.equal(json.status.code, 0, json.cap.stderrText());
      const err = json.cap.stderrText().trim().split("\n");
      assert.match(err[0], READY);
      const objects = err.slice(1).map((l) => JSON.parse(l));
      const stats = objects.filter((o) => o.type === "stats");
      const summary = objects.at(-1);
      assert.ok(stats.length >= 3);
      assert.equal(summary.type, "summary");
      assert.equal(objects.filter((o) => o.type === "summary").length, 1);
      assert.ok(!/packets captured$/m.test(json.cap.stderrText()), "no human summary with --json");
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
      const cmd = `${bin} -i ${pair.captureIf} -w ${dir}/t.pcap -c ${corpus.frames}`;
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
        while (!/listening on/.test(text)) {
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

/** Mounts a tmpfs of `size` on a new temp dir; always unmounted and removed by the caller. */
async function tinyDisk(size: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "xskt-full-" });
  const r = await run(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  if (r.code !== 0) {
    await Deno.remove(dir);
    throw new Error(`mount tmpfs: ${r.stderr}`);
  }
  return dir;
}

async function removeDisk(dir: string): Promise<void> {
  await run(["umount", dir]);
  await Deno.remove(dir, { recursive: true });
}

for (const ext of ["pcap", "pcapng"]) {
  Deno.test({
    name: `output_live: disk full (256 KiB tmpfs, ${ext}): one line, exit 1, the file ends on ` +
      "a whole record",
    ignore,
    async fn() {
      const corpus = await mergedCorpus();
      const disk = await tinyDisk("256k");
      try {
        const out = `${disk}/out.${ext}`;
        await withVethPair(async (pair) => {
          const cap = spawnInNs(pair.captureNs, [bin, "-i", pair.captureIf, "-w", out]);
          try {
            await cap.waitForStderrLine(READY, READY_MS);
            await replay(pair, corpus.path, 5000);
            const status = await cap.waitExit(15_000);
            assert.equal(status.code, 1, cap.stderrText());
          } finally {
            await cap.stop();
          }
          const err = cap.stderrText();
          const line = err.trim().split("\n").at(-1)!;
          const m = new RegExp(
            `^xskdump: disk full writing ${out} \\(No space left on device.*\\); it holds the ` +
              `(\\d+) packets written before, ending on a whole record$`,
          ).exec(line);
          assert.ok(m, err);
          assert.match(err, /^\d+ packets captured$/m, "the summary is there too");
          // Whole records only: the strict reader finds nothing cut.
          const bytes = Deno.readFileSync(out);
          const frames = [...captureRecords(bytes)];
          assert.equal(frames.length, Number(m[1]));
          assert.ok(frames.length > 100);
          sameFrames(
            frames.map((r) => ({ ...r, data: r.data })),
            framesOf(corpus.path).slice(0, frames.length),
            "kept frames",
          );
          assert.match(
            await capinfos(out),
            new RegExp(`Number of packets:\\s+${frames.length}\\b`),
          );
          assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
        });
      } finally {
        await removeDisk(disk);
      }
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
        const script = `${bin} -i ${pair.captureIf} ${mode} | ${head} > ${dir}/${name}; ` +
          'echo "xskdump exit ${PIPESTATUS[0]}" >&2';
        const cap = spawnInNs(pair.captureNs, ["bash", "-c", script]);
        try {
          await cap.waitForStderrLine(READY, READY_MS);
          await replay(pair, corpus.path, 5000);
          await cap.waitForStderrLine(/^xskdump exit \d+$/, 15_000);
          assert.equal((await cap.waitExit(5_000)).code, 0);
        } finally {
          await cap.stop();
        }
        const err = cap.stderrText();
        assert.match(err, /^xskdump exit 0$/m, err);
        assert.match(err, /^xskdump: output closed by the reader$/m, err);
        assert.match(err, /^\d+ packets captured$/m, err);
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
        if (name === "p.pcap") {
          const bytes = Deno.readFileSync(`${dir}/${name}`);
          assert.equal(bytes.length, 100_000);
          // head cut the stream mid-record; every whole record before the cut is a corpus frame.
          const got: Frame[] = [];
          assert.throws(() => {
            for (const r of pcapRecords(bytes)) got.push({ ...r, data: r.data });
          }, /truncated record/);
          sameFrames(got, framesOf(corpus.path).slice(0, got.length), "before the cut");
        } else {
          assert.equal(Deno.readTextFileSync(`${dir}/${name}`).split("\n").length, 6);
        }
      }
    });
  },
});
