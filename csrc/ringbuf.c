/* The consumer side of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF), read in
 * batches like the RX ring: no libbpf callback per record.
 *
 * The kernel's layout, mapped into the caller's memory at its first page
 * boundary (so JS reads it through one ordinary ArrayBuffer view, no pointer
 * API):
 *
 *   +0          consumer page (read-write): consumer_pos, ours to advance
 *   +PAGE       producer page (read-only):  producer_pos, the kernel's
 *   +2*PAGE     data, `size` bytes, mapped twice in a row (read-only), so a
 *               record that runs past the end continues in the second copy:
 *               every record is contiguous in the view
 *
 * A record at position pos starts at data + (pos & (size - 1)) with an 8-byte
 * header {u32 len; u32 pg_off}: BUSY (bit 31) while the producer writes it,
 * DISCARD (bit 30) when it was given up; the next record is at
 * pos + round_up(len + 8, 8). Positions only grow. Read producer_pos and each
 * len with acquire, store consumer_pos with release.
 *
 * Waking: the kernel wakes a poll on the map's fd when it commits the record
 * at consumer_pos (the reader has caught up), so a reader behind costs the
 * producer no wakeup. */
#define _GNU_SOURCE
#include "ringbuf.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "../bpf/xskdump_abi.h"
#include "error.h"
#include "shim.h"

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

int ringbuf_map(struct ringbuf *rb, int fd, uint32_t size, uint8_t *mem, uint64_t len)
{
	size_t pg = page_size();
	uint8_t *base = (uint8_t *)(((uintptr_t)mem + pg - 1) & ~(uintptr_t)(pg - 1));

	if (!mem || !size || (size & (size - 1)) || size % pg)
		return fail(-EINVAL, "ring buffer of %u bytes: not a power of two pages", size);
	if ((uint64_t)(base - mem) + 2 * pg + 2 * (uint64_t)size > len)
		return fail(-EINVAL, "ring buffer memory of %llu bytes is too small for %u",
			    (unsigned long long)len, size);
	/* MAP_FIXED over the caller's pages: they become the kernel's until
	 * ringbuf_unmap puts ordinary memory back. */
	if (mmap(base, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		return fail(-errno, "map the ring buffer's consumer page");
	if (mmap(base + pg, pg + 2 * (size_t)size, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
		 (off_t)pg) == MAP_FAILED) {
		int err = -errno;

		mmap(base, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		return fail(err, "map the ring buffer's data");
	}
	ringbuf_init(rb, fd, base, size);
	rb->offset = (uint32_t)(base - mem);
	return 0;
}

void ringbuf_init(struct ringbuf *rb, int fd, uint8_t *base, uint32_t size)
{
	size_t pg = page_size();

	memset(rb, 0, sizeof(*rb));
	rb->fd = fd;
	rb->base = base;
	rb->total = 2 * pg + 2 * (size_t)size;
	rb->size = size;
	rb->consumer = (unsigned long *)base;
	rb->producer = (const unsigned long *)(base + pg);
	rb->data = base + 2 * pg;
	rb->taken = __atomic_load_n(rb->consumer, __ATOMIC_ACQUIRE);
	rb->mapped = 1;
}

void ringbuf_unmap(struct ringbuf *rb)
{
	if (!rb->mapped)
		return;
	/* Ordinary zeroed memory over the caller's pages again, before its
	 * allocator can reuse them (the kernel's pages go with the mapping). */
	mmap(rb->base, rb->total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
	     -1, 0);
	rb->mapped = 0;
}

int ringbuf_batch(struct ringbuf *rb, uint32_t *descs, uint32_t max, int64_t mono_to_real)
{
	unsigned long prod = __atomic_load_n(rb->producer, __ATOMIC_ACQUIRE);
	unsigned long pos = rb->taken;
	uint32_t mask = rb->size - 1, n = 0;

	while (n < max && pos < prod) {
		uint32_t at = (uint32_t)(pos & mask);
		uint32_t len = __atomic_load_n((const uint32_t *)(rb->data + at), __ATOMIC_ACQUIRE);
		const struct xskdump_tap_rec *h;
		uint32_t *out, words;
		int64_t t;

		if (len & BPF_RINGBUF_BUSY_BIT)
			break; /* still being written: records after it wait too */
		pos += (len & ~(uint32_t)BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ + 7;
		pos &= ~7ul;
		if (len & BPF_RINGBUF_DISCARD_BIT) {
			rb->discarded++;
			continue;
		}
		h = (const void *)(rb->data + at + BPF_RINGBUF_HDR_SZ);
		words = (uint32_t)h->hdr_words * 8;
		/* A record shorter than its own header says would be a kernel (or
		 * program) bug: skipped and counted, never handed out. */
		if (len < sizeof(*h) || words < sizeof(*h) || words + h->cap_len > len) {
			rb->malformed++;
			continue;
		}
		t = (int64_t)h->tstamp_ns + mono_to_real;
		out = descs + (size_t)n * XSKDUMP_DESC_WORDS;
		out[XSKDUMP_DESC_ADDR] = at + BPF_RINGBUF_HDR_SZ + words;
		out[XSKDUMP_DESC_LEN] = h->cap_len;
		out[XSKDUMP_DESC_WIRELEN] = h->wire_len;
		out[XSKDUMP_DESC_SEC] = (uint32_t)(t / 1000000000ll);
		out[XSKDUMP_DESC_NSEC] = (uint32_t)(t % 1000000000ll);
		out[XSKDUMP_DESC_FLAGS] = h->queue | (uint32_t)h->dir << XSKDUMP_DESC_DIR_SHIFT;
		/* The attribution, always the header's last bytes (right before
		 * the packet): how it was found, so a reader knows to look. */
		if (h->version >= XSKDUMP_TAP_REC_VERSION_PROC) {
			const struct xskdump_proc *p =
				(const void *)((const uint8_t *)h + words - sizeof(*p));
			uint32_t how = words >= sizeof(*h) + sizeof(*p)
					       ? p->how & XSKDUMP_PROC_HOW_MASK
					       : 0;
			int o = h->dir == XSKDUMP_DIR_OUT;

			if (how > XSKDUMP_DESC_PROC_HOW_MAX)
				how = XSKDUMP_DESC_PROC_HOW_MAX;
			if (how && (p->how & XSKDUMP_PROC_CLOSED))
				how |= XSKDUMP_DESC_PROC_CLOSED;
			out[XSKDUMP_DESC_FLAGS] |= how << XSKDUMP_DESC_PROC_SHIFT;
			if (how)
				rb->attributed[o]++;
			else
				rb->unattributed[o]++;
		}
		rb->records++;
		rb->bytes += h->wire_len;
		n++;
	}
	/* Discarded (or malformed) records with nothing taken behind them are
	 * given back at once: nobody holds them. */
	if (!n && pos != rb->taken)
		__atomic_store_n(rb->consumer, pos, __ATOMIC_RELEASE);
	rb->taken = pos;
	return (int)n;
}

void ringbuf_give(struct ringbuf *rb)
{
	__atomic_store_n(rb->consumer, rb->taken, __ATOMIC_RELEASE);
}

int ringbuf_ready(const struct ringbuf *rb)
{
	unsigned long prod = __atomic_load_n(rb->producer, __ATOMIC_ACQUIRE);

	return prod != rb->taken;
}

int ringbuf_wait(struct ringbuf *rb, int timeout_ms)
{
	struct pollfd pfd = { .fd = rb->fd, .events = POLLIN };
	int r;

	if (ringbuf_ready(rb))
		return 1;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : fail(-errno, "poll the ring buffer");
	return r > 0;
}
