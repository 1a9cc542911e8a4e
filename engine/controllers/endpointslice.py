"""The EndpointSlice controller (k8s-semantics.md §4.3–4.4).

Keeps the ``discovery.k8s.io/v1`` EndpointSlices of each selector Service (``namespace/name``
keys): endpoints for every pod with an IP that is not terminal — terminating ones included, with
``conditions.ready = publishNotReadyAddresses || (ready && !terminating)`` — at most 100 per
slice, slices named ``<service>-<5 random chars>`` and labelled as the real controller labels
them. Services without a selector (and ExternalName Services) are left alone.

Work is incremental: the controller keeps each Service's slices in a
:class:`~engine.controllers.endpointslice_pack.ServiceSlices` and a sync applies only the pods
changed since the last one (see :mod:`engine.controllers.endpoint_index`), writing only the
slices those pods leave or enter. A Service event, a managed slice changed or deleted by someone
else (the controller recognises its own writes), or a first sync reconcile the Service fully
from the store, as the real controller does on every sync. The state then holds the stored
slices' own endpoint dicts (:meth:`~engine.controllers.endpointslice_pack.SliceState.adopt`),
so the store shares the unchanged endpoints of the next write instead of copying them, and
cluster DNS diffs the slice by them (:mod:`engine.dns.zone_slices`).
"""

from __future__ import annotations

import contextlib
from typing import Any

from engine.controllers.base import make_key, split_key
from engine.controllers.endpoint_index import (
    SLICE_SERVICE_INDEX,
    ServicePodTracker,
    matches,
    pod_trigger_time,
    selected_pods,
    selector_of,
)
from engine.controllers.endpoint_rules import (
    HEADLESS_LABEL,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    SERVICE_NAME_LABEL,
    TRIGGER_TIME,
    facts_endpoint,
    is_headless,
)
from engine.controllers.endpointslice_pack import (
    MAX_ENDPOINTS_PER_SLICE,
    Desired,
    Plan,
    ServiceSlices,
    SliceState,
)
from engine.objects import (
    Obj,
    labels_of,
    name_of,
    namespace_of,
    new_object,
    owner_reference,
    uid_of,
)
from engine.store import NotFound, WatchEvent

__all__ = ["MAX_ENDPOINTS_PER_SLICE", "EndpointSliceController"]


class EndpointSliceController(ServicePodTracker):
    """Maintains the EndpointSlices of each selector Service (EPS)."""

    name = "endpointslice-controller"

    def setup(self) -> None:
        """Also resync a Service when someone else changes or deletes one of its slices."""
        super().setup()
        self._states: dict[str, ServiceSlices] = {}
        self._writing = False
        self.store.subscribe(self._on_slice, ["EndpointSlice"])

    def _on_slice(self, event: WatchEvent) -> None:
        labels = labels_of(event.obj)
        ours = labels.get(MANAGED_BY_LABEL) == MANAGED_BY and SERVICE_NAME_LABEL in labels
        if ours and not self._writing:
            self.resync(make_key(namespace_of(event.obj), labels[SERVICE_NAME_LABEL]))

    def sync(self, key: str) -> None:
        """Make the Service's managed slices hold exactly its desired endpoints."""
        ns, name = split_key(key)
        changed = self.take_changes(key)
        svc = self.store.get("Service", ns, name)
        if svc is None or not selector_of(svc):
            self._states.pop(key, None)
            if svc is None:
                for s in self._managed(key):
                    self._delete(ns, name_of(s))
            return
        state = self._states.get(key)
        if changed is None or state is None or state.uid != uid_of(svc):
            state, desired = self._full(svc, key)
            self._states[key] = state
            plan = state.plan(desired)
            # labels, ownerReferences or dropped duplicates may be stale: compare every slice
            plan.update = sorted(state.slices.values(), key=SliceState.order)
        else:
            plan = state.plan(self._desired(svc, state, sorted(changed)))
        self._write(svc, state, plan)

    def _write(self, svc: Obj, state: ServiceSlices, plan: Plan) -> None:
        """Create, update (where they differ) and delete the plan's slices, as our writes."""
        ns, when = namespace_of(svc), state.times.latest(svc)
        self._writing = True
        try:
            for created in plan.create:
                stored = self.store.create(self._body(svc, created, when))
                md = stored["metadata"]
                state.created(created, md["name"], md.get("creationTimestamp", ""))
                created.adopt(stored)
            for updated in plan.update:
                self._update(svc, updated, when)
            for gone in plan.delete:
                self._delete(ns, gone.name)
        finally:
            self._writing = False

    def _managed(self, key: str) -> list[Obj]:
        return [
            s
            for s in self.store.by_index("EndpointSlice", SLICE_SERVICE_INDEX, key)
            if labels_of(s).get(MANAGED_BY_LABEL) == MANAGED_BY
        ]

    def _full(self, svc: Obj, key: str) -> tuple[ServiceSlices, dict[str, Desired | None]]:
        """A state read from the store, every pod desired, every slice up for an update."""
        state = ServiceSlices(svc)
        existing = self._managed(key)
        existing.sort(key=lambda s: (s["metadata"].get("creationTimestamp", ""), name_of(s)))
        for s in existing:
            state.load(s)
        pods = {name_of(p): p for p in selected_pods(self.store, svc)}
        desired = self._desired(svc, state, sorted(state.where.keys() | pods.keys()), pods)
        return state, desired

    def _desired(
        self,
        svc: Obj,
        state: ServiceSlices,
        names: list[str],
        pods: dict[str, Obj] | None = None,
    ) -> dict[str, Desired | None]:
        ns = namespace_of(svc)
        publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
        desired: dict[str, Desired | None] = {}
        selector = selector_of(svc)
        for pod_name in names:
            pod = pods.get(pod_name) if pods is not None else self.store.get("Pod", ns, pod_name)
            if pod is None or not matches(selector, labels_of(pod)):
                state.times.set(pod_name, None)
                desired[pod_name] = None
                continue
            state.times.set(pod_name, pod_trigger_time(pod))
            facts = self.feed.facts(svc, pod)  # EPS ShouldPodBeInEndpoints / podToEndpoint
            desired[pod_name] = (
                Desired(facts.ports, facts_endpoint(facts, publish), facts.port_key)
                if facts is not None
                else None
            )
        return desired

    def _labels(self, svc: Obj) -> dict[str, str]:
        labels = dict(labels_of(svc))
        labels[SERVICE_NAME_LABEL] = name_of(svc)
        labels[MANAGED_BY_LABEL] = MANAGED_BY
        if is_headless(svc):
            labels[HEADLESS_LABEL] = ""
        return labels

    def _body(self, svc: Obj, state: SliceState, when: str) -> Obj:
        body = new_object("EndpointSlice", "", namespace_of(svc))
        md = body["metadata"]
        del md["name"]
        md["generateName"] = f"{name_of(svc)}-"
        md["labels"] = self._labels(svc)
        md["annotations"] = {TRIGGER_TIME: when}
        md["ownerReferences"] = [owner_reference(svc)]
        body["addressType"] = "IPv4"
        body["endpoints"] = state.sorted_endpoints() or None
        body["ports"] = state.ports or None
        return body

    def _update(self, svc: Obj, state: SliceState, when: str) -> None:
        current = self.store.get("EndpointSlice", namespace_of(svc), state.name)
        if current is None:
            return
        endpoints: Any = state.sorted_endpoints() or None
        ports: Any = state.ports or None
        labels, owners = self._labels(svc), [owner_reference(svc)]
        md = current["metadata"]
        if (
            current.get("endpoints") == endpoints
            and current.get("ports") == ports
            and labels_of(current) == labels
            and md.get("ownerReferences") == owners
        ):
            state.adopt(current)
            return
        # the store adopts it as it is: every part is the stored version's (read-only) or new
        updated = dict(current)
        md = updated["metadata"] = dict(md)
        md["labels"], md["ownerReferences"] = labels, owners
        md["annotations"] = {**(md.get("annotations") or {}), TRIGGER_TIME: when}
        updated["endpoints"], updated["ports"] = endpoints, ports
        state.adopt(self.store.update(updated, adopt=True))

    def _delete(self, namespace: str, name: str) -> None:
        with contextlib.suppress(NotFound):  # the garbage collector may have been quicker
            self.store.delete("EndpointSlice", namespace, name)
