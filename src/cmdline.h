/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The subcommands' command lines: getopt_long() with --help and usage
 * errors handled, the device operand, numbers and hex strings, and the RSS
 * configuration flags common to hash, attach, set, verify and demo.
 */
#ifndef VNETHASH_CMDLINE_H
#define VNETHASH_CMDLINE_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnethash.h"

/* The RSS configuration flags common to hash, attach and set. */
struct config_args {
	struct vnh_rss *rss;
	bool key_set, types_set, table_set, unclassified_set;
	unsigned int queues;		/* --queues, 0 if not given */
	size_t table_size;		/* --table-size, 0 if not given */
	const char *indir;		/* --indir, NULL if not given */
};

#define CONFIG_OPTIONS \
	{ "key", required_argument, NULL, 'k' }, \
	{ "types", required_argument, NULL, 't' }, \
	{ "indir", required_argument, NULL, 'i' }, \
	{ "queues", required_argument, NULL, 'q' }, \
	{ "table-size", required_argument, NULL, 'T' }, \
	{ "unclassified", required_argument, NULL, 'u' }

#define CONFIG_HELP \
"RSS configuration:\n" \
"  --key HEX           Toeplitz key, 1 to 40 bytes in hex (default: the\n" \
"                      well-known key 6d5a56da...bbeac01fa)\n" \
"  --types LIST        enabled hash types, comma-separated: ipv4, tcpv4,\n" \
"                      udpv4, ipv6, tcpv6, udpv6, ipv6_ex, tcpv6_ex,\n" \
"                      udpv6_ex; or all (default), or none\n" \
"  --indir LIST        indirection table: comma-separated queue numbers,\n" \
"                      a power-of-two count up to 32768\n" \
"  --queues N          table spreading over queues 0..N-1 (entry i = i %% N)\n" \
"  --table-size T      length of the --queues table, at least N (default:\n" \
"                      128, or the next power of two >= N if N > 128)\n" \
"  --unclassified Q    queue for packets that get no hash (default 0)\n"

/* A subcommand's command line, for cmd_getopt() and cmd_device(). */
struct cmd_line {
	const char *name;		/* "attach", ... */
	const char *usage;		/* printf format; %s is prog_name */
	const struct option *opts;	/* for getopt_long(), with "help" */
	struct config_args *cfg;	/* NULL: no RSS configuration options */
	int status;			/* exit status once cmd_getopt() says 0 */
};

/*
 * getopt_long() for a subcommand. Handles -h/--help (prints the usage;
 * status 0), unknown options and missing arguments (prints a hint; status
 * EXIT_USAGE) and, with @c->cfg, the RSS configuration options (a bad
 * value: message, status EXIT_USAGE). Returns the next option for the
 * caller, -1 at the end of the options, or 0 when the command is to exit
 * with @c->status.
 */
int cmd_getopt(struct cmd_line *c, int argc, char **argv);
/* The one operand after the options, a device name; NULL (message printed,
 * exit status EXIT_USAGE) if there is not exactly one. */
const char *cmd_device(const struct cmd_line *c, int argc, char **argv);

void config_init(struct config_args *cfg, struct vnh_rss *rss);
/* Returns 1 if @opt was a config option, 0 if not, -1 on a bad value. */
int config_option(struct config_args *cfg, int opt, const char *arg);
/*
 * Builds the table from --indir/--queues; -1 on a bad combination. Without
 * --table-size, a --queues table has CONFIG_TABLE_DEFAULT entries, or the
 * next power of two covering every queue if that is more; cfg->table_size
 * is then set to the length used.
 */
int config_finish(struct config_args *cfg);
#define CONFIG_TABLE_DEFAULT 128
/* The table length config_finish() gives --queues @queues by default. */
size_t config_table_len(unsigned int queues);
/*
 * --queues as the queue count of a device the command creates (verify,
 * demo): at most @max; with --indir it only sizes the device, the table is
 * --indir's. Call before config_finish(). Returns the count, 0 if --queues
 * was not given, or -1 (message printed).
 */
int config_device_queues(struct config_args *cfg, int max);

/*
 * Hex bytes, optional 0x prefix, spaces and colons between bytes. Returns
 * 0 (*@len bytes in @buf) or one of HEX_*; for HEX_NOT_HEX and HEX_SPLIT
 * *@bad is the 0-based offset in @s, for HEX_ODD the number of digits.
 */
enum { HEX_TOO_LONG = -1, HEX_NOT_HEX = -2, HEX_ODD = -3, HEX_SPLIT = -4 };
int parse_hex(const char *s, uint8_t *buf, size_t max, size_t *len,
	      size_t *bad);
/* The message for a parse_hex() error (not HEX_TOO_LONG), in @msg. */
const char *hex_strerror(int err, const char *s, size_t bad, char *msg,
			 size_t size);
int parse_uint(const char *s, unsigned long max, unsigned long *val);
/* enum vnh_steer_mechanism from its name; -1 (message printed) if unknown. */
int parse_mechanism(const char *s);
/* The name of a build (enum vnh_steer_variant); NULL if unknown or AUTO. */
const char *variant_name(int variant);

#endif
