"""Deployment vocabulary (``pkg/controller/deployment/util/deployment_util.go``,
``pkg/controller/controller_utils.go``): the pod-template hash, revisions and their
annotations, maxSurge/maxUnavailable fenceposts, conditions, and the client-side rollback
``kubectl rollout undo`` performs.

**pod-template-hash.** The real ``ComputeHash`` writes the *typed* ``PodTemplateSpec`` with
go-spew (``%#v``, sorted map keys, pointers followed) into an FNV-1a 32-bit hash, appends the
collision count as 8 little-endian bytes (uint32 + 4 zero bytes) when the Deployment has one,
and renders ``SafeEncodeString(decimal(sum))``. We cannot reproduce spew's rendering of every
Go struct field (it includes each zero-valued field of the API type, after API-server
defaulting), so :func:`compute_hash` feeds FNV-1a a spew-like rendering of the template *dict*
(``map[string]interface {}{(string)"k":…}``, keys sorted). Everything downstream is real: the
hash is stable for the same template, changes when the template changes, uses only
``4-9 b c d f`` and is 1–10 characters long — but the value differs from what a real cluster
prints for the same YAML.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from engine.objects import Obj, annotations_of, copy_obj, name_of, owner_reference

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE = "kubernetes.io/change-cause"
#: deployment annotations not copied to its ReplicaSets (``annotationsToSkip``)
ANNOTATIONS_TO_SKIP = {
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
}
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


class RollbackError(ValueError):
    """``kubectl rollout undo`` cannot roll back (message as kubectl prints it)."""


# -- hashing -----------------------------------------------------------------------------
def safe_encode(text: str) -> str:
    """apimachinery ``rand.SafeEncodeString``."""
    return "".join(_ALPHANUMS[ord(ch) % len(_ALPHANUMS)] for ch in text)


def fnv32a(data: bytes, seed: int = 0x811C9DC5) -> int:
    """FNV-1a, 32 bits."""
    h = seed
    for byte in data:
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def _spew(value: Any) -> str:
    if isinstance(value, dict):
        items = ",".join(f'(string)"{k}":{_spew(value[k])}' for k in sorted(value))
        return "(map[string]interface {}){" + items + "}"
    if isinstance(value, list):
        return "([]interface {}){" + ",".join(_spew(v) for v in value) + "}"
    if isinstance(value, bool):
        return f"(bool){str(value).lower()}"
    if isinstance(value, int):
        return f"(int64){value}"
    if isinstance(value, float):
        return f"(float64){value!r}"
    if value is None:
        return "(interface {})<nil>"
    return f'(string)"{value}"'


def compute_hash(template: dict[str, Any], collision_count: int | None = None) -> str:
    """``ComputeHash(template, collisionCount)`` (see the module docstring for the caveat)."""
    data = _spew(template).encode()
    h = fnv32a(data)
    if collision_count is not None:
        h = fnv32a(struct.pack("<I", collision_count & 0xFFFFFFFF) + b"\0\0\0\0", h)
    return safe_encode(str(h))


def new_replicaset(d: Obj, pod_hash: str) -> Obj:
    """The Deployment's new ReplicaSet ``<name>-<hash>`` with 0 replicas: the template,
    selector and labels carry ``pod-template-hash``; the Deployment is its controller."""
    template = copy_obj(d["spec"].get("template") or {})
    template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = pod_hash
    selector = copy_obj(d["spec"].get("selector") or {})
    selector.setdefault("matchLabels", {})[HASH_LABEL] = pod_hash
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{name_of(d)}-{pod_hash}",
            "namespace": d["metadata"].get("namespace", "default"),
            "labels": dict(template["metadata"]["labels"]),
            "ownerReferences": [owner_reference(d)],
        },
        "spec": {
            "replicas": 0,
            "minReadySeconds": d["spec"].get("minReadySeconds") or 0,
            "selector": selector,
            "template": template,
        },
    }


def without_hash(template: dict[str, Any]) -> dict[str, Any]:
    """The template with the ``pod-template-hash`` label removed (``EqualIgnoreHash``)."""
    t = copy_obj(template)
    labels = (t.get("metadata") or {}).get("labels")
    if labels is not None:
        labels.pop(HASH_LABEL, None)
        if not labels:
            t["metadata"].pop("labels")
    if "metadata" in t and not t["metadata"]:
        t.pop("metadata")
    return t


def equal_ignore_hash(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two pod templates are equal apart from the pod-template-hash label."""
    return without_hash(a) == without_hash(b)


# -- spec with defaults ----------------------------------------------------------------
def replicas(d: Obj) -> int:
    """spec.replicas (default 1)."""
    value = d["spec"].get("replicas")
    return 1 if value is None else int(value)


def strategy_type(d: Obj) -> str:
    """``RollingUpdate`` (default) or ``Recreate``."""
    return str((d["spec"].get("strategy") or {}).get("type") or "RollingUpdate")


def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """``GetScaledValueFromIntOrPercent``: an int, or ``"25%"`` of ``total`` rounded up/down.

    Raises:
        ValueError: not an int or a percentage.
    """
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%") and text[:-1].isdigit():
        exact = int(text[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    raise ValueError(
        f"invalid value for IntOrString: invalid type: string is not a percentage: {text!r}"
    )


def fenceposts(d: Obj) -> tuple[int, int]:
    """``ResolveFenceposts``: (maxSurge, maxUnavailable) as absolute numbers."""
    rolling = (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    desired = replicas(d)
    surge = scaled_value(rolling.get("maxSurge", "25%"), desired, True)
    unavailable = scaled_value(rolling.get("maxUnavailable", "25%"), desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1  # validation forbids both 0; keep progress possible
    return surge, unavailable


def max_surge(d: Obj) -> int:
    """``MaxSurge``: 0 unless RollingUpdate."""
    return fenceposts(d)[0] if strategy_type(d) == "RollingUpdate" else 0


def max_unavailable(d: Obj) -> int:
    """``MaxUnavailable``: 0 unless RollingUpdate with replicas > 0; at most replicas."""
    if strategy_type(d) != "RollingUpdate" or replicas(d) == 0:
        return 0
    return min(fenceposts(d)[1], replicas(d))


# -- revisions ----------------------------------------------------------------------------
def revision(obj: Obj) -> int:
    """The ``deployment.kubernetes.io/revision`` annotation as a number (0 if none)."""
    try:
        return int(annotations_of(obj).get(REVISION, "0"))
    except ValueError:
        return 0


def set_new_rs_annotations(d: Obj, rs: Obj, new_revision: str, exists: bool) -> bool:
    """``SetNewReplicaSetAnnotations`` on ``rs`` (mutated); returns whether anything changed."""
    ann: dict[str, str] = rs["metadata"].setdefault("annotations", {})
    before = dict(ann)
    for key, value in annotations_of(d).items():
        if key not in ANNOTATIONS_TO_SKIP:
            ann[key] = value
    old = ann.get(REVISION, "")
    old_int = int(old) if old.isdigit() else 0
    if old_int < int(new_revision):
        ann[REVISION] = new_revision
        if old:
            history = ann.get(REVISION_HISTORY)
            ann[REVISION_HISTORY] = f"{history},{old}" if history else old
    if not exists:
        ann[DESIRED_REPLICAS] = str(replicas(d))
        ann[MAX_REPLICAS] = str(replicas(d) + max_surge(d))
    return ann != before


def replicas_annotations_need_update(rs: Obj, desired: int, maximum: int) -> bool:
    """``ReplicasAnnotationsNeedUpdate``."""
    ann = annotations_of(rs)
    return ann.get(DESIRED_REPLICAS) != str(desired) or ann.get(MAX_REPLICAS) != str(maximum)


# -- conditions ---------------------------------------------------------------------------
def new_condition(ctype: str, status: str, reason: str, message: str, now: str) -> dict[str, Any]:
    """A DeploymentCondition with both timestamps at ``now``."""
    return {
        "type": ctype,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def get_condition(status: dict[str, Any], ctype: str) -> dict[str, Any] | None:
    """The condition of ``ctype`` in ``status``."""
    for cond in status.get("conditions") or []:
        if cond.get("type") == ctype:
            c: dict[str, Any] = cond
            return c
    return None


def set_condition(status: dict[str, Any], cond: dict[str, Any]) -> None:
    """``SetDeploymentCondition``: no-op when status and reason are unchanged; keeps
    lastTransitionTime when only the reason changes; the new condition goes last."""
    current = get_condition(status, cond["type"])
    if current and current["status"] == cond["status"] and current["reason"] == cond["reason"]:
        return
    if current and current["status"] == cond["status"]:
        cond = {**cond, "lastTransitionTime": current["lastTransitionTime"]}
    others = [c for c in status.get("conditions") or [] if c.get("type") != cond["type"]]
    status["conditions"] = [*others, cond]


def remove_condition(status: dict[str, Any], ctype: str) -> None:
    """Drop the condition of ``ctype``."""
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != ctype]


# -- rollback (kubectl rollout undo) -------------------------------------------------------
def rs_for_revision(d: Obj, sets: list[Obj], to_revision: int) -> Obj:
    """The ReplicaSet to roll back to: revision ``to_revision``, or the previous one (0).

    Raises:
        RollbackError: no such revision / no history.
    """
    latest: tuple[int, Obj | None] = (-1, None)
    previous: tuple[int, Obj | None] = (-1, None)
    for rs in sets:
        v = revision(rs)
        if not annotations_of(rs).get(REVISION):
            continue
        if to_revision > 0:
            if v == to_revision:
                return rs
        elif v > latest[0]:
            previous, latest = latest, (v, rs)
        elif v > previous[0]:
            previous = (v, rs)
    if to_revision > 0:
        raise RollbackError(f"unable to find specified revision {to_revision} in history")
    if previous[1] is None:
        raise RollbackError(f'no rollout history found for deployment "{name_of(d)}"')
    return previous[1]


def rollback_patch(d: Obj, rs: Obj) -> Obj:
    """The Deployment with ``rs``'s template (minus the hash label) and annotations."""
    new = copy_obj(d)
    new["spec"]["template"] = without_hash(rs["spec"].get("template") or {})
    ann = new["metadata"].setdefault("annotations", {})
    for key, value in annotations_of(rs).items():
        if key not in ANNOTATIONS_TO_SKIP:
            ann[key] = value
    return new
