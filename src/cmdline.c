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
int parse_hex(const char *s, uint8_t *buf, size_t max, size_t *len,
	      size_t *bad)
{
	const char *start = s, *p;
	size_t n = 0, digits = 0;
	int hi, lo;

	/* First the kind of mistake, so that the message names the right one. */
	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (p = s; *p; p++) {
		if (hex_digit((unsigned char)*p) >= 0) {
			digits++;
		} else if (!isspace((unsigned char)*p) && *p != ':') {
			*bad = (size_t)(p - start);
			return HEX_NOT_HEX;
		}
	}
	if (digits % 2) {
		*bad = digits;
		return HEX_ODD;
	}
	for (;;) {
		while (isspace((unsigned char)*s) || *s == ':')
			s++;
		if (!*s)
			break;
		hi = hex_digit((unsigned char)s[0]);
		lo = hex_digit((unsigned char)s[1]);
		if (lo < 0) {
			*bad = (size_t)(s - start);
			return HEX_SPLIT;
		}
		if (n == max)
			return HEX_TOO_LONG;
		buf[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	*len = n;
	return 0;
}

const char *hex_strerror(int err, const char *s, size_t bad, char *msg,
			 size_t size)
{
	switch (err) {
	case HEX_NOT_HEX:
		if (isprint((unsigned char)s[bad]))
			snprintf(msg, size, "'%c' at position %zu is not a hex digit",
				 s[bad], bad + 1);
		else
			snprintf(msg, size, "byte 0x%02x at position %zu is not a hex digit",
				 (unsigned char)s[bad], bad + 1);
		break;
	case HEX_ODD:
		snprintf(msg, size, "odd number of hex digits (%zu): a byte is two digits",
			 bad);
		break;
	case HEX_SPLIT:
		snprintf(msg, size, "the hex digit at position %zu stands alone: a byte is two digits, separators (space, ':') go between bytes",
			 bad + 1);
		break;
	default:
		snprintf(msg, size, "too long");
		break;
	}
	return msg;
}

const char *perm_hint(int err, const char *caps)
{
	static char buf[128];

	if (err < 0)
		err = -err;
	if (err != EPERM && err != EACCES)
		return "";
	snprintf(buf, sizeof(buf), " (run as root: needs %s)", caps);
	return buf;
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
	size_t len, bad_pos;
	char msg[160];
	int err;

	switch (opt) {
	case 'k':
		err = parse_hex(arg, key, sizeof(key), &len, &bad_pos);
		if (err == HEX_TOO_LONG || (!err && len == 0)) {
			fprintf(stderr, "%s: --key '%s': a key has 1 to %d bytes%s\n",
				prog_name, arg, VNH_KEY_SIZE_MAX,
				err ? "" : ", this one none");
			return -1;
		}
		if (err) {
			fprintf(stderr, "%s: --key '%s': %s\n", prog_name, arg,
				hex_strerror(err, arg, bad_pos, msg,
					     sizeof(msg)));
			return -1;
		}
		if (len < VNH_KEY_SIZE_MAX)
			fprintf(stderr, "%s: warning: --key has %zu byte%s, virtio-net uses %d: key bits past the end count as zero, which weakens the hash (IPv4 with ports reads %d bytes of key, IPv6 with ports all %d)\n",
				prog_name, len, len == 1 ? "" : "s",
				VNH_KEY_SIZE_MAX, 16, VNH_KEY_SIZE_MAX);
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

size_t config_table_len(unsigned int queues)
{
	size_t len = CONFIG_TABLE_DEFAULT;

	while (len < queues && len < VNH_TABLE_LEN_MAX)
		len *= 2;
	return len;
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
	if (cfg->table_size && cfg->table_size < cfg->queues) {
		size_t need = 1;

		while (need < cfg->queues)
			need *= 2;
		fprintf(stderr, "%s: --table-size %zu is smaller than --queues %u: queues %zu to %u would get no packet; give --table-size %zu or more, or leave it out\n",
			prog_name, cfg->table_size, cfg->queues,
			cfg->table_size, cfg->queues - 1, need);
		return -1;
	}
	if (cfg->indir) {
		if (parse_indir(cfg))
			return -1;
		cfg->table_set = true;
	} else if (cfg->queues) {
		if (!cfg->table_size)
			cfg->table_size = config_table_len(cfg->queues);
		vnh_rss_set_spread(cfg->rss, cfg->queues, cfg->table_size);
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

const char *variant_name(int variant)
{
	return variant == VNH_STEER_VARIANT_KFUNC ? "kfunc" :
	       variant == VNH_STEER_VARIANT_NO_KFUNC ? "no-kfunc" :
	       variant == VNH_STEER_VARIANT_PROGTYPE ? "progtype" : NULL;
}
