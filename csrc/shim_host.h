/* Part of shim.h, the ABI (included there and nowhere else; abi_test.ts
 * reads it in place): host facts, the loop's threads, the interfaces, -Z, files
 * Deno will not open. */
#ifndef XSKDUMP_SHIM_HOST_H
#define XSKDUMP_SHIM_HOST_H

#include <stdint.h>

/* ==== host.c: host facts ==== */

/* Host facts, XSKDUMP_HOST_WORDS u64: effective capability mask, RLIMIT_MEMLOCK
 * soft limit (UINT64_MAX = unlimited), kernel BTF present (0/1), inode of this
 * network namespace. Read in C: Deno grants /proc and /sys only with -A. */
#define XSKDUMP_HOST_WORDS 4
int32_t xsk_host_facts(uint64_t *out, uint32_t n);
/* `uname -r` into buf (NUL-terminated); returns its length. */
int32_t xsk_kernel_release(uint8_t *buf, uint32_t len);
/* Start time of process pid (/proc/PID/stat field 22) in *out; -ESRCH when gone. */
int32_t xsk_process_start(int32_t pid, uint64_t *out);
/* The names of this network namespace's interfaces (if_nameindex), each ended
 * by a NUL, into buf; returns the bytes written, -ENOSPC when len is short. */
int32_t xsk_iface_names(uint8_t *buf, uint32_t len);
/* RX queues of an interface (sysfs); -ENODEV when it does not exist. */
int32_t xsk_rx_queue_count(const char *ifname);
/* The interface's MTU (SIOCGIFMTU); -ENODEV when it does not exist. */
int32_t xsk_iface_mtu(const char *ifname);
/* 1 when GRO is on for the interface, 0 when off (ETHTOOL_GGRO); -errno. */
int32_t xsk_iface_gro(const char *ifname);
/* XDP on an interface (bpf_xdp_query), XSKDUMP_XDP_QUERY_WORDS u32: attach
 * mode (XDP_ATTACHED_NONE/DRV/SKB/HW/MULTI), program id, native program id,
 * generic program id, and whose it is: XSKDUMP_XDP_OURS (another xskdump's,
 * which a capture can join), _FOREIGN, or _UNKNOWN (its name cannot be read:
 * opening a program by id needs CAP_SYS_ADMIN). */
#define XSKDUMP_XDP_QUERY_WORDS 5
#define XSKDUMP_XDP_FOREIGN 0
#define XSKDUMP_XDP_OURS 1
#define XSKDUMP_XDP_UNKNOWN 2
int32_t xsk_xdp_query(const char *ifname, uint32_t *out, uint32_t n);
/* Channels as `ethtool -l` shows them (ETHTOOL_GCHANNELS), XSKDUMP_CHANNELS_WORDS
 * u32: max rx, tx, other, combined, then the current rx, tx, other, combined. */
#define XSKDUMP_CHANNELS_WORDS 8
int32_t xsk_channels_get(const char *ifname, uint32_t *out, uint32_t n);
/* Sets the channel counts, as `ethtool -L IF rx R tx T other O combined C`. */
int32_t xsk_channels_set(const char *ifname, uint32_t rx, uint32_t tx, uint32_t other,
			 uint32_t combined);
/* How the host uses an interface (xsk_iface_usage output, u32 each): what
 * decides between tap and divert. */
#define XSKDUMP_USAGE_WORDS 3
#define XSKDUMP_USAGE_IPV4 0   /* IPv4 addresses */
#define XSKDUMP_USAGE_IPV6 1   /* IPv6 addresses other than link-local (fe80::/10) */
#define XSKDUMP_USAGE_MASTER 2 /* 1 when it is a port of a bridge, bond or team */
int32_t xsk_iface_usage(const char *ifname, uint32_t *out, uint32_t n);

/* ==== threads.c: the capture loop's CPU ==== */

/* Sets every other thread of this process so that it never preempts the
 * calling thread (the capture loop): V8's ("V8 ..." names) SCHED_IDLE, the rest
 * SCHED_BATCH. Counts, XSKDUMP_THREAD_WORDS u32: threads idle, batch (set now
 * or already), and left as they were (refused). Threads created later are not
 * touched: call again. */
#define XSKDUMP_THREAD_WORDS 3
#define XSKDUMP_THREAD_IDLE 0
#define XSKDUMP_THREAD_BATCH 1
#define XSKDUMP_THREAD_LEFT 2
int32_t xsk_thread_policy(uint32_t *out, uint32_t n);

/* ==== ifaces.c: the interfaces a capture can use ==== */

/* Flags of xsk_interfaces, libpcap's PCAP_IF_* (tcpdump -D prints them). */
#define XSKDUMP_IFACE_UP 0x2
#define XSKDUMP_IFACE_RUNNING 0x4
#define XSKDUMP_IFACE_LOOPBACK 0x1
#define XSKDUMP_IFACE_WIRELESS 0x8
#define XSKDUMP_IFACE_STATUS 0x30 /* the connection status: one of */
#define XSKDUMP_IFACE_CONNECTED 0x10
#define XSKDUMP_IFACE_DISCONNECTED 0x20
#define XSKDUMP_IFACE_NOT_APPLICABLE 0x30
/* The network interfaces of this namespace in tcpdump -D's order (libpcap's),
 * one line each: "name\tflags\tdescription\n", flags in decimal. Writes what
 * fits into buf (NUL-terminated) and returns the whole text's length: call
 * again with a larger buffer when it is len or more. Needs no privileges. */
int32_t xsk_interfaces(uint8_t *buf, uint32_t len);
/* What the interface's driver does with XDP (the kernel's xdp_features,
 * NETDEV_XDP_ACT_*) into *out: XSKDUMP_XDP_BASIC set means native XDP. Needs
 * no privileges; -EOPNOTSUPP before Linux 6.3, -ENODEV for no interface. */
#define XSKDUMP_XDP_BASIC 0x1
#define XSKDUMP_XDP_REDIRECT 0x2
#define XSKDUMP_XDP_XSK_ZEROCOPY 0x8
int32_t xsk_xdp_features(const char *ifname, uint64_t *out);
/* The XDP RX metadata kfuncs the interface's driver implements (netdev
 * netlink family, Linux 6.8): XSKDUMP_RX_META_* bits; 0 on older kernels. */
#define XSKDUMP_RX_META_TIMESTAMP 1
#define XSKDUMP_RX_META_HASH 2
#define XSKDUMP_RX_META_VLAN_TAG 4
int32_t xsk_iface_rx_metadata(const char *ifname);

/* ==== privileges.c: -Z, giving up root ==== */

/* A user name (getpwnam), XSKDUMP_USER_WORDS u32: its uid, its gid, and 1
 * when this process runs as root (uid or euid 0: the only case in which -Z
 * changes anything, as in tcpdump), else 0. -ENOENT: no such user. */
#define XSKDUMP_USER_WORDS 3
int32_t xsk_user_ids(const char *user, uint32_t *out, uint32_t n);
/* Becomes `user` for good, every thread: its groups (initgroups), its primary
 * group, its uid, as tcpdump -Z does. Returns 1; 0, changing nothing, when
 * not running as root. Fails (-EPERM) if uid 0 could be taken back after. */
int32_t xsk_drop_privileges(const char *user);

/* ==== files.c: files Deno will not open ==== */

/* The files a tcpdump user names under /dev, /proc or /sys (-w /dev/shm/x,
 * -r /dev/fd/3, -w /proc/self/fd/4), which Deno grants only with --allow-all:
 * opened by name as tcpdump opens them, then read and written by fd. */
#define XSKDUMP_FILE_READ 0
#define XSKDUMP_FILE_WRITE 1 /* created or truncated, 0666 less the umask */
/* Opens path for reading or writing; returns its fd. */
int32_t xsk_file_open(const char *path, uint32_t mode);
/* read(2): bytes read, 0 at the end (EINTR retried). Blocks on a pipe. */
int32_t xsk_file_read(int32_t fd, uint8_t *buf, uint32_t len);
/* write(2): bytes written, maybe fewer than len (EINTR retried). */
int32_t xsk_file_write(int32_t fd, const uint8_t *buf, uint32_t len);
/* ftruncate(2): cuts a regular file back to len bytes. */
int32_t xsk_file_truncate(int32_t fd, uint64_t len);
/* 1 when fd is a regular file (it can be cut back), 0 when not. */
int32_t xsk_file_regular(int32_t fd);
int32_t xsk_file_close(int32_t fd);
/* chown(2) by name: -Z gives the file it wrote to its user, as tcpdump does. */
int32_t xsk_path_chown(const char *path, uint32_t uid, uint32_t gid);

#endif
