/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dumps as JSON (json-c), both ways and lossless: every record field is
 * kept, so a saved dump is checked, diffed and rendered exactly like a live
 * one. The schema is documented in mmctl(8) and the README.
 */
#ifndef MMCTL_JSON_H
#define MMCTL_JSON_H

#include <json-c/json.h>

#include "check.h"
#include "dump.h"

#define MMCTL_JSON_FORMAT 1

/* The dump as a JSON object (caller json_object_put()s it). @viol may be
 * NULL; otherwise its @nviol verdicts become "violations". */
struct json_object *mm_dump_to_json(const struct mm_dump *d, const char *backend,
				    const struct mmctl_violation *viol, size_t nviol);
/* Parse a dump written by mm_dump_to_json(); 0 or -EBADMSG/-ENOMEM, with a
 * message in @err (static storage). */
int mm_dump_from_json(struct json_object *j, struct mm_dump *d, const char **err);
int mm_dump_load(const char *path, struct mm_dump *d, const char **err);

/*
 * Record @rec of @type as JSON members of @o (a new object if NULL), the
 * fields lib/fields.c lists for it.
 */
struct json_object *mm_rec_json(struct json_object *o, uint32_t type, const void *rec);
/*
 * The members every JSON document of a dump starts with, added to @j:
 * mmctl_json, command (when not NULL: "tree", "vmas"), backend, kernel,
 * chain_order and the dump record's fields (pid, comm, consistent...).
 */
struct json_object *mm_json_header(struct json_object *j, const struct mm_dump *d,
				   const char *backend, const char *command);

/* "%016llx" of an ID, or JSON null for 0. */
struct json_object *mm_json_id(uint64_t id);
uint64_t mm_json_get_id(struct json_object *j);

#endif /* MMCTL_JSON_H */
