/* Tap mode's receive loop: the calls on a tap's ring buffer (ringbuf.c reads
 * it), the way rings.c's are on a socket's rings. Its mapping into the
 * caller's memory, batches of records, giving them back, waiting, and the
 * warm-up's synthetic records. Nothing here allocates or makes a syscall per
 * packet. Uses tap.c, ringbuf.c, sock.c and error.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "../bpf/xskdump_abi.h"
#include "error.h"
#include "ringbuf.h"
#include "shim.h"
#include "sock.h"
#include "tap.h"

int32_t xsk_ring_map(int32_t h, uint8_t *area, uint64_t area_len)
{
	struct tap *t = tap_get(h);
	int err;

	if (!t)
		return fail(-EBADF, "no such tap handle %d", h);
	if (t->rb.mapped)
		return fail(-EBUSY, "the ring buffer of %s is mapped already", t->ifname);
	err = ringbuf_map(&t->rb, bpf_object__find_map_fd_by_name(t->obj, "ring"), t->ring_size,
			  area, area_len);
	if (err)
		return err;
	/* Read once now rather than by the first records (pages_touch). */
	pages_touch(t->rb.base, t->rb.total);
	return (int32_t)(t->rb.data - area);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts); /* vDSO: no syscall */
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* xsk_ring_warm's records: max of them, 60 bytes at the data's start, stamped
 * `now` (ns), incoming on queue 0; none at the last two of every WARM_DRY calls. */
static int32_t warm_batch(struct tap *t, uint32_t *descs, uint32_t max, int64_t now)
{
	uint32_t i;

	t->warm_calls++;
	if (WARM_IS_DRY(t->warm_calls))
		return 0;
	for (i = 0; i < max; i++) {
		uint32_t *out = descs + (size_t)i * XSKDUMP_DESC_WORDS;

		out[XSKDUMP_DESC_ADDR] = 0;
		out[XSKDUMP_DESC_LEN] = 60;
		out[XSKDUMP_DESC_WIRELEN] = 60;
		out[XSKDUMP_DESC_SEC] = (uint32_t)(now / 1000000000ll);
		out[XSKDUMP_DESC_NSEC] = (uint32_t)(now % 1000000000ll);
		out[XSKDUMP_DESC_FLAGS] = (uint32_t)XSKDUMP_DIR_IN << XSKDUMP_DESC_DIR_SHIFT;
	}
	return (int32_t)max;
}

int32_t xsk_ring_batch(int32_t h, uint32_t *descs, uint32_t max)
{
	struct tap *t = tap_get(h);
	int64_t mono_to_real;

	if (!t || !t->rb.mapped)
		return fail(-EBADF, "no such tap handle %d (or its ring buffer is not mapped)", h);
	/* One offset per batch turns the programs' monotonic stamps into
	 * wall-clock time; both clocks read back to back. */
	mono_to_real = clock_ns(CLOCK_REALTIME);
	if (t->warm)
		return warm_batch(t, descs, max, mono_to_real);
	mono_to_real -= clock_ns(CLOCK_MONOTONIC);
	return ringbuf_batch(&t->rb, descs, max, mono_to_real);
}

int32_t xsk_ring_warm(int32_t h, uint32_t on)
{
	struct tap *t = tap_get(h);

	if (!t || !t->rb.mapped)
		return fail(-EBADF, "no such tap handle %d (or its ring buffer is not mapped)", h);
	if (on && t->started)
		return fail(-EBUSY, "the tap on %s has started: a warm-up comes before", t->ifname);
	t->warm = !!on;
	return 0;
}

int32_t xsk_ring_give(int32_t h)
{
	struct tap *t = tap_get(h);

	if (!t || !t->rb.mapped)
		return fail(-EBADF, "no such tap handle %d (or its ring buffer is not mapped)", h);
	if (!t->warm)
		ringbuf_give(&t->rb);
	return 0;
}

int32_t xsk_ring_wait(int32_t h, int32_t timeout_ms)
{
	struct tap *t = tap_get(h);

	if (!t || !t->rb.mapped)
		return fail(-EBADF, "no such tap handle %d (or its ring buffer is not mapped)", h);
	if (t->warm)
		return 1; /* synthetic records are always there */
	return ringbuf_wait(&t->rb, timeout_ms);
}
