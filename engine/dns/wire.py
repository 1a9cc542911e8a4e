"""Wire format for the DNS server: error replies, CoreDNS-style rendering and reply templates.

Rendering follows what CoreDNS does before it writes a reply (``request.Scrub`` → miekg/dns
``Msg.Truncate``):

* a reply that fits the client's limit is sent **uncompressed**, records in order;
* a reply that does not fit is rendered with name compression and filled record by record
  (answer, then authority, then additional) until the next record would not fit; the TC flag
  is set when any record was left out, so clients retry over TCP, where the limit is 65,535.

The UDP limit is the client's EDNS0 buffer size (at least 512 bytes, 512 without EDNS), capped at
:data:`UDP_PAYLOAD` = 1232 like BIND's ``max-udp-size`` and the DNS Flag Day 2020 advice; the
server advertises that same size in its OPT record.

A rendered reply is cached as a :class:`Reply`: the bytes after the 2-byte message id, with the
answer section's run of address records kept apart so each reply can present them in a fresh
order (CoreDNS's ``loadbalance`` plugin) without rendering again. An address record in the
answer section is position independent: uncompressed it carries its full owner name, compressed
its owner is a pointer to an earlier name (the question), and its rdata holds no names.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import dns.renderer
import dns.rrset

HEADER_LEN = 12
#: The smallest UDP payload every client accepts (RFC 1035), and the limit without EDNS
MIN_UDP = 512
#: Our EDNS0 buffer size and the cap on the client's (BIND ``max-udp-size``, DNS Flag Day 2020)
UDP_PAYLOAD = 1232
#: The largest DNS message (TCP length prefix)
MAX_MESSAGE = 65535
#: CoreDNS compresses a UDP reply that does not fit this (IPv4 fragmentation limit)
COMPRESS_ABOVE = 1480

_QR = 0x8000
_OPCODE_MASK = 0x7800
_RD = 0x0100
_CD = 0x0010
_ADDRESS_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)
#: dnspython's renderer (untyped: held as Any so strict mypy accepts the calls)
_RENDERER: Any = dns.renderer.Renderer


@dataclass(frozen=True, slots=True)
class Reply:
    """A rendered reply without its message id, ready to be sent again and again.

    Attributes:
        head: bytes after the id up to the shuffled run (the whole reply when ``run`` is empty).
        run: address records of the answer section, in the order first rendered.
        tail: bytes after the run.
        truncated: the TC flag is set.
    """

    head: bytes
    run: tuple[bytes, ...] = ()
    tail: bytes = b""
    truncated: bool = False

    def build(self, qid: bytes, rng: random.Random | None = None) -> bytes:
        """The reply for a query whose first two bytes are ``qid``; shuffles the address run
        with ``rng`` when given (loadbalance)."""
        if not self.run:
            return qid + self.head + self.tail
        run = list(self.run)
        if rng is not None:
            rng.shuffle(run)
        return b"".join((qid, self.head, *run, self.tail))


class _NoCompression(dict[dns.name.Name, int]):
    """A compression table that never remembers a name: every name is written in full."""

    def __setitem__(self, key: dns.name.Name, value: int) -> None:
        return None


@dataclass(frozen=True, slots=True)
class _Span:
    section: int
    rdtype: int
    owner: dns.name.Name
    start: int
    end: int


def udp_limit(query: dns.message.Message) -> int:
    """How many bytes a UDP reply to ``query`` may have."""
    if query.edns < 0:
        return MIN_UDP
    return max(MIN_UDP, min(int(query.payload), UDP_PAYLOAD))


def render(msg: dns.message.Message, limit: int, *, udp: bool) -> Reply:
    """Render ``msg`` as CoreDNS would send it within ``limit`` bytes (see module docstring)."""
    records = _flatten(msg)
    wire, spans, over = _write(msg, records, MAX_MESSAGE, compress=False)
    if not over and len(wire) <= limit and not (udp and len(wire) > COMPRESS_ABOVE):
        return _template(wire, spans, False, compressed=False)
    wire, spans, truncated = _write(msg, records, limit, compress=True)
    return _template(wire, spans, truncated, compressed=True)


def _flatten(msg: dns.message.Message) -> list[tuple[int, dns.rrset.RRset]]:
    """One single-record RRset per record, sections in order (truncation is per record)."""
    out: list[tuple[int, dns.rrset.RRset]] = []
    for section, rrsets in (
        (dns.renderer.ANSWER, msg.answer),
        (dns.renderer.AUTHORITY, msg.authority),
        (dns.renderer.ADDITIONAL, msg.additional),
    ):
        for rrset in rrsets:
            for rdata in rrset:
                one = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype)
                one.add(rdata, rrset.ttl)
                out.append((section, one))
    return out


def _opt_len(msg: dns.message.Message) -> int:
    if msg.edns < 0:
        return 0
    return 11 + sum(4 + len(opt.to_wire() or b"") for opt in msg.options)


def _write(
    msg: dns.message.Message,
    records: list[tuple[int, dns.rrset.RRset]],
    limit: int,
    *,
    compress: bool,
) -> tuple[bytes, list[_Span], bool]:
    """Render header, question, as many records as fit ``limit`` and the OPT record."""
    opt_len = _opt_len(msg)
    renderer: Any = _RENDERER(0, msg.flags, limit - opt_len)
    if not compress:
        renderer.compress = _NoCompression()
    for q in msg.question:
        renderer.add_question(q.name, q.rdtype, q.rdclass)
    spans: list[_Span] = []
    truncated = False
    for section, rrset in records:
        start = renderer.output.tell()
        try:
            renderer.add_rrset(section, rrset, want_shuffle=False)
        except dns.exception.TooBig:
            truncated = True
            break
        spans.append(_Span(section, rrset.rdtype, rrset.name, start, renderer.output.tell()))
    renderer.max_size = limit
    if truncated:
        renderer.flags |= dns.flags.TC
    if msg.edns >= 0:
        renderer.add_edns(msg.edns, msg.ednsflags, msg.payload, msg.options)
    renderer.write_header()
    return bytes(renderer.get_wire()), spans, truncated


def _template(wire: bytes, spans: list[_Span], truncated: bool, *, compressed: bool) -> Reply:
    """Split out the answer section's last run of same-owner address records."""
    run: list[_Span] = []
    for span in spans:
        if span.section != dns.renderer.ANSWER:
            break
        if span.rdtype in _ADDRESS_TYPES and run and span.owner == run[0].owner:
            run.append(span)
        else:
            run = [span] if span.rdtype in _ADDRESS_TYPES else []
    movable = len(run) >= 2 and (not compressed or all(_points_back(wire, s.start) for s in run))
    if not movable:
        return Reply(wire[2:], truncated=truncated)
    first, last = run[0].start, run[-1].end
    chunks = tuple(wire[s.start : s.end] for s in run)
    return Reply(wire[2:first], chunks, wire[last:], truncated)


def _points_back(wire: bytes, at: int) -> bool:
    """The name at ``at`` is a compression pointer to an earlier offset."""
    return wire[at] >= 0xC0 and (int.from_bytes(wire[at : at + 2], "big") & 0x3FFF) < at


def question_of(data: bytes) -> tuple[dns.name.Name, int, int] | None:
    """The first question of a raw message, or None when it does not parse."""
    if len(data) < HEADER_LEN or struct.unpack_from("!H", data, 4)[0] < 1:
        return None
    try:
        name, used = dns.name.from_wire(data, HEADER_LEN)
    except Exception:  # any malformed name: no question to echo
        return None
    end = HEADER_LEN + used
    if end + 4 > len(data):
        return None
    rdtype, rdclass = struct.unpack_from("!HH", data, end)
    return name, int(rdtype), int(rdclass)


def error_reply(data: bytes, rcode: int) -> bytes | None:
    """A header-only reply with ``rcode`` (FORMERR, NOTIMP, SERVFAIL…), echoing id, opcode,
    RD and CD, and the question when it parses. None when there is no header to answer."""
    if len(data) < HEADER_LEN:
        return None
    qid, flags = struct.unpack_from("!HH", data)
    reply_flags = _QR | (flags & (_OPCODE_MASK | _RD | _CD)) | (rcode & 0xF)
    question = question_of(data)
    body = b""
    if question is not None:
        name, rdtype, rdclass = question
        body = (name.to_wire() or b"") + struct.pack("!HH", rdtype, rdclass)
    return struct.pack("!HHHHHH", qid, reply_flags, 1 if body else 0, 0, 0, 0) + body


def opcode_of(data: bytes) -> int:
    """The opcode of a raw message (at least a header long)."""
    return (int.from_bytes(data[2:4], "big") & _OPCODE_MASK) >> 11


def is_response(data: bytes) -> bool:
    """The QR flag is set (a response, never answered: no reflection loops)."""
    return bool(data[2] & 0x80)
