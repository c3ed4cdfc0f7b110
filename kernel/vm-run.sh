#!/bin/bash
# kernel/vm-run.sh - run one command inside a QEMU VM booted on the vnethash
# test kernel, with the host's root file system visible (read-only, with a
# RAM overlay for writes), and exit with the command's exit status.
#
# Usage: kernel/vm-run.sh [options] -- COMMAND [ARGS...]
#   --kernel BZIMAGE   kernel to boot (default: $VNETHASH_VM_KERNEL, else
#                      kernel/build.sh's, built if needed)
#   --timeout SECONDS  host-side limit for the whole VM run (default 600);
#                      when hit: message on stderr, exit 124
#   --mem MB           guest memory (default 1024)
#   --cwd DIR          working directory of COMMAND (default: the current one)
#   --env NAME=VALUE   set a variable for COMMAND (repeatable); --env NAME
#                      passes the caller's value of NAME
#   --append ARGS      extra kernel command line (e.g. panic_on_warn=1)
#   -v, --verbose      show the boot log and the kernel log on stderr
#   -h, --help
#
# COMMAND's stdout comes on stdout, its stderr on stderr (two serial ports),
# its stdin is /dev/null.  Exit status: COMMAND's; 124 on timeout; 125 when
# the VM itself failed (no kernel, boot failure, kernel panic, init error).
# Environment: VNETHASH_VM_KVM=1 uses KVM instead of TCG;
# VNETHASH_VM_CACHE (default /var/cache/vnethash/vm) caches the initramfs.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
vmcache=${VNETHASH_VM_CACHE:-/var/cache/vnethash/vm}

kernel=${VNETHASH_VM_KERNEL:-} timeout_s=600 mem=1024 cwd=$PWD append="" verbose=0
envs=()
usage() { sed -n '2,/^set -euo/p' "$self" | sed '$d; s/^# \{0,1\}//'; }
need_arg() { [ $# -ge 2 ] || { echo "vm-run: $1 needs an argument" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$@"; kernel=$2; shift ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift ;;
	--mem) need_arg "$@"; mem=$2; shift ;;
	--cwd) need_arg "$@"; cwd=$2; shift ;;
	--env) need_arg "$@"
		case $2 in
		*=*) envs+=("$2") ;;
		*) [ -n "${!2+x}" ] && envs+=("$2=${!2}") ;;
		esac
		shift ;;
	--append) need_arg "$@"; append="$append $2"; shift ;;
	-v|--verbose) verbose=1 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	*) echo "vm-run: unknown option $1 (COMMAND goes after --)" >&2; exit 2 ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "vm-run: no COMMAND (usage: vm-run.sh [options] -- COMMAND [ARGS...])" >&2; exit 2; }
case $timeout_s in ''|*[!0-9]*) echo "vm-run: bad --timeout $timeout_s" >&2; exit 2 ;; esac
case $mem in ''|*[!0-9]*) echo "vm-run: bad --mem $mem" >&2; exit 2 ;; esac
cwd=$(cd "$cwd" 2>/dev/null && pwd -P) || { echo "vm-run: no such directory: $cwd" >&2; exit 2; }

say() { echo "vm-run: $*" >&2; }
fail() { say "$*"; exit 125; }

apt_install() {
	say "installing with apt-get: $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends "$@" >&2 ||
		{ apt-get update >&2 && apt-get install -y --no-install-recommends "$@" >&2; }
}
command -v qemu-system-x86_64 >/dev/null || apt_install qemu-system-x86 ||
	fail "qemu-system-x86_64 not found and apt-get install qemu-system-x86 failed"

# ---- kernel ------------------------------------------------------------------------
if [ -z "$kernel" ]; then
	kernel=$("$here/build.sh" -q) || fail "kernel build failed"
fi
[ -f "$kernel" ] || fail "no kernel image: $kernel"

# ---- initramfs: static busybox + /init, cached by content ------------------------------
# /init runs in the guest.  It mounts the host root (9p, read-only) with a
# tmpfs overlay on top at /host, mounts the API file systems inside it,
# then chroots there and runs /run/vnethash/job.sh (written below) with
# stdout on ttyS0 (the console) and stderr on ttyS1.
read -r -d '' init_script <<'INIT' || true
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
for w in $(cat /proc/cmdline); do
	case $w in
	vnethash.job=*) job=${w#*=} ;;
	vnethash.nonce=*) nonce=${w#*=} ;;
	esac
done
M="@@VNETHASH"
die() {
	echo "${M}-INITFAIL-${nonce}@@ $*"
	stty -F /dev/console -opost 2>/dev/null
	reboot -f
}
[ -n "$job" ] && [ -n "$nonce" ] || die "no vnethash.job= / vnethash.nonce= on the kernel command line"
mkdir -p /lower /rw /host
mount -t 9p -o ro,trans=virtio,version=9p2000.L,cache=loose,msize=512000 hostroot /lower ||
	die "cannot mount the host root over 9p (tag hostroot)"
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/upper /rw/work
if mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /host 2>/dev/null; then
	root=overlay
else
	# no overlayfs: read-only host root, fresh tmpfs on /tmp
	mount --bind /lower /host || die "cannot bind-mount /lower"
	mount -t tmpfs -o mode=1777 tmp /host/tmp || die "cannot mount /host/tmp"
	root=ro
fi
mount -t proc proc /host/proc || die "cannot mount /host/proc"
mount -t sysfs sysfs /host/sys || die "cannot mount /host/sys"
mount -t devtmpfs devtmpfs /host/dev || die "cannot mount /host/dev"
mkdir -p /host/dev/pts /host/dev/shm 2>/dev/null
mount -t devpts -o ptmxmode=0666 devpts /host/dev/pts
mount -t tmpfs -o mode=1777 shm /host/dev/shm
mount -t bpf -o mode=0700 bpf /host/sys/fs/bpf || die "cannot mount bpffs"
mount -t tmpfs -o mode=0755 run /host/run || die "cannot mount /host/run"
mkdir -p /host/run/vnethash
cp "/lower$job/job.sh" /host/run/vnethash/job.sh || die "cannot read the job script $job/job.sh"
ip link set lo up || die "cannot bring lo up"
hostname vnethash-vm
stty -F /dev/ttyS0 115200 -opost
stty -F /dev/ttyS1 115200 -opost
klines=$(dmesg | wc -l)
dmesg -n 1
echo
echo "${M}-BEGIN-${nonce}@@ root=$root"
chroot /host /bin/sh /run/vnethash/job.sh </dev/null >/dev/ttyS0 2>/dev/ttyS1
rc=$?
# stty sets the line with TCSADRAIN: it returns once all output is sent
stty -F /dev/ttyS1 -opost
stty -F /dev/ttyS0 -opost
echo "${M}-END-${nonce}@@ $rc"
echo "${M}-KLOG-${nonce}@@"
dmesg | tail -n +$((klines + 1))
echo "${M}-KLOGEND-${nonce}@@"
stty -F /dev/ttyS0 -opost
reboot -f
INIT

busybox=/bin/busybox
if [ ! -x $busybox ] || readelf -l $busybox 2>/dev/null | grep -q INTERP; then
	apt_install busybox-static || fail "cannot install busybox-static"
fi
ikey=$( { sha256sum <$busybox; printf '%s\n' "$init_script"; echo v1; } | sha256sum | cut -c1-16)
initrd=$vmcache/initramfs-$ikey.cpio.gz

build_initramfs() { # $1: output file
	local stage
	stage=$(mktemp -d "${TMPDIR:-/tmp}/vnethash-initramfs.XXXXXX")
	mkdir -p "$stage"/{bin,dev,proc,sys,lower,rw,host}
	cp $busybox "$stage/bin/busybox"
	for a in $($busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
	done
	printf '%s\n' "$init_script" >"$stage/init"
	chmod 755 "$stage/init"
	mknod "$stage/dev/console" c 5 1 2>/dev/null || true # else /init reopens it
	(cd "$stage" && find . | sort | cpio -o -H newc -R 0:0 --quiet) | gzip -n -6 >"$1.tmp"
	mv -f "$1.tmp" "$1"
	rm -rf "$stage"
}
if [ ! -s "$initrd" ]; then
	if mkdir -p "$vmcache" 2>/dev/null && touch "$vmcache/.lock" 2>/dev/null; then
		( flock 8; [ -s "$initrd" ] || build_initramfs "$initrd" ) 8>"$vmcache/.lock"
	fi
fi

# ---- job directory (seen by the guest through the 9p share) -----------------------------
tmpbase=${TMPDIR:-/tmp}
case $tmpbase in *[[:space:]]*) tmpbase=/tmp ;; esac
job=$(mktemp -d "$tmpbase/vnethash-vm.XXXXXX")
job=$(cd "$job" && pwd -P)
qpid="" tpid="" apid=""
cleanup() {
	[ -n "$apid" ] && kill "$apid" 2>/dev/null
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	rm -rf "$job"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ ! -s "$initrd" ]; then
	initrd=$job/initramfs.cpio.gz # cache not writable: build a private one
	build_initramfs "$initrd"
fi

q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/root TERM=dumb LANG=C.UTF-8 TMPDIR=/tmp"
	for e in ${envs[@]+"${envs[@]}"}; do
		echo "export ${e%%=*}=$(q "${e#*=}")"
	done
	echo "cd $(q "$cwd") || exit 125"
	printf 'exec'
	for a in "$@"; do printf ' %s' "$(q "$a")"; done
	echo
} >"$job/job.sh"

nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
if [ "${VNETHASH_VM_KVM:-0}" = 1 ]; then
	accel=(-accel kvm -cpu host,-arch-capabilities)
else
	accel=(-accel tcg -cpu max)
fi
if [ $verbose = 1 ]; then loglevel="loglevel=7"; else loglevel="quiet loglevel=4"; fi
cmdline="console=ttyS0,115200 panic=-1 oops=panic $loglevel rdinit=/init"
cmdline="$cmdline vnethash.job=$job vnethash.nonce=$nonce$append"

: >"$job/stderr"
mkfifo "$job/console"
start=$SECONDS
timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 "${accel[@]}" -smp 2 -m "$mem" \
	-nodefaults -nographic -no-reboot -serial mon:stdio \
	-serial "file:$job/stderr" -nic none \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	</dev/null >"$job/console" 2>"$job/qemu.err" &
qpid=$!
tail -n +1 -s 0.2 -f --pid=$qpid "$job/stderr" >&2 &
tpid=$!

# Console: boot log -> console.log (and stderr with -v); between the BEGIN
# and END markers -> stdout, as it comes.  END carries the exit status.
awk -v nonce="$nonce" -v logf="$job/console.log" -v status="$job/status" \
    -v verbose=$verbose '
BEGIN { m = "@@VNETHASH-"; beg = m "BEGIN-" nonce "@@"; end = m "END-" nonce "@@"
	klog = m "KLOG-" nonce "@@"; klogend = m "KLOGEND-" nonce "@@"
	ifail = m "INITFAIL-" nonce "@@"; st = 0 }
function logline(s) {
	gsub(/\r/, "", s); gsub(/\033\[[0-9;?]*[A-Za-z]/, "", s); gsub(/\033c/, "", s); gsub(/\033[()][0-9A-Za-z]/, "", s)
	print s >> logf; fflush(logf)
	if (verbose) { print s > "/dev/stderr"; fflush("/dev/stderr") }
}
st == 1 {
	if ((i = index($0, end)) > 0) {
		if (i > 1) { printf "%s", substr($0, 1, i - 1); fflush() }
		rest = substr($0, i + length(end)); gsub(/[^0-9]/, "", rest)
		print rest > status; close(status); st = 2; next
	}
	# the kernel console ends its lines with CR LF; the command writes to a
	# tty without output processing (-opost): LF only.  So a line ending
	# in CR is a kernel message (oops, panic), not command output.
	if ($0 ~ /\r$/) { logline("[kernel] " $0); next }
	print; fflush(); print "[out] " $0 >> logf; next
}
st == 0 && index($0, beg) > 0 { st = 1; logline($0); next }
st == 0 && index($0, ifail) > 0 { logline($0); print "INITFAIL " substr($0, index($0, ifail) + length(ifail)) > status; close(status); next }
index($0, klog) > 0 { st = 3; print "[kernel log during the command]" >> logf; next }
index($0, klogend) > 0 { st = 2; next }
st == 3 { sub(/\r$/, ""); print "[klog] " $0 >> logf; if ($0 ~ /WARNING:|BUG:|Oops|Call Trace|panic|lockdep|RCU stall|hung task/) print $0 >> (logf ".problems"); next }
{ logline($0) }
' <"$job/console" &
apid=$!
set +e
wait $apid
apid=""
wait $qpid
qrc=$?
qpid=""
wait $tpid 2>/dev/null
tpid=""
set -e
elapsed=$((SECONDS - start))

show_log() {
	say "last console lines (boot log and kernel messages):"
	tail -n "${1:-40}" "$job/console.log" 2>/dev/null | sed 's/^/  | /' >&2 || true
	if [ -s "$job/qemu.err" ]; then
		say "qemu's stderr:"
		sed 's/^/  | /' "$job/qemu.err" >&2
	fi
}

status=$(cat "$job/status" 2>/dev/null || true)
case $status in
[0-9]*)
	if [ -s "$job/console.log.problems" ]; then
		say "the kernel logged problems during the command:"
		sed 's/^/  | /' "$job/console.log.problems" >&2
	fi
	if [ $verbose = 1 ]; then
		say "kernel log during the command:"
		grep '^\[klog\] ' "$job/console.log" | sed 's/^\[klog\] /  | /' >&2 || true
		say "VM run took ${elapsed}s; command exit status $status"
	fi
	exit "$status" ;;
INITFAIL*)
	show_log
	fail "the VM's init failed: ${status#INITFAIL }" ;;
esac
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	show_log
	say "TIMEOUT: the VM did not finish within ${timeout_s}s (command hung, or VM stuck); killed it"
	exit 124
fi
show_log 60
fail "the VM stopped without reporting the command's exit status (kernel panic? qemu exit code $qrc, after ${elapsed}s)"
