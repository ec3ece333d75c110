/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A dump in memory: the raw records plus per-type indexes. Produced by a
 * backend (the module's ioctl today) and consumed by every command.
 */
#ifndef MMCTL_DUMP_H
#define MMCTL_DUMP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/mmctl.h>

#include "idtab.h"

#define MMCTL_DEV_PATH "/dev/mmctl"
#define MMCTL_CTL_PATH "/sys/kernel/debug/mmctl/ctl"

/* The module's ioctl file: /dev/mmctl, else debugfs's ctl; fd or -errno. */
int mm_ctl_open(void);

/* Records of one owner (a VMA or an anon_vma), in position order. */
struct mm_list {
	size_t start, len;	/* into the owner kind's order array */
};

struct mm_dump {
	void *buf;
	size_t len;
	const struct mmctl_rec_dump *hdr;
	const struct mmctl_rec_family **families;
	const struct mmctl_rec_vma **vmas;
	const struct mmctl_rec_anon_vma **avs;
	const struct mmctl_rec_chain **chains;
	const struct mmctl_rec_tree **trees;
	const struct mmctl_rec_folios **folios;
	const struct mmctl_rec_folio_av **folio_avs;
	const struct mmctl_rec_sample **samples;
	const struct mmctl_rec_page **pages;
	const struct mmctl_rec_stats *stats;	/* NULL when the producer wrote none */
	size_t nr_families, nr_vmas, nr_avs, nr_chains, nr_trees, nr_folios,
		nr_folio_avs, nr_samples, nr_pages, nr_unknown;
	char kernel[80];	/* release the dump was taken on */
	int kernel_order;	/* MM_CHAIN_ORDER_*: the kernel's, as learnt then */

	/* indexes, built by mm_dump_parse() */
	struct mmctl_idtab vma_ht, av_ht;	/* ID -> index (lib/idtab.h) */
	struct mm_list *vma_chain, *vma_fav, *vma_samples, *av_tree;
	const struct mmctl_rec_chain **chain_order;	/* by VMA, by pos */
	const struct mmctl_rec_folio_av **fav_order;	/* by VMA */
	const struct mmctl_rec_sample **sample_order;	/* by VMA */
	const struct mmctl_rec_tree **tree_order;	/* by anon_vma, by pos */
	const struct mmctl_rec_folios **vma_folios;	/* by VMA index */
};

/*
 * Take a dump of @pid through the module. Returns 0, or a negative errno
 * (the ioctl's, or -EBADMSG for malformed records). Retries on ENOSPC with
 * the size the kernel asked for.
 */
int mm_dump_kmod(struct mm_dump *d, pid_t pid, uint32_t flags);
/* The same, with the target's pages in [addr, addr + count pages) reported
 * one by one (MMCTL_REC_PAGE, count at most MMCTL_MAX_PAGES). */
int mm_dump_kmod_pages(struct mm_dump *d, pid_t pid, uint32_t flags, uint64_t addr,
		       uint32_t count);
/* The PAGE record for @addr, or NULL (not present, or not asked for). */
const struct mmctl_rec_page *mm_dump_page(const struct mm_dump *d, uint64_t addr);
/*
 * The same through the BPF backend (iter/task_vma): the target's own VMAs,
 * chains and anon_vmas, lockless; the dump is MMCTL_DUMPF_PARTIAL. Returns
 * 0 or a negative errno, with a message in mm_bpf_error().
 */
int mm_dump_bpf(struct mm_dump *d, pid_t pid, uint32_t flags);
const char *mm_bpf_error(void);
void mm_bpf_verbose(int on);
/* The BPF program's raw records (kernel addresses) of @pid into @d: IDs,
 * deduplicated, a DUMP record first; partial when @cut. 0 or -errno. */
int mm_bpf_records(struct mm_dump *d, pid_t pid, const char *raw, size_t len, int cut);
/*
 * The BPF backend's one pass over every process (mmctl top): one iterator
 * over every task, MMCTL_DUMP_NO_FAMILIES, its stream split by pid
 * (mm_bpf_split(): records regrouped, one part per pid, sorted by pid);
 * then each process's dump from its part (mm_dump_bpf_part()).
 */
struct mm_bpf_part {
	uint32_t pid;
	size_t off, len;	/* of its records in mm_bpf_all.raw */
};
struct mm_bpf_all {
	char *raw;
	size_t len;
	struct mm_bpf_part *parts;
	size_t nr;
	uint32_t flags;		/* the dumps' MMCTL_DUMP_* */
};
int mm_bpf_all(struct mm_bpf_all *a, uint32_t flags);
int mm_bpf_split(struct mm_bpf_all *a, const char *raw, size_t len);
/*
 * @pid's dump from the pass, as mm_dump_bpf(@pid, a->flags) would give it.
 * A pid the pass did not meet: -ESRCH (gone, or a zombie), -EINVAL (a kernel thread),
 * else (started after the pass, say) a dump of its own through mm_dump_bpf().
 */
int mm_dump_bpf_part(struct mm_dump *d, const struct mm_bpf_all *a, pid_t pid);
void mm_bpf_all_free(struct mm_bpf_all *a);
/* Marks the loaded program holds in its maps (families walked, anon_vmas
 * written): after a dump, that dump's alone. For tests. */
size_t mm_bpf_marks(void);
/* Index @len bytes of records at @buf. Ownership of @buf passes to @d,
 * also on failure (it is freed then). */
int mm_dump_parse(struct mm_dump *d, void *buf, size_t len);
void mm_dump_free(struct mm_dump *d);

/* Lookups, O(1) through the indexes. */
ssize_t mm_dump_vma_idx(const struct mm_dump *d, uint64_t id);
ssize_t mm_dump_av_idx(const struct mm_dump *d, uint64_t id);
const struct mmctl_rec_vma *mm_dump_vma(const struct mm_dump *d, uint64_t id);
const struct mmctl_rec_vma *mm_dump_vma_at(const struct mm_dump *d, uint32_t pid,
					   uint64_t start);
const struct mmctl_rec_anon_vma *mm_dump_av(const struct mm_dump *d, uint64_t id);
/* Chain records of VMA @vma_id in position order (*n of them). */
const struct mmctl_rec_chain **mm_dump_chain_recs(const struct mm_dump *d, uint64_t vma_id,
						  size_t *n);
/* Chain of VMA @vma_id in list order into @ids (up to @max); returns length. */
size_t mm_dump_chain(const struct mm_dump *d, uint64_t vma_id, uint64_t *ids,
		     size_t max);
/*
 * The same in ancestry order: the deepest anon_vma first, the root last.
 * A chain is one ancestry path, so where the kernel keeps chains root-last
 * (MMCTL_DUMPF_ROOT_LAST) this is its list order; kernels whose
 * anon_vma_clone() copies in reverse list them otherwise (docs/checker.md).
 */
size_t mm_dump_chain_ancestry(const struct mm_dump *d, uint64_t vma_id, uint64_t *ids,
			      size_t max);
const struct mmctl_rec_folios *mm_dump_folios(const struct mm_dump *d,
					      uint64_t vma_id);
uint64_t mm_dump_folio_pages(const struct mm_dump *d, uint64_t vma_id,
			     uint64_t av_id);

/*
 * Chain order of the running kernel. mm_chain_order_probe() forks
 * P1 -> P2 -> P3 (one faulted page in P1), takes P3's dump with @dump and
 * classifies P3's chain with mm_chain_order_of(); anything unexpected,
 * including a failed fork or dump, is MM_CHAIN_ORDER_UNKNOWN.
 * mm_dump_kmod*() and mm_dump_bpf() probe once per process and set
 * MMCTL_DUMPF_ROOT_LAST from the result (mm_dump_set_chain_order()).
 */
enum {
	MM_CHAIN_ORDER_UNKNOWN,
	MM_CHAIN_ORDER_ROOT_LAST,	/* [C, B, A]: every chain ends with its root */
	MM_CHAIN_ORDER_CLONE_REVERSED,	/* [C, A, B]: anon_vma_clone() reverses */
};
int mm_chain_order_of(const struct mm_dump *d, uint32_t pid, uint64_t start);
int mm_chain_order_probe(int (*dump)(struct mm_dump *d, pid_t pid));
/* *@memo (initially -1) or, the first time, a probe; one probe at a time. */
int mm_chain_order_once(atomic_int *memo, int (*dump)(struct mm_dump *d, pid_t pid));
/* Sets d->kernel_order and MMCTL_DUMPF_ROOT_LAST (only for root-last). */
void mm_dump_set_chain_order(struct mm_dump *d, int order);
/* "root-last", "clone-reversed", "unknown" (JSON "chain_order"), and back. */
const char *mm_chain_order_name(int order);
int mm_chain_order_from_name(const char *name);

#endif /* MMCTL_DUMP_H */
