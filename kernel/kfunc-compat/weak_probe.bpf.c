// SPDX-License-Identifier: GPL-2.0
/* The stability claim of the kfunc series, checked: one BPF object loads on
 * every kernel. bpf_tun_vnet_hash_set is declared __weak; a second "flavour"
 * (libbpf strips the ___suffix when looking it up) declares a prototype that
 * does not match the kernel's, standing in for "the kfunc changed". On a
 * kernel without the kfunc both are unresolved; with the series the first
 * resolves and the second does not; the object loads either way.
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
				 __u16 hash_report) __ksym __weak;
extern int bpf_tun_vnet_hash_set___changed(struct __sk_buff *skb,
					   __u32 hash_value, __u16 hash_report,
					   __u64 flags) __ksym __weak;

int have_kfunc = -1, have_changed = -1, ret = 1, ret_changed = 1;

SEC("socket")
int probe(struct __sk_buff *skb)
{
	have_kfunc = bpf_ksym_exists(bpf_tun_vnet_hash_set);
	have_changed = bpf_ksym_exists(bpf_tun_vnet_hash_set___changed);
	if (bpf_ksym_exists(bpf_tun_vnet_hash_set))
		ret = bpf_tun_vnet_hash_set(skb, 1, 1);
	if (bpf_ksym_exists(bpf_tun_vnet_hash_set___changed))
		ret_changed = bpf_tun_vnet_hash_set___changed(skb, 1, 1, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
