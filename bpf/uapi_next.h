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

#endif
