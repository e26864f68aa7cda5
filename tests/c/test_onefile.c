/* The one file's checksums (launcher/checksum.c): CRC-32C against its check
 * value, the SSE4.2 path against the table, and the block checksum against its
 * definition, whole and in pieces. A bit flipped anywhere must show. */
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "onefile.h"

/* The definition, written plainly on the table alone. */
static uint32_t reference(const uint8_t *p, size_t len)
{
	uint32_t outer = 0;
	for (size_t at = 0; at < len; at += ONEFILE_BLOCK) {
		size_t n = len - at < ONEFILE_BLOCK ? len - at : ONEFILE_BLOCK;
		uint32_t c = crc32c_table(0, p + at, n);
		uint8_t le[4] = {(uint8_t)c, (uint8_t)(c >> 8), (uint8_t)(c >> 16), (uint8_t)(c >> 24)};
		outer = crc32c_table(outer, le, 4);
	}
	return outer;
}

int main(void)
{
	/* The CRC-32C check value (RFC 3720's polynomial on "123456789"). */
	EXPECT(crc32c(0, "123456789", 9) == 0xe3069283u, "crc32c check value");
	EXPECT(crc32c_table(0, "123456789", 9) == 0xe3069283u, "table check value");
	EXPECT(crc32c(crc32c(0, "1234", 4), "56789", 5) == 0xe3069283u, "crc32c continues");

	const size_t size = 7 * ONEFILE_BLOCK + 123;
	uint8_t *buf = malloc(size + 8);
	if (!buf)
		return 1;
	srand(7);
	for (size_t i = 0; i < size + 8; i++)
		buf[i] = (uint8_t)rand();

	int same = 1;
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len < 300; len++)
			same &= crc32c(0, buf + off, len) == crc32c_table(0, buf + off, len);
	EXPECT(same, "crc32c equals the table at every alignment and length");

	const size_t lens[] = {0,
			       1,
			       ONEFILE_BLOCK - 1,
			       ONEFILE_BLOCK,
			       3 * ONEFILE_BLOCK,
			       3 * ONEFILE_BLOCK + 5,
			       size};
	same = 1;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		same &= onefile_checksum(0, buf + 1, lens[i]) == reference(buf + 1, lens[i]);
	EXPECT(same, "onefile_checksum equals its definition");
	EXPECT(onefile_checksum(0, buf, 0) == 0, "an empty payload sums to 0");

	uint32_t whole = onefile_checksum(0, buf, size);
	same = 1;
	for (size_t k = 1; k <= 7; k++) {
		uint32_t head = onefile_checksum(0, buf, k * ONEFILE_BLOCK);
		same &= onefile_checksum(head, buf + k * ONEFILE_BLOCK, size - k * ONEFILE_BLOCK) ==
			whole;
	}
	EXPECT(same, "onefile_checksum continues over whole blocks");

	int seen = 1;
	const size_t flips[] = {0, 1, ONEFILE_BLOCK - 1, ONEFILE_BLOCK, 2 * ONEFILE_BLOCK + 77,
				size - 1};
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++)
		for (int bit = 0; bit < 8; bit++) {
			buf[flips[i]] ^= (uint8_t)(1u << bit);
			seen &= onefile_checksum(0, buf, size) != whole;
			buf[flips[i]] ^= (uint8_t)(1u << bit);
		}
	EXPECT(seen, "a flipped bit changes the checksum");
	EXPECT(onefile_checksum(0, buf, size) == whole, "flipped back, the checksum is back");
	free(buf);
	return expect_summary();
}
