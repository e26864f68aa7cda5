/**
 * The paths a tcpdump user gives -r, -w and -F, tried as a new user would, through bin/xskdump
 * (scoped permissions, no --allow-all): /dev/shm, /dev/stdout, /dev/stdin, /dev/fd/N,
 * /proc/self/fd/N, a process substitution, /dev/full. Each works as with tcpdump: the same
 * packets, the same exit code, and no message ever names a Deno flag.
 */
import assert from "node:assert/strict";
import { pcapRecords } from "../../lib/formats/pcap.ts";
import { CORPUS } from "./tcpdump_run.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const FILE = `${CORPUS}/HSRP_coup.pcap`;
const PACKETS = 51;
const HAVE_FILE = (() => {
  try {
    return Deno.statSync(FILE).isFile;
  } catch {
    return false;
  }
})();
const SHM = (() => {
  try {
    return Deno.statSync("/dev/shm").isDirectory;
  } catch {
    return false;
  }
})();
if (!HAVE_FILE) console.log("cli_paths_test: the corpus is missing; skipped");
if (!SHM) console.log("cli_paths_test: no /dev/shm here; its cases skipped");

interface Ran {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs a shell command line (for redirections), $X being bin/xskdump and $F the corpus file. */
async function sh(line: string, stdin?: Uint8Array): Promise<Ran> {
  const child = new Deno.Command("bash", {
    args: ["-c", line],
    env: { X: bin, F: FILE },
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  const stderr = new TextDecoder().decode(out.stderr);
  // Whatever happens, no message tells a user to pass a Deno flag.
  assert.doesNotMatch(stderr, /--allow|allow-all|Requires .* access/, `${line}: ${stderr}`);
  return { code: out.code, stdout: out.stdout, stderr };
}

/** The packets of a pcap, as bytes, for comparing two files. */
function packetsOf(bytes: Uint8Array): string[] {
  return [...pcapRecords(bytes)].map((r) => `${r.origLen}:${r.data.join(",")}`);
}

const ignore = !HAVE_FILE;

Deno.test({
  name: "paths: -w /dev/stdout, /dev/fd/1 and /proc/self/fd/1 are stdout, as -w -",
  ignore,
  async fn() {
    const dash = await sh(`"$X" -r "$F" -w -`);
    assert.equal(dash.code, 0, dash.stderr);
    assert.equal(packetsOf(dash.stdout).length, PACKETS);
    for (const p of ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]) {
      const r = await sh(`"$X" -r "$F" -w ${p}`);
      assert.equal(r.code, 0, `${p}: ${r.stderr}`);
      assert.deepEqual(r.stdout, dash.stdout, p);
    }
    // Into a pipe too, as a user pipes it on.
    const piped = await sh(`"$X" -r "$F" -w /dev/stdout | cat`);
    assert.deepEqual(piped.stdout, dash.stdout);
  },
});

Deno.test({
  name: "paths: -r /dev/stdin, /dev/fd/0, /proc/self/fd/0, /dev/fd/3 and <(...) read as -r FILE",
  ignore,
  async fn() {
    const want = await sh(`"$X" -n -r "$F"`);
    assert.equal(want.code, 0, want.stderr);
    const bytes = await Deno.readFile(FILE);
    const lines = [
      `"$X" -n -r /dev/stdin < "$F"`,
      `"$X" -n -r /dev/fd/0 < "$F"`,
      `"$X" -n -r /proc/self/fd/0 < "$F"`,
      `"$X" -n -r /dev/fd/3 3< "$F"`,
      `"$X" -n -r /proc/self/fd/3 3< "$F"`,
      `"$X" -n -r <(cat "$F")`,
      `cat "$F" | "$X" -n -r /dev/stdin`,
    ];
    for (const line of lines) {
      const r = await sh(line);
      assert.equal(r.code, 0, `${line}: ${r.stderr}`);
      assert.deepEqual(r.stdout, want.stdout, line);
      assert.match(r.stderr, /^reading from file \S+, link-type EN10MB/, line);
    }
    const fed = await sh(`"$X" -n -r /dev/stdin`, bytes);
    assert.deepEqual(fed.stdout, want.stdout);
  },
});

Deno.test({
  name: "paths: -w /proc/self/fd/4 and /dev/fd/4 write the file fd 4 names; -w /dev/shm/FILE",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const plain = await sh(`"$X" -r "$F" -w ${dir}/plain.pcap`);
      assert.equal(plain.code, 0, plain.stderr);
      const want = packetsOf(await Deno.readFile(`${dir}/plain.pcap`));
      assert.equal(want.length, PACKETS);
      for (const p of ["/proc/self/fd/4", "/dev/fd/4"]) {
        const r = await sh(`"$X" -r "$F" -w ${p} 4> ${dir}/fd4.pcap`);
        assert.equal(r.code, 0, `${p}: ${r.stderr}`);
        assert.deepEqual(packetsOf(await Deno.readFile(`${dir}/fd4.pcap`)), want, p);
      }
      if (SHM) {
        const shm = `/dev/shm/xskt-paths-${Deno.pid}.pcap`;
        try {
          const r = await sh(`"$X" -r "$F" -w ${shm}`);
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(packetsOf(await Deno.readFile(shm)), want);
          // Rotation there too: the shim opens every file of it.
          const rot = await sh(`"$X" -r "$F" -w ${shm}.r -C 0.001 -W 3`);
          assert.equal(rot.code, 0, rot.stderr);
          const files = [0, 1, 2].map((k) => `${shm}.r${k}`);
          assert.ok(files.every((f) => Deno.statSync(f).size > 24), files.join(" "));
          // And -r of it, as a user reads back what was written there.
          const back = await sh(`"$X" -r ${shm} -w -`);
          assert.deepEqual(packetsOf(back.stdout), want);
        } finally {
          for (const f of [shm, ...[0, 1, 2].map((k) => `${shm}.r${k}`)]) {
            await Deno.remove(f).catch(() => {});
          }
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "paths: -F /dev/stdin and -F /dev/fd/3 read the filter there",
  ignore,
  async fn() {
    const want = await sh(`"$X" -n -r "$F" 'src host 192.168.0.10'`);
    assert.equal(want.code, 0, want.stderr);
    assert.ok(want.stdout.length > 0);
    for (
      const line of [
        `echo 'src host 192.168.0.10' | "$X" -n -r "$F" -F /dev/stdin`,
        `"$X" -n -r "$F" -F /dev/fd/3 3< <(echo 'src host 192.168.0.10')`,
      ]
    ) {
      const r = await sh(line);
      assert.equal(r.code, 0, `${line}: ${r.stderr}`);
      assert.deepEqual(r.stdout, want.stdout, line);
    }
  },
});

Deno.test({
  name: "paths: -w /dev/full is disk full (one line, exit 1); a closed /dev/fd/3 ends quietly",
  ignore,
  async fn() {
    // tcpdump 4.99 exits 0 here, never looking at the write's error; xskdump says it.
    const r = await sh(`"$X" -r "$F" -w /dev/full`);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim().split("\n").at(-1),
      "xskdump: disk full writing /dev/full (No space left on device (os error 28))",
    );
    // The reader of fd 3 goes away after a few bytes: like `-w - | head`, exit 0.
    const closed = await sh(`"$X" -r "$F" -w /dev/fd/3 3> >(head -c 100 > /dev/null)`);
    assert.equal(closed.code, 0, closed.stderr);
    const missing = await sh(`"$X" -r /dev/shm/xskt-no-such-${Deno.pid}`);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^xskdump: cannot read \/dev\/shm\/xskt-no-such-\d+: No such file or directory \(os error 2\)/,
    );
  },
});
