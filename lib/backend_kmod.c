// SPDX-License-Identifier: GPL-2.0
/* The module backend: a dump through the ioctl of /dev/mmctl (or debugfs). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "dump.h"

int mm_dump_kmod(struct mm_dump *d, pid_t pid, uint32_t flags)
{
	return mm_dump_kmod_pages(d, pid, flags, 0, 0);
}

static int kmod_dump(struct mm_dump *d, pid_t pid, uint32_t flags, uint64_t addr,
		     uint32_t count);

static int kmod_probe_dump(struct mm_dump *d, pid_t pid)
{
	return kmod_dump(d, pid, MMCTL_DUMP_NO_FOLIOS, 0, 0);
}

int mm_dump_kmod_pages(struct mm_dump *d, pid_t pid, uint32_t flags, uint64_t addr,
		       uint32_t count)
{
	static atomic_int order = -1;
	int r = kmod_dump(d, pid, flags, addr, count);

	if (r)
		return r;
	mm_dump_set_chain_order(d, mm_chain_order_once(&order, kmod_probe_dump));
	return 0;
}

int mm_ctl_open(void)
{
	int fd = open(MMCTL_DEV_PATH, O_RDONLY | O_CLOEXEC);

	/* A module of ABI 1 has no /dev/mmctl: its debugfs file then. */
	if (fd < 0 && errno == ENOENT)
		fd = open(MMCTL_CTL_PATH, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int kmod_dump(struct mm_dump *d, pid_t pid, uint32_t flags, uint64_t addr,
		     uint32_t count)
{
	struct mmctl_dump_args a;
	struct utsname u;
	/*
	 * First try with room for most processes: malloc of this size is an
	 * mmap whose pages stay untouched (no RSS) beyond what the kernel
	 * writes, and an ENOSPC retry walks the whole process again (make
	 * bench: a 64 KiB start walked every dump over 64 KiB twice).
	 */
	size_t size = 32 << 20;
	void *buf = NULL;
	int fd, ret, tries;

	memset(d, 0, sizeof(*d));
	fd = mm_ctl_open();
	if (fd < 0)
		return fd;
	for (tries = 0; tries < 8; tries++) {
		void *nbuf = realloc(buf, size);

		if (!nbuf) {
			ret = -ENOMEM;
			break;
		}
		buf = nbuf;
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.flags = flags;
		a.pid = (uint32_t)pid;
		a.buf = (uint64_t)(uintptr_t)buf;
		a.buf_size = size;
		a.page_addr = addr;
		a.page_count = count;
		ret = ioctl(fd, MMCTL_IOC_DUMP, &a) ? -errno : 0;
		/* A module of ABI 1 knows only the old command number. */
		if (ret == -ENOTTY)
			ret = ioctl(fd, MMCTL_IOC_DUMP_V1, &a) ? -errno : 0;
		if (ret != -ENOSPC)
			break;
		/* The family may grow between calls: ask for some slack. */
		size = a.buf_used + a.buf_used / 8 + 4096;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	ret = mm_dump_parse(d, buf, a.buf_used);
	if (!ret && !uname(&u))
		snprintf(d->kernel, sizeof(d->kernel), "%s", u.release);
	return ret;
}
