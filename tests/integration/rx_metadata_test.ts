// The XDP RX metadata. A VLAN tag carried out of band, as a NIC with rx-vlan offload hands it
// over: a tc program on the sender's egress pushes it into the skb's metadata (bpf_skb_vlan_push; this kernel has no 8021q
// module and no act_vlan), veth keeps it there, and the frame XDP sees is untagged. In native
// mode xskdump's device-bound program puts it back from the XDP RX metadata: the file equals
// tcpdump's (libpcap puts the tag back for AF_PACKET) byte for byte, and `vlan 100` matches.
import assert from "node:assert/strict";
import { udpFrame } from "./craft.ts";
import {
  capturesWhile,
  captureWhile,
  firstMismatch,
  framesOf,
  nsExec,
  replay,
  rootOnly,
  run,
  startTcpdump,
  startXskdump,
  type VethPair,
  withPairAndDir,
  writePcap,
} from "../../testbed/mod.ts";

const ignore = rootOnly("rx_metadata");
const FRAMES = 24;
/** VID 100, priority 3: what the issue measured on veth (0x6064). */
const TCI = 0x6064;

/** Pushes TCI (TPID 0x8100) into every skb leaving the sender's xs0, out of band. */
async function pushTagsOnEgress(pair: VethPair, dir: string): Promise<void> {
  await Deno.writeTextFile(
    `${dir}/push.c`,
    `static long (*vlan_push)(void *skb, unsigned short proto, unsigned short tci) =
  (void *)18; /* BPF_FUNC_skb_vlan_push */
__attribute__((section("tc"), used)) int push(void *skb)
{
\tvlan_push(skb, 0x0081 /* htons(ETH_P_8021Q) */, ${TCI});
\treturn 0; /* TC_ACT_OK */
}
char _license[] __attribute__((section("license"), used)) = "GPL";
`,
  );
  await run(["clang", "-O2", "-target", "bpf", "-c", `${dir}/push.c`, "-o", `${dir}/push.o`], {
    check: true,
  });
  await nsExec(pair.senderNs, ["tc", "qdisc", "add", "dev", "xs0", "clsact"], { check: true });
  await nsExec(pair.senderNs, [
    ..."tc filter add dev xs0 egress bpf direct-action obj".split(" "),
    `${dir}/push.o`,
    "sec",
    "tc",
  ], { check: true });
}

function frames(): Uint8Array[] {
  return Array.from({ length: FRAMES }, (_, i) =>
    udpFrame({
      src: "10.8.0.2",
      dst: "10.8.0.1",
      sport: 5000 + i,
      dport: 53,
      payload: Array.from({ length: 40 + i }, (_, k) => (i + k) & 255),
    }));
}

Deno.test({
  name: "vlan: a tag the NIC took out is put back in native mode: the file equals tcpdump's, " +
    "`vlan 100` matches",
  ignore,
  async fn() {
    await withPairAndDir("xskt-meta-", async (pair, dir) => {
      const sent = `${dir}/sent.pcap`;
      writePcap(sent, frames());
      await pushTagsOnEgress(pair, dir);

      const byTcpdump = `${dir}/tcpdump.pcap`;
      const t = await captureWhile(startTcpdump(pair, byTcpdump, FRAMES), () => replay(pair, sent));
      assert.equal(t.status.code, 0, t.cap.stderr());
      const want = framesOf(byTcpdump);
      assert.equal(want.length, FRAMES);
      // libpcap put the tag back after the MAC addresses: 0x8100, then the TCI.
      assert.deepEqual([...want[0].data.subarray(12, 16)], [0x81, 0x00, TCI >> 8, TCI & 255]);

      const byXskdump = `${dir}/xskdump.pcap`;
      const x = await captureWhile(
        startXskdump(pair, [
          "--divert",
          "--mode",
          "native",
          "-c",
          String(FRAMES),
          "-w",
          byXskdump,
          "vlan 100",
        ]),
        () => replay(pair, sent),
      );
      assert.equal(x.status.code, 0, x.cap.stderr());
      assert.match(x.cap.stderr(), /VLAN tags put back from the driver's XDP metadata/);
      assert.equal(firstMismatch(want, framesOf(byXskdump)), undefined);

      // A filter that rejects them: they reach the stack as they came, the tag out of band only
      // (put back once by tcpdump beside, not twice), and are counted as filtered.
      const beside = `${dir}/beside.pcap`;
      const [r, b] = await capturesWhile(
        [
          startXskdump(pair, [
            "--divert",
            "--mode",
            "native",
            "-w",
            `${dir}/none.pcap`,
            "vlan 200",
          ]),
          startTcpdump(pair, beside, FRAMES),
        ],
        async ([, tcpdump]) => {
          await replay(pair, sent);
          await tcpdump.exit();
        },
        "SIGINT",
      );
      assert.equal(r.status.code, 0, r.cap.stderr());
      assert.equal(r.cap.summary().filtered, FRAMES);
      assert.equal(r.cap.summary().captured, 0);
      assert.equal(b.status.code, 0, b.cap.stderr());
      assert.equal(firstMismatch(want, framesOf(beside)), undefined);
    });
  },
});

// Where the tag stays out of band the frame is as XDP saw it, and the listening line says why:
// generic mode has no metadata; natively, under SSH, the rule that keeps the session out of the
// capture reads its frames untagged (a tag put back would hide the session from it, and the
// capture would take the SSH packets away from the stack).
const untagged = [
  { mode: "generic", env: {}, why: "generic mode has no XDP metadata" },
  {
    mode: "native",
    env: { SSH_CONNECTION: "10.8.0.9 50022 10.8.0.1 22" },
    why: "the ssh rule reads the session's frames untagged",
  },
] as const;
for (const { mode, env, why } of untagged) {
  Deno.test({
    name: `vlan: ${mode} mode${
      "SSH_CONNECTION" in env ? " under ssh" : ""
    }: the tag stays out, said why, the frame is as XDP saw it`,
    ignore,
    async fn() {
      await withPairAndDir("xskt-meta-", async (pair, dir) => {
        const sent = `${dir}/sent.pcap`;
        const want = frames();
        writePcap(sent, want);
        await pushTagsOnEgress(pair, dir);
        const out = `${dir}/xskdump.pcap`;
        const x = await captureWhile(
          startXskdump(pair, ["--divert", "--mode", mode, "-c", String(FRAMES), "-w", out], {
            env,
          }),
          () => replay(pair, sent),
        );
        assert.equal(x.status.code, 0, x.cap.stderr());
        assert.ok(x.cap.readyLine.includes(`VLAN tags the NIC takes out stay out (${why})`));
        const got = framesOf(out);
        assert.equal(got.length, FRAMES);
        for (const [i, f] of got.entries()) assert.deepEqual(f.data, want[i]);
      });
    },
  });
}

// -j adapter_unsynced: veth has the RX timestamp kfunc but no hardware clock, so it gives none
// (-ENODATA): every packet keeps the host's time and is counted; generic mode says in one line
// that it takes none. (A NIC with a clock puts its own time in the file: not testable here.)
for (const mode of ["native", "generic"] as const) {
  Deno.test({
    name: `vlan: -j adapter_unsynced in ${mode} mode: host time where the driver gives none, said`,
    ignore,
    async fn() {
      await withPairAndDir("xskt-meta-", async (pair, dir) => {
        const sent = `${dir}/sent.pcap`;
        writePcap(sent, frames());
        const out = `${dir}/xskdump.pcap`;
        const before = Date.now() / 1000;
        const args = ["--divert", "--mode", mode, "-j", "adapter_unsynced", "-w", out];
        const x = await captureWhile(
          startXskdump(pair, [...args, "-c", String(FRAMES)]),
          () => replay(pair, sent),
        );
        assert.equal(x.status.code, 0, x.cap.stderr());
        const said = x.cap.stderr();
        if (mode === "native") {
          assert.match(said, /, the NIC's RX timestamps \(adapter_unsynced\)/);
          assert.equal(x.cap.summary().no_hw_timestamp, FRAMES);
        } else {
          assert.match(
            said,
            /^xskdump: no hardware timestamps \(generic mode has no XDP metadata\): packets carry the host's time$/m,
          );
          assert.equal(x.cap.summary().no_hw_timestamp, 0);
        }
        const got = framesOf(out);
        assert.equal(got.length, FRAMES);
        for (const f of got) assert.ok(f.sec >= Math.floor(before) - 1, "the host's time");
      });
    },
  });
}
