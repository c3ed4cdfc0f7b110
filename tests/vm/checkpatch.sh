#!/bin/sh
# Every patch of the kernel series is scripts/checkpatch.pl --strict clean
# (checkpatch from the kernel tree kernel/build.sh prepares).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
tree=$("$root/kernel/build.sh" -q --tree)
# checkpatch inspects the git repository it runs in: run it from elsewhere.
cd /
rc=0
for p in "$root"/kernel/patches/0*.patch; do
	out=$(perl "$tree/scripts/checkpatch.pl" --strict --no-tree "$p" 2>&1) || true
	total=$(printf '%s\n' "$out" | grep '^total:' || echo "total: no result")
	echo "$(basename "$p"): $total"
	case $total in
	"total: 0 errors, 0 warnings, 0 checks"*) ;;
	*) printf '%s\n' "$out"; rc=1 ;;
	esac
done
exit $rc
