/* Kernel ABI newer than the installed uapi headers (Debian 12: Linux 6.1),
 * each with the kernel version it comes from. Shared by bpf/ and csrc/. */
#ifndef XSKDUMP_UAPI_NEXT_H
#define XSKDUMP_UAPI_NEXT_H

/* enum bpf_attach_type, Linux 6.6 (tcx: tc programs attached through BPF links). */
#define XSKDUMP_BPF_TCX_INGRESS 46
#define XSKDUMP_BPF_TCX_EGRESS 47

/* What a tcx program returns, Linux 6.6 (enum tcx_action_base). TCX_NEXT hands the
 * packet on to the next program and then to the host's own tc (clsact) filters; any
 * other value ends tc processing. For a clsact filter in direct-action mode the same
 * -1 is TC_ACT_UNSPEC: "no verdict", the next filter runs. */
#define XSKDUMP_TCX_NEXT (-1)

/* AF_XDP multi-buffer, Linux 6.6 (include/uapi/linux/if_xdp.h): XDP_USE_SG is a
 * bind flag (a packet bigger than a frame comes as a chain of descriptors);
 * XDP_PKT_CONTD in an RX descriptor's options says another piece of the same
 * packet follows. */
#define XSKDUMP_XDP_USE_SG (1u << 4)
#define XSKDUMP_XDP_PKT_CONTD (1u << 0)

/* A program bound to one device at load (prog_ifindex), which may then call
 * the XDP RX metadata kfuncs; Linux 6.3 (include/uapi/linux/bpf.h,
 * BPF_PROG_LOAD flags). */
#define XSKDUMP_BPF_F_XDP_DEV_BOUND_ONLY (1u << 6)

/* The netdev generic netlink family (include/uapi/linux/netdev.h): the command
 * and attributes that say which XDP RX metadata kfuncs a driver implements,
 * Linux 6.8 (the family itself is 6.3). */
#define XSKDUMP_NETDEV_CMD_DEV_GET 1
#define XSKDUMP_NETDEV_A_DEV_IFINDEX 1
#define XSKDUMP_NETDEV_A_DEV_XDP_RX_METADATA_FEATURES 5

#endif
