#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Issue 8 items 3 and 4 in a VM: the steering program loads where QEMU's
loads, and what the tool says the program does is what arrives in the
headers.

  test_vmcompat.py --vnethash PATH --builddir DIR
                   [--kernel-variant compat|default|modbtf]

One script, three kernels (Linux 7.3 + kernel/patches, kernel/build.sh),
each with its own expectations (EXPECT below):

  compat   (vmcompat) --variant compat: no DEBUG_INFO_BTF, so no vmlinux
           or module BTF; tun built as a module, inserted here with insmod.
  default  (vmcompat-default) the default kernel: BTF, tun built in; the
           positive control.
  modbtf   (vmcompat-modbtf) --variant modbtf: vmlinux and module BTF,
           tun built as a module (what most distributions ship). The kfunc
           is then only in tun's module BTF, which exists once tun.ko is
           loaded, and which libbpf finds only by enumerating BTF objects
           (BPF_BTF_GET_NEXT_ID: CAP_SYS_ADMIN).

The low-capability loader holds CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON but
not CAP_SYS_ADMIN (setpriv). CAP_PERFMON: without it the verifier applies
its Spectre v1 rules to the program's variable-offset accesses (map value
and stack) and refuses it, whichever build; see the README's
prerequisites. The steps:

  * early: a VMM-like loader (tests/vm/compat_loader.py, libvnethash
    through ctypes, the library's default options) loads the program with
    vnh_steer_load() before tun is there (compat, modbtf: tun.ko not
    inserted yet, no /dev/net/tun, no tun module BTF); then tun.ko is
    inserted, a tap created, and the loader attaches what it loaded. The
    loader is the low-capability one, except on modbtf, where it is full
    root: even root cannot resolve a kfunc whose module is not loaded.
    What vnh_steer_reports() / vnh_steer_info say (reports, build, kfunc,
    whether the kfunc build failed to load, mechanism) against the
    variant's expectations; `vnethash verify` on that tap (20-byte
    headers): every frame on the queue the independent Python model
    (tests/ref) gives, and every header with the model's hash and type if
    the loader said "steering + report", none with a hash if it said
    "steering only";
  * probe: `vnethash probe --json` as the low-capability loader, after
    tun.ko: what the program it gets does ("steering only" / "steering +
    report"), its build, whether the kfunc build failed to load, and
    mechanism_auto; and hash_kfunc / hash_kfunc_btf, what kernel BTF says
    (on modbtf: the kfunc is in tun's BTF, readable by anyone in sysfs,
    while the program this loader gets does not call it);
  * variants: test-steer-variants as that loader (its own expectations;
    run but not asserted on modbtf, see below);
  * attach / show / verify: `vnethash attach` as that loader on a 4-queue
    tap; then (as root: reading a pinned instance's configuration needs
    BPF_MAP_GET_FD_BY_ID) `vnethash show --json`: program, build, kfunc,
    hash_reporting and mechanism as that loader's expectations say; then
    `vnethash verify` on that tap, checked as above (a program that
    reported would put a non-zero hash in the headers of the IP frames);
  * attach-kfunc (modbtf only): `vnethash attach --mechanism kfunc` (what
    QEMU's patch asks for: the kfunc or nothing) as that loader on a
    fresh tap: its exit status and message; `show --json` finds nothing
    pinned; and, from the kernel, no steering program on the tap:
    `vnethash verify` on it (--indir 0,1,2,3) finds frames off the
    model's queues (tun's own steering) and every header NONE with hash
    0; and vnh_tun_steering() (compat_loader.py --steering, one queue
    open, as root) gives prog_id 0 for it and show's program id for the
    attached tap of the step before: its task_file iterator reaches
    tun's types through tun's module BTF (the modbtf kernel has
    BPF_EVENTS, without which no tracing program, iterators included,
    loads: the default and compat test kernels lack it);
  * root / root-verify / root-probe: the same loader as full root, after
    tun.ko (the positive control on compat's and modbtf's kernel), its
    tap verified the same way, and `vnethash probe --json` as root.

Expectations (EXPECT): compat: every loader "steering only", the build
without the kfunc (libbpf refuses a typed kfunc extern without vmlinux
BTF). default: every loader "steering + report", kfunc build.

modbtf, with the libbpf the project links (Debian 12's 1.1.2), which
fails the whole load of an object with a weak kfunc extern that is not
in vmlinux BTF when the loader may not enumerate module BTF
(BPF_BTF_GET_NEXT_ID needs CAP_SYS_ADMIN: "failed to iterate BTF
objects", the load returns EINVAL); libbpf 1.3 would skip module BTF
quietly and leave the extern unresolved. This kernel also has
BPF_PROG_TYPE_VNET_HASH (patches 0020-0023) in vmlinux BTF, which
mechanism auto (the library's default) takes when the kfunc does not
resolve:
  * the early loader, full root, before tun.ko: the kfunc build loads
    with the extern unresolved (no tun BTF yet), so mechanism auto loads
    the program-type build: "steering + report", build and mechanism
    progtype, the kfunc build not refused; after insmod and attach, every
    header on its tap carries the model's hash and type;
  * the low-capability loader after tun.ko: probe --json: the kfunc build
    refused ("Invalid argument"), "steering + report", build progtype,
    mechanism_auto progtype, while hash_kfunc is true, BTF "tun" (what the
    kernel has, read from sysfs); attach (auto) and show: progtype,
    reporting on, every header with the model's hash; attach --mechanism
    kfunc: exit 1, "mechanism kfunc: the steering program with the kfunc
    call did not load: Invalid argument (...)" (the library returns the
    kfunc build's load error, not EOPNOTSUPP, and attach names the
    mechanism and the causes), nothing pinned, no steering program on the
    tap;
  * test-steer-variants as that loader: run, not asserted. Its model of
    libbpf is 1.3's (with vmlinux BTF the kfunc build loads, extern
    unresolved without CAP_SYS_ADMIN; variant AUTO ends as the kfunc
    build): here "variant KFUNC" fails to load (EINVAL) and "variant
    AUTO" ends as the program-type build, so three of its checks fail by
    design on this kernel with libbpf 1.1.2;
  * root after tun.ko: libbpf resolves the kfunc in tun's module BTF,
    but 1.1.2 relocates the ld_imm64 that bpf_ksym_exists() makes of it
    with the BTF id alone, without the module BTF's fd (fixed in libbpf
    1.2, "libbpf: Fix relocation of kfunc ksym in ld_imm64 insn"), so
    the verifier looks the id up in vmlinux BTF and refuses the kfunc
    build ("ldimm64 insn specifies invalid btf_id", ENOENT); the library
    falls back and mechanism auto takes the program type: "steering +
    report", build and mechanism progtype, the kfunc build refused, every
    header with the model's hash; probe --json as root: mechanism_auto
    progtype, kfunc_build_error "No such file or directory". With this
    libbpf no loader gets the kfunc on a kernel whose tun is a module.
So on modbtf every loader is told "steering + report" (the program type)
and every header on its tap carries the model's hash and type, and the
mechanism that is not there (the kfunc, asked for with --mechanism
kfunc) is an error that leaves the tap without a program, not a program
that reports nothing: a VMM that offers HASH_REPORT on what the library
says never delivers NONE instead.

Every expectation is checked and every mismatch reported (FAIL lines)
before the exit status is decided. Exit 0 when every assertion holds; 1
otherwise.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "ref"))
import framegen  # noqa: E402
import vnethash_ref as ref  # noqa: E402

KVER = os.environ.get("VNETHASH_KERNEL_VERSION", "7.3")
CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_PERFMON, CAP_BPF = 12, 21, 38, 39

# The loader: uid 0 with only CAP_BPF and CAP_NET_ADMIN (bounding set and
# inheritable set cut, so exec gives it nothing else).
LOW = ("setpriv --inh-caps=-all --bounding-set=-all,+bpf,+net_admin,+perfmon"
       " --")

SCRIPT = r"""
set -e
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
echo "lowcaps: $($LOW sh -c 'grep CapEff /proc/self/status')"
echo "rootcaps: $(grep CapEff /proc/self/status)"
[ -e /sys/kernel/btf/vmlinux ] && echo "btf: vmlinux" || echo "btf: none"
echo "btf-tun-before: $([ -e /sys/kernel/btf/tun ] && echo present || echo absent)"
# The loader as the variant says: the low-capability one, or full root.
if [ "$EARLY_CAPS" = root ]; then early=""; else early="$LOW"; fi
echo "== early"
# A VMM that loads its program before tun is there: on the compat and
# modbtf kernels tun is not loaded yet (no /dev/net/tun); it is loaded
# below, while the loader waits, and the loader then attaches what it
# loaded.
echo "tun-before: $([ -e /dev/net/tun ] && echo present || echo absent)"
$early python3 "$LOADER" --lib "$LIB" --dev ce0 --queues 4 --go /tmp/go \
	>/tmp/loader.out 2>/tmp/loader.err &
lp=$!
i=0
until grep -q '"stage": "loaded"' /tmp/loader.out 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 3000 ] || ! kill -0 $lp 2>/dev/null; then
		echo "loader: did not load"; cat /tmp/loader.out /tmp/loader.err
		exit 1
	fi
	sleep 0.2
done
[ -z "$MODDIR" ] || insmod "$MODDIR/tun.ko"
echo "tun: $(cat /sys/module/tun/initstate 2>/dev/null || echo built-in)"
echo "btf-tun: $([ -e /sys/kernel/btf/tun ] && echo present || echo absent)"
ip tuntap add dev ce0 mode tap multi_queue vnet_hdr
ip link set ce0 up
touch /tmp/go
lrc=0; wait $lp || lrc=$?
cat /tmp/loader.out
sed 's/^/loader-stderr: /' /tmp/loader.err
echo "loader-exit: $lrc"
echo "== early-verify"
"$VNETHASH" verify ce0 --pcap "$PCAP" --vnet-hdr 20 --json --indir 0,1,2,3 ||
	echo "verify-exit: $?"
echo "== probe"
$LOW "$VNETHASH" probe --json
echo "== variants"
$LOW "$VARIANTS" || echo "variants-exit: $?"
echo "== attach"
ip tuntap add dev ct0 mode tap multi_queue vnet_hdr
ip link set ct0 up
$LOW "$VNETHASH" attach ct0 --queues 4
echo "== show"
"$VNETHASH" show ct0 --json
echo "== verify"
"$VNETHASH" verify ct0 --pcap "$PCAP" --vnet-hdr 20 --json ||
	echo "verify-exit: $?"
if [ "$KFUNC_ATTACH" = 1 ]; then
	echo "== attach-kfunc"
	# What QEMU's patch asks for: the kfunc, never a fallback.
	ip tuntap add dev ck0 mode tap multi_queue vnet_hdr
	ip link set ck0 up
	krc=0
	$LOW "$VNETHASH" attach ck0 --queues 4 --mechanism kfunc \
		>/tmp/ak.out 2>/tmp/ak.err || krc=$?
	sed 's/^/stdout: /' /tmp/ak.out
	sed 's/^/stderr: /' /tmp/ak.err
	echo "attach-exit: $krc"
	echo "== attach-kfunc-show"
	"$VNETHASH" show ck0 --json 2>&1 || echo "show-exit: $?"
	echo "== steering"
	# Read back from the kernel (one queue of each open): ck0, and ct0,
	# which runs what show said, as the control.
	python3 "$LOADER" --lib "$LIB" --steering ck0 ct0 2>&1 ||
		echo "steering-exit: $?"
	echo "== kfunc-verify"
	# What ck0 does with frames: tun's own steering, no header with a hash.
	"$VNETHASH" verify ck0 --pcap "$PCAP" --vnet-hdr 20 --json \
		--indir 0,1,2,3 2>&1 || echo "verify-exit: $?"
fi
echo "== root"
# The same loader as full root, tun.ko in: the tap exists before it loads.
ip tuntap add dev cr0 mode tap multi_queue vnet_hdr
ip link set cr0 up
touch /tmp/go-root
lrc=0
python3 "$LOADER" --lib "$LIB" --dev cr0 --queues 4 --go /tmp/go-root \
	>/tmp/root.out 2>/tmp/root.err || lrc=$?
cat /tmp/root.out
sed 's/^/loader-stderr: /' /tmp/root.err
echo "loader-exit: $lrc"
echo "== root-verify"
"$VNETHASH" verify cr0 --pcap "$PCAP" --vnet-hdr 20 --json --indir 0,1,2,3 ||
	echo "verify-exit: $?"
echo "== root-probe"
"$VNETHASH" probe --json
echo "== end"
"""


# What each kernel gives each loader. A loader's expectation: (reports,
# build, kfunc, kfunc build failed to load, mechanism), i.e. what
# vnh_steer_reports() / vnh_steer_info say, and "steering + report" means
# every header carries the model's hash, "steering only" none does.
#   early: the loader that loads before tun is there (EARLY_CAPS: "low",
#          the low-capability loader, or "root");
#   low:   the low-capability loader after tun.ko (probe, attach/show);
#   root:  full root after tun.ko.
# hash_kfunc / hash_kfunc_btf: what `probe --json` reads from kernel BTF
# (null: no BTF to read).
# low_kfunc_err: the kfunc build's load error `probe --json` gives the
# low-capability loader (None: not checked). kfunc_attach: what `attach
# --mechanism kfunc` as that loader does (None: the step is not run):
# its exit status and the message expected on stderr. variants: whether
# test-steer-variants' own expectations hold for that loader here.
STEER_ONLY_NOKFUNC = (0, "no-kfunc", 0, True, "steer")
REPORT_KFUNC = (1, "kfunc", 1, False, "kfunc")
# The program-type build after the kfunc build loaded with the extern
# unresolved (root before tun.ko) or failed to load (libbpf 1.1.2 without
# CAP_SYS_ADMIN): mechanism auto's next choice where the kernel has it.
REPORT_PROGTYPE = (1, "progtype", 0, False, "progtype")
REPORT_PROGTYPE_KFUNC_REFUSED = (1, "progtype", 0, True, "progtype")
EXPECT = {
    # No BTF: libbpf refuses the typed kfunc extern, weak or not; the
    # library falls back to the build without it.
    "compat": dict(btf="none", tun_module=True, early_caps="low",
                   early=STEER_ONLY_NOKFUNC, low=STEER_ONLY_NOKFUNC,
                   root=STEER_ONLY_NOKFUNC, hash_kfunc=None,
                   hash_kfunc_btf=None, low_kfunc_err=None,
                   root_kfunc_err=None,
                   kfunc_attach=None, variants=True,
                   what="without BTF, tun loaded as a module"),
    # The kfunc in vmlinux BTF: every loader resolves it.
    "default": dict(btf="vmlinux", tun_module=False, early_caps="low",
                    early=REPORT_KFUNC, low=REPORT_KFUNC, root=REPORT_KFUNC,
                    hash_kfunc=True, hash_kfunc_btf="vmlinux",
                    low_kfunc_err=None, root_kfunc_err=None,
                    kfunc_attach=None, variants=True,
                    what="with BTF, tun built in"),
    # vmlinux BTF, the kfunc only in tun's module BTF, and
    # BPF_PROG_TYPE_VNET_HASH (patches 0020-0023) in vmlinux BTF. With
    # libbpf 1.1.2 (Debian 12's): root before tun.ko: the kfunc build
    # loads, the weak extern unresolved (no tun BTF yet), so mechanism
    # auto loads the program-type build. Without CAP_SYS_ADMIN libbpf
    # cannot enumerate module BTF (BPF_BTF_GET_NEXT_ID: EPERM) and fails
    # the kfunc build's whole load ("failed to iterate BTF objects",
    # EINVAL) instead of skipping module BTF (libbpf 1.3 skips it): the
    # library falls back, and mechanism auto again takes the program
    # type; `attach --mechanism kfunc` fails with that EINVAL. Root after
    # tun.ko resolves the kfunc from tun's module BTF, but libbpf 1.1.2
    # relocates the ld_imm64 of bpf_ksym_exists(bpf_tun_vnet_hash_set)
    # with the BTF id alone, no module BTF fd (fixed in libbpf 1.2: "Fix
    # relocation of kfunc ksym in ld_imm64 insn"), so the verifier looks
    # the id up in vmlinux BTF ("ldimm64 insn specifies invalid btf_id",
    # ENOENT): root too gets the program type. (Seen in the first run.)
    "modbtf": dict(btf="vmlinux", tun_module=True, early_caps="root",
                   early=REPORT_PROGTYPE, low=REPORT_PROGTYPE_KFUNC_REFUSED,
                   root=REPORT_PROGTYPE_KFUNC_REFUSED, hash_kfunc=True,
                   hash_kfunc_btf="tun", low_kfunc_err="Invalid argument",
                   root_kfunc_err="No such file or directory",
                   kfunc_attach=(1, "vnethash: ck0: mechanism kfunc: the steering "
                                 "program with the kfunc call did not load: "
                                 "Invalid argument (libbpf cannot use the "
                                 "kfunc here: no vmlinux BTF, module BTF "
                                 "without CAP_SYS_ADMIN, or tun as a module "
                                 "with libbpf 1.1.2); use --mechanism auto "
                                 "or steer"),
                   # test-steer-variants models libbpf 1.3's quiet skip:
                   # with vmlinux BTF it expects the kfunc build to load
                   # (extern unresolved) and variant AUTO to end as the
                   # kfunc build; here libbpf 1.1.2 refuses that build
                   # without CAP_SYS_ADMIN and mechanism auto loads the
                   # program type: three of its checks fail by design.
                   variants=False,
                   what="with vmlinux and module BTF, tun loaded as a "
                        "module"),
}

FAILURES = []


class CheckFailed(Exception):
    pass


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def expect(cond, msg):
    """A failed expectation is reported at once, and the run goes on."""
    if not cond:
        print("FAIL: " + msg, flush=True)
        FAILURES.append(msg)
    return cond


def log(msg):
    print(msg, flush=True)


def build_kernel(variant):
    module = EXPECT[variant]["tun_module"]
    if os.environ.get("VNETHASH_VM_KERNEL"):
        img = os.environ["VNETHASH_VM_KERNEL"]
    else:
        log("kernel: Linux %s, variant %s (kernel/build.sh; a build from "
            "scratch takes minutes)" % (KVER, variant))
        t0 = time.monotonic()
        p = subprocess.run([os.path.join(SRC, "kernel", "build.sh"), "-q",
                            "--kernel", KVER] +
                           (["--variant", variant]
                            if variant != "default" else []),
                           stdout=subprocess.PIPE, text=True)
        if p.returncode != 0:
            fail("kernel/build.sh (variant %s) failed (exit %d)"
                 % (variant, p.returncode))
        img = p.stdout.strip().splitlines()[-1]
        log("kernel: %s (%.0fs)" % (img, time.monotonic() - t0))
    if not module:
        return img, ""
    moddir = os.path.join(os.path.dirname(img), "modules")
    if not os.path.isfile(os.path.join(moddir, "tun.ko")):
        fail("no tun.ko beside %s: not a %s (TUN=m) build" % (img, variant))
    return img, moddir


def sections(out):
    """Split the script's output at its '== name' lines."""
    cur, parts = "pre", {"pre": []}
    for line in out.splitlines():
        if line.startswith("== "):
            cur = line[3:].strip()
            parts[cur] = []
        else:
            parts[cur].append(line)
    return {k: "\n".join(v) for k, v in parts.items()}


def last_json(text, what):
    """The last JSON object in text: one line (probe) or several (show
    --json prints one object over several lines)."""
    dec = json.JSONDecoder()
    starts = [i for i, line in enumerate(text.splitlines())
              if line.startswith("{")]
    lines = text.splitlines()
    for i in reversed(starts):
        try:
            obj, _ = dec.raw_decode("\n".join(lines[i:]))
            return obj
        except ValueError:
            continue
    fail("%s printed no JSON:\n%s" % (what, text[-2000:]))


REPORTS = ["none", "ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6",
           "ipv6_ex", "tcpv6_ex", "udpv6_ex"]
VNH_ALL = 0x1ff
DEFAULT_KEY = bytes.fromhex(
    "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
    "6a42b73bbeac01fa")


def check_verify(text, frames, reports, desc):
    """verify --json output against the independent Python model
    (tests/ref): all types, the default key, 4 queues (a 128-entry table,
    entry i = i % 4), unclassified queue 0. Every sent frame on the
    model's queue; with reports, every header with the model's hash and
    type; without, no header with a hash. Returns the frames sent and how many
    headers carried a hash; CheckFailed on the first mismatch."""
    objs = [json.loads(line) for line in text.splitlines()
            if line.strip().startswith("{")]
    if not objs or "summary" not in objs[-1] or "verify-exit" in text:
        raise CheckFailed("%s: verify failed or printed no summary\n%s"
             % (desc, text[-3000:]))
    summary, per_frame = objs[-1]["summary"], objs[:-1]
    if len(per_frame) != len(frames):
        raise CheckFailed("%s: %d frame objects for %d frames" % (desc, len(per_frame),
                                                   len(frames)))
    if not summary.get("ok") or summary["lost"] or summary["mismatches"] \
            or summary["duplicates"]:
        raise CheckFailed("%s: %s" % (desc, summary))
    sent = with_hash = 0
    for i, (o, f) in enumerate(zip(per_frame, frames)):
        if o["result"] == "unsendable":
            if 14 <= len(f) <= 1514:
                raise CheckFailed("%s: frame %d (%d bytes) unsendable" % (desc, i + 1,
                                                              len(f)))
            continue
        sent += 1
        h, rep = ref.hash_frame(f, VNH_ALL, DEFAULT_KEY)
        q = (h & 127) % 4 if rep else 0
        if o["queue"] != q:
            raise CheckFailed("%s: frame %d on queue %s, the model says %d\n%s"
                 % (desc, i + 1, o["queue"], q, f.hex()))
        got = (o["kernel_hash"], o["kernel_report"])
        if reports:
            if got[1] != REPORTS[rep] or got[0] is None or \
                    int(got[0], 16) != h:
                raise CheckFailed("%s: frame %d: header %s/%s, model 0x%08x/%s\n%s"
                     % (desc, i + 1, got[0], got[1], h, REPORTS[rep],
                        f.hex()))
            with_hash += rep != 0
        elif got != (None, None):
            raise CheckFailed("%s: the program only steers, but frame %d's header "
                 "carries %s/%s" % (desc, i + 1, got[0], got[1]))
    if sent < 2500 or summary["received"] != sent:
        raise CheckFailed("%s: %d frames sent, summary %s" % (desc, sent, summary))
    return sent, with_hash


def loader_stages(text):
    """compat_loader.py's JSON lines, by stage."""
    st = {}
    for line in text.splitlines():
        if line.startswith('{"stage"'):
            o = json.loads(line)
            st[o["stage"]] = o
    return st


def describe(exp):
    reports, build, kfunc, load_err, mech = exp
    return "%s, %s build, kfunc %d, kfunc build %s, mechanism %s" % (
        "steering + report" if reports else "steering only", build, kfunc,
        "refused" if load_err else "loaded", mech)


def check_loader(text, exp, caps, tun_dev, desc):
    """A compat_loader.py run: both stages returned 0, and what the library
    says of the program it loaded is @exp."""
    st = loader_stages(text)
    ld, at = st.get("loaded"), st.get("attached")
    if not ld or not at or ld["rc"] != 0 or at["rc"] != 0 or \
            "loader-exit: 0" not in text:
        expect(False, "%s: the loader failed:\n%s" % (desc, text[-3000:]))
        return False
    reports, build, kfunc, load_err, mech = exp
    got = (ld["reports"], ld["variant"], ld["kfunc"],
           ld["kfunc_load_err"] != 0, ld["mechanism"])
    why = [line[len("loader-stderr: "):] for line in text.splitlines()
           if line.startswith("loader-stderr: ")]
    ok = expect(got == exp, "%s: the library says %s (kfunc build's load "
                "error %d, libbpf %s); expected %s\n  loader's stderr "
                "(libbpf):\n    %s"
                % (desc, describe(got), ld["kfunc_load_err"], ld["libbpf"],
                   describe(exp), "\n    ".join(why[-12:]) or "(empty)"))
    ok &= expect(int(ld["cap_eff"], 16) == caps,
                 "%s: the loader ran with CapEff %s, not %#x"
                 % (desc, ld["cap_eff"], caps))
    ok &= expect(ld["tun_dev"] == tun_dev,
                 "%s: /dev/net/tun %s at the load"
                 % (desc, "there" if ld["tun_dev"] else "absent"))
    if ok:
        log("ok - %s: vnh_steer_reports() %d: %s (kfunc build's load error "
            "%d; libbpf %s, CapEff %s)" % (desc, ld["reports"],
                                            describe(got),
                                            ld["kfunc_load_err"],
                                            ld["libbpf"], ld["cap_eff"]))
    return ok


def verify_as(text, frames, reports, desc, said):
    """check_verify, a mismatch recorded rather than fatal."""
    try:
        sent, hashed = check_verify(text, frames, reports, desc)
    except CheckFailed as e:
        expect(False, str(e))
        return
    log("ok - verify on %s, 20-byte headers: %d frames on the model's "
        "queues; %s, as %s said" % (desc, sent,
                                    "every header with the model's hash "
                                    "and type (%d with a hash, the rest "
                                    "NONE)" % hashed if reports else
                                    "no header with a hash", said))


def check_probe(text, exp, e, desc, kfunc_err=None):
    pr = last_json(text, desc)
    if not expect(pr["kernel"].startswith(KVER + "."),
                  "%s: VM kernel is %s" % (desc, pr["kernel"])):
        return
    reports, build, kfunc, load_err, mech = exp
    does = "steering + report" if reports else "steering only"
    # steering_prog: null for the low-capability loader (its throw-away
    # tap wants a network namespace: CAP_SYS_ADMIN)
    got = (pr["program"], pr["program_build"], pr["hash_reporting"],
           bool(pr["kfunc_build_error"]), pr["mechanism_auto"])
    want = (does, build, bool(reports), load_err, mech)
    ok = expect(pr["steering_prog"] is not False and got == want,
                "%s: program %s, build %s, hash_reporting %s, "
                "kfunc_build_error %s, mechanism_auto %s, steering_prog %s; "
                "expected %s" % ((desc,) + got[:3] +
                                 (pr["kfunc_build_error"], got[4],
                                  pr["steering_prog"], describe(exp))))
    # What kernel BTF says: on modbtf the kfunc is there (tun's BTF, which
    # sysfs lets anyone read) whatever the program this loader gets does.
    btf = (pr["hash_kfunc"], pr["hash_kfunc_btf"] if pr["hash_kfunc"]
           else None)
    if kfunc_err is not None:
        ok &= expect(pr["kfunc_build_error"] == kfunc_err,
                     "%s: kfunc_build_error %r, expected %r"
                     % (desc, pr["kfunc_build_error"], kfunc_err))
    ok &= expect(btf == (e["hash_kfunc"], e["hash_kfunc_btf"]),
                 "%s: hash_kfunc %s (BTF %r), expected %s (%r)"
                 % (desc, pr["hash_kfunc"], pr["hash_kfunc_btf"],
                    e["hash_kfunc"], e["hash_kfunc_btf"]))
    if ok:
        log("ok - %s: %s, %s build (the kfunc build's load error: %s), "
            "mechanism_auto %s; hash_kfunc %s (BTF %s)"
            % (desc, pr["program"], pr["program_build"],
               pr["kfunc_build_error"], pr["mechanism_auto"],
               pr["hash_kfunc"], pr["hash_kfunc_btf"] or "-"))


def check_kfunc_attach(s, exp, sh, frames):
    """`attach --mechanism kfunc` as the low-capability loader: the exit
    status and message of @exp, nothing pinned (show), and, from the
    kernel, no steering program on the tap: what the tap does with
    frames (verify: frames off the model's queues, no header with a
    hash), and vnh_tun_steering() where it can read the device (prog_id
    0; on the attached tap the program id show named, the control)."""
    rc, msg = exp
    out = s["attach-kfunc"]
    got_rc = next((int(line.split()[-1]) for line in out.splitlines()
                   if line.startswith("attach-exit: ")), None)
    err = [line[len("stderr: "):] for line in out.splitlines()
           if line.startswith("stderr: ")]
    if expect(got_rc == rc and msg in err and
              not any(line.startswith("stdout: ") for line in
                      out.splitlines()),
              "attach --mechanism kfunc, low-capability: exit %s, stderr "
              "%r; expected exit %d and %r\n%s" % (got_rc, err, rc, msg,
                                                   out)):
        log("ok - attach --mechanism kfunc, low-capability: exit %d, %r"
            % (got_rc, msg))
    show = s["attach-kfunc-show"]
    if expect("show-exit: 1" in show and "not attached" in show,
              "show ck0 after the failed attach:\n%s" % show):
        log("ok - show ck0 after it: %s" % show.splitlines()[0])
    # What the tap does: with no steering program tun spreads flows by
    # its own hash, so frames leave the model's queues, and no header
    # carries a hash (every one NONE, hash 0).
    text = s["kfunc-verify"]
    objs = [json.loads(line) for line in text.splitlines()
            if line.startswith("{")]
    per_frame = [o for o in objs if "frame" in o]
    sent = off = hashed = 0
    for o, f in zip(per_frame, frames):
        if o["result"] == "unsendable" or o["queue"] is None:
            continue
        sent += 1
        h, rep = ref.hash_frame(f, VNH_ALL, DEFAULT_KEY)
        off += o["queue"] != ((h & 127) % 4 if rep else 0)
        # An all-zero header reads as report NONE (verify: the kernel has
        # the kfunc and no vnethash program is pinned for ck0): no hash.
        hashed += o["kernel_hash"] is not None and (
            int(o["kernel_hash"], 16) != 0 or o["kernel_report"] != "none")
    if expect(len(per_frame) == len(frames) and sent >= 2500 and
              off > 0 and hashed == 0,
              "verify on ck0 after the failed attach: %d frames received, "
              "%d off the model's queues, %d with a hash; expected frames "
              "off the model's queues (no RSS program) and none with a "
              "hash\n%s" % (sent, off, hashed, text[-2000:])):
        log("ok - verify on ck0 after it: %d frames received, %d off the "
            "model's queues (tun's own steering), every header NONE with "
            "hash 0: no steering program runs there" % (sent, off))
    # Read back from the kernel as root: the modbtf kernel has what the
    # library's task_file iterator needs (vmlinux BTF, BPF_EVENTS for
    # tracing programs, tun's types in its module BTF), as distribution
    # kernels do, so it must answer, and answer right.
    rb = {o["dev"]: o for o in (json.loads(line) for line in
                                s["steering"].splitlines()
                                if line.startswith('{"stage"'))}
    ck, ct = rb.get("ck0", {}), rb.get("ct0", {})
    ok = expect(ct.get("rc") == 0 and
                ct.get("prog_id") == sh["prog_id"] != 0,
                "read back from the kernel: ct0 runs %s, show said "
                "program id %s (the read-back's control)\n%s"
                % (ct, sh["prog_id"], s["steering"]))
    ok &= expect(ck.get("rc") == 0 and ck.get("prog_id") == 0,
                 "read back from the kernel: ck0 runs %s after the "
                 "failed attach, expected no steering program\n%s"
                 % (ck, s["steering"]))
    if ok:
        log("ok - read back from the kernel (vnh_tun_steering, tun's "
            "types from its module BTF, a queue open): ck0 runs no "
            "steering program (prog_id 0); ct0 runs program id %d, the "
            "one show named" % ct["prog_id"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vnethash", required=True)
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--kernel-variant", default="compat",
                    choices=sorted(EXPECT))
    args = ap.parse_args()
    variant = args.kernel_variant
    e = EXPECT[variant]
    vnethash = os.path.abspath(args.vnethash)
    builddir = os.path.abspath(args.builddir)
    variants = os.path.join(builddir, "tests", "bpf", "test-steer-variants")
    lib = os.path.join(builddir, "lib", "libvnethash.so")
    img, moddir = build_kernel(variant)

    work = os.path.join(builddir, "tests", "vm", "work")
    os.makedirs(work, exist_ok=True)
    g = framegen.FrameGen(2024)
    frames = [g.frame()[0] for _ in range(3000)]
    pcap = os.path.join(work, "compat.pcap")
    framegen.write_pcap(pcap, frames)
    script = os.path.join(work, "compat-%s.sh" % variant)
    with open(script, "w") as f:
        f.write(SCRIPT)

    cmd = [os.path.join(SRC, "kernel", "vm-run.sh"), "--kernel", img,
           "--timeout", "1500", "--cwd", SRC,
           "--env", "VNETHASH=" + vnethash, "--env", "VARIANTS=" + variants,
           "--env", "PCAP=" + pcap, "--env", "MODDIR=" + moddir,
           "--env", "LIB=" + lib,
           "--env", "LOADER=" + os.path.join(HERE, "compat_loader.py"),
           "--env", "PYTHONDONTWRITEBYTECODE=1",
           "--env", "EARLY_CAPS=" + e["early_caps"],
           "--env", "KFUNC_ATTACH=%d" % bool(e["kfunc_attach"]),
           "--env", "LOW=" + LOW, "--", "/bin/sh", script]
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    log("vm: compat-%s.sh -> exit %d (%.1fs)"
        % (variant, p.returncode, time.monotonic() - t0))
    s = sections(p.stdout)
    if p.returncode != 0 or "end" not in s:
        fail("the VM run failed (exit %d)\nstdout:\n%s\nstderr:\n%s"
             % (p.returncode, p.stdout[-4000:], p.stderr[-3000:]))

    # The environment is what the issue asks for: fatal if not, since
    # nothing after it would mean what it says.
    pre, early = s["pre"], s["early"]
    if e["tun_module"]:
        if "tun-before: absent" not in early or "tun: live" not in early:
            fail("tun was not loaded as a module after the loader: %s"
                 % early)
    elif "tun-before: present" not in early:
        fail("tun is not built in: %s" % early)
    if "btf: " + e["btf"] not in pre:
        fail("the %s kernel: %s, expected btf: %s" % (variant, pre,
                                                      e["btf"]))
    if variant == "modbtf" and ("btf-tun-before: absent" not in pre or
                                "btf-tun: present" not in early):
        fail("tun's module BTF is not absent before insmod and present "
             "after it:\n%s\n%s" % (pre, early))
    caps = {line.split(":")[0]: int(line.split()[-1], 16)
            for line in pre.splitlines()
            if line.startswith(("lowcaps:", "rootcaps:"))}
    eff, root_caps = caps.get("lowcaps"), caps.get("rootcaps", 0)
    low = (1 << CAP_BPF) | (1 << CAP_NET_ADMIN) | (1 << CAP_PERFMON)
    if eff != low:
        fail("the loader's capabilities are %s, not CAP_BPF + "
             "CAP_NET_ADMIN + CAP_PERFMON (%#x)" % (eff, low))
    if not root_caps & (1 << CAP_SYS_ADMIN):
        fail("root in the VM has no CAP_SYS_ADMIN (%#x)" % root_caps)
    log("ok - Linux %s %s%s, loader with CapEff %#x (CAP_BPF + "
        "CAP_NET_ADMIN + CAP_PERFMON, no CAP_SYS_ADMIN)"
        % (KVER, e["what"], "; tun's module BTF appears with tun.ko"
           if variant == "modbtf" else "", eff))

    # The loader that loaded before tun was there, and attached after.
    st = loader_stages(early).get("loaded") or {}
    if check_loader(early, e["early"],
                    low if e["early_caps"] == "low" else root_caps,
                    not e["tun_module"],
                    "the early loader (%s, vnh_steer_load() %s)"
                    % ("low-capability" if e["early_caps"] == "low"
                       else "root", "before tun.ko" if e["tun_module"]
                       else "with tun built in")):
        verify_as(s["early-verify"], frames, e["early"][0],
                  "the early loader's tap", "the loader")
    elif st:
        # the headers are still worth seeing: what did arrive?
        verify_as(s["early-verify"], frames, st.get("reports") == 1,
                  "the early loader's tap (against what it said)",
                  "the loader")

    check_probe(s["probe"], e["low"], e, "probe --json, low-capability",
                e["low_kfunc_err"])

    if e["variants"]:
        expect("PASS" in s["variants"] and
               "variants-exit" not in s["variants"],
               "test-steer-variants in the VM:\n%s" % s["variants"])
        if "PASS" in s["variants"]:
            log("ok - test-steer-variants as that loader:\n  "
                + "\n  ".join(s["variants"].splitlines()[-8:]))
    else:
        # Run, shown, not asserted: see EXPECT (its model of libbpf is
        # not the installed one's on this kernel).
        log("# test-steer-variants as that loader, not asserted on the %s "
            "kernel (its expectations assume libbpf skips module BTF it "
            "cannot read):\n#   %s" % (variant, "\n#   ".join(
                s["variants"].splitlines()[-14:])))

    sh = last_json(s["show"], "show")
    reports, build, kfunc, _, mech = e["low"]
    does = "steering + report" if reports else "steering only"
    got = (sh["program"], sh["program_build"], sh["kfunc"],
           sh["hash_reporting"], sh["mechanism"])
    want = (does, build, bool(kfunc), "on" if reports else "unavailable",
            mech)
    if expect(got == want, "show --json: program %s, build %s, kfunc %s, "
              "hash_reporting %s, mechanism %s; expected %s, %s, %s, %s, %s"
              % (got + want)):
        log("ok - show --json: %s, %s build, kfunc %s, hash_reporting %s, "
            "mechanism %s" % got)
    # Against what show said (the instance's own account), which the
    # check above compared with the expectation.
    verify_as(s["verify"], frames, sh["program"] == "steering + report",
              "the attached tap", "show")

    if e["kfunc_attach"]:
        check_kfunc_attach(s, e["kfunc_attach"], sh, frames)

    rst = loader_stages(s["root"]).get("loaded") or {}
    if check_loader(s["root"], e["root"], root_caps, True,
                    "root after tun.ko" if e["tun_module"] else "root"):
        verify_as(s["root-verify"], frames, e["root"][0],
                  "root's tap", "the loader")
    elif rst:
        verify_as(s["root-verify"], frames, rst.get("reports") == 1,
                  "root's tap (against what it said)", "the loader")
    check_probe(s["root-probe"], e["root"], e, "probe --json, root",
                e["root_kfunc_err"])

    if FAILURES:
        fail("%d expectation(s) of the %s kernel did not hold (above)"
             % (len(FAILURES), variant))
    log("PASS: vmcompat-%s" % variant if variant != "compat"
        else "PASS: vmcompat")


if __name__ == "__main__":
    main()
