/**
 * A bounded TCP bulk transfer through a captured interface, and what a capture file holds of it:
 * the multi-buffer integration test and the bench's TCP row both use it.
 *
 * Divert takes what it captures away from the stack, so the stream cannot end on the captured
 * interface itself. {@link mirrorForStream} adds a bridge in the sender namespace that floods
 * every frame (it learns no address) to both its ports: xs0, whose peer xc0 holds the receiver,
 * and xs1, whose peer xc1 is captured. A copy by flooding is no redirect (generic XDP skips
 * tc-redirected skbs). TSO at the sender makes 64-KiB GSO skbs, GRO is on at xc1, and generic
 * XDP sees them whole.
 * @module
 */
import { addAddress, nsExec, run, type VethPair } from "./netns.ts";
import { spawnInNs } from "./child.ts";

/** The receiver's address (on xc0) and port. */
export const STREAM_ADDR = "10.7.0.1";
export const STREAM_PORT = 5001;
/** The size of a UMEM frame in generic mode: what "bigger than a frame" is measured against. */
export const FRAME_4K = 4096;

/** The stream's byte at offset k: no short period, so a piece out of place shows. */
export const streamByte = (k: number): number => Math.imul(k, 0x9e3779b1) >>> 24;

/** Where a frame's TCP header starts, when it is TCP/IPv4 to `port` (else -1). */
function tcpAt(data: Uint8Array, port: number): number {
  if (data.length < 54 || data[12] !== 8 || data[13] !== 0 || data[23] !== 6) return -1;
  const tcp = 14 + (data[14] & 15) * 4;
  if (data.length < tcp + 20) return -1;
  return ((data[tcp + 2] << 8) | data[tcp + 3]) === port ? tcp : -1;
}

/** A TCP/IPv4 frame to STREAM_PORT: the stream's (one parameter: a filter's callback). */
export function ofStream({ data }: { data: Uint8Array }): boolean {
  return tcpAt(data, STREAM_PORT) >= 0;
}

/** What a capture holds of the stream of `size` bytes to `port`. */
export interface StreamContents {
  /** The stream's bytes by offset from the SYN's sequence number (zero where missing). */
  stream: Uint8Array;
  /** 1 where a packet covers the stream's byte, 0 where none does. */
  have: Uint8Array;
  /** The first offset no packet covers, -1 when every byte is there. */
  missing: number;
  /** How many bytes of the stream no packet covers. */
  missingBytes: number;
  /** The stream's packets that carry data, and those bigger than a 4 KiB frame. */
  dataPackets: number;
  over4KiB: number;
  /** The largest of them, bytes of frame. */
  biggest: number;
  /** Each data packet's frame length, in file order. */
  lengths: number[];
  /** Whether the SYN (the sequence numbers' origin) and the client's FIN are there. */
  syn: boolean;
  fin: boolean;
}

/**
 * The TCP payload of every data packet to `port`, placed by sequence number relative to the
 * SYN's (modulo 2^32), cut at `size`. Packets before the SYN cannot be placed and count as
 * missing bytes.
 */
export function reassemble(
  frames: { data: Uint8Array }[],
  size: number,
  port = STREAM_PORT,
): StreamContents {
  const stream = new Uint8Array(size);
  const have = new Uint8Array(size);
  let isn = -1, biggest = 0, dataPackets = 0, over4KiB = 0, fin = false;
  const lengths: number[] = [];
  for (const { data } of frames) {
    const tcp = tcpAt(data, port);
    if (tcp < 0) continue;
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const seq = v.getUint32(tcp + 4), flags = data[tcp + 13], off = tcp + (data[tcp + 12] >> 4) * 4;
    if (flags & 2) isn = seq;
    if (flags & 1) fin = true;
    const end = Math.min(data.length, 14 + v.getUint16(16));
    if (end <= off) continue;
    dataPackets++;
    lengths.push(data.length);
    if (data.length > FRAME_4K) over4KiB++;
    biggest = Math.max(biggest, data.length);
    if (isn < 0) continue;
    const at = (seq - isn - 1) >>> 0;
    if (at >= size) continue;
    const n = Math.min(end - off, size - at);
    stream.set(data.subarray(off, off + n), at);
    have.fill(1, at, at + n);
  }
  let missingBytes = 0;
  for (let k = 0; k < size; k++) missingBytes += 1 - have[k];
  return {
    stream,
    have,
    missing: have.indexOf(0),
    missingBytes,
    dataPackets,
    over4KiB,
    biggest,
    lengths,
    syn: isn >= 0,
    fin,
  };
}

/**
 * Whether the frames hold the stream's last packet to `port`: the client's ACK of the server's
 * FIN, which acknowledges one sequence number more than the client's own FIN did (the server
 * sends no data and closes after the client's FIN, so nothing of the stream comes after it). A
 * capture ended before it can still lack packets at its end that another one wrote.
 */
export function streamClosed(frames: { data: Uint8Array }[], port = STREAM_PORT): boolean {
  let finAck = -1;
  for (const { data } of frames) {
    const tcp = tcpAt(data, port);
    if (tcp < 0 || !(data[tcp + 13] & 16)) continue;
    const ack = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(tcp + 8);
    if (data[tcp + 13] & 1) finAck = (ack + 1) >>> 0;
    else if (ack === finAck) return true;
  }
  return false;
}

/**
 * The first offset where a byte the file holds differs from what the client sent, -1 if none
 * does (missing bytes are {@link StreamContents.missing}'s business, not this).
 */
export function firstWrongByte({ stream, have }: Pick<StreamContents, "stream" | "have">): number {
  for (let k = 0; k < stream.length; k++) if (have[k] && stream[k] !== streamByte(k)) return k;
  return -1;
}

/**
 * Adds xc1/xs1 and the flooding bridge (see the module's note) to a fresh veth pair: the
 * receiver's address on xc0, the sender's on the bridge, TSO and GSO on at the sender's devices,
 * GRO on at xc1, and xc1 answering no ARP for xc0's address (a tool that leaves packets to the
 * stack would otherwise draw the stream to xc1). Everything goes with the pair's namespaces.
 * Returns the pair as a capturer of the copies sees it: xc1 captured, xs1 sending.
 */
export async function mirrorForStream(pair: VethPair): Promise<VethPair> {
  const { captureNs: cns, senderNs: sns } = pair;
  await run([
    ..."ip link add xc1 netns".split(" "),
    cns,
    ..."type veth peer name xs1 netns".split(" "),
    sns,
  ], { check: true });
  const inS = (cmd: string) => run(["ip", "-n", sns, ...cmd.split(" ")], { check: true });
  await inS("link add br0 type bridge ageing_time 0");
  await inS("link set xs0 master br0");
  await inS("link set xs1 master br0");
  for (const dev of ["xs1", "br0"]) await inS(`link set ${dev} up`);
  await run(["ip", "-n", cns, "link", "set", "xc1", "up"], { check: true });
  await nsExec(cns, ["sysctl", "-qw", "net.ipv4.conf.xc1.arp_ignore=1"], { check: true });
  await addAddress(cns, "xc0", `${STREAM_ADDR}/24`);
  await addAddress(sns, "br0", "10.7.0.2/24");
  await streamOffloads(pair, ["br0", "xs0", "xs1"], "xc1");
  return { ...pair, captureIf: "xc1", senderIf: "xs1" };
}

/** TSO (and GSO) on at the sender's devices, GRO at the receiver's. */
export async function streamOffloads(pair: VethPair, senderDevs: string[], receiverDev: string) {
  for (const dev of senderDevs) {
    await nsExec(pair.senderNs, ["ethtool", "-K", dev, "tso", "on", "gso", "on"], { check: true });
  }
  await nsExec(pair.captureNs, ["ethtool", "-K", receiverDev, "gro", "on"], { check: true });
}

/** What a transfer took, each side's own account. */
export interface Transfer {
  bytes: number;
  /** From the server's accept to the end of the stream. */
  seconds: number;
  /** CPU seconds (user + system) of the client and the server processes. */
  cpuSec: number;
}

export interface TransferOptions {
  /** Stream bytes (whole MiB). */
  bytes: number;
  /** Wraps each side's command (CPU pinning). */
  wrap?: (cmd: string[]) => string[];
  /** Bound on the whole transfer, ms. */
  timeoutMs?: number;
}

/**
 * Sends the stream from the sender namespace to STREAM_ADDR:STREAM_PORT in the capture
 * namespace (a Deno client and server), bounded in time; throws when the server did not receive
 * every byte. Both processes are always ended.
 */
export async function streamTransfer(pair: VethPair, opts: TransferOptions): Promise<Transfer> {
  const wrap = opts.wrap ?? ((c) => c);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deno = Deno.execPath();
  // Each side reports its own CPU time as it ends (it has exited before anyone could read it).
  const cpu = `const u = (await import("node:process")).cpuUsage();
    console.error("cpu " + (u.user + u.system) / 1e6);`;
  const server = spawnInNs(
    pair.captureNs,
    wrap([
      deno,
      "eval",
      `const l = Deno.listen({ hostname: "${STREAM_ADDR}", port: ${STREAM_PORT} });
       console.error("listening");
       const c = await l.accept(); const t0 = performance.now(); let n = 0;
       const b = new Uint8Array(1 << 20);
       for (;;) { const r = await c.read(b); if (r === null) break; n += r; }
       console.error("received " + n + " in " + (performance.now() - t0) / 1000);
       ${cpu}`,
    ]),
  );
  const client = spawnInNs(
    pair.senderNs,
    wrap([
      deno,
      "eval",
      `await new Promise((r) => Deno.stdin.read(new Uint8Array(1)).then(r));
       const c = await Deno.connect({ hostname: "${STREAM_ADDR}", port: ${STREAM_PORT} });
       const chunk = new Uint8Array(1 << 20);
       for (let at = 0; at < ${opts.bytes}; at += chunk.length) {
         for (let k = 0; k < chunk.length; k++) chunk[k] = Math.imul(at + k, 0x9e3779b1) >>> 24;
         for (let w = 0; w < chunk.length;) w += await c.write(chunk.subarray(w));
       }
       c.close();
       ${cpu}`,
    ]),
    { stdin: true },
  );
  try {
    await server.waitForStderrLine(/^listening/, 20_000);
    await client.send("go");
    const done = await server.waitForStderrLine(/^received \d+ in /, timeoutMs);
    const [, n, s] = done.match(/^received (\d+) in ([\d.]+)/)!;
    const ends = [await client.waitExit(10_000), await server.waitExit(10_000)];
    if (Number(n) !== opts.bytes || ends.some((e) => e.code !== 0)) {
      throw new Error(
        `the stream: ${n} of ${opts.bytes} bytes received, exits ${ends.map((e) => e.code)}: ` +
          `${client.stderrText().trim()} ${server.stderrText().trim()}`,
      );
    }
    const cpuOf = (t: string) => Number(t.match(/^cpu ([\d.]+)/m)?.[1] ?? 0);
    return {
      bytes: opts.bytes,
      seconds: Number(s),
      cpuSec: cpuOf(client.stderrText()) + cpuOf(server.stderrText()),
    };
  } finally {
    await client.stop();
    await server.stop();
  }
}
