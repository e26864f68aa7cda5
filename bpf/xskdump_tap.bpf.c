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

/* ---- process attribution: the maps ---- */

/* Live sockets: cookie -> process. Allocated as it fills (no preallocation):
 * its memory follows the sockets the host has, up to XSKDUMP_PROCS_MAX. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XSKDUMP_PROCS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct xskdump_proc);
} procs SEC(".maps");

/* Released sockets, for the packets after the close: bounded, oldest out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XSKDUMP_PROCS_CLOSED_MAX);
	__type(key, __u64);
	__type(value, struct xskdump_proc);
} procs_closed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XSKDUMP_PROC_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} proc_counters SEC(".maps");

/* The process filter's wanted values (filled by the shim before the start). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} want_pids SEC(".maps");

struct comm_key {
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct comm_key);
	__type(value, __u8);
} want_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} want_cgroups SEC(".maps");

/* A cgroup v1 path (a host with no cgroup2 in use) has no id a task carries
 * into BPF: its member processes at start stand for it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} want_cgroup_pids SEC(".maps");

/* Bumped by every hook that changes "procs" or "procs_closed" (after the
 * change), or whose socket is about to be bound or connected: a flow cache
 * entry holds the generation it was looked up in, and only that one is valid. */
__u64 proc_gen;

static __always_inline void proc_changed(void)
{
	__sync_fetch_and_add(&proc_gen, 1);
}

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
 * silently as far as the kernel is concerned: it is counted here, and so is
 * whether it carries a process. "copied" (and "attributed" or
 * "unattributed") goes up before the record is published (the ring buffer's
 * commit orders it), so a reader never holds a record its counters do not
 * show yet: its "not kept" (copied - captured) never goes below 0. */
static __always_inline void rec_end(struct xskdump_tap_rec *h, void *counters, __u32 cap, int ok)
{
	if (ok) {
		/* The attribution's block follows the header (attribution on). */
		__u32 proc = config.attribute && ((struct xskdump_proc *)(h + 1))->how
				     ? XSKDUMP_TAP_ATTRIBUTED
				     : XSKDUMP_TAP_UNATTRIBUTED;

		add(counters, XSKDUMP_TAP_COPIED, 1);
		if (config.attribute)
			add(counters, proc, 1);
		if (!bpf_ringbuf_output(&ring, h, HDR + cap, 0))
			return;
		add(counters, XSKDUMP_TAP_COPIED, -1);
		if (config.attribute)
			add(counters, proc, -1);
	}
	count(counters, XSKDUMP_TAP_RING_FULL);
}

/* ---- process attribution: the cgroup socket hooks (process context) ---- */

/* The current task as an attribution found by a hook. */
static __always_inline void proc_now(struct xskdump_proc *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	p->pid = (__u32)(pid_tgid >> 32);
	p->tid = (__u32)pid_tgid;
	p->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(p->comm, sizeof(p->comm));
	p->how = XSKDUMP_PROC_HOOK;
	p->reserved = 0;
}

static __always_inline void proc_record(__u64 cookie)
{
	struct xskdump_proc p = {};

	proc_now(&p);
	if (bpf_map_update_elem(&procs, &cookie, &p, BPF_ANY))
		count(&proc_counters, XSKDUMP_PROC_CNT_MAP_FULL);
	proc_changed();
}

/* Every new IPv4/IPv6 socket: its creator. */
SEC("cgroup/sock_create")
int proc_sock_create(struct bpf_sock *sk)
{
	count(&proc_counters, XSKDUMP_PROC_CNT_CREATE);
	proc_record(bpf_get_socket_cookie(sk));
	return 1; /* allowed: the hooks only watch */
}

/* connect, bind, sendmsg: the task using the socket, when it is not the one
 * recorded (a socket inherited across fork, or one from before the start
 * that the table at start missed). Written in place: no map update when the
 * entry exists. binds: connect or bind, after which the kernel puts the
 * socket where the lookups find it: the flow caches go (a sendmsg that names
 * the same task changes nothing, and a busy UDP server's would empty them all
 * the time). */
static __always_inline int proc_use(void *ctx, int binds)
{
	__u64 cookie = bpf_get_socket_cookie(ctx);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct xskdump_proc *p = bpf_map_lookup_elem(&procs, &cookie);

	if (p && p->pid == (__u32)(pid_tgid >> 32) && p->tid == (__u32)pid_tgid) {
		if (binds)
			proc_changed();
		return 1;
	}
	count(&proc_counters, XSKDUMP_PROC_CNT_USE);
	if (p) {
		proc_now(p);
		proc_changed();
	} else {
		proc_record(cookie);
	}
	return 1;
}

SEC("cgroup/connect4")
int proc_connect4(struct bpf_sock_addr *ctx)
{
	return proc_use(ctx, 1);
}

SEC("cgroup/connect6")
int proc_connect6(struct bpf_sock_addr *ctx)
{
	return proc_use(ctx, 1);
}

SEC("cgroup/bind4")
int proc_bind4(struct bpf_sock_addr *ctx)
{
	return proc_use(ctx, 1);
}

SEC("cgroup/bind6")
int proc_bind6(struct bpf_sock_addr *ctx)
{
	return proc_use(ctx, 1);
}

SEC("cgroup/sendmsg4")
int proc_sendmsg4(struct bpf_sock_addr *ctx)
{
	return proc_use(ctx, 0);
}

SEC("cgroup/sendmsg6")
int proc_sendmsg6(struct bpf_sock_addr *ctx)
{
	return proc_use(ctx, 0);
}

/* The socket is released (close, or its process exits): out of "procs", into
 * the bounded "procs_closed", so the FIN or RST the close sends next, and what
 * arrives after, still name the process. A socket nobody recorded (accepted)
 * empties the flow caches too: its end is a change of the socket table. */
SEC("cgroup/sock_release")
int proc_sock_release(struct bpf_sock *sk)
{
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct xskdump_proc *p = bpf_map_lookup_elem(&procs, &cookie);
	struct xskdump_proc c;

	if (p) {
		c = *p;
		c.how |= XSKDUMP_PROC_CLOSED;
		bpf_map_update_elem(&procs_closed, &cookie, &c, BPF_ANY);
		bpf_map_delete_elem(&procs, &cookie);
		count(&proc_counters, XSKDUMP_PROC_CNT_RELEASE);
	}
	proc_changed();
	return 1;
}

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

#define FLOW_WORDS (sizeof(struct flow) / 4)

/* Bytes of a frame's headers flow_parse reads: Ethernet with one VLAN tag (18),
 * IPv4 with the most options (60), the ports (4), rounded up. The scratch
 * record holds as many after its header whatever the snap length. */
#define FLOW_HDR XSKDUMP_TAP_SCRATCH_MIN

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
		__builtin_memcpy(&f->t.ipv4.saddr, ip + (out ? 16 : 12), 4);
		__builtin_memcpy(&f->t.ipv4.daddr, ip + (out ? 12 : 16), 4);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		const __u8 *ip = h + l3;

		if (l3 + 40 + 4 > n)
			return -1;
		f->proto = ip[6];
		l4 = l3 + 40;
		f->tlen = sizeof(f->t.ipv6);
		__builtin_memcpy(f->t.ipv6.saddr, ip + (out ? 24 : 8), 16);
		__builtin_memcpy(f->t.ipv6.daddr, ip + (out ? 8 : 24), 16);
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
	__u8 buf[FLOW_HDR];
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
	if (n < ETH_HLEN + 20 + 4 || load_bytes(ctx, xdp, 0, buf, n))
		return -1;
	return flow_parse(buf, n, out, f);
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

/* The process of a flow's socket into *a (left as it is when none is known).
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
	__u32 x = f->proto, i;

	for (i = 0; i < sizeof(f->w) / 4; i++)
		x ^= f->w[i];
	return (x * 0x9e3779b1u) >> (32 - PROC_CACHE_BITS);
}

static __always_inline int flow_eq(const struct flow *a, const struct flow *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	__u32 d = 0, i;

	for (i = 0; i < FLOW_WORDS; i++)
		d |= x[i] ^ y[i];
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
	__builtin_memset(a, 0, sizeof(*a));
	if (!flow_of(ctx, xdp, out, h, copied, len, &f))
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
