/* xsk_limit: the C limit of the receive loop over libxskdump, for bench/.
 *
 * The same shim, XDP program, UMEM geometry and batch size as xskdump, with
 * nothing above the two ring calls:
 *
 *   loop: n = xsk_rx_batch(sock, descs, batch)   (4) take descriptors
 *         xsk_fill(sock, descs, n)               (6) give the frames back
 *         if n == 0: xsk_wait(sock, 50 ms)
 *
 * So "rx-drop": the packet bytes are never read. With -w FILE it also copies
 * every packet into a pcap file (nanosecond timestamps, 1 MiB writes), the C
 * counterpart of `xskdump -w FILE`, to tell what the copy and the write cost
 * apart from what Deno costs. The ring integrity guard is on, as in xskdump;
 * -g turns it off to measure what it costs. -s spins on the RX ring instead of
 * sleeping in poll() when it is empty (busy polling from user space: no
 * wakeups for the kernel to send, one CPU burnt). -u USEC naps USEC
 * microseconds instead (no wakeup either; the ring fills meanwhile, so the
 * next batch is full: user-space interrupt moderation).
 *
 * A fill that fails with -ENOSPC is counted and retried, not fatal. The kernel
 * publishes its FQ consumer index after the RX producer index (xsk_flush), so
 * for a moment the user can hold a frame that the FQ still counts as queued;
 * the shim keeps what does not fit and pushes it first next time, so this
 * count should stay 0.
 *
 * Prints "listening on IFACE, queue Q, mode M" on stderr when ready, runs until
 * SIGINT/SIGTERM or -d seconds, then prints one JSON object on stdout: the
 * counts, the XDP program's counters, the socket's drop reasons, and the
 * process's own CPU time and peak RSS (getrusage).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../csrc/shim.h"

/* Counter slots of the XDP program (enum xskdump_counter in bpf/xskdump_abi.h,
 * which needs linux/types.h; only the indexes are needed here). */
enum { CNT_SEEN, CNT_REDIRECTED, CNT_PASSED, CNT_FILTERED, CNT_NO_META, CNT_COUNT };

#define OUT_BUF (1u << 20)
#define PCAP_MAGIC_NS 0xa1b23c4du

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die_shim(const char *what, int err)
{
	char msg[512];

	xsk_last_error((uint8_t *)msg, sizeof(msg));
	fprintf(stderr, "xsk_limit: %s: %s (%s)\n", what, msg, strerror(-err));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xsk_limit -i IFACE [-m auto|native|generic] [-q QUEUE] [-b BATCH]\n"
		"                 [-f FRAMES] [-F FRAME_SIZE] [-d SECONDS] [-w FILE] [-g] [-s]\n"
		"                 [-u USEC]\n");
	exit(2);
}

/* pcap output: records appended to one buffer, written whole. */
struct out {
	int fd;
	uint8_t *buf;
	size_t used;
	uint64_t bytes;
};

static void out_flush(struct out *o)
{
	size_t off = 0;

	while (off < o->used) {
		ssize_t w = write(o->fd, o->buf + off, o->used - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("xsk_limit: write");
			exit(1);
		}
		off += (size_t)w;
	}
	o->bytes += o->used;
	o->used = 0;
}

static void out_put(struct out *o, const void *p, size_t len)
{
	memcpy(o->buf + o->used, p, len);
	o->used += len;
}

static void out_open(struct out *o, const char *path)
{
	uint32_t hdr[6] = { PCAP_MAGIC_NS, 2u | (4u << 16), 0, 0, 262144, 1 };

	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		fprintf(stderr, "xsk_limit: open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	o->buf = malloc(OUT_BUF);
	if (!o->buf) {
		perror("xsk_limit: malloc");
		exit(1);
	}
	memset(o->buf, 0, OUT_BUF); /* touch it: no page faults in the loop */
	out_put(o, hdr, sizeof(hdr));
}

static void out_packet(struct out *o, const uint8_t *umem, const uint32_t *d)
{
	uint32_t rec[4] = { d[XSKDUMP_DESC_SEC], d[XSKDUMP_DESC_NSEC], d[XSKDUMP_DESC_LEN],
			    d[XSKDUMP_DESC_LEN] };

	if (o->used + sizeof(rec) + d[XSKDUMP_DESC_LEN] > OUT_BUF)
		out_flush(o);
	out_put(o, rec, sizeof(rec));
	out_put(o, umem + d[XSKDUMP_DESC_ADDR], d[XSKDUMP_DESC_LEN]);
}

/* (6) with the transient -ENOSPC handled (see the top of this file). xsk_fill
 * returns the guard's violation total, not a count of frames. */
static void give_back(int sock, const uint32_t *descs, uint32_t n, uint64_t *enospc)
{
	int r = xsk_fill(sock, descs, n);

	while (r == -ENOSPC) {
		(*enospc)++;
		r = xsk_fill(sock, descs, n);
	}
	if (r < 0)
		die_shim("fill", r);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *path = NULL, *mode_name = "auto";
	/* xskdump's default geometry in native mode with a 1500-byte MTU. */
	uint32_t mode = XSKDUMP_MODE_AUTO, queue = 0, batch = 64, frames = 16384, frame_size = 2048;
	double duration = 0, t0, t1;
	uint64_t captured = 0, batches = 0, waits = 0, counters[CNT_COUNT], st[XSKDUMP_STAT__COUNT];
	struct out out = { .fd = -1 };
	struct sigaction sa;
	struct rusage ru;
	uint32_t *descs, sock_info[XSKDUMP_SOCK_INFO_WORDS], prog_info[XSKDUMP_PROG_INFO_WORDS];
	uint8_t *area, *umem;
	uint64_t area_len;
	int prog, sock, opt, n, guard = 1, spin = 0;
	long nap_us = 0;
	uint64_t fill_enospc = 0;

	while ((opt = getopt(argc, argv, "i:m:q:b:f:F:d:w:gsu:h")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'm':
			mode_name = optarg;
			if (!strcmp(optarg, "auto"))
				mode = XSKDUMP_MODE_AUTO;
			else if (!strcmp(optarg, "native"))
				mode = XSKDUMP_MODE_NATIVE;
			else if (!strcmp(optarg, "generic"))
				mode = XSKDUMP_MODE_GENERIC;
			else
				usage();
			break;
		case 'q':
			queue = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			batch = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'f':
			frames = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'F':
			frame_size = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			duration = strtod(optarg, NULL);
			break;
		case 'w':
			path = optarg;
			break;
		case 'g':
			guard = 0;
			break;
		case 's':
			spin = 1;
			break;
		case 'u':
			nap_us = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (!ifname || batch < 1 || batch > 4096 || optind != argc)
		usage();
	if (xsk_abi_version() != XSKDUMP_ABI_VERSION) {
		fprintf(stderr, "xsk_limit: shim ABI %d, built for %d: rebuild\n", xsk_abi_version(),
			XSKDUMP_ABI_VERSION);
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	descs = calloc(batch, XSKDUMP_DESC_WORDS * sizeof(uint32_t));
	area_len = (uint64_t)frames * frame_size + 65536;
	area = aligned_alloc(65536, area_len);
	if (!descs || !area) {
		perror("xsk_limit: alloc");
		return 1;
	}
	memset(area, 0, area_len);
	if (path)
		out_open(&out, path);

	prog = xsk_prog_attach(ifname, mode, 0); /* the 64-byte rows: no multi-buffer */
	if (prog < 0)
		die_shim("attach", prog);
	sock = xsk_sock_open(prog, queue, frames, frame_size, area, area_len, 0, 0, 0);
	if (sock < 0)
		die_shim("open socket", sock);
	if (!guard && (n = xsk_sock_guard(sock, 0)) < 0)
		die_shim("guard off", n);
	if ((n = xsk_sock_info(sock, sock_info, XSKDUMP_SOCK_INFO_WORDS)) < 0)
		die_shim("socket info", n);
	umem = area + sock_info[XSKDUMP_SOCK_INFO_UMEM_OFFSET];
	if ((n = xsk_prog_info(prog, prog_info, XSKDUMP_PROG_INFO_WORDS)) < 0)
		die_shim("program info", n);
	mode_name = prog_info[XSKDUMP_PROG_INFO_MODE] == XSKDUMP_MODE_NATIVE ? "native" : "generic";
	fprintf(stderr, "listening on %s, queue %u, mode %s\n", ifname, queue, mode_name);

	t0 = now_s();
	while (!stop) {
		n = xsk_rx_batch(sock, descs, batch);
		if (n < 0)
			die_shim("rx batch", n);
		if (n > 0) {
			if (out.fd >= 0)
				for (int i = 0; i < n; i++)
					out_packet(&out, umem, descs + i * XSKDUMP_DESC_WORDS);
			captured += (uint64_t)n;
			batches++;
			give_back(sock, descs, (uint32_t)n, &fill_enospc);
			continue;
		}
		if (duration > 0 && now_s() - t0 >= duration)
			break;
		if (spin)
			continue;
		if (nap_us > 0) {
			struct timespec ts = { nap_us / 1000000, (nap_us % 1000000) * 1000 };

			waits++;
			nanosleep(&ts, NULL);
			continue;
		}
		waits++;
		n = xsk_wait(sock, 50);
		if (n < 0)
			die_shim("wait", n);
	}
	/* What is on the ring already is ours: unregister, then drain. */
	xsk_sock_stop(sock);
	while ((n = xsk_rx_batch(sock, descs, batch)) > 0) {
		if (out.fd >= 0)
			for (int i = 0; i < n; i++)
				out_packet(&out, umem, descs + i * XSKDUMP_DESC_WORDS);
		captured += (uint64_t)n;
		give_back(sock, descs, (uint32_t)n, &fill_enospc);
	}
	t1 = now_s();
	if (out.fd >= 0) {
		out_flush(&out);
		close(out.fd);
	}
	n = xsk_prog_counters(prog, counters, CNT_COUNT);
	if (n < 0)
		die_shim("counters", n);
	n = xsk_sock_stats(sock, st, XSKDUMP_STAT__COUNT);
	if (n < 0)
		die_shim("stats", n);
	xsk_sock_close(sock);
	xsk_prog_detach(prog);
	getrusage(RUSAGE_SELF, &ru);

	printf("{\"tool\":\"xsk_limit\",\"mode\":\"%s\",\"batch\":%u,\"guard\":%d,\"spin\":%d,\"nap_us\":%ld,"
	       "\"captured\":%llu,"
	       "\"seen\":%llu,\"redirected\":%llu,\"passed\":%llu,\"filtered\":%llu,"
	       "\"rx_dropped\":%llu,\"rx_ring_full\":%llu,\"rx_invalid\":%llu,"
	       "\"fill_empty\":%llu,\"batches\":%llu,\"waits\":%llu,\"bytes_written\":%llu,"
	       "\"fill_enospc\":%llu,\"seconds\":%.6f,"
	       "\"utime_us\":%lld,\"stime_us\":%lld,\"maxrss_kb\":%ld}\n",
	       mode_name, batch, guard, spin, nap_us, (unsigned long long)captured,
	       (unsigned long long)counters[CNT_SEEN], (unsigned long long)counters[CNT_REDIRECTED],
	       (unsigned long long)counters[CNT_PASSED], (unsigned long long)counters[CNT_FILTERED],
	       (unsigned long long)st[XSKDUMP_STAT_RX_DROPPED],
	       (unsigned long long)st[XSKDUMP_STAT_RX_RING_FULL],
	       (unsigned long long)st[XSKDUMP_STAT_RX_INVALID],
	       (unsigned long long)st[XSKDUMP_STAT_RX_FILL_EMPTY], (unsigned long long)batches,
	       (unsigned long long)waits, (unsigned long long)out.bytes,
	       (unsigned long long)fill_enospc, t1 - t0,
	       (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
	       (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, ru.ru_maxrss);
	return 0;
}
