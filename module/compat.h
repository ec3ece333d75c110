/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference mmctl depends on, in one place. Each shim
 * names the version and the upstream commit that changed the kernel side.
 * Commit IDs were checked against kernel.org's own records of the trees
 * (git post-receive logs of mm-stable, vfs and stable, and later commits
 * citing them), not against a local clone; where that was not possible
 * the entry says so.
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
 * in 6.17 with unchanged values (David Hildenbrand's "mm: rename
 * PAGE_MAPPING_* to FOLIO_MAPPING_*"; its final commit ID was not
 * established). Only the values matter here.
 */
#define MMCTL_MAPPING_ANON	0x1UL
#define MMCTL_MAPPING_KSM	0x3UL
#define MMCTL_MAPPING_FLAGS	0x3UL

/*
 * Lockless PMD read: pmd_read_atomic() became pmdp_get_lockless() in 6.2
 * (Peter Zijlstra, "mm: Rename pmd_read_atomic()"; tip x86/mm was rebased
 * after its first merge, 7e4be6d7e9d3, and the final ID was not
 * established), and 6.1.y took the rename in September 2024, so a 6.1
 * kernel may have either. Both reduce to one READ_ONCE() of the entry on
 * x86-64, the only architecture mmctl builds for, so use that everywhere.
 * (The same 6.5 page-table rework that made pte_offset_map() fallible also
 * stopped exporting __pte_offset_map(); mmctl uses neither.)
 */
#define mmctl_pmdp_get_lockless(pmdp) READ_ONCE(*(pmdp))

/*
 * Device-mapped huge PMDs (pmd_devmap()) exist while the architecture has
 * CONFIG_ARCH_HAS_PTE_DEVMAP: in 6.1 and 6.12; d438d2734170 ("mm: remove
 * devmap related functions and page table bits", Alistair Popple's
 * ZONE_DEVICE refcount series, 2025) removed the bit, so 7.2 has nothing to
 * tell apart any more. Feature-tested through the Kconfig symbol.
 */
#ifdef CONFIG_ARCH_HAS_PTE_DEVMAP
#define mmctl_pmd_devmap(pmd) pmd_devmap(pmd)
#else
#define mmctl_pmd_devmap(pmd) 0
#endif

/*
 * A non-present, non-none PTE: swap, migration, or another leaf entry.
 * swapops.h's pte_to_swp_entry()/is_migration_entry()/non_swap_entry() in
 * 6.1 and 6.12; from 6.19 leafops.h's softleaf_t (68aa2fdbf57f "mm:
 * introduce leaf entry type and use to simplify leaf entry logic", Lorenzo
 * Stoakes) replaced them, and by 7.2 swapops.h no longer builds on its own.
 * Feature-tested with __has_include, not version-tested: distributions
 * backport.
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
 * task's RCU-protected exec state from 7.2 (b092062cb6d7 "exec: introduce
 * struct task_exec_state" and 6b1c66c9cca9 "exec_state: relocate dumpable
 * information", Christian Brauner; include/linux/sched/exec_state.h:
 * dumpable == TASK_DUMPABLE_OWNER, exec_state->user_ns; found by building
 * against Debian's 7.2.13 headers). The accessor
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
 * Order of a VMA's anon_vma_chain: no shim, and no claim. Up to 6.18
 * anon_vma_clone() walks the source chain in reverse, adding each entry at
 * the head, so every chain ends with the root. bfc2b13b05a1 ("mm/rmap:
 * allocate anon_vma_chain objects unlocked when possible", Lorenzo Stoakes'
 * anon_vma clean-up, merged for 7.0 alongside d17f02417a33, which added
 * enum vma_operation) allocates the copies walking forward and so reverses
 * the order: P3 of P1 -> P2 -> P3 has [C, A, B]. The stable trees took that
 * commit as a prerequisite of "mm/rmap: fix missing barrier between anon_vma
 * init and vma->anon_vma publish": 6.12.112 and 6.18.55 (6.1.y took the fix
 * alone). The kernel version therefore does not tell, and distribution
 * kernels backport on their own: the module says nothing about the order,
 * and userspace learns it by experiment (mm_chain_order_probe() in
 * lib/dump.c), setting MMCTL_DUMPF_ROOT_LAST itself.
 */

/*
 * Is @mm's mmap_lock held for write right now? No helper says so (lockdep's
 * assertions aside), so read the lock word the way the rwsem code does:
 * bit 0 of rw_semaphore.count, RWSEM_WRITER_LOCKED (kernel/locking/rwsem.c:117
 * in 6.1, private to that file). f70405afc99b ("locking: Add
 * rwsem_assert_held() and rwsem_assert_held_write()", Matthew Wilcox, 6.9)
 * put the define in include/linux/rwsem.h, where 6.12 and 7.x have it; no
 * version has a boolean rwsem_is_write_locked(). PREEMPT_RT's rwsem is an
 * rwbase_rt without a count: a writer owns it when readers == WRITER_BIAS
 * (include/linux/rwbase_rt.h; 6.12 and 7.x wrap it as
 * rw_base_is_write_locked(), 6.1 has only the constants).
 * A racy read by design: callers only ask while a lock of their own keeps
 * the answer from changing (see walk.c, mmctl_emit_vma()).
 */
#ifdef CONFIG_PREEMPT_RT
static inline bool mmctl_mm_write_locked(struct mm_struct *mm)
{
	return atomic_read(&mm->mmap_lock.rwbase.readers) == WRITER_BIAS;
}
#else
#ifndef RWSEM_WRITER_LOCKED
#define RWSEM_WRITER_LOCKED (1UL << 0)
#endif
static inline bool mmctl_mm_write_locked(struct mm_struct *mm)
{
	return atomic_long_read(&mm->mmap_lock.count) & RWSEM_WRITER_LOCKED;
}
#endif

/*
 * A counter that moves whenever the mm's mmap_lock has been write-locked:
 * mm->mm_lock_seq, added with per-VMA locks (5e31275cc997 "mm: add
 * per-VMA lock and helper functions to control it", 6.4): an int bumped by
 * vma_end_write_all() on every write unlock up to 6.12.0, later a
 * seqcount_t bumped at write lock and unlock; both keep the count in their
 * first 32 bits. Without CONFIG_PER_VMA_LOCK (6.1 has none) there is no
 * such counter and the caller compares the VMA list instead.
 */
#ifdef CONFIG_PER_VMA_LOCK
static inline bool mmctl_mm_has_lock_seq(void)
{
	return true;
}

static inline u64 mmctl_mm_lock_seq(struct mm_struct *mm)
{
	return READ_ONCE(*(u32 *)&mm->mm_lock_seq);
}
#else
static inline bool mmctl_mm_has_lock_seq(void)
{
	return false;
}

static inline u64 mmctl_mm_lock_seq(struct mm_struct *mm)
{
	return 0;
}
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
 * 6.13 (4cc0473d7754 "get rid of __get_task_comm()") when get_task_comm()
 * became strscpy_pad() of task->comm.
 */
static inline void mmctl_task_comm(char *dst, struct task_struct *t)
{
	char tmp[TASK_COMM_LEN];

	BUILD_BUG_ON(TASK_COMM_LEN != 16);
	get_task_comm(tmp, t);
	memcpy(dst, tmp, TASK_COMM_LEN);
}

#endif /* MMCTL_COMPAT_H */
