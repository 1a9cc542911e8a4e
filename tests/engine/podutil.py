"""Small builders and readers shared by the scheduler, kubelet and node tests."""

from __future__ import annotations

from typing import Any

from engine.cluster import Cluster
from engine.objects import Obj, pod_condition


def make_pod(
    name: str,
    *,
    image: str = "registry.k8s.io/nginx-slim:0.24",
    node: str | None = None,
    owner: str | None = None,
    namespace: str = "default",
    **spec: Any,
) -> Obj:
    """A minimal pod with one container ``nginx``.

    ``owner`` names a controller the pod belongs to (for spreading); it is a ControllerRevision
    that :func:`create` makes exist, so the garbage collector keeps the pod and no workload
    controller acts on it.
    """
    container: dict[str, Any] = {
        "name": "nginx",
        "image": image,
        "ports": [{"containerPort": 80, "name": "web"}],
    }
    container.update(spec.pop("container", {}))
    pod: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": "nginx"}},
        "spec": {"containers": [container], **spec},
    }
    if node:
        pod["spec"]["nodeName"] = node
    if owner:
        pod["metadata"]["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": "ControllerRevision",
                "name": owner,
                "uid": f"uid-{owner}",
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    return pod


def create(cluster: Cluster, pod: Obj) -> Obj:
    """Create ``pod`` (and the owner it names) and let the controllers react."""
    namespace = pod["metadata"].get("namespace", "default")
    for ref in pod["metadata"].get("ownerReferences") or []:
        if ref["kind"] == "ControllerRevision" and not cluster.store.get(
            "ControllerRevision", namespace, ref["name"]
        ):
            owner = {"name": ref["name"], "namespace": namespace, "uid": ref["uid"]}
            cluster.store.create(
                {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": owner}
            )
    stored = cluster.store.create(pod)
    cluster.drain()
    return stored


def get(cluster: Cluster, name: str, namespace: str = "default") -> Obj:
    """The live pod (fails the test when it is gone)."""
    pod = cluster.store.get("Pod", namespace, name)
    assert pod is not None, f"pod {name} is gone"
    return pod


def cond(pod: Obj, ctype: str) -> str:
    """Status of a pod condition ("" when absent)."""
    c = pod_condition(pod, ctype)
    return str(c["status"]) if c else ""


def container(pod: Obj) -> dict[str, Any]:
    """The first container status."""
    statuses: list[dict[str, Any]] = pod["status"]["containerStatuses"]
    return statuses[0]


def events(cluster: Cluster, pod: Obj) -> list[tuple[str, str, str]]:
    """(type, reason, message) of the events about ``pod``, oldest first."""
    return [(e["type"], e["reason"], e["message"]) for e in cluster.events.for_object(pod)]


def reasons(cluster: Cluster, pod: Obj) -> list[str]:
    """Reasons of the events about ``pod``, oldest first."""
    return [e[1] for e in events(cluster, pod)]


def workload(kind: str, name: str, replicas: int, claim_class: str | None = None) -> Obj:
    """A StatefulSet (with a ``www`` claim template of ``claim_class``) or a ReplicaSet."""
    labels = {"app": name}
    template = {
        "metadata": {"labels": labels},
        "spec": {
            "containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.24"}],
        },
    }
    spec: dict[str, Any] = {
        "replicas": replicas,
        "selector": {"matchLabels": labels},
        "template": template,
    }
    if kind == "StatefulSet":
        spec["serviceName"] = name
        claim_spec: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}},
        }
        if claim_class is not None:
            claim_spec["storageClassName"] = claim_class
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "www"}, "spec": claim_spec}]
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }
