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
#include <sched.h>
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
#define MAX_ROUNDS	51	/* --rounds */
#define MAX_TAP_ROUNDS	201	/* --tap-rounds */
#define ROUND_SLOTS	MAX_TAP_ROUNDS

struct row {
	const char *section;
	char name[64];
	double ns;		/* per packet / per call: median of the rounds */
	char base_name[64];
	double base_ns;		/* the baseline's, same run */
	double overhead_ns;	/* bpf: the empty program's, subtracted; else 0 */
	/*
	 * The ratio baseline / measured of each round (the two timed next
	 * to each other): median, quartiles and an approximate 95%
	 * confidence interval of the median, over @rounds rounds.
	 */
	int rounds;
	double ratio_med, ratio_p25, ratio_p75, ratio_lo, ratio_hi;
	double ns_lo, ns_hi;	/* the same interval of ns */
};

enum { SEC_TOEPLITZ = 1, SEC_FRAME = 2, SEC_BPF = 4, SEC_TAP = 8,
       SEC_ALL = 15 };
static const char *const section_names[] = { "toeplitz", "frame", "bpf",
					     "tap" };

struct bench {
	int rounds;
	int tap_rounds;
	int quick;
	int sections;		/* SEC_* asked for */
	int cpu;		/* pinned to it, or -1 */
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

/* The @q quantile (0..1) of the sorted @v[@n], interpolated. */
static double quantile(const double *v, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)pos;

	return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[n - 1];
}

/* The median of @v[@n], which stays as it is. */
static double median(const double *v, int n)
{
	double c[ROUND_SLOTS];

	memcpy(c, v, (size_t)n * sizeof(*v));
	qsort(c, (size_t)n, sizeof(*c), cmp_double);
	return quantile(c, n, 0.5);
}

static double sqrt_pos(double x)
{
	double s = x > 1 ? x : 1;
	int i;

	for (i = 0; i < 40; i++)
		s = (s + x / s) / 2;
	return s;
}

/*
 * A figure: @t[r] and its baseline's @base[r] in round r of @n. The ratio
 * is taken round by round, so what changed the machine's speed between
 * rounds cancels out; its spread says how far the figure can be trusted.
 * The confidence interval of the median is the order-statistic one:
 * ranks n/2 -+ 1.96 sqrt(n)/2.
 */
static void add_row(struct bench *b, const char *section, const char *name,
		    const double *t, const char *base_name, const double *base,
		    int n, double overhead)
{
	double q[ROUND_SLOTS], h;
	struct row *r;
	int i, lo, hi;

	h = 0.98 * sqrt_pos(n);
	lo = (int)(n / 2.0 - h);		/* 1-based ranks */
	hi = (int)(n / 2.0 + 1 + h + 0.999999);
	lo = lo < 1 ? 0 : lo - 1;		/* 0-based, in range */
	hi = hi > n ? n - 1 : hi - 1;

	if (b->nrows == MAX_ROWS || n < 1)
		return;
	r = &b->rows[b->nrows++];
	r->section = section;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->base_name, sizeof(r->base_name), "%s", base_name);
	r->ns = median(t, n);
	r->base_ns = median(base, n);
	r->overhead_ns = overhead;
	r->rounds = n;
	memcpy(q, t, (size_t)n * sizeof(*q));
	qsort(q, (size_t)n, sizeof(*q), cmp_double);
	r->ns_lo = q[lo];
	r->ns_hi = q[hi];
	for (i = 0; i < n; i++)
		q[i] = t[i] > 0 ? base[i] / t[i] : 0;
	qsort(q, (size_t)n, sizeof(*q), cmp_double);
	r->ratio_med = quantile(q, n, 0.5);
	r->ratio_p25 = quantile(q, n, 0.25);
	r->ratio_p75 = quantile(q, n, 0.75);
	r->ratio_lo = q[lo];
	r->ratio_hi = q[hi];
}

/*
 * The targets of issue 9, each judged on a row: a ratio at least @limit
 * (against the row's baseline), or a median of at most @limit ns. Met if
 * the whole confidence interval is on the right side, missed if it is all
 * on the wrong side, else unresolved (the spread is wider than the
 * margin).
 */
static const struct target {
	const char *what;
	const char *section, *name, *base;	/* the row: names start so */
	int ns;					/* 1: ns at most; 0: ratio at least */
	double limit;
} targets[] = {
	{ "steering program >= 5x cheaper than a bit-by-bit one, IPv4/TCP",
	  "bpf", "vnethash program, IPv4/TCP", NULL, 0, 5 },
	{ "steering program >= 5x cheaper than a bit-by-bit one, IPv6/TCP",
	  "bpf", "vnethash program, IPv6/TCP", NULL, 0, 5 },
	{ "GFNI at or below rte_thash_gfni, 12 B", "toeplitz", "gfni, 12 B",
	  "rte_thash_gfni", 0, 1 },
	{ "GFNI at or below rte_thash_gfni, 36 B", "toeplitz", "gfni, 36 B",
	  "rte_thash_gfni", 0, 1 },
	{ "scalar >= 8x faster than rte_softrss_be, 12 B", "toeplitz",
	  "scalar, 12 B", "rte_softrss_be", 0, 8 },
	{ "scalar >= 8x faster than rte_softrss_be, 36 B", "toeplitz",
	  "scalar, 36 B", "rte_softrss_be", 0, 8 },
	{ "whole frame <= 10 ns, IPv4/TCP", "frame",
	  "IPv4/TCP parse+hash+queue", NULL, 1, 10 },
	{ "whole frame <= 15 ns, IPv6/TCP", "frame",
	  "IPv6/TCP parse+hash+queue", NULL, 1, 15 },
	{ "tap: ours costs <= 3% of the no-program rate (ratio >= 0.97)",
	  "tap", "vnethash program", "no steering", 0, 0.97 },
};
#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

static const struct row *target_row(const struct bench *b,
				    const struct target *tg)
{
	int i;

	for (i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];

		if (!strcmp(r->section, tg->section) &&
		    !strncmp(r->name, tg->name, strlen(tg->name)) &&
		    (!tg->base ||
		     !strncmp(r->base_name, tg->base, strlen(tg->base))))
			return r;
	}
	return NULL;
}

/* A target judged on its row. */
struct judged {
	const struct target *tg;
	const struct row *r;
	double v, lo, hi;	/* the value and its interval */
	const char *verdict;	/* "met", "missed", "unresolved" */
};

/* The targets whose rows were measured, judged, into @out; how many. */
static int judge_targets(const struct bench *b, struct judged *out)
{
	size_t i;
	int n = 0;

	for (i = 0; i < N_TARGETS; i++) {
		const struct target *tg = &targets[i];
		const struct row *r = target_row(b, tg);
		struct judged *j = &out[n];

		if (!r)
			continue;
		j->tg = tg;
		j->r = r;
		j->v = tg->ns ? r->ns : r->ratio_med;
		j->lo = tg->ns ? r->ns_lo : r->ratio_lo;
		j->hi = tg->ns ? r->ns_hi : r->ratio_hi;
		if (tg->ns)
			j->verdict = j->hi <= tg->limit ? "met" :
				     j->lo > tg->limit ? "missed" : "unresolved";
		else
			j->verdict = j->lo >= tg->limit ? "met" :
				     j->hi < tg->limit ? "missed" : "unresolved";
		n++;
	}
	return n;
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
		double t[T_N][MAX_ROUNDS];
		unsigned long it = b->iters;
		char name[64], base[64];
		uint32_t want;
		int r, n = b->rounds;

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
		snprintf(name, sizeof(name), "scalar, %u B", len);
		add_row(b, "toeplitz", name, t[T_SCALAR],
			"bit-by-bit (vnh_toeplitz)", t[T_BIT], n, 0);
		if (dpdk) {
			snprintf(base, sizeof(base), "rte_softrss_be, %u B", len);
			add_row(b, "toeplitz", name, t[T_SCALAR], base,
				t[T_DPDK_SOFT], n, 0);
		}
		if (gfni) {
			snprintf(name, sizeof(name), "gfni, %u B", len);
			if (dpdk_gfni) {
				snprintf(base, sizeof(base), "rte_thash_gfni, %u B",
					 len);
				add_row(b, "toeplitz", name, t[T_GFNI], base,
					t[T_DPDK_GFNI], n, 0);
			} else {
				snprintf(base, sizeof(base), "scalar, %u B", len);
				add_row(b, "toeplitz", name, t[T_GFNI], base,
					t[T_SCALAR], n, 0);
			}
		}
		snprintf(name, sizeof(name), "vnh_toeplitz_table_hash (%s), %u B",
			 vnh_toeplitz_impl(), len);
		snprintf(base, sizeof(base), "bit-by-bit (vnh_toeplitz), %u B", len);
		add_row(b, "toeplitz", name, t[T_DISPATCH], base, t[T_BIT], n, 0);
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
		add_row(b, "frame", name, t[0], base, t[1], b->rounds, 0);
		snprintf(name, sizeof(name), "%s vnh_rss_hash_frames, %d a call",
			 frames[f].name, POOL);
		add_row(b, "frame", name, t[2], base, t[1], b->rounds, 0);
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
		double t[3][MAX_ROUNDS], net[2][MAX_ROUNDS];
		char name[64], base[64];
		__u32 rv[3] = { 0, 0, 0 };
		int r, i, k;

		for (r = 0; r < b->rounds && !ret; r++) {
			/* Every other round in the reverse order. */
			for (i = 0; i < 3; i++) {
				k = r % 2 ? 2 - i : i;
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
		/* Net of the empty program of the same round. */
		for (r = 0; r < b->rounds; r++) {
			net[0][r] = t[1][r] - t[0][r];
			net[1][r] = t[2][r] - t[0][r];
		}
		snprintf(name, sizeof(name), "vnethash program, %s, net", frames[f].name);
		snprintf(base, sizeof(base), "bit-by-bit program, %s, net",
			 frames[f].name);
		add_row(b, "bpf", name, net[1], base, net[0], b->rounds,
			median(t[0], b->rounds));
	}
	progs_free(&p);
	return ret;
}

static int tap_steer(struct tap *t, int prog_fd)
{
	return ioctl(t->fds[0], TUNSETSTEERINGEBPF, &prog_fd) ? -errno : 0;
}

/*
 * Detach queue 1 (@detach 1) or attach it again (0). With one queue
 * attached the kernel does not call tun's select_queue at all: no steering
 * of any kind. Its fd stays open, so every drain makes the same read()
 * calls (on a detached queue one that fails at once).
 */
static int tap_queue1(struct tap *t, int detach)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = detach ? IFF_DETACH_QUEUE : IFF_ATTACH_QUEUE;
	return ioctl(t->fds[1], TUNSETQUEUE, &ifr) ? -errno : 0;
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
#define TAP_CONFIGS 5

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
	static const char *const names[TAP_CONFIGS] = {
		"no steering (one queue attached)",
		"empty steering program (all to queue 0)",
		"tun's default steering (automq)",
		"bit-by-bit program", "vnethash program" };
	static double t[TAP_CONFIGS][MAX_TAP_ROUNDS];
	char name[IFNAMSIZ];
	struct tap tap;
	struct progs p;
	int fds[TAP_CONFIGS], r, i5, k, err, ret = 0, detached = 0;
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
	fds[0] = -1;
	fds[1] = p.empty;
	fds[2] = -1;
	fds[3] = bpf_program__fd(p.bw->progs.vnh_bitwise_prog);
	fds[4] = vnh_steer_prog_fd(p.steer);
	/*
	 * Round -1 warms up and is not counted. Every other round runs the
	 * five in the reverse order, so each is as often before as after
	 * its baselines; all see the same frames.
	 */
	for (r = -1; r < b->tap_rounds && !ret; r++) {
		for (i5 = 0; i5 < TAP_CONFIGS; i5++) {
			double ns;

			k = r % 2 ? TAP_CONFIGS - 1 - i5 : i5;
			err = tap_steer(&tap, fds[k]);
			if (!err && detached != (k == 0)) {
				err = tap_queue1(&tap, k == 0);
				detached = k == 0;
			}
			if (err) {
				skip(b, "tap", "TUNSETSTEERINGEBPF / TUNSETQUEUE: %s",
				     strerror(-err));
				ret = 1;
				break;
			}
			ns = tap_round(&tap, fr, b->packets);
			if (r >= 0)
				t[k][r] = ns;
			if (ns < 0) {
				skip(b, "tap", "sending through the tap: %s",
				     strerror(errno));
				ret = 1;
				break;
			}
		}
	}
	if (!ret) {
		for (k = 1; k < TAP_CONFIGS; k++)
			add_row(b, "tap", names[k], t[k], names[0], t[0],
				b->tap_rounds, 0);
		/* The program's own cost, net of running a program at all. */
		add_row(b, "tap", names[4], t[4], names[1], t[1],
			b->tap_rounds, 0);
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
	struct judged jt[N_TARGETS];
	int i, n;

	printf("{\n  \"version\": 1,\n  \"quick\": %s,\n  \"rounds\": %d,\n"
	       "  \"tap_rounds\": %d,\n  \"clock\": \"%s\",\n",
	       b->quick ? "true" : "false", b->rounds, b->tap_rounds,
	       BENCH_CLOCK_NAME);
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
	printf(", \"bpf_verified_insns\": %u, \"pinned_cpu\": ", verified);
	if (b->cpu >= 0)
		printf("%d", b->cpu);
	else
		printf("null");
	printf("},\n  \"results\": [");
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
		       "\"ratio\": %.3f, \"overhead_ns\": %.3f,\n     "
		       "\"rounds\": %d, \"ns_ci95\": [%.3f, %.3f], "
		       "\"ratio_median\": %.4f, \"ratio_p25\": %.4f, "
		       "\"ratio_p75\": %.4f, \"ratio_ci95\": [%.4f, %.4f]}",
		       r->base_ns, mpps(r->base_ns),
		       r->ns > 0 ? r->base_ns / r->ns : 0, r->overhead_ns,
		       r->rounds, r->ns_lo, r->ns_hi, r->ratio_med,
		       r->ratio_p25, r->ratio_p75, r->ratio_lo, r->ratio_hi);
	}
	printf("\n  ],\n  \"targets\": [");
	n = judge_targets(b, jt);
	for (i = 0; i < n; i++) {
		printf("%s\n    {\"target\": ", i ? "," : "");
		json_str(jt[i].tg->what);
		printf(", \"row\": ");
		json_str(jt[i].r->name);
		printf(", \"measure\": \"%s\", \"limit\": %g, "
		       "\"value\": %.4f, \"ci95\": [%.4f, %.4f], "
		       "\"verdict\": \"%s\"}",
		       jt[i].tg->ns ? "ns" : "ratio", jt[i].tg->limit, jt[i].v,
		       jt[i].lo, jt[i].hi, jt[i].verdict);
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
	struct judged jt[N_TARGETS];
	int i, n;

	printf("vnethash bench: median of %d rounds (tap: %d)%s; CPU %s, %ld CPUs, Linux %s\n",
	       b->rounds, b->tap_rounds,
	       b->quick ? " (quick: few iterations, noisy)" : "",
	       cpu, sysconf(_SC_NPROCESSORS_ONLN), u->release);
	if (b->cpu >= 0)
		printf("Pinned to CPU %d; ", b->cpu);
	printf("clock: %s\n", BENCH_CLOCK_NAME);
	printf("Toeplitz implementation in use: %s; DPDK: %s",
	       vnh_toeplitz_impl(), dpdk ? dpdk : "not built in");
	if (verified)
		printf("; steering program: %u instructions verified", verified);
	printf("\nratio = baseline ns / ns of the medians (above 1: faster than the baseline);\n"
	       "per round: the ratio of each round's pair, its median, quartiles and\n"
	       "the ~95%% confidence interval of that median\n");
	for (i = 0; i < b->nrows; i++) {
		const struct row *r = &b->rows[i];

		if (strcmp(section, r->section)) {
			section = r->section;
			printf("\n[%s]%s\n", section,
			       !strcmp(section, "bpf") ?
			       " BPF_PROG_TEST_RUN, net of an empty program" :
			       !strcmp(section, "tap") ?
			       " AF_PACKET -> multiqueue tap -> read() from its queues" : "");
			printf("%-44s %9s %8s   %-40s %9s %8s %7s  %s\n",
			       "measured", "ns/pkt", "Mpps",
			       "baseline (same run)", "ns/pkt", "Mpps", "ratio",
			       "per round: median, quartiles, 95% CI");
		}
		printf("%-44s %9.2f %8.2f   %-40s %9.2f %8.2f %6.3fx  %.3f, %.3f-%.3f, %.3f-%.3f\n",
		       r->name, r->ns, mpps(r->ns), r->base_name, r->base_ns,
		       mpps(r->base_ns), r->ns > 0 ? r->base_ns / r->ns : 0,
		       r->ratio_med, r->ratio_p25, r->ratio_p75, r->ratio_lo,
		       r->ratio_hi);
		if (r->overhead_ns > 0)
			printf("%-44s %9.2f\n", "  (empty program, subtracted)",
			       r->overhead_ns);
	}
	n = judge_targets(b, jt);
	for (i = 0; i < n; i++)
		printf("%s%-66s %s %.3f (%.3f-%.3f): %s\n",
		       i ? "" : "\n[targets of issue 9] value (95% CI): verdict\n",
		       jt[i].tg->what, jt[i].tg->ns ? "ns" : "ratio", jt[i].v,
		       jt[i].lo, jt[i].hi, jt[i].verdict);
	for (i = 0; i < b->nskips; i++)
		printf("%sskipped [%s]: %s\n", i ? "" : "\n", b->skips[i].section,
		       b->skips[i].reason);
}

/* An odd number of rounds from 1 to @max; 0 (said) if @arg is not one. */
static unsigned long parse_rounds(const char *opt, const char *arg, int max)
{
	unsigned long v;

	if (parse_uint(arg, (unsigned long)max, &v) || v == 0 || v % 2 == 0) {
		fprintf(stderr, "%s bench: %s: '%s' is not an odd number from 1 to %d\n",
			prog_name, opt, arg, max);
		return 0;
	}
	return v;
}

/* SEC_* of a comma-separated list of section names; -1 (said) if bad. */
static int parse_sections(const char *list)
{
	const char *p = list;
	int mask = 0, i;

	while (*p) {
		size_t n = strcspn(p, ",");

		for (i = 0; i < 4; i++)
			if (n == strlen(section_names[i]) &&
			    !strncmp(p, section_names[i], n))
				break;
		if (i == 4) {
			fprintf(stderr, "%s bench: --sections: unknown section '%.*s' (toeplitz, frame, bpf, tap)\n",
				prog_name, (int)n, p);
			return -1;
		}
		mask |= 1 << i;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!mask) {
		fprintf(stderr, "%s bench: --sections: no section named\n",
			prog_name);
		return -1;
	}
	return mask;
}

/*
 * Stay on the CPU we run on: no migrations between (or within) the
 * rounds. The CPU, or -1 if that cannot be done.
 */
static int pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

static const char bench_usage[] =
	"Usage: %s bench [--json] [--quick] [--rounds N] [--tap-rounds N]\n"
	"                [--sections LIST]\n\n"
	"Time every layer against a baseline from the same run: the library's\n"
	"Toeplitz (scalar, GFNI; DPDK's when built with it), whole frames,\n"
	"the steering program under BPF_PROG_TEST_RUN (root) and packets per\n"
	"second through a multiqueue tap (root). Prints medians in ns per\n"
	"packet and Mpps, each beside its baseline and the ratio; parts the\n"
	"machine does not allow are listed as skipped, with the reason.\n\n"
	"  --json        machine-readable output\n"
	"  --quick       few iterations (a smoke test; figures are noisy)\n"
	"  --rounds N    rounds per figure, odd, 1..51 (default 21, quick 3)\n"
	"  --tap-rounds N  rounds of the tap section, odd, 1..201 (default 41,\n"
	"                quick 3)\n"
	"  --sections LIST  only these, comma-separated: toeplitz, frame, bpf,\n"
	"                tap (default: all)\n"
	"  -h, --help    this text\n"
	"\n"
	"Times are CPU time of the benchmark thread, pinned to one CPU; each\n"
	"figure's ratio is taken round by round against its baseline.\n";

int bench_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "tap-rounds", required_argument, NULL, 'T' },
		{ "sections", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench *b = calloc(1, sizeof(*b));
	const char *dpdk = NULL;
	struct vnh_rss *rss = vnh_rss_new();
	int json = 0, rounds = 0, tap_rounds = 0, opt, ret = 0;
	uint32_t verified = 0;
	struct utsname u;
	char cpu[128];
	unsigned long v;
	int i;

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
		case 'T':
			v = parse_rounds(opt == 'r' ? "--rounds" : "--tap-rounds",
					 optarg, opt == 'r' ? MAX_ROUNDS :
							      MAX_TAP_ROUNDS);
			if (!v) {
				ret = EXIT_USAGE;
				goto out;
			}
			*(opt == 'r' ? &rounds : &tap_rounds) = (int)v;
			break;
		case 's':
			b->sections = parse_sections(optarg);
			if (b->sections < 0) {
				ret = EXIT_USAGE;
				goto out;
			}
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
	b->rounds = rounds ? rounds : b->quick ? 3 : 21;
	b->tap_rounds = tap_rounds ? tap_rounds : b->quick ? 3 : 41;
	if (!b->sections)
		b->sections = SEC_ALL;
	b->iters = b->quick ? 20000 : 2000000;
	b->repeat = b->quick ? 2000 : 200000;
	b->packets = b->quick ? 2000 : 20000;
	b->cpu = pin_cpu();
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

	for (i = 0; i < 4; i++)
		if (!(b->sections & (1 << i)))
			skip(b, section_names[i], "not asked for (--sections)");
	if (((b->sections & SEC_TOEPLITZ) && bench_toeplitz(b)) ||
	    ((b->sections & SEC_FRAME) && bench_frames(b, rss))) {
		ret = 1;
		goto out;
	}
#ifdef VNETHASH_HAVE_STEER
	if ((b->sections & SEC_BPF) && bench_bpf(b, rss, &verified)) {
		ret = 1;
		goto out;
	}
	if (b->sections & SEC_TAP)
		bench_tap(b, rss);
#else
	if (b->sections & SEC_BPF)
		skip(b, "bpf", "built without the eBPF steering program");
	if (b->sections & SEC_TAP)
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
