"""ReplicaSet controller, with the kubelet faked by set_pod_status."""

from __future__ import annotations

from typing import Any

import pytest

from engine.cluster import Cluster
from engine.controllers.replicaset import slow_start_batches
from engine.objects import Obj, copy_obj, name_of
from tests.engine.fake_kubelet import isolated_cluster
from tests.helpers import set_pod_status

ALPHABET = set("bcdfghjklmnpqrstvwxz2456789")


@pytest.fixture
def cluster() -> Cluster:
    """Controllers under test without the node side (pods get status from the test)."""
    return isolated_cluster()


def replicaset(name: str = "web", replicas: int = 3, **spec: Any) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name, "tier": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
            },
            **spec,
        },
    }


def pods_of(cluster: Cluster, rs: str = "web") -> list[Obj]:
    return [
        p
        for p in cluster.store.list("Pod", "default")
        if (p["metadata"].get("ownerReferences") or [{}])[0].get("name") == rs
        and not p["metadata"].get("deletionTimestamp")
    ]


def rs_status(cluster: Cluster, name: str = "web") -> dict[str, Any]:
    status: dict[str, Any] = cluster.store.must_get("ReplicaSet", "default", name)["status"]
    return status


def test_creates_named_labelled_owned_pods(cluster: Cluster) -> None:
    rs = cluster.store.create(replicaset())
    cluster.settle()
    pods = pods_of(cluster)
    assert len(pods) == 3
    for pod in pods:
        name = name_of(pod)
        assert name.startswith("web-")
        assert len(name) == 9
        assert set(name[4:]) <= ALPHABET
        assert pod["metadata"]["labels"] == {"app": "web", "tier": "web"}
        assert pod["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "web",
                "uid": rs["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    events = cluster.events.for_object(cluster.store.must_get("ReplicaSet", "default", "web"))
    assert sorted(e["message"] for e in events) == sorted(
        f"Created pod: {name_of(p)}" for p in pods
    )
    assert {e["reason"] for e in events} == {"SuccessfulCreate"}
    assert {e["source"]["component"] for e in events} == {"replicaset-controller"}
    assert rs_status(cluster) == {
        "replicas": 3,
        "fullyLabeledReplicas": 3,
        "observedGeneration": 1,
        "terminatingReplicas": 0,
    }


def test_status_counts_ready_and_available(cluster: Cluster) -> None:
    cluster.store.create(replicaset(minReadySeconds=10))
    cluster.settle()
    for pod in pods_of(cluster)[:2]:
        set_pod_status(cluster, "default", name_of(pod), node="worker-1")
    status = rs_status(cluster)
    assert status["readyReplicas"] == 2
    assert "availableReplicas" not in status
    cluster.advance(10)
    assert "availableReplicas" not in rs_status(cluster)  # strictly longer than 10 s
    cluster.advance(1)
    assert rs_status(cluster)["availableReplicas"] == 2


def test_deleted_pod_is_replaced_and_terminating_not_counted(cluster: Cluster) -> None:
    cluster.store.create(replicaset())
    cluster.settle()
    victim = pods_of(cluster)[0]
    set_pod_status(cluster, "default", name_of(victim), node="worker-1")
    cluster.delete("Pod", "default", name_of(victim))
    terminating = cluster.store.must_get("Pod", "default", name_of(victim))
    assert terminating["metadata"]["deletionTimestamp"]
    assert len(pods_of(cluster)) == 3
    assert name_of(victim) not in {name_of(p) for p in pods_of(cluster)}
    assert rs_status(cluster)["replicas"] == 3
    assert rs_status(cluster)["terminatingReplicas"] == 1


def test_scale_down_victim_order(cluster: Cluster) -> None:
    cluster.store.create(replicaset(replicas=6))
    cluster.settle()
    names = sorted(name_of(p) for p in pods_of(cluster))
    unscheduled, pending, unready, doubled_a, doubled_b, lone = names
    set_pod_status(cluster, "default", lone, node="worker-3")
    cluster.advance(1000)  # the lone pod has been ready much longer
    set_pod_status(cluster, "default", pending, node="worker-1", phase="Pending", ready=False)
    set_pod_status(cluster, "default", unready, node="worker-1", ready=False)
    set_pod_status(cluster, "default", doubled_a, node="worker-2")
    set_pod_status(cluster, "default", doubled_b, node="worker-2")
    order = []
    for replicas in range(5, 0, -1):
        before = {name_of(p) for p in pods_of(cluster)}
        cluster.scale("ReplicaSet", "default", "web", replicas)
        (gone,) = before - {name_of(p) for p in pods_of(cluster)}
        order.append(gone)
    assert order[:3] == [unscheduled, pending, unready]
    # doubled-up pods go first; then the one ready for a shorter time
    assert set(order[3:]) == {doubled_a, doubled_b}
    assert {name_of(p) for p in pods_of(cluster)} == {lone}


def test_scale_down_prefers_newer_and_deletion_cost(cluster: Cluster) -> None:
    cluster.store.create(replicaset(replicas=2))
    cluster.settle()
    old = [name_of(p) for p in pods_of(cluster)]
    for name in old:
        set_pod_status(cluster, "default", name, node="worker-1")
    cluster.advance(3600)
    cluster.scale("ReplicaSet", "default", "web", 3)
    (new,) = {name_of(p) for p in pods_of(cluster)} - set(old)
    set_pod_status(cluster, "default", new, node="worker-1")
    cluster.advance(60)
    cluster.scale("ReplicaSet", "default", "web", 2)
    assert new not in {name_of(p) for p in pods_of(cluster)}

    cheap = copy_obj(cluster.store.must_get("Pod", "default", old[1]))
    cheap["metadata"]["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": "-5"}
    cluster.store.update(cheap)
    cluster.scale("ReplicaSet", "default", "web", 1)
    assert {name_of(p) for p in pods_of(cluster)} == {old[0]}


def test_adopts_orphans_and_releases_relabelled_pods(cluster: Cluster) -> None:
    orphan = cluster.store.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "stray", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        }
    )
    cluster.store.create(replicaset(replicas=2))
    cluster.settle()
    adopted = cluster.store.must_get("Pod", "default", "stray")
    assert adopted["metadata"]["ownerReferences"][0]["name"] == "web"
    assert adopted["metadata"]["uid"] == orphan["metadata"]["uid"]
    assert len(pods_of(cluster)) == 2

    relabel = copy_obj(adopted)
    relabel["metadata"]["labels"] = {"app": "debug"}
    cluster.store.update(relabel)
    cluster.settle()
    released = cluster.store.must_get("Pod", "default", "stray")
    assert "ownerReferences" not in released["metadata"]
    assert len(pods_of(cluster)) == 2  # a replacement was created


def test_failed_pods_are_not_counted(cluster: Cluster) -> None:
    cluster.store.create(replicaset(replicas=1))
    cluster.settle()
    (pod,) = pods_of(cluster)
    set_pod_status(cluster, "default", name_of(pod), node="worker-1", phase="Failed", ready=False)
    live = [p for p in pods_of(cluster) if p.get("status", {}).get("phase") != "Failed"]
    assert len(live) == 1
    assert name_of(live[0]) != name_of(pod)


def test_create_failure_reports_event_and_condition(cluster: Cluster) -> None:
    bad = replicaset(replicas=2)
    bad["spec"]["template"]["metadata"]["name"] = "fixed"  # every pod gets the same name
    bad["spec"]["template"]["metadata"]["generateName"] = None
    cluster.store.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "x", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        }
    )

    def reject(new: Obj, old: Obj | None) -> None:
        from engine.store import Invalid

        if new["metadata"].get("generateName") == "web-":
            raise Invalid('Pod "web-" is invalid: spec.containers: Required value')

    cluster.store.add_admission("Pod", reject)
    cluster.store.create(replicaset(replicas=2))
    cluster.settle()
    rs = cluster.store.must_get("ReplicaSet", "default", "web")
    cond = rs["status"]["conditions"][0]
    assert cond["type"] == "ReplicaFailure"
    assert cond["reason"] == "FailedCreate"
    events = cluster.events.for_object(rs)
    assert events[0]["reason"] == "FailedCreate"
    assert events[0]["message"].startswith('Error creating: Pod "web-" is invalid')
    assert rs["status"]["replicas"] == 0


def test_slow_start_batches() -> None:
    assert slow_start_batches(0) == []
    assert slow_start_batches(1) == [1]
    assert slow_start_batches(10) == [1, 2, 4, 3]


def test_scale_down_prefers_colocated_pods(cluster: Cluster) -> None:
    cluster.store.create(replicaset(replicas=3))
    cluster.settle()
    pods = sorted(pods_of(cluster), key=lambda p: p["metadata"]["uid"])
    lone = name_of(pods[0])  # the smallest uid: the tie-breaker would pick it first
    set_pod_status(cluster, "default", lone, node="worker-3")
    for pod in pods[1:]:
        set_pod_status(cluster, "default", name_of(pod), node="worker-2")
    cluster.scale("ReplicaSet", "default", "web", 2)
    assert lone in {name_of(p) for p in pods_of(cluster)}
    cluster.scale("ReplicaSet", "default", "web", 1)
    assert {name_of(p) for p in pods_of(cluster)} != {lone}  # now a tie: smallest uid goes
