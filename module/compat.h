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
#include <linux/swap.h>
#include <linux/mmctl.h>

/*
 * Differences that need no shim, kept here so that the list is complete:
 * - no_llseek: a NULL .llseek means "not seekable" since 6.0 (868941b14441
 *   "fs: remove no_llseek"); the name itself went in 6.12 (cb787f4ac0c2
 *   "[tree-wide] finally take no_llseek out"). mmctl sets no .llseek.
 */

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
 * Device-mapped huge PMDs (pmd_devmap()) exist while the architecture has
 * CONFIG_ARCH_HAS_PTE_DEVMAP: in 6.1 and 6.12, gone in 7.2 with the devmap
 * page-table bit (Alistair Popple's ZONE_DEVICE refcount series, "mm: remove
 * devmap related functions and page table bits"; the commit ID was not
 * checked here), so there is nothing to tell apart any more.
 */
#ifdef CONFIG_ARCH_HAS_PTE_DEVMAP
#define mmctl_pmd_devmap(pmd) pmd_devmap(pmd)
#else
#define mmctl_pmd_devmap(pmd) 0
#endif

/*
 * A non-present, non-none PTE: swap, migration, or another leaf entry.
 * swapops.h's pte_to_swp_entry()/is_migration_entry()/non_swap_entry() in
 * 6.1 and 6.12; by 7.2 leafops.h's softleaf_t (Lorenzo Stoakes' leaf entry
 * series, "mm: introduce leaf entry type and use to simplify leaf entry
 * logic"; the commit ID was not checked here) replaced them, and swapops.h
 * no longer builds on its own. Feature-tested with __has_include, not
 * version-tested: distributions backport.
 */
enum mmctl_leaf { MMCTL_LEAF_SWAP, MMCTL_LEAF_MIGRATION, MMCTL_LEAF_OTHER };

#if __has_include("linux/leafops.h")
#include <linux/leafops.h>
static inline enum mmctl_leaf mmctl_pte_leaf(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	if (softleaf_is_migration(e))
		return MMCTL_LEAF_MIGRATION;
	return softleaf_is_swap(e) ? MMCTL_LEAF_SWAP : MMCTL_LEAF_OTHER;
}
#else
#include <linux/swapops.h>
static inline enum mmctl_leaf mmctl_pte_leaf(pte_t pte)
{
	swp_entry_t e = pte_to_swp_entry(pte);

	if (is_migration_entry(e))
		return MMCTL_LEAF_MIGRATION;
	return non_swap_entry(e) ? MMCTL_LEAF_OTHER : MMCTL_LEAF_SWAP;
}
#endif

/*
 * Whether a task's memory may be read by uid match alone (dumpable), and
 * the user namespace whose CAP_SYS_PTRACE overrides it otherwise: in the mm
 * (get_dumpable(mm) == SUID_DUMP_USER, mm->user_ns) in 6.1 and 6.12; in the
 * task's RCU-protected exec state in 7.2 (Christian Brauner's 2026
 * task_exec_state, include/linux/sched/exec_state.h: dumpable ==
 * TASK_DUMPABLE_OWNER, exec_state->user_ns; commit ID not checked here,
 * found by building against Debian's 7.2.13 headers). The accessor
 * task_exec_state_rcu() is not exported, the __rcu field is read directly.
 * Call under rcu_read_lock().
 */
#if __has_include("linux/sched/exec_state.h")
#include <linux/sched/exec_state.h>
static inline bool mmctl_dumpable(struct task_struct *t, struct mm_struct *mm,
				  struct user_namespace **ns)
{
	struct task_exec_state *es = rcu_dereference(t->exec_state);

	*ns = es->user_ns;
	return es->dumpable == TASK_DUMPABLE_OWNER;
}
#else
#include <linux/sched/coredump.h>
static inline bool mmctl_dumpable(struct task_struct *t, struct mm_struct *mm,
				  struct user_namespace **ns)
{
	*ns = mm->user_ns;
	return get_dumpable(mm) == SUID_DUMP_USER;
}
#endif

/*
 * Order of a VMA's anon_vma_chain. Up to 6.18 anon_vma_clone() walks the
 * source chain in reverse, adding each entry at the head, so every chain
 * ends with the root: unlink_anon_vmas() relies on that ("ordered from
 * newest to oldest, ensuring the root anon_vma gets freed last"). Measured
 * here on 6.1 and 6.12 (the module) and 6.18 (the host, BPF backend).
 * Debian's 7.2.13 keeps another order (P1 -> P2 -> P3 gives P3 the chain
 * [C, A, B], found by the kernel matrix), after the anon_vma_clone() rework
 * that added its vma_operation argument. Where between 6.18 and 7.2 that
 * happened is not pinned down here, so only kernels before 6.19 claim
 * root-last: a check lost, never a false error. No header tells the two
 * apart, so this is a version test, on the kernel's VERSION and PATCHLEVEL
 * that module/Kbuild passes in.
 */
#if (MMCTL_KV_MAJOR * 256 + MMCTL_KV_MINOR) < 0x613	/* before 6.19 */
#define MMCTL_CHAIN_ROOT_LAST	MMCTL_DUMPF_ROOT_LAST
#else
#define MMCTL_CHAIN_ROOT_LAST	0
#endif

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
