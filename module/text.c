// SPDX-License-Identifier: GPL-2.0
/*
 * Human-readable rendering of a dump: one object per line, IDs (never
 * addresses of kernel objects). For shell users; not an ABI.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mmctl.h"

void mmctl_tprintf(struct mmctl_tbuf *t, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	char *nbuf;

	if (t->failed)
		return;
	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	/* The text is capped like the dump it shows (max_dump_bytes). */
	if (t->len + need + 1 > READ_ONCE(mmctl_max_dump_bytes)) {
		t->failed = t->capped = true;
		return;
	}
	if (t->len + need + 1 > t->size) {
		size_t nsize = max(2 * t->size, t->len + need + 1 + 4096);

		nbuf = kvmalloc(nsize, GFP_KERNEL);
		if (!nbuf) {
			t->failed = true;
			return;
		}
		if (t->buf)
			memcpy(nbuf, t->buf, t->len);
		kvfree(t->buf);
		t->buf = nbuf;
		t->size = nsize;
	}
	va_start(ap, fmt);
	t->len += vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
}

static void mmctl_text_vma(struct mmctl_tbuf *t, const struct mmctl_rec_vma *v)
{
	mmctl_tprintf(t, "vma id=%016llx pid=%u comm=%.16s range=%llx-%llx pgoff=%llx perm=%c%c%c%c anon_vma=%016llx chain_len=%u vm_flags=%#x%s%s%s\n",
		v->id, v->pid, v->comm[0] ? v->comm : "-", v->start, v->end,
		v->pgoff,
		v->vm_flags & MMCTL_VM_READ ? 'r' : '-',
		v->vm_flags & MMCTL_VM_WRITE ? 'w' : '-',
		v->vm_flags & MMCTL_VM_EXEC ? 'x' : '-',
		v->vm_flags & MMCTL_VM_SHARED ? 's' : 'p',
		v->anon_vma_id, v->chain_len, v->vm_flags,
		v->flags & MMCTL_VMAF_TARGET ? " target" : "",
		v->flags & MMCTL_VMAF_FILE ? " file" : "",
		v->flags & MMCTL_VMAF_REDACTED ? " redacted" : "");
}

static void mmctl_text_rec(struct mmctl_tbuf *t, const struct mmctl_rec_hdr *h)
{
	const struct mmctl_rec_dump *d = (const void *)h;
	const struct mmctl_rec_family *fa = (const void *)h;
	const struct mmctl_rec_anon_vma *a = (const void *)h;
	const struct mmctl_rec_chain *c = (const void *)h;
	const struct mmctl_rec_tree *tr = (const void *)h;
	const struct mmctl_rec_folios *f = (const void *)h;
	const struct mmctl_rec_folio_av *fv = (const void *)h;
	const struct mmctl_rec_sample *s = (const void *)h;
	const struct mmctl_rec_page *pg = (const void *)h;
	const struct mmctl_rec_stats *st = (const void *)h;

	switch (h->type) {
	case MMCTL_REC_DUMP:
		mmctl_tprintf(t, "dump pid=%u comm=%.16s abi=%u families=%u flags=%#x retries=%u\n",
			d->pid, d->comm, d->abi_version, d->nr_families,
			d->flags, d->retries);
		break;
	case MMCTL_REC_FAMILY:
		mmctl_tprintf(t, "family root=%016llx vmas=%u anon_vmas=%u chain_entries=%u mms=%u lock_ns=%llu\n",
			fa->root_id, fa->nr_vmas, fa->nr_anon_vmas, fa->nr_chain,
			fa->nr_mms, fa->lock_ns);
		break;
	case MMCTL_REC_VMA:
		mmctl_text_vma(t, (const void *)h);
		break;
	case MMCTL_REC_ANON_VMA:
		mmctl_tprintf(t, "anon_vma id=%016llx root=%016llx parent=%016llx refcount=%u num_children=%llu num_active_vmas=%llu tree_avcs=%u tree_flags=%#x\n",
			a->id, a->root_id, a->parent_id, a->refcount,
			a->num_children, a->num_active_vmas, a->tree_avcs,
			a->tree_flags);
		break;
	case MMCTL_REC_CHAIN:
		mmctl_tprintf(t, "chain vma=%016llx pos=%u anon_vma=%016llx avc=%016llx flags=%#x\n",
			c->vma_id, c->pos, c->anon_vma_id, c->avc_id, c->flags);
		break;
	case MMCTL_REC_TREE:
		mmctl_tprintf(t, "tree anon_vma=%016llx pos=%u avc=%016llx vma=%016llx pgoff=%llx-%llx subtree_last=%llx calc=%llx flags=%#x\n",
			tr->anon_vma_id, tr->pos, tr->avc_id, tr->vma_id,
			tr->start_pgoff, tr->last_pgoff, tr->subtree_last,
			tr->subtree_last_calc, tr->flags);
		break;
	case MMCTL_REC_FOLIOS:
		mmctl_tprintf(t, "folios vma=%016llx present=%llu anon=%llu ksm=%llu thp=%llu zero=%llu file=%llu other=%llu swap=%llu migration=%llu outside_chain=%llu index_mismatch=%llu flags=%#x\n",
			f->vma_id, f->present, f->anon, f->ksm, f->thp, f->zero,
			f->file, f->other, f->swap, f->migration,
			f->outside_chain, f->index_mismatch, f->flags);
		break;
	case MMCTL_REC_FOLIO_AV:
		mmctl_tprintf(t, "folio_av vma=%016llx anon_vma=%016llx pages=%llu\n",
			fv->vma_id, fv->anon_vma_id, fv->pages);
		break;
	case MMCTL_REC_SAMPLE:
		mmctl_tprintf(t, "sample vma=%016llx kind=%s addr=%llx anon_vma=%016llx index=%llx expected=%llx\n",
			s->vma_id,
			s->kind == MMCTL_SAMPLE_INDEX ? "index" : "outside_chain",
			s->addr, s->anon_vma_id, s->index, s->expected_index);
		break;
	case MMCTL_REC_PAGE:
		mmctl_tprintf(t, "page vma=%016llx addr=%llx kind=%u anon_vma=%016llx index=%llx expected=%llx flags=%#x\n",
			      pg->vma_id, pg->addr, pg->kind, pg->anon_vma_id, pg->index,
			      pg->expected_index, pg->flags);
		break;
	case MMCTL_REC_STATS:
		mmctl_tprintf(t, "stats walk_ns=%llu mmap_lock_ns=%llu max_mmap_lock_ns=%llu max_root_lock_ns=%llu yields=%u/%u kmem_peak=%llu kmem_records=%llu\n",
			      st->walk_ns, st->mmap_lock_ns, st->max_mmap_lock_ns,
			      st->max_root_lock_ns, st->mmap_lock_yields, st->root_lock_yields,
			      st->kmem_peak, st->kmem_records);
		break;
	default:
		mmctl_tprintf(t, "record type=%u size=%u\n", h->type, h->size);
	}
}

/* Dump @pid and append it as text to @t. Returns 0 or the dump's errno. */
int mmctl_tree_pid(u32 pid, struct mmctl_tbuf *t)
{
	const struct mmctl_rec_hdr *h = NULL;
	struct mmctl_out out;
	void *cursor = NULL;
	int ret;

	mmctl_out_init(&out, mmctl_max_dump_bytes);
	ret = mmctl_dump_pid(&out, &(struct mmctl_dump_req){ .pid = pid });
	while (!ret && (h = mmctl_out_next(&out, h, &cursor)))
		mmctl_text_rec(t, h);
	mmctl_out_free(&out);
	return ret ?: mmctl_tbuf_err(t);
}
