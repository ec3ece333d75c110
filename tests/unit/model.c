// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "model.h"

void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->dump_flags = MMCTL_DUMPF_CONSISTENT | MMCTL_DUMPF_FOLIOS | MMCTL_DUMPF_ROOT_LAST;
}

void model_free(struct model *m)
{
	free(m->av);
	free(m->vma);
	memset(m, 0, sizeof(*m));
}

int model_av(struct model *m, uint64_t id, int parent)
{
	if (m->nav == m->cap_av) {
		m->cap_av = m->cap_av ? 2 * m->cap_av : 16;
		m->av = realloc(m->av, m->cap_av * sizeof(*m->av));
	}
	m->av[m->nav] = (struct m_av){ .id = id, .parent = parent };
	return m->nav++;
}

int model_vma(struct model *m, uint64_t id, uint32_t pid, uint64_t start,
	      uint64_t pages, int av)
{
	struct m_vma *v;

	if (m->nvma == m->cap_vma) {
		m->cap_vma = m->cap_vma ? 2 * m->cap_vma : 16;
		m->vma = realloc(m->vma, m->cap_vma * sizeof(*m->vma));
	}
	v = &m->vma[m->nvma];
	memset(v, 0, sizeof(*v));
	v->id = id;
	v->pid = pid;
	v->start = start;
	v->end = start + pages * 4096;
	v->pgoff = start / 4096;
	v->av = av;
	for (int a = av; a >= 0 && v->nchain < MODEL_MAXC; a = m->av[a].parent)
		v->chain[v->nchain++] = a;
	return m->nvma++;
}

void *snap_add(struct snap *s, uint32_t type, size_t size)
{
	struct mmctl_rec_hdr *h;

	if (s->len + size > s->cap) {
		s->cap = s->cap ? 2 * s->cap + size : 4096 + size;
		s->buf = realloc(s->buf, s->cap);
	}
	h = (void *)(s->buf + s->len);
	memset(h, 0, size);
	h->type = type;
	h->size = (uint32_t)size;
	s->len += size;
	return h;
}

void snap_free(struct snap *s)
{
	free(s->buf);
	free(s->avr);
	free(s->vmar);
	memset(s, 0, sizeof(*s));
}

static int root_of(const struct model *m, int a)
{
	while (m->av[a].parent >= 0)
		a = m->av[a].parent;
	return a;
}

static int cmp_pgoff(const void *a, const void *b, void *arg)
{
	const struct model *m = arg;
	const struct m_vma *x = &m->vma[*(const int *)a], *y = &m->vma[*(const int *)b];

	return x->pgoff < y->pgoff ? -1 : x->pgoff > y->pgoff;
}

void model_emit(const struct model *m, struct snap *s)
{
	int *nodes, *nstart = calloc(m->nav + 1, sizeof(int)), total = 0;
	size_t *avoff = calloc(m->nav + 1, sizeof(size_t));
	size_t *vmaoff = calloc(m->nvma + 1, sizeof(size_t));
	int *kids = calloc(m->nav + 1, sizeof(int));
	int *nonroot = calloc(m->nav + 1, sizeof(int));
	int *active = calloc(m->nav + 1, sizeof(int));
	int *tree = calloc(m->nav + 1, sizeof(int));
	struct mmctl_rec_dump *d;

	memset(s, 0, sizeof(*s));
	d = snap_add(s, MMCTL_REC_DUMP, sizeof(*d));
	d->abi_version = MMCTL_ABI_VERSION;
	d->flags = m->dump_flags;
	d->page_shift = 12;
	d->pid = 1;
	for (int a = 0; a < m->nav; a++) {
		if (m->av[a].parent >= 0) {
			kids[m->av[a].parent]++;
			nonroot[root_of(m, a)]++;
		}
	}
	for (int v = 0; v < m->nvma; v++) {
		if (m->vma[v].av >= 0)
			active[m->vma[v].av]++;
		for (int k = 0; k < m->vma[v].nchain; k++)
			tree[m->vma[v].chain[k]]++;
	}
	/* Tree nodes of every anon_vma, bucketed by a counting sort. */
	for (int a = 0; a < m->nav; a++) {
		nstart[a] = total;
		total += tree[a];
	}
	nodes = malloc((total + 1) * sizeof(int));
	{
		int *fill = calloc(m->nav + 1, sizeof(int));

		for (int v = 0; v < m->nvma; v++)
			for (int k = 0; k < m->vma[v].nchain; k++) {
				int a = m->vma[v].chain[k];

				nodes[nstart[a] + fill[a]++] = v;
			}
		free(fill);
	}
	for (int v = 0; v < m->nvma; v++) {
		const struct m_vma *mv = &m->vma[v];
		struct mmctl_rec_vma *r;

		vmaoff[v] = s->len;
		r = snap_add(s, MMCTL_REC_VMA, sizeof(*r));
		r->id = mv->id;
		r->mm_id = 0x1000 + mv->pid;
		r->pid = mv->pid;
		r->start = mv->start;
		r->end = mv->end;
		r->pgoff = mv->pgoff;
		r->anon_vma_id = mv->av >= 0 ? m->av[mv->av].id : 0;
		r->root_id = mv->nchain ? m->av[root_of(m, mv->chain[0])].id : 0;
		r->vm_flags = MMCTL_VM_READ | MMCTL_VM_WRITE;
		r->flags = MMCTL_VMAF_ANON | (mv->pid == 1 ? MMCTL_VMAF_TARGET : 0);
		r->chain_len = (uint32_t)mv->nchain;
		for (int k = 0; k < mv->nchain; k++) {
			struct mmctl_rec_chain *c = snap_add(s, MMCTL_REC_CHAIN, sizeof(*c));

			c->vma_id = mv->id;
			c->anon_vma_id = m->av[mv->chain[k]].id;
			c->avc_id = (mv->id << 24) | (uint64_t)(mv->chain[k] + 1);
			c->pos = (uint32_t)k;
			c->flags = mv->chain[k] == mv->av ? MMCTL_CHAINF_IS_ANON_VMA : 0;
		}
	}
	for (int a = 0; a < m->nav; a++) {
		struct mmctl_rec_anon_vma *r;
		int root = m->av[a].parent < 0, n = tree[a], *nd = nodes + nstart[a];

		avoff[a] = s->len;
		r = snap_add(s, MMCTL_REC_ANON_VMA, sizeof(*r));
		r->id = m->av[a].id;
		r->root_id = m->av[root_of(m, a)].id;
		r->parent_id = root ? r->id : m->av[m->av[a].parent].id;
		r->num_children = (uint64_t)kids[a] + (root ? 1 : 0);
		r->num_active_vmas = (uint64_t)active[a];
		r->refcount = root ? 1 + (uint32_t)nonroot[a] : 1;
		r->tree_avcs = (uint32_t)tree[a];
		qsort_r(nd, n, sizeof(int), cmp_pgoff, (void *)m);
		for (int i = 0; i < n; i++) {
			const struct m_vma *mv = &m->vma[nd[i]];
			struct mmctl_rec_tree *t = snap_add(s, MMCTL_REC_TREE, sizeof(*t));

			t->anon_vma_id = m->av[a].id;
			t->avc_id = (mv->id << 24) | (uint64_t)(a + 1);
			t->vma_id = mv->id;
			t->start_pgoff = mv->pgoff;
			t->last_pgoff = mv->pgoff + (mv->end - mv->start) / 4096 - 1;
			t->subtree_last = t->subtree_last_calc = t->last_pgoff;
			t->pos = (uint32_t)i;
		}
	}
	/* Pointers last: the buffer no longer moves. */
	s->dump = (void *)s->buf;
	s->avr = calloc(m->nav + 1, sizeof(*s->avr));
	s->vmar = calloc(m->nvma + 1, sizeof(*s->vmar));
	s->nvma = (size_t)m->nvma;
	for (int a = 0; a < m->nav; a++)
		s->avr[a] = (void *)(s->buf + avoff[a]);
	for (int v = 0; v < m->nvma; v++)
		s->vmar[v] = (void *)(s->buf + vmaoff[v]);
	free(nodes);
	free(nstart);
	free(avoff);
	free(vmaoff);
	free(kids);
	free(nonroot);
	free(active);
	free(tree);
}

void *snap_find(struct snap *s, uint32_t type, int (*pred)(const void *rec, const void *arg),
		const void *arg)
{
	for (size_t off = 0; off < s->len;) {
		struct mmctl_rec_hdr *h = (void *)(s->buf + off);

		if (h->type == type && (!pred || pred(h, arg)))
			return h;
		off += h->size;
	}
	return NULL;
}
