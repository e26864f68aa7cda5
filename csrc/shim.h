/* libxskdump: the whole ABI that Deno sees (mirrored in ffi/symbols.ts and
 * ffi/abi.ts, pinned by libxskdump.map; tests/unit/abi_test.ts holds them
 * together).
 *
 * The frame cycle. The UMEM is one mmap'd area cut into frame_count frames of
 * frame_size bytes. Every frame is owned by exactly one side at any moment:
 *
 *   (1) user puts a free frame's address on the FILL ring (FQ)  -> kernel owns it
 *   (2) the XDP program redirects a packet to the XSKMAP slot of its RX queue
 *   (3) the kernel writes the packet (and our metadata in front) into a frame
 *       taken from the FQ, and posts {addr, len} on the RX ring
 *   (4) user peeks the RX ring and releases the descriptors  -> user owns it
 *   (5) user reads the packet in the UMEM
 *   (6) user puts the address back on the FQ                   -> (1)
 *
 * Releasing RX descriptors does not free frames; only (6) does. A frame the
 * user keeps is one the kernel cannot fill: a slow consumer drains the FQ and
 * the kernel counts drops (XDP_STATISTICS), it never overwrites.
 *
 * ABI rules: fixed-width types only; objects are small integer handles; every
 * function returns >= 0 on success or -errno, and xsk_last_error() gives the
 * text of the last failure. Nothing here allocates per packet.
 *
 * csrc/ in layers, lowest first. A file calls only into files of lower layers
 * and includes only their headers (and its own, shim.h, bpf/xskdump_abi.h);
 * each file's internal header declares only what that file defines. Each
 * layer is one section of the ABI, in the same order: the first here, the
 * others in the shim_*.h headers included at the end of this one, which no
 * other file includes (abi_test.ts checks all of it):
 *
 *   1 error.c        error reporting and the ABI version
 *   2 host.c         host facts: capabilities, channels, MTU, GRO, RX queues, XDP
 *   2 threads.c      the capture loop's CPU: this process's other threads yield to it
 *   2 ifaces.c       the interfaces (-D) and their XDP features (libpcap, netlink)
 *   2 privileges.c   -Z: giving up root for a user
 *   2 files.c        files named on the command line that Deno will not open
 *   3 share.c        several captures on one interface: joining, who holds what
 *   4 prog.c         the XDP program: load and attach (or join), its counters
 *   5 filter.c       filters: libpcap's cBPF (a translation unit of its own)
 *   5 filter_prog.c  filters: translated programs in the kernel
 *   6 ledger.c       the frame-ownership ledger: the ring integrity guard's rules
 *   7 fault.c        fault injection (XSKDUMP_FAULT) behind one hook
 *   8 sock.c         sockets and their UMEM: open, check, stats, stop, close
 *   9 rings.c        the receive loop: RX batch, fill, guard counts, waiting
 *  10 ringbuf.c      a BPF ring buffer's reader: mapped into the caller's memory, batches
 *  10 tc.c           tc hooks: tcx links, else clsact filters, and their leftovers
 *  11 tap.c          tap mode: the tap programs loaded, attached, filtered, started
 *  12 tap_ring.c     tap mode's receive loop: its ring buffer mapped, batches, waiting
 *  13 records.c      capture-file records: pcap records, pcapng EPBs (pure)
 *  14 chunks.c       capture files: chunks of records, the thread that writes them
 *  15 writer.c       capture files: writers, their files, puts, waits (the ABI)
 *  16 cgroups.c      the cgroup2 root (mounted or private), cgroup ids, paths, v1 pids
 *  17 proc.c         process attribution: cgroup socket hooks, the socket table at start
 *
 * Outside the layers, link glue only: static_compat.c, pcap_compat.c, embed.S, embed_tap.S.
 */
#ifndef XSKDUMP_SHIM_H
#define XSKDUMP_SHIM_H

#include <stdint.h>

#define XSKDUMP_ABI_VERSION 20

/* ==== error.c: errors and the ABI version ==== */

/* Returns XSKDUMP_ABI_VERSION: the loader refuses a shim it does not match. */
int32_t xsk_abi_version(void);

/* Copies the last error's text (NUL-terminated, truncated to len) into buf;
 * returns its length. */
int32_t xsk_last_error(uint8_t *buf, uint32_t len);

/* The other sections, one header each, in the layers' order. */
#include "shim_host.h"
#include "shim_prog.h"
#include "shim_sock.h"
#include "shim_tap.h"
#include "shim_writer.h"
#include "shim_proc.h"

#endif
