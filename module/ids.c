// SPDX-License-Identifier: GPL-2.0
/*
 * Object IDs: siphash of the object's address with a key drawn at module
 * load. Dumps taken during one module lifetime link up; nothing reveals an
 * address. ID 0 is reserved for "none". The top bit is always clear, so no
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

u64 mmctl_id(const void *ptr)
{
	u64 h;

	if (!ptr)
		return 0;
	h = siphash_1u64((u64)(unsigned long)ptr, &mmctl_key) >> 1;
	return h ? h : 1;
}

/* A fingerprint of the key, so readers can tell whether IDs compare. */
u64 mmctl_key_id(void)
{
	return siphash_1u64(0x6d6d63746c6b6579ULL, &mmctl_key) >> 1;
}
