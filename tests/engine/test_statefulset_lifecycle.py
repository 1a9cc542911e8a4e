"""Ownership, deletion of the set, and bad specs (§1.1, §1.10)."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.objects import controller_ref, copy_obj, uid_of
from tests.engine.sts_helpers import (
    NS,
    EventLog,
    bring_up,
    create_sts,
    fake_kubelet_cluster,
    finish_terminating,
    get_sts,
    names,
    pod,
    sts_manifest,
)


@pytest.fixture
def cluster() -> Cluster:
    """The kubelet, scheduler and garbage collector are faked by the tests."""
    return fake_kubelet_cluster()


def orphan_pod(name: str, labels: dict[str, str]) -> dict[str, object]:
    """A pod nobody owns."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "labels": labels},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
    }


def test_matching_orphan_is_adopted_not_recreated(cluster: Cluster) -> None:
    cluster.store.create(orphan_pod("web-0", {"app": "nginx"}))
    cluster.store.create(orphan_pod("web-x", {"app": "nginx"}))
    cluster.store.create(orphan_pod("db-0", {"app": "nginx"}))
    log = EventLog(cluster)
    sts = create_sts(cluster, replicas=1, claims=())
    ref = controller_ref(pod(cluster, "web-0"))
    assert ref is not None
    assert ref["uid"] == uid_of(sts)
    assert controller_ref(pod(cluster, "web-x")) is None, "name has no ordinal"
    assert controller_ref(pod(cluster, "db-0")) is None, "not named for this set"
    assert log.messages() == [], "adopted: nothing created"


def test_pod_that_stops_matching_is_released(cluster: Cluster) -> None:
    create_sts(cluster, replicas=1, claims=())
    bring_up(cluster)
    relabelled = copy_obj(pod(cluster, "web-0"))
    relabelled["metadata"]["labels"]["app"] = "debug"
    cluster.store.update(relabelled)
    cluster.drain()
    assert controller_ref(pod(cluster, "web-0")) is None


def test_orphan_revision_is_adopted(cluster: Cluster) -> None:
    create_sts(cluster, replicas=0)
    name = get_sts(cluster)["status"]["updateRevision"]
    rev = copy_obj(cluster.store.must_get("ControllerRevision", NS, name))
    del rev["metadata"]["ownerReferences"]
    cluster.store.update(rev)
    cluster.drain()
    adopted = cluster.store.must_get("ControllerRevision", NS, name)
    ref = controller_ref(adopted)
    assert ref is not None
    assert ref["uid"] == uid_of(get_sts(cluster))
    assert len(cluster.store.list("ControllerRevision", NS)) == 1


def test_set_being_deleted_only_updates_status(cluster: Cluster) -> None:
    create_sts(cluster)
    bring_up(cluster)
    cluster.delete("StatefulSet", NS, "web", cascade="foreground")
    assert get_sts(cluster)["metadata"]["deletionTimestamp"]
    cluster.delete("Pod", NS, "web-1")
    finish_terminating(cluster)
    assert names(cluster) == ["web-0", "web-2"], "no recreation while being deleted"
    assert get_sts(cluster)["status"]["replicas"] == 2, "status still maintained"


def skip_validation(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """Store StatefulSets without admission, as an object saved before validation existed."""
    monkeypatch.setitem(cluster.store._admission, "StatefulSet", [])


def test_set_without_selector_is_reported_not_crashed(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    skip_validation(cluster, monkeypatch)
    manifest = sts_manifest(replicas=1)
    del manifest["spec"]["selector"]
    cluster.store.create(manifest)
    cluster.drain()
    controller = cluster.controller("statefulset-controller")
    assert names(cluster) == []
    assert controller.errors == [
        "statefulset-controller: StatefulSet default/web: spec.selector: Required value"
    ]


def test_bad_max_unavailable_names_the_field(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    skip_validation(cluster, monkeypatch)
    create_sts(
        cluster,
        replicas=1,
        updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "abc"}},
    )
    bring_up(cluster)
    controller = cluster.controller("statefulset-controller")
    assert controller.errors[-1] == (
        "statefulset-controller: StatefulSet default/web: "
        'spec.updateStrategy.rollingUpdate.maxUnavailable: invalid value "abc": '
        "must be an integer or a percentage"
    )


def test_deleted_set_key_is_ignored(cluster: Cluster) -> None:
    create_sts(cluster, replicas=1)
    cluster.store.delete("StatefulSet", NS, "web")
    cluster.drain()
    assert names(cluster) == ["web-0"], "the garbage collector, not this controller, cleans up"
