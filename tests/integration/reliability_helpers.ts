// Helpers of the reliability tests (issue 9): reading what a capture left behind, waiting for
// a file to fill, and a stand-in AF_XDP socket that is not xskdump's.
import { type PcapRecord, pcapRecords } from "../../lib/formats/pcap.ts";
import { type Frame, type NsChild, run, spawnInNs, type VethPair } from "./netns.ts";

export const bin = new URL("../../bin/xskdump", import.meta.url).pathname;
export const READY_MS = 20_000;

/** What a pcap file holds up to its last complete record, and whether a partial one follows. */
export interface WholeRecords {
  frames: Frame[];
  /** The reader's complaint about the bytes after the last complete record, if any. */
  tail?: string;
}

/** Reads a pcap file with lib/formats/pcap.ts, keeping every complete record before a cut. */
export function wholeRecords(path: string): WholeRecords {
  const bytes = Deno.readFileSync(path);
  const frames: Frame[] = [];
  try {
    for (const r of pcapRecords(bytes) as Iterable<PcapRecord>) {
      frames.push({
        sec: r.sec,
        nsec: r.nsec,
        caplen: r.data.length,
        origLen: r.origLen,
        data: r.data,
      });
    }
  } catch (e) {
    return { frames, tail: e instanceof Error ? e.message : String(e) };
  }
  return { frames };
}

/** Complete records in a pcap file right now (0 while it has no header yet). */
function recordCount(path: string): number {
  try {
    return wholeRecords(path).frames.length;
  } catch {
    return 0;
  }
}

/** Polls until the pcap at `path` holds at least `n` complete records. */
export async function waitForRecords(path: string, n: number, timeoutMs: number): Promise<number> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const got = recordCount(path);
    if (got >= n) return got;
    if (performance.now() > end) {
      throw new Error(`${path} holds ${got} records, not ${n}, after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 25)); // polling a growing file, with a deadline
  }
}

/** The last non-empty line of a text. */
export function lastLine(text: string): string {
  return text.trimEnd().split("\n").at(-1) ?? "";
}

/** tcpreplay of `file` from the sender side at `pps`, in the background. */
export function replayInBackground(pair: VethPair, file: string, pps: number): NsChild {
  return spawnInNs(pair.senderNs, [
    "tcpreplay",
    "-q",
    "--no-flow-stats",
    "--pps",
    String(pps),
    "-i",
    pair.senderIf,
    file,
  ]);
}

// A plain AF_XDP socket bound to one queue, with no XDP program: "another AF_XDP socket on
// the queue" that is not xskdump's. Built with gcc on first use; prints "bound" on stderr,
// then waits to be killed.
const HOLDER_C = `
#include <linux/if_xdp.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif
int main(int argc, char **argv)
{
	struct xdp_umem_reg reg = { 0 };
	struct sockaddr_xdp sa = { 0 };
	size_t size = 64 * 4096;
	int n = 64, fd = socket(AF_XDP, SOCK_RAW, 0);
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (argc != 3 || fd < 0 || mem == MAP_FAILED)
		return perror("socket"), 1;
	reg.addr = (unsigned long)mem;
	reg.len = size;
	reg.chunk_size = 4096;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)))
		return perror("setsockopt"), 1;
	sa.sxdp_family = AF_XDP;
	sa.sxdp_ifindex = if_nametoindex(argv[1]);
	sa.sxdp_queue_id = (unsigned)atoi(argv[2]);
	sa.sxdp_flags = XDP_COPY;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return perror("bind"), 1;
	fprintf(stderr, "bound\\n");
	pause();
	return 0;
}
`;

let holderBuilt: Promise<string> | undefined;

/** Path of the queue-holder binary (built once per test process, removed at exit). */
export function queueHolderBinary(): Promise<string> {
  holderBuilt ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "xskt-holder-" });
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // a temp dir left behind is harmless
      }
    });
    await Deno.writeTextFile(`${dir}/holder.c`, HOLDER_C);
    await run(["gcc", "-O2", "-Wall", "-o", `${dir}/holder`, `${dir}/holder.c`], { check: true });
    return `${dir}/holder`;
  })();
  return holderBuilt;
}

/** Summary counts of an xskdump run (its stderr), by the words of lib/capture/summary.ts. */
export interface Summary {
  captured: number;
  received: number;
  dropped: number;
  /** Passed to the stack, the filter's included. */
  passed: number;
  filtered: number;
  notKept: number;
}

/** Parses the summary xskdump prints on stderr at the end. */
export function parseSummary(stderr: string): Summary {
  const num = (re: RegExp, dflt?: number): number => {
    const m = re.exec(stderr);
    if (!m) {
      if (dflt !== undefined) return dflt;
      throw new Error(`no ${re} in:\n${stderr}`);
    }
    return Number(m[1]);
  };
  return {
    captured: num(/^(\d+) packets? captured$/m),
    received: num(/^(\d+) packets? received by filter$/m),
    dropped: num(/^(\d+) packets? dropped by kernel/m),
    passed: num(/^(\d+) packets? passed to the stack/m),
    filtered: num(/passed to the stack \((\d+) by the filter\)$/m, 0),
    notKept: num(/^(\d+) packets? received after the count was reached/m, 0),
  };
}
