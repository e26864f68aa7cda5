/* The shim's capture-file writer (see shim.h): the capture loop puts each
 * batch into chunks of memory, one call per batch; a thread of the writer's
 * own writes full chunks to the file, in order. Nothing here runs per packet
 * but the record's memcpy; the lock is taken once per chunk.
 *
 * Ownership: chunks [head, head + nq) (mod nchunks) are the thread's, queued
 * in file order; the one at cur = head + nq is the loop's, being filled, unless
 * every chunk is queued (nq == nchunks: the loop is "blocked" and takes the
 * next chunk that the thread frees). Only the loop moves cur and adds to nq;
 * only the thread moves head and takes from nq. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "shim.h"
#include "records.h"
#include "../bpf/xskdump_abi.h"

#define MAX_WRITERS 4
#define MAX_CHUNK (64u << 20)
#define MAX_CHUNKS 4096

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

static struct writer writers[MAX_WRITERS];

static struct writer *writer_get(int32_t h)
{
	if (h < 0 || h >= MAX_WRITERS || !writers[h].used)
		return NULL;
	return &writers[h];
}

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
static void *writer_main(void *arg)
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
static void chunk_start(struct writer *w)
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
static void chunk_submit(struct writer *w)
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
static int chunk_take(struct writer *w)
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
static int writer_failed(struct writer *w)
{
	uint64_t file;
	int e;

	pthread_mutex_lock(&w->mu);
	e = w->err;
	file = w->failure[XSKDUMP_WFAIL_FILE];
	pthread_mutex_unlock(&w->mu);
	return e ? fail(-e, "write file %llu", (unsigned long long)file) : 0;
}

static int has_failed(struct writer *w)
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

int32_t xsk_writer_open(uint32_t format, uint32_t snaplen, uint32_t chunk_size, uint32_t chunks)
{
	struct writer *w = NULL;
	sigset_t all, old;
	uint32_t i;
	int h, err;

	if (format > XSKDUMP_FILE_PCAPNG)
		return fail(-EINVAL, "unknown file format %u", format);
	if (!snaplen || snaplen > XSKDUMP_MAX_SNAPLEN)
		return fail(-EINVAL, "snapshot length %u is not in 1..%u", snaplen, XSKDUMP_MAX_SNAPLEN);
	if (chunk_size < 4096 || chunk_size > MAX_CHUNK || chunk_size % 4 || chunks < 2 ||
	    chunks > MAX_CHUNKS)
		return fail(-EINVAL, "bad writer geometry: %u chunks of %u bytes", chunks, chunk_size);
	if (chunk_size < rec_size(&(struct rec_format){ 1, snaplen },
				  &(struct rec_packet){ .caplen = snaplen, .queue = 0 }))
		return fail(-EINVAL, "a chunk of %u bytes cannot hold a record of %u bytes",
			    chunk_size, snaplen);
	for (h = 0; h < MAX_WRITERS; h++)
		if (!writers[h].used) {
			w = &writers[h];
			break;
		}
	if (!w)
		return fail(-EMFILE, "too many writers");
	memset(w, 0, sizeof(*w));
	w->fmt = (struct rec_format){ format == XSKDUMP_FILE_PCAPNG, snaplen };
	w->chunk_size = chunk_size;
	w->nchunks = chunks;
	w->fd = -1;
	w->chunks = calloc(chunks, sizeof(*w->chunks));
	if (!w->chunks)
		return fail(-ENOMEM, "writer of %u chunks", chunks);
	for (i = 0; i < chunks; i++) {
		w->chunks[i].buf = malloc(chunk_size);
		if (!w->chunks[i].buf) {
			err = fail(-ENOMEM, "writer chunks: %u of %u bytes", chunks, chunk_size);
			goto out;
		}
		/* Touched now: no page faults on the hot path. */
		memset(w->chunks[i].buf, 0, chunk_size);
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->space, NULL);
	/* The thread takes no signal: the runtime's threads handle them, and a
	 * write into a closed pipe returns EPIPE here instead of raising SIGPIPE. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		err = fail(-err, "start the writer thread");
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->work);
		pthread_cond_destroy(&w->space);
		goto out;
	}
	/* Named before it is used, so ps and top show it from the start. */
	pthread_mutex_lock(&w->mu);
	while (!w->named)
		pthread_cond_wait(&w->space, &w->mu);
	pthread_mutex_unlock(&w->mu);
	/* SCHED_BATCH: its wakeups never preempt the loop. Sharing the loop's
	 * CPU (one free CPU, or the bench's layout), it writes when the loop
	 * naps or waits for it, so a handed-over chunk cannot take the ring away
	 * for a write's length; with a CPU of its own nothing changes. */
	pthread_setschedparam(w->thread, SCHED_BATCH, &(struct sched_param){ .sched_priority = 0 });
	w->started = 1;
	w->used = 1;
	chunk_start(w);
	return h;
out:
	for (i = 0; i < chunks; i++)
		free(w->chunks[i].buf);
	free(w->chunks);
	memset(w, 0, sizeof(*w));
	return err;
}

int32_t xsk_writer_file(int32_t h, const char *path, int32_t fd, const uint8_t *trailer,
			uint32_t tlen, const uint8_t *header, uint32_t len, uint64_t size_limit,
			uint64_t sec_limit)
{
	struct writer *w = writer_get(h);
	struct chunk *c;
	struct stat st;
	uint32_t need, free_chunks;
	int own = 0, regular = 0;
	char *copy = NULL;

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	if (has_failed(w))
		return writer_failed(w);
	if (len > w->chunk_size || tlen > w->chunk_size)
		return fail(-EMSGSIZE, "a file header or trailer of %u bytes is larger than a chunk",
			    len > tlen ? len : tlen);
	if (w->fd < 0)
		tlen = 0; /* no file to end */
	if (!chunk_take(w))
		return -EAGAIN;
	c = &w->chunks[w->cur];
	/* Chunks beyond cur this takes: one when the trailer does not fit in
	 * cur, and one for the new header when cur ends up holding anything of
	 * the finished file. Checked first: the file is opened only when it can start. */
	need = (c->used + tlen > w->chunk_size) + (w->fd >= 0 && c->used + tlen > 0);
	pthread_mutex_lock(&w->mu);
	free_chunks = w->nchunks - w->nq - 1;
	pthread_mutex_unlock(&w->mu);
	if (need > free_chunks)
		return -EAGAIN;
	if (path && path[0]) {
		copy = strdup(path);
		if (!copy)
			return fail(-ENOMEM, "open %s", path);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0) {
			free(copy);
			return fail(-errno, "open %s", path);
		}
		own = 1;
		regular = !fstat(fd, &st) && S_ISREG(st.st_mode);
	} else if (fd < 0) {
		return fail(-EBADF, "no file and no fd");
	}
	if (w->fd >= 0) {
		if (c->used + tlen > w->chunk_size) {
			chunk_submit(w);
			c = &w->chunks[w->cur];
		}
		memcpy(c->buf + c->used, trailer, tlen);
		c->used += tlen;
		w->file_bytes += tlen;
		if (c->used) {
			c->last = 1;
			chunk_submit(w); /* never blocks: counted above */
			c = &w->chunks[w->cur];
		} else if (w->own) {
			c->close_before = w->fd;
		}
	}
	w->fd = fd;
	w->own = own;
	w->regular = regular;
	w->file++;
	w->size_limit = size_limit;
	w->sec_limit = sec_limit;
	c->file = w->file;
	c->fd = fd;
	c->own = (uint8_t)own;
	c->regular = (uint8_t)regular;
	c->first = 1;
	free(c->path);
	c->path = copy;
	c->header = w->fmt.pcapng ? 0 : len;
	memcpy(c->buf, header, len);
	c->used = len;
	w->file_bytes = len;
	w->file_packets = 0;
	return (int32_t)w->file;
}

/* The writer of handle h in *out when it has a file to write and has not
 * failed; else -errno (its failure's, once it failed). */
static int writer_with_file(int32_t h, struct writer **out)
{
	struct writer *w = writer_get(h);

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	if (has_failed(w))
		return writer_failed(w);
	if (w->fd < 0)
		return fail(-EINVAL, "writer %d has no file", h);
	*out = w;
	return 0;
}

int32_t xsk_writer_put(int32_t h, const uint8_t *src, uint32_t src_len, const uint32_t *descs,
		       uint32_t n)
{
	struct writer *w;
	struct rec_format fmt;
	struct chunk *c;
	uint8_t *buf;
	uint64_t fbytes, wire = 0, sec_limit, size_limit;
	uint32_t i, used, cap, in_chunk = 0;
	int err = writer_with_file(h, &w);

	if (err)
		return err;
	sec_limit = w->sec_limit;
	size_limit = w->size_limit;
	cap = w->chunk_size;
	w->stopped = XSKDUMP_WRITER_DONE;
	if (!chunk_take(w)) {
		w->stopped = XSKDUMP_WRITER_FULL;
		w->full++;
		return 0;
	}
	fmt = w->fmt;
	c = &w->chunks[w->cur];
	/* Locals in the loop, written back after it (and before a chunk goes to
	 * the thread): the per-packet work stays in registers. */
	buf = c->buf;
	used = c->used;
	fbytes = w->file_bytes;
	for (i = 0; i < n; i++) {
		const uint32_t *d = descs + (size_t)i * XSKDUMP_DESC_WORDS;
		uint32_t flags = d[XSKDUMP_DESC_FLAGS];
		uint32_t dir = (flags >> XSKDUMP_DESC_DIR_SHIFT) & XSKDUMP_DESC_DIR_MASK;
		uint32_t queue = flags & ((1u << XSKDUMP_DESC_DIR_SHIFT) - 1);
		/* As lib/formats/pcapng.ts: the direction is epb_flags; an
		 * outgoing packet has no queue. */
		struct rec_packet p = {
			.caplen = d[XSKDUMP_DESC_LEN],
			.wirelen = d[XSKDUMP_DESC_WIRELEN],
			.sec = d[XSKDUMP_DESC_SEC],
			.nsec = d[XSKDUMP_DESC_NSEC],
			.flags = dir,
			.queue = dir == XSKDUMP_DIR_OUT || queue == XSKDUMP_DESC_NO_QUEUE ? REC_NO_QUEUE
											   : queue,
		};
		uint32_t need;

		/* tcpdump's order: rotate before the packet that finds the file due. */
		if (p.sec >= sec_limit || fbytes > size_limit) {
			w->stopped = XSKDUMP_WRITER_ROTATE;
			break;
		}
		if ((uint64_t)d[XSKDUMP_DESC_ADDR] + p.caplen > src_len) {
			err = fail(-EINVAL, "record %u: bytes %u..%llu are outside the %u-byte view", i,
				   d[XSKDUMP_DESC_ADDR],
				   (unsigned long long)d[XSKDUMP_DESC_ADDR] + p.caplen, src_len);
			break;
		}
		p.data = src + d[XSKDUMP_DESC_ADDR];
		need = rec_size(&fmt, &p);
		if (used + need > cap) {
			c->used = used;
			c->packets += in_chunk;
			in_chunk = 0;
			chunk_submit(w);
			if (w->blocked) {
				c = NULL; /* the thread's now */
				w->stopped = XSKDUMP_WRITER_FULL;
				w->full++;
				break;
			}
			c = &w->chunks[w->cur];
			buf = c->buf;
			used = c->used;
		}
		used += rec_put(&fmt, buf + used, &p);
		in_chunk++;
		fbytes += need;
		wire += p.wirelen > p.caplen ? p.wirelen : p.caplen;
	}
	if (c) {
		c->used = used;
		c->packets += in_chunk;
	}
	w->file_bytes = fbytes;
	w->file_packets += i;
	w->packets += i;
	w->wire_bytes += wire;
	return err ? err : (int32_t)i;
}

int32_t xsk_writer_bytes(int32_t h, const uint8_t *bytes, uint32_t len)
{
	struct writer *w;
	struct chunk *c;
	int err = writer_with_file(h, &w);

	if (err)
		return err;
	if (len > w->chunk_size)
		return fail(-EMSGSIZE, "a block of %u bytes is larger than a chunk", len);
	if (!chunk_take(w))
		return -EAGAIN;
	c = &w->chunks[w->cur];
	if (c->used + len > w->chunk_size) {
		pthread_mutex_lock(&w->mu);
		if (w->nq + 1 >= w->nchunks) {
			pthread_mutex_unlock(&w->mu);
			return -EAGAIN;
		}
		pthread_mutex_unlock(&w->mu);
		chunk_submit(w);
		c = &w->chunks[w->cur];
	}
	memcpy(c->buf + c->used, bytes, len);
	c->used += len;
	w->file_bytes += len;
	return 0;
}

int32_t xsk_writer_flush(int32_t h)
{
	struct writer *w = writer_get(h);

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	if (has_failed(w))
		return writer_failed(w);
	if (chunk_take(w) && w->chunks[w->cur].used)
		chunk_submit(w);
	return 0;
}

/* Waits (up to timeout_ms) while `busy` holds; 1 when it no longer does (or the writer failed). */
static int writer_wait_while(struct writer *w, int32_t timeout_ms, int drain)
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

int32_t xsk_writer_wait(int32_t h, int32_t timeout_ms)
{
	struct writer *w = writer_get(h);

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	return writer_wait_while(w, timeout_ms, 0);
}

int32_t xsk_writer_drain(int32_t h, int32_t timeout_ms)
{
	struct writer *w = writer_get(h);

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	return writer_wait_while(w, timeout_ms, 1);
}

int32_t xsk_writer_stats(int32_t h, uint64_t *out, uint32_t n)
{
	struct writer *w = writer_get(h);
	uint64_t v[XSKDUMP_WSTAT__COUNT];
	uint32_t i;

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	v[XSKDUMP_WSTAT_PACKETS] = w->packets;
	v[XSKDUMP_WSTAT_BYTES] = w->wire_bytes;
	v[XSKDUMP_WSTAT_FILE] = w->file;
	v[XSKDUMP_WSTAT_FILE_BYTES] = w->file_bytes;
	v[XSKDUMP_WSTAT_FILE_PACKETS] = w->file_packets;
	v[XSKDUMP_WSTAT_STOPPED] = w->stopped;
	v[XSKDUMP_WSTAT_FULL] = w->full;
	pthread_mutex_lock(&w->mu);
	v[XSKDUMP_WSTAT_WRITTEN] = w->written;
	v[XSKDUMP_WSTAT_QUEUED] = w->nq;
	v[XSKDUMP_WSTAT_WRITE_MAX_NS] = w->write_max_ns;
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < n && i < XSKDUMP_WSTAT__COUNT; i++)
		out[i] = v[i];
	return (int32_t)i;
}

int32_t xsk_writer_failure(int32_t h, uint64_t *out, uint32_t n, uint8_t *text, uint32_t len)
{
	struct writer *w = writer_get(h);
	uint32_t i;
	int e;

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	pthread_mutex_lock(&w->mu);
	e = w->err;
	for (i = 0; i < n && i < XSKDUMP_WFAIL__COUNT; i++)
		out[i] = w->failure[i];
	if (text && len) {
		snprintf((char *)text, len, "%s", w->err_text);
	}
	pthread_mutex_unlock(&w->mu);
	return e;
}

int32_t xsk_writer_close(int32_t h)
{
	struct writer *w = writer_get(h);
	uint32_t i;
	int e;

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	/* The current file's last chunk closes it; without one (every chunk
	 * queued), it is closed here once the thread is done. */
	if (w->fd >= 0 && chunk_take(w)) {
		w->chunks[w->cur].last = 1;
		chunk_submit(w);
		w->fd = -1;
	}
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	if (w->started)
		pthread_join(w->thread, NULL);
	if (w->fd >= 0 && w->own)
		close(w->fd);
	e = w->err;
	for (i = 0; i < w->nchunks; i++) {
		free(w->chunks[i].path); /* a chunk never handed over */
		free(w->chunks[i].buf);
	}
	free(w->chunks);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->space);
	memset(w, 0, sizeof(*w));
	return e ? -e : 0;
}
