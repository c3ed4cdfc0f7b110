// SPDX-License-Identifier: GPL-2.0
/* The stability claim of the kfunc series, checked: one BPF object loads on
 * every kernel. bpf_tun_vnet_hash_set is declared __weak with the v2
 * prototype (skb, u32 hash_value, u32 hash_report, u64 flags); a second
 * "flavour" (libbpf strips the ___suffix when looking it up) declares the
 * v1 series' prototype (skb, u32, u16): the kfunc as it was before it
 * changed. On a kernel without the kfunc both are unresolved; on a v2
 * kernel the first resolves and the v1 flavour does not, on a v1 kernel
 * the other way round; the object loads in every case.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef bpf_ksym_exists /* libbpf < 1.2 headers (Debian 12) */
#define bpf_ksym_exists(sym) ({						\
	_Static_assert(!__builtin_constant_p(!!sym),			\
		       #sym " should be marked as __weak");		\
	!!sym;								\
})
#endif

extern int bpf_tun_vnet_hash_set(struct __sk_buff *skb, __u32 hash_value,
				 __u32 hash_report, __u64 flags) __ksym __weak;
extern int bpf_tun_vnet_hash_set___v1(struct __sk_buff *skb,
				      __u32 hash_value,
				      __u16 hash_report) __ksym __weak;

int have_kfunc = -1, have_v1 = -1, ret = 1, ret_v1 = 1;

SEC("socket")
int probe(struct __sk_buff *skb)
{
	have_kfunc = bpf_ksym_exists(bpf_tun_vnet_hash_set);
	have_v1 = bpf_ksym_exists(bpf_tun_vnet_hash_set___v1);
	if (bpf_ksym_exists(bpf_tun_vnet_hash_set))
		ret = bpf_tun_vnet_hash_set(skb, 1, 1, 0);
	if (bpf_ksym_exists(bpf_tun_vnet_hash_set___v1))
		ret_v1 = bpf_tun_vnet_hash_set___v1(skb, 1, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
