/* AF_XDP sockets and their UMEM (csrc/sock.c; uses fault.c, ledger.c,
 * filter_prog.c, prog.c, share.c, host.c, error.c). */
#ifndef XSKDUMP_SOCK_H
#define XSKDUMP_SOCK_H

#include <stdint.h>
#include <xdp/xsk.h>

#include "fault.h"
#include "ledger.h"

#define MAX_SOCKS 64

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
	uint64_t rx_descs;   /* descriptors taken off the RX ring */
	uint64_t rx_packets; /* packets they carried (a chain is one) */
	uint64_t rx_refused; /* of those, kept from the user by the guard */
	uint64_t rx_bytes;
	/* Records handed to the user, not yet refilled (a gathered one, gather_out
	 * of them, holds no UMEM frame). */
	uint64_t held_records;
	uint64_t no_meta;
	/* The ring integrity guard (ledger.h). */
	int guard;
	struct ledger ledger;
	/* frame_count entries each, one allocation (spare's): */
	uint64_t *spare;    /* frames to give back in one go */
	uint64_t *pending;  /* given back, not yet on the FQ (fq_push) */
	uint64_t *taken_at; /* descriptor that took each frame */
	uint8_t *owner;     /* enum frame_owner of each frame (the ledger's) */
	uint32_t npending;
	struct fault fault; /* XSKDUMP_FAULT (fault.h) */
	/* Multi-buffer (XDP_USE_SG): chains are copied into the gather area,
	 * right after the UMEM in the caller's memory, one record each. */
	int multi_buffer;
	uint32_t snaplen;      /* bytes a record gives of a packet */
	uint32_t chain_max;    /* pieces of the largest packet: a longer chain is broken */
	uint8_t *gather;       /* gather_bytes, after the UMEM */
	uint32_t gather_bytes;
	uint32_t gather_used;  /* bytes handed out in records not yet given back */
	uint32_t gather_out;   /* those records; at 0 the area is free again */
	int chain_skip;        /* inside a broken chain: drop pieces up to its end */
	int hw_timestamp;      /* the program gives the NIC's timestamps */
	int started;           /* registered in the XSKMAP (xsk_sock_start) */
	int warm;              /* synthetic records (xsk_sock_warm) */
	uint32_t warm_calls;   /* xsk_rx_batch calls while warm (WARM_DRY) */
	uint64_t no_hw_timestamp; /* packets it had none for (host time) */
};

extern struct sock socks[MAX_SOCKS];

struct sock *sock_get(int32_t h);
/* Puts frames (frame addresses) on the fill ring; what does not fit yet waits
 * and goes first next time. 0, or -ENOSPC (recorded) when more frames come
 * back than the UMEM has. */
int fq_push(struct sock *s, const uint64_t *frames, uint32_t n);
/* Reads one byte of every page of [p, p + len) from user space, once, at open:
 * the first user access of a page can cost far more than later ones (under
 * shadow paging, as in the PVM guest this was measured on, it exits to the
 * hypervisor: ~9 us a page, 75 ms for a 32 MiB UMEM, all of it in the first
 * packets' reads otherwise). Reading only: the kernel may own the memory (a
 * UMEM's frames, a ring buffer's data). */
void pages_touch(const void *p, uint64_t len);

/* Of every WARM_DRY batches of a warm-up, the last two take nothing: the first
 * as a ring that just ran dry (the loop naps), the second as an idle one (the
 * loop flushes its output and polls, which a warm source answers at once).
 * shim_sock.h and shim_tap.h say 255th and 256th. */
#define WARM_DRY 256
/* Whether warm call number `n` (counted from 1) is one of those two. */
#define WARM_IS_DRY(n) ((n) % WARM_DRY == 0 || (n) % WARM_DRY == WARM_DRY - 1)

#endif
