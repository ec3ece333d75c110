// SPDX-License-Identifier: GPL-2.0
/*
 * Object IDs: siphash of the object's address with a key drawn at module
 * load. Dumps taken during one module lifetime link up; nothing reveals an
 * address (and of its family's root, see mmctl_id_in()). ID 0 is reserved
 * for "none". The top bit is always clear, so no
 * ID can be mistaken for a kernel address (0xffff...) in a dump.
 */
#include <linux/random.h>
#include <linux/siphash.h>

#include "mmctl.h"

static siphash_key_t mmctl_key;

void mmctl_ids_init(void)
{
	get_random_bytes(&mmctl_key, sizeof(mmctl_key));
}

/*
 * The ID of the object at @ptr in the anon_vma family rooted at @root (NULL
 * outside any family). A dump takes one root lock at a time, so a member
 * object can be freed between two family walks and its memory reused in
 * another family: hashing the address alone would give two objects one ID
 * in a single dump. The root disambiguates: the target's roots live for
 * the whole dump (its mmap_lock pins them) and each family is walked once,
 * under its lock. An object's root never changes, so IDs stay stable
 * across dumps of one module lifetime.
 */
u64 mmctl_id_in(const void *ptr, const void *root)
{
	u64 h;

	if (!ptr)
		return 0;
	h = siphash_2u64((u64)(unsigned long)ptr, (u64)(unsigned long)root, &mmctl_key) >> 1;
	return h ? h : 1;
}

/* A fingerprint of the key, so readers can tell whether IDs compare. */
u64 mmctl_key_id(void)
{
	return siphash_1u64(0x6d6d63746c6b6579ULL, &mmctl_key) >> 1;
}
