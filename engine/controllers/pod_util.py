"""Pod predicates and the scale-down victim order shared by the ReplicaSet and Deployment
controllers (``pkg/controller/controller_utils.go``, ``pkg/api/v1/pod/util.go``)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from engine.objects import Obj, annotations_of, copy_obj, pod_condition, pod_phase, uid_of

DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}


def is_pod_active(pod: Obj) -> bool:
    """``IsPodActive``: not Succeeded/Failed and not being deleted."""
    return pod_phase(pod) not in ("Succeeded", "Failed") and not pod["metadata"].get(
        "deletionTimestamp"
    )


def is_pod_ready(pod: Obj) -> bool:
    """The Ready condition is True."""
    cond = pod_condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def ready_since(pod: Obj, parse: Callable[[str], float]) -> float | None:
    """Clock seconds of the Ready condition's last transition (None if not ready)."""
    cond = pod_condition(pod, "Ready")
    if cond is None or cond.get("status") != "True" or not cond.get("lastTransitionTime"):
        return None
    return parse(str(cond["lastTransitionTime"]))


def is_pod_available(
    pod: Obj, min_ready_seconds: int, now: float, parse: Callable[[str], float]
) -> bool:
    """``IsPodAvailable``: ready, and ready for longer than ``min_ready_seconds``."""
    if not is_pod_ready(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    since = ready_since(pod, parse)
    return since is not None and since + min_ready_seconds < now


def available_in(
    pod: Obj, min_ready_seconds: int, now: float, parse: Callable[[str], float]
) -> float | None:
    """Seconds until a ready pod turns available (None if not ready or already available)."""
    since = ready_since(pod, parse)
    if since is None or min_ready_seconds <= 0 or since + min_ready_seconds < now:
        return None
    return since + min_ready_seconds - now


def _deletion_cost(pod: Obj) -> int:
    try:
        return int(annotations_of(pod).get(DELETION_COST, "0"))
    except ValueError:
        return 0


def _restarts(pod: Obj) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return max((int(s.get("restartCount", 0)) for s in statuses), default=0)


def _log_rank(t: float | None, now: float) -> int:
    if t is None:
        return -2
    d = (now - t) * 1e9  # Go durations are nanoseconds
    return int(math.log2(d)) if d > 0 else -1


def _compare(a: tuple[Obj, int], b: tuple[Obj, int], now: float, parse: Any) -> int:
    """-1 when ``a`` should be deleted before ``b`` (``ActivePodsWithRanks.Less``)."""
    pa, ra = a
    pb, rb = b
    na, nb = pa["spec"].get("nodeName", ""), pb["spec"].get("nodeName", "")
    if na != nb and (not na or not nb):
        return -1 if not na else 1
    keys: list[tuple[Any, Any]] = [
        (_PHASE_ORDER.get(pod_phase(pa), 0), _PHASE_ORDER.get(pod_phase(pb), 0)),
        (is_pod_ready(pa), is_pod_ready(pb)),
        (_deletion_cost(pa), _deletion_cost(pb)),
        (-ra, -rb),  # more colocated siblings first
    ]
    for ka, kb in keys:
        if ka != kb:
            return -1 if ka < kb else 1
    if is_pod_ready(pa) and is_pod_ready(pb):
        diff = _log_rank(ready_since(pa, parse), now) - _log_rank(ready_since(pb, parse), now)
        if ready_since(pa, parse) != ready_since(pb, parse):
            if diff == 0:
                return -1 if uid_of(pa) < uid_of(pb) else 1
            return -1 if diff < 0 else 1
    if _restarts(pa) != _restarts(pb):
        return -1 if _restarts(pa) > _restarts(pb) else 1
    ca = parse(pa["metadata"]["creationTimestamp"])
    cb = parse(pb["metadata"]["creationTimestamp"])
    if ca != cb:
        diff = _log_rank(ca, now) - _log_rank(cb, now)
        if diff == 0:
            return -1 if uid_of(pa) < uid_of(pb) else 1
        return -1 if diff < 0 else 1
    return 0


def rank_for_deletion(
    pods: list[Obj], related: list[Obj], now: float, parse: Callable[[str], float]
) -> list[Obj]:
    """``pods`` sorted so the ones to delete first come first.

    ``related`` are all pods of the ReplicaSets sharing the same controller; a pod's rank is
    the number of active related pods on its node (doubled-up pods go first). Ready time and
    creation time compare on a log2 scale of their age (LogarithmicScaleDown, GA), ties broken
    by UID.
    """
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = pod["spec"].get("nodeName", "")
            on_node[node] = on_node.get(node, 0) + 1
    ranked = [(p, on_node.get(p["spec"].get("nodeName", ""), 0)) for p in pods]

    def cmp(a: tuple[Obj, int], b: tuple[Obj, int]) -> int:
        return _compare(a, b, now, parse)

    ranked.sort(key=functools.cmp_to_key(cmp))
    return [p for p, _ in ranked]


def pod_from_template(
    template: dict[str, Any], owner_ref: dict[str, Any], namespace: str, prefix: str
) -> Obj:
    """``GetPodFromTemplate``: a pod with ``generateName: <prefix>``, the template's labels,
    annotations, finalizers and spec, and the controller ownerReference."""
    md = template.get("metadata") or {}
    meta: dict[str, Any] = {
        "generateName": prefix,
        "namespace": namespace,
        "ownerReferences": [owner_ref],
    }
    for field in ("labels", "annotations", "finalizers"):
        if md.get(field):
            meta[field] = copy_obj(md[field])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": copy_obj(template.get("spec") or {}),
    }
