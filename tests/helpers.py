"""Shared test helpers (engine tests run on the virtual clock)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.cluster import Cluster
from engine.objects import Obj, copy_obj


def set_pod_status(
    cluster: Cluster,
    namespace: str,
    name: str,
    *,
    phase: str = "Running",
    ready: bool = True,
    ip: str | None = None,
    node: str | None = None,
) -> Obj:
    """Force a pod's status, as controller unit tests in Kubernetes do with a fake kubelet.

    Use for testing one controller in isolation; integration tests let the kubelet run. The
    first call makes the real kubelet step aside for the rest of the test (see
    :func:`fake_kubelet`), so it never overwrites the forced status.
    """
    fake_kubelet(cluster)
    pod = copy_obj(cluster.store.must_get("Pod", namespace, name))
    now = cluster.clock.timestamp()
    if node:
        pod["spec"]["nodeName"] = node
    status: dict[str, Any] = pod.setdefault("status", {})
    status["phase"] = phase
    if ip:
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    flag = "True" if ready else "False"
    status["conditions"] = [
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
        {"type": "Initialized", "status": "True", "lastTransitionTime": now},
        {"type": "ContainersReady", "status": flag, "lastTransitionTime": now},
        {"type": "Ready", "status": flag, "lastTransitionTime": now},
    ]
    status["containerStatuses"] = [
        {
            "name": c["name"],
            "image": c.get("image", ""),
            "ready": ready,
            "started": phase == "Running",
            "restartCount": 0,
            "state": {"running": {"startedAt": now}} if phase == "Running" else {},
        }
        for c in pod["spec"].get("containers") or []
    ]
    stored = cluster.store.update(pod)
    cluster.drain()
    return stored


def fake_kubelet(cluster: Cluster, *, scheduler: bool = False) -> None:
    """Stop the simulated kubelet (and with ``scheduler`` the scheduler too): pods keep
    whatever status and node a test forces on them, as in Kubernetes controller unit tests."""
    stop_controllers(cluster, ("kubelet", "default-scheduler") if scheduler else ("kubelet",))


def stop_controllers(cluster: Cluster, names: Iterable[str]) -> Cluster:
    """Stop the named controllers (``Controller.name``) of ``cluster``; returns it.

    Their store subscriptions stay, but the runner no longer processes their queues.
    """
    stopped = set(names)
    cluster.controllers = [c for c in cluster.controllers if c.name not in stopped]
    return cluster


def pod_names(cluster: Cluster, namespace: str = "default") -> list[str]:
    """Names of the live pods in ``namespace``, sorted."""
    return sorted(p["metadata"]["name"] for p in cluster.store.list("Pod", namespace))
