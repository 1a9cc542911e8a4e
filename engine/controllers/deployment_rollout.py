"""The Deployment controller's algorithms: rolling and recreate rollouts, proportional scaling,
history cleanup and status (``rolling.go``, ``recreate.go``, ``sync.go``, ``progress.go``).

Functions take the controller (for its store, clock and the ReplicaSet write helpers) and
follow the real code step by step; see :mod:`engine.controllers.deployment` for the overview.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.controllers import deployment_status as st
from engine.controllers import deployment_util as du
from engine.objects import (
    Obj,
    annotations_of,
    controller_ref,
    name_of,
    namespace_of,
    pod_phase,
    uid_of,
)

if TYPE_CHECKING:
    from engine.controllers.deployment import DeploymentController


def _active(sets: list[Obj]) -> list[Obj]:
    return [rs for rs in sets if st.spec_replicas(rs) > 0]


def _with(new_rs: Obj | None, old: list[Obj]) -> list[Obj]:
    return [*old, *([new_rs] if new_rs is not None else [])]


# -- RollingUpdate -------------------------------------------------------------------------
def rollout_rolling(ctl: DeploymentController, d: Obj, sets: list[Obj]) -> None:
    """``rolloutRolling``: scale the new set up, else old sets down, then status."""
    new_rs, old = ctl._new_and_old(d, sets, create=True)
    if new_rs is None:
        return  # creating it failed; the status write that recorded why requeues us
    d = st.fresh(ctl, d)
    if _reconcile_new(ctl, d, _with(new_rs, old), new_rs):
        st.sync_rollout_status(ctl, d, _with(st.fresh_rs(ctl, new_rs), old), new_rs)
        return
    if _reconcile_old(ctl, d, _with(new_rs, old), _active(old), new_rs):
        st.sync_rollout_status(ctl, d, _with(new_rs, st.fresh_sets(ctl, old)), new_rs)
        return
    if st.complete(d, d.get("status") or {}):
        cleanup(ctl, d, old)
    st.sync_rollout_status(ctl, d, _with(new_rs, st.fresh_sets(ctl, old)), new_rs)


def _reconcile_new(ctl: DeploymentController, d: Obj, all_sets: list[Obj], new_rs: Obj) -> bool:
    if st.spec_replicas(new_rs) == du.replicas(d):
        return False
    if st.spec_replicas(new_rs) > du.replicas(d):
        return ctl._scale_and_record(new_rs, du.replicas(d), d)[0]
    count = ctl._new_rs_replicas(d, all_sets, new_rs)
    return ctl._scale_and_record(new_rs, count, d)[0]


def _reconcile_old(
    ctl: DeploymentController, d: Obj, all_sets: list[Obj], old: list[Obj], new_rs: Obj
) -> bool:
    if sum(st.spec_replicas(rs) for rs in old) == 0:
        return False
    all_pods = sum(st.spec_replicas(rs) for rs in all_sets)
    min_available = du.replicas(d) - du.max_unavailable(d)
    new_unavailable = st.spec_replicas(new_rs) - st.status_of(new_rs, "availableReplicas")
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
    for rs in st.by_creation(old):
        if total < max_cleanup and st.spec_replicas(rs) != st.status_of(rs, "availableReplicas"):
            unhealthy = st.spec_replicas(rs) - st.status_of(rs, "availableReplicas")
            count = min(max_cleanup - total, unhealthy)
            if st.spec_replicas(rs) and count > 0:
                rs = ctl._scale_and_record(rs, st.spec_replicas(rs) - count, d)[1]
                total += count
        result.append(rs)
    return result, total


def _scale_down_old(ctl: DeploymentController, d: Obj, all_sets: list[Obj], old: list[Obj]) -> int:
    """Scale old sets down while more than ``replicas − maxUnavailable`` pods are available."""
    min_available = du.replicas(d) - du.max_unavailable(d)
    available = sum(st.status_of(rs, "availableReplicas") for rs in all_sets)
    if available <= min_available:
        return 0
    to_scale = available - min_available
    done = 0
    for rs in st.by_creation(old):
        if done >= to_scale:
            break
        if st.spec_replicas(rs) == 0:
            continue
        count = min(st.spec_replicas(rs), to_scale - done)
        ctl._scale_and_record(rs, st.spec_replicas(rs) - count, d)
        done += count
    return done


# -- Recreate ------------------------------------------------------------------------------
def rollout_recreate(ctl: DeploymentController, d: Obj, sets: list[Obj]) -> None:
    """``rolloutRecreate``: old sets to 0, wait for their pods to go, new set to replicas."""
    new_rs, old = ctl._new_and_old(d, sets, create=False)
    d = st.fresh(ctl, d)
    scaled = False
    for rs in _active(old):
        scaled = ctl._scale_and_record(rs, 0, d)[0] or scaled
    if scaled or _old_pods_running(ctl, d, st.fresh_sets(ctl, old)):
        st.sync_rollout_status(ctl, d, _with(new_rs, st.fresh_sets(ctl, old)), new_rs)
        return
    if new_rs is None:
        new_rs, old = ctl._new_and_old(d, sets, create=True)
        if new_rs is None:
            return
        d = st.fresh(ctl, d)
    if ctl._scale_and_record(new_rs, du.replicas(d), d)[0]:
        st.sync_rollout_status(ctl, d, _with(st.fresh_rs(ctl, new_rs), old), new_rs)
        return
    if st.complete(d, d.get("status") or {}):
        cleanup(ctl, d, old)
    st.sync_rollout_status(ctl, d, _with(new_rs, old), new_rs)


def _old_pods_running(ctl: DeploymentController, d: Obj, old: list[Obj]) -> bool:
    """Any old set reports pods, or any non-terminal pod of an old set still exists."""
    if sum(st.status_of(rs, "replicas") for rs in old) > 0:
        return True
    old_uids = {uid_of(rs) for rs in old}
    for pod in ctl.store.list("Pod", namespace_of(d), st.selector(d)):
        owner = (controller_ref(pod) or {}).get("uid")
        if owner in old_uids and pod_phase(pod) not in ("Failed", "Succeeded"):
            return True
    return False


# -- scaling (sync) ----------------------------------------------------------------------------
def sync_scale(ctl: DeploymentController, d: Obj, sets: list[Obj]) -> None:
    """``sync``: a paused deployment or a replicas change — scale, clean up, write status."""
    new_rs, old = ctl._new_and_old(d, sets, create=False)
    d = st.fresh(ctl, d)
    _scale(ctl, d, new_rs, old)
    new_rs = st.fresh_rs(ctl, new_rs) if new_rs else None
    old = st.fresh_sets(ctl, old)
    cleanup(ctl, d, old)
    st.sync_status(ctl, d, _with(new_rs, old), new_rs)


def _scale(ctl: DeploymentController, d: Obj, new_rs: Obj | None, old: list[Obj]) -> None:
    target = _active_or_latest(new_rs, old)
    if target is not None:
        if st.spec_replicas(target) != du.replicas(d):
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
    newest_first = list(reversed(st.by_creation(old)))
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
        and st.spec_replicas(rs) == du.replicas(d)
        and st.status_of(rs, "availableReplicas") == du.replicas(d)
    )


def _scale_proportionally(ctl: DeploymentController, d: Obj, sets: list[Obj]) -> None:
    """Spread a replicas change over the active sets by their share of the old maximum."""
    allowed = du.replicas(d) + du.max_surge(d) if du.replicas(d) > 0 else 0
    to_add = allowed - sum(st.spec_replicas(rs) for rs in sets)
    if to_add == 0:
        return
    if to_add < 0:  # ReplicaSetsBySizeOlder: larger first, then older first
        newer_first = sorted(st.by_creation(sets), key=lambda rs: -st.spec_replicas(rs))
    else:  # ReplicaSetsBySizeNewer: larger first, then newer first
        newer_first = sorted(
            list(reversed(st.by_creation(sets))), key=lambda rs: -st.spec_replicas(rs)
        )
    sizes: dict[str, int] = {}
    added = 0
    for rs in newer_first:
        proportion = _proportion(d, rs, to_add, added)
        sizes[name_of(rs)] = st.spec_replicas(rs) + proportion
        added += proportion
    operation = "up" if to_add > 0 else "down"
    for i, rs in enumerate(newer_first):
        size = sizes[name_of(rs)]
        if i == 0:
            size = max(0, size + to_add - added)
        ctl._scale(rs, size, d, operation)


def _proportion(d: Obj, rs: Obj, to_add: int, added: int) -> int:
    if st.spec_replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    if du.replicas(d) == 0:
        fraction = -st.spec_replicas(rs)
    else:
        before = annotations_of(rs).get(du.MAX_REPLICAS, "")
        max_before = int(before) if before.isdigit() else 0
        if max_before == 0:
            max_before = int((d.get("status") or {}).get("replicas") or 0)
        if max_before == 0:
            return 0
        new_max = du.replicas(d) + du.max_surge(d)
        fraction = _round_half_away(st.spec_replicas(rs) * new_max / max_before) - st.spec_replicas(
            rs
        )
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
        if st.spec_replicas(rs) == 0
        and rs["metadata"].get("generation", 1) <= st.status_of(rs, "observedGeneration")
        and not rs["metadata"].get("deletionTimestamp")
    ]
    excess = len(cleanable) - int(limit)
    if excess <= 0:
        return
    cleanable.sort(key=lambda rs: (du.revision(rs), rs["metadata"]["creationTimestamp"]))
    for rs in cleanable[:excess]:
        if st.status_of(rs, "replicas") == 0:
            ctl.store.delete("ReplicaSet", namespace_of(rs), name_of(rs))
