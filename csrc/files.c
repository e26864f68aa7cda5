/* Files the command line names that Deno will not open. Deno grants paths
 * under /dev, /proc and /sys only with --allow-all, which xskdump never has,
 * so a tcpdump user's `-w /dev/shm/x.pcap`, `-r /dev/fd/3` or
 * `-w /proc/self/fd/4` are opened, read, written, cut and given away (-Z)
 * here, the way tcpdump's stdio does it: open(2) of the name as given. Only
 * for those names: every other file stays Deno's, under its permissions.
 * Uses error.c. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

int32_t xsk_file_open(const char *path, uint32_t mode)
{
	int fd;

	if (!path || !*path || mode > XSKDUMP_FILE_WRITE)
		return fail(-EINVAL, "open: no path or a bad mode");
	/* Write: what fopen(path, "w") does for tcpdump -w. */
	fd = mode == XSKDUMP_FILE_WRITE
		     ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)
		     : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(-errno, "open");
	return fd;
}

int32_t xsk_file_read(int32_t fd, uint8_t *buf, uint32_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len > INT32_MAX ? INT32_MAX : len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? fail(-errno, "read") : (int32_t)n;
}

int32_t xsk_file_write(int32_t fd, const uint8_t *buf, uint32_t len)
{
	ssize_t n;

	do
		n = write(fd, buf, len > INT32_MAX ? INT32_MAX : len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? fail(-errno, "write") : (int32_t)n;
}

int32_t xsk_file_truncate(int32_t fd, uint64_t len)
{
	if (len > (uint64_t)INT64_MAX)
		return fail(-EINVAL, "truncate");
	return ftruncate(fd, (off_t)len) ? fail(-errno, "truncate") : 0;
}

int32_t xsk_file_regular(int32_t fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return fail(-errno, "stat");
	return S_ISREG(st.st_mode) ? 1 : 0;
}

int32_t xsk_file_close(int32_t fd)
{
	return close(fd) ? fail(-errno, "close") : 0;
}

int32_t xsk_path_chown(const char *path, uint32_t uid, uint32_t gid)
{
	if (!path || !*path)
		return fail(-EINVAL, "chown: no path");
	return chown(path, (uid_t)uid, (gid_t)gid) ? fail(-errno, "chown") : 0;
}
