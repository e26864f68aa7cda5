/* The receive loop's calls: take a batch off the RX ring, give frames back to
 * the fill ring, the ring integrity guard's counts, and waiting for data.
 * Nothing here allocates or makes a syscall per packet. Uses sock.c, fault.c,
 * ledger.c and error.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "../bpf/xskdump_abi.h"
#include "error.h"
#include "fault.h"
#include "ledger.h"
#include "shim.h"
#include "sock.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts); /* vDSO: no syscall */
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Ring-integrity violations on s so far, all kinds (what xsk_fill returns). */
static int32_t guard_total(const struct sock *s)
{
	uint64_t t = 0;
	int k;

	for (k = 0; k < LEDGER_KINDS; k++)
		t += s->ledger.count[k];
	return t > INT32_MAX ? INT32_MAX : (int32_t)t;
}

int32_t xsk_rx_batch(int32_t h, uint32_t *descs, uint32_t max)
{
	struct sock *s = sock_get(h);
	int64_t mono_to_real, now;
	uint32_t idx, n, i, kept = 0, back = 0;
	int err;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (max > s->frame_count)
		max = s->frame_count;
	if (s->npending && (err = fq_push(s, NULL, 0)))
		return err;
	n = xsk_ring_cons__peek(&s->rx, max, &idx);
	if (!n)
		return 0;
	/* One offset per batch turns the XDP program's monotonic stamps into
	 * wall-clock time; both clocks read back to back. */
	now = clock_ns(CLOCK_REALTIME);
	mono_to_real = now - clock_ns(CLOCK_MONOTONIC);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&s->rx, idx + i);
		uint64_t addr = xsk_umem__add_offset_to_addr(d->addr), frame;
		const struct xskdump_meta *m;
		uint32_t *out = descs + (size_t)kept * XSKDUMP_DESC_WORDS;
		int64_t t = now;
		int verdict, meta = 0;

		/* The timestamp is read before the ledger's canary covers it. */
		if (addr < s->area_size && addr % s->frame_size >= sizeof(*m)) {
			m = (const void *)((const char *)s->area + addr - sizeof(*m));
			if (m->magic == XSKDUMP_META_MAGIC) {
				t = (int64_t)m->rx_ns + mono_to_real;
				meta = 1;
			}
		}
		if (s->guard) {
			/* fault.at is 0 unless XSKDUMP_FAULT armed it: never true then. */
			if (s->ledger.descriptors + 1 == s->fault.at)
				verdict = fault_take(&s->fault, &s->ledger, addr, d->len, &frame,
						     s->spare, &back);
			else
				verdict = ledger_take(&s->ledger, addr, d->len, &frame);
			if (verdict == LEDGER_MISALIGNED && ledger_give(&s->ledger, frame) != LEDGER_DUPLICATE)
				s->spare[back++] = frame;
			if (verdict != LEDGER_OK)
				continue; /* never handed to the capture */
		}
		s->no_meta += !meta;
		out[XSKDUMP_DESC_ADDR] = (uint32_t)addr;
		out[XSKDUMP_DESC_LEN] = d->len;
		out[XSKDUMP_DESC_WIRELEN] = d->len;
		out[XSKDUMP_DESC_SEC] = (uint32_t)(t / 1000000000ll);
		out[XSKDUMP_DESC_NSEC] = (uint32_t)(t % 1000000000ll);
		out[XSKDUMP_DESC_FLAGS] = s->queue | (uint32_t)XSKDUMP_DIR_IN << XSKDUMP_DESC_DIR_SHIFT;
		s->rx_bytes += d->len;
		kept++;
	}
	xsk_ring_cons__release(&s->rx, n);
	s->rx_packets += n;
	s->user_held += kept;
	err = fq_push(s, s->spare, back);
	return err ? err : (int32_t)kept;
}

int32_t xsk_fill(int32_t h, const uint32_t *descs, uint32_t n)
{
	struct sock *s = sock_get(h);
	uint32_t i, k = 0;
	int err;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (n > s->user_held)
		return fail(-EINVAL, "refill of %u frames but the user holds %llu", n,
			    (unsigned long long)s->user_held);
	for (i = 0; i < n; i++) {
		uint64_t addr = descs[(size_t)i * XSKDUMP_DESC_WORDS + XSKDUMP_DESC_ADDR];

		/* The ledger refuses a frame the user does not hold: no double refill. */
		if (s->guard && ledger_give(&s->ledger, addr) == LEDGER_DUPLICATE)
			continue;
		s->spare[k++] = addr - addr % s->frame_size;
	}
	err = fq_push(s, s->spare, k);
	if (err)
		return err;
	s->user_held -= n;
	return guard_total(s);
}

int32_t xsk_sock_guard(int32_t h, uint32_t on)
{
	struct sock *s = sock_get(h);

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (s->user_held)
		return fail(-EBUSY, "guard can only change while the user holds no frame");
	s->guard = !!on;
	return 0;
}

int32_t xsk_guard_total(int32_t h)
{
	struct sock *s = sock_get(h);

	return s ? guard_total(s) : fail(-EBADF, "no such socket handle %d", h);
}

int32_t xsk_guard_report(int32_t h, uint64_t *out, uint32_t n)
{
	struct sock *s = sock_get(h);
	uint32_t i;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	for (i = 0; i < n && i < LEDGER_KINDS * XSKDUMP_GUARD_WORDS; i++) {
		int k = (int)(i / XSKDUMP_GUARD_WORDS);

		switch (i % XSKDUMP_GUARD_WORDS) {
		case 0:
			out[i] = s->ledger.count[k];
			break;
		case 1:
			out[i] = s->ledger.first[k].addr;
			break;
		default:
			out[i] = s->ledger.first[k].descriptor;
		}
	}
	return (int32_t)i;
}

int32_t xsk_wait(int32_t h, int32_t timeout_ms)
{
	struct sock *s = sock_get(h);
	struct pollfd pfd;
	int r;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	/* Data already waiting: no syscall. nb_avail moves no consumer index. */
	if (xsk_cons_nb_avail(&s->rx, 1))
		return 1;
	pfd.fd = s->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : fail(-errno, "poll AF_XDP socket");
	if (r > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
		return xsk_sock_check(h) ?: 1;
	return r > 0 ? 1 : 0;
}

int32_t xsk_wait_any(const int32_t *hs, uint32_t n, int32_t timeout_ms)
{
	struct pollfd pfd[MAX_SOCKS];
	uint32_t i;
	int r;

	if (!hs || !n || n > MAX_SOCKS)
		return fail(-EINVAL, "wait on %u sockets", n);
	for (i = 0; i < n; i++) {
		struct sock *s = sock_get(hs[i]);

		if (!s)
			return fail(-EBADF, "no such socket handle %d", hs[i]);
		if (xsk_cons_nb_avail(&s->rx, 1))
			return 1;
		pfd[i].fd = s->fd;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	r = poll(pfd, n, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : fail(-errno, "poll AF_XDP sockets");
	return r > 0 ? 1 : 0;
}

int32_t xsk_doze(uint32_t usec)
{
	struct timespec ts;

	if (usec > 1000000)
		return fail(-EINVAL, "doze of %u us is more than a second", usec);
	ts.tv_sec = usec / 1000000;
	ts.tv_nsec = (long)(usec % 1000000) * 1000;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return 0;
}
