// SPDX-License-Identifier: GPL-2.0
/* The XDP program of bench/xdp_gen.c. BPF_PROG_RUN in live-frames mode runs it
 * once per generated frame over a copy of one template (the largest frame); it
 * cuts the frame to the next size of the round robin, rewrites the lengths and
 * the IPv4 checksum to match, and answers XDP_TX, which sends the frame out of
 * the interface the run names.
 *
 * Pacing lives here, not in user space: each BPF_PROG_RUN call sets up and
 * tears down a page pool (a whole RCU grace period, ~25 ms here), so user
 * space can only afford one long call, and calls of a few thousand frames
 * would arrive as bursts. Spinning on the clock per frame instead makes one
 * call emit frames at even intervals (the kernel flushes them in bulks of up
 * to 16). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_SIZES 16

/* Mirrored in xdp_gen.c. */
struct gen_state {
	__u64 interval_ns; /* 0: flat out */
	__u64 next_ns;	   /* when the next frame is due (0: now) */
	__u64 frames;	   /* frames answered XDP_TX */
	__u32 nsizes;
	__u32 pad;
	__u16 len[MAX_SIZES];	   /* frame lengths, without FCS */
	__u16 ip_check[MAX_SIZES]; /* IPv4 header checksum for that length, as on the wire */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_state);
} gen_state SEC(".maps");

static long due(__u64 i, void *ctx)
{
	(void)i;
	return bpf_ktime_get_ns() >= *(__u64 *)ctx; /* 1 ends the loop */
}

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	__u32 key = 0, k, len, have;
	struct gen_state *s = bpf_map_lookup_elem(&gen_state, &key);
	void *data, *end;
	struct iphdr *ip;
	struct udphdr *udp;

	if (!s || !s->nsizes)
		return XDP_ABORTED;
	if (s->interval_ns) {
		__u64 now = bpf_ktime_get_ns();

		/* Behind by more than 1 ms (preempted): start over from now rather
		 * than catch up in one burst. */
		if (!s->next_ns || now > s->next_ns + 1000000)
			s->next_ns = now;
		/* At most 2^23 turns (~0.2 s): rates below ~10 pps come out faster. */
		if (now < s->next_ns) {
			__u64 at = s->next_ns; /* bpf_loop's context must be on the stack */

			bpf_loop(1 << 23, due, &at, 0);
		}
		s->next_ns += s->interval_ns;
	}
	k = (__u32)(s->frames % s->nsizes);
	if (k >= MAX_SIZES)
		return XDP_ABORTED;
	len = s->len[k];
	have = (__u32)(ctx->data_end - ctx->data);
	/* The page is the template's every time (the kernel restores data_end),
	 * but the header bytes keep what the last frame wrote: always rewrite. */
	if (len < have && bpf_xdp_adjust_tail(ctx, (int)len - (int)have))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	ip = data + sizeof(struct ethhdr);
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return XDP_ABORTED;
	ip->tot_len = bpf_htons((__u16)(len - sizeof(struct ethhdr)));
	ip->check = s->ip_check[k];
	udp->len = bpf_htons((__u16)(len - sizeof(struct ethhdr) - sizeof(struct iphdr)));
	udp->check = 0; /* IPv4: no checksum */
	s->frames++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
