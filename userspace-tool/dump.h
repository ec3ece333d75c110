/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A dump in memory: the raw records plus per-type indexes. Produced by a
 * backend (the module's ioctl today) and consumed by every command.
 */
#ifndef MMCTL_DUMP_H
#define MMCTL_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/mmctl.h>

#define MMCTL_CTL_PATH "/sys/kernel/debug/mmctl/ctl"

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
	size_t nr_families, nr_vmas, nr_avs, nr_chains, nr_trees, nr_folios,
		nr_folio_avs, nr_samples, nr_unknown;
};

/*
 * Take a dump of @pid through the module. Returns 0, or a negative errno
 * (the ioctl's, or -EBADMSG for malformed records). Retries on ENOSPC with
 * the size the kernel asked for.
 */
int mm_dump_kmod(struct mm_dump *d, pid_t pid, uint32_t flags);
/* Index @len bytes of records at @buf (ownership passes to @d). */
int mm_dump_parse(struct mm_dump *d, void *buf, size_t len);
void mm_dump_free(struct mm_dump *d);

/* Lookups (linear; fine for the sizes tests and single dumps see). */
const struct mmctl_rec_vma *mm_dump_vma(const struct mm_dump *d, uint64_t id);
const struct mmctl_rec_vma *mm_dump_vma_at(const struct mm_dump *d, uint32_t pid,
					   uint64_t start);
const struct mmctl_rec_anon_vma *mm_dump_av(const struct mm_dump *d, uint64_t id);
/* Chain of VMA @vma_id in list order into @ids (up to @max); returns length. */
size_t mm_dump_chain(const struct mm_dump *d, uint64_t vma_id, uint64_t *ids,
		     size_t max);
const struct mmctl_rec_folios *mm_dump_folios(const struct mm_dump *d,
					      uint64_t vma_id);
uint64_t mm_dump_folio_pages(const struct mm_dump *d, uint64_t vma_id,
			     uint64_t av_id);

#endif /* MMCTL_DUMP_H */
