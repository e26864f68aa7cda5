// The application decoders (DNS, AFS, ISAKMP, DHCP, NTP, overlays, RADIUS, SNMP, text
// protocols...) on mutated corpus frames at every verbosity, with and without -e: never an
// exception out of a printer, never a hang. The work runs in a child process
// (decode_app_fuzz_child.ts) under a deadline, so a hang is reported rather than waited on.
import assert from "node:assert/strict";
import { corpusFiles } from "./helpers.ts";

const child = new URL("./decode_app_fuzz_child.ts", import.meta.url).pathname;
const haveCorpus = corpusFiles().length > 0;
if (!haveCorpus) console.log("decode_app_fuzz: corpus not found; skipped");

Deno.test({
  name: "application decoders: 20000 mutated frames at -v0..-vvv, -e, -x: no exception, no hang",
  ignore: !haveCorpus,
  async fn() {
    const proc = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", child, "7", "20000"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // A hang is a failure: the whole run takes a few seconds here.
    const timer = setTimeout(() => proc.kill("SIGKILL"), 240_000);
    const out = await proc.output();
    clearTimeout(timer);
    const text = new TextDecoder().decode(out.stdout);
    const findings = text.split("\n").filter((l) => l.startsWith("! "));
    const summary = text.split("\n").find((l) => l.startsWith("= "));
    assert.ok(
      out.success,
      `child failed (${out.code} ${out.signal}): ${new TextDecoder().decode(out.stderr)}`,
    );
    assert.ok(summary, "no summary: the child did not finish");
    const s = JSON.parse(summary.slice(2));
    console.log("  ", s);
    assert.deepEqual(findings.slice(0, 5), []);
    assert.ok(s.frames > 1000, `${s.frames} corpus frames of the family`);
    assert.ok(s.slowestMs < 2000, `slowest frame ${s.slowestMs} ms`);
  },
});
