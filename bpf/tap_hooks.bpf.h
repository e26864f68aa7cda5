// SPDX-License-Identifier: GPL-2.0
/* The tap's process attribution in process context: its maps, the
 * generation of the flow caches, and the cgroup socket hooks that fill them.
 * Part of bpf/xskdump_tap.bpf.c, included once by it: it uses its settings
 * (config), maps and helpers defined before the include. */
#ifndef XSKDUMP_TAP_HOOKS_BPF_H
#define XSKDUMP_TAP_HOOKS_BPF_H

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

#endif
