/**
 * What a capture session is opened with and what it reports: the options, the result of a
 * loop and the counters (session.ts re-exports them; the library API documents them).
 * @module
 */
import type { ModeName } from "../../ffi/abi.ts";
import type { ProcCounts, SocketTable } from "../../ffi/tap.ts";
import type { CapturePath } from "../host/path.ts";
import type { StopReason } from "./core.ts";
import type { GuardKind } from "./integrity.ts";

/** The directions a tap captures (tcpdump's -Q). Divert sees incoming packets only. */
export type Direction = "in" | "out" | "inout";

/** How a capture is set up. */
export interface CaptureOptions {
  /** Interface name. */
  iface: string;
  /** RX queue (default 0). */
  queue?: number;
  /** Several RX queues, one socket (and UMEM) each, or "all"; overrides `queue`. */
  queues?: number[] | "all";
  /** XDP attach mode (default auto: native, else generic). */
  mode?: ModeName;
  /**
   * UMEM bytes per captured queue: what the kernel can hold for xskdump while it is busy
   * elsewhere. Rounded down to a power-of-two frame count. Default: {@link DEFAULT_FRAMES}
   * frames (32 MiB with 2 KiB frames, 64 MiB with 4 KiB).
   */
  bufferBytes?: number;
  /** UMEM frames, a power of two; overrides `bufferBytes`. */
  frameCount?: number;
  /**
   * UMEM frame size, 2048 or 4096 (default: 2048 when the interface's MTU fits one in native
   * mode, else 4096; see {@link frameSizeFor}).
   */
  frameSize?: number;
  /** Descriptors taken per rx call (default 64). */
  batchSize?: number;
  /**
   * Open everything but take no packet until Capture.start() (run() and receive() start too):
   * room for a Capture.warmUp() first. Until then the packets pass to the stack (divert) or
   * are not copied (tap).
   */
  deferStart?: boolean;
  /** Check every descriptor against the frame-ownership ledger (default true). */
  guard?: boolean;
  /**
   * Divert: capture packets bigger than a frame whole (default true): the XDP program loaded
   * with frags support, the sockets bound with XDP_USE_SG (Linux 6.6+), each chain gathered into
   * one record. false: as before 6.6, such packets are dropped by the kernel ("larger than a
   * frame"); a way out should frags programs misbehave in generic mode on some kernel.
   * Tap: its XDP programs loaded with frags support (false: without, as before 5.18; the
   * kernel then linearizes what is bigger than a page, or refuses a native attach with it).
   */
  multiBuffer?: boolean;
  /**
   * Divert, native mode: put back the VLAN tag a NIC with rx-vlan offload took out of the frame,
   * from the driver's XDP RX metadata (Linux 6.8+), as libpcap does for AF_PACKET; the filter sees
   * the frame with it (default true). Where the driver lacks it, the plain program.
   */
  vlan?: boolean;
  /**
   * tcpdump's -j: "host" (default) or "adapter_unsynced": divert in native mode, where the driver
   * gives the NIC's RX timestamp in its XDP metadata, that is the packet's time (the NIC's own
   * clock, not synced to the host's); a packet without one keeps the host's time.
   */
  timeStampType?: "host" | "adapter_unsynced";
  /**
   * tcpdump filter expression, run in the kernel: only matching packets are
   * captured (divert: redirected; the rest go to the stack untouched). Undefined (or
   * empty) captures everything. A bad or refused filter throws FilterError.
   */
  filter?: string;
  /**
   * "divert": packets are redirected into AF_XDP sockets, the fastest path, and do not reach
   * the host's stack; "tap": they are copied into a ring buffer and go on to the stack, both
   * directions. Default "auto": tap on an interface the host uses (an address, a bridge, bond
   * or team port), divert on one it does not.
   */
  path?: CapturePath | "auto";
  /** Tap: the directions captured (default "inout"). Divert captures incoming packets only. */
  direction?: Direction;
  /** Bytes kept of each packet (default 262144); a tap copies only these in the kernel. */
  snaplen?: number;
  /** For the "auto" path: the interface carries the SSH session the caller runs under. */
  carriesSsh?: boolean;
  /**
   * Tap: which process each packet belongs to (by its socket), and which processes to capture.
   * Given at all, every record carries its process (when one is known).
   */
  process?: ProcessOptions;
}

/**
 * The process attribution of a tap, and its filter, applied in the kernel and ANDed with the
 * expression: each kind given must match (within a kind, any value). A packet without a known
 * process is not captured when any kind is given.
 */
export interface ProcessOptions {
  /** Process ids (the thread group's). */
  pids?: number[];
  /** Command names (the kernel's, at most 15 bytes: longer ones are cut to that). */
  comms?: string[];
  /** cgroup v2 paths from the hierarchy's root; each selects its subtree as it is at start. */
  cgroups?: string[];
  /** Container ids (or their start): the cgroups whose directory names hold one, and below. */
  containers?: string[];
}

/** The process attribution's counts (a tap opened with `process`). */
export interface ProcessStats {
  /** Records read with a process. */
  attributed: number;
  /** Read without one (forwarded, ICMP errors, ARP, a socket nobody told us about). */
  unattributed: number;
  /** Not captured: not a process the filter asks for (or none known). */
  filtered: number;
  /** The sockets found at start. */
  table: SocketTable;
  /** The hooks' counts and the maps' entries, read once at the end (walking the maps). */
  maps?: ProcCounts;
}

/** What run() ended with. */
export interface CaptureResult {
  /** Why it stopped. */
  reason: StopReason;
  /** The error that stopped the capture (interface gone, output failed). */
  error?: unknown;
}

/** A tap's counts of one direction: seen = captured + ringFull + filtered + passed. */
export interface DirectionStats {
  /** Packets the hook ran on. */
  seen: number;
  /** Copied into the ring buffer. */
  copied: number;
  /** Lost: the ring buffer was full. */
  ringFull: number;
  /** Left out by the filter. */
  filtered: number;
  /** Not captured: before the capture started, after it stopped, or on another RX queue. */
  passed: number;
  /** Left out by the process filter. */
  procFiltered: number;
  /** Read with a process, and without (process attribution on; both 0 otherwise). */
  attributed: number;
  unattributed: number;
}

/** Counters of one capture; every packet the kernel program saw is in exactly one bucket. */
export interface CaptureStats {
  /** Which path captured them. */
  path: CapturePath;
  /** Packets handed to the sink. */
  captured: number;
  /** Packets the XDP program ran on. */
  seen: number;
  /** Redirected to our socket, or copied by the tap ("received by filter" in tcpdump's words). */
  received: number;
  /** Divert: passed to the stack, not ours to take (no socket on the queue). Tap: not captured. */
  passed: number;
  /** Left out by the filter (divert: passed to the stack by it). */
  filtered: number;
  /** Dropped by the kernel, by reason (XDP_STATISTICS; a tap's full ring buffer). */
  dropped: {
    total: number;
    /** Tap: the ring buffer was full, in both directions (0 for divert). */
    ringBufferFull: number;
    /** The kernel's rx_dropped: the two below together. */
    rxDropped: number;
    /** No free frame on the fill ring (rx_dropped, at most the times it found the ring empty). */
    noFreeFrame: number;
    /** The rest of rx_dropped: packets larger than a frame (e.g. GSO/GRO skbs in generic mode). */
    tooBig: number;
    rxRingFull: number;
    rxInvalid: number;
  };
  /** Times the kernel found the fill ring empty. */
  fillRingEmpty: number;
  /** Taken off the RX ring intact but not handed to the sink (after -c was reached). */
  notKept: number;
  /** Frames the user side holds right now. */
  userHeld: number;
  /** Packets without our XDP timestamp (time taken in user space instead). */
  noMeta: number;
  /** Hardware timestamps asked for (-j adapter_unsynced): packets the driver gave none (host time). */
  noHwTimestamp: number;
  /**
   * The longest time, ms, the receive loop went without taking from the ring while packets
   * were arriving (from the start of a pass that took packets to the start of the next, or of
   * the pass after a nap: a nap comes only while packets flow).
   */
  longestGapMs: number;
  /** RX descriptors that broke the ring contract, by kind (never captured). */
  integrity: Record<GuardKind, number>;
  /** Per RX queue, in socket order (divert). */
  queues: QueueStats[];
  /** Tap: per direction (those not captured are all zero). */
  directions?: { in: DirectionStats; out: DirectionStats };
  /** Tap with process attribution. */
  process?: ProcessStats;
}

/** Per RX queue counters. */
export interface QueueStats {
  /** The RX queue. */
  queue: number;
  /** Packets taken from it. */
  captured: number;
  /** Dropped by the kernel on this queue (XDP_STATISTICS). */
  dropped: number;
}
