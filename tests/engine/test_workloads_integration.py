"""The tutorial's StatefulSet with storage, end to end through the StatefulSet controller, the
volume controllers, the garbage collector and simulated files (pods run by the fake kubelet)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.cluster import Cluster
from engine.objects import Obj, copy_obj
from engine.volume_files import FsError, read_file, write_file
from tests.engine.fake_kubelet import FakeKubelet, isolated_cluster

WEB_YAML = Path(__file__).parents[2] / "demos" / "manifests" / "web.yaml"
INDEX = "/usr/share/nginx/html/index.html"


def apply_web(cluster: Cluster, **spec: object) -> None:
    for doc in yaml.safe_load_all(WEB_YAML.read_text()):
        doc["metadata"].setdefault("namespace", "default")
        if doc["kind"] == "StatefulSet":
            doc["spec"].update(spec)
        if cluster.store.get(doc["kind"], "default", doc["metadata"]["name"]) is None:
            cluster.store.create(doc)
    cluster.settle()


@pytest.fixture
def cluster() -> Cluster:
    c = isolated_cluster()
    FakeKubelet(c)
    return c


def running(cluster: Cluster) -> list[str]:
    return sorted(
        p["metadata"]["name"]
        for p in cluster.store.list("Pod", "default")
        if not p["metadata"].get("deletionTimestamp")
        and (p.get("status") or {}).get("phase") == "Running"
    )


def claim(cluster: Cluster, name: str) -> Obj:
    return cluster.store.must_get("PersistentVolumeClaim", "default", name)


def test_claims_are_provisioned_and_bound(cluster: Cluster) -> None:
    apply_web(cluster)
    assert running(cluster) == ["web-0", "web-1"]
    for name in ("www-web-0", "www-web-1"):
        pvc = claim(cluster, name)
        assert pvc["status"]["phase"] == "Bound"
        assert pvc["spec"]["volumeName"] == f"pvc-{pvc['metadata']['uid']}"
        assert pvc["spec"]["storageClassName"] == "standard"


def test_data_follows_the_claim_across_pod_recreation(cluster: Cluster) -> None:
    apply_web(cluster)
    for pod in ("web-0", "web-1"):
        write_file(cluster, "default", pod, INDEX, f"{pod}\n")
    write_file(cluster, "default", "web-0", "/tmp/scratch", "gone soon\n")
    old_uid = cluster.store.must_get("Pod", "default", "web-0")["metadata"]["uid"]
    cluster.delete("Pod", "default", "web-0")
    cluster.settle()
    new = cluster.store.must_get("Pod", "default", "web-0")
    assert new["metadata"]["uid"] != old_uid
    assert read_file(cluster, "default", "web-0", INDEX) == "web-0\n"
    assert read_file(cluster, "default", "web-1", INDEX) == "web-1\n"
    with pytest.raises(FsError, match="No such file or directory"):
        read_file(cluster, "default", "web-0", "/tmp/scratch")


def test_scale_down_and_up_keeps_the_claim_and_data(cluster: Cluster) -> None:
    apply_web(cluster)
    write_file(cluster, "default", "web-1", INDEX, "web-1\n")
    cluster.scale("StatefulSet", "default", "web", 1)
    cluster.settle()
    assert running(cluster) == ["web-0"]
    assert claim(cluster, "www-web-1")["status"]["phase"] == "Bound"
    cluster.scale("StatefulSet", "default", "web", 2)
    cluster.settle()
    assert read_file(cluster, "default", "web-1", INDEX) == "web-1\n"


def test_deleting_the_set_keeps_claims_and_reapplying_reattaches(cluster: Cluster) -> None:
    apply_web(cluster)
    write_file(cluster, "default", "web-0", INDEX, "hello\n")
    cluster.delete("StatefulSet", "default", "web")
    cluster.settle()
    assert cluster.store.list("Pod", "default") == []  # collected by the garbage collector
    assert claim(cluster, "www-web-0")["status"]["phase"] == "Bound"
    apply_web(cluster)
    assert read_file(cluster, "default", "web-0", INDEX) == "hello\n"


def test_retention_delete_removes_claims_volumes_and_data(cluster: Cluster) -> None:
    apply_web(cluster, persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete"})
    volume = claim(cluster, "www-web-0")["spec"]["volumeName"]
    write_file(cluster, "default", "web-0", INDEX, "bye\n")
    cluster.delete("StatefulSet", "default", "web")
    cluster.advance(1)
    terminating = claim(cluster, "www-web-0")  # mounted by a terminating pod
    assert terminating["metadata"]["deletionTimestamp"]
    cluster.settle()
    assert cluster.store.list("PersistentVolumeClaim", "default") == []
    assert cluster.store.get("PersistentVolume", "", volume) is None
    assert volume not in cluster.volume_data


def test_claim_deleted_under_a_running_pod_waits(cluster: Cluster) -> None:
    apply_web(cluster)
    cluster.delete("PersistentVolumeClaim", "default", "www-web-1")
    cluster.settle()
    assert claim(cluster, "www-web-1")["metadata"]["deletionTimestamp"]
    pod = copy_obj(cluster.store.must_get("Pod", "default", "web-1"))
    assert pod["status"]["phase"] == "Running"
    cluster.scale("StatefulSet", "default", "web", 1)
    cluster.settle()
    assert cluster.store.get("PersistentVolumeClaim", "default", "www-web-1") is None
