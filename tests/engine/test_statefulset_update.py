"""Updates: RollingUpdate (1.35 MaxUnavailable path), partition, OnDelete, revisions (§1.6)."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.controllers.statefulset import identity
from tests.engine.sts_helpers import (
    NS,
    EventLog,
    Invariants,
    bring_up,
    create_sts,
    edit_sts,
    fake_kubelet_cluster,
    finish_terminating,
    get_sts,
    live_names,
    names,
    pod,
    pods,
    ready,
    set_image,
)


@pytest.fixture
def cluster() -> Cluster:
    """The kubelet, scheduler and garbage collector are faked by the tests."""
    return fake_kubelet_cluster()


def revisions_of(cluster: Cluster) -> dict[str, str]:
    """Pod name → controller-revision-hash."""
    return {p["metadata"]["name"]: identity.pod_revision(p) for p in pods(cluster)}


def images(cluster: Cluster) -> dict[str, str]:
    """Pod name → container image."""
    return {p["metadata"]["name"]: p["spec"]["containers"][0]["image"] for p in pods(cluster)}


def controller_revisions(cluster: Cluster) -> dict[str, int]:
    """ControllerRevision name → revision number."""
    return {r["metadata"]["name"]: r["revision"] for r in cluster.store.list("ControllerRevision")}


def test_rolling_update_highest_first_one_at_a_time(
    cluster: Cluster, inv: Invariants, log: EventLog
) -> None:
    create_sts(cluster)
    bring_up(cluster)
    old = get_sts(cluster)["status"]["currentRevision"]
    mark = log.mark()
    set_image(cluster, "nginx:1.28")
    status = get_sts(cluster)["status"]
    new = status["updateRevision"]
    assert new != old
    assert status["currentRevision"] == old
    assert identity.is_terminating(pod(cluster, "web-2"))
    assert live_names(cluster) == ["web-0", "web-1"]
    cluster.drain()
    assert live_names(cluster) == ["web-0", "web-1"], "one at a time"
    finish_terminating(cluster)
    assert revisions_of(cluster)["web-2"] == new
    assert images(cluster)["web-2"] == "nginx:1.28"
    assert not identity.is_terminating(pod(cluster, "web-1")), "waits for the new web-2"
    ready(cluster, "web-2")
    assert identity.is_terminating(pod(cluster, "web-1"))
    bring_up(cluster)
    assert set(revisions_of(cluster).values()) == {new}
    status = get_sts(cluster)["status"]
    assert status["currentRevision"] == new == status["updateRevision"]
    assert status["currentReplicas"] == status["updatedReplicas"] == 3
    assert log.messages(mark) == [
        "delete Pod web-2 in StatefulSet web successful",
        "create Pod web-2 in StatefulSet web successful",
        "delete Pod web-1 in StatefulSet web successful",
        "create Pod web-1 in StatefulSet web successful",
        "delete Pod web-0 in StatefulSet web successful",
        "create Pod web-0 in StatefulSet web successful",
    ]
    assert inv.violations == []


def test_status_during_rollout(cluster: Cluster) -> None:
    create_sts(cluster)
    bring_up(cluster)
    set_image(cluster, "nginx:1.28")
    finish_terminating(cluster)
    ready(cluster, "web-2")
    status = get_sts(cluster)["status"]
    assert status["replicas"] == 3
    assert status["currentReplicas"] == 1, "web-1 is terminating: not counted"
    assert status["updatedReplicas"] == 1
    assert status["readyReplicas"] == 3, "a terminating pod that is still Ready counts"


def test_partition_updates_only_high_ordinals(cluster: Cluster, inv: Invariants) -> None:
    create_sts(
        cluster,
        replicas=5,
        updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 3}},
    )
    bring_up(cluster)
    old = get_sts(cluster)["status"]["currentRevision"]
    set_image(cluster, "nginx:1.28")
    bring_up(cluster)
    new = get_sts(cluster)["status"]["updateRevision"]
    assert revisions_of(cluster) == {
        "web-0": old,
        "web-1": old,
        "web-2": old,
        "web-3": new,
        "web-4": new,
    }
    assert get_sts(cluster)["status"]["currentRevision"] == old, "never completes"
    cluster.delete("Pod", NS, "web-1")
    bring_up(cluster)
    assert revisions_of(cluster)["web-1"] == old, "below the partition: recreated at old"
    assert images(cluster)["web-1"] == "nginx:1.27"
    edit_sts(cluster, updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
    bring_up(cluster)
    assert set(revisions_of(cluster).values()) == {new}
    assert get_sts(cluster)["status"]["currentRevision"] == new
    assert inv.violations == []


def test_partition_above_replicas_updates_nothing(cluster: Cluster) -> None:
    create_sts(cluster, updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 5}})
    bring_up(cluster)
    old = get_sts(cluster)["status"]["currentRevision"]
    set_image(cluster, "nginx:1.28")
    bring_up(cluster)
    assert set(revisions_of(cluster).values()) == {old}


@pytest.mark.parametrize(
    ("max_unavailable", "together"),
    [
        (2, ["web-3", "web-4"]),
        ("50%", ["web-3", "web-4"]),
        ("10%", ["web-4"]),
        ("100%", ["web-0", "web-1", "web-2", "web-3", "web-4"]),
    ],
)
def test_max_unavailable(cluster: Cluster, max_unavailable: int | str, together: list[str]) -> None:
    create_sts(
        cluster,
        replicas=5,
        updateStrategy={
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": max_unavailable},
        },
    )
    bring_up(cluster)
    set_image(cluster, "nginx:1.28")
    terminating = [p["metadata"]["name"] for p in pods(cluster) if identity.is_terminating(p)]
    assert terminating == together


def test_max_unavailable_pods_still_recreated_one_at_a_time(
    cluster: Cluster, inv: Invariants
) -> None:
    create_sts(
        cluster,
        replicas=5,
        updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}},
    )
    bring_up(cluster)
    set_image(cluster, "nginx:1.28")
    finish_terminating(cluster)
    assert names(cluster) == ["web-0", "web-1", "web-2", "web-3"], "web-4 waits for web-3"
    bring_up(cluster)
    assert len(set(revisions_of(cluster).values())) == 1
    assert inv.violations == []


def test_unavailable_pod_below_partition_pauses_rollout(cluster: Cluster) -> None:
    create_sts(
        cluster,
        replicas=4,
        podManagementPolicy="Parallel",
        updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 2}},
    )
    bring_up(cluster)
    ready(cluster, "web-0", ready_=False)
    set_image(cluster, "nginx:1.28")
    assert not any(identity.is_terminating(p) for p in pods(cluster))
    ready(cluster, "web-0")
    assert identity.is_terminating(pod(cluster, "web-3"))


def test_on_delete(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster, updateStrategy={"type": "OnDelete"})
    bring_up(cluster)
    old = get_sts(cluster)["status"]["currentRevision"]
    set_image(cluster, "nginx:1.28")
    cluster.settle()
    assert not any(identity.is_terminating(p) for p in pods(cluster))
    new = get_sts(cluster)["status"]["updateRevision"]
    cluster.delete("Pod", NS, "web-0")
    bring_up(cluster)
    assert revisions_of(cluster) == {"web-0": new, "web-1": old, "web-2": old}
    cluster.delete("Pod", NS, "web-1")
    cluster.delete("Pod", NS, "web-2")
    bring_up(cluster)
    assert set(revisions_of(cluster).values()) == {new}
    assert get_sts(cluster)["status"]["currentRevision"] == old, "OnDelete never completes"
    assert inv.violations == []


def test_broken_rollout_needs_manual_delete(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster)
    bring_up(cluster)
    good = get_sts(cluster)["status"]["currentRevision"]
    set_image(cluster, "nginx:no-such-tag")
    finish_terminating(cluster)
    ready(cluster, "web-2", ready_=False, phase="Pending")
    cluster.settle()
    assert live_names(cluster) == ["web-0", "web-1", "web-2"]
    assert images(cluster)["web-2"] == "nginx:no-such-tag"
    set_image(cluster, "nginx:1.27")
    cluster.settle()
    status = get_sts(cluster)["status"]
    assert status["updateRevision"] == good, "the old revision is reused"
    assert images(cluster)["web-2"] == "nginx:no-such-tag", "still stuck"
    assert not identity.is_terminating(pod(cluster, "web-2"))
    cluster.delete("Pod", NS, "web-2")
    bring_up(cluster)
    assert set(revisions_of(cluster).values()) == {good}
    assert inv.violations == []


def test_reverting_template_reuses_revision_with_new_number(cluster: Cluster) -> None:
    create_sts(cluster)
    bring_up(cluster)
    first = get_sts(cluster)["status"]["updateRevision"]
    set_image(cluster, "nginx:1.28")
    bring_up(cluster)
    second = get_sts(cluster)["status"]["updateRevision"]
    assert controller_revisions(cluster) == {first: 1, second: 2}
    set_image(cluster, "nginx:1.27")
    bring_up(cluster)
    assert get_sts(cluster)["status"]["updateRevision"] == first
    assert controller_revisions(cluster) == {first: 3, second: 2}


def test_revision_object_shape(cluster: Cluster) -> None:
    sts = create_sts(cluster)
    name = get_sts(cluster)["status"]["updateRevision"]
    rev = cluster.store.must_get("ControllerRevision", NS, name)
    digest = name.removeprefix("web-")
    assert rev["metadata"]["labels"] == {"app": "nginx", "controller.kubernetes.io/hash": digest}
    assert rev["metadata"]["ownerReferences"][0]["uid"] == sts["metadata"]["uid"]
    assert rev["data"]["spec"]["template"]["$patch"] == "replace"
    assert rev["revision"] == 1


def test_revision_history_limit(cluster: Cluster) -> None:
    create_sts(cluster, replicas=1, revisionHistoryLimit=1)
    bring_up(cluster)
    seen = []
    for tag in ("1.28", "1.29", "1.30"):
        set_image(cluster, f"nginx:{tag}")
        bring_up(cluster)
        seen.append(get_sts(cluster)["status"]["updateRevision"])
    left = controller_revisions(cluster)
    assert len(left) == 2, "the live one plus one of history"
    assert seen[-1] in left
    assert seen[-2] in left


def test_status_is_written_only_when_changed(cluster: Cluster) -> None:
    create_sts(cluster)
    bring_up(cluster)
    version = get_sts(cluster)["metadata"]["resourceVersion"]
    controller = cluster.controller("statefulset-controller")
    controller.enqueue(f"{NS}/web")
    cluster.drain()
    assert get_sts(cluster)["metadata"]["resourceVersion"] == version
