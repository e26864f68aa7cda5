// SPDX-License-Identifier: GPL-2.0
/* xskdump's XDP program: stamp each packet, then redirect it into the AF_XDP
 * socket bound to its RX queue. A queue without a socket gets XDP_PASS, so the
 * host stack never loses a packet nobody asked for; so does a packet the
 * user's filter (a tail-called stage, see csrc/filter_prog.c) rejects. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xskdump_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XSKDUMP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XSKDUMP_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* The same counters per RX queue (struct xskdump_qcount), for captures that
 * share this program on different queues. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XSKDUMP_QCOUNT_ROWS);
	__type(key, __u32);
	__type(value, struct xskdump_qcount);
} qcounters SEC(".maps");

/* The filter and capture stages, tail-called by xskdump_rx (enum xskdump_stage). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XSKDUMP_STAGE__MAX);
	__type(key, __u32);
	__type(value, __u32);
} stages SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		*v += 1; /* per-CPU slot: no atomic needed */
}

/* This packet's row of qcounters (per-CPU: plain increments). */
static __always_inline struct xskdump_qcount *queue_row(struct xdp_md *ctx)
{
	__u32 row = ctx->rx_queue_index;

	if (row >= XSKDUMP_MAX_QUEUES)
		row = XSKDUMP_MAX_QUEUES;
	return bpf_map_lookup_elem(&qcounters, &row);
}

/* The capture path: stamp the packet, hand it to the queue's socket. */
static __always_inline int capture(struct xdp_md *ctx)
{
	struct xskdump_qcount *q = queue_row(ctx);
	__u32 queue = ctx->rx_queue_index;
	long action;

	/* Timestamp as early as the packet is ours: the pcap time is XDP time. */
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct xskdump_meta)) == 0) {
		struct xskdump_meta *meta = (void *)(long)ctx->data_meta;

		if ((void *)(meta + 1) <= (void *)(long)ctx->data) {
			meta->rx_ns = bpf_ktime_get_ns();
			meta->flags = 0;
			meta->magic = XSKDUMP_META_MAGIC;
		}
	} else {
		count(XSKDUMP_CNT_NO_META);
		if (q)
			q->no_meta++;
	}

	/* The socket may go away between lookup and redirect: pass then too. */
	action = bpf_redirect_map(&xsks, queue, XDP_PASS);
	count(action == XDP_REDIRECT ? XSKDUMP_CNT_REDIRECTED : XSKDUMP_CNT_PASSED);
	if (q) {
		/* Both fields at fixed offsets: a branch would let clang pick the
		 * field by pointer arithmetic, which needs CAP_PERFMON. */
		__u64 redirected = action == XDP_REDIRECT;

		q->redirected += redirected;
		q->passed += 1 - redirected;
	}
	return action;
}

SEC("xdp")
int xskdump_rx(struct xdp_md *ctx)
{
	struct xskdump_qcount *q = queue_row(ctx);
	__u32 queue = ctx->rx_queue_index;

	count(XSKDUMP_CNT_SEEN);
	if (q)
		q->seen++;
	if (!bpf_map_lookup_elem(&xsks, &queue)) {
		count(XSKDUMP_CNT_PASSED);
		if (q)
			q->passed++;
		return XDP_PASS;
	}
	/* The filter decides: it counts and passes what it rejects, and
	 * tail-calls xskdump_capture with what it accepts. Without a filter the
	 * tail call does nothing and we capture right here. */
	bpf_tail_call(ctx, &stages, XSKDUMP_STAGE_FILTER);
	return capture(ctx);
}

/* The capture stage (slot XSKDUMP_STAGE_CAPTURE), entered from a filter. */
SEC("xdp")
int xskdump_capture(struct xdp_md *ctx)
{
	return capture(ctx);
}

char LICENSE[] SEC("license") = "GPL";
