#!/bin/sh
# Install everything vnethash needs on Debian 12 (run as root).
#
# linux-source-7.3 comes from trixie-backports. That suite is added for this
# one package, from the mirror the machine already uses (URIs and Signed-By
# copied from its own debian.sources), so no host name is written here.
# Backports have priority 100: nothing else upgrades.
set -eu
PKGS="build-essential pkg-config meson ninja-build python3
clang llvm lld libclang-rt-14-dev libbpf-dev bpftool libelf-dev zlib1g-dev
libpcap-dev libcmocka-dev iproute2 tcpdump ethtool
qemu-system-x86 busybox-static cpio linux-source-6.12
flex bison bc libssl-dev dwarves kmod diffstat"
BACKPORT_PKGS="linux-source-7.3"
BACKPORTS_LIST=/etc/apt/sources.list.d/vnethash-trixie-backports.sources

add_backports() {
	[ -f "$BACKPORTS_LIST" ] && return 0
	src=/etc/apt/sources.list.d/debian.sources
	uris="" keyring=""
	if [ -f "$src" ]; then
		# The first stanza's URIs/Signed-By: the main archive.
		uris=$(awk '/^URIs:/ { print $2; exit }' "$src")
		keyring=$(awk '/^Signed-By:/ { print $2; exit }' "$src")
	fi
	if [ -z "$uris" ] && [ -f /etc/apt/sources.list ]; then
		uris=$(awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
			/etc/apt/sources.list)
	fi
	if [ -z "$uris" ]; then
		echo "vnethash: cannot find the machine's Debian mirror in" \
			"$src or /etc/apt/sources.list" >&2
		exit 1
	fi
	[ -n "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$BACKPORTS_LIST" <<EOT
# Added by vnethash scripts/install-deps.sh for linux-source-7.3 only.
Types: deb
URIs: $uris
Suites: trixie-backports
Components: main
Signed-By: $keyring
EOT
	need_update=1
}

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
bp_missing=""
for p in $BACKPORT_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		bp_missing="$bp_missing $p"
done
need_update=0
[ -z "$bp_missing" ] || add_backports
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing$bp_missing" ]; then
	apt-get update -q
fi
if [ -n "$missing" ]; then
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
if [ -n "$bp_missing" ]; then
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $bp_missing
fi
echo "vnethash: dependencies installed"
