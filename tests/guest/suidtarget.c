// SPDX-License-Identifier: GPL-2.0
/*
 * The new image in the exec-permission test (tests/guest/badinput.c): a
 * static program linked at a fixed address (tests/Makefile: text segment
 * at 0x13370000), installed setuid to another user in the guest. A dump
 * that shows a VMA at that address has read the new image. It lives for
 * the milliseconds given (default 50) and exits.
 */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 50;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	return 0;
}
