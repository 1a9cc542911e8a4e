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
After each write the state holds the stored object's own address dicts
(:meth:`_Addresses.adopt`), so the next write hands the store the dicts it already holds: it
shares them, and a write copies only the addresses that changed.

The per-pod rules live in :mod:`engine.controllers.endpoint_rules`; the EndpointSlice
controller in :mod:`engine.controllers.endpointslice` (re-exported here for the registry).
"""

from __future__ import annotations

import bisect
import contextlib
import math
from operator import itemgetter
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
    PodFacts,
    PortKey,
    facts_address,
    is_headless,
    port_key,
)
from engine.controllers.endpointslice import EndpointSliceController
from engine.objects import (
    Obj,
    labels_of,
    name_of,
    namespace_of,
    new_object,
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

SortKey = tuple[str, str, str]  # (ip, uid, pod name): EP-SORT order, unique
Entry = tuple[PortKey, str, SortKey, dict[str, Any]]
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _entry(facts: PodFacts | None, publish: bool) -> Entry | None:
    """Where a pod with these facts goes in the Service's Endpoints (EP-CTRL rules), or None:
    terminating pods only with ``publishNotReadyAddresses``."""
    if facts is None or (facts.terminating and not publish):
        return None
    field = FIELDS[0] if publish or facts.ready else FIELDS[1]
    sort_key = (facts.ip, facts.target_ref["uid"], facts.target_ref["name"])
    return facts.port_key, field, sort_key, facts_address(facts)


class _Addresses:
    """One Service's published addresses, sorted per (ports, field).

    Beside each sorted list of sort keys lies the list of the address dicts in the same order,
    so a sync's subsets are slices of them. After each write :meth:`adopt` puts the stored
    object's own dicts in those lists: the next write hands the store the very dicts it
    holds, which it then shares instead of copying, so a write copies only the changed pods'
    addresses.
    """

    def __init__(self, svc: Obj) -> None:
        self.uid = uid_of(svc)
        self.entries: dict[str, Entry] = {}
        self.lists: dict[tuple[PortKey, str], list[SortKey]] = {}
        #: the address dicts, aligned with ``lists``
        self.addresses: dict[tuple[PortKey, str], list[dict[str, Any]]] = {}
        #: the stored object's ports list per port key (shared by the next write)
        self.ports: dict[PortKey, list[dict[str, Any]]] = {}
        self.times = TriggerTimes()
        #: the truncation of the last built object (None: none built yet)
        self.shown: dict[tuple[PortKey, str], int] | None = None
        #: pods set in bulk since the lists were last right (:meth:`relist` needs them)
        self._bulk: set[str] = set()

    def set_pod(
        self, name: str, pod: Obj | None, new: Entry | None, bulk: bool = False
    ) -> list[Entry]:
        """Record a pod's entry (``pod`` None: no longer selected); returns the changed
        entries (old and new). With ``bulk`` call :meth:`relist` afterwards."""
        self.times.set(name, pod_trigger_time(pod) if pod is not None else None)
        old = self.entries.get(name)
        if old == new:
            return []
        if new is None:
            del self.entries[name]
        else:
            self.entries[name] = new
        if bulk:
            self._bulk.add(name)
        else:
            if old is not None:
                self._remove(old)
            if new is not None:
                self._insert(new)
        return [e for e in (old, new) if e is not None]

    def _insert(self, entry: Entry) -> None:
        group = (entry[0], entry[1])
        items = self.lists.setdefault(group, [])
        at = bisect.bisect_left(items, entry[2])
        items.insert(at, entry[2])
        self.addresses.setdefault(group, []).insert(at, entry[3])

    def _remove(self, entry: Entry) -> None:
        group = (entry[0], entry[1])
        items = self.lists[group]
        at = bisect.bisect_left(items, entry[2])
        del items[at]
        del self.addresses[group][at]
        if not items:
            del self.lists[group]
            del self.addresses[group]

    def relist(self) -> None:
        """Rebuild the sorted lists from the entries (after bulk changes), keeping the
        address dicts the lists held for the pods the bulk left unchanged."""
        held: dict[SortKey, dict[str, Any]] = {}
        for group, keys in self.lists.items():
            held.update(zip(keys, self.addresses[group], strict=True))
        changed, self._bulk = self._bulk, set()
        rows: dict[tuple[PortKey, str], list[tuple[SortKey, dict[str, Any]]]] = {}
        for name, (pk, field, sort_key, address) in self.entries.items():
            if name not in changed:
                address = held.get(sort_key, address)
            rows.setdefault((pk, field), []).append((sort_key, address))
        self.lists, self.addresses = {}, {}
        for group, items in rows.items():
            items.sort(key=_FIRST)
            self.lists[group] = list(map(_FIRST, items))
            self.addresses[group] = list(map(_SECOND, items))

    def _limits(self) -> tuple[list[PortKey], dict[tuple[PortKey, str], int]]:
        port_keys = sorted({pk for pk, _ in self.lists})
        return port_keys, _truncate(port_keys, {k: len(v) for k, v in self.lists.items()})

    def visible(self, changes: list[Entry]) -> bool:
        """Whether changed entries show in the object last built by :meth:`subsets` (a
        truncated object does not show changes past its last kept address)."""
        _, limits = self._limits()
        if self.shown is None or limits != self.shown:
            return True
        for pk, field, sort_key, _ in changes:
            limit = limits.get((pk, field))
            if limit is None:
                return True
            if limit and sort_key <= self.lists[(pk, field)][limit - 1]:
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
                kept = self.addresses.get((pk, field), [])[: limits.get((pk, field))]
                if kept:
                    subset[field] = kept
            if pk:
                subset["ports"] = self.ports.get(pk) or [dict(p) for p in pk]
            subsets.append(subset)
        return subsets, bool(limits)

    def adopt(self, subsets: list[dict[str, Any]]) -> None:
        """Hold the stored object's ``subsets`` (as last built by :meth:`subsets`) from now
        on: their address dicts replace the equal ones in the lists, their ports lists are
        kept per port key."""
        port_keys = sorted({pk for pk, _ in self.lists})
        if len(port_keys) != len(subsets):
            return
        for pk, subset in zip(port_keys, subsets, strict=True):
            if pk and port_key(subset.get("ports")) == pk:
                self.ports[pk] = subset["ports"]
            for field in FIELDS:
                stored = subset.get(field) or []
                addresses = self.addresses.get((pk, field), [])
                # equal by value (a cheap identity check for all but the changed ones)
                if stored and addresses[: len(stored)] == stored:
                    addresses[: len(stored)] = stored


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
            self._set_pod(svc, state, name_of(pod), pod, bulk=True)
        state.relist()
        return state

    def _set_pod(
        self, svc: Obj, state: _Addresses, name: str, pod: Obj | None, bulk: bool
    ) -> list[Entry]:
        if pod is not None and not matches(selector_of(svc), labels_of(pod)):
            pod = None
        publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
        entry = _entry(self.feed.facts(svc, pod), publish) if pod is not None else None
        return state.set_pod(name, pod, entry, bulk)

    def _apply(self, svc: Obj, state: _Addresses, changed: set[str]) -> bool:
        """Apply the changed pods; returns whether the object may need a write."""
        ns = namespace_of(svc)
        bulk = len(changed) > max(_BULK, len(state.entries) // 8)
        entries: list[Entry] = []
        for pod_name in sorted(changed):
            pod = self.store.get("Pod", ns, pod_name)
            entries += self._set_pod(svc, state, pod_name, pod, bulk)
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
            state.adopt(self.store.create(ep).get("subsets") or [])
            return
        annotations = current["metadata"].get("annotations") or {}
        if (
            (current.get("subsets") or []) == subsets
            and labels_of(current) == labels
            and (OVER_CAPACITY in annotations) == truncated
        ):
            state.adopt(current.get("subsets") or [])
            return
        # the store adopts it as it is: every part is the stored version's (read-only) or new
        updated = dict(current)
        md = updated["metadata"] = dict(current["metadata"])
        md["labels"] = labels
        md["annotations"] = _annotations(annotations, state.times.latest(svc), truncated)
        updated.pop("subsets", None)
        if subsets:
            updated["subsets"] = subsets
        state.adopt(self.store.update(updated, adopt=True).get("subsets") or [])


def _annotations(current: dict[str, str], when: str, truncated: bool) -> dict[str, str]:
    annotations = dict(current)
    annotations[TRIGGER_TIME] = when
    if truncated:
        annotations[OVER_CAPACITY] = "truncated"
    else:
        annotations.pop(OVER_CAPACITY, None)
    return annotations
