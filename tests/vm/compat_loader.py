#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""A VMM-like loader for tests/vm/test_vmcompat.py: it loads the steering
program through libvnethash (vnh_steer_load()) *before* the tap exists,
possibly before tun is loaded at all, says what the library says of the
program it got, then waits; once the caller has loaded tun and created the
tap, it attaches that program (vnh_steer_attach_queue()) to it.

  compat_loader.py --lib LIBVNETHASH.so --dev DEV --queues N --go FILE

Configuration: all hash types, the default key, a 128-entry table spread
over N queues (entry i = i % N), unclassified queue 0.

Prints one JSON line per stage on stdout:
  {"stage": "loaded", "rc": 0, "reports": 0|1, "variant": ..., "kfunc":
   ..., "kfunc_load_err": ..., "mechanism": ..., "tun_dev": true|false,
   "tun_module": true|false, "cap_eff": "0x...", "libbpf": "1.1"}
  {"stage": "attached", "rc": 0}
and waits (up to 600 s) for FILE to exist between the two. Exit 0 when
both calls returned 0, 1 otherwise.

  compat_loader.py --lib LIBVNETHASH.so --steering DEV [DEV...]

Reads back, for each DEV (a multiqueue tap with vnet headers), which
steering program the kernel has it run: opens one queue of DEV (tun keeps
no answer for a device with no queue open) and asks vnh_tun_steering(), a
BPF iterator over the open queue files (root: CAP_BPF + CAP_PERFMON, and
kernel BTF). One line per DEV:
  {"stage": "steering", "dev": DEV, "rc": 0, "prog_id": N, "queues": N}
prog_id 0: no steering program (tun's own flow steering). Exit 0.
"""

import argparse
import ctypes
import fcntl
import json
import os
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI, IFF_VNET_HDR, IFF_MULTI_QUEUE = 0x2, 0x1000, 0x4000, 0x100


class SteerInfo(ctypes.Structure):
    """struct vnh_steer_info (include/vnethash_steer.h)."""
    _fields_ = [("sz", ctypes.c_size_t), ("mode", ctypes.c_int),
                ("no_report", ctypes.c_int), ("debug", ctypes.c_int),
                ("max_queues", ctypes.c_uint), ("generation", ctypes.c_uint32),
                ("prog_id", ctypes.c_uint32), ("kfunc", ctypes.c_int),
                ("verified_insns", ctypes.c_uint32), ("reports", ctypes.c_int),
                ("variant", ctypes.c_int), ("kfunc_load_err", ctypes.c_int),
                ("mechanism", ctypes.c_int)]


class TunSteering(ctypes.Structure):
    """struct vnh_tun_steering (include/vnethash_steer.h)."""
    _fields_ = [("sz", ctypes.c_size_t), ("ifindex", ctypes.c_uint32),
                ("prog_id", ctypes.c_uint32), ("queues", ctypes.c_int),
                ("detached_queues", ctypes.c_int)]


VARIANTS = {0: "auto", 1: "kfunc", 2: "no-kfunc", 3: "progtype"}
MECHANISMS = {1: "kfunc", 2: "progtype", 3: "steer"}


def cap_eff():
    """This process's effective capabilities, as /proc says them."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return hex(int(line.split()[1], 16))
    return None


def libbpf_version():
    """The libbpf this process runs with (libvnethash's)."""
    try:
        bpf = ctypes.CDLL("libbpf.so.1")
        return "%d.%d" % (bpf.libbpf_major_version(),
                          bpf.libbpf_minor_version())
    except (OSError, AttributeError):
        return None


def say(obj):
    print(json.dumps(obj), flush=True)


def open_queue(dev):
    """A queue of the multiqueue tap DEV (vnet headers, no PI: the flags
    `ip tuntap add ... mode tap multi_queue vnet_hdr` gives it)."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH22x", dev.encode(),
                      IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    return fd


def read_steering(lib, devs):
    """What the kernel has each of @devs run, read back with one queue of
    it open."""
    lib.vnh_tun_steering.argtypes = [ctypes.c_char_p,
                                     ctypes.POINTER(TunSteering)]
    for dev in devs:
        out = {"stage": "steering", "dev": dev}
        # TUNSETIFF would create a device of a name not there yet
        try:
            socket.if_nametoindex(dev)
        except OSError:
            out["rc"] = "no device %s" % dev
            say(out)
            continue
        try:
            fd = open_queue(dev)
        except OSError as e:
            out["rc"] = "cannot open a queue: %s" % e
            say(out)
            continue
        st = TunSteering(sz=ctypes.sizeof(TunSteering))
        rc = lib.vnh_tun_steering(dev.encode(), ctypes.byref(st))
        os.close(fd)
        out.update(rc=rc, prog_id=st.prog_id, queues=st.queues)
        say(out)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--dev")
    ap.add_argument("--queues", type=int, default=4)
    ap.add_argument("--go")
    ap.add_argument("--steering", nargs="+", metavar="DEV")
    args = ap.parse_args()

    lib = ctypes.CDLL(args.lib)
    if args.steering:
        return read_steering(lib, args.steering)
    if not args.dev or not args.go:
        ap.error("--dev and --go are needed to load and attach")
    lib.vnh_rss_new.restype = ctypes.c_void_p
    lib.vnh_rss_set_spread.argtypes = [ctypes.c_void_p, ctypes.c_uint,
                                       ctypes.c_size_t]
    lib.vnh_steer_load.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                   ctypes.POINTER(ctypes.c_void_p)]
    lib.vnh_steer_reports.argtypes = [ctypes.c_void_p]
    lib.vnh_steer_get_config.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                         ctypes.POINTER(SteerInfo)]
    lib.vnh_steer_attach_queue.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.vnh_steer_free.argtypes = [ctypes.c_void_p]

    rss = lib.vnh_rss_new()
    if not rss or lib.vnh_rss_set_spread(rss, args.queues, 128):
        say({"stage": "loaded", "rc": "vnh_rss_new/set_spread failed"})
        return 1
    steer = ctypes.c_void_p()
    rc = lib.vnh_steer_load(rss, None, ctypes.byref(steer))
    out = {"stage": "loaded", "rc": rc,
           "tun_dev": os.path.exists("/dev/net/tun"),
           "tun_module": os.path.exists("/sys/module/tun"),
           "cap_eff": cap_eff(), "libbpf": libbpf_version()}
    if rc == 0:
        info = SteerInfo(sz=ctypes.sizeof(SteerInfo))
        gc = lib.vnh_steer_get_config(steer, None, ctypes.byref(info))
        out.update(reports=lib.vnh_steer_reports(steer),
                   get_config=gc, variant=VARIANTS.get(info.variant,
                                                       info.variant),
                   kfunc=info.kfunc, kfunc_load_err=info.kfunc_load_err,
                   mechanism=MECHANISMS.get(info.mechanism, info.mechanism))
    say(out)
    if rc != 0:
        return 1

    deadline = time.monotonic() + 600
    while not os.path.exists(args.go):
        if time.monotonic() > deadline:
            say({"stage": "attached", "rc": "no go file after 600 s"})
            return 1
        time.sleep(0.1)

    fd = open_queue(args.dev)
    rc = lib.vnh_steer_attach_queue(steer, fd)
    os.close(fd)
    lib.vnh_steer_free(steer)
    say({"stage": "attached", "rc": rc})
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
