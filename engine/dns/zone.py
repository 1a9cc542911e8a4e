"""The cluster DNS data: what CoreDNS's ``kubernetes`` plugin keeps in its informer caches.

:class:`ClusterZone` watches the store (Namespaces, Services, EndpointSlices) from the moment
the cluster is built and keeps the indexes lookups need, so a lookup never scans the store:

* Services by (namespace, name) and by ClusterIP (reverse lookups of VIPs);
* EndpointSlices by (namespace, service) — a headless A answer is O(its endpoints): each
  slice's ready endpoints are turned into :class:`Endpoint` tuples, with the A record of the
  service name, when that slice changes (and only that slice), so an answer after a change
  joins prepared lists instead of building a record per endpoint;
* ready endpoint IPs → the ``<endpoint>.<svc>.<ns>.svc`` names pointing at them (PTR);
* endpoints by (namespace, service, endpoint name) — a per-pod answer is O(1);
* ``answers``: the resolver's records per (qname, qtype, zone), emptied on every change, so
  repeated queries between changes cost a dictionary lookup.

Only EndpointSlice endpoints whose ``conditions.ready`` is not false count (CDNS
``object/endpoint.go``), so DNS follows readiness the moment the EndpointSlice controller
writes it (the kubeadm Corefile disables caching for ``cluster.local``). ``modified`` is the
simulated wall time (Unix seconds) of the last change, CoreDNS's SOA serial.

There is one zone per cluster: :func:`zone_for` creates it (``engine.services.install`` does so
while the cluster is built, so it sees every object from the start).
"""

from __future__ import annotations

import functools
import ipaddress
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from engine.dns.records import TTL, Record
from engine.objects import Obj, labels_of, name_of, namespace_of
from engine.store import WatchEvent

if TYPE_CHECKING:
    from engine.cluster import Cluster

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
SvcKey = tuple[str, str]


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
    ports: tuple[tuple[str, int, str], ...]  # (name, port, protocol); port -1 when none
    #: the endpoint label: hostname, else the dashed IP (CDNS ``endpointHostname``)
    name: str
    version: int  # ip_version(ip): 4, 6, or 0 for an address that is no IP
    #: the A record of ``<svc>.<ns>.svc.<domain>.`` for this address (None unless IPv4)
    service_a: Record | None


def _slice_endpoints(slice_obj: Obj, domain: str) -> list[Endpoint]:
    ports = tuple(
        (str(p.get("name") or ""), int(p.get("port", -1)), str(p.get("protocol", "TCP")))
        for p in slice_obj.get("ports") or []
    ) or (("", -1, ""),)
    service = labels_of(slice_obj).get(SERVICE_NAME_LABEL, "")
    service_fqdn = f"{service}.{namespace_of(slice_obj)}.svc.{domain}."
    out = []
    for ep in slice_obj.get("endpoints") or []:
        if (ep.get("conditions") or {}).get("ready") is False:
            continue
        hostname = str(ep.get("hostname") or "")
        for address in ep.get("addresses") or []:
            ip = str(address)
            name = hostname or ip.replace(".", "-").replace(":", "-")
            version = ip_version(ip)
            service_a = Record(service_fqdn, TTL, "A", ip) if version == 4 else None
            out.append(Endpoint(ip, hostname, ports, name, version, service_a))
    return out


class ClusterZone:
    """Indexed view of the objects cluster DNS answers from."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.domain = cluster.config.cluster_domain.strip(".").lower()
        self.dns_ip = cluster.config.dns_ip
        self.modified = int(cluster.clock.wall().timestamp())
        self.namespaces: set[str] = set()
        self.services: dict[SvcKey, Obj] = {}
        self._by_vip: dict[str, dict[SvcKey, None]] = {}
        self._slices: dict[SvcKey, dict[str, list[Endpoint]]] = {}
        #: (ns, svc) → endpoint name (lowercase) → slice name → that slice's endpoints of it
        self._names: dict[SvcKey, dict[str, dict[str, list[Endpoint]]]] = {}
        #: (ns, svc) → slice name → (A records of the service name, count of non-IP addresses),
        #: in the order of ``_slices``
        self._service_a: dict[SvcKey, dict[str, tuple[list[Record], int]]] = {}
        #: answers computed since the last change (the resolver's; emptied on every change)
        self.answers: dict[tuple[str, str, str], Any] = {}
        self._by_ip: dict[str, dict[tuple[str, str, str], int]] = {}
        store = cluster.store
        for ns in store.list("Namespace"):
            self.namespaces.add(name_of(ns))
        for svc in store.list("Service"):
            self._add_service(svc)
        for sl in store.list("EndpointSlice"):
            self._set_slice(sl, _slice_endpoints(sl, self.domain))
        store.subscribe(self._on_event, ["Namespace", "Service", "EndpointSlice"])

    # -- queries ------------------------------------------------------------------------
    def service(self, namespace: str, name: str) -> Obj | None:
        """The Service, or None."""
        return self.services.get((namespace, name))

    def endpoints(self, namespace: str, service: str) -> Iterator[Endpoint]:
        """Ready endpoints of a Service (from all its slices)."""
        for eps in self._slices.get((namespace, service), {}).values():
            yield from eps

    def endpoints_named(self, namespace: str, service: str, name: str) -> list[Endpoint]:
        """Ready endpoints of a Service whose name is ``name`` (any case), in the order
        :meth:`endpoints` yields them — without walking the other endpoints."""
        by_slice = self._names.get((namespace, service), {}).get(name.lower())
        if not by_slice:
            return []
        if len(by_slice) == 1:
            return next(iter(by_slice.values()))
        order = self._slices[(namespace, service)]
        return [ep for sname in order if sname in by_slice for ep in by_slice[sname]]

    def service_addresses(self, namespace: str, service: str) -> list[Record] | None:
        """The A records of ``<service>.<namespace>.svc.<domain>.``: one per distinct IPv4
        address of its ready endpoints, in :meth:`endpoints` order, built when their slices
        changed. None when an address is no IP (the resolver's general path answers)."""
        records: list[Record] = []
        for slice_records, odd in self._service_a.get((namespace, service), {}).values():
            if odd:
                return None
            records += slice_records
        return list(dict.fromkeys(records))

    def services_by_vip(self, ip: str) -> list[Obj]:
        """Services whose ClusterIPs include ``ip``."""
        return [self.services[k] for k in self._by_vip.get(ip, {})]

    def names_by_ip(self, ip: str) -> list[tuple[str, str, str]]:
        """(namespace, service, endpoint name) of every ready endpoint with ``ip``."""
        return list(self._by_ip.get(ip, {}))

    # -- maintenance --------------------------------------------------------------------
    def _on_event(self, event: WatchEvent) -> None:
        self.modified = int(self.cluster.clock.wall().timestamp())
        self.answers.clear()
        obj, gone = event.obj, event.type == "DELETED"
        if event.kind == "Namespace":
            (self.namespaces.discard if gone else self.namespaces.add)(name_of(obj))
        elif event.kind == "Service":
            if event.old is not None:
                self._drop_service(event.old)
            if not gone:
                self._add_service(obj)
        else:
            if event.old is not None:
                self._set_slice(event.old, [])
            if not gone:
                self._set_slice(obj, _slice_endpoints(obj, self.domain))

    def _add_service(self, svc: Obj) -> None:
        key = (namespace_of(svc), name_of(svc))
        self.services[key] = svc
        for ip in (svc.get("spec") or {}).get("clusterIPs") or []:
            if ip != "None":
                self._by_vip.setdefault(ip, {})[key] = None

    def _drop_service(self, svc: Obj) -> None:
        key = (namespace_of(svc), name_of(svc))
        self.services.pop(key, None)
        for ip in (svc.get("spec") or {}).get("clusterIPs") or []:
            holders = self._by_vip.get(ip)
            if holders is not None:
                holders.pop(key, None)
                if not holders:
                    del self._by_vip[ip]

    def _set_slice(self, slice_obj: Obj, endpoints: list[Endpoint]) -> None:
        service = labels_of(slice_obj).get(SERVICE_NAME_LABEL)
        if not service:
            return
        key = (namespace_of(slice_obj), service)
        slices = self._slices.setdefault(key, {})
        names = self._names.setdefault(key, {})
        service_a = self._service_a.setdefault(key, {})
        sname = name_of(slice_obj)
        service_a.pop(sname, None)
        for ep in slices.pop(sname, []):
            self._count(ep.ip, (key[0], key[1], ep.name), -1)
            by_slice = names.get(ep.name.lower())
            if by_slice is not None:
                by_slice.pop(sname, None)
                if not by_slice:
                    del names[ep.name.lower()]
        if endpoints:
            slices[sname] = endpoints
            odd = sum(1 for ep in endpoints if not ep.version)
            service_a[sname] = ([ep.service_a for ep in endpoints if ep.service_a], odd)
            for ep in endpoints:
                self._count(ep.ip, (key[0], key[1], ep.name), 1)
                names.setdefault(ep.name.lower(), {}).setdefault(sname, []).append(ep)
        if not slices:
            del self._slices[key]
            del self._service_a[key]
        if not names:
            del self._names[key]

    def _count(self, ip: str, name: tuple[str, str, str], delta: int) -> None:
        names = self._by_ip.setdefault(ip, {})
        names[name] = names.get(name, 0) + delta
        if names[name] <= 0:
            del names[name]
        if not names:
            del self._by_ip[ip]


#: cluster → its zone, weakly both ways: the zone lives as long as the cluster's store, whose
#: subscription holds it, and holds the cluster itself; a strong value would keep the key (and
#: every cluster that ever answered a query) alive for ever
_ZONES: weakref.WeakKeyDictionary[Cluster, weakref.ref[ClusterZone]] = weakref.WeakKeyDictionary()


def zone_for(cluster: Cluster) -> ClusterZone:
    """The cluster's DNS zone (created, and subscribed to the store, on first use)."""
    ref = _ZONES.get(cluster)
    zone = ref() if ref is not None else None
    if zone is None:
        zone = ClusterZone(cluster)
        _ZONES[cluster] = weakref.ref(zone)
    return zone
