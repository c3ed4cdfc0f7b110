// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vnethash: virtio-net RSS with hash reporting on Linux tap devices. */
#include <stdio.h>
#include <string.h>

#include "tool.h"

const char *prog_name = "vnethash";

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *description;
} subcommands[] = {
	{ "hash", hash_main, "Compute hashes, report types and queues of frames" },
	{ "bench", bench_main, "Time every layer against baselines from the same run" },
#ifdef VNETHASH_HAVE_STEER
	{ "attach", attach_main, "Attach the RSS steering program to a multiqueue tap" },
	{ "set", set_main, "Change the RSS configuration of an attached program" },
	{ "show", show_main, "Show the configuration and counters of a tap's program" },
	{ "detach", detach_main, "Remove the steering program from a tap" },
	{ "probe", probe_main, "Report what the running kernel supports" },
	{ "verify", verify_main, "Send a capture through a tap, check queues and hashes" },
	{ "demo", demo_main, "Show RSS on a multiqueue tap in a private namespace" },
#endif
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <command> [<args>]\n\n"
		"virtio-net RSS with hash reporting for Linux tap devices.\n\n"
		"Commands:\n", prog_name);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name,
			subcommands[i].description);
	fprintf(f, "\nRun '%s <command> --help' for a command's options.\n"
		"See vnethash(8).\n", prog_name);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vnethash 0.1.0\n");
		return 0;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[1], subcommands[i].name)) {
			prog_name = "vnethash";
			return subcommands[i].main(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "%s: '%s' is not a command\n\n", prog_name, argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
