/* Fault injection, a testing aid (csrc/fault.c; uses ledger.c). */
#ifndef XSKDUMP_FAULT_H
#define XSKDUMP_FAULT_H

#include <stdint.h>

#include "ledger.h"

/* One fault, armed from XSKDUMP_FAULT when a socket opens. */
struct fault {
	int kind;    /* enum ledger_kind */
	uint64_t at; /* the descriptor number it hits (1-based); 0: off */
	/* "unterminated": descriptors contd_from..contd_from+contd_count-1 look
	 * flagged XDP_PKT_CONTD (a chain that never ends); 0: off. By number, so
	 * the receive path can look ahead without side effects. */
	uint64_t contd_from;
	uint64_t contd_count;
};

/* 1 when descriptor number no (1-based) is made to look XDP_PKT_CONTD. */
static inline int fault_contd(const struct fault *f, uint64_t no)
{
	return no - f->contd_from < f->contd_count;
}

/* Arms f from XSKDUMP_FAULT=<kind>[@N]; leaves it off (at == 0) when the
 * variable is unset or names no kind. chain_max: the most pieces a chain may
 * have; "unterminated" flags that many and one more. */
void fault_parse(struct fault *f, uint32_t chain_max);

/* The hook: the receive path calls it, in place of ledger_take, for the one
 * descriptor whose number (l->descriptors + 1) is f->at, and never otherwise,
 * so a socket without a fault pays one compare per descriptor. It makes that
 * descriptor look exactly like the generic-receive race would make it, lets
 * the ledger judge it, and disarms f. Returns ledger_take's verdict, with
 * *frame as ledger_take sets it; a real frame the ledger never saw is
 * appended to give_back[*nback] (the caller puts those on the fill ring). */
int fault_take(struct fault *f, struct ledger *l, uint64_t addr, uint32_t len, uint64_t *frame,
	       uint64_t *give_back, uint32_t *nback);

#endif
