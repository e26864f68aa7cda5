// -w of a live capture through the shim's writer (cli/output/live_files.ts): the same files, byte for
// byte, as the TypeScript writers make (pcap and pcapng, rotation by size and time; records of
// both directions, some cut short of their wire length, as a tap's ring buffer gives them;
// records read from files with their wire length and direction), with a writer small enough that the
// loop has to wait for it; a failed write (a file-size limit standing in for a full disk) and a
// closed pipe end with the lines the TypeScript path prints. Needs build/libxskdump.so (make
// build), no privileges.
import assert from "node:assert/strict";
import {
  DESC_ADDR,
  DESC_DIR_SHIFT,
  DESC_FLAGS,
  DESC_LEN,
  DESC_NSEC,
  DESC_PROC_CLOSED,
  DESC_PROC_SHIFT,
  DESC_SEC,
  DESC_WIRELEN,
  DESC_WORDS,
  DIR,
  PROC_HOW,
} from "../../ffi/abi.ts";
import { liveFileOutput } from "../../cli/output/live_files.ts";
import { fileOutput, type FileOutputOptions, type Output } from "../../cli/output/mod.ts";
import { type BatchSink, type Source, toSink } from "../../lib/capture/core.ts";
import type { CaptureRecord } from "../../lib/formats/capture_file.ts";
import { captureRecords } from "../../lib/formats/capture_file.ts";

const FRAME = 2048;
const HEADROOM = 256;

/** A UMEM of 64 frames holding packets of varied lengths (some past the snaplen). */
function umemWith(n: number): { umem: Uint8Array<ArrayBuffer>; lens: number[] } {
  const umem = new Uint8Array(64 * FRAME);
  const lens: number[] = [];
  for (let i = 0; i < n; i++) {
    const len = 60 + ((i * 211) % 1455);
    lens.push(len);
    const at = (i % 64) * FRAME + HEADROOM;
    for (let j = 0; j < len; j++) umem[at + j] = (i * 31 + j * 7) & 0xff;
  }
  return { umem, lens };
}

/**
 * Feeds `n` packets in batches of up to 7, as Capture.run() does, into both outputs. Every
 * third one is outgoing (queue 0, as a tap's ring buffer gives it), every fourth is longer on
 * the wire than what was captured (a tap's snap length); the rest arrived on queue 2. Every fifth
 * carries a process (attribution bits above the direction in DESC_FLAGS), which a pcap or a
 * pcapng without the processes does not show: the direction stays the direction.
 */
async function feed(
  ts: Output,
  live: Output & BatchSink,
  n: number,
  secOf: (i: number) => number,
): Promise<{ tsStop?: unknown; liveStop?: unknown }> {
  const { umem, lens } = umemWith(n);
  const src = { view: umem, queue: -1 } as unknown as Source;
  const descs = new Uint32Array(7 * DESC_WORDS);
  let tsStop: unknown;
  let liveStop: unknown;
  for (let i = 0; i < n; i += 7) {
    const k = Math.min(7, n - i);
    for (let j = 0; j < k; j++) {
      const p = i + j;
      const out = p % 3 === 2;
      const d = j * DESC_WORDS;
      descs[d + DESC_ADDR] = (p % 64) * FRAME + HEADROOM;
      descs[d + DESC_LEN] = lens[p];
      descs[d + DESC_WIRELEN] = lens[p] + (p % 4 === 3 ? 100 : 0);
      descs[d + DESC_SEC] = secOf(p);
      descs[d + DESC_NSEC] = p * 1000;
      descs[d + DESC_FLAGS] = (out ? DIR.out << DESC_DIR_SHIFT : 2 | DIR.in << DESC_DIR_SHIFT) |
        (p % 5 === 4 ? (PROC_HOW.hook | DESC_PROC_CLOSED) << DESC_PROC_SHIFT : 0);
    }
    // One record at a time: the TypeScript output stops at the exact record that ends it.
    for (let j = 0; j < k && tsStop === undefined; j++) {
      try {
        toSink(ts, src, descs.subarray(j * DESC_WORDS), 1);
      } catch (e) {
        tsStop = e;
      }
    }
    if (liveStop !== undefined) continue;
    try {
      for (let done = live.putBatch(src, descs, 0, k); done < k;) {
        await live.waitRoom(100);
        done += live.putBatch(src, descs, done, k);
      }
    } catch (e) {
      liveStop = e;
    }
  }
  return { tsStop, liveStop };
}

/** Both outputs over the same options, in two directories; the bodies compare them. */
async function both(
  opts: Omit<FileOutputOptions, "path"> & { name: string },
  body: (ts: Output, live: Output & BatchSink, dirs: [string, string]) => Promise<void>,
): Promise<void> {
  const a = Deno.makeTempDirSync({ prefix: "xskt-lf-ts-" });
  const b = Deno.makeTempDirSync({ prefix: "xskt-lf-live-" });
  try {
    const ts = fileOutput({ ...opts, path: `${a}/${opts.name}` });
    // Two chunks of 8 KiB: the writer is full every few batches and the loop waits.
    const live = liveFileOutput({
      ...opts,
      path: `${b}/${opts.name}`,
      chunkBytes: 8192,
      chunks: 2,
    });
    await body(ts, live, [a, b]);
  } finally {
    Deno.removeSync(a, { recursive: true });
    Deno.removeSync(b, { recursive: true });
  }
}

/** The same files: names (relative), packets, sizes and every byte. */
function sameFiles(ts: Output, live: Output, [a, b]: [string, string]): void {
  const rel = (o: Output, d: string) =>
    o.files().map((f) => ({ ...f, path: f.path.slice(d.length + 1) }));
  assert.deepEqual(rel(live, b), rel(ts, a));
  for (const f of rel(ts, a)) {
    assert.deepEqual(
      Deno.readFileSync(`${b}/${f.path}`),
      Deno.readFileSync(`${a}/${f.path}`),
      f.path,
    );
  }
  assert.equal(live.packets, ts.packets);
  assert.equal(live.bytes, ts.bytes);
  assert.equal(live.filesOpened, ts.filesOpened);
}

/** Fixed statistics (a fixed time too), so the ISBs of both paths are the same bytes. */
const isb = () => ({
  ifRecv: 5,
  ifDrop: 1,
  filterAccept: 4,
  usrDeliv: 3,
  sec: 1_700_000_100,
  nsec: 7,
});

for (const format of ["pcap", "pcapng"] as const) {
  for (
    const rotation of [undefined, { sizeLimit: 20_000 }, { sizeLimit: 9_000, maxFiles: 3 }]
  ) {
    Deno.test(`live files: ${format}, rotation ${JSON.stringify(rotation)}: the TS writer's bytes`, async () => {
      await both(
        {
          name: `c.${format}`,
          format,
          snaplen: 1000,
          ifName: "xc0",
          filter: "udp",
          rotation,
          stats: isb,
        },
        async (ts, live, dirs) => {
          const r = await feed(ts, live, 300, (i) => 1_700_000_000 + (i >> 4));
          assert.equal(r.tsStop, undefined);
          assert.equal(r.liveStop, undefined);
          ts.close();
          await live.finish!();
          live.close();
          sameFiles(ts, live, dirs);
          if (rotation) assert.ok(live.files().length > 2, `${live.files().length} files`);
        },
      );
    });
  }
}

Deno.test("live files: -G with -W: the same files, and OutputStop at the same packet", async () => {
  await both(
    {
      name: "g-%s.pcapng",
      format: "pcapng",
      snaplen: 262144,
      rotation: { seconds: 10, maxFiles: 3 },
      startSec: 1000,
      stats: isb,
    },
    async (ts, live, dirs) => {
      const r = await feed(ts, live, 100, (i) => 1000 + i);
      assert.equal((r.tsStop as Error).name, "OutputStop");
      assert.equal((r.liveStop as Error).message, (r.tsStop as Error).message);
      ts.close();
      await live.finish!();
      live.close();
      sameFiles(ts, live, dirs);
      assert.equal(live.files().length, 3);
      assert.equal(live.packets, 30);
    },
  );
});

Deno.test("live files: records read from a file keep their wire length, direction and queue", async () => {
  await both({ name: "r.pcapng", format: "pcapng", snaplen: 100 }, async (ts, live, dirs) => {
    const data = new Uint8Array(300).map((_, i) => i & 0xff);
    const recs: CaptureRecord[] = [
      {
        sec: 1,
        nsec: 2,
        caplen: 300,
        origLen: 1500,
        data,
        interfaceId: 0,
        linktype: 1,
        queue: undefined,
        flags: 2,
      },
      {
        sec: 2,
        nsec: 3,
        caplen: 80,
        origLen: 90,
        data: data.subarray(5, 85),
        interfaceId: 0,
        linktype: 1,
        queue: 4,
        flags: 1,
      },
      {
        sec: 3,
        nsec: 4,
        caplen: 60,
        origLen: 60,
        data: data.subarray(10, 70),
        interfaceId: 0,
        linktype: 1,
        queue: undefined,
        flags: undefined,
      },
    ];
    for (const r of recs) {
      ts.addRecord(r);
      live.addRecord(r);
    }
    ts.close();
    await live.finish!();
    live.close();
    sameFiles(ts, live, dirs);
    const got = [...captureRecords(Deno.readFileSync(`${dirs[1]}/r.pcapng`))];
    assert.deepEqual(got.map((r) => [r.caplen, r.origLen, r.flags, r.queue]), [
      [100, 1500, 2, undefined],
      [80, 90, 1, 4],
      [60, 60, 1, undefined],
    ]);
  });
});

const child = new URL("./live_files_child.ts", import.meta.url).pathname;
const deno = Deno.execPath();

Deno.test("live files: a failed write (file-size limit) is one line; the file ends on a whole record", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "xskt-lf-full-" });
  try {
    for (const format of ["pcap", "pcapng"]) {
      const path = `${dir}/full.${format}`;
      // RLIMIT_FSIZE of 50 KiB: the kernel writes part of a chunk, then refuses (EFBIG), as a
      // full disk does (ENOSPC). The writer's thread blocks signals, so no SIGXFSZ.
      // Deno's own cache is written first (the limit would refuse it), and SIGXFSZ is ignored.
      const out = await new Deno.Command("bash", {
        args: [
          "-c",
          `"${deno}" cache "${child}" && trap '' XFSZ && ulimit -f 50 && ` +
          `exec "${deno}" run -A "${child}" ${format} "${path}" 2000`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(out.stderr).trim();
      assert.equal(out.code, 0, err);
      const m = new RegExp(
        `^cannot write ${path}: File too large \\(os error 27\\); it holds the (\\d+) packets ` +
          "written before, ending on a whole record$",
      ).exec(err);
      assert.ok(m, err);
      const bytes = Deno.readFileSync(path);
      assert.ok(bytes.length <= 50 * 1024);
      assert.equal([...captureRecords(bytes)].length, Number(m[1]), "whole records only");
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("live files: -w - into a closed pipe: output closed by the reader", async () => {
  const cmd = new Deno.Command("bash", {
    args: ["-c", `"${deno}" run -A "${child}" pcap - 20000 | head -c 1000 > /dev/null`],
    stdout: "piped",
    stderr: "piped",
  });
  const out = await cmd.output();
  const err = new TextDecoder().decode(out.stderr).trim();
  assert.equal(err, "output closed by the reader");
});
