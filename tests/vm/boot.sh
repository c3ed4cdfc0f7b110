#!/bin/bash
# tests/vm/boot.sh - checks that the test kernel builds and that
# kernel/vm-run.sh boots it and runs host tools in it.
#
# Run from anywhere (usually the repo root): tests/vm/boot.sh
# Exit 0 when every check passes.  Environment: VNETHASH_KERNEL_VERSION
# (7.3, the default, or 6.12) picks the kernel; VNETHASH_VM_KERNEL=BZIMAGE
# boots that image instead of kernel/build.sh's.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vmrun=$root/kernel/vm-run.sh
pass=0 fail=0
kver=${VNETHASH_KERNEL_VERSION:-7.3}

ok() { echo "ok $((pass + fail + 1)) - $*"; pass=$((pass + 1)); }
not_ok() { echo "not ok $((pass + fail + 1)) - $*"; fail=$((fail + 1)); }

# 0. the kernel (built once; later runs find it in the cache)
if [ -n "${VNETHASH_VM_KERNEL:-}" ]; then
	kernel=$VNETHASH_VM_KERNEL
else
	echo "# building (or finding in the cache) the Linux $kver test kernel: kernel/build.sh (progress on stderr)"
	t0=$SECONDS
	if kernel=$("$root/kernel/build.sh" -q); then
		ok "kernel/build.sh gives a bzImage: $kernel ($((SECONDS - t0))s)"
	else
		not_ok "kernel/build.sh failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi
vm() { "$vmrun" --kernel "$kernel" "$@"; }

# 1. boots, runs a host command, prints its output
t0=$SECONDS
out=$(vm --timeout 300 -- uname -r)
rc=$?
case $out in
"$kver".*) ok "uname -r in the VM is '$out' (exit $rc, boot+command $((SECONDS - t0))s)" ;;
*) not_ok "uname -r in the VM: expected $kver.*, got '$out' (exit $rc)" ;;
esac

# 2. exit status propagates; stdout and stderr are kept apart
out=$(vm --timeout 300 -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 7' 2>/dev/null)
rc=$?
if [ $rc = 7 ] && [ "$out" = to-stdout ]; then
	ok "sh -c 'exit 7' exits 7; stdout only has stdout"
else
	not_ok "sh -c 'exit 7': expected exit 7 and 'to-stdout', got exit $rc and '$out'"
fi
err=$(vm --timeout 300 -- sh -c 'echo to-stderr >&2' 2>&1 >/dev/null)
if [ "$err" = to-stderr ]; then
	ok "the command's stderr comes on stderr"
else
	not_ok "stderr: expected 'to-stderr', got '$err'"
fi

# 3. runs in the caller's directory (or --cwd)
out=$(cd "$root" && vm --timeout 300 -- pwd)
if [ "$out" = "$root" ]; then ok "the command runs in the caller's directory ($out)"
else not_ok "cwd: expected $root, got '$out'"; fi

# 4. a hanging command hits --timeout: exit 124, in bounded time
t0=$SECONDS
vm --timeout 20 -- sleep 1000 >/dev/null 2>&1
rc=$?
dt=$((SECONDS - t0))
if [ $rc = 124 ] && [ $dt -lt 45 ]; then
	ok "a hanging command hits --timeout 20: exit 124 after ${dt}s"
else
	not_ok "hanging command: expected exit 124 within 45s, got exit $rc after ${dt}s"
fi

# 5. a kernel panic ends the VM at once: exit 125, the panic on stderr
t0=$SECONDS
err=$(vm --timeout 120 -- sh -c 'echo c >/proc/sysrq-trigger; sleep 100' 2>&1 >/dev/null)
rc=$?
dt=$((SECONDS - t0))
if [ $rc = 125 ] && [ $dt -lt 60 ] && printf '%s\n' "$err" | grep -q "Kernel panic"; then
	ok "a kernel panic stops the VM: exit 125 after ${dt}s, panic shown on stderr"
else
	not_ok "panic: expected exit 125 within 60s and the panic on stderr, got exit $rc after ${dt}s"
	printf '%s\n' "$err" | tail -n 20 | sed 's/^/#   /'
fi

# 6. multi-queue tap and vhost-net, with the host's iproute2
out=$(vm --timeout 300 -- sh -c 'ip tuntap add dev tap0 mode tap multi_queue &&
	ip -d link show tap0 && test -c /dev/net/tun && test -c /dev/vhost-net && echo TAP-OK' 2>&1)
rc=$?
if [ $rc = 0 ] && printf '%s\n' "$out" | grep -q multi_queue && printf '%s\n' "$out" | grep -q TAP-OK; then
	ok "ip tuntap add dev tap0 mode tap multi_queue; /dev/net/tun and /dev/vhost-net exist"
else
	not_ok "multi-queue tap (exit $rc):"; printf '%s\n' "$out" | sed 's/^/#   /'
fi

# 7. BTF: bpftool reads the kernel's BTF; bpffs is mounted
out=$(vm --timeout 300 -- sh -c 'bpftool btf dump file /sys/kernel/btf/vmlinux | head -n 3;
	grep -q " /sys/fs/bpf bpf " /proc/mounts && echo BPFFS-OK' 2>&1)
rc=$?
if [ $rc = 0 ] && printf '%s\n' "$out" | grep -q "^\[1\] " && printf '%s\n' "$out" | grep -q BPFFS-OK; then
	ok "bpftool btf dump file /sys/kernel/btf/vmlinux works; /sys/fs/bpf is bpffs"
else
	not_ok "bpftool btf dump (exit $rc):"; printf '%s\n' "$out" | sed 's/^/#   /'
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
