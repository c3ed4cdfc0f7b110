// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Tap plumbing shared by `vnethash verify` and `vnethash demo`. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap_util.h"
#include "tool.h"
#include "vnet_hdr_hash.h"

/* ------------------------------------------------------------------ */
/* frame lists */

void frames_init(struct frame_list *fl)
{
	memset(fl, 0, sizeof(*fl));
}

void frames_free(struct frame_list *fl)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		free(fl->data[i]);
	free(fl->data);
	free(fl->len);
	frames_init(fl);
}

int frames_add(struct frame_list *fl, const void *data, size_t len)
{
	uint8_t *copy;

	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 256;
		uint8_t **d = realloc(fl->data, cap * sizeof(*d));
		uint32_t *l;

		if (!d)
			return -ENOMEM;
		fl->data = d;
		l = realloc(fl->len, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		fl->len = l;
		fl->cap = cap;
	}
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	fl->data[fl->n] = copy;
	fl->len[fl->n] = (uint32_t)len;
	fl->n++;
	return 0;
}

int frames_load_pcap(struct frame_list *fl, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *pcap;
	int rc;

	pcap = pcap_open_offline(path, errbuf);
	if (!pcap) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, path, errbuf);
		return -1;
	}
	if (pcap_datalink(pcap) != DLT_EN10MB) {
		fprintf(stderr, "%s: %s: link type %s: a tap carries Ethernet frames; only Ethernet captures can be sent\n",
			prog_name, path,
			pcap_datalink_val_to_name(pcap_datalink(pcap)) ?: "unknown");
		pcap_close(pcap);
		return -1;
	}
	while ((rc = pcap_next_ex(pcap, &hdr, &data)) == 1) {
		if (hdr->caplen > TAP_FRAME_MAX) {
			fprintf(stderr, "%s: %s: frame %zu has %u bytes, more than %d\n",
				prog_name, path, fl->n + 1, hdr->caplen,
				TAP_FRAME_MAX);
			pcap_close(pcap);
			return -1;
		}
		if (frames_add(fl, data, hdr->caplen)) {
			fprintf(stderr, "%s: out of memory\n", prog_name);
			pcap_close(pcap);
			return -1;
		}
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, path,
			pcap_geterr(pcap));
		pcap_close(pcap);
		return -1;
	}
	pcap_close(pcap);
	return 0;
}

/* ------------------------------------------------------------------ */
/* devices */

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

int tap_private_netns(void)
{
	if (unshare(CLONE_NEWNET))
		return -errno;
	/*
	 * No IPv6 on devices created from now on: no router solicitations,
	 * MLD reports or DAD probes on the tap. (Stray frames are also
	 * recognised and ignored; this just keeps the tap quiet.) Absent
	 * without IPv6 support, which is fine.
	 */
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
	write_file("/proc/sys/net/ipv6/conf/default/accept_ra", "0");
	return 0;
}

static int read_sysfs(const char *name, const char *attr, char *buf,
		      size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

/*
 * /sys shows the network namespace of whoever mounted it: after a bare
 * unshare(CLONE_NEWNET) it still lists the old namespace's devices. Trust
 * it only if it knows @name with our ifindex; otherwise read it from a
 * child with its own mount namespace and a fresh sysfs mount (as
 * `ip netns exec` does).
 */
static int sysfs_is_ours(const char *name)
{
	char buf[32];
	unsigned int idx = if_nametoindex(name);

	return idx && !read_sysfs(name, "ifindex", buf, sizeof(buf)) &&
	       strtoul(buf, NULL, 10) == idx;
}

static int read_tun_flags_fresh_sysfs(const char *name, char *buf, size_t size)
{
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		char out[32];
		int err;

		close(pfd[0]);
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    (umount2("/sys", MNT_DETACH), 0) ||
		    mount("sysfs", "/sys", "sysfs", 0, NULL))
			_exit(100);
		err = read_sysfs(name, "tun_flags", out, sizeof(out));
		if (err)
			_exit(err == -ENOENT ? 101 : 102);
		if (write(pfd[1], out, strlen(out)) < 0)
			_exit(102);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], buf, size - 1);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status))
		return -EIO;
	if (WEXITSTATUS(status) == 101)
		return -ENOENT;
	if (WEXITSTATUS(status) || n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

int tap_read_flags(const char *name, unsigned int *flags)
{
	char buf[32];
	int err;

	if (!if_nametoindex(name))
		return -ENODEV;
	if (sysfs_is_ours(name))
		err = read_sysfs(name, "tun_flags", buf, sizeof(buf));
	else
		err = read_tun_flags_fresh_sysfs(name, buf, sizeof(buf));
	if (err == -ENOENT)
		return -ENOTTY;		/* a device, but not a tun/tap */
	if (err)
		return err;
	*flags = (unsigned int)strtoul(buf, NULL, 0);
	return 0;
}

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, req, ifr))
		err = -errno;
	close(fd);
	return err;
}

int tap_set_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int err = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr);

	if (err)
		return err;
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(name, SIOCSIFFLAGS, &ifr);
}

int tap_get_mtu(const char *name)
{
	struct ifreq ifr = { 0 };
	int err = ifreq_ioctl(name, SIOCGIFMTU, &ifr);

	return err ? err : ifr.ifr_mtu;
}

int tap_set_mtu(const char *name, int mtu)
{
	struct ifreq ifr = { 0 };

	ifr.ifr_mtu = mtu;
	return ifreq_ioctl(name, SIOCSIFMTU, &ifr);
}

static int open_queue(const char *name, unsigned int flags, int hdr_sz)
{
	struct ifreq ifr = { 0 };
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_flags = (short)flags;
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (hdr_sz && ioctl(fd, TUNSETVNETHDRSZ, &hdr_sz)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int open_packet_socket(struct tap *t)
{
	struct sockaddr_ll sll = { 0 };
	struct ifreq ifr = { 0 };
	int err, sndbuf = 4 << 20;

	err = ifreq_ioctl(t->name, SIOCGIFINDEX, &ifr);
	if (err)
		return err;
	t->ifindex = ifr.ifr_ifindex;
	/* Protocol 0: this socket only sends, it receives nothing. */
	t->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (t->pkt_fd < 0)
		return -errno;
	setsockopt(t->pkt_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0;
	sll.sll_ifindex = t->ifindex;
	if (bind(t->pkt_fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	return 0;
}

static void tap_init(struct tap *t, const char *name)
{
	int i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	for (i = 0; i < TAP_QUEUES_MAX; i++)
		t->fds[i] = -1;
	t->pkt_fd = -1;
}

int tap_create(struct tap *t, const char *name, int nq, int hdr_sz)
{
	unsigned int flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
	int i, fd, err;

	tap_init(t, name);
	if (nq < 1 || nq > TAP_QUEUES_MAX)
		return -EINVAL;
	if (hdr_sz)
		flags |= IFF_VNET_HDR;
	for (i = 0; i < nq; i++) {
		fd = open_queue(name, flags, hdr_sz);
		if (fd < 0) {
			tap_close(t);
			return fd;
		}
		t->fds[i] = fd;
		t->nq = i + 1;
	}
	t->hdr_sz = hdr_sz;
	err = tap_set_up(name);
	if (!err)
		err = open_packet_socket(t);
	if (err)
		tap_close(t);
	return err;
}

/* Queues attached to tun/tap @name (rtnetlink: right in any namespace). */
int tap_num_queues(const char *name)
{
	struct vnh_tun_info ti = { .sz = sizeof(ti) };
	int err = vnh_tun_info(name, &ti);

	if (err)
		return err;
	return ti.num_queues >= 0 ? ti.num_queues : -ENOENT;
}

#define TUN_KEEP_FLAGS (IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_ONE_QUEUE | \
			IFF_VNET_HDR | IFF_MULTI_QUEUE | IFF_NOFILTER | \
			IFF_NAPI | IFF_NAPI_FRAGS)
/* What TUNSETIFF rewrites on the first queue of an existing device. */
#define TUN_FEATURE_FLAGS (IFF_NO_PI | IFF_ONE_QUEUE | IFF_VNET_HDR | \
			   IFF_MULTI_QUEUE | IFF_NAPI | IFF_NAPI_FRAGS)

int tap_join(struct tap *t, const char *name, int nq, int hdr_sz)
{
	unsigned int flags, eff;
	struct ifreq ifr;
	int i, fd, err;

	tap_init(t, name);
	if (nq < 1 || nq > TAP_QUEUES_MAX)
		return -EINVAL;
	err = tap_read_flags(name, &flags);
	if (err)
		return err;
	/* A single-queue tap can be joined when nobody holds its queue. */
	if (!(flags & IFF_TAP) || (!(flags & IFF_MULTI_QUEUE) && nq > 1))
		return -EOPNOTSUPP;
	/* We read without packet information; refuse rather than guess.
	 * (Not from TUNGETIFF: it reports IFF_NOFILTER, the same bit.) */
	if (!(flags & IFF_NO_PI))
		return -EPROTONOSUPPORT;
	t->orig_flags = flags;
	t->joined = true;
	/*
	 * Keep the owner's flags: on the first queue of a device TUNSETIFF
	 * rewrites them. We add IFF_VNET_HDR; that only takes effect if no
	 * queue is open (tun ignores the flags of later queues), so read
	 * back what the device really does.
	 */
	flags &= TUN_KEEP_FLAGS;
	if (hdr_sz)
		flags |= IFF_VNET_HDR;
	fd = open_queue(name, flags, 0);
	if (fd < 0)
		return fd;
	t->fds[0] = fd;
	t->nq = 1;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr)) {
		err = -errno;
		goto fail;
	}
	eff = (unsigned short)ifr.ifr_flags;
	t->flags_changed = (eff & TUN_FEATURE_FLAGS) !=
			   (t->orig_flags & TUN_FEATURE_FLAGS);
	t->hdr_sz = 0;
	if (hdr_sz && (eff & IFF_VNET_HDR)) {
		/* device-wide: remember it to give it back */
		if (ioctl(fd, TUNGETVNETHDRSZ, &t->orig_hdr_sz))
			t->orig_hdr_sz = 0;
		if (t->orig_hdr_sz != hdr_sz &&
		    ioctl(fd, TUNSETVNETHDRSZ, &hdr_sz)) {
			err = -errno;
			goto fail;
		}
		t->hdr_sz = hdr_sz;
	}
	for (i = 1; i < nq; i++) {
		fd = open_queue(name, eff & TUN_KEEP_FLAGS, 0);
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		t->fds[i] = fd;
		t->nq = i + 1;
	}
	err = tap_set_up(name);
	if (!err)
		err = open_packet_socket(t);
	if (!err)
		return 0;
fail:
	tap_close(t);
	return err;
}

void tap_close(struct tap *t)
{
	int i;

	if (t->pkt_fd >= 0)
		close(t->pkt_fd);
	t->pkt_fd = -1;
	/* Give the device back as we found it. */
	if (t->joined && t->nq > 0 && t->orig_hdr_sz && t->hdr_sz &&
	    t->orig_hdr_sz != t->hdr_sz)
		ioctl(t->fds[0], TUNSETVNETHDRSZ, &t->orig_hdr_sz);
	for (i = 0; i < t->nq; i++)
		if (t->fds[i] >= 0)
			close(t->fds[i]);
	if (t->joined && t->flags_changed) {
		/* We were the first queue and changed its flags: attach once
		 * more as the first queue with the old ones. */
		int fd = open_queue(t->name, t->orig_flags & TUN_KEEP_FLAGS, 0);

		if (fd >= 0)
			close(fd);
	}
	t->nq = 0;
	t->joined = false;
}

/* ------------------------------------------------------------------ */
/* exchange */

const char *unsendable_reason(int err, size_t len)
{
	if (err == EINVAL && len < ETH_HLEN)
		return "shorter than an Ethernet header (14 bytes)";
	if (err == EINVAL)
		return "refused by the device (invalid link-layer header)";
	if (err == EMSGSIZE)
		return "longer than the device MTU allows";
	return strerror(err);
}

static uint64_t fnv1a(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h ^ len;
}

struct matcher {
	const struct frame_list *fl;
	struct frame_outcome *out;
	struct exchange_stats *st;
	int32_t *head, *next;
	uint64_t *hash;
	size_t mask;
	unsigned long matched;	/* first arrivals */
	uint8_t *buf;
	int hdr_sz;
	bool zero_is_report;
};

static int matcher_init(struct matcher *m, const struct frame_list *fl)
{
	size_t size = 16, i;

	while (size < fl->n * 2)
		size <<= 1;
	m->mask = size - 1;
	m->head = malloc(size * sizeof(*m->head));
	m->next = malloc((fl->n + 1) * sizeof(*m->next));
	m->hash = malloc((fl->n + 1) * sizeof(*m->hash));
	m->buf = malloc(TAP_FRAME_MAX + 64);
	if (!m->head || !m->next || !m->hash || !m->buf)
		return -ENOMEM;
	for (i = 0; i < size; i++)
		m->head[i] = -1;
	/* Insert backwards so that each chain lists frames in capture order. */
	for (i = fl->n; i-- > 0;) {
		size_t b;

		m->hash[i] = fnv1a(fl->data[i], fl->len[i]);
		b = m->hash[i] & m->mask;
		m->next[i] = m->head[b];
		m->head[b] = (int32_t)i;
	}
	return 0;
}

static void matcher_free(struct matcher *m)
{
	free(m->head);
	free(m->next);
	free(m->hash);
	free(m->buf);
}

static void match_arrival(struct matcher *m, int q, const uint8_t *hdr,
			  const uint8_t *frame, size_t len)
{
	uint64_t h = fnv1a(frame, len);
	int32_t i, first_rx = -1;
	struct frame_outcome *o;
	uint32_t hash;
	uint16_t report;

	for (i = m->head[h & m->mask]; i >= 0; i = m->next[i]) {
		if (m->hash[i] != h || m->fl->len[i] != len ||
		    memcmp(m->fl->data[i], frame, len))
			continue;
		if (m->out[i].state == FS_SENT)
			break;
		if (m->out[i].state == FS_RECEIVED && first_rx < 0)
			first_rx = i;
	}
	if (i < 0) {
		if (first_rx >= 0) {
			m->out[first_rx].dups++;
			m->st->duplicates++;
		} else {
			m->st->foreign++;
		}
		return;
	}
	o = &m->out[i];
	o->state = FS_RECEIVED;
	o->queue = (int16_t)q;
	switch (vnh_hdr_hash_get(hdr, (size_t)m->hdr_sz, &hash, &report)) {
	case VNH_HDR_HASH_ZERO:
		if (!m->zero_is_report)
			break;
		/* fall through */
	case VNH_HDR_HASH_SET:
		o->kernel_report = true;
		o->hash = hash;
		o->report = report;
		m->st->kernel_reports++;
		break;
	case VNH_HDR_HASH_UNTOUCHED:
		break;
	}
	m->st->received++;
	if (q < TAP_QUEUES_MAX)
		m->st->per_queue[q]++;
	m->matched++;
}

/* Reads everything queued on queue @q. Returns frames read or -errno. */
static int drain_queue(struct matcher *m, struct tap *t, int q)
{
	size_t hs = (size_t)t->hdr_sz;
	int count = 0;

	for (;;) {
		ssize_t n;

		vnh_hdr_hash_prefill(m->buf, hs);
		n = read(t->fds[q], m->buf, TAP_FRAME_MAX + 64);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return count;
			return -errno;
		}
		if ((size_t)n < hs)
			continue;
		match_arrival(m, q, m->buf, m->buf + hs, (size_t)n - hs);
		count++;
	}
}

/* Waits up to @timeout_ms for any queue to be readable; reads them all. */
static int pump(struct matcher *m, struct tap *t, int timeout_ms)
{
	struct pollfd pfd[TAP_QUEUES_MAX];
	int q, r, total = 0;

	for (q = 0; q < t->nq; q++) {
		pfd[q].fd = t->fds[q];
		pfd[q].events = POLLIN;
		pfd[q].revents = 0;
	}
	do {
		r = poll(pfd, (nfds_t)t->nq, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (q = 0; q < t->nq; q++) {
		if (pfd[q].revents & (POLLERR | POLLNVAL))
			return -EIO;
		if (pfd[q].revents & POLLIN) {
			int n = drain_queue(m, t, q);

			if (n < 0)
				return n;
			total += n;
		}
	}
	return total;
}

static long ms_since(const struct timespec *a)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - a->tv_sec) * 1000 +
	       (now.tv_nsec - a->tv_nsec) / 1000000;
}

int tap_exchange(struct tap *t, const struct frame_list *fl,
		 struct frame_outcome *out, struct exchange_stats *st,
		 const struct exchange_opts *opts)
{
	unsigned int window = opts->window ? opts->window : 64;
	int timeout = opts->timeout_ms > 0 ? opts->timeout_ms : 1000;
	unsigned long written_off = 0;
	struct matcher m = { 0 };
	struct timespec last;
	size_t i;
	int err = 0;

	memset(out, 0, fl->n * sizeof(*out));
	memset(st, 0, sizeof(*st));
	for (i = 0; i < fl->n; i++)
		out[i].queue = -1;
	m.fl = fl;
	m.out = out;
	m.st = st;
	m.hdr_sz = t->hdr_sz;
	m.zero_is_report = opts->zero_is_report;
	if (matcher_init(&m, fl)) {
		matcher_free(&m);
		return -ENOMEM;
	}
	/* Anything already queued (e.g. the kernel's own frames) is not ours. */
	err = pump(&m, t, 0);
	if (err < 0)
		goto out;
	st->foreign = 0;

	for (i = 0; i < fl->n; i++) {
		int tries = 0;

		/* Keep the tap rings (txqueuelen) from overflowing. */
		while ((long)st->sent - (long)m.matched - (long)written_off >=
		       (long)window) {
			unsigned long before = m.matched;

			err = pump(&m, t, timeout);
			if (err < 0)
				goto out;
			if (m.matched == before) {
				/* Nothing came: count what is out as lost
				 * for pacing (they may still arrive). */
				written_off = st->sent - m.matched;
			}
		}
		for (;;) {
			ssize_t n = send(t->pkt_fd, fl->data[i], fl->len[i], 0);

			if (n >= 0)
				break;
			if (errno == EINTR)
				continue;
			if ((errno == ENOBUFS || errno == EAGAIN) && tries++ < 100) {
				err = pump(&m, t, 10);
				if (err < 0)
					goto out;
				continue;
			}
			if (errno == EINVAL || errno == EMSGSIZE) {
				out[i].state = FS_UNSENDABLE;
				out[i].err = errno;
				st->unsendable++;
				break;
			}
			err = -errno;
			goto out;
		}
		if (out[i].state != FS_UNSENDABLE) {
			out[i].state = FS_SENT;
			st->sent++;
		}
		if (opts->hook)
			opts->hook(opts->hook_arg, i);
		err = pump(&m, t, 0);
		if (err < 0)
			goto out;
	}

	/* Stragglers: wait until all arrived or nothing came for @timeout. */
	clock_gettime(CLOCK_MONOTONIC, &last);
	while (m.matched < st->sent) {
		unsigned long before = m.matched;
		long left = timeout - ms_since(&last);

		if (left <= 0)
			break;
		err = pump(&m, t, (int)left);
		if (err < 0)
			goto out;
		if (m.matched != before)
			clock_gettime(CLOCK_MONOTONIC, &last);
	}
	/* A short grace period to catch duplicates right behind the rest. */
	err = pump(&m, t, 20);
	if (err < 0)
		goto out;
	err = 0;
	st->lost = st->sent - m.matched;
out:
	matcher_free(&m);
	return err;
}
