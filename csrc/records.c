/* Capture-file records: see records.h. */
#include <string.h>

#include "records.h"

static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
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
		n += !pcapng || get32(buf + at) == REC_EPB_TYPE;
		at = whole = end;
	}
	*packets = n;
	return whole;
}
