// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vnethash set: change the RSS configuration of an attached program. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpffs.h"
#include "cmdline.h"
#include "steer_dev.h"
#include "tool.h"
#include "steer_state.h"

static const char set_usage[] =
"Usage: %s set DEV [OPTIONS]\n"
"\n"
"Change the RSS configuration of the vnethash steering program attached to\n"
"DEV (see 'vnethash attach'). Options not given keep their current values;\n"
"at least one is needed. A configuration equal to the running one is left\n"
"alone (and set says so).\n"
"The new configuration replaces the old one atomically: every packet is\n"
"steered wholly by the old or wholly by the new one, and when set returns\n"
"no packet is steered by the old one any more. Counters are kept.\n"
"\n"
CONFIG_HELP
"\n"
"  -h, --help          this text\n"
"\n"
"set refuses pins that are stale (made for a former device of the name)\n"
"and a program DEV no longer runs (read back from the kernel).\n"
"Exit status: 0 updated (or already so), 1 failure (message names the\n"
"cause), 2 bad usage.\n";

int set_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CONFIG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vnh_steer_info info = { .sz = sizeof(info) };
	struct vnh_rss *given = vnh_rss_new(), *rss = vnh_rss_new();
	struct vnh_rss *cur = vnh_rss_new();
	struct vnh_steer *steer = NULL;
	struct config_args cfg;
	struct cmd_line cl = { "set", set_usage, opts, &cfg, 0 };
	struct steer_dev dev;
	struct steer_state_info si;
	const char *name;
	int err, rc = EXIT_USAGE;

	if (!given || !rss || !cur) {
		fprintf(stderr, "%s: out of memory\n", prog_name);
		rc = 1;
		goto out;
	}
	config_init(&cfg, given);
	/* No options besides the configuration's and --help. */
	if (cmd_getopt(&cl, argc, argv) == 0) {
		rc = cl.status;
		goto out;
	}
	if (config_finish(&cfg) || !(name = cmd_device(&cl, argc, argv)))
		goto out;
	if (!cfg.key_set && !cfg.types_set && !cfg.table_set &&
	    !cfg.unclassified_set) {
		fprintf(stderr, "%s: set %s: nothing to change: give --key, --types, --indir, --queues or --unclassified ('%s show %s' prints the running configuration)\n",
			prog_name, name, prog_name, name);
		goto out;
	}

	rc = 1;
	steer_tool_init();
	if (steer_open_attached(name, &dev, "; use 'vnethash attach'", &steer))
		goto out;
	steer_state(&dev, steer, &si);
	if (!steer_state_ok(&si)) {
		fprintf(stderr, "%s: %s: %s; nothing changed: %s\n", prog_name,
			dev.name, steer_state_problem(&dev, &si),
			si.state == ST_OTHER_NS ?
			"set VNETHASH_PIN_ROOT to this namespace's pin root" :
			"'vnethash attach' attaches a program anew");
		goto out;
	}
	err = vnh_steer_get_config(steer, rss, &info);
	if (err) {
		steer_perror(&dev, "cannot read the current configuration", err);
		goto out;
	}

	/* The current configuration, with what was given replacing it. */
	if (cfg.key_set) {
		size_t len;
		const uint8_t *key = vnh_rss_key(given, &len);

		vnh_rss_set_key(rss, key, len);
	}
	if (cfg.types_set)
		vnh_rss_set_hash_types(rss, vnh_rss_hash_types(given));
	if (cfg.table_set) {
		size_t len;
		const uint16_t *table = vnh_rss_table(given, &len);

		vnh_rss_set_table(rss, table, len);
	}
	if (cfg.unclassified_set)
		vnh_rss_set_unclassified(rss, vnh_rss_unclassified(given));
	if (steer_check_queues(&dev, rss))
		goto out;
	vnh_steer_get_config(steer, cur, NULL);
	if (vnh_rss_equal(rss, cur)) {
		printf("%s: configuration already as given; nothing changed (generation %u)\n",
		       dev.name, info.generation);
		rc = 0;
		goto out;
	}

	err = vnh_steer_update(steer, rss);
	if (err) {
		steer_perror(&dev, "cannot update the configuration", err);
		goto out;
	}
	vnh_steer_get_config(steer, NULL, &info);
	printf("%s: configuration updated (generation %u)\n", dev.name,
	       info.generation);
	rc = 0;
out:
	vnh_steer_free(steer);
	vnh_rss_free(given);
	vnh_rss_free(rss);
	vnh_rss_free(cur);
	return rc;
}
