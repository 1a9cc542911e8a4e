"""Structured answers to dnspython messages and CoreDNS-shaped wire bytes (for a DNS server)."""

from __future__ import annotations

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from engine.cluster import Cluster
from engine.dns.message import dig_query, response_size, to_wire
from engine.dns.records import Answer, Record
from engine.dns.resolver import resolve
from tests.engine.dns_scenario import seed_scenario


def test_reply_to_a_query_keeps_id_rd_question_and_echoes_edns(cluster: Cluster) -> None:
    seed_scenario(cluster)
    query = dig_query("nginx.default.svc.cluster.local", "A")
    query.id = 4242
    reply = resolve(cluster, "nginx.default.svc.cluster.local", "A").to_message(query)
    assert reply.id == 4242
    assert dns.flags.to_text(reply.flags) == "QR AA RD"
    assert reply.question == query.question
    assert reply.edns == 0
    assert reply.payload == 1232
    assert [o.otype for o in reply.options] == [dns.edns.OptionType.COOKIE]
    (rrset,) = reply.answer
    assert rrset.ttl == 30
    assert {rd.to_text() for rd in rrset} == {"10.244.1.10", "10.244.2.11"}


def test_negative_reply_carries_rcode_and_soa(cluster: Cluster) -> None:
    reply = resolve(cluster, "nosuch.default.svc.cluster.local", "A").to_message()
    assert reply.rcode() == dns.rcode.NXDOMAIN
    (soa,) = reply.authority
    assert soa.rdtype == dns.rdatatype.SOA
    assert reply.flags & dns.flags.AA


def test_upstream_reply_has_ra_without_aa(cluster: Cluster) -> None:
    reply = resolve(cluster, "example.com", "A").to_message()
    assert reply.flags & dns.flags.RA
    assert not reply.flags & dns.flags.AA


def test_wire_is_uncompressed_and_keeps_order(cluster: Cluster) -> None:
    seed_scenario(cluster)
    answer = resolve(cluster, "nginx.default.svc.cluster.local", "A")
    query = dig_query(answer.qname, "A")
    wire = to_wire(answer.to_message(query))
    # 12 header + question 33+4 + 2 × (33 name + 10 + 4) + OPT 11 + cookie 12
    assert len(wire) == 12 + 37 + 2 * 47 + 23 == response_size(answer)
    parsed = dns.message.from_wire(wire)
    assert [rd.to_text() for rd in parsed.answer[0]] == [r.rdata for r in answer.answer]


def test_large_replies_are_compressed() -> None:
    records = [
        Record("big.default.svc.cluster.local.", 30, "A", f"10.244.{i // 250}.{i % 250 + 1}")
        for i in range(60)
    ]
    answer = Answer("big.default.svc.cluster.local.", "A", answer=records)
    msg = answer.to_message(dig_query(answer.qname, "A"))
    wire = to_wire(msg)
    assert len(wire) < 1480
    assert len(dns.message.from_wire(wire).answer[0]) == 60


def test_records_render_like_dig() -> None:
    rec = Record("web-0.nginx.default.svc.cluster.local.", 30, "A", "10.244.1.10")
    assert rec.to_text() == "web-0.nginx.default.svc.cluster.local.\t30\tIN\tA\t10.244.1.10"
