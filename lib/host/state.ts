/**
 * State files: what a running xskdump changed on an interface, recorded under /run/xskdump/
 * before the change, so that `xskdump restore` or the next run can undo what a SIGKILL left
 * (channels.ts: --single-queue; tc_state.ts: a tap's clsact filters where tcx is missing).
 * @module
 */
import { hostFacts, processStart as startOf } from "../../ffi/xsk.ts";

/** What every state file records besides its own kind's fields. */
export interface StateBase {
  version: 1;
  /** "channels" (absent in files of older versions) or "tc". */
  kind?: "channels" | "tc";
  iface: string;
  /** Inode of the network namespace: the same name can exist in several. */
  netns: number;
  pid: number;
  /** Start time of that process (/proc/PID/stat field 22), so a reused PID is not mistaken. */
  pidStart: string;
}

/** Where state files live (XSKDUMP_STATE_DIR overrides, for tests). */
export function stateDir(): string {
  return Deno.env.get("XSKDUMP_STATE_DIR") ?? "/run/xskdump";
}

/** This process's network namespace. */
export function netnsId(): number {
  return hostFacts().netns;
}

/** Start time of a process as text, "" when it is gone. */
export function processStart(pid: number): string {
  return startOf(pid)?.toString() ?? "";
}

/** Whether the xskdump that wrote `state` still runs (and is not this one). */
export function alive(state: StateBase): boolean {
  return state.pid !== Deno.pid && processStart(state.pid) === state.pidStart;
}

/** The fields every state file of this process starts with. */
export function ownState(iface: string): StateBase {
  return {
    version: 1,
    iface,
    netns: netnsId(),
    pid: Deno.pid,
    pidStart: processStart(Deno.pid),
  };
}

export function writeState(path: string, state: StateBase): void {
  Deno.mkdirSync(stateDir(), { recursive: true, mode: 0o755 });
  const tmp = `${path}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  Deno.renameSync(tmp, path); // a reader sees the old file or the whole new one
}

export function readState<T extends StateBase>(path: string): T | undefined {
  try {
    const s = JSON.parse(Deno.readTextFileSync(path));
    return s?.version === 1 ? s as T : undefined;
  } catch {
    return undefined;
  }
}

/** Removes a state file; one already gone is fine. */
export function removeState(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** The state files of this network namespace (paths), for every interface or one. */
export function stateFiles(): string[] {
  const netns = netnsId();
  let names: string[];
  try {
    names = [...Deno.readDirSync(stateDir())].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return names.sort().filter((n) => n.startsWith(`${netns}-`) && n.endsWith(".json"))
    .map((n) => `${stateDir()}/${n}`);
}
