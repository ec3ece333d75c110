// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdlib.h>

#include "checkrun.h"
#include "dump.h"

struct run {
	const char *buf;
	size_t len;
	mm_report_fn report;
	void *arg;
};

static void *run_alloc(void *ctx, unsigned long size)
{
	(void)ctx;
	return calloc(1, size);
}

static void run_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static const struct mmctl_rec_hdr *run_next(void *ctx, const struct mmctl_rec_hdr *prev)
{
	struct run *r = ctx;
	size_t off = prev ? (size_t)((const char *)prev - r->buf) + prev->size : 0;
	const struct mmctl_rec_hdr *h = (const void *)(r->buf + off);

	if (off + sizeof(*h) > r->len || h->size < sizeof(*h) || h->size % 8 ||
	    h->size > r->len - off)
		return NULL;
	return h;
}

static void run_report(void *ctx, const struct mmctl_violation *v)
{
	struct run *r = ctx;

	if (r->report)
		r->report(r->arg, v);
}

int mm_check_buf(const void *buf, size_t len, mm_report_fn report, void *arg,
		 struct mmctl_check_result *res)
{
	struct run r = { .buf = buf, .len = len, .report = report, .arg = arg };
	struct mmctl_check_ops ops = {
		.ctx = &r, .alloc = run_alloc, .free = run_free,
		.next = run_next, .report = run_report,
	};

	return mmctl_check(&ops, res);
}

struct vlist {
	struct mmctl_violation *v;
	size_t n, cap;
};

static void vlist_add(void *arg, const struct mmctl_violation *v)
{
	struct vlist *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct mmctl_violation *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = *v;
}

int mm_check_dump(const struct mm_dump *d, struct mmctl_violation **v, size_t *nv,
		  struct mmctl_check_result *res)
{
	struct vlist l = { 0 };
	int r = mm_check_buf(d->buf, d->len, vlist_add, &l, res);

	*v = l.v;
	*nv = l.n;
	return r;
}
