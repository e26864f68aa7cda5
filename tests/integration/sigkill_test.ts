// kill -9 must not leave the interface broken: the XDP program is attached through a BPF
// link, so the kernel detaches it when the process dies, and traffic reaches the host stack
// again without anyone running `xskdump restore`.

import assert from "node:assert/strict";
import {
  addAddress,
  capturerKind,
  isRoot,
  type Mode,
  stackReachable,
  startCapturer,
  withCapture,
  withPairAndDir,
  xdpAttached,
  xdpModes,
} from "../../testbed/mod.ts";

const MODES: Mode[] = ["native", "generic"];
// These addresses exist only inside the test namespaces.
const CAPTURE_ADDR = "10.199.0.1";
const SENDER_ADDR = "10.199.0.2";

const skipReason = !isRoot
  ? "needs root (network namespaces, veth, XDP)"
  : capturerKind === "tcpdump"
  ? "XSKDUMP_CAPTURER=tcpdump attaches no XDP program, so there is nothing to leave behind"
  : undefined;
if (skipReason) console.log(`sigkill: skipped, ${skipReason}`);

for (const mode of MODES) {
  Deno.test({
    name: `sigkill: kill -9 leaves no XDP program and the stack reachable (${mode})`,
    ignore: skipReason !== undefined,
    async fn() {
      await withPairAndDir("xskt-out-", async (pair, outDir) => {
        await addAddress(pair.captureNs, pair.captureIf, `${CAPTURE_ADDR}/24`);
        await addAddress(pair.senderNs, pair.senderIf, `${SENDER_ADDR}/24`);
        // A count that is never reached: only the kill ends this capture.
        const start = startCapturer(pair, mode, `${outDir}/capture.pcap`, 1_000_000_000);
        await withCapture(start, async (cap) => {
          // Ready means attached (the line comes after the attach and the sockets).
          const modes = await xdpModes(pair.captureNs, pair.captureIf);
          assert.ok(modes.includes(mode), `asked for ${mode}, xc0 has XDP ${modes}`);
          const status = await cap.interrupt("SIGKILL");
          assert.equal(status.signal, "SIGKILL", `capturer ended otherwise:\n${cap.stderr()}`);
        });
        // The dead process's files (the link fd among them) are released before its parent
        // learns of the exit, so the program must be gone already: no polling.
        assert.equal(
          await xdpAttached(pair.captureNs, pair.captureIf),
          false,
          `XDP program still on xc0 after kill -9: ${await xdpModes(
            pair.captureNs,
            pair.captureIf,
          )}`,
        );
        const probe = await stackReachable(pair, CAPTURE_ADDR);
        assert.ok(probe.reached, `xc0's stack does not answer after kill -9: ${probe.outcomes}`);
      });
    },
  });
}
