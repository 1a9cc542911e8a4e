"""Pure parts of the StatefulSet controller: names, hashes, spec defaults, ownership, the plan."""

from __future__ import annotations

from typing import Any

import pytest

from engine.cluster import Cluster
from engine.controllers.statefulset import control, identity, retention, revisions, spec
from engine.controllers.statefulset.control import Action, Plan, Step
from engine.controllers.statefulset.pod_control import PodControl
from engine.controllers.statefulset.revisions import Revisions
from engine.controllers.statefulset.status import Status
from engine.objects import Obj
from tests.engine.sts_helpers import fake_kubelet_cluster, sts_manifest

# The 1.34.0 compatibility fixture of pkg/controller/statefulset/testdata: data → test-776999688b.
FIXTURE_TEMPLATE: dict[str, Any] = {
    "metadata": {"annotations": {"test": "value"}, "labels": {"app": "foo"}},
    "spec": {
        "containers": [
            {
                "image": "test",
                "imagePullPolicy": "Always",
                "name": "test",
                "resources": {},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }
        ],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
    },
}


@pytest.fixture
def cluster() -> Cluster:
    """The kubelet, scheduler and garbage collector are faked by the tests."""
    return fake_kubelet_cluster()


def stored_set(**spec_fields: Any) -> Obj:
    """A StatefulSet as the store would hold it (uid, generation), claims ``www``."""
    sts = sts_manifest(**spec_fields)
    sts["metadata"].update(uid="set-uid", generation=1, resourceVersion="1")
    return sts


def test_parent_and_ordinal() -> None:
    assert identity.parent_and_ordinal("web-12") == ("web", 12)
    assert identity.parent_and_ordinal("my-web-0") == ("my-web", 0)
    assert identity.parent_and_ordinal("web") == ("", -1)
    assert identity.parent_and_ordinal("web-x") == ("", -1)
    assert identity.parent_and_ordinal("web-99999999999") == ("web", -1), "not an int32"


def test_names() -> None:
    sts = stored_set()
    assert identity.pod_name(sts, 3) == "web-3"
    assert identity.claim_name("www", "web", 3) == "www-web-3"
    assert list(identity.claims_for(sts, 3)) == ["www"]
    assert identity.claims_for(sts, 3)["www"]["metadata"]["name"] == "www-web-3"


def test_identity_matches_needs_exact_name() -> None:
    sts = stored_set()
    pod = identity.new_pod(sts, 1)
    assert identity.identity_matches(sts, pod)
    assert identity.storage_matches(sts, pod)
    pod["metadata"]["name"] = "web-01"
    assert not identity.identity_matches(sts, pod)
    pod["metadata"]["name"] = "web-1"
    pod["metadata"]["labels"][identity.POD_NAME_LABEL] = "other"
    assert not identity.identity_matches(sts, pod)
    pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = "www-web-2"
    assert not identity.storage_matches(sts, pod)


def test_fixture_hashes_like_kubernetes() -> None:
    sts = {"metadata": {"name": "test"}, "spec": {"template": FIXTURE_TEMPLATE}}
    data = revisions.revision_patch(sts)
    assert revisions.hash_data(data, 0) == "776999688b"
    with_null = dict(
        FIXTURE_TEMPLATE, metadata={**FIXTURE_TEMPLATE["metadata"], "creationTimestamp": None}
    )
    older = revisions.revision_patch({"metadata": {"name": "t"}, "spec": {"template": with_null}})
    assert revisions.hash_data(older, 0) == "c77f6d978", "the 1.33.0 fixture"


def test_go_json_escapes_like_go() -> None:
    assert revisions.go_json({"b": "<&>", "a": [1, True, None]}) == (
        b'{"a":[1,true,null],"b":"\\u003c\\u0026\\u003e"}'
    )
    assert revisions.go_json({"x": "é"}) == '{"x":"é"}'.encode()


def test_equal_revision_compares_data() -> None:
    sts = stored_set()
    one = revisions.new_revision(sts, 1, 0)
    two = revisions.new_revision(sts, 7, 0)
    assert revisions.equal_revision(one, two)
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    assert not revisions.equal_revision(one, revisions.new_revision(sts, 2, 0))


@pytest.mark.parametrize(
    ("value", "replicas", "expected"),
    [(None, 5, 1), (3, 5, 3), ("50%", 5, 2), ("10%", 5, 1), ("100%", 4, 4), ("0%", 4, 1)],
)
def test_max_unavailable(value: int | str | None, replicas: int, expected: int) -> None:
    rolling = {} if value is None else {"maxUnavailable": value}
    sts = stored_set(
        replicas=replicas, updateStrategy={"type": "RollingUpdate", "rollingUpdate": rolling}
    )
    assert spec.max_unavailable(sts) == expected


def test_spec_defaults_when_admission_did_not_run() -> None:
    sts = stored_set(replicas=None)
    assert spec.replicas(sts) == 1
    assert spec.pod_management_policy(sts) == "OrderedReady"
    assert spec.update_strategy_type(sts) == "RollingUpdate"
    assert spec.partition(sts) == 0
    assert spec.revision_history_limit(sts) == 10
    assert spec.retention_policy(sts) == ("Retain", "Retain")
    assert spec.min_ready_seconds(sts) == 0
    assert spec.start_ordinal(sts) == 0


def test_spec_errors_name_the_field() -> None:
    with pytest.raises(spec.SpecError, match=r"default/web: spec.replicas: must be an integer"):
        spec.replicas(stored_set(replicas="three"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("deleted", "scaled", "in_range", "owners"),
    [
        ("Retain", "Retain", True, set()),
        ("Delete", "Retain", True, {"StatefulSet"}),
        ("Delete", "Retain", False, {"StatefulSet"}),
        ("Retain", "Delete", True, set()),
        ("Retain", "Delete", False, {"Pod"}),
        ("Delete", "Delete", True, {"StatefulSet"}),
        ("Delete", "Delete", False, {"Pod"}),
    ],
)
def test_retention_table(deleted: str, scaled: str, in_range: bool, owners: set[str]) -> None:
    sts = stored_set(
        replicas=3 if in_range else 1,
        persistentVolumeClaimRetentionPolicy={"whenDeleted": deleted, "whenScaled": scaled},
    )
    pod = identity.new_pod(sts, 2)
    pod["metadata"]["uid"] = "pod-uid"
    claim = identity.claims_for(sts, 2)["www"]
    assert retention.is_claim_owner_up_to_date(claim, sts, pod) == (not owners)
    retention.update_claim_owner_refs(claim, sts, pod)
    refs = claim["metadata"].get("ownerReferences") or []
    assert {r["kind"] for r in refs} == owners
    assert all(r["controller"] for r in refs)
    assert retention.is_claim_owner_up_to_date(claim, sts, pod)


def test_stale_pod_reference() -> None:
    sts = stored_set(persistentVolumeClaimRetentionPolicy={"whenScaled": "Delete"})
    claim = identity.claims_for(sts, 2)["www"]
    old = identity.new_pod(sts, 2)
    old["metadata"]["uid"] = "old"
    claim["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "Pod", "name": "web-2", "uid": "old", "controller": True}
    ]
    new = identity.new_pod(sts, 2)
    assert retention.claim_is_stale_for_pod(claim, new)
    assert not retention.claim_is_stale_for_pod(claim, old)


# -- the plan, on plain dicts (no store) -------------------------------------------------------
def running(sts: Obj, ordinal: int, rev: str, *, ready: bool = True, phase: str = "Running") -> Obj:
    """A created pod of ``sts`` with a faked status."""
    pod = identity.new_pod(sts, ordinal)
    identity.set_pod_revision(pod, rev)
    pod["metadata"]["uid"] = f"uid-{ordinal}"
    pod["status"] = {
        "phase": phase,
        "conditions": [
            {
                "type": "Ready",
                "status": "True" if ready else "False",
                "lastTransitionTime": "2026-07-06T10:00:00Z",
            }
        ],
    }
    return pod


def make_plan(
    sts: Obj,
    pods: list[Obj],
    rev: Obj | None = None,
    now: float = 100.0,
    current: Obj | None = None,
    claims: dict[str, Obj] | None = None,
) -> Plan:
    """Plan with one revision (or ``current`` → ``rev``) and the given claims."""
    current = current or revisions.new_revision(sts, 1, 0)
    inputs = control.Inputs(
        sts, pods, Revisions(current, rev or current, 0), (claims or {}).get, now, lambda _: 0.0
    )
    return control.plan(inputs)


def test_plan_creates_first_missing_pod_only() -> None:
    sts = stored_set()
    rev = revisions.new_revision(sts, 1, 0)["metadata"]["name"]
    plan = make_plan(sts, [running(sts, 0, rev)])
    assert [repr(a) for a in plan.actions] == ["create(web-1)"]
    assert plan.status.replicas == 1
    assert plan.status.ready_replicas == 1


def test_plan_stuck_condemned() -> None:
    sts = stored_set(replicas=3)
    rev = revisions.new_revision(sts, 1, 0)["metadata"]["name"]
    pods = [running(sts, i, rev, ready=i < 3) for i in range(5)]
    assert make_plan(sts, pods).actions == []
    pods[4] = running(sts, 4, rev)
    assert [repr(a) for a in make_plan(sts, pods).actions] == ["delete(web-4)"]


def test_plan_stale_claim_blocks_creation() -> None:
    sts = stored_set(persistentVolumeClaimRetentionPolicy={"whenScaled": "Delete"})
    rev = revisions.new_revision(sts, 1, 0)["metadata"]["name"]
    stale = identity.claims_for(sts, 1)["www"]
    stale["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "Pod", "name": "web-1", "uid": "gone", "controller": True}
    ]
    pods = [running(sts, 0, rev)]
    assert make_plan(sts, pods, claims={"www-web-1": stale}).actions == []
    assert [repr(a) for a in make_plan(sts, pods).actions] == ["create(web-1)"]


def test_plan_for_set_being_deleted_is_status_only() -> None:
    sts = stored_set()
    sts["metadata"]["deletionTimestamp"] = "2026-07-06T10:00:00Z"
    plan = make_plan(sts, [])
    assert plan.steps == []
    assert plan.status.replicas == 0


def test_plan_pending_pod_gets_missing_claims_then_waits() -> None:
    sts = stored_set()
    rev = revisions.new_revision(sts, 1, 0)["metadata"]["name"]
    plan = make_plan(sts, [running(sts, 0, rev), running(sts, 1, rev, phase="Pending")])
    assert [repr(a) for a in plan.actions] == ["claims(web-1)"]


def test_plan_rolling_update_counts_and_deletes() -> None:
    sts = stored_set(
        replicas=4, updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}}
    )
    old = revisions.new_revision(sts, 1, 0)
    pods = [running(sts, i, old["metadata"]["name"]) for i in range(4)]
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    new = revisions.new_revision(sts, 2, 0)
    plan = make_plan(sts, pods, rev=new, current=old)
    assert [repr(a) for a in plan.actions] == ["delete(web-3)", "delete(web-2)"]
    assert plan.status.current_replicas == 2


def test_available_at_for_min_ready_seconds() -> None:
    sts = stored_set(minReadySeconds=30)
    rev = revisions.new_revision(sts, 1, 0)["metadata"]["name"]
    plan = make_plan(sts, [running(sts, 0, rev)], now=10.0)
    assert plan.available_at == 30.0
    assert plan.actions == [], "web-0 is not Available yet"


def test_failure_ends_plan_after_its_batch(cluster: Cluster) -> None:
    class Failing(PodControl):
        def __init__(self) -> None:
            super().__init__(cluster)
            self.done: list[str] = []

        def apply(self, action: Action) -> str | None:
            self.done.append(repr(action))
            return "boom" if action.pod["metadata"]["name"] == "web-1" else None

    sts = stored_set()
    steps = [
        Step(0, [Action("create", identity.new_pod(sts, 0), sts)]),
        Step(
            1,
            [
                Action("create", identity.new_pod(sts, 1), sts),
                Action("update", identity.new_pod(sts, 1), sts),
            ],
        ),
        Step(1, [Action("create", identity.new_pod(sts, 2), sts)]),
        Step(2, [Action("create", identity.new_pod(sts, 3), sts)]),
    ]
    control_ = Failing()
    assert control_.execute(Plan(Status(), steps)) == ["boom"]
    assert control_.done == ["create(web-0)", "create(web-1)", "create(web-2)"]


def test_unreadable_ready_time_is_never_available(cluster: Cluster) -> None:
    sts = stored_set(minReadySeconds=5)
    pod = running(sts, 0, "web-x")
    pod["status"]["conditions"][0]["lastTransitionTime"] = "yesterday"
    parse = cluster.clock.parse_timestamp
    assert identity.ready_since(pod, parse) is None
    assert not identity.is_running_and_available(pod, 5, 1e9, parse)
    assert identity.is_running_and_available(pod, 0, 0.0, parse), "no minReadySeconds: Ready"
