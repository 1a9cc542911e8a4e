"""Per-pod rules shared by the Endpoints and EndpointSlice controllers.

:func:`pod_facts` reads what both controllers need from a pod for one Service in one pass (IP,
readiness, termination, hostname, node, resolved ports), faithful to EPS
``ShouldPodBeInEndpoints`` / ``podToEndpoint`` / ``ShouldSetHostname`` and EP-CTRL
``podToEndpointAddressForService``: hostnames only when the pod's ``subdomain`` names the
Service, ports resolved on the pod (a named ``targetPort`` is looked up among the container
ports). :func:`facts_address` and :func:`facts_endpoint` give the two APIs' shapes.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from engine.objects import (
    Obj,
    name_of,
    namespace_of,
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


PortKey = tuple[tuple[tuple[str, Any], ...], ...]


def port_key(ports: list[dict[str, Any]] | None) -> PortKey:
    """A hashable form of endpoint ports (a slice's, or a pod's for a Service)."""
    return tuple(tuple(sorted(p.items())) for p in ports or ())


class PodFacts(NamedTuple):
    """What both endpoint controllers read from a pod for one Service, read once."""

    ip: str
    ready: bool
    terminating: bool
    hostname: str  # "" unless ShouldSetHostname
    node: str
    ports: list[dict[str, Any]]
    port_key: PortKey
    target_ref: dict[str, str]


def pod_facts(svc: Obj, pod: Obj) -> PodFacts | None:
    """The pod's endpoint facts for ``svc``; None when it gets no endpoint in either object: a
    terminal phase or no IP (EPS ``ShouldPodBeInEndpoints``), or the Service has ports and none
    resolves on the pod."""
    status = pod.get("status") or {}
    ip = status.get("podIP")
    if not ip or status.get("phase") in ("Succeeded", "Failed"):
        return None
    ports = pod_ports(svc, pod)
    if not ports and (svc.get("spec") or {}).get("ports"):
        return None
    ready = False
    for cond in status.get("conditions") or ():
        if cond.get("type") == "Ready":
            ready = cond.get("status") == "True"
            break
    spec = pod.get("spec") or {}
    return PodFacts(
        str(ip),
        ready,
        pod["metadata"].get("deletionTimestamp") is not None,
        pod_hostname(svc, pod),
        str(spec.get("nodeName") or ""),
        ports,
        port_key(ports),
        target_ref(pod),
    )


def facts_address(facts: PodFacts) -> dict[str, Any]:
    """The ``v1 EndpointAddress`` of a pod with these facts (EP-CTRL
    ``podToEndpointAddressForService``)."""
    address: dict[str, Any] = {"ip": facts.ip}
    if facts.hostname:
        address["hostname"] = facts.hostname
    if facts.node:
        address["nodeName"] = facts.node
    address["targetRef"] = facts.target_ref
    return address


def facts_endpoint(facts: PodFacts, publish_not_ready: bool) -> dict[str, Any]:
    """The ``discovery/v1 Endpoint`` of a pod with these facts (EPS ``podToEndpoint``)."""
    endpoint: dict[str, Any] = {
        "addresses": [facts.ip],
        "conditions": {
            "ready": publish_not_ready or (facts.ready and not facts.terminating),
            "serving": facts.ready,
            "terminating": facts.terminating,
        },
    }
    if facts.hostname:
        endpoint["hostname"] = facts.hostname
    endpoint["targetRef"] = facts.target_ref
    if facts.node:
        endpoint["nodeName"] = facts.node
    return endpoint
