// SPDX-License-Identifier: GPL-2.0
/*
 * Every documented error of MMCTL_IOC_DUMP, the ENOSPC retry protocol,
 * privilege checks and redaction of family members the caller may not read.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/caps.h"
#include "../lib/tap.h"
#include "checkrun.h"
#include "dump.h"

static int ctl = -1;
static char buf[1 << 20];

static int dump_raw(struct mmctl_dump_args *a)
{
	return ioctl(ctl, MMCTL_IOC_DUMP, a) ? errno : 0;
}

static struct mmctl_dump_args args(pid_t pid)
{
	return (struct mmctl_dump_args){
		.size = sizeof(struct mmctl_dump_args), .pid = (uint32_t)pid,
		.buf = (uint64_t)(uintptr_t)buf, .buf_size = sizeof(buf),
	};
}

static void expect_errno(const char *name, struct mmctl_dump_args a, int want)
{
	int got = dump_raw(&a);

	if (got != want)
		printf("#   got %s, expected %s\n", got ? strerror(got) : "success",
		       want ? strerror(want) : "success");
	tap_result(name, got == want);
}

static pid_t free_pid(void)
{
	char path[64];
	long max = 32768;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");

	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 32768;
		fclose(f);
	}
	for (pid_t p = (pid_t)max - 1; p > 1000; p--) {
		snprintf(path, sizeof(path), "/proc/%d", (int)p);
		if (access(path, F_OK))
			return p;
	}
	return 0;
}

/* Run @fn in a child with uid/gid 65534 (no capabilities); its exit status. */
static int as_nobody(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(99);
		_exit(fn());
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 98;
}

static int nobody_open(void)
{
	int fd = open(MMCTL_CTL_PATH, O_RDONLY);

	return fd < 0 && (errno == EACCES || errno == EPERM) ? 0 : 1;
}

static int nobody_ioctl(void)
{
	struct mmctl_dump_args a = args(getppid());

	/* ctl was opened by root before the uid change. */
	return dump_raw(&a) == EPERM ? 0 : 1;
}

/* Write @text to @path; 0 or an errno. */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : errno ? errno : EIO;
}

/* Does this process hold CAP_SYS_ADMIN in its effective set (any namespace)? */
static int has_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 0;
	return !!(d[0].effective & (1U << CAP_SYS_ADMIN));
}

/*
 * Child exit codes of the user-namespace tests: 0 is the documented
 * refusal; each other value names what went wrong, printed by the parent.
 */
static const char *const userns_why[] = {
	[1] = "setresuid/setresgid to 65534 failed",
	[2] = "unshare(CLONE_NEWUSER) failed",
	[3] = "writing uid_map/gid_map failed",
	[4] = "no CAP_SYS_ADMIN inside the new user namespace",
	[5] = "open of ctl not refused with EACCES",
	[6] = "ioctl on an inherited ctl fd not refused with EPERM",
	[7] = "open of tree not refused with EPERM",
	[8] = "open of ctl by the namespace root failed",
	[9] = "ioctl by the namespace root not refused with EPERM",
};

static int userns_child(int unprivileged)
{
	struct mmctl_dump_args a = args(getppid());
	char map[64];
	int fd;

	if (unprivileged &&
	    (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)))
		return 1;
	/* The uid change made us non-dumpable: /proc/self/ would be root's. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (unshare(CLONE_NEWUSER)) {
		printf("#   unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return 2;
	}
	if (unprivileged) {
		snprintf(map, sizeof(map), "0 %d 1", 65534);
		if (write_file("/proc/self/setgroups", "deny") ||
		    write_file("/proc/self/uid_map", map) ||
		    write_file("/proc/self/gid_map", map)) {
			printf("#   id map: %s\n", strerror(errno));
			return 3;
		}
	}
	if (!has_sys_admin())
		return 4;
	if (unprivileged) {
		/* uid 65534 outside: the 0600 root files stay closed. */
		fd = open(MMCTL_CTL_PATH, O_RDONLY);
		if (fd >= 0 || errno != EACCES)
			return 5;
		/* An fd root opened before: capable() still says no. */
		return dump_raw(&a) == EPERM ? 0 : 6;
	}
	/* Still kuid 0, so DAC lets the files open: capable() must refuse. */
	fd = open("/sys/kernel/debug/mmctl/tree", O_RDONLY);
	if (fd >= 0 || errno != EPERM)
		return 7;
	fd = open(MMCTL_CTL_PATH, O_RDONLY);
	if (fd < 0)
		return 8;
	ctl = fd;
	return dump_raw(&a) == EPERM ? 0 : 9;
}

/*
 * CAP_SYS_ADMIN in a user namespace is not CAP_SYS_ADMIN: the module checks
 * capable() against the initial namespace. Once as an unprivileged user that
 * made its own namespace, once as root that moved into a new one.
 */
static void test_userns(void)
{
	static const char *const names[2] = {
		"root in a new user namespace (CAP_SYS_ADMIN there only): tree open and ioctl EPERM",
		"uid 65534 with CAP_SYS_ADMIN in its own user namespace: open EACCES, inherited fd EPERM",
	};

	for (int unpriv = 0; unpriv < 2; unpriv++) {
		pid_t pid;
		int st, code;

		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(userns_child(unpriv));
		waitpid(pid, &st, 0);
		code = WIFEXITED(st) ? WEXITSTATUS(st) : 99;
		if (code)
			printf("#   %s\n", code < (int)(sizeof(userns_why) / sizeof(*userns_why)) &&
			       userns_why[code] ? userns_why[code] : "child crashed");
		tap_result(names[unpriv], code == 0);
	}
}

/*
 * A root process without CAP_SYS_PTRACE: another user's process is
 * refused (EACCES), and in its own family that user's VMA is redacted.
 */
static void test_ptrace_rules(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int go[2], ready[2];
	pid_t other, member;
	char *m, c;

	if (pipe(go) || pipe(ready))
		return;
	m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 1, 4 * pg);
	other = fork();
	if (other == 0) {
		/* Unrelated user, not our family. */
		close(go[1]);
		if (setresuid(1000, 1000, 1000))
			_exit(1);
		if (write(ready[1], "x", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	member = fork();
	if (member == 0) {
		/* Same family (shares m's anon_vma root), other user. */
		close(go[1]);
		if (setresuid(1001, 1001, 1001))
			_exit(1);
		m[0] = 2;
		if (write(ready[1], "x", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1 || read(ready[0], &c, 1) != 1) {
		tap_result("ptrace-rule test processes started", 0);
		return;
	}

	pid_t t = fork();

	if (t == 0) {
		close(go[1]);
		struct mm_dump d;
		const struct mmctl_rec_vma *mv, *sv;
		int ok = 1, r;

		if (drop_ptrace_cap()) {
			printf("#   capset failed: %s\n", strerror(errno));
			_exit(1);
		}
		struct mmctl_dump_args a = args(other);

		r = dump_raw(&a);
		EXPECT(&ok, r == EACCES, "dump of another user's process: %s", strerror(r));
		/* Dump our parent (root, readable): the member is redacted. */
		r = mm_dump_kmod(&d, getppid(), 0);
		EXPECT(&ok, r == 0, "dump of own family failed: %s", strerror(-r));
		if (r == 0) {
			mv = NULL;
			sv = mm_dump_vma_at(&d, (uint32_t)getppid(), (uint64_t)(uintptr_t)m);
			/* The member: the family's VMA neither the parent's nor ours. */
			for (size_t i = 0; sv && i < d.nr_vmas; i++)
				if (d.vmas[i]->root_id == sv->root_id &&
				    !(d.vmas[i]->flags & MMCTL_VMAF_TARGET) &&
				    d.vmas[i]->pid != (uint32_t)getpid())
					mv = d.vmas[i];
			EXPECT(&ok, sv && !(sv->flags & MMCTL_VMAF_REDACTED), "own VMA visible");
			EXPECT(&ok, mv != NULL, "member VMA listed");
			/*
			 * docs/module.md, "Redaction": its place in the family
			 * (anon_vma, chain) and nothing of its own.
			 */
			if (mv)
				EXPECT(&ok, (mv->flags & MMCTL_VMAF_REDACTED) && !mv->start &&
				       !mv->end && !mv->pgoff && !mv->comm[0] && !mv->pid &&
				       !mv->vm_flags && !mv->mm_id &&
				       !(mv->flags & (MMCTL_VMAF_FILE | MMCTL_VMAF_ANON)) &&
				       mv->anon_vma_id && mv->chain_len == 2,
				       "member VMA of uid 1001 must be redacted: pid %u vm_flags %#x flags %#x chain %u",
				       mv->pid, mv->vm_flags, mv->flags, mv->chain_len);
			mm_dump_free(&d);
		}
		_exit(ok ? 0 : 1);
	}
	int st;

	waitpid(t, &st, 0);
	tap_result("root without CAP_SYS_PTRACE: other user's pid EACCES, family member redacted",
		   WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(go[1]);
	waitpid(other, NULL, 0);
	waitpid(member, NULL, 0);
	munmap(m, 4 * pg);
}

/* A non-dumpable target: EACCES without CAP_SYS_PTRACE, allowed with it. */
static void test_dumpable(void)
{
	int go[2], ready[2], st;
	pid_t target, t;
	char c;

	if (pipe(go) || pipe(ready))
		return;
	target = fork();
	if (target == 0) {
		close(go[1]);
		prctl(PR_SET_DUMPABLE, 0);
		if (write(ready[1], "x", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		return;
	t = fork();
	if (t == 0) {
		struct mmctl_dump_args a = args(target);
		int with = dump_raw(&a), without;

		close(go[1]);
		if (drop_ptrace_cap())
			_exit(3);
		a = args(target);
		without = dump_raw(&a);
		if (with || without != EACCES)
			printf("#   non-dumpable target: with CAP_SYS_PTRACE %s, without %s\n",
			       strerror(with), strerror(without));
		_exit(with == 0 && without == EACCES ? 0 : 1);
	}
	waitpid(t, &st, 0);
	tap_result("non-dumpable target: allowed with CAP_SYS_PTRACE, EACCES without",
		   WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(go[1]);
	waitpid(target, NULL, 0);
}

/* The STATS record of a dump of @pid, or 0 on failure (printed). */
static int dump_stats(pid_t pid, struct mmctl_rec_stats *out)
{
	struct mmctl_dump_args a = args(pid);
	const struct mmctl_rec_hdr *h = NULL, *last = NULL;
	int r = dump_raw(&a), n = 0;

	if (r) {
		printf("#   dump of %d: %s\n", (int)pid, strerror(r));
		return 0;
	}
	for (size_t off = 0; off + sizeof(*h) <= a.buf_used; off += h->size) {
		h = (const void *)(buf + off);
		if (h->size < sizeof(*h))
			return 0;
		if (h->type == MMCTL_REC_STATS)
			n++;
		last = h;
	}
	if (n != 1 || last->type != MMCTL_REC_STATS || last->size < sizeof(*out)) {
		printf("#   %d STATS records, last record type %u\n", n, last ? last->type : 0);
		return 0;
	}
	memcpy(out, last, sizeof(*out));
	return 1;
}

/*
 * The dump's own cost: one STATS record, last; its figures consistent; and
 * the module's memory independent of the number of pages (1 page vs 32 MiB
 * written in the same single VMA).
 */
static void test_stats(void)
{
	struct mmctl_rec_stats small, big;
	size_t len = 32UL << 20;
	int ok = 1, p[2], q[2];
	pid_t pid;
	char c;

	if (pipe(p) || pipe(q)) {
		tap_result("dump STATS record", 0);
		return;
	}
	pid = fork();
	if (pid == 0) {
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			_exit(1);
		madvise(m, len, MADV_NOHUGEPAGE);
		m[0] = 1;
		if (write(p[1], "1", 1) != 1 || read(q[0], &c, 1) != 1)
			_exit(1);
		for (size_t i = 0; i < len; i += 4096)
			m[i] = 1;
		if (write(p[1], "2", 1) != 1 || read(q[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	ok = read(p[0], &c, 1) == 1 && dump_stats(pid, &small);
	ok = ok && write(q[1], "g", 1) == 1 && read(p[0], &c, 1) == 1 && dump_stats(pid, &big);
	if (write(q[1], "x", 1) != 1)
		ok = 0;
	waitpid(pid, NULL, 0);
	close(p[0]), close(p[1]), close(q[0]), close(q[1]);
	if (!ok) {
		tap_result("dump ends with exactly one STATS record", 0);
		return;
	}
	printf("#   1 page: kmem_peak %llu B (records %llu), walk %llu ns, mmap_lock %llu ns, max root lock %llu ns\n",
	       (unsigned long long)small.kmem_peak, (unsigned long long)small.kmem_records,
	       (unsigned long long)small.walk_ns, (unsigned long long)small.mmap_lock_ns,
	       (unsigned long long)small.max_root_lock_ns);
	printf("#   8192 pages: kmem_peak %llu B (records %llu), walk %llu ns, mmap_lock %llu ns, max root lock %llu ns\n",
	       (unsigned long long)big.kmem_peak, (unsigned long long)big.kmem_records,
	       (unsigned long long)big.walk_ns, (unsigned long long)big.mmap_lock_ns,
	       (unsigned long long)big.max_root_lock_ns);
	tap_result("dump ends with exactly one STATS record", 1);
	ok = small.kmem_records > 0 && small.kmem_peak >= small.kmem_records &&
	     small.mmap_lock_ns > 0 && small.mmap_lock_ns <= small.walk_ns &&
	     small.max_root_lock_ns > 0 && small.max_root_lock_ns <= small.mmap_lock_ns;
	tap_result("STATS: kmem_peak >= kmem_records > 0, root lock <= mmap_lock <= walk time", ok);
	tap_result("STATS: module memory for 8192 written pages equals that for 1 (never per page)",
		   big.kmem_peak == small.kmem_peak);
}

/* The hard cap: a dump larger than max_dump_bytes fails with EFBIG. */
static void test_cap(void)
{
	const char *param = "/sys/module/mmctl/parameters/max_dump_bytes";
	char old[64] = "";
	FILE *f = fopen(param, "r");
	int r1, r2;

	if (!f || !fgets(old, sizeof(old), f)) {
		tap_result("max_dump_bytes parameter readable", 0);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	f = fopen(param, "w");
	fputs("4096\n", f);
	fclose(f);
	struct mmctl_dump_args a = args(getpid());

	r1 = dump_raw(&a);
	f = fopen(param, "w");
	fputs(old, f);
	fclose(f);
	a = args(getpid());
	r2 = dump_raw(&a);
	if (r1 != EFBIG || r2)
		printf("#   with a 4 KiB cap: %s; restored: %s\n", strerror(r1), strerror(r2));
	tap_result("dump above max_dump_bytes: EFBIG; cap restored: success",
		   r1 == EFBIG && r2 == 0);
}

static int set_param(const char *name, unsigned long v)
{
	char path[128], val[32];

	snprintf(path, sizeof(path), "/sys/module/mmctl/parameters/%s", name);
	snprintf(val, sizeof(val), "%lu\n", v);
	return write_file(path, val);
}

static unsigned long get_param(const char *name)
{
	char path[128];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/mmctl/parameters/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/*
 * Near the cap: a dump that fits must succeed even though the walker's
 * reservations (64 KiB per family, doubled on a retry) do not; and the
 * debugfs text of a dump is capped as the dump is.
 */
static void test_cap_edges(void)
{
	unsigned long old = get_param("max_dump_bytes");
	struct mmctl_dump_args a = args(getpid());
	char text[4096];
	int r, fd, ok = 1;
	ssize_t n;

	r = dump_raw(&a);
	EXPECT(&ok, r == 0, "plain dump: %s", strerror(r));
	/* The dump's own size plus room for its (variable) STATS record. */
	set_param("max_dump_bytes", a.buf_used + 512);
	a = args(getpid());
	r = dump_raw(&a);
	EXPECT(&ok, r == 0, "a dump that fits under the cap (%llu bytes, cap +512): %s",
	       (unsigned long long)a.buf_used, strerror(r));
	tap_result("a dump just under max_dump_bytes succeeds (no EFBIG from reservations)", ok);

	/* Text is larger than the records: the same cap refuses it. */
	ok = 1;
	fd = open("/sys/kernel/debug/mmctl/tree", O_RDWR);
	snprintf(text, sizeof(text), "%d\n", (int)getpid());
	EXPECT(&ok, fd >= 0 && write(fd, text, strlen(text)) > 0, "write pid to tree");
	n = fd >= 0 ? read(fd, text, sizeof(text)) : -1;
	EXPECT(&ok, n < 0 && errno == EFBIG, "tree under a cap its text exceeds: %s",
	       n < 0 ? strerror(errno) : "text returned");
	if (fd >= 0)
		close(fd);
	set_param("max_dump_bytes", old);
	fd = open("/sys/kernel/debug/mmctl/tree", O_RDWR);
	snprintf(text, sizeof(text), "%d\n", (int)getpid());
	n = fd >= 0 && write(fd, text, strlen(text)) > 0 ? read(fd, text, sizeof(text)) : -1;
	EXPECT(&ok, n > 0, "tree with the cap restored: %s", n < 0 ? strerror(errno) : "empty");
	if (fd >= 0)
		close(fd);
	tap_result("debugfs tree text is capped by max_dump_bytes (EFBIG), not unbounded", ok);
}

/*
 * The tree/check files check CAP_SYS_ADMIN when used, not only at open:
 * a descriptor root opened and passed to an unprivileged process reads
 * nothing.
 */
static void test_cap_at_read(void)
{
	int fd = open("/sys/kernel/debug/mmctl/check", O_RDWR);
	char b[256];
	pid_t c;
	int st;

	if (fd < 0) {
		tap_result("debugfs check opened by root", 0);
		return;
	}
	c = fork();
	if (c == 0) {
		ssize_t w, r;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		snprintf(b, sizeof(b), "%d\n", (int)getppid());
		w = write(fd, b, strlen(b));
		if (w >= 0 || errno != EPERM)
			_exit(1);
		r = read(fd, b, sizeof(b));
		_exit(r < 0 && errno == EPERM ? 0 : 2);
	}
	waitpid(c, &st, 0);
	close(fd);
	tap_result("a debugfs check fd passed to an unprivileged process: write and read EPERM",
		   WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/*
 * A chain longer than the folio slots (16 at first) with GFP_NOWAIT failing
 * 6 times in the same family walk: growing the slots is no failure and
 * must not spend the 8 tries that allocation failures have (before, two
 * doublings to 64 slots spent the last two: ENOMEM).
 */
static void test_retry_budget(void)
{
	int go[2], ready[2], depth = 40, ok = 1, r;
	pid_t first, deepest = 0;
	struct mm_dump d;
	char c;

	if (pipe(go) || pipe(ready))
		return;
	/*
	 * A 40-deep fork chain, every process alive: each anon VMA of the
	 * deepest one has a 41-entry chain (no reuse: every ancestor
	 * anon_vma still has its VMA).
	 */
	first = fork();
	if (first == 0) {
		pid_t me;

		close(go[1]);
		close(ready[0]);
		for (int i = 0; i < depth; i++) {
			pid_t c2 = fork();

			if (c2) {
				if (read(go[0], &c, 1) < 0)	/* until EOF */
					_exit(1);
				waitpid(c2, NULL, 0);
				_exit(0);
			}
		}
		me = getpid();
		if (write(ready[1], &me, sizeof(me)) != sizeof(me) || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	if (read(ready[0], &deepest, sizeof(deepest)) != sizeof(deepest)) {
		tap_result("retry budget: fork chain built", 0);
		return;
	}
	/*
	 * Whichever family comes first gets both the failures and the growth
	 * (lock_breaks=N: the target's folios walked in the family walk).
	 */
	set_param("lock_breaks", 0);
	set_param("fault_nowait_times", 6);
	set_param("fault_nowait_at", 1);
	r = mm_dump_kmod(&d, deepest, 0);
	set_param("fault_nowait_at", 0);
	set_param("fault_nowait_times", 0);
	set_param("lock_breaks", 1);
	EXPECT(&ok, r == 0, "dump with 6 injected failures and 41-entry chains: %s", strerror(-r));
	if (!r) {
		EXPECT(&ok, d.hdr->retries >= 6, "retries %u", d.hdr->retries);
		mm_dump_free(&d);
	}
	close(go[1]);
	waitpid(first, NULL, 0);
	close(ready[0]);
	tap_result("growing the folio slots for a long chain spends none of the 8 allocation retries",
		   ok);
}

/*
 * Dump @c until it is gone: count the successes, the ESRCH that ends it,
 * and any other result (a failure of the test).
 */
static void dump_until_gone(pid_t c, int *n_ok, int *n_gone, int *bad, int *last_bad)
{
	for (int k = 0; k < 100000; k++) {
		struct mmctl_dump_args a = args(c);
		int r = dump_raw(&a);

		if (r == 0) {
			(*n_ok)++;
			continue;
		}
		if (r == ESRCH) {
			(*n_gone)++;
		} else {
			(*bad)++;
			*last_bad = r;
		}
		return;
	}
}

/*
 * Targets that exit while being dumped: each child is dumped in a loop
 * until it is gone, so every child's exit falls inside the loop. Every call
 * succeeds or says ESRCH, nothing else (and the console stays clean).
 */
static void test_exiting_targets(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int n_ok = 0, n_gone = 0, bad = 0, last_bad = 0;

	for (int i = 0; i < 100; i++) {
		pid_t c = fork();

		if (c == 0) {
			char *m = mmap(NULL, 64 * pg, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			for (int k = 0; k < 64; k++)
				m[k * pg] = 1;
			if (fork() == 0)
				_exit(0);
			usleep((useconds_t)(i % 10) * 1000);
			_exit(0);
		}
		dump_until_gone(c, &n_ok, &n_gone, &bad, &last_bad);
		waitpid(c, NULL, 0);
	}
	printf("#   %d dumps succeeded before their target exited, %d ended in ESRCH, %d other errors (last: %s)\n",
	       n_ok, n_gone, bad, last_bad ? strerror(last_bad) : "none");
	tap_result("targets exiting mid-dump: only success or ESRCH", bad == 0 && n_gone == 100);
}

/* A target that execs (a new mm each time) while dumped: 0 or ESRCH only. */
static void test_exec_targets(void)
{
	int n_ok = 0, n_gone = 0, bad = 0, last_bad = 0;

	for (int i = 0; i < 20; i++) {
		pid_t c = fork();

		if (c == 0) {
			execl("/bin/sh", "sh", "-c",
			      "exec /bin/sh -c 'exec /bin/sh -c \"exec /bin/true\"'", (char *)NULL);
			_exit(1);
		}
		dump_until_gone(c, &n_ok, &n_gone, &bad, &last_bad);
		waitpid(c, NULL, 0);
	}
	printf("#   exec chains: %d dumps during execs, %d ended in ESRCH, %d other errors (last: %s)\n",
	       n_ok, n_gone, bad, last_bad ? strerror(last_bad) : "none");
	tap_result("targets exec'ing mid-dump: only success or ESRCH", bad == 0 && n_gone == 20);
}

static volatile int churning = 1;

/* mmap/write/munmap in a loop: a writer on the mmap_lock, VMAs changing. */
static void *churn(void *arg)
{
	long pg = sysconf(_SC_PAGESIZE);

	(void)arg;
	while (churning) {
		char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED) {
			p[0] = 1;
			munmap(p, pg);
		}
	}
	return NULL;
}

/*
 * Lock holds (docs/module.md): a target with 300 families is dumped while
 * one of its threads maps and unmaps memory (a writer waiting on its
 * mmap_lock, the VMA list changing). The module gives the mmap_lock up
 * between families, restarts when the list changed, and after 4 restarts
 * keeps it: every dump succeeds and checks clean, and the yields show.
 */
static void test_lock_yields(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned int yields = 0, errors = 0;
	int ok = 1, done = 0;
	pthread_t th;

	for (int i = 0; i < 300; i++) {
		char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED || mprotect(p + pg, pg, PROT_NONE)) {
			tap_result("lock yields: 300 families mapped", 0);
			return;
		}
		p[0] = 1;
	}
	pthread_create(&th, NULL, churn, NULL);
	for (int i = 0; i < 40; i++) {
		struct mmctl_check_result res;
		struct mm_dump d;
		int r = mm_dump_kmod(&d, getpid(), 0);

		EXPECT(&ok, r == 0 || r == -EAGAIN, "dump %d: %s", i, strerror(-r));
		if (r)
			continue;
		done++;
		if (d.stats)
			yields += d.stats->mmap_lock_yields;
		if (mm_check_buf(d.buf, d.len, NULL, NULL, &res) == 0)
			errors += res.count[MMCTL_SEV_ERROR];
		mm_dump_free(&d);
	}
	churning = 0;
	pthread_join(th, NULL);
	printf("#   %d dumps while a thread churns the VMA list: %u mmap_lock yields, %u errors\n",
	       done, yields, errors);
	EXPECT(&ok, done >= 30 && yields > 0 && errors == 0, "yields or errors");
	tap_result("a dump gives the mmap_lock up between families to a waiting writer, restarts on a changed VMA list, checks clean",
		   ok);
}

/*
 * The target of test_vma_walk_yields(), exec'd (badinput --big-vma READY
 * GO) so that its families are its own, not this test's (one of which has
 * over a thousand VMAs by then): one 128 MiB VMA, every page written (no
 * THP), so its dump is mostly one page-table walk of 32,768 PTEs. A byte
 * on GO starts a thread churning its VMA list, EOF ends it.
 */
static void big_vma_child(int ready_fd, int go_fd)
{
	size_t len = 128UL << 20;
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t th;
	char c = 1;

	if (m == MAP_FAILED)
		_exit(1);
	madvise(m, len, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += pg)
		m[off] = 1;
	if (write(ready_fd, &c, 1) != 1)
		_exit(1);
	if (read(go_fd, &c, 1) != 1)
		_exit(0);
	churning = 1;
	pthread_create(&th, NULL, churn, NULL);
	while (read(go_fd, &c, 1) > 0)
		;
	_exit(0);
}

/*
 * Lock holds inside one VMA (docs/module.md): the walk of a 128 MiB VMA
 * gives the mmap_lock up between page tables, so a dump yields more often
 * than its families have boundaries (nr_families - 1, the most a walk that
 * yields only between families can). Then, with a thread of the target
 * changing its VMA list, a yield mid-VMA restarts the dump: every dump
 * succeeds (or says EAGAIN) and checks clean.
 */
static void test_vma_walk_yields(void)
{
	unsigned int yields = 0, bounds = 0, errors = 0, retries = 0;
	unsigned long long max_hold = 0, max_root = 0, walk = 0;
	int ok = 1, done = 0, rdy[2], go[2];
	pid_t c;
	char b;

	if (pipe(rdy) || pipe(go)) {
		tap_result("yields inside one VMA: pipes", 0);
		return;
	}
	c = fork();
	if (c == 0) {
		char r[16], g[16];

		close(rdy[0]);
		close(go[1]);
		snprintf(r, sizeof(r), "%d", rdy[1]);
		snprintf(g, sizeof(g), "%d", go[0]);
		execl("/proc/self/exe", "badinput", "--big-vma", r, g, (char *)NULL);
		_exit(1);
	}
	close(rdy[1]);
	close(go[0]);
	if (read(rdy[0], &b, 1) != 1) {
		tap_result("yields inside one VMA: child mapped 128 MiB", 0);
		goto reap_child;
	}
	for (int i = 0; i < 5; i++) {
		struct mmctl_check_result res;
		struct mm_dump d;
		int r = mm_dump_kmod(&d, c, 0);

		EXPECT(&ok, r == 0, "quiet dump %d: %s", i, strerror(-r));
		if (r)
			continue;
		EXPECT(&ok, d.stats != NULL, "no STATS record");
		if (d.stats) {
			yields += d.stats->mmap_lock_yields;
			max_hold = d.stats->max_mmap_lock_ns > max_hold ?
				   d.stats->max_mmap_lock_ns : max_hold;
			walk += d.stats->walk_ns;
			max_root = d.stats->max_root_lock_ns > max_root ?
				   d.stats->max_root_lock_ns : max_root;
		}
		bounds += d.hdr->nr_families - 1;
		if (mm_check_buf(d.buf, d.len, NULL, NULL, &res) == 0)
			errors += res.count[MMCTL_SEV_ERROR];
		mm_dump_free(&d);
	}
	printf("#   128 MiB VMA, 5 quiet dumps: %u mmap_lock yields, %u family boundaries, longest mmap_lock hold %llu us, longest family %llu us, walks %llu us\n",
	       yields, bounds, max_hold / 1000, max_root / 1000, walk / 1000);
	EXPECT(&ok, yields > bounds, "%u yields, %u family boundaries", yields, bounds);
	b = 1;
	if (write(go[1], &b, 1) != 1)
		ok = 0;
	for (int i = 0; i < 20; i++) {
		struct mmctl_check_result res;
		struct mm_dump d;
		int r = mm_dump_kmod(&d, c, 0);

		EXPECT(&ok, r == 0 || r == -EAGAIN, "churned dump %d: %s", i, strerror(-r));
		if (r)
			continue;
		done++;
		retries += d.hdr->retries;
		if (mm_check_buf(d.buf, d.len, NULL, NULL, &res) == 0)
			errors += res.count[MMCTL_SEV_ERROR];
		mm_dump_free(&d);
	}
	printf("#   20 dumps while its thread churns: %d done, %u restarts, %u errors in all\n",
	       done, retries, errors);
	EXPECT(&ok, done >= 15 && errors == 0, "done %d, errors %u", done, errors);
reap_child:
	close(go[1]);
	close(rdy[0]);
	waitpid(c, NULL, 0);
	tap_result("the walk of one large VMA gives the mmap_lock up between page tables, restarts on a changed VMA list, checks clean",
		   ok);
}

/* ABI 2 (uapi/linux/mmctl.h): the command number, /dev/mmctl, the size cap. */
static void test_abi2(void)
{
	static unsigned char page_plus[8192 + 8];
	struct mmctl_dump_args a = args(getpid());
	struct stat sb;
	long pgsz = sysconf(_SC_PAGESIZE);
	int fd, r;

	tap_result("/dev/mmctl is a character device of mode 0600",
		   stat(MMCTL_DEV_PATH, &sb) == 0 && S_ISCHR(sb.st_mode) &&
		   (sb.st_mode & 07777) == 0600);
	fd = open(MMCTL_DEV_PATH, O_RDONLY);
	r = fd >= 0 && ioctl(fd, MMCTL_IOC_DUMP, &a) == 0 ? 0 : errno;
	tap_result("/dev/mmctl: the dump ioctl succeeds", r == 0 && a.buf_used > 0);
	a = args(getpid());
	r = fd >= 0 && ioctl(fd, MMCTL_IOC_DUMP_V1, &a) == 0 ? 0 : errno;
	tap_result("ABI 1's command number (0xB6, _IO) still accepted", r == 0);
	a = args(getpid());
	a.size = MMCTL_DUMP_ARGS_SIZE_VER0;
	r = fd >= 0 && ioctl(fd, _IOWR(MMCTL_IOC_MAGIC, 0x01, unsigned char[48]), &a) == 0 ?
		0 : errno;
	tap_result("the command's encoded size is not the argument's: a 48-byte header's command works",
		   r == 0);
	r = fd >= 0 && ioctl(fd, _IO(MMCTL_IOC_MAGIC, 0x01), &a) == 0 ? 0 : errno;
	tap_result("same type and number without _IOWR's direction: ENOTTY", r == ENOTTY);
	/* A page plus 8 zero bytes: refused, however clean its tail. */
	a = args(getpid());
	a.size = (uint32_t)pgsz + 8;
	memset(page_plus, 0, sizeof(page_plus));
	memcpy(page_plus, &a, sizeof(a));
	r = fd >= 0 && ioctl(fd, MMCTL_IOC_DUMP, page_plus) == 0 ? 0 : errno;
	tap_result("args size above a page with a zero tail: E2BIG", r == E2BIG);
	a.size = (uint32_t)pgsz;
	memcpy(page_plus, &a, sizeof(a));
	r = fd >= 0 && ioctl(fd, MMCTL_IOC_DUMP, page_plus) == 0 ? 0 : errno;
	tap_result("args size of exactly a page with a zero tail: accepted", r == 0);
	if (fd >= 0)
		close(fd);
}

/*
 * MMCTL_DUMP_NO_TREE: the same dump without its TREE records, said in the
 * header; every other record as in the full dump (same IDs: one module
 * key), each anon_vma's tree_avcs the nodes the full dump has, and the
 * checker clean with I3 reported as not judged. A forked child shares the
 * family (quiescent: it waits in pause()).
 */
static void test_no_tree(void)
{
	struct mmctl_check_result res;
	struct mm_dump full, compact;
	int ok = 1, r1, r2;
	pid_t c;
	char *p = mmap(NULL, 8 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		tap_result("NO_TREE: a dump without tree nodes, the rest as the full dump", 0);
		return;
	}
	memset(p, 1, 8 << 12);
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	usleep(100000);
	r1 = mm_dump_kmod(&full, getpid(), MMCTL_DUMP_NO_FOLIOS);
	r2 = mm_dump_kmod(&compact, getpid(), MMCTL_DUMP_NO_FOLIOS | MMCTL_DUMP_NO_TREE);
	EXPECT(&ok, !r1 && !r2, "dumps: %s, %s", strerror(-r1), strerror(-r2));
	if (!r1 && !r2) {
		EXPECT(&ok, full.nr_trees > 0 && compact.nr_trees == 0, "TREE records %zu, %zu",
		       full.nr_trees, compact.nr_trees);
		EXPECT(&ok, !(full.hdr->flags & MMCTL_DUMPF_NO_TREE) &&
		       (compact.hdr->flags & MMCTL_DUMPF_NO_TREE), "header flags %#x, %#x",
		       full.hdr->flags, compact.hdr->flags);
		EXPECT(&ok, full.nr_vmas == compact.nr_vmas && full.nr_avs == compact.nr_avs &&
		       full.nr_chains == compact.nr_chains &&
		       full.nr_families == compact.nr_families,
		       "records: VMAs %zu/%zu anon_vmas %zu/%zu chains %zu/%zu families %zu/%zu",
		       full.nr_vmas, compact.nr_vmas, full.nr_avs, compact.nr_avs,
		       full.nr_chains, compact.nr_chains, full.nr_families, compact.nr_families);
		for (size_t i = 0; ok && i < full.nr_avs; i++) {
			const struct mmctl_rec_anon_vma *a = full.avs[i];
			const struct mmctl_rec_anon_vma *b = mm_dump_av(&compact, a->id);
			size_t n = 0;

			for (size_t k = 0; k < full.nr_trees; k++)
				n += full.trees[k]->anon_vma_id == a->id;
			EXPECT(&ok, b && b->tree_avcs == a->tree_avcs && a->tree_avcs == n &&
			       b->num_children == a->num_children &&
			       b->num_active_vmas == a->num_active_vmas,
			       "anon_vma %016llx: tree_avcs %u/%u, %zu nodes",
			       (unsigned long long)a->id, a->tree_avcs, b ? b->tree_avcs : 0, n);
		}
		EXPECT(&ok, !mm_check_buf(compact.buf, compact.len, NULL, NULL, &res) &&
		       !res.count[MMCTL_SEV_ERROR] && !res.count[MMCTL_SEV_WARNING] &&
		       (res.partial & MMCTL_PARTIAL_I3),
		       "check: %u errors %u warnings, partial %#x", res.count[MMCTL_SEV_ERROR],
		       res.count[MMCTL_SEV_WARNING], res.partial);
	}
	if (!r1)
		mm_dump_free(&full);
	if (!r2)
		mm_dump_free(&compact);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	munmap(p, 8 << 12);
	tap_result("NO_TREE: a dump without tree nodes says so, the rest as the full dump, checks clean (I3 not judged)",
		   ok);
}

/* The distinct anon_vmas on the chains of @d's VMAs whose root is @root. */
static size_t chain_avs(const struct mm_dump *d, uint64_t root, uint64_t *ids, size_t n)
{
	for (size_t k = 0; k < d->nr_chains; k++) {
		const struct mmctl_rec_vma *v = mm_dump_vma(d, d->chains[k]->vma_id);
		size_t i;

		if (!v || v->root_id != root)
			continue;
		for (i = 0; i < n && ids[i] != d->chains[k]->anon_vma_id; i++)
			;
		if (i == n && n < 16)
			ids[n++] = d->chains[k]->anon_vma_id;
	}
	return n;
}

/*
 * MMCTL_DUMP_NO_FAMILIES (mmctl top): the target's VMAs only, each with the
 * chain the full dump has (same IDs: one module key), said in the header
 * (partial, and no tree nodes even unasked); no other process's VMA; the
 * checker finds nothing. The
 * family of a mapping that parent and a forked child both wrote is joined
 * from the two dumps' chains: the full dump's anon_vmas of that root.
 */
static void test_no_families(void)
{
	struct mmctl_check_result res;
	struct mm_dump full, own, kid;
	int ok = 1, r1, r2, r3, sync[2];
	uint64_t ids[16], root = 0;
	size_t n = 0, targets = 0, nfull = 0;
	pid_t c;
	char *p = mmap(NULL, 8 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char x;

	if (p == MAP_FAILED || pipe(sync)) {
		tap_result("NO_FAMILIES: the target's part of each family", 0);
		return;
	}
	memset(p, 1, 8 << 12);
	c = fork();
	if (c == 0) {
		p[0] = 2;	/* the child's own anon_vma */
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	EXPECT(&ok, read(sync[0], &x, 1) == 1, "child did not start");
	r1 = mm_dump_kmod(&full, getpid(), MMCTL_DUMP_NO_FOLIOS);
	r2 = mm_dump_kmod(&own, getpid(), MMCTL_DUMP_NO_FOLIOS | MMCTL_DUMP_NO_FAMILIES);
	r3 = mm_dump_kmod(&kid, c, MMCTL_DUMP_NO_FOLIOS | MMCTL_DUMP_NO_TREE | MMCTL_DUMP_NO_FAMILIES);
	EXPECT(&ok, !r1 && !r2 && !r3, "dumps: %s, %s, %s", strerror(-r1), strerror(-r2),
	       strerror(-r3));
	if (!r1 && !r2 && !r3) {
		const struct mmctl_rec_vma *pv = mm_dump_vma_at(&full, getpid(), (unsigned long)p);

		/* NO_TREE implied: those trees hold other processes' nodes. */
		EXPECT(&ok, !(full.hdr->flags & MMCTL_DUMPF_NO_FAMILIES) &&
		       (own.hdr->flags & (MMCTL_DUMPF_NO_FAMILIES | MMCTL_DUMPF_PARTIAL |
					  MMCTL_DUMPF_NO_TREE)) ==
		       (MMCTL_DUMPF_NO_FAMILIES | MMCTL_DUMPF_PARTIAL | MMCTL_DUMPF_NO_TREE) &&
		       !own.nr_trees &&
		       (kid.hdr->flags & MMCTL_DUMPF_NO_FAMILIES), "header flags %#x, %#x, %#x",
		       full.hdr->flags, own.hdr->flags, kid.hdr->flags);
		for (size_t i = 0; i < own.nr_vmas; i++)
			EXPECT(&ok, own.vmas[i]->flags & MMCTL_VMAF_TARGET,
			       "VMA %016llx of another process", (unsigned long long)own.vmas[i]->id);
		for (size_t i = 0; i < full.nr_vmas; i++) {
			const struct mmctl_rec_vma *v = full.vmas[i];
			const struct mmctl_rec_chain **a, **b;
			size_t la, lb;

			if (!(v->flags & MMCTL_VMAF_TARGET))
				continue;
			targets++;
			a = mm_dump_chain_recs(&full, v->id, &la);
			b = mm_dump_chain_recs(&own, v->id, &lb);
			EXPECT(&ok, mm_dump_vma(&own, v->id) && la == lb, "VMA %lx: chain %zu/%zu",
			       (unsigned long)v->start, la, lb);
			for (size_t k = 0; ok && k < la && k < lb; k++)
				EXPECT(&ok, a[k] && b[k] && a[k]->anon_vma_id == b[k]->anon_vma_id &&
				       a[k]->avc_id == b[k]->avc_id, "VMA %lx: chain entry %zu differs",
				       (unsigned long)v->start, k);
		}
		EXPECT(&ok, targets == own.nr_vmas, "target VMAs %zu, NO_FAMILIES VMAs %zu", targets,
		       own.nr_vmas);
		EXPECT(&ok, pv && pv->root_id, "the mapping's VMA in the full dump");
		if (pv) {
			root = pv->root_id;
			n = chain_avs(&own, root, ids, 0);
			n = chain_avs(&kid, root, ids, n);
			for (size_t i = 0; i < full.nr_avs; i++)
				nfull += full.avs[i]->root_id == root;
			EXPECT(&ok, n == 2 && n == nfull, "family joined from two dumps: %zu anon_vmas, full dump %zu",
			       n, nfull);
		}
		EXPECT(&ok, !mm_check_buf(own.buf, own.len, NULL, NULL, &res) &&
		       !res.count[MMCTL_SEV_ERROR] && !res.count[MMCTL_SEV_WARNING] &&
		       !res.count[MMCTL_SEV_TRANSIENT],
		       "check: %u errors %u warnings %u transient", res.count[MMCTL_SEV_ERROR],
		       res.count[MMCTL_SEV_WARNING], res.count[MMCTL_SEV_TRANSIENT]);
	}
	if (!r1)
		mm_dump_free(&full);
	if (!r2)
		mm_dump_free(&own);
	if (!r3)
		mm_dump_free(&kid);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	close(sync[0]);
	close(sync[1]);
	munmap(p, 8 << 12);
	tap_result("NO_FAMILIES: the target's VMAs with the full dump's chains, said in the header, checks clean; a family joined from two processes' dumps",
		   ok);
}

int main(int argc, char **argv)
{
	struct mmctl_dump_args a;
	unsigned char big[sizeof(a) + 16];
	pid_t zombie, nopid;
	int r, ok;

	if (argc == 4 && strcmp(argv[1], "--big-vma") == 0)
		big_vma_child(atoi(argv[2]), atoi(argv[3]));
	ctl = open(MMCTL_CTL_PATH, O_RDONLY);
	if (ctl < 0) {
		tap_result("open " MMCTL_CTL_PATH, 0);
		return 1;
	}
	expect_errno("dump self succeeds", args(getpid()), 0);
	r = ioctl(ctl, _IO(MMCTL_IOC_MAGIC, 0x7f), 0) ? errno : 0;
	tap_result("unknown ioctl command: ENOTTY", r == ENOTTY);
	a = args(getpid());
	a.size = MMCTL_DUMP_ARGS_SIZE_VER0 - 8;
	expect_errno("args size below version 0: EINVAL", a, EINVAL);
	a = args(getpid());
	a.flags = 1U << 31;
	expect_errno("unknown flag: EINVAL", a, EINVAL);
	a = args(getpid());
	a.reserved0 = 1;
	expect_errno("non-zero reserved field: EINVAL", a, EINVAL);
	a = args(getpid());
	a.flags = MMCTL_DUMP_NO_FOLIOS | MMCTL_DUMP_MEMBER_FOLIOS;
	expect_errno("contradictory flags: EINVAL", a, EINVAL);
	expect_errno("pid 0: EINVAL", args(0), EINVAL);
	expect_errno("pid above PID_MAX_LIMIT: EINVAL", args(0x7fffffff), EINVAL);
	nopid = free_pid();
	expect_errno("nonexistent pid: ESRCH", args(nopid), ESRCH);
	expect_errno("kernel thread (kthreadd, pid 2): EINVAL", args(2), EINVAL);
	zombie = fork();
	if (zombie == 0)
		_exit(0);
	usleep(100000);
	expect_errno("exited (zombie) process: ESRCH", args(zombie), ESRCH);
	waitpid(zombie, NULL, 0);

	/* Longer struct: zero tail accepted, non-zero tail E2BIG. */
	memset(big, 0, sizeof(big));
	a = args(getpid());
	a.size = sizeof(big);
	memcpy(big, &a, sizeof(a));
	r = ioctl(ctl, MMCTL_IOC_DUMP, big) ? errno : 0;
	tap_result("longer args struct with zero tail: accepted", r == 0);
	big[sizeof(a) + 3] = 1;
	r = ioctl(ctl, MMCTL_IOC_DUMP, big) ? errno : 0;
	tap_result("longer args struct with non-zero tail: E2BIG", r == E2BIG);

	/* ABI version 1: the page range. */
	a = args(getpid());
	a.page_addr = (uint64_t)(uintptr_t)buf & ~4095ULL;
	a.page_count = MMCTL_MAX_PAGES + 1;
	expect_errno("v1: page_count above MMCTL_MAX_PAGES: EINVAL", a, EINVAL);
	a.page_count = 1;
	a.page_addr += 8;
	expect_errno("v1: unaligned page_addr: EINVAL", a, EINVAL);
	a.page_addr -= 8;
	a.reserved1 = 1;
	expect_errno("v1: non-zero reserved1: EINVAL", a, EINVAL);
	a.reserved1 = 0;
	a.flags = MMCTL_DUMP_NO_FOLIOS;
	expect_errno("v1: a page range with NO_FOLIOS: EINVAL", a, EINVAL);
	a.flags = 0;
	a.page_count = 4;
	buf[0] = 1;	/* fault the first page of our own buffer */
	{
		struct mm_dump d;
		int ok = 1;

		r = mm_dump_kmod_pages(&d, getpid(), 0, a.page_addr, 4);
		EXPECT(&ok, r == 0, "dump with pages: %s", strerror(-r));
		if (!r) {
			const struct mmctl_rec_page *pg = mm_dump_page(&d, a.page_addr);

			EXPECT(&ok, d.nr_pages >= 1 && d.nr_pages <= 4, "%zu PAGE records", d.nr_pages);
			EXPECT(&ok, pg && pg->kind == MMCTL_PAGE_ANON && pg->index == pg->expected_index,
			       "the written page is an anonymous page at its linear index");
			mm_dump_free(&d);
		}
		tap_result("v1: a page range gives PAGE records for present pages only", ok);
	}
	a = args(getpid());
	a.size = MMCTL_DUMP_ARGS_SIZE_VER0;
	expect_errno("v0-sized args (48 bytes) still accepted", a, 0);

	r = ioctl(ctl, MMCTL_IOC_DUMP, NULL) ? errno : 0;
	tap_result("NULL args pointer: EFAULT", r == EFAULT);
	a = args(getpid());
	a.buf = 8;	/* unmapped */
	expect_errno("unmapped record buffer: EFAULT", a, EFAULT);

	/* Short buffer: ENOSPC with the size needed, then a retry succeeds. */
	ok = 1;
	a = args(getpid());
	a.buf_size = 64;
	r = dump_raw(&a);
	EXPECT(&ok, r == ENOSPC, "got %s", strerror(r));
	EXPECT(&ok, a.buf_used > 64, "buf_used %llu not the size needed",
	       (unsigned long long)a.buf_used);
	a.buf_size = a.buf_used + 4096;
	r = dump_raw(&a);
	EXPECT(&ok, r == 0, "retry with the size returned: %s", strerror(r));
	tap_result("short buffer: ENOSPC with size needed, retry succeeds", ok);

	tap_result("unprivileged open of ctl refused", as_nobody(nobody_open) == 0);
	tap_result("ioctl after dropping root: EPERM", as_nobody(nobody_ioctl) == 0);
	test_userns();
	test_stats();
	test_ptrace_rules();
	test_dumpable();
	test_cap();
	test_cap_edges();
	test_cap_at_read();
	test_retry_budget();
	test_exiting_targets();
	test_exec_targets();
	test_abi2();
	test_no_tree();
	test_no_families();
	test_lock_yields();
	test_vma_walk_yields();
	close(ctl);
	return tap_failed ? 1 : 0;
}
