/* What crosses between the XDP program (bpf/) and the shim (csrc/).
 * Mirrored once in ffi/abi.ts; change all three together. */
#ifndef XSKDUMP_ABI_H
#define XSKDUMP_ABI_H

#include <linux/types.h>

/* Written by the XDP program into the XDP metadata area, which the kernel
 * copies into the UMEM frame right in front of the packet. `magic` is last so
 * it sits directly before the packet bytes: user space finds it at
 * addr - 4 and knows the timestamp in front of it is ours. */
#define XSKDUMP_META_MAGIC 0x584b534du /* "MSKX" */
struct xskdump_meta {
	__u64 rx_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC at XDP time */
	__u32 flags; /* XSKDUMP_META_* */
	__u32 magic;
};
/* meta.flags: the program put a VLAN tag the NIC had taken out (RX metadata)
 * back into the frame; the reject stage takes it out again. */
#define XSKDUMP_META_VLAN 1u
/* meta.flags: rx_ns is the NIC's RX timestamp (RX metadata, the NIC's own
 * clock: tcpdump's adapter_unsynced), not bpf_ktime_get_ns(). */
#define XSKDUMP_META_HW_TIMESTAMP 2u

/* The device-bound variant's settings (its .rodata), set by the shim before
 * loading: what it takes from the RX metadata. */
struct xskdump_meta_config {
	__u32 vlan;         /* put VLAN tags back */
	__u32 hw_timestamp; /* the NIC's RX timestamp as the packet's time */
};

/* Per-CPU counters kept by the XDP program (map "counters"). */
enum xskdump_counter {
	XSKDUMP_CNT_SEEN = 0,       /* every packet the program ran on */
	XSKDUMP_CNT_REDIRECTED = 1, /* handed to the XSKMAP (kernel may still drop: XDP_STATISTICS) */
	XSKDUMP_CNT_PASSED = 2,     /* no socket on this queue (or it went): XDP_PASS to the stack */
	XSKDUMP_CNT_FILTERED = 3,   /* filter said no: XDP_PASS to the stack */
	XSKDUMP_CNT_NO_META = 4,    /* bpf_xdp_adjust_meta failed: captured without our timestamp */
	XSKDUMP_CNT__MAX = 5,
};

#define XSKDUMP_MAX_QUEUES 256

/* Per RX queue counters kept by the XDP program (map "qcounters", one row per
 * queue; queues >= XSKDUMP_MAX_QUEUES share the last row). Several captures
 * can share the one program of an interface, each on its own queues: each
 * counts its own rows. Per queue, filtered = seen - redirected - passed. */
struct xskdump_qcount {
	__u64 seen;       /* every packet the program ran on */
	__u64 redirected; /* handed to the XSKMAP */
	__u64 passed;     /* XDP_PASS without a filter verdict: no socket, or it went */
	__u64 no_meta;    /* captured without our timestamp */
};
#define XSKDUMP_QCOUNT_ROWS (XSKDUMP_MAX_QUEUES + 1)

/* Slots of the prog array "stages". The attached program tail-calls the
 * filter (when one is installed; it falls through to capture otherwise); a
 * filter that accepts tail-calls the capture stage. */
enum xskdump_stage {
	XSKDUMP_STAGE_FILTER = 0,  /* translated tcpdump filter, loaded by the shim */
	XSKDUMP_STAGE_CAPTURE = 1, /* xskdump_capture: timestamp and redirect */
	XSKDUMP_STAGE_REJECT = 2,  /* what a filter rejects, before XDP_PASS (empty: nothing) */
	XSKDUMP_STAGE__MAX = 3,
};

/* Tap mode (bpf/xskdump_tap.bpf.c): each packet is copied into a BPF ring buffer
 * (map "ring") and goes on to the stack. A ring buffer record, after the
 * kernel's own 8-byte header, is this header and then cap_len bytes of the
 * packet. User space finds the packet at hdr_words * 8: later versions add
 * fields at the end and raise hdr_words. Version 1: this header alone (4
 * words); version 2 (process attribution on): this header, then struct
 * xskdump_proc (9 words), which is always the header's last 40 bytes, right
 * before the packet. */
#define XSKDUMP_TAP_REC_VERSION 1
#define XSKDUMP_TAP_REC_VERSION_PROC 2
struct xskdump_tap_rec {
	__u64 tstamp_ns; /* bpf_ktime_get_ns() at the hook: CLOCK_MONOTONIC */
	__u32 wire_len;  /* the packet's length on the wire (an offloaded VLAN tag included) */
	__u32 cap_len;   /* bytes of it that follow the header: wire_len cut to the snap length */
	__u32 ifindex;   /* the interface the hook ran on */
	__u16 queue;     /* RX queue (incoming), 0 outgoing */
	__u8 dir;        /* XSKDUMP_DIR_IN or XSKDUMP_DIR_OUT */
	__u8 hdr_words;  /* this header's length in 8-byte words (4) */
	__u32 version;   /* XSKDUMP_TAP_REC_VERSION */
	__u32 reserved;  /* 0 */
};

/* Which process a packet belongs to, found by its socket (issue 20): the value
 * of the map "procs" (socket cookie -> this), filled by the cgroup socket
 * hooks in process context and by the shim from the socket table at start;
 * copied by the tap programs into the record (version 2). */
struct xskdump_proc {
	__u64 cgroup_id; /* cgroup v2 id (the inode of its directory) of the task */
	__u32 pid;       /* thread group id of the task that created or last used the socket */
	__u32 tid;       /* its thread id (the pid where only the process is known) */
	char comm[16];   /* its command name (TASK_COMM_LEN) */
	__u32 how;       /* XSKDUMP_PROC_* (low byte) | XSKDUMP_PROC_CLOSED */
	__u32 reserved;  /* 0 */
};

/* How an attribution was found. */
#define XSKDUMP_PROC_NONE 0     /* no socket, or one nobody told us about */
#define XSKDUMP_PROC_HOOK 1     /* a cgroup socket hook ran for it (socket, connect, bind, sendmsg) */
#define XSKDUMP_PROC_TABLE 2    /* the socket table at start (sock_diag + /proc/PID/fd) */
#define XSKDUMP_PROC_LISTENER 3 /* a TCP socket accepted from a listener: the listener's owner */
#define XSKDUMP_PROC_HOW_MASK 0xff
#define XSKDUMP_PROC_CLOSED 0x100 /* the socket was released (its process may be gone) */

/* Counters of the process attribution (map "proc_counters", per CPU). */
enum xskdump_proc_counter {
	XSKDUMP_PROC_CNT_CREATE = 0,   /* sockets created (cgroup/sock_create) */
	XSKDUMP_PROC_CNT_USE = 1,      /* connect, bind, sendmsg that named another task */
	XSKDUMP_PROC_CNT_RELEASE = 2,  /* sockets released and moved to "procs_closed" */
	XSKDUMP_PROC_CNT_MAP_FULL = 3, /* a socket not recorded: "procs" was full */
	XSKDUMP_PROC_CNT__MAX = 4,
};

/* Sizes of the attribution maps: live sockets (a hash map allocated as it
 * fills), and released ones still seen on the wire (FIN, RST, TIME_WAIT;
 * least recently used first out). */
#define XSKDUMP_PROCS_MAX 262144
#define XSKDUMP_PROCS_CLOSED_MAX 16384

/* What the process filter asks of an attribution (xskdump_tap_config.proc_filter):
 * every kind given must match (AND); within a kind, any entry of its map. */
#define XSKDUMP_WANT_PID 1    /* its pid is in "want_pids" */
#define XSKDUMP_WANT_COMM 2   /* its command is in "want_comms" */
#define XSKDUMP_WANT_CGROUP 4 /* its cgroup id is in "want_cgroups", or its pid in
			       * "want_cgroup_pids" (the members of a cgroup v1 at start) */
/* xsk_proc_want's values of the cgroup kind given as pids (cgroup v1), not ids. */
#define XSKDUMP_WANT_CGROUP_PIDS 8

/* Directions, as pcapng's epb_flags bits 0-1 give them. */
#define XSKDUMP_DIR_IN 1
#define XSKDUMP_DIR_OUT 2

/* Per-CPU counters of the tap programs, one map per direction ("in_counters",
 * "out_counters"). The filter stage counts into the slots it shares with enum
 * xskdump_counter (PASSED, FILTERED), so the same translated filter serves.
 * Per direction: seen = copied + ring_full + filtered + proc_filtered + other_queue
 * + passed. attributed and unattributed are the reader's (csrc/ringbuf.c counts
 * the records it takes by their block: two counter updates a packet less in
 * the kernel), in the same array for the stats' layout. */
enum xskdump_tap_counter {
	XSKDUMP_TAP_SEEN = 0,        /* every packet the hook ran on */
	XSKDUMP_TAP_COPIED = 1,      /* copied into the ring buffer */
	XSKDUMP_TAP_PASSED = 2,      /* before the capture started or after it stopped */
	XSKDUMP_TAP_FILTERED = 3,    /* the filter said no */
	XSKDUMP_TAP_RING_FULL = 4,   /* no room in the ring buffer: lost to the capture */
	XSKDUMP_TAP_OTHER_QUEUE = 5, /* incoming on an RX queue not asked for (--queue) */
	XSKDUMP_TAP_PROC_FILTERED = 6, /* no process the process filter asks for */
	XSKDUMP_TAP_ATTRIBUTED = 7,    /* of the records read: with a process (attribution on) */
	XSKDUMP_TAP_UNATTRIBUTED = 8,  /* of the records read: without one (attribution on) */
	XSKDUMP_TAP_CNT__MAX = 9,
};

/* Bytes a tap program's scratch record (map "scratch") holds after its header
 * at least, whatever the snap length: the attribution reads the packet's
 * headers there (Ethernet, one VLAN tag, IPv4 with options, the ports). */
#define XSKDUMP_TAP_SCRATCH_MIN 96

/* Largest snap length the tap programs copy (tcpdump's maximum). */
#define XSKDUMP_TAP_MAX_SNAP 262144

/* The tap programs' settings, their only read-only global (.rodata): the shim
 * writes it before loading, so the verifier sees its values as constants. */
struct xskdump_tap_config {
	__u32 snaplen;    /* bytes copied of each packet, 1..XSKDUMP_TAP_MAX_SNAP */
	__u32 all_queues; /* 1: every RX queue; 0: only those in queue_mask */
	__u64 queue_mask[XSKDUMP_MAX_QUEUES / 64]; /* RX queues asked for (--queue) */
	__u32 attribute;   /* 1: look up each packet's process (records of version 2) */
	__u32 proc_filter; /* XSKDUMP_WANT_* bits: the process filter (0: none) */
	__u64 proc_cache_ns; /* how long a flow's attribution is reused (0: looked up per packet) */
};

/* The default of proc_cache_ns (XSKDUMP_PROC_CACHE_NS overrides it): see the
 * flow cache in bpf/xskdump_tap.bpf.c and docs/DESIGN.md. */
#define XSKDUMP_PROC_CACHE_NS 1000000ull

#endif
