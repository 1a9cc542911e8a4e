"""The kept roster: its queries, and plans equal to a full walk of every pod.

The controller keeps each set's pods in a :class:`Roster` between syncs and plans from the
missing ordinals and the suspects only. ``test_kept_roster_plans_equal_full_scan_plans`` runs
random histories (scale, readiness, failures, deletions, adoption, orphans, claim changes,
template changes, partitions, OnDelete, retention policies, minReadySeconds, the passage of
time) and checks, at every sync, that the plan made from the kept roster equals the plan the
original algorithm (:mod:`tests.engine.sts_reference_plan`) makes from a full scan of the store.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cluster import Cluster
from engine.controllers.statefulset import control, identity
from engine.controllers.statefulset.control import Inputs, Plan, batch_count, batch_of
from engine.controllers.statefulset.roster import Roster
from engine.objects import Obj, controller_ref, copy_obj, name_of, uid_of
from engine.selectors import from_label_selector
from tests.engine import sts_reference_plan
from tests.engine.sts_helpers import (
    NS,
    create_sts,
    edit_sts,
    fake_kubelet_cluster,
    finish_terminating,
    get_sts,
    ready,
    set_image,
)


def parse(text: str) -> float:
    return float(text)


def member(name: str, ordinal: int, **status: Any) -> Obj:
    pod: Obj = {
        "kind": "Pod",
        "metadata": {
            "name": f"{name}-{ordinal}",
            "uid": f"u{ordinal}",
            "labels": {"controller-revision-hash": status.pop("rev", "r1")},
        },
    }
    if status:
        pod["status"] = status
    return pod


# -- roster queries ------------------------------------------------------------------------------
def test_missing_skips_runs_of_present_ordinals() -> None:
    roster = Roster.build([member("web", o) for o in (0, 1, 2, 5, 6, 9)], 0, 12, 0, parse)
    assert list(roster.missing(0, 12)) == [3, 4, 7, 8, 10, 11]
    assert list(roster.missing(5, 7)) == []
    assert next(roster.missing(0, 3), None) is None
    assert list(roster.missing(2, 4)) == [3]


def test_condemned_highest_first_and_outdated_live() -> None:
    pods = [member("web", o, rev="old" if o % 2 else "new") for o in range(8)]
    roster = Roster.build(pods, 2, 5, 0, parse)
    assert [f.ordinal for f in roster.condemned(2, 5)] == [7, 6, 5, 1, 0]
    assert [f.ordinal for f in roster.outdated_live(2, 8, "new")] == [7, 5, 3]
    roster.discard("web-5")
    assert [f.ordinal for f in roster.outdated_live(0, 8, "new")] == [7, 3, 1]
    assert roster.members_between(2, 5) == 3


def test_counters_follow_puts_and_discards() -> None:
    ready_ = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    roster = Roster.build([member("web", 0, **copy_obj(ready_))], 0, 3, 0, parse)
    assert (roster.created, roster.ready, roster.healthy) == (1, 1, 1)
    assert roster.put(member("web", 1))
    assert (roster.created, roster.ready) == (2, 1)
    assert roster.put(member("web", 1, **copy_obj(ready_)))
    assert (roster.created, roster.ready) == (2, 2)
    assert not roster.put({"kind": "Pod", "metadata": {"name": "web-01", "uid": "x"}})
    roster.discard("web-0")
    assert (roster.created, roster.ready, dict(roster.revisions)) == (1, 1, {"r1": 1})


def test_available_counts_with_min_ready_seconds() -> None:
    def at(since: str) -> dict[str, Any]:
        cond = {"type": "Ready", "status": "True", "lastTransitionTime": since}
        return {"phase": "Running", "conditions": [cond]}

    roster = Roster.build(
        [member("web", 0, **at("0")), member("web", 1, **at("10"))], 0, 2, 5, parse
    )
    assert [roster.available_count(now) for now in (4.0, 5.0, 15.0)] == [0, 1, 2]
    assert roster.next_available_at(5.0) == 15.0
    assert roster.next_available_at(15.0) is None


def test_slow_start_batch_numbers() -> None:
    sizes: dict[int, int] = {}
    for position in range(3000):
        sizes[batch_of(position)] = sizes.get(batch_of(position), 0) + 1
    assert list(sizes.values())[:11] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 500, 500]
    assert [batch_count(n) for n in (0, 1, 2, 3, 511, 512, 1011, 1012)] == [
        0,
        1,
        2,
        2,
        9,
        10,
        10,
        11,
    ]


def test_duplicate_ordinals_plan_like_the_original() -> None:
    """``web-01`` and ``web-1`` share ordinal 1: in range the later wins its slot; condemned,
    both are deleted (Parallel), as the original list-based walk does."""
    sts: Obj = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": NS, "uid": "s", "generation": 1},
        "spec": {
            "replicas": 1,
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": {"app": "nginx"}},
            "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": []}},
        },
    }
    rev: Obj = {"metadata": {"name": "r1"}, "data": sts["spec"]}
    from engine.controllers.statefulset.revisions import Revisions

    revisions = Revisions(rev, rev, 0)
    odd = member("web", 1)
    odd["metadata"]["name"] = "web-01"
    for replicas in (1, 2):
        sts["spec"]["replicas"] = replicas
        pods = [member("web", 0), odd, member("web", 1)]
        inputs = Inputs(sts, pods, revisions, lambda _n: None, 0.0, parse)
        assert_same(control.plan(inputs), sts_reference_plan.plan(inputs))


# -- differential: kept roster vs the full walk ------------------------------------------------
def describe(plan: Plan) -> tuple[Any, ...]:
    steps = [
        (s.batch, [(a.verb, name_of(a.pod), a.ignore_not_found, a.pod, a.sts) for a in s.actions])
        for s in plan.steps
    ]
    return (plan.status, steps, plan.available_at, plan.waiting)


def assert_same(got: Plan, want: Plan) -> None:
    assert describe(got) == describe(want)


def full_scan(cluster: Cluster, sts: Obj) -> list[Obj]:
    """The set's pods as a full scan finds them (ownership already settled by the sync)."""
    matcher = from_label_selector(sts["spec"]["selector"])
    return [
        p
        for p in cluster.store.list("Pod", NS)
        if (ref := controller_ref(p)) is not None
        and ref.get("uid") == uid_of(sts)
        and matcher(p["metadata"].get("labels") or {})
        and identity.is_member(sts, p)
    ]


class Checker:
    """Wraps the controller's ``control.plan``: every kept-roster plan is compared with the
    original algorithm's plan over a full scan."""

    def __init__(self, cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cluster = cluster
        self.checked = 0
        real = control.plan

        def checked(inp: Inputs, roster: Roster | None = None) -> Plan:
            pods = full_scan(cluster, inp.sts)
            reference = sts_reference_plan.plan(
                Inputs(inp.sts, pods, inp.revisions, inp.claim, inp.now, inp.parse)
            )
            got = real(inp, roster)
            assert_same(got, reference)
            self.checked += 1
            return got

        monkeypatch.setattr(control, "plan", checked)


def orphan(cluster: Cluster, ordinal: int) -> None:
    """A user-made pod with the set's labels and a member's name (adopted if free)."""
    name = f"web-{ordinal}"
    if cluster.store.get("Pod", NS, name) is None:
        cluster.store.create(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "namespace": NS, "labels": {"app": "nginx"}},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            }
        )
        cluster.drain()


def relabel(cluster: Cluster, ordinal: int) -> None:
    """A pod stops matching the selector (released)."""
    pod = cluster.store.get("Pod", NS, f"web-{ordinal}")
    if pod is not None:
        changed = copy_obj(pod)
        changed["metadata"]["labels"]["app"] = "other"
        cluster.store.update(changed)
        cluster.drain()


def drop_claim(cluster: Cluster, ordinal: int) -> None:
    if cluster.store.get("PersistentVolumeClaim", NS, f"www-web-{ordinal}") is not None:
        cluster.store.remove("PersistentVolumeClaim", NS, f"www-web-{ordinal}")
        cluster.drain()


def step(cluster: Cluster, op: str, arg: Any) -> None:
    name = f"web-{arg}" if isinstance(arg, int) else ""
    exists = bool(name) and cluster.store.get("Pod", NS, name) is not None
    if op == "scale":
        cluster.scale("StatefulSet", NS, "web", arg)
    elif op == "image":
        set_image(cluster, arg)
    elif op == "partition":
        edit_sts(cluster, updateStrategy={"rollingUpdate": {"partition": arg}})
    elif op == "terminate":
        finish_terminating(cluster)
    elif op == "advance":
        cluster.advance(arg)
    elif op == "orphan":
        orphan(cluster, arg)
    elif op == "relabel":
        relabel(cluster, arg)
    elif op == "claim":
        drop_claim(cluster, arg)
    elif exists and op in ("ready", "unready"):
        ready(cluster, name, ready_=op == "ready")
    elif exists and op == "pending":
        ready(cluster, name, ready_=False, phase="Pending")
    elif exists and op == "fail":
        ready(cluster, name, ready_=False, phase="Failed")
    elif exists and op == "delete":
        cluster.delete("Pod", NS, name)


ORDINAL = st.integers(0, 6)
OPS = st.one_of(
    st.tuples(st.just("scale"), st.integers(0, 6)),
    st.tuples(
        st.sampled_from(
            ["ready", "ready", "unready", "pending", "fail", "delete", "orphan", "relabel", "claim"]
        ),
        ORDINAL,
    ),
    st.tuples(st.just("image"), st.sampled_from(["nginx:1.27", "nginx:1.28"])),
    st.tuples(st.just("partition"), st.integers(0, 4)),
    st.tuples(st.just("terminate"), st.just(0)),
    st.tuples(st.just("advance"), st.sampled_from([1.0, 5.0, 20.0])),
)
SPECS = st.fixed_dictionaries(
    {
        "podManagementPolicy": st.sampled_from(["OrderedReady", "Parallel"]),
        "minReadySeconds": st.sampled_from([0, 0, 10]),
        "updateStrategy": st.sampled_from(
            [
                {"type": "RollingUpdate"},
                {"type": "OnDelete"},
                {"rollingUpdate": {"maxUnavailable": 2}},
            ]
        ),
        "persistentVolumeClaimRetentionPolicy": st.sampled_from(
            [{}, {"whenDeleted": "Delete", "whenScaled": "Delete"}, {"whenScaled": "Delete"}]
        ),
    }
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(fields=SPECS, ops=st.lists(OPS, max_size=30))
def test_kept_roster_plans_equal_full_scan_plans(
    monkeypatch: pytest.MonkeyPatch, fields: dict[str, Any], ops: list[tuple[str, Any]]
) -> None:
    with monkeypatch.context() as patch:
        cluster = fake_kubelet_cluster()
        checker = Checker(cluster, patch)
        create_sts(cluster, replicas=3, **fields)
        for op, arg in ops:
            step(cluster, op, arg)
        assert checker.checked > 0
        assert get_sts(cluster)["status"]["observedGeneration"] >= 1


def test_real_engine_scale_and_recreate_plans_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the real kubelet, scheduler and volume controllers: OrderedReady up to 8, a pod
    deleted and recreated, a rolling update, a scale down."""
    cluster = Cluster(seed=3, strict=True)
    checker = Checker(cluster, monkeypatch)
    create_sts(cluster, replicas=8)
    cluster.settle()
    cluster.delete("Pod", NS, "web-4")
    cluster.settle()
    set_image(cluster, "nginx:1.28")
    cluster.settle()
    cluster.scale("StatefulSet", NS, "web", 2)
    cluster.settle()
    assert checker.checked > 50
    status: dict[str, Any] = get_sts(cluster)["status"]
    assert status["readyReplicas"] == 2
    assert status["currentRevision"] == status["updateRevision"]


# -- cost follows the change -------------------------------------------------------------------
def test_a_sync_visits_only_what_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a settled 150-pod OrderedReady set, a readiness flip of one pod makes the next syncs
    visit that pod only, without a full scan."""
    cluster = fake_kubelet_cluster()
    create_sts(cluster, replicas=150, claims=())
    for ordinal in range(150):
        ready(cluster, f"web-{ordinal}")
    assert get_sts(cluster)["status"]["readyReplicas"] == 150
    visited: list[str] = []
    full_scans: list[str] = []
    real_process = control._Planner.process_replica
    real_build = Roster.__dict__["build"]

    def process(self: control._Planner, pod: Obj) -> Any:
        visited.append(name_of(pod))
        return real_process(self, pod)

    def build(*args: Any, **kwargs: Any) -> Roster:
        full_scans.append("full scan")
        roster: Roster = real_build.__func__(*args, **kwargs)
        return roster

    monkeypatch.setattr(control._Planner, "process_replica", process)
    monkeypatch.setattr(Roster, "build", classmethod(build))
    ready(cluster, "web-70", ready_=False)
    assert set(visited) == {"web-70"}
    assert full_scans == []
    visited.clear()
    ready(cluster, "web-70")
    assert set(visited) == {"web-70"}
    assert get_sts(cluster)["status"]["readyReplicas"] == 150


def test_claim_names_mark_their_ordinal() -> None:
    from engine.controllers.statefulset.tracking import Kept

    kept = Kept(NS, "web")
    roster = Roster.build([], 0, 0, 0, parse)
    kept.keep(roster, ("u", None, "a", "a"), {}, ["www", "data-x"])
    roster.suspects.clear()
    for name in (
        "www-web-3",
        "data-x-web-12",
        "www-web-03",
        "www-web-",
        "www-other-1",
        "www-web-٣",
    ):
        kept.mark_claim(name)
    assert roster.suspects == {3, 12}
