// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The steering object: load the eBPF program and its maps (one of the two
 * builds embedded in the library as skeletons: with the hash-report kfunc's
 * extern, and without it), find out what the loaded program does, attach it
 * to tun/tap queues and detach it, and run it on a frame
 * (BPF_PROG_TEST_RUN).
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
#include "vnethash_steer_nokfunc.skel.h"
#include "vnethash_steer_pt.skel.h"

_Static_assert(VNH_STEER_STAT_QUEUES == VNH_STATS_QUEUES,
	       "public and map queue counter counts differ");
_Static_assert(sizeof(((struct vnh_toeplitz_table *)0)->entry) ==
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
	if (s->inner_fd >= 0)
		close(s->inner_fd);
}

void vnh_steer_free(struct vnh_steer *s)
{
	if (!s)
		return;
	steer_close_fds(s);
	if (s->skel)
		vnethash_steer__destroy(s->skel);
	if (s->skel_nk)
		vnethash_steer_nokfunc__destroy(s->skel_nk);
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
		s->inner_fd = -1;
	}
	return s;
}

static int dup_fd(int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	return d < 0 ? -errno : d;
}

/* Keep our own fds of the loaded object's program and maps. */
static int steer_take_fds(struct vnh_steer *s, const struct bpf_program *prog,
			  const struct bpf_map *config,
			  const struct bpf_map *stats,
			  const struct bpf_map *debug)
{
	if ((s->prog_fd = dup_fd(bpf_program__fd(prog))) < 0 ||
	    (s->config_fd = dup_fd(bpf_map__fd(config))) < 0 ||
	    (s->stats_fd = dup_fd(bpf_map__fd(stats))) < 0 ||
	    (s->debug_fd = dup_fd(bpf_map__fd(debug))) < 0)
		return -errno;
	return 0;
}

/*
 * Run the object's vnh_caps_prog once and read back what it wrote into the
 * object's global vnh_caps, at @off in its .bss map @bss (read with a map
 * lookup into @buf, the map's value: libbpf mmaps .bss only where the
 * kernel lets it): VNH_CAPS_*.
 */
static int steer_read_caps(const struct bpf_program *caps_prog,
			   const struct bpf_map *bss, void *buf, size_t buf_sz,
			   size_t off, uint32_t *out)
{
	__u32 zero = 0;
	unsigned char frame[64] = { 0 };	/* any frame will do */
	LIBBPF_OPTS(bpf_test_run_opts, topts,
		.data_in = frame,
		.data_size_in = sizeof(frame),
		.repeat = 1,
	);

	if (bpf_prog_test_run_opts(bpf_program__fd(caps_prog), &topts))
		return -errno;
	if (bpf_map__value_size(bss) != buf_sz || buf_sz < off + sizeof(*out))
		return -EPROTO;
	if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, buf))
		return -errno;
	memcpy(out, (const char *)buf + off, sizeof(*out));
	return (*out & VNH_CAPS_VALID) ? 0 : -EPROTO;
}

static int steer_load_kfunc(struct vnh_steer *s, uint32_t *caps)
{
	struct vnethash_steer *k = vnethash_steer__open();
	struct vnethash_steer__bss bss;
	int err;

	if (!k)
		return -errno;
	if (vnethash_steer__load(k)) {
		err = -errno;
		vnethash_steer__destroy(k);
		return err ? err : -EINVAL;
	}
	s->skel = k;
	/* Not fatal: without it, what the program does is read from its
	 * instructions (vnh_steer_get_config()). */
	if (steer_read_caps(k->progs.vnh_caps_prog, k->maps.bss, &bss,
			    sizeof(bss),
			    offsetof(struct vnethash_steer__bss, vnh_caps),
			    caps))
		*caps = 0;
	return steer_take_fds(s, k->progs.vnh_steer_prog,
					  k->maps.vnh_config, k->maps.vnh_stats,
					  k->maps.vnh_debug);
}

static int steer_load_nokfunc(struct vnh_steer *s, uint32_t *caps)
{
	struct vnethash_steer_nokfunc *k = vnethash_steer_nokfunc__open();
	struct vnethash_steer_nokfunc__bss bss;
	int err;

	if (!k)
		return -errno;
	if (vnethash_steer_nokfunc__load(k)) {
		err = -errno;
		vnethash_steer_nokfunc__destroy(k);
		return err ? err : -EINVAL;
	}
	s->skel_nk = k;
	/* This build has no extern: it steers only, whatever it says. */
	if (steer_read_caps(k->progs.vnh_caps_prog, k->maps.bss, &bss,
			    sizeof(bss),
			    offsetof(struct vnethash_steer_nokfunc__bss,
				     vnh_caps), caps))
		*caps = VNH_CAPS_VALID | VNH_CAPS_NO_KFUNC_BUILD;
	return steer_take_fds(s, k->progs.vnh_steer_prog,
					  k->maps.vnh_config, k->maps.vnh_stats,
					  k->maps.vnh_debug);
}

/*
 * The BPF_PROG_TYPE_VNET_HASH build. libbpf does not know the section
 * "vnet_hash" unless it is patched too (patch 0021), so the type is set by
 * its number, which the kernel's BTF gives; without it: -EOPNOTSUPP.
 */
static int steer_load_progtype(struct vnh_steer *s, uint32_t *caps)
{
	struct vnethash_steer_pt *k;
	struct vnethash_steer_pt__bss bss;
	int type = vnh_progtype_number(), err;

	if (type < 0)
		return type;
	k = vnethash_steer_pt__open();
	if (!k)
		return -errno;
	if (bpf_program__set_type(k->progs.vnh_steer_prog,
				  (enum bpf_prog_type)type) ||
	    vnethash_steer_pt__load(k)) {
		err = -errno;
		vnethash_steer_pt__destroy(k);
		return err ? err : -EINVAL;
	}
	s->skel_pt = k;
	if (steer_read_caps(k->progs.vnh_caps_prog, k->maps.bss, &bss,
			    sizeof(bss),
			    offsetof(struct vnethash_steer_pt__bss, vnh_caps),
			    caps))
		*caps = VNH_CAPS_VALID | VNH_CAPS_PROGTYPE_BUILD;
	return steer_take_fds(s, k->progs.vnh_steer_prog,
					  k->maps.vnh_config, k->maps.vnh_stats,
					  k->maps.vnh_debug);
}

/* Back to an object with nothing loaded. */
static void steer_unload(struct vnh_steer *s)
{
	steer_close_fds(s);
	s->prog_fd = s->config_fd = s->stats_fd = s->debug_fd = -1;
	s->inner_fd = -1;
	if (s->skel)
		vnethash_steer__destroy(s->skel);
	if (s->skel_nk)
		vnethash_steer_nokfunc__destroy(s->skel_nk);
	if (s->skel_pt)
		vnethash_steer_pt__destroy(s->skel_pt);
	s->skel = NULL;
	s->skel_nk = NULL;
	s->skel_pt = NULL;
}

/*
 * Load the build @variant asks for (enum vnh_steer_variant); AUTO: the one
 * with the kfunc extern and, when it does not load, whatever the reason
 * (no vmlinux BTF: libbpf refuses any typed kfunc extern; an old libbpf's
 * unresolved call without CAP_BPF, a JIT or a GPL license; a verifier that
 * rejects the call), the one without it. @caps gets what the loaded
 * program says of itself.
 */
static int steer_load_variant(struct vnh_steer *s, int variant,
			      uint32_t *caps)
{
	int err;

	switch (variant) {
	case VNH_STEER_VARIANT_AUTO:
	case VNH_STEER_VARIANT_KFUNC:
		err = steer_load_kfunc(s, caps);
		if (!err || variant == VNH_STEER_VARIANT_KFUNC)
			return err;
		/* Start over with nothing of the first build left. */
		steer_unload(s);
		s->kfunc_load_err = err;
		return steer_load_nokfunc(s, caps);
	case VNH_STEER_VARIANT_NO_KFUNC:
		return steer_load_nokfunc(s, caps);
	case VNH_STEER_VARIANT_PROGTYPE:
		return steer_load_progtype(s, caps);
	}
	return -EINVAL;
}

/*
 * Load for @mech (enum vnh_steer_mechanism): the build it needs, and for
 * KFUNC or AUTO a check of what the loaded program says of itself. A
 * mechanism that is not there is -EOPNOTSUPP.
 */
static int steer_load_mechanism(struct vnh_steer *s, int mech, int variant,
				uint32_t *caps)
{
	int err;

	switch (mech) {
	case VNH_STEER_MECH_PROGTYPE:
		return steer_load_variant(s, VNH_STEER_VARIANT_PROGTYPE, caps);
	case VNH_STEER_MECH_STEER:
		return steer_load_variant(s, variant, caps);
	case VNH_STEER_MECH_KFUNC:
		err = steer_load_variant(s, VNH_STEER_VARIANT_KFUNC, caps);
		if (err)
			return err;
		return (*caps & VNH_CAPS_KFUNC) ? 0 : -EOPNOTSUPP;
	case VNH_STEER_MECH_AUTO:
		err = steer_load_variant(s, variant, caps);
		if (err || (*caps & VNH_CAPS_KFUNC) ||
		    variant != VNH_STEER_VARIANT_AUTO ||
		    vnh_progtype_number() < 0)
			return err;
		/* No kfunc here: the program type, if this kernel has it;
		 * if that does not load, the steering program again. */
		steer_unload(s);
		if (!steer_load_progtype(s, caps))
			return 0;
		steer_unload(s);
		return steer_load_variant(s, variant, caps);
	}
	return -EINVAL;
}

int vnh_steer_load(const struct vnh_rss *rss,
		   const struct vnh_steer_opts *opts, struct vnh_steer **steer)
{
	struct vnh_steer_opts o;
	struct vnh_steer_cfg *cfg;
	struct vnh_steer *s;
	uint32_t flags = 0, caps = 0;
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
	    o.mechanism > VNH_STEER_MECH_STEER ||
	    o.variant < VNH_STEER_VARIANT_AUTO ||
	    o.variant > VNH_STEER_VARIANT_PROGTYPE)
		return -EINVAL;
	if (o.no_report && o.mechanism != VNH_STEER_MECH_AUTO &&
	    o.mechanism != VNH_STEER_MECH_STEER)
		return -EINVAL;
	if ((o.mechanism == VNH_STEER_MECH_KFUNC &&
	     o.variant != VNH_STEER_VARIANT_AUTO &&
	     o.variant != VNH_STEER_VARIANT_KFUNC) ||
	    (o.mechanism == VNH_STEER_MECH_PROGTYPE &&
	     o.variant != VNH_STEER_VARIANT_AUTO &&
	     o.variant != VNH_STEER_VARIANT_PROGTYPE))
		return -EINVAL;
	if (o.variant == VNH_STEER_VARIANT_PROGTYPE &&
	    o.mechanism == VNH_STEER_MECH_AUTO && !o.no_report)
		o.mechanism = VNH_STEER_MECH_PROGTYPE;
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
	err = steer_load_mechanism(s, o.mechanism, o.variant, &caps);
	if (err)
		goto fail;
	if (caps & VNH_CAPS_PROGTYPE_BUILD)
		flags |= VNH_CFG_F_PROGTYPE_BUILD;
	if (caps & VNH_CAPS_KFUNC)
		flags |= VNH_CFG_F_KFUNC;
	if (caps & VNH_CAPS_NO_KFUNC_BUILD)
		flags |= VNH_CFG_F_NO_KFUNC_BUILD;
	if (caps & VNH_CAPS_VALID) {
		flags |= VNH_CFG_F_CAPS;
		s->variant = vnh_cfg_variant(flags);
		s->reports = (caps & (VNH_CAPS_KFUNC |
				      VNH_CAPS_PROGTYPE_BUILD)) &&
			     !o.no_report;
	}
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
