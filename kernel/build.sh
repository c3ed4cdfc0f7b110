#!/bin/bash
# kernel/build.sh - build the vnethash test kernel: Linux 7.3 + kernel/patches
# (the default), or Linux 6.12 + kernel/patches-6.12 (the backport).
#
# Usage: kernel/build.sh [options]
#   (no option)    build if needed; print the bzImage path (only line on stdout)
#   --kernel VER   which kernel: 7.3 (default) or 6.12; also from the
#                  environment, VNETHASH_KERNEL_VERSION=VER
#   --variant NAME also merge kernel/config-NAME.fragment after the version's
#                  fragment (its lines win); also VNETHASH_KERNEL_VARIANT=NAME.
#                  compat: no BTF, tun as a module (modules/tun.ko beside
#                  the bzImage)
#   --print-path   print the path the bzImage has / would have; build nothing
#   --tree         print the kernel tree's path instead of the bzImage's
#                  (built if needed; with --print-path: not built)
#   --force        throw away this configuration's tree and build from scratch
#   --no-seed      do not start from a copy of an older tree (full build)
#   -v, --verbose  stream the whole make output to stderr
#   -q, --quiet    only stage messages, progress lines (every 30 s and at
#                  each stage of make) and errors on stderr
#   -h, --help
#
# Per version: 7.3 uses linux-source-7.3, kernel/patches/, config.fragment;
# 6.12 uses linux-source-6.12, kernel/patches-6.12/, config-6.12.fragment.
#
# The cache (${VNETHASH_KERNEL_CACHE:-/var/cache/vnethash/kernel}) holds one
# directory per key: a hash of the kernel version, the source package
# version, the patches (names and the diffs they apply, in order: not their
# commit messages), the config fragment,
# this script, the variant's fragment, and the compiler / pahole versions.
# With CONFIG_MODULES=y the modules built are copied to modules/ beside the
# bzImage.  See kernel/README.md for
# the layout.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
cache=${VNETHASH_KERNEL_CACHE:-/var/cache/vnethash/kernel}
keep=${VNETHASH_KERNEL_KEEP:-4}
arch=x86_64
kver=${VNETHASH_KERNEL_VERSION:-7.3}
variant=${VNETHASH_KERNEL_VARIANT:-}

print_path=0 want_tree=0 force=0 seed=1 verbosity=normal
while [ $# -gt 0 ]; do
	case $1 in
	--kernel)
		[ $# -ge 2 ] || { echo "build.sh: --kernel needs a version (7.3 or 6.12)" >&2; exit 2; }
		kver=$2; shift ;;
	--kernel=*) kver=${1#--kernel=} ;;
	--variant)
		[ $# -ge 2 ] || { echo "build.sh: --variant needs a name" >&2; exit 2; }
		variant=$2; shift ;;
	--variant=*) variant=${1#--variant=} ;;
	--print-path) print_path=1 ;;
	--tree) want_tree=1 ;;
	--force) force=1 ;;
	--no-seed) seed=0 ;;
	-v|--verbose) verbosity=verbose ;;
	-q|--quiet) verbosity=quiet ;;
	-h|--help) sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "build.sh: unknown option: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

case $kver in
7.3) fragment=$here/config.fragment patchdir=$here/patches ;;
6.12) fragment=$here/config-6.12.fragment patchdir=$here/patches-6.12 ;;
*) echo "build.sh: unknown kernel version '$kver' (7.3 or 6.12)" >&2; exit 2 ;;
esac
vfragment=""
if [ -n "$variant" ]; then
	vfragment=$here/config-$variant.fragment
	[ -f "$vfragment" ] || { echo "build.sh: unknown variant '$variant' (no $vfragment)" >&2; exit 2; }
fi
pkg=linux-source-$kver
tarball=/usr/src/$pkg.tar.xz

log() { echo "[kernel/build.sh] $*" >&2; }
die() { echo "[kernel/build.sh] ERROR: $*" >&2; exit 1; }

apt_install() {
	log "installing with apt-get: $*"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends "$@" >&2; then
		apt-get update >&2 || true
		apt-get install -y --no-install-recommends "$@" >&2 ||
			die "apt-get install $* failed"
	fi
}

# ---- prerequisites -----------------------------------------------------------
if [ ! -f "$tarball" ]; then
	apt_install "$pkg"
	[ -f "$tarball" ] || die "$tarball still missing after installing $pkg (for 7.3: scripts/install-deps.sh adds trixie-backports)"
fi
if [ $print_path = 0 ]; then
	missing=()
	for tool in make:make gcc:gcc flex:flex bison:bison bc:bc pahole:dwarves \
	            cpio:cpio xz:xz-utils perl:perl; do
		command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
	done
	[ -f /usr/include/libelf.h ] || missing+=(libelf-dev)
	[ -f /usr/include/openssl/opensslv.h ] || missing+=(libssl-dev)
	[ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
fi

# ---- the key -------------------------------------------------------------------
patches=()
if [ -d "$patchdir" ]; then
	for p in "$patchdir"/[0-9]*.patch; do
		[ -f "$p" ] || continue
		[ "$(basename "$p")" = 0000-cover-letter.patch ] && continue
		patches+=("$p")
	done
fi

srcversion=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)
[ -n "$srcversion" ] || srcversion="sha256:$(sha256sum <"$tarball" | cut -d' ' -f1)"

# What a patch changes in the tree: its diff, without the commit message
# (a reworded message or a renumbered "[PATCH n/m]" builds the same kernel)
# and without format-patch's trailing "-- " signature (the git version).
patch_change() {
	awk '/^diff --git / { body = 1 } body { line[n++] = $0 }
	     END { end = n; for (i = n - 1; i >= 0; i--) if (line[i] == "-- ") { end = i; break }
	           for (i = 0; i < end; i++) print line[i] }' "$1"
}
same_change() { cmp -s <(patch_change "$1") <(patch_change "$2"); }

keyinfo() {
	echo "kernel $kver"
	echo "source $pkg $srcversion"
	for p in ${patches[@]+"${patches[@]}"}; do
		echo "patch $(basename "$p") $(patch_change "$p" | sha256sum | cut -d' ' -f1)"
	done
	echo "fragment $(sha256sum <"$fragment" | cut -d' ' -f1)"
	[ -z "$variant" ] || echo "variant $variant $(sha256sum <"$vfragment" | cut -d' ' -f1)"
	echo "script $(sha256sum <"$self" | cut -d' ' -f1)"
	echo "toolchain $(gcc --version 2>/dev/null | head -n1) / pahole $(pahole --version 2>/dev/null)"
}
info=$(keyinfo)
key=$(printf '%s\n' "$info" | sha256sum | cut -c1-16)
kdir=$cache/$key
tree=$kdir/linux
image=$kdir/bzImage

if [ $print_path = 1 ]; then
	if [ $want_tree = 1 ]; then echo "$tree"; else echo "$image"; fi
	exit 0
fi

result() {
	touch "$kdir/used" 2>/dev/null || true
	if [ $want_tree = 1 ]; then echo "$tree"; else echo "$image"; fi
}

if [ $force = 0 ] && [ -f "$kdir/done" ] && [ -f "$image" ]; then
	[ $verbosity = quiet ] || log "up to date: $key (${#patches[@]} patches)"
	result
	exit 0
fi

# ---- lock ------------------------------------------------------------------------
mkdir -p "$kdir"
touch "$kdir/used"
exec 9>"$kdir/lock"
if ! flock -n 9; then
	log "another build of $key is running; waiting for its lock"
	flock 9
fi

if [ $force = 1 ]; then
	log "--force: removing $kdir"
	find "$kdir" -mindepth 1 -maxdepth 1 ! -name lock -exec rm -rf {} +
elif [ -f "$kdir/done" ] && [ -f "$image" ]; then
	log "built meanwhile by another invocation: $key"
	result
	exit 0
fi
printf '%s\n' "$info" >"$kdir/info"

state() { cat "$kdir/state" 2>/dev/null || echo none; }
set_state() { echo "$1" >"$kdir/state.tmp" && mv -f "$kdir/state.tmp" "$kdir/state"; }

# git apply outside of any enclosing git repository (the cache may live in one)
tree_git() {
	GIT_CEILING_DIRECTORIES=$(dirname "$tree") git -C "$tree" "$@"
}

start_time=$SECONDS
log "key $key: Linux $kver${variant:+ ($variant)} ($pkg $srcversion), ${#patches[@]} patch(es), cache $kdir"

# ---- 1. source tree ------------------------------------------------------------------
# A tree whose patching was interrupted is half patched: start it again.
case $(state) in
none|extracting|patching|seeding) rm -rf "$tree" "$kdir/seed" "$kdir/applied" "$kdir/seed-mtimes" ;;
esac

# Seed: copy a finished tree of the same source and toolchain, revert its
# patches, and let make rebuild only what changed. Preferred: one built with
# the same configuration (fragment and variant lines of the key: a tree of
# another configuration rebuilds nearly everything); among equals, the most
# recently used.
try_seed() {
	local cand best="" best_t=0 best_same=0 t same conf
	conf=$(printf '%s\n' "$info" | grep -E '^(fragment|variant) ')
	for cand in "$cache"/????????????????; do
		[ "$cand" = "$kdir" ] || [ -L "$cand" ] && continue
		[ -f "$cand/done" ] && [ -d "$cand/linux" ] && [ -f "$cand/info" ] || continue
		grep -qxF "$(printf '%s\n' "$info" | grep '^source ')" "$cand/info" || continue
		grep -qxF "$(printf '%s\n' "$info" | grep '^toolchain ')" "$cand/info" || continue
		t=$(stat -c %Y "$cand/used" 2>/dev/null || stat -c %Y "$cand/done")
		same=0
		[ "$(grep -E '^(fragment|variant) ' "$cand/info")" = "$conf" ] && same=1
		if [ $same -gt $best_same ] ||
		   { [ $same = $best_same ] && [ "$t" -gt "$best_t" ]; }; then
			best=$cand best_t=$t best_same=$same
		fi
	done
	[ -n "$best" ] || return 1
	log "seeding from $(basename "$best")$([ $best_same = 1 ] && echo ", same configuration" || echo ", another configuration: most of it rebuilds") (copying its tree, reverting its patches)"
	set_state seeding
	rm -rf "$kdir/applied"
	mkdir -p "$kdir/applied"
	(
		exec 8>"$best/lock"
		flock -n 8 || exit 1     # being rebuilt right now: don't copy it
		cp -a "$best/linux" "$kdir/seed" || exit 1
		# keep the patches both series start with (their files keep their
		# mtimes, nothing is rebuilt for them); revert the old rest
		old=() i=0 common=0
		[ -d "$best/applied" ] && old=($(ls "$best/applied"))
		while [ $i -lt ${#old[@]} ] && [ $i -lt ${#patches[@]} ] &&
		      [ "${old[i]}" = "$(basename "${patches[i]}")" ] &&
		      same_change "$best/applied/${old[i]}" "${patches[i]}"; do
			cp "${patches[i]}" "$kdir/applied/" || exit 1
			i=$((i + 1))
		done
		common=$i
		# the files the reverted patches touch, with their content and
		# mtime: those the new patches leave as they were get the old mtime
		# back after patching (below), so make rebuilds only what changed
		for ((i = common; i < ${#old[@]}; i++)); do
			sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' \
				"$best/applied/${old[i]}"
		done | sort -u | while IFS= read -r f; do
			[ -f "$kdir/seed/$f" ] || continue
			printf '%s\t%s\t%s\n' "$(sha256sum <"$kdir/seed/$f" | cut -d' ' -f1)" \
				"$(stat -c %y "$kdir/seed/$f")" "$f"
		done >"$kdir/seed-mtimes" || exit 1
		for ((i = ${#old[@]} - 1; i >= common; i--)); do
			GIT_CEILING_DIRECTORIES=$kdir git -C "$kdir/seed" apply -R \
				"$best/applied/${old[i]}" || exit 1
		done
		log "seed keeps $common patch(es), reverted $((${#old[@]} - common))"
	) || { rm -rf "$kdir/seed" "$kdir/applied" "$kdir/seed-mtimes"; log "seeding failed; extracting a fresh tree"; return 1; }
	mv "$kdir/seed" "$tree"
	return 0
}

if [ "$(state)" = none ] || [ "$(state)" = extracting ] || [ "$(state)" = patching ] ||
   [ "$(state)" = seeding ]; then
	if [ $seed = 1 ] && [ $force = 0 ] && try_seed; then
		:
	else
		set_state extracting
		log "extracting $tarball"
		rm -rf "$kdir/src.tmp"
		mkdir -p "$kdir/src.tmp"
		tar -C "$kdir/src.tmp" -xf "$tarball"
		top=$(ls "$kdir/src.tmp")
		[ "$(echo "$top" | wc -l)" = 1 ] && [ -f "$kdir/src.tmp/$top/Makefile" ] ||
			die "unexpected tarball layout: $top"
		mv "$kdir/src.tmp/$top" "$tree"
		rmdir "$kdir/src.tmp"
	fi
	set_state extracted
fi

# ---- 2. patches ------------------------------------------------------------------------
if [ "$(state)" = extracted ]; then
	set_state patching
	mkdir -p "$kdir/applied"
	for p in ${patches[@]+"${patches[@]}"}; do
		name=$(basename "$p")
		# already in the tree (kept from a seed tree)
		[ -f "$kdir/applied/$name" ] && same_change "$p" "$kdir/applied/$name" && continue
		log "applying $name"
		if ! out=$(tree_git apply --check "$p" 2>&1); then
			echo "$out" >&2
			# the half-patched tree is of no use: free the space
			rm -rf "$tree" "$kdir/applied" "$kdir/state"
			die "patch $name does not apply to $pkg $srcversion (kernel/patches/$name)"
		fi
		tree_git apply "$p" || die "patch $name failed to apply"
		cp "$p" "$kdir/applied/$name"
	done
	if [ -f "$kdir/seed-mtimes" ]; then
		n=0
		while IFS=$'\t' read -r sum mtime f; do
			[ -f "$tree/$f" ] || continue
			[ "$(sha256sum <"$tree/$f" | cut -d' ' -f1)" = "$sum" ] || continue
			touch -d "$mtime" "$tree/$f" && n=$((n + 1))
		done <"$kdir/seed-mtimes"
		log "seed: $n file(s) re-patched to their old content keep their old mtime"
		rm -f "$kdir/seed-mtimes"
	fi
	set_state patched
fi

# ---- 3. configuration ------------------------------------------------------------------
# Kbuild records absolute paths (tools/objtool, resolve_btfids), and every
# object depends on the objtool binary: a tree built at another path rebuilds
# from scratch.  So make runs in a private mount namespace where the keyed
# tree is bind-mounted at one fixed path ($stable); a seeded copy of an older
# tree then only rebuilds what its patches changed.  Without unshare (not
# root), make runs in place: correct, but seeding saves nothing.
stable=$cache/.mnt/linux
use_ns=0
if mkdir -p "$stable" 2>/dev/null &&
   unshare --mount --propagation private true 2>/dev/null; then
	use_ns=1
fi
kmake() {
	if [ $use_ns = 1 ]; then
		unshare --mount --propagation private -- /bin/sh -c \
			't=$1 s=$2; shift 2; mount --bind "$t" "$s" && exec make -C "$s" "$@"' \
			sh "$tree" "$stable" ARCH=$arch "$@"
	else
		make -C "$tree" ARCH=$arch "$@"
	fi
}

# The lines to check: the version's fragment, then the variant's; for a
# symbol both name, the variant's line.
wanted_config() {
	cat "$fragment" ${vfragment:+"$vfragment"} |
	awk '{ s = $0; if (s ~ /^# CONFIG_.* is not set$/) { sub(/^# /, "", s); sub(/ .*/, "", s) }
	       else if (s ~ /^CONFIG_/) sub(/=.*/, "", s); else next
	       if (!(s in line)) order[n++] = s; line[s] = $0 }
	     END { for (i = 0; i < n; i++) print line[order[i]] }'
}

check_config() {
	local line sym val bad=0
	while IFS= read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			if grep -q "^$sym=" "$tree/.config"; then
				log "config: $sym wanted off but is: $(grep "^$sym=" "$tree/.config")"
				bad=1
			fi ;;
		CONFIG_*=*)
			sym=${line%%=*}
			if ! grep -qxF "$line" "$tree/.config"; then
				val=$(grep -E "^$sym=|^# $sym is not set" "$tree/.config" || echo "absent")
				log "config: wanted $line, got: $val"
				bad=1
			fi ;;
		esac
	done < <(wanted_config)
	return $bad
}

if [ "$(state)" = patched ]; then
	log "configuring: tinyconfig + $(basename "$fragment")${variant:+ + $(basename "$vfragment")}"
	if ! {
		echo "=== configuring $(date) ==="
		kmake tinyconfig &&
		(cd "$tree" && scripts/kconfig/merge_config.sh -m .config "$fragment" ${vfragment:+"$vfragment"}) &&
		kmake olddefconfig
	} >"$kdir/config.log" 2>&1; then
		tail -n 30 "$kdir/config.log" >&2
		die "configuration failed (log: $kdir/config.log)"
	fi
	[ $verbosity = verbose ] && cat "$kdir/config.log" >&2
	check_config || die "config.fragment: options above were dropped by Kconfig (missing dependencies?)"
	set_state configured
fi

# ---- 4. build ------------------------------------------------------------------------------
# The whole output goes to build.log; stderr gets it all (--verbose), or a
# progress line every 30 s and at each late stage of make (linking, BTF,
# bzImage), plus warnings/errors (default; --quiet: errors only).
progress_filter() {
	local line last=$SECONDS n=0
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$kdir/build.log"
		n=$((n + 1))
		if [ $verbosity = verbose ]; then
			printf '%s\n' "$line" >&2
			continue
		fi
		case $line in
		*error:*|*Error*)
			printf '%s\n' "$line" >&2 ;;
		*warning:*|*WARNING*|*unresolved*)
			[ $verbosity = quiet ] || printf '%s\n' "$line" >&2 ;;
		"  LD      vmlinux"*|"  BTF "*|"  BTFIDS  "*|"  BUILD   "*|"  KSYMS "*)
			log "make: $((SECONDS - start_time))s, $n lines; stage:$line"
			last=$SECONDS ;;
		*)
			if [ $((SECONDS - last)) -ge 30 ]; then
				log "make: $((SECONDS - start_time))s, $n lines; $line"
				last=$SECONDS
			fi ;;
		esac
	done
}

if [ "$(state)" = configured ]; then
	check_config || die "config.fragment: options above are missing from $tree/.config"
	log "make -j$(nproc) bzImage of Linux $kver: a few minutes on 2 cores from scratch; progress every 30 s (log: $kdir/build.log)"
	echo "=== make started $(date) ===" >>"$kdir/build.log"
	set +e
	kmake -j"$(nproc)" bzImage 2>&1 | progress_filter
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" != 0 ]; then
		tail -n 40 "$kdir/build.log" >&2
		die "make failed (exit $rc); full log: $kdir/build.log; rerun to resume"
	fi
	[ -f "$tree/arch/x86/boot/bzImage" ] || die "make succeeded but there is no bzImage"
	[ -f "$tree/vmlinux" ] || die "make succeeded but there is no vmlinux"
	if grep -qx 'CONFIG_MODULES=y' "$tree/.config"; then
		log "make modules"
		set +e
		kmake -j"$(nproc)" modules 2>&1 | progress_filter
		rc=${PIPESTATUS[0]}
		set -e
		[ "$rc" = 0 ] || die "make modules failed (exit $rc); full log: $kdir/build.log"
		rm -rf "$kdir/modules"
		mkdir -p "$kdir/modules"
		find "$tree" -name '*.ko' -exec cp {} "$kdir/modules/" \;
	fi
	cp "$tree/arch/x86/boot/bzImage" "$image.tmp"
	mv -f "$image.tmp" "$image"
	set_state built
fi

[ "$(state)" = built ] || die "unexpected state $(state) in $kdir"
date >"$kdir/done"
touch "$kdir/used"
[ -n "$variant" ] || { ln -sfn "$key" "$cache/latest.tmp" && mv -T "$cache/latest.tmp" "$cache/latest"; }
ln -sfn "$key" "$cache/latest.tmp" && mv -T "$cache/latest.tmp" "$cache/latest-$kver${variant:+-$variant}"
log "done in $((SECONDS - start_time))s: $image ($(kmake -s kernelrelease 2>/dev/null))"

# ---- 5. prune old trees: keep the $keep most recently used ones ---------------------------
# and every tree a latest-* link names (the newest build of each version and
# variant, which the optional suites use), however long ago it was used.
prune() {
	local d l n=0 spared=" "
	for l in "$cache"/latest*; do
		[ -L "$l" ] && spared+="$(readlink "$l") "
	done
	for d in $(ls -1dt "$cache"/????????????????/used 2>/dev/null); do
		d=$(dirname "$d")
		[ -L "$d" ] && continue
		[ "$d" = "$kdir" ] && { n=$((n + 1)); continue; }
		case $spared in *" $(basename "$d") "*) continue ;; esac
		n=$((n + 1))
		[ $n -le "$keep" ] && continue
		( exec 8>"$d/lock"; flock -n 8 || exit 0
		  log "pruning old tree $(basename "$d")"
		  find "$d" -mindepth 1 -maxdepth 1 ! -name lock -exec rm -rf {} +
		  rm -f "$d/lock"; rmdir "$d" 2>/dev/null || true )
	done
}
[ "$keep" -gt 0 ] 2>/dev/null && prune
result
