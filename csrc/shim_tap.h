/* Part of shim.h, the ABI (included there and nowhere else; abi_test.ts
 * reads it in place): tap mode. */
#ifndef XSKDUMP_SHIM_TAP_H
#define XSKDUMP_SHIM_TAP_H

#include <stdint.h>

/* ==== ringbuf.c, tc.c, tap.c, tap_ring.c: tap mode ==== */

/* The tap programs (bpf/xskdump_tap.bpf.c) copy each packet into a BPF ring
 * buffer and let it go on to the stack; outgoing packets too (tc egress). One
 * capture, one ring buffer:
 *
 *   xsk_tap_open        load, attach (copy stages empty: packets are counted only)
 *   xsk_tap_set_filter  the filter of every hook, before the start
 *   xsk_ring_map        the ring buffer into the caller's memory
 *   xsk_tap_start       copying starts
 *   xsk_ring_batch / xsk_ring_give, per batch; xsk_ring_wait when idle
 *   xsk_tap_stop        copying stops (what is in the ring buffer can be drained)
 *   xsk_tap_close       detach, unmap, free
 *
 * Where each direction's program is attached (xsk_tap_hooks). */
#define XSKDUMP_HOOK_NONE 0   /* that direction is not captured */
#define XSKDUMP_HOOK_XDP 1    /* XDP through a BPF link */
#define XSKDUMP_HOOK_TCX 2    /* tc through a tcx BPF link (Linux 6.6+) */
#define XSKDUMP_HOOK_CLSACT 3 /* tc as a clsact filter (no tcx): outlives a SIGKILL */
/* xsk_tap_hooks output (u32 each). */
#define XSKDUMP_TAP_HOOK_WORDS 6
#define XSKDUMP_TAP_HOOK_IN 0            /* XSKDUMP_HOOK_* of incoming packets */
#define XSKDUMP_TAP_HOOK_OUT 1           /* of outgoing packets */
#define XSKDUMP_TAP_HOOK_XDP_MODE 2      /* XSKDUMP_MODE_NATIVE/_GENERIC with an XDP hook, else 0 */
#define XSKDUMP_TAP_HOOK_RING_SIZE 3     /* the ring buffer's data bytes */
#define XSKDUMP_TAP_HOOK_QDISC_CREATED 4 /* 1 when this capture added the clsact qdisc */
#define XSKDUMP_TAP_HOOK_MULTI_BUFFER 5  /* 1 when its XDP programs have frags support */
/* xsk_tap_counters output (u64 each): enum xskdump_tap_counter for incoming
 * packets, the same for outgoing ones, then the reader's own counts. */
#define XSKDUMP_TAP_STAT_WORDS 22    /* 2 x XSKDUMP_TAP_CNT__MAX, then these four: */
#define XSKDUMP_TAP_STAT_RECORDS 18   /* records handed out */
#define XSKDUMP_TAP_STAT_BYTES 19     /* their wire bytes */
#define XSKDUMP_TAP_STAT_DISCARDED 20 /* discarded records skipped */
#define XSKDUMP_TAP_STAT_MALFORMED 21 /* records shorter than their header says */

/* Loads the tap programs for ifname and attaches them: incoming (dirs has
 * XSKDUMP_DIR_IN) at XDP in `mode` (XSKDUMP_MODE_*), or at tc ingress when
 * the XDP hook is taken and mode is auto; outgoing (XSKDUMP_DIR_OUT) at tc
 * egress. snaplen: bytes copied per packet (1..262144). ring_bytes: the ring
 * buffer, a power of two of at least 4 pages. queue_mask: nmask u64 words of
 * RX queues to capture (NULL or 0 words: all). tc_handle: the handle of a
 * clsact filter, used only where tcx is missing (or XSKDUMP_TC=clsact): the
 * caller records it first. With 0 there, it fails with -ENOLINK: record a
 * handle, then open again with it. flags: XSKDUMP_ATTACH_MULTI_BUFFER loads
 * the XDP programs with frags support (where the kernel takes it), as for
 * xsk_prog_attach; 0 without (--no-multi-buffer). attribute: 1 loads the
 * process attribution (records of version 2; the cgroup hooks are attached by
 * xsk_proc_attach); proc_filter: XSKDUMP_WANT_* kinds the process filter
 * checks (their values: xsk_proc_want). Returns a tap handle. */
int32_t xsk_tap_open(const char *ifname, uint32_t dirs, uint32_t mode, uint32_t snaplen,
		     uint32_t ring_bytes, const uint64_t *queue_mask, uint32_t nmask,
		     uint32_t tc_handle, uint32_t flags, uint32_t attribute, uint32_t proc_filter);
/* Fills out[0..n) with XSKDUMP_TAP_HOOK_* words. */
int32_t xsk_tap_hooks(int32_t tap, uint32_t *out, uint32_t n);
/* Installs a translated filter on every hook: xdp_insns (translated for XDP)
 * where the hook is XDP, skb_insns (for tc) where it is tc; n == 0 for both
 * removes it. Only before xsk_tap_start. */
int32_t xsk_tap_set_filter(int32_t tap, const uint8_t *xdp_insns, uint32_t xdp_n,
			   const uint8_t *skb_insns, uint32_t skb_n, const char *label);
/* Maps the ring buffer into area (at least 2 x ring size + 3 pages; 65536-byte
 * pages to be safe): from its first page boundary on, the caller's memory is
 * the kernel's (the data read-only: a write there is a SIGSEGV) until
 * xsk_tap_close puts ordinary memory back. Returns the offset of the data in
 * area: record offsets (XSKDUMP_DESC_ADDR) count from there. */
int32_t xsk_ring_map(int32_t tap, uint8_t *area, uint64_t area_len);
/* Installs the copy stages: from now on every packet a hook accepts is copied. */
int32_t xsk_tap_start(int32_t tap);
/* Takes up to max records into descs (max x XSKDUMP_DESC_WORDS u32). Returns
 * the count; they stay the caller's until xsk_ring_give. Stops at a record the
 * kernel still writes; skips discarded ones. */
int32_t xsk_ring_batch(int32_t tap, uint32_t *descs, uint32_t max);
/* Gives the records of the last batch back to the kernel. Returns 0. */
int32_t xsk_ring_give(int32_t tap);
/* on = 1, only before xsk_tap_start: xsk_ring_batch makes `max` records of 60
 * bytes at the data's start (queue 0, incoming, now) without reading the ring
 * buffer (none at the 255th and 256th of every 256 calls), xsk_ring_give
 * gives nothing back and xsk_ring_wait answers 1 at once, so the caller's loop
 * runs (and the JIT compiles it, idle branches included) before the first
 * packet. on = 0: back to the ring. */
int32_t xsk_ring_warm(int32_t tap, uint32_t on);
/* Blocks up to timeout_ms for a record (poll on the map). Meant as a
 * nonblocking FFI call. Returns 1 when there is one, 0 on timeout. */
int32_t xsk_ring_wait(int32_t tap, int32_t timeout_ms);
/* Fills out[0..n) with XSKDUMP_TAP_STAT_* values. */
int32_t xsk_tap_counters(int32_t tap, uint64_t *out, uint32_t n);
/* Removes the copy stages: no new records; those in the ring buffer remain. */
int32_t xsk_tap_stop(int32_t tap);
/* 0 while the interface exists and is up; -ENODEV / -ENETDOWN otherwise. */
int32_t xsk_tap_check(int32_t tap);
/* Detaches every hook (a clsact filter, and the clsact qdisc when this
 * capture added it and nothing else is on it), unmaps, frees. */
int32_t xsk_tap_close(int32_t tap);
/* What this kernel allows of the process attribution: each program loaded
 * alone, with the attribution on (nothing attached), its result (0 or
 * -errno) into out, in this order: the cgroup hooks sock_create,
 * sock_release, connect4, connect6, bind4, bind6, sendmsg4, sendmsg6, then
 * the copy stages that look sockets up: XDP, tc ingress, tc egress. Returns
 * the count. */
#define XSKDUMP_PROC_PROBES 11
int32_t xsk_proc_probe(int32_t *out, uint32_t n);
/* Removes a clsact filter of handle `handle` that a killed capture left on
 * ifname (both sides), and the clsact qdisc when qdisc_created and nothing
 * else is on it. 0 also when there is none. */
int32_t xsk_tc_detach(const char *ifname, uint32_t handle, uint32_t qdisc_created);

#endif
