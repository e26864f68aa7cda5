/* A BPF ring buffer's reader (csrc/ringbuf.c; uses error.c): mapped into the
 * caller's memory, read in batches. See the top of ringbuf.c for the layout. */
#ifndef XSKDUMP_RINGBUF_H
#define XSKDUMP_RINGBUF_H

#include <stddef.h>
#include <stdint.h>

struct ringbuf {
	int mapped;
	int fd;
	uint8_t *base;       /* the consumer page: the caller's memory from here on is the kernel's */
	uint32_t offset;     /* of base in the caller's memory */
	size_t total;        /* bytes mapped from base */
	uint32_t size;       /* the data area, a power of two */
	unsigned long *consumer;
	const unsigned long *producer;
	const uint8_t *data; /* mapped twice in a row: a record never wraps */
	unsigned long taken; /* position after the last record handed out */
	uint64_t records, bytes, discarded, malformed;
	/* Records with an attribution block (attribution on), by direction (in,
	 * out): with a process, without one. */
	uint64_t attributed[2], unattributed[2];
};

/* Maps map fd's ring buffer (size data bytes) into mem at its first page
 * boundary. 0 or -errno (recorded). */
int ringbuf_map(struct ringbuf *rb, int fd, uint32_t size, uint8_t *mem, uint64_t len);
/* Takes the kernel's layout at base as mapped (ringbuf_map does it; the C
 * tests lay it out themselves). */
void ringbuf_init(struct ringbuf *rb, int fd, uint8_t *base, uint32_t size);
/* Puts ordinary anonymous memory back over the caller's pages. */
void ringbuf_unmap(struct ringbuf *rb);
/* Up to max committed records into descs (XSKDUMP_DESC_WORDS each); the
 * count. They stay the caller's until ringbuf_give. */
int ringbuf_batch(struct ringbuf *rb, uint32_t *descs, uint32_t max, int64_t mono_to_real);
/* Gives every record handed out back to the kernel. */
void ringbuf_give(struct ringbuf *rb);
/* 1 when records (committed or not) wait beyond those handed out. */
int ringbuf_ready(const struct ringbuf *rb);
/* Polls the map's fd up to timeout_ms: 1 readable, 0 timeout, -errno (recorded). */
int ringbuf_wait(struct ringbuf *rb, int timeout_ms);

#endif
