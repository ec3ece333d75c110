// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: mmctl's JSON reader, then the checker and the writer, on
 * arbitrary input (a saved dump is untrusted input to mmctl). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkrun.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct json_tokener *tok = json_tokener_new();
	struct mmctl_check_result res;
	struct json_object *j, *out;
	struct mm_dump d;
	const char *err;

	j = json_tokener_parse_ex(tok, (const char *)data, (int)n);
	json_tokener_free(tok);
	if (!j)
		return 0;
	if (mm_dump_from_json(j, &d, &err) == 0) {
		mm_check_buf(d.buf, d.len, NULL, NULL, &res);
		out = mm_dump_to_json(&d, "fuzz", NULL, 0);
		json_object_put(out);
		mm_dump_free(&d);
	}
	json_object_put(j);
	return 0;
}
