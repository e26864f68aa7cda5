// CLI parsing and bad-input behaviour: one clear line, exit 2, nothing written.
import assert from "node:assert/strict";
import { MAX_SNAPLEN, parseArgs, UsageError } from "../../cli/args.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;

Deno.test("parseArgs: tcpdump's flags become capture options", () => {
  const a = parseArgs(["-i", "eth0", "-w", "-", "-c", "1000", "-s", "128", "--queue", "3"]);
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
  assert.equal(a.queues, undefined, "the path's own default: divert queue 0, tap every queue");
  assert.equal(a.path, "auto");
  assert.equal(a.direction, undefined);
  assert.equal(a.print.direction, false);
});

Deno.test("parseArgs: --tap, --divert, -Q and --print-direction", () => {
  const t = parseArgs(["-i", "eth0", "--tap", "-Q", "out", "--print-direction"]);
  if (t.kind !== "capture") throw new Error("expected a capture");
  assert.deepEqual([t.path, t.direction, t.print.direction], ["tap", "out", true]);
  const d = parseArgs(["-i", "eth0", "--divert", "--direction", "in"]);
  if (d.kind === "capture") assert.deepEqual([d.path, d.direction], ["divert", "in"]);
});

Deno.test("parseArgs: the process options", () => {
  const a = parseArgs([
    ...["-i", "eth0", "--pid", "4321,4322", "--pid", "7", "--pname", "nginx", "--pname", "curl"],
    ...["--cgroup", "/system.slice/nginx.service", "--container", "3f2a", "port", "80"],
  ]);
  if (a.kind !== "capture") throw new Error("expected a capture");
  assert.deepEqual(a.process, {
    pids: [4321, 4322, 7],
    comms: ["nginx", "curl"],
    cgroups: ["/system.slice/nginx.service"],
    containers: ["3f2a"],
  });
  assert.equal(a.expression, "port 80");
  const none = parseArgs(["-i", "eth0"]);
  if (none.kind === "capture") assert.equal(none.process, undefined, "attribution off");
  for (const argv of [["--attribute"], ["--print-process"]]) {
    const on = parseArgs(["-i", "eth0", ...argv]);
    if (on.kind === "capture") assert.ok(on.process, `${argv}: attribution on`);
  }
  const r = parseArgs(["-r", "x.pcapng", "--print-process"]);
  if (r.kind === "read") assert.equal(r.print.process, true);
});

Deno.test("parseArgs: --queue takes one queue, a list, or all; -q is tcpdump's quick output", () => {
  const list = parseArgs(["-i", "eth0", "--queue", "0,2,3"]);
  if (list.kind === "capture") assert.deepEqual(list.queues, [0, 2, 3]);
  const all = parseArgs(["-i", "eth0", "--queue", "all"]);
  if (all.kind === "capture") assert.equal(all.queues, "all");
  assert.throws(() => parseArgs(["-i", "eth0", "--queue", "1,1"]), /twice/);
  assert.throws(() => parseArgs(["-i", "eth0", "--queue", "1,x"]), /whole number/);
  const q = parseArgs(["-i", "eth0", "-q", "udp"]);
  if (q.kind !== "capture") throw new Error("expected a capture");
  assert.deepEqual([q.print.quiet, q.queues, q.expression], [1, undefined, "udp"]);
  const qq = parseArgs(["-r", "f", "-qq"]);
  if (qq.kind === "read") assert.equal(qq.print.quiet, 2);
  // The old `-q N` is a usage error that names --queue, not a filter that fails to compile.
  for (const old of [["-q", "3"], ["-q", "0,2"], ["-q", "all", "udp"]]) {
    assert.throws(
      () => parseArgs(["-i", "eth0", ...old]),
      (e: unknown) => e instanceof UsageError && /--queue/.test(e.message),
      old.join(" "),
    );
  }
});

Deno.test("parseArgs: tcpdump's -A, -q, -#, -vv, -vvv, -N, -n, -p become print options", () => {
  const print = (argv: string[]) => {
    const a = parseArgs(["-r", "f.pcap", ...argv]);
    if (a.kind !== "read") throw new Error(`expected a read, got ${a.kind}`);
    return a.print;
  };
  const none = print([]);
  assert.deepEqual(
    [none.ascii, none.quiet, none.number, none.verbosity, none.hex.level],
    [0, 0, false, 0, 0],
  );
  assert.equal(print(["-A"]).ascii, 1);
  assert.equal(print(["-AA"]).ascii, 2);
  assert.equal(print(["-A", "-A", "-A"]).ascii, 2);
  assert.equal(print(["-q"]).quiet, 1);
  assert.equal(print(["-q", "-q"]).quiet, 2);
  assert.equal(print(["-#"]).number, true);
  assert.equal(print(["--number"]).number, true);
  assert.equal(print(["-n#qA"]).number, true);
  assert.deepEqual([1, 2, 3].map((n) => print(["-" + "v".repeat(n)]).verbosity), [1, 2, 3]);
  assert.equal(print(["-v", "-v"]).verbosity, 2);
  // -N and -p change nothing here (xskdump prints no names, never sets promiscuous mode).
  assert.deepEqual(print(["-N", "-p", "-n"]), none);
  assert.deepEqual(print(["--no-promiscuous-mode"]), none);
});

Deno.test("parseArgs: -l, -U, --print, --count, -y, -Z, -c", () => {
  const r = parseArgs(["-r", "f", "-l", "-U", "--count", "-y", "en10mb", "-Z", "nobody"]);
  if (r.kind !== "read") throw new Error("expected a read");
  assert.deepEqual(
    [r.lineBuffered, r.packetBuffered, r.countOnly, r.user, r.printToo],
    [true, true, true, "nobody", false],
  );
  const w = parseArgs(["-i", "eth0", "-w", "x.pcap", "--print", "--packet-buffered", "-c", "5"]);
  if (w.kind !== "capture") throw new Error("expected a capture");
  assert.deepEqual([w.printToo, w.packetBuffered, w.lineBuffered, w.count], [true, true, false, 5]);
  const z = parseArgs(["-i", "eth0", "--relinquish-privileges", "tcpdump"]);
  if (z.kind === "capture") assert.equal(z.user, "tcpdump");
  // -c takes the count; --count is tcpdump's count-only flag, no alias of -c.
  assert.throws(() => parseArgs(["-i", "eth0", "-c"]), /argument missing/);
  // -d takes -y EN10MB, as tcpdump -d -y does.
  assert.equal(parseArgs(["-d", "-y", "EN10MB", "udp"]).kind, "dump");
});

Deno.test("parseArgs: -d, -dd, -ddd; --snapshot-length; --immediate-mode and -f accepted", () => {
  const level = (argv: string[]) => {
    const a = parseArgs([...argv, "udp"]);
    if (a.kind !== "dump") throw new Error(`expected a dump, got ${a.kind}`);
    return a.level;
  };
  assert.deepEqual([["-d"], ["-dd"], ["-ddd"], ["-d", "-d"], ["--dump-filter"]].map(level), [
    1,
    2,
    3,
    2,
    1,
  ]);
  const s = parseArgs(["-i", "eth0", "--snapshot-length", "96"]);
  if (s.kind === "capture") assert.equal(s.snaplen, 96);
  const plain = parseArgs(["-i", "eth0"]);
  for (const argv of [["--immediate-mode"], ["-f"]]) {
    assert.deepEqual(parseArgs(["-i", "eth0", ...argv]), plain, argv.join(" "));
  }
});

Deno.test("parseArgs: -D lists whatever else is given; -L lists for -i", () => {
  assert.deepEqual(parseArgs(["-D"]), { kind: "list-interfaces" });
  assert.deepEqual(parseArgs(["--list-interfaces", "-i", "eth0", "-w", "x"]), {
    kind: "list-interfaces",
  });
  assert.deepEqual(parseArgs(["-L", "-i", "veth1"]), { kind: "list-linktypes", iface: "veth1" });
  assert.deepEqual(parseArgs(["--list-data-link-types", "-i", "lo"]), {
    kind: "list-linktypes",
    iface: "lo",
  });
  // With -r, tcpdump reads and ignores -L.
  assert.equal(parseArgs(["-L", "-r", "f"]).kind, "read");
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
  [["-i", "eth0", "--queue", "-1"], /.+/],
  [["-i", "eth0", "--queue", "256"], /--queue must be in 0\.\.255/],
  [["-i", "eth0", "--count", "5"], /--count counts the packets of a file: give -r FILE/],
  [["-i", "eth0", "-y", "LINUX_SLL"], /-y LINUX_SLL: .*EN10MB/],
  [["-i", "eth0", "-I"], /^-I: monitor mode/],
  [["-r", "f", "-I"], /^-I: monitor mode/],
  [["-L"], /-L lists the data link types of an interface: give -i IFACE/],
  [["-i", "eth0", "-Z", "a b"], /-Z needs a user name/],
  [["-i", "eth0", "-Z", "nobody", "--single-queue"], /-Z and --single-queue/],
  [["-r", "f", "-w", "-", "--print"], /--print and -w - would both write to stdout/],
  [["-r", "f", "-w", "-", "--count"], /--count and -w - would both write to stdout/],
  [["-i", "eth0", "--mode", "turbo"], /turbo/],
  [["-i", "eth0", "--duration", "0"], /--duration needs a positive number/],
  [["-i", "eth0", "--frames", "1000"], /power of two/],
  [["-i", "has space"], /not a valid interface name/],
  [["-i", "eth0", "--bogus"], /unknown option/],
  [["-i", "eth0", "tcp", "port", "80", "-F", "/nonexistent"], /give one or the other/],
  [["-r", "f", "-f"], /^-f tells foreign addresses by an interface's netmask: not with -r$/],
  [["-i", "eth0", "--snaplen", "96"], /unknown option '--snaplen'/],
  // tcpdump's flags that xskdump lacks: each named, with why, before anything else is checked.
  [["-D", "-b"], /^-b: not in xskdump: BGP AS numbers/],
  [["-i", "eth0", "-E", "spi@host"], /^-E: not in xskdump: .*ESP/],
  [["-i", "eth0", "-H"], /^-H: not in xskdump: .*802\.11s/],
  [["-J", "-i", "eth0"], /^-J \(--list-time-stamp-types\): not in xskdump/],
  [["-r", "f", "-K"], /^-K \(--dont-verify-checksums\): not in xskdump: checksums/],
  [["-r", "f", "--dont-verify-checksums"], /^-K \(--dont-verify-checksums\): not in xskdump/],
  [["-r", "f", "-m", "mib"], /^-m: not in xskdump: .*SMI MIB/],
  [["-r", "f", "-M", "secret"], /^-M: not in xskdump: TCP-MD5/],
  [["-d", "-O", "udp"], /^-O \(--no-optimize\): not in xskdump: the filter is always optimized/],
  [["-d", "--no-optimize", "udp"], /^-O \(--no-optimize\): not in xskdump/],
  [["-r", "f", "-T", "vxlan"], /^-T: not in xskdump: .*decoded by their ports/],
  [["-r", "f", "-u"], /^-u: not in xskdump: .*NFS/],
  [["-V", "list"], /^-V: not in xskdump: one file is read per run: give -r FILE$/],
  [["-i", "eth0", "-w", "x", "-C", "1", "-z", "gzip"], /^-z: not in xskdump: no command is run/],
  [["-i", "eth0", "--tap", "--divert"], /--tap and --divert: give one of them/],
  [["-i", "eth0", "--divert", "-Q", "inout"], /divert sees incoming packets only/],
  [["-i", "eth0", "-Q", "sideways"], /sideways/],
  [["-i", "eth0", "--pid", "x"], /--pid needs a whole number/],
  [["-i", "eth0", "--pid", "0"], /--pid must be in 1\.\./],
  [["-i", "eth0", "--pname", ""], /--pname needs a command name/],
  [["-i", "eth0", "--divert", "--pid", "1"], /known on the tap path only/],
  [["-i", "eth0", "--divert", "--print-process"], /known on the tap path only/],
  [["-r", "x.pcapng", "--pid", "1"], /act on a live capture/],
];
for (const [argv, re] of bad) {
  Deno.test(`parseArgs rejects ${JSON.stringify(argv)}`, () => {
    assert.throws(
      () => parseArgs(argv),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
    );
  });
}

Deno.test("parseArgs: a command is picked by its name as the first argument", () => {
  assert.deepEqual(parseArgs(["doctor"]), { kind: "doctor", iface: undefined, json: false });
  assert.deepEqual(parseArgs(["doctor", "-i", "eth0", "--json"]), {
    kind: "doctor",
    iface: "eth0",
    json: true,
  });
  assert.deepEqual(parseArgs(["restore"]), { kind: "restore", iface: undefined });
  assert.deepEqual(parseArgs(["restore", "--interface", "veth1"]), {
    kind: "restore",
    iface: "veth1",
  });
  // The default command by its name is the same as without it.
  assert.deepEqual(parseArgs(["capture", "-i", "eth0", "tcp"]), parseArgs(["-i", "eth0", "tcp"]));
  const d = parseArgs(["doctor", "--help"]);
  assert.equal(d.kind, "info");
  if (d.kind === "info") assert.match(d.text, /^Usage: xskdump doctor /);
});

Deno.test("parseArgs: a command's name anywhere but first is part of the filter expression", () => {
  const lines: [string[], string][] = [
    [["-i", "eth0", "host", "doctor"], "host doctor"],
    [["-i", "eth0", "doctor"], "doctor"],
    [["-i", "eth0", "restore", "-c", "1"], "restore"],
    [["-i", "eth0", "capture"], "capture"],
    [["-i", "eth0", "--", "doctor"], "doctor"],
    [["tcp", "or", "doctor", "-i", "eth0"], "tcp or doctor"],
  ];
  for (const [argv, expression] of lines) {
    const a = parseArgs(argv);
    assert.equal(a.kind, "capture", argv.join(" "));
    if (a.kind === "capture") assert.equal(a.expression, expression);
  }
  // A leading `--` ends the options: what follows is an expression, even a command's name.
  assert.throws(() => parseArgs(["--", "doctor"]), /no interface given/);
  assert.throws(() => parseArgs(["--", "restore", "-i", "eth0"]), /no interface given/);
});

Deno.test("parseArgs: --help lists every command, and each one's help runs", () => {
  const h = parseArgs(["--help"]);
  if (h.kind !== "info") throw new Error("--help is info");
  const listed = [...h.text.split(/^Commands:$/m)[1].matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]);
  assert.deepEqual(listed, ["restore", "doctor", "fleet", "extcap"]);
  for (const name of listed) {
    assert.match(h.text, new RegExp(`^(Usage:| +)xskdump ${name} `, "m"), `${name} in the usage`);
    const sub = parseArgs([name, "-h"]);
    assert.equal(sub.kind, "info");
    if (sub.kind === "info") assert.match(sub.text, new RegExp(`^Usage: xskdump ${name} `));
  }
  const c = parseArgs(["capture", "--help"]);
  if (c.kind === "info") assert.equal(c.text, h.text);
});

const badCommands: [string[], RegExp][] = [
  [["doctor", "extra"], /too many arguments/],
  [["restore", "-x"], /unknown option '-x'/],
  [["doctor", "--version"], /unknown option '--version'/],
  [["doctor", "-i", "a b"], /'a b' is not a valid interface name/],
  [["restore", "-i"], /argument missing/],
];
for (const [argv, re] of badCommands) {
  Deno.test(`parseArgs rejects ${JSON.stringify(argv)}`, () => {
    assert.throws(
      () => parseArgs(argv),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
    );
  });
}

Deno.test("README: the Usage section names every flag and command --help prints, and no other", async () => {
  const h = parseArgs(["--help"]);
  if (h.kind !== "info") throw new Error("--help is info");
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const block = /^## Usage\n+```\n([\s\S]*?)```/m.exec(readme)?.[1];
  assert.ok(block, "README has no Usage block");
  /** The flags in the first column of option lines (up to two spaces before the description). */
  const flags = (text: string, line: RegExp) =>
    new Set(
      text.split("\n").filter((l) => line.test(l)).flatMap((l) =>
        [...l.trim().split(/\s{2,}/)[0].matchAll(/(?<![\w-])--?[\w-]+/g)].map((m) => m[0])
      ),
    );
  const helpFlags = flags(h.text.split(/^Commands:$/m)[0], /^ {2}-/);
  const readmeFlags = flags(block, /^ {2}-/);
  for (const f of helpFlags) assert.ok(readmeFlags.has(f), `--help has ${f}, README's Usage not`);
  for (const f of readmeFlags) assert.ok(h.text.includes(f), `README's Usage has ${f}, --help not`);
  for (const m of h.text.split("\n\n")[0].matchAll(/^ +xskdump (\w+) (.*)$/gm)) {
    assert.ok(block.includes(`xskdump ${m[1]} ${m[2]}`), `README's Usage lacks ${m[0].trim()}`);
  }
});

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

Deno.test("bin/xskdump: commands: help exits 0 on stdout, a bad command line 2 with one line", async () => {
  const h = await runCli(["doctor", "--help"]);
  assert.equal(h.code, 0, h.stderr);
  assert.equal(h.stderr, "");
  assert.match(h.stdout, /^Usage: xskdump doctor /);
  const bad = await runCli(["restore", "extra"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.match(bad.stderr, /^xskdump: too many arguments.*\(see --help\)\n$/);
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
  assert.ok(passed.every((f) => !/^--allow-(net|all)/.test(f)), passed.join(" "));
  // fleet runs ssh, and nothing else may run.
  const runs = passed.filter((f) => f.startsWith("--allow-run"));
  assert.deepEqual(runs, ["--allow-run=ssh"]);
});
