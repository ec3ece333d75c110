// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF backend: an iter/task_vma program that writes, for the VMAs of
 * one process, the same records as the module (uapi/linux/mmctl.h): VMA,
 * its anon_vma_chain in list order, and each chain member's anon_vma.
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
 * loaded program serves every dump of a run). */
__u32 target_tgid;

#define MAX_CHAIN 64

/* Kernel vm_flags bits (stable across 6.1 .. 7.x) and their uapi names. */
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

	r |= (f & K_VM_READ) ? MMCTL_VM_READ : 0;
	r |= (f & K_VM_WRITE) ? MMCTL_VM_WRITE : 0;
	r |= (f & K_VM_EXEC) ? MMCTL_VM_EXEC : 0;
	r |= (f & K_VM_SHARED) ? MMCTL_VM_SHARED : 0;
	r |= (f & K_VM_MAYSHARE) ? MMCTL_VM_MAYSHARE : 0;
	r |= (f & K_VM_GROWSDOWN) ? MMCTL_VM_GROWSDOWN : 0;
	r |= (f & K_VM_LOCKED) ? MMCTL_VM_LOCKED : 0;
	r |= (f & K_VM_DONTCOPY) ? MMCTL_VM_DONTCOPY : 0;
	r |= (f & K_VM_WIPEONFORK) ? MMCTL_VM_WIPEONFORK : 0;
	r |= (f & K_VM_MERGEABLE) ? MMCTL_VM_MERGEABLE : 0;
	r |= (f & K_VM_HUGEPAGE) ? MMCTL_VM_HUGEPAGE : 0;
	r |= (f & K_VM_NOHUGEPAGE) ? MMCTL_VM_NOHUGEPAGE : 0;
	r |= (f & K_VM_HUGETLB) ? MMCTL_VM_HUGETLB : 0;
	r |= (f & (K_VM_PFNMAP | K_VM_IO)) ? MMCTL_VM_PFNMAP : 0;
	r |= (f & K_VM_ACCOUNT) ? MMCTL_VM_ACCOUNT : 0;
	return r;
}

SEC("iter/task_vma")
int dump_task_vma(struct bpf_iter__task_vma *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	struct mmctl_rec_anon_vma a = {};
	struct mmctl_rec_chain c = {};
	struct mmctl_rec_vma v = {};
	struct list_head *head, *pos;
	struct anon_vma *av, *root;
	__u32 n = 0;

	if (!task || !vma || BPF_CORE_READ(task, tgid) != target_tgid)
		return 0;
	av = BPF_CORE_READ(vma, anon_vma);
	root = av ? BPF_CORE_READ(av, root) : NULL;

	v.hdr.type = MMCTL_REC_VMA;
	v.hdr.size = sizeof(v);
	v.id = (__u64)vma;
	v.mm_id = (__u64)BPF_CORE_READ(vma, vm_mm);
	v.start = BPF_CORE_READ(vma, vm_start);
	v.end = BPF_CORE_READ(vma, vm_end);
	v.pgoff = BPF_CORE_READ(vma, vm_pgoff);
	v.anon_vma_id = (__u64)av;
	v.root_id = (__u64)root;
	v.vm_flags = vm_flags(BPF_CORE_READ(vma, vm_flags));
	v.flags = MMCTL_VMAF_TARGET;
	if (BPF_CORE_READ(vma, vm_file))
		v.flags |= MMCTL_VMAF_FILE;
	if (!BPF_CORE_READ(vma, vm_ops))
		v.flags |= MMCTL_VMAF_ANON;
	v.pid = BPF_CORE_READ(task, tgid);
	BPF_CORE_READ_STR_INTO(&v.comm, task, comm);

	/* The chain, head first, bounded; its members' anon_vmas as we go. */
	head = &vma->anon_vma_chain;
	pos = BPF_CORE_READ(vma, anon_vma_chain.next);
	c.hdr.type = MMCTL_REC_CHAIN;
	c.hdr.size = sizeof(c);
	c.vma_id = (__u64)vma;
	a.hdr.type = MMCTL_REC_ANON_VMA;
	a.hdr.size = sizeof(a);
	for (n = 0; n < MAX_CHAIN && pos && pos != head; n++) {
		struct anon_vma_chain *avc = (void *)pos -
			bpf_core_field_offset(struct anon_vma_chain, same_vma);
		struct anon_vma *x = BPF_CORE_READ(avc, anon_vma);

		c.anon_vma_id = (__u64)x;
		c.avc_id = (__u64)avc;
		c.pos = n;
		c.flags = x == av ? MMCTL_CHAINF_IS_ANON_VMA : 0;
		if ((struct vm_area_struct *)BPF_CORE_READ(avc, vma) != vma)
			c.flags |= MMCTL_CHAINF_VMA_MISMATCH;
		bpf_seq_write(seq, &c, sizeof(c));
		if (x) {
			a.id = (__u64)x;
			a.root_id = (__u64)BPF_CORE_READ(x, root);
			a.parent_id = (__u64)BPF_CORE_READ(x, parent);
			a.refcount = BPF_CORE_READ(x, refcount.counter);
			a.num_children = BPF_CORE_READ(x, num_children);
			a.num_active_vmas = BPF_CORE_READ(x, num_active_vmas);
			bpf_seq_write(seq, &a, sizeof(a));
		}
		pos = BPF_CORE_READ(avc, same_vma.next);
	}
	v.chain_len = n;
	bpf_seq_write(seq, &v, sizeof(v));
	return 0;
}
