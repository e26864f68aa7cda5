// -v, -e -v and the hex dumps (-x, -xx, -X, -XX) against tcpdump 4.99 itself, frame by frame:
// over every corpus frame and over 20000 corpus frames with mutated headers (bad checksums, IP
// options, truncation). Our text must equal tcpdump's wherever tcpdump does not go on to decode
// something we leave out on purpose (an application protocol, ND options on their own lines, a
// protocol we only name); every such case is classified, and any other difference fails.
import assert from "node:assert/strict";
import { Decoder } from "../../lib/decode/decode.ts";
import { dumpsWholeFrame, hexDump } from "../../lib/decode/hexdump.ts";
import {
  corpusFrames,
  prng,
  SEED,
  ttTexts,
  versionOf,
  type WireFrame,
  writeFrames,
} from "./helpers.ts";

const dec = new TextDecoder();
const TCPDUMP = versionOf("tcpdump")?.startsWith("tcpdump version 4.99.") === true;
const ignore = !TCPDUMP || corpusFrames().length === 0;
if (ignore) console.log("output_verbose: skipped, needs tcpdump 4.99 and the corpus");

type Frame = WireFrame;

/**
 * tcpdump's text per frame (the timestamp removed, continuation lines kept), for frames written
 * with timestamps 1, 2, 3... so `-tt` lines can be matched to frames whatever tcpdump prints.
 */
function tcpdumpText(frames: Frame[], flags: string[]): string[] {
  const dir = Deno.makeTempDirSync({ prefix: "xskt-v-" });
  try {
    const path = `${dir}/f.pcap`;
    writeFrames(path, frames, 1, 1e9);
    const out = new Deno.Command("tcpdump", {
      args: ["-tt", "-n", "-S", ...flags, "-r", path],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const { texts, printed } = ttTexts(dec.decode(out.stdout), frames.length);
    assert.equal(printed, frames.length, "tcpdump printed every frame");
    return texts;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Where our text stops on purpose at something tcpdump decodes. */
function undecoded(ours: string): boolean {
  const eth = /ethertype [^,]*\(0x([0-9a-f]{4})\), (length \d+: )?$/.exec(ours);
  if (eth) {
    return !["0800", "86dd", "0806", "8035", "8100", "88a8", "9100", "9200"].includes(eth[1]);
  }
  if (/802\.3(, length \d+)?$/.test(ours)) return true;
  const ip = / ip-proto-(\d+) \d+$/.exec(ours);
  if (ip) return ![1, 4, 6, 17, 41, 58, 59].includes(Number(ip[1]));
  // What GRE carries and is not decoded (PPP in GRE version 1 needs the PPP printer).
  const gre = /gre-proto-0x([0-9a-f]+)$/.exec(ours);
  if (gre) return !["800", "86dd", "6558", "8847"].includes(gre[1]);
  return /ICMP6, (RPL|router renumbering|who-are-you request|who-are-you reply|inverse neighbor (solicitation|advertisement)|mobile router (solicitation|advertisement)|ha discovery (request|reply)|mtrace (response|message))(, length \d+)?$/
    .test(ours);
}

type Verdict = "exact" | "moreLines" | "appDecode" | "undecoded" | "mismatch";

function classify(ours: string, theirs: string): Verdict {
  if (ours === theirs) return "exact";
  // tcpdump goes on on lines of its own (ND options, a hex dump of what it does not decode).
  if (theirs.startsWith(ours + "\n")) return "moreLines";
  // An application decode where our text has the transport summary (at the end, or before
  // what follows the datagram an ICMP error quotes): the text around it must agree.
  const udp = /^([\s\S]*?)UDP, (bad )?length \d+( > \d+)?((\n|( \[\|icmp\]))[\s\S]*)?$/.exec(ours);
  // The application decoder ran out of bytes (" [|rx]"): tcpdump ends there.
  const appCut = (head: string) =>
    theirs.startsWith(head) && / \[\|[a-z0-9_]+\]$/.test(theirs) &&
    !/ \[\|(ether|vlan|arp|ip|ip6|icmp|icmp6|tcp|udp|hbhopt|dstopt|frag6|rt6)\]$/.test(theirs);
  if (udp) {
    const [head, tail] = [udp[1], udp[4] ?? ""];
    if (tail !== "" && appCut(head) && !theirs.slice(head.length).startsWith("UDP, ")) {
      return "appDecode";
    }
    if (
      theirs.startsWith(head) && theirs.endsWith(tail) &&
      theirs.length >= head.length + tail.length &&
      !theirs.slice(head.length).startsWith("UDP, ")
    ) return "appDecode";
  }
  const tcp = /^([\s\S]*?Flags \[[^\]]*\][^\n]*, length \d+)((\n|( \[\|icmp\]))[\s\S]*)?$/.exec(
    ours,
  );
  if (tcp) {
    const [head, tail] = [tcp[1], tcp[2] ?? ""];
    if (tail !== "" && appCut(head)) return "appDecode";
    if (
      theirs.startsWith(head) && theirs.endsWith(tail) && !/^\d/.test(theirs.slice(head.length))
    ) return "appDecode";
  }
  // Our line names a protocol tcpdump decodes further (and dumps it in hex, which tcpdump does
  // not); what comes before must still agree.
  const text = ours.replace(/(\n\t0x[0-9a-f]{4}: [^\n]*)+$/, "");
  if (undecoded(text)) {
    const cut = Math.max(text.lastIndexOf("\n"), 0);
    return theirs.startsWith(text.slice(0, cut)) ? "undecoded" : "mismatch";
  }
  return "mismatch";
}

function protocolOf(text: string): string {
  if (text.includes("ICMP6")) return "icmp6";
  if (/ ICMP /.test(text)) return "icmp";
  if (text.includes("Flags [")) return "tcp";
  if (/UDP, (bad )?length/.test(text) || /\[(udp sum ok|bad udp cksum)/.test(text)) return "udp";
  if (text.includes("ARP")) return "arp";
  if (text.startsWith("IP6 ") || text.includes("ethertype IPv6")) return "ip6";
  if (text.startsWith("IP ") || text.includes("ethertype IPv4")) return "ip";
  return "other";
}

interface Tally {
  verdicts: Record<Verdict, number>;
  exactBy: Record<string, number>;
  mismatches: string[];
}

function compare(frames: Frame[], opts: { link: boolean }): Tally {
  const theirs = tcpdumpText(frames, ["-v", ...(opts.link ? ["-e"] : [])]);
  const t: Tally = {
    verdicts: { exact: 0, moreLines: 0, appDecode: 0, undecoded: 0, mismatch: 0 },
    exactBy: {},
    mismatches: [],
  };
  // One Decoder for the frames in order, as tcpdump reads them from one file: some protocols'
  // lines depend on the packets before (AFS replies name their call, ISAKMP sides).
  const d = new Decoder({ link: opts.link, verbose: true, absoluteSeq: true });
  frames.forEach((f, i) => {
    const ours = d.describe(f.data, f.origLen);
    const v = classify(ours, theirs[i]);
    t.verdicts[v]++;
    if (v === "exact") t.exactBy[protocolOf(ours)] = (t.exactBy[protocolOf(ours)] ?? 0) + 1;
    if (v === "mismatch" && t.mismatches.length < 10) {
      const hex = [...f.data].map((b) => b.toString(16).padStart(2, "0")).join("");
      t.mismatches.push(`#${i} ${hex}\n  ours:    ${ours}\n  tcpdump: ${theirs[i]}`);
    }
  });
  return t;
}

// Floors a little under what was measured with tcpdump 4.99.3 on the 206-file corpus (2026-11):
// 6120 frames with -v: exact TCP 486, UDP 246, ICMP 20, ICMPv6 29, ARP 2136 (and 0 mismatches).
const VERBOSE_FLOORS: Record<string, number> = {
  tcp: 480,
  udp: 240,
  icmp: 20,
  icmp6: 25,
  arp: 2100,
};

Deno.test({
  name: "-v: Decoder {verbose} vs tcpdump -n -S -v over the corpus",
  ignore,
  fn() {
    const t = compare(corpusFrames(), { link: false });
    console.log("  tcpdump -v:", t.verdicts, "exact:", t.exactBy);
    assert.deepEqual(t.mismatches, []);
    for (const [p, n] of Object.entries(VERBOSE_FLOORS)) {
      assert.ok((t.exactBy[p] ?? 0) >= n, `exact ${p}: ${t.exactBy[p]} < ${n}`);
    }
  },
});

Deno.test({
  name: "-e -v: Decoder {link, verbose} vs tcpdump -n -S -e -v over the corpus",
  ignore,
  fn() {
    const t = compare(corpusFrames(), { link: true });
    console.log("  tcpdump -e -v:", t.verdicts, "exact:", t.exactBy);
    assert.deepEqual(t.mismatches, []);
    assert.ok((t.exactBy.tcp ?? 0) >= VERBOSE_FLOORS.tcp);
  },
});

/** Corpus IP frames with 1-4 header bytes changed and a third cut short. */
function mutatedFrames(n: number, seed: number): Frame[] {
  const rnd = prng(seed);
  const base = corpusFrames().filter((f) => {
    const t = (f.data[12] << 8) | f.data[13];
    return t === 0x0800 || t === 0x86dd || t === 0x8100;
  });
  const out: Frame[] = [];
  for (let k = 0; k < n; k++) {
    const f = base[Math.floor(rnd() * base.length)];
    let d = f.data.slice();
    const flips = Math.floor(rnd() * 4);
    for (let j = 0; j < flips; j++) {
      const at = 14 + Math.floor(rnd() * Math.min(80, d.length - 14));
      if (at < d.length) d[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : d[at] ^ (1 << (k % 8));
    }
    if (rnd() < 0.3) d = d.slice(0, 1 + Math.floor(rnd() * (d.length - 1)));
    out.push({ data: d, origLen: Math.max(f.origLen, d.length) });
  }
  return out;
}

Deno.test({
  name: "-v on 20000 mutated frames: checksums, options, truncation as tcpdump prints them",
  ignore,
  fn() {
    const t = compare(mutatedFrames(20000, SEED + 60), { link: false });
    console.log("  mutated, tcpdump -v:", t.verdicts, "exact:", t.exactBy);
    assert.deepEqual(t.mismatches, []);
    assert.ok((t.exactBy.tcp ?? 0) > 1000 && (t.exactBy.udp ?? 0) > 500);
    assert.ok((t.exactBy.icmp ?? 0) > 50);
  },
});

/** tcpdump's hex lines of each frame, without its decode lines. */
function hexOf(text: string): string {
  return text.split("\n").filter((l) => l.startsWith("\t0x")).map((l) => "\n" + l).join("");
}

Deno.test({
  name: "-x, -xx, -X, -XX: hex dumps equal tcpdump's over the corpus",
  ignore,
  fn() {
    const frames = corpusFrames();
    for (
      const [flag, level, ascii] of [["-x", 1, false], ["-xx", 2, false], ["-X", 1, true], [
        "-XX",
        2,
        true,
      ]] as const
    ) {
      const theirs = tcpdumpText(frames, [flag]);
      const v = { exact: 0, tcpdumpAlsoDumps: 0, appTruncated: 0, undecodedLink: 0, mismatch: 0 };
      const bad: string[] = [];
      // As the CLI decodes for -x/-X: one Decoder, no dumps of its own.
      const d = new Decoder({ undecodedHex: false, absoluteSeq: true });
      frames.forEach((f, i) => {
        const line = d.describe(f.data, f.origLen);
        const ours = hexDump(f.data, { level, ascii }, dumpsWholeFrame(line, f.data, d.gaveUp));
        const th = hexOf(theirs[i]);
        if (ours === th) v.exact++;
        // tcpdump hex-dumps a payload it does not decode on its own first (our line stops).
        else if (ours !== "" && th.endsWith(ours)) v.tcpdumpAlsoDumps++;
        // tcpdump's application decoder ran out of bytes, so it dumps the whole frame.
        else if (level === 1 && th === hexDump(f.data, { level: 2, ascii })) v.appTruncated++;
        // A link layer we only name (MACsec): tcpdump's idea of its header length is its own.
        else if (level === 1 && undecoded(line)) v.undecodedLink++;
        else {
          v.mismatch++;
          if (bad.length < 5) bad.push(`#${i} ${line}\n  ours:${ours}\n  tcpdump:${th}`);
        }
      });
      console.log(`  ${flag}:`, v);
      assert.deepEqual(bad, [], flag);
      assert.ok(v.exact > frames.length * 0.95, `${flag}: ${v.exact} exact`);
    }
  },
});

Deno.test({
  name: "-x and -X on 20000 mutated frames: what tcpdump dumps after cut or odd headers (>= 99.9%)",
  ignore,
  fn() {
    const frames = mutatedFrames(20000, SEED + 61);
    for (const [flag, ascii] of [["-x", false], ["-X", true]] as const) {
      const theirs = tcpdumpText(frames, [flag]);
      const v = { exact: 0, tcpdumpAlsoDumps: 0, appTruncated: 0, mismatch: 0 };
      const bad: string[] = [];
      const d = new Decoder({ undecodedHex: false, absoluteSeq: true });
      frames.forEach((f, i) => {
        // As the CLI decodes for -x/-X: one Decoder, no dumps of its own.
        const line = d.describe(f.data, f.origLen);
        const ours = hexDump(f.data, { level: 1, ascii }, dumpsWholeFrame(line, f.data, d.gaveUp));
        const th = hexOf(theirs[i]);
        if (ours === th) v.exact++;
        else if (ours !== "" && th.endsWith(ours)) v.tcpdumpAlsoDumps++;
        else if (
          th === hexDump(f.data, { level: 2, ascii }) && !/ \[\|[a-z0-9_]+\]>?$/.test(line)
        ) {
          v.appTruncated++;
        } else {
          v.mismatch++;
          if (bad.length < 5) bad.push(`#${i} ${line}\n  ours:${ours}\n  tcpdump:${th}`);
        }
      });
      console.log(`  ${flag}:`, v);
      // Whether tcpdump gives up on a cut ICMP or hop-by-hop header depends on the very field
      // that ran out, which the line does not tell: a handful per 20000 (measured 9) may differ.
      assert.ok(v.mismatch <= 20, `${flag}: ${v.mismatch} differ\n${bad.join("\n")}`);
      assert.ok(v.exact >= 19000, `${flag}: ${v.exact} exact`);
    }
  },
});
