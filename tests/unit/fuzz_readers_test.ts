// Malformed capture files (issue 9), from real ones: the tcpdump corpus (pcap and pcapng, both
// byte orders, many link types and options) cut and mutated, through captureRecords and
// readPcapngInfo. pcap_test.ts and pcapng_test.ts fuzz the readers with 10 000 synthetic files;
// this adds what real files hold. Only PcapFormatError may come out, every walk ends, and a cut
// file yields exactly the records before the cut: a file is readable up to its last complete
// record, which is what a capture killed mid-write leaves.
import assert from "node:assert/strict";
import { PcapFormatError } from "../../lib/formats/pcap.ts";
import { captureRecords, detectCaptureFormat } from "../../lib/formats/capture_file.ts";
import { readPcapngInfo } from "../../lib/formats/pcapng_reader.ts";
import { prng } from "./filter_cases.ts";
import { bytesEqual, CORPUS, corpusFiles } from "./helpers.ts";

const files = corpusFiles().map((name) => ({
  name,
  bytes: Deno.readFileSync(`${CORPUS}/${name}`),
}));
const ignore = files.length === 0;
if (ignore) console.log(`fuzz_readers: skipped, no capture files in ${CORPUS}`);

/** Records of a file until the reader stops; the error, if it ends in one. */
function walk(bytes: Uint8Array): { data: Uint8Array[]; error?: unknown } {
  const data: Uint8Array[] = [];
  try {
    for (const r of captureRecords(bytes)) {
      assert.equal(r.data.length, r.caplen);
      // A pcap record's sub-second field is taken as it is (libpcap does not check it either):
      // a corrupt one may exceed a second. Finite and not negative is what holds.
      assert.ok(Number.isFinite(r.sec) && Number.isFinite(r.nsec) && r.nsec >= 0, `${r.nsec}`);
      data.push(r.data);
    }
  } catch (e) {
    return { data, error: e };
  }
  return { data };
}

Deno.test({
  name: "reader fuzz (corpus): every file cut anywhere yields exactly the records before the cut",
  ignore,
  fn() {
    const rnd = prng(7);
    let cuts = 0;
    for (const f of files) {
      const full = walk(f.bytes);
      assert.equal(full.error, undefined, `${f.name} is not readable whole: ${full.error}`);
      let before = 0;
      const at = Array.from({ length: 12 }, () => Math.floor(rnd() * f.bytes.length)).sort((a, b) =>
        a - b
      );
      for (const cut of at) {
        const part = walk(f.bytes.subarray(0, cut));
        cuts++;
        if (part.error !== undefined) {
          assert.ok(
            part.error instanceof PcapFormatError,
            `${f.name} cut at ${cut}: ${part.error}`,
          );
        }
        assert.ok(part.data.length >= before, `${f.name}: fewer records from a longer prefix`);
        assert.ok(part.data.length <= full.data.length);
        part.data.forEach((d, i) =>
          assert.ok(bytesEqual(d, full.data[i]), `${f.name} cut at ${cut}: record ${i} differs`)
        );
        before = part.data.length;
      }
    }
    console.log(`  ${files.length} files, ${cuts} cuts`);
  },
});

Deno.test({
  name: "reader fuzz (corpus): 3000 mutated files end in PcapFormatError or nothing, and end",
  ignore,
  fn() {
    const rnd = prng(31);
    const int = (n: number) => Math.floor(rnd() * n);
    let errors = 0;
    let records = 0;
    let slowest = 0;
    for (let n = 0; n < 3000; n++) {
      const f = files[int(files.length)];
      let input = f.bytes.slice();
      switch (n % 5) {
        case 0: // bytes flipped in the headers
          for (let k = 1 + int(8); k > 0; k--) input[int(Math.min(256, input.length))] = int(256);
          break;
        case 1: // bytes flipped anywhere
          for (let k = 1 + int(16); k > 0; k--) input[int(input.length)] ^= 1 << int(8);
          break;
        case 2: { // an aligned word (a length, a type, a caplen) made huge, zero or odd
          const at = 4 * int(Math.max(1, (input.length - 4) / 4));
          const v = [0, 1, 3, 0xffffffff, 0x7fffffff, 0x10000, 12, 13][int(8)];
          new DataView(input.buffer).setUint32(at, v, rnd() < 0.5);
          break;
        }
        case 3: { // a slice repeated
          const a = int(input.length);
          const b = Math.min(input.length, a + 1 + int(200));
          const out = new Uint8Array(input.length + (b - a));
          out.set(input.subarray(0, b));
          out.set(input.subarray(a), b);
          input = out;
          break;
        }
        default: // cut, then junk appended
          input = input.slice(0, int(input.length + 1));
          if (rnd() < 0.5) {
            const junk = new Uint8Array(int(64)).map(() => int(256));
            const out = new Uint8Array(input.length + junk.length);
            out.set(input);
            out.set(junk, input.length);
            input = out;
          }
      }
      const t0 = performance.now();
      const r = walk(input);
      if (r.error !== undefined) {
        assert.ok(r.error instanceof PcapFormatError, `${f.name} mutation ${n}: ${r.error}`);
        assert.doesNotMatch((r.error as Error).message, /\n/);
        errors++;
      }
      if (detectCaptureFormat(input) === "pcapng") {
        try {
          readPcapngInfo(input);
        } catch (e) {
          assert.ok(e instanceof PcapFormatError, `${f.name} mutation ${n}: ${e}`);
        }
      }
      // Every record takes at least a 12-byte block or a 16-byte header: the walk ends.
      assert.ok(r.data.length <= input.length / 12);
      records += r.data.length;
      slowest = Math.max(slowest, performance.now() - t0);
    }
    assert.ok(errors > 500 && records > 10_000, `errors ${errors}, records ${records}`);
    assert.ok(slowest < 2000, `one file took ${slowest.toFixed(0)} ms`);
    console.log(`  ${errors} refused, ${records} records read, slowest ${slowest.toFixed(0)} ms`);
  },
});
