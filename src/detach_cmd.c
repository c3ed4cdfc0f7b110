// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vnethash detach: remove the steering program and its pins. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"
#include "steer_util.h"

static const char detach_usage[] =
"Usage: %s detach DEV [--pid PID --fd N]\n"
"\n"
"Remove the vnethash steering program from DEV (TUNSETSTEERINGEBPF with -1)\n"
"and its pins under /sys/fs/bpf/vnethash/DEV/; tun's default steering\n"
"returns. A queue fd is needed for the ioctl: a temporary queue as in\n"
"'vnethash attach', or the owner's fd N of process PID.\n"
"If DEV is gone, its stale pins are removed (and the exit status is 1).\n"
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
	struct steer_dev dev;
	int opt, pid = 0, fd = -1, qfd, err, rc = EXIT_USAGE;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'P':
		case 'F':
			if (steer_parse_pid_fd(opt, optarg, &pid, &fd))
				return EXIT_USAGE;
			break;
		case 'h':
			printf(detach_usage, prog_name);
			return 0;
		default:
			fprintf(stderr, "Try '%s detach --help'.\n", prog_name);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "%s: detach needs one device name\nTry '%s detach --help'.\n",
			prog_name, prog_name);
		return EXIT_USAGE;
	}
	if ((pid > 0) != (fd >= 0)) {
		fprintf(stderr, "%s: --pid and --fd go together\n", prog_name);
		return EXIT_USAGE;
	}

	rc = 1;
	steer_tool_init();
	if (steer_dev_inspect(argv[optind], &dev, true)) {
		/* The device may be gone with its pins left behind. */
		if (dev.pin_dir[0] && !if_nametoindex(dev.name) &&
		    steer_dev_pinned(&dev) && !vnh_steer_unpin(dev.pin_dir))
			fprintf(stderr, "%s: %s: removed the stale pins at %s\n",
				prog_name, dev.name, dev.pin_dir);
		return rc;
	}
	if (!steer_dev_pinned(&dev)) {
		fprintf(stderr, "%s: %s: not attached (nothing pinned at %s)\n",
			prog_name, dev.name, dev.pin_dir);
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
