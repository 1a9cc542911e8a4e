"""Packing endpoints into EndpointSlices the way the real reconciler does (EPS
``reconcileByPortMapping`` and ``finalize``), on a per-Service state kept between syncs.

:class:`ServiceSlices` mirrors one Service's managed slices (their endpoints by pod name, their
port key) and where each pod's endpoint lives. :meth:`ServiceSlices.plan` applies the desired
state of some pods — all of them on a full reconcile, only the changed ones otherwise — and
returns the slices to create, update and delete:

1. an endpoint whose identity (addresses, hostname) and ports are unchanged stays in its slice,
   updated in place when its conditions or node changed; others leave their slice;
2. new endpoints (sorted by IP, then pod UID, so runs are deterministic where the real
   controller pops a set) first fill the slices already being updated, fullest first, up to
   :data:`MAX_ENDPOINTS_PER_SLICE`; what is left goes to the unchanged slice it fits best
   (``getSliceToFill``: the one closest to full) when fewer than a slice's worth remain, else
   into new slices;
3. slices left empty are deleted; with no endpoints at all one placeholder slice (no ports, no
   endpoints) remains; a slice about to be created takes the name of one about to be deleted
   (an update instead of a delete and a create).

So a pod event touches the slices holding or receiving its endpoint, never the others, and a
plan looks only at those (and, for a new endpoint, at the slices with room for it). Each
slice's endpoints are written sorted by IP string, then pod UID (sort keys kept per pod); after
a write a :class:`SliceState` holds the stored slice's own endpoint dicts, so the next write
shares every unchanged one with the stored version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from engine.controllers.endpoint_index import TriggerTimes
from engine.controllers.endpoint_rules import PortKey, port_key
from engine.objects import Obj, uid_of

#: the real controller's maximum number of endpoints per slice
MAX_ENDPOINTS_PER_SLICE = 100


class Desired(NamedTuple):
    """A pod's desired endpoint and the ports (and their key) of the slices it belongs in."""

    ports: list[dict[str, Any]]
    endpoint: dict[str, Any]
    key: PortKey


@dataclass
class SliceState:
    """One managed slice as the controller last wrote (or read) it.

    Change ``endpoints`` only through :meth:`put` and :meth:`drop`: they keep each endpoint's
    sort key and which endpoints are not yet the stored slice's own dicts (:meth:`adopt`).
    """

    name: str  # "" until created
    ports: list[dict[str, Any]]
    endpoints: dict[str, dict[str, Any]]  # pod name → endpoint
    created: str = ""  # creationTimestamp, for a stable order
    key: PortKey = field(init=False)
    #: pod name → its endpoint's place in the written order
    _keys: dict[str, tuple[str, str]] = field(init=False, repr=False, compare=False)
    #: pods whose endpoint dict is not (yet) the stored slice's own
    _fresh: set[str] = field(init=False, repr=False, compare=False)
    #: the pods in the order of the last :meth:`sorted_endpoints`
    _order: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.key = port_key(self.ports)
        self._keys = {pod: _endpoint_order(ep) for pod, ep in self.endpoints.items()}
        self._fresh = set(self.endpoints)
        self._order = []

    def order(self) -> tuple[str, str]:
        """Oldest first (then by name): the order slices are considered in."""
        return (self.created, self.name)

    def put(self, pod: str, endpoint: dict[str, Any]) -> None:
        """Set ``pod``'s endpoint."""
        self.endpoints[pod] = endpoint
        self._keys[pod] = _endpoint_order(endpoint)
        self._fresh.add(pod)

    def drop(self, pod: str) -> None:
        """Take ``pod``'s endpoint out."""
        del self.endpoints[pod]
        del self._keys[pod]
        self._fresh.discard(pod)

    def adopted(self) -> None:
        """Mark the endpoints as the stored slice's own (read from the store)."""
        self._fresh.clear()

    def sorted_endpoints(self) -> list[dict[str, Any]]:
        """The endpoints as written: by IP string, then pod UID."""
        self._order = sorted(self.endpoints, key=self._keys.__getitem__)
        return list(map(self.endpoints.__getitem__, self._order))

    def adopt(self, stored: Obj) -> None:
        """Hold the stored slice's own endpoint dicts and ports (equal to this state's, the
        endpoints in the order of the last :meth:`sorted_endpoints`) from now on, so the next
        write hands the store what it already holds and it copies only the endpoints that
        changed."""
        eps = stored.get("endpoints") or []
        if len(eps) == len(self._order) == len(self.endpoints):
            at: Callable[[str], int] = self._order.index
            if len(self._fresh) > 8:
                at = {pod: i for i, pod in enumerate(self._order)}.__getitem__
            for pod in self._fresh:
                ep = eps[at(pod)]
                if ep == self.endpoints[pod]:
                    self.endpoints[pod] = ep
            self._fresh.clear()
        ports = stored.get("ports") or []
        if ports is not self.ports and ports == self.ports:
            self.ports = ports


def _endpoint_order(ep: dict[str, Any]) -> tuple[str, str]:
    return (ep["addresses"][0], (ep.get("targetRef") or {}).get("uid", ""))


def _same_identity(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["addresses"] == b["addresses"] and a.get("hostname") == b.get("hostname")


@dataclass
class Plan:
    """The writes one sync makes."""

    create: list[SliceState] = field(default_factory=list)
    update: list[SliceState] = field(default_factory=list)
    delete: list[SliceState] = field(default_factory=list)


class ServiceSlices:
    """One Service's managed slices and the pods' places in them."""

    def __init__(self, svc: Obj) -> None:
        self.uid = uid_of(svc)
        self.slices: dict[str, SliceState] = {}
        self.where: dict[str, str] = {}  # pod name → slice name
        self.times = TriggerTimes()
        #: names of slices that may hold no endpoint without a plan having touched them
        #: (loaded, created empty, or the placeholder): with the touched ones, every slice
        #: a plan may find empty, so it never scans them all
        self._maybe_empty: set[str] = set()

    def load(self, slice_obj: Obj) -> None:
        """Adopt a stored slice (full reconcile); duplicate pods are dropped from it."""
        eps: dict[str, dict[str, Any]] = {}
        name = slice_obj["metadata"]["name"]
        for ep in slice_obj.get("endpoints") or []:
            pod = (ep.get("targetRef") or {}).get("name")
            if pod and pod not in self.where and pod not in eps:
                eps[pod] = ep
        created = str(slice_obj["metadata"].get("creationTimestamp", ""))
        state = self.slices[name] = SliceState(name, slice_obj.get("ports") or [], eps, created)
        state.adopted()
        self._maybe_empty.add(name)
        for pod in eps:
            self.where[pod] = name

    def plan(self, desired: dict[str, Desired | None]) -> Plan:
        """Apply the desired endpoints of the pods in ``desired`` (None: none) and say which
        slices to write. The state already reflects the plan (created slices are nameless)."""
        touched: set[str] = set()
        pending: dict[PortKey, list[tuple[str, Desired]]] = {}
        for pod in sorted(desired):
            want = desired[pod]
            if self._keep(pod, want, touched):
                continue
            if want is not None:
                pending.setdefault(want.key, []).append((pod, want))
        plan = Plan()
        placed: list[tuple[SliceState, list[tuple[str, Desired]]]] = []
        for key in sorted(pending):
            items = sorted(pending[key], key=lambda pw: _endpoint_order(pw[1].endpoint))
            self._place(key, items, touched, plan, placed)
        self._finish(touched, plan)
        for state, entries in placed:
            if state.name:  # (a slice still to create records its pods in ``created``)
                for pod, _ in entries:
                    self.where[pod] = state.name
        return plan

    def _keep(self, pod: str, want: Desired | None, touched: set[str]) -> bool:
        """Update ``pod``'s endpoint in place if it may stay; else take it out. True if kept."""
        current = self.where.get(pod)
        if current is None:
            return False
        state = self.slices[current]
        old = state.endpoints[pod]
        if want is not None and want.key == state.key and _same_identity(old, want.endpoint):
            if old != want.endpoint:
                state.put(pod, want.endpoint)
                touched.add(current)
            return True
        state.drop(pod)
        del self.where[pod]
        touched.add(current)
        return False

    def _place(
        self,
        key: PortKey,
        items: list[tuple[str, Desired]],
        touched: set[str],
        plan: Plan,
        placed: list[tuple[SliceState, list[tuple[str, Desired]]]],
    ) -> None:
        """Put new endpoints in the slices being updated (fullest first), then in the slice
        they fit best, then in new slices; ``placed`` records where they went."""
        mine = (self.slices[n] for n in touched)
        filling = sorted((s for s in mine if s.key == key and s.endpoints), key=SliceState.order)
        filling.sort(key=lambda s: -len(s.endpoints))
        pos = 0
        for state in filling:
            start, pos = pos, _fill(state, items, pos)
            placed.append((state, items[start:pos]))
        while pos < len(items):
            target = None
            left = len(items) - pos
            if left < MAX_ENDPOINTS_PER_SLICE:
                target = _slice_to_fill(self._roomy(key, touched, left), left)
            if target is None:
                target = SliceState("", items[pos][1].ports, {})
                plan.create.append(target)
            else:
                touched.add(target.name)
            start, pos = pos, _fill(target, items, pos)
            placed.append((target, items[start:pos]))

    def _roomy(self, key: PortKey, touched: set[str], count: int) -> list[SliceState]:
        """The untouched slices of ``key`` with room for ``count`` more endpoints, oldest
        first (the only ones ``getSliceToFill`` may pick)."""
        room = MAX_ENDPOINTS_PER_SLICE - count
        roomy = (
            s
            for s in self.slices.values()
            if len(s.endpoints) <= room and s.key == key and s.name not in touched
        )
        return sorted(roomy, key=SliceState.order)

    def _finish(self, touched: set[str], plan: Plan) -> None:
        """Deletes, the placeholder and creates turned into updates."""
        names = touched | self._maybe_empty
        empty = (self.slices[n] for n in names if n in self.slices)
        plan.delete = sorted((s for s in empty if not s.endpoints), key=SliceState.order)
        alive = any(s.endpoints for s in self.slices.values())
        if not alive and not plan.create:
            plan.create.append(SliceState("", [], {}))
        for gone in list(plan.delete):
            if not plan.create:
                break
            reused = plan.create.pop()
            reused.name, reused.created = gone.name, gone.created
            plan.delete.remove(gone)
            self.slices[gone.name] = reused
            touched.add(gone.name)
        for gone in plan.delete:
            del self.slices[gone.name]
            touched.discard(gone.name)
        self._maybe_empty = {n for n in names if n in self.slices and not self.slices[n].endpoints}
        plan.update = sorted((self.slices[n] for n in touched), key=SliceState.order)

    def created(self, state: SliceState, name: str, created: str) -> None:
        """Record the name the store gave a slice of the plan's ``create`` list."""
        state.name, state.created = name, created
        self.slices[name] = state
        if not state.endpoints:
            self._maybe_empty.add(name)
        for pod in state.endpoints:
            self.where[pod] = name


def _fill(state: SliceState, items: list[tuple[str, Desired]], pos: int) -> int:
    while pos < len(items) and len(state.endpoints) < MAX_ENDPOINTS_PER_SLICE:
        pod, want = items[pos]
        state.put(pod, want.endpoint)
        pos += 1
    return pos


def _slice_to_fill(candidates: list[SliceState], count: int) -> SliceState | None:
    """EPS ``getSliceToFill``: the slice closest to full once ``count`` endpoints are added."""
    best, best_gap = None, MAX_ENDPOINTS_PER_SLICE
    for state in candidates:
        gap = MAX_ENDPOINTS_PER_SLICE - (count + len(state.endpoints))
        if 0 <= gap < best_gap:
            best, best_gap = state, gap
            if gap == 0:
                break
    return best
