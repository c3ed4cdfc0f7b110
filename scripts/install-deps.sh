#!/bin/sh
# Install everything vnethash needs on Debian 12 (run as root).
set -eu
PKGS="build-essential pkg-config meson ninja-build python3
clang llvm lld libclang-rt-14-dev libbpf-dev bpftool libelf-dev zlib1g-dev
libpcap-dev libcmocka-dev iproute2 tcpdump
qemu-system-x86 busybox-static cpio linux-source-6.12
flex bison bc libssl-dev dwarves kmod"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
echo "vnethash: dependencies installed"
