/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmctl user ABI: the ioctl on /dev/mmctl (a misc device, 0600; also on
 * /sys/kernel/debug/mmctl/ctl where debugfs is usable) and the records a
 * dump returns. This is the stable interface; debugfs text is for humans.
 *
 * Rules: fields are __u64/__u32 (comm is a byte array at an 8-byte aligned
 * offset), no implicit padding, every struct is a multiple of 8 bytes.
 * Request structs are size-first and extensible (read with the kernel's
 * copy_struct_from_user: a shorter struct is zero-extended, a longer one
 * must have an all-zero tail or the call fails with E2BIG). Records start
 * with struct mmctl_rec_hdr; readers skip record types they do not know and
 * use hdr.size to step, so newer records and longer records are compatible.
 *
 * No kernel address is ever reported: objects are named by 64-bit IDs, a
 * keyed hash (siphash, key drawn at module load) of the object's address.
 * IDs link up across dumps of one module lifetime; 0 means "none".
 */
#ifndef _UAPI_LINUX_MMCTL_H
#define _UAPI_LINUX_MMCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * 2: ioctl number 0xD4 with _IOWR (1 used 0xB6, which ioctl-number.rst
 * gives to linux/fpga-dfl.h, and _IO for a pointer argument), argument
 * size capped at a page, /dev/mmctl.
 */
#define MMCTL_ABI_VERSION 2

/* Unassigned in ioctl-number.rst (6.1 and mainline as read in 2026). */
#define MMCTL_IOC_MAGIC 0xD4

/*
 * MMCTL_IOC_DUMP: snapshot the anon_vma state of one process.
 *
 * The argument points to struct mmctl_dump_args; its first field is its
 * size, and that field, not the size _IOWR() encodes in the command (the
 * size of the struct in the caller's header), says how much the kernel
 * reads: the kernel matches the command on direction, type and number
 * only, so a caller built against an older or newer header works. The
 * ABI 1 command (MMCTL_IOC_DUMP_V1) is still accepted, with the same
 * argument. Errors (errno):
 *   EINVAL  pid 0 or above PID_MAX_LIMIT, unknown flag, non-zero reserved
 *           field, size below MMCTL_DUMP_ARGS_SIZE_VER0, target is a kernel
 *           thread, page_count above MMCTL_MAX_PAGES or page_addr not
 *           page-aligned, page_count with MMCTL_DUMP_NO_FOLIOS
 *   E2BIG   size larger than the kernel knows with a non-zero tail, or
 *           larger than a page (as openat2() and clone3() cap theirs)
 *   ESRCH   no such process in the caller's pid namespace, or it has no mm
 *           any more (exited); a target exiting after the walk started still
 *           gives a complete result, taken while its mm was pinned
 *   EPERM   caller lacks CAP_SYS_ADMIN
 *   EACCES  caller may not read the target (ptrace read-mode rules)
 *   EFAULT  args or buffer not accessible
 *   ENOSPC  buf_size too small: buf_used is set to the bytes needed and the
 *           args are copied back; retry with a buffer at least that large
 *   EFBIG   the snapshot exceeds the module's hard cap (module parameter
 *           max_dump_bytes, default 256 MiB)
 *   EAGAIN  the target's VMAs kept gaining anon_vmas during the walk (a
 *           first fault raced with every retry); try again
 *   EINTR   a fatal signal arrived while waiting for a lock
 *   ENOMEM  out of memory
 * Unknown ioctl commands give ENOTTY. 32-bit callers on a 64-bit kernel
 * (the argument's layout is the same) are served by /dev/mmctl; debugfs
 * forwards no compat_ioctl, so its ctl file gives them ENOTTY.
 */
#define MMCTL_IOC_DUMP _IOWR(MMCTL_IOC_MAGIC, 0x01, struct mmctl_dump_args)
/* ABI 1's command number: same argument, still accepted. */
#define MMCTL_IOC_DUMP_V1 _IO(0xB6, 0x01)

/* mmctl_dump_args.flags */
#define MMCTL_DUMP_NO_FOLIOS	 (1U << 0) /* skip the page-table walk */
#define MMCTL_DUMP_MEMBER_FOLIOS (1U << 1) /* also walk family members' VMAs */
/*
 * Leave out the interval trees' node records (MMCTL_REC_TREE): for views that
 * do not check I3 (tree, vmas). The dump says MMCTL_DUMPF_NO_TREE; the
 * anon_vma records keep tree_avcs and tree_flags.
 */
#define MMCTL_DUMP_NO_TREE	 (1U << 2)
/*
 * The target's own VMAs and their chains only, each family's part under its
 * root rwsem; no other process's VMA, the root's tree not walked for
 * members: for a caller that dumps every process (mmctl top) and joins the
 * families itself. The dump says MMCTL_DUMPF_NO_FAMILIES and
 * MMCTL_DUMPF_PARTIAL; its FAMILY records count the target's part, its
 * ANON_VMA records are those whose tree's first node is one of the target's
 * chain entries. Implies MMCTL_DUMP_NO_TREE (those trees hold other
 * processes' nodes, whose chains are not in the dump).
 */
#define MMCTL_DUMP_NO_FAMILIES	 (1U << 3)
#define MMCTL_DUMP_FLAGS_ALL	 (MMCTL_DUMP_NO_FOLIOS | MMCTL_DUMP_MEMBER_FOLIOS | \
				  MMCTL_DUMP_NO_TREE | MMCTL_DUMP_NO_FAMILIES)

struct mmctl_dump_args {
	__u32 size;	/* in: sizeof(struct mmctl_dump_args) known to the caller */
	__u32 flags;	/* in: MMCTL_DUMP_* */
	__u32 pid;	/* in: target pid (thread group) in the caller's pid ns */
	__u32 reserved0; /* in: must be 0 */
	__u64 buf;	/* in: user address of the record buffer */
	__u64 buf_size;	/* in: size of that buffer in bytes */
	__u64 buf_used;	/* out: bytes written; with ENOSPC: bytes needed */
	__u64 nr_records; /* out: records written */
	/*
	 * Version 1: a range of the target reported page by page, as one
	 * MMCTL_REC_PAGE per present or swapped page (none: no record).
	 */
	__u64 page_addr;  /* in: first page of the range */
	__u32 page_count; /* in: pages in it, 0 (none) to MMCTL_MAX_PAGES */
	__u32 reserved1;  /* in: must be 0 */
};
#define MMCTL_DUMP_ARGS_SIZE_VER0 48
#define MMCTL_DUMP_ARGS_SIZE_VER1 64
#define MMCTL_MAX_PAGES 512	/* one page table's worth */

/* ---- records ---------------------------------------------------------- */

struct mmctl_rec_hdr {
	__u32 type;	/* MMCTL_REC_* */
	__u32 size;	/* bytes of this record including the header, multiple of 8 */
};

enum mmctl_rec_type {
	MMCTL_REC_DUMP = 1,	 /* always first, exactly once */
	MMCTL_REC_FAMILY = 2,	 /* one anon_vma hierarchy; its records follow */
	MMCTL_REC_VMA = 3,
	MMCTL_REC_ANON_VMA = 4,
	MMCTL_REC_CHAIN = 5,	 /* one entry of a VMA's anon_vma_chain list */
	MMCTL_REC_TREE = 6,	 /* one node of an anon_vma's interval tree */
	MMCTL_REC_FOLIOS = 7,	 /* per-VMA page-table summary */
	MMCTL_REC_FOLIO_AV = 8,	 /* per-VMA pages whose mapping is one anon_vma */
	MMCTL_REC_SAMPLE = 9,	 /* one mismatching page */
	MMCTL_REC_PAGE = 10,	 /* one page of the requested range */
	MMCTL_REC_STATS = 11,	 /* the dump's own cost; last, at most once */
};

/* mmctl_rec_dump.flags */
#define MMCTL_DUMPF_CONSISTENT	(1U << 0) /* each family taken under its root lock */
#define MMCTL_DUMPF_FOLIOS	(1U << 1) /* page tables were walked */
#define MMCTL_DUMPF_PARTIAL	(1U << 2) /* families may be incomplete (lower bounds only) */
#define MMCTL_DUMPF_NO_TREE	(1U << 4) /* no MMCTL_REC_TREE records, as asked */
#define MMCTL_DUMPF_NO_FAMILIES	(1U << 5) /* the target's VMAs only, as asked */
/*
 * The producer's kernel keeps every chain ending with the hierarchy's root
 * (anon_vma_clone() walking the source chain in reverse: up to 6.18; 7.0
 * and the stable backports to 6.12.112 and 6.18.55 reverse the copy). The
 * module never sets it: userspace learns the order by experiment and sets
 * it on the dumps it takes. The checker judges I1-chain-last only when set.
 */
#define MMCTL_DUMPF_ROOT_LAST	(1U << 3)

struct mmctl_rec_dump {
	struct mmctl_rec_hdr hdr;
	__u32 abi_version;	/* MMCTL_ABI_VERSION of the producer */
	__u32 flags;		/* MMCTL_DUMPF_* */
	__u32 pid;		/* target, as asked */
	__u32 nr_families;
	__u64 key_id;		/* fingerprint of the ID key: equal <=> IDs comparable */
	__u64 mm_id;		/* ID of the target's mm */
	__u32 page_shift;
	__u32 retries;		/* walk restarts: allocation, first fault, VMA list changed */
	char comm[16];		/* target's comm */
};

struct mmctl_rec_family {
	struct mmctl_rec_hdr hdr;
	__u64 root_id;
	__u32 nr_vmas;		/* VMAs in the root's interval tree */
	__u32 nr_anon_vmas;	/* live anon_vmas reached through their chains */
	__u32 nr_chain;		/* chain entries of those VMAs */
	__u32 nr_mms;		/* distinct mms among those VMAs (upper bound) */
	__u64 lock_ns;		/* time the root rwsem was held for this family */
};

/* mmctl_rec_vma.vm_flags: the kernel's vm_flags, translated */
#define MMCTL_VM_READ		(1U << 0)
#define MMCTL_VM_WRITE		(1U << 1)
#define MMCTL_VM_EXEC		(1U << 2)
#define MMCTL_VM_SHARED		(1U << 3)
#define MMCTL_VM_MAYSHARE	(1U << 4)
#define MMCTL_VM_GROWSDOWN	(1U << 5)
#define MMCTL_VM_LOCKED		(1U << 6)
#define MMCTL_VM_DONTCOPY	(1U << 7)  /* MADV_DONTFORK */
#define MMCTL_VM_WIPEONFORK	(1U << 8)
#define MMCTL_VM_MERGEABLE	(1U << 9)  /* KSM */
#define MMCTL_VM_HUGEPAGE	(1U << 10)
#define MMCTL_VM_NOHUGEPAGE	(1U << 11)
#define MMCTL_VM_HUGETLB	(1U << 12)
#define MMCTL_VM_PFNMAP		(1U << 13) /* VM_PFNMAP or VM_IO */
#define MMCTL_VM_ACCOUNT	(1U << 14)

/* mmctl_rec_vma.flags */
#define MMCTL_VMAF_TARGET	(1U << 0) /* one of the target's VMAs */
#define MMCTL_VMAF_FILE		(1U << 1) /* file-backed (vm_file set) */
#define MMCTL_VMAF_ANON		(1U << 2) /* vma_is_anonymous() */
/* Caller may not read the owner: start, end, pgoff and comm are zeroed. */
#define MMCTL_VMAF_REDACTED	(1U << 3)
#define MMCTL_VMAF_NO_OWNER	(1U << 4) /* owner task unknown (exiting mm) */
/*
 * A kernel fact read during the walk, under the family's root lock, after
 * the VMA's own fields: its mm's mmap_lock was held for write. Every
 * mutation of a VMA's place in the anon_vma trees (fork's dup_mmap, split,
 * merge, mremap, the error paths of each) holds it from before the VMA is
 * linked until after the window closes (docs/checker.md, "Windows"); the
 * checker calls what such a VMA shows transient, never what others show.
 * The target's own VMAs never have it: the dump holds their mmap_lock.
 */
#define MMCTL_VMAF_MM_WRITER	(1U << 5)
/*
 * The target's mm, but not among its VMAs: munmap() has detached it (and
 * downgraded to the read lock) and not yet unlinked it from the trees.
 */
#define MMCTL_VMAF_DETACHED	(1U << 6)

struct mmctl_rec_vma {
	struct mmctl_rec_hdr hdr;
	__u64 id;
	__u64 mm_id;
	__u64 start;		/* vm_start */
	__u64 end;		/* vm_end (exclusive) */
	__u64 pgoff;		/* vm_pgoff, in pages */
	__u64 anon_vma_id;	/* vma->anon_vma, 0 if none */
	__u64 root_id;		/* family this record was found in, 0 if none */
	__u32 vm_flags;		/* MMCTL_VM_* */
	__u32 flags;		/* MMCTL_VMAF_* */
	__u32 pid;		/* owner's tgid in the caller's pid ns, 0 if unknown */
	__u32 chain_len;	/* entries on vma->anon_vma_chain */
	char comm[16];		/* owner's comm, NUL-terminated */
	/*
	 * Added in ABI 2 (an older producer's shorter record reads as 0):
	 * vma->vm_flags as the kernel holds it, every bit, in that kernel's
	 * own numbering (include/linux/mm.h of the producer's kernel), for
	 * the flags vm_flags above does not translate.
	 */
	__u64 kernel_vm_flags;
};

struct mmctl_rec_anon_vma {
	struct mmctl_rec_hdr hdr;
	__u64 id;
	__u64 root_id;		/* anon_vma->root */
	__u64 parent_id;	/* anon_vma->parent */
	__u64 num_children;
	__u64 num_active_vmas;
	__u32 refcount;		/* atomic, read under the root lock */
	__u32 tree_avcs;	/* nodes in its interval tree */
	__u32 tree_flags;	/* MMCTL_TREEF_* summarising its tree */
	__u32 reserved;
};

/* mmctl_rec_chain.flags */
#define MMCTL_CHAINF_IS_ANON_VMA (1U << 0) /* avc->anon_vma == vma->anon_vma */
#define MMCTL_CHAINF_VMA_MISMATCH (1U << 1) /* avc->vma != the list's VMA */
/* avc->anon_vma->root is not the family's root (its tree was not read). */
#define MMCTL_CHAINF_FOREIGN_ROOT (1U << 2)

struct mmctl_rec_chain {
	struct mmctl_rec_hdr hdr;
	__u64 vma_id;		/* the VMA whose list this entry is on */
	__u64 anon_vma_id;	/* avc->anon_vma */
	__u64 avc_id;
	__u32 pos;		/* 0 = list head's first entry */
	__u32 flags;		/* MMCTL_CHAINF_* */
};

/* mmctl_rec_tree.flags and mmctl_rec_anon_vma.tree_flags */
#define MMCTL_TREEF_ORDER	(1U << 0) /* start pgoff below the previous node's */
#define MMCTL_TREEF_SUBTREE	(1U << 1) /* cached rb_subtree_last != recomputed */
#define MMCTL_TREEF_LEFTMOST	(1U << 2) /* cached leftmost != rb_first (anon_vma) */
#define MMCTL_TREEF_REDACTED	(1U << 3) /* pgoff values zeroed (unreadable owner) */

struct mmctl_rec_tree {
	struct mmctl_rec_hdr hdr;
	__u64 anon_vma_id;	/* whose tree */
	__u64 avc_id;
	__u64 vma_id;		/* avc->vma */
	__u64 start_pgoff;	/* vma->vm_pgoff */
	__u64 last_pgoff;	/* vm_pgoff + pages - 1 */
	__u64 subtree_last;	/* cached avc->rb_subtree_last */
	__u64 subtree_last_calc; /* recomputed from the node and its children */
	__u32 pos;		/* in-order index, 0 = leftmost */
	__u32 flags;		/* MMCTL_TREEF_* for this node */
};

/* mmctl_rec_folios.flags */
#define MMCTL_FOLIOSF_WALKED	(1U << 0)
#define MMCTL_FOLIOSF_SKIPPED	(1U << 1) /* hugetlb, PFN map or shared: not walked */
#define MMCTL_FOLIOSF_SAMPLES_CUT (1U << 2) /* more mismatches than samples */

/* Counts are base pages, except thp (PMD mappings). */
struct mmctl_rec_folios {
	struct mmctl_rec_hdr hdr;
	__u64 vma_id;
	__u64 present;		/* present PTEs/PMDs, in pages */
	__u64 anon;		/* anonymous (mapping & 3 == 1) */
	__u64 ksm;		/* KSM (mapping & 3 == 3) */
	__u64 thp;		/* PMD-mapped anonymous folios */
	__u64 zero;		/* zero page or huge zero page */
	__u64 file;		/* page cache (private file mapping, not COWed) */
	__u64 other;		/* special, device, movable non-LRU, unknown */
	__u64 swap;		/* swap entries */
	__u64 migration;	/* migration entries */
	__u64 outside_chain;	/* anon page whose anon_vma is not on the VMA's chain */
	__u64 index_mismatch;	/* folio index != linear_page_index(vma, addr) */
	__u32 flags;		/* MMCTL_FOLIOSF_* */
	__u32 nr_samples;	/* MMCTL_REC_SAMPLE records that follow */
};

struct mmctl_rec_folio_av {
	struct mmctl_rec_hdr hdr;
	__u64 vma_id;
	__u64 anon_vma_id;	/* an anon_vma on the VMA's chain */
	__u64 pages;		/* present anon pages whose mapping points at it */
};

enum mmctl_sample_kind {
	MMCTL_SAMPLE_OUTSIDE_CHAIN = 1,
	MMCTL_SAMPLE_INDEX = 2,
};

struct mmctl_rec_sample {
	struct mmctl_rec_hdr hdr;
	__u64 vma_id;
	__u64 addr;		/* user virtual address of the page */
	__u64 anon_vma_id;	/* where its mapping points */
	__u64 index;		/* folio index + page offset in folio */
	__u64 expected_index;	/* linear_page_index(vma, addr) */
	__u32 kind;		/* enum mmctl_sample_kind */
	__u32 reserved;
};

#define MMCTL_MAX_SAMPLES 4	/* per kind per VMA */

enum mmctl_page_kind {
	MMCTL_PAGE_ANON = 1,	/* anonymous: anon_vma_id is where mapping points */
	MMCTL_PAGE_KSM = 2,
	MMCTL_PAGE_ZERO = 3,	/* zero page or huge zero page */
	MMCTL_PAGE_FILE = 4,	/* page cache */
	MMCTL_PAGE_SWAP = 5,
	MMCTL_PAGE_MIGRATION = 6,
	MMCTL_PAGE_OTHER = 7,
};

/* mmctl_rec_page.flags */
#define MMCTL_PAGEF_PMD		(1U << 0) /* mapped by a huge PMD */

/* A page of the range asked for with page_addr/page_count. */
struct mmctl_rec_page {
	struct mmctl_rec_hdr hdr;
	__u64 vma_id;
	__u64 addr;
	__u64 anon_vma_id;	/* MMCTL_PAGE_ANON: folio->mapping's anon_vma */
	__u64 index;		/* folio index + page offset in folio */
	__u64 expected_index;	/* linear_page_index(vma, addr) */
	__u32 kind;		/* enum mmctl_page_kind */
	__u32 flags;		/* MMCTL_PAGEF_* */
};

/*
 * What the dump cost, measured by its producer (the module; the BPF backend
 * writes none). Times are ktime_get_ns() differences. kmem_peak is the most
 * memory the module held for this dump at any time, as requested from the
 * allocators: record chunks plus working arrays (VMA and root lists, the
 * emitted bitmap, folio slots, page slots); it grows with VMAs, anon_vmas
 * and chain entries, never with pages.
 */
struct mmctl_rec_stats {
	struct mmctl_rec_hdr hdr;
	__u64 walk_ns;		/* pid lookup to the last record */
	__u64 mmap_lock_ns;	/* the target's mmap_lock held for read, in all */
	__u64 max_root_lock_ns;	/* longest hold of one anon_vma root rwsem */
	__u64 kmem_peak;	/* bytes, see above */
	__u64 kmem_records;	/* bytes of record chunks at the end */
	/* ABI 2: locks are given up to waiters between families */
	__u64 max_mmap_lock_ns;	/* longest hold of the target's mmap_lock */
	__u32 mmap_lock_yields;	/* times it was given up between families */
	__u32 root_lock_yields;	/* times a root rwsem was given up mid-family */
};

#endif /* _UAPI_LINUX_MMCTL_H */
