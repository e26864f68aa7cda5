/* The C tests' one assertion: counts passes and failures, names each failure
 * with its place; expect_summary() prints the line tests/run.sh adds up.
 * Include after csrc/shim.h to get last(), the shim's last error text. */
#ifndef XSKDUMP_TEST_EXPECT_H
#define XSKDUMP_TEST_EXPECT_H

#include <stdio.h>

static int failures, passes;

#define EXPECT(cond, name)                                                  \
	do {                                                                \
		if (cond) {                                                 \
			passes++;                                           \
		} else {                                                    \
			failures++;                                         \
			fprintf(stderr, "FAIL %s (%s:%d)\n", name, __FILE__, \
				__LINE__);                                  \
		}                                                           \
	} while (0)

/* "N passed, N failed"; the exit status of the test program. */
static inline int expect_summary(void)
{
	printf("%d passed, %d failed\n", passes, failures);
	return failures ? 1 : 0;
}

#ifdef XSKDUMP_SHIM_H
/* The shim's last error text, for failure messages. */
static inline const char *last(void)
{
	static uint8_t buf[512];

	xsk_last_error(buf, sizeof(buf));
	return (const char *)buf;
}
#endif

#endif
