/* C tests of the shim's filter functions that need no privileges: libpcap's
 * compiler and interpreter as the shim exposes them, and the argument checks
 * of the loading functions. Names say the behaviour they protect. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../csrc/shim.h"
#include "expect.h"

/* Ethernet + IPv4 + UDP to port 53. */
static const uint8_t udp53[42] = {
	2,    0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00, /* Ethernet */
	0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, /* IPv4 */
	0x30, 0x39, 0, 53, 0, 8, 0, 0, /* UDP */
};

static void test_compile_copies_the_program(void)
{
	uint8_t prog[64 * XSKDUMP_CBPF_INSN_SIZE];
	int32_t n = xsk_filter_compile("udp dst port 53", 262144, prog, 64);

	EXPECT(n > 2 && n <= 64, "test_compile_returns_the_count");
	/* The last instruction of a libpcap program is `ret #0`: code 0x06, k 0. */
	EXPECT(prog[(n - 1) * 8] == 0x06 && prog[(n - 1) * 8 + 4] == 0,
	       "test_compile_ends_with_ret");
	EXPECT(xsk_filter_match(prog, (uint32_t)n, udp53, sizeof(udp53), sizeof(udp53)) == 262144,
	       "test_match_returns_the_snaplen");
	EXPECT(xsk_filter_match(prog, (uint32_t)n, udp53, 37, 37) == 0,
	       "test_match_cut_packet_is_no_match");
}

static void test_compile_reports_the_count_when_short_of_room(void)
{
	uint8_t prog[2 * XSKDUMP_CBPF_INSN_SIZE] = { 0xaa };
	int32_t n = xsk_filter_compile("tcp port 80", 262144, prog, 2);

	EXPECT(n > 2, "test_compile_short_buffer_count");
	EXPECT(prog[0] == 0xaa, "test_compile_short_buffer_untouched");
	EXPECT(xsk_filter_compile("tcp port 80", 262144, NULL, 0) == n, "test_compile_count_only");
}

static void test_compile_syntax_error_names_the_expression(void)
{
	uint8_t prog[64 * XSKDUMP_CBPF_INSN_SIZE];

	EXPECT(xsk_filter_compile("tcp prot 80", 262144, prog, 64) == -EINVAL,
	       "test_syntax_error_is_einval");
	EXPECT(strstr(last(), "filter 'tcp prot 80'") && strstr(last(), "syntax error"),
	       "test_syntax_error_message");
	EXPECT(xsk_filter_compile("udp", 0, prog, 64) == -EINVAL, "test_zero_snaplen");
	EXPECT(xsk_filter_compile(NULL, 1, prog, 64) == -EINVAL, "test_null_expression");
}

static void test_match_refuses_what_libpcap_cannot_run(void)
{
	/* ldx [0] (BPF_LDX|BPF_ABS): bpf_validate lets it through, bpf_filter
	 * would abort(); the shim must say no instead. */
	const uint8_t ldx_abs[16] = { 0x21, 0, 0, 0, 0, 0, 0, 0, 0x16, 0, 0, 0, 0, 0, 0, 0 };
	/* ja out of the program. */
	const uint8_t bad_jump[16] = { 0x05, 0, 0, 0, 9, 0, 0, 0, 0x16, 0, 0, 0, 0, 0, 0, 0 };

	EXPECT(xsk_filter_match(ldx_abs, 2, udp53, sizeof(udp53), sizeof(udp53)) == -EINVAL,
	       "test_match_unknown_opcode");
	EXPECT(strstr(last(), "opcode 0x21") != NULL, "test_match_unknown_opcode_message");
	EXPECT(xsk_filter_match(bad_jump, 2, udp53, sizeof(udp53), sizeof(udp53)) == -EINVAL,
	       "test_match_invalid_program");
	EXPECT(xsk_filter_match(bad_jump, 0, udp53, 1, 1) == -EINVAL, "test_match_empty_program");
}

static void test_loaders_check_their_arguments(void)
{
	uint8_t insn[8] = { 0 };
	uint32_t out[XSKDUMP_TEST__COUNT];
	uint64_t counters[4];

	EXPECT(xsk_prog_set_filter(0, insn, 1, "udp") == -EBADF, "test_set_filter_stale_prog");
	EXPECT(xsk_filter_test_load(insn, 0, "empty") == -EINVAL, "test_test_load_empty_program");
	EXPECT(strstr(last(), "filter 'empty'") != NULL, "test_test_load_names_the_filter");
	EXPECT(xsk_filter_test_run(3, insn, 8, 1, out) == -EBADF, "test_test_run_stale_handle");
	EXPECT(xsk_filter_test_counters(-1, counters, 4) == -EBADF, "test_test_counters_stale");
	EXPECT(xsk_filter_test_close(15) == -EBADF, "test_test_close_stale_handle");
}

int main(void)
{
	test_compile_copies_the_program();
	test_compile_reports_the_count_when_short_of_room();
	test_compile_syntax_error_names_the_expression();
	test_match_refuses_what_libpcap_cannot_run();
	test_loaders_check_their_arguments();
	return expect_summary();
}
