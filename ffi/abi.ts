/**
 * Numbers shared with C: mirrors bpf/xskdump_abi.h and the #defines of
 * csrc/shim.h. Change all together: tests/unit/abi_test.ts compares every
 * mirror here with its C name, and lists the C constants TypeScript does not need.
 * @module
 */

/**
 * xsk_prog_attach flags (XSKDUMP_ATTACH_*): load the program with frags support; in native mode,
 * put back VLAN tags from the driver's RX metadata.
 */
export const ATTACH_MULTI_BUFFER = 1;
export const ATTACH_VLAN = 2;
/** xsk_prog_attach: the NIC's RX timestamps where the driver gives them (adapter_unsynced). */
export const ATTACH_HW_TIMESTAMP = 4;
/** XDP RX metadata a driver implements (XSKDUMP_RX_META_*, xsk_iface_rx_metadata bits). */
export const RX_META = { timestamp: 1, hash: 2, vlanTag: 4 } as const;
/**
 * The smallest gather area a multi-buffer socket takes (XSKDUMP_GATHER_MIN): room for the
 * largest packet; chains are copied there, one record each.
 */
export const GATHER_MIN = 262144;

/** A mode name as the CLI and API spell it. */
export type ModeName = "auto" | "native" | "generic";
/** Attach modes (XSKDUMP_MODE_*). */
export const MODE = { auto: 0, native: 1, generic: 2 } as const satisfies Record<ModeName, number>;
/** Mode name by number, for what the shim reports back. */
export const MODE_NAME: Record<number, ModeName> = { 0: "auto", 1: "native", 2: "generic" };
/**
 * xsk_prog_info words (XSKDUMP_PROG_INFO_*): the mode in use, RX queues, frags support, VLAN tags
 * put back, NIC timestamps.
 */
export const PROG_INFO = { mode: 0, queues: 1, multiBuffer: 2, vlan: 3, hwTimestamp: 4 } as const;
export const PROG_INFO_WORDS = 5;
/** xsk_sock_info words (XSKDUMP_SOCK_INFO_*): zero-copy, XDP_USE_SG, the UMEM's offset. */
export const SOCK_INFO = { zerocopy: 0, multiBuffer: 1, umemOffset: 2 } as const;
export const SOCK_INFO_WORDS = 3;
/** xsk_sock_open's flags: registered in the XSKMAP at xsk_sock_start, not at open. */
export const SOCK_DEFER = 1;

/**
 * u32 words per record (an RX descriptor or a ring buffer record) and their slots
 * (XSKDUMP_DESC_*): offset in the view, bytes there, wire length, sec, nsec, flags.
 */
export const DESC_WORDS = 6;
export const DESC_ADDR = 0;
export const DESC_LEN = 1;
export const DESC_WIRELEN = 2;
export const DESC_SEC = 3;
export const DESC_NSEC = 4;
/**
 * The queue in bits 0-15, the direction (DIR, 2 bits) from DESC_DIR_SHIFT on, a tap record's
 * attribution from DESC_PROC_SHIFT on: how it was found (PROC_HOW, 2 bits) | DESC_PROC_CLOSED.
 * Nonzero: the record's struct xskdump_proc is the PROC_BYTES right before the packet.
 */
export const DESC_FLAGS = 5;
export const DESC_DIR_SHIFT = 16;
export const DESC_DIR_MASK = 3;
export const DESC_QUEUE_MASK = 0xffff;
export const DESC_PROC_SHIFT = 18;
export const DESC_PROC_HOW_MAX = 3;
export const DESC_PROC_CLOSED = 4;

/** How an attribution was found (XSKDUMP_PROC_*). */
export const PROC_HOW = { none: 0, hook: 1, table: 2, listener: 3 } as const;
/** struct xskdump_proc: its size and fields' offsets (bpf/xskdump_abi.h). */
export const PROC_BYTES = 40;
export const PROC_FIELD = { cgroupId: 0, pid: 8, tid: 12, comm: 16, how: 32 } as const;
/** Kinds of the process filter (XSKDUMP_WANT_*). */
export const WANT = { pid: 1, comm: 2, cgroup: 4, cgroupPids: 8 } as const;
/** Where the cgroup2 root came from (XSKDUMP_CGROUP_*). */
export const CGROUP_ROOT = { mounted: 1, private: 2 } as const;
/** Slots of xsk_proc_counters (XSKDUMP_PROC_STAT_*). */
export const PROC_STAT = { create: 0, use: 1, release: 2, mapFull: 3, live: 4, closed: 5 } as const;
export const PROC_STAT_WORDS = 6;
/** Slots of xsk_proc_table (XSKDUMP_TABLE_*). */
export const TABLE = { sockets: 0, owned: 1, added: 2 } as const;
export const TABLE_WORDS = 3;
/** What xsk_proc_probe loads, in order (XSKDUMP_PROC_PROBES of them). */
export const PROC_PROBES = [
  "sock_create",
  "sock_release",
  "connect4",
  "connect6",
  "bind4",
  "bind6",
  "sendmsg4",
  "sendmsg6",
  "lookup at XDP",
  "lookup at tc ingress",
  "lookup at tc egress",
] as const;

/** Directions (XSKDUMP_DIR_*), the values of pcapng's epb_flags bits 0-1. */
export const DIR = { in: 1, out: 2 } as const;

/** Slots of xsk_sock_stats() (XSKDUMP_STAT_*). */
export const STAT = {
  rxDropped: 0,
  rxInvalid: 1,
  rxRingFull: 2,
  rxFillEmpty: 3,
  rxPackets: 4,
  rxBytes: 5,
  userHeld: 6,
  noMeta: 7,
  noHwTimestamp: 8,
  rxRefused: 9,
} as const;
export const STAT_COUNT = 10;

/** u64 words per guard kind in xsk_guard_report (XSKDUMP_GUARD_WORDS): count, addr, descriptor. */
export const GUARD_WORDS = 3;
/** Guard kinds (XSKDUMP_GUARD_KINDS). */
export const GUARD_KIND_COUNT = 6;
/**
 * Where a correct kernel puts a packet in a frame (XSKDUMP_RX_OFFSET): XDP_PACKET_HEADROOM + our
 * zero UMEM headroom.
 */
export const RX_OFFSET = 256;

/** Slots of the XDP program's counters (enum xskdump_counter). */
export const COUNTER = { seen: 0, redirected: 1, passed: 2, filtered: 3, noMeta: 4 } as const;
export const COUNTER_COUNT = 5;

/** Per RX queue counters (struct xskdump_qcount, XSKDUMP_QCOUNT_*): u64 words per row. */
export const QCOUNT = { seen: 0, redirected: 1, passed: 2, noMeta: 3 } as const;
export const QCOUNT_WORDS = 4;
/** Queues a socket can be opened on: 0..MAX_QUEUES-1 (XSKDUMP_MAX_QUEUES). */
export const MAX_QUEUES = 256;
/** Rows of xsk_prog_queue_counters: one per queue below MAX_QUEUES, then one for every queue above. */
export const QCOUNT_ROWS = MAX_QUEUES + 1;

/** Where a tap's direction is hooked (XSKDUMP_HOOK_*). */
export const HOOK = { none: 0, xdp: 1, tcx: 2, clsact: 3 } as const;
/** Hook name by number. */
export const HOOK_NAME: Record<number, "none" | "xdp" | "tcx" | "clsact"> = {
  0: "none",
  1: "xdp",
  2: "tcx",
  3: "clsact",
};
/** Slots of xsk_tap_hooks (XSKDUMP_TAP_HOOK_*). */
export const TAP_HOOK = {
  in: 0,
  out: 1,
  xdpMode: 2,
  ringSize: 3,
  qdiscCreated: 4,
  multiBuffer: 5,
} as const;
export const TAP_HOOK_WORDS = 6;
/** The tap programs' counters per direction (enum xskdump_tap_counter). */
export const TAP_COUNTER = {
  seen: 0,
  copied: 1,
  passed: 2,
  filtered: 3,
  ringFull: 4,
  otherQueue: 5,
  procFiltered: 6,
  attributed: 7,
  unattributed: 8,
} as const;
export const TAP_COUNTER_COUNT = 9;
/** xsk_tap_counters: TAP_COUNTER in, then out, then these (XSKDUMP_TAP_STAT_*). */
export const TAP_STAT = {
  records: 2 * TAP_COUNTER_COUNT,
  bytes: 2 * TAP_COUNTER_COUNT + 1,
  discarded: 2 * TAP_COUNTER_COUNT + 2,
  malformed: 2 * TAP_COUNTER_COUNT + 3,
} as const;
export const TAP_STAT_WORDS = 2 * TAP_COUNTER_COUNT + 4;
/** Largest snap length a tap copies (XSKDUMP_TAP_MAX_SNAP). */
export const TAP_MAX_SNAP = 262144;
/** Slots of xsk_iface_usage (XSKDUMP_USAGE_*). */
export const USAGE = { ipv4: 0, ipv6: 1, master: 2 } as const;
export const USAGE_WORDS = 3;

/** Slots of the prog array "stages" (enum xskdump_stage). */
export const STAGE = { filter: 0, capture: 1, reject: 2 } as const;

/** u64 words of xsk_host_facts (XSKDUMP_HOST_WORDS): capabilities, memlock, BTF, netns. */
export const HOST_WORDS = 4;
/** u32 words of xsk_channels_get (XSKDUMP_CHANNELS_WORDS): the maxima, then the counts. */
export const CHANNELS_WORDS = 8;
/** u32 words of xsk_xdp_query (XSKDUMP_XDP_QUERY_WORDS); the last says whose program it is. */
export const XDP_QUERY_WORDS = 5;
/** Whose XDP program an interface has, the last word of xsk_xdp_query (XSKDUMP_XDP_*). */
export const XDP_OWNER = { foreign: 0, xskdump: 1, unknown: 2 } as const;
/** Flags of xsk_interfaces' lines (XSKDUMP_IFACE_*: libpcap's PCAP_IF_*, which tcpdump -D prints). */
export const IFACE = {
  loopback: 0x1,
  up: 0x2,
  running: 0x4,
  wireless: 0x8,
  /** The connection status bits; their value is one of the three below. */
  status: 0x30,
  connected: 0x10,
  disconnected: 0x20,
  notApplicable: 0x30,
} as const;
/** What a driver does with XDP, xsk_xdp_features (XSKDUMP_XDP_*: NETDEV_XDP_ACT_*). */
export const XDP_FEATURE = { basic: 0x1, redirect: 0x2, xskZerocopy: 0x8 } as const;
/** u32 words of xsk_user_ids (XSKDUMP_USER_WORDS): uid, gid, running as root. */
export const USER_WORDS = 3;
/** u32 words of xsk_thread_policy (XSKDUMP_THREAD_WORDS), and which count each is. */
export const THREAD_WORDS = 3;
export const THREAD = { idle: 0, batch: 1, left: 2 } as const;
/** How xsk_file_open opens a file (XSKDUMP_FILE_*). */
export const FILE_MODE = { read: 0, write: 1 } as const;

/** Bytes per cBPF instruction as the shim hands them out (XSKDUMP_CBPF_INSN_SIZE). */
export const CBPF_INSN_SIZE = 8;
/** Longest cBPF program the shim compiles or runs (XSKDUMP_CBPF_MAX_INSNS). */
export const CBPF_MAX_INSNS = 65535;
/** Map placeholders in a translated filter (XSKDUMP_FILTER_MAP_*): imm of a BPF_LD_IMM64. */
export const FILTER_MAP = { stages: 0, counters: 1 } as const;
/** Slots of xsk_filter_test_run() output (XSKDUMP_TEST_*). */
export const TEST = { retval: 0, duration: 1 } as const;
export const TEST_COUNT = 2;

/**
 * UMEM frames per captured queue by default: what decides how long the kernel can fill the ring
 * while xskdump is busy elsewhere (16384 frames: 5 ms at 3.3 Mpps, the most the benchmark host
 * offers). 32 MiB with 2 KiB frames, 64 MiB with 4 KiB frames (bench/README.md: generic mode
 * lost 0.02% at 1.4 Mpps with 8192 frames, nothing up to 1.59 Mpps with 16384).
 */
export const DEFAULT_FRAMES = 16384;
/** The default UMEM with 2 KiB frames: what doctor checks the locked-memory limit against. */
export const DEFAULT_BUFFER_BYTES = DEFAULT_FRAMES * 2048;

/** Capture files the shim writes (XSKDUMP_FILE_*). */
export const FILE_FORMAT = { pcap: 0, pcapng: 1 } as const;
/** The queue bits of DESC_FLAGS of a record of no known queue: no epb_queue. */
export const DESC_NO_QUEUE = 0xffff;
/** Why a put stopped short (XSKDUMP_WRITER_*). */
export const WRITER_STOP = { done: 0, rotate: 1, full: 2 } as const;
/** Slots of xsk_writer_stats() (XSKDUMP_WSTAT_*). */
export const WSTAT = {
  packets: 0,
  bytes: 1,
  file: 2,
  fileBytes: 3,
  filePackets: 4,
  stopped: 5,
  full: 6,
  written: 7,
  queued: 8,
  writeMaxNs: 9,
} as const;
export const WSTAT_COUNT = 10;
/** Slots of xsk_writer_failure() (XSKDUMP_WFAIL_*). */
export const WFAIL = { file: 0, size: 1, kept: 2, cutErrno: 3, partial: 4 } as const;
export const WFAIL_COUNT = 5;
