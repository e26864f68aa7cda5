/* Process attribution (issue 20): the cgroup socket hooks of a tap's object
 * attached at the cgroup2 root (cgroups.c opens it), the sockets that exist
 * at start recorded from the kernel's socket table, and the process filter's
 * values.
 *
 * The table at start: a sock_diag dump (per network namespace: the one the
 * capture runs in, where the tap programs look sockets up) gives each TCP and
 * UDP socket's cookie and inode; the "socket:[inode]" links in /proc/PID/fd
 * give the process holding it. Entries go in with BPF_NOEXIST: a hook that
 * recorded the socket meanwhile knows better. Uses error.c, prog.c, tap.c and
 * cgroups.c. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "cgroups.h"
#include "error.h"
#include "prog.h"
#include "shim.h"
#include "tap.h"

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
