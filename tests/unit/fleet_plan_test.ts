/**
 * What `xskdump fleet` and the extcap work out before anything runs: hosts, the capture's
 * arguments split between here and the hosts, the remote command line (run by a real sh over
 * stand-ins for xskdump, id and sudo), the ssh command, a failed host's reason, and the command
 * lines Wireshark starts xskdump with.
 */
import assert from "node:assert/strict";
import { parseArgs, UsageError } from "../../cli/args.ts";
import { captureLine, configLines } from "../../cli/extcap.ts";
import { captureArgs } from "../../cli/capture.ts";
import {
  hostFailure,
  hostList,
  planCapture,
  REMOTE_OUTPUT,
  remoteCommand,
  shellQuote,
  splitOperands,
  sshArgs,
} from "../../cli/fleet/plan.ts";
import { withTempDirSync } from "./helpers.ts";

const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test(e.message);

Deno.test("fleet: hosts before --, the capture's arguments after; -H adds a file's", () => {
  assert.deepEqual(splitOperands(["a", "b", "--", "-i", "eth0"]), {
    hosts: ["a", "b"],
    capture: ["-i", "eth0"],
  });
  // A leading `--` is gone (commander took it): no hosts on the command line.
  assert.deepEqual(splitOperands(["-i", "eth0", "--", "udp"]), {
    hosts: [],
    capture: ["-i", "eth0", "--", "udp"],
  });
  assert.throws(() => splitOperands(["a", "-i", "eth0"]), usage(/after `--`/));
  withTempDirSync("xskt-fleet-", (dir) => {
    Deno.writeTextFileSync(`${dir}/hosts`, "# web tier\nweb1\n\n  web2  # the second\nlb1\n");
    assert.deepEqual(hostList(["db1"], `${dir}/hosts`), ["web1", "web2", "lb1", "db1"]);
    assert.throws(() => hostList(["web1"], `${dir}/hosts`), usage(/web1 is named twice/));
    Deno.writeTextFileSync(`${dir}/bad`, "web1 web2\n");
    assert.throws(() => hostList([], `${dir}/bad`), usage(/one host a line/));
    assert.throws(() => hostList([], `${dir}/none`), usage(/-H .*none/));
  });
  assert.throws(() => hostList([]), usage(/no host given/));
  assert.throws(() => hostList(["-oProxyJump=x"]), usage(/fleet options come before the hosts/));
});

Deno.test("fleet: the hosts get the capture's options, minus the local output", () => {
  const p = planCapture([
    ...["-i", "eth0", "-c", "1000", "-w", "all.pcapng", "-s", "128", "--no-guard", "-nvC", "5"],
    ...["--json", "--format=pcapng", "--queue", "all", "udp", "port", "53"],
  ]);
  assert.deepEqual(p.remoteArgs, [
    ...["capture", "-i", "eth0", "-c", "1000", "-s", "128", "--no-guard", "-n", "-v"],
    ...["--queue", "all", ...REMOTE_OUTPUT, "--", "udp port 53"],
  ]);
  assert.equal(p.capture.write, "all.pcapng");
  assert.equal(p.capture.output.format, "pcapng");
  assert.equal(p.capture.output.sizeLimit, 5e6, "-C stays here: the merged file rotates");
  // A name that is not .pcapng (or stdout) still gets pcapng: the merged output is.
  assert.equal(planCapture(["-i", "eth0", "-w", "-"]).capture.output.format, "pcapng");
  withTempDirSync("xskt-fleet-", (dir) => {
    Deno.writeTextFileSync(`${dir}/f`, "tcp # web\nand port 80\n");
    const f = planCapture(["-ieth0", "-F", `${dir}/f`, "-wout"]);
    assert.deepEqual(f.remoteArgs, [
      "capture",
      "-i",
      "eth0",
      ...REMOTE_OUTPUT,
      "--",
      "tcp and port 80",
    ]);
  });
  assert.throws(() => planCapture(["-r", "x.pcap"]), usage(/-r has no place/));
  assert.throws(() => planCapture(["-i", "e", "-d"]), usage(/-d has no place/));
  assert.throws(() => planCapture(["-i", "e", "--format", "pcap"]), usage(/--format -w|give -w/));
  assert.throws(() => planCapture(["-i", "e", "-w", "x", "--format", "pcap"]), usage(/pcapng/));
  assert.throws(() => planCapture(["-i", "e", "--bogus"]), usage(/capture's arguments: unknown/));
  assert.throws(() => planCapture(["udp"]), usage(/no interface given/));
});

Deno.test("fleet: words are quoted for the remote shell exactly", () => {
  const words = ["plain", "two words", "it's", "$HOME", "`id`", "a\\b", "", "*", "-w", "x\ny"];
  const r = new Deno.Command("sh", {
    args: ["-c", `printf '%s\\0' ${words.map(shellQuote).join(" ")}`],
    stdout: "piped",
  }).outputSync();
  assert.deepEqual(new TextDecoder().decode(r.stdout).split("\0").slice(0, -1), words);
  assert.equal(shellQuote("eth0"), "eth0");
});

/** Runs a remote command line in sh with stand-ins for xskdump, id (as `uid`) and sudo. */
function runRemote(command: string, uid: number, dir: string) {
  const stub = (name: string, body: string) => {
    Deno.writeTextFileSync(`${dir}/${name}`, `#!/bin/sh\n${body}\n`);
    Deno.chmodSync(`${dir}/${name}`, 0o755);
  };
  stub("xskdump", `echo "xskdump $*"`);
  stub("id", `echo ${uid}`);
  stub("sudo", `echo "sudo $1 $2"; shift 2; exec "$@"`);
  const r = new Deno.Command("/bin/sh", {
    args: ["-c", command],
    env: { PATH: `${dir}:/usr/bin:/bin` },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  return { code: r.code, out: new TextDecoder().decode(r.stdout).trim() };
}

Deno.test("fleet: the remote command: sudo -n only where the login is not root, or as asked", () => {
  withTempDirSync("xskt-fleet-", (dir) => {
    const args = ["capture", "-i", "eth0", "--", "udp port 53"];
    const auto = remoteCommand("xskdump", args, "auto");
    assert.deepEqual(runRemote(auto, 0, dir), {
      code: 0,
      out: "xskdump capture -i eth0 -- udp port 53",
    });
    assert.deepEqual(runRemote(auto, 1000, dir), {
      code: 0,
      out: "sudo -n --preserve-env=SSH_CONNECTION\nxskdump capture -i eth0 -- udp port 53",
    });
    assert.match(runRemote(remoteCommand("xskdump", args, "always"), 0, dir).out, /^sudo -n/);
    assert.doesNotMatch(runRemote(remoteCommand("xskdump", args, "never"), 1000, dir).out, /sudo/);
    // A pushed file runs, and is gone afterwards; the capture's status is the command's.
    const pushed = `${dir}/xskdump.push`;
    Deno.writeTextFileSync(pushed, '#!/bin/sh\necho pushed "$@"\nexit 3\n');
    Deno.chmodSync(pushed, 0o700);
    const p = runRemote(remoteCommand(pushed, ["capture", "-i", "eth0"], "auto", true), 0, dir);
    assert.deepEqual(p, { code: 3, out: "pushed capture -i eth0" });
    assert.throws(() => Deno.statSync(pushed), Deno.errors.NotFound);
  });
});

Deno.test("fleet: ssh's command: the user's -o before fleet's defaults, the host after --", () => {
  assert.deepEqual(
    sshArgs({ configFile: "cfg", options: ["ProxyJump=b", "Port=2222"] }, "web1", "X"),
    [
      ...["-T", "-F", "cfg", "-o", "ProxyJump=b", "-o", "Port=2222"],
      ...["-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "--", "web1", "X"],
    ],
  );
});

Deno.test("fleet: a failed host's ssh status and stderr read as one reason", () => {
  const cases: [number, string[], string][] = [
    [255, ["ssh: connect to host 10.0.0.2 port 22: Connection refused"], "unreachable"],
    [255, ["ssh: Could not resolve hostname web9: Name or service not known"], "unreachable"],
    [255, ["ssh: connect to host 10.0.0.2 port 22: Connection timed out"], "unreachable"],
    [255, ["root@web1: Permission denied (publickey)."], "auth"],
    [255, [
      "No ED25519 host key is known for web1 and you have requested strict checking.",
      "Host key verification failed.",
    ], "host key"],
    [127, ["sh: 1: exec: xskdump: not found"], "not installed"],
    [127, ["bash: line 1: sudo: command not found"], "no sudo"],
    [1, ["sudo: a password is required"], "no sudo"],
    [
      2,
      ["xskdump: interface eth9: No such device; check the interface name with `ip link`"],
      "interface missing",
    ],
    [1, ["xskdump: create an AF_XDP socket: CAP_NET_RAW is missing"], "capture failed"],
  ];
  for (const [code, lines, kind] of cases) {
    const f = hostFailure(code, ['{"type":"summary"}', ...lines], "xskdump");
    assert.equal(f?.kind, kind, lines.join(" | "));
    assert.ok(f?.message.includes(lines.at(-1)!), f?.message);
  }
  assert.equal(hostFailure(0, ["anything"], "xskdump"), undefined);
  assert.match(hostFailure(127, ["sh: 1: exec: xskdump: not found"], "xskdump")!.message, /--push/);
});

Deno.test("extcap: Wireshark's first flags pick the extcap command; its sentences are well formed", () => {
  const line = (argv: string[]) => parseArgs(argv);
  assert.deepEqual(line(["--extcap-interfaces", "--extcap-version=4.0"]), {
    kind: "extcap",
    step: "interfaces",
    iface: undefined,
    captureFilter: undefined,
    fifo: undefined,
    filter: undefined,
    queue: undefined,
    mode: undefined,
    path: undefined,
    direction: undefined,
  });
  const c = line([
    ...["--capture", "--extcap-interface", "xskdump_eth0", "--extcap-capture-filter", "udp"],
    ...["--fifo", "/tmp/f", "--filter", "port 53", "--queue", "all", "--mode", "native"],
    ...["--path", "tap", "--direction", "in"],
  ]);
  assert.equal(c.kind, "extcap");
  if (c.kind === "extcap") {
    assert.deepEqual(
      [c.step, c.iface, c.captureFilter, c.fifo, c.filter, c.queue, c.mode, c.path, c.direction],
      ["capture", "xskdump_eth0", "udp", "/tmp/f", "port 53", "all", "native", "tap", "in"],
    );
  }
  const f = line(["--extcap-capture-filter", "udp", "--extcap-interface", "xskdump_lo"]);
  assert.equal(f.kind === "extcap" && f.step, "filter");
  assert.equal(
    line(["extcap", "--extcap-dlts", "--extcap-interface", "xskdump_lo"]).kind,
    "extcap",
  );
  assert.throws(() => line(["extcap"]), usage(/--extcap-interfaces/));
  // Elsewhere the words mean what they mean to a capture.
  assert.throws(() => line(["-i", "eth0", "--capture"]), usage(/unknown option/));
  for (const l of configLines()) assert.match(l, /^(arg|value) (\{[a-z]+=[^{}\n]*\})+$/, l);
});

Deno.test("extcap: Wireshark's options become the capture's flags, which parse", () => {
  const base = { kind: "extcap", step: "capture", iface: "xskdump_xc0", fifo: "/tmp/f" } as const;
  const head = ["-i", "xc0", "-w", "/tmp/f", "--format", "pcapng", "--quiet"];
  assert.deepEqual(captureLine(base), head);
  // What Wireshark passes with every option at its default: the capture's own defaults.
  const defaults = { ...base, queue: "", mode: "auto", path: "auto", direction: "inout" };
  assert.deepEqual(captureLine(defaults), [...head, "--mode", "auto"]);
  const tap = captureLine({ ...base, queue: "0,2", path: "tap", direction: "out", filter: "udp" });
  assert.deepEqual(tap, [...head, "--queue", "0,2", "--tap", "-Q", "out", "--", "udp"]);
  const t = captureArgs(tap).args;
  assert.ok(t.kind === "capture");
  assert.deepEqual([t.path, t.direction, t.queues], ["tap", "out", [0, 2]]);
  const d = captureArgs(captureLine({ ...base, path: "divert", direction: "inout" })).args;
  assert.ok(d.kind === "capture" && d.path === "divert");
  // Divert sees incoming packets only: asking it for outgoing ones is the capture's usage error.
  assert.throws(
    () => captureArgs(captureLine({ ...base, path: "divert", direction: "out" })),
    usage(/divert sees incoming packets only/),
  );
  assert.throws(() => captureLine({ ...base, path: "both" }), usage(/auto, tap or divert/));
});
