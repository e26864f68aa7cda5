// Malformed filter expressions (issue 9): thousands of random, grammar-built and mutated
// expressions through the filter compiler path (libpcap's pcap_compile in the shim, then the
// translation to eBPF; as root also the kernel's verifier and one run). No crash, no hang,
// and every refusal is one clear line that names and quotes the expression. The work runs in
// a child process (fuzz_filter_child.ts) watched by a deadline, so a crash or a hang in native
// code is reported with the input that caused it. Other malformed input, the pcap and pcapng
// readers, is fuzzed in pcap_test.ts and pcapng_test.ts (10 000 random and mutated files).
import assert from "node:assert/strict";

const child = new URL("./fuzz_filter_child.ts", import.meta.url).pathname;
const COUNT = 4000;
/** Longest a single expression may take (the slowest seen here is a few ms). */
const STALL_MS = 10_000;
const root = Deno.uid() === 0;

interface Result {
  lines: string[];
  findings: string[];
  summary?: {
    tally: Record<string, number>;
    slowest: { ms: number; expr: string };
    loaded: number;
    rejected: string[];
    rejectedCount: number;
  };
  code: number | null;
  signal: string | null;
  stalled?: string;
}

async function fuzz(seed: number, count: number): Promise<Result> {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", child, String(seed), String(count), root ? "kernel" : "no-kernel"],
    // A mutated address often reads as a host name, which libpcap resolves: one short try.
    env: { RES_OPTIONS: "timeout:1 attempts:1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let last = performance.now();
  let stalled: string | undefined;
  const watchdog = setInterval(() => {
    if (performance.now() - last > STALL_MS && !stalled) {
      stalled = lines.findLast((l) => l.startsWith("> ")) ?? "(before the first input)";
      proc.kill("SIGKILL");
    }
  }, 500);
  let partial = "";
  const dec = new TextDecoder();
  for await (const chunk of proc.stdout) {
    last = performance.now();
    const parts = (partial + dec.decode(chunk, { stream: true })).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  }
  const stderr = dec.decode(await new Response(proc.stderr).arrayBuffer());
  const status = await proc.status;
  clearInterval(watchdog);
  const summaryLine = lines.find((l) => l.startsWith("= "));
  if (!summaryLine && !stalled && status.code !== 0) lines.push(`stderr: ${stderr}`);
  return {
    lines,
    findings: lines.filter((l) => l.startsWith("! ")),
    summary: summaryLine ? JSON.parse(summaryLine.slice(2)) : undefined,
    code: status.code,
    signal: status.signal,
    stalled,
  };
}

Deno.test(`filter fuzz: ${COUNT} random and mutated expressions: no crash, no hang, one clear line`, async () => {
  const r = await fuzz(20261125, COUNT);
  const lastStarted = r.lines.findLast((l) => l.startsWith("> "));
  assert.equal(r.stalled, undefined, `no progress for ${STALL_MS} ms at input ${r.stalled}`);
  assert.ok(
    r.summary && r.code === 0,
    `the compiler process died (exit ${r.code}, signal ${r.signal}) at ${lastStarted}\n` +
      r.lines.slice(-3).join("\n"),
  );
  assert.deepEqual(r.findings, []);
  const t = r.summary.tally;
  const done = Object.values(t).reduce((a, b) => a + b, 0);
  assert.equal(done, COUNT);
  // The generator must reach both sides: plenty compile, plenty are refused.
  assert.ok((t.compiled ?? 0) > COUNT / 5, JSON.stringify(t));
  assert.ok((t.syntax ?? 0) > COUNT / 5, JSON.stringify(t));
  assert.equal(t.exception ?? 0, 0, JSON.stringify(t));
  if (root) {
    // Whatever libpcap compiles and we translate, the kernel must accept (protochain aside).
    assert.deepEqual(r.summary.rejected, [], `${r.summary.rejectedCount} refused by the verifier`);
    assert.ok(r.summary.loaded > t.compiled * 0.8, `${r.summary.loaded} of ${t.compiled} loaded`);
  }
  console.log(
    `  ${JSON.stringify(t)}; ${root ? `${r.summary.loaded} loaded and run in the kernel; ` : ""}` +
      `slowest ${r.summary.slowest.ms.toFixed(0)} ms`,
  );
});
