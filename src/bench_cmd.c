// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vnethash bench: how fast every layer is, each figure beside a baseline
 * measured in the same run on the same input.
 *
 *   toeplitz  the library's Toeplitz (scalar, GFNI) on 12 and 36 bytes,
 *             against the bit-by-bit hash and, when built with DPDK,
 *             rte_softrss_be() and rte_thash_gfni();
 *   frame     whole frames through vnh_rss_hash_frame() (parse, hash,
 *             queue), against hashing the tuple alone the slow way;
 *   bpf       the steering program under BPF_PROG_TEST_RUN, net of an
 *             empty program, against a bit-by-bit Toeplitz program
 *             (bpf/vnethash_bitwise.bpf.c); needs root;
 *   tap       packets per second through a multiqueue tap (AF_PACKET into
 *             its transmit path, read() from every queue) with each
 *             steering program, against an empty program; needs root.
 *
 * Every figure is the median of several rounds; the baselines are timed in
 * the same rounds, interleaved. Prints a table, or JSON with --json.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench_clock.h"
#include "cmdline.h"
#include "toeplitz_impl.h"
#include "tool.h"
#include "vnethash.h"

#ifdef VNETHASH_HAVE_DPDK
#include "bench_dpdk.h"
#endif

#ifdef VNETHASH_HAVE_STEER
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "tap.h"
#include "vnethash_bitwise.h"
#include "vnethash_steer.h"
#endif

#define MAX_ROWS	64
#define MAX_SKIPS	8
#define MAX_ROUNDS	51

struct row {
	const char *section;
	char name[64];
	double ns;		/* per packet / per call */
	char base_name[64];
	double base_ns;		/* the baseline's, same run */
	double overhead_ns;	/* bpf: the empty program's, subtracted; else 0 */
};

struct bench {
	int rounds;
	int quick;
	unsigned long iters;	/* library calls per round */
	unsigned int repeat;	/* BPF_PROG_TEST_RUN repeat */
	unsigned int packets;	/* tap: packets per round */
	struct row rows[MAX_ROWS];
	int nrows;
	struct {
		const char *section;
		char reason[160];
	} skips[MAX_SKIPS];
	int nskips;
	uint8_t key[VNH_KEY_SIZE_MAX];
	struct vnh_toeplitz_table table;
};

static volatile uint32_t sink;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void add_row(struct bench *b, const char *section, const char *name,
		    double ns, const char *base_name, double base_ns,
		    double overhead)
{
	struct row *r;

	if (b->nrows == MAX_ROWS)
		return;
	r = &b->rows[b->nrows++];
	r->section = section;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->base_name, sizeof(r->base_name), "%s", base_name);
	r->ns = ns;
	r->base_ns = base_ns;
	r->overhead_ns = overhead;
}

static void skip(struct bench *b, const char *section, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void skip(struct bench *b, const char *section, const char *fmt, ...)
{
	va_list ap;

	if (b->nskips == MAX_SKIPS)
		return;
	b->skips[b->nskips].section = section;
	va_start(ap, fmt);
	vsnprintf(b->skips[b->nskips].reason,
		  sizeof(b->skips[b->nskips].reason), fmt, ap);
	va_end(ap);
	b->nskips++;
}

/*
 * The inputs: POOL variants of a 4-tuple-like pattern of 36 bytes (or of a
 * frame), differing in their first byte, written before the timing starts
 * and cycled through: a loop that stored into the input before every call
 * would time the store-to-load forwarding stall of vector loads instead.
 */
#define POOL 64

static void bench_input(uint8_t (*pool)[64])
{
	unsigned int i, k;

	for (k = 0; k < POOL; k++)
		for (i = 0; i < 64; i++)
			pool[k][i] = (uint8_t)(i ? i * 37 + 11 : k * 3 + 1);
}

/* ns per evaluation of @expr over @iters iterations, @in cycling. */
#define TIME_LOOP(out, iters, pool, expr) do {				\
	uint32_t h_ = 0;						\
	double t0_ = bench_now_ns();						\
	for (unsigned long i_ = 0; i_ < (iters); i_++) {		\
		const uint8_t *in = (pool)[i_ % POOL];			\
		h_ ^= (expr);						\
	}								\
	(out) = (bench_now_ns() - t0_) / (double)(iters);			\
	sink = h_;							\
} while (0)

enum { T_BIT, T_SCALAR, T_GFNI, T_DISPATCH, T_DPDK_SOFT, T_DPDK_GFNI, T_N };

static int bench_toeplitz(struct bench *b)
{
	static const unsigned int lens[] = { 12, 36 };
	int gfni = vnh_toeplitz_gfni_usable(), dpdk = 0, dpdk_gfni = 0;
	static uint8_t pool[POOL][64];
	const uint8_t *in = pool[0];
	size_t li;

#ifdef VNETHASH_HAVE_DPDK
	dpdk = 1;
	bench_dpdk_set_key(b->key);
	dpdk_gfni = bench_dpdk_gfni_usable();
#endif
	for (li = 0; li < 2; li++) {
		unsigned int len = lens[li];
		double t[T_N][MAX_ROUNDS], m[T_N];
		unsigned long it = b->iters;
		char name[64], base[64];
		uint32_t want;
		int r, k;

		bench_input(pool);
		want = vnh_toeplitz(b->key, sizeof(b->key), in, len);
		/* Every implementation must agree before it is timed. */
		if (vnh_toeplitz_scalar(&b->table, in, len) != want ||
		    (gfni && vnh_toeplitz_gfni(&b->table, in, len) != want) ||
		    vnh_toeplitz_table_hash(&b->table, in, len) != want) {
			fprintf(stderr, "%s bench: Toeplitz implementations disagree\n",
				prog_name);
			return -1;
		}
#ifdef VNETHASH_HAVE_DPDK
		if (bench_dpdk_softrss(in, len) != want ||
		    (dpdk_gfni && bench_dpdk_gfni(in, len) != want)) {
			fprintf(stderr, "%s bench: DPDK's Toeplitz gives other hashes\n",
				prog_name);
			return -1;
		}
#endif
		for (r = 0; r < b->rounds; r++) {
			/* The bit-by-bit hash is slow: a tenth of the calls. */
			TIME_LOOP(t[T_BIT][r], it / 10 + 1, pool,
				  vnh_toeplitz(b->key, sizeof(b->key), in, len));
			TIME_LOOP(t[T_SCALAR][r], it, pool,
				  vnh_toeplitz_scalar(&b->table, in, len));
			if (gfni)
				TIME_LOOP(t[T_GFNI][r], it, pool,
					  vnh_toeplitz_gfni(&b->table, in, len));
			TIME_LOOP(t[T_DISPATCH][r], it, pool,
				  vnh_toeplitz_table_hash(&b->table, in, len));
#ifdef VNETHASH_HAVE_DPDK
			t[T_DPDK_SOFT][r] = bench_dpdk_softrss_ns(pool, POOL,
								  len, it);
			if (dpdk_gfni)
				t[T_DPDK_GFNI][r] = bench_dpdk_gfni_ns(pool, POOL,
								       len, it);
#endif
		}
		for (k = 0; k < T_N; k++)
			m[k] = median(t[k], b->rounds);

		snprintf(name, sizeof(name), "scalar, %u B", len);
		add_row(b, "toeplitz", name, m[T_SCALAR],
			"bit-by-bit (vnh_toeplitz)", m[T_BIT], 0);
		if (dpdk) {
			snprintf(base, sizeof(base), "rte_softrss_be, %u B", len);
			add_row(b, "toeplitz", name, m[T_SCALAR], base,
				m[T_DPDK_SOFT], 0);
		}
		if (gfni) {
			snprintf(name, sizeof(name), "gfni, %u B", len);
			if (dpdk_gfni) {
				snprintf(base, sizeof(base), "rte_thash_gfni, %u B",
					 len);
				add_row(b, "toeplitz", name, m[T_GFNI], base,
					m[T_DPDK_GFNI], 0);
			} else {
				snprintf(base, sizeof(base), "scalar, %u B", len);
				add_row(b, "toeplitz", name, m[T_GFNI], base,
					m[T_SCALAR], 0);
			}
		}
		snprintf(name, sizeof(name), "vnh_toeplitz_table_hash (%s), %u B",
			 vnh_toeplitz_impl(), len);
		snprintf(base, sizeof(base), "bit-by-bit (vnh_toeplitz), %u B", len);
		add_row(b, "toeplitz", name, m[T_DISPATCH], base, m[T_BIT], 0);
	}
	if (!gfni)
		skip(b, "toeplitz", "gfni: the CPU lacks GFNI/AVX512F/AVX512BW/AVX512VBMI");
	if (!dpdk)
		skip(b, "toeplitz", "DPDK: built without libdpdk (pkg-config found none)");
	else if (!dpdk_gfni)
		skip(b, "toeplitz", "rte_thash_gfni: the CPU lacks GFNI/AVX-512");
	return 0;
}

/* Test frames: Ethernet + IPv4 + TCP and Ethernet + IPv6 + TCP. */
static const uint8_t frame_tcp4[54] = {
	[12] = 0x08, [13] = 0x00, [14] = 0x45, [16] = 0, [17] = 40,
	[22] = 64, [23] = 6, [26] = 10, [29] = 1, [30] = 10, [33] = 2,
	[34] = 0x30, [35] = 0x39, [37] = 80, [46] = 0x50,
};
static const uint8_t frame_tcp6[74] = {
	[12] = 0x86, [13] = 0xdd, [14] = 0x60, [19] = 20, [20] = 6,
	[21] = 64, [22] = 0x20, [23] = 0x01, [37] = 1, [38] = 0x20,
	[39] = 0x01, [53] = 2, [54] = 0x30, [55] = 0x39, [57] = 80,
	[66] = 0x50,
};

static const struct {
	const char *name;
	const uint8_t *frame;
	size_t len;
	size_t tuple_off, tuple_len;	/* where addresses and ports are */
} frames[] = {
	{ "IPv4/TCP", frame_tcp4, sizeof(frame_tcp4), 26, 12 },
	{ "IPv6/TCP", frame_tcp6, sizeof(frame_tcp6), 22, 36 },
};

static int bench_frames(struct bench *b, const struct vnh_rss *rss)
{
	size_t f;

	for (f = 0; f < 2; f++) {
		static uint8_t fpool[POOL][128], tpool[POOL][64];
		static struct vnh_result bres[POOL];
		const void *bptr[POOL];
		size_t blen[POOL];
		double t[3][MAX_ROUNDS];
		struct vnh_result res;
		size_t off = frames[f].tuple_off, tl = frames[f].tuple_len;
		size_t flen = frames[f].len;
		char name[64], base[64];
		int r, k;

		/* Variants differing in the first byte of the source address. */
		for (k = 0; k < POOL; k++) {
			memcpy(fpool[k], frames[f].frame, flen);
			fpool[k][off] = (uint8_t)(k * 3 + 1);
			memcpy(tpool[k], fpool[k] + off, tl);
			if (vnh_rss_hash_frame(rss, fpool[k], flen, &res) ||
			    res.hash != vnh_toeplitz(b->key, sizeof(b->key),
						     tpool[k], tl)) {
				fprintf(stderr, "%s bench: %s: unexpected hash\n",
					prog_name, frames[f].name);
				return -1;
			}
		}
		for (k = 0; k < POOL; k++) {
			bptr[k] = fpool[k];
			blen[k] = flen;
		}
		for (r = 0; r < b->rounds; r++) {
			unsigned long j, nb = b->iters / POOL + 1;
			double t0;

			TIME_LOOP(t[0][r], b->iters, fpool,
				  (vnh_rss_hash_frame(rss, in, flen, &res),
				   res.hash ^ res.queue));
			t0 = bench_now_ns();
			for (j = 0; j < nb; j++) {
				vnh_rss_hash_frames(rss, bptr, blen, POOL, bres);
				sink ^= bres[j % POOL].hash;
			}
			t[2][r] = (bench_now_ns() - t0) / (double)(nb * POOL);
#ifdef VNETHASH_HAVE_DPDK
			t[1][r] = bench_dpdk_softrss_ns(tpool, POOL, tl,
							b->iters);
#else
			TIME_LOOP(t[1][r], b->iters / 10 + 1, tpool,
				  vnh_toeplitz(b->key, sizeof(b->key), in, tl));
#endif
		}
		snprintf(name, sizeof(name), "%s parse+hash+queue", frames[f].name);
#ifdef VNETHASH_HAVE_DPDK
		snprintf(base, sizeof(base), "rte_softrss_be of its tuple alone");
#else
		snprintf(base, sizeof(base), "bit-by-bit hash of its tuple alone");
#endif
		add_row(b, "frame", name, median(t[0], b->rounds), base,
			median(t[1], b->rounds), 0);
		snprintf(name, sizeof(name), "%s vnh_rss_hash_frames, %d a call",
			 frames[f].name, POOL);
		add_row(b, "frame", name, median(t[2], b->rounds), base,
			median(t[1], b->rounds), 0);
	}
	return 0;
}

#ifdef VNETHASH_HAVE_STEER
struct progs {
	int empty;
	struct vnethash_bitwise *bw;
	struct vnh_steer *steer;
	uint32_t verified_insns;
};

static int progs_load(struct bench *b, const struct vnh_rss *rss,
		      struct progs *p, const char *section)
{
	struct vnh_steer_opts sopts = { .sz = sizeof(sopts) };
	struct vnh_steer_info info = { .sz = sizeof(info) };
	int err;

	memset(p, 0, sizeof(*p));
	p->empty = -1;
	if (geteuid() != 0) {
		skip(b, section, "needs root (BPF programs)");
		return -1;
	}
	err = vnh_steer_load(rss, &sopts, &p->steer);
	if (err) {
		skip(b, section, "loading the steering program: %s",
		     strerror(-err));
		return -1;
	}
	p->empty = vnh_baseline_empty_prog();
	p->bw = vnh_baseline_bitwise_load(rss);
	if (p->empty < 0 || !p->bw) {
		skip(b, section, "loading the baseline programs: %s",
		     strerror(errno));
		return -1;
	}
	if (!vnh_steer_get_config(p->steer, NULL, &info))
		p->verified_insns = info.verified_insns;
	return 0;
}

static void progs_free(struct progs *p)
{
	if (p->empty >= 0)
		close(p->empty);
	if (p->bw)
		vnethash_bitwise__destroy(p->bw);
	vnh_steer_free(p->steer);
}

static double test_run_ns(int fd, const void *frame, size_t len,
			  unsigned int repeat, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = (__u32)len, .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts))
		return -1;
	*retval = opts.retval;
	return opts.duration;
}

static int bench_bpf(struct bench *b, const struct vnh_rss *rss,
		     uint32_t *verified)
{
	struct progs p;
	size_t f;
	int ret = 0;

	if (progs_load(b, rss, &p, "bpf")) {
		progs_free(&p);
		return 0;
	}
	*verified = p.verified_insns;
	for (f = 0; f < 2 && !ret; f++) {
		int fds[3] = { p.empty, bpf_program__fd(p.bw->progs.vnh_bitwise_prog),
			       vnh_steer_prog_fd(p.steer) };
		double t[3][MAX_ROUNDS], m[3];
		char name[64], base[64];
		__u32 rv[3];
		int r, k;

		for (r = 0; r < b->rounds && !ret; r++) {
			for (k = 0; k < 3; k++) {
				t[k][r] = test_run_ns(fds[k], frames[f].frame,
						      frames[f].len, b->repeat,
						      &rv[k]);
				if (t[k][r] < 0) {
					fprintf(stderr, "%s bench: BPF_PROG_TEST_RUN: %s\n",
						prog_name, strerror(errno));
					ret = -1;
					break;
				}
			}
		}
		if (ret)
			break;
		if (rv[1] != rv[2]) {
			fprintf(stderr, "%s bench: %s: the programs pick queues %u and %u\n",
				prog_name, frames[f].name, rv[1], rv[2]);
			ret = -1;
			break;
		}
		for (k = 0; k < 3; k++)
			m[k] = median(t[k], b->rounds);
		snprintf(name, sizeof(name), "vnethash program, %s, net", frames[f].name);
		snprintf(base, sizeof(base), "bit-by-bit program, %s, net",
			 frames[f].name);
		add_row(b, "bpf", name, m[2] - m[0], base, m[1] - m[0], m[0]);
	}
	progs_free(&p);
	return ret;
}

static int tap_steer(struct tap *t, int prog_fd)
{
	return ioctl(t->fds[0], TUNSETSTEERINGEBPF, &prog_fd) ? -errno : 0;
}

/* Read whatever waits on the queues; returns how many packets. */
static unsigned int tap_drain(struct tap *t)
{
	unsigned int got = 0;
	uint8_t buf[2048];
	int q;

	/* Each queue until it is empty: one read() that fails per queue. */
	for (q = 0; q < t->nq; q++)
		while (read(t->fds[q], buf, sizeof(buf)) > 0)
			got++;
	return got;
}

#define TAP_FLOWS 64
#define TAP_BATCH 32

/*
 * One round: @n frames (a mix of IPv4/TCP flows) sent in batches with
 * sendmmsg(), every queue read after each batch. ns per packet received;
 * lost packets (queue full) do not count as received.
 */
static double tap_round(struct tap *t, uint8_t (*fr)[64], unsigned int n)
{
	struct mmsghdr msgs[TAP_BATCH];
	struct iovec iov[TAP_BATCH];
	unsigned int sent = 0, got = 0, i;
	double t0;

	tap_drain(t);
	t0 = bench_now_ns();
	while (sent < n) {
		unsigned int k = n - sent < TAP_BATCH ? n - sent : TAP_BATCH;
		int r;

		for (i = 0; i < k; i++) {
			iov[i].iov_base = fr[(sent + i) % TAP_FLOWS];
			iov[i].iov_len = 54;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(t->pkt_fd, msgs, k, 0);
		if (r <= 0)
			return -1;
		sent += (unsigned int)r;
		got += tap_drain(t);
	}
	got += tap_drain(t);
	if (!got)
		return -1;
	return (bench_now_ns() - t0) / got;
}

static int bench_tap(struct bench *b, const struct vnh_rss *rss)
{
	static uint8_t fr[TAP_FLOWS][64];
	const char *names[4] = { "no program (empty program: queue 0)",
				 "tun's default steering (automq)",
				 "bit-by-bit program", "vnethash program" };
	double t[4][MAX_ROUNDS];
	char name[IFNAMSIZ];
	struct tap tap;
	struct progs p;
	int fds[4], r, k, err, ret = 0;
	unsigned int i;

	if (progs_load(b, rss, &p, "tap")) {
		progs_free(&p);
		return 0;
	}
	/* A namespace of its own: no other traffic on the tap. */
	err = tap_private_netns();
	if (!err) {
		snprintf(name, sizeof(name), "vnhbench%u",
			 (unsigned int)getpid() % 100000);
		err = tap_create(&tap, name, 2, 0);
	}
	if (err) {
		skip(b, "tap", "creating a multiqueue tap: %s", strerror(-err));
		progs_free(&p);
		return 0;
	}
	for (i = 0; i < TAP_FLOWS; i++) {
		memcpy(fr[i], frame_tcp4, sizeof(frame_tcp4));
		fr[i][0] = 0x02;	/* a unicast destination, not ours */
		fr[i][6] = 0x02;
		fr[i][11] = 1;
		fr[i][29] = (uint8_t)i;		/* source address */
		fr[i][34] = (uint8_t)(i * 7);	/* source port */
	}
	fds[0] = p.empty;
	fds[1] = -1;
	fds[2] = bpf_program__fd(p.bw->progs.vnh_bitwise_prog);
	fds[3] = vnh_steer_prog_fd(p.steer);
	for (r = 0; r < b->rounds && !ret; r++) {
		for (k = 0; k < 4; k++) {
			err = tap_steer(&tap, fds[k]);
			if (err) {
				skip(b, "tap", "TUNSETSTEERINGEBPF: %s", strerror(-err));
				ret = 1;
				break;
			}
			t[k][r] = tap_round(&tap, fr, b->packets);
			if (t[k][r] < 0) {
				skip(b, "tap", "sending through the tap: %s",
				     strerror(errno));
				ret = 1;
				break;
			}
		}
	}
	if (!ret) {
		double base = median(t[0], b->rounds);

		for (k = 1; k < 4; k++)
			add_row(b, "tap", names[k], median(t[k], b->rounds),
				names[0], base, 0);
	}
	tap_close(&tap);
	progs_free(&p);
	return 0;
}
#endif /* VNETHASH_HAVE_STEER */

static void cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			c += 2;
			c[strcspn(c, "\n")] = 0;
			snprintf(buf, size, "%s", c);
			break;
		}
	}
	fclose(f);
}

/* A JSON string: our strings hold no control characters but may hold '"'. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

static double mpps(double ns)
{
	return ns > 0 ? 1e3 / ns : 0;
}

static void print_json(const struct bench *b, const char *cpu,
		       const struct utsname *u, const char *dpdk,
		       uint32_t verified)
{
	int i;

	printf("{\n  \"version\": 1,\n  \"quick\": %s,\n  \"rounds\": %d,\n",
	       b->quick ? "true" : "false", b->rounds);
	printf("  \"machine\": {\"cpu\": ");
	json_str(cpu);
	printf(", \"cpus\": %ld, \"kernel\": ", sysconf(_SC_NPROCESSORS_ONLN));
	json_str(u->release);
	printf(", \"toeplitz_impl\": ");
	json_str(vnh_toeplitz_impl());
	printf(", \"dpdk\": ");
	if (dpdk)
		json_str(dpdk);
	else
		printf("null");
	printf(", \"bpf_verified_insns\": %u},\n  \"results\": [", verified);
	for (i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];

		printf("%s\n    {\"section\": ", i ? "," : "");
		json_str(r->section);
		printf(", \"name\": ");
		json_str(r->name);
		printf(", \"ns\": %.3f, \"mpps\": %.3f, \"baseline\": ", r->ns,
		       mpps(r->ns));
		json_str(r->base_name);
		printf(", \"baseline_ns\": %.3f, \"baseline_mpps\": %.3f, "
		       "\"ratio\": %.3f, \"overhead_ns\": %.3f}",
		       r->base_ns, mpps(r->base_ns),
		       r->ns > 0 ? r->base_ns / r->ns : 0, r->overhead_ns);
	}
	printf("\n  ],\n  \"skipped\": [");
	for (i = 0; i < b->nskips; i++) {
		printf("%s\n    {\"section\": ", i ? "," : "");
		json_str(b->skips[i].section);
		printf(", \"reason\": ");
		json_str(b->skips[i].reason);
		printf("}");
	}
	printf("\n  ]\n}\n");
}

static void print_table(const struct bench *b, const char *cpu,
			const struct utsname *u, const char *dpdk,
			uint32_t verified)
{
	const char *section = "";
	int i;

	printf("vnethash bench: median of %d rounds%s; CPU %s, %ld CPUs, Linux %s\n",
	       b->rounds, b->quick ? " (quick: few iterations, noisy)" : "",
	       cpu, sysconf(_SC_NPROCESSORS_ONLN), u->release);
	printf("Toeplitz implementation in use: %s; DPDK: %s",
	       vnh_toeplitz_impl(), dpdk ? dpdk : "not built in");
	if (verified)
		printf("; steering program: %u instructions verified", verified);
	printf("\nratio = baseline ns / ns (above 1: faster than the baseline)\n");
	for (i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];

		if (strcmp(section, r->section)) {
			section = r->section;
			printf("\n[%s]%s\n", section,
			       !strcmp(section, "bpf") ?
			       " BPF_PROG_TEST_RUN, net of an empty program" :
			       !strcmp(section, "tap") ?
			       " AF_PACKET -> multiqueue tap -> read() from its queues" : "");
			printf("%-44s %9s %8s   %-38s %9s %8s %7s\n", "measured",
			       "ns/pkt", "Mpps", "baseline (same run)", "ns/pkt",
			       "Mpps", "ratio");
		}
		printf("%-44s %9.2f %8.2f   %-38s %9.2f %8.2f %6.2fx\n", r->name,
		       r->ns, mpps(r->ns), r->base_name, r->base_ns,
		       mpps(r->base_ns), r->ns > 0 ? r->base_ns / r->ns : 0);
		if (r->overhead_ns > 0)
			printf("%-44s %9.2f\n", "  (empty program, subtracted)",
			       r->overhead_ns);
	}
	for (i = 0; i < b->nskips; i++)
		printf("%sskipped [%s]: %s\n", i ? "" : "\n", b->skips[i].section,
		       b->skips[i].reason);
}

static const char bench_usage[] =
	"Usage: %s bench [--json] [--quick] [--rounds N]\n\n"
	"Time every layer against a baseline from the same run: the library's\n"
	"Toeplitz (scalar, GFNI; DPDK's when built with it), whole frames,\n"
	"the steering program under BPF_PROG_TEST_RUN (root) and packets per\n"
	"second through a multiqueue tap (root). Prints medians in ns per\n"
	"packet and Mpps, each beside its baseline and the ratio; parts the\n"
	"machine does not allow are listed as skipped, with the reason.\n\n"
	"  --json        machine-readable output\n"
	"  --quick       few iterations (a smoke test; figures are noisy)\n"
	"  --rounds N    rounds per figure, odd, 1..51 (default 7, quick 3)\n"
	"  -h, --help    this text\n";

int bench_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench *b = calloc(1, sizeof(*b));
	const char *dpdk = NULL;
	struct vnh_rss *rss = vnh_rss_new();
	int json = 0, rounds = 0, opt, ret = 0;
	uint32_t verified = 0;
	struct utsname u;
	char cpu[128];
	unsigned long v;

	if (!b || !rss) {
		fprintf(stderr, "%s bench: out of memory\n", prog_name);
		free(b);
		vnh_rss_free(rss);
		return 1;
	}
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'q':
			b->quick = 1;
			break;
		case 'r':
			if (parse_uint(optarg, MAX_ROUNDS, &v) || v == 0 ||
			    v % 2 == 0) {
				fprintf(stderr, "%s bench: --rounds: '%s' is not an odd number from 1 to %d\n",
					prog_name, optarg, MAX_ROUNDS);
				ret = EXIT_USAGE;
				goto out;
			}
			rounds = (int)v;
			break;
		case 'h':
			printf(bench_usage, prog_name);
			goto out;
		default:
			fprintf(stderr, "Try '%s bench --help'.\n", prog_name);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s bench: unexpected argument '%s'\nTry '%s bench --help'.\n",
			prog_name, argv[optind], prog_name);
		ret = EXIT_USAGE;
		goto out;
	}
	b->rounds = rounds ? rounds : b->quick ? 3 : 7;
	b->iters = b->quick ? 20000 : 2000000;
	b->repeat = b->quick ? 2000 : 200000;
	b->packets = b->quick ? 2000 : 100000;
	memcpy(b->key, vnh_default_key, sizeof(b->key));
	vnh_toeplitz_table_init(&b->table, b->key, sizeof(b->key));
	if (vnh_rss_set_spread(rss, 4, 128)) {
		fprintf(stderr, "%s bench: out of memory\n", prog_name);
		ret = 1;
		goto out;
	}
#ifdef VNETHASH_HAVE_DPDK
	dpdk = bench_dpdk_version();
#endif
	cpu_model(cpu, sizeof(cpu));
	uname(&u);

	if (bench_toeplitz(b) || bench_frames(b, rss)) {
		ret = 1;
		goto out;
	}
#ifdef VNETHASH_HAVE_STEER
	if (bench_bpf(b, rss, &verified)) {
		ret = 1;
		goto out;
	}
	bench_tap(b, rss);
#else
	skip(b, "bpf", "built without the eBPF steering program");
	skip(b, "tap", "built without the eBPF steering program");
#endif
	if (json)
		print_json(b, cpu, &u, dpdk, verified);
	else
		print_table(b, cpu, &u, dpdk, verified);
out:
	vnh_rss_free(rss);
	free(b);
	return ret;
}
