/* Translated filters in the kernel (csrc/filter_prog.c; uses prog.c,
 * share.c, host.c, error.c). */
#ifndef XSKDUMP_FILTER_PROG_H
#define XSKDUMP_FILTER_PROG_H

#include <stdint.h>

#include "prog.h"

/* On a joined program, 0 when insns[0..n) (n == 0: none) is the filter
 * already installed, else -EBUSY with the error recorded. */
int prog_filter_compare(struct prog *p, const uint8_t *insns, uint32_t n, const char *label);

/* Loads a translated filter as a program of prog_type (BPF_PROG_TYPE_XDP, or
 * _SCHED_CLS for a tap's tc hooks) with its expected attach type and load
 * flags (a prog array holds only programs that agree on BPF_F_XDP_HAS_FRAGS),
 * its map placeholders resolved to stages_fd and counters_fd; the error names
 * label. Returns the fd. */
int filter_load(const uint8_t *insns, uint32_t n, const char *label, int prog_type, int attach_type,
		uint32_t prog_flags, int stages_fd, int counters_fd);

/* Makes fd (a loaded filter) the filter stage (XSKDUMP_STAGE_FILTER) of the
 * prog array stages_fd, and closes fd: the array holds the program. fd < 0
 * removes the stage. label and ifname name it in errors. For a capture's
 * program; a tap's hooks' stages work the same way. */
int filter_stage_set(int stages_fd, int fd, const char *label, const char *ifname);

#endif
