// The application decoders' fuzz worker (run by decode_app_fuzz_test.ts in a process of its own,
// under a deadline, so that a hang is caught and named). It mutates corpus frames of the UDP/TCP
// application family (their headers and payloads: flipped bytes, cuts, a longer wire length)
// (and the crafted frames of the family's tests) and decodes each with one Decoder per verbosity level (0 to 3, with and without -e, and as -x
// decodes it). It prints "! i hex text" for a frame whose decode threw out of the printers
// ("[|decode error]") and, last, "= " and a JSON summary.
import { Decoder } from "../../lib/decode/decode.ts";
import { captureRecords } from "../../lib/formats/capture_file.ts";
import { frames as bootpFrames } from "./decode_bootp_test.ts";
import { frames as dhcp6Frames } from "./decode_dhcp6_test.ts";
import { frames as dnsFrames } from "./decode_dns_test.ts";
import { frames as isakmpFrames } from "./decode_isakmp_test.ts";
import { frames as ndFrames } from "./decode_nd_test.ts";
import { frames as overlayFrames } from "./decode_overlay_test.ts";
import { frames as rxFrames } from "./decode_rx_test.ts";
import { frames as txtFrames } from "./decode_txtproto_test.ts";
import { frames as udpFrames } from "./decode_udpapps_test.ts";
import { APP_FILES } from "./decode_craft.ts";
import { CORPUS, corpusFiles, hexOf, prng } from "./helpers.ts";

const [seedArg, countArg] = Deno.args;
const rnd = prng(Number(seedArg ?? 1));
const count = Number(countArg ?? 20000);
const int = (n: number) => Math.floor(rnd() * n);

const frames: { data: Uint8Array; origLen: number }[] = [];
for (const f of corpusFiles().filter((n) => APP_FILES.test(n))) {
  try {
    for (const r of captureRecords(Deno.readFileSync(CORPUS + f))) {
      if (r.linktype === 1 && r.data.length > 42) {
        frames.push({ data: r.data.slice(), origLen: r.origLen });
      }
    }
  } catch {
    // A damaged corpus file: its good frames are in.
  }
}

// And the crafted frames of the family's tests (the protocols the corpus holds few of).
for (
  const f of [
    bootpFrames,
    dhcp6Frames,
    dnsFrames,
    isakmpFrames,
    ndFrames,
    overlayFrames,
    rxFrames,
    txtFrames,
    udpFrames,
  ].flatMap((g) => g())
) {
  frames.push({ data: f.data, origLen: f.origLen });
}

const decoders = [0, 1, 2, 3].flatMap((v) => [
  new Decoder({ verbosity: v }),
  new Decoder({ verbosity: v, link: true }),
  new Decoder({ verbosity: v, undecodedHex: false }),
]);
let errors = 0;
let slowest = 0;
for (let i = 0; i < count; i++) {
  const base = frames[int(frames.length)];
  let d = base.data.slice();
  // Past the Ethernet, IP and transport headers mostly: the application's bytes.
  const flips = 1 + int(6);
  for (let k = 0; k < flips; k++) {
    const at = Math.min(d.length - 1, 34 + int(Math.min(160, d.length)));
    d[at] = rnd() < 0.5 ? int(256) : d[at] ^ (1 << int(8));
  }
  if (rnd() < 0.3) d = d.slice(0, 14 + int(d.length - 13));
  const origLen = rnd() < 0.3 ? Math.max(base.origLen, d.length) : d.length;
  const t0 = performance.now();
  for (const dec of decoders) {
    const line = dec.describe(d, origLen);
    if (line.includes("[|decode error]")) {
      errors++;
      console.log(`! ${i} ${hexOf(d)} ${line}`);
    }
  }
  slowest = Math.max(slowest, performance.now() - t0);
}
console.log(
  `= ${JSON.stringify({ frames: frames.length, count, errors, slowestMs: Math.round(slowest) })}`,
);
