// SPDX-License-Identifier: GPL-2.0
/* The .topo parser: good input, range expansion, and every kind of error. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "../lib/harness.h"
#include "../topologies/topo.h"

static int parses(const char *text, struct topo *t)
{
	char err[256];
	int r = topo_parse("t.topo", text, t, err, sizeof(err));

	if (r)
		printf("#   unexpected error: %s\n", err);
	return r == 0;
}

/* The text fails with exactly @want (a "t.topo:LINE: ..." prefix). */
static int fails(const char *text, const char *want)
{
	char err[256] = "";
	struct topo t;
	int r = topo_parse("t.topo", text, &t, err, sizeof(err));

	topo_free(&t);
	if (r == 0 || strncmp(err, want, strlen(want))) {
		printf("#   wanted \"%s...\", got %s \"%s\"\n", want, r ? "error" : "success", err);
		return 0;
	}
	return 1;
}

/* The parsed scenario, freed whether the test passed or not. */
FIXTURE(topo) {
	struct topo t;
};

FIXTURE_SETUP(topo)
{
}

FIXTURE_TEARDOWN(topo)
{
	topo_free(&self->t);
}

TEST_F(topo, t_good, "topo parser: a scenario using every construct")
{
	const struct topo_step *st;

	ASSERT_TRUE(parses("scenario demo # title\n"
			   "# comment\n\n"
			   "kernel >= 6.1\n"
			   "P1 start\n"
			   "P1 map m 4 file after x\n"
			   "P1 write m 0-3\n"
			   "P1 mprotect m 1-2 r\n"
			   "P1 madvise m 0-3 wipeonfork\n"
			   "P1 mremap m n dontunmap\n"
			   "P1 fork P2\n"
			   "expect P2 m+3 page -> C pmd\n"
			   "expect P2 n chain C B A\n"
			   "expect C counts 0 >=1 *\n"
			   "expect P2 m folios ksm=4 thp>=1\n"
			   "expect P2 no-errors\n"
			   "expect P2 m folios C=1 A>=2 in P1\n"
			   "expect C gone\n"
			   "expect P2 m+1 perm rx\n"
			   "  run test \"$MMCTL_P2\" != 0 # the shell's comment \r\n", &self->t));
	st = self->t.steps;
	ASSERT_EQ(16, self->t.nsteps);
	EXPECT_EQ(0, strcmp(self->t.title, "demo"));
	EXPECT_EQ(0, strcmp(self->t.kernel_min, "6.1"));
	EXPECT_EQ(T_MAP, st[1].kind);
	EXPECT_EQ(4, st[1].count);
	EXPECT_EQ(TOPO_MAP_FILE | TOPO_MAP_AFTER, st[1].flags);
	EXPECT_EQ(0, strcmp(st[1].other, "x"));
	EXPECT_EQ(T_WRITE, st[2].kind);
	EXPECT_EQ(0, st[2].first);
	EXPECT_EQ(4, st[2].count);
	EXPECT_EQ(T_MREMAP, st[5].kind);
	EXPECT_EQ(TOPO_REMAP_DONTUNMAP, st[5].flags);
	EXPECT_EQ(E_PAGE, st[7].kind);
	EXPECT_EQ(3, st[7].page);
	EXPECT_EQ(TOPO_PAGE_PMD, st[7].flags);
	EXPECT_EQ(12, st[7].line);
	EXPECT_EQ(E_CHAIN, st[8].kind);
	EXPECT_EQ(3, st[8].nnames);
	EXPECT_EQ(E_COUNTS, st[9].kind);
	EXPECT_EQ('>', st[9].counts[1].op);
	EXPECT_EQ(1, st[9].counts[1].v);
	EXPECT_EQ('*', st[9].counts[2].op);
	EXPECT_EQ(E_FOLIOS, st[10].kind);
	EXPECT_EQ(0, strcmp(st[10].names[1], "thp"));
	EXPECT_EQ('>', st[10].counts[1].op);
	EXPECT_EQ(E_CLEAN, st[11].kind);
	EXPECT_EQ(TOPO_CLEAN_WARN, st[11].flags);
	EXPECT_EQ(E_FOLIOS, st[12].kind);
	EXPECT_EQ(0, strcmp(st[12].other, "P1"));
	EXPECT_EQ(2, st[12].nnames);
	EXPECT_EQ(0, strcmp(st[12].names[1], "A"));
	EXPECT_EQ('>', st[12].counts[1].op);
	EXPECT_EQ(E_GONE, st[13].kind);
	EXPECT_EQ(0, strcmp(st[13].other, "C"));
	EXPECT_EQ(E_PERM, st[14].kind);
	EXPECT_EQ(PROT_READ | PROT_EXEC, st[14].prot);
	EXPECT_EQ(1, st[14].page);
	EXPECT_EQ(T_RUN, st[15].kind);
	EXPECT_EQ(0, strcmp(st[15].cmd, "test \"$MMCTL_P2\" != 0 # the shell's comment"));
	EXPECT_EQ(20, st[15].line);
}

TEST_F(topo, t_ranges, "topo parser: process ranges expand")
{
	const struct topo_step *st;

	ASSERT_TRUE(parses("scenario r\nP1 start\nP1 fork Q[1-3]\nexpect Q[2-3] m counts 0 1 1\n",
			   &self->t));
	st = self->t.steps;
	ASSERT_EQ(6, self->t.nsteps);
	EXPECT_EQ(0, strcmp(st[1].other, "Q1"));
	EXPECT_EQ(0, strcmp(st[3].other, "Q3"));
	EXPECT_EQ(0, strcmp(st[4].proc, "Q2"));
	EXPECT_EQ(0, strcmp(st[5].proc, "Q3"));
}

TEST(t_errors, "topo parser: malformed lines give file:line: message")
{
	EXPECT_TRUE(fails("", "t.topo:1: empty scenario"));
	EXPECT_TRUE(fails("P1 start\n", "t.topo:1: the first line must be 'scenario TITLE'"));
	EXPECT_TRUE(fails("scenario a\nscenario b\n", "t.topo:2: a second 'scenario' line"));
	EXPECT_TRUE(fails("scenario a\nP1 jump\n", "t.topo:2: unknown verb 'jump'"));
	EXPECT_TRUE(fails("scenario a\nP1 map m x\n", "t.topo:2: usage: P map"));
	EXPECT_TRUE(fails("scenario a\nP1 map m 4 huge\n", "t.topo:2: map: unknown option 'huge'"));
	EXPECT_TRUE(fails("scenario a\n\nP1 write m 3-1\n", "t.topo:3: usage: P write MAP PAGES"));
	EXPECT_TRUE(fails("scenario a\nP1 mprotect m 0 w\n", "t.topo:2: mprotect: unknown protection 'w'"));
	EXPECT_TRUE(fails("scenario a\nP1 madvise m 0 free\n", "t.topo:2: madvise: unknown advice 'free'"));
	EXPECT_TRUE(fails("scenario a\nP1 mremap m\n", "t.topo:2: usage: P mremap"));
	EXPECT_TRUE(fails("scenario a\nexpect P1 m wobble 3\n", "t.topo:2: unknown expectation 'wobble'"));
	EXPECT_TRUE(fails("scenario a\nexpect C counts 1 2\n", "t.topo:2: usage: expect NAME counts"));
	EXPECT_TRUE(fails("scenario a\nexpect C counts 1 x 2\n", "t.topo:2: usage: expect NAME counts"));
	EXPECT_TRUE(fails("scenario a\nexpect P1 m+x anon_vma A\n", "t.topo:2: usage: expect P MAP[+PAGE]"));
	EXPECT_TRUE(fails("scenario a\nexpect P1 m+1 page C\n", "t.topo:2: usage: expect P MAP+N page"));
	EXPECT_TRUE(fails("scenario a\nexpect P1 m folios ksm\n", "t.topo:2: folios: 'ksm' is not KEY=N"));
	EXPECT_TRUE(fails("scenario a\nP1 fork Q[3-1]\n", "t.topo:2: bad process range 'Q[3-1]'"));
	EXPECT_TRUE(fails("scenario a\n1P start\n", "t.topo:2: bad process name '1P'"));
	EXPECT_TRUE(fails("scenario a\nkernel 6.1\n", "t.topo:2: usage: kernel >= VERSION"));
	EXPECT_TRUE(fails("scenario a\nneeds zero\n", "t.topo:2: usage: needs zero-page"));
	EXPECT_TRUE(fails("scenario a\nexpect P1 m perm wx\n", "t.topo:2: usage: expect P MAP[+PAGE] perm"));
	EXPECT_TRUE(fails("scenario a\nexpect P1 m folios in P2\n", "t.topo:2: usage: expect P MAP folios"));
	EXPECT_TRUE(fails("scenario a\nrun \t\n", "t.topo:2: usage: run SHELL-COMMAND"));
	EXPECT_TRUE(fails("run true\n", "t.topo:1: the first line must be 'scenario TITLE'"));
	EXPECT_TRUE(fails("scenario a\nrunx true\n", "t.topo:2: unknown verb 'true'"));
	EXPECT_TRUE(fails("scenario a\nP1 fork run\n", "t.topo:2: 'run' is a statement, not a process name"));
	EXPECT_TRUE(fails("scenario a\nexpect P1 m folios A=1 in 2P\n",
			  "t.topo:2: folios: bad process name '2P'"));
}

/* Every committed scenario parses: the files are the program's operands. */
TEST(t_committed, "topo parser: every committed scenario parses")
{
	ASSERT_GT(harness_argc, 0);
	for (int i = 0; i < harness_argc; i++) {
		struct topo t;
		char err[256];
		int r = topo_load(harness_argv[i], &t, err, sizeof(err));

		if (r)
			printf("#   %s\n", err);
		EXPECT_EQ(0, r);
		topo_free(&t);
	}
}

TEST_HARNESS_MAIN
