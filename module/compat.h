/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference mmctl depends on, in one place. Each shim
 * names the version that changed the kernel side.
 */
#ifndef MMCTL_COMPAT_H
#define MMCTL_COMPAT_H

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>

/*
 * folio->mapping low bits: PAGE_MAPPING_ANON/_KSM, renamed FOLIO_MAPPING_*
 * in 6.17 with unchanged values. Only the values matter here.
 */
#define MMCTL_MAPPING_ANON	0x1UL
#define MMCTL_MAPPING_KSM	0x3UL
#define MMCTL_MAPPING_FLAGS	0x3UL

/*
 * Lockless PMD read: pmd_read_atomic() up to 6.4, pmdp_get_lockless() from
 * 6.5 (the page-table rework that also unexported __pte_offset_map). Both
 * reduce to one READ_ONCE() of the entry on x86-64, the only architecture
 * mmctl builds for, so use that on every version.
 */
#define mmctl_pmdp_get_lockless(pmdp) READ_ONCE(*(pmdp))

/*
 * The owner task of an mm exists only with CONFIG_MEMCG (mm->owner). Call
 * under rcu_read_lock().
 */
static inline struct task_struct *mmctl_mm_owner(struct mm_struct *mm)
{
#ifdef CONFIG_MEMCG
	return rcu_dereference(mm->owner);
#else
	return NULL;
#endif
}

/*
 * Copy a task's comm into a 16-byte record field. get_task_comm() needs a
 * real array (a BUILD_BUG_ON on its size); __get_task_comm() went away in
 * 6.13 when get_task_comm() became strscpy_pad() of task->comm.
 */
static inline void mmctl_task_comm(char *dst, struct task_struct *t)
{
	char tmp[TASK_COMM_LEN];

	BUILD_BUG_ON(TASK_COMM_LEN != 16);
	get_task_comm(tmp, t);
	memcpy(dst, tmp, TASK_COMM_LEN);
}

#endif /* MMCTL_COMPAT_H */
