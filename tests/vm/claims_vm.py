#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Run inside the VM by test_vm.py (checks owner, gso, vnetbe, xdp,
failslab, udptunnel): sets up taps, tc, veth/XDP, TCP flows, fault
injection or UDP tunnel GSO frames written into a tap as a job file says,
reads what the taps' queues get and prints it, one JSON object a line:

  {"rx": {"phase": P, "i": I, "dev": D, "q": Q, "hdr": HEX, "frame": HEX}}
  {"info": {...}}            counters, slab numbers, ioctl results

It compares nothing with the model: test_vm.py does, on the host, with
tests/ref. Frames are read with readv() into a buffer filled with 0xa5
first, so a header byte the kernel did not write shows up as 0xa5.

  claims_vm.py JOB.json
"""

import ctypes
import fcntl
import json
import os
import select
import socket
import struct
import subprocess
import sys
import time

from onequeue_read import read_pcap  # the VM runs us from tests/vm

TUNSETIFF = 0x400454CA
TUNSETOFFLOAD = 0x400454D0
TUNSETVNETHDRSZ = 0x400454D8
TUNSETVNETLE = 0x400454DC
TUNGETVNETLE = 0x800454DD
TUNSETVNETBE = 0x400454DE
TUNGETVNETBE = 0x800454DF
IFF_TAP = 0x0002
IFF_MULTI_QUEUE = 0x0100
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6 = 1, 2, 4
TUN_F = {"csum": TUN_F_CSUM, "tso4": TUN_F_TSO4, "tso6": TUN_F_TSO6,
         "udp_tunnel_gso": 0x80, "udp_tunnel_gso_csum": 0x100}
HDR = 20
POISON = 0xA5

SOL_TCP = 6
TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_QUEUE_SEQ = 19, 20, 21
TCP_REPAIR_OPTIONS, TCP_REPAIR_WINDOW = 22, 29
TCP_RECV_QUEUE, TCP_SEND_QUEUE = 1, 2
TCP_REPAIR_OFF_NO_WP = -1
TCPOPT_MSS = 2

PEER_MAC = "02:00:00:00:77:02"

VNETHASH = os.environ.get("VNETHASH", "vnethash")


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def sh(cmd, check=True):
    p = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if check and p.returncode:
        sys.stderr.write("command failed (%d): %s\n%s%s" % (
            p.returncode, cmd, p.stdout, p.stderr))
        sys.exit(1)
    return p.stdout


def write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def read(path):
    with open(path) as f:
        return f.read().strip()


class Tap:
    """A tap with its queues open as a VMM holds them (20-byte headers, or
    hdr bytes)."""

    def __init__(self, name, queues, mq=True, attach=None, ipv6=False,
                 hdr=HDR):
        self.name, self.fds = name, []
        sh("ip tuntap add dev %s mode tap vnet_hdr%s"
           % (name, " multi_queue" if mq else ""))
        if not ipv6:
            write("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % name, 1)
        sh("ip link set %s up" % name)
        if attach is not None:
            sh("%s attach %s --queues %d %s" % (VNETHASH, name, queues,
                                                attach))
        flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (IFF_MULTI_QUEUE if mq
                                                       else 0)
        for _ in range(queues):
            fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(),
                                                   flags))
            fcntl.ioctl(fd, TUNSETVNETHDRSZ, struct.pack("i", hdr))
            self.fds.append(fd)
        self.ifindex = socket.if_nametoindex(name)

    def counters(self):
        return json.loads(sh("%s show %s --json" % (VNETHASH, self.name)))[
            "counters"]


def wait_up(taps):
    """The carrier comes with the queues; the qdisc follows through
    linkwatch (asynchronous, up to a second)."""
    for t in taps:
        for _ in range(50):
            if read("/sys/class/net/%s/operstate" % t.name) == "up":
                break
            time.sleep(0.1)
    time.sleep(1.5)


def read_one(fd):
    buf = bytearray([POISON]) * 65600
    try:
        n = os.readv(fd, [buf])
    except BlockingIOError:
        return None
    return bytes(buf[:n])


class Readers:
    """Every queue of some taps; collects frames by content."""

    def __init__(self, taps):
        self.where = {}
        for t in taps:
            for q, fd in enumerate(t.fds):
                self.where[fd] = (t.name, q)

    def poll(self, timeout):
        """[(dev, q, data)] of what arrives within timeout seconds (all of
        it once something came, without waiting further)."""
        out = []
        r = select.select(list(self.where), [], [], timeout)[0]
        for fd in r:
            while True:
                d = read_one(fd)
                if d is None:
                    break
                out.append(self.where[fd] + (d,))
        return out

    def drain(self, quiet=0.3):
        out = []
        while True:
            got = self.poll(quiet)
            if not got:
                return out
            out += got


def outq(sock):
    """Bytes of the socket's frames not yet freed (SIOCOUTQ: wmem): every
    skb sent from it holds its size until freed (its clones do not)."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), 0x5411,
                                          struct.pack("i", 0)))[0]


def settle_outq(sock, timeout=3.0):
    t0 = time.monotonic()
    while outq(sock) and time.monotonic() - t0 < timeout:
        time.sleep(0.1)
    return outq(sock)


def packet_socket(dev):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((dev, 0))
    return s


def send_frames(phase, frames, sock, readers, copies, timeout=1.5):
    """Send each frame, wait until `copies` copies of it arrived (or the
    timeout), print every copy of a sent frame that arrives."""
    index = {f: i for i, f in enumerate(frames)}
    late = []
    for i, f in enumerate(frames):
        sock.send(f)
        seen, t0 = 0, time.monotonic()
        while seen < copies and time.monotonic() - t0 < timeout:
            for dev, q, d in readers.poll(0.2):
                j = index.get(d[HDR:])
                if j is None:
                    continue
                emit({"rx": {"phase": phase, "i": j, "dev": dev, "q": q,
                             "hdr": d[:HDR].hex()}})
                if j == i:
                    seen += 1
                else:
                    late.append(j)
    for dev, q, d in readers.drain():
        j = index.get(d[HDR:])
        if j is not None:
            emit({"rx": {"phase": phase, "i": j, "dev": dev, "q": q,
                         "hdr": d[:HDR].hex()}})


# ---- owner ------------------------------------------------------------------

def run_owner(job):
    frames = read_pcap(job["pcap"])
    a = Tap("ownA", 2, attach="")
    b = Tap("ownB", 2)
    c = Tap("ownC", 1, mq=False)
    d = Tap("ownD", 2)
    e = Tap("ownE", 2, attach="--key " + job["key_e"])
    # D: skbedit queue_mapping on egress makes the core skip D's
    # ndo_select_queue (netdev_xmit_skip_txqueue)
    sh("tc qdisc add dev ownD clsact")
    sh("tc filter add dev ownD egress matchall action skbedit queue_mapping 1")
    # A: a root qdisc whose filter runs after A's queue selection
    sh("tc qdisc add dev ownA root handle 1: prio")
    wait_up([a, b, c, d, e])
    sock = packet_socket("ownA")
    readers = Readers([a, b, c, d, e])
    readers.drain()
    n = len(frames) // len(job["phases"])
    for k, (phase, action, target, copies) in enumerate(job["phases"]):
        sh("tc filter add dev ownA parent 1: prio 1 matchall action mirred "
           "egress %s dev %s" % (action, target))
        send_frames(phase, frames[k * n:(k + 1) * n], sock, readers, copies)
        sh("tc filter del dev ownA parent 1: prio 1")
    readers.drain()
    emit({"info": {"outq": settle_outq(sock),
                   "tc_ownD": sh("tc -s filter show dev ownD egress")}})


# ---- gso / vnetbe: TCP from the stack, out through the tap ----------------------

def tcp_flow(fam, local, remote, sport, dport, snd_seq, rcv_seq, mss, data):
    """A TCP socket put into ESTABLISHED with TCP_REPAIR (no peer needed),
    then sending data as any connected socket does."""
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(SOL_TCP, TCP_REPAIR, 1)
    s.setsockopt(SOL_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
    s.setsockopt(SOL_TCP, TCP_QUEUE_SEQ, snd_seq)
    s.setsockopt(SOL_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE)
    s.setsockopt(SOL_TCP, TCP_QUEUE_SEQ, rcv_seq)
    # without a SYN-ACK the MSS would be TCP's default (536, IPv6 1220)
    s.setsockopt(SOL_TCP, socket.TCP_MAXSEG, mss)
    s.bind((local, sport))
    s.connect((remote, dport))
    s.setsockopt(SOL_TCP, TCP_REPAIR_OPTIONS, struct.pack("II", TCPOPT_MSS,
                                                          mss))
    s.setsockopt(SOL_TCP, TCP_REPAIR_WINDOW,
                 struct.pack("5I", rcv_seq, 1 << 20, 1 << 20, 65535,
                             rcv_seq))
    s.setsockopt(SOL_TCP, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP)
    s.sendall(data)
    return s


def ioctl_int(fd, req, value):
    """The int an ioctl returns through its argument (0 for a set), or
    -errno."""
    try:
        r = struct.unpack("i", fcntl.ioctl(fd, req, struct.pack("i", value)))
    except OSError as e:
        return -e.errno
    return r[0] if req in (TUNGETVNETBE, TUNGETVNETLE) else 0


def flow_of(frame):
    """(sport, dport, tcp payload length) of an IPv4/IPv6 TCP frame."""
    et = struct.unpack_from("!H", frame, 12)[0]
    if et == 0x0800 and frame[23] == 6:
        l4 = 14 + (frame[14] & 15) * 4
        plen = struct.unpack_from("!H", frame, 16)[0] + 14 - l4
    elif et == 0x86DD and frame[20] == 6:
        l4 = 54
        plen = struct.unpack_from("!H", frame, 18)[0] + 54 - l4
    else:
        return None
    sport, dport = struct.unpack_from("!HH", frame, l4)
    return sport, dport, plen - (frame[l4 + 12] >> 4) * 4


def flow_data(k, size):
    return bytes((j * 7 + k * 13) & 0xFF for j in range(size))


def run_gso(job):
    g = Tap("gsoT", 2, attach="", ipv6=True)
    sh("ip addr add 10.77.0.1/24 dev gsoT")
    sh("ip -6 addr add fd77::1/64 dev gsoT nodad")
    sh("ip neigh replace 10.77.0.2 lladdr %s dev gsoT nud permanent"
       % PEER_MAC)
    sh("ip -6 neigh replace fd77::2 lladdr %s dev gsoT nud permanent"
       % PEER_MAC)
    wait_up([g])
    readers = Readers([g])
    readers.drain()
    for phase in job["phases"]:
        name, offload, endian = phase["name"], phase["offload"], phase["endian"]
        off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 if offload else 0
        fcntl.ioctl(g.fds[0], TUNSETOFFLOAD, off)
        be = 1 if endian == "be" else 0
        le = 1 if endian == "le" else 0
        res = {"setbe": ioctl_int(g.fds[0], TUNSETVNETBE, be),
               "setle": ioctl_int(g.fds[0], TUNSETVNETLE, le),
               "getbe": ioctl_int(g.fds[0], TUNGETVNETBE, -1),
               "getle": ioctl_int(g.fds[0], TUNGETVNETLE, -1)}
        readers.drain()
        before = g.counters()
        for k, fl in enumerate(phase["flows"]):
            v6 = fl["family"] == 6
            fam = socket.AF_INET6 if v6 else socket.AF_INET
            local, remote = ("fd77::1", "fd77::2") if v6 else \
                ("10.77.0.1", "10.77.0.2")
            data = flow_data(k, fl["bytes"])
            s = tcp_flow(fam, local, remote, fl["sport"], fl["dport"],
                         fl["seq"], 1000, job["mss"], data)
            want = {(fl["sport"], fl["dport"])}
            got, t0 = 0, time.monotonic()
            while got < len(data) and time.monotonic() - t0 < 3:
                for dev, q, d in readers.poll(0.2):
                    f = flow_of(d[HDR:]) if len(d) >= HDR + 54 else None
                    if f is None or f[:2] not in want:
                        continue
                    got += f[2]
                    emit({"rx": {"phase": name, "i": k, "dev": dev, "q": q,
                                 "hdr": d[:HDR].hex(),
                                 "frame": d[HDR:].hex()}})
            s.setsockopt(SOL_TCP, TCP_REPAIR, 1)    # close: no FIN, no RST
            s.close()
        readers.drain()
        after = g.counters()
        res["runs"] = after["packets"] - before["packets"]
        res["kfunc_ok"] = after["kfunc_ok"] - before["kfunc_ok"]
        emit({"info": {"phase": name, **res}})


# ---- xdp ----------------------------------------------------------------------

libc = ctypes.CDLL(None, use_errno=True)
NR_BPF = 321
BPF_PROG_LOAD, BPF_LINK_CREATE = 5, 28
BPF_PROG_TYPE_XDP, BPF_XDP = 6, 37
XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE = 2, 4


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(NR_BPF, cmd, buf, 128)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, "bpf(%d): %s" % (cmd, os.strerror(e)))
    return r


def xdp_redirect_prog(ifindex):
    """return bpf_redirect(ifindex, 0);"""
    insns = (struct.pack("<BBhi", 0xB7, 1, 0, ifindex) +      # r1 = ifindex
             struct.pack("<BBhi", 0xB7, 2, 0, 0) +            # r2 = 0
             struct.pack("<BBhi", 0x85, 0, 0, 23) +           # bpf_redirect
             struct.pack("<BBhi", 0x95, 0, 0, 0))             # exit
    ins = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    attr = struct.pack("<IIQQ", BPF_PROG_TYPE_XDP, len(insns) // 8,
                       ctypes.addressof(ins), ctypes.addressof(lic))
    return bpf(BPF_PROG_LOAD, attr)


def xdp_link(prog_fd, ifindex, flags):
    return bpf(BPF_LINK_CREATE, struct.pack("<IIII", prog_fd, ifindex,
                                            BPF_XDP, flags))


def run_xdp(job):
    frames = read_pcap(job["pcap"])
    t = Tap("xdpT", 2, attach="")
    sh("ip link add xdpA type veth peer name xdpB")
    for v in ("xdpA", "xdpB"):
        write("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % v, 1)
        sh("ip link set %s up" % v)
    wait_up([t])
    prog = xdp_redirect_prog(t.ifindex)
    readers = Readers([t])
    readers.drain()
    n = len(frames) // len(job["phases"])
    for k, phase in enumerate(job["phases"]):
        part = frames[k * n:(k + 1) * n]
        before = t.counters()
        if phase == "direct":
            send_frames(phase, part, packet_socket("xdpT"), readers, 1)
        else:
            flags = XDP_FLAGS_DRV_MODE if phase == "xdp-drv" else \
                XDP_FLAGS_SKB_MODE
            link = xdp_link(prog, socket.if_nametoindex("xdpB"), flags)
            emit({"info": {"phase": phase, "xdp": sh("ip -d link show xdpB")}})
            send_frames(phase, part, packet_socket("xdpA"), readers, 1)
            os.close(link)
        after = t.counters()
        emit({"info": {"phase": phase,
                       "runs": after["packets"] - before["packets"]}})


# ---- udptunnel: UDP tunnel GSO frames, 24-byte headers ----------------------

def run_udptunnel(job):
    """Write each frame of the job with its 24-byte virtio_net_hdr_v1_hash_
    tunnel into tap utA (tun's write path parses the tunnel fields with a
    24-byte header); utA's ingress redirects it (matchall, mirred) to the
    egress of utB, whose steering program reports; utB's reader gets the
    GSO frame whole or its segments, as its TUNSETOFFLOAD says."""
    frames = read_pcap(job["pcap"])
    dmesg0 = len(sh("dmesg").splitlines())
    a = Tap("utA", 1, mq=False, hdr=24)
    b = Tap("utB", 2, attach="", hdr=24)
    sh("tc qdisc add dev utA clsact")
    sh("tc filter add dev utA ingress matchall action mirred egress "
       "redirect dev utB")
    wait_up([a, b])
    readers = Readers([b])
    readers.drain()
    for phase in job["phases"]:
        name = phase["name"]
        # TUNSETOFFLOAD takes its argument by value
        fcntl.ioctl(b.fds[0], TUNSETOFFLOAD,
                    sum(TUN_F[o] for o in phase["offload"]))
        res = {"phase": name}
        readers.drain()
        before = b.counters()
        res["write_errors"] = []
        for i, (f, hdr) in enumerate(zip(frames, job["hdrs"])):
            try:
                n = os.write(a.fds[0], bytes.fromhex(hdr) + f)
            except OSError as e:
                res["write_errors"].append([i, e.errno])
                continue
            if n != 24 + len(f):
                res["write_errors"].append([i, "short write %d" % n])
            # the frame whole or all its segments: the first within 3 s,
            # then until the queues are quiet
            got = readers.poll(3.0)
            got += readers.drain(0.5)
            for dev, q, d in got:
                emit({"rx": {"phase": name, "i": i, "dev": dev, "q": q,
                             "hdr": d[:24].hex(), "frame": d[24:].hex()}})
        after = b.counters()
        res["runs"] = after["packets"] - before["packets"]
        res["kfunc_ok"] = after["kfunc_ok"] - before["kfunc_ok"]
        emit({"info": res})
    emit({"info": {"utA": sh("ip -s link show utA"),
                   "tc_utA": sh("tc -s filter show dev utA ingress"),
                   "dmesg": [ln for ln in
                             sh("dmesg").splitlines()[dmesg0:]
                             if any(w in ln for w in (
                                 "WARNING", "BUG", "unexpected GSO",
                                 "tun: "))]}})


# ---- failslab -------------------------------------------------------------------

FS = "/sys/kernel/debug/failslab"


def slabinfo():
    out = {}
    with open("/proc/slabinfo") as f:
        for line in f:
            w = line.split()
            if w and w[0] in ("skbuff_head_cache", "skbuff_ext_cache"):
                out[w[0]] = int(w[1])
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                out["slab_kb"] = int(line.split()[1])
    return out


def run_failslab(job):
    frames = read_pcap(job["pcap"])
    if not os.path.isdir(FS):
        sh("mount -t debugfs none /sys/kernel/debug")
    t = Tap("failT", 2, attach="")
    wait_up([t])
    sock = packet_socket("failT")
    readers = Readers([t])
    readers.drain()
    cache = "/sys/kernel/slab/skbuff_ext_cache"
    emit({"info": {"ext_cache_is_link": os.path.islink(cache),
                   "cmdline": read("/proc/cmdline")}})
    n = len(frames) // 4
    send_frames("before", frames[:n], sock, readers, 1)
    write(FS + "/verbose", 0)
    write(FS + "/cache-filter", "Y")
    write(FS + "/interval", 1)
    write(FS + "/times", job["times"])
    write(FS + "/probability", 100)
    mem0 = slabinfo()
    write(cache + "/failslab", 1)
    c0 = t.counters()
    send_frames("fail", frames[n:2 * n], sock, readers, 1)
    c1 = t.counters()
    write(cache + "/failslab", 0)
    write(FS + "/probability", 0)
    times_left = int(read(FS + "/times"))
    readers.drain()
    wmem = settle_outq(sock)
    mem1 = slabinfo()
    send_frames("after", frames[2 * n:3 * n], sock, readers, 1)
    # The same failure on a tap whose queues have no qdisc (noqueue): a
    # non-GSO frame's hash then goes through tun's per-CPU slot, not an
    # extension, so nothing fails and every hash arrives. This is the only
    # check that tells the two carriers apart from outside the kernel.
    q = Tap("failQ", 2, attach="")
    wait_up([q])
    # the root, so that every queue has none: with default_qdisc, mq
    # gives pfifo_fast to the queues attached after the tap came up
    sh("tc qdisc replace dev failQ root noqueue")
    qdiscs = sh("tc qdisc show dev failQ")
    qsock = packet_socket("failQ")
    qreaders = Readers([q])
    qreaders.drain()
    write(FS + "/times", job["times"])
    write(FS + "/probability", 100)
    write(cache + "/failslab", 1)
    q0 = q.counters()
    send_frames("noqueue-fail", frames[3 * n:], qsock, qreaders, 1)
    q1 = q.counters()
    write(cache + "/failslab", 0)
    write(FS + "/probability", 0)
    nq_left = int(read(FS + "/times"))
    qreaders.drain()
    emit({"info": {"times_set": job["times"], "times_left": times_left,
                   "noqueue_qdiscs": qdiscs, "noqueue_times_left": nq_left,
                   "noqueue_runs": q1["packets"] - q0["packets"],
                   "noqueue_kfunc_ok": q1["kfunc_ok"] - q0["kfunc_ok"],
                   "kfunc_ok": c1["kfunc_ok"] - c0["kfunc_ok"],
                   "runs": c1["packets"] - c0["packets"], "outq": wmem,
                   "mem_before": mem0, "mem_after": mem1,
                   "dmesg": [ln for ln in sh("dmesg").splitlines()
                             if any(w in ln for w in (
                                 # not "leak": kmemleak's start-up lines
                                 # on the debug kernel say it
                                 "WARNING", "BUG", "Oops", "FAULT_INJECTION",
                                 "suspected memory leak",
                                 "unreferenced object"))]}})


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    {"owner": run_owner, "gso": run_gso, "xdp": run_xdp,
     "failslab": run_failslab,
     "udptunnel": run_udptunnel}[job["scenario"]](job)
    emit({"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main())
