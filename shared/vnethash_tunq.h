/* SPDX-License-Identifier: (GPL-2.0-only OR LGPL-2.1 OR BSD-2-Clause) */
/*
 * vnethash_tunq.h - the record the tun queue iterator (vnethash_tunq.bpf.c)
 * writes for each open tun/tap queue file; read by lib/. Include
 * <linux/types.h> first.
 */
#ifndef VNETHASH_TUNQ_H
#define VNETHASH_TUNQ_H

struct vnh_tunq_rec {
	__u32 pid;		/* process (tgid) holding the queue file */
	__u32 fd;		/* its fd there */
	__u32 ifindex;		/* the device */
	__u32 netns_ino;	/* the device's network namespace (inode) */
	__u32 prog_id;		/* the device's steering program, 0: none */
	__u32 detached;		/* the queue is detached (IFF_DETACH_QUEUE) */
};

#endif
