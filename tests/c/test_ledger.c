/* The frame-ownership ledger over simulated rings: a model kernel takes
 * frames from a fill queue and posts them on an RX queue, correctly or with
 * exactly the faults of the generic-receive race. Names say the behaviour
 * each test protects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../csrc/ledger.h"

#define FRAMES 8u
#define FSIZE 4096u
#define HEADROOM 256u

#include "expect.h"

/* The simulated world: UMEM, ledger, and a FIFO fill queue. */
struct sim {
	uint8_t area[FRAMES * FSIZE];
	uint8_t owner[FRAMES];
	struct ledger l;
	uint64_t fq[64];
	unsigned head, tail;
};

static void sim_init(struct sim *s)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	ledger_init(&s->l, s->area, sizeof(s->area), FRAMES, FSIZE, HEADROOM, s->owner);
	for (i = 0; i < FRAMES; i++) {
		ledger_give_initial(&s->l, (uint64_t)i * FSIZE);
		s->fq[s->tail++ % 64] = (uint64_t)i * FSIZE;
	}
}

/* The model kernel: takes a free frame, writes metadata (magic) and the
 * packet, and returns the descriptor address a correct kernel posts. */
static uint64_t kernel_receive(struct sim *s)
{
	uint64_t frame = s->fq[s->head++ % 64];
	uint32_t magic = 0x584b534du;

	memcpy(s->area + frame + HEADROOM - 4, &magic, 4);
	memset(s->area + frame + HEADROOM, 0xab, 60);
	return frame + HEADROOM;
}

/* The user: takes a descriptor and, when it is good, gives it back. */
static int user_take(struct sim *s, uint64_t addr)
{
	uint64_t frame;

	return ledger_take(&s->l, addr, 60, &frame);
}

static void user_give(struct sim *s, uint64_t addr)
{
	if (ledger_give(&s->l, addr) != LEDGER_DUPLICATE)
		s->fq[s->tail++ % 64] = addr - addr % FSIZE;
}

static uint64_t total(const struct sim *s)
{
	uint64_t t = 0;
	int k;

	for (k = 0; k < LEDGER_KINDS; k++)
		t += s->l.count[k];
	return t;
}

static void test_correct_kernel_has_no_violations(void)
{
	struct sim *s = malloc(sizeof(*s));
	uint64_t held[FRAMES];
	int round, i, ok = 1;

	sim_init(s);
	for (round = 0; round < 1000; round++) {
		int batch = 1 + round % FRAMES;

		for (i = 0; i < batch; i++) {
			held[i] = kernel_receive(s);
			ok &= user_take(s, held[i]) == LEDGER_OK;
		}
		for (i = 0; i < batch; i++)
			user_give(s, held[i]);
	}
	EXPECT(ok && total(s) == 0, "test_correct_kernel_has_no_violations");
	EXPECT(s->l.held == 0, "test_correct_kernel_returns_every_frame");
	free(s);
}

static void test_wrong_offset_is_misaligned_and_frame_survives(void)
{
	struct sim *s = malloc(sizeof(*s));
	uint64_t addr, frame;
	int v;

	sim_init(s);
	addr = kernel_receive(s) - HEADROOM; /* offset 0, as the race left it */
	v = ledger_take(&s->l, addr, 60, &frame);
	EXPECT(v == LEDGER_MISALIGNED && s->l.count[LEDGER_MISALIGNED] == 1,
	       "test_wrong_offset_is_misaligned");
	EXPECT(frame == addr && ledger_give(&s->l, frame) == LEDGER_OK && s->l.held == 0,
	       "test_misaligned_frame_goes_back_to_the_kernel");
	EXPECT(s->l.first[LEDGER_MISALIGNED].addr == addr &&
		       s->l.first[LEDGER_MISALIGNED].descriptor == 1,
	       "test_first_violation_is_recorded");
	free(s);
}

static void test_address_outside_umem_is_foreign(void)
{
	struct sim *s = malloc(sizeof(*s));

	sim_init(s);
	EXPECT(user_take(s, FRAMES * FSIZE + HEADROOM) == LEDGER_FOREIGN,
	       "test_address_outside_umem_is_foreign");
	EXPECT(user_take(s, FRAMES * FSIZE - 10) == LEDGER_FOREIGN,
	       "test_packet_running_past_umem_is_foreign");
	EXPECT(s->l.held == 0 && s->l.count[LEDGER_FOREIGN] == 2, "test_foreign_takes_nothing");
	free(s);
}

static void test_frame_never_filled_is_foreign(void)
{
	struct sim *s = malloc(sizeof(*s));
	uint8_t owner[FRAMES];
	struct ledger l;
	uint64_t frame;

	/* Only frame 0 was put on the fill ring: frame 3 is not the kernel's to post. */
	ledger_init(&l, s->area, sizeof(s->area), FRAMES, FSIZE, HEADROOM, owner);
	ledger_give_initial(&l, 0);
	EXPECT(ledger_take(&l, 3 * FSIZE + HEADROOM, 60, &frame) == LEDGER_FOREIGN &&
		       frame == UINT64_MAX,
	       "test_frame_never_filled_is_foreign");
	free(s);
}

static void test_posting_a_held_frame_is_duplicate(void)
{
	struct sim *s = malloc(sizeof(*s));
	uint64_t a;

	sim_init(s);
	a = kernel_receive(s);
	EXPECT(user_take(s, a) == LEDGER_OK, "test_first_post_is_fine");
	EXPECT(user_take(s, a) == LEDGER_DUPLICATE, "test_posting_a_held_frame_is_duplicate");
	EXPECT(s->l.held == 1, "test_duplicate_does_not_count_as_held");
	user_give(s, a);
	EXPECT(s->l.held == 0 && s->tail - s->head == FRAMES, "test_duplicate_frame_refilled_once");
	free(s);
}

static void test_giving_back_twice_is_refused(void)
{
	struct sim *s = malloc(sizeof(*s));
	uint64_t a;

	sim_init(s);
	a = kernel_receive(s);
	user_take(s, a);
	EXPECT(ledger_give(&s->l, a) == LEDGER_OK, "test_give_once");
	EXPECT(ledger_give(&s->l, a) == LEDGER_DUPLICATE && total(s) == 0 && s->l.held == 0,
	       "test_giving_back_twice_is_refused");
	free(s);
}

static void test_more_posts_than_frames_is_overheld(void)
{
	struct sim *s = malloc(sizeof(*s));
	unsigned i;
	int ok = 1;

	sim_init(s);
	for (i = 0; i < FRAMES; i++)
		ok &= user_take(s, kernel_receive(s)) == LEDGER_OK;
	/* Every frame is the user's: any further descriptor is one too many. */
	EXPECT(ok && user_take(s, 2 * FSIZE + HEADROOM) == LEDGER_OVERHELD,
	       "test_more_posts_than_frames_is_overheld");
	EXPECT(s->l.held == FRAMES, "test_overheld_never_exceeds_frame_count");
	free(s);
}

static void test_write_into_user_frame_is_clobber(void)
{
	struct sim *s = malloc(sizeof(*s));
	uint64_t a, b;

	sim_init(s);
	a = kernel_receive(s);
	b = kernel_receive(s);
	user_take(s, a);
	user_take(s, b);
	/* The race: the kernel fills frame a again while the user still owns it. */
	s->fq[s->head % 64] = a - HEADROOM;
	kernel_receive(s);
	EXPECT(ledger_give(&s->l, a) == LEDGER_CLOBBER, "test_write_into_user_frame_is_clobber");
	EXPECT(ledger_give(&s->l, b) == LEDGER_OK, "test_untouched_frame_passes");
	EXPECT(s->l.count[LEDGER_CLOBBER] == 1 && s->l.held == 0,
	       "test_clobbered_frame_still_goes_back");
	free(s);
}

static void test_clobber_names_the_descriptor_that_took_the_frame(void)
{
	struct sim *s = malloc(sizeof(*s));
	uint64_t taken[FRAMES];
	uint64_t a;
	int i;

	sim_init(s);
	s->l.taken_at = taken;
	a = kernel_receive(s);
	user_take(s, a); /* descriptor 1 */
	for (i = 0; i < 3; i++)
		user_take(s, kernel_receive(s)); /* descriptors 2..4, still held */
	s->fq[s->head % 64] = a - HEADROOM;
	kernel_receive(s);
	ledger_give(&s->l, a);
	EXPECT(s->l.first[LEDGER_CLOBBER].descriptor == 1,
	       "test_clobber_names_the_descriptor_that_took_the_frame");
	free(s);
}

/* A chain: every piece taken, then given straight back (its bytes copied);
 * a chain that never ends is counted once, at its first piece. */
static void test_chain_pieces_go_back_once_and_unterminated_counts(void)
{
	struct sim *s = malloc(sizeof(*s));
	uint64_t piece[3];
	unsigned tail;
	int i, ok = 1;

	sim_init(s);
	for (i = 0; i < 3; i++) {
		piece[i] = kernel_receive(s);
		ok &= user_take(s, piece[i]) == LEDGER_OK;
	}
	for (i = 0; i < 3; i++)
		user_give(s, piece[i]);
	EXPECT(ok && total(s) == 0 && s->l.held == 0, "test_chain_pieces_go_back_once");
	tail = s->tail;
	user_give(s, piece[1]);
	EXPECT(s->l.held == 0 && s->tail == tail, "test_chain_piece_never_refilled_twice");
	EXPECT(ledger_unterminated(&s->l, piece[0]) == LEDGER_UNTERMINATED &&
		       s->l.count[LEDGER_UNTERMINATED] == 1 &&
		       s->l.first[LEDGER_UNTERMINATED].addr == piece[0],
	       "test_unterminated_chain_is_counted");
	free(s);
}

int main(void)
{
	test_correct_kernel_has_no_violations();
	test_wrong_offset_is_misaligned_and_frame_survives();
	test_address_outside_umem_is_foreign();
	test_frame_never_filled_is_foreign();
	test_posting_a_held_frame_is_duplicate();
	test_giving_back_twice_is_refused();
	test_more_posts_than_frames_is_overheld();
	test_write_into_user_frame_is_clobber();
	test_clobber_names_the_descriptor_that_took_the_frame();
	test_chain_pieces_go_back_once_and_unterminated_counts();
	return expect_summary();
}
