/**
 * A capture under test, start to end, in one place: start xskdump (or the API driver, tcpdump,
 * xsk_limit, xdpdump: anything that says when it receives) in the capture namespace, wait for
 * its ready line (one pattern per kind, one timeout policy), let traffic flow, end it (by
 * itself, or SIGINT/SIGTERM/SIGKILL), and read what it left: exit status, stdout, stderr and
 * xskdump's `--json` summary. The child is always gone when these return or throw.
 * @module
 */
import { type NsChild, spawnInNs } from "./child.ts";
import { nsExec, type RunResult, type VethPair } from "./netns.ts";
import { type XskdumpSummary, xskdumpSummary } from "./outputs.ts";

const repo = new URL("../", import.meta.url).pathname;

/** Startup: the BPF object loaded, the sockets made; generous on a busy CI box. */
export const READY_MS = 20_000;
/** A capture to end by itself (its count reached, its duration over) once traffic is sent. */
export const EXIT_MS = 15_000;
/** A capture to end after a signal. */
export const STOP_MS = 10_000;

/** bin/xskdump, or the build XSKDUMP_BIN names (e.g. the one file, dist/xskdump). */
export const XSKDUMP: string = Deno.env.get("XSKDUMP_BIN") ?? `${repo}bin/xskdump`;

export type Mode = "native" | "generic";

/**
 * The kind of line a capturer prints once it receives: xskdump's (also the examples',
 * xsk_limit's and every build of the CLI), tcpdump's (also xdpdump's) or the API driver's.
 */
export type ReadyKind = "xskdump" | "tcpdump" | "driver";

/** The ready line of a kind of capturer on ifname (xskdump: in that mode, if given). */
export function readyPattern(kind: ReadyKind, ifname: string, mode?: Mode): RegExp {
  switch (kind) {
    case "xskdump":
      // "listening on xc0, queue 0, mode native" or "..., queues 0,1,2,3, mode generic" (divert),
      // "listening on xc0, tap in and out (...), incoming at XDP native, ..." (tap): a mode
      // asked for must be the one named, so a silent fallback fails here.
      return new RegExp(
        `^listening on ${ifname}, (?:queues? [\\d,]+, mode ${mode ?? "(native|generic)"}\\b|` +
          `tap ${mode ? `.*incoming at XDP ${mode}\\b` : ""})`,
      );
    case "tcpdump":
      return new RegExp(`listening on ${ifname}\\b`);
    case "driver":
      return new RegExp(`^ready ${ifname}$`);
  }
}

export interface StartOptions {
  /** Which ready line to wait for (default xskdump's). */
  ready?: ReadyKind;
  /** xskdump: the mode its ready line must name. */
  mode?: Mode;
  /** Environment added to ours. */
  env?: Record<string, string>;
  /** Collect stdout, or hand it to this function chunk by chunk as it comes. */
  stdout?: boolean | ((chunk: Uint8Array) => void);
  /** A pipe to stdin, for {@link Capture.send}. */
  stdin?: boolean;
}

/** A capturer that has said it receives. */
export class Capture {
  constructor(readonly child: NsChild, readonly readyLine: string) {}

  get pid(): number {
    return this.child.pid;
  }

  stderr(): string {
    return this.child.stderrText();
  }

  stdout(): Uint8Array {
    return this.child.stdoutBytes();
  }

  stdoutText(): string {
    return new TextDecoder().decode(this.child.stdoutBytes());
  }

  /** Tells it something on stdin (the API driver goes on when told). */
  send(line: string): Promise<void> {
    return this.child.send(line);
  }

  /** Waits for it to end by itself. */
  exit(ms = EXIT_MS): Promise<Deno.CommandStatus> {
    return this.child.waitExit(ms);
  }

  /** Signals it and waits for it to end. */
  interrupt(sig: Deno.Signal = "SIGINT", ms = STOP_MS): Promise<Deno.CommandStatus> {
    this.child.signal(sig);
    return this.child.waitExit(ms);
  }

  /** Ends it with SIGINT, as a user does; throws, quoting its stderr, unless it exits 0. */
  async finish(ms = STOP_MS): Promise<void> {
    const status = await this.interrupt("SIGINT", ms);
    if (status.code !== 0) throw new Error(`exited ${status.code}:\n${this.stderr()}`);
  }

  /** SIGKILLs it if it still runs and waits for it: for finally blocks. */
  stop(): Promise<Deno.CommandStatus> {
    return this.child.stop();
  }

  /**
   * Waits until its XDP program has run on `n` packets, by the `seen` of its periodic JSON
   * statistics (xskdump started with `--stats-interval`): every packet sent so far has then
   * been redirected, filtered or passed, so a signal now cannot race one still in flight.
   */
  async seen(n: number, ms = EXIT_MS): Promise<void> {
    await this.child.waitForStderrLine((l) => {
      if (!l.startsWith('{"type":"stats"')) return false;
      return (JSON.parse(l) as { seen: number }).seen >= n;
    }, ms);
  }

  /** Its `--json` summary (xskdump started with json). */
  summary(): XskdumpSummary {
    return xskdumpSummary(this.stderr());
  }
}

/** Starts argv in the capture namespace and waits for its ready line; stops it on failure. */
export async function startCapture(
  pair: VethPair,
  argv: string[],
  opts: StartOptions = {},
): Promise<Capture> {
  const child = spawnInNs(pair.captureNs, argv, {
    env: opts.env,
    collectStdout: opts.stdout,
    stdin: opts.stdin,
  });
  try {
    const re = readyPattern(opts.ready ?? "xskdump", pair.captureIf, opts.mode);
    return new Capture(child, await child.waitForStderrLine(re, READY_MS));
  } catch (e) {
    await child.stop();
    throw e;
  }
}

export interface XskdumpOptions extends Omit<StartOptions, "ready" | "mode"> {
  /** Print the summary as JSON (default), which {@link Capture.summary} reads. */
  json?: boolean;
}

/**
 * `xskdump -i CAPTURE_IF [--json] ARGS` in the capture namespace, ready once it listens (in the
 * mode `--mode` asks for). No SSH exclusion unless env names a session: a test run over SSH
 * must capture what one run elsewhere does.
 */
export function startXskdump(
  pair: VethPair,
  args: string[],
  opts: XskdumpOptions = {},
): Promise<Capture> {
  const m = args[args.indexOf("--mode") + 1];
  return startCapture(
    pair,
    [XSKDUMP, "-i", pair.captureIf, ...(opts.json === false ? [] : ["--json"]), ...args],
    {
      ...opts,
      ready: "xskdump",
      mode: args.includes("--mode") && (m === "native" || m === "generic") ? m : undefined,
      env: { SSH_CONNECTION: "", ...opts.env },
    },
  );
}

/** `xskdump -i CAPTURE_IF ARGS` in the capture namespace, run to its end (a short one). */
export function runXskdump(
  pair: VethPair,
  args: string[],
  env?: Record<string, string>,
): Promise<RunResult> {
  return nsExec(pair.captureNs, [XSKDUMP, "-i", pair.captureIf, ...args], { env });
}

/** A wrapper for {@link runUnder}: user nobody, group nogroup, no supplementary groups. */
export const AS_NOBODY: readonly string[] = [
  "setpriv",
  "--reuid=nobody",
  "--regid=nogroup",
  "--clear-groups",
];

/**
 * A short idle capture of a build in the capture namespace, for what its privileges allow:
 * `wrapper` (a command that execs the rest: setpriv, capsh, runuser), then argv (env(1)
 * assignments, the program and its arguments, a filter among them) with `-i CAPTURE_IF
 * --duration 0.2 -w /dev/null`. stderr comes back trimmed.
 */
export async function runUnder(
  pair: VethPair,
  wrapper: readonly string[],
  argv: readonly string[],
): Promise<{ code: number; stderr: string }> {
  const r = await nsExec(pair.captureNs, [
    ...wrapper,
    // No SSH_CONNECTION: over SSH the CLI adds an exclusion filter of its own. Working
    // directory /: nobody may not enter ours.
    ...["env", "-u", "SSH_CONNECTION", "-C", "/", ...argv],
    ...["-i", pair.captureIf, "--duration", "0.2", "-w", "/dev/null"],
  ]);
  return { code: r.code, stderr: r.stderr.trim() };
}

/** Runs fn with a started capture and always stops the capture afterwards. */
export async function withCapture<T>(
  start: Promise<Capture>,
  fn: (cap: Capture) => Promise<T>,
): Promise<T> {
  const cap = await start;
  try {
    return await fn(cap);
  } finally {
    await cap.stop();
  }
}

/**
 * Waits for a capturer that stops at its count. When it is still running after ms (a frame never
 * reached it), it is interrupted so it prints its counts (tcpdump: "N packets dropped by
 * kernel"), and the error quotes them: a missing frame then says where it was lost.
 */
async function exitOrTell(cap: Capture, ms?: number): Promise<Deno.CommandStatus> {
  try {
    return await cap.exit(ms);
  } catch (e) {
    await cap.interrupt("SIGINT", 2000).catch(() => {});
    const said = cap.stderr().trim().split("\n").slice(-4).join(" | ");
    throw new Error(`${(e as Error).message}; it said: ${said}`);
  }
}

export interface Ended {
  cap: Capture;
  status: Deno.CommandStatus;
}

/**
 * A whole capture: starts it, runs `during` (send the traffic), then waits for it to end by
 * itself, or with `end` a signal, signals it and waits; always stops it.
 */
export async function captureWhile(
  start: Promise<Capture>,
  during: (cap: Capture) => Promise<unknown> = () => Promise.resolve(),
  end: "self" | Deno.Signal = "self",
  ms?: number,
): Promise<Ended> {
  return (await capturesWhile([start], ([cap]) => during(cap), end, ms))[0];
}

/**
 * Several captures side by side (xskdump and a tcpdump bystander): all started (and ready),
 * `during` run, then each waited for (or signalled) in order; every one always stopped.
 */
export async function capturesWhile(
  starts: Promise<Capture>[],
  during: (caps: Capture[]) => Promise<unknown>,
  end: "self" | Deno.Signal = "self",
  ms?: number,
): Promise<Ended[]> {
  const started = await Promise.allSettled(starts);
  const caps = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
  try {
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    await during(caps);
    const ended: Ended[] = [];
    for (const cap of caps) {
      const status = end === "self" ? await exitOrTell(cap, ms) : await cap.interrupt(end, ms);
      ended.push({ cap, status });
    }
    return ended;
  } finally {
    for (const cap of caps) await cap.stop();
  }
}

/**
 * The capturer of the corpus and kill -9 tests: bin/xskdump, or with XSKDUMP_CAPTURER=tcpdump
 * tcpdump, to prove the harness itself against a peer known to capture every frame on veth.
 */
export const capturerKind: "xskdump" | "tcpdump" = (() => {
  const v = Deno.env.get("XSKDUMP_CAPTURER") ?? "xskdump";
  if (v !== "xskdump" && v !== "tcpdump") {
    throw new Error(`XSKDUMP_CAPTURER must be xskdump or tcpdump, not ${JSON.stringify(v)}`);
  }
  return v;
})();

/**
 * Starts the capturer on the capture interface: `count` frames into outPath (classic pcap),
 * then it exits 0 by itself. tcpdump ignores mode: it has no XDP.
 */
export function startCapturer(
  pair: VethPair,
  mode: Mode,
  outPath: string,
  count: number,
): Promise<Capture> {
  if (capturerKind === "xskdump") {
    // --divert: these are the AF_XDP path's tests, address or not (tap_test.ts has the tap's).
    return startXskdump(pair, ["-w", outPath, "-c", String(count), "--mode", mode, "--divert"]);
  }
  return startTcpdump(pair, outPath, count);
}

/**
 * tcpdump options that make its ring hold `frames` frames of up to `maxFrameLen` bytes, so a
 * bystander that the scheduler keeps off the CPU for the whole replay still drops none of them.
 * Without -s, libpcap sizes each TPACKET_V2 slot (--immediate-mode) for 64 KiB on an interface
 * with offloads (veth has TSO and GSO on): 32 MiB then held 512 frames, and a stall of ~0.1 s at
 * 5000 pps lost packets in the kernel ("packets dropped by kernel"). A slot is the snap length
 * and at most 256 bytes of headers, rounded up to 16. The snap length has SNAP_SLACK to spare:
 * libpcap reckons the slot's header room 2 bytes smaller than the kernel takes for Ethernet, so a
 * slot sized to the frame exactly can cut its last 2 bytes (60-byte frames came as 58).
 */
export function tcpdumpRingFor(frames: number, maxFrameLen: number): string[] {
  const snaplen = maxFrameLen + SNAP_SLACK;
  const kib = Math.ceil((frames * (snaplen + 256)) / 1024);
  return ["-s", String(snaplen), "-B", String(Math.max(kib, 2048))];
}
const SNAP_SLACK = 64;

/**
 * tcpdump on the capture interface: `count` received frames into outPath (classic pcap), then
 * it exits 0 by itself. -Q in: receive only, like XDP; -Z root: it keeps writing as root into
 * our 0700 temp dirs; --immediate-mode -U: each frame delivered and written without buffering.
 */
export function startTcpdump(
  pair: VethPair,
  outPath: string,
  count: number,
  extra: string[] = [],
): Promise<Capture> {
  return startCapture(pair, [
    ...["tcpdump", "-i", pair.captureIf, "-Q", "in", "-Z", "root", "-w", outPath],
    ...["-c", String(count), "--immediate-mode", "-U", ...extra],
  ], { ready: "tcpdump" });
}
