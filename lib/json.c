// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "fields.h"

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

/* One field of @rec as JSON (lib/fields.h). */
static struct json_object *field_json(const struct mmctl_field *f, const void *rec)
{
	uint64_t v = mmctl_field_get(f, rec);
	const char *name;

	switch (f->kind) {
	case MMCTL_FK_ID:
		return mm_json_id(v);
	case MMCTL_FK_ADDR:
		return addr(v);
	case MMCTL_FK_COMM:
		return comm((const char *)rec + f->off);
	case MMCTL_FK_BIT:
		return json_object_new_boolean(v != 0);
	case MMCTL_FK_ENUM:
		name = mmctl_enum_name(f->aux, (uint32_t)v);
		return json_object_new_string(name ? name : "?");
	default:
		return u64(v);
	}
}

/*
 * @rec's fields, as its record type's table lists them, added to @o (a new
 * object if NULL); IDs of the enclosing object (nesting says them) and
 * text-only counts are left out.
 */
struct json_object *mm_rec_json(struct json_object *o, uint32_t type, const void *rec)
{
	const struct mmctl_rec_desc *rd = mmctl_rec_desc(type);

	if (!o)
		o = json_object_new_object();
	for (uint32_t i = 0; i < rd->nr_fields; i++)
		if (!(rd->fields[i].flags & (MMCTL_FF_NESTED | MMCTL_FF_TEXT)))
			add(o, rd->fields[i].name, field_json(&rd->fields[i], rec));
	return o;
}

static struct json_object *folios_json(const struct mm_dump *d, size_t vi,
				       const struct mmctl_rec_folios *f)
{
	struct json_object *o = mm_rec_json(NULL, MMCTL_REC_FOLIOS, f), *by = json_object_new_object();
	struct json_object *samples = json_object_new_array();

	for (size_t i = 0; i < d->vma_fav[vi].len; i++) {
		const struct mmctl_rec_folio_av *fa = d->fav_order[d->vma_fav[vi].start + i];
		char k[24];

		snprintf(k, sizeof(k), "%016" PRIx64, (uint64_t)fa->anon_vma_id);
		add(by, k, u64(fa->pages));
	}
	add(o, "by_anon_vma", by);
	for (size_t i = 0; i < d->vma_samples[vi].len; i++) {
		const struct mmctl_rec_sample *s = d->sample_order[d->vma_samples[vi].start + i];

		json_object_array_add(samples, mm_rec_json(NULL, MMCTL_REC_SAMPLE, s));
	}
	add(o, "samples", samples);
	return o;
}

struct json_object *mm_json_header(struct json_object *j, const struct mm_dump *d,
				   const char *backend, const char *command)
{
	add(j, "mmctl_json", json_object_new_int(MMCTL_JSON_FORMAT));
	if (command)
		add(j, "command", json_object_new_string(command));
	add(j, "backend", json_object_new_string(backend));
	add(j, "kernel", json_object_new_string(d->kernel[0] ? d->kernel : "unknown"));
	add(j, "chain_order", json_object_new_string(mm_chain_order_name(d->kernel_order)));
	return mm_rec_json(j, MMCTL_REC_DUMP, d->hdr);
}

struct json_object *mm_dump_to_json(const struct mm_dump *d, const char *backend,
				    const struct mmctl_violation *viol, size_t nviol)
{
	struct json_object *j = json_object_new_object(), *arr;

	mm_json_header(j, d, backend, NULL);

	arr = json_object_new_array();
	for (size_t i = 0; i < d->nr_families; i++)
		json_object_array_add(arr, mm_rec_json(NULL, MMCTL_REC_FAMILY, d->families[i]));
	add(j, "families", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < d->nr_vmas; i++) {
		const struct mmctl_rec_vma *v = d->vmas[i];
		struct json_object *o = mm_rec_json(NULL, MMCTL_REC_VMA, v);
		struct json_object *chain = json_object_new_array();
		struct json_object *avcs = json_object_new_array();
		struct json_object *cfl = json_object_new_array();
		const struct mmctl_rec_folios *f = d->vma_folios[i];
		const struct mmctl_rec_chain **c;
		size_t n;

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
		struct json_object *o = mm_rec_json(NULL, MMCTL_REC_ANON_VMA, a);
		struct json_object *tree = json_object_new_array();

		for (size_t k = 0; k < d->av_tree[i].len; k++)
			json_object_array_add(tree, mm_rec_json(NULL, MMCTL_REC_TREE,
							     d->tree_order[d->av_tree[i].start + k]));
		add(o, "tree", tree);
		json_object_array_add(arr, o);
	}
	add(j, "anon_vmas", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < d->nr_pages; i++)
		json_object_array_add(arr, mm_rec_json(NULL, MMCTL_REC_PAGE, d->pages[i]));
	add(j, "pages", arr);

	if (d->stats)
		add(j, "stats", mm_rec_json(NULL, MMCTL_REC_STATS, d->stats));

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

/* One member of a record's object into field @f of @rec (lib/fields.h). */
static void field_from_json(const struct mmctl_field *f, struct json_object *v, void *rec)
{
	/* (only where a string is wanted: for a number json-c would print it) */
	const char *s = f->kind == MMCTL_FK_ADDR || f->kind == MMCTL_FK_COMM ||
		f->kind == MMCTL_FK_ENUM ? json_object_get_string(v) : NULL;

	switch (f->kind) {
	case MMCTL_FK_ID:
		mmctl_field_set(f, rec, mm_json_get_id(v));
		break;
	case MMCTL_FK_ADDR:
		mmctl_field_set(f, rec, s ? strtoull(s, NULL, 0) : 0);
		break;
	case MMCTL_FK_COMM:
		memset((char *)rec + f->off, 0, 16);
		strncpy((char *)rec + f->off, s ? s : "", 15);
		break;
	case MMCTL_FK_BIT:
		/* after the flags field it is a bit of: the boolean decides */
		mmctl_field_set(f, rec, json_object_get_boolean(v));
		break;
	case MMCTL_FK_ENUM:
		for (uint32_t k = 0; s && k < mmctl_field_enums[f->aux].nr; k++) {
			const char *n = mmctl_enum_name(f->aux, k);

			if (n && !strcmp(n, s))
				mmctl_field_set(f, rec, k);
		}
		break;
	default:
		mmctl_field_set(f, rec, json_object_get_uint64(v));
	}
}

/* A record of @type from the members of @o its table names (others stay 0). */
static void rec_from_json(struct json_object *o, uint32_t type, void *rec)
{
	const struct mmctl_rec_desc *rd = mmctl_rec_desc(type);

	for (uint32_t i = 0; i < rd->nr_fields; i++) {
		const struct mmctl_field *f = &rd->fields[i];
		struct json_object *v = get(o, f->name);

		if (v && !(f->flags & (MMCTL_FF_NESTED | MMCTL_FF_TEXT)))
			field_from_json(f, v, rec);
	}
}

#define NEED(cond, msg) do { if (!(cond)) { *err = msg; goto bad; } } while (0)
/* A record of @type into @var, its fields from @o (NULL: none). */
#define ADD(var, type, rtype, o) do {						\
	var = rb_add(&b, type, sizeof(struct rtype));				\
	if (!var) {								\
		*err = "out of memory";						\
		ret = -ENOMEM;							\
		goto bad;							\
	}									\
	if (o)									\
		rec_from_json(o, type, var);					\
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
	/* tree -j and vmas -j say what they are: views, not dumps */
	NEED(!get(j, "command"), "an mmctl view (tree -j, vmas -j), not a dump: save dumps with 'mmctl dump PID'");
	vmas = get_arr(j, "vmas");
	avs = get_arr(j, "anon_vmas");
	fams = get_arr(j, "families");
	NEED(vmas, "\"vmas\" missing or not an array");
	NEED(avs, "\"anon_vmas\" missing or not an array");

	ADD(h, MMCTL_REC_DUMP, mmctl_rec_dump, j);
	for (size_t i = 0; fams && i < json_object_array_length(fams); i++) {
		struct json_object *o = json_object_array_get_idx(fams, i);
		struct mmctl_rec_family *f;

		NEED(json_object_is_type(o, json_type_object), "a family is not an object");
		ADD(f, MMCTL_REC_FAMILY, mmctl_rec_family, o);
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
		ADD(v, MMCTL_REC_VMA, mmctl_rec_vma, o);
		vid = v->id;
		NEED(vid, "a VMA without \"id\"");
		for (size_t k = 0; chain && k < json_object_array_length(chain); k++) {
			struct mmctl_rec_chain *c;

			ADD(c, MMCTL_REC_CHAIN, mmctl_rec_chain, NULL);
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

					ADD(fa, MMCTL_REC_FOLIO_AV, mmctl_rec_folio_av, NULL);
					fa->vma_id = vid;
					fa->anon_vma_id = strtoull(key, NULL, 16);
					fa->pages = json_object_get_uint64(val);
				}
			}
			ADD(f, MMCTL_REC_FOLIOS, mmctl_rec_folios, fo);
			f->vma_id = vid;
			f->nr_samples = sm ? (uint32_t)json_object_array_length(sm) : 0;
			for (size_t k = 0; sm && k < json_object_array_length(sm); k++) {
				struct json_object *so = json_object_array_get_idx(sm, k);
				struct mmctl_rec_sample *s;

				NEED(json_object_is_type(so, json_type_object), "a sample is not an object");
				ADD(s, MMCTL_REC_SAMPLE, mmctl_rec_sample, so);
				s->vma_id = vid;
				/* as ever: a kind that is not "index" is outside_chain */
				if (s->kind != MMCTL_SAMPLE_INDEX)
					s->kind = MMCTL_SAMPLE_OUTSIDE_CHAIN;
			}
		}
	}
	for (size_t i = 0; i < json_object_array_length(avs); i++) {
		struct json_object *o = json_object_array_get_idx(avs, i), *tree;
		struct mmctl_rec_anon_vma *a;
		uint64_t aid;

		NEED(json_object_is_type(o, json_type_object), "an anon_vma is not an object");
		ADD(a, MMCTL_REC_ANON_VMA, mmctl_rec_anon_vma, o);
		aid = a->id;
		NEED(aid, "an anon_vma without \"id\"");
		tree = get_arr(o, "tree");
		for (size_t k = 0; tree && k < json_object_array_length(tree); k++) {
			struct json_object *to = json_object_array_get_idx(tree, k);
			struct mmctl_rec_tree *t;

			NEED(json_object_is_type(to, json_type_object), "a tree node is not an object");
			ADD(t, MMCTL_REC_TREE, mmctl_rec_tree, to);
			t->anon_vma_id = aid;
		}
	}
	{
		struct json_object *pages = get_arr(j, "pages");

		for (size_t i = 0; pages && i < json_object_array_length(pages); i++) {
			struct json_object *o = json_object_array_get_idx(pages, i);
			struct mmctl_rec_page *pg;

			NEED(json_object_is_type(o, json_type_object), "a page is not an object");
			ADD(pg, MMCTL_REC_PAGE, mmctl_rec_page, o);
		}
	}
	if (get(j, "stats")) {
		struct json_object *o = get(j, "stats");
		struct mmctl_rec_stats *st;

		NEED(json_object_is_type(o, json_type_object), "\"stats\" is not an object");
		ADD(st, MMCTL_REC_STATS, mmctl_rec_stats, o);
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
