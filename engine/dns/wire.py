"""Reading queries off the wire for the DNS server, and the replies that need no resolver.

:func:`parse_query` reads the queries real clients send — a header, one question, at most an
OPT record — directly from the bytes, which is many times faster than a full
``dns.message.from_wire`` and lets the server reject junk cheaply. Anything unusual (a
compressed question name, records in the answer or authority sections, a TSIG, EDNS options we
would have to validate) is handed to dnspython instead (:func:`query_from_message`), so both
readers agree on what is malformed.

:class:`Reply` is a rendered reply without its 2-byte message id: what the server caches. The
answer section's run of address records is kept apart so each reply can present them in a
fresh order (CoreDNS's ``loadbalance`` plugin) without rendering again.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass

import dns.edns
import dns.message
import dns.name

HEADER_LEN = 12
#: The smallest UDP payload every client accepts (RFC 1035), and the limit without EDNS
MIN_UDP = 512
#: Our EDNS0 buffer size and the cap on the client's (BIND ``max-udp-size``, DNS Flag Day 2020)
UDP_PAYLOAD = 1232
#: The largest DNS message (TCP length prefix)
MAX_MESSAGE = 65535

QR = 0x8000
OPCODE_MASK = 0x7800
RD = 0x0100
CD = 0x0010
TYPE_OPT = 41
_DO = 0x8000
#: characters a label may hold and still be written as-is in presentation format
_PLAIN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*")


class Malformed(Exception):
    """The message cannot be a valid query (answered FORMERR)."""


@dataclass(frozen=True, slots=True)
class Edns:
    """The query's OPT record."""

    payload: int
    version: int
    do: bool
    options: tuple[tuple[int, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class Query:
    """A query the resolver can answer: one question, maybe EDNS."""

    qid: bytes
    flags: int
    labels: tuple[bytes, ...]  # the question name as sent, without the root label
    qtype: int
    qclass: int
    edns: Edns | None

    @property
    def qname(self) -> str:
        """The question name in presentation format (trailing dot), as dnspython writes it."""
        if all(label and _PLAIN.issuperset(label) for label in self.labels):
            return b".".join(self.labels).decode("ascii") + "."
        return dns.name.Name((*self.labels, b"")).to_text()

    def udp_limit(self) -> int:
        """How many bytes a UDP reply may have: 512 without EDNS, else the client's buffer
        size capped at :data:`UDP_PAYLOAD` (and never below 512)."""
        if self.edns is None:
            return MIN_UDP
        return max(MIN_UDP, min(self.edns.payload, UDP_PAYLOAD))


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


def _labels(data: bytes, at: int) -> tuple[tuple[bytes, ...], int] | None:
    """An uncompressed name at ``at``: (labels, end); None for a compression pointer.

    Raises:
        Malformed: a label runs past the end, the name is too long, or a reserved label type.
    """
    labels: list[bytes] = []
    total = 1
    while True:
        if at >= len(data):
            raise Malformed("name runs past the end")
        size = data[at]
        if size == 0:
            return tuple(labels), at + 1
        if size >= 0xC0:
            return None
        if size > 63:
            raise Malformed("reserved label type")
        total += size + 1
        if total > 255 or at + 1 + size > len(data):
            raise Malformed("name too long")
        labels.append(data[at + 1 : at + 1 + size])
        at += 1 + size


def parse_query(data: bytes) -> Query | None:
    """Read a plain query (header, one question, optional option-less OPT).

    Returns None when the message is not plain and dnspython must read it.

    Raises:
        Malformed: it is certainly not a valid query.
    """
    qid, flags, qd, an, ns, ar = struct.unpack_from("!2sHHHHH", data)
    if qd != 1:
        raise Malformed("QDCOUNT must be 1")
    if an > 1 or ns > 1 or ar > 2:  # what miekg/dns (CoreDNS) refuses to read as a query
        raise Malformed("too many records for a query")
    if an or ns or ar > 1:
        return None
    parsed = _labels(data, HEADER_LEN)
    if parsed is None:
        return None
    labels, at = parsed
    if at + 4 > len(data):
        raise Malformed("question runs past the end")
    qtype, qclass = struct.unpack_from("!HH", data, at)
    at += 4
    edns = None
    if ar:
        if at + 11 > len(data) or data[at] != 0:
            return None
        rtype, payload, _ext, version, oflags, rdlen = struct.unpack_from("!HHBBHH", data, at + 1)
        if rtype != TYPE_OPT or rdlen:
            return None
        edns = Edns(payload, version, bool(oflags & _DO))
        at += 11
    if at != len(data):
        raise Malformed("trailing bytes")
    return Query(qid, flags, labels, qtype, qclass, edns)


def query_from_message(data: bytes, msg: dns.message.Message) -> Query:
    """The :class:`Query` for a message dnspython has read (exactly one question)."""
    question = msg.question[0]
    edns = None
    if msg.edns >= 0:
        options = tuple((int(o.otype), o.to_wire() or b"") for o in msg.options)
        edns = Edns(int(msg.payload), int(msg.edns), bool(msg.ednsflags & _DO), options)
    labels = question.name.labels[:-1] if question.name.is_absolute() else question.name.labels
    return Query(data[:2], msg.flags, labels, question.rdtype, question.rdclass, edns)


def question_of(data: bytes) -> tuple[bytes, int, int] | None:
    """The first question of a raw message as (name wire, type, class), or None when it does
    not parse."""
    if len(data) < HEADER_LEN or struct.unpack_from("!H", data, 4)[0] < 1:
        return None
    try:
        parsed = _labels(data, HEADER_LEN)
        if parsed is not None:
            labels, end = parsed
            wire = b"".join(bytes((len(label),)) + label for label in labels) + b"\0"
        else:
            name, used = dns.name.from_wire(data, HEADER_LEN)
            wire, end = name.to_wire() or b"", HEADER_LEN + used
    except Exception:  # Malformed, or any of dnspython's errors: no question to echo
        return None
    if end + 4 > len(data):
        return None
    rdtype, rdclass = struct.unpack_from("!HH", data, end)
    return wire, int(rdtype), int(rdclass)


def error_reply(data: bytes, rcode: int) -> bytes | None:
    """A header-only reply with ``rcode`` (FORMERR, NOTIMP, SERVFAIL…), echoing id, opcode,
    RD and CD, and the question when it parses. None when there is no header to answer."""
    if len(data) < HEADER_LEN:
        return None
    qid, flags = struct.unpack_from("!HH", data)
    reply_flags = QR | (flags & (OPCODE_MASK | RD | CD)) | (rcode & 0xF)
    question = question_of(data)
    body = b""
    if question is not None:
        name, rdtype, rdclass = question
        body = name + struct.pack("!HH", rdtype, rdclass)
    return struct.pack("!HHHHHH", qid, reply_flags, 1 if body else 0, 0, 0, 0) + body


def opcode_of(data: bytes) -> int:
    """The opcode of a raw message (at least a header long)."""
    return (int.from_bytes(data[2:4], "big") & OPCODE_MASK) >> 11


def is_response(data: bytes) -> bool:
    """The QR flag is set (a response, never answered: no reflection loops)."""
    return bool(data[2] & 0x80)
