"""Objects for Service/Endpoints/DNS tests: Services and pods created directly, pod status
forced with ``set_pod_status`` (a fake kubelet), as the controllers' unit tests do."""

from __future__ import annotations

from typing import Any

from engine.cluster import Cluster
from engine.objects import Obj
from tests.helpers import set_pod_status


def service(
    name: str,
    *,
    namespace: str = "default",
    headless: bool = False,
    selector: dict[str, str] | None = None,
    ports: list[dict[str, Any]] | None = None,
    publish_not_ready: bool = False,
    **spec: Any,
) -> Obj:
    """A Service manifest (headless when asked)."""
    body: dict[str, Any] = dict(spec)
    if selector is not None:
        body["selector"] = selector
    body["ports"] = ports if ports is not None else [{"name": "web", "port": 80}]
    if headless:
        body["clusterIP"] = "None"
    if publish_not_ready:
        body["publishNotReadyAddresses"] = True
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": body,
    }


def pod(
    name: str,
    labels: dict[str, str],
    *,
    namespace: str = "default",
    hostname: str | None = None,
    subdomain: str | None = None,
    port_name: str = "web",
    port: int = 80,
) -> Obj:
    """A pod manifest with one nginx container exposing a named port."""
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "nginx",
                "image": "registry.k8s.io/nginx-slim:0.24",
                "ports": [{"name": port_name, "containerPort": port}],
            }
        ]
    }
    if hostname:
        spec["hostname"] = hostname
    if subdomain:
        spec["subdomain"] = subdomain
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": spec,
    }


def add_pod(
    cluster: Cluster,
    manifest: Obj,
    ip: str,
    *,
    ready: bool = True,
    node: str = "worker-1",
) -> Obj:
    """Create a pod bound to ``node`` and give it a running status with ``ip`` (the
    virtual clock does not move, so the kubelet's own timers never overwrite it)."""
    manifest = dict(manifest, spec=dict(manifest["spec"], nodeName=node))
    cluster.store.create(manifest)
    cluster.drain()
    md = manifest["metadata"]
    return set_pod_status(cluster, md.get("namespace", "default"), md["name"], ip=ip, ready=ready)


def seed_scenario(cluster: Cluster) -> None:
    """The seed's scenario: headless ``nginx`` over two StatefulSet-like pods web-0/web-1
    (hostname + subdomain nginx) at 10.244.1.10 and 10.244.2.11."""
    cluster.store.create(service("nginx", headless=True, selector={"app": "nginx"}))
    for index, ip in enumerate(("10.244.1.10", "10.244.2.11")):
        name = f"web-{index}"
        manifest = pod(name, {"app": "nginx"}, hostname=name, subdomain="nginx")
        add_pod(cluster, manifest, ip, node=f"worker-{index + 1}")


def published_web_0(cluster: Cluster, *, ready: bool = True, **pod_fields: Any) -> Obj:
    """Headless ``nginx`` with ``publishNotReadyAddresses`` over pod web-0 at 10.244.1.10
    (``pod_fields``: :func:`pod`'s ``hostname``/``subdomain``…); returns the pod."""
    cluster.store.create(
        service("nginx", headless=True, selector={"app": "nginx"}, publish_not_ready=True)
    )
    return add_pod(
        cluster, pod("web-0", {"app": "nginx"}, **pod_fields), "10.244.1.10", ready=ready
    )
