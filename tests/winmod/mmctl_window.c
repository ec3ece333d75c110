// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl_window: a test-only module that holds one of the kernel's anon_vma
 * windows open long enough for a dump to see it, so that the tests can
 * show what mmctl reports in it instead of hoping to meet it.
 *
 * A kretprobe on anon_vma_clone() (or the function named by "symbol" at
 * load): when it returns (0, unless "check_ret" is off) in a task whose
 * comm is the "comm" parameter, and "armed" is above zero, the probe spins
 * for "delay_ms" milliseconds (once per arming). anon_vma_clone() has then
 * linked the destination VMA into the family's interval trees and dropped
 * the root lock, and its caller still holds the mm's mmap_lock for write:
 *   - anon_vma_fork(): the child's VMA has its chain and no anon_vma
 *     (I2-fork-window), its mm write-locked by dup_mmap();
 *   - __split_vma(): the new VMA is linked with its final boundary while
 *     the old VMA still covers it, and (on 6.1 always, later under the
 *     anon_vma lock) a huge PMD straddling that boundary is not split yet.
 * With symbol=unmap_vmas check_ret=0, a munmap() is held after it has
 * detached its VMAs and downgraded to the read lock, before it unlinks
 * them from the anon_vma trees (unmap_region()).
 * With symbol=__set_task_comm check_ret=0, an exec is held between its
 * exec_mmap() and commit_creds() (begin_new_exec()): the new image's mm is
 * in place, the old credentials still are.
 * The spin runs with preemption disabled on one CPU; the test dumps from
 * the other. Nothing is changed in the kernel's state.
 *
 *
 * Parameters (/sys/module/mmctl_window/parameters/): symbol (at load),
 * check_ret, comm, delay_ms, armed (write N to arm N delays; clears
 * release), release (write 1: the spin ends now, so that the test need not
 * guess how long its dump takes under load), hits (delays done).
 */
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nmi.h>
#include <linux/sched.h>
#include <linux/string.h>

static char comm[TASK_COMM_LEN] = "mmctl-window";
module_param_string(comm, comm, sizeof(comm), 0600);
MODULE_PARM_DESC(comm, "only tasks with this comm are delayed");

static char symbol[KSYM_NAME_LEN] = "anon_vma_clone";
module_param_string(symbol, symbol, sizeof(symbol), 0400);
MODULE_PARM_DESC(symbol, "the function whose return is delayed (at load)");

static bool check_ret = true;
module_param(check_ret, bool, 0600);
MODULE_PARM_DESC(check_ret, "delay only when it returned 0");

static unsigned int delay_ms = 2000;
module_param(delay_ms, uint, 0600);
MODULE_PARM_DESC(delay_ms, "how long to hold the window");

static bool release;
module_param(release, bool, 0600);
MODULE_PARM_DESC(release, "end the current delay now");

static atomic_t armed = ATOMIC_INIT(0);
static int armed_set(const char *val, const struct kernel_param *kp)
{
	int n, ret = kstrtoint(val, 10, &n);

	if (ret)
		return ret;
	WRITE_ONCE(release, false);
	atomic_set(&armed, n);
	return 0;
}

static int armed_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&armed));
}

static const struct kernel_param_ops armed_ops = {
	.set = armed_set,
	.get = armed_get,
};
module_param_cb(armed, &armed_ops, NULL, 0600);
MODULE_PARM_DESC(armed, "delays left to do");

static unsigned int hits;
module_param(hits, uint, 0400);
MODULE_PARM_DESC(hits, "delays done");

static int mmctl_window_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned int ms;

	if ((check_ret && regs_return_value(regs)) ||
	    strncmp(current->comm, comm, TASK_COMM_LEN))
		return 0;
	if (atomic_dec_if_positive(&armed) < 0)
		return 0;
	for (ms = 0; ms < READ_ONCE(delay_ms) && !READ_ONCE(release); ms++) {
		mdelay(1);
		touch_nmi_watchdog();
	}
	WRITE_ONCE(hits, hits + 1);
	return 0;
}

static struct kretprobe mmctl_window_probe = {
	.handler = mmctl_window_ret,
	.maxactive = 4,
};

static int __init mmctl_window_init(void)
{
	int ret;

	mmctl_window_probe.kp.symbol_name = symbol;
	ret = register_kretprobe(&mmctl_window_probe);
	if (ret)
		pr_info("mmctl_window: no kretprobe on %s: %d\n", symbol, ret);
	return ret;
}

static void __exit mmctl_window_exit(void)
{
	unregister_kretprobe(&mmctl_window_probe);
}

module_init(mmctl_window_init);
module_exit(mmctl_window_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mmctl tests: hold anon_vma windows open (test only)");
