/* Tap mode (csrc/tap.c; uses tc.c, ringbuf.c and the layers below): what the
 * process attribution (proc.c) needs of a tap's loaded programs. */
#ifndef XSKDUMP_TAP_H
#define XSKDUMP_TAP_H

#include <stdint.h>

struct bpf_object;

/* The loaded object of tap h when it was opened with attribution on; NULL
 * (and the error recorded) otherwise. */
struct bpf_object *tap_proc_object(int32_t h);

#endif
