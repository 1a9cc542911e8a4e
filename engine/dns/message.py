"""Wire format of replies, as CoreDNS sends them.

CoreDNS (``request.Scrub``) sends a UDP reply **uncompressed** when it fits the client's buffer
and only compresses it above 1480 bytes (IPv4); record order is kept (dnspython would shuffle
RRsets on output by default). :func:`to_wire` does the same, so a wire-format server can send
``to_wire(answer.to_message(query))`` and dig's ``MSG SIZE`` matches :func:`response_size`.
"""

from __future__ import annotations

from typing import Any

import dns.edns
import dns.flags
import dns.message
import dns.renderer

from engine.dns.records import Answer

#: CoreDNS compresses a UDP reply larger than this (IPv4)
COMPRESS_ABOVE = 1480


def _render(msg: dns.message.Message, compress: bool) -> bytes:
    make: Any = dns.renderer.Renderer  # untyped in dnspython
    renderer = make(msg.id, msg.flags, 65535)
    if not compress:
        renderer.compress = None
    for rrset in msg.question:
        renderer.add_question(rrset.name, rrset.rdtype, rrset.rdclass)
    for section, rrsets in (
        (dns.renderer.ANSWER, msg.answer),
        (dns.renderer.AUTHORITY, msg.authority),
        (dns.renderer.ADDITIONAL, msg.additional),
    ):
        for rrset in rrsets:
            renderer.add_rrset(section, rrset, want_shuffle=False)
    if msg.edns >= 0:
        renderer.add_edns(msg.edns, msg.ednsflags, msg.payload, msg.options)
    renderer.write_header()
    wire: bytes = renderer.get_wire()
    return wire


def to_wire(msg: dns.message.Message) -> bytes:
    """The reply's bytes as CoreDNS would send them over UDP."""
    wire = _render(msg, compress=False)
    if len(wire) > COMPRESS_ABOVE:
        wire = _render(msg, compress=True)
    return wire


def dig_query(
    qname: str, qtype: str, *, edns: bool = True, cookie: bool = True
) -> dns.message.Message:
    """The query dig 9.18 sends: RD and AD set, EDNS0 with a 1232-byte buffer and an 8-byte
    client cookie (the cookie's value does not change sizes; it is all zeros here)."""
    query = dns.message.make_query(qname, qtype, use_edns=edns, payload=1232)
    query.flags |= dns.flags.AD
    if edns and cookie:
        query.use_edns(0, 0, 1232, options=[dns.edns.CookieOption(b"\0" * 8, b"")])
    return query


def response_size(answer: Answer, edns: bool = True, cookie: bool = True) -> int:
    """Bytes of the reply to dig's query for ``answer`` (dig's ``MSG SIZE  rcvd``)."""
    return len(
        to_wire(answer.to_message(dig_query(answer.qname, answer.qtype, edns=edns, cookie=cookie)))
    )
