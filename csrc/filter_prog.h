/* Translated filters in the kernel (csrc/filter_prog.c; uses prog.c,
 * share.c, host.c, error.c). */
#ifndef XSKDUMP_FILTER_PROG_H
#define XSKDUMP_FILTER_PROG_H

#include <stdint.h>

#include "prog.h"

/* On a joined program, 0 when insns[0..n) (n == 0: none) is the filter
 * already installed, else -EBUSY with the error recorded. */
int prog_filter_compare(struct prog *p, const uint8_t *insns, uint32_t n, const char *label);

#endif
