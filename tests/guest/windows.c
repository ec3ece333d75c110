// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's anon_vma windows, held open by tests/winmod (mmctl_window:
 * a kretprobe that spins when anon_vma_clone() returns in a task named
 * "mmctl-window"), and what a dump shows in them:
 *
 *   fork    P1 forks P2 while held after the clone: a dump of P0 (the
 *           family's root process, its own mmap_lock free) sees P2's VMA
 *           with a chain and no anon_vma, its mm write-locked. The checker
 *           must call it transient, explained by that fact, and nothing
 *           else: not an error, however long the window stays open (the
 *           stress-ng false error of issue 15, reproduced on purpose).
 *   split   P1 mprotects the lower half of a THP it shares with P0: the
 *           split's new VMA (the upper half, starting inside the huge PMD)
 *           is linked while the PMD is still huge. A dump of P0 with
 *           member folios walks it from its middle: every page must pair
 *           with its own address (no index mismatch).
 *
 * usage: windows PARAMDIR   (/sys/module/mmctl_window/parameters)
 * Needs the module loaded; run by tests/guest/run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/tap.h"
#include "checkrun.h"
#include "dump.h"

#define WINDOW_COMM "mmctl-window"
#define HPAGE (2UL << 20)

static const char *params;
static long pg;

static int param_write(const char *name, const char *val)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", params, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fputs(val, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static long param_read(const char *name)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", params, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Wait until the armed delay has started (armed drops to 0): the window is open. */
static int wait_window(void)
{
	for (int i = 0; i < 2000; i++) {
		if (param_read("armed") == 0)
			return 0;
		usleep(5000);
	}
	return -1;
}

/* A helper process (WINDOW_COMM) that runs one operation in a held window. */
struct window {
	int cmd[2], done[2];
	pid_t pid;
};

/*
 * Start a helper that names itself WINDOW_COMM, arm the module, have the
 * helper run @op, and return once the module holds the window open (the
 * probe has taken the arming). 0, or -1 with a failed result for @what.
 */
static int window_open(struct window *w, void (*op)(void *), const char *what)
{
	char c, msg[128];

	w->pid = -1;
	if (pipe(w->cmd))
		goto fail;
	if (pipe(w->done)) {
		close(w->cmd[0]);
		close(w->cmd[1]);
		goto fail;
	}
	w->pid = fork();
	if (w->pid == 0) {
		close(w->cmd[1]);
		close(w->done[0]);
		prctl(PR_SET_NAME, WINDOW_COMM);
		if (read(w->cmd[0], &c, 1) != 1)
			_exit(1);
		op(NULL);
		if (write(w->done[1], "x", 1) != 1)
			_exit(1);
		if (read(w->cmd[0], &c, 1) < 0)	/* stay until told (EOF) */
			_exit(1);
		_exit(0);
	}
	if (w->pid > 0 && !param_write("armed", "1") && write(w->cmd[1], "g", 1) == 1 &&
	    !wait_window())
		return 0;
fail:
	snprintf(msg, sizeof(msg), "%s: held open by mmctl_window", what);
	tap_result(msg, 0);
	return -1;
}

/* Has the held operation finished (the window closed)? */
static int window_closed(struct window *w)
{
	char c;

	return read(w->done[0], &c, 1) == 1;
}

static void window_release(struct window *w)
{
	if (w->pid < 0)
		return;
	close(w->cmd[1]);
	waitpid(w->pid, NULL, 0);
	close(w->cmd[0]);
	close(w->done[0]);
	close(w->done[1]);
}

static void do_fork(void *arg)
{
	pid_t c = fork();

	(void)arg;
	if (c == 0)
		_exit(0);
	if (c > 0)
		waitpid(c, NULL, 0);
}

struct verdicts {
	struct mmctl_violation v[32];
	int n;
};

static void collect(void *arg, const struct mmctl_violation *v)
{
	struct verdicts *vs = arg;

	if (vs->n < 32)
		vs->v[vs->n++] = *v;
}

static void test_fork_window(void)
{
	struct mmctl_check_result res;
	struct verdicts vs = { .n = 0 };
	const struct mmctl_rec_vma *fw = NULL;
	struct window w;
	struct mm_dump d;
	int ok = 1;

	if (window_open(&w, do_fork, "fork window"))
		goto out;
	/* P1 is inside fork(), P2's VMA linked without its anon_vma. */
	if (mm_dump_kmod(&d, getpid(), MMCTL_DUMP_NO_FOLIOS)) {
		tap_result("fork window: dump of P0 while P1 forks", 0);
		goto out;
	}
	for (size_t i = 0; i < d.nr_vmas; i++)
		if (!d.vmas[i]->anon_vma_id && d.vmas[i]->chain_len &&
		    !(d.vmas[i]->flags & MMCTL_VMAF_TARGET))
			fw = d.vmas[i];
	EXPECT(&ok, fw != NULL, "no VMA with a chain and no anon_vma in P0's family");
	if (fw)
		EXPECT(&ok, fw->flags & MMCTL_VMAF_MM_WRITER, "the forked VMA's mm is not "
		       "reported write-locked (flags %#x)", fw->flags);
	EXPECT(&ok, mm_check_buf(d.buf, d.len, collect, &vs, &res) == 0, "check");
	EXPECT(&ok, res.count[MMCTL_SEV_ERROR] == 0 && res.count[MMCTL_SEV_TRANSIENT] >= 1,
	       "%u errors, %u transient", res.count[MMCTL_SEV_ERROR],
	       res.count[MMCTL_SEV_TRANSIENT]);
	for (int i = 0; i < vs.n; i++) {
		printf("#   %s %s on %llx, explained by %s\n", mmctl_sev_names[vs.v[i].severity],
		       mmctl_rules[vs.v[i].rule].name, (unsigned long long)vs.v[i].object,
		       mmctl_fact_names[vs.v[i].fact]);
		EXPECT(&ok, vs.v[i].severity != MMCTL_SEV_TRANSIENT ||
		       vs.v[i].fact == MMCTL_FACT_MM_WRITER, "transient without the fact");
	}
	mm_dump_free(&d);
	/* The CLI the way a user runs it, while the window is still open. */
	{
		char line[256];
		FILE *f;

		snprintf(line, sizeof(line), "%s check %d", getenv("MMCTL") ? getenv("MMCTL") :
			 "mmctl", (int)getpid());
		f = popen(line, "r");
		if (f) {
			int seen = 0;

			while (fgets(line, sizeof(line), f)) {
				printf("#   | %s", line);
				seen |= !!strstr(line, ": 0 errors,");
			}
			EXPECT(&ok, pclose(f) == 0 && seen, "mmctl check P0 during the window");
		}
	}
	EXPECT(&ok, window_closed(&w) && param_read("hits") >= 1,
	       "the window closed and fork() finished");
	tap_result("fork window held open: P2's VMA (chain, no anon_vma, mm write-locked) is "
		   "transient, 0 errors, in the module and in mmctl check", ok);
out:
	window_release(&w);
}

static char *thp;

static void do_split(void *arg)
{
	(void)arg;
	/* The lower half: the new VMA is the upper half, from mid-PMD. */
	mprotect(thp, HPAGE / 2, PROT_READ);
}

static void test_split_thp(void)
{
	const struct mmctl_rec_vma *nv = NULL;
	const struct mmctl_rec_folios *f = NULL;
	struct window w = { .pid = -1 };
	struct mm_dump d;
	int ok = 1;
	char *raw;

	raw = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		tap_result("split window: set up", 0);
		return;
	}
	thp = (char *)(((unsigned long)raw + HPAGE - 1) & ~(HPAGE - 1));
	madvise(thp, HPAGE, MADV_HUGEPAGE);
	memset(thp, 1, HPAGE);
	if (mm_dump_kmod(&d, getpid(), 0) == 0) {
		const struct mmctl_rec_vma *v = mm_dump_vma_at(&d, (uint32_t)getpid(),
							       (uint64_t)(uintptr_t)thp);
		ssize_t vi = v ? mm_dump_vma_idx(&d, v->id) : -1;

		f = vi >= 0 ? d.vma_folios[vi] : NULL;
		ok = f && f->thp;
		mm_dump_free(&d);
	} else {
		ok = 0;
	}
	if (!ok) {
		tap_skip("split window: a THP walked from the middle of its PMD",
			 "no PMD-mapped THP could be allocated");
		goto out;
	}
	if (window_open(&w, do_split, "split window"))
		goto out;
	if (mm_dump_kmod(&d, getpid(), MMCTL_DUMP_MEMBER_FOLIOS)) {
		tap_result("split window: dump of P0 with member folios", 0);
		goto out;
	}
	for (size_t i = 0; i < d.nr_vmas; i++)
		if (d.vmas[i]->pid == (uint32_t)w.pid &&
		    d.vmas[i]->start == (uint64_t)(uintptr_t)thp + HPAGE / 2)
			nv = d.vmas[i];
	EXPECT(&ok, nv != NULL, "P1's new VMA (upper half) not in the family");
	if (nv) {
		ssize_t vi = mm_dump_vma_idx(&d, nv->id);

		f = vi >= 0 ? d.vma_folios[vi] : NULL;
		EXPECT(&ok, nv->flags & MMCTL_VMAF_MM_WRITER, "split VMA not reported "
		       "write-locked (flags %#x)", nv->flags);
		EXPECT(&ok, f && (f->flags & MMCTL_FOLIOSF_WALKED), "not walked");
		if (f) {
			printf("#   new VMA from mid-PMD: present %llu anon %llu thp %llu index_mismatch %llu\n",
			       (unsigned long long)f->present, (unsigned long long)f->anon,
			       (unsigned long long)f->thp, (unsigned long long)f->index_mismatch);
			EXPECT(&ok, f->anon == HPAGE / 2 / pg && f->index_mismatch == 0 &&
			       f->outside_chain == 0, "pages paired with the wrong subpage");
		}
	}
	mm_dump_free(&d);
	EXPECT(&ok, window_closed(&w), "mprotect finished");
	tap_result("split window held open: a VMA starting inside a huge PMD pairs each "
		   "address with its own subpage", ok);
out:
	window_release(&w);
	munmap(raw, 2 * HPAGE);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: windows PARAMDIR\n");
		return 2;
	}
	params = argv[1];
	pg = sysconf(_SC_PAGESIZE);
	param_write("comm", WINDOW_COMM);
	param_write("delay_ms", "4000");
	test_fork_window();
	test_split_thp();
	param_write("armed", "0");
	return tap_failed ? 1 : 0;
}
