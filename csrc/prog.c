/* The XDP program: load the embedded object and attach it with a BPF link, or
 * join the one another xskdump attached (share.c); its counters. Uses share.c,
 * host.c and error.c. */
#include "prog.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <linux/if_link.h>

#include "../bpf/uapi_next.h"
#include "error.h"
#include "host.h"
#include "share.h"

/* Possible CPUs a per-CPU map read has room for. */
#define MAX_CPUS 512

/* The XDP object is linked into this library (see embed.S) so the shim is the
 * only file that has to travel. */
extern const unsigned char xskdump_bpf_obj[];
extern const unsigned char xskdump_bpf_obj_end[];
/* The same, built with -DXSKDUMP_VLAN: its entry program is device-bound and
 * puts back the VLAN tag the driver reports in the RX metadata. */
extern const unsigned char xskdump_vlan_bpf_obj[];
extern const unsigned char xskdump_vlan_bpf_obj_end[];

struct prog progs[MAX_PROGS];
_Static_assert(offsetof(struct prog, used) == 0, "a handle table (slot_take)");

struct prog *prog_get(int32_t h)
{
	return slot_get(progs, sizeof(*progs), MAX_PROGS, h);
}

/* Sums the per-CPU value at key of map fd, `words` u64 per CPU, into out[0..words). */
static int percpu_sum(int fd, uint32_t key, uint64_t *out, uint32_t words)
{
	uint64_t vals[MAX_CPUS * XSKDUMP_QCOUNT_WORDS]; /* the widest value: one qcounters row */
	int ncpu = libbpf_num_possible_cpus();
	uint32_t w;
	int c;

	if (ncpu <= 0 || ncpu > MAX_CPUS || words > XSKDUMP_QCOUNT_WORDS)
		return -ERANGE;
	if (bpf_map_lookup_elem(fd, &key, vals))
		return -errno;
	memset(out, 0, words * sizeof(*out));
	for (c = 0; c < ncpu; c++)
		for (w = 0; w < words; w++)
			out[w] += vals[(size_t)c * words + w];
	return 0;
}

int counters_sum(int fd, uint32_t entries, uint64_t *out, uint32_t n, const char *what)
{
	uint32_t i;
	int err;

	for (i = 0; i < n && i < entries; i++)
		if ((err = percpu_sum(fd, i, &out[i], 1)))
			return fail(err, "read %s", what);
	return (int32_t)i;
}

/* Sums qcounters into rows (XSKDUMP_QCOUNT_ROWS x XSKDUMP_QCOUNT_WORDS). */
static int qcounters_read(int fd, uint64_t *rows)
{
	uint32_t r;
	int err;

	for (r = 0; r < XSKDUMP_QCOUNT_ROWS; r++)
		if ((err = percpu_sum(fd, r, rows + (size_t)r * XSKDUMP_QCOUNT_WORDS,
				      XSKDUMP_QCOUNT_WORDS)))
			return err;
	return 0;
}

int link_xdp(int prog_fd, int ifindex, uint32_t flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

/* Why loading the object failed with EPERM: the capability it lacks. */
static int fail_load(int err)
{
	int sys = cap_effective(CAP_SYS_ADMIN);

	if (err == -EPERM && !sys && !cap_effective(CAP_BPF))
		return fail(err, "load XDP program: CAP_BPF is missing");
	if (err == -EPERM && !sys && !cap_effective(CAP_NET_ADMIN))
		return fail(err, "load XDP program: CAP_NET_ADMIN is missing (for its XSKMAP)");
	return fail(err, "load XDP program (needs CAP_BPF/CAP_SYS_ADMIN and CAP_NET_ADMIN)");
}

/* Joins the program another xskdump attached to p's interface (share.c). */
static int prog_join(struct prog *p, int our_prog_fd, uint32_t mode)
{
	struct joined_prog j;
	int err = share_join(p->ifindex, p->ifname, our_prog_fd, mode, &j);

	if (err)
		return err;
	p->link_fd = j.link_fd;
	p->xsks_fd = j.xsks_fd;
	p->counters_fd = j.counters_fd;
	p->stages_fd = j.stages_fd;
	p->qcounters_fd = j.qcounters_fd;
	p->capture_fd = -1;
	p->mode = j.mode;
	p->joined = 1;
	p->multi_buffer = 0; /* theirs: its load flags are not readable */
	p->bound = p->vlan = p->hw_timestamp = 0;
	return 0;
}

/* Opens and loads an embedded object into p, with frags support when
 * multi_buffer: every program, as a tail call needs caller and callee to
 * agree. meta: the device-bound variant with these settings (NULL: the plain
 * object); only its entry program is bound (a prog array takes no
 * device-bound program: the stages stay plain). */
static int prog_load(struct prog *p, int multi_buffer, const struct xskdump_meta_config *meta)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = "xskdump");
	const unsigned char *obj = meta ? xskdump_vlan_bpf_obj : xskdump_bpf_obj;
	const unsigned char *end = meta ? xskdump_vlan_bpf_obj_end : xskdump_bpf_obj_end;
	__u32 frags = multi_buffer ? BPF_F_XDP_HAS_FRAGS : 0;
	struct bpf_program *bp;
	int err;

	p->obj = bpf_object__open_mem(obj, (size_t)(end - obj), &oopts);
	if (!p->obj)
		return fail(-errno, "open embedded XDP object");
	bpf_object__for_each_program(bp, p->obj)
		bpf_program__set_flags(bp, frags);
	bp = bpf_object__find_program_by_name(p->obj, XSKDUMP_PROG_NAME);
	if (meta && bp) {
		struct bpf_map *rodata = bpf_object__find_map_by_name(p->obj, ".rodata");
		size_t size = 0;
		struct xskdump_meta_config *cfg =
			rodata ? (void *)bpf_map__initial_value(rodata, &size) : NULL;

		if (!cfg || size < sizeof(*cfg)) {
			bpf_object__close(p->obj);
			p->obj = NULL;
			return fail(-ENOENT, "embedded XDP object is incomplete");
		}
		*cfg = *meta;
		bpf_program__set_ifindex(bp, (__u32)p->ifindex);
		bpf_program__set_flags(bp, frags | XSKDUMP_BPF_F_XDP_DEV_BOUND_ONLY);
	}
	err = bpf_object__load(p->obj);
	if (err) {
		bpf_object__close(p->obj);
		p->obj = NULL;
		return err;
	}
	p->multi_buffer = multi_buffer;
	p->bound = meta != NULL;
	p->vlan = meta && meta->vlan;
	p->hw_timestamp = meta && meta->hw_timestamp;
	return 0;
}

/* Loads an embedded object (a kernel before 5.18 does not know the frags flag:
 * without it there; one without the device-bound flag or the VLAN kfunc, or a
 * driver that refuses it: the plain object) and takes its fds. *entry gets the
 * program to attach. */
static int prog_open(struct prog *p, int multi_buffer, const struct xskdump_meta_config *meta,
		     int *entry)
{
	struct bpf_program *bp, *capture;
	int err = -EINVAL;

	if (meta && multi_buffer)
		err = prog_load(p, 1, meta);
	if (err && meta)
		err = prog_load(p, 0, meta);
	if (err && multi_buffer)
		err = prog_load(p, 1, NULL);
	if (err)
		err = prog_load(p, 0, NULL);
	if (err)
		return fail_load(err);
	bp = bpf_object__find_program_by_name(p->obj, XSKDUMP_PROG_NAME);
	capture = bpf_object__find_program_by_name(p->obj, "xskdump_capture");
	p->xsks_fd = bpf_object__find_map_fd_by_name(p->obj, "xsks");
	p->counters_fd = bpf_object__find_map_fd_by_name(p->obj, "counters");
	p->stages_fd = bpf_object__find_map_fd_by_name(p->obj, "stages");
	p->qcounters_fd = bpf_object__find_map_fd_by_name(p->obj, "qcounters");
	if (!bp || !capture || p->xsks_fd < 0 || p->counters_fd < 0 || p->stages_fd < 0 ||
	    p->qcounters_fd < 0)
		return fail(-ENOENT, "embedded XDP object is incomplete");
	p->capture_fd = bpf_program__fd(capture);
	*entry = bpf_program__fd(bp);
	if (p->bound) {
		/* What a filter passes to the stack leaves without what we put in. */
		__u32 key = XSKDUMP_STAGE_REJECT;
		struct bpf_program *untag = bpf_object__find_program_by_name(p->obj, "xskdump_untag");
		int fd = untag ? bpf_program__fd(untag) : -1;

		if (fd < 0 || bpf_map_update_elem(p->stages_fd, &key, &fd, BPF_ANY))
			return fail(fd < 0 ? -ENOENT : -errno, "install the reject stage");
	}
	return 0;
}

/* Drops p's device-bound object for the plain one (same frags choice). */
static int prog_reopen_plain(struct prog *p, int *entry)
{
	bpf_object__close(p->obj);
	p->obj = NULL;
	return prog_open(p, p->multi_buffer, NULL, entry);
}

int32_t xsk_prog_attach(const char *ifname, uint32_t mode, uint32_t flags)
{
	struct prog *p;
	struct xskdump_meta_config meta = { 0 };
	int h, err, fd, tries, entry, mb;

	libbpf_msg[0] = 0;
	if ((err = ifname_check(ifname)))
		return err;
	if (mode > XSKDUMP_MODE_GENERIC)
		return fail(-EINVAL, "bad mode %u", mode);
	if (flags & ~(XSKDUMP_ATTACH_MULTI_BUFFER | XSKDUMP_ATTACH_VLAN | XSKDUMP_ATTACH_HW_TIMESTAMP))
		return fail(-EINVAL, "bad attach flags %#x", flags);
	h = slot_take(progs, sizeof(*progs), MAX_PROGS, "attached programs");
	if (h < 0)
		return h;
	p = &progs[h];
	p->link_fd = -1;
	p->capture_fd = -1;
	p->ifindex = (int)if_nametoindex(ifname);
	if (!p->ifindex)
		return fail(-ENODEV, "interface %s", ifname);
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);

	mb = (flags & XSKDUMP_ATTACH_MULTI_BUFFER) && !multi_buffer_refused();
	/* Device-bound programs attach in native mode only (generic: EINVAL),
	 * and help only where the driver implements the VLAN kfunc. */
	if (mode != XSKDUMP_MODE_GENERIC && (flags & (XSKDUMP_ATTACH_VLAN | XSKDUMP_ATTACH_HW_TIMESTAMP))) {
		int has = xsk_iface_rx_metadata(ifname);

		meta.vlan = (flags & XSKDUMP_ATTACH_VLAN) && has > 0 && (has & XSKDUMP_RX_META_VLAN_TAG);
		meta.hw_timestamp = (flags & XSKDUMP_ATTACH_HW_TIMESTAMP) && has > 0 &&
				    (has & XSKDUMP_RX_META_TIMESTAMP);
	}
	err = prog_open(p, mb, meta.vlan || meta.hw_timestamp ? &meta : NULL, &entry);
	if (err)
		goto out_close;

	for (tries = 0;; tries++) {
		fd = -EINVAL;
		if (mode != XSKDUMP_MODE_GENERIC) {
			fd = link_xdp(entry, p->ifindex, XDP_FLAGS_DRV_MODE);
			if (fd < 0 && p->bound && fd != -EBUSY && fd != -EEXIST) {
				/* The driver refuses the device-bound program: the plain one. */
				if ((err = prog_reopen_plain(p, &entry)))
					goto out_close;
				fd = link_xdp(entry, p->ifindex, XDP_FLAGS_DRV_MODE);
			}
			p->mode = XSKDUMP_MODE_NATIVE;
		}
		/* Only fall back when the driver cannot run XDP natively here, not
		 * on EBUSY etc. (veth answers ENOSPC when its RX queues are fewer
		 * than the peer's TX queues.) */
		if (mode == XSKDUMP_MODE_GENERIC ||
		    (mode == XSKDUMP_MODE_AUTO &&
		     (fd == -EOPNOTSUPP || fd == -EINVAL || fd == -ENOSPC))) {
			/* A device-bound program does not attach in generic mode. */
			if (p->bound && (err = prog_reopen_plain(p, &entry)))
				goto out_close;
			fd = link_xdp(entry, p->ifindex, XDP_FLAGS_SKB_MODE);
			p->mode = XSKDUMP_MODE_GENERIC;
		}
		if (fd >= 0 || (fd != -EBUSY && fd != -EEXIST))
			break;
		/* The hook is taken: by another xskdump, whose program we join. */
		err = tries < 3 ? prog_join(p, entry, mode) : -EAGAIN;
		if (err == -EBUSY && p->bound && tries < 3) {
			/* Theirs may be the plain program (generic mode, another driver
			 * answer, or VLAN off): compare with ours of that kind. */
			if ((err = prog_reopen_plain(p, &entry)))
				goto out_close;
			err = prog_join(p, entry, mode);
		}
		if (!err) {
			bpf_object__close(p->obj); /* ours is not needed: theirs runs */
			p->obj = NULL;
			break;
		}
		if (err == -EAGAIN && tries < 3)
			continue; /* it went away meanwhile: attach again */
		if (err == -EAGAIN)
			err = fail(-EBUSY, "%s: the XDP program there kept changing; try again",
				   ifname);
		goto out_close;
	}
	if (!p->joined && fd == -EPERM && !cap_effective(CAP_NET_ADMIN) &&
	    !cap_effective(CAP_SYS_ADMIN)) {
		err = fail(fd, "attach XDP program to %s: CAP_NET_ADMIN is missing", ifname);
		goto out_close;
	}
	if (!p->joined && fd < 0) {
		err = fail(fd, "attach XDP program to %s in %s mode%s", ifname,
			   p->mode == XSKDUMP_MODE_NATIVE ? "native" : "generic",
			   fd == -ENOSPC ? " (the driver wants more RX queues; a veth needs as many as "
					   "its peer has TX queues)"
					 : "");
		goto out_close;
	}
	if (!p->joined)
		p->link_fd = fd;
	p->queue_count = rx_queues(ifname);
	if (p->queue_count < 1)
		p->queue_count = 1;
	err = qcounters_read(p->qcounters_fd, p->qbase);
	if (err) {
		err = fail(err, "read the per-queue counters of the XDP program on %s", ifname);
		prog_release(p);
		return err;
	}
	p->used = 1;
	return h;

out_close:
	bpf_object__close(p->obj);
	p->obj = NULL;
	return err;
}

void prog_release(struct prog *p)
{
	if (p->link_fd >= 0)
		close(p->link_fd);
	if (p->joined) {
		close(p->xsks_fd);
		close(p->counters_fd);
		close(p->stages_fd);
		close(p->qcounters_fd);
	}
	bpf_object__close(p->obj);
	memset(p, 0, sizeof(*p));
}

int32_t xsk_prog_shared(int32_t h, uint8_t *buf, uint32_t len)
{
	struct prog *p = prog_get(h);
	char who[160];

	if (!p)
		return fail(-EBADF, "no such program handle %d", h);
	who[0] = 0;
	if (p->joined)
		link_holders(p->link_fd, who, sizeof(who)); /* a walk over /proc: only when it tells */
	text_out(who, buf, len);
	return p->joined;
}

int32_t xsk_prog_info(int32_t h, uint32_t *out, uint32_t n)
{
	struct prog *p = prog_get(h);

	if (!p)
		return fail(-EBADF, "no such program handle %d", h);
	return words_out(out, n, (const uint32_t[XSKDUMP_PROG_INFO_WORDS]){
		[XSKDUMP_PROG_INFO_MODE] = (uint32_t)p->mode,
		[XSKDUMP_PROG_INFO_QUEUES] = (uint32_t)p->queue_count,
		[XSKDUMP_PROG_INFO_MULTI_BUFFER] = (uint32_t)p->multi_buffer,
		[XSKDUMP_PROG_INFO_VLAN] = (uint32_t)p->vlan,
		[XSKDUMP_PROG_INFO_HW_TIMESTAMP] = (uint32_t)p->hw_timestamp,
	}, XSKDUMP_PROG_INFO_WORDS);
}

int32_t xsk_prog_counters(int32_t h, uint64_t *out, uint32_t n)
{
	struct prog *p = prog_get(h);

	return p ? counters_sum(p->counters_fd, XSKDUMP_CNT__MAX, out, n, "XDP counters")
		 : fail(-EBADF, "no such program handle %d", h);
}

int32_t xsk_prog_queue_counters(int32_t h, uint64_t *out, uint32_t n)
{
	uint64_t rows[XSKDUMP_QCOUNT_ROWS * XSKDUMP_QCOUNT_WORDS];
	struct prog *p = prog_get(h);
	uint32_t i;
	int err;

	if (!p)
		return fail(-EBADF, "no such program handle %d", h);
	err = qcounters_read(p->qcounters_fd, rows);
	if (err)
		return fail(err, "read the per-queue XDP counters");
	for (i = 0; i < n && i < XSKDUMP_QCOUNT_ROWS * XSKDUMP_QCOUNT_WORDS; i++)
		out[i] = rows[i] - p->qbase[i];
	return (int32_t)i;
}
