// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * guest-rxhash - the guest side of the `qemu` test suite: loads
 * guest_rxhash.bpf.o as a device-bound XDP program on the guest's
 * virtio-net device and prints what it recorded.
 *
 *   guest-rxhash load IFNAME OBJ   load, attach (driver mode), pin the maps
 *   guest-rxhash count             frames recorded so far
 *   guest-rxhash dump              "REC seq queue hash rss_type ret len"
 *                                  per frame, "END n"; then starts over
 *   guest-rxhash detach IFNAME
 *
 * Exit status 0, or 1 with a message on stderr.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY (1U << 6)
#endif

#define PIN_RECS "/sys/fs/bpf/guest_rxhash_recs"
#define PIN_COUNT "/sys/fs/bpf/guest_rxhash_count"

struct rec {
	unsigned int seq, queue, hash, rss_type;
	int ret;
	unsigned int len;
};

static int die(const char *what, int err)
{
	fprintf(stderr, "guest-rxhash: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int cmd_load(const char *ifname, const char *path)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	unsigned int ifindex = if_nametoindex(ifname);
	int err;

	if (!ifindex)
		return die(ifname, errno);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return die(path, errno);
	prog = bpf_object__find_program_by_name(obj, "rxhash_rec");
	if (!prog)
		return die("no program rxhash_rec", ENOENT);
	/* the rx-hash kfunc needs a program bound to the device */
	bpf_program__set_ifindex(prog, ifindex);
	bpf_program__set_flags(prog, BPF_F_XDP_DEV_BOUND_ONLY);
	err = bpf_object__load(obj);
	if (err)
		return die("load", err);
	err = bpf_xdp_attach(ifindex, bpf_program__fd(prog),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		return die("attach (driver mode)", err);
	err = bpf_map__pin(bpf_object__find_map_by_name(obj, "recs"), PIN_RECS);
	if (!err)
		err = bpf_map__pin(bpf_object__find_map_by_name(obj, "count"),
				   PIN_COUNT);
	if (err)
		return die("pin", err);
	printf("guest-rxhash: attached to %s\n", ifname);
	return 0;
}

static int read_count(int *count_fd, unsigned int *n)
{
	unsigned int zero = 0;

	*count_fd = bpf_obj_get(PIN_COUNT);
	if (*count_fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(*count_fd, &zero, n))
		return -errno;
	return 0;
}

static int cmd_count(void)
{
	unsigned int n;
	int fd, err = read_count(&fd, &n);

	if (err)
		return die("count", err);
	printf("COUNT %u\n", n);
	return 0;
}

static int cmd_dump(void)
{
	unsigned int n, i, zero = 0;
	int cfd, rfd, err = read_count(&cfd, &n);
	struct rec r;

	if (err)
		return die("count", err);
	rfd = bpf_obj_get(PIN_RECS);
	if (rfd < 0)
		return die(PIN_RECS, errno);
	if (n > 16384)
		n = 16384;
	for (i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(rfd, &i, &r))
			return die("lookup", errno);
		printf("REC %u %u %u %u %d %u\n", r.seq, r.queue, r.hash,
		       r.rss_type, r.ret, r.len);
	}
	printf("END %u\n", n);
	if (bpf_map_update_elem(cfd, &zero, &zero, BPF_ANY))
		return die("reset", errno);
	return 0;
}

static int cmd_detach(const char *ifname)
{
	unsigned int ifindex = if_nametoindex(ifname);
	int err;

	if (!ifindex)
		return die(ifname, errno);
	err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		return die("detach", err);
	unlink(PIN_RECS);
	unlink(PIN_COUNT);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "load"))
		return cmd_load(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "count"))
		return cmd_count();
	if (argc == 2 && !strcmp(argv[1], "dump"))
		return cmd_dump();
	if (argc == 3 && !strcmp(argv[1], "detach"))
		return cmd_detach(argv[2]);
	fprintf(stderr, "usage: guest-rxhash load IFNAME OBJ | count | dump | detach IFNAME\n");
	return 2;
}
