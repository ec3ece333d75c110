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
 *   exec    (mmctl_window loaded with symbol=__set_task_comm check_ret=0)
 *           a target execs another user's setuid binary and is held
 *           between exec_mmap() and commit_creds(): the new image is in
 *           place (so far its new stack only), the old credentials (which
 *           the caller may read) too. A caller without CAP_SYS_PTRACE must
 *           get EACCES (the module takes exec_update_lock, as mm_access()
 *           does), never the new mm (without the lock: the new stack's
 *           randomized address, or later the image at 0x13370000).
 *   detached (mmctl_window loaded with symbol=unmap_vmas check_ret=0) a
 *           target munmaps one of two VMAs sharing an anon_vma and is held
 *           after munmap() detached it and downgraded to the read lock,
 *           before it unlinks it from the trees: a dump of the target
 *           finds it in the family; it must be DETACHED, not the target's.
 *   retry   (mmctl.ko's test knobs, no window module: lock_breaks=N,
 *           fault_nowait_at just after a one-page VMA's folio walk,
 *           fault_retry_ms) the page is present when the family walk
 *           first walks it and fails; the target (tests/guest/pagetarget,
 *           a fresh image) discards it while the module sleeps before its
 *           retry. The PAGE records must be the
 *           retry's (none for the page), as its folio summary is.
 *
 * usage: windows PARAMDIR            (/sys/module/mmctl_window/parameters)
 *        windows PARAMDIR exec SUIDTARGET
 *        windows PARAMDIR retry PAGETARGET
 *        windows PARAMDIR detached
 * Needs the modules loaded; run by tests/guest/run.
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

#include "../lib/caps.h"
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

/*
 * End the hold (the test has seen what it needed) and wait for the held
 * operation to finish: has the window closed? The hold's delay_ms is only
 * a cap, well above what a dump takes, under the RCU stall timeout.
 */
static int window_closed(struct window *w)
{
	char c;

	param_write("release", "1");
	return read(w->done[0], &c, 1) == 1;
}

static void window_release(struct window *w)
{
	if (w->pid < 0)
		return;
	param_write("release", "1");
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

#define SUID_PATH "/tmp/mmctl-suidtarget"
#define SUID_COMM "mmctl-suidtarge"	/* its basename, as comm keeps it */
#define SUID_TEXT 0x13370000ULL

static void test_exec_setuid(const char *prog)
{
	char cmd[512];
	pid_t dumper;
	int st;

	snprintf(cmd, sizeof(cmd), "cp '%s' " SUID_PATH " && chown 65534:65534 " SUID_PATH
		 " && chmod 04755 " SUID_PATH, prog);
	if (system(cmd) || param_write("comm", SUID_COMM) || param_write("delay_ms", "1500")) {
		tap_result("exec window: setuid binary installed, module set", 0);
		return;
	}
	dumper = fork();
	if (dumper == 0) {
		int ok = 1, r;
		struct mm_dump d;
		pid_t t;

		if (drop_ptrace_cap() || param_write("armed", "1"))
			_exit(2);
		t = fork();
		if (t == 0) {
			execl(SUID_PATH, SUID_PATH, "20", (char *)NULL);
			_exit(1);
		}
		if (wait_window()) {
			printf("#   the exec was not held\n");
			_exit(2);
		}
		/* Held after exec_mmap(), before commit_creds(). */
		r = mm_dump_kmod(&d, t, MMCTL_DUMP_NO_FOLIOS);
		if (r == 0) {
			const struct mmctl_rec_vma *v = mm_dump_vma_at(&d, (uint32_t)t, SUID_TEXT);

			EXPECT(&ok, !v, "the new image's text (%#llx) returned to a caller that may not read it",
			       SUID_TEXT);
			EXPECT(&ok, 0, "dump of the exec'ing target succeeded (%zu VMAs)", d.nr_vmas);
			mm_dump_free(&d);
		} else {
			printf("#   dump during the held exec: %s\n", strerror(-r));
			EXPECT(&ok, r == -EACCES, "expected EACCES");
		}
		waitpid(t, NULL, 0);
		_exit(ok ? 0 : 1);
	}
	waitpid(dumper, &st, 0);
	unlink(SUID_PATH);
	tap_result("exec of another user's setuid binary held after the mm switch: a caller "
		   "without CAP_SYS_PTRACE gets EACCES, never the new image",
		   WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int mmctl_param(const char *name, unsigned long v)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/module/mmctl/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fprintf(f, "%lu\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/*
 * Position of @vma_id's FOLIOS record among the records of all families
 * (what mmctl.ko's fault_nowait_at counts, the first FAMILY record being
 * 1), and how many families come before its own; 0 if not found.
 */
static unsigned int folios_pos(const struct mm_dump *d, uint64_t root_id, uint64_t vma_id,
			       unsigned int *families_before)
{
	unsigned int n = 0, fams = 0;

	for (size_t off = 0; off + sizeof(struct mmctl_rec_hdr) <= d->len;) {
		const struct mmctl_rec_hdr *h = (const void *)((const char *)d->buf + off);

		if (h->type == MMCTL_REC_FAMILY) {
			if (((const struct mmctl_rec_family *)h)->root_id == root_id)
				*families_before = fams;
			fams++;
		}
		if (h->type == MMCTL_REC_FAMILY || n)
			n++;
		if (h->type == MMCTL_REC_FOLIOS &&
		    ((const struct mmctl_rec_folios *)h)->vma_id == vma_id)
			return n;
		off += h->size;
	}
	return 0;
}

static char *unmapped;

static void do_munmap(void *arg)
{
	(void)arg;
	munmap(unmapped, (size_t)pg);
}

static void test_detached(void)
{
	const struct mmctl_rec_vma *dv = NULL;
	struct window w = { .pid = -1 };
	struct mm_dump d;
	int ok = 1;
	char *m;

	/* Two VMAs on one anon_vma: written, then the second made read-only. */
	m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		tap_result("detached: set up", 0);
		return;
	}
	madvise(m, 2 * pg, MADV_NOHUGEPAGE);
	memset(m, 1, 2 * pg);
	mprotect(m + pg, pg, PROT_READ);
	unmapped = m;
	param_write("comm", WINDOW_COMM);
	param_write("delay_ms", "10000");
	/* The helper is a fork: its own copy of both VMAs, unmapping the first. */
	if (window_open(&w, do_munmap, "detached"))
		goto out;
	if (mm_dump_kmod(&d, w.pid, MMCTL_DUMP_NO_FOLIOS)) {
		tap_result("detached: dump of the target held in munmap", 0);
		goto out;
	}
	for (size_t i = 0; i < d.nr_vmas; i++)
		if (d.vmas[i]->start == (uint64_t)(uintptr_t)m && !(d.vmas[i]->flags & MMCTL_VMAF_REDACTED) &&
		    d.vmas[i]->pid == (uint32_t)w.pid)
			dv = d.vmas[i];
	EXPECT(&ok, dv != NULL, "the unmapped VMA is not in its family");
	if (dv)
		EXPECT(&ok, (dv->flags & MMCTL_VMAF_DETACHED) && !(dv->flags & MMCTL_VMAF_TARGET),
		       "the detached VMA is reported with flags %#x", dv->flags);
	mm_dump_free(&d);
	EXPECT(&ok, window_closed(&w), "munmap finished");
	tap_result("munmap held after detaching and downgrading: the VMA still in the trees is "
		   "DETACHED, not the target's", ok);
out:
	window_release(&w);
	munmap(m, 2 * pg);
}

/*
 * A family walk that fails after its folio walk (fault_nowait_at) is
 * retried after a sleep (fault_retry_ms) in which its target discards the
 * page it asked for one by one: the PAGE records must be the retry's
 * (none for the page), as its folio summary is. Before, the failed walk's
 * page slot stayed filled and was reported. No test module needed.
 */
static void test_retry_pages(const char *target)
{
	unsigned int at = 0, before = 0;
	int up[2], down[2], ok = 1, r;
	uint64_t addr = 0;
	struct mm_dump d;
	char c;
	pid_t t;

	if (pipe(up) || pipe(down)) {
		tap_result("retry window: set up", 0);
		return;
	}
	t = fork();
	if (t == 0) {
		/* tests/guest/pagetarget: stdin from down, stdout to up. */
		if (dup2(down[0], 0) < 0 || dup2(up[1], 1) < 0)
			_exit(1);
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
		execl(target, target, (char *)NULL);
		_exit(1);
	}
	if (read(up[0], &addr, sizeof(addr)) != sizeof(addr)) {
		tap_result("retry window: target started", 0);
		goto out;
	}
	mmctl_param("lock_breaks", 0);
	if (mm_dump_kmod_pages(&d, t, 0, addr, 1) == 0) {
		const struct mmctl_rec_vma *v = mm_dump_vma_at(&d, (uint32_t)t, addr);

		at = v ? folios_pos(&d, v->root_id, v->id, &before) : 0;
		mm_dump_free(&d);
	}
	EXPECT(&ok, at > 0, "the page's FOLIOS record not found");
	printf("#   the page's FOLIOS record is the %u-th under root locks (%u families before its own)\n",
	       at, before);
	if (ok && (mmctl_param("fault_retry_ms", 2000) || mmctl_param("fault_nowait_times", 1) ||
		   mmctl_param("fault_nowait_at", at)))
		EXPECT(&ok, 0, "parameters not set");
	if (write(down[1], ok ? "g" : "n", 1) != 1)
		ok = 0;
	if (ok) {
		r = mm_dump_kmod_pages(&d, t, 0, addr, 1);
		EXPECT(&ok, r == 0, "dump: %s", strerror(-r));
		if (!r) {
			const struct mmctl_rec_vma *v = mm_dump_vma_at(&d, (uint32_t)t, addr);
			ssize_t vi = v ? mm_dump_vma_idx(&d, v->id) : -1;
			const struct mmctl_rec_folios *f = vi >= 0 ? d.vma_folios[vi] : NULL;
			const struct mmctl_rec_page *p = mm_dump_page(&d, addr);

			printf("#   retries %u; last walk: %llu present; PAGE record %s\n",
			       d.hdr->retries, f ? (unsigned long long)f->present : 0ULL,
			       p ? "present" : "absent");
			EXPECT(&ok, d.hdr->retries >= 1, "the walk was not retried");
			EXPECT(&ok, f && !f->present && !p,
			       "a PAGE record of the discarded page (from the failed walk)");
			mm_dump_free(&d);
		}
	}
	EXPECT(&ok, read(up[0], &c, 1) == 1, "the target did not discard its page");
out:
	close(down[1]);
	waitpid(t, NULL, 0);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	mmctl_param("fault_nowait_at", 0);
	mmctl_param("fault_nowait_times", 0);
	mmctl_param("fault_retry_ms", 0);
	mmctl_param("lock_breaks", 1);
	tap_result("a family walk retried after its folio walk: PAGE records from the retry only "
		   "(a page discarded in between is not reported)", ok);
}

int main(int argc, char **argv)
{
	if (argc != 2 && !(argc == 4 && (!strcmp(argv[2], "exec") || !strcmp(argv[2], "retry"))) &&
	    !(argc == 3 && !strcmp(argv[2], "detached"))) {
		fprintf(stderr, "usage: windows PARAMDIR [exec SUIDTARGET | retry PAGETARGET | detached]\n");
		return 2;
	}
	params = argv[1];
	pg = sysconf(_SC_PAGESIZE);
	if (argc == 4 && !strcmp(argv[2], "exec")) {
		test_exec_setuid(argv[3]);
	} else if (argc == 4) {
		test_retry_pages(argv[3]);
	} else if (argc == 3) {
		test_detached();
	} else {
		param_write("comm", WINDOW_COMM);
		param_write("delay_ms", "10000");
		test_fork_window();
		test_split_thp();
	}
	param_write("armed", "0");
	return tap_failed ? 1 : 0;
}
