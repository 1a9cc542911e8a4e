"""The Deployment controller's algorithms: rolling and recreate rollouts, proportional scaling,
history cleanup and status (``rolling.go``, ``recreate.go``, ``sync.go``, ``progress.go``).

Functions take the controller (for its store, clock and the ReplicaSet write helpers) and
follow the real code step by step; see :mod:`engine.controllers.deployment` for the overview.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.controllers import deployment_util as du
from engine.objects import (
    Obj,
    annotations_of,
    controller_ref,
    copy_obj,
    name_of,
    namespace_of,
    pod_phase,
    uid_of,
)
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


def _active(sets: list[Obj]) -> list[Obj]:
    return [rs for rs in sets if spec_replicas(rs) > 0]


def _with(new_rs: Obj | None, old: list[Obj]) -> list[Obj]:
    return [*old, *([new_rs] if new_rs is not None else [])]


# -- RollingUpdate -------------------------------------------------------------------------
def rollout_rolling(ctl: DeploymentController, d: Obj, sets: list[Obj]) -> None:
    """``rolloutRolling``: scale the new set up, else old sets down, then status."""
    new_rs, old = ctl._new_and_old(d, sets, create=True)
    assert new_rs is not None
    d = _fresh(ctl, d)
    if _reconcile_new(ctl, d, _with(new_rs, old), new_rs):
        sync_rollout_status(ctl, d, _with(_fresh_rs(ctl, new_rs), old), new_rs)
        return
    if _reconcile_old(ctl, d, _with(new_rs, old), _active(old), new_rs):
        sync_rollout_status(ctl, d, _with(new_rs, _fresh_sets(ctl, old)), new_rs)
        return
    if _complete(d, d.get("status") or {}):
        cleanup(ctl, d, old)
    sync_rollout_status(ctl, d, _with(new_rs, _fresh_sets(ctl, old)), new_rs)


def _reconcile_new(ctl: DeploymentController, d: Obj, all_sets: list[Obj], new_rs: Obj) -> bool:
    if spec_replicas(new_rs) == du.replicas(d):
        return False
    if spec_replicas(new_rs) > du.replicas(d):
        return ctl._scale_and_record(new_rs, du.replicas(d), d)[0]
    count = ctl._new_rs_replicas(d, all_sets, new_rs)
    return ctl._scale_and_record(new_rs, count, d)[0]


def _reconcile_old(
    ctl: DeploymentController, d: Obj, all_sets: list[Obj], old: list[Obj], new_rs: Obj
) -> bool:
    if sum(spec_replicas(rs) for rs in old) == 0:
        return False
    all_pods = sum(spec_replicas(rs) for rs in all_sets)
    min_available = du.replicas(d) - du.max_unavailable(d)
    new_unavailable = spec_replicas(new_rs) - status_of(new_rs, "availableReplicas")
    max_scaled_down = all_pods - min_available - new_unavailable
    if max_scaled_down <= 0:
        return False
    old, cleaned = _cleanup_unhealthy(ctl, d, old, max_scaled_down)
    scaled = _scale_down_old(ctl, d, [*old, new_rs], old)
    return cleaned + scaled > 0


def _cleanup_unhealthy(
    ctl: DeploymentController, d: Obj, old: list[Obj], max_cleanup: int
) -> tuple[list[Obj], int]:
    """Scale old sets down by their unavailable pods first (oldest set first)."""
    total = 0
    result = []
    for rs in by_creation(old):
        if total < max_cleanup and spec_replicas(rs) != status_of(rs, "availableReplicas"):
            unhealthy = spec_replicas(rs) - status_of(rs, "availableReplicas")
            count = min(max_cleanup - total, unhealthy)
            if spec_replicas(rs) and count > 0:
                rs = ctl._scale_and_record(rs, spec_replicas(rs) - count, d)[1]
                total += count
        result.append(rs)
    return result, total


def _scale_down_old(ctl: DeploymentController, d: Obj, all_sets: list[Obj], old: list[Obj]) -> int:
    """Scale old sets down while more than ``replicas − maxUnavailable`` pods are available."""
    min_available = du.replicas(d) - du.max_unavailable(d)
    available = sum(status_of(rs, "availableReplicas") for rs in all_sets)
    if available <= min_available:
        return 0
    to_scale = available - min_available
    done = 0
    for rs in by_creation(old):
        if done >= to_scale:
            break
        if spec_replicas(rs) == 0:
            continue
        count = min(spec_replicas(rs), to_scale - done)
        ctl._scale_and_record(rs, spec_replicas(rs) - count, d)
        done += count
    return done


# -- Recreate ------------------------------------------------------------------------------
def rollout_recreate(ctl: DeploymentController, d: Obj, sets: list[Obj]) -> None:
    """``rolloutRecreate``: old sets to 0, wait for their pods to go, new set to replicas."""
    new_rs, old = ctl._new_and_old(d, sets, create=False)
    d = _fresh(ctl, d)
    scaled = False
    for rs in _active(old):
        scaled = ctl._scale_and_record(rs, 0, d)[0] or scaled
    if scaled or _old_pods_running(ctl, d, _fresh_sets(ctl, old)):
        sync_rollout_status(ctl, d, _with(new_rs, _fresh_sets(ctl, old)), new_rs)
        return
    if new_rs is None:
        new_rs, old = ctl._new_and_old(d, sets, create=True)
        d = _fresh(ctl, d)
    assert new_rs is not None
    if ctl._scale_and_record(new_rs, du.replicas(d), d)[0]:
        sync_rollout_status(ctl, d, _with(_fresh_rs(ctl, new_rs), old), new_rs)
        return
    if _complete(d, d.get("status") or {}):
        cleanup(ctl, d, old)
    sync_rollout_status(ctl, d, _with(new_rs, old), new_rs)


def _old_pods_running(ctl: DeploymentController, d: Obj, old: list[Obj]) -> bool:
    """Any old set reports pods, or any non-terminal pod of an old set still exists."""
    if sum(status_of(rs, "replicas") for rs in old) > 0:
        return True
    old_uids = {uid_of(rs) for rs in old}
    for pod in ctl.store.list("Pod", namespace_of(d), selector(d)):
        owner = (controller_ref(pod) or {}).get("uid")
        if owner in old_uids and pod_phase(pod) not in ("Failed", "Succeeded"):
            return True
    return False


# -- scaling (sync) ----------------------------------------------------------------------------
def sync_scale(ctl: DeploymentController, d: Obj, sets: list[Obj]) -> None:
    """``sync``: a paused deployment or a replicas change — scale, clean up, write status."""
    new_rs, old = ctl._new_and_old(d, sets, create=False)
    d = _fresh(ctl, d)
    _scale(ctl, d, new_rs, old)
    new_rs = _fresh_rs(ctl, new_rs) if new_rs else None
    old = _fresh_sets(ctl, old)
    cleanup(ctl, d, old)
    sync_status(ctl, d, _with(new_rs, old), new_rs)


def _scale(ctl: DeploymentController, d: Obj, new_rs: Obj | None, old: list[Obj]) -> None:
    target = _active_or_latest(new_rs, old)
    if target is not None:
        if spec_replicas(target) != du.replicas(d):
            ctl._scale_and_record(target, du.replicas(d), d)
        return
    if _saturated(d, new_rs):
        for rs in _active(old):
            ctl._scale_and_record(rs, 0, d)
        return
    if du.strategy_type(d) != "RollingUpdate":
        return
    _scale_proportionally(ctl, d, _active(_with(new_rs, old)))


def _active_or_latest(new_rs: Obj | None, old: list[Obj]) -> Obj | None:
    if new_rs is None and not old:
        return None
    newest_first = list(reversed(by_creation(old)))
    active = _active([*newest_first, *([new_rs] if new_rs else [])])
    if not active:
        return new_rs if new_rs is not None else newest_first[0]
    return active[0] if len(active) == 1 else None


def _saturated(d: Obj, rs: Obj | None) -> bool:
    if rs is None:
        return False
    desired = annotations_of(rs).get(du.DESIRED_REPLICAS)
    return (
        desired == str(du.replicas(d))
        and spec_replicas(rs) == du.replicas(d)
        and status_of(rs, "availableReplicas") == du.replicas(d)
    )


def _scale_proportionally(ctl: DeploymentController, d: Obj, sets: list[Obj]) -> None:
    """Spread a replicas change over the active sets by their share of the old maximum."""
    allowed = du.replicas(d) + du.max_surge(d) if du.replicas(d) > 0 else 0
    to_add = allowed - sum(spec_replicas(rs) for rs in sets)
    if to_add == 0:
        return
    if to_add < 0:  # ReplicaSetsBySizeOlder: larger first, then older first
        newer_first = sorted(by_creation(sets), key=lambda rs: -spec_replicas(rs))
    else:  # ReplicaSetsBySizeNewer: larger first, then newer first
        newer_first = sorted(list(reversed(by_creation(sets))), key=lambda rs: -spec_replicas(rs))
    sizes: dict[str, int] = {}
    added = 0
    for rs in newer_first:
        proportion = _proportion(d, rs, to_add, added)
        sizes[name_of(rs)] = spec_replicas(rs) + proportion
        added += proportion
    operation = "up" if to_add > 0 else "down"
    for i, rs in enumerate(newer_first):
        size = sizes[name_of(rs)]
        if i == 0:
            size = max(0, size + to_add - added)
        ctl._scale(rs, size, d, operation)


def _proportion(d: Obj, rs: Obj, to_add: int, added: int) -> int:
    if spec_replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    if du.replicas(d) == 0:
        fraction = -spec_replicas(rs)
    else:
        before = annotations_of(rs).get(du.MAX_REPLICAS, "")
        max_before = int(before) if before.isdigit() else 0
        if max_before == 0:
            max_before = int((d.get("status") or {}).get("replicas") or 0)
        if max_before == 0:
            return 0
        new_max = du.replicas(d) + du.max_surge(d)
        fraction = _round_half_away(spec_replicas(rs) * new_max / max_before) - spec_replicas(rs)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _round_half_away(x: float) -> int:
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


# -- cleanup and status --------------------------------------------------------------------
def cleanup(ctl: DeploymentController, d: Obj, old: list[Obj]) -> None:
    """``cleanupDeployment``: delete the oldest empty sets beyond revisionHistoryLimit."""
    limit = d["spec"].get("revisionHistoryLimit", 10)
    if limit is None:
        return
    cleanable = [
        rs
        for rs in old
        if spec_replicas(rs) == 0
        and rs["metadata"].get("generation", 1) <= status_of(rs, "observedGeneration")
        and not rs["metadata"].get("deletionTimestamp")
    ]
    excess = len(cleanable) - int(limit)
    if excess <= 0:
        return
    cleanable.sort(key=lambda rs: (du.revision(rs), rs["metadata"]["creationTimestamp"]))
    for rs in cleanable[:excess]:
        if status_of(rs, "replicas") == 0:
            ctl.store.delete("ReplicaSet", namespace_of(rs), name_of(rs))


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
    d = _fresh(ctl, d)
    status = calculate_status(ctl, d, all_sets, new_rs)
    if status != d.get("status"):
        ctl._write_status(d, status)


def _complete(d: Obj, status: dict[str, Any]) -> bool:
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
    d = _fresh(ctl, d)
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
        if _complete(d, status):
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
        or _complete(d, status)
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


# -- store re-reads ------------------------------------------------------------------------
def _fresh(ctl: DeploymentController, d: Obj) -> Obj:
    return ctl.store.get("Deployment", namespace_of(d), name_of(d)) or d


def _fresh_rs(ctl: DeploymentController, rs: Obj) -> Obj:
    return ctl.store.get("ReplicaSet", namespace_of(rs), name_of(rs)) or rs


def _fresh_sets(ctl: DeploymentController, sets: list[Obj]) -> list[Obj]:
    return [_fresh_rs(ctl, rs) for rs in sets]
