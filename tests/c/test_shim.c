/* C tests of the shim's contract that need no privileges: every function
 * returns 0 or -errno and leaves a readable last error. Names say the
 * behaviour they protect. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../csrc/shim.h"
#include "expect.h"

static void test_abi_version(void)
{
	EXPECT(xsk_abi_version() == XSKDUMP_ABI_VERSION, "test_abi_version");
}

static void test_unknown_interface_is_enodev(void)
{
	int r = xsk_prog_attach("xskt-nosuch0", XSKDUMP_MODE_AUTO, 0);

	EXPECT(r == -ENODEV, "test_unknown_interface_is_enodev");
	EXPECT(strstr(last(), "xskt-nosuch0") != NULL, "test_unknown_interface_names_it");
}

static void test_bad_arguments_are_einval(void)
{
	EXPECT(xsk_prog_attach("", XSKDUMP_MODE_AUTO, 0) == -EINVAL, "test_empty_name");
	EXPECT(xsk_prog_attach("lo", 7, 0) == -EINVAL, "test_bad_mode");
	EXPECT(xsk_prog_attach("a-name-that-is-far-too-long", 0, 0) == -EINVAL, "test_long_name");
}

static void test_stale_handles_are_ebadf(void)
{
	uint32_t descs[4], info[5];
	uint64_t out[8];

	EXPECT(xsk_rx_batch(3, descs, 1) == -EBADF, "test_rx_batch_stale_handle");
	EXPECT(xsk_fill(-1, descs, 1) == -EBADF, "test_fill_negative_handle");
	EXPECT(xsk_sock_stats(63, out, 8) == -EBADF, "test_stats_stale_handle");
	EXPECT(xsk_sock_close(64) == -EBADF, "test_close_out_of_range");
	EXPECT(xsk_prog_detach(0) == -EBADF, "test_detach_unattached");
	EXPECT(xsk_sock_info(0, info, 3) == -EBADF, "test_info_of_no_socket");
	EXPECT(xsk_prog_info(0, info, 5) == -EBADF, "test_info_of_no_program");
	EXPECT(strstr(last(), "no such") != NULL, "test_stale_handle_message");
}

static void test_iface_mtu(void)
{
	uint32_t q[XSKDUMP_XDP_QUERY_WORDS];

	EXPECT(xsk_iface_mtu("lo") == 65536, "test_mtu_of_loopback");
	EXPECT(xsk_iface_mtu("xskt-nosuch0") == -ENODEV, "test_mtu_unknown_interface_is_enodev");
	EXPECT(strstr(last(), "xskt-nosuch0") != NULL, "test_mtu_error_names_the_interface");
	EXPECT(xsk_iface_mtu("") == -EINVAL, "test_mtu_empty_name");
	EXPECT(xsk_iface_gro("lo") == 0 || xsk_iface_gro("lo") == 1, "test_gro_of_loopback");
	EXPECT(xsk_iface_gro("xskt-nosuch0") == -ENODEV, "test_gro_unknown_interface_is_enodev");
	/* Nothing attached to lo: no program, so nobody's. */
	EXPECT(xsk_xdp_query("lo", q, XSKDUMP_XDP_QUERY_WORDS) == XSKDUMP_XDP_QUERY_WORDS &&
		       q[1] == 0 && q[4] == XSKDUMP_XDP_FOREIGN,
	       "test_xdp_query_lo_has_no_program");
}

static void test_iface_names(void)
{
	uint8_t buf[8192];
	int32_t n = xsk_iface_names(buf, sizeof(buf));
	int lo = 0;

	EXPECT(n > 0 && buf[n - 1] == 0, "test_iface_names_end_in_nul");
	for (int32_t at = 0; n > 0 && at < n; at += (int32_t)strlen((char *)buf + at) + 1)
		lo |= strcmp((char *)buf + at, "lo") == 0;
	EXPECT(lo, "test_iface_names_list_loopback");
	EXPECT(xsk_iface_names(buf, 2) == -ENOSPC, "test_iface_names_short_buffer_is_enospc");
}

static void test_last_error_truncates(void)
{
	uint8_t small[5];
	int32_t n;

	xsk_prog_detach(1);
	n = xsk_last_error(small, sizeof(small));
	EXPECT(n == 4 && small[4] == 0, "test_last_error_truncates");
	EXPECT(xsk_last_error(NULL, 0) > 4, "test_last_error_length_query");
}

int main(void)
{
	test_abi_version();
	test_unknown_interface_is_enodev();
	test_iface_mtu();
	test_iface_names();
	test_bad_arguments_are_einval();
	test_stale_handles_are_ebadf();
	test_last_error_truncates();
	return expect_summary();
}
