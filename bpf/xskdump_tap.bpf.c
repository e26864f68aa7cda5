// SPDX-License-Identifier: GPL-2.0
/* xskdump's tap programs: copy each packet, up to the snap length, into one BPF
 * ring buffer and let it go on, so the host keeps every packet (tap mode; the
 * XDP program of bpf/xskdump.bpf.c diverts them instead).
 *
 *   incoming: tap_xdp (XDP, native or generic), or tap_tc_in (tc ingress, when
 *             the XDP hook is taken): XDP_PASS / TCX_NEXT
 *   outgoing: tap_tc_out (tc egress: a tcx link, or a clsact filter): TCX_NEXT
 *
 * Each entry counts the packet, tail-calls its filter stage (when the shim
 * installed one: it counts and passes what it rejects, and tail-calls the copy
 * stage with what it accepts), then the copy stage. The shim installs the copy
 * stages last: until then, and after it stops, packets are only counted. A
 * record is struct xskdump_tap_rec and the packet; both directions go into the
 * same ring buffer, so records are in arrival order.
 *
 * Process attribution (config.attribute; issue 20), by socket, never by the
 * task a softirq happens to interrupt:
 *   the cgroup socket hooks (attached by the shim at the cgroup2 root) run in
 *   the process's own context and fill "procs": socket cookie -> struct
 *   xskdump_proc. sock_create records the creator; connect, bind and sendmsg
 *   the task that uses the socket when it is another (a socket inherited
 *   across fork, handed to a worker); sock_release moves the entry to
 *   "procs_closed", where the FIN, RST and TIME_WAIT packets that follow a
 *   close (or a process's exit) still find it.
 *   the copy stages find the packet's socket: outgoing, the skb's own socket
 *   (bpf_get_socket_cookie); incoming (and outgoing without one), a lookup of
 *   the packet's 5-tuple in the interface's network namespace
 *   (bpf_skc_lookup_tcp, which also finds request and TIME_WAIT sockets, or
 *   bpf_sk_lookup_udp), its cookie read through bpf_rdonly_cast; a TCP
 *   socket nobody recorded (accepted from a listener) takes its listener's
 *   process. The record carries the attribution (version 2), so user space
 *   never looks anything up per packet.
 *   the flow cache ("proc_cache", per CPU) keeps a flow's answer for
 *   config.proc_cache_ns, so a flow's later packets skip the lookups; every
 *   hook that changes what an answer could be bumps "proc_gen", which
 *   empties every CPU's cache at once. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "uapi_next.h"
#include "xskdump_abi.h"

/* Set by the shim before loading (the object is loaded per capture). */
const volatile struct xskdump_tap_config config = {
	.snaplen = XSKDUMP_TAP_MAX_SNAP,
	.all_queues = 1,
	.attribute = 0,
	.proc_filter = 0,
	.proc_cache_ns = XSKDUMP_PROC_CACHE_NS,
};

/* Sized by the shim (bpf_map__set_max_entries) from -B. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} ring SEC(".maps");

struct counters {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XSKDUMP_TAP_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
};
struct counters in_counters SEC(".maps");
struct counters out_counters SEC(".maps");

/* Filter and copy stages (enum xskdump_stage), one prog array per program type
 * and direction: a prog array takes programs of one type only. */
struct stages {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XSKDUMP_STAGE__MAX);
	__type(key, __u32);
	__type(value, __u32);
};
struct stages xdp_stages SEC(".maps");
struct stages tc_in_stages SEC(".maps");
struct stages tc_out_stages SEC(".maps");

/* Where a record is put together before bpf_ringbuf_output copies it into the
 * ring buffer: one entry per CPU (a program runs to its end on one CPU, and
 * never nested: XDP runs in softirq, tc with bottom halves off), HDR +
 * max(snaplen, XSKDUMP_TAP_SCRATCH_MIN) bytes each (the shim sets value_size
 * and max_entries). Measured
 * against bpf_ringbuf_reserve_dynptr + bpf_dynptr_copy (one copy, Linux
 * 6.15+): the same cost at 64 to 1500 bytes (docs/DESIGN.md), and this works
 * from Linux 5.18 on. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct xskdump_tap_rec) + XSKDUMP_TAP_SCRATCH_MIN);
} scratch SEC(".maps");

/* The record's header: the attribution's block follows it when it is on. A
 * constant of the loaded program either way. */
#define HDR ((__u32)sizeof(struct xskdump_tap_rec) + \
	     (config.attribute ? (__u32)sizeof(struct xskdump_proc) : 0))

/* Adds delta to one per-CPU counter. */
static __always_inline void add(void *map, __u32 idx, __s64 delta)
{
	__u64 *v = bpf_map_lookup_elem(map, &idx);

	if (v)
		*v += delta; /* per-CPU slot: no atomic needed */
}

static __always_inline void count(void *map, __u32 idx)
{
	add(map, idx, 1);
}

static __always_inline int queue_wanted(__u32 q)
{
	if (config.all_queues)
		return 1;
	if (q >= XSKDUMP_MAX_QUEUES)
		return 0;
	return (config.queue_mask[q / 64] >> (q % 64)) & 1;
}

/* This CPU's scratch record with its header filled in, for cap bytes of
 * packet; NULL only if the map is broken (counted as lost). */
static __always_inline struct xskdump_tap_rec *rec_start(void *counters, __u32 wire, __u32 cap,
							 __u32 ifindex, __u32 queue, __u32 dir)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct xskdump_tap_rec *h = bpf_map_lookup_elem(&scratch, &cpu);

	if (!h) {
		count(counters, XSKDUMP_TAP_RING_FULL);
		return NULL;
	}
	h->tstamp_ns = bpf_ktime_get_ns();
	h->wire_len = wire;
	h->cap_len = cap;
	h->ifindex = ifindex;
	h->queue = (__u16)queue;
	h->dir = (__u8)dir;
	h->hdr_words = HDR / 8;
	h->version = config.attribute ? XSKDUMP_TAP_REC_VERSION_PROC : XSKDUMP_TAP_REC_VERSION;
	h->reserved = 0;
	return h;
}

/* Where the packet goes in a scratch record: after the header (and the
 * attribution). */
static __always_inline __u8 *rec_packet(struct xskdump_tap_rec *h)
{
	return (__u8 *)h + HDR;
}

/* Copies the record into the ring buffer. A full ring buffer fails the copy
 * silently as far as the kernel is concerned: it is counted here. "copied"
 * goes up before the record is published (the ring buffer's commit orders
 * it), so a reader never holds a record its counters do not show yet: its
 * "not kept" (copied - captured) never goes below 0. Whether a record carries
 * a process the reader counts (csrc/ringbuf.c). */
static __always_inline void rec_end(struct xskdump_tap_rec *h, void *counters, __u32 cap, int ok)
{
	if (ok) {
		add(counters, XSKDUMP_TAP_COPIED, 1);
		if (!bpf_ringbuf_output(&ring, h, HDR + cap, 0))
			return;
		add(counters, XSKDUMP_TAP_COPIED, -1);
	}
	count(counters, XSKDUMP_TAP_RING_FULL);
}

/* Process attribution (config.attribute): the cgroup socket hooks and their
 * maps, then a packet's socket and the flow cache. */
#include "tap_hooks.bpf.h"
#include "tap_attribution.bpf.h"

/* The bytes kept of a packet of `wire` bytes. snaplen is a constant of the
 * loaded program, and the scratch record is that long: the barriers keep clang
 * from comparing a copy of the register, which would hide the bound from the
 * verifier. */
static __always_inline __u32 cap_of(__u32 wire)
{
	__u32 snap = config.snaplen;
	__u32 cap = wire;

	barrier_var(cap);
	if (cap > snap)
		cap = snap;
	barrier_var(cap);
	return cap;
}

/* ---- incoming, at XDP ---- */

SEC("xdp")
int tap_xdp(struct xdp_md *ctx)
{
	count(&in_counters, XSKDUMP_TAP_SEEN);
	if (!queue_wanted(ctx->rx_queue_index)) {
		count(&in_counters, XSKDUMP_TAP_OTHER_QUEUE);
		return XDP_PASS;
	}
	bpf_tail_call(ctx, &xdp_stages, XSKDUMP_STAGE_FILTER);
	bpf_tail_call(ctx, &xdp_stages, XSKDUMP_STAGE_CAPTURE);
	count(&in_counters, XSKDUMP_TAP_PASSED); /* not started, or stopped */
	return XDP_PASS;
}

SEC("xdp")
int tap_xdp_copy(struct xdp_md *ctx)
{
	__u32 wire = (__u32)bpf_xdp_get_buff_len(ctx);
	__u32 cap = cap_of(wire);
	struct xskdump_tap_rec *h;
	int ok;

	h = rec_start(&in_counters, wire, cap, ctx->ingress_ifindex, ctx->rx_queue_index,
		      XSKDUMP_DIR_IN);
	if (!h)
		return XDP_PASS;
	ok = !cap || !bpf_xdp_load_bytes(ctx, 0, rec_packet(h), cap);
	if (proc_step(ctx, 1, 0, h, ok, wire, 0, &in_counters))
		rec_end(h, &in_counters, cap, ok);
	return XDP_PASS;
}

/* ---- tc, both directions ---- */

/* Copies the skb into a record. The kernel keeps a VLAN tag it has taken out of
 * the frame (receive offload, or skb_vlan_untag before tc ingress) in the skb's
 * metadata: it goes back in, after the MAC addresses, as libpcap puts it back
 * from PACKET_AUXDATA, so the record holds the frame as the wire carried it. */
static __always_inline void copy_skb(struct __sk_buff *skb, void *counters, __u32 queue, __u32 dir)
{
	__u32 tagged = skb->vlan_present ? 4 : 0;
	__u32 wire = skb->len + tagged;
	__u32 cap = cap_of(wire);
	int out = dir == XSKDUMP_DIR_OUT;
	struct xskdump_tap_rec *h;
	__u8 *pkt;
	int ok;

	h = rec_start(counters, wire, cap, skb->ifindex, queue, dir);
	if (!h)
		return;
	pkt = rec_packet(h);
	if (!tagged || cap <= 12) {
		ok = !cap || !bpf_skb_load_bytes(skb, 0, pkt, cap);
	} else {
		ok = !bpf_skb_load_bytes(skb, 0, pkt, 12);
		/* vlan_proto is in network order already; vlan_tci is not. */
		*(__u16 *)(pkt + 12) = (__u16)skb->vlan_proto;
		*(__u16 *)(pkt + 14) = bpf_htons((__u16)skb->vlan_tci);
		if (ok && cap > 16)
			ok = !bpf_skb_load_bytes(skb, 12, pkt + 16, cap - 16);
	}
	if (proc_step(skb, 0, out, h, ok, skb->len,
		      out && config.attribute ? bpf_get_socket_cookie(skb) : 0, counters))
		rec_end(h, counters, cap, ok);
}

/* The RX queue an incoming skb came on: queue_mapping is it + 1 when the
 * driver recorded one. */
static __always_inline __u32 rx_queue_of(struct __sk_buff *skb)
{
	return skb->queue_mapping ? skb->queue_mapping - 1 : 0;
}

/* What both tc entries do once the packet is theirs: the filter stage, then
 * the copy stage; either returns in their place. */
static __always_inline int tc_stages(struct __sk_buff *skb, void *counters, void *stages)
{
	bpf_tail_call(skb, stages, XSKDUMP_STAGE_FILTER);
	bpf_tail_call(skb, stages, XSKDUMP_STAGE_CAPTURE);
	count(counters, XSKDUMP_TAP_PASSED); /* not started, or stopped */
	return XSKDUMP_TCX_NEXT;
}

SEC("tc")
int tap_tc_in(struct __sk_buff *skb)
{
	count(&in_counters, XSKDUMP_TAP_SEEN);
	if (!queue_wanted(rx_queue_of(skb))) {
		count(&in_counters, XSKDUMP_TAP_OTHER_QUEUE);
		return XSKDUMP_TCX_NEXT;
	}
	return tc_stages(skb, &in_counters, &tc_in_stages);
}

SEC("tc")
int tap_tc_in_copy(struct __sk_buff *skb)
{
	copy_skb(skb, &in_counters, rx_queue_of(skb), XSKDUMP_DIR_IN);
	return XSKDUMP_TCX_NEXT;
}

SEC("tc")
int tap_tc_out(struct __sk_buff *skb)
{
	count(&out_counters, XSKDUMP_TAP_SEEN);
	return tc_stages(skb, &out_counters, &tc_out_stages);
}

SEC("tc")
int tap_tc_out_copy(struct __sk_buff *skb)
{
	copy_skb(skb, &out_counters, 0, XSKDUMP_DIR_OUT);
	return XSKDUMP_TCX_NEXT;
}

char LICENSE[] SEC("license") = "GPL";
