// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: raw records (as the ioctl returns them, or a saved .bin),
 * indexed by the CLI and judged by the checker, on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkrun.h"
#include "dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct mmctl_check_result res;
	struct mm_dump d;
	void *buf = malloc(n ? n : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, n);
	/* The checker takes whatever iterates, parse or not. */
	mm_check_buf(buf, n, NULL, NULL, &res);
	if (mm_dump_parse(&d, buf, n) == 0)	/* owns buf, also on failure */
		mm_dump_free(&d);
	return 0;
}
