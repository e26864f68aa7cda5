/* Shared between the shim's translation units (not part of the ABI). */
#ifndef XSKDUMP_INTERNAL_H
#define XSKDUMP_INTERNAL_H

#include <net/if.h>
#include <stdint.h>
#include <xdp/xsk.h>

#include "../bpf/xskdump_abi.h"
#include "ledger.h"
#include "shim.h"

/* The attached XDP program's name (bpf/xskdump.bpf.c): how a second capture,
 * and doctor, recognise ours on an interface. */
#define XSKDUMP_PROG_NAME "xskdump_rx"

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
	int stages_fd;    /* the prog array of filter and capture stages */
	int capture_fd;   /* xskdump_capture (-1 when joined) */
	int qcounters_fd; /* per RX queue counters */
	/* 1 when another process attached the program and this one joined it
	 * (csrc/share.c): the fds above are then this process's own, by id. */
	int joined;
	int filter_checked; /* joined: the filter matches the installed one */
	int sockets_opened; /* the filter is fixed from the first socket on */
	/* qcounters when attached or joined: what xsk_prog_queue_counters subtracts. */
	uint64_t qbase[XSKDUMP_QCOUNT_ROWS * XSKDUMP_QCOUNT_WORDS];
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
	uint64_t *pending; /* frame_count entries: given back, not yet on the FQ (fq_push) */
	uint64_t *taken_at; /* frame_count entries: descriptor that took each frame */
	uint32_t npending;
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

/* csrc/share.c: several captures on one interface, and who holds what. */
/* 1 when cap (linux/capability.h) is in this process's effective set. */
int cap_effective(int cap);
/* Joins the xskdump program another process attached to p->ifname (the
 * attach returned EBUSY/EEXIST): checks it is the same program as ours
 * (our_prog_fd), takes its link and maps. 0, -EAGAIN when it went away
 * meanwhile (attach again), or another -errno with the error recorded. */
int prog_join(struct prog *p, int our_prog_fd, uint32_t mode);
/* Sums qcounters into rows (XSKDUMP_QCOUNT_ROWS x XSKDUMP_QCOUNT_WORDS). */
int qcounters_read(int fd, uint64_t *rows);
/* "xskdump pid 12, 34": the other processes holding the link to p's program. */
void prog_holders(const struct prog *p, char *buf, size_t len);
/* "pid 12 (name)": the process whose AF_XDP socket is bound to ifindex/queue. */
void queue_holder(int ifindex, uint32_t queue, char *buf, size_t len);

/* csrc/ringbuf.c: a BPF ring buffer's consumer side, mapped into the caller's
 * memory (see the top of ringbuf.c). */
struct ringbuf {
	int mapped;
	int fd;
	uint8_t *base;     /* the consumer page: the caller's memory from here on is the kernel's */
	uint32_t offset;   /* of base in the caller's memory */
	size_t total;      /* bytes mapped from base */
	uint32_t size;     /* the data area, a power of two */
	unsigned long *consumer;
	const unsigned long *producer;
	const uint8_t *data; /* mapped twice in a row: a record never wraps */
	unsigned long taken; /* position after the last record handed out */
	uint64_t records, bytes, discarded, malformed;
};
/* Bytes of caller memory a ring buffer of size data bytes needs. */
uint64_t ringbuf_area_len(uint32_t size);
/* Maps map fd's ring buffer into mem at its first page boundary. 0 or -errno. */
int ringbuf_map(struct ringbuf *rb, int fd, uint32_t size, uint8_t *mem, uint64_t len);
/* Takes the kernel's layout at base as mapped (ringbuf_map does it; the C
 * tests lay it out themselves). */
void ringbuf_init(struct ringbuf *rb, int fd, uint8_t *base, uint32_t size);
/* Puts ordinary anonymous memory back over the caller's pages. */
void ringbuf_unmap(struct ringbuf *rb);
/* Up to max committed records into descs (XSKDUMP_DESC_WORDS each); the
 * count. They stay the caller's until ringbuf_give. */
int ringbuf_batch(struct ringbuf *rb, uint32_t *descs, uint32_t max, int64_t mono_to_real);
/* Gives every record handed out back to the kernel. */
void ringbuf_give(struct ringbuf *rb);
/* 1 when records (committed or not) wait beyond those handed out. */
int ringbuf_ready(const struct ringbuf *rb);
/* Polls the map's fd up to timeout_ms: 1 readable, 0 timeout, -errno. */
int ringbuf_wait(struct ringbuf *rb, int timeout_ms);

/* csrc/tap.c: the priority of xskdump's clsact filters (where tcx is missing). */
#define XSKDUMP_TC_PRIORITY 1

/* csrc/filter_prog.c: loads a translated filter as a program of prog_type
 * (BPF_PROG_TYPE_XDP or _SCHED_CLS) with its expected attach type, its map
 * placeholders resolved to stages_fd and counters_fd. Returns the fd. */
int filter_load(const uint8_t *insns, uint32_t n, const char *label, int prog_type, int attach_type,
		int stages_fd, int counters_fd);

/* csrc/filter_prog.c: on a joined program, 0 when insns[0..n) (n == 0: none)
 * is the filter already installed, else -EBUSY with the error recorded. */
int prog_filter_compare(struct prog *p, const uint8_t *insns, uint32_t n, const char *label);

#endif
