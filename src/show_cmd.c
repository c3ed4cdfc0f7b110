// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vnethash show: configuration and counters of an attached program. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpffs.h"
#include "cmdline.h"
#include "steer_dev.h"
#include "tool.h"
#include "steer_state.h"

static const char show_usage[] =
"Usage: %s show DEV [--json]\n"
"\n"
"Print the RSS configuration of the vnethash steering program attached to\n"
"DEV (hash types, key, unclassified queue, the indirection table laid out\n"
"like 'ethtool -x') and its counters: packets per queue and per report type,\n"
"and calls of the kernel's hash-report kfunc. It also says whether DEV runs\n"
"that program, as the kernel has it (read back from its open queues): stale\n"
"pins (made for a former device of the name) and a program DEV no longer\n"
"runs (replaced or removed by other software) are errors.\n"
"\n"
"  --json              one JSON document instead\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0, 1 failure or a program DEV does not run (message names\n"
"the cause), 2 bad usage.\n";

static const char *reporting(const struct vnh_steer_info *info)
{
	if (info->no_report)
		return "off";
	return info->reports > 0 ? "on" : "unavailable";
}

static const char *mechanism(const struct vnh_steer_info *info)
{
	const char *name = vnh_steer_mechanism_name(info->mechanism);

	return name ? name : "unknown";
}

/* What the program does, as it said of itself after its load. */
static const char *program_does(const struct vnh_steer_info *info)
{
	return info->reports > 0 ? "steering + report" :
	       info->reports == 0 ? "steering only" : "unknown";
}

static const char *build_name(int variant)
{
	const char *name = variant_name(variant);

	return name ? name : "unknown";
}

/* Queues worth listing: up to the highest named or counted one. */
static int last_queue(const struct vnh_rss *rss,
		      const struct vnh_steer_counters *c)
{
	int last = vnh_rss_max_queue(rss), i;

	if (last >= VNH_STEER_STAT_QUEUES)
		last = VNH_STEER_STAT_QUEUES - 1;
	for (i = VNH_STEER_STAT_QUEUES - 1; i > last; i--)
		if (c->queue[i])
			return i;
	return last;
}

static void print_json(const struct steer_dev *dev, const struct vnh_rss *rss,
		       const struct vnh_steer_info *info,
		       const struct vnh_steer_counters *c,
		       const struct steer_state_info *si)
{
	const uint16_t *table;
	const uint8_t *key;
	size_t len, klen, i;
	uint32_t types = vnh_rss_hash_types(rss);
	int first = 1, last;

	key = vnh_rss_key(rss, &klen);
	table = vnh_rss_table(rss, &len);
	printf("{\"device\": \"%s\", \"pin_dir\": \"%s\", \"prog_id\": %u, \"mode\": \"%s\", \"generation\": %u,\n",
	       dev->name, dev->pin_dir, info->prog_id,
	       info->mode == VNH_STEER_MODE_L3 ? "tun" : "tap",
	       info->generation);
	printf(" \"queues\": %d, \"hash_reporting\": \"%s\", \"kfunc\": %s, \"verified_insns\": %u,\n",
	       dev->numqueues, reporting(info), info->kfunc > 0 ? "true" : "false",
	       info->verified_insns);
	printf(" \"program\": \"%s\", \"program_build\": \"%s\", \"mechanism\": \"%s\",\n",
	       program_does(info), build_name(info->variant), mechanism(info));
	printf(" \"steering\": \"%s\", \"device_prog_id\": ",
	       steer_state_name(si->state));
	if (si->now_err)
		printf("null,\n");
	else
		printf("%u,\n", si->now.prog_id);
	printf(" \"hash_types\": [");
	for (i = 0; i < 9; i++)
		if (types & (1u << i)) {
			printf("%s\"%s\"", first ? "" : ", ",
			       vnh_hash_type_name(1u << i));
			first = 0;
		}
	printf("],\n \"key\": \"");
	for (i = 0; i < klen; i++)
		printf("%02x", key[i]);
	printf("\",\n \"unclassified\": %u,\n \"indirection_table\": [",
	       vnh_rss_unclassified(rss));
	for (i = 0; i < len; i++)
		printf("%s%u", i ? (i % 16 ? ", " : ",\n   ") : "", table[i]);
	printf("],\n \"counters\": {\"packets\": %llu, \"per_queue\": [",
	       (unsigned long long)c->packets);
	last = last_queue(rss, c);
	for (i = 0; i <= (size_t)last; i++)
		printf("%s%llu", i ? ", " : "", (unsigned long long)c->queue[i]);
	printf("], \"queue_other\": %llu,\n  \"per_report\": {",
	       (unsigned long long)c->queue_other);
	for (i = 0; i <= VNH_REPORT_MAX; i++)
		printf("%s\"%s\": %llu", i ? ", " : "",
		       vnh_report_name((unsigned int)i),
		       (unsigned long long)c->report[i]);
	printf("},\n  \"kfunc_ok\": %llu, \"kfunc_fail\": %llu, \"no_config\": %llu}}\n",
	       (unsigned long long)c->kfunc_ok,
	       (unsigned long long)c->kfunc_fail,
	       (unsigned long long)c->no_config);
}

static void print_text(const struct steer_dev *dev, const struct vnh_rss *rss,
		       const struct vnh_steer_info *info,
		       const struct vnh_steer_counters *c,
		       const struct steer_state_info *si)
{
	const uint16_t *table;
	const uint8_t *key;
	size_t len, klen, i;
	uint32_t types = vnh_rss_hash_types(rss);
	int last;

	key = vnh_rss_key(rss, &klen);
	table = vnh_rss_table(rss, &len);
	printf("%s: vnethash steering program id %u (%u instructions verified), %s mode, generation %u, pinned at %s\n",
	       dev->name, info->prog_id, info->verified_insns,
	       info->mode == VNH_STEER_MODE_L3 ? "tun" : "tap",
	       info->generation, dev->pin_dir);
	printf("Program: %s (%s build), mechanism %s\n", program_does(info),
	       build_name(info->variant), mechanism(info));
	if (si->state == ST_OURS)
		printf("Steering: %s runs this program (read back from the kernel)\n",
		       dev->name);
	else if (si->state == ST_UNREAD)
		printf("Steering: what %s runs was not read back: %s\n",
		       dev->name, steer_state_unread(si));
	else
		printf("Steering: NOT THIS PROGRAM: %s\n",
		       steer_state_problem(dev, si));
	printf("Hash reporting: %s\n",
	       info->no_report ? "off (attached with --no-report)" :
	       info->kfunc > 0 ? "on (bpf_tun_vnet_hash_set)" :
	       info->variant == VNH_STEER_VARIANT_NO_KFUNC ?
	       "unavailable (the build without the kfunc was loaded): steering only" :
	       "unavailable (the kfunc was not resolved at load): steering only");
	printf("Hash types:");
	if (!types)
		printf(" none");
	for (i = 0; i < 9; i++)
		if (types & (1u << i))
			printf(" %s", vnh_hash_type_name(1u << i));
	printf("\nKey (%zu bytes): ", klen);
	for (i = 0; i < klen; i++)
		printf("%02x", key[i]);
	printf("\nUnclassified queue: %u\n", vnh_rss_unclassified(rss));
	if (dev->numqueues >= 0)
		printf("RX flow hash indirection table for %s with %d RX ring(s):\n",
		       dev->name, dev->numqueues);
	else
		printf("RX flow hash indirection table for %s:\n", dev->name);
	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			printf("%5zu: ", i);
		printf(" %5u", table[i]);
		if (i % 8 == 7 || i + 1 == len)
			printf("\n");
	}
	printf("Packets: %llu\n", (unsigned long long)c->packets);
	printf("Packets per queue (rows of 8, first queue of the row first):\n");
	last = last_queue(rss, c);
	for (i = 0; i <= (size_t)last; i++) {
		if (i % 8 == 0)
			printf("%5zu: ", i);
		printf(" %10llu", (unsigned long long)c->queue[i]);
		if (i % 8 == 7 || i == (size_t)last)
			printf("\n");
	}
	if (c->queue_other)
		printf("  queues >= %d: %llu\n", VNH_STEER_STAT_QUEUES,
		       (unsigned long long)c->queue_other);
	printf("By report type:\n");
	for (i = 0; i <= VNH_REPORT_MAX; i++)
		printf("  %-9s %llu\n", vnh_report_name((unsigned int)i),
		       (unsigned long long)c->report[i]);
	printf("Hash-report kfunc calls: %llu ok, %llu failed\n",
	       (unsigned long long)c->kfunc_ok,
	       (unsigned long long)c->kfunc_fail);
	if (c->no_config)
		printf("Packets without a configuration: %llu\n",
		       (unsigned long long)c->no_config);
}

int show_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vnh_steer_info info = { .sz = sizeof(info) };
	struct vnh_steer_counters cnt = { .sz = sizeof(cnt) };
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_steer *steer = NULL;
	struct cmd_line cl = { "show", show_usage, opts, NULL, 0 };
	struct steer_dev dev;
	struct steer_state_info si;
	const char *name;
	int opt, err, json = 0, rc = EXIT_USAGE;

	if (!rss) {
		fprintf(stderr, "%s: out of memory\n", prog_name);
		return 1;
	}
	while ((opt = cmd_getopt(&cl, argc, argv)) != -1) {
		switch (opt) {
		case 0:
			rc = cl.status;
			goto out;
		case 'j':
			json = 1;
			break;
		}
	}
	if (!(name = cmd_device(&cl, argc, argv)))
		goto out;

	rc = 1;
	steer_tool_init();
	if (steer_open_attached(name, &dev, "", &steer))
		goto out;
	steer_state(&dev, steer, &si);
	if (si.state == ST_STALE || si.state == ST_OTHER_NS) {
		fprintf(stderr, "%s: %s: %s; %s\n", prog_name, dev.name,
			steer_state_problem(&dev, &si),
			si.state == ST_STALE ?
			"'vnethash attach' replaces them, 'vnethash detach' removes them" :
			"set VNETHASH_PIN_ROOT to this namespace's pin root");
		goto out;
	}
	err = vnh_steer_get_config(steer, rss, &info);
	if (!err)
		err = vnh_steer_read_counters(steer, &cnt);
	if (err) {
		steer_perror(&dev, "cannot read the program's maps", err);
		goto out;
	}
	if (json)
		print_json(&dev, rss, &info, &cnt, &si);
	else
		print_text(&dev, rss, &info, &cnt, &si);
	if (!steer_state_ok(&si)) {
		fflush(stdout);
		fprintf(stderr, "%s: %s: %s; 'vnethash attach' attaches it anew\n",
			prog_name, dev.name, steer_state_problem(&dev, &si));
		goto out;
	}
	rc = 0;
out:
	vnh_steer_free(steer);
	vnh_rss_free(rss);
	return rc;
}
