/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The vnethash subcommands, as the dispatch table in vnethash.c calls them. */
#ifndef VNETHASH_TOOL_H
#define VNETHASH_TOOL_H

#include <string.h>

#define EXIT_USAGE 2

extern const char *prog_name;

int hash_main(int argc, char **argv);
int verify_main(int argc, char **argv);
int demo_main(int argc, char **argv);
int attach_main(int argc, char **argv);
int set_main(int argc, char **argv);
int show_main(int argc, char **argv);
int detach_main(int argc, char **argv);
int probe_main(int argc, char **argv);
int bench_main(int argc, char **argv);

/* A negative or positive errno as text. */
static inline const char *errstr(int err)
{
	return strerror(err < 0 ? -err : err);
}

/*
 * The next step for a permission error: " (run as root: needs @caps)" if
 * @err is EPERM or EACCES (either sign), else "".
 */
const char *perm_hint(int err, const char *caps);
#define CAPS_STEER "CAP_BPF and CAP_NET_ADMIN"
#define CAPS_NETNS "CAP_SYS_ADMIN and CAP_NET_ADMIN"

#endif
