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

static void mmctl_check_report(void *ctx, const struct mmctl_violation *v)
{
	struct mmctl_check_run *r = ctx;
	const struct mmctl_rule_info *ri = &mmctl_rules[v->rule];

	mmctl_tprintf(r->t, "%s %s %s=%016llx expected=%llu found=%llu aux=%llx: %s",
		      mmctl_sev_names[v->severity], ri->name, ri->object, v->object,
		      v->expected, v->found, v->aux, ri->explain);
	if (v->fact == MMCTL_FACT_MM_WRITER)
		mmctl_tprintf(r->t, " [explained: %s vma=%016llx]",
			      mmctl_fact_names[v->fact], v->fact_vma);
	else if (v->fact)
		mmctl_tprintf(r->t, " [explained: %s]", mmctl_fact_names[v->fact]);
	mmctl_tprintf(r->t, "\n");
}

/*
 * Dump @pid, check it, and append the verdicts and a summary line to @t.
 * One walk: a verdict is transient only when a fact in this dump explains
 * it (lib/check.c), never because a second walk did or did not see it.
 * Returns 0 or the dump's errno.
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
	int ret;

	mmctl_out_init(&out, mmctl_max_dump_bytes);
	ret = mmctl_dump_pid(&out, &(struct mmctl_dump_req){ .pid = pid });
	if (!ret) {
		r.out = &out;
		ret = mmctl_check(&ops, &res);
	}
	mmctl_out_free(&out);
	if (ret)
		return ret;
	mmctl_tprintf(t, "check pid=%u vmas=%u anon_vmas=%u chain=%u tree=%u errors=%u warnings=%u transient=%u partial=%#x\n",
		      pid, res.nr_vmas, res.nr_anon_vmas, res.nr_chain, res.nr_tree,
		      res.count[MMCTL_SEV_ERROR], res.count[MMCTL_SEV_WARNING],
		      res.count[MMCTL_SEV_TRANSIENT], res.partial);
	return mmctl_tbuf_err(t);
}
