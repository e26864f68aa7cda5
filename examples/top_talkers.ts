/**
 * Top talkers: which IP sources sent the most bytes to an interface, over some seconds.
 *
 *     sudo .tools/node_modules/.bin/deno task top-talkers -i eth0 --seconds 10 --top 5
 *
 * Reads the zero-copy batches: per packet it touches a few header bytes in place and allocates
 * nothing for an IPv4 source it has seen before. Stops after --seconds, after --count packets,
 * or on Ctrl-C, then prints one line per source, most bytes first. While it runs, packets on
 * the queue are captured and do not reach the host's stack: not on the interface of your SSH
 * session.
 * @module
 */
import { exampleArgs } from "./args.ts";
import { formatIp6, openCapture, type PacketBatch, XskError } from "../mod.ts";

/** Packets and bytes (on the wire) of one source. */
interface Tally {
  packets: number;
  bytes: number;
}

/** Adds up one batch: IPv4 sources keyed by their 32-bit value, IPv6 by text, the rest as one. */
function tallyBatch(
  b: PacketBatch,
  v4: Map<number, Tally>,
  other: Map<string, Tally>,
): void {
  const m = b.umem;
  for (let i = 0; i < b.length; i++) {
    const at = b.offset(i);
    const caplen = b.captureLength(i);
    const wire = b.wireLength(i);
    // Ethernet, then up to two VLAN tags (802.1Q, 802.1ad).
    let l3 = 14;
    let type = caplen >= 14 ? (m[at + 12] << 8) | m[at + 13] : 0;
    while ((type === 0x8100 || type === 0x88a8) && caplen >= l3 + 4 && l3 < 22) {
      type = (m[at + l3 + 2] << 8) | m[at + l3 + 3];
      l3 += 4;
    }
    let t: Tally | undefined;
    if (type === 0x0800 && caplen >= l3 + 20) {
      const p = at + l3 + 12;
      const src = ((m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3]) >>> 0;
      t = v4.get(src);
      if (!t) v4.set(src, t = { packets: 0, bytes: 0 });
    } else {
      const key = type === 0x86dd && caplen >= l3 + 40 ? formatIp6(m, at + l3 + 8) : "(not IP)";
      t = other.get(key);
      if (!t) other.set(key, t = { packets: 0, bytes: 0 });
    }
    t.packets++;
    t.bytes += wire;
  }
}

function ip4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

async function main(): Promise<void> {
  const { iface, queue, mode, seconds, count, top } = exampleArgs("top_talkers", 10);

  await using cap = await openCapture({
    iface,
    queue,
    mode,
  });
  const stop = new AbortController();
  const onInt = () => stop.abort();
  Deno.addSignalListener("SIGINT", onInt);
  console.error(`listening on ${cap.iface}, queue ${cap.queue}, mode ${cap.mode}`);

  const v4 = new Map<number, Tally>();
  const other = new Map<string, Tally>();
  const t0 = performance.now();
  try {
    for await (
      const batch of cap.batches({ durationMs: seconds * 1000, count, signal: stop.signal })
    ) {
      tallyBatch(batch, v4, other);
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInt);
  }
  const elapsed = (performance.now() - t0) / 1000;

  const rows = [
    ...[...v4].map(([k, t]) => [ip4(k), t] as const),
    ...other,
  ].sort((a, b) => b[1].bytes - a[1].bytes || b[1].packets - a[1].packets);
  const packets = rows.reduce((n, r) => n + r[1].packets, 0);
  const bytes = rows.reduce((n, r) => n + r[1].bytes, 0);
  console.log(
    `top talkers on ${cap.iface} over ${elapsed.toFixed(2)} s: ${packets} packets, ${bytes} bytes`,
  );
  console.log(`${"source".padEnd(40)} ${"packets".padStart(10)} ${"bytes".padStart(12)}`);
  for (const [source, t] of rows.slice(0, top)) {
    console.log(
      `${source.padEnd(40)} ${String(t.packets).padStart(10)} ${String(t.bytes).padStart(12)}`,
    );
  }
  const d = cap.stats().dropped.total;
  if (d) console.log(`(${d} packets dropped by the kernel: the counts are low)`);
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    const hint = e instanceof XskError && e.hint ? `; ${e.hint}` : "";
    console.error(`top_talkers: ${e instanceof Error ? e.message : e}${hint}`);
    Deno.exit(1);
  }
}
