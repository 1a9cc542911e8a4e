"""Building the clusters the figures measure.

* :func:`engine_cluster` — the real engine: 100 Nodes applied as Node manifests (capacity 110
  each, :func:`engine.bootstrap.node_manifest`), then the default web-like example
  (``demos/manifests/web.yaml``: headless Service ``nginx`` and StatefulSet ``web`` with its
  ``www`` volumeClaimTemplate, so claims and PersistentVolumes are part of the cost) applied
  with 0 replicas and the chosen ``podManagementPolicy``.
* :func:`store_world` — ``n`` Ready pods of ``web`` with their claims, volumes and the
  Service's EndpointSlices (100 endpoints per slice, as the EndpointSlice controller cuts them)
  written straight into a store whose controllers are off. The DNS and TUI figures use it, so
  they measure the resolver and the app, not how fast the engine reaches 10,000 pods.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from engine.bootstrap import node_manifest
from engine.cluster import Cluster
from engine.objects import Obj
from tests.worlds import IMAGE, NS, add_bound_claim, endpoint_slice, running_status, web_pod

ROOT = Path(__file__).resolve().parents[2]
WEB_YAML = ROOT / "demos" / "manifests" / "web.yaml"
NODES = 100
NODE_CAPACITY = 110


def nodes_yaml(count: int = NODES) -> str:
    """``count`` Node manifests (``node-1`` …) as one YAML stream."""
    return yaml.safe_dump_all(
        [node_manifest(f"node-{i}", i, NODE_CAPACITY) for i in range(1, count + 1)]
    )


def web_yaml(policy: str = "Parallel", replicas: int = 0) -> str:
    """demos/manifests/web.yaml with ``replicas`` and ``podManagementPolicy`` set."""
    docs = list(yaml.safe_load_all(WEB_YAML.read_text()))
    for doc in docs:
        if doc["kind"] == "StatefulSet":
            doc["spec"]["replicas"] = replicas
            doc["spec"]["podManagementPolicy"] = policy
    return yaml.safe_dump_all(docs)


def engine_cluster(policy: str = "Parallel") -> Cluster:
    """A settled cluster: no default nodes, 100 applied Nodes, web at 0 replicas."""
    cluster = Cluster(seed=0, nodes=0)
    cluster.apply("nodes.yaml", nodes_yaml())
    cluster.apply("web.yaml", web_yaml(policy))
    cluster.settle()
    return cluster


def ready_replicas(cluster: Cluster) -> int:
    """status.readyReplicas of StatefulSet web."""
    sts = cluster.store.must_get("StatefulSet", NS, "web")
    return int((sts.get("status") or {}).get("readyReplicas") or 0)


def pod_ip(ordinal: int) -> str:
    """A distinct, valid pod IP per ordinal (10.244.x.y)."""
    return f"10.244.{ordinal // 250 + 1}.{ordinal % 250 + 2}"


def store_world(n: int) -> Cluster:
    """``n`` Ready web pods, claims, volumes and EndpointSlices written into the store."""
    cluster = Cluster(seed=0)
    cluster.controllers.clear()
    docs = list(yaml.safe_load_all(WEB_YAML.read_text()))
    store = cluster.store
    svc = store.create(docs[0] | {"metadata": docs[0]["metadata"] | {"namespace": NS}})
    sts_doc = docs[1]
    sts_doc["metadata"]["namespace"] = NS
    sts_doc["spec"]["replicas"] = n
    sts = store.create(sts_doc)
    pods = [_write_pod(cluster, sts, i) for i in range(n)]
    for start in range(0, n, 100):
        store.create(endpoint_slice(f"nginx-{start // 100:05d}", pods[start : start + 100], svc))
    status = dict(sts)
    status["status"] = {"replicas": n, "readyReplicas": n, "availableReplicas": n}
    store.update(status)
    return cluster


def _write_pod(cluster: Cluster, sts: Obj, ordinal: int) -> Obj:
    add_bound_claim(cluster, f"www-web-{ordinal}", f"pvc-{ordinal:08d}", f"vol-{ordinal}")
    status = running_status(cluster.clock.timestamp(), pod_ip(ordinal))
    node = f"worker-{ordinal % 3 + 1}"
    return cluster.store.create(web_pod(sts, ordinal, image=IMAGE, node=node, status=status))
