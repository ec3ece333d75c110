// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VMA folio summary from an open-coded page-table walk (walk_page_range
 * and, from 6.5, pte_offset_map are not available to modules).
 *
 * Callers hold the target's mmap_lock for read, which keeps the target's
 * own page tables; for another process's VMA (a family member), its
 * family's root rwsem for read, which keeps the page tables of every VMA in
 * its trees from being freed (unlink_anon_vmas runs before free_pgtables,
 * under the root lock for write). Each PTE table is read
 * under its PTE lock after re-checking the PMD (pmd_same), inside RCU;
 * huge PMDs under the PMD lock. Nothing here allocates or sleeps under a
 * spinlock; the records are appended after the walk.
 */
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/pagemap.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "compat.h"
#include "mmctl.h"

struct mmctl_sample {
	u64 addr, av_id, index, expected;
};

struct mmctl_fw {
	struct vm_area_struct *vma;
	const void *root;		/* the VMA's family, for IDs */
	struct mmctl_page_range *pr;	/* or NULL */
	const struct mmctl_yield *yield; /* or NULL: under a root rwsem */
	struct anon_vma *anon_vma;	/* vma->anon_vma when the walk began */
	struct mmctl_folio_av_slot *slots;
	unsigned int nr_slots;
	unsigned int hit;	/* last slot that matched */
	struct mmctl_rec_folios sum; /* counts only; header unused */
	struct mmctl_sample samples[2][MMCTL_MAX_SAMPLES];
	unsigned int nr_samples[2];
};

static void mmctl_sample(struct mmctl_fw *f, int kind, unsigned long addr,
			 struct anon_vma *av, u64 index, u64 expected)
{
	unsigned int *n = &f->nr_samples[kind - 1];

	if (*n == MMCTL_MAX_SAMPLES) {
		f->sum.flags |= MMCTL_FOLIOSF_SAMPLES_CUT;
		return;
	}
	f->samples[kind - 1][(*n)++] = (struct mmctl_sample){
		.addr = addr, .av_id = mmctl_id_in(av, f->root),
		.index = index, .expected = expected,
	};
}

/* Note one page of the requested range (no-op outside it). */
static void mmctl_page(struct mmctl_fw *f, unsigned long addr, u32 kind, u64 av_id,
		       u64 index, u64 expected, u32 flags)
{
	struct mmctl_page_slot *ps;

	if (!f->pr || addr < f->pr->start || addr >= f->pr->end)
		return;
	ps = &f->pr->slots[(addr - f->pr->start) >> PAGE_SHIFT];
	ps->kind = kind;
	ps->av_id = av_id;
	ps->index = index;
	ps->expected = expected;
	ps->flags = flags;
}

/*
 * The @nr pages at @addr (mapped by a huge PMD when @pmd) that fall in the
 * range, @av the anon_vma of an anonymous folio (NULL for the other
 * kinds). Only anonymous and page cache pages have an index (the folio's
 * plus the page's offset in it); the other kinds report 0 for each page.
 */
static void mmctl_pages(struct mmctl_fw *f, unsigned long addr, unsigned long nr, bool pmd,
			u32 kind, const struct anon_vma *av, u64 index, u64 expected)
{
	bool indexed = kind == MMCTL_PAGE_ANON || kind == MMCTL_PAGE_FILE;
	unsigned long i, from = 0, to = nr;
	u64 av_id;

	if (!f->pr || addr >= f->pr->end || addr + nr * PAGE_SIZE <= f->pr->start)
		return;
	/* Hashed only for a page in the range: not once per folio walked. */
	av_id = av ? mmctl_id_in(av, f->root) : 0;
	if (f->pr->start > addr)
		from = (f->pr->start - addr) >> PAGE_SHIFT;
	if (f->pr->end < addr + nr * PAGE_SIZE)
		to = (f->pr->end - addr) >> PAGE_SHIFT;
	for (i = from; i < to; i++)
		mmctl_page(f, addr + i * PAGE_SIZE, kind, av_id, indexed ? index + i : 0,
			   expected + i, pmd ? MMCTL_PAGEF_PMD : 0);
}

static struct mmctl_folio_av_slot *mmctl_slot(struct mmctl_fw *f,
					      struct anon_vma *av)
{
	unsigned int i;

	if (f->hit < f->nr_slots && f->slots[f->hit].av == av)
		return &f->slots[f->hit];
	for (i = 0; i < f->nr_slots; i++) {
		if (f->slots[i].av == av) {
			f->hit = i;
			return &f->slots[i];
		}
	}
	return NULL;
}

/* One mapped page (or PMD-mapped folio of @nr pages) at @addr. */
static void mmctl_folio(struct mmctl_fw *f, struct page *page,
			unsigned long addr, unsigned long nr, bool pmd)
{
	struct folio *folio = page_folio(page);
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);
	struct mmctl_folio_av_slot *slot;
	struct anon_vma *av;
	u64 index, expected;

	index = folio->index + folio_page_idx(folio, page);
	expected = linear_page_index(f->vma, addr);
	if ((mapping & MMCTL_MAPPING_FLAGS) == MMCTL_MAPPING_KSM) {
		f->sum.ksm += nr;
		mmctl_pages(f, addr, nr, pmd, MMCTL_PAGE_KSM, NULL, 0, expected);
		return;
	}
	if ((mapping & MMCTL_MAPPING_FLAGS) != MMCTL_MAPPING_ANON) {
		u32 kind = MMCTL_PAGE_OTHER;

		if (mapping & MMCTL_MAPPING_FLAGS) {
			f->sum.other += nr;	/* movable non-LRU */
		} else if (mapping) {
			f->sum.file += nr;
			kind = MMCTL_PAGE_FILE;
		} else if (pmd) {
			f->sum.zero += nr;	/* huge zero folio: no mapping */
			kind = MMCTL_PAGE_ZERO;
		} else {
			f->sum.other += nr;
		}
		mmctl_pages(f, addr, nr, pmd, kind, NULL, index, expected);
		return;
	}
	av = (struct anon_vma *)(mapping - MMCTL_MAPPING_ANON);
	mmctl_pages(f, addr, nr, pmd, MMCTL_PAGE_ANON, av, index, expected);
	f->sum.anon += nr;
	slot = mmctl_slot(f, av);
	if (slot) {
		slot->rec->pages += nr;
	} else {
		f->sum.outside_chain += nr;
		mmctl_sample(f, MMCTL_SAMPLE_OUTSIDE_CHAIN, addr, av, index, expected);
	}
	if (index != expected) {
		f->sum.index_mismatch += nr;
		mmctl_sample(f, MMCTL_SAMPLE_INDEX, addr, av, index, expected);
	}
}

static void mmctl_pte(struct mmctl_fw *f, pte_t pte, unsigned long addr)
{
	unsigned long pfn;

	if (pte_none(pte))
		return;
	if (!pte_present(pte)) {
		enum mmctl_leaf leaf = mmctl_pte_leaf(pte);
		u32 kind = MMCTL_PAGE_SWAP;

		if (leaf == MMCTL_LEAF_MIGRATION) {
			f->sum.migration++;
			kind = MMCTL_PAGE_MIGRATION;
		} else if (leaf == MMCTL_LEAF_OTHER) {
			f->sum.other++;
			kind = MMCTL_PAGE_OTHER;
		} else {
			f->sum.swap++;
		}
		mmctl_page(f, addr, kind, 0, 0, linear_page_index(f->vma, addr), 0);
		return;
	}
	f->sum.present++;
	pfn = pte_pfn(pte);
	if (is_zero_pfn(pfn)) {
		f->sum.zero++;
		mmctl_page(f, addr, MMCTL_PAGE_ZERO, 0, 0, linear_page_index(f->vma, addr), 0);
		return;
	}
	if (pte_special(pte) || !pfn_valid(pfn)) {
		f->sum.other++;
		mmctl_page(f, addr, MMCTL_PAGE_OTHER, 0, 0, linear_page_index(f->vma, addr), 0);
		return;
	}
	mmctl_folio(f, pfn_to_page(pfn), addr, 1, false);
}

static void mmctl_walk_pmd(struct mmctl_fw *f, pmd_t *pmdp,
			   unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = f->vma->vm_mm;
	unsigned long nr = (end - addr) >> PAGE_SHIFT;
	spinlock_t *ptl;
	pmd_t pmdval;
	pte_t *pte;

again:
	pmdval = mmctl_pmdp_get_lockless(pmdp);
	if (pmd_none(pmdval))
		return;
	if (!pmd_present(pmdval)) {
		/* Only a THP migration entry is a non-present, non-none PMD. */
		f->sum.migration += nr;
		mmctl_pages(f, addr, nr, true, MMCTL_PAGE_MIGRATION, NULL, 0,
			    linear_page_index(f->vma, addr));
		return;
	}
	if (pmd_trans_huge(pmdval) || mmctl_pmd_devmap(pmdval)) {
		ptl = pmd_lock(mm, pmdp);
		pmdval = *pmdp;
		if (!pmd_trans_huge(pmdval) && !mmctl_pmd_devmap(pmdval)) {
			spin_unlock(ptl);
			goto again;
		}
		f->sum.present += nr;
		if (mmctl_pmd_devmap(pmdval)) {
			f->sum.other += nr;
			mmctl_pages(f, addr, nr, true, MMCTL_PAGE_OTHER, NULL, 0,
				    linear_page_index(f->vma, addr));
		} else {
			/*
			 * The walk may start inside the PMD (a VMA that
			 * begins there: a split's new VMA is linked before
			 * __split_huge_pmd() runs): the page at @addr is
			 * that far into the folio.
			 */
			struct page *page = pmd_page(pmdval) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);

			if (folio_test_anon(page_folio(page)))
				f->sum.thp++;
			mmctl_folio(f, page, addr, nr, true);
		}
		spin_unlock(ptl);
		return;
	}
	if (pmd_bad(pmdval))
		return;

	rcu_read_lock();
	ptl = pte_lockptr(mm, &pmdval);
	pte = pte_offset_kernel(&pmdval, addr);
	spin_lock(ptl);
	if (!pmd_same(pmdval, mmctl_pmdp_get_lockless(pmdp))) {
		/* Collapsed or freed under us: read the PMD again. */
		spin_unlock(ptl);
		rcu_read_unlock();
		goto again;
	}
	for (; addr < end; addr += PAGE_SIZE, pte++)
		mmctl_pte(f, ptep_get(pte), addr);
	spin_unlock(ptl);
	rcu_read_unlock();
}

/* Between two page tables: 1 when the mmap_lock was given up and retaken. */
static int mmctl_fw_yield(struct mmctl_fw *f)
{
	if (!f->yield) {
		cond_resched();
		return 0;
	}
	return f->yield->fn(f->yield->arg, f->vma, f->anon_vma);
}

static int mmctl_walk_range(struct mmctl_fw *f)
{
	struct mm_struct *mm = f->vma->vm_mm;
	unsigned long addr = f->vma->vm_start, end = f->vma->vm_end;
	unsigned long next, pnext;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	int ret;

	for (; addr < end; addr = next) {
		pgd = pgd_offset(mm, addr);
		next = pgd_addr_end(addr, end);
		if (pgd_none(*pgd) || pgd_bad(*pgd))
			continue;
		p4d = p4d_offset(pgd, addr);
		next = p4d_addr_end(addr, next);
		if (p4d_none(*p4d) || p4d_bad(*p4d))
			continue;
		pud = pud_offset(p4d, addr);
		next = pud_addr_end(addr, next);
		if (pud_none(*pud) || pud_leaf(*pud) || pud_bad(*pud))
			continue;
		/* One PUD's worth of PMDs per outer iteration. */
		for (pmd = pmd_offset(pud, addr); addr < next; addr = pnext, pmd++) {
			pnext = pmd_addr_end(addr, next);
			mmctl_walk_pmd(f, pmd, addr, pnext);
			ret = mmctl_fw_yield(f);
			if (ret < 0)
				return ret;
			if (ret) {
				/*
				 * The lock was let go: no table pointer is
				 * kept across that, descend again from pnext.
				 */
				next = pnext;
				break;
			}
		}
	}
	return 0;
}

/* PAGE records for the range slots inside @vma, then clear them. */
static int mmctl_emit_pages(struct mmctl_out *out, struct mmctl_fw *f, u64 vma_id)
{
	unsigned long addr = max(f->vma->vm_start, f->pr->start);
	unsigned long end = min(f->vma->vm_end, f->pr->end);

	for (; addr < end; addr += PAGE_SIZE) {
		struct mmctl_page_slot *ps = &f->pr->slots[(addr - f->pr->start) >> PAGE_SHIFT];
		struct mmctl_rec_page *r;

		if (!ps->kind)
			continue;
		r = MMCTL_REC(out, MMCTL_REC_PAGE, mmctl_rec_page);
		if (!r)
			return -EAGAIN;
		r->vma_id = vma_id;
		r->addr = addr;
		r->anon_vma_id = ps->av_id;
		r->index = ps->index;
		r->expected_index = ps->expected;
		r->kind = ps->kind;
		r->flags = ps->flags;
		ps->kind = 0;
	}
	return 0;
}

int mmctl_walk_folios(struct mmctl_out *out, struct vm_area_struct *vma,
		      u64 vma_id, const void *root, struct mmctl_folio_av_slot *slots,
		      unsigned int nr_slots, struct mmctl_page_range *pr,
		      const struct mmctl_yield *yield)
{
	struct mmctl_fw fw = { .vma = vma, .root = root, .pr = pr, .yield = yield,
			       .anon_vma = READ_ONCE(vma->anon_vma) }, *f = &fw;
	struct mmctl_rec_folios *r;
	unsigned int k, i;
	int ret;

	f->slots = slots;
	f->nr_slots = nr_slots;
	/*
	 * A walk of this VMA rolled back (the family walk retried) may have
	 * filled slots for pages gone since: start from none.
	 */
	if (pr && vma->vm_end > pr->start && vma->vm_start < pr->end) {
		unsigned long lo = max(vma->vm_start, pr->start), hi = min(vma->vm_end, pr->end);

		memset(&pr->slots[(lo - pr->start) >> PAGE_SHIFT], 0,
		       ((hi - lo) >> PAGE_SHIFT) * sizeof(*pr->slots));
	}
	if (vma->vm_flags & (VM_HUGETLB | VM_PFNMAP | VM_IO | VM_SHARED)) {
		f->sum.flags |= MMCTL_FOLIOSF_SKIPPED;
	} else {
		ret = mmctl_walk_range(f);
		if (ret)
			return ret;
	}
	f->sum.flags |= (f->sum.flags & MMCTL_FOLIOSF_SKIPPED) ? 0 : MMCTL_FOLIOSF_WALKED;

	r = MMCTL_REC(out, MMCTL_REC_FOLIOS, mmctl_rec_folios);
	if (!r)
		return -EAGAIN;
	f->sum.hdr = r->hdr;
	f->sum.vma_id = vma_id;
	f->sum.nr_samples = f->nr_samples[0] + f->nr_samples[1];
	*r = f->sum;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < f->nr_samples[k]; i++) {
			struct mmctl_rec_sample *s;

			s = MMCTL_REC(out, MMCTL_REC_SAMPLE, mmctl_rec_sample);
			if (!s)
				return -EAGAIN;
			s->vma_id = vma_id;
			s->kind = k + 1;
			s->addr = f->samples[k][i].addr;
			s->anon_vma_id = f->samples[k][i].av_id;
			s->index = f->samples[k][i].index;
			s->expected_index = f->samples[k][i].expected;
		}
	}
	if (pr && vma->vm_end > pr->start && vma->vm_start < pr->end)
		return mmctl_emit_pages(out, f, vma_id);
	return 0;
}
