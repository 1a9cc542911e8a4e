"""Rendering a resolver :class:`~engine.dns.records.Answer` as the bytes CoreDNS would send.

What CoreDNS does before it writes a reply (``request.Scrub`` → miekg/dns ``Msg.Truncate``):

* a reply that fits the client's limit is sent **uncompressed**, records in order;
* one that does not is rendered with name compression and filled record by record (answer,
  then authority, then additional) until the next record would not fit; TC is set when any
  record was left out, so the client retries over TCP, where the limit is 65,535 bytes.

The reply copies the query's id, opcode, RD and CD flags and question (letter case kept); AA
and RA are the resolver's; EDNS0 is answered with version 0, our 1232-byte buffer size, the
client's DO bit and the options CoreDNS echoes (``engine.dns.records``). Name compression
follows dnspython's renderer exactly (owner names and the names inside NS/CNAME/PTR/SOA rdata
point back to earlier names; SRV targets are never compressed), so a reply that fits is byte
for byte what ``engine.dns.message.to_wire(answer.to_message(query))`` gives for a query as
dig sends it (1232-byte buffer; the text tools' model of a reply differs only in echoing the
client's buffer size where we state ours, and in leaving out DO and CD).

Writing the bytes directly (instead of building a ``dns.message.Message``) keeps a cache miss
cheap: a few hundred microseconds for a small answer (mostly the resolver), about 15 ms for 300
records, where dnspython took over a millisecond and a quarter of a second.
"""

from __future__ import annotations

import functools
import socket
import struct
from dataclasses import dataclass

import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from engine.dns import wire
from engine.dns.records import _ECHOED_OPTIONS, Answer, Record

#: CoreDNS compresses a UDP reply that does not fit this (IPv4 fragmentation limit)
COMPRESS_ABOVE = 1480
_AA, _TC, _RA = 0x0400, 0x0200, 0x0080
_ADDRESS = ("A", "AAAA")
_NAME_RDATA = ("CNAME", "PTR", "NS")
_ECHOED = frozenset(int(o) for o in _ECHOED_OPTIONS)

Labels = tuple[bytes, ...]


@functools.lru_cache(maxsize=8192)
def _labels_of(name: str) -> Labels:
    """Labels of an absolute name in presentation format (without the root label)."""
    return tuple(dns.name.from_text(name).labels[:-1])


@functools.lru_cache(maxsize=256)
def _rdtype(text: str) -> int:
    return int(dns.rdatatype.from_text(text))


@functools.lru_cache(maxsize=1024)
def _generic_rdata(rdtype: str, text: str) -> bytes:
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), text)
    return bytes(rdata.to_wire() or b"")


@dataclass(frozen=True, slots=True)
class _Span:
    section: int
    rdtype: str
    owner: Labels
    start: int
    end: int


class _Writer:
    """A growing message with an optional dnspython-style compression table."""

    def __init__(self, compress: bool) -> None:
        self.buf = bytearray(wire.HEADER_LEN)
        self.table: dict[Labels, int] | None = {} if compress else None

    def name(self, labels: Labels, compress: bool = True) -> None:
        table = self.table if compress else None
        buf = self.buf
        for i, label in enumerate(labels):
            if table is not None:
                key = tuple(part.lower() for part in labels[i:])
                pos = table.get(key)
                if pos is not None:
                    buf += struct.pack("!H", 0xC000 | pos)
                    return
                if len(buf) <= 0x3FFF:
                    table[key] = len(buf)
            buf.append(len(label))
            buf += label
        buf.append(0)

    def record(self, rec: Record) -> None:
        self.name(_labels_of(rec.name))
        self.buf += struct.pack("!HHIH", _rdtype(rec.rdtype), dns.rdataclass.IN, rec.ttl, 0)
        start = len(self.buf)
        self.rdata(rec.rdtype, rec.rdata)
        struct.pack_into("!H", self.buf, start - 2, len(self.buf) - start)

    def rdata(self, rdtype: str, text: str) -> None:
        if rdtype == "A":
            self.buf += socket.inet_pton(socket.AF_INET, text)
        elif rdtype == "AAAA":
            self.buf += socket.inet_pton(socket.AF_INET6, text)
        elif rdtype in _NAME_RDATA:
            self.name(_labels_of(text))
        elif rdtype == "SRV":
            priority, weight, port, target = text.split()
            self.buf += struct.pack("!HHH", int(priority), int(weight), int(port))
            self.name(_labels_of(target), compress=False)
        elif rdtype == "SOA":
            mname, rname, *numbers = text.split()
            self.name(_labels_of(mname))
            self.name(_labels_of(rname))
            self.buf += struct.pack("!IIIII", *(int(n) for n in numbers))
        else:
            self.buf += _generic_rdata(rdtype, text)

    def rollback(self, where: int) -> None:
        del self.buf[where:]
        if self.table is not None:
            for key in [k for k, pos in self.table.items() if pos >= where]:
                del self.table[key]


def encode(query: wire.Query, answer: Answer, limit: int, *, udp: bool) -> wire.Reply:
    """The reply to ``query`` carrying ``answer`` within ``limit`` bytes (module docstring)."""
    plain_limit = min(limit, COMPRESS_ABOVE) if udp else limit
    full, spans, over = _write(query, answer, plain_limit, compress=False)
    if not over:
        return _template(full, spans, False, compressed=False)
    packed, spans, over = _write(query, answer, limit, compress=True)
    return _template(packed, spans, over, compressed=True)


def _opt(query: wire.Query, rcode: int, *, echo: bool = True) -> bytes:
    """Our OPT record (empty when the query had none); ``echo``: with the echoed options."""
    if query.edns is None:
        return b""
    options = b"".join(
        struct.pack("!HH", code, len(data)) + data
        for code, data in query.edns.options
        if echo and code in _ECHOED
    )
    ttl = ((rcode >> 4) << 24) | (0x8000 if query.edns.do else 0)
    header = struct.pack("!HHIH", wire.TYPE_OPT, wire.UDP_PAYLOAD, ttl, len(options))
    return b"\0" + header + options


def _write(
    query: wire.Query, answer: Answer, limit: int, *, compress: bool
) -> tuple[bytes, list[_Span], bool]:
    """Header, question, as many records as fit ``limit`` with the OPT record, and the OPT."""
    rcode = int(dns.rcode.from_text(answer.rcode))
    out = _Writer(compress)
    out.name(query.labels)
    out.buf += struct.pack("!HH", query.qtype, query.qclass)
    opt = _opt(query, rcode)
    if len(out.buf) + len(opt) > limit:  # huge echoed options (padding): leave them out
        opt = _opt(query, rcode, echo=False)
    room = limit - len(opt)
    counts = [0, 0, 0]
    spans: list[_Span] = []
    truncated = False
    sections = (answer.answer, answer.authority, answer.additional)
    for section, records in enumerate(sections):
        for rec in records:
            start = len(out.buf)
            out.record(rec)
            if len(out.buf) > room:
                out.rollback(start)
                truncated = True
                break
            counts[section] += 1
            spans.append(_Span(section, rec.rdtype, _labels_of(rec.name), start, len(out.buf)))
        if truncated:
            break
    flags = wire.QR | (query.flags & (wire.OPCODE_MASK | wire.RD | wire.CD)) | (rcode & 0xF)
    flags |= (_AA if answer.aa else 0) | (_RA if answer.ra else 0) | (_TC if truncated else 0)
    arcount = counts[2] + (1 if opt else 0)
    struct.pack_into("!2sHHHHH", out.buf, 0, b"\0\0", flags, 1, counts[0], counts[1], arcount)
    out.buf += opt
    return bytes(out.buf), spans, truncated


def _template(data: bytes, spans: list[_Span], truncated: bool, *, compressed: bool) -> wire.Reply:
    """Split out the answer section's last run of same-owner address records.

    An address record there is position independent: uncompressed it carries its full owner
    name, compressed its owner is a pointer to an earlier name, and its rdata holds no names.
    """
    run: list[_Span] = []
    for span in spans:
        if span.section != 0:
            break
        if span.rdtype in _ADDRESS and run and span.owner == run[0].owner:
            run.append(span)
        else:
            run = [span] if span.rdtype in _ADDRESS else []
    movable = len(run) >= 2 and (not compressed or all(_points_back(data, s.start) for s in run))
    if not movable:
        return wire.Reply(data[2:], truncated=truncated)
    first, last = run[0].start, run[-1].end
    chunks = tuple(data[s.start : s.end] for s in run)
    return wire.Reply(data[2:first], chunks, data[last:], truncated)


def _points_back(data: bytes, at: int) -> bool:
    """The name at ``at`` is a compression pointer to an earlier offset."""
    return data[at] >= 0xC0 and (int.from_bytes(data[at : at + 2], "big") & 0x3FFF) < at
