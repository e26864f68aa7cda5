/* Loads translated filters (eBPF made by lib/filter/translate.ts from libpcap's
 * cBPF) into the kernel: into the attached program's "stages" prog array for
 * a capture, or as a stand-alone program for BPF_PROG_TEST_RUN.
 *
 * How a packet flows with a filter (bpf/xskdump.bpf.c):
 *   xskdump_rx (attached): count seen; no socket on the queue => XDP_PASS;
 *     tail call stages[XSKDUMP_STAGE_FILTER]          (falls through: no filter)
 *   filter (this file loads it): cBPF semantics; no match => count filtered,
 *     XDP_PASS; match => tail call stages[XSKDUMP_STAGE_CAPTURE]
 *   xskdump_capture: timestamp, redirect into the XSKMAP.
 *
 * The translated program names its maps by placeholder: a BPF_LD_IMM64 with
 * src_reg BPF_PSEUDO_MAP_FD and imm XSKDUMP_FILTER_MAP_*. The shim puts the
 * real map fds in before loading, so no fd ever crosses into TypeScript.
 *
 * Uses prog.c, share.c, host.c and error.c. */
#define _GNU_SOURCE
#include "filter_prog.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/capability.h>

#include "error.h"
#include "host.h"
#include "share.h"

#define MAX_TESTS 16
/* The verifier's last lines quoted in an error. */
#define LOG_TAIL_LINES 3
/* eBPF programs longer than this are refused before the kernel sees them. */
#define MAX_EBPF_INSNS 1000000u

struct filter_test {
	int used;
	int prog_fd;
	int counters_fd;
	int stages_fd;
};

static struct filter_test tests[MAX_TESTS];
_Static_assert(offsetof(struct filter_test, used) == 0, "a handle table (slot_take)");
/* Room for the verifier's log of a rejected load. Only touched on failure;
 * the log rotates, so what is kept is its end, where the reason is. */
#define LOG_SIZE (16u << 20)

/* Writes the log's last LOG_TAIL_LINES lines, joined by " | ", into out,
 * leaving out the "processed N insns" statistics that end every log. */
static void log_tail(const char *log, char *out, size_t len)
{
	const char *lines[LOG_TAIL_LINES];
	size_t lens[LOG_TAIL_LINES], used = 0;
	const char *end = log + strlen(log);
	int n = 0, i;

	out[0] = 0;
	while (end > log && n < LOG_TAIL_LINES) {
		const char *start;

		while (end > log && (end[-1] == '\n' || end[-1] == ' '))
			end--;
		start = end;
		while (start > log && start[-1] != '\n')
			start--;
		if (end > start && strncmp(start, "processed ", 10) != 0 &&
		    strncmp(start, "verification time", 17) != 0 &&
		    strncmp(start, "stack depth", 11) != 0) {
			lines[n] = start;
			lens[n++] = (size_t)(end - start);
		}
		end = start;
	}
	for (i = n - 1; i >= 0 && used + 1 < len; i--) {
		int w = snprintf(out + used, len - used, "%s%.*s", used ? " | " : "", (int)lens[i],
				 lines[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Copies insns (host-order struct bpf_insn records) and replaces the map
 * placeholders with fds. Returns a malloc'd program or NULL with errno set. */
static struct bpf_insn *resolve_maps(const uint8_t *insns, uint32_t n, int stages_fd,
				     int counters_fd)
{
	struct bpf_insn *prog = malloc((size_t)n * sizeof(*prog));
	uint32_t i;

	if (!prog) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(prog, insns, (size_t)n * sizeof(*prog));
	for (i = 0; i < n; i++) {
		if (prog[i].code != (BPF_LD | BPF_DW | BPF_IMM))
			continue;
		if (i + 1 >= n) {
			free(prog);
			errno = EINVAL;
			return NULL;
		}
		if (prog[i].src_reg == BPF_PSEUDO_MAP_FD) {
			if (prog[i].imm == XSKDUMP_FILTER_MAP_STAGES) {
				prog[i].imm = stages_fd;
			} else if (prog[i].imm == XSKDUMP_FILTER_MAP_COUNTERS) {
				prog[i].imm = counters_fd;
			} else {
				free(prog);
				errno = EINVAL;
				return NULL;
			}
		} else if (prog[i].src_reg != 0) {
			/* No other pseudo source is ours to resolve. */
			free(prog);
			errno = EINVAL;
			return NULL;
		}
		i++; /* the second half of the 16-byte instruction */
	}
	return prog;
}

int filter_load(const uint8_t *insns, uint32_t n, const char *label, int prog_type, int attach_type,
		uint32_t prog_flags, int stages_fd, int counters_fd)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)attach_type,
		    .prog_flags = prog_flags);
	char tail[320];
	struct bpf_insn *prog;
	char *log;
	int fd, err;

	if (!label)
		label = "filter";
	if (!insns || !n || n > MAX_EBPF_INSNS)
		return fail(-EINVAL, "filter '%.160s': eBPF program of %u instructions", label, n);
	prog = resolve_maps(insns, n, stages_fd, counters_fd);
	if (!prog)
		return fail(-errno, "filter '%.160s': bad map reference in the eBPF program", label);
	/* log_level 0 with a buffer: libbpf loads without a log first and
	 * asks the verifier again, with the log, only when that fails. */
	log = calloc(1, LOG_SIZE);
	if (log) {
		opts.log_buf = log;
		opts.log_size = LOG_SIZE;
	}
	libbpf_msg[0] = 0;
	fd = bpf_prog_load((enum bpf_prog_type)prog_type, "xskdump_filter", "GPL", prog, n, &opts);
	err = fd < 0 ? -errno : 0;
	free(prog);
	tail[0] = 0;
	if (fd < 0 && log)
		log_tail(log, tail, sizeof(tail));
	free(log);
	if (fd >= 0)
		return fd;
	libbpf_msg[0] = 0; /* the verifier's own words are better */
	if (err == -EPERM)
		return fail(err, "filter '%.160s': loading it needs CAP_BPF (or root)", label);
	/* Unprivileged programs may not do pointer arithmetic: CAP_PERFMON. */
	return fail(err, "filter '%.160s' rejected by the kernel verifier%s%s%s", label,
		    tail[0] ? ": " : "", tail,
		    strstr(tail, "!root") && !cap_effective(CAP_PERFMON) &&
				    !cap_effective(CAP_SYS_ADMIN)
			    ? "; CAP_PERFMON is missing"
			    : "");
}

/* Loads a translated filter as an XDP program for p's filter stage; the error names label.
 * Its frags flag must be the prog array's: a joined program's is not readable, so both. */
static int load_filter(const struct prog *p, const uint8_t *insns, uint32_t n, const char *label)
{
	int fd = filter_load(insns, n, label, BPF_PROG_TYPE_XDP, BPF_XDP,
			     p->multi_buffer || p->joined ? BPF_F_XDP_HAS_FRAGS : 0, p->stages_fd,
			     p->counters_fd);

	if (fd == -EINVAL && p->joined)
		fd = filter_load(insns, n, label, BPF_PROG_TYPE_XDP, BPF_XDP, 0, p->stages_fd,
				 p->counters_fd);
	return fd;
}

static int prog_tag(int fd, __u8 *tag)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	memcpy(tag, info.tag, BPF_TAG_SIZE);
	return 0;
}

/* "xskdump pid N" or "another xskdump": who else captures on p's interface. */
static const char *holders(const struct prog *p, char *buf, size_t len)
{
	link_holders(p->link_fd, buf, len);
	if (!buf[0])
		snprintf(buf, len, "another xskdump");
	return buf;
}

int prog_filter_compare(struct prog *p, const uint8_t *insns, uint32_t n, const char *label)
{
	__u8 theirs[BPF_TAG_SIZE], ours[BPF_TAG_SIZE];
	__u32 key = XSKDUMP_STAGE_FILTER, id = 0;
	char who[160];
	int fd, err;

	if (!label)
		label = "";
	if (bpf_map_lookup_elem(p->stages_fd, &key, &id)) {
		if (errno != ENOENT)
			return fail(-errno, "read the filter stage on %s", p->ifname);
		id = 0;
	}
	if (!id && n)
		return fail(-EBUSY,
			    "%s is captured by %s without a filter; a second capture there shares "
			    "its XDP program, so it cannot have one ('%.160s')",
			    p->ifname, holders(p, who, sizeof(who)), label);
	if (id && !n)
		return fail(-EBUSY,
			    "%s is captured by %s with a filter; a second capture there shares its "
			    "XDP program, so it must ask for the same filter",
			    p->ifname, holders(p, who, sizeof(who)));
	if (id) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			return fail(-errno, "open the filter stage on %s", p->ifname);
		err = prog_tag(fd, theirs);
		close(fd);
		if (err)
			return fail(err, "read the filter stage on %s", p->ifname);
		/* Loaded only to be compared: the tag ignores which maps it names. */
		fd = load_filter(p, insns, n, label);
		if (fd < 0)
			return fd;
		err = prog_tag(fd, ours);
		close(fd);
		if (err)
			return fail(err, "read filter '%.160s'", label);
		if (memcmp(ours, theirs, BPF_TAG_SIZE))
			return fail(-EBUSY,
				    "%s is captured by %s with another filter; a second capture "
				    "there shares its XDP program, so it must ask for the same "
				    "filter, not '%.160s'",
				    p->ifname, holders(p, who, sizeof(who)), label);
	}
	p->filter_checked = 1;
	return 0;
}

int filter_stage_set(int stages_fd, int fd, const char *label, const char *ifname)
{
	__u32 key = XSKDUMP_STAGE_FILTER;
	int err = 0;

	if (fd < 0) {
		if (bpf_map_delete_elem(stages_fd, &key) && errno != ENOENT)
			return fail(-errno, "remove the filter from %s", ifname);
		return 0;
	}
	if (bpf_map_update_elem(stages_fd, &key, &fd, BPF_ANY))
		err = fail(-errno, "install filter '%.160s' on %s", label ? label : "", ifname);
	/* The prog array holds the program now; it goes when the map goes. */
	close(fd);
	return err;
}

int32_t xsk_prog_set_filter(int32_t h, const uint8_t *insns, uint32_t n, const char *label)
{
	struct prog *p = prog_get(h);
	int fd;

	if (!p)
		return fail(-EBADF, "no such program handle %d", h);
	if (p->joined)
		return prog_filter_compare(p, insns, n, label);
	/* Captures that join the program rely on the filter they compared. */
	if (p->sockets_opened)
		return fail(-EBUSY, "the filter on %s is fixed once a socket is open", p->ifname);
	/* No filter: the entry program falls through to capture. The capture
	 * stage, where an accepted packet goes, is installed with the first
	 * socket (xsk_sock_open): no packet reaches the filter before. */
	fd = n ? load_filter(p, insns, n, label) : -1;
	if (n && fd < 0)
		return fd;
	return filter_stage_set(p->stages_fd, fd, label, p->ifname);
}

/* The test filter of a handle the caller gave, or NULL with the error recorded. */
static struct filter_test *test_find(int32_t h)
{
	return slot_find(tests, sizeof(*tests), MAX_TESTS, h, "test filter");
}

static void test_free(struct filter_test *t)
{
	if (t->prog_fd >= 0)
		close(t->prog_fd);
	if (t->counters_fd >= 0)
		close(t->counters_fd);
	if (t->stages_fd >= 0)
		close(t->stages_fd);
	memset(t, 0, sizeof(*t));
}

/* A stand-alone test filter of prog_type, with private maps. */
static int32_t test_load(const uint8_t *insns, uint32_t n, const char *label, int prog_type,
			 int attach_type)
{
	struct filter_test *t;
	int h, fd;

	libbpf_msg[0] = 0;
	if (!insns || !n || n > MAX_EBPF_INSNS)
		return fail(-EINVAL, "filter '%.160s': eBPF program of %u instructions",
			    label ? label : "filter", n);
	h = slot_take(tests, sizeof(*tests), MAX_TESTS, "test filters loaded");
	if (h < 0)
		return h;
	t = &tests[h];
	t->prog_fd = t->counters_fd = t->stages_fd = -1;
	/* Maps of the same shape as the attached program's, private to this
	 * test program: its counters can be read back with
	 * xsk_filter_test_counters; its stages stay empty. */
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "xskdump_tcnt", sizeof(__u32), sizeof(__u64),
			    XSKDUMP_CNT__MAX, NULL);
	if (fd < 0)
		return fail(-errno, "create counters for a test filter");
	t->counters_fd = fd;
	fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "xskdump_tstage", sizeof(__u32),
			    sizeof(__u32), XSKDUMP_STAGE__MAX, NULL);
	if (fd < 0) {
		fd = fail(-errno, "create stages for a test filter");
		test_free(t);
		return fd;
	}
	t->stages_fd = fd;
	fd = filter_load(insns, n, label, prog_type, attach_type, 0, t->stages_fd, t->counters_fd);
	if (fd < 0) {
		test_free(t);
		return fd;
	}
	t->prog_fd = fd;
	t->used = 1;
	return h;
}

int32_t xsk_filter_test_load(const uint8_t *insns, uint32_t n, const char *label)
{
	return test_load(insns, n, label, BPF_PROG_TYPE_XDP, BPF_XDP);
}

int32_t xsk_filter_test_load_skb(const uint8_t *insns, uint32_t n, const char *label)
{
	return test_load(insns, n, label, BPF_PROG_TYPE_SCHED_CLS, 0);
}

int32_t xsk_filter_test_run(int32_t h, const uint8_t *pkt, uint32_t len, uint32_t repeat,
			    uint32_t *out)
{
	struct filter_test *t = test_find(h);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len,
		    .repeat = (int)repeat);

	if (!t)
		return -EBADF;
	if (!pkt || repeat > (uint32_t)INT32_MAX)
		return fail(-EINVAL, "bad test run arguments");
	if (bpf_prog_test_run_opts(t->prog_fd, &opts))
		return fail(-errno, "BPF_PROG_TEST_RUN of a %u-byte packet%s", len,
			    len < 14 ? " (XDP needs at least an Ethernet header)" : "");
	if (out) {
		out[XSKDUMP_TEST_RETVAL] = opts.retval;
		out[XSKDUMP_TEST_DURATION] = opts.duration;
	}
	return 0;
}

int32_t xsk_filter_test_counters(int32_t h, uint64_t *out, uint32_t n)
{
	struct filter_test *t = test_find(h);

	return t ? counters_sum(t->counters_fd, XSKDUMP_CNT__MAX, out, n, "test filter counters")
		 : -EBADF;
}

int32_t xsk_filter_test_close(int32_t h)
{
	struct filter_test *t = test_find(h);

	if (t)
		test_free(t);
	return t ? 0 : -EBADF;
}
