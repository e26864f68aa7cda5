// Which program the integration tests drive as the capturer. The real one is bin/xskdump;
// XSKDUMP_CAPTURER=tcpdump swaps in tcpdump to prove the harness itself against a peer
// that is known to capture every frame on veth.

export type CaptureMode = "native" | "generic";
export type CapturerKind = "xskdump" | "tcpdump";

const repoRoot = new URL("../../", import.meta.url).pathname;

function kindFromEnv(): CapturerKind {
  const v = Deno.env.get("XSKDUMP_CAPTURER") ?? "xskdump";
  if (v !== "xskdump" && v !== "tcpdump") {
    throw new Error(`XSKDUMP_CAPTURER must be xskdump or tcpdump, not ${JSON.stringify(v)}`);
  }
  return v;
}

export const capturerKind: CapturerKind = kindFromEnv();

/**
 * argv that captures `count` frames received on ifname into outPath (classic pcap), then
 * exits 0 by itself. tcpdump ignores mode: it has no XDP.
 */
export function capturerCommand(
  mode: CaptureMode,
  ifname: string,
  outPath: string,
  count: number,
): string[] {
  if (capturerKind === "tcpdump") {
    // -Q in: receive only, like XDP. -Z root: keep writing as root into our 0700 temp dir.
    // --immediate-mode -U: deliver and write each frame without buffering.
    return [
      "tcpdump",
      "-i",
      ifname,
      "-Q",
      "in",
      "-Z",
      "root",
      "-w",
      outPath,
      "-c",
      String(count),
      "--immediate-mode",
      "-U",
    ];
  }
  // XSKDUMP_BIN runs the same tests against another build, e.g. the single binary in dist/.
  // --divert: these tests are the AF_XDP path's, addressed interface or not (tap mode has its
  // own, tap_test.ts).
  const bin = Deno.env.get("XSKDUMP_BIN") ?? `${repoRoot}bin/xskdump`;
  return [bin, "-i", ifname, "-w", outPath, "-c", String(count), "--mode", mode, "--divert"];
}

/** The stderr line the capturer prints once it receives (after attach and socket setup). */
export function capturerReady(mode: CaptureMode, ifname: string): RegExp {
  if (capturerKind === "tcpdump") return new RegExp(`listening on ${ifname}\\b`);
  // e.g. "listening on xc0, queue 0, mode native": the mode must be the one asked for, so a
  // silent fallback from native to generic fails here.
  return new RegExp(`listening on ${ifname}, queue \\d+, mode ${mode}\\b`);
}

/** Environment for the capturer: bin/xskdump may start with `#!/usr/bin/env deno`, and the
 * project's deno lives in .tools/, which is not necessarily on PATH. */
export function capturerEnv(): Record<string, string> {
  return { PATH: `${repoRoot}.tools/node_modules/.bin:${Deno.env.get("PATH") ?? ""}` };
}
