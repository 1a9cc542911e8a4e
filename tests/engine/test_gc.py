"""Garbage collector: background, orphan and foreground deletion."""

from __future__ import annotations

from typing import Any

import pytest

from engine.cluster import Cluster
from engine.objects import Obj, copy_obj, name_of, owner_reference
from engine.store import WatchEvent
from tests.engine.fake_kubelet import FakeKubelet, isolated_cluster
from tests.worlds import deployment


@pytest.fixture
def cluster() -> Cluster:
    """Controllers under test without the node side (pods get status from the test)."""
    return isolated_cluster()


def configmap_like_pod(name: str, owners: list[dict[str, Any]]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "ownerReferences": owners},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }


def service(name: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"ports": [{"port": 80}]},
    }


@pytest.fixture
def running(cluster: Cluster) -> Cluster:
    FakeKubelet(cluster)
    cluster.store.create(deployment(replicas=2))
    cluster.settle()
    assert len(cluster.store.list("Pod")) == 2
    return cluster


def test_background_cascade(running: Cluster) -> None:
    events_before = running.store.count("Event")
    running.delete("Deployment", "default", "web")
    assert running.store.get("Deployment", "default", "web") is None
    assert running.store.list("ReplicaSet") == []  # collected at once
    pods = running.store.list("Pod")
    assert len(pods) == 2
    assert all(p["metadata"].get("deletionTimestamp") for p in pods)  # graceful
    running.settle()
    assert running.store.list("Pod") == []
    assert running.store.count("Event") >= events_before  # events are left alone


def test_orphan_keeps_dependents_without_owner(running: Cluster) -> None:
    (rs,) = running.store.list("ReplicaSet")
    running.delete("Deployment", "default", "web", cascade="orphan")
    running.settle()
    assert running.store.get("Deployment", "default", "web") is None
    kept = running.store.must_get("ReplicaSet", "default", name_of(rs))
    assert "ownerReferences" not in kept["metadata"]
    assert kept["metadata"]["uid"] == rs["metadata"]["uid"]
    assert (
        len([p for p in running.store.list("Pod") if not p["metadata"].get("deletionTimestamp")])
        == 2
    )

    running.store.create(deployment(replicas=2))  # a new deployment adopts the orphaned set
    running.settle()
    adopted = running.store.must_get("ReplicaSet", "default", name_of(rs))
    assert adopted["metadata"]["ownerReferences"][0]["name"] == "web"
    assert len(running.store.list("Pod")) == 2


def test_foreground_deletes_dependents_first(running: Cluster) -> None:
    order: list[str] = []

    def record(ev: WatchEvent) -> None:
        if ev.type == "DELETED" and ev.kind in ("Pod", "ReplicaSet", "Deployment"):
            order.append(ev.kind)

    running.store.subscribe(record)
    running.delete("Deployment", "default", "web", cascade="foreground")
    d = running.store.must_get("Deployment", "default", "web")
    assert d["metadata"]["deletionTimestamp"]
    assert d["metadata"]["finalizers"] == ["foregroundDeletion"]
    (rs,) = running.store.list("ReplicaSet")
    assert rs["metadata"]["finalizers"] == ["foregroundDeletion"]
    running.advance(2)
    assert running.store.get("Deployment", "default", "web") is not None  # pods still stopping
    running.settle()
    assert running.store.get("Deployment", "default", "web") is None
    assert order == ["Pod", "Pod", "ReplicaSet", "Deployment"]


def test_owner_recreated_with_new_uid_counts_as_gone(cluster: Cluster) -> None:
    svc = cluster.store.create(service("owner"))
    cluster.store.remove("Service", "default", "owner")
    cluster.store.create(service("owner"))  # same name, new uid
    cluster.store.create(configmap_like_pod("dep", [owner_reference(svc, controller=False)]))
    cluster.settle()
    assert cluster.store.get("Pod", "default", "dep") is None


def test_dangling_reference_removed_when_another_owner_remains(cluster: Cluster) -> None:
    alive = cluster.store.create(service("alive"))
    gone = cluster.store.create(service("gone"))
    cluster.store.remove("Service", "default", "gone")
    refs = [owner_reference(alive, controller=False), owner_reference(gone, controller=False)]
    cluster.store.create(configmap_like_pod("dep", refs))
    cluster.settle()
    pod = cluster.store.must_get("Pod", "default", "dep")
    assert [r["name"] for r in pod["metadata"]["ownerReferences"]] == ["alive"]


def test_pvc_owned_by_pod_is_collected_after_pod(cluster: Cluster) -> None:
    pod = cluster.store.create(configmap_like_pod("web-3", []))
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": "www-web-3",
            "namespace": "default",
            "ownerReferences": [owner_reference(pod)],
        },
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    cluster.store.create(claim)
    cluster.settle()
    pv = cluster.store.must_get("PersistentVolumeClaim", "default", "www-web-3")["spec"][
        "volumeName"
    ]
    cluster.delete("Pod", "default", "web-3", force=True)
    cluster.settle()
    assert cluster.store.get("PersistentVolumeClaim", "default", "www-web-3") is None
    assert cluster.store.get("PersistentVolume", "", pv) is None


def test_unrelated_objects_untouched(running: Cluster) -> None:
    svc = running.store.create(service("web"))
    pods = {name_of(p) for p in running.store.list("Pod")}
    rs = copy_obj(running.store.list("ReplicaSet")[0])
    running.settle()
    assert running.store.get("Service", "default", "web") == svc
    assert {name_of(p) for p in running.store.list("Pod")} == pods
    assert running.store.get("ReplicaSet", "default", name_of(rs)) is not None


def test_owner_of_an_unknown_kind_is_not_guessed_gone(cluster: Cluster) -> None:
    ref = {"apiVersion": "batch/v1", "kind": "Job", "name": "nightly", "uid": "job-uid"}
    cluster.store.create(configmap_like_pod("job-pod", [ref]))
    cluster.settle()
    assert cluster.store.get("Pod", "default", "job-pod") is not None
