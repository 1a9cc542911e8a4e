"""Deployment controller on the virtual clock, pods driven by a fake kubelet."""

from __future__ import annotations

from typing import Any

import pytest

from engine.cluster import Cluster
from engine.controllers import deployment_util as du
from engine.controllers.deployment import history, rollback
from engine.objects import Obj, copy_obj, name_of
from engine.store import WatchEvent
from tests.engine.fake_kubelet import FakeKubelet, isolated_cluster
from tests.worlds import deployment

HASH_CHARS = set("456789bcdf")


@pytest.fixture
def cluster() -> Cluster:
    """Controllers under test without the node side (pods get status from the test)."""
    return isolated_cluster()


@pytest.fixture
def kubelet(cluster: Cluster) -> FakeKubelet:
    return FakeKubelet(cluster)


def get_deploy(cluster: Cluster) -> Obj:
    return cluster.store.must_get("Deployment", "default", "web")


def sets(cluster: Cluster) -> dict[str, int]:
    return {name_of(rs): rs["spec"]["replicas"] for rs in cluster.store.list("ReplicaSet")}


def set_image(cluster: Cluster, image: str) -> None:
    d = copy_obj(get_deploy(cluster))
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image
    cluster.store.update(d)


def scaling_messages(cluster: Cluster) -> list[str]:
    return [
        e["message"]
        for e in cluster.events.for_object(get_deploy(cluster))
        if e["reason"] == "ScalingReplicaSet"
    ]


def conditions(cluster: Cluster) -> list[tuple[str, str, str]]:
    return [
        (c["type"], c["status"], c["reason"]) for c in get_deploy(cluster)["status"]["conditions"]
    ]


def test_new_replicaset_name_labels_and_annotations(cluster: Cluster, kubelet: FakeKubelet) -> None:
    cluster.store.create(deployment())
    cluster.settle()
    (rs,) = cluster.store.list("ReplicaSet")
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert name_of(rs) == f"web-{h}"
    assert set(h) <= HASH_CHARS
    assert 1 <= len(h) <= 10
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "web", "pod-template-hash": h}}
    assert rs["spec"]["template"]["metadata"]["labels"] == {"app": "web", "pod-template-hash": h}
    assert rs["metadata"]["annotations"] == {
        "deployment.kubernetes.io/revision": "1",
        "deployment.kubernetes.io/desired-replicas": "3",
        "deployment.kubernetes.io/max-replicas": "4",
    }
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    for pod in cluster.store.list("Pod"):
        assert name_of(pod).startswith(f"web-{h}-")
        assert pod["metadata"]["labels"]["pod-template-hash"] == h
    d = get_deploy(cluster)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert scaling_messages(cluster) == [f"Scaled up replica set web-{h} from 0 to 3"]
    assert d["status"]["readyReplicas"] == 3
    assert d["status"]["updatedReplicas"] == 3
    assert conditions(cluster) == [
        ("Available", "True", "MinimumReplicasAvailable"),
        ("Progressing", "True", "NewReplicaSetAvailable"),
    ]
    assert d["status"]["conditions"][1]["message"] == (
        f'ReplicaSet "web-{h}" has successfully progressed.'
    )


def test_conditions_while_pods_start(cluster: Cluster, kubelet: FakeKubelet) -> None:
    cluster.store.create(deployment())
    cluster.drain()
    rs_name = name_of(cluster.store.list("ReplicaSet")[0])
    assert conditions(cluster) == [
        ("Available", "False", "MinimumReplicasUnavailable"),
        ("Progressing", "True", "ReplicaSetUpdated"),
    ]
    progressing = get_deploy(cluster)["status"]["conditions"][1]
    assert progressing["message"] == f'ReplicaSet "{rs_name}" is progressing.'
    cluster.settle()
    assert (
        get_deploy(cluster)["status"]["conditions"][1]["lastTransitionTime"]
        == (progressing["lastTransitionTime"])
    )


def test_hash_is_stable_and_template_sensitive() -> None:
    t1 = deployment()["spec"]["template"]
    t2 = deployment(image="nginx:1.28")["spec"]["template"]
    assert du.compute_hash(t1) == du.compute_hash(copy_obj(t1))
    assert du.compute_hash(t1) != du.compute_hash(t2)
    assert du.compute_hash(t1, 1) != du.compute_hash(t1)
    assert du.safe_encode("0123456789") == "456789bcdf"


def test_same_template_same_replicaset_name() -> None:
    names = []
    for seed in (1, 2):
        cluster = isolated_cluster(seed)
        cluster.store.create(deployment())
        cluster.settle()
        names.append(name_of(cluster.store.list("ReplicaSet")[0]))
    assert names[0] == names[1]


class Bounds:
    """Watches every store event and records the extremes of a rollout."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.max_pods = 0
        self.min_available = 10**6
        self.started = False
        cluster.store.subscribe(self._check)

    def _check(self, ev: WatchEvent) -> None:
        if not self.started:
            return
        pods = [
            p
            for p in self.cluster.store.list("Pod", "default")
            if not p["metadata"].get("deletionTimestamp")
        ]
        ready = [
            p
            for p in pods
            if any(
                c["type"] == "Ready" and c["status"] == "True"
                for c in (p.get("status") or {}).get("conditions") or []
            )
        ]
        self.max_pods = max(self.max_pods, len(pods))
        self.min_available = min(self.min_available, len(ready))


@pytest.mark.parametrize(
    ("strategy", "max_pods", "min_available"),
    [
        ({}, 13, 8),  # 25%/25% of 10: surge rounds up to 3, unavailable down to 2
        ({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}, 10, 9),
        ({"rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 0}}, 15, 10),
        ({"rollingUpdate": {"maxSurge": "1%", "maxUnavailable": "19%"}}, 11, 9),
    ],
)
def test_rolling_update_bounds_at_every_step(
    cluster: Cluster,
    kubelet: FakeKubelet,
    strategy: dict[str, Any],
    max_pods: int,
    min_available: int,
) -> None:
    cluster.store.create(deployment(replicas=10, strategy={"type": "RollingUpdate", **strategy}))
    cluster.settle()
    bounds = Bounds(cluster)
    bounds.started = True
    set_image(cluster, "nginx:1.28")
    cluster.settle()
    assert bounds.max_pods == max_pods
    assert bounds.min_available == min_available
    assert sorted(sets(cluster).values()) == [0, 10]
    images = {p["spec"]["containers"][0]["image"] for p in cluster.store.list("Pod")}
    assert images == {"nginx:1.28"}
    d = get_deploy(cluster)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert conditions(cluster)[-1] == ("Progressing", "True", "NewReplicaSetAvailable")


def test_rolling_update_events(cluster: Cluster, kubelet: FakeKubelet) -> None:
    cluster.store.create(deployment(replicas=2))
    cluster.settle()
    old = name_of(cluster.store.list("ReplicaSet")[0])
    set_image(cluster, "nginx:1.28")
    cluster.settle()
    (new,) = set(sets(cluster)) - {old}
    assert scaling_messages(cluster) == [
        f"Scaled up replica set {old} from 0 to 2",
        f"Scaled up replica set {new} from 0 to 1",
        f"Scaled down replica set {old} to 1 from 2",
        f"Scaled up replica set {new} to 2 from 1",
        f"Scaled down replica set {old} to 0 from 1",
    ]


def test_recreate_deletes_all_old_pods_first(cluster: Cluster, kubelet: FakeKubelet) -> None:
    cluster.store.create(deployment(replicas=3, strategy={"type": "Recreate"}))
    cluster.settle()
    old_pods = {name_of(p) for p in cluster.store.list("Pod")}
    overlaps: list[str] = []

    def check(ev: WatchEvent) -> None:
        if ev.type == "ADDED" and name_of(ev.obj) not in old_pods:
            alive = {name_of(p) for p in cluster.store.list("Pod")} & old_pods
            overlaps.extend(alive)

    cluster.store.subscribe(check, ["Pod"])
    set_image(cluster, "nginx:1.28")
    cluster.settle()
    assert overlaps == []
    assert sorted(sets(cluster).values()) == [0, 3]
    assert len(cluster.store.list("Pod")) == 3


def test_scaling_event(cluster: Cluster, kubelet: FakeKubelet) -> None:
    cluster.store.create(deployment(replicas=3))
    cluster.settle()
    (rs,) = sets(cluster)
    cluster.scale("Deployment", "default", "web", 5)
    cluster.settle()
    assert sets(cluster) == {rs: 5}
    assert scaling_messages(cluster)[-1] == f"Scaled up replica set {rs} to 5 from 3"
    annotations = cluster.store.must_get("ReplicaSet", "default", rs)["metadata"]["annotations"]
    assert annotations["deployment.kubernetes.io/desired-replicas"] == "5"
    assert annotations["deployment.kubernetes.io/max-replicas"] == "7"


def test_proportional_scaling_of_a_stuck_rollout(cluster: Cluster, kubelet: FakeKubelet) -> None:
    """The documentation's example: 10 replicas, maxSurge 3, maxUnavailable 2, a bad image,
    then scaled to 15: 3 of the 5 new replicas go to the old set, 2 to the new one."""
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}
    cluster.store.create(deployment(replicas=10, strategy=strategy))
    cluster.settle()
    (old,) = sets(cluster)
    set_image(cluster, "no-such-image:1")
    cluster.advance(60)
    (new,) = set(sets(cluster)) - {old}
    assert sets(cluster) == {old: 8, new: 5}
    cluster.scale("Deployment", "default", "web", 15)
    cluster.advance(30)
    assert sets(cluster) == {old: 11, new: 7}


def test_progress_deadline_exceeded(cluster: Cluster, kubelet: FakeKubelet) -> None:
    cluster.store.create(deployment(replicas=2, progressDeadlineSeconds=30))
    cluster.settle()
    set_image(cluster, "no-such-image:1")
    cluster.advance(20)
    assert conditions(cluster)[-1] == ("Progressing", "True", "ReplicaSetUpdated")
    cluster.advance(30)
    cond = get_deploy(cluster)["status"]["conditions"][-1]
    new = [n for n, r in sets(cluster).items() if r and n != name_of(get_deploy(cluster))]
    assert (cond["type"], cond["status"], cond["reason"]) == (
        "Progressing",
        "False",
        "ProgressDeadlineExceeded",
    )
    assert cond["message"].endswith("has timed out progressing.")
    assert new


def test_rollback_to_previous_and_numbered_revisions(
    cluster: Cluster, kubelet: FakeKubelet
) -> None:
    cluster.store.create(deployment())
    cluster.settle()
    for image in ("nginx:1.28", "nginx:1.29"):
        set_image(cluster, image)
        cluster.settle()
    assert [r for r, _ in history(cluster, "default", "web")] == [1, 2, 3]
    assert rollback(cluster, "default", "web") == "deployment.apps/web rolled back"
    cluster.settle()
    assert get_deploy(cluster)["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "nginx:1.28"
    )
    assert [r for r, _ in history(cluster, "default", "web")] == [1, 3, 4]
    assert "pod-template-hash" not in get_deploy(cluster)["spec"]["template"]["metadata"]["labels"]
    assert len(cluster.store.list("ReplicaSet")) == 3  # the revision-2 set was reused
    assert rollback(cluster, "default", "web", to_revision=1) == "deployment.apps/web rolled back"
    cluster.settle()
    images = {p["spec"]["containers"][0]["image"] for p in cluster.store.list("Pod")}
    assert images == {"nginx:1.27"}
    assert rollback(cluster, "default", "web", to_revision=5) == (
        "deployment.apps/web skipped rollback (current template already matches revision 5)"
    )


def test_rollback_errors(cluster: Cluster, kubelet: FakeKubelet) -> None:
    cluster.store.create(deployment())
    cluster.settle()
    with pytest.raises(du.RollbackError, match='no rollout history found for deployment "web"'):
        rollback(cluster, "default", "web")
    with pytest.raises(du.RollbackError, match="unable to find specified revision 7 in history"):
        rollback(cluster, "default", "web", to_revision=7)
    assert rollback(cluster, "default", "web", to_revision=1) == (
        "deployment.apps/web skipped rollback (current template already matches revision 1)"
    )


def test_revision_history_limit(cluster: Cluster, kubelet: FakeKubelet) -> None:
    cluster.store.create(deployment(revisionHistoryLimit=1))
    cluster.settle()
    for image in ("nginx:1.28", "nginx:1.29", "nginx:1.30"):
        set_image(cluster, image)
        cluster.settle()
    revisions = sorted(du.revision(rs) for rs in cluster.store.list("ReplicaSet"))
    assert revisions == [3, 4]


def test_paused_deployment_does_not_roll_out(cluster: Cluster, kubelet: FakeKubelet) -> None:
    cluster.store.create(deployment())
    cluster.settle()
    d = copy_obj(get_deploy(cluster))
    d["spec"]["paused"] = True
    cluster.store.update(d)
    set_image(cluster, "nginx:1.28")
    cluster.settle()
    assert len(cluster.store.list("ReplicaSet")) == 1
    assert conditions(cluster)[-1] == ("Progressing", "Unknown", "DeploymentPaused")
    d = copy_obj(get_deploy(cluster))
    d["spec"]["paused"] = False
    cluster.store.update(d)
    cluster.settle()
    assert sorted(sets(cluster).values()) == [0, 3]


def test_scaled_value_rounding() -> None:
    assert du.scaled_value("25%", 10, True) == 3
    assert du.scaled_value("25%", 10, False) == 2
    assert du.scaled_value(4, 10, False) == 4
    with pytest.raises(ValueError, match="not a percentage"):
        du.scaled_value("ten", 10, True)


def test_hash_collision_bumps_collision_count(cluster: Cluster, kubelet: FakeKubelet) -> None:
    probe = isolated_cluster()
    probe.store.create(deployment())
    probe.drain()
    template = get_deploy(probe)["spec"]["template"]  # as stored, API defaults included
    squatter = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": f"web-{du.compute_hash(template)}", "namespace": "default"},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"squat": "yes"}},
            "template": {
                "metadata": {"labels": {"squat": "yes"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }
    cluster.store.create(squatter)
    cluster.store.create(deployment())
    cluster.settle()
    d = get_deploy(cluster)
    assert d["status"]["collisionCount"] == 1
    new = f"web-{du.compute_hash(template, 1)}"
    assert sets(cluster) == {squatter["metadata"]["name"]: 0, new: 3}


def test_replicaset_create_error_is_reported(cluster: Cluster, kubelet: FakeKubelet) -> None:
    from engine.store import Invalid

    def reject(new: Obj, old: Obj | None) -> None:
        raise Invalid("ReplicaSet.apps is invalid: quota exceeded")

    cluster.store.add_admission("ReplicaSet", reject)
    cluster.store.create(deployment())
    cluster.settle()
    cond = get_deploy(cluster)["status"]["conditions"][-1]
    assert (cond["type"], cond["status"], cond["reason"]) == (
        "Progressing",
        "False",
        "ReplicaSetCreateError",
    )
    (event,) = [e for e in cluster.events.for_object(get_deploy(cluster)) if e["type"] == "Warning"]
    assert event["message"].startswith('Failed to create new replica set "web-')
