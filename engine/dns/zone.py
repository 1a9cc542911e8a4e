"""The cluster DNS data: what CoreDNS's ``kubernetes`` plugin keeps in its informer caches.

:class:`ClusterZone` watches the store (Namespaces, Services, EndpointSlices) from the moment
the cluster is built and keeps the indexes lookups need, so a lookup never scans the store:

* Services by (namespace, name) and by ClusterIP (reverse lookups of VIPs);
* EndpointSlices by (namespace, service) — a headless A answer is O(its endpoints): each
  slice's ready endpoints are turned into :class:`Endpoint` tuples, with the A record of the
  service name, when that slice changes (and only that slice), so an answer after a change
  joins prepared lists instead of building a record per endpoint. A slice update is diffed by
  endpoint dict identity (:class:`~engine.dns.zone_slices.SliceView`): only the endpoints it
  added or removed are built and (un)indexed, the indexes ending exactly as re-indexing the
  slice from scratch leaves them;
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

import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from engine.dns.records import Record
from engine.dns.zone_slices import Endpoint, SliceView, SvcKey, ip_version, service_records
from engine.objects import Obj, labels_of, name_of, namespace_of
from engine.store import WatchEvent

if TYPE_CHECKING:
    from engine.cluster import Cluster

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
__all__ = ["ClusterZone", "Endpoint", "ip_version", "zone_for"]


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
        #: (namespace, slice name) → what the zone made of the slice (its Service's key)
        self._views: dict[tuple[str, str], SliceView] = {}
        #: addresses more than one endpoint name points at (their order in ``_by_ip`` shows)
        self._shared: set[str] = set()
        store = cluster.store
        for ns in store.list("Namespace"):
            self.namespaces.add(name_of(ns))
        for svc in store.list("Service"):
            self._add_service(svc)
        for sl in store.list("EndpointSlice"):
            self._index_slice(namespace_of(sl), name_of(sl), sl)
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
            self._index_slice(namespace_of(obj), name_of(obj), None if gone else obj)

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

    def _index_slice(self, namespace: str, sname: str, slice_obj: Obj | None) -> None:
        """Index a slice's new version (None: it was deleted): a diff against the indexed
        version when the view can take it, else out with the old and in with the new."""
        view = self._views.get((namespace, sname))
        service = labels_of(slice_obj).get(SERVICE_NAME_LABEL, "") if slice_obj is not None else ""
        if (
            view is not None
            and slice_obj is not None
            and view.fits((namespace, service), slice_obj)
        ):
            change = view.update(slice_obj.get("endpoints") or [])
            if change is not None:
                self._patch_slice(view.service, sname, *change)
                return
        if view is not None:
            del self._views[(namespace, sname)]
            self._set_slice(view.service, sname, [])
        if slice_obj is not None and service:
            view = self._views[(namespace, sname)] = SliceView(
                (namespace, service), slice_obj, self.domain
            )
            self._set_slice(view.service, sname, view.fill(slice_obj.get("endpoints") or []))

    def _set_slice(self, key: SvcKey, sname: str, endpoints: list[Endpoint]) -> None:
        """Replace every index entry of the slice ``sname`` of Service ``key``."""
        slices = self._slices.setdefault(key, {})
        names = self._names.setdefault(key, {})
        service_a = self._service_a.setdefault(key, {})
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
            service_a[sname] = service_records(endpoints)
            for ep in endpoints:
                self._count(ep.ip, (key[0], key[1], ep.name), 1)
                names.setdefault(ep.name.lower(), {}).setdefault(sname, []).append(ep)
        self._tidy(key)

    def _patch_slice(
        self,
        key: SvcKey,
        sname: str,
        previous: list[Endpoint],
        endpoints: list[Endpoint],
        added: list[Endpoint],
        removed: list[Endpoint],
    ) -> None:
        """Apply a diffed slice update, leaving every index as :meth:`_set_slice` would: the
        slice moves last in its Service's order, the names of the added and removed
        endpoints are re-listed, and the counts of their addresses (and of any address
        other names share, whose order in ``_by_ip`` a rebuild would change) are redone."""
        slices = self._slices.setdefault(key, {})
        service_a = self._service_a.setdefault(key, {})
        slices.pop(sname, None)
        service_a.pop(sname, None)
        if endpoints:
            slices[sname] = endpoints
            service_a[sname] = service_records(endpoints)
        self._recount(key, previous, endpoints, {ep.ip for ep in added + removed})
        self._rename(key, sname, endpoints, added, removed)
        self._tidy(key)

    def _recount(
        self, key: SvcKey, previous: list[Endpoint], endpoints: list[Endpoint], ips: set[str]
    ) -> None:
        """Redo the slice's counts of the addresses in ``ips`` and of the shared ones (out
        with all of the previous version's, in with all of the new's, as a rebuild does)."""
        shared = self._shared
        # both lists before any count changes ``shared``
        out = [ep for ep in previous if ep.ip in ips or ep.ip in shared]
        back = [ep for ep in endpoints if ep.ip in ips or ep.ip in shared]
        ns, svc = key
        for ep in out:
            self._count(ep.ip, (ns, svc, ep.name), -1)
        for ep in back:
            self._count(ep.ip, (ns, svc, ep.name), 1)

    def _rename(
        self,
        key: SvcKey,
        sname: str,
        endpoints: list[Endpoint],
        added: list[Endpoint],
        removed: list[Endpoint],
    ) -> None:
        """Re-list the slice's endpoints under the names of those added or removed."""
        names = self._names.setdefault(key, {})
        gone = {id(ep) for ep in removed}
        new_names: dict[str, list[Endpoint]] = {ep.name.lower(): [] for ep in removed}
        for ep in added:
            new_names.setdefault(ep.name.lower(), []).append(ep)
        for lname, fresh in new_names.items():
            by_slice = names.setdefault(lname, {})
            kept = [ep for ep in by_slice.pop(sname, ()) if id(ep) not in gone]
            mine = kept or fresh
            if kept and fresh:
                mine = [ep for ep in endpoints if ep.name.lower() == lname]
            if mine:
                by_slice[sname] = mine
            elif not by_slice:
                del names[lname]

    def _tidy(self, key: SvcKey) -> None:
        """Drop the Service's empty index entries."""
        if not self._slices.get(key):
            self._slices.pop(key, None)
            self._service_a.pop(key, None)
        if not self._names.get(key):
            self._names.pop(key, None)

    def _count(self, ip: str, name: tuple[str, str, str], delta: int) -> None:
        names = self._by_ip.setdefault(ip, {})
        names[name] = names.get(name, 0) + delta
        if names[name] <= 0:
            del names[name]
        if len(names) > 1:
            self._shared.add(ip)
        else:
            self._shared.discard(ip)
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
