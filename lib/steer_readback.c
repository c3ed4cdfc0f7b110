// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Which steering program a tun/tap device runs, read back from the kernel:
 * tun has no ioctl for it, so a BPF task_file iterator
 * (bpf/vnethash_tunq.bpf.c) reports it from every open queue file.
 */
#include <errno.h>
#include <linux/types.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vnethash_steer.h"
#include "vnethash_tunq.h"
#include "vnethash_tunq.skel.h"

/* Read all the iterator's records of device @ifindex in netns @ino. */
static int tunq_scan(unsigned int ifindex, unsigned long ino,
		     struct vnh_tun_steering *out)
{
	struct vnethash_tunq *skel;
	struct bpf_link *link;
	unsigned char buf[sizeof(struct vnh_tunq_rec) * 64];
	size_t have = 0, off;
	ssize_t n;
	int fd, err = 0;

	skel = vnethash_tunq__open_and_load();
	if (!skel) {
		err = errno ? -errno : -EOPNOTSUPP;
		/* No BTF, no task_file iterators, or tun's types not found. */
		if (err == -ENOENT || err == -ESRCH || err == -EINVAL ||
		    err == -ENOTSUP)
			err = -EOPNOTSUPP;
		return err;
	}
	link = bpf_program__attach_iter(skel->progs.vnh_tunq, NULL);
	if (!link) {
		err = -errno;
		goto out;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto out_link;
	}
	for (;;) {
		n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		have += (size_t)n;
		for (off = 0; off + sizeof(struct vnh_tunq_rec) <= have;
		     off += sizeof(struct vnh_tunq_rec)) {
			struct vnh_tunq_rec rec;

			memcpy(&rec, buf + off, sizeof(rec));
			if (rec.ifindex != ifindex || rec.netns_ino != ino)
				continue;
			if (rec.detached)
				out->detached_queues++;
			else
				out->queues++;
			out->prog_id = rec.prog_id;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		if (n == 0)
			break;
	}
	close(fd);
out_link:
	bpf_link__destroy(link);
out:
	vnethash_tunq__destroy(skel);
	return err;
}

int vnh_tun_steering(const char *ifname, struct vnh_tun_steering *st)
{
	struct vnh_tun_steering out;
	unsigned int ifindex;
	struct stat ns;
	int err;

	if (!ifname || !st || st->sz < sizeof(size_t))
		return -EINVAL;
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return -ENODEV;
	if (stat("/proc/self/ns/net", &ns))
		return -errno;
	memset(&out, 0, sizeof(out));
	out.sz = sizeof(out);
	out.ifindex = ifindex;
	err = tunq_scan(ifindex, (unsigned long)ns.st_ino, &out);
	if (err)
		return err;
	if (!out.queues && !out.detached_queues)
		return -ENOENT;
	{
		size_t sz = st->sz < sizeof(out) ? st->sz : sizeof(out);

		memcpy((char *)st + sizeof(size_t),
		       (const char *)&out + sizeof(size_t), sz - sizeof(size_t));
	}
	return 0;
}
