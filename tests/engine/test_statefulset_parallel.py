"""Parallel pod management (§1.5) and minReadySeconds (§1.2, §1.4)."""

from __future__ import annotations

import pytest

from engine.cluster import Cluster
from engine.controllers.statefulset import control, identity
from engine.controllers.statefulset.controller import StatefulSetController
from engine.controllers.statefulset.revisions import History, Revisions
from tests.engine.sts_helpers import (
    NS,
    EventLog,
    Invariants,
    bring_up,
    create_sts,
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


def test_parallel_creates_all_at_once(cluster: Cluster, inv: Invariants) -> None:
    log = EventLog(cluster)
    create_sts(cluster, replicas=3, podManagementPolicy="Parallel")
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    assert log.messages() == [
        "create Claim www-web-0 Pod web-0 in StatefulSet web success",
        "create Pod web-0 in StatefulSet web successful",
        "create Claim www-web-1 Pod web-1 in StatefulSet web success",
        "create Pod web-1 in StatefulSet web successful",
        "create Claim www-web-2 Pod web-2 in StatefulSet web success",
        "create Pod web-2 in StatefulSet web successful",
    ]
    assert inv.violations == []


def test_parallel_scale_down_deletes_all_at_once(cluster: Cluster) -> None:
    create_sts(cluster, replicas=4, podManagementPolicy="Parallel")
    bring_up(cluster)
    ready(cluster, "web-2", ready_=False)
    cluster.scale("StatefulSet", NS, "web", 0)
    assert all(identity.is_terminating(p) for p in pods(cluster))
    finish_terminating(cluster)
    assert names(cluster) == []


def test_parallel_recreates_only_after_predecessor_gone(cluster: Cluster) -> None:
    create_sts(cluster, replicas=3, podManagementPolicy="Parallel")
    bring_up(cluster)
    old = pod(cluster, "web-1")["metadata"]["uid"]
    cluster.delete("Pod", NS, "web-1")
    cluster.drain()
    assert pod(cluster, "web-1")["metadata"]["uid"] == old, "same name: waits"
    finish_terminating(cluster)
    assert pod(cluster, "web-1")["metadata"]["uid"] != old


def test_parallel_unready_pod_does_not_block(cluster: Cluster) -> None:
    create_sts(cluster, replicas=2, podManagementPolicy="Parallel")
    ready(cluster, "web-0", ready_=False)
    cluster.scale("StatefulSet", NS, "web", 4)
    assert names(cluster) == ["web-0", "web-1", "web-2", "web-3"]


def test_parallel_rolling_update_still_one_at_a_time(cluster: Cluster) -> None:
    create_sts(cluster, replicas=3, podManagementPolicy="Parallel")
    bring_up(cluster)
    set_image(cluster, "nginx:1.28")
    assert [p for p in names(cluster) if identity.is_terminating(pod(cluster, p))] == ["web-2"]
    finish_terminating(cluster)
    assert not identity.is_terminating(pod(cluster, "web-1")), "waits for web-2 to be ready"
    bring_up(cluster)
    assert len({identity.pod_revision(p) for p in pods(cluster)}) == 1


def test_slow_start_batches(cluster: Cluster) -> None:
    create_sts(cluster, replicas=0, podManagementPolicy="Parallel")
    sts = get_sts(cluster)
    sts = {**sts, "spec": {**sts["spec"], "replicas": 10}}
    revisions = History(cluster.store).list(sts)
    inputs = control.Inputs(
        sts,
        [],
        Revisions(revisions[0], revisions[0], 0),
        lambda _n: None,
        0.0,
        cluster.clock.parse_timestamp,
    )
    plan = control.plan(inputs)
    assert [s.batch for s in plan.steps] == [0, 1, 1, 2, 2, 2, 2, 3, 3, 3]


def test_min_ready_seconds_gates_successors(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster, replicas=2, minReadySeconds=10)
    ready(cluster, "web-0")
    assert names(cluster) == ["web-0"]
    status = get_sts(cluster)["status"]
    assert status["readyReplicas"] == 1
    assert status["availableReplicas"] == 0
    cluster.advance(9)
    assert names(cluster) == ["web-0"]
    cluster.advance(1)
    assert names(cluster) == ["web-0", "web-1"], "requeued when web-0 turned Available"
    assert get_sts(cluster)["status"]["availableReplicas"] == 1
    ready(cluster, "web-1")
    cluster.settle()
    assert get_sts(cluster)["status"]["availableReplicas"] == 2
    assert inv.violations == []


def test_min_ready_seconds_paces_ordered_scale_down(cluster: Cluster, inv: Invariants) -> None:
    create_sts(cluster, replicas=3, minReadySeconds=5)
    for _ in range(3):
        bring_up(cluster)
        cluster.settle()
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    cluster.delete("Pod", NS, "web-0")
    finish_terminating(cluster)
    ready(cluster, "web-0")
    cluster.scale("StatefulSet", NS, "web", 2)
    assert live_names(cluster) == ["web-0", "web-1", "web-2"], "web-0 not yet Available"
    cluster.advance(5)
    assert live_names(cluster) == ["web-0", "web-1"]
    assert inv.violations == []


def test_waiting_for_during_a_parallel_rollout(cluster: Cluster) -> None:
    controller = cluster.controller("statefulset-controller")
    assert isinstance(controller, StatefulSetController)
    create_sts(cluster, replicas=3, podManagementPolicy="Parallel")
    assert controller.waiting_for(NS, "web") is None, "Parallel does not wait to scale"
    bring_up(cluster)
    set_image(cluster, "nginx:1.28")
    finish_terminating(cluster)
    assert controller.waiting_for(NS, "web") == (
        "waiting for 1 unavailable Pod(s) before updating more (maxUnavailable 1)"
    )
    bring_up(cluster)
    assert controller.waiting_for(NS, "web") is None
