/**
 * What the kernel says about an interface, asked from outside the process under test: the XDP
 * programs attached (`ip link`), whether the host stack behind it answers, and one-instruction
 * XDP programs that stand in for someone else's.
 * @module
 */
import { nsExec, run, type VethPair } from "./netns.ts";

/** XDP attach modes on an interface ("native", "generic", "offload", "multi"); [] if none. */
export async function xdpModes(ns: string, ifname: string): Promise<string[]> {
  const link = await linkJson(ns, ifname);
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

/** The id of the XDP program on an interface; 0 when there is none. */
export async function xdpProgId(ns: string, ifname: string): Promise<number> {
  return (await linkJson(ns, ifname))?.xdp?.prog?.id ?? 0;
}

/** The interfaces of a namespace that have an XDP program attached. */
export async function xdpInterfaces(ns: string): Promise<string[]> {
  const r = await run(["ip", "-n", ns, "-j", "link", "show"], { check: true });
  return (JSON.parse(r.stdout) as LinkJson[]).filter((l) => l.xdp).map((l) => l.ifname);
}

interface LinkJson {
  ifname: string;
  xdp?: { mode: number; prog?: { id: number }; attached?: { mode: number }[] };
}

async function linkJson(ns: string, ifname: string): Promise<LinkJson | undefined> {
  const r = await run(["ip", "-n", ns, "-j", "link", "show", "dev", ifname], { check: true });
  return (JSON.parse(r.stdout) as LinkJson[])[0];
}

/** XDP actions (enum xdp_action). */
export const XDP_DROP = 1;
export const XDP_PASS = 2;

/**
 * Builds an XDP program of one instruction returning `action`, named `name`, into dir (clang,
 * no headers): another program on the hook, or a capture that steals everything.
 */
export async function oneActionProgram(dir: string, name: string, action: number): Promise<string> {
  const src = `${dir}/${name}.c`;
  const obj = `${dir}/${name}.o`;
  await Deno.writeTextFile(
    src,
    `__attribute__((section("xdp"), used)) int ${name}(void *ctx) { return ${action}; }\n` +
      `char _license[] __attribute__((section("license"), used)) = "GPL";\n`,
  );
  await run(["clang", "-O2", "-target", "bpf", "-c", src, "-o", obj], { check: true });
  return obj;
}

/** The `ip link` hook of a mode: native (xdpdrv) or generic (xdpgeneric). */
const hook = (mode: "native" | "generic") => mode === "native" ? "xdpdrv" : "xdpgeneric";

/** Attaches the `xdp` section of obj to the interface with `ip link` (no BPF link). */
export async function attachXdp(
  ns: string,
  ifname: string,
  mode: "native" | "generic",
  obj: string,
): Promise<void> {
  await nsExec(ns, ["ip", "link", "set", "dev", ifname, hook(mode), "obj", obj, "sec", "xdp"], {
    check: true,
  });
}

/** Detaches what `ip link` attached in that mode (or in both); a no-op when none is there. */
export async function detachXdp(
  ns: string,
  ifname: string,
  modes: ("native" | "generic")[] = ["native", "generic"],
): Promise<void> {
  for (const m of modes) await nsExec(ns, ["ip", "link", "set", "dev", ifname, hook(m), "off"]);
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

/**
 * Ids of the BPF links or maps a process holds (its fds' fdinfo): only its own, so other
 * captures running on the machine at the same time cannot change what a test counts.
 */
export async function bpfIdsHeldBy(pid: number, kind: "link" | "map"): Promise<number[]> {
  const ids: number[] = [];
  const re = new RegExp(`^${kind}_id:\\s+(\\d+)$`, "m");
  for await (const e of Deno.readDir(`/proc/${pid}/fdinfo`)) {
    const info = await Deno.readTextFile(`/proc/${pid}/fdinfo/${e.name}`).catch(() => "");
    const m = info.match(re);
    if (m) ids.push(Number(m[1]));
  }
  return ids;
}
