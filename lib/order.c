// SPDX-License-Identifier: GPL-2.0
/* The running kernel's chain order, learnt once per process by experiment. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump.h"

/*
 * The running kernel's chain order, learnt by experiment rather than from
 * its version (docs/checker.md, "Chain order"): P1 faults one anonymous
 * page and forks P2, which forks P3; P3's VMA then holds the anon_vmas
 * C (its own), B (P2's) and A (P1's, the root). A kernel whose
 * anon_vma_clone() keeps the source order from the tail lists them
 * [C, B, A], root last; one that clones in reverse ("mm/rmap: allocate
 * anon_vma_chain objects unlocked when possible", 7.0, and its stable
 * backports to 6.12.112 and 6.18.55) lists [C, A, B].
 */
int mm_chain_order_of(const struct mm_dump *d, uint32_t pid, uint64_t start)
{
	const struct mmctl_rec_vma *v = mm_dump_vma_at(d, pid, start);
	uint64_t list[4], anc[4];

	if (!v || mm_dump_chain(d, v->id, list, 4) != 3 ||
	    mm_dump_chain_ancestry(d, v->id, anc, 4) != 3 ||
	    !anc[0] || !anc[1] || !anc[2] || anc[0] == anc[1] || anc[1] == anc[2] ||
	    anc[0] == anc[2] || list[0] != anc[0] || v->anon_vma_id != anc[0])
		return MM_CHAIN_ORDER_UNKNOWN;
	if (list[1] == anc[1] && list[2] == anc[2])
		return MM_CHAIN_ORDER_ROOT_LAST;
	if (list[1] == anc[2] && list[2] == anc[1])
		return MM_CHAIN_ORDER_CLONE_REVERSED;
	return MM_CHAIN_ORDER_UNKNOWN;
}

struct probe_msg {
	pid_t pid;
	uint64_t start;
};

/* Only async-signal-safe calls in the children: the caller may have threads. */
static void probe_children(int up, int down, size_t pg)
{
	/* One page between two PROT_NONE ones: a VMA of its own, merged with
	 * nothing (and so on no older anon_vma) whatever the caller maps. */
	char *p = mmap(NULL, 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char c;
	int level;
	pid_t child = 0;

	if (p == MAP_FAILED || mprotect(p + pg, pg, PROT_READ | PROT_WRITE))
		_exit(1);
	p += pg;
	p[0] = 1;		/* P1's anon_vma: the root */
	for (level = 1; level < 3; level++) {
		child = fork();
		if (child < 0)
			_exit(1);
		if (child)
			break;
	}
	if (level == 3) {	/* P3 */
		struct probe_msg m = { getpid(), (uint64_t)(uintptr_t)p };

		if (write(up, &m, sizeof(m)) != (ssize_t)sizeof(m))
			_exit(1);
	}
	close(up);
	/* One byte each from the caller; EOF (the caller died) also releases. */
	while (read(down, &c, 1) < 0 && errno == EINTR)
		;
	if (child > 0)
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	_exit(0);
}

/*
 * Neither pipe may be trusted to reach EOF: any process forked meanwhile
 * (another thread's probe, say) holds copies of both ends. So the caller
 * waits for P3's report with a deadline and releases P1-P3 with one byte
 * each, not by closing; mm_chain_order_once() runs one probe at a time.
 */
int mm_chain_order_probe(int (*dump)(struct mm_dump *d, pid_t pid))
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct probe_msg m;
	struct mm_dump d;
	int up[2], down[2], order = MM_CHAIN_ORDER_UNKNOWN;
	ssize_t n = 0;
	pid_t p1;

	if (pipe2(up, O_CLOEXEC))
		return order;
	if (pipe2(down, O_CLOEXEC)) {
		close(up[0]);
		close(up[1]);
		return order;
	}
	p1 = fork();
	if (p1 == 0) {
		close(up[0]);
		close(down[1]);
		probe_children(up[1], down[0], pg);
	}
	close(up[1]);
	close(down[0]);
	if (p1 > 0) {
		struct pollfd pfd = { .fd = up[0], .events = POLLIN };
		int r;

		do
			r = poll(&pfd, 1, 20000);
		while (r < 0 && errno == EINTR);
		if (r > 0)
			do
				n = read(up[0], &m, sizeof(m));
			while (n < 0 && errno == EINTR);
		if (n == (ssize_t)sizeof(m) && dump(&d, m.pid) == 0) {
			order = mm_chain_order_of(&d, (uint32_t)m.pid, m.start);
			mm_dump_free(&d);
		}
		/* Releases P1, P2, P3. */
		while (write(down[1], "...", 3) < 0 && errno == EINTR)
			;
	}
	close(down[1]);
	close(up[0]);
	if (p1 > 0)
		while (waitpid(p1, NULL, 0) < 0 && errno == EINTR)
			;
	return order;
}

/*
 * The probe's result kept for the boot (docs/cli.md, "Chain order"):
 * $MMCTL_RUN_DIR (default /run/mmctl)/chain-order holds
 *   mmctl chain-order 1 / boot_id UUID / release UNAME-R / order NAME
 * one a line. Read and written only by root, and trusted only when the
 * directory is root's and no one else's (mode 0700), the file a regular
 * file (not a link) of root's that no one else may write, and its boot_id
 * and release those of the running kernel. MMCTL_NO_ORDER_CACHE set: not
 * used at all.
 */
/* The probe's version: bump it when mm_chain_order_probe() or _of() change. */
#define ORDER_MAGIC "mmctl chain-order 1"

/* $MMCTL_RUN_DIR or /run/mmctl, without trailing slashes ("d/" follows a link). */
static const char *run_dir(char *buf, size_t len)
{
	const char *d = getenv("MMCTL_RUN_DIR");
	size_t n;

	snprintf(buf, len, "%s", d && *d ? d : "/run/mmctl");
	for (n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = 0;
	return buf;
}

/*
 * Root only, and not while a livepatch is loaded: one can replace
 * anon_vma_clone() (and so the order) without a reboot.
 */
static int cache_wanted(void)
{
	DIR *lp;
	struct dirent *e;
	int patched = 0;

	if (geteuid() != 0 || getenv("MMCTL_NO_ORDER_CACHE"))
		return 0;
	lp = opendir("/sys/kernel/livepatch");
	while (lp && !patched && (e = readdir(lp)))
		patched = e->d_name[0] != '.';
	if (lp)
		closedir(lp);
	return !patched;
}

/*
 * The directory, opened without following a link and checked on the open
 * descriptor (what is checked is what is used): a descriptor, or -1.
 */
static int dir_trusted(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) || st.st_uid != 0 || (st.st_mode & 077))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* What the file must hold up to the order's name; 0 or -1. */
static int order_key(char *buf, size_t len)
{
	char boot[64] = "";
	struct utsname u;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, boot, sizeof(boot) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 32 || uname(&u))
		return -1;
	boot[strcspn(boot, "\n")] = 0;
	n = snprintf(buf, len, ORDER_MAGIC "\nboot_id %s\nrelease %s\norder ", boot, u.release);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* The order in the file, if it holds @key (order_key()) and is trusted. */
static int order_cached(const char *key)
{
	char buf[1024], dir[4096];
	struct stat st;
	ssize_t n = -1;
	size_t kl;
	int dfd, fd;

	dfd = dir_trusted(run_dir(dir, sizeof(dir)));
	if (dfd < 0)
		return MM_CHAIN_ORDER_UNKNOWN;
	/* O_NONBLOCK: a FIFO of that name must not stall us (it is refused). */
	fd = openat(dfd, "chain-order", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return MM_CHAIN_ORDER_UNKNOWN;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_uid == 0 && !(st.st_mode & 022))
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	kl = strlen(key);
	if (n <= (ssize_t)kl || strncmp(buf, key, kl) || buf[n - 1] != '\n')
		return MM_CHAIN_ORDER_UNKNOWN;
	buf[n - 1] = 0;
	/* Exactly a known name: a second line after it is no name. */
	return mm_chain_order_from_name(buf + kl);
}

/* Written whole under a private name, then renamed over the old file. */
static void order_store(const char *key, int order)
{
	char tmp[64], dirbuf[4096];
	const char *dir = run_dir(dirbuf, sizeof(dirbuf));
	struct timespec ts;
	int dfd, fd, ok;

	if (order == MM_CHAIN_ORDER_UNKNOWN)
		return;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return;
	dfd = dir_trusted(dir);
	if (dfd < 0)
		return;
	/* pid and time: a name a killed writer left behind is not reused. */
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(tmp, sizeof(tmp), ".chain-order.%d.%lx", (int)getpid(),
		 (unsigned long)ts.tv_sec * 1000000000UL + (unsigned long)ts.tv_nsec);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ok = dprintf(fd, "%s%s\n", key, mm_chain_order_name(order)) > 0;
		if (close(fd) || !ok || renameat(dfd, tmp, dfd, "chain-order"))
			unlinkat(dfd, tmp, 0);
	}
	close(dfd);
}

int mm_chain_order_once(atomic_int *memo, int (*dump)(struct mm_dump *d, pid_t pid))
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	int order = atomic_load(memo);

	if (order >= 0)
		return order;
	pthread_mutex_lock(&lock);
	order = atomic_load(memo);
	if (order < 0) {
		char key[512];
		int cache = cache_wanted() && !order_key(key, sizeof(key));

		order = cache ? order_cached(key) : MM_CHAIN_ORDER_UNKNOWN;
		if (order == MM_CHAIN_ORDER_UNKNOWN) {
			order = mm_chain_order_probe(dump);
			if (cache)
				order_store(key, order);
		}
		atomic_store(memo, order);
	}
	pthread_mutex_unlock(&lock);
	return order;
}

static const char *const order_names[] = {
	[MM_CHAIN_ORDER_UNKNOWN] = "unknown",
	[MM_CHAIN_ORDER_ROOT_LAST] = "root-last",
	[MM_CHAIN_ORDER_CLONE_REVERSED] = "clone-reversed",
};

const char *mm_chain_order_name(int order)
{
	return order > 0 && order < (int)(sizeof(order_names) / sizeof(order_names[0])) ?
		order_names[order] : order_names[MM_CHAIN_ORDER_UNKNOWN];
}

int mm_chain_order_from_name(const char *name)
{
	for (int i = 0; name && i < (int)(sizeof(order_names) / sizeof(order_names[0])); i++)
		if (!strcmp(name, order_names[i]))
			return i;
	return MM_CHAIN_ORDER_UNKNOWN;
}

void mm_dump_set_chain_order(struct mm_dump *d, int order)
{
	struct mmctl_rec_dump *h = (struct mmctl_rec_dump *)d->hdr;

	d->kernel_order = order;
	if (!h)
		return;
	h->flags &= ~MMCTL_DUMPF_ROOT_LAST;
	if (order == MM_CHAIN_ORDER_ROOT_LAST)
		h->flags |= MMCTL_DUMPF_ROOT_LAST;
}
