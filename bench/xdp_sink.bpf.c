// SPDX-License-Identifier: GPL-2.0
/* The benchmark's XDP drop sink: every packet is dropped at the XDP hook, so
 * nothing above the driver runs. What the receiving veth counts while this is
 * attached is the rate the generator can offer when the receive side costs
 * (almost) nothing: the ceiling every capture tool is measured against.
 * Loaded by bench/run.ts with `ip link set dev IF xdpdrv|xdpgeneric obj ...`. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
