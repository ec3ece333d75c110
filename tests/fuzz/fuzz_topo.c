// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the .topo scenario parser on arbitrary text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../topologies/topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *text = malloc(n + 1), err[256];
	struct topo t;

	if (!text)
		return 0;
	memcpy(text, data, n);
	text[n] = 0;
	topo_parse("fuzz.topo", text, &t, err, sizeof(err));
	topo_free(&t);
	free(text);
	return 0;
}
