"""Deployment status and the Progressing/Available conditions (``sync.go`` ``calculateStatus``,
``syncDeploymentStatus``; ``progress.go`` ``syncRolloutStatus``), plus the small ReplicaSet
readers the rollout code shares.

Counts come from the ReplicaSets' status (replicas, ready, available, terminating) and their
spec (unavailable = desired pods − available). ``Available`` is True while at least
``replicas − maxUnavailable`` pods are available. ``Progressing`` moves
``NewReplicaSetCreated``/``FoundNewReplicaSet`` → ``ReplicaSetUpdated`` (each time more pods are
updated, ready or available, or fewer old ones exist; lastTransitionTime kept) →
``NewReplicaSetAvailable``; without progress for ``progressDeadlineSeconds`` it turns False
``ProgressDeadlineExceeded``, checked by a requeue at the deadline. Fields are omitted when 0,
as the API's ``omitempty`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.controllers import deployment_util as du
from engine.objects import Obj, copy_obj, name_of, namespace_of
from engine.selectors import SelectorError, from_label_selector

if TYPE_CHECKING:
    from engine.controllers.deployment import DeploymentController


def spec_replicas(rs: Obj | None) -> int:
    """spec.replicas of a ReplicaSet (0 for None)."""
    return int((rs or {}).get("spec", {}).get("replicas") or 0)


def status_of(rs: Obj | None, field: str) -> int:
    """An integer status field of a ReplicaSet (0 when absent)."""
    return int(((rs or {}).get("status") or {}).get(field) or 0)


def by_creation(sets: list[Obj]) -> list[Obj]:
    """Oldest first (``ReplicaSetsByCreationTimestamp``)."""
    return sorted(sets, key=lambda rs: (rs["metadata"]["creationTimestamp"], name_of(rs)))


def selector(obj: Obj) -> Any:
    """Matcher for ``spec.selector`` (an invalid selector matches nothing)."""
    try:
        return from_label_selector((obj.get("spec") or {}).get("selector"))
    except SelectorError:
        return lambda _labels: False


def fresh(ctl: DeploymentController, d: Obj) -> Obj:
    return ctl.store.get("Deployment", namespace_of(d), name_of(d)) or d


def fresh_rs(ctl: DeploymentController, rs: Obj) -> Obj:
    return ctl.store.get("ReplicaSet", namespace_of(rs), name_of(rs)) or rs


def fresh_sets(ctl: DeploymentController, sets: list[Obj]) -> list[Obj]:
    return [fresh_rs(ctl, rs) for rs in sets]


def calculate_status(
    ctl: DeploymentController, d: Obj, all_sets: list[Obj], new_rs: Obj | None
) -> dict[str, Any]:
    """``calculateStatus``: counts from the sets' status plus the Available condition."""
    available = sum(status_of(rs, "availableReplicas") for rs in all_sets)
    total = sum(spec_replicas(rs) for rs in all_sets)
    status: dict[str, Any] = {
        "observedGeneration": d["metadata"].get("generation", 1),
        "replicas": sum(status_of(rs, "replicas") for rs in all_sets),
        "updatedReplicas": status_of(new_rs, "replicas"),
        "readyReplicas": sum(status_of(rs, "readyReplicas") for rs in all_sets),
        "availableReplicas": available,
        "unavailableReplicas": max(0, total - available),
    }
    terminating = [
        rs["status"]["terminatingReplicas"]
        for rs in all_sets
        if (rs.get("status") or {}).get("terminatingReplicas") is not None
    ]
    if terminating:
        status["terminatingReplicas"] = sum(terminating)
    old_status = d.get("status") or {}
    if old_status.get("collisionCount") is not None:
        status["collisionCount"] = old_status["collisionCount"]
    status["conditions"] = copy_obj(old_status.get("conditions") or [])
    now = ctl.clock.timestamp()
    if available >= du.replicas(d) - du.max_unavailable(d):
        cond = du.new_condition(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            now,
        )
    else:
        cond = du.new_condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            now,
        )
    du.set_condition(status, cond)
    for key in (
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
        "unavailableReplicas",
    ):
        if not status[key]:
            del status[key]  # omitempty
    if not status["conditions"]:
        del status["conditions"]
    return status


def sync_status(ctl: DeploymentController, d: Obj, all_sets: list[Obj], new_rs: Obj | None) -> None:
    """``syncDeploymentStatus``: write the computed status if it changed."""
    d = fresh(ctl, d)
    status = calculate_status(ctl, d, all_sets, new_rs)
    if status != d.get("status"):
        ctl._write_status(d, status)


def complete(d: Obj, status: dict[str, Any]) -> bool:
    """``DeploymentComplete``."""
    want = du.replicas(d)
    return (
        int(status.get("updatedReplicas") or 0) == want
        and int(status.get("replicas") or 0) == want
        and int(status.get("availableReplicas") or 0) == want
        and int(status.get("observedGeneration") or 0) >= d["metadata"].get("generation", 1)
    )


def _progressing(d: Obj, new: dict[str, Any]) -> bool:
    """``DeploymentProgressing``: more updated/ready/available pods or fewer old ones."""
    old = d.get("status") or {}

    def n(s: dict[str, Any], key: str) -> int:
        return int(s.get(key) or 0)

    return (
        n(new, "updatedReplicas") > n(old, "updatedReplicas")
        or n(new, "replicas") - n(new, "updatedReplicas")
        < n(old, "replicas") - n(old, "updatedReplicas")
        or n(new, "readyReplicas") > n(old, "readyReplicas")
        or n(new, "availableReplicas") > n(old, "availableReplicas")
    )


def sync_rollout_status(
    ctl: DeploymentController, d: Obj, all_sets: list[Obj], new_rs: Obj | None
) -> None:
    """``syncRolloutStatus``: status plus the Progressing condition and the deadline."""
    d = fresh(ctl, d)
    status = calculate_status(ctl, d, all_sets, new_rs)
    deadline = d["spec"].get("progressDeadlineSeconds", 600)
    now = ctl.clock.timestamp()
    current = du.get_condition(d.get("status") or {}, "Progressing")
    rs_name = name_of(new_rs) if new_rs is not None else ""
    if deadline is None:
        du.remove_condition(status, "Progressing")
    complete_before = (
        status.get("replicas") == status.get("updatedReplicas")
        and current is not None
        and current["reason"] == "NewReplicaSetAvailable"
    )
    if deadline is not None and not complete_before:
        if complete(d, status):
            msg = f'ReplicaSet "{rs_name}" has successfully progressed.'
            du.set_condition(
                status, du.new_condition("Progressing", "True", "NewReplicaSetAvailable", msg, now)
            )
        elif _progressing(d, status):
            msg = (
                f'ReplicaSet "{rs_name}" is progressing.'
                if rs_name
                else ("Deployment is progressing.")
            )
            cond = du.new_condition("Progressing", "True", "ReplicaSetUpdated", msg, now)
            if current is not None:
                if current["status"] == "True":
                    cond["lastTransitionTime"] = current["lastTransitionTime"]
                du.remove_condition(status, "Progressing")
            du.set_condition(status, cond)
        elif _timed_out(ctl, d, current, deadline):
            msg = f'ReplicaSet "{rs_name}" has timed out progressing.'
            du.set_condition(
                status,
                du.new_condition("Progressing", "False", "ProgressDeadlineExceeded", msg, now),
            )
    _copy_replica_failure(status, all_sets)
    if status != d.get("status"):
        ctl._write_status(d, status)  # the write requeues the deployment
    else:
        _requeue_stuck(ctl, d, status, deadline)


def _timed_out(
    ctl: DeploymentController, d: Obj, cond: dict[str, Any] | None, deadline: int
) -> bool:
    if cond is None or cond["reason"] == "NewReplicaSetAvailable":
        return False
    if cond["reason"] == "ProgressDeadlineExceeded":
        return True
    return ctl.clock.parse_timestamp(cond["lastUpdateTime"]) + deadline < ctl.clock.now()


def _requeue_stuck(
    ctl: DeploymentController, d: Obj, status: dict[str, Any], deadline: int | None
) -> None:
    cond = du.get_condition(status, "Progressing")
    key = f"{namespace_of(d)}/{name_of(d)}"
    stuck = deadline is not None and cond is not None and cond["status"] == "True"
    if (
        not stuck
        or cond is None
        or cond["reason"] == "NewReplicaSetAvailable"
        or complete(d, status)
    ):
        ctl.cancel_requeue(key)  # nothing to time out: don't keep the virtual clock busy
        return
    assert deadline is not None
    due = ctl.clock.parse_timestamp(cond["lastUpdateTime"]) + deadline - ctl.clock.now()
    ctl.enqueue_after(key, max(0.0, due) + 1.0)


def _copy_replica_failure(status: dict[str, Any], sets: list[Obj]) -> None:
    """Surface a ReplicaSet's ReplicaFailure condition on the Deployment."""
    for rs in sets:
        failure = du.get_condition(rs.get("status") or {}, "ReplicaFailure")
        if failure is not None:
            du.set_condition(
                status,
                {
                    "type": "ReplicaFailure",
                    "status": failure["status"],
                    "lastUpdateTime": failure["lastTransitionTime"],
                    "lastTransitionTime": failure["lastTransitionTime"],
                    "reason": failure["reason"],
                    "message": failure["message"],
                },
            )
            return
    du.remove_condition(status, "ReplicaFailure")
    if not status.get("conditions"):
        status.pop("conditions", None)
