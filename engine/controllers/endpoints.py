"""Endpoints and EndpointSlice controllers (k8s-semantics.md §4.2–4.4).

Both controllers reconcile one Service per key (``namespace/name``): they list the pods its
``spec.selector`` matches and write the desired ``v1 Endpoints`` object, respectively the
``discovery.k8s.io/v1`` EndpointSlices, when they differ from what is stored. Services without
a selector (and ExternalName Services) are left alone: their endpoints are the user's.

Work is incremental. Two store indexes (shared by both controllers, see
:func:`ensure_indexes`) map ``namespace/key=value`` label pairs to the pods carrying them and to
the Services whose selector requires them. A pod event therefore only enqueues the Services
whose selector contains one of the pod's (old or new) label pairs and fully matches, and a sync
lists only the pods sharing one selector pair with the Service; nothing scans every Service ×
every pod. Pod updates that change nothing an endpoint shows (IP, readiness, phase, labels,
deletion, hostname, node, container ports) enqueue nothing.

The per-pod rules live in :mod:`engine.controllers.endpoint_rules`.
"""

from __future__ import annotations

import contextlib
from typing import Any

from engine.controllers.base import Controller, make_key, split_key
from engine.controllers.endpoint_rules import (
    HEADLESS_LABEL,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    SERVICE_NAME_LABEL,
    TRIGGER_TIME,
    endpoint_address,
    is_headless,
    pod_ports,
    slice_endpoint,
    sort_addresses,
    trigger_time,
)
from engine.objects import (
    Obj,
    copy_obj,
    is_pod_ready,
    is_terminating,
    labels_of,
    name_of,
    namespace_of,
    new_object,
    owner_reference,
    pod_ip,
    pod_phase,
)
from engine.store import NotFound, Store, WatchEvent

POD_LABEL_INDEX = "endpoints:pod-label"
SERVICE_SELECTOR_INDEX = "endpoints:selector"
SLICE_SERVICE_INDEX = "endpoints:slice-service"
#: the real controller's maximum number of endpoints per slice
MAX_ENDPOINTS_PER_SLICE = 100


def _pairs(namespace: str, labels: dict[str, str]) -> list[str]:
    return [f"{namespace}/{k}={v}" for k, v in labels.items()]


def selector_of(svc: Obj) -> dict[str, str]:
    """The Service's selector map ({} when it has none or is ExternalName)."""
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return {}
    selector: dict[str, str] = spec.get("selector") or {}
    return selector


def ensure_indexes(store: Store) -> None:
    """Create the label-pair indexes both controllers (and DNS) use, once."""
    if not store.has_index("Pod", POD_LABEL_INDEX):
        store.add_index("Pod", POD_LABEL_INDEX, lambda p: _pairs(namespace_of(p), labels_of(p)))
    if not store.has_index("Service", SERVICE_SELECTOR_INDEX):
        store.add_index(
            "Service",
            SERVICE_SELECTOR_INDEX,
            lambda s: _pairs(namespace_of(s), selector_of(s)),
        )
    if not store.has_index("EndpointSlice", SLICE_SERVICE_INDEX):
        store.add_index(
            "EndpointSlice",
            SLICE_SERVICE_INDEX,
            lambda s: (
                [f"{namespace_of(s)}/{labels_of(s)[SERVICE_NAME_LABEL]}"]
                if SERVICE_NAME_LABEL in labels_of(s)
                else []
            ),
        )


def selected_pods(store: Store, svc: Obj) -> list[Obj]:
    """Pods in the Service's namespace matching its selector (via the label-pair index)."""
    selector = selector_of(svc)
    if not selector:
        return []
    ns = namespace_of(svc)
    first = min(_pairs(ns, selector), key=lambda p: len(store.by_index("Pod", POD_LABEL_INDEX, p)))
    items = selector.items()
    return [
        p
        for p in store.by_index("Pod", POD_LABEL_INDEX, first)
        if all(labels_of(p).get(k) == v for k, v in items)
    ]


def services_for_pod(store: Store, pod: Obj) -> set[str]:
    """Keys of the Services whose selector matches ``pod``."""
    ns, labels = namespace_of(pod), labels_of(pod)
    keys: set[str] = set()
    for pair in _pairs(ns, labels):
        for svc in store.by_index("Service", SERVICE_SELECTOR_INDEX, pair):
            if all(labels.get(k) == v for k, v in selector_of(svc).items()):
                keys.add(make_key(ns, name_of(svc)))
    return keys


def _annotate(obj: Obj, when: str) -> None:
    obj["metadata"].setdefault("annotations", {})[TRIGGER_TIME] = when


def _endpoint_view(pod: Obj) -> tuple[Any, ...]:
    """What of a pod an endpoint shows; updates that keep it equal are ignored."""
    spec = pod.get("spec") or {}
    return (
        pod_ip(pod),
        pod_phase(pod),
        is_pod_ready(pod),
        is_terminating(pod),
        labels_of(pod),
        spec.get("hostname"),
        spec.get("subdomain"),
        spec.get("nodeName"),
        [c.get("ports") for c in spec.get("containers") or []],
        pod["metadata"].get("uid"),
    )


class _ServiceEndpointsController(Controller):
    """Shared plumbing: watches Services and Pods, maps pod changes to Service keys."""

    def setup(self) -> None:
        """Watch Services (their own key) and Pods (the Services selecting them)."""
        ensure_indexes(self.store)
        self.store.subscribe(self._on_service, ["Service"])
        self.store.subscribe(self._on_pod, ["Pod"])

    def _delete(self, kind: str, namespace: str, name: str) -> None:
        with contextlib.suppress(NotFound):  # the garbage collector may have been quicker
            self.store.delete(kind, namespace, name)

    def _on_service(self, event: WatchEvent) -> None:
        self.enqueue(make_key(*event.key))

    def _on_pod(self, event: WatchEvent) -> None:
        if (
            event.type == "MODIFIED"
            and event.old is not None
            and _endpoint_view(event.old) == _endpoint_view(event.obj)
        ):
            return
        keys = services_for_pod(self.store, event.obj)
        if event.old is not None and labels_of(event.old) != labels_of(event.obj):
            keys |= services_for_pod(self.store, event.old)
        for key in sorted(keys):
            self.enqueue(key)


class EndpointsController(_ServiceEndpointsController):
    """Maintains one ``v1 Endpoints`` object per selector Service (EP-CTRL)."""

    name = "endpoint-controller"

    def setup(self) -> None:
        """Also resync a Service whose Endpoints object was deleted behind our back."""
        super().setup()
        self.store.subscribe(self._on_endpoints, ["Endpoints"])

    def _on_endpoints(self, event: WatchEvent) -> None:
        if event.type == "DELETED":
            self.enqueue(make_key(*event.key))

    def sync(self, key: str) -> None:
        """Write the Service's Endpoints (or delete them with the Service)."""
        ns, name = split_key(key)
        svc = self.store.get("Service", ns, name)
        current = self.store.get("Endpoints", ns, name)
        if svc is None:
            if current is not None:
                self._delete("Endpoints", ns, name)
            return
        if not selector_of(svc):
            return
        desired = self._desired(svc)
        if current is None:
            self.store.create(desired)
            return
        if current.get("subsets") == desired.get("subsets") and labels_of(current) == labels_of(
            desired
        ):
            return
        updated = copy_obj(current)
        updated["metadata"]["labels"] = desired["metadata"]["labels"]
        _annotate(updated, desired["metadata"]["annotations"][TRIGGER_TIME])
        updated.pop("subsets", None)
        if "subsets" in desired:
            updated["subsets"] = desired["subsets"]
        self.store.update(updated)

    def _desired(self, svc: Obj) -> Obj:
        publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
        groups: dict[tuple[Any, ...], dict[str, list[dict[str, Any]]]] = {}
        service_ports = (svc.get("spec") or {}).get("ports") or []
        pods = selected_pods(self.store, svc)
        for pod in pods:
            if pod_phase(pod) in ("Succeeded", "Failed") or not pod_ip(pod):
                continue
            if is_terminating(pod) and not publish:
                continue
            ports = pod_ports(svc, pod)
            if service_ports and not ports:
                continue
            group = groups.setdefault(tuple(tuple(sorted(p.items())) for p in ports), {})
            field = "addresses" if publish or is_pod_ready(pod) else "notReadyAddresses"
            group.setdefault(field, []).append(endpoint_address(svc, pod))
        subsets = []
        for port_key in sorted(groups):
            subset: dict[str, Any] = {}
            for field in ("addresses", "notReadyAddresses"):
                if field in groups[port_key]:
                    subset[field] = sort_addresses(groups[port_key][field])
            if port_key:
                subset["ports"] = [dict(p) for p in port_key]
            subsets.append(subset)
        labels = dict(labels_of(svc))
        if is_headless(svc):
            labels[HEADLESS_LABEL] = ""
        ep = new_object("Endpoints", name_of(svc), namespace_of(svc))
        ep["metadata"]["labels"] = labels
        ep["metadata"]["annotations"] = {TRIGGER_TIME: trigger_time(svc, pods)}
        if subsets:
            ep["subsets"] = subsets
        return ep


class EndpointSliceController(_ServiceEndpointsController):
    """Maintains the EndpointSlices of each selector Service (EPS)."""

    name = "endpointslice-controller"

    def setup(self) -> None:
        """Also resync a Service when one of its managed slices is changed or deleted."""
        super().setup()
        self.store.subscribe(self._on_slice, ["EndpointSlice"])

    def _on_slice(self, event: WatchEvent) -> None:
        labels = labels_of(event.obj)
        ours = labels.get(MANAGED_BY_LABEL) == MANAGED_BY and SERVICE_NAME_LABEL in labels
        if ours and event.type != "ADDED":
            self.enqueue(make_key(namespace_of(event.obj), labels[SERVICE_NAME_LABEL]))

    def sync(self, key: str) -> None:
        """Make the Service's managed slices hold exactly its desired endpoints."""
        ns, name = split_key(key)
        svc = self.store.get("Service", ns, name)
        existing = [
            s
            for s in self.store.by_index("EndpointSlice", SLICE_SERVICE_INDEX, key)
            if labels_of(s).get(MANAGED_BY_LABEL) == MANAGED_BY
        ]
        if svc is None or not selector_of(svc):
            for s in existing if svc is None else []:
                self._delete("EndpointSlice", ns, name_of(s))
            return
        pods = selected_pods(self.store, svc)
        desired = self._desired_chunks(svc, pods)
        when = trigger_time(svc, pods)
        existing.sort(key=lambda s: (s["metadata"].get("creationTimestamp", ""), name_of(s)))
        for index, (ports, endpoints) in enumerate(desired):
            body = self._slice_body(svc, ports, endpoints)
            _annotate(body, when)
            if index < len(existing):
                self._update_slice(existing[index], body)
            else:
                self.store.create(body)
        for stale in existing[len(desired) :]:
            self._delete("EndpointSlice", ns, name_of(stale))

    def _desired_chunks(
        self, svc: Obj, pods: list[Obj]
    ) -> list[tuple[list[dict[str, Any]], list[Any]]]:
        publish = bool((svc.get("spec") or {}).get("publishNotReadyAddresses"))
        service_ports = (svc.get("spec") or {}).get("ports") or []
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for pod in pods:
            if pod_phase(pod) in ("Succeeded", "Failed") or not pod_ip(pod):
                continue
            ports = pod_ports(svc, pod)
            if service_ports and not ports:
                continue
            port_key = tuple(tuple(sorted(p.items())) for p in ports)
            groups.setdefault(port_key, []).append(slice_endpoint(svc, pod, publish))
        chunks: list[tuple[list[dict[str, Any]], list[Any]]] = []
        for port_key in sorted(groups):
            eps = sorted(groups[port_key], key=lambda e: (e["addresses"][0], e["targetRef"]["uid"]))
            for start in range(0, len(eps), MAX_ENDPOINTS_PER_SLICE):
                chunk = eps[start : start + MAX_ENDPOINTS_PER_SLICE]
                chunks.append(([dict(p) for p in port_key], chunk))
        if not chunks:
            chunks.append(([], []))  # the placeholder slice of a Service without endpoints
        return chunks

    def _slice_body(self, svc: Obj, ports: list[dict[str, Any]], endpoints: list[Any]) -> Obj:
        labels = dict(labels_of(svc))
        labels[SERVICE_NAME_LABEL] = name_of(svc)
        labels[MANAGED_BY_LABEL] = MANAGED_BY
        if is_headless(svc):
            labels[HEADLESS_LABEL] = ""
        body = new_object("EndpointSlice", "", namespace_of(svc))
        md = body["metadata"]
        del md["name"]
        md["generateName"] = f"{name_of(svc)}-"
        md["labels"] = labels
        md["ownerReferences"] = [owner_reference(svc)]
        body["addressType"] = "IPv4"
        body["endpoints"] = endpoints or None
        body["ports"] = ports or None
        return body

    def _update_slice(self, current: Obj, body: Obj) -> None:
        same = (
            current.get("endpoints") == body["endpoints"]
            and current.get("ports") == body["ports"]
            and labels_of(current) == body["metadata"]["labels"]
            and current["metadata"].get("ownerReferences") == body["metadata"]["ownerReferences"]
        )
        if same:
            return
        updated = copy_obj(current)
        updated["metadata"]["labels"] = body["metadata"]["labels"]
        updated["metadata"]["ownerReferences"] = body["metadata"]["ownerReferences"]
        _annotate(updated, body["metadata"]["annotations"][TRIGGER_TIME])
        updated["endpoints"] = body["endpoints"]
        updated["ports"] = body["ports"]
        self.store.update(updated)
