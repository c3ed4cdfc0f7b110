#!/bin/bash
# kernel/selftest-shim/build-net-tun.sh - build tools/testing/selftests/net/tun
# (with patch 0008's tun_vnet_hash tests) from the patched kernel tree.
#
# Usage: kernel/selftest-shim/build-net-tun.sh [OUTDIR]
#   Builds (if needed) the kernel with kernel/build.sh, copies the parts of
#   its tree that the selftest needs (kbuild, uapi headers, tools/,
#   Documentation/netlink/specs for YNL; MAINTAINERS, which the YNL generator
#   looks for to find the top) to OUTDIR/src, runs `make headers`
#   there (the cached tree is built in place, so `make headers O=...` would
#   refuse it, and it must not be touched), then the selftests' own
#   Makefile for the YNL library and `tun`. Prints the binary's path; it
#   runs as root on the patched kernel:
#     kernel/vm-run.sh -- "$(kernel/selftest-shim/build-net-tun.sh)"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-/var/tmp/vnethash-selftest-net}
tree=$("$here/../build.sh" -q --tree)
grep -q 'FIXTURE(tun_vnet_hash)' "$tree/tools/testing/selftests/net/tun.c" || {
	echo "build-net-tun: $tree has no tun_vnet_hash selftest (patch 0008 missing?)" >&2
	exit 1
}
src=$out/src
rm -rf "$src"
mkdir -p "$src"
(cd "$tree" && tar cf - --exclude='*.o' --exclude='*.a' --exclude='*.cmd' \
	--exclude='include/config' --exclude='include/generated' \
	--exclude='arch/x86/include/generated' \
	MAINTAINERS Makefile Kbuild Kconfig scripts include arch/Kconfig arch/x86 \
	usr/Makefile usr/include tools Documentation/netlink) | tar xf - -C "$src"
make -s -C "$src" ARCH=x86_64 headers >&2
sn=$src/tools/testing/selftests/net
make -s -C "$sn" OUTPUT="$sn" "$sn/tun" >&2
echo "$sn/tun"
