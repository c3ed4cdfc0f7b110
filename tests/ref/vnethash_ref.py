#!/usr/bin/env python3
"""Independent reference model of the virtio-net RSS hash (vnethash).

Written from the virtio spec text ("Hash calculation for incoming packets")
and docs/semantics.md only; it deliberately shares no code with lib/ or bpf/
so that it can catch their mistakes.  Python 3 standard library only.

Public API
----------
    toeplitz(key, data) -> int                 bit-by-bit Toeplitz hash
    parse_frame(frame) -> Parsed | None        Ethernet (tap) frame
    parse_l3(ethertype, pkt) -> Parsed | None  L3 (tun) packet
    hash_frame(frame, types, key) -> (hash, report)
    hash_l3(ethertype, pkt, types, key) -> (hash, report)
    select_queue(hash, report, table, unclassified) -> queue
    queues_table(n, size) -> list              ethtool-style i % n table
    types_from_names("tcpv4,udpv4") / names_from_types(mask)

Constants follow the docs: hash type bits VIRTIO_NET_RSS_HASH_TYPE_*,
report values VIRTIO_NET_HASH_REPORT_*.
"""

import struct

DEFAULT_KEY = bytes.fromhex(
    "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
    "6a42b73bbeac01fa")

# hash type bits (VIRTIO_NET_RSS_HASH_TYPE_*)
T_IPV4 = 1 << 0
T_TCPV4 = 1 << 1
T_UDPV4 = 1 << 2
T_IPV6 = 1 << 3
T_TCPV6 = 1 << 4
T_UDPV6 = 1 << 5
T_IP_EX = 1 << 6
T_TCP_EX = 1 << 7
T_UDP_EX = 1 << 8
T_ALL = (1 << 9) - 1

TYPE_NAMES = ["ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6",
              "ipv6_ex", "tcpv6_ex", "udpv6_ex"]

# report types (VIRTIO_NET_HASH_REPORT_*)
R_NONE = 0
R_IPV4 = 1
R_TCPV4 = 2
R_UDPV4 = 3
R_IPV6 = 4
R_TCPV6 = 5
R_UDPV6 = 6
R_IPV6_EX = 7
R_TCPV6_EX = 8
R_UDPV6_EX = 9

REPORT_NAMES = ["none"] + TYPE_NAMES

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8

MAX_VLAN_TAGS = 2
MAX_EXT_HDRS = 8
MAX_DSTOPT_OPTIONS = 16

NH_HOPOPTS = 0
NH_TCP = 6
NH_UDP = 17
NH_ROUTING = 43
NH_FRAGMENT = 44
NH_ESP = 50
NH_AH = 51
NH_NONE = 59
NH_DSTOPTS = 60

OPT_PAD1 = 0
OPT_HOME_ADDRESS = 0xC9


def types_from_names(text):
    """'all', 'none' or a comma list of type names -> mask."""
    if text == "all":
        return T_ALL
    if text == "none":
        return 0
    mask = 0
    for name in text.split(","):
        mask |= 1 << TYPE_NAMES.index(name)
    return mask


def names_from_types(mask):
    """mask -> the --types argument ('none' for 0)."""
    if mask == 0:
        return "none"
    return ",".join(n for i, n in enumerate(TYPE_NAMES) if mask & (1 << i))


# --------------------------------------------------------------------------
# Toeplitz

def toeplitz(key, data):
    """Bit-by-bit Toeplitz: for every set input bit i (MSB first), XOR the
    32-bit window of the key that starts at key bit i.  Key bits past the
    end of the key are zero."""
    key = bytes(key)
    # key bits as a list, padded with zeros far enough for every window
    kbits = []
    for byte in key:
        for b in range(7, -1, -1):
            kbits.append((byte >> b) & 1)
    need = len(data) * 8 + 32
    if len(kbits) < need:
        kbits.extend([0] * (need - len(kbits)))
    result = 0
    i = 0
    for byte in data:
        for b in range(7, -1, -1):
            if (byte >> b) & 1:
                window = 0
                for j in range(32):
                    window = (window << 1) | kbits[i + j]
                result ^= window
            i += 1
    return result


class _KeyWindows:
    """Cache of the 32-bit windows of one key (same arithmetic as toeplitz(),
    just memoised so the differential test is fast)."""

    _cache = {}

    @classmethod
    def get(cls, key):
        key = bytes(key)
        w = cls._cache.get(key)
        if w is None:
            kint = int.from_bytes(key, "big") if key else 0
            total = 40 * 8 + 32
            kint <<= (total - len(key) * 8)
            w = [(kint >> (total - 32 - i)) & 0xFFFFFFFF
                 for i in range(36 * 8 + 1)]
            if len(cls._cache) > 64:
                cls._cache.clear()
            cls._cache[key] = w
        return w


def toeplitz_fast(key, data):
    """Same result as toeplitz() (asserted in the self test); used for bulk."""
    w = _KeyWindows.get(key)
    result = 0
    i = 0
    for byte in data:
        if byte:
            for b in range(8):
                if byte & (0x80 >> b):
                    result ^= w[i + b]
        i += 8
    return result


# --------------------------------------------------------------------------
# Parsing

class Parsed:
    """Result of parsing: what the hash choice needs."""

    __slots__ = ("family", "src", "dst", "src_ex", "dst_ex", "l4",
                 "sport", "dport")

    def __init__(self, family, src, dst):
        self.family = family      # 4 or 6
        self.src = src
        self.dst = dst
        self.src_ex = src         # Home Address (IPv6) or src
        self.dst_ex = dst         # Type 2 routing address (IPv6) or dst
        self.l4 = None            # None, "tcp" or "udp"
        self.sport = 0
        self.dport = 0

    def __repr__(self):
        return ("Parsed(v%d src=%s dst=%s src_ex=%s dst_ex=%s l4=%s %d>%d)"
                % (self.family, self.src.hex(), self.dst.hex(),
                   self.src_ex.hex(), self.dst_ex.hex(), self.l4,
                   self.sport, self.dport))


def _set_l4(p, pkt, off, nh):
    rest = len(pkt) - off
    if nh == NH_TCP and rest >= 20:
        p.l4 = "tcp"
    elif nh == NH_UDP and rest >= 8:
        p.l4 = "udp"
    else:
        return
    p.sport, p.dport = struct.unpack_from("!HH", pkt, off)


def parse_ipv4(pkt):
    if len(pkt) < 20:
        return None
    if pkt[0] >> 4 != 4:
        return None
    ihl = pkt[0] & 0x0F
    if ihl < 5:
        return None
    hlen = ihl * 4
    if hlen > len(pkt):
        return None
    p = Parsed(4, bytes(pkt[12:16]), bytes(pkt[16:20]))
    frag = struct.unpack_from("!H", pkt, 6)[0]
    mf = frag & 0x2000
    offset = frag & 0x1FFF
    if mf or offset:
        return p
    _set_l4(p, pkt, hlen, pkt[9])
    return p


def _walk_dstopts(pkt, start, end):
    """Options of one Destination Options header [start, end).  Returns the
    Home Address (16 bytes) or None."""
    pos = start + 2
    examined = 0
    while pos < end and examined < MAX_DSTOPT_OPTIONS:
        examined += 1
        otype = pkt[pos]
        if otype == OPT_PAD1:
            pos += 1
            continue
        if pos + 2 > end:          # no room for the length byte
            return None
        olen = pkt[pos + 1]
        if pos + 2 + olen > end:   # option runs past the header's end
            return None
        if otype == OPT_HOME_ADDRESS and olen == 16:
            return bytes(pkt[pos + 2:pos + 18])
        pos += 2 + olen
    return None


def parse_ipv6(pkt):
    if len(pkt) < 40:
        return None
    if pkt[0] >> 4 != 6:
        return None
    p = Parsed(6, bytes(pkt[8:24]), bytes(pkt[24:40]))
    home = None
    rt2 = None
    nh = pkt[6]
    off = 40
    count = 0
    fragmented = False
    cut = False
    while nh in (NH_HOPOPTS, NH_ROUTING, NH_FRAGMENT, NH_DSTOPTS, NH_AH):
        if count == MAX_EXT_HDRS:          # a ninth header: cut short
            cut = True
            break
        if nh == NH_FRAGMENT:
            hlen = 8
        else:
            if off + 2 > len(pkt):         # cannot even read its length
                cut = True
                break
            if nh == NH_AH:
                hlen = (pkt[off + 1] + 2) * 4
            else:
                hlen = (pkt[off + 1] + 1) * 8
        if off + hlen > len(pkt):
            cut = True
            break
        count += 1
        if nh == NH_FRAGMENT:
            fragmented = True
        elif nh == NH_ROUTING:
            if rt2 is None and pkt[off + 2] == 2 and pkt[off + 1] == 2:
                rt2 = bytes(pkt[off + 8:off + 24])
        elif nh == NH_DSTOPTS:
            if home is None:
                home = _walk_dstopts(pkt, off, off + hlen)
        nh = pkt[off]
        off += hlen
    if home is not None:
        p.src_ex = home
    if rt2 is not None:
        p.dst_ex = rt2
    if not fragmented and not cut:
        _set_l4(p, pkt, off, nh)
    return p


def parse_l3(ethertype, pkt):
    if ethertype == ETH_P_IP:
        return parse_ipv4(pkt)
    if ethertype == ETH_P_IPV6:
        return parse_ipv6(pkt)
    return None


def parse_frame(frame):
    if len(frame) < 14:
        return None
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    off = 14
    tags = 0
    while ethertype in (ETH_P_8021Q, ETH_P_8021AD) and tags < MAX_VLAN_TAGS:
        if off + 4 > len(frame):
            return None
        ethertype = struct.unpack_from("!H", frame, off + 2)[0]
        off += 4
        tags += 1
    return parse_l3(ethertype, frame[off:])


# --------------------------------------------------------------------------
# Hash choice

def choose(p, types):
    """-> (report, hash input bytes) or (R_NONE, None)."""
    if p is None:
        return R_NONE, None
    ports = struct.pack("!HH", p.sport, p.dport)
    if p.family == 4:
        if types & T_TCPV4 and p.l4 == "tcp":
            return R_TCPV4, p.src + p.dst + ports
        if types & T_UDPV4 and p.l4 == "udp":
            return R_UDPV4, p.src + p.dst + ports
        if types & T_IPV4:
            return R_IPV4, p.src + p.dst
        return R_NONE, None
    if types & T_TCP_EX and p.l4 == "tcp":
        return R_TCPV6_EX, p.src_ex + p.dst_ex + ports
    if types & T_TCPV6 and p.l4 == "tcp":
        return R_TCPV6, p.src + p.dst + ports
    if types & T_UDP_EX and p.l4 == "udp":
        return R_UDPV6_EX, p.src_ex + p.dst_ex + ports
    if types & T_UDPV6 and p.l4 == "udp":
        return R_UDPV6, p.src + p.dst + ports
    if types & T_IP_EX:
        return R_IPV6_EX, p.src_ex + p.dst_ex
    if types & T_IPV6:
        return R_IPV6, p.src + p.dst
    return R_NONE, None


def _hash(p, types, key, fast):
    report, data = choose(p, types)
    if report == R_NONE:
        return 0, R_NONE
    return (toeplitz_fast(key, data) if fast else toeplitz(key, data)), report


def hash_frame(frame, types=T_ALL, key=DEFAULT_KEY, fast=True):
    """Ethernet frame -> (hash, report)."""
    return _hash(parse_frame(bytes(frame)), types, key, fast)


def hash_l3(ethertype, pkt, types=T_ALL, key=DEFAULT_KEY, fast=True):
    """L3 packet with the given EtherType -> (hash, report)."""
    return _hash(parse_l3(ethertype, bytes(pkt)), types, key, fast)


def raw_ethertype(pkt):
    """EtherType a raw-IP capture implies: from the IP version nibble."""
    if not pkt:
        return 0
    v = pkt[0] >> 4
    if v == 4:
        return ETH_P_IP
    if v == 6:
        return ETH_P_IPV6
    return 0


# --------------------------------------------------------------------------
# Queue selection

def queues_table(n, size=128):
    return [i % n for i in range(size)]


def select_queue(hash_value, report, table, unclassified=0):
    if report == R_NONE:
        return unclassified
    n = len(table)
    assert n and n & (n - 1) == 0, "table length must be a power of two"
    return table[hash_value & (n - 1)]


if __name__ == "__main__":
    # tiny smoke test; tests/test_ref_vectors.py is the real one
    import sys
    d = bytes([66, 9, 149, 187, 161, 142, 100, 80]) + struct.pack("!HH", 2794, 1766)
    h = toeplitz(DEFAULT_KEY, d)
    print("0x%08x" % h)
    sys.exit(0 if h == 0x51ccc178 else 1)
