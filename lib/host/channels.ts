/**
 * --single-queue: one RX queue for the capture, restored on every exit path.
 * Session layer (like capture.ts): it changes interface state through the
 * shim. What a SIGKILL leaves changed is recorded in a state file under
 * /run/xskdump/, so `xskdump restore` or the next run on the interface puts
 * it back.
 * @module
 */
import { type Channels, getChannels, queryXdp, setChannels } from "../../ffi/xsk.ts";
import {
  alive,
  netnsId,
  ownState,
  readState,
  removeState,
  type StateBase,
  stateDir,
  stateFiles,
  writeState,
} from "./state.ts";
import { restoreClsact, type TcState } from "./tc_state.ts";

export { stateDir };

/** The counts `ethtool -L` sets. */
export type ChannelCounts = Pick<Channels, "rx" | "tx" | "other" | "combined">;

/** What a state file of --single-queue records. */
export interface ChannelState extends StateBase {
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

function statePath(iface: string, netns = netnsId()): string {
  return `${stateDir()}/${netns}-${iface}.json`;
}

function ethtoolCommand(iface: string, c: Partial<ChannelCounts>): string {
  const parts = Object.entries(c).map(([k, v]) => `${k} ${v}`);
  return `ethtool -L ${iface} ${parts.join(" ")}`;
}

/**
 * Puts back what a dead xskdump recorded, for `iface` or for every interface
 * of this network namespace. A state file of a live xskdump is left alone.
 */
export function restoreRecorded(iface?: string): RestoreOutcome[] {
  const out: RestoreOutcome[] = [];
  for (const path of stateFiles()) {
    const state = readState<ChannelState | TcState>(path);
    if (!state || (iface !== undefined && state.iface !== iface)) continue;
    if (alive(state)) {
      out.push({
        iface: state.iface,
        restored: false,
        message: `${state.iface} is in use by xskdump pid ${state.pid}: left alone`,
      });
      continue;
    }
    if (state.kind === "tc") {
      out.push({ iface: state.iface, restored: true, message: restoreClsact(state as TcState) });
    } else {
      const ch = state as ChannelState;
      setChannels(ch.iface, ch.original);
      out.push({
        iface: ch.iface,
        restored: true,
        message: `restored the channels of ${ch.iface} left changed by pid ${ch.pid} ` +
          `(${ethtoolCommand(ch.iface, ch.original)})`,
      });
    }
    removeState(path);
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
  const recorded = readState<ChannelState>(path);
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
    ...ownState(iface),
    kind: "channels",
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
