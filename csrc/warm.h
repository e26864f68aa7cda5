/* The warm-up's synthetic rings (xsk_sock_warm, xsk_ring_warm, xsk_writer_warm):
 * how often they run dry, so that the caller's loop runs its idle branches too
 * before the first packet. */
#ifndef XSKDUMP_WARM_H
#define XSKDUMP_WARM_H

#include <stdint.h>

/* Of every WARM_DRY calls, the last two take nothing: the first as a ring that
 * just ran dry (the loop naps), the second as an idle one (the loop flushes its
 * output and polls, which a warm source answers at once). A warm writer takes
 * half of one put in WARM_DRY, as one that ran full. shim_sock.h, shim_tap.h
 * and shim_writer.h say 255th, 256th and 256th. */
#define WARM_DRY 256

/* Counts a warm batch call: nonzero when this one takes nothing. */
static inline int warm_dry(uint32_t *calls)
{
	uint32_t k = ++*calls % WARM_DRY;

	return k == 0 || k == WARM_DRY - 1;
}

#endif
