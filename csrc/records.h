/* Capture-file records (pure: no I/O, no allocation): the pcap record and the
 * pcapng Enhanced Packet Block exactly as lib/formats/pcap.ts and pcapng.ts
 * write them, byte for byte, so the shim's writer (writer.c) and the
 * TypeScript writers make the same files. Little-endian hosts only (the shim
 * is built for x86_64), like the files, which are little-endian. */
#ifndef XSKDUMP_RECORDS_H
#define XSKDUMP_RECORDS_H

#include <stdint.h>
#include <string.h>

#define REC_PCAP_FILE_HEADER 24 /* pcap's file header: no length field */
#define REC_PCAP_HEAD 16        /* sec, nsec, captured length, wire length */
#define REC_EPB_HEAD 28         /* type, length, interface, time (2 words), lengths */
#define REC_EPB_TAIL 16         /* epb_flags (8), opt_endofopt (4), trailing length (4) */
#define REC_EPB_QUEUE 8         /* epb_queue, when the queue is known */
#define REC_NO_QUEUE UINT32_MAX /* a packet of no known queue: no epb_queue */
#define REC_EPB_TYPE 6u
#define REC_EPB_FLAGS_OPT (2u | (4u << 16)) /* epb_flags, 4 bytes */
#define REC_EPB_QUEUE_OPT (6u | (4u << 16)) /* epb_queue, 4 bytes */

/* How records are cut and framed: one per output file format. */
struct rec_format {
	uint32_t pcapng; /* 0: pcap, 1: pcapng */
	uint32_t snaplen;
};

/* One packet as it goes into a record. */
struct rec_packet {
	const uint8_t *data;
	uint32_t caplen; /* bytes at data (cut to the snaplen by rec_put) */
	uint32_t wirelen; /* length on the wire (at least caplen) */
	uint32_t sec;
	uint32_t nsec;
	uint32_t flags; /* pcapng epb_flags */
	uint32_t queue; /* pcapng epb_queue, or REC_NO_QUEUE */
};

/* Bytes the record of p takes. */
static inline uint32_t rec_size(const struct rec_format *f, const struct rec_packet *p)
{
	uint32_t incl = p->caplen < f->snaplen ? p->caplen : f->snaplen;

	if (!f->pcapng)
		return REC_PCAP_HEAD + incl;
	return REC_EPB_HEAD + ((incl + 3u) & ~3u) + REC_EPB_TAIL +
	       (p->queue == REC_NO_QUEUE ? 0 : REC_EPB_QUEUE);
}

static inline void rec_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Writes the record of p at dst, which has room for rec_size(f, p) bytes;
 * returns that size. Inline: it runs per packet, inside the writer's
 * loop over a batch. */
static inline uint32_t rec_put(const struct rec_format *f, uint8_t *dst,
			       const struct rec_packet *p)
{
	uint32_t incl = p->caplen < f->snaplen ? p->caplen : f->snaplen;
	uint32_t wire = p->wirelen > p->caplen ? p->wirelen : p->caplen;
	uint32_t padded, need, at;
	uint64_t ns;

	if (!f->pcapng) {
		rec_put32(dst, p->sec);
		rec_put32(dst + 4, p->nsec);
		rec_put32(dst + 8, incl);
		rec_put32(dst + 12, wire);
		memcpy(dst + REC_PCAP_HEAD, p->data, incl);
		return REC_PCAP_HEAD + incl;
	}
	padded = (incl + 3u) & ~3u;
	need = rec_size(f, p);
	ns = (uint64_t)p->sec * 1000000000ull + p->nsec;
	rec_put32(dst, REC_EPB_TYPE);
	rec_put32(dst + 4, need);
	rec_put32(dst + 8, 0); /* interface 0, the only one */
	rec_put32(dst + 12, (uint32_t)(ns >> 32));
	rec_put32(dst + 16, (uint32_t)ns);
	rec_put32(dst + 20, incl);
	rec_put32(dst + 24, wire);
	/* The padding first: the data then overwrites its front. */
	if (padded != incl)
		rec_put32(dst + REC_EPB_HEAD + padded - 4, 0);
	memcpy(dst + REC_EPB_HEAD, p->data, incl);
	at = REC_EPB_HEAD + padded;
	rec_put32(dst + at, REC_EPB_FLAGS_OPT);
	rec_put32(dst + at + 4, p->flags);
	at += 8;
	if (p->queue != REC_NO_QUEUE) {
		rec_put32(dst + at, REC_EPB_QUEUE_OPT);
		rec_put32(dst + at + 4, p->queue);
		at += 8;
	}
	rec_put32(dst + at, 0); /* opt_endofopt */
	rec_put32(dst + at + 4, need);
	return need;
}

/* The whole records at the start of buf[0..have): buf holds records (blocks,
 * for pcapng) from a record boundary on, `header` bytes of pcap file header
 * first when it starts a pcap file (0 otherwise). Returns where the last
 * record that lies whole inside buf[0..have) ends, and in *packets the packet
 * records (pcapng: EPBs) before it. A length that does not advance ends the
 * walk (never with our records). */
uint32_t rec_whole(int pcapng, const uint8_t *buf, uint32_t have, uint32_t header,
		   uint64_t *packets);

#endif
