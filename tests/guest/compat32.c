// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit caller (built with -m32) on a 64-bit kernel: MMCTL_IOC_DUMP of
 * itself through /dev/mmctl (compat_ioctl: compat_ptr_ioctl) must succeed
 * with a DUMP record naming it; through debugfs's ctl, whose proxy forwards
 * no compat_ioctl, it must fail with ENOTTY (uapi/linux/mmctl.h).
 *
 * usage: compat32 DEVICE DEBUGFS_CTL; exit 0 when both hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mmctl.h>

static char buf[1 << 20] __attribute__((aligned(8)));

static int dump(const char *path)
{
	struct mmctl_dump_args a;
	int fd = open(path, O_RDONLY), r;

	if (fd < 0)
		return errno;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.pid = (unsigned int)getpid();
	a.buf = (unsigned long)buf;
	a.buf_size = sizeof(buf);
	r = ioctl(fd, MMCTL_IOC_DUMP, &a) ? errno : 0;
	close(fd);
	if (!r) {
		const struct mmctl_rec_dump *d = (const void *)buf;

		if (a.buf_used < sizeof(*d) || d->hdr.type != MMCTL_REC_DUMP ||
		    d->pid != (unsigned int)getpid())
			return EBADMSG;
	}
	return r;
}

int main(int argc, char **argv)
{
	int dev, dbg;

	if (argc != 3 || sizeof(long) != 4) {
		fprintf(stderr, "usage: compat32 DEVICE DEBUGFS_CTL (a 32-bit build)\n");
		return 2;
	}
	dev = dump(argv[1]);
	dbg = dump(argv[2]);
	printf("# 32-bit caller: %s: %s; %s: %s\n", argv[1], dev ? strerror(dev) : "success",
	       argv[2], dbg ? strerror(dbg) : "success");
	return dev == 0 && dbg == ENOTTY ? 0 : 1;
}
