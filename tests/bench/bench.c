// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: mmctl against the kernel's own walkers, in one boot, side by
 * side. Targets (made here, in known shapes):
 *   A(n)   n one-page anonymous VMAs, each written, alternating protections
 *          so that none merge (n = 1k, 8k, 64k)
 *   B      1 GiB anonymous, fully written, MADV_NOHUGEPAGE (262,144 PTEs)
 *   B-thp  the same with MADV_HUGEPAGE
 *   C      a parent with 64 written pages and 1,000 forked children
 *   C-deep a 20-deep fork chain, dumped from its first process
 *   D      500 processes: a parent with 64 written pages and 499 forked
 *          children, each writing one; mmctl top over every process of
 *          the machine (one pass, module and BPF) and over the same pids
 *          one full dump each (before), against cat of every process's
 *          smaps_rollup
 * For each: the median of RUNS wall times of `mmctl check PID` (module,
 * folios), `mmctl tree --no-folios PID` (module, then BPF) and the kernel's
 * `cat /proc/PID/smaps` and `cat /proc/PID/maps`; the CLI's peak RSS; and
 * from the module's own STATS record (a full dump): its peak memory, how
 * long the target's mmap_lock and the longest root rwsem were held.
 * Then one line per target of the issue with the measured ratio.
 *
 * usage: bench [--smoke | --profile]   (--smoke: small sizes, one run; for make
 * check; --profile: perf's profile of tree --no-folios of A-64k)
 * Exit 0 when every measurement ran (targets missed are reported, not
 * failed: the figures are the product), 1 when something did not run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <glob.h>

#include "../lib/tap.h"
#include "dump.h"
#include "timing.h"

enum { T_CHECK_PROBE, T_CHECK, T_TREE, T_BPF, T_BPF_LOAD, T_SMAPS, T_MAPS, T_NR };
static const char *const tname[T_NR] = {
	"check (kmod, probing the chain order)", "check (kmod)", "tree --no-folios (kmod)",
	"tree --no-folios (bpf, pinned)", "tree --no-folios (bpf, loading each call)",
	"cat smaps", "cat maps",
};

struct result {
	const char *name;
	long vmas;			/* VMA records in the module's full dump */
	long target_vmas;
	double ms[T_NR];		/* medians */
	long rss_kb[T_NR];		/* peak RSS of the command, max over runs */
	int ran[T_NR];			/* all runs exited 0 */
	struct mmctl_rec_stats st;	/* module, full dump */
	int have_st;
	/* lock holds, median over runs of full dumps: ABI 1's walk, today's */
	struct holds { double root, mmap, mmap_total; unsigned int yields; } before, now;
	/* where tree --no-folios spends its time: */
	double exec_ms;			/* mmctl --version: process start */
	double ioctl_ms;		/* the dump ioctl alone, no folios */
	double walk_ms;			/* of which the module's walk (STATS) */
};

static const char *mmctl_bin, *cat_bin;
static int runs = 5;
static int ok = 1;

/* Run @argv with stdout to /dev/null; its wall time, or -1 if it failed. */
/*
 * bench --rss-run CMD...: run CMD (stdout to /dev/null) and write its wall
 * time and peak RSS to fd 3. A command forked straight from the bench
 * would count the bench's own RSS (ru_maxrss includes the image before
 * exec), so the bench first execs itself, small, as this launcher.
 */
static int rss_run(char *const argv[])
{
	struct rusage ru;
	double t0, t;
	int st;
	pid_t c;

	/* NAME=VALUE first: CMD's environment (check, probing: the baseline). */
	for (; argv[0] && argv[0][strspn(argv[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZ_")] == '='; argv++)
		putenv(argv[0]);
	t0 = now_ms();
	c = fork();
	if (c == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		close(3);
		execv(argv[0], argv);
		_exit(127);
	}
	if (c < 0 || wait4(c, &st, 0, &ru) != c)
		return 1;
	t = now_ms() - t0;
	dprintf(3, "%.6f %ld\n", t, ru.ru_maxrss);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench: %s %s: exit %d\n", argv[0], argv[1],
			WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		return 1;
	}
	return 0;
}

/*
 * The lock holds of full dumps of @pid with the module's lock_breaks off
 * (the walk of ABI 1: the target's folios under the root rwsem, no lock
 * given up) or on, median of the runs, for the side-by-side in make bench.
 */
static int set_lock_breaks(int on)
{
	FILE *f = fopen("/sys/module/mmctl/parameters/lock_breaks", "w");
	int r;

	if (!f)
		return -1;
	r = fputs(on ? "Y\n" : "N\n", f) >= 0;
	return fclose(f) == 0 && r ? 0 : -1;
}

static void measure_holds(struct holds *h, pid_t pid, int on)
{
	double root[16], mmap[16], total[16];
	int n = 0;

	memset(h, 0, sizeof(*h));
	if (set_lock_breaks(on)) {
		ok = 0;
		return;
	}
	for (int i = 0; i < runs && i < 16; i++) {
		struct mm_dump d;

		if (mm_dump_kmod(&d, pid, 0))
			continue;
		if (d.stats) {
			root[n] = d.stats->max_root_lock_ns / 1e6;
			mmap[n] = d.stats->max_mmap_lock_ns / 1e6;
			total[n] = d.stats->mmap_lock_ns / 1e6;
			h->yields += d.stats->mmap_lock_yields + d.stats->root_lock_yields;
			n++;
		}
		mm_dump_free(&d);
	}
	set_lock_breaks(1);
	if (!n) {
		ok = 0;
		return;
	}
	h->root = median(root, n);
	h->mmap = median(mmap, n);
	h->mmap_total = median(total, n);
}

/* Run @argv through the launcher; its wall time, or -1 if it failed. */
static double run(char *const argv[], long *rss_kb)
{
	char **av, line[64];
	double t = -1;
	long rss = 0;
	int p[2], st, n = 0;
	ssize_t len;
	pid_t c;

	while (argv[n])
		n++;
	av = calloc(n + 3, sizeof(*av));
	if (!av)
		return -1;
	av[0] = "/proc/self/exe";
	av[1] = "--rss-run";
	memcpy(av + 2, argv, n * sizeof(*av));
	if (pipe(p)) {
		free(av);
		return -1;
	}
	c = fork();
	if (c == 0) {
		dup2(p[1], 3);
		execv(av[0], av);
		_exit(127);
	}
	free(av);
	close(p[1]);
	len = c < 0 ? -1 : read(p[0], line, sizeof(line) - 1);
	close(p[0]);
	if (c < 0 || waitpid(c, &st, 0) != c || len <= 0)
		return -1;
	line[len] = 0;
	if (sscanf(line, "%lf %ld", &t, &rss) != 2 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -1;
	if (rss > *rss_kb)
		*rss_kb = rss;
	return t;
}

static void measure(struct result *r, pid_t pid)
{
	char p[16], smaps[64], maps[64], *cat = (char *)cat_bin;
	char *m = (char *)mmctl_bin;
	char *argv[T_NR][7] = {
		{ "MMCTL_NO_ORDER_CACHE=1", m, "--backend=kmod", "check", p, NULL },
		{ m, "--backend=kmod", "check", p, NULL },
		{ m, "--backend=kmod", "--no-folios", "tree", p, NULL },
		{ m, "--backend=bpf", "--no-folios", "tree", p, NULL },
		{ "MMCTL_NO_BPF_PIN=1", m, "--backend=bpf", "--no-folios", "tree", p, NULL },
		{ cat, smaps, NULL },
		{ cat, maps, NULL },
	};
	struct mm_dump d;
	double t[16];

	snprintf(p, sizeof(p), "%d", (int)pid);
	snprintf(smaps, sizeof(smaps), "/proc/%d/smaps", (int)pid);
	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	/* One untimed round warms caches and pins the BPF program. */
	for (int k = 0; k < T_NR; k++) {
		long rss = 0;

		run(argv[k], &rss);
	}
	for (int k = 0; k < T_NR; k++) {
		r->ran[k] = 1;
		for (int i = 0; i < runs; i++) {
			t[i] = run(argv[k], &r->rss_kb[k]);
			if (t[i] < 0)
				r->ran[k] = 0;
		}
		r->ms[k] = median(t, runs);
	}
	{
		char *ver[] = { m, "--version", NULL };
		double e[16], io[16], wk[16];
		long rss = 0;

		for (int i = 0; i < runs; i++) {
			double t0;

			e[i] = run(ver, &rss);
			t0 = now_ms();
			if (mm_dump_kmod(&d, pid, MMCTL_DUMP_NO_FOLIOS)) {
				io[i] = wk[i] = -1;
				continue;
			}
			io[i] = now_ms() - t0;
			wk[i] = d.stats ? d.stats->walk_ns / 1e6 : -1;
			mm_dump_free(&d);
		}
		r->exec_ms = median(e, runs);
		r->ioctl_ms = median(io, runs);
		r->walk_ms = median(wk, runs);
	}
	if (mm_dump_kmod(&d, pid, 0) == 0) {
		r->vmas = (long)d.nr_vmas;
		for (size_t i = 0; i < d.nr_vmas; i++)
			r->target_vmas += !!(d.vmas[i]->flags & MMCTL_VMAF_TARGET);
		if (d.stats) {
			r->st = *d.stats;
			r->have_st = 1;
		}
		mm_dump_free(&d);
	}
	measure_holds(&r->before, pid, 0);
	measure_holds(&r->now, pid, 1);
}

/* Targets: children that build their shape, say so, and wait for EOF. */
static int rel[2];	/* targets hold until the bench closes rel[1] */

static pid_t spawn(int (*build)(long, int), long arg)
{
	int ready[2];
	pid_t c;
	char x;

	if (pipe(ready))
		return -1;
	fflush(stdout);
	c = fork();
	if (c == 0) {
		close(ready[0]);
		close(rel[1]);
		if (build(arg, ready[1]))
			_exit(1);
		_exit(read(rel[0], &x, 1) < 0);
	}
	close(ready[1]);
	if (read(ready[0], &x, 1) != 1) {
		close(ready[0]);
		waitpid(c, NULL, 0);
		return -1;
	}
	close(ready[0]);
	return c;
}

static int build_a(long n, int ready)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *base = (char *)0x300000000000UL;

	for (long i = 0; i < n; i++) {
		char *p = mmap(base + i * pg, pg,
			       PROT_READ | PROT_WRITE | (i & 1 ? PROT_EXEC : 0),
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "bench: A: mmap %ld of %ld: %s\n", i, n, strerror(errno));
			return 1;
		}
		*p = 1;
	}
	return write(ready, "x", 1) != 1;
}

/* arg: bytes, negative for THP. */
static int build_b(long arg, int ready)
{
	size_t len = arg < 0 ? -arg : arg, step = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, len + (2 << 20), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	/* 2 MiB-aligned, so THP can map the whole range with PMDs. */
	p = (char *)(((unsigned long)p + (2 << 20) - 1) & ~((2UL << 20) - 1));
	madvise(p, len, arg < 0 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len; i += step)
		p[i] = 1;
	return write(ready, "x", 1) != 1;
}

/* arg > 0: that many children of one parent; arg < 0: a chain that deep. */
static int build_c(long arg, int ready)
{
	long pg = sysconf(_SC_PAGESIZE), n = arg < 0 ? -arg : arg;
	char *m = mmap(NULL, 64 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int hold[2], up[2];
	char x;

	if (m == MAP_FAILED || pipe(hold) || pipe(up))
		return 1;
	madvise(m, 64 * pg, MADV_NOHUGEPAGE);
	for (long i = 0; i < 64; i++)
		m[i * pg] = 1;
	for (long i = 0; i < n; i++) {
		pid_t c = fork();

		if (c < 0)
			return 1;
		if (c == 0) {
			if (arg > 0 || i == n - 1) {
				/* a leaf: tell the parent (chain: the top), then hold */
				if (write(up[1], "x", 1) != 1)
					_exit(1);
				close(hold[1]);
				_exit(read(hold[0], &x, 1) < 0);
			}
			continue;	/* chain: this child forks the next */
		}
		if (arg < 0) {
			/* chain link: wait for the release, then for the child */
			if (i > 0) {
				close(hold[1]);
				if (read(hold[0], &x, 1) < 0)
					_exit(1);
				waitpid(c, NULL, 0);
				_exit(0);
			}
			break;
		}
	}
	/* The top: wait until every leaf (or the chain's end) is in place. */
	for (long i = 0; i < (arg > 0 ? n : 1); i++)
		if (read(up[0], &x, 1) != 1)
			return 1;
	close(hold[0]);
	/* hold[1] stays open here until this process exits: leaves then see EOF. */
	return write(ready, "x", 1) != 1;
}

/* A-64k needs more than the default 65530 mappings; restored at exit. */
static long saved_max_map = -1;

static void restore_max_map(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "w");

	if (f) {
		fprintf(f, "%ld\n", saved_max_map);
		fclose(f);
	}
}

static void max_map_count(long want)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");

	if (!f || fscanf(f, "%ld", &saved_max_map) != 1)
		saved_max_map = -1;
	if (f)
		fclose(f);
	if (saved_max_map < 0 || saved_max_map >= want)
		return;
	f = fopen("/proc/sys/vm/max_map_count", "w");
	if (f) {
		fprintf(f, "%ld\n", want);
		fclose(f);
		atexit(restore_max_map);
	}
}

static void release(pid_t pid)
{
	close(rel[1]);
	waitpid(pid, NULL, 0);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (pipe(rel))
		ok = 0;
}

static void print_row(const struct result *r)
{
	printf("# %-8s %6ld %7ld", r->name, r->target_vmas, r->vmas);
	for (int k = 0; k < T_NR; k++)
		if (r->ran[k])
			printf(" %9.2f", r->ms[k]);
		else
			printf(" %9s", "-");
	printf(" %7ld", r->rss_kb[T_CHECK]);
	if (r->have_st)
		printf(" %9.0f %8.2f %8.2f", r->st.kmem_peak / 1024.0,
		       r->st.mmap_lock_ns / 1e6, r->st.max_root_lock_ns / 1e6);
	printf("\n");
}

/* Build one target, measure it, print its row, let it go. */
static void bench_case(struct result *r, const char *name, int (*build)(long, int), long arg)
{
	pid_t pid = spawn(build, arg);

	r->name = name;
	if (pid < 0) {
		ok = 0;
		return;
	}
	measure(r, pid);
	print_row(r);
	release(pid);
}

static int target(const char *what, double value, double limit, const char *unit)
{
	int met = value <= limit;

	printf("# target %-62s %8.2f%s (limit %.2f%s) %s\n", what, value, unit, limit, unit,
	       met ? "MET" : "MISSED");
	return met;
}

static int probe_dump(struct mm_dump *d, pid_t pid)
{
	return mm_dump_kmod(d, pid, MMCTL_DUMP_NO_FOLIOS);
}

/*
 * What every mmctl process pays once for learning the chain order (three
 * forks and one small dump, dump.h), measured here so that the cases
 * below start with it paid, as in any one CLI run.
 */
static void bench_probe(void)
{
	double t[16], t0;
	int n = runs < 16 ? runs : 16, order = MM_CHAIN_ORDER_UNKNOWN;
	struct mm_dump d;

	if (mm_dump_kmod(&d, getpid(), MMCTL_DUMP_NO_FOLIOS) == 0)
		mm_dump_free(&d);
	for (int i = 0; i < n; i++) {
		t0 = now_ms();
		order = mm_chain_order_probe(probe_dump);
		t[i] = now_ms() - t0;
	}
	printf("# chain-order probe (once per mmctl process): %.2f ms, found %s\n",
	       median(t, n), mm_chain_order_name(order));
	ok &= order != MM_CHAIN_ORDER_UNKNOWN;
}

/*
 * Process start of the binary under test, from where guest-bench copied it
 * (tmpfs: the page cache, as on any machine) and from the test root it came
 * from (MMCTL_FROM: the harness's 9p mount, uncached: every exec reads the
 * whole 2.8 MB binary again through virtio).
 */
static void bench_start(void)
{
	const char *from = getenv("MMCTL_FROM");
	char *av[2][3] = { { (char *)mmctl_bin, "--version", NULL },
			   { (char *)from, "--version", NULL } };
	double t[2][16];
	int n = runs < 16 ? runs : 16;
	long rss = 0;

	if (!from)
		return;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++)
			t[k][i] = run(av[k], &rss);
	printf("# process start, mmctl --version: %.2f ms from tmpfs (the cases below), %.2f ms from the test root (%s, 9p without a page cache)\n",
	       median(t[0], n), median(t[1], n), from);
}

/*
 * D: mmctl top over every process (the one pass: each process's own chains,
 * the families joined in the CLI), module and BPF, beside the same pids one
 * full dump each (each walks the whole 500-process family: before), the
 * BPF one pass with one iterator per process (MMCTL_TOP_BPF_EACH: before)
 * and cat of every process's smaps_rollup (the baseline), in one boot.
 */
enum { D_KMOD, D_BPF, D_FULL, D_BPF_EACH, D_ROLLUP, D_NR };

static int bench_top(long children)
{
	static const char *const what[D_NR] = {
		"mmctl top (kmod, one pass)", "mmctl top (bpf, one pass)",
		"mmctl top --pids ALL (kmod, a full dump each: before)",
		"mmctl top (bpf, one pass, an iterator per process: before)",
		"cat /proc/[0-9]*/smaps_rollup",
	};
	double t[D_NR][16], ms[D_NR];
	char *m = (char *)mmctl_bin, *pids = NULL, **cat = NULL;
	size_t n = 0, cap = 0, len = 0;
	int ran = 1, procs = 0;
	pid_t pid = spawn(build_c, children);
	glob_t g;

	if (pid < 0)
		return 0;
	if (glob("/proc/[0-9]*/smaps_rollup", 0, NULL, &g)) {
		release(pid);
		return 0;
	}
	cat = calloc(g.gl_pathc + 2, sizeof(*cat));
	for (size_t i = 0; cat && i < g.gl_pathc; i++) {
		int k = 0, fd;
		char b;

		if (sscanf(g.gl_pathv[i], "/proc/%*d/smaps_rollup%n", &k) < 0 || !k)
			continue;
		/* Kernel threads' reads fail (ESRCH: no mm), as top skips them. */
		fd = open(g.gl_pathv[i], O_RDONLY);
		k = fd >= 0 && read(fd, &b, 1) == 1;
		if (fd >= 0)
			close(fd);
		if (!k)
			continue;
		cat[++n] = g.gl_pathv[i];
		if (len + 16 > cap) {
			char *p = realloc(pids, cap = cap * 2 + 4096);

			if (!p)
				break;
			pids = p;
		}
		len += snprintf(pids + len, cap - len, "%s%.*s", len ? "," : "",
				(int)(strlen(g.gl_pathv[i]) - 6 - 13), g.gl_pathv[i] + 6);
		procs++;
	}
	if (cat && pids) {
		char *argv[D_NR][9] = {
			{ m, "--backend=kmod", "top", "-n", "1000000", NULL },
			{ m, "--backend=bpf", "top", "-n", "1000000", NULL },
			{ m, "--backend=kmod", "top", "-n", "1000000", "--pids", pids, NULL },
			{ "MMCTL_TOP_BPF_EACH=1", m, "--backend=bpf", "top", "-n", "1000000", NULL },
			{ NULL },
		};

		cat[0] = (char *)cat_bin;
		for (int k = 0; k < D_NR; k++) {
			char *const *av = k == D_ROLLUP ? cat : argv[k];
			long rss = 0;

			run(av, &rss);	/* warm, as measure() */
			for (int i = 0; i < runs && i < 16; i++) {
				t[k][i] = run(av, &rss);
				if (t[k][i] < 0)
					ran = 0;
			}
			ms[k] = median(t[k], runs < 16 ? runs : 16);
		}
	} else {
		ran = 0;
	}
	globfree(&g);
	free(cat);
	free(pids);
	release(pid);
	if (!ran) {
		printf("# D: a command did not run (its error above)\n");
		return 0;
	}
	printf("# D: %d processes (%ld of them one family: a parent and its %ld children)\n",
	       procs, children + 1, children);
	for (int k = 0; k < D_NR; k++)
		printf("# D %-60s %10.2f ms\n", what[k], ms[k]);
	printf("# mmctl top of every process, a full dump each (before) / one pass (after), kmod: %.2fx\n",
	       ms[D_FULL] / ms[D_KMOD]);
	printf("# mmctl top of every process, bpf: an iterator per process (before) / one iterator (after): %.2fx\n",
	       ms[D_BPF_EACH] / ms[D_BPF]);
	target("mmctl top (kmod), every process / cat smaps_rollup of every process",
	       ms[D_KMOD] / ms[D_ROLLUP], 2.0, "x");
	target("mmctl top (bpf), every process / cat smaps_rollup of every process",
	       ms[D_BPF] / ms[D_ROLLUP], 2.0, "x");
	return 1;
}

/*
 * make bench-profile: where mmctl spends its time, kernel and CLI alike
 * (perf's cpu-clock samples with call graphs of the command and its
 * children, over RUNS runs): `tree --no-folios` of A-64k, the profile
 * behind the A-64k / maps figure, and `check` of B (1 GiB of 4 KiB
 * folios), the one behind B / smaps.
 */
static int profile_one(const char *what, int (*build)(long, int), long arg, const char *cmd)
{
	char sh[1536];
	pid_t pid;
	int rc;

	pid = spawn(build, arg);
	if (pid < 0)
		return 1;
	snprintf(sh, sizeof(sh),
		 "d=$(mktemp -d) && cd \"$d\" && "
		 "perf record -q -e cpu-clock -F 4999 -g -o perf.data -- "
		 "sh -c 'for i in $(seq %d); do \"$0\" %s %d >/dev/null || exit 1; done' "
		 "%s && perf report -i perf.data --stdio --no-children --sort dso,sym -g none "
		 "--percent-limit 0.5 2>/dev/null | grep -v '^$' | sed 's/^/# /' && "
		 "echo '# inclusive (self and callees), 2%% and up:' && "
		 "perf report -i perf.data --stdio --children --sort sym -g none --percent-limit 2 "
		 "2>/dev/null | grep -v '^$' | sed 's/^/# /'; rc=$?; rm -rf \"$d\"; exit $rc",
		 runs, cmd, (int)pid, mmctl_bin);
	printf("# bench-profile: %s, %d x mmctl %s, perf record -e cpu-clock -g\n", what, runs, cmd);
	fflush(stdout);
	rc = system(sh);
	release(pid);
	return rc;
}

static int bench_profile(void)
{
	int a, b;

	max_map_count(65000);
	a = profile_one("A-64k (64,000 one-page VMAs)", build_a, 64000,
			"--backend=kmod --no-folios tree");
	b = profile_one("B (1 GiB of 4 KiB anonymous folios)", build_b, 1L << 30,
			"--backend=kmod check");
	tap_result("bench-profile: perf recorded and reported tree --no-folios of A-64k and check of B",
		   a == 0 && b == 0);
	return a != 0 || b != 0;
}

int main(int argc, char **argv)
{
	int smoke = argc > 1 && !strcmp(argv[1], "--smoke");

	if (argc > 2 && !strcmp(argv[1], "--rss-run"))
		return rss_run(argv + 2);
	long a_sizes[3] = { 1000, 8000, 64000 };
	long b_bytes = 1L << 30, c_children = 1000, c_depth = 20, d_children = 499;
	struct result res[8] = { 0 };
	int nres = 0;
	double per_vma[3], walk_per_vma[3];

	mmctl_bin = getenv("MMCTL") ?: "userspace-tool/mmctl";
	cat_bin = getenv("MMCTL_CAT") ?: "/bin/cat";
	if (smoke) {
		runs = 1;
		a_sizes[0] = 200, a_sizes[1] = 400, a_sizes[2] = 800;
		b_bytes = 16L << 20;
		c_children = 50;
		c_depth = 5;
		d_children = 49;
	}
	if (pipe(rel))
		return 2;
	if (argc > 1 && !strcmp(argv[1], "--profile"))
		return bench_profile();
	max_map_count(a_sizes[2] + 1000);
	printf("# bench: median of %d runs each, times in ms; rss in KiB (check); kmem in KiB, locks in ms (module STATS of a full dump)\n",
	       runs);
	bench_probe();
	bench_start();
	printf("# %-8s %6s %7s %9s %9s %9s %9s %9s %9s %9s %7s %9s %8s %8s\n", "case", "vmas",
	       "in-dump", "check-prb", "check", "tree", "tree-bpf", "bpf-load", "smaps", "maps", "rss",
	       "kmem", "mmap_lk", "root_lk");
	for (int i = 0; i < 3; i++) {
		static char names[3][24];

		snprintf(names[i], sizeof(names[i]), smoke ? "A-%ld" : "A-%ldk",
			 smoke ? a_sizes[i] : a_sizes[i] / 1000);
		bench_case(&res[nres++], names[i], build_a, a_sizes[i]);
		per_vma[i] = res[i].ms[T_CHECK] / (double)a_sizes[i];
		walk_per_vma[i] = res[i].st.walk_ns / 1e6 / (double)res[i].vmas;
	}
	bench_case(&res[nres++], "B", build_b, b_bytes);
	bench_case(&res[nres++], "B-thp", build_b, -b_bytes);
	bench_case(&res[nres++], "C", build_c, c_children);
	bench_case(&res[nres++], "C-deep", build_c, -c_depth);

	for (int i = 0; i < nres; i++)
		for (int k = 0; k < T_NR; k++)
			if (!res[i].ran[k] || !res[i].have_st) {
				printf("# %s: %s did not run\n", res[i].name, tname[k]);
				ok = 0;
			}
	tap_result("bench: every case and command ran, the module reported its cost, the chain order was found", ok);
	if (!ok)
		return 1;

	/* The targets, as ratios measured above. */
	printf("# full check of B / cat smaps of B, probing the chain order in every run (MMCTL_NO_ORDER_CACHE=1, the baseline): %.2fx\n",
	       res[3].ms[T_CHECK_PROBE] / res[3].ms[T_SMAPS]);
	target("full check of B / cat smaps of B", res[3].ms[T_CHECK] / res[3].ms[T_SMAPS], 1.0, "x");
	target("tree --no-folios of A-64k / cat maps of A-64k",
	       res[2].ms[T_TREE] / res[2].ms[T_MAPS], 1.0, "x");
	printf("# BPF / module, tree --no-folios of A-64k, loading the program in every run (MMCTL_NO_BPF_PIN=1, the baseline): %.2fx\n",
	       res[2].ms[T_BPF_LOAD] / res[2].ms[T_TREE]);
	target("BPF / module, tree --no-folios of A-64k", res[2].ms[T_BPF] / res[2].ms[T_TREE],
	       2.0, "x");
	printf("# mmctl check wall time per VMA (process start included): %s %.2f us, %s %.2f us, %s %.2f us\n",
	       res[0].name, per_vma[0] * 1e3, res[1].name, per_vma[1] * 1e3, res[2].name,
	       per_vma[2] * 1e3);
	printf("# module walk time per dumped VMA (STATS walk_ns): %s %.3f us, %s %.3f us, %s %.3f us\n",
	       res[0].name, walk_per_vma[0] * 1e3, res[1].name, walk_per_vma[1] * 1e3,
	       res[2].name, walk_per_vma[2] * 1e3);
	target("module walk time per VMA, A-64k / A-1k", walk_per_vma[2] / walk_per_vma[0], 1.5, "x");
	target("mmctl check time per VMA, A-64k / A-1k", per_vma[2] / per_vma[0], 1.5, "x");
	target("module walk time per dumped VMA, C / A-64k",
	       (res[5].st.walk_ns / (double)res[5].vmas) / (res[2].st.walk_ns / (double)res[2].vmas),
	       2.0, "x");
	target("mmctl check time per dumped VMA, C / A-64k",
	       (res[5].ms[T_CHECK] / res[5].vmas) / (res[2].ms[T_CHECK] / res[2].vmas), 2.0, "x");
	target("module peak memory for B", res[3].st.kmem_peak / 1048576.0, 1.0, " MiB");
	target("module peak memory for B-thp", res[4].st.kmem_peak / 1048576.0, 1.0, " MiB");
	for (int i = 0; i < nres; i++)
		printf("# tree --no-folios %-8s %9.2f ms = process start %.2f + dump ioctl %.2f (module walk %.2f, mm_dump_kmod incl. parsing) + the rest (CLI indexing and text) %.2f; cat maps %.2f\n",
		       res[i].name, res[i].ms[T_TREE], res[i].exec_ms, res[i].ioctl_ms, res[i].walk_ms,
		       res[i].ms[T_TREE] - res[i].exec_ms - res[i].ioctl_ms, res[i].ms[T_MAPS]);
	/*
	 * Lock holds, ABI 1's walk (lock_breaks=N: the target's folios under
	 * the root rwsem, nothing given up) beside today's, the same targets
	 * in the same run. Targets (issue 15): no hold above 10 ms unless one
	 * family alone is longer; the longest mmap_lock hold at most twice the
	 * longest family. The ratio is a target where the longest family
	 * takes 1 ms or more: below that the mmap_lock is given up every
	 * 0.1 ms or PTE table (docs/module.md), and its longest hold is one
	 * such step plus whatever interrupted it (TCG), which the 10 ms bound
	 * covers; it is printed there for information.
	 */
	printf("# locks, median of %d full dumps each, ms    | before: lock_breaks=N           | now: lock_breaks=Y (default)\n",
	       runs);
	printf("# locks %-8s %30s | %9s %9s %9s | %9s %9s %9s %6s\n", "case", "",
	       "root max", "mmap max", "mmap all", "root max", "mmap max", "mmap all",
	       "yields (all dumps)");
	for (int i = 0; i < nres; i++) {
		const struct holds *b = &res[i].before, *n = &res[i].now;

		printf("# locks %-8s %30s | %9.3f %9.3f %9.3f | %9.3f %9.3f %9.3f %6u\n",
		       res[i].name, "", b->root, b->mmap, b->mmap_total, n->root, n->mmap,
		       n->mmap_total, n->yields);
	}
	ok &= bench_top(d_children);
	tap_result("bench: mmctl top and cat of every smaps_rollup ran over every process (case D)", ok);
	for (int i = 0; i < nres; i++) {
		const struct holds *n = &res[i].now;
		double longest = n->root > n->mmap ? n->root : n->mmap;
		char what[96];

		if (n->root <= 10.0) {
			snprintf(what, sizeof(what), "%s: longest lock hold, ms", res[i].name);
			target(what, longest, 10.0, "");
		} else {
			snprintf(what, sizeof(what), "%s: longest lock hold, ms (one family: %.2f)",
				 res[i].name, n->root);
			printf("# info   %-62s %8.2f (the family alone is over 10 ms)\n", what, longest);
		}
		snprintf(what, sizeof(what), "%s: longest mmap_lock hold / longest family hold",
			 res[i].name);
		if (n->root >= 1.0)
			target(what, n->mmap / n->root, 2.0, "x");
		else
			printf("# info   %-62s %8.2fx (family %.3f ms < 1 ms: the 10 ms bound applies)\n",
			       what, n->mmap / (n->root > 0 ? n->root : 1e-9), n->root);
	}
	return 0;
}
