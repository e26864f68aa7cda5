// Which expression a capture installs: the SSH pass rule (built from SSH_CONNECTION and checked
// with libpcap on crafted frames of the session, both directions, IPv4 and IPv6), the user's
// expression from arguments or -F, and the CLI's answers to bad input.

import assert from "node:assert/strict";
import { pcapCompile, pcapMatch } from "../../ffi/filter.ts";
import { parseArgs, UsageError } from "../../cli/args.ts";
import { dumpFilter, isFilterUsageError, planFilter } from "../../cli/filter.ts";
import { FilterError } from "../../lib/capture/filter.ts";
import {
  combineFilter,
  filterFromFile,
  SshConnectionError,
  sshRule,
} from "../../lib/filter/expression.ts";
import { tcpFrame } from "./filter_cases.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;

Deno.test("sshRule: reads SSH_CONNECTION into a rule for both directions", () => {
  const r = sshRule("10.0.0.1 50000 10.0.0.2 22")!;
  assert.equal(
    r.expression,
    "not (tcp and ((src host 10.0.0.1 and src port 50000 and dst host 10.0.0.2 and dst port 22)" +
      " or (src host 10.0.0.2 and src port 22 and dst host 10.0.0.1 and dst port 50000)))",
  );
  assert.equal(r.description, "10.0.0.1:50000 <-> 10.0.0.2:22");
  const v6 = sshRule("fe80::1%eth0 40000 2001:DB8::2 2222")!;
  assert.equal(v6.client.addr, "fe80::1", "zone id stripped");
  assert.equal(v6.server.addr, "2001:db8::2");
  assert.equal(v6.description, "[fe80::1]:40000 <-> [2001:db8::2]:2222");
  const mapped = sshRule("::ffff:192.0.2.7 1234 ::ffff:192.0.2.1 22")!;
  assert.equal(mapped.client.addr, "192.0.2.7", "IPv4-mapped IPv6 as IPv4");
  assert.equal(mapped.server.addr, "192.0.2.1");
  assert.equal(sshRule(undefined), undefined);
  assert.equal(sshRule("  "), undefined);
});

Deno.test("sshRule: refuses what it cannot read rather than guess", () => {
  for (
    const bad of [
      "10.0.0.1 50000 10.0.0.2",
      "10.0.0.1 50000 10.0.0.2 22 extra",
      "10.0.0.1 0 10.0.0.2 22",
      "10.0.0.1 50000 10.0.0.2 65536",
      "10.0.0.256 50000 10.0.0.2 22",
      "10.0.0.1 50000 host.example 22",
      "1:2:3:4:5:6:7:8:9 1 ::1 22",
      "10.0.0.1 5x 10.0.0.2 22",
      "10.0.0.1 50000 10.0.0.2 22; tcp",
    ]
  ) {
    assert.throws(() => sshRule(bad), SshConnectionError, bad);
  }
});

Deno.test("sshRule: libpcap passes the session's packets, both ways, and nothing else", () => {
  for (
    const [conn, c, s] of [
      ["10.0.0.1 50000 10.0.0.2 22", "10.0.0.1", "10.0.0.2"],
      ["2001:db8::1 50000 2001:db8::2 22", "2001:db8::1", "2001:db8::2"],
    ] as const
  ) {
    const rule = sshRule(conn)!;
    for (const user of [undefined, "tcp", "tcp port 22", "vlan or tcp"]) {
      const expr = combineFilter(user, rule)!;
      const prog = pcapCompile(expr, 262144);
      const verdict = (f: Uint8Array<ArrayBuffer>) => pcapMatch(prog, f) !== 0;
      assert.equal(verdict(tcpFrame(c, 50000, s, 22)), false, `${expr}: client to server`);
      assert.equal(verdict(tcpFrame(s, 22, c, 50000)), false, `${expr}: server to client`);
      const userProg = user ? pcapCompile(user, 262144) : undefined;
      for (
        const other of [
          tcpFrame(c, 50001, s, 22), // another connection from the same client
          tcpFrame(c, 50000, s, 23),
          tcpFrame(s, 50000, c, 22), // the ports the other way round
          tcpFrame(c, 22, s, 50000),
          tcpFrame(c, 50000, s, 22, 17), // UDP
        ]
      ) {
        const want = userProg ? pcapMatch(userProg, other) !== 0 : true;
        assert.equal(verdict(other), want, `${expr} on another flow`);
      }
    }
  }
});

Deno.test("combineFilter: the rule goes first; the user's part stays whole", () => {
  const rule = sshRule("10.0.0.1 50000 10.0.0.2 22")!;
  assert.equal(combineFilter(undefined, undefined), undefined);
  assert.equal(combineFilter("  ", undefined), undefined);
  assert.equal(combineFilter(" udp ", undefined), "udp");
  assert.equal(combineFilter(undefined, rule), rule.expression);
  assert.equal(combineFilter("vlan and udp", rule), `${rule.expression} and (vlan and udp)`);
  assert.throws(() => combineFilter("tcp) or (tcp", rule), /unbalanced parentheses/);
  assert.throws(() => combineFilter("(tcp", rule), /unbalanced parentheses/);
});

Deno.test("filterFromFile: tcpdump's -F reading, # comments to the end of the line", () => {
  assert.equal(filterFromFile("udp # DNS only\n  and port 53\n\n# done\n"), "udp and port 53");
  assert.equal(filterFromFile(""), "");
});

Deno.test("planFilter: user expression, SSH rule, --capture-ssh", () => {
  const conn = "10.0.0.1 50000 10.0.0.2 22";
  const rule = sshRule(conn)!;
  assert.deepEqual(planFilter({ captureSsh: false }, () => undefined), {
    expression: undefined,
    ssh: undefined,
  });
  assert.equal(
    planFilter({ expression: "udp", captureSsh: false }, () => conn).expression,
    `${rule.expression} and (udp)`,
  );
  assert.deepEqual(planFilter({ expression: "udp", captureSsh: true }, () => conn), {
    expression: "udp",
    ssh: undefined,
  });
  assert.throws(
    () => planFilter({ expression: "tcp) or (tcp", captureSsh: false }, () => conn),
    (e: unknown) => e instanceof FilterError && e.kind === "syntax",
  );
  assert.throws(
    () => planFilter({ captureSsh: false }, () => "nonsense"),
    (e: unknown) => e instanceof UsageError && /--capture-ssh/.test(e.message),
  );
});

Deno.test("parseArgs: trailing arguments and -F give the expression; -d needs no interface", () => {
  const a = parseArgs(["-i", "eth0", "tcp", "port", "80", "-c", "5"]);
  assert.equal(a.kind, "capture");
  if (a.kind === "capture") {
    assert.equal(a.expression, "tcp port 80");
    assert.equal(a.count, 5);
    assert.equal(a.captureSsh, false);
  }
  const none = parseArgs(["-i", "eth0"]);
  if (none.kind === "capture") assert.equal(none.expression, undefined);
  const d = parseArgs(["-d", "udp", "--capture-ssh", "-s", "96"]);
  assert.deepEqual(d, { kind: "dump", level: 1, expression: "udp", captureSsh: true, snaplen: 96 });
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/f`, "# web\ntcp port 80 # or\n or tcp port 443\n");
    const f = parseArgs(["-i", "eth0", "-F", `${dir}/f`]);
    if (f.kind === "capture") assert.equal(f.expression, "tcp port 80 or tcp port 443");
    assert.throws(
      () => parseArgs(["-i", "eth0", "-F", `${dir}/f`, "udp"]),
      /give one or the other/,
    );
    assert.throws(() => parseArgs(["-i", "eth0", "-F", `${dir}/none`]), UsageError);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("isFilterUsageError: a syntax error is the user's (exit 2), a refusal is not (exit 1)", () => {
  assert.equal(isFilterUsageError(new FilterError("syntax", "x", "m")), true);
  assert.equal(isFilterUsageError(new FilterError("rejected", "x", "m")), false);
  assert.equal(isFilterUsageError(new FilterError("unsupported", "x", "m")), false);
  assert.equal(isFilterUsageError(new Error("x")), false);
});

Deno.test("dumpFilter: the installed program, SSH rule included", () => {
  const plain = dumpFilter({ expression: "udp", captureSsh: true }, 262144);
  assert.equal(plain.at(-2), "(010) ret      #262144");
  const all = dumpFilter({ captureSsh: true }, 100);
  assert.deepEqual(all, ["(000) ret      #100"]);
});

async function hasTcpdump(): Promise<boolean> {
  return (await new Deno.Command("sh", { args: ["-c", "command -v tcpdump"] }).output()).success;
}

/** Runs the CLI; SSH_CONNECTION is empty unless given (these tests may run over SSH). */
async function runCli(args: string[], env: Record<string, string> = {}) {
  env = { SSH_CONNECTION: "", ...env };
  const out = await new Deno.Command(bin, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("bin/xskdump: a bad expression is one line naming it, exit 2, nothing attached", async () => {
  // `lo` exists everywhere: the error must come before any attach is tried.
  const r = await runCli(["-i", "lo", "tcp", "prot", "80"]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^xskdump: filter 'tcp prot 80': .*syntax error$/);
});

Deno.test("bin/xskdump: an unreadable SSH_CONNECTION stops the capture before it starts", async () => {
  const r = await runCli(["-i", "lo", "udp"], { SSH_CONNECTION: "10.0.0.1 22" });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^xskdump: SSH_CONNECTION '10\.0\.0\.1 22' .*--capture-ssh/);
});

Deno.test("bin/xskdump -d: lists the program like tcpdump -d", async () => {
  const r = await runCli(["-d", "tcp", "port", "80"]);
  assert.equal(r.code, 0, r.stderr);
  if (!(await hasTcpdump())) {
    console.log("  tcpdump not installed: only the exit code checked");
    return;
  }
  const t = await new Deno.Command("tcpdump", { args: ["-d", "tcp port 80"], stderr: "null" })
    .output();
  assert.equal(r.stdout, new TextDecoder().decode(t.stdout));
  const ssh = await runCli(["-d", "tcp"], { SSH_CONNECTION: "10.0.0.1 50000 10.0.0.2 22" });
  assert.ok(ssh.stdout.split("\n").length > r.stdout.split("\n").length, "rule included");
});

Deno.test("bin/xskdump -dd, -ddd: the program as a C fragment and in decimal, like tcpdump's", async () => {
  for (const flag of ["-dd", "-ddd"]) {
    const r = await runCli([flag, "-s", "1500", "tcp", "port", "80", "or", "icmp"]);
    assert.equal(r.code, 0, r.stderr);
    if (!(await hasTcpdump())) {
      console.log(`  tcpdump not installed: ${flag}'s exit code and form checked`);
      assert.match(r.stdout, flag === "-dd" ? /^\{ 0x28, 0, 0, 0x0000000c \},$/m : /^40 0 0 12$/m);
      continue;
    }
    const t = await new Deno.Command("tcpdump", {
      args: [flag, "-s", "1500", "tcp port 80 or icmp"],
      stderr: "null",
    }).output();
    assert.equal(r.stdout, new TextDecoder().decode(t.stdout), flag);
  }
});
