/* C tests of the shim's capture-file writer (csrc/records.c, csrc/writer.c):
 * the records byte for byte, rotation stops, a writer whose chunks are all
 * waiting, and failed writes (a file-size limit stands in for a full disk:
 * the kernel writes part of a chunk, then refuses) that leave whole records. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../csrc/records.h"
#include "../../csrc/shim.h"
#include "../../bpf/xskdump_abi.h"
#include "expect.h"

static char dir[] = "/tmp/xskt-writer-XXXXXX";
static uint8_t umem[1 << 16];

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The bytes of file `path`, its length in *len (static buffer). */
static const uint8_t *slurp(const char *path, size_t *len)
{
	static uint8_t buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

	if (fd >= 0)
		close(fd);
	*len = n < 0 ? 0 : (size_t)n;
	return buf;
}

static const uint8_t pcap_header[24] = { 0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0 };

#define W XSKDUMP_DESC_WORDS
#define INBOUND ((uint32_t)XSKDUMP_DIR_IN << XSKDUMP_DESC_DIR_SHIFT)

/* Descriptors for packets of `lens` at 2 KiB frames, times sec.i, received
 * on no known queue. */
static void descs_for(uint32_t *d, const uint32_t *lens, uint32_t n, uint32_t sec)
{
	for (uint32_t i = 0; i < n; i++) {
		d[i * W + XSKDUMP_DESC_ADDR] = i * 2048 + 256;
		d[i * W + XSKDUMP_DESC_LEN] = lens[i];
		d[i * W + XSKDUMP_DESC_WIRELEN] = lens[i];
		d[i * W + XSKDUMP_DESC_SEC] = sec;
		d[i * W + XSKDUMP_DESC_NSEC] = i;
		d[i * W + XSKDUMP_DESC_FLAGS] = XSKDUMP_DESC_NO_QUEUE | INBOUND;
	}
}

static void test_pcap_record_bytes(void)
{
	struct rec_format f = { 0, 100 };
	struct rec_packet p = { umem + 256, 150, 150, 7, 8, 1, REC_NO_QUEUE };
	uint8_t out[256];
	uint32_t n = rec_put(&f, out, &p);

	EXPECT(n == 116 && n == rec_size(&f, &p), "test_pcap_record_cut_to_snaplen");
	EXPECT(get32(out) == 7 && get32(out + 4) == 8 && get32(out + 8) == 100 &&
		       get32(out + 12) == 150,
	       "test_pcap_record_header");
	EXPECT(!memcmp(out + 16, umem + 256, 100), "test_pcap_record_data");
}

static void test_pcapng_epb_bytes(void)
{
	struct rec_format f = { 1, 262144 };
	struct rec_packet p = { umem + 256, 61, 70, 1, 2, 2, 3 };
	uint8_t out[256];
	uint32_t n;

	memset(out, 0xee, sizeof(out));
	n = rec_put(&f, out, &p);
	/* 28 head + 64 padded data + flags 8 + queue 8 + end 4 + length 4 */
	EXPECT(n == 116 && n == rec_size(&f, &p), "test_epb_length_with_queue");
	EXPECT(get32(out) == 6 && get32(out + 4) == 116 && get32(out + 8) == 0,
	       "test_epb_type_length_interface");
	/* 1 s + 2 ns as one 64-bit count, high word first. */
	EXPECT(get32(out + 12) == 0 && get32(out + 16) == 1000000002u, "test_epb_timestamp");
	EXPECT(get32(out + 20) == 61 && get32(out + 24) == 70, "test_epb_lengths");
	EXPECT(!memcmp(out + 28, umem + 256, 61) && out[89] == 0 && out[90] == 0 && out[91] == 0,
	       "test_epb_data_and_zero_padding");
	EXPECT(get32(out + 92) == (2u | 4u << 16) && get32(out + 96) == 2, "test_epb_flags");
	EXPECT(get32(out + 100) == (6u | 4u << 16) && get32(out + 104) == 3, "test_epb_queue");
	EXPECT(get32(out + 108) == 0 && get32(out + 112) == 116, "test_epb_end_and_trailer");
	p.queue = REC_NO_QUEUE;
	EXPECT(rec_size(&f, &p) == 108, "test_epb_without_queue");
	/* A second count past 2^32 ns. */
	p.sec = 4000000000u;
	p.nsec = 999999999;
	rec_put(&f, out, &p);
	EXPECT(((uint64_t)get32(out + 12) << 32 | get32(out + 16)) == 4000000000999999999ull,
	       "test_epb_timestamp_high_word");
}

static void test_whole_records(void)
{
	struct rec_format f = { 0, 262144 };
	struct rec_packet p = { umem, 100, 100, 0, 0, 1, REC_NO_QUEUE };
	uint8_t buf[1024];
	uint64_t pk;
	uint32_t at = 24;

	memcpy(buf, pcap_header, 24);
	for (int i = 0; i < 3; i++)
		at += rec_put(&f, buf + at, &p);
	EXPECT(rec_whole(0, buf, at, 24, &pk) == at && pk == 3, "test_whole_all");
	EXPECT(rec_whole(0, buf, at - 1, 24, &pk) == 24 + 2 * 116 && pk == 2,
	       "test_whole_cuts_a_partial_record");
	EXPECT(rec_whole(0, buf, 23, 24, &pk) == 0 && pk == 0, "test_whole_partial_header");
	EXPECT(rec_whole(0, buf, 24 + 15, 24, &pk) == 24 && pk == 0,
	       "test_whole_partial_record_header");
}

/* Opens a writer on dir/name with the pcap header; returns its handle. */
static int32_t writer_on(const char *name, uint32_t format, uint32_t chunk, uint32_t chunks,
			 char *path, uint64_t size_limit, uint64_t sec_limit)
{
	/* Small chunks hold small records only. */
	int32_t w = xsk_writer_open(format, chunk >= (1 << 20) ? 262144 : 2048, chunk, chunks);

	sprintf(path, "%s/%s", dir, name);
	if (w >= 0 && xsk_writer_file(w, path, -1, NULL, 0, pcap_header, 24, size_limit, sec_limit) != 1) {
		fprintf(stderr, "xsk_writer_file: %s\n", last());
		return -1;
	}
	return w;
}

static void test_writer_writes_header_and_records(void)
{
	static const uint32_t lens[4] = { 60, 590, 1514, 1514 };
	uint32_t d[4 * W];
	char path[256];
	size_t len;
	const uint8_t *b;
	int32_t w = writer_on("a.pcap", XSKDUMP_FILE_PCAP, 1 << 20, 4, path, UINT64_MAX, UINT64_MAX);
	uint64_t st[XSKDUMP_WSTAT__COUNT];

	EXPECT(w >= 0, "test_writer_opens");
	descs_for(d, lens, 4, 5);
	EXPECT(xsk_writer_put(w, umem, sizeof(umem), d, 4) == 4,
	       "test_writer_put_takes_the_batch");
	EXPECT(xsk_writer_put(w, umem, sizeof(umem), d, 4) == 4,
	       "test_writer_put_again");
	EXPECT(xsk_writer_stats(w, st, XSKDUMP_WSTAT__COUNT) == XSKDUMP_WSTAT__COUNT &&
		       st[XSKDUMP_WSTAT_PACKETS] == 8 && st[XSKDUMP_WSTAT_BYTES] == 2 * 3678 &&
		       st[XSKDUMP_WSTAT_FILE_BYTES] == 24 + 2 * (64 + 3678),
	       "test_writer_counts");
	EXPECT(xsk_writer_flush(w) == 0 && xsk_writer_drain(w, 5000) == 1, "test_writer_drains");
	EXPECT(xsk_writer_close(w) == 0, "test_writer_closes");
	b = slurp(path, &len);
	EXPECT(len == 24 + 2 * (64 + 3678), "test_writer_file_length");
	EXPECT(!memcmp(b, pcap_header, 24) && get32(b + 24 + 8) == 60 &&
		       !memcmp(b + 24 + 16, umem + 256, 60),
	       "test_writer_file_bytes");
	/* A descriptor outside the view is refused, not read. */
	w = writer_on("b.pcap", XSKDUMP_FILE_PCAP, 1 << 20, 4, path, UINT64_MAX, UINT64_MAX);
	d[0] = sizeof(umem) - 10;
	EXPECT(xsk_writer_put(w, umem, sizeof(umem), d, 1) == -EINVAL,
	       "test_writer_refuses_bytes_outside_the_view");
	xsk_writer_close(w);
}

/* A warm writer takes every record and writes nothing, except at every 256th
 * put, which takes half as a writer that ran full (the caller's wait for room
 * and its put of the rest run in a warm-up too); its wait answers at once. */
static void test_warm_writer(void)
{
	static const uint32_t lens[2] = { 60, 590 };
	uint32_t d[2 * W];
	char path[256];
	size_t len;
	int32_t w = writer_on("warm.pcap", XSKDUMP_FILE_PCAP, 1 << 20, 4, path, UINT64_MAX,
			      UINT64_MAX);
	uint64_t st[XSKDUMP_WSTAT__COUNT];
	int i, half = 0, took = 0, full = 0;

	EXPECT(w >= 0 && xsk_writer_warm(w, 1) == 0, "test_warm_writer_opens");
	descs_for(d, lens, 2, 5);
	for (i = 1; i <= 512; i++) {
		int32_t r = xsk_writer_put(w, umem, sizeof(umem), d, 2);

		xsk_writer_stats(w, st, XSKDUMP_WSTAT__COUNT);
		if (r == 1 && i % 256 == 0 && st[XSKDUMP_WSTAT_STOPPED] == XSKDUMP_WRITER_FULL)
			full++;
		half += r == 1;
		took += r == 2 && st[XSKDUMP_WSTAT_STOPPED] == XSKDUMP_WRITER_DONE;
	}
	EXPECT(half == 2 && full == 2 && took == 510, "test_warm_writer_full_every_256th");
	EXPECT(xsk_writer_wait(w, 10000) == 1, "test_warm_writer_has_room_at_once");
	EXPECT(st[XSKDUMP_WSTAT_PACKETS] == 0 && st[XSKDUMP_WSTAT_FULL] == 0,
	       "test_warm_writer_counts_nothing");
	EXPECT(xsk_writer_warm(w, 0) == 0 && xsk_writer_put(w, umem, sizeof(umem), d, 2) == 2,
	       "test_warm_writer_writes_after");
	EXPECT(xsk_writer_flush(w) == 0 && xsk_writer_drain(w, 5000) == 1 && xsk_writer_close(w) == 0,
	       "test_warm_writer_closes");
	slurp(path, &len);
	EXPECT(len == 24 + 16 + 60 + 16 + 590, "test_warm_writer_wrote_only_after");
}

/* A tap's records through a put: the wire length beyond what was captured,
 * the direction as epb_flags, the queue of an incoming packet as epb_queue,
 * none for an outgoing one (as lib/formats/pcapng.ts writes them). The
 * attribution bits above the direction (the outgoing one has them) are not
 * the direction's. */
static void test_writer_put_reads_wirelen_direction_queue(void)
{
	static const uint32_t lens[2] = { 60, 200 };
	uint32_t d[2 * W];
	char path[256];
	size_t len;
	const uint8_t *b;
	int32_t w = writer_on("tap.pcapng", XSKDUMP_FILE_PCAPNG, 1 << 20, 4, path, UINT64_MAX,
			      UINT64_MAX);

	descs_for(d, lens, 2, 1);
	d[XSKDUMP_DESC_WIRELEN] = 100;
	d[XSKDUMP_DESC_FLAGS] = 3 | INBOUND;
	d[W + XSKDUMP_DESC_WIRELEN] = 1514;
	d[W + XSKDUMP_DESC_FLAGS] = 7 | (uint32_t)XSKDUMP_DIR_OUT << XSKDUMP_DESC_DIR_SHIFT |
				   (uint32_t)(XSKDUMP_PROC_HOOK | XSKDUMP_DESC_PROC_CLOSED)
					   << XSKDUMP_DESC_PROC_SHIFT;
	EXPECT(xsk_writer_put(w, umem, sizeof(umem), d, 2) == 2, "test_tap_records_put");
	EXPECT(xsk_writer_flush(w) == 0 && xsk_writer_drain(w, 5000) == 1 && xsk_writer_close(w) == 0,
	       "test_tap_records_written");
	b = slurp(path, &len) + 24;
	/* In: 28 + 60 + flags 8 + queue 8 + 8 = 112. Out: 28 + 200 + 8 + 8 = 244. */
	EXPECT(len == 24 + 112 + 244, "test_tap_records_length");
	EXPECT(get32(b + 4) == 112 && get32(b + 20) == 60 && get32(b + 24) == 100 &&
		       get32(b + 88 + 4) == XSKDUMP_DIR_IN && get32(b + 96 + 4) == 3,
	       "test_tap_incoming_record");
	b += 112;
	EXPECT(get32(b + 4) == 244 && get32(b + 20) == 200 && get32(b + 24) == 1514 &&
		       get32(b + 228) == (2u | 4u << 16) && get32(b + 228 + 4) == XSKDUMP_DIR_OUT &&
		       get32(b + 236) == 0 && get32(b + 240) == 244,
	       "test_tap_outgoing_record_has_no_queue");
}

static void test_writer_stops_for_rotation(void)
{
	static const uint32_t lens[4] = { 100, 100, 100, 100 };
	uint32_t d[4 * W];
	char path[256], path2[256];
	uint64_t st[XSKDUMP_WSTAT__COUNT];
	const uint8_t *b;
	size_t len;
	int32_t w = writer_on("c.pcap", XSKDUMP_FILE_PCAP, 1 << 20, 4, path, 24 + 116 - 1, UINT64_MAX);

	descs_for(d, lens, 4, 9);
	/* -C: the first record goes in below the limit; the next finds the file above it. */
	EXPECT(xsk_writer_put(w, umem, sizeof(umem), d, 4) == 1,
	       "test_size_limit_stops_after_the_file_is_larger");
	xsk_writer_stats(w, st, XSKDUMP_WSTAT__COUNT);
	EXPECT(st[XSKDUMP_WSTAT_STOPPED] == XSKDUMP_WRITER_ROTATE, "test_stopped_says_rotate");
	sprintf(path2, "%s/c2.pcap", dir);
	EXPECT(xsk_writer_file(w, path2, -1, (const uint8_t *)"TRAILER!", 8, pcap_header, 24,
			       UINT64_MAX, 10) == 2,
	       "test_second_file_is_number_2");
	EXPECT(xsk_writer_put(w, umem, sizeof(umem), d + W, 3) == 3,
	       "test_second_file_takes_the_rest");
	d[XSKDUMP_DESC_SEC] = 10;
	EXPECT(xsk_writer_put(w, umem, sizeof(umem), d, 1) == 0,
	       "test_sec_limit_stops_at_the_second");
	xsk_writer_drain(w, 5000);
	EXPECT(xsk_writer_close(w) == 0, "test_rotated_writer_closes");
	b = slurp(path, &len);
	EXPECT(len == 24 + 116 + 8 && !memcmp(b + 24 + 116, "TRAILER!", 8),
	       "test_first_file_ends_with_its_trailer");
	slurp(path2, &len);
	EXPECT(len == 24 + 3 * 116, "test_second_file_has_the_rest");
}

static void test_writer_full_then_wait(void)
{
	static const uint32_t lens[4] = { 1514, 1514, 1514, 1514 };
	uint32_t d[4 * W];
	int p[2];
	int32_t w, n = 0, r;
	uint64_t st[XSKDUMP_WSTAT__COUNT];

	/* A pipe nobody reads: the thread blocks in write once it is full. */
	EXPECT(pipe(p) == 0, "test_pipe");
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	w = xsk_writer_open(XSKDUMP_FILE_PCAP, 2048, 8192, 2);
	EXPECT(xsk_writer_file(w, NULL, p[1], NULL, 0, pcap_header, 24, UINT64_MAX, UINT64_MAX) == 1,
	       "test_writer_on_an_fd");
	descs_for(d, lens, 4, 1);
	for (int i = 0; i < 200 && (r = xsk_writer_put(w, umem, sizeof(umem), d, 4)) == 4; i++)
		n += r;
	xsk_writer_stats(w, st, XSKDUMP_WSTAT__COUNT);
	EXPECT(r < 4 && st[XSKDUMP_WSTAT_STOPPED] == XSKDUMP_WRITER_FULL &&
		       st[XSKDUMP_WSTAT_FULL] >= 1,
	       "test_put_stops_when_every_chunk_waits");
	EXPECT(xsk_writer_wait(w, 20) == 0, "test_wait_times_out_while_the_thread_is_stuck");
	EXPECT(xsk_writer_file(w, "", p[1], NULL, 0, pcap_header, 24, UINT64_MAX, UINT64_MAX) == -EAGAIN,
	       "test_new_file_waits_for_a_chunk_too");
	{
		static uint8_t sink[1 << 16];

		/* The reader drains: the thread goes on and frees a chunk. */
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		for (int i = 0; i < 100 && xsk_writer_wait(w, 10) == 0; i++)
			while (read(p[0], sink, sizeof(sink)) > 0)
				;
		EXPECT(xsk_writer_wait(w, 0) == 1, "test_wait_sees_the_freed_chunk");
		EXPECT(xsk_writer_put(w, umem, sizeof(umem), d, 1) == 1,
		       "test_put_goes_on_after_the_wait");
		xsk_writer_flush(w);
		for (int i = 0; i < 200 && xsk_writer_drain(w, 10) == 0; i++)
			while (read(p[0], sink, sizeof(sink)) > 0)
				;
	}
	EXPECT(xsk_writer_close(w) == 0, "test_full_writer_closes");
	close(p[0]);
	close(p[1]);
}

static void test_failed_write_leaves_whole_records(void)
{
	static const uint32_t lens[4] = { 60, 590, 1514, 1514 };
	uint32_t d[4 * W];
	char path[256];
	uint64_t f[XSKDUMP_WFAIL__COUNT], pk;
	uint8_t text[160];
	struct rlimit old, lim;
	size_t len;
	const uint8_t *b;
	int32_t w, r = 0;

	/* The kernel takes the chunk up to the limit, then refuses (EFBIG), as
	 * it does on a full disk (ENOSPC). The thread blocks signals: no SIGXFSZ. */
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 10000;
	setrlimit(RLIMIT_FSIZE, &lim);
	w = writer_on("full.pcap", XSKDUMP_FILE_PCAP, 8192, 4, path, UINT64_MAX, UINT64_MAX);
	descs_for(d, lens, 4, 3);
	for (int i = 0; i < 100 && r >= 0; i++) {
		r = xsk_writer_put(w, umem, sizeof(umem), d, 4);
		if (r >= 0 && r < 4)
			xsk_writer_wait(w, 100);
		if (r >= 0 && i % 10 == 9)
			xsk_writer_drain(w, 1000);
	}
	setrlimit(RLIMIT_FSIZE, &old);
	EXPECT(r == -EFBIG, "test_later_puts_return_the_failure");
	EXPECT(xsk_writer_failure(w, f, XSKDUMP_WFAIL__COUNT, text, sizeof(text)) == EFBIG,
	       "test_failure_errno");
	EXPECT(strstr((char *)text, "(os error 27)") != NULL, "test_failure_text");
	b = slurp(path, &len);
	EXPECT(len == f[XSKDUMP_WFAIL_SIZE] && len < 10000 && f[XSKDUMP_WFAIL_CUT_ERRNO] == 0,
	       "test_file_cut_back_below_the_limit");
	EXPECT(rec_whole(0, b, (uint32_t)len, 24, &pk) == len && pk == f[XSKDUMP_WFAIL_KEPT] &&
		       pk > 2,
	       "test_file_ends_on_a_whole_record");
	EXPECT(f[XSKDUMP_WFAIL_FILE] == 1 && f[XSKDUMP_WFAIL_PARTIAL] == 0, "test_failure_file");
	EXPECT(xsk_writer_flush(w) == -EFBIG && xsk_writer_drain(w, 0) == 1,
	       "test_flush_and_drain_after_failure");
	EXPECT(xsk_writer_close(w) == -EFBIG, "test_close_returns_the_failure");
}

static void test_closed_pipe_is_epipe(void)
{
	static const uint32_t lens[1] = { 1000 };
	uint32_t d[W];
	uint64_t f[XSKDUMP_WFAIL__COUNT];
	int p[2];
	int32_t w, r = 0;

	EXPECT(pipe(p) == 0, "test_pipe2");
	close(p[0]);
	w = xsk_writer_open(XSKDUMP_FILE_PCAP, 2048, 8192, 2);
	xsk_writer_file(w, NULL, p[1], NULL, 0, pcap_header, 24, UINT64_MAX, UINT64_MAX);
	descs_for(d, lens, 1, 3);
	for (int i = 0; i < 100 && r >= 0; i++) {
		r = xsk_writer_put(w, umem, sizeof(umem), d, 1);
		if (r >= 0)
			xsk_writer_flush(w);
		xsk_writer_drain(w, 100);
	}
	EXPECT(r == -EPIPE, "test_closed_pipe_fails_with_epipe");
	EXPECT(xsk_writer_failure(w, f, XSKDUMP_WFAIL__COUNT, NULL, 0) == EPIPE &&
		       f[XSKDUMP_WFAIL_CUT_ERRNO] == 0,
	       "test_pipe_is_not_cut");
	xsk_writer_close(w);
	close(p[1]);
}

static void test_files_opened_after_a_failure_are_removed(void)
{
	static const uint32_t lens[4] = { 1514, 1514, 1514, 1514 };
	uint32_t d[4 * W];
	char path2[256];
	struct stat st;
	int p[2];
	int32_t w;

	/* File 1 is a pipe the thread is stuck on; file 2 starts meanwhile. */
	EXPECT(pipe(p) == 0, "test_pipe3");
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	w = xsk_writer_open(XSKDUMP_FILE_PCAP, 2048, 8192, 4);
	xsk_writer_file(w, NULL, p[1], NULL, 0, pcap_header, 24, UINT64_MAX, UINT64_MAX);
	descs_for(d, lens, 4, 3);
	xsk_writer_put(w, umem, sizeof(umem), d, 4);
	xsk_writer_put(w, umem, sizeof(umem), d, 4);
	sprintf(path2, "%s/after.pcap", dir);
	EXPECT(xsk_writer_file(w, path2, -1, NULL, 0, pcap_header, 24, UINT64_MAX, UINT64_MAX) == 2,
	       "test_file_2_opens_while_file_1_is_written");
	EXPECT(stat(path2, &st) == 0, "test_file_2_exists");
	close(p[0]); /* the reader goes: file 1 fails (EPIPE) */
	xsk_writer_drain(w, 5000);
	EXPECT(xsk_writer_flush(w) == -EPIPE, "test_failure_seen");
	EXPECT(xsk_writer_close(w) == -EPIPE, "test_close_after_pipe_failure");
	EXPECT(stat(path2, &st) != 0 && errno == ENOENT, "test_file_2_removed");
	close(p[1]);
}

/* The writer's thread, by its name: SCHED_BATCH, so its wakeups never
 * preempt the capture loop on a shared CPU. */
static void test_writer_thread_is_batch(void)
{
	int32_t w = xsk_writer_open(XSKDUMP_FILE_PCAP, 100, 8192, 2);
	char path[300], comm[32];
	int found = 0, batch = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "xskdump-writer", 14)) {
			found = 1;
			batch = sched_getscheduler(atoi(e->d_name)) == SCHED_BATCH;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	EXPECT(found, "test_writer_thread_named");
	EXPECT(batch, "test_writer_thread_sched_batch");
	xsk_writer_close(w);
}

static void test_bad_writer_arguments(void)
{
	EXPECT(xsk_writer_open(7, 100, 1 << 20, 4) == -EINVAL, "test_unknown_format");
	EXPECT(xsk_writer_open(0, 0, 1 << 20, 4) == -EINVAL, "test_zero_snaplen");
	EXPECT(xsk_writer_open(0, 262144, 65536, 4) == -EINVAL, "test_chunk_smaller_than_a_record");
	EXPECT(xsk_writer_open(0, 100, 1 << 20, 1) == -EINVAL, "test_one_chunk");
	EXPECT(xsk_writer_put(3, umem, 1, NULL, 0) == -EBADF, "test_stale_writer");
	EXPECT(xsk_writer_file(0, "/nonexistent/dir/x", -1, NULL, 0, pcap_header, 24, 0, 0) == -EBADF,
	       "test_file_of_no_writer");
	{
		int32_t w = xsk_writer_open(0, 100, 8192, 2);

		EXPECT(xsk_writer_file(w, "/nonexistent/dir/x", -1, NULL, 0, pcap_header, 24, UINT64_MAX,
				       UINT64_MAX) == -ENOENT &&
			       strstr(last(), "/nonexistent/dir/x") != NULL,
		       "test_unopenable_file_names_itself");
		EXPECT(xsk_writer_put(w, umem, 1, NULL, 0) == -EINVAL, "test_put_without_file");
		xsk_writer_close(w);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(umem); i++)
		umem[i] = (uint8_t)(i * 7);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_pcap_record_bytes();
	test_pcapng_epb_bytes();
	test_whole_records();
	test_writer_writes_header_and_records();
	test_writer_put_reads_wirelen_direction_queue();
	test_writer_stops_for_rotation();
	test_writer_full_then_wait();
	test_warm_writer();
	test_failed_write_leaves_whole_records();
	test_closed_pipe_is_epipe();
	test_files_opened_after_a_failure_are_removed();
	test_writer_thread_is_batch();
	test_bad_writer_arguments();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return expect_summary();
}
