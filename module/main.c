// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl: observe and check the anonymous reverse map (anon_vma) of a process.
 *
 * /dev/mmctl (misc device, 0600): the ioctl interface (uapi/linux/mmctl.h),
 * the stable ABI; also for 32-bit callers and under kernel lockdown, where
 * debugfs refuses every file with an ioctl or a write bit.
 *
 * debugfs: /sys/kernel/debug/mmctl/ (0700), files 0600, root only:
 *   version  "mmctl VERSION abi N" (0400: readable under lockdown too)
 *   ctl      the same ioctl as /dev/mmctl (no compat_ioctl: debugfs's
 *            proxy does not forward it)
 *   target   default pid for "tree" (global, last writer wins)
 *   tree     text dump, one object per line
 *   check    the checker's verdicts (lib/check.c) and a summary line
 *   Each open file of tree/check has its own target: write a pid to the
 *   open file, then read it. An open that has not written one uses
 *   "target" as it was at open time.
 */
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mmctl.h"

static struct dentry *mmctl_dir;
static u32 mmctl_target;	/* default pid for "tree" */

module_param_named(max_dump_bytes, mmctl_max_dump_bytes, ulong, 0600);
MODULE_PARM_DESC(max_dump_bytes, "hard cap on one dump's records (EFBIG beyond)");
module_param_named(lock_breaks, mmctl_lock_breaks, bool, 0600);
MODULE_PARM_DESC(lock_breaks, "give locks up to waiters and walk the target's folios unlocked (default Y)");
module_param_named(fault_nowait_at, mmctl_fault_nowait_at, uint, 0600);
MODULE_PARM_DESC(fault_nowait_at, "tests: fail this record of a family walk under its root lock");
module_param_named(fault_nowait_times, mmctl_fault_nowait_times, uint, 0600);
MODULE_PARM_DESC(fault_nowait_times, "tests: in this many family walks");
module_param_named(fault_retry_ms, mmctl_fault_retry_ms, uint, 0600);
MODULE_PARM_DESC(fault_retry_ms, "tests: sleep before retrying a family walk that failed so");

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "mmctl %s abi %u\n", MMCTL_VERSION, MMCTL_ABI_VERSION);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

static const struct file_operations mmctl_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mmctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice mmctl_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mmctl",
	.fops = &mmctl_ctl_fops,
	.mode = 0600,
};

typedef int (*mmctl_text_fn)(u32 pid, struct mmctl_tbuf *t);

/* Per-open state of "tree"/"check": its own pid and the text made for it. */
struct mmctl_tree_file {
	struct mutex lock;
	mmctl_text_fn gen;	/* from the inode: which file this is */
	u32 pid;
	struct mmctl_tbuf text;
	bool have_text;
};

static int mmctl_tree_open(struct inode *inode, struct file *file)
{
	struct mmctl_tree_file *tf;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	tf = kzalloc(sizeof(*tf), GFP_KERNEL);
	if (!tf)
		return -ENOMEM;
	mutex_init(&tf->lock);
	tf->gen = inode->i_private;
	tf->pid = READ_ONCE(mmctl_target);
	file->private_data = tf;
	return 0;
}

static int mmctl_tree_release(struct inode *inode, struct file *file)
{
	struct mmctl_tree_file *tf = file->private_data;

	kvfree(tf->text.buf);
	kfree(tf);
	return 0;
}

static ssize_t mmctl_tree_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct mmctl_tree_file *tf = file->private_data;
	u32 pid;
	int ret;

	/* At each use, not only at open: the fd may have been passed on. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = kstrtou32_from_user(ubuf, count, 10, &pid);
	if (ret)
		return ret;
	mutex_lock(&tf->lock);
	tf->pid = pid;
	kvfree(tf->text.buf);
	memset(&tf->text, 0, sizeof(tf->text));
	tf->have_text = false;
	*ppos = 0;
	mutex_unlock(&tf->lock);
	return count;
}

static ssize_t mmctl_tree_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct mmctl_tree_file *tf = file->private_data;
	ssize_t ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&tf->lock);
	if (!tf->have_text) {
		ret = tf->pid ? tf->gen(tf->pid, &tf->text) : -EINVAL;
		if (ret) {
			kvfree(tf->text.buf);
			memset(&tf->text, 0, sizeof(tf->text));
			goto unlock;
		}
		tf->have_text = true;
	}
	ret = simple_read_from_buffer(ubuf, count, ppos, tf->text.buf, tf->text.len);
unlock:
	mutex_unlock(&tf->lock);
	return ret;
}

/* No .llseek: not seekable (see compat.h on no_llseek). */
static const struct file_operations mmctl_tree_fops = {
	.owner = THIS_MODULE,
	.open = mmctl_tree_open,
	.release = mmctl_tree_release,
	.read = mmctl_tree_read,
	.write = mmctl_tree_write,
};

static int __init mmctl_init(void)
{
	int ret;

	mmctl_ids_init();
	ret = misc_register(&mmctl_misc);
	if (ret)
		return ret;
	/*
	 * debugfs is optional: absent (CONFIG_DEBUG_FS=n, debugfs=off) it
	 * gives an error pointer that its other calls accept and ignore.
	 */
	mmctl_dir = debugfs_create_dir("mmctl", NULL);
	if (IS_ERR(mmctl_dir)) {
		pr_info("mmctl: no debugfs (%ld): /dev/mmctl only\n", PTR_ERR(mmctl_dir));
		goto out;
	}
	/* debugfs_create_dir() gives 0755; only root may look inside. */
	d_inode(mmctl_dir)->i_mode = S_IFDIR | 0700;

	debugfs_create_file("version", 0400, mmctl_dir, NULL, &version_fops);
	debugfs_create_file("ctl", 0600, mmctl_dir, NULL, &mmctl_ctl_fops);
	debugfs_create_u32("target", 0600, mmctl_dir, &mmctl_target);
	debugfs_create_file("tree", 0600, mmctl_dir, mmctl_tree_pid, &mmctl_tree_fops);
	debugfs_create_file("check", 0600, mmctl_dir, mmctl_check_pid, &mmctl_tree_fops);
out:
	pr_info("mmctl: loaded, version %s\n", MMCTL_VERSION);
	return 0;
}

static void __exit mmctl_exit(void)
{
	debugfs_remove(mmctl_dir);
	misc_deregister(&mmctl_misc);
	pr_info("mmctl: unloaded\n");
}

module_init(mmctl_init);
module_exit(mmctl_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("mmctl developers");
MODULE_DESCRIPTION("Observe and check the anon_vma reverse map of a process");
MODULE_VERSION(MMCTL_VERSION);
