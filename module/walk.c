// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot of one process: its VMAs and, for every anon_vma hierarchy
 * they reach, the whole family across processes.
 *
 * Locks, in the kernel's order: the target's mmap_lock (read) for the whole
 * dump; then one anon_vma root rwsem (read) at a time, held while that
 * family is walked; then PTE/PMD locks inside the folio walk. Holding a
 * root rwsem for read freezes every chain, count and interval tree of that
 * hierarchy in every process, and keeps every VMA found in its trees alive.
 * Nothing takes the write side of anything.
 */
#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/pid.h>
#include <linux/rbtree.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/threads.h>

#include "compat.h"
#include "mmctl.h"

unsigned long mmctl_max_dump_bytes = 256UL << 20;

#define MMCTL_FAMILY_TRIES	8	/* lock/allocate retries per family */
#define MMCTL_RACE_TRIES	5	/* restarts after a racing first fault */
#define MMCTL_RESERVE		(64 * 1024)
#define MMCTL_ROOT_YIELDS	4	/* root rwsem given up per family, at most */
#define MMCTL_MM_RESTARTS	4	/* dumps restarted after an mmap_lock yield */
#define MMCTL_YIELD_CHECK	32	/* members walked between contention checks */
#define MMCTL_MM_HOLD_MIN_NS	(100 * 1000)

/*
 * Bounded lock holds (docs/module.md, "Lock holds"): the target's own folios
 * are walked after the family's root rwsem is released, a root rwsem that a
 * writer waits for is given up (the family walked again), and the target's
 * mmap_lock is given up between families and between page tables of the
 * target's own VMAs when contended or held longer than its budget. Off:
 * the walk of ABI 1, for make bench's side-by-side.
 */
bool mmctl_lock_breaks = true;

/* The fields of a target VMA that any change to the VMA list touches. */
struct mmctl_vma_snap {
	struct vm_area_struct *vma;
	unsigned long start, end, pgoff, flags;
	struct anon_vma *anon_vma, *root;
};

/* MMCTL_DUMP_NO_FAMILIES: the target's VMAs ordered by family. */
struct mmctl_root_idx {
	struct anon_vma *root;
	unsigned int idx;		/* in mmctl_walk.vmas */
};

struct mmctl_walk {
	struct mmctl_out *out;
	struct mm_struct *mm;		/* target */
	struct task_struct *task;	/* target's, pinned by the caller */
	u32 flags;			/* MMCTL_DUMP_* */
	struct vm_area_struct **vmas;	/* target VMAs, address order */
	unsigned long *emitted;		/* which of them have a record */
	unsigned int nr_vmas;
	struct anon_vma **roots;	/* sorted, unique */
	unsigned int nr_roots;
	struct mmctl_root_idx *byroot;	/* NO_FAMILIES only: by root, then index */
	unsigned int nr_byroot, byroot_for;
	struct mmctl_folio_av_slot *slots; /* folio walk scratch */
	unsigned int max_slots;
	unsigned int want_slots;
	u32 retries;			/* every restart, for the DUMP record */
	u32 races;			/* restarts after a racing first fault */
	/* target VMAs of the family being walked, their folios walked after it */
	u32 *deferred;
	unsigned int nr_deferred;
	/* what the VMA list looked like, to tell after an mmap_lock yield */
	struct mmctl_vma_snap *snap;
	unsigned int arrays_for;	/* VMAs the arrays above have room for */
	bool mm_locked;
	u64 mm_locked_at, mm_seq, validate_ns;
	u32 mm_restarts;
	/* the dump's cost (MMCTL_REC_STATS) */
	size_t kmem, kmem_peak;		/* working arrays; peak adds out->kmem */
	u64 max_root_lock_ns, mmap_lock_ns, max_mmap_lock_ns;
	u32 root_yields, mmap_yields;
	struct mmctl_page_range pages;	/* page-by-page range, slots NULL if none */
	struct mmctl_yield yield;	/* mmctl_folio_yield(this) */
	/* one-entry cache of the last owner looked up */
	struct mm_struct *last_mm;
	bool last_readable;
};

/*
 * Account @bytes of working memory allocated (positive) or about to be
 * freed (negative). Record chunks only grow during a dump, so the peak of
 * arrays + chunks is reached just before an array is freed, or at the end.
 */
static void mmctl_kmem(struct mmctl_walk *w, long bytes)
{
	w->kmem_peak = max(w->kmem_peak, w->kmem + w->out->kmem);
	w->kmem += bytes;
	w->kmem_peak = max(w->kmem_peak, w->kmem + w->out->kmem);
}

/*
 * May the caller read @t's memory map? The read-mode ptrace rules
 * (__ptrace_may_access with PTRACE_MODE_READ_FSCREDS), open-coded because
 * ptrace_may_access() is not exported: same thread group, or matching fs
 * credentials or CAP_SYS_PTRACE over the target's user namespace, and a
 * dumpable mm or CAP_SYS_PTRACE over its namespace. LSM ptrace hooks are not
 * consulted (documented). Call under rcu_read_lock().
 */
static bool mmctl_may_read(struct task_struct *t, struct mm_struct *mm)
{
	const struct cred *cred = current_cred(), *tcred;
	struct user_namespace *ns;

	if (same_thread_group(t, current))
		return true;
	tcred = __task_cred(t);
	if (!(uid_eq(cred->fsuid, tcred->euid) &&
	      uid_eq(cred->fsuid, tcred->suid) &&
	      uid_eq(cred->fsuid, tcred->uid) &&
	      gid_eq(cred->fsgid, tcred->egid) &&
	      gid_eq(cred->fsgid, tcred->sgid) &&
	      gid_eq(cred->fsgid, tcred->gid)) &&
	    !ns_capable_noaudit(tcred->user_ns, CAP_SYS_PTRACE))
		return false;
	/*
	 * Dumpability after the credentials, as __ptrace_may_access() reads
	 * it: a task that drops privileges becomes non-dumpable first, and
	 * commit_creds() orders the two with a write barrier.
	 */
	smp_rmb();
	if (!mmctl_dumpable(t, mm, &ns) && !ns_capable_noaudit(ns, CAP_SYS_PTRACE))
		return false;
	return true;
}

/* The kernel's vm_flags behind each of the uapi's MMCTL_VM_* (lib/vmflags.h). */
static const struct {
	unsigned long kernel;
	u32 bit;
} mmctl_vm_map[] = {
#define MMCTL_KVM(x) VM_##x
#define MMCTL_VMFLAG(bit, kernel, name) { kernel, MMCTL_VM_##bit },
#include "../lib/vmflags.h"
#undef MMCTL_VMFLAG
#undef MMCTL_KVM
};

static u32 mmctl_vm_flags(unsigned long f)
{
	u32 r = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(mmctl_vm_map); i++)
		if (f & mmctl_vm_map[i].kernel)
			r |= mmctl_vm_map[i].bit;
	return r;
}

/* Fill pid/comm of @mm's owner; returns whether the caller may see it. */
static bool mmctl_owner(struct mmctl_walk *w, struct mm_struct *mm,
			u32 *pid, char *comm, u32 *flags)
{
	struct task_struct *t;
	bool ok = false;

	rcu_read_lock();
	t = mmctl_mm_owner(mm);
	/*
	 * Without mm->owner (no CONFIG_MEMCG) the target's own mm still has a
	 * known user: the target, while it has not exec'd away from it.
	 */
	if (!IS_ENABLED(CONFIG_MEMCG) && !t && mm == w->mm &&
	    READ_ONCE(w->task->mm) == mm)
		t = w->task;
	if (!t) {
		rcu_read_unlock();
		*flags |= MMCTL_VMAF_NO_OWNER;
		return mm == w->mm;
	}
	*pid = task_tgid_vnr(t);
	ok = mm == w->mm || (*pid && mmctl_may_read(t, mm));
	if (ok)
		mmctl_task_comm(comm, t);
	rcu_read_unlock();
	return ok;
}

static bool mmctl_readable(struct mmctl_walk *w, struct mm_struct *mm)
{
	char comm[TASK_COMM_LEN];
	u32 pid = 0, flags = 0;

	if (mm == w->mm)
		return true;
	if (mm != w->last_mm) {
		w->last_readable = mmctl_owner(w, mm, &pid, comm, &flags);
		w->last_mm = mm;
	}
	return w->last_readable;
}

/* Binary search of a target VMA by address; its index or -1. */
static int mmctl_target_index(struct mmctl_walk *w, struct vm_area_struct *vma)
{
	int lo = 0, hi = (int)w->nr_vmas - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (w->vmas[mid] == vma)
			return mid;
		if (w->vmas[mid]->vm_start < vma->vm_start)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static struct mmctl_rec_vma *mmctl_emit_vma(struct mmctl_walk *w,
					    struct vm_area_struct *vma,
					    struct anon_vma *av,
					    struct anon_vma *root)
{
	struct mmctl_rec_vma *r = MMCTL_REC(w->out, MMCTL_REC_VMA, mmctl_rec_vma);

	if (!r)
		return NULL;
	r->id = mmctl_id_in(vma, root);
	r->anon_vma_id = mmctl_id_in(av, root);
	r->root_id = mmctl_id_in(root, root);
	/*
	 * The target's VMAs are those its VMA tree held when the dump took
	 * the mmap_lock; one of its mm that is only in the anon_vma trees was
	 * detached by a munmap() that downgraded to the read lock.
	 */
	if (vma->vm_mm == w->mm)
		r->flags |= mmctl_target_index(w, vma) >= 0 ? MMCTL_VMAF_TARGET :
			MMCTL_VMAF_DETACHED;
	/*
	 * Every window a mutation opens on a VMA already in a tree holds the
	 * VMA's mm write-locked from before the VMA was linked (under this
	 * root's lock) until the window closes, which needs this root's lock
	 * for write: for a VMA found in the tree, the bit read at any moment
	 * of our hold is set if the VMA shows such a window anywhere in it
	 * (docs/checker.md, "Windows").
	 */
	if (mmctl_mm_write_locked(vma->vm_mm))
		r->flags |= MMCTL_VMAF_MM_WRITER;
	if (!mmctl_owner(w, vma->vm_mm, &r->pid, r->comm, &r->flags)) {
		/*
		 * A caller that may not read the owner learns the VMA's
		 * place in the family (IDs, chain, tree position) and
		 * nothing of its own: no pid, comm, mm, range, pgoff or
		 * flags (docs/module.md, "Redaction").
		 */
		r->pid = 0;
		r->flags |= MMCTL_VMAF_REDACTED;
		return r;
	}
	r->mm_id = mmctl_id_in(vma->vm_mm, NULL);
	r->vm_flags = mmctl_vm_flags(vma->vm_flags);
	r->kernel_vm_flags = vma->vm_flags;
	if (vma->vm_file)
		r->flags |= MMCTL_VMAF_FILE;
	if (vma_is_anonymous(vma))
		r->flags |= MMCTL_VMAF_ANON;
	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->pgoff = vma->vm_pgoff;
	return r;
}

static unsigned long mmctl_avc_last(struct anon_vma_chain *avc)
{
	return avc->vma->vm_pgoff + vma_pages(avc->vma) - 1;
}

static unsigned long mmctl_subtree_last(struct rb_node *n)
{
	return n ? rb_entry(n, struct anon_vma_chain, rb)->rb_subtree_last : 0;
}

/* One anon_vma of @root's family and every node of its interval tree. */
static int mmctl_emit_anon_vma(struct mmctl_walk *w, struct anon_vma *av,
			       struct anon_vma *root)
{
	struct mmctl_rec_anon_vma *r;
	struct rb_node *node, *first;
	unsigned long prev_start = 0;
	u32 pos = 0;

	r = MMCTL_REC(w->out, MMCTL_REC_ANON_VMA, mmctl_rec_anon_vma);
	if (!r)
		return -EAGAIN;
	r->id = mmctl_id_in(av, root);
	r->root_id = mmctl_id_in(av->root, root);
	r->parent_id = mmctl_id_in(av->parent, root);
	r->num_children = av->num_children;
	r->num_active_vmas = av->num_active_vmas;
	r->refcount = atomic_read(&av->refcount);

	first = rb_first(&av->rb_root.rb_root);
	if (av->rb_root.rb_leftmost != first)
		r->tree_flags |= MMCTL_TREEF_LEFTMOST;
	for (node = first; node; node = rb_next(node), pos++) {
		struct anon_vma_chain *avc = rb_entry(node, struct anon_vma_chain, rb);
		struct mmctl_rec_tree *t, scratch;
		unsigned long start = avc->vma->vm_pgoff;
		unsigned long calc;

		/* MMCTL_DUMP_NO_TREE: counted and checked, not written. */
		if (w->flags & MMCTL_DUMP_NO_TREE) {
			memset(&scratch, 0, sizeof(scratch));
			t = &scratch;
		} else {
			t = MMCTL_REC(w->out, MMCTL_REC_TREE, mmctl_rec_tree);
		}
		if (!t)
			return -EAGAIN;
		calc = max3(mmctl_avc_last(avc), mmctl_subtree_last(node->rb_left),
			    mmctl_subtree_last(node->rb_right));
		t->anon_vma_id = r->id;
		t->avc_id = mmctl_id_in(avc, root);
		t->vma_id = mmctl_id_in(avc->vma, root);
		t->pos = pos;
		if (pos && start < prev_start)
			t->flags |= MMCTL_TREEF_ORDER;
		if (calc != avc->rb_subtree_last)
			t->flags |= MMCTL_TREEF_SUBTREE;
		if (mmctl_readable(w, avc->vma->vm_mm)) {
			t->start_pgoff = start;
			t->last_pgoff = mmctl_avc_last(avc);
			t->subtree_last = avc->rb_subtree_last;
			t->subtree_last_calc = calc;
		} else {
			t->flags |= MMCTL_TREEF_REDACTED;
		}
		r->tree_flags |= t->flags & (MMCTL_TREEF_ORDER | MMCTL_TREEF_SUBTREE);
		prev_start = start;
	}
	r->tree_avcs = pos;
	return 0;
}

/* Is the VMA list as mmctl_collect_vmas() saw it? O(VMAs). */
static bool mmctl_vmas_unchanged(struct mmctl_walk *w)
{
	VMA_ITERATOR(vmi, w->mm, 0);
	struct vm_area_struct *vma;
	unsigned int i = 0;

	for_each_vma(vmi, vma) {
		const struct mmctl_vma_snap *sn = &w->snap[i];
		struct anon_vma *av;

		if (i == w->nr_vmas || sn->vma != vma || sn->start != vma->vm_start ||
		    sn->end != vma->vm_end || sn->pgoff != vma->vm_pgoff ||
		    sn->flags != vma->vm_flags)
			return false;
		/*
		 * A freed VMA and anon_vma can come back at the same addresses
		 * (slab reuse): the root too must be the one whose rwsem the
		 * walk will take, pinned by this live anon_vma.
		 */
		av = READ_ONCE(vma->anon_vma);
		if (sn->anon_vma != av || (av && sn->root != av->root))
			return false;
		i++;
	}
	return i == w->nr_vmas;
}

static void mmctl_mm_unlock(struct mmctl_walk *w)
{
	u64 held = ktime_get_ns() - w->mm_locked_at;

	mmap_read_unlock(w->mm);
	w->mm_locked = false;
	w->mmap_lock_ns += held;
	w->max_mmap_lock_ns = max(w->max_mmap_lock_ns, held);
}

static int mmctl_mm_lock(struct mmctl_walk *w)
{
	int ret = mmap_read_lock_killable(w->mm);

	if (ret)
		return ret;
	w->mm_locked = true;
	w->mm_locked_at = ktime_get_ns();
	return 0;
}

/*
 * Between two families, and between page tables of the target's own VMAs
 * (walked under no root rwsem): give the target's mmap_lock up when a writer
 * waits, the scheduler wants the CPU (once the hold is 4 times what checking
 * the VMA list costs), or it has been held longer than its budget (half the
 * longest family so far, so that a hold that ends with a family is at most
 * 1.5 times the longest; at least 0.1 ms, and that same 4 times). After
 * retaking it, a VMA list that changed restarts the dump (-ESTALE); after
 * MMCTL_MM_RESTARTS of those, the lock is kept to the end. The change is
 * told by mm_lock_seq where the kernel keeps one (per-VMA locks, 6.4+),
 * else by comparing the list.
 */
static int mmctl_mm_yield(struct mmctl_walk *w)
{
	u64 budget = max3((u64)MMCTL_MM_HOLD_MIN_NS, w->max_root_lock_ns / 2, 4 * w->validate_ns);
	u64 seq, t0, held;
	bool same;
	int ret;

	if (!mmctl_lock_breaks || w->mm_restarts >= MMCTL_MM_RESTARTS) {
		cond_resched();
		return 0;
	}
	/*
	 * Not scheduled out with the lock held: a task that needs the CPU is
	 * a waiter too, once the hold has paid for the check that follows.
	 */
	held = ktime_get_ns() - w->mm_locked_at;
	if (!mmap_lock_is_contended(w->mm) && held < budget &&
	    !(need_resched() && held >= 4 * w->validate_ns))
		return 0;
	seq = mmctl_mm_lock_seq(w->mm);
	mmctl_mm_unlock(w);
	w->mmap_yields++;
	cond_resched();
	ret = mmctl_mm_lock(w);
	if (ret)
		return ret;
	t0 = ktime_get_ns();
	same = mmctl_mm_has_lock_seq() ? seq == mmctl_mm_lock_seq(w->mm) :
		mmctl_vmas_unchanged(w);
	w->validate_ns = ktime_get_ns() - t0;
	if (same)
		return 0;
	w->mm_restarts++;
	return -ESTALE;
}

/*
 * Between page tables of the target's own VMAs, walked under its mmap_lock
 * alone: the same yield as between families (struct mmctl_yield). A first
 * fault may attach an anon_vma (and a chain entry) under the read lock,
 * which mm_lock_seq does not see: a VMA whose anon_vma changed while the
 * lock was let go restarts the dump too, counted like a changed list.
 */
static int mmctl_folio_yield(void *arg, struct vm_area_struct *vma, struct anon_vma *anon_vma)
{
	struct mmctl_walk *w = arg;
	u32 before = w->mmap_yields;
	int ret = mmctl_mm_yield(w);

	if (ret || w->mmap_yields == before)
		return ret;
	if (READ_ONCE(vma->anon_vma) != anon_vma) {
		w->mm_restarts++;
		return -ESTALE;
	}
	return 1;
}

static bool mmctl_want_folios(struct mmctl_walk *w, struct mmctl_rec_vma *v)
{
	if (w->flags & MMCTL_DUMP_NO_FOLIOS)
		return false;
	if (v->flags & MMCTL_VMAF_TARGET)
		return true;
	return (w->flags & MMCTL_DUMP_MEMBER_FOLIOS) &&
		!(v->flags & MMCTL_VMAF_REDACTED);
}

/* The page range applies to the target's own address space only. */
static struct mmctl_page_range *mmctl_pages_of(struct mmctl_walk *w, struct mmctl_rec_vma *v)
{
	return w->pages.slots && (v->flags & MMCTL_VMAF_TARGET) ? &w->pages : NULL;
}

/*
 * The folio summary of @vma (@vma_id in @root's family): one FOLIO_AV record
 * per chain entry of the family, then the page-table walk. Called under the
 * root rwsem (a member's: its page tables live while the VMA is in the
 * trees) or, for the target's own VMAs, under the target's mmap_lock alone,
 * which keeps their chains and page tables. -ENOBUFS: the folio slots are
 * too few for the chain (w->want_slots says how many).
 */
static int mmctl_vma_folios(struct mmctl_walk *w, struct vm_area_struct *vma, u64 vma_id,
			    struct anon_vma *root, struct mmctl_page_range *pr,
			    const struct mmctl_yield *yield)
{
	struct anon_vma_chain *c;
	unsigned int n = 0;

	list_for_each_entry(c, &vma->anon_vma_chain, same_vma)
		n++;
	if (n > w->max_slots) {
		w->want_slots = max3(16U, 2 * w->max_slots, n);
		return -ENOBUFS;
	}
	n = 0;
	list_for_each_entry(c, &vma->anon_vma_chain, same_vma) {
		struct mmctl_rec_folio_av *fa;

		/* Broken I1: the entry is reported, not counted against. */
		if (c->anon_vma->root != root)
			continue;
		fa = MMCTL_REC(w->out, MMCTL_REC_FOLIO_AV, mmctl_rec_folio_av);
		if (!fa)
			return -EAGAIN;
		fa->vma_id = vma_id;
		fa->anon_vma_id = mmctl_id_in(c->anon_vma, root);
		w->slots[n].av = c->anon_vma;
		w->slots[n++].rec = fa;
	}
	return mmctl_walk_folios(w->out, vma, vma_id, root, w->slots, n, pr, yield);
}

/* Chain of one VMA, the anon_vmas first met there, and its folios. */
static int mmctl_emit_member(struct mmctl_walk *w, struct mmctl_rec_family *fam,
			     struct vm_area_struct *vma, struct anon_vma *root)
{
	struct anon_vma *av = READ_ONCE(vma->anon_vma);
	struct anon_vma_chain *c;
	struct mmctl_rec_vma *v;
	u32 pos = 0;
	int ret, idx = -1;

	v = mmctl_emit_vma(w, vma, av, root);
	if (!v)
		return -EAGAIN;
	list_for_each_entry(c, &vma->anon_vma_chain, same_vma) {
		struct mmctl_rec_chain *cr;

		cr = MMCTL_REC(w->out, MMCTL_REC_CHAIN, mmctl_rec_chain);
		if (!cr)
			return -EAGAIN;
		cr->vma_id = v->id;
		cr->anon_vma_id = mmctl_id_in(c->anon_vma, root);
		cr->avc_id = mmctl_id_in(c, root);
		cr->pos = pos++;
		if (c->anon_vma == av)
			cr->flags |= MMCTL_CHAINF_IS_ANON_VMA;
		if (c->vma != vma)
			cr->flags |= MMCTL_CHAINF_VMA_MISMATCH;
		fam->nr_chain++;
		if (c->anon_vma->root != root) {
			/* Broken I1: never touch a tree whose lock we lack. */
			cr->flags |= MMCTL_CHAINF_FOREIGN_ROOT;
			continue;
		}
		/* Each live anon_vma once: where its tree's leftmost node is. */
		if (rb_first(&c->anon_vma->rb_root.rb_root) == &c->rb) {
			ret = mmctl_emit_anon_vma(w, c->anon_vma, root);
			if (ret)
				return ret;
			fam->nr_anon_vmas++;
		}
	}
	v->chain_len = pos;
	if (v->flags & MMCTL_VMAF_TARGET) {
		idx = mmctl_target_index(w, vma);
		if (idx >= 0)
			__set_bit(idx, w->emitted);
	}
	if (!mmctl_want_folios(w, v))
		return 0;
	/* The target's own folios need no root lock: after the family. */
	if (idx >= 0 && mmctl_lock_breaks) {
		w->deferred[w->nr_deferred++] = idx;
		return 0;
	}
	return mmctl_vma_folios(w, vma, v->id, root, mmctl_pages_of(w, v), NULL);
}

/*
 * A writer waiting on this root (a fork, an munmap in the family): give the
 * lock up and walk the family again, a few times at most, so the walk ends.
 * The scheduler is served without letting go (a read-held rwsem may sleep).
 */
static int mmctl_root_pause(struct mmctl_rec_family *fam, struct anon_vma *root,
			    unsigned int yields)
{
	if (mmctl_lock_breaks && fam->nr_vmas % MMCTL_YIELD_CHECK == MMCTL_YIELD_CHECK - 1) {
		if (yields < MMCTL_ROOT_YIELDS && rwsem_is_contended(&root->rwsem))
			return -EBUSY;
		cond_resched();
	}
	return 0;
}

/* MMCTL_DUMP_NO_FAMILIES: of @root's family, the target's VMAs only. */
static int mmctl_walk_own_part(struct mmctl_walk *w, struct mmctl_rec_family *fam,
			       struct anon_vma *root, unsigned int yields)
{
	unsigned int lo = 0, hi = w->nr_byroot, mid;
	int ret;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((unsigned long)w->byroot[mid].root < (unsigned long)root)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < w->nr_byroot && w->byroot[lo].root == root; lo++) {
		ret = mmctl_root_pause(fam, root, yields);
		if (!ret)
			ret = mmctl_emit_member(w, fam, w->vmas[w->byroot[lo].idx], root);
		if (ret)
			return ret;
		fam->nr_vmas++;
	}
	fam->nr_mms = !!fam->nr_vmas;
	return 0;
}

static int mmctl_walk_family_locked(struct mmctl_walk *w, struct anon_vma *root,
				    struct mmctl_rec_family **famp, unsigned int *yields)
{
	struct mmctl_rec_family *fam;
	struct mm_struct *prev_mm = NULL;
	struct rb_node *node;
	int ret;

	/* Members' mms are pinned only while this root lock is held. */
	w->last_mm = NULL;
	fam = MMCTL_REC(w->out, MMCTL_REC_FAMILY, mmctl_rec_family);
	if (!fam)
		return -EAGAIN;
	*famp = fam;
	fam->root_id = mmctl_id_in(root, root);
	if (w->flags & MMCTL_DUMP_NO_FAMILIES)
		return mmctl_walk_own_part(w, fam, root, *yields);
	/* Every VMA of the hierarchy has exactly one AVC in the root's tree. */
	for (node = rb_first(&root->rb_root.rb_root); node; node = rb_next(node)) {
		struct anon_vma_chain *avc = rb_entry(node, struct anon_vma_chain, rb);

		ret = mmctl_root_pause(fam, root, *yields);
		if (ret)
			return ret;
		ret = mmctl_emit_member(w, fam, avc->vma, root);
		if (ret)
			return ret;
		fam->nr_vmas++;
		if (avc->vma->vm_mm != prev_mm)
			fam->nr_mms++;
		prev_mm = avc->vma->vm_mm;
	}
	return 0;
}

static int mmctl_grow_slots(struct mmctl_walk *w)
{
	struct mmctl_folio_av_slot *s;

	if (w->want_slots <= w->max_slots)
		return 0;
	s = kvmalloc_array(w->want_slots, sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mmctl_kmem(w, w->want_slots * sizeof(*s));
	mmctl_kmem(w, -(long)(w->max_slots * sizeof(*s)));
	kvfree(w->slots);
	w->slots = s;
	w->max_slots = w->want_slots;
	return 0;
}

/* The target's VMAs of the family just walked: their folios, unlocked. */
static int mmctl_deferred_folios(struct mmctl_walk *w, struct anon_vma *root)
{
	unsigned int k;
	int ret;

	for (k = 0; k < w->nr_deferred; k++) {
		struct vm_area_struct *vma = w->vmas[w->deferred[k]];
		u64 id = mmctl_id_in(vma, root);

		ret = mmctl_vma_folios(w, vma, id, root, w->pages.slots ? &w->pages : NULL,
				       &w->yield);
		if (ret == -ENOBUFS) {
			ret = mmctl_grow_slots(w);
			if (!ret)
				ret = mmctl_vma_folios(w, vma, id, root,
						       w->pages.slots ? &w->pages : NULL,
						       &w->yield);
		}
		if (ret == -EAGAIN)	/* GFP_KERNEL: the cap, or no memory */
			return mmctl_out_err(w->out);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

static int mmctl_walk_family(struct mmctl_walk *w, struct anon_vma *root)
{
	struct mmctl_rec_family *fam = NULL;
	struct mmctl_out_mark mark;
	size_t reserve = MMCTL_RESERVE;
	unsigned int yields = 0;
	int ret, tries;
	u64 t0, held;

	mmctl_out_mark(w->out, &mark);
	for (tries = 0; tries < MMCTL_FAMILY_TRIES;) {
		ret = mmctl_out_reserve(w->out, reserve);
		if (!ret)
			ret = mmctl_grow_slots(w);
		if (ret)
			return ret;
		if (down_read_killable(&root->rwsem))
			return -EINTR;
		t0 = ktime_get_ns();
		w->out->gfp = GFP_NOWAIT;
		w->nr_deferred = 0;
		ret = mmctl_walk_family_locked(w, root, &fam, &yields);
		w->out->gfp = GFP_KERNEL;
		held = ktime_get_ns() - t0;
		up_read(&root->rwsem);
		if (fam)
			fam->lock_ns = held;
		w->max_root_lock_ns = max(w->max_root_lock_ns, held);
		if (!ret)
			return mmctl_deferred_folios(w, root);
		if (ret != -EAGAIN && ret != -ENOBUFS && ret != -EBUSY)
			return ret;
		if (w->out->capped)
			return -EFBIG;
		/*
		 * Out of memory that GFP_NOWAIT could get (one try spent), a
		 * chain longer than the folio slots (sized to it now), or the
		 * lock given up to a waiter: walk the family again.
		 */
		if (ret == -EAGAIN) {
			reserve = max(2 * reserve, w->out->used - mark.used + MMCTL_RESERVE);
			tries++;
			if (READ_ONCE(mmctl_fault_retry_ms))	/* tests only */
				msleep(READ_ONCE(mmctl_fault_retry_ms));
		} else if (ret == -EBUSY) {
			yields++;
			w->root_yields++;
		}
		mmctl_out_rollback(w->out, &mark);
		fam = NULL;
		w->retries++;
		cond_resched();
	}
	return -ENOMEM;
}

static int mmctl_cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static int mmctl_cmp_root_idx(const void *a, const void *b)
{
	const struct mmctl_root_idx *x = a, *y = b;

	if (x->root != y->root)
		return (unsigned long)x->root < (unsigned long)y->root ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Collect the target's distinct roots; the mmap_lock keeps them alive. For
 * MMCTL_DUMP_NO_FAMILIES, also the VMAs of each (byroot, from the same read
 * of vma->anon_vma: a VMA that gains one later is a loner, as in a full walk).
 */
static void mmctl_collect_roots(struct mmctl_walk *w)
{
	unsigned int i, n = 0;

	for (i = 0; i < w->nr_vmas; i++) {
		struct anon_vma *av = READ_ONCE(w->vmas[i]->anon_vma);

		if (!av)
			continue;
		if (w->byroot)
			w->byroot[n] = (struct mmctl_root_idx){ .root = av->root, .idx = i };
		w->roots[n++] = av->root;
	}
	if (w->byroot) {
		sort(w->byroot, n, sizeof(*w->byroot), mmctl_cmp_root_idx, NULL);
		w->nr_byroot = n;
	}
	sort(w->roots, n, sizeof(*w->roots), mmctl_cmp_ptr, NULL);
	w->nr_roots = 0;
	for (i = 0; i < n; i++)
		if (!w->nr_roots || w->roots[w->nr_roots - 1] != w->roots[i])
			w->roots[w->nr_roots++] = w->roots[i];
}

/* VMAs of the target in no family: no anon_vma when the pass looked. */
static int mmctl_emit_loners(struct mmctl_walk *w, bool *raced)
{
	unsigned int i;
	int ret;

	for (i = 0; i < w->nr_vmas; i++) {
		struct vm_area_struct *vma = w->vmas[i];
		struct mmctl_rec_vma *v;

		if (test_bit(i, w->emitted))
			continue;
		if (READ_ONCE(vma->anon_vma)) {
			/* A first fault attached one after its family pass. */
			*raced = true;
			return 0;
		}
		v = mmctl_emit_vma(w, vma, NULL, NULL);
		if (!v)	/* GFP_KERNEL failed: the cap (EFBIG) or no memory */
			return mmctl_out_err(w->out);
		if (w->flags & MMCTL_DUMP_NO_FOLIOS)
			continue;
		ret = mmctl_walk_folios(w->out, vma, v->id, NULL, NULL, 0,
					mmctl_pages_of(w, v), &w->yield);
		if (ret)
			return ret == -EAGAIN ? mmctl_out_err(w->out) : ret;
		/*
		 * A first fault during the walk: __anon_vma_prepare() sets
		 * vma->anon_vma (page_table_lock) before the fault installs
		 * its PTE (PTE lock), so a page of the new anon_vma seen
		 * under the PTE lock implies the pointer is set by now.
		 * Those pages were counted outside a chain that is empty
		 * only because the walk began first: walk again.
		 */
		if (READ_ONCE(vma->anon_vma)) {
			*raced = true;
			return 0;
		}
	}
	return 0;
}

/* (Re)size the per-VMA arrays for the mm's VMA count; list the VMAs. */
static int mmctl_collect_vmas(struct mmctl_walk *w)
{
	VMA_ITERATOR(vmi, w->mm, 0);
	struct vm_area_struct *vma;
	unsigned int i = 0, n = max(w->mm->map_count, 1);

	if (n > w->arrays_for) {
		if (w->arrays_for)
			mmctl_kmem(w, -(long)(w->arrays_for * (sizeof(*w->vmas) +
				   sizeof(*w->roots) + sizeof(*w->deferred) + sizeof(*w->snap)) +
				   BITS_TO_LONGS(w->arrays_for) * sizeof(long)));
		kvfree(w->vmas);
		kvfree(w->roots);
		kvfree(w->deferred);
		kvfree(w->snap);
		bitmap_free(w->emitted);
		w->vmas = kvmalloc_array(n, sizeof(*w->vmas), GFP_KERNEL);
		w->roots = kvmalloc_array(n, sizeof(*w->roots), GFP_KERNEL);
		w->deferred = kvmalloc_array(n, sizeof(*w->deferred), GFP_KERNEL);
		w->snap = kvmalloc_array(n, sizeof(*w->snap), GFP_KERNEL);
		w->emitted = bitmap_zalloc(n, GFP_KERNEL);
		w->arrays_for = 0;
		if (!w->vmas || !w->roots || !w->deferred || !w->snap || !w->emitted)
			return -ENOMEM;
		w->arrays_for = n;
		mmctl_kmem(w, n * (sizeof(*w->vmas) + sizeof(*w->roots) + sizeof(*w->deferred) +
			   sizeof(*w->snap)) + BITS_TO_LONGS(n) * sizeof(long));
	}
	if ((w->flags & MMCTL_DUMP_NO_FAMILIES) && w->byroot_for < w->arrays_for) {
		mmctl_kmem(w, -(long)(w->byroot_for * sizeof(*w->byroot)));
		kvfree(w->byroot);
		w->byroot_for = 0;
		w->byroot = kvmalloc_array(w->arrays_for, sizeof(*w->byroot), GFP_KERNEL);
		if (!w->byroot)
			return -ENOMEM;
		w->byroot_for = w->arrays_for;
		mmctl_kmem(w, w->byroot_for * sizeof(*w->byroot));
	}
	for_each_vma(vmi, vma) {
		struct anon_vma *av = READ_ONCE(vma->anon_vma);

		if (i == w->arrays_for)
			break;
		w->vmas[i] = vma;
		w->snap[i++] = (struct mmctl_vma_snap){
			.vma = vma, .start = vma->vm_start, .end = vma->vm_end,
			.pgoff = vma->vm_pgoff, .flags = vma->vm_flags,
			.anon_vma = av, .root = av ? av->root : NULL,
		};
	}
	w->nr_vmas = i;
	return 0;
}

static int mmctl_walk_mm(struct mmctl_walk *w, struct task_struct *task)
{
	struct mmctl_out_mark start;
	struct mmctl_rec_dump *d;
	unsigned int i;
	bool raced;
	int ret;

	w->task = task;
	mmctl_out_mark(w->out, &start);
restart:
	ret = mmctl_collect_vmas(w);
	if (ret)
		return ret;
	for (;;) {
		mmctl_collect_roots(w);
		bitmap_zero(w->emitted, w->nr_vmas);
		d = MMCTL_REC(w->out, MMCTL_REC_DUMP, mmctl_rec_dump);
		if (!d)
			return mmctl_out_err(w->out);
		d->abi_version = MMCTL_ABI_VERSION;
		d->flags = MMCTL_DUMPF_CONSISTENT;
		if (!(w->flags & MMCTL_DUMP_NO_FOLIOS))
			d->flags |= MMCTL_DUMPF_FOLIOS;
		if (w->flags & MMCTL_DUMP_NO_TREE)
			d->flags |= MMCTL_DUMPF_NO_TREE;
		if (w->flags & MMCTL_DUMP_NO_FAMILIES)
			d->flags |= MMCTL_DUMPF_NO_FAMILIES | MMCTL_DUMPF_PARTIAL;
		d->pid = task_tgid_vnr(task);
		d->key_id = mmctl_key_id();
		d->mm_id = mmctl_id_in(w->mm, NULL);
		d->page_shift = PAGE_SHIFT;
		d->nr_families = w->nr_roots;
		mmctl_task_comm(d->comm, task);

		for (i = 0; i < w->nr_roots; i++) {
			ret = mmctl_walk_family(w, w->roots[i]);
			if (ret == -ESTALE)
				goto stale;
			if (ret)
				return ret;
			if (fatal_signal_pending(current))
				return -EINTR;
			if (i + 1 == w->nr_roots)
				break;
			ret = mmctl_mm_yield(w);
			if (ret == -ESTALE)
				goto stale;
			if (ret)
				return ret;
		}
		raced = false;
		ret = mmctl_emit_loners(w, &raced);
		if (ret == -ESTALE)
			goto stale;
		if (ret)
			return ret;
		if (!raced)
			break;
		w->retries++;
		if (++w->races > MMCTL_RACE_TRIES)
			return -EAGAIN;
		mmctl_out_rollback(w->out, &start);
	}
	d->retries = w->retries;
	return 0;

stale:
	/* The VMA list changed while the mmap_lock was let go: from the start. */
	mmctl_out_rollback(w->out, &start);
	w->retries++;
	goto restart;
}

/* The last record: what this dump cost. */
static int mmctl_emit_stats(struct mmctl_walk *w, u64 t_start)
{
	struct mmctl_rec_stats *st;
	int ret;

	ret = mmctl_out_reserve(w->out, sizeof(*st));
	if (ret)
		return ret;
	st = MMCTL_REC(w->out, MMCTL_REC_STATS, mmctl_rec_stats);
	if (!st)
		return -ENOMEM;
	mmctl_kmem(w, 0);
	st->mmap_lock_ns = w->mmap_lock_ns;
	st->max_mmap_lock_ns = w->max_mmap_lock_ns;
	st->max_root_lock_ns = w->max_root_lock_ns;
	st->root_lock_yields = w->root_yields;
	st->mmap_lock_yields = w->mmap_yields;
	st->kmem_peak = w->kmem_peak;
	st->kmem_records = w->out->kmem;
	st->walk_ns = ktime_get_ns() - t_start;
	return 0;
}

int mmctl_dump_pid(struct mmctl_out *out, const struct mmctl_dump_req *req)
{
	struct mmctl_walk w = { .out = out, .flags = req->flags, .want_slots = 16,
				.yield = { .fn = mmctl_folio_yield, .arg = &w } };
	u64 t_start = ktime_get_ns();
	struct task_struct *task;
	u32 pid = req->pid;
	struct pid *spid;
	bool ok = false;
	int ret;

	/* Its anon_vmas' trees hold nodes of VMAs the dump leaves out. */
	if (w.flags & MMCTL_DUMP_NO_FAMILIES)
		w.flags |= MMCTL_DUMP_NO_TREE;
	if (!pid || pid > PID_MAX_LIMIT)
		return -EINVAL;
	if (req->page_count) {
		/* Bounded by MMCTL_MAX_PAGES, allocated before any lock. */
		w.pages.start = req->page_addr;
		w.pages.end = req->page_addr + (unsigned long)req->page_count * PAGE_SIZE;
		w.pages.slots = kvcalloc(req->page_count, sizeof(*w.pages.slots), GFP_KERNEL);
		if (!w.pages.slots)
			return -ENOMEM;
		mmctl_kmem(&w, req->page_count * sizeof(*w.pages.slots));
	}
	spid = find_get_pid(pid);
	if (!spid) {
		ret = -ESRCH;
		goto free_pages;
	}
	task = get_pid_task(spid, PIDTYPE_PID);
	put_pid(spid);
	if (!task) {
		ret = -ESRCH;
		goto free_pages;
	}
	if (task->flags & PF_KTHREAD) {
		ret = -EINVAL;
		goto put_task;
	}
	/*
	 * As mm_access() (not exported): the mm and the permission to read it
	 * are taken together under exec_update_lock, which exec holds for
	 * write from before it switches the mm until the new credentials are
	 * in place. Without it, a target exec'ing a setuid binary could give
	 * us the new image's mm while its old credentials still say we may
	 * read it.
	 */
	ret = down_read_killable(&task->signal->exec_update_lock);
	if (ret)
		goto put_task;
	w.mm = get_task_mm(task);
	if (w.mm) {
		rcu_read_lock();
		ok = mmctl_may_read(task, w.mm);
		rcu_read_unlock();
	}
	up_read(&task->signal->exec_update_lock);
	if (!w.mm) {
		ret = -ESRCH;
		goto put_task;
	}
	if (!ok) {
		ret = -EACCES;
		goto put_mm;
	}
	ret = mmctl_mm_lock(&w);
	if (ret)
		goto put_mm;
	ret = mmctl_walk_mm(&w, task);
	/* A fatal signal while retaking it after a yield leaves it unheld. */
	if (w.mm_locked)
		mmctl_mm_unlock(&w);
	if (!ret)
		ret = mmctl_emit_stats(&w, t_start);
	bitmap_free(w.emitted);
	kvfree(w.roots);
	kvfree(w.vmas);
	kvfree(w.deferred);
	kvfree(w.snap);
	kvfree(w.slots);
	kvfree(w.byroot);
put_mm:
	mmput(w.mm);
put_task:
	put_task_struct(task);
free_pages:
	kvfree(w.pages.slots);
	return ret;
}
