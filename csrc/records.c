/* Capture-file records: see records.h. */
#include <string.h>

#include "records.h"

#define EPB_TYPE 6u
#define EPB_FLAGS_OPT (2u | (4u << 16))
#define EPB_QUEUE_OPT (6u | (4u << 16))

static inline void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

uint32_t rec_put(const struct rec_format *f, uint8_t *dst, const struct rec_packet *p)
{
	uint32_t incl = p->caplen < f->snaplen ? p->caplen : f->snaplen;
	uint32_t wire = p->wirelen > incl ? p->wirelen : incl;
	uint32_t padded, need, at;
	uint64_t ns;

	if (!f->pcapng) {
		put32(dst, p->sec);
		put32(dst + 4, p->nsec);
		put32(dst + 8, incl);
		put32(dst + 12, wire);
		memcpy(dst + REC_PCAP_HEAD, p->data, incl);
		return REC_PCAP_HEAD + incl;
	}
	padded = (incl + 3u) & ~3u;
	need = rec_size(f, incl);
	ns = (uint64_t)p->sec * 1000000000ull + p->nsec;
	put32(dst, EPB_TYPE);
	put32(dst + 4, need);
	put32(dst + 8, 0); /* interface 0, the only one */
	put32(dst + 12, (uint32_t)(ns >> 32));
	put32(dst + 16, (uint32_t)ns);
	put32(dst + 20, incl);
	put32(dst + 24, wire);
	/* The padding first: the data then overwrites its front. */
	if (padded != incl)
		put32(dst + REC_EPB_HEAD + padded - 4, 0);
	memcpy(dst + REC_EPB_HEAD, p->data, incl);
	at = REC_EPB_HEAD + padded;
	put32(dst + at, EPB_FLAGS_OPT);
	put32(dst + at + 4, p->flags);
	at += 8;
	if (f->queue != REC_NO_QUEUE) {
		put32(dst + at, EPB_QUEUE_OPT);
		put32(dst + at + 4, f->queue);
		at += 8;
	}
	put32(dst + at, 0); /* opt_endofopt */
	put32(dst + at + 4, need);
	return need;
}

uint32_t rec_whole(int pcapng, const uint8_t *buf, uint32_t have, uint32_t header,
		   uint64_t *packets)
{
	uint32_t at = 0, whole = 0;
	uint64_t n = 0;

	if (header) {
		if (have < header) {
			*packets = 0;
			return 0;
		}
		at = whole = header;
	}
	for (;;) {
		uint32_t end;

		if (pcapng) {
			if (have - at < 8)
				break;
			end = at + get32(buf + at + 4);
		} else {
			if (have - at < REC_PCAP_HEAD)
				break;
			end = at + REC_PCAP_HEAD + get32(buf + at + 8);
		}
		if (end <= at || end > have)
			break;
		n += !pcapng || get32(buf + at) == EPB_TYPE;
		at = whole = end;
	}
	*packets = n;
	return whole;
}
