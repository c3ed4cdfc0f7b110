// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Does the program pinned for a device steer it? */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"
#include "steer_dev.h"
#include "steer_state.h"

void steer_state(const struct steer_dev *d, const struct vnh_steer *steer,
		 struct steer_state_info *si)
{
	struct vnh_steer_info info = { .sz = sizeof(info) };
	int err;

	memset(si, 0, sizeof(*si));
	si->owner.sz = sizeof(si->owner);
	si->now.sz = sizeof(si->now);
	si->ifindex = if_nametoindex(d->name);
	err = vnh_steer_read_owner(d->pin_dir, &si->owner);
	si->has_owner = !err;
	if (steer && !vnh_steer_get_config(steer, NULL, &info))
		si->pinned_prog = info.prog_id;
	else if (si->has_owner)
		si->pinned_prog = si->owner.prog_id;
	/* The library's verdict on the record (its details are in si->owner). */
	if (si->has_owner) {
		err = vnh_steer_check_owner(d->pin_dir, d->name);
		if (err == -EXDEV) {
			si->state = ST_OTHER_NS;
			return;
		}
		if (err == -ESTALE) {
			si->state = ST_STALE;
			return;
		}
	}
	si->now_err = vnh_tun_steering(d->name, &si->now);
	if (si->now_err || !si->pinned_prog)
		si->state = ST_UNREAD;
	else if (si->now.prog_id == si->pinned_prog)
		si->state = ST_OURS;
	else if (si->now.prog_id == 0)
		si->state = ST_NONE;
	else
		si->state = ST_REPLACED;
}

const char *steer_state_name(enum steer_state st)
{
	switch (st) {
	case ST_OURS:
		return "ours";
	case ST_UNREAD:
		return "unread";
	case ST_STALE:
		return "stale";
	case ST_OTHER_NS:
		return "other-netns";
	case ST_REPLACED:
		return "replaced";
	case ST_NONE:
		return "none";
	}
	return "?";
}

const char *steer_state_unread(const struct steer_state_info *si)
{
	static char buf[200];

	if (!si->pinned_prog)
		return "the pinned program's id is unknown";
	switch (si->now_err) {
	case -ENOENT:
		return "no queue of it is open, so nothing is steered";
	case -EOPNOTSUPP:
		return "the kernel cannot tell (it lacks BTF, or BPF tracing "
		       "programs (CONFIG_BPF_EVENTS), which the task_file "
		       "iterator needs)";
	}
	snprintf(buf, sizeof(buf), "%s%s", strerror(-si->now_err),
		 perm_hint(si->now_err, "CAP_BPF and CAP_PERFMON"));
	return buf;
}

const char *steer_state_problem(const struct steer_dev *d,
				const struct steer_state_info *si)
{
	static char buf[600];

	switch (si->state) {
	case ST_STALE:
		if (si->ifindex)
			snprintf(buf, sizeof(buf),
				 "the pins at %s are stale: they belong to a former %s (ifindex %u), not to the %s there is now (ifindex %u), which the pinned program does not steer",
				 d->pin_dir, si->owner.ifname, si->owner.ifindex,
				 d->name, si->ifindex);
		else
			snprintf(buf, sizeof(buf),
				 "the pins at %s are stale: they belong to a former %s (ifindex %u), which is gone",
				 d->pin_dir, si->owner.ifname, si->owner.ifindex);
		break;
	case ST_OTHER_NS:
		snprintf(buf, sizeof(buf),
			 "the pins at %s were made for a %s in another network namespace (give each namespace its own VNETHASH_PIN_ROOT)",
			 d->pin_dir, si->owner.ifname);
		break;
	case ST_REPLACED:
		snprintf(buf, sizeof(buf),
			 "%s runs steering program id %u, not the vnethash program pinned at %s (id %u): other software replaced it",
			 d->name, si->now.prog_id, d->pin_dir, si->pinned_prog);
		break;
	case ST_NONE:
		snprintf(buf, sizeof(buf),
			 "%s runs no steering program (tun's default steering), although a vnethash program (id %u) is pinned at %s: other software detached it",
			 d->name, si->pinned_prog, d->pin_dir);
		break;
	default:
		snprintf(buf, sizeof(buf), "the pinned program steers %s",
			 d->name);
		break;
	}
	return buf;
}
