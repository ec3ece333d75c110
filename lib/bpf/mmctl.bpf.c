// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF backend: an iter/task_vma program that writes, for the VMAs of
 * one process, the same records as the module (uapi/linux/mmctl.h): VMA,
 * its anon_vma_chain in list order, and each chain member's anon_vma; and
 * for each anon_vma family it meets, every other process's VMA in the
 * root's interval tree (an in-order walk from the cached leftmost node,
 * bounded with bpf_loop).
 * Lockless (the dump is marked partial, not consistent) and CO-RE: one
 * object loads on every kernel with BTF. Object fields carry raw kernel
 * addresses; the CLI replaces them with keyed-hash IDs before anything is
 * printed (backend_bpf.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

/* vmlinux.h has the kernel's __u64/__u32: skip the libc-side headers. */
#define _LINUX_TYPES_H
#define _LINUX_IOCTL_H
#include <linux/mmctl.h>

char LICENSE[] SEC("license") = "GPL";

/* Set by the CLI before each iteration (.bss: writable after load, so one
 * loaded program serves every dump of a run, and when pinned every mmctl
 * process's: each holds the pin directory's flock from setting these to
 * reading families_cut back, backend_bpf.c). */
__u32 target_tgid;
__u64 run_id;		/* bumped by the CLI per dump: families walked once */
__u32 families_cut;	/* a family larger than MAX_FAMILY: view partial */
__u32 no_families;	/* set by the CLI: the target's own VMAs only */
/*
 * Set by the CLI (with no_families): every process's VMAs in one pass, each
 * with its pid (mmctl top); the CLI splits the stream by pid. anon_vma
 * records are written with every chain entry then (the written marks are
 * per dump, and this stream is every process's dump at once).
 */
__u32 every_task;
/* The CLI's pid namespace (inode number): pids are reported and the
 * target matched in it. */
__u32 reader_inum;

#define MAX_FAMILY 8192	/* interval-tree nodes walked per family */
/*
 * Bytes one family walk may write: all of one object's output must fit the
 * iterator's seq_file buffer (32 KiB), or the kernel fails the read with
 * E2BIG. A family larger than this is cut, and the dump marked partial.
 */
#define FAMILY_BUDGET (20 * 1024)
#define MAX_DEPTH 64	/* rb-tree height bound for one rb_next step */

/*
 * What earlier objects of this dump already wrote: family roots walked,
 * anon_vma records written. The value is (run_id << 32 | seq_num of the
 * object that wrote it). When one object's output overflows the seq_file
 * buffer the kernel discards it and runs the program again for the same
 * object (same seq_num): a mark made by that discarded attempt must not
 * count, or the retry would skip what was never delivered.
 */
/*
 * Allocated as used, not up front (BPF_F_NO_PREALLOC of uapi/linux/bpf.h;
 * vmlinux-min.h has no enum for it): a pinned program keeps its maps for
 * the whole boot, and 327680 preallocated entries are ~20 MiB of kernel
 * memory. Each dump empties them first.
 */
#define NO_PREALLOC 1

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} walked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, NO_PREALLOC);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, __u64);
} written SEC(".maps");

/* Was @key marked by an earlier, delivered object of this dump? Marks it
 * for this object otherwise. */
static __always_inline int done_before(void *map, __u64 key, __u64 seq_num)
{
	__u64 mark = (run_id << 32) | (seq_num & 0xffffffffULL), *v;

	v = bpf_map_lookup_elem(map, &key);
	if (v && (*v >> 32) == (run_id & 0xffffffffULL) && *v != mark)
		return 1;
	bpf_map_update_elem(map, &key, &mark, BPF_ANY);
	return 0;
}

#define MAX_CHAIN 64

/*
 * @t's thread group id in the CLI's pid namespace (pid_nr_ns() of its
 * leader's pid), 0 when it has none there: task->tgid is the init
 * namespace's, wrong for a CLI in a container.
 */
static __always_inline __u32 tgid_for_reader(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int level, i;
	struct upid up;

	if (!p)
		return 0;
	level = BPF_CORE_READ(p, level);
	/* MAX_PID_NS_LEVEL is 32: numbers[0..level], the init ns first. */
	for (i = 0; i < 33; i++) {
		if (i > level)
			break;
		if (bpf_core_read(&up, sizeof(up), &p->numbers[i]))
			return 0;
		if (up.ns && BPF_CORE_READ(up.ns, ns.inum) == reader_inum)
			return (__u32)up.nr;
	}
	return 0;
}

/*
 * Kernel vm_flags bits (stable across 6.1 .. 7.x), MMCTL_KVM() of
 * lib/vmflags.h here, where no kernel header defines VM_*.
 */
#define K_VM_READ	0x00000001UL
#define K_VM_WRITE	0x00000002UL
#define K_VM_EXEC	0x00000004UL
#define K_VM_SHARED	0x00000008UL
#define K_VM_MAYSHARE	0x00000080UL
#define K_VM_GROWSDOWN	0x00000100UL
#define K_VM_PFNMAP	0x00000400UL
#define K_VM_LOCKED	0x00002000UL
#define K_VM_IO		0x00004000UL
#define K_VM_DONTCOPY	0x00020000UL
#define K_VM_ACCOUNT	0x00100000UL
#define K_VM_HUGETLB	0x00400000UL
#define K_VM_WIPEONFORK	0x02000000UL
#define K_VM_HUGEPAGE	0x20000000UL
#define K_VM_NOHUGEPAGE	0x40000000UL
#define K_VM_MERGEABLE	0x80000000UL

static __u32 vm_flags(unsigned long f)
{
	__u32 r = 0;

#define MMCTL_KVM(x) K_VM_##x
#define MMCTL_VMFLAG(bit, kernel, name) r |= (f & (kernel)) ? MMCTL_VM_##bit : 0;
#include "vmflags.h"		/* lib/vmflags.h, through -I */
#undef MMCTL_VMFLAG
#undef MMCTL_KVM
	return r;
}

/*
 * Record scratch space: .bss, not the stack (the program and its bpf_loop
 * callback share 512 bytes). One loaded instance serves one reader at a
 * time, so one set suffices.
 */
static struct mmctl_rec_anon_vma scratch_av;
static struct mmctl_rec_chain scratch_chain;
static struct mmctl_rec_vma scratch_member;

/* The chain of @vma (bounded) and its members' anon_vmas; its length. */
static __always_inline __u32 emit_chain(struct seq_file *seq, __u64 seq_num,
					struct vm_area_struct *vma, struct anon_vma *av,
					__u32 every)
{
	struct mmctl_rec_anon_vma *a = &scratch_av;
	struct mmctl_rec_chain *c = &scratch_chain;
	struct list_head *head = &vma->anon_vma_chain, *pos;
	__u32 n;

	pos = BPF_CORE_READ(vma, anon_vma_chain.next);
	__builtin_memset(c, 0, sizeof(*c));
	__builtin_memset(a, 0, sizeof(*a));
	c->hdr.type = MMCTL_REC_CHAIN;
	c->hdr.size = sizeof(*c);
	c->vma_id = (__u64)vma;
	a->hdr.type = MMCTL_REC_ANON_VMA;
	a->hdr.size = sizeof(*a);
	for (n = 0; n < MAX_CHAIN && pos && pos != head; n++) {
		struct anon_vma_chain *avc = (void *)pos -
			bpf_core_field_offset(struct anon_vma_chain, same_vma);
		struct anon_vma *x = BPF_CORE_READ(avc, anon_vma);

		c->anon_vma_id = (__u64)x;
		c->avc_id = (__u64)avc;
		c->pos = n;
		c->flags = x == av ? MMCTL_CHAINF_IS_ANON_VMA : 0;
		if ((struct vm_area_struct *)BPF_CORE_READ(avc, vma) != vma)
			c->flags |= MMCTL_CHAINF_VMA_MISMATCH;
		bpf_seq_write(seq, c, sizeof(*c));
		if (x && (every || !done_before(&written, (__u64)x, seq_num))) {
			a->id = (__u64)x;
			a->root_id = (__u64)BPF_CORE_READ(x, root);
			a->parent_id = (__u64)BPF_CORE_READ(x, parent);
			a->refcount = BPF_CORE_READ(x, refcount.counter);
			a->num_children = BPF_CORE_READ(x, num_children);
			a->num_active_vmas = BPF_CORE_READ(x, num_active_vmas);
			bpf_seq_write(seq, a, sizeof(*a));
		}
		pos = BPF_CORE_READ(avc, same_vma.next);
	}
	return n;
}

static __always_inline void fill_vma(struct mmctl_rec_vma *v, struct vm_area_struct *vma)
{
	struct anon_vma *av = BPF_CORE_READ(vma, anon_vma);

	v->hdr.type = MMCTL_REC_VMA;
	v->hdr.size = sizeof(*v);
	v->id = (__u64)vma;
	v->mm_id = (__u64)BPF_CORE_READ(vma, vm_mm);
	v->start = BPF_CORE_READ(vma, vm_start);
	v->end = BPF_CORE_READ(vma, vm_end);
	v->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	v->anon_vma_id = (__u64)av;
	v->root_id = av ? (__u64)BPF_CORE_READ(av, root) : 0;
	v->kernel_vm_flags = BPF_CORE_READ(vma, vm_flags);
	v->vm_flags = vm_flags(v->kernel_vm_flags);
	if (BPF_CORE_READ(vma, vm_file))
		v->flags |= MMCTL_VMAF_FILE;
	if (!BPF_CORE_READ(vma, vm_ops))
		v->flags |= MMCTL_VMAF_ANON;
}

struct walk {
	struct seq_file *seq;
	__u64 seq_num;
	__u32 bytes;
	struct mm_struct *target_mm;
	struct rb_node *node;
};

static struct rb_node *rb_parent_of(struct rb_node *n)
{
	return (struct rb_node *)(BPF_CORE_READ(n, __rb_parent_color) & ~3UL);
}

/* rb_next(), bounded by MAX_DEPTH per direction. */
static struct rb_node *next_node(struct rb_node *n)
{
	struct rb_node *r = BPF_CORE_READ(n, rb_right), *p;
	int i;

	if (r) {
		for (i = 0; i < MAX_DEPTH; i++) {
			struct rb_node *l = BPF_CORE_READ(r, rb_left);

			if (!l)
				break;
			r = l;
		}
		return r;
	}
	for (i = 0; i < MAX_DEPTH; i++) {
		p = rb_parent_of(n);
		if (!p || BPF_CORE_READ(p, rb_right) != n)
			return p;
		n = p;
	}
	return NULL;
}

/* One interval-tree node of a family: another process's VMA, emitted. */
static long walk_one(__u64 i, struct walk *w)
{
	struct mmctl_rec_vma *v = &scratch_member;
	struct anon_vma_chain *avc;
	struct vm_area_struct *vma;
	struct mm_struct *mm;

	if (!w->node)
		return 1;
	if (w->bytes > FAMILY_BUDGET) {
		families_cut++;
		return 1;
	}
	avc = (void *)w->node - bpf_core_field_offset(struct anon_vma_chain, rb);
	vma = BPF_CORE_READ(avc, vma);
	mm = vma ? BPF_CORE_READ(vma, vm_mm) : NULL;
	if (vma && mm != w->target_mm) {
		struct task_struct *owner = NULL;

		__builtin_memset(v, 0, sizeof(*v));
		fill_vma(v, vma);
		if (bpf_core_field_exists(mm->owner))
			owner = BPF_CORE_READ(mm, owner);
		if (owner) {
			v->pid = tgid_for_reader(owner);
			BPF_CORE_READ_STR_INTO(&v->comm, owner, comm);
		} else {
			v->flags |= MMCTL_VMAF_NO_OWNER;
		}
		v->chain_len = emit_chain(w->seq, w->seq_num, vma, BPF_CORE_READ(vma, anon_vma), 0);
		bpf_seq_write(w->seq, v, sizeof(*v));
		/* An upper bound: every chain entry with its anon_vma record. */
		w->bytes += sizeof(*v) + (v->chain_len & 0xff) *
			(sizeof(struct mmctl_rec_chain) + sizeof(struct mmctl_rec_anon_vma));
	}
	w->node = next_node(w->node);
	return 0;
}

/* Every member of @root's family once per dump (first VMA that meets it). */
static __always_inline void walk_family(struct seq_file *seq, __u64 seq_num,
					struct anon_vma *root, struct mm_struct *target_mm)
{
	struct walk w = { .seq = seq, .seq_num = seq_num, .target_mm = target_mm };
	long n;

	if (done_before(&walked, (__u64)root, seq_num))
		return;
	w.node = BPF_CORE_READ(root, rb_root.rb_leftmost);
	n = bpf_loop(MAX_FAMILY, walk_one, &w, 0);
	if (n >= MAX_FAMILY && w.node)
		families_cut++;
}

SEC("iter/task_vma")
int dump_task_vma(struct bpf_iter__task_vma *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	struct mmctl_rec_vma v = {};
	struct anon_vma *av;
	__u32 tgid;

	if (!task || !vma)
		return 0;
	/* Every task: each process the CLI can name (a pid in its namespace). */
	tgid = tgid_for_reader(task);
	if (!tgid || (!every_task && tgid != target_tgid))
		return 0;
	fill_vma(&v, vma);
	v.flags |= MMCTL_VMAF_TARGET;
	v.pid = tgid;
	BPF_CORE_READ_STR_INTO(&v.comm, task, comm);
	av = BPF_CORE_READ(vma, anon_vma);
	v.chain_len = emit_chain(seq, ctx->meta->seq_num, vma, av, every_task);
	bpf_seq_write(seq, &v, sizeof(v));
	if (av && !no_families && !every_task)
		walk_family(seq, ctx->meta->seq_num, BPF_CORE_READ(av, root),
			    BPF_CORE_READ(vma, vm_mm));
	return 0;
}
