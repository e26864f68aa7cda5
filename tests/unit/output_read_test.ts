// -r FILE through the CLI and the streaming reader under it: lines like tcpdump -r, conversion
// between pcap and pcapng (format, -s, -c, a filter), rotation on conversion against tcpdump's own
// -C/-W files, truncated and corrupt input (good packets, one error line, exit 1; a few hundred
// mutated files through the CLI, each with a timeout), and no privileges or shim needed.
import assert from "node:assert/strict";
import { Decoder } from "../../lib/decode/decode.ts";
import { PcapFormatError } from "../../lib/formats/pcap.ts";
import { type CaptureRecord, captureRecords } from "../../lib/formats/capture_file.ts";
import { readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";
import { CaptureStreamReader } from "../../lib/formats/reader.ts";
import { CORPUS, corpusFiles, haveTool, pcapFile, prng } from "./helpers.ts";

const root = new URL("../../", import.meta.url).pathname;
const bin = `${root}bin/xskdump`;
const deno = Deno.execPath();
const dec = new TextDecoder();
const TOOLS = ["tcpdump", "capinfos", "mergecap", "editcap"].every((t) => haveTool(t));
const SHIM = (() => {
  try {
    return Deno.statSync(`${root}build/libxskdump.so`).isFile;
  } catch {
    return false;
  }
})();
const corpusNames = corpusFiles();
const ignore = !TOOLS || !SHIM || corpusNames.length === 0;
/** Corpus files of the IP-level family (GRE, IPsec, OSPF, BGP...), for the -r fuzz. */
const FAMILY_FILES =
  /gre|erspan|sunrise|ospf|bgp|pim|igmp|mtrace|vrrp|hsrp|babel|bfd|eigrp|ldp|rip|lisp|pgm|dccp|pptp|rpki|kday|of10/i;
if (ignore) {
  console.log("output_read: skipped, needs tcpdump/wireshark tools, make build and the corpus");
}

let workDir: string | undefined;
let corpusPath: string | undefined;
/** The corpus as one pcap (mergecap), made once. */
function corpus(): string {
  if (corpusPath) return corpusPath;
  workDir = Deno.makeTempDirSync({ prefix: "xskt-read-" });
  corpusPath = `${workDir}/corpus.pcap`;
  const r = new Deno.Command("mergecap", {
    args: ["-a", "-F", "pcap", "-w", corpusPath, ...corpusNames.map((f) => `${CORPUS}/${f}`)],
    stderr: "piped",
  }).outputSync();
  if (!r.success) throw new Error(dec.decode(r.stderr));
  globalThis.addEventListener("unload", () => {
    if (workDir) Deno.removeSync(workDir, { recursive: true });
  });
  return corpusPath;
}

interface Run {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs the CLI (with TZ=UTC) and a timeout; a hang fails the test. */
async function cli(
  args: string[],
  opts: { stdin?: Uint8Array; timeoutMs?: number; cmd?: string[] } = {},
): Promise<Run> {
  const cmd = opts.cmd ?? [bin];
  const child = new Deno.Command(cmd[0], {
    args: [...cmd.slice(1), ...args],
    env: { TZ: "UTC" },
    stdin: opts.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  try {
    if (opts.stdin) {
      const w = child.stdin.getWriter();
      await w.write(opts.stdin).catch(() => {});
      await w.close().catch(() => {});
    }
    const out = await child.output();
    if (out.signal === "SIGKILL") throw new Error(`xskdump ${args.join(" ")} hung`);
    return { code: out.code, stdout: out.stdout, stderr: dec.decode(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

function lines(b: Uint8Array): string[] {
  const t = dec.decode(b);
  return t === "" ? [] : t.replace(/\n$/, "").split("\n");
}

/**
 * The lines xskdump -r prints for these records (TZ=UTC), from one decoder: one each, and the
 * hex dump lines of what is not decoded.
 */
function expectedLines(records: CaptureRecord[]): string[] {
  const d = new Decoder();
  return records.flatMap((r) => d.line(r.sec, r.nsec, r.data, r.origLen).split("\n"));
}

/** Records and the error, if any, of the in-memory reader. */
function memRead(bytes: Uint8Array): { records: CaptureRecord[]; error?: string } {
  const records: CaptureRecord[] = [];
  try {
    for (const r of captureRecords(bytes)) records.push({ ...r, data: r.data.slice() });
  } catch (e) {
    if (!(e instanceof PcapFormatError)) throw e;
    return { records, error: e.message };
  }
  return { records };
}

/** A source handing out the bytes in random small pieces, as a pipe does. */
function trickle(bytes: Uint8Array, rnd: () => number) {
  let at = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (at >= bytes.length) return Promise.resolve(null);
      const n = Math.min(p.length, bytes.length - at, 1 + Math.floor(rnd() * 3000));
      p.set(bytes.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
  };
}

function mutate(base: Uint8Array, rnd: () => number): Uint8Array {
  let b = base.slice();
  if (rnd() < 0.5) b = b.slice(0, Math.floor(rnd() * b.length));
  const flips = Math.floor(rnd() * 5);
  for (let j = 0; j < flips && b.length > 0; j++) {
    // Mostly in the first few kB, where headers and lengths are.
    const at = Math.floor(rnd() * Math.min(b.length, rnd() < 0.8 ? 4096 : b.length));
    b[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : b[at] ^ (1 << Math.floor(rnd() * 8));
  }
  return b;
}

Deno.test({
  name: "stream reader: same records and errors as the in-memory reader, any chunking (fuzz)",
  ignore,
  async fn() {
    const rnd = prng(20261125);
    const dir = Deno.makeTempDirSync({ prefix: "xskt-read-" });
    try {
      const ng = `${dir}/corpus.pcapng`;
      const r = new Deno.Command("editcap", { args: ["-F", "pcapng", corpus(), ng] }).outputSync();
      assert.ok(r.success);
      const bases = [
        Deno.readFileSync(corpus()),
        Deno.readFileSync(ng),
        ...corpusNames.filter((f) => f.endsWith(".pcapng")).slice(0, 6).map((f) =>
          Deno.readFileSync(`${CORPUS}/${f}`)
        ),
      ];
      let runs = 0;
      let records = 0;
      for (let k = 0; k < 400; k++) {
        const base = bases[k % bases.length];
        const bytes = k < bases.length ? base : mutate(base, rnd);
        const want = memRead(bytes);
        const got: CaptureRecord[] = [];
        let error: string | undefined;
        try {
          const reader = await CaptureStreamReader.open(trickle(bytes, rnd), 65536);
          for await (const rec of reader.records()) got.push({ ...rec, data: rec.data.slice() });
        } catch (e) {
          if (!(e instanceof PcapFormatError)) throw e;
          error = e.message;
        }
        assert.equal(got.length, want.records.length, `run ${k}: records`);
        for (let i = 0; i < got.length; i++) {
          const a = got[i];
          const b = want.records[i];
          assert.deepEqual(
            [a.sec, a.nsec, a.caplen, a.origLen, a.queue, a.flags, a.interfaceId, a.linktype],
            [b.sec, b.nsec, b.caplen, b.origLen, b.queue, b.flags, b.interfaceId, b.linktype],
            `run ${k} record ${i}`,
          );
          assert.deepEqual(a.data, b.data, `run ${k} record ${i} bytes`);
        }
        // One deliberate difference: a block length above 256 MiB is corruption to the stream
        // reader at once (it would not buffer that much); the in-memory one finds it truncated.
        if (error?.includes("exceeds 268435456") && want.error?.startsWith("truncated")) {
          runs++;
          continue;
        }
        assert.equal(error, want.error, `run ${k}: error`);
        runs++;
        records += got.length;
      }
      console.log(`  ${runs} streams, ${records} records, identical`);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "-r prints one tcpdump-style line per packet; -c, a filter, -e/-v/-x; stdin works",
  ignore,
  async fn() {
    const path = corpus();
    const records = memRead(Deno.readFileSync(path)).records;
    const all = await cli(["-r", path]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(
      all.stderr,
      `reading from file ${path}, link-type EN10MB (Ethernet), snapshot length 262144\n`,
    );
    assert.deepEqual(lines(all.stdout), expectedLines(records));

    const five = await cli(["-r", path, "-c", "5"]);
    assert.deepEqual(lines(five.stdout), expectedLines(records.slice(0, 5)));

    // The filter is libpcap's: the same packets as tcpdump -r with the same expression.
    for (const expr of ["icmp", "tcp port 80", "vlan and udp", "arp or icmp6"]) {
      const ours = await cli(["-r", path, expr]);
      assert.equal(ours.code, 0, ours.stderr);
      const td = new Deno.Command("tcpdump", {
        args: ["-n", "-r", path, expr],
        stdout: "piped",
        stderr: "null",
      }).outputSync();
      const packet = (l: string) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l);
      const theirs = lines(td.stdout).filter(packet);
      assert.equal(lines(ours.stdout).filter(packet).length, theirs.length, expr);
      assert.ok(theirs.length > 0, expr);
    }
    const bad = await cli(["-r", path, "tcp prot 80"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /tcp prot 80/);

    const e = await cli(["-r", path, "-c", "3", "-e", "-v", "-XX"]);
    const text = dec.decode(e.stdout);
    assert.ok(text.startsWith(
      new Decoder({ link: true, verbose: true })
        .line(records[0].sec, records[0].nsec, records[0].data, records[0].origLen) +
        "\n\t0x0000:  ",
    ));

    const piped = await cli(["-r", "-", "-c", "10"], { stdin: Deno.readFileSync(path) });
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(lines(piped.stdout), expectedLines(records.slice(0, 10)));
    assert.match(piped.stderr, /^reading from file -, link-type EN10MB/);
  },
});

Deno.test({
  name: "-r on a truncated or corrupt file: the good packets, then one error line, exit 1",
  ignore,
  async fn() {
    const bytes = Deno.readFileSync(corpus());
    const cut = bytes.slice(0, 5000);
    const dir = Deno.makeTempDirSync({ prefix: "xskt-read-" });
    try {
      const f = `${dir}/cut.pcap`;
      Deno.writeFileSync(f, cut);
      const want = memRead(cut);
      const r = await cli(["-r", f]);
      assert.equal(r.code, 1);
      assert.deepEqual(lines(r.stdout), expectedLines(want.records));
      const err = r.stderr.trim().split("\n");
      assert.equal(err.length, 2, r.stderr);
      assert.equal(err[1], `xskdump: ${f}: ${want.error}`);
      assert.match(err[1], /truncated record #35 at offset 4568/);

      Deno.writeFileSync(`${dir}/junk`, new TextEncoder().encode("not a capture at all\n"));
      const junk = await cli(["-r", `${dir}/junk`]);
      assert.equal(junk.code, 1);
      assert.equal(
        junk.stderr,
        `xskdump: ${dir}/junk: not a pcap or pcapng file: magic 0x6e6f7420\n`,
      );
      const missing = await cli(["-r", `${dir}/none.pcap`]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^xskdump: cannot read .*none\.pcap: No such file/);
      const empty = await cli(["-r", "-"], { stdin: new Uint8Array(0) });
      assert.equal(empty.code, 1);
      assert.equal(empty.stderr, "xskdump: -: not a pcap or pcapng file: 0-byte file\n");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

/**
 * A few records of each link-layer protocol the decoder takes apart (LLC/SNAP and what rides on
 * it, the link-layer ethertypes), early in one pcap, where mutate() changes most.
 */
function linkLayerBase(dir: string): Uint8Array {
  const files = [
    "802.1D_spanning_tree.pcap",
    "ISIS_level1_adjacency.pcap",
    "LACP.pcap",
    "lldp_mudurl.pcap",
    "rpvstp-trunk-native-vid5.pcap",
    "ptp_ethernet.pcap",
    "DECnet_Phone.pcap",
    "geonet_v0_and_calm_fast.pcap",
    "macsec-short-valid.pcap",
    "AoE_Linux.pcap",
    "spb_bpduv4.pcap",
    "dcb_ets.pcap",
  ].filter((f) => corpusNames.includes(f));
  const parts = files.map((f, i) => {
    const part = `${dir}/l2-${i}.pcap`;
    new Deno.Command("editcap", { args: ["-F", "pcap", "-r", `${CORPUS}/${f}`, part, "1-3"] })
      .outputSync();
    return part;
  });
  const out = `${dir}/l2.pcap`;
  new Deno.Command("mergecap", { args: ["-a", "-F", "pcap", "-w", out, ...parts] }).outputSync();
  return Deno.readFileSync(out);
}

Deno.test({
  name: "-r fuzz through the CLI: 300 mutated files, each ends (timeout) in exit 0/1 with the " +
    "good packets and at most one error line",
  ignore,
  async fn() {
    const rnd = prng(6);
    const dir = Deno.makeTempDirSync({ prefix: "xskt-fuzz-" });
    try {
      const ng = `${dir}/base.pcapng`;
      new Deno.Command("editcap", { args: ["-F", "pcapng", "-r", corpus(), ng, "1-300"] })
        .outputSync();
      const small = `${dir}/base.pcap`;
      new Deno.Command("editcap", { args: ["-F", "pcap", "-r", corpus(), small, "1-300"] })
        .outputSync();
      // Also frames of the link-layer and IP-level printers (LLC, tunnels, IPsec, routing),
      // which the first 300 frames of the corpus hold few of.
      const bases = [
        Deno.readFileSync(small),
        Deno.readFileSync(ng),
        linkLayerBase(dir),
        familyBase(`${dir}/family.pcap`, 300),
      ];
      const jobs: number[] = Array.from({ length: 300 }, (_, i) => i);
      const outcomes = { ok: 0, error: 0 };
      const worker = async () => {
        for (let k = jobs.shift(); k !== undefined; k = jobs.shift()) {
          const bytes = k % 10 === 9
            ? Uint8Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256))
            : mutate(bases[k % 3], rnd);
          const path = `${dir}/m${k}`;
          Deno.writeFileSync(path, bytes);
          const want = memRead(bytes);
          const r = await cli(["-r", path], { timeoutMs: 20_000 });
          const detail = `case ${k} (${path}): exit ${r.code}\n${r.stderr}`;
          assert.ok(!/Uncaught|error: |at file:|\n {4}at /.test(r.stderr), detail);
          const errs = r.stderr.split("\n").filter((l) => l.startsWith("xskdump: "));
          if (r.code === 0) {
            outcomes.ok++;
            assert.equal(want.error, undefined, detail);
            assert.equal(errs.length, 0, detail);
          } else {
            outcomes.error++;
            assert.equal(r.code, 1, detail);
            assert.equal(errs.length, 1, detail);
          }
          // The packets before the damage are all printed, exactly as decoded.
          const got = lines(r.stdout);
          const expect = expectedLines(want.records);
          const deliberate = errs[0]?.includes("exceeds 268435456");
          if (!deliberate) assert.deepEqual(got, expect, detail);
          else assert.deepEqual(got, expect.slice(0, got.length), detail);
          Deno.removeSync(path);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      console.log(`  exit 0: ${outcomes.ok}, exit 1 with one error line: ${outcomes.error}`);
      assert.ok(outcomes.error > 50 && outcomes.ok > 10);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

/** A pcap at `path` of about `n` records spread over the IP-level family's corpus files. */
function familyBase(path: string, n: number): Uint8Array {
  const records: CaptureRecord[] = [];
  for (const f of corpusNames.filter((f) => FAMILY_FILES.test(f))) {
    for (const r of captureRecords(Deno.readFileSync(CORPUS + f))) records.push(r);
  }
  const step = Math.max(1, Math.floor(records.length / n));
  const out = pcapFile(path);
  for (let i = 0; i < records.length; i += step) {
    const r = records[i];
    out.writer.addRecord(r.data, r.origLen, r.sec, r.nsec);
  }
  out.close();
  return Deno.readFileSync(path);
}

function capinfos(path: string): string {
  const r = new Deno.Command("capinfos", { args: [path], stdout: "piped", stderr: "piped" })
    .outputSync();
  assert.ok(r.success, `capinfos ${path}: ${dec.decode(r.stderr)}`);
  return dec.decode(r.stdout);
}

Deno.test({
  name: "-r -w converts: pcap to pcapng and back (frames equal), -s cuts, -c stops, --json",
  ignore,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "xskt-conv-" });
    try {
      const src = corpus();
      const want = memRead(Deno.readFileSync(src)).records;
      const ng = `${dir}/c.pcapng`;
      const a = await cli(["-r", src, "-w", ng, "--json", "--quiet"]);
      assert.equal(a.code, 0, a.stderr);
      const summary = JSON.parse(a.stderr);
      assert.equal(summary.type, "summary");
      assert.equal(summary.source, "file");
      assert.equal(summary.read, want.length);
      assert.equal(summary.captured, want.length);
      assert.equal(summary.stop, "end");
      assert.deepEqual(summary.files, [{
        path: ng,
        packets: want.length,
        bytes: Deno.statSync(ng).size,
      }]);
      const info = capinfos(ng);
      assert.match(info, /File type:\s+Wireshark\/\.\.\. - pcapng/);
      assert.match(info, new RegExp(`Number of packets:\\s+${want.length}\\b`));
      assert.match(info, /Time precision = nanoseconds \(9\)/);
      const back = `${dir}/back.pcap`;
      const b = await cli(["-r", ng, "-w", back, "--quiet"]);
      assert.equal(b.code, 0, b.stderr);
      const again = memRead(Deno.readFileSync(back)).records;
      assert.equal(again.length, want.length);
      for (let i = 0; i < want.length; i++) {
        assert.deepEqual(again[i].data, want[i].data, `frame ${i}`);
        assert.equal(again[i].origLen, want[i].origLen);
        assert.deepEqual([again[i].sec, again[i].nsec], [want[i].sec, want[i].nsec]);
      }
      // --format beats the name; -s cuts records but keeps wire lengths; -c stops.
      const cutf = `${dir}/cut.pcap`;
      const c = await cli(["-r", src, "-w", cutf, "--format", "pcapng", "-s", "64", "-c", "100"]);
      assert.equal(c.code, 0, c.stderr);
      const cutInfo = readPcapngInfo(Deno.readFileSync(cutf));
      assert.equal(cutInfo.packets, 100);
      assert.equal(cutInfo.sections[0].interfaces[0].snaplen, 64);
      const cut = memRead(Deno.readFileSync(cutf)).records;
      for (let i = 0; i < 100; i++) {
        assert.equal(cut[i].caplen, Math.min(64, want[i].caplen));
        assert.equal(cut[i].origLen, want[i].origLen);
      }
      // To stdout: pcap by default.
      const out = await cli(["-r", src, "-w", "-", "-c", "3", "--quiet"]);
      assert.equal(new DataView(out.stdout.buffer).getUint32(0, true), 0xa1b23c4d);
      assert.equal(memRead(out.stdout).records.length, 3);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "-r -w -C/-W: the same files, names and sizes as tcpdump's own rotation",
  ignore,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "xskt-rot-" });
    try {
      // Four copies of the corpus: about 5.6 MB.
      const big = `${dir}/big.pcap`;
      const src = corpus();
      new Deno.Command("mergecap", { args: ["-a", "-F", "pcap", "-w", big, src, src, src, src] })
        .outputSync();
      const cases: [string, string[]][] = [
        ["plain", ["-C", "1"]],
        ["ring3", ["-C", "1", "-W", "3"]],
        ["ring11", ["-C", "2", "-W", "11"]],
      ];
      for (const [name, flags] of cases) {
        const mine = `${dir}/${name}-x`;
        const theirs = `${dir}/${name}-t`;
        Deno.mkdirSync(mine);
        Deno.mkdirSync(theirs);
        const r = await cli(["-r", big, "-w", `${mine}/out.pcap`, ...flags, "--quiet"]);
        assert.equal(r.code, 0, r.stderr);
        const t = new Deno.Command("tcpdump", {
          args: ["-Z", "root", "-r", big, "-w", `${theirs}/out.pcap`, ...flags],
          stderr: "piped",
        }).outputSync();
        assert.ok(t.success, dec.decode(t.stderr));
        const list = (d: string) =>
          [...Deno.readDirSync(d)].map((e) => `${e.name} ${Deno.statSync(`${d}/${e.name}`).size}`)
            .sort();
        // pcap records of both are the same size (ns and us headers alike): same split points.
        assert.deepEqual(list(mine), list(theirs), name);
        for (const f of Deno.readDirSync(mine)) {
          assert.match(capinfos(`${mine}/${f.name}`), /Number of packets:\s+\d/);
        }
        console.log(`  ${name}: ${list(mine).join(", ")}`);
      }
      // Without a ring, the files concatenate back to the input, in order.
      const plain = `${dir}/plain-x`;
      const names = [...Deno.readDirSync(plain)].map((e) => e.name).sort((a, b) =>
        a.length - b.length || (a < b ? -1 : 1)
      );
      const frames = names.flatMap((n) => memRead(Deno.readFileSync(`${plain}/${n}`)).records);
      const want = memRead(Deno.readFileSync(big)).records;
      assert.equal(frames.length, want.length);
      assert.ok(frames.every((f, i) => f.origLen === want[i].origLen));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "-r -w -G: files by the packets' time with strftime names; -W stops after W files",
  ignore,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "xskt-rotg-" });
    try {
      // 40 frames, one every 0.5 s from 2021-03-04 05:06:00 UTC.
      const src = `${dir}/timed.pcap`;
      const out = pcapFile(src);
      const t0 = Date.UTC(2021, 2, 4, 5, 6, 0) / 1000;
      const frame = memRead(Deno.readFileSync(corpus())).records[0].data;
      for (let i = 0; i < 40; i++) {
        out.writer.add(frame, 0, frame.length, t0 + Math.floor(i / 2), (i % 2) * 5e8);
      }
      out.close();
      const r = await cli(["-r", src, "-w", `${dir}/g-%H%M%S.pcap`, "-G", "5", "--quiet"]);
      assert.equal(r.code, 0, r.stderr);
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.startsWith("g-"))
        .sort();
      assert.deepEqual(names, ["g-050600.pcap", "g-050605.pcap", "g-050610.pcap", "g-050615.pcap"]);
      for (const n of names) {
        const recs = memRead(Deno.readFileSync(`${dir}/${n}`)).records;
        assert.equal(recs.length, 10, n);
        const start = t0 + Number(n.slice(6, 8));
        assert.ok(recs.every((x) => x.sec >= start && x.sec < start + 5), n);
      }
      const lim = await cli(["-r", src, "-w", `${dir}/h-%S.pcap`, "-G", "5", "-W", "2", "--json"]);
      assert.equal(lim.code, 0, lim.stderr);
      assert.match(lim.stderr, /^xskdump: Maximum file limit reached: 2$/m);
      const json = JSON.parse(lim.stderr.trim().split("\n").at(-1)!);
      assert.equal(json.stop, "file_limit");
      assert.deepEqual(json.files.map((f: { path: string }) => f.path), [
        `${dir}/h-00.pcap`,
        `${dir}/h-05.pcap`,
      ]);
      assert.equal(json.captured, 20);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "-r needs no privileges and no shim: no --allow-ffi, and as root without capabilities",
  ignore,
  async fn() {
    const path = corpus();
    const want = expectedLines(memRead(Deno.readFileSync(path)).records.slice(0, 50));
    // Deno refuses to dlopen anything without --allow-ffi: the shim is never loaded.
    const bare = await cli(["-r", path, "-c", "50"], {
      cmd: [
        deno,
        "run",
        "--quiet",
        "--no-prompt",
        "--cached-only",
        "--allow-read",
        `${root}cli/main.ts`,
      ],
    });
    assert.equal(bare.code, 0, bare.stderr);
    assert.deepEqual(lines(bare.stdout), want);
    if (Deno.uid() === 0) {
      // Root without a single capability, and no new privileges possible.
      const caps = await cli(["-r", path, "-c", "50"], {
        cmd: [
          "setpriv",
          "--inh-caps=-all",
          "--ambient-caps=-all",
          "--bounding-set=-all",
          "--no-new-privs",
          bin,
        ],
      });
      assert.equal(caps.code, 0, caps.stderr);
      assert.deepEqual(lines(caps.stdout), want);
    } else {
      console.log("  (not root: this run itself has no privileges)");
    }
  },
});
