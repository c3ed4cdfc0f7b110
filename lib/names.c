// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Names of report types and hash types, header filling. */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "vnethash.h"

static const char *const report_names[VNH_REPORT_MAX + 1] = {
	"none", "ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6",
	"ipv6_ex", "tcpv6_ex", "udpv6_ex",
};

/* Hash type bit i has the name of report type i + 1. */
const char *vnh_report_name(unsigned int report)
{
	return report <= VNH_REPORT_MAX ? report_names[report] : NULL;
}

const char *vnh_hash_type_name(uint32_t type)
{
	if (!type || (type & (type - 1)) || (type & ~VNH_HASH_TYPE_ALL))
		return NULL;
	return report_names[__builtin_ctz(type) + 1];
}

int vnh_parse_hash_types(const char *list, uint32_t *types, const char **bad)
{
	uint32_t acc = 0;
	const char *p = list;

	if (!list || !types)
		return -EINVAL;
	if (!strcmp(list, "all")) {
		*types = VNH_HASH_TYPE_ALL;
		return 0;
	}
	if (!strcmp(list, "none")) {
		*types = 0;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		uint32_t bit;

		for (bit = 1; bit <= VNH_HASH_TYPE_UDP_EX; bit <<= 1) {
			const char *name = vnh_hash_type_name(bit);

			if (strlen(name) == n && !strncmp(p, name, n))
				break;
		}
		if (bit > VNH_HASH_TYPE_UDP_EX) {
			if (bad)
				*bad = p;
			return -EINVAL;
		}
		acc |= bit;
		if (!p[n])
			break;
		p += n + 1;
	}
	*types = acc;
	return 0;
}

void vnh_fill_hdr_hash(struct virtio_net_hdr_v1_hash *hdr,
		       const struct vnh_result *res)
{
	hdr->hash_value = htole32(res->report ? res->hash : 0);
	hdr->hash_report = htole16(res->report);
	hdr->padding = 0;
}
