/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmctl user ABI: ioctls on /sys/kernel/debug/mmctl/ctl and the records a
 * dump returns. This is the stable interface; debugfs text is for humans.
 */
#ifndef _UAPI_LINUX_MMCTL_H
#define _UAPI_LINUX_MMCTL_H

#include <linux/types.h>

#define MMCTL_ABI_VERSION 1

#endif /* _UAPI_LINUX_MMCTL_H */
