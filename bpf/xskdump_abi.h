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
	__u32 flags; /* reserved, 0 */
	__u32 magic;
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
	XSKDUMP_STAGE__MAX = 2,
};

#endif
