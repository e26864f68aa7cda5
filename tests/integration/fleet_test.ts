// `xskdump fleet` against real hosts: network namespaces each running OpenSSH's server, reached
// over veth from a client namespace with a key and known_hosts made for the run. Three hosts
// capture a third of the corpus each; the merged pcapng holds every frame of each, identical, on
// its host's interface, in time order, and tshark reads it. A host that cannot be reached and
// one whose interface does not exist fail in one line each while the other captures. SIGINT and
// kill -9 of the fleet leave no remote xskdump and no XDP program behind within 2 s.

import assert from "node:assert/strict";
import { pcapngRecords, readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";
import {
  firstMismatch,
  type Fleet,
  type Frame,
  framesOf,
  hostProcesses,
  mergedCorpus,
  nsExec,
  pidsIn,
  pollUntil,
  replay,
  rootOnly,
  run,
  spawnInNs,
  startFleet,
  withFleet,
  withVethPair,
  writeFrames,
  xdpAttached,
  xdpInterfaces,
  XSKDUMP,
} from "../../testbed/mod.ts";

const ignore = rootOnly("fleet", "network namespaces, veth, XDP, sshd");
/** Every host listening: three ssh logins and three captures starting, on a busy machine. */
const LISTEN_MS = 60_000;
/** The captures to end by themselves once every frame is sent. */
const END_MS = 30_000;

/** Frames in a pcap of their own for tcpreplay. */
function pcapOf(path: string, frames: Frame[]): string {
  writeFrames(path, frames, 1_700_000_000, 1_000_000);
  return path;
}

/** No xskdump on any host and no XDP program on any of their interfaces: polled up to 2 s. */
async function nothingLeft(f: Fleet, since: number): Promise<void> {
  const left = async () =>
    (await Promise.all(f.hosts.map(async (h) => [
      ...await hostProcesses(h, /xskdump/),
      ...(await xdpInterfaces(h.pair.captureNs)).map((i) => `XDP on ${i}`),
    ]))).flat();
  const ok = await pollUntil(
    async () => (await left()).length === 0,
    2000 - (performance.now() - since),
    20,
  );
  assert.ok(ok, `2 s after the fleet was stopped: ${(await left()).join("; ")}`);
}

Deno.test({
  name: "fleet: three hosts, the corpus split three ways, merged in time order, tshark reads it",
  ignore,
  async fn() {
    const corpus = await mergedCorpus();
    const frames = framesOf(corpus.path);
    const per = Math.floor(frames.length / 3);
    await withFleet({ hosts: 3 }, async (f) => {
      const thirds = [0, 1, 2].map((k) => frames.slice(k * per, (k + 1) * per));
      const files = thirds.map((t, k) => pcapOf(`${f.dir}/third${k}.pcap`, t));
      const out = `${f.dir}/all.pcapng`;
      const fleet = startFleet(f, [
        // A delay that a busy machine cannot exceed between two hosts: order is what is checked.
        ...[
          "--merge-delay",
          "5",
          "h1",
          "h2",
          "h3",
          "--",
          "-i",
          "xc0",
          "-c",
          String(per),
          "-w",
          out,
        ],
      ]);
      try {
        await fleet.waitForStderrLine(/^listening on 3 hosts$/, LISTEN_MS);
        const sent = await Promise.all(f.hosts.map((h, k) => replay(h.pair, files[k])));
        for (const s of sent) assert.equal(s.sent, per, s.output);
        const status = await fleet.waitExit(END_MS);
        const err = fleet.stderrText();
        assert.equal(status.code, 0, err);
        for (const h of f.hosts) {
          assert.match(err, new RegExp(`^${h.name}: listening on xc0, `, "m"));
          assert.match(
            err,
            new RegExp(`^${h.name}: ${per} packets captured, .* ${per} merged$`, "m"),
          );
        }
        assert.match(err, new RegExp(`^3 hosts: ${3 * per} packets captured, `, "m"));
      } finally {
        await fleet.stop();
      }
      const bytes = await Deno.readFile(out);
      const ifs = readPcapngInfo(bytes).sections[0].interfaces;
      // One interface per host, in the order their streams began.
      assert.deepEqual(ifs.map((i) => `${i.name} ${i.description}`).sort(), [
        "h1:xc0 h1",
        "h2:xc0 h2",
        "h3:xc0 h3",
      ]);
      const records = [...pcapngRecords(bytes)];
      assert.equal(records.length, 3 * per);
      for (let i = 1; i < records.length; i++) {
        const [a, b] = [records[i - 1], records[i]];
        assert.ok(
          a.sec < b.sec || (a.sec === b.sec && a.nsec <= b.nsec),
          `record ${i} goes back in time: ${a.sec}.${a.nsec} then ${b.sec}.${b.nsec}`,
        );
      }
      for (const [k, h] of f.hosts.entries()) {
        const id = ifs.findIndex((i) => i.name === `${h.name}:xc0`);
        const mine = records.filter((r) => r.interfaceId === id);
        const mismatch = firstMismatch(thirds[k], mine);
        assert.equal(mismatch, undefined, `${h.name}: ${mismatch}`);
        assert.equal(ifs[id].stats?.usrDeliv, BigInt(per), `${h.name}: its statistics block`);
        assert.equal(ifs[id].stats?.filterAccept, BigInt(per));
      }
      // tshark reading the file agrees: per host, the count and the bytes sent; the whole in time
      // order; each frame on the interface the file says.
      const tshark = await nsExec(f.clientNs, [
        ...["tshark", "-r", out, "-T", "fields", "-E", "separator=,"],
        ...["-e", "frame.interface_name", "-e", "frame.len", "-e", "frame.cap_len"],
        ...["-e", "frame.time_epoch"],
      ]);
      assert.equal(tshark.code, 0, tshark.stderr);
      const rows = tshark.stdout.trim().split("\n").map((l) => l.split(","));
      assert.equal(rows.length, 3 * per);
      assert.deepEqual(rows.map((r) => r[0]), records.map((r) => ifs[r.interfaceId].name));
      for (let i = 1; i < rows.length; i++) {
        // time_epoch is seconds with 9 decimals: compared as text of equal length, it orders.
        assert.ok(rows[i - 1][3] <= rows[i][3], `tshark: frame ${i + 1} goes back in time`);
      }
      const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
      for (const [k, h] of f.hosts.entries()) {
        const mine = rows.filter((r) => r[0] === `${h.name}:xc0`);
        assert.equal(mine.length, thirds[k].length, `${h.name}: frames`);
        assert.equal(sum(mine.map((r) => Number(r[1]))), sum(thirds[k].map((t) => t.origLen)));
        assert.equal(sum(mine.map((r) => Number(r[2]))), sum(thirds[k].map((t) => t.caplen)));
      }
    });
  },
});

/** 20 UDP frames to replay into a host. */
function smallPcap(dir: string): string {
  const frames: Frame[] = [];
  for (let i = 0; i < 20; i++) {
    const data = new Uint8Array(60);
    data.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
    data.set([0x45, 0, 0, 46, 0, i, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
    data.set([0x13, 0x88, 0x13, 0x89, 0, 26, 0, 0], 34);
    frames.push({ sec: 0, nsec: 0, caplen: 60, origLen: 60, data });
  }
  return pcapOf(`${dir}/small.pcap`, frames);
}

Deno.test({
  name: "fleet: a bad name, a refused ssh, a missing interface and a host without xskdump " +
    "fail in one line each; the one that works captures",
  ignore,
  async fn() {
    // h1 works; h2 runs no ssh server; h3's capture interface has another name; h4 has no
    // xskdump on its PATH; nosuch.invalid is no name at all.
    const hosts = { hosts: 4, sshd: (i: number) => i !== 1, xskdump: (i: number) => i !== 3 };
    await withFleet(hosts, async (f) => {
      const h3 = f.hosts[2].pair;
      await nsExec(h3.captureNs, ["ip", "link", "set", "dev", h3.captureIf, "name", "xm0"]);
      const small = smallPcap(f.dir);
      const out = `${f.dir}/all.pcapng`;
      const names = ["h1", "h2", "h3", "h4", "nosuch.invalid"];
      const fleet = startFleet(f, [...names, "--", "-i", "xc0", "-c", "20", "-w", out, "udp"]);
      try {
        await fleet.waitForStderrLine(/^listening on 1 host$/, LISTEN_MS);
        const sent = await replay(f.hosts[0].pair, small);
        assert.equal(sent.sent, 20, sent.output);
        const status = await fleet.waitExit(END_MS);
        const err = fleet.stderrText();
        assert.equal(status.code, 1, err);
        const lines = err.split("\n");
        const expected: [string, RegExp][] = [
          ["h2", /^xskdump: h2: unreachable: .*Connection refused$/],
          ["h3", /^xskdump: h3: interface missing: xskdump: interface xc0: No such device; check /],
          [
            "h4",
            /^xskdump: h4: not installed: .*xskdump.*not found; give --push, or --remote-command PATH$/,
          ],
          [
            "nosuch.invalid",
            /^xskdump: nosuch\.invalid: unreachable: ssh: Could not resolve hostname nosuch\.invalid: /,
          ],
        ];
        for (const [name, re] of expected) {
          const mine = lines.filter((l) => l.includes(name));
          assert.equal(mine.length, 1, `${name}: one line:\n${err}`);
          assert.match(mine[0], re);
        }
        assert.match(err, /^1 of 5 hosts: 20 packets captured, /m);
      } finally {
        await fleet.stop();
      }
      // The host that worked has every frame, on its own interface, whatever the others did.
      const bytes = await Deno.readFile(out);
      const ifs = readPcapngInfo(bytes).sections[0].interfaces;
      assert.deepEqual(ifs.map((i) => i.name), ["h1:xc0"]);
      const mismatch = firstMismatch(framesOf(small), [...pcapngRecords(bytes)]);
      assert.equal(mismatch, undefined, `h1: ${mismatch}`);
      await nothingLeft(f, performance.now());
    });
  },
});

Deno.test({
  name: "fleet: text lines without -w, each prefixed with its host",
  ignore,
  async fn() {
    await withFleet({ hosts: 2 }, async (f) => {
      const small = smallPcap(f.dir);
      const fleet = startFleet(f, ["h1", "h2", "--", "-i", "xc0", "-c", "20", "udp"]);
      try {
        await fleet.waitForStderrLine(/^listening on 2 hosts$/, LISTEN_MS);
        await Promise.all(f.hosts.map((h) => replay(h.pair, small)));
        const status = await fleet.waitExit(END_MS);
        assert.equal(status.code, 0, fleet.stderrText());
      } finally {
        await fleet.stop();
      }
      const text = new TextDecoder().decode(fleet.stdoutBytes()).trim().split("\n");
      for (const h of ["h1", "h2"]) {
        const mine = text.filter((l) => l.startsWith(`${h}: `));
        assert.equal(mine.length, 20, text.join("\n"));
        for (const l of mine) {
          assert.match(
            l,
            new RegExp(`^${h}: \\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP 10\\.0\\.0\\.1\\.5000 > `),
          );
        }
      }
      assert.equal(text.length, 40);
    });
  },
});

Deno.test({
  name: "fleet: --strict stops every host at the first that fails",
  ignore,
  async fn() {
    await withFleet({ hosts: 2, sshd: (i) => i === 0 }, async (f) => {
      const fleet = startFleet(f, ["--strict", "h1", "h2", "--", "-i", "xc0", "-w", "-"]);
      try {
        const status = await fleet.waitExit(END_MS);
        const err = fleet.stderrText();
        assert.equal(status.code, 1, err);
        assert.match(err, /^xskdump: h2: unreachable: /m);
        assert.match(err, /^xskdump: --strict: stopping every host$/m);
      } finally {
        await fleet.stop();
      }
      await nothingLeft(f, performance.now());
    });
  },
});

for (const signal of ["SIGINT", "SIGKILL"] as const) {
  Deno.test({
    name: `fleet: ${signal} to the fleet leaves no remote xskdump and no XDP program within 2 s`,
    ignore,
    async fn() {
      await withFleet({ hosts: 3 }, async (f) => {
        const small = smallPcap(f.dir);
        const out = `${f.dir}/all.pcapng`;
        const fleet = startFleet(f, ["h1", "h2", "h3", "--", "-i", "xc0", "-w", out]);
        try {
          await fleet.waitForStderrLine(/^listening on 3 hosts$/, LISTEN_MS);
          for (const h of f.hosts) {
            assert.ok(await xdpAttached(h.pair.captureNs, h.pair.captureIf), `${h.name}: XDP`);
          }
          await Promise.all(f.hosts.map((h) => replay(h.pair, small)));
          const at = performance.now();
          fleet.signal(signal);
          const status = await fleet.waitExit(END_MS);
          await nothingLeft(f, at);
          if (signal === "SIGINT") {
            const err = fleet.stderrText();
            assert.equal(status.code, 0, err);
            for (const h of f.hosts) {
              assert.match(err, new RegExp(`^${h.name}: 20 packets captured, .*, 20 merged$`, "m"));
            }
            assert.equal([...pcapngRecords(await Deno.readFile(out))].length, 60);
          } else {
            assert.equal(status.signal, "SIGKILL");
          }
        } finally {
          await fleet.stop();
        }
        // The killed fleet's ssh processes end once their sessions close.
        assert.ok(await pollUntil(async () => (await pidsIn(f.clientNs)).length === 0, 5000));
      });
    },
  });
}

/**
 * The one file to push: `make onefile`'s where the Makefile has it, else the bundle of `make
 * bundle` (run on the hosts with the tests' Deno), built into `dir`.
 */
async function pushable(dir: string): Promise<string> {
  const repo = new URL("../../", import.meta.url).pathname;
  const onefile = (await run(["make", "-s", "-n", "onefile"], { cwd: repo })).code === 0;
  const target = onefile ? "onefile" : "bundle";
  await run(["make", "-s", target, `DIST=${dir}`], { cwd: repo, check: true });
  return `${dir}/${onefile ? "xskdump" : "xskdump.js"}`;
}

Deno.test({
  name: "fleet --push: the file is copied to each host, run there, and removed",
  ignore,
  async fn() {
    // No xskdump on the hosts' PATH: only the pushed one can run.
    await withFleet({ hosts: 2, xskdump: () => false }, async (f) => {
      const file = await pushable(`${f.dir}/dist`);
      const small = smallPcap(f.dir);
      const out = `${f.dir}/all.pcapng`;
      const fleet = startFleet(
        f,
        ["--push", "h1", "h2", "--", "-i", "xc0", "-c", "20", "-w", out],
        {
          XSKDUMP_ONEFILE: file,
        },
      );
      try {
        await fleet.waitForStderrLine(/^listening on 2 hosts$/, LISTEN_MS);
        for (const h of f.hosts) {
          const there = [...Deno.readDirSync(h.tmp)].map((e) => e.name);
          assert.equal(there.length, 1, `${h.name}: the pushed file in its TMPDIR: ${there}`);
          assert.match(there[0], /^xskdump\./);
        }
        await Promise.all(f.hosts.map((h) => replay(h.pair, small)));
        const status = await fleet.waitExit(END_MS);
        assert.equal(status.code, 0, fleet.stderrText());
      } finally {
        await fleet.stop();
      }
      assert.equal([...pcapngRecords(await Deno.readFile(out))].length, 40);
      for (const h of f.hosts) {
        assert.deepEqual([...Deno.readDirSync(h.tmp)], [], `${h.name}: the pushed file removed`);
      }
    });
  },
});

Deno.test({
  name: "capture --stop-on-eof: the end of standard input stops it cleanly",
  ignore,
  async fn() {
    await withVethPair(async (pair) => {
      const cap = spawnInNs(pair.captureNs, [
        ...[XSKDUMP, "-i", pair.captureIf, "--stop-on-eof", "--json", "-w", "/dev/null"],
      ], { stdin: true, env: { SSH_CONNECTION: "" } });
      try {
        await cap.waitForStderrLine(/^listening on /, LISTEN_MS);
        await cap.send("anything on stdin is ignored");
        const at = performance.now();
        await cap.closeStdin();
        const status = await cap.waitExit(END_MS);
        assert.equal(status.code, 0, cap.stderrText());
        assert.ok(performance.now() - at < 2000, "stopped within 2 s");
        assert.match(cap.stderrText(), /"stop":"input_closed"/);
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);
      } finally {
        await cap.stop();
      }
    });
  },
});
