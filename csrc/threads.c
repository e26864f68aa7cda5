/* The capture loop's CPU: this process's other threads set so that none of them
 * takes the CPU from the loop while it runs. Measured (bench/README.md): with
 * every thread on the loop's CPU, Linux's EEVDF scheduler gives V8's compiler
 * thread, woken during the first second of traffic, the CPU for up to a tick
 * (4 ms at HZ=250) whenever another thread's wakeup preempted the loop; at
 * 3.7 Mpps a 4 ms gap is most of the UMEM. V8's threads ("V8 ..." names) become
 * SCHED_IDLE (they compile when the loop sleeps); every other thread (Deno's
 * runtime and blocking pool, the shim's writer) SCHED_BATCH: full share, but no
 * preemption when it wakes. The calling thread is the loop and stays as it is.
 * Lowering a policy needs no privilege. Uses error.c. */
#define _GNU_SOURCE
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/* The thread's name (/proc/self/task/TID/comm) into buf; 0 or -errno. */
static int thread_name(pid_t tid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int32_t xsk_thread_policy(uint32_t *out, uint32_t n)
{
	struct sched_param none = { .sched_priority = 0 };
	pid_t self = gettid();
	struct dirent *e;
	char name[32];
	DIR *dir;

	if (!out || n < XSKDUMP_THREAD_WORDS)
		return fail(-EINVAL, "thread policy: no room");
	memset(out, 0, XSKDUMP_THREAD_WORDS * sizeof(*out));
	dir = opendir("/proc/self/task");
	if (!dir)
		return fail(-errno, "thread policy: /proc/self/task");
	while ((e = readdir(dir))) {
		pid_t tid = (pid_t)atoi(e->d_name);
		int policy, idle;

		if (tid <= 0 || tid == self)
			continue;
		/* A thread that ended meanwhile has no name: nothing to set. */
		if (thread_name(tid, name, sizeof(name)))
			continue;
		idle = strncmp(name, "V8 ", 3) == 0;
		policy = idle ? SCHED_IDLE : SCHED_BATCH;
		if (sched_getscheduler(tid) == policy)
			out[idle ? XSKDUMP_THREAD_IDLE : XSKDUMP_THREAD_BATCH]++;
		else if (sched_setscheduler(tid, policy, &none) == 0)
			out[idle ? XSKDUMP_THREAD_IDLE : XSKDUMP_THREAD_BATCH]++;
		else if (errno != ESRCH)
			out[XSKDUMP_THREAD_LEFT]++;
	}
	closedir(dir);
	return 0;
}
