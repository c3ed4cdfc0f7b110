#!/bin/bash
# kernel/selftest-shim/build.sh - build the tun_vnet_hash BPF selftest
# (kernel/patches/0005, and 0023's program-type subtests) on its own,
# without the rest of selftests/bpf.
#
# Usage: kernel/selftest-shim/build.sh [OUTDIR]
#   Builds (if needed) the patched kernel tree with kernel/build.sh, takes
#   vmlinux.h from its vmlinux, compiles progs/test_tun_vnet_hash.c with clang,
#   generates the skeleton with bpftool and links prog_tests/tun_vnet_hash.c
#   with main.c and the stand-in test_progs.h of this directory against the
#   tree's own libbpf and uapi bpf.h (0020 grows struct __sk_buff; 0021 teaches
#   libbpf SEC("vnet_hash")). Prints the path of the test binary, which must run as root
#   on the patched kernel, e.g.:
#     kernel/vm-run.sh -- "$(kernel/selftest-shim/build.sh)"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-/var/tmp/vnethash-selftest}
tree=$("$here/../build.sh" -q --tree)
sb=$tree/tools/testing/selftests/bpf
[ -f "$sb/prog_tests/tun_vnet_hash.c" ] || {
	echo "selftest-shim: $sb has no tun_vnet_hash test (patch 0005 missing?)" >&2
	exit 1
}
mkdir -p "$out"
bpftool btf dump file "$tree/vmlinux" format c >"$out/vmlinux.h"
for prog in "$sb"/progs/test_tun_vnet_hash.c "$sb"/progs/tun_vnet_hash_fail.c \
	    "$sb"/progs/test_tun_vnet_hash_prog.c "$sb"/progs/tun_vnet_hash_prog_fail.c; do
	[ -f "$prog" ] || continue
	name=$(basename "$prog" .c)
	clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$out" \
		-c "$prog" -o "$out/$name.bpf.o"
	bpftool gen skeleton "$out/$name.bpf.o" name "$name" >"$out/$name.skel.h"
done
# The kernel's own virtio_net.h (7.3 splits hash_value into _lo/_hi), ahead
# of the system's older copy; the rest of the uapi headers are the system's.
mkdir -p "$out/uapi/linux"
cp "$tree/include/uapi/linux/virtio_net.h" "$out/uapi/linux/virtio_net.h"
cp "$tree/include/uapi/linux/bpf.h" "$out/uapi/linux/bpf.h"
# The tree's libbpf knows SEC("vnet_hash") (patch 0021); the system's not.
mkdir -p "$out/libbpf" "$out/libbpf-inst"
make -s -C "$tree/tools/lib/bpf" OUTPUT="$out/libbpf/" "$out/libbpf/libbpf.a" >&2
make -s -C "$tree/tools/lib/bpf" OUTPUT="$out/libbpf/" DESTDIR="$out/libbpf-inst" prefix= install_headers >&2
gcc -O2 -g -Wall -D_GNU_SOURCE -I"$out/libbpf-inst/include" -I"$out/uapi" -I"$here" -I"$out" \
	"$sb/prog_tests/tun_vnet_hash.c" "$here/main.c" \
	"$out/libbpf/libbpf.a" -lelf -lz -o "$out/tun_vnet_hash"
echo "$out/tun_vnet_hash"
