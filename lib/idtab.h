/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one ID table: open addressing with linear probing, a 64-bit key (an
 * object ID or a raw address; 0 never is one, and marks an empty slot) to
 * a 64-bit value. The caller provides the zeroed slots (mmctl_idtab_size()
 * of them), so that it works in the module's checker (lib/check.c, no
 * libc) as in the CLI (lib/dump.c, backend_bpf.c).
 */
#ifndef MMCTL_IDTAB_H
#define MMCTL_IDTAB_H

#include <linux/types.h>

#define MMCTL_IDTAB_NONE (~0ULL)	/* mmctl_idtab_get(): no such key */

struct mmctl_idtab_slot {
	__u64 key;	/* 0 = empty */
	__u64 val;
};

struct mmctl_idtab {
	struct mmctl_idtab_slot *s;
	__u64 mask;
	__u32 shift;	/* 64 - log2(slots) */
};

/*
 * Slots for @n keys, a power of two at least 16 with a load factor of at
 * most 2/3 (linear probing stays short, tables small); sets up @t but for
 * its slots, which the caller allocates zeroed and sets in t->s.
 */
static inline __u64 mmctl_idtab_size(struct mmctl_idtab *t, __u64 n)
{
	__u64 cap = 16;
	__u32 bits = 4;

	while (2 * cap < 3 * n) {
		cap <<= 1;
		bits++;
	}
	t->mask = cap - 1;
	t->shift = 64 - bits;
	t->s = (void *)0;
	return cap;
}

/* Fibonacci hashing: one multiply spreads even sequential IDs. */
static inline __u64 mmctl_idtab_slot(const struct mmctl_idtab *t, __u64 key)
{
	return (key * 0x9e3779b97f4a7c15ULL) >> t->shift;
}

/* The slot holding @key, or the empty one where it would go; NULL for 0. */
static inline struct mmctl_idtab_slot *mmctl_idtab_at(const struct mmctl_idtab *t,
						      __u64 key)
{
	__u64 i;

	if (!key || !t->s)
		return (void *)0;
	for (i = mmctl_idtab_slot(t, key); t->s[i].key; i = (i + 1) & t->mask)
		if (t->s[i].key == key)
			break;
	return &t->s[i];
}

/* @key's value, or MMCTL_IDTAB_NONE. */
static inline __u64 mmctl_idtab_get(const struct mmctl_idtab *t, __u64 key)
{
	struct mmctl_idtab_slot *s = mmctl_idtab_at(t, key);

	return s && s->key ? s->val : MMCTL_IDTAB_NONE;
}

/* Adds @key -> @val; returns 1 (and changes nothing) if @key is there or 0. */
static inline int mmctl_idtab_add(struct mmctl_idtab *t, __u64 key, __u64 val)
{
	struct mmctl_idtab_slot *s = mmctl_idtab_at(t, key);

	if (!s || s->key)
		return 1;
	s->key = key;
	s->val = val;
	return 0;
}

#endif /* MMCTL_IDTAB_H */
