/* xdp_gen: a rate-controlled packet generator for bench/, built on the
 * kernel's XDP "live frames" test run (BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, Linux 5.18+).
 *
 * One BPF_PROG_RUN call runs bench/xdp_gen.bpf.c over copies of a frame as if
 * they had arrived on IFACE; the program answers XDP_TX, which sends them out
 * of IFACE through its ndo_xdp_xmit. On a veth that puts xdp_frames straight
 * into the peer's receive ring: no socket, no skb and no qdisc on the sending
 * side, so one CPU offers many times what trafgen's PF_PACKET ring can. The
 * peer needs NAPI (an XDP program, or GRO on), or every frame is refused
 * (veth counts those as IFACE's tx_dropped).
 *
 * Frames: Ethernet/IPv4/UDP, sizes from -l (comma list, without FCS), one
 * after the other: "-l 60" is the 64-byte test, "-l 60,590,1514,1514" the mix.
 * The program cuts each frame from a template of the largest size and writes
 * its lengths and IPv4 checksum; the UDP checksum is 0 (none, valid in IPv4).
 *
 * Rate: -r PPS makes the program space frames by 1e9/PPS ns on the kernel's
 * clock (it spins; see the .bpf.c for why not user space). Without -r it runs
 * flat out. Stops after -d SECONDS (SIGALRM ends the running call: the kernel
 * checks for signals between batches) or on SIGINT/SIGTERM, and prints one
 * JSON line: {"frames":N,"seconds":S,"pps":R,"calls":C}, where frames is what
 * the program sent to XDP_TX. What veth delivered or refused is in IFACE's
 * counters (tx_packets, tx_dropped).

 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZES 16
#define MAX_FRAME 1514
#define MIN_FRAME 60

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: xdp_gen -o PROG.bpf.o -i IFACE -s SRCMAC -m DSTMAC [-l SIZES] [-r PPS]\n"
			"               [-d SECONDS]\n");
	exit(2);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* The template: one Ethernet/IPv4/UDP frame of `len` bytes (no FCS). The
 * program rewrites the lengths and the IPv4 checksum per frame. */
static void build_frame(uint8_t *f, size_t len, const uint8_t src[6], const uint8_t dst[6])
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	size_t i;

	memset(f, 0, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 10, ip[13] = 99, ip[15] = 1; /* 10.99.0.1 -> 10.99.0.2 */
	ip[16] = 10, ip[17] = 99, ip[19] = 2;
	udp[0] = 0x27, udp[1] = 0x10; /* 10000 */
	udp[2] = 0x23, udp[3] = 0x28; /* 9000 */
	for (i = 42; i < len; i++)
		f[i] = (uint8_t)i;
}

/* The IPv4 header checksum of the template's header with total length len - 14,
 * in wire order as the program stores it. */
static uint16_t ip_check(const uint8_t *f, size_t len)
{
	uint8_t ip[20];
	uint16_t c;

	memcpy(ip, f + 14, 20);
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[10] = ip[11] = 0;
	c = csum_fold(csum_add(0, ip, 20));
	return htons(c);
}

/* Mirrors bench/xdp_gen.bpf.c. */
struct gen_state {
	uint64_t interval_ns;
	uint64_t next_ns;
	uint64_t frames;
	uint32_t nsizes;
	uint32_t pad;
	uint16_t len[MAX_SIZES];
	uint16_t ip_check[MAX_SIZES];
};

int main(int argc, char **argv)
{
	static uint8_t frame[MAX_FRAME];
	size_t sizes[MAX_SIZES] = { 60 };
	unsigned int nsizes = 1, ifindex = 0, k = 0;
	size_t big = 0;
	uint8_t src[6] = { 0 }, dst[6] = { 0 };
	int have_src = 0, have_dst = 0, fd, map_fd, opt;
	double rate = 0, seconds = 0;
	uint64_t calls = 0;
	uint32_t key = 0;
	const char *obj_path = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct gen_state st = { 0 };
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: the run must end */
	int64_t start;
	char *tok, *save = NULL;

	while ((opt = getopt(argc, argv, "o:i:s:m:l:r:d:h")) != -1) {
		switch (opt) {
		case 'o':
			obj_path = optarg;
			break;
		case 'i':
			ifindex = if_nametoindex(optarg);
			if (!ifindex) {
				fprintf(stderr, "xdp_gen: no interface %s\n", optarg);
				return 2;
			}
			break;
		case 's':
			have_src = !parse_mac(optarg, src);
			break;
		case 'm':
			have_dst = !parse_mac(optarg, dst);
			break;
		case 'l':
			nsizes = 0;
			for (tok = strtok_r(optarg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				long v = strtol(tok, NULL, 10);

				if (nsizes == MAX_SIZES || v < MIN_FRAME || v > MAX_FRAME)
					usage();
				sizes[nsizes++] = (size_t)v;
			}
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			break;
		case 'd':
			seconds = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	if (!obj_path || !ifindex || !have_src || !have_dst || !nsizes || rate < 0 ||
	    seconds < 0)
		usage();
	for (k = 0; k < nsizes; k++)
		if (sizes[k] > big)
			big = sizes[k];
	build_frame(frame, big, src, dst);
	st.nsizes = nsizes;
	for (k = 0; k < nsizes; k++) {
		st.len[k] = (uint16_t)sizes[k];
		st.ip_check[k] = ip_check(frame, sizes[k]);
	}
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "xdp_gen: load %s: %s\n", obj_path, strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "xdp_gen");
	map_fd = bpf_object__find_map_fd_by_name(obj, "gen_state");
	if (!prog || map_fd < 0) {
		fprintf(stderr, "xdp_gen: %s has no xdp_gen program or gen_state map\n", obj_path);
		return 1;
	}
	fd = bpf_program__fd(prog);
	st.interval_ns = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
	if (rate > 0 && !st.interval_ns)
		st.interval_ns = 1;
	if (bpf_map_update_elem(map_fd, &key, &st, BPF_ANY)) {
		fprintf(stderr, "xdp_gen: set the rate: %s\n", strerror(errno));
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	if (seconds > 0) {
		struct itimerval it = { .it_value = { .tv_sec = (time_t)seconds,
						      .tv_usec = (suseconds_t)((seconds -
									       (double)(time_t)seconds) *
									      1e6) } };

		setitimer(ITIMER_REAL, &it, NULL);
	}
	start = now_ns();
	/* One call for the whole run (see the .bpf.c); a signal ends it between batches. */
	while (!stop) {
		/* BPF_PROG_RUN wants data_end equal to the frame's length. */
		struct xdp_md ctx = { .data_end = (uint32_t)big, .ingress_ifindex = ifindex };
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (uint32_t)big,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 16,
			    .repeat = 1 << 30);

		calls++;
		if (bpf_prog_test_run_opts(fd, &o) && errno != EINTR) {
			fprintf(stderr, "xdp_gen: BPF_PROG_RUN (live frames) on ifindex %u: %s\n",
				ifindex, strerror(errno));
			return 1;
		}
	}
	{
		double s = (double)(now_ns() - start) / 1e9;

		if (bpf_map_lookup_elem(map_fd, &key, &st)) {
			fprintf(stderr, "xdp_gen: read the count: %s\n", strerror(errno));
			return 1;
		}
		printf("{\"frames\":%llu,\"seconds\":%.6f,\"pps\":%.0f,\"calls\":%llu}\n",
		       (unsigned long long)st.frames, s, s > 0 ? (double)st.frames / s : 0.0,
		       (unsigned long long)calls);
	}
	bpf_object__close(obj);
	return 0;
}
