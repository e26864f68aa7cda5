/**
 * Traffic from the sender namespace: tcpreplay of a pcap (at a fixed rate, or at full speed in a
 * loop), and any generator (trafgen, bench/xdp_gen) run in a session of its own so one signal
 * stops every sender it forked.
 * @module
 */
import { type NsChild, spawnInNs } from "./child.ts";
import { killAllIn, nsExec, run, type VethPair } from "./netns.ts";
import { type TcpreplayCounts, tcpreplayCounts } from "./outputs.ts";

export interface ReplayResult extends TcpreplayCounts {
  output: string;
}

/** Replays a pcap from the sender side at a fixed packet rate and returns tcpreplay's counts. */
export async function replay(pair: VethPair, file: string, pps = 5000): Promise<ReplayResult> {
  const r = await nsExec(pair.senderNs, tcpreplayArgs(pair, file, pps));
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.code !== 0) throw new Error(`tcpreplay exited ${r.code}:\n${output}`);
  return { ...tcpreplayCounts(output), output };
}

/** tcpreplay of `file` from the sender side at `pps`, in the background. */
export function replayInBackground(pair: VethPair, file: string, pps: number): NsChild {
  return spawnInNs(pair.senderNs, tcpreplayArgs(pair, file, pps));
}

/** tcpreplay of `file` in a loop at full speed, in the background, for at most `seconds`. */
export function flood(pair: VethPair, file: string, seconds: number): NsChild {
  return spawnInNs(
    pair.senderNs,
    tcpreplayArgs(pair, file, "top", [
      "--loop=0",
      `--duration=${seconds}`,
    ]),
  );
}

function tcpreplayArgs(
  pair: VethPair,
  file: string,
  pps: number | "top",
  more: string[] = [],
): string[] {
  // --no-flow-stats: the flow tracker cannot decode some frames and prints one warning per
  // frame; it changes nothing that is sent.
  return [
    "tcpreplay",
    "-q",
    "--no-flow-stats",
    ...(pps === "top" ? ["--topspeed"] : ["--pps", String(pps)]),
    ...more,
    "-i",
    pair.senderIf,
    file,
  ];
}

/** A generator running in the sender namespace. */
export interface Sender {
  readonly child: NsChild;
  /**
   * Stops every sender process (SIGINT to the session, then SIGKILL to whatever is left in
   * the namespace: a trafgen child can outlive its parent) and returns what they printed,
   * stdout then stderr.
   */
  stop(): Promise<string>;
}

/** Starts a generator in the sender namespace in a session of its own (setsid keeps the pid). */
export function startSender(pair: VethPair, argv: string[]): Sender {
  const child = spawnInNs(pair.senderNs, ["setsid", ...argv], { collectStdout: true });
  return {
    child,
    async stop() {
      await run(["kill", "-INT", "--", `-${child.pid}`]);
      try {
        await child.waitExit(5000);
      } catch {
        // Some sender did not stop on SIGINT: the sweep below ends it.
      }
      await killAllIn(pair.senderNs);
      await child.stop();
      return new TextDecoder().decode(child.stdoutBytes()) + child.stderrText();
    },
  };
}

/**
 * A trafgen configuration: UDP/IPv4 frames of the given lengths (without FCS) round robin,
 * from src to dst. With `flows` > 1 the UDP source port counts through that many values, so
 * the sender's flow hash spreads them over its TX queues (veth: the receiver's RX queues).
 */
export function trafgenConfig(lengths: readonly number[], src: string, dst: string, flows = 1) {
  const sport = flows > 1 ? `dinc(4000, ${4000 + flows - 1}, 1)` : "4000";
  return lengths.map((len) =>
    `{ eth(da=${dst}, sa=${src}), ipv4(saddr=10.99.0.2, daddr=10.99.0.1, ttl=64), ` +
    `udp(sp=${sport}, dp=5000), fill(0x41, ${len - 14 - 20 - 8}) }`
  ).join("\n") + "\n";
}
