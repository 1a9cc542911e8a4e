"""What cluster DNS makes of one EndpointSlice, kept so that an update costs what it changed.

:class:`Endpoint` is a ready endpoint address with what answers need precomputed. A
:class:`SliceView` remembers, for one indexed slice, the Endpoints made of each of its endpoint
dicts, keyed by the dict's identity: the store hands out read-only objects and the
EndpointSlice controller rewrites a slice with the very dicts the stored version holds for the
pods that did not change (the store shares them), so an update is diffed by identity, and only
new dicts are turned into Endpoints. :meth:`SliceView.update` declines (the zone then re-indexes
the slice from scratch) when a dict is listed twice or the kept endpoints changed order, so the
result is always the one a rebuild gives.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Set as AbstractSet
from itertools import chain
from operator import attrgetter, countOf
from typing import Any, NamedTuple

from engine.dns.records import TTL, Record
from engine.objects import Obj

SvcKey = tuple[str, str]
Ports = tuple[tuple[str, int, str], ...]


@functools.lru_cache(maxsize=65536)
def ip_version(host: str) -> int:
    """4 or 6 for an IP address, 0 for anything else (cached: answers repeat addresses)."""
    try:
        return ipaddress.ip_address(host).version
    except ValueError:
        return 0


class Endpoint(NamedTuple):
    """A ready endpoint address as DNS sees it, with what its answers need precomputed when
    its slice changes (so a lookup builds no per-endpoint objects)."""

    ip: str
    hostname: str
    ports: Ports  # (name, port, protocol); port -1 when none
    #: the endpoint label: hostname, else the dashed IP (CDNS ``endpointHostname``)
    name: str
    version: int  # ip_version(ip): 4, 6, or 0 for an address that is no IP
    #: the A record of ``<svc>.<ns>.svc.<domain>.`` for this address (None unless IPv4)
    service_a: Record | None


def slice_ports(ports: list[dict[str, Any]] | None) -> Ports:
    """A slice's ports as its Endpoints carry them (one port -1 entry when it has none)."""
    return tuple(
        (str(p.get("name") or ""), int(p.get("port", -1)), str(p.get("protocol", "TCP")))
        for p in ports or []
    ) or (("", -1, ""),)


#: an update's outcome: the previous Endpoints, the new ones, those added and those removed
Change = tuple[list[Endpoint], list[Endpoint], list[Endpoint], list[Endpoint]]
_SERVICE_A = attrgetter("service_a")
#: more new endpoint dicts than this, and over half the slice: rebuild instead of diffing
_BULK = 8
_VERSION = attrgetter("version")


class SliceView:
    """One indexed slice: its Service, ports and the Endpoints of each endpoint dict.

    The diff runs at C speed over the slice (ids, sets, list copies); Python-level work is
    spent on the endpoint dicts that came or went only.
    """

    __slots__ = ("endpoints", "fqdn", "held", "ids", "made", "ports", "raw_ports", "service")

    def __init__(self, service: SvcKey, slice_obj: Obj, domain: str) -> None:
        self.service = service
        self.raw_ports: Any = slice_obj.get("ports")
        self.ports = slice_ports(self.raw_ports)
        self.fqdn = f"{service[1]}.{service[0]}.svc.{domain}."
        #: id(endpoint dict) → the dict (held, so the id stays its own)
        self.held: dict[int, dict[str, Any]] = {}
        #: id(endpoint dict) → its Endpoints (none when not ready)
        self.made: dict[int, list[Endpoint]] = {}
        #: the ids in the slice's order; None when a dict is listed twice (no diff then)
        self.ids: list[int] | None = []
        #: the slice's Endpoints in order
        self.endpoints: list[Endpoint] = []

    def fits(self, service: SvcKey, slice_obj: Obj) -> bool:
        """Whether a new version of the slice can be diffed against this view: same Service
        and same ports (else every Endpoint changes)."""
        ports = slice_obj.get("ports")
        if service != self.service or (ports is not self.raw_ports and ports != self.raw_ports):
            return False
        self.raw_ports = ports
        return True

    def fill(self, items: list[dict[str, Any]]) -> list[Endpoint]:
        """Index every endpoint dict of a new slice; returns its Endpoints in order."""
        ids = list(map(id, items))
        self.held = dict(zip(ids, items, strict=True))
        self.made = {i: self._make(ep) for i, ep in self.held.items()}
        self.ids = ids if len(self.held) == len(ids) else None
        self.endpoints = list(chain.from_iterable(map(self.made.__getitem__, ids)))
        return self.endpoints

    def update(self, items: list[dict[str, Any]]) -> Change | None:
        """Diff the new version's endpoint dicts against the indexed ones and take them on;
        None (and nothing changed) when a rebuild must do it: a dict listed twice (in either
        version), the endpoints both versions hold in a different order, or mostly new
        dicts (a rebuild is cheaper)."""
        ids = list(map(id, items))
        held = dict(zip(ids, items, strict=True))
        if self.ids is None or len(held) != len(ids):
            return None
        gone = self.held.keys() - held.keys()
        fresh = held.keys() - self.held.keys()
        if len(fresh) > _BULK and 2 * len(fresh) > len(ids):
            return None  # mostly new: a rebuild is cheaper than a diff
        if _without(self.ids, gone) != _without(ids, fresh):
            return None
        made = self.made
        removed = [e for i in gone for e in made.pop(i)]
        added: list[Endpoint] = []
        for i in sorted(fresh, key=ids.index) if len(fresh) <= 8 else _within(ids, fresh):
            made[i] = self._make(held[i])
            added += made[i]
        previous = self.endpoints
        self.held, self.ids = held, ids
        self.endpoints = list(chain.from_iterable(map(made.__getitem__, ids)))
        return previous, self.endpoints, added, removed

    def _make(self, ep: dict[str, Any]) -> list[Endpoint]:
        """The Endpoints of one endpoint dict: one per address, none unless ready."""
        if (ep.get("conditions") or {}).get("ready") is False:
            return []
        hostname = str(ep.get("hostname") or "")
        out = []
        for address in ep.get("addresses") or []:
            ip = str(address)
            name = hostname or ip.replace(".", "-").replace(":", "-")
            version = ip_version(ip)
            service_a = Record(self.fqdn, TTL, "A", ip) if version == 4 else None
            out.append(Endpoint(ip, hostname, self.ports, name, version, service_a))
        return out


def _without(ids: list[int], drop: AbstractSet[int]) -> list[int]:
    """``ids`` without those in ``drop`` (a few removals at C speed)."""
    if not drop:
        return ids
    if len(drop) > 8:
        return [i for i in ids if i not in drop]
    kept = ids.copy()
    for i in drop:
        kept.remove(i)
    return kept


def _within(ids: list[int], keep: AbstractSet[int]) -> list[int]:
    return [i for i in ids if i in keep]


def service_records(endpoints: list[Endpoint]) -> tuple[list[Record], int]:
    """A slice's A records of its Service name and its count of addresses that are no IP."""
    return list(filter(None, map(_SERVICE_A, endpoints))), countOf(map(_VERSION, endpoints), 0)
