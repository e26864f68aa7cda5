/* The capture-file writer's chunks (see shim.h, writer.c): the loop fills one
 * chunk of records at a time and hands it over; a thread of the writer's own
 * writes full chunks to their files, in order. The lock is taken once per
 * chunk, never per record.
 *
 * Ownership: chunks [head, head + nq) (mod nchunks) are the thread's, queued
 * in file order; the one at cur = head + nq is the loop's, being filled, unless
 * every chunk is queued (nq == nchunks: the loop is "blocked" and takes the
 * next chunk that the thread frees). Only the loop moves cur and adds to nq;
 * only the thread moves head and takes from nq. Uses records.c and error.c. */
#define _GNU_SOURCE
#include "chunks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* After a failed write of c (at file offset `off`, `done` of its bytes taken,
 * `kept` packets in the file before it): cut the file back to its last whole
 * record and record what it holds. Thread side, under no lock. */
static void chunk_failed(struct writer *w, struct chunk *c, uint64_t off, uint32_t done,
			 uint64_t kept, int e)
{
	uint64_t packets = 0, f[XSKDUMP_WFAIL__COUNT] = { 0 };
	uint32_t whole = rec_whole((int)w->fmt.pcapng, c->buf, done, c->first ? c->header : 0,
				   &packets);

	f[XSKDUMP_WFAIL_FILE] = c->file;
	f[XSKDUMP_WFAIL_KEPT] = kept + packets;
	f[XSKDUMP_WFAIL_SIZE] = off + done;
	if (c->regular && done > whole) {
		if (ftruncate(c->fd, (off_t)(off + whole)))
			f[XSKDUMP_WFAIL_CUT_ERRNO] = (uint64_t)errno;
		else
			f[XSKDUMP_WFAIL_SIZE] = off + whole;
	}
	if (!c->regular)
		f[XSKDUMP_WFAIL_PARTIAL] = done - whole;
	pthread_mutex_lock(&w->mu);
	memcpy(w->failure, f, sizeof(f));
	snprintf(w->err_text, sizeof(w->err_text), "%s (os error %d)", strerror(e), e);
	__atomic_store_n(&w->err, e, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&w->space);
	pthread_mutex_unlock(&w->mu);
}

/* The writer thread: queued chunks to their files, in order. After a failure
 * it only closes files. */
void *writer_main(void *arg)
{
	struct writer *w = arg;
	uint64_t off = 0, kept = 0;

	/* Its own name, by prctl: pthread_setname_np on another thread writes
	 * /proc/self/task/N/comm, a file the capture has no business opening. */
	prctl(PR_SET_NAME, "xskdump-writer");
	pthread_mutex_lock(&w->mu);
	w->named = 1;
	pthread_cond_broadcast(&w->space);
	pthread_mutex_unlock(&w->mu);
	for (;;) {
		struct chunk *c;
		int failed;
		uint32_t done = 0;

		pthread_mutex_lock(&w->mu);
		while (!w->nq && !w->quit)
			pthread_cond_wait(&w->work, &w->mu);
		if (!w->nq) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		c = &w->chunks[w->head];
		failed = w->err != 0;
		w->busy = 1;
		pthread_mutex_unlock(&w->mu);

		if (c->close_before >= 0)
			close(c->close_before);
		if (c->first) {
			off = kept = 0;
			/* A file opened before the loop learnt of the failure got nothing,
			 * not even its header: it goes (tcpdump would not have made it). */
			if (failed && c->own && c->regular && c->path)
				unlink(c->path);
			free(c->path);
			c->path = NULL;
		}
		if (!failed) {
			uint64_t t0 = mono_ns(), t;
			int e = 0;

			while (done < c->used) {
				ssize_t r = write(c->fd, c->buf + done, c->used - done);

				if (r < 0) {
					if (errno == EINTR)
						continue;
					e = errno;
					break;
				}
				done += (uint32_t)r;
			}
			t = mono_ns() - t0;
			if (e)
				chunk_failed(w, c, off, done, kept, e);
			off += done;
			kept += c->packets;
			pthread_mutex_lock(&w->mu);
			w->written += done;
			if (t > w->write_max_ns)
				w->write_max_ns = t;
			pthread_mutex_unlock(&w->mu);
		}
		if (c->last && c->own)
			close(c->fd);

		pthread_mutex_lock(&w->mu);
		w->head = (w->head + 1) % w->nchunks;
		w->nq--;
		w->busy = 0;
		pthread_cond_broadcast(&w->space);
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}

/* The loop's side from here on. */

/* Readies chunk cur for the current file. */
void chunk_start(struct writer *w)
{
	struct chunk *c = &w->chunks[w->cur];

	c->used = 0;
	c->header = 0;
	c->packets = 0;
	c->file = w->file;
	c->fd = w->fd;
	c->close_before = -1;
	c->path = NULL;
	c->first = c->last = 0;
	c->own = (uint8_t)w->own;
	c->regular = (uint8_t)w->regular;
}

/* Queues chunk cur for the thread and moves on: blocked when every chunk is queued. */
void chunk_submit(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->nq++;
	w->blocked = w->nq == w->nchunks;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	w->cur = (w->cur + 1) % w->nchunks;
	if (!w->blocked)
		chunk_start(w);
}

/* A blocked loop takes the chunk the thread freed, if it did: 1 when it has one. */
int chunk_take(struct writer *w)
{
	if (!w->blocked)
		return 1;
	pthread_mutex_lock(&w->mu);
	w->blocked = w->nq == w->nchunks;
	pthread_mutex_unlock(&w->mu);
	if (w->blocked)
		return 0;
	chunk_start(w);
	return 1;
}

/* The failure, as every later call returns it. */
int writer_failed(struct writer *w)
{
	uint64_t file;
	int e;

	pthread_mutex_lock(&w->mu);
	e = w->err;
	file = w->failure[XSKDUMP_WFAIL_FILE];
	pthread_mutex_unlock(&w->mu);
	return e ? fail(-e, "write file %llu", (unsigned long long)file) : 0;
}

int has_failed(struct writer *w)
{
	int e;

	/* A relaxed peek first: no lock per batch while all is well. */
	if (!__atomic_load_n(&w->err, __ATOMIC_RELAXED))
		return 0;
	pthread_mutex_lock(&w->mu);
	e = w->err;
	pthread_mutex_unlock(&w->mu);
	return e;
}

/* Waits up to timeout_ms for a free chunk, or (drain) until every chunk handed
 * over is written: 1 once so (or once the writer failed), else 0. */
int writer_wait_while(struct writer *w, int32_t timeout_ms, int drain)
{
	struct timespec until;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	for (;;) {
		if (w->err || (drain ? !w->nq : w->nq < w->nchunks)) {
			r = 1;
			break;
		}
		if (timeout_ms <= 0 || pthread_cond_timedwait(&w->space, &w->mu, &until) == ETIMEDOUT) {
			r = w->err || (drain ? !w->nq : w->nq < w->nchunks);
			break;
		}
	}
	pthread_mutex_unlock(&w->mu);
	return r;
}
