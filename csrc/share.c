/* Several captures on one interface, and who holds what.
 *
 * An interface has one XDP hook per mode and the kernel allows one program
 * there, so a second xskdump on the same interface cannot attach its own. It
 * joins the first one's instead, when that is exactly our program (the same
 * tag: the same build of bpf/xskdump.bpf.c):
 *
 *   - it takes its own fd on the program's BPF link (bpf_link_get_fd_by_id):
 *     a link lives while any fd refers to it, so the program stays attached
 *     until the last capture exits, by SIGKILL too, and goes with it;
 *   - it takes its own fds on the maps: the XSKMAP (its socket goes in at its
 *     queue's slot), the counters, and the prog array of filter and capture
 *     stages. The kernel empties a prog array when its last user reference
 *     goes, which would silently drop the filter stage (and so capture
 *     unfiltered) once the first process exits: holding the map keeps it;
 *   - it waits until the owner has opened its first socket (the capture
 *     stage is installed then, after any filter), so the filter it compares
 *     with is final, and refuses a different filter, or none where there is
 *     one (prog_filter_compare in filter_prog.c, above this file);
 *   - a queue that already has an AF_XDP socket stays refused by the kernel
 *     (EBUSY at bind); queue_holder() then names the process.
 *
 * The ids of programs, maps and links turn into fds only with CAP_SYS_ADMIN.
 * Who holds a link or socket is read from /proc (root, or the same user).
 *
 * Below the program layer (prog.c): this file knows fds and ids, not program
 * handles. Uses host.c and error.c. */
#define _GNU_SOURCE
#include "share.h"

#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/xdp_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/xskdump_abi.h"
#include "error.h"
#include "host.h"
#include "shim.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

/* How long a joiner waits for the owner to finish setting up. */
#define READY_WAIT_MS 2000

static const char *mode_name(int mode)
{
	return mode == XSKDUMP_MODE_NATIVE ? "native" : "generic";
}

static void append(char *buf, size_t len, const char *fmt, int pid)
{
	size_t used = strlen(buf);

	if (used + 1 < len)
		snprintf(buf + used, len - used, fmt, pid);
}

/* 1 when /proc/PID/fdinfo/FD is a BPF link with this id. */
static int fdinfo_link_id(int pid, const char *fd, uint32_t link_id)
{
	char path[320], line[128];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "link_id:", 8))
			found = strtoul(line + 8, NULL, 10) == link_id;
	fclose(f);
	return found;
}

/* Appends the other processes that have an fd whose /proc link text is
 * `target` (and, with link_id, that is this BPF link) as "<fmt pid>, ...". */
static void fd_holders(const char *target, uint32_t link_id, const char *fmt, char *buf,
		       size_t len)
{
	struct dirent *pe, *fe;
	DIR *proc, *fds;
	int found = 0;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((pe = readdir(proc)) && found < 4) {
		char path[64], lpath[320], t[64];
		int pid = atoi(pe->d_name);
		ssize_t l;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue; /* gone, or not ours to read */
		while ((fe = readdir(fds))) {
			if (fe->d_name[0] == '.')
				continue;
			snprintf(lpath, sizeof(lpath), "%s/%s", path, fe->d_name);
			l = readlink(lpath, t, sizeof(t) - 1);
			if (l <= 0)
				continue;
			t[l] = 0;
			if (strcmp(t, target) || (link_id && !fdinfo_link_id(pid, fe->d_name, link_id)))
				continue;
			append(buf, len, found++ ? ", %d" : fmt, pid);
			break;
		}
		closedir(fds);
	}
	closedir(proc);
}

static uint32_t link_id_of(int fd)
{
	struct bpf_link_info li;
	__u32 len = sizeof(li);

	memset(&li, 0, sizeof(li));
	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &li, &len) ? li.id : 0;
}

void link_holders(int link_fd, char *buf, size_t len)
{
	uint32_t id = link_id_of(link_fd);

	buf[0] = 0;
	if (id)
		fd_holders("anon_inode:bpf_link", id, "xskdump pid %d", buf, len);
}

/* The inode of the AF_XDP socket bound to ifindex/queue (sock_diag), or 0. */
static unsigned long queue_socket(int ifindex, uint32_t queue)
{
	struct {
		struct nlmsghdr nlh;
		struct xdp_diag_req req;
	} r;
	union {
		char bytes[16384];
		struct nlmsghdr align;
	} buf;
	unsigned long ino = 0;
	int fd, done = 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return 0;
	memset(&r, 0, sizeof(r));
	r.nlh.nlmsg_len = sizeof(r);
	r.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.req.sdiag_family = AF_XDP;
	r.req.xdiag_show = XDP_SHOW_INFO;
	if (send(fd, &r, sizeof(r), 0) < 0)
		done = 1;
	while (!done) {
		ssize_t n = recv(fd, buf.bytes, sizeof(buf.bytes), 0);
		struct nlmsghdr *h = &buf.align;
		int left = (int)n;

		if (n <= 0)
			break;
		for (; NLMSG_OK(h, (unsigned)left); h = NLMSG_NEXT(h, left)) {
			struct xdp_diag_msg *m = NLMSG_DATA(h);
			struct rtattr *a = (struct rtattr *)(m + 1);
			int alen = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*m));

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				struct xdp_diag_info *i = RTA_DATA(a);

				if (a->rta_type == XDP_DIAG_INFO && i->ifindex == (uint32_t)ifindex &&
				    i->queue_id == queue)
					ino = m->xdiag_ino;
			}
		}
	}
	close(fd);
	return ino;
}

void queue_holder(int ifindex, uint32_t queue, char *buf, size_t len)
{
	char target[48], comm[32] = "", path[48];
	unsigned long ino = queue_socket(ifindex, queue);
	size_t l;
	FILE *f;
	int pid;

	buf[0] = 0;
	if (!ino)
		return;
	snprintf(target, sizeof(target), "socket:[%lu]", ino);
	fd_holders(target, 0, "pid %d", buf, len);
	if (sscanf(buf, "pid %d", &pid) != 1)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
	}
	l = strlen(comm);
	while (l && comm[l - 1] == '\n')
		comm[--l] = 0;
	if (l && strlen(buf) + l + 4 < len)
		snprintf(buf + strlen(buf), len - strlen(buf), " (%s)", comm);
}

/* The fd of the XDP link that attaches prog_id to ifindex; -ENOENT if none. */
static int find_link(int ifindex, uint32_t prog_id)
{
	__u32 id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info li;
		__u32 len = sizeof(li);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue; /* released meanwhile */
		memset(&li, 0, sizeof(li));
		/* A detached link reports ifindex 0. */
		if (!bpf_obj_get_info_by_fd(fd, &li, &len) && li.type == BPF_LINK_TYPE_XDP &&
		    li.xdp.ifindex == (__u32)ifindex && li.prog_id == prog_id)
			return fd;
		close(fd);
	}
	return errno == ENOENT ? -ENOENT : -errno;
}

static int prog_info(int fd, struct bpf_prog_info *info, __u32 *map_ids, __u32 nmaps)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (map_ids) {
		info->nr_map_ids = nmaps;
		info->map_ids = (__u64)(unsigned long)map_ids;
	}
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int share_join(int ifindex, const char *ifname, int our_prog_fd, uint32_t mode,
	       struct joined_prog *out)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info ours, theirs;
	__u32 map_ids[8], id, i, key = XSKDUMP_STAGE_CAPTURE, val;
	/* xsks, counters, stages, qcounters */
	static const char *const names[4] = { "xsks", "counters", "stages", "qcounters" };
	int fds[4] = { -1, -1, -1, -1 };
	char who[160] = "";
	int pfd = -1, lfd = -1, err, attached;
	int64_t deadline;

	if (bpf_xdp_query(ifindex, 0, &q))
		return fail(-errno, "query XDP on %s", ifname);
	id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	if (!id)
		return -EAGAIN; /* detached meanwhile: attach again */
	attached = q.drv_prog_id == id ? XSKDUMP_MODE_NATIVE : XSKDUMP_MODE_GENERIC;
	pfd = bpf_prog_get_fd_by_id(id);
	if (pfd < 0) {
		if (errno == ENOENT)
			return -EAGAIN;
		if (errno == EPERM && !cap_effective(CAP_SYS_ADMIN))
			return fail(-EPERM,
				    "%s already has XDP program %u attached (%s mode); sharing it with "
				    "another capture needs CAP_SYS_ADMIN, which is missing",
				    ifname, id, mode_name(attached));
		return fail(-errno, "%s already has XDP program %u attached; open it", ifname, id);
	}
	err = prog_info(pfd, &theirs, map_ids, 8);
	if (!err)
		err = prog_info(our_prog_fd, &ours, NULL, 0);
	if (err) {
		err = fail(err, "read XDP program %u on %s", id, ifname);
		goto out;
	}
	lfd = find_link(ifindex, id);
	if (strcmp(theirs.name, XSKDUMP_PROG_NAME)) {
		if (lfd >= 0)
			fd_holders("anon_inode:bpf_link", link_id_of(lfd), ", held by pid %d", who,
				   sizeof(who));
		err = fail(-EBUSY,
			   "%s already has another XDP program attached (id %u, '%s', %s mode%s): "
			   "xskdump needs the interface's XDP hook",
			   ifname, id, theirs.name, mode_name(attached), who);
		goto out;
	}
	if (lfd == -ENOENT) {
		err = -EAGAIN; /* its last capture exited meanwhile */
		goto out;
	}
	if (lfd < 0) {
		err = fail(lfd, "find the BPF link of XDP program %u on %s", id, ifname);
		goto out;
	}
	fd_holders("anon_inode:bpf_link", link_id_of(lfd), "xskdump pid %d", who, sizeof(who));
	if (!who[0])
		snprintf(who, sizeof(who), "another xskdump");
	if (memcmp(theirs.tag, ours.tag, sizeof(ours.tag))) {
		err = fail(-EBUSY, "%s is captured by %s, of another version: stop it first",
			   ifname, who);
		goto out;
	}
	if (mode != XSKDUMP_MODE_AUTO && (int)mode != attached) {
		err = fail(-EBUSY,
			   "%s is captured by %s in %s mode: a second capture shares its XDP "
			   "program, so it cannot use --mode %s; use --mode %s or auto",
			   ifname, who, mode_name(attached), mode_name((int)mode),
			   mode_name(attached));
		goto out;
	}
	for (i = 0; i < theirs.nr_map_ids && i < 8; i++) {
		struct bpf_map_info mi;
		__u32 len = sizeof(mi);
		int k, fd = bpf_map_get_fd_by_id(map_ids[i]);

		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		k = bpf_obj_get_info_by_fd(fd, &mi, &len) ? 4 : 0;
		for (; k < 4; k++)
			if (!strcmp(mi.name, names[k]) && fds[k] < 0) {
				fds[k] = fd;
				break;
			}
		if (k == 4)
			close(fd);
	}
	for (i = 0; i < 4; i++)
		if (fds[i] < 0) {
			err = fail(-ENOENT, "XDP program %u on %s has no map '%s'", id, ifname,
				   names[i]);
			goto out;
		}
	/* Ready once the owner opened its first socket: its filter is final. */
	deadline = now_ms() + READY_WAIT_MS;
	while (bpf_map_lookup_elem(fds[2], &key, &val)) {
		if (errno != ENOENT) {
			err = fail(-errno, "read the stages of XDP program %u on %s", id, ifname);
			goto out;
		}
		if (now_ms() >= deadline) {
			err = fail(-EBUSY, "%s: the capture of %s is not ready (still starting, or "
					   "stopped); try again", ifname, who);
			goto out;
		}
		usleep(10000); /* polled with a deadline: the owner sets it within ms */
	}
	close(pfd);
	out->link_fd = lfd;
	out->xsks_fd = fds[0];
	out->counters_fd = fds[1];
	out->stages_fd = fds[2];
	out->qcounters_fd = fds[3];
	out->mode = attached;
	return 0;
out:
	for (i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (lfd >= 0)
		close(lfd);
	close(pfd);
	return err;
}
