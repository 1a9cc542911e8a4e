"""Random histories: scale, readiness flips, deletions, failures, terminations and template
changes in any order. The invariants hold at every step, and once the fake kubelet brings every
pod up the set converges: exactly the in-range ordinals, all at the update revision, status
complete (as stateful_set_control_test.go's randomised tests check)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.controllers.statefulset import identity
from tests.engine.sts_helpers import (
    NS,
    Invariants,
    bring_up,
    create_sts,
    fake_kubelet_cluster,
    finish_terminating,
    get_sts,
    names,
    pods,
    ready,
    set_image,
)

OPS = st.one_of(
    st.tuples(st.just("scale"), st.integers(0, 5)),
    st.tuples(st.just("ready"), st.integers(0, 5)),
    st.tuples(st.just("unready"), st.integers(0, 5)),
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("fail"), st.integers(0, 5)),
    st.tuples(st.just("image"), st.sampled_from(["nginx:1.27", "nginx:1.28", "nginx:1.29"])),
    st.tuples(st.just("terminate"), st.just(0)),
)


def step(cluster: Cluster, op: str, arg: int | str) -> None:
    """Apply one random operation (a no-op when the pod does not exist)."""
    pod_name = f"web-{arg}"
    exists = cluster.store.get("Pod", NS, pod_name) is not None
    if op == "scale":
        cluster.scale("StatefulSet", NS, "web", int(arg))
    elif op == "image":
        set_image(cluster, str(arg))
    elif op == "terminate":
        finish_terminating(cluster)
    elif exists and op in ("ready", "unready"):
        ready(cluster, pod_name, ready_=op == "ready")
    elif exists and op == "fail":
        ready(cluster, pod_name, ready_=False, phase="Failed")
    elif exists and op == "delete":
        cluster.delete("Pod", NS, pod_name)


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(policy=st.sampled_from(["OrderedReady", "Parallel"]), ops=st.lists(OPS, max_size=25))
def test_random_history_keeps_invariants_and_converges(
    policy: str, ops: list[tuple[str, int | str]]
) -> None:
    cluster = fake_kubelet_cluster()
    inv = Invariants(cluster)
    create_sts(cluster, replicas=3, podManagementPolicy=policy)
    for op, arg in ops:
        step(cluster, op, arg)
        assert inv.violations == [], (op, arg)
    for _ in range(10):
        bring_up(cluster)
    sts = get_sts(cluster)
    want = sts["spec"]["replicas"]
    assert names(cluster) == [f"web-{i}" for i in range(want)]
    status = sts["status"]
    assert {identity.pod_revision(p) for p in pods(cluster)} <= {status["updateRevision"]}
    assert status["currentRevision"] == status["updateRevision"]
    counts = [status.get(k, 0) for k in ("replicas", "readyReplicas", "updatedReplicas")]
    assert counts == [want, want, want]
    for i in range(want):
        assert cluster.store.get("PersistentVolumeClaim", NS, f"www-web-{i}") is not None
    assert inv.violations == []
