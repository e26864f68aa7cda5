/* Process attribution (issue 20): the cgroup socket hooks of a tap's object
 * attached at the cgroup2 root, the sockets that exist at start recorded from
 * the kernel's socket table, the process filter's values, and cgroup ids
 * turned into paths and back.
 *
 * The cgroup2 root: the host's cgroup2 mount whose root is the hierarchy's
 * root (/proc/self/mountinfo), else a private mount made for the moment it
 * takes to open it: mount, open, detach (MNT_DETACH), remove the directory.
 * The open directory keeps the hierarchy reachable (hooks attach to it, paths
 * resolve under it) and nothing stays mounted, even after a SIGKILL. Every
 * process is in the cgroup2 root on a host that mounts only cgroup v1: the
 * hooks there still see every socket.
 *
 * The table at start: a sock_diag dump (per network namespace: the one the
 * capture runs in, where the tap programs look sockets up) gives each TCP and
 * UDP socket's cookie and inode; the "socket:[inode]" links in /proc/PID/fd
 * give the process holding it. Entries go in with BPF_NOEXIST: a hook that
 * recorded the socket meanwhile knows better. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include "../bpf/xskdump_abi.h"
#include "error.h"
#include "prog.h"
#include "shim.h"
#include "tap.h"

#define MAX_TAPS 8
#define MAX_DEPTH 64

/* The cgroup socket hooks: program and attach type. */
static const struct {
	const char *name;
	enum bpf_attach_type type;
} proc_hooks[] = {
	{ "proc_sock_create", BPF_CGROUP_INET_SOCK_CREATE },
	{ "proc_sock_release", BPF_CGROUP_INET_SOCK_RELEASE },
	{ "proc_connect4", BPF_CGROUP_INET4_CONNECT },
	{ "proc_connect6", BPF_CGROUP_INET6_CONNECT },
	{ "proc_bind4", BPF_CGROUP_INET4_BIND },
	{ "proc_bind6", BPF_CGROUP_INET6_BIND },
	{ "proc_sendmsg4", BPF_CGROUP_UDP4_SENDMSG },
	{ "proc_sendmsg6", BPF_CGROUP_UDP6_SENDMSG },
};
#define NHOOKS (sizeof(proc_hooks) / sizeof(*proc_hooks))

/* A tap's hook links, by tap handle. */
static int links[MAX_TAPS][NHOOKS];
static int links_used[MAX_TAPS];

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

static int cgroup_root_fd(void)
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

static int tap_index(int32_t tap)
{
	return tap >= 0 && tap < MAX_TAPS ? tap : -1;
}

int32_t xsk_proc_detach(int32_t tap)
{
	int i = tap_index(tap);
	size_t k;

	if (i < 0)
		return fail(-EBADF, "no such tap handle %d", tap);
	if (!links_used[i])
		return 0;
	for (k = 0; k < NHOOKS; k++)
		if (links[i][k] >= 0)
			close(links[i][k]);
	links_used[i] = 0;
	return 0;
}

int32_t xsk_proc_attach(int32_t tap)
{
	struct bpf_object *obj = tap_proc_object(tap);
	int i = tap_index(tap), root;
	size_t k;

	if (!obj)
		return -EINVAL;
	if (links_used[i])
		return fail(-EBUSY, "the process attribution's hooks are attached already");
	root = cgroup_root_fd();
	if (root < 0)
		return root;
	for (k = 0; k < NHOOKS; k++)
		links[i][k] = -1;
	links_used[i] = 1;
	for (k = 0; k < NHOOKS; k++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, proc_hooks[k].name);
		int fd = p ? bpf_link_create(bpf_program__fd(p), root, proc_hooks[k].type, NULL) : -1;

		if (fd < 0) {
			int err = p ? -errno : -ENOENT;

			xsk_proc_detach(tap);
			return fail(err, "attach the cgroup hook %s at the cgroup2 root",
				    proc_hooks[k].name);
		}
		links[i][k] = fd;
	}
	return 0;
}

static int obj_map(int32_t tap, const char *name)
{
	struct bpf_object *obj = tap_proc_object(tap);
	int fd;

	if (!obj)
		return -EINVAL;
	fd = bpf_object__find_map_fd_by_name(obj, name);
	return fd < 0 ? fail(-ENOENT, "the tap programs have no map %s", name) : fd;
}

/* ---- the table at start ---- */

struct owned {
	uint64_t inode;
	uint64_t cookie;
	int taken;
};

static int by_inode(const void *a, const void *b)
{
	const struct owned *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* Appends every socket of one family and protocol that has an inode. */
static int diag_dump(int nl, uint8_t family, uint8_t protocol, struct owned **v, size_t *n,
		     size_t *cap)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nh = { .nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = protocol },
		.req = { .sdiag_family = family, .sdiag_protocol = protocol, .idiag_states = ~0u },
	};
	static char buf[32768];

	if (send(nl, &msg, sizeof(msg), 0) < 0)
		return fail(-errno, "ask sock_diag for the sockets");
	for (;;) {
		ssize_t len = recv(nl, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (len < 0)
			return fail(-errno, "read sock_diag's answer");
		for (nh = (void *)buf; NLMSG_OK(nh, (size_t)len); nh = NLMSG_NEXT(nh, len)) {
			struct inet_diag_msg *m = NLMSG_DATA(nh);

			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				/* No such protocol here (a kernel without UDP diag): none. */
				return e->error == -ENOENT || e->error == -EINVAL ? 0 : e->error;
			}
			if (!m->idiag_inode)
				continue; /* TIME_WAIT, orphans: no process holds them */
			if (*n == *cap) {
				size_t c = *cap ? *cap * 2 : 1024;
				struct owned *w = realloc(*v, c * sizeof(*w));

				if (!w)
					return fail(-ENOMEM, "list the sockets");
				*v = w;
				*cap = c;
			}
			(*v)[*n].inode = m->idiag_inode;
			(*v)[*n].cookie = (uint64_t)m->id.idiag_cookie[0] |
					  (uint64_t)m->id.idiag_cookie[1] << 32;
			(*v)[*n].taken = 0;
			(*n)++;
		}
	}
}

/* The cgroup2 id of process pid (its "0::" line), 0 when unknown. */
static uint64_t pid_cgroup(int root, const char *pid)
{
	char path[64], line[512];
	uint64_t id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		struct stat st;
		char *p = line + 3;

		if (strncmp(line, "0::", 3))
			continue;
		p[strcspn(p, "\n")] = 0;
		while (*p == '/')
			p++;
		if (!fstatat(root, *p ? p : ".", &st, 0))
			id = st.st_ino;
		break;
	}
	fclose(f);
	return id;
}

/* The attribution of process pid (found in the table). */
static void pid_proc(int root, const char *pid, struct xskdump_proc *p)
{
	char path[64];
	ssize_t r;
	int fd;

	memset(p, 0, sizeof(*p));
	p->pid = p->tid = (uint32_t)atoi(pid);
	p->how = XSKDUMP_PROC_TABLE;
	p->cgroup_id = pid_cgroup(root, pid);
	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	r = read(fd, p->comm, sizeof(p->comm) - 1);
	close(fd);
	if (r > 0 && p->comm[r - 1] == '\n')
		p->comm[r - 1] = 0;
}

/* Records the sockets of v (sorted by inode) that process pid holds. */
static void scan_pid(int root, int map, const char *pid, struct owned *v, size_t n, uint64_t *out)
{
	char path[64], link[64];
	struct xskdump_proc p;
	int have = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (!d)
		return; /* gone, or a kernel thread */
	while ((e = readdir(d))) {
		struct owned key, *o;
		ssize_t r = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);

		if (r <= 0)
			continue;
		link[r] = 0;
		if (strncmp(link, "socket:[", 8))
			continue;
		key.inode = strtoull(link + 8, NULL, 10);
		o = bsearch(&key, v, n, sizeof(*v), by_inode);
		if (!o || o->taken)
			continue;
		o->taken = 1;
		out[XSKDUMP_TABLE_OWNED]++;
		if (!have) {
			pid_proc(root, pid, &p);
			have = 1;
		}
		if (!bpf_map_update_elem(map, &o->cookie, &p, BPF_NOEXIST))
			out[XSKDUMP_TABLE_ADDED]++;
	}
	closedir(d);
}

int32_t xsk_proc_table(int32_t tap, uint64_t *out, uint32_t n)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	static const uint8_t protocols[] = { IPPROTO_TCP, IPPROTO_UDP };
	uint64_t v[XSKDUMP_TABLE_WORDS] = { 0 };
	int map = obj_map(tap, "procs"), root = cgroup_root_fd(), nl, err = 0;
	struct owned *socks = NULL;
	size_t count = 0, cap = 0, f, q;
	struct dirent *e;
	uint32_t i;
	DIR *d;

	if (map < 0)
		return map;
	if (root < 0)
		return root;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return fail(-errno, "open a sock_diag socket");
	for (f = 0; !err && f < sizeof(families); f++)
		for (q = 0; !err && q < sizeof(protocols); q++)
			err = diag_dump(nl, families[f], protocols[q], &socks, &count, &cap);
	close(nl);
	if (err) {
		free(socks);
		return err;
	}
	v[XSKDUMP_TABLE_SOCKETS] = count;
	qsort(socks, count, sizeof(*socks), by_inode);
	d = count ? opendir("/proc") : NULL;
	while (d && (e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			scan_pid(root, map, e->d_name, socks, count, v);
	if (d)
		closedir(d);
	free(socks);
	for (i = 0; i < n && i < XSKDUMP_TABLE_WORDS; i++)
		out[i] = v[i];
	return (int32_t)i;
}

int32_t xsk_proc_want(int32_t tap, uint32_t kind, const uint8_t *values, uint32_t n)
{
	const char *name = kind == XSKDUMP_WANT_PID	    ? "want_pids"
			   : kind == XSKDUMP_WANT_COMM	    ? "want_comms"
			   : kind == XSKDUMP_WANT_CGROUP	    ? "want_cgroups"
			   : kind == XSKDUMP_WANT_CGROUP_PIDS ? "want_cgroup_pids"
							    : NULL;
	uint32_t size = kind == XSKDUMP_WANT_COMM ? 16 : kind == XSKDUMP_WANT_CGROUP ? 8 : 4, i;
	uint8_t one = 1;
	int map;

	if (!name)
		return fail(-EINVAL, "bad process filter kind %u", kind);
	map = obj_map(tap, name);
	if (map < 0)
		return map;
	for (i = 0; i < n; i++)
		if (bpf_map_update_elem(map, values + (size_t)i * size, &one, BPF_ANY))
			return fail(-errno, "add to the process filter (%s)", name);
	return 0;
}

/* Entries of a hash map (walked key by key: for summaries, not per packet). */
static uint64_t map_entries(int map)
{
	uint64_t key, next, n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(map, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

int32_t xsk_proc_counters(int32_t tap, uint64_t *out, uint32_t n)
{
	uint64_t v[XSKDUMP_PROC_STAT_WORDS] = { 0 };
	int cnt = obj_map(tap, "proc_counters"), live = obj_map(tap, "procs"),
	    closed = obj_map(tap, "procs_closed"), err;
	uint32_t i;

	if (cnt < 0 || live < 0 || closed < 0)
		return -ENOENT;
	err = counters_sum(cnt, XSKDUMP_PROC_CNT__MAX, v, XSKDUMP_PROC_CNT__MAX,
			   "the process attribution's counters");
	if (err < 0)
		return err;
	v[XSKDUMP_PROC_STAT_LIVE] = map_entries(live);
	v[XSKDUMP_PROC_STAT_CLOSED] = map_entries(closed);
	for (i = 0; i < n && i < XSKDUMP_PROC_STAT_WORDS; i++)
		out[i] = v[i];
	return (int32_t)i;
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
