/* SPDX-License-Identifier: GPL-2.0 */
/* Internal declarations shared by the mmctl module's files. */
#ifndef MMCTL_INTERNAL_H
#define MMCTL_INTERNAL_H

#define MMCTL_VERSION "0.1.0"

#endif /* MMCTL_INTERNAL_H */
