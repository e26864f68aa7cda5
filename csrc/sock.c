/* AF_XDP sockets: open one on a queue with its UMEM (registered inside the
 * caller's memory), fill the fill ring, register it in the XSKMAP; check,
 * count, stop and close it; detach a program with its sockets. The fill
 * ring's producer side (fq_push) is here too: the first fill is the open's.
 * Uses fault.c, ledger.c, filter_prog.c, prog.c, share.c, host.c, error.c. */
#define _GNU_SOURCE
#include "sock.h"

#include <errno.h>
#include <stddef.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/capability.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "error.h"
#include "fault.h"
#include "filter_prog.h"
#include "host.h"
#include "ledger.h"
#include "prog.h"
#include "share.h"
#include "../bpf/uapi_next.h"

/* The kernel puts packets after XDP_PACKET_HEADROOM plus our UMEM headroom (0). */
_Static_assert(XSKDUMP_RX_OFFSET == XDP_PACKET_HEADROOM + XSK_UMEM__DEFAULT_FRAME_HEADROOM,
	       "XSKDUMP_RX_OFFSET");

struct sock socks[MAX_SOCKS];
_Static_assert(offsetof(struct sock, used) == 0, "a handle table (slot_take)");

struct sock *sock_get(int32_t h)
{
	return slot_get(socks, sizeof(*socks), MAX_SOCKS, h);
}

/* Puts as many of frames[0..n) on the FQ as it has room for; returns how many. */
static uint32_t fq_put(struct sock *s, const uint64_t *frames, uint32_t n)
{
	uint32_t idx, i, room = xsk_prod_nb_free(&s->fq, n);

	if (room < n)
		n = room;
	if (!n || xsk_ring_prod__reserve(&s->fq, n, &idx) != n)
		return 0;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&s->fq, idx + i) = frames[i];
	xsk_ring_prod__submit(&s->fq, n);
	return n;
}

/* Puts frames on the FQ. The FQ has a slot for every frame, but the kernel
 * publishes that it took an address off the FQ only after it posted the RX
 * descriptor (xsk_flush: RX producer, then FQ consumer): for a moment the user
 * can hold a frame whose FQ slot still looks taken. What does not fit waits in
 * `pending` and goes first the next time (every xsk_rx_batch tries). */
int fq_push(struct sock *s, const uint64_t *frames, uint32_t n)
{
	uint32_t put = 0;

	if (s->npending) {
		uint32_t done = fq_put(s, s->pending, s->npending);

		s->npending -= done;
		memmove(s->pending, s->pending + done, (size_t)s->npending * sizeof(*s->pending));
	}
	if (!s->npending)
		put = fq_put(s, frames, n);
	if (put < n) {
		if (s->npending + (n - put) > s->frame_count)
			return fail(-ENOSPC, "fill ring: more frames given back than the UMEM has");
		memcpy(s->pending + s->npending, frames + put, (size_t)(n - put) * sizeof(*frames));
		s->npending += n - put;
	}
	/* Zero-copy drivers sleep when the FQ ran dry; this is once per batch. */
	if (xsk_ring_prod__needs_wakeup(&s->fq))
		recvfrom(s->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	return 0;
}

void pages_touch(const void *p, uint64_t len)
{
	const volatile uint8_t *b = p;
	uint64_t step = (uint64_t)sysconf(_SC_PAGESIZE), o;

	for (o = 0; o < len; o += step)
		(void)b[o];
}

static void sock_free(struct sock *s)
{
	if (s->xsk)
		xsk_socket__delete(s->xsk);
	if (s->umem)
		xsk_umem__delete(s->umem);
	free(s->spare); /* the one allocation of all four tables */
	memset(s, 0, sizeof(*s));
}

static int sock_bind(struct sock *s, struct prog *p, __u16 bind_flags)
{
	struct xsk_socket_config cfg = {
		.rx_size = s->frame_count,
		.tx_size = 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = bind_flags,
	};

	return xsk_socket__create(&s->xsk, p->ifname, s->queue, s->umem, &s->rx, NULL, &cfg);
}

/* Binds s: zero-copy where the driver has it, copy mode otherwise (veth,
 * generic); with XDP_USE_SG first when multi-buffer is asked for. A kernel
 * before 6.6 refuses the unknown flag (EINVAL), a zero-copy driver without
 * multi-buffer refuses SG (EOPNOTSUPP): then without it. */
static int sock_bind_any(struct sock *s, struct prog *p, int multi_buffer)
{
	static const __u16 tries[] = {
		XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY | XSKDUMP_XDP_USE_SG,
		XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY,
		XDP_USE_NEED_WAKEUP | XDP_COPY | XSKDUMP_XDP_USE_SG,
		XDP_USE_NEED_WAKEUP | XDP_COPY,
	};
	int err = -EOPNOTSUPP;
	unsigned i;

	for (i = 0; i < sizeof(tries) / sizeof(*tries); i++) {
		if ((tries[i] & XDP_ZEROCOPY) && p->mode != XSKDUMP_MODE_NATIVE)
			continue;
		if ((tries[i] & XSKDUMP_XDP_USE_SG) && !multi_buffer)
			continue;
		/* Only a refusal of the mode or of SG moves on to the next try. */
		if (i && err != -EOPNOTSUPP && err != -EINVAL && err != -EPROTONOSUPPORT)
			break;
		err = sock_bind(s, p, tries[i]);
		if (!err) {
			s->zerocopy = !!(tries[i] & XDP_ZEROCOPY);
			s->multi_buffer = !!(tries[i] & XSKDUMP_XDP_USE_SG);
			return 0;
		}
		s->xsk = NULL;
	}
	return err;
}

int32_t xsk_sock_open(int32_t ph, uint32_t queue, uint32_t frame_count, uint32_t frame_size,
		      uint8_t *mem, uint64_t mem_len, uint32_t gather_bytes, uint32_t snaplen,
		      uint32_t flags)
{
	struct prog *p = prog_get(ph);
	struct sock *s;
	struct xsk_umem_config ucfg;
	uint32_t i;
	int h, err;

	libbpf_msg[0] = 0;
	if (!p)
		return fail(-EBADF, "no such program handle %d", ph);
	if (queue >= (uint32_t)p->queue_count || queue >= XSKDUMP_MAX_QUEUES)
		return fail(-EINVAL, "queue %u out of range on %s (it has %d RX queue%s)", queue,
			    p->ifname, p->queue_count, p->queue_count == 1 ? "" : "s");
	if (!frame_count || (frame_count & (frame_count - 1)) || frame_size < 2048 ||
	    (frame_size & (frame_size - 1)) || (uint64_t)frame_count * frame_size > (1ull << 32))
		return fail(-EINVAL, "bad UMEM geometry %u x %u", frame_count, frame_size);
	if (gather_bytes && (gather_bytes < XSKDUMP_GATHER_MIN ||
			     (uint64_t)frame_count * frame_size + gather_bytes > (1ull << 32)))
		return fail(-EINVAL, "gather area of %u bytes (at least %u, and below 4 GiB with the UMEM)",
			    gather_bytes, XSKDUMP_GATHER_MIN);
	if (snaplen > XSKDUMP_MAX_SNAPLEN)
		return fail(-EINVAL, "snap length %u is more than %u", snaplen, XSKDUMP_MAX_SNAPLEN);
	h = slot_take(socks, sizeof(*socks), MAX_SOCKS, "sockets");
	if (h < 0)
		return h;
	s = &socks[h];
	s->prog = ph;
	s->queue = queue;
	s->frame_count = frame_count;
	s->frame_size = frame_size;
	s->area_size = (uint64_t)frame_count * frame_size;
	/* XDP_UMEM_REG wants a page-aligned start. */
	s->area_offset = (uint32_t)(-(uintptr_t)mem & ((uintptr_t)sysconf(_SC_PAGESIZE) - 1));
	if (!mem || mem_len < s->area_size + s->area_offset + gather_bytes) {
		err = fail(-EINVAL, "UMEM memory of %llu bytes is too small for %u x %u and %u more",
			   (unsigned long long)mem_len, frame_count, frame_size, gather_bytes);
		memset(s, 0, sizeof(*s));
		return err;
	}
	s->area = mem + s->area_offset;
	s->gather = (uint8_t *)s->area + s->area_size;
	s->gather_bytes = gather_bytes;
	s->snaplen = snaplen ? snaplen : XSKDUMP_MAX_SNAPLEN;
	s->hw_timestamp = p->hw_timestamp;
	/* The largest packet a chain can carry, XSKDUMP_MAX_SNAPLEN (BIG TCP aside,
	 * GRO stops at 64 KiB), in the smallest pieces a frame holds. */
	s->chain_max = XSKDUMP_MAX_SNAPLEN / (frame_size - XSKDUMP_RX_OFFSET) + 1;
	if (s->chain_max >= frame_count)
		s->chain_max = frame_count - 1; /* a batch must see a chain's end */
	ucfg = (struct xsk_umem_config){
		.fill_size = frame_count,
		.comp_size = frame_count,
		.frame_size = frame_size,
		.frame_headroom = 0,
		.flags = 0,
	};
	if (p->joined && !p->filter_checked) {
		/* No filter asked for: the shared program must have none either. */
		err = prog_filter_compare(p, NULL, 0, NULL);
		if (err)
			goto out;
	}
	err = xsk_umem__create(&s->umem, s->area, s->area_size, &s->fq, &s->cq, &ucfg);
	if (err) {
		s->umem = NULL;
		if (err == -EPERM && !cap_effective(CAP_NET_RAW))
			fail(err, "create an AF_XDP socket: CAP_NET_RAW is missing");
		else if ((err == -ENOBUFS || err == -ENOMEM || err == -EPERM) &&
			 !cap_effective(CAP_IPC_LOCK))
			fail(err, "register UMEM (%u frames, %llu KiB): more than the locked-memory "
				  "limit allows, and CAP_IPC_LOCK is missing",
			     frame_count, (unsigned long long)(s->area_size >> 10));
		else
			fail(err, "create an AF_XDP socket and register its UMEM (%u frames; needs "
				  "CAP_NET_RAW, and CAP_IPC_LOCK or a memlock limit)",
			     frame_count);
		goto out;
	}
	err = sock_bind_any(s, p, gather_bytes > 0 && !multi_buffer_refused());
	if (err) {
		char who[160] = "", also[160] = "";

		s->xsk = NULL;
		if (err == -EBUSY)
			queue_holder(p->ifindex, queue, who, sizeof(who));
		/* Without sock_diag for AF_XDP (CONFIG_XDP_SOCKETS_DIAG), name at
		 * least the other captures on the interface. */
		if (err == -EBUSY && !who[0] && p->joined)
			link_holders(p->link_fd, also, sizeof(also));
		if (err == -EBUSY)
			fail(err, "queue %u of %s is taken: another AF_XDP socket is bound to it%s%s%s%s%s",
			     queue, p->ifname, who[0] ? ", of " : "", who,
			     also[0] ? " (the interface is captured by " : "", also,
			     also[0] ? ")" : "");
		else if (err == -EPERM && !cap_effective(CAP_NET_RAW))
			fail(err, "create an AF_XDP socket: CAP_NET_RAW is missing");
		else
			fail(err, "bind AF_XDP socket to %s queue %u", p->ifname, queue);
		goto out;
	}
	s->fd = xsk_socket__fd(s->xsk);
	/* The UMEM, its gather area and the RX ring, read once now rather than by
	 * the first packets (pages_touch); the FQ is written just below. */
	pages_touch(s->area, s->area_size + s->gather_bytes);
	pages_touch(s->rx.ring, (uint64_t)(s->rx.mask + 1) * sizeof(struct xdp_desc));

	/* The guard's bookkeeping is allocated here, once: nothing per packet. */
	s->spare = malloc((size_t)frame_count * (3 * sizeof(uint64_t) + 1));
	if (!s->spare) {
		err = fail(-ENOMEM, "frame ledger for %u frames", frame_count);
		goto out;
	}
	s->pending = s->spare + frame_count;
	s->taken_at = s->pending + frame_count;
	s->owner = (uint8_t *)(s->taken_at + frame_count);
	ledger_init(&s->ledger, s->area, s->area_size, frame_count, frame_size, XSKDUMP_RX_OFFSET,
		    s->owner);
	s->ledger.taken_at = s->taken_at;
	s->guard = 1;
	fault_parse(&s->fault, s->chain_max);

	/* (1) of the cycle: the kernel starts out owning every frame. */
	for (i = 0; i < frame_count; i++) {
		s->spare[i] = (uint64_t)i * frame_size;
		ledger_give_initial(&s->ledger, s->spare[i]);
	}
	err = fq_push(s, s->spare, frame_count);
	if (err)
		goto out;

	/* Where a filter sends what it accepts: installed with the first
	 * socket, before any packet can reach the filter. From now on the
	 * filter is fixed, and other captures may join (csrc/share.c). */
	if (!p->joined && !p->sockets_opened) {
		__u32 stage = XSKDUMP_STAGE_CAPTURE;

		if (bpf_map_update_elem(p->stages_fd, &stage, &p->capture_fd, BPF_ANY)) {
			err = fail(-errno, "install the capture stage on %s", p->ifname);
			goto out;
		}
	}
	p->sockets_opened = 1;
	s->used = 1;
	if (!(flags & XSKDUMP_SOCK_DEFER) && (err = xsk_sock_start(h)) < 0)
		goto out;
	return h;
out:
	sock_free(s);
	return err;
}

int32_t xsk_sock_info(int32_t h, uint32_t *out, uint32_t n)
{
	struct sock *s = sock_get(h);

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	return words_out(out, n, (const uint32_t[XSKDUMP_SOCK_INFO_WORDS]){
		[XSKDUMP_SOCK_INFO_ZEROCOPY] = (uint32_t)s->zerocopy,
		[XSKDUMP_SOCK_INFO_MULTI_BUFFER] = (uint32_t)s->multi_buffer,
		[XSKDUMP_SOCK_INFO_UMEM_OFFSET] = s->area_offset,
	}, XSKDUMP_SOCK_INFO_WORDS);
}

int32_t xsk_sock_check(int32_t h)
{
	struct sock *s = sock_get(h);
	struct prog *p;
	int soerr = 0, err;
	socklen_t l = sizeof(soerr);

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	p = &progs[s->prog];
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &l))
		soerr = 0;
	/* The kernel unbinds an AF_XDP socket with ENETDOWN only when its
	 * device is unregistered: deleted (or moved to another namespace),
	 * possibly while its name is still listed. */
	if (soerr == ENETDOWN)
		return fail(-ENODEV, "interface %s is gone", p->ifname);
	err = iface_check(p->ifindex, p->ifname);
	if (!err && soerr)
		err = fail(-soerr, "AF_XDP socket on %s queue %u", p->ifname, s->queue);
	return err;
}

int32_t xsk_sock_stats(int32_t h, uint64_t *out, uint32_t n)
{
	struct sock *s = sock_get(h);
	struct xdp_statistics st;
	socklen_t l = sizeof(st);
	uint64_t v[XSKDUMP_STAT__COUNT];
	uint32_t i;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	memset(&st, 0, sizeof(st));
	if (getsockopt(s->fd, SOL_XDP, XDP_STATISTICS, &st, &l))
		return fail(-errno, "XDP_STATISTICS on queue %u", s->queue);
	v[XSKDUMP_STAT_RX_DROPPED] = st.rx_dropped;
	v[XSKDUMP_STAT_RX_INVALID] = st.rx_invalid_descs;
	v[XSKDUMP_STAT_RX_RING_FULL] = st.rx_ring_full;
	v[XSKDUMP_STAT_RX_FILL_EMPTY] = st.rx_fill_ring_empty_descs;
	v[XSKDUMP_STAT_RX_PACKETS] = s->rx_packets;
	v[XSKDUMP_STAT_RX_BYTES] = s->rx_bytes;
	v[XSKDUMP_STAT_RX_REFUSED] = s->rx_refused;
	v[XSKDUMP_STAT_USER_HELD] = s->held_records - s->gather_out;
	v[XSKDUMP_STAT_NO_META] = s->no_meta;
	v[XSKDUMP_STAT_NO_HW_TIMESTAMP] = s->no_hw_timestamp;
	for (i = 0; i < n && i < XSKDUMP_STAT__COUNT; i++)
		out[i] = v[i];
	return (int32_t)i;
}

int32_t xsk_sock_start(int32_t h)
{
	struct sock *s = sock_get(h);
	struct prog *p;
	__u32 key;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (s->warm)
		return fail(-EBUSY, "queue %u is warming up: end that first", s->queue);
	if (s->started)
		return 0;
	p = &progs[s->prog];
	key = s->queue;
	if (bpf_map_update_elem(p->xsks_fd, &key, &s->fd, BPF_ANY))
		return fail(-errno, "register socket for %s queue %u in the XSKMAP", p->ifname,
			    s->queue);
	s->started = 1;
	return 0;
}

int32_t xsk_sock_warm(int32_t h, uint32_t on)
{
	struct sock *s = sock_get(h);

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (on && s->started)
		return fail(-EBUSY, "queue %u has started: a warm-up comes before", s->queue);
	if (s->held_records)
		return fail(-EBUSY, "warm-up changes only while the user holds no record");
	s->warm = !!on;
	return 0;
}

int32_t xsk_sock_stop(int32_t h)
{
	struct sock *s = sock_get(h);
	struct prog *p;
	__u32 key;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	p = prog_get(s->prog);
	key = s->queue;
	if (p && bpf_map_delete_elem(p->xsks_fd, &key) && errno != ENOENT)
		return fail(-errno, "unregister queue %u", s->queue);
	return 0;
}

int32_t xsk_sock_close(int32_t h)
{
	struct sock *s = sock_get(h);

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	xsk_sock_stop(h); /* new packets pass to the stack */
	sock_free(s);
	return 0;
}

int32_t xsk_prog_detach(int32_t h)
{
	struct prog *p = prog_get(h);
	int s;

	if (!p)
		return fail(-EBADF, "no such program handle %d", h);
	for (s = 0; s < MAX_SOCKS; s++)
		if (socks[s].used && socks[s].prog == h)
			xsk_sock_close(s);
	prog_release(p);
	return 0;
}
