/**
 * A tap's clsact filters, where the kernel has no tcx (Linux < 6.6): unlike a BPF link, a
 * clsact filter outlives a SIGKILL. Like --single-queue (channels.ts), it is recorded in a
 * state file before it is added, removed on every exit path, and `xskdump restore` or the next
 * run removes what a killed capture left.
 * @module
 */
import { tcDetach } from "../../ffi/tap.ts";
import { netnsId, ownState, removeState, type StateBase, stateDir, writeState } from "./state.ts";

/** What a state file of a tap's clsact filters records. */
export interface TcState extends StateBase {
  kind: "tc";
  /** The handle of the filters (at xskdump's priority, on ingress and egress). */
  handle: number;
  /** The capture added the clsact qdisc: it goes too when nothing else is on it. */
  qdiscCreated: boolean;
}

/** The clsact handle of this process's filters: "XD" and the low bits of the pid. */
export function clsactHandle(pid = Deno.pid): number {
  return ((0x5844 << 16) | (pid & 0xffff)) >>> 0;
}

/** A recorded clsact handle, before the filters exist. */
export interface ClsactRecord {
  readonly handle: number;
  /** The filters are attached (and whether the capture added the qdisc): recorded. */
  attached(qdiscCreated: boolean): void;
  /** The filters are gone (or were never needed): the record goes. */
  release(): void;
}

/** Records that this process will add clsact filters to `iface`, before it does. */
export function recordClsact(iface: string): ClsactRecord {
  const path = `${stateDir()}/${netnsId()}-${iface}.tc-${Deno.pid}.json`;
  const state: TcState = {
    ...ownState(iface),
    kind: "tc",
    handle: clsactHandle(),
    qdiscCreated: false,
  };
  writeState(path, state);
  return {
    handle: state.handle,
    attached(qdiscCreated: boolean): void {
      if (qdiscCreated) writeState(path, { ...state, qdiscCreated } as TcState);
    },
    release(): void {
      removeState(path);
    },
  };
}

/** Removes what a dead capture's record names; the line to print. */
export function restoreClsact(state: TcState): string {
  tcDetach(state.iface, state.handle, state.qdiscCreated);
  return `removed the clsact filter (handle 0x${state.handle.toString(16)}) that pid ` +
    `${state.pid} left on ${state.iface}${
      state.qdiscCreated ? ", and its empty clsact qdisc" : ""
    }`;
}
