/* The shim's capture-file writer (see shim.h): the capture loop puts each
 * batch into chunks of memory (chunks.c), one call per batch; a thread of the
 * writer's own writes full chunks to the file, in order. Nothing here runs per
 * packet but the record's memcpy. This file is the ABI: writers, their files,
 * puts, waits, counts. Uses chunks.c, records.c and error.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../bpf/xskdump_abi.h"
#include "chunks.h"
#include "error.h"
#include "records.h"
#include "shim.h"

#define MAX_WRITERS 4
#define MAX_CHUNK (64u << 20)
#define MAX_CHUNKS 4096

static struct writer writers[MAX_WRITERS];

static struct writer *writer_get(int32_t h)
{
	if (h < 0 || h >= MAX_WRITERS || !writers[h].used)
		return NULL;
	return &writers[h];
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
	if (w->warm) {
		if (++w->warm_calls % WARM_FULL == 0) {
			w->stopped = XSKDUMP_WRITER_FULL;
			return (int32_t)(n / 2);
		}
		w->stopped = XSKDUMP_WRITER_DONE;
		return (int32_t)n;
	}
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

int32_t xsk_writer_warm(int32_t h, uint32_t on)
{
	struct writer *w = writer_get(h);

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	w->warm = !!on;
	w->stopped = XSKDUMP_WRITER_DONE;
	return 0;
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

int32_t xsk_writer_wait(int32_t h, int32_t timeout_ms)
{
	struct writer *w = writer_get(h);

	if (!w)
		return fail(-EBADF, "no such writer handle %d", h);
	if (w->warm)
		return 1; /* a warm writer has room at once */
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
