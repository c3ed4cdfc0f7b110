/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpffs and libbpf for the steering commands. Tool-internal. Functions that
 * can fail print their own message and return -1.
 */
#ifndef VNETHASH_BPFFS_H
#define VNETHASH_BPFFS_H

/* libbpf quiet unless VNETHASH_DEBUG is set. */
void steer_tool_init(void);

/* Where the pin directories of devices are: $VNETHASH_PIN_ROOT, or
 * /sys/fs/bpf/vnethash. */
const char *steer_pin_root(void);

/* Make sure bpffs is mounted at /sys/fs/bpf (mount it if not). */
int steer_bpffs_ready(void);

#endif
