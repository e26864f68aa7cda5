/* The attached XDP program (csrc/prog.c; uses share.c, host.c, error.c). */
#ifndef XSKDUMP_PROG_H
#define XSKDUMP_PROG_H

#include <net/if.h>
#include <stdint.h>

#include "../bpf/xskdump_abi.h"
#include "shim.h"

#define MAX_PROGS 8

struct prog {
	int used;
	int ifindex;
	char ifname[IF_NAMESIZE];
	struct bpf_object *obj;
	int link_fd;
	int xsks_fd;
	int counters_fd;
	int mode;
	int queue_count;
	int stages_fd;    /* the prog array of filter and capture stages */
	int capture_fd;   /* xskdump_capture (-1 when joined) */
	int qcounters_fd; /* per RX queue counters */
	/* 1 when another process attached the program and this one joined it
	 * (csrc/share.c): the fds above are then this process's own, by id. */
	int joined;
	int filter_checked; /* joined: the filter matches the installed one */
	int sockets_opened; /* the filter is fixed from the first socket on */
	int multi_buffer;   /* loaded with BPF_F_XDP_HAS_FRAGS (so is its filter stage) */
	int bound;          /* the device-bound variant (-DXSKDUMP_VLAN) is loaded */
	int vlan;           /* it puts VLAN tags back from the RX metadata */
	int hw_timestamp;   /* it gives the NIC's RX timestamp as the packet's time */
	/* qcounters when attached or joined: what xsk_prog_queue_counters subtracts. */
	uint64_t qbase[XSKDUMP_QCOUNT_ROWS * XSKDUMP_QCOUNT_WORDS];
};

extern struct prog progs[MAX_PROGS];

struct prog *prog_get(int32_t h);
/* Closes what p holds: its link fd (the last reference detaches the program),
 * its own object, or the fds it took when it joined. The sockets on it are
 * the caller's (xsk_prog_detach in sock.c closes them first). */
void prog_release(struct prog *p);
/* Sums the per-CPU counters of the map fd (a PERCPU_ARRAY of `entries` u64:
 * enum xskdump_counter, or a tap's enum xskdump_tap_counter) into
 * out[0..min(n, entries)); returns how many, or -errno recorded as "read <what>". */
int counters_sum(int fd, uint32_t entries, uint64_t *out, uint32_t n, const char *what);
/* Attaches XDP program prog_fd to ifindex through a BPF link, flags
 * XDP_FLAGS_DRV_MODE or _SKB_MODE (tap.c's programs too). The link's fd, or
 * -errno, not recorded. */
int link_xdp(int prog_fd, int ifindex, uint32_t flags);

#endif
