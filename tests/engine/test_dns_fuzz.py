"""Fuzzing the DNS server: random and mutated packets must never stop it answering.

100,000 packets go straight into the query handler (what the UDP reader calls per datagram):
random bytes, and valid queries mutated the ways broken or hostile clients do — bit flips,
overwritten and inserted bytes, truncation, junk appended, forged section counts, corrupted
label lengths and compression-pointer loops, spliced messages, random opcodes and flags. Every
reply must be a response to the packet's id, and a valid query asked between batches must
still get the right answer. A smaller batch goes over real UDP and TCP sockets.

Randomness comes from seeded ``random.Random`` instances, so a failure replays exactly.
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
from collections.abc import Callable

import dns.asyncquery
import dns.edns
import dns.message
import dns.rdatatype
import pytest

from engine.cluster import Cluster
from engine.dns import wire
from engine.dns.handler import QueryHandler
from engine.dns.server import start_dns_server
from tests.engine.dns_server_helpers import WEB_IPS, dns_cluster

NGINX = "nginx.default.svc.cluster.local."
PACKETS = 100_000
CHECK_EVERY = 2_000

NAMES = [
    NGINX,
    "web-0.nginx.default.svc.cluster.local.",
    "big.default.svc.cluster.local.",
    "_web._tcp.nginx.default.svc.cluster.local.",
    "10.1.244.10.in-addr.arpa.",
    "my-svc.default.svc.cluster.local.",
    "nope.default.svc.cluster.local.",
    "10-244-1-10.default.pod.cluster.local.",
    "cluster.local.",
    "example.com.",
    ".",
]
TYPES = ["A", "AAAA", "SRV", "PTR", "TXT", "SOA", "NS", "CNAME", "MX", "ANY", "AXFR"]


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return dns_cluster(big=40)


def corpus() -> list[bytes]:
    """Valid queries: every name and type, without EDNS, with EDNS, with options and DO."""
    out = []
    for name in NAMES:
        for qtype in TYPES:
            out.append(dns.message.make_query(name, qtype, use_edns=False).to_wire())
            out.append(dns.message.make_query(name, qtype, use_edns=0, payload=4096).to_wire())
        cookie = dns.edns.CookieOption(b"\x07" * 8, b"")
        out.append(
            dns.message.make_query(
                name, "A", use_edns=0, want_dnssec=True, options=[cookie]
            ).to_wire()
        )
    return out


def _flip(rng: random.Random, b: bytearray) -> None:
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)


def _overwrite(rng: random.Random, b: bytearray) -> None:
    for _ in range(rng.randint(1, 4)):
        b[rng.randrange(len(b))] = rng.randrange(256)


def _truncate(rng: random.Random, b: bytearray) -> None:
    del b[rng.randrange(len(b)) :]


def _junk(rng: random.Random, b: bytearray) -> None:
    b += rng.randbytes(rng.randint(1, 64))


def _insert(rng: random.Random, b: bytearray) -> None:
    i = rng.randrange(len(b) + 1)
    b[i:i] = rng.randbytes(rng.randint(1, 16))


def _counts(rng: random.Random, b: bytearray) -> None:
    field = rng.choice((4, 6, 8, 10))
    if len(b) < 12:
        return
    struct.pack_into("!H", b, field, rng.choice((0, 1, 2, 3, 255, 65535)))


def _labels(rng: random.Random, b: bytearray) -> None:
    # corrupt a label length: too long, a pointer forward, a pointer to itself (a loop)
    if len(b) < 14:
        return
    i = 12 + rng.randrange(len(b) - 13)
    choice = rng.randrange(3)
    if choice == 0:
        b[i] = rng.choice((0x3F, 0x40, 0x80, 0xFF))
    elif choice == 1:
        b[i], b[i + 1] = 0xC0 | rng.randrange(64), rng.randrange(256)
    else:
        b[i], b[i + 1] = 0xC0 | (i >> 8), i & 0xFF


def _splice(rng: random.Random, b: bytearray) -> None:
    b += rng.choice(CORPUS)[rng.randrange(12) :]


def _flags(rng: random.Random, b: bytearray) -> None:
    if len(b) < 4:
        return
    b[2], b[3] = rng.randrange(256), rng.randrange(256)


MUTATORS: list[Callable[[random.Random, bytearray], None]] = [
    _flip,
    _overwrite,
    _truncate,
    _junk,
    _insert,
    _counts,
    _labels,
    _splice,
    _flags,
]
CORPUS = corpus()


def packets(seed: int, count: int) -> list[bytes]:
    """``count`` fuzz packets: a quarter random bytes, the rest mutated valid queries."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        if rng.random() < 0.25:
            out.append(rng.randbytes(rng.choice((0, 1, 11, 12, 13, rng.randint(0, 600)))))
            continue
        b = bytearray(rng.choice(CORPUS))
        for mutate in rng.sample(MUTATORS, rng.randint(1, 3)):
            if b:
                mutate(rng, b)
        out.append(bytes(b))
    return out


def assert_answers_nginx(reply: bytes | None, query: dns.message.Message) -> None:
    assert reply is not None
    msg = dns.message.from_wire(reply)
    assert msg.id == query.id
    got = {rd.address for rr in msg.answer if rr.rdtype == dns.rdatatype.A for rd in rr}
    assert got == set(WEB_IPS.values())


def test_handler_survives_100k_random_and_mutated_packets(cluster: Cluster) -> None:
    handler = QueryHandler(cluster)
    valid = dns.message.make_query(NGINX, "A", use_edns=0)
    answered = 0
    for n, packet in enumerate(packets(seed=7, count=PACKETS)):
        reply = handler.handle(packet)
        if reply is not None:
            answered += 1
            assert reply[:2] == packet[:2], packet  # a reply to this packet's id
            assert reply[2] & 0x80, packet  # QR: never a query back
            assert len(reply) <= 1232, packet  # UDP limit honoured whatever was asked
            if n % 97 == 0 and not reply[2] & 0x78:  # (dnspython reads UPDATE differently)
                dns.message.from_wire(reply)  # well-formed
        if n % CHECK_EVERY == 0:
            valid.id = n & 0xFFFF
            assert_answers_nginx(handler.handle(valid.to_wire()), valid)
    stats = handler.stats
    assert answered > PACKETS // 4
    # the mix reached every outcome, and no packet crashed the resolver
    for outcome in ("dropped", "FORMERR", "NOTIMP", "NOERROR", "NXDOMAIN", "BADVERS", "cached"):
        assert stats[outcome] > 0, (outcome, dict(stats))
    assert stats["SERVFAIL"] == 0, dict(stats)
    handler.close()


def test_tcp_handler_survives_mutated_queries(cluster: Cluster) -> None:
    handler = QueryHandler(cluster)
    for packet in packets(seed=8, count=5_000):
        reply = handler.handle(packet, udp=False)
        if reply is not None:
            assert reply[:2] == packet[:2]
    valid = dns.message.make_query("big.default.svc.cluster.local.", "A")
    reply = handler.handle(valid.to_wire(), udp=False)
    assert reply is not None
    assert sum(len(rr) for rr in dns.message.from_wire(reply).answer) == 40
    assert handler.stats["SERVFAIL"] == 0
    handler.close()


async def test_server_survives_hostile_packets_over_real_sockets(cluster: Cluster) -> None:
    async with await start_dns_server(cluster, port=0) as server:
        target = ("127.0.0.1", server.port)
        query = dns.message.make_query(NGINX, "A")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.setblocking(False)
            for n, packet in enumerate(packets(seed=9, count=3_000)):
                udp.sendto(packet, target)
                if n % 32 == 0:
                    await asyncio.sleep(0)  # let the server's reader run
        reply = await dns.asyncquery.udp(query, target[0], port=target[1], timeout=5)
        assert {rd.address for rd in reply.answer[0]} == set(WEB_IPS.values())
        # TCP: garbage streams, each on its own connection, then a valid query
        rng = random.Random(10)
        for packet in packets(seed=11, count=100):
            reader, writer = await asyncio.open_connection(*target)
            framed = (
                rng.randbytes(rng.randint(1, 40))
                if rng.random() < 0.5
                else len(packet).to_bytes(2, "big") + packet
            )
            writer.write(framed)
            writer.write_eof()
            await asyncio.wait_for(reader.read(), 5)  # answered or closed, never hung
            writer.close()
        reply = await dns.asyncquery.tcp(query, target[0], port=target[1], timeout=5)
        assert {rd.address for rd in reply.answer[0]} == set(WEB_IPS.values())


def test_fast_reader_agrees_with_dnspython_on_every_fuzz_packet() -> None:
    """What the fast reader calls malformed, dnspython cannot read either; what it reads, it
    reads as dnspython does (question, EDNS version, payload, DO)."""
    checked = 0
    for packet in packets(seed=12, count=10_000):
        if len(packet) < wire.HEADER_LEN or wire.opcode_of(packet) != 0:
            continue  # the handler answers these before reading (dnspython reads UPDATE apart)
        try:
            fast = wire.parse_query(packet)
        except wire.Malformed:
            fast = None
            malformed = True
        else:
            malformed = False
        try:
            slow = dns.message.from_wire(packet)
        except Exception:
            slow = None
        if malformed:
            assert slow is None or len(slow.question) != 1, packet
            continue
        if fast is None:
            continue
        assert slow is not None, packet
        checked += 1
        assert wire.query_from_message(packet, slow) == fast, packet
    assert checked > 500
