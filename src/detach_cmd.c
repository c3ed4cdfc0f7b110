// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vnethash detach: remove the steering program and its pins. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpffs.h"
#include "cmdline.h"
#include "steer_dev.h"
#include "tool.h"
#include "steer_state.h"

static const char detach_usage[] =
"Usage: %s detach DEV [--pid PID --fd N]\n"
"\n"
"Remove the vnethash steering program from DEV (TUNSETSTEERINGEBPF with -1)\n"
"and its pins under /sys/fs/bpf/vnethash/DEV/; tun's default steering\n"
"returns. A queue fd is needed for the ioctl: a temporary queue as in\n"
"'vnethash attach', or the owner's fd N of process PID.\n"
"If DEV is gone, its stale pins are removed (and the exit status is 1).\n"
"So are pins made for a former device of the name, and pins of a program\n"
"DEV no longer runs (read back from the kernel): DEV's steering is then\n"
"left as it is (exit status 1: nothing of vnethash was attached).\n"
"\n"
"  --pid PID --fd N    use the owner's queue fd (pidfd_getfd)\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0 detached, 1 failure (message names the cause), 2 bad usage.\n";

int detach_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'P' },
		{ "fd", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cmd_line cl = { "detach", detach_usage, opts, NULL, 0 };
	struct steer_dev dev;
	struct steer_state_info si;
	struct vnh_steer *old;
	const char *name;
	int opt, pid = 0, fd = -1, qfd, err, rc = 1;

	while ((opt = cmd_getopt(&cl, argc, argv)) != -1) {
		if (!opt)
			return cl.status;
		if (steer_parse_pid_fd(opt, optarg, &pid, &fd))	/* P, F */
			return EXIT_USAGE;
	}
	name = cmd_device(&cl, argc, argv);
	if (!name || steer_check_pid_fd(pid, fd))
		return EXIT_USAGE;

	steer_tool_init();
	if (steer_dev_inspect(name, &dev, false)) {
		/* The device may be gone with its pins left behind. */
		struct vnh_steer_owner o = { .sz = sizeof(o) };

		if (dev.pin_dir[0] && !if_nametoindex(dev.name) &&
		    steer_dev_pinned(&dev) > 0 &&
		    (vnh_steer_read_owner(dev.pin_dir, &o) || o.here)) {
			if (!vnh_steer_unpin(dev.pin_dir))
				fprintf(stderr, "%s: %s: removed the stale pins at %s\n",
					prog_name, dev.name, dev.pin_dir);
		}
		return rc;
	}
	err = steer_dev_pinned(&dev);
	if (err < 0) {
		steer_pins_perror(&dev, err);
		return rc;
	}
	if (!err) {
		fprintf(stderr, "%s: %s: not attached (nothing pinned at %s)\n",
			prog_name, dev.name, dev.pin_dir);
		return rc;
	}
	old = NULL;
	vnh_steer_open_pinned(dev.pin_dir, &old);
	steer_state(&dev, old, &si);
	vnh_steer_free(old);
	if (si.state == ST_OTHER_NS) {
		fprintf(stderr, "%s: %s: %s; left them\n", prog_name, dev.name,
			steer_state_problem(&dev, &si));
		return rc;
	}
	if (!steer_state_ok(&si)) {
		err = vnh_steer_unpin(dev.pin_dir);
		fprintf(stderr, "%s: %s: %s; %s, %s's steering left as it is\n",
			prog_name, dev.name, steer_state_problem(&dev, &si),
			err && err != -ENOENT ? "could not remove the pins" :
						"removed the pins",
			dev.name);
		return rc;
	}
	qfd = steer_queue_open(&dev, pid, fd);
	if (qfd < 0)
		return rc;
	err = vnh_steer_detach(qfd);
	steer_queue_close(qfd);
	if (err) {
		steer_perror(&dev, "TUNSETSTEERINGEBPF -1 failed", err);
		return rc;
	}
	err = vnh_steer_unpin(dev.pin_dir);
	if (err && err != -ENOENT) {
		steer_perror(&dev, "detached, but cannot remove the pins", err);
		return rc;
	}
	printf("%s: detached; default steering restored\n", dev.name);
	return 0;
}
