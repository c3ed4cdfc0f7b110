// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Asking tun/tap devices about themselves over rtnetlink (vnh_tun_info). */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

/* Send @req on a new rtnetlink socket; receive the reply (malloc'ed). */
static int rtnl_request(const struct nlmsghdr *req, void **reply)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t len;
	void *buf;
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		goto fail;
	/* The reply's size, without taking it. */
	do
		len = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (len < 0 && errno == EINTR);
	if (len < 0)
		goto fail;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	do
		len = recv(fd, buf, (size_t)len, 0);
	while (len < 0 && errno == EINTR);
	if (len < 0) {
		free(buf);
		goto fail;
	}
	close(fd);
	*reply = buf;
	return (int)len;
fail:
	err = -errno;
	close(fd);
	return err;
}

static int rta_u8(const struct rtattr *rta)
{
	return RTA_PAYLOAD(rta) >= 1 ? *(const __u8 *)RTA_DATA(rta) : -1;
}

static int64_t rta_u32(const struct rtattr *rta)
{
	return RTA_PAYLOAD(rta) >= 4 ? (int64_t)*(const __u32 *)RTA_DATA(rta) : -1;
}

/* Fill @ti from the IFLA_INFO_DATA of a tun device. */
static void tun_info_attrs(const struct rtattr *data, struct vnh_tun_info *ti)
{
	const struct rtattr *d;
	int dlen = (int)RTA_PAYLOAD(data);

	for (d = RTA_DATA(data); RTA_OK(d, dlen); d = RTA_NEXT(d, dlen)) {
		switch (d->rta_type & NLA_TYPE_MASK) {
		case IFLA_TUN_TYPE:
			ti->mode = rta_u8(d) == IFF_TUN ? VNH_STEER_MODE_L3 :
							  VNH_STEER_MODE_ETH;
			break;
		case IFLA_TUN_PI:
			ti->pi = rta_u8(d) > 0;
			break;
		case IFLA_TUN_VNET_HDR:
			ti->vnet_hdr = rta_u8(d) > 0;
			break;
		case IFLA_TUN_MULTI_QUEUE:
			ti->multi_queue = rta_u8(d) > 0;
			break;
		case IFLA_TUN_PERSIST:
			ti->persist = rta_u8(d) > 0;
			break;
		case IFLA_TUN_NUM_QUEUES:
			ti->num_queues = (int)rta_u32(d);
			break;
		case IFLA_TUN_NUM_DISABLED_QUEUES:
			ti->num_disabled_queues = (int)rta_u32(d);
			break;
		case IFLA_TUN_OWNER:
			ti->owner = rta_u32(d);
			break;
		case IFLA_TUN_GROUP:
			ti->group = rta_u32(d);
			break;
		}
	}
}

int vnh_tun_info(const char *ifname, struct vnh_tun_info *info)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	struct vnh_tun_info ti;
	struct nlmsghdr *nh;
	unsigned int ifindex;
	int len, err = -ENOTTY;
	void *buf = NULL;

	if (!ifname || !info || info->sz < sizeof(size_t))
		return -EINVAL;
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return -ENODEV;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	len = rtnl_request(&req.nh, &buf);
	if (len < 0)
		return len;

	memset(&ti, 0, sizeof(ti));
	ti.sz = sizeof(ti);
	ti.mode = -1;
	ti.num_queues = -1;
	ti.num_disabled_queues = -1;
	ti.owner = -1;
	ti.group = -1;
	for (nh = buf; NLMSG_OK(nh, (unsigned int)len); nh = NLMSG_NEXT(nh, len)) {
		struct rtattr *rta, *li;
		int alen, lilen, is_tun;

		if (nh->nlmsg_type == NLMSG_ERROR) {
			err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			break;
		}
		if (nh->nlmsg_type != RTM_NEWLINK)
			continue;
		alen = (int)IFLA_PAYLOAD(nh);
		for (rta = IFLA_RTA(NLMSG_DATA(nh)); RTA_OK(rta, alen);
		     rta = RTA_NEXT(rta, alen)) {
			if ((rta->rta_type & NLA_TYPE_MASK) != IFLA_LINKINFO)
				continue;
			is_tun = 0;
			lilen = (int)RTA_PAYLOAD(rta);
			for (li = RTA_DATA(rta); RTA_OK(li, lilen);
			     li = RTA_NEXT(li, lilen)) {
				switch (li->rta_type & NLA_TYPE_MASK) {
				case IFLA_INFO_KIND:
					is_tun = RTA_PAYLOAD(li) >= 4 &&
						 !memcmp(RTA_DATA(li), "tun", 4);
					if (is_tun)
						err = -EOPNOTSUPP;
					break;
				case IFLA_INFO_DATA:
					if (!is_tun)
						break;
					tun_info_attrs(li, &ti);
					err = ti.mode < 0 ? -EOPNOTSUPP : 0;
					break;
				}
			}
		}
	}
	free(buf);
	if (!err)
		vnh_opts_out(info, &ti, sizeof(ti));
	return err;
}
