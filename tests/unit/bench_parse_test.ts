// bench/parse.ts on what the tools really print (recorded on this machine from short runs on a
// veth pair: xskdump --json, tcpdump, xdpdump, xsk_limit, trafgen, xdp_gen), and BENCH_ROWS.
// No root, no process.
import assert from "node:assert/strict";
import {
  ALL_TOOLS,
  JUMBO_TOOLS,
  selectRows,
  selectsDecode,
  TCP_TOOLS,
} from "../../bench/catalog.ts";
import { parseTime } from "../../bench/decode.ts";
import { generatorSent, toolReport } from "../../bench/parse.ts";

const XSKDUMP_STDERR =
  'listening on xc0, queue 0, mode native, snapshot length 262144 bytes\n{"type":"summary","schema":1,"source":"live","time":"2026-12-05T08:03:57.860Z","elapsed_s":2.413,"interface":"xc0","queues":[0],"mode":"native","captured":68214,"bytes":4092840,"received":68214,"seen":68214,"dropped":{"total":0,"rx_ring_full":0,"no_free_frame":0,"too_big":0,"invalid":0},"passed":0,"filtered":0,"not_kept":0,"no_meta":0,"fill_ring_empty":0,"user_held":0,"integrity":{"misaligned":0,"foreign":0,"duplicate":0,"overheld":0,"clobber":0},"per_queue":[{"queue":0,"captured":68214,"dropped":0}],"longest_gap_ms":3.518,"rate":{"pps":28272.6,"bps":13570852.2},"files":[{"path":"/dev/null","packets":68214,"bytes":5184288}],"files_opened":1,"writer":{"waits":2,"longest_write_ms":0.412},"stop":"signal","exit_code":0}\n';
const TCPDUMP_STDERR =
  "tcpdump: listening on xc0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n100000 packets captured\n100000 packets received by filter\n0 packets dropped by kernel\n";
const XDPDUMP_STDERR =
  "WARNING: Specified interface does not have an XDP program loaded!\n         Will load a capture only XDP program!\nlistening on xc0, ingress XDP program ID 23582 func xdpdump, capture mode entry, capture size 262144 bytes\n\n77372 packets captured\n0 packets dropped by perf ring\n";
const XSK_LIMIT_STDOUT =
  '{"tool":"xsk_limit","mode":"native","batch":64,"guard":1,"spin":0,"nap_us":0,"captured":47314,"seen":47314,"redirected":47314,"passed":0,"filtered":0,"rx_dropped":0,"rx_ring_full":0,"rx_invalid":0,"fill_empty":0,"batches":6171,"waits":5574,"bytes_written":0,"fill_enospc":0,"seconds":2.313629,"utime_us":56073,"stime_us":156205,"maxrss_kb":49152}\n';
const XSK_LIMIT_STDERR = "listening on xc0, queue 0, mode native\n";
const TRAFGEN_OUTPUT =
  "Cannot set system socket memory in /proc/sys/net/core/rmem_max: Permission denied\nCannot set system socket memory in /proc/sys/net/core/rmem_default: Permission denied\nCannot set system socket memory in /proc/sys/net/core/wmem_max: Permission denied\nCannot set system socket memory in /proc/sys/net/core/wmem_default: Permission denied\n     1 packets to schedule\n    60 bytes in total\nRunning! Hang up with ^C!\n\nCannot set system socket memory in /proc/sys/net/core/rmem_max: Permission denied\nCannot set system socket memory in /proc/sys/net/core/rmem_default: Permission denied\nCannot set system socket memory in /proc/sys/net/core/wmem_max: Permission denied\nCannot set system socket memory in /proc/sys/net/core/wmem_default: Permission denied\nCannot set system socket memory in /proc/sys/net/core/rmem_max: Permission denied\nCannot set system socket memory in /proc/sys/net/core/rmem_default: Permission denied\nCannot set system socket memory in /proc/sys/net/core/wmem_max: Permission denied\nCannot set system socket memory in /proc/sys/net/core/wmem_default: Permission denied\n\n\n      100000 packets outgoing\n\n     6000000 bytes outgoing\n\n           0 sec, 925508 usec on CPU0 (100000 packets)\nWarning: Could not get device IPv4 address for xs0\n";
const XDP_GEN_STDOUT = '{"frames":59136,"seconds":1.005355,"pps":58821,"calls":1}\n';

Deno.test("bench parse: xskdump's --json summary", () => {
  assert.deepEqual(toolReport("xskdump", XSKDUMP_STDERR, ""), {
    captured: 68214,
    received: 68214,
    seen: 68214,
    passedToStack: 0,
    drops: { xskRxRingFull: 0, xskNoFreeFrame: 0, xskInvalid: 0 },
    perQueue: { 0: 68214 },
    longestGapMs: 3.518,
    writerWaits: 2,
    error: undefined,
  });
  // Four queues, drops by reason, ring violations, an error line after the summary.
  const s = JSON.parse(XSKDUMP_STDERR.split("\n")[1]);
  Object.assign(s, {
    captured: 900,
    received: 910,
    passed: 3,
    filtered: 4,
    dropped: { total: 10, rx_ring_full: 6, no_free_frame: 3, too_big: 0, invalid: 1 },
    integrity: { ...s.integrity, foreign: 2 },
    per_queue: [0, 1, 2, 3].map((queue) => ({ queue, captured: 225, dropped: 0 })),
    error: "interface xc0 is down",
  });
  const text = `${XSKDUMP_STDERR.split("\n")[0]}\n${
    JSON.stringify(s)
  }\nxskdump: interface xc0 is down\n`;
  const r = toolReport("xskdump", text, "");
  assert.equal(r.captured, 900);
  assert.equal(r.passedToStack, 7);
  assert.deepEqual(r.drops, {
    xskRxRingFull: 6,
    xskNoFreeFrame: 3,
    xskInvalid: 1,
    ringContract: 2,
  });
  assert.deepEqual(r.perQueue, { 0: 225, 1: 225, 2: 225, 3: 225 });
  assert.equal(r.error, "interface xc0 is down");
  // Without a summary (it died): an error naming what it said.
  const dead = toolReport(
    "xskdump",
    "listening on xc0, queue 0, mode native\nSegmentation fault\n",
    "",
  );
  assert.equal(dead.captured, 0);
  assert.match(dead.error ?? "", /^no summary: .*Segmentation fault/s);
});

Deno.test("bench parse: tcpdump's and xdpdump's summaries", () => {
  assert.deepEqual(toolReport("tcpdump", TCPDUMP_STDERR, ""), {
    captured: 100000,
    received: 100000,
    drops: { afPacketKernel: 0 },
    error: undefined,
  });
  assert.deepEqual(toolReport("xdpdump", XDPDUMP_STDERR, ""), {
    captured: 77372,
    drops: { perfRing: 0 },
    error: undefined,
  });
  const one = toolReport(
    "tcpdump",
    "1 packet captured\n2 packets received by filter\n1 packet dropped by kernel\n",
    "",
  );
  assert.deepEqual([one.captured, one.received, one.drops.afPacketKernel], [1, 2, 1]);
  assert.match(
    toolReport("tcpdump", "tcpdump: xc0: No such device exists\n", "").error ?? "",
    /^no summary: tcpdump: xc0/,
  );
});

Deno.test("bench parse: xsk_limit's JSON line", () => {
  assert.deepEqual(toolReport("limit", XSK_LIMIT_STDERR, XSK_LIMIT_STDOUT), {
    captured: 47314,
    received: 47314,
    seen: 47314,
    passedToStack: 0,
    drops: { xskNoFreeFrame: 0, xskRxRingFull: 0, xskInvalid: 0 },
    fillEnospc: 0,
  });
  assert.match(
    toolReport("limit", "xsk_limit: bind: Device or resource busy\n", "").error ?? "",
    /^no result: xsk_limit: bind/,
  );
});

Deno.test("bench parse: what the generators say they sent", () => {
  assert.equal(generatorSent("trafgen", TRAFGEN_OUTPUT), 100000);
  assert.equal(generatorSent("xdpgen", XDP_GEN_STDOUT), 59136);
  assert.equal(generatorSent("trafgen", "Running! Hang up with ^C!\n"), undefined);
});

Deno.test("bench rows: BENCH_ROWS picks tools (ids or prefixes), profiles and generators", () => {
  const ids = (spec?: string) =>
    selectRows(spec).map((r) => `${r.tool.id}:${r.profile.id}:${r.gen.id}`);
  // Every tool but the jumbo-only one on udp64 and the mix from both generators, the jumbo
  // mix's tools from trafgen alone, and the TCP row's from its stream.
  const jumboOnly = ALL_TOOLS.filter((t) => t.profiles?.includes("jumbo")).length;
  assert.equal(jumboOnly, 1);
  assert.equal(
    ids().length,
    (ALL_TOOLS.length - jumboOnly) * 2 * 2 + JUMBO_TOOLS.length + TCP_TOOLS.length,
    "unset: every row",
  );
  assert.deepEqual(ids(""), ids());
  const xt = ids("xskdump,tcpdump:udp64");
  const xskdumps = ALL_TOOLS.filter((t) => t.id.startsWith("xskdump-")).length;
  const tcpdumps = ALL_TOOLS.filter((t) => /^tcpdump(-|$)/.test(t.id)).length;
  assert.equal(tcpdumps, 2, "tcpdump to tmpfs and to disk");
  assert.equal(xt.length, (xskdumps - jumboOnly + tcpdumps) * 2);
  assert.deepEqual(ids("xskdump,tcpdump:jumbo"), [
    "xskdump-tmpfs-native:jumbo:trafgen",
    "xskdump-tmpfs-generic:jumbo:trafgen",
    "xskdump-nosg-tmpfs-generic:jumbo:trafgen",
    "tcpdump:jumbo:trafgen",
  ]);
  assert.deepEqual(ids("sink-native:jumbo"), [], "xdp_gen cannot send it, the sink is not its");
  assert.ok(xt.every((r) => r.includes(":udp64:")));
  assert.ok(xt.includes("xskdump-q4-tmpfs-native:udp64:trafgen"));
  assert.deepEqual(ids("xskdump-tmpfs:mix:trafgen"), [
    "xskdump-tmpfs-native:mix:trafgen",
    "xskdump-tmpfs-generic:mix:trafgen",
  ]);
  // Groups add up, without repeats, in the catalog's order.
  assert.deepEqual(ids("tcpdump:udp64:xdpgen; sink-native:udp64:xdpgen tcpdump:udp64:xdpgen"), [
    "sink-native:udp64:xdpgen",
    "tcpdump:udp64:xdpgen",
    "tcpdump-disk:udp64:xdpgen",
  ]);
  assert.throws(() => selectRows("xskdum"), /BENCH_ROWS: no tool xskdum \(tools: sink-native, /);
  assert.throws(() => selectRows("tcpdump:udp32"), /no profile udp32/);
  assert.throws(() => selectRows("tcpdump:udp64:pktgen"), /no generator pktgen/);
  assert.throws(() => selectRows("a:b:c:d"), /more than TOOLS:PROFILES:GENERATORS/);
});

Deno.test("bench rows: BENCH_ROWS=decode is the decode row alone; unset runs it too", () => {
  assert.equal(selectsDecode(undefined), true);
  assert.equal(selectsDecode(""), true);
  assert.equal(selectsDecode("decode"), true);
  assert.equal(selectsDecode("tcpdump:udp64 decode"), true);
  assert.equal(selectsDecode("tcpdump:udp64"), false);
  assert.deepEqual(selectRows("decode"), []);
  assert.deepEqual(
    selectRows("decode;tcpdump:udp64:xdpgen").map((r) => r.tool.id),
    ["tcpdump", "tcpdump-disk"], // a prefix names every row it starts
  );
});

Deno.test("bench decode: GNU time's wall, user and system seconds", () => {
  assert.deepEqual(parseTime("reading from file x, link-type EN10MB\n1.52 0.90 0.21\n"), {
    wall: 1.52,
    cpu: 1.11,
  });
  assert.throws(() => parseTime("Command exited with non-zero status 1\n"), /no timing/);
});
