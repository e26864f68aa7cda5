/**
 * Thin typed wrappers over the shim's tap mode (csrc/tap.c, tc.c, tap_ring.c, ringbuf.c): the tap
 * programs of one capture and the ring buffer they copy packets into. No policy here: the session
 * layer decides (lib/capture/tap_source.ts).
 * @module
 */
import {
  ATTACH_MULTI_BUFFER,
  CGROUP_ROOT,
  DIR,
  HOOK_NAME,
  MODE,
  MODE_NAME,
  type ModeName,
  PROC_PROBES,
  PROC_STAT,
  PROC_STAT_WORDS,
  TABLE,
  TABLE_WORDS,
  TAP_HOOK,
  TAP_HOOK_WORDS,
  TAP_STAT_WORDS,
  USAGE,
  USAGE_WORDS,
  WANT,
} from "./abi.ts";
import { loadShim } from "./loader.ts";
import type { Shim } from "./symbols.ts";
import { check, cString, XskError } from "./xsk.ts";

/** Where a direction is hooked: XDP, a tcx link, a clsact filter, or not at all. */
export type HookName = "none" | "xdp" | "tcx" | "clsact";

/** Where a tap's programs run, and its ring buffer's size. */
export interface TapHooks {
  in: HookName;
  out: HookName;
  /** The XDP mode of the incoming hook when it is XDP. */
  xdpMode?: "native" | "generic";
  /** Data bytes of the ring buffer. */
  ringSize: number;
  /** This capture added the clsact qdisc (clsact hooks only). */
  qdiscCreated: boolean;
  /** Its XDP programs have frags support: packets bigger than a page copied whole. */
  multiBuffer: boolean;
}

/** How a tap is set up. */
export interface TapOpenOptions {
  /** Directions to capture. */
  in: boolean;
  out: boolean;
  /** XDP mode of the incoming hook ("auto": native, else generic; tc ingress if XDP is taken). */
  mode: ModeName;
  /** Bytes copied of each packet. */
  snaplen: number;
  /** The ring buffer, a power of two. */
  ringBytes: number;
  /** RX queues to capture; undefined: every one. */
  queues?: readonly number[];
  /** The clsact filter handle to use where tcx is missing (recorded first); 0: fail there. */
  tcHandle: number;
  /** XDP programs with frags support where the kernel takes it (default true). */
  multiBuffer?: boolean;
  /** Look up each packet's process (records carry it; attachProc() attaches the hooks). */
  attribute?: boolean;
  /** Kinds the process filter checks (WANT bits); their values go in with want(). */
  procFilter?: number;
}

/** The sockets found at start (xsk_proc_table). */
export interface SocketTable {
  /** TCP and UDP sockets of this network namespace with an inode. */
  sockets: number;
  /** Of them, held by a process (found in its fds). */
  owned: number;
  /** Of those, recorded now (a hook had not recorded them first). */
  added: number;
}

/** The process attribution's counts (xsk_proc_counters). */
export interface ProcCounts {
  create: number;
  use: number;
  release: number;
  mapFull: number;
  /** Entries in the map of live sockets now. */
  live: number;
  /** Entries in the map of released ones now. */
  closed: number;
}

/** Slack for the ring buffer's page alignment: the largest page size Linux uses, 64 KiB. */
const PAGE_SLACK = 65536;

/** The tap programs of one capture, attached, and their ring buffer. */
export class TapProgram {
  readonly shim: Shim;
  readonly handle: number;
  readonly iface: string;
  readonly hooks: TapHooks;
  /**
   * The ring buffer's data, mapped twice in a row (2 x ringSize bytes): record offsets point in
   * here. Read-only memory (a write is a SIGSEGV). Empty until mapRing() and after close().
   */
  view: Uint8Array = new Uint8Array(0);
  #memory: Uint8Array<ArrayBuffer> | undefined;
  #stats = new BigUint64Array(TAP_STAT_WORDS);
  #open = true;

  private constructor(shim: Shim, handle: number, iface: string) {
    this.shim = shim;
    this.handle = handle;
    this.iface = iface;
    const v = new Uint32Array(TAP_HOOK_WORDS);
    check(shim, shim.xsk_tap_hooks(handle, v, v.length), "tap hooks");
    const xdpMode = MODE_NAME[v[TAP_HOOK.xdpMode]];
    this.hooks = {
      in: HOOK_NAME[v[TAP_HOOK.in]] ?? "none",
      out: HOOK_NAME[v[TAP_HOOK.out]] ?? "none",
      xdpMode: xdpMode === "native" || xdpMode === "generic" ? xdpMode : undefined,
      ringSize: v[TAP_HOOK.ringSize],
      qdiscCreated: v[TAP_HOOK.qdiscCreated] === 1,
      multiBuffer: v[TAP_HOOK.multiBuffer] === 1,
    };
  }

  /** Loads and attaches the tap programs (nothing is copied before start()). Throws XskError. */
  static open(iface: string, o: TapOpenOptions, shim: Shim = loadShim()): TapProgram {
    const dirs = (o.in ? DIR.in : 0) | (o.out ? DIR.out : 0);
    let mask: BigUint64Array<ArrayBuffer> | null = null;
    if (o.queues !== undefined) {
      mask = new BigUint64Array(4);
      for (const q of o.queues) mask[q >> 6] |= 1n << BigInt(q & 63);
    }
    const h = check(
      shim,
      shim.xsk_tap_open(
        cString(iface),
        dirs,
        MODE[o.mode],
        o.snaplen,
        o.ringBytes,
        mask,
        mask ? mask.length : 0,
        o.tcHandle,
        o.multiBuffer === false ? 0 : ATTACH_MULTI_BUFFER,
        o.attribute ? 1 : 0,
        o.procFilter ?? 0,
      ),
      `tap ${iface}`,
    );
    return new TapProgram(shim, h, iface);
  }

  /** Installs the filter on every hook: the XDP and the tc translation of one expression. */
  setFilter(xdp: Uint8Array<ArrayBuffer>, skb: Uint8Array<ArrayBuffer>, label: string): void {
    check(
      this.shim,
      this.shim.xsk_tap_set_filter(
        this.handle,
        xdp,
        xdp.length / 8,
        skb,
        skb.length / 8,
        cString(label),
      ),
      `install filter '${label}'`,
    );
  }

  /** Maps the ring buffer into memory of ours: `view` reads its records from then on. */
  mapRing(): void {
    const size = this.hooks.ringSize;
    const memory = new Uint8Array(2 * size + 3 * PAGE_SLACK);
    const off = check(
      this.shim,
      this.shim.xsk_ring_map(this.handle, memory, BigInt(memory.length)),
      "map the ring buffer",
    );
    this.#memory = memory;
    this.view = new Uint8Array(memory.buffer, off, 2 * size);
  }

  /** Copying starts. */
  start(): void {
    check(this.shim, this.shim.xsk_tap_start(this.handle), "start");
  }

  /** Takes up to `max` records into descs (DESC_WORDS u32 each); returns how many. */
  batch(descs: Uint32Array<ArrayBuffer>, max: number): number {
    return check(this.shim, this.shim.xsk_ring_batch(this.handle, descs, max), "ring");
  }

  /** Gives the last batch's records back to the kernel. */
  give(): void {
    check(this.shim, this.shim.xsk_ring_give(this.handle), "ring");
  }

  /**
   * Before start(): batch() makes `max` records of 60 bytes without reading the ring buffer and
   * give() gives nothing back, so a loop can run (and V8 compile it) before the first packet.
   */
  warm(on: boolean): void {
    check(this.shim, this.shim.xsk_ring_warm(this.handle, on ? 1 : 0), "warm-up");
  }

  /** Waits up to timeoutMs for a record, off the JS thread: true when one is there. */
  async wait(timeoutMs: number): Promise<boolean> {
    return check(this.shim, await this.shim.xsk_ring_wait(this.handle, timeoutMs), "wait") > 0;
  }

  /** Sleeps `usec` microseconds in this thread (no poll: nobody for the kernel to wake). */
  nap(usec: number): void {
    check(this.shim, this.shim.xsk_doze(usec), "nap");
  }

  /** TAP_COUNTER in, TAP_COUNTER out, then TAP_STAT values. One array, reused. */
  counters(): BigUint64Array {
    check(
      this.shim,
      this.shim.xsk_tap_counters(this.handle, this.#stats, this.#stats.length),
      "tap counters",
    );
    return this.#stats;
  }

  /** No new records from now on; those in the ring buffer can still be taken. */
  stop(): void {
    if (this.#open) check(this.shim, this.shim.xsk_tap_stop(this.handle), "stop");
  }

  /** Throws XskError when the interface is gone or down. */
  check(): void {
    check(this.shim, this.shim.xsk_tap_check(this.handle), "check");
  }

  /** Attaches the process attribution's cgroup socket hooks (opened with `attribute`). */
  attachProc(): void {
    check(this.shim, this.shim.xsk_proc_attach(this.handle), "process attribution");
  }

  /** Records the sockets that exist already (after attachProc()). */
  socketTable(): SocketTable {
    const v = new BigUint64Array(TABLE_WORDS);
    check(this.shim, this.shim.xsk_proc_table(this.handle, v, v.length), "socket table");
    return {
      sockets: Number(v[TABLE.sockets]),
      owned: Number(v[TABLE.owned]),
      added: Number(v[TABLE.added]),
    };
  }

  /** The values the process filter wants: pids, commands or cgroup ids (before start()). */
  want(
    kind: "pid" | "comm" | "cgroup" | "cgroupPids",
    values: readonly (number | bigint | string)[],
  ): void {
    if (values.length === 0) return;
    let bytes: Uint8Array<ArrayBuffer>;
    if (kind === "pid" || kind === "cgroupPids") {
      bytes = new Uint8Array(new Uint32Array(values.map(Number)).buffer);
    } else if (kind === "cgroup") {
      bytes = new Uint8Array(new BigUint64Array(values.map((v) => BigInt(v))).buffer);
    } else {
      bytes = new Uint8Array(16 * values.length);
      values.forEach((v, i) =>
        bytes.set(new TextEncoder().encode(String(v)).subarray(0, 15), 16 * i)
      );
    }
    check(
      this.shim,
      this.shim.xsk_proc_want(this.handle, WANT[kind], bytes, values.length),
      "process filter",
    );
  }

  /** The process attribution's counts (walks its maps: not for every packet). */
  procCounts(): ProcCounts {
    const v = new BigUint64Array(PROC_STAT_WORDS);
    check(this.shim, this.shim.xsk_proc_counters(this.handle, v, v.length), "process counters");
    const n = (k: keyof typeof PROC_STAT) => Number(v[PROC_STAT[k]]);
    return {
      create: n("create"),
      use: n("use"),
      release: n("release"),
      mapFull: n("mapFull"),
      live: n("live"),
      closed: n("closed"),
    };
  }

  /** Detaches (the process attribution's hooks first) and unmaps; drops the view first. Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.view = new Uint8Array(0);
    check(this.shim, this.shim.xsk_proc_detach(this.handle), "process attribution");
    check(this.shim, this.shim.xsk_tap_close(this.handle), "close");
    this.#memory = undefined; // ordinary memory again: the shim mapped it back
  }
}

/** How the host uses an interface: what decides between tap and divert. */
export interface IfaceUsage {
  /** IPv4 addresses. */
  ipv4: number;
  /** IPv6 addresses other than link-local ones. */
  ipv6: number;
  /** A port of a bridge, bond or team. */
  enslaved: boolean;
}

/** Reads the interface's addresses and master. Throws XskError (ENODEV) when it does not exist. */
export function ifaceUsage(iface: string, shim: Shim = loadShim()): IfaceUsage {
  const v = new Uint32Array(USAGE_WORDS);
  check(shim, shim.xsk_iface_usage(cString(iface), v, v.length), `addresses of ${iface}`);
  return { ipv4: v[USAGE.ipv4], ipv6: v[USAGE.ipv6], enslaved: v[USAGE.master] === 1 };
}

/** Removes the clsact filter `handle` a killed capture left on `iface` (and its qdisc). */
export function tcDetach(
  iface: string,
  handle: number,
  qdiscCreated: boolean,
  shim: Shim = loadShim(),
): void {
  check(
    shim,
    shim.xsk_tc_detach(cString(iface), handle, qdiscCreated ? 1 : 0),
    `remove the clsact filter of ${iface}`,
  );
}

/** Where the cgroup2 root is: a host mount, or a private mount (already detached). */
export interface CgroupRoot {
  kind: "mounted" | "private";
  /** The mount point ("" for a private one). */
  path: string;
}

/** Opens the cgroup2 root (once per process). Throws XskError. */
export function cgroupRoot(shim: Shim = loadShim()): CgroupRoot {
  const buf = new Uint8Array(256);
  const kind = check(shim, shim.xsk_cgroup_root(buf, buf.length), "the cgroup2 root");
  const path = new TextDecoder().decode(buf.subarray(0, buf.indexOf(0)));
  return { kind: kind === CGROUP_ROOT.mounted ? "mounted" : "private", path };
}

/** Most cgroups one --cgroup or --container selects. */
const MAX_CGROUPS = 4096;

/**
 * The ids of the cgroups a --cgroup path (container false) or a --container id (true) selects,
 * and of every cgroup below them. Throws XskError (ENOENT: none).
 */
export function cgroupIds(spec: string, container: boolean, shim: Shim = loadShim()): bigint[] {
  const out = new BigUint64Array(MAX_CGROUPS);
  const n = check(
    shim,
    shim.xsk_cgroup_ids(cString(spec), container ? 1 : 0, out, out.length),
    container ? `container ${spec}` : `cgroup ${spec}`,
  );
  return [...out.subarray(0, n)];
}

/**
 * The pids in the cgroup v1 cgroups a --cgroup path (container false) or a --container id (true)
 * selects, and below them, as they are now. Throws XskError (ENOENT: no such cgroup).
 */
export function cgroup1Pids(spec: string, container: boolean, shim: Shim = loadShim()): number[] {
  const out = new Uint32Array(16384);
  const n = check(
    shim,
    shim.xsk_cgroup1_pids(cString(spec), container ? 1 : 0, out, out.length),
    container ? `container ${spec}` : `cgroup ${spec}`,
  );
  return [...out.subarray(0, n)];
}

/** The path of a cgroup from the cgroup2 root, undefined when there is no such cgroup. */
export function cgroupPath(id: bigint, shim: Shim = loadShim()): string | undefined {
  const buf = new Uint8Array(4096);
  const n = shim.xsk_cgroup_path(id, buf, buf.length);
  return n < 0 ? undefined : new TextDecoder().decode(buf.subarray(0, Math.min(n, buf.length - 1)));
}

/** One program of the process attribution as this kernel takes it. */
export interface ProcProbe {
  name: (typeof PROC_PROBES)[number];
  /** Why the kernel refused it (an errno name), undefined when it loads. */
  refused?: string;
}

/** Loads each program of the process attribution alone (nothing is attached). */
export function procProbe(shim: Shim = loadShim()): ProcProbe[] {
  const out = new Int32Array(PROC_PROBES.length);
  check(shim, shim.xsk_proc_probe(out, out.length), "probe the process attribution");
  return PROC_PROBES.map((name, i) =>
    out[i] === 0 ? { name } : { name, refused: new XskError("", -out[i]).code }
  );
}
