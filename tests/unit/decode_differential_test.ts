/**
 * The one-line decoder against tcpdump 4.99 itself over frames made for it: mutated corpus
 * frames (truncation and garbage paths) and synthetic frames of every decoded protocol. Only
 * exact lines count; the others must fall in one of diff_category.ts's known categories of
 * difference, never "mismatch". (The corpus itself: decode_corpus_test.ts.)
 */
import assert from "node:assert/strict";
import { Decoder } from "../../lib/decode/decode.ts";
import { lenientCategory } from "./diff_category.ts";
import { afterTimestamp, tcpdumpRecords } from "./tcpdump_run.ts";
import {
  CORPUS,
  decodableFrames,
  hexOf,
  prng,
  SEED,
  versionOf,
  type WireFrame,
  writeFrames,
} from "./helpers.ts";

type Frame = WireFrame;

// The decoder follows tcpdump 4.99 (measured against 4.99.3); other series print differently.
const VERSION = versionOf("tcpdump");
const TCPDUMP = VERSION !== null && VERSION.startsWith("tcpdump version 4.99.");
if (VERSION === null) {
  console.log("decode_differential: tcpdump not found in PATH; differential tests skipped");
} else if (!TCPDUMP) {
  console.log(`decode_differential: ${VERSION} is not tcpdump 4.99.x; differential tests skipped`);
}
const haveCorpus = decodableFrames().length > 0;
if (!haveCorpus) console.log(`decode_differential: corpus ${CORPUS} missing; corpus tests skipped`);

/** tcpdump -n -S's text per record (continuation lines joined with "\n"), timestamp removed. */
function tcpdumpLines(path: string, link: boolean): { text: string }[] {
  return tcpdumpRecords(path, ["-S", ...(link ? ["-e"] : [])]).map((r) => ({
    text: afterTimestamp(r),
  }));
}

/**
 * Exact lines among 20000 mutated corpus frames (measured 14765) and synthetic ones (19930).
 * Only exact lines count; the others must fall in one of the harness's known categories of
 * difference (tcpdump goes on where this decoder stops), never "mismatch".
 */
const MUTATED_EXACT_FLOOR = 14700;
const SYNTHETIC_EXACT_FLOOR = 19900;

/** Compares the Decoder with tcpdump (with and without -e) on frames; returns exact counts. */
function compareWithTcpdump(frames: Frame[], label: string): number[] {
  const dir = Deno.makeTempDirSync({ prefix: "xskdump-decode-" });
  try {
    const path = `${dir}/frames.pcap`;
    writeFrames(path, frames);
    return [false, true].map((link) => {
      const lines = tcpdumpLines(path, link);
      assert.equal(lines.length, frames.length);
      const mismatches: string[] = [];
      let exact = 0;
      // One Decoder for the file, as tcpdump reads it (some lines depend on the packets before).
      const d = new Decoder({ link, absoluteSeq: true });
      frames.forEach((f, i) => {
        const ours = d.describe(f.data, f.origLen);
        const verdict = lenientCategory(ours, lines[i].text);
        if (verdict === "exact") exact++;
        if (verdict === "mismatch") {
          mismatches.push(
            `${hexOf(f.data)} (orig ${f.origLen})\n  ours:    ${ours}\n  tcpdump: ${lines[i].text}`,
          );
        }
      });
      console.log(`${label} (link ${link}): ${exact} exact of ${frames.length}`);
      assert.deepEqual(mismatches.slice(0, 10), []);
      return exact;
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test({
  name: "differential: mutated corpus frames vs tcpdump (truncation and garbage paths)",
  ignore: !TCPDUMP || !haveCorpus,
  fn() {
    const rnd = prng(SEED + 6);
    const frames = decodableFrames();
    const picked: Frame[] = [];
    for (let n = 0; n < 20000; n++) {
      const base = frames[Math.floor(rnd() * frames.length)];
      const d = base.data.slice();
      // Mutate headers (from the ethertype on) rather than payloads.
      const flips = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < flips; k++) {
        const at = 12 + Math.floor(rnd() * Math.min(120, Math.max(1, d.length - 12)));
        if (at < d.length) d[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : d[at] ^ (1 << (n % 8));
      }
      const cut = rnd() < 0.3 ? 12 + Math.floor(rnd() * Math.max(1, d.length - 11)) : d.length;
      const data = d.subarray(0, Math.min(cut, d.length));
      const origLen = rnd() < 0.5 ? Math.max(base.origLen, data.length) : data.length;
      picked.push({ data, origLen });
    }
    for (const exact of compareWithTcpdump(picked, "mutated corpus frames")) {
      assert.ok(exact >= MUTATED_EXACT_FLOOR, `exact: ${exact}`);
    }
  },
});

/**
 * Random but well-formed-ish frames of every decoded protocol: ICMP and ICMPv6 of all types with
 * quoted packets, ARP with odd sizes, TCP with random option lists, UDP with wrong lengths, IPv6
 * extension-header chains, VLAN tags, tunnels; some truncated, some with a longer wire length.
 */
function syntheticFrames(count: number, seed: number): Frame[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(a: T[]): T => a[int(a.length)];
  const bytes = (n: number) => Array.from({ length: n }, () => (rnd() < 0.3 ? 0 : int(256)));
  const be16 = (v: number) => [v >> 8, v & 255];
  const eth = (
    t: number,
  ) => [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, ...be16(t)];
  const ip4 = (proto: number, payload: number[], frag = 0) => [
    0x45,
    0,
    ...be16(20 + payload.length),
    0,
    1,
    ...be16(frag),
    64,
    proto,
    0,
    0,
    10,
    0,
    0,
    1,
    10,
    0,
    0,
    2,
    ...payload,
  ];
  const addr6 = () =>
    pick([
      [0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 1],
      [0xfe, 0x80, ...new Array(6).fill(0), ...bytes(8)],
      [0xff, 2, ...new Array(13).fill(0), 1],
      bytes(16),
    ]);
  const ip6 = (nh: number, payload: number[], plen = payload.length) => [
    0x60,
    0,
    0,
    0,
    ...be16(plen),
    nh,
    64,
    ...addr6(),
    ...addr6(),
    ...payload,
  ];
  const udp = () => {
    const data = bytes(int(20));
    return [
      int(256),
      int(256),
      0x30,
      0x39,
      ...be16(rnd() < 0.7 ? 8 + data.length : int(100)),
      0,
      0,
      ...data,
    ];
  };
  const tcp = () => {
    const opts: number[] = [];
    for (let n = int(6); n > 0; n--) {
      const kind = pick([0, 1, 2, 3, 4, 5, 8, 19, 28, 29, 30, 34, 254, int(256)]);
      if (kind <= 1) {
        opts.push(kind);
        continue;
      }
      const len = rnd() < 0.7 ? pick([2, 3, 4, 6, 8, 10, 12, 16, 18, 20, 22, 24]) : int(40);
      opts.push(kind, len, ...bytes(Math.max(0, len - 2)));
    }
    while (opts.length % 4) opts.push(rnd() < 0.5 ? 1 : 0);
    const doff = rnd() < 0.9 ? (20 + opts.length) / 4 : int(16);
    return [...bytes(12), (doff & 15) << 4, int(256), ...bytes(6), ...opts, ...bytes(int(10))];
  };
  const icmp = () => {
    const inner = rnd() < 0.7 ? ip4(pick([6, 17, 1, 132]), bytes(int(12))) : bytes(int(30));
    const type = pick([0, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, int(256)]);
    return [type, rnd() < 0.5 ? int(17) : int(256), 0, 0, ...bytes(4), ...inner];
  };
  const icmp6 = () => {
    const inner = rnd() < 0.6
      ? ip6(pick([6, 17, 0, 44, 60, 43, 58]), bytes(int(24)))
      : bytes(int(40));
    const types = [1, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 141, 142, 143];
    return [
      pick([...types, 144, 145, 146, 147, 200, int(256)]),
      rnd() < 0.6 ? int(9) : int(256),
      0,
      0,
      ...bytes(4),
      ...inner,
    ];
  };
  const arp = () => {
    const hln = rnd() < 0.7 ? 6 : int(10);
    const pln = rnd() < 0.7 ? 4 : int(8);
    const hrd = rnd() < 0.7 ? 1 : pick([6, 7, 15, 19, 24, 32, int(65536)]);
    const pro = rnd() < 0.7 ? 0x0800 : pick([0x86dd, 0x1000, int(65536)]);
    const op = rnd() < 0.7 ? pick([1, 2]) : int(12);
    return [
      ...be16(hrd),
      ...be16(pro),
      hln,
      pln,
      ...be16(op),
      ...bytes(2 * hln + 2 * pln + (rnd() < 0.3 ? 18 : 0)),
    ];
  };
  const ext6 = (): number[] => {
    // A chain of extension headers (hop-by-hop, destination options, routing, fragment).
    const kinds = Array.from({ length: int(3) }, () => pick([0, 60, 43, 44]));
    const last = pick([17, 6, 58, 59, 253]);
    const chain: number[] = [];
    kinds.forEach((kind, i) => {
      const next = i + 1 < kinds.length ? kinds[i + 1] : last;
      if (kind === 44) {
        chain.push(next, 0, ...(rnd() < 0.7 ? [0, int(2)] : [int(256), int(256)]), ...bytes(4));
      } else if (kind === 43) {
        const len = pick([0, 2, 4, int(5)]);
        chain.push(next, len, pick([0, 2, 4, int(256)]), int(4), ...bytes(4 + 8 * len));
      } else {
        const len = int(2);
        const padN = [1, 8 * len + 4, ...new Array(8 * len + 4).fill(0)];
        chain.push(next, len, ...(rnd() < 0.6 ? padN : bytes(8 * len + 6)).slice(0, 8 * len + 6));
      }
    });
    const tail = last === 17 ? udp() : last === 6 ? tcp() : last === 58 ? icmp6() : bytes(int(10));
    return ip6(kinds.length ? kinds[0] : last, [...chain, ...tail]);
  };
  const frames: Frame[] = [];
  for (let n = 0; n < count; n++) {
    let f: number[];
    switch (int(9)) {
      case 0:
        f = [...eth(0x0800), ...ip4(1, icmp())];
        break;
      case 1:
        f = [...eth(0x86dd), ...ip6(58, icmp6())];
        break;
      case 2:
        f = [...eth(pick([0x0806, 0x8035])), ...arp()];
        break;
      case 3:
        f = [...eth(0x0800), ...ip4(6, tcp())];
        break;
      case 4:
        f = [...eth(0x0800), ...ip4(17, udp(), rnd() < 0.2 ? pick([0x2000, 0x0010, 0x2010]) : 0)];
        break;
      case 5: {
        const p = ext6();
        if (rnd() < 0.1) p[4] = p[5] = 0; // zero payload length: the jumbogram paths
        f = [...eth(0x86dd), ...p];
        break;
      }
      case 6:
        f = [...eth(0x86dd), ...ip6(6, tcp())];
        break;
      case 7: {
        const qinq = rnd() < 0.5 ? [0x81, 0, int(256), int(256)] : [];
        f = [
          ...eth(pick([0x8100, 0x88a8, 0x9100])),
          int(256),
          int(256),
          ...qinq,
          8,
          0,
          ...ip4(17, udp()),
        ];
        break;
      }
      default: {
        const inner = rnd() < 0.5 ? ip4(17, udp()) : ip6(17, udp());
        f = [...eth(0x0800), ...ip4(pick([4, 41, 59, int(256)]), inner)];
      }
    }
    if (rnd() < 0.15) {
      const at = 14 + int(Math.max(1, f.length - 14));
      if (at < f.length) f[at] = int(256);
    }
    let data = new Uint8Array(f);
    if (rnd() < 0.2) data = data.subarray(0, 14 + int(Math.max(1, data.length - 13)));
    frames.push({ data, origLen: rnd() < 0.2 ? data.length + int(200) : data.length });
  }
  return frames;
}

Deno.test({
  name: "differential: synthetic frames of every decoded protocol vs tcpdump",
  ignore: !TCPDUMP,
  fn() {
    for (const exact of compareWithTcpdump(syntheticFrames(20000, SEED + 2), "synthetic frames")) {
      assert.ok(exact >= SYNTHETIC_EXACT_FLOOR, `exact: ${exact}`);
    }
  },
});
