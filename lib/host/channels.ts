/**
 * --single-queue: one RX queue for the capture, restored on every exit path.
 * Session layer (like capture.ts): it changes interface state through the
 * shim. What a SIGKILL leaves changed is recorded in a state file under
 * /run/xskdump/, so `xskdump restore` or the next run on the interface puts
 * it back.
 * @module
 */
import {
  type Channels,
  getChannels,
  hostFacts,
  processStart as startOf,
  queryXdp,
  setChannels,
} from "../../ffi/xsk.ts";

/** The counts `ethtool -L` sets. */
export type ChannelCounts = Pick<Channels, "rx" | "tx" | "other" | "combined">;

/** What a state file records. */
export interface ChannelState {
  version: 1;
  iface: string;
  /** Inode of the network namespace: the same name can exist in several. */
  netns: number;
  pid: number;
  /** Start time of that process (/proc/PID/stat field 22), so a reused PID is not mistaken. */
  pidStart: string;
  original: ChannelCounts;
  applied: ChannelCounts;
  command: string;
}

/** A channel change in force; restore() puts the original counts back. */
export interface ChannelChange {
  iface: string;
  original: ChannelCounts;
  applied: ChannelCounts;
  /** The ethtool command that does the same. */
  command: string;
  /** The ethtool command that undoes it. */
  undo: string;
  restore(): void;
}

/** One state file dealt with by restoreRecorded(). */
export interface RestoreOutcome {
  iface: string;
  restored: boolean;
  message: string;
}

/** Where state files live (XSKDUMP_STATE_DIR overrides, for tests). */
export function stateDir(): string {
  return Deno.env.get("XSKDUMP_STATE_DIR") ?? "/run/xskdump";
}

function netnsId(): number {
  return hostFacts().netns;
}

function statePath(iface: string, netns = netnsId()): string {
  return `${stateDir()}/${netns}-${iface}.json`;
}

/** Start time of a process as text, "" when it is gone. */
function processStart(pid: number): string {
  return startOf(pid)?.toString() ?? "";
}

function alive(state: ChannelState): boolean {
  return state.pid !== Deno.pid && processStart(state.pid) === state.pidStart;
}

function ethtoolCommand(iface: string, c: Partial<ChannelCounts>): string {
  const parts = Object.entries(c).map(([k, v]) => `${k} ${v}`);
  return `ethtool -L ${iface} ${parts.join(" ")}`;
}

function writeState(path: string, state: ChannelState): void {
  Deno.mkdirSync(stateDir(), { recursive: true, mode: 0o755 });
  const tmp = `${path}.${Deno.pid}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  Deno.renameSync(tmp, path); // a reader sees the old file or the whole new one
}

function readState(path: string): ChannelState | undefined {
  try {
    const s = JSON.parse(Deno.readTextFileSync(path));
    return s?.version === 1 ? s as ChannelState : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Puts back what a dead xskdump recorded, for `iface` or for every interface
 * of this network namespace. A state file of a live xskdump is left alone.
 */
export function restoreRecorded(iface?: string): RestoreOutcome[] {
  const netns = netnsId();
  const out: RestoreOutcome[] = [];
  let names: string[];
  try {
    names = [...Deno.readDirSync(stateDir())].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return out;
    throw e;
  }
  for (const name of names.sort()) {
    if (!name.startsWith(`${netns}-`) || !name.endsWith(".json")) continue;
    const path = `${stateDir()}/${name}`;
    const state = readState(path);
    if (!state || (iface !== undefined && state.iface !== iface)) continue;
    if (alive(state)) {
      out.push({
        iface: state.iface,
        restored: false,
        message: `${state.iface} is in use by xskdump pid ${state.pid}: left alone`,
      });
      continue;
    }
    setChannels(state.iface, state.original);
    Deno.removeSync(path);
    out.push({
      iface: state.iface,
      restored: true,
      message: `restored the channels of ${state.iface} left changed by pid ${state.pid} ` +
        `(${ethtoolCommand(state.iface, state.original)})`,
    });
  }
  return out;
}

/**
 * Sets `iface` to one RX queue the way `ethtool -L IFACE rx 1` does, or
 * `combined 1` when the driver has combined channels only. Records the
 * original counts first. Returns undefined when it already has one RX queue.
 */
export function singleQueue(iface: string): ChannelChange | undefined {
  const path = statePath(iface);
  const recorded = readState(path);
  if (recorded && alive(recorded)) {
    throw new Error(
      `another xskdump (pid ${recorded.pid}) has changed the channels of ${iface}`,
    );
  }
  const ch = getChannels(iface);
  // Fewer queues under a running capture would take its queue (or its traffic) away.
  if ((ch.maxRx > 0 ? ch.rx : ch.combined) > 1) {
    const xdp = queryXdp(iface);
    if (xdp.owner === "xskdump") {
      throw new Error(
        `another xskdump captures on ${iface} (XDP program ${xdp.progId}): --single-queue would ` +
          `change its queues under it`,
      );
    }
  }
  const original: ChannelCounts = {
    rx: ch.rx,
    tx: ch.tx,
    other: ch.other,
    combined: ch.combined,
  };
  let change: Partial<ChannelCounts>;
  if (ch.maxRx > 0) {
    if (ch.rx <= 1) return undefined;
    change = { rx: 1 };
  } else if (ch.maxCombined > 0) {
    if (ch.combined <= 1) return undefined;
    change = { combined: 1 };
  } else {
    throw new Error(`${iface} has no RX or combined channels to change (ethtool -L)`);
  }
  const applied: ChannelCounts = { ...original, ...change };
  const command = ethtoolCommand(iface, change);
  const state: ChannelState = {
    version: 1,
    iface,
    netns: netnsId(),
    pid: Deno.pid,
    pidStart: processStart(Deno.pid),
    original,
    applied,
    command,
  };
  writeState(path, state); // before the change: a SIGKILL right after it is still undone
  try {
    setChannels(iface, applied);
  } catch (e) {
    Deno.removeSync(path);
    throw e;
  }
  let restored = false;
  const undoChange = ch.maxRx > 0 ? { rx: original.rx } : { combined: original.combined };
  return {
    iface,
    original,
    applied,
    command,
    undo: ethtoolCommand(iface, undoChange),
    restore() {
      if (restored) return;
      setChannels(iface, original);
      restored = true;
      Deno.removeSync(path);
    },
  };
}
