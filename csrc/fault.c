/* XSKDUMP_FAULT=<kind>[@N]: a testing aid that makes the N-th RX descriptor
 * of every socket (default 100) look exactly like the generic-receive race
 * would make it, so the ring integrity guard can be tested on a real socket
 * (tests/integration/integrity_test.ts). It acts through the guard's ledger
 * only: inert when unset, and with the guard off. Uses ledger.c. */
#include "fault.h"

#include <stdlib.h>
#include <string.h>

#define FAULT_DEFAULT_AT 100

void fault_parse(struct fault *f, uint32_t chain_max)
{
	static const char *const names[LEDGER_KINDS] = {
		[LEDGER_MISALIGNED] = "misaligned", [LEDGER_FOREIGN] = "foreign",
		[LEDGER_DUPLICATE] = "duplicate",   [LEDGER_OVERHELD] = "overheld",
		[LEDGER_CLOBBER] = "clobber",       [LEDGER_UNTERMINATED] = "unterminated",
	};
	const char *v = getenv("XSKDUMP_FAULT");
	const char *at;
	size_t len;
	int k;

	f->kind = LEDGER_OK;
	f->at = 0;
	f->contd_from = f->contd_count = 0;
	if (!v || !*v)
		return;
	at = strchr(v, '@');
	len = at ? (size_t)(at - v) : strlen(v);
	for (k = 0; k < LEDGER_KINDS; k++)
		if (strlen(names[k]) == len && !strncmp(v, names[k], len))
			f->kind = k;
	if (f->kind == LEDGER_OK)
		return;
	f->at = at ? strtoull(at + 1, NULL, 10) : FAULT_DEFAULT_AT;
	if (!f->at)
		f->at = FAULT_DEFAULT_AT;
	if (f->kind == LEDGER_UNTERMINATED) {
		/* No take hook: the receive path asks fault_contd per descriptor. */
		f->contd_from = f->at;
		f->contd_count = (uint64_t)chain_max + 1;
		f->at = 0;
	}
}

int fault_take(struct fault *f, struct ledger *l, uint64_t addr, uint32_t len, uint64_t *frame,
	       uint64_t *give_back, uint32_t *nback)
{
	uint64_t base = addr - addr % l->frame_size, held = l->held;
	int verdict;

	f->at = 0; /* once */
	switch (f->kind) {
	case LEDGER_MISALIGNED:
		/* "wrong offset, often 0": the ledger takes the real frame and the
		 * caller gives it back, as for a real one. */
		return ledger_take(l, base, len, frame);
	case LEDGER_FOREIGN:
		/* An address never on the fill ring; the real frame goes back. */
		give_back[(*nback)++] = base;
		return ledger_take(l, l->area_size + base + l->rx_offset, len, frame);
	case LEDGER_OVERHELD:
		/* As if the user held every frame already; the real frame goes back. */
		give_back[(*nback)++] = base;
		l->held = l->frame_count;
		verdict = ledger_take(l, addr, len, frame);
		l->held = held;
		return verdict;
	case LEDGER_DUPLICATE:
		/* Delivered, then the kernel posts the same frame a second time. */
		verdict = ledger_take(l, addr, len, frame);
		if (verdict == LEDGER_OK)
			ledger_take(l, addr, len, &base);
		return verdict;
	case LEDGER_CLOBBER:
		/* Delivered, then the kernel writes into the frame the user owns. */
		verdict = ledger_take(l, addr, len, frame);
		if (verdict == LEDGER_OK)
			ledger_canary_slot(l, *frame)[0] ^= 0xff;
		return verdict;
	default:
		return ledger_take(l, addr, len, frame);
	}
}
