/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The tun/tap device that `vnethash attach|set|show|detach` work on:
 * inspecting it, what is pinned for it, its queues, a queue fd of it.
 * Tool-internal.
 *
 * Each function that can fail prints its own message, naming the device and
 * the cause, and returns -1.
 */
#ifndef VNETHASH_STEER_DEV_H
#define VNETHASH_STEER_DEV_H

#include <net/if.h>
#include <stdbool.h>

#include "vnethash.h"
#include "vnethash_steer.h"

struct steer_dev {
	char name[IFNAMSIZ];
	unsigned int flags;	/* tun_flags: IFF_TUN/IFF_TAP, IFF_NO_PI, ... */
	int numqueues;		/* queues attached (rtnetlink), -1 unknown */
	int numdisabled;	/* queues detached with IFF_DETACH_QUEUE */
	char pin_dir[256];	/* <pin root>/<name> */
};

/*
 * Look up a tun/tap device: exists, is a tun/tap, is multiqueue (if
 * @need_mq). Fills @d.
 */
int steer_dev_inspect(const char *name, struct steer_dev *d, bool need_mq);

/*
 * Is something pinned for the device? 1 yes, 0 no, or a negative errno if
 * the pin directory cannot be looked at (-EACCES without privileges).
 */
int steer_dev_pinned(const struct steer_dev *d);
/* Prints why the pins of @d cannot be looked at (@err from the above). */
void steer_pins_perror(const struct steer_dev *d, int err);

/*
 * The program attached to the device @name (set, show): inspects it into
 * @d and opens its pins. @hint ends the message if nothing is pinned.
 */
int steer_open_attached(const char *name, struct steer_dev *d,
			const char *hint, struct vnh_steer **steer);

/*
 * The highest queue number + 1 a configuration may name on @d: the
 * owner's queues (attached + detached), or VNH_TUN_MAX_QUEUES when none
 * is open (a persistent device waiting for its VMM). *@none_open tells
 * which.
 */
unsigned int steer_dev_queue_limit(const struct steer_dev *d, bool *none_open);

/* Refuse (with a message) a configuration naming queues beyond the limit. */
int steer_check_queues(const struct steer_dev *d, const struct vnh_rss *rss);

/*
 * A queue fd of the device: with @pid > 0, the owner's fd @fd of process
 * @pid (pidfd_getfd), checked to be a queue of this device; otherwise a
 * temporary queue (IFF_MULTI_QUEUE, the owner's flags passed back) that
 * the caller closes as soon as possible with steer_queue_close().
 */
int steer_queue_open(const struct steer_dev *d, int pid, int fd);
void steer_queue_close(int qfd);

/* Print an errno from the library with the device name and a hint. */
void steer_perror(const struct steer_dev *d, const char *what, int err);

/* Parse --pid / --fd values (exit-2 errors). */
int steer_parse_pid_fd(int opt, const char *arg, int *pid, int *fd);
/* Both or neither of --pid and --fd given (else an exit-2 error)? */
int steer_check_pid_fd(int pid, int fd);

#endif
