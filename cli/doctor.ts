/**
 * `xskdump doctor`: gathers the facts of this host (and of -i IFACE) and
 * prints lib/host/doctor.ts's verdicts, as text or one JSON object.
 * @module
 */
import { DEFAULT_BUFFER_BYTES } from "../lib/capture/session.ts";
import {
  hostFacts,
  ifaceGro,
  ifaceRxMetadata,
  queryXdp,
  rxQueueCount,
  XdpProgram,
  XskError,
} from "../ffi/xsk.ts";
import { cgroupRoot, procProbe } from "../ffi/tap.ts";
import {
  type AttributionFacts,
  type DoctorFacts,
  formatChecks,
  type IfaceFacts,
  runChecks,
} from "../lib/host/doctor.ts";
import { type CliCommand, interfaceName } from "./command.ts";
import { reported, writeOut } from "./report.ts";

/** `xskdump doctor [-i IFACE] [--json]`: preflight checks. */
export interface DoctorArgs {
  kind: "doctor";
  iface?: string;
  json: boolean;
}

export const doctorCommand: CliCommand<DoctorArgs> = {
  name: "doctor",
  description: "Check whether this host can capture with xskdump.",
  synopsis: "[-i IFACE] [--json]",
  define: (cmd) =>
    cmd.option("-i, --interface <iface>", "only this interface")
      .option("--json", "one JSON object for scripts"),
  parse: (cmd) => ({
    kind: "doctor",
    iface: interfaceName(cmd.opts().interface),
    json: cmd.opts().json === true,
  }),
  run: (args) => reported(() => doctor(args.iface, args.json, DEFAULT_BUFFER_BYTES)),
};

function ifaceFacts(name: string, sshServer: string | undefined): IfaceFacts {
  let queues: number;
  try {
    queues = rxQueueCount(name);
  } catch (e) {
    if (e instanceof XskError && e.code === "ENODEV") {
      return { name, exists: false, rxQueues: 0, native: "no such interface", carriesSsh: false };
    }
    throw e;
  }
  const q = queryXdp(name);
  const xdp = q.mode === "none" ? undefined : { mode: q.mode, progId: q.progId, owner: q.owner };
  let native: true | string = "not tried: another XDP program is attached";
  if (!xdp) {
    try {
      XdpProgram.attach(name, "native").detach();
      native = true;
    } catch (e) {
      native = e instanceof Error ? e.message : String(e);
    }
  }
  const carriesSsh = sshServer !== undefined &&
    Deno.networkInterfaces().some((n) => n.name === name && n.address === sshServer);
  let gro: boolean | undefined;
  try {
    gro = ifaceGro(name);
  } catch {
    gro = undefined; // a driver without the ethtool GRO call: unknown
  }
  let rxMetadata: number | undefined;
  try {
    rxMetadata = ifaceRxMetadata(name);
  } catch {
    rxMetadata = undefined; // no netdev netlink family or no answer: unknown
  }
  return {
    name,
    exists: true,
    rxQueues: Math.max(queues, 1),
    xdp,
    native,
    gro,
    rxMetadata,
    carriesSsh,
  };
}

/** What the process attribution finds on this host (loads programs, attaches nothing). */
function attributionFacts(): AttributionFacts | undefined {
  let probes: AttributionFacts["probes"];
  try {
    probes = procProbe();
  } catch {
    return undefined; // no shim to ask: the other checks say why
  }
  let cgroup2: AttributionFacts["cgroup2"];
  try {
    cgroup2 = cgroupRoot();
  } catch (e) {
    cgroup2 = { error: e instanceof XskError ? e.message : String(e) };
  }
  return { probes, cgroup2 };
}

/** The facts doctor judges. */
export function gatherFacts(iface: string | undefined, umemBytes: number): DoctorFacts {
  const host = hostFacts();
  const sshServer = Deno.env.get("SSH_CONNECTION")?.trim().split(/\s+/)[2]?.replace(/%.*$/, "");
  return {
    kernel: host.kernel,
    capEff: host.capEff,
    memlock: host.memlock,
    btf: host.btf,
    umemBytes,
    sshServer,
    iface: iface === undefined ? undefined : ifaceFacts(iface, sshServer),
    attribution: attributionFacts(),
  };
}

/** Runs doctor; returns the exit code (1 when a check fails). */
export function doctor(iface: string | undefined, json: boolean, umemBytes: number): number {
  const facts = gatherFacts(iface, umemBytes);
  const checks = runChecks(facts);
  const ok = checks.every((c) => c.status !== "fail");
  const text = json
    ? JSON.stringify({ ok, kernel: facts.kernel, iface: iface ?? null, checks }) + "\n"
    : formatChecks(checks).join("\n") + "\n";
  writeOut(text);
  return ok ? 0 : 1;
}
