/* What it takes to link Debian's static libbpf/libxdp/libelf/libzstd into a
 * shared object, so the shim needs nothing but libc on the target host.
 *
 * 1. Those archives are built as PIE, not PIC: their references to glibc's
 *    stdin/stdout/stderr are PC-relative, which a shared object cannot resolve
 *    against another library. Hidden local copies of the three pointers
 *    resolve them inside the shim; they point at glibc's own FILE objects.
 * 2. libelf's elf_error.o keeps its error code in a local-exec TLS variable,
 *    which is only valid in an executable. The Makefile drops that object
 *    from the archive and these functions take its place (same contract:
 *    elf_errno() returns and clears the last code). */
#include <stdio.h>

extern FILE _IO_2_1_stdin_, _IO_2_1_stdout_, _IO_2_1_stderr_;
__attribute__((visibility("hidden"))) FILE *stdin = &_IO_2_1_stdin_;
__attribute__((visibility("hidden"))) FILE *stdout = &_IO_2_1_stdout_;
__attribute__((visibility("hidden"))) FILE *stderr = &_IO_2_1_stderr_;

static __thread int elf_last_error;

__attribute__((visibility("hidden"))) int elf_errno(void);
__attribute__((visibility("hidden"))) void __libelf_seterrno(int value);
__attribute__((visibility("hidden"))) const char *elf_errmsg(int error);

int elf_errno(void)
{
	int e = elf_last_error;

	elf_last_error = 0;
	return e;
}

void __libelf_seterrno(int value)
{
	elf_last_error = value;
}

const char *elf_errmsg(int error)
{
	static __thread char buf[32];
	int e = error <= 0 ? elf_last_error : error;

	if (error == 0 && e == 0)
		return NULL;
	snprintf(buf, sizeof(buf), "libelf error %d", e);
	return buf;
}
