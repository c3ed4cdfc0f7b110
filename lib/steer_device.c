// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A steering program and its device: which device pins belong to (the
 * "owner" record pinned beside the program), and which steering program a
 * tun/tap device runs, read back from the kernel (tun has no ioctl for it,
 * so a BPF task_file iterator, bpf/vnethash_tunq.bpf.c, reports it from
 * every open queue file).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/types.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
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
		/*
		 * No BTF, no tracing programs (CONFIG_BPF_EVENTS=n: the load
		 * fails with EINVAL before the verifier), or tun's types not
		 * found.
		 */
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
	vnh_opts_out(st, &out, sizeof(out));
	return 0;
}

/* The pinned record of the device a program was pinned for. */
#define OWNER_MAGIC	0x766e686f	/* "vnho" */
struct owner_rec {
	__u32 magic;
	__u32 ifindex;
	__u64 netns_ino;
	__u64 netns_cookie;
	__u32 prog_id;
	__u32 pad;
	char ifname[IFNAMSIZ];
};

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* The caller's network namespace: inode, and cookie (0 if unknown). */
static int netns_self(__u64 *ino, __u64 *cookie)
{
	struct stat st;
	socklen_t len = sizeof(*cookie);
	int fd;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	*ino = st.st_ino;
	*cookie = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
			*cookie = 0;
		close(fd);
	}
	return 0;
}

int vnh_steer_pin_owner(const struct vnh_steer *steer, const char *dir,
			const char *ifname)
{
	struct vnh_steer_info info = { .sz = sizeof(info) };
	struct owner_rec rec;
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err;

	if (!steer || !dir || !ifname || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	err = vnh_pin_path(path, sizeof(path), dir, "owner");
	if (err)
		return err;
	memset(&rec, 0, sizeof(rec));
	rec.magic = OWNER_MAGIC;
	rec.ifindex = if_nametoindex(ifname);
	if (!rec.ifindex)
		return -ENODEV;
	err = netns_self(&rec.netns_ino, &rec.netns_cookie);
	if (err)
		return err;
	err = vnh_steer_get_config(steer, NULL, &info);
	if (err)
		return err;
	rec.prog_id = info.prog_id;
	memcpy(rec.ifname, ifname, strlen(ifname));

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "vnh_owner", sizeof(__u32),
			    sizeof(rec), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &zero, &rec, BPF_ANY) ||
	    bpf_map_freeze(fd) || bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

int vnh_steer_unpin_owner(const char *dir)
{
	char path[PATH_MAX];
	int err;

	if (!dir)
		return -EINVAL;
	err = vnh_pin_path(path, sizeof(path), dir, "owner");
	if (err)
		return err;
	return unlink(path) ? -errno : 0;
}

int vnh_steer_read_owner(const char *dir, struct vnh_steer_owner *owner)
{
	struct bpf_map_info info;
	struct vnh_steer_owner out;
	struct owner_rec rec;
	__u32 len = sizeof(info), zero = 0;
	char path[PATH_MAX];
	__u64 ino, cookie;
	int fd, err;

	if (!dir || !owner || owner->sz < sizeof(size_t))
		return -EINVAL;
	err = vnh_pin_path(path, sizeof(path), dir, "owner");
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? -ENODATA : -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else if (info.type != BPF_MAP_TYPE_ARRAY ||
		 info.value_size != sizeof(rec))
		err = -EPROTO;
	else if (bpf_map_lookup_elem(fd, &zero, &rec))
		err = -errno;
	else if (rec.magic != OWNER_MAGIC)
		err = -EPROTO;
	close(fd);
	if (err)
		return err;
	memset(&out, 0, sizeof(out));
	out.sz = sizeof(out);
	memcpy(out.ifname, rec.ifname, IFNAMSIZ - 1);
	out.ifindex = rec.ifindex;
	out.netns_ino = rec.netns_ino;
	out.netns_cookie = rec.netns_cookie;
	out.prog_id = rec.prog_id;
	out.here = !netns_self(&ino, &cookie) && ino == rec.netns_ino &&
		   (!cookie || !rec.netns_cookie || cookie == rec.netns_cookie);
	if (out.here) {
		char name[IF_NAMESIZE];

		out.gone = !if_indextoname(rec.ifindex, name) ||
			   strcmp(name, out.ifname);
	}
	vnh_opts_out(owner, &out, sizeof(out));
	return 0;
}

int vnh_steer_check_owner(const char *dir, const char *ifname)
{
	struct vnh_steer_owner o = { .sz = sizeof(o) };
	unsigned int ifindex;
	int err;

	if (!ifname)
		return -EINVAL;
	err = vnh_steer_read_owner(dir, &o);
	if (err)
		return err;
	ifindex = if_nametoindex(ifname);
	if (!o.here)
		return -EXDEV;
	if (o.gone || !ifindex || ifindex != o.ifindex || strcmp(ifname, o.ifname))
		return -ESTALE;
	return 0;
}

/*
 * For vnh_steer_open_pinned(): -ESTALE if the pins under @dir record a
 * device of the caller's namespace that no longer exists (deleted, or
 * another device under the name now), else 0.
 */
int vnh_steer_pins_stale(const char *dir)
{
	struct vnh_steer_owner o = { .sz = sizeof(o) };

	if (vnh_steer_read_owner(dir, &o))
		return 0;
	return o.here && o.gone ? -ESTALE : 0;
}
