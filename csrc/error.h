/* Error reporting: the lowest layer of csrc/ (see the top of shim.h). Every
 * other file records its failures here. Includes no libbpf or libpcap header,
 * so filter.c (libpcap's struct bpf_insn) can include it too. */
#ifndef XSKDUMP_ERROR_H
#define XSKDUMP_ERROR_H

#include <stddef.h>
#include <stdint.h>

/* libbpf's last warning: often the real reason for a failure. Cleared before
 * a call whose failure it may explain, and by fail(). */
extern char libbpf_msg[256];

/* Records "<what>: <strerror> (libbpf: ...)" as the last error; returns -errno. */
__attribute__((format(printf, 2, 3))) int fail(int err, const char *fmt, ...);

/* Handles: programs, sockets and test filters each live in a table whose
 * entries start with `int used`. Takes the first free entry of table (n
 * entries of size bytes), zeroed; returns its index, or -EMFILE recorded as
 * "too many <what>". */
int slot_take(void *table, size_t size, int n, const char *what);
/* The entry of handle h in such a table, or NULL when h is out of range or free. */
void *slot_get(void *table, size_t size, int n, int32_t h);
/* The same for a handle the caller gave: NULL with "no such <what> <h>"
 * recorded as the last error (return -EBADF then). */
void *slot_find(void *table, size_t size, int n, int32_t h, const char *what);

/* Copies text into buf (NUL-terminated, truncated to len). Returns the length
 * copied, or text's whole length when buf is NULL or len 0 (a length query). */
int32_t text_out(const char *text, uint8_t *buf, uint32_t len);
/* Copies v[0..count) into out[0..n), what fits: an ABI call's u32 words.
 * Returns how many it copied. */
int32_t words_out(uint32_t *out, uint32_t n, const uint32_t *v, uint32_t count);

#endif
