/**
 * Which process a packet belongs to (issue 20), as the tap programs put it into each record
 * (bpf/xskdump_tap.bpf.c): read from the record itself, never looked up per packet. The cgroup
 * id becomes a path (and a container id) once per cgroup, through a cache.
 * @module
 */
import { epbProcessOptions } from "../formats/pcapng.ts";
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

/** What a packet's process reads as, in a file and on a text line. */
export interface ProcessLabel {
  process: PacketProcess;
  /** Its cgroup's path from the cgroup2 root (undefined: the cgroup is gone). */
  cgroup?: string;
  /** The opt_comment: "pid 4321 tid 4322 nginx cgroup /system.slice/nginx.service (socket hook)". */
  comment: string;
  /** Encoded EPB options: epb_processid_threadid and the comment. */
  options: Uint8Array;
  /** What --print-process appends to a text line: " [pid 4321 nginx]". */
  suffix: string;
}

const SOURCE_WORDS: Record<ProcessSource, string> = {
  hook: "socket hook",
  table: "socket table at start",
  listener: "listener of an accepted connection",
};

/** The comment a file carries for a packet's process. */
export function processComment(p: PacketProcess, cgroup: string | undefined): string {
  const container = cgroup === undefined ? undefined : containerOf(cgroup);
  return `pid ${p.pid} tid ${p.tid} ${p.comm} cgroup ${cgroup ?? `id ${p.cgroupId}`}` +
    (container ? ` container ${container.slice(0, 12)}` : "") +
    ` (${SOURCE_WORDS[p.source]}${p.closed ? ", socket closed" : ""})`;
}

/** u32 words a label is valid for: the block's cgroup id (2), pid, tid, comm (4); then how. */
const KEY_WORDS = 9;
/** Labels kept before the cache starts over (each process and thread of the capture once). */
const MAX_LABELS = 65536;

/**
 * Labels of packets' processes, each made once per process, thread, cgroup, command and how it
 * was found: a packet of a process seen before costs a map lookup and nine word compares, no
 * allocation.
 */
export class ProcessLabels {
  readonly #names: CgroupNames;
  readonly #cache = new Map<number, { key: Uint32Array; label: ProcessLabel }>();
  #buffer: ArrayBufferLike | undefined;
  #words: Uint32Array = new Uint32Array(0);

  constructor(cgroupPath: (id: bigint) => string | undefined) {
    this.#names = new CgroupNames(cgroupPath);
  }

  /** The label of the record whose packet starts at `addr` in `view`, undefined without one. */
  of(view: Uint8Array, addr: number, flags: number): ProcessLabel | undefined {
    const how = (flags >>> DESC_PROC_SHIFT) & (DESC_PROC_HOW_MAX | DESC_PROC_CLOSED);
    const at = view.byteOffset + addr - PROC_BYTES;
    if ((how & DESC_PROC_HOW_MAX) === 0 || addr < PROC_BYTES || (at & 3) !== 0) return undefined;
    if (view.buffer !== this.#buffer) {
      this.#buffer = view.buffer;
      this.#words = new Uint32Array(view.buffer, 0, view.buffer.byteLength >>> 2);
    }
    const w = this.#words;
    const i = at >>> 2;
    const pid = w[i + PROC_FIELD.pid / 4];
    const tid = w[i + PROC_FIELD.tid / 4];
    const slot = pid * 4194304 + (tid & 0x3fffff);
    const hit = this.#cache.get(slot);
    if (hit !== undefined) {
      const k = hit.key;
      let same = k[KEY_WORDS - 1] === how;
      for (let j = 0; same && j < KEY_WORDS - 1; j++) same = k[j] === w[i + j];
      if (same) return hit.label;
    }
    const process = processOf(view, addr, flags)!;
    const cgroup = this.#names.path(process.cgroupId);
    const comment = processComment(process, cgroup);
    const label: ProcessLabel = {
      process,
      cgroup,
      comment,
      options: epbProcessOptions(process.pid, process.tid, comment),
      suffix: ` [pid ${process.pid} ${process.comm}]`,
    };
    const key = new Uint32Array(KEY_WORDS);
    key.set(w.subarray(i, i + KEY_WORDS - 1));
    key[KEY_WORDS - 1] = how;
    if (this.#cache.size >= MAX_LABELS) this.#cache.clear();
    this.#cache.set(slot, { key, label });
    return label;
  }
}
