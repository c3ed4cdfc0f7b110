// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vnethash hash: hash frames from a capture or hex strings. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "tool.h"

static const char hash_usage[] =
"Usage: %s hash [OPTIONS] [FILE]\n"
"\n"
"Compute the virtio-net hash, report type and receive queue of each frame.\n"
"Frames come from FILE (pcap or pcapng; Ethernet, or raw IPv4/IPv6 link\n"
"types, which are hashed as a tun device sees them), from --hex, or, with\n"
"neither (or FILE '-'), from standard input: a pcap or pcapng capture, or\n"
"hex frames one a line (blank lines and lines starting with # are skipped),\n"
"told apart by the first bytes. Empty input is 0 frames (said on stderr).\n"
"\n"
"Input:\n"
"  --hex HEX           hash this frame (repeatable)\n"
"  --link eth|ip       what hex frames are: Ethernet (default) or raw IP\n"
"\n"
CONFIG_HELP
"Without --indir or --queues the table has one entry: every frame's queue\n"
"is 0 (or --unclassified's, for frames without a hash).\n"
"\n"
"Output:\n"
"  --json              one JSON object per frame:\n"
"                      {\"frame\": 1, \"hash\": \"0x51ccc178\", \"report\": \"tcpv4\", \"queue\": 3}\n"
"  -h, --help          this text\n"
"\n"
"Without --json each frame is a line: frame number, hash, report type, queue.\n"
"Report types: none ipv4 tcpv4 udpv4 ipv6 tcpv6 udpv6 ipv6_ex tcpv6_ex udpv6_ex.\n"
"Exit status: 0 on success, 1 if the input cannot be read, 2 for bad usage.\n";

struct hash_out {
	const struct vnh_rss *rss;
	unsigned long frame;
	int json;
};

static uint16_t ethertype_of_ip(const uint8_t *pkt, size_t len)
{
	if (len == 0)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		return 0x0800;
	case 6:
		return 0x86dd;
	}
	return 0;
}

static void emit(struct hash_out *out, const uint8_t *pkt, size_t len, int l3)
{
	struct vnh_result res;

	if (l3)
		vnh_rss_hash_l3(out->rss, ethertype_of_ip(pkt, len), pkt, len,
				&res);
	else
		vnh_rss_hash_frame(out->rss, pkt, len, &res);
	out->frame++;
	if (out->json)
		printf("{\"frame\": %lu, \"hash\": \"0x%08x\", \"report\": \"%s\", \"queue\": %u}\n",
		       out->frame, res.hash, vnh_report_name(res.report),
		       res.queue);
	else
		printf("%lu 0x%08x %s %u\n", out->frame, res.hash,
		       vnh_report_name(res.report), res.queue);
}

/* Hash the packets of an open capture; @name for messages. */
static int hash_capture(struct hash_out *out, pcap_t *pcap, const char *name)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int l3, rc;

	switch (pcap_datalink(pcap)) {
	case DLT_EN10MB:
		l3 = 0;
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
#ifdef DLT_LOOP
	case 14:	/* DLT_RAW on some BSDs */
#endif
		l3 = 1;
		break;
	default:
		fprintf(stderr, "%s: %s: link type %s is not supported (Ethernet or raw IP only)\n",
			prog_name, name,
			pcap_datalink_val_to_name(pcap_datalink(pcap)) ?: "unknown");
		pcap_close(pcap);
		return 1;
	}
	while ((rc = pcap_next_ex(pcap, &hdr, &data)) == 1)
		emit(out, data, hdr->caplen, l3);
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, name,
			pcap_geterr(pcap));
		pcap_close(pcap);
		return 1;
	}
	pcap_close(pcap);
	return 0;
}

static int hash_pcap(struct hash_out *out, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pcap;

	pcap = pcap_open_offline(path, errbuf);
	if (!pcap) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, path, errbuf);
		return 1;
	}
	return hash_capture(out, pcap, path);
}

static int hash_hex(struct hash_out *out, const char *hex, int l3,
		    const char *where)
{
	static uint8_t frame[65536];
	char msg[160];
	size_t len, bad;
	int err = parse_hex(hex, frame, sizeof(frame), &len, &bad);

	if (err == HEX_TOO_LONG) {
		fprintf(stderr, "%s: %s: frame longer than %zu bytes\n",
			prog_name, where, sizeof(frame));
		return EXIT_USAGE;
	}
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, where,
			hex_strerror(err, hex, bad, msg, sizeof(msg)));
		return EXIT_USAGE;
	}
	if (len == 0) {
		fprintf(stderr, "%s: %s: empty frame (no hex digits)\n",
			prog_name, where);
		return EXIT_USAGE;
	}
	emit(out, frame, len, l3);
	return 0;
}

/*
 * Standard input, read with read(2) (a terminal hands over each line as
 * typed), with the bytes already taken to tell what it holds put first.
 */
struct stdin_src {
	unsigned char head[4];
	size_t len, pos;
};

static ssize_t stdin_read(void *cookie, char *buf, size_t size)
{
	struct stdin_src *src = cookie;
	ssize_t n;

	if (src->pos < src->len) {
		n = 0;
		while (src->pos < src->len && (size_t)n < size)
			buf[n++] = (char)src->head[src->pos++];
		return n;
	}
	do
		n = read(STDIN_FILENO, buf, size);
	while (n < 0 && errno == EINTR);
	return n;
}

static int stdin_close(void *cookie)
{
	(void)cookie;
	return 0;
}

enum stdin_kind { IN_EMPTY, IN_PCAP, IN_TEXT, IN_BINARY };

static enum stdin_kind stdin_peek(struct stdin_src *src)
{
	static const unsigned char magic[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },	/* pcap */
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },	/* pcap, ns */
		{ 0x0a, 0x0d, 0x0d, 0x0a },				/* pcapng */
	};
	size_t i;
	ssize_t n;

	memset(src, 0, sizeof(*src));
	while (src->len < sizeof(src->head)) {
		n = read(STDIN_FILENO, src->head + src->len,
			 sizeof(src->head) - src->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		src->len += (size_t)n;
	}
	if (src->len == 0)
		return IN_EMPTY;
	for (i = 0; i < sizeof(magic) / sizeof(magic[0]); i++)
		if (src->len == 4 && !memcmp(src->head, magic[i], 4))
			return IN_PCAP;
	for (i = 0; i < src->len; i++)
		if (src->head[i] < 0x20 && src->head[i] != '\n' &&
		    src->head[i] != '\r' && src->head[i] != '\t')
			return IN_BINARY;
	return IN_TEXT;
}

static int hash_lines(struct hash_out *out, FILE *in, int l3)
{
	char *line = NULL, where[64];
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t n;
	int rc = 0;

	while ((n = getline(&line, &cap, in)) >= 0) {
		const char *p = line;

		lineno++;
		p += strspn(p, " \t\r\n");
		if (!*p || *p == '#')
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		snprintf(where, sizeof(where), "stdin line %lu", lineno);
		rc = hash_hex(out, p, l3, where);
		if (rc)
			break;
	}
	if (!rc && ferror(in)) {
		fprintf(stderr, "%s: standard input: %s\n", prog_name,
			strerror(errno));
		rc = 1;
	}
	free(line);
	return rc;
}

static int hash_stdin(struct hash_out *out, int l3)
{
	static const cookie_io_functions_t io = {
		.read = stdin_read, .close = stdin_close,
	};
	char errbuf[PCAP_ERRBUF_SIZE];
	struct stdin_src src;
	enum stdin_kind kind;
	pcap_t *pcap;
	FILE *in;
	int rc;

	if (isatty(STDIN_FILENO))
		fprintf(stderr, "%s: reading frames from the terminal: one frame a line in hex, Ctrl-D to end (a pcap or pcapng capture: give its file name or pipe it in; see '%s hash --help')\n",
			prog_name, prog_name);
	kind = stdin_peek(&src);
	switch (kind) {
	case IN_EMPTY:
		return 0;
	case IN_BINARY:
		fprintf(stderr, "%s: standard input is neither a pcap or pcapng capture nor hex frames (first bytes %02x %02x ...)\n",
			prog_name, src.head[0], src.len > 1 ? src.head[1] : 0);
		return 1;
	case IN_PCAP:
	case IN_TEXT:
		break;
	}
	in = fopencookie(&src, "r", io);
	if (!in) {
		fprintf(stderr, "%s: standard input: %s\n", prog_name,
			strerror(errno));
		return 1;
	}
	if (kind == IN_PCAP) {
		pcap = pcap_fopen_offline(in, errbuf);
		if (!pcap) {
			fprintf(stderr, "%s: standard input: %s\n", prog_name,
				errbuf);
			fclose(in);
			return 1;
		}
		return hash_capture(out, pcap, "standard input");
	}
	rc = hash_lines(out, in, l3);
	fclose(in);
	return rc;
}

int hash_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CONFIG_OPTIONS,
		{ "hex", required_argument, NULL, 'x' },
		{ "link", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct config_args cfg;
	struct cmd_line cl = { "hash", hash_usage, opts, &cfg, 0 };
	struct hash_out out = { 0 };
	const char **hex = calloc((size_t)argc, sizeof(*hex));
	struct vnh_rss *rss = vnh_rss_new();
	int opt, nhex = 0, l3 = 0, rc = EXIT_USAGE, i;

	if (!hex || !rss) {
		fprintf(stderr, "%s: out of memory\n", prog_name);
		rc = 1;
		goto out;
	}
	config_init(&cfg, rss);
	while ((opt = cmd_getopt(&cl, argc, argv)) != -1) {
		switch (opt) {
		case 0:
			rc = cl.status;
			goto out;
		case 'x':
			hex[nhex++] = optarg;
			break;
		case 'l':
			if (!strcmp(optarg, "eth")) {
				l3 = 0;
			} else if (!strcmp(optarg, "ip")) {
				l3 = 1;
			} else {
				fprintf(stderr, "%s: --link '%s': need eth or ip\n",
					prog_name, optarg);
				goto out;
			}
			break;
		case 'j':
			out.json = 1;
			break;
		}
	}
	if (config_finish(&cfg))
		goto out;
	if (argc - optind > 1 || (argc - optind == 1 && nhex)) {
		fprintf(stderr, "%s: hash takes one capture file or --hex frames\n",
			prog_name);
		goto out;
	}
	out.rss = rss;
	if (optind < argc && strcmp(argv[optind], "-")) {
		rc = hash_pcap(&out, argv[optind]);
	} else if (nhex) {
		rc = 0;
		for (i = 0; i < nhex && !rc; i++) {
			char where[32];

			snprintf(where, sizeof(where), "--hex #%d", i + 1);
			rc = hash_hex(&out, hex[i], l3, where);
		}
	} else {
		rc = hash_stdin(&out, l3);
	}
	if (!rc && out.frame == 0)
		fprintf(stderr, "%s: 0 frames\n", prog_name);
out:
	fflush(stdout);
	vnh_rss_free(rss);
	free(hex);
	return rc;
}
