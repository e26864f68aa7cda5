/* Error reporting: the last error's text, libbpf's and libxdp's warnings
 * folded into it, and the ABI version; the two helpers every layer above
 * shares (handle tables, text out). Uses no other file of csrc/. */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "shim.h"

static char last_error[512];
char libbpf_msg[256];

int fail(int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err > 0)
		err = -err;
	va_start(ap, fmt);
	n = vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(last_error))
		snprintf(last_error + n, sizeof(last_error) - (size_t)n, ": %s%s%s", strerror(-err),
			 libbpf_msg[0] ? " (libbpf: " : "", libbpf_msg[0] ? libbpf_msg : "");
	if (libbpf_msg[0]) {
		/* close the parenthesis without growing past the buffer */
		size_t l = strlen(last_error);
		if (l + 1 < sizeof(last_error)) {
			last_error[l] = ')';
			last_error[l + 1] = 0;
		}
	}
	libbpf_msg[0] = 0;
	return err;
}

int slot_take(void *table, size_t size, int n, const char *what)
{
	int h, used;

	for (h = 0; h < n; h++) {
		char *e = (char *)table + (size_t)h * size;

		memcpy(&used, e, sizeof(used));
		if (!used) {
			memset(e, 0, size);
			return h;
		}
	}
	return fail(-EMFILE, "too many %s", what);
}

void *slot_get(void *table, size_t size, int n, int32_t h)
{
	char *e;
	int used;

	if (h < 0 || h >= n)
		return NULL;
	e = (char *)table + (size_t)h * size;
	memcpy(&used, e, sizeof(used));
	return used ? e : NULL;
}

void *slot_find(void *table, size_t size, int n, int32_t h, const char *what)
{
	void *e = slot_get(table, size, n, h);

	if (!e)
		fail(-EBADF, "no such %s %d", what, h);
	return e;
}

int32_t text_out(const char *text, uint8_t *buf, uint32_t len)
{
	size_t l = strlen(text);

	if (!buf || !len)
		return (int32_t)l;
	if (l >= len)
		l = len - 1;
	memcpy(buf, text, l);
	buf[l] = 0;
	return (int32_t)l;
}

int32_t words_out(uint32_t *out, uint32_t n, const uint32_t *v, uint32_t count)
{
	uint32_t i;

	for (i = 0; i < n && i < count; i++)
		out[i] = v[i];
	return (int32_t)i;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(libbpf_msg)];
	size_t l;

	if (getenv("XSKDUMP_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	l = strlen(line);
	while (l && (line[l - 1] == '\n' || line[l - 1] == ' '))
		line[--l] = 0;
	memcpy(libbpf_msg, line, l + 1);
	return 0;
}

static int libxdp_log(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return libbpf_log(level == LIBXDP_WARN ? LIBBPF_WARN : LIBBPF_DEBUG, fmt, ap);
}

__attribute__((constructor)) static void shim_init(void)
{
	libbpf_set_print(libbpf_log);
	libxdp_set_print(libxdp_log);
}

int32_t xsk_abi_version(void)
{
	return XSKDUMP_ABI_VERSION;
}

int32_t xsk_last_error(uint8_t *buf, uint32_t len)
{
	return text_out(last_error, buf, len);
}
