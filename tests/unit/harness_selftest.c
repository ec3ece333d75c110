// SPDX-License-Identifier: GPL-2.0
/*
 * The unit-test harness itself (tests/lib/harness.h), run by tests/host/run
 * without MMCTL_RESULTS: tests meant to fail, whose output the host test
 * compares with what the harness must print.
 */
#include "../lib/harness.h"

static int steps;

TEST(h_pass, "harness: passes")
{
	ASSERT_EQ(1, 1);
	EXPECT_LT(-1, 1u);	/* as numbers: -1 < 1, though 1 is unsigned */
}

FIXTURE(res) {
	int *p;
};

FIXTURE_SETUP(res)
{
	self->p = &steps;
}

FIXTURE_TEARDOWN(res)
{
	printf("# teardown after %d steps\n", *self->p);
}

TEST_F(res, h_assert, "harness: an ASSERT ends the test, the teardown runs")
{
	(*self->p)++;
	ASSERT_EQ(2u, 3u);
	(*self->p)++;
}

TEST(h_expect, "harness: an EXPECT fails the test and goes on")
{
	EXPECT_TRUE(steps == 0);
	EXPECT_GE(-5, 0);
	printf("# after the failed expectations\n");
}

TEST(h_skip, "harness: a SKIP names its reason")
{
	SKIP(return, "no %s here", "zero page");
	ASSERT_TRUE(0);
}

TEST_HARNESS_MAIN
