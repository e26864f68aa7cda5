// CLI parsing and bad-input behaviour: one clear line, exit 2, nothing written.
import assert from "node:assert/strict";
import { MAX_SNAPLEN, parseArgs, UsageError } from "../../cli/args.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;

Deno.test("parseArgs: tcpdump's flags become capture options", () => {
  const a = parseArgs(["-i", "eth0", "-w", "-", "-c", "1000", "-s", "128", "-q", "3"]);
  assert.equal(a.kind, "capture");
  if (a.kind !== "capture") return;
  assert.equal(a.iface, "eth0");
  assert.equal(a.write, "-");
  assert.equal(a.count, 1000);
  assert.equal(a.snaplen, 128);
  assert.deepEqual(a.queues, [3]);
  assert.equal(a.mode, "auto");
});

Deno.test("parseArgs: defaults and --duration / --mode / -s 0", () => {
  const a = parseArgs(["-i", "veth0", "--duration", "1.5", "--mode", "generic", "-s", "0"]);
  if (a.kind !== "capture") throw new Error("expected a capture");
  assert.equal(a.durationMs, 1500);
  assert.equal(a.mode, "generic");
  assert.equal(a.snaplen, MAX_SNAPLEN);
  assert.equal(a.write, undefined);
  assert.deepEqual(a.queues, [0]);
});

Deno.test("parseArgs: -q takes one queue, a list, or all", () => {
  const list = parseArgs(["-i", "eth0", "-q", "0,2,3"]);
  if (list.kind === "capture") assert.deepEqual(list.queues, [0, 2, 3]);
  const all = parseArgs(["-i", "eth0", "-q", "all"]);
  if (all.kind === "capture") assert.equal(all.queues, "all");
  assert.throws(() => parseArgs(["-i", "eth0", "-q", "1,1"]), /twice/);
  assert.throws(() => parseArgs(["-i", "eth0", "-q", "1,x"]), /whole number/);
});

Deno.test("parseArgs: --help and --version are info, not errors", () => {
  const h = parseArgs(["--help"]);
  assert.equal(h.kind, "info");
  if (h.kind === "info") assert.match(h.text, /-i, --interface/);
  const v = parseArgs(["--version"]);
  if (v.kind === "info") assert.match(v.text, /^xskdump \d+\.\d+\.\d+/);
});

const bad: [string[], RegExp][] = [
  [[], /no interface given/],
  [["-i", "eth0", "-c", "ten"], /-c needs a whole number/],
  [["-i", "eth0", "-c", "0"], /-c must be in 1\.\./],
  [["-i", "eth0", "-s", "300000"], /-s must be in 0\.\.262144/],
  [["-i", "eth0", "-q", "-1"], /.+/],
  [["-i", "eth0", "-q", "256"], /-q must be in 0\.\.255/],
  [["-i", "eth0", "--mode", "turbo"], /turbo/],
  [["-i", "eth0", "--duration", "0"], /--duration needs a positive number/],
  [["-i", "eth0", "--frames", "1000"], /power of two/],
  [["-i", "has space"], /not a valid interface name/],
  [["-i", "eth0", "--bogus"], /unknown option/],
  [["-i", "eth0", "tcp", "port", "80", "-F", "/nonexistent"], /give one or the other/],
];
for (const [argv, re] of bad) {
  Deno.test(`parseArgs rejects ${JSON.stringify(argv)}`, () => {
    assert.throws(
      () => parseArgs(argv),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
    );
  });
}

async function runCli(args: string[], cwd = Deno.cwd()) {
  const out = await new Deno.Command(bin, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("bin/xskdump: usage error is one line on stderr and exit 2", async () => {
  const r = await runCli(["-i", "eth0", "-c", "x"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /^xskdump: -c needs a whole number/);
});

Deno.test("bin/xskdump: --help and --version print to stdout and exit 0 (scoped permissions)", async () => {
  const envs: Record<string, string>[] = [{}, { CLICOLOR_FORCE: "1" }, { NO_COLOR: "1" }];
  for (const env of envs) {
    const out = await new Deno.Command(bin, {
      args: ["--help"],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.equal(stderr, "");
    assert.match(new TextDecoder().decode(out.stdout), /^Usage: xskdump -i IFACE/m);
  }
  const v = await runCli(["--version"]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^xskdump \d+\.\d+/);
});

Deno.test("bin/xskdump: an interface that does not exist: exit 2, no file written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/out.pcap`;
    const r = await runCli(["-i", "xsknosuch0", "-w", out, "-c", "1"], "/");
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.match(r.stderr, /xsknosuch0/);
    assert.match(r.stderr, /ip link/);
    await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bin/xskdump: --version works from another directory", async () => {
  const r = await runCli(["--version"], "/");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^xskdump \d+\.\d+\.\d+ \(Deno \d+\.\d+\.\d+, shim ABI \d+\)\n$/);
});

Deno.test("bin/xskdump passes no -A and scopes --allow-ffi to the shim", async () => {
  const text = await Deno.readTextFile(bin);
  assert.doesNotMatch(text, /(^|\s)(-A|--allow-all)(\s|$)/m);
  assert.match(text, /--allow-ffi="\$shim"/);
});

/** The --allow-* flags of a text, the shim's path written as <shim>. */
function permissionFlags(text: string): string[] {
  return [...text.matchAll(/--allow-[a-z]+(=[^\s\\]*)?/g)]
    .map((m) => m[0].replace(/^--allow-ffi=.*$/, "--allow-ffi=<shim>").replace(/"/g, ""))
    .sort();
}

Deno.test("bin/xskdump passes exactly the permissions the README lists, and nothing broad", async () => {
  const launcher = (await Deno.readTextFile(bin)).split("\n").filter((l) => !/^\s*#/.test(l))
    .join("\n");
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  // The block after "it passes exactly these".
  const block = /passes exactly\s+these[^\n]*\n+```\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, "README has no list of the launcher's permissions");
  const listed = permissionFlags(block);
  const passed = permissionFlags(launcher);
  assert.deepEqual(passed, listed);
  for (const broad of ["--allow-all", "--allow-run", "--allow-net", "--allow-ffi"]) {
    assert.ok(!passed.includes(broad), `${broad} without a scope`);
  }
  assert.ok(passed.every((f) => !/^--allow-(run|net|all)/.test(f)), passed.join(" "));
});
