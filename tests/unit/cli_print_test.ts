/**
 * The flags that shape text lines as tcpdump's do: -S, -t to -ttttt, --nano, --micro and
 * --time-stamp-precision, -A, -q, -#, -vv, -vvv, -N, -p, -l, -U; and --count, -D and -L. Parsed
 * into print options, and run through bin/xskdump -r on corpus files (a microsecond pcap with a
 * TCP conversation, a nanosecond and a microsecond pcapng, ARP, ICMP, TCP with options) beside
 * tcpdump -r with the same flags: the whole output must be the same. -l and -U are held to what
 * they promise too: a write per packet (system calls counted with strace).
 */
import assert from "node:assert/strict";
import { parseArgs } from "../../cli/args.ts";
import { straceWrites } from "../../testbed/outputs.ts";
import { CORPUS, haveTcpdump499 } from "./tcpdump_run.ts";

const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
const TCPDUMP = haveTcpdump499();
const FILES = ["ssh.pcap", "icmp-length-zero.pcapng", "bgp-extended-msg.pcapng"].map((n) =>
  `${CORPUS}/${n}`
);
const HAVE_FILES = FILES.every((f) => {
  try {
    return Deno.statSync(f).isFile;
  } catch {
    return false;
  }
});
if (!TCPDUMP || !HAVE_FILES) {
  console.log("cli_print_test: tcpdump 4.99 or the corpus is missing; -r comparisons skipped");
}

function print(argv: string[]) {
  const a = parseArgs(["-r", "f.pcap", ...argv]);
  if (a.kind !== "read") throw new Error(`expected a read, got ${a.kind}`);
  return a.print;
}

Deno.test("parseArgs: -S, -t to -ttttt and the precision flags become print options", () => {
  assert.deepEqual(
    [print([]).absoluteSeq, print([]).timestamps, print([]).precision],
    [false, "time", "micro"],
  );
  assert.equal(print(["-S"]).absoluteSeq, true);
  assert.equal(print(["--absolute-tcp-sequence-numbers"]).absoluteSeq, true);
  const formats = ["none", "epoch", "delta", "date", "elapsed"];
  formats.forEach((f, i) => {
    assert.equal(print(["-" + "t".repeat(i + 1)]).timestamps, f);
    // Repeated one at a time, as tcpdump counts them.
    assert.equal(print(Array(i + 1).fill("-t")).timestamps, f);
  });
  assert.equal(print(["-nStttt"]).timestamps, "date");
  assert.throws(() => print(["-tttttt"]), /only -t, -tt, -ttt, -tttt and -ttttt are supported/);
  assert.equal(print(["--nano"]).precision, "nano");
  assert.equal(print(["--time-stamp-precision=nano"]).precision, "nano");
  assert.equal(print(["--time-stamp-precision", "micro"]).precision, "micro");
  // The last one given wins, as in tcpdump.
  assert.equal(print(["--nano", "--micro"]).precision, "micro");
  assert.equal(print(["--micro", "--time-stamp-precision", "nano"]).precision, "nano");
  assert.throws(() => print(["--time-stamp-precision=pico"]), /pico/);
  const live = parseArgs(["-i", "eth0", "-S", "-ttt", "--nano"]);
  if (live.kind !== "capture") throw new Error("expected a capture");
  assert.deepEqual(
    [live.print.absoluteSeq, live.print.timestamps, live.print.precision],
    [true, "delta", "nano"],
  );
});

async function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string }> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

const FLAG_SETS = [
  [],
  ["-S"],
  ["-t"],
  ["-tt"],
  ["-ttt"],
  ["-tttt"],
  ["-ttttt"],
  ["--nano"],
  ["-tt", "--time-stamp-precision=nano"],
  ["-ttt", "--nano", "--micro"],
  ["-e", "-S", "-ttttt", "--nano"],
];

/** Files whose lines tcpdump prints at default flags as xskdump does (but for app payloads). */
const MORE = ["arp-oobr.pcap", "tfo-5c1fa7f9ae91.pcap", "icmp-rfc8335.pcap", "mptcp-fclose.pcap"]
  .map((n) => `${CORPUS}/${n}`);
/** Protocols whose printers say less at -q (tcpdump's "DCCP N", "igmp"). */
const QUIET_PRINTERS = [
  "dccp_partial_csum_v4_longer.pcap",
  "dccp_partial_csum_v6_longer.pcap",
  "igmpv3-queries.pcap",
  "mtrace.pcap",
].map((n) => `${CORPUS}/${n}`);
/** Files without TCP, UDP or ICMPv6 options, whose -vv and -vvv lines xskdump prints as tcpdump. */
const NO_TRANSPORT = ["arp-oobr.pcap", "icmp-rfc8335.pcap"].map((n) => `${CORPUS}/${n}`);

const ISSUE_19_SETS: [string[], string[]][] = [
  [["-A"], [...FILES, ...MORE]],
  [["-AA"], [...FILES, ...MORE]],
  [["-A", "-x"], FILES],
  [["-q"], [...FILES, ...MORE, ...QUIET_PRINTERS]],
  [["-qq"], [...FILES, ...MORE, ...QUIET_PRINTERS]],
  [["-q", "-e"], [...FILES, ...MORE]],
  [["-q", "-A"], [...FILES, ...MORE]],
  [["-q", "-v"], [...FILES, ...MORE]],
  [["-#"], [...FILES, ...MORE]],
  [["-#", "-X", "-tttt"], FILES],
  [["--number", "-e", "-q"], MORE],
  [["-vv"], NO_TRANSPORT],
  [["-vvv", "-e"], NO_TRANSPORT],
  [["-N"], FILES],
  [["-p"], FILES],
  [["-Q", "in"], FILES],
  [["--immediate-mode"], FILES],
  [["-l"], [...FILES, ...MORE]],
  [["-U"], FILES],
];

for (
  const [flags, files] of [
    ...FLAG_SETS.map((f): [string[], string[]] => [f, FILES]),
    ...ISSUE_19_SETS,
  ]
) {
  Deno.test({
    name: `bin/xskdump -r ${flags.join(" ") || "(default flags)"}: the same lines as tcpdump -n -r`,
    ignore: !TCPDUMP || !HAVE_FILES,
    async fn() {
      for (const f of files) {
        const ours = await run(bin, ["-n", ...flags, "-r", f]);
        const theirs = await run("tcpdump", ["-n", ...flags, "-r", f]);
        assert.equal(ours.code, 0);
        assert.equal(theirs.code, 0);
        assert.ok(theirs.stdout.length > 0);
        // Every line whole, the application's text included.
        assert.deepEqual(ours.stdout.split("\n"), theirs.stdout.split("\n"), f);
      }
    },
  });
}

Deno.test({
  name:
    "bin/xskdump -r --count: tcpdump's count line on stdout, nothing else (with -c and a filter)",
  ignore: !TCPDUMP || !HAVE_FILES,
  async fn() {
    for (
      const extra of [[], ["-c", "3"], ["icmp"], ["-c", "1", "tcp"], ["host 192.0.2.99"], ["-q"]]
    ) {
      for (const f of [...FILES, ...MORE]) {
        const ours = await run(bin, ["--count", "-r", f, ...extra]);
        const theirs = await run("tcpdump", ["--count", "-r", f, ...extra]);
        assert.equal(ours.code, theirs.code, `${f} ${extra.join(" ")}`);
        assert.match(ours.stdout, /^\d+ packets?\n$/);
        assert.equal(ours.stdout, theirs.stdout, `${f} ${extra.join(" ")}`);
      }
    }
    // With -w the file is written too, and the count printed.
    const dir = await Deno.makeTempDir();
    try {
      const ours = await run(bin, ["--count", "-r", FILES[0], "-w", `${dir}/c.pcap`]);
      const theirs = await run("tcpdump", ["--count", "-r", FILES[0], "-w", `${dir}/t.pcap`]);
      assert.equal(ours.stdout, theirs.stdout);
      const n = (p: string) => run("tcpdump", ["--count", "-r", p]).then((r) => r.stdout);
      assert.equal(await n(`${dir}/c.pcap`), theirs.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "bin/xskdump --count on a cut file: the packets before the damage, then the error, exit 1",
  ignore: !TCPDUMP || !HAVE_FILES,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const cut = `${dir}/cut.pcap`;
      await Deno.writeFile(cut, (await Deno.readFile(FILES[0])).subarray(0, 2000));
      const ours = await run(bin, ["--count", "-r", cut]);
      const theirs = await run("tcpdump", ["--count", "-r", cut]);
      assert.equal(ours.code, 1);
      assert.equal(theirs.code, 1);
      assert.equal(ours.stdout, theirs.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function runErr(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test({
  name: "bin/xskdump -D: tcpdump -D's line for every interface it lists, then its XDP support",
  ignore: !TCPDUMP,
  async fn() {
    const ours = await runErr(bin, ["-D"]);
    const theirs = await runErr("tcpdump", ["-D"]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stderr, "");
    // tcpdump's text without its number, by interface name.
    const tcpdumpLine = new Map(
      theirs.stdout.split("\n").filter(Boolean).map((l) => {
        const text = l.replace(/^\d+\./, "");
        return [text.split(" ")[0], text];
      }),
    );
    const ourLines = ours.stdout.split("\n").filter(Boolean);
    assert.ok(ourLines.length > 0 && ourLines.length <= tcpdumpLine.size);
    const order = [...tcpdumpLine.keys()];
    let last = -1;
    ourLines.forEach((l, i) => {
      const m =
        /^(\d+)\.(\S+)(.*), (native XDP(, zero-copy)?|generic XDP only|XDP support unknown)(, \d+ RX queues?)?$/
          .exec(l);
      assert.ok(m, l);
      assert.equal(Number(m[1]), i + 1, l);
      assert.equal(`${m[2]}${m[3]}`, tcpdumpLine.get(m[2]), l);
      // In tcpdump's order (without its pseudo-devices).
      assert.ok(order.indexOf(m[2]) > last, l);
      last = order.indexOf(m[2]);
    });
    // Every network interface of this namespace (those with an address, which Deno lists), and
    // none of tcpdump's pseudo-devices.
    const names = ourLines.map((l) => l.replace(/^\d+\.(\S+).*$/, "$1"));
    for (const i of Deno.networkInterfaces()) assert.ok(names.includes(i.name), i.name);
    assert.ok(!names.includes("any") && !names.includes("nflog"), names.join(" "));
  },
});

Deno.test({
  name: "bin/xskdump -L -i lo: tcpdump's lines on stderr, EN10MB only; -L for no interface: exit 2",
  ignore: !TCPDUMP,
  async fn() {
    const ours = await runErr(bin, ["-L", "-i", "lo"]);
    const theirs = await runErr("tcpdump", ["-L", "-i", "lo"]);
    assert.equal(ours.code, 0);
    assert.equal(ours.stdout, "");
    assert.equal(ours.stderr, theirs.stderr);
    assert.equal(
      ours.stderr,
      "Data link types for lo (use option -y to set):\n  EN10MB (Ethernet)\n",
    );
    const none = await runErr(bin, ["-L", "-i", "xsknosuch0"]);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, "xskdump: xsknosuch0: no such interface (see -D)\n");
  },
});

/** Whether strace can count a child's system calls here. */
const STRACE = (() => {
  try {
    return new Deno.Command("strace", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();
if (!STRACE) console.log("cli_print_test: strace is missing; the -l/-U write counts are skipped");

/** The write(2) calls of bin/xskdump `args` to the file whose path ends in `target` (strace -y). */
async function writesTo(args: string[], target: RegExp, dir: string): Promise<number> {
  const log = `${dir}/strace.log`;
  const r = await run("strace", ["-f", "-qq", "-y", "-e", "trace=write", "-o", log, bin, ...args]);
  assert.equal(r.code, 0);
  return straceWrites(await Deno.readTextFile(log), target);
}

Deno.test({
  name: "bin/xskdump -r -l / -U: a write per packet to stdout and to the -w file (strace)",
  ignore: !STRACE || !HAVE_FILES,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const f = `${CORPUS}/arp-oobr.pcap`;
      const packets = Number((await run(bin, ["--count", "-r", f])).stdout.split(" ")[0]);
      assert.ok(packets > 100);
      // stdout (a pipe): without -l or -U the lines go out in large writes.
      const lines = (flags: string[]) => writesTo(["-n", ...flags, "-r", f], /^pipe:/, dir);
      const buffered = await lines([]);
      const lined = await lines(["-l"]);
      const packetBuffered = await lines(["-U"]);
      assert.ok(buffered < 10, `${buffered} writes without -l`);
      assert.ok(lined >= packets, `${lined} writes with -l for ${packets} packets`);
      assert.ok(packetBuffered >= packets, `${packetBuffered} writes with -U`);
      const fileWrites = await writesTo(["-U", "-r", f, "-w", `${dir}/u.pcap`], /u\.pcap$/, dir);
      assert.ok(fileWrites >= packets, `${fileWrites} writes to the -U file for ${packets}`);
      const fileBuffered = await writesTo(["-r", f, "-w", `${dir}/b.pcap`], /b\.pcap$/, dir);
      assert.ok(fileBuffered < 10, `${fileBuffered} writes to the file without -U`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
