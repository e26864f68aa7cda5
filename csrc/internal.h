/* Shared between the shim's translation units (not part of the ABI). */
#ifndef XSKDUMP_INTERNAL_H
#define XSKDUMP_INTERNAL_H

#include <net/if.h>
#include <stdint.h>
#include <xdp/xsk.h>

#include "ledger.h"

#define MAX_PROGS 8
#define MAX_SOCKS 64

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
};

struct sock {
	int used;
	int prog;
	uint32_t queue;
	uint32_t frame_size;
	uint32_t frame_count;
	int zerocopy;
	void *area;         /* the UMEM: page-aligned, inside the caller's memory */
	uint32_t area_offset; /* of area in the caller's memory */
	uint64_t area_size;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	int fd;
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xsk_ring_cons rx;
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t user_held;
	uint64_t no_meta;
	/* The ring integrity guard (ledger.h). */
	int guard;
	struct ledger ledger;
	uint8_t *owner;   /* frame_count entries */
	uint64_t *spare;  /* frame_count entries: frames to give back in one go */
	int fault_kind;   /* XSKDUMP_FAULT: enum ledger_kind, or -1 */
	uint64_t fault_at; /* the descriptor number it hits */
};

extern struct prog progs[MAX_PROGS];
extern struct sock socks[MAX_SOCKS];
/* libbpf's last warning: often the real reason for a failure. */
extern char libbpf_msg[256];

/* Records "<what>: <strerror> (libbpf: ...)" as the last error; returns -errno. */
__attribute__((format(printf, 2, 3))) int fail(int err, const char *fmt, ...);
struct prog *prog_get(int32_t h);
struct sock *sock_get(int32_t h);

#endif
