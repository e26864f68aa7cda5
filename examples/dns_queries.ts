/**
 * DNS query counter: which names are looked up through an interface, and how often.
 *
 *     sudo .tools/node_modules/.bin/deno task dns-queries -i eth0 --seconds 30
 *
 * A filter in the kernel takes only UDP to port 53 (VLAN-tagged or not); everything else passes
 * to the host's stack untouched. The script reads those packets one by one (copies: simple,
 * fine at DNS rates) and counts DNS queries (QR bit clear) by question name and type. Stops
 * after --seconds, after --count packets captured, or on Ctrl-C, then prints one line per name
 * and type, most queried first. The packets it captures do not reach the host's stack: not on
 * a host that serves DNS itself.
 * @module
 */
import { exampleArgs } from "./args.ts";
import { openCapture, XskError } from "../mod.ts";

const TYPES: Record<number, string> = {
  1: "A",
  2: "NS",
  5: "CNAME",
  6: "SOA",
  12: "PTR",
  15: "MX",
  16: "TXT",
  28: "AAAA",
  33: "SRV",
  64: "SVCB",
  65: "HTTPS",
  255: "ANY",
};

/** One DNS question. */
export interface Question {
  name: string;
  type: string;
}

/**
 * The question of a DNS query carried in an Ethernet frame (IPv4 or IPv6, up to two VLAN
 * tags, UDP to port 53), or undefined when the frame is anything else (a response included).
 */
export function dnsQuestion(f: Uint8Array): Question | undefined {
  let l3 = 14;
  let type = f.length >= 14 ? (f[12] << 8) | f[13] : 0;
  while ((type === 0x8100 || type === 0x88a8) && f.length >= l3 + 4 && l3 < 22) {
    type = (f[l3 + 2] << 8) | f[l3 + 3];
    l3 += 4;
  }
  let udp: number;
  if (type === 0x0800 && f.length >= l3 + 20) {
    const fragmented = ((f[l3 + 6] & 0x1f) << 8 | f[l3 + 7]) !== 0;
    if (f[l3 + 9] !== 17 || fragmented) return undefined;
    udp = l3 + (f[l3] & 0x0f) * 4;
  } else if (type === 0x86dd && f.length >= l3 + 40) {
    if (f[l3 + 6] !== 17) return undefined; // extension headers: not worth it here
    udp = l3 + 40;
  } else {
    return undefined;
  }
  const dns = udp + 8;
  if (f.length < dns + 12 || ((f[udp + 2] << 8) | f[udp + 3]) !== 53) return undefined;
  const qr = f[dns + 2] & 0x80;
  const qdcount = (f[dns + 4] << 8) | f[dns + 5];
  if (qr || qdcount === 0) return undefined;
  const labels: string[] = [];
  let at = dns + 12;
  for (;;) {
    if (at >= f.length) return undefined;
    const len = f[at];
    if (len === 0) break;
    if (len > 63 || at + 1 + len > f.length) return undefined; // compression has no place here
    labels.push(String.fromCharCode(...f.subarray(at + 1, at + 1 + len)));
    at += 1 + len;
  }
  if (at + 3 > f.length) return undefined;
  const qtype = (f[at + 1] << 8) | f[at + 2];
  return { name: labels.length ? labels.join(".") : ".", type: TYPES[qtype] ?? `TYPE${qtype}` };
}

/** What the kernel hands over: DNS to a server, with or without an 802.1Q tag. */
export const FILTER = "udp dst port 53 or (vlan and udp dst port 53)";

async function main(): Promise<void> {
  const { iface, queue, mode, seconds, count, top } = exampleArgs("dns_queries", 20);

  // A DNS message fits in 512 bytes over UDP unless EDNS grows it: keep a little more.
  await using cap = await openCapture({
    iface,
    queue,
    mode,
    snaplen: 1500,
    filter: FILTER,
  });
  const stop = new AbortController();
  const onInt = () => stop.abort();
  Deno.addSignalListener("SIGINT", onInt);
  console.error(
    `listening on ${cap.iface}, queue ${cap.queue}, mode ${cap.mode}, filter ${FILTER}`,
  );

  const counts = new Map<string, { q: Question; n: number }>();
  let queries = 0;
  const t0 = performance.now();
  try {
    for await (
      const pkt of cap.packets({ durationMs: seconds * 1000, count, signal: stop.signal })
    ) {
      const q = dnsQuestion(pkt.data);
      if (!q) continue;
      queries++;
      const key = `${q.type} ${q.name}`;
      const c = counts.get(key);
      if (c) c.n++;
      else counts.set(key, { q, n: 1 });
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onInt);
  }
  const elapsed = (performance.now() - t0) / 1000;

  const rows = [...counts.values()].sort((a, b) =>
    b.n - a.n || a.q.name.localeCompare(b.q.name) || a.q.type.localeCompare(b.q.type)
  );
  console.log(
    `dns queries on ${cap.iface} over ${elapsed.toFixed(2)} s: ${queries} queries, ` +
      `${rows.length} distinct, ${cap.stats().captured} packets captured`,
  );
  console.log(`${"count".padStart(8)}  ${"type".padEnd(8)}  name`);
  for (const { q, n } of rows.slice(0, top)) {
    console.log(`${String(n).padStart(8)}  ${q.type.padEnd(8)}  ${q.name}`);
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    const hint = e instanceof XskError && e.hint ? `; ${e.hint}` : "";
    console.error(`dns_queries: ${e instanceof Error ? e.message : e}${hint}`);
    Deno.exit(1);
  }
}
