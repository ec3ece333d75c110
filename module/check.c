// SPDX-License-Identifier: GPL-2.0
/*
 * The shared checker (lib/check.c, also compiled into the CLI) and its
 * kernel glue: judge a dump and render the verdicts as text.
 */
#include <linux/kernel.h>
#include <linux/slab.h>

#include "mmctl.h"
#include "../lib/check.c"

struct mmctl_check_run {
	struct mmctl_out *out;
	void *cursor;
	struct mmctl_tbuf *t;
	bool promote;		/* second walk: transients become errors */
	u32 promoted;
};

static void *mmctl_check_alloc(void *ctx, unsigned long size)
{
	return kvzalloc(size, GFP_KERNEL);
}

static void mmctl_check_free(void *ctx, void *p)
{
	kvfree(p);
}

static const struct mmctl_rec_hdr *mmctl_check_next(void *ctx,
						    const struct mmctl_rec_hdr *prev)
{
	struct mmctl_check_run *r = ctx;

	return mmctl_out_next(r->out, prev, &r->cursor);
}

static const char * const mmctl_sev_names[MMCTL_SEV_NR] = {
	"error", "warning", "transient"
};

static void mmctl_check_report(void *ctx, const struct mmctl_violation *v)
{
	struct mmctl_check_run *r = ctx;
	const struct mmctl_rule_info *ri = &mmctl_rules[v->rule];
	u32 sev = v->severity;

	if (r->promote && sev == MMCTL_SEV_TRANSIENT) {
		sev = MMCTL_SEV_ERROR;
		r->promoted++;
	}
	mmctl_tprintf(r->t, "%s %s %s=%016llx expected=%llu found=%llu aux=%llx: %s%s\n",
		      mmctl_sev_names[sev], ri->name, ri->object, v->object, v->expected,
		      v->found, v->aux, ri->explain,
		      sev != v->severity ? " (persisted across two walks)" : "");
}

/*
 * Dump @pid, check it, and append the verdicts and a summary line to @t.
 * A dump with transient verdicts is taken again once; what persists is an
 * error. Returns 0 or the dump's errno.
 */
int mmctl_check_pid(u32 pid, struct mmctl_tbuf *t)
{
	struct mmctl_check_run r = { .t = t };
	struct mmctl_check_ops ops = {
		.ctx = &r, .alloc = mmctl_check_alloc, .free = mmctl_check_free,
		.next = mmctl_check_next, .report = mmctl_check_report,
	};
	struct mmctl_check_result res;
	struct mmctl_out out;
	size_t mark = t->len;
	int walks, ret;

	for (walks = 1; walks <= 2; walks++) {
		mmctl_out_init(&out, mmctl_max_dump_bytes);
		ret = mmctl_dump_pid(&out, &(struct mmctl_dump_req){ .pid = pid });
		if (!ret) {
			r.out = &out;
			r.cursor = NULL;
			r.promote = walks == 2;
			ret = mmctl_check(&ops, &res);
		}
		mmctl_out_free(&out);
		if (ret)
			return ret;
		if (!res.count[MMCTL_SEV_TRANSIENT] || walks == 2)
			break;
		t->len = mark;	/* forget the first walk's verdicts */
	}
	mmctl_tprintf(t, "check pid=%u vmas=%u anon_vmas=%u chain=%u tree=%u errors=%u warnings=%u transient=%u walks=%d partial=%#x\n",
		      pid, res.nr_vmas, res.nr_anon_vmas, res.nr_chain, res.nr_tree,
		      res.count[MMCTL_SEV_ERROR] + r.promoted,
		      res.count[MMCTL_SEV_WARNING],
		      res.count[MMCTL_SEV_TRANSIENT] - r.promoted, walks, res.partial);
	return t->failed ? -ENOMEM : 0;
}
