#!/usr/bin/env python3
"""Deterministic generator of test frames for the vnethash hash rules, and
pcap / pcapng writers.  Python 3 standard library only.

Builders (all return bytes):
    eth(l3, ethertype, tags=(), ...)      Ethernet frame, optional VLAN tags
    ipv4(src, dst, proto, payload, ...)   IPv4 packet
    ipv6(src, dst, nh, payload, ...)      IPv6 packet (payload may start with
                                          extension headers built by chain())
    tcp(sport, dport, ...), udp(sport, dport, ...)
    hbh(...), routing(...), fragment(...), dstopts(...), ah(...), chain(...)

Random generation:
    g = FrameGen(seed)
    frame, label = g.frame()       Ethernet frame (every branch of the rules)
    pkt, label = g.l3()            raw IP packet (for LINKTYPE_RAW captures)

Writers:
    write_pcap(path, packets, linktype=1, ...)
    write_pcapng(path, records, interfaces, ...)

Run as a script to write sample captures:  framegen.py --seed 1 --count 100 OUT
"""

import random
import struct

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
DLT_RAW_12 = 12
DLT_RAW_14 = 14
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229

DST_MAC = bytes.fromhex("020000000001")
SRC_MAC = bytes.fromhex("020000000002")


# --------------------------------------------------------------------------
# builders

def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(l3, ethertype, tags=(), dst=DST_MAC, src=SRC_MAC):
    """tags: sequence of (tpid, tci).  The first tag's TPID takes the place
    of the EtherType, each tag is followed by the next TPID / EtherType."""
    out = bytearray(dst + src)
    for tpid, tci in tags:                  # wire: TPID TCI ... EtherType
        out += struct.pack("!HH", tpid, tci)
    out += struct.pack("!H", ethertype)
    return bytes(out) + bytes(l3)


def ipv4(src, dst, proto, payload=b"", ihl=5, options=None, version=4,
         tos=0, ident=0x1234, flags=0, frag_off=0, ttl=64, total_len=None,
         checksum=None):
    """flags: 3 bits (0x4 reserved, 0x2 DF, 0x1 MF); frag_off: 13 bits."""
    if options is None:
        options = bytes(max(0, ihl - 5) * 4)
    hdr_len = 20 + len(options)
    if total_len is None:
        total_len = (hdr_len + len(payload)) & 0xFFFF
    ff = ((flags & 7) << 13) | (frag_off & 0x1FFF)
    hdr = struct.pack("!BBHHHBBH4s4s", ((version & 15) << 4) | (ihl & 15), tos,
                      total_len, ident, ff, ttl, proto, 0, src, dst) + options
    if checksum is None:
        checksum = _csum(hdr)
    hdr = hdr[:10] + struct.pack("!H", checksum) + hdr[12:]
    return hdr + bytes(payload)


def ipv6(src, dst, nh, payload=b"", version=6, tc=0, flow=0, hop=64,
         payload_len=None):
    if payload_len is None:
        payload_len = len(payload) & 0xFFFF
    w = ((version & 15) << 28) | ((tc & 0xFF) << 20) | (flow & 0xFFFFF)
    return struct.pack("!IHBB16s16s", w, payload_len, nh, hop, src, dst) + bytes(payload)


def tcp(sport, dport, seq=1, ack=0, flags=0x18, window=65535, options=b"",
        data=b"", doff=None):
    if doff is None:
        doff = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (doff & 15) << 4,
                       flags, window, 0, 0) + options + data


def udp(sport, dport, data=b"", length=None):
    if length is None:
        length = (8 + len(data)) & 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, 0) + data


def icmp(data=b""):
    return struct.pack("!BBHHH", 8, 0, 0, 1, 1) + data


# extension headers: each builder returns the header *without* the
# next-header byte filled (chain() fills it); first byte is a placeholder.

def _ext_pad(body, hdr_ext_len=None):
    """body: bytes after the 2 fixed bytes.  Pads (with zeros = Pad1) to the
    length given by hdr_ext_len, or the next multiple of 8."""
    if hdr_ext_len is None:
        total = (len(body) + 2 + 7) // 8 * 8
        hdr_ext_len = total // 8 - 1
    total = (hdr_ext_len + 1) * 8
    body = (body + bytes(total))[:total - 2]
    return bytes([0, hdr_ext_len & 0xFF]) + body


def opt_pad1():
    return b"\0"


def opt_padn(n):
    """PadN with n bytes of data (total n + 2)."""
    return bytes([1, n]) + bytes(n)


def opt_hao(addr, length=16):
    data = (bytes(addr) + bytes(255))[:length]
    return bytes([0xC9, length]) + data


def opt_raw(otype, data):
    return bytes([otype, len(data)]) + bytes(data)


def hbh(options=b"", hdr_ext_len=None):
    return ("hbh", _ext_pad(bytes(options), hdr_ext_len))


def dstopts(options=b"", hdr_ext_len=None):
    return ("dst", _ext_pad(bytes(options), hdr_ext_len))


def routing(rtype=2, addr=bytes(16), hdr_ext_len=2, segleft=1, body=None):
    """Routing header.  With the defaults, a valid Type 2 routing header
    (hdr_ext_len 2: 24 bytes, reserved 4 bytes, home address at offset 8)."""
    total = (hdr_ext_len + 1) * 8
    if body is None:
        body = bytes(4) + bytes(addr)
    raw = bytes([0, hdr_ext_len & 0xFF, rtype & 0xFF, segleft & 0xFF]) + bytes(body)
    raw = (raw + bytes(total))[:total]
    return ("rt", raw)


def fragment(offset=0, more=0, ident=0xABCDEF01):
    return ("frag", struct.pack("!BBHI", 0, 0, ((offset & 0x1FFF) << 3) | (more & 1), ident))


def ah(payload_len=4, spi=0x100, seq=1, icv=None):
    total = (payload_len + 2) * 4
    raw = struct.pack("!BBHII", 0, payload_len & 0xFF, 0, spi, seq)
    if icv is None:
        icv = bytes(max(0, total - 12))
    raw = (raw + bytes(icv) + bytes(total))[:max(total, 2)]
    return ("ah", raw)


EXT_NH = {"hbh": 0, "rt": 43, "frag": 44, "dst": 60, "ah": 51}


def chain(headers, final_nh, payload=b""):
    """headers: list of (kind, raw) from the builders above (or (nh, raw)
    with an int next-header value for arbitrary headers).  Returns
    (first_nh, bytes) with every next-header byte linked up."""
    out = b""
    nhs = [EXT_NH[k] if isinstance(k, str) else k for k, _ in headers] + [final_nh]
    for i, (_, raw) in enumerate(headers):
        raw = bytes(raw)
        if raw:
            raw = bytes([nhs[i + 1]]) + raw[1:]
        out += raw
    return nhs[0], out + bytes(payload)


# --------------------------------------------------------------------------
# random generation

INTERESTING_BYTES = [0, 1, 2, 4, 5, 6, 8, 0x0F, 16, 17, 0x2C, 43, 44, 50, 51,
                     58, 59, 60, 0x40, 0x45, 0x46, 0x4F, 0x60, 0x80, 0x81, 0x86,
                     0x88, 0xA8, 0xC9, 0xDD, 0xFE, 0xFF]


class FrameGen:
    def __init__(self, seed=0):
        self.r = random.Random(seed)

    # -- small helpers
    def rbytes(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def addr4(self):
        return self.rbytes(4)

    def addr6(self):
        r = self.r.random()
        if r < 0.1:
            return bytes(16)
        return self.rbytes(16)

    def port(self):
        return self.r.choice([0, 1, 53, 80, 443, 0xFFFF, self.r.randrange(65536),
                              self.r.randrange(65536)])

    # -- L4
    def l4(self, proto):
        r = self.r
        if proto == 6:
            opts = b""
            if r.random() < 0.3:
                opts = self.rbytes(4 * r.randrange(1, 11))
            return tcp(self.port(), self.port(), seq=r.getrandbits(32),
                       flags=r.getrandbits(8), options=opts,
                       data=self.rbytes(r.choice([0, 0, 1, 10, 40])))
        if proto == 17:
            return udp(self.port(), self.port(), self.rbytes(r.choice([0, 0, 1, 12, 40])))
        if proto in (1, 58):
            return icmp(self.rbytes(r.choice([0, 8, 30])))
        return self.rbytes(r.choice([0, 4, 8, 20, 40]))

    def proto(self, v6=False):
        r = self.r.random()
        if r < 0.40:
            return 6
        if r < 0.70:
            return 17
        if r < 0.78:
            return 58 if v6 else 1
        return self.r.choice([0, 2, 4, 41, 47, 50, 51, 59, 132, 136, 253, 255,
                              43, 44, 60, self.r.randrange(256)])

    # -- IPv4
    def ipv4_rand(self):
        """-> (packet, boundaries, label)"""
        r = self.r
        label = ["v4"]
        version = 4
        if r.random() < 0.05:
            version = r.choice([0, 5, 6, 6, 15, r.randrange(16)])
            label.append("ver%d" % version)
        x = r.random()
        if x < 0.55:
            ihl = 5
        elif x < 0.93:
            ihl = r.randrange(6, 16)
        else:
            ihl = r.randrange(0, 5)
            label.append("badihl%d" % ihl)
        if ihl > 5:
            label.append("opts")
            if r.random() < 0.5:
                options = self.rbytes((ihl - 5) * 4)
            else:
                options = (b"\x01" * r.randrange(0, (ihl - 5) * 4) + b"\x00" * 40)[:(ihl - 5) * 4]
        else:
            options = b""
        flags = 0
        frag_off = 0
        x = r.random()
        if x < 0.55:
            pass
        elif x < 0.70:
            flags = 2                       # DF only: not a fragment
        elif x < 0.80:
            flags = 1
            label.append("MF")
        elif x < 0.90:
            frag_off = r.choice([1, 2, 0x1FFF, r.randrange(1, 0x2000)])
            label.append("fragoff")
        else:
            flags = r.choice([1, 3, 4, 5, 6, 7])
            frag_off = r.choice([0, 0, 1, r.randrange(0x2000)])
            label.append("flags%d" % flags)
        proto = self.proto()
        payload = self.l4(proto)
        label.append("p%d" % proto)
        total_len = None
        if r.random() < 0.1:
            total_len = r.choice([0, 20, 0xFFFF, r.randrange(65536)])
            label.append("tlen")
        pkt = ipv4(self.addr4(), self.addr4(), proto, payload, ihl=ihl,
                   options=options, version=version, tos=r.getrandbits(8),
                   ident=r.getrandbits(16), flags=flags, frag_off=frag_off,
                   ttl=r.getrandbits(8), total_len=total_len,
                   checksum=None if r.random() < 0.8 else r.getrandbits(16))
        h = len(options) + 20
        bounds = [0, 1, 9, 10, 12, 16, 19, 20, h - 1, h, h + 1, h + 4, h + 7,
                  h + 8, h + 19, h + 20, h + 21]
        return pkt, bounds, "-".join(label)

    # -- IPv6 extension headers
    def dst_options(self, label):
        """Destination Options header: a list of options (Pad1, PadN, Home
        Address right/wrong length, random types), maybe over 16 of them,
        maybe cut so that the last option runs past the header's end."""
        r = self.r
        opts = []
        n = r.choice([0, 1, 1, 2, 3, 5, 15, 16, 17, 20])
        hao_at = r.randrange(n + 1) if r.random() < 0.6 else -1
        if n >= 15 and r.random() < 0.5:
            hao_at = r.choice([14, 15, 16, n])
        for i in range(n + 1):
            if i == hao_at:
                y = r.random()
                if y < 0.75:
                    opts.append(opt_hao(self.addr6()))
                    label.append("HAO@%d" % i)
                else:
                    opts.append(opt_hao(self.addr6(), r.choice([0, 4, 8, 15, 17, 18, 24])))
                    label.append("badHAO@%d" % i)
            elif i < n:
                y = r.random()
                if y < 0.4:
                    opts.append(opt_pad1())
                elif y < 0.7:
                    opts.append(opt_padn(r.choice([0, 1, 2, 4, 6])))
                else:
                    t = r.choice([0x05, 0x07, 0xC2, 0xC9, 0x1E, 0x3E, r.randrange(1, 256)])
                    ln = r.choice([0, 1, 2, 4, 16, 18]) if t == 0xC9 else r.choice([0, 1, 2, 3, 6, 8])
                    opts.append(opt_raw(t, self.rbytes(ln)))
        body = b"".join(opts)
        if r.random() < 0.25:
            # a fixed header length that may cut the options short
            hel = r.choice([0, 1, 2, r.randrange(0, 6)])
            label.append("dstcut")
            if r.random() < 0.3:
                body = body + self.rbytes(8)   # trailing junk instead of padding
            return dstopts(body, hel)
        if r.random() < 0.2 and len(body) % 8 != 6:
            # pad with PadN / Pad1 so the option walk reaches the end exactly
            need = (6 - len(body)) % 8
            if need == 1:
                body += opt_pad1()
            elif need >= 2:
                body += opt_padn(need - 2)
        return dstopts(body)

    def ext_header(self, label):
        r = self.r
        x = r.random()
        if x < 0.03:
            # a large header (up to 2 KiB), junk or padding inside, to catch
            # parsers that look at a fixed-size prefix of the packet only
            hel = r.choice([31, 127, 255, r.randrange(16, 256)])
            label.append("BIG%d" % hel)
            body = bytes(1) * 6 if r.random() < 0.5 else self.rbytes(6)
            if r.random() < 0.5:
                return dstopts(opt_hao(self.addr6()) if r.random() < 0.5 else body, hel)
            return hbh(body, hel)
        if x < 0.045:
            pl = r.choice([63, 255, r.randrange(16, 256)])
            label.append("BIGAH%d" % pl)
            return ah(pl, r.getrandbits(32), r.getrandbits(32), self.rbytes(16))
        if x < 0.16:
            label.append("HBH")
            body = b""
            if r.random() < 0.3:           # a Home Address option outside a
                body += opt_hao(self.addr6())  # Destination Options header
                label.append("hbhHAO")
            for _ in range(r.randrange(0, 4)):
                body += r.choice([opt_pad1(), opt_padn(r.randrange(0, 6)),
                                  opt_raw(5, b"\0\0")])
            return hbh(body, None if r.random() < 0.8 else r.randrange(0, 4))
        if x < 0.42:
            y = r.random()
            if y < 0.6:
                label.append("RT2")
                return routing(2, self.addr6(), 2, r.choice([0, 1, 1, 2, 255]))
            if y < 0.75:
                hel = r.choice([0, 1, 3, 4, 6])
                label.append("RT2len%d" % hel)
                return routing(2, self.addr6(), hel, 1,
                               body=bytes(4) + self.addr6() + self.rbytes(64))
            rtype = r.choice([0, 1, 3, 4, 253, r.randrange(256)])
            label.append("RT%d" % rtype)
            return routing(rtype, self.addr6(), r.choice([2, 2, 0, 4]), r.randrange(4),
                           body=bytes(4) + self.addr6() + self.rbytes(64))
        if x < 0.52:
            label.append("FRAG")
            return fragment(r.choice([0, 0, 1, r.randrange(0x2000)]), r.randrange(2),
                            r.getrandbits(32))
        if x < 0.85:
            label.append("DST")
            return self.dst_options(label)
        label.append("AH")
        pl = r.choice([0, 1, 2, 4, 4, 6, 7, r.randrange(0, 12)])
        return ah(pl, r.getrandbits(32), r.getrandbits(32), self.rbytes(64))

    def ipv6_rand(self):
        """-> (packet, boundaries, label)"""
        r = self.r
        label = ["v6"]
        version = 6
        if r.random() < 0.05:
            version = r.choice([0, 4, 4, 7, 15, r.randrange(16)])
            label.append("ver%d" % version)
        x = r.random()
        if x < 0.25:
            n = 0
        elif x < 0.65:
            n = r.randrange(1, 4)
        elif x < 0.80:
            n = r.randrange(4, 8)
        elif x < 0.92:
            n = r.choice([8, 8, 9])
        else:
            n = r.randrange(10, 14)
        headers = [self.ext_header(label) for _ in range(n)]
        if n:
            label.append("n%d" % n)
        t = r.random()
        if t < 0.12:
            final = r.choice([50, 59, 135, 139, 140, 253, r.randrange(256)])
            if r.random() < 0.5:
                # a decoy: bytes that look like an 8-byte extension header
                # followed by TCP/UDP, to catch walking past ESP & co.
                l4p = r.choice([6, 17])
                payload = bytes([l4p, 0]) + self.rbytes(6) + self.l4(l4p)
                label.append("decoy")
            else:
                payload = self.rbytes(r.choice([0, 8, 24]))
        else:
            final = self.proto(v6=True)
            payload = self.l4(final)
        label.append("nh%d" % final)
        first, rest = chain(headers, final, payload)
        pl = None
        if r.random() < 0.1:
            pl = r.choice([0, 1, 0xFFFF, r.randrange(65536)])
            label.append("plen")
        pkt = ipv6(self.addr6(), self.addr6(), first, rest, version=version,
                   tc=r.getrandbits(8), flow=r.getrandbits(20),
                   hop=r.getrandbits(8), payload_len=pl)
        bounds = [0, 1, 6, 7, 8, 24, 39, 40, 41]
        off = 40
        for _, raw in headers:
            bounds += [off + 1, off + 2, off + 3, off + 8, off + len(raw) - 1,
                       off + len(raw), off + len(raw) + 1]
            off += len(raw)
        bounds += [off + 7, off + 8, off + 19, off + 20]
        return pkt, bounds, "-".join(label)

    # -- whole frames
    def tags(self):
        r = self.r
        x = r.random()
        if x < 0.62:
            n = 0
        elif x < 0.80:
            n = 1
        elif x < 0.96:
            n = 2
        else:
            n = r.choice([3, 3, 4])
        tags = []
        for _ in range(n):
            tpid = r.choice([ETH_P_8021Q, ETH_P_8021AD]) if r.random() < 0.95 else 0x9100
            tags.append((tpid, r.getrandbits(16)))
        return tags

    def ethertype_for(self, family):
        r = self.r
        x = r.random()
        want = ETH_P_IP if family == 4 else ETH_P_IPV6
        if x < 0.95:
            return want, ""
        other = ETH_P_IPV6 if family == 4 else ETH_P_IP
        et = r.choice([other, other, 0x0806, 0x0600, 0x05DC, 0x8847, 0x88CC])
        return et, "et%04x" % et

    def truncate(self, data, bounds, base):
        """Cut at one of the interesting points (shifted by base)."""
        r = self.r
        cut = base + r.choice(bounds) + r.choice([0, 0, 0, -1, 1])
        cut = max(0, min(len(data), cut))
        return data[:cut], "cut%d" % (cut - base)

    def ip_frame(self, family):
        if family == 4:
            pkt, bounds, label = self.ipv4_rand()
        else:
            pkt, bounds, label = self.ipv6_rand()
        tags = self.tags()
        et, elabel = self.ethertype_for(family)
        frame = eth(pkt, et, tags)
        base = 14 + 4 * len(tags)
        if self.r.random() < 0.15 and len(frame) < 60:
            frame += bytes(60 - len(frame))  # Ethernet padding to the minimum
            label += "-pad60"
        if tags:
            label += "-vlan%d" % len(tags)
        if elabel:
            label += "-" + elabel
        if self.r.random() < 0.25:
            frame, c = self.truncate(frame, bounds + [-1, -2, -3, -4, -5, -6, -8],
                                     base)
            label += "-" + c
        return frame, label

    def nonip_frame(self):
        r = self.r
        et = r.choice([0x0806, 0x88CC, 0x8847, 0x8863, 0x0842, 0x0600, 0x05DC,
                       0x0000, 0x22F0, 0x9100, r.randrange(65536)])
        return eth(self.rbytes(r.choice([0, 20, 46, 60])), et, self.tags()), "nonip%04x" % et

    def tiny_frame(self):
        r = self.r
        n = r.randrange(0, 14)
        if r.random() < 0.4:
            # a VLAN tag cut short
            head = eth(b"", ETH_P_8021Q if r.random() < 0.5 else ETH_P_8021AD)[:12]
            tag = struct.pack("!HH", r.getrandbits(16), ETH_P_IP)
            f = head + struct.pack("!H", ETH_P_8021Q) + tag
            if r.random() < 0.5:
                f = head + struct.pack("!HHH", ETH_P_8021AD, 1, ETH_P_8021Q) + tag
            return f[:r.randrange(12, len(f))], "tinyvlan"
        return self.rbytes(n), "tiny%d" % n

    def junk_frame(self):
        r = self.r
        n = r.choice([14, 15, 18, 33, 34, 53, 54, 60, 64, 100, r.randrange(0, 200)])
        data = bytearray(self.rbytes(n))
        if n >= 14 and r.random() < 0.6:
            data[12:14] = struct.pack("!H", r.choice([ETH_P_IP, ETH_P_IPV6]))
            if n >= 15 and r.random() < 0.5:
                data[14] = r.choice([0x45, 0x46, 0x4F, 0x60, 0x61])
        return bytes(data), "junk%d" % n

    def mutate(self, frame):
        r = self.r
        data = bytearray(frame)
        ops = []
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            x = r.random()
            if not data:
                break
            if x < 0.4:
                lim = min(len(data), 120) if r.random() < 0.8 else len(data)
                pos = r.randrange(lim)
                data[pos] ^= 1 << r.randrange(8)
                ops.append("flip%d" % pos)
            elif x < 0.65:
                lim = min(len(data), 120)
                pos = r.randrange(lim)
                data[pos] = r.choice(INTERESTING_BYTES)
                ops.append("set%d" % pos)
            elif x < 0.85:
                cut = r.randrange(len(data) + 1)
                del data[cut:]
                ops.append("trunc%d" % cut)
            elif x < 0.93:
                pos = r.randrange(len(data))
                del data[pos:pos + r.choice([1, 2, 4, 8])]
                ops.append("del%d" % pos)
            else:
                pos = r.randrange(len(data) + 1)
                data[pos:pos] = self.rbytes(r.choice([1, 2, 4, 8]))
                ops.append("ins%d" % pos)
        return bytes(data), "mut(" + ",".join(ops) + ")"

    def frame(self):
        """-> (Ethernet frame, label)"""
        r = self.r
        x = r.random()
        if x < 0.28:
            return self.ip_frame(4)
        if x < 0.70:
            return self.ip_frame(6)
        if x < 0.74:
            return self.nonip_frame()
        if x < 0.78:
            return self.tiny_frame()
        if x < 0.82:
            return self.junk_frame()
        f, label = self.ip_frame(4 if r.random() < 0.35 else 6)
        m, ml = self.mutate(f)
        return m, label + "-" + ml

    def l3(self):
        """-> (raw IP packet, label); version nibble usually 4 or 6."""
        r = self.r
        x = r.random()
        if x < 0.35:
            pkt, bounds, label = self.ipv4_rand()
        elif x < 0.85:
            pkt, bounds, label = self.ipv6_rand()
        elif x < 0.92:
            n = r.choice([0, 1, 19, 20, 39, 40, r.randrange(0, 80)])
            pkt = bytearray(self.rbytes(n))
            if pkt and r.random() < 0.7:
                pkt[0] = (r.choice([4, 6]) << 4) | (pkt[0] & 15)
            return bytes(pkt), "junk%d" % n
        else:
            pkt, bounds, label = self.ipv4_rand() if r.random() < 0.4 else self.ipv6_rand()
            m, ml = self.mutate(pkt)
            return m, label + "-" + ml
        if r.random() < 0.3:
            c = max(0, min(len(pkt), r.choice(bounds) + r.choice([0, 0, -1, 1])))
            pkt = pkt[:c]
            label += "-cut%d" % c
        return pkt, label


# --------------------------------------------------------------------------
# capture writers

def pcap_bytes(packets, linktype=LINKTYPE_ETHERNET, big_endian=False,
               nanosec=False, snaplen=262144, orig_lens=None):
    """Classic libpcap file.  packets: list of bytes.  orig_lens: optional
    list of original lengths (>= captured length)."""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanosec else 0xA1B2C3D4
    out = [struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for i, p in enumerate(packets):
        orig = len(p) if orig_lens is None else max(len(p), orig_lens[i])
        sec = 1700000000 + i
        frac = (i * 1000) % (1000000000 if nanosec else 1000000)
        out.append(struct.pack(e + "IIII", sec, frac, len(p), orig))
        out.append(bytes(p))
    return b"".join(out)


def write_pcap(path, packets, linktype=LINKTYPE_ETHERNET, **kw):
    with open(path, "wb") as f:
        f.write(pcap_bytes(packets, linktype, **kw))


def _pad4(b):
    return b + bytes((-len(b)) % 4)


def _options(e, opts):
    """opts: list of (code, bytes).  Adds opt_endofopt when non-empty."""
    if not opts:
        return b""
    out = b""
    for code, val in opts:
        out += struct.pack(e + "HH", code, len(val)) + _pad4(val)
    return out + struct.pack(e + "HH", 0, 0)


def _block(e, btype, body):
    total = 12 + len(body)
    return struct.pack(e + "II", btype, total) + body + struct.pack(e + "I", total)


def pcapng_bytes(records, interfaces=(LINKTYPE_ETHERNET,), big_endian=False,
                 rich=False):
    """pcapng: one Section Header Block, one Interface Description Block per
    linktype in `interfaces`, one Enhanced Packet Block per record.
    records: list of (interface index, bytes).  rich=True adds options
    (shb_userappl, if_name, if_tsresol, opt_comment), a Name Resolution
    Block and Interface Statistics Blocks, which readers must skip."""
    e = ">" if big_endian else "<"
    out = []
    shb_opts = [(4, b"vnethash tests/ref/framegen.py"), (1, b"test section")] if rich else []
    out.append(_block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1)
                      + _options(e, shb_opts)))
    for i, lt in enumerate(interfaces):
        opts = [(2, b"if%d" % i), (9, b"\x06")] if rich else []
        out.append(_block(e, 1, struct.pack(e + "HHI", lt, 0, 262144) + _options(e, opts)))
    if rich:
        # Name Resolution Block: one IPv4 record, end of records
        nrb = struct.pack(e + "HH", 1, 4 + 10) + _pad4(bytes([192, 0, 2, 1]) + b"host.test\0")
        nrb += struct.pack(e + "HH", 0, 0)
        out.append(_block(e, 4, nrb))
    for n, (idx, p) in enumerate(records):
        ts = 1700000000000000 + n
        opts = [(1, b"frame %d" % (n + 1))] if rich and n % 3 == 0 else []
        body = struct.pack(e + "IIIII", idx, ts >> 32, ts & 0xFFFFFFFF, len(p), len(p))
        body += _pad4(bytes(p)) + _options(e, opts)
        out.append(_block(e, 6, body))
        if rich and n % 50 == 17:
            out.append(_block(e, 5, struct.pack(e + "III", idx, ts >> 32, ts & 0xFFFFFFFF)))
    return b"".join(out)


def write_pcapng(path, records, interfaces=(LINKTYPE_ETHERNET,), **kw):
    with open(path, "wb") as f:
        f.write(pcapng_bytes(records, interfaces, **kw))


if __name__ == "__main__":
    import argparse
    import os
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    g = FrameGen(a.seed)
    frames = [g.frame()[0] for _ in range(a.count)]
    raws = [g.l3()[0] for _ in range(a.count)]
    write_pcap(os.path.join(a.outdir, "eth.pcap"), frames)
    write_pcap(os.path.join(a.outdir, "raw.pcap"), raws, LINKTYPE_RAW)
    write_pcapng(os.path.join(a.outdir, "eth.pcapng"), [(0, f) for f in frames])
    print("wrote %d Ethernet frames and %d raw IP packets to %s" % (a.count, a.count, a.outdir))
