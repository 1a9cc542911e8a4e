"""The scheduler's ranked shortcut picks the node the full Filter and Score scan picks.

:mod:`engine.controllers.node_ranking` keeps lazily checked heaps instead of trying every
node for every pod. These tests drive two identical clusters through the same random story —
pods of several owners created and deleted, pods finishing, nodes cordoned, tainted, filled
and added — one with the shortcut and one forced to scan, and require the same placements,
conditions and events at every step.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from engine.cluster import Cluster
from engine.config import ClusterConfig
from engine.controllers.node_ranking import NodeRanking
from engine.controllers.scheduler import Scheduler
from engine.objects import Obj, thaw
from engine.scheduling import NodeFacts
from tests.engine.podutil import make_pod


def _cluster(scan_only: bool) -> Cluster:
    cluster = Cluster(ClusterConfig(node_capacity=4, nodes=4), seed=3, strict=True)
    if scan_only:
        scheduler = cluster.controller("default-scheduler")
        assert isinstance(scheduler, Scheduler)
        scheduler._quick_best = lambda *_args: None  # type: ignore[method-assign]
    return cluster


def _owner(cluster: Cluster, name: str) -> None:
    if cluster.store.get("ControllerRevision", "default", name) is None:
        md = {"name": name, "namespace": "default", "uid": f"uid-{name}"}
        revision = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": md}
        cluster.store.create(revision)


def _edit_node(cluster: Cluster, name: str, edit: Callable[[Obj], None]) -> None:
    node = thaw(cluster.store.must_get("Node", "", name), "spec", "metadata.labels")
    edit(node)
    cluster.store.update(node)


def _finish(cluster: Cluster, name: str) -> None:
    pod = cluster.store.get("Pod", "default", name)
    if pod is not None and pod["spec"].get("nodeName"):
        cluster.store.update({**pod, "status": {**pod.get("status", {}), "phase": "Succeeded"}})


def _step(cluster: Cluster, rng: random.Random, serial: int) -> None:
    """One random action (the rng makes the same choice for both clusters)."""
    action = rng.choice(["pod", "pod", "pod", "pod", "delete", "finish", "node", "new-node"])
    pods = sorted(p["metadata"]["name"] for p in cluster.store.list("Pod", "default"))
    nodes = sorted(n["metadata"]["name"] for n in cluster.store.list("Node"))
    if action == "pod":
        owner = rng.choice(["web", "db", "cache", ""])
        extra: dict[str, object] = {}
        if rng.random() < 0.15:
            extra["tolerations"] = [{"key": "dedicated", "operator": "Exists"}]
        if rng.random() < 0.1:
            extra["nodeSelector"] = {"disk": "ssd"}
        if owner:
            _owner(cluster, owner)
        cluster.store.create(make_pod(f"p-{serial}", owner=owner or None, **extra))
    elif action == "delete" and pods:
        cluster.store.delete("Pod", "default", rng.choice(pods), grace_period=0)
    elif action == "finish" and pods:
        _finish(cluster, rng.choice(pods))
    elif action == "node":
        target, change = rng.choice(nodes), rng.choice(["cordon", "uncordon", "taint", "label"])

        def edit(node: Obj) -> None:
            spec = node["spec"]
            if change == "cordon":
                spec["unschedulable"] = True
            elif change == "uncordon":
                spec.pop("unschedulable", None)
                spec.pop("taints", None)
            elif change == "taint":
                spec["taints"] = [{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]
            else:
                node["metadata"].setdefault("labels", {})["disk"] = "ssd"

        _edit_node(cluster, target, edit)
    elif action == "new-node" and len(nodes) < 7:
        node = thaw(cluster.store.must_get("Node", "", nodes[0]), "metadata", "spec")
        name = f"extra-{serial}"
        node["metadata"] = {"name": name, "labels": {"kubernetes.io/hostname": name}}
        node["spec"] = {"podCIDR": f"10.244.{50 + serial % 200}.0/24"}
        cluster.store.create(node)
    cluster.advance(rng.choice([0.0, 0.5, 3.0]))


def _placements(cluster: Cluster) -> list[tuple[str, str, str]]:
    return [
        (
            p["metadata"]["name"],
            str(p["spec"].get("nodeName", "")),
            str((p.get("status") or {}).get("phase", "")),
        )
        for p in cluster.store.list("Pod", "default")
    ]


def _scheduler_events(cluster: Cluster) -> list[tuple[str, str, str]]:
    return [
        (e["involvedObject"]["name"], e["reason"], e["message"])
        for e in cluster.store.list("Event")
        if e["source"].get("component") == "default-scheduler"
    ]


@pytest.mark.parametrize("seed", range(6))
def test_the_shortcut_places_every_pod_where_the_full_scan_does(seed: int) -> None:
    quick, scan = _cluster(scan_only=False), _cluster(scan_only=True)
    rng_quick, rng_scan = random.Random(seed), random.Random(seed)
    for serial in range(60):
        _step(quick, rng_quick, serial)
        _step(scan, rng_scan, serial)
        assert _placements(quick) == _placements(scan), f"step {serial}"
    assert _scheduler_events(quick) == _scheduler_events(scan)
    assert any(p[1] for p in _placements(quick))


def _facts(name: str, max_pods: int = 3) -> NodeFacts:
    return NodeFacts(name, {"metadata": {"name": name}}, False, [], max_pods)


def test_the_ranking_takes_fewest_siblings_then_fewest_pods_then_the_name() -> None:
    ranking = NodeRanking()
    ranking.reset([_facts("a"), _facts("b"), _facts("c")])
    occupied: dict[str, dict[str, object]] = {"a": {"x": 1}, "b": {"y": 1, "z": 1}}
    owned: dict[str, dict[str, object]] = {"b|o": {"y": 1}}
    assert ranking.best("o", occupied, owned) == (0, 0, "c")
    occupied["c"] = {"w": 1, "v": 1, "u": 1}  # full: dropped until a reset
    assert ranking.best("o", occupied, owned) == (0, 1, "a")
    owned["a|o"] = {"x": 1}
    assert ranking.best("o", occupied, owned) == (1, 1, "a")
    assert ranking.best("", occupied, owned) == (0, 1, "a")  # no owner: load and name
    del occupied["c"]
    assert ranking.best("o", occupied, owned) == (1, 1, "a")  # c is forgotten ...
    ranking.reset()
    assert ranking.best("o", occupied, owned) == (0, 0, "c")  # ... until a reset


def test_every_node_full_gives_no_rank() -> None:
    ranking = NodeRanking()
    ranking.reset([_facts("a", max_pods=1)])
    assert ranking.best("o", {"a": {"x": 1}}, {}) is None
    assert ranking.best("o", {}, {}) is None  # dropped from the heap until a reset
