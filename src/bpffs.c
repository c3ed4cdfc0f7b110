// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpffs and libbpf for the steering commands: libbpf's messages, bpffs
 * mounted, and the root of the devices' pin directories.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include <bpf/libbpf.h>

#include "bpffs.h"
#include "tool.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#define BPFFS "/sys/fs/bpf"
#define PIN_ROOT BPFFS "/vnethash"

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

void steer_tool_init(void)
{
	if (!getenv("VNETHASH_DEBUG"))
		libbpf_set_print(libbpf_quiet);
}

const char *steer_pin_root(void)
{
	const char *root = getenv("VNETHASH_PIN_ROOT");

	return root && *root ? root : PIN_ROOT;
}

int steer_bpffs_ready(void)
{
	struct statfs sfs;
	const char *root = getenv("VNETHASH_PIN_ROOT");

	if (root && *root) {
		/* A test or custom root: it must already be on a bpffs. */
		char path[256];
		char *slash;

		snprintf(path, sizeof(path), "%s", root);
		while (statfs(path, &sfs) && (slash = strrchr(path, '/')) &&
		       slash != path)
			*slash = '\0';
		if (sfs.f_type != BPF_FS_MAGIC) {
			fprintf(stderr, "%s: VNETHASH_PIN_ROOT %s is not on a bpffs\n",
				prog_name, root);
			return -1;
		}
		return 0;
	}
	if (!statfs(BPFFS, &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		fprintf(stderr, "%s: bpffs unavailable: cannot mount it at %s: %s%s\n",
			prog_name, BPFFS, strerror(errno),
			perm_hint(errno, "CAP_SYS_ADMIN"));
		return -1;
	}
	return 0;
}
