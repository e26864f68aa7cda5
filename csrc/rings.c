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

#include "../bpf/uapi_next.h"
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

/* One batch's state: the window of peeked descriptors and what goes back. */
struct batch {
	struct sock *s;
	uint32_t idx;        /* ring index of the window's first descriptor */
	uint32_t back;       /* frames in s->spare to put on the FQ */
	int64_t now;         /* CLOCK_REALTIME at the batch's start */
	int64_t mono_to_real;
};

static const struct xdp_desc *desc_at(const struct batch *b, uint32_t i)
{
	return xsk_ring_cons__rx_desc(&b->s->rx, b->idx + i);
}

/* XDP_PKT_CONTD of the window's i-th descriptor (as a fault may make it look). */
static int contd_at(const struct batch *b, uint32_t i)
{
	return (desc_at(b, i)->options & XSKDUMP_XDP_PKT_CONTD) ||
	       fault_contd(&b->s->fault, b->s->rx_descs + i + 1);
}

/* The record's time: the XDP program's stamp in front of the first piece, else
 * now. The NIC's own timestamp, where the program put one, stays as it is
 * (adapter_unsynced); where it was asked for and is missing, counted. */
static int64_t stamp_of(const struct batch *b, uint64_t addr, int *meta)
{
	struct sock *s = b->s;
	const struct xskdump_meta *m;

	/* Read before the ledger's canary covers it. */
	*meta = 0;
	if (addr < s->area_size && addr % s->frame_size >= sizeof(*m)) {
		m = (const void *)((const char *)s->area + addr - sizeof(*m));
		if (m->magic == XSKDUMP_META_MAGIC) {
			*meta = 1;
			if (m->flags & XSKDUMP_META_HW_TIMESTAMP)
				return (int64_t)m->rx_ns;
			s->no_hw_timestamp += s->hw_timestamp;
			return (int64_t)m->rx_ns + b->mono_to_real;
		}
	}
	s->no_hw_timestamp += s->hw_timestamp;
	return b->now;
}

/* The guard's verdict on one descriptor (LEDGER_OK without the guard); a real
 * frame the capture will not read goes on b's list to give back. */
static int take_piece(struct batch *b, uint64_t addr, uint32_t len)
{
	struct sock *s = b->s;
	uint64_t frame;
	int verdict;

	if (!s->guard)
		return LEDGER_OK;
	/* fault.at is 0 unless XSKDUMP_FAULT armed it: never true then. */
	if (s->ledger.descriptors + 1 == s->fault.at)
		verdict = fault_take(&s->fault, &s->ledger, addr, len, &frame, s->spare, &b->back);
	else
		verdict = ledger_take(&s->ledger, addr, len, &frame);
	if (verdict == LEDGER_MISALIGNED && ledger_give(&s->ledger, frame) != LEDGER_DUPLICATE)
		s->spare[b->back++] = frame;
	return verdict;
}

/* A piece the user took (LEDGER_OK) goes straight back: its bytes were copied. */
static void give_piece(struct batch *b, uint64_t addr)
{
	struct sock *s = b->s;

	if (s->guard && ledger_give(&s->ledger, addr) == LEDGER_DUPLICATE)
		return;
	if (addr < s->area_size)
		s->spare[b->back++] = addr - addr % s->frame_size;
}

/* Drops the pieces [i, j) of a broken chain: each checked, every real frame back. */
static void drop_pieces(struct batch *b, uint32_t i, uint32_t j)
{
	for (; i < j; i++) {
		const struct xdp_desc *d = desc_at(b, i);
		uint64_t addr = xsk_umem__add_offset_to_addr(d->addr);

		if (take_piece(b, addr, d->len) == LEDGER_OK)
			give_piece(b, addr);
	}
}

static void put_record(const struct batch *b, uint32_t *out, uint64_t addr, uint32_t len,
		       uint32_t wire_len, int64_t t)
{
	const struct sock *s = b->s;

	out[XSKDUMP_DESC_ADDR] = (uint32_t)addr;
	out[XSKDUMP_DESC_LEN] = len < s->snaplen ? len : s->snaplen;
	out[XSKDUMP_DESC_WIRELEN] = wire_len;
	out[XSKDUMP_DESC_SEC] = (uint32_t)(t / 1000000000ll);
	out[XSKDUMP_DESC_NSEC] = (uint32_t)(t % 1000000000ll);
	out[XSKDUMP_DESC_FLAGS] = s->queue | (uint32_t)XSKDUMP_DIR_IN << XSKDUMP_DESC_DIR_SHIFT;
}

/* The chain [i, j) (checked complete) into one record in the gather area, up
 * to the snap length; every piece's frame back. 1 with a record in out, 0
 * when a piece broke the guard's rules (the chain is dropped). */
static int gather_chain(struct batch *b, uint32_t i, uint32_t j, uint32_t wire_len,
			uint32_t *out)
{
	struct sock *s = b->s;
	uint32_t k, caplen = wire_len < s->snaplen ? wire_len : s->snaplen, at = 0;
	uint64_t first = xsk_umem__add_offset_to_addr(desc_at(b, i)->addr);
	uint8_t *dst = s->gather + s->gather_used;
	int meta;
	int64_t t = stamp_of(b, first, &meta);

	for (k = i; k < j; k++) {
		const struct xdp_desc *d = desc_at(b, k);
		uint64_t addr = xsk_umem__add_offset_to_addr(d->addr);

		if (take_piece(b, addr, d->len) != LEDGER_OK) {
			drop_pieces(b, k + 1, j); /* the packet is lost: the rest only goes back */
			return 0;
		}
		if (at < caplen && addr + d->len <= s->area_size) {
			uint32_t n = d->len < caplen - at ? d->len : caplen - at;

			memcpy(dst + at, (const uint8_t *)s->area + addr, n);
			at += n;
		}
		give_piece(b, addr);
	}
	s->no_meta += !meta;
	s->rx_bytes += wire_len;
	put_record(b, out, s->area_size + s->gather_used, caplen, wire_len, t);
	s->gather_used += caplen;
	s->gather_out++;
	return 1;
}

/* xsk_sock_warm's records: max of them, 60 bytes of frame 0 each, stamped now;
 * none at the last two of every WARM_DRY calls. */
static int32_t warm_batch(struct sock *s, uint32_t *descs, uint32_t max)
{
	struct batch b = { .s = s };
	int64_t now = clock_ns(CLOCK_REALTIME);
	uint32_t i;

	s->warm_calls++;
	if (WARM_IS_DRY(s->warm_calls))
		return 0;
	for (i = 0; i < max; i++)
		put_record(&b, descs + (size_t)i * XSKDUMP_DESC_WORDS, XSKDUMP_RX_OFFSET, 60, 60,
			   now);
	s->held_records += max;
	return (int32_t)max;
}

int32_t xsk_rx_batch(int32_t h, uint32_t *descs, uint32_t max)
{
	struct sock *s = sock_get(h);
	struct batch b = { .s = s };
	uint32_t want, n, i = 0, kept = 0;
	int err;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (max > s->frame_count)
		max = s->frame_count;
	if (s->warm)
		return warm_batch(s, descs, max);
	if (s->npending && (err = fq_push(s, NULL, 0)))
		return err;
	/* Room to see the end of a chain that starts at the last record. */
	want = max + (s->multi_buffer ? s->chain_max : 0);
	if (want > s->frame_count)
		want = s->frame_count;
	n = xsk_ring_cons__peek(&s->rx, want, &b.idx);
	if (!n)
		return 0;
	/* One offset per batch turns the XDP program's monotonic stamps into
	 * wall-clock time; both clocks read back to back. */
	b.now = clock_ns(CLOCK_REALTIME);
	b.mono_to_real = b.now - clock_ns(CLOCK_MONOTONIC);
	while (i < n && kept < max) {
		uint32_t *out = descs + (size_t)kept * XSKDUMP_DESC_WORDS;
		const struct xdp_desc *d = desc_at(&b, i);
		uint64_t addr = xsk_umem__add_offset_to_addr(d->addr);
		uint32_t j = i, wire_len = 0;
		int meta;
		int64_t t;

		if (s->chain_skip) {
			/* The rest of a chain already counted as broken. */
			s->chain_skip = contd_at(&b, i);
			drop_pieces(&b, i, i + 1); /* its packet is counted already */
			i++;
			continue;
		}
		if (!contd_at(&b, i)) {
			/* A packet in one frame: the record points into the UMEM. */
			t = stamp_of(&b, addr, &meta);
			i++;
			s->rx_packets++;
			if (take_piece(&b, addr, d->len) != LEDGER_OK) {
				s->rx_refused++; /* never handed to the capture */
				continue;
			}
			s->no_meta += !meta;
			s->rx_bytes += d->len;
			put_record(&b, out, addr, d->len, d->len, t);
			kept++;
			continue;
		}
		/* A chain: find its end within the chain limit. */
		while (j < n && j - i < s->chain_max && contd_at(&b, j))
			wire_len += desc_at(&b, j++)->len;
		if (j == n && n == want && j - i < s->chain_max)
			break; /* its end is beyond the window: next batch */
		if (j == n || j - i == s->chain_max) {
			/* Too long, or published unfinished (the kernel publishes a
			 * packet's pieces together): lost, its frames back, and what
			 * still says "continued" after it too, never glued to a
			 * packet of its own. */
			ledger_unterminated(&s->ledger, addr);
			s->chain_skip = 1;
			s->rx_packets++;
			s->rx_refused++;
			drop_pieces(&b, i, j);
			i = j;
			continue;
		}
		wire_len += desc_at(&b, j++)->len; /* the last piece */
		if (s->gather_bytes - s->gather_used <
		    (wire_len < s->snaplen ? wire_len : s->snaplen))
			break; /* the gather area is full: after the next refill */
		if (gather_chain(&b, i, j, wire_len, out))
			kept++;
		else
			s->rx_refused++;
		s->rx_packets++;
		i = j;
	}
	xsk_ring_cons__release(&s->rx, i);
	xsk_ring_cons__cancel(&s->rx, n - i); /* the rest is read again next time */
	s->rx_descs += i;
	s->held_records += kept;
	err = fq_push(s, s->spare, b.back);
	return err ? err : (int32_t)kept;
}

int32_t xsk_fill(int32_t h, const uint32_t *descs, uint32_t n)
{
	struct sock *s = sock_get(h);
	uint32_t i, k = 0;
	int err;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (n > s->held_records)
		return fail(-EINVAL, "refill of %u records but the user holds %llu", n,
			    (unsigned long long)s->held_records);
	if (s->warm) {
		s->held_records -= n;
		return guard_total(s);
	}
	for (i = 0; i < n; i++) {
		uint64_t addr = descs[(size_t)i * XSKDUMP_DESC_WORDS + XSKDUMP_DESC_ADDR];

		if (addr >= s->area_size) {
			/* A gathered record: its room in the gather area. */
			if (s->gather_out && !--s->gather_out)
				s->gather_used = 0;
			continue;
		}
		/* The ledger refuses a frame the user does not hold: no double refill. */
		if (s->guard && ledger_give(&s->ledger, addr) == LEDGER_DUPLICATE)
			continue;
		s->spare[k++] = addr - addr % s->frame_size;
	}
	err = fq_push(s, s->spare, k);
	if (err)
		return err;
	s->held_records -= n;
	return guard_total(s);
}

int32_t xsk_sock_guard(int32_t h, uint32_t on)
{
	struct sock *s = sock_get(h);

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (s->held_records)
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
	if (s->warm)
		return 1; /* synthetic records are always there */
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
		if (s->warm || xsk_cons_nb_avail(&s->rx, 1))
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
