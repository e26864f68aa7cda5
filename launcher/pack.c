/* Build tool of `make onefile`: writes the one file from the static launcher
 * and the three payloads, with the trailer the launcher checks them by
 * (onefile.h).
 *
 *   onefile-pack OUT LAUNCHER DENO BUNDLE SHIM
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "onefile.h"

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "onefile-pack: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

/* Appends the file at path to out and returns its size and checksum. */
static int append(FILE *out, const char *path, uint64_t *size, uint32_t *sum)
{
	FILE *in = fopen(path, "rb");
	if (!in)
		return fail("cannot open", path);
	struct stat st;
	if (fstat(fileno(in), &st) < 0 || st.st_size <= 0) {
		fclose(in);
		if (st.st_size <= 0)
			errno = EINVAL;
		return fail("cannot use", path);
	}
	/* Whole, because the checksum is made of blocks, not of a stream. */
	unsigned char *buf = malloc((size_t)st.st_size);
	if (!buf || fread(buf, 1, (size_t)st.st_size, in) != (size_t)st.st_size) {
		free(buf);
		fclose(in);
		return fail("cannot read", path);
	}
	fclose(in);
	*size = (uint64_t)st.st_size;
	*sum = onefile_checksum(0, buf, (size_t)st.st_size);
	int bad = fwrite(buf, 1, (size_t)st.st_size, out) != (size_t)st.st_size;
	free(buf);
	return bad ? fail("cannot write", "the output") : 0;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: onefile-pack OUT LAUNCHER DENO BUNDLE SHIM\n");
		return 2;
	}
	const char *out_path = argv[1];
	FILE *out = fopen(out_path, "wb");
	if (!out)
		return fail("cannot create", out_path);
	struct onefile_trailer t;
	memset(&t, 0, sizeof(t));
	if (append(out, argv[2], &t.launcher_size, &t.launcher_checksum))
		return 1;
	uint64_t at = t.launcher_size;
	const char *inputs[ONEFILE_PARTS] = {
		[ONEFILE_DENO] = argv[3], [ONEFILE_BUNDLE] = argv[4], [ONEFILE_SHIM] = argv[5]};
	for (int i = 0; i < ONEFILE_PARTS; i++) {
		struct onefile_payload *p = &t.payload[i];
		p->offset = at;
		if (append(out, inputs[i], &p->size, &p->checksum))
			return 1;
		at += p->size;
	}
	t.file_size = at + sizeof(t);
	memcpy(t.magic, ONEFILE_MAGIC, ONEFILE_MAGIC_SIZE);
	t.trailer_crc = crc32c(0, &t, offsetof(struct onefile_trailer, trailer_crc));
	if (fwrite(&t, sizeof(t), 1, out) != 1 || fclose(out) != 0)
		return fail("cannot write", out_path);
	if (chmod(out_path, 0755) < 0)
		return fail("cannot chmod", out_path);
	return 0;
}
