"""Per-pod rules shared by the Endpoints and EndpointSlice controllers (and cluster DNS).

Faithful to EPS ``podToEndpoint`` / ``ShouldSetHostname`` and EP-CTRL ``addEndpointSubset``:
hostnames only when the pod's ``subdomain`` names the Service, ports resolved on the pod (a
named ``targetPort`` is looked up among the container ports), addresses sorted by IP string.
"""

from __future__ import annotations

from typing import Any

from engine.objects import (
    Obj,
    is_pod_ready,
    is_terminating,
    name_of,
    namespace_of,
    pod_condition,
    pod_ip,
    uid_of,
)

HEADLESS_LABEL = "service.kubernetes.io/headless"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "endpointslice-controller.k8s.io"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"


def is_headless(svc: Obj) -> bool:
    """``spec.clusterIP: None``."""
    return (svc.get("spec") or {}).get("clusterIP") == "None"


def pod_hostname(svc: Obj, pod: Obj) -> str:
    """The endpoint hostname: ``spec.hostname`` iff the pod's subdomain is this Service."""
    spec = pod.get("spec") or {}
    hostname = str(spec.get("hostname") or "")
    same_namespace = namespace_of(pod) == namespace_of(svc)
    if hostname and spec.get("subdomain") == name_of(svc) and same_namespace:
        return hostname
    return ""


def find_port(pod: Obj, service_port: dict[str, Any]) -> int | None:
    """The pod's port number for a Service port (podutil.FindPort); None if unresolvable."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return int(port["containerPort"])
    return None


def pod_ports(svc: Obj, pod: Obj) -> list[dict[str, Any]]:
    """The endpoint ports of ``pod`` for ``svc`` (service ports that resolve on the pod)."""
    ports = []
    for sp in (svc.get("spec") or {}).get("ports") or []:
        number = find_port(pod, sp)
        if number is None:
            continue
        port: dict[str, Any] = {"name": str(sp.get("name") or ""), "port": number}
        port["protocol"] = sp.get("protocol", "TCP")
        if sp.get("appProtocol"):
            port["appProtocol"] = sp["appProtocol"]
        ports.append(port)
    return ports


def target_ref(pod: Obj) -> dict[str, str]:
    """The ObjectReference to the pod, as the controllers write it."""
    return {
        "kind": "Pod",
        "namespace": namespace_of(pod),
        "name": name_of(pod),
        "uid": uid_of(pod),
    }


def endpoint_address(svc: Obj, pod: Obj) -> dict[str, Any]:
    """A ``v1 EndpointAddress`` for ``pod``."""
    address: dict[str, Any] = {"ip": pod_ip(pod)}
    hostname = pod_hostname(svc, pod)
    if hostname:
        address["hostname"] = hostname
    node = (pod.get("spec") or {}).get("nodeName")
    if node:
        address["nodeName"] = node
    address["targetRef"] = target_ref(pod)
    return address


def slice_endpoint(svc: Obj, pod: Obj, publish_not_ready: bool) -> dict[str, Any]:
    """A ``discovery/v1 Endpoint`` for ``pod`` (EPS ``podToEndpoint``)."""
    ready = is_pod_ready(pod)
    terminating = is_terminating(pod)
    endpoint: dict[str, Any] = {
        "addresses": [pod_ip(pod)],
        "conditions": {
            "ready": publish_not_ready or (ready and not terminating),
            "serving": ready,
            "terminating": terminating,
        },
    }
    hostname = pod_hostname(svc, pod)
    if hostname:
        endpoint["hostname"] = hostname
    endpoint["targetRef"] = target_ref(pod)
    node = (pod.get("spec") or {}).get("nodeName")
    if node:
        endpoint["nodeName"] = node
    return endpoint


def sort_addresses(addresses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """EP-SORT ``LessEndpointAddress``: by IP string (byte-wise), then target UID."""
    return sorted(addresses, key=lambda a: (a["ip"], (a.get("targetRef") or {}).get("uid", "")))


def trigger_time(svc: Obj, pods: list[Obj]) -> str:
    """The ``last-change-trigger-time`` annotation: when the change being published happened.

    The real controllers track the oldest change not yet written (pod Ready transitions,
    Service updates); with one change per write — the playground's usual case — that is the
    newest of the Service's creation and the selected pods' Ready transitions (or creation).
    """
    times = [str(svc["metadata"].get("creationTimestamp", ""))]
    for pod in pods:
        ready = pod_condition(pod, "Ready") or {}
        times.append(
            str(ready.get("lastTransitionTime") or pod["metadata"].get("creationTimestamp", ""))
        )
    return max(times)
