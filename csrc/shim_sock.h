/* Part of shim.h, the ABI (included there and nowhere else; abi_test.ts
 * reads it in place): the ring integrity guard, fault injection, sockets, the receive loop. */
#ifndef XSKDUMP_SHIM_SOCK_H
#define XSKDUMP_SHIM_SOCK_H

#include <stdint.h>

/* ==== ledger.c: the ring integrity guard ==== */

/* The guard (csrc/ledger.h) is on for every new socket: each RX descriptor is
 * checked against the frame-ownership ledger, and one that breaks the ring
 * contract is counted by kind and never returned by xsk_rx_batch (its frame,
 * when it is a real one, goes back to the FQ). Its kinds, in ledger.h's order: */
#define XSKDUMP_GUARD_MISALIGNED 0 /* packet not at XSKDUMP_RX_OFFSET */
#define XSKDUMP_GUARD_FOREIGN 1    /* address outside the UMEM / never on the FQ */
#define XSKDUMP_GUARD_DUPLICATE 2  /* frame already held by the user */
#define XSKDUMP_GUARD_OVERHELD 3   /* more frames held than the UMEM has */
#define XSKDUMP_GUARD_CLOBBER 4    /* user-owned frame written to (canary) */
#define XSKDUMP_GUARD_UNTERMINATED 5 /* a chain (XDP_PKT_CONTD) that never ends */
#define XSKDUMP_GUARD_KINDS 6
/* xsk_guard_report: per kind {count, first address, first descriptor number}. */
#define XSKDUMP_GUARD_WORDS 3
/* Where a correct kernel puts a packet in its frame: XDP_PACKET_HEADROOM plus
 * our UMEM headroom, which is 0. */
#define XSKDUMP_RX_OFFSET 256

/* ==== fault.c: fault injection ==== */

/* XSKDUMP_FAULT=<kind>[@N] in the environment, kind a guard kind in lower
 * case ("misaligned", ...): a testing aid that makes the N-th RX descriptor
 * (default 100) of every socket opened from then on look exactly like the
 * generic-receive race would make it, for the guard to catch; "unterminated"
 * flags descriptor N and the ones after it XDP_PKT_CONTD, more than a packet
 * can have. It acts through the guard only: inert when unset, and on a socket
 * with the guard off. No functions. */

/* ==== sock.c: sockets and their UMEM ==== */

/* Registers a UMEM of frame_count frames (power of two) of frame_size bytes
 * inside the caller's memory `area` (at least frame_count * frame_size + 4096
 * bytes, 65536 on hosts with larger pages: the UMEM starts at its first page
 * boundary, see XSKDUMP_SOCK_INFO_UMEM_OFFSET), opens an AF_XDP socket on
 * `queue` in copy or zero-copy mode, fills the FQ with every frame and
 * registers the socket in the program's XSKMAP (with XSKDUMP_SOCK_DEFER in
 * flags: at xsk_sock_start; until then the queue's packets pass to the stack).
 * The caller owns `area` and keeps it alive until xsk_sock_close: that way the
 * one view over the UMEM is an ordinary ArrayBuffer, no pointer API needed. */
int32_t xsk_sock_open(int32_t prog, uint32_t queue, uint32_t frame_count, uint32_t frame_size,
		      uint8_t *area, uint64_t area_len, uint32_t gather_bytes, uint32_t snaplen,
		      uint32_t flags);
#define XSKDUMP_SOCK_DEFER 1
/* gather_bytes > 0 asks for multi-buffer: the socket is bound with XDP_USE_SG
 * where the kernel has it (6.6+), and a packet the kernel splits over several
 * frames (a chain of descriptors, XDP_PKT_CONTD) is copied by xsk_rx_batch
 * into a gather area of gather_bytes (at least XSKDUMP_GATHER_MIN) right
 * after the UMEM, inside `area` (which must be that much longer): one record
 * there, its frames back on the FQ at once. 0: no multi-buffer, a packet
 * bigger than a frame is dropped by the kernel (rx_dropped), as before 6.6.
 * snaplen (1..XSKDUMP_MAX_SNAPLEN, 0 = the maximum): bytes of a packet a record
 * gives (DESC_LEN), DESC_WIRELEN keeps the whole length. */
#define XSKDUMP_GATHER_MIN 262144
/* What the socket is, XSKDUMP_SOCK_INFO_WORDS u32; returns the words written. */
#define XSKDUMP_SOCK_INFO_WORDS 3
#define XSKDUMP_SOCK_INFO_ZEROCOPY 0     /* 1: bound zero-copy, 0: copy mode */
#define XSKDUMP_SOCK_INFO_MULTI_BUFFER 1 /* 1: bound with XDP_USE_SG (chains are gathered) */
#define XSKDUMP_SOCK_INFO_UMEM_OFFSET 2  /* where the UMEM starts inside the caller's area */
int32_t xsk_sock_info(int32_t sock, uint32_t *out, uint32_t n);
/* 0 while the socket's interface exists and is up; -ENODEV / -ENETDOWN or a
 * pending socket error otherwise. Cheap enough for once a second. */
int32_t xsk_sock_check(int32_t sock);
/* Layout of xsk_sock_stats() output (u64 each). */
#define XSKDUMP_STAT_RX_DROPPED 0         /* XDP_STATISTICS rx_dropped */
#define XSKDUMP_STAT_RX_INVALID 1         /* rx_invalid_descs */
#define XSKDUMP_STAT_RX_RING_FULL 2       /* rx_ring_full */
#define XSKDUMP_STAT_RX_FILL_EMPTY 3      /* rx_fill_ring_empty_descs */
#define XSKDUMP_STAT_RX_PACKETS 4         /* packets taken from the RX ring (a chain is one) */
#define XSKDUMP_STAT_RX_BYTES 5           /* bytes of those handed to the user */
#define XSKDUMP_STAT_USER_HELD 6          /* UMEM frames the user owns right now (a gathered
                                           * record holds none) */
#define XSKDUMP_STAT_NO_META 7            /* packets without our metadata (time taken in user space) */
#define XSKDUMP_STAT_NO_HW_TIMESTAMP 8    /* hardware timestamps asked for, this packet had none */
#define XSKDUMP_STAT_RX_REFUSED 9         /* of RX_PACKETS, kept from the user by the guard */
#define XSKDUMP_STAT__COUNT 10
/* Fills out[0..n) with XSKDUMP_STAT_* values. */
int32_t xsk_sock_stats(int32_t sock, uint64_t *out, uint32_t n);
/* Registers a socket opened with XSKDUMP_SOCK_DEFER in the XSKMAP: its queue's
 * packets come from now on. 0 when it is already; -EBUSY while it warms up. */
int32_t xsk_sock_start(int32_t sock);
/* on = 1, only before xsk_sock_start: xsk_rx_batch makes `max` records of 60
 * zero bytes (frame 0, now) without reading the RX ring (none at the 255th and
 * 256th of every 256 calls, as a ring that ran dry and then stayed idle), and
 * xsk_fill takes them back without touching the fill ring; xsk_wait and
 * xsk_wait_any answer 1 at once. So the caller's loop runs (and the JIT
 * compiles it, its naps, polls and idle flushes included) before the first
 * packet. on = 0: back to the rings. Only while the caller holds no record
 * (-EBUSY). */
int32_t xsk_sock_warm(int32_t sock, uint32_t on);
/* Removes the socket from the XSKMAP: from now on its queue's packets pass to
 * the stack, and what is already on the RX ring can be drained. */
int32_t xsk_sock_stop(int32_t sock);
/* Removes the socket from the XSKMAP, closes it, unmaps the UMEM. Any view
 * over the UMEM must be dropped before this. */
int32_t xsk_sock_close(int32_t sock);
/* Closes the program's sockets still open, then detaches and unloads it. */
int32_t xsk_prog_detach(int32_t prog);

/* ==== rings.c: the receive loop ==== */

/* One record as handed to the caller, from an RX ring (xsk_rx_batch) or a
 * ring buffer (xsk_ring_batch): 6 x u32. The memory it points into is below
 * 4 GiB so an offset fits 32 bits; the time is split so JS needs no BigInt. */
#define XSKDUMP_DESC_WORDS 6
#define XSKDUMP_DESC_ADDR 0    /* offset of the packet's first byte in the view (UMEM, ring buffer) */
#define XSKDUMP_DESC_LEN 1     /* bytes of it there (the snap length cut them in tap mode) */
#define XSKDUMP_DESC_WIRELEN 2 /* the packet's length on the wire */
#define XSKDUMP_DESC_SEC 3     /* CLOCK_REALTIME seconds of the kernel's timestamp */
#define XSKDUMP_DESC_NSEC 4    /* and nanoseconds */
#define XSKDUMP_DESC_FLAGS 5   /* queue (bits 0-15) | direction << XSKDUMP_DESC_DIR_SHIFT
				* | attribution << XSKDUMP_DESC_PROC_SHIFT */
#define XSKDUMP_DESC_DIR_SHIFT 16 /* XSKDUMP_DIR_IN or _OUT (bpf/xskdump_abi.h), 2 bits */
#define XSKDUMP_DESC_DIR_MASK 3   /* its 2 bits, after the shift (the attribution is above) */
/* A tap record with a process (attribution on): how it was found
 * (XSKDUMP_PROC_HOOK, _TABLE, _LISTENER, 2 bits), | XSKDUMP_DESC_PROC_CLOSED
 * when its socket was released. Nonzero: struct xskdump_proc is the 40 bytes
 * right before the packet (at XSKDUMP_DESC_ADDR - 40). */
#define XSKDUMP_DESC_PROC_SHIFT 18
#define XSKDUMP_DESC_PROC_HOW_MAX 3
#define XSKDUMP_DESC_PROC_CLOSED 4

/* (4) Takes up to max records off the RX ring into descs (max *
 * XSKDUMP_DESC_WORDS u32) and releases their descriptors: the frames are now
 * the user's. A packet in one frame is one record pointing into the UMEM; a
 * chain of descriptors (multi-buffer) is one record pointing into the gather
 * area (its frames are back on the FQ already); a chain that does not fit
 * the gather area waits for the next call. Returns the count. One call per
 * batch. */
int32_t xsk_rx_batch(int32_t sock, uint32_t *descs, uint32_t max);
/* (6) Gives the frames of descs[0..n) back to the FQ (a gathered record
 * gives back its room in the gather area). Returns the socket's
 * ring-integrity violations so far, all kinds (>= 0, what xsk_guard_total
 * returns): the receive loop learns of a new one from the call it makes
 * anyway. A frame the user does not hold is refused (and counted), never put
 * on the FQ twice. */
int32_t xsk_fill(int32_t sock, const uint32_t *descs, uint32_t n);
/* Turns the guard on (1) or off (0); only while the user holds no frame. */
int32_t xsk_sock_guard(int32_t sock, uint32_t on);
/* Violations so far, all kinds (as xsk_fill returns them, for when there is
 * nothing to fill). */
int32_t xsk_guard_total(int32_t sock);
/* Fills out[0..n) with XSKDUMP_GUARD_KINDS x XSKDUMP_GUARD_WORDS values. */
int32_t xsk_guard_report(int32_t sock, uint64_t *out, uint32_t n);
/* Blocks up to timeout_ms for RX data (poll). Meant as a nonblocking FFI
 * call. Returns 1 when readable, 0 on timeout. */
int32_t xsk_wait(int32_t sock, int32_t timeout_ms);
/* Like xsk_wait for any of socks[0..n): 1 when one has RX data, 0 on timeout. */
int32_t xsk_wait_any(const int32_t *socks, uint32_t n, int32_t timeout_ms);
/* Sleeps usec microseconds (at most 1 s) in the calling thread: the capture
 * loop's nap when a busy ring runs dry (a synchronous FFI call: precise, no
 * thread hop). Unlike a poll it leaves nobody for the kernel to wake: under
 * load the receiving softirq then pays no wakeup per flush. Returns 0. */
int32_t xsk_doze(uint32_t usec);

#endif
