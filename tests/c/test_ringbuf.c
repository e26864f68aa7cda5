/* The ring buffer reader (csrc/ringbuf.c) over a simulated BPF ring buffer:
 * a memfd laid out as the kernel maps one (consumer page, producer page, the
 * data twice in a row) and a model producer that writes records as
 * bpf_ringbuf_reserve/commit/discard do. Names say the behaviour each test
 * protects. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "../../bpf/xskdump_abi.h"
#include "../../csrc/error.h"
#include "../../csrc/ringbuf.h"
#include "../../csrc/shim.h"
#include "expect.h"

#define SIZE 8192u /* two pages of data */

/* ringbuf.c records failures through the shim's fail(); here they only return. */
int fail(int err, const char *fmt, ...)
{
	(void)fmt;
	return err > 0 ? -err : err;
}

struct sim {
	int fd;
	uint8_t *base;
	size_t pg;
	unsigned long *producer;
	uint8_t *data;
	struct ringbuf rb;
	uint32_t descs[16 * XSKDUMP_DESC_WORDS];
};

static void sim_init(struct sim *s)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	memset(s, 0, sizeof(*s));
	s->pg = pg;
	s->fd = memfd_create("ringbuf-test", MFD_CLOEXEC);
	if (s->fd < 0 || ftruncate(s->fd, (off_t)(2 * pg + SIZE)))
		abort();
	/* Reserve the whole view, then map the file and its data once more behind it. */
	s->base = mmap(NULL, 2 * pg + 2 * SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->base == MAP_FAILED ||
	    mmap(s->base, 2 * pg + SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, s->fd, 0) ==
		    MAP_FAILED ||
	    mmap(s->base + 2 * pg + SIZE, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, s->fd,
		 (off_t)(2 * pg)) == MAP_FAILED)
		abort();
	s->producer = (unsigned long *)(s->base + pg);
	s->data = s->base + 2 * pg;
	ringbuf_init(&s->rb, s->fd, s->base, SIZE);
}

static void sim_free(struct sim *s)
{
	munmap(s->base, 2 * s->pg + 2 * SIZE);
	close(s->fd);
}

/* The model producer: reserves a record of a tap header and cap bytes of
 * packet (bytes i + seed) at producer_pos, BUSY until sim_commit. Returns its
 * position. cap_claim, when not 0, is the captured length the tap header
 * claims (a malformed record: more than the record holds). */
static unsigned long sim_reserve(struct sim *s, uint32_t wire, uint32_t cap, uint32_t queue,
				 uint32_t dir, uint8_t seed, uint32_t cap_claim)
{
	unsigned long pos = *s->producer;
	uint32_t at = (uint32_t)(pos & (SIZE - 1)), len = (uint32_t)sizeof(struct xskdump_tap_rec) + cap;
	uint8_t *rec = s->data + at;
	struct xskdump_tap_rec h = {
		.tstamp_ns = 5000000000ull + pos, .wire_len = wire, .cap_len = cap_claim ? cap_claim : cap,
		.ifindex = 7, .queue = (uint16_t)queue, .dir = (uint8_t)dir,
		.hdr_words = sizeof(h) / 8, .version = XSKDUMP_TAP_REC_VERSION,
	};
	uint32_t i, hdr[2] = { len | BPF_RINGBUF_BUSY_BIT, 0 };

	/* Through the second mapping when it runs past the end, as the kernel's
	 * double mapping lets a producer write it. */
	memcpy(rec, hdr, sizeof(hdr));
	memcpy(rec + 8, &h, sizeof(h));
	for (i = 0; i < cap; i++)
		rec[8 + sizeof(h) + i] = (uint8_t)(i + seed);
	*s->producer = pos + ((len + 8 + 7) & ~7u);
	return pos;
}

static void sim_commit(struct sim *s, unsigned long pos, int discard)
{
	uint32_t *len = (uint32_t *)(s->data + (pos & (SIZE - 1)));

	*len &= ~(uint32_t)BPF_RINGBUF_BUSY_BIT;
	if (discard)
		*len |= BPF_RINGBUF_DISCARD_BIT;
}

static unsigned long produce(struct sim *s, uint32_t wire, uint32_t cap, uint32_t queue,
			     uint32_t dir, uint8_t seed)
{
	unsigned long pos = sim_reserve(s, wire, cap, queue, dir, seed, 0);

	sim_commit(s, pos, 0);
	return pos;
}

static uint32_t *desc(struct sim *s, int i)
{
	return s->descs + i * XSKDUMP_DESC_WORDS;
}

/* The packet bytes a descriptor points to are the ones produced. */
static int bytes_ok(struct sim *s, int i, uint8_t seed)
{
	const uint32_t *d = desc(s, i);
	uint32_t k;

	for (k = 0; k < d[XSKDUMP_DESC_LEN]; k++)
		if (s->rb.data[d[XSKDUMP_DESC_ADDR] + k] != (uint8_t)(k + seed))
			return 0;
	return 1;
}

static void test_empty_ring_gives_nothing(void)
{
	struct sim s;

	sim_init(&s);
	EXPECT(ringbuf_batch(&s.rb, s.descs, 16, 0) == 0, "empty: no record");
	EXPECT(!ringbuf_ready(&s.rb), "empty: not ready");
	sim_free(&s);
}

static void test_records_become_descriptors(void)
{
	struct sim s;
	uint32_t *d;

	sim_init(&s);
	produce(&s, 1500, 96, 3, XSKDUMP_DIR_IN, 1);
	produce(&s, 60, 60, 0, XSKDUMP_DIR_OUT, 2);
	EXPECT(ringbuf_ready(&s.rb), "records: ready");
	EXPECT(ringbuf_batch(&s.rb, s.descs, 16, 1000000000ll) == 2, "records: two");
	d = desc(&s, 0);
	EXPECT(d[XSKDUMP_DESC_ADDR] == 8 + sizeof(struct xskdump_tap_rec), "records: first packet after both headers");
	EXPECT(d[XSKDUMP_DESC_LEN] == 96 && d[XSKDUMP_DESC_WIRELEN] == 1500, "records: captured and wire length");
	EXPECT(d[XSKDUMP_DESC_SEC] == 6 && d[XSKDUMP_DESC_NSEC] == 0, "records: monotonic time moved to the wall clock");
	EXPECT(d[XSKDUMP_DESC_FLAGS] == (3 | XSKDUMP_DIR_IN << XSKDUMP_DESC_DIR_SHIFT), "records: queue and direction");
	EXPECT(bytes_ok(&s, 0, 1), "records: first packet's bytes");
	d = desc(&s, 1);
	EXPECT(d[XSKDUMP_DESC_FLAGS] == (XSKDUMP_DIR_OUT << XSKDUMP_DESC_DIR_SHIFT), "records: outgoing");
	EXPECT(d[XSKDUMP_DESC_ADDR] == 8 + 32 + 96 + 8 + 32, "records: the next record 8-aligned");
	EXPECT(bytes_ok(&s, 1, 2), "records: second packet's bytes");
	EXPECT(s.rb.records == 2 && s.rb.bytes == 1560, "records: counted with wire bytes");
	sim_free(&s);
}

static void test_consumer_moves_only_on_give(void)
{
	struct sim s;
	unsigned long end;

	sim_init(&s);
	produce(&s, 64, 64, 0, 1, 0);
	produce(&s, 64, 64, 0, 1, 0);
	end = *s.producer;
	EXPECT(ringbuf_batch(&s.rb, s.descs, 16, 0) == 2, "give: taken");
	EXPECT(*s.rb.consumer == 0, "give: the kernel still owns nothing new before the give");
	EXPECT(ringbuf_batch(&s.rb, s.descs, 16, 0) == 0, "give: a record is handed out once");
	ringbuf_give(&s.rb);
	EXPECT(*s.rb.consumer == end, "give: consumer_pos past the batch");
	sim_free(&s);
}

static void test_busy_record_stops_the_batch(void)
{
	struct sim s;
	unsigned long busy;

	sim_init(&s);
	produce(&s, 64, 64, 0, 1, 1);
	busy = sim_reserve(&s, 64, 64, 0, 1, 2, 0);
	produce(&s, 64, 64, 0, 1, 3);
	EXPECT(ringbuf_batch(&s.rb, s.descs, 16, 0) == 1, "busy: only the record before it");
	ringbuf_give(&s.rb);
	EXPECT(ringbuf_batch(&s.rb, s.descs, 16, 0) == 0, "busy: nothing while it is written");
	EXPECT(ringbuf_ready(&s.rb), "busy: ready (the poll says so too)");
	sim_commit(&s, busy, 0);
	EXPECT(ringbuf_batch(&s.rb, s.descs, 16, 0) == 2, "busy: then it and the one after");
	EXPECT(bytes_ok(&s, 0, 2) && bytes_ok(&s, 1, 3), "busy: in order");
	sim_free(&s);
}

/* A record the reader must never hand out (committed as discarded, or
 * claiming cap_claim bytes of packet, more than it holds), then a good one:
 * the batch skips the first, hands out the second and counts the first in
 * *counted. what[]: the three checks' names. */
static void expect_skipped(struct sim *s, int discard, uint32_t cap_claim, const uint64_t *counted,
			   const char *const what[3])
{
	sim_commit(s, sim_reserve(s, 64, 64, 0, 1, 1, cap_claim), discard);
	produce(s, 64, 64, 0, 1, 2);
	EXPECT(ringbuf_batch(&s->rb, s->descs, 16, 0) == 1, what[0]);
	EXPECT(bytes_ok(s, 0, 2), what[1]);
	EXPECT(*counted == 1, what[2]);
}

static void test_discarded_records_are_skipped(void)
{
	struct sim s;
	unsigned long pos;

	sim_init(&s);
	expect_skipped(&s, 1, 0, &s.rb.discarded,
		       (const char *const[]){ "discard: skipped", "discard: the next record",
					      "discard: counted" });
	/* Only discarded records: given back at once, nobody holds them. */
	ringbuf_give(&s.rb);
	pos = sim_reserve(&s, 64, 64, 0, 1, 1, 0);
	sim_commit(&s, pos, 1);
	EXPECT(ringbuf_batch(&s.rb, s.descs, 16, 0) == 0, "discard: nothing to hand out");
	EXPECT(*s.rb.consumer == *s.producer, "discard: consumed anyway");
	sim_free(&s);
}

static void test_record_across_the_end_reads_whole(void)
{
	struct sim s;
	int i, n = 0, ok = 1;

	sim_init(&s);
	/* 300-byte records: the 25th crosses the 8192-byte end. */
	for (i = 0; i < 40; i++) {
		int got, k;

		produce(&s, 300, 300, 1, 1, (uint8_t)i);
		got = ringbuf_batch(&s.rb, s.descs, 16, 0);
		for (k = 0; k < got; k++) {
			ok &= bytes_ok(&s, k, (uint8_t)i);
			ok &= desc(&s, k)[XSKDUMP_DESC_ADDR] + 300 <= 2 * SIZE;
		}
		n += got;
		ringbuf_give(&s.rb);
	}
	EXPECT(n == 40 && ok, "wrap: every record whole through the second mapping");
	EXPECT(*s.rb.consumer > SIZE, "wrap: positions run past the size");
	sim_free(&s);
}

static void test_batch_takes_at_most_max(void)
{
	struct sim s;
	int i;

	sim_init(&s);
	for (i = 0; i < 5; i++)
		produce(&s, 64, 64, 0, 1, (uint8_t)i);
	EXPECT(ringbuf_batch(&s.rb, s.descs, 3, 0) == 3, "max: three");
	EXPECT(ringbuf_batch(&s.rb, s.descs, 3, 0) == 2, "max: then the other two");
	EXPECT(bytes_ok(&s, 0, 3) && bytes_ok(&s, 1, 4), "max: in order");
	sim_free(&s);
}

static void test_malformed_record_is_never_handed_out(void)
{
	struct sim s;

	sim_init(&s);
	/* A record shorter than its header says the packet is. */
	expect_skipped(&s, 0, 65, &s.rb.malformed,
		       (const char *const[]){ "malformed: skipped", "malformed: the next record",
					      "malformed: counted" });
	sim_free(&s);
}

/* A version 2 record (attribution on): the attribution is the header's last
 * 40 bytes; its "how" lands in DESC_FLAGS, and the packet still starts at
 * hdr_words * 8. */
static unsigned long produce_proc(struct sim *s, uint32_t how, uint32_t pid, uint8_t seed)
{
	unsigned long pos = *s->producer;
	uint32_t at = (uint32_t)(pos & (SIZE - 1)), cap = 60;
	uint32_t hdr_len = (uint32_t)(sizeof(struct xskdump_tap_rec) + sizeof(struct xskdump_proc));
	uint32_t len = hdr_len + cap, i, rb_hdr[2] = { len, 0 };
	struct xskdump_tap_rec h = {
		.tstamp_ns = 1, .wire_len = cap, .cap_len = cap, .dir = XSKDUMP_DIR_OUT,
		.hdr_words = (uint8_t)(hdr_len / 8), .version = XSKDUMP_TAP_REC_VERSION_PROC,
	};
	struct xskdump_proc p = { .cgroup_id = 1, .pid = pid, .tid = pid + 1, .comm = "sender",
				  .how = how };
	uint8_t *rec = s->data + at;

	memcpy(rec, rb_hdr, sizeof(rb_hdr));
	memcpy(rec + 8, &h, sizeof(h));
	memcpy(rec + 8 + sizeof(h), &p, sizeof(p));
	for (i = 0; i < cap; i++)
		rec[8 + hdr_len + i] = (uint8_t)(i + seed);
	*s->producer = pos + ((len + 8 + 7) & ~7u);
	return pos;
}

static void test_attribution_in_the_flags(void)
{
	struct sim s;
	const struct xskdump_proc *p;
	uint32_t f;

	sim_init(&s);
	produce_proc(&s, XSKDUMP_PROC_HOOK, 4321, 1);
	produce_proc(&s, XSKDUMP_PROC_NONE, 0, 2);
	produce_proc(&s, XSKDUMP_PROC_TABLE | XSKDUMP_PROC_CLOSED, 77, 3);
	produce(&s, 64, 64, 0, 1, 4); /* version 1: no attribution */
	EXPECT(ringbuf_batch(&s.rb, s.descs, 16, 0) == 4, "proc: all four");
	f = desc(&s, 0)[XSKDUMP_DESC_FLAGS];
	EXPECT((f >> XSKDUMP_DESC_PROC_SHIFT) == XSKDUMP_PROC_HOOK, "proc: hook in the flags");
	EXPECT(((f >> XSKDUMP_DESC_DIR_SHIFT) & XSKDUMP_DESC_DIR_MASK) == XSKDUMP_DIR_OUT, "proc: direction kept");
	p = (const void *)(s.rb.data + desc(&s, 0)[XSKDUMP_DESC_ADDR] - sizeof(*p));
	EXPECT(p->pid == 4321 && p->tid == 4322 && !strcmp(p->comm, "sender"),
	       "proc: the block right before the packet");
	EXPECT(bytes_ok(&s, 0, 1) && bytes_ok(&s, 1, 2) && bytes_ok(&s, 2, 3) && bytes_ok(&s, 3, 4),
	       "proc: packets after the longer header");
	EXPECT((desc(&s, 1)[XSKDUMP_DESC_FLAGS] >> XSKDUMP_DESC_PROC_SHIFT) == 0,
	       "proc: none, no flags");
	EXPECT((desc(&s, 2)[XSKDUMP_DESC_FLAGS] >> XSKDUMP_DESC_PROC_SHIFT) ==
		       (XSKDUMP_PROC_TABLE | XSKDUMP_DESC_PROC_CLOSED),
	       "proc: table, closed");
	EXPECT((desc(&s, 3)[XSKDUMP_DESC_FLAGS] >> XSKDUMP_DESC_PROC_SHIFT) == 0,
	       "proc: version 1 has none");
	/* Counted by the reader, by direction; a record with no block is neither. */
	EXPECT(s.rb.attributed[1] == 2 && s.rb.unattributed[1] == 1, "proc: out: 2 with, 1 without");
	EXPECT(s.rb.attributed[0] == 0 && s.rb.unattributed[0] == 0, "proc: in: none counted");
	sim_free(&s);
}

int main(void)
{
	test_empty_ring_gives_nothing();
	test_records_become_descriptors();
	test_consumer_moves_only_on_give();
	test_busy_record_stops_the_batch();
	test_discarded_records_are_skipped();
	test_record_across_the_end_reads_whole();
	test_batch_takes_at_most_max();
	test_malformed_record_is_never_handed_out();
	test_attribution_in_the_flags();
	return expect_summary();
}
