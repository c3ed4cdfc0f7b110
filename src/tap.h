/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tap devices for `vnethash verify` and `vnethash demo` (and the device
 * flags for the steering commands): a private network namespace, a new
 * multiqueue tap or the queues of an existing one, sysfs flags and
 * interface ioctls. Tool-internal; not part of the library API.
 */
#ifndef VNETHASH_TAP_H
#define VNETHASH_TAP_H

#include <stdbool.h>

#define TAP_QUEUES_MAX 256

/*
 * A tap whose queues we hold. tap_create() makes a new multiqueue tap;
 * tap_join() opens queues of an existing one, passing its current flags
 * back (TUNSETIFF rewrites device-wide flags) plus IFF_VNET_HDR, and
 * tap_close() restores the flags and header size it found.
 */
struct tap {
	char name[16];
	int nq;
	int fds[TAP_QUEUES_MAX];
	int hdr_sz;		/* vnet header size in use; 0 = none (a joined
				 * device whose queues are open elsewhere
				 * without IFF_VNET_HDR) */
	bool joined;		/* existing device: restore at close */
	bool flags_changed;	/* we rewrote its flags (first queue) */
	unsigned int orig_flags;
	int orig_hdr_sz;
	int ifindex;
	int pkt_fd;		/* AF_PACKET socket bound to the device */
};

/* Own network namespace (unshare(CLONE_NEWNET)), IPv6 off for new devices. */
int tap_private_netns(void);
int tap_create(struct tap *t, const char *name, int nq, int hdr_sz);
int tap_join(struct tap *t, const char *name, int nq, int hdr_sz);
void tap_close(struct tap *t);
/* Device-wide flags of an existing tun/tap from sysfs (IFF_*). */
int tap_read_flags(const char *name, unsigned int *flags);
/* Queues attached to the device now (rtnetlink), or -errno. */
int tap_num_queues(const char *name);
int tap_set_up(const char *name);
int tap_set_mtu(const char *name, int mtu);
int tap_get_mtu(const char *name);

#endif
