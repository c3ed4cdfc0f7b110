// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tun/tap device a steering command (attach, set, show, detach) names:
 * inspect it, find what is pinned for it, check a configuration against
 * its queues, get a queue fd of it, --pid/--fd, error messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpffs.h"
#include "cmdline.h"
#include "steer_dev.h"
#include "steer_state.h"
#include "tap.h"
#include "tool.h"

int steer_dev_inspect(const char *name, struct steer_dev *d, bool need_mq)
{
	struct vnh_tun_info ti = { .sz = sizeof(ti) };
	int err, n;

	memset(d, 0, sizeof(*d));
	d->numqueues = -1;
	if (strlen(name) >= IFNAMSIZ || !*name || strchr(name, '/')) {
		fprintf(stderr, "%s: '%s': not a valid interface name\n",
			prog_name, name);
		return -1;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	n = snprintf(d->pin_dir, sizeof(d->pin_dir), "%s/%s", steer_pin_root(),
		     name);
	if (n < 0 || (size_t)n >= sizeof(d->pin_dir)) {
		fprintf(stderr, "%s: %s: pin directory name too long\n",
			prog_name, name);
		return -1;
	}
	if (!if_nametoindex(name)) {
		fprintf(stderr, "%s: %s: no such device\n", prog_name, name);
		return -1;
	}
	err = tap_read_flags(name, &d->flags);
	if (err == -ENOTTY || err == -ENOENT) {
		fprintf(stderr, "%s: %s: not a tun/tap device\n", prog_name, name);
		return -1;
	}
	if (err) {
		fprintf(stderr, "%s: %s: cannot read its tun flags: %s\n",
			prog_name, name, strerror(-err));
		return -1;
	}
	if (need_mq && !(d->flags & IFF_MULTI_QUEUE)) {
		fprintf(stderr, "%s: %s: not a multiqueue device (create it with multi_queue, e.g. 'ip tuntap add dev %s mode %s multi_queue')\n",
			prog_name, name, name,
			(d->flags & IFF_TUN) ? "tun" : "tap");
		return -1;
	}
	if (!vnh_tun_info(name, &ti) && ti.num_queues >= 0) {
		d->numqueues = ti.num_queues;
		d->numdisabled = ti.num_disabled_queues > 0 ?
				 ti.num_disabled_queues : 0;
	}
	return 0;
}

int steer_dev_pinned(const struct steer_dev *d)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/prog", d->pin_dir);
	if (!access(path, F_OK))
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
}

void steer_pins_perror(const struct steer_dev *d, int err)
{
	fprintf(stderr, "%s: %s: cannot look at its pins in %s: %s%s\n",
		prog_name, d->name, d->pin_dir, strerror(-err),
		perm_hint(err, CAPS_STEER));
}

int steer_open_attached(const char *name, struct steer_dev *d,
			const char *hint, struct vnh_steer **steer)
{
	int err;

	if (steer_dev_inspect(name, d, false))
		return -1;
	err = steer_dev_pinned(d);
	if (err < 0) {
		steer_pins_perror(d, err);
		return -1;
	}
	if (!err) {
		struct vnh_tun_steering now = { .sz = sizeof(now) };
		char runs[96] = "";

		if (!vnh_tun_steering(d->name, &now) && now.prog_id)
			snprintf(runs, sizeof(runs),
				 "; it runs steering program id %u, not one of vnethash's",
				 now.prog_id);
		fprintf(stderr, "%s: %s: not attached (nothing pinned at %s)%s%s\n",
			prog_name, d->name, d->pin_dir, runs, hint);
		return -1;
	}
	err = vnh_steer_open_pinned(d->pin_dir, steer);
	if (err == -ESTALE) {
		struct steer_state_info si;

		steer_state(d, NULL, &si);
		fprintf(stderr, "%s: %s: %s; 'vnethash attach' replaces them, 'vnethash detach' removes them\n",
			prog_name, d->name, steer_state_problem(d, &si));
		return -1;
	}
	if (err) {
		steer_perror(d, "cannot open the pinned program", err);
		return -1;
	}
	return 0;
}

unsigned int steer_dev_queue_limit(const struct steer_dev *d, bool *none_open)
{
	int n = d->numqueues < 0 ? 0 : d->numqueues + d->numdisabled;

	*none_open = n == 0;
	if (!(d->flags & IFF_MULTI_QUEUE))
		return 1;	/* a single-queue device, held or not */
	return n ? (unsigned int)n : VNH_TUN_MAX_QUEUES;
}

int steer_check_queues(const struct steer_dev *d, const struct vnh_rss *rss)
{
	bool none_open;
	unsigned int limit = steer_dev_queue_limit(d, &none_open);
	unsigned int max = vnh_rss_max_queue(rss);

	if (max < limit)
		return 0;
	if (!(d->flags & IFF_MULTI_QUEUE))
		fprintf(stderr, "%s: %s: the configuration names queue %u, but %s is a single-queue device (queue 0 only; use --queues 1)\n",
			prog_name, d->name, max, d->name);
	else if (none_open)
		fprintf(stderr, "%s: %s: the configuration names queue %u, but a tun/tap device has at most %u queues (0-%u)\n",
			prog_name, d->name, max, limit, limit - 1);
	else
		fprintf(stderr, "%s: %s: the configuration names queue %u, but %s has %u queue%s (0-%u)\n",
			prog_name, d->name, max, d->name, limit,
			limit == 1 ? "" : "s", limit - 1);
	return -1;
}

void steer_perror(const struct steer_dev *d, const char *what, int err)
{
	const char *hint = "";

	if (err < 0)
		err = -err;
	hint = perm_hint(err, CAPS_STEER);
	fprintf(stderr, "%s: %s: %s: %s%s\n", prog_name, d->name, what,
		strerror(err), hint);
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int steer_queue_open(const struct steer_dev *d, int pid, int fd)
{
	struct ifreq ifr;
	int qfd, pidfd;

	if (pid > 0) {
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0) {
			fprintf(stderr, "%s: %s: process %d: %s\n", prog_name,
				d->name, pid, strerror(errno));
			return -1;
		}
		qfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (qfd < 0) {
			fprintf(stderr, "%s: %s: cannot get fd %d of process %d: %s%s\n",
				prog_name, d->name, fd, pid, strerror(errno),
				errno == EPERM ? " (needs ptrace access to it; run as root)" : "");
			close(pidfd);
			return -1;
		}
		close(pidfd);
		memset(&ifr, 0, sizeof(ifr));
		if (ioctl(qfd, TUNGETIFF, &ifr) < 0 ||
		    strncmp(ifr.ifr_name, d->name, IFNAMSIZ)) {
			fprintf(stderr, "%s: %s: fd %d of process %d is not a queue of %s\n",
				prog_name, d->name, fd, pid, d->name);
			close(qfd);
			return -1;
		}
		return qfd;
	}

	qfd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (qfd < 0) {
		fprintf(stderr, "%s: %s: cannot open /dev/net/tun: %s%s\n",
			prog_name, d->name, strerror(errno),
			perm_hint(errno, "CAP_NET_ADMIN"));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", d->name);
	/*
	 * The owner's own flags: TUNSETIFF rewrites the device-wide ones
	 * when ours is the first queue. IFF_PERSIST is not a TUNSETIFF flag.
	 */
	ifr.ifr_flags = (short)(d->flags & ~IFF_PERSIST);
	if (ioctl(qfd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		if (e == EPERM)
			fprintf(stderr, "%s: %s: permission denied opening a queue of it (not its owner, or no CAP_NET_ADMIN: run as root)\n",
				prog_name, d->name);
		else if (e == EBUSY && !(d->flags & IFF_MULTI_QUEUE))
			fprintf(stderr, "%s: %s: its single queue is held by its owner: pass the owner's queue with --pid PID --fd FD\n",
				prog_name, d->name);
		else if (e == EBUSY)
			fprintf(stderr, "%s: %s: all %d queues are in use\n",
				prog_name, d->name, VNH_TUN_MAX_QUEUES);
		else
			fprintf(stderr, "%s: %s: cannot open a queue: %s\n",
				prog_name, d->name, strerror(e));
		close(qfd);
		return -1;
	}
	return qfd;
}

void steer_queue_close(int qfd)
{
	if (qfd >= 0)
		close(qfd);
}

int steer_parse_pid_fd(int opt, const char *arg, int *pid, int *fd)
{
	unsigned long v;

	if (parse_uint(arg, opt == 'P' ? 4194304 : 1048576, &v) ||
	    (opt == 'P' && v == 0)) {
		fprintf(stderr, "%s: --%s '%s': not a %s\n", prog_name,
			opt == 'P' ? "pid" : "fd", arg,
			opt == 'P' ? "process id" : "file descriptor number");
		return -1;
	}
	if (opt == 'P')
		*pid = (int)v;
	else
		*fd = (int)v;
	return 0;
}

int steer_check_pid_fd(int pid, int fd)
{
	if ((pid > 0) == (fd >= 0))
		return 0;
	fprintf(stderr, "%s: --pid and --fd go together\n", prog_name);
	return -1;
}
