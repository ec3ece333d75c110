// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct json_object *mm_json_id(uint64_t id)
{
	char s[24];

	if (!id)
		return NULL;	/* json-c's null */
	snprintf(s, sizeof(s), "%016" PRIx64, id);
	return json_object_new_string(s);
}

uint64_t mm_json_get_id(struct json_object *j)
{
	const char *s = j ? json_object_get_string(j) : NULL;

	return s ? strtoull(s, NULL, 16) : 0;
}

static struct json_object *addr(uint64_t a)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%" PRIx64, a);
	return json_object_new_string(s);
}

static const char *const page_kinds[] = { "?", "anon", "ksm", "zero", "file", "swap",
					  "migration", "other" };

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static struct json_object *comm(const char *c)
{
	return json_object_new_string_len(c, (int)strnlen(c, 16));
}

static struct json_object *folios_json(const struct mm_dump *d, size_t vi,
				       const struct mmctl_rec_folios *f)
{
	struct json_object *o = json_object_new_object(), *by = json_object_new_object();
	struct json_object *samples = json_object_new_array();

	add(o, "present", u64(f->present));
	add(o, "anon", u64(f->anon));
	add(o, "ksm", u64(f->ksm));
	add(o, "thp", u64(f->thp));
	add(o, "zero", u64(f->zero));
	add(o, "file", u64(f->file));
	add(o, "other", u64(f->other));
	add(o, "swap", u64(f->swap));
	add(o, "migration", u64(f->migration));
	add(o, "outside_chain", u64(f->outside_chain));
	add(o, "index_mismatch", u64(f->index_mismatch));
	add(o, "flags", u64(f->flags));
	for (size_t i = 0; i < d->vma_fav[vi].len; i++) {
		const struct mmctl_rec_folio_av *fa = d->fav_order[d->vma_fav[vi].start + i];
		char k[24];

		snprintf(k, sizeof(k), "%016" PRIx64, (uint64_t)fa->anon_vma_id);
		add(by, k, u64(fa->pages));
	}
	add(o, "by_anon_vma", by);
	for (size_t i = 0; i < d->vma_samples[vi].len; i++) {
		const struct mmctl_rec_sample *s = d->sample_order[d->vma_samples[vi].start + i];
		struct json_object *so = json_object_new_object();

		add(so, "kind", json_object_new_string(s->kind == MMCTL_SAMPLE_INDEX ?
						       "index" : "outside_chain"));
		add(so, "addr", addr(s->addr));
		add(so, "anon_vma", mm_json_id(s->anon_vma_id));
		add(so, "index", u64(s->index));
		add(so, "expected_index", u64(s->expected_index));
		json_object_array_add(samples, so);
	}
	add(o, "samples", samples);
	return o;
}

struct json_object *mm_dump_to_json(const struct mm_dump *d, const char *backend,
				    const struct mmctl_violation *viol, size_t nviol)
{
	struct json_object *j = json_object_new_object(), *arr;
	const struct mmctl_rec_dump *h = d->hdr;

	add(j, "mmctl_json", json_object_new_int(MMCTL_JSON_FORMAT));
	add(j, "pid", u64(h->pid));
	add(j, "comm", comm(h->comm));
	add(j, "backend", json_object_new_string(backend));
	add(j, "kernel", json_object_new_string(d->kernel[0] ? d->kernel : "unknown"));
	add(j, "abi", u64(h->abi_version));
	add(j, "consistent", json_object_new_boolean(!!(h->flags & MMCTL_DUMPF_CONSISTENT)));
	add(j, "partial", json_object_new_boolean(!!(h->flags & MMCTL_DUMPF_PARTIAL)));
	add(j, "folios", json_object_new_boolean(!!(h->flags & MMCTL_DUMPF_FOLIOS)));
	add(j, "chain_root_last", json_object_new_boolean(!!(h->flags & MMCTL_DUMPF_ROOT_LAST)));
	add(j, "chain_order", json_object_new_string(mm_chain_order_name(d->kernel_order)));
	add(j, "key_id", mm_json_id(h->key_id));
	add(j, "mm", mm_json_id(h->mm_id));
	add(j, "page_shift", u64(h->page_shift));
	add(j, "retries", u64(h->retries));

	arr = json_object_new_array();
	for (size_t i = 0; i < d->nr_families; i++) {
		const struct mmctl_rec_family *f = d->families[i];
		struct json_object *o = json_object_new_object();

		add(o, "root", mm_json_id(f->root_id));
		add(o, "vmas", u64(f->nr_vmas));
		add(o, "anon_vmas", u64(f->nr_anon_vmas));
		add(o, "chain_entries", u64(f->nr_chain));
		add(o, "mms", u64(f->nr_mms));
		add(o, "lock_ns", u64(f->lock_ns));
		json_object_array_add(arr, o);
	}
	add(j, "families", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < d->nr_vmas; i++) {
		const struct mmctl_rec_vma *v = d->vmas[i];
		struct json_object *o = json_object_new_object();
		struct json_object *chain = json_object_new_array();
		struct json_object *avcs = json_object_new_array();
		struct json_object *cfl = json_object_new_array();
		const struct mmctl_rec_folios *f = d->vma_folios[i];
		const struct mmctl_rec_chain **c;
		size_t n;

		add(o, "id", mm_json_id(v->id));
		add(o, "mm", mm_json_id(v->mm_id));
		add(o, "pid", u64(v->pid));
		add(o, "comm", comm(v->comm));
		add(o, "start", addr(v->start));
		add(o, "end", addr(v->end));
		add(o, "pgoff", u64(v->pgoff));
		add(o, "anon_vma", mm_json_id(v->anon_vma_id));
		add(o, "root", mm_json_id(v->root_id));
		add(o, "vm_flags", u64(v->vm_flags));
		add(o, "flags", u64(v->flags));
		add(o, "target", json_object_new_boolean(!!(v->flags & MMCTL_VMAF_TARGET)));
		add(o, "mm_write_locked", json_object_new_boolean(!!(v->flags & MMCTL_VMAF_MM_WRITER)));
		add(o, "chain_len", u64(v->chain_len));
		c = mm_dump_chain_recs(d, v->id, &n);
		for (size_t k = 0; k < n; k++) {
			json_object_array_add(chain, mm_json_id(c[k] ? c[k]->anon_vma_id : 0));
			json_object_array_add(avcs, mm_json_id(c[k] ? c[k]->avc_id : 0));
			json_object_array_add(cfl, u64(c[k] ? c[k]->flags : 0));
		}
		add(o, "chain", chain);
		add(o, "chain_avcs", avcs);
		add(o, "chain_flags", cfl);
		if (f)
			add(o, "folios", folios_json(d, i, f));
		json_object_array_add(arr, o);
	}
	add(j, "vmas", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < d->nr_avs; i++) {
		const struct mmctl_rec_anon_vma *a = d->avs[i];
		struct json_object *o = json_object_new_object(), *tree = json_object_new_array();

		add(o, "id", mm_json_id(a->id));
		add(o, "root", mm_json_id(a->root_id));
		add(o, "parent", mm_json_id(a->parent_id));
		add(o, "refcount", u64(a->refcount));
		add(o, "num_children", u64(a->num_children));
		add(o, "num_active_vmas", u64(a->num_active_vmas));
		add(o, "tree_avcs", u64(a->tree_avcs));
		add(o, "tree_flags", u64(a->tree_flags));
		for (size_t k = 0; k < d->av_tree[i].len; k++) {
			const struct mmctl_rec_tree *t = d->tree_order[d->av_tree[i].start + k];
			struct json_object *to = json_object_new_object();

			add(to, "avc", mm_json_id(t->avc_id));
			add(to, "vma", mm_json_id(t->vma_id));
			add(to, "pos", u64(t->pos));
			add(to, "start_pgoff", u64(t->start_pgoff));
			add(to, "last_pgoff", u64(t->last_pgoff));
			add(to, "subtree_last", u64(t->subtree_last));
			add(to, "subtree_last_calc", u64(t->subtree_last_calc));
			add(to, "flags", u64(t->flags));
			json_object_array_add(tree, to);
		}
		add(o, "tree", tree);
		json_object_array_add(arr, o);
	}
	add(j, "anon_vmas", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < d->nr_pages; i++) {
		const struct mmctl_rec_page *pg = d->pages[i];
		struct json_object *o = json_object_new_object();

		add(o, "vma", mm_json_id(pg->vma_id));
		add(o, "addr", addr(pg->addr));
		add(o, "kind", json_object_new_string(pg->kind < 8 ? page_kinds[pg->kind] : "?"));
		add(o, "anon_vma", mm_json_id(pg->anon_vma_id));
		add(o, "index", u64(pg->index));
		add(o, "expected_index", u64(pg->expected_index));
		add(o, "pmd", json_object_new_boolean(!!(pg->flags & MMCTL_PAGEF_PMD)));
		json_object_array_add(arr, o);
	}
	add(j, "pages", arr);

	if (d->stats) {
		struct json_object *o = json_object_new_object();

		add(o, "walk_ns", u64(d->stats->walk_ns));
		add(o, "mmap_lock_ns", u64(d->stats->mmap_lock_ns));
		add(o, "max_root_lock_ns", u64(d->stats->max_root_lock_ns));
		add(o, "kmem_peak", u64(d->stats->kmem_peak));
		add(o, "kmem_records", u64(d->stats->kmem_records));
		add(o, "max_mmap_lock_ns", u64(d->stats->max_mmap_lock_ns));
		add(o, "mmap_lock_yields", u64(d->stats->mmap_lock_yields));
		add(o, "root_lock_yields", u64(d->stats->root_lock_yields));
		add(j, "stats", o);
	}

	arr = json_object_new_array();
	for (size_t i = 0; viol && i < nviol; i++) {
		struct json_object *o = json_object_new_object();
		add(o, "rule", json_object_new_string(mmctl_rules[viol[i].rule].name));
		add(o, "severity", json_object_new_string(mmctl_sev_names[viol[i].severity]));
		add(o, "object", mm_json_id(viol[i].object));
		add(o, "object_kind", json_object_new_string(mmctl_rules[viol[i].rule].object));
		add(o, "expected", u64(viol[i].expected));
		add(o, "found", u64(viol[i].found));
		add(o, "aux", u64(viol[i].aux));
		add(o, "explain", json_object_new_string(mmctl_rules[viol[i].rule].explain));
		if (viol[i].fact)
			add(o, "explained_by", json_object_new_string(mmctl_fact_names[viol[i].fact]));
		if (viol[i].fact_vma)
			add(o, "fact_vma", mm_json_id(viol[i].fact_vma));
		json_object_array_add(arr, o);
	}
	add(j, "violations", arr);
	return j;
}

/* ---- reading back ------------------------------------------------------- */

struct rbuf {
	char *buf;
	size_t len, cap;
};

static void *rb_add(struct rbuf *b, uint32_t type, size_t size)
{
	struct mmctl_rec_hdr *h;

	if (b->len + size > b->cap) {
		size_t ncap = b->cap ? 2 * b->cap + size : 65536;
		char *n = realloc(b->buf, ncap);

		if (!n)
			return NULL;
		b->buf = n;
		b->cap = ncap;
	}
	h = (void *)(b->buf + b->len);
	memset(h, 0, size);
	h->type = type;
	h->size = (uint32_t)size;
	b->len += size;
	return h;
}

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* @o's member @k if it is an array (an untrusted file may hold anything). */
static struct json_object *get_arr(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);

	return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

static struct json_object *get_obj(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);

	return v && json_object_is_type(v, json_type_object) ? v : NULL;
}

static uint64_t num(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);

	return v ? json_object_get_uint64(v) : 0;
}

static uint64_t gaddr(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);
	const char *s = v ? json_object_get_string(v) : NULL;

	return s ? strtoull(s, NULL, 0) : 0;
}

static void gcomm(struct json_object *o, const char *k, char out[16])
{
	struct json_object *v = get(o, k);
	const char *s = v ? json_object_get_string(v) : "";

	memset(out, 0, 16);
	strncpy(out, s, 15);
}

#define NEED(cond, msg) do { if (!(cond)) { *err = msg; goto bad; } } while (0)
#define ADD(var, type, rtype) do {						\
	var = rb_add(&b, type, sizeof(struct rtype));				\
	if (!var) {								\
		*err = "out of memory";						\
		ret = -ENOMEM;							\
		goto bad;							\
	}									\
} while (0)

int mm_dump_from_json(struct json_object *j, struct mm_dump *d, const char **err)
{
	struct json_object *vmas, *avs, *fams, *kern;
	struct mmctl_rec_dump *h;
	struct rbuf b = { 0 };
	int ret = -EBADMSG, order;

	*err = "not an mmctl JSON dump";
	NEED(json_object_is_type(j, json_type_object), "not a JSON object");
	NEED(num(j, "mmctl_json") == MMCTL_JSON_FORMAT, "not an mmctl JSON dump (format 1)");
	vmas = get_arr(j, "vmas");
	avs = get_arr(j, "anon_vmas");
	fams = get_arr(j, "families");
	NEED(vmas, "\"vmas\" missing or not an array");
	NEED(avs, "\"anon_vmas\" missing or not an array");

	ADD(h, MMCTL_REC_DUMP, mmctl_rec_dump);
	h->abi_version = (uint32_t)num(j, "abi");
	h->pid = (uint32_t)num(j, "pid");
	h->key_id = mm_json_get_id(get(j, "key_id"));
	h->mm_id = mm_json_get_id(get(j, "mm"));
	h->page_shift = (uint32_t)num(j, "page_shift");
	h->retries = (uint32_t)num(j, "retries");
	h->flags = (json_object_get_boolean(get(j, "consistent")) ? MMCTL_DUMPF_CONSISTENT : 0) |
		(json_object_get_boolean(get(j, "partial")) ? MMCTL_DUMPF_PARTIAL : 0) |
		(json_object_get_boolean(get(j, "folios")) ? MMCTL_DUMPF_FOLIOS : 0) |
		(json_object_get_boolean(get(j, "chain_root_last")) ? MMCTL_DUMPF_ROOT_LAST : 0);
	gcomm(j, "comm", h->comm);
	for (size_t i = 0; fams && i < json_object_array_length(fams); i++) {
		struct json_object *o = json_object_array_get_idx(fams, i);
		struct mmctl_rec_family *f;

		ADD(f, MMCTL_REC_FAMILY, mmctl_rec_family);
		f->root_id = mm_json_get_id(get(o, "root"));
		f->nr_vmas = (uint32_t)num(o, "vmas");
		f->nr_anon_vmas = (uint32_t)num(o, "anon_vmas");
		f->nr_chain = (uint32_t)num(o, "chain_entries");
		f->nr_mms = (uint32_t)num(o, "mms");
		f->lock_ns = num(o, "lock_ns");
		h = (void *)b.buf;
		h->nr_families++;
	}
	for (size_t i = 0; i < json_object_array_length(vmas); i++) {
		struct json_object *o = json_object_array_get_idx(vmas, i);
		struct json_object *chain = get_arr(o, "chain"), *avcs = get_arr(o, "chain_avcs");
		struct json_object *cfl = get_arr(o, "chain_flags"), *fo = get_obj(o, "folios");
		struct mmctl_rec_vma *v;
		uint64_t vid;

		NEED(json_object_is_type(o, json_type_object), "a VMA is not an object");
		ADD(v, MMCTL_REC_VMA, mmctl_rec_vma);
		vid = v->id = mm_json_get_id(get(o, "id"));
		NEED(vid, "a VMA without \"id\"");
		v->mm_id = mm_json_get_id(get(o, "mm"));
		v->pid = (uint32_t)num(o, "pid");
		gcomm(o, "comm", v->comm);
		v->start = gaddr(o, "start");
		v->end = gaddr(o, "end");
		v->pgoff = num(o, "pgoff");
		v->anon_vma_id = mm_json_get_id(get(o, "anon_vma"));
		v->root_id = mm_json_get_id(get(o, "root"));
		v->vm_flags = (uint32_t)num(o, "vm_flags");
		v->flags = (uint32_t)num(o, "flags");
		v->chain_len = (uint32_t)num(o, "chain_len");
		for (size_t k = 0; chain && k < json_object_array_length(chain); k++) {
			struct mmctl_rec_chain *c;

			ADD(c, MMCTL_REC_CHAIN, mmctl_rec_chain);
			c->vma_id = vid;
			c->pos = (uint32_t)k;
			c->anon_vma_id = mm_json_get_id(json_object_array_get_idx(chain, k));
			c->avc_id = avcs ? mm_json_get_id(json_object_array_get_idx(avcs, k)) : 0;
			c->flags = cfl ? (uint32_t)json_object_get_uint64(
					json_object_array_get_idx(cfl, k)) : 0;
		}
		if (fo) {
			struct json_object *by = get_obj(fo, "by_anon_vma"), *sm = get_arr(fo, "samples");
			struct mmctl_rec_folios *f;

			if (by) {
				json_object_object_foreach(by, key, val) {
					struct mmctl_rec_folio_av *fa;

					ADD(fa, MMCTL_REC_FOLIO_AV, mmctl_rec_folio_av);
					fa->vma_id = vid;
					fa->anon_vma_id = strtoull(key, NULL, 16);
					fa->pages = json_object_get_uint64(val);
				}
			}
			ADD(f, MMCTL_REC_FOLIOS, mmctl_rec_folios);
			f->vma_id = vid;
			f->present = num(fo, "present");
			f->anon = num(fo, "anon");
			f->ksm = num(fo, "ksm");
			f->thp = num(fo, "thp");
			f->zero = num(fo, "zero");
			f->file = num(fo, "file");
			f->other = num(fo, "other");
			f->swap = num(fo, "swap");
			f->migration = num(fo, "migration");
			f->outside_chain = num(fo, "outside_chain");
			f->index_mismatch = num(fo, "index_mismatch");
			f->flags = (uint32_t)num(fo, "flags");
			f->nr_samples = sm ? (uint32_t)json_object_array_length(sm) : 0;
			for (size_t k = 0; sm && k < json_object_array_length(sm); k++) {
				struct json_object *so = json_object_array_get_idx(sm, k);
				struct json_object *kind = get(so, "kind");
				struct mmctl_rec_sample *s;

				ADD(s, MMCTL_REC_SAMPLE, mmctl_rec_sample);
				s->vma_id = vid;
				s->kind = kind && !strcmp(json_object_get_string(kind), "index") ?
					MMCTL_SAMPLE_INDEX : MMCTL_SAMPLE_OUTSIDE_CHAIN;
				s->addr = gaddr(so, "addr");
				s->anon_vma_id = mm_json_get_id(get(so, "anon_vma"));
				s->index = num(so, "index");
				s->expected_index = num(so, "expected_index");
			}
		}
	}
	for (size_t i = 0; i < json_object_array_length(avs); i++) {
		struct json_object *o = json_object_array_get_idx(avs, i), *tree;
		struct mmctl_rec_anon_vma *a;
		uint64_t aid;

		NEED(json_object_is_type(o, json_type_object), "an anon_vma is not an object");
		ADD(a, MMCTL_REC_ANON_VMA, mmctl_rec_anon_vma);
		aid = a->id = mm_json_get_id(get(o, "id"));
		NEED(aid, "an anon_vma without \"id\"");
		a->root_id = mm_json_get_id(get(o, "root"));
		a->parent_id = mm_json_get_id(get(o, "parent"));
		a->refcount = (uint32_t)num(o, "refcount");
		a->num_children = num(o, "num_children");
		a->num_active_vmas = num(o, "num_active_vmas");
		a->tree_avcs = (uint32_t)num(o, "tree_avcs");
		a->tree_flags = (uint32_t)num(o, "tree_flags");
		tree = get_arr(o, "tree");
		for (size_t k = 0; tree && k < json_object_array_length(tree); k++) {
			struct json_object *to = json_object_array_get_idx(tree, k);
			struct mmctl_rec_tree *t;

			ADD(t, MMCTL_REC_TREE, mmctl_rec_tree);
			t->anon_vma_id = aid;
			t->avc_id = mm_json_get_id(get(to, "avc"));
			t->vma_id = mm_json_get_id(get(to, "vma"));
			t->pos = (uint32_t)num(to, "pos");
			t->start_pgoff = num(to, "start_pgoff");
			t->last_pgoff = num(to, "last_pgoff");
			t->subtree_last = num(to, "subtree_last");
			t->subtree_last_calc = num(to, "subtree_last_calc");
			t->flags = (uint32_t)num(to, "flags");
		}
	}
	{
		struct json_object *pages = get_arr(j, "pages");

		for (size_t i = 0; pages && i < json_object_array_length(pages); i++) {
			struct json_object *o = json_object_array_get_idx(pages, i);
			struct json_object *k = get(o, "kind");
			struct mmctl_rec_page *pg;

			ADD(pg, MMCTL_REC_PAGE, mmctl_rec_page);
			pg->vma_id = mm_json_get_id(get(o, "vma"));
			pg->addr = gaddr(o, "addr");
			pg->anon_vma_id = mm_json_get_id(get(o, "anon_vma"));
			pg->index = num(o, "index");
			pg->expected_index = num(o, "expected_index");
			pg->flags = json_object_get_boolean(get(o, "pmd")) ? MMCTL_PAGEF_PMD : 0;
			for (uint32_t t = 1; k && t < 8; t++)
				if (!strcmp(json_object_get_string(k), page_kinds[t]))
					pg->kind = t;
		}
	}
	if (get(j, "stats")) {
		struct json_object *o = get(j, "stats");
		struct mmctl_rec_stats *st;

		NEED(json_object_is_type(o, json_type_object), "\"stats\" is not an object");
		ADD(st, MMCTL_REC_STATS, mmctl_rec_stats);
		st->walk_ns = num(o, "walk_ns");
		st->mmap_lock_ns = num(o, "mmap_lock_ns");
		st->max_root_lock_ns = num(o, "max_root_lock_ns");
		st->max_mmap_lock_ns = num(o, "max_mmap_lock_ns");
		st->mmap_lock_yields = (uint32_t)num(o, "mmap_lock_yields");
		st->root_lock_yields = (uint32_t)num(o, "root_lock_yields");
		st->kmem_peak = num(o, "kmem_peak");
		st->kmem_records = num(o, "kmem_records");
	}
	ret = mm_dump_parse(d, b.buf, b.len);
	if (ret) {
		*err = "records rebuilt from JSON do not parse";
		return ret;
	}
	kern = get(j, "kernel");
	snprintf(d->kernel, sizeof(d->kernel), "%s", kern ? json_object_get_string(kern) : "");
	/*
	 * chain_root_last (which mm_dump_parse() read) decides; chain_order
	 * only refines "not root-last". Older files have no chain_order.
	 */
	order = mm_chain_order_from_name(json_object_get_string(get(j, "chain_order")));
	if (d->kernel_order != MM_CHAIN_ORDER_ROOT_LAST && order != MM_CHAIN_ORDER_ROOT_LAST)
		d->kernel_order = order;
	*err = NULL;
	return 0;
bad:
	free(b.buf);
	return ret;
}

/* The whole of PATH (a pipe too: read once, never reopened) in *buf. */
static int read_all(const char *path, char **buf, size_t *len, const char **err)
{
	FILE *f = fopen(path, "rb");
	int open_err = errno;
	size_t cap = 1 << 16, n;
	char *b = malloc(cap + 1);

	*len = 0;
	if (!f || !b) {
		if (f)
			fclose(f);
		free(b);
		*err = f ? "out of memory" : strerror(open_err);
		return f ? -ENOMEM : -open_err;
	}
	while ((n = fread(b + *len, 1, cap - *len, f)) > 0) {
		*len += n;
		if (*len == cap) {
			char *nb = realloc(b, (cap *= 2) + 1);

			if (!nb) {
				fclose(f);
				free(b);
				*err = "out of memory";
				return -ENOMEM;
			}
			b = nb;
		}
	}
	if (ferror(f)) {
		fclose(f);
		free(b);
		*err = "cannot read the file";
		return -EIO;
	}
	fclose(f);
	b[*len] = 0;
	*buf = b;
	return 0;
}

int mm_dump_load(const char *path, struct mm_dump *d, const char **err)
{
	struct json_tokener *tok;
	struct json_object *j;
	char *buf = NULL, *rest;
	size_t len = 0;
	int ret;

	ret = read_all(path, &buf, &len, err);
	if (ret)
		return ret;
	/*
	 * Raw records (as the ioctl returns them) start with the DUMP record's
	 * type, a little-endian 1; mm_dump_parse() owns the buffer then.
	 */
	if (len && (unsigned char)buf[0] == MMCTL_REC_DUMP) {
		ret = mm_dump_parse(d, buf, len);
		*err = ret ? "neither mmctl JSON nor raw mmctl records" : NULL;
		return ret;
	}
	tok = json_tokener_new();
	if (!tok) {
		free(buf);
		*err = "out of memory";
		return -ENOMEM;
	}
	j = json_tokener_parse_ex(tok, buf, (int)len);
	/* One dump per input: anything but white space after it is an error. */
	rest = buf + json_tokener_get_parse_end(tok);
	if (j && rest[strspn(rest, " \t\r\n")]) {
		json_object_put(j);
		json_tokener_free(tok);
		free(buf);
		*err = "more than one JSON value (one dump per file)";
		return -EBADMSG;
	}
	if (!j) {
		if (!buf[strspn(buf, " \t\r\n")])
			*err = "empty input";
		else if (json_tokener_get_error(tok) == json_tokener_continue)
			*err = "truncated JSON";
		else
			*err = json_tokener_error_desc(json_tokener_get_error(tok));
		json_tokener_free(tok);
		free(buf);
		return -EBADMSG;
	}
	json_tokener_free(tok);
	free(buf);
	ret = mm_dump_from_json(j, d, err);
	json_object_put(j);
	return ret;
}
