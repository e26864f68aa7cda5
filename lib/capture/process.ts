/**
 * Which process a packet belongs to (issue 20), as the tap programs put it into each record
 * (bpf/xskdump_tap.bpf.c): read from the record itself, never looked up per packet. The cgroup
 * id becomes a path (and a container id) once per cgroup, through a cache.
 * @module
 */
import {
  DESC_PROC_CLOSED,
  DESC_PROC_HOW_MAX,
  DESC_PROC_SHIFT,
  PROC_BYTES,
  PROC_FIELD,
  PROC_HOW,
} from "../../ffi/abi.ts";

/** How an attribution was found: a cgroup socket hook, the socket table at start, a listener. */
export type ProcessSource = "hook" | "table" | "listener";

const SOURCE_NAME: Record<number, ProcessSource> = {
  [PROC_HOW.hook]: "hook",
  [PROC_HOW.table]: "table",
  [PROC_HOW.listener]: "listener",
};

/** A packet's process. */
export interface PacketProcess {
  pid: number;
  /** The thread (the pid when only the process is known: the table at start). */
  tid: number;
  /** The command name (at most 15 bytes, as the kernel keeps it). */
  comm: string;
  /** cgroup v2 id. */
  cgroupId: bigint;
  /** How it was found. */
  source: ProcessSource;
  /** Its socket was released already (a FIN or RST after a close; the process may be gone). */
  closed: boolean;
}

/** 1..3 when a record's DESC_FLAGS say it carries a process, else 0. */
export function processHow(flags: number): number {
  return (flags >>> DESC_PROC_SHIFT) & DESC_PROC_HOW_MAX;
}

const decoder = new TextDecoder();

/**
 * The process of the record whose packet starts at `addr` in `view` (a tap's ring buffer), or
 * undefined when its DESC_FLAGS say it has none. Allocates: for output that prints or writes it.
 */
export function processOf(
  view: Uint8Array,
  addr: number,
  flags: number,
): PacketProcess | undefined {
  const how = processHow(flags);
  if (how === 0 || addr < PROC_BYTES) return undefined;
  const at = view.byteOffset + addr - PROC_BYTES;
  const dv = new DataView(view.buffer, at, PROC_BYTES);
  const comm = view.subarray(
    addr - PROC_BYTES + PROC_FIELD.comm,
    addr - PROC_BYTES + PROC_FIELD.comm + 16,
  );
  const end = comm.indexOf(0);
  return {
    pid: dv.getUint32(PROC_FIELD.pid, true),
    tid: dv.getUint32(PROC_FIELD.tid, true),
    comm: decoder.decode(end < 0 ? comm : comm.subarray(0, end)),
    cgroupId: dv.getBigUint64(PROC_FIELD.cgroupId, true),
    source: SOURCE_NAME[how],
    closed: ((flags >>> DESC_PROC_SHIFT) & DESC_PROC_CLOSED) !== 0,
  };
}

/** Container ids as runtimes name their cgroups: 64 hex digits (docker-, cri-containerd-, crio-). */
const CONTAINER_ID = /(?:^|[-/:])([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;

/** The container id in a cgroup path, if one of its components is one. */
export function containerOf(path: string): string | undefined {
  return CONTAINER_ID.exec(path)?.[1];
}

/** cgroup ids to paths, each asked once (a cgroup's path does not change while it exists). */
export class CgroupNames {
  readonly #resolve: (id: bigint) => string | undefined;
  readonly #cache = new Map<bigint, string | undefined>();

  constructor(resolve: (id: bigint) => string | undefined) {
    this.#resolve = resolve;
  }

  /** The path of cgroup `id` from the cgroup2 root, undefined when it is gone. */
  path(id: bigint): string | undefined {
    if (this.#cache.has(id)) return this.#cache.get(id);
    const p = this.#resolve(id);
    this.#cache.set(id, p);
    return p;
  }
}
