"""The structured answer of a DNS query, shared by the text tools and a wire-format server.

A :class:`Answer` holds what a DNS response carries — rcode, the AA/RA flags and the answer,
authority and additional sections — as :class:`Record` values whose rdata is in presentation
format (``10.244.1.10``, ``0 50 80 web-0.nginx.default.svc.cluster.local.``). That makes
rendering text direct and building a ``dns.message.Message`` a one-liner per record
(:meth:`Answer.to_message`), so a UDP/TCP server with dnspython only has to parse the query,
call :func:`engine.dns.resolver.resolve` and send ``answer.to_message(query).to_wire()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

#: the kubeadm Corefile's ``ttl 30`` for cluster records
TTL = 30
#: EDNS options CoreDNS copies from the query into the reply (request.supportedOptions)
_ECHOED_OPTIONS = {
    dns.edns.OptionType.NSID,
    dns.edns.OptionType.EXPIRE,
    dns.edns.OptionType.COOKIE,
    dns.edns.OptionType.KEEPALIVE,
    dns.edns.OptionType.PADDING,
}


class Record(NamedTuple):
    """One resource record: absolute owner name (trailing dot), TTL, type and rdata text.

    Immutable and hashable (a tuple: answers build many of them, cheaply).
    """

    name: str
    ttl: int
    rdtype: str
    rdata: str

    def to_text(self) -> str:
        """Zone-file form, as dig prints it (tab separated)."""
        return f"{self.name}\t{self.ttl}\tIN\t{self.rdtype}\t{self.rdata}"


@dataclass
class Answer:
    """A DNS response in structured form."""

    qname: str
    qtype: str
    rcode: str = "NOERROR"
    aa: bool = True
    ra: bool = False
    answer: list[Record] = field(default_factory=list)
    authority: list[Record] = field(default_factory=list)
    additional: list[Record] = field(default_factory=list)

    @property
    def nxdomain(self) -> bool:
        """The name does not exist."""
        return self.rcode == "NXDOMAIN"

    @property
    def nodata(self) -> bool:
        """The name exists but has no record of the asked type."""
        return self.rcode == "NOERROR" and not self.answer

    def records(self, rdtype: str) -> list[Record]:
        """Answer-section records of ``rdtype``."""
        return [r for r in self.answer if r.rdtype == rdtype]

    def to_message(self, query: dns.message.Message | None = None) -> dns.message.Message:
        """The response as a dnspython message (a reply to ``query`` when given).

        With a query, id, RD/CD and question are taken from it and its EDNS is answered the
        way CoreDNS does: version 0, the client's UDP size, supported options echoed.
        """
        if query is None:
            query = dns.message.make_query(self.qname, self.qtype)
        msg = dns.message.make_response(query, recursion_available=self.ra)
        if not self.ra:
            msg.flags &= ~dns.flags.RA
        if self.aa:
            msg.flags |= dns.flags.AA
        msg.set_rcode(dns.rcode.from_text(self.rcode))
        if query.edns >= 0:
            options = [o for o in query.options if o.otype in _ECHOED_OPTIONS]
            msg.use_edns(0, 0, query.payload, options=options)
        else:
            msg.use_edns(False)
        msg.answer = _rrsets(self.answer)
        msg.authority = _rrsets(self.authority)
        msg.additional = _rrsets(self.additional)
        return msg


def _rrsets(records: list[Record]) -> list[dns.rrset.RRset]:
    """Group records into RRsets, keeping first-appearance order (as on the wire)."""
    sets: dict[tuple[str, str], dns.rrset.RRset] = {}
    for rec in records:
        key = (rec.name.lower(), rec.rdtype)
        rrset = sets.get(key)
        if rrset is None:
            rrset = dns.rrset.RRset(
                dns.name.from_text(rec.name),
                dns.rdataclass.IN,
                dns.rdatatype.from_text(rec.rdtype),
            )
            rrset.update_ttl(rec.ttl)
            sets[key] = rrset
        rdtype = dns.rdatatype.from_text(rec.rdtype)
        rrset.add(dns.rdata.from_text(dns.rdataclass.IN, rdtype, rec.rdata), rec.ttl)
    return list(sets.values())
