/* The one file (`make onefile`, dist/xskdump): a static launcher with three
 * payloads appended, and a trailer at the very end that says where they are:
 *
 *   [launcher ELF][Deno runtime][bundled CLI][shim][struct onefile_trailer]
 *
 * The launcher (launcher.c) reads its own file through /proc/self/exe, checks
 * every part against the CRC-32C the packer (pack.c) wrote, copies each
 * payload into a sealed memfd and fexecve()s Deno on the bundle. Nothing is
 * written to disk. The layout is ours alone: launcher and packer are built
 * together from this header, so it carries a format number, not an ABI.
 */
#ifndef XSKDUMP_ONEFILE_H
#define XSKDUMP_ONEFILE_H

#include <stddef.h>
#include <stdint.h>

#define ONEFILE_MAGIC "XSKDUMP\x02" /* the last 8 bytes of the file; \x02: three parts */
#define ONEFILE_MAGIC_SIZE 8

enum onefile_part {
	ONEFILE_DENO = 0,   /* the Deno runtime, an ELF executable */
	ONEFILE_BUNDLE = 1, /* `deno bundle --minify` of cli/onefile_main.ts */
	ONEFILE_SHIM = 2,   /* libxskdump.so, stripped (it carries the XDP programs) */
	ONEFILE_PARTS = 3,
};

struct onefile_payload {
	uint64_t offset; /* from the start of the file */
	uint64_t size;
	uint32_t checksum; /* onefile_checksum() of the payload's bytes */
	uint32_t reserved;
};

/* Little-endian, as x86-64 and aarch64 lay it out. */
struct onefile_trailer {
	struct onefile_payload payload[ONEFILE_PARTS];
	uint64_t launcher_size; /* the ELF in front: payload[0] starts here */
	uint64_t file_size;     /* the whole file, trailer included */
	uint32_t launcher_checksum; /* onefile_checksum() of the launcher's bytes */
	uint32_t trailer_crc;   /* CRC-32C of this struct up to this field */
	char magic[ONEFILE_MAGIC_SIZE];
};

_Static_assert(sizeof(struct onefile_trailer) == 104, "trailer layout");

/* CRC-32C (Castagnoli, reflected, as iSCSI and ext4 use it): crc32c(0, p, n)
 * starts a checksum, crc32c(previous, p, n) continues it over the next bytes.
 * SSE4.2's crc32 instruction where the CPU has it, a table otherwise. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);
/* The table alone, whatever the CPU (the C test compares the two). */
uint32_t crc32c_table(uint32_t crc, const void *data, size_t len);

/* A payload's checksum: the CRC-32C of the sequence of its blocks' CRC-32Cs
 * (ONEFILE_BLOCK bytes each, the last one shorter; each CRC as 4 little-endian
 * bytes). Any damage within a block changes that block's CRC as CRC-32C
 * itself would notice it, and the blocks can be checked three at a time.
 * onefile_checksum(0, p, n) starts one; onefile_checksum(sum, p, n) continues
 * it, when every piece before was a whole number of blocks. */
#define ONEFILE_BLOCK 16384u
uint32_t onefile_checksum(uint32_t sum, const void *data, size_t len);

#endif
