/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Does the program pinned for a device steer it? The pins' owner record
 * against the device of that name now, and the program the kernel says the
 * device runs. For attach, set, show, detach and verify. Tool-internal.
 */
#ifndef VNETHASH_STEER_STATE_H
#define VNETHASH_STEER_STATE_H

#include <stdint.h>

#include "vnethash_steer.h"

struct steer_dev;

enum steer_state {
	ST_OURS,	/* pins of this device, which runs the pinned program */
	ST_UNREAD,	/* pins of this device; what it runs cannot be read
			 * back (see now_err) */
	ST_STALE,	/* pins of another device that had this name */
	ST_OTHER_NS,	/* pins made for a device in another namespace */
	ST_REPLACED,	/* the device runs another steering program */
	ST_NONE,	/* the device runs no steering program */
};

struct steer_state_info {
	enum steer_state state;
	int has_owner;			/* the pins record their device */
	struct vnh_steer_owner owner;
	uint32_t ifindex;		/* the device under the name now */
	uint32_t pinned_prog;		/* the pinned program's id */
	struct vnh_tun_steering now;	/* valid if now_err == 0 */
	int now_err;			/* from vnh_tun_steering() */
};

/*
 * Fill @si for the device @d whose pins @steer was opened from (NULL:
 * read the pinned program id from the owner record only). Never fails:
 * what cannot be known is ST_UNREAD.
 */
void steer_state(const struct steer_dev *d, const struct vnh_steer *steer,
		 struct steer_state_info *si);

/* Does the pinned program steer the device (as far as can be known)? */
static inline int steer_state_ok(const struct steer_state_info *si)
{
	return si->state == ST_OURS || si->state == ST_UNREAD;
}

/* A sentence on what is wrong (for states that are not ok), no newline. */
const char *steer_state_problem(const struct steer_dev *d,
				const struct steer_state_info *si);

/* One word for JSON: ours, unread, stale, other-netns, replaced, none. */
const char *steer_state_name(enum steer_state st);

/* Why the device's program could not be read back (ST_UNREAD). */
const char *steer_state_unread(const struct steer_state_info *si);

#endif
