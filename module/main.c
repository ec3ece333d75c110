// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl: observe and check the anonymous reverse map (anon_vma) of a process.
 *
 * This file owns the module lifetime and the debugfs directory
 * /sys/kernel/debug/mmctl/ (mode 0700, files 0600).
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include <linux/mmctl.h>

#include "mmctl.h"

static struct dentry *mmctl_dir;

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "mmctl %s abi %u\n", MMCTL_VERSION, MMCTL_ABI_VERSION);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

static int __init mmctl_init(void)
{
	mmctl_dir = debugfs_create_dir("mmctl", NULL);
	if (IS_ERR(mmctl_dir))
		return PTR_ERR(mmctl_dir);
	/* debugfs_create_dir() gives 0755; only root may look inside. */
	d_inode(mmctl_dir)->i_mode = S_IFDIR | 0700;

	debugfs_create_file("version", 0600, mmctl_dir, NULL, &version_fops);
	pr_info("mmctl: loaded, version %s\n", MMCTL_VERSION);
	return 0;
}

static void __exit mmctl_exit(void)
{
	debugfs_remove(mmctl_dir);
	pr_info("mmctl: unloaded\n");
}

module_init(mmctl_init);
module_exit(mmctl_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("mmctl developers");
MODULE_DESCRIPTION("Observe and check the anon_vma reverse map of a process");
MODULE_VERSION(MMCTL_VERSION);
