/**
 * The process filter of a tap (--pid, --pname, --cgroup, --container): what the kernel side is
 * told to keep, with cgroups and containers resolved to cgroup2 ids, or on a v1 host to the
 * processes in them.
 * @module
 */
import { WANT } from "../../ffi/abi.ts";
import { cgroup1Pids, cgroupIds } from "../../ffi/tap.ts";
import { XskError } from "../../ffi/xsk.ts";
import type { ProcessOptions } from "./options.ts";

/**
 * A --cgroup path or --container id: the cgroup2 cgroups it names (ids), else, on a host whose
 * cgroups are v1 there, the processes in the v1 cgroups it names (pids, as they are at start).
 */
function cgroupSelection(spec: string, container: boolean): { ids: bigint[]; pids: number[] } {
  try {
    return { ids: cgroupIds(spec, container), pids: [] };
  } catch (e) {
    if (!(e instanceof XskError && e.code === "ENOENT")) throw e;
    try {
      return { ids: [], pids: cgroup1Pids(spec, container) };
    } catch (e1) {
      if (!(e1 instanceof XskError && e1.code === "ENOENT")) throw e1;
      throw new RangeError(
        container
          ? `no cgroup (v2 or v1) has ${spec} in its name`
          : `no cgroup ${spec} in the cgroup2 hierarchy or a cgroup v1 one`,
      );
    }
  }
}

/** The process filter's kinds (WANT bits) and values; cgroups and containers as ids or pids. */
export function processWanted(p: ProcessOptions | undefined): {
  kinds: number;
  pids: number[];
  comms: string[];
  cgroups: bigint[];
  cgroupPids: number[];
} {
  const pids = p?.pids ?? [];
  const comms = p?.comms ?? [];
  for (const pid of pids) {
    if (!Number.isInteger(pid) || pid < 1 || pid > 0x3fffffff) {
      throw new RangeError(`not a process id: ${pid}`);
    }
  }
  for (const c of comms) {
    if (c === "" || c.includes("\0")) throw new RangeError(`not a command name: '${c}'`);
  }
  const selected = [
    ...(p?.cgroups ?? []).map((c) => cgroupSelection(c, false)),
    ...(p?.containers ?? []).map((c) => cgroupSelection(c, true)),
  ];
  const kinds = (pids.length ? WANT.pid : 0) | (comms.length ? WANT.comm : 0) |
    (selected.length ? WANT.cgroup : 0);
  return {
    kinds,
    pids,
    comms: comms.map((c) => c.slice(0, 15)),
    cgroups: selected.flatMap((s) => s.ids),
    cgroupPids: selected.flatMap((s) => s.pids),
  };
}
