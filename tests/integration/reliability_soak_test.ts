// The soak of tests/soak.ts, 30 s of it in CI (`make soak` runs 600 s, outside CI): trafgen at
// full speed into xskdump, which must not crash, must keep its RSS bounded, and must account for
// every frame trafgen sent. XSKDUMP_SOAK_SECONDS sets another duration.
import assert from "node:assert/strict";
import { rootOnly } from "../../testbed/mod.ts";
import { describeSoak, soak } from "../soak.ts";

const ignore = rootOnly("reliability_soak");
const seconds = Number(Deno.env.get("XSKDUMP_SOAK_SECONDS") ?? 30);

Deno.test({
  name: `soak: ${seconds} s of trafgen at full speed: no crash, RSS bounded, counters add up`,
  ignore,
  async fn() {
    const report = await soak({ seconds, mode: "native", cpus: 1 });
    console.log(describeSoak(report).replace(/^/gm, "  "));
    assert.deepEqual(report.failures, []);
    assert.equal(report.exit.code, 0);
    assert.ok(report.offeredPps > 50_000, `offered only ${report.offeredPps} pps`);
  },
});
