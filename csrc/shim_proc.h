/* Part of shim.h, the ABI (included there and nowhere else; abi_test.ts
 * reads it in place): process attribution and its cgroups. */
#ifndef XSKDUMP_SHIM_PROC_H
#define XSKDUMP_SHIM_PROC_H

#include <stdint.h>

/* ==== cgroups.c: the cgroup2 root, cgroup ids and paths ==== */

#define XSKDUMP_CGROUP_MOUNTED 1 /* xsk_cgroup_root: the host's cgroup2 mount */
#define XSKDUMP_CGROUP_PRIVATE 2 /* a private mount, already detached */
/* Opens the cgroup2 root (once per process; later calls return the same).
 * Writes where it is mounted into path ("" for a private mount). Returns
 * XSKDUMP_CGROUP_MOUNTED or _PRIVATE. */
int32_t xsk_cgroup_root(uint8_t *path, uint32_t len);
/* The ids of the cgroup2 cgroups that match and of every cgroup below them,
 * up to max into out; the count, -ENOENT for none. container 0: spec is a
 * path from the cgroup2 root; 1: a container id (or its start), matched in
 * the directory names (docker-ID.scope, cri-containerd-ID.scope, ID). */
int32_t xsk_cgroup_ids(const char *spec, uint32_t container, uint64_t *out, uint32_t max);
/* Where a host uses cgroup v1 only: the pids of the processes in the v1
 * cgroups that match (container as for xsk_cgroup_ids; every v1 hierarchy this
 * process is in is searched, each through a private mount detached at once)
 * and below them, up to max into out; the
 * count (0 for an empty cgroup), -ENOENT when there is no such cgroup. */
int32_t xsk_cgroup1_pids(const char *spec, uint32_t container, uint32_t *out, uint32_t max);
/* The path from the cgroup2 root of cgroup id ("/" for the root) into path;
 * its length, -ENOENT when there is no such cgroup (any more). */
int32_t xsk_cgroup_path(uint64_t id, uint8_t *path, uint32_t len);

/* ==== proc.c: process attribution ==== */

/* Which process sent or receives a packet (issue 20), for a tap opened with
 * attribute = 1: the tap programs look up the packet's socket in a map of
 * socket cookies that cgroup socket hooks fill (bpf/xskdump_tap.bpf.c says
 * which hook fills what). The hooks attach at the root of the cgroup2
 * hierarchy: where it is mounted, or through a private mount the shim makes,
 * opens and detaches at once (nothing stays mounted, whatever ends the
 * process). Order: xsk_tap_open, xsk_proc_attach (hooks first, so no socket
 * falls between them and the table), xsk_proc_table, xsk_proc_want, then
 * xsk_tap_start; xsk_proc_detach before xsk_tap_close. */
/* xsk_proc_counters output (u64 each). */
#define XSKDUMP_PROC_STAT_WORDS 6
#define XSKDUMP_PROC_STAT_CREATE 0   /* sockets created (hook) */
#define XSKDUMP_PROC_STAT_USE 1      /* connect, bind, sendmsg by another task (hook) */
#define XSKDUMP_PROC_STAT_RELEASE 2  /* sockets released (hook) */
#define XSKDUMP_PROC_STAT_MAP_FULL 3 /* sockets not recorded: the map was full */
#define XSKDUMP_PROC_STAT_LIVE 4     /* entries in "procs" now */
#define XSKDUMP_PROC_STAT_CLOSED 5   /* entries in "procs_closed" now */
/* xsk_proc_table output (u64 each). */
#define XSKDUMP_TABLE_WORDS 3
#define XSKDUMP_TABLE_SOCKETS 0  /* TCP and UDP sockets sock_diag listed (this netns) */
#define XSKDUMP_TABLE_OWNED 1    /* of them, found in a process's fds */
#define XSKDUMP_TABLE_ADDED 2    /* of those, recorded (a hook had not recorded them first) */

/* Attaches the cgroup socket hooks of tap h at the cgroup2 root (BPF links:
 * the kernel removes them with the process). */
int32_t xsk_proc_attach(int32_t tap);
/* Records the sockets that exist already: sock_diag (TCP, UDP; IPv4, IPv6)
 * gives each socket's cookie and inode in this network namespace, the fds of
 * every /proc/PID the process that holds it. out: XSKDUMP_TABLE_* values. */
int32_t xsk_proc_table(int32_t tap, uint64_t *out, uint32_t n);
/* The values the process filter wants of kind (one XSKDUMP_WANT_* bit): n
 * pids (u32), n commands (16 bytes each, NUL-padded), or n cgroup ids (u64),
 * in values. Before xsk_tap_start. */
int32_t xsk_proc_want(int32_t tap, uint32_t kind, const uint8_t *values, uint32_t n);
/* Fills out[0..n) with XSKDUMP_PROC_STAT_* values. */
int32_t xsk_proc_counters(int32_t tap, uint64_t *out, uint32_t n);
/* Closes the hooks' links. */
int32_t xsk_proc_detach(int32_t tap);

#endif
