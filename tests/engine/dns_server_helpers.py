"""Cluster states for the DNS server tests.

:func:`seed_cluster` is the real thing: the default manifest (headless Service ``nginx``,
StatefulSet ``web``) applied and settled with every controller and the kubelet running.

:func:`dns_cluster` and the extra Services are built directly in the store: pods are created the
way the StatefulSet controller would create them (``spec.hostname`` / ``spec.subdomain``, the
Service's labels) with the status a kubelet would have written (Running, Ready, a pod IP) — the
status ``tests.helpers.set_pod_status`` writes, but for many pods at once and with one drain, so
a 300-pod Service takes milliseconds. The real endpoints controllers then write the
EndpointSlices the DNS zone answers from.
"""

from __future__ import annotations

from typing import Any

from engine.cluster import Cluster
from engine.objects import Obj
from tests.worlds import IMAGE, NS, running_status
from tui.cli import default_manifest

#: The seed's StatefulSet pods (web-0, web-1) and their IPs
WEB_IPS = {"web-0": "10.244.1.10", "web-1": "10.244.2.10"}


def create_service(cluster: Cluster, name: str, app: str, *, headless: bool = True) -> Obj:
    """A Service selecting ``app=<app>`` with one named port ``web`` 80/TCP."""
    spec: dict[str, Any] = {
        "ports": [{"port": 80, "name": "web", "protocol": "TCP"}],
        "selector": {"app": app},
    }
    if headless:
        spec["clusterIP"] = "None"
    stored = cluster.store.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": NS, "labels": {"app": app}},
            "spec": spec,
        }
    )
    cluster.drain()
    return stored


def running_pod(
    cluster: Cluster, name: str, app: str, ip: str, node: str, subdomain: str | None
) -> Obj:
    """A Running, Ready pod body with ``spec.hostname`` = name and ``spec.subdomain``."""
    spec: dict[str, Any] = {"nodeName": node, "containers": [{"name": "nginx", "image": IMAGE}]}
    if subdomain:
        spec["hostname"] = name
        spec["subdomain"] = subdomain
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "labels": {"app": app}},
        "spec": spec,
        "status": running_status(cluster.clock.timestamp(), ip, host_ip="172.18.0.3"),
    }


def add_pods(cluster: Cluster, pods: list[Obj]) -> None:
    """Store the pods, then let the controllers react once."""
    for pod in pods:
        cluster.store.create(pod)
    cluster.drain()


def big_ips(count: int) -> list[str]:
    """``count`` distinct pod IPs in 10.245.0.0/16."""
    return [f"10.245.{i // 250}.{i % 250 + 1}" for i in range(count)]


def dns_cluster(big: int = 0) -> Cluster:
    """The seed's state plus extras, settled on the virtual clock:

    * headless Service ``nginx`` with StatefulSet-style pods ``web-0`` / ``web-1``
      (:data:`WEB_IPS`);
    * ClusterIP Service ``my-svc`` selecting the same pods;
    * with ``big`` > 0, headless Service ``big`` with pods ``big-0`` … (:func:`big_ips`).
    """
    cluster = Cluster(seed=1, strict=True)
    create_service(cluster, "nginx", "nginx")
    create_service(cluster, "my-svc", "nginx", headless=False)
    add_pods(
        cluster,
        [
            running_pod(cluster, name, "nginx", ip, f"worker-{i + 1}", "nginx")
            for i, (name, ip) in enumerate(WEB_IPS.items())
        ],
    )
    if big:
        add_big_service(cluster, big)
    cluster.settle()
    return cluster


def add_big_service(cluster: Cluster, count: int) -> None:
    """Headless Service ``big`` with ``count`` ready pods ``big-0`` … (:func:`big_ips`)."""
    create_service(cluster, "big", "big")
    add_pods(
        cluster,
        [
            running_pod(cluster, f"big-{i}", "big", ip, "worker-3", "big")
            for i, ip in enumerate(big_ips(count))
        ],
    )


def seed_cluster(big: int = 0) -> Cluster:
    """The default cluster (the seed's ``nginx`` + ``web``, 2 replicas) settled, plus the
    ClusterIP Service ``my-svc`` selecting the web pods and, with ``big`` > 0, the headless
    Service ``big`` with ``big`` pods."""
    cluster = Cluster(seed=1, strict=True)
    cluster.apply(str(default_manifest()))
    create_service(cluster, "my-svc", "nginx", headless=False)
    if big:
        add_big_service(cluster, big)
    cluster.settle()
    return cluster
