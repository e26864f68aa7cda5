/* tc hooks (csrc/tc.c; uses error.c): a program at tc ingress or egress as a
 * tcx link, else as a clsact filter; removing clsact filters and the qdisc. */
#ifndef XSKDUMP_TC_H
#define XSKDUMP_TC_H

#include <stdint.h>

/* Attaches prog_fd at tc ingress (egress 0) or egress (1) of ifindex, named
 * ifname in errors: a tcx link where the kernel has tcx and XSKDUMP_TC does
 * not ask for clsact (*kind XSKDUMP_HOOK_TCX, the link in *link_fd), else a
 * clsact filter of handle, which the caller records first; 0 there fails with
 * -ENOLINK (*kind XSKDUMP_HOOK_CLSACT, *qdisc_created 1 when this added the
 * clsact qdisc). 0 or -errno (recorded). */
int tc_attach(int ifindex, const char *ifname, int prog_fd, int egress, uint32_t handle,
	      int *kind, int *link_fd, int *qdisc_created);
/* Removes the clsact filter of handle from one side of ifindex (absent is
 * fine). 0 or -errno, not recorded. */
int clsact_detach(int ifindex, int egress, uint32_t handle);
/* Deletes the clsact qdisc of ifindex when no filter is left on it. */
void clsact_remove_if_empty(int ifindex);

#endif
