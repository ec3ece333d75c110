// SPDX-License-Identifier: GPL-2.0
/*
 * Write synthetic dumps as mmctl JSON, for running the CLI on the host:
 *   model2json DIR   writes chain3.json, forked.json (chain3 + a new child
 *                    anon_vma, as after one more fork), corrupt.json (root
 *                    self-count missing) and split.json (3 VMAs on A)
 * It also checks that JSON -> records -> JSON is the identity.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "model.h"

#define ADDR 0x200000000000ULL

static int write_json(const char *dir, const char *name, struct model *m, int corrupt)
{
	struct json_object *j, *j2;
	struct mm_dump d, d2;
	const char *err;
	struct snap s;
	char path[4096];
	size_t len;
	void *buf;
	int ok;

	model_emit(m, &s);
	model_free(m);
	if (corrupt)
		s.avr[0]->num_children -= 1;
	len = s.len;
	buf = malloc(len);
	memcpy(buf, s.buf, len);
	snap_free(&s);
	/* The raw records too: a seed for the records fuzzer. */
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	{
		FILE *f = fopen(path, "wb");

		if (f) {
			fwrite(buf, 1, len, f);
			fclose(f);
		}
	}
	if (mm_dump_parse(&d, buf, len)) {
		fprintf(stderr, "model2json: %s: records do not parse\n", name);
		return 1;
	}
	snprintf(d.kernel, sizeof(d.kernel), "model");
	j = mm_dump_to_json(&d, "model", NULL, 0);
	/* Round trip: the JSON read back serialises to the same text. */
	ok = mm_dump_from_json(j, &d2, &err) == 0;
	if (ok) {
		j2 = mm_dump_to_json(&d2, "model", NULL, 0);
		ok = !strcmp(json_object_to_json_string(j), json_object_to_json_string(j2));
		json_object_put(j2);
		mm_dump_free(&d2);
	}
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	if (json_object_to_file_ext(path, j, JSON_C_TO_STRING_PLAIN))
		ok = 0;
	json_object_put(j);
	mm_dump_free(&d);
	if (!ok)
		fprintf(stderr, "model2json: %s: round trip or write failed\n", name);
	return !ok;
}

static void chain3(struct model *m)
{
	model_init(m);
	model_av(m, 0xA, -1);
	model_av(m, 0xB, 0);
	model_av(m, 0xC, 1);
	model_vma(m, 0x101, 1, ADDR, 4, 0);
	model_vma(m, 0x102, 2, ADDR, 4, 1);
	model_vma(m, 0x103, 3, ADDR, 4, 2);
}

int main(int argc, char **argv)
{
	struct model m;
	int bad = 0;

	if (argc != 2)
		return 2;
	chain3(&m);
	bad |= write_json(argv[1], "chain3", &m, 0);
	chain3(&m);
	model_av(&m, 0xD, 0);
	model_vma(&m, 0x104, 4, ADDR, 4, 3);
	bad |= write_json(argv[1], "forked", &m, 0);
	chain3(&m);
	bad |= write_json(argv[1], "corrupt", &m, 1);
	model_init(&m);
	model_av(&m, 0xA, -1);
	model_vma(&m, 0x101, 1, ADDR, 1, 0);
	model_vma(&m, 0x102, 1, ADDR + 4096, 2, 0);
	model_vma(&m, 0x103, 1, ADDR + 3 * 4096, 1, 0);
	bad |= write_json(argv[1], "split", &m, 0);
	return bad;
}
