/* The frame-ownership ledger: the ring integrity guard.
 *
 * Every UMEM frame is owned by the kernel (on the fill ring, or being filled)
 * or by the user (came out of RX, not yet given back). A correct kernel only
 * posts on RX frames it owns, at the configured offset, and never writes
 * into a frame the user owns. The ledger checks that contract on every
 * descriptor and says which rule broke:
 *
 *   foreign     the address is outside the UMEM or names a frame that was
 *               never put on the fill ring
 *   duplicate   the frame is already the user's (posted twice, or posted
 *               while the user still held it)
 *   misaligned  the packet does not start at the configured headroom
 *   overheld    the user would hold more frames than the UMEM has
 *   clobber     the frame's canary (written over our metadata slot when the
 *               user took it) changed before the user gave it back: someone
 *               wrote into a frame the user owned
 *   unterminated  a chain of descriptors (XDP_PKT_CONTD, multi-buffer) that
 *               goes on longer than the largest packet allows, or that the
 *               kernel published unfinished: its frames go back, the packet is
 *               lost (a piece outside the UMEM in a chain is `foreign`)
 *
 * Pure logic over plain memory: no rings, no syscalls, so it is unit-tested
 * over simulated rings (tests/c/test_ledger.c). Not part of the ABI.
 */
#ifndef XSKDUMP_LEDGER_H
#define XSKDUMP_LEDGER_H

#include <stdint.h>

enum ledger_kind {
	LEDGER_OK = -1,
	LEDGER_MISALIGNED = 0,
	LEDGER_FOREIGN = 1,
	LEDGER_DUPLICATE = 2,
	LEDGER_OVERHELD = 3,
	LEDGER_CLOBBER = 4,
	LEDGER_UNTERMINATED = 5,
	LEDGER_KINDS = 6,
};

enum frame_owner {
	OWNER_NONE = 0,   /* never given to the kernel */
	OWNER_KERNEL = 1, /* on the fill ring or being filled */
	OWNER_USER = 2,   /* came out of RX, not yet refilled */
};

/* Written over the metadata slot in front of the packet when the user takes a
 * frame; the XDP program writes XSKDUMP_META_MAGIC there for every packet, so
 * any packet written into a user-owned frame changes it. */
#define LEDGER_CANARY_MAGIC 0x4e41434bu /* "KCAN" */
#define LEDGER_CANARY_SIZE 16u

struct ledger_first {
	uint64_t addr;       /* the descriptor's address */
	uint64_t descriptor; /* 1-based number of the descriptor on this socket */
};

struct ledger {
	uint32_t frame_count;
	uint32_t frame_size;
	uint32_t rx_offset; /* where a correct kernel puts the packet in a frame */
	uint64_t area_size;
	uint8_t *area;      /* the UMEM, for the canaries */
	uint8_t *owner;     /* frame_count entries of enum frame_owner */
	/* Optional (NULL, or frame_count entries set by the caller after ledger_init): the
	 * descriptor number that gave each frame to the user, so a clobber found at refill
	 * time names the descriptor of the packet it hit. */
	uint64_t *taken_at;
	uint64_t held;      /* frames OWNER_USER */
	uint64_t descriptors; /* descriptors checked so far */
	uint64_t count[LEDGER_KINDS];
	struct ledger_first first[LEDGER_KINDS];
};

/* Sets up the ledger over `owner` (frame_count bytes, caller-owned). */
void ledger_init(struct ledger *l, uint8_t *area, uint64_t area_size, uint32_t frame_count,
		 uint32_t frame_size, uint32_t rx_offset, uint8_t *owner);
/* The frame at `addr` goes on the fill ring (initial fill). */
void ledger_give_initial(struct ledger *l, uint64_t addr);
/* An RX descriptor: LEDGER_OK when the user may read the packet (the frame is
 * now the user's and carries a canary), else the violated rule (counted). On
 * LEDGER_MISALIGNED the frame is still taken (it is a real frame the kernel
 * owned): the caller gives it straight back. *frame_out gets the frame base to
 * give back, or UINT64_MAX when there is nothing to give back. */
int ledger_take(struct ledger *l, uint64_t addr, uint32_t len, uint64_t *frame_out);
/* The user gives the frame holding `addr` back to the kernel. Returns
 * LEDGER_OK, LEDGER_CLOBBER (counted; the frame still goes back), or
 * LEDGER_DUPLICATE when the user does not own it (counted; it must NOT be put
 * on the fill ring again). */
int ledger_give(struct ledger *l, uint64_t addr);
/* Counts a chain that never ends, starting at addr (its pieces were taken
 * one by one, and are given back by the caller). Returns LEDGER_UNTERMINATED. */
int ledger_unterminated(struct ledger *l, uint64_t addr);
/* Writes the canary of the frame at `frame` (exposed for fault injection). */
uint8_t *ledger_canary_slot(struct ledger *l, uint64_t frame);

#endif
