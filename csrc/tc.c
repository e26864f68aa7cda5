/* tc hooks: a program at an interface's tc ingress or egress, as a tcx BPF
 * link (Linux 6.6+), else as a clsact filter: the one attachment that is not a
 * link, so it outlives a SIGKILL; the caller records its handle before
 * (lib/host/tc_state.ts) and xsk_tc_detach removes a leftover. Tap mode
 * (tap.c) attaches its tc programs here. Uses error.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include "../bpf/uapi_next.h"
#include "error.h"
#include "shim.h"
#include "tc.h"

/* The priority of xskdump's clsact filters (where tcx is missing). */
#define TC_PRIORITY 1

/* 1 when XSKDUMP_TC=clsact: the clsact fallback on a kernel that has tcx (tests). */
static int clsact_forced(void)
{
	const char *v = getenv("XSKDUMP_TC");

	return v && !strcmp(v, "clsact");
}

/* Number of filters on one side of ifindex's clsact qdisc (a netlink dump). */
static int clsact_filters(int ifindex, int egress)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETTFILTER,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.tc = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex,
			.tcm_parent = TC_H_MAKE(TC_H_CLSACT,
						egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS) },
	};
	char buf[16384];
	int fd, n = 0, done = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		n = -errno;
		done = 1;
	}
	while (!done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (len < 0) {
			n = -errno;
			break;
		}
		for (nh = (void *)buf; NLMSG_OK(nh, (size_t)len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				n = e->error == -EINVAL || e->error == -ENOENT ? 0 : e->error;
				done = 1;
				break;
			}
			if (nh->nlmsg_type == RTM_NEWTFILTER)
				n++;
		}
	}
	close(fd);
	return n;
}

int clsact_detach(int ifindex, int egress, uint32_t handle)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = TC_PRIORITY);
	int err = bpf_tc_detach(&hook, &opts);

	return err == -ENOENT || err == -EINVAL ? 0 : err;
}

void clsact_remove_if_empty(int ifindex)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

	if (clsact_filters(ifindex, 0) == 0 && clsact_filters(ifindex, 1) == 0)
		bpf_tc_hook_destroy(&hook);
}

int tc_attach(int ifindex, const char *ifname, int prog_fd, int egress, uint32_t handle,
	      int *kind, int *link_fd, int *qdisc_created)
{
	if (!clsact_forced()) {
		int fd = bpf_link_create(prog_fd, ifindex,
					 egress ? XSKDUMP_BPF_TCX_EGRESS : XSKDUMP_BPF_TCX_INGRESS, NULL);

		if (fd >= 0) {
			*kind = XSKDUMP_HOOK_TCX;
			*link_fd = fd;
			return 0;
		}
		if (errno == EPERM)
			return fail(-EPERM, "attach the tc %s program to %s", egress ? "egress" : "ingress",
				    ifname);
	}
	/* No tcx here (Linux < 6.6, EINVAL): a clsact filter, recorded by the caller. */
	{
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
				    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = handle,
				    .priority = TC_PRIORITY);
		int err;

		if (!handle)
			return fail(-ENOLINK, "attach the tc %s program to %s: no tcx here (Linux 6.6+), "
					      "and a clsact filter needs a recorded handle",
				    egress ? "egress" : "ingress", ifname);
		err = bpf_tc_hook_create(&hook);
		if (!err)
			*qdisc_created = 1;
		else if (err != -EEXIST)
			return fail(err, "add a clsact qdisc to %s", ifname);
		err = bpf_tc_attach(&hook, &opts);
		if (err)
			return fail(err, "attach the tc %s program to %s as a clsact filter",
				    egress ? "egress" : "ingress", ifname);
		*kind = XSKDUMP_HOOK_CLSACT;
	}
	return 0;
}

int32_t xsk_tc_detach(const char *ifname, uint32_t handle, uint32_t qdisc_created)
{
	int ifindex, err;

	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE || !handle)
		return fail(-EINVAL, "bad interface name or handle");
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		return 0; /* the interface went, and its filters with it */
	err = clsact_detach(ifindex, 0, handle);
	if (!err)
		err = clsact_detach(ifindex, 1, handle);
	if (err)
		return fail(err, "remove xskdump's clsact filter (handle 0x%x) from %s", handle, ifname);
	if (qdisc_created)
		clsact_remove_if_empty(ifindex);
	return 0;
}
