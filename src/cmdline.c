// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The subcommands' command lines: getopt, numbers, hex, RSS configuration flags. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "vnethash_steer.h"
#include "tool.h"

int parse_uint(const char *s, unsigned long max, unsigned long *val)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*val = v;
	return 0;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex with optional 0x prefix; spaces and colons between bytes allowed. */
int parse_hex(const char *s, uint8_t *buf, size_t max, size_t *len)
{
	size_t n = 0;
	int hi, lo;

	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (;;) {
		while (isspace((unsigned char)*s) || *s == ':')
			s++;
		if (!*s)
			break;
		hi = hex_digit((unsigned char)s[0]);
		lo = s[1] ? hex_digit((unsigned char)s[1]) : -1;
		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		buf[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	*len = n;
	return 0;
}

int cmd_getopt(struct cmd_line *c, int argc, char **argv)
{
	int opt, r;

	while ((opt = getopt_long(argc, argv, "h", c->opts, NULL)) != -1) {
		r = c->cfg ? config_option(c->cfg, opt, optarg) : 0;
		if (r > 0)
			continue;
		c->status = EXIT_USAGE;
		if (r < 0)
			return 0;
		if (opt == 'h') {
			printf(c->usage, prog_name);
			c->status = 0;
			return 0;
		}
		if (opt == '?') {
			fprintf(stderr, "Try '%s %s --help'.\n", prog_name, c->name);
			return 0;
		}
		return opt;
	}
	return -1;
}

const char *cmd_device(const struct cmd_line *c, int argc, char **argv)
{
	if (argc - optind != 1) {
		fprintf(stderr, "%s: %s needs one device name\nTry '%s %s --help'.\n",
			prog_name, c->name, prog_name, c->name);
		return NULL;
	}
	return argv[optind];
}

void config_init(struct config_args *cfg, struct vnh_rss *rss)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->rss = rss;
}

int config_option(struct config_args *cfg, int opt, const char *arg)
{
	uint8_t key[VNH_KEY_SIZE_MAX];
	unsigned long v;
	const char *bad = NULL;
	uint32_t types;
	size_t len;
	int err;

	switch (opt) {
	case 'k':
		err = parse_hex(arg, key, sizeof(key), &len);
		if (err == -E2BIG || (!err && len == 0)) {
			fprintf(stderr, "%s: --key '%s': a key has 1 to %d bytes\n",
				prog_name, arg, VNH_KEY_SIZE_MAX);
			return -1;
		}
		if (err) {
			fprintf(stderr, "%s: --key '%s': not a hex string\n",
				prog_name, arg);
			return -1;
		}
		vnh_rss_set_key(cfg->rss, key, len);
		cfg->key_set = true;
		return 1;
	case 't':
		if (vnh_parse_hash_types(arg, &types, &bad)) {
			fprintf(stderr,
				"%s: --types: unknown hash type '%.*s' (known: ipv4, tcpv4, udpv4, ipv6, tcpv6, udpv6, ipv6_ex, tcpv6_ex, udpv6_ex, all, none)\n",
				prog_name, (int)strcspn(bad, ","), bad);
			return -1;
		}
		vnh_rss_set_hash_types(cfg->rss, types);
		cfg->types_set = true;
		return 1;
	case 'i':
		cfg->indir = arg;
		return 1;
	case 'q':
		if (parse_uint(arg, VNH_QUEUE_MAX + 1, &v) || v == 0) {
			fprintf(stderr, "%s: --queues '%s': need a number from 1 to %d\n",
				prog_name, arg, VNH_QUEUE_MAX + 1);
			return -1;
		}
		cfg->queues = (unsigned int)v;
		return 1;
	case 'T':
		if (parse_uint(arg, VNH_TABLE_LEN_MAX, &v) || v == 0 ||
		    (v & (v - 1))) {
			fprintf(stderr, "%s: --table-size '%s': need a power of two from 1 to %d\n",
				prog_name, arg, VNH_TABLE_LEN_MAX);
			return -1;
		}
		cfg->table_size = v;
		return 1;
	case 'u':
		if (parse_uint(arg, VNH_QUEUE_MAX, &v)) {
			fprintf(stderr, "%s: --unclassified '%s': need a queue number from 0 to %d\n",
				prog_name, arg, VNH_QUEUE_MAX);
			return -1;
		}
		vnh_rss_set_unclassified(cfg->rss, (uint16_t)v);
		cfg->unclassified_set = true;
		return 1;
	}
	return 0;
}

static int parse_indir(struct config_args *cfg)
{
	static uint16_t table[VNH_TABLE_LEN_MAX];
	const char *p = cfg->indir;
	size_t n = 0;

	for (;;) {
		char item[16];
		size_t len = strcspn(p, ",");
		unsigned long v;

		if (len >= sizeof(item))
			len = sizeof(item) - 1;
		memcpy(item, p, len);
		item[len] = '\0';
		if (parse_uint(item, VNH_QUEUE_MAX, &v)) {
			fprintf(stderr, "%s: --indir: entry %zu '%s' is not a queue number (0 to %d)\n",
				prog_name, n + 1, item, VNH_QUEUE_MAX);
			return -1;
		}
		if (n == VNH_TABLE_LEN_MAX) {
			fprintf(stderr, "%s: --indir: more than %d entries\n",
				prog_name, VNH_TABLE_LEN_MAX);
			return -1;
		}
		table[n++] = (uint16_t)v;
		p += strcspn(p, ",");
		if (!*p)
			break;
		p++;
	}
	if (n & (n - 1)) {
		fprintf(stderr, "%s: --indir: %zu entries; the table length must be a power of two\n",
			prog_name, n);
		return -1;
	}
	return vnh_rss_set_table(cfg->rss, table, n) ? -1 : 0;
}

int config_finish(struct config_args *cfg)
{
	if (cfg->indir && (cfg->queues || cfg->table_size)) {
		fprintf(stderr, "%s: --indir cannot be combined with --queues or --table-size\n",
			prog_name);
		return -1;
	}
	if (cfg->table_size && !cfg->queues) {
		fprintf(stderr, "%s: --table-size needs --queues\n", prog_name);
		return -1;
	}
	if (cfg->indir) {
		if (parse_indir(cfg))
			return -1;
		cfg->table_set = true;
	} else if (cfg->queues) {
		vnh_rss_set_spread(cfg->rss, cfg->queues,
				   cfg->table_size ? cfg->table_size : 128);
		cfg->table_set = true;
	}
	return 0;
}

int config_device_queues(struct config_args *cfg, int max)
{
	int nq = (int)cfg->queues;

	if (!nq)
		return 0;
	if (nq > max) {
		fprintf(stderr, "%s: --queues %d: a tap has at most %d queues\n",
			prog_name, nq, max);
		return -1;
	}
	if (cfg->indir && cfg->table_size) {
		fprintf(stderr, "%s: --indir cannot be combined with --table-size\n",
			prog_name);
		return -1;
	}
	if (cfg->indir)
		cfg->queues = 0;
	return nq;
}

int parse_mechanism(const char *s)
{
	int m;

	for (m = VNH_STEER_MECH_AUTO; m <= VNH_STEER_MECH_STEER; m++)
		if (!strcmp(s, vnh_steer_mechanism_name(m)))
			return m;
	fprintf(stderr, "%s: --mechanism: unknown '%s' (auto, kfunc, progtype, steer)\n",
		prog_name, s);
	return -1;
}
