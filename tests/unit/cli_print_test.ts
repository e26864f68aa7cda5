/**
 * The flags that shape text lines as tcpdump's do: -S, -t to -ttttt, --nano, --micro and
 * --time-stamp-precision. Parsed into print options, and run through bin/xskdump -r on corpus
 * files (a microsecond pcap with a TCP conversation, a nanosecond and a microsecond pcapng) beside
 * tcpdump -r with the same flags: the whole output must be the same.
 */
import assert from "node:assert/strict";
import { parseArgs } from "../../cli/args.ts";
import { CORPUS, haveTcpdump499 } from "./tcpdump_diff.ts";

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

for (const flags of FLAG_SETS) {
  Deno.test({
    name: `bin/xskdump -r ${flags.join(" ") || "(default flags)"}: the same lines as tcpdump -n -r`,
    ignore: !TCPDUMP || !HAVE_FILES,
    async fn() {
      for (const f of FILES) {
        const ours = await run(bin, ["-n", ...flags, "-r", f]);
        const theirs = await run("tcpdump", ["-n", ...flags, "-r", f]);
        assert.equal(ours.code, 0);
        assert.equal(theirs.code, 0);
        assert.ok(theirs.stdout.length > 0);
        // Only the TCP lines of these files are decoded the same; BGP payloads are not yet.
        const lines = (s: string) =>
          s.split("\n").filter((l) => l !== "").map((l) => l.replace(/(, length \d+):.*$/, "$1"));
        assert.deepEqual(lines(ours.stdout), lines(theirs.stdout), f);
      }
    },
  });
}
