"""StatefulSet spec fields read with the API server's defaults (pkg/apis/apps/v1/defaults.go).

The controller must work whether or not admission already wrote the defaults into the stored
object, so every field is read here, once, with its documented default: replicas 1,
``podManagementPolicy: OrderedReady``, ``updateStrategy: RollingUpdate`` with partition 0 and
maxUnavailable 1, ``revisionHistoryLimit: 10``, PVC retention ``Retain``/``Retain``,
``minReadySeconds: 0``, ``ordinals.start: 0``.

Values that could only come from a hand-written object that skipped validation (a
``maxUnavailable`` of ``"abc"``) raise :class:`SpecError`, naming the object and the field.
"""

from __future__ import annotations

import math
import re
from typing import Any

from engine.objects import Obj, name_of, namespace_of

ORDERED_READY = "OrderedReady"
PARALLEL = "Parallel"
ROLLING_UPDATE = "RollingUpdate"
ON_DELETE = "OnDelete"
RETAIN = "Retain"
DELETE = "Delete"

_PERCENT = re.compile(r"^(\d+)%$")


class SpecError(ValueError):
    """A StatefulSet field holds a value the controller cannot act on."""


def _spec(sts: Obj) -> dict[str, Any]:
    spec: dict[str, Any] = sts.get("spec") or {}
    return spec


def _where(sts: Obj, field: str) -> str:
    return f"StatefulSet {namespace_of(sts)}/{name_of(sts)}: {field}"


def _int_field(sts: Obj, value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SpecError(f"{_where(sts, field)}: must be an integer, got {value!r}")
    if value < 0:
        raise SpecError(f"{_where(sts, field)}: must be greater than or equal to 0, got {value}")
    return value


def replicas(sts: Obj) -> int:
    """spec.replicas (default 1)."""
    value = _spec(sts).get("replicas")
    return 1 if value is None else _int_field(sts, value, "spec.replicas")


def start_ordinal(sts: Obj) -> int:
    """spec.ordinals.start (0 when spec.ordinals is unset)."""
    ordinals = _spec(sts).get("ordinals")
    if not ordinals:
        return 0
    return _int_field(sts, ordinals.get("start", 0), "spec.ordinals.start")


def end_ordinal(sts: Obj) -> int:
    """The last ordinal in range (inclusive); ``start - 1`` when replicas is 0."""
    return start_ordinal(sts) + replicas(sts) - 1


def pod_management_policy(sts: Obj) -> str:
    """spec.podManagementPolicy (default OrderedReady)."""
    return str(_spec(sts).get("podManagementPolicy") or ORDERED_READY)


def allows_burst(sts: Obj) -> bool:
    """Parallel pod management: no waiting for readiness or termination when scaling."""
    return pod_management_policy(sts) == PARALLEL


def update_strategy_type(sts: Obj) -> str:
    """spec.updateStrategy.type (default RollingUpdate)."""
    strategy = _spec(sts).get("updateStrategy") or {}
    return str(strategy.get("type") or ROLLING_UPDATE)


def _rolling(sts: Obj) -> dict[str, Any]:
    strategy = _spec(sts).get("updateStrategy") or {}
    rolling: dict[str, Any] = strategy.get("rollingUpdate") or {}
    return rolling


def partition(sts: Obj) -> int:
    """spec.updateStrategy.rollingUpdate.partition (default 0)."""
    value = _rolling(sts).get("partition")
    if value is None:
        return 0
    return _int_field(sts, value, "spec.updateStrategy.rollingUpdate.partition")


def max_unavailable(sts: Obj) -> int:
    """spec.updateStrategy.rollingUpdate.maxUnavailable resolved against spec.replicas.

    An integer is taken as is; a percentage is scaled and rounded **down**
    (``GetScaledValueFromIntOrPercent(..., false)``); the result is at least 1 (default 1).
    """
    field = "spec.updateStrategy.rollingUpdate.maxUnavailable"
    value = _rolling(sts).get("maxUnavailable")
    if value is None:
        return 1
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and (match := _PERCENT.match(value)):
        number = math.floor(int(match.group(1)) * replicas(sts) / 100)
    else:
        raise SpecError(
            f'{_where(sts, field)}: invalid value "{value}": must be an integer or a percentage'
        )
    return max(1, number)


def revision_history_limit(sts: Obj) -> int:
    """spec.revisionHistoryLimit (default 10)."""
    value = _spec(sts).get("revisionHistoryLimit")
    return 10 if value is None else _int_field(sts, value, "spec.revisionHistoryLimit")


def min_ready_seconds(sts: Obj) -> int:
    """spec.minReadySeconds (default 0)."""
    value = _spec(sts).get("minReadySeconds")
    return 0 if value is None else _int_field(sts, value, "spec.minReadySeconds")


def retention_policy(sts: Obj) -> tuple[str, str]:
    """(whenDeleted, whenScaled) of spec.persistentVolumeClaimRetentionPolicy (Retain each)."""
    policy = _spec(sts).get("persistentVolumeClaimRetentionPolicy") or {}
    when_deleted = str(policy.get("whenDeleted") or RETAIN)
    when_scaled = str(policy.get("whenScaled") or RETAIN)
    return when_deleted, when_scaled


def service_name(sts: Obj) -> str:
    """spec.serviceName ("" when unset)."""
    return str(_spec(sts).get("serviceName") or "")


def claim_templates(sts: Obj) -> list[Obj]:
    """spec.volumeClaimTemplates (each a PersistentVolumeClaim)."""
    templates: list[Obj] = _spec(sts).get("volumeClaimTemplates") or []
    for index, template in enumerate(templates):
        if not (template.get("metadata") or {}).get("name"):
            field = f"spec.volumeClaimTemplates[{index}].metadata.name"
            raise SpecError(f"{_where(sts, field)}: Required value")
    return templates


def selector(sts: Obj) -> dict[str, Any]:
    """spec.selector; raises SpecError when missing (the API requires it)."""
    value = _spec(sts).get("selector")
    if not isinstance(value, dict):
        raise SpecError(f"{_where(sts, 'spec.selector')}: Required value")
    return value


def match_labels(sts: Obj) -> dict[str, str]:
    """spec.selector.matchLabels (empty when only matchExpressions are used)."""
    labels: dict[str, str] = selector(sts).get("matchLabels") or {}
    return labels


def template(sts: Obj) -> dict[str, Any]:
    """spec.template (the pod template)."""
    value = _spec(sts).get("template")
    if not isinstance(value, dict):
        raise SpecError(f"{_where(sts, 'spec.template')}: Required value")
    return value


def is_being_deleted(sts: Obj) -> bool:
    """metadata.deletionTimestamp is set."""
    return sts["metadata"].get("deletionTimestamp") is not None
