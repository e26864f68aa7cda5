/* libxskdump: the whole ABI that Deno sees (mirrored in ffi/symbols.ts and
 * ffi/abi.ts, pinned by libxskdump.map; tests/unit/abi_test.ts holds them
 * together).
 *
 * The frame cycle. The UMEM is one mmap'd area cut into frame_count frames of
 * frame_size bytes. Every frame is owned by exactly one side at any moment:
 *
 *   (1) user puts a free frame's address on the FILL ring (FQ)  -> kernel owns it
 *   (2) the XDP program redirects a packet to the XSKMAP slot of its RX queue
 *   (3) the kernel writes the packet (and our metadata in front) into a frame
 *       taken from the FQ, and posts {addr, len} on the RX ring
 *   (4) user peeks the RX ring and releases the descriptors  -> user owns it
 *   (5) user reads the packet in the UMEM
 *   (6) user puts the address back on the FQ                   -> (1)
 *
 * Releasing RX descriptors does not free frames; only (6) does. A frame the
 * user keeps is one the kernel cannot fill: a slow consumer drains the FQ and
 * the kernel counts drops (XDP_STATISTICS), it never overwrites.
 *
 * ABI rules: fixed-width types only; objects are small integer handles; every
 * function returns >= 0 on success or -errno, and xsk_last_error() gives the
 * text of the last failure. Nothing here allocates per packet.
 *
 * csrc/ in layers, lowest first. A file calls only into files of lower layers
 * and includes only their headers (and its own, shim.h, bpf/xskdump_abi.h);
 * each file's internal header declares only what that file defines. Each
 * layer is one section of this header, in the same order (abi_test.ts checks
 * all of it):
 *
 *   1 error.c        error reporting and the ABI version
 *   2 host.c         host facts: capabilities, channels, MTU, GRO, RX queues, XDP
 *   2 ifaces.c       the interfaces (-D) and their XDP features (libpcap, netlink)
 *   2 privileges.c   -Z: giving up root for a user
 *   2 files.c        files named on the command line that Deno will not open
 *   3 share.c        several captures on one interface: joining, who holds what
 *   4 prog.c         the XDP program: load and attach (or join), its counters
 *   5 filter.c       filters: libpcap's cBPF (a translation unit of its own)
 *   5 filter_prog.c  filters: translated programs in the kernel
 *   6 ledger.c       the frame-ownership ledger: the ring integrity guard's rules
 *   7 fault.c        fault injection (XSKDUMP_FAULT) behind one hook
 *   8 sock.c         sockets and their UMEM: open, check, stats, stop, close
 *   9 rings.c        the receive loop: RX batch, fill, guard counts, waiting
 *  10 ringbuf.c      a BPF ring buffer's reader: mapped into the caller's memory, batches
 *  11 tap.c          tap mode: the tap programs, their hooks, their ring buffer
 *  12 records.c      capture-file records: pcap records, pcapng EPBs (pure)
 *  13 chunks.c       capture files: chunks of records, the thread that writes them
 *  14 writer.c       capture files: writers, their files, puts, waits (the ABI)
 *  15 proc.c         process attribution: cgroup socket hooks, the socket table, cgroups
 *
 * Outside the layers, link glue only: static_compat.c, pcap_compat.c, embed.S, embed_tap.S.
 */
#ifndef XSKDUMP_SHIM_H
#define XSKDUMP_SHIM_H

#include <stdint.h>

#define XSKDUMP_ABI_VERSION 17

/* ==== error.c: errors and the ABI version ==== */

/* Returns XSKDUMP_ABI_VERSION: the loader refuses a shim it does not match. */
int32_t xsk_abi_version(void);

/* Copies the last error's text (NUL-terminated, truncated to len) into buf;
 * returns its length. */
int32_t xsk_last_error(uint8_t *buf, uint32_t len);

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
/* The XDP RX metadata kfuncs the interface's driver implements (netdev
 * netlink family, Linux 6.8): XSKDUMP_RX_META_* bits; 0 on older kernels. */
#define XSKDUMP_RX_META_TIMESTAMP 1
#define XSKDUMP_RX_META_HASH 2
#define XSKDUMP_RX_META_VLAN_TAG 4
int32_t xsk_iface_rx_metadata(const char *ifname);
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

/* ==== share.c: several captures on one interface ==== */

/* One XDP program per interface, but several captures: when another xskdump
 * has attached the same program (same tag) to an interface, xsk_prog_attach
 * joins it instead and captures other RX queues. It takes its own fds on the
 * program's link and maps (by id: needs CAP_SYS_ADMIN), so the program stays
 * attached, its filter stage in place, until the last capture exits, SIGKILL
 * included. A joined capture must ask for the same filter (none: n == 0) and
 * a compatible mode; a queue that has a socket stays refused (EBUSY). The
 * program is joinable once its owner opened its first socket: its filter
 * cannot change from then on. No functions of its own: xsk_prog_attach and
 * xsk_prog_shared (prog.c) use it. */

/* ==== prog.c: the XDP program ==== */

/* Attach modes (xsk_prog_attach). */
#define XSKDUMP_MODE_AUTO 0    /* native, then generic if the driver has no XDP */
#define XSKDUMP_MODE_NATIVE 1  /* XDP_FLAGS_DRV_MODE */
#define XSKDUMP_MODE_GENERIC 2 /* XDP_FLAGS_SKB_MODE */

/* xsk_prog_attach flags. MULTI_BUFFER: load the program with frags support
 * (BPF_F_XDP_HAS_FRAGS), so packets bigger than a page reach it whole (a
 * jumbo MTU in native mode, GRO skbs in generic mode); where the kernel
 * refuses that, the program is loaded without it (xsk_prog_multi_buffer). */
#define XSKDUMP_ATTACH_MULTI_BUFFER 1u
/* VLAN: in native mode, where the driver implements the XDP RX metadata VLAN
 * kfunc (Linux 6.8+), a device-bound program puts the VLAN tag the NIC took
 * out (rx-vlan offload) back into the frame, where libpcap's AF_PACKET path
 * puts it, before the filter runs; a packet the filter rejects leaves without
 * it again. Elsewhere the plain program (xsk_prog_vlan says which). */
#define XSKDUMP_ATTACH_VLAN 2u
/* HW_TIMESTAMP: the same device-bound program, where the driver implements
 * the RX timestamp kfunc, gives the NIC's timestamp (its own clock: tcpdump's
 * adapter_unsynced) as the packet's time; a packet without one keeps the
 * host's (XSKDUMP_STAT_NO_HW_TIMESTAMP counts them). */
#define XSKDUMP_ATTACH_HW_TIMESTAMP 4u

/* Loads the embedded XDP program and attaches it to ifname with a BPF link,
 * so the kernel detaches it when the process dies, or joins another
 * xskdump's (share.c, above). flags: XSKDUMP_ATTACH_*. Returns a program
 * handle. */
int32_t xsk_prog_attach(const char *ifname, uint32_t mode, uint32_t flags);
/* 0 when this process attached the program, 1 when it joined another
 * process's; buf gets who else holds it ("xskdump pid 123"), "" if unknown. */
int32_t xsk_prog_shared(int32_t prog, uint8_t *buf, uint32_t len);
/* The mode actually in use (XSKDUMP_MODE_NATIVE or _GENERIC). */
int32_t xsk_prog_mode(int32_t prog);
/* 1 when the program was loaded with frags support, 0 when not (or joined:
 * the other capture's choice is not readable). */
int32_t xsk_prog_multi_buffer(int32_t prog);
/* 1 when the program puts back VLAN tags from the RX metadata, else 0. */
int32_t xsk_prog_vlan(int32_t prog);
/* 1 when it gives the NIC's RX timestamps, else 0. */
int32_t xsk_prog_hw_timestamp(int32_t prog);
/* Number of RX queues the interface has (from sysfs), >= 1. */
int32_t xsk_prog_queue_count(int32_t prog);
/* Sums the XDP program's per-CPU counters into out[0..n) (enum xskdump_counter). */
int32_t xsk_prog_counters(int32_t prog, uint64_t *out, uint32_t n);
/* Per RX queue counters (struct xskdump_qcount) since this handle attached
 * or joined: XSKDUMP_QCOUNT_WORDS u64 per row, XSKDUMP_QCOUNT_ROWS rows (the
 * last one for queues >= 256). Returns the words written. */
#define XSKDUMP_QCOUNT_WORDS 4
#define XSKDUMP_QCOUNT_SEEN 0
#define XSKDUMP_QCOUNT_REDIRECTED 1
#define XSKDUMP_QCOUNT_PASSED 2
#define XSKDUMP_QCOUNT_NO_META 3
int32_t xsk_prog_queue_counters(int32_t prog, uint64_t *out, uint32_t n);
/* (xsk_prog_detach closes the program's sockets first: it is in sock.c.) */

/* ==== filter.c, filter_prog.c: filters ==== */

/* A tcpdump expression is compiled by libpcap into classic BPF (cBPF);
 * lib/filter/translate.ts turns that into an XDP program which the shim loads
 * into the attached program's filter stage. Packets it rejects get XDP_PASS
 * and are counted as filtered; packets it accepts tail-call the capture
 * stage. */

/* One cBPF instruction: 8 bytes in host order, {u16 code, u8 jt, u8 jf,
 * u32 k} (struct bpf_insn of <pcap/bpf.h>, struct sock_filter of Linux). */
#define XSKDUMP_CBPF_INSN_SIZE 8
#define XSKDUMP_CBPF_MAX_INSNS 65535
/* Map placeholders in a translated program: the imm of a BPF_LD_IMM64 with
 * src_reg BPF_PSEUDO_MAP_FD. The shim replaces them with the map's fd. */
#define XSKDUMP_FILTER_MAP_STAGES 0   /* the prog array (XSKDUMP_STAGE_* slots) */
#define XSKDUMP_FILTER_MAP_COUNTERS 1 /* the per-CPU counters (enum xskdump_counter) */
/* Layout of xsk_filter_test_run() output (u32 each). */
#define XSKDUMP_TEST_RETVAL 0   /* the program's return value (XDP action) */
#define XSKDUMP_TEST_DURATION 1 /* average run time in ns over `repeat` runs */
#define XSKDUMP_TEST__COUNT 2

/* Compiles expr for Ethernet (DLT_EN10MB) with snaplen, optimized, netmask
 * unknown (tcpdump's defaults). Returns the instruction count and copies the
 * program into out when max >= that count (otherwise call again with room);
 * -EINVAL with libpcap's message naming the expression on a syntax error. */
int32_t xsk_filter_compile(const char *expr, uint32_t snaplen, uint8_t *out, uint32_t max);
/* libpcap's own verdict on one packet, as pcap_offline_filter() gives it:
 * bpf_filter()'s return value (0 = no match, else the snapshot length),
 * -EINVAL when bpf_validate() refuses the program. */
int32_t xsk_filter_match(const uint8_t *prog, uint32_t n, const uint8_t *pkt, uint32_t caplen,
			 uint32_t wirelen);
/* Loads a translated filter (n eBPF instructions, 8 bytes each) and makes it
 * the program's filter stage, replacing any previous one. n == 0 removes the
 * filter. label (the expression) names it in errors; a verifier rejection
 * quotes the verifier's last lines. Install it before xsk_sock_open so no
 * unfiltered packet is ever redirected. */
int32_t xsk_prog_set_filter(int32_t prog, const uint8_t *insns, uint32_t n, const char *label);
/* Loads a translated filter on its own, for BPF_PROG_TEST_RUN (tests and
 * benchmarks; needs CAP_BPF). Its maps are private: counters start at 0 and
 * the capture stage is empty. Returns a test handle. */
int32_t xsk_filter_test_load(const uint8_t *insns, uint32_t n, const char *label);
/* The same for tc (BPF_PROG_TYPE_SCHED_CLS): a filter translated for a tap's
 * tc hooks. Its test runs return what it returns (TCX_NEXT: -1 for no match). */
int32_t xsk_filter_test_load_skb(const uint8_t *insns, uint32_t n, const char *label);
/* Runs the test filter `repeat` times (0 = once) on pkt (>= 14 bytes) and
 * writes XSKDUMP_TEST_* values into out. */
int32_t xsk_filter_test_run(int32_t test, const uint8_t *pkt, uint32_t len, uint32_t repeat,
			    uint32_t *out);
/* Sums the test filter's per-CPU counters into out[0..n) (enum xskdump_counter). */
int32_t xsk_filter_test_counters(int32_t test, uint64_t *out, uint32_t n);
int32_t xsk_filter_test_close(int32_t test);

/* ==== ledger.c: the ring integrity guard ==== */

/* The guard (csrc/ledger.h) is on for every new socket: each RX descriptor is
 * checked against the frame-ownership ledger, and one that breaks the ring
 * contract is counted by kind and never returned by xsk_rx_batch (its frame,
 * when it is a real one, goes back to the FQ). Its kinds, in ledger.h's order: */
#define XSKDUMP_GUARD_MISALIGNED 0 /* packet not at XSKDUMP_RX_OFFSET */
#define XSKDUMP_GUARD_FOREIGN 1    /* address outside the UMEM / never on the FQ */
#define XSKDUMP_GUARD_DUPLICATE 2  /* frame already held by the user */
#define XSKDUMP_GUARD_OVERHELD 3   /* more frames held than the UMEM has */
#define XSKDUMP_GUARD_CLOBBER 4    /* user-owned frame written to (canary) */
#define XSKDUMP_GUARD_UNTERMINATED 5 /* a chain (XDP_PKT_CONTD) that never ends */
#define XSKDUMP_GUARD_KINDS 6
/* xsk_guard_report: per kind {count, first address, first descriptor number}. */
#define XSKDUMP_GUARD_WORDS 3
/* Where a correct kernel puts a packet in its frame: XDP_PACKET_HEADROOM plus
 * our UMEM headroom, which is 0. */
#define XSKDUMP_RX_OFFSET 256

/* ==== fault.c: fault injection ==== */

/* XSKDUMP_FAULT=<kind>[@N] in the environment, kind a guard kind in lower
 * case ("misaligned", ...): a testing aid that makes the N-th RX descriptor
 * (default 100) of every socket opened from then on look exactly like the
 * generic-receive race would make it, for the guard to catch; "unterminated"
 * flags descriptor N and the ones after it XDP_PKT_CONTD, more than a packet
 * can have. It acts through the guard only: inert when unset, and on a socket
 * with the guard off. No functions. */

/* ==== sock.c: sockets and their UMEM ==== */

/* Registers a UMEM of frame_count frames (power of two) of frame_size bytes
 * inside the caller's memory `area` (at least frame_count * frame_size + 4096
 * bytes, 65536 on hosts with larger pages: the UMEM starts at its first page
 * boundary, see xsk_umem_offset), opens an AF_XDP socket on `queue` in copy
 * or zero-copy mode, fills the FQ with every frame and registers the socket
 * in the program's XSKMAP. The caller owns `area` and keeps it alive until
 * xsk_sock_close: that way the one view over the UMEM is an ordinary
 * ArrayBuffer, no pointer API needed. */
int32_t xsk_sock_open(int32_t prog, uint32_t queue, uint32_t frame_count, uint32_t frame_size,
		      uint8_t *area, uint64_t area_len, uint32_t gather_bytes, uint32_t snaplen);
/* gather_bytes > 0 asks for multi-buffer: the socket is bound with XDP_USE_SG
 * where the kernel has it (6.6+), and a packet the kernel splits over several
 * frames (a chain of descriptors, XDP_PKT_CONTD) is copied by xsk_rx_batch
 * into a gather area of gather_bytes (at least XSKDUMP_GATHER_MIN) right
 * after the UMEM, inside `area` (which must be that much longer): one record
 * there, its frames back on the FQ at once. 0: no multi-buffer, a packet
 * bigger than a frame is dropped by the kernel (rx_dropped), as before 6.6.
 * snaplen (1..XSKDUMP_MAX_SNAPLEN, 0 = the maximum): bytes of a packet a record
 * gives (DESC_LEN), DESC_WIRELEN keeps the whole length. */
#define XSKDUMP_GATHER_MIN 262144
/* 1 when the socket is bound zero-copy, 0 for copy mode. */
int32_t xsk_sock_zerocopy(int32_t sock);
/* 1 when the socket is bound with XDP_USE_SG (chains are gathered), else 0. */
int32_t xsk_sock_multi_buffer(int32_t sock);
/* Where the UMEM starts inside the caller's area, in bytes. */
int32_t xsk_umem_offset(int32_t sock);
/* 0 while the socket's interface exists and is up; -ENODEV / -ENETDOWN or a
 * pending socket error otherwise. Cheap enough for once a second. */
int32_t xsk_sock_check(int32_t sock);
/* Layout of xsk_sock_stats() output (u64 each). */
#define XSKDUMP_STAT_RX_DROPPED 0         /* XDP_STATISTICS rx_dropped */
#define XSKDUMP_STAT_RX_INVALID 1         /* rx_invalid_descs */
#define XSKDUMP_STAT_RX_RING_FULL 2       /* rx_ring_full */
#define XSKDUMP_STAT_RX_FILL_EMPTY 3      /* rx_fill_ring_empty_descs */
#define XSKDUMP_STAT_RX_PACKETS 4         /* packets taken from the RX ring (a chain is one) */
#define XSKDUMP_STAT_RX_BYTES 5           /* bytes of those handed to the user */
#define XSKDUMP_STAT_USER_HELD 6          /* UMEM frames the user owns right now (a gathered
                                           * record holds none) */
#define XSKDUMP_STAT_NO_META 7            /* packets without our metadata (time taken in user space) */
#define XSKDUMP_STAT_NO_HW_TIMESTAMP 8    /* hardware timestamps asked for, this packet had none */
#define XSKDUMP_STAT_RX_REFUSED 9         /* of RX_PACKETS, kept from the user by the guard */
#define XSKDUMP_STAT__COUNT 10
/* Fills out[0..n) with XSKDUMP_STAT_* values. */
int32_t xsk_sock_stats(int32_t sock, uint64_t *out, uint32_t n);
/* Removes the socket from the XSKMAP: from now on its queue's packets pass to
 * the stack, and what is already on the RX ring can be drained. */
int32_t xsk_sock_stop(int32_t sock);
/* Removes the socket from the XSKMAP, closes it, unmaps the UMEM. Any view
 * over the UMEM must be dropped before this. */
int32_t xsk_sock_close(int32_t sock);
/* Closes the program's sockets still open, then detaches and unloads it. */
int32_t xsk_prog_detach(int32_t prog);

/* ==== rings.c: the receive loop ==== */

/* One record as handed to the caller, from an RX ring (xsk_rx_batch) or a
 * ring buffer (xsk_ring_batch): 6 x u32. The memory it points into is below
 * 4 GiB so an offset fits 32 bits; the time is split so JS needs no BigInt. */
#define XSKDUMP_DESC_WORDS 6
#define XSKDUMP_DESC_ADDR 0    /* offset of the packet's first byte in the view (UMEM, ring buffer) */
#define XSKDUMP_DESC_LEN 1     /* bytes of it there (the snap length cut them in tap mode) */
#define XSKDUMP_DESC_WIRELEN 2 /* the packet's length on the wire */
#define XSKDUMP_DESC_SEC 3     /* CLOCK_REALTIME seconds of the kernel's timestamp */
#define XSKDUMP_DESC_NSEC 4    /* and nanoseconds */
#define XSKDUMP_DESC_FLAGS 5   /* queue (bits 0-15) | direction << XSKDUMP_DESC_DIR_SHIFT
				* | attribution << XSKDUMP_DESC_PROC_SHIFT */
#define XSKDUMP_DESC_DIR_SHIFT 16 /* XSKDUMP_DIR_IN or _OUT (bpf/xskdump_abi.h), 2 bits */
#define XSKDUMP_DESC_DIR_MASK 3   /* its 2 bits, after the shift (the attribution is above) */
/* A tap record with a process (attribution on): how it was found
 * (XSKDUMP_PROC_HOOK, _TABLE, _LISTENER, 2 bits), | XSKDUMP_DESC_PROC_CLOSED
 * when its socket was released. Nonzero: struct xskdump_proc is the 40 bytes
 * right before the packet (at XSKDUMP_DESC_ADDR - 40). */
#define XSKDUMP_DESC_PROC_SHIFT 18
#define XSKDUMP_DESC_PROC_HOW_MAX 3
#define XSKDUMP_DESC_PROC_CLOSED 4

/* (4) Takes up to max records off the RX ring into descs (max *
 * XSKDUMP_DESC_WORDS u32) and releases their descriptors: the frames are now
 * the user's. A packet in one frame is one record pointing into the UMEM; a
 * chain of descriptors (multi-buffer) is one record pointing into the gather
 * area (its frames are back on the FQ already); a chain that does not fit
 * the gather area waits for the next call. Returns the count. One call per
 * batch. */
int32_t xsk_rx_batch(int32_t sock, uint32_t *descs, uint32_t max);
/* (6) Gives the frames of descs[0..n) back to the FQ (a gathered record
 * gives back its room in the gather area). Returns the socket's
 * ring-integrity violations so far, all kinds (>= 0, what xsk_guard_total
 * returns): the receive loop learns of a new one from the call it makes
 * anyway. A frame the user does not hold is refused (and counted), never put
 * on the FQ twice. */
int32_t xsk_fill(int32_t sock, const uint32_t *descs, uint32_t n);
/* Turns the guard on (1) or off (0); only while the user holds no frame. */
int32_t xsk_sock_guard(int32_t sock, uint32_t on);
/* Violations so far, all kinds (as xsk_fill returns them, for when there is
 * nothing to fill). */
int32_t xsk_guard_total(int32_t sock);
/* Fills out[0..n) with XSKDUMP_GUARD_KINDS x XSKDUMP_GUARD_WORDS values. */
int32_t xsk_guard_report(int32_t sock, uint64_t *out, uint32_t n);
/* Blocks up to timeout_ms for RX data (poll). Meant as a nonblocking FFI
 * call. Returns 1 when readable, 0 on timeout. */
int32_t xsk_wait(int32_t sock, int32_t timeout_ms);
/* Like xsk_wait for any of socks[0..n): 1 when one has RX data, 0 on timeout. */
int32_t xsk_wait_any(const int32_t *socks, uint32_t n, int32_t timeout_ms);
/* Sleeps usec microseconds (at most 1 s) in the calling thread: the capture
 * loop's nap when a busy ring runs dry (a synchronous FFI call: precise, no
 * thread hop). Unlike a poll it leaves nobody for the kernel to wake: under
 * load the receiving softirq then pays no wakeup per flush. Returns 0. */
int32_t xsk_doze(uint32_t usec);

/* ==== ringbuf.c, tap.c: tap mode ==== */

/* The tap programs (bpf/xskdump_tap.bpf.c) copy each packet into a BPF ring
 * buffer and let it go on to the stack; outgoing packets too (tc egress). One
 * capture, one ring buffer:
 *
 *   xsk_tap_open        load, attach (copy stages empty: packets are counted only)
 *   xsk_tap_set_filter  the filter of every hook, before the start
 *   xsk_ring_map        the ring buffer into the caller's memory
 *   xsk_tap_start       copying starts
 *   xsk_ring_batch / xsk_ring_give, per batch; xsk_ring_wait when idle
 *   xsk_tap_stop        copying stops (what is in the ring buffer can be drained)
 *   xsk_tap_close       detach, unmap, free
 *
 * Where each direction's program is attached (xsk_tap_hooks). */
#define XSKDUMP_HOOK_NONE 0   /* that direction is not captured */
#define XSKDUMP_HOOK_XDP 1    /* XDP through a BPF link */
#define XSKDUMP_HOOK_TCX 2    /* tc through a tcx BPF link (Linux 6.6+) */
#define XSKDUMP_HOOK_CLSACT 3 /* tc as a clsact filter (no tcx): outlives a SIGKILL */
/* xsk_tap_hooks output (u32 each). */
#define XSKDUMP_TAP_HOOK_WORDS 6
#define XSKDUMP_TAP_HOOK_IN 0            /* XSKDUMP_HOOK_* of incoming packets */
#define XSKDUMP_TAP_HOOK_OUT 1           /* of outgoing packets */
#define XSKDUMP_TAP_HOOK_XDP_MODE 2      /* XSKDUMP_MODE_NATIVE/_GENERIC with an XDP hook, else 0 */
#define XSKDUMP_TAP_HOOK_RING_SIZE 3     /* the ring buffer's data bytes */
#define XSKDUMP_TAP_HOOK_QDISC_CREATED 4 /* 1 when this capture added the clsact qdisc */
#define XSKDUMP_TAP_HOOK_MULTI_BUFFER 5  /* 1 when its XDP programs have frags support */
/* xsk_tap_counters output (u64 each): enum xskdump_tap_counter for incoming
 * packets, the same for outgoing ones, then the reader's own counts. */
#define XSKDUMP_TAP_STAT_WORDS 22    /* 2 x XSKDUMP_TAP_CNT__MAX, then these four: */
#define XSKDUMP_TAP_STAT_RECORDS 18   /* records handed out */
#define XSKDUMP_TAP_STAT_BYTES 19     /* their wire bytes */
#define XSKDUMP_TAP_STAT_DISCARDED 20 /* discarded records skipped */
#define XSKDUMP_TAP_STAT_MALFORMED 21 /* records shorter than their header says */

/* Loads the tap programs for ifname and attaches them: incoming (dirs has
 * XSKDUMP_DIR_IN) at XDP in `mode` (XSKDUMP_MODE_*), or at tc ingress when
 * the XDP hook is taken and mode is auto; outgoing (XSKDUMP_DIR_OUT) at tc
 * egress. snaplen: bytes copied per packet (1..262144). ring_bytes: the ring
 * buffer, a power of two of at least 4 pages. queue_mask: nmask u64 words of
 * RX queues to capture (NULL or 0 words: all). tc_handle: the handle of a
 * clsact filter, used only where tcx is missing (or XSKDUMP_TC=clsact): the
 * caller records it first. With 0 there, it fails with -ENOLINK: record a
 * handle, then open again with it. flags: XSKDUMP_ATTACH_MULTI_BUFFER loads
 * the XDP programs with frags support (where the kernel takes it), as for
 * xsk_prog_attach; 0 without (--no-multi-buffer). attribute: 1 loads the
 * process attribution (records of version 2; the cgroup hooks are attached by
 * xsk_proc_attach); proc_filter: XSKDUMP_WANT_* kinds the process filter
 * checks (their values: xsk_proc_want). Returns a tap handle. */
int32_t xsk_tap_open(const char *ifname, uint32_t dirs, uint32_t mode, uint32_t snaplen,
		     uint32_t ring_bytes, const uint64_t *queue_mask, uint32_t nmask,
		     uint32_t tc_handle, uint32_t flags, uint32_t attribute, uint32_t proc_filter);
/* Fills out[0..n) with XSKDUMP_TAP_HOOK_* words. */
int32_t xsk_tap_hooks(int32_t tap, uint32_t *out, uint32_t n);
/* Installs a translated filter on every hook: xdp_insns (translated for XDP)
 * where the hook is XDP, skb_insns (for tc) where it is tc; n == 0 for both
 * removes it. Only before xsk_tap_start. */
int32_t xsk_tap_set_filter(int32_t tap, const uint8_t *xdp_insns, uint32_t xdp_n,
			   const uint8_t *skb_insns, uint32_t skb_n, const char *label);
/* Maps the ring buffer into area (at least 2 x ring size + 3 pages; 65536-byte
 * pages to be safe): from its first page boundary on, the caller's memory is
 * the kernel's (the data read-only: a write there is a SIGSEGV) until
 * xsk_tap_close puts ordinary memory back. Returns the offset of the data in
 * area: record offsets (XSKDUMP_DESC_ADDR) count from there. */
int32_t xsk_ring_map(int32_t tap, uint8_t *area, uint64_t area_len);
/* Installs the copy stages: from now on every packet a hook accepts is copied. */
int32_t xsk_tap_start(int32_t tap);
/* Takes up to max records into descs (max x XSKDUMP_DESC_WORDS u32). Returns
 * the count; they stay the caller's until xsk_ring_give. Stops at a record the
 * kernel still writes; skips discarded ones. */
int32_t xsk_ring_batch(int32_t tap, uint32_t *descs, uint32_t max);
/* Gives the records of the last batch back to the kernel. Returns 0. */
int32_t xsk_ring_give(int32_t tap);
/* Blocks up to timeout_ms for a record (poll on the map). Meant as a
 * nonblocking FFI call. Returns 1 when there is one, 0 on timeout. */
int32_t xsk_ring_wait(int32_t tap, int32_t timeout_ms);
/* Fills out[0..n) with XSKDUMP_TAP_STAT_* values. */
int32_t xsk_tap_counters(int32_t tap, uint64_t *out, uint32_t n);
/* Removes the copy stages: no new records; those in the ring buffer remain. */
int32_t xsk_tap_stop(int32_t tap);
/* 0 while the interface exists and is up; -ENODEV / -ENETDOWN otherwise. */
int32_t xsk_tap_check(int32_t tap);
/* Detaches every hook (a clsact filter, and the clsact qdisc when this
 * capture added it and nothing else is on it), unmaps, frees. */
int32_t xsk_tap_close(int32_t tap);
/* What this kernel allows of the process attribution: each program loaded
 * alone, with the attribution on (nothing attached), its result (0 or
 * -errno) into out, in this order: the cgroup hooks sock_create,
 * sock_release, connect4, connect6, bind4, bind6, sendmsg4, sendmsg6, then
 * the copy stages that look sockets up: XDP, tc ingress, tc egress. Returns
 * the count. */
#define XSKDUMP_PROC_PROBES 11
int32_t xsk_proc_probe(int32_t *out, uint32_t n);
/* Removes a clsact filter of handle `handle` that a killed capture left on
 * ifname (both sides), and the clsact qdisc when qdisc_created and nothing
 * else is on it. 0 also when there is none. */
int32_t xsk_tc_detach(const char *ifname, uint32_t handle, uint32_t qdisc_created);

/* ==== records.c, chunks.c, writer.c: capture files written by the shim ==== */

/* The CLI's -w files. The capture loop hands each batch to a writer (one call
 * per batch, never per packet): it cuts every packet to the snapshot length
 * and frames it as a pcap record or a pcapng Enhanced Packet Block (byte for
 * byte what lib/formats/pcap.ts and pcapng.ts write) into chunks of memory
 * with memcpy; a thread of the writer's own writes full chunks to the file,
 * in order. So a slow write costs chunks, not UMEM frames (or ring buffer
 * space), and the loop never waits for the file while a chunk is free. The shim opens the files itself:
 * any path the process may open (also /dev/shm, /proc/self/fd/N), or an fd
 * it is given (stdout). When a write fails (disk full, a closed pipe), the
 * thread cuts a regular file back to its last whole record and the writer
 * stops: every later call returns the error (xsk_writer_failure says what the
 * file holds). Little-endian files, nanosecond timestamps, as the TypeScript
 * writers make them. */
#define XSKDUMP_FILE_PCAP 0
#define XSKDUMP_FILE_PCAPNG 1
#define XSKDUMP_MAX_SNAPLEN 262144
/* A record's XSKDUMP_DESC_FLAGS make its pcapng epb_flags (the direction)
 * and epb_queue (the queue, for an incoming packet), as the TypeScript writer
 * takes them. This queue means none is known (a record read from a file
 * without epb_queue): its EPB has no epb_queue. */
#define XSKDUMP_DESC_NO_QUEUE 0xffffu
/* Why a put stopped before the end of its batch (XSKDUMP_WSTAT_STOPPED). */
#define XSKDUMP_WRITER_DONE 0   /* it did not */
#define XSKDUMP_WRITER_ROTATE 1 /* the next record is due in a new file (xsk_writer_file) */
#define XSKDUMP_WRITER_FULL 2   /* every chunk is waiting for the thread (xsk_writer_wait) */
/* Layout of xsk_writer_stats() output (u64 each). */
#define XSKDUMP_WSTAT_PACKETS 0      /* records put, all files */
#define XSKDUMP_WSTAT_BYTES 1        /* their wire lengths, summed */
#define XSKDUMP_WSTAT_FILE 2         /* the current file's number (xsk_writer_file) */
#define XSKDUMP_WSTAT_FILE_BYTES 3   /* bytes put into it, header included */
#define XSKDUMP_WSTAT_FILE_PACKETS 4 /* records put into it */
#define XSKDUMP_WSTAT_STOPPED 5      /* XSKDUMP_WRITER_*: why the last put stopped */
#define XSKDUMP_WSTAT_FULL 6         /* puts that found every chunk waiting for the thread */
#define XSKDUMP_WSTAT_WRITTEN 7      /* bytes the thread wrote, all files */
#define XSKDUMP_WSTAT_QUEUED 8       /* chunks waiting for the thread now */
#define XSKDUMP_WSTAT_WRITE_MAX_NS 9 /* the longest write() of a chunk */
#define XSKDUMP_WSTAT__COUNT 10
/* Layout of xsk_writer_failure() output (u64 each). */
#define XSKDUMP_WFAIL_FILE 0        /* the number of the file that failed */
#define XSKDUMP_WFAIL_SIZE 1        /* its size now */
#define XSKDUMP_WFAIL_KEPT 2        /* packets in its whole records */
#define XSKDUMP_WFAIL_CUT_ERRNO 3   /* the cut back to a whole record failed: its errno */
#define XSKDUMP_WFAIL_PARTIAL 4     /* bytes of a cut record at its end (not a regular file) */
#define XSKDUMP_WFAIL__COUNT 5

/* A writer of `format` files cutting packets to snaplen, with `chunks`
 * chunks of chunk_size bytes (each must hold a record of snaplen bytes).
 * Starts its thread. Returns a writer handle. */
int32_t xsk_writer_open(uint32_t format, uint32_t snaplen, uint32_t chunk_size, uint32_t chunks);
/* Starts the next file: opens path (created or truncated, 0666 less the
 * umask), or, with path "" (or NULL), writes to fd, which stays the caller's.
 * The file before it ends with trailer[0..tlen) (its pcapng ISB) and is
 * closed once written; header[0..len) (the pcap file header, or the pcapng
 * SHB and IDB) starts the new one. A put stops (XSKDUMP_WRITER_ROTATE)
 * before a record with sec >= sec_limit and before any record once the file
 * holds more than size_limit bytes (-G, -C; UINT64_MAX: never). Returns the
 * file's number (1, 2, ...); -EAGAIN, having done nothing, when too few
 * chunks are free (xsk_writer_wait, then again). Files opened after a failed
 * write got nothing and are removed. Opening a path again (a ring of names)
 * truncates it: let the writer drain first. */
int32_t xsk_writer_file(int32_t w, const char *path, int32_t fd, const uint8_t *trailer,
			uint32_t tlen, const uint8_t *header, uint32_t len, uint64_t size_limit,
			uint64_t sec_limit);
/* Puts the records of descs[0..n) (XSKDUMP_DESC_WORDS u32 each, as
 * xsk_rx_batch and xsk_ring_batch make them) whose bytes are in
 * src[0..src_len) (the UMEM, the ring buffer). Returns how many it took, in
 * order; fewer than n when it stopped (XSKDUMP_WSTAT_STOPPED says why);
 * -errno once the writer failed. */
int32_t xsk_writer_put(int32_t w, const uint8_t *src, uint32_t src_len, const uint32_t *descs,
		       uint32_t n);
/* Appends bytes[0..len) (a pcapng block: the last file's ISB) to the
 * current file. -EAGAIN as for xsk_writer_file. */
int32_t xsk_writer_bytes(int32_t w, const uint8_t *bytes, uint32_t len);
/* Hands the chunk being filled to the thread now (an idle capture's readers
 * see its packets). */
int32_t xsk_writer_flush(int32_t w);
/* Waits up to timeout_ms for a free chunk (nonblocking FFI call): 1 when
 * there is one (or the writer failed), 0 on timeout. */
int32_t xsk_writer_wait(int32_t w, int32_t timeout_ms);
/* Waits up to timeout_ms until every chunk handed over is written (or the
 * writer failed): 1, or 0 on timeout. Nonblocking FFI call. */
int32_t xsk_writer_drain(int32_t w, int32_t timeout_ms);
/* Fills out[0..n) with XSKDUMP_WSTAT_* values. */
int32_t xsk_writer_stats(int32_t w, uint64_t *out, uint32_t n);
/* 0 while the writer is fine; else the errno of its failure, out[0..n) the
 * XSKDUMP_WFAIL_* values and text its strerror ("... (os error N)"). */
int32_t xsk_writer_failure(int32_t w, uint64_t *out, uint32_t n, uint8_t *text, uint32_t len);
/* Ends the current file (it is closed once written), lets the thread finish
 * every chunk handed over, frees the writer. Blocks until then: drain first.
 * Returns 0, or the failure's -errno. */
int32_t xsk_writer_close(int32_t w);

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
#define XSKDUMP_CGROUP_MOUNTED 1 /* xsk_cgroup_root: the host's cgroup2 mount */
#define XSKDUMP_CGROUP_PRIVATE 2 /* a private mount, already detached */
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

/* Opens the cgroup2 root (once per process; later calls return the same).
 * Writes where it is mounted into path ("" for a private mount). Returns
 * XSKDUMP_CGROUP_MOUNTED or _PRIVATE. */
int32_t xsk_cgroup_root(uint8_t *path, uint32_t len);
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

#endif
