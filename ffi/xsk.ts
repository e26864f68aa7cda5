/**
 * Thin typed wrappers over the shim: XdpProgram, XskSocket, and XskError for
 * every -errno. No policy here: the session layer decides what to do.
 * @module
 */
import {
  ATTACH_HW_TIMESTAMP,
  ATTACH_MULTI_BUFFER,
  ATTACH_VLAN,
  CHANNELS_WORDS,
  COUNTER_COUNT,
  DESC_WORDS,
  GATHER_MIN,
  GUARD_KIND_COUNT,
  GUARD_WORDS,
  HOST_WORDS,
  MODE,
  MODE_NAME,
  type ModeName,
  PROG_INFO,
  PROG_INFO_WORDS,
  QCOUNT_ROWS,
  QCOUNT_WORDS,
  SOCK_DEFER,
  SOCK_INFO,
  SOCK_INFO_WORDS,
  STAT_COUNT,
  XDP_OWNER,
  XDP_QUERY_WORDS,
} from "./abi.ts";
import { loadShim } from "./loader.ts";
import type { Shim } from "./symbols.ts";

const ERRNO: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  4: "EINTR",
  5: "EIO",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  16: "EBUSY",
  17: "EEXIST",
  19: "ENODEV",
  22: "EINVAL",
  24: "EMFILE",
  27: "EFBIG",
  28: "ENOSPC",
  32: "EPIPE",
  34: "ERANGE",
  67: "ENOLINK",
  95: "EOPNOTSUPP",
  98: "EADDRINUSE",
  100: "ENETDOWN",
  104: "ECONNRESET",
  122: "EDQUOT",
};

/** The symbolic name of a (positive) errno, e.g. "ENOSPC"; "errno N" for one not listed. */
export function errnoCode(errno: number): string {
  return ERRNO[errno] ?? `errno ${errno}`;
}

/** What to do next, by errno: the part of an error a user acts on. */
function hintFor(errno: number): string {
  switch (errno) {
    case 1:
    case 13:
      return "run as root, or grant CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF, CAP_PERFMON and CAP_IPC_LOCK (see README)";
    case 12:
      return "raise the locked-memory limit (ulimit -l) or grant CAP_IPC_LOCK";
    case 16:
    case 17:
      return "something else holds it: check `ip link show` and `bpftool net`";
    case 19:
      return "check the interface name with `ip link`";
    case 95:
      return "try --mode generic";
    case 100:
      return "bring the interface up, or pick another";
    default:
      return "";
  }
}

/** A failure of the shim, with the errno and a hint for the user. */
export class XskError extends Error {
  /** Positive errno value. */
  readonly errno: number;
  /** Symbolic errno name, e.g. "EBUSY". */
  readonly code: string;
  /** What to do next; may be empty. */
  readonly hint: string;

  /** `message` says what failed; `errno` is positive. */
  constructor(message: string, errno: number) {
    const code = errnoCode(errno);
    // The shim names the one capability a step lacks (then the hint need not list them all),
    // and says what to do about another capture on the interface.
    const hint = /CAP_[A-Z_]+(, which)? is missing/.test(message)
      ? "run as root, or grant it (see README: Privileges)"
      : /is taken: another AF_XDP socket/.test(message)
      ? "capture another queue (--queue), or stop that process first"
      : / is captured by /.test(message)
      ? ""
      : hintFor(errno);
    super(message);
    this.name = "XskError";
    this.errno = errno;
    this.code = code;
    this.hint = hint;
  }
}

const errBuf = new Uint8Array(512);
/** Covers the largest page size Linux uses (64 KiB). */
const UMEM_ALIGN_SLACK = 65536;
/** A socket's gather area by default: a batch of 64-KiB GRO packets, not one record each. */
export const DEFAULT_GATHER_BYTES = 16 * GATHER_MIN;

/** Turns a negative return into an XskError carrying the shim's last error text. */
export function check(shim: Shim, ret: number, what: string): number {
  if (ret >= 0) return ret;
  const len = shim.xsk_last_error(errBuf, errBuf.length);
  const text = new TextDecoder().decode(errBuf.subarray(0, len)) || what;
  throw new XskError(text, -ret);
}

/** NUL-terminated UTF-8, for a C string parameter. */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s + "\0");
}

/** An interface's channel counts, as `ethtool -l` shows them. */
export interface Channels {
  maxRx: number;
  maxTx: number;
  maxOther: number;
  maxCombined: number;
  rx: number;
  tx: number;
  other: number;
  combined: number;
}

/** Reads the channel counts (ETHTOOL_GCHANNELS). */
export function getChannels(iface: string, shim: Shim = loadShim()): Channels {
  const v = new Uint32Array(CHANNELS_WORDS);
  check(shim, shim.xsk_channels_get(cString(iface), v, v.length), `channels of ${iface}`);
  return {
    maxRx: v[0],
    maxTx: v[1],
    maxOther: v[2],
    maxCombined: v[3],
    rx: v[4],
    tx: v[5],
    other: v[6],
    combined: v[7],
  };
}

/** Sets the channel counts (ETHTOOL_SCHANNELS), as `ethtool -L`. */
export function setChannels(
  iface: string,
  c: Pick<Channels, "rx" | "tx" | "other" | "combined">,
  shim: Shim = loadShim(),
): void {
  check(
    shim,
    shim.xsk_channels_set(cString(iface), c.rx, c.tx, c.other, c.combined),
    `set channels of ${iface}`,
  );
}

/** Facts about this host that live in /proc and /sys. */
export interface HostFacts {
  /** Effective capabilities. */
  capEff: bigint;
  /** RLIMIT_MEMLOCK soft limit in bytes, Infinity when unlimited. */
  memlock: number;
  btf: boolean;
  /** Inode of this process's network namespace. */
  netns: number;
  /** `uname -r`. */
  kernel: string;
}

/** Reads the host facts through the shim (Deno itself may not read /proc without -A). */
export function hostFacts(shim: Shim = loadShim()): HostFacts {
  const v = new BigUint64Array(HOST_WORDS);
  check(shim, shim.xsk_host_facts(v, v.length), "host facts");
  const buf = new Uint8Array(256);
  const n = check(shim, shim.xsk_kernel_release(buf, buf.length), "uname");
  return {
    capEff: v[0],
    memlock: v[1] === 0xffffffffffffffffn ? Infinity : Number(v[1]),
    btf: v[2] === 1n,
    netns: Number(v[3]),
    kernel: new TextDecoder().decode(buf.subarray(0, n)),
  };
}

/** Start time of a process (clock ticks since boot), or undefined when it is gone. */
export function processStart(pid: number, shim: Shim = loadShim()): bigint | undefined {
  const v = new BigUint64Array(1);
  const r = shim.xsk_process_start(pid, v);
  if (r === -3) return undefined; // ESRCH
  check(shim, r, "process start");
  return v[0];
}

/** RX queues of `iface`; throws XskError ENODEV when it does not exist. */
/** The names of this network namespace's interfaces, in index order. */
export function interfaceNames(shim: Shim = loadShim()): string[] {
  for (let size = 4096;; size *= 4) {
    const buf = new Uint8Array(size);
    const n = shim.xsk_iface_names(buf, size);
    if (n === -28 && size < 1 << 24) continue; // -ENOSPC: a larger buffer
    check(shim, n, "list the interfaces");
    return new TextDecoder().decode(buf.subarray(0, n)).split("\0").filter((s) => s !== "");
  }
}

export function rxQueueCount(iface: string, shim: Shim = loadShim()): number {
  return check(shim, shim.xsk_rx_queue_count(cString(iface)), `queues of ${iface}`);
}

/** Whether GRO is on for the interface. Throws XskError (ENODEV) when it does not exist. */
export function ifaceGro(iface: string, shim: Shim = loadShim()): boolean {
  return check(shim, shim.xsk_iface_gro(cString(iface)), `GRO of ${iface}`) === 1;
}

/** The XDP RX metadata the interface's driver implements (RX_META bits; 0 before Linux 6.8). */
export function ifaceRxMetadata(iface: string, shim: Shim = loadShim()): number {
  return check(shim, shim.xsk_iface_rx_metadata(cString(iface)), `XDP features of ${iface}`);
}

/** The interface's MTU. Throws XskError (ENODEV) when it does not exist. */
export function ifaceMtu(iface: string, shim: Shim = loadShim()): number {
  return check(shim, shim.xsk_iface_mtu(cString(iface)), `MTU of ${iface}`);
}

/** What XDP program an interface has (bpf_xdp_query). */
export interface XdpQuery {
  /** "none", "native", "generic", "offload" or "multi". */
  mode: string;
  progId: number;
  /**
   * Whose program: "xskdump" (another capture's, which a capture can join on other queues),
   * "foreign", or "unknown" (its name cannot be read without CAP_SYS_ADMIN).
   */
  owner: "xskdump" | "foreign" | "unknown";
}

/** Asks the kernel which XDP program is attached to `iface`. */
export function queryXdp(iface: string, shim: Shim = loadShim()): XdpQuery {
  const v = new Uint32Array(XDP_QUERY_WORDS);
  check(shim, shim.xsk_xdp_query(cString(iface), v, v.length), `XDP on ${iface}`);
  const modes = ["none", "native", "generic", "offload", "multi"];
  const owner = (Object.keys(XDP_OWNER) as XdpQuery["owner"][]).find((k) => XDP_OWNER[k] === v[4]);
  return { mode: modes[v[0]] ?? `mode ${v[0]}`, progId: v[1], owner: owner ?? "unknown" };
}

/** Our XDP program attached to one interface with a BPF link. */
export class XdpProgram {
  readonly shim: Shim;
  readonly handle: number;
  readonly iface: string;
  /** The mode the kernel accepted. */
  readonly mode: Exclude<ModeName, "auto">;
  /** RX queues of the interface. */
  readonly queueCount: number;
  /** Loaded with frags support: packets bigger than a page reach it whole (false when joined). */
  readonly multiBuffer: boolean;
  /** Device-bound: puts back the VLAN tags the driver reports in the RX metadata (native). */
  readonly vlan: boolean;
  /** Device-bound: gives the NIC's RX timestamps, in its own clock (adapter_unsynced). */
  readonly hwTimestamp: boolean;
  /**
   * True when another xskdump had attached this program and this one joined it to capture
   * other queues (see csrc/share.c); `sharedWith` names it ("xskdump pid 123"), if it can.
   */
  readonly shared: boolean;
  readonly sharedWith: string;
  #counters = new BigUint64Array(COUNTER_COUNT);
  #queueCounters = new BigUint64Array(QCOUNT_ROWS * QCOUNT_WORDS);
  #open = true;

  private constructor(shim: Shim, handle: number, iface: string) {
    this.shim = shim;
    this.handle = handle;
    this.iface = iface;
    const info = new Uint32Array(PROG_INFO_WORDS);
    check(shim, shim.xsk_prog_info(handle, info, info.length), "program info");
    this.mode = MODE_NAME[info[PROG_INFO.mode]] as "native";
    this.queueCount = info[PROG_INFO.queues];
    this.multiBuffer = info[PROG_INFO.multiBuffer] === 1;
    this.vlan = info[PROG_INFO.vlan] === 1;
    this.hwTimestamp = info[PROG_INFO.hwTimestamp] === 1;
    const who = new Uint8Array(160);
    this.shared = check(shim, shim.xsk_prog_shared(handle, who, who.length), "shared") === 1;
    this.sharedWith = new TextDecoder().decode(who.subarray(0, who.indexOf(0)));
  }

  /**
   * Loads and attaches; native first in auto mode. `multiBuffer` (default true): with frags
   * support where the kernel has it (see XskSocket.open); `vlan` (default true): the
   * device-bound program that puts back VLAN tags, where the mode is native and the driver has
   * the kfunc; `hwTimestamp` (default false): the same program gives the NIC's RX timestamps.
   */
  static attach(
    iface: string,
    mode: ModeName = "auto",
    opts: { multiBuffer?: boolean; vlan?: boolean; hwTimestamp?: boolean } = {},
    shim: Shim = loadShim(),
  ): XdpProgram {
    const flags = (opts.multiBuffer === false ? 0 : ATTACH_MULTI_BUFFER) |
      (opts.vlan === false ? 0 : ATTACH_VLAN) | (opts.hwTimestamp ? ATTACH_HW_TIMESTAMP : 0);
    const h = check(
      shim,
      shim.xsk_prog_attach(cString(iface), MODE[mode], flags),
      `attach ${iface}`,
    );
    return new XdpProgram(shim, h, iface);
  }

  /** The XDP program's counters summed over CPUs (COUNTER slots). */
  counters(): number[] {
    const n = check(
      this.shim,
      this.shim.xsk_prog_counters(this.handle, this.#counters, this.#counters.length),
      "counters",
    );
    return Array.from(this.#counters.subarray(0, n), Number);
  }

  /**
   * Per RX queue counters since this handle attached or joined: QCOUNT_ROWS rows of
   * QCOUNT_WORDS (QCOUNT slots), the last row for queues above 255. One view, reused.
   */
  queueCounters(): BigUint64Array {
    check(
      this.shim,
      this.shim.xsk_prog_queue_counters(
        this.handle,
        this.#queueCounters,
        this.#queueCounters.length,
      ),
      "queue counters",
    );
    return this.#queueCounters;
  }

  /** Detaches (closing any socket still open on it). Idempotent. */
  detach(): void {
    if (!this.#open) return;
    this.#open = false;
    check(this.shim, this.shim.xsk_prog_detach(this.handle), "detach");
  }
}

/** One AF_XDP socket on one RX queue, with its own UMEM. */
export class XskSocket {
  readonly prog: XdpProgram;
  readonly handle: number;
  readonly queue: number;
  readonly zerocopy: boolean;
  /** Bound with XDP_USE_SG: a packet bigger than a frame comes whole, gathered (Linux 6.6+). */
  readonly multiBuffer: boolean;
  /**
   * The single view over the UMEM and the gather area after it (where chained packets are
   * copied): every record points into it. Empty after close().
   */
  umem: Uint8Array;
  #stats = new BigUint64Array(STAT_COUNT);
  #guard = new BigUint64Array(GUARD_KIND_COUNT * GUARD_WORDS);
  #open = true;
  /** The memory the UMEM lives in: ours, so the kernel's pinned pages stay valid until close. */
  #memory: Uint8Array<ArrayBuffer> | undefined;

  private constructor(
    prog: XdpProgram,
    handle: number,
    queue: number,
    memory: Uint8Array<ArrayBuffer>,
    viewSize: number,
  ) {
    const shim = prog.shim;
    this.prog = prog;
    this.handle = handle;
    this.queue = queue;
    const info = new Uint32Array(SOCK_INFO_WORDS);
    check(shim, shim.xsk_sock_info(handle, info, info.length), "socket info");
    this.zerocopy = info[SOCK_INFO.zerocopy] === 1;
    this.multiBuffer = info[SOCK_INFO.multiBuffer] === 1;
    this.#memory = memory;
    this.umem = new Uint8Array(memory.buffer, info[SOCK_INFO.umemOffset], viewSize);
  }

  /**
   * Opens a socket on `queue`, fills the FQ and registers it in the XSKMAP (`defer`: at start();
   * until then the queue's packets pass to the stack). `gatherBytes` > 0 (at least GATHER_MIN)
   * asks for multi-buffer: a gather area that big follows the UMEM; 0 binds without
   * XDP_USE_SG. `snaplen` (0: the maximum) cuts every record.
   */
  static open(
    prog: XdpProgram,
    queue: number,
    frameCount = 4096,
    frameSize = 4096,
    gatherBytes = DEFAULT_GATHER_BYTES,
    snaplen = 0,
    defer = false,
  ): XskSocket {
    const shim = prog.shim;
    const viewSize = frameCount * frameSize + gatherBytes;
    // A JS-owned buffer holds the UMEM: viewing it needs no pointer API (which would need an
    // unscoped --allow-ffi). The slack lets the shim start the UMEM on a page boundary.
    const memory = new Uint8Array(viewSize + UMEM_ALIGN_SLACK);
    const h = check(
      shim,
      shim.xsk_sock_open(
        prog.handle,
        queue,
        frameCount,
        frameSize,
        memory,
        BigInt(memory.length),
        gatherBytes,
        snaplen,
        defer ? SOCK_DEFER : 0,
      ),
      `open queue ${queue}`,
    );
    return new XskSocket(prog, h, queue, memory, viewSize);
  }

  /** Takes up to `max` RX descriptors into descs (DESC_WORDS u32 each). */
  rxBatch(descs: Uint32Array<ArrayBuffer>, max = descs.length / DESC_WORDS): number {
    return check(this.prog.shim, this.prog.shim.xsk_rx_batch(this.handle, descs, max), "rx");
  }

  /**
   * Gives the frames of descs[0..n) back to the fill ring; returns the guard's running total of
   * violations (as guardTotal()), so a loop learns of new ones from the call it makes anyway.
   */
  fill(descs: Uint32Array<ArrayBuffer>, n: number): number {
    return check(this.prog.shim, this.prog.shim.xsk_fill(this.handle, descs, n), "fill");
  }

  /** Waits up to timeoutMs for RX data off the JS thread: true when data is there. */
  async wait(timeoutMs: number): Promise<boolean> {
    return check(this.prog.shim, await this.prog.shim.xsk_wait(this.handle, timeoutMs), "wait") >
      0;
  }

  /** Waits up to timeoutMs for RX data on any of the sockets `handles` names. */
  static async waitAny(
    prog: XdpProgram,
    handles: Int32Array<ArrayBuffer>,
    timeoutMs: number,
  ): Promise<boolean> {
    const r = await prog.shim.xsk_wait_any(handles, handles.length, timeoutMs);
    return check(prog.shim, r, "wait") > 0;
  }

  /**
   * Sleeps `usec` microseconds in this thread (a synchronous nanosleep: precise, no thread hop,
   * and, unlike a poll, nobody for the kernel to wake). The event loop does not turn meanwhile.
   */
  static nap(prog: XdpProgram, usec: number): void {
    check(prog.shim, prog.shim.xsk_doze(usec), "nap");
  }

  /** Throws XskError when the interface is gone or down. */
  check(): void {
    check(this.prog.shim, this.prog.shim.xsk_sock_check(this.handle), "check");
  }

  /** Turns the ring integrity guard on or off (on by default; only with no frame held). */
  setGuard(on: boolean): void {
    check(this.prog.shim, this.prog.shim.xsk_sock_guard(this.handle, on ? 1 : 0), "guard");
  }

  /** Guard violations so far, all kinds (what fill() returns; for a loop with nothing to give). */
  guardTotal(): number {
    return check(this.prog.shim, this.prog.shim.xsk_guard_total(this.handle), "guard total");
  }

  /** Per kind (GUARD_KIND_COUNT): [count, first address, first descriptor number]. */
  guardReport(): number[][] {
    const out = this.#guard;
    check(this.prog.shim, this.prog.shim.xsk_guard_report(this.handle, out, out.length), "guard");
    const rows: number[][] = [];
    for (let k = 0; k < GUARD_KIND_COUNT; k++) {
      rows.push(Array.from(out.subarray(k * GUARD_WORDS, (k + 1) * GUARD_WORDS), Number));
    }
    return rows;
  }

  /** XSKDUMP_STAT_* values (see STAT). */
  stats(): number[] {
    const n = check(
      this.prog.shim,
      this.prog.shim.xsk_sock_stats(this.handle, this.#stats, this.#stats.length),
      "stats",
    );
    return Array.from(this.#stats.subarray(0, n), Number);
  }

  /** Unregisters from the XSKMAP: new packets pass to the stack, the ring can be drained. */
  stop(): void {
    if (this.#open) check(this.prog.shim, this.prog.shim.xsk_sock_stop(this.handle), "stop");
  }

  /** Registers a socket opened with `defer` in the XSKMAP: its queue's packets come from now. */
  start(): void {
    check(this.prog.shim, this.prog.shim.xsk_sock_start(this.handle), "start");
  }

  /**
   * Before start(): rxBatch() makes `max` records of 60 zero bytes without reading the ring, and
   * fill() takes them back, so a loop can run (and V8 compile it) before the first packet.
   */
  warm(on: boolean): void {
    check(this.prog.shim, this.prog.shim.xsk_sock_warm(this.handle, on ? 1 : 0), "warm-up");
  }

  /** Unregisters and closes; drops the UMEM view first. Idempotent. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.umem = new Uint8Array(0);
    check(this.prog.shim, this.prog.shim.xsk_sock_close(this.handle), "close");
    this.#memory = undefined; // the kernel has unpinned it
  }
}
