// SPDX-License-Identifier: GPL-2.0
/* The tap's process attribution in softirq: a packet's flow, its
 * socket's lookup, the flow cache, the process filter.
 * Part of bpf/xskdump_tap.bpf.c, included once by it: it uses its settings
 * (config), maps and helpers defined before the include. */
#ifndef XSKDUMP_TAP_ATTRIBUTION_BPF_H
#define XSKDUMP_TAP_ATTRIBUTION_BPF_H

/* ---- process attribution: a packet's socket (softirq) ---- */

/* The cookie's field of a socket (any struct sock_common: full, request or
 * TIME_WAIT), relocated against the kernel's BTF. The lookup helpers return
 * no cookie, and bpf_get_socket_cookie takes only the skb at tc (nothing at
 * XDP): bpf_rdonly_cast (Linux 6.2) reads the socket as the kernel's type.
 * 0 when the kernel never gave the socket one (then nobody recorded it). */
typedef struct {
	__s64 counter;
} xskdump_atomic64;

struct sock_common___xskdump {
	xskdump_atomic64 skc_cookie;
} __attribute__((preserve_access_index));

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

static __always_inline __u64 sk_cookie(struct bpf_sock *sk)
{
	struct sock_common___xskdump *sc;

	sc = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock_common___xskdump));
	return (__u64)sc->skc_cookie.counter;
}

static __always_inline struct xskdump_proc *proc_find(__u64 cookie)
{
	struct xskdump_proc *p;

	if (!cookie)
		return NULL;
	p = bpf_map_lookup_elem(&procs, &cookie);
	return p ? p : bpf_map_lookup_elem(&procs_closed, &cookie);
}

static __always_inline long load_bytes(void *ctx, int xdp, __u32 off, void *to, __u32 len)
{
	return xdp ? bpf_xdp_load_bytes(ctx, off, to, len) : bpf_skb_load_bytes(ctx, off, to, len);
}

/* A TCP or UDP packet's ends as a socket lookup wants them: saddr the remote
 * end, daddr the local one (an outgoing packet's swapped). Whole words with no
 * padding: the flow cache compares and hashes it as words. */
struct flow {
	union {
		struct bpf_sock_tuple t;
		__u32 w[sizeof(struct bpf_sock_tuple) / 4];
	};
	__u32 tlen;
	__u32 proto;
};

/* Bytes of a frame's headers flow_parse reads: Ethernet with one VLAN tag (18),
 * IPv4 with the most options (60), the ports (4), rounded up. The scratch
 * record holds as many after its header whatever the snap length. */
#define FLOW_HDR XSKDUMP_TAP_SCRATCH_MIN

/* An IPv6 address, a word at a time. Addresses are read as words: 4-byte
 * aligned in the stack buffer (where the verifier wants every access
 * aligned), maybe not in the scratch record (a map value: the verifier lets an
 * unaligned word through where the CPU reads one cheaply, x86 and arm64). A
 * memcpy of unknown alignment is a byte at a time. */
static __always_inline void copy_words(__u32 *to, const __u8 *from)
{
	to[0] = *(__u32 *)from;
	to[1] = *(__u32 *)(from + 4);
	to[2] = *(__u32 *)(from + 8);
	to[3] = *(__u32 *)(from + 12);
}

/* 0 when the n bytes of frame at h are TCP or UDP over IPv4 or IPv6 (one VLAN
 * tag at most; not a later fragment, no IPv6 extension header), its flow in
 * *f. h holds FLOW_HDR bytes (stack or scratch record); reads stay below n. */
static __always_inline int flow_parse(const __u8 *h, __u32 n, int out, struct flow *f)
{
	__u32 l3 = ETH_HLEN, l4;
	__u16 proto;

	if (n < ETH_HLEN + 20 + 4)
		return -1;
	proto = *(__u16 *)(h + 12);
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		proto = *(__u16 *)(h + 16);
		l3 += 4;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		const __u8 *ip = h + l3;

		if ((ip[0] >> 4) != 4 || (*(__u16 *)(ip + 6) & bpf_htons(0x1fff)))
			return -1;
		f->proto = ip[9];
		l4 = l3 + (__u32)(ip[0] & 0xf) * 4;
		f->tlen = sizeof(f->t.ipv4);
		f->t.ipv4.saddr = *(__u32 *)(ip + (out ? 16 : 12));
		f->t.ipv4.daddr = *(__u32 *)(ip + (out ? 12 : 16));
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		const __u8 *ip = h + l3;

		if (l3 + 40 + 4 > n)
			return -1;
		f->proto = ip[6];
		l4 = l3 + 40;
		f->tlen = sizeof(f->t.ipv6);
		copy_words(f->t.ipv6.saddr, ip + (out ? 24 : 8));
		copy_words(f->t.ipv6.daddr, ip + (out ? 8 : 24));
	} else {
		return -1;
	}
	if ((f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP) || l4 + 4 > n ||
	    l4 > FLOW_HDR - 4)
		return -1;
	{
		__u16 sport = *(__u16 *)(h + l4), dport = *(__u16 *)(h + l4 + 2);

		if (f->tlen == sizeof(f->t.ipv4)) {
			f->t.ipv4.sport = out ? dport : sport;
			f->t.ipv4.dport = out ? sport : dport;
		} else {
			f->t.ipv6.sport = out ? dport : sport;
			f->t.ipv6.dport = out ? sport : dport;
		}
	}
	return 0;
}

/* The packet's flow (0 when it has one: flow_parse). Its headers are read
 * where the copy put them, in the scratch record, when it holds them all
 * (a helper call and a second copy cost more than the parsing: measured,
 * docs/DESIGN.md); else (a snap length shorter than the headers) loaded from
 * the packet. len: the bytes the context has (an skb's without the VLAN tag
 * the record has put back). */
static __always_inline int flow_of(void *ctx, int xdp, int out, struct xskdump_tap_rec *h,
				   int copied, __u32 len, struct flow *f)
{
	/* The frame goes 2 bytes in: its IP header 4-byte aligned. */
	__u8 buf[FLOW_HDR + 2];
	__u32 n = h->wire_len;

	if (n > FLOW_HDR)
		n = FLOW_HDR;
	if (copied && h->cap_len >= n)
		return flow_parse((__u8 *)h + HDR, n, out, f);
	n = len;
	barrier_var(n);
	if (n > FLOW_HDR)
		n = FLOW_HDR;
	barrier_var(n);
	if (n < ETH_HLEN + 20 + 4 || load_bytes(ctx, xdp, 0, buf + 2, n))
		return -1;
	return flow_parse(buf + 2, n, out, f);
}

/* The cookie of the local socket a lookup of f finds, 0 for none; *listening
 * set when it is a TCP listener. */
static __always_inline __u64 flow_cookie(void *ctx, struct flow *f, int *listening)
{
	struct bpf_sock *sk;
	__u64 c;

	/* The tuple's size a constant at each call: the verifier wants it bounded. */
	if (f->tlen == sizeof(f->t.ipv4))
		sk = f->proto == IPPROTO_TCP ? bpf_skc_lookup_tcp(ctx, &f->t, sizeof(f->t.ipv4),
								  BPF_F_CURRENT_NETNS, 0)
					     : bpf_sk_lookup_udp(ctx, &f->t, sizeof(f->t.ipv4),
								 BPF_F_CURRENT_NETNS, 0);
	else
		sk = f->proto == IPPROTO_TCP ? bpf_skc_lookup_tcp(ctx, &f->t, sizeof(f->t.ipv6),
								  BPF_F_CURRENT_NETNS, 0)
					     : bpf_sk_lookup_udp(ctx, &f->t, sizeof(f->t.ipv6),
								 BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	*listening = f->proto == IPPROTO_TCP && sk->state == BPF_TCP_LISTEN;
	c = sk_cookie(sk);
	bpf_sk_release(sk);
	return c;
}

/* The process of a flow's socket into *a (all 0 when none is known).
 * own: the skb's socket's cookie (outgoing), known not to be recorded. 1 when
 * the answer may be kept in the flow cache: not when the 5-tuple found a TCP
 * listener (a SYN: its connection's later packets find the request socket,
 * whose answer says "listener"). */
static __always_inline int flow_proc(void *ctx, struct flow *f, __u64 own, struct xskdump_proc *a)
{
	int listening = 0, skip;
	__u64 c = flow_cookie(ctx, f, &listening);
	struct xskdump_proc *p = c != own ? proc_find(c) : NULL;
	__u32 how = 0;

	skip = listening;
	if (!p && f->proto == IPPROTO_TCP) {
		/* Accepted (or being accepted): the listener of the local end,
		 * which a lookup without the remote end finds. */
		if (f->tlen == sizeof(f->t.ipv4)) {
			f->t.ipv4.saddr = 0;
			f->t.ipv4.sport = 0;
		} else {
			__builtin_memset(f->t.ipv6.saddr, 0, 16);
			f->t.ipv6.sport = 0;
		}
		p = proc_find(flow_cookie(ctx, f, &listening));
		how = XSKDUMP_PROC_LISTENER;
	}
	if (p) {
		*a = *p;
		if (how)
			a->how = how | (a->how & XSKDUMP_PROC_CLOSED);
	} else {
		__builtin_memset(a, 0, sizeof(*a));
	}
	return !skip;
}

/* ---- the flow cache: a flow's attribution, per CPU ---- */

/* One slot: a flow, the answer of its lookup, when and in which generation of
 * "proc_gen" it was looked up. */
struct proc_cache_slot {
	struct flow key;
	__u32 reserved;
	__u64 gen;
	__u64 stamp_ns;
	struct xskdump_proc proc;
};

/* Slots per CPU (a power of 2): a flow has the slot of its hash, and two flows
 * of one hash take turns in it. A per-CPU array: its lookup is inlined by the
 * verifier (an LRU hash's hashes the whole key and keeps the LRU's lists), and
 * a program runs on one CPU to its end, never nested (as with "scratch"), so a
 * slot needs no lock. */
#define PROC_CACHE_BITS 8

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1 << PROC_CACHE_BITS);
	__type(key, __u32);
	__type(value, struct proc_cache_slot);
} proc_cache SEC(".maps");

static __always_inline __u32 flow_hash(const struct flow *f)
{
	__u32 x = f->proto ^ f->w[0] ^ f->w[1] ^ f->w[2], i;

	/* IPv4's tuple is the first 3 words; the rest of the union is 0. */
	if (f->tlen != sizeof(f->t.ipv4))
		for (i = 3; i < sizeof(f->w) / 4; i++)
			x ^= f->w[i];
	return (x * 0x9e3779b1u) >> (32 - PROC_CACHE_BITS);
}

static __always_inline int flow_eq(const struct flow *a, const struct flow *b)
{
	__u32 d = (a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
		  (a->tlen ^ b->tlen) | (a->proto ^ b->proto), i;

	if (!d && a->tlen != sizeof(a->t.ipv4))
		for (i = 3; i < sizeof(a->w) / 4; i++)
			d |= a->w[i] ^ b->w[i];
	return !d;
}

/* The flow's process into *a: the cached answer while it is valid (the same
 * flow, looked up less than proc_cache_ns before now, no hook has changed
 * anything since), else the lookups', which then replace the slot's. The
 * generation is read before the lookups: a hook that changes something during
 * them leaves the slot stale from the start. */
static __always_inline void flow_attribute(void *ctx, struct flow *f, __u64 own, __u64 now,
					   struct xskdump_proc *a)
{
	__u64 ttl = config.proc_cache_ns;
	__u32 idx = flow_hash(f);
	struct proc_cache_slot *s = ttl ? bpf_map_lookup_elem(&proc_cache, &idx) : NULL;
	__u64 gen = *(volatile __u64 *)&proc_gen;
	struct flow key;

	if (s && s->gen == gen && now - s->stamp_ns < ttl && flow_eq(&s->key, f)) {
		*a = s->proc;
		return;
	}
	key = *f; /* flow_proc may clear the remote end */
	if (!flow_proc(ctx, f, own, a) || !s)
		return;
	s->key = key;
	s->gen = gen;
	s->stamp_ns = now;
	s->proc = *a;
}

/* The process of the packet in the scratch record h into the record's block
 * (how XSKDUMP_PROC_NONE when none is known). own: the cookie of the skb's
 * socket (outgoing), 0 otherwise. copied: the record holds the packet. */
static __always_inline void attribute(void *ctx, int xdp, int out, struct xskdump_tap_rec *h,
				      int copied, __u32 len, __u64 own)
{
	struct xskdump_proc *a = (struct xskdump_proc *)(h + 1);
	struct xskdump_proc *p = proc_find(own);
	struct flow f = {};

	if (p) {
		*a = *p;
		return;
	}
	if (flow_of(ctx, xdp, out, h, copied, len, &f))
		__builtin_memset(a, 0, sizeof(*a));
	else
		flow_attribute(ctx, &f, own, h->tstamp_ns, a);
}

/* 1 when the attribution is one the process filter asks for (or none is set). */
static __always_inline int proc_wanted(struct xskdump_proc *a)
{
	__u32 want = config.proc_filter;

	if (!want)
		return 1;
	if (!(a->how & XSKDUMP_PROC_HOW_MASK))
		return 0;
	if ((want & XSKDUMP_WANT_PID) && !bpf_map_lookup_elem(&want_pids, &a->pid))
		return 0;
	if ((want & XSKDUMP_WANT_COMM) && !bpf_map_lookup_elem(&want_comms, a->comm))
		return 0;
	if ((want & XSKDUMP_WANT_CGROUP) && !bpf_map_lookup_elem(&want_cgroups, &a->cgroup_id) &&
	    !bpf_map_lookup_elem(&want_cgroup_pids, &a->pid))
		return 0;
	return 1;
}

/* With attribution on: the packet's process into the record h (the packet
 * copied into it first, so its headers are read there), and 1 when the
 * process filter takes it (counted when it does not). Without: 1. */
static __always_inline int proc_step(void *ctx, int xdp, int out, struct xskdump_tap_rec *h,
				     int copied, __u32 len, __u64 own, void *counters)
{
	if (!config.attribute)
		return 1;
	attribute(ctx, xdp, out, h, copied, len, own);
	if (proc_wanted((struct xskdump_proc *)(h + 1)))
		return 1;
	count(counters, XSKDUMP_TAP_PROC_FILTERED);
	return 0;
}

#endif
