/* Cgroups for process attribution (issue 20): the cgroup2 root the hooks
 * attach at, and cgroup ids turned into paths and back (and, on a host that
 * mounts only cgroup v1, the processes in a v1 cgroup).
 *
 * The cgroup2 root: the host's cgroup2 mount whose root is the hierarchy's
 * root (/proc/self/mountinfo), else a private mount made for the moment it
 * takes to open it: mount, open, detach (MNT_DETACH), remove the directory.
 * The open directory keeps the hierarchy reachable (hooks attach to it, paths
 * resolve under it) and nothing stays mounted, even after a SIGKILL. Every
 * process is in the cgroup2 root on a host that mounts only cgroup v1: the
 * hooks there still see every socket. Uses error.c. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroups.h"
#include "error.h"
#include "shim.h"

#define MAX_DEPTH 64

static int cg_fd = -1;
static int cg_kind;
static char cg_mount[256];

/* The mount point of a cgroup2 mount of the hierarchy's root, into out. */
static int cgroup2_mounted(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char root[256], point[256], *dash = strstr(line, " - ");
		char fstype[32];

		if (!dash || sscanf(line, "%*s %*s %*s %255s %255s", root, point) != 2 ||
		    sscanf(dash + 3, "%31s", fstype) != 1)
			continue;
		if (!strcmp(fstype, "cgroup2") && !strcmp(root, "/") && strlen(point) < len) {
			snprintf(out, len, "%s", point);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* The new mount API (Linux 5.2): a mount made detached, with no mount point
 * at all, so nothing needs a writable directory (a read-only /tmp). */
#define XSK_FSOPEN_CLOEXEC 1
#define XSK_FSCONFIG_SET_FLAG 0
#define XSK_FSCONFIG_SET_STRING 1
#define XSK_FSCONFIG_CMD_CREATE 6
#define XSK_FSMOUNT_CLOEXEC 1

/* A detached mount of fstype with options "a,b,name=x" (NULL: none): the fd
 * of its root, or -errno. */
static int detached_mount(const char *fstype, const char *opts)
{
	char buf[128], *save = NULL, *o;
	int fs = (int)syscall(SYS_fsopen, fstype, XSK_FSOPEN_CLOEXEC), fd = -1, err = 0;

	if (fs < 0)
		return -errno;
	snprintf(buf, sizeof(buf), "%s", opts ? opts : "");
	for (o = strtok_r(buf, ",", &save); o && !err; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');

		if (eq)
			*eq = 0;
		if (syscall(SYS_fsconfig, fs, eq ? XSK_FSCONFIG_SET_STRING : XSK_FSCONFIG_SET_FLAG, o,
			    eq ? eq + 1 : NULL, 0))
			err = -errno;
	}
	if (!err && syscall(SYS_fsconfig, fs, XSK_FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		err = -errno;
	if (!err) {
		fd = (int)syscall(SYS_fsmount, fs, XSK_FSMOUNT_CLOEXEC, 0);
		if (fd < 0)
			err = -errno;
	}
	close(fs);
	return err ? err : fd;
}

/* A private cgroup2 mount, opened and detached at once: made detached where
 * the kernel has the new mount API, else mounted on a new directory in /tmp,
 * opened, detached and the directory removed. */
static int cgroup2_private(void)
{
	char dir[] = "/tmp/xskdump-cgroup2.XXXXXX";
	int fd = detached_mount("cgroup2", NULL), err = 0;

	if (fd >= 0)
		return fd;
	if (!mkdtemp(dir))
		return fail(-errno, "make a directory for a private cgroup2 mount");
	if (mount("none", dir, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		err = -errno;
		rmdir(dir);
		return fail(err, "mount cgroup2 (the process attribution's hooks attach at its root)");
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err = -errno;
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return fd < 0 ? fail(err, "open the cgroup2 root") : fd;
}

int cgroup_root_fd(void)
{
	if (cg_fd >= 0)
		return cg_fd;
	if (cgroup2_mounted(cg_mount, sizeof(cg_mount))) {
		cg_fd = open(cg_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg_fd < 0)
			return fail(-errno, "open the cgroup2 root %s", cg_mount);
		cg_kind = XSKDUMP_CGROUP_MOUNTED;
		return cg_fd;
	}
	cg_mount[0] = 0;
	cg_fd = cgroup2_private();
	if (cg_fd >= 0)
		cg_kind = XSKDUMP_CGROUP_PRIVATE;
	return cg_fd;
}

int32_t xsk_cgroup_root(uint8_t *path, uint32_t len)
{
	int fd = cgroup_root_fd();

	if (fd < 0)
		return fd;
	if (path && len)
		snprintf((char *)path, len, "%s", cg_mount);
	return cg_kind;
}

/* ---- cgroup paths and ids ---- */

struct walk {
	char path[4096];
	const char *spec; /* container id to find in names */
	uint64_t want;    /* id to find (xsk_cgroup_path) */
	uint64_t *out;    /* ids found (xsk_cgroup_ids) */
	uint32_t *pids;   /* pids found (xsk_cgroup1_pids) */
	uint32_t max, n;
	int found;
};

/* A directory stream of its own over dir: a dup would share dir's offset, and
 * the next walk from the same fd (the root's) would start at its end. */
static DIR *dir_stream(int dir)
{
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (!d && fd >= 0)
		close(fd);
	return d;
}

/* Calls visit with every child cgroup (directory) of dir, opened, and its
 * name; stops early once the walk found what it looks for. */
static void children(int dir, struct walk *w, int depth,
		     void (*visit)(int sub, const char *name, struct walk *w, int depth))
{
	struct dirent *e;
	DIR *d;

	if (depth >= MAX_DEPTH || !(d = dir_stream(dir)))
		return;
	while (!w->found && (e = readdir(d))) {
		int sub;

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;
		visit(sub, e->d_name, w, depth + 1);
		close(sub);
	}
	closedir(d);
}

static void add_subtree(int dir, struct walk *w, int depth);

static void subtree_visit(int sub, const char *name, struct walk *w, int depth)
{
	(void)name;
	add_subtree(sub, w, depth);
}

/* Adds dir's id and those of every cgroup below it. */
static void add_subtree(int dir, struct walk *w, int depth)
{
	struct stat st;

	if (fstat(dir, &st))
		return;
	if (w->n < w->max)
		w->out[w->n] = st.st_ino;
	w->n++;
	children(dir, w, depth, subtree_visit);
}

/* Finds cgroups by container id (spec) or by id (want) below a directory,
 * whose path from the root is w->path: sub, named name, is one child. */
static void find_visit(int sub, const char *name, struct walk *w, int depth)
{
	size_t len = strlen(w->path);
	struct stat st;

	if (len + 1 + strlen(name) >= sizeof(w->path))
		return;
	snprintf(w->path + len, sizeof(w->path) - len, "/%s", name);
	if (w->spec && strstr(name, w->spec))
		add_subtree(sub, w, depth);
	else if (w->want && !fstat(sub, &st) && st.st_ino == w->want)
		w->found = 1;
	else
		children(sub, w, depth, find_visit);
	if (!w->found)
		w->path[len] = 0;
}

int32_t xsk_cgroup_ids(const char *spec, uint32_t container, uint64_t *out, uint32_t max)
{
	struct walk w = { .out = out, .max = max };
	int root = cgroup_root_fd();

	if (root < 0)
		return root;
	if (!spec || !*spec)
		return fail(-EINVAL, "no cgroup given");
	if (container) {
		w.spec = spec;
		children(root, &w, 0, find_visit);
	} else {
		const char *rel = spec;
		int dir;

		while (*rel == '/')
			rel++;
		dir = openat(root, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			return fail(-ENOENT, "no cgroup %s in the cgroup2 hierarchy", spec);
		add_subtree(dir, &w, 0);
		close(dir);
	}
	if (!w.n)
		return fail(-ENOENT, "no cgroup has %s in its name", spec);
	if (w.n > max)
		return fail(-E2BIG, "%s matches %u cgroups, more than %u", spec, w.n, max);
	return (int32_t)w.n;
}

int32_t xsk_cgroup_path(uint64_t id, uint8_t *path, uint32_t len)
{
	struct walk w = { .want = id };
	int root = cgroup_root_fd();
	struct stat st;

	if (root < 0)
		return root;
	if (!fstat(root, &st) && st.st_ino == id)
		w.found = 1;
	else
		children(root, &w, 0, find_visit);
	if (!w.found)
		return fail(-ENOENT, "no cgroup with id %llu", (unsigned long long)id);
	return (int32_t)snprintf((char *)path, len, "%s", w.path[0] ? w.path : "/");
}

/* ---- cgroup v1 ---- */

static void add_pids(int dir, struct walk *w, int depth);

static void pids_visit(int sub, const char *name, struct walk *w, int depth)
{
	(void)name;
	add_pids(sub, w, depth);
}

/* Adds the pids in cgroup.procs of dir and of every cgroup below it. */
static void add_pids(int dir, struct walk *w, int depth)
{
	int fd = openat(dir, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
	unsigned long pid;

	if (fd >= 0 && !f)
		close(fd);
	while (f && fscanf(f, "%lu", &pid) == 1) {
		if (w->n < w->max)
			w->pids[w->n] = (uint32_t)pid;
		w->n++;
	}
	if (f)
		fclose(f);
	children(dir, w, depth, pids_visit);
}

/* Finds v1 cgroups whose directory names hold w->spec: their pids. */
static void find_v1_visit(int sub, const char *name, struct walk *w, int depth)
{
	if (strstr(name, w->spec))
		add_pids(sub, w, depth);
	else
		children(sub, w, depth, find_v1_visit);
}

/* One cgroup v1 hierarchy, opened through a private mount made for the moment
 * it takes to open it (as the cgroup2 root's): `ip netns exec` gives its
 * command a fresh /sys without the host's cgroup mounts, and a v1 mount with
 * the same controllers joins the existing hierarchy. -errno when it fails. */
static int cgroup1_open(const char *controllers)
{
	char dir[] = "/tmp/xskdump-cgroup1.XXXXXX", opts[128];
	int fd = detached_mount("cgroup", controllers), err = 0;

	if (fd >= 0)
		return fd;
	if (!strncmp(controllers, "name=", 5))
		snprintf(opts, sizeof(opts), "none,%s", controllers);
	else
		snprintf(opts, sizeof(opts), "%s", controllers);
	if (!mkdtemp(dir))
		return -errno;
	if (mount("cgroup", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts)) {
		err = -errno;
		rmdir(dir);
		return err;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err = -errno;
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return fd < 0 ? err : fd;
}

int32_t xsk_cgroup1_pids(const char *spec, uint32_t container, uint32_t *out, uint32_t max)
{
	struct walk w = { .pids = out, .max = max };
	FILE *f;
	char line[512];
	int found = 0;

	if (!spec || !*spec)
		return fail(-EINVAL, "no cgroup given");
	/* This process's hierarchies: "ID:CONTROLLERS:PATH", v2's ID is 0. */
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return fail(-errno, "read /proc/self/cgroup");
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *end;
		const char *rel = spec;
		int m, dir;

		if (!ctl || !strncmp(line, "0:", 2) || !(end = strchr(ctl + 1, ':')) || end == ctl + 1)
			continue;
		*end = 0;
		m = cgroup1_open(ctl + 1);
		if (m < 0)
			continue;
		if (container) {
			w.spec = spec;
			children(m, &w, 0, find_v1_visit);
		} else {
			while (*rel == '/')
				rel++;
			dir = *rel ? openat(m, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
			if (dir >= 0) {
				found = 1;
				add_pids(dir, &w, 0);
				close(dir);
			}
		}
		close(m);
	}
	fclose(f);
	if (!w.n && !found)
		return fail(-ENOENT, "no cgroup v1 %s%s", container ? "has " : "", spec);
	if (w.n > max)
		return fail(-E2BIG, "%s holds %u processes, more than %u", spec, w.n, max);
	return (int32_t)w.n;
}
