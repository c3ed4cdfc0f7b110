// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vhost-rx-vmm - the receive path of a virtio-net device with RSS and hash
 * reporting, on a multiqueue tap with one vhost_net instance per queue pair:
 * what a VMM does, in order, with nothing else around it.
 *
 * The "guest" is this process: its virtqueues (split rings) and receive
 * buffers live in one anonymous mapping that stands in for guest memory.
 * vhost_net fills the buffers; the program prints what a guest driver
 * would find in them, one JSON object per line on stdout:
 *
 *   {"q":1,"len":74,"nbuf":1,"hash_value":"0x51ccc178","hash_report":2,
 *    "hdr":"<the vnet header, hex>","frame":"<the frame, hex>"}
 *
 * Integration steps (each is a function below, called from main() in this
 * order):
 *
 *   1. guest memory: rings and buffers in memory the VMM owns  (mem_setup)
 *   2. the tap: one queue fd per queue pair, IFF_VNET_HDR,
 *      TUNSETVNETHDRSZ = the header size the guest negotiated  (tap_open)
 *   3. one /dev/vhost-net per queue pair: SET_OWNER, GET_FEATURES,
 *      SET_FEATURES (VERSION_1 | MRG_RXBUF | HASH_REPORT), SET_MEM_TABLE,
 *      per ring NUM/BASE/ADDR/KICK/CALL/ERR, then NET_SET_BACKEND  (vhost_setup)
 *   4. the steering program: vnh_steer_attach() on any queue fd, with the
 *      configuration the guest asked for (VIRTIO_NET_CTRL_MQ_RSS_CONFIG
 *      goes through vnh_ctrl_rss_config(), then vnh_steer_update())  (steer_setup)
 *   5. the guest side: post receive buffers, kick, and on each call
 *      eventfd read the used ring  (rx_refill, rx_drain)
 *
 * Usage:
 *   vhost-rx-vmm --tap NAME [--pairs N] [--vnet-hdr 20|12] [options]
 *
 *   --tap NAME        tap device (created if missing; joined with its
 *                     owner's flags otherwise)
 *   --pairs N         queue pairs (1..16), default 1
 *   --vnet-hdr 20|12  20: negotiate VIRTIO_NET_F_HASH_REPORT (needs a
 *                     kernel whose vhost_net offers it); 12: without
 *   --tap-hdr N       TUNSETVNETHDRSZ N instead of the negotiated size
 *                     (to see what a mismatch does: nothing arrives)
 *   --vhost-hdr       VHOST_NET_F_VIRTIO_NET_HDR: vhost writes the header,
 *                     the tap has none (no IFF_VNET_HDR)
 *   --no-attach       leave the tap's steering program alone (e.g. one
 *                     that `vnethash attach` set up)
 *   --pin DIR         pin the program under DIR (`vnethash set/show/detach
 *                     DEV` use /sys/fs/bpf/vnethash/DEV); unpinned on exit
 *   --mechanism M     how the kernel learns the hash (vnh_steer_opts
 *                     .mechanism): auto (default), kfunc, progtype (the
 *                     comparison patches 0020-0023) or steer (no report);
 *                     one the kernel lacks: exit 77
 *   --queues N, --table-size T, --types LIST, --key HEX, --unclassified Q
 *                     the RSS configuration to attach (default: all types,
 *                     the default key, N = pairs, T = 128, queue 0)
 *   --ring N          descriptors per ring (power of two, default 256)
 *   --buf N           bytes per receive buffer (default 2048; smaller
 *                     buffers make vhost merge several per frame)
 *   --no-frames       do not print frames (counters only)
 *   --check-features  only try VHOST_SET_FEATURES combinations and print
 *                     what the kernel says, as JSON; then exit
 *
 * Commands on stdin, one per line (a VMM gets these from its management
 * interface or from the guest's control queue); each is answered with one
 * JSON line {"cmd":...,"ok":true|false,...}:
 *
 *   stats               per-queue counters, held buffers, the tap's drops
 *   refill on|off       stop/resume giving buffers back (a guest that stops
 *                       refilling its ring); "on" returns all held buffers
 *   tap-hdr N           TUNSETVNETHDRSZ N on every queue while vhost runs
 *   ctrl-rss HEX        a VIRTIO_NET_CTRL_MQ_RSS_CONFIG payload from the
 *                       guest: validated, then the program is updated
 *   ctrl-hash HEX       a VIRTIO_NET_CTRL_MQ_HASH_CONFIG payload (hash
 *                       reporting without RSS: types and key)
 *   detach              remove the steering program (tun steers by itself)
 *   quit                tear down and exit (also on end of input)
 *
 * On start it prints {"ready":true,...,"mechanism":"kfunc"} once everything
 * is set up (the mechanism in use; null with --no-attach). Exit 0
 * on a clean quit, 1 on errors, 2 on bad usage, 77 if the kernel lacks what
 * was asked for (e.g. --vnet-hdr 20 without the vhost_net feature).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include <vnethash.h>
#include <vnethash_steer.h>

#define MAX_PAIRS	16
#define VQ_RX		0	/* vhost_net's ring indexes */
#define VQ_TX		1

/* Feature bits (the UAPI headers of older systems may lack some). */
#define F(bit)		(1ULL << (bit))
#define FEAT_VERSION_1	F(32)		/* VIRTIO_F_VERSION_1 */
#define FEAT_MRG_RXBUF	F(15)		/* VIRTIO_NET_F_MRG_RXBUF */
#define FEAT_HASH_REPORT F(57)		/* VIRTIO_NET_F_HASH_REPORT */
#define FEAT_VHOST_HDR	F(27)		/* VHOST_NET_F_VIRTIO_NET_HDR */

/* One split virtqueue, as a guest driver sees it. */
struct vq {
	unsigned int num;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx;	/* next avail->idx to publish */
	uint16_t last_used;	/* next used entry to read */
	int kick;		/* eventfd: guest -> vhost ("new buffers") */
	int call;		/* eventfd: vhost -> guest ("used buffers") */
	int err;		/* eventfd: vhost reports a ring error */
	uint8_t *bufs;		/* RX: num buffers of buf_size bytes */
	uint64_t bufs_gpa;
};

struct pair {
	int tap;		/* tap queue fd */
	int vhost;		/* /dev/vhost-net fd */
	struct vq rx, tx;
	uint16_t held[1024];	/* used RX buffers not yet given back */
	unsigned int nheld;
	uint64_t frames, bytes, multi, errors;
};

static struct {
	const char *tap_name;
	unsigned int pairs, ring, buf_size;
	int vnet_hdr;		/* 12 or 20: the negotiated header size */
	int tap_hdr;		/* TUNSETVNETHDRSZ; -1: = vnet_hdr */
	bool vhost_hdr, attach, print_frames, check_features, refill;
	const char *pin;
	int mechanism;		/* enum vnh_steer_mechanism */
	const char *mech_used;	/* its name once attached, else NULL */
	unsigned int queues, table_size, unclassified;
	uint32_t types;
	uint8_t key[VNH_KEY_SIZE_MAX];
	size_t key_len;

	uint8_t *mem;		/* "guest memory" */
	size_t mem_size;
	uint64_t features;
	struct pair p[MAX_PAIRS];
	struct vnh_rss *rss;
	struct vnh_steer *steer;
	bool pinned;
} vmm = {
	.pairs = 1, .ring = 256, .buf_size = 2048, .vnet_hdr = 20,
	.tap_hdr = -1, .attach = true, .print_frames = true, .refill = true,
	.table_size = 128, .types = VNH_HASH_TYPE_ALL,
};

static void die(const char *what, int err)
{
	fprintf(stderr, "vhost-rx-vmm: %s: %s\n", what, strerror(err));
	exit(err == EOPNOTSUPP || err == ENOENT ? 77 : 1);
}

static uint64_t gpa(const void *p)	/* guest physical address */
{
	return (uint64_t)((const uint8_t *)p - vmm.mem);
}

static void *align_up(void *p, size_t a)
{
	return (void *)(((uintptr_t)p + a - 1) & ~(uintptr_t)(a - 1));
}

/* ---- 1. guest memory ------------------------------------------------------ */

static uint8_t *carve_vq(uint8_t *p, struct vq *q, unsigned int num)
{
	/* The split ring layout (virtio 1.x 2.7): descriptor table aligned
	 * to 16, available ring to 2, used ring to 4. */
	q->num = num;
	q->desc = align_up(p, 16);
	p = (uint8_t *)(q->desc + num);
	q->avail = align_up(p, 2);
	p = (uint8_t *)q->avail + sizeof(*q->avail) + 2 * num + 2;
	q->used = align_up(p, 4);
	p = (uint8_t *)q->used + sizeof(*q->used) +
	    sizeof(struct vring_used_elem) * num + 2;
	return align_up(p, 64);
}

static void mem_setup(void)
{
	size_t ring = 16 * vmm.ring + 6 + 2 * vmm.ring + 6 +
		      8 * vmm.ring + 64 * 4;
	uint8_t *p;

	vmm.mem_size = vmm.pairs * (2 * ring + (size_t)vmm.ring * vmm.buf_size);
	vmm.mem_size = (vmm.mem_size + 4095) & ~(size_t)4095;
	vmm.mem = mmap(NULL, vmm.mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (vmm.mem == MAP_FAILED)
		die("mmap guest memory", errno);
	p = vmm.mem;
	for (unsigned int i = 0; i < vmm.pairs; i++) {
		struct pair *pr = &vmm.p[i];

		p = carve_vq(p, &pr->rx, vmm.ring);
		p = carve_vq(p, &pr->tx, vmm.ring);
		pr->rx.bufs = p;
		pr->rx.bufs_gpa = gpa(p);
		p += (size_t)vmm.ring * vmm.buf_size;
	}
}

/* ---- 2. the tap ------------------------------------------------------------ */

static void tap_set_hdr(int fd, int sz)
{
	/* tun writes this many header bytes before each frame. It must equal
	 * what vhost_net expects (12, or 20 with HASH_REPORT): a frame that
	 * comes with another size is dropped by vhost_net, never delivered. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &sz))
		die("TUNSETVNETHDRSZ", errno);
}

static int tap_open(unsigned int i)
{
	struct ifreq ifr = { 0 };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/net/tun", errno);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", vmm.tap_name);
	/* One queue fd per queue pair; IFF_VNET_HDR unless vhost writes the
	 * header itself (VHOST_NET_F_VIRTIO_NET_HDR). */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
	if (!vmm.vhost_hdr)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr))
		die("TUNSETIFF (multiqueue tap)", errno);
	if (!vmm.vhost_hdr && i == 0)	/* device-wide setting */
		tap_set_hdr(fd, vmm.tap_hdr >= 0 ? vmm.tap_hdr : vmm.vnet_hdr);
	return fd;
}

static void tap_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	/* Usually the management layer does this; here so that the example
	 * runs alone. */
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", vmm.tap_name);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		die("SIOCGIFFLAGS", errno);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		die("SIOCSIFFLAGS", errno);
	close(s);
}

/* ---- 3. vhost_net ----------------------------------------------------------- */

static void vh(int fd, unsigned long req, const void *arg, const char *name)
{
	if (ioctl(fd, req, arg))
		die(name, errno);
}

static uint64_t wanted_features(uint64_t offered)
{
	uint64_t want = FEAT_VERSION_1 | FEAT_MRG_RXBUF;

	if (!(offered & FEAT_VERSION_1) || !(offered & FEAT_MRG_RXBUF))
		die("vhost_net offers no VERSION_1 / MRG_RXBUF", EOPNOTSUPP);
	/* The guest's header is 20 bytes (virtio_net_hdr_v1_hash) exactly
	 * when HASH_REPORT is negotiated. Offer it to the guest only if
	 * vhost_net carries it (VHOST_GET_FEATURES) and the kernel reports
	 * hashes (see vnh_steer_info.reports). */
	if (vmm.vnet_hdr == 20) {
		if (!(offered & FEAT_HASH_REPORT))
			die("vhost_net does not offer VIRTIO_NET_F_HASH_REPORT",
			    EOPNOTSUPP);
		want |= FEAT_HASH_REPORT;
	}
	if (vmm.vhost_hdr)
		want |= FEAT_VHOST_HDR;
	return want;
}

static void vring_setup(struct pair *pr, unsigned int idx, struct vq *q)
{
	struct vhost_vring_state num = { .index = idx, .num = q->num };
	struct vhost_vring_state base = { .index = idx, .num = 0 };
	struct vhost_vring_addr addr = {
		.index = idx,
		/* vhost takes the rings' addresses in the VMM's own address
		 * space, and translates the descriptors' guest physical
		 * addresses through the memory table. */
		.desc_user_addr = (uintptr_t)q->desc,
		.avail_user_addr = (uintptr_t)q->avail,
		.used_user_addr = (uintptr_t)q->used,
	};
	struct vhost_vring_file f = { .index = idx };

	vh(pr->vhost, VHOST_SET_VRING_NUM, &num, "VHOST_SET_VRING_NUM");
	vh(pr->vhost, VHOST_SET_VRING_BASE, &base, "VHOST_SET_VRING_BASE");
	vh(pr->vhost, VHOST_SET_VRING_ADDR, &addr, "VHOST_SET_VRING_ADDR");
	q->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->err = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick < 0 || q->call < 0 || q->err < 0)
		die("eventfd", errno);
	f.fd = q->kick;
	vh(pr->vhost, VHOST_SET_VRING_KICK, &f, "VHOST_SET_VRING_KICK");
	f.fd = q->call;
	vh(pr->vhost, VHOST_SET_VRING_CALL, &f, "VHOST_SET_VRING_CALL");
	f.fd = q->err;
	vh(pr->vhost, VHOST_SET_VRING_ERR, &f, "VHOST_SET_VRING_ERR");
}

static void vhost_setup(struct pair *pr)
{
	struct {
		struct vhost_memory m;
		struct vhost_memory_region r;
	} mem = { .m.nregions = 1 };
	struct vhost_vring_file backend;
	uint64_t offered;

	pr->vhost = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
	if (pr->vhost < 0)
		die("open /dev/vhost-net", errno);
	vh(pr->vhost, VHOST_SET_OWNER, NULL, "VHOST_SET_OWNER");
	vh(pr->vhost, VHOST_GET_FEATURES, &offered, "VHOST_GET_FEATURES");
	vmm.features = wanted_features(offered);
	vh(pr->vhost, VHOST_SET_FEATURES, &vmm.features, "VHOST_SET_FEATURES");

	/* All of "guest memory" as one region at guest physical address 0. */
	mem.m.regions[0].guest_phys_addr = 0;
	mem.m.regions[0].memory_size = vmm.mem_size;
	mem.m.regions[0].userspace_addr = (uintptr_t)vmm.mem;
	vh(pr->vhost, VHOST_SET_MEM_TABLE, &mem, "VHOST_SET_MEM_TABLE");

	vring_setup(pr, VQ_RX, &pr->rx);
	vring_setup(pr, VQ_TX, &pr->tx);

	/* Last: the backend. From here on vhost moves packets between the
	 * tap queue and the rings. Both rings use the same tap queue. */
	backend.fd = pr->tap;
	backend.index = VQ_RX;
	vh(pr->vhost, VHOST_NET_SET_BACKEND, &backend, "VHOST_NET_SET_BACKEND rx");
	backend.index = VQ_TX;
	vh(pr->vhost, VHOST_NET_SET_BACKEND, &backend, "VHOST_NET_SET_BACKEND tx");
}

/* What VHOST_SET_FEATURES accepts, printed as JSON (--check-features). */
static int check_features(void)
{
	static const struct { const char *name; uint64_t f; } c[] = {
		{ "version_1+mrg_rxbuf", FEAT_VERSION_1 | FEAT_MRG_RXBUF },
		{ "version_1+mrg_rxbuf+hash_report",
		  FEAT_VERSION_1 | FEAT_MRG_RXBUF | FEAT_HASH_REPORT },
		{ "version_1+hash_report", FEAT_VERSION_1 | FEAT_HASH_REPORT },
		{ "hash_report", FEAT_HASH_REPORT },
		{ "mrg_rxbuf+hash_report", FEAT_MRG_RXBUF | FEAT_HASH_REPORT },
		{ "version_1+mrg_rxbuf+hash_report+vhost_hdr",
		  FEAT_VERSION_1 | FEAT_MRG_RXBUF | FEAT_HASH_REPORT |
		  FEAT_VHOST_HDR },
	};
	uint64_t offered;
	int fd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/vhost-net", errno);
	vh(fd, VHOST_SET_OWNER, NULL, "VHOST_SET_OWNER");
	vh(fd, VHOST_GET_FEATURES, &offered, "VHOST_GET_FEATURES");
	printf("{\"offered\":\"0x%" PRIx64 "\",\"hash_report_offered\":%s",
	       offered, offered & FEAT_HASH_REPORT ? "true" : "false");
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint64_t f = c[i].f;
		int rc = ioctl(fd, VHOST_SET_FEATURES, &f) ? -errno : 0;

		printf(",\"%s\":%d", c[i].name, rc);
	}
	printf("}\n");
	close(fd);
	return 0;
}

/* ---- 4. the steering program ------------------------------------------------- */

static void steer_setup(void)
{
	struct vnh_steer_opts opts = {
		.sz = sizeof(opts),
		.max_queues = vmm.pairs,	/* refuse tables naming more */
		.mechanism = vmm.mechanism,
	};
	struct vnh_steer_info info = { .sz = sizeof(info) };
	int err;

	vmm.rss = vnh_rss_new();
	if (!vmm.rss)
		die("vnh_rss_new", ENOMEM);
	if ((err = vnh_rss_set_spread(vmm.rss, vmm.queues, vmm.table_size)) ||
	    (err = vnh_rss_set_hash_types(vmm.rss, vmm.types)) ||
	    (err = vnh_rss_set_unclassified(vmm.rss, vmm.unclassified)) ||
	    (vmm.key_len &&
	     (err = vnh_rss_set_key(vmm.rss, vmm.key, vmm.key_len))))
		die("RSS configuration", -err);
	if (!vmm.attach)
		return;
	/* Any queue fd names the device; the program is per device. */
	err = vnh_steer_attach(vmm.p[0].tap, vmm.rss, &opts, &vmm.steer);
	if (err)
		die("vnh_steer_attach", -err);
	if (vmm.pin) {
		err = vnh_steer_pin(vmm.steer, vmm.pin);
		if (err)
			die("vnh_steer_pin", -err);
		vmm.pinned = true;
	}
	/* info.reports: the program reports hashes on this kernel (through
	 * the kfunc or the program type: info.mechanism). A VMM offers
	 * VIRTIO_NET_F_HASH_REPORT to its guest only if it is 1. */
	if (!vnh_steer_get_config(vmm.steer, NULL, &info)) {
		vmm.mech_used = vnh_steer_mechanism_name(info.mechanism);
		fprintf(stderr, "vhost-rx-vmm: steering program %u attached, mechanism %s: %s\n",
			info.prog_id, vnh_steer_mechanism_name(info.mechanism) ?
			vnh_steer_mechanism_name(info.mechanism) : "unknown",
			info.reports == 1 ? "steering + hash report" :
			"steering only (no hash report)");
	}
}

/* ---- 5. the guest side: receive buffers and the used ring ---------------------- */

static void post_rx(struct pair *pr, uint16_t id)
{
	struct vq *q = &pr->rx;
	uint8_t *buf = q->bufs + (size_t)id * vmm.buf_size;

	/* Poison the header area, so that a header byte nobody wrote shows. */
	memset(buf, 0xa5, 24);
	q->desc[id].addr = q->bufs_gpa + (uint64_t)id * vmm.buf_size;
	q->desc[id].len = vmm.buf_size;
	q->desc[id].flags = VRING_DESC_F_WRITE;
	q->desc[id].next = 0;
	q->avail->ring[q->avail_idx % q->num] = id;
	q->avail_idx++;
}

static void publish_and_kick(struct vq *q)
{
	uint64_t one = 1;

	/* The ring entries before the index: a release store. */
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* vhost sets NO_NOTIFY while it is polling the ring anyway. */
	if (!(__atomic_load_n(&q->used->flags, __ATOMIC_ACQUIRE) &
	      VRING_USED_F_NO_NOTIFY))
		if (write(q->kick, &one, sizeof(one)) != sizeof(one))
			die("kick", errno);
}

static void rx_refill_all(struct pair *pr)
{
	for (unsigned int i = 0; i < pr->nheld; i++)
		post_rx(pr, pr->held[i]);
	pr->nheld = 0;
	publish_and_kick(&pr->rx);
}

static void hex(const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		putchar(d[p[i] >> 4]);
		putchar(d[p[i] & 15]);
	}
}

static size_t hdr_size(void)
{
	return vmm.features & FEAT_HASH_REPORT ?
	       sizeof(struct virtio_net_hdr_v1_hash) :
	       sizeof(struct virtio_net_hdr_mrg_rxbuf);
}

/* One frame: @n used entries from @first on (n = num_buffers). */
static void rx_frame(struct pair *pr, unsigned int qi, uint16_t first,
		     unsigned int n)
{
	struct vq *q = &pr->rx;
	static uint8_t frame[65536 + 64];
	size_t len = 0, hlen = hdr_size();
	uint8_t hdr[24];

	for (unsigned int k = 0; k < n; k++) {
		struct vring_used_elem *e = &q->used->ring[(uint16_t)(first + k) % q->num];
		uint16_t id = (uint16_t)e->id;
		uint32_t l = e->len;

		if (id >= q->num || l > vmm.buf_size || len + l > sizeof(frame)) {
			pr->errors++;
			continue;
		}
		memcpy(frame + len, q->bufs + (size_t)id * vmm.buf_size, l);
		len += l;
		pr->held[pr->nheld++] = id;
	}
	if (len < hlen) {
		pr->errors++;
		return;
	}
	memcpy(hdr, frame, hlen);
	pr->frames++;
	pr->bytes += len - hlen;
	pr->multi += n > 1;
	if (!vmm.print_frames)
		return;
	{
		const struct virtio_net_hdr_v1_hash *h = (const void *)hdr;
		/* Hash fields exist only with the 20-byte header. */
		printf("{\"q\":%u,\"len\":%zu,\"nbuf\":%u", qi, len - hlen,
		       (unsigned int)le16toh(h->hdr.num_buffers));
		if (hlen >= 20)
			printf(",\"hash_value\":\"0x%08x\",\"hash_report\":%u",
			       le32toh(h->hash_value), le16toh(h->hash_report));
		printf(",\"hdr\":\"");
		hex(hdr, hlen);
		printf("\",\"frame\":\"");
		hex(frame + hlen, len - hlen);
		printf("\"}\n");
	}
}

static void rx_drain(struct pair *pr, unsigned int qi)
{
	struct vq *q = &pr->rx;
	uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);

	while (q->last_used != used) {
		struct vring_used_elem *e = &q->used->ring[q->last_used % q->num];
		const struct virtio_net_hdr_mrg_rxbuf *h;
		unsigned int n = 1;

		/* With MRG_RXBUF a frame spans num_buffers used entries,
		 * published together; its first buffer holds the header. */
		if (e->id < q->num) {
			h = (const void *)(q->bufs + (size_t)e->id * vmm.buf_size);
			n = le16toh(h->num_buffers);
		}
		if (n == 0 || n > (uint16_t)(used - q->last_used)) {
			pr->errors++;
			n = 1;
		}
		rx_frame(pr, qi, q->last_used, n);
		q->last_used += n;
	}
	if (vmm.refill && pr->nheld)
		rx_refill_all(pr);
}

/* ---- commands ------------------------------------------------------------------------ */

static long tap_dropped(void)
{
	char path[128], buf[32];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_dropped",
		 vmm.tap_name);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static int unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

static void cmd_ctrl(const char *what, const char *arg)
{
	/* The guest's control command: validated against what the device
	 * announced, applied to a copy, and only then to the program. */
	struct vnh_device_limits lim = {
		.sz = sizeof(lim), .max_queue_pairs = (uint16_t)vmm.pairs,
		.max_table_len = 128, .max_key_size = VNH_KEY_SIZE_MAX,
		.supported_hash_types = VNH_HASH_TYPE_ALL,
	};
	struct vnh_ctrl_status st = { 0 };
	static uint8_t payload[4096];
	int n = unhex(arg, payload, sizeof(payload)), err;

	if (n < 0) {
		printf("{\"cmd\":\"%s\",\"ok\":false,\"error\":\"bad hex\"}\n", what);
		return;
	}
	if (!strcmp(what, "ctrl-rss"))
		err = vnh_ctrl_rss_config(vmm.rss, payload, (size_t)n, &lim,
					  NULL, &st);
	else
		err = vnh_ctrl_hash_config(vmm.rss, payload, (size_t)n, &lim,
					   &st);
	/*
	 * HASH_CONFIG is hash reporting without RSS (the guest did not
	 * negotiate VIRTIO_NET_F_RSS): the guest chose the hash types and
	 * key, not the queues. The device steers by flow then; here the
	 * program keeps doing it, from the same hash: a table spread over the
	 * active queue pairs (entry i = i % pairs), unclassified packets to
	 * queue 0. Every packet of a flow lands on one queue, as with tun's
	 * own steering, and the reported hash is the one that chose it.
	 */
	if (!err && strcmp(what, "ctrl-rss") &&
	    (vnh_rss_set_spread(vmm.rss, vmm.pairs, 128) ||
	     vnh_rss_set_unclassified(vmm.rss, 0)))
		err = -EINVAL;
	if (err) {	/* the guest gets VIRTIO_NET_ERR; nothing changed */
		printf("{\"cmd\":\"%s\",\"ok\":false,\"error\":\"%s\"}\n",
		       what, st.msg);
		return;
	}
	err = vmm.steer ? vnh_steer_update(vmm.steer, vmm.rss) : -ENOENT;
	printf("{\"cmd\":\"%s\",\"ok\":%s,\"err\":%d}\n", what,
	       err ? "false" : "true", err);
}

static bool command(char *line)
{
	char *arg = strchr(line, ' ');

	line[strcspn(line, "\r\n")] = 0;
	if (arg)
		*arg++ = 0;
	if (!strcmp(line, "quit"))
		return false;
	if (!strcmp(line, "stats")) {
		uint64_t total = 0;

		printf("{\"cmd\":\"stats\",\"ok\":true,\"queues\":[");
		for (unsigned int i = 0; i < vmm.pairs; i++) {
			struct pair *pr = &vmm.p[i];

			total += pr->frames;
			printf("%s{\"frames\":%" PRIu64 ",\"multi\":%" PRIu64
			       ",\"held\":%u,\"errors\":%" PRIu64 "}",
			       i ? "," : "", pr->frames, pr->multi, pr->nheld,
			       pr->errors);
		}
		printf("],\"frames\":%" PRIu64 ",\"tap_tx_dropped\":%ld}\n",
		       total, tap_dropped());
	} else if (!strcmp(line, "refill") && arg &&
		   (!strcmp(arg, "on") || !strcmp(arg, "off"))) {
		vmm.refill = !strcmp(arg, "on");
		for (unsigned int i = 0; vmm.refill && i < vmm.pairs; i++) {
			rx_drain(&vmm.p[i], i);
			rx_refill_all(&vmm.p[i]);
		}
		printf("{\"cmd\":\"refill\",\"ok\":true}\n");
	} else if (!strcmp(line, "tap-hdr") && arg) {
		int sz = atoi(arg);
		int rc = ioctl(vmm.p[0].tap, TUNSETVNETHDRSZ, &sz) ? -errno : 0;

		printf("{\"cmd\":\"tap-hdr\",\"ok\":%s,\"err\":%d}\n",
		       rc ? "false" : "true", rc);
	} else if ((!strcmp(line, "ctrl-rss") || !strcmp(line, "ctrl-hash")) &&
		   arg) {
		cmd_ctrl(line, arg);
	} else if (!strcmp(line, "detach")) {
		int rc = vnh_steer_detach(vmm.p[0].tap);

		printf("{\"cmd\":\"detach\",\"ok\":%s,\"err\":%d}\n",
		       rc ? "false" : "true", rc);
	} else {
		printf("{\"cmd\":\"%s\",\"ok\":false,\"error\":\"unknown command\"}\n",
		       line);
	}
	return true;
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: vhost-rx-vmm --tap NAME [--pairs N] [--vnet-hdr 20|12] "
		"[--tap-hdr N] [--vhost-hdr] [--no-attach] [--pin DIR] [--mechanism M] [--queues N] "
		"[--table-size T] [--types LIST] [--key HEX] [--unclassified Q] "
		"[--ring N] [--buf N] [--no-frames] [--check-features]\n"
		"(the comment at the top of examples/vhost-rx-vmm.c is the manual)\n");
	exit(2);
}

static unsigned int num_arg(const char *opt, const char *s, unsigned int lo,
			    unsigned int hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || v < lo || v > hi) {
		fprintf(stderr, "vhost-rx-vmm: %s: '%s' is not a number in %u..%u\n",
			opt, s, lo, hi);
		exit(2);
	}
	return (unsigned int)v;
}

static void parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool val = true;

		if (!strcmp(o, "--vhost-hdr"))
			vmm.vhost_hdr = true, val = false;
		else if (!strcmp(o, "--no-attach"))
			vmm.attach = false, val = false;
		else if (!strcmp(o, "--no-frames"))
			vmm.print_frames = false, val = false;
		else if (!strcmp(o, "--check-features"))
			vmm.check_features = true, val = false;
		else if (!v)
			usage();
		else if (!strcmp(o, "--tap"))
			vmm.tap_name = v;
		else if (!strcmp(o, "--pairs"))
			vmm.pairs = num_arg(o, v, 1, MAX_PAIRS);
		else if (!strcmp(o, "--vnet-hdr")) {
			vmm.vnet_hdr = (int)num_arg(o, v, 12, 20);
			if (vmm.vnet_hdr != 12 && vmm.vnet_hdr != 20)
				usage();
		} else if (!strcmp(o, "--tap-hdr"))
			vmm.tap_hdr = (int)num_arg(o, v, 10, 64);
		else if (!strcmp(o, "--pin"))
			vmm.pin = v;
		else if (!strcmp(o, "--mechanism")) {
			vmm.mechanism = -1;
			for (int m = VNH_STEER_MECH_AUTO; m <= VNH_STEER_MECH_STEER; m++)
				if (!strcmp(v, vnh_steer_mechanism_name(m)))
					vmm.mechanism = m;
			if (vmm.mechanism < 0) {
				fprintf(stderr, "vhost-rx-vmm: --mechanism '%s': need auto, kfunc, progtype or steer\n",
					v);
				exit(2);
			}
		}
		else if (!strcmp(o, "--queues"))
			vmm.queues = num_arg(o, v, 1, MAX_PAIRS);
		else if (!strcmp(o, "--table-size"))
			vmm.table_size = num_arg(o, v, 1, VNH_TABLE_LEN_MAX);
		else if (!strcmp(o, "--unclassified"))
			vmm.unclassified = num_arg(o, v, 0, MAX_PAIRS - 1);
		else if (!strcmp(o, "--ring"))
			vmm.ring = num_arg(o, v, 2, 1024);
		else if (!strcmp(o, "--buf"))
			vmm.buf_size = num_arg(o, v, 64, 65536);
		else if (!strcmp(o, "--types")) {
			const char *bad = NULL;

			if (vnh_parse_hash_types(v, &vmm.types, &bad)) {
				fprintf(stderr, "vhost-rx-vmm: --types: unknown type '%s'\n",
					bad ? bad : v);
				exit(2);
			}
		} else if (!strcmp(o, "--key")) {
			int n = unhex(v, vmm.key, sizeof(vmm.key));

			if (n <= 0) {
				fprintf(stderr, "vhost-rx-vmm: --key: 1 to 40 bytes in hex\n");
				exit(2);
			}
			vmm.key_len = (size_t)n;
		} else
			usage();
		i += val;
	}
	if (!vmm.check_features && !vmm.tap_name)
		usage();
	if (vmm.ring & (vmm.ring - 1)) {
		fprintf(stderr, "vhost-rx-vmm: --ring must be a power of two\n");
		exit(2);
	}
	if (!vmm.queues)
		vmm.queues = vmm.pairs;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[2 * MAX_PAIRS + 1];
	char line[8192];
	bool run = true;
	int rc = 0;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (vmm.check_features)
		return check_features();

	mem_setup();					/* 1 */
	for (unsigned int i = 0; i < vmm.pairs; i++)	/* 2 */
		vmm.p[i].tap = tap_open(i);
	for (unsigned int i = 0; i < vmm.pairs; i++)	/* 3 */
		vhost_setup(&vmm.p[i]);
	steer_setup();					/* 4 */
	for (unsigned int i = 0; i < vmm.pairs; i++) {	/* 5 */
		for (unsigned int d = 0; d < vmm.ring; d++)
			vmm.p[i].held[vmm.p[i].nheld++] = (uint16_t)d;
		rx_refill_all(&vmm.p[i]);
	}
	tap_up();
	printf("{\"ready\":true,\"pairs\":%u,\"features\":\"0x%" PRIx64
	       "\",\"hdr\":%zu,\"hash_report\":%s,\"mechanism\":%s%s%s}\n",
	       vmm.pairs, vmm.features, hdr_size(),
	       vmm.features & FEAT_HASH_REPORT ? "true" : "false",
	       vmm.mech_used ? "\"" : "", vmm.mech_used ? vmm.mech_used : "null",
	       vmm.mech_used ? "\"" : "");
	fflush(stdout);

	for (unsigned int i = 0; i < vmm.pairs; i++) {
		pfd[2 * i] = (struct pollfd){ .fd = vmm.p[i].rx.call, .events = POLLIN };
		pfd[2 * i + 1] = (struct pollfd){ .fd = vmm.p[i].rx.err, .events = POLLIN };
	}
	pfd[2 * vmm.pairs] = (struct pollfd){ .fd = 0, .events = POLLIN };
	while (run) {
		if (poll(pfd, 2 * vmm.pairs + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll", errno);
		}
		for (unsigned int i = 0; i < vmm.pairs; i++) {
			uint64_t v;

			/* Clear the "interrupt" first, then read the ring:
			 * an update after the read raises it again. */
			if (read(vmm.p[i].rx.call, &v, sizeof(v)) < 0 && errno != EAGAIN)
				die("read call eventfd", errno);
			rx_drain(&vmm.p[i], i);
			if (read(vmm.p[i].rx.err, &v, sizeof(v)) == sizeof(v)) {
				vmm.p[i].errors += v;
				fprintf(stderr, "vhost-rx-vmm: queue %u: vhost reported a ring error\n", i);
			}
		}
		if (pfd[2 * vmm.pairs].revents & (POLLIN | POLLHUP)) {
			/* One line at a time: commands are rare. */
			ssize_t n = 0;
			char c;

			while (n < (ssize_t)sizeof(line) - 1 && read(0, &c, 1) == 1) {
				line[n++] = c;
				if (c == '\n')
					break;
			}
			line[n] = 0;
			run = n > 0 && command(line);
		}
		fflush(stdout);
	}

	/* Tear down: the backend first, so vhost stops touching our memory;
	 * closing the fds releases everything the kernel holds. */
	for (unsigned int i = 0; i < vmm.pairs; i++) {
		struct vhost_vring_file none = { .index = VQ_RX, .fd = -1 };

		ioctl(vmm.p[i].vhost, VHOST_NET_SET_BACKEND, &none);
		none.index = VQ_TX;
		ioctl(vmm.p[i].vhost, VHOST_NET_SET_BACKEND, &none);
		close(vmm.p[i].vhost);
		close(vmm.p[i].tap);
	}
	if (vmm.pinned && vnh_steer_unpin(vmm.pin))
		rc = 1;
	vnh_steer_free(vmm.steer);
	vnh_rss_free(vmm.rss);
	munmap(vmm.mem, vmm.mem_size);
	return rc;
}
