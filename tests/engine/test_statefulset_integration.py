"""The StatefulSet controller with the real scheduler, kubelet, volumes and garbage collector.

Everything runs on the virtual clock (k8s-semantics.md §8.7 timings: about 5 s from creation to
Ready, about 5 s of Terminating); the :class:`Invariants` watch checks every intermediate state.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.controllers.statefulset import identity
from tests.engine.sts_helpers import (
    NS,
    EventLog,
    Invariants,
    claim_names,
    get_sts,
    live_names,
    names,
    pod,
    pods,
    set_image,
)

WEB = Path(__file__).resolve().parents[2] / "demos" / "manifests" / "web.yaml"


def apply_web(cluster: Cluster, replicas: int | None = None, **extra: object) -> None:
    """Apply the tutorial's Service + StatefulSet (optionally resized / extended) and settle."""
    text = WEB.read_text()
    if replicas is not None:
        text = text.replace("replicas: 2", f"replicas: {replicas}")
    for key, value in extra.items():
        text = text.replace(
            '  serviceName: "nginx"\n', f'  serviceName: "nginx"\n  {key}: {value}\n'
        )
    cluster.apply(str(WEB), text)
    cluster.settle()


def ready_time(cluster: Cluster, name: str) -> float:
    """Clock time at which the pod turned Ready."""
    since = identity.ready_since(pod(cluster, name), cluster.clock.parse_timestamp)
    assert since is not None, f"{name} is not Ready"
    return since


def created(cluster: Cluster, name: str) -> float:
    """Clock time of the pod's creationTimestamp."""
    return cluster.clock.parse_timestamp(pod(cluster, name)["metadata"]["creationTimestamp"])


def uids(cluster: Cluster) -> dict[str, str]:
    """Pod name → uid."""
    return {p["metadata"]["name"]: p["metadata"]["uid"] for p in pods(cluster)}


def test_creation_order_with_timestamps(cluster: Cluster, inv: Invariants) -> None:
    apply_web(cluster, replicas=3)
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    for lower, higher in (("web-0", "web-1"), ("web-1", "web-2")):
        assert created(cluster, higher) >= ready_time(cluster, lower)
        assert ready_time(cluster, higher) > ready_time(cluster, lower)
    status = get_sts(cluster)["status"]
    assert (status["readyReplicas"], status["availableReplicas"]) == (3, 3)
    assert sorted(claim_names(cluster)) == ["www-web-0", "www-web-1", "www-web-2"]
    assert inv.violations == []


def test_middle_pod_deleted_comes_back_with_same_claim(cluster: Cluster, inv: Invariants) -> None:
    apply_web(cluster, replicas=3)
    before = uids(cluster)
    ip = pod(cluster, "web-1")["status"]["podIP"]
    volume = cluster.store.must_get("PersistentVolumeClaim", NS, "www-web-1")["spec"]["volumeName"]
    cluster.delete("Pod", NS, "web-1")
    assert identity.is_terminating(pod(cluster, "web-1"))
    deleted_at = cluster.clock.now()
    assert cluster.run_until(lambda: uids(cluster).get("web-1") != before["web-1"], timeout=60)
    assert cluster.clock.now() - deleted_at >= 1, "Terminating was visible for a while"
    cluster.settle()
    after = uids(cluster)
    assert after["web-1"] != before["web-1"]
    assert (after["web-0"], after["web-2"]) == (before["web-0"], before["web-2"])
    assert pod(cluster, "web-1")["status"]["podIP"] != ip, "same name, new IP"
    claim = cluster.store.must_get("PersistentVolumeClaim", NS, "www-web-1")
    assert claim["spec"]["volumeName"] == volume
    assert inv.violations == []


@pytest.mark.parametrize(
    ("unready", "order"),
    [(["web-4"], ["web-4", "web-3"]), (["web-3"], ["web-4", "web-3"])],
)
def test_scale_down_with_an_unready_condemned_pod(
    cluster: Cluster, inv: Invariants, unready: list[str], order: list[str]
) -> None:
    apply_web(cluster, replicas=5)
    log = EventLog(cluster)
    for name in unready:
        cluster.fault_readiness(NS, name, True)
    assert cluster.run_until(lambda: get_sts(cluster)["status"]["readyReplicas"] == 4)
    cluster.scale("StatefulSet", NS, "web", 3)
    cluster.settle()
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    deleted = [m.split()[2] for m in log.messages() if m.startswith("delete Pod")]
    assert deleted == order
    assert inv.violations == []


def test_scale_down_stuck_with_two_unready_condemned_pods(
    cluster: Cluster, inv: Invariants
) -> None:
    apply_web(cluster, replicas=5)
    cluster.fault_readiness(NS, "web-3", True)
    cluster.fault_readiness(NS, "web-4", True)
    assert cluster.run_until(lambda: get_sts(cluster)["status"]["readyReplicas"] == 3)
    cluster.scale("StatefulSet", NS, "web", 3)
    cluster.advance(300)
    assert live_names(cluster) == ["web-0", "web-1", "web-2", "web-3", "web-4"], "stuck"
    cluster.fault_readiness(NS, "web-4", False)
    cluster.settle()
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    assert inv.violations == []


def test_claims_and_volumes_reused_after_scale_down_and_up(
    cluster: Cluster, inv: Invariants
) -> None:
    apply_web(cluster, replicas=5)
    volumes = {
        c["metadata"]["name"]: c["spec"]["volumeName"]
        for c in cluster.store.list("PersistentVolumeClaim", NS)
    }
    cluster.scale("StatefulSet", NS, "web", 3)
    cluster.settle()
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    assert claim_names(cluster) == sorted(volumes)
    cluster.scale("StatefulSet", NS, "web", 5)
    cluster.settle()
    assert names(cluster) == ["web-0", "web-1", "web-2", "web-3", "web-4"]
    now = {
        c["metadata"]["name"]: c["spec"]["volumeName"]
        for c in cluster.store.list("PersistentVolumeClaim", NS)
    }
    assert now == volumes
    assert inv.violations == []


def test_partition_rollout_then_finish(cluster: Cluster, inv: Invariants) -> None:
    apply_web(
        cluster,
        replicas=3,
        updateStrategy='{"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}',
    )
    old = get_sts(cluster)["status"]["currentRevision"]
    set_image(cluster, "registry.k8s.io/nginx-slim:0.21")
    cluster.settle()
    new = get_sts(cluster)["status"]["updateRevision"]
    revs = {p["metadata"]["name"]: identity.pod_revision(p) for p in pods(cluster)}
    assert revs == {"web-0": old, "web-1": old, "web-2": new}
    assert get_sts(cluster)["status"]["currentRevision"] == old
    sts = get_sts(cluster)
    edited = {
        **sts,
        "spec": {
            **sts["spec"],
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        },
    }
    cluster.store.update(edited)
    cluster.settle()
    assert {identity.pod_revision(p) for p in pods(cluster)} == {new}
    status = get_sts(cluster)["status"]
    assert status["currentRevision"] == status["updateRevision"] == new
    assert inv.violations == []


def test_retention_delete_on_scale_down_gives_fresh_claims(
    cluster: Cluster, inv: Invariants
) -> None:
    apply_web(
        cluster,
        replicas=3,
        persistentVolumeClaimRetentionPolicy='{"whenDeleted": "Retain", "whenScaled": "Delete"}',
    )
    old = {
        c["metadata"]["name"]: c["metadata"]["uid"]
        for c in cluster.store.list("PersistentVolumeClaim", NS)
    }
    cluster.scale("StatefulSet", NS, "web", 1)
    cluster.settle()
    assert claim_names(cluster) == ["www-web-0"], "the collector deleted the scaled-away claims"
    cluster.scale("StatefulSet", NS, "web", 3)
    cluster.settle()
    assert names(cluster) == ["web-0", "web-1", "web-2"]
    new = {
        c["metadata"]["name"]: c["metadata"]["uid"]
        for c in cluster.store.list("PersistentVolumeClaim", NS)
    }
    assert new["www-web-0"] == old["www-web-0"]
    assert new["www-web-1"] != old["www-web-1"], "a new, empty claim"
    assert inv.violations == []


def test_retention_delete_on_set_deletion(cluster: Cluster) -> None:
    apply_web(
        cluster,
        replicas=2,
        persistentVolumeClaimRetentionPolicy='{"whenDeleted": "Delete", "whenScaled": "Retain"}',
    )
    cluster.delete("StatefulSet", NS, "web")
    cluster.settle()
    assert names(cluster) == []
    assert claim_names(cluster) == []


def test_deleting_the_set_keeps_claims_by_default(cluster: Cluster) -> None:
    apply_web(cluster, replicas=2)
    cluster.delete("StatefulSet", NS, "web")
    cluster.settle()
    assert names(cluster) == []
    assert claim_names(cluster) == ["www-web-0", "www-web-1"]
    apply_web(cluster, replicas=2)
    assert names(cluster) == ["web-0", "web-1"], "re-applying reattaches the same claims"


LIVE_OPS = st.one_of(
    st.tuples(st.just("scale"), st.integers(0, 4)),
    st.tuples(st.just("unready"), st.integers(0, 4)),
    st.tuples(st.just("ready"), st.integers(0, 4)),
    st.tuples(st.just("delete"), st.integers(0, 4)),
    st.tuples(st.just("image"), st.sampled_from(["0.21", "0.24"])),
    st.tuples(st.just("wait"), st.sampled_from([0.5, 2, 5, 40])),
)


def live_step(cluster: Cluster, op: str, arg: float | str) -> None:
    """One random operation through the cluster's intents (a no-op for a missing pod)."""
    name = f"web-{arg}"
    exists = cluster.store.get("Pod", NS, name) is not None
    if op == "scale":
        cluster.scale("StatefulSet", NS, "web", int(arg))
    elif op == "image":
        set_image(cluster, f"registry.k8s.io/nginx-slim:{arg}")
    elif op == "wait":
        cluster.advance(float(arg))
    elif exists and op in ("unready", "ready"):
        cluster.fault_readiness(NS, name, op == "unready")
    elif exists and op == "delete":
        cluster.delete("Pod", NS, name)


@settings(max_examples=15, deadline=None, database=None)
@given(policy=st.sampled_from(["OrderedReady", "Parallel"]), ops=st.lists(LIVE_OPS, max_size=15))
def test_random_live_history_converges(policy: str, ops: list[tuple[str, float | str]]) -> None:
    cluster = Cluster(seed=1, strict=True)
    inv = Invariants(cluster)
    apply_web(cluster, replicas=2, podManagementPolicy=policy)
    for op, arg in ops:
        live_step(cluster, op, arg)
    for _ in range(6):
        for p in pods(cluster):
            if p["metadata"].get("annotations"):
                cluster.fault_readiness(NS, p["metadata"]["name"], False)
        cluster.settle()
    sts = get_sts(cluster)
    want = sts["spec"]["replicas"]
    assert names(cluster) == [f"web-{i}" for i in range(want)]
    status = sts["status"]
    assert status["currentRevision"] == status["updateRevision"]
    assert {identity.pod_revision(p) for p in pods(cluster)} <= {status["updateRevision"]}
    assert status.get("readyReplicas", 0) == want
    assert inv.violations == []


FIXTURE_SET = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: test
spec:
  replicas: 0
  serviceName: test
  selector:
    matchLabels: {app: foo}
  template:
    metadata:
      labels: {app: foo}
      annotations: {test: value}
    spec:
      containers:
      - name: test
        image: test
"""


def test_applied_set_gets_the_revision_name_kubernetes_gives_it(cluster: Cluster) -> None:
    """The 1.34.0 compatibility fixture (pkg/controller/statefulset/testdata): the same
    user-written set, defaulted by the API server, is revision ``test-776999688b``."""
    cluster.apply("fixture.yaml", FIXTURE_SET)
    assert get_sts(cluster, "test")["status"]["updateRevision"] == "test-776999688b"


def test_orphaned_pods_are_adopted_by_the_reapplied_set(cluster: Cluster) -> None:
    apply_web(cluster, replicas=2)
    before = uids(cluster)
    cluster.delete("StatefulSet", NS, "web", cascade="orphan")
    cluster.settle()
    assert cluster.store.get("StatefulSet", NS, "web") is None
    assert uids(cluster) == before, "orphaned, not deleted"
    assert all(not p["metadata"].get("ownerReferences") for p in pods(cluster))
    log = EventLog(cluster)
    apply_web(cluster, replicas=2)
    assert uids(cluster) == before, "adopted, not recreated"
    sts = get_sts(cluster)
    assert all(
        p["metadata"]["ownerReferences"][0]["uid"] == sts["metadata"]["uid"] for p in pods(cluster)
    )
    assert log.messages() == []
    assert sts["status"]["readyReplicas"] == 2


def test_pod_on_a_lost_node_is_not_replaced_until_force_deleted(
    cluster: Cluster, inv: Invariants
) -> None:
    apply_web(cluster, replicas=3)
    node = pod(cluster, "web-1")["spec"]["nodeName"]
    uid = pod(cluster, "web-1")["metadata"]["uid"]
    cluster.node_down(node)
    cluster.advance(400)
    assert identity.is_terminating(pod(cluster, "web-1")), "evicted, but nobody confirms"
    assert pod(cluster, "web-1")["metadata"]["uid"] == uid, "at most one web-1, ever"
    cluster.delete("Pod", NS, "web-1", force=True)
    cluster.settle()
    assert pod(cluster, "web-1")["metadata"]["uid"] != uid
    assert pod(cluster, "web-1")["spec"]["nodeName"] != node
    assert identity.is_running_and_ready(pod(cluster, "web-1"))
    assert inv.violations == []


def test_broken_rollout_is_not_fixed_by_reverting_alone(cluster: Cluster, inv: Invariants) -> None:
    apply_web(cluster, replicas=3)
    good = get_sts(cluster)["status"]["currentRevision"]
    set_image(cluster, "registry.k8s.io/nginx-slim:no-such-tag")
    cluster.advance(120)
    assert pod(cluster, "web-2")["spec"]["containers"][0]["image"].endswith("no-such-tag")
    assert not identity.is_running_and_ready(pod(cluster, "web-2"))
    assert not identity.is_terminating(pod(cluster, "web-1")), "the rollout stopped"
    set_image(cluster, "registry.k8s.io/nginx-slim:0.24")
    cluster.advance(120)
    assert get_sts(cluster)["status"]["updateRevision"] == good
    assert pod(cluster, "web-2")["spec"]["containers"][0]["image"].endswith("no-such-tag")
    cluster.delete("Pod", NS, "web-2")
    cluster.settle()
    assert {identity.pod_revision(p) for p in pods(cluster)} == {good}
    assert get_sts(cluster)["status"]["readyReplicas"] == 3
    assert inv.violations == []


def test_min_ready_seconds_spaces_the_pods(cluster: Cluster, inv: Invariants) -> None:
    apply_web(cluster, replicas=3, minReadySeconds=10)
    for lower, higher in (("web-0", "web-1"), ("web-1", "web-2")):
        assert created(cluster, higher) == ready_time(cluster, lower) + 10
    assert get_sts(cluster)["status"]["availableReplicas"] == 3
    assert inv.violations == []
