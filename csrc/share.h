/* Several captures on one interface (csrc/share.c; uses host.c, error.c). */
#ifndef XSKDUMP_SHARE_H
#define XSKDUMP_SHARE_H

#include <stddef.h>
#include <stdint.h>

/* What a capture takes when it joins another process's program: its own fds
 * on the program's link and maps, and the mode the program is attached in. */
struct joined_prog {
	int link_fd;
	int xsks_fd;
	int counters_fd;
	int stages_fd;
	int qcounters_fd;
	int mode; /* XSKDUMP_MODE_NATIVE or _GENERIC */
};

/* Joins the xskdump program another process attached to ifindex (our attach
 * got EBUSY/EEXIST): checks it is the same program as ours (our_prog_fd) and
 * that `mode` (XSKDUMP_MODE_*) allows its mode, and takes its link and maps
 * into *out. 0, -EAGAIN when it went away meanwhile (attach again), or another
 * -errno with the error recorded. */
int share_join(int ifindex, const char *ifname, int our_prog_fd, uint32_t mode,
	       struct joined_prog *out);
/* "xskdump pid 12, 34": the other processes holding the BPF link link_fd. */
void link_holders(int link_fd, char *buf, size_t len);
/* "pid 12 (name)": the process whose AF_XDP socket is bound to ifindex/queue. */
void queue_holder(int ifindex, uint32_t queue, char *buf, size_t len);

#endif
