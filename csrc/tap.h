/* Tap mode (csrc/tap.c; uses tc.c, ringbuf.c and the layers below): a tap's
 * state, for its ring buffer's calls (tap_ring.c), and what the process
 * attribution (proc.c) needs of a tap's loaded programs. */
#ifndef XSKDUMP_TAP_H
#define XSKDUMP_TAP_H

#include <net/if.h>
#include <stdint.h>

#include "ringbuf.h"

struct bpf_object;

/* Tap handles are 0..MAX_TAPS-1 (proc.c keeps per-tap state by handle). */
#define MAX_TAPS 8

/* One direction's hook: where its entry program is attached. */
struct hook {
	int kind;         /* XSKDUMP_HOOK_* */
	int link_fd;      /* XDP or tcx link, -1 */
	int stages_fd;    /* its prog array of filter and copy stages */
	int counters_fd;  /* its direction's counters */
	int copy_fd;      /* the copy stage */
	int prog_type;    /* of its programs: what a filter for it is loaded as */
	int attach_type;  /* expected attach type of its programs */
};

struct tap {
	int used;
	int ifindex;
	char ifname[IF_NAMESIZE];
	struct bpf_object *obj;
	uint32_t ring_size;
	int xdp_mode;     /* XSKDUMP_MODE_NATIVE or _GENERIC when the XDP hook is ours */
	int frags;        /* the XDP programs (and their filter) have BPF_F_XDP_HAS_FRAGS */
	struct hook in, out;
	uint32_t tc_handle; /* clsact filters: their handle (tc.c) */
	int qdisc_created;  /* this capture added the clsact qdisc */
	int attribute;      /* the process attribution is loaded (proc.c attaches its hooks) */
	int started;
	int warm;           /* synthetic records (xsk_ring_warm) */
	uint32_t warm_calls; /* xsk_ring_batch calls while warm (WARM_DRY) */
	struct ringbuf rb;
};

/* The open tap of handle h, or NULL (nothing recorded). */
struct tap *tap_get(int32_t h);
/* The loaded object of tap h when it was opened with attribution on; NULL
 * (and the error recorded) otherwise. */
struct bpf_object *tap_proc_object(int32_t h);

#endif
