"""The DNS server: query handling, rendering, EDNS, errors, caching, and the sockets.

Handler tests feed raw queries to :class:`QueryHandler` and compare what comes back with what the
resolver answers for the same cluster; socket tests start the server on a free loopback port on
the test's event loop and query it with dnspython's async functions (the real clients are in
``tests/e2e``).
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Iterator

import dns.asyncquery
import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest

from engine.cluster import Cluster
from engine.dns import handler as handler_module
from engine.dns import message as coredns_wire
from engine.dns import wire
from engine.dns.encode import encode
from engine.dns.handler import QueryHandler
from engine.dns.resolver import resolve
from tests.engine.dns_server_helpers import WEB_IPS, big_ips, dns_cluster

NGINX = "nginx.default.svc.cluster.local."
BIG = "big.default.svc.cluster.local."


@pytest.fixture(scope="module")
def big_cluster() -> Cluster:
    """Read-only: the seed-like state plus a 300-pod headless Service ``big``."""
    return dns_cluster(big=300)


@pytest.fixture
def handler(big_cluster: Cluster) -> Iterator[QueryHandler]:
    h = QueryHandler(big_cluster)
    yield h
    h.close()


def ask(
    h: QueryHandler, qname: str, qtype: str = "A", *, udp: bool = True, **kw: object
) -> dns.message.Message:
    """Send a dnspython query through the handler and parse the reply."""
    query = dns.message.make_query(qname, qtype, **kw)  # type: ignore[arg-type]
    reply = h.handle(query.to_wire(), udp=udp)
    assert reply is not None
    msg = dns.message.from_wire(reply)
    assert msg.id == query.id
    return msg


def addresses(msg: dns.message.Message) -> set[str]:
    return {rd.address for rrset in msg.answer if rrset.rdtype == dns.rdatatype.A for rd in rrset}


# -- answers ----------------------------------------------------------------------------------
def test_headless_service_answers_both_pod_ips_authoritatively(handler: QueryHandler) -> None:
    msg = ask(handler, NGINX)
    assert msg.rcode() == dns.rcode.NOERROR
    assert msg.flags & dns.flags.AA
    assert not msg.flags & dns.flags.RA
    assert addresses(msg) == set(WEB_IPS.values())
    assert {rrset.ttl for rrset in msg.answer} == {30}


def test_reply_is_the_resolvers_answer_in_coredns_bytes(
    handler: QueryHandler, big_cluster: Cluster
) -> None:
    # one record: no shuffling, so the bytes must equal CoreDNS's rendering of the answer
    query = coredns_wire.dig_query("web-0.nginx.default.svc.cluster.local", "A", cookie=False)
    expected = coredns_wire.to_wire(
        resolve(big_cluster, "web-0.nginx.default.svc.cluster.local", "A").to_message(query)
    )
    got = handler.handle(query.to_wire())
    assert got is not None
    assert got[2:] == expected[2:]
    assert got[:2] == query.to_wire()[:2]


@pytest.mark.parametrize("edns", [False, True])
@pytest.mark.parametrize(
    ("qname", "qtype"),
    [
        ("nginx.default.svc.cluster.local", "A"),
        ("_web._tcp.nginx.default.svc.cluster.local", "SRV"),
        ("_web._tcp.big.default.svc.cluster.local", "SRV"),  # compressed, truncated
        ("10.1.244.10.in-addr.arpa", "PTR"),
        ("Nope.default.svc.cluster.local", "A"),
        ("cluster.local", "NS"),
        ("cluster.local", "SOA"),
        ("dns-version.cluster.local", "TXT"),
        ("example.com", "MX"),
        ("we\\ird\\.name.default.svc.cluster.local", "A"),
    ],
)
def test_encoder_writes_what_dnspython_renders(
    big_cluster: Cluster, qname: str, qtype: str, edns: bool
) -> None:
    """The direct encoder against dnspython's renderer (CoreDNS's rules, engine.dns.message)
    for the same Answer object, so the shuffled order is the same on both sides."""
    query = dns.message.make_query(qname, qtype, use_edns=0 if edns else False, payload=1232)
    data = query.to_wire()
    parsed = wire.parse_query(data)
    assert parsed is not None
    answer = resolve(big_cluster, parsed.qname, qtype)
    got = encode(parsed, answer, parsed.udp_limit(), udp=True).build(data[:2])
    if not struct.unpack_from("!H", got, 2)[0] & dns.flags.TC:
        assert got == coredns_wire.to_wire(answer.to_message(query))  # uncompressed: it fits
        return
    # truncated: compressed, and the records that fit are the answer's first ones
    assert len(got) <= parsed.udp_limit()
    an, ns, ar = struct.unpack_from("!HHH", got, 6)
    kept = dataclasses.replace(
        answer,
        answer=answer.answer[:an],
        authority=answer.authority[:ns],
        additional=answer.additional[: ar - edns],
    )
    msg = kept.to_message(query)
    msg.flags |= dns.flags.TC
    assert got == coredns_wire._render(msg, compress=True)
    assert an < len(answer.answer)


@pytest.mark.parametrize(
    ("qname", "qtype"),
    [
        ("_web._tcp.nginx.default.svc.cluster.local", "SRV"),
        ("10.1.244.10.in-addr.arpa", "PTR"),
        ("my-svc.default.svc.cluster.local", "A"),
        ("nope.default.svc.cluster.local", "A"),
        ("web-0.nginx.default.svc.cluster.local", "AAAA"),
        ("example.com", "A"),
        ("dns-version.cluster.local", "TXT"),
        ("10-244-1-10.default.pod.cluster.local", "A"),
    ],
)
def test_every_section_matches_the_resolver(
    handler: QueryHandler, big_cluster: Cluster, qname: str, qtype: str
) -> None:
    msg = ask(handler, qname, qtype, use_edns=0)
    answer = resolve(big_cluster, qname, qtype)
    assert dns.rcode.to_text(msg.rcode()) == answer.rcode
    assert bool(msg.flags & dns.flags.AA) == answer.aa
    assert bool(msg.flags & dns.flags.RA) == answer.ra
    for got, want in (
        (msg.answer, answer.answer),
        (msg.authority, answer.authority),
        (msg.additional, answer.additional),
    ):
        assert sorted(
            (r.name.to_text(), r.ttl, dns.rdatatype.to_text(r.rdtype), rd.to_text())
            for r in got
            for rd in r
        ) == sorted((r.name, r.ttl, r.rdtype, r.rdata) for r in want)


def test_nxdomain_carries_the_soa(handler: QueryHandler) -> None:
    msg = ask(handler, "nope.default.svc.cluster.local")
    assert msg.rcode() == dns.rcode.NXDOMAIN
    assert msg.flags & dns.flags.AA
    assert [r.rdtype for r in msg.authority] == [dns.rdatatype.SOA]
    soa = msg.authority[0]
    assert soa.name.to_text() == "cluster.local."
    assert soa[0].mname.to_text() == "ns.dns.cluster.local."
    assert soa[0].minimum == 30


def test_question_is_echoed_with_its_letter_case(handler: QueryHandler) -> None:
    msg = ask(handler, "NGINX.Default.svc.Cluster.Local.")
    assert msg.question[0].name.to_text() == "NGINX.Default.svc.Cluster.Local."
    assert addresses(msg) == set(WEB_IPS.values())


# -- EDNS ------------------------------------------------------------------------------------
def test_edns_is_answered_with_our_buffer_size_and_the_do_bit(handler: QueryHandler) -> None:
    msg = ask(handler, NGINX, use_edns=0, payload=4096, want_dnssec=True)
    assert msg.edns == 0
    assert msg.payload == wire.UDP_PAYLOAD
    assert msg.ednsflags & dns.flags.DO
    plain = ask(handler, NGINX)
    assert plain.edns == -1


def test_cookie_option_is_echoed(handler: QueryHandler) -> None:
    cookie = dns.edns.CookieOption(b"\x01" * 8, b"")
    msg = ask(handler, NGINX, use_edns=0, options=[cookie])
    assert [o.otype for o in msg.options] == [dns.edns.OptionType.COOKIE]


def test_edns_version_above_zero_is_badvers(handler: QueryHandler) -> None:
    msg = ask(handler, NGINX, use_edns=1)
    assert msg.rcode() == dns.rcode.BADVERS
    assert msg.edns == 0
    assert not msg.answer
    assert msg.question[0].name.to_text() == NGINX


# -- errors ----------------------------------------------------------------------------------
def _raw(qname: str = NGINX, qtype: str = "A", **kw: object) -> bytearray:
    return bytearray(dns.message.make_query(qname, qtype, **kw).to_wire())  # type: ignore[arg-type]


@pytest.mark.parametrize("opcode", [dns.opcode.NOTIFY, dns.opcode.UPDATE, dns.opcode.STATUS, 3])
def test_other_opcodes_are_notimp_with_the_question(handler: QueryHandler, opcode: int) -> None:
    data = _raw()
    data[2] = (data[2] & 0x87) | (opcode << 3)
    reply = handler.handle(bytes(data))
    assert reply is not None
    qid, flags, qdcount, *others = struct.unpack_from("!6H", reply)
    assert (qid, flags & 0xF, (flags >> 11) & 0xF, flags & 0x8000) == (
        int.from_bytes(data[:2], "big"),
        dns.rcode.NOTIMP,
        opcode,
        0x8000,
    )
    assert (qdcount, others) == (1, [0, 0, 0])
    assert reply[12:] == data[12:]  # the question, byte for byte


def test_trailing_junk_is_formerr_with_the_question_echoed(handler: QueryHandler) -> None:
    reply = handler.handle(bytes(_raw()) + b"\x00junk")
    assert reply is not None
    msg = dns.message.from_wire(reply)
    assert msg.rcode() == dns.rcode.FORMERR
    assert msg.question[0].name.to_text() == NGINX
    assert msg.flags & dns.flags.QR


@pytest.mark.parametrize("qdcount", [0, 2])
def test_question_count_other_than_one_is_formerr(handler: QueryHandler, qdcount: int) -> None:
    data = _raw()
    if qdcount == 2:
        data += data[12:]
    else:
        data = data[:12]
    struct.pack_into("!H", data, 4, qdcount)
    reply = handler.handle(bytes(data))
    assert reply is not None
    assert dns.message.from_wire(reply).rcode() == dns.rcode.FORMERR


def test_unparsable_question_is_formerr_without_one(handler: QueryHandler) -> None:
    data = bytes(_raw()[:12]) + b"\x3fabc"  # a label longer than the message
    reply = handler.handle(data)
    assert reply is not None
    assert reply[:2] == data[:2]
    msg = dns.message.from_wire(reply)
    assert msg.rcode() == dns.rcode.FORMERR
    assert not msg.question


def test_compression_pointer_loops_are_formerr(handler: QueryHandler) -> None:
    data = _raw()[:12] + b"\xc0\x0c\x00\x01\x00\x01"  # the question name points at itself
    reply = handler.handle(bytes(data))
    assert reply is not None
    assert dns.message.from_wire(reply).rcode() == dns.rcode.FORMERR


def test_compressed_names_in_other_records_are_read(handler: QueryHandler) -> None:
    # an OPT-less additional record whose owner points back at the question: well formed,
    # unusual, read by dnspython; the query is answered
    query = dns.message.make_query(NGINX, "A")
    data = bytearray(query.to_wire())
    struct.pack_into("!H", data, 10, 1)
    data += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 30, 4) + bytes([10, 0, 0, 1])
    reply = handler.handle(bytes(data))
    assert reply is not None
    assert addresses(dns.message.from_wire(reply)) == set(WEB_IPS.values())


def test_responses_and_short_packets_are_dropped(handler: QueryHandler) -> None:
    data = _raw()
    data[2] |= 0x80
    assert handler.handle(bytes(data)) is None
    assert handler.handle(b"\x00" * 11) is None
    assert handler.handle(b"") is None
    assert handler.stats["dropped"] == 3


def test_other_classes_are_refused(handler: QueryHandler) -> None:
    query = dns.message.make_query("version.bind.", "TXT", rdclass=dns.rdataclass.CH)
    reply = handler.handle(query.to_wire())
    assert reply is not None
    assert dns.message.from_wire(reply).rcode() == dns.rcode.REFUSED


def test_a_resolver_failure_is_servfail_and_the_handler_goes_on(big_cluster: Cluster) -> None:
    calls = []

    def flaky(cluster: Cluster, qname: str, qtype: str):  # type: ignore[no-untyped-def]
        calls.append(qname)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return resolve(cluster, qname, qtype)

    h = QueryHandler(big_cluster, resolve=flaky)
    first = dns.message.from_wire(h.handle(bytes(_raw(NGINX))) or b"")
    assert first.rcode() == dns.rcode.SERVFAIL
    assert first.question[0].name.to_text() == NGINX
    second = dns.message.from_wire(h.handle(bytes(_raw(NGINX))) or b"")
    assert addresses(second) == set(WEB_IPS.values())
    h.close()


# -- size limits -----------------------------------------------------------------------------
def test_big_answer_without_edns_is_truncated_to_512_bytes(handler: QueryHandler) -> None:
    query = dns.message.make_query(BIG, "A")
    reply = handler.handle(query.to_wire())
    assert reply is not None
    assert len(reply) <= 512
    msg = dns.message.from_wire(reply)
    assert msg.flags & dns.flags.TC
    got = addresses(msg)
    assert 0 < len(got) < 300
    assert got <= set(big_ips(300))


@pytest.mark.parametrize(("payload", "limit"), [(4096, 1232), (1232, 1232), (800, 800), (100, 512)])
def test_big_answer_with_edns_fits_the_capped_buffer(
    handler: QueryHandler, payload: int, limit: int
) -> None:
    query = dns.message.make_query(BIG, "A", use_edns=0, payload=payload)
    reply = handler.handle(query.to_wire())
    assert reply is not None
    assert limit - 16 < len(reply) <= limit  # filled up to the last record that fits
    msg = dns.message.from_wire(reply)
    assert msg.flags & dns.flags.TC
    assert msg.edns == 0


def test_echoed_options_never_push_a_reply_over_the_limit(handler: QueryHandler) -> None:
    padding = dns.edns.GenericOption(dns.edns.OptionType.PADDING, b"\0" * 480)
    query = dns.message.make_query(NGINX, "A", use_edns=0, payload=512, options=[padding])
    reply = handler.handle(query.to_wire(max_size=65535))
    assert reply is not None
    assert len(reply) <= 512
    msg = dns.message.from_wire(reply)
    assert msg.edns == 0
    assert not msg.options
    small = dns.edns.GenericOption(dns.edns.OptionType.PADDING, b"\0" * 8)
    echoed = ask(handler, NGINX, use_edns=0, payload=512, options=[small])
    assert [o.otype for o in echoed.options] == [dns.edns.OptionType.PADDING]


def test_big_answer_over_tcp_is_whole(handler: QueryHandler) -> None:
    msg = ask(handler, BIG, use_edns=0, udp=False)
    assert not msg.flags & dns.flags.TC
    assert addresses(msg) == set(big_ips(300))


def test_small_answers_are_uncompressed_like_coredns(handler: QueryHandler) -> None:
    query = dns.message.make_query(NGINX, "A")
    reply = handler.handle(query.to_wire())
    assert reply is not None
    # question + two A records each carrying the full owner name
    name_len = len(dns.name.from_text(NGINX).to_wire() or b"")
    assert len(reply) == 12 + (name_len + 4) + 2 * (name_len + 14)


# -- cache and liveness ----------------------------------------------------------------------
def test_cached_replies_carry_the_new_id_and_rotate_addresses(handler: QueryHandler) -> None:
    orders = set()
    for i in range(40):
        query = dns.message.make_query(NGINX, "A")
        query.id = i
        reply = handler.handle(query.to_wire())
        assert reply is not None
        msg = dns.message.from_wire(reply)
        assert msg.id == i
        orders.add(tuple(rd.address for rd in msg.answer[0]))
    assert handler.stats["cached"] == 39
    assert {frozenset(o) for o in orders} == {frozenset(WEB_IPS.values())}
    assert len(orders) == 2  # loadbalance: both orders show up


def test_answers_change_the_moment_the_cluster_changes() -> None:
    cluster = dns_cluster()
    h = QueryHandler(cluster)
    assert addresses(ask(h, NGINX)) == set(WEB_IPS.values())
    cluster.delete("Pod", "default", "web-1", force=True)
    assert addresses(ask(h, NGINX)) == {WEB_IPS["web-0"]}
    assert ask(h, "web-1.nginx.default.svc.cluster.local").rcode() == dns.rcode.NXDOMAIN
    h.close()
    cluster.delete("Pod", "default", "web-0", force=True)
    assert h._caches[True] == {}  # closed: no longer listening, nothing kept


def test_the_cache_stays_bounded_under_distinct_queries(
    big_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handler_module, "CACHE_ENTRIES", 5)
    monkeypatch.setattr(handler_module, "CACHE_BYTES", 20_000)
    h = QueryHandler(big_cluster)
    for i in range(12):
        # distinct letter case: distinct keys, the same answer
        name = "".join(c.upper() if i >> (k % 4) & 1 else c for k, c in enumerate(NGINX))
        assert addresses(ask(h, name)) == set(WEB_IPS.values())
        msg = ask(h, BIG, use_edns=0, udp=False)  # 300 records: ~5 KB per reply
        assert len(addresses(msg)) == 300
        assert len(h._caches[True]) <= 5
        assert h._cache_bytes[False] <= 20_000
    h.close()
