/* The capture-file writer's chunks and the thread that writes them
 * (csrc/chunks.c; uses records.c, error.c). */
#ifndef XSKDUMP_CHUNKS_H
#define XSKDUMP_CHUNKS_H

#include <pthread.h>
#include <stdint.h>

#include "records.h"
#include "shim.h"

struct chunk {
	uint8_t *buf;
	uint32_t used;
	uint32_t header; /* bytes of pcap file header at its start (rec_whole) */
	uint64_t packets; /* records in it */
	uint32_t file;    /* its file's number */
	int fd;
	int close_before; /* an fd to close before it is written (a finished file's), or -1 */
	char *path;       /* a first chunk's: its file's path (the thread's to free) */
	uint8_t first;    /* the first chunk of its file */
	uint8_t last;     /* the last: its fd is closed after it (when the writer opened it) */
	uint8_t own;      /* the writer opened fd */
	uint8_t regular;  /* fd is a regular file: it can be cut back */
};

struct writer {
	int used;
	struct rec_format fmt;
	uint32_t chunk_size;
	uint32_t nchunks;
	struct chunk *chunks;

	/* The loop's side. */
	uint32_t cur;
	int blocked;
	int fd, own, regular;
	uint32_t file;
	uint64_t file_bytes, file_packets;
	uint64_t size_limit, sec_limit;
	uint64_t packets, wire_bytes;
	uint32_t stopped; /* XSKDUMP_WRITER_*: why the last put stopped */
	uint64_t full;
	int warm; /* xsk_writer_warm: puts take records and write nothing */
	uint32_t warm_calls; /* puts while warm (WARM_FULL) */

	/* Shared, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t work;  /* the thread waits for chunks */
	pthread_cond_t space; /* the loop (xsk_writer_wait, _drain) waits for the thread */
	uint32_t head, nq;
	int quit;
	int named; /* the thread has named itself */
	int busy; /* the thread is writing a chunk it took */
	uint64_t written;
	uint64_t write_max_ns;
	int err; /* errno of the failure, 0 while none */
	char err_text[128];
	uint64_t failure[XSKDUMP_WFAIL__COUNT];

	pthread_t thread;
	int started;
};

/* The writer thread (pthread_create's start routine): queued chunks to their
 * files, in order. After a failure it only closes files. */
void *writer_main(void *arg);
/* Readies chunk cur for the current file. */
void chunk_start(struct writer *w);
/* Queues chunk cur for the thread and moves on: blocked when every chunk is queued. */
void chunk_submit(struct writer *w);
/* A blocked loop takes the chunk the thread freed, if it did: 1 when it has one. */
int chunk_take(struct writer *w);
/* The failure, as every later call returns it: -errno recorded, or 0. */
int writer_failed(struct writer *w);
/* The failure's errno, 0 while none: a relaxed peek, no lock while all is well. */
int has_failed(struct writer *w);
/* Waits up to timeout_ms for a free chunk, or (drain) until every chunk handed
 * over is written: 1 once so (or once the writer failed), else 0. */
int writer_wait_while(struct writer *w, int32_t timeout_ms, int drain);

/* A warm writer takes half of one put in WARM_FULL, as one that ran full, so
 * the caller's wait for room and its put of the rest run in a warm-up too
 * (shim_writer.h says 256th). */
#define WARM_FULL 256

#endif
