// SPDX-License-Identifier: GPL-2.0
/* xskdump's XDP program: stamp each packet, then redirect it into the AF_XDP
 * socket bound to its RX queue. A queue without a socket gets XDP_PASS, so the
 * host stack never loses a packet nobody asked for; so does a packet the
 * user's filter (a tail-called stage, see csrc/filter_prog.c) rejects. */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
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

/* Our metadata in front of the packet, when the entry program wrote it already. */
static __always_inline struct xskdump_meta *meta_of(struct xdp_md *ctx)
{
	struct xskdump_meta *meta = (void *)(long)ctx->data_meta;

	if ((void *)(meta + 1) > (void *)(long)ctx->data || meta->magic != XSKDUMP_META_MAGIC)
		return 0;
	return meta;
}

/* The capture path: stamp the packet, hand it to the queue's socket. */
static __always_inline int capture(struct xdp_md *ctx)
{
	struct xskdump_qcount *q = queue_row(ctx);
	struct xskdump_meta *made = meta_of(ctx);
	__u32 queue = ctx->rx_queue_index;
	long action;

	/* Timestamp as early as the packet is ours: the pcap time is XDP time
	 * (unless the NIC's own is there already). */
	if (made) {
		if (!(made->flags & XSKDUMP_META_HW_TIMESTAMP))
			made->rx_ns = bpf_ktime_get_ns();
	} else if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct xskdump_meta)) == 0) {
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

#ifdef XSKDUMP_VLAN
/* The device-bound variant (bpf/ built twice, -DXSKDUMP_VLAN): a VLAN tag the
 * NIC took out of the frame (rx-vlan offload) comes back in, where libpcap's
 * AF_PACKET path puts it (after the MAC addresses), before the filter runs. */
extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto,
					__u16 *vlan_tci) __ksym;
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym;

const volatile struct xskdump_meta_config config = { .vlan = 1 };

/* The MAC addresses (12 bytes) from src to dst, 4 bytes apart: all read
 * before any write, as the two overlap. */
static __always_inline void move_macs(__u32 *dst, const __u32 *src)
{
	__u32 a = src[0], b = src[1], c = src[2];

	dst[0] = a;
	dst[1] = b;
	dst[2] = c;
}

static __always_inline void vlan_reinsert(struct xdp_md *ctx)
{
	struct xskdump_meta *meta;
	__u32 *w;
	__be16 proto;
	__u16 tci;

	/* No tag, or a driver without the kfunc (-EOPNOTSUPP): nothing to do. */
	if (!config.vlan || bpf_xdp_metadata_rx_vlan_tag(ctx, &proto, &tci))
		return;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return; /* no room to remember it: the frame stays as it came */
	if (bpf_xdp_adjust_head(ctx, -4))
		goto undo_meta;
	w = (void *)(long)ctx->data;
	if ((void *)(w + 4) > (void *)(long)ctx->data_end) {
		bpf_xdp_adjust_head(ctx, 4);
		goto undo_meta;
	}
	/* The MAC addresses 4 bytes to the front, then the TPID (network order
	 * from the kfunc) and the TCI. */
	move_macs(w, w + 1);
	((__be16 *)w)[6] = proto;
	((__be16 *)w)[7] = bpf_htons(tci);
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return;
	meta->rx_ns = bpf_ktime_get_ns();
	meta->flags = XSKDUMP_META_VLAN;
	meta->magic = XSKDUMP_META_MAGIC;
	return;
undo_meta:
	bpf_xdp_adjust_meta(ctx, (int)sizeof(*meta));
}

/* The NIC's RX timestamp as the packet's time, in our metadata (made here
 * when vlan_reinsert did not). None (-ENODATA, a driver without the kfunc,
 * or 0: veth answers 0 for an skb without one): the capture stage stamps it
 * as usual. */
static __always_inline void hw_timestamp(struct xdp_md *ctx)
{
	struct xskdump_meta *meta;
	__u64 ts;

	if (!config.hw_timestamp || bpf_xdp_metadata_rx_timestamp(ctx, &ts) || !ts)
		return;
	meta = meta_of(ctx);
	if (!meta) {
		if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
			return;
		meta = (void *)(long)ctx->data_meta;
		if ((void *)(meta + 1) > (void *)(long)ctx->data)
			return;
		meta->flags = 0;
		meta->magic = XSKDUMP_META_MAGIC;
	}
	meta->rx_ns = ts;
	meta->flags |= XSKDUMP_META_HW_TIMESTAMP;
}

/* The reject stage (slot XSKDUMP_STAGE_REJECT): a packet the filter passes to
 * the stack goes as it came, the tag out of the frame again (the driver, or
 * veth's skb, still carries it out of band). */
SEC("xdp")
int xskdump_untag(struct xdp_md *ctx)
{
	struct xskdump_meta *meta = meta_of(ctx);
	__u32 *w;

	if (!meta)
		return XDP_PASS;
	if (meta->flags & XSKDUMP_META_VLAN) {
		w = (void *)(long)ctx->data;
		if ((void *)(w + 4) <= (void *)(long)ctx->data_end) {
			move_macs(w + 1, w);
			bpf_xdp_adjust_head(ctx, 4);
		}
	}
	bpf_xdp_adjust_meta(ctx, (int)sizeof(*meta));
	return XDP_PASS;
}
#endif

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
#ifdef XSKDUMP_VLAN
	vlan_reinsert(ctx);
	hw_timestamp(ctx);
#endif
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
