/* Tap mode: the programs of bpf/xskdump_tap.bpf.c loaded for one capture,
 * attached where the packets pass, and the ring buffer they copy into (read
 * by tap_ring.c's calls).
 *
 *   incoming: XDP through a BPF link (native, else generic), or, when the XDP
 *             hook is taken (by another program, another xskdump among them),
 *             tc ingress
 *   outgoing: tc egress
 *   tc:       a tcx BPF link, else a clsact filter (tc.c)
 *
 * Order: xsk_tap_open attaches with the copy stages empty (packets are only
 * counted), xsk_tap_set_filter installs the filter of each hook, xsk_ring_map
 * maps the ring buffer, xsk_tap_start installs the copy stages. Every capture
 * loads its own object: its own ring buffer, filter and counters; tcx and
 * clsact take several programs per hook, so two captures of one interface
 * each see every packet (the second one's incoming packets at tc). */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <linux/if_link.h>

#include "../bpf/uapi_next.h"
#include "../bpf/xskdump_abi.h"
#include "error.h"
#include "filter_prog.h"
#include "host.h"
#include "prog.h"
#include "ringbuf.h"
#include "shim.h"
#include "tap.h"
#include "tc.h"

_Static_assert((int)XSKDUMP_TAP_PASSED == (int)XSKDUMP_CNT_PASSED, "the filter counts passed here too");
_Static_assert((int)XSKDUMP_TAP_FILTERED == (int)XSKDUMP_CNT_FILTERED, "the filter counts filtered here too");
_Static_assert(XSKDUMP_TAP_STAT_RECORDS == 2 * XSKDUMP_TAP_CNT__MAX, "xsk_tap_counters' layout");

extern const unsigned char xskdump_tap_bpf_obj[];
extern const unsigned char xskdump_tap_bpf_obj_end[];

static struct tap taps[MAX_TAPS];

struct tap *tap_get(int32_t h)
{
	return slot_get(taps, sizeof(*taps), MAX_TAPS, h);
}

static struct bpf_program *program(struct tap *t, const char *name)
{
	return bpf_object__find_program_by_name(t->obj, name);
}

static int map_fd(struct tap *t, const char *name)
{
	return bpf_object__find_map_fd_by_name(t->obj, name);
}

/* 1 when XSKDUMP_TAP_IN=tc: incoming packets at tc ingress even where the XDP
 * hook is free (the benchmark's row against generic XDP; tests). */
static int tc_in_forced(void)
{
	const char *v = getenv("XSKDUMP_TAP_IN");

	return v && !strcmp(v, "tc");
}

/* How long the tap programs reuse a flow's attribution: XSKDUMP_PROC_CACHE_NS
 * (nanoseconds; 0 looks each packet up, as the measurements against the cache
 * do; a long one lets a test see the cache's invalidation alone), else
 * XSKDUMP_PROC_CACHE_NS. */
static uint64_t proc_cache_ns(void)
{
	const char *v = getenv("XSKDUMP_PROC_CACHE_NS");
	char *end;
	unsigned long long ns;

	if (!v || !*v)
		return XSKDUMP_PROC_CACHE_NS;
	errno = 0;
	ns = strtoull(v, &end, 10);
	return errno || *end ? XSKDUMP_PROC_CACHE_NS : (uint64_t)ns;
}

/* Attaches a tc program (tc.c): a tcx link, else a clsact filter with the
 * caller's handle. */
static int attach_tc(struct tap *t, struct hook *hk, const char *name, int egress)
{
	return tc_attach(t->ifindex, t->ifname, bpf_program__fd(program(t, name)), egress,
			 t->tc_handle, &hk->kind, &hk->link_fd, &t->qdisc_created);
}

static void hook_detach(struct tap *t, struct hook *hk, int egress)
{
	if (hk->link_fd >= 0)
		close(hk->link_fd);
	if (hk->kind == XSKDUMP_HOOK_CLSACT)
		clsact_detach(t->ifindex, egress, t->tc_handle);
	hk->link_fd = -1;
	hk->kind = XSKDUMP_HOOK_NONE;
}

static void tap_free(struct tap *t)
{
	ringbuf_unmap(&t->rb);
	hook_detach(t, &t->in, 0);
	hook_detach(t, &t->out, 1);
	if (t->qdisc_created)
		clsact_remove_if_empty(t->ifindex);
	bpf_object__close(t->obj);
	memset(t, 0, sizeof(*t));
}

/* The cgroup socket hooks of the process attribution (loaded only with it on). */
static const char *const proc_programs[] = {
	"proc_sock_create", "proc_sock_release", "proc_connect4", "proc_connect6",
	"proc_bind4",       "proc_bind6",        "proc_sendmsg4", "proc_sendmsg6",
};
_Static_assert(sizeof(proc_programs) / sizeof(*proc_programs) + 3 == XSKDUMP_PROC_PROBES,
	       "xsk_proc_probe's layout");

/* Loads the object: settings in .rodata, the ring buffer and scratch sized,
 * only the programs of the hooks that can be used (only: that one program
 * alone, for xsk_proc_probe). */
static int tap_load(struct tap *t, uint32_t dirs, uint32_t snaplen, const uint64_t *mask,
		    uint32_t nmask, uint32_t proc_filter, const char *only, int frags)
{
	uint32_t hdr = (uint32_t)sizeof(struct xskdump_tap_rec) +
		       (t->attribute ? (uint32_t)sizeof(struct xskdump_proc) : 0);
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = "xskdump_tap");
	struct xskdump_tap_config *cfg;
	struct bpf_map *rodata, *scratch, *ring;
	size_t size = 0;
	uint32_t i;
	int ncpu = libbpf_num_possible_cpus(), err;

	t->obj = bpf_object__open_mem(xskdump_tap_bpf_obj,
				      (size_t)(xskdump_tap_bpf_obj_end - xskdump_tap_bpf_obj), &oopts);
	if (!t->obj)
		return fail(-errno, "open the embedded tap programs");
	rodata = bpf_object__find_map_by_name(t->obj, ".rodata");
	scratch = bpf_object__find_map_by_name(t->obj, "scratch");
	ring = bpf_object__find_map_by_name(t->obj, "ring");
	cfg = rodata ? (void *)bpf_map__initial_value(rodata, &size) : NULL;
	if (!cfg || size < sizeof(*cfg) || !scratch || !ring || ncpu <= 0)
		return fail(-ENOENT, "the embedded tap programs are incomplete");
	cfg->snaplen = snaplen;
	cfg->all_queues = mask == NULL || nmask == 0;
	for (i = 0; i < nmask && i < XSKDUMP_MAX_QUEUES / 64; i++)
		cfg->queue_mask[i] = mask[i];
	cfg->attribute = (uint32_t)t->attribute;
	cfg->proc_filter = proc_filter;
	cfg->proc_cache_ns = proc_cache_ns();
	for (i = 0; i < sizeof(proc_programs) / sizeof(*proc_programs); i++)
		bpf_program__set_autoload(program(t, proc_programs[i]), t->attribute);
	if ((err = bpf_map__set_max_entries(ring, t->ring_size)) ||
	    (err = bpf_map__set_value_size(scratch, hdr + (snaplen < XSKDUMP_TAP_SCRATCH_MIN
								     ? XSKDUMP_TAP_SCRATCH_MIN
								     : snaplen))) ||
	    (err = bpf_map__set_max_entries(scratch, (uint32_t)ncpu)))
		return fail(err, "size the tap maps");
	/* tc programs carry their tcx attach type; clsact ignores it. */
	bpf_program__set_expected_attach_type(program(t, "tap_tc_in"), XSKDUMP_BPF_TCX_INGRESS);
	bpf_program__set_expected_attach_type(program(t, "tap_tc_in_copy"), XSKDUMP_BPF_TCX_INGRESS);
	bpf_program__set_expected_attach_type(program(t, "tap_tc_out"), XSKDUMP_BPF_TCX_EGRESS);
	bpf_program__set_expected_attach_type(program(t, "tap_tc_out_copy"), XSKDUMP_BPF_TCX_EGRESS);
	if (!(dirs & XSKDUMP_DIR_IN)) {
		bpf_program__set_autoload(program(t, "tap_xdp"), false);
		bpf_program__set_autoload(program(t, "tap_xdp_copy"), false);
		bpf_program__set_autoload(program(t, "tap_tc_in"), false);
		bpf_program__set_autoload(program(t, "tap_tc_in_copy"), false);
	}
	if (!(dirs & XSKDUMP_DIR_OUT)) {
		bpf_program__set_autoload(program(t, "tap_tc_out"), false);
		bpf_program__set_autoload(program(t, "tap_tc_out_copy"), false);
	}
	if (only) {
		struct bpf_program *p;

		bpf_object__for_each_program(p, t->obj)
			bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), only));
	}
	/* Multi-buffer packets whole at XDP (a jumbo MTU natively, GRO skbs in
	 * generic mode without linearizing them); bpf_xdp_load_bytes reads across
	 * the frags. */
	t->frags = frags;
	if (frags) {
		bpf_program__set_flags(program(t, "tap_xdp"), BPF_F_XDP_HAS_FRAGS);
		bpf_program__set_flags(program(t, "tap_xdp_copy"), BPF_F_XDP_HAS_FRAGS);
	}
	libbpf_msg[0] = 0;
	err = bpf_object__load(t->obj);
	if (err) {
		int sys = cap_effective(CAP_SYS_ADMIN);

		if (err == -EPERM && !sys && !cap_effective(CAP_BPF))
			return fail(err, "load the tap programs: CAP_BPF is missing");
		if (err == -EPERM && !sys && !cap_effective(CAP_PERFMON))
			return fail(err, "load the tap programs: CAP_PERFMON is missing");
		if (t->attribute)
			return fail(err, "load the tap programs with process attribution (needs Linux "
					 "6.2+ with BTF, CAP_BPF and CAP_PERFMON, or root)");
		return fail(err, "load the tap programs (needs CAP_BPF and CAP_PERFMON, or root)");
	}
	return 0;
}

/* tap_load with frags where asked for, the kernel knows the flag (5.18+) and
 * they are not refused, else without. */
static int tap_load_frags(struct tap *t, uint32_t dirs, uint32_t snaplen, const uint64_t *mask,
			  uint32_t nmask, uint32_t proc_filter, const char *only, int frags)
{
	int err = -EINVAL;

	if (frags && !multi_buffer_refused()) {
		err = tap_load(t, dirs, snaplen, mask, nmask, proc_filter, only, 1);
		if (err == -EINVAL) {
			bpf_object__close(t->obj);
			t->obj = NULL;
		}
	}
	if (err == -EINVAL)
		err = tap_load(t, dirs, snaplen, mask, nmask, proc_filter, only, 0);
	return err;
}

static void hook_init(struct hook *hk)
{
	memset(hk, 0, sizeof(*hk));
	hk->link_fd = -1;
	hk->stages_fd = hk->counters_fd = hk->copy_fd = -1;
}

/* The incoming hook: XDP when it is free (native first in auto mode), else tc
 * ingress, so a tap never takes the XDP hook from anyone. */
static int attach_in(struct tap *t, uint32_t mode)
{
	struct hook *hk = &t->in;
	int fd = -EINVAL, xdp = bpf_program__fd(program(t, "tap_xdp"));

	hk->counters_fd = map_fd(t, "in_counters");
	if (tc_in_forced()) {
		fd = -EBUSY;
		mode = XSKDUMP_MODE_AUTO;
		goto tc;
	}
	if (mode != XSKDUMP_MODE_GENERIC) {
		fd = link_xdp(xdp, t->ifindex, XDP_FLAGS_DRV_MODE);
		t->xdp_mode = XSKDUMP_MODE_NATIVE;
	}
	if (mode == XSKDUMP_MODE_GENERIC ||
	    (mode == XSKDUMP_MODE_AUTO && (fd == -EOPNOTSUPP || fd == -EINVAL || fd == -ENOSPC))) {
		fd = link_xdp(xdp, t->ifindex, XDP_FLAGS_SKB_MODE);
		t->xdp_mode = XSKDUMP_MODE_GENERIC;
	}
	if (fd >= 0) {
		hk->kind = XSKDUMP_HOOK_XDP;
		hk->link_fd = fd;
		hk->stages_fd = map_fd(t, "xdp_stages");
		hk->copy_fd = bpf_program__fd(program(t, "tap_xdp_copy"));
		hk->prog_type = BPF_PROG_TYPE_XDP;
		hk->attach_type = BPF_XDP;
		return 0;
	}
	t->xdp_mode = 0;
	if (fd == -EPERM)
		return fail(fd, "attach the tap XDP program to %s%s", t->ifname,
			    cap_effective(CAP_NET_ADMIN) ? "" : ": CAP_NET_ADMIN is missing");
	if (fd != -EBUSY && fd != -EEXIST)
		return fail(fd, "attach the tap XDP program to %s", t->ifname);
	if (mode != XSKDUMP_MODE_AUTO)
		return fail(fd, "attach the tap XDP program to %s: its XDP hook is taken (without "
				"--mode, incoming packets are taken at tc ingress then)",
			    t->ifname);
tc:
	hk->stages_fd = map_fd(t, "tc_in_stages");
	hk->copy_fd = bpf_program__fd(program(t, "tap_tc_in_copy"));
	hk->prog_type = BPF_PROG_TYPE_SCHED_CLS;
	hk->attach_type = XSKDUMP_BPF_TCX_INGRESS;
	return attach_tc(t, hk, "tap_tc_in", 0);
}

static int attach_out(struct tap *t)
{
	struct hook *hk = &t->out;

	hk->counters_fd = map_fd(t, "out_counters");
	hk->stages_fd = map_fd(t, "tc_out_stages");
	hk->copy_fd = bpf_program__fd(program(t, "tap_tc_out_copy"));
	hk->prog_type = BPF_PROG_TYPE_SCHED_CLS;
	hk->attach_type = XSKDUMP_BPF_TCX_EGRESS;
	return attach_tc(t, hk, "tap_tc_out", 1);
}

int32_t xsk_tap_open(const char *ifname, uint32_t dirs, uint32_t mode, uint32_t snaplen,
		     uint32_t ring_bytes, const uint64_t *queue_mask, uint32_t nmask,
		     uint32_t tc_handle, uint32_t flags, uint32_t attribute, uint32_t proc_filter)
{
	uint32_t pg = (uint32_t)sysconf(_SC_PAGESIZE);
	struct tap *t;
	int h, err;

	libbpf_msg[0] = 0;
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return fail(-EINVAL, "bad interface name");
	if (!dirs || dirs & ~(uint32_t)(XSKDUMP_DIR_IN | XSKDUMP_DIR_OUT))
		return fail(-EINVAL, "bad directions %u", dirs);
	if (flags & ~XSKDUMP_ATTACH_MULTI_BUFFER)
		return fail(-EINVAL, "bad tap flags %#x", flags);
	if (mode > XSKDUMP_MODE_GENERIC)
		return fail(-EINVAL, "bad mode %u", mode);
	if (!snaplen || snaplen > XSKDUMP_TAP_MAX_SNAP)
		return fail(-EINVAL, "snap length %u is not in 1..%u", snaplen, XSKDUMP_TAP_MAX_SNAP);
	if (ring_bytes < 4 * pg || (ring_bytes & (ring_bytes - 1)))
		return fail(-EINVAL, "ring buffer of %u bytes: not a power of two of 4 pages or more",
			    ring_bytes);
	if (attribute > 1 || proc_filter & ~(uint32_t)(XSKDUMP_WANT_PID | XSKDUMP_WANT_COMM |
						       XSKDUMP_WANT_CGROUP) ||
	    (proc_filter && !attribute))
		return fail(-EINVAL, "bad process attribution %u, filter %u", attribute, proc_filter);
	h = slot_take(taps, sizeof(*taps), MAX_TAPS, "tap captures");
	if (h < 0)
		return h;
	t = &taps[h];
	hook_init(&t->in);
	hook_init(&t->out);
	t->ifindex = (int)if_nametoindex(ifname);
	if (!t->ifindex)
		return fail(-ENODEV, "interface %s", ifname);
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	t->ring_size = ring_bytes;
	t->tc_handle = tc_handle;
	t->attribute = (int)attribute;
	err = tap_load_frags(t, dirs, snaplen, queue_mask, nmask, proc_filter, NULL,
			     (flags & XSKDUMP_ATTACH_MULTI_BUFFER) != 0);
	if (!err && (dirs & XSKDUMP_DIR_IN))
		err = attach_in(t, mode);
	if (!err && (dirs & XSKDUMP_DIR_OUT))
		err = attach_out(t);
	if (err) {
		tap_free(t);
		return err;
	}
	t->used = 1;
	return h;
}

int32_t xsk_proc_probe(int32_t *out, uint32_t n)
{
	static const char *const copies[] = { "tap_xdp_copy", "tap_tc_in_copy", "tap_tc_out_copy" };
	uint32_t nproc = sizeof(proc_programs) / sizeof(*proc_programs), i;

	for (i = 0; i < n && i < XSKDUMP_PROC_PROBES; i++) {
		struct tap t;

		memset(&t, 0, sizeof(t));
		t.ring_size = 4 * (uint32_t)sysconf(_SC_PAGESIZE);
		t.attribute = 1;
		out[i] = tap_load_frags(&t, XSKDUMP_DIR_IN | XSKDUMP_DIR_OUT, 64, NULL, 0,
					XSKDUMP_WANT_PID | XSKDUMP_WANT_COMM | XSKDUMP_WANT_CGROUP,
					i < nproc ? proc_programs[i] : copies[i - nproc], 1);
		bpf_object__close(t.obj);
	}
	return (int32_t)i;
}

struct bpf_object *tap_proc_object(int32_t h)
{
	struct tap *t = tap_get(h);

	if (!t) {
		fail(-EBADF, "no such tap handle %d", h);
		return NULL;
	}
	if (!t->attribute) {
		fail(-EINVAL, "the tap on %s was opened without process attribution", t->ifname);
		return NULL;
	}
	return t->obj;
}

int32_t xsk_tap_hooks(int32_t h, uint32_t *out, uint32_t n)
{
	struct tap *t = tap_get(h);
	uint32_t v[XSKDUMP_TAP_HOOK_WORDS], i;

	if (!t)
		return fail(-EBADF, "no such tap handle %d", h);
	v[XSKDUMP_TAP_HOOK_IN] = (uint32_t)t->in.kind;
	v[XSKDUMP_TAP_HOOK_OUT] = (uint32_t)t->out.kind;
	v[XSKDUMP_TAP_HOOK_XDP_MODE] = (uint32_t)t->xdp_mode;
	v[XSKDUMP_TAP_HOOK_RING_SIZE] = t->ring_size;
	v[XSKDUMP_TAP_HOOK_QDISC_CREATED] = (uint32_t)t->qdisc_created;
	v[XSKDUMP_TAP_HOOK_MULTI_BUFFER] = (uint32_t)t->frags;
	for (i = 0; i < n && i < XSKDUMP_TAP_HOOK_WORDS; i++)
		out[i] = v[i];
	return (int32_t)i;
}

static int hook_filter(struct tap *t, struct hook *hk, const uint8_t *insns, uint32_t n,
		       const char *label)
{
	__u32 key = XSKDUMP_STAGE_FILTER;
	int fd;

	if (hk->kind == XSKDUMP_HOOK_NONE)
		return 0;
	if (!n) {
		if (bpf_map_delete_elem(hk->stages_fd, &key) && errno != ENOENT)
			return fail(-errno, "remove the filter from %s", t->ifname);
		return 0;
	}
	fd = filter_load(insns, n, label, hk->prog_type, hk->attach_type,
			 hk->prog_type == BPF_PROG_TYPE_XDP && t->frags ? BPF_F_XDP_HAS_FRAGS : 0,
			 hk->stages_fd, hk->counters_fd);
	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(hk->stages_fd, &key, &fd, BPF_ANY)) {
		int err = -errno;

		close(fd);
		return fail(err, "install filter '%.160s' on %s", label ? label : "", t->ifname);
	}
	close(fd); /* the prog array holds it */
	return 0;
}

int32_t xsk_tap_set_filter(int32_t h, const uint8_t *xdp_insns, uint32_t xdp_n,
			   const uint8_t *skb_insns, uint32_t skb_n, const char *label)
{
	struct tap *t = tap_get(h);
	struct hook *hooks[2];
	int i, err;

	if (!t)
		return fail(-EBADF, "no such tap handle %d", h);
	if (t->started)
		return fail(-EBUSY, "the filter on %s is fixed once the capture started", t->ifname);
	hooks[0] = &t->in;
	hooks[1] = &t->out;
	for (i = 0; i < 2; i++) {
		int xdp = hooks[i]->kind == XSKDUMP_HOOK_XDP;
		uint32_t n = xdp ? xdp_n : skb_n, other = xdp ? skb_n : xdp_n;

		if (hooks[i]->kind != XSKDUMP_HOOK_NONE && !n && other)
			return fail(-EINVAL, "filter '%.160s': no %s variant given", label ? label : "",
				    xdp ? "XDP" : "tc");
		err = hook_filter(t, hooks[i], xdp ? xdp_insns : skb_insns, n, label);
		if (err)
			return err;
	}
	return 0;
}

/* Installs (on) or removes (off) the copy stage of each hook. */
static int copy_stages(struct tap *t, int on)
{
	struct hook *hooks[2] = { &t->in, &t->out };
	__u32 key = XSKDUMP_STAGE_CAPTURE;
	int i;

	for (i = 0; i < 2; i++) {
		struct hook *hk = hooks[i];

		if (hk->kind == XSKDUMP_HOOK_NONE)
			continue;
		if (on && bpf_map_update_elem(hk->stages_fd, &key, &hk->copy_fd, BPF_ANY))
			return fail(-errno, "start copying on %s", t->ifname);
		if (!on && bpf_map_delete_elem(hk->stages_fd, &key) && errno != ENOENT)
			return fail(-errno, "stop copying on %s", t->ifname);
	}
	return 0;
}

int32_t xsk_tap_start(int32_t h)
{
	struct tap *t = tap_get(h);
	int err;

	if (!t)
		return fail(-EBADF, "no such tap handle %d", h);
	if (!t->rb.mapped)
		return fail(-EINVAL, "map the ring buffer of %s before starting", t->ifname);
	if (t->warm)
		return fail(-EBUSY, "the tap on %s is warming up: end that first", t->ifname);
	err = copy_stages(t, 1);
	if (!err)
		t->started = 1;
	return err;
}

int32_t xsk_tap_stop(int32_t h)
{
	struct tap *t = tap_get(h);

	if (!t)
		return fail(-EBADF, "no such tap handle %d", h);
	return copy_stages(t, 0);
}

int32_t xsk_tap_counters(int32_t h, uint64_t *out, uint32_t n)
{
	uint64_t v[XSKDUMP_TAP_STAT_WORDS];
	struct tap *t = tap_get(h);
	uint32_t i;
	int err;

	if (!t)
		return fail(-EBADF, "no such tap handle %d", h);
	memset(v, 0, sizeof(v));
	if (t->in.kind != XSKDUMP_HOOK_NONE &&
	    (err = counters_sum(t->in.counters_fd, XSKDUMP_TAP_CNT__MAX, v, XSKDUMP_TAP_CNT__MAX,
				"the tap's counters")) < 0)
		return err;
	if (t->out.kind != XSKDUMP_HOOK_NONE &&
	    (err = counters_sum(t->out.counters_fd, XSKDUMP_TAP_CNT__MAX, v + XSKDUMP_TAP_CNT__MAX,
				XSKDUMP_TAP_CNT__MAX, "the tap's counters")) < 0)
		return err;
	/* The reader counts these, not the kernel (bpf/xskdump_abi.h). */
	for (i = 0; i < 2; i++) {
		v[i * XSKDUMP_TAP_CNT__MAX + XSKDUMP_TAP_ATTRIBUTED] = t->rb.attributed[i];
		v[i * XSKDUMP_TAP_CNT__MAX + XSKDUMP_TAP_UNATTRIBUTED] = t->rb.unattributed[i];
	}
	v[XSKDUMP_TAP_STAT_RECORDS] = t->rb.records;
	v[XSKDUMP_TAP_STAT_BYTES] = t->rb.bytes;
	v[XSKDUMP_TAP_STAT_DISCARDED] = t->rb.discarded;
	v[XSKDUMP_TAP_STAT_MALFORMED] = t->rb.malformed;
	for (i = 0; i < n && i < XSKDUMP_TAP_STAT_WORDS; i++)
		out[i] = v[i];
	return (int32_t)i;
}

int32_t xsk_tap_check(int32_t h)
{
	struct tap *t = tap_get(h);

	if (!t)
		return fail(-EBADF, "no such tap handle %d", h);
	return iface_check(t->ifindex, t->ifname);
}

int32_t xsk_tap_close(int32_t h)
{
	struct tap *t = tap_get(h);

	if (!t)
		return fail(-EBADF, "no such tap handle %d", h);
	tap_free(t);
	return 0;
}
