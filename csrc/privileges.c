/* -Z USER: root given up once the capture is set up, as tcpdump's droproot()
 * does it: the user's supplementary groups (initgroups), its primary group,
 * then its uid. Deno cannot do this; glibc's set*id calls change every thread
 * of the process (its setxid broadcast reaches every pthread, and Deno's
 * threads are pthreads), so nothing keeps running as root. Uses error.c. */
#include "shim.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/* getpwnam_r into a buffer of its own size. 0, -ENOENT or -errno. */
static int user_lookup(const char *user, struct passwd *pw, char **mem)
{
	struct passwd *found = NULL;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	int err;

	if (size < 1024)
		size = 1024;
	for (;;) {
		*mem = malloc((size_t)size);
		if (!*mem)
			return -ENOMEM;
		err = getpwnam_r(user, pw, *mem, (size_t)size, &found);
		if (err != ERANGE || size > (1 << 20))
			break;
		free(*mem);
		size *= 2;
	}
	if (err)
		return -err;
	return found ? 0 : -ENOENT;
}

/* Whether -Z has anything to give up: tcpdump drops only when uid or euid is 0. */
static int running_as_root(void)
{
	return getuid() == 0 || geteuid() == 0;
}

int32_t xsk_user_ids(const char *user, uint32_t *out, uint32_t n)
{
	struct passwd pw;
	char *mem = NULL;
	int err;

	if (!user || !*user || !out || n < XSKDUMP_USER_WORDS)
		return fail(-EINVAL, "user: no name or no room");
	err = user_lookup(user, &pw, &mem);
	if (!err) {
		out[0] = pw.pw_uid;
		out[1] = pw.pw_gid;
		out[2] = (uint32_t)running_as_root();
	}
	free(mem);
	if (err == -ENOENT)
		return fail(err, "no user '%.32s'", user);
	return err ? fail(err, "look up user '%.32s'", user) : 0;
}

int32_t xsk_drop_privileges(const char *user)
{
	struct passwd pw;
	char *mem = NULL;
	int err;

	if (!user || !*user)
		return fail(-EINVAL, "drop privileges: no user");
	if (!running_as_root())
		return 0;
	err = user_lookup(user, &pw, &mem);
	if (err) {
		free(mem);
		return fail(err, err == -ENOENT ? "no user '%.32s'" : "look up user '%.32s'", user);
	}
	if (initgroups(pw.pw_name, pw.pw_gid) || setgid(pw.pw_gid) || setuid(pw.pw_uid)) {
		err = -errno;
		free(mem);
		return fail(err, "change to user '%.32s' (uid %u, gid %u)", user, pw.pw_uid, pw.pw_gid);
	}
	/* Root must be gone for good: a process that could take uid 0 back has
	 * dropped nothing. */
	if (pw.pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		free(mem);
		return fail(-EPERM, "user '%.32s': uid 0 could be taken back", user);
	}
	free(mem);
	return 1;
}
