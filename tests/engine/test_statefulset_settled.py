"""Settled sets: a sync skipped because nothing it reads changed would have done nothing.

The controller skips the sync of a set that is settled (its last sync wrote nothing but its
status, and no event since changed anything a sync reads). The differential check here makes
every such sync run in full anyway and asserts that it indeed did nothing: no store write (no
object, no Event), the same "waiting for" message, no failure, the same requeue timer, and
the set settled again afterwards. It runs over random histories with the fake kubelet (the
roster tests' operations plus changes that do not matter: a pod's IP, a claim's annotations,
Pending to Running) and over real-engine scenarios (kubelet, scheduler, volumes, faults,
minReadySeconds, rolling updates, retention policies, two sets in one namespace).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.controllers.statefulset.controller import StatefulSetController
from engine.controllers.statefulset.tracking import claim_change_matters, pod_change_matters
from engine.objects import Obj, copy_obj
from engine.store import WatchEvent
from tests.engine.sts_helpers import (
    NS,
    bring_up,
    create_sts,
    fake_kubelet_cluster,
    get_sts,
    pod,
    ready,
    set_image,
)
from tests.engine.test_statefulset_roster import OPS, SPECS, step


# -- which changes matter ---------------------------------------------------------------------
def pod_v1() -> Obj:
    return {
        "kind": "Pod",
        "metadata": {
            "name": "web-0",
            "uid": "u",
            "resourceVersion": "1",
            "labels": {"app": "nginx"},
            "ownerReferences": [{"kind": "StatefulSet", "uid": "s", "controller": True}],
        },
        "spec": {"volumes": [{"name": "www"}], "nodeName": ""},
        "status": {
            "phase": "Pending",
            "conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": "t0"}],
        },
    }


def modified(old: Obj, change: Callable[[Obj], None]) -> WatchEvent:
    new = copy_obj(old)
    new["metadata"]["resourceVersion"] = "2"
    change(new)
    return WatchEvent("MODIFIED", old["kind"], new, old)


def ready_at(when: str) -> Callable[[Obj], None]:
    def change(pod: Obj) -> None:
        pod["status"]["phase"] = "Running"
        pod["status"]["conditions"] = [
            {"type": "Ready", "status": "True", "lastTransitionTime": when}
        ]

    return change


def set_path(*path_and_value: Any) -> Callable[[Obj], None]:
    *path, value = path_and_value

    def change(obj: Obj) -> None:
        target = obj
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "matters"),
    [
        (set_path("spec", "nodeName", "node-1"), False),
        (set_path("status", "podIP", "10.0.0.1"), False),
        (set_path("metadata", "annotations", {"a": "b"}), False),
        (set_path("status", "phase", "Running"), False),  # Pending → Running
        (set_path("status", "conditions", []), False),  # unready either way
        (set_path("status", "phase", "Failed"), True),
        (set_path("status", "phase", "Succeeded"), True),
        (set_path("metadata", "labels", {"app": "other"}), True),
        (set_path("metadata", "ownerReferences", []), True),
        (set_path("metadata", "deletionTimestamp", "t9"), True),
        (set_path("spec", "volumes", []), True),
        (ready_at("t1"), True),
    ],
)
def test_pod_changes_that_matter(change: Callable[[Obj], None], matters: bool) -> None:
    assert pod_change_matters(modified(pod_v1(), change)) is matters


def test_pending_with_a_true_ready_condition_to_running_matters() -> None:
    ready_pending = modified(pod_v1(), ready_at("t1")).obj
    ready_pending["status"]["phase"] = "Pending"
    assert pod_change_matters(modified(ready_pending, set_path("status", "phase", "Running")))


def test_pod_changes_that_matter_once_running() -> None:
    running = modified(pod_v1(), ready_at("t1")).obj
    assert pod_change_matters(modified(running, ready_at("t2")))  # the Ready time
    assert pod_change_matters(modified(running, set_path("status", "phase", "Pending")))
    assert not pod_change_matters(modified(running, set_path("status", "podIP", "10.0.0.2")))
    assert pod_change_matters(WatchEvent("ADDED", "Pod", running, None))
    assert pod_change_matters(WatchEvent("DELETED", "Pod", running, running))


def test_claim_changes_that_matter() -> None:
    claim: Obj = {
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "www-web-0", "uid": "c", "resourceVersion": "1"},
        "spec": {},
    }
    assert not claim_change_matters(modified(claim, set_path("spec", "volumeName", "pv-1")))
    assert not claim_change_matters(modified(claim, set_path("status", "phase", "Bound")))
    assert not claim_change_matters(modified(claim, set_path("metadata", "finalizers", ["x"])))
    assert not claim_change_matters(modified(claim, set_path("metadata", "annotations", {})))
    assert claim_change_matters(modified(claim, set_path("metadata", "ownerReferences", [])))
    assert claim_change_matters(modified(claim, set_path("metadata", "deletionTimestamp", "t")))
    assert claim_change_matters(modified(claim, set_path("metadata", "labels", {"a": "b"})))
    assert claim_change_matters(WatchEvent("ADDED", "PersistentVolumeClaim", claim, None))


# -- the differential check -------------------------------------------------------------------
class SkipChecker:
    """Every sync the controller would skip runs in full; it must change nothing."""

    def __init__(self, cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cluster = cluster
        self.skipped = 0
        self.full = 0
        real_settled = StatefulSetController._settled
        real_sync = StatefulSetController.sync
        before: list[tuple[Any, ...]] = []

        def settled(ctl: StatefulSetController, key: str, sts: Obj) -> bool:
            if real_settled(ctl, key, sts):
                before.append(self.snapshot(ctl, key))
            return False

        def sync(ctl: StatefulSetController, key: str) -> None:
            before.clear()
            real_sync(ctl, key)
            if before:
                assert self.snapshot(ctl, key) == before[0], f"a skipped sync of {key} acted"
                kept = ctl.tracker.peek(key)
                assert kept is not None
                assert kept.settled is not None
                self.skipped += 1
            else:
                self.full += 1

        monkeypatch.setattr(StatefulSetController, "_settled", settled)
        monkeypatch.setattr(StatefulSetController, "sync", sync)

    def snapshot(self, ctl: StatefulSetController, key: str) -> tuple[Any, ...]:
        timer = ctl._delayed.get(key)
        return (
            self.cluster.store.state(),
            ctl.waiting_for(*key.split("/", 1)),
            ctl._failures.get(key),
            None if timer is None or timer.cancelled else timer.when,
            len(ctl.errors),
        )


def touch_pod(cluster: Cluster, ordinal: int) -> None:
    """A change that does not matter: the pod's IP."""
    stored = cluster.store.get("Pod", NS, f"web-{ordinal}")
    if stored is not None:
        pod = copy_obj(stored)
        pod.setdefault("status", {})["podIP"] = (
            f"10.9.0.{int(stored['metadata']['resourceVersion']) % 250}"
        )
        cluster.store.update(pod)
        cluster.drain()


def annotate_claim(cluster: Cluster, ordinal: int) -> None:
    """A change that does not matter: the claim's annotations."""
    stored = cluster.store.get("PersistentVolumeClaim", NS, f"www-web-{ordinal}")
    if stored is not None:
        claim = copy_obj(stored)
        claim["metadata"].setdefault("annotations", {})["touched"] = claim["metadata"][
            "resourceVersion"
        ]
        cluster.store.update(claim)
        cluster.drain()


ORDINAL = st.integers(0, 6)
MORE_OPS = st.one_of(
    OPS,
    st.tuples(
        st.sampled_from(["touch", "annotate", "pending", "unready", "ready-pending"]), ORDINAL
    ),
)


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(fields=SPECS, ops=st.lists(MORE_OPS, max_size=30))
def test_skipped_syncs_would_do_nothing(
    monkeypatch: pytest.MonkeyPatch, fields: dict[str, Any], ops: list[tuple[str, Any]]
) -> None:
    with monkeypatch.context() as patch:
        cluster = fake_kubelet_cluster()
        checker = SkipChecker(cluster, patch)
        create_sts(cluster, replicas=3, **fields)
        for op, arg in ops:
            if op == "touch":
                touch_pod(cluster, arg)
            elif op == "annotate":
                annotate_claim(cluster, arg)
            elif op == "ready-pending":  # a True Ready condition before the phase says Running
                if cluster.store.get("Pod", NS, f"web-{arg}") is not None:
                    ready(cluster, f"web-{arg}", phase="Pending")
            else:
                step(cluster, op, arg)
        assert checker.full > 0


def test_a_settled_set_sees_an_unready_pod_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Running and unready, then Failed (the Ready condition stays False): deleted."""
    cluster = fake_kubelet_cluster()
    checker = SkipChecker(cluster, monkeypatch)
    create_sts(cluster, replicas=3)
    bring_up(cluster)
    ready(cluster, "web-1", ready_=False)
    assert "deletionTimestamp" not in pod(cluster, "web-1")["metadata"]
    ready(cluster, "web-1", ready_=False, phase="Failed")
    assert "deletionTimestamp" in pod(cluster, "web-1")["metadata"]
    assert checker.skipped > 0


def test_a_settled_set_restores_claim_ownership(monkeypatch: pytest.MonkeyPatch) -> None:
    """whenDeleted=Delete: the set owns its claims; an owner reference taken away comes back."""
    cluster = fake_kubelet_cluster()
    checker = SkipChecker(cluster, monkeypatch)
    create_sts(cluster, replicas=2, persistentVolumeClaimRetentionPolicy={"whenDeleted": "Delete"})
    bring_up(cluster)
    claim = copy_obj(cluster.store.must_get("PersistentVolumeClaim", NS, "www-web-1"))
    owners = claim["metadata"].pop("ownerReferences")
    cluster.store.update(claim)
    cluster.drain()
    stored = cluster.store.must_get("PersistentVolumeClaim", NS, "www-web-1")
    assert stored["metadata"]["ownerReferences"] == owners
    assert checker.skipped > 0


def test_a_settled_set_sees_a_ready_pending_pod_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Pending pod whose Ready condition is already True turns Running (its Ready time
    unchanged): it is now Running and Ready, so OrderedReady creates the next pod."""
    cluster = fake_kubelet_cluster()
    checker = SkipChecker(cluster, monkeypatch)
    create_sts(cluster, replicas=2)
    ready(cluster, "web-0", phase="Pending")
    assert cluster.store.get("Pod", NS, "web-1") is None
    ready(cluster, "web-0")
    assert cluster.store.get("Pod", NS, "web-1") is not None
    assert checker.skipped > 0


def back_off_then_settle(cluster: Cluster) -> None:
    """web-0 Ready (Available 10 s later); web-1's create fails (a foreign pod holds the name)
    and is retried after 5 ms; the foreign pod goes and an edit of the set brings web-1 before
    the retry, so the back-off timer stands in for the minReadySeconds one (an earlier request
    wins) and fires when the set is settled."""
    create_sts(cluster, replicas=1, minReadySeconds=10, podManagementPolicy="Parallel")
    ready(cluster, "web-0")
    foreign: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web-1", "namespace": NS, "labels": {"app": "other"}},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }
    cluster.store.create(foreign)
    cluster.scale("StatefulSet", NS, "web", 2)
    cluster.store.remove("Pod", NS, "web-1")
    cluster.patch_annotations("StatefulSet", NS, "web", note="edited")
    cluster.drain()
    assert pod(cluster, "web-1")["metadata"]["labels"]["app"] == "nginx"
    assert get_sts(cluster)["status"]["availableReplicas"] == 0


def test_a_skipped_sync_rearms_the_min_ready_timer() -> None:
    cluster = fake_kubelet_cluster()
    back_off_then_settle(cluster)
    cluster.advance(20)
    assert get_sts(cluster)["status"]["availableReplicas"] == 1


def test_a_skipped_sync_rearms_the_min_ready_timer_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cluster = fake_kubelet_cluster()
    checker = SkipChecker(cluster, monkeypatch)
    back_off_then_settle(cluster)
    cluster.advance(20)
    assert checker.skipped > 0


# -- real engine ------------------------------------------------------------------------------
WEB = """\
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  clusterIP: None
  selector: {app: nginx}
  ports: [{port: 80, name: web}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 0
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27"}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""


def web(**spec_fields: Any) -> str:
    service, sts = yaml.safe_load_all(WEB)
    sts["spec"].update(spec_fields)
    return yaml.safe_dump_all([service, sts])


def life(cluster: Cluster, first: int) -> None:
    """Scale up, a deleted pod, a readiness fault, a rolling update, a crash, scale down."""
    cluster.scale("StatefulSet", NS, "web", 6)
    cluster.settle()
    cluster.delete("Pod", NS, f"web-{first + 3}")
    cluster.settle()
    cluster.fault_readiness(NS, f"web-{first + 2}", True)
    cluster.advance(30)
    cluster.scale("StatefulSet", NS, "web", 8)
    cluster.advance(40)
    cluster.fault_readiness(NS, f"web-{first + 2}", False)
    cluster.settle()
    set_image(cluster, "nginx:1.28")
    cluster.settle()
    cluster.fault_crash(NS, f"web-{first + 1}")
    cluster.advance(60)
    cluster.scale("StatefulSet", NS, "web", 2)
    cluster.settle()


SCENARIOS: list[dict[str, Any]] = [
    {},
    {"podManagementPolicy": "Parallel"},
    {"minReadySeconds": 7},
    {
        "podManagementPolicy": "Parallel",
        "minReadySeconds": 5,
        "persistentVolumeClaimRetentionPolicy": {"whenScaled": "Delete", "whenDeleted": "Delete"},
    },
    {
        "persistentVolumeClaimRetentionPolicy": {"whenScaled": "Delete"},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}},
    },
    {"updateStrategy": {"type": "OnDelete"}, "ordinals": {"start": 3}},
]


@pytest.mark.parametrize("fields", SCENARIOS)
def test_real_engine_skips_only_syncs_that_do_nothing(
    monkeypatch: pytest.MonkeyPatch, fields: dict[str, Any]
) -> None:
    cluster = Cluster(seed=4, nodes=3, strict=True)
    checker = SkipChecker(cluster, monkeypatch)
    cluster.apply("web.yaml", web(**fields))
    life(cluster, (fields.get("ordinals") or {}).get("start", 0))
    status = get_sts(cluster)["status"]
    assert status["readyReplicas"] == 2
    assert checker.skipped > 20
    cluster.delete("StatefulSet", NS, "web")
    cluster.settle()
    assert cluster.store.list("Pod", NS) == []


def test_two_sets_and_an_orphan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another set's pods in the namespace, an orphan adopted, a pod released, a claim removed."""
    cluster = Cluster(seed=5, nodes=2, strict=True)
    checker = SkipChecker(cluster, monkeypatch)
    cluster.apply("web.yaml", web(replicas=3))
    _service, db = yaml.safe_load_all(web(replicas=3, podManagementPolicy="Parallel"))
    db["metadata"]["name"] = "db"
    db["spec"]["selector"] = {"matchLabels": {"app": "db"}}
    db["spec"]["template"]["metadata"]["labels"] = {"app": "db"}
    cluster.apply("db.yaml", yaml.safe_dump(db))
    cluster.advance(3)
    cluster.store.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web-4", "namespace": NS, "labels": {"app": "nginx"}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }
    )
    cluster.advance(2)
    cluster.scale("StatefulSet", NS, "web", 6)
    cluster.advance(5)
    released = copy_obj(cluster.store.must_get("Pod", NS, "web-1"))
    released["metadata"]["labels"]["app"] = "other"
    cluster.store.update(released)
    cluster.advance(4)
    assert cluster.controller("statefulset-controller").waiting_for(NS, "web") is None
    cluster.delete("Pod", NS, "web-1")  # the released pod holds the name web-1
    cluster.advance(40)
    cluster.store.remove("PersistentVolumeClaim", NS, "www-db-1")
    cluster.delete("Pod", NS, "db-1")
    cluster.settle()
    assert get_sts(cluster, "db")["status"]["readyReplicas"] == 3
    # the adopted orphan web-4 lacks the claim volume: its repair fails (a pod's volumes are
    # immutable) and holds web-5 back, retried with back-off, as upstream
    assert get_sts(cluster)["status"]["readyReplicas"] == 5
    assert checker.skipped > 20


# -- cost -------------------------------------------------------------------------------------
def test_ordered_scale_up_runs_two_full_syncs_per_pod(monkeypatch: pytest.MonkeyPatch) -> None:
    """OrderedReady 0 → 20 with the real kubelet, scheduler and volumes: of a pod's six or so
    wake-ups only two are full syncs (the one that creates it, and the one that sees it
    created); its binding, its claim's binding and its start are skipped."""
    cluster = Cluster(seed=6, nodes=2, strict=True)
    cluster.apply("web.yaml", web())
    cluster.settle()
    full: list[str] = []
    real = StatefulSetController._sync_set

    def counted(ctl: StatefulSetController, key: str, sts: Obj) -> list[str]:
        full.append(key)
        return real(ctl, key, sts)

    monkeypatch.setattr(StatefulSetController, "_sync_set", counted)
    cluster.scale("StatefulSet", NS, "web", 20)
    cluster.settle()
    assert get_sts(cluster)["status"]["readyReplicas"] == 20
    assert len(full) <= 2 * 20 + 2
