/* Part of shim.h, the ABI (included there and nowhere else; abi_test.ts
 * reads it in place): sharing an interface, the XDP program, filters. */
#ifndef XSKDUMP_SHIM_PROG_H
#define XSKDUMP_SHIM_PROG_H

#include <stdint.h>

/* ==== share.c: several captures on one interface ==== */

/* One XDP program per interface, but several captures: when another xskdump
 * has attached the same program (same tag) to an interface, xsk_prog_attach
 * joins it instead and captures other RX queues. It takes its own fds on the
 * program's link and maps (by id: needs CAP_SYS_ADMIN), so the program stays
 * attached, its filter stage in place, until the last capture exits, SIGKILL
 * included. A joined capture must ask for the same filter (none: n == 0) and
 * a compatible mode; a queue that has a socket stays refused (EBUSY). The
 * program is joinable once its owner opened its first socket: its filter
 * cannot change from then on. No functions of its own: xsk_prog_attach and
 * xsk_prog_shared (prog.c) use it. */

/* ==== prog.c: the XDP program ==== */

/* Attach modes (xsk_prog_attach). */
#define XSKDUMP_MODE_AUTO 0    /* native, then generic if the driver has no XDP */
#define XSKDUMP_MODE_NATIVE 1  /* XDP_FLAGS_DRV_MODE */
#define XSKDUMP_MODE_GENERIC 2 /* XDP_FLAGS_SKB_MODE */

/* xsk_prog_attach flags. MULTI_BUFFER: load the program with frags support
 * (BPF_F_XDP_HAS_FRAGS), so packets bigger than a page reach it whole (a
 * jumbo MTU in native mode, GRO skbs in generic mode); where the kernel
 * refuses that, the program is loaded without it (XSKDUMP_PROG_INFO_MULTI_BUFFER
 * says which). */
#define XSKDUMP_ATTACH_MULTI_BUFFER 1u
/* VLAN: in native mode, where the driver implements the XDP RX metadata VLAN
 * kfunc (Linux 6.8+), a device-bound program puts the VLAN tag the NIC took
 * out (rx-vlan offload) back into the frame, where libpcap's AF_PACKET path
 * puts it, before the filter runs; a packet the filter rejects leaves without
 * it again. Elsewhere the plain program (XSKDUMP_PROG_INFO_VLAN says which). */
#define XSKDUMP_ATTACH_VLAN 2u
/* HW_TIMESTAMP: the same device-bound program, where the driver implements
 * the RX timestamp kfunc, gives the NIC's timestamp (its own clock: tcpdump's
 * adapter_unsynced) as the packet's time; a packet without one keeps the
 * host's (XSKDUMP_STAT_NO_HW_TIMESTAMP counts them). */
#define XSKDUMP_ATTACH_HW_TIMESTAMP 4u

/* Loads the embedded XDP program and attaches it to ifname with a BPF link,
 * so the kernel detaches it when the process dies, or joins another
 * xskdump's (share.c, above). flags: XSKDUMP_ATTACH_*. Returns a program
 * handle. */
int32_t xsk_prog_attach(const char *ifname, uint32_t mode, uint32_t flags);
/* 0 when this process attached the program, 1 when it joined another
 * process's; buf gets who else holds it ("xskdump pid 123"), "" if unknown. */
int32_t xsk_prog_shared(int32_t prog, uint8_t *buf, uint32_t len);
/* What the program is, XSKDUMP_PROG_INFO_WORDS u32; returns the words written. */
#define XSKDUMP_PROG_INFO_WORDS 5
#define XSKDUMP_PROG_INFO_MODE 0         /* in use: XSKDUMP_MODE_NATIVE or _GENERIC */
#define XSKDUMP_PROG_INFO_QUEUES 1       /* RX queues the interface has (sysfs), >= 1 */
#define XSKDUMP_PROG_INFO_MULTI_BUFFER 2 /* 1: loaded with frags support; 0 when not, or
                                          * joined (the other capture's choice is not readable) */
#define XSKDUMP_PROG_INFO_VLAN 3         /* 1: it puts back VLAN tags from the RX metadata */
#define XSKDUMP_PROG_INFO_HW_TIMESTAMP 4 /* 1: it gives the NIC's RX timestamps */
int32_t xsk_prog_info(int32_t prog, uint32_t *out, uint32_t n);
/* Sums the XDP program's per-CPU counters into out[0..n) (enum xskdump_counter). */
int32_t xsk_prog_counters(int32_t prog, uint64_t *out, uint32_t n);
/* Per RX queue counters (struct xskdump_qcount) since this handle attached
 * or joined: XSKDUMP_QCOUNT_WORDS u64 per row, XSKDUMP_QCOUNT_ROWS rows (the
 * last one for queues >= 256). Returns the words written. */
#define XSKDUMP_QCOUNT_WORDS 4
#define XSKDUMP_QCOUNT_SEEN 0
#define XSKDUMP_QCOUNT_REDIRECTED 1
#define XSKDUMP_QCOUNT_PASSED 2
#define XSKDUMP_QCOUNT_NO_META 3
int32_t xsk_prog_queue_counters(int32_t prog, uint64_t *out, uint32_t n);
/* (xsk_prog_detach closes the program's sockets first: it is in sock.c.) */

/* ==== filter.c, filter_prog.c: filters ==== */

/* A tcpdump expression is compiled by libpcap into classic BPF (cBPF);
 * lib/filter/translate.ts turns that into an XDP program which the shim loads
 * into the attached program's filter stage. Packets it rejects get XDP_PASS
 * and are counted as filtered; packets it accepts tail-call the capture
 * stage. */

/* One cBPF instruction: 8 bytes in host order, {u16 code, u8 jt, u8 jf,
 * u32 k} (struct bpf_insn of <pcap/bpf.h>, struct sock_filter of Linux). */
#define XSKDUMP_CBPF_INSN_SIZE 8
#define XSKDUMP_CBPF_MAX_INSNS 65535
/* Map placeholders in a translated program: the imm of a BPF_LD_IMM64 with
 * src_reg BPF_PSEUDO_MAP_FD. The shim replaces them with the map's fd. */
#define XSKDUMP_FILTER_MAP_STAGES 0   /* the prog array (XSKDUMP_STAGE_* slots) */
#define XSKDUMP_FILTER_MAP_COUNTERS 1 /* the per-CPU counters (enum xskdump_counter) */
/* Layout of xsk_filter_test_run() output (u32 each). */
#define XSKDUMP_TEST_RETVAL 0   /* the program's return value (XDP action) */
#define XSKDUMP_TEST_DURATION 1 /* average run time in ns over `repeat` runs */
#define XSKDUMP_TEST__COUNT 2

/* Compiles expr for Ethernet (DLT_EN10MB) with snaplen, optimized, netmask
 * unknown (tcpdump's defaults). Returns the instruction count and copies the
 * program into out when max >= that count (otherwise call again with room);
 * -EINVAL with libpcap's message naming the expression on a syntax error. */
int32_t xsk_filter_compile(const char *expr, uint32_t snaplen, uint8_t *out, uint32_t max);
/* libpcap's own verdict on one packet, as pcap_offline_filter() gives it:
 * bpf_filter()'s return value (0 = no match, else the snapshot length),
 * -EINVAL when bpf_validate() refuses the program. */
int32_t xsk_filter_match(const uint8_t *prog, uint32_t n, const uint8_t *pkt, uint32_t caplen,
			 uint32_t wirelen);
/* Loads a translated filter (n eBPF instructions, 8 bytes each) and makes it
 * the program's filter stage, replacing any previous one. n == 0 removes the
 * filter. label (the expression) names it in errors; a verifier rejection
 * quotes the verifier's last lines. Install it before xsk_sock_open so no
 * unfiltered packet is ever redirected. */
int32_t xsk_prog_set_filter(int32_t prog, const uint8_t *insns, uint32_t n, const char *label);
/* Loads a translated filter on its own, for BPF_PROG_TEST_RUN (tests and
 * benchmarks; needs CAP_BPF). Its maps are private: counters start at 0 and
 * the capture stage is empty. Returns a test handle. */
int32_t xsk_filter_test_load(const uint8_t *insns, uint32_t n, const char *label);
/* The same for tc (BPF_PROG_TYPE_SCHED_CLS): a filter translated for a tap's
 * tc hooks. Its test runs return what it returns (TCX_NEXT: -1 for no match). */
int32_t xsk_filter_test_load_skb(const uint8_t *insns, uint32_t n, const char *label);
/* Runs the test filter `repeat` times (0 = once) on pkt (>= 14 bytes) and
 * writes XSKDUMP_TEST_* values into out. */
int32_t xsk_filter_test_run(int32_t test, const uint8_t *pkt, uint32_t len, uint32_t repeat,
			    uint32_t *out);
/* Sums the test filter's per-CPU counters into out[0..n) (enum xskdump_counter). */
int32_t xsk_filter_test_counters(int32_t test, uint64_t *out, uint32_t n);
int32_t xsk_filter_test_close(int32_t test);

#endif
