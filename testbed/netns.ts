/**
 * Network namespaces joined by a veth pair, and commands run inside them: the ground every
 * integration test and the bench stand on. Every namespace made here is removed on every exit
 * path, a SIGKILL of this process included (a reaper process does it); each test makes its own.
 * @module
 */

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
  /** RX and TX queues of both ends (veth picks the receiver's RX queue from the sender's TX
   * queue, so the sender needs as many). */
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

/** Whether a command is on PATH. */
export async function have(name: string): Promise<boolean> {
  return (await run(["sh", "-c", `command -v ${name}`])).code === 0;
}

/** Runs fn with a new temporary directory named after prefix, always removed afterwards. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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

/**
 * Waits until a TCP connection in namespace `ns` to `peer` ("addr:port") is in TIME-WAIT: the
 * side that closed last has then sent its final ACK (it goes out before the state changes), so
 * every capture point has seen the connection's last frame. Throws after timeoutMs.
 */
export async function untilTimeWait(ns: string, peer: string, timeoutMs: number): Promise<void> {
  let out = "";
  const done = await pollUntil(
    async () => {
      out = (await nsExec(ns, ["ss", "-Htan", "state", "time-wait"])).stdout;
      return out.split("\n").some((l) => l.trim().split(/\s+/).includes(peer));
    },
    timeoutMs,
    20,
  );
  if (!done) throw new Error(`no TIME-WAIT connection to ${peer} in ${ns}:\n${out}`);
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
  return await reaped([pair.captureNs, pair.senderNs], async (created) => {
    for (const ns of [pair.captureNs, pair.senderNs]) {
      await run(["ip", "netns", "add", ns], { check: true });
      created.push(ns);
      // Before the veth exists, so the new devices inherit it from "default".
      await disableIpv6(ns, []);
    }
    const queues = [
      ...(opts.rxQueues ? ["numrxqueues", String(opts.rxQueues)] : []),
      ...(opts.txQueues ? ["numtxqueues", String(opts.txQueues)] : []),
    ];
    const end = (ifname: string, ns: string) => [ifname, "netns", ns, ...queues];
    await run(
      [
        ...["ip", "link", "add", ...end(pair.captureIf, pair.captureNs)],
        ...["type", "veth", "peer", "name", ...end(pair.senderIf, pair.senderNs)],
      ],
      { check: true },
    );
    for (const [ns, ifname] of [[pair.captureNs, pair.captureIf], [pair.senderNs, pair.senderIf]]) {
      // Explicitly too, before link up: with IPv6 on, the kernel sends MLD/ND frames of its
      // own that would land in the capture beside the replayed ones.
      await disableIpv6(ns, [ifname]);
      const link = ["ip", "-n", ns, "link", "set", "dev", ifname];
      if (opts.mtu) await run([...link, "mtu", String(opts.mtu)], { check: true });
      await run([...link, "up"], { check: true });
    }
    return await fn(pair);
  });
}

/**
 * Runs body, which creates namespaces among `namespaces` (pushing each into `created` once it
 * exists); those are always deleted afterwards, by a reaper should this process die first.
 */
async function reaped<T>(
  namespaces: string[],
  body: (created: string[]) => Promise<T>,
): Promise<T> {
  const reaper = startReaper(namespaces);
  const created: string[] = [];
  let result: T;
  try {
    result = await body(created);
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
 * Creates one namespace of its own (IPv6 off, loopback up), runs fn with its name, and always
 * deletes it (a reaper does, should this process die). Fails if fn left a process in it.
 */
export function withNamespace<T>(fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = `${prefix}${pairCounter++}-ns`;
  return reaped([ns], async (created) => {
    await run(["ip", "netns", "add", ns], { check: true });
    created.push(ns);
    await disableIpv6(ns, []);
    await run(["ip", "-n", ns, "link", "set", "dev", "lo", "up"], { check: true });
    return await fn(ns);
  });
}

/**
 * Runs fn with a veth pair (see withVethPair) and a new temporary directory named after
 * prefix; both are always removed, the directory after the pair, also when fn throws.
 */
export function withPairAndDir<T>(
  prefix: string,
  fn: (pair: VethPair, dir: string) => Promise<T>,
  opts?: VethOptions,
): Promise<T> {
  return withTempDir(prefix, (dir) => withVethPair((pair) => fn(pair, dir), opts));
}

/** Process ids inside a namespace (`ip netns pids`). */
export async function pidsIn(ns: string): Promise<number[]> {
  return (await run(["ip", "netns", "pids", ns])).stdout.split(/\s+/).filter(Boolean).map(Number);
}

/** SIGKILLs every process inside a namespace and waits (up to 1 s) until none is left. */
export async function killAllIn(ns: string): Promise<void> {
  for (const pid of await pidsIn(ns)) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  await pollUntil(async () => (await pidsIn(ns)).length === 0, 1000, 20);
}

async function deleteNamespaces(namespaces: string[]): Promise<void> {
  const failures: string[] = [];
  for (const ns of namespaces) {
    // A deleted namespace lives on (veth and all) while a process is inside it. Only this
    // test's children can be there, and a capturer that leaves one behind is a bug to show.
    for (const pid of await pidsIn(ns)) {
      const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "?");
      failures.push(`process ${pid} (${cmdline.replaceAll("\0", " ").trim()}) left in ${ns}`);
    }
    await killAllIn(ns);
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

/** The interface's MAC address. */
export async function macOf(ns: string, ifname: string): Promise<string> {
  const r = await run(["ip", "-n", ns, "-j", "link", "show", "dev", ifname], { check: true });
  return (JSON.parse(r.stdout) as { address: string }[])[0].address;
}

/** The interface's packet counters (`ip -s link`: what the driver counted). */
export async function linkCounters(
  ns: string,
  ifname: string,
): Promise<{ rxPackets: number; rxDropped: number; txPackets: number; txDropped: number }> {
  const r = await run(["ip", "-n", ns, "-s", "-j", "link", "show", "dev", ifname], {
    check: true,
  });
  const s = JSON.parse(r.stdout)[0].stats64;
  return {
    rxPackets: Number(s.rx.packets),
    rxDropped: Number(s.rx.dropped),
    txPackets: Number(s.tx.packets),
    txDropped: Number(s.tx.dropped),
  };
}

/** Sets the RX and TX queue count of both ends (`ethtool -L`; veth has no combined ones). */
export async function setQueues(pair: VethPair, n: number): Promise<void> {
  for (const [ns, ifname] of [[pair.captureNs, pair.captureIf], [pair.senderNs, pair.senderIf]]) {
    await nsExec(ns, ["ethtool", "-L", ifname, "rx", String(n), "tx", String(n)], { check: true });
  }
}

/** The interface's current RX queue count (`ethtool -l`). */
export async function rxQueues(ns: string, ifname: string): Promise<number> {
  const r = await nsExec(ns, ["ethtool", "-l", ifname], { check: true });
  const current = r.stdout.slice(r.stdout.indexOf("Current hardware settings"));
  return Number(/^RX:\s+(\d+)/m.exec(current)?.[1]);
}

/**
 * Whether a file's tests are to be ignored here because they need root (and this is not):
 * says so once, naming what they need. `const ignore = rootOnly("cli_live");`
 */
export function rootOnly(file: string, needs = "network namespaces, veth, XDP"): boolean {
  if (!isRoot) console.log(`${file}: skipped, needs root (${needs})`);
  return !isRoot;
}
