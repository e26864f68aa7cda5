/* Part of shim.h, the ABI (included there and nowhere else; abi_test.ts
 * reads it in place): capture files written by the shim. */
#ifndef XSKDUMP_SHIM_WRITER_H
#define XSKDUMP_SHIM_WRITER_H

#include <stdint.h>

/* ==== records.c, chunks.c, writer.c: capture files written by the shim ==== */

/* The CLI's -w files. The capture loop hands each batch to a writer (one call
 * per batch, never per packet): it cuts every packet to the snapshot length
 * and frames it as a pcap record or a pcapng Enhanced Packet Block (byte for
 * byte what lib/formats/pcap.ts and pcapng.ts write) into chunks of memory
 * with memcpy; a thread of the writer's own writes full chunks to the file,
 * in order. So a slow write costs chunks, not UMEM frames (or ring buffer
 * space), and the loop never waits for the file while a chunk is free. The shim opens the files itself:
 * any path the process may open (also /dev/shm, /proc/self/fd/N), or an fd
 * it is given (stdout). When a write fails (disk full, a closed pipe), the
 * thread cuts a regular file back to its last whole record and the writer
 * stops: every later call returns the error (xsk_writer_failure says what the
 * file holds). Little-endian files, nanosecond timestamps, as the TypeScript
 * writers make them. */
#define XSKDUMP_FILE_PCAP 0
#define XSKDUMP_FILE_PCAPNG 1
#define XSKDUMP_MAX_SNAPLEN 262144
/* A record's XSKDUMP_DESC_FLAGS make its pcapng epb_flags (the direction)
 * and epb_queue (the queue, for an incoming packet), as the TypeScript writer
 * takes them. This queue means none is known (a record read from a file
 * without epb_queue): its EPB has no epb_queue. */
#define XSKDUMP_DESC_NO_QUEUE 0xffffu
/* Why a put stopped before the end of its batch (XSKDUMP_WSTAT_STOPPED). */
#define XSKDUMP_WRITER_DONE 0   /* it did not */
#define XSKDUMP_WRITER_ROTATE 1 /* the next record is due in a new file (xsk_writer_file) */
#define XSKDUMP_WRITER_FULL 2   /* every chunk is waiting for the thread (xsk_writer_wait) */
/* Layout of xsk_writer_stats() output (u64 each). */
#define XSKDUMP_WSTAT_PACKETS 0      /* records put, all files */
#define XSKDUMP_WSTAT_BYTES 1        /* their wire lengths, summed */
#define XSKDUMP_WSTAT_FILE 2         /* the current file's number (xsk_writer_file) */
#define XSKDUMP_WSTAT_FILE_BYTES 3   /* bytes put into it, header included */
#define XSKDUMP_WSTAT_FILE_PACKETS 4 /* records put into it */
#define XSKDUMP_WSTAT_STOPPED 5      /* XSKDUMP_WRITER_*: why the last put stopped */
#define XSKDUMP_WSTAT_FULL 6         /* puts that found every chunk waiting for the thread */
#define XSKDUMP_WSTAT_WRITTEN 7      /* bytes the thread wrote, all files */
#define XSKDUMP_WSTAT_QUEUED 8       /* chunks waiting for the thread now */
#define XSKDUMP_WSTAT_WRITE_MAX_NS 9 /* the longest write() of a chunk */
#define XSKDUMP_WSTAT__COUNT 10
/* Layout of xsk_writer_failure() output (u64 each). */
#define XSKDUMP_WFAIL_FILE 0        /* the number of the file that failed */
#define XSKDUMP_WFAIL_SIZE 1        /* its size now */
#define XSKDUMP_WFAIL_KEPT 2        /* packets in its whole records */
#define XSKDUMP_WFAIL_CUT_ERRNO 3   /* the cut back to a whole record failed: its errno */
#define XSKDUMP_WFAIL_PARTIAL 4     /* bytes of a cut record at its end (not a regular file) */
#define XSKDUMP_WFAIL__COUNT 5

/* A writer of `format` files cutting packets to snaplen, with `chunks`
 * chunks of chunk_size bytes (each must hold a record of snaplen bytes).
 * Starts its thread. Returns a writer handle. */
int32_t xsk_writer_open(uint32_t format, uint32_t snaplen, uint32_t chunk_size, uint32_t chunks);
/* Starts the next file: opens path (created or truncated, 0666 less the
 * umask), or, with path "" (or NULL), writes to fd, which stays the caller's.
 * The file before it ends with trailer[0..tlen) (its pcapng ISB) and is
 * closed once written; header[0..len) (the pcap file header, or the pcapng
 * SHB and IDB) starts the new one. A put stops (XSKDUMP_WRITER_ROTATE)
 * before a record with sec >= sec_limit and before any record once the file
 * holds more than size_limit bytes (-G, -C; UINT64_MAX: never). Returns the
 * file's number (1, 2, ...); -EAGAIN, having done nothing, when too few
 * chunks are free (xsk_writer_wait, then again). Files opened after a failed
 * write got nothing and are removed. Opening a path again (a ring of names)
 * truncates it: let the writer drain first. */
int32_t xsk_writer_file(int32_t w, const char *path, int32_t fd, const uint8_t *trailer,
			uint32_t tlen, const uint8_t *header, uint32_t len, uint64_t size_limit,
			uint64_t sec_limit);
/* Puts the records of descs[0..n) (XSKDUMP_DESC_WORDS u32 each, as
 * xsk_rx_batch and xsk_ring_batch make them) whose bytes are in
 * src[0..src_len) (the UMEM, the ring buffer). Returns how many it took, in
 * order; fewer than n when it stopped (XSKDUMP_WSTAT_STOPPED says why);
 * -errno once the writer failed. */
int32_t xsk_writer_put(int32_t w, const uint8_t *src, uint32_t src_len, const uint32_t *descs,
		       uint32_t n);
/* on = 1: xsk_writer_put takes every record and writes nothing (a warm-up's,
 * xsk_sock_warm), except every 256th call, which takes half (n / 2) and stops
 * as a full writer would (the caller's wait for room and its put of the rest
 * run too; xsk_writer_wait answers at once); on = 0: back to writing. */
int32_t xsk_writer_warm(int32_t w, uint32_t on);
/* Appends bytes[0..len) (a pcapng block: the last file's ISB) to the
 * current file. -EAGAIN as for xsk_writer_file. */
int32_t xsk_writer_bytes(int32_t w, const uint8_t *bytes, uint32_t len);
/* Hands the chunk being filled to the thread now (an idle capture's readers
 * see its packets). */
int32_t xsk_writer_flush(int32_t w);
/* Waits up to timeout_ms for a free chunk (nonblocking FFI call): 1 when
 * there is one (or the writer failed), 0 on timeout. */
int32_t xsk_writer_wait(int32_t w, int32_t timeout_ms);
/* Waits up to timeout_ms until every chunk handed over is written (or the
 * writer failed): 1, or 0 on timeout. Nonblocking FFI call. */
int32_t xsk_writer_drain(int32_t w, int32_t timeout_ms);
/* Fills out[0..n) with XSKDUMP_WSTAT_* values. */
int32_t xsk_writer_stats(int32_t w, uint64_t *out, uint32_t n);
/* 0 while the writer is fine; else the errno of its failure, out[0..n) the
 * XSKDUMP_WFAIL_* values and text its strerror ("... (os error N)"). */
int32_t xsk_writer_failure(int32_t w, uint64_t *out, uint32_t n, uint8_t *text, uint32_t len);
/* Ends the current file (it is closed once written), lets the thread finish
 * every chunk handed over, frees the writer. Blocks until then: drain first.
 * Returns 0, or the failure's -errno. */
int32_t xsk_writer_close(int32_t w);

#endif
