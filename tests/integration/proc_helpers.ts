// What the proc tests share (issue 20): a veth pair with addresses on both ends, echo servers in
// the sender namespace, senders (proc_peer.ts) started by the test in the capture namespace so
// their pids are known, and reading back which flow and direction each captured packet is.
import assert from "node:assert/strict";
import type { PcapngRecord } from "../../lib/formats/pcapng_reader.ts";
import {
  addAddress,
  type Capture,
  type NsChild,
  nsExec,
  rootOnly,
  run,
  spawnInNs,
  untilTimeWait,
  type VethPair,
  withPairAndDir,
} from "../../testbed/mod.ts";

const skip = rootOnly("proc", "network namespaces, veth, tc, cgroup hooks") ? "no root" : undefined;
export const deno = Deno.execPath();
export const PEER = new URL("./proc_peer.ts", import.meta.url).pathname;
export const CAP_ADDR = "10.89.0.1";
export const PEER_ADDR = "10.89.0.2";
export const TCP_PORT = 7001;
export const UDP_PORT = 7002;
export const READY_MS = 30_000;
export const MESSAGES = 20;

/** A proc_peer.ts process in `ns`, ready once it says so. */
export async function peer(ns: string, args: string[], wrap?: (argv: string[]) => string[]) {
  const argv = [deno, "run", "-A", PEER, ...args];
  const child = spawnInNs(ns, wrap ? wrap(argv) : argv, { stdin: true });
  try {
    await child.waitForStderrLine(/^ready$/, READY_MS);
  } catch (e) {
    await child.stop();
    throw e;
  }
  return child;
}

/** Addresses on both ends and the two echo servers; fn, then every child stopped. */
export async function withEcho<T>(
  pair: VethPair,
  fn: (spawned: NsChild[]) => Promise<T>,
): Promise<T> {
  await addAddress(pair.captureNs, pair.captureIf, `${CAP_ADDR}/24`);
  await addAddress(pair.senderNs, pair.senderIf, `${PEER_ADDR}/24`);
  const spawned: NsChild[] = [];
  try {
    spawned.push(await peer(pair.senderNs, ["tcp-echo", String(TCP_PORT)]));
    spawned.push(await peer(pair.senderNs, ["udp-echo", String(UDP_PORT)]));
    return await fn(spawned);
  } finally {
    for (const c of spawned) await c.stop();
  }
}

/** IPv6 addresses on both ends (IPv6 is off on the pair until this turns it on). */
export async function addV6(pair: VethPair, capture: string, sender: string): Promise<void> {
  for (
    const [ns, i, a] of [
      [pair.captureNs, pair.captureIf, capture],
      [pair.senderNs, pair.senderIf, sender],
    ]
  ) {
    await nsExec(ns, ["sysctl", "-q", "-w", `net.ipv6.conf.${i}.disable_ipv6=0`], { check: true });
    await run(["ip", "-n", ns, "addr", "add", `${a}/64`, "dev", i, "nodad"], { check: true });
  }
}

/** Tells senders to go and waits until each has every echo and has exited. */
export async function runSenders(senders: NsChild[]): Promise<void> {
  for (const s of senders) await s.send("go");
  for (const s of senders) {
    await s.waitForStderrLine(/^done$/, READY_MS);
    assert.equal((await s.waitExit(READY_MS)).code, 0, s.stderrText());
  }
}

/** The capture namespace's TCP connection to the echo server is done (testbed's untilTimeWait). */
export function closed(pair: VethPair): Promise<void> {
  return untilTimeWait(pair.captureNs, `${PEER_ADDR}:${TCP_PORT}`, READY_MS);
}

/** IPv4 TCP or UDP ports and TCP flags of an Ethernet frame, undefined for anything else. */
export function flowOf(
  d: Uint8Array,
): { proto: number; sport: number; dport: number; flags: number } | undefined {
  if (d.length < 38 || d[12] !== 0x08 || d[13] !== 0x00) return undefined;
  const proto = d[23];
  const l4 = 14 + (d[14] & 0xf) * 4;
  if ((proto !== 6 && proto !== 17) || d.length < l4 + (proto === 6 ? 14 : 8)) return undefined;
  return {
    proto,
    sport: (d[l4] << 8) | d[l4 + 1],
    dport: (d[l4 + 2] << 8) | d[l4 + 3],
    flags: proto === 6 ? d[l4 + 13] : 0,
  };
}

/** The packets of one flow (by the echo server's port), both directions. */
export function ofPort(records: PcapngRecord[], port: number): PcapngRecord[] {
  return records.filter((r) => {
    const f = flowOf(r.data);
    return f !== undefined && (f.sport === port || f.dport === port);
  });
}

export function directions(records: PcapngRecord[]): Set<number> {
  return new Set(records.map((r) => (r.flags ?? 0) & 3));
}

/** tshark's comment of every frame, in order. */
export async function tsharkComments(path: string): Promise<string[]> {
  const r = await run(["tshark", "-r", path, "-T", "fields", "-e", "frame.comment"], {
    check: true,
  });
  return r.stdout.split("\n").slice(0, -1);
}

export async function finish(cap: Capture): Promise<Record<string, unknown>> {
  const status = await cap.interrupt("SIGINT");
  assert.equal(status.code, 0, cap.stderr());
  return cap.summary() as unknown as Record<string, unknown>;
}

export interface ProcessSummary {
  attributed: number;
  unattributed: number;
  filtered: number;
  table: { sockets: number; owned: number; added: number };
  maps?: { create: number; release: number; live: number; closed: number; map_full: number };
}

export const processOf = (s: Record<string, unknown>) => s.process as ProcessSummary;

/** A test on its own veth pair and directory, with the echo servers running (echo true). */
export function procTest(
  name: string,
  fn: (pair: VethPair, dir: string) => Promise<void>,
  echo = true,
): void {
  Deno.test(
    { name, ignore: skip !== undefined, sanitizeOps: false, sanitizeResources: false },
    () =>
      withPairAndDir(
        "xskdump-proc-",
        (pair, dir) => echo ? withEcho(pair, () => fn(pair, dir)) : fn(pair, dir),
      ),
  );
}
