// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnethash_tunq.bpf.c - read back the steering program of tun/tap devices.
 *
 * tun has TUNSETSTEERINGEBPF but no way to ask which program a device
 * runs. This task_file iterator visits every open file; for each tun queue
 * file (the /dev/net/tun character device, 10:200) it writes one record:
 * the device's ifindex and network namespace and the id of its steering
 * program (0: none). User space (lib/) keeps the records of the device it
 * asks about. Every kernel structure is reached through CO-RE relocations
 * against the running kernel's BTF (tun's types are in vmlinux or in the
 * tun module's BTF); nothing is written.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "vnethash_tunq.h"

#define PAI __attribute__((preserve_access_index))

/* The fields used, of the kernel's types (names must match, not layout). */
struct bpf_iter_meta {
	void *seq;
} PAI;

struct task_struct {
	int tgid;
} PAI;

struct inode {
	__u32 i_rdev;
} PAI;

struct file {
	struct inode *f_inode;
	void *private_data;
} PAI;

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
} PAI;

struct ns_common {
	unsigned int inum;
} PAI;

struct net {
	struct ns_common ns;
} PAI;

typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	int ifindex;
	possible_net_t nd_net;
} PAI;

struct bpf_prog_aux {
	__u32 id;
} PAI;

struct bpf_prog {
	struct bpf_prog_aux *aux;
} PAI;

struct tun_prog {
	struct bpf_prog *prog;
} PAI;

struct tun_struct {
	struct net_device *dev;
	struct tun_prog *steering_prog;
} PAI;

struct tun_file {
	struct tun_struct *tun;
	struct tun_struct *detached;
} PAI;

/* The kernel's dev_t of /dev/net/tun: MKDEV(MISC_MAJOR, TUN_MINOR). */
#define TUN_RDEV ((10u << 20) | 200u)

SEC("iter/task_file")
int vnh_tunq(struct bpf_iter__task_file *ctx)
{
	struct file *file = ctx->file;
	struct task_struct *task = ctx->task;
	struct vnh_tunq_rec rec = {};
	struct tun_struct *tun;
	struct tun_file *tfile;
	struct tun_prog *tp;

	if (!file || !task)
		return 0;
	if (BPF_CORE_READ(file, f_inode, i_rdev) != TUN_RDEV)
		return 0;
	tfile = BPF_CORE_READ(file, private_data);
	if (!tfile)
		return 0;
	tun = BPF_CORE_READ(tfile, tun);
	if (!tun) {
		tun = BPF_CORE_READ(tfile, detached);
		rec.detached = 1;
	}
	if (!tun)
		return 0;	/* opened, not attached to any device yet */
	rec.pid = (__u32)BPF_CORE_READ(task, tgid);
	rec.fd = ctx->fd;
	rec.ifindex = (__u32)BPF_CORE_READ(tun, dev, ifindex);
	rec.netns_ino = BPF_CORE_READ(tun, dev, nd_net.net, ns.inum);
	tp = BPF_CORE_READ(tun, steering_prog);
	if (tp)
		rec.prog_id = BPF_CORE_READ(tp, prog, aux, id);
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
