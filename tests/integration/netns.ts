// Integration harness: network namespaces joined by a veth pair, children run inside
// them, tcpreplay as the sender, and a tiny pcap reader for the ground-truth comparison.
// Every namespace made here is removed on every exit path; each test makes its own.

export interface VethPair {
  /** Namespace holding the capture side. */
  captureNs: string;
  /** Namespace holding the sender side. */
  senderNs: string;
  /** Capture interface (`xc0`), inside captureNs. */
  captureIf: string;
  /** Sender interface (`xs0`), inside senderNs. */
  senderIf: string;
}

export interface VethOptions {
  rxQueues?: number;
  txQueues?: number;
  mtu?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Throw (with the command's output) when it exits non-zero. */
  check?: boolean;
}

const decoder = new TextDecoder();

export const isRoot: boolean = Deno.uid() === 0;

/** Runs a command to completion and collects its output as text. */
export async function run(cmd: string[], opts: RunOptions = {}): Promise<RunResult> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env: opts.env,
    cwd: opts.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const result = {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
  if (opts.check && result.code !== 0) {
    throw new Error(
      `${cmd.join(" ")} exited ${result.code}\n${result.stderr.trim()}\n${result.stdout.trim()}`,
    );
  }
  return result;
}

/** Runs a command inside a network namespace. */
export function nsExec(ns: string, cmd: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(["ip", "netns", "exec", ns, ...cmd], opts);
}

// ---------------------------------------------------------------------------
// Namespaces and the veth pair

const prefix = `xskt-${Deno.pid}-`;
let pairCounter = 0;

// Removes the namespaces when this process dies before withVethPair's own cleanup runs. An
// in-process hook cannot: `deno test` answers SIGINT by exiting 130 from Rust before any JS
// signal listener or unload event runs, and SIGKILL runs nothing. The reaper learns of our
// death by EOF on its stdin, and ignores the Ctrl-C that reaches the whole process group.
const reaperScript = `trap '' INT TERM HUP
read -r verdict
[ "$verdict" = done ] && exit 0
for ns in "$@"; do
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid"; done
  ip netns del "$ns" 2>/dev/null
done`;

function startReaper(namespaces: string[]): Deno.ChildProcess {
  return new Deno.Command("sh", {
    args: ["-c", reaperScript, "xskt-reaper", ...namespaces],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function dismissReaper(reaper: Deno.ChildProcess): Promise<void> {
  const writer = reaper.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode("done\n"));
    await writer.close();
  } catch {
    // It has gone already: nothing left for it to do.
  }
  await reaper.status;
}

async function disableIpv6(ns: string, ifnames: string[]): Promise<void> {
  const keys = ["all", "default", ...ifnames].map((k) => `net.ipv6.conf.${k}.disable_ipv6=1`);
  await nsExec(ns, ["sysctl", "-q", "-w", ...keys], { check: true });
}

/**
 * Creates two namespaces joined by a veth pair (xc0 in the capture namespace, xs0 in the
 * sender namespace), IPv6 off and both ends up, runs fn, and always deletes both namespaces
 * (which removes the veth too). Fails if fn left a process running inside them.
 */
export async function withVethPair<T>(
  fn: (p: VethPair) => Promise<T>,
  opts: VethOptions = {},
): Promise<T> {
  const n = pairCounter++;
  const pair: VethPair = {
    captureNs: `${prefix}${n}-cap`,
    senderNs: `${prefix}${n}-snd`,
    captureIf: "xc0",
    senderIf: "xs0",
  };
  const namespaces = [pair.captureNs, pair.senderNs];
  const reaper = startReaper(namespaces);
  const created: string[] = [];
  let result: T;
  try {
    for (const ns of namespaces) {
      await run(["ip", "netns", "add", ns], { check: true });
      created.push(ns);
      // Before the veth exists, so the new devices inherit it from "default".
      await disableIpv6(ns, []);
    }
    const queues = [
      ...(opts.rxQueues ? ["numrxqueues", String(opts.rxQueues)] : []),
      ...(opts.txQueues ? ["numtxqueues", String(opts.txQueues)] : []),
    ];
    // Queue counts apply to both ends: veth picks the receiver's rx queue from the
    // sender's tx queue, so the sender needs as many.
    await run([
      "ip",
      "link",
      "add",
      pair.captureIf,
      "netns",
      pair.captureNs,
      ...queues,
      "type",
      "veth",
      "peer",
      "name",
      pair.senderIf,
      "netns",
      pair.senderNs,
      ...queues,
    ], { check: true });
    for (const [ns, ifname] of [[pair.captureNs, pair.captureIf], [pair.senderNs, pair.senderIf]]) {
      // Explicitly too, before link up: with IPv6 on, the kernel sends MLD/ND frames of its
      // own that would land in the capture beside the replayed ones.
      await disableIpv6(ns, [ifname]);
      if (opts.mtu) {
        await run(["ip", "-n", ns, "link", "set", "dev", ifname, "mtu", String(opts.mtu)], {
          check: true,
        });
      }
      await run(["ip", "-n", ns, "link", "set", "dev", ifname, "up"], { check: true });
    }
    result = await fn(pair);
  } catch (err) {
    await deleteNamespaces(created).catch((cleanupErr) => {
      console.error(`cleanup after failure also failed: ${cleanupErr}`);
    });
    await dismissReaper(reaper);
    throw err;
  }
  try {
    await deleteNamespaces(created);
  } finally {
    await dismissReaper(reaper);
  }
  return result;
}

/**
 * Runs fn with a veth pair (see withVethPair) and a new temporary directory named after
 * prefix; both are always removed, the directory after the pair, also when fn throws.
 */
export async function withPairAndDir<T>(
  prefix: string,
  fn: (pair: VethPair, dir: string) => Promise<T>,
  opts?: VethOptions,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await withVethPair((pair) => fn(pair, dir), opts);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function deleteNamespaces(namespaces: string[]): Promise<void> {
  const failures: string[] = [];
  for (const ns of namespaces) {
    // A deleted namespace lives on (veth and all) while a process is inside it. Only this
    // test's children can be there, and a capturer that leaves one behind is a bug to show.
    const pids = (await run(["ip", "netns", "pids", ns])).stdout.split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "?");
      failures.push(`process ${pid} (${cmdline.replaceAll("\0", " ").trim()}) left in ${ns}`);
      try {
        Deno.kill(Number(pid), "SIGKILL");
      } catch {
        // Exited meanwhile.
      }
    }
    const r = await run(["ip", "netns", "del", ns]);
    if (r.code !== 0) failures.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
  }
  if (failures.length > 0) throw new Error(failures.join("\n"));
}

/** Namespaces made by this process (or by any harness process, with `all`) that still exist. */
export async function leftoverNamespaces(all = false): Promise<string[]> {
  const r = await run(["ip", "netns", "list"], { check: true });
  return r.stdout.split("\n").map((l) => l.split(" ")[0])
    .filter((n) => n.startsWith(all ? "xskt-" : prefix));
}

/** Adds an IPv4 address (with prefix length) to an interface inside a namespace. */
export async function addAddress(ns: string, ifname: string, cidr: string): Promise<void> {
  await run(["ip", "-n", ns, "addr", "add", cidr, "dev", ifname], { check: true });
}

// ---------------------------------------------------------------------------
// Long-running children

export interface SpawnOptions {
  /** Collect stdout bytes (otherwise stdout is discarded). */
  collectStdout?: boolean;
}

export interface NsChild {
  readonly pid: number;
  /** Resolves when the process has exited and its stderr/stdout are fully read. */
  readonly status: Promise<Deno.CommandStatus>;
  /** All stderr text received so far. */
  stderrText(): string;
  /** All stdout bytes received so far (empty unless collectStdout). */
  stdoutBytes(): Uint8Array;
  /** Resolves with the first stderr line matching re (lines already seen count too). */
  waitForStderrLine(re: RegExp, timeoutMs: number): Promise<string>;
  /** Waits for exit; rejects with the stderr so far when it takes longer than timeoutMs. */
  waitExit(timeoutMs: number): Promise<Deno.CommandStatus>;
  /** Sends a signal; a no-op once the process has exited. */
  signal(sig: Deno.Signal): void;
  /** SIGKILLs the process if it still runs and waits for it (for finally blocks). */
  stop(): Promise<Deno.CommandStatus>;
}

interface LineWaiter {
  re: RegExp;
  resolve: (line: string) => void;
  reject: (err: Error) => void;
}

/** Starts a long-running command inside a namespace with stderr (and optionally stdout) piped. */
export function spawnInNs(
  ns: string,
  cmd: string[],
  env?: Record<string, string>,
  opts: SpawnOptions = {},
): NsChild {
  // `ip netns exec` execs the command in place, so the pid and signals are the command's own.
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, ...cmd],
    env,
    stdin: "null",
    stdout: opts.collectStdout ? "piped" : "null",
    stderr: "piped",
  }).spawn();
  const label = cmd.join(" ");
  let stderr = "";
  let partial = "";
  const lines: string[] = [];
  const waiters = new Set<LineWaiter>();
  const stdoutChunks: Uint8Array[] = [];
  let exited = false;
  let stderrClosed = false;

  const onLine = (line: string) => {
    lines.push(line);
    for (const w of waiters) {
      if (w.re.test(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  };

  const stderrDone = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) {
      const text = dec.decode(chunk, { stream: true });
      stderr += text;
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) onLine(line);
    }
    stderr += dec.decode();
    if (partial !== "") onLine(partial);
    partial = "";
    stderrClosed = true;
    // No more lines can come: fail whoever still waits.
    for (const w of waiters) {
      w.reject(
        new Error(`${label}: exited (stderr closed) before a line matched ${w.re}\n${stderr}`),
      );
    }
    waiters.clear();
  })();

  const stdoutDone = opts.collectStdout
    ? (async () => {
      for await (const chunk of child.stdout) stdoutChunks.push(chunk);
    })()
    : Promise.resolve();

  const status = (async () => {
    const s = await child.status;
    exited = true;
    await Promise.all([stderrDone, stdoutDone]);
    return s;
  })();

  const handle: NsChild = {
    pid: child.pid,
    status,
    stderrText: () => stderr,
    stdoutBytes: () => concat(stdoutChunks),
    waitForStderrLine(re: RegExp, timeoutMs: number): Promise<string> {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      if (stderrClosed) {
        return Promise.reject(new Error(`${label}: exited before a line matched ${re}\n${stderr}`));
      }
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(
            new Error(`${label}: no stderr line matched ${re} within ${timeoutMs} ms\n${stderr}`),
          );
        }, timeoutMs);
        const w: LineWaiter = {
          re,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        };
        waiters.add(w);
      });
    },
    waitExit(timeoutMs: number): Promise<Deno.CommandStatus> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`${label}: still running after ${timeoutMs} ms\n${stderr}`));
        }, timeoutMs);
      });
      return Promise.race([status, timeout]).finally(() => clearTimeout(timer));
    },
    signal(sig: Deno.Signal): void {
      if (exited) return;
      try {
        child.kill(sig);
      } catch {
        // Exited between the check and the kill.
      }
    },
    async stop(): Promise<Deno.CommandStatus> {
      handle.signal("SIGKILL");
      return await status;
    },
  };
  return handle;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Polls pred until it holds or timeoutMs passes; for state that has no event to wait on. */
export async function pollUntil(
  pred: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------
// Sending

export interface ReplayResult {
  /** Frames tcpreplay reports as sent successfully. */
  sent: number;
  /** Frames the kernel refused (e.g. larger than the MTU allows). */
  failed: number;
  truncated: number;
  seconds: number;
  output: string;
}

/** Replays a pcap from the sender side at a fixed packet rate and returns tcpreplay's counts. */
export async function replay(pair: VethPair, file: string, pps = 5000): Promise<ReplayResult> {
  // --no-flow-stats: the flow tracker cannot decode some frames and prints one warning per
  // frame; it changes nothing that is sent.
  const r = await nsExec(pair.senderNs, [
    "tcpreplay",
    "-q",
    "--no-flow-stats",
    "--pps",
    String(pps),
    "-i",
    pair.senderIf,
    file,
  ]);
  const output = `${r.stdout}\n${r.stderr}`;
  const num = (re: RegExp): number => {
    const m = output.match(re);
    if (!m) throw new Error(`tcpreplay output lacks ${re} (exit ${r.code}):\n${output}`);
    return Number(m[1]);
  };
  if (r.code !== 0) throw new Error(`tcpreplay exited ${r.code}:\n${output}`);
  return {
    sent: num(/Successful packets:\s+(\d+)/),
    failed: num(/Failed packets:\s+(\d+)/),
    truncated: num(/Truncated packets:\s+(\d+)/),
    seconds: num(/sent in ([\d.]+) seconds/),
    output,
  };
}

// ---------------------------------------------------------------------------
// Corpus

export interface Corpus {
  path: string;
  frames: number;
  files: number;
  maxFrameLen: number;
}

let corpusPromise: Promise<Corpus> | undefined;

function corpusDir(): string {
  const override = Deno.env.get("XSKDUMP_CORPUS");
  if (override) return override;
  // The repository is checked out beside shared/ (work/main next to work/shared).
  return new URL("../../../shared/corpus/tcpdump/", import.meta.url).pathname;
}

/**
 * The whole corpus as one classic pcap (files concatenated in name order), built once per
 * process in a temp dir; mergecap also converts the pcapng and big-endian members.
 *
 * Facts for the default corpus (206 files): 6120 frames, 25..1514 bytes, every one with
 * caplen == wire length. 1514 is exactly what a veth with the default MTU of 1500 carries
 * (VLAN-tagged frames may even be 4 bytes longer), and tcpreplay reports all 6120 sent and
 * 0 failed. So the expected capture is the whole file, in order; tests still assert
 * sent == frames and failed == 0, since tcpreplay's counts cannot say WHICH frames failed.
 */
export function mergedCorpus(dir: string = corpusDir()): Promise<Corpus> {
  corpusPromise ??= (async () => {
    const files: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /\.(pcap|pcapng|cap)$/.test(e.name)) files.push(e.name);
    }
    // Code-unit order, the same as `LC_ALL=C ls`.
    files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (files.length === 0) throw new Error(`no capture files in ${dir}`);
    const tmp = await Deno.makeTempDir({ prefix: "xskt-corpus-" });
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(tmp, { recursive: true });
      } catch {
        // Temp files are harmless.
      }
    });
    const path = `${tmp}/corpus.pcap`;
    await run(["mergecap", "-a", "-F", "pcap", "-w", path, ...files.map((f) => `${dir}/${f}`)], {
      check: true,
    });
    const frames = framesOf(path);
    return {
      path,
      frames: frames.length,
      files: files.length,
      maxFrameLen: frames.reduce((m, f) => Math.max(m, f.origLen), 0),
    };
  })();
  return corpusPromise;
}

// ---------------------------------------------------------------------------
// Reading captures (a deliberately tiny classic-pcap reader, independent of lib/)

export interface Frame {
  sec: number;
  /** Sub-second part in nanoseconds, whatever the file's precision. */
  nsec: number;
  caplen: number;
  origLen: number;
  data: Uint8Array;
}

/** All frames of a classic pcap file (µs or ns timestamps, either byte order). */
export function framesOf(pcapPath: string): Frame[] {
  const bytes = Deno.readFileSync(pcapPath);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24) throw new Error(`${pcapPath}: ${bytes.length} bytes, no pcap header`);
  const magicLE = view.getUint32(0, true);
  const magicBE = view.getUint32(0, false);
  let le: boolean;
  let nsScale: number;
  if (magicLE === 0xa1b2c3d4 || magicBE === 0xa1b2c3d4) {
    le = magicLE === 0xa1b2c3d4;
    nsScale = 1000;
  } else if (magicLE === 0xa1b23c4d || magicBE === 0xa1b23c4d) {
    le = magicLE === 0xa1b23c4d;
    nsScale = 1;
  } else {
    throw new Error(`${pcapPath}: not a classic pcap (magic 0x${magicBE.toString(16)})`);
  }
  const frames: Frame[] = [];
  let at = 24;
  while (at < bytes.length) {
    if (at + 16 > bytes.length) throw new Error(`${pcapPath}: truncated record header at ${at}`);
    const caplen = view.getUint32(at + 8, le);
    if (at + 16 + caplen > bytes.length) {
      throw new Error(`${pcapPath}: truncated record (${caplen} bytes) at ${at}`);
    }
    frames.push({
      sec: view.getUint32(at, le),
      nsec: view.getUint32(at + 4, le) * nsScale,
      caplen,
      origLen: view.getUint32(at + 12, le),
      data: bytes.subarray(at + 16, at + 16 + caplen),
    });
    at += 16 + caplen;
  }
  return frames;
}

function hexPrefix(b: Uint8Array | undefined, n = 32): string {
  if (!b) return "(none)";
  const hex = Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex}${b.length > n ? "..." : ""} (${b.length} bytes)`;
}

/**
 * Describes the first difference between two frame lists (count, bytes, or wire length),
 * or returns undefined when they match byte for byte and in order.
 */
export function firstMismatch(expected: Frame[], actual: Frame[]): string | undefined {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (!e || !a || !bytesEqual(e.data, a.data) || e.origLen !== a.origLen) {
      return `frame ${i} of ${expected.length} expected / ${actual.length} captured differs\n` +
        `  expected: ${hexPrefix(e?.data)} wire ${e?.origLen}\n` +
        `  captured: ${hexPrefix(a?.data)} wire ${a?.origLen}`;
    }
  }
  return undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------
// XDP and reachability probes

/** XDP attach modes on an interface ("native", "generic", "offload", "multi"); [] if none. */
export async function xdpModes(ns: string, ifname: string): Promise<string[]> {
  const r = await run(["ip", "-n", ns, "-j", "link", "show", "dev", ifname], { check: true });
  const [link] = JSON.parse(r.stdout) as {
    xdp?: { mode: number; attached?: { mode: number }[] };
  }[];
  if (!link?.xdp) return [];
  // Values of XDP_ATTACHED_* in linux/if_link.h.
  const names: Record<number, string> = { 1: "native", 2: "generic", 3: "offload", 4: "multi" };
  const modes = link.xdp.attached?.map((a) => a.mode) ?? [link.xdp.mode];
  return modes.map((m) => names[m] ?? `mode ${m}`);
}

/** Whether any XDP program is attached to the interface (as `ip link` reports it). */
export async function xdpAttached(ns: string, ifname: string): Promise<boolean> {
  return (await xdpModes(ns, ifname)).length > 0;
}

const probeSource = `
const [host, port, ms] = Deno.args;
const timer = setTimeout(() => { console.log("timeout"); Deno.exit(0); }, Number(ms));
try {
  (await Deno.connect({ hostname: host, port: Number(port) })).close();
  console.log("connected");
} catch (e) {
  console.log(e instanceof Deno.errors.ConnectionRefused ? "refused" : "error " + e);
}
clearTimeout(timer);
`;

/**
 * Opens a TCP connection from inside ns. "refused" or "connected" prove the peer's IP stack
 * got the SYN (after ARP) and answered. Used instead of ping, which is not installed on these
 * machines; it runs this same Deno binary, so it needs nothing else.
 */
export async function tcpProbe(
  ns: string,
  host: string,
  port = 9,
  timeoutMs = 1000,
): Promise<string> {
  const r = await nsExec(
    ns,
    [Deno.execPath(), "eval", "--no-config", probeSource, host, String(port), String(timeoutMs)],
    { cwd: "/", check: true },
  );
  return r.stdout.trim();
}

/** Whether the capture side's stack answers the sender side (up to `tries` probes). */
export async function stackReachable(
  pair: VethPair,
  captureAddr: string,
  tries = 3,
): Promise<{ reached: boolean; outcomes: string[] }> {
  const outcomes: string[] = [];
  for (let i = 0; i < tries; i++) {
    const o = await tcpProbe(pair.senderNs, captureAddr);
    outcomes.push(o);
    if (o === "refused" || o === "connected") return { reached: true, outcomes };
  }
  return { reached: false, outcomes };
}
