"""Turning one raw DNS query into the raw reply, the way the cluster's CoreDNS would answer it.

:class:`QueryHandler` is transport independent: the UDP and TCP servers of
:mod:`engine.dns.server` (and the fuzz tests) hand it bytes and send back what it returns. It

* drops what must not be answered: fewer than 12 bytes (no header to answer), or a message
  with the QR flag set (a response — answering it could loop between two servers);
* answers NOTIMP to opcodes other than QUERY, FORMERR to messages that do not parse or do not
  carry exactly one question, BADVERS to EDNS versions above 0, REFUSED to classes other than
  IN (the question echoed whenever it parses);
* otherwise asks :func:`engine.dns.resolver.resolve` — the same resolver the in-app ``dig`` and
  ``nslookup`` use, reading the live store — and renders its answer with
  :func:`engine.dns.encode.encode` (CoreDNS's truncation and compression rules; EDNS0 answered
  with version 0, our 1232-byte buffer size and the client's DO bit).

Nothing raises out of :meth:`QueryHandler.handle`: an unexpected error inside the resolver is
logged and answered SERVFAIL.

**Cache.** Rendered replies are kept per transport, keyed by the query's bytes after the
message id (flags, question with its exact letter case, OPT record), so a repeated query costs
one dictionary lookup; the cache is bounded in entries and bytes. Every store change to the
objects the zone is built from (Namespaces, Services, EndpointSlices, Pods) empties it, so
answers change the moment the cluster does, as with the kubeadm Corefile (cache disabled for
``cluster.local``). A cached reply keeps its answer's address records apart and presents them
in a fresh order each time (CoreDNS ``loadbalance``), drawn from ``cluster.rng("dns")``.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import dns.message
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from engine.dns import resolver, wire
from engine.dns.encode import encode
from engine.dns.records import Answer

if TYPE_CHECKING:
    from engine.cluster import Cluster
    from engine.store import WatchEvent

log = logging.getLogger(__name__)

#: Kinds whose changes can change an answer (the zone's inputs)
ZONE_KINDS = ("Namespace", "Service", "EndpointSlice", "Pod")
#: Cached replies per transport, and their bytes: beyond either the cache starts afresh (only
#: floods of distinct queries get there — ids, cookies and letter case make distinct keys)
CACHE_ENTRIES = 16384
CACHE_BYTES = 8 << 20

Resolve = Callable[["Cluster", str, str], Answer]
Entry = bytes | wire.Reply


class QueryHandler:
    """Answers raw queries against a cluster's live DNS zone.

    Args:
        cluster: the cluster whose store is read on every cache miss.
        resolve: the resolver (default :func:`engine.dns.resolver.resolve`).
    """

    def __init__(self, cluster: Cluster, resolve: Resolve | None = None) -> None:
        self.cluster = cluster
        self._resolve: Resolve = resolve or resolver.resolve
        self._rng: random.Random = cluster.rng("dns")
        self._caches: dict[bool, dict[bytes, Entry]] = {True: {}, False: {}}
        self._cache_bytes = {True: 0, False: 0}
        #: counts per outcome: ``query``, ``cached``, ``dropped``, ``FORMERR``, ``NOTIMP``…
        self.stats: Counter[str] = Counter()
        cluster.store.subscribe(self._invalidate, ZONE_KINDS)

    @property
    def udp_cache(self) -> dict[bytes, Entry]:
        """The UDP reply cache (one dict for the handler's life: emptied, never replaced)."""
        return self._caches[True]

    def close(self) -> None:
        """Stop watching the store."""
        self.cluster.store.unsubscribe(self._invalidate)
        self._invalidate(None)

    def _invalidate(self, _event: WatchEvent | None) -> None:
        for udp, cache in self._caches.items():
            cache.clear()
            self._cache_bytes[udp] = 0

    # -- entry points -----------------------------------------------------------------------
    def handle(self, data: bytes, *, udp: bool = True) -> bytes | None:
        """The reply to ``data`` (a query received over UDP, or over TCP without its length
        prefix), or None when it must be dropped. Never raises."""
        cache = self._caches[udp]
        hit = cache.get(data[2:])
        if hit is not None:
            self.stats["cached"] += 1
            if type(hit) is bytes:
                return data[:2] + hit
            assert isinstance(hit, wire.Reply)
            return hit.build(data[:2], self._rng)
        try:
            reply, cacheable = self._answer(data, udp)
        except Exception:
            log.exception("DNS query failed; answering SERVFAIL")
            self.stats["SERVFAIL"] += 1
            error = wire.error_reply(data, dns.rcode.SERVFAIL)
            reply, cacheable = (None if error is None else wire.Reply(error[2:])), False
        if reply is None:
            self.stats["dropped"] += 1
            return None
        if cacheable:
            self._remember(udp, data[2:], reply)
        return reply.build(data[:2], self._rng)

    def _remember(self, udp: bool, key: bytes, reply: wire.Reply) -> None:
        cache = self._caches[udp]
        size = len(key) + len(reply.head) + len(reply.tail) + sum(map(len, reply.run))
        if len(cache) >= CACHE_ENTRIES or self._cache_bytes[udp] + size > CACHE_BYTES:
            cache.clear()
            self._cache_bytes[udp] = 0
        cache[key] = reply if reply.run else reply.head + reply.tail
        self._cache_bytes[udp] += size

    # -- answering --------------------------------------------------------------------------
    def _answer(self, data: bytes, udp: bool) -> tuple[wire.Reply | None, bool]:
        """The rendered reply and whether it may be cached."""
        if len(data) < wire.HEADER_LEN or wire.is_response(data):
            return None, False
        if wire.opcode_of(data) != dns.opcode.QUERY:
            return self._error(data, dns.rcode.NOTIMP), False
        query = _read(data)
        if query is None:
            return self._error(data, dns.rcode.FORMERR), False
        limit = query.udp_limit() if udp else wire.MAX_MESSAGE
        if query.edns is not None and query.edns.version > 0:
            return self._refusal(query, dns.rcode.BADVERS, limit, udp), False
        if query.qclass != dns.rdataclass.IN:
            return self._refusal(query, dns.rcode.REFUSED, limit, udp), False
        answer = self._resolve(
            self.cluster,
            query.qname,
            dns.rdatatype.to_text(dns.rdatatype.RdataType.make(query.qtype)),
        )
        self.stats["query"] += 1
        self.stats[answer.rcode] += 1
        return encode(query, answer, limit, udp=udp), True

    def _error(self, data: bytes, rcode: dns.rcode.Rcode) -> wire.Reply | None:
        self.stats[rcode.name] += 1
        reply = wire.error_reply(data, rcode)
        return None if reply is None else wire.Reply(reply[2:])

    def _refusal(
        self, query: wire.Query, rcode: dns.rcode.Rcode, limit: int, udp: bool
    ) -> wire.Reply:
        """A reply with ``rcode``, the question and no records (BADVERS, REFUSED)."""
        name = dns.rcode.to_text(rcode)
        self.stats[name] += 1
        return encode(query, Answer(query.qname, "A", rcode=name, aa=False), limit, udp=udp)


def _read(data: bytes) -> wire.Query | None:
    """The query in ``data`` (fast reader first, dnspython for unusual messages), or None
    when it is malformed."""
    try:
        query = wire.parse_query(data)
        if query is not None:
            return query
        msg = dns.message.from_wire(data)
    except Exception:  # Malformed, or any of dnspython's many errors
        return None
    if len(msg.question) != 1:
        return None
    return wire.query_from_message(data, msg)
