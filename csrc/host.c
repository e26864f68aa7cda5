/* Host facts: capabilities, limits and the kernel; interfaces (MTU, GRO, RX
 * queues, which XDP program is attached); channel (queue count) control
 * through the ethtool ioctl, so the host needs no ethtool binary (what
 * `ethtool -l` reads and `ethtool -L` sets). Read in C because Deno grants
 * /proc and /sys only to --allow-all. Uses error.c. */
#include "host.h"

#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "error.h"
#include "shim.h"

/* This process's effective capability set (capget). 0 or -errno. */
static int effective_caps(uint64_t *mask)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	*mask = (uint64_t)data[1].effective << 32 | data[0].effective;
	return 0;
}

int multi_buffer_refused(void)
{
	const char *v = getenv("XSKDUMP_MULTI_BUFFER");

	return v && (!strcmp(v, "0") || !strcasecmp(v, "off") || !strcasecmp(v, "no"));
}

int cap_effective(int cap)
{
	uint64_t mask;

	if (cap < 0 || cap >= 64 || effective_caps(&mask))
		return 0;
	return !!(mask & (1ull << cap));
}

int ifname_check(const char *ifname)
{
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return fail(-EINVAL, "bad interface name");
	return 0;
}

int rx_queues(const char *ifname)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return -ENODEV;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "rx-", 3))
			n++;
	closedir(d);
	return n;
}

/* One interface ioctl on a throwaway socket; `what` names it in the error. */
static int if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr, const char *what)
{
	int fd, err = ifname_check(ifname);

	if (err)
		return err;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(-errno, "socket for %s", what);
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	if (ioctl(fd, req, ifr))
		err = fail(-errno, "%s of %s", what, ifname);
	close(fd);
	return err;
}

static int channels_ioctl(const char *ifname, struct ethtool_channels *ch, const char *what)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_data = (void *)ch;
	return if_ioctl(ifname, SIOCETHTOOL, &ifr, what);
}

int32_t xsk_iface_gro(const char *ifname)
{
	struct ethtool_value v = { .cmd = ETHTOOL_GGRO };
	struct ifreq ifr;
	int err;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_data = (void *)&v;
	err = if_ioctl(ifname, SIOCETHTOOL, &ifr, "read the GRO setting");
	return err ? err : !!v.data;
}

int32_t xsk_iface_mtu(const char *ifname)
{
	struct ifreq ifr;
	int err;

	memset(&ifr, 0, sizeof(ifr));
	err = if_ioctl(ifname, SIOCGIFMTU, &ifr, "read the MTU");
	return err ? err : ifr.ifr_mtu;
}

int32_t xsk_channels_get(const char *ifname, uint32_t *out, uint32_t n)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	uint32_t v[XSKDUMP_CHANNELS_WORDS], i;
	int err = channels_ioctl(ifname, &ch, "read the channels");

	if (err)
		return err;
	v[0] = ch.max_rx;
	v[1] = ch.max_tx;
	v[2] = ch.max_other;
	v[3] = ch.max_combined;
	v[4] = ch.rx_count;
	v[5] = ch.tx_count;
	v[6] = ch.other_count;
	v[7] = ch.combined_count;
	for (i = 0; i < n && i < XSKDUMP_CHANNELS_WORDS; i++)
		out[i] = v[i];
	return (int32_t)i;
}

int32_t xsk_channels_set(const char *ifname, uint32_t rx, uint32_t tx, uint32_t other,
			 uint32_t combined)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int err = channels_ioctl(ifname, &ch, "read the channels");

	if (err)
		return err;
	ch.cmd = ETHTOOL_SCHANNELS;
	ch.rx_count = rx;
	ch.tx_count = tx;
	ch.other_count = other;
	ch.combined_count = combined;
	return channels_ioctl(ifname, &ch, "set the channels");
}

int32_t xsk_xdp_query(const char *ifname, uint32_t *out, uint32_t n)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t v[XSKDUMP_XDP_QUERY_WORDS], i;
	int ifindex, err = ifname_check(ifname);

	if (err)
		return err;
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		return fail(-ENODEV, "interface %s", ifname);
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return fail(err, "query XDP on %s", ifname);
	v[0] = q.attach_mode;
	v[1] = q.prog_id;
	v[2] = q.drv_prog_id;
	v[3] = q.skb_prog_id;
	v[4] = XSKDUMP_XDP_FOREIGN;
	if (q.prog_id || q.drv_prog_id || q.skb_prog_id) {
		__u32 id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		memset(&info, 0, sizeof(info));
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			v[4] = XSKDUMP_XDP_UNKNOWN;
		else if (!strcmp(info.name, XSKDUMP_PROG_NAME))
			v[4] = XSKDUMP_XDP_OURS;
		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < n && i < XSKDUMP_XDP_QUERY_WORDS; i++)
		out[i] = v[i];
	return (int32_t)i;
}

/* For `xskdump doctor` and the channel state files. */
int32_t xsk_host_facts(uint64_t *out, uint32_t n)
{
	struct rlimit rl;
	struct stat st;
	uint64_t v[XSKDUMP_HOST_WORDS];
	uint32_t i;
	int err = effective_caps(&v[0]);

	if (err)
		return fail(err, "capget");
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return fail(-errno, "getrlimit(RLIMIT_MEMLOCK)");
	v[1] = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	v[2] = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	v[3] = stat("/proc/self/ns/net", &st) == 0 ? (uint64_t)st.st_ino : 0;
	for (i = 0; i < n && i < XSKDUMP_HOST_WORDS; i++)
		out[i] = v[i];
	return (int32_t)i;
}

int32_t xsk_kernel_release(uint8_t *buf, uint32_t len)
{
	struct utsname u;

	if (uname(&u))
		return fail(-errno, "uname");
	return text_out(u.release, buf, len);
}

int32_t xsk_process_start(int32_t pid, uint64_t *out)
{
	char path[64], line[1024];
	const char *p;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH; /* gone: not an error worth a message */
	p = fgets(line, sizeof(line), f);
	fclose(f);
	/* The command (field 2) may hold spaces: count fields after the last ')'. */
	p = p ? strrchr(line, ')') : NULL;
	if (!p)
		return fail(-EINVAL, "unreadable %s", path);
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return fail(-EINVAL, "short %s", path);
	*out = strtoull(p + 1, NULL, 10);
	return 0;
}

int32_t xsk_iface_names(uint8_t *buf, uint32_t len)
{
	struct if_nameindex *ifs, *i;
	uint32_t used = 0;

	if (!buf)
		return fail(-EINVAL, "no buffer for the interface names");
	ifs = if_nameindex();
	if (!ifs)
		return fail(-errno, "listing the interfaces (if_nameindex)");
	for (i = ifs; i->if_index != 0; i++) {
		size_t n = strlen(i->if_name) + 1;

		if (n > len - used) {
			if_freenameindex(ifs);
			return fail(-ENOSPC, "the interface names need more than %u bytes", len);
		}
		memcpy(buf + used, i->if_name, n);
		used += (uint32_t)n;
	}
	if_freenameindex(ifs);
	return (int32_t)used;
}

int32_t xsk_rx_queue_count(const char *ifname)
{
	int n;

	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE || strchr(ifname, '/'))
		return fail(-EINVAL, "bad interface name");
	n = rx_queues(ifname);
	return n < 0 ? fail(n, "interface %s", ifname) : n;
}

int iface_check(int ifindex, const char *ifname)
{
	char name[IF_NAMESIZE];
	struct ifreq ifr;
	int fd, up;

	if (!if_indextoname((unsigned)ifindex, name))
		return fail(-ENODEV, "interface %s is gone", ifname);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(-errno, "socket for interface check");
	up = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 ? !!(ifr.ifr_flags & IFF_UP) : -1;
	close(fd);
	return up == 0 ? fail(-ENETDOWN, "interface %s is down", name) : 0;
}

int32_t xsk_iface_usage(const char *ifname, uint32_t *out, uint32_t n)
{
	uint32_t v[XSKDUMP_USAGE_WORDS], i;
	struct ifaddrs *ifa, *a;
	char path[64 + IF_NAMESIZE], target[256];
	ssize_t l;

	if (ifname_check(ifname))
		return -EINVAL;
	if (!if_nametoindex(ifname))
		return fail(-ENODEV, "interface %s", ifname);
	memset(v, 0, sizeof(v));
	if (getifaddrs(&ifa))
		return fail(-errno, "list the addresses of %s", ifname);
	for (a = ifa; a; a = a->ifa_next) {
		if (!a->ifa_addr || strcmp(a->ifa_name, ifname))
			continue;
		if (a->ifa_addr->sa_family == AF_INET)
			v[XSKDUMP_USAGE_IPV4]++;
		if (a->ifa_addr->sa_family == AF_INET6) {
			const struct in6_addr *ip = &((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;

			if (!IN6_IS_ADDR_LINKLOCAL(ip))
				v[XSKDUMP_USAGE_IPV6]++;
		}
	}
	freeifaddrs(ifa);
	/* A port of a bridge, bond or team has a master. */
	snprintf(path, sizeof(path), "/sys/class/net/%s/master", ifname);
	l = readlink(path, target, sizeof(target) - 1);
	v[XSKDUMP_USAGE_MASTER] = l > 0;
	for (i = 0; i < n && i < XSKDUMP_USAGE_WORDS; i++)
		out[i] = v[i];
	return (int32_t)i;
}
