#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Run inside the VM by test_vm.py --check onequeue:

  onequeue_read.py DEV PCAP

DEV is a single-queue tap (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, no
IFF_MULTI_QUEUE) whose queue nobody holds. Open that queue as a VMM would,
with a 20-byte vnet header, send every frame of PCAP into DEV's transmit
path (AF_PACKET), read it back from the queue and print

  FRAME <index> <hash_value hex> <hash_report>

from the virtio_net_hdr_v1_hash. test_vm.py compares these with the Python
model. Frames the tap cannot send (shorter than 14 bytes, over the MTU) are
skipped. Exit 1 if a sent frame does not come back.
"""

import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
TUNSETVNETHDRSZ = 0x400454D8
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
HDR = 20


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off, frames = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack_from(e + "IIII", data, off)[2]
        off += 16
        frames.append(data[off:off + incl])
        off += incl
    return frames


def main():
    dev, pcap = sys.argv[1], sys.argv[2]
    frames = read_pcap(pcap)
    with open("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % dev, "w") as f:
        f.write("1")
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    ifr = struct.pack("16sH", dev.encode(), IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    fcntl.ioctl(fd, TUNSETVNETHDRSZ, struct.pack("i", HDR))
    # The carrier comes with the queue; the qdisc follows through linkwatch
    # (asynchronous, up to a second): wait for it before sending.
    for _ in range(50):
        with open("/sys/class/net/%s/operstate" % dev) as f:
            if f.read().strip() == "up":
                break
        time.sleep(0.1)
    time.sleep(1.5)
    pkt = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    pkt.bind((dev, 0))
    # drain whatever the kernel sent on its own
    while select.select([fd], [], [], 0.2)[0]:
        os.read(fd, 65536)
    sent = got = 0
    for i, frame in enumerate(frames):
        if len(frame) < 14 or len(frame) > 1514:
            continue
        try:
            pkt.send(frame)
        except OSError as e:
            print("frame %d (%d bytes) not sendable: %s" % (i, len(frame), e),
                  file=sys.stderr)
            continue
        sent += 1
        while True:
            if not select.select([fd], [], [], 2.0)[0]:
                print("frame %d lost" % i, file=sys.stderr)
                return 1
            buf = os.read(fd, 65536)
            if buf[HDR:] != frame:
                continue        # not ours (e.g. the kernel's own)
            lo, hi, report = struct.unpack_from("<HHH", buf, 12)
            print("FRAME %d %08x %d" % (i, lo | hi << 16, report))
            got += 1
            break
    print("sent %d, received %d" % (sent, got))
    return 0 if sent == got and sent > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
