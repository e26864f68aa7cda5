/* Host facts: capabilities, interfaces, queues (csrc/host.c; uses error.c). */
#ifndef XSKDUMP_HOST_H
#define XSKDUMP_HOST_H

#include <stdint.h>

/* The attached XDP program's name (bpf/xskdump.bpf.c): how a second capture,
 * and doctor, recognise ours on an interface. */
#define XSKDUMP_PROG_NAME "xskdump_rx"

/* 1 when XSKDUMP_MULTI_BUFFER is 0, off or no: multi-buffer is not used even
 * when asked for (read here, not by the caller, so the CLI, the library and the
 * bench all obey it; a way out should frags programs misbehave on a kernel). */
int multi_buffer_refused(void);
/* 1 when cap (linux/capability.h) is in this process's effective set. */
int cap_effective(int cap);
/* 0 for a usable interface name, else -EINVAL with the error recorded. */
int ifname_check(const char *ifname);
/* RX queues of an interface (sysfs), >= 0; -ENODEV, not recorded, when it has
 * no queues directory (no such interface). */
int rx_queues(const char *ifname);
/* 0 while interface ifindex (named ifname when it was opened) exists and is
 * up; -ENODEV ("gone") or -ENETDOWN ("down") with the error recorded. */
int iface_check(int ifindex, const char *ifname);

#endif
