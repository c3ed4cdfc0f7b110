// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The steering object: load the eBPF program and its maps (the skeleton
 * embedded in the library), attach it to tun/tap queues and detach it, and
 * run it on a frame (BPF_PROG_TEST_RUN).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "vnethash_steer.skel.h"
#include "vnethash_steer_pt.skel.h"

_Static_assert(VNH_STEER_STAT_QUEUES == VNH_STATS_QUEUES,
	       "public and map queue counter counts differ");
_Static_assert(sizeof(struct vnh_toeplitz_table) ==
	       sizeof(((struct vnh_steer_cfg *)0)->toeplitz),
	       "Toeplitz table layouts differ");

static int mode_flags(int mode, uint32_t *flags)
{
	switch (mode) {
	case VNH_STEER_MODE_AUTO:
	case VNH_STEER_MODE_ETH:
		return 0;
	case VNH_STEER_MODE_L3:
		*flags |= VNH_CFG_F_L3;
		return 0;
	}
	return -EINVAL;
}

static int fd_mode(int queue_fd, int *mode, int *flags_out)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(queue_fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	if (flags_out)
		*flags_out = ifr.ifr_flags;
	*mode = (ifr.ifr_flags & IFF_TUN) ? VNH_STEER_MODE_L3 :
					     VNH_STEER_MODE_ETH;
	return 0;
}

static void steer_close_fds(struct vnh_steer *s)
{
	if (s->prog_fd >= 0)
		close(s->prog_fd);
	if (s->config_fd >= 0)
		close(s->config_fd);
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	if (s->debug_fd >= 0)
		close(s->debug_fd);
}

void vnh_steer_free(struct vnh_steer *s)
{
	if (!s)
		return;
	steer_close_fds(s);
	if (s->skel)
		vnethash_steer__destroy(s->skel);
	if (s->skel_pt)
		vnethash_steer_pt__destroy(s->skel_pt);
	free(s);
}

struct vnh_steer *vnh_steer_alloc(void)
{
	struct vnh_steer *s = calloc(1, sizeof(*s));

	if (s) {
		s->prog_fd = -1;
		s->config_fd = -1;
		s->stats_fd = -1;
		s->debug_fd = -1;
	}
	return s;
}

static int dup_fd(int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	return d < 0 ? -errno : d;
}

/* Load the kfunc (socket filter) build of the program into @s. */
static int load_kfunc_build(struct vnh_steer *s)
{
	s->skel = vnethash_steer__open();
	if (!s->skel)
		return -errno;
	if (vnethash_steer__load(s->skel))
		return -errno;
	if ((s->prog_fd = dup_fd(bpf_program__fd(s->skel->progs.vnh_steer_prog))) < 0 ||
	    (s->config_fd = dup_fd(bpf_map__fd(s->skel->maps.vnh_config))) < 0 ||
	    (s->stats_fd = dup_fd(bpf_map__fd(s->skel->maps.vnh_stats))) < 0 ||
	    (s->debug_fd = dup_fd(bpf_map__fd(s->skel->maps.vnh_debug))) < 0)
		return -errno;
	return 0;
}

/*
 * Load the BPF_PROG_TYPE_VNET_HASH build into @s. libbpf does not know the
 * section "vnet_hash" unless it is patched too, so the type is set by its
 * number, which the kernel's BTF gives.
 */
static int load_progtype_build(struct vnh_steer *s)
{
	int type = vnh_progtype_number();

	if (type < 0)
		return type;
	s->skel_pt = vnethash_steer_pt__open();
	if (!s->skel_pt)
		return -errno;
	if (bpf_program__set_type(s->skel_pt->progs.vnh_steer_prog,
				  (enum bpf_prog_type)type))
		return -EINVAL;
	if (vnethash_steer_pt__load(s->skel_pt))
		return -errno;
	if ((s->prog_fd = dup_fd(bpf_program__fd(s->skel_pt->progs.vnh_steer_prog))) < 0 ||
	    (s->config_fd = dup_fd(bpf_map__fd(s->skel_pt->maps.vnh_config))) < 0 ||
	    (s->stats_fd = dup_fd(bpf_map__fd(s->skel_pt->maps.vnh_stats))) < 0 ||
	    (s->debug_fd = dup_fd(bpf_map__fd(s->skel_pt->maps.vnh_debug))) < 0)
		return -errno;
	return 0;
}

/* Back to an object with nothing loaded, for another build. */
static void steer_unload(struct vnh_steer *s)
{
	steer_close_fds(s);
	s->prog_fd = s->config_fd = s->stats_fd = s->debug_fd = -1;
	if (s->skel)
		vnethash_steer__destroy(s->skel);
	s->skel = NULL;
}

/*
 * Load the build @mech asks for (AUTO: the best the kernel has). A
 * mechanism the kernel lacks is -EOPNOTSUPP.
 */
static int load_mechanism(struct vnh_steer *s, int mech)
{
	int err, calls;

	if (mech == VNH_STEER_MECH_PROGTYPE)
		return load_progtype_build(s);
	err = load_kfunc_build(s);
	if (err || mech == VNH_STEER_MECH_STEER)
		return err;
	/* Did the weak kfunc resolve, i.e. is the call still there? */
	calls = vnh_prog_calls_kfunc(s->prog_fd, NULL, NULL);
	if (calls < 0)
		return calls;
	if (calls)
		return 0;
	if (mech == VNH_STEER_MECH_KFUNC)
		return -EOPNOTSUPP;
	if (vnh_progtype_number() < 0)
		return 0;		/* AUTO: steering is all there is */
	steer_unload(s);
	return load_progtype_build(s);
}

int vnh_steer_load(const struct vnh_rss *rss,
		   const struct vnh_steer_opts *opts, struct vnh_steer **steer)
{
	struct vnh_steer_opts o;
	struct vnh_steer_cfg *cfg;
	struct vnh_steer *s;
	uint32_t flags = 0;
	int err;

	if (!steer)
		return -EINVAL;
	err = vnh_opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	err = mode_flags(o.mode, &flags);
	if (err)
		return err;
	if (o.mechanism < VNH_STEER_MECH_AUTO ||
	    o.mechanism > VNH_STEER_MECH_STEER)
		return -EINVAL;
	if (o.no_report && o.mechanism != VNH_STEER_MECH_AUTO &&
	    o.mechanism != VNH_STEER_MECH_STEER)
		return -EINVAL;
	if (o.mechanism == VNH_STEER_MECH_STEER)
		o.no_report = 1;
	if (o.no_report)
		flags |= VNH_CFG_F_NO_REPORT;
	if (o.debug)
		flags |= VNH_CFG_F_DEBUG;
	err = vnh_cfg_check(rss, o.max_queues);
	if (err)
		return err;

	s = vnh_steer_alloc();
	if (!s)
		return -ENOMEM;
	err = load_mechanism(s, o.no_report ? VNH_STEER_MECH_STEER :
					      o.mechanism);
	if (err)
		goto fail;
	cfg = vnh_cfg_build(rss, flags, 1, o.max_queues);
	if (!cfg) {
		err = -ENOMEM;
		goto fail;
	}
	err = vnh_cfg_install(s, cfg);
	free(cfg);
	if (err)
		goto fail;
	*steer = s;
	return 0;
fail:
	vnh_steer_free(s);
	return err ? err : -EINVAL;
}

int vnh_steer_attach_queue(struct vnh_steer *s, int queue_fd)
{
	if (!s || queue_fd < 0)
		return -EINVAL;
	if (ioctl(queue_fd, TUNSETSTEERINGEBPF, &s->prog_fd) < 0)
		return -errno;
	return 0;
}

int vnh_steer_attach(int queue_fd, const struct vnh_rss *rss,
		     const struct vnh_steer_opts *opts,
		     struct vnh_steer **steer)
{
	struct vnh_steer_opts o;
	struct vnh_steer *s;
	int err;

	if (queue_fd < 0 || !steer)
		return -EINVAL;
	err = vnh_opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	o.sz = sizeof(o);
	if (o.mode == VNH_STEER_MODE_AUTO) {
		err = fd_mode(queue_fd, &o.mode, NULL);
		if (err)
			return err;
	}
	err = vnh_steer_load(rss, &o, &s);
	if (err)
		return err;
	err = vnh_steer_attach_queue(s, queue_fd);
	if (err) {
		vnh_steer_free(s);
		return err;
	}
	*steer = s;
	return 0;
}

int vnh_steer_detach(int queue_fd)
{
	int none = -1;

	if (queue_fd < 0)
		return -EINVAL;
	if (ioctl(queue_fd, TUNSETSTEERINGEBPF, &none) < 0)
		return -errno;
	return 0;
}

int vnh_steer_prog_fd(const struct vnh_steer *s)
{
	return s ? s->prog_fd : -EINVAL;
}

int vnh_steer_test_run(const struct vnh_steer *s, const void *frame,
		       size_t len, struct vnh_result *res)
{
	struct vnh_steer_debug dbg;
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, topts,
		.data_in = frame,
		.data_size_in = (__u32)len,
		.repeat = 1,
	);

	if (!s || !frame || !res || len > UINT32_MAX)
		return -EINVAL;
	memset(&dbg, 0, sizeof(dbg));
	/* The debug record is only written in debug mode: clear it. */
	if (bpf_map_update_elem(s->debug_fd, &zero, &dbg, BPF_ANY))
		return -errno;
	if (bpf_prog_test_run_opts(s->prog_fd, &topts))
		return -errno;
	if (bpf_map_lookup_elem(s->debug_fd, &zero, &dbg))
		return -errno;
	res->queue = (uint16_t)topts.retval;
	res->hash = dbg.hash;
	res->report = dbg.report;
	return 0;
}
