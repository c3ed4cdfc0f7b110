#!/bin/sh
# Every patch of the kernel series is scripts/checkpatch.pl --strict clean
# (checkpatch from the kernel tree kernel/build.sh prepares). The series of
# VNETHASH_KERNEL_VERSION (7.3: kernel/patches, 6.12: kernel/patches-6.12).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
case ${VNETHASH_KERNEL_VERSION:-7.3} in
7.3) dir=$root/kernel/patches ;;
6.12) dir=$root/kernel/patches-6.12 ;;
*) echo "unknown VNETHASH_KERNEL_VERSION=$VNETHASH_KERNEL_VERSION" >&2; exit 2 ;;
esac
tree=$("$root/kernel/build.sh" -q --tree)
# checkpatch inspects the git repository it runs in: run it from elsewhere.
cd /
rc=0 n=0
for p in "$dir"/0*.patch; do
	[ -f "$p" ] || continue
	n=$((n + 1))
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree "$p" 2>&1) || true
	total=$(printf '%s\n' "$out" | grep '^total:' || echo "total: no result")
	echo "$(basename "$p"): $total"
	case $total in
	"total: 0 errors, 0 warnings, 0 checks"*) ;;
	*) printf '%s\n' "$out"; rc=1 ;;
	esac
done
[ $n -gt 1 ] || { echo "no patches in $dir"; exit 1; }
echo "$n files checked in $dir"
exit $rc
