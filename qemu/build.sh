#!/bin/bash
# qemu/build.sh - build QEMU 10.2 (Debian's source) with the vnethash series.
#
# Usage: qemu/build.sh [options]
#   (no option)        build if needed; print the qemu-system-x86_64 path
#                      (the only line on stdout)
#   --print-path       print the path the binary has / would have; build nothing
#   --vnethash-build D the vnethash build directory whose libvnethash.a and
#                      include/ QEMU links (default: <repo>/build)
#   --without-vnethash build the same QEMU without libvnethash (the series
#                      still applied: it must then behave exactly as before)
#   --no-patches       build Debian's QEMU as it is (for comparisons)
#   --force            throw away the source tree and build from scratch
#   -v, --verbose      stream configure/ninja output to stderr
#   -q, --quiet        only stage messages (and errors) on stderr
#   -h, --help
#
# Source: Debian's qemu source package, version 1:10.2.x, from the sid suite
# of the mirror this machine already uses (URIs and Signed-By copied from
# /etc/apt/sources.list.d/debian.sources: no host name is written here).
# `apt-get source` semantics: dpkg-source applies debian/patches, which the
# build needs (the orig tarball has its firmware blobs stripped). QEMU 10.2
# wants meson >= 1.5 and pycotap: trixie's arch-independent `meson` and
# `python3-pycotap` are downloaded and unpacked beside the build (dpkg-deb -x,
# used through PATH/PYTHONPATH); the system's meson is not touched. All of
# this uses a private apt state under the cache: the machine's own sources and
# package lists stay as they are.
#
# The cache (${VNETHASH_QEMU_CACHE:-/var/cache/vnethash/qemu}) holds one
# result directory per key (a hash of the source version, the patches, this
# script, the compiler, meson and libvnethash) and one source/build tree per
# source version and configuration, reused (patches reverted/applied, ninja
# incremental) by later keys. See docs/qemu.md.
#
# ninja runs under `nice -n 19` and takes no shared lock: it only uses idle
# CPU and never holds up the heavy (locked) suites.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
self="$here/$(basename "${BASH_SOURCE[0]}")"
cache=${VNETHASH_QEMU_CACHE:-/var/cache/vnethash/qemu}
patchdir=$here/patches
want_series=${VNETHASH_QEMU_SERIES:-10.2}
keep=${VNETHASH_QEMU_KEEP:-4}

print_path=0 force=0 verbosity=normal with_vnethash=1 use_patches=1
vnh_build=$repo/build
while [ $# -gt 0 ]; do
	case $1 in
	--print-path) print_path=1 ;;
	--vnethash-build) vnh_build=${2:?--vnethash-build needs a directory}; shift ;;
	--vnethash-build=*) vnh_build=${1#*=} ;;
	--without-vnethash) with_vnethash=0 ;;
	--no-patches) use_patches=0 ;;
	--force) force=1 ;;
	-v|--verbose) verbosity=verbose ;;
	-q|--quiet) verbosity=quiet ;;
	-h|--help) sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "qemu/build.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

log() { [ $verbosity = quiet ] || echo "[qemu/build.sh] $*" >&2; }
die() { echo "[qemu/build.sh] ERROR: $*" >&2; exit 1; }

apt_install() {
	log "installing with apt-get: $*"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q --no-install-recommends "$@" >&2; then
		apt-get update -q >&2 || true
		apt-get install -y -q --no-install-recommends "$@" >&2 ||
			die "apt-get install $* failed"
	fi
}

# ---- prerequisites (Debian 12 packages) --------------------------------------
missing=()
for tool in dpkg-source:dpkg-dev gcc:gcc ninja:ninja-build pkg-config:pkg-config \
            xz:xz-utils git:git python3:python3; do
	command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
pkg-config --exists glib-2.0 2>/dev/null || missing+=(libglib2.0-dev)
python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
[ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"

# ---- private apt state: sid (deb-src) and trixie (deb) from this mirror ------
aptdir=$cache/apt
mkdir -p "$aptdir/sources.d" "$aptdir/lists/partial" "$aptdir/cache" \
	"$aptdir/archives/partial" "$cache/dl"
apt_opts=(-o "Dir::Etc::SourceList=/dev/null"
	-o "Dir::Etc::SourceParts=$aptdir/sources.d"
	-o "Dir::State::Lists=$aptdir/lists"
	-o "Dir::Cache=$aptdir/cache"
	-o "Dir::Cache::archives=$aptdir/archives"
	-o "APT::Sandbox::User=root"
	-o "Debug::NoLocking=1")
srclist=$aptdir/sources.d/vnethash-qemu.sources
if [ ! -f "$srclist" ]; then
	src=/etc/apt/sources.list.d/debian.sources
	uris="" keyring=""
	if [ -f "$src" ]; then
		uris=$(awk '/^URIs:/ { print $2; exit }' "$src")
		keyring=$(awk '/^Signed-By:/ { print $2; exit }' "$src")
	fi
	if [ -z "$uris" ] && [ -f /etc/apt/sources.list ]; then
		uris=$(awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
			/etc/apt/sources.list)
	fi
	[ -n "$uris" ] || die "cannot find the machine's Debian mirror in $src or /etc/apt/sources.list"
	[ -n "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$srclist.tmp" <<EOT
# vnethash qemu/build.sh: private apt state (not in /etc/apt).
# QEMU's source from sid; meson and python3-pycotap (arch: all) from trixie.
Types: deb-src
URIs: $uris
Suites: sid
Components: main
Signed-By: $keyring

Types: deb
URIs: $uris
Suites: trixie
Components: main
Signed-By: $keyring
EOT
	mv "$srclist.tmp" "$srclist"
fi
apt_q() { "$@" "${apt_opts[@]}"; }
lists_ok() { compgen -G "$aptdir/lists/*_sid_main_source_Sources*" >/dev/null &&
	compgen -G "$aptdir/lists/*_trixie_main_binary-amd64_Packages*" >/dev/null; }
if ! lists_ok; then
	log "apt-get update (private state: sid deb-src, trixie)"
	apt_q apt-get -q update >&2 || die "apt-get update of the private sid/trixie lists failed"
fi

# newest qemu source of the wanted series (1:10.2.x)
pick_version() {
	apt_q apt-cache showsrc qemu 2>/dev/null | awk '/^Package: /{p=$2} /^Version: /{ if (p == "qemu") print $2 }' |
		grep -E "^1:${want_series//./\\.}\\." | sort -V | tail -n1
}
qver=${VNETHASH_QEMU_VERSION:-$(pick_version)}
[ -n "$qver" ] || die "no qemu source of series $want_series in sid (apt-cache showsrc qemu)"

# ---- build tools: meson + pycotap from trixie, unpacked beside the build ------
tools_info() {
	apt_q apt-cache show --no-all-versions meson python3-pycotap 2>/dev/null |
		awk '/^Package: /{p=$2} /^Version: /{print p, $2}'
}
tinfo=$(tools_info)
[ -n "$tinfo" ] || die "meson / python3-pycotap not found in trixie (private apt lists)"
tdir=$cache/tools/$(printf '%s\n' "$tinfo" | sha256sum | cut -c1-12)
if [ ! -f "$tdir/done" ]; then
	log "fetching trixie's meson and python3-pycotap: $(echo $tinfo)"
	rm -rf "$tdir"; mkdir -p "$tdir/debs"
	(cd "$tdir/debs" && apt_q apt-get -q download meson python3-pycotap >&2) ||
		die "apt-get download meson python3-pycotap failed"
	for d in "$tdir"/debs/*.deb; do dpkg-deb -x "$d" "$tdir/root"; done
	printf '%s\n' "$tinfo" >"$tdir/versions"
	touch "$tdir/done"
fi
tool_env=(env "PATH=$tdir/root/usr/bin:$PATH"
	"PYTHONPATH=$tdir/root/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}")
meson_ver=$("${tool_env[@]}" meson --version)

# ---- libvnethash: staged (static library + headers + a .pc) -----------------
stage_info=""
if [ $with_vnethash = 1 ]; then
	lib=$(find "$vnh_build/lib" -maxdepth 1 -name 'libvnethash.a' 2>/dev/null | head -n1)
	[ -n "$lib" ] || die "no libvnethash.a in $vnh_build/lib: build vnethash first (meson setup build && meson compile -C build), or pass --vnethash-build DIR / --without-vnethash"
	grep -q vnh_steer_load <(nm -g --defined-only "$lib" 2>/dev/null) ||
		die "$lib has no steering support (vnh_steer_*): it was built without the eBPF program"
	# the installed headers: include/vnethash.h, include/vnethash_steer.h and
	# vnethash_defs.h (shared/, or include/ in older trees)
	vnh_headers=()
	for h in include/vnethash.h include/vnethash_steer.h shared/vnethash_defs.h \
	         include/vnethash_defs.h; do
		[ -f "$repo/$h" ] && vnh_headers+=("$repo/$h")
	done
	stage_info="vnethash $(cat "$lib" "${vnh_headers[@]}" | sha256sum | cut -c1-16)"
fi

# ---- the key -------------------------------------------------------------------
patches=()
if [ $use_patches = 1 ] && [ -d "$patchdir" ]; then
	for p in "$patchdir"/[0-9]*.patch; do
		[ -f "$p" ] || continue
		[ "$(basename "$p")" = 0000-cover-letter.patch ] && continue
		patches+=("$p")
	done
fi
conf_args=(--target-list=x86_64-softmmu --without-default-features
	--enable-vhost-net --enable-vhost-kernel --enable-tcg
	--disable-pixman --disable-install-blobs --disable-docs
	--disable-download --disable-fdt)
# libvnethash is switched with `meson configure -Dvnethash=...` in the
# configured tree (the series' meson option): the tree is shared by builds
# with and without it, and only net/tap-vnethash.c and the link change.
vnh_opt=disabled
[ $with_vnethash = 1 ] && [ ${#patches[@]} -gt 0 ] && vnh_opt=enabled

keyinfo() {
	echo "source qemu $qver"
	for p in ${patches[@]+"${patches[@]}"}; do
		echo "patch $(basename "$p") $(sha256sum <"$p" | cut -d' ' -f1)"
	done
	echo "configure ${conf_args[*]} vnethash=$vnh_opt"
	echo "script $(sha256sum <"$self" | cut -d' ' -f1)"
	echo "toolchain $(gcc --version | head -n1) / meson $meson_ver"
	[ -z "$stage_info" ] || echo "$stage_info"
}
info=$(keyinfo)
key=$(printf '%s\n' "$info" | sha256sum | cut -c1-16)
kdir=$cache/$key
binary=$kdir/qemu-system-x86_64
if [ $print_path = 1 ]; then echo "$binary"; exit 0; fi
if [ $force = 0 ] && [ -f "$kdir/done" ] && [ -x "$binary" ]; then
	log "up to date: $key (qemu $qver, ${#patches[@]} patches)"
	touch "$kdir/used"; echo "$binary"; exit 0
fi

# One tree per source version and configuration; a lock per tree (the
# build tree is reused by every key with the same source and configure).
tkey=$(printf '%s\n' "$qver" "${conf_args[*]}" "$meson_ver" "$(gcc --version | head -n1)" |
	sha256sum | cut -c1-12)
tree=$cache/tree-$tkey
mkdir -p "$tree" "$kdir"
exec 9>"$tree/lock"
if ! flock -n 9; then
	log "another build in $tree is running; waiting for its lock"
	flock 9
fi
if [ $force = 0 ] && [ -f "$kdir/done" ] && [ -x "$binary" ]; then
	log "built meanwhile by another invocation: $key"; echo "$binary"; exit 0
fi
[ $force = 1 ] && { log "--force: removing $tree"; find "$tree" -mindepth 1 -maxdepth 1 ! -name lock -exec rm -rf {} +; }
printf '%s\n' "$info" >"$kdir/info"
state() { cat "$tree/state" 2>/dev/null || echo none; }
set_state() { echo "$1" >"$tree/state.tmp" && mv -f "$tree/state.tmp" "$tree/state"; }
tree_git() { GIT_CEILING_DIRECTORIES=$tree git -C "$tree/src" "$@"; }
start=$SECONDS
log "key $key: qemu $qver, ${#patches[@]} patch(es), meson $meson_ver, tree $tree"

# ---- 1. source: apt-get source semantics (dpkg-source -x applies debian/patches)
case $(state) in
none|extracting) rm -rf "$tree/src" "$tree/build" "$tree/applied"; set_state extracting
	dsc=$cache/dl/qemu_${qver#*:}.dsc
	if [ ! -f "$dsc" ]; then
		log "downloading the qemu $qver source package (sid)"
		(cd "$cache/dl" && apt_q apt-get -q source --download-only "qemu=$qver" >&2) ||
			die "apt-get source qemu=$qver failed"
	fi
	log "extracting with dpkg-source (applies debian/patches)"
	rm -rf "$tree/src.tmp"
	dpkg-source -q -x "$dsc" "$tree/src.tmp" >&2 || die "dpkg-source -x $dsc failed"
	mv "$tree/src.tmp" "$tree/src"
	mkdir -p "$tree/applied"
	set_state extracted ;;
esac

# ---- 2. our series: keep the common prefix, revert the rest, apply the new ----
sync_patches() {
	local old=() i=0 common=0 name
	[ -d "$tree/applied" ] && old=($(ls "$tree/applied"))
	while [ $i -lt ${#old[@]} ] && [ $i -lt ${#patches[@]} ] &&
	      [ "${old[i]}" = "$(basename "${patches[i]}")" ] &&
	      cmp -s "$tree/applied/${old[i]}" "${patches[i]}"; do
		i=$((i + 1))
	done
	common=$i
	for ((i = ${#old[@]} - 1; i >= common; i--)); do
		log "reverting ${old[i]}"
		tree_git apply -R "$tree/applied/${old[i]}" ||
			{ set_state none; die "could not revert ${old[i]}: tree reset, rerun"; }
		rm -f "$tree/applied/${old[i]}"
	done
	for ((i = common; i < ${#patches[@]}; i++)); do
		name=$(basename "${patches[i]}")
		log "applying $name"
		if ! out=$(tree_git apply --check "${patches[i]}" 2>&1); then
			echo "$out" >&2
			die "patch $name does not apply to qemu $qver (qemu/patches/$name)"
		fi
		tree_git apply "${patches[i]}" || die "patch $name failed to apply"
		cp "${patches[i]}" "$tree/applied/$name"
	done
}
set_state patching
sync_patches
set_state patched

# ---- 3. libvnethash stage --------------------------------------------------------
stage=$tree/vnethash
rm -rf "$stage"; mkdir -p "$stage/include" "$stage/lib/pkgconfig"
if [ $with_vnethash = 1 ]; then
	cp "$lib" "$stage/lib/libvnethash.a"
	cp "${vnh_headers[@]}" "$stage/include/"
	ver=$(awk -F"'" '/^project\(/ { f=1 } f && /version/ { print $2; exit }' "$repo/meson.build" 2>/dev/null || true)
	cat >"$stage/lib/pkgconfig/vnethash.pc" <<EOT
prefix=$stage
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: vnethash
Description: virtio-net RSS and hash reporting rules (static, staged by qemu/build.sh)
Version: ${ver:-0}
Requires.private: libbpf
Cflags: -I\${includedir}
Libs: \${libdir}/libvnethash.a -lbpf
EOT
fi

# ---- 4. configure (once per tree) ------------------------------------------------
run_logged() {	# run_logged LOG CMD...: output to LOG (and stderr with -v)
	local logf=$1; shift
	if [ $verbosity = verbose ]; then
		"$@" 2>&1 | tee -a "$logf" >&2; return "${PIPESTATUS[0]}"
	fi
	"$@" >>"$logf" 2>&1
}
build=$tree/build
if [ "$(cat "$tree/configured" 2>/dev/null)" != "${conf_args[*]}" ]; then
	log "configure ${conf_args[*]} (log: $tree/configure.log)"
	rm -rf "$build"; mkdir -p "$build"
	: >"$tree/configure.log"
	if ! (cd "$build" && run_logged "$tree/configure.log" \
		"${tool_env[@]}" "PKG_CONFIG_PATH=$stage/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
		"$tree/src/configure" "${conf_args[@]}"); then
		tail -n 30 "$tree/configure.log" >&2
		die "configure failed (log: $tree/configure.log)"
	fi
	echo "${conf_args[*]}" >"$tree/configured"
fi
if grep -q "option('vnethash'" "$tree/src/meson_options.txt"; then
	log "meson configure -Dvnethash=$vnh_opt"
	(cd "$build" && run_logged "$tree/configure.log" "${tool_env[@]}" \
		"PKG_CONFIG_PATH=$stage/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
		"$build/pyvenv/bin/meson" configure -Dvnethash=$vnh_opt \
		-Dpkg_config_path="$stage/lib/pkgconfig") ||
		die "meson configure -Dvnethash=$vnh_opt failed (log: $tree/configure.log)"
fi

# ---- 5. build: only the x86_64 system emulator, at idle priority ----------------
log "nice -n 19 ninja qemu-system-x86_64 (log: $tree/build.log)"
rm -f "$build/qemu-system-x86_64"	# relink: libvnethash.a is no ninja input
echo "=== ninja $(date) key $key ===" >>"$tree/build.log"
set +e
(cd "$build" && "${tool_env[@]}" \
	"PKG_CONFIG_PATH=$stage/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
	nice -n 19 ninja -j"$(nproc)" qemu-system-x86_64) 2>&1 | {
	last=$SECONDS
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$tree/build.log"
		case $verbosity in
		verbose) printf '%s\n' "$line" >&2 ;;
		normal)
			case $line in
			*warning:*|*error:*|FAILED*) printf '%s\n' "$line" >&2 ;;
			*) if [ $((SECONDS - last)) -ge 30 ]; then
				log "ninja: $((SECONDS - start))s ${line%%]*}]"; last=$SECONDS
			   fi ;;
			esac ;;
		esac
	done
}
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ]; then
	grep -A 30 '^FAILED' "$tree/build.log" | tail -n 60 >&2 || tail -n 40 "$tree/build.log" >&2
	die "ninja failed (exit $rc); log: $tree/build.log; rerun to resume"
fi
cp "$build/qemu-system-x86_64" "$binary.tmp"
mv -f "$binary.tmp" "$binary"
date >"$kdir/done"; touch "$kdir/used"
ln -sfn "$key" "$cache/latest.tmp" && mv -T "$cache/latest.tmp" "$cache/latest"
log "done in $((SECONDS - start))s: $binary"

# ---- 6. prune old results (small: one binary each) ---------------------------------
n=0
for d in $(ls -1dt "$cache"/????????????????/used 2>/dev/null); do
	d=$(dirname "$d"); n=$((n + 1))
	[ "$d" = "$kdir" ] || [ $n -le "$keep" ] || rm -rf "$d"
done
echo "$binary"
