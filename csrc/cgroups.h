/* cgroups.c: the cgroup2 root and cgroup ids. */
#ifndef XSKDUMP_CGROUPS_H
#define XSKDUMP_CGROUPS_H

/* The cgroup2 root, opened once per process (xsk_cgroup_root says where):
 * its fd, or -errno. */
int cgroup_root_fd(void);

#endif
