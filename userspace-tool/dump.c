// SPDX-License-Identifier: GPL-2.0
/* Taking and indexing dumps. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../lib/check.h"
#include "dump.h"

int mm_dump_kmod(struct mm_dump *d, pid_t pid, uint32_t flags)
{
	struct mmctl_dump_args a;
	size_t size = 64 * 1024;
	void *buf = NULL;
	int fd, ret, tries;

	memset(d, 0, sizeof(*d));
	fd = open(MMCTL_CTL_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (tries = 0; tries < 8; tries++) {
		void *nbuf = realloc(buf, size);

		if (!nbuf) {
			ret = -ENOMEM;
			break;
		}
		buf = nbuf;
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.flags = flags;
		a.pid = (uint32_t)pid;
		a.buf = (uint64_t)(uintptr_t)buf;
		a.buf_size = size;
		ret = ioctl(fd, MMCTL_IOC_DUMP, &a) ? -errno : 0;
		if (ret != -ENOSPC)
			break;
		/* The family may grow between calls: ask for some slack. */
		size = a.buf_used + a.buf_used / 8 + 4096;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	return mm_dump_parse(d, buf, a.buf_used);
}

#define PUSH(arr, n, rec) do {						\
	void *_p = realloc((void *)(arr), ((n) + 1) * sizeof(*(arr)));	\
	if (!_p)							\
		goto nomem;						\
	(arr) = _p;							\
	(arr)[(n)++] = (const void *)(rec);				\
} while (0)

int mm_dump_parse(struct mm_dump *d, void *buf, size_t len)
{
	size_t off = 0;

	memset(d, 0, sizeof(*d));
	d->buf = buf;
	d->len = len;
	while (off < len) {
		const struct mmctl_rec_hdr *h = (const void *)((char *)buf + off);

		if (len - off < sizeof(*h) || h->size < mmctl_rec_min_size(h->type) ||
		    h->size % 8 || h->size > len - off)
			goto bad;
		switch (h->type) {
		case MMCTL_REC_DUMP:
			if (d->hdr || off)
				goto bad;
			d->hdr = (const void *)h;
			break;
		case MMCTL_REC_FAMILY: PUSH(d->families, d->nr_families, h); break;
		case MMCTL_REC_VMA: PUSH(d->vmas, d->nr_vmas, h); break;
		case MMCTL_REC_ANON_VMA: PUSH(d->avs, d->nr_avs, h); break;
		case MMCTL_REC_CHAIN: PUSH(d->chains, d->nr_chains, h); break;
		case MMCTL_REC_TREE: PUSH(d->trees, d->nr_trees, h); break;
		case MMCTL_REC_FOLIOS: PUSH(d->folios, d->nr_folios, h); break;
		case MMCTL_REC_FOLIO_AV: PUSH(d->folio_avs, d->nr_folio_avs, h); break;
		case MMCTL_REC_SAMPLE: PUSH(d->samples, d->nr_samples, h); break;
		default: d->nr_unknown++; break;	/* newer record: skip */
		}
		off += h->size;
	}
	if (!d->hdr)
		goto bad;
	return 0;
bad:
	mm_dump_free(d);
	return -EBADMSG;
nomem:
	mm_dump_free(d);
	return -ENOMEM;
}

void mm_dump_free(struct mm_dump *d)
{
	free(d->families);
	free(d->vmas);
	free(d->avs);
	free(d->chains);
	free(d->trees);
	free(d->folios);
	free(d->folio_avs);
	free(d->samples);
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

const struct mmctl_rec_vma *mm_dump_vma(const struct mm_dump *d, uint64_t id)
{
	for (size_t i = 0; i < d->nr_vmas; i++)
		if (d->vmas[i]->id == id)
			return d->vmas[i];
	return NULL;
}

const struct mmctl_rec_vma *mm_dump_vma_at(const struct mm_dump *d, uint32_t pid,
					   uint64_t start)
{
	for (size_t i = 0; i < d->nr_vmas; i++)
		if (d->vmas[i]->pid == pid && d->vmas[i]->start == start)
			return d->vmas[i];
	return NULL;
}

const struct mmctl_rec_anon_vma *mm_dump_av(const struct mm_dump *d, uint64_t id)
{
	for (size_t i = 0; i < d->nr_avs; i++)
		if (d->avs[i]->id == id)
			return d->avs[i];
	return NULL;
}

size_t mm_dump_chain(const struct mm_dump *d, uint64_t vma_id, uint64_t *ids,
		     size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nr_chains; i++) {
		const struct mmctl_rec_chain *c = d->chains[i];

		if (c->vma_id != vma_id)
			continue;
		if (c->pos < max)
			ids[c->pos] = c->anon_vma_id;
		n++;
	}
	return n;
}

const struct mmctl_rec_folios *mm_dump_folios(const struct mm_dump *d,
					      uint64_t vma_id)
{
	for (size_t i = 0; i < d->nr_folios; i++)
		if (d->folios[i]->vma_id == vma_id)
			return d->folios[i];
	return NULL;
}

uint64_t mm_dump_folio_pages(const struct mm_dump *d, uint64_t vma_id,
			     uint64_t av_id)
{
	for (size_t i = 0; i < d->nr_folio_avs; i++)
		if (d->folio_avs[i]->vma_id == vma_id &&
		    d->folio_avs[i]->anon_vma_id == av_id)
			return d->folio_avs[i]->pages;
	return 0;
}
