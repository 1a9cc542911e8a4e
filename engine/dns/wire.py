"""Reading queries off the wire for the DNS server, and the replies that need no resolver.

:func:`parse_query` walks the whole message directly from the bytes, which is many times
faster than ``dns.message.from_wire`` and lets the server reject junk cheaply: structural errors
(names running past the end or over 255 bytes, compression pointers that do not point back,
records that do not fit, trailing bytes) are found here, with dnspython's rules. The queries
real clients send — a header, one question, at most an option-less OPT record — are returned
directly; a well-formed but unusual message (records in the answer or authority sections, a
TSIG, EDNS options dnspython validates) is handed to dnspython (:func:`query_from_message`).

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

from engine.dns.shuffle import shuffle

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
            shuffle(rng, run)
        return b"".join((qid, self.head, *run, self.tail))


def read_name(data: bytes, at: int) -> tuple[tuple[bytes, ...], int]:
    """The name at ``at``, following compression pointers: (labels, end of the name in place).

    Pointers must point strictly backwards (dnspython's and miekg/dns's rule), so a pointer
    loop cannot hang the reader.

    Raises:
        Malformed: a label runs past the end, the name exceeds 255 bytes, a pointer does not
            point back, or a label type is reserved.
    """
    labels: list[bytes] = []
    total = 1
    end = -1
    backmost = at
    while True:
        if at >= len(data):
            raise Malformed("name runs past the end")
        size = data[at]
        if size == 0:
            return tuple(labels), (at + 1 if end < 0 else end)
        if size >= 0xC0:
            if at + 1 >= len(data):
                raise Malformed("pointer runs past the end")
            pointer = ((size & 0x3F) << 8) | data[at + 1]
            if pointer >= backmost:
                raise Malformed("compression pointer does not point back")
            if end < 0:
                end = at + 2
            backmost = at = pointer
            continue
        if size > 63:
            raise Malformed("reserved label type")
        total += size + 1
        if total > 255 or at + 1 + size > len(data):
            raise Malformed("name too long")
        labels.append(data[at + 1 : at + 1 + size])
        at += 1 + size


def _skip_records(data: bytes, at: int, count: int) -> tuple[int, list[tuple[bool, int, int]]]:
    """Walk ``count`` resource records: (end, [(owner is root, type, offset of rdata)]).

    Raises:
        Malformed: a record runs past the end of the message.
    """
    seen: list[tuple[bool, int, int]] = []
    for _ in range(count):
        labels, at = read_name(data, at)
        if at + 10 > len(data):
            raise Malformed("record header runs past the end")
        rtype, rdlen = struct.unpack_from("!H6xH", data, at)
        at += 10
        if at + rdlen > len(data):
            raise Malformed("rdata runs past the end")
        seen.append((not labels, int(rtype), at))
        at += rdlen
    return at, seen


def parse_query(data: bytes) -> Query | None:
    """Read a query: the whole message is walked; a plain one (one question, at most an
    option-less OPT record) is returned directly.

    Returns None for a well-formed but unusual message, which dnspython must read (records in
    the answer or authority sections, a TSIG, EDNS options it validates).

    Raises:
        Malformed: it is certainly not a valid query.
    """
    qid, flags, qd, an, ns, ar = struct.unpack_from("!2sHHHHH", data)
    if qd != 1:
        raise Malformed("QDCOUNT must be 1")
    if an > 1 or ns > 1 or ar > 2:  # what miekg/dns (CoreDNS) refuses to read as a query
        raise Malformed("too many records for a query")
    labels, at = read_name(data, HEADER_LEN)
    if at + 4 > len(data):
        raise Malformed("question runs past the end")
    qtype, qclass = struct.unpack_from("!HH", data, at)
    end, records = _skip_records(data, at + 4, an + ns + ar)
    if end != len(data):
        raise Malformed("trailing bytes")
    if an or ns or ar > 1:
        return None
    edns = None
    if records:
        root, rtype, rdata = records[0]
        if not root or rtype != TYPE_OPT or rdata != len(data):
            return None  # not an option-less OPT: let dnspython judge it
        payload, _ext, version, oflags = struct.unpack_from("!HBBH", data, rdata - 8)
        edns = Edns(payload, version, bool(oflags & _DO))
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
        labels, end = read_name(data, HEADER_LEN)
    except Malformed:
        return None
    wire = b"".join(bytes((len(label),)) + label for label in labels) + b"\0"
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
