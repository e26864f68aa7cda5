/* The interfaces a capture can use, for -D: the list as tcpdump -D prints it
 * (libpcap's pcap_findalldevs: its order, descriptions and flags), cut to the
 * network interfaces of this namespace (AF_XDP captures nothing else: no
 * "any", no USB, D-Bus or netfilter pseudo-devices), and what each driver can
 * do with XDP (the netdev netlink family's xdp-features, Linux 6.3 on, and
 * which XDP RX metadata kfuncs it implements, 6.8 on; it needs no privileges).
 *
 * A translation unit of its own, like filter.c: libpcap's headers and
 * libbpf's both define struct bpf_insn. Uses error.c. */
#include "shim.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <pcap/pcap.h>

#include "../bpf/uapi_next.h"
#include "error.h"

/* include/uapi/linux/netdev.h (Linux 6.3), which the 6.1 headers here lack;
 * the command and the other attributes are in uapi_next.h. */
#define NETDEV_FAMILY_NAME "netdev"
#define NETDEV_FAMILY_VERSION 1
#define NETDEV_A_DEV_XDP_FEATURES 3

_Static_assert(XSKDUMP_IFACE_UP == PCAP_IF_UP && XSKDUMP_IFACE_RUNNING == PCAP_IF_RUNNING &&
		       XSKDUMP_IFACE_LOOPBACK == PCAP_IF_LOOPBACK &&
		       XSKDUMP_IFACE_WIRELESS == PCAP_IF_WIRELESS &&
		       XSKDUMP_IFACE_STATUS == PCAP_IF_CONNECTION_STATUS &&
		       XSKDUMP_IFACE_CONNECTED == PCAP_IF_CONNECTION_STATUS_CONNECTED &&
		       XSKDUMP_IFACE_DISCONNECTED == PCAP_IF_CONNECTION_STATUS_DISCONNECTED &&
		       XSKDUMP_IFACE_NOT_APPLICABLE == PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE,
	       "libpcap's interface flags");

/* Appends text to buf[0..len) at *at, NUL-terminated when it fits; *at counts
 * every byte, so the caller learns the whole length. */
static void put(uint8_t *buf, uint32_t len, uint32_t *at, const char *text)
{
	size_t n = strlen(text);

	if (buf && *at + n < len) {
		memcpy(buf + *at, text, n);
		buf[*at + n] = 0;
	}
	*at += n;
}

int32_t xsk_interfaces(uint8_t *buf, uint32_t len)
{
	char err[PCAP_ERRBUF_SIZE] = "", line[64];
	pcap_if_t *devs, *d;
	uint32_t at = 0;

	if (buf && len)
		buf[0] = 0;
	if (pcap_findalldevs(&devs, err))
		return fail(-EIO, "list the interfaces: %s", err);
	for (d = devs; d; d = d->next) {
		if (!if_nametoindex(d->name))
			continue;
		put(buf, len, &at, d->name);
		snprintf(line, sizeof(line), "\t%u\t", d->flags);
		put(buf, len, &at, line);
		put(buf, len, &at, d->description ? d->description : "");
		put(buf, len, &at, "\n");
	}
	pcap_freealldevs(devs);
	if (at > INT32_MAX - 1)
		return fail(-EOVERFLOW, "list the interfaces: too long");
	return (int32_t)at;
}

/* One generic netlink request (a command of `family`, with one u32 or string
 * attribute) on fd; the reply's attributes land in buf. Returns the reply's
 * length, or -errno (the kernel's error too). */
static int genl_ask(int fd, uint16_t family, uint8_t cmd, uint8_t version, uint16_t attr,
		    const void *val, uint16_t vlen, uint8_t *buf, size_t blen)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		uint8_t attrs[64];
	} req;
	struct nlattr *a = (struct nlattr *)req.attrs;
	struct nlmsghdr *r = (struct nlmsghdr *)buf;
	ssize_t got;

	if ((size_t)NLA_HDRLEN + vlen > sizeof(req.attrs))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	a->nla_type = attr;
	a->nla_len = NLA_HDRLEN + vlen;
	memcpy((uint8_t *)a + NLA_HDRLEN, val, vlen);
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);
	req.n.nlmsg_type = family;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.n.nlmsg_seq = 1;
	req.g.cmd = cmd;
	req.g.version = version;
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0)
		return -errno;
	got = recv(fd, buf, blen, 0);
	if (got < 0)
		return -errno;
	if ((size_t)got < NLMSG_HDRLEN || !NLMSG_OK(r, (size_t)got))
		return -EPROTO;
	if (r->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(r);

		return r->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) ? -EPROTO : e->error ? e->error : -EPROTO;
	}
	return (int)r->nlmsg_len;
}

/* The payload of attribute `type` in a generic netlink reply of len bytes,
 * with at least `size` bytes, or NULL. */
static const uint8_t *genl_attr(const uint8_t *reply, int len, uint16_t type, size_t size)
{
	int at = NLMSG_LENGTH(GENL_HDRLEN);

	while (at + NLA_HDRLEN <= len) {
		const struct nlattr *a = (const struct nlattr *)(reply + at);

		if (a->nla_len < NLA_HDRLEN || at + a->nla_len > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type && (size_t)(a->nla_len - NLA_HDRLEN) >= size)
			return (const uint8_t *)a + NLA_HDRLEN;
		at += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* The u64 attribute attr of device ifindex, as the netdev generic netlink
 * family reports it, into *out (untouched when the answer lacks it: 0 is
 * returned then, 1 when it has it). -ENOENT: no netdev family (before Linux
 * 6.3); other -errno, with *asked 0 when finding the family failed and 1 when
 * the device's answer did. Records no error: the callers word their own. */
static int netdev_attr(uint32_t ifindex, uint16_t attr, uint64_t *out, int *asked)
{
	struct timeval tv = { .tv_sec = 2 };
	uint8_t reply[4096];
	const uint8_t *v;
	uint16_t family;
	int fd, n;

	*asked = 0;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	/* A kernel that never answers must not hang the caller (-D, doctor). */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = genl_ask(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, CTRL_ATTR_FAMILY_NAME,
		     NETDEV_FAMILY_NAME, sizeof(NETDEV_FAMILY_NAME), reply, sizeof(reply));
	v = n < 0 ? NULL : genl_attr(reply, n, CTRL_ATTR_FAMILY_ID, sizeof(uint16_t));
	if (!v) {
		close(fd);
		return n < 0 ? n : -EPROTO;
	}
	memcpy(&family, v, sizeof(family));
	*asked = 1;
	n = genl_ask(fd, family, XSKDUMP_NETDEV_CMD_DEV_GET, NETDEV_FAMILY_VERSION,
		     XSKDUMP_NETDEV_A_DEV_IFINDEX, &ifindex, sizeof(ifindex), reply, sizeof(reply));
	close(fd);
	if (n < 0)
		return n;
	v = genl_attr(reply, n, attr, sizeof(*out));
	if (v)
		memcpy(out, v, sizeof(*out));
	return v != NULL;
}

int32_t xsk_xdp_features(const char *ifname, uint64_t *out)
{
	uint32_t ifindex;
	int n, asked;

	if (!ifname || !out)
		return fail(-EINVAL, "xdp features: no interface");
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return fail(-ENODEV, "no interface %s", ifname);
	n = netdev_attr(ifindex, NETDEV_A_DEV_XDP_FEATURES, out, &asked);
	if (n == -ENOENT && !asked)
		return fail(-EOPNOTSUPP, "this kernel does not report XDP features (Linux 6.3 does)");
	if (n < 0 && !asked)
		return fail(n, "find the netdev netlink family");
	if (n <= 0)
		return fail(n < 0 ? n : -EPROTO, "read the XDP features of %s", ifname);
	return 0;
}

int32_t xsk_iface_rx_metadata(const char *ifname)
{
	uint64_t features = 0;
	uint32_t ifindex;
	int n, asked;

	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return fail(-EINVAL, "bad interface name");
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return fail(-ENODEV, "interface %s", ifname);
	n = netdev_attr(ifindex, XSKDUMP_NETDEV_A_DEV_XDP_RX_METADATA_FEATURES, &features, &asked);
	/* Before Linux 6.3 there is no netdev family: no metadata either (and
	 * before 6.8 no such attribute). */
	if (n == -ENOENT && !asked)
		return 0;
	if (n < 0)
		return fail(n, asked ? "ask netlink for the XDP features of %s"
				     : "ask netlink for the netdev family (for %s)", ifname);
	return (int32_t)(features & 0x7fffffff);
}
