// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vnh_tap_read(): read a frame from a tun/tap queue with its vnet header
 * and packet information, and take its hash and queue from the kernel's
 * report or, where there is none, from the library.
 */
#include <endian.h>
#include <errno.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "internal.h"

/* vnh_tap_read(): are all-zero hash fields report NONE on @fd's device? */
static int tap_zero_is_report(int fd, const struct vnh_tap_read_opts *o)
{
	struct vnh_steer_info info = { .sz = sizeof(info) };
	struct vnh_tun_info ti = { .sz = sizeof(ti) };
	struct ifreq ifr;

	if (o->report != VNH_TAP_REPORT_AUTO)
		return o->report == VNH_TAP_REPORT_ON;
	if (!vnh_kfunc_present())
		return 0;
	if (o->steer && vnh_steer_get_config(o->steer, NULL, &info))
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return 0;
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	if (vnh_tun_info(ifr.ifr_name, &ti))
		return 0;
	return vnh_hdr_zero_is_report(1, o->steer ? &info : NULL,
				      ti.num_queues);
}

/* Largest vnet header vnh_tap_read() accepts (TUNSETVNETHDRSZ allows more). */
#define VNH_VNET_HDR_MAX 256

ssize_t vnh_tap_read(int fd, void *buf, size_t size,
		     const struct vnh_rss *rss, struct vnh_result *res,
		     struct vnh_tap_read_opts *opts)
{
	struct vnh_tap_read_opts o;
	unsigned char hdr[VNH_VNET_HDR_MAX];
	struct tun_pi pi;
	struct iovec iov[3];
	size_t hdr_sz, pre;
	int niov = 0, from_kernel = 0, err;
	ssize_t n;
	uint16_t report = 0;
	uint32_t hash = 0;

	if (fd < 0 || !buf || !rss || !res)
		return -EINVAL;
	err = vnh_opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	hdr_sz = o.vnet_hdr_sz;
	if (o.mode == VNH_STEER_MODE_AUTO || hdr_sz == 0) {
		struct ifreq ifr;
		int flags, mode, sz;

		memset(&ifr, 0, sizeof(ifr));
		if (ioctl(fd, TUNGETIFF, &ifr) < 0)
			return -errno;
		flags = ifr.ifr_flags;
		mode = (flags & IFF_TUN) ? VNH_STEER_MODE_L3 : VNH_STEER_MODE_ETH;
		if (o.mode == VNH_STEER_MODE_AUTO) {
			o.mode = mode;
			o.has_pi = 0;
			if (mode == VNH_STEER_MODE_L3) {
				struct vnh_tun_info ti = { .sz = sizeof(ti) };

				ifr.ifr_name[IFNAMSIZ - 1] = '\0';
				err = vnh_tun_info(ifr.ifr_name, &ti);
				if (err)
					return err;
				o.has_pi = ti.pi;
			}
		}
		if (hdr_sz == 0) {
			if (!(flags & IFF_VNET_HDR))
				hdr_sz = (size_t)-1;
			else if (ioctl(fd, TUNGETVNETHDRSZ, &sz) < 0)
				return -errno;
			else
				hdr_sz = (size_t)sz;
		}
	}
	if (hdr_sz == (size_t)-1)
		hdr_sz = 0;
	if (hdr_sz > sizeof(hdr) || (o.mode != VNH_STEER_MODE_ETH &&
				     o.mode != VNH_STEER_MODE_L3) ||
	    o.report < VNH_TAP_REPORT_AUTO || o.report > VNH_TAP_REPORT_OFF)
		return -EINVAL;
	if (o.mode == VNH_STEER_MODE_ETH)
		o.has_pi = 0;

	memset(hdr, 0, sizeof(hdr));
	vnh_hdr_hash_prefill(hdr, hdr_sz);
	memset(&pi, 0, sizeof(pi));
	if (o.has_pi) {
		iov[niov].iov_base = &pi;
		iov[niov++].iov_len = sizeof(pi);
	}
	if (hdr_sz) {
		iov[niov].iov_base = hdr;
		iov[niov++].iov_len = hdr_sz;
	}
	iov[niov].iov_base = buf;
	iov[niov++].iov_len = size;
	n = readv(fd, iov, niov);
	if (n < 0)
		return -errno;
	pre = (o.has_pi ? sizeof(pi) : 0) + hdr_sz;
	if ((size_t)n < pre)
		return -EIO;
	n -= (ssize_t)pre;
	if ((size_t)n > size)
		return -EMSGSIZE;

	switch (vnh_hdr_hash_get(hdr, hdr_sz, &hash, &report)) {
	case VNH_HDR_HASH_SET:
		from_kernel = report <= VNH_REPORT_MAX;
		break;
	case VNH_HDR_HASH_ZERO:
		from_kernel = tap_zero_is_report(fd, &o);
		break;
	case VNH_HDR_HASH_UNTOUCHED:
		/* Hand the header back as if the kernel had zeroed them. */
		if (hdr_sz >= VNH_HDR_HASH_OFF + VNH_HDR_HASH_LEN)
			memset(hdr + VNH_HDR_HASH_OFF, 0, VNH_HDR_HASH_LEN);
		break;
	}
	if (from_kernel) {
		res->hash = hash;
		res->report = report;
		res->queue = vnh_rss_select_queue(rss, hash, report);
	} else if (o.mode == VNH_STEER_MODE_ETH) {
		vnh_rss_hash_frame(rss, buf, (size_t)n, res);
	} else {
		const unsigned char *p = buf;
		uint16_t et = 0;

		if (o.has_pi)
			et = be16toh(pi.proto);
		else if (n > 0 && (p[0] >> 4) == 4)
			et = 0x0800;
		else if (n > 0 && (p[0] >> 4) == 6)
			et = 0x86dd;
		vnh_rss_hash_l3(rss, et, buf, (size_t)n, res);
	}
	if (opts) {
		if (opts->sz >= offsetof(struct vnh_tap_read_opts, hdr) +
				sizeof(opts->hdr) && opts->hdr) {
			memset(opts->hdr, 0, sizeof(*opts->hdr));
			memcpy(opts->hdr, hdr,
			       hdr_sz < sizeof(*opts->hdr) ? hdr_sz :
							     sizeof(*opts->hdr));
		}
		if (opts->sz >= offsetof(struct vnh_tap_read_opts, from_kernel) +
				sizeof(opts->from_kernel))
			opts->from_kernel = from_kernel;
	}
	return n;
}
