"""Random Deployment histories: image changes (good and broken), scaling, pausing, pod
deletions and time passing in any order. Outside scaling events the ReplicaSets never add up
to more than ``replicas + maxSurge``; once the images are good and the
deployment resumed, it converges to one full, available ReplicaSet at the current template."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.controllers import deployment_util as du
from engine.objects import copy_obj, name_of
from engine.store import WatchEvent
from tests.engine.fake_kubelet import FakeKubelet, isolated_cluster
from tests.worlds import deployment

OPS = st.one_of(
    st.tuples(st.just("image"), st.sampled_from(["nginx:1", "nginx:2", "nginx:3", "no-such:1"])),
    st.tuples(st.just("scale"), st.integers(0, 6)),
    st.tuples(st.just("pause"), st.booleans()),
    st.tuples(st.just("delete-pod"), st.integers(0, 9)),
    st.tuples(st.just("wait"), st.sampled_from([0.5, 3, 7, 30])),
)


def edit(cluster: Cluster, change: Any) -> None:
    d = copy_obj(cluster.store.must_get("Deployment", "default", "web"))
    change(d["spec"])
    cluster.store.update(d)
    cluster.drain()


def step(cluster: Cluster, op: str, arg: Any) -> None:
    if op == "image":
        edit(cluster, lambda s: s["template"]["spec"]["containers"][0].update(image=arg))
    elif op == "scale":
        cluster.scale("Deployment", "default", "web", arg)
    elif op == "pause":
        edit(cluster, lambda s: s.update(paused=arg))
    elif op == "delete-pod":
        pods = sorted(name_of(p) for p in cluster.store.list("Pod", "default"))
        if pods:
            cluster.delete("Pod", "default", pods[arg % len(pods)])
    else:
        cluster.advance(arg)


class SurgeWatch:
    """The sets' replicas never add up to more than replicas + maxSurge, except while a
    scaling event is being spread over them. (Live pods can lag a scale-down until the
    ReplicaSet controller deletes them; the pod-level bound is checked by the rollout tests.)"""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.violations: list[str] = []
        cluster.store.subscribe(self._check, ["Pod", "ReplicaSet", "Deployment"])

    def _check(self, ev: WatchEvent) -> None:
        d = self.cluster.store.get("Deployment", "default", "web")
        if d is None:
            return
        sets = self.cluster.store.list("ReplicaSet", "default")
        if any(
            du.annotations_of(rs).get(du.DESIRED_REPLICAS, str(du.replicas(d)))
            != str(du.replicas(d))
            for rs in sets
            if rs["spec"].get("replicas")
        ):
            return  # a scaling event is being spread over the sets
        limit = du.replicas(d) + du.max_surge(d)
        total = sum(int(rs["spec"].get("replicas") or 0) for rs in sets)
        if total > limit:
            self.violations.append(f"{total} replicas in sets > {limit} after {ev.type} {ev.kind}")


@settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(ops=st.lists(OPS, max_size=20), replicas=st.integers(1, 5))
def test_random_history_respects_surge_and_converges(
    ops: list[tuple[str, Any]], replicas: int
) -> None:
    cluster = isolated_cluster()
    FakeKubelet(cluster)
    cluster.store.create(deployment(replicas, "nginx:1"))
    cluster.settle()
    watch = SurgeWatch(cluster)
    for op, arg in ops:
        step(cluster, op, arg)
    edit(cluster, lambda s: s.update(paused=False))
    edit(cluster, lambda s: s["template"]["spec"]["containers"][0].update(image="nginx:final"))
    cluster.settle()
    assert watch.violations == []
    d = cluster.store.must_get("Deployment", "default", "web")
    want = du.replicas(d)
    full = {name_of(rs): rs["spec"]["replicas"] for rs in cluster.store.list("ReplicaSet")}
    assert sorted(full.values())[-1] == want
    assert sum(full.values()) == want
    pods = cluster.store.list("Pod", "default")
    assert len(pods) == want
    assert {p["spec"]["containers"][0]["image"] for p in pods} <= {"nginx:final"}
    assert int(d["status"].get("availableReplicas") or 0) == want
    assert d["status"]["conditions"][-1]["reason"] == "NewReplicaSetAvailable" or want == 0
