"""OrderedReady StatefulSets (k8s-semantics.md §1.3, §1.4), the kubelet faked.

Pods are made Running/Ready with ``set_pod_status`` and terminating pods are removed with
``store.remove``, as the kubelet would; :class:`Invariants` checks every intermediate state.
"""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.controllers.statefulset import identity
from engine.controllers.statefulset.controller import StatefulSetController
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
    messages,
    names,
    pod,
    ready,
)


@pytest.fixture
def cluster() -> Cluster:
    """The kubelet, scheduler and garbage collector are faked by the tests."""
    return fake_kubelet_cluster()


def test_creates_one_pod_at_a_time_in_ordinal_order(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster)
    assert names(cluster) == ["web-0"]
    ready(cluster, "web-0", ready_=False)
    assert names(cluster) == ["web-0"], "web-1 waits for web-0 to be Ready"
    ready(cluster, "web-0")
    assert names(cluster) == ["web-0", "web-1"]
    ready(cluster, "web-1")
    ready(cluster, "web-2")
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    assert inv.created == ["web-0", "web-1", "web-2"]
    assert messages(cluster) == [
        "create Claim www-web-0 Pod web-0 in StatefulSet web success",
        "create Pod web-0 in StatefulSet web successful",
        "create Claim www-web-1 Pod web-1 in StatefulSet web success",
        "create Pod web-1 in StatefulSet web successful",
        "create Claim www-web-2 Pod web-2 in StatefulSet web success",
        "create Pod web-2 in StatefulSet web successful",
    ]
    assert inv.violations == []


def test_pod_shape(cluster: Cluster) -> None:
    sts = create_sts(cluster)
    web0 = pod(cluster, "web-0")
    revision = get_sts(cluster)["status"]["updateRevision"]
    assert web0["metadata"]["labels"] == {
        "app": "nginx",
        "apps.kubernetes.io/pod-index": "0",
        "controller-revision-hash": revision,
        "statefulset.kubernetes.io/pod-name": "web-0",
    }
    assert web0["metadata"]["generateName"] == "web-"
    assert web0["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "name": "web",
            "uid": sts["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert web0["spec"]["hostname"] == "web-0"
    assert web0["spec"]["subdomain"] == "nginx"
    assert web0["spec"]["volumes"] == [
        {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}}
    ]


def test_ordinals_start(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster, ordinals={"start": 1})
    bring_up(cluster)
    assert names(cluster) == ["web-1", "web-2", "web-3"]
    assert pod(cluster, "web-1")["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "1"
    edit_sts(cluster, ordinals={"start": 2})
    assert live_names(cluster) == ["web-1", "web-2", "web-3", "web-4"], "web-4 comes first"
    ready(cluster, "web-4")
    assert live_names(cluster) == ["web-2", "web-3", "web-4"], "then out-of-range web-1 goes"
    bring_up(cluster)
    assert names(cluster) == ["web-2", "web-3", "web-4"]
    assert inv.violations == []


def test_unready_pod_blocks_successors_but_lower_ordinals_are_recreated(
    cluster: Cluster, inv: Invariants
) -> None:
    create_sts(cluster)
    bring_up(cluster)
    ready(cluster, "web-2", ready_=False)
    old_uid = pod(cluster, "web-0")["metadata"]["uid"]
    cluster.delete("Pod", NS, "web-0")
    finish_terminating(cluster)
    assert names(cluster) == ["web-0", "web-1", "web-2"], "web-0 recreated despite web-2"
    assert pod(cluster, "web-0")["metadata"]["uid"] != old_uid
    assert inv.violations == []


def test_middle_pod_deleted_is_recreated_alone(
    cluster: Cluster, inv: Invariants, log: EventLog
) -> None:
    create_sts(cluster, replicas=4)
    bring_up(cluster)
    uids = {p: pod(cluster, p)["metadata"]["uid"] for p in names(cluster)}
    before = log.mark()
    cluster.delete("Pod", NS, "web-1")
    assert identity.is_terminating(pod(cluster, "web-1")), "graceful: Terminating first"
    assert log.messages(before) == [], "a user's delete records no event"
    finish_terminating(cluster)
    assert names(cluster) == ["web-0", "web-1", "web-2", "web-3"]
    assert pod(cluster, "web-1")["metadata"]["uid"] != uids["web-1"]
    for other in ("web-0", "web-2", "web-3"):
        assert pod(cluster, other)["metadata"]["uid"] == uids[other], f"{other} untouched"
    assert log.messages(before) == ["create Pod web-1 in StatefulSet web successful"]
    assert inv.violations == []


def test_recreated_middle_pod_blocks_missing_successor(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster)
    bring_up(cluster)
    cluster.delete("Pod", NS, "web-0")
    cluster.delete("Pod", NS, "web-2")
    finish_terminating(cluster)
    assert names(cluster) == ["web-0", "web-1"], "web-2 waits for the new web-0"
    ready(cluster, "web-0")
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    assert inv.violations == []


@pytest.mark.parametrize("phase", ["Failed", "Succeeded"])
def test_failed_or_succeeded_pod_is_deleted_and_recreated(
    cluster: Cluster, inv: Invariants, log: EventLog, phase: str
) -> None:
    create_sts(cluster)
    bring_up(cluster)
    before = log.mark()
    ready(cluster, "web-1", ready_=False, phase=phase)
    assert identity.is_terminating(pod(cluster, "web-1"))
    finish_terminating(cluster)
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    assert log.messages(before) == [
        "delete Pod web-1 in StatefulSet web successful",
        "create Pod web-1 in StatefulSet web successful",
    ]
    assert inv.violations == []


def test_scale_down_highest_first_waiting_for_each(
    cluster: Cluster, inv: Invariants, log: EventLog
) -> None:
    create_sts(cluster, replicas=5)
    bring_up(cluster)
    before = log.mark()
    cluster.scale("StatefulSet", NS, "web", 2)
    assert live_names(cluster) == ["web-0", "web-1", "web-2", "web-3"]
    assert identity.is_terminating(pod(cluster, "web-4"))
    cluster.drain()
    assert live_names(cluster) == ["web-0", "web-1", "web-2", "web-3"], "web-3 waits"
    finish_terminating(cluster)
    assert live_names(cluster) == ["web-0", "web-1", "web-2"]
    finish_terminating(cluster)
    finish_terminating(cluster)
    assert names(cluster) == ["web-0", "web-1"]
    assert log.messages(before) == [
        "delete Pod web-4 in StatefulSet web successful",
        "delete Pod web-3 in StatefulSet web successful",
        "delete Pod web-2 in StatefulSet web successful",
    ]
    assert inv.violations == []


def test_scale_down_waits_for_unready_in_range_pod(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster, replicas=4)
    bring_up(cluster)
    ready(cluster, "web-1", ready_=False)
    cluster.scale("StatefulSet", NS, "web", 2)
    assert live_names(cluster) == ["web-0", "web-1", "web-2", "web-3"]
    ready(cluster, "web-1")
    assert live_names(cluster) == ["web-0", "web-1", "web-2"]
    assert inv.violations == []


@pytest.mark.parametrize(
    ("unready", "order"),
    [
        ("web-4", "the unready web-4 goes at once"),
        ("web-3", "the healthy web-4 first, then the unready web-3"),
    ],
    ids=["only-highest-unready", "only-lower-condemned-unready"],
)
def test_scale_down_with_one_unready_condemned_pod(
    cluster: Cluster, inv: Invariants, unready: str, order: str
) -> None:
    create_sts(cluster, replicas=5)
    bring_up(cluster)
    ready(cluster, unready, ready_=False)
    cluster.scale("StatefulSet", NS, "web", 3)
    assert live_names(cluster) == ["web-0", "web-1", "web-2", "web-3"], order
    finish_terminating(cluster)
    assert live_names(cluster) == ["web-0", "web-1", "web-2"], order
    assert inv.violations == []


def test_scale_down_stuck_when_both_condemned_unready(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster, replicas=5)
    bring_up(cluster)
    ready(cluster, "web-3", ready_=False)
    ready(cluster, "web-4", ready_=False)
    cluster.scale("StatefulSet", NS, "web", 3)
    cluster.settle()
    assert live_names(cluster) == ["web-0", "web-1", "web-2", "web-3", "web-4"], "stuck"
    ready(cluster, "web-4")
    assert live_names(cluster) == ["web-0", "web-1", "web-2", "web-3"]
    finish_terminating(cluster)
    assert live_names(cluster) == ["web-0", "web-1", "web-2"]
    assert inv.violations == []


def test_scale_up_after_down_reuses_claims(
    cluster: Cluster, inv: Invariants, log: EventLog
) -> None:
    create_sts(cluster, replicas=5)
    bring_up(cluster)
    claims = {
        c["metadata"]["name"]: c["metadata"]["uid"]
        for c in cluster.store.list("PersistentVolumeClaim", NS)
    }
    cluster.scale("StatefulSet", NS, "web", 3)
    bring_up(cluster)
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    assert len(cluster.store.list("PersistentVolumeClaim", NS)) == 5, "claims are kept"
    before = log.mark()
    cluster.scale("StatefulSet", NS, "web", 5)
    bring_up(cluster)
    assert names(cluster) == ["web-0", "web-1", "web-2", "web-3", "web-4"]
    now = {
        c["metadata"]["name"]: c["metadata"]["uid"]
        for c in cluster.store.list("PersistentVolumeClaim", NS)
    }
    assert now == claims
    assert log.messages(before) == [
        "create Pod web-3 in StatefulSet web successful",
        "create Pod web-4 in StatefulSet web successful",
    ], "reused claims are not announced"
    assert inv.violations == []


def test_terminating_condemned_pod_blocks_scale_up_of_same_name(
    cluster: Cluster, inv: Invariants
) -> None:
    create_sts(cluster, replicas=3)
    bring_up(cluster)
    cluster.scale("StatefulSet", NS, "web", 2)
    assert identity.is_terminating(pod(cluster, "web-2"))
    cluster.scale("StatefulSet", NS, "web", 3)
    assert identity.is_terminating(pod(cluster, "web-2")), "waits for the old web-2"
    finish_terminating(cluster)
    assert live_names(cluster) == ["web-0", "web-1", "web-2"]
    assert inv.violations == []


def test_status_counts_condemned_pods_during_scale_down(cluster: Cluster) -> None:
    create_sts(cluster, replicas=5)
    bring_up(cluster)
    cluster.scale("StatefulSet", NS, "web", 3)
    status = get_sts(cluster)["status"]
    assert (status["replicas"], status["readyReplicas"]) == (5, 5), "READY 5/3 for a moment"
    assert status["currentReplicas"] == 4, "the terminating web-4 is not current"
    finish_terminating(cluster)
    status = get_sts(cluster)["status"]
    assert (status["replicas"], status["readyReplicas"]) == (4, 4)
    finish_terminating(cluster)
    status = get_sts(cluster)["status"]
    assert (status["replicas"], status["readyReplicas"], status["availableReplicas"]) == (3, 3, 3)
    assert status["observedGeneration"] == get_sts(cluster)["metadata"]["generation"]


def test_waiting_for_says_what_holds_the_set_back(cluster: Cluster) -> None:
    controller = cluster.controller("statefulset-controller")
    assert isinstance(controller, StatefulSetController)
    create_sts(cluster, replicas=5)
    assert controller.waiting_for(NS, "web") == "waiting for Pod web-0 to be Running and Ready"
    bring_up(cluster)
    assert controller.waiting_for(NS, "web") is None
    ready(cluster, "web-3", ready_=False)
    ready(cluster, "web-4", ready_=False)
    cluster.scale("StatefulSet", NS, "web", 3)
    assert controller.waiting_for(NS, "web") == (
        "waiting for Pod web-3 to be Running and Ready prior to scale down"
    )
    ready(cluster, "web-4")
    assert (
        controller.waiting_for(NS, "web")
        == "waiting for Pod web-4 to terminate prior to scale down"
    )
