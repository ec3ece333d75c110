/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One description per record type: its name and, for each field, the name
 * it has in JSON and in the module's debugfs text, where it is in the uapi
 * struct and what kind of value it holds. The JSON writer and reader
 * (lib/json.c), the debugfs text (module/text.c), mmctl diff's
 * counters and mmctl's vm_flags names are driven by these tables, so that
 * a new field is an entry in lib/fields.c, not an edit of each of them
 * (docs/architecture.md). Plain C like lib/check.c: compiled into the
 * module and into the CLI.
 */
#ifndef MMCTL_FIELDS_H
#define MMCTL_FIELDS_H

#include <linux/types.h>
#include <linux/mmctl.h>

enum mmctl_field_kind {
	MMCTL_FK_U32,		/* __u32: a number */
	MMCTL_FK_U64,		/* __u64: a number */
	MMCTL_FK_X32,		/* __u32 flags: a number, hexadecimal in text */
	MMCTL_FK_X64,		/* __u64 pgoff or index: a number, hex in text */
	MMCTL_FK_ID,		/* __u64 object ID: 16 hex digits, JSON null for 0 */
	MMCTL_FK_ADDR,		/* __u64 user address: "0x..." */
	MMCTL_FK_COMM,		/* char[16], NUL-padded */
	MMCTL_FK_BIT,		/* bit @aux of the __u32 at @off: JSON boolean */
	MMCTL_FK_ENUM,		/* __u32 named by mmctl_field_enums[@aux] */
	MMCTL_FK_VMFLAGS,	/* __u32 MMCTL_VM_*: a number; names in text */
};

/* mmctl_field.flags */
#define MMCTL_FF_NESTED	(1U << 0) /* the enclosing JSON object's ID: not a key */
#define MMCTL_FF_TEXT	(1U << 1) /* text only (JSON derives it) */
#define MMCTL_FF_COUNT	(1U << 2) /* a counter mmctl diff reports changes of */
/* the module's alone: the BPF backend leaves it 0 or fills it otherwise */
#define MMCTL_FF_KMOD	(1U << 3)

struct mmctl_field {
	const char *name;	/* JSON key and text key */
	__u16 off;		/* offset in the record */
	__u8 kind;		/* MMCTL_FK_* */
	__u8 flags;		/* MMCTL_FF_* */
	__u32 aux;		/* MMCTL_FK_BIT: the bit; MMCTL_FK_ENUM: which names */
};

struct mmctl_rec_desc {
	const char *name;	/* text line's first word: "vma", "anon_vma" */
	__u32 size;		/* sizeof the uapi struct */
	__u32 nr_fields;
	const struct mmctl_field *fields;
};

/* mmctl_field.aux of MMCTL_FK_ENUM */
enum { MMCTL_ENUM_SAMPLE_KIND, MMCTL_ENUM_PAGE_KIND, MMCTL_ENUM_NR };

struct mmctl_enum_names {
	__u32 nr;
	const char *const *names;	/* by value; NULL where none */
};

extern const struct mmctl_enum_names mmctl_field_enums[MMCTL_ENUM_NR];

/* The description of record type @type, or NULL for a type it does not know. */
const struct mmctl_rec_desc *mmctl_rec_desc(__u32 type);

/* The name of value @v of enum @which, or NULL. */
const char *mmctl_enum_name(__u32 which, __u32 v);

/* Field @f of record @rec: the value of a number, ID, address or enum. */
static inline __u64 mmctl_field_get(const struct mmctl_field *f, const void *rec)
{
	const char *p = (const char *)rec + f->off;

	switch (f->kind) {
	case MMCTL_FK_U64:
	case MMCTL_FK_X64:
	case MMCTL_FK_ID:
	case MMCTL_FK_ADDR:
		return *(const __u64 *)p;
	case MMCTL_FK_BIT:
		return !!(*(const __u32 *)p & f->aux);
	case MMCTL_FK_COMM:
		return 0;
	default:
		return *(const __u32 *)p;
	}
}

static inline void mmctl_field_set(const struct mmctl_field *f, void *rec, __u64 v)
{
	char *p = (char *)rec + f->off;

	switch (f->kind) {
	case MMCTL_FK_U64:
	case MMCTL_FK_X64:
	case MMCTL_FK_ID:
	case MMCTL_FK_ADDR:
		*(__u64 *)p = v;
		break;
	case MMCTL_FK_BIT:
		*(__u32 *)p = v ? *(__u32 *)p | f->aux : *(__u32 *)p & ~f->aux;
		break;
	case MMCTL_FK_COMM:
		break;
	default:
		*(__u32 *)p = (__u32)v;
	}
}

/*
 * The vm_flags the producers translate (MMCTL_VM_*) and their names, one
 * list (lib/vmflags.h) for the module, the BPF program and the renderers.
 */
extern const char *const mmctl_vm_flag_names[32];

#endif /* MMCTL_FIELDS_H */
