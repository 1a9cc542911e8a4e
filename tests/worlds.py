"""Objects the tests and benchmarks write straight into a store, in one place.

Store-level worlds (the TUI panels' :func:`tests.tui.fixtures.store_cluster`, the benchmarks'
:func:`tests.benchmarks.world.store_world`, the DNS server tests' pods) build the seed's
objects without the controllers, the way controller unit tests in Kubernetes use fakes. The
bodies are what the controllers and the kubelet would have written: a StatefulSet pod
(:func:`web_pod`) with its bound claim and volume (:func:`add_bound_claim`), a Running and
Ready pod's status (:func:`running_status`), the Service's EndpointSlice
(:func:`endpoint_slice`). The workload tests' Deployment manifest is :func:`deployment`.
"""

from __future__ import annotations

from typing import Any

from engine.cluster import Cluster
from engine.objects import Obj, is_pod_ready, owner_reference

NS = "default"
IMAGE = "registry.k8s.io/nginx-slim:0.24"

#: a pod no workload owns, as a manifest
BARE_POD = """
apiVersion: v1
kind: Pod
metadata: {name: bare}
spec:
  containers: [{name: c, image: nginx}]
"""


def add_bound_claim(cluster: Cluster, claim: str, pv: str, handle: str) -> None:
    """Create PersistentVolume ``pv`` (network CSI volume ``handle``) bound to claim ``claim``
    (1Gi, ReadWriteOnce, class ``standard``, label ``app=nginx``) in :data:`NS`."""
    cluster.store.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": pv},
            "spec": {
                "capacity": {"storage": "1Gi"},
                "accessModes": ["ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Delete",
                "storageClassName": "standard",
                "csi": {"driver": "playground.local/network", "volumeHandle": handle},
                "claimRef": {"kind": "PersistentVolumeClaim", "namespace": NS, "name": claim},
            },
            "status": {"phase": "Bound"},
        }
    )
    cluster.store.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": claim, "namespace": NS, "labels": {"app": "nginx"}},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
                "storageClassName": "standard",
                "volumeName": pv,
            },
            "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}},
        }
    )


def web_pod(
    sts: Obj, ordinal: int, *, image: str, node: str | None = None, status: Obj | None = None
) -> Obj:
    """Pod ``web-<ordinal>`` as the StatefulSet controller creates it for ``sts`` (identity
    labels, hostname and subdomain, claim ``www-web-<ordinal>``), on ``node`` and with
    ``status`` when given."""
    name = f"web-{ordinal}"
    spec: dict[str, Any] = {"hostname": name, "subdomain": "nginx"}
    if node is not None:
        spec["nodeName"] = node
    spec["containers"] = [{"name": "nginx", "image": image}]
    spec["volumes"] = [{"name": "www", "persistentVolumeClaim": {"claimName": f"www-{name}"}}]
    pod: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": NS,
            "labels": {"app": "nginx", "apps.kubernetes.io/pod-index": str(ordinal)},
            "ownerReferences": [owner_reference(sts)],
        },
        "spec": spec,
    }
    if status is not None:
        pod["status"] = status
    return pod


def running_status(now: str, ip: str, *, host_ip: str | None = None) -> dict[str, Any]:
    """The status the kubelet writes for a Running, Ready pod with one container ``nginx``
    (image :data:`IMAGE`) started at ``now``."""
    status: dict[str, Any] = {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]}
    if host_ip is not None:
        status["hostIP"] = host_ip
    status["startTime"] = now
    status["conditions"] = [
        {"type": t, "status": "True", "lastTransitionTime": now}
        for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")
    ]
    status["containerStatuses"] = [
        {
            "name": "nginx",
            "image": IMAGE,
            "ready": True,
            "started": True,
            "restartCount": 0,
            "state": {"running": {"startedAt": now}},
        }
    ]
    return status


def endpoint_slice(name: str, pods: list[Obj], owner: Obj | None = None) -> Obj:
    """EndpointSlice ``name`` of Service ``nginx`` (port ``web`` 80/TCP) with one endpoint per
    pod, ready as the pod's Ready condition; ``owner`` is the Service when given."""
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": NS,
        "labels": {"kubernetes.io/service-name": "nginx"},
    }
    if owner is not None:
        metadata["ownerReferences"] = [owner_reference(owner)]
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": metadata,
        "addressType": "IPv4",
        "ports": [{"name": "web", "port": 80, "protocol": "TCP"}],
        "endpoints": [
            {
                "addresses": [p["status"]["podIP"]],
                "conditions": {"ready": is_pod_ready(p), "serving": True, "terminating": False},
                "hostname": p["metadata"]["name"],
                "nodeName": p["spec"].get("nodeName"),
                "targetRef": {"kind": "Pod", "namespace": NS, "name": p["metadata"]["name"]},
            }
            for p in pods
        ],
    }


def deployment(
    replicas: int = 3,
    image: str = "nginx:1.27",
    *,
    name: str = "web",
    namespace: str | None = "default",
    pod_spec: dict[str, Any] | None = None,
    **spec: Any,
) -> Obj:
    """Deployment ``name`` (pods labelled ``app=<name>``, one container ``nginx``) as a user
    writes it; ``pod_spec`` adds pod template fields, ``spec`` Deployment spec fields, and
    ``namespace=None`` leaves the namespace to the one it is applied in."""
    metadata = {"name": name} if namespace is None else {"name": name, "namespace": namespace}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {**(pod_spec or {}), "containers": [{"name": "nginx", "image": image}]},
            },
            **spec,
        },
    }
