/* libxskdump: XDP program lifecycle, UMEM and AF_XDP sockets, batch ring
 * operations. See shim.h for the frame cycle and the ABI rules. */
#define _GNU_SOURCE
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "../bpf/xskdump_abi.h"
#include "internal.h"


/* The XDP object is linked into this library (see embed.S) so the shim is the
 * only file that has to travel. */
extern const unsigned char xskdump_bpf_obj[];
extern const unsigned char xskdump_bpf_obj_end[];

struct prog progs[MAX_PROGS];
struct sock socks[MAX_SOCKS];
static char last_error[512];
char libbpf_msg[256]; /* libbpf's last warning: often the real reason */

int fail(int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err > 0)
		err = -err;
	va_start(ap, fmt);
	n = vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(last_error))
		snprintf(last_error + n, sizeof(last_error) - (size_t)n, ": %s%s%s", strerror(-err),
			 libbpf_msg[0] ? " (libbpf: " : "", libbpf_msg[0] ? libbpf_msg : "");
	if (libbpf_msg[0]) {
		/* close the parenthesis without growing past the buffer */
		size_t l = strlen(last_error);
		if (l + 1 < sizeof(last_error)) {
			last_error[l] = ')';
			last_error[l + 1] = 0;
		}
	}
	libbpf_msg[0] = 0;
	return err;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(libbpf_msg)];
	size_t l;

	if (getenv("XSKDUMP_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	l = strlen(line);
	while (l && (line[l - 1] == '\n' || line[l - 1] == ' '))
		line[--l] = 0;
	memcpy(libbpf_msg, line, l + 1);
	return 0;
}

static int libxdp_log(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return libbpf_log(level == LIBXDP_WARN ? LIBBPF_WARN : LIBBPF_DEBUG, fmt, ap);
}

__attribute__((constructor)) static void shim_init(void)
{
	libbpf_set_print(libbpf_log);
	libxdp_set_print(libxdp_log);
}

int32_t xsk_abi_version(void)
{
	return XSKDUMP_ABI_VERSION;
}

int32_t xsk_last_error(uint8_t *buf, uint32_t len)
{
	size_t l = strlen(last_error);

	if (!buf || !len)
		return (int32_t)l;
	if (l >= len)
		l = len - 1;
	memcpy(buf, last_error, l);
	buf[l] = 0;
	return (int32_t)l;
}

struct prog *prog_get(int32_t h)
{
	if (h < 0 || h >= MAX_PROGS || !progs[h].used)
		return NULL;
	return &progs[h];
}

struct sock *sock_get(int32_t h)
{
	if (h < 0 || h >= MAX_SOCKS || !socks[h].used)
		return NULL;
	return &socks[h];
}

static int count_rx_queues(const char *ifname)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return 1;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "rx-", 3))
			n++;
	closedir(d);
	return n ? n : 1;
}

static int link_xdp(int prog_fd, int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

static void prog_release(struct prog *p);

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

int32_t xsk_prog_attach(const char *ifname, uint32_t mode)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = "xskdump");
	struct bpf_program *bp, *capture;
	struct prog *p = NULL;
	int h, err, fd, tries;

	libbpf_msg[0] = 0;
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return fail(-EINVAL, "bad interface name");
	if (mode > XSKDUMP_MODE_GENERIC)
		return fail(-EINVAL, "bad mode %u", mode);
	for (h = 0; h < MAX_PROGS; h++)
		if (!progs[h].used) {
			p = &progs[h];
			break;
		}
	if (!p)
		return fail(-EMFILE, "too many attached programs");
	memset(p, 0, sizeof(*p));
	p->link_fd = -1;
	p->capture_fd = -1;
	p->ifindex = (int)if_nametoindex(ifname);
	if (!p->ifindex)
		return fail(-ENODEV, "interface %s", ifname);
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);

	p->obj = bpf_object__open_mem(xskdump_bpf_obj,
				      (size_t)(xskdump_bpf_obj_end - xskdump_bpf_obj), &oopts);
	if (!p->obj) {
		err = -errno;
		return fail(err, "open embedded XDP object");
	}
	err = bpf_object__load(p->obj);
	if (err) {
		fail_load(err);
		goto out_close;
	}
	bp = bpf_object__find_program_by_name(p->obj, XSKDUMP_PROG_NAME);
	capture = bpf_object__find_program_by_name(p->obj, "xskdump_capture");
	p->xsks_fd = bpf_object__find_map_fd_by_name(p->obj, "xsks");
	p->counters_fd = bpf_object__find_map_fd_by_name(p->obj, "counters");
	p->stages_fd = bpf_object__find_map_fd_by_name(p->obj, "stages");
	p->qcounters_fd = bpf_object__find_map_fd_by_name(p->obj, "qcounters");
	if (!bp || !capture || p->xsks_fd < 0 || p->counters_fd < 0 || p->stages_fd < 0 ||
	    p->qcounters_fd < 0) {
		err = fail(-ENOENT, "embedded XDP object is incomplete");
		goto out_close;
	}
	p->capture_fd = bpf_program__fd(capture);

	for (tries = 0;; tries++) {
		fd = -EINVAL;
		if (mode != XSKDUMP_MODE_GENERIC) {
			fd = link_xdp(bpf_program__fd(bp), p->ifindex, XDP_FLAGS_DRV_MODE);
			p->mode = XSKDUMP_MODE_NATIVE;
		}
		/* Only fall back when the driver cannot run XDP natively here, not
		 * on EBUSY etc. (veth answers ENOSPC when its RX queues are fewer
		 * than the peer's TX queues.) */
		if (mode == XSKDUMP_MODE_GENERIC ||
		    (mode == XSKDUMP_MODE_AUTO &&
		     (fd == -EOPNOTSUPP || fd == -EINVAL || fd == -ENOSPC))) {
			fd = link_xdp(bpf_program__fd(bp), p->ifindex, XDP_FLAGS_SKB_MODE);
			p->mode = XSKDUMP_MODE_GENERIC;
		}
		if (fd >= 0 || (fd != -EBUSY && fd != -EEXIST))
			break;
		/* The hook is taken: by another xskdump, whose program we join. */
		err = tries < 3 ? prog_join(p, bpf_program__fd(bp), mode) : -EAGAIN;
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
	p->queue_count = count_rx_queues(ifname);
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

/* Closes what p holds: its link fd (the last reference detaches the
 * program), its own object, or the fds it took when it joined. */
static void prog_release(struct prog *p)
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

int32_t xsk_prog_mode(int32_t h)
{
	struct prog *p = prog_get(h);

	return p ? p->mode : fail(-EBADF, "no such program handle %d", h);
}

int32_t xsk_prog_queue_count(int32_t h)
{
	struct prog *p = prog_get(h);

	return p ? p->queue_count : fail(-EBADF, "no such program handle %d", h);
}

int32_t xsk_prog_counters(int32_t h, uint64_t *out, uint32_t n)
{
	struct prog *p = prog_get(h);
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[512];
	uint32_t i;
	int c;

	if (!p)
		return fail(-EBADF, "no such program handle %d", h);
	if (ncpu <= 0 || ncpu > 512)
		return fail(-ERANGE, "possible CPUs: %d", ncpu);
	for (i = 0; i < n && i < XSKDUMP_CNT__MAX; i++) {
		__u32 key = i;

		out[i] = 0;
		if (bpf_map_lookup_elem(p->counters_fd, &key, vals))
			return fail(-errno, "read XDP counters");
		for (c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	return (int32_t)i;
}

int32_t xsk_prog_detach(int32_t h)
{
	struct prog *p = prog_get(h);
	int s;

	if (!p)
		return fail(-EBADF, "no such program handle %d", h);
	for (s = 0; s < MAX_SOCKS; s++)
		if (socks[s].used && socks[s].prog == h)
			xsk_sock_close(s);
	prog_release(p);
	return 0;
}

int32_t xsk_prog_shared(int32_t h, uint8_t *buf, uint32_t len)
{
	struct prog *p = prog_get(h);
	char who[160];
	size_t l;

	if (!p)
		return fail(-EBADF, "no such program handle %d", h);
	who[0] = 0;
	if (p->joined)
		prog_holders(p, who, sizeof(who)); /* a walk over /proc: only when it tells */
	l = strlen(who);
	if (buf && len) {
		if (l >= len)
			l = len - 1;
		memcpy(buf, who, l);
		buf[l] = 0;
	}
	return p->joined;
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

static void fault_parse(struct sock *s);
static int fq_push(struct sock *s, const uint64_t *frames, uint32_t n);

static void sock_free(struct sock *s)
{
	if (s->xsk)
		xsk_socket__delete(s->xsk);
	if (s->umem)
		xsk_umem__delete(s->umem);
	free(s->owner);
	free(s->taken_at);
	free(s->spare);
	free(s->pending);
	memset(s, 0, sizeof(*s));
}

static int sock_bind(struct sock *s, struct prog *p, __u16 bind_flags)
{
	struct xsk_socket_config cfg = {
		.rx_size = s->frame_count,
		.tx_size = 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = bind_flags,
	};

	return xsk_socket__create(&s->xsk, p->ifname, s->queue, s->umem, &s->rx, NULL, &cfg);
}

int32_t xsk_sock_open(int32_t ph, uint32_t queue, uint32_t frame_count, uint32_t frame_size,
		      uint8_t *mem, uint64_t mem_len)
{
	struct prog *p = prog_get(ph);
	struct sock *s = NULL;
	struct xsk_umem_config ucfg;
	uint32_t i;
	__u32 key = queue;
	int h, err;

	libbpf_msg[0] = 0;
	if (!p)
		return fail(-EBADF, "no such program handle %d", ph);
	if (queue >= (uint32_t)p->queue_count || queue >= XSKDUMP_MAX_QUEUES)
		return fail(-EINVAL, "queue %u out of range on %s (it has %d RX queue%s)", queue,
			    p->ifname, p->queue_count, p->queue_count == 1 ? "" : "s");
	if (!frame_count || (frame_count & (frame_count - 1)) || frame_size < 2048 ||
	    (frame_size & (frame_size - 1)) || (uint64_t)frame_count * frame_size > (1ull << 32))
		return fail(-EINVAL, "bad UMEM geometry %u x %u", frame_count, frame_size);
	for (h = 0; h < MAX_SOCKS; h++)
		if (!socks[h].used) {
			s = &socks[h];
			break;
		}
	if (!s)
		return fail(-EMFILE, "too many sockets");
	memset(s, 0, sizeof(*s));
	s->prog = ph;
	s->queue = queue;
	s->frame_count = frame_count;
	s->frame_size = frame_size;
	s->area_size = (uint64_t)frame_count * frame_size;
	/* XDP_UMEM_REG wants a page-aligned start. */
	s->area_offset = (uint32_t)(-(uintptr_t)mem & ((uintptr_t)sysconf(_SC_PAGESIZE) - 1));
	if (!mem || mem_len < s->area_size + s->area_offset) {
		err = fail(-EINVAL, "UMEM memory of %llu bytes is too small for %u x %u",
			   (unsigned long long)mem_len, frame_count, frame_size);
		memset(s, 0, sizeof(*s));
		return err;
	}
	s->area = mem + s->area_offset;
	ucfg = (struct xsk_umem_config){
		.fill_size = frame_count,
		.comp_size = frame_count,
		.frame_size = frame_size,
		.frame_headroom = 0,
		.flags = 0,
	};
	if (p->joined && !p->filter_checked) {
		/* No filter asked for: the shared program must have none either. */
		err = prog_filter_compare(p, NULL, 0, NULL);
		if (err)
			goto out;
	}
	err = xsk_umem__create(&s->umem, s->area, s->area_size, &s->fq, &s->cq, &ucfg);
	if (err) {
		s->umem = NULL;
		if (err == -EPERM && !cap_effective(CAP_NET_RAW))
			fail(err, "create an AF_XDP socket: CAP_NET_RAW is missing");
		else if ((err == -ENOBUFS || err == -ENOMEM || err == -EPERM) &&
			 !cap_effective(CAP_IPC_LOCK))
			fail(err, "register UMEM (%u frames, %llu KiB): more than the locked-memory "
				  "limit allows, and CAP_IPC_LOCK is missing",
			     frame_count, (unsigned long long)(s->area_size >> 10));
		else
			fail(err, "create an AF_XDP socket and register its UMEM (%u frames; needs "
				  "CAP_NET_RAW, and CAP_IPC_LOCK or a memlock limit)",
			     frame_count);
		goto out;
	}
	/* Zero-copy where the driver has it; copy mode otherwise (veth, generic). */
	s->zerocopy = 1;
	err = -EOPNOTSUPP;
	if (p->mode == XSKDUMP_MODE_NATIVE)
		err = sock_bind(s, p, XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY);
	if (err) {
		s->zerocopy = 0;
		err = sock_bind(s, p, XDP_USE_NEED_WAKEUP | XDP_COPY);
	}
	if (err) {
		char who[160] = "", also[160] = "";

		s->xsk = NULL;
		if (err == -EBUSY)
			queue_holder(p->ifindex, queue, who, sizeof(who));
		/* Without sock_diag for AF_XDP (CONFIG_XDP_SOCKETS_DIAG), name at
		 * least the other captures on the interface. */
		if (err == -EBUSY && !who[0] && p->joined)
			prog_holders(p, also, sizeof(also));
		if (err == -EBUSY)
			fail(err, "queue %u of %s is taken: another AF_XDP socket is bound to it%s%s%s%s%s",
			     queue, p->ifname, who[0] ? ", of " : "", who,
			     also[0] ? " (the interface is captured by " : "", also,
			     also[0] ? ")" : "");
		else if (err == -EPERM && !cap_effective(CAP_NET_RAW))
			fail(err, "create an AF_XDP socket: CAP_NET_RAW is missing");
		else
			fail(err, "bind AF_XDP socket to %s queue %u", p->ifname, queue);
		goto out;
	}
	s->fd = xsk_socket__fd(s->xsk);

	/* The guard's bookkeeping is allocated here, once: nothing per packet. */
	s->owner = malloc(frame_count);
	s->spare = malloc((size_t)frame_count * sizeof(*s->spare));
	s->pending = malloc((size_t)frame_count * sizeof(*s->pending));
	s->taken_at = malloc((size_t)frame_count * sizeof(*s->taken_at));
	if (!s->owner || !s->spare || !s->pending || !s->taken_at) {
		err = fail(-ENOMEM, "frame ledger for %u frames", frame_count);
		goto out;
	}
	/* The kernel puts packets after XDP_PACKET_HEADROOM plus our (zero) UMEM headroom. */
	ledger_init(&s->ledger, s->area, s->area_size, frame_count, frame_size,
		    XDP_PACKET_HEADROOM + XSK_UMEM__DEFAULT_FRAME_HEADROOM, s->owner);
	s->ledger.taken_at = s->taken_at;
	s->guard = 1;
	fault_parse(s);

	/* (1) of the cycle: the kernel starts out owning every frame. */
	for (i = 0; i < frame_count; i++) {
		s->spare[i] = (uint64_t)i * frame_size;
		ledger_give_initial(&s->ledger, s->spare[i]);
	}
	err = fq_push(s, s->spare, frame_count);
	if (err)
		goto out;

	/* Where a filter sends what it accepts: installed with the first
	 * socket, before any packet can reach the filter. From now on the
	 * filter is fixed, and other captures may join (csrc/share.c). */
	if (!p->joined && !p->sockets_opened) {
		__u32 stage = XSKDUMP_STAGE_CAPTURE;

		if (bpf_map_update_elem(p->stages_fd, &stage, &p->capture_fd, BPF_ANY)) {
			err = fail(-errno, "install the capture stage on %s", p->ifname);
			goto out;
		}
	}
	if (bpf_map_update_elem(p->xsks_fd, &key, &s->fd, BPF_ANY)) {
		err = fail(-errno, "register socket for %s queue %u in the XSKMAP", p->ifname, queue);
		goto out;
	}
	p->sockets_opened = 1;
	s->used = 1;
	return h;
out:
	sock_free(s);
	return err;
}

int32_t xsk_sock_zerocopy(int32_t h)
{
	struct sock *s = sock_get(h);

	return s ? s->zerocopy : fail(-EBADF, "no such socket handle %d", h);
}

int32_t xsk_umem_offset(int32_t h)
{
	struct sock *s = sock_get(h);

	return s ? (int32_t)s->area_offset : fail(-EBADF, "no such socket handle %d", h);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts); /* vDSO: no syscall */
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* XSKDUMP_FAULT=<kind>[@N]: a testing aid that makes the N-th descriptor
 * (default 100) look exactly like the generic-receive race would make it.
 * Inert when unset. */
static void fault_parse(struct sock *s)
{
	static const char *const names[LEDGER_KINDS] = {
		[LEDGER_MISALIGNED] = "misaligned", [LEDGER_FOREIGN] = "foreign",
		[LEDGER_DUPLICATE] = "duplicate",   [LEDGER_OVERHELD] = "overheld",
		[LEDGER_CLOBBER] = "clobber",
	};
	const char *v = getenv("XSKDUMP_FAULT");
	const char *at;
	size_t len;
	int k;

	s->fault_kind = -1;
	if (!v || !*v)
		return;
	at = strchr(v, '@');
	len = at ? (size_t)(at - v) : strlen(v);
	for (k = 0; k < LEDGER_KINDS; k++)
		if (strlen(names[k]) == len && !strncmp(v, names[k], len))
			s->fault_kind = k;
	s->fault_at = at ? strtoull(at + 1, NULL, 10) : 100;
	if (!s->fault_at)
		s->fault_at = 100;
}

/* Rewrites the descriptor the fault hits. Returns 1 when the real frame was
 * not taken by the ledger and must go straight back to the kernel. Duplicate
 * and clobber act after the take (see xsk_rx_batch). */
static int fault_apply(struct sock *s, uint64_t *addr, int *overheld)
{
	uint64_t frame = *addr - *addr % s->frame_size;

	switch (s->fault_kind) {
	case LEDGER_MISALIGNED:
		*addr = frame; /* "wrong offset, often 0" */
		return 0;
	case LEDGER_FOREIGN:
		*addr = s->area_size + frame + s->ledger.rx_offset; /* never on the fill ring */
		return 1;
	case LEDGER_OVERHELD:
		*overheld = 1;
		return 1;
	default:
		return 0;
	}
}

/* Puts as many of frames[0..n) on the FQ as it has room for; returns how many. */
static uint32_t fq_put(struct sock *s, const uint64_t *frames, uint32_t n)
{
	uint32_t idx, i, room = xsk_prod_nb_free(&s->fq, n);

	if (room < n)
		n = room;
	if (!n || xsk_ring_prod__reserve(&s->fq, n, &idx) != n)
		return 0;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&s->fq, idx + i) = frames[i];
	xsk_ring_prod__submit(&s->fq, n);
	return n;
}

/* Puts frames on the FQ. The FQ has a slot for every frame, but the kernel
 * publishes that it took an address off the FQ only after it posted the RX
 * descriptor (xsk_flush: RX producer, then FQ consumer): for a moment the user
 * can hold a frame whose FQ slot still looks taken. What does not fit waits in
 * `pending` and goes first the next time (every xsk_rx_batch tries). */
static int fq_push(struct sock *s, const uint64_t *frames, uint32_t n)
{
	uint32_t put = 0;

	if (s->npending) {
		uint32_t done = fq_put(s, s->pending, s->npending);

		s->npending -= done;
		memmove(s->pending, s->pending + done, (size_t)s->npending * sizeof(*s->pending));
	}
	if (!s->npending)
		put = fq_put(s, frames, n);
	if (put < n) {
		if (s->npending + (n - put) > s->frame_count)
			return fail(-ENOSPC, "fill ring: more frames given back than the UMEM has");
		memcpy(s->pending + s->npending, frames + put, (size_t)(n - put) * sizeof(*frames));
		s->npending += n - put;
	}
	/* Zero-copy drivers sleep when the FQ ran dry; this is once per batch. */
	if (xsk_ring_prod__needs_wakeup(&s->fq))
		recvfrom(s->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	return 0;
}

int32_t xsk_rx_batch(int32_t h, uint32_t *descs, uint32_t max)
{
	struct sock *s = sock_get(h);
	int64_t mono_to_real, now;
	uint32_t idx, n, i, kept = 0, back = 0;
	int err;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (max > s->frame_count)
		max = s->frame_count;
	if (s->npending && (err = fq_push(s, NULL, 0)))
		return err;
	n = xsk_ring_cons__peek(&s->rx, max, &idx);
	if (!n)
		return 0;
	/* One offset per batch turns the XDP program's monotonic stamps into
	 * wall-clock time; both clocks read back to back. */
	now = clock_ns(CLOCK_REALTIME);
	mono_to_real = now - clock_ns(CLOCK_MONOTONIC);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&s->rx, idx + i);
		uint64_t addr = xsk_umem__add_offset_to_addr(d->addr);
		uint64_t real = addr, frame;
		const struct xskdump_meta *m;
		uint32_t *out = descs + (size_t)kept * XSKDUMP_DESC_WORDS;
		int64_t t = now;
		int verdict = LEDGER_OK, overheld = 0, bounce = 0, meta = 0;
		uint64_t held = 0;

		if (s->fault_kind >= 0 && s->ledger.descriptors + 1 == s->fault_at)
			bounce = fault_apply(s, &addr, &overheld);
		/* The timestamp is read before the ledger's canary covers it. */
		if (addr < s->area_size && addr % s->frame_size >= sizeof(*m)) {
			m = (const void *)((const char *)s->area + addr - sizeof(*m));
			if (m->magic == XSKDUMP_META_MAGIC) {
				t = (int64_t)m->rx_ns + mono_to_real;
				meta = 1;
			}
		}
		if (s->guard) {
			if (overheld) {
				held = s->ledger.held;
				s->ledger.held = s->frame_count;
			}
			verdict = ledger_take(&s->ledger, addr, d->len, &frame);
			if (overheld)
				s->ledger.held = held;
			if (verdict == LEDGER_MISALIGNED && ledger_give(&s->ledger, frame) != LEDGER_DUPLICATE)
				s->spare[back++] = frame;
			if (bounce)
				s->spare[back++] = real - real % s->frame_size;
			if (verdict != LEDGER_OK)
				continue; /* never handed to the capture */
			if (s->ledger.descriptors == s->fault_at && s->fault_kind == LEDGER_CLOBBER)
				ledger_canary_slot(&s->ledger, frame)[0] ^= 0xff; /* the kernel's stray write */
			if (s->ledger.descriptors == s->fault_at && s->fault_kind == LEDGER_DUPLICATE) {
				/* The kernel posts the same frame a second time. */
				ledger_take(&s->ledger, addr, d->len, &frame);
				s->fault_at++;
			}
		}
		s->no_meta += !meta;
		out[XSKDUMP_DESC_ADDR] = (uint32_t)addr;
		out[XSKDUMP_DESC_LEN] = d->len;
		out[XSKDUMP_DESC_SEC] = (uint32_t)(t / 1000000000ll);
		out[XSKDUMP_DESC_NSEC] = (uint32_t)(t % 1000000000ll);
		s->rx_bytes += d->len;
		kept++;
	}
	xsk_ring_cons__release(&s->rx, n);
	s->rx_packets += n;
	s->user_held += kept;
	err = fq_push(s, s->spare, back);
	return err ? err : (int32_t)kept;
}

int32_t xsk_fill(int32_t h, const uint32_t *descs, uint32_t n)
{
	struct sock *s = sock_get(h);
	uint32_t i, k = 0;
	int err;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (n > s->user_held)
		return fail(-EINVAL, "refill of %u frames but the user holds %llu", n,
			    (unsigned long long)s->user_held);
	for (i = 0; i < n; i++) {
		uint64_t addr = descs[(size_t)i * XSKDUMP_DESC_WORDS + XSKDUMP_DESC_ADDR];

		/* The ledger refuses a frame the user does not hold: no double refill. */
		if (s->guard && ledger_give(&s->ledger, addr) == LEDGER_DUPLICATE)
			continue;
		s->spare[k++] = addr - addr % s->frame_size;
	}
	err = fq_push(s, s->spare, k);
	if (err)
		return err;
	s->user_held -= n;
	return xsk_guard_total(h);
}

int32_t xsk_sock_guard(int32_t h, uint32_t on)
{
	struct sock *s = sock_get(h);

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	if (s->user_held)
		return fail(-EBUSY, "guard can only change while the user holds no frame");
	s->guard = !!on;
	return 0;
}

int32_t xsk_guard_total(int32_t h)
{
	struct sock *s = sock_get(h);
	uint64_t t = 0;
	int k;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	for (k = 0; k < LEDGER_KINDS; k++)
		t += s->ledger.count[k];
	return t > INT32_MAX ? INT32_MAX : (int32_t)t;
}

int32_t xsk_guard_report(int32_t h, uint64_t *out, uint32_t n)
{
	struct sock *s = sock_get(h);
	uint32_t i;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	for (i = 0; i < n && i < LEDGER_KINDS * XSKDUMP_GUARD_WORDS; i++) {
		int k = (int)(i / XSKDUMP_GUARD_WORDS);

		switch (i % XSKDUMP_GUARD_WORDS) {
		case 0:
			out[i] = s->ledger.count[k];
			break;
		case 1:
			out[i] = s->ledger.first[k].addr;
			break;
		default:
			out[i] = s->ledger.first[k].descriptor;
		}
	}
	return (int32_t)i;
}

int32_t xsk_doze(uint32_t usec)
{
	struct timespec ts;

	if (usec > 1000000)
		return fail(-EINVAL, "doze of %u us is more than a second", usec);
	ts.tv_sec = usec / 1000000;
	ts.tv_nsec = (long)(usec % 1000000) * 1000;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return 0;
}

int32_t xsk_wait(int32_t h, int32_t timeout_ms)
{
	struct sock *s = sock_get(h);
	struct pollfd pfd;
	int r;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	/* Data already waiting: no syscall. nb_avail moves no consumer index. */
	if (xsk_cons_nb_avail(&s->rx, 1))
		return 1;
	pfd.fd = s->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : fail(-errno, "poll AF_XDP socket");
	if (r > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
		return xsk_sock_check(h) ?: 1;
	return r > 0 ? 1 : 0;
}

int32_t xsk_wait_any(const int32_t *hs, uint32_t n, int32_t timeout_ms)
{
	struct pollfd pfd[MAX_SOCKS];
	uint32_t i;
	int r;

	if (!hs || !n || n > MAX_SOCKS)
		return fail(-EINVAL, "wait on %u sockets", n);
	for (i = 0; i < n; i++) {
		struct sock *s = sock_get(hs[i]);

		if (!s)
			return fail(-EBADF, "no such socket handle %d", hs[i]);
		if (xsk_cons_nb_avail(&s->rx, 1))
			return 1;
		pfd[i].fd = s->fd;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	r = poll(pfd, n, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : fail(-errno, "poll AF_XDP sockets");
	return r > 0 ? 1 : 0;
}

int32_t xsk_sock_check(int32_t h)
{
	struct sock *s = sock_get(h);
	struct prog *p;
	char name[IF_NAMESIZE];
	struct ifreq ifr;
	int soerr = 0, fd, up;
	socklen_t l = sizeof(soerr);

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	p = &progs[s->prog];
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &l))
		soerr = 0;
	/* The kernel unbinds an AF_XDP socket with ENETDOWN only when its
	 * device is unregistered: deleted (or moved to another namespace),
	 * possibly while its name is still listed. */
	if (soerr == ENETDOWN || !if_indextoname((unsigned)p->ifindex, name))
		return fail(-ENODEV, "interface %s is gone", p->ifname);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(-errno, "socket for interface check");
	up = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 ? !!(ifr.ifr_flags & IFF_UP) : -1;
	close(fd);
	if (up == 0)
		return fail(-ENETDOWN, "interface %s is down", name);
	if (soerr)
		return fail(-soerr, "AF_XDP socket on %s queue %u", name, s->queue);
	return 0;
}

int32_t xsk_sock_stats(int32_t h, uint64_t *out, uint32_t n)
{
	struct sock *s = sock_get(h);
	struct xdp_statistics st;
	socklen_t l = sizeof(st);
	uint64_t v[XSKDUMP_STAT__COUNT];
	uint32_t i;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	memset(&st, 0, sizeof(st));
	if (getsockopt(s->fd, SOL_XDP, XDP_STATISTICS, &st, &l))
		return fail(-errno, "XDP_STATISTICS on queue %u", s->queue);
	v[XSKDUMP_STAT_RX_DROPPED] = st.rx_dropped;
	v[XSKDUMP_STAT_RX_INVALID] = st.rx_invalid_descs;
	v[XSKDUMP_STAT_RX_RING_FULL] = st.rx_ring_full;
	v[XSKDUMP_STAT_RX_FILL_EMPTY] = st.rx_fill_ring_empty_descs;
	v[XSKDUMP_STAT_RX_PACKETS] = s->rx_packets;
	v[XSKDUMP_STAT_RX_BYTES] = s->rx_bytes;
	v[XSKDUMP_STAT_USER_HELD] = s->user_held;
	v[XSKDUMP_STAT_NO_META] = s->no_meta;
	for (i = 0; i < n && i < XSKDUMP_STAT__COUNT; i++)
		out[i] = v[i];
	return (int32_t)i;
}

int32_t xsk_sock_stop(int32_t h)
{
	struct sock *s = sock_get(h);
	struct prog *p;
	__u32 key;

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	p = prog_get(s->prog);
	key = s->queue;
	if (p && bpf_map_delete_elem(p->xsks_fd, &key) && errno != ENOENT)
		return fail(-errno, "unregister queue %u", s->queue);
	return 0;
}

int32_t xsk_sock_close(int32_t h)
{
	struct sock *s = sock_get(h);

	if (!s)
		return fail(-EBADF, "no such socket handle %d", h);
	xsk_sock_stop(h); /* new packets pass to the stack */
	sock_free(s);
	return 0;
}
