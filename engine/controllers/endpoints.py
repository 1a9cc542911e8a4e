"""The Endpoints controller (legacy ``v1 Endpoints``, k8s-semantics.md §4.2, §4.4).

One ``Endpoints`` object per selector Service (``namespace/name`` keys): its pods' addresses,
ready ones in ``addresses`` and the others in ``notReadyAddresses``, grouped by resolved ports,
sorted by IP string. Services without a selector (and ExternalName Services) are left alone.
Like EP-CTRL ``syncService`` the object holds at most :data:`MAX_CAPACITY` addresses: beyond,
it is truncated (``truncateEndpoints``: ready addresses first, spread over the subsets in
proportion) and annotated ``endpoints.kubernetes.io/over-capacity: truncated``.

Work is incremental (:mod:`engine.controllers.endpoint_index`): the controller keeps, per
Service, its published addresses in sorted lists (:class:`_Addresses`); a sync applies only the
pods that changed since the last one (a bisect each) and rebuilds the object from the first
:data:`MAX_CAPACITY` sorted addresses, so its cost does not grow with the Service's size. A
Service event, a deleted Endpoints object or a first sync rebuild the lists from the store.

The per-pod rules live in :mod:`engine.controllers.endpoint_rules`; the EndpointSlice
controller in :mod:`engine.controllers.endpointslice` (re-exported here for the registry).
"""

from __future__ import annotations

import bisect
import contextlib
import math
from typing import Any

from engine.controllers.base import make_key, split_key
from engine.controllers.endpoint_index import (
    ServicePodTracker,
    TriggerTimes,
    matches,
    pod_trigger_time,
    selected_pods,
    selector_of,
)
from engine.controllers.endpoint_rules import (
    HEADLESS_LABEL,
    TRIGGER_TIME,
    endpoint_address,
    is_headless,
    pod_ports,
)
from engine.controllers.endpointslice import EndpointSliceController
from engine.objects import (
    Obj,
    is_pod_ready,
    is_terminating,
    labels_of,
    name_of,
    namespace_of,
    new_object,
    pod_ip,
    pod_phase,
    uid_of,
)
from engine.store import NotFound, WatchEvent

__all__ = ["MAX_CAPACITY", "OVER_CAPACITY", "EndpointSliceController", "EndpointsController"]

#: EP-CTRL ``maxCapacity``: addresses an Endpoints object holds at most
MAX_CAPACITY = 1000
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
FIELDS = ("addresses", "notReadyAddresses")
#: a sync with more changes (and over 1/8 of the entries) re-sorts instead of bisecting
_BULK = 64

PortKey = tuple[tuple[tuple[str, Any], ...], ...]
SortKey = tuple[str, str, str]  # (ip, uid, pod name): EP-SORT order, unique
Entry = tuple[PortKey, str, SortKey, dict[str, Any]]


def _entry(svc: Obj, pod: Obj, publish: bool) -> Entry | None:
    """Where ``pod`` goes in the Service's Endpoints (EP-CTRL rules), or None."""
    if pod_phase(pod) in ("Succeeded", "Failed") or not pod_ip(pod):
        return None
    if is_terminating(pod) and not publish:
        return None
    ports = pod_ports(svc, pod)
    if (svc.get("spec") or {}).get("ports") and not ports:
        return None
    port_key = tuple(tuple(sorted(p.items())) for p in ports)
    field = FIELDS[0] if publish or is_pod_ready(pod) else FIELDS[1]
    address = endpoint_address(svc, pod)
    return port_key, field, (address["ip"], uid_of(pod), name_of(pod)), address


class _Addresses:
    """One Service's published addresses, sorted per (ports, field)."""

    def __init__(self, svc: Obj) -> None:
        self.uid = uid_of(svc)
        self.entries: dict[str, Entry] = {}
        self.lists: dict[tuple[PortKey, str], list[SortKey]] = {}
        self.times = TriggerTimes()
        #: the truncation of the last built object (None: none built yet)
        self.shown: dict[tuple[PortKey, str], int] | None = None

    def set_pod(self, svc: Obj, name: str, pod: Obj | None, bulk: bool = False) -> list[Entry]:
        """Apply one pod's current state; returns its changed entries (old and new).

        With ``bulk`` only the entries change: call :meth:`relist` afterwards.
        """
        selected = pod is not None and matches(selector_of(svc), labels_of(pod))
        self.times.set(name, pod_trigger_time(pod) if pod is not None and selected else None)
        publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
        new = _entry(svc, pod, publish) if pod is not None and selected else None
        old = self.entries.get(name)
        if old == new:
            return []
        if new is None:
            del self.entries[name]
        else:
            self.entries[name] = new
        if not bulk:
            if old is not None:
                self._remove(old)
            if new is not None:
                bisect.insort(self.lists.setdefault((new[0], new[1]), []), new[2])
        return [e for e in (old, new) if e is not None]

    def _remove(self, entry: Entry) -> None:
        items = self.lists[(entry[0], entry[1])]
        del items[bisect.bisect_left(items, entry[2])]
        if not items:
            del self.lists[(entry[0], entry[1])]

    def relist(self) -> None:
        """Rebuild the sorted lists from the entries (after bulk changes)."""
        lists: dict[tuple[PortKey, str], list[SortKey]] = {}
        for port_key, field, sort_key, _ in self.entries.values():
            lists.setdefault((port_key, field), []).append(sort_key)
        for items in lists.values():
            items.sort()
        self.lists = lists

    def _limits(self) -> tuple[list[PortKey], dict[tuple[PortKey, str], int]]:
        port_keys = sorted({pk for pk, _ in self.lists})
        return port_keys, _truncate(port_keys, {k: len(v) for k, v in self.lists.items()})

    def visible(self, changes: list[Entry]) -> bool:
        """Whether changed entries show in the object last built by :meth:`subsets` (a
        truncated object does not show changes past its last kept address)."""
        _, limits = self._limits()
        if self.shown is None or limits != self.shown:
            return True
        for port_key, field, sort_key, _ in changes:
            limit = limits.get((port_key, field))
            if limit is None:
                return True
            if limit and sort_key <= self.lists[(port_key, field)][limit - 1]:
                return True
        return False

    def subsets(self) -> tuple[list[dict[str, Any]], bool]:
        """The Endpoints subsets, truncated to :data:`MAX_CAPACITY`; and whether truncated."""
        port_keys, limits = self._limits()
        self.shown = limits
        subsets = []
        for pk in port_keys:
            subset: dict[str, Any] = {}
            for field in FIELDS:
                keys = self.lists.get((pk, field), [])[: limits.get((pk, field))]
                if keys:
                    subset[field] = [self.entries[k[2]][3] for k in keys]
            if pk:
                subset["ports"] = [dict(p) for p in pk]
            subsets.append(subset)
        return subsets, bool(limits)


def _truncate(
    port_keys: list[PortKey], counts: dict[tuple[PortKey, str], int]
) -> dict[tuple[PortKey, str], int]:
    """EP-CTRL ``truncateEndpoints``: per (ports, field), how many addresses to keep ({}: all).

    Ready addresses are kept first; when they alone exceed the capacity the not-ready ones are
    dropped and the ready ones cut, each subset keeping its share (rounded up) of the capacity.
    """
    ready = sum(counts.get((pk, FIELDS[0]), 0) for pk in port_keys)
    not_ready = sum(counts.get((pk, FIELDS[1]), 0) for pk in port_keys)
    if ready + not_ready <= MAX_CAPACITY:
        return {}
    truncate_ready = ready > MAX_CAPACITY
    room, total = (MAX_CAPACITY, ready) if truncate_ready else (MAX_CAPACITY - ready, not_ready)
    field = FIELDS[0] if truncate_ready else FIELDS[1]
    limits: dict[tuple[PortKey, str], int] = {}
    left = room
    for pk in port_keys:
        size = counts.get((pk, field), 0)
        keep = min(math.ceil(size / total * room), left, size)
        limits[(pk, field)] = keep
        if truncate_ready:
            limits[(pk, FIELDS[1])] = 0
        left -= keep
    return limits


class EndpointsController(ServicePodTracker):
    """Maintains one ``v1 Endpoints`` object per selector Service (EP-CTRL)."""

    name = "endpoint-controller"

    def setup(self) -> None:
        """Also resync a Service whose Endpoints object was deleted behind our back."""
        super().setup()
        self._states: dict[str, _Addresses] = {}
        self.store.subscribe(self._on_endpoints, ["Endpoints"])

    def _on_endpoints(self, event: WatchEvent) -> None:
        if event.type == "DELETED":
            self.resync(make_key(*event.key))

    def sync(self, key: str) -> None:
        """Write the Service's Endpoints (or delete them with the Service)."""
        ns, name = split_key(key)
        changed = self.take_changes(key)
        svc = self.store.get("Service", ns, name)
        if svc is None or not selector_of(svc):
            self._states.pop(key, None)
            if svc is None and self.store.get("Endpoints", ns, name) is not None:
                with contextlib.suppress(NotFound):  # the garbage collector may have been quicker
                    self.store.delete("Endpoints", ns, name)
            return
        state = self._states.get(key)
        if changed is None or state is None or state.uid != uid_of(svc):
            state = self._rebuild(svc)
            self._states[key] = state
        elif not self._apply(svc, state, changed):
            return
        self._write(svc, state)

    def _rebuild(self, svc: Obj) -> _Addresses:
        state = _Addresses(svc)
        for pod in selected_pods(self.store, svc):
            state.set_pod(svc, name_of(pod), pod, bulk=True)
        state.relist()
        return state

    def _apply(self, svc: Obj, state: _Addresses, changed: set[str]) -> bool:
        """Apply the changed pods; returns whether the object may need a write."""
        ns = namespace_of(svc)
        bulk = len(changed) > max(_BULK, len(state.entries) // 8)
        entries: list[Entry] = []
        for pod_name in sorted(changed):
            pod = self.store.get("Pod", ns, pod_name)
            entries += state.set_pod(svc, pod_name, pod, bulk)
        if bulk:
            state.relist()
            return bool(entries)
        return bool(entries) and state.visible(entries)

    def _write(self, svc: Obj, state: _Addresses) -> None:
        ns, name = namespace_of(svc), name_of(svc)
        subsets, truncated = state.subsets()
        labels = dict(labels_of(svc))
        if is_headless(svc):
            labels[HEADLESS_LABEL] = ""
        current = self.store.get("Endpoints", ns, name)
        if current is None:
            ep = new_object("Endpoints", name, ns)
            ep["metadata"]["labels"] = labels
            ep["metadata"]["annotations"] = _annotations({}, state.times.latest(svc), truncated)
            if subsets:
                ep["subsets"] = subsets
            self.store.create(ep)
            return
        annotations = current["metadata"].get("annotations") or {}
        if (
            (current.get("subsets") or []) == subsets
            and labels_of(current) == labels
            and (OVER_CAPACITY in annotations) == truncated
        ):
            return
        updated = dict(current)  # the store copies what it is given: a shallow copy is enough
        md = updated["metadata"] = dict(current["metadata"])
        md["labels"] = labels
        md["annotations"] = _annotations(annotations, state.times.latest(svc), truncated)
        updated.pop("subsets", None)
        if subsets:
            updated["subsets"] = subsets
        self.store.update(updated)


def _annotations(current: dict[str, str], when: str, truncated: bool) -> dict[str, str]:
    annotations = dict(current)
    annotations[TRIGGER_TIME] = when
    if truncated:
        annotations[OVER_CAPACITY] = "truncated"
    else:
        annotations.pop(OVER_CAPACITY, None)
    return annotations
