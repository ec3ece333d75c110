/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Self-registering C tests, in the style of the kernel's
 * tools/testing/selftests/kselftest_harness.h:
 *
 *	TEST(name, "what it asserts") { ASSERT_EQ(0, f()); ... }
 *
 *	FIXTURE(snap) { struct snap s; };
 *	FIXTURE_SETUP(snap) { ... }
 *	FIXTURE_TEARDOWN(snap) { snap_free(&self->s); }
 *	TEST_F(snap, name, "what it asserts") { ... self->s ... }
 *
 *	TEST_HARNESS_MAIN
 *
 * A test registers itself (a constructor puts it in the list by its line,
 * so tests run in the order they are written whichever order constructors
 * run in). ASSERT_*() returns from the function it is in when it fails (in
 * a helper: to the test, which goes on, already failed), EXPECT_*() marks
 * the test failed and goes on, SKIP(statement, fmt, ...)
 * ends it as skipped with the reason; a fixture's teardown runs in every
 * case, so a failing test frees what it allocated (the ASan unit builds
 * check for leaks at exit).
 *
 * Differences from the kernel's harness, on purpose: the tests run in one
 * process (no fork per test: the ASan leak check at exit covers them all,
 * and a crash is a failed program that tests/host/run reports); a test is
 * named by its description, which is what results files and -t match;
 * results are recorded where tests/run-all counts them (tap.h).
 *
 * Options: -t PATTERN (POSIX extended regex) runs the tests whose
 * description matches it; without -t, MMCTL_ONLY (what tests/host/run -t
 * sets) does the same. -l lists the descriptions. Operands after the
 * options are the program's own (harness_argc/harness_argv).
 */
#ifndef MMCTL_TEST_HARNESS_H
#define MMCTL_TEST_HARNESS_H

#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

struct __test_metadata {
	const char *name;
	int line;
	void (*fn)(struct __test_metadata *_metadata);
	int passed;
	int skipped;
	char skip_why[160];
	struct __test_metadata *next;
};

static struct __test_metadata *__harness_first;
static int harness_argc;
static char **harness_argv;

static inline void __register_test(struct __test_metadata *t)
{
	struct __test_metadata **p = &__harness_first;

	while (*p && (*p)->line <= t->line)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

#define __TEST_REGISTER(test, desc, runner)				\
	static struct __test_metadata _##test##_meta = {		\
		.name = desc, .line = __LINE__, .fn = runner,		\
	};								\
	static void __attribute__((constructor)) _##test##_register(void) \
	{								\
		__register_test(&_##test##_meta);			\
	}

#define TEST(fn, desc)							\
	static void fn(struct __test_metadata *_metadata);		\
	__TEST_REGISTER(fn, desc, fn)					\
	static void fn(struct __test_metadata __attribute__((unused)) *_metadata)

#define FIXTURE(fix)	struct _fixture_##fix

#define FIXTURE_SETUP(fix)						\
	static void _##fix##_setup(struct __test_metadata __attribute__((unused)) *_metadata, \
				   struct _fixture_##fix __attribute__((unused)) *self)

#define FIXTURE_TEARDOWN(fix)						\
	static void _##fix##_teardown(struct __test_metadata __attribute__((unused)) *_metadata, \
				      struct _fixture_##fix __attribute__((unused)) *self)

#define TEST_F(fix, fn, desc)						\
	static void fn(struct __test_metadata *_metadata,		\
		       struct _fixture_##fix *self);			\
	static void _##fn##_run(struct __test_metadata *_metadata)	\
	{								\
		struct _fixture_##fix self;				\
									\
		memset(&self, 0, sizeof(self));				\
		_##fix##_setup(_metadata, &self);			\
		if (_metadata->passed && !_metadata->skipped)		\
			fn(_metadata, &self);				\
		_##fix##_teardown(_metadata, &self);			\
	}								\
	__TEST_REGISTER(fn, desc, _##fn##_run)				\
	static void fn(struct __test_metadata __attribute__((unused)) *_metadata, \
		       struct _fixture_##fix __attribute__((unused)) *self)

static inline __attribute__((format(printf, 4, 5)))
void __harness_fail(struct __test_metadata *t, const char *file, int line,
		    const char *fmt, ...)
{
	va_list ap;

	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	t->passed = 0;
}

#define __is_signed(x)	((__typeof__(x))-1 < (__typeof__(x))1)

/*
 * The order of two integers of any types, as numbers (-1, 0, 1): @a and @b
 * are their bits widened to 64, @as and @bs whether their types are
 * signed. So that ASSERT_EQ(3, u32_field) neither warns nor lies.
 */
static inline int __harness_order(int as, unsigned long long a, int bs, unsigned long long b)
{
	int an = as && (long long)a < 0, bn = bs && (long long)b < 0;

	if (an != bn)
		return an ? -1 : 1;
	if (an)
		return (long long)a < (long long)b ? -1 : (long long)a > (long long)b;
	return a < b ? -1 : a > b;
}

/* "expected A (1) == B (2)": each value printed as its type's sign says. */
static inline void __harness_fail_cmp(struct __test_metadata *t, const char *file, int line,
				      const char *a, int as, unsigned long long av,
				      const char *op, const char *b, int bs,
				      unsigned long long bv)
{
	char x[24], y[24];

	snprintf(x, sizeof(x), as ? "%lld" : "%llu", av);
	snprintf(y, sizeof(y), bs ? "%lld" : "%llu", bv);
	__harness_fail(t, file, line, "expected %s (%s) %s %s (%s)", a, x, op, b, y);
}

/* Integer comparisons; both values printed, signed or not as their type. */
#define __CMP(expected, seen, op, is_assert) do {			\
	__typeof__(expected) __exp = (expected);			\
	__typeof__(seen) __seen = (seen);				\
									\
	if (!(__harness_order(__is_signed(__exp), (unsigned long long)__exp, \
			      __is_signed(__seen), (unsigned long long)__seen) op 0)) { \
		__harness_fail_cmp(_metadata, __FILE__, __LINE__,	\
				   #expected, __is_signed(__exp),	\
				   (unsigned long long)__exp, #op, #seen, \
				   __is_signed(__seen),			\
				   (unsigned long long)__seen);		\
		if (is_assert)						\
			return;						\
	}								\
} while (0)

#define __COND(cond, text, is_assert) do {				\
	if (!(cond)) {							\
		__harness_fail(_metadata, __FILE__, __LINE__, "%s", text); \
		if (is_assert)						\
			return;						\
	}								\
} while (0)

#define ASSERT_EQ(expected, seen)	__CMP(expected, seen, ==, 1)
#define ASSERT_NE(expected, seen)	__CMP(expected, seen, !=, 1)
#define ASSERT_LT(expected, seen)	__CMP(expected, seen, <, 1)
#define ASSERT_LE(expected, seen)	__CMP(expected, seen, <=, 1)
#define ASSERT_GT(expected, seen)	__CMP(expected, seen, >, 1)
#define ASSERT_GE(expected, seen)	__CMP(expected, seen, >=, 1)
#define ASSERT_TRUE(cond)		__COND(cond, #cond, 1)
#define ASSERT_FALSE(cond)		__COND(!(cond), "!(" #cond ")", 1)
#define EXPECT_EQ(expected, seen)	__CMP(expected, seen, ==, 0)
#define EXPECT_NE(expected, seen)	__CMP(expected, seen, !=, 0)
#define EXPECT_LT(expected, seen)	__CMP(expected, seen, <, 0)
#define EXPECT_LE(expected, seen)	__CMP(expected, seen, <=, 0)
#define EXPECT_GT(expected, seen)	__CMP(expected, seen, >, 0)
#define EXPECT_GE(expected, seen)	__CMP(expected, seen, >=, 0)
#define EXPECT_TRUE(cond)		__COND(cond, #cond, 0)
#define EXPECT_FALSE(cond)		__COND(!(cond), "!(" #cond ")", 0)

/* End the test as skipped: run @statement (e.g. return) after recording. */
#define SKIP(statement, fmt, ...) do {					\
	snprintf(_metadata->skip_why, sizeof(_metadata->skip_why),	\
		 fmt, ##__VA_ARGS__);					\
	_metadata->skipped = 1;						\
	statement;							\
} while (0)

static inline int harness_main(int argc, char **argv)
{
	const char *pattern = getenv("MMCTL_ONLY");
	struct __test_metadata *t;
	int opt, list = 0, ran = 0;
	regex_t re;

	while ((opt = getopt(argc, argv, "+t:l")) != -1) {
		switch (opt) {
		case 't':
			pattern = optarg;
			break;
		case 'l':
			list = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-l] [-t PATTERN] [ARGS...]\n", argv[0]);
			return 2;
		}
	}
	harness_argc = argc - optind;
	harness_argv = argv + optind;
	if (pattern && !*pattern)
		pattern = NULL;
	if (pattern && regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "%s: test pattern %s: not a regular expression\n", argv[0],
			pattern);
		return 2;
	}
	for (t = __harness_first; t; t = t->next) {
		if (pattern && regexec(&re, t->name, 0, NULL, 0))
			continue;
		ran++;
		if (list) {
			printf("%s\n", t->name);
			continue;
		}
		t->passed = 1;
		t->fn(t);
		if (t->skipped && t->passed)
			tap_skip(t->name, t->skip_why);
		else
			tap_result(t->name, t->passed);
	}
	if (pattern)
		regfree(&re);
	if (!ran && pattern)
		printf("# no test matches %s\n", pattern);
	return tap_failed ? 1 : 0;
}

#define TEST_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		return harness_main(argc, argv);			\
	}

#endif /* MMCTL_TEST_HARNESS_H */
