// The SSH session xskdump runs under is never captured: with SSH_CONNECTION naming a flow
// between the two test addresses, replayed packets of that flow (both directions) are not
// captured and reach the stack (a tcpdump on the same interface sees exactly them), while the
// other traffic between the same hosts is captured. With --capture-ssh everything is captured.
// In tap mode too (where everything reaches the stack): the session is left out of the file.

import assert from "node:assert/strict";
import { tcpFrame } from "../unit/filter_cases.ts";
import { padded } from "./craft.ts";
import {
  asFrames,
  capturesWhile,
  captureWhile,
  firstMismatch,
  framesOf,
  leftoverNamespaces,
  replay,
  rootOnly,
  startTcpdump,
  startXskdump,
  tcpdumpRingFor,
  withVethPair,
  writePcap,
  xdpAttached,
} from "../../testbed/mod.ts";

const CLIENT = "10.77.0.2"; // the sender side plays the SSH client
const SERVER = "10.77.0.1"; // the capture side is the host xskdump runs on
const SSH_CONNECTION = `${CLIENT} 50022 ${SERVER} 22`;

const ignore = rootOnly("filter_ssh");

/** The session's frames both ways, interleaved with other flows between the same hosts. */
function traffic(): { all: Uint8Array[]; session: boolean[] } {
  const all: Uint8Array[] = [];
  const session: boolean[] = [];
  for (let i = 0; i < 40; i++) {
    const [frame, mine] = [
      [tcpFrame(CLIENT, 50022, SERVER, 22), true],
      [tcpFrame(SERVER, 22, CLIENT, 50022), true],
      [tcpFrame(CLIENT, 50023, SERVER, 22), false], // a second SSH connection: not ours
      [tcpFrame(CLIENT, 50022, SERVER, 80), false],
      [tcpFrame(SERVER, 50022, CLIENT, 22), false], // our ports, the other way round
      [tcpFrame(CLIENT, 50022, SERVER, 22, 17), false], // UDP
    ][i % 6] as [Uint8Array<ArrayBuffer>, boolean];
    frame[frame.length - 1] = i; // tell them apart in a mismatch
    all.push(padded(frame, 60)); // the stack would pad shorter ones
    session.push(mine);
  }
  return { all, session };
}

Deno.test({
  name: "filter_ssh: the SSH session's packets are not captured and reach the stack",
  ignore,
  async fn() {
    const { all, session } = traffic();
    const ours = all.filter((_, i) => session[i]);
    const others = all.filter((_, i) => !session[i]);
    const longest = Math.max(...all.map((f) => f.length));
    const dir = await Deno.makeTempDir({ prefix: "xskt-ssh-" });
    let ok = false;
    try {
      writePcap(`${dir}/traffic.pcap`, all);
      await withVethPair(async (pair) => {
        // 1. Under "SSH": the session stays out, the rest (with a filter that matches all of
        //    it, and the session too) is captured.
        const env = { SSH_CONNECTION };
        const args = ["-w", `${dir}/captured.pcap`, "-c", String(others.length), "tcp or udp"];
        const [{ cap: xsk, status: xs }, { cap: tcpdump, status: ts }] = await capturesWhile(
          [
            startXskdump(pair, args, { env }),
            startTcpdump(
              pair,
              `${dir}/stack.pcap`,
              ours.length,
              tcpdumpRingFor(ours.length, longest),
            ),
          ],
          async () => {
            const sent = await replay(pair, `${dir}/traffic.pcap`, 1000);
            assert.equal(sent.sent, all.length, sent.output);
          },
        );
        assert.match(
          xsk.readyLine,
          new RegExp(
            `, ssh session excluded \\(${CLIENT.replaceAll(".", "\\.")}:50022 <-> ` +
              `${SERVER.replaceAll(".", "\\.")}:22\\)$`,
          ),
        );
        assert.equal(xs.code, 0, xsk.stderr());
        assert.equal(ts.code, 0, tcpdump.stderr());
        const m1 = firstMismatch(asFrames(others), framesOf(`${dir}/captured.pcap`));
        if (m1) assert.fail(`captured: ${m1}\n${xsk.stderr()}`);
        const m2 = firstMismatch(asFrames(ours), framesOf(`${dir}/stack.pcap`));
        if (m2) assert.fail(`reached the stack: ${m2}`);
        assert.equal(await xdpAttached(pair.captureNs, pair.captureIf), false);

        // 2. --capture-ssh: everything is captured, and the startup line says nothing of SSH.
        const args2 = ["-w", `${dir}/everything.pcap`, "-c", String(all.length), "--capture-ssh"];
        const { cap: all2, status } = await captureWhile(
          startXskdump(pair, args2, { env }),
          () => replay(pair, `${dir}/traffic.pcap`, 1000),
        );
        assert.doesNotMatch(all2.readyLine, /ssh/);
        assert.equal(status.code, 0, all2.stderr());
        const m3 = firstMismatch(asFrames(all), framesOf(`${dir}/everything.pcap`));
        if (m3) assert.fail(`--capture-ssh: ${m3}\n${all2.stderr()}`);

        // 3. Tap: the same rule, on both directions' filter; the stack gets everything.
        const args3 = ["--tap", "-w", `${dir}/tap.pcap`, "-c", String(others.length), "tcp or udp"];
        const [{ cap: tap, status: s3 }, { cap: tapStack, status: s4 }] = await capturesWhile(
          [
            startXskdump(pair, args3, { env }),
            startTcpdump(
              pair,
              `${dir}/tap-stack.pcap`,
              all.length,
              tcpdumpRingFor(all.length, longest),
            ),
          ],
          () => replay(pair, `${dir}/traffic.pcap`, 1000),
        );
        assert.match(
          tap.readyLine,
          /^listening on xc0, tap in and out .*, ssh session excluded \(/,
        );
        assert.equal(s3.code, 0, tap.stderr());
        assert.equal(s4.code, 0, tapStack.stderr());
        const m4 = firstMismatch(asFrames(others), framesOf(`${dir}/tap.pcap`));
        if (m4) assert.fail(`tap: ${m4}\n${tap.stderr()}`);
        const m5 = firstMismatch(asFrames(all), framesOf(`${dir}/tap-stack.pcap`));
        if (m5) assert.fail(`tap, at the stack: ${m5}`);
        console.log(
          `  session excluded: ${others.length} captured, ${ours.length} session frames ` +
            `reached the stack; --capture-ssh: all ${all.length} captured; tap: the session ` +
            `left out, all ${all.length} at the stack`,
        );
      });
      assert.deepEqual(await leftoverNamespaces(), []);
      ok = true;
    } finally {
      if (ok) await Deno.remove(dir, { recursive: true });
      else console.log(`filter_ssh: kept the captures in ${dir}`);
    }
  },
});
