#!/usr/bin/env python3
"""The tool never reports a state the kernel does not have (issue 12): pins
that outlive their device, and programs replaced or removed behind the
tool's back, on real multiqueue taps in a private network namespace.

Each step checks what the tool says against what the traffic does:
frames are sent through the tap and read from its queues.

1. attach --indir 3 on a 4-queue tap: every frame on queue 3.
2. The tap is deleted and created again under the same name (a VM
   restart): show and set fail naming stale pins, traffic is no longer on
   queue 3 alone (nothing of ours steers it); attach replaces the pins and
   says so, and every frame is on queue 3 again.
3. Another program (loaded here, returning queue 1) replaces ours through
   TUNSETSTEERINGEBPF: show prints 'NOT THIS PROGRAM' with its id and exits
   1, JSON says "replaced" and the device's program id; set is refused and
   changes nothing; detach removes our pins but leaves the other program
   steering (every frame still on queue 1); attach puts ours back.
4. The program is removed behind our back (TUNSETSTEERINGEBPF -1): show
   says "none"; attach replaces.
5. The library's VMM API: vnh_steer_check_owner() says 0 for the device's
   own pins and -ESTALE once it is created again; vnh_steer_open_pinned()
   refuses stale pins with -ESTALE; vnh_tun_steering() reads back the
   program id the tool reports.
6. The device deleted: detach removes the stale pins (exit 1).
"""

import ctypes
import errno
import fcntl
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402

TUNSETSTEERINGEBPF = 0x800454E0
PIN_ROOT = "/sys/fs/bpf/vnethash"
DEV = "st0"
ALL3 = ["--indir", "3", "--unclassified", "3"]


def flows():
    g = taplib.framegen
    out = []
    for n in range(256):
        a = bytes([10, 3, n >> 8, n & 255])
        out.append(g.eth(g.ipv4(a, b"\x0a\x04\x00\x01", 6, g.tcp(1000 + n, 80)), 0x0800))
    return out


FRAMES = flows()


def queues_used(tap):
    x = taplib.Exchange(tap, FRAMES)
    for i in range(len(FRAMES)):
        x.send(i)
    x.finish()
    lost = sum(1 for a in x.arrivals if not a)
    if lost:
        fail("%d of %d frames lost" % (lost, len(FRAMES)))
    per = {}
    for a in x.arrivals:
        per[a[0]] = per.get(a[0], 0) + 1
    return per


def all_on(tap, q, what):
    per = queues_used(tap)
    if set(per) != {q}:
        fail("%s: expected all %d frames on queue %d, got %s" % (what, len(FRAMES), q, per))


def run(args, status, *needles, stream="stderr"):
    p = taplib.run(args, expect=status)
    text = getattr(p, stream)
    for n in needles:
        if n not in text:
            fail("`vnethash %s` (exit %d) does not say %r:\n%s" % (" ".join(args), status, n, text))
    return p


def show_json(status=0):
    return json.loads(taplib.run(["show", DEV, "--json"], expect=status).stdout)


def load_prog_returning(queue):
    """A socket filter program that returns @queue (BPF_PROG_LOAD)."""
    libc = ctypes.CDLL(None, use_errno=True)
    insns = struct.pack("<BBhi", 0xB7, 0, 0, queue) + struct.pack("<BBhi", 0x95, 0, 0, 0)
    ibuf = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    attr = struct.pack("<IIQQIIQ", 1, 2, ctypes.addressof(ibuf), ctypes.addressof(lic), 0, 0, 0)
    attr += bytes(144 - len(attr))
    abuf = ctypes.create_string_buffer(attr, len(attr))
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(321, 5, abuf, len(attr))      # __NR_bpf, BPF_PROG_LOAD
    if fd < 0:
        fail("BPF_PROG_LOAD: %s" % os.strerror(ctypes.get_errno()))
    return fd


def prog_id(fd):
    with open("/proc/self/fdinfo/%d" % fd) as f:
        for line in f:
            if line.startswith("prog_id:"):
                return int(line.split()[1])
    fail("no prog_id in fdinfo of fd %d" % fd)


def lib():
    p = os.environ.get("VNETHASH_LIB") or os.path.join(
        os.path.dirname(os.path.dirname(taplib.vnethash_path())), "lib", "libvnethash.so")
    try:
        return ctypes.CDLL(p)
    except OSError as e:
        fail("cannot load the library %s: %s" % (p, e))


class TunSteering(ctypes.Structure):
    _fields_ = [("sz", ctypes.c_size_t), ("ifindex", ctypes.c_uint32),
                ("prog_id", ctypes.c_uint32), ("queues", ctypes.c_int),
                ("detached_queues", ctypes.c_int)]


def test():
    taplib.private_netns()
    L = lib()
    pin_dir = (PIN_ROOT + "/" + DEV).encode()

    # 1. attached: everything on queue 3
    tap = taplib.Tap(DEV, 4, hdr_sz=12)
    run(["attach", DEV] + ALL3, 0)
    s = show_json()
    if s["steering"] != "ours" or s["device_prog_id"] != s["prog_id"]:
        fail("show after attach: steering %s, device program %s, ours %s"
             % (s["steering"], s["device_prog_id"], s["prog_id"]))
    ts = TunSteering(ctypes.sizeof(TunSteering))
    if L.vnh_tun_steering(DEV.encode(), ctypes.byref(ts)) != 0 or ts.prog_id != s["prog_id"] \
            or ts.queues != 4:
        fail("vnh_tun_steering: prog %d queues %d, expected %d and 4" % (ts.prog_id, ts.queues, s["prog_id"]))
    if L.vnh_steer_check_owner(pin_dir, DEV.encode()) != 0:
        fail("vnh_steer_check_owner on the device's own pins is not 0")
    all_on(tap, 3, "after attach")
    log("attach: show says the device runs program %d (read back), library agrees, "
        "all frames on queue 3" % s["prog_id"])

    # 2. the device deleted and created again under its name
    tap.close()
    tap = taplib.Tap(DEV, 4, hdr_sz=12)
    run(["show", DEV], 1, "stale", "former " + DEV)
    run(["show", DEV, "--json"], 1, "stale")
    run(["set", DEV, "--indir", "2"], 1, "stale", "vnethash attach")
    run(["verify", DEV, "--pcap", "/dev/null"], 1, "stale")
    per = queues_used(tap)
    if set(per) == {3}:
        fail("the recreated device still puts everything on queue 3: something steers it")
    rc = L.vnh_steer_check_owner(pin_dir, DEV.encode())
    if rc != -errno.ESTALE:
        fail("vnh_steer_check_owner on stale pins: %d, expected -ESTALE" % rc)
    handle = ctypes.c_void_p()
    rc = L.vnh_steer_open_pinned(pin_dir, ctypes.byref(handle))
    if rc != -errno.ESTALE:
        fail("vnh_steer_open_pinned on stale pins: %d, expected -ESTALE" % rc)
    run(["attach", DEV] + ALL3, 0, "replaced", "stale", stream="stdout")
    if show_json()["steering"] != "ours":
        fail("after attach replaced the stale pins, show does not say ours")
    all_on(tap, 3, "after attach on the recreated device")
    log("recreated device: show/set/verify fail naming stale pins, traffic spread by tun "
        "(%s), library says -ESTALE; attach replaces them, all on queue 3 again" % per)

    # 3. another program replaces ours
    pfd = load_prog_returning(1)
    fcntl.ioctl(tap.fds[0], TUNSETSTEERINGEBPF, struct.pack("i", pfd))
    other = prog_id(pfd)
    p = run(["show", DEV], 1, "NOT THIS PROGRAM", "id %d" % other, stream="stdout")
    if "id %d" % other not in p.stderr:
        fail("show on a replaced program: stderr does not name it: %r" % p.stderr)
    s = show_json(1)
    if s["steering"] != "replaced" or s["device_prog_id"] != other:
        fail("show --json: steering %s device_prog_id %s, expected replaced %d"
             % (s["steering"], s["device_prog_id"], other))
    gen = s["generation"]
    run(["set", DEV, "--indir", "2"], 1, "id %d" % other, "nothing changed")
    all_on(tap, 1, "with the other program attached")
    run(["detach", DEV], 1, "left as it is", "removed the pins")
    if os.path.exists(PIN_ROOT + "/" + DEV):
        fail("detach left the pins of a replaced program")
    all_on(tap, 1, "after detach (the other program must still steer)")
    run(["show", DEV], 1, "not attached", "runs steering program id %d" % other)
    run(["attach", DEV] + ALL3, 0)
    all_on(tap, 3, "after attach over the other program")
    os.close(pfd)
    log("replaced by program %d: show exits 1 naming it (generation %d shown), set refused, "
        "detach leaves it steering (queue 1), attach puts ours back (queue 3)" % (other, gen))

    # 4. removed behind our back
    fcntl.ioctl(tap.fds[1], TUNSETSTEERINGEBPF, struct.pack("i", -1))
    s = show_json(1)
    if s["steering"] != "none" or s["device_prog_id"] != 0:
        fail("after TUNSETSTEERINGEBPF -1: steering %s device_prog_id %s" % (s["steering"], s["device_prog_id"]))
    run(["show", DEV], 1, "runs no steering program")
    run(["attach", DEV] + ALL3, 0, "replaced", stream="stdout")
    all_on(tap, 3, "after attach over a removed program")
    log("removed behind our back: show says none and exits 1; attach replaces")

    # 6. the device deleted
    tap.close()
    run(["show", DEV], 1, "no such device")
    run(["detach", DEV], 1, "removed the stale pins")
    if os.path.exists(PIN_ROOT + "/" + DEV):
        fail("the stale pins of a deleted device are still there")
    log("deleted device: detach removes its pins")


if __name__ == "__main__":
    taplib.main(test)
