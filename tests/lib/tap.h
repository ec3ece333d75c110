/* SPDX-License-Identifier: GPL-2.0 */
/* kselftest-style results for C tests, recorded where tests/run-all counts. */
#ifndef MMCTL_TEST_TAP_H
#define MMCTL_TEST_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_failed;

static inline void tap_record(const char *verdict, const char *name, const char *why)
{
	const char *path = getenv("MMCTL_RESULTS");
	FILE *f = path ? fopen(path, "a") : NULL;

	if (f) {
		fprintf(f, "%s %s%s%s\n", verdict, name, why ? ": " : "", why ? why : "");
		fclose(f);
	}
}

static inline void tap_result(const char *name, int ok)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	fflush(stdout);
	tap_record(ok ? "PASS" : "FAIL", name, NULL);
	if (!ok)
		tap_failed++;
}

static inline void tap_skip(const char *name, const char *why)
{
	printf("ok - %s # SKIP %s\n", name, why);
	fflush(stdout);
	tap_record("SKIP", name, why);
}

/* A failed expectation inside a test: print why, mark the test failed. */
static inline __attribute__((format(printf, 2, 3)))
void tap_diag(int *ok, const char *fmt, ...)
{
	va_list ap;

	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	*ok = 0;
}

#define EXPECT(okp, cond, fmt, ...) do {				\
	if (!(cond))							\
		tap_diag(okp, "line %d: %s: " fmt, __LINE__, #cond,	\
			 ##__VA_ARGS__);				\
} while (0)

#endif /* MMCTL_TEST_TAP_H */
