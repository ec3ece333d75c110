/* SPDX-License-Identifier: GPL-2.0 */
/* Running the shared checker (lib/check.c) over a flat record buffer. */
#ifndef MMCTL_CHECKRUN_H
#define MMCTL_CHECKRUN_H

#include <stddef.h>

#include "check.h"

typedef void (*mm_report_fn)(void *arg, const struct mmctl_violation *v);

/* 0, -ENOMEM or -EBADMSG. @report may be NULL. */
int mm_check_buf(const void *buf, size_t len, mm_report_fn report, void *arg,
		 struct mmctl_check_result *res);

struct mm_dump;
/* Run the checker over a dump; the verdicts (caller frees *v) and counts. */
int mm_check_dump(const struct mm_dump *d, struct mmctl_violation **v, size_t *nv,
		  struct mmctl_check_result *res);

#endif /* MMCTL_CHECKRUN_H */
