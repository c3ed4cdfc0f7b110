#!/bin/sh
# Build and run every test suite (unit, fuzz, BPF, taps, VM). Run as root.
# The vm suite boots the patched Linux 7.3 (kernel/build.sh); the first run
# builds it, which is said here up front. `scripts/test.sh --suite vm612`
# runs the VM checks on the 6.12 backport instead (not in the default run);
# `--suite vmcompat` the checks on a 7.3 kernel without BTF, tun a module
# (and on one with vmlinux + module BTF, tun a module, and the default);
# `--suite vmdebug` the vm checks on a KASAN + kmemleak 7.3 kernel.
set -eu
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build
meson compile -C build
# The VM suite needs the patched kernel. If it is not in the cache, build it
# here, before the tests, so that its progress lines (kernel/build.sh: one
# every 30 s and at each late make stage) reach this script's output as they
# happen; meson would show them only when the test ends.
prepare_kernel() {
	v=$1
	set -- --kernel "$v" ${2:+--variant "$2"}
	img=$(kernel/build.sh "$@" --print-path 2>/dev/null) || return 0
	if [ -f "$img" ]; then
		echo "test.sh: Linux $v test kernel found in the cache: $img"
		return 0
	fi
	echo "test.sh: the VM suite needs the Linux $v test kernel, which is not in the"
	echo "test.sh: cache: building it now (about 10 minutes on 2 idle cores; progress below)."
	t0=$(date +%s)
	if kernel/build.sh -q "$@" >/dev/null; then
		echo "test.sh: Linux $v test kernel built in $(($(date +%s) - t0)) s"
	else
		echo "test.sh: building the Linux $v test kernel failed; the vm tests will say so"
	fi
}
case " $* " in
"  ") prepare_kernel 7.3 ;;			# the default run
*vm612*) prepare_kernel 6.12 ;;
*vmcompat*) prepare_kernel 7.3 compat; prepare_kernel 7.3 modbtf; prepare_kernel 7.3 ;;	# no BTF, tun as a module; vmlinux + module BTF, tun as a module (vmcompat-modbtf); and the default (vmcompat-default)
*vmdebug*) prepare_kernel 7.3 debug ;;	# KASAN, kmemleak
*" vm "*|*"=vm "*|*" vm-"*) prepare_kernel 7.3 ;;	# --suite vm, a vm- test
esac
exec meson test -C build --print-errorlogs "$@"
