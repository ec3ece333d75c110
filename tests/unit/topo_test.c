// SPDX-License-Identifier: GPL-2.0
/* The .topo parser: good input, range expansion, and every kind of error. */
#include <stdio.h>
#include <string.h>

#include "../lib/tap.h"
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

static int t_good(void)
{
	struct topo t;
	int ok = parses("scenario demo # title\n"
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
			"expect P2 no-errors\n", &t);

	ok = ok && t.nsteps == 12 && !strcmp(t.title, "demo") && !strcmp(t.kernel_min, "6.1");
	ok = ok && t.steps[1].kind == T_MAP && t.steps[1].count == 4 &&
		t.steps[1].flags == (TOPO_MAP_FILE | TOPO_MAP_AFTER) && !strcmp(t.steps[1].other, "x");
	ok = ok && t.steps[2].kind == T_WRITE && t.steps[2].first == 0 && t.steps[2].count == 4;
	ok = ok && t.steps[5].kind == T_MREMAP && t.steps[5].flags == TOPO_REMAP_DONTUNMAP;
	ok = ok && t.steps[7].kind == E_PAGE && t.steps[7].page == 3 &&
		t.steps[7].flags == TOPO_PAGE_PMD && t.steps[7].line == 12;
	ok = ok && t.steps[8].kind == E_CHAIN && t.steps[8].nnames == 3;
	ok = ok && t.steps[9].kind == E_COUNTS && t.steps[9].counts[1].op == '>' &&
		t.steps[9].counts[1].v == 1 && t.steps[9].counts[2].op == '*';
	ok = ok && t.steps[10].kind == E_FOLIOS && !strcmp(t.steps[10].names[1], "thp") &&
		t.steps[10].counts[1].op == '>';
	ok = ok && t.steps[11].kind == E_CLEAN && t.steps[11].flags == TOPO_CLEAN_WARN;
	topo_free(&t);
	return ok;
}

static int t_ranges(void)
{
	struct topo t;
	int ok = parses("scenario r\nP1 start\nP1 fork Q[1-3]\nexpect Q[2-3] m counts 0 1 1\n", &t);

	ok = ok && t.nsteps == 6 && !strcmp(t.steps[1].other, "Q1") &&
		!strcmp(t.steps[3].other, "Q3") && !strcmp(t.steps[4].proc, "Q2") &&
		!strcmp(t.steps[5].proc, "Q3");
	topo_free(&t);
	return ok;
}

static int t_errors(void)
{
	int ok = 1;

	ok &= fails("", "t.topo:1: empty scenario");
	ok &= fails("P1 start\n", "t.topo:1: the first line must be 'scenario TITLE'");
	ok &= fails("scenario a\nscenario b\n", "t.topo:2: a second 'scenario' line");
	ok &= fails("scenario a\nP1 jump\n", "t.topo:2: unknown verb 'jump'");
	ok &= fails("scenario a\nP1 map m x\n", "t.topo:2: usage: P map");
	ok &= fails("scenario a\nP1 map m 4 huge\n", "t.topo:2: map: unknown option 'huge'");
	ok &= fails("scenario a\n\nP1 write m 3-1\n", "t.topo:3: usage: P write MAP PAGES");
	ok &= fails("scenario a\nP1 mprotect m 0 w\n", "t.topo:2: mprotect: unknown protection 'w'");
	ok &= fails("scenario a\nP1 madvise m 0 free\n", "t.topo:2: madvise: unknown advice 'free'");
	ok &= fails("scenario a\nP1 mremap m\n", "t.topo:2: usage: P mremap");
	ok &= fails("scenario a\nexpect P1 m wobble 3\n", "t.topo:2: unknown expectation 'wobble'");
	ok &= fails("scenario a\nexpect C counts 1 2\n", "t.topo:2: usage: expect NAME counts");
	ok &= fails("scenario a\nexpect C counts 1 x 2\n", "t.topo:2: usage: expect NAME counts");
	ok &= fails("scenario a\nexpect P1 m+x anon_vma A\n", "t.topo:2: usage: expect P MAP[+PAGE]");
	ok &= fails("scenario a\nexpect P1 m+1 page C\n", "t.topo:2: usage: expect P MAP+N page");
	ok &= fails("scenario a\nexpect P1 m folios ksm\n", "t.topo:2: folios: 'ksm' is not KEY=N");
	ok &= fails("scenario a\nP1 fork Q[3-1]\n", "t.topo:2: bad process range 'Q[3-1]'");
	ok &= fails("scenario a\n1P start\n", "t.topo:2: bad process name '1P'");
	ok &= fails("scenario a\nkernel 6.1\n", "t.topo:2: usage: kernel >= VERSION");
	ok &= fails("scenario a\nneeds zero\n", "t.topo:2: usage: needs zero-page");
	return ok;
}

/* Every committed scenario parses. */
static int t_committed(const char *dir, int argc, char **argv)
{
	int ok = argc > 0;

	(void)dir;
	for (int i = 0; i < argc; i++) {
		struct topo t;
		char err[256];

		if (topo_load(argv[i], &t, err, sizeof(err))) {
			printf("#   %s\n", err);
			ok = 0;
		}
		topo_free(&t);
	}
	return ok;
}

int main(int argc, char **argv)
{
	tap_result("topo parser: a scenario using every construct", t_good());
	tap_result("topo parser: process ranges expand", t_ranges());
	tap_result("topo parser: malformed lines give file:line: message", t_errors());
	tap_result("topo parser: every committed scenario parses", t_committed(NULL, argc - 1, argv + 1));
	return tap_failed ? 1 : 0;
}
