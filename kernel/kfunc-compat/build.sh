#!/bin/bash
# kernel/kfunc-compat/build.sh [OUTDIR] - build weak_probe with the system
# clang, bpftool and libbpf; vmlinux.h from the running kernel's BTF (the
# object only uses UAPI types). Prints the binary's path. Run it on any
# kernel, e.g. the host and kernel/vm-run.sh -- "$(kernel/kfunc-compat/build.sh)"
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-/var/tmp/vnethash-kfunc-compat}
mkdir -p "$out"
bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$out/vmlinux.h"
clang -g -O2 -target bpf -I"$out" -c "$here/weak_probe.bpf.c" -o "$out/weak_probe.bpf.o"
bpftool gen skeleton "$out/weak_probe.bpf.o" name weak_probe >"$out/weak_probe.skel.h"
gcc -O2 -Wall -I"$out" "$here/weak_probe.c" -lbpf -lelf -lz -o "$out/weak_probe"
echo "$out/weak_probe"
