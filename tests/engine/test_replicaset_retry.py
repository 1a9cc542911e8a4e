"""ReplicaSet and Deployment syncs that fail are retried with the workqueue's back-off.

The real controllers return the error from their sync and the worker calls
``queue.AddRateLimited(key)`` (client-go's default per-item limiter: 5 ms doubling to 1000 s);
a sync without error calls ``queue.Forget(key)``. Here a small pod quota refuses the creates,
and the tests read the virtual clock at every refused attempt (each one writes a
``FailedCreate`` Event), so the whole back-off curve, up to its 1000 s cap, runs in
milliseconds. No kubelet: the only timers are the controllers' own.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from engine.cluster import Cluster
from engine.config import ClusterConfig
from engine.objects import Obj, name_of
from engine.store import StoreError
from tests.engine.fake_kubelet import isolated_cluster

QUOTA_REFUSAL = re.compile(
    r'pods "web-[bcdfghjklmnpqrstvwxz2456789]{5}" is forbidden: exceeded quota: playground, '
    r"requested: pods=1, used: pods=(\d+), limited: pods=(\d+)"
)


def replicaset(replicas: int) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
            },
        },
    }


def bare_pod(name: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "other"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
    }


class Refused(StoreError):
    """The API refuses the call (a stand-in for a webhook or an RBAC denial)."""

    reason = "Forbidden"


class Attempts:
    """The clock time and message of every Warning event one reason records.

    Counted as the controller records them, before client-go's spam filter (25 events per
    source and object, then one per 300 s) drops the ones past its budget: each is a try."""

    def __init__(self, cluster: Cluster, reason: str) -> None:
        self.cluster = cluster
        self.reason = reason
        self.seen: list[tuple[float, str]] = []
        record = cluster.events.record

        def counting(obj: Obj, type_: str, reason: str, message: str, *a: Any, **kw: Any) -> Any:
            if reason == self.reason:
                self.seen.append((cluster.clock.now(), message))
            return record(obj, type_, reason, message, *a, **kw)

        cluster.events.record = counting  # type: ignore[method-assign]

    def times(self) -> list[float]:
        """Distinct attempt times, in order."""
        return sorted({t for t, _ in self.seen})

    def gaps(self) -> list[float]:
        times = self.times()
        return [b - a for a, b in itertools.pairwise(times)]


def expected_gaps(count: int) -> list[float]:
    """The waits between tries of a sync that keeps failing.

    The first failed sync writes the ReplicaFailure condition; that status write requeues the
    set at once, so two tries fail at the first instant (the real controller does the same:
    its informer sees its own status update). The retries then wait 5 ms, then 5 ms × 2², 2³…
    up to the limiter's 1000 s cap.
    """
    return [0.005] + [min(0.005 * 2**k, 1000.0) for k in range(2, count + 1)]


def pods(cluster: Cluster) -> list[Obj]:
    return [p for p in cluster.store.list("Pod", "default") if name_of(p).startswith("web-")]


def failure_condition(cluster: Cluster) -> dict[str, Any] | None:
    rs = cluster.store.must_get("ReplicaSet", "default", "web")
    conditions = (rs.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "ReplicaFailure"), None)


@pytest.fixture
def cluster() -> Cluster:
    """A cluster without the node side whose pod quota is 3."""
    cluster = isolated_cluster()
    cluster.config.max_pods = 3
    return cluster


def test_refused_creates_warn_with_the_api_error_and_keep_the_first_condition(
    cluster: Cluster,
) -> None:
    refused = Attempts(cluster, "FailedCreate")
    cluster.store.create(bare_pod("hog"))
    cluster.store.create(replicaset(replicas=3))
    cluster.drain()
    assert len(pods(cluster)) == 2
    first_time, first = refused.seen[0]
    assert first.startswith("Error creating: ")
    match = QUOTA_REFUSAL.fullmatch(first.removeprefix("Error creating: "))
    assert match is not None
    assert match.groups() == ("3", "3")
    cond = failure_condition(cluster)
    assert cond == {
        "type": "ReplicaFailure",
        "status": "True",
        "lastTransitionTime": cluster.clock.timestamp(first_time),
        "reason": "FailedCreate",
        "message": first.removeprefix("Error creating: "),
    }
    rs_version = cluster.store.must_get("ReplicaSet", "default", "web")["metadata"]
    cluster.advance(60.0)
    assert len(refused.times()) > 10  # it kept trying …
    assert len({message for _, message in refused.seen}) == len(refused.seen)  # new pod names
    assert failure_condition(cluster) == cond  # … but the condition keeps the first error
    again = cluster.store.must_get("ReplicaSet", "default", "web")["metadata"]
    assert again["resourceVersion"] == rs_version["resourceVersion"]  # no status write


def test_back_off_doubles_up_to_the_cap(cluster: Cluster) -> None:
    refused = Attempts(cluster, "FailedCreate")
    cluster.store.create(bare_pod("hog"))
    cluster.store.create(replicaset(replicas=3))
    cluster.advance(5000.0)
    gaps = refused.gaps()
    assert gaps == pytest.approx(expected_gaps(len(gaps)))
    assert gaps[-3:] == pytest.approx([1000.0] * 3)  # capped at 1000 s
    assert len(pods(cluster)) == 2


def test_freed_room_is_taken_at_the_next_retry_and_the_back_off_starts_over(
    cluster: Cluster,
) -> None:
    refused = Attempts(cluster, "FailedCreate")
    cluster.store.create(bare_pod("hog"))
    cluster.store.create(replicaset(replicas=3))
    cluster.advance(30.0)
    times = refused.times()
    next_try = times[-1] + expected_gaps(len(times))[-1]
    assert next_try > cluster.clock.now()  # a retry is pending, seconds away

    cluster.delete("Pod", "default", "hog", force=True)  # room for one: nothing tells the set
    assert len(pods(cluster)) == 2
    assert cluster.run_until(lambda: len(pods(cluster)) == 3, timeout=1000.0)
    assert cluster.clock.now() == pytest.approx(next_try)  # taken by the pending retry
    assert failure_condition(cluster) is None
    assert cluster.clock.next_due() is None  # a good sync forgets the key: no timer left

    before = len(refused.times())
    cluster.scale("ReplicaSet", "default", "web", 4)  # past the quota again
    cluster.advance(1.0)
    again = refused.times()[before:]
    assert [b - a for a, b in itertools.pairwise(again)] == pytest.approx(
        expected_gaps(len(again) - 1)
    )  # from 5 ms again, not from where the first back-off had got to


def test_failed_deletes_are_retried_too(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster.store.create(replicaset(replicas=2))
    cluster.drain()
    refused = Attempts(cluster, "FailedDelete")
    delete = cluster.store.delete
    blocked = True

    def refusing_delete(kind: str, namespace: str, name: str, **options: Any) -> Obj | None:
        if blocked and kind == "Pod":
            raise Refused(f'pods "{name}" is forbidden: deletes are blocked')
        return delete(kind, namespace, name, **options)

    monkeypatch.setattr(cluster.store, "delete", refusing_delete)
    cluster.scale("ReplicaSet", "default", "web", 1)
    assert re.fullmatch(
        r'Error deleting: pods "web-\w{5}" is forbidden: deletes are blocked', refused.seen[0][1]
    )
    cond = failure_condition(cluster)
    assert cond is not None
    assert cond["reason"] == "FailedDelete"
    assert cond["message"] == "unable to delete pods: " + refused.seen[0][1].removeprefix(
        "Error deleting: "
    )
    cluster.advance(1.0)
    assert len(refused.times()) > 3  # retried with back-off
    blocked = False
    cluster.advance(100.0)
    active = [p for p in pods(cluster) if not p["metadata"].get("deletionTimestamp")]
    assert len(active) == 1
    assert failure_condition(cluster) is None


def test_settle_returns_while_a_set_is_stuck_at_the_quota(cluster: Cluster) -> None:
    refused = Attempts(cluster, "FailedCreate")
    cluster.store.create(replicaset(replicas=50))
    elapsed = cluster.settle(timeout=600)
    assert elapsed <= 600
    assert len(pods(cluster)) == 3
    # one try per back-off step (plus the first instant's two), not a hot loop
    assert len(refused.times()) == len(expected_gaps(len(refused.gaps()))) + 1
    assert len(refused.seen) < 40


# -- Deployments ---------------------------------------------------------------------------------
MANIFESTS = Path(__file__).parents[2] / "demos" / "manifests"


def deploy_pods(cluster: Cluster) -> list[Obj]:
    return [
        p
        for p in cluster.store.list("Pod", "default")
        if name_of(p).startswith("nginx-deploy-") and not p["metadata"].get("deletionTimestamp")
    ]


def test_a_deployment_past_the_quota_fills_up_once_another_workload_scales_down() -> None:
    cluster = Cluster(ClusterConfig(max_pods=4), seed=3, strict=True)
    cluster.apply("web.yaml", (MANIFESTS / "web.yaml").read_text())
    cluster.apply("deployment.yaml", (MANIFESTS / "deployment.yaml").read_text())
    cluster.settle(timeout=120)
    assert len(cluster.store.list("Pod")) == 4
    cluster.scale("Deployment", "default", "nginx-deploy", 4)
    assert cluster.settle(timeout=600) <= 600  # returns although the set stays short
    assert len(deploy_pods(cluster)) == 2
    (rs,) = cluster.store.list("ReplicaSet", "default")
    failure = [c for c in rs["status"]["conditions"] if c["type"] == "ReplicaFailure"]
    assert failure[0]["reason"] == "FailedCreate"
    assert "exceeded quota: playground" in failure[0]["message"]
    deploy = cluster.store.must_get("Deployment", "default", "nginx-deploy")
    assert any(c["type"] == "ReplicaFailure" for c in deploy["status"]["conditions"])

    cluster.scale("StatefulSet", "default", "web", 0)  # frees two pods' room, a bit later
    freed: list[float] = []
    cluster.store.subscribe(
        lambda ev: freed.append(cluster.clock.now()) if ev.type == "DELETED" else None, ["Pod"]
    )
    assert cluster.run_until(lambda: len(deploy_pods(cluster)) == 4, timeout=1100.0)
    assert len(freed) == 2
    assert cluster.clock.now() - max(freed) <= 1000.0  # within the capped back-off
    cluster.settle(timeout=120)
    rs = cluster.store.must_get("ReplicaSet", "default", name_of(rs))
    assert "conditions" not in rs["status"]
    assert rs["status"]["readyReplicas"] == 4


def test_a_deployment_whose_replicaset_is_refused_retries_fifteen_times() -> None:
    cluster = isolated_cluster()
    refused = Attempts(cluster, "ReplicaSetCreateError")
    name = "d" * 250  # a valid Deployment name; "<name>-<hash>" is too long for its set
    cluster.store.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]},
                },
            },
        }
    )
    elapsed = cluster.settle()
    assert "must be no more than 253 characters" in refused.seen[0][1]
    assert len(refused.seen) == 16  # the first try, then maxRetries (15) requeues
    gaps = refused.gaps()
    assert gaps == pytest.approx(expected_gaps(len(gaps)))
    assert gaps[-1] == pytest.approx(81.92)  # 5 ms × 2¹⁴
    assert elapsed == pytest.approx(sum(gaps))  # then dropped: no timer keeps settle busy
    assert cluster.clock.next_due() is None
    assert cluster.store.list("ReplicaSet") == []
    cluster.advance(10.0)
    cluster.scale("Deployment", "default", name, 2)  # a change brings it back, from 5 ms
    cluster.settle()
    assert len(refused.seen) == 32
    # The condition is already there, so no status write requeues it at once this time: the
    # sixteen tries are 5 ms, 10 ms, 20 ms … 81.92 s apart.
    again = refused.gaps()[len(gaps) + 1 :]
    assert again == pytest.approx([0.005 * 2**k for k in range(15)])
