// SPDX-License-Identifier: GPL-2.0
/* The ioctl shell: all user copying and argument validation lives here. */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "mmctl.h"

static long mmctl_ioctl_dump(struct mmctl_dump_args __user *uargs)
{
	struct mmctl_dump_args args;
	struct mmctl_dump_req req;
	struct mmctl_out out;
	u32 usize;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (get_user(usize, &uargs->size))
		return -EFAULT;
	if (usize < MMCTL_DUMP_ARGS_SIZE_VER0)
		return -EINVAL;
	/* As openat2() and clone3(): no argument is larger than a page. */
	if (usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(&args, sizeof(args), uargs, usize);
	if (ret)
		return ret;
	if (args.flags & ~MMCTL_DUMP_FLAGS_ALL || args.reserved0)
		return -EINVAL;
	if ((args.flags & MMCTL_DUMP_NO_FOLIOS) &&
	    (args.flags & MMCTL_DUMP_MEMBER_FOLIOS))
		return -EINVAL;
	if (args.reserved1 || args.page_count > MMCTL_MAX_PAGES ||
	    !PAGE_ALIGNED(args.page_addr) ||
	    (args.page_count && (args.flags & MMCTL_DUMP_NO_FOLIOS)) ||
	    args.page_addr + (u64)args.page_count * PAGE_SIZE < args.page_addr)
		return -EINVAL;

	req = (struct mmctl_dump_req){
		.pid = args.pid, .flags = args.flags,
		.page_addr = args.page_addr, .page_count = args.page_count,
	};
	mmctl_out_init(&out, mmctl_max_dump_bytes);
	ret = mmctl_dump_pid(&out, &req);
	if (ret)
		goto free_out;
	args.buf_used = out.used;
	args.nr_records = out.nr_records;
	if (out.used > args.buf_size)
		ret = -ENOSPC;
	else if (mmctl_out_copy_to_user(&out, u64_to_user_ptr(args.buf)))
		ret = -EFAULT;
	if (ret != -EFAULT &&
	    copy_to_user(uargs, &args, min_t(size_t, usize, sizeof(args))))
		ret = -EFAULT;
free_out:
	mmctl_out_free(&out);
	return ret;
}

/*
 * The argument's own size field says how much to read, so a command is
 * matched without the size _IOWR() put in it (the caller's header's).
 */
#define MMCTL_IOC_SANS_SIZE(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

long mmctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (cmd == MMCTL_IOC_DUMP_V1 ||
	    MMCTL_IOC_SANS_SIZE(cmd) == MMCTL_IOC_SANS_SIZE(MMCTL_IOC_DUMP))
		return mmctl_ioctl_dump((struct mmctl_dump_args __user *)arg);
	return -ENOTTY;
}
