/* SPDX-License-Identifier: GPL-2.0 */
/* Capabilities for the permission tests. */
#ifndef MMCTL_TEST_CAPS_H
#define MMCTL_TEST_CAPS_H

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Drop CAP_SYS_PTRACE from this process, keeping CAP_SYS_ADMIN. */
static inline int drop_ptrace_cap(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1U << CAP_SYS_PTRACE);
	d[0].permitted &= ~(1U << CAP_SYS_PTRACE);
	d[0].inheritable &= ~(1U << CAP_SYS_PTRACE);
	return (int)syscall(SYS_capset, &h, d);
}

#endif /* MMCTL_TEST_CAPS_H */
