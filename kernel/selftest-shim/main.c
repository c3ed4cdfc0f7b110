// SPDX-License-Identifier: GPL-2.0
/* Runs one selftests/bpf prog_test built against the stand-in test_progs.h.
 * Usage: tun_vnet_hash [SUBTEST...]   (default: all subtests)
 * Exit status 0 if every assertion held.
 */
#include <sched.h>
#include <arpa/inet.h>
#include "test_progs.h"
#include "network_helpers.h"

int shim_failures;
const char *shim_subtest;
static char **only;
static int n_only;

struct ipv4_packet pkt_v4 = {
	.eth.h_proto = __constant_htons(ETH_P_IP),
	.iph.ihl = 5,
	.iph.protocol = IPPROTO_TCP,
	.iph.tot_len = __constant_htons(MAGIC_BYTES),
	.tcp.urg_ptr = 123,
	.tcp.doff = 5,
};

static int subtest_failures_before;

static void end_subtest(void)
{
	if (shim_subtest)
		printf("%s: %s\n", shim_subtest,
		       shim_failures == subtest_failures_before ? "OK" : "FAIL");
	shim_subtest = NULL;
}

bool test__start_subtest(const char *name)
{
	int i;

	end_subtest();
	if (n_only) {
		for (i = 0; i < n_only; i++)
			if (!strcmp(only[i], name))
				break;
		if (i == n_only)
			return false;
	}
	shim_subtest = name;
	subtest_failures_before = shim_failures;
	return true;
}

/* The whole process moves to a fresh network namespace, with lo up. */
struct netns_obj *netns_new(const char *name, bool open)
{
	static int token;

	(void)name;
	(void)open;
	if (unshare(CLONE_NEWNET))
		return NULL;
	/* like make_netns() of network_helpers.c */
	if (system("ip link set dev lo up"))
		return NULL;
	return (struct netns_obj *)&token;
}

void netns_free(struct netns_obj *netns)
{
	(void)netns;
}

void test_tun_vnet_hash(void);

int main(int argc, char **argv)
{
	only = argv + 1;
	n_only = argc - 1;
	test_tun_vnet_hash();
	end_subtest();
	printf("tun_vnet_hash: %s (%d failed assertions)\n",
	       shim_failures ? "FAIL" : "OK", shim_failures);
	return shim_failures ? 1 : 0;
}
