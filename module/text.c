// SPDX-License-Identifier: GPL-2.0
/*
 * Human-readable rendering of a dump: one record per line, its fields as
 * lib/fields.c describes them, IDs (never addresses of kernel objects).
 * For shell users; not an ABI.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mmctl.h"
#include "../lib/fields.c"

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

static void mmctl_text_field(struct mmctl_tbuf *t, const struct mmctl_field *f,
			     const void *rec)
{
	u64 v = mmctl_field_get(f, rec);
	const char *s;
	int bit, n = 0;

	switch (f->kind) {
	case MMCTL_FK_ID:
		mmctl_tprintf(t, " %s=%016llx", f->name, v);
		break;
	case MMCTL_FK_ADDR:
		mmctl_tprintf(t, " %s=%llx", f->name, v);
		break;
	case MMCTL_FK_X32:
	case MMCTL_FK_X64:
		mmctl_tprintf(t, " %s=%#llx", f->name, v);
		break;
	case MMCTL_FK_COMM:
		s = (const char *)rec + f->off;
		mmctl_tprintf(t, " %s=%.16s", f->name, s[0] ? s : "-");
		break;
	case MMCTL_FK_BIT:
		if (v)
			mmctl_tprintf(t, " %s", f->name);
		break;
	case MMCTL_FK_ENUM:
		s = mmctl_enum_name(f->aux, v);
		if (s)
			mmctl_tprintf(t, " %s=%s", f->name, s);
		else
			mmctl_tprintf(t, " %s=%llu", f->name, v);
		break;
	case MMCTL_FK_VMFLAGS:
		/* as the kernel's %pGv: names joined by '|' */
		mmctl_tprintf(t, " %s=", f->name);
		for (bit = 0; bit < 32; bit++) {
			if (!(v & BIT(bit)))
				continue;
			if (mmctl_vm_flag_names[bit])
				mmctl_tprintf(t, "%s%s", n++ ? "|" : "", mmctl_vm_flag_names[bit]);
			else
				mmctl_tprintf(t, "%s%#lx", n++ ? "|" : "", BIT(bit));
		}
		if (!n)
			mmctl_tprintf(t, "0");
		break;
	default:
		mmctl_tprintf(t, " %s=%llu", f->name, v);
	}
}

/* One line per record: its type's name, then each field as name=value. */
static void mmctl_text_rec(struct mmctl_tbuf *t, const struct mmctl_rec_hdr *h)
{
	const struct mmctl_rec_desc *rd = mmctl_rec_desc(h->type);
	u32 i;

	if (!rd || h->size < rd->size) {
		mmctl_tprintf(t, "record type=%u size=%u\n", h->type, h->size);
		return;
	}
	mmctl_tprintf(t, "%s", rd->name);
	for (i = 0; i < rd->nr_fields; i++)
		mmctl_text_field(t, &rd->fields[i], h);
	mmctl_tprintf(t, "\n");
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
